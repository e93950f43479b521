"""The demo's indicators: Kaarnala's (all rows of DOMAIN.md 9.4) and a few of Naapurila's. All invented.

Indicators whose template exists in the shared library are adopted from it (run the library's seeding
first for that); the others, and all of them when the library is empty, are the organisation's own.
Running it again changes nothing that is already in place.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction

from indicators.models import (
    ChainLevel,
    Direction,
    Indicator,
    IndicatorTemplate,
    Observation,
    ObservationStatus,
    Target,
)
from indicators.services import adopt_template, set_target
from organisations.models import Organisation, User

YEARS = range(2019, 2026)
BASELINE_YEAR = 2019
PRELIMINARY = "prelim"


@dataclass(frozen=True)
class DemoIndicator:
    """One row of DOMAIN.md 9.4: the definition used when no template exists, values and targets."""

    key: str
    template: str  # the library template's code ("" for an own indicator)
    name_fi: str
    name_en: str
    unit: str
    chain_level: str
    values: tuple[Any, ...]  # 2019-2025: a number, None for "–", or (number, PRELIMINARY)
    targets: dict[int, Any] = field(default_factory=dict)
    direction: str = Direction.HIGHER
    periodicity: str = "year"
    data_lag_months: int = 3
    note: str = ""


def _share(part: int, whole: int) -> Decimal:
    """A ratio such as 2 / 7 stored as the share in percent (two decimals)."""
    return (Decimal(100) * part / whole).quantize(Decimal("0.01"))


KAARNALA: list[DemoIndicator] = [
    DemoIndicator(
        "I1", "statfin-m411", "Väkiluku", "Population", "persons", ChainLevel.CONTEXT,
        (61840, 61910, 62050, 62330, 62780, 63150, 63420), {2025: 63000, 2030: 65000},
    ),
    DemoIndicator(
        "I2", "intl-foreign-language-share", "Vieraskielisten osuus väestöstä",
        "Share of foreign-language speakers in the population", "%", ChainLevel.CONTEXT,
        ("4.6", "4.9", "5.2", "5.8", "6.5", "7.0", "7.4"),
    ),
    DemoIndicator(
        "I3", "intl-foreign-language-employment", "Vieraskielisten 20–64-vuotiaiden työllisyysaste",
        "Employment rate of foreign-language speakers aged 20–64", "%", ChainLevel.IMPACT,
        ("52.1", "49.8", "51.5", "54.0", "55.2", "54.6", ("56.0", PRELIMINARY)), {2025: 58, 2030: 65},
    ),
    DemoIndicator(
        "I4", "intl-degree-students", "Kansainväliset tutkinto-opiskelijat paikallisissa korkeakouluissa",
        "International degree students at local higher-education institutions", "students",
        ChainLevel.OUTCOME, (610, 580, 640, 720, 810, 760, 790), {2025: 900, 2030: 1100},
    ),
    DemoIndicator(
        "I5", "intl-graduates-employed",
        "Kansainvälisistä valmistuneista Suomessa työllisinä kolme vuotta valmistumisesta",
        "International graduates of local institutions employed in Finland three years after graduation",
        "%", ChainLevel.IMPACT, (38, 37, 40, 44, 47, 49, None), {2025: 50, 2030: 58}, data_lag_months=24,
    ),
    DemoIndicator(
        "I5b", "",
        "Kansainväliset valmistuneet, jotka työskentelevät kotimaakunnassa kolme vuotta valmistumisesta",
        "International graduates employed in the home region three years after graduation", "%",
        ChainLevel.IMPACT,
        (41, 40, 42, 43, 45, 46, None), {2025: 48, 2030: 55}, data_lag_months=24,
    ),
    DemoIndicator(
        "I6", "intl-eu-funding", "Kaupunkikonsernin saama EU-rahoitus",
        "EU funding secured by the city group",
        "€/resident", ChainLevel.OUTPUT, ("14.2", "16.8", "9.5", "11.3", "18.9", "22.4", "21.0"),
        {2025: 20, 2030: 25},
    ),
    DemoIndicator(
        "I7", "intl-active-projects", "Käynnissä olevat kansainväliset hankkeet",
        "Active international projects", "projects", ChainLevel.OUTPUT, (9, 10, 7, 8, 12, 14, 13),
        {2025: 12, 2030: 14},
    ),
    DemoIndicator(
        "I7b", "intl-projects-linked-to-goals", "Strategiseen tavoitteeseen kytkettyjen hankkeiden osuus",
        "Share of projects linked to a strategic goal", "%", ChainLevel.OUTPUT,
        (55, 60, 71, 75, 83, 86, 92), {2025: 85, 2030: 95},
    ),
    DemoIndicator(
        "I8", "intl-foreign-overnight-stays", "Ulkomaiset yöpymiset", "Foreign overnight stays",
        "overnight stays", ChainLevel.OUTCOME, (71400, 22300, 19800, 48900, 62100, 69500, 73800),
        {2025: 75000, 2030: 85000},
    ),
    DemoIndicator(
        "I9", "intl-fdi-projects", "Tuetut uudet ulkomaiset investointihankkeet",
        "New FDI projects supported", "projects", ChainLevel.OUTCOME, (3, 1, 2, 2, 4, 3, 5),
        {2025: 4, 2030: 5},
    ),
    DemoIndicator(
        # "Partnerships with a valid joint action plan / all formal partnerships": the share in percent.
        "I10", "", "Voimassa olevan yhteisen toimintasuunnitelman ystävyys- ja kumppanuussuhteet",
        "Partnerships with a valid joint action plan", "%", ChainLevel.OUTPUT,
        (_share(2, 7), _share(2, 7), _share(3, 7), _share(3, 6), _share(4, 6), _share(4, 5), _share(5, 5)),
        {2025: _share(5, 5), 2030: 100},
        note="Osuus kaikista virallisista ystävyys- ja kumppanuussuhteista (2019: 2 / 7 … 2025: 5 / 5).",
    ),
    DemoIndicator(
        "I11", "intl-erasmus-mobility", "Erasmus+-liikkuvuuteen osallistuneet, kaupungin koulut",
        "Erasmus+ mobility participants, city schools", "persons", ChainLevel.OUTPUT,
        (140, 35, 20, 110, 190, 230, 250), {2025: 220, 2030: 300},
    ),
    DemoIndicator(
        "I12", "intl-ghg-emissions-per-resident", "Kasvihuonekaasupäästöt asukasta kohden",
        "GHG emissions per capita", "t CO₂e/resident", ChainLevel.IMPACT,
        ("6.1", "5.6", "5.7", "5.2", "4.8", ("4.5", PRELIMINARY), None), {2025: "4.3", 2030: "3.05"},
        direction=Direction.LOWER, data_lag_months=12,
    ),
    DemoIndicator(
        "I13", "intl-welcoming-perception",
        "Asukkaat, joiden mielestä Kaarnala toivottaa kaikki taustaltaan erilaiset tervetulleiksi",
        "Residents agreeing “Kaarnala welcomes people of all backgrounds”", "%", ChainLevel.OUTCOME,
        (61, None, 63, None, 66, None, 68), {2025: 68, 2030: 75}, periodicity="two_years",
    ),
    DemoIndicator(
        "I14", "intl-smes-in-delegations", "Pk-yritykset kaupungin vetämissä delegaatioissa ja messuilla",
        "Local SMEs in city-led international delegations or fairs", "companies", ChainLevel.OUTPUT,
        (18, 4, 6, 15, 22, 25, 27), {2025: 25, 2030: 30},
    ),
    DemoIndicator(
        "I15", "statfin-m140", "Työllisyysaste", "Employment rate 20–64, all residents", "%",
        ChainLevel.CONTEXT, ("72.4", "71.1", "72.9", "74.3", "74.0", "73.2", "73.5"), {2030: 75},
    ),
]  # fmt: skip

# Naapurila adopts a few of the same templates, with invented values of its own.
NAAPURILA: list[DemoIndicator] = [
    DemoIndicator(
        "N1", "statfin-m411", "Väkiluku", "Population", "persons", ChainLevel.CONTEXT,
        (18710, 18640, 18590, 18520, 18470, 18380, 18250),
    ),
    DemoIndicator(
        "N2", "intl-eu-funding", "Kuntakonsernin saama EU-rahoitus",
        "EU funding secured by the municipality group", "€/resident", ChainLevel.OUTPUT,
        ("6.4", "7.1", "3.2", "4.0", "8.8", "9.6", "10.3"), {2025: 10, 2030: 14},
    ),
    DemoIndicator(
        "N3", "intl-active-projects", "Käynnissä olevat kansainväliset hankkeet",
        "Active international projects", "projects", ChainLevel.OUTPUT, (3, 3, 2, 2, 4, 4, 5),
        {2025: 5, 2030: 6},
    ),
    DemoIndicator(
        "N4", "intl-erasmus-mobility", "Erasmus+-liikkuvuuteen osallistuneet, kunnan koulut",
        "Erasmus+ mobility participants, municipal schools", "persons", ChainLevel.OUTPUT,
        (42, 8, 5, 30, 51, 58, 64), {2025: 60, 2030: 80},
    ),
]  # fmt: skip


def _number(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _year(year: int) -> dt.date:
    return dt.date(year, 1, 1)


def _indicator(organisation: Organisation, row: DemoIndicator, by: Any) -> Indicator:
    """The organisation's indicator for the row: adopted from its template when the library has it."""
    base = row.values[0]
    baseline = _number(base[0] if isinstance(base, tuple) else base)
    template = (
        IndicatorTemplate.objects.published().filter(code=row.template).first() if row.template else None
    )
    if template is not None:
        existing = Indicator.objects.filter(organisation=organisation, template=template).first()
        if existing is not None:
            return existing
        return adopt_template(
            template=template,
            organisation=organisation,
            by=by,
            baseline_value=baseline,
            baseline_period=_year(BASELINE_YEAR),
            responsible=by,
            note=row.note,
        )
    indicator = Indicator.objects.filter(
        organisation=organisation, template__isnull=True, name_fi=row.name_fi
    ).first()
    if indicator is not None:
        return indicator
    indicator = Indicator(
        organisation=organisation,
        name_fi=row.name_fi,
        name_en=row.name_en,
        unit=row.unit,
        direction=row.direction,
        chain_level=row.chain_level,
        periodicity=row.periodicity,
        data_lag_months=row.data_lag_months,
        baseline_value=baseline,
        baseline_period=_year(BASELINE_YEAR),
        responsible=by,
        note=row.note,
    )
    indicator.save_new(by=by)
    return indicator


