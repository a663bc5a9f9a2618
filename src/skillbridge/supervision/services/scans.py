"""Risk scans: requested in a request (queued, run by the worker) and executed by `scan_execute`."""

import logging

from django.db import transaction
from django.utils import timezone

from skillbridge.accounts.models import Organisation
from skillbridge.audit.services import audit_record
from skillbridge.errors import Forbidden

from ..models import OPEN_STATUSES, Finding, FindingEvent, ScanRun, ScanStatus
from ..rules import CLAIM_RULES, RULES, ScanContext, run_rules
from .common import WRITE_ROLES

logger = logging.getLogger(__name__)


def _enqueue(run_id: int) -> None:
    from ..tasks import scan_task

    try:
        scan_task.enqueue(run_id)
    except Exception:
        logger.exception("Could not enqueue scan %s", run_id)
        ScanRun.objects.filter(pk=run_id, status=ScanStatus.QUEUED).update(
            status=ScanStatus.FAILED, message="无法提交后台任务，请稍后重试", finished_at=timezone.now()
        )


def scan_request(*, actor, claim=None) -> ScanRun:
    """Queue a scan of every unit in the actor's scope (or of one claim the actor can see)."""
    if not actor.has_role(*WRITE_ROLES):
        raise Forbidden("无权发起风险扫描")
    if claim is not None:
        unit_ids = [claim.unit_id]
        rules = [str(r) for r in CLAIM_RULES]
    else:
        unit_ids = list(Organisation.objects.visible_units(actor).values_list("pk", flat=True))
        rules = [str(r) for r in RULES]
    if not unit_ids:
        raise Forbidden("您的数据范围内没有可扫描的单位")
    return _queue(actor=actor, unit_ids=unit_ids, claim=claim, rules=rules)


def scan_claim_on_submit(*, actor, claim) -> ScanRun:
    """Every submitted claim is scanned by the claim rules (registered with the subsidies app); the submitter
    is an institution, not a supervisor, so no role is required and the findings go to the supervisors."""
    return _queue(actor=actor, unit_ids=[claim.unit_id], claim=claim, rules=[str(r) for r in CLAIM_RULES])


def _queue(*, actor, unit_ids: list[int], claim, rules: list[str]) -> ScanRun:
    with transaction.atomic():
        run = ScanRun.objects.create(
            requested_by=actor,
            organisation=actor.organisation,
            unit_ids=unit_ids,
            claim_id=claim.pk if claim is not None else None,
            rules=rules,
        )
        audit_record(
            action="supervision.scan.request",
            obj=run,
            actor=actor,
            changes={"units": len(unit_ids), "claim": run.claim_id, "rules": rules},
        )
        run_id = run.pk
        transaction.on_commit(lambda: _enqueue(run_id))
    return run


def _store(run: ScanRun, candidates) -> tuple[int, int]:
    """Create the new findings and refresh the open ones with the same key. Returns (found, new)."""
    now = timezone.now()
    keys = [c.key for c in candidates]
    existing = {f.key: f for f in Finding.objects.filter(key__in=keys, status__in=OPEN_STATUSES)}
    new = 0
    for c in candidates:
        finding = existing.get(c.key)
        if finding is not None:
            Finding.objects.filter(pk=finding.pk).update(
                evidence=c.evidence, summary=c.summary[:300], last_seen_at=now
            )
            continue
        finding = Finding.objects.create(
            rule=c.rule,
            severity=c.severity,
            key=c.key,
            unit_id=c.unit_id,
            institution_id=c.institution_id,
            region_code=c.region_code,
            year=c.year,
            summary=c.summary[:300],
            object_type=c.object_type,
            object_id=c.object_id,
            object_label=c.object_label[:200],
            object_url=c.object_url,
            claim_id=c.claim_id,
            evidence=c.evidence,
            first_scan=run,
            last_seen_at=now,
        )
        existing[c.key] = finding
        FindingEvent.objects.create(
            finding=finding, action=FindingEvent.Action.FOUND, note=f"风险扫描#{run.pk}"
        )
        new += 1
    return len(set(keys)), new


def scan_execute(run_id: int) -> str:
    """Run the rules of a queued scan and store the findings in one transaction (all or nothing)."""
    run = ScanRun.objects.get(pk=run_id)
    if run.status not in (ScanStatus.QUEUED, ScanStatus.FAILED):
        return run.status
    ScanRun.objects.filter(pk=run.pk).update(status=ScanStatus.RUNNING, started_at=timezone.now())
    ctx = ScanContext(unit_ids=list(run.unit_ids), today=timezone.localdate(), claim_id=run.claim_id)
    try:
        with transaction.atomic():
            candidates = run_rules(ctx, run.rules)
            found, new = _store(run, candidates)
            run.status = ScanStatus.DONE
            run.found, run.new, run.notes = found, new, ctx.notes
            run.message = f"发现问题{found}项，其中新增{new}项"
            run.finished_at = timezone.now()
            run.save(update_fields=["status", "found", "new", "notes", "message", "finished_at"])
            audit_record(
                action="supervision.scan.run",
                obj=run,
                actor=run.requested_by,
                changes={"found": found, "new": new},
            )
    except Exception as exc:
        logger.exception("Scan %s failed", run_id)
        ScanRun.objects.filter(pk=run.pk).update(
            status=ScanStatus.FAILED, message=f"扫描失败：{exc}"[:500], finished_at=timezone.now()
        )
        return ScanStatus.FAILED
    return ScanStatus.DONE
