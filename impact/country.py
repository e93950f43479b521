"""A whole invented country on the real registry: every municipality and regional council with a strategy,
indicators and ten years of values, activities with their chains, future stories and members.

For benchmarks and load tests only (`manage.py generate_country`): the figures are invented, so it runs
only where demo data is allowed. Every organisation draws from its own random generator seeded with
(seed, kind, code), so the same seed gives the same data whichever organisations are generated, and
larger municipalities get more rows (Helsinki the most), as in life.

Rows are written with `bulk_create` in large batches, a few statements per model and chunk of
organisations, never one save per row. The database triggers stay on: the tenant rules (a goal is
measured only by its own organisation's indicators, a contribution serves only its own goals, ...) check
every generated row, and the audit history records every insert, as it would for a real import; the
benchmark then measures pages against audit tables of country size.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pghistory
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone

from futures.models import (
    Driver,
    FutureStory,
    Implication,
    Megatrend,
    Milestone,
    Signpost,
    StoryDriver,
    WeakSignal,
)
from futures.seed import load_megatrends
from goals.models import Goal, GoalIndicator, Strategy
from impact.models import (
    REVIEWED_KINDS,
    Activity,
    ActivityKind,
    ActivityStatus,
    ChainLevel,
    ChainStep,
    Contribution,
    FundingProgramme,
    Partner,
    PartnershipReview,
    ProgressReport,
    Strength,
    TimeToImpact,
)
from indicators.library import load_indicator_library
from indicators.models import (
    ChainLevel as IndicatorLevel,
)
from indicators.models import (
    Direction,
    Indicator,
    IndicatorTemplate,
    Observation,
    ObservationStatus,
    Periodicity,
    Target,
    TemplateVersion,
)
from organisations.models import Membership, Organisation, Role, User
from organisations.registry import load_registry

FULL_SCALE = 1.0
EMAIL_DOMAIN = "country.invalid"  # marks generated people (.invalid never resolves)
PASSWORD = "country-country-2026"  # noqa: S105  (printed for benchmarks; never in production)
STEWARD_USERNAME = "country-steward"
FIRST_YEAR, LAST_YEAR = 2016, 2025  # ten years of values
TERM = (2025, 2029)
BATCH = 5000
ORGS_PER_CHUNK = 40

# (low, high) at full scale; --scale shrinks the ranges too (see Plan.span).
GOALS = (20, 60)
INDICATORS = (20, 60)
ACTIVITIES = (10, 40)
STORIES = (2, 4)
EDITORS = (1, 3)
VIEWERS = (2, 6)
ADOPTED_SHARE = (0.6, 0.85)  # most indicators are adopted from the shared library
QUARTERLY_SHARE = 0.15  # of the organisation's own indicators
SHARING_SHARE = 0.4  # organisations that share their indicator data for national comparisons

Progress = Callable[[str], None]


class CountryExists(Exception):
    """The country has already been generated here (run with replace=True to generate it again)."""


# --- words ----------------------------------------------------------------------------------------------

SUBJECTS = {
    "fi": [
        "Kansainvälisten osaajien määrä", "Vieraskielisten työllisyys", "Yritysten vienti",
        "Ulkomaisten matkailijoiden yöpymiset", "EU-rahoituksen määrä", "Kansainväliset opiskelijat",
        "Ulkomaiset investoinnit", "Hiilidioksidipäästöt", "Nuorten kansainvälinen liikkuvuus",
        "Kaupungin tunnettuus ulkomailla", "Kansainväliset tapahtumat", "Ystävyyskaupunkiyhteistyö",
        "Osaajien pysyvyys", "Startup-yritysten määrä", "Kansainvälinen tutkimusyhteistyö",
    ],
    "sv": [
        "Antalet internationella experter", "Sysselsättningen bland personer med främmande modersmål",
        "Företagens export", "Utländska turisters övernattningar", "EU-finansieringen",
        "Internationella studerande", "Utländska investeringar", "Koldioxidutsläppen",
        "Ungas internationella rörlighet", "Kommunens synlighet utomlands", "Internationella evenemang",
        "Vänortssamarbetet", "Experternas kvarstannande", "Antalet startupföretag",
        "Det internationella forskningssamarbetet",
    ],
}  # fmt: skip
CHANGES = {
    "fi": ["kasvaa", "vahvistuu", "kaksinkertaistuu", "vakiintuu", "monipuolistuu", "vähenee"],
    "sv": ["ökar", "stärks", "fördubblas", "stabiliseras", "blir mångsidigare", "minskar"],
}
STRATEGY_NAME = {"fi": "Kuntastrategia", "sv": "Kommunstrategi"}
VISION = {
    "fi": "Kansainvälinen, elinvoimainen ja vastuullinen kunta, jossa jokainen löytää paikkansa.",
    "sv": "En internationell, livskraftig och ansvarsfull kommun där alla hittar sin plats.",
}
OWN_INDICATORS = {
    "fi": [
        ("Kansainvälisten hankkeiden määrä", "projects"), ("Vieraskielisten asiakkaiden määrä", "persons"),
        ("Ulkomaiset vierailut", "visits"), ("Kansainvälisiin verkostoihin osallistuneet", "persons"),
        ("Hankkeiden omarahoitusosuus", "€"), ("Vaihto-opiskelijat", "students"),
        ("Kansainvälisten rekrytointien määrä", "persons"), ("Tapahtumien kävijät", "visitors"),
    ],
    "sv": [
        ("Antal internationella projekt", "projects"), ("Kunder med främmande modersmål", "persons"),
        ("Utländska besök", "visits"), ("Deltagare i internationella nätverk", "persons"),
        ("Projektens självfinansiering", "€"), ("Utbytesstuderande", "students"),
        ("Antal internationella rekryteringar", "persons"), ("Evenemangens besökare", "visitors"),
    ],
}  # fmt: skip
ACTIVITY_NAMES = {
    ActivityKind.EU_PROJECT: ("EU-hanke", "EU-projekt"),
    ActivityKind.EXTERNAL_PROJECT: ("Kehittämishanke", "Utvecklingsprojekt"),
    ActivityKind.TWIN_TOWN: ("Ystävyyskaupunki", "Vänort"),
    ActivityKind.NETWORK: ("Verkostojäsenyys", "Nätverksmedlemskap"),
    ActivityKind.EU_OFFICE: ("Brysselin toimisto", "Brysselkontoret"),
    ActivityKind.DELEGATION: ("Vierailu", "Besök"),
    ActivityKind.TALENT: ("Osaajien houkuttelu", "Kompetensattraktion"),
    ActivityKind.INVESTMENT: ("Investointien edistäminen", "Investeringsfrämjande"),
    ActivityKind.EDUCATION: ("Oppilasvaihto", "Elevutbyte"),
    ActivityKind.EVENT: ("Kansainvälinen tapahtuma", "Internationellt evenemang"),
    ActivityKind.DEVELOPMENT: ("Kehitysyhteistyö", "Utvecklingssamarbete"),
}
PLACES = [
    ("Tartto", "EE"), ("Uppsala", "SE"), ("Kiel", "DE"), ("Gdańsk", "PL"), ("Riika", "LV"),
    ("Bergen", "NO"), ("Aarhus", "DK"), ("Lyon", "FR"), ("Bologna", "IT"), ("Gent", "BE"),
    ("Utrecht", "NL"), ("Porto", "PT"), ("Vilna", "LT"), ("Graz", "AT"), ("Cork", "IE"),
]  # fmt: skip
STORY_TITLES = {
    "fi": ["Osaajien kunta", "Hiljenevä maaseutu", "Vihreä siirtymä onnistuu", "Suljetut rajat",
           "Digitaalinen kylä", "Ilmastopakolaisten aika"],
    "sv": ["Kompetensens kommun", "Den tystnande landsbygden", "Den gröna omställningen lyckas",
           "Stängda gränser", "Den digitala byn", "Klimatflyktingarnas tid"],
}  # fmt: skip


# --- plan -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """How much to generate: the share of the country and of each organisation's rows."""

    scale: float = FULL_SCALE
    seed: int = 1
    limit: int | None = None  # only the first N organisations (for a one-organisation database)

    @property
    def row_factor(self) -> float:
        # Rows per organisation shrink with the scale, but never below a fifth: an organisation of a
        # small test country still has a goal tree of three levels and a few of everything.
        return min(1.0, max(0.2, self.scale))

    def span(self, bounds: tuple[int, int]) -> tuple[int, int]:
        """The (low, high) range of a count at this scale."""
        low, high = bounds
        return max(1, round(low * self.row_factor)), max(1, round(high * self.row_factor))


