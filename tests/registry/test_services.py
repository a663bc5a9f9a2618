from datetime import date

import pytest

from skillbridge.audit.models import AuditEvent
from skillbridge.errors import Conflict, Forbidden, ServiceError
from skillbridge.registry import services
from skillbridge.registry.idnumbers import make_id_number
from skillbridge.registry.models import DuplicateReview, Episode, Person, ReleaseDateChange, StatusChange

from .conftest import make_person, new_id

pytestmark = pytest.mark.django_db


def person_input(**overrides):
    return {
        "name": "李明",
        "id_number": make_id_number("320481", date(1990, 2, 3), 351),
        "population_category": "inmate",
        **overrides,
    }


EPISODE = {"inmate_number": "A001", "term_start": date(2022, 1, 1), "expected_release_date": date(2027, 1, 1)}


def test_create_derives_birth_date_and_sex(demo):
    person = services.person_create(
        actor=demo.user("ly_operator"), unit=demo.orgs["溧阳监狱"], person=person_input(), episode=EPISODE
    )
    assert (person.birth_date, person.sex, person.ethnicity) == (date(1990, 2, 3), "M", "汉族")
    event = AuditEvent.objects.get(action="person.create")
    assert make_id_number("320481", date(1990, 2, 3), 351) not in str(event.changes) + event.object_repr


def test_birth_date_mismatch_is_a_clear_error(demo):
    with pytest.raises(ServiceError) as exc:
        services.person_create(
            actor=None,
            unit=demo.orgs["溧阳监狱"],
            person=person_input(birth_date=date(1990, 2, 4)),
            episode=EPISODE,
        )
    assert exc.value.field == "birth_date"
    assert exc.value.message == "出生日期 1990-02-04 与身份证号码不符（身份证号码中为 1990-02-03）"
    assert Person.objects.count() == 0


def test_sex_mismatch_is_a_clear_error(demo):
    with pytest.raises(ServiceError) as exc:
        services.person_create(
            actor=None, unit=demo.orgs["溧阳监狱"], person=person_input(sex="F"), episode=EPISODE
        )
    assert exc.value.field == "sex"
    assert "与身份证号码不符" in exc.value.message


def test_release_before_start_is_refused(demo):
    episode = {**EPISODE, "expected_release_date": date(2021, 12, 31)}
    with pytest.raises(ServiceError) as exc:
        services.person_create(actor=None, unit=demo.orgs["溧阳监狱"], person=person_input(), episode=episode)
    assert exc.value.field == "expected_release_date"
    assert exc.value.message == "预计释放日期 2021-12-31 早于刑期起日 2022-01-01"


def test_id_numbers_are_unique(demo):
    services.person_create(actor=None, unit=demo.orgs["溧阳监狱"], person=person_input(), episode=EPISODE)
    with pytest.raises(Conflict):
        services.person_create(
            actor=None,
            unit=demo.orgs["新康监狱"],
            person=person_input(),
            episode={**EPISODE, "inmate_number": "B"},
        )
    assert Person.objects.count() == 1


def test_operator_of_another_unit_cannot_register_here(demo):
    with pytest.raises(Forbidden):
        services.person_create(
            actor=demo.user("ly_operator"), unit=demo.orgs["新康监狱"], person=person_input(), episode=EPISODE
        )
    assert Person.objects.count() == 0


def test_reviewer_cannot_register(demo):
    with pytest.raises(Forbidden):
        services.person_create(
            actor=demo.user("ly_reviewer"), unit=demo.orgs["溧阳监狱"], person=person_input(), episode=EPISODE
        )


