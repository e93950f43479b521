"""Exports: a row per indicator and period, safe from formula injection, attributed, re-importable."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from indicators.importers import exports
from indicators.importers.pipeline import import_file
from indicators.importers.tabular import FORMULA_START, unescape_text
from indicators.models import Observation
from organisations.models import Organisation, Role
from tests.factories import make_member, make_organisation, make_user
from tests.indicators.import_factories import make_import_template, make_source_indicator, observe

HEADER = [
    "Indicator ID", "Code", "Indicator", "Unit", "Period", "Value", "Status", "Note", "Source", "Provenance",
    "Retrieved at", "Attribution",
]  # fmt: skip


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def org(db: None) -> Organisation:
    return make_organisation(name="Kaarnala", slug="kaarnala", code="991")


@pytest.fixture
def world(org: Organisation) -> dict[str, Any]:
    retrieved = dt.datetime(2025, 3, 4, 10, 30, tzinfo=dt.UTC)
    population = make_source_indicator(
        organisation=org, name="Väkiluku", template=make_import_template(code="vaesto"), unit="persons"
    )
    observe(
        population,
        2023,
        "12345",
        source="statfin",
        provenance="statfin_vaerak_pxt_11ra",
        retrieved_at=retrieved,
    )
    observe(
        population,
        2024,
        "12400.5",
        source="sotkanet",
        provenance="Sotkanet indicator 127",
        status="preliminary",
    )
    observe(population, 2025, None, missing_reason="not yet published")
    hostile = make_source_indicator(
        organisation=org, name='=HYPERLINK("http://evil.example","click")', unit="@x"
    )
    observe(hostile, 2024, "-3.2", note="+1 more", source="file", provenance="-upload.csv")
    observe(hostile, 2023, "0.000001", note="\tfront tab")
    empty = make_source_indicator(organisation=org, name="Ei arvoja")
    return {"population": population, "hostile": hostile, "empty": empty}


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_csv_has_a_row_per_indicator_and_period(world: dict[str, Any]) -> None:
    rows = _csv_rows(exports.export_csv(world["population"].organisation))
    population = str(world["population"].pk)
    assert rows[0] == HEADER
    assert [row[:8] for row in rows[1:] if row[0] == population] == [
        [population, "vaesto", "Väkiluku", "persons", "2023", "12345", "final", ""],
        [population, "vaesto", "Väkiluku", "persons", "2024", "12400,5", "preliminary", ""],
        [population, "vaesto", "Väkiluku", "persons", "2025", "", "missing", "not yet published"],
    ]
    by_period = {row[4]: row for row in rows[1:] if row[0] == population}
    assert by_period["2023"][8:] == [
        "Statistics Finland",
        "statfin_vaerak_pxt_11ra",
        "2025-03-04 12:30",
        "Source: Statistics Finland, CC BY 4.0",
    ]
    assert by_period["2024"][11] == "Source: THL / Sotkanet, CC BY 4.0"
    assert by_period["2025"][11] == ""
    empty = [row for row in rows if row[0] == str(world["empty"].pk)]
    assert empty == [[str(world["empty"].pk), "", "Ei arvoja", "", "", "", "", "", "", "", "", ""]]


def test_csv_text_that_looks_like_a_formula_is_quoted_and_numbers_stay_numbers(world: dict[str, Any]) -> None:
    rows = _csv_rows(exports.export_csv(world["population"].organisation))
    hostile = {row[4]: row for row in rows[1:] if row[0] == str(world["hostile"].pk)}
    assert hostile["2024"][2] == '\'=HYPERLINK("http://evil.example","click")'
    assert hostile["2024"][3] == "'@x"
    assert hostile["2024"][5] == "-3,2"  # a negative number is a number, not a formula
    assert hostile["2024"][7] == "'+1 more"
    assert hostile["2024"][9] == "'-upload.csv"
    assert hostile["2023"][5] == "0,000001"
    assert hostile["2023"][7] == "'\tfront tab"


def test_xlsx_cells_are_typed_and_safe(world: dict[str, Any]) -> None:
    book = load_workbook(io.BytesIO(exports.export_xlsx(world["population"].organisation)))
    sheet = book.worksheets[0]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == HEADER
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f", f"{cell.coordinate} would run as a formula: {cell.value!r}"
    hostile = {row[4]: row for row in rows[1:] if row[0] == world["hostile"].pk}
    assert hostile["2024"][2] == '\'=HYPERLINK("http://evil.example","click")'
    assert hostile["2024"][5] == pytest.approx(-3.2) and isinstance(hostile["2024"][5], float)
    assert hostile["2024"][7] == "'+1 more"
    population = {row[4]: row for row in rows[1:] if row[0] == world["population"].pk}
    assert population["2023"][5] == 12345 and population["2025"][5] is None
    assert population["2023"][11] == "Source: Statistics Finland, CC BY 4.0"


@given(st.text(max_size=40))
def test_no_text_cell_can_start_a_formula(text: str) -> None:
    escaped = exports.escape_text(text)
    assert not escaped.startswith(FORMULA_START)
    if not (text[:1] == "'" and text[1:2] in FORMULA_START):  # a text that already looks escaped stays so
        assert unescape_text(escaped) == text


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_imports_back_without_changing_anything(world: dict[str, Any], fmt: str) -> None:
    org = world["population"].organisation
    before = list(Observation.objects.order_by("pk").values())
    data = exports.export_csv(org) if fmt == "csv" else exports.export_xlsx(org)
    report = import_file(io.BytesIO(data), name=f"export.{fmt}", organisation=org, by=make_user())
    assert report.ok, report.problems
    assert (report.read, report.matched, report.created, report.updated, report.unchanged) == (6, 5, 0, 0, 5)
    assert report.notices == {("Row 4", "no value: the row was skipped"): 1}  # the indicator without values
    assert list(Observation.objects.order_by("pk").values()) == before


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_restores_deleted_values(world: dict[str, Any], fmt: str) -> None:
    org = world["population"].organisation
    fields = ("indicator_id", "period", "value", "status", "missing_reason", "note")
    before = sorted(Observation.objects.values_list(*fields))
    data = exports.export_csv(org) if fmt == "csv" else exports.export_xlsx(org)
    Observation.objects.all().delete()
    report = import_file(io.BytesIO(data), name=f"export.{fmt}", organisation=org)
    assert report.created == 5
    assert sorted(Observation.objects.values_list(*fields)) == before


def test_export_queries_do_not_grow_with_indicators(org: Organisation) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            exports.export_rows(org)
        return len(captured)

    make_source_indicator(organisation=org, template=make_import_template())
    few = count()
    for year in range(2000, 2020):
        indicator = make_source_indicator(organisation=org, template=make_import_template())
        observe(indicator, year, "1")
        observe(indicator, year + 1, "2")
    assert count() == few == 2


def test_viewers_download_both_formats(client: Client, world: dict[str, Any]) -> None:
    org = world["population"].organisation
    client.force_login(make_member(organisation=org, role=Role.VIEWER, user=make_user(language="en")))
    url = reverse("indicator_imports:export", args=[org.slug])
    response = client.get(url, {"format": "csv"})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="kaarnala-indicators-')
    assert response["Content-Disposition"].endswith('.csv"')
    response = client.get(url, {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert load_workbook(io.BytesIO(response.content)).worksheets[0]["C1"].value == "Indicator"
    assert client.get(url, {"format": "pdf"}).status_code == 404
    assert client.post(url, {"format": "csv"}).status_code == 405


def test_export_of_another_organisation_is_404(client: Client, world: dict[str, Any]) -> None:
    org = world["population"].organisation
    client.force_login(make_member(organisation=make_organisation(), role=Role.ADMIN))
    response = client.get(reverse("indicator_imports:export", args=[org.slug]), {"format": "csv"})
    assert response.status_code == 404
    assert b"HYPERLINK" not in response.content


def test_export_headers_follow_the_language_and_still_import(world: dict[str, Any]) -> None:
    org = world["population"].organisation
    with translation.override("fi"):
        data = exports.export_csv(org)
    report = import_file(io.BytesIO(data), name="vienti.csv", organisation=org)
    assert report.ok and report.unchanged == 5
    assert Decimal("12345") in {o.value for o in Observation.objects.all()}