def country_organisations(plan: Plan) -> list[Organisation]:
    """The real municipalities and regional councils the plan covers, in a fixed order.

    At a reduced scale the organisations are spread across the population ranking, so that a small
    country still has a large city and a small municipality.
    """
    real = Organisation.objects.filter(is_demo=False).exclude(code="")
    municipalities = list(
        real.filter(kind=Organisation.Kind.MUNICIPALITY).order_by(
            models.F("population").desc(nulls_last=True), "code"
        )
    )
    councils = list(real.filter(kind=Organisation.Kind.REGIONAL_COUNCIL).order_by("code"))
    chosen = _spread(municipalities, plan.scale) + _spread(councils, plan.scale)
    if plan.limit:
        chosen = chosen[: plan.limit]  # the largest first: a one-organisation database holds a city
    return sorted(chosen, key=lambda o: (o.kind, o.code))


def _spread(items: list[Organisation], share: float) -> list[Organisation]:
    """An evenly spaced share of the items (at least one), starting with the first."""
    if not items:
        return []
    count = max(1, round(len(items) * min(1.0, share)))
    step = len(items) / count
    return [items[math.floor(i * step)] for i in range(count)]


def size_of(organisation: Organisation, populations: Sequence[int]) -> float:
    """Where the organisation sits between the smallest (0) and the largest (1) municipality."""
    if organisation.kind == Organisation.Kind.REGIONAL_COUNCIL or not organisation.population:
        return 0.6
    below = sum(1 for p in populations if p < organisation.population)
    return below / max(1, len(populations) - 1)


