"""Reads other apps rely on: the plan in force for a unit and year, capacity left, agreements in force."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, Sum

from skillbridge.approvals.models import ReviewStatus

from .models import Agreement, AgreementStatus, AnnualPlan, PlanItem, PlanKind


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
        .annotate(trainees=Sum("planned_trainees"), budget=Sum("budget"))
    )
    return {row["plan_id"]: row for row in rows}
