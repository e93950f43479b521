"""The importers without HTTP: numbers, upload guards, tables, JSON-stat, Sotkanet, writing, the command."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import tracemalloc
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest import mock

import pghistory.models
import pytest
from django.core.files.uploadhandler import SkipFile
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.importers import jsonstat, sotkanet, tabular
from indicators.importers.apply import write_values
from indicators.importers.errors import DecodeError, ImportDataError, NumberError, UploadRefused
from indicators.importers.numbers import parse_number, plain_number
from indicators.importers.pipeline import detect_format, import_file
from indicators.importers.report import Candidate, Report
from indicators.importers.uploads import FileKind, SizeLimitUploadHandler, check_file
from indicators.models import Observation, ObservationSource
from organisations.models import Organisation
from tests.factories import make_organisation, make_user
from tests.indicators.import_factories import (
    DATA,
    csv_file,
    make_import_template,
    make_source_indicator,
    observe,
    xlsx_file,
)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def events(**filters: Any) -> int:
    return pghistory.models.Events.objects.filter(pgh_model="indicators.ObservationEvent", **filters).count()


# --- numbers -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 234,5", "1234.5"),
        ("1\u00a0234,5", "1234.5"),  # Excel's no-break space
        ("1\u202f234\u202f567,25", "1234567.25"),  # narrow no-break space
        ("12,5 %", "12.5"),
        ("12,5%", "12.5"),
        ("\u22123,2", "-3.2"),  # the minus sign
        ("- 3,2", "-3.2"),
        ("+7", "7"),
        ("1234.5", "1234.5"),
        (",5", "0.5"),
        ("  42  ", "42"),
        ("1e3", "1000"),
        ("0,0000004", "0"),  # six decimals are kept
        ("-0", "0"),
        (12, "12"),
        (12.25, "12.25"),
        (Decimal("3.5"), "3.5"),
    ],
)
def test_finnish_numbers_are_read(text: object, expected: str) -> None:
    assert parse_number(text) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "no number"),
        ("abc", "not a number"),
        ("1,234.5", "mixes a comma and a point"),
        ("1 23", "not a number"),
        ("12,5 % %", "not a number"),
        ("1" * 70, "too long"),
        ("1e20", "too large"),
        ("123456789012345", "too large"),
        (float("nan"), "not a number"),
        (True, "not a number"),
        (None, "not a number"),
    ],
)
def test_bad_numbers_are_refused_with_a_reason(text: object, words: str) -> None:
    with pytest.raises(NumberError) as error:
        parse_number(text)
    assert words in str(error.value)
    assert isinstance(error.value, ImportDataError)


@given(st.text(max_size=80))
def test_any_text_is_a_number_or_a_validation_error(text: str) -> None:
    try:
        number = parse_number(text)
    except NumberError as error:
        assert error.message
    else:
        assert number.is_finite() and abs(number) < 10**14


@given(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(), st.decimals(), st.none()))
def test_any_cell_is_a_number_or_a_validation_error(value: object) -> None:
    with contextlib.suppress(NumberError):
        parse_number(value)


@given(st.decimals(min_value=Decimal("-99999999999999"), max_value=Decimal("99999999999999"), places=6))
def test_finnish_formatting_reads_back(value: Decimal) -> None:
    sign = "\u2212" if value < 0 else ""
    whole, _dot, fraction = f"{abs(value):f}".partition(".")
    groups = f"{int(whole):,}".replace(",", "\u00a0")
    text = f"{sign}{groups},{fraction}" if fraction else f"{sign}{groups}"
    assert parse_number(text) == value
    assert parse_number(plain_number(value)) == value


# --- upload guards -------------------------------------------------------------------------------------


def _zip(members: dict[str, bytes | int], *, name: str = "book.xlsx") -> io.BytesIO:
    """A zip whose members are bytes, or ints: that many zero bytes, streamed (memory stays small)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, content in members.items():
            if isinstance(content, int):
                with archive.open(member, "w", force_zip64=True) as part:
                    block = b"\0" * (1024 * 1024)
                    for _ in range(content // len(block)):
                        part.write(block)
            else:
                archive.writestr(member, content)
    buffer.seek(0)
    return buffer


WORKBOOK_PARTS = {
    "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
    "xl/workbook.xml": b"<workbook/>",
}


def test_a_real_workbook_and_csv_pass() -> None:
    assert check_file(xlsx_file([["a"], [1]]), name="values.xlsx").kind == FileKind.XLSX
    assert check_file(csv_file([["a", "b"], [1, 2]]), name="values.csv").kind == FileKind.CSV
    assert check_file(io.BytesIO(b'{"class": "dataset"}'), name="x.json").kind == FileKind.JSON


@override_settings(IMPORT_MAX_BYTES=1000)
def test_a_file_over_the_size_limit_is_refused() -> None:
    with pytest.raises(UploadRefused, match="largest file that can be imported is 1000"):
        check_file(io.BytesIO(b"a;b\r\n" * 300), name="big.csv")


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(UploadRefused, match="empty"):
        check_file(io.BytesIO(b""), name="x.csv")


def test_type_is_told_by_content_not_by_name() -> None:
    with pytest.raises(UploadRefused, match=r"named “values\.xlsx” but its content is a text file"):
        check_file(csv_file([["a", "b"], [1, 2]]), name="values.xlsx")
    with pytest.raises(UploadRefused, match="Excel workbook or another zip"):
        check_file(xlsx_file([["a"]]), name="values.csv")
    with pytest.raises(UploadRefused, match="old Excel workbook"):
        check_file(io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100), name="old.xls")
    with pytest.raises(UploadRefused, match="not a CSV table"):
        check_file(io.BytesIO(b"\x89PNG\r\n\x1a\n\0\0\0"), name="picture.csv")
    with pytest.raises(UploadRefused, match="zip archive but not an Excel workbook"):
        check_file(_zip({"word/document.xml": b"<w/>", "[Content_Types].xml": b"<Types/>"}), name="x.xlsx")


def test_windows_1252_csv_is_read_with_its_encoding() -> None:
    checked = check_file(csv_file([["Indikaattori", "Väestö"]], encoding="cp1252"), name="x.csv")
    assert checked.encoding == "cp1252"