def rng_for(plan: Plan, organisation: Organisation, part: str) -> random.Random:
    """The organisation's own random generator for one part of its data (independent of the others)."""
    # Reproducible invented data, not secrets.
    return random.Random(f"{plan.seed}:{organisation.kind}:{organisation.code}:{part}")  # noqa: S311


def pick_count(rng: random.Random, bounds: tuple[int, int], size: float) -> int:
    """A count in bounds, larger for larger organisations (the largest gets the top of the range)."""
    low, high = bounds
    share = min(1.0, 0.75 * size + 0.25 * rng.random())
    return low + round((high - low) * share)


def batched(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def decimal(value: float, places: int = 2) -> Decimal:
    return Decimal(f"{value:.{places}f}")


# --- what one chunk of organisations holds before it is written ------------------------------------------


@dataclass
class Chunk:
    """The rows of a few organisations, built in memory and written model by model."""

    users: list[User] = field(default_factory=list)
    memberships: list[tuple[int, str, Organisation]] = field(default_factory=list)  # user index, role, org
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, number: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + number


@dataclass
class Context:
    """What every organisation's generation shares: the run's plan, time, password and the libraries."""

    plan: Plan
    now: dt.datetime
    password: str
    templates: list[IndicatorTemplate]
    definitions: dict[int, dict[str, Any]]
    megatrends: list[Megatrend]
    populations: list[int]


def write[M: models.Model](model: type[M], rows: list[M]) -> list[M]:
    """Insert rows in large batches; PostgreSQL returns their ids."""
    if rows:
        model._default_manager.bulk_create(rows, batch_size=BATCH)
    return rows


# --- the generator --------------------------------------------------------------------------------------


def has_country(organisations: Iterable[Organisation]) -> int:
    """How many of the organisations already hold generated or other data."""
    ids = [o.pk for o in organisations]
    busy = set(Strategy.objects.filter(organisation_id__in=ids).values_list("organisation_id", flat=True))
    busy |= set(Indicator.objects.filter(organisation_id__in=ids).values_list("organisation_id", flat=True))
    busy |= set(Activity.objects.filter(organisation_id__in=ids).values_list("organisation_id", flat=True))
    return len(busy)


def delete_country(organisations: Sequence[Organisation]) -> None:
    """Delete the organisations' data and the generated people (through the ORM, so every relation that
    a later model adds is followed; the audit history records the deletes)."""
    ids = [o.pk for o in organisations]
    FutureStory.objects.filter(organisation_id__in=ids).delete()
    Driver.objects.filter(organisation_id__in=ids).delete()
    WeakSignal.objects.filter(organisation_id__in=ids).delete()
    Activity.objects.filter(organisation_id__in=ids).delete()
    GoalIndicator.objects.filter(goal__strategy__organisation_id__in=ids).delete()
    Goal.objects.filter(strategy__organisation_id__in=ids).update(parent=None, predecessor=None)
    Goal.objects.filter(strategy__organisation_id__in=ids).delete()
    Strategy.objects.filter(organisation_id__in=ids).delete()
    Indicator.objects.filter(organisation_id__in=ids).delete()
    Membership.objects.filter(user__email__endswith="@" + EMAIL_DOMAIN).delete()
    User.objects.filter(email__endswith="@" + EMAIL_DOMAIN).delete()
    Organisation.objects.filter(pk__in=ids).update(shares_indicator_data=False)


def load_reference_data() -> None:
    """The registry and the shared libraries the country is built on (each loader is idempotent)."""
    load_registry()
    load_indicator_library()
    load_megatrends()


def generate_country(
    *, plan: Plan, replace: bool = False, progress: Progress | None = None
) -> dict[str, int]:
    """Load the reference data, then generate the country (see build_country)."""
    load_reference_data()
    return build_country(plan=plan, replace=replace, progress=progress)


def build_country(*, plan: Plan, replace: bool = False, progress: Progress | None = None) -> dict[str, int]:
    """Generate every organisation of the plan in one transaction; return how many rows of each kind.

    Raises CountryExists when an organisation of the plan already holds data, unless `replace`.
    """
    say = progress or (lambda _message: None)
    organisations = country_organisations(plan)
    with transaction.atomic(), pghistory.context(command="generate_country"):
        # Defined for the transaction, as the importer does: the audit triggers read it for every row.
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('pgtrigger.ignore', '{}', true)")
        busy = has_country(organisations)
        if busy and not replace:
            raise CountryExists(
                f"{busy} of the {len(organisations)} organisations already have data: the country has been "
                "generated here. Run with --replace to delete their data and generate it again."
            )
        if busy or replace:
            say(f"Deleting the data of {len(organisations)} organisations…")
            delete_country(organisations)
        templates = list(IndicatorTemplate.objects.published().order_by("code"))
        versions = {
            (v.template_id, v.number): v.definition
            for v in TemplateVersion.objects.filter(template__in=templates)
        }
        context = Context(
            plan=plan,
            now=timezone.now(),
            password=make_password(PASSWORD),
            templates=templates,
            definitions={
                t.pk: versions.get((t.pk, t.published_version)) or t.definition_snapshot() for t in templates
            },
            megatrends=list(Megatrend.objects.filter(is_current=True).order_by("number")),
            populations=sorted(
                p
                for p in Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY).values_list(
                    "population", flat=True
                )
                if p is not None
            ),
        )
        totals: dict[str, int] = {"organisations": len(organisations)}
        _steward(context)
        sharing = [o.pk for o in organisations if rng_for(plan, o, "sharing").random() < SHARING_SHARE]
        Organisation.objects.filter(pk__in=sharing).update(shares_indicator_data=True)
        totals["sharing"] = len(sharing)
        done = 0
        for chunk_orgs in batched(organisations, ORGS_PER_CHUNK):
            for name, number in _generate_chunk(context, list(chunk_orgs)).items():
                totals[name] = totals.get(name, 0) + number
            done += len(chunk_orgs)
            say(f"{done}/{len(organisations)} organisations, {totals.get('observations', 0):,} values")
    # Fresh planner statistics, as after any bulk load: until autovacuum gets to the new rows the
    # planner believes the tables are small and scans them whole instead of using their indexes.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    say("Statistics updated (ANALYZE).")
    return totals


