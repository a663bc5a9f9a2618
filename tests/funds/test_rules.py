"""Pure rule functions of the fund model (policy/rules.py) with the real packs: boundaries and exact sums."""

import datetime as dt
from decimal import Decimal

import pytest

from skillbridge.policy.errors import RuleNotDefined
from skillbridge.policy.loader import get_pack
from skillbridge.policy.rules import (
    is_overdue,
    overdue_working_days,
    per_capita_budget,
    prepayment,
    project_advance,
    settlement,
    settlement_open,
)

D = dt.date
M = Decimal


@pytest.fixture
def anhui():
    return get_pack("anhui")


def test_pack_funds_section(anhui):
    assert anhui.funds.use_categories.value == (
        "teachers", "materials", "tools", "consumables", "energy", "exams", "assessment", "equipment",
    )  # fmt: skip
    assert anhui.funds.use_categories.source.startswith("皖司通〔2019〕45号 一(三)")
    assert anhui.funds.settlement_basis.value == "certified_trainees"
    assert get_pack("changzhou").funds.use_categories is None


def test_budget_and_prepayment_exact(anhui):
    budget = per_capita_budget(137, anhui)
    assert budget == M("164400.00")  # 137 × 1200
    assert prepayment(D(2026, 3, 20), budget, anhui).amount == M("115080.00")  # × 70 %


def test_deadline_is_the_tenth_working_day_and_boundaries(anhui):
    received = D(2025, 3, 20)  # Thu; Apr 4–6 2025 清明 holiday
    due = prepayment(received, M("12000"), anhui).due
    assert due == D(2025, 4, 3)  # Mar 21,24–28,31, Apr 1,2,3 = 10 working days
    assert not is_overdue(due, D(2025, 4, 2))  # day before
    assert not is_overdue(due, D(2025, 4, 3))  # the 10th working day itself
    assert is_overdue(due, D(2025, 4, 4))  # day after (a holiday: overdue, 0 working days late)
    assert overdue_working_days(due, D(2025, 4, 4)) == 0
    assert overdue_working_days(due, D(2025, 4, 7)) == 1


def test_deadline_skips_the_national_day_holiday(anhui):
    # Received Fri 2025-09-26. Working days: Sep 28 (Sun, make-up), 29, 30 | Oct 1–8 off | Oct 9, 10,
    # 11 (Sat, make-up), 13, 14, 15, 16 → the 10th is Thu Oct 16.
    assert prepayment(D(2025, 9, 26), M("1200"), anhui).due == D(2025, 10, 16)


@pytest.mark.parametrize(
    ("certified", "prepaid", "due", "difference", "outcome"),
    [
        (120, M("100800.00"), M("144000.00"), M("43200.00"), "top_up"),  # plan 120: 144000 × 70 % prepaid
        (80, M("100800.00"), M("96000.00"), M("-4800.00"), "refund"),
        (84, M("100800.00"), M("100800.00"), M("0.00"), "even"),
        (0, M("100800.00"), M("0.00"), M("-100800.00"), "refund"),
        (5, M("0"), M("6000.00"), M("6000.00"), "top_up"),
    ],
)
def test_settlement_exact(anhui, certified, prepaid, due, difference, outcome):
    result = settlement(certified, prepaid, anhui)
    assert (result.due, result.prepaid, result.difference, result.outcome) == (
        due,
        prepaid.quantize(M("0.01")),
        difference,
        outcome,
    )
    assert "二(五)" in result.source


def test_settlement_needs_the_rule_and_decimal(anhui):
    with pytest.raises(RuleNotDefined):
        settlement(10, M("0"), get_pack("changzhou"))
    with pytest.raises(TypeError):
        settlement(10, 8400.0, anhui)


def test_settlement_opens_on_jan_first(anhui):
    assert not settlement_open(2025, D(2025, 12, 31), anhui)
    assert settlement_open(2025, D(2026, 1, 1), anhui)
    assert settlement_open(2025, D(2025, 6, 1), get_pack("changzhou"))  # no such rule: no restriction


def test_project_advance_at_fifty_percent_and_just_above():
    pack = get_pack("jiangsu-general")
    at = project_advance(M("10000.00"), M("5000.00"), pack)
    assert (at.allowed, at.value) == (True, M("5000.00"))
    above = project_advance(M("10000.00"), M("5000.01"), pack)
    assert not above.allowed
    assert above.reasons[0].code == "project_advance"
    assert "苏政办发〔2019〕71号（十四）" in above.reasons[0].source
    odd = project_advance(M("333.33"), M("166.67"), pack)  # half is 166.665 → 166.67 (half-up)
    assert odd.allowed
    assert not project_advance(M("333.33"), M("166.68"), pack).allowed


def test_project_advance_without_rule_is_not_limited():
    assert project_advance(M("100"), M("100"), get_pack("changzhou")).allowed
