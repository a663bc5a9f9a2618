"""Reads of the training app; lists start from ``for_user``; other apps (assessment, subsidies) use
``attendance_summary``, ``data_entry_status`` and ``completed_enrolments``."""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet, Sum

from skillbridge.policy.errors import CalendarNotCovered
from skillbridge.policy.loader import get_pack
from skillbridge.policy.rules import Decision, data_entry_deadline, overdue_working_days
from skillbridge.registry.models import Person
from skillbridge.registry.selectors import eligibility_roster

from .checks import enrolment_check
from .models import (
    CLASSROOM_KINDS,
    Attendance,
    ClassApplication,
    Enrolment,
    EnrolmentStatus,
    OnlineLearning,
    SessionKind,
    TrainingClass,
    TrainingSession,
)


def applications(user) -> QuerySet[ClassApplication]:
    return ClassApplication.objects.for_user(user).select_related(
        "unit", "institution", "occupation", "special_item", "level", "review", "training_class"
    )


def classes(user) -> QuerySet[TrainingClass]:
    return TrainingClass.objects.for_user(user).select_related(
        "unit",
        "institution",
        "application",
        "application__unit",
        "application__occupation",
        "application__special_item",
        "application__level",
    )


def application_stage_opinions(application: ClassApplication) -> list:
    """The stages of the latest submission round, in order (the 附件4 opinion boxes)."""
    if not application.review_id:
        return []
    case = application.review
    return list(case.stages.filter(round=case.round).select_related("org", "reviewer").order_by("index"))


# ---- minutes -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MinutesRow:
    classroom_minutes: int  # attended minutes of theory and practice sessions
    online_session_minutes: int  # attended minutes of online sessions
    platform_minutes: int  # minutes reported by learning platforms (imported or entered)
    online_credited: int  # (online sessions + platforms) × the pack's ratio, rounded down
    planned_minutes: int  # minutes of the class's theory and practice sessions
    ratio: Decimal  # (classroom + credited online) / planned, at most 1


def online_credit_ratio(training_class: TrainingClass):
    """The pack's ``training.online_credit_ratio`` (a Sourced value) or None: then nothing is credited."""
    return get_pack(training_class.unit.policy_pack).training.online_credit_ratio


def attendance_summary(training_class: TrainingClass) -> dict[int, MinutesRow]:
    """Per enrolment: classroom minutes and online minutes kept apart, the credit and the ratio."""
    planned = (
        TrainingSession.objects.filter(training_class=training_class, kind__in=CLASSROOM_KINDS).aggregate(
            total=Sum("minutes")
        )["total"]
        or 0
    )
    rule = online_credit_ratio(training_class)
    factor = rule.value if rule else Decimal(0)
    rows = {e: [0, 0, 0] for e in training_class.enrolments.values_list("pk", flat=True)}
    attended = (
        Attendance.objects.filter(session__training_class=training_class)
        .values("enrolment_id", "session__kind")
        .annotate(total=Sum("minutes"))
    )
    for row in attended:
        slot = 1 if row["session__kind"] == SessionKind.ONLINE else 0
        rows[row["enrolment_id"]][slot] += row["total"]
    platforms = (
        OnlineLearning.objects.filter(enrolment__training_class=training_class)
        .values("enrolment_id")
        .annotate(total=Sum("minutes"))
    )
    for row in platforms:
        rows[row["enrolment_id"]][2] += row["total"]
    result = {}
    for pk, (classroom, online_sessions, platform) in rows.items():
        credited = int(
            (Decimal(online_sessions + platform) * factor).to_integral_value(rounding="ROUND_FLOOR")
        )
        ratio = Decimal(0)
        if planned:
            ratio = min(Decimal(1), Decimal(classroom + credited) / Decimal(planned)).quantize(
                Decimal("0.0001"), ROUND_HALF_UP
            )
        result[pk] = MinutesRow(classroom, online_sessions, platform, credited, planned, ratio)
    return result


@dataclass(frozen=True)
class ShareStatus:
    theory_minutes: int
    practice_minutes: int
    online_minutes: int
    decision: Decision


