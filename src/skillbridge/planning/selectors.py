"""Reads other apps rely on: the plan in force for a unit and year, capacity left, agreements in force."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch, Q, Sum

from skillbridge.accounts.models import Organisation
from skillbridge.accounts.scope import CITY_SCOPE, UNIT_TYPES, get_in_scope
from skillbridge.approvals.models import ReviewStage, ReviewStatus
from skillbridge.catalog.models import Occupation, SkillLevel, SpecialAbilityItem
from skillbridge.catalog.selectors import standard_for
from skillbridge.policy.errors import RuleNotDefined
from skillbridge.policy.loader import get_pack
from skillbridge.policy.rules import per_capita_budget, plan_deadline
from skillbridge.registry.selectors import Survey, survey

from .models import Agreement, AgreementStatus, AnnualPlan, PlanCategory, PlanItem, PlanKind


@dataclass(frozen=True)
class SubjectKey:
    """What a plan line is about; class applications use the same key to draw on a plan's capacity."""

    category: str
    occupation_id: int | None = None
    special_item_id: int | None = None
    level_id: int | None = None
    project_name: str = ""

    @classmethod
    def of(cls, item) -> "SubjectKey":
        return cls(
            category=item.category,
            occupation_id=item.occupation_id,
            special_item_id=item.special_item_id,
            level_id=item.level_id,
            project_name=item.project_name if not (item.occupation_id or item.special_item_id) else "",
        )

    def filter(self) -> Q:
        return Q(
            category=self.category,
            occupation_id=self.occupation_id,
            special_item_id=self.special_item_id,
            level_id=self.level_id,
            project_name=self.project_name,
        )


def plan_in_force(unit, year: int) -> list[PlanItem]:
    """The approved annual plan (or its latest approved adjustment) plus approved temporary additions."""
    approved = AnnualPlan.objects.filter(unit=unit, year=year, review__status=ReviewStatus.APPROVED)
    base = (
        approved.filter(kind__in=[PlanKind.ANNUAL, PlanKind.ADJUSTMENT])
        .order_by("-review__decided_at")
        .first()
    )
    plans = [base] if base else []
    plans += list(approved.filter(kind=PlanKind.TEMPORARY))
    return list(
        PlanItem.objects.filter(plan__in=plans).select_related("occupation", "special_item", "level", "plan")
    )


def planned_trainees(unit, year: int, key: SubjectKey) -> int | None:
    """Trainees planned for `key` in the plan in force; None when no plan line covers it."""
    matching = [item for item in plan_in_force(unit, year) if SubjectKey.of(item) == key]
    return sum(item.planned_trainees for item in matching) if matching else None


def agreement_in_force(unit, institution, on_date: date) -> Agreement | None:
    """The signed, not terminated agreement between the unit and the institution covering `on_date`."""
    return (
        Agreement.objects.filter(
            unit=unit,
            institution=institution,
            status=AgreementStatus.SIGNED,
            valid_from__lte=on_date,
            valid_to__gte=on_date,
        )
        .order_by("-valid_from")
        .first()
    )


def planned_totals(plans) -> dict[int, dict]:
    """Trainees and budget per plan (for lists and the 附件2 forms), in one aggregate query."""
    rows = (
        PlanItem.objects.filter(plan__in=plans)
        .values("plan_id")
        .annotate(trainees=Sum("planned_trainees"), classes=Sum("planned_classes"), budget=Sum("budget"))
    )
    return {row["plan_id"]: row for row in rows}


def stage_deadline(case, stage) -> date | None:
    """The pack's deadline for an annual plan's stage (None for adjustments and stages without one)."""
    plan = AnnualPlan.objects.filter(review_id=case.pk).select_related("unit").first()
    if plan is None or plan.kind != PlanKind.ANNUAL:
        return None
    return plan_deadline(get_pack(plan.unit.policy_pack), plan.year, stage.key)


def review_document_url(case) -> str | None:
    """The plan page of a review case (for the generic review case page), None for other documents."""
    from django.urls import reverse

    plan = AnnualPlan.objects.filter(review_id=case.pk).values_list("pk", flat=True).first()
    return reverse("planning:plan_detail", args=[plan]) if plan else None


# ---- pages, API and forms --------------------------------------------------------------------------------


