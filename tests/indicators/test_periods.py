"""indicators.periods: a period is written in ASCII digits and names a date that exists."""

from __future__ import annotations

import datetime as dt

import pytest

from indicators.periods import PeriodError, parse_period


@pytest.mark.parametrize(
    ("text", "periodicity"),
    [
        ("0000", "year"),  # the regular expression reads it, a date has no year 0 (a 500 on ?period=0000)
        ("0000Q1", "quarter"),
        ("0000-01", "month"),
        ("1/0000", "month"),
        ("٢٠٢٤", "year"),  # other scripts' digits, which \d and int() read
        ("\uff12\uff10\uff12\uff14", "year"),  # fullwidth digits
        ("2024\x00", "year"),
    ],
)
def test_a_text_that_names_no_period_is_a_period_error(text: str, periodicity: str) -> None:
    with pytest.raises(PeriodError):
        parse_period(text, periodicity)


def test_periods_are_read_as_before() -> None:
    assert parse_period(" 2024 ") == dt.date(2024, 1, 1)
    assert parse_period("2024K2", "quarter") == dt.date(2024, 4, 1)
    assert parse_period("3/2024", "month") == dt.date(2024, 3, 1)
