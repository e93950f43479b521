"""The national comparison of shared indicator data: selectors, the numbers and the charts.

The sharing rule lives here and only here: values reach a national page, export or chart only through
`shared_values()`, which reads nothing of an organisation that does not share its indicator data at the
moment of the request (no cache). Adoption counts are plain totals over every organisation; they name
no one and show no value.

The rest are pure functions over plain rows (no request, no database), so that the numbers can be
checked by hand: quartiles are interpolated linearly between the sorted values (the rule of
spreadsheets' QUARTILE.INC and of pandas), ranks are competition ranks (1, 2, 2, 4) in the template's
direction, and per-capita values are per 1,000 residents by the organisation's population figure.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import Any, NamedTuple

from django.db.models import (
    Count,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from indicators.analysis import display_number
from indicators.chart_text import plotly_text, plotly_texts
from indicators.importers.exports import escape_text
from indicators.importers.numbers import plain_number
from indicators.library import Definition, unit_label
from indicators.models import Direction, Indicator, IndicatorTemplate, Observation, TemplateVersion
from organisations.collation import cached_finnish_key
from organisations.models import LocalText, Organisation, pick_language

PER_CAPITA_SCALE = 1000
# Organisations of "similar population": from half to twice the population of one's own.
POPULATION_BAND = (Decimal("0.5"), Decimal("2"))

OWN_COLOUR = "#b3261e"
PEER_COLOUR = "#0b3a75"
BAND_COLOUR = "rgba(11, 58, 117, 0.15)"


class Peers:
    """Which organisations an organisation compares itself with."""

    ALL = "all"
    REGION = "region"
    POPULATION = "population"
    CHOSEN = "chosen"

    LABELS: dict[str, Any] = {
        ALL: gettext_lazy("all organisations that share their data"),
        REGION: gettext_lazy("the same region"),
        POPULATION: gettext_lazy("a similar population (half to twice ours)"),
        CHOSEN: gettext_lazy("a chosen list"),
    }


# --- selectors: the only reads of shared data ------------------------------------------------------


def national_templates() -> QuerySet[IndicatorTemplate]:
    """Published templates with their published definition: one query (the counts: `adoption_counts`)."""
    latest = (
        TemplateVersion.objects.filter(template=OuterRef("pk"), number=OuterRef("published_version"))
        .order_by()
        .values("definition")[:1]
    )
    return (
        IndicatorTemplate.objects.published()
        .annotate(published_definition=Subquery(latest, output_field=JSONField()))
        .order_by()
    )


def adoption_counts() -> dict[int, tuple[int, int]]:
    """Per template id: how many organisations adopted it (all organisations) and how many of those
    share their data; a template nobody adopted is not in it. One query.

    One pass over the adoptions grouped by template: a subquery per template and count read each
    template's adoptions again (45 ms at country scale), and joining the templates' rows before grouping
    carried their texts through the join (20 ms). Deleted adoptions do not count (`Indicator.objects`).
    Adoptions are counted rather than distinct organisations: the same number, since an organisation
    adopts a template at most once (the constraint `adopt_once`), without the sort a distinct count needs.
    """
    rows = (
        Indicator.objects.filter(template__isnull=False)
        .order_by()
        .values("template")
        .annotate(
            adopted=Count("pk"),
            sharing=Count("pk", filter=Q(organisation__shares_indicator_data=True)),
        )
        .values_list("template", "adopted", "sharing")
    )
    return {template: (adopted, sharing) for template, adopted, sharing in rows}


@dataclass(frozen=True)
class MemberRow:
    """What `sharing_members()` reads of an organisation (a plain row, no model instance)."""

    id: int
    slug: str
    name_fi: str
    name_sv: str
    name_en: str
    region_id: int | None
    population: int | None
    is_demo: bool
    region_fi: str | None
    region_sv: str | None
    region_en: str | None


def sharing_members() -> list[Member]:
    """The organisations that share their indicator data now, sorted by name (Finnish alphabet): one
    query, read as plain rows."""
    rows = (
        Organisation.objects.filter(shares_indicator_data=True)
        .order_by()
        .values_list(
            "pk",
            "slug",
            "name_fi",
            "name_sv",
            "name_en",
            "region_id",
            "population",
            "is_demo",
            "region__name_fi",
            "region__name_sv",
            "region__name_en",
        )
    )
    members = [Member.of_row(MemberRow(*row)) for row in rows]
    return sorted(members, key=lambda member: cached_finnish_key(str(member.name)))


class SharedValue(NamedTuple):
    """One value of an organisation that shares its data, for one period (a named tuple: a comparison
    reads a thousand of them a request)."""

    organisation_id: int
    period: dt.date
    value: Decimal
    preliminary: bool = False


def shared_values(template_code: str) -> list[SharedValue]:
    """Every recorded value of the template's adoptions in organisations that share: one query."""
    rows = (
        Observation.objects.filter(
            indicator__template__code=template_code,
            indicator__organisation__shares_indicator_data=True,
            value__isnull=False,
        )
        .order_by()
        .values_list("indicator__organisation_id", "period", "value", "status")
    )
    return [
        SharedValue(org, period, value, status == "preliminary")
        for org, period, value, status in rows
        if value is not None  # the query excludes them; this tells the type checker
    ]


