"""Every write of the reporting app: periodic and special reports (generate → submit → receive or return), and
the rollup behind the dashboards. Who reports to whom is `chain`."""

import datetime as dt
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from skillbridge.accounts.models import Organisation, OrgType
from skillbridge.audit.services import audit_record
from skillbridge.errors import Conflict, Forbidden, ServiceError

from .chain import UPWARD, report_recipient
from .models import PeriodicReport, ReportKind, ReportStatus, RollupRun
from .periods import Period
from .scopes import Scope
from .selectors import dashboard

WRITERS = ("operator", "reviewer", "unit_head")
BODY_MAX = 20000
# The author may edit, submit or delete a report not yet with the recipient: a new one, or one sent back.
EDITABLE = (ReportStatus.DRAFT, ReportStatus.RETURNED)


def _require_writer(actor, org) -> None:
    if actor is None or actor.organisation_id != org.pk or not actor.has_role(*WRITERS):
        raise Forbidden(f"只有{org.name}的经办人、审核人或负责人可以办理", field="report")


def _frozen(data: dict) -> dict:
    """A deep, JSON-only copy: what is stored is exactly what is shown later."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


@transaction.atomic
def report_generate(
    *, actor, scope: Scope, period: Period, kind: str, title: str = "", body: str = "", today: dt.date
) -> PeriodicReport:
    """Generate a report of the scope and period with its figures frozen now."""
    if actor is None or not actor.has_role(*WRITERS):
        raise Forbidden("只有经办人、审核人或负责人可以生成报告", field="report")
    if kind not in ReportKind.values:
        raise ServiceError("请选择报告类型（季报、年报或重大情况专报）", field="kind")
    if kind == ReportKind.QUARTERLY and period.kind != "quarter":
        raise ServiceError("季报的统计期间须为一个季度（如2026Q3）", field="period")
    if kind == ReportKind.ANNUAL and period.kind != "year":
        raise ServiceError("年报的统计期间须为一个年度（如2026）", field="period")
    body = (body or "").strip()
    if kind == ReportKind.SPECIAL and not body:
        raise ServiceError("重大情况专报须填写情况说明", field="body")
    if len(body) > BODY_MAX:
        raise ServiceError(f"正文不能超过{BODY_MAX}字", field="body")
    title = (title or "").strip()[:120] or f"{scope.name}{period.label}职业技能培训{ReportKind(kind).label}"
    figures = _frozen(dashboard(scope, period, today=today, live=True))
    report = PeriodicReport.objects.create(
        kind=kind,
        title=title,
        scope_level=scope.level,
        scope_code=scope.code,
        scope_name=scope.name,
        scope_unit=_scope_unit(scope),
        period_code=period.code,
        period_label=period.label,
        period_start=period.start,
        period_end=period.end,
        figures=figures,
        body=body,
        author_org=actor.organisation,
        created_by=actor,
    )
    audit_record(
        action="reporting.report.generate",
        actor=actor,
        obj=report,
        changes={"kind": kind, "scope": scope.as_dict(), "period": period.code, "totals": figures["totals"]},
    )
    return report


def _scope_unit(scope: Scope) -> Organisation | None:
    """The unit a report is filed under, so the bureaus above see it through their ordinary scope: the unit of
    a unit report, the lead unit of a lead unit's group report."""
    if scope.level == "unit":
        return scope.units[0]
    if scope.level == "lead":
        return Organisation.objects.get(pk=scope.code)
    return None


def _lock(report: PeriodicReport) -> PeriodicReport:
    return PeriodicReport.objects.select_for_update().select_related("author_org").get(pk=report.pk)


@transaction.atomic
def report_update_body(*, actor, report: PeriodicReport, title: str, body: str) -> PeriodicReport:
    report = _lock(report)
    _require_writer(actor, report.author_org)
    if report.status not in EDITABLE:
        raise Conflict("报告已报送，不能修改", field="status")
    body, title = (body or "").strip(), (title or "").strip()
    if not title:
        raise ServiceError("请填写标题", field="title")
    if report.kind == ReportKind.SPECIAL and not body:
        raise ServiceError("重大情况专报须填写情况说明", field="body")
    if len(body) > BODY_MAX:
        raise ServiceError(f"正文不能超过{BODY_MAX}字", field="body")
    report.title, report.body = title[:120], body
    report.save(update_fields=["title", "body"])
    audit_record(action="reporting.report.edit", actor=actor, obj=report, changes={"title": report.title})
    return report