def _values(indicator: Indicator, row: DemoIndicator, by: Any) -> None:
    stored = {o.period: o for o in indicator.observations.all()}
    for year, entry in zip(YEARS, row.values, strict=True):
        if entry is None:
            continue  # "–": no value (not yet available, or a year the survey is not run)
        value, status = (
            (_number(entry[0]), ObservationStatus.PRELIMINARY)
            if isinstance(entry, tuple)
            else (_number(entry), ObservationStatus.FINAL)
        )
        current = stored.get(_year(year))
        if current is not None:
            if current.value != value or current.status != status:
                Observation.objects.filter(pk=current.pk).update(
                    value=value, status=status, version=current.version + 1
                )
            continue
        observation = Observation(
            indicator=indicator,
            period=_year(year),
            value=value,
            status=status,
            note="Demoaineisto (keksitty)",
        )
        observation.save_new(by=by)


def _targets(indicator: Indicator, row: DemoIndicator, by: Any) -> None:
    current = {
        t.period: t.value for t in Target.objects.filter(indicator=indicator, superseded_at__isnull=True)
    }
    for year, value in row.targets.items():
        number = _number(value)
        if _year(year) in current:
            continue  # a demo target someone revised stays revised
        set_target(indicator=indicator, period=_year(year), value=number, reason="", by=by)


def _load(slug: str, rows: list[DemoIndicator], username: str) -> int:
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        return 0
    by = User.objects.filter(username=username).first()
    for row in rows:
        indicator = _indicator(organisation, row, by)
        _values(indicator, row, by)
        _targets(indicator, row, by)
    return len(rows)


@transaction.atomic
def load_demo_indicators() -> dict[str, int]:
    """Kaarnala's and Naapurila's demo indicators with values and targets; returns the count per slug."""
    return {
        "kaarnala": _load("kaarnala", KAARNALA, "kaarnala-editor"),
        "naapurila": _load("naapurila", NAAPURILA, "naapuri-editor"),
    }