# --- the template and the organisations as the comparison sees them --------------------------------


@dataclass(frozen=True)
class TemplateInfo:
    """What the comparison needs of a template: its published definition and its counts."""

    code: str
    definition: Definition
    adoption_count: int
    sharing_count: int

    # Computed once an instance (a page reads them for every row): an instance lives for one request,
    # in one language.
    @cached_property
    def name(self) -> LocalText:
        return self.definition.name

    @cached_property
    def per_capita(self) -> bool:
        return bool(self.definition.data.get("per_capita"))

    @cached_property
    def direction(self) -> str:
        return str(self.definition.data.get("direction") or Direction.HIGHER)

    @cached_property
    def unit(self) -> str:
        return unit_label(self.definition.data.get("unit") or "")

    @cached_property
    def direction_label(self) -> str:
        return self.definition.direction

    @cached_property
    def shown_unit(self) -> str:
        """The unit of the compared value: per 1,000 residents when the template says per capita."""
        if self.per_capita:
            return (
                _("%(unit)s per 1,000 residents") % {"unit": self.unit}
                if self.unit
                else _("per 1,000 residents")
            )
        return self.unit

    def range_bounds(self) -> tuple[Decimal | None, Decimal | None]:
        def number(key: str) -> Decimal | None:
            value = self.definition.data.get(key)
            return Decimal(str(value)) if value not in (None, "") else None

        return number("range_low"), number("range_high")


def template_infos(
    templates: Iterable[IndicatorTemplate], counts: dict[int, tuple[int, int]]
) -> list[TemplateInfo]:
    """The templates of `national_templates()` with their `adoption_counts()`, sorted by name in the UI
    language (Finnish alphabet)."""
    infos = [
        TemplateInfo(
            code=template.code,
            definition=Definition(
                template.published_definition  # type: ignore[attr-defined]
                or template.definition_snapshot()
            ),
            adoption_count=counts.get(template.pk, (0, 0))[0],
            sharing_count=counts.get(template.pk, (0, 0))[1],
        )
        for template in templates
    ]
    return sorted(infos, key=lambda info: (cached_finnish_key(str(info.name)), info.code))


