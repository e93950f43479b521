"""Hostile uploads cost bounded, linear work: repeated or countless columns, wide sheets, many JSON-stat
dimensions, zips with countless parts, entity declarations in any part. Work is counted (lines of the
importers' code run, parser calls), never timed."""

from __future__ import annotations

import io
import json
import sys
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from indicators.importers import jsonstat, sotkanet, tabular
from indicators.importers.errors import DecodeError, UploadRefused
from indicators.importers.forms import MappingForm
from indicators.importers.uploads import check_file
from indicators.models import ImportRun
from organisations.models import Role
from tests.factories import make_member, make_organisation, make_user
from tests.indicators.import_factories import xlsx_file

IMPORTERS = str(Path(tabular.__file__).parent)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def lines_run(action: Callable[[], object]) -> int:
    """How many lines of the importers' code (indicators/importers/) the action runs: a count of work."""
    count = 0

    def local(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        if event == "line":
            count += 1
        return local

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        return local if frame.f_code.co_filename.startswith(IMPORTERS) else None

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        action()
    finally:
        sys.settrace(previous)
    return count


def repeated_header(n: int, title: str = "Arvo") -> io.BytesIO:
    return tabular.table_bytes(",".join([title] * n) + "\n" + ",".join(["1"] * n) + "\n")


# --- repeated column titles: linear, not quadratic ------------------------------------------------------


def test_repeated_titles_are_numbered_in_order() -> None:
    assert tabular.unique_titles(["A", "A", "", "A (3)", "A", "A"]) == [
        "A",
        "A (2)",
        "Column 3",
        "A (3)",
        "A (4)",
        "A (5)",
    ]


def test_reading_a_header_of_one_repeated_title_grows_linearly() -> None:
    """The mapping page reads the header (and guesses the columns) on every load: twice the columns must
    cost about twice the work. The old de-duplication ran its search loop 1 + 2 + … + n times."""

    def load_mapping_page(n: int) -> Callable[[], object]:
        def load() -> object:
            table = tabular.read_csv(repeated_header(n), limit=tabular.PREVIEW_ROWS)
            MappingForm(columns=table.columns, initial=tabular.guess_mapping(table.columns))
            return table

        return load

    n = 90
    single, double = lines_run(load_mapping_page(n)), lines_run(load_mapping_page(2 * n))
    assert tabular.read_csv(repeated_header(2 * n)).columns[-1] == f"Arvo ({2 * n})"
    assert double <= 2.2 * single, (single, double)


def test_xlsx_titles_are_de_duplicated_linearly_too() -> None:
    def read(n: int) -> Callable[[], object]:
        book = xlsx_file([["Arvo"] * n, [1] * n])
        return lambda: tabular.read_xlsx(book)

    n = 90
    single, double = lines_run(read(n)), lines_run(read(2 * n))
    assert double <= 2.2 * single, (single, double)


# --- the column cap -------------------------------------------------------------------------------------


def test_the_reported_csv_is_refused_with_a_clear_message_before_pandas_reads_it() -> None:
    """The file of the report: 10 KB, one title 2,400 times. Refused by counting its first row, so the
    work does not depend on the number of columns."""
    file = tabular.table_bytes(",".join(["Arvo"] * 2400) + "\n")
    assert len(file.getvalue()) < 12 * 1024
    with mock.patch("indicators.importers.tabular.pd.read_csv") as parse:
        with pytest.raises(DecodeError, match=f"more than {tabular.MAX_COLUMNS} columns"):
            tabular.read_csv(file)
        parse.assert_not_called()

    def refuse(columns: int) -> Callable[[], object]:
        file = repeated_header(columns)

        def read() -> None:
            with pytest.raises(DecodeError):
                tabular.read_csv(file)

        return read

    assert lines_run(refuse(20 * tabular.MAX_COLUMNS)) <= lines_run(refuse(tabular.MAX_COLUMNS + 1))


def test_a_csv_at_the_cap_is_read_and_one_past_it_is_not() -> None:
    assert len(tabular.read_csv(repeated_header(tabular.MAX_COLUMNS)).columns) == tabular.MAX_COLUMNS
    with pytest.raises(DecodeError, match="more than 200 columns"):
        tabular.read_csv(repeated_header(tabular.MAX_COLUMNS + 1))


def test_separators_inside_quotes_are_not_columns() -> None:
    quoted = '"' + ",".join(["x"] * 500) + '",Period,Value\n"a",2024,1\n'
    assert len(tabular.read_csv(tabular.table_bytes(quoted)).columns) == 3


def test_a_first_row_longer_than_a_chunk_is_refused_without_pandas() -> None:
    file = tabular.table_bytes("Indicator;" + "x" * (200 * 1024) + ";Value\n1;2;3\n")
    with mock.patch("indicators.importers.tabular.pd.read_csv") as parse:
        with pytest.raises(DecodeError, match="first row of the table"):
            tabular.read_csv(file)
        parse.assert_not_called()


def test_a_sotkanet_csv_with_countless_columns_is_refused_before_pandas() -> None:
    header = ";".join([*sotkanet.CSV_HEADER, *(["x"] * 5000)])
    file = tabular.table_bytes(header + "\n")
    with mock.patch("indicators.importers.sotkanet.pd.read_csv") as parse:
        with pytest.raises(DecodeError, match="more than 200 columns"):
            sotkanet.read_csv(file)
        parse.assert_not_called()


def _wide_workbook(cells: dict[str, str], dimension: str) -> io.BytesIO:
    """A workbook whose sheet declares `dimension` and holds the given inline-string cells in row 1 and 2."""
    source = xlsx_file([["x"]])
    by_row: dict[int, list[str]] = {}
    for ref, text in cells.items():
        row = int("".join(c for c in ref if c.isdigit()))
        by_row.setdefault(row, []).append(f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>')
    rows = "".join(f'<row r="{r}">{"".join(cs)}</row>' for r, cs in sorted(by_row.items()))
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>'
    ).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in original.infolist():
            content = original.read(info)
            copy.writestr(info, sheet if info.filename == "xl/worksheets/sheet1.xml" else content)
    out.seek(0)
    return out


def test_a_sheet_declaring_every_column_of_excel_is_read_at_its_real_width() -> None:
    """A sheet may declare A1:XFD1048576; openpyxl pads each row to that width. The reader asks for one
    column past the cap and keeps only the header's columns of each row."""
    book = _wide_workbook(
        {"A1": "Indicator", "B1": "Period", "C1": "Value", "A2": "x", "B2": "2024", "C2": "1"},
        "A1:XFD1048576",
    )
    cells_made = 0
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    original = ReadOnlyWorksheet._get_row

    def counting(self: Any, row: Any, *args: Any) -> Any:
        nonlocal cells_made
        result = original(self, row, *args)
        cells_made += len(result)
        return result

    with mock.patch.object(ReadOnlyWorksheet, "_get_row", counting):
        table = tabular.read_xlsx(book, limit=1)
    assert table.columns == ["Indicator", "Period", "Value"]
    assert table.rows == [(2, ["x", "2024", "1"])]
    assert cells_made <= 2 * (tabular.MAX_COLUMNS + 1)


def test_a_sheet_with_a_title_past_the_cap_is_refused() -> None:
    book = _wide_workbook({"A1": "Indicator", "GS1": "Far away", "A2": "x"}, "A1:GS2")  # GS = column 201
    with pytest.raises(DecodeError, match="more than 200 columns"):
        tabular.read_xlsx(book)


def test_the_upload_page_refuses_the_reported_csv_with_the_message(
    client: Client, db: None, tmp_path: Path
) -> None:
    org = make_organisation(slug="kaarnala")
    client.force_login(make_member(organisation=org, role=Role.EDITOR, user=make_user(language="en")))
    file = SimpleUploadedFile("wide.csv", repeated_header(2400).getvalue())
    with override_settings(MEDIA_ROOT=tmp_path):
        response = client.post(
            reverse("indicator_imports:upload", args=[org.slug]), {"file": file, "format": "auto"}
        )
    assert response.status_code == 422
    assert "The table has more than 200 columns" in response.content.decode()
    assert ImportRun.objects.count() == 0


# --- JSON-stat: the number of dimensions -----------------------------------------------------------------


def _dataset(dimensions: int) -> dict[str, Any]:
    ids = [f"d{i}" for i in range(dimensions)]
    return {
        "class": "dataset",
        "id": ids,
        "size": [1] * dimensions,
        "dimension": {i: {"category": {"index": ["a"], "label": {"a": "a"}}} for i in ids},
        "value": [1],
    }


def test_json_stat_with_thousands_of_dimensions_is_refused() -> None:
    """Each cell's coordinates cost work per dimension, and the strides once cost dimensions squared:
    a file of 20 MB could name half a million dimensions of one category."""
    with pytest.raises(DecodeError, match="at most 32 can be imported"):
        jsonstat.decode(json.loads(json.dumps(_dataset(5000))))
    assert jsonstat.decode(_dataset(jsonstat.MAX_DIMENSIONS))[0].cell(**{f"d{i}": "a" for i in range(32)})


# --- the workbook guard: every part, bounded work ---------------------------------------------------------


ENTITY_SHEET = (
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    '<row r="1"><c r="A1" t="inlineStr"><is><t>&e;</t></is></c></row></sheetData></worksheet>'
)


def _workbook_with(name: str, content: bytes, *, sheet_target: str | None = None) -> io.BytesIO:
    """A real workbook with one part added (or the sheet stored under another name)."""
    source = xlsx_file([["Indicator", "Period", "Value"], ["x", 2024, 1]])
    out = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in original.infolist():
            data = original.read(info)
            if sheet_target and info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"worksheets/sheet1.xml", sheet_target.encode())
            if sheet_target and info.filename == "xl/worksheets/sheet1.xml":
                continue
            copy.writestr(info, data)
        copy.writestr(name, content)
    out.seek(0)
    return out


