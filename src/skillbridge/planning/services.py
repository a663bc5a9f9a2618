"""Writes for plans, plan items, adjustments and cooperation agreements.

Each function is keyword-only, runs in one transaction and writes its audit event inside it. A plan is
reviewed by the generic engine (`approvals.services`): this module creates and submits its `ReviewCase`;
approving, returning and rejecting happen there, in the order the unit's pack prescribes.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction

from skillbridge.accounts.models import Organisation, Role
from skillbridge.accounts.scope import UNIT_TYPES
from skillbridge.approvals import services as reviews
from skillbridge.approvals.models import DocType, ReviewCase, ReviewStatus
from skillbridge.audit.services import audit_record
from skillbridge.catalog.models import Occupation, SkillLevel, SpecialAbilityItem
from skillbridge.catalog.selectors import designation_for
from skillbridge.errors import Conflict, Forbidden, ServiceError
from skillbridge.policy.errors import RuleNotDefined
from skillbridge.policy.loader import get_pack
from skillbridge.policy.rules import per_capita_budget, plan_deadline

from .models import Agreement, AgreementStatus, AnnualPlan, PlanCategory, PlanItem, PlanKind

WRITERS = (Role.OPERATOR, Role.UNIT_HEAD)
YEAR_RANGE = (2000, 2100)
OPEN_STATUSES = (ReviewStatus.DRAFT, ReviewStatus.RETURNED, ReviewStatus.IN_REVIEW)
DOC_TYPES = {
    PlanKind.ANNUAL: DocType.ANNUAL_PLAN,
    PlanKind.ADJUSTMENT: DocType.PLAN_ADJUSTMENT,
    PlanKind.TEMPORARY: DocType.PLAN_ADJUSTMENT,
}
ITEM_FIELDS = (
    "category",
    "occupation",
    "special_item",
    "project_name",
    "level",
    "planned_trainees",
    "planned_classes",
    "budget",
    "note",
)


def _require_writer(actor, unit: Organisation, what: str) -> None:
    if actor is None:
        return
    if not actor.has_role(*WRITERS):
        raise Forbidden(f"需要经办或负责人角色才能{what}")
    if actor.organisation_id != unit.pk:
        raise Forbidden(f"只有{unit.name}本单位的经办人或负责人可以{what}")


def _lock_unit(unit: Organisation) -> Organisation:
    """Serialise plan creation per unit, so two clicks cannot create two plans for one year."""
    return Organisation.objects.select_for_update().get(pk=unit.pk)


# ---- plan items ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemData:
    """One plan line as given by a form, the API or a copied plan (model instances for the references)."""

    category: str
    planned_trainees: int
    planned_classes: int = 1
    occupation: Occupation | None = None
    special_item: SpecialAbilityItem | None = None
    project_name: str = ""
    level: SkillLevel | None = None
    budget: Decimal | None = None
    note: str = ""

    @classmethod
    def of(cls, item: PlanItem) -> "ItemData":
        return cls(**{f: getattr(item, f) for f in ITEM_FIELDS})


def _as_int(value, field: str, label: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ServiceError(f"{label}须为整数", field=field) from None


def _clean_item(unit: Organisation, year: int, data: ItemData, row: int | None = None) -> dict:
    """The checked field values of one line; a ServiceError names the field (and the line, when given)."""
    where = f"第{row}项：" if row else ""

    def fail(message: str, field: str):
        raise ServiceError(where + message, field=field)

    if data.category not in PlanCategory.values:
        fail("请选择培训类别（就业技能培训或创业培训）", "category")
    if data.occupation is not None and data.special_item is not None:
        fail("职业（工种）与专项职业能力只能选择其中一项", "special_item")
    project_name = (data.project_name or "").strip()
    if data.occupation is None and data.special_item is None and not project_name:
        fail("请选择职业（工种）或专项职业能力，创业培训请填写项目名称（如 SIYB）", "occupation")
    if data.occupation is not None and data.occupation.level != 4:
        fail(
            f"“{data.occupation.name}”是职业分类的{data.occupation.level_name}，请选择具体职业（细类）",
            "occupation",
        )
    if data.special_item is not None:
        if not data.special_item.is_active:
            fail(f"专项职业能力“{data.special_item.name}”已停用", "special_item")
        if data.special_item.region_code[:4] != unit.city_prefix:
            fail(f"专项职业能力“{data.special_item.name}”不属于本单位所在市的目录", "special_item")
    trainees = _as_int(data.planned_trainees, "planned_trainees", "计划培训人数")
    if trainees <= 0:
        fail("计划培训人数须大于0", "planned_trainees")
    classes = _as_int(data.planned_classes, "planned_classes", "计划班次")
    if classes <= 0:
        fail("计划班次须大于0", "planned_classes")
    if classes > trainees:
        fail("计划班次不能多于计划培训人数", "planned_classes")
    budget = data.budget
    if budget in (None, ""):
        try:
            budget = per_capita_budget(trainees, get_pack(unit.policy_pack))
        except RuleNotDefined:
            fail("请填写经费预算（元）", "budget")
    try:
        budget = Decimal(str(budget)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        fail("经费预算须为金额（元），如 12000 或 12000.50", "budget")
    if budget < 0:
        fail("经费预算不能为负数", "budget")
    if budget >= Decimal("1e10"):
        fail("经费预算金额过大", "budget")
    return {
        "category": data.category,
        "occupation": data.occupation,
        "special_item": data.special_item,
        "project_name": "" if (data.occupation or data.special_item) else project_name,
        "level": data.level,
        "planned_trainees": trainees,
        "planned_classes": classes,
        "budget": budget,
        "note": (data.note or "").strip()[:200],
    }


def _item_changes(values: dict) -> dict:
    return {k: getattr(v, "pk", v) for k, v in values.items()}


def _require_editable(actor, plan: AnnualPlan) -> AnnualPlan:
    plan = AnnualPlan.objects.select_related("unit").get(pk=plan.pk)
    plan.review = ReviewCase.objects.select_for_update().get(pk=plan.review_id)
    _require_writer(actor, plan.unit, "修改计划")
    if not plan.is_editable:
        raise Conflict(
            f"计划已报送（当前状态：{plan.review.get_status_display()}），不能修改计划项目；"
            "如需变更，请在审核通过后提出计划调整或临时增加项目",
            field="status",
        )
    return plan


@transaction.atomic
def plan_item_add(*, actor, plan: AnnualPlan, item: ItemData) -> PlanItem:
    plan = _require_editable(actor, plan)
    values = _clean_item(plan.unit, plan.year, item)
    created = PlanItem.objects.create(plan=plan, **values)
    audit_record(action="plan.item_add", actor=actor, obj=plan, changes=_item_changes(values))
    return created


@transaction.atomic
def plan_item_update(*, actor, item: PlanItem, data: ItemData) -> PlanItem:
    plan = _require_editable(actor, item.plan)
    item = PlanItem.objects.get(pk=item.pk, plan=plan)
    values = _clean_item(plan.unit, plan.year, data)
    changes = {}
    for field, value in values.items():
        old = getattr(item, field)
        if old != value:
            changes[field] = [getattr(old, "pk", old), getattr(value, "pk", value)]
            setattr(item, field, value)
    if changes:
        item.save()
        audit_record(action="plan.item_update", actor=actor, obj=plan, changes={"item": item.pk, **changes})
    return item


@transaction.atomic
def plan_item_delete(*, actor, item: PlanItem) -> None:
    plan = _require_editable(actor, item.plan)
    item = PlanItem.objects.get(pk=item.pk, plan=plan)
    audit_record(
        action="plan.item_delete",
        actor=actor,
        obj=plan,
        changes={"item": item.pk, "subject": item.subject_name, "planned_trainees": item.planned_trainees},
    )
    item.delete()


# ---- plans -----------------------------------------------------------------------------------------------


def _title(unit: Organisation, year: int, kind: str) -> str:
    return {
        PlanKind.ANNUAL: f"{unit.name}{year}年度职业技能培训计划",
        PlanKind.ADJUSTMENT: f"{unit.name}{year}年度培训计划调整",
        PlanKind.TEMPORARY: f"{unit.name}{year}年度临时增加培训项目备案",
    }[kind]


def _add_items(unit: Organisation, year: int, plan: AnnualPlan, items) -> list[dict]:
    cleaned = [_clean_item(unit, year, data, row) for row, data in enumerate(items, start=1)]
    PlanItem.objects.bulk_create([PlanItem(plan=plan, **values) for values in cleaned])
    return cleaned


@transaction.atomic
def plan_create(*, actor, unit: Organisation, year: int, items=(), reason: str = "") -> AnnualPlan:
    """A draft annual plan of `unit` for `year` (items usually pre-filled from the survey).

    One annual plan per unit and year; a rejected one may be replaced. Its review case carries the pack's
    deadline for units (常州: 11月30日 of the year before; 安徽: 1月31日) as the due date.
    """
    _require_writer(actor, unit, "编制年度计划")
    if unit.org_type not in UNIT_TYPES:
        raise ServiceError(f"{unit.get_org_type_display()}不编制年度培训计划", field="unit")
    year = _as_int(year, "year", "计划年度")
    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        raise ServiceError("计划年度不正确", field="year")
    _lock_unit(unit)
    existing = (
        AnnualPlan.objects.filter(unit=unit, year=year, kind=PlanKind.ANNUAL)
        .exclude(review__status=ReviewStatus.REJECTED)
        .first()
    )
    if existing is not None:
        raise Conflict(
            f"{unit.name}{year}年度培训计划已存在（{existing.status_label}），不能重复编制；"
            "如需变更，请修改该计划或在审核通过后提出计划调整",
            field="year",
        )
    pack = get_pack(unit.policy_pack)
    case = reviews.review_create(
        actor=actor,
        doc_type=DocType.ANNUAL_PLAN,
        title=_title(unit, year, PlanKind.ANNUAL),
        unit=unit,
        due_date=plan_deadline(pack, year, "submit"),
    )
    plan = AnnualPlan.objects.create(
        unit=unit, year=year, kind=PlanKind.ANNUAL, review=case, reason=reason.strip(), created_by=actor
    )
    cleaned = _add_items(unit, year, plan, items)
    audit_record(
        action="plan.create",
        actor=actor,
        obj=plan,
        changes={"unit": unit.pk, "year": year, "items": len(cleaned), "due_date": case.due_date},
    )
    return plan


def base_plan(unit: Organisation, year: int) -> AnnualPlan | None:
    """The approved annual plan or its latest approved adjustment (what an adjustment revises)."""
    return (
        AnnualPlan.objects.filter(
            unit=unit,
            year=year,
            kind__in=[PlanKind.ANNUAL, PlanKind.ADJUSTMENT],
            review__status=ReviewStatus.APPROVED,
        )
        .select_related("review")
        .order_by("-review__decided_at", "-id")
        .first()
    )


@transaction.atomic
def plan_adjustment_create(*, actor, plan: AnnualPlan, kind: str, reason: str, items=None) -> AnnualPlan:
    """An adjustment (a new version carrying the full revised item list, copied from the plan in force when
    `items` is None) or a temporary addition (临时申请备案, carrying only the added items) of an approved plan.
    """
    unit = plan.unit
    _require_writer(actor, unit, "提出计划调整")
    if kind not in (PlanKind.ADJUSTMENT, PlanKind.TEMPORARY):
        raise ServiceError("请选择调整类型：计划调整或临时增加项目", field="kind")
    if not reason.strip():
        raise ServiceError("请填写调整理由", field="reason")
    _lock_unit(unit)
    base = base_plan(unit, plan.year)
    if base is None:
        raise Conflict(f"{unit.name}{plan.year}年度计划尚未审核通过，不能调整或临时增加项目", field="plan")
    pending = AnnualPlan.objects.filter(
        unit=unit, year=plan.year, kind=kind, review__status__in=OPEN_STATUSES
    ).first()
    if kind == PlanKind.ADJUSTMENT and pending is not None:
        raise Conflict(
            f"已有一份未办结的计划调整（{pending.status_label}），请办结后再提出新的调整", field="kind"
        )
    if items is None:
        items = [ItemData.of(i) for i in base.items.all()] if kind == PlanKind.ADJUSTMENT else []
    case = reviews.review_create(
        actor=actor, doc_type=DOC_TYPES[kind], title=_title(unit, plan.year, kind), unit=unit
    )
    adjustment = AnnualPlan.objects.create(
        unit=unit,
        year=plan.year,
        kind=kind,
        based_on=base,
        review=case,
        reason=reason.strip(),
        created_by=actor,
    )
    cleaned = _add_items(unit, plan.year, adjustment, items)
    audit_record(
        action="plan.adjust",
        actor=actor,
        obj=adjustment,
        changes={"kind": kind, "based_on": base.pk, "items": len(cleaned), "reason": reason.strip()},
    )
    return adjustment


@transaction.atomic
def plan_update(*, actor, plan: AnnualPlan, reason: str) -> AnnualPlan:
    plan = _require_editable(actor, plan)
    if plan.kind != PlanKind.ANNUAL and not reason.strip():
        raise ServiceError("请填写调整理由", field="reason")
    if plan.reason != reason.strip():
        audit_record(action="plan.update", actor=actor, obj=plan, changes={"reason": [plan.reason, reason]})
        plan.reason = reason.strip()
        plan.save(update_fields=["reason"])
    return plan


@transaction.atomic
def plan_submit(*, actor, plan: AnnualPlan) -> AnnualPlan:
    """Submit (or resubmit after 退回修改) through the pack's chain; each stage's due date comes from the
    pack through `selectors.stage_deadline` (安徽: 省局汇总编制 2月底, 省人社厅备案 3月10日)."""
    plan = AnnualPlan.objects.select_related("review", "unit").get(pk=plan.pk)
    case = ReviewCase.objects.select_for_update().get(pk=plan.review_id)
    if actor is not None and actor.organisation_id != case.author_org_id:
        raise Forbidden("只有编制单位的经办人或负责人可以报送")
    if case.status not in (ReviewStatus.DRAFT, ReviewStatus.RETURNED):
        raise Conflict(f"该计划当前状态为“{case.get_status_display()}”，不能重复报送", field="status")
    if not plan.items.exists():
        raise ServiceError("计划没有任何培训项目，不能报送", field="items")
    case = reviews.review_submit(actor=actor, case=case)
    audit_record(
        action="plan.submit", actor=actor, obj=plan, changes={"round": case.round, "due_date": case.due_date}
    )
    plan.review = case
    return plan


# ---- agreements (附件5) -----------------------------------------------------------------------------------

AGREEMENT_TEXT_FIELDS = {
    "unit_address": "甲方地址",
    "unit_legal_representative": "甲方法定代表人",
    "unit_contact": "甲方联系方式",
    "institution_address": "乙方地址",
    "institution_legal_representative": "乙方法定代表人",
    "institution_contact": "乙方联系方式",
    "content": "培训内容",
    "mode": "培训方式",
    "fee_standard": "培训费用标准",
    "payment_method": "支付方式",
    "payment_time": "支付时间",
    "unit_duties": "甲方责任与义务",
    "institution_duties": "乙方责任与义务",
}
AGREEMENT_FIELDS = (*AGREEMENT_TEXT_FIELDS, "trainees", "valid_from", "valid_to", "copies")


def party_defaults(unit: Organisation, institution: Organisation | None) -> dict[str, str]:
    """Pre-filled party details: the institution's directory entry; the unit's last agreement for 甲方."""
    values = {}
    last = Agreement.objects.filter(unit=unit).order_by("-created_at", "-id").first()
    if last is not None:
        values.update(
            unit_address=last.unit_address,
            unit_legal_representative=last.unit_legal_representative,
            unit_contact=last.unit_contact,
        )
    profile = getattr(institution, "institution_profile", None) if institution is not None else None
    if profile is not None:
        values.update(
            institution_address=profile.address,
            institution_legal_representative=profile.legal_representative,
            institution_contact=f"{profile.contact_person} {profile.contact_phone}".strip(),
        )
    return values


def _check_designation(unit: Organisation, institution: Organisation, start: date, end: date) -> None:
    """乙方 must be a designated institution of the unit's city over the whole term (001 五(二))."""
    if institution.org_type != "training_institution":
        raise ServiceError(f"“{institution.name}”不是培训机构，不能作为合作协议乙方", field="institution")
    first = designation_for(institution, unit.region_code, start)
    if first is None:
        raise ServiceError(
            f"“{institution.name}”在合作期限起始日 {start:%Y年%m月%d日} 不是本市定点培训机构"
            "（未认定、定点有效期已过或已撤销），不能签订合作协议",
            field="institution",
        )
    if designation_for(institution, unit.region_code, end) is None:
        raise ServiceError(
            f"“{institution.name}”的定点有效期为 {first.valid_from:%Y年%m月%d日} 至 {first.valid_to:%Y年%m月%d日}"
            f"{'（已撤销）' if first.revoked_on else ''}，不能覆盖合作期限截止日 {end:%Y年%m月%d日}，"
            "请缩短合作期限",
            field="valid_to",
        )


