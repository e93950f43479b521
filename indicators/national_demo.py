"""The national comparison's demo: the fictional peer municipalities (codes 990-997 but 992) adopt shared
templates and get ten years of generated values. All invented; the same on every run.

The values come from a seeded generator per organisation and template (`random.Random` with a text
seed is the same in every Python process), scaled by each municipality's population, with the dip of
2020-2021 where travel and mobility stopped. Running it again changes nothing that is in place.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal

from django.db import transaction

from indicators.models import Indicator, IndicatorTemplate, Observation
from indicators.services import adopt_template
from organisations.models import Organisation

YEARS = range(2016, 2026)
NOTE = "Demoaineisto (keksitty)"
PEER_SLUGS = [
    "aallokas",
    "harjula",
    "kivikoski",
    "lumijarvi",
    "myllyranta",
    "pajukoski",
    "honkavaara",
]

# A generator gets the organisation's random source, its population (end of 2025) and the year, and
# returns the value, or None for a year without one.
Generator = Callable[[random.Random, int, int], Decimal | None]

COVID = {2020: Decimal("0.3"), 2021: Decimal("0.45")}


def _population(rng: random.Random, population: int, year: int) -> Decimal | None:
    growth = Decimal(str(rng.uniform(-0.012, 0.014)))
    return Decimal(round(population * (1 + growth) ** (year - 2025)))


def _employment(rng: random.Random, population: int, year: int) -> Decimal | None:
    if year > 2023:
        return None  # employment statistics come about two years late
    base = Decimal(str(rng.uniform(66, 76)))
    return (base + Decimal("0.35") * (year - 2016) + Decimal(str(rng.uniform(-0.8, 0.8)))).quantize(
        Decimal("0.1")
    )


def _foreign_language_share(rng: random.Random, population: int, year: int) -> Decimal | None:
    base = Decimal(str(rng.uniform(1.5, 6.5)))
    pace = Decimal(str(rng.uniform(0.15, 0.5)))
    return (base + pace * (year - 2016)).quantize(Decimal("0.1"))


def _eu_funding(rng: random.Random, population: int, year: int) -> Decimal | None:
    level = Decimal(str(rng.uniform(3, 24)))
    swing = Decimal(str(rng.uniform(0.6, 1.4)))
    factor = Decimal("0.6") if year in (2021, 2022) else swing  # the gap between programme periods
    return (level * factor).quantize(Decimal("0.1"))


def _active_projects(rng: random.Random, population: int, year: int) -> Decimal | None:
    base = population / 9000 * rng.uniform(0.6, 1.6)
    return Decimal(max(0, round(base + (year - 2016) * 0.15 + rng.uniform(-1, 1))))


def _erasmus(rng: random.Random, population: int, year: int) -> Decimal | None:
    base = population / 350 * rng.uniform(0.5, 1.5)
    value = Decimal(str(base)) * COVID.get(year, Decimal(1))
    return Decimal(round(value))


def _overnight_stays(rng: random.Random, population: int, year: int) -> Decimal | None:
    base = population * rng.uniform(0.25, 2.6)
    value = Decimal(str(base)) * COVID.get(year, Decimal(1))
    return Decimal(round(value, -1))


def _emissions(rng: random.Random, population: int, year: int) -> Decimal | None:
    if year > 2024:
        return None  # published a year late
    start = Decimal(str(rng.uniform(5, 9)))
    return (start * Decimal(str(0.965)) ** (year - 2016)).quantize(Decimal("0.01"))


GENERATORS: dict[str, Generator] = {
    "statfin-m411": _population,
    "statfin-m140": _employment,
    "intl-foreign-language-share": _foreign_language_share,
    "intl-eu-funding": _eu_funding,
    "intl-active-projects": _active_projects,
    "intl-erasmus-mobility": _erasmus,
    "intl-foreign-overnight-stays": _overnight_stays,
    "intl-ghg-emissions-per-resident": _emissions,
}


def demo_values(slug: str, code: str, population: int) -> dict[int, Decimal]:
    """The generated values of one organisation and template, by year."""
    generator = GENERATORS[code]
    values = {}
    for year in YEARS:
        # One source per year, seeded by organisation, template and year: a year's value never
        # depends on which other years were generated.
        value = generator(random.Random(f"{slug}:{code}"), population, year)  # noqa: S311  (invented data)
        noise = random.Random(f"{slug}:{code}:{year}")  # noqa: S311
        if value is not None:
            exponent = value.as_tuple().exponent
            places = Decimal(1).scaleb(min(exponent, 0) if isinstance(exponent, int) else 0)
            values[year] = (value * Decimal(str(noise.uniform(0.97, 1.03)))).quantize(places)
    return values


@transaction.atomic
def load_demo_national() -> int:
    """Adopt the demo templates in every fictional peer municipality and record their values; returns
    the number of values created."""
    templates = {t.code: t for t in IndicatorTemplate.objects.published().filter(code__in=GENERATORS)}
    peers = list(Organisation.objects.filter(slug__in=PEER_SLUGS, is_demo=True))
    created = 0
    for organisation in peers:
        adopted = {
            i.template_id: i
            for i in Indicator.objects.filter(organisation=organisation, template__in=templates.values())
        }
        for code, template in templates.items():
            indicator = adopted.get(template.pk) or adopt_template(
                template=template, organisation=organisation, by=None
            )
            stored = set(indicator.observations.values_list("period", flat=True))
            values = demo_values(organisation.slug, code, organisation.population or 10000)
            rows = [
                Observation(indicator=indicator, period=dt.date(year, 1, 1), value=value, note=NOTE)
                for year, value in values.items()
                if dt.date(year, 1, 1) not in stored
            ]
            Observation.objects.bulk_create(rows)
            created += len(rows)
    return created