def test_a_workbook_that_inflates_to_hundreds_of_megabytes_is_refused_with_flat_memory() -> None:
    bomb = _zip({**WORKBOOK_PARTS, "xl/worksheets/sheet1.xml": 300 * 1024 * 1024})
    assert len(bomb.getvalue()) < 2 * 1024 * 1024  # it is small on the wire
    tracemalloc.start()
    try:
        with pytest.raises(UploadRefused, match="would unpack to 300"):
            check_file(bomb, name="bomb.xlsx")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5 * 1024 * 1024


def _patch_declared_size(data: bytes, member: str, size: int) -> bytes:
    """Make the zip's headers understate a member's inflated size (as a crafted bomb does)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        real = archive.getinfo(member).file_size.to_bytes(4, "little")
    fake, name, out = size.to_bytes(4, "little"), member.encode(), bytearray(data)
    # Central directory entries: size at offset 24, name length at 28, name at 46.
    position = 0
    while (position := out.find(b"PK\x01\x02", position)) != -1:
        length = int.from_bytes(out[position + 28 : position + 30], "little")
        if out[position + 46 : position + 46 + length] == name and out[position + 24 : position + 28] == real:
            out[position + 24 : position + 28] = fake
        position += 4
    # Local headers: size at offset 22, name length at 26, name at 30.
    position = 0
    while (position := out.find(b"PK\x03\x04", position)) != -1:
        length = int.from_bytes(out[position + 26 : position + 28], "little")
        if out[position + 30 : position + 30 + length] == name and out[position + 22 : position + 26] == real:
            out[position + 22 : position + 26] = fake
        position += 4
    return bytes(out)


def test_a_workbook_whose_directory_understates_its_size_is_refused() -> None:
    honest = _zip({**WORKBOOK_PARTS, "xl/worksheets/sheet1.xml": b"<a/>" * (2 * 1024 * 1024)}).getvalue()
    lying = _patch_declared_size(honest, "xl/worksheets/sheet1.xml", 1000)
    with pytest.raises(UploadRefused):
        check_file(io.BytesIO(lying), name="liar.xlsx")


def test_a_workbook_with_thousands_of_parts_is_refused() -> None:
    parts: dict[str, bytes | int] = {**WORKBOOK_PARTS, **{f"xl/media/{i}.bin": b"x" for i in range(1200)}}
    with pytest.raises(UploadRefused, match="holds 1202 parts"):
        check_file(_zip(parts), name="many.xlsx")


def test_macro_workbooks_are_refused() -> None:
    with pytest.raises(UploadRefused, match="macros"):
        check_file(_zip({**WORKBOOK_PARTS, "xl/vbaProject.bin": b"\0" * 10}), name="book.xlsx")
    macro_types = (
        b'<Types><Override ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/></Types>'
    )
    with pytest.raises(UploadRefused, match="macros"):
        check_file(_zip({**WORKBOOK_PARTS, "[Content_Types].xml": macro_types}), name="book.xlsx")
    with pytest.raises(UploadRefused, match="macros"):
        check_file(xlsx_file([["a"]]), name="book.xlsm")


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>"""


def _laughing_workbook() -> io.BytesIO:
    """A real workbook whose sheet carries the billion laughs."""
    source = xlsx_file([["Indicator", "Period", "Value"], ["x", 2024, 1]])
    out = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in original.infolist():
            content = original.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = BILLION_LAUGHS
            copy.writestr(info, content)
    out.seek(0)
    return out


def test_billion_laughs_is_refused_by_the_guard() -> None:
    with pytest.raises(UploadRefused, match="XML entity declarations"):
        check_file(_laughing_workbook(), name="laughs.xlsx")


def test_openpyxl_parses_through_defusedxml_behind_the_guard() -> None:
    """Defence in depth: were the guard skipped, openpyxl (with defusedxml installed) still refuses."""
    import openpyxl

    assert openpyxl.DEFUSEDXML is True
    with pytest.raises(DecodeError, match="cannot be read"):
        tabular.read_xlsx(_laughing_workbook())


def test_the_upload_handler_stops_at_the_limit() -> None:
    handler = SizeLimitUploadHandler(limit=10)
    handler.new_file("file", "x.csv", "text/csv", 100)
    assert handler.receive_data_chunk(b"12345", 0) == b"12345"
    with pytest.raises(SkipFile):
        handler.receive_data_chunk(b"1234567890", 5)
    assert handler.exceeded


def test_detect_format_tells_sotkanet_and_jsonstat_by_content() -> None:
    sotkanet_csv = (DATA / "sotkanet_rest1.1_csv_indicator127_2009.csv").read_bytes()
    assert detect_format(io.BytesIO(sotkanet_csv), name="data.csv")[0] == "sotkanet"
    assert (
        detect_format(io.BytesIO(b'[{"indicator": 127, "region": 46, "year": 2009}]'), name="x")[0]
        == "sotkanet"
    )
    sample = (DATA / "statfin_11rc_population_age_sex_sv.jsonstat2.json").read_bytes()
    assert detect_format(io.BytesIO(sample), name="x.json")[0] == "jsonstat"
    with pytest.raises(UploadRefused, match="to be read as Statistics Finland JSON-stat"):
        detect_format(csv_file([["a"]]), name="x.csv", requested="jsonstat")


# --- tables --------------------------------------------------------------------------------------------


def test_csv_delimiters_and_byte_order_mark() -> None:
    for sep in (";", ",", "\t"):
        data = io.BytesIO(
            ("\ufeffIndicator" + sep + "Year" + sep + "Value\r\nA" + sep + "2024" + sep + "5\r\n").encode()
        )
        table = tabular.read_csv(data)
        assert table.columns == ["Indicator", "Year", "Value"]
        assert table.rows == [(2, ["A", "2024", "5"])]


def test_a_ragged_csv_names_the_row() -> None:
    with pytest.raises(DecodeError, match="Row 3 has 4 columns but the first row has 3"):
        tabular.read_csv(csv_file([["a", "b", "c"], [1, 2, 3], [1, 2, 3, 4]]))


@pytest.mark.parametrize(
    ("titles", "expected"),
    [
        (["Indicator ID", "Code", "Indicator", "Period", "Value", "Status", "Note"],
         {"indicator": "Indicator ID", "period": "Period", "value": "Value", "status": "Status",
          "note": "Note"}),
        (["Indikaattori", "Vuosi", "Arvo", "Tila"],
         {"indicator": "Indikaattori", "period": "Vuosi", "value": "Arvo", "status": "Tila"}),
        (["indikator", "år", "värde"], {"indicator": "indikator", "period": "år", "value": "värde"}),
        (["x", "y"], {}),
    ],
)  # fmt: skip
def test_mapping_is_guessed_from_titles(titles: list[str], expected: dict[str, str]) -> None:
    assert tabular.guess_mapping(titles) == expected


