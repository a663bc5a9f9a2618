"""Reporting periods: a year (年), a quarter (季) or a month, written 2026 / 2026Q3 / 2026-07."""

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from skillbridge.errors import ServiceError

PERIOD_RE = re.compile(r"^(?P<year>\d{4})(?:Q(?P<quarter>[1-4])|-(?P<month>0[1-9]|1[0-2]))?$")


@dataclass(frozen=True)
class Period:
    code: str
    start: dt.date
    end: dt.date
    label: str

    @property
    def year(self) -> int:
        return self.start.year

    @property
    def kind(self) -> str:
        if "Q" in self.code:
            return "quarter"
        return "month" if "-" in self.code else "year"

    def elapsed_share(self, today: dt.date) -> float:
        """Share of the period's days gone by at `today` (0 before it starts, 1 once it has ended)."""
        if today < self.start:
            return 0.0
        if today >= self.end:
            return 1.0
        return ((today - self.start).days + 1) / ((self.end - self.start).days + 1)


def parse_period(code: str | None, *, today: dt.date) -> Period:
    """The period of a code; none given: the current year. A malformed code is an error naming the field."""
    code = (code or str(today.year)).strip().upper()
    match = PERIOD_RE.match(code)
    if not match or not 2000 <= int(match["year"]) <= 2100:
        raise ServiceError("统计期间格式应为 2026、2026Q3 或 2026-07", field="period")
    year = int(match["year"])
    if match["quarter"]:
        q = int(match["quarter"])
        start = dt.date(year, 3 * q - 2, 1)
        end_month = 3 * q
        end = dt.date(year, end_month, calendar.monthrange(year, end_month)[1])
        return Period(code, start, end, f"{year}年第{'一二三四'[q - 1]}季度")
    if match["month"]:
        month = int(match["month"])
        return Period(
            f"{year}-{month:02d}",
            dt.date(year, month, 1),
            dt.date(year, month, calendar.monthrange(year, month)[1]),
            f"{year}年{month}月",
        )
    return Period(str(year), dt.date(year, 1, 1), dt.date(year, 12, 31), f"{year}年度")


def current_quarter(today: dt.date) -> str:
    return f"{today.year}Q{(today.month - 1) // 3 + 1}"


def period_choices(today: dt.date, *, first_year: int = 2019) -> list[tuple[str, str]]:
    """The periods offered in the picker: this year and the two before with their quarters, then the earlier
    years back to `first_year` (the start of the skills-upgrading action's targets)."""
    choices = []
    for year in (today.year, today.year - 1, today.year - 2):
        choices.append((str(year), f"{year}年度"))
        choices += [(f"{year}Q{q}", f"{year}年第{'一二三四'[q - 1]}季度") for q in range(1, 5)]
    choices += [(str(year), f"{year}年度") for year in range(today.year - 3, first_year - 1, -1)]
    return choices
