"""Reads for the review engine; each starts from the user's scope."""

from dataclasses import dataclass
from datetime import date

from django.db.models import OuterRef, Q, Subquery

from skillbridge.policy.rules import overdue_working_days
from skillbridge.policy.workdays import CalendarNotCovered

from .models import Decision, ReviewCase, ReviewStage, ReviewStatus


@dataclass(frozen=True)
class InboxItem:
    case: ReviewCase
    kind: str  # "review" (待审核) or "revise" (退回待修改)
    overdue: bool
    overdue_days: int | None  # working days past the due date; None if the calendar does not cover it


def _overdue_days(due: date, today: date) -> int | None:
    try:
        return overdue_working_days(due, today)
    except CalendarNotCovered:
        return None


def inbox(user, *, today: date) -> list[InboxItem]:
    """What waits for the user's organisation, oldest first: stages to review and returned drafts."""
    if not user.is_authenticated:
        return []
    org_id = user.organisation_id
    last_return = ReviewStage.objects.filter(
        case=OuterRef("pk"), round=OuterRef("round"), decision=Decision.RETURN
    )
    cases = (
        ReviewCase.objects.for_user(user)
        .filter(
            Q(status=ReviewStatus.IN_REVIEW, current_stage__org_id=org_id)
            | Q(status=ReviewStatus.RETURNED, author_org_id=org_id)
        )
        .select_related("unit", "author_org", "current_stage", "current_stage__org")
        .annotate(return_opinion=Subquery(last_return.values("opinion")[:1]))
        .order_by("submitted_at", "id")
    )
    return [
        InboxItem(
            case=c,
            kind="review" if c.status == ReviewStatus.IN_REVIEW else "revise",
            overdue=c.due_date is not None and today > c.due_date,
            overdue_days=_overdue_days(c.due_date, today) if c.due_date and today > c.due_date else None,
        )
        for c in cases
    ]


def case_detail(user, pk: int) -> ReviewCase | None:
    return (
        ReviewCase.objects.for_user(user)
        .select_related("unit", "author_org", "created_by", "current_stage", "current_stage__org")
        .prefetch_related("stages__org", "stages__reviewer")
        .filter(pk=pk)
        .first()
    )