def plans_for_user(
    user,
    *,
    year: int | None = None,
    unit_id: int | None = None,
    kind: str | None = None,
    status: str | None = None,
):
    """Plans in the user's scope (own unit, units in scope, and plans passing through the user's organisation)."""
    plans = AnnualPlan.objects.for_user(user).select_related("unit", "review", "review__current_stage__org")
    if year:
        plans = plans.filter(year=year)
    if unit_id:
        plans = plans.filter(unit_id=unit_id)
    if kind:
        plans = plans.filter(kind=kind)
    if status:
        plans = plans.filter(review__status=status)
    return plans.order_by("-year", "unit__region_code", "unit__name", "id")


def plan_detail(user, pk: int) -> AnnualPlan:
    """One plan through the scope (NotFound, audited, otherwise) with its items and review stages."""
    get_in_scope(AnnualPlan, user, pk=pk)
    return (
        AnnualPlan.objects.select_related(
            "unit", "review", "review__current_stage__org", "based_on", "created_by"
        )
        .prefetch_related(
            Prefetch(
                "items", queryset=PlanItem.objects.select_related("occupation", "special_item", "level")
            ),
            Prefetch("review__stages", queryset=ReviewStage.objects.select_related("org", "reviewer")),
        )
        .get(pk=pk)
    )


def plan_versions(plan: AnnualPlan) -> list[AnnualPlan]:
    """The history of the unit's plan for the year: the annual plan, its adjustments and temporary additions."""
    plans = list(
        AnnualPlan.objects.filter(unit_id=plan.unit_id, year=plan.year)
        .select_related("review", "unit")
        .order_by("created_at", "id")
    )
    totals = planned_totals(plans)
    for version in plans:
        row = totals.get(version.pk, {})
        version.total_trainees = row.get("trainees") or 0
        version.total_budget = row.get("budget") or Decimal(0)
    return plans


def items_totals(items) -> dict:
    items = list(items)
    return {
        "trainees": sum(i.planned_trainees for i in items),
        "classes": sum(i.planned_classes for i in items),
        "budget": sum((i.budget for i in items), Decimal(0)),
    }


def city_name(region_code: str) -> str:
    """驻在地市: the name of the city (设区市) of a region code, from its city bureau's name."""
    city = region_code[:4] + "00"
    names = Organisation.objects.filter(region_code=city, org_type__in=CITY_SCOPE).values_list(
        "name", flat=True
    )
    for name in names:
        if "市" in name:
            return name[: name.index("市") + 1]
    return city


# ---- survey → plan -------------------------------------------------------------------------------------

NO_INTENTION = "（未填写就业意向）"
ENTREPRENEURSHIP_WORDS = ("创业", "SIYB")
DEFAULT_LEVEL = 5


@dataclass
class SurveyGroup:
    """Eligible people of the survey with one employment intention, and the plan line suggested for them."""

    intention: str
    rows: list
    category: str
    occupation: Occupation | None
    special_item: SpecialAbilityItem | None
    project_name: str
    level: SkillLevel | None
    budget: Decimal | None
    budget_note: str

    @property
    def count(self) -> int:
        return len(self.rows)


def suggest_subject(intention: str, region_code: str):
    """(category, occupation, special item, project name) for an intention text; the operator confirms."""
    text = intention.strip()
    if not text or text == NO_INTENTION:
        return PlanCategory.EMPLOYMENT, None, None, ""
    if any(word in text.upper() for word in ENTREPRENEURSHIP_WORDS):
        return PlanCategory.ENTREPRENEURSHIP, None, None, "SIYB创业培训"
    occupations = Occupation.objects.filter(level=4)
    occupation = occupations.filter(name=text).first()
    if occupation is None:
        item = SpecialAbilityItem.objects.filter(
            name=text, region_code__startswith=region_code[:4], is_active=True
        ).first()
        if item is not None:
            return PlanCategory.EMPLOYMENT, None, item, ""
        candidates = sorted(occupations.filter(name__startswith=text), key=lambda o: (len(o.name), o.code))
        occupation = candidates[0] if candidates else None
    return PlanCategory.EMPLOYMENT, occupation, None, ""


def suggest_budget(
    unit: Organisation, year: int, occupation, level, trainees: int
) -> tuple[Decimal | None, str]:
    """Per-capita budget where the pack sets one (安徽 1200元/人); else the city's subsidy standard × trainees
    (this year's, or last year's when this year's is not yet published); else None (the operator fills it)."""
    pack = get_pack(unit.policy_pack)
    try:
        return per_capita_budget(trainees, pack), "按人均标准测算"
    except RuleNotDefined:
        pass
    if occupation is None:
        return None, ""
    for standard_year in (year, year - 1):
        standard = standard_for(
            unit.region_code, date(standard_year, 12, 31), occupation, level, "skill_level"
        )
        if standard is not None:
            return (standard.amount * trainees).quantize(Decimal("0.01")), f"按{standard_year}年补贴标准测算"
    return None, ""