@dataclass(frozen=True)
class Member:
    """An organisation that shares its data, as the comparison shows it."""

    id: int
    slug: str
    name: LocalText
    region_id: int | None
    population: int | None
    is_demo: bool = False
    region_name: LocalText | None = None

    @classmethod
    def of(cls, organisation: Organisation) -> Member:
        """From an organisation fetched with its region (select_related)."""
        region = organisation.region
        return cls(
            id=organisation.pk,
            slug=organisation.slug,
            name=organisation.name,
            region_id=organisation.region_id,
            population=organisation.population,
            is_demo=organisation.is_demo,
            region_name=region.name if region is not None else None,
        )

    @classmethod
    def of_row(cls, row: MemberRow) -> Member:
        """From the plain row `sharing_members()` reads."""
        return cls(
            id=row.id,
            slug=row.slug,
            name=pick_language({"fi": row.name_fi, "sv": row.name_sv, "en": row.name_en}),
            region_id=row.region_id,
            population=row.population,
            is_demo=row.is_demo,
            region_name=(
                pick_language(
                    {"fi": row.region_fi or "", "sv": row.region_sv or "", "en": row.region_en or ""}
                )
                if row.region_id is not None
                else None
            ),
        )

    @property
    def label(self) -> str:
        return f"{self.name} ({_('demo')})" if self.is_demo else str(self.name)


def resolve_peers(peers: str, own: Member | None) -> tuple[str, str]:
    """The peer choice that can be honoured, and a note when the requested one cannot."""
    if peers == Peers.REGION and (own is None or own.region_id is None):
        if own is None:
            return Peers.ALL, _("Choose your own organisation to compare with its region.")
        return Peers.ALL, _("%(organisation)s has no region in the registry, so all are shown.") % {
            "organisation": own.name
        }
    if peers == Peers.POPULATION and (own is None or not own.population):
        if own is None:
            return Peers.ALL, _("Choose your own organisation to compare with a similar population.")
        return Peers.ALL, _("%(organisation)s has no population figure, so all are shown.") % {
            "organisation": own.name
        }
    if peers not in Peers.LABELS:
        return Peers.ALL, ""
    return peers, ""


def population_band(population: int) -> tuple[int, int]:
    """The smallest and largest population counted as similar (both included)."""
    low, high = (population * factor for factor in POPULATION_BAND)
    return int(low.to_integral_value(rounding=ROUND_CEILING)), int(
        high.to_integral_value(rounding=ROUND_FLOOR)
    )


def group_description(peers: str, own: Member | None, count: int) -> str:
    """Which organisations the comparison shows, in words."""
    if peers == Peers.REGION and own is not None and own.region_name is not None:
        return _("organisations of the region %(region)s that share their data") % {"region": own.region_name}
    if peers == Peers.POPULATION and own is not None and own.population:
        low, high = population_band(own.population)
        return _("organisations of %(low)s to %(high)s residents that share their data") % {
            "low": display_number(Decimal(low)),
            "high": display_number(Decimal(high)),
        }
    if peers == Peers.CHOSEN:
        return _("the organisations you chose")
    return _("all organisations that share their data")


def peer_group(
    members: Sequence[Member],
    *,
    own: Member | None,
    peers: str,
    chosen: Iterable[str] = (),
) -> list[Member]:
    """The organisations to compare: all that share, those of the own organisation's region, those of
    a similar population, or a chosen list; the own organisation is always one of them."""
    if peers == Peers.REGION and own is not None and own.region_id is not None:
        group = [m for m in members if m.region_id == own.region_id]
    elif peers == Peers.POPULATION and own is not None and own.population:
        low, high = population_band(own.population)
        group = [m for m in members if m.population and low <= m.population <= high]
    elif peers == Peers.CHOSEN:
        wanted = set(chosen)
        group = [m for m in members if m.slug in wanted]
    else:
        group = list(members)
    if own is not None and all(m.id != own.id for m in group):
        group.append(own)
    return group


# --- numbers -------------------------------------------------------------------------------------


def rounded(value: Decimal) -> Decimal:
    """Two decimals, or four below one (per-capita values and quartiles have endless digits)."""
    places = Decimal("0.0001") if abs(value) < 1 else Decimal("0.01")
    return value.quantize(places, rounding=ROUND_HALF_UP)


def per_capita(value: Decimal, population: int | None) -> Decimal | None:
    """The value per 1,000 residents, or None without a population figure."""
    if not population:
        return None
    return rounded(value * PER_CAPITA_SCALE / population)