def _clean_agreement(unit: Organisation, institution: Organisation, fields: dict) -> dict:
    """Checked values: the term and 乙方's designation first (they decide whether there can be an agreement at
    all), then the number of trainees, copies and every text of the template."""
    start, end = fields.get("valid_from"), fields.get("valid_to")
    if not isinstance(start, date):
        raise ServiceError("请填写合作期限起始日期", field="valid_from")
    if not isinstance(end, date):
        raise ServiceError("请填写合作期限截止日期", field="valid_to")
    if start > end:
        raise ServiceError("合作期限的起始日期不能晚于截止日期", field="valid_to")
    _check_designation(unit, institution, start, end)
    trainees = _as_int(fields.get("trainees"), "trainees", "培训人数")
    if trainees <= 0:
        raise ServiceError("培训人数须大于0", field="trainees")
    copies = _as_int(fields.get("copies") or 2, "copies", "协议份数")
    if not 2 <= copies <= 10:
        raise ServiceError("协议份数须在2至10份之间", field="copies")
    values = {}
    for name, label in AGREEMENT_TEXT_FIELDS.items():
        text = str(fields.get(name) or "").strip()
        if not text:
            raise ServiceError(f"请填写{label}", field=name)
        max_length = Agreement._meta.get_field(name).max_length
        if max_length and len(text) > max_length:
            raise ServiceError(f"{label}不能超过{max_length}个字", field=name)
        values[name] = text
    return {**values, "trainees": trainees, "copies": copies, "valid_from": start, "valid_to": end}


