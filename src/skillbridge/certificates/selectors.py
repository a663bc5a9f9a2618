"""Reads of the certificates app: lists start from ``for_user``; the personal training archive; the
certification-before-release figures (001 §二: 刑释前获证率 ≥ 应培训人数的90%).

Other apps (assessment, subsidies, reporting) may use ``certificates``, ``archive`` and
``certified_before_release``.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet, Sum

from skillbridge.accounts.models import Organisation
from skillbridge.errors import NotFound
from skillbridge.policy.loader import get_pack
from skillbridge.policy.rules import eligibility
from skillbridge.registry.models import Episode, Person
from skillbridge.registry.selectors import first_eligible_day, person_facts

from .models import Certificate, CertificateStatus, CreditEntry


def certificates(user) -> QuerySet[Certificate]:
    return Certificate.objects.for_user(user).select_related(
        "person",
        "unit",
        "issuer",
        "certificate_type",
        "occupation",
        "special_item",
        "level",
        "training_class",
    )


def subject_display(certificate: Certificate) -> str:
    if certificate.occupation_id:
        return certificate.occupation.name
    if certificate.special_item_id:
        return certificate.special_item.name
    return ""


# ---- the rule ------------------------------------------------------------------------------------------


def certified_before_release(issue_dates, term_start: date, release_date: date) -> bool:
    """A certificate counts for 刑释前获证 when issued during the episode and no later than the release
    day itself (a certificate dated the day of release was obtained before the person left)."""
    return any(term_start <= d <= release_date for d in issue_dates)


# ---- archive (电子档案) -----------------------------------------------------------------------------------


@dataclass
class ArchiveClass:
    enrolment: object
    classroom_minutes: int
    online_minutes: int

    @property
    def hours(self) -> Decimal:
        from skillbridge.training.checks import CLASS_HOUR_MINUTES

        total = self.classroom_minutes + self.online_minutes
        return (Decimal(total) / CLASS_HOUR_MINUTES).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class Archive:
    person: Person
    episodes: list
    classes: list[ArchiveClass]
    results: list  # assessment results when the assessment app provides them
    certificates: list[Certificate]
    credits: list[CreditEntry]
    credit_total: Decimal
    results_available: bool = False


def _assessment_results(person: Person, user) -> tuple[bool, list]:
    """The person's assessment results (assessment app), in the user's scope, if that app is installed."""
    from django.apps import apps

    try:
        model = apps.get_model("assessment", "AssessmentResult")
    except LookupError:
        return False, []
    rows = (
        model.objects.for_user(user)
        .filter(person=person)
        .select_related("application")
        .order_by("application_id", "id")
    )
    return True, list(rows)


def archive(user, person_id: int) -> Archive:
    """Everything the user's scope shows about one person's training; a person outside the scope is
    reported like a missing one (get_in_scope audits the attempt)."""
    from skillbridge.accounts.scope import get_in_scope
    from skillbridge.training.models import Enrolment

    person = Person.objects.for_user(user).filter(pk=person_id).first()
    if person is None:
        # Audited as denied if the person exists: same answer as a missing one.
        get_in_scope(Episode, user, person_id=person_id)
        raise NotFound("人员不存在或不在您的数据权限范围内")
    enrolments = (
        Enrolment.objects.for_user(user)
        .filter(person=person)
        .select_related(
            "training_class",
            "training_class__unit",
            "training_class__institution",
            "training_class__application",
            "training_class__application__occupation",
            "training_class__application__special_item",
            "training_class__application__level",
        )
        .order_by("training_class__date_from", "id")
    )
    classes = []
    for enrolment in enrolments:
        classroom, online = enrolment.classroom_minutes, enrolment.online_credited_minutes
        if classroom is None:  # class still running: attendance so far
            from skillbridge.training.selectors import attendance_summary

            row = attendance_summary(enrolment.training_class).get(enrolment.pk)
            classroom = row.classroom_minutes if row else 0
            online = row.online_credited if row else 0
        classes.append(ArchiveClass(enrolment, classroom or 0, online or 0))
    certs = list(certificates(user).filter(person=person).order_by("issue_date", "id"))
    credits = list(
        CreditEntry.objects.for_user(user)
        .filter(person=person)
        .select_related("certificate", "certificate__certificate_type", "enrolment", "created_by")
        .order_by("created_at", "id")
    )
    total = sum((e.amount for e in credits), Decimal("0"))
    available, results = _assessment_results(person, user)
    episodes = list(Episode.objects.for_user(user).filter(person=person).select_related("unit"))
    return Archive(person, episodes, classes, results, certs, credits, total, available)


# ---- certification before release ----------------------------------------------------------------------


@dataclass
class ReleaseRow:
    person: Person
    episode: Episode
    release_date: date
    certificate: Certificate | None
    days_left: int  # days until release (negative: released that many days ago)

    @property
    def certified(self) -> bool:
        return self.certificate is not None


@dataclass
class ReleaseFigures:
    unit: Organisation
    date_from: date
    date_to: date
    today: date
    target: Decimal | None
    target_source: str
    released: list[ReleaseRow] = field(default_factory=list)  # release date in period and ≤ today
    upcoming: list[ReleaseRow] = field(default_factory=list)  # release date in period, after today

    @property
    def released_count(self) -> int:
        return len(self.released)

    @property
    def certified_count(self) -> int:
        return sum(1 for r in self.released if r.certified)

    @property
    def rate(self) -> Decimal | None:
        if not self.released:
            return None
        return (Decimal(self.certified_count) / len(self.released)).quantize(Decimal("0.0001"), ROUND_HALF_UP)

    @property
    def rate_percent(self) -> str:
        return "—" if self.rate is None else f"{self.rate * 100:.1f}%"

    @property
    def target_percent(self) -> str:
        return "" if self.target is None else f"{self.target * 100:.0f}%"

    @property
    def meets_target(self) -> bool | None:
        if self.rate is None or self.target is None:
            return None
        return self.rate >= self.target

    @property
    def missing_released(self) -> list[ReleaseRow]:
        return [r for r in self.released if not r.certified]

    @property
    def missing_upcoming(self) -> list[ReleaseRow]:
        return sorted((r for r in self.upcoming if not r.certified), key=lambda r: r.days_left)


def _pack_target(pack) -> tuple[Decimal | None, str]:
    for target in pack.targets:
        if target.key == "certification_rate":
            return target.target.value, target.target.source
    rate = pack.training.certification_target_rate
    if rate is not None:
        return rate.value, rate.source
    return None, ""


def _due_for_training(episode: Episode, pack) -> bool:
    """应培训: eligible for training by the unit's pack on the first day the remaining term allows it."""
    on = first_eligible_day(pack, episode.expected_release_date, episode.term_start)
    return eligibility(person_facts(episode.person, episode), pack, on).allowed


