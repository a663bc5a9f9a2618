"""Every write to people and episodes: one transaction and one audit event each.

Who may write: an operator (经办) or unit head (负责人) whose visible units include the unit of the
episode concerned (for a person: one of the person's units).

Who may see a full ID number (``can_reveal_id_number``): a reviewer (审核) or unit head (负责人) of an
organisation whose scope includes the person — the unit holding one of the person's episodes, or a
bureau whose scope covers that unit — and only with a stated reason; each reveal is one audit event
``person.reveal_id_number`` with the reason (never the number itself).
"""

from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from skillbridge.accounts.models import Organisation, Role
from skillbridge.audit.services import audit_record
from skillbridge.errors import Conflict, Forbidden, ServiceError

from .idnumbers import InvalidIdNumber, mask_id_number, parse_id_number
from .models import (
    CATEGORY_CHOICES,
    INITIAL_STATUS,
    STATUS_MOVES,
    DuplicateReview,
    Education,
    Episode,
    EpisodeKind,
    EpisodeStatus,
    Person,
    ReleaseDateChange,
    Sex,
    StatusChange,
)

WRITE_ROLES = (Role.OPERATOR, Role.UNIT_HEAD)
REVEAL_ROLES = (Role.REVIEWER, Role.UNIT_HEAD)
PERSON_FIELDS = (
    "name",
    "id_number",
    "birth_date",
    "sex",
    "ethnicity",
    "education",
    "household_registration",
    "population_category",
    "is_disabled",
    "is_low_income",
    "phone",
)
EPISODE_FIELDS = (
    "kind",
    "inmate_number",
    "term_start",
    "term_end",
    "expected_release_date",
    "labour_capacity",
    "has_skill",
    "skill",
    "can_study",
    "employment_intention",
)
CATEGORY_CODES = {code for code, _ in CATEGORY_CHOICES}


# ---- checks shared with the importer and forms ---------------------------------------------------------


def check_identity(id_number: str, birth_date: date | None, sex: str | None):
    """Validate the ID number and compare the entered birth date and sex with the ones it encodes.

    Returns the parsed number; raises ServiceError naming the field at fault.
    """
    try:
        info = parse_id_number(id_number)
    except InvalidIdNumber as exc:
        raise ServiceError(str(exc), field="id_number") from None
    if birth_date and birth_date != info.birth_date:
        raise ServiceError(
            f"出生日期 {birth_date:%Y-%m-%d} 与身份证号码不符（身份证号码中为 {info.birth_date:%Y-%m-%d}）",
            field="birth_date",
        )
    if sex and sex != info.sex:
        raise ServiceError(
            f"性别“{Sex(sex).label}”与身份证号码不符（身份证号码第17位表示“{Sex(info.sex).label}”）",
            field="sex",
        )
    return info


def check_term(term_start: date | None, term_end: date | None, release: date | None) -> None:
    if term_start and release and release < term_start:
        raise ServiceError(
            f"预计释放日期 {release:%Y-%m-%d} 早于刑期起日 {term_start:%Y-%m-%d}",
            field="expected_release_date",
        )
    if term_start and term_end and term_end < term_start:
        raise ServiceError(
            f"刑期止日 {term_end:%Y-%m-%d} 早于刑期起日 {term_start:%Y-%m-%d}", field="term_end"
        )


def _require_unit_writer(actor, unit: Organisation) -> None:
    """`actor=None` is the platform itself (generator, demo loader)."""
    if actor is None:
        return
    if not actor.has_role(*WRITE_ROLES):
        raise Forbidden("需要经办或负责人角色才能登记、修改人员信息")
    if not Organisation.objects.visible_units(actor).filter(pk=unit.pk).exists():
        raise Forbidden(f"“{unit.name}”不在您的数据权限范围内")


def _require_person_writer(actor, person: Person) -> None:
    if actor is None:
        return
    if not actor.has_role(*WRITE_ROLES):
        raise Forbidden("需要经办或负责人角色才能登记、修改人员信息")
    if not Person.objects.for_user(actor).filter(pk=person.pk).exists():
        raise Forbidden("该人员不在您的数据权限范围内")


