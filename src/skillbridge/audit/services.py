"""Writing and verifying the audit trail.

`audit_record` must run inside the transaction of the change it describes, so the event and the
change commit or roll back together. Events form a SHA-256 hash chain: each stores the previous
event's hash, and `audit_verify` recomputes the chain to find the first row that was altered.
"""

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from .context import current
from .models import AuditEvent, Outcome

GENESIS = "0" * 64
# Any 15/18-character resident ID number in a value is masked before it is stored.
ID_NUMBER_RE = re.compile(r"(?<!\d)(\d{6})\d{8}(\d{3}[\dXx])(?!\d)")
SENSITIVE_KEYS = ("id_number", "password", "token", "secret")
ADVISORY_LOCK_KEY = 7_281_020_001


class AuditOutsideTransaction(RuntimeError):
    """Raised when an event is written outside the transaction of the change it describes."""


def mask_id_numbers(text: str) -> str:
    return ID_NUMBER_RE.sub(lambda m: f"{m.group(1)}********{m.group(2)[-4:]}", text)


def _clean(value, key: str = ""):
    if any(s in key.lower() for s in SENSITIVE_KEYS):
        return mask_id_numbers(str(value)) if "id_number" in key.lower() else "***"
    if isinstance(value, dict):
        return {str(k): _clean(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_clean(v, key) for v in value]
    if isinstance(value, str):
        return mask_id_numbers(value)
    if isinstance(value, Decimal | dt.date | dt.datetime):
        return str(value)
    return value


def _digest(event: AuditEvent) -> str:
    payload = {
        "at": event.at.astimezone(dt.UTC).isoformat(),
        "actor": event.actor_id,
        "actor_name": event.actor_name,
        "organisation": event.organisation_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "outcome": event.outcome,
        "request_id": event.request_id,
        "ip": event.ip,
        "changes": event.changes,
        "prev_hash": event.prev_hash,
    }
    canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _lock_chain() -> None:
    """Serialise appends so two transactions never chain onto the same previous event."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
    # SQLite runs every transaction as IMMEDIATE (settings), so writers are already serialised.


def audit_record(
    *,
    action: str,
    obj=None,
    actor=None,
    organisation=None,
    outcome: str = Outcome.SUCCESS,
    changes: dict | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditEvent:
    """Append one event; call it inside the service's `transaction.atomic()` block."""
    if not connection.in_atomic_block:
        raise AuditOutsideTransaction("审计事件必须与其记录的变更在同一事务中写入")
    ctx = current.get()
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    if organisation is None and actor is not None:
        organisation = actor.organisation
    _lock_chain()
    last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
    event = AuditEvent(
        at=timezone.now(),
        actor=actor,
        actor_name=str(actor) if actor else "",
        organisation=organisation,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=mask_id_numbers(object_repr)[:200],
        outcome=outcome,
        request_id=ctx.request_id,
        ip=ctx.ip,
        changes=_clean(changes or {}),
        prev_hash=last or GENESIS,
    )
    event.hash = _digest(event)
    event.save()
    return event


def audit_denied(*, action: str, actor=None, **fields) -> AuditEvent:
    """Record a refused request in a transaction of its own: nothing else was written."""
    with transaction.atomic():
        return audit_record(action=action, actor=actor, outcome=Outcome.DENIED, **fields)


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_id: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_id is None


def audit_verify() -> ChainReport:
    """Walk the chain in order and report the first event whose link or content does not hold."""
    previous = GENESIS
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != previous:
            return ChainReport(checked, event.pk, "前序哈希与上一条事件不一致（有事件被删除、插入或改动）")
        if _digest(event) != event.hash:
            return ChainReport(checked, event.pk, "事件内容与其哈希不符（该行被改动）")
        previous = event.hash
        checked += 1
    return ChainReport(checked)
