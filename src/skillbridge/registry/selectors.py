"""Reads about people, episodes, eligibility and the annual survey (摸排); each starts from ``for_user``."""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Collate

from skillbridge.accounts.models import Organisation
from skillbridge.accounts.scope import get_in_scope
from skillbridge.api.pagination import capped_count
from skillbridge.errors import NotFound
from skillbridge.policy.loader import get_pack
from skillbridge.policy.rules import Decision, PersonFacts, Reason, add_months, eligibility, remaining_months
from skillbridge.policy.schema import PolicyPack

from .idnumbers import normalise
from .models import (
    ACTIVE_STATUSES,
    DuplicateReview,
    Episode,
    EpisodeStatus,
    Person,
    ReleaseDateChange,
    StatusChange,
)

ID_QUERY = re.compile(r"^\d{17}[\dX]$")
# The person list and ``GET /people`` count at most this many matches ("1000+ 条" / ``count_capped``):
# an exact count of a surname over a million people costs more than the page itself.
PEOPLE_COUNT_CAP = 1000


# ---- people ----------------------------------------------------------------------------------------------


def name_order(field: str = "name"):
    """The expression people are ordered and prefix-searched by: the name in code-point order. PostgreSQL:
    ``name COLLATE "C"``, the expression of the index of migration 0003 (the database's own collation
    would need a sort of every match: a surname is thousands of people at a million). SQLite's BINARY
    order is already code-point order. ``field``: another text column (or path) in the same order, so
    that a prefix means the same on both databases."""
    return Collate(field, "C") if connection.vendor == "postgresql" else F(field)


# Collations whose order is code-point order (glibc's C.UTF-8 sorts strictly by code point).
_CODE_POINT_COLLATIONS = {"C", "POSIX", "C.UTF-8", "C.utf8"}
_database_collations: dict[str, str] = {}


def number_order(field: str):
    """A number or code column (罪犯编号) in code-point order, for literal prefixes as ``name_order``. Its own
    index serves a prefix range when the database's collation is already code-point order (SQLite's
    BINARY; PostgreSQL created with "C" or "C.UTF-8"); on another collation ``COLLATE "C"`` keeps the
    prefix exact, without that index."""
    if connection.vendor != "postgresql":
        return F(field)
    name = connection.settings_dict["NAME"]
    if name not in _database_collations:
        with connection.cursor() as cursor:
            cursor.execute("SELECT datcollate FROM pg_database WHERE datname = current_database()")
            _database_collations[name] = cursor.fetchone()[0]
    return F(field) if _database_collations[name] in _CODE_POINT_COLLATIONS else Collate(field, "C")


def _after_prefix(prefix: str) -> str | None:
    """The first string after every string that starts with ``prefix``, in code-point order."""
    code = ord(prefix[-1]) + 1
    if code > 0x10FFFF:
        return None
    if 0xD800 <= code <= 0xDFFF:  # surrogates cannot be stored: the next character is U+E000
        code = 0xE000
    return prefix[:-1] + chr(code)


def _starts_with(alias: str, prefix: str) -> Q:
    """``prefix <= alias < _after_prefix(prefix)``: the values of ``alias`` (a ``name_order`` expression)
    that start with ``prefix`` taken literally (no ``LIKE`` wildcards), as a range an index can walk."""
    condition = Q(**{f"{alias}__gte": prefix})
    if (after := _after_prefix(prefix)) is not None:
        condition &= Q(**{f"{alias}__lt": after})
    return condition


def _id_number_query(q: str) -> str | None:
    """``q`` as an ID number (normalised) if it has the shape of one, else None."""
    number = normalise(q) if q else ""
    return number if ID_QUERY.match(number) else None


def people_search(
    user,
    *,
    q: str = "",
    unit_id: int | None = None,
    category: str | None = None,
    open_duplicates: bool = False,
) -> QuerySet[Person]:
    """People in the user's scope, by name (code-point order) and id. ``q``: an 18-character ID number is
    matched exactly (unique index); anything else is a name prefix, as the range
    ``q <= name < _after_prefix(q)`` on the name-order index, walked in the list's order with the scope
    checked for each match in turn, so that the first page and the capped count (``people_count``) stop
    early; ``unit_id`` keeps people with an episode there."""
    q = (q or "").strip()
    people = Person.objects.for_user(user, probe_each=bool(q)).alias(name_order=name_order())
    if number := _id_number_query(q):
        people = people.filter(id_number=number)
    elif q:
        people = people.filter(_starts_with("name_order", q))
    if unit_id:
        people = people.filter(Exists(Episode.objects.filter(person_id=OuterRef("pk"), unit_id=unit_id)))
    if category:
        people = people.filter(population_category=category)
    if open_duplicates:
        people = people.filter(pk__in=_open_duplicate_ids())
    return people.order_by(name_order().asc(), "id")