def _clean_person(data: dict) -> dict:
    data = {k: v for k, v in data.items() if k in PERSON_FIELDS}
    data["name"] = (data.get("name") or "").strip()
    if not data["name"]:
        raise ServiceError("姓名不能为空", field="name")
    info = check_identity(data.get("id_number", ""), data.get("birth_date"), data.get("sex") or None)
    data.update(id_number=info.number, birth_date=info.birth_date, sex=info.sex)
    if data.get("population_category") not in CATEGORY_CODES:
        raise ServiceError("请选择人员类别", field="population_category")
    if data.get("education") and data["education"] not in Education.values:
        raise ServiceError(f"未知的文化程度：{data['education']}", field="education")
    data["ethnicity"] = (data.get("ethnicity") or "").strip() or "汉族"
    for key in ("household_registration", "phone", "education"):
        data[key] = (data.get(key) or "").strip()
    for key in ("is_disabled", "is_low_income"):
        data[key] = bool(data.get(key))
    return data


def _clean_episode(data: dict) -> dict:
    data = {k: v for k, v in data.items() if k in EPISODE_FIELDS}
    data["inmate_number"] = (data.get("inmate_number") or "").strip()
    if not data["inmate_number"]:
        raise ServiceError("罪犯编号（案件编号）不能为空", field="inmate_number")
    data.setdefault("kind", EpisodeKind.CUSTODY)
    if data["kind"] not in EpisodeKind.values:
        raise ServiceError(f"未知的类型：{data['kind']}", field="kind")
    if not data.get("term_start"):
        raise ServiceError("刑期（隔离期）起日不能为空", field="term_start")
    if not data.get("expected_release_date"):
        raise ServiceError("预计释放（解除）日期不能为空", field="expected_release_date")
    check_term(data["term_start"], data.get("term_end"), data["expected_release_date"])
    for key in ("skill", "employment_intention"):
        data[key] = (data.get(key) or "").strip()
    return data


def flag_duplicates(people: list[Person]) -> int:
    """Open a review for each pair with the same name and birth date but a different ID number."""
    return flag_duplicate_keys([(p.pk, p.name, p.birth_date) for p in people])


_KEYS_PER_QUERY = 2000


def _same_name_and_birth(keys: list[tuple[str, date]]) -> list[tuple[int, str, str]]:
    """``(pk, name, birth date as text)`` of every person with one of the (name, birth date) ``keys``: a join
    to the keys on the (birth_date, name) index, one probe per key however large the registry."""
    table = Person._meta.db_table
    found: list[tuple[int, str, str]] = []
    with connection.cursor() as cursor:
        for i in range(0, len(keys), _KEYS_PER_QUERY):
            chunk = keys[i : i + _KEYS_PER_QUERY]
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"SELECT p.id, p.name, p.birth_date::text FROM {table} p "
                    "JOIN unnest(%s::varchar[], %s::date[]) AS k(name, birth) "
                    "ON p.birth_date = k.birth AND p.name = k.name",
                    [[n for n, _ in chunk], [b for _, b in chunk]],
                )
            else:
                values = ", ".join(["(%s, %s)"] * len(chunk))
                cursor.execute(
                    f"WITH k(name, birth) AS (VALUES {values}) SELECT p.id, p.name, p.birth_date FROM {table} p "
                    "JOIN k ON p.birth_date = k.birth AND p.name = k.name",
                    [v for n, b in chunk for v in (n, b.isoformat())],
                )
            found.extend(cursor.fetchall())
    return found


def flag_duplicate_keys(people: list[tuple[int, str, date]]) -> int:
    """``flag_duplicates`` for ``(pk, name, birth_date)`` tuples (the importer's rows, no model instances)."""
    if not people:
        return 0
    groups: dict[tuple[str, str], set[int]] = {}
    for pk, name, birth in _same_name_and_birth(sorted({(name, birth) for _, name, birth in people})):
        groups.setdefault((name, str(birth)), set()).add(pk)
    pairs = set()
    for pk, name, birth in people:
        for other in groups.get((name, birth.isoformat()), ()):
            if other != pk:
                pairs.add((min(pk, other), max(pk, other)))
    return _open_reviews(pairs)


_RANGES_PER_QUERY = 500


def _runs(pks: list[int]) -> list[tuple[int, int]]:
    """Sorted ``pks`` as runs of consecutive values: an import's new people are one or a few runs."""
    runs: list[list[int]] = []
    for pk in sorted(set(pks)):
        if runs and runs[-1][1] == pk - 1:
            runs[-1][1] = pk
        else:
            runs.append([pk, pk])
    return [(a, b) for a, b in runs]


