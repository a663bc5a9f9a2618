"""Inspections (督查): plan → visit record with issues and the required rectification (deadline in working
days from the pack) → the inspected organisation reports its rectification → follow-up (passed: closed; not
passed: a new deadline). Notices of praise or criticism (通报) per unit (皖司通〔2019〕45号 三(十))."""

import datetime as dt

from django.db import transaction

from skillbridge.accounts.models import Organisation
from skillbridge.audit.services import audit_record
from skillbridge.errors import Conflict, Forbidden, ServiceError
from skillbridge.policy.errors import CalendarNotCovered, UnknownPack
from skillbridge.policy.loader import get_pack
from skillbridge.policy.workdays import add_working_days

from ..models import Inspection, InspectionIssue, InspectionStatus, Notice, NoticeKind, Severity
from .common import WRITE_ROLES, require_supervisor


def _text(value: str, field: str, label: str) -> str:
    if not (value or "").strip():
        raise ServiceError(f"须填写{label}", field=field)
    return value.strip()


def rectification_deadline(target: Organisation, start: dt.date) -> tuple[dt.date, str]:
    """`rectification_working_days` of the target's pack after `start`, by the official calendar."""
    try:
        rule = get_pack(target.policy_pack).supervision.rectification_working_days
    except UnknownPack:
        rule = None
    if rule is None:
        raise ServiceError("被督查单位的政策包未设置整改期限（工作日），请填写整改期限", field="deadline")
    try:
        return add_working_days(start, rule.value), f"{rule.value}个工作日（{rule.source}）"
    except CalendarNotCovered as exc:
        raise ServiceError(str(exc), field="deadline") from exc


@transaction.atomic
def inspection_plan(
    *, actor, target: Organisation, title: str, planned_on: dt.date, scope_text: str = ""
) -> Inspection:
    require_supervisor(actor, target)
    inspection = Inspection.objects.create(
        inspector_org=actor.organisation,
        target=target,
        title=_text(title, "title", "督查事项"),
        scope_text=(scope_text or "").strip(),
        planned_on=planned_on,
        created_by=actor,
    )
    audit_record(
        action="supervision.inspection.plan",
        obj=inspection,
        actor=actor,
        changes={"target": target.name, "planned_on": planned_on, "title": inspection.title},
    )
    return inspection


def _own(actor, inspection: Inspection) -> Inspection:
    inspection = Inspection.objects.select_for_update().select_related("target").get(pk=inspection.pk)
    require_supervisor(actor)
    if actor.organisation_id != inspection.inspector_org_id:
        raise Forbidden("仅督查单位可以办理此项")
    return inspection


@transaction.atomic
def inspection_visit(
    *,
    actor,
    inspection: Inspection,
    visited_on: dt.date,
    inspectors: str,
    visit_record: str,
    issues: list[str],
    rectification_required: str = "",
    deadline: dt.date | None = None,
) -> Inspection:
    inspection = _own(actor, inspection)
    if inspection.status != InspectionStatus.PLANNED:
        raise Conflict("该督查已记录检查情况", field="status")
    if visited_on < inspection.planned_on - dt.timedelta(days=366):
        raise ServiceError("检查日期不合理", field="visited_on")
    inspection.visited_on = visited_on
    inspection.inspectors = _text(inspectors, "inspectors", "检查人员")
    inspection.visit_record = _text(visit_record, "visit_record", "检查记录")
    issues = [i.strip() for i in issues if i and i.strip()]
    for text in issues:
        InspectionIssue.objects.create(
            inspection=inspection, description=text[:500], severity=Severity.MEDIUM
        )
    if issues:
        inspection.rectification_required = _text(
            rectification_required, "rectification_required", "整改要求"
        )
        if deadline is None:
            deadline, source = rectification_deadline(inspection.target, visited_on)
        else:
            if deadline <= visited_on:
                raise ServiceError("整改期限须晚于检查日期", field="deadline")
            source = "督查单位指定"
        inspection.rectification_deadline = deadline
        inspection.rectification_source = source[:300]
        inspection.status = InspectionStatus.RECTIFYING
    else:
        inspection.status = InspectionStatus.CLOSED
    inspection.save()
    audit_record(
        action="supervision.inspection.visit",
        obj=inspection,
        actor=actor,
        changes={
            "visited_on": visited_on,
            "issues": issues,
            "rectification_deadline": inspection.rectification_deadline,
        },
    )
    return inspection


@transaction.atomic
def inspection_report(*, actor, inspection: Inspection, report: str, reported_on: dt.date) -> Inspection:
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if actor.organisation_id != inspection.target_id or not actor.has_role(*WRITE_ROLES):
        raise Forbidden("仅被督查单位可以报告整改情况")
    if inspection.status != InspectionStatus.RECTIFYING:
        raise Conflict("该督查当前无需报告整改情况", field="status")
    inspection.rectification_report = _text(report, "report", "整改情况")
    inspection.reported_on = reported_on
    inspection.status = InspectionStatus.REPORTED
    inspection.save(update_fields=["rectification_report", "reported_on", "status"])
    audit_record(
        action="supervision.inspection.report",
        obj=inspection,
        actor=actor,
        changes={"reported_on": reported_on, "late": reported_on > inspection.rectification_deadline},
    )
    return inspection


@transaction.atomic
def inspection_follow_up(
    *, actor, inspection: Inspection, follow_up_on: dt.date, result: str, passed: bool
) -> Inspection:
    inspection = _own(actor, inspection)
    if inspection.status not in (InspectionStatus.RECTIFYING, InspectionStatus.REPORTED):
        raise Conflict("该督查当前不在整改阶段", field="status")
    inspection.follow_up_on = follow_up_on
    inspection.follow_up_result = _text(result, "result", "复查结论")
    inspection.follow_up_passed = passed
    if passed:
        inspection.status = InspectionStatus.CLOSED
    else:
        deadline, source = rectification_deadline(inspection.target, follow_up_on)
        inspection.rectification_deadline = deadline
        inspection.rectification_source = f"复查未通过，重新起算：{source}"[:300]
        inspection.status = InspectionStatus.RECTIFYING
    inspection.save()
    audit_record(
        action="supervision.inspection.follow_up",
        obj=inspection,
        actor=actor,
        changes={
            "follow_up_on": follow_up_on,
            "passed": passed,
            "deadline": inspection.rectification_deadline,
        },
    )
    return inspection


@transaction.atomic
def notice_issue(
    *,
    actor,
    target: Organisation,
    kind: str,
    title: str,
    content: str,
    issued_on: dt.date,
    number: str = "",
    inspection: Inspection | None = None,
) -> Notice:
    require_supervisor(actor, target)
    if kind not in NoticeKind.values:
        raise ServiceError("请选择通报类型（表扬/批评）", field="kind")
    if inspection is not None and inspection.target_id != target.pk:
        raise ServiceError("所选督查的被督查单位与被通报单位不一致", field="inspection")
    notice = Notice.objects.create(
        kind=kind,
        target=target,
        issuer=actor.organisation,
        number=(number or "").strip(),
        title=_text(title, "title", "标题"),
        content=_text(content, "content", "通报内容"),
        issued_on=issued_on,
        inspection=inspection,
        created_by=actor,
    )
    audit_record(
        action="supervision.notice.issue",
        obj=notice,
        actor=actor,
        changes={"kind": kind, "target": target.name, "title": notice.title},
    )
    return notice
