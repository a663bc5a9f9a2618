"""The findings workflow: a supervisor assigns a finding to a user of the responsible organisation, that
user answers, the supervisor closes it (confirmed or dismissed) or returns it for a better answer."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from skillbridge.audit.services import audit_record
from skillbridge.errors import Conflict, Forbidden, ServiceError

from ..models import Finding, FindingEvent, FindingStatus, Outcome
from .common import require_supervisor


def _locked(finding: Finding) -> Finding:
    return (
        Finding.objects.select_for_update(of=("self",))
        .select_related("unit", "institution")
        .get(pk=finding.pk)
    )


def _responsible_ids(finding: Finding) -> set[int]:
    return {pk for pk in (finding.unit_id, finding.institution_id) if pk}


@transaction.atomic
def finding_assign(
    *, actor, finding: Finding, assignee, due_on: dt.date | None = None, note: str = ""
) -> Finding:
    finding = _locked(finding)
    require_supervisor(actor, finding.responsible)
    if finding.status not in (FindingStatus.OPEN, FindingStatus.ASSIGNED):
        raise Conflict(f"问题状态为「{finding.get_status_display()}」，不能分派", field="status")
    if (
        assignee is None
        or not assignee.is_active
        or assignee.organisation_id not in _responsible_ids(finding)
    ):
        raise ServiceError("承办人须为责任单位（或相关机构）的在用账号", field="assignee")
    if due_on is not None and due_on < timezone.localdate():
        raise ServiceError("答复期限不能早于今天", field="due_on")
    finding.assigned_to = assignee
    finding.due_on = due_on
    finding.status = FindingStatus.ASSIGNED
    finding.save(update_fields=["assigned_to", "due_on", "status"])
    FindingEvent.objects.create(
        finding=finding,
        action=FindingEvent.Action.ASSIGNED,
        actor=actor,
        note=f"分派给{assignee.full_name}（{assignee.organisation.name}）"
        + (f"：{note.strip()}" if note.strip() else ""),
    )
    audit_record(
        action="supervision.finding.assign",
        obj=finding,
        actor=actor,
        changes={"assignee": assignee.username, "due_on": due_on, "note": note.strip()},
    )
    return finding


@transaction.atomic
def finding_answer(*, actor, finding: Finding, answer: str) -> Finding:
    finding = _locked(finding)
    if finding.status != FindingStatus.ASSIGNED:
        raise Conflict(f"问题状态为「{finding.get_status_display()}」，不能答复", field="status")
    if actor.pk != finding.assigned_to_id and actor.organisation_id != finding.assigned_to.organisation_id:
        raise Forbidden("仅承办人（或其所在单位）可以答复")
    if not answer.strip():
        raise ServiceError("须填写答复内容（核查情况、整改措施）", field="answer")
    finding.answer = answer.strip()
    finding.status = FindingStatus.ANSWERED
    finding.save(update_fields=["answer", "status"])
    FindingEvent.objects.create(
        finding=finding, action=FindingEvent.Action.ANSWERED, actor=actor, note=finding.answer
    )
    audit_record(
        action="supervision.finding.answer", obj=finding, actor=actor, changes={"answer": finding.answer}
    )
    return finding


@transaction.atomic
def finding_return(*, actor, finding: Finding, note: str) -> Finding:
    finding = _locked(finding)
    require_supervisor(actor, finding.responsible)
    if finding.status != FindingStatus.ANSWERED:
        raise Conflict("只有已答复的问题可以退回重新答复", field="status")
    if not note.strip():
        raise ServiceError("须填写退回理由", field="note")
    finding.status = FindingStatus.ASSIGNED
    finding.save(update_fields=["status"])
    FindingEvent.objects.create(
        finding=finding, action=FindingEvent.Action.RETURNED, actor=actor, note=note.strip()
    )
    audit_record(
        action="supervision.finding.return", obj=finding, actor=actor, changes={"note": note.strip()}
    )
    return finding


@transaction.atomic
def finding_close(*, actor, finding: Finding, outcome: str, note: str) -> Finding:
    finding = _locked(finding)
    require_supervisor(actor, finding.responsible)
    if finding.status == FindingStatus.CLOSED:
        raise Conflict("问题已办结", field="status")
    if outcome not in Outcome.values:
        raise ServiceError("请选择办结结论（属实/不属实）", field="outcome")
    if not note.strip():
        raise ServiceError("须填写办结意见", field="note")
    finding.status = FindingStatus.CLOSED
    finding.outcome = outcome
    finding.close_note = note.strip()
    finding.closed_at = timezone.now()
    finding.save(update_fields=["status", "outcome", "close_note", "closed_at"])
    FindingEvent.objects.create(
        finding=finding,
        action=FindingEvent.Action.CLOSED,
        actor=actor,
        note=f"{Outcome(outcome).label}：{finding.close_note}",
    )
    audit_record(
        action="supervision.finding.close",
        obj=finding,
        actor=actor,
        changes={"outcome": outcome, "note": finding.close_note},
    )
    return finding