@transaction.atomic
def report_submit(*, actor, report: PeriodicReport) -> PeriodicReport:
    report = _lock(report)
    _require_writer(actor, report.author_org)
    if report.status not in EDITABLE:
        raise Conflict(
            f"报告已于{timezone.localtime(report.submitted_at):%Y-%m-%d %H:%M}报送", field="status"
        )
    recipient = report_recipient(report.author_org)
    if recipient is None:
        raise Conflict(_no_recipient(report.author_org), field="submitted_to")
    report.status = ReportStatus.SUBMITTED
    report.submitted_to, report.submitted_by, report.submitted_at = recipient, actor, timezone.now()
    report.received_by, report.received_at, report.receipt_note = (
        None,
        None,
        "",
    )  # a returned one, resubmitted
    report.save(
        update_fields=[
            "status",
            "submitted_to",
            "submitted_by",
            "submitted_at",
            "received_by",
            "received_at",
            "receipt_note",
        ]
    )
    audit_record(action="reporting.report.submit", actor=actor, obj=report, changes={"to": recipient.name})
    return report


def _no_recipient(org: Organisation) -> str:
    target = UPWARD.get(org.org_type)
    if target is None:
        return "本单位为省级单位，没有上级报送单位"
    return f"平台中尚未登记本单位的上级报送单位（{OrgType(target).label}），请联系系统管理员"


def _lock_incoming(actor, report: PeriodicReport) -> PeriodicReport:
    """A submitted report, locked, that the actor's organisation is the recipient of."""
    report = _lock(report)
    if report.status != ReportStatus.SUBMITTED:
        raise Conflict("只有已报送、尚未签收的报告可以签收或退回", field="status")
    if actor is None or actor.organisation_id != report.submitted_to_id or not actor.has_role(*WRITERS):
        raise Forbidden("只有报送至的单位可以签收或退回", field="report")
    return report


@transaction.atomic
def report_receive(*, actor, report: PeriodicReport, note: str = "") -> PeriodicReport:
    report = _lock_incoming(actor, report)
    report.status = ReportStatus.RECEIVED
    report.received_by, report.received_at = actor, timezone.now()
    report.receipt_note = (note or "").strip()[:300]
    report.save(update_fields=["status", "received_by", "received_at", "receipt_note"])
    audit_record(
        action="reporting.report.receive", actor=actor, obj=report, changes={"note": report.receipt_note}
    )
    return report


