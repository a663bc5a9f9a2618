"""Subsidy-claim rules: check actions per pack, the public-notice window (day before / of / after), the
amount against the standard, and the yearly cap / same occupation-level / Anhui cap boundaries."""

from datetime import date
from decimal import Decimal

import pytest

from skillbridge.policy.errors import RuleNotDefined
from skillbridge.policy.loader import get_pack
from skillbridge.policy.rules import (
    amount_within_standard,
    claim_check_action,
    notice_end,
    notice_running,
    per_person_cap,
    same_occupation_level,
    subsidy_count_cap,
)
from skillbridge.policy.schema import PolicyPack


@pytest.fixture(scope="module")
def changzhou():
    return get_pack("changzhou")


def test_check_actions_per_pack(changzhou):
    assert claim_check_action("yearly_cap", changzhou) == "flag"
    assert claim_check_action("same_occupation_level", changzhou) == "block"
    assert claim_check_action("per_person_cap", changzhou) == "block"  # not stated: block
    anhui = get_pack("anhui")
    assert claim_check_action("per_person_cap", anhui) == "block"
    assert claim_check_action("data_entry_late", anhui) == "block"
    assert claim_check_action("data_entry_late", changzhou) == "flag"
    assert changzhou.claim_checks.yearly_cap.source.startswith("常司发〔2022〕42号 六")


def test_notice_window_working_days(changzhou):
    # Published Tue 2026-12-01: 5 working days after → Tue 2026-12-08 (weekend skipped).
    end = notice_end(date(2026, 12, 1), changzhou)
    assert end == date(2026, 12, 8)
    assert notice_running(end, date(2026, 12, 7)) is True
    assert notice_running(end, date(2026, 12, 8)) is True
    assert notice_running(end, date(2026, 12, 9)) is False
    # Across the National Day holiday (Oct 1–7 off, Sat Oct 10 a make-up working day).
    assert notice_end(date(2026, 9, 30), changzhou) == date(2026, 10, 13)
    assert changzhou.subsidy.public_notice_working_days.is_platform_default


def test_notice_without_rule_raises():
    pack = PolicyPack.model_validate(
        {
            "code": "bare",
            "name": "无公示",
            "version": "2026.1",
            "effective_date": {"value": "2026-01-01", "source": "x"},
            "region_prefixes": {"value": ["32"], "source": "x"},
            "documents": [{"number": "x", "title": "x", "issuer": "x"}],
        }
    )
    with pytest.raises(RuleNotDefined):
        notice_end(date(2026, 12, 1), pack)
    assert claim_check_action("yearly_cap", pack) == "block"


def test_amount_against_standard():
    assert amount_within_standard(Decimal("1200.00"), Decimal("1200")).allowed is True
    above = amount_within_standard(Decimal("1200.01"), Decimal("1200"))
    assert above.allowed is False
    assert above.reasons[0].message == "申领金额 1200.01 元高于补贴标准 1200.00 元"
    below = amount_within_standard(Decimal("1199.99"), Decimal("1200"))
    assert below.allowed is True and below.reasons[0].severity == "warn"
    missing = amount_within_standard(Decimal("1"), None)
    assert missing.allowed is False and missing.reasons[0].code == "no_standard"


def test_yearly_cap_boundary(changzhou):
    assert subsidy_count_cap(2, changzhou).allowed is True
    assert subsidy_count_cap(2, changzhou).value == 1
    third_taken = subsidy_count_cap(3, changzhou)
    assert third_taken.allowed is False
    assert third_taken.reasons[0].message.startswith("本年度已享受 3 次职业培训补贴，每人每年不超过 3 次")


def test_same_occupation_level_one_year_and_never(changzhou):
    previous = [date(2025, 12, 10)]
    assert same_occupation_level(previous, date(2026, 12, 9), changzhou).allowed is False  # day before
    assert same_occupation_level(previous, date(2026, 12, 10), changzhou).allowed is True  # one year on
    assert same_occupation_level(previous, date(2026, 12, 11), changzhou).allowed is True
    general = get_pack("jiangsu-general")
    assert same_occupation_level([date(2015, 1, 1)], date(2026, 12, 9), general).allowed is False


def test_anhui_cap_includes_assessment():
    anhui = get_pack("anhui")
    assert per_person_cap(Decimal("1000"), Decimal("200"), anhui).allowed is True
    over = per_person_cap(Decimal("1000"), Decimal("200.01"), anhui)
    assert over.allowed is False
    assert "超过人均 1200.00 元标准（含技能鉴定费）" in over.reasons[0].message
