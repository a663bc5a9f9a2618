"""Plans, plan items, adjustments, agreements and the official forms; same scope and services as the web."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from skillbridge.accounts.models import Organisation
from skillbridge.accounts.scope import get_in_scope
from skillbridge.api.pagination import PageNumber
from skillbridge.catalog.models import Occupation, SkillLevel, SpecialAbilityItem
from skillbridge.errors import NotFound, ServiceError
from skillbridge.web import pdf

from . import documents, selectors, services
from .models import Agreement, AnnualPlan, PlanItem
from .services import ItemData

router = Router(tags=["年度计划与合作协议"])


# ---- schemas ----------------------------------------------------------------------------------------------


class ItemIn(Schema):
    category: str = Field(description="employment=就业技能培训, entrepreneurship=创业培训")
    occupation_code: str | None = Field(None, description="职业编码（CSCO 2022 细类），如 6-31-01-03")
    special_item_id: int | None = Field(None, description="专项职业能力ID（与职业二选一）")
    project_name: str = Field("", max_length=100, description="创业培训项目名称，如 SIYB")
    level: int | None = Field(None, description="等级 5 五级 … 1 一级")
    planned_trainees: int
    planned_classes: int = 1
    budget: Decimal | None = Field(None, description="经费预算（元）；留空则按政策包人均标准测算（安徽）")
    note: str = Field("", max_length=200)


class ItemOut(Schema):
    id: int
    category: str
    category_display: str = Field(alias="get_category_display")
    occupation_code: str | None = Field(None, alias="occupation.code")
    special_item_id: int | None
    project_name: str
    subject_name: str
    level: int | None = Field(None, alias="level_id")
    planned_trainees: int
    planned_classes: int
    budget: Decimal
    note: str


class StageOut(Schema):
    round: int
    index: int
    key: str
    name: str
    org_name: str = Field(alias="org.name")
    decision: str
    opinion: str
    decided_at: datetime | None


class PlanOut(Schema):
    id: int
    unit_id: int
    unit_name: str = Field(alias="unit.name")
    year: int
    kind: str
    kind_display: str = Field(alias="get_kind_display")
    based_on_id: int | None
    review_id: int
    status: str = Field(alias="review.status")
    status_display: str = Field(alias="status_label")
    due_date: date | None = Field(None, alias="review.due_date")
    reason: str
    created_at: datetime


class VersionOut(Schema):
    id: int
    kind: str
    status: str = Field(alias="review.status")
    created_at: datetime


class PlanDetailOut(PlanOut):
    items: list[ItemOut]
    stages: list[StageOut]
    versions: list[VersionOut]
    total_trainees: int
    total_budget: Decimal

    @staticmethod
    def resolve_items(obj):
        return list(obj.items.all())

    @staticmethod
    def resolve_stages(obj):
        return list(obj.review.stages.all())

    @staticmethod
    def resolve_versions(obj):
        return selectors.plan_versions(obj)

    @staticmethod
    def resolve_total_trainees(obj):
        return sum(i.planned_trainees for i in obj.items.all())

    @staticmethod
    def resolve_total_budget(obj):
        return sum((i.budget for i in obj.items.all()), Decimal(0))


class PlanIn(Schema):
    year: int = Field(..., ge=2000, le=2100)
    reason: str = ""
    items: list[ItemIn] = []


class PlanFilter(Schema):
    year: int | None = None
    unit_id: int | None = None
    kind: str | None = None
    status: str | None = None


class AdjustmentIn(Schema):
    kind: str = Field(description="adjustment=计划调整（复制生效计划的全部项目）, temporary=临时增加项目")
    reason: str
    items: list[ItemIn] | None = Field(None, description="不传则：调整复制生效计划项目，临时增加为空")


class CompiledOut(Schema):
    city: str
    unit_id: int = Field(alias="unit.pk")
    unit_name: str = Field(alias="unit.name")
    plan_id: int | None = Field(None, alias="plan.pk")
    status: str
    trainees: int
    budget: Decimal


class AgreementIn(Schema):
    institution_id: int
    content: str
    mode: str
    trainees: int
    valid_from: date
    valid_to: date
    fee_standard: str
    payment_method: str
    payment_time: str
    unit_duties: str
    institution_duties: str
    copies: int = 2
    unit_address: str = ""
    unit_legal_representative: str = ""
    unit_contact: str = ""
    institution_address: str = Field("", description="留空则取机构目录信息")
    institution_legal_representative: str = ""
    institution_contact: str = ""


class AgreementPatch(Schema):
    content: str | None = None
    mode: str | None = None
    trainees: int | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    fee_standard: str | None = None
    payment_method: str | None = None
    payment_time: str | None = None
    unit_duties: str | None = None
    institution_duties: str | None = None
    copies: int | None = None
    unit_address: str | None = None
    unit_legal_representative: str | None = None
    unit_contact: str | None = None
    institution_address: str | None = None
    institution_legal_representative: str | None = None
    institution_contact: str | None = None


class AgreementOut(Schema):
    id: int
    number: str
    unit_id: int
    unit_name: str = Field(alias="unit.name")
    institution_id: int
    institution_name: str = Field(alias="institution.name")
    unit_address: str
    unit_legal_representative: str
    unit_contact: str
    institution_address: str
    institution_legal_representative: str
    institution_contact: str
    content: str
    mode: str
    trainees: int
    valid_from: date
    valid_to: date
    fee_standard: str
    payment_method: str
    payment_time: str
    unit_duties: str
    institution_duties: str
    copies: int
    status: str
    status_display: str = Field(alias="get_status_display")
    unit_signatory: str
    unit_signed_on: date | None
    institution_signatory: str
    institution_signed_on: date | None
    terminated_on: date | None
    termination_reason: str


class SignIn(Schema):
    unit_signatory: str
    unit_signed_on: date
    institution_signatory: str
    institution_signed_on: date


class TerminateIn(Schema):
    terminated_on: date
    reason: str


# ---- helpers ---------------------------------------------------------------------------------------------


def _item(payload: ItemIn, row: int | None = None) -> ItemData:
    where = f"第{row}项：" if row else ""
    occupation = special = level = None
    if payload.occupation_code:
        occupation = Occupation.objects.filter(code=payload.occupation_code).first()
        if occupation is None:
            raise ServiceError(f"{where}职业编码“{payload.occupation_code}”不存在", field="occupation_code")
    if payload.special_item_id:
        special = SpecialAbilityItem.objects.filter(pk=payload.special_item_id).first()
        if special is None:
            raise ServiceError(f"{where}专项职业能力不存在", field="special_item_id")
    if payload.level is not None:
        level = SkillLevel.objects.filter(code=payload.level).first()
        if level is None:
            raise ServiceError(f"{where}等级须为1至5", field="level")
    return ItemData(
        category=payload.category,
        occupation=occupation,
        special_item=special,
        project_name=payload.project_name,
        level=level,
        planned_trainees=payload.planned_trainees,
        planned_classes=payload.planned_classes,
        budget=payload.budget,
        note=payload.note,
    )


def _plan(request, plan_id: int) -> AnnualPlan:
    return selectors.plan_detail(request.user, plan_id)


def _plan_item(request, plan_id: int, item_id: int) -> PlanItem:
    plan = get_in_scope(AnnualPlan, request.user, pk=plan_id)
    item = PlanItem.objects.filter(pk=item_id, plan=plan).first()
    if item is None:
        raise NotFound("计划项目不存在")
    return item


# ---- plans -----------------------------------------------------------------------------------------------


@router.get("/plans", response=list[PlanOut], summary="年度计划（按数据权限，含审核链上经手的计划）")
@paginate(PageNumber)
def plan_list(request, filters: Query[PlanFilter]):
    return selectors.plans_for_user(request.user, **filters.dict())


@router.post("/plans", response={201: PlanDetailOut}, summary="编制本单位年度计划（草稿）")
def plan_create(request, payload: PlanIn):
    items = [_item(p, n) for n, p in enumerate(payload.items, start=1)]
    plan = services.plan_create(
        actor=request.user,
        unit=request.user.organisation,
        year=payload.year,
        items=items,
        reason=payload.reason,
    )
    return Status(201, _plan(request, plan.pk))


@router.get("/plans/{plan_id}", response=PlanDetailOut, summary="计划详情：项目、审核流程、版本")
def plan_get(request, plan_id: int):
    return _plan(request, plan_id)


@router.post("/plans/{plan_id}/items", response={201: ItemOut}, summary="添加计划项目（草稿或退回修改时）")
def item_add(request, plan_id: int, payload: ItemIn):
    plan = get_in_scope(AnnualPlan, request.user, pk=plan_id)
    return Status(201, services.plan_item_add(actor=request.user, plan=plan, item=_item(payload)))


@router.put("/plans/{plan_id}/items/{item_id}", response=ItemOut, summary="修改计划项目")
def item_update(request, plan_id: int, item_id: int, payload: ItemIn):
    item = _plan_item(request, plan_id, item_id)
    return services.plan_item_update(actor=request.user, item=item, data=_item(payload))


@router.delete("/plans/{plan_id}/items/{item_id}", response={204: None}, summary="删除计划项目")
def item_delete(request, plan_id: int, item_id: int):
    services.plan_item_delete(actor=request.user, item=_plan_item(request, plan_id, item_id))
    return Status(204, None)


@router.post("/plans/{plan_id}/submit", response=PlanDetailOut, summary="报送（或退回后重新报送）")
def plan_submit(request, plan_id: int):
    plan = get_in_scope(AnnualPlan, request.user, pk=plan_id)
    services.plan_submit(actor=request.user, plan=plan)
    return _plan(request, plan_id)


@router.post(
    "/plans/{plan_id}/adjustments", response={201: PlanDetailOut}, summary="计划调整或临时增加项目（草稿）"
)
def adjustment_create(request, plan_id: int, payload: AdjustmentIn):
    plan = get_in_scope(AnnualPlan, request.user, pk=plan_id)
    items = None if payload.items is None else [_item(p, n) for n, p in enumerate(payload.items, start=1)]
    adjustment = services.plan_adjustment_create(
        actor=request.user, plan=plan, kind=payload.kind, reason=payload.reason, items=items
    )
    return Status(201, _plan(request, adjustment.pk))


@router.get("/plans/{plan_id}/forms/{code}", summary="下载报表：cz1、cz2（xlsx）、cz2pdf（PDF）、ah1（xlsx）")
def plan_form(request, plan_id: int, code: str):
    return documents.plan_form_response(_plan(request, plan_id), code)


@router.get("/compilation", response=list[CompiledOut], summary="年度计划汇总（省局编制全省计划表）")
def compilation(request, year: int = Query(..., ge=2000, le=2100)):
    return selectors.compilation(request.user, year=year)


@router.get("/compilation/forms/{code}", summary="下载汇总表：ah2（安徽附件2）、cz1（常州附件1）")
def compilation_form(request, code: str, year: int = Query(..., ge=2000, le=2100)):
    rows = selectors.compilation(request.user, year=year)
    if code == "ah2":
        sheet = documents.ah_attachment2(year, request.user.organisation.name, rows)
        return documents.xlsx_form(f"全省服刑人员、戒毒人员培训计划表-{year}.xlsx", sheet)
    if code == "cz1":
        sheet = documents.cz_attachment1(year, [(r.unit.name, r.items) for r in rows if r.plan])
        return documents.xlsx_form(f"年度监狱培训项目及人员信息表-{year}.xlsx", sheet)
    raise NotFound("没有此报表")


# ---- agreements --------------------------------------------------------------------------------------------


@router.get("/agreements", response=list[AgreementOut], summary="合作协议（甲方单位或乙方机构可见）")
@paginate(PageNumber)
def agreement_list(request, status: str | None = None, q: str = ""):
    return selectors.agreements_for_user(request.user, status=status, q=q.strip())


@router.post("/agreements", response={201: AgreementOut}, summary="起草合作协议（乙方须为定点培训机构）")
def agreement_create(request, payload: AgreementIn):
    fields = payload.dict()
    institution = Organisation.objects.filter(pk=fields.pop("institution_id")).first()
    if institution is None:
        raise ServiceError("乙方培训机构不存在", field="institution_id")
    agreement = services.agreement_create(
        actor=request.user, unit=request.user.organisation, institution=institution, **fields
    )
    return Status(201, agreement)


@router.get("/agreements/{agreement_id}", response=AgreementOut, summary="合作协议详情")
def agreement_get(request, agreement_id: int):
    return get_in_scope(Agreement, request.user, pk=agreement_id)


@router.patch("/agreements/{agreement_id}", response=AgreementOut, summary="修改协议草稿")
def agreement_update(request, agreement_id: int, payload: AgreementPatch):
    agreement = get_in_scope(Agreement, request.user, pk=agreement_id)
    return services.agreement_update(
        actor=request.user, agreement=agreement, **payload.dict(exclude_none=True)
    )


@router.post("/agreements/{agreement_id}/sign", response=AgreementOut, summary="登记签订（双方签字日期）")
def agreement_sign(request, agreement_id: int, payload: SignIn):
    agreement = get_in_scope(Agreement, request.user, pk=agreement_id)
    return services.agreement_sign(actor=request.user, agreement=agreement, **payload.dict())


@router.post("/agreements/{agreement_id}/terminate", response=AgreementOut, summary="终止协议")
def agreement_terminate(request, agreement_id: int, payload: TerminateIn):
    agreement = get_in_scope(Agreement, request.user, pk=agreement_id)
    return services.agreement_terminate(
        actor=request.user, agreement=agreement, terminated_on=payload.terminated_on, reason=payload.reason
    )


@router.get("/agreements/{agreement_id}/pdf", summary="协议文本（PDF，附件5）")
def agreement_pdf(request, agreement_id: int):
    agreement = get_in_scope(Agreement, request.user, pk=agreement_id)
    return pdf.pdf_response(f"合作协议-{agreement.number}.pdf", documents.agreement_pdf(agreement))
