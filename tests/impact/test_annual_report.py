"""The annual report: its numbers against a hand-computed fixture, the page, the PDF, the XLSX, the
background run with its progress fragment, who may download, and the report's language."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from goals.models import GoalIndicator
from impact.annual_report import AnnualReport, build_annual_report
from impact.models import ReportRun
from impact.report_exports import report_workbook
from impact.tasks import remove_old_report_files
from indicators.progress import Status
from organisations.models import Organisation, Role
from tests.factories import make_member, make_user
from tests.futures.factories import make_story
from tests.goals.factories import make_goal, make_measure, make_strategy
from tests.impact.conftest import Tree, assert_fragment, htmx
from tests.impact.factories import make_activity, make_contribution, make_report, make_review

YEAR = 2025
TODAY = dt.date(2026, 3, 1)


@dataclass
class Fixture:
    tree: Tree
    organisation: Organisation


def _link(goal: Any, indicator: Any) -> None:
    GoalIndicator.objects.create(goal=goal, indicator=indicator)


@pytest.fixture
def fixture(org_a: Organisation, tree: Tree) -> Fixture:
    """Hand-computed (see each comment): four indicators, four activities, reviews and two stories."""
    # SG1: baseline 100 (2020), target 200 (2030), 150 in 2025 → progress 50 %, expected 50 %: on track.
    # The 2026 value (190) lies after the year and must not count.
    a = make_measure(
        organisation=org_a, name="Alfa-mittari", baseline=(2020, 100), target=(2030, 200),
        values={2024: 140, 2025: 150, 2026: 190}, unit="kpl",
    )  # fmt: skip
    # 1.1: 10 → 20, 11 in 2025 → progress 10 %, expected 50 %: off track.
    b = make_measure(
        organisation=org_a, name="Beta-mittari", baseline=(2020, 10), target=(2030, 20), values={2025: 11}
    )
    # 3.1 (lower is better): 100 → 50, 70 in 2025 → progress 60 %, expected 60 %: on track.
    c = make_measure(
        organisation=org_a, name="Gamma-mittari", baseline=(2019, 100), target=(2029, 50),
        values={2025: 70}, direction="lower",
    )  # fmt: skip
    d = make_measure(organisation=org_a, name="Delta-konteksti", chain_level="context", values={2025: 5})
    _link(tree.sg1, a)
    _link(tree.g11, b)
    _link(tree.g31, c)
    _link(tree.g32, d)

    alfa = make_activity(
        organisation=org_a, name="Alfa-hanke", start_date=dt.date(2024, 1, 1), end_date=dt.date(2026, 12, 31),
        programme="interreg", total_budget=Decimal(100000), own_share=Decimal(20000),
        external_funding=Decimal(80000),
    )  # fmt: skip
    make_contribution(activity=alfa, goal=tree.g11, strength="direct")
    make_contribution(activity=alfa, goal=tree.g31, strength="partial")
    make_report(activity=alfa, reported_on=dt.date(2025, 5, 1), achieved="Alfan tulos 2025")
    make_report(activity=alfa, reported_on=dt.date(2024, 6, 1), achieved="Alfan vanha tulos")
    beta = make_activity(
        organisation=org_a, name="Beta-ystävyyskaupunki", kind="twin_town", start_date=dt.date(2010, 1, 1),
        total_budget=Decimal(5000), own_share=Decimal(5000), external_funding=Decimal(0),
    )  # fmt: skip
    make_contribution(activity=beta, goal=tree.sg1)
    make_review(activity=beta, reviewed_on=dt.date(2025, 3, 1), cost=Decimal(5000), reason="Jatketaan")
    make_review(activity=beta, reviewed_on=dt.date(2024, 3, 1))
    gamma = make_activity(
        organisation=org_a, name="Gamma-päättynyt", start_date=dt.date(2022, 1, 1),
        end_date=dt.date(2023, 12, 31), total_budget=Decimal(999999),
    )  # fmt: skip
    make_contribution(activity=gamma, goal=tree.sg3)
    make_activity(
        organisation=org_a, name="Delta-verkosto", kind="network", start_date=dt.date(2025, 2, 1),
        total_budget=Decimal(3000), own_share=Decimal(3000),
    )  # fmt: skip

    threat = make_story(organisation=org_a, title="Uhkatarina")
    threat.implications.create(goal=tree.g12, kind="threat", strength=2, action="Varaudu")
    chance = make_story(organisation=org_a, title="Mahdollisuustarina")
    chance.implications.create(goal=tree.sg1, kind="opportunity", strength=3)
    return Fixture(tree, org_a)


def _report(fixture: Fixture) -> AnnualReport:
    return build_annual_report(
        organisation=fixture.organisation, strategy=fixture.tree.strategy, year=YEAR, today=TODAY
    )


# --- the numbers --------------------------------------------------------------------------------


def test_report_numbers_match_the_hand_computed_fixture(fixture: Fixture) -> None:
    report = _report(fixture)
    tree = fixture.tree
    assert report.as_of == dt.date(2025, 12, 31)
    assert report.impact_goal == tree.root
    assert report.impact_rollup is not None and report.impact_rollup.status == Status.AT_RISK  # (1+0+1)/3
    assert [s.goal for s in report.sections] == [tree.sg1, tree.sg3]
    assert report.activity_count == 3  # Alfa, Beta, Delta; Gamma ended in 2023
    assert (report.funding.total_budget, report.funding.own_share, report.funding.external_funding) == (
        Decimal(108000),
        Decimal(28000),
        Decimal(80000),
    )
    assert report.funding.external_per_own_euro == Decimal("2.86")
    assert report.report_count == 1
    assert [r.reason for r in report.reviews] == ["Jatketaan"]
    assert [a.name for a in report.serving_no_goal] == ["Delta-verkosto"]
    assert report.story_count == 2
    assert dict(report.status_counts) == {
        Status.ON_TRACK: 1,
        Status.AT_RISK: 1,
        Status.OFF_TRACK: 0,
        Status.NOT_MEASURABLE: 0,
    }

    sg1, sg3 = report.sections
    assert sg1.rollup.status == Status.AT_RISK and sg1.rollup.counted == 2  # (1 + 0) / 2
    lines = {str(line.indicator.name): line for line in sg1.indicators}
    assert (lines["Alfa-mittari"].progress_percent, lines["Alfa-mittari"].expected_percent) == (50, 50)
    assert lines["Alfa-mittari"].status == Status.ON_TRACK
    assert lines["Alfa-mittari"].year_value_text == "150"
    assert lines["Alfa-mittari"].latest_text == "150 (2025)"  # not 190 (2026)
    assert (lines["Beta-mittari"].progress_percent, lines["Beta-mittari"].status) == (10, Status.OFF_TRACK)
    assert [(s.goal.code, s.rollup.status, s.activity_count) for s in sg1.sub_goals] == [
        ("1.1", Status.OFF_TRACK, 1),
        ("1.2", Status.NOT_MEASURABLE, 0),
    ]
    assert [line.activity.name for line in sg1.activities] == ["Alfa-hanke", "Beta-ystävyyskaupunki"]
    assert [r.achieved for r in sg1.activities[0].reports] == ["Alfan tulos 2025"]
    assert (sg1.funding.count, sg1.funding.total_budget, sg1.funding.own_share) == (
        2,
        Decimal(105000),
        Decimal(25000),
    )
    assert [(p.programme, p.funding.total_budget) for p in sg1.programmes] == [
        ("interreg", Decimal(100000)),
        ("", Decimal(5000)),
    ]
    assert [r.activity.name for r in sg1.reviews] == ["Beta-ystävyyskaupunki"]
    # By horizon year, then title; the threat to sub-goal 1.2 counts for SG1 too.
    assert [(i.story.title, i.goal.code) for i in sg1.implications] == [
        ("Mahdollisuustarina", "SG1"),
        ("Uhkatarina", "1.2"),
    ]
    assert sg1.robustness == "one_future"  # one threat, one opportunity among two stories

    assert sg3.rollup.status == Status.ON_TRACK and sg3.rollup.counted == 1  # the context one is not scored
    gamma = next(line for line in sg3.indicators if str(line.indicator.name) == "Gamma-mittari")
    assert (gamma.progress_percent, gamma.expected_percent, gamma.status) == (60, 60, Status.ON_TRACK)
    context = next(line for line in sg3.indicators if str(line.indicator.name) == "Delta-konteksti")
    assert context.status == Status.CONTEXT and context.progress_percent is None
    assert [line.activity.name for line in sg3.activities] == ["Alfa-hanke"]  # not Gamma (2023)
    assert sg3.funding.total_budget == Decimal(100000)
    assert sg3.reviews == [] and sg3.robustness == "not_assessed"


def test_a_year_without_data_reports_nothing_measurable(fixture: Fixture) -> None:
    report = build_annual_report(
        organisation=fixture.organisation, strategy=fixture.tree.strategy, year=2019, today=TODAY
    )
    assert report.activity_count == 1  # Beta (since 2010)
    assert all(s.rollup.status == Status.NOT_MEASURABLE for s in report.sections)


def test_report_query_count_does_not_grow_with_the_data(
    fixture: Fixture, django_assert_max_num_queries: Any
) -> None:
    tree = fixture.tree
    for n in range(15):
        extra = make_activity(organisation=fixture.organisation, name=f"Lisä {n}")
        make_contribution(activity=extra, goal=tree.g12)
        make_report(activity=extra, reported_on=dt.date(2025, 9, 1))
        goal = make_goal(strategy=tree.strategy, parent=tree.sg3, code=f"3.{n + 3}", title=f"Lisätavoite {n}")
        _link(
            goal, make_measure(organisation=fixture.organisation, name=f"Lisämittari {n}", values={2025: n})
        )
    with django_assert_max_num_queries(12):
        _report(fixture)


# --- the XLSX ------------------------------------------------------------------------------------


def test_workbook_has_the_numbers_and_defuses_formulas(fixture: Fixture) -> None:
    type(fixture.tree.sg1).objects.filter(pk=fixture.tree.sg1.pk).update(title="=HYPERLINK(1)")
    workbook = load_workbook(io.BytesIO(report_workbook(_report(fixture))))
    assert workbook.sheetnames == [
        "Overview", "Indicators", "Activities", "Results", "Funding", "Partnership reviews", "Future stories",
    ]  # fmt: skip
    overview = [row for row in workbook["Overview"].iter_rows(min_row=4, values_only=True)]
    assert overview[0][0] == "SG1 =HYPERLINK(1)"  # a code first: harmless text
    assert overview[-1][4:9] == (3, 1, 108000, 28000, 80000)
    indicators = {row[2]: row for row in workbook["Indicators"].iter_rows(min_row=2, values_only=True)}
    assert indicators["Alfa-mittari"][6] == 150 and indicators["Alfa-mittari"][11] == 50
    assert isinstance(indicators["Alfa-mittari"][6], int | float)
    results = list(workbook["Results"].iter_rows(min_row=2, values_only=True))
    assert [row[4] for row in results] == ["Alfan tulos 2025", "Alfan tulos 2025"]  # under SG1 and SG3


def test_workbook_text_that_starts_like_a_formula_gets_an_apostrophe(fixture: Fixture) -> None:
    tree = fixture.tree
    type(tree.sg1).objects.filter(pk=tree.sg1.pk).update(code="", title="=1+1")
    workbook = load_workbook(io.BytesIO(report_workbook(_report(fixture))))
    assert workbook["Overview"]["A4"].value == "'=1+1"


# --- the page, the run, the download -------------------------------------------------------------


def _viewer(org: Organisation) -> Client:
    client = Client()
    client.force_login(make_member(organisation=org, role=Role.VIEWER, user=make_user(language="en")))
    return client


def _url(org: Organisation, name: str = "report:annual", *args: object) -> str:
    return reverse(name, args=[org.slug, *args])


def test_viewer_reads_the_page_with_every_strategic_goal(fixture: Fixture) -> None:
    client = _viewer(fixture.organisation)
    response = client.get(_url(fixture.organisation), {"year": str(YEAR), "lang": "en"})
    assert response.status_code == 200
    body = response.content.decode()
    for title in (
        "Uudistuva elinkeinoelämä",
        "Hiilineutraali Aakkosla 2035",
        "Alfan tulos 2025",
        "Jatketaan",
    ):
        assert title in body
    assert 'src="data:image/svg+xml;base64,' in body  # the server-drawn chart, the same one the PDF has
    assert "<figcaption" in body and "<table" in body


def test_the_page_speaks_the_chosen_language(fixture: Fixture) -> None:
    client = _viewer(fixture.organisation)
    finnish = client.get(_url(fixture.organisation), {"year": str(YEAR), "lang": "fi"}).content.decode()
    english = client.get(_url(fixture.organisation), {"year": str(YEAR), "lang": "en"}).content.decode()
    swedish = client.get(_url(fixture.organisation), {"year": str(YEAR), "lang": "sv"}).content.decode()
    assert '<html lang="fi">' in finnish and '<html lang="en">' in english and '<html lang="sv">' in swedish
    assert 'class="annual-report" lang="sv"' in swedish
    # Numbers follow the language: 108 000 in Finnish and Swedish (a no-break space), 108,000 in English.
    assert "108\xa0000" in finnish and "108,000" in english and "108\xa0000" in swedish
    assert "2,86" in finnish and "2.86" in english


def test_unknown_language_falls_back_to_the_ui_language(fixture: Fixture) -> None:
    client = _viewer(fixture.organisation)
    body = client.get(_url(fixture.organisation), {"year": str(YEAR), "lang": "xx"}).content.decode()
    assert '<html lang="en">' in body


def test_another_organisations_strategy_is_404(fixture: Fixture, org_b: Organisation) -> None:
    other = make_strategy(organisation=org_b)
    client = _viewer(fixture.organisation)
    assert client.get(_url(fixture.organisation), {"strategy": other.pk}).status_code == 404
    assert client.get(_url(fixture.organisation), {"strategy": "x"}).status_code == 404


def test_page_without_a_strategy_says_so(org_a: Organisation) -> None:
    response = _viewer(org_a).get(_url(org_a))
    assert response.status_code == 200
    assert "no strategy yet" in response.content.decode()


def test_xlsx_download(fixture: Fixture) -> None:
    response = _viewer(fixture.organisation).get(
        _url(fixture.organisation, "report:xlsx"), {"year": str(YEAR)}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="aakkosla-annual-report-2025-en.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook["Overview"]["E6"].value == 3  # all activities of the year, each once


def test_viewer_makes_the_pdf_and_downloads_it(fixture: Fixture, settings: Any, tmp_path: Any) -> None:
    """The PDF renders (immediate task backend), contains every strategic goal's title, and downloads."""
    settings.MEDIA_ROOT = tmp_path
    client = _viewer(fixture.organisation)
    response = client.post(
        _url(fixture.organisation, "report:pdf_start"), {"year": str(YEAR), "lang": "en"}, headers=htmx()
    )
    assert_fragment(response, "report-run")
    run = ReportRun.objects.get()
    assert (run.state, run.progress, run.year, run.language) == ("done", 100, YEAR, "en")
    body = response.content.decode()
    assert _url(fixture.organisation, "report:download", run.pk) in body
    assert "The PDF is ready to download." in body  # announced in the live region

    download = client.get(_url(fixture.organisation, "report:download", run.pk))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert "private" in download["Cache-Control"]
    content = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    assert content.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    text = " ".join(text.split())
    for title in ("SG1 Uudistuva elinkeinoelämä", "SG3 Hiilineutraali Aakkosla 2035"):
        assert title in text
    assert "Alfan tulos 2025" in text and "108,000" in text


