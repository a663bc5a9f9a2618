"""Working days by the official Chinese calendar (holidays and 调休 make-up working days).

Periods follow the Civil Code rule (民法典第二百零一条): the day an event happens does not count,
counting starts the next day. So "within 10 working days of d" ends on ``add_working_days(d, 10)``.
Years the installed ``chinesecalendar`` does not cover raise ``CalendarNotCovered``: a Monday–Friday
guess would silently move deadlines across holidays.
"""

from datetime import date, timedelta
from functools import cache
from importlib.metadata import version

import chinese_calendar
from chinese_calendar import constants

from .errors import CalendarNotCovered

FIRST_YEAR = min(constants.holidays).year
LAST_YEAR = max(max(constants.holidays), max(constants.workdays)).year
ONE_DAY = timedelta(days=1)


@cache
def is_working_day(d: date) -> bool:
    if not FIRST_YEAR <= d.year <= LAST_YEAR:
        raise CalendarNotCovered(d.year, version("chinesecalendar"), FIRST_YEAR, LAST_YEAR)
    return chinese_calendar.is_workday(d)


def add_working_days(d: date, n: int) -> date:
    """The n-th working day after ``d`` (``d`` itself never counts); ``n == 0`` returns ``d``."""
    if n < 0:
        raise ValueError("n 须为非负整数")
    while n:
        d += ONE_DAY
        n -= is_working_day(d)
    return d


def next_working_day(d: date) -> date:
    """The first working day strictly after ``d``."""
    return add_working_days(d, 1)


@cache
def _running_count() -> tuple[int, ...]:
    """Working days from the calendar's first day up to each covered day (a prefix sum, built once)."""
    first, last = date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31)
    counts, total = [], 0
    for offset in range((last - first).days + 1):
        total += chinese_calendar.is_workday(first + timedelta(days=offset))
        counts.append(total)
    return tuple(counts)


def _count_to(d: date) -> int:
    is_working_day(d)  # raises CalendarNotCovered outside the calendar
    return _running_count()[d.toordinal() - date(FIRST_YEAR, 1, 1).toordinal()]


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end``; negative when ``end < start``."""
    return _count_to(end) - _count_to(start)