def _steward(context: Context) -> None:
    association = Organisation.objects.filter(kind=Organisation.Kind.ASSOCIATION).first()
    if association is None:
        return
    user, _created = User.objects.get_or_create(
        username=STEWARD_USERNAME,
        defaults={"email": f"{STEWARD_USERNAME}@{EMAIL_DOMAIN}", "name": "Country Steward", "language": "fi"},
    )
    User.objects.filter(pk=user.pk).update(password=context.password)
    Membership.objects.get_or_create(user=user, organisation=association, defaults={"role": Role.STEWARD})


def _generate_chunk(context: Context, organisations: list[Organisation]) -> dict[str, int]:
    counts: dict[str, int] = {}

    def count(name: str, rows: Sequence[Any]) -> None:
        counts[name] = counts.get(name, 0) + len(rows)

    people = {o.pk: _people(context, o) for o in organisations}
    users = write(User, [u for roles in people.values() for _role, u in roles])
    memberships = [
        Membership(
            user=user, organisation=o, role=role, created_at=context.now, updated_at=context.now, version=1
        )
        for o in organisations
        for role, user in people[o.pk]
    ]
    count("users", users)
    count("memberships", write(Membership, memberships))
    editor = {o.pk: next(u for role, u in people[o.pk] if role == Role.EDITOR) for o in organisations}

    def tracked(o: Organisation) -> dict[str, Any]:
        user = editor[o.pk]
        return {"created_at": context.now, "updated_at": context.now, "created_by": user, "updated_by": user}

    # Indicators, their targets and values.
    indicators: dict[int, list[Indicator]] = {}
    all_indicators: list[Indicator] = []
    for o in organisations:
        indicators[o.pk] = _indicators(context, o, tracked(o))
        all_indicators += indicators[o.pk]
    write(Indicator, all_indicators)
    count("indicators", all_indicators)
    observations: list[Observation] = []
    targets: list[Target] = []
    for o in organisations:
        rng = rng_for(context.plan, o, "values")
        for indicator in indicators[o.pk]:
            series = _series(rng, indicator)
            _baseline(indicator, series)
            observations += _observations(rng, indicator, series, tracked(o))
            targets += _targets(rng, context, indicator, tracked(o))
    Indicator.objects.bulk_update(all_indicators, ["baseline_value", "baseline_period"], batch_size=BATCH)
    count("observations", write(Observation, observations))
    count("targets", write(Target, targets))
    del observations, targets

    # Strategies and goal trees, one level at a time (a goal's parent must exist first).
    strategies = {o.pk: _strategy(context, o, tracked(o)) for o in organisations}
    write(Strategy, list(strategies.values()))
    count("strategies", list(strategies.values()))
    levels: dict[int, list[list[Goal]]] = {
        o.pk: _goal_tree(context, o, strategies[o.pk], tracked(o)) for o in organisations
    }
    for depth in range(3):
        # bulk_create takes each parent's id from the parent written in the round before.
        count("goals", write(Goal, [goal for o in organisations for goal in levels[o.pk][depth]]))
    goals = {o.pk: [g for level in levels[o.pk] for g in level] for o in organisations}
    links: list[GoalIndicator] = []
    for o in organisations:
        links += _goal_indicators(context, o, goals[o.pk], indicators[o.pk], editor[o.pk])
    count("goal_indicators", write(GoalIndicator, links))

    # Activities with partners, chains, contributions, reports and reviews.
    activities = {o.pk: _activities(context, o, people[o.pk], tracked(o)) for o in organisations}
    write(Activity, [a for rows in activities.values() for a in rows])
    count("activities", [a for rows in activities.values() for a in rows])
    partners: list[Partner] = []
    steps: list[ChainStep] = []
    contributions: list[Contribution] = []
    reports: list[ProgressReport] = []
    reviews: list[PartnershipReview] = []
    for o in organisations:
        rng = rng_for(context.plan, o, "activity-details")
        for activity in activities[o.pk]:
            partners += _partners(rng, activity)
            steps += _chain(rng, activity, indicators[o.pk], tracked(o))
            contributions += _contributions(rng, activity, goals[o.pk], tracked(o))
            reports += _reports(rng, activity, tracked(o))
            reviews += _reviews(rng, activity, tracked(o))
    count("partners", write(Partner, partners))
    count("chain_steps", write(ChainStep, steps))
    count("contributions", write(Contribution, contributions))
    count("reports", write(ProgressReport, reports))
    count("reviews", write(PartnershipReview, reviews))

    # Foresight: drivers, future stories and what they mean for the goals.
    drivers = {o.pk: _drivers(context, o, tracked(o)) for o in organisations}
    write(Driver, [d for rows in drivers.values() for d in rows])
    count("drivers", [d for rows in drivers.values() for d in rows])
    stories = {o.pk: _stories(context, o, tracked(o)) for o in organisations}
    write(FutureStory, [s for rows in stories.values() for s in rows])
    count("stories", [s for rows in stories.values() for s in rows])
    story_drivers: list[StoryDriver] = []
    implications: list[Implication] = []
    signposts: list[Signpost] = []
    milestones: list[Milestone] = []
    story_megatrends: list[Any] = []
    for o in organisations:
        rng = rng_for(context.plan, o, "story-details")
        for story in stories[o.pk]:
            story_drivers += [
                StoryDriver(story=story, driver=d, assumed_state=rng.choice(["kasvaa", "heikkenee", "pysyy"]))
                for d in rng.sample(drivers[o.pk], k=min(2, len(drivers[o.pk])))
            ]
            implications += _implications(rng, story, goals[o.pk], tracked(o))
            signposts += _signposts(rng, story, indicators[o.pk])
            milestones += [
                Milestone(
                    story=story, year=year, must_be_true=f"Välitavoite {year}", goal=rng.choice(goals[o.pk])
                )
                for year in sorted(rng.sample(range(2027, story.horizon_year), k=2))
            ]
            story_megatrends += [
                FutureStory.megatrends.through(futurestory_id=story.pk, megatrend_id=m.pk)
                for m in rng.sample(context.megatrends, k=min(2, len(context.megatrends)))
            ]
    count("story_drivers", write(StoryDriver, story_drivers))
    count("implications", write(Implication, implications))
    count("signposts", write(Signpost, signposts))
    count("milestones", write(Milestone, milestones))
    write(FutureStory.megatrends.through, story_megatrends)
    return counts