MAPPING = {"indicator": "Indicator", "period": "Period", "value": "Value", "status": "Status", "note": "Note"}
HEADER = ["Indicator", "Period", "Value", "Status", "Note"]


@pytest.fixture
def org(db: None) -> Organisation:
    return make_organisation(name="Kaarnala", slug="kaarnala", code="991")


def test_rows_are_matched_by_id_template_code_or_name(org: Organisation) -> None:
    template = make_import_template(code="vaesto")
    by_code = make_source_indicator(organisation=org, name="Väkiluku", template=template)
    by_name = make_source_indicator(organisation=org, name="Työllisyysaste", name_sv="Sysselsättningsgrad")
    quarterly = make_source_indicator(organisation=org, name="Vierailut", periodicity="quarter")
    table = tabular.read_csv(
        csv_file(
            [
                HEADER,
                [str(by_code.pk), "2023", "1 234", "", ""],
                ["VAESTO", "2024", "1 250,5", "ennakko", "arvio"],
                ["sysselsättningsgrad", "2024", "72,5 %", "final", ""],
                [str(quarterly.pk), "2024Q2", "\u221215", "", ""],
                [str(by_name.pk), "2020", "", "missing", "not measured that year"],
            ]
        )
    )
    candidates, report = tabular.check_table(table, MAPPING, org)
    assert report.ok, report.problems
    assert (report.read, report.matched) == (5, 5)
    assert [(c.indicator_id, c.period, c.value, c.status, c.reason, c.note) for c in candidates] == [
        (by_code.pk, dt.date(2023, 1, 1), Decimal("1234"), None, None, ""),
        (by_code.pk, dt.date(2024, 1, 1), Decimal("1250.5"), "preliminary", None, "arvio"),
        (by_name.pk, dt.date(2024, 1, 1), Decimal("72.5"), "final", None, ""),
        (quarterly.pk, dt.date(2024, 4, 1), Decimal("-15"), None, None, ""),
        (by_name.pk, dt.date(2020, 1, 1), None, "missing", "not measured that year", None),
    ]
    assert report.preview[1]["indicator"] == "Väkiluku"


def test_every_problem_is_named_by_row_column_and_reason(org: Organisation) -> None:
    indicator = make_source_indicator(organisation=org, name="Väkiluku")
    make_source_indicator(organisation=org, name="Kaksoisnimi")
    make_source_indicator(organisation=org, name="Kaksoisnimi")
    table = tabular.read_csv(
        csv_file(
            [
                HEADER,
                ["Väkiluku", "2024", "abc", "", ""],
                ["Tuntematon", "2024", "1", "", ""],
                ["Väkiluku", "2024Q1", "1", "", ""],
                ["Väkiluku", "2023", "1", "valmis", ""],
                ["Kaksoisnimi", "2023", "1", "", ""],
                ["", "", "5", "", ""],
                ["Väkiluku", "2022", "1", "missing", ""],
                ["Väkiluku", "2021", "", "final", ""],
                ["Väkiluku", "2020", "1", "", ""],
                ["Väkiluku", "2020", "2", "", ""],
                ["Väkiluku", "2019", "", "", ""],
                ["", "", "", "", ""],
            ]
        )
    )
    candidates, report = tabular.check_table(table, MAPPING, org)
    problems = [(p.row, p.column, p.reason) for p in report.problems]
    assert problems == [
        (2, "Value", "“abc” is not a number: write it like 1 234,5 or -3,2."),
        (
            3,
            "Indicator",
            "Kaarnala has no indicator “Tuntematon”. Use the indicator's ID, template code or name.",
        ),
        (4, "Period", "“2024Q1” is not a period of Väkiluku, which is measured by year: write it like 2024."),
        (5, "Status", "“valmis” is not a status: use final, preliminary or missing."),
        (6, "Indicator", "2 indicators are named “Kaksoisnimi”: use the indicator ID instead."),
        (7, "Indicator", "The indicator is missing."),
        (7, "Period", "The period is missing."),
        (8, "Status", "The status is missing but the row has a value. Remove one of them."),
        (9, "Value", "The value is empty. Give a value, or mark the status as missing."),
        (11, "Period", "Row 10 already gives Väkiluku for 2020."),
    ]
    assert report.rejected == 9
    assert [c.row for c in candidates] == [10]
    assert report.notices == {("Row 12", "no value: the row was skipped"): 1}
    assert indicator.pk


def test_xlsx_cells_keep_their_types(org: Organisation) -> None:
    indicator = make_source_indicator(organisation=org, name="Väkiluku")
    monthly = make_source_indicator(organisation=org, name="Kävijät", periodicity="month")
    table = tabular.read_xlsx(
        xlsx_file(
            [
                ["Indicator", "Period", "Value"],
                [indicator.pk, 2024, 1234.5],
                ["'=Väkiluku", None, None],
                [monthly.pk, dt.datetime(2024, 3, 1), -3],  # noqa: DTZ001 (Excel dates have no time zone)
                [None, None, None],
                ["Väkiluku", "2023", "1 000,25"],
            ]
        )
    )
    assert table.rows[0] == (2, [indicator.pk, 2024, 1234.5])
    mapping = {"indicator": "Indicator", "period": "Period", "value": "Value"}
    candidates, report = tabular.check_table(table, mapping, org)
    assert [(c.indicator_id, c.period, c.value) for c in candidates] == [
        (indicator.pk, dt.date(2024, 1, 1), Decimal("1234.5")),
        (monthly.pk, dt.date(2024, 3, 1), Decimal("-3")),
        (indicator.pk, dt.date(2023, 1, 1), Decimal("1000.25")),
    ]
    assert report.read == 4  # the blank row is not a row of values


def test_mapping_errors_are_readable() -> None:
    assert tabular.mapping_errors({"indicator": "A", "period": "A"}, ["A", "B"]) == [
        "Choose the column that holds the value.",
        "The column “A” is chosen for two fields.",
    ]


# --- writing: upserts, audit, atomicity ----------------------------------------------------------------