def flag_duplicates_of(pks: list[int]) -> int:
    """``flag_duplicates`` for the people with these primary keys, set-based: the people are walked by
    primary-key range and each is probed on the (birth_date, name) index for others with the same key,
    one query per ``_RANGES_PER_QUERY`` runs of consecutive keys (so one query for a whole import of new
    people), however many people."""
    if not pks:
        return 0
    table = Person._meta.db_table
    pairs: set[tuple[int, int]] = set()
    runs = _runs(pks)
    with connection.cursor() as cursor:
        for i in range(0, len(runs), _RANGES_PER_QUERY):
            chunk = runs[i : i + _RANGES_PER_QUERY]
            where = " OR ".join(["p.id BETWEEN %s AND %s"] * len(chunk))
            cursor.execute(
                f"SELECT p.id, q.id FROM {table} p JOIN {table} q "
                f"ON q.birth_date = p.birth_date AND q.name = p.name AND q.id <> p.id WHERE {where}",
                [v for run in chunk for v in run],
            )
            pairs.update((min(a, b), max(a, b)) for a, b in cursor.fetchall())
    return _open_reviews(pairs)


def _open_reviews(pairs: set[tuple[int, int]]) -> int:
    """A pending review for each (smaller pk, larger pk) pair that has none yet; how many were opened."""
    if not pairs:
        return 0
    existing = set(
        DuplicateReview.objects.filter(
            person_id__in={a for a, _ in pairs}, other_id__in={b for _, b in pairs}
        ).values_list("person_id", "other_id")
    )
    new = [DuplicateReview(person_id=a, other_id=b) for a, b in sorted(pairs - existing)]
    DuplicateReview.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


# ---- people --------------------------------------------------------------------------------------------


@transaction.atomic
def person_create(*, actor, unit: Organisation, person: dict, episode: dict) -> Person:
    """Register a person with their first episode at ``unit`` (a person without one would be invisible)."""
    _require_unit_writer(actor, unit)
    person_data = _clean_person(person)
    episode_data = _clean_episode(episode)
    if Person.objects.filter(id_number=person_data["id_number"]).exists():
        raise Conflict("该身份证号码已登记，请在人员列表中查找后添加羁押记录", field="id_number")
    if Episode.objects.filter(unit=unit, inmate_number=episode_data["inmate_number"]).exists():
        raise Conflict(f"“{unit.name}”已有编号为{episode_data['inmate_number']}的记录", field="inmate_number")
    created = Person.objects.create(**person_data)
    Episode.objects.create(
        person=created, unit=unit, status=INITIAL_STATUS[EpisodeKind(episode_data["kind"])], **episode_data
    )
    duplicates = flag_duplicates([created])
    audit_record(
        action="person.create",
        actor=actor,
        obj=created,
        changes={"unit": unit.pk, "inmate_number": episode_data["inmate_number"], "duplicates": duplicates},
    )
    return created


@transaction.atomic
def person_update(*, actor, person: Person, changes: dict) -> Person:
    _require_person_writer(actor, person)
    person = Person.objects.select_for_update().get(pk=person.pk)
    data = _clean_person({**{f: getattr(person, f) for f in PERSON_FIELDS}, **changes})
    if data["id_number"] != person.id_number and Person.objects.filter(id_number=data["id_number"]).exists():
        raise Conflict("该身份证号码已登记给另一人员", field="id_number")
    changed = {f: str(data[f]) for f in PERSON_FIELDS if data[f] != getattr(person, f)}
    for key, value in data.items():
        setattr(person, key, value)
    person.save()
    if {"name", "id_number"} & changed.keys():
        flag_duplicates([person])
    audit_record(action="person.update", actor=actor, obj=person, changes=changed)
    return person


def can_reveal_id_number(user, person: Person) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and user.has_role(*REVEAL_ROLES)
        and Person.objects.for_user(user).filter(pk=person.pk).exists()
    )


@transaction.atomic
def person_reveal_id_number(*, actor, person: Person, reason: str) -> str:
    """The full number, for a permitted user with a reason; one audit event without the number."""
    reason = (reason or "").strip()
    if not can_reveal_id_number(actor, person):
        raise Forbidden("只有本单位（或上级主管单位）的审核人员、负责人可以查看完整身份证号码")
    if len(reason) < 2:
        raise ServiceError("请填写查看完整身份证号码的事由", field="reason")
    audit_record(
        action="person.reveal_id_number",
        actor=actor,
        obj=person,
        changes={"reason": reason[:500], "id_number": mask_id_number(person.id_number)},
    )
    return person.id_number