def test_possible_duplicate_is_flagged_and_cleared_with_audit(demo):
    a = make_person(demo.orgs["溧阳监狱"], name="王强", birth=date(1985, 7, 1))
    b = make_person(demo.orgs["新康监狱"], name="王强", birth=date(1985, 7, 1))
    make_person(demo.orgs["新康监狱"], name="王强", birth=date(1985, 7, 2))
    review = DuplicateReview.objects.get()
    assert (review.person_id, review.other_id, review.status) == (a.pk, b.pk, "open")
    with pytest.raises(ServiceError):
        services.duplicate_clear(actor=demo.user("ly_reviewer"), review=review, note="")
    with pytest.raises(Forbidden):
        services.duplicate_clear(actor=demo.user("ly_operator"), review=review, note="不同人")
    services.duplicate_clear(actor=demo.user("ly_reviewer"), review=review, note="户籍地不同，非同一人")
    review.refresh_from_db()
    assert (review.status, review.reviewed_by.username) == ("cleared", "ly_reviewer")
    event = AuditEvent.objects.get(action="person.duplicate_clear")
    assert event.changes["note"] == "户籍地不同，非同一人"


def test_reveal_needs_role_and_reason_and_writes_one_event_without_the_number(demo):
    person = make_person(demo.orgs["溧阳监狱"])
    before = AuditEvent.objects.filter(action="person.reveal_id_number").count()
    with pytest.raises(Forbidden):
        services.person_reveal_id_number(actor=demo.user("ly_operator"), person=person, reason="核对身份")
    with pytest.raises(Forbidden):
        services.person_reveal_id_number(actor=demo.user("xk_reviewer"), person=person, reason="核对身份")
    with pytest.raises(ServiceError) as exc:
        services.person_reveal_id_number(actor=demo.user("ly_reviewer"), person=person, reason=" ")
    assert exc.value.field == "reason"
    assert AuditEvent.objects.filter(action="person.reveal_id_number").count() == before
    number = services.person_reveal_id_number(
        actor=demo.user("ly_reviewer"), person=person, reason="核对补贴申领人身份"
    )
    assert number == person.id_number
    events = AuditEvent.objects.filter(action="person.reveal_id_number")
    assert events.count() == 1
    event = events.get()
    assert event.changes["reason"] == "核对补贴申领人身份"
    assert event.actor.username == "ly_reviewer"
    assert person.id_number not in str(event.changes) + event.object_repr


def test_bureau_reviewer_in_scope_may_reveal_city_hrss_too(demo):
    person = make_person(demo.orgs["溧阳监狱"])
    assert services.can_reveal_id_number(demo.user("js_bureau_reviewer"), person)
    assert services.can_reveal_id_number(demo.user("cz_head"), person) is False  # 常州监狱 does not hold them
    assert not services.can_reveal_id_number(demo.user("ah_prison_bureau"), person)


def test_commutation_history_is_kept(demo):
    person = make_person(demo.orgs["溧阳监狱"], release=date(2030, 6, 30))
    episode = person.episodes.get()
    actor = demo.user("ly_operator")
    services.release_date_change(
        actor=actor,
        episode=episode,
        decided_on=date(2025, 3, 1),
        new_release_date=date(2029, 12, 31),
        reason="(2025)苏04刑更1号",
    )
    services.release_date_change(
        actor=actor,
        episode=episode,
        decided_on=date(2026, 3, 1),
        new_release_date=date(2029, 6, 30),
        reason="(2026)苏04刑更9号",
    )
    history = list(
        ReleaseDateChange.objects.filter(episode=episode).values_list("old_release_date", "new_release_date")
    )
    assert history == [(date(2030, 6, 30), date(2029, 12, 31)), (date(2029, 12, 31), date(2029, 6, 30))]
    episode.refresh_from_db()
    assert episode.expected_release_date == date(2029, 6, 30)
    with pytest.raises(ServiceError, match="不能晚于"):
        services.release_date_change(
            actor=actor,
            episode=episode,
            decided_on=date(2026, 4, 1),
            new_release_date=date(2029, 7, 1),
            reason="x",
        )
    with pytest.raises(ServiceError, match="早于刑期起日"):
        services.release_date_change(
            actor=actor,
            episode=episode,
            decided_on=date(2026, 4, 1),
            new_release_date=date(2019, 7, 1),
            reason="x",
        )
    assert ReleaseDateChange.objects.count() == 2