def _thousand_rows(org: Organisation, bad_row: int | None = None) -> tuple[io.BytesIO, list[int]]:
    indicators = [make_source_indicator(organisation=org, name=f"Mittari {i}") for i in range(10)]
    rows: list[list[Any]] = [["Indicator ID", "Period", "Value"]]
    for indicator in indicators:
        for year in range(1900, 2000):
            rows.append([indicator.pk, year, f"{year - 1900},5"])
    if bad_row is not None:
        rows[bad_row - 1][2] = "12,3,4"
    return csv_file(rows), [i.pk for i in indicators]


def _fix(file: io.BytesIO) -> io.BytesIO:
    return io.BytesIO(file.getvalue().replace(b"12,3,4", b"12,3"))


def test_the_import_atomicity_triple(org: Organisation) -> None:
    user = make_user()
    bad, ids = _thousand_rows(org, bad_row=500)
    before = events()

    report = import_file(bad, name="values.csv", organisation=org, by=user)
    assert Observation.objects.filter(indicator__organisation=org).count() == 0
    assert not report.written and report.read == 1000 and report.rejected == 1
    assert [(p.row, p.column) for p in report.problems] == [(500, "Value")]
    assert "“12,3,4” is not a number" in report.problems[0].reason
    assert events() == before

    fixed = _fix(bad)
    report = import_file(fixed, name="values.csv", organisation=org, by=user)
    assert (report.created, report.updated, report.unchanged) == (1000, 0, 0)
    assert Observation.objects.filter(indicator_id__in=ids).count() == 1000
    assert events() == before + 1000
    sample = Observation.objects.get(indicator_id=ids[4], period=dt.date(1997, 1, 1))
    assert (sample.value, sample.source, sample.provenance) == (Decimal("97.5"), "file", "values.csv")
    assert sample.created_by == sample.updated_by == user and sample.retrieved_at is not None

    report = import_file(_fix(bad), name="values.csv", organisation=org, by=user)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 1000)
    assert Observation.objects.filter(indicator_id__in=ids).count() == 1000
    assert events() == before + 1000  # nothing rewritten, so no audit event


def test_a_changed_value_is_one_update_event_with_the_user(org: Organisation) -> None:
    typist, importer = make_user(), make_user()
    indicator = make_source_indicator(organisation=org, name="Väkiluku")
    kept = observe(indicator, 2023, "100", created_by=typist, updated_by=typist, note="typed")
    changed = observe(indicator, 2024, "200", created_by=typist, updated_by=typist, status="preliminary")
    before = events()
    report = Report()
    write_values(
        [
            Candidate(indicator.pk, dt.date(2023, 1, 1), Decimal("100.000"), row=2),
            Candidate(indicator.pk, dt.date(2024, 1, 1), Decimal("210"), row=3),
            Candidate(indicator.pk, dt.date(2025, 1, 1), None, row=4, status="missing", reason="not yet"),
        ],
        report=report,
        source=ObservationSource.STATFIN,
        provenance="statfin_vaerak_pxt_11rc",
        by=importer,
    )
    assert (report.created, report.updated, report.unchanged) == (1, 1, 1)
    kept.refresh_from_db()
    changed.refresh_from_db()
    assert kept.version == 1 and kept.source == "typed" and kept.note == "typed"
    assert changed.value == Decimal("210") and changed.version == 2
    assert changed.status == "preliminary"  # the source did not say: the stored status stays
    assert changed.created_by == typist and changed.updated_by == importer
    assert changed.source == "statfin" and changed.provenance == "statfin_vaerak_pxt_11rc"
    new = Observation.objects.get(indicator=indicator, period=dt.date(2025, 1, 1))
    assert (new.value, new.status, new.missing_reason) == (None, "missing", "not yet")
    assert events() == before + 2
    latest = pghistory.models.Events.objects.filter(pgh_model="indicators.ObservationEvent").order_by(
        "-pgh_id"
    )[:2]
    assert {e.pgh_context["user"] for e in latest if e.pgh_context} == {importer.pk}


def test_a_dry_run_counts_but_writes_nothing(org: Organisation) -> None:
    indicator = make_source_indicator(organisation=org, name="Väkiluku")
    observe(indicator, 2023, "1")
    report = import_file(
        csv_file([["Indicator", "Period", "Value"], ["Väkiluku", 2023, 2], ["Väkiluku", 2024, 3]]),
        name="x.csv",
        organisation=org,
        dry_run=True,
    )
    assert (report.created, report.updated, report.written) == (1, 1, False)
    assert Observation.objects.get(indicator=indicator).value == Decimal("1")
    assert "Nothing was written (a check): 1 would be new, 1 changed" in report.lines()[-1]


# --- JSON-stat -----------------------------------------------------------------------------------------


def test_the_real_statistics_finland_sample_decodes() -> None:
    [dataset] = jsonstat.decode(
        json.loads((DATA / "statfin_11rc_population_age_sex_sv.jsonstat2.json").read_text())
    )
    assert dataset.count == 90 and dataset.table_id == "statfin_vaerak_pxt_11rc"
    assert [d.id for d in dataset.dimensions] == ["Vuosi", "Sukupuoli", "Ikä", "Tiedot"]
    assert dataset.dimensions[1].label_of("2") == "Kvinnor"
    first = dataset.cell(Vuosi="2020", Sukupuoli="SSS", Ikä="20-24", Tiedot="vaesto")
    last = dataset.cell(Vuosi="2022", Sukupuoli="2", Ikä="65-69", Tiedot="vaesto")
    middle = dataset.cell(Vuosi="2021", Sukupuoli="1", Ikä="30-34", Tiedot="vaesto")
    assert first and first.value == Decimal("308410")
    assert last and last.value == Decimal("181956")
    assert middle and middle.value == Decimal("186959")


def test_the_real_sample_is_reported_not_dropped(org: Organisation) -> None:
    make_source_indicator(organisation=org, name="Väestö", source="statfin", source_code="vaesto")
    report = import_file(
        (DATA / "statfin_11rc_population_age_sex_sv.jsonstat2.json").open("rb"), name="11rc.json"
    )
    assert report.unit == "cells" and report.read == 90 and report.imported == 0
    # Totals by sex exist, but every cell is broken down by age (and the table has no area anyway).
    assert report.notices == {
        ("Kön", "values broken down by Kön are not imported; only totals are"): 60,
        ("Ålder", "values broken down by Ålder are not imported; only totals are"): 30,
    }