def quantile(values: Sequence[Decimal], q: Decimal) -> Decimal:
    """The q-quantile of the values by linear interpolation between the sorted values."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    lower = int(position)
    fraction = position - lower
    if lower + 1 >= len(ordered):
        return ordered[lower]
    return ordered[lower] + (ordered[lower + 1] - ordered[lower]) * fraction


@dataclass(frozen=True)
class Distribution:
    """The five-number summary of the compared values."""

    count: int
    minimum: Decimal
    q1: Decimal
    median: Decimal
    q3: Decimal
    maximum: Decimal

    @classmethod
    def of(cls, values: Sequence[Decimal]) -> Distribution | None:
        if not values:
            return None
        return cls(
            count=len(values),
            minimum=min(values),
            q1=rounded(quantile(values, Decimal("0.25"))),
            median=rounded(quantile(values, Decimal("0.5"))),
            q3=rounded(quantile(values, Decimal("0.75"))),
            maximum=max(values),
        )


def _badness(value: Decimal, direction: str, low: Decimal | None, high: Decimal | None) -> Decimal:
    """A key that sorts the best value first."""
    if direction == Direction.LOWER:
        return value
    if direction == Direction.RANGE:
        if low is not None and value < low:
            return low - value
        if high is not None and value > high:
            return value - high
        return Decimal(0)
    return -value


def competition_ranks(keys: Sequence[Decimal]) -> list[int]:
    """Ranks of already sorted keys, equal keys sharing a rank (1, 2, 2, 4)."""
    ranks: list[int] = []
    for index, key in enumerate(keys):
        ranks.append(ranks[-1] if index and key == keys[index - 1] else index + 1)
    return ranks


@dataclass(frozen=True)
class RankedRow:
    """One organisation in the ranked table: its latest value and the value compared."""

    rank: int
    member: Member
    period: dt.date
    value: Decimal
    compared: Decimal
    preliminary: bool
    own: bool

    @property
    def year(self) -> int:
        return self.period.year


@dataclass(frozen=True)
class TrendRow:
    """One year of the trend: how many organisations had a value, their quartiles and one's own."""

    year: int
    count: int
    q1: Decimal
    median: Decimal
    q3: Decimal
    own: Decimal | None


@dataclass
class Comparison:
    """Everything the national page shows for one template and one group of organisations."""

    template: TemplateInfo
    group: list[Member]
    own: Member | None
    ranked: list[RankedRow] = field(default_factory=list)
    distribution: Distribution | None = None
    trend: list[TrendRow] = field(default_factory=list)
    without_population: list[Member] = field(default_factory=list)

    @property
    def own_row(self) -> RankedRow | None:
        return next((row for row in self.ranked if row.own), None)

    @property
    def compared_count(self) -> int:
        return len(self.ranked)


def _compared(template: TemplateInfo, value: Decimal, member: Member) -> Decimal | None:
    return per_capita(value, member.population) if template.per_capita else value


def _last_by_key(values: Iterable[SharedValue], key: Any) -> dict[Any, SharedValue]:
    """The value of the latest period per key (a month's or quarter's value stands for its year)."""
    last: dict[Any, SharedValue] = {}
    for item in values:
        k = key(item)
        if k not in last or item.period > last[k].period:
            last[k] = item
    return last


