"""Working days by the official calendar: holidays, 调休 make-up days, and the covered years."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skillbridge.policy.errors import CalendarNotCovered
from skillbridge.policy.workdays import (
    FIRST_YEAR,
    LAST_YEAR,
    add_working_days,
    is_working_day,
    next_working_day,
    working_days_between,
)

covered_dates = st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 9, 30))


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 1, 26), True),  # Sunday, make-up day for Spring Festival
        (date(2025, 1, 27), True),
        (date(2025, 1, 28), False),  # 除夕, first holiday
        (date(2025, 2, 4), False),  # last holiday
        (date(2025, 2, 5), True),
        (date(2025, 2, 8), True),  # Saturday, make-up day
        (date(2025, 2, 9), False),
        (date(2025, 9, 28), True),  # Sunday, make-up day for National Day
        (date(2025, 10, 1), False),
        (date(2025, 10, 8), False),
        (date(2025, 10, 9), True),
        (date(2025, 10, 11), True),  # Saturday, make-up day
        (date(2025, 10, 12), False),
        (date(2025, 3, 3), True),  # plain Monday
        (date(2025, 3, 8), False),  # plain Saturday
    ],
)
def test_is_working_day_follows_official_calendar(day, working):
    assert is_working_day(day) is working


def test_covered_years_are_those_of_the_installed_calendar():
    assert (FIRST_YEAR, LAST_YEAR) == (2004, 2026)


@pytest.mark.parametrize("day", [date(2027, 1, 4), date(2003, 12, 31)])
def test_uncovered_year_raises_with_year_in_message(day):
    with pytest.raises(CalendarNotCovered) as caught:
        is_working_day(day)
    assert caught.value.year == day.year
    assert str(caught.value).startswith(f"工作日历未覆盖{day.year}年，请更新 chinesecalendar 版本")
    assert "2004—2026" in str(caught.value)


def test_counting_into_an_uncovered_year_raises_instead_of_guessing():
    assert add_working_days(date(2026, 12, 30), 1) == date(2026, 12, 31)
    with pytest.raises(CalendarNotCovered, match="工作日历未覆盖2027年"):
        add_working_days(date(2026, 12, 30), 2)
    with pytest.raises(CalendarNotCovered, match="工作日历未覆盖2027年"):
        working_days_between(date(2026, 12, 30), date(2027, 1, 5))


def test_add_working_days_across_spring_festival_2025():
    # Fri Jan 24 does not count; Jan 26 (make-up) is the 1st, Feb 8 (make-up) the 6th, Feb 13 the 10th.
    assert add_working_days(date(2025, 1, 24), 1) == date(2025, 1, 26)
    assert add_working_days(date(2025, 1, 24), 2) == date(2025, 1, 27)
    assert add_working_days(date(2025, 1, 24), 3) == date(2025, 2, 5)
    assert add_working_days(date(2025, 1, 24), 6) == date(2025, 2, 8)
    assert add_working_days(date(2025, 1, 24), 10) == date(2025, 2, 13)


def test_add_working_days_across_national_day_2025():
    assert add_working_days(date(2025, 9, 26), 1) == date(2025, 9, 28)
    assert add_working_days(date(2025, 9, 26), 4) == date(2025, 10, 9)
    assert add_working_days(date(2025, 9, 26), 6) == date(2025, 10, 11)
    assert add_working_days(date(2025, 9, 26), 10) == date(2025, 10, 16)


def test_add_zero_returns_the_day_itself_even_on_a_holiday():
    assert add_working_days(date(2025, 10, 1), 0) == date(2025, 10, 1)


def test_add_negative_is_rejected():
    with pytest.raises(ValueError, match="非负"):
        add_working_days(date(2025, 3, 3), -1)


def test_next_working_day():
    assert next_working_day(date(2025, 9, 30)) == date(2025, 10, 9)
    assert next_working_day(date(2025, 1, 25)) == date(2025, 1, 26)
    assert next_working_day(date(2025, 3, 3)) == date(2025, 3, 4)


def test_working_days_between_excludes_start_includes_end():
    assert working_days_between(date(2025, 1, 24), date(2025, 2, 13)) == 10
    assert working_days_between(date(2025, 1, 24), date(2025, 1, 24)) == 0
    assert working_days_between(date(2025, 3, 3), date(2025, 3, 4)) == 1
    assert working_days_between(date(2025, 9, 30), date(2025, 10, 8)) == 0
    assert working_days_between(date(2025, 2, 13), date(2025, 1, 24)) == -10


@given(covered_dates, st.integers(min_value=0, max_value=40))
def test_add_then_count_round_trips(day, n):
    result = add_working_days(day, n)
    assert working_days_between(day, result) == n
    assert result == day if n == 0 else is_working_day(result)


@given(covered_dates, st.integers(min_value=1, max_value=40))
def test_result_is_the_first_day_reaching_n(day, n):
    result = add_working_days(day, n)
    assert working_days_between(day, result - timedelta(days=1)) == n - 1


@given(covered_dates, covered_dates)
def test_between_is_antisymmetric(start, end):
    assert working_days_between(start, end) == -working_days_between(end, start)


@given(covered_dates)
def test_next_working_day_is_working_and_nothing_in_between(day):
    following = next_working_day(day)
    assert is_working_day(following)
    assert working_days_between(day, following) == 1