def _next_number(unit: Organisation, year: int) -> str:
    prefix = f"HZXY-{year}-{unit.region_code}-"
    taken = set(Agreement.objects.filter(number__startswith=prefix).values_list("number", flat=True))
    seq = 1
    while f"{prefix}{seq:03d}" in taken:
        seq += 1
    return f"{prefix}{seq:03d}"


@transaction.atomic
def agreement_create(*, actor, unit: Organisation, institution: Organisation, **fields) -> Agreement:
    """A draft 合作协议 between `unit` (甲方) and a designated training institution (乙方); blank party details
    are taken from the directory (`party_defaults`)."""
    _require_writer(actor, unit, "起草合作协议")
    if unit.org_type not in UNIT_TYPES:
        raise ServiceError(f"{unit.get_org_type_display()}不能作为合作协议甲方", field="unit")
    unknown = set(fields) - set(AGREEMENT_FIELDS)
    if unknown:
        raise ServiceError(f"不认识的字段：{'、'.join(sorted(unknown))}", field=sorted(unknown)[0])
    merged = {**party_defaults(unit, institution), **{k: v for k, v in fields.items() if v not in (None, "")}}
    _lock_unit(unit)  # numbers are given per unit and year
    values = _clean_agreement(unit, institution, merged)
    agreement = Agreement.objects.create(
        unit=unit,
        institution=institution,
        number=_next_number(unit, values["valid_from"].year),
        created_by=actor,
        **values,
    )
    audit_record(
        action="agreement.create",
        actor=actor,
        obj=agreement,
        changes={"institution": institution.pk, "number": agreement.number, **values},
    )
    return agreement


