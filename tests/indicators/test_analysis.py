"""The pure functions behind the indicator pages: assessment inputs, trajectory table, chart, history."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import translation

from indicators import analysis
from indicators.progress import Point, Status
from organisations.history import context_user_id

TODAY = dt.date(2026, 6, 1)


def year(y: int) -> dt.date:
    return dt.date(y, 1, 1)


@dataclass
class Obs:
    period: dt.date
    value: Decimal | None
    status: str = "final"


@dataclass
class Tgt:
    period: dt.date
    value: Decimal
    superseded_at: dt.datetime | None = None


def indicator(**values: Any) -> SimpleNamespace:
    fields: dict[str, Any] = dict(
        direction="higher",
        chain_level="outcome",
        periodicity="year",
        data_lag_months=0,
        range_low=None,
        range_high=None,
        baseline_value=Decimal(50),
        baseline_period=year(2019),
    )
    fields.update(values)
    return SimpleNamespace(**fields)


def obs(values: dict[int, Any]) -> list[Obs]:
    return [
        Obs(year(y), None, "missing") if v is None else Obs(year(y), Decimal(str(v)))
        for y, v in values.items()
    ]


# --- numbers --------------------------------------------------------------------------------------


def test_display_number_shows_only_the_decimals_a_value_has() -> None:
    with translation.override("fi"):
        assert analysis.display_number(Decimal("61840.000000")) == "61\xa0840"
        assert analysis.display_number(Decimal("56.500000")) == "56,5"
        assert analysis.display_number(None) == ""
        assert analysis.display_number(float("nan")) == ""
    with translation.override("en"):
        assert analysis.display_number(Decimal("61840.5")) == "61,840.5"


def test_input_number_is_finnish_in_every_language_so_the_parser_reads_it_back() -> None:
    from indicators.importers.numbers import parse_number

    for language in ("fi", "sv", "en"):
        with translation.override(language):
            for value in ("61840", "56.5", "-3.2", "0.000001", "1234567.25"):
                text = analysis.input_number(Decimal(value))
                assert parse_number(text) == Decimal(value), (language, text)
    assert analysis.input_number(Decimal("61840.000000")) == "61 840"
    assert analysis.input_number(Decimal("-1234.5")) == "-1 234,5"
    assert analysis.input_number(None) == ""


# --- assessment inputs ----------------------------------------------------------------------------


def test_choose_target_is_the_first_due_at_or_after_the_latest_value() -> None:
    targets = [Tgt(year(2030), Decimal(70)), Tgt(year(2025), Decimal(60))]

    def chosen(latest: int | None) -> int | None:
        target = analysis.choose_target(
            targets, latest_period=year(latest) if latest else None, baseline_period=year(2019)
        )
        return target.period.year if target else None

    assert chosen(2023) == 2025
    assert chosen(2025) == 2025
    assert chosen(2026) == 2030
    assert chosen(2031) == 2030  # every target past: the last one
    assert chosen(None) == 2025  # no value yet: the first after the baseline


def test_replaced_targets_and_targets_before_the_baseline_are_ignored() -> None:
    targets = [
        Tgt(year(2025), Decimal(99), superseded_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC)),
        Tgt(year(2025), Decimal(60)),
        Tgt(year(2018), Decimal(1)),
    ]
    chosen = analysis.choose_target(targets, latest_period=year(2020), baseline_period=year(2019))
    assert chosen is not None and chosen.value == 60
    assert [t.value for t in analysis.current_targets(targets)] == [Decimal(1), Decimal(60)]


def test_assess_indicator_uses_the_rule_with_values_since_the_baseline() -> None:
    state = analysis.assess_indicator(
        indicator(),
        observations=obs({2019: 50, 2020: 52, 2021: 53, 2022: None, 2023: 55.5}),
        targets=[Tgt(year(2030), Decimal(70))],
        today=TODAY,
    )
    assert state.status == Status.AT_RISK
    assert state.progress_percent == 28  # (55.5 - 50) / (70 - 50)
    assert state.latest is not None and state.latest.period == year(2023)  # the missing 2022 is skipped
    assert state.target is not None and state.target.value == 70
    assert state.colour == analysis.STATUS_COLOURS[Status.AT_RISK]


def test_context_indicators_show_their_target_but_are_never_scored() -> None:
    state = analysis.assess_indicator(
        indicator(chain_level="context"),
        observations=obs({2019: 50, 2024: 90}),
        targets=[Tgt(year(2030), Decimal(70))],
        today=TODAY,
    )
    assert state.status == Status.CONTEXT
    assert state.progress_percent is None
    assert state.target is not None  # shown, not scored


def test_no_value_after_the_baseline_within_the_lag_is_not_yet_measurable() -> None:
    state = analysis.assess_indicator(
        indicator(data_lag_months=24),
        observations=obs({2019: 50}),
        targets=[Tgt(year(2030), Decimal(70))],
        today=dt.date(2021, 6, 1),
    )
    assert state.status == Status.NOT_MEASURABLE
    assert "01.01.2023" in state.assessment.reason  # the date the first value can be published


def test_template_update_pending_respects_a_kept_version() -> None:
    pending = analysis.template_update_pending
    assert pending(template_version=1, published_version=2, dismissed_version=None)
    assert not pending(template_version=2, published_version=2, dismissed_version=None)
    assert not pending(template_version=1, published_version=2, dismissed_version=2)
    assert pending(template_version=1, published_version=3, dismissed_version=2)  # a newer one again


# --- trajectory -----------------------------------------------------------------------------------


def test_values_frame_has_one_row_per_period_with_nan_for_missing() -> None:
    frame = analysis.values_frame(obs({2021: 3, 2019: 1, 2020: None}))
    assert list(frame["period"]) == [year(2019), year(2020), year(2021)]
    assert frame["value"].isna().tolist() == [False, True, False]
    assert list(frame["status"]) == ["final", "missing", "final"]
    assert analysis.values_frame([]).empty


def _rows() -> list[analysis.TrajectoryRow]:
    frame = analysis.values_frame(
        [*obs({2019: 50, 2020: 52, 2021: 54}), Obs(year(2022), Decimal(56), "preliminary")]
    )
    return analysis.trajectory_rows(
        frame,
        periodicity="year",
        baseline=Point(year(2019), Decimal(50)),
        target=Point(year(2025), Decimal(62)),
        targets=[Point(year(2025), Decimal(62)), Point(year(2030), Decimal(70))],
    )


def test_trajectory_rows_run_from_the_baseline_to_the_last_target() -> None:
    rows = _rows()
    assert [r.label for r in rows] == [str(y) for y in range(2019, 2031)]
    by_year = {r.period.year: r for r in rows}
    # The straight path from baseline (2019, 50) to target (2025, 62): 2 a year.
    assert [by_year[y].target_path for y in range(2019, 2026)] == [50, 52, 54, 56, 58, 60, 62]
    assert by_year[2026].target_path is None
    # The values lie exactly on a 2-a-year line, so the trend and its forecast follow it.
    assert by_year[2025].forecast == pytest.approx(62, abs=0.01)
    assert by_year[2022].status == "preliminary" and by_year[2023].status == ""
    assert by_year[2030].target == 70 and by_year[2025].target == 62


def test_two_yearly_values_are_drawn_on_a_yearly_axis() -> None:
    frame = analysis.values_frame(obs({2019: 61, 2021: 63, 2023: 66}))
    rows = analysis.trajectory_rows(
        frame,
        periodicity="two_years",
        baseline=Point(year(2019), Decimal(61)),
        target=Point(year(2030), Decimal(75)),
    )
    assert [r.period.year for r in rows] == list(range(2019, 2031))


def test_the_figure_and_the_table_show_the_same_numbers() -> None:
    rows = _rows()
    with translation.override("en"):
        figure = analysis.trajectory_figure(rows, baseline=Point(year(2019), Decimal(50)), unit="%")
    traces = {trace["name"]: trace for trace in figure["data"]}
    assert set(traces) == {
        "Value",
        "Preliminary value",
        "Straight path to the target",
        "Baseline",
        "Trend and forecast",
        "Target",
    }
    table = analysis.trajectory_table(rows)
    drawn_path = dict(
        zip(
            traces["Straight path to the target"]["x"],
            traces["Straight path to the target"]["y"],
            strict=True,
        )
    )
    for row, shown in zip(rows, table, strict=True):
        if row.target_path is not None:
            assert drawn_path[row.period.isoformat()] == row.target_path
            assert shown["target_path"] == analysis.display_number(row.target_path)
    # Preliminary values are drawn with a marker of their own.
    assert traces["Preliminary value"]["x"] == ["2022-01-01"]
    assert traces["Preliminary value"]["marker"]["symbol"] == "diamond-open"
    assert traces["Value"]["marker"]["symbol"][-1] == "circle-open"
    assert figure["config"] == {"displaylogo": False, "responsive": True, "displayModeBar": False}
    assert figure["layout"]["yaxis"]["title"]["text"] == "%"
    json.dumps(figure, cls=DjangoJSONEncoder)  # what json_script does with it


def test_a_figure_without_target_or_preliminary_values_has_no_such_traces() -> None:
    frame = analysis.values_frame(obs({2019: 1, 2020: 2}))
    rows = analysis.trajectory_rows(frame, periodicity="year", baseline=None, target=None)
    with translation.override("en"):
        figure = analysis.trajectory_figure(rows, baseline=None)
    assert [trace["name"] for trace in figure["data"]] == ["Value"]


def test_forecast_sentence_says_whether_the_target_is_met() -> None:
    state = analysis.assess_indicator(
        indicator(),
        observations=obs({2019: 50, 2020: 60}),
        targets=[Tgt(year(2025), Decimal(70))],
        today=TODAY,
    )
    with translation.override("en"):
        assert analysis.forecast_sentence(state, "year").endswith("the target 70 will be met.")
    slow = analysis.assess_indicator(
        indicator(),
        observations=obs({2019: 50, 2020: 50.5}),
        targets=[Tgt(year(2025), Decimal(70))],
        today=TODAY,
    )
    with translation.override("en"):
        assert analysis.forecast_sentence(slow, "year").endswith("will not be met.")


# --- history --------------------------------------------------------------------------------------


def event(
    obj: int, label: str, minute: int, value: Any, status: str = "final", **more: Any
) -> SimpleNamespace:
    return SimpleNamespace(
        pgh_obj_id=obj,
        pgh_id=minute,
        pgh_label=label,
        pgh_created_at=dt.datetime(2026, 1, 1, 12, minute, tzinfo=dt.UTC),
        period=year(2024),
        value=None if value is None else Decimal(str(value)),
        status=status,
        missing_reason=more.get("reason", ""),
        source=more.get("source", "typed"),
        updated_by_id=more.get("by"),
        pgh_context=SimpleNamespace(metadata=more["context"]) if "context" in more else None,
    )


def test_value_history_reads_who_changed_what_newest_first() -> None:
    events = [
        event(1, "insert", 1, 10, by=7),
        event(1, "update", 2, 12, status="preliminary", context={"user": 8}),
        event(1, "update", 3, None, status="missing", reason="revised", by=7),
        event(1, "delete", 4, None, status="missing", reason="revised", by=7),
    ]
    with translation.override("en"):
        history = analysis.value_history(events, names={7: "Eero", 8: "Aino"}, periodicity="year")
    assert [(h.action, h.who, h.old, h.new) for h in history] == [
        ("removed", "Eero", "missing: revised", ""),
        ("changed", "Eero", "12 (preliminary)", "missing: revised"),
        ("changed", "Aino", "10", "12 (preliminary)"),  # the request's user, not the row's editor
        ("added", "Eero", "", "10"),
    ]
    assert history[0].period == "2024"


def test_event_user_id_prefers_the_request_context() -> None:
    assert context_user_id(event(1, "insert", 1, 1, by=3, context={"user": "5"})) == 5
    assert context_user_id(event(1, "insert", 1, 1, by=3, context={"user": "²"})) == 3
    assert context_user_id(event(1, "insert", 1, 1, by=3)) == 3
    assert context_user_id(event(1, "insert", 1, 1)) is None
