"""The import journey in a real browser: a CSV with one bad row, its report, the fixed file, the import;
and a background run whose progress bar the page polls until the report arrives."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import FilePayload, Page, expect

from indicators.models import ImportRun, Observation
from organisations.models import Organisation, Role
from tests.e2e.conftest import check_current_page, check_page, sign_in, url, wait_for_htmx
from tests.factories import make_member, make_user
from tests.indicators.import_factories import make_source_indicator


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _csv(rows: list[list[object]]) -> bytes:
    return ("\r\n".join(";".join(str(c) for c in row) for row in rows) + "\r\n").encode()


def _upload(page: Page, content: bytes) -> None:
    payload: FilePayload = {"name": "arvot.csv", "mimeType": "text/csv", "buffer": content}
    page.locator("#id_file").set_input_files(files=[payload])
    page.locator("#upload-submit").click()
    expect(page).to_have_url(re.compile(r"/import/\d+/columns/$"))


def test_import_a_csv_with_one_bad_row_then_fix_it(page: Page, org_a: Organisation) -> None:
    editor = make_member(organisation=org_a, role=Role.EDITOR, user=make_user(language="en"))
    population = make_source_indicator(organisation=org_a, name="Väkiluku")
    jobs = make_source_indicator(organisation=org_a, name="Työpaikat")
    rows: list[list[object]] = [["Mittari", "Vuosi", "Arvo", "Huomautus"]]
    rows += [["Väkiluku", year, f"12 3{year - 2019}0", ""] for year in range(2019, 2026)]
    rows += [["Työpaikat", year, f"{year - 2000},5 %", "arvio"] for year in range(2019, 2026)]
    rows[4][2] = "paljon"  # row 5 of the spreadsheet
    bad = _csv(rows)

    sign_in(page, editor)
    check_page(page, url("indicator_imports:upload", org_a.slug), "import-upload")
    _upload(page, bad)
    check_current_page(page, "import-columns")

    # The guessed columns are shown with the first rows; choosing another column updates the preview.
    expect(page.locator("#id_value")).to_have_value("Arvo")
    expect(page.locator("#import-preview")).to_contain_text("“paljon” is not a number")
    page.locator("#id_value").focus()
    page.locator("#id_value").select_option("Huomautus")
    wait_for_htmx(page)
    expect(page.locator("#import-preview")).not_to_contain_text("“paljon”")
    expect(page.locator("#id_value")).to_be_focused()
    page.locator("#id_value").select_option("Arvo")
    wait_for_htmx(page)

    page.locator("#check-file").click()
    expect(page).to_have_url(re.compile(r"/import/\d+/$"))
    problems = page.locator("#import-problems tbody tr")
    expect(problems).to_have_count(1)
    expect(problems.first).to_contain_text("5")
    expect(problems.first).to_contain_text("Arvo")
    expect(problems.first).to_contain_text("“paljon” is not a number")
    expect(page.locator("#start-import")).to_have_count(0)
    check_current_page(page, "import-report-problems")
    assert Observation.objects.count() == 0

    # The corrected file: checked, then imported with the keyboard.
    page.goto(url("indicator_imports:upload", org_a.slug))
    rows[4][2] = "12 340"
    _upload(page, _csv(rows))
    page.locator("#check-file").click()
    expect(page.locator("#import-status-heading")).to_have_text("Checked: ready to import")
    check_current_page(page, "import-report-ready")
    page.locator("#start-import").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#import-status-heading")).to_have_text("Imported")
    expect(page.locator("#live-region")).to_contain_text("14 values were imported.")
    check_current_page(page, "import-report-done")
    assert population.observations.count() == 7 and jobs.observations.count() == 7
    assert str(jobs.observations.get(period__year=2024).value) == "24.500000"


def test_the_progress_bar_is_polled_until_the_report_arrives(page: Page, org_a: Organisation) -> None:
    editor = make_member(organisation=org_a, role=Role.EDITOR, user=make_user(language="en"))
    run = ImportRun.objects.create(
        organisation=org_a,
        created_by=editor,
        file_name="suuri.csv",
        format="csv",
        state=ImportRun.State.RUNNING,
        total=10_000,
        processed=2_500,
        report={"phase": "check"},
    )
    sign_in(page, editor)
    check_page(page, url("indicator_imports:run", org_a.slug, run.pk), "import-progress")
    expect(page.locator("#import-progress-bar")).to_have_attribute("value", "2500")
    expect(page.locator("#import-progress")).to_contain_text("2,500 of about 10,000 rows read (25 %)")

    ImportRun.objects.filter(pk=run.pk).update(processed=7_500)
    expect(page.locator("#import-progress-bar")).to_have_attribute("value", "7500")

    ImportRun.objects.filter(pk=run.pk).update(
        state=ImportRun.State.PREVIEW,
        processed=10_000,
        report={"phase": "check", "read": 10_000, "matched": 10_000, "created": 10_000},
    )
    expect(page.locator("#import-status-heading")).to_have_text("Checked: ready to import")
    expect(page.locator("#live-region")).to_contain_text("The check is finished.")
    expect(page.locator("#import-progress")).not_to_have_attribute("hx-trigger", "every 1s")
    check_current_page(page, "import-progress-done")