@transaction.atomic
def person_export_reveal(*, actor, what: str, count: int, reason: str) -> None:
    """An export with full ID numbers: the same permission (role) and a reason, audited once per file."""
    reason = (reason or "").strip()
    if actor is None or not actor.has_role(*REVEAL_ROLES):
        raise Forbidden("只有审核人员、负责人可以导出完整身份证号码")
    if len(reason) < 2:
        raise ServiceError("请填写导出完整身份证号码的事由", field="reason")
    audit_record(
        action="person.export_id_numbers",
        actor=actor,
        object_type="registry.person",
        object_repr=what[:200],
        changes={"reason": reason[:500], "count": count},
    )


@transaction.atomic
def duplicate_clear(*, actor, review: DuplicateReview, note: str) -> DuplicateReview:
    """A reviewer confirms the two records are different people (the flag is closed, audited)."""
    if not actor.has_role(*REVEAL_ROLES):
        raise Forbidden("需要审核或负责人角色才能核查疑似重复人员")
    if not DuplicateReview.objects.for_user(actor).filter(pk=review.pk).exists():
        raise Forbidden("该记录不在您的数据权限范围内")
    review = DuplicateReview.objects.select_for_update().get(pk=review.pk)
    if review.status != DuplicateReview.Status.OPEN:
        raise Conflict("该疑似重复记录已核查")
    note = (note or "").strip()
    if not note:
        raise ServiceError("请填写核查说明", field="note")
    review.status = DuplicateReview.Status.CLEARED
    review.note = note[:500]
    review.reviewed_by = actor
    review.reviewed_at = timezone.now()
    review.save()
    audit_record(
        action="person.duplicate_clear",
        actor=actor,
        obj=review,
        object_repr=f"人员 {review.person_id} 与 {review.other_id}",
        changes={"person": review.person_id, "other": review.other_id, "note": review.note},
    )
    return review


# ---- episodes ------------------------------------------------------------------------------------------


@transaction.atomic
def episode_create(*, actor, person: Person, unit: Organisation, fields: dict) -> Episode:
    _require_unit_writer(actor, unit)
    data = _clean_episode(fields)
    if Episode.objects.filter(unit=unit, inmate_number=data["inmate_number"]).exists():
        raise Conflict(f"“{unit.name}”已有编号为{data['inmate_number']}的记录", field="inmate_number")
    episode = Episode.objects.create(
        person=person, unit=unit, status=INITIAL_STATUS[EpisodeKind(data["kind"])], **data
    )
    audit_record(
        action="episode.create",
        actor=actor,
        obj=episode,
        organisation=unit if actor is None else None,
        changes={"person": person.pk, **{k: str(v) for k, v in data.items()}},
    )
    return episode


@transaction.atomic
def episode_update(*, actor, episode: Episode, fields: dict) -> Episode:
    """Edit the facts of an episode; the release date changes only through ``release_date_change``."""
    _require_unit_writer(actor, episode.unit)
    episode = Episode.objects.select_for_update().get(pk=episode.pk)
    current = {f: getattr(episode, f) for f in EPISODE_FIELDS}
    fields = {k: v for k, v in fields.items() if k != "expected_release_date"}
    data = _clean_episode({**current, **fields})
    if (
        data["inmate_number"] != episode.inmate_number
        and Episode.objects.filter(unit=episode.unit_id, inmate_number=data["inmate_number"]).exists()
    ):
        raise Conflict(f"本单位已有编号为{data['inmate_number']}的记录", field="inmate_number")
    changed = {k: str(v) for k, v in data.items() if v != current[k]}
    for key, value in data.items():
        setattr(episode, key, value)
    episode.save()
    audit_record(action="episode.update", actor=actor, obj=episode, changes=changed)
    return episode


