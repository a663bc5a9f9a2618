"""Line checks against a pack: Anhui's per-person cap (incl. assessment), eligibility warnings at enrolment,
lines of the same claim counting for each other."""

import datetime as dt
from decimal import Decimal

from skillbridge.policy.loader import get_pack
from skillbridge.subsidies import services
from skillbridge.subsidies.checks import ClaimFacts, LineFacts, check_lines
from skillbridge.training.models import Enrolment

from .conftest import history_line, line_of

D = dt.date


def facts(person, certificate_id, *, amount="200.00", occupation_id=1, level_id=5, year=2026):
    return LineFacts(
        person_id=person.pk,
        certificate_id=certificate_id,
        certificate_person_id=person.pk,
        certificate_status="valid",
        certificate_unit_id=person_unit(person),
        certificate_class_id=None,
        certificate_date=D(year, 6, 1),
        occupation_id=occupation_id,
        special_item_id=None,
        level_id=level_id,
        amount=Decimal(amount),
        standard_amount=Decimal(amount),
        year=year,
    )


def person_unit(person):
    return person.episodes.first().unit_id


def claim_facts(unit_id):
    return ClaimFacts(
        kind="assessment",
        unit_id=unit_id,
        claim_id=None,
        training_class_id=None,
        class_approved=True,
        class_ended_on=None,
        data_entered_on=None,
    )


def test_anhui_cap_counts_training_and_assessment(cz, trainees):
    person = trainees[0]
    history_line(cz, person, amount="1000.00", on=D(2026, 3, 1))  # a training subsidy of 1000 yuan
    anhui = get_pack("anhui")
    [(within, _)] = check_lines(
        [facts(person, 900001, amount="200.00")], claim_facts(person_unit(person)), anhui
    )
    assert within == "ok"
    [(over, results)] = check_lines(
        [facts(person, 900002, amount="200.01")], claim_facts(person_unit(person)), anhui
    )
    assert over == "block"
    failing = [r for r in results if r["outcome"] != "ok"]
    assert [r["code"] for r in failing] == ["per_person_cap"]
    assert (
        "已支出 1000.00 元，本次 200.01 元，合计 1200.01 元，超过人均 1200.00 元标准（含技能鉴定费）"
        in failing[0]["message"]
    )
    # The same person twice in one claim: the first line counts for the second.
    two = check_lines(
        [facts(person, 900003, amount="150.00"), facts(person, 900004, amount="100.00", occupation_id=2)],
        claim_facts(person_unit(person)),
        anhui,
    )
    assert [outcome for outcome, _ in two] == ["ok", "block"]


def test_changzhou_yearly_cap_counts_lines_earlier_in_the_same_claim(cz, trainees):
    person = trainees[1]
    history_line(cz, person, on=D(2026, 1, 5))
    history_line(cz, person, occupation="4-04-05-01", on=D(2026, 2, 5))
    lines = [facts(person, 900010 + i, amount="1200.00", occupation_id=10 + i) for i in range(2)]
    outcomes = check_lines(lines, claim_facts(person_unit(person)), get_pack("changzhou"))
    assert [outcome for outcome, _ in outcomes] == ["ok", "flag"]


def test_enrolment_warning_is_flagged(cz, certified_class):
    Enrolment.objects.filter(training_class=certified_class, person__name="孙三").update(
        warnings=[{"code": "remaining_term", "message": "剩余刑期 25 个月，须不足 24 个月"}]
    )
    claim = services.claim_create(
        actor=cz.user("czjs_operator"), kind="training", training_class=certified_class
    )
    line = line_of(claim, "孙三")
    assert line.outcome == "flag"
    flagged = [c for c in line.checks if c["outcome"] == "flag"]
    assert [c["code"] for c in flagged] == ["eligibility_at_enrolment"]
    assert flagged[0]["message"] == "入班时提示：剩余刑期 25 个月，须不足 24 个月"
