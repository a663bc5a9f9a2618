"""Reads of the employment app; every one starts from the user's scope (``for_user``).

A public employment service never reads registry episodes directly (its registry scope would be the whole
city): it reaches people only through the handovers naming it.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery

from skillbridge.accounts.models import Organisation
from skillbridge.certificates.models import Certificate, CertificateStatus
from skillbridge.policy.errors import PolicyError
from skillbridge.policy.loader import get_pack
from skillbridge.policy.rules import (
    add_months,
    approaching_release,
    follow_up_schedule,
    follow_up_state,
)
from skillbridge.registry.models import Episode, EpisodeStatus, StatusChange

from .models import (
    EMPLOYED_FORMS,
    PES,
    AssistanceAgreement,
    EmploymentProfile,
    FollowUp,
    Handover,
    HandoverStatus,
    ServiceEvent,
)


def is_service_org(user) -> bool:
    return user.organisation.org_type == PES


def released_on_subquery(episode_ref: str = "pk") -> Subquery:
    """The day the episode was released (its latest status change to 已释放)."""
    return Subquery(
        StatusChange.objects.filter(episode_id=OuterRef(episode_ref), to_status=EpisodeStatus.RELEASED)
        .order_by("-changed_on", "-id")
        .values("changed_on")[:1]
    )


def released_on(episode: Episode) -> date | None:
    if episode.status != EpisodeStatus.RELEASED:
        return None
    return (
        StatusChange.objects.filter(episode=episode, to_status=EpisodeStatus.RELEASED)
        .order_by("-changed_on", "-id")
        .values_list("changed_on", flat=True)
        .first()
    )


def certificates_of(person_id: int) -> QuerySet[Certificate]:
    """A person's certificates, shown on the profile that is already in the user's scope."""
    return Certificate.objects.filter(person_id=person_id).select_related(
        "certificate_type", "occupation", "special_item", "level", "issuer"
    )


def units_for_user(user) -> QuerySet[Organisation]:
    """Units whose people the user may list (none for a public employment service)."""
    if is_service_org(user):
        return Organisation.objects.none()
    return Organisation.objects.visible_units(user).order_by("region_code", "name")


def service_orgs(handover_to: str = PES) -> QuerySet[Organisation]:
    return Organisation.objects.filter(org_type=handover_to, is_active=True).order_by("region_code", "name")


# ---- people approaching release / released -------------------------------------------------------------

PROFILE_STATUS = {
    "none": "未建档",
    "profiled": "已建档（未移交）",
    **{s.value: s.label for s in HandoverStatus},
}


@dataclass
class PersonRow:
    episode: Episode
    release_date: date
    released_on: date | None
    profile: EmploymentProfile | None
    handover: Handover | None
    certificates: int = 0

    @property
    def status(self) -> str:
        if self.handover is not None:
            return self.handover.status
        return "profiled" if self.profile is not None else "none"

    @property
    def status_display(self) -> str:
        return PROFILE_STATUS[self.status]


def _window_months(unit: Organisation) -> int | None:
    try:
        rule = get_pack(unit.policy_pack).employment.pre_release_window_months
    except PolicyError:
        return None
    return rule.value if rule else None


def people_rows(
    user, *, today: date, phase: str = "approaching", unit=None, status: str = ""
) -> list[PersonRow]:
    """People of the user's units approaching release (pack window, per unit) or released within the last
    follow-up period (the pack's last follow-up month), with their profile and latest handover."""
    units = units_for_user(user)
    if unit is not None:
        units = units.filter(pk=unit.pk)
    rows: list[PersonRow] = []
    for u in units:
        months = _window_months(u)
        if months is None:
            continue
        pack = get_pack(u.policy_pack)
        episodes = Episode.objects.filter(unit=u).select_related("person", "unit")
        if phase == "released":
            schedule = pack.employment.follow_up_months
            back = add_months(today, -(schedule.value[-1] if schedule else 12)) - timedelta(days=31)
            episodes = episodes.filter(status=EpisodeStatus.RELEASED).annotate(
                released=released_on_subquery()
            )
            episodes = episodes.filter(released__gte=back, released__lte=today)
        else:
            # A DB bound a few days wide of the exact rule (month-end clamping), then the rule itself.
            episodes = episodes.filter(
                status=EpisodeStatus.IN_CUSTODY,
                expected_release_date__gte=today,
                expected_release_date__lte=add_months(today, months) + timedelta(days=3),
            )
        for episode in episodes.order_by("expected_release_date", "pk"):
            if phase != "released" and not approaching_release(episode.expected_release_date, today, pack):
                continue
            rows.append(
                PersonRow(
                    episode=episode,
                    release_date=episode.expected_release_date,
                    released_on=getattr(episode, "released", None),
                    profile=None,
                    handover=None,
                )
            )
    _attach(rows)
    if status:
        rows = [r for r in rows if r.status == status]
    return rows


def _attach(rows: list[PersonRow]) -> None:
    episode_ids = [r.episode.pk for r in rows]
    profiles = {p.episode_id: p for p in EmploymentProfile.objects.filter(episode_id__in=episode_ids)}
    latest: dict[int, Handover] = {}
    for h in (
        Handover.objects.filter(profile__episode_id__in=episode_ids)
        .select_related("recipient")
        .order_by("id")
    ):
        latest[h.profile_id] = h
    counts: dict[int, int] = {}
    for person_id in Certificate.objects.filter(
        person_id__in=[r.episode.person_id for r in rows], status=CertificateStatus.VALID
    ).values_list("person_id", flat=True):
        counts[person_id] = counts.get(person_id, 0) + 1
    for row in rows:
        row.profile = profiles.get(row.episode.pk)
        row.handover = latest.get(row.profile.pk) if row.profile else None
        row.certificates = counts.get(row.episode.person_id, 0)


# ---- handovers, events, agreements ---------------------------------------------------------------------


def handovers(user) -> QuerySet[Handover]:
    return (
        Handover.objects.for_user(user)
        .select_related("person", "unit", "recipient", "profile__episode")
        .annotate(released=released_on_subquery("profile__episode_id"))
    )


def profile_for_view(user, pk: int) -> EmploymentProfile:
    return (
        EmploymentProfile.objects.for_user(user)
        .select_related("person", "unit", "episode")
        .prefetch_related(
            Prefetch(
                "handovers", queryset=Handover.objects.select_related("recipient").prefetch_related("steps")
            ),
        )
        .get(pk=pk)
    )


def events(user) -> QuerySet[ServiceEvent]:
    return ServiceEvent.objects.for_user(user).select_related("unit", "organiser")


def event_attendees(user, event: ServiceEvent):
    """Attendees the user may see: all of them for the unit's side; for a public employment service only
    the people handed over to it."""
    rows = event.attendances.select_related("person").order_by("person__name", "id")
    if is_service_org(user):
        rows = rows.filter(
            Exists(
                Handover.objects.filter(person_id=OuterRef("person_id"), recipient_id=user.organisation_id)
            )
        )
    return rows


def agreements(user) -> QuerySet[AssistanceAgreement]:
    return AssistanceAgreement.objects.for_user(user).select_related("person", "unit", "provider")


def follow_ups(user) -> QuerySet[FollowUp]:
    return FollowUp.objects.for_user(user).select_related(
        "handover__person", "handover__unit", "handover__recipient"
    )


# ---- follow-ups due ------------------------------------------------------------------------------------

STATE_LABELS = {"not_due": "未到期", "due": "应回访", "overdue": "已逾期", "done": "已回访"}


@dataclass
class DueRow:
    handover: Handover
    released_on: date
    months: int
    due_on: date
    state: str
    follow_up: FollowUp | None = None

    @property
    def state_display(self) -> str:
        return STATE_LABELS[self.state]


def schedule_for(handover: Handover, released: date | None, today: date) -> list[DueRow]:
    if released is None:
        return []
    pack = get_pack(handover.unit.policy_pack)
    done = {f.milestone_months: f for f in handover.follow_ups.all()}
    rows = []
    for months, due in follow_up_schedule(released, pack):
        follow_up = done.get(months)
        state = "done" if follow_up else follow_up_state(due, today, pack)
        rows.append(DueRow(handover, released, months, due, state, follow_up))
    return rows


def due_follow_ups(user, *, today: date, states=("due", "overdue")) -> list[DueRow]:
    """Open follow-ups of released people handed over (not closed), by due date."""
    qs = (
        handovers(user)
        .exclude(status=HandoverStatus.CLOSED)
        .filter(released__isnull=False)
        .prefetch_related("follow_ups")
    )
    rows = [row for h in qs for row in schedule_for(h, h.released, today) if row.state in states]
    return sorted(rows, key=lambda r: (r.due_on, r.handover.pk))


# ---- employment rate -----------------------------------------------------------------------------------


@dataclass
class RateGroup:
    key: str
    label: str
    persons: int = 0
    employed: int = 0
    uses_trained: int = 0
    person_ids: list[int] = field(default_factory=list, repr=False)

    @property
    def rate(self) -> Decimal | None:
        """Employed / persons followed up, as a percentage with one decimal (None when nobody)."""
        if not self.persons:
            return None
        return (Decimal(self.employed) * 100 / self.persons).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def trained_share(self) -> Decimal | None:
        if not self.employed:
            return None
        return (Decimal(self.uses_trained) * 100 / self.employed).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class EmploymentRate:
    date_from: date
    date_to: date
    milestone: int | None
    certified: RateGroup
    uncertified: RateGroup
    total: RateGroup

    @property
    def groups(self) -> list[RateGroup]:
        return [self.certified, self.uncertified, self.total]


def employment_rate(
    user, *, date_from: date, date_to: date, unit: Organisation | None = None, milestone: int | None = None
) -> EmploymentRate:
    """Employment rate of the people released in [date_from, date_to] (both included) and handed over in
    the user's scope, certified (a valid certificate issued on or before the release day) versus not.

    Each person counts once, by their follow-up at ``milestone`` months, or by their latest follow-up when no
    milestone is given; people without such a follow-up are not counted (their status is unknown)."""
    qs = follow_ups(user).annotate(released=released_on_subquery("handover__profile__episode_id"))
    qs = qs.filter(released__gte=date_from, released__lte=date_to)
    if unit is not None:
        qs = qs.filter(handover__unit=unit)
    if milestone is not None:
        qs = qs.filter(milestone_months=milestone)
    latest: dict[int, FollowUp] = {}
    for follow_up in qs.order_by("done_on", "milestone_months", "id"):
        latest[follow_up.handover.person_id] = follow_up
    certified_ids = _certified_before_release(latest)
    result = EmploymentRate(
        date_from,
        date_to,
        milestone,
        RateGroup("certified", "持证人员"),
        RateGroup("uncertified", "未持证人员"),
        RateGroup("total", "合计"),
    )
    for person_id, follow_up in latest.items():
        group = result.certified if person_id in certified_ids else result.uncertified
        for g in (group, result.total):
            g.persons += 1
            g.person_ids.append(person_id)
            if follow_up.employment_form in EMPLOYED_FORMS:
                g.employed += 1
                if follow_up.uses_trained_occupation:
                    g.uses_trained += 1
    return result


def _certified_before_release(latest: dict[int, FollowUp]) -> set[int]:
    released = {person_id: f.released for person_id, f in latest.items()}
    ids = set()
    for person_id, issued in Certificate.objects.filter(
        person_id__in=list(latest), status=CertificateStatus.VALID
    ).values_list("person_id", "issue_date"):
        if issued <= released[person_id]:
            ids.add(person_id)
    return ids
