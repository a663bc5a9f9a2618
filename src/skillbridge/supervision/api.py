"""Findings (with their workflow), scans, inspections, notices and credit ratings. Every read goes through
`for_user` (an object outside the scope is a 404, audited); every write through the same services as the pages."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from skillbridge.accounts.models import Organisation, User
from skillbridge.accounts.scope import get_in_scope
from skillbridge.api.pagination import PageNumber
from skillbridge.errors import NotFound

from . import selectors, services
from .models import CreditRating, Finding, Inspection, ScanRun

router = Router(tags=["监督检查"])


# ---- schemas -------------------------------------------------------------------------------------------


class FindingEventOut(Schema):
    action: str
    note: str
    actor: str | None = Field(None, alias="actor.username")
    at: datetime


class FindingOut(Schema):
    id: int
    rule: str
    rule_display: str = Field(alias="get_rule_display")
    severity: str
    summary: str
    status: str
    unit_id: int | None
    institution_id: int | None
    region_code: str
    year: int
    object_type: str
    object_id: str
    object_label: str
    object_url: str
    claim_id: int | None
    assigned_to: str | None = Field(None, alias="assigned_to.username")
    due_on: date | None
    answer: str
    outcome: str
    close_note: str
    created_at: datetime
    last_seen_at: datetime


class FindingDetailOut(FindingOut):
    evidence: dict
    events: list[FindingEventOut]

    @staticmethod
    def resolve_events(obj):
        return list(obj.events.select_related("actor"))


class FindingFilter(Schema):
    rule: str = ""
    status: str = Field("", description="open（未办结）或 open/assigned/answered/closed")
    year: int | None = None
    q: str = ""


class AssignIn(Schema):
    assignee: str = Field(description="承办人用户名（责任单位或相关机构）")
    due_on: date | None = None
    note: str = ""


class AnswerIn(Schema):
    answer: str


class CloseIn(Schema):
    outcome: str = Field(description="confirmed 属实 / dismissed 不属实")
    note: str


class NoteIn(Schema):
    note: str


class ScanIn(Schema):
    claim_id: int | None = Field(None, description="只扫描一项补贴申领（留空：扫描数据范围内全部单位）")


class ScanOut(Schema):
    id: int
    status: str
    unit_ids: list[int]
    claim_id: int | None
    rules: list[str]
    found: int
    new: int
    notes: list[str]
    message: str
    created_at: datetime
    finished_at: datetime | None


class IssueOut(Schema):
    id: int
    description: str
    severity: str


class InspectionOut(Schema):
    id: int
    title: str
    scope_text: str
    status: str
    inspector_org_id: int
    target_id: int
    target_name: str = Field(alias="target.name")
    planned_on: date
    visited_on: date | None
    inspectors: str
    visit_record: str
    rectification_required: str
    rectification_deadline: date | None
    rectification_source: str
    rectification_report: str
    reported_on: date | None
    follow_up_on: date | None
    follow_up_result: str
    follow_up_passed: bool | None
    issues: list[IssueOut]

    @staticmethod
    def resolve_issues(obj):
        return list(obj.issues.all())


class InspectionIn(Schema):
    target_id: int
    title: str
    planned_on: date
    scope_text: str = ""


class VisitIn(Schema):
    visited_on: date
    inspectors: str
    visit_record: str
    issues: list[str] = []
    rectification_required: str = ""
    deadline: date | None = None


class ReportIn(Schema):
    report: str
    reported_on: date


class FollowUpIn(Schema):
    follow_up_on: date
    result: str
    passed: bool


class NoticeIn(Schema):
    target_id: int
    kind: str = Field(description="praise 通报表扬 / criticism 通报批评")
    title: str
    content: str
    issued_on: date
    number: str = ""
    inspection_id: int | None = None


class NoticeOut(Schema):
    id: int
    kind: str
    target_id: int
    issuer_id: int
    number: str
    title: str
    content: str
    issued_on: date
    inspection_id: int | None


class RatingIn(Schema):
    institution_id: int
    year: int


class RatingOut(Schema):
    id: int
    institution_id: int
    institution_name: str = Field(alias="institution.name")
    year: int
    score: Decimal
    grade: str
    facts: dict
    params: dict
    reasons: dict
    pack_code: str
    computed_at: datetime


class RevokeIn(Schema):
    reason: str
    effective_on: date | None = None


# ---- findings ------------------------------------------------------------------------------------------


def _finding(user, pk: int) -> Finding:
    return get_in_scope(Finding, user, pk=pk)


@router.get("/findings", response=list[FindingOut], summary="风险问题列表")
@paginate(PageNumber)
def finding_list(request, filters: Query[FindingFilter]):
    return selectors.findings(request.user, **filters.dict())


@router.get("/findings/{finding_id}", response=FindingDetailOut, summary="风险问题详情（证据、处理记录）")
def finding_get(request, finding_id: int):
    return _finding(request.user, finding_id)


@router.post("/findings/{finding_id}/assign", response=FindingDetailOut, summary="分派")
def finding_assign(request, finding_id: int, payload: AssignIn):
    finding = _finding(request.user, finding_id)
    assignee = User.objects.filter(username=payload.assignee).select_related("organisation").first()
    services.finding_assign(
        actor=request.user, finding=finding, assignee=assignee, due_on=payload.due_on, note=payload.note
    )
    return _finding(request.user, finding_id)


@router.post("/findings/{finding_id}/answer", response=FindingDetailOut, summary="答复")
def finding_answer(request, finding_id: int, payload: AnswerIn):
    services.finding_answer(
        actor=request.user, finding=_finding(request.user, finding_id), answer=payload.answer
    )
    return _finding(request.user, finding_id)


@router.post("/findings/{finding_id}/return", response=FindingDetailOut, summary="退回重新答复")
def finding_return(request, finding_id: int, payload: NoteIn):
    services.finding_return(actor=request.user, finding=_finding(request.user, finding_id), note=payload.note)
    return _finding(request.user, finding_id)


@router.post("/findings/{finding_id}/close", response=FindingDetailOut, summary="办结")
def finding_close(request, finding_id: int, payload: CloseIn):
    services.finding_close(
        actor=request.user,
        finding=_finding(request.user, finding_id),
        outcome=payload.outcome,
        note=payload.note,
    )
    return _finding(request.user, finding_id)


# ---- scans ---------------------------------------------------------------------------------------------


@router.post("/scans", response={202: ScanOut}, summary="发起风险扫描（后台运行）")
def scan_create(request, payload: ScanIn):
    claim = None
    if payload.claim_id is not None:
        from skillbridge.subsidies.models import Claim

        claim = get_in_scope(Claim, request.user, pk=payload.claim_id)
    run = services.scan_request(actor=request.user, claim=claim)
    return Status(202, get_in_scope(ScanRun, request.user, pk=run.pk))


@router.get("/scans/{scan_id}", response=ScanOut, summary="风险扫描状态")
def scan_get(request, scan_id: int):
    return get_in_scope(ScanRun, request.user, pk=scan_id)


# ---- inspections and notices ---------------------------------------------------------------------------


def _target(user, pk: int) -> Organisation:
    target = selectors.supervised_targets(user).filter(pk=pk).first()
    if target is None:
        raise NotFound("被督查（通报）单位不存在或不在您的监督范围内", field="target_id")
    return target


@router.get("/inspections", response=list[InspectionOut], summary="督查列表")
@paginate(PageNumber)
def inspection_list(request):
    return selectors.inspections(request.user).prefetch_related("issues")


@router.post("/inspections", response={201: InspectionOut}, summary="制定督查计划")
def inspection_create(request, payload: InspectionIn):
    inspection = services.inspection_plan(
        actor=request.user,
        target=_target(request.user, payload.target_id),
        title=payload.title,
        planned_on=payload.planned_on,
        scope_text=payload.scope_text,
    )
    return Status(201, inspection)


@router.get("/inspections/{inspection_id}", response=InspectionOut, summary="督查详情")
def inspection_get(request, inspection_id: int):
    return get_in_scope(Inspection, request.user, pk=inspection_id)


@router.post("/inspections/{inspection_id}/visit", response=InspectionOut, summary="记录检查情况与整改要求")
def inspection_visit(request, inspection_id: int, payload: VisitIn):
    inspection = get_in_scope(Inspection, request.user, pk=inspection_id)
    return services.inspection_visit(actor=request.user, inspection=inspection, **payload.dict())


@router.post(
    "/inspections/{inspection_id}/report", response=InspectionOut, summary="报告整改情况（被督查单位）"
)
def inspection_report(request, inspection_id: int, payload: ReportIn):
    inspection = get_in_scope(Inspection, request.user, pk=inspection_id)
    return services.inspection_report(actor=request.user, inspection=inspection, **payload.dict())


@router.post("/inspections/{inspection_id}/follow-up", response=InspectionOut, summary="复查")
def inspection_follow_up(request, inspection_id: int, payload: FollowUpIn):
    inspection = get_in_scope(Inspection, request.user, pk=inspection_id)
    return services.inspection_follow_up(actor=request.user, inspection=inspection, **payload.dict())


@router.get("/notices", response=list[NoticeOut], summary="通报列表")
@paginate(PageNumber)
def notice_list(request):
    return selectors.notices(request.user)


@router.post("/notices", response={201: NoticeOut}, summary="发布通报")
def notice_create(request, payload: NoticeIn):
    inspection = (
        get_in_scope(Inspection, request.user, pk=payload.inspection_id) if payload.inspection_id else None
    )
    notice = services.notice_issue(
        actor=request.user,
        target=_target(request.user, payload.target_id),
        kind=payload.kind,
        title=payload.title,
        content=payload.content,
        issued_on=payload.issued_on,
        number=payload.number,
        inspection=inspection,
    )
    return Status(201, notice)


# ---- ratings -------------------------------------------------------------------------------------------


@router.get("/ratings", response=list[RatingOut], summary="机构信用评价列表")
@paginate(PageNumber)
def rating_list(request, year: int | None = None):
    rows = selectors.ratings(request.user)
    return rows.filter(year=year) if year else rows


@router.post("/ratings", response={201: RatingOut}, summary="评定（重新评定）机构信用等级")
def rating_create(request, payload: RatingIn):
    institution = _target(request.user, payload.institution_id)
    rating = services.rating_compute(actor=request.user, institution=institution, year=payload.year)
    return Status(201, rating)


@router.get("/ratings/{rating_id}", response=RatingOut, summary="信用评价详情（事实、参数、评分说明）")
def rating_get(request, rating_id: int):
    return get_in_scope(CreditRating, request.user, pk=rating_id)


@router.post("/ratings/{rating_id}/revoke-designations", response=list[int], summary="依信用等级撤销定点认定")
def rating_revoke(request, rating_id: int, payload: RevokeIn):
    rating = get_in_scope(CreditRating, request.user, pk=rating_id)
    return services.rating_revoke_designations(actor=request.user, rating=rating, **payload.dict())