def test_progress_fragment_polls_while_the_run_waits(fixture: Fixture) -> None:
    client = _viewer(fixture.organisation)
    run = ReportRun.objects.create(
        organisation=fixture.organisation, strategy=fixture.tree.strategy, year=YEAR, language="en",
        state=ReportRun.State.RUNNING, progress=40,
    )  # fmt: skip
    url = _url(fixture.organisation, "report:run", run.pk)
    fragment = client.get(url, headers=htmx())
    assert_fragment(fragment, "report-run")
    body = fragment.content.decode()
    assert 'hx-trigger="every 1s"' in body and 'value="40"' in body
    assert 'id="report-pdf-download"' not in body
    page = client.get(url)
    assert page.status_code == 200 and "<html" in page.content.decode()

    ReportRun.objects.filter(pk=run.pk).update(state=ReportRun.State.FAILED)
    failed = client.get(url, headers=htmx()).content.decode()
    assert "every 1s" not in failed and "could not be made" in failed
    assert client.get(_url(fixture.organisation, "report:download", run.pk)).status_code == 404


def test_the_report_page_shows_the_latest_run(fixture: Fixture) -> None:
    run = ReportRun.objects.create(
        organisation=fixture.organisation, strategy=fixture.tree.strategy, year=YEAR, language="en",
        state=ReportRun.State.QUEUED,
    )  # fmt: skip
    body = _viewer(fixture.organisation).get(_url(fixture.organisation), {"year": str(YEAR), "lang": "en"})
    assert _url(fixture.organisation, "report:run", run.pk) in body.content.decode()