# --- one organisation's parts ---------------------------------------------------------------------------


def _people(context: Context, o: Organisation) -> list[tuple[str, User]]:
    """An administrator, editors and viewers (leadership), named after the organisation."""
    rng = rng_for(context.plan, o, "people")
    roles = [Role.ADMIN]
    roles += [Role.EDITOR] * pick_count(rng, context.plan.span(EDITORS), size_of(o, context.populations))
    roles += [Role.VIEWER] * pick_count(rng, context.plan.span(VIEWERS), size_of(o, context.populations))
    people = []
    seen: dict[str, int] = {}
    for role in roles:
        seen[role] = seen.get(role, 0) + 1
        username = f"{o.slug}-{role}-{seen[role]}"
        people.append(
            (
                str(role),
                User(
                    username=username,
                    email=f"{username}@{EMAIL_DOMAIN}",
                    name=f"{o.name_fi} {role} {seen[role]}",
                    password=context.password,
                    language=o.content_language,
                    digest=User.Digest.OFF,
                ),
            )
        )
    return people


def _indicators(context: Context, o: Organisation, tracked: dict[str, Any]) -> list[Indicator]:
    rng = rng_for(context.plan, o, "indicators")
    size = size_of(o, context.populations)
    total = pick_count(rng, context.plan.span(INDICATORS), size)
    adopted = min(len(context.templates), round(total * rng.uniform(*ADOPTED_SHARE)))
    rows: list[Indicator] = []
    for template in rng.sample(context.templates, k=adopted):
        indicator = Indicator(
            organisation=o, template=template, template_version=template.published_version, **tracked
        )
        _copy_definition(indicator, context.definitions[template.pk])
        rows.append(indicator)
    own = OWN_INDICATORS[o.content_language]
    for number in range(total - adopted):
        name, unit = own[number % len(own)]
        quarterly = rng.random() < QUARTERLY_SHARE
        rows.append(
            Indicator(
                organisation=o,
                name_fi=f"{name} {number // len(own) + 1}" if o.content_language == "fi" else "",
                name_sv=f"{name} {number // len(own) + 1}" if o.content_language == "sv" else "",
                unit=unit,
                direction=Direction.HIGHER,
                chain_level=rng.choice([IndicatorLevel.OUTPUT, IndicatorLevel.OUTCOME, IndicatorLevel.INPUT]),
                periodicity=Periodicity.QUARTER if quarterly else Periodicity.YEAR,
                **tracked,
            )
        )
    return rows


