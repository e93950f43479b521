"""Text people write reaches charts as plain text: `$…$` is not mathematics for matplotlib (the annual
report, page and PDF), and `<a href=…>` is not a live link for plotly (every figure builder, and the
figures the pages carry)."""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from futures.analysis import heatmap_figure
from goals.models import GoalIndicator
from impact.dashboard import money_figure, timeline_figure
from impact.models import ReportRun
from indicators.analysis import trajectory_figure
from indicators.chart_text import plotly_lines, plotly_text
from indicators.library import Definition
from indicators.national import Member, SharedValue, TemplateInfo, compare, distribution_figure, trend_figure
from organisations.models import LocalText, Organisation, Role
from tests.factories import make_member, make_user
from tests.futures.factories import make_story
from tests.goals.factories import make_measure
from tests.impact.conftest import Tree, htmx
from tests.impact.factories import make_activity, make_contribution

MATH = r"Cost in $\foo$ terms"
LINK = '<a href="https://evil.example/">Click</a>'
# Markup the builders write themselves: plotly's line break and the hover box's trace name.
OWN_MARKUP = re.compile(r"<br>|</?extra>")


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def strings(value: Any) -> Iterator[str]:
    """Every text in a figure, however deep."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings(item)


def live_tags(figure: Any) -> list[str]:
    """The tags plotly would read in the figure's texts, beyond the builders' own <br> and <extra>."""
    return [text for text in strings(figure) if "<" in OWN_MARKUP.sub("", text)]


def test_plotly_text_keeps_the_characters_and_drops_the_markup() -> None:
    assert plotly_text(LINK) == '&lt;a href="https://evil.example/"&gt;Click&lt;/a&gt;'
    assert plotly_text("R&D <3") == "R&amp;D &lt;3"
    assert plotly_text(MATH) == MATH  # plotly has no mathematics without MathJax, which is not loaded
    assert (
        plotly_lines("<b>Bold</b> future of the region", 12)
        == "&lt;b&gt;Bold&lt;/b&gt;<br>future of<br>the region"
    )


# --- every plotly builder ---------------------------------------------------------------------------


def _comparison() -> Any:
    definition = Definition({"name_fi": "Mittari", "unit": LINK, "direction": "higher", "per_capita": False})
    group = [
        Member(id=pk, slug=f"o{pk}", name=LocalText(f"{LINK} {pk}", "fi"), region_id=1, population=1000)
        for pk in (1, 2, 3)
    ]
    values = [
        SharedValue(pk, dt.date(year, 1, 1), Decimal(pk * year % 97), False)
        for pk in (1, 2, 3)
        for year in (2023, 2024)
    ]
    return compare(TemplateInfo("t", definition, 3, 3), values, group=group, own=group[0])


def test_every_plotly_builder_writes_a_persons_text_as_text() -> None:
    from types import SimpleNamespace

    comparison = _comparison()
    activity = SimpleNamespace(
        name=LINK, status="ongoing", start_date=dt.date(2025, 1, 1), end_date=dt.date(2026, 6, 30)
    )
    from impact.dashboard import TimelineRow
    from impact.models import ActivityStatus

    activity.status = ActivityStatus.ONGOING
    money_row = SimpleNamespace(
        label=LINK, money=SimpleNamespace(own_share=Decimal(1), external_funding=Decimal(2), other=Decimal(0))
    )
    figures = {
        "trajectory": trajectory_figure([], baseline=None, unit=LINK, title=LINK),
        "heatmap": heatmap_figure([LINK], [LINK], [[1]], LINK),
        "heatmap, wrapped": heatmap_figure([LINK], [f"{LINK} and more words"], [[1]], "", story_width=14),
        "money": money_figure([money_row]),  # type: ignore[list-item]
        "money, labels": money_figure([money_row], labels=[LINK]),  # type: ignore[list-item]
        "timeline": timeline_figure(
            [TimelineRow(activity, LINK)],  # type: ignore[arg-type]
            window=(dt.date(2025, 1, 1), dt.date(2028, 12, 31)),
            highlight=None,
            today=dt.date(2026, 1, 1),
        ),
        "distribution": distribution_figure(comparison),
        "trend": trend_figure(comparison),
    }
    for name, figure in figures.items():
        assert figure is not None, name
        assert live_tags(figure) == [], name
        assert any("&lt;a href" in text for text in strings(figure)), name


# --- the pages' figures ------------------------------------------------------------------------------


def test_the_dashboard_and_the_robustness_view_carry_no_live_tag(org_a: Organisation, tree: Tree) -> None:
    story = make_story(organisation=org_a, title=LINK)
    story.implications.create(goal=tree.sg1, kind="opportunity", strength=2)
    tree.sg1.title = "<b>Uudistuva</b> elinkeinoelämä"
    tree.sg1.save()
    activity = make_activity(
        organisation=org_a, name=LINK, start_date=dt.date(2025, 1, 1), end_date=dt.date(2027, 12, 31),
        total_budget=Decimal(1000), own_share=Decimal(400), external_funding=Decimal(600),
    )  # fmt: skip
    make_contribution(activity=activity, goal=tree.g11)
    client = Client()
    client.force_login(make_member(organisation=org_a, role=Role.VIEWER, user=make_user(language="en")))

    home = client.get(reverse("organisation_home", args=[org_a.slug]))
    assert home.status_code == 200
    attributes = re.findall(r'data-figure="([^"]*)"', home.content.decode())
    figures = [json.loads(html.unescape(value)) for value in attributes]
    assert len(figures) == 4  # programme, goals, timeline, robustness
    for figure in figures:
        assert live_tags(figure) == []
    assert any("&lt;a href" in text for figure in figures for text in strings(figure))

    robustness = client.get(reverse("futures:robustness", args=[org_a.slug]))
    block = re.search(
        r'<script id="chart-robustness" type="application/json">(.*?)</script>', robustness.content.decode()
    )
    assert block is not None
    figure = json.loads(block[1])
    assert live_tags(figure) == [] and "&lt;a href" in json.dumps(figure)


# --- the annual report: matplotlib ---------------------------------------------------------------------


@pytest.fixture
def math_report(org_a: Organisation, tree: Tree) -> Organisation:
    """An indicator and a strategic goal whose names read like mathematics, with funding and progress."""
    indicator = make_measure(
        organisation=org_a, name=MATH, baseline=(2020, 100), target=(2030, 200), values={2025: 150}
    )
    GoalIndicator.objects.create(goal=tree.sg1, indicator=indicator)
    tree.sg1.title = r"Growth of $\bar$ and $x^{"
    tree.sg1.save()
    activity = make_activity(
        organisation=org_a, name=MATH, start_date=dt.date(2024, 1, 1),
        total_budget=Decimal(1000), own_share=Decimal(400), external_funding=Decimal(600),
    )  # fmt: skip
    make_contribution(activity=activity, goal=tree.g11)
    return org_a


def _viewer(org: Organisation) -> Client:
    client = Client()
    client.force_login(make_member(organisation=org, role=Role.VIEWER, user=make_user(language="en")))
    return client


def test_the_report_page_draws_math_like_names_as_text(math_report: Organisation) -> None:
    response = _viewer(math_report).get(
        reverse("report:annual", args=[math_report.slug]), {"year": "2025", "lang": "en"}
    )
    assert response.status_code == 200
    images = re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', response.content.decode())
    import base64

    svgs = [base64.b64decode(image).decode() for image in images]
    assert len(svgs) == 2  # the funding overview and the goal's indicators
    assert any(html.escape(MATH, quote=False) in svg for svg in svgs)


def test_the_report_pdf_draws_math_like_names_as_text(
    math_report: Organisation, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client = _viewer(math_report)
    response = client.post(
        reverse("report:pdf_start", args=[math_report.slug]), {"year": "2025", "lang": "en"}, headers=htmx()
    )
    assert response.status_code == 200
    run = ReportRun.objects.get()
    assert run.state == ReportRun.State.DONE, run.error
    download = client.get(reverse("report:download", args=[math_report.slug, run.pk]))
    content = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert MATH in " ".join(text.split())