def _statfin_world(db: None) -> dict[str, Any]:
    helsinki = make_organisation(name="Helsinki", slug="helsinki", code="091")
    espoo = make_organisation(name="Espoo", slug="espoo", code="049")
    uusimaa = make_organisation(
        name="Uudenmaan liitto", slug="uudenmaan-liitto", code="01", kind=Organisation.Kind.REGIONAL_COUNCIL
    )
    return {
        "helsinki": helsinki,
        "espoo": espoo,
        "uusimaa": uusimaa,
        "population": make_source_indicator(organisation=helsinki, source="statfin", source_code="M411"),
        "espoo_population": make_source_indicator(organisation=espoo, source="statfin", source_code="m411"),
        "region_population": make_source_indicator(
            organisation=uusimaa, source="statfin", source_code="M411"
        ),
    }


AREAS = ["KU091", "049", "MK01", "SSS", "KU588", "SK011"]
YEARS = ["2023", "2024"]
# Values by (area, year); KU091 2024 is null with a status, 049 2023 is null without one.
CELLS = {
    ("KU091", "2023"): 664028, ("KU091", "2024"): None, ("049", "2023"): None, ("049", "2024"): 320931.0,
    ("MK01", "2023"): 1733000, ("MK01", "2024"): 1760000, ("SSS", "2023"): 5603851, ("SSS", "2024"): 5635971,
    ("KU588", "2023"): 1800, ("KU588", "2024"): 1790, ("SK011", "2023"): 1, ("SK011", "2024"): 2,
}  # fmt: skip
STATUS = {("KU091", "2024"): ".."}


def build_dataset(*, index: str, value: str, status: str, single: str = "indexed") -> dict[str, Any]:
    """The same data in each form JSON-stat 2.0 allows."""
    positions = [(a, y) for a in AREAS for y in YEARS]  # area outer, year inner, metric of size 1

    def category(codes: list[str]) -> dict[str, Any]:
        labels = {c: f"label {c}" for c in codes}
        if index == "object":
            return {"index": {c: i for i, c in enumerate(codes)}, "label": labels}
        return {"index": codes, "label": labels}

    metric: dict[str, Any] = {"label": {"M411": "Väkiluku"}}
    if single == "indexed":
        metric = category(["M411"])
    data: dict[str, Any] = {
        "version": "2.0",
        "class": "dataset",
        "id": ["Alue", "Vuosi", "Tiedot"],
        "size": [len(AREAS), len(YEARS), 1],
        "role": {"geo": ["Alue"], "time": ["Vuosi"], "metric": ["Tiedot"]},
        "dimension": {
            "Alue": {"label": "Alue", "category": category(AREAS)},
            "Vuosi": {"label": "Vuosi", "category": category(YEARS)},
            "Tiedot": {"label": "Tiedot", "category": metric},
        },
        "extension": {"px": {"tableid": "statfin_vaerak_pxt_11ra"}},
    }
    values = [CELLS[p] for p in positions]
    if value == "array":
        data["value"] = values
    else:
        data["value"] = {str(i): v for i, v in enumerate(values) if v is not None or positions[i] in STATUS}
    status_at = {i: STATUS[p] for i, p in enumerate(positions) if p in STATUS}
    if status == "string":
        data["status"] = ".."
    elif status == "array":
        data["status"] = [status_at.get(i) for i in range(len(positions))]
    elif status == "object":
        data["status"] = {str(i): s for i, s in status_at.items()}
    return data


NOT_AVAILABLE = ".. (not available or too uncertain to be published)"
FORMS = [
    {"index": index, "value": value, "status": status, "single": single}
    for index in ("object", "array")
    for value in ("array", "sparse")
    for status in ("array", "object")
    for single in ("indexed", "unindexed")
]


@pytest.mark.parametrize("form", FORMS, ids=lambda f: "-".join(f.values()))
def test_every_json_stat_form_maps_to_the_same_values(db: None, form: dict[str, str]) -> None:
    world = _statfin_world(db)
    data = build_dataset(**form)
    report = import_file(io.BytesIO(json.dumps(data).encode()), name="11ra.json", fmt="jsonstat")
    assert report.ok, report.problems
    stored = {
        (o.indicator.organisation.slug, o.period.year): (
            o.value,
            o.status,
            o.missing_reason,
            o.source,
            o.provenance,
        )
        for o in Observation.objects.select_related("indicator__organisation")
    }
    expected = {
        ("helsinki", 2023): (Decimal("664028"), "final", "", "statfin", "statfin_vaerak_pxt_11ra"),
        ("helsinki", 2024): (None, "missing", NOT_AVAILABLE, "statfin", "statfin_vaerak_pxt_11ra"),
        ("espoo", 2024): (Decimal("320931"), "final", "", "statfin", "statfin_vaerak_pxt_11ra"),
        ("uudenmaan-liitto", 2023): (Decimal("1733000"), "final", "", "statfin", "statfin_vaerak_pxt_11ra"),
        ("uudenmaan-liitto", 2024): (Decimal("1760000"), "final", "", "statfin", "statfin_vaerak_pxt_11ra"),
    }  # fmt: skip
    if form["value"] == "array":  # a dense array names Espoo's null for 2023; a sparse object leaves it out
        expected[("espoo", 2023)] = (
            None,
            "missing",
            "no value in Statistics Finland",
            "statfin",
            "statfin_vaerak_pxt_11ra",
        )
    assert stored == expected
    assert report.notices[("SSS label SSS", "values for the whole country belong to no organisation")] == 2
    assert (
        report.notices[
            (
                "KU588 label KU588",
                "municipality 588 no longer exists (it has merged into another); its values are not imported",
            )
        ]
        == 2
    )
    assert report.notices[("SK011 label SK011", "this area is not a municipality or a region")] == 2
    assert world["population"].observations.count() == 2


def test_status_as_a_string_applies_to_every_null(db: None) -> None:
    _statfin_world(db)
    data = build_dataset(index="array", value="array", status="string")
    import_file(io.BytesIO(json.dumps(data).encode()), name="x.json")
    espoo_2023 = Observation.objects.get(indicator__organisation__slug="espoo", period=dt.date(2023, 1, 1))
    assert espoo_2023.missing_reason == ".. (not available or too uncertain to be published)"