def _copy_definition(indicator: Indicator, definition: dict[str, Any]) -> None:
    """Copy a published template definition (JSON values) onto an adopted indicator, as adoption does."""
    for name in Indicator.DEFINITION_FIELDS:
        if name not in definition:
            continue
        value = definition[name]
        if name in ("range_low", "range_high"):
            value = Decimal(str(value)) if value not in (None, "") else None
        elif value is None:
            value = ""
        setattr(indicator, name, value)


def _periods(indicator: Indicator) -> list[dt.date]:
    if indicator.periodicity == Periodicity.QUARTER:
        return [dt.date(y, m, 1) for y in range(FIRST_YEAR, LAST_YEAR + 1) for m in (1, 4, 7, 10)]
    return [dt.date(y, 1, 1) for y in range(FIRST_YEAR, LAST_YEAR + 1)]


def _series(rng: random.Random, indicator: Indicator) -> list[tuple[dt.date, Decimal | None]]:
    """A plausible path: a level by unit, a trend and some noise; now and then a missing value."""
    if indicator.unit == "%":
        level = rng.uniform(5, 80)
    elif "€" in indicator.unit:
        level = rng.uniform(100, 5000)
    elif indicator.unit == "rank":
        level = rng.uniform(1, 300)
    else:
        level = rng.uniform(10, 3000)
    slope = level * rng.uniform(-0.03, 0.06)
    periods = _periods(indicator)
    series: list[tuple[dt.date, Decimal | None]] = []
    for step, period in enumerate(periods):
        years = step / 4 if indicator.periodicity == Periodicity.QUARTER else step
        value = level + slope * years + rng.gauss(0, level * 0.03)
        if indicator.unit == "%":
            value = min(100.0, max(0.0, value))
        series.append((period, None if rng.random() < 0.02 else decimal(max(0.0, value))))
    return series


def _observations(
    rng: random.Random,
    indicator: Indicator,
    series: list[tuple[dt.date, Decimal | None]],
    tracked: dict[str, Any],
) -> list[Observation]:
    rows = []
    last = series[-1][0]
    for period, value in series:
        if value is None:
            status, reason = ObservationStatus.MISSING, "Tietoa ei julkaistu"
        elif period.year == last.year and rng.random() < 0.4:
            status, reason = ObservationStatus.PRELIMINARY, ""
        else:
            status, reason = ObservationStatus.FINAL, ""
        rows.append(
            Observation(
                indicator=indicator,
                period=period,
                value=value,
                status=status,
                missing_reason=reason,
                source="file" if indicator.template_id else "typed",
                provenance="country.csv" if indicator.template_id else "",
                **tracked,
            )
        )
    return rows


def _baseline(indicator: Indicator, series: list[tuple[dt.date, Decimal | None]]) -> None:
    """The first known value from 2019 on (the year the strategies' comparisons start)."""
    known = [(p, v) for p, v in series if v is not None and p.year >= 2019]
    if known:
        indicator.baseline_period, indicator.baseline_value = known[0]


def _targets(
    rng: random.Random, context: Context, indicator: Indicator, tracked: dict[str, Any]
) -> list[Target]:
    if indicator.chain_level == IndicatorLevel.CONTEXT and rng.random() < 0.7:
        return []
    base = indicator.baseline_value
    if base is None:
        return []
    sign = -1 if indicator.direction == Direction.LOWER else 1
    rows = []
    for year, gain in ((2025, rng.uniform(0.03, 0.15)), (TERM[1], rng.uniform(0.1, 0.3))):
        value = decimal(float(base) * (1 + sign * gain))
        if year == 2025 and rng.random() < 0.1:
            # A revised target: the old row stays, replaced, and the new one says why.
            rows.append(
                Target(
                    indicator=indicator,
                    period=dt.date(year, 1, 1),
                    value=decimal(float(value) * 1.1),
                    superseded_at=context.now,
                    **tracked,
                )
            )
            rows.append(
                Target(
                    indicator=indicator,
                    period=dt.date(year, 1, 1),
                    value=value,
                    reason="Tavoitetta tarkistettiin koronavuosien jälkeen.",
                    **tracked,
                )
            )
        else:
            rows.append(Target(indicator=indicator, period=dt.date(year, 1, 1), value=value, **tracked))
    return rows