def test_non_member_and_other_organisations_run_are_404(fixture: Fixture, org_b: Organisation) -> None:
    b_strategy = make_strategy(organisation=org_b)
    b_run = ReportRun.objects.create(
        organisation=org_b, strategy=b_strategy, year=YEAR, language="fi", state=ReportRun.State.DONE
    )
    member = _viewer(fixture.organisation)
    outsider = _viewer(org_b)
    a_run = ReportRun.objects.create(
        organisation=fixture.organisation, strategy=fixture.tree.strategy, year=YEAR, language="fi"
    )
    for name in ("report:run", "report:download"):
        assert member.get(_url(fixture.organisation, name, b_run.pk)).status_code == 404
        assert outsider.get(_url(fixture.organisation, name, a_run.pk)).status_code == 404
    assert outsider.get(_url(fixture.organisation)).status_code == 404
    assert (
        outsider.post(_url(fixture.organisation, "report:pdf_start"), {"year": str(YEAR)}).status_code == 404
    )
    assert ReportRun.objects.filter(organisation=fixture.organisation).count() == 1


def test_old_runs_of_the_same_report_are_removed(fixture: Fixture, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    org, strategy = fixture.organisation, fixture.tree.strategy
    from django.core.files.base import ContentFile

    runs = []
    for language in ("fi", "fi", "sv"):
        run = ReportRun.objects.create(
            organisation=org, strategy=strategy, year=YEAR, language=language, state=ReportRun.State.DONE
        )
        run.file.save(f"r{run.pk}.pdf", ContentFile(b"%PDF-1.7"), save=True)
        runs.append(run)
    old_path = runs[0].file.path
    assert remove_old_report_files(runs[1]) == 1
    assert not ReportRun.objects.filter(pk=runs[0].pk).exists()
    assert ReportRun.objects.filter(pk__in=[runs[1].pk, runs[2].pk]).count() == 2  # another language stays
    import os

    assert not os.path.exists(old_path)
    assert os.path.exists(runs[1].file.path)


def test_a_chart_is_drawn_once_per_inputs_and_language() -> None:
    """The report's charts are kept per process under everything they are drawn from (report_charts)."""
    from django.utils import translation

    from impact.report_charts import ProgressBar, progress_chart

    bars = [ProgressBar("Työllisyysaste", 40, 50, Status.AT_RISK)]
    with translation.override("fi"):
        first = progress_chart(bars, alt="Eteneminen")
        assert first is not None
        assert progress_chart(list(bars), alt="Eteneminen") is first  # the same inputs: the kept chart
        assert progress_chart(bars, alt="Toinen") is not first
        changed = progress_chart([ProgressBar("Työllisyysaste", 41, 50, Status.AT_RISK)], alt="Eteneminen")
        assert changed is not None and changed.svg != first.svg  # new numbers: drawn anew
    with translation.override("en"):
        english = progress_chart(bars, alt="Eteneminen")
        assert (
            english is not None and english is not first and english.svg != first.svg
        )  # the axis text is in the language


def test_the_report_is_built_once_per_data_version_and_anew_after_a_change(fixture: Fixture) -> None:
    """The report's article is kept per data version (like the dashboard): asked again it is not built
    again, and a change of the data (a strategic goal renamed with `update()`) is in the next answer."""
    client = _viewer(fixture.organisation)
    params = {"year": str(YEAR), "lang": "en"}
    first = client.get(_url(fixture.organisation), params)
    assert "report" in first.context and "Uudistuva elinkeinoelämä" in first.content.decode()
    again = client.get(_url(fixture.organisation), params)
    assert "report" not in again.context and "Uudistuva elinkeinoelämä" in again.content.decode()
    type(fixture.tree.sg1).objects.filter(pk=fixture.tree.sg1.pk).update(
        title="Kansainvälinen elinkeinoelämä"
    )
    changed = client.get(_url(fixture.organisation), params)
    assert "report" in changed.context
    assert "Kansainvälinen elinkeinoelämä" in changed.content.decode()
    assert "Uudistuva elinkeinoelämä" not in changed.content.decode()
