"""The progress and status rule (indicators.progress.assess): examples and properties."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from indicators.progress import Assessment, Point, Status, assess

TODAY = dt.date(2026, 6, 1)
RANK = {Status.OFF_TRACK: 0, Status.AT_RISK: 1, Status.ON_TRACK: 2}

numbers = st.decimals(
    min_value=-1_000_000, max_value=1_000_000, places=2, allow_nan=False, allow_infinity=False
)
years = st.integers(min_value=2000, max_value=2040)


def year(y: int) -> dt.date:
    return dt.date(y, 1, 1)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """The messages are checked in their English source text, whatever the catalogues hold."""
    with translation.override("en"):
        yield


Number = Decimal | int | float | str


def run(
    *,
    baseline: Number = 50,
    target: Number = 70,
    values: Mapping[int, Number] | None = None,
    direction: str = "higher",
    chain_level: str = "outcome",
    base_year: int = 2019,
    target_year: int = 2029,
    **more: Any,
) -> Assessment:
    values = {2024: 60} if values is None else values
    return assess(
        direction=direction,
        chain_level=chain_level,
        baseline=Point(year(base_year), Decimal(str(baseline))),
        target=Point(year(target_year), Decimal(str(target))),
        values=[Point(year(y), Decimal(str(v))) for y, v in values.items()],
        today=TODAY,
        **more,
    )


# --- examples -------------------------------------------------------------------------------------


def test_on_the_straight_path_is_on_track() -> None:
    result = run(values={2024: 60})  # half the time, half the change
    assert result.status == Status.ON_TRACK
    assert result.progress == pytest.approx(0.5)
    assert result.expected == pytest.approx(0.5, abs=0.01)


@pytest.mark.parametrize(
    ("value", "status"),
    [
        (59.5, Status.ON_TRACK),
        (58, Status.AT_RISK),
        (56.5, Status.AT_RISK),
        (55, Status.OFF_TRACK),
        (49, Status.OFF_TRACK),
    ],
)
def test_the_shortfall_thresholds(value: float, status: Status) -> None:
    # Expected progress at 2024 is about 0.5 (of the change 50 → 70): on track down to 0.45 (value 59),
    # at risk down to 0.30 (value 56), off track below.
    assert run(values={2024: value}).status == status


def test_lower_is_better_uses_the_same_formula() -> None:
    result = run(baseline="6.1", target="3.05", values={2024: "4.5"}, direction="lower")
    assert result.status == Status.ON_TRACK
    assert result.progress == pytest.approx((4.5 - 6.1) / (3.05 - 6.1))


def test_a_target_equal_to_the_baseline_is_holding_the_line() -> None:
    assert run(baseline=5, target=5, values={2024: 5}).status == Status.ON_TRACK
    assert run(baseline=5, target=5, values={2024: 6}).status == Status.ON_TRACK
    assert run(baseline=5, target=5, values={2024: 4}).status == Status.OFF_TRACK
    lower = run(baseline=5, target=5, values={2024: 4}, direction="lower")
    assert lower.status == Status.ON_TRACK


def test_missing_values_leave_it_not_yet_measurable_with_the_reason() -> None:
    none_yet = run(values={}, lag_months=0)
    assert none_yet.status == Status.NOT_MEASURABLE
    assert "No value has been recorded" in none_yet.reason
    lagging = assess(
        direction="higher",
        chain_level="outcome",
        baseline=Point(year(2025), Decimal(1)),
        target=Point(year(2030), Decimal(2)),
        values=[],
        lag_months=24,
        today=TODAY,
    )
    assert lagging.status == Status.NOT_MEASURABLE
    assert "01.01.2029" in lagging.reason  # the first period after the baseline (2026) ends, then 2 years
    no_target = assess(
        direction="higher", chain_level="outcome", baseline=None, target=None, values=[], today=TODAY
    )
    assert no_target.status == Status.NOT_MEASURABLE


def test_a_range_is_on_track_inside_and_off_track_outside() -> None:
    def ranged(value: int) -> Status:
        return assess(
            direction="range",
            chain_level="outcome",
            baseline=None,
            target=None,
            values=[Point(year(2024), Decimal(value))],
            today=TODAY,
            range_low=Decimal(10),
            range_high=Decimal(20),
        ).status

    assert ranged(15) == Status.ON_TRACK
    assert ranged(10) == Status.ON_TRACK
    assert ranged(21) == Status.OFF_TRACK


# --- properties -----------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    baseline=numbers, target=numbers, value=numbers, direction=st.sampled_from(["higher", "lower", "range"])
)
def test_a_context_indicator_is_never_scored(
    baseline: Decimal, target: Decimal, value: Decimal, direction: str
) -> None:
    result = run(
        baseline=baseline, target=target, values={2024: value}, direction=direction, chain_level="context"
    )
    assert result.status == Status.CONTEXT
    assert result.progress is None


@settings(max_examples=300, deadline=None)
@given(
    baseline=numbers,
    target=numbers,
    values=st.dictionaries(st.integers(2015, 2035), numbers, max_size=8),
    base_year=st.integers(2015, 2030),
    target_year=years,
    direction=st.sampled_from(["higher", "lower"]),
)
def test_never_crashes_and_always_explains(
    baseline: Decimal,
    target: Decimal,
    values: dict[int, Decimal],
    base_year: int,
    target_year: int,
    direction: str,
) -> None:
    """Zero-width targets, targets before the baseline, no values, values before the baseline: a status
    and a reason, never an exception or a non-finite number."""
    result = run(
        baseline=baseline,
        target=target,
        values=values,
        direction=direction,
        base_year=base_year,
        target_year=target_year,
    )
    assert result.status in set(Status)
    assert result.reason
    for number in (result.progress, result.expected, result.forecast):
        assert number is None or math.isfinite(number)
    if not any(y > base_year for y in values):
        assert result.status == Status.NOT_MEASURABLE


@settings(max_examples=300, deadline=None)
@given(baseline=numbers, target=numbers, value=numbers, value_year=st.integers(2020, 2028))
def test_lower_is_better_mirrors_higher_is_better(
    baseline: Decimal, target: Decimal, value: Decimal, value_year: int
) -> None:
    higher = run(baseline=baseline, target=target, values={value_year: value}, direction="higher")
    lower = run(baseline=-baseline, target=-target, values={value_year: -value}, direction="lower")
    assert higher.status == lower.status
    if higher.progress is not None:
        assert lower.progress == pytest.approx(higher.progress)


@settings(max_examples=300, deadline=None)
@given(
    baseline=numbers,
    target=numbers,
    worse=numbers,
    better=numbers,
    value_year=st.integers(2020, 2028),
    direction=st.sampled_from(["higher", "lower"]),
)
def test_a_better_value_never_gets_a_worse_status(
    baseline: Decimal, target: Decimal, worse: Decimal, better: Decimal, value_year: int, direction: str
) -> None:
    if direction == "lower":
        worse, better = max(worse, better), min(worse, better)
    else:
        worse, better = min(worse, better), max(worse, better)
    a = run(baseline=baseline, target=target, values={value_year: worse}, direction=direction)
    b = run(baseline=baseline, target=target, values={value_year: better}, direction=direction)
    assert RANK[b.status] >= RANK[a.status]


@settings(max_examples=300, deadline=None)
@given(
    baseline=numbers,
    target=numbers,
    value_year=st.integers(2020, 2029),
    direction=st.sampled_from(["higher", "lower"]),
)
def test_reaching_the_target_is_on_track_and_full_progress(
    baseline: Decimal, target: Decimal, value_year: int, direction: str
) -> None:
    # A meaningful target points the way the direction says (otherwise it is "hold the line").
    assume((target > baseline) if direction == "higher" else (target < baseline))
    result = run(baseline=baseline, target=target, values={value_year: target}, direction=direction)
    assert result.status == Status.ON_TRACK
    assert result.progress == pytest.approx(1.0)


positive = st.decimals(min_value="0.01", max_value=100_000, places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None)
@given(baseline=numbers, up=positive, down=positive, value_year=st.integers(2020, 2029))
def test_moving_away_from_the_target_is_off_track(
    baseline: Decimal, up: Decimal, down: Decimal, value_year: int
) -> None:
    result = run(baseline=baseline, target=baseline + up, values={value_year: baseline - down})
    assert result.status == Status.OFF_TRACK
    assert result.progress is not None and result.progress < 0


@settings(max_examples=200, deadline=None)
@given(
    start=st.integers(-1000, 1000),
    slope=st.integers(-50, 50),
    target_year=st.integers(2025, 2040),
)
def test_the_forecast_extends_a_straight_line_exactly(start: int, slope: int, target_year: int) -> None:
    values = {y: start + slope * (y - 2019) for y in range(2020, 2025)}
    goal = start + slope * (target_year - 2019)
    assume(goal != start)
    result = run(baseline=start, target=goal, values=values, target_year=target_year)
    # Leap years make decimal years slightly uneven, hence the tolerance.
    assert result.forecast == pytest.approx(goal, abs=0.02 * abs(slope) + 1e-6)
    assert result.will_meet_target in {True, False}
