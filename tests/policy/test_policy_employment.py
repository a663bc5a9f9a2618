"""Employment-service rules (pack section [employment]): pre-release window and follow-ups after release,
with the day before / of / after each boundary."""

from datetime import date

import pytest

from skillbridge.policy.errors import RuleNotDefined
from skillbridge.policy.loader import PACK_DIR, get_pack, load_pack
from skillbridge.policy.rules import (
    approaching_release,
    follow_up_schedule,
    follow_up_state,
    pre_release_window_start,
)
from skillbridge.policy.selectors import pack_summary


@pytest.fixture(scope="module")
def changzhou():
    return get_pack("changzhou")


def test_changzhou_employment_values_and_sources(changzhou):
    section = changzhou.employment
    assert section.pre_release_window_months.value == 6
    assert section.pre_release_window_months.is_platform_default
    assert section.handover_to.value == "public_employment_service"
    assert section.handover_to.source.startswith("常司发〔2022〕42号 五(五)")
    assert section.follow_up_months.value == (3, 6, 12)
    assert section.follow_up_window_days.value == 30
    assert get_pack("anhui").employment.follow_up_months.value == (3, 6, 12)


def test_window_starts_six_months_before_release(changzhou):
    assert pre_release_window_start(date(2026, 12, 31), changzhou) == date(2026, 6, 30)
    assert pre_release_window_start(date(2027, 8, 31), changzhou) == date(2027, 2, 28)


@pytest.mark.parametrize(
    ("today", "inside"),
    [
        (date(2026, 6, 29), False),  # day before the window opens
        (date(2026, 6, 30), True),  # first day
        (date(2026, 7, 1), True),
        (date(2026, 12, 30), True),
        (date(2026, 12, 31), True),  # release day
        (date(2027, 1, 1), False),  # day after release
    ],
)
def test_approaching_release_boundaries(changzhou, today, inside):
    assert approaching_release(date(2026, 12, 31), today, changzhou) is inside


def test_window_needs_the_rule():
    with pytest.raises(RuleNotDefined):
        pre_release_window_start(date(2026, 12, 31), get_pack("jiangsu-general"))


def test_follow_up_schedule(changzhou):
    assert follow_up_schedule(date(2026, 11, 30), changzhou) == (
        (3, date(2027, 2, 28)),
        (6, date(2027, 5, 30)),
        (12, date(2027, 11, 30)),
    )
    assert follow_up_schedule(date(2026, 11, 30), get_pack("jiangsu-general")) == ()


@pytest.mark.parametrize(
    ("today", "state"),
    [
        (date(2027, 1, 29), "not_due"),  # due − 31 days
        (date(2027, 1, 30), "due"),  # due − 30 days: window opens
        (date(2027, 3, 1), "due"),  # due
        (date(2027, 3, 31), "due"),  # due + 30 days: last day
        (date(2027, 4, 1), "overdue"),  # day after
    ],
)
def test_follow_up_state_boundaries(changzhou, today, state):
    assert follow_up_state(date(2027, 3, 1), today, changzhou) == state


def test_follow_up_state_without_window_is_the_due_day():
    pack = get_pack("jiangsu-general")
    assert follow_up_state(date(2027, 3, 1), date(2027, 2, 28), pack) == "not_due"
    assert follow_up_state(date(2027, 3, 1), date(2027, 3, 1), pack) == "due"
    assert follow_up_state(date(2027, 3, 1), date(2027, 3, 2), pack) == "overdue"


def test_follow_up_months_must_ascend(tmp_path):
    from skillbridge.policy.errors import PackError

    text = (
        (PACK_DIR / "changzhou.toml")
        .read_text(encoding="utf-8")
        .replace("value = [3, 6, 12]", "value = [6, 3]")
    )
    path = tmp_path / "changzhou.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PackError) as info:
        load_pack(path)
    assert "follow_up_months 须为不重复、升序的月数" in str(info.value)


def test_pack_page_lists_the_employment_section():
    sections = {s["key"]: s for s in pack_summary("changzhou")["sections"]}
    items = {item["key"]: item for item in sections["employment"]["items"]}
    assert sections["employment"]["label"] == "就业服务"
    assert items["handover_to"]["display"] == "公共就业服务机构"
    assert items["follow_up_months"]["display"] == "3、6、12"