def test_one_organisation_takes_only_its_own_area(db: None) -> None:
    world = _statfin_world(db)
    data = build_dataset(index="object", value="array", status="object")
    report = import_file(io.BytesIO(json.dumps(data).encode()), name="x.json", organisation=world["espoo"])
    assert Observation.objects.filter(indicator__organisation=world["espoo"]).count() == 2
    assert Observation.objects.exclude(indicator__organisation=world["espoo"]).count() == 0
    assert report.notices[("other areas", "values of other areas are not imported into Espoo")] == 4


def test_a_metric_no_indicator_uses_is_reported(db: None) -> None:
    world = _statfin_world(db)
    world["population"].source_code = "M999"
    world["population"].save()
    data = build_dataset(index="array", value="array", status="array")
    subject = "M411 label M411"
    everyone = import_file(io.BytesIO(json.dumps(data).encode()), name="x.json", dry_run=True)
    assert (
        everyone.notices[
            (subject, "the organisation of the area has no indicator with this Statistics Finland code")
        ]
        == 2
    )
    helsinki = import_file(
        io.BytesIO(json.dumps(data).encode()), name="x.json", organisation=world["helsinki"]
    )
    assert helsinki.notices[(subject, "no indicator with this Statistics Finland code in Helsinki")] == 2


def test_a_collection_and_the_1x_layout_decode() -> None:
    data = build_dataset(index="array", value="array", status="array")
    [from_collection] = jsonstat.decode({"class": "collection", "link": {"item": [data]}})
    old = {k: v for k, v in data.items() if k not in {"id", "size", "role", "version", "class"}}
    old["dimension"] = {**data["dimension"], "id": data["id"], "size": data["size"], "role": data["role"]}
    [from_old] = jsonstat.decode(old)
    assert [c.value for c in from_collection.cells()] == [c.value for c in from_old.cells()]


def _one(index: Any, value: Any, *, size: int = 2, label: Any = None, **extra: Any) -> dict[str, Any]:
    """A dataset of one dimension "a"."""
    category = {"index": index} if label is None else {"label": label}
    return {"id": ["a"], "size": [size], "dimension": {"a": {"category": category}}, "value": value, **extra}


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ([], "does not start with an object"),
        ({"class": "dimension"}, "describes a dimension"),
        ({"class": "bundle"}, "its class is “bundle”"),
        ({"version": "2.0", "class": "dataset"}, "no dimensions"),
        ({"error": [{"status": "400"}]}, "error report"),
        ({"class": "collection", "link": {"item": [{"class": "dataset", "href": "x"}]}},
         "no embedded dataset"),
        (_one(["x", "y"], [1]), "has 1 values but its dimensions make 2"),
        (_one(["x", "y"], [1, 2, 3], size=3), "has 2 categories but its size says 3"),
        (_one(None, [1, 2], label={"x": "X", "y": "Y"}), "no category index"),
        (_one({"x": 0, "y": 2}, [1, 2]), "not 0, 1, 2"),
        (_one(["x", "y"], {"5": 1}), "outside its 2 cells"),
        (_one(["x", "y"], [1, 2], status=["a", "b", "c"]), "status list"),
        ({"id": ["a", "b", "c"], "size": [10**5] * 3, "dimension": {}, "value": []}, "too many to import"),
    ],
)  # fmt: skip
def test_malformed_json_stat_is_refused_with_a_reason(data: Any, words: str) -> None:
    with pytest.raises(DecodeError, match=words):
        jsonstat.decode(data)


def test_bad_cell_values_are_problems_not_crashes(db: None) -> None:
    _statfin_world(db)
    data = build_dataset(index="array", value="array", status="array")
    data["value"][0] = "lots"
    data["value"][1] = True
    report = import_file(io.BytesIO(json.dumps(data).encode()), name="x.json")
    assert [(p.row, p.column) for p in report.problems] == [
        (1, "KU091 · 2023 · M411"),
        (2, "KU091 · 2024 · M411"),
    ]
    assert not report.written and Observation.objects.count() == 0


def test_broken_json_is_a_validation_error() -> None:
    with pytest.raises(DecodeError, match="not valid JSON"):
        jsonstat.load_json(io.BytesIO(b'{"class": "dataset", '))
    with pytest.raises(DecodeError, match="nested too deeply"):
        jsonstat.load_json(io.BytesIO(b"[" * 100_000 + b"]" * 100_000))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=20,
)
keys = st.sampled_from(
    [
        "id",
        "size",
        "dimension",
        "value",
        "status",
        "role",
        "class",
        "version",
        "category",
        "index",
        "label",
        "a",
        "0",
    ]
)
jsonstat_like = st.recursive(
    st.none() | st.integers(-2, 5) | st.text(max_size=3) | st.floats(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=6),
    max_leaves=30,
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(json_values, jsonstat_like))
def test_the_decoder_never_crashes(data: Any) -> None:
    try:
        for dataset in jsonstat.decode(data):
            for cell in dataset.cells():
                assert cell.error is None or cell.value is None
    except DecodeError as error:
        assert error.message


@st.composite
def datasets(draw: st.DrawFn) -> dict[str, Any]:
    """Valid JSON-stat in a random allowed form, with random values, nulls and statuses."""
    sizes = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    ids = [f"d{i}" for i in range(len(sizes))]
    dimension = {}
    for dim, size in zip(ids, sizes, strict=True):
        codes = [f"{dim}c{i}" for i in range(size)]
        form = draw(st.sampled_from(["array", "object", "none"] if size == 1 else ["array", "object"]))
        category: dict[str, Any] = {"label": {c: c.upper() for c in codes}}
        if form == "array":
            category["index"] = codes
        elif form == "object":
            category["index"] = {c: i for i, c in enumerate(codes)}
        dimension[dim] = {"category": category}
    count = 1
    for size in sizes:
        count *= size
    cell = (
        st.none() | st.integers(-(10**9), 10**9) | st.floats(allow_nan=False, allow_infinity=False, width=32)
    )
    values = draw(st.lists(cell, min_size=count, max_size=count))
    data: dict[str, Any] = {
        "version": "2.0",
        "class": "dataset",
        "id": ids,
        "size": sizes,
        "dimension": dimension,
    }
    if draw(st.booleans()):
        data["value"] = values
    else:
        data["value"] = {str(i): v for i, v in enumerate(values) if draw(st.booleans())}
    status_form = draw(st.sampled_from(["none", "string", "array", "object"]))
    if status_form == "string":
        data["status"] = "p"
    elif status_form == "array":
        data["status"] = draw(
            st.lists(st.none() | st.sampled_from(["..", "p"]), min_size=count, max_size=count)
        )
    elif status_form == "object":
        data["status"] = {str(i): ".." for i in range(count) if draw(st.booleans())}
    return data


