from datetime import date

import pytest

from skillbridge.policy.rules import add_months
from skillbridge.registry import selectors, services
from skillbridge.registry.models import Person

from .conftest import make_person

pytestmark = pytest.mark.django_db
AT = date(2026, 3, 1)


def decide(person, at=AT):
    return selectors.eligibility_at(Person.objects.get(pk=person.pk), at)


def codes(decision):
    return [r.code for r in decision.reasons]


def test_changzhou_release_exactly_24_months_later_is_not_eligible(demo):
    unit = demo.orgs["溧阳监狱"]
    exact = make_person(unit, release=add_months(AT, 24))
    day_before = make_person(unit, release=date(2028, 2, 29))
    assert add_months(AT, 24) == date(2028, 3, 1)
    assert codes(decide(exact)) == ["remaining_term"]
    assert decide(exact).reasons[0].message.startswith("剩余刑期 24 个月，须不足 24 个月")
    ok = decide(day_before)
    assert (ok.allowed, ok.value, ok.reasons) == (True, 23, ())


def test_changzhou_skill_and_study(demo):
    unit = demo.orgs["新康监狱"]
    skilled = make_person(unit, release=date(2027, 1, 1), has_skill=True)
    cannot = make_person(unit, release=date(2027, 1, 1), can_study=False)
    unknown = make_person(unit, release=date(2027, 1, 1), can_study=None)
    assert codes(decide(skilled)) == ["has_skill"]
    assert codes(decide(cannot)) == ["cannot_study"]
    assert codes(decide(unknown)) == ["cannot_study_unknown"]
    assert "常司发〔2022〕42号 三" in decide(skilled).reasons[0].message


def test_anhui_twelve_months_and_working_age(demo):
    unit = demo.orgs["安徽省蜀山监狱"]
    exact = make_person(unit, release=add_months(AT, 12), has_skill=True)  # a skill does not matter in Anhui
    day_before = make_person(unit, release=date(2027, 2, 28), has_skill=True)
    sixty = make_person(unit, release=date(2026, 9, 1), birth=date(1966, 3, 1))
    fifty_nine = make_person(unit, release=date(2026, 9, 1), birth=date(1966, 3, 2))
    no_labour = make_person(unit, release=date(2026, 9, 1), labour=False)
    assert codes(decide(exact)) == ["remaining_term"]
    assert decide(day_before).allowed
    assert codes(decide(sixty)) == ["working_age"]
    assert "年龄 60 周岁" in decide(sixty).reasons[0].message
    assert decide(fifty_nine).allowed
    assert codes(decide(no_labour)) == ["no_labour_capacity"]


def test_anhui_rehab_centre_uses_isolation_wording(demo):
    person = make_person(
        demo.orgs["安徽省合肥强制隔离戒毒所"],
        release=date(2028, 1, 1),
        category="drug_rehab",
        kind="isolation",
    )
    assert decide(person).reasons[0].message.startswith("强制隔离余期")


def test_commutation_makes_a_person_eligible(demo):
    from skillbridge.registry import services

    person = make_person(demo.orgs["溧阳监狱"], release=date(2029, 1, 1))
    assert not decide(person).allowed
    services.release_date_change(
        actor=None,
        episode=person.episodes.get(),
        decided_on=date(2026, 2, 1),
        new_release_date=date(2027, 12, 1),
        reason="减刑",
    )
    assert decide(person).allowed


def test_survey_for_a_year(demo):
    unit = demo.orgs["溧阳监狱"]
    make_person(unit, name="甲", release=date(2027, 1, 2))  # eligible from 1 January
    make_person(unit, name="乙", release=date(2028, 12, 31))  # 23 months left on 1 January
    make_person(unit, name="丙", release=date(2029, 1, 1))  # exactly 24 months on 1 January: from 2 January
    make_person(unit, name="丁", release=date(2029, 12, 30))  # eligible on 31 December only
    make_person(unit, name="戊", release=date(2029, 12, 31))  # never under 24 months in 2027
    make_person(unit, name="己", release=date(2027, 1, 1))  # released on the first day
    make_person(unit, name="庚", release=date(2027, 6, 1), has_skill=True)  # in the window, has a skill
    make_person(demo.orgs["新康监狱"], name="辛", release=date(2027, 6, 1))  # another unit
    released = make_person(unit, name="壬", release=date(2027, 3, 1))  # eligible in 2027 until released
    moved = make_person(unit, name="癸", release=date(2027, 6, 1))  # transferred: surveyed by 新康监狱
    operator = demo.user("ly_operator")
    services.episode_status_change(
        actor=operator, episode=released.episodes.get(), to_status="released", changed_on=date(2027, 3, 1)
    )
    services.episode_status_change(
        actor=operator,
        episode=moved.episodes.get(),
        to_status="transferred",
        changed_on=date(2026, 12, 1),
        to_unit=demo.orgs["新康监狱"],
    )
    result = selectors.survey(demo.user("ly_operator"), unit=unit, year=2027)
    assert (result.release_from, result.release_until) == (date(2027, 1, 1), date(2029, 12, 31))
    eligible = [
        (r.person.name, r.first_eligible_on, r.remaining_months_at_year_start) for r in result.eligible
    ]
    assert eligible == [
        ("甲", date(2027, 1, 1), 0),
        ("壬", date(2027, 1, 1), 2),
        ("乙", date(2027, 1, 1), 23),
        ("丙", date(2027, 1, 2), 24),
        ("丁", date(2027, 12, 31), 35),
    ]
    assert [(r.person.name, [x.code for x in r.decision.reasons]) for r in result.ineligible] == [
        ("庚", ["has_skill"])
    ]
    assert [r.episode.status for r in result.eligible if r.person.name == "壬"] == ["released"]
    # A survey of the next year no longer has 壬 (released before it), nor anyone released before 2028.
    assert "壬" not in [r.person.name for r in selectors.survey(operator, unit=unit, year=2028).eligible]


def test_survey_counts_a_new_admission_from_its_first_day(demo):
    unit = demo.orgs["溧阳监狱"]
    make_person(unit, name="子", release=date(2028, 1, 1), start=date(2027, 5, 1))  # admitted during 2027
    make_person(unit, name="丑", release=date(2029, 1, 1), start=date(2028, 2, 1))  # admitted after 2027
    result = selectors.survey(demo.user("ly_operator"), unit=unit, year=2027)
    assert [(r.person.name, r.first_eligible_on) for r in result.eligible] == [("子", date(2027, 5, 1))]
    assert result.ineligible == []


def test_survey_of_a_unit_out_of_scope_is_not_found(demo):
    from skillbridge.errors import NotFound

    with pytest.raises(NotFound):
        selectors.survey(demo.user("ly_operator"), unit=demo.orgs["新康监狱"], year=2027)
