"""Periods of indicator values: a year, two years, a quarter or a month, stored as its first day."""

from __future__ import annotations

import datetime as dt
import re

# ASCII digits only ([0-9]): \d would read other scripts' digits too.
_YEAR = re.compile(r"^\s*([0-9]{4})\s*$")
_QUARTER = re.compile(r"^\s*([0-9]{4})\s*[-/ ]?\s*[QqKk]\s*([1-4])\s*$")
_MONTH = re.compile(r"^\s*([0-9]{4})\s*(?:[-/ ]|M|m|K|k)\s*([0-9]{1,2})\s*$")
_MONTH_FI = re.compile(r"^\s*([0-9]{1,2})\s*[./]\s*([0-9]{4})\s*$")


class PeriodError(ValueError):
    """The text is not a period this indicator's periodicity accepts."""


def parse_period(text: str, periodicity: str = "year") -> dt.date:
    """Read '2024', '2024Q2' / '2024K2', '2024M03' / '2024-03' / '3/2024' into the period's first day."""
    try:
        return _period_from(str(text).strip(), periodicity)
    except PeriodError:
        raise
    except ValueError as error:  # the year 0000: a date has no such year
        raise PeriodError(f"there is no such period as {str(text)[:30]!r}") from error


def _period_from(text: str, periodicity: str) -> dt.date:
    if periodicity in {"year", "two_years"}:
        match = _YEAR.match(text)
        if match:
            return dt.date(int(match.group(1)), 1, 1)
        raise PeriodError(f"expected a year such as 2024, got {text!r}")
    if periodicity == "quarter":
        match = _QUARTER.match(text)
        if match:
            return dt.date(int(match.group(1)), 3 * (int(match.group(2)) - 1) + 1, 1)
        raise PeriodError(f"expected a quarter such as 2024Q2, got {text!r}")
    if periodicity == "month":
        match = _MONTH.match(text)
        if match:
            year, month = int(match.group(1)), int(match.group(2))
        elif match := _MONTH_FI.match(text):
            month, year = int(match.group(1)), int(match.group(2))
        else:
            raise PeriodError(f"expected a month such as 2024-03, got {text!r}")
        if not 1 <= month <= 12:
            raise PeriodError(f"there is no month {month}")
        return dt.date(year, month, 1)
    raise PeriodError(f"unknown periodicity {periodicity!r}")


def period_label(period: dt.date, periodicity: str = "year") -> str:
    if periodicity == "quarter":
        return f"{period.year}Q{(period.month - 1) // 3 + 1}"
    if periodicity == "month":
        return f"{period.year}-{period.month:02d}"
    return str(period.year)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def step_months(periodicity: str) -> int:
    return {"month": 1, "quarter": 3, "year": 12, "two_years": 24}[periodicity]


def next_period(period: dt.date, periodicity: str) -> dt.date:
    return _add_months(period, step_months(periodicity))


def period_end(period: dt.date, periodicity: str) -> dt.date:
    """The last day of the period."""
    return next_period(period, periodicity) - dt.timedelta(days=1)


def available_from(period: dt.date, periodicity: str, lag_months: int) -> dt.date:
    """The first day on which the period's value can exist, given the publication lag."""
    return _add_months(next_period(period, periodicity), lag_months)


def year_fraction(day: dt.date) -> float:
    """The date as a decimal year (for trend lines): 2024-07-01 is about 2024.5."""
    start = dt.date(day.year, 1, 1)
    length = (dt.date(day.year + 1, 1, 1) - start).days
    return day.year + (day - start).days / length
