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


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end``; negative when ``end < start``."""
    if end < start:
        return -working_days_between(end, start)
    return sum(is_working_day(start + timedelta(days=i)) for i in range(1, (end - start).days + 1))