def _lock_agreement(actor, agreement: Agreement, what: str) -> Agreement:
    agreement = (
        Agreement.objects.select_for_update().select_related("unit", "institution").get(pk=agreement.pk)
    )
    _require_writer(actor, agreement.unit, what)
    return agreement


@transaction.atomic
def agreement_update(*, actor, agreement: Agreement, **fields) -> Agreement:
    agreement = _lock_agreement(actor, agreement, "修改合作协议")
    if agreement.status != AgreementStatus.DRAFT:
        raise Conflict(f"协议{agreement.get_status_display()}，不能修改", field="status")
    unknown = set(fields) - set(AGREEMENT_FIELDS)
    if unknown:
        raise ServiceError(f"不认识的字段：{'、'.join(sorted(unknown))}", field=sorted(unknown)[0])
    merged = {f: getattr(agreement, f) for f in AGREEMENT_FIELDS} | fields
    values = _clean_agreement(agreement.unit, agreement.institution, merged)
    changes = {}
    for field, value in values.items():
        if getattr(agreement, field) != value:
            changes[field] = [getattr(agreement, field), value]
            setattr(agreement, field, value)
    if changes:
        agreement.save()
        audit_record(action="agreement.update", actor=actor, obj=agreement, changes=changes)
    return agreement


@transaction.atomic
def agreement_sign(
    *,
    actor,
    agreement: Agreement,
    unit_signatory: str,
    unit_signed_on: date | None,
    institution_signatory: str,
    institution_signed_on: date | None,
) -> Agreement:
    """Record both signatures (签字盖章): the agreement is in force from then on for its term."""
    agreement = _lock_agreement(actor, agreement, "登记协议签订")
    if agreement.status != AgreementStatus.DRAFT:
        raise Conflict(f"协议{agreement.get_status_display()}，不能重复签订", field="status")
    for field, value, label in (
        ("unit_signatory", unit_signatory, "甲方签字人"),
        ("institution_signatory", institution_signatory, "乙方签字人"),
    ):
        if not (value or "").strip():
            raise ServiceError(f"请填写{label}", field=field)
    for field, value, label in (
        ("unit_signed_on", unit_signed_on, "甲方签订日期"),
        ("institution_signed_on", institution_signed_on, "乙方签订日期"),
    ):
        if not isinstance(value, date):
            raise ServiceError(f"请填写{label}", field=field)
        if value > agreement.valid_to:
            raise ServiceError(f"{label}不能晚于合作期限截止日 {agreement.valid_to:%Y-%m-%d}", field=field)
    _check_designation(agreement.unit, agreement.institution, agreement.valid_from, agreement.valid_to)
    overlapping = Agreement.objects.filter(
        unit=agreement.unit,
        institution=agreement.institution,
        status=AgreementStatus.SIGNED,
        valid_from__lte=agreement.valid_to,
        valid_to__gte=agreement.valid_from,
    ).first()
    if overlapping is not None:
        raise Conflict(
            f"与同一培训机构已签订的协议 {overlapping.number}（{overlapping.valid_from:%Y-%m-%d} 至 "
            f"{overlapping.valid_to:%Y-%m-%d}）期限重叠，请先终止该协议或调整合作期限",
            field="valid_from",
        )
    agreement.unit_signatory = unit_signatory.strip()
    agreement.institution_signatory = institution_signatory.strip()
    agreement.unit_signed_on = unit_signed_on
    agreement.institution_signed_on = institution_signed_on
    agreement.status = AgreementStatus.SIGNED
    agreement.save()
    audit_record(
        action="agreement.sign",
        actor=actor,
        obj=agreement,
        changes={
            "unit_signatory": agreement.unit_signatory,
            "unit_signed_on": unit_signed_on,
            "institution_signatory": agreement.institution_signatory,
            "institution_signed_on": institution_signed_on,
        },
    )
    return agreement