def people_count(people: QuerySet[Person]) -> tuple[int, bool]:
    """How many people a search found, counting no further than ``PEOPLE_COUNT_CAP``: ``(count, capped)``.

    One query (``capped_count``). For a name prefix, ``people_search`` has already shaped it so that it
    stops at the cap: the matches come from the name-order index range and each is probed for an episode
    in scope (``ExistsProbe``), so neither a hash of every episode of the user's units nor a scan of
    every match is possible, and no planner setting is needed.
    """
    return capped_count(people, PEOPLE_COUNT_CAP)


def _open_duplicate_ids():
    open_pairs = DuplicateReview.objects.filter(status=DuplicateReview.Status.OPEN)
    return open_pairs.values("person_id").union(open_pairs.values("other_id"))


def visible_episodes(user) -> QuerySet[Episode]:
    return Episode.objects.for_user(user).select_related("unit")


def person_detail(user, pk: int) -> Person:
    """One person through the scope (NotFound, audited, otherwise) with the episodes the user may see,
    each with its release-date changes and status history."""
    get_in_scope(Person, user, pk=pk)
    return (
        Person.objects.filter(pk=pk)
        .prefetch_related(
            Prefetch(
                "episodes",
                queryset=visible_episodes(user).prefetch_related(
                    Prefetch(
                        "release_changes", queryset=ReleaseDateChange.objects.select_related("created_by")
                    ),
                    Prefetch("status_changes", queryset=StatusChange.objects.select_related("to_unit")),
                ),
            )
        )
        .get()
    )


def current_episode(episodes) -> Episode | None:
    """The episode that decides eligibility: the latest active one, else the latest of any status."""
    episodes = sorted(episodes, key=lambda e: (e.term_start, e.pk), reverse=True)
    active = [e for e in episodes if e.status in ACTIVE_STATUSES]
    return (active or episodes or [None])[0]


def person_facts(person: Person, episode: Episode | None) -> PersonFacts:
    return PersonFacts(
        release_date=episode.expected_release_date if episode else None,
        term_start=episode.term_start if episode else None,
        has_skill=episode.has_skill if episode else None,
        can_study=episode.can_study if episode else None,
        labour_capacity=episode.labour_capacity if episode else None,
        birth_date=person.birth_date,
        population_category=person.population_category,
    )


NO_EPISODE = Decision(False, (Reason("no_episode", "无在押（在所）或矫正记录，无法判断是否为培训对象", ""),))


def eligibility_at(person: Person, at: date, episode: Episode | None = None) -> Decision:
    """Eligibility at ``at`` by the policy pack of the unit of the person's current episode."""
    if episode is None:
        episode = current_episode(list(person.episodes.all()))
    if episode is None:
        return NO_EPISODE
    return eligibility(person_facts(person, episode), get_pack(episode.unit.policy_pack), at)


@dataclass(frozen=True)
class EligibilityRow:
    person: Person
    episode: Episode
    decision: Decision


def eligibility_roster(user, *, unit: Organisation, at: date) -> QuerySet[Episode]:
    """Active episodes of a unit in scope, for ``eligibility_rows`` page by page."""
    _require_visible_unit(user, unit)
    return (
        Episode.objects.for_user(user)
        .filter(unit=unit, status__in=ACTIVE_STATUSES)
        .select_related("person", "unit")
        .order_by("expected_release_date", "id")
    )


def eligibility_rows(episodes, at: date) -> list[EligibilityRow]:
    return [EligibilityRow(e.person, e, eligibility_at(e.person, at, e)) for e in episodes]


def _require_visible_unit(user, unit: Organisation) -> None:
    if not Organisation.objects.visible_units(user).filter(pk=unit.pk).exists():
        raise NotFound("单位不存在或不在您的数据权限范围内")


def units_for_user(user) -> QuerySet[Organisation]:
    return Organisation.objects.visible_units(user).order_by("region_code", "name")


# ---- episodes ----------------------------------------------------------------------------------------------


def episode_search(
    user,
    *,
    q: str = "",
    unit_id: int | None = None,
    kind: str | None = None,
    status: str | None = None,
    release_from: date | None = None,
    release_to: date | None = None,
) -> QuerySet[Episode]:
    """Custody / supervision episodes at the user's units (``visible_episodes``), with person and unit, in
    expected-release-date order (a unit's list walks its (unit, release date) index). ``q``: an 18-character
    ID number matches the person's exactly; other letters and digits are a literal prefix of the
    罪犯编号/案件编号; anything else (Chinese) a literal prefix of the name, found through the people's name
    index as ``people_search`` does. ``release_from`` / ``release_to``: expected release date on or after /
    on or before. A ``unit_id`` outside the scope finds nothing."""
    q = (q or "").strip()
    # The person of each listed episode comes by a second query (not joined): joined, the database would
    # fetch the person of every episode sharing the first release date before the list's order is known.
    episodes = visible_episodes(user).prefetch_related("person")
    order = ("expected_release_date", "id")
    if number := _id_number_query(q):
        episodes = episodes.filter(person__id_number=number)
    elif q.isascii() and q:
        episodes = episodes.alias(number_order=number_order("inmate_number")).filter(
            _starts_with("number_order", q)
        )
    elif q:
        # In name order, the episodes of the people ``people_search`` finds: its first PEOPLE_COUNT_CAP + 1
        # (in the same order) hold the first PEOPLE_COUNT_CAP episodes, all a capped list shows.
        people = people_search(user, q=q).values("pk")[: PEOPLE_COUNT_CAP + 1]
        episodes = episodes.filter(person__in=people).alias(name_order=name_order("person__name"))
        order = ("name_order", "person_id", *order)
    if unit_id:
        episodes = episodes.filter(unit_id=unit_id)
    if kind:
        episodes = episodes.filter(kind=kind)
    if status:
        episodes = episodes.filter(status=status)
    if release_from:
        episodes = episodes.filter(expected_release_date__gte=release_from)
    if release_to:
        episodes = episodes.filter(expected_release_date__lte=release_to)
    return episodes.order_by(*order)