@settings(max_examples=200)
@given(datasets())
def test_every_valid_form_decodes_cell_by_cell(data: dict[str, Any]) -> None:
    [dataset] = jsonstat.decode(data)
    cells = list(dataset.cells())
    assert len(cells) == len(data["value"])
    assert len({c.coordinates for c in cells}) == len(cells)
    for cell in cells:
        raw = (
            data["value"][cell.position]
            if isinstance(data["value"], list)
            else data["value"][str(cell.position)]
        )
        if raw is None:
            assert cell.value is None
        elif abs(raw) < 10**14:
            assert cell.error is None and cell.value is not None


def test_pxweb_fetch_posts_the_query_with_a_timeout() -> None:
    answer = (DATA / "statfin_11rc_population_age_sex_sv.jsonstat2.json").read_bytes()
    response = mock.MagicMock()
    response.__enter__.return_value.read.return_value = answer
    opener = mock.MagicMock()
    opener.open.return_value = response
    query = jsonstat.pxweb_query({"Alue": ["KU091"], "Tiedot": ["M411"]})
    url = "https://pxdata.stat.fi/PxWeb/api/v1/fi/StatFin/vaerak/statfin_vaerak_pxt_11ra.px"
    with mock.patch("urllib.request.build_opener", return_value=opener):
        data = jsonstat.fetch_pxweb(url, query, timeout=5)
    assert data["extension"]["px"]["tableid"] == "statfin_vaerak_pxt_11rc"
    request = opener.open.call_args.args[0]
    assert opener.open.call_args.kwargs == {"timeout": 5}
    assert request.get_method() == "POST" and request.full_url == url
    assert json.loads(request.data)["query"][0] == {
        "code": "Alue",
        "selection": {"filter": "item", "values": ["KU091"]},
    }
    assert json.loads(request.data)["response"] == {"format": "json-stat2"}


def test_pxweb_fetch_refuses_other_hosts_and_reports_timeouts() -> None:
    with pytest.raises(ImportDataError, match="Only Statistics Finland"):
        jsonstat.fetch_pxweb("https://example.com/x.px", [])
    with pytest.raises(ImportDataError, match="Only Statistics Finland"):
        jsonstat.fetch_pxweb("http://pxdata.stat.fi/x.px", [])
    opener = mock.MagicMock()
    opener.open.side_effect = TimeoutError("timed out")
    with (
        mock.patch("urllib.request.build_opener", return_value=opener),
        pytest.raises(DecodeError, match="did not answer"),
    ):
        jsonstat.fetch_pxweb("https://pxdata.stat.fi/x.px", [])


# --- Sotkanet ------------------------------------------------------------------------------------------


def _sotkanet_world(db: None) -> dict[str, Any]:
    helsinki = make_organisation(name="Helsinki", slug="helsinki", code="091")
    espoo = make_organisation(name="Espoo", slug="espoo", code="049")
    uusimaa = make_organisation(
        name="Uudenmaan liitto", slug="uudenmaan-liitto", code="01", kind=Organisation.Kind.REGIONAL_COUNCIL
    )
    return {
        "helsinki": make_source_indicator(organisation=helsinki, source="sotkanet", source_code="127"),
        "espoo": make_source_indicator(organisation=espoo, source="sotkanet", source_code="127"),
        "espoo_statfin": make_source_indicator(organisation=espoo, source="statfin", source_code="127"),
        "uusimaa": make_source_indicator(organisation=uusimaa, source="sotkanet", source_code="127"),
    }


def test_the_regions_list_ships_with_the_product() -> None:
    assert Path(sotkanet.regions_path()).name == "sotkanet_regions.json"
    known = sotkanet.regions()
    assert len(known) == 511
    assert known[46] == sotkanet.Region(46, "091", "KUNTA", "Helsinki")


def test_the_real_sotkanet_csv_imports_and_reports_the_rest(db: None) -> None:
    world = _sotkanet_world(db)
    report = import_file((DATA / "sotkanet_rest1.1_csv_indicator127_2009.csv").open("rb"), name="127.csv")
    assert report.ok and report.read == 466 and report.matched == 3
    values = {o.indicator_id: (o.period, o.value, o.source, o.provenance) for o in Observation.objects.all()}
    assert values == {
        world["helsinki"].pk: (dt.date(2009, 1, 1), Decimal("583350"), "sotkanet", "Sotkanet indicator 127"),
        world["espoo"].pk: (dt.date(2009, 1, 1), Decimal("244330"), "sotkanet", "Sotkanet indicator 127"),
        world["uusimaa"].pk: (dt.date(2009, 1, 1), Decimal("1517712"), "sotkanet", "Sotkanet indicator 127"),
    }  # the Statistics Finland indicator with the same code is left alone
    merged = {s: c for (s, r), c in report.notices.items() if "no longer exists" in r}
    assert sorted(merged) == [
        "099 Honkajoki", "164 Jalasjärvi", "174 Juankoski", "283 Hämeenkoski", "319 Köyliö", "442 Luvia",
        "532 Nastola", "588 Pertunmaa", "911 Valtimo",
    ]  # fmt: skip
    assert report.notices[("005 Alajärvi", "no organisation for municipality 005 in this service")] == 1
    assert (
        "588 Pertunmaa",
        "municipality 588 no longer exists (it has merged into another); its values are not imported",
    ) in report.notices
    assert sum(c for (s, r), c in report.notices.items() if "not in Sotkanet's region list" in r) == 3
    assert report.notices[("358 Koko maa", "values for the whole country belong to no organisation")] == 1
    assert report.notices[("SEUTUKUNTA", "areas of the kind SEUTUKUNTA are not organisations")] == 70
    assert report.skipped + report.matched == report.read