def survey_groups(user, *, unit: Organisation, year: int) -> tuple[Survey, list[SurveyGroup]]:
    """The survey's eligible people still at the unit (not those released already) grouped by employment
    intention, largest group first, each with a suggested plan line (occupation by name, level 五级 or the
    pack's first target level, budget)."""
    result = survey(user, unit=unit, year=year)
    pack = get_pack(unit.policy_pack)
    target = pack.training.target_levels
    level = SkillLevel.objects.filter(code=target.value[0] if target else DEFAULT_LEVEL).first()
    by_intention: dict[str, list] = {}
    for row in (r for r in result.eligible if r.episode.is_active):
        by_intention.setdefault(row.episode.employment_intention.strip() or NO_INTENTION, []).append(row)
    groups = []
    for intention, rows in sorted(
        by_intention.items(), key=lambda kv: (kv[0] == NO_INTENTION, -len(kv[1]), kv[0])
    ):
        category, occupation, item, project = suggest_subject(intention, unit.region_code)
        line_level = level if (occupation is not None) else None
        budget, note = suggest_budget(unit, year, occupation, line_level, len(rows))
        groups.append(
            SurveyGroup(intention, rows, category, occupation, item, project, line_level, budget, note)
        )
    return result, groups


# ---- compilations (常州 附件1 by the lead prison, 安徽 附件2 by the bureau) ----------------------------------


@dataclass
class CompiledRow:
    unit: Organisation
    city: str
    plan: AnnualPlan | None
    items: list
    status: str
    trainees: int
    budget: Decimal


def current_plan_items(unit: Organisation, year: int) -> tuple[AnnualPlan | None, list[PlanItem], str]:
    """What a compilation counts for a unit: the plan in force once approved, else the annual plan under
    review (汇总审核 happens while it is at the bureau); (None, [], "未报送") when neither exists."""
    items = plan_in_force(unit, year)
    if items:
        main = next((i.plan for i in items if i.plan.kind != PlanKind.TEMPORARY), items[0].plan)
        return main, items, main.status_label
    plan = (
        AnnualPlan.objects.filter(
            unit=unit, year=year, kind=PlanKind.ANNUAL, review__status=ReviewStatus.IN_REVIEW
        )
        .select_related("review", "unit")
        .order_by("-id")
        .first()
    )
    if plan is None:
        return None, [], "未报送"
    items = list(plan.items.select_related("occupation", "special_item", "level"))
    return plan, items, plan.status_label


def compilation(user, *, year: int) -> list[CompiledRow]:
    """Every unit whose plans the user sees (its system for a bureau, its city for the city HRSS, the plans in
    its chain for the lead prison), with the plan counted for `year`. 经费预算数 = trainees × the pack's
    per-capita standard where it has one, else the sum of the items' budgets."""
    unit_ids = set(Organisation.objects.visible_units(user).values_list("pk", flat=True))
    unit_ids |= set(plans_for_user(user, year=year).values_list("unit_id", flat=True))
    units = Organisation.objects.filter(pk__in=unit_ids, org_type__in=UNIT_TYPES, is_active=True).order_by(
        "region_code", "name"
    )
    rows = []
    for unit in units:
        plan, items, status = current_plan_items(unit, year)
        trainees = sum(i.planned_trainees for i in items)
        try:
            budget = per_capita_budget(trainees, get_pack(unit.policy_pack))
        except RuleNotDefined:
            budget = sum((i.budget for i in items), Decimal(0))
        rows.append(CompiledRow(unit, city_name(unit.region_code), plan, items, status, trainees, budget))
    return rows


# ---- agreements --------------------------------------------------------------------------------------------


def agreements_for_user(user, *, status: str | None = None, institution_id: int | None = None, q: str = ""):
    agreements = Agreement.objects.for_user(user).select_related("unit", "institution")
    if status:
        agreements = agreements.filter(status=status)
    if institution_id:
        agreements = agreements.filter(institution_id=institution_id)
    if q:
        agreements = agreements.filter(Q(number__contains=q) | Q(institution__name__contains=q))
    return agreements.order_by("-valid_from", "-id")