def episodes_count(episodes: QuerySet[Episode]) -> tuple[int, bool]:
    """How many episodes a search found, counting no further than ``PEOPLE_COUNT_CAP`` (a provincial
    bureau's list is every episode of the province): ``(count, capped)``. Counted in the list's own order,
    so the database walks the index the page walks and stops at the cap: without the order it would rather
    hash every episode of the scope against every person of a surname."""
    return capped_count(episodes, PEOPLE_COUNT_CAP, in_order=True)


# ---- the annual survey (摸排) ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyRow:
    person: Person
    episode: Episode
    decision: Decision
    first_eligible_on: date  # the first day of the year the remaining term is within the limit
    remaining_months_at_year_start: int


@dataclass(frozen=True)
class Survey:
    unit: Organisation
    year: int
    pack: PolicyPack
    release_from: date  # release dates after this day …
    release_until: date | None  # … and before (or on, if the pack is inclusive) this one
    eligible: list[SurveyRow]
    ineligible: list[SurveyRow]


def _term_ok(pack: PolicyPack, at: date, release: date) -> bool:
    rules = pack.eligibility
    if not rules.max_remaining_months:
        return release > at
    bound = add_months(at, rules.max_remaining_months.value)
    inclusive = bool(rules.remaining_months_inclusive and rules.remaining_months_inclusive.value)
    return at < release and (release < bound or (inclusive and release == bound))


def first_eligible_day(pack: PolicyPack, release: date, year_start: date) -> date:
    """The first day on or after ``year_start`` on which the remaining term is within the pack's limit."""
    limit = pack.eligibility.max_remaining_months
    if not limit:
        return year_start
    day = add_months(release, -limit.value)
    while not _term_ok(pack, day, release) and day < release:
        day += timedelta(days=1)
    while _term_ok(pack, day - timedelta(days=1), release):
        day -= timedelta(days=1)
    return max(day, year_start)


def survey(user, *, unit: Organisation, year: int) -> Survey:
    """People at ``unit`` eligible on some day of ``year``, by the unit's policy pack: those in custody (in the
    institution, under community correction) and those already released from it — released within the year,
    they were eligible in it before release (a survey of a past or the current year lists them; planning
    skips them). People transferred away are surveyed by the unit that received them.

    The date window is applied in SQL: the remaining term is within N months on some day d of the year
    exactly when the release date lies after 1 January and before ``add_months(31 December, N)`` (and the
    term has begun by 31 December). The pure rule is then applied at the first day of the year the term
    condition holds (or the term's first day, if later), so every person left out for another reason (has a
    skill, cannot study, age, category …) is listed with the reasons.
    """
    _require_visible_unit(user, unit)
    pack = get_pack(unit.policy_pack)
    year_start, year_end = date(year, 1, 1), date(year, 12, 31)
    episodes = (
        Episode.objects.for_user(user)
        .filter(
            unit=unit,
            status__in=(*ACTIVE_STATUSES, EpisodeStatus.RELEASED),
            expected_release_date__gt=year_start,
            term_start__lte=year_end,
        )
        .select_related("person", "unit")
        .order_by("expected_release_date", "person__name", "id")
    )
    until = None
    if limit := pack.eligibility.max_remaining_months:
        until = add_months(year_end, limit.value)
        inclusive = pack.eligibility.remaining_months_inclusive
        if inclusive and inclusive.value:
            episodes = episodes.filter(expected_release_date__lte=until)
        else:
            episodes = episodes.filter(expected_release_date__lt=until)
    eligible, ineligible = [], []
    for episode in episodes.iterator(chunk_size=2000):
        release = episode.expected_release_date
        on = max(first_eligible_day(pack, release, year_start), episode.term_start)
        decision = eligibility(person_facts(episode.person, episode), pack, on)
        row = SurveyRow(episode.person, episode, decision, on, remaining_months(year_start, release))
        (eligible if decision.allowed else ineligible).append(row)
    return Survey(unit, year, pack, year_start, until, eligible, ineligible)


def duplicate_queue(user, *, status: str = DuplicateReview.Status.OPEN) -> QuerySet[DuplicateReview]:
    reviews = DuplicateReview.objects.for_user(user).select_related("person", "other", "reviewed_by")
    if status:
        reviews = reviews.filter(status=status)
    return reviews.order_by("-created_at", "-id")
