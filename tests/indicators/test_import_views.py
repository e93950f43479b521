"""The import pages: upload, columns with a live preview, check, progress polling, report, roles."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators import tasks
from indicators.models import ImportRun, Observation
from organisations.models import Organisation, Role, User
from tests.factories import make_member, make_organisation, make_user
from tests.indicators.import_factories import DATA, csv_file, make_source_indicator, xlsx_file


@pytest.fixture(autouse=True)
def media(tmp_path: Path) -> Iterator[Path]:
    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        yield tmp_path / "media"


@pytest.fixture
def org(db: None) -> Organisation:
    return make_organisation(name="Kaarnala", slug="kaarnala", code="991")


@pytest.fixture
def editor(org: Organisation) -> User:
    return make_member(organisation=org, role=Role.EDITOR, user=make_user(language="en", name="Eeva Editor"))


@pytest.fixture
def editor_client(client: Client, editor: User) -> Client:
    client.force_login(editor)
    return client


def url(name: str, org: Organisation, *args: Any) -> str:
    return reverse(f"indicator_imports:{name}", args=[org.slug, *args])


def upload(file: io.BytesIO, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, file.getvalue())


HTMX = {"HX-Request": "true"}


def assert_fragment(response: Any, partial: str) -> None:
    assert cast(Any, response).template_name.endswith(f"#{partial}"), cast(Any, response).template_name
    assert "<html" not in response.content.decode()
    assert "HX-Request" in response["Vary"]


def _values(org: Organisation) -> list[tuple[str, int, str]]:
    return sorted(
        (o.indicator.name_fi, o.period.year, str(o.value))
        for o in Observation.objects.filter(indicator__organisation=org).select_related("indicator")
    )


# --- upload ------------------------------------------------------------------------------------------


def test_upload_page_for_an_editor(editor_client: Client, org: Organisation) -> None:
    response = editor_client.get(url("upload", org))
    assert response.status_code == 200
    assert cast(Any, response).template_name == "indicators/imports/import_upload.html"
    body = response.content.decode()
    assert 'id="upload-form"' in body and 'enctype="multipart/form-data"' in body
    assert f"{url('export', org)}?format=xlsx" in body
    assert "No imports yet." in body


def test_a_viewer_sees_the_export_but_no_upload_and_cannot_post(client: Client, org: Organisation) -> None:
    client.force_login(make_member(organisation=org, role=Role.VIEWER, user=make_user(language="en")))
    response = client.get(url("upload", org))
    body = response.content.decode()
    assert response.status_code == 200 and 'id="upload-form"' not in body
    assert "lets you export this organisation's values but not import them" in body
    assert f"{url('export', org)}?format=csv" in body
    refused = client.post(url("upload", org), {"file": upload(csv_file([["a"]]), "x.csv"), "format": "auto"})
    assert refused.status_code == 403
    assert ImportRun.objects.count() == 0


def test_non_members_get_404_everywhere(client: Client, org: Organisation) -> None:
    run = ImportRun.objects.create(organisation=org, format="csv", file_name="x.csv")
    client.force_login(make_member(organisation=make_organisation(), role=Role.ADMIN))
    for name, args in [("upload", ()), ("export", ()), ("run", (run.pk,)), ("map", (run.pk,))]:
        assert client.get(url(name, org, *args)).status_code == 404
    assert client.post(url("start", org, run.pk)).status_code == 404


def test_a_table_upload_goes_to_the_columns(editor_client: Client, org: Organisation, editor: User) -> None:
    file = csv_file([["Indikaattori", "Vuosi", "Arvo"], ["Väkiluku", "2024", "1 234"]])
    response = editor_client.post(url("upload", org), {"file": upload(file, "arvot.csv"), "format": "auto"})
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == url("map", org, run.pk)
    assert (run.format, run.file_name, run.state, run.created_by, run.total) == (
        "csv",
        "arvot.csv",
        "preview",
        editor,
        1,
    )
    assert str(run.file.name).startswith("imports/") and not str(run.file.name).endswith("arvot.csv")


def test_a_refused_upload_says_why_as_page_and_as_fragment(editor_client: Client, org: Organisation) -> None:
    fake = upload(csv_file([["a", "b"], [1, 2]]), "values.xlsx")
    response = editor_client.post(url("upload", org), {"file": fake, "format": "auto"})
    assert response.status_code == 422
    assert cast(Any, response).template_name == "indicators/imports/import_upload.html"
    assert "its content is a text file, not an Excel workbook" in response.content.decode()

    fake = upload(csv_file([["a", "b"], [1, 2]]), "values.xlsx")
    response = editor_client.post(url("upload", org), {"file": fake, "format": "csv"}, headers=HTMX)
    assert response.status_code == 422
    assert_fragment(response, "upload-form")
    body = response.content.decode()
    assert 'hx-swap-oob="innerHTML"' in body and "its content is a text file" in body
    assert '<option value="csv" selected>' in body  # the choice made is kept
    assert ImportRun.objects.count() == 0


@override_settings(IMPORT_MAX_BYTES=200)
def test_a_file_over_the_limit_is_stopped_while_uploading(editor_client: Client, org: Organisation) -> None:
    big = upload(io.BytesIO(b"Indicator;Period;Value\r\n" + b"x;2024;1\r\n" * 100), "big.csv")
    with mock.patch("indicators.views_imports.detect_format") as detect:
        response = editor_client.post(url("upload", org), {"file": big, "format": "auto"})
    assert response.status_code == 422
    assert "The file is larger than 200\xa0bytes" in response.content.decode()
    detect.assert_not_called()  # nothing read it


def test_upload_needs_the_csrf_token(org: Organisation, editor: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    file = upload(csv_file([["Indicator", "Period", "Value"], ["x", "2024", "1"]]), "x.csv")
    assert client.post(url("upload", org), {"file": file, "format": "auto"}).status_code == 403
    client.get(url("upload", org))
    token = client.cookies["csrftoken"].value
    file = upload(csv_file([["Indicator", "Period", "Value"], ["x", "2024", "1"]]), "x.csv")
    response = client.post(url("upload", org), {"file": file, "format": "auto"}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 302


def test_the_upload_page_lists_recent_runs_in_constant_queries(
    editor_client: Client, org: Organisation, django_assert_num_queries: Any
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            editor_client.get(url("upload", org))
        return len(captured)

    ImportRun.objects.create(
        organisation=org, format="csv", file_name="file-first.csv", created_by=make_user()
    )
    editor_client.get(url("upload", org))  # the first request of a session writes it
    few = queries()
    for i in range(15):
        ImportRun.objects.create(
            organisation=org, format="csv", file_name=f"file-{i}.csv", created_by=make_user()
        )
    with django_assert_num_queries(few):
        response = editor_client.get(url("upload", org))
    assert response.content.decode().count(".csv</a></th>") == 10


# --- columns -------------------------------------------------------------------------------------------


@pytest.fixture
def table_run(editor_client: Client, org: Organisation) -> ImportRun:
    make_source_indicator(organisation=org, name="Väkiluku")
    file = csv_file(
        [
            ["Mittari", "Vuosi", "Arvo", "Huom"],
            ["Väkiluku", "2023", "1 200", ""],
            ["Väkiluku", "2024", "abc", ""],
        ]
    )
    editor_client.post(url("upload", org), {"file": upload(file, "arvot.csv"), "format": "auto"})
    return ImportRun.objects.get()


def test_the_columns_page_guesses_and_previews(
    editor_client: Client, org: Organisation, table_run: ImportRun
) -> None:
    response = editor_client.get(url("map", org, table_run.pk))
    assert response.status_code == 200
    assert cast(Any, response).template_name == "indicators/imports/import_map.html"
    body = response.content.decode()
    assert '<option value="Mittari" selected>' in body and '<option value="Arvo" selected>' in body
    assert "Arvo: “abc” is not a number" in body  # row 3's problem in the preview


def test_a_changed_column_refreshes_the_preview_fragment(
    editor_client: Client, org: Organisation, table_run: ImportRun
) -> None:
    choices = {"indicator": "Mittari", "period": "Vuosi", "value": "Huom", "status": "", "note": ""}
    response = editor_client.get(url("map", org, table_run.pk), choices, headers=HTMX)
    assert response.status_code == 200
    assert_fragment(response, "import-preview")
    assert "The value is empty" not in response.content.decode()  # empty value without status is skipped
    choices["indicator"] = ""
    response = editor_client.get(url("map", org, table_run.pk), choices, headers=HTMX)
    assert "Choose the column that holds the indicator." in response.content.decode()


def test_a_bad_choice_keeps_the_form_with_a_message(
    editor_client: Client, org: Organisation, table_run: ImportRun
) -> None:
    choices = {"indicator": "Mittari", "period": "Vuosi", "value": "Vuosi"}
    response = editor_client.post(url("map", org, table_run.pk), choices, headers=HTMX)
    assert response.status_code == 422
    assert_fragment(response, "mapping-form")
    assert "The column “Vuosi” is chosen for two fields." in response.content.decode()
    response = editor_client.post(url("map", org, table_run.pk), choices)
    assert (
        response.status_code == 422
        and cast(Any, response).template_name == "indicators/imports/import_map.html"
    )


def test_checking_lists_every_problem_and_offers_no_import(
    editor_client: Client, org: Organisation, table_run: ImportRun
) -> None:
    choices = {"indicator": "Mittari", "period": "Vuosi", "value": "Arvo", "note": "Huom"}
    response = editor_client.post(url("map", org, table_run.pk), choices, headers=HTMX)
    assert response.status_code == 200 and response["HX-Redirect"] == url("run", org, table_run.pk)
    table_run.refresh_from_db()
    assert table_run.mapping == {"indicator": "Mittari", "period": "Vuosi", "value": "Arvo", "note": "Huom"}
    assert table_run.state == "preview" and table_run.report["phase"] == "check"
    page = editor_client.get(url("run", org, table_run.pk)).content.decode()
    assert "The file has problems: nothing was imported" in page
    assert '<th scope="row">3</th><td>Arvo</td><td>“abc” is not a number' in page
    assert 'id="start-import"' not in page
    assert editor_client.post(url("start", org, table_run.pk)).status_code == 302
    assert Observation.objects.count() == 0


def test_a_viewer_cannot_map_or_start(client: Client, org: Organisation, table_run: ImportRun) -> None:
    client.force_login(make_member(organisation=org, role=Role.VIEWER))
    assert client.get(url("map", org, table_run.pk)).status_code == 403
    assert client.post(url("start", org, table_run.pk)).status_code == 403
    assert client.get(url("run", org, table_run.pk)).status_code == 200


# --- the atomicity triple through the pages --------------------------------------------------------------


def _thousand(org: Organisation) -> bytes:
    indicators = [make_source_indicator(organisation=org, name=f"Mittari {i}") for i in range(10)]
    rows: list[list[Any]] = [["Indicator", "Period", "Value"]]
    rows += [[i.name_fi, year, f"{year},25"] for i in indicators for year in range(1901, 2001)]
    rows[777][2] = "1,2,3"  # spreadsheet row 778
    return csv_file(rows).getvalue()


def _check(client: Client, org: Organisation, content: bytes) -> ImportRun:
    client.post(url("upload", org), {"file": SimpleUploadedFile("thousand.csv", content), "format": "auto"})
    run = ImportRun.objects.latest("pk")
    client.post(url("map", org, run.pk), {"indicator": "Indicator", "period": "Period", "value": "Value"})
    run.refresh_from_db()
    return run


def test_the_atomicity_triple_through_the_pages(editor_client: Client, org: Organisation) -> None:
    bad = _thousand(org)
    run = _check(editor_client, org, bad)
    page = editor_client.get(url("run", org, run.pk)).content.decode()
    assert '<th scope="row">778</th><td>Value</td><td>“1,2,3” is not a number' in page
    assert editor_client.post(url("start", org, run.pk)).status_code == 302
    assert Observation.objects.count() == 0

    fixed = bad.replace(b"1,2,3", b"1,2")
    run = _check(editor_client, org, fixed)
    page = editor_client.get(url("run", org, run.pk)).content.decode()
    assert "Checked: ready to import" in page and "Import 1000 values" in page
    response = editor_client.post(url("start", org, run.pk), follow=True)
    assert "1000 values were imported." in response.content.decode()
    run.refresh_from_db()
    assert run.state == "done" and not run.file and run.finished_at
    assert Observation.objects.filter(indicator__organisation=org).count() == 1000

    again = _check(editor_client, org, fixed)
    page = editor_client.get(url("run", org, again.pk)).content.decode()
    assert "Checked: everything is already up to date" in page and 'id="start-import"' not in page
    assert Observation.objects.filter(indicator__organisation=org).count() == 1000


# --- progress and report --------------------------------------------------------------------------------


def test_a_large_file_runs_in_the_background_with_a_polled_progress_bar(
    editor_client: Client, org: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_source_indicator(organisation=org, name="Väkiluku")
    monkeypatch.setattr(tasks, "BACKGROUND_ROWS", 2)
    rows = [["Indicator", "Period", "Value"]] + [["Väkiluku", year, year] for year in range(2000, 2010)]
    with mock.patch.object(tasks, "run_import") as task:
        editor_client.post(url("upload", org), {"file": upload(csv_file(rows), "big.csv"), "format": "auto"})
        run = ImportRun.objects.get()
        editor_client.post(
            url("map", org, run.pk), {"indicator": "Indicator", "period": "Period", "value": "Value"}
        )
    task.enqueue.assert_called_once_with(run_id=run.pk, write=False)
    run.refresh_from_db()
    assert run.state == "queued" and run.report["phase"] == "check"

    page = editor_client.get(url("run", org, run.pk))
    assert cast(Any, page).template_name == "indicators/imports/import_run.html"
    body = page.content.decode()
    assert 'hx-trigger="every 1s"' in body and "<progress" in body and "Waiting for its turn" in body

    ImportRun.objects.filter(pk=run.pk).update(state="running", processed=4, total=10)
    poll = editor_client.get(url("run", org, run.pk), headers=HTMX)
    assert_fragment(poll, "import-progress")
    assert (
        'value="4" max="10"' in poll.content.decode()
        and "4 of about 10 rows read (40 %)" in poll.content.decode()
    )
    assert "hx-swap-oob" not in poll.content.decode()

    tasks.run_import.call(run_id=run.pk, write=False)  # what the worker does
    done = editor_client.get(url("run", org, run.pk), headers=HTMX).content.decode()
    assert 'hx-trigger="every 1s"' not in done  # the poll stops
    assert "The check is finished." in done and 'hx-swap-oob="innerHTML"' in done
    assert "Import 10 values" in done

    with mock.patch.object(tasks, "run_import") as task:
        editor_client.post(url("start", org, run.pk))
    task.enqueue.assert_called_once_with(run_id=run.pk, write=True)
    tasks.run_import.call(run_id=run.pk, write=True)
    run.refresh_from_db()
    assert run.state == "done" and run.report["created"] == 10


def test_the_background_task_runs_through_the_task_backend(
    editor_client: Client, org: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the test settings' immediate backend, enqueuing runs the task at once, as the worker would."""
    make_source_indicator(organisation=org, name="Väkiluku")
    monkeypatch.setattr(tasks, "BACKGROUND_ROWS", 2)
    rows = [["Indicator", "Period", "Value"]] + [["Väkiluku", year, year] for year in range(2000, 2010)]
    editor_client.post(url("upload", org), {"file": upload(csv_file(rows), "big.csv"), "format": "auto"})
    run = ImportRun.objects.get()
    editor_client.post(
        url("map", org, run.pk), {"indicator": "Indicator", "period": "Period", "value": "Value"}
    )
    editor_client.post(url("start", org, run.pk))
    run.refresh_from_db()
    assert run.state == "done" and Observation.objects.count() == 10


