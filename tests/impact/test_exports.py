"""The register as CSV and XLSX: the current filters, formula injection, numbers that stay numbers."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from impact.exports import DANGEROUS_START, safe_cell
from organisations.models import Organisation
from tests.impact.conftest import Tree
from tests.impact.factories import make_activity, make_contribution, make_partner, make_report

SLUG = "aakkosla"


def export_url(query: str = "") -> str:
    return reverse("activities:export", args=[SLUG]) + ("?" + query if query else "")


@pytest.fixture
def activities(org_a: Organisation, tree: Tree) -> None:
    bad = make_activity(
        organisation=org_a,
        name='=HYPERLINK("http://evil.example","klik")',
        kind="eu_project",
        programme="interreg",
        start_date=dt.date(2023, 1, 1),
        end_date=dt.date(2026, 12, 31),
        total_budget=Decimal("420000.50"),
        own_share=Decimal(84000),
        external_funding=Decimal("336000.50"),
    )
    make_partner(activity=bad, name="+SUM(1)", country="PL")
    make_partner(activity=bad, name="Vilsund Hamn", country="SE")
    make_contribution(activity=bad, goal=tree.g32)
    make_report(activity=bad, status="on_track")
    make_activity(organisation=org_a, name="@Norrvik", kind="twin_town", start_date=dt.date(1952, 5, 1))


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_dangerous_text_gets_an_apostrophe(value: str) -> None:
    assert safe_cell(value) == "'" + value


def test_other_values_pass_unchanged() -> None:
    for value in ["Norrvik", "", 12, Decimal("1.5"), dt.date(2025, 1, 1), None, -3]:
        assert safe_cell(value) == value


@given(st.text())
def test_no_text_cell_can_start_a_formula(text: str) -> None:
    cell = safe_cell(text)
    assert not cell.startswith(DANGEROUS_START) or cell == "'" + text


def _csv_rows(response: Any) -> list[list[str]]:
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:]), delimiter=";"))


def test_csv_export_is_safe_and_follows_the_filter(editor_client: Client, activities: None) -> None:
    response = editor_client.get(export_url("kind=eu_project"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="aakkosla-activities-')
    header, *rows = _csv_rows(response)
    assert header[0] == "Activity" and len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["Activity"] == '\'=HYPERLINK("http://evil.example","klik")'
    assert row["Partners"] == "'+SUM(1); Vilsund Hamn"
    assert row["Partner countries"] == "Poland, Sweden"
    assert row["Total budget (€)"] == "420000,50"  # a number a Finnish spreadsheet reads
    assert row["Start date"] == "01.01.2023"
    assert row["Goals served"] == "3.2 Kiertotalousratkaisut satamassa"
    assert row["Latest report status"] == "on track"
    assert row["Funding programme"] == "Interreg"


def test_xlsx_export_keeps_numbers_and_dates(editor_client: Client, activities: None) -> None:
    response = editor_client.get(export_url("format=xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert "Aakkosla" in str(sheet["A1"].value)
    header = [cell.value for cell in sheet[3]]
    rows = {
        row[0]: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=4, values_only=True)
    }
    assert set(rows) == {'\'=HYPERLINK("http://evil.example","klik")', "'@Norrvik"}
    project = rows['\'=HYPERLINK("http://evil.example","klik")']
    assert project["Total budget (€)"] == pytest.approx(420000.5)
    assert isinstance(project["Own share (€)"], int | float)
    assert project["Start date"].date() == dt.date(2023, 1, 1)  # a real date cell, not a text
    assert project["Partners"] == "'+SUM(1); Vilsund Hamn"
    assert rows["'@Norrvik"]["Flags"] == "serves no goal, report overdue, review due"
    # Nothing in the workbook is a formula.
    assert not any(
        isinstance(cell.value, str) and cell.value.startswith("=")
        for row in sheet.iter_rows()
        for cell in row
    )


def test_export_query_count_does_not_grow(
    editor_client: Client, org_a: Organisation, tree: Tree, django_assert_num_queries: Any
) -> None:
    def build(count: int) -> None:
        for n in range(count):
            activity = make_activity(organisation=org_a, name=f"Hanke {count}-{n}")
            make_partner(activity=activity)
            make_contribution(activity=activity, goal=tree.g11)

    build(2)
    with django_assert_num_queries(14):
        editor_client.get(export_url("format=xlsx"))
    build(20)
    with django_assert_num_queries(14):
        editor_client.get(export_url("format=xlsx"))