@transaction.atomic
def report_return(*, actor, report: PeriodicReport, reason: str) -> PeriodicReport:
    """Send a submitted report back to its author (e.g. figures to be regenerated, text to be completed)."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("退回须填写退回原因", field="note")
    report = _lock_incoming(actor, report)
    report.status = ReportStatus.RETURNED
    report.received_by, report.received_at = actor, timezone.now()
    report.receipt_note = reason[:300]
    report.save(update_fields=["status", "received_by", "received_at", "receipt_note"])
    audit_record(action="reporting.report.return", actor=actor, obj=report, changes={"reason": reason[:300]})
    return report


@transaction.atomic
def report_delete(*, actor, report: PeriodicReport) -> None:
    report = _lock(report)
    _require_writer(actor, report.author_org)
    if report.status not in EDITABLE:
        raise Conflict("报告已报送，不能删除", field="status")
    audit_record(action="reporting.report.delete", actor=actor, obj=report, changes={"title": report.title})
    report.delete()


# ---- the rollup behind the dashboards (background refresh) ---------------------------------------------


def rollup_refresh(*, actor, units=None, months=None, run: "RollupRun | None" = None) -> "RollupRun":
    """Recompute the dashboard cells of the units (all by default) and months (first days; all by default) with
    set-based SQL, in one transaction, and mark the units as refreshed now. A province takes tens of seconds:
    run it in the background (`tasks.rollup_refresh_task`, `skillbridge reporting_refresh`)."""
    import time

    from django.db.models import Q

    from . import rollup
    from .models import RollupRun, RollupStatus, RollupUnit
    from .scopes import UNIT_TYPES

    started = time.perf_counter()
    months = sorted({dt.date(m.year, m.month, 1) for m in months}) if months else None
    with transaction.atomic():
        if run is None:
            run = RollupRun.objects.create(
                requested_by=actor,
                unit_ids=sorted(units) if units else [],
                months=[m.isoformat() for m in months] if months else [],
            )
        cells = rollup.rebuild(units=units, months=months)
        now = timezone.now()
        ids = (
            list(units)
            if units
            else list(
                Organisation.objects.filter(Q(org_type__in=list(UNIT_TYPES))).values_list("pk", flat=True)
            )
        )
        RollupUnit.objects.filter(unit_id__in=ids).update(refreshed_at=now)
        have = set(RollupUnit.objects.filter(unit_id__in=ids).values_list("unit_id", flat=True))
        RollupUnit.objects.bulk_create(
            [RollupUnit(unit_id=i, refreshed_at=now) for i in ids if i not in have]
        )
        run.status, run.finished_at, run.cells = RollupStatus.DONE, now, cells
        run.seconds = round(time.perf_counter() - started, 3)
        run.save()
        audit_record(
            action="reporting.rollup.refresh",
            obj=run,
            actor=actor,
            changes={"units": len(ids), "months": len(months) if months else "all", "cells": cells},
        )
    return run


def rollup_request(*, actor, scope: Scope) -> "RollupRun":
    """Queue a background refresh of the figures of a dashboard's scope (its units, every month)."""
    from .models import RollupRun
    from .tasks import rollup_refresh_task

    if actor is None or not actor.has_role(*WRITERS):
        raise Forbidden("只有经办人、审核人或负责人可以刷新统计数据", field="refresh")
    with transaction.atomic():
        run = RollupRun.objects.create(requested_by=actor, unit_ids=sorted(scope.unit_ids))
        audit_record(action="reporting.rollup.request", obj=run, actor=actor, changes={"scope": scope.name})
        transaction.on_commit(lambda: rollup_refresh_task.enqueue(run.pk))
    return run


# A dashboard opened on figures older than this queues their refresh (no scheduler needed for fresh figures).
ROLLUP_MAX_AGE = dt.timedelta(minutes=15)


def rollup_request_if_stale(
    *, actor, scope: Scope, computed_at: str | None, now: dt.datetime | None = None
) -> "RollupRun | None":
    """Queue a refresh when the scope's figures (``computed_at``: the dashboard's ISO time, i.e. its oldest
    unit's, None if a unit was never computed) are older than ROLLUP_MAX_AGE, unless a refresh is already queued
    since then (any scope: the next opening catches what it did not cover). Page and API both call it."""
    from .models import RollupStatus

    if actor is None or not actor.has_role(*WRITERS) or not scope.unit_ids:
        return None
    since = (now or timezone.now()) - ROLLUP_MAX_AGE
    computed_at = parse_datetime(computed_at) if computed_at else None
    if computed_at is not None and computed_at >= since:
        return None
    if RollupRun.objects.filter(status=RollupStatus.QUEUED, requested_at__gte=since).exists():
        return None
    return rollup_request(actor=actor, scope=scope)


def rollup_run_execute(run_id: int) -> str:
    """What the background task runs: the queued refresh (a failure is recorded on the run)."""
    from .models import RollupRun, RollupStatus

    run = RollupRun.objects.get(pk=run_id)
    if run.status != RollupStatus.QUEUED:
        return run.status
    try:
        rollup_refresh(actor=run.requested_by, units=run.unit_ids or None, run=run)
    except Exception as exc:  # recorded on the run, re-raised for the task log
        RollupRun.objects.filter(pk=run_id).update(status=RollupStatus.FAILED, error=str(exc)[:2000])
        raise
    return RollupStatus.DONE