@transaction.atomic
def agreement_terminate(*, actor, agreement: Agreement, terminated_on: date | None, reason: str) -> Agreement:
    agreement = _lock_agreement(actor, agreement, "终止合作协议")
    if agreement.status != AgreementStatus.SIGNED:
        raise Conflict(f"协议{agreement.get_status_display()}，只有已签订的协议可以终止", field="status")
    if not isinstance(terminated_on, date):
        raise ServiceError("请填写终止日期", field="terminated_on")
    signed = max(agreement.unit_signed_on, agreement.institution_signed_on)
    if terminated_on < signed:
        raise ServiceError(f"终止日期不能早于协议签订日期 {signed:%Y-%m-%d}", field="terminated_on")
    if terminated_on > agreement.valid_to:
        raise ServiceError(
            f"终止日期不能晚于合作期限截止日 {agreement.valid_to:%Y-%m-%d}（到期自然终止）",
            field="terminated_on",
        )
    if not (reason or "").strip():
        raise ServiceError("请填写终止原因", field="termination_reason")
    agreement.status = AgreementStatus.TERMINATED
    agreement.terminated_on = terminated_on
    agreement.termination_reason = reason.strip()[:200]
    agreement.save(update_fields=["status", "terminated_on", "termination_reason"])
    audit_record(
        action="agreement.terminate",
        actor=actor,
        obj=agreement,
        changes={"terminated_on": terminated_on, "reason": agreement.termination_reason},
    )
    return agreement