def test_transfer_opens_an_episode_at_the_receiving_unit(demo):
    person = make_person(demo.orgs["溧阳监狱"], number="LY1")
    episode = person.episodes.get()
    services.episode_status_change(
        actor=demo.user("ly_operator"),
        episode=episode,
        to_status="transferred",
        changed_on=date(2026, 5, 1),
        to_unit=demo.orgs["新康监狱"],
        new_inmate_number="XK9",
    )
    episodes = {e.unit.name: (e.inmate_number, e.status) for e in Episode.objects.filter(person=person)}
    assert episodes == {"溧阳监狱": ("LY1", "transferred"), "新康监狱": ("XK9", "in_custody")}
    change = StatusChange.objects.get()
    assert (change.from_status, change.to_status, change.to_unit.name) == (
        "in_custody",
        "transferred",
        "新康监狱",
    )
    assert Person.objects.for_user(demo.user("xk_operator")).filter(pk=person.pk).exists()
    released = Episode.objects.get(unit=demo.orgs["新康监狱"], person=person)
    services.episode_status_change(
        actor=demo.user("xk_operator"), episode=released, to_status="released", changed_on=date(2026, 9, 1)
    )
    with pytest.raises(Conflict):
        services.episode_status_change(
            actor=demo.user("xk_operator"),
            episode=released,
            to_status="transferred",
            changed_on=date(2026, 9, 2),
            to_unit=demo.orgs["溧阳监狱"],
        )


def test_for_user_has_no_duplicates_with_two_episodes_in_scope(demo):
    person = make_person(demo.orgs["溧阳监狱"])
    services.episode_create(
        actor=None,
        person=person,
        unit=demo.orgs["新康监狱"],
        fields={
            "inmate_number": "X2",
            "term_start": date(2020, 1, 1),
            "expected_release_date": date(2027, 1, 1),
        },
    )
    bureau = demo.user("js_bureau_reviewer")
    assert list(Person.objects.for_user(bureau)) == [person]
    assert Person.objects.for_user(demo.user("ah_prison_operator")).count() == 0
    assert Person.objects.for_user(demo.user("cz_hrss_reviewer")).count() == 1


def test_update_checks_identity_again(demo):
    person = make_person(demo.orgs["溧阳监狱"])
    wrong = person.id_number[:17] + ("0" if person.id_number[17] != "0" else "1")
    with pytest.raises(ServiceError, match="校验位错误"):
        services.person_update(actor=demo.user("ly_operator"), person=person, changes={"id_number": wrong})
    services.person_update(actor=demo.user("ly_operator"), person=person, changes={"phone": "13900000000"})
    person.refresh_from_db()
    assert person.phone == "13900000000"
    assert new_id()  # the helper keeps producing valid numbers


def test_flag_duplicates_of_probes_runs_of_keys_once_per_pair(demo):
    from skillbridge.registry.services import _runs, flag_duplicates_of

    assert _runs([7, 3, 4, 5, 9, 10, 4]) == [(3, 5), (7, 7), (9, 10)]
    unit = demo.orgs["溧阳监狱"]
    same = {"name": "赵六", "birth": date(1979, 2, 3)}
    a = make_person(unit, **same)
    filler = make_person(unit, name="钱七")
    b = make_person(unit, **same)
    c = make_person(unit, **same)
    make_person(unit, name="赵六", birth=date(1979, 2, 4))
    DuplicateReview.objects.all().delete()
    assert flag_duplicates_of([b.pk, c.pk, filler.pk]) == 3  # b–a, c–a, b–c
    pairs = set(DuplicateReview.objects.values_list("person_id", "other_id"))
    assert pairs == {(a.pk, b.pk), (a.pk, c.pk), (b.pk, c.pk)}
    assert flag_duplicates_of([a.pk]) == 0  # already open: none twice
    assert DuplicateReview.objects.count() == 3
