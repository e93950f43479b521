"""The annual report's charts, drawn on the server as SVG by matplotlib.

Why not plotly like the rest of the product: a PDF library runs no JavaScript, and the report's page
and its PDF are one template. So the charts are drawn here, once, as SVG images (a data: URI in an
<img>, which the content security policy allows) and the same images appear in the printable page
and in the PDF that WeasyPrint renders. matplotlib runs without a display (the Figure API, no pyplot,
so no global backend and no state shared between threads), keeps the text as text in DejaVu Sans
(small files, searchable in the PDF; the Debian package fonts-dejavu-core gives WeasyPrint the font,
browsers without it use their sans-serif), and writes a fixed hash salt and no date into the SVG (the
same numbers give the same bytes). Every chart stands in a <figure> with a caption and
a table of the same numbers, as everywhere in the product.

Drawing takes matplotlib 50–150 ms a chart, so each process keeps the last CHART_CACHE_SIZE charts it
drew, keyed by everything a chart is drawn from (the bars, the text alternative and the active language,
which decides the axis text and the number format). A chart is a pure function of that key, so the cache
needs no invalidation: changed numbers are a different key and are drawn anew.
"""

from __future__ import annotations

import base64
import functools
import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from indicators.analysis import STATUS_COLOURS
from indicators.chart_text import MATPLOTLIB_PLAIN_TEXT
from indicators.progress import Status

STYLE: dict[Any, Any] = {
    # Names of goals and indicators are plain text: "$\\foo$" is drawn as written, never as mathematics.
    **MATPLOTLIB_PLAIN_TEXT,
    "svg.fonttype": "none",
    "svg.hashsalt": "vaikuttava-annual-report",
    "font.family": ["DejaVu Sans", "sans-serif"],
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#595959",
    "axes.labelcolor": "#1f1f1f",
    "xtick.color": "#1f1f1f",
    "ytick.color": "#1f1f1f",
}
WIDTH_INCHES = 7.0
OWN_COLOUR = "#0b3a75"
EXTERNAL_COLOUR = "#5e9fd6"
CHART_CACHE_SIZE = 256
CLIP_LOW, CLIP_HIGH = -50, 150  # progress beyond these is drawn at the edge; the table has the number


@dataclass(frozen=True)
class Chart:
    """An SVG chart as a data: URI, with a text alternative for the <img>."""

    uri: str
    alt: str
    svg: str


@dataclass(frozen=True)
class ProgressBar:
    label: str
    progress: int  # percent of the planned change from the baseline to the target
    expected: int | None  # where the straight path to the target is
    status: Status


@dataclass(frozen=True)
class FundingBar:
    label: str
    own_share: Decimal
    external_funding: Decimal


def _label(text: str, width: int = 34) -> str:
    return "\n".join(textwrap.wrap(text, width=width, max_lines=2, placeholder="…")) or "–"


def _number(value: float, places: int = 0) -> str:
    return formats.number_format(value, places, use_l10n=True, force_grouping=True)


def _to_chart(figure: Figure, alt: str) -> Chart:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    svg = buffer.getvalue()
    uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return Chart(uri=uri, alt=alt, svg=svg)


def progress_chart(bars: Sequence[ProgressBar], *, alt: str) -> Chart | None:
    """Horizontal bars: each indicator's progress towards its target (100 %), with the expected point."""
    if not bars:
        return None
    return _progress_chart(tuple(bars), alt, get_language())


@functools.lru_cache(maxsize=CHART_CACHE_SIZE)
def _progress_chart(bars: tuple[ProgressBar, ...], alt: str, _language: str | None) -> Chart:
    with rc_context(STYLE):
        figure = Figure(figsize=(WIDTH_INCHES, 0.9 + 0.55 * len(bars)))
        axes = figure.add_subplot()
        positions = list(range(len(bars)))[::-1]
        values = [max(CLIP_LOW, min(CLIP_HIGH, bar.progress)) for bar in bars]
        axes.barh(
            positions,
            values,
            height=0.6,
            color=[STATUS_COLOURS[bar.status] for bar in bars],
        )
        for y, bar, value in zip(positions, bars, values, strict=True):
            if bar.expected is not None:
                axes.plot([bar.expected, bar.expected], [y - 0.38, y + 0.38], color="#1f1f1f", linewidth=2)
            text = f"{_number(bar.progress)} %"
            inside = value > 25
            axes.text(
                value - 2 if inside else max(value, 0) + 2,
                y,
                text,
                va="center",
                ha="right" if inside else "left",
                color="#ffffff" if inside else "#1f1f1f",
            )
        axes.axvline(100, color="#1f1f1f", linestyle="--", linewidth=1)
        axes.axvline(0, color="#595959", linewidth=0.8)
        axes.set_yticks(positions, [_label(bar.label) for bar in bars])
        axes.set_xlim(min(CLIP_LOW, min(values) - 5) if min(values) < 0 else 0, CLIP_HIGH)
        axes.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{_number(x)} %"))
        axes.set_xlabel(_("Progress from the baseline to the target (target = 100 %; black mark: expected)"))
        return _to_chart(figure, alt)


def funding_chart(bars: Sequence[FundingBar], *, alt: str) -> Chart | None:
    """Stacked horizontal bars per strategic goal: own share and external funding, in euros."""
    if not bars or not any(bar.own_share or bar.external_funding for bar in bars):
        return None
    return _funding_chart(tuple(bars), alt, get_language())


@functools.lru_cache(maxsize=CHART_CACHE_SIZE)
def _funding_chart(bars: tuple[FundingBar, ...], alt: str, _language: str | None) -> Chart:
    with rc_context(STYLE):
        figure = Figure(figsize=(WIDTH_INCHES, 1.3 + 0.55 * len(bars)))
        axes = figure.add_subplot()
        positions = list(range(len(bars)))[::-1]
        own = [float(bar.own_share) for bar in bars]
        external = [float(bar.external_funding) for bar in bars]
        axes.barh(positions, own, height=0.6, color=OWN_COLOUR, label=_("Own share"))
        axes.barh(
            positions, external, left=own, height=0.6, color=EXTERNAL_COLOUR, label=_("External funding")
        )
        axes.set_yticks(positions, [_label(bar.label) for bar in bars])
        axes.xaxis.set_major_locator(MaxNLocator(nbins=5))
        axes.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: _number(x)))
        axes.set_xlabel(_("euros"))
        axes.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=2, frameon=False)
        axes.set_xlim(0, max(o + e for o, e in zip(own, external, strict=True)) * 1.08)
        return _to_chart(figure, alt)