def _strategy(context: Context, o: Organisation, tracked: dict[str, Any]) -> Strategy:
    lang = o.content_language
    return Strategy(
        organisation=o,
        name=f"{STRATEGY_NAME[lang]} {TERM[0]}–{TERM[1]}",
        term_start=TERM[0],
        term_end=TERM[1],
        vision=VISION[lang],
        status=Strategy.Status.APPROVED,
        approved_on=dt.date(TERM[0], 6, 15),
        **tracked,
    )


def _goal_tree(
    context: Context, o: Organisation, strategy: Strategy, tracked: dict[str, Any]
) -> list[list[Goal]]:
    """Three levels: impact goals, strategic goals under them, operational goals under those."""
    rng = rng_for(context.plan, o, "goals")
    total = pick_count(rng, context.plan.span(GOALS), size_of(o, context.populations))
    top = max(1, min(5, round(total * 0.1)))
    middle = max(top, round(total * 0.3))
    bottom = max(1, total - top - middle)
    lang = o.content_language
    subjects, changes = SUBJECTS[lang], CHANGES[lang]
    owner = tracked["created_by"]

    def goal(code: str, parent: Goal | None, order: int) -> Goal:
        return Goal(
            strategy=strategy,
            parent=parent,
            order=order,
            code=code,
            title=f"{rng.choice(subjects)} {rng.choice(changes)}",
            description="",
            owner=owner if rng.random() < 0.8 else None,
            target_date=dt.date(TERM[1], 12, 31) if rng.random() < 0.85 else None,
            **tracked,
        )

    children: dict[int, int] = {}  # id() of a parent goal → how many children it has so far

    def child(parent: Goal) -> Goal:
        order = children.get(id(parent), 0)
        children[id(parent)] = order + 1
        return goal(f"{parent.code}.{order + 1}", parent, order)

    first = [goal(str(i + 1), None, i) for i in range(top)]
    second = [child(first[i % top]) for i in range(middle)]
    third = [child(second[rng.randrange(middle)]) for _i in range(bottom)]
    return [first, second, third]


def _goal_indicators(
    context: Context, o: Organisation, goals: list[Goal], indicators: list[Indicator], user: User
) -> list[GoalIndicator]:
    rng = rng_for(context.plan, o, "goal-indicators")
    rows = []
    for goal in goals:
        if goal.parent is None or rng.random() < 0.1:
            continue
        for indicator in rng.sample(indicators, k=min(len(indicators), rng.choice([1, 1, 2]))):
            rows.append(GoalIndicator(goal=goal, indicator=indicator, created_by=user))
    return rows


def _activities(
    context: Context, o: Organisation, people: list[tuple[str, User]], tracked: dict[str, Any]
) -> list[Activity]:
    rng = rng_for(context.plan, o, "activities")
    total = pick_count(rng, context.plan.span(ACTIVITIES), size_of(o, context.populations))
    editors = [u for role, u in people if role in (Role.EDITOR, Role.ADMIN)]
    rows = []
    for number in range(total):
        kind = rng.choice(list(ActivityKind))
        place, _country = rng.choice(PLACES)
        fi, sv = ACTIVITY_NAMES[kind]
        start = dt.date(rng.randint(2014, 2026), rng.randint(1, 12), 1)
        end = None if kind in REVIEWED_KINDS else start + dt.timedelta(days=rng.randint(180, 1500))
        today = context.now.date()
        if start > today:
            status = ActivityStatus.PLANNED
        elif end and end < today:
            status = ActivityStatus.ENDED
        else:
            status = ActivityStatus.PAUSED if rng.random() < 0.05 else ActivityStatus.ONGOING
        funded = kind in (ActivityKind.EU_PROJECT, ActivityKind.EXTERNAL_PROJECT)
        budget = decimal(rng.uniform(20_000, 2_000_000)) if funded else None
        own = decimal(float(budget) * rng.uniform(0.1, 0.4)) if budget else None
        rows.append(
            Activity(
                organisation=o,
                name=f"{fi if o.content_language == 'fi' else sv}: {place} {number + 1}",
                kind=kind,
                status=status,
                start_date=start,
                end_date=end,
                description="",
                responsible=rng.choice(editors),
                programme=rng.choice(
                    [
                        FundingProgramme.INTERREG,
                        FundingProgramme.ERASMUS,
                        FundingProgramme.HORIZON,
                        FundingProgramme.ERDF,
                    ]
                )
                if kind == ActivityKind.EU_PROJECT
                else (FundingProgramme.NATIONAL if funded else ""),
                total_budget=budget,
                own_share=own,
                external_funding=(budget - own) if budget is not None and own is not None else None,
                participants=rng.randint(5, 400) if rng.random() < 0.5 else None,
                **tracked,
            )
        )
    return rows