@transaction.atomic
def release_date_change(
    *,
    actor,
    episode: Episode,
    decided_on: date,
    new_release_date: date,
    reason: str,
    kind: str = ReleaseDateChange.Kind.COMMUTATION,
) -> ReleaseDateChange:
    """Record a commutation (减刑) or other change: the episode gets the new date, the old one is kept."""
    _require_unit_writer(actor, episode.unit)
    episode = Episode.objects.select_for_update().get(pk=episode.pk)
    reason = (reason or "").strip()
    if kind not in ReleaseDateChange.Kind.values:
        raise ServiceError(f"未知的变更类型：{kind}", field="kind")
    if not reason:
        raise ServiceError("请填写变更依据（如减刑裁定书文号）", field="reason")
    if new_release_date == episode.expected_release_date:
        raise ServiceError("新预计释放日期与原日期相同", field="new_release_date")
    if kind == ReleaseDateChange.Kind.COMMUTATION and new_release_date > episode.expected_release_date:
        raise ServiceError("减刑后的释放日期不能晚于原预计释放日期", field="new_release_date")
    if decided_on < episode.term_start:
        raise ServiceError("裁定日期不能早于刑期起日", field="decided_on")
    check_term(episode.term_start, None, new_release_date)
    change = ReleaseDateChange.objects.create(
        episode=episode,
        kind=kind,
        decided_on=decided_on,
        old_release_date=episode.expected_release_date,
        new_release_date=new_release_date,
        reason=reason[:500],
        created_by=actor,
    )
    episode.expected_release_date = new_release_date
    episode.save(update_fields=["expected_release_date", "updated_at"])
    audit_record(
        action="episode.release_date_change",
        actor=actor,
        obj=episode,
        changes={
            "kind": kind,
            "decided_on": decided_on,
            "old": change.old_release_date,
            "new": new_release_date,
            "reason": change.reason,
        },
    )
    return change


@transaction.atomic
def episode_status_change(
    *,
    actor,
    episode: Episode,
    to_status: str,
    changed_on: date,
    to_unit: Organisation | None = None,
    new_inmate_number: str = "",
    note: str = "",
) -> StatusChange:
    """Move an episode along in custody → transferred / released → community correction.

    A transfer names the receiving unit: the episode here closes as 已调出 and a new episode opens there
    with the same terms (the receiving unit's number, or the same one if none is given).
    """
    _require_unit_writer(actor, episode.unit)
    episode = Episode.objects.select_for_update().select_related("person").get(pk=episode.pk)
    if to_status not in EpisodeStatus.values:
        raise ServiceError(f"未知的状态：{to_status}", field="to_status")
    if to_status not in STATUS_MOVES[EpisodeStatus(episode.status)]:
        raise Conflict(
            f"状态不能从“{episode.get_status_display()}”变为“{EpisodeStatus(to_status).label}”",
            field="to_status",
        )
    if changed_on < episode.term_start:
        raise ServiceError("变动日期不能早于刑期起日", field="changed_on")
    if to_status == EpisodeStatus.TRANSFERRED:
        if to_unit is None:
            raise ServiceError("调出时须选择调往单位", field="to_unit")
        if to_unit.pk == episode.unit_id:
            raise ServiceError("调往单位不能是本单位", field="to_unit")
        if to_unit.org_type not in ("prison", "rehab_centre", "community_correction_office"):
            raise ServiceError("调往单位须为监狱、戒毒所或社区矫正机构", field="to_unit")
    elif to_unit is not None:
        raise ServiceError("只有调出时才填写调往单位", field="to_unit")
    change = StatusChange.objects.create(
        episode=episode,
        from_status=episode.status,
        to_status=to_status,
        changed_on=changed_on,
        to_unit=to_unit,
        note=(note or "").strip()[:500],
        created_by=actor,
    )
    episode.status = to_status
    episode.save(update_fields=["status", "updated_at"])
    opened = None
    if to_unit is not None:
        number = (new_inmate_number or "").strip() or episode.inmate_number
        if Episode.objects.filter(unit=to_unit, inmate_number=number).exists():
            raise Conflict(f"“{to_unit.name}”已有编号为{number}的记录", field="new_inmate_number")
        opened = Episode.objects.create(
            person=episode.person,
            unit=to_unit,
            status=INITIAL_STATUS[EpisodeKind(episode.kind)],
            **{f: getattr(episode, f) for f in EPISODE_FIELDS if f != "inmate_number"},
            inmate_number=number,
        )
    audit_record(
        action="episode.status_change",
        actor=actor,
        obj=episode,
        changes={
            "from": change.from_status,
            "to": to_status,
            "on": changed_on,
            "to_unit": to_unit.pk if to_unit else None,
            "new_episode": opened.pk if opened else None,
        },
    )
    return change