@pytest.mark.parametrize(
    ("name", "content"),
    [
        # The sheet stored under a name that is not *.xml: the workbook's relationships point to it.
        ("xl/worksheets/sheet1.bin", ENTITY_SHEET.encode()),
        ("xl/worksheets/sheet1.XML", ENTITY_SHEET.encode()),
        # In UTF-16, which XML parsers read from the byte order mark without being told.
        ("xl/worksheets/sheet1.xml", ENTITY_SHEET.replace('<?xml version="1.0"?>', "").encode("utf-16")),
        ("xl/worksheets/sheet1.xml", ENTITY_SHEET.replace('<?xml version="1.0"?>', "").encode("utf-16-be")),
        # A part nobody reads today, and one named like a folder: the guard refuses them all the same.
        ("docProps/custom.dat", ENTITY_SHEET.encode()),
        ("docProps/folder/", ENTITY_SHEET.encode()),
    ],
)
def test_entity_declarations_are_refused_in_every_part(name: str, content: bytes) -> None:
    target = name.removeprefix("xl/") if name.startswith("xl/worksheets/") else None
    workbook = _workbook_with(name, content, sheet_target=target)
    with pytest.raises(UploadRefused, match="XML entity declarations"):
        check_file(workbook, name="book.xlsx")


def test_a_marker_across_two_chunks_is_found() -> None:
    from indicators.importers.uploads import CHUNK

    padding = b" " * (CHUNK - 5)
    workbook = _workbook_with(
        "xl/worksheets/sheet1.xml",
        padding + ENTITY_SHEET.encode("utf-16-le"),
        sheet_target="worksheets/sheet1.xml",
    )
    with pytest.raises(UploadRefused, match="XML entity declarations"):
        check_file(workbook, name="book.xlsx")


def test_a_real_workbook_still_passes() -> None:
    assert check_file(xlsx_file([["Indicator", "Period", "Value"], ["x", 2024, 1]]), name="v.xlsx")


def _directory_only_zip(entries: int) -> io.BytesIO:
    """A zip of `entries` empty stored parts: each costs the zip module an object before anything counts."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for i in range(entries):
            archive.writestr(f"{i}", b"")
    buffer.seek(0)
    return buffer


def test_a_zip_with_countless_parts_is_refused_before_the_zip_module_reads_its_directory() -> None:
    many = _directory_only_zip(5000)
    with mock.patch("indicators.importers.uploads.zipfile.ZipFile") as opened:
        with pytest.raises(UploadRefused, match="holds 5000 parts"):
            check_file(many, name="many.xlsx")
        opened.assert_not_called()