def test_statistics_finland_and_sotkanet_files_skip_the_columns(
    editor_client: Client, org: Organisation
) -> None:
    sample = upload(
        io.BytesIO((DATA / "statfin_11rc_population_age_sex_sv.jsonstat2.json").read_bytes()), "11rc.json"
    )
    response = editor_client.post(url("upload", org), {"file": sample, "format": "auto"})
    run = ImportRun.objects.get()
    assert response["Location"] == url("run", org, run.pk) and run.format == "jsonstat"
    body = editor_client.get(url("run", org, run.pk)).content.decode()
    assert "Cells read" in body and "values broken down by Kön are not imported" in body
    assert "Checked: everything is already up to date" in body


def test_an_unreadable_file_is_refused_at_upload(editor_client: Client, org: Organisation) -> None:
    broken = upload(io.BytesIO(b'{"class": "dataset", "id": ["a"]}'), "broken.json")
    response = editor_client.post(url("upload", org), {"file": broken, "format": "auto"})
    assert response.status_code == 422 and "it has no dimensions" in response.content.decode()
    assert ImportRun.objects.count() == 0


def test_a_run_that_failed_says_why_as_page_and_fragment(editor_client: Client, org: Organisation) -> None:
    run = ImportRun.objects.create(
        organisation=org,
        format="csv",
        file_name="gone.csv",
        state="failed",
        report={"phase": "import", "error": "The uploaded file is no longer kept. Upload it again."},
    )
    page = editor_client.get(url("run", org, run.pk))
    assert cast(Any, page).template_name == "indicators/imports/import_run.html"
    assert "The file could not be read" in page.content.decode()
    assert "no longer kept" in page.content.decode()
    fragment = editor_client.get(url("run", org, run.pk), headers=HTMX)
    assert_fragment(fragment, "import-progress")
    assert "The file could not be read." in fragment.content.decode()