def compare(
    template: TemplateInfo,
    values: Iterable[SharedValue],
    *,
    group: Sequence[Member],
    own: Member | None,
) -> Comparison:
    """Rank the group's latest values, summarise their distribution and the trend over the years."""
    members = {m.id: m for m in group}
    values = [v for v in values if v.organisation_id in members]
    comparison = Comparison(template=template, group=list(group), own=own)
    if template.per_capita:
        with_values = {v.organisation_id for v in values}
        comparison.without_population = sorted(
            (m for m in group if m.id in with_values and not m.population),
            key=lambda m: cached_finnish_key(str(m.name)),
        )
    low, high = template.range_bounds()
    latest = _last_by_key(values, lambda v: v.organisation_id)
    entries = []
    for org_id, item in latest.items():
        member = members[org_id]
        compared = _compared(template, item.value, member)
        if compared is not None:
            entries.append((member, item, compared))
    entries.sort(
        key=lambda e: (_badness(e[2], template.direction, low, high), cached_finnish_key(str(e[0].name)))
    )
    ranks = competition_ranks([_badness(e[2], template.direction, low, high) for e in entries])
    comparison.ranked = [
        RankedRow(
            rank=rank,
            member=member,
            period=item.period,
            value=item.value,
            compared=compared,
            preliminary=item.preliminary,
            own=own is not None and member.id == own.id,
        )
        for rank, (member, item, compared) in zip(ranks, entries, strict=True)
    ]
    comparison.distribution = Distribution.of([row.compared for row in comparison.ranked])

    yearly = _last_by_key(values, lambda v: (v.organisation_id, v.period.year))
    by_year: dict[int, list[Decimal]] = {}
    own_by_year: dict[int, Decimal] = {}
    for (org_id, year), item in yearly.items():
        compared = _compared(template, item.value, members[org_id])
        if compared is None:
            continue
        by_year.setdefault(year, []).append(compared)
        if own is not None and org_id == own.id:
            own_by_year[year] = compared
    comparison.trend = [
        TrendRow(
            year=year,
            count=len(numbers),
            q1=rounded(quantile(numbers, Decimal("0.25"))),
            median=rounded(quantile(numbers, Decimal("0.5"))),
            q3=rounded(quantile(numbers, Decimal("0.75"))),
            own=own_by_year.get(year),
        )
        for year, numbers in sorted(by_year.items())
    ]
    return comparison


# --- charts --------------------------------------------------------------------------------------
#
# The figures are plain dicts in the shape plotly's `Figure.to_plotly_json()` gives (trace attributes in
# alphabetical order and `type` last; the layout's objects first, then its plain values): building them
# through `plotly.graph_objects` validated every attribute and took most of the page's time. The
# test suite checks them against figures built with plotly (tests/indicators/test_national.py).

_LAYOUT_TEMPLATE: dict[str, Any] = {"data": {"scatter": [{"type": "scatter"}]}}  # plotly's "none"
_FONT: dict[str, Any] = {"family": "system-ui, sans-serif", "size": 13, "color": "#1b1b1b"}
_CONFIG = {"displaylogo": False, "responsive": True, "displayModeBar": False}


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _sorted(value[key]) for key in sorted(value)}
    return value


def _trace(kind: str, **attributes: Any) -> dict[str, Any]:
    """A trace as plotly writes it: attributes (and those of nested objects) sorted, then its type."""
    return {**_sorted(attributes), "type": kind}