def session_share(training_class: TrainingClass) -> ShareStatus:
    from skillbridge.policy.rules import theory_practice_share

    totals = dict(
        TrainingSession.objects.filter(training_class=training_class)
        .values("kind")
        .annotate(total=Sum("minutes"))
        .values_list("kind", "total")
    )
    theory, practice = totals.get(SessionKind.THEORY, 0), totals.get(SessionKind.PRACTICE, 0)
    pack = get_pack(training_class.unit.policy_pack)
    decision = (
        theory_practice_share(theory, practice, pack) if theory + practice else Decision(True, value=None)
    )
    return ShareStatus(theory, practice, totals.get(SessionKind.ONLINE, 0), decision)


# ---- data entry deadline -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DataEntryStatus:
    deadline: date | None  # None: the pack sets no deadline, or the calendar does not cover the year
    projected: bool  # True before completion: counted from the planned end date
    source: str
    overdue: bool
    overdue_working_days: int | None
    note: str


def data_entry_status(training_class: TrainingClass, today: date) -> DataEntryStatus:
    """The trainee data-entry deadline (e.g. Anhui 二(四): 10 working days after 考核结业), overdue in
    working days by the official calendar while the entry has not been recorded."""
    pack = get_pack(training_class.unit.policy_pack)
    rule = pack.deadlines.data_entry_working_days
    if rule is None:
        return DataEntryStatus(None, False, "", False, None, "本地政策未规定结业后学员信息录入时限")
    end = training_class.ended_on or training_class.date_to
    projected = training_class.ended_on is None
    try:
        deadline = data_entry_deadline(end, pack)
    except CalendarNotCovered as exc:
        return DataEntryStatus(None, projected, rule.source, False, None, str(exc))
    entered = training_class.data_entered_on
    late_on = entered or today
    overdue = not projected and late_on > deadline
    days = None
    if overdue:
        try:
            days = overdue_working_days(deadline, late_on)
        except CalendarNotCovered:
            days = None
    note = f"结业后{rule.value}个工作日内录入"
    return DataEntryStatus(deadline, projected, rule.source, overdue, days, note)


# ---- roster --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    person: Person
    episode: object
    decision: Decision

    @property
    def blocks(self):
        return [r for r in self.decision.reasons if r.severity == "block"]

    @property
    def warnings(self):
        return [r for r in self.decision.reasons if r.severity == "warn"]


def roster_candidates(user, training_class: TrainingClass, *, today: date) -> list[Candidate]:
    """People of the class's unit not yet on its roster, with the enrolment check of each (eligible first)."""
    enrolled = set(training_class.enrolments.values_list("person_id", flat=True))
    episodes = eligibility_roster(user, unit=training_class.unit, at=training_class.date_from)
    rows = [
        Candidate(e.person, e, enrolment_check(training_class, e.person, today=today))
        for e in episodes.prefetch_related("person__episodes__unit")
        if e.person_id not in enrolled
    ]
    return sorted(rows, key=lambda c: (not c.decision.allowed, bool(c.warnings), c.person.name))


def roster(training_class: TrainingClass) -> QuerySet[Enrolment]:
    return training_class.enrolments.select_related("person", "episode").order_by("person__name", "id")


def attendance_grid(session: TrainingSession) -> list[tuple[Enrolment, Attendance | None]]:
    """Every enrolment that is in training (or has an entry for the session), with its entry."""
    entries = {a.enrolment_id: a for a in session.attendance.all()}
    rows = []
    for enrolment in roster(session.training_class):
        if enrolment.status == EnrolmentStatus.ACTIVE or enrolment.pk in entries:
            rows.append((enrolment, entries.get(enrolment.pk)))
    return rows


def completed_enrolments(training_class: TrainingClass) -> QuerySet[Enrolment]:
    """Trainees who completed the class (for assessment applications and claims)."""
    return roster(training_class).filter(status=EnrolmentStatus.COMPLETED)


def review_document_url(case) -> str | None:
    """The class application page behind a review case (for the generic review case page)."""
    from django.urls import reverse

    pk = ClassApplication.objects.filter(review_id=case.pk).values_list("pk", flat=True).first()
    return reverse("training:application_detail", args=[pk]) if pk else None