def _partners(rng: random.Random, activity: Activity) -> list[Partner]:
    return [
        Partner(activity=activity, name=f"City of {place}", country=country, role="partner")
        for place, country in rng.sample(PLACES, k=rng.randint(0, 3))
    ]


def _chain(
    rng: random.Random, activity: Activity, indicators: list[Indicator], tracked: dict[str, Any]
) -> list[ChainStep]:
    rows = []
    for order, level in enumerate(ChainLevel):
        measured = level in (ChainLevel.OUTPUT, ChainLevel.OUTCOME, ChainLevel.IMPACT) and rng.random() < 0.6
        rows.append(
            ChainStep(
                activity=activity,
                level=level,
                description=f"{level.label} {activity.name}",
                indicator=rng.choice(indicators) if measured else None,
                order=order,
                **tracked,
            )
        )
    return rows


def _contributions(
    rng: random.Random, activity: Activity, goals: list[Goal], tracked: dict[str, Any]
) -> list[Contribution]:
    if rng.random() < 0.1:
        return []  # an activity that serves no goal: the register flags it
    return [
        Contribution(
            activity=activity,
            goal=goal,
            strength=rng.choice(list(Strength)),
            time_to_impact=rng.choice(list(TimeToImpact)),
            rationale="",
            **tracked,
        )
        for goal in rng.sample(goals, k=min(len(goals), rng.randint(1, 3)))
    ]


def _reports(rng: random.Random, activity: Activity, tracked: dict[str, Any]) -> list[ProgressReport]:
    if activity.status == ActivityStatus.PLANNED or activity.start_date is None:
        return []
    rows = []
    for number in range(rng.randint(0, 4)):
        reported = activity.start_date + dt.timedelta(days=180 * (number + 1))
        if reported > tracked["created_at"].date():
            break
        rows.append(
            ProgressReport(
                activity=activity,
                reported_on=reported,
                status=rng.choice(list(ProgressReport.Status)),
                achieved=f"Raportti {number + 1}",
                **tracked,
            )
        )
    return rows


def _reviews(rng: random.Random, activity: Activity, tracked: dict[str, Any]) -> list[PartnershipReview]:
    if activity.kind not in REVIEWED_KINDS or activity.start_date is None:
        return []
    rows = []
    for year in range(max(activity.start_date.year + 1, LAST_YEAR - 2), LAST_YEAR + 1):
        rows.append(
            PartnershipReview(
                activity=activity,
                reviewed_on=dt.date(year, 11, 30),
                shared_goals=rng.random() < 0.7,
                joint_action_plan=rng.random() < 0.5,
                decision=rng.choice(list(PartnershipReview.Decision)),
                **tracked,
            )
        )
    return rows


def _drivers(context: Context, o: Organisation, tracked: dict[str, Any]) -> list[Driver]:
    rng = rng_for(context.plan, o, "drivers")
    return [
        Driver(organisation=o, name=f"{megatrend.name_fi}", megatrend=megatrend, **tracked)
        for megatrend in rng.sample(context.megatrends, k=min(3, len(context.megatrends)))
    ]


def _stories(context: Context, o: Organisation, tracked: dict[str, Any]) -> list[FutureStory]:
    rng = rng_for(context.plan, o, "stories")
    total = rng.randint(*context.plan.span(STORIES))
    titles = rng.sample(STORY_TITLES[o.content_language], k=min(total, len(STORY_TITLES["fi"])))
    return [
        FutureStory(
            organisation=o,
            title=title,
            horizon_year=rng.choice([2035, 2040, 2045]),
            kind=rng.choice(list(FutureStory.Kind)),
            starting_point=rng.choice(list(FutureStory.StartingPoint)),
            narrative=f"<p>{title}.</p><p>{VISION[o.content_language]}</p>",
            **tracked,
        )
        for title in titles
    ]


def _implications(
    rng: random.Random, story: FutureStory, goals: list[Goal], tracked: dict[str, Any]
) -> list[Implication]:
    return [
        Implication(
            story=story,
            goal=goal,
            kind=rng.choice(list(Implication.Kind)),
            strength=rng.randint(1, 3),
            action="",
            **tracked,
        )
        for goal in rng.sample(goals, k=min(len(goals), rng.randint(2, 6)))
    ]


def _signposts(rng: random.Random, story: FutureStory, indicators: list[Indicator]) -> list[Signpost]:
    return [
        Signpost(
            story=story,
            indicator=indicator,
            comparison=rng.choice(list(Signpost.Comparison)),
            threshold=indicator.baseline_value or Decimal(100),
        )
        for indicator in rng.sample(indicators, k=min(len(indicators), rng.randint(1, 2)))
    ]