def test_a_run_whose_file_is_gone_fails_with_a_message(editor_client: Client, org: Organisation) -> None:
    make_source_indicator(organisation=org, name="Väkiluku")
    file = csv_file([["Indicator", "Period", "Value"], ["Väkiluku", "2024", "1"]])
    editor_client.post(url("upload", org), {"file": upload(file, "v.csv"), "format": "auto"})
    run = ImportRun.objects.get()
    editor_client.post(
        url("map", org, run.pk), {"indicator": "Indicator", "period": "Period", "value": "Value"}
    )
    run.refresh_from_db()
    run.file.storage.delete(str(run.file.name))
    response = editor_client.post(url("start", org, run.pk), follow=True)
    assert "Nothing was imported. The report below says why." in response.content.decode()
    run.refresh_from_db()
    assert run.state == "failed" and Observation.objects.count() == 0


def test_xlsx_upload_imports(editor_client: Client, org: Organisation) -> None:
    indicator = make_source_indicator(organisation=org, name="Väkiluku")
    file = xlsx_file([["Indicator ID", "Year", "Value"], [indicator.pk, 2024, 1234.5]])
    editor_client.post(url("upload", org), {"file": upload(file, "v.xlsx"), "format": "auto"})
    run = ImportRun.objects.get()
    editor_client.post(
        url("map", org, run.pk), {"indicator": "Indicator ID", "period": "Year", "value": "Value"}
    )
    editor_client.post(url("start", org, run.pk))
    assert _values(org) == [("Väkiluku", 2024, "1234.500000")]
    assert indicator.observations.get().provenance == "v.xlsx"


def test_a_started_run_cannot_start_twice(editor_client: Client, org: Organisation) -> None:
    make_source_indicator(organisation=org, name="Väkiluku")
    file = csv_file([["Indicator", "Period", "Value"], ["Väkiluku", "2024", "1"]])
    editor_client.post(url("upload", org), {"file": upload(file, "v.csv"), "format": "auto"})
    run = ImportRun.objects.get()
    editor_client.post(
        url("map", org, run.pk), {"indicator": "Indicator", "period": "Period", "value": "Value"}
    )
    editor_client.post(url("start", org, run.pk))
    response = editor_client.post(url("start", org, run.pk), headers=HTMX)
    assert response["HX-Redirect"] == url("run", org, run.pk)  # a full page for the message, never a bare 302
    response = editor_client.get(url("run", org, run.pk))
    assert "This import cannot be started" in response.content.decode()
    assert editor_client.get(url("map", org, run.pk))["Location"] == url("run", org, run.pk)
