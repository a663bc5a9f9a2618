"""Dashboard figures, the people behind them and periodic reports, for the caller's scope.

`GET /dashboard` returns exactly what the dashboard page shows (the same selector builds both); a drill-down
outside the caller's scope is a 404, audited.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from skillbridge.accounts.scope import get_in_scope
from skillbridge.api.pagination import PageNumber
from skillbridge.errors import ServiceError

from . import selectors, services
from .chain import reporters_status
from .models import PeriodicReport
from .periods import current_quarter, parse_period
from .scopes import require_people, scope_for

router = Router(tags=["统计报表"])


class ScopeQuery(Schema):
    period: str | None = Field(
        None, description="统计期间：2026（年度）、2026Q3（季度）或 2026-07（月）；缺省为本年度"
    )
    city: str | None = Field(None, description="下钻到设区市（4位行政区划代码，如 3204）")
    unit: int | None = Field(
        None, description="下钻到单位（单位ID）；牵头单位可下钻到本市同类单位（仅汇总数据，不含人员名单）"
    )


class PeopleQuery(ScopeQuery):
    which: str = Field(
        "missing_certificate", description="missing_certificate / certified_before_release / due"
    )


class PersonRow(Schema):
    episode_id: int = Field(alias="id")
    name: str = Field(alias="person.name")
    masked_id_number: str = Field(alias="person.masked_id_number")
    unit_id: int
    unit_name: str = Field(alias="unit.name")
    inmate_number: str
    expected_release_date: date
    status: str


class ReportIn(Schema):
    kind: str = Field(description="quarterly 季报 / annual 年报 / special 重大情况专报")
    period: str
    title: str = ""
    body: str = ""
    city: str | None = None
    unit: int | None = None


class ReportOut(Schema):
    id: int
    kind: str
    title: str
    scope_level: str
    scope_code: str
    scope_name: str
    period_code: str
    period_start: date
    period_end: date
    status: str
    author_org_id: int
    submitted_to_id: int | None
    generated_at: datetime
    submitted_at: datetime | None
    received_at: datetime | None
    body: str
    figures: dict[str, Any]


class ReceiveIn(Schema):
    note: str = ""


class ReturnIn(Schema):
    note: str = Field(description="退回原因（必填）")


class ReporterOut(Schema):
    org_id: int
    org_name: str
    report_id: int | None
    status: str | None
    submitted_at: datetime | None


class EndedClassOut(Schema):
    id: int
    unit_id: int
    unit_name: str = Field(alias="unit.name")
    subject: str = Field(alias="application.subject_display")
    period_number: int = Field(alias="application.period_number")
    institution_name: str = Field(alias="institution.name")
    date_from: date
    date_to: date
    ended_on: date
    data_entered_on: date | None
    qualified: int = Field(description="考核合格（结业）人数")


class QualifiedOut(Schema):
    enrolment_id: int = Field(alias="id")
    name: str = Field(alias="person.name")
    sex: str = Field(alias="person.sex")
    masked_id_number: str = Field(alias="person.masked_id_number")
    attendance_ratio: Decimal | None
    exit_on: date | None
    certificate_number: str | None = Field(description="本班培训取得的证书编号")

    @staticmethod
    def resolve_certificate_number(enrolment) -> str | None:
        return enrolment.class_certificate.official_number if enrolment.class_certificate else None


class StatementQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="年度；缺省为本年度")
    unit: int | None = Field(None, description="单位ID（城市、省级用户须指定；单位用户缺省为本单位）")


def _scope(request, q: ScopeQuery):
    today = timezone.localdate()
    return scope_for(request.user, city=q.city, unit=q.unit), parse_period(q.period, today=today), today


@router.get("/dashboard", response=dict[str, Any], summary="统计看板数据（与页面一致）")
def dashboard(request, q: Query[ScopeQuery]):
    scope, period, today = _scope(request, q)
    data = selectors.dashboard(scope, period, today=today)
    services.rollup_request_if_stale(actor=request.user, scope=scope, computed_at=data["computed_at"])
    return data


@router.get(
    "/classes-ended",
    response=list[EndedClassOut],
    summary="期间内考核结业的培训班（各班培训合格人员名单的入口）",
)
@paginate(PageNumber)
def classes_ended(request, q: Query[ScopeQuery]):
    scope, period, _ = _scope(request, q)
    return selectors.classes_ended(scope, period)


@router.get(
    "/classes/{class_id}/qualified",
    response=list[QualifiedOut],
    summary="培训班培训合格人员名单（安徽 二(四)，身份证号码脱敏）",
)
def class_qualified(request, class_id: int):
    from skillbridge.training.models import TrainingClass

    return selectors.qualified_trainees(get_in_scope(TrainingClass, request.user, pk=class_id))


@router.get(
    "/statement", response=dict[str, Any], summary="单位年度培训任务完成及预拨资金使用情况（与页面一致）"
)
def year_statement(request, q: Query[StatementQuery]):
    today = timezone.localdate()
    scope = scope_for(request.user, unit=q.unit)
    if scope.level != "unit":
        raise ServiceError("请指定一个单位（unit）", field="unit")
    return selectors.year_statement(scope.units[0], q.year or today.year, today=today)


@router.get("/people", response=list[PersonRow], summary="指标对应的人员名单（身份证号码脱敏）")
@paginate(PageNumber)
def people(request, q: Query[PeopleQuery]):
    if q.which not in selectors.PEOPLE_LISTS:
        raise ServiceError("名单类型应为 missing_certificate、certified_before_release 或 due", field="which")
    scope, period, _ = _scope(request, q)
    require_people(request.user, scope)
    return selectors.people(scope, period, q.which)


@router.get(
    "/reports", response=list[ReportOut], summary="统计报告（本单位生成的、报送给本单位的、下级单位的）"
)
@paginate(PageNumber)
def report_list(request):
    return PeriodicReport.objects.for_user(request.user).order_by("-generated_at", "-id")


@router.post("/reports", response={201: ReportOut}, summary="生成报告（冻结统计数据）")
def report_create(request, payload: ReportIn):
    today = timezone.localdate()
    scope = scope_for(request.user, city=payload.city, unit=payload.unit)
    report = services.report_generate(
        actor=request.user,
        scope=scope,
        period=parse_period(payload.period, today=today),
        kind=payload.kind,
        title=payload.title,
        body=payload.body,
        today=today,
    )
    return Status(201, report)


@router.get("/reports/{report_id}", response=ReportOut)
def report_get(request, report_id: int):
    return get_in_scope(PeriodicReport, request.user, pk=report_id)


@router.post("/reports/{report_id}/submit", response=ReportOut, summary="报送上级")
def report_submit(request, report_id: int):
    report = get_in_scope(PeriodicReport, request.user, pk=report_id)
    return services.report_submit(actor=request.user, report=report)


@router.post("/reports/{report_id}/receive", response=ReportOut, summary="上级签收")
def report_receive(request, report_id: int, payload: ReceiveIn):
    report = get_in_scope(PeriodicReport, request.user, pk=report_id)
    return services.report_receive(actor=request.user, report=report, note=payload.note)


@router.post("/reports/{report_id}/return", response=ReportOut, summary="上级退回（须填写原因）")
def report_return(request, report_id: int, payload: ReturnIn):
    report = get_in_scope(PeriodicReport, request.user, pk=report_id)
    return services.report_return(actor=request.user, report=report, reason=payload.note)


@router.get(
    "/reporters", response=list[ReporterOut], summary="下级单位报送情况（向本单位报送季报/年报的单位）"
)
def reporters(request, period: str | None = None):
    today = timezone.localdate()
    chosen = parse_period(period or current_quarter(today), today=today)
    _, rows = reporters_status(request.user, chosen)
    return [
        {
            "org_id": org.pk,
            "org_name": org.name,
            "report_id": report.pk if report else None,
            "status": report.status if report else None,
            "submitted_at": report.submitted_at if report else None,
        }
        for org, report in rows
    ]