def release_figures(
    user, *, unit: Organisation, date_from: date, date_to: date, today: date
) -> ReleaseFigures:
    """For the unit's people due for training whose release date falls in [date_from, date_to]: who got a
    certificate (not revoked) during the episode and by the release date. The rate counts those already
    released; those still to be released without one are listed with the days they have left."""
    if not Organisation.objects.visible_units(user).filter(pk=unit.pk).exists():
        raise NotFound("单位不存在或不在您的数据权限范围内")
    pack = get_pack(unit.policy_pack)
    target, source = _pack_target(pack)
    figures = ReleaseFigures(unit, date_from, date_to, today, target, source)
    episodes = (
        Episode.objects.for_user(user)
        .filter(unit=unit, expected_release_date__gte=date_from, expected_release_date__lte=date_to)
        .exclude(status="transferred")
        .select_related("person")
        .order_by("expected_release_date", "person__name", "id")
    )
    episodes = [e for e in episodes if _due_for_training(e, pack)]
    certs: dict[int, list[Certificate]] = {}
    for cert in (
        Certificate.objects.filter(person_id__in=[e.person_id for e in episodes])
        .exclude(status=CertificateStatus.REVOKED)
        .select_related("certificate_type")
        .order_by("issue_date", "id")
    ):
        certs.setdefault(cert.person_id, []).append(cert)
    for episode in episodes:
        release = episode.expected_release_date
        found = next(
            (
                c
                for c in certs.get(episode.person_id, [])
                if certified_before_release([c.issue_date], episode.term_start, release)
            ),
            None,
        )
        row = ReleaseRow(episode.person, episode, release, found, (release - today).days)
        (figures.released if release <= today else figures.upcoming).append(row)
    return figures


def units_in_scope(user) -> QuerySet[Organisation]:
    return Organisation.objects.visible_units(user).order_by("region_code", "name")


def credit_total(user, person: Person) -> Decimal:
    return CreditEntry.objects.for_user(user).filter(person=person).aggregate(t=Sum("amount"))[
        "t"
    ] or Decimal(0)