def _layout(objects: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """A layout as plotly writes it: the template, font and other objects first, then plain values."""
    return {
        "template": _sorted(_LAYOUT_TEMPLATE),
        "font": dict(_FONT),
        **objects,
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "hovermode": "closest",
        **values,
    }


def _figure(data: list[dict[str, Any]], layout: dict[str, Any]) -> dict[str, Any]:
    # No mode bar: its buttons carry English labels and would sit, focusable, inside a chart hidden from
    # screen readers (the data table beside it carries the numbers).
    return {"data": data, "layout": layout, "config": dict(_CONFIG)}


def distribution_figure(comparison: Comparison) -> dict[str, Any] | None:
    """The latest values as a box (quartiles as computed here, whiskers to the extremes) with every
    organisation as a point; one's own organisation in its own colour with its name beside it."""
    distribution = comparison.distribution
    if distribution is None:
        return None
    unit = plotly_text(comparison.template.shown_unit)
    others = [row for row in comparison.ranked if not row.own]
    data = [
        _trace(
            "box",
            name=_("Distribution"),
            y=[""],
            orientation="h",
            q1=[float(distribution.q1)],
            median=[float(distribution.median)],
            q3=[float(distribution.q3)],
            lowerfence=[float(distribution.minimum)],
            upperfence=[float(distribution.maximum)],
            fillcolor=BAND_COLOUR,
            line={"color": PEER_COLOUR},
            hoverinfo="skip",
            showlegend=False,
        ),
        _trace(
            "scatter",
            name=_("Organisations"),
            x=[float(row.compared) for row in others],
            y=[""] * len(others),
            text=plotly_texts(row.member.label for row in others),
            mode="markers",
            marker={"size": 10, "color": PEER_COLOUR, "opacity": 0.8, "line": {"width": 1, "color": "#fff"}},
            hovertemplate="%{text}: %{x}<extra></extra>",
        ),
    ]
    own = comparison.own_row
    if own is not None:
        data.append(
            _trace(
                "scatter",
                name=plotly_text(own.member.label),
                x=[float(own.compared)],
                y=[""],
                text=[plotly_text(own.member.label)],
                mode="markers",
                marker={
                    "size": 16,
                    "color": OWN_COLOUR,
                    "symbol": "diamond",
                    "line": {"width": 2, "color": "#fff"},
                },
                hovertemplate="%{text}: %{x}<extra></extra>",
            )
        )
    # The legend above the plot and the unit below it: on a phone neither covers the other.
    layout = _layout(
        {
            "margin": {"l": 20, "r": 20, "t": 50, "b": 50},
            "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
            "xaxis": {"title": {"text": unit}, "showgrid": True, "gridcolor": "#e6e6e6", "zeroline": False},
            "yaxis": {"showticklabels": False},
        },
        {"height": 240, "showlegend": True},
    )
    return _figure(data, layout)


def trend_figure(comparison: Comparison) -> dict[str, Any] | None:
    """Median and quartiles of the group per year as a line in a band, and one's own organisation."""
    rows = comparison.trend
    if not rows:
        return None
    years = [row.year for row in rows]
    data = [
        _trace(
            "scatter",
            name=_("Lower quartile"),
            x=years,
            y=[float(row.q1) for row in rows],
            mode="lines",
            line={"color": PEER_COLOUR, "width": 1, "dash": "dot"},
        ),
        _trace(
            "scatter",
            name=_("Upper quartile"),
            x=years,
            y=[float(row.q3) for row in rows],
            mode="lines",
            fill="tonexty",
            fillcolor=BAND_COLOUR,
            line={"color": PEER_COLOUR, "width": 1, "dash": "dot"},
        ),
        _trace(
            "scatter",
            name=_("Median"),
            x=years,
            y=[float(row.median) for row in rows],
            mode="lines+markers",
            line={"color": PEER_COLOUR, "width": 3},
        ),
    ]
    own_points = [row for row in rows if row.own is not None]
    if comparison.own is not None and own_points:
        data.append(
            _trace(
                "scatter",
                name=plotly_text(comparison.own.label),
                x=[row.year for row in own_points],
                y=[float(row.own) for row in own_points if row.own is not None],
                mode="lines+markers",
                line={"color": OWN_COLOUR, "width": 3, "dash": "dash"},
                marker={"symbol": "diamond", "size": 10},
            )
        )
    layout = _layout(
        {
            "margin": {"l": 60, "r": 20, "t": 60, "b": 40},
            "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom", "traceorder": "normal"},
            "xaxis": {"tickformat": "d", "showgrid": True, "gridcolor": "#e6e6e6"},
            "yaxis": {
                "title": {"text": plotly_text(comparison.template.shown_unit)},
                "automargin": True,
                "showgrid": True,
                "gridcolor": "#e6e6e6",
                "zeroline": False,
            },
        },
        {"height": 380},
    )
    return _figure(data, layout)


def show(value: Decimal | None, *, fixed: bool = False) -> str:
    """A number in the UI language's format ("" for none); `fixed` keeps the decimals it was rounded to,
    so that a column of computed per-capita figures lines up."""
    if value is None:
        return ""
    if fixed:
        exponent = value.as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        return formats.number_format(value, places, use_l10n=True, force_grouping=True)
    return display_number(value)


