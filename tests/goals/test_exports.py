"""The goal tree as XLSX and CSV: the content, and no cell a spreadsheet could run as a formula."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from goals.exports import DANGEROUS_START, safe_cell, to_csv, to_xlsx, tree_rows
from goals.measures import measure_strategy
from goals.models import GoalIndicator, Strategy
from organisations.models import Organisation, Role
from tests.factories import make_member, make_organisation, make_user
from tests.goals.factories import make_goal, make_measure, make_sdg_target, make_strategy


@pytest.mark.parametrize("text", ["=1+1", "+358 40 123", "-5", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("x")'])
def test_dangerous_text_gets_an_apostrophe(text: str) -> None:
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Työllisyys kasvaa", "", 42, 1.5, dt.date(2029, 12, 31), None])
def test_other_values_stay_as_they_are(value: object) -> None:
    assert safe_cell(value) == value


@given(st.text())
def test_no_text_cell_starts_a_formula(text: str) -> None:
    cell = safe_cell(text)
    assert not cell.startswith(DANGEROUS_START)
    assert cell.removeprefix("'") == text or cell == text


@pytest.fixture
def org(db: None) -> Organisation:
    return make_organisation(name="Kaarnala", slug="kaarnala")


@pytest.fixture
def strategy(org: Organisation) -> Strategy:
    owner = make_member(organisation=org, user=make_user(name="Aino Admin"))
    strategy = make_strategy(organisation=org, name="Kaarnala 2030", term_start=2025, term_end=2029)
    top = make_goal(strategy=strategy, title="Kaarnala on elinvoimainen", owner=owner)
    sg = make_goal(strategy=strategy, title="=cmd|' /C calc'!A0", parent=top, code="SG1",
                   target_date=dt.date(2029, 12, 31))  # fmt: skip
    make_goal(strategy=strategy, title="@Järjestetään messut", parent=sg, code="-1.1")
    GoalIndicator.objects.create(
        goal=sg, indicator=make_measure(organisation=org, name="Vienti", values={2022: 55})
    )
    sg.sdg_targets.add(make_sdg_target(code="8.5"), make_sdg_target(code="17.11", title="Exports"))
    return strategy


def _rows(strategy: Strategy) -> list:  # type: ignore[type-arg]
    sdg = {g.pk: sorted(t.code for t in g.sdg_targets.all()) for g in strategy.goals.all()}
    return tree_rows(measure_strategy(strategy, today=dt.date(2026, 6, 1)), sdg)


def test_csv_has_the_tree_in_order_and_is_safe(strategy: Strategy) -> None:
    data = to_csv(_rows(strategy))
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Level", "Code", "Goal"]
    assert [row[2] for row in rows[1:]] == [
        "Kaarnala on elinvoimainen",
        "'=cmd|' /C calc'!A0",
        "'@Järjestetään messut",
    ]
    assert rows[3][1] == "'-1.1"
    sg = rows[2]
    assert sg[3] == "Kaarnala on elinvoimainen" and sg[6] == "31.12.2029" and sg[8] == "Vienti"
    assert sg[7] == "17.11, 8.5" or sg[7] == "8.5, 17.11"
    assert rows[1][5] == "Aino Admin"
    assert all(not cell.startswith(DANGEROUS_START) for row in rows for cell in row)


def test_xlsx_is_indented_typed_and_safe(strategy: Strategy) -> None:
    workbook = load_workbook(io.BytesIO(to_xlsx(_rows(strategy), strategy=strategy)))
    sheet = workbook.active
    assert sheet is not None
    assert sheet["A1"].value == str(strategy)
    assert [c.value for c in sheet[3]][:3] == ["Level", "Code", "Goal"]
    titles = [sheet.cell(row=r, column=3) for r in range(4, sheet.max_row + 1)]
    assert [c.value for c in titles] == [
        "Kaarnala on elinvoimainen",
        "'=cmd|' /C calc'!A0",
        "'@Järjestetään messut",
    ]
    assert all(cell.data_type == "s" for row in sheet.iter_rows() for cell in row if cell.value is not None
               and isinstance(cell.value, str))  # fmt: skip
    assert sheet.cell(row=5, column=7).value.date() == dt.date(2029, 12, 31)  # a date, not text
    assert [sheet.row_dimensions[r].outline_level for r in (4, 5, 6)] == [0, 1, 2]
    assert [c.alignment.indent for c in titles] == [0, 2, 4]


def test_export_views(org: Organisation, strategy: Strategy, client: Client) -> None:
    client.force_login(make_member(organisation=org, role=Role.VIEWER, user=make_user(language="en")))
    path = reverse("goals:strategy_export", args=[org.slug, strategy.pk])
    xlsx = client.get(path)
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert xlsx["Content-Disposition"] == 'attachment; filename="kaarnala-2030-2025-2029.xlsx"'
    assert load_workbook(io.BytesIO(xlsx.content)).active is not None
    as_csv = client.get(path + "?format=csv")
    assert as_csv["Content-Type"].startswith("text/csv")
    assert "Kaarnala on elinvoimainen" in as_csv.content.decode("utf-8-sig")
    other = make_strategy(organisation=make_organisation())
    assert client.get(reverse("goals:strategy_export", args=[org.slug, other.pk])).status_code == 404