def test_sotkanet_json_gives_the_same_values(db: None) -> None:
    world = _sotkanet_world(db)
    data = [
        {
            "indicator": 127,
            "region": 46,
            "year": 2009,
            "gender": "total",
            "value": 583350,
            "absValue": 583350,
        },
        {"indicator": 127, "region": 20, "year": 2009, "gender": "total", "value": None, "absValue": None},
        {"indicator": 127, "region": 20, "year": 2009, "gender": "male", "value": 1, "absValue": 1},
        {"indicator": 127, "region": 278, "year": 2009, "gender": "total", "value": 1983, "absValue": 1983},
    ]
    report = import_file(io.BytesIO(json.dumps(data).encode()), name="127.json", fmt="sotkanet")
    assert report.ok
    assert world["helsinki"].observations.get().value == Decimal("583350")
    missing = world["espoo"].observations.get()
    assert (missing.value, missing.status, missing.missing_reason) == (
        None,
        "missing",
        "no value in Sotkanet",
    )
    assert report.notices[("gender male", "values by gender are not imported; only totals are")] == 1
    assert (
        "588 Pertunmaa",
        "municipality 588 no longer exists (it has merged into another); its values are not imported",
    ) in report.notices


def test_bad_sotkanet_input_is_refused_or_reported(db: None) -> None:
    _sotkanet_world(db)
    with pytest.raises(DecodeError, match="starts with the header"):
        sotkanet.read_csv(csv_file([["a", "b"], [1, 2]]))
    with pytest.raises(DecodeError, match="Item 1 of the Sotkanet response is not an object"):
        sotkanet.read_json([1])
    report = import_file(
        csv_file(
            [sotkanet.CSV_HEADER, [127, 46, 2009, "total", "many", ""], [127, 46, "2009Q1", "total", "1", ""]]
        ),
        name="x.csv",
    )
    assert [(p.row, p.column) for p in report.problems] == [(2, "primary value"), (3, "year")]
    assert Observation.objects.count() == 0


# --- the management command ----------------------------------------------------------------------------


def _write(tmp_path: Path, name: str, data: io.BytesIO) -> str:
    path = tmp_path / name
    path.write_bytes(data.getvalue())
    return str(path)


def test_the_command_imports_a_table_and_prints_the_report(org: Organisation, tmp_path: Path) -> None:
    indicator = make_source_indicator(organisation=org, name="Väkiluku")
    path = _write(
        tmp_path, "values.csv", csv_file([["Indicator", "Year", "Value"], ["Väkiluku", 2024, "1 234,5"]])
    )
    out = io.StringIO()
    call_command("import_values", path, "--format", "csv", "--organisation", "kaarnala", stdout=out)
    assert out.getvalue().splitlines() == [
        "1 row read",
        "1 matched to indicators",
        "0 rejected",
        "1 imported: 1 new, 0 changed; 0 already up to date",
    ]
    assert indicator.observations.get().value == Decimal("1234.5")


def test_the_command_dry_run_writes_nothing(org: Organisation, tmp_path: Path) -> None:
    make_source_indicator(organisation=org, name="Väkiluku")
    path = _write(tmp_path, "values.xlsx", xlsx_file([["Indicator", "Year", "Value"], ["Väkiluku", 2024, 5]]))
    out = io.StringIO()
    call_command("import_values", path, "--organisation", "kaarnala", "--dry-run", stdout=out)
    assert "Nothing was written (a check): 1 would be new" in out.getvalue()
    assert Observation.objects.count() == 0


def test_the_command_names_rejected_rows_and_fails(org: Organisation, tmp_path: Path) -> None:
    make_source_indicator(organisation=org, name="Väkiluku")
    path = _write(tmp_path, "values.csv", csv_file([["Indicator", "Year", "Value"], ["Väkiluku", 2024, "x"]]))
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("import_values", path, "--organisation", "kaarnala", stdout=out)
    assert error.value.returncode == 2
    assert "  Row 2, column “Value”: “x” is not a number: write it like 1 234,5 or -3,2." in out.getvalue()
    assert Observation.objects.count() == 0


def test_the_command_exits_non_zero_when_the_file_cannot_be_read(org: Organisation, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="cannot be read") as error:
        call_command("import_values", str(tmp_path / "missing.csv"), "--organisation", "kaarnala")
    assert error.value.returncode == 1
    path = _write(tmp_path, "fake.xlsx", csv_file([["a"], ["b"]]))
    with pytest.raises(CommandError, match="content is a text file"):
        call_command("import_values", path, "--organisation", "kaarnala")
    with pytest.raises(CommandError, match="--organisation is required"):
        call_command("import_values", _write(tmp_path, "x.csv", csv_file([["a"]])))
    with pytest.raises(CommandError, match="No organisation 'nowhere'"):
        call_command("import_values", path, "--organisation", "nowhere")


def test_the_command_imports_statistics_finland_and_sotkanet_by_area(db: None, tmp_path: Path) -> None:
    _statfin_world(db)
    data = io.BytesIO(json.dumps(build_dataset(index="object", value="sparse", status="object")).encode())
    out = io.StringIO()
    call_command("import_values", _write(tmp_path, "11ra.json", data), "--format", "jsonstat", stdout=out)
    text = out.getvalue()
    assert text.startswith("11 cells read\n5 matched to indicators\n0 rejected\n")
    assert "  SSS label SSS: values for the whole country belong to no organisation (2)" in text
    assert Observation.objects.filter(source="statfin").count() == 5

    sotkanet_path = str(DATA / "sotkanet_rest1.1_csv_indicator127_2009.csv")
    call_command(
        "import_values", sotkanet_path, "--format", "sotkanet", "--organisation", "helsinki", stdout=out
    )
    assert Observation.objects.filter(source="sotkanet").count() == 0  # no Sotkanet indicator in Helsinki


def test_the_command_fetches_from_pxweb(db: None, tmp_path: Path) -> None:
    world = _statfin_world(db)
    query = tmp_path / "query.json"
    query.write_text(json.dumps(jsonstat.pxweb_query({"Alue": ["KU091"]})))
    answer = build_dataset(index="array", value="array", status="array")
    with mock.patch.object(jsonstat, "fetch_pxweb", return_value=answer) as fetch:
        call_command(
            "import_values",
            "--pxweb-url",
            "https://pxdata.stat.fi/PxWeb/api/v1/fi/StatFin/vaerak/statfin_vaerak_pxt_11ra.px",
            "--query",
            str(query),
            "--organisation",
            "helsinki",
            stdout=io.StringIO(),
        )
    assert fetch.call_args.args[1]["query"][0]["code"] == "Alue"
    assert world["population"].observations.count() == 2