@dataclass(frozen=True)
class Shown:
    """The comparison's numbers as the page shows them (in the UI language's number format)."""

    distribution: dict[str, str] | None
    ranked: list[dict[str, Any]]
    trend: list[dict[str, Any]]
    own_row: dict[str, Any] | None


def shown(comparison: Comparison) -> Shown:
    """The numbers formatted: computed per-capita figures with their fixed decimals, others as recorded."""
    fixed = comparison.template.per_capita

    def number(value: Decimal | None) -> str:
        return show(value, fixed=fixed)

    ranked = [
        {
            "rank": row.rank,
            "member": row.member,
            "year": row.year,
            "value": show(row.value),
            "compared": number(row.compared),
            "preliminary": row.preliminary,
            "own": row.own,
        }
        for row in comparison.ranked
    ]
    distribution = comparison.distribution
    return Shown(
        distribution=(
            {
                "count": str(distribution.count),
                "minimum": number(distribution.minimum),
                "q1": number(distribution.q1),
                "median": number(distribution.median),
                "q3": number(distribution.q3),
                "maximum": number(distribution.maximum),
            }
            if distribution is not None
            else None
        ),
        ranked=ranked,
        trend=[
            {
                "year": row.year,
                "count": row.count,
                "q1": number(row.q1),
                "median": number(row.median),
                "q3": number(row.q3),
                "own": number(row.own),
            }
            for row in comparison.trend
        ],
        own_row=next((row for row in ranked if row["own"]), None),
    )


# --- exports: the same rows the page shows, nothing more ------------------------------------------


def export_tables(comparison: Comparison) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """The ranked table and the trend table as headers and cell values (numbers stay numbers)."""
    compared_title = _("Compared value (%(unit)s)") % {"unit": comparison.template.shown_unit}
    ranked_headers = [_("Rank"), _("Organisation"), _("Year"), _("Value"), _("Preliminary")]
    if comparison.template.per_capita:
        ranked_headers.append(compared_title)
    ranked_headers.append(_("Your organisation"))
    ranked_rows: list[list[Any]] = []
    for row in comparison.ranked:
        cells: list[Any] = [
            row.rank,
            row.member.label,
            row.year,
            row.value.normalize(),
            _("yes") if row.preliminary else "",
        ]
        if comparison.template.per_capita:
            cells.append(row.compared)
        cells.append(_("yes") if row.own else "")
        ranked_rows.append(cells)
    trend_headers = [
        _("Year"),
        _("Organisations with a value"),
        _("Lower quartile"),
        _("Median"),
        _("Upper quartile"),
        _("Your organisation"),
    ]
    trend_rows = [
        [row.year, row.count, row.q1, row.median, row.q3, row.own if row.own is not None else ""]
        for row in comparison.trend
    ]
    return {
        str(_("Latest values")): (ranked_headers, ranked_rows),
        str(_("Trend")): (trend_headers, trend_rows),
    }


def _text_cell(value: Any) -> Any:
    if isinstance(value, str):
        return escape_text(value)
    return value


def export_csv(comparison: Comparison) -> bytes:
    """The ranked table as CSV the way Finnish spreadsheets open it (BOM, semicolons, decimal commas)."""
    headers, rows = next(iter(export_tables(comparison).values()))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_text_cell(title) for title in headers])
    for cells in rows:
        writer.writerow(
            [plain_number(cell) if isinstance(cell, Decimal) else _text_cell(cell) for cell in cells]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def export_xlsx(comparison: Comparison, *, title: str) -> bytes:
    """A workbook with the ranked table and the trend, each on its own sheet under a title row."""
    book = Workbook(write_only=True)
    for sheet_name, (headers, rows) in export_tables(comparison).items():
        sheet = book.create_sheet(title=sheet_name[:31])
        sheet.append([_text_cell(title)])
        sheet.append([])
        sheet.append([_text_cell(header) for header in headers])
        for cells in rows:
            sheet.append([_text_cell(cell) for cell in cells])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
