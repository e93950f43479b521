"""The shared indicator library: publishing and retiring templates, comparing versions, browsing, seeding.

A template row is the stewards' working copy; what organisations adopt and what the library shows to
everyone is the latest published version (`TemplateVersion.definition`). Theme, standing and SDG targets
only classify a template in the library, so they take effect at once and are not versioned.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NamedTuple

from django.conf import settings
from django.db import transaction
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    JSONField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from indicators.models import (
    ChainLevel,
    Direction,
    Indicator,
    IndicatorTemplate,
    Periodicity,
    SdgTarget,
    Source,
    TemplateFields,
    TemplateVersion,
)
from organisations.base import StaleEdit
from organisations.collation import finnish_key
from organisations.models import LocalText, pick_language

DATA_DIR = Path(settings.BASE_DIR) / "data"
INITIAL_NOTE = "Initial version"
STATFIN_KEY_FIGURES_TABLE = "kuntien_avainluvut_aikasarja"

# Units and themes are stored as short English keys so that filters and comparisons match; these are
# shown in the interface language. Anything a steward types that is not here is shown as typed.
UNIT_LABELS: dict[str, Any] = {
    "persons": gettext_lazy("persons"),
    "€/resident": gettext_lazy("€/resident"),
    "families": gettext_lazy("families"),
    "households": gettext_lazy("households"),
    "jobs": gettext_lazy("jobs"),
    "projects": gettext_lazy("projects"),
    "partnerships": gettext_lazy("partnerships"),
    "networks": gettext_lazy("networks"),
    "students": gettext_lazy("students"),
    "overnight stays": gettext_lazy("overnight stays"),
    "companies": gettext_lazy("companies"),
    "meetings": gettext_lazy("meetings"),
    "t CO₂e/resident": gettext_lazy("t CO₂e/resident"),
    "rank": gettext_lazy("rank"),
    "actions": gettext_lazy("actions"),
}
THEME_LABELS: dict[str, Any] = {
    "EU funding": gettext_lazy("EU funding"),
    "partnerships": gettext_lazy("partnerships"),
    "talent": gettext_lazy("talent"),
    "tourism": gettext_lazy("tourism"),
    "investment": gettext_lazy("investment"),
    "education": gettext_lazy("education"),
    "climate": gettext_lazy("climate"),
    "inclusion": gettext_lazy("inclusion"),
    "population": gettext_lazy("population"),
    "employment": gettext_lazy("employment"),
    "economy": gettext_lazy("economy"),
    "housing": gettext_lazy("housing"),
    "public finances": gettext_lazy("public finances"),
}
CHOICE_FIELDS: dict[str, Any] = {
    "direction": Direction,
    "chain_level": ChainLevel,
    "periodicity": Periodicity,
    "source": Source,
}


class LibraryError(Exception):
    """A library action that cannot be done, with a message for the steward."""


def unit_label(unit: str) -> str:
    return str(UNIT_LABELS.get(unit, unit))


def theme_label(theme: str) -> str:
    return str(THEME_LABELS.get(theme, theme))


# --- publishing --------------------------------------------------------------------------------------


def published_definition(template: IndicatorTemplate) -> dict[str, Any] | None:
    """The definition of the template's latest published version, or None if it was never published."""
    if not template.published_version:
        return None
    version = template.versions.filter(number=template.published_version).only("definition").first()
    return version.definition if version else None


def has_unpublished_changes(template: IndicatorTemplate, published: dict[str, Any] | None) -> bool:
    return published is not None and template.definition_snapshot() != published


@transaction.atomic
def publish_template(
    *,
    template: IndicatorTemplate,
    change_note: str,
    by: Any,
    expected_version: int | None = None,
) -> TemplateVersion:
    """Publish the working copy as the next version, with the note saying what changed."""
    note = change_note.strip()
    if not note:
        raise LibraryError(_("Write a change note: organisations that adopted the template read it."))
    locked = IndicatorTemplate.objects.select_for_update().get(pk=template.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleEdit(locked)
    if locked.status == IndicatorTemplate.Status.RETIRED:
        raise LibraryError(_("A retired template cannot be published again."))
    snapshot = locked.definition_snapshot()
    if locked.status == IndicatorTemplate.Status.PUBLISHED and snapshot == published_definition(locked):
        raise LibraryError(
            _("Nothing has changed since version %(number)s: edit the template first.")
            % {"number": locked.published_version}
        )
    user = by if getattr(by, "is_authenticated", False) else None
    number = locked.published_version + 1
    version = TemplateVersion.objects.create(
        template=locked, number=number, definition=snapshot, change_note=note, published_by=user
    )
    IndicatorTemplate.objects.filter(pk=locked.pk).update(
        status=IndicatorTemplate.Status.PUBLISHED,
        published_version=number,
        version=F("version") + 1,
        updated_at=timezone.now(),
        updated_by=user,
    )
    template.refresh_from_db()
    return version


@transaction.atomic
def retire_template(*, template: IndicatorTemplate, by: Any, expected_version: int | None = None) -> None:
    """Take the template out of the library; organisations that adopted it keep their indicators."""
    locked = IndicatorTemplate.objects.select_for_update().get(pk=template.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleEdit(locked)
    if locked.status == IndicatorTemplate.Status.RETIRED:
        raise LibraryError(_("The template is already retired."))
    user = by if getattr(by, "is_authenticated", False) else None
    IndicatorTemplate.objects.filter(pk=locked.pk).update(
        status=IndicatorTemplate.Status.RETIRED,
        version=F("version") + 1,
        updated_at=timezone.now(),
        updated_by=user,
    )
    template.refresh_from_db()


# --- differences -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DiffRow:
    """One changed field: its label and its old and new value, as shown to people.

    It unpacks as (field, old, new); `lang` marks the language of a name or definition in another one.
    """

    field: str
    old: str
    new: str
    lang: str = ""

    def __iter__(self) -> Iterator[str]:
        return iter((self.field, self.old, self.new))


def _field_label(name: str) -> str:
    try:
        field = IndicatorTemplate._meta.get_field(name)
    except LookupError:
        return name
    return capfirst(str(getattr(field, "verbose_name", name)))


def show_value(name: str, value: Any) -> str:
    """A definition value as a person reads it (choice labels, yes/no, Finnish-style numbers)."""
    if value is None or value == "":
        return "—"
    if name in CHOICE_FIELDS:
        try:
            return str(CHOICE_FIELDS[name](value).label)
        except ValueError:
            return str(value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if name in {"range_low", "range_high"}:
        number = _decimal_or_none(value)
        if number is None:
            return str(value)
        # 1.500000 from the database reads 1,5 (and 10.000000 reads 10, not 1E+1).
        number = number.quantize(Decimal(1)) if number == number.to_integral() else number.normalize()
        return number_format(number, use_l10n=True)
    if name == "unit":
        return unit_label(str(value))
    return str(value)


def template_diff(old_definition: dict[str, Any], new_definition: dict[str, Any]) -> list[DiffRow]:
    """The fields that differ between two definition snapshots, in the order of the definition."""
    names = list(TemplateFields.DEFINITION_FIELDS)
    names += sorted((set(old_definition) | set(new_definition)) - set(names))
    rows = []
    for name in names:
        if _comparable(name, old_definition.get(name)) != _comparable(name, new_definition.get(name)):
            rows.append(
                DiffRow(
                    _field_label(name),
                    show_value(name, old_definition.get(name)),
                    show_value(name, new_definition.get(name)),
                    lang=name[-2:] if name.startswith(("name_", "definition_")) else "",
                )
            )
    return rows


def _comparable(name: str, value: Any) -> Any:
    """Blank and missing are the same; 1.5 and 1.500000 are the same bound."""
    if value is None or value == "":
        return None
    if name in {"range_low", "range_high"}:
        return _decimal_or_none(value)
    return value


def _decimal_or_none(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


@dataclass(frozen=True)
class VersionEntry:
    """A published version in the history, with what changed from the one before."""

    version: TemplateVersion
    changes: list[DiffRow]
    first: bool


def version_history(template: IndicatorTemplate) -> list[VersionEntry]:
    """Every published version, newest first, each with its differences from the previous one."""
    versions = list(template.versions.select_related("published_by").order_by("number"))
    entries = []
    previous: dict[str, Any] | None = None
    for version in versions:
        changes = template_diff(previous, version.definition) if previous is not None else []
        entries.append(VersionEntry(version=version, changes=changes, first=previous is None))
        previous = version.definition
    return entries[::-1]


# --- what a definition says, for pages ----------------------------------------------------------------


@dataclass(frozen=True)
class Definition:
    """A definition snapshot ready to show: names in the UI language and its facts as label/value rows."""

    data: dict[str, Any]

    @property
    def name(self) -> LocalText:
        return pick_language({lang: self.data.get(f"name_{lang}", "") for lang in ("fi", "sv", "en")})

    @property
    def text(self) -> LocalText:
        return pick_language({lang: self.data.get(f"definition_{lang}", "") for lang in ("fi", "sv", "en")})

    @property
    def chain_level(self) -> str:
        return show_value("chain_level", self.data.get("chain_level"))

    @property
    def unit(self) -> str:
        return unit_label(self.data.get("unit") or "")

    @property
    def source(self) -> str:
        return show_value("source", self.data.get("source"))

    @property
    def direction(self) -> str:
        label = show_value("direction", self.data.get("direction"))
        if self.data.get("direction") == Direction.RANGE:
            return _("%(direction)s: %(low)s–%(high)s") % {
                "direction": label,
                "low": show_value("range_low", self.data.get("range_low")),
                "high": show_value("range_high", self.data.get("range_high")),
            }
        return label

    @property
    def source_detail(self) -> str:
        source = self.data.get("source")
        if source == Source.STATFIN:
            return _("Statistics Finland, table %(table)s, metric %(code)s") % {
                "table": self.data.get("source_table") or "—",
                "code": self.data.get("source_code") or "—",
            }
        if source == Source.SOTKANET:
            return _("THL Sotkanet, indicator %(code)s") % {"code": self.data.get("source_code") or "—"}
        return _("Entered by the organisation")

    def facts(self) -> list[tuple[str, str]]:
        lag = self.data.get("data_lag_months") or 0
        return [
            (_("Unit"), self.unit or "—"),
            (_("Direction"), self.direction),
            (_("Chain level"), self.chain_level),
            (_("Periodicity"), show_value("periodicity", self.data.get("periodicity"))),
            (
                _("Data lag"),
                ngettext(
                    "%(months)s month after the end of the period",
                    "%(months)s months after the end of the period",
                    lag,
                )
                % {"months": lag}
                if lag
                else _("none"),
            ),
            (_("Compared per capita"), show_value("per_capita", bool(self.data.get("per_capita")))),
            (_("Data source"), self.source_detail),
        ]


def shown_definition(template: IndicatorTemplate, published: dict[str, Any] | None) -> Definition:
    """What the library shows: the published version, or the working copy of a never-published draft."""
    return Definition(published if published is not None else template.definition_snapshot())


# --- browsing ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LibraryFilters:
    q: str = ""
    chain_level: str = ""
    theme: str = ""
    source: str = ""
    sdg_goal: int | None = None
    status: str = ""


@dataclass(frozen=True)
class LibraryEntry:
    """One template in the library list."""

    template: IndicatorTemplate
    definition: Definition
    sdg_codes: list[str]
    adoption_count: int
    unpublished_changes: bool

    @property
    def standing(self) -> str:
        return str(self.template.get_kind_display())


def library_queryset(*, include_unpublished: bool) -> QuerySet[IndicatorTemplate]:
    """Templates with their published definition and adoption count: a fixed number of queries."""
    templates = IndicatorTemplate.objects.all()
    if not include_unpublished:
        templates = templates.published()
    latest = (
        TemplateVersion.objects.filter(template=OuterRef("pk"), number=OuterRef("published_version"))
        .order_by()
        .values("definition")[:1]
    )
    adopters = (
        Indicator.objects.filter(template=OuterRef("pk"))
        .order_by()
        .values("template")
        .annotate(n=Count("organisation", distinct=True))
        .values("n")
    )
    return templates.annotate(
        published_definition=Subquery(latest, output_field=JSONField()),
        adoption_count=Coalesce(Subquery(adopters, output_field=IntegerField()), 0),
    ).prefetch_related(Prefetch("sdg_targets", queryset=SdgTarget.objects.order_by("sort_key")))


def _shown(field_name: str, lookup: str, value: Any) -> Q:
    """A condition on what the library shows: the published definition, or a draft's own fields."""
    return Q(published_version=0, **{f"{field_name}{lookup}": value}) | Q(
        published_version__gt=0, **{f"published_definition__{field_name}{lookup}": value}
    )


TEXT_FIELDS = ("name_fi", "name_sv", "name_en", "definition_fi", "definition_sv", "definition_en")


def filter_library(
    templates: QuerySet[IndicatorTemplate], filters: LibraryFilters
) -> QuerySet[IndicatorTemplate]:
    """Narrow the library to the filters; every word of the search must appear in some language."""
    for word in filters.q.split():
        match = Q(code__icontains=word)
        for name in TEXT_FIELDS:
            match |= _shown(name, "__icontains", word)
        templates = templates.filter(match)
    if filters.chain_level:
        templates = templates.filter(_shown("chain_level", "", filters.chain_level))
    if filters.source:
        templates = templates.filter(_shown("source", "", filters.source))
    if filters.theme:
        templates = templates.filter(theme=filters.theme)
    if filters.sdg_goal:
        through = IndicatorTemplate.sdg_targets.through
        templates = templates.filter(
            Exists(through.objects.filter(indicatortemplate=OuterRef("pk"), sdgtarget__goal=filters.sdg_goal))
        )
    if filters.status:
        templates = templates.filter(status=filters.status)
    return templates


def library_entries(templates: QuerySet[IndicatorTemplate], *, steward: bool) -> list[LibraryEntry]:
    """The list rows, sorted by name in the UI language (Finnish alphabet)."""
    entries = []
    for template in templates:
        published: dict[str, Any] | None = template.published_definition  # type: ignore[attr-defined]
        entries.append(
            LibraryEntry(
                template=template,
                definition=shown_definition(template, published),
                sdg_codes=[target.code for target in template.sdg_targets.all()],
                adoption_count=template.adoption_count,  # type: ignore[attr-defined]
                unpublished_changes=steward and has_unpublished_changes(template, published),
            )
        )
    return sorted(entries, key=lambda entry: (finnish_key(str(entry.definition.name)), entry.template.code))


def theme_choices(templates: QuerySet[IndicatorTemplate]) -> list[tuple[str, str]]:
    themes = templates.exclude(theme="").order_by().values_list("theme", flat=True).distinct()
    return sorted(((theme, theme_label(theme)) for theme in themes), key=lambda pair: finnish_key(pair[1]))


# --- SDG ---------------------------------------------------------------------------------------------


@functools.cache
def sdg_goal_names() -> dict[int, dict[str, str]]:
    """The 17 goals' short names in Finnish and English (the shipped file has no Swedish names)."""
    with (DATA_DIR / "sdg_goals.csv").open(encoding="utf-8", newline="") as handle:
        return {
            int(row["number"]): {"fi": row["name_fi"], "en": row["name_en"]} for row in csv.DictReader(handle)
        }


def sdg_goal_choices() -> list[tuple[int, LocalText]]:
    return [(number, pick_language(names)) for number, names in sorted(sdg_goal_names().items())]


def search_sdg_targets(query: str) -> QuerySet[SdgTarget]:
    """Targets whose code starts with the query, or whose title or goal name holds every word of it."""
    targets = SdgTarget.objects.order_by("sort_key")
    query = query.strip()
    if not query:
        return targets
    by_code = Q(code__iexact=query) | Q(code__istartswith=f"{query.rstrip('.')}.")
    by_words = Q()
    for word in query.split():
        goals = [
            number
            for number, names in sdg_goal_names().items()
            if any(word.lower() in name.lower() for name in names.values())
        ]
        by_words &= Q(title_en__icontains=word) | Q(goal__in=goals)
    return targets.filter(by_code | by_words)


# --- seeding -----------------------------------------------------------------------------------------


@dataclass
class SeedResult:
    sdg_created: int = 0
    sdg_updated: int = 0
    templates_created: int = 0
    templates_unchanged: int = 0
    created_codes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class TemplateSeed:
    """A template the library starts with."""

    code: str
    name_fi: str
    chain_level: str
    unit: str
    direction: str = Direction.HIGHER
    name_sv: str = ""
    name_en: str = ""
    definition_fi: str = ""
    definition_sv: str = ""
    definition_en: str = ""
    theme: str = ""
    kind: str = IndicatorTemplate.Kind.ESTABLISHED
    source: str = Source.MANUAL
    source_table: str = ""
    source_code: str = ""
    per_capita: bool = False
    data_lag_months: int = 0
    sdg: tuple[str, ...] = ()


def load_sdg_targets(result: SeedResult) -> None:
    """Create or update the 169 SDG targets from data/sdg_targets.csv."""
    existing = {target.code: target for target in SdgTarget.objects.all()}
    with (DATA_DIR / "sdg_targets.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            values = {
                "goal": int(row["goal"]),
                "title_en": row["title_en"].strip(),
                "sort_key": SdgTarget.sort_key_for(row["target"]),
            }
            target = existing.get(row["target"])
            if target is None:
                SdgTarget.objects.create(code=row["target"], **values)
                result.sdg_created += 1
            elif any(getattr(target, key) != value for key, value in values.items()):
                SdgTarget.objects.filter(pk=target.pk).update(**values)
                result.sdg_updated += 1


class KeyFigure(NamedTuple):
    """How a Statistics Finland key figure is measured in the library."""

    unit: str
    direction: str
    theme: str
    per_capita: bool
    lag_months: int
    sdg: tuple[str, ...] = ()


# Statistics Finland's municipal key figures. Finnish names come from the file; Swedish and English
# names only where Statistics Finland's own wording is certain, otherwise none (the product falls back
# to Finnish, marked lang="fi"). Lags are the usual publication delays: population structure in the
# spring after the year, employment statistics about two years after, municipal finances within a year.
_KEY_FIGURES: dict[str, KeyFigure] = {
    "M408": KeyFigure("%", Direction.HIGHER, "population", False, 12),
    "M411": KeyFigure("persons", Direction.HIGHER, "population", False, 4),
    "M476": KeyFigure("%", Direction.HIGHER, "population", False, 4),
    "M391": KeyFigure("%", Direction.HIGHER, "population", False, 4),
    "M421": KeyFigure("%", Direction.HIGHER, "population", False, 4),
    "M478": KeyFigure("%", Direction.LOWER, "population", False, 4),
    "M404": KeyFigure("%", Direction.HIGHER, "population", False, 4),
    "M410": KeyFigure("%", Direction.HIGHER, "population", False, 4),
    "M303": KeyFigure("persons", Direction.HIGHER, "population", True, 4),
    "M297": KeyFigure("persons", Direction.HIGHER, "population", True, 4),
    "M302": KeyFigure("families", Direction.HIGHER, "population", True, 6),
    "M44": KeyFigure("households", Direction.HIGHER, "housing", True, 6),
    "M62": KeyFigure("%", Direction.HIGHER, "housing", False, 6),
    "M70": KeyFigure("%", Direction.LOWER, "housing", False, 6),
    "M488": KeyFigure("%", Direction.HIGHER, "education", False, 12, ("4.4",)),
    "M486": KeyFigure("%", Direction.HIGHER, "education", False, 12, ("4.3",)),
    "M137": KeyFigure("persons", Direction.HIGHER, "employment", True, 24),
    "M140": KeyFigure("%", Direction.HIGHER, "employment", False, 24, ("8.5",)),
    "M130": KeyFigure("%", Direction.HIGHER, "employment", False, 24),
    "M162": KeyFigure("%", Direction.LOWER, "employment", False, 24, ("8.5",)),
    "M78": KeyFigure("%", Direction.LOWER, "population", False, 24),
    "M485": KeyFigure("", Direction.LOWER, "employment", False, 24),
    "M152": KeyFigure("jobs", Direction.HIGHER, "employment", True, 24, ("8.5",)),
    "M72": KeyFigure("%", Direction.HIGHER, "economy", False, 24),
    "M84": KeyFigure("%", Direction.HIGHER, "economy", False, 24),
    "M106": KeyFigure("%", Direction.HIGHER, "economy", False, 24),
    "M499": KeyFigure("€/resident", Direction.HIGHER, "public finances", False, 6),
    "M496": KeyFigure("€/resident", Direction.LOWER, "public finances", False, 6),
    "M495": KeyFigure("€/resident", Direction.LOWER, "public finances", False, 6),
    "M497": KeyFigure("€/resident", Direction.LOWER, "public finances", False, 6),
    "M498": KeyFigure("€/resident", Direction.LOWER, "public finances", False, 6),
}  # fmt: skip
# Statistics Finland's own Swedish and English names, only where the wording is certain.
_KEY_FIGURE_NAMES: dict[str, tuple[str, str]] = {
    "M408": ("Tätortsgrad, %", "Degree of urbanisation, %"),
    "M411": ("Folkmängd", "Population"),
    "M140": ("Sysselsättningsgrad, %", "Employment rate, %"),
    "M485": ("Ekonomisk försörjningskvot", "Economic dependency ratio"),
}


def statfin_key_figure_seeds() -> list[TemplateSeed]:
    """The 31 municipal key figures of data/kuntien_avainluvut_indicators_2017.csv, as templates."""
    with (DATA_DIR / "kuntien_avainluvut_indicators_2017.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    seeds = []
    for row in rows:
        figure = _KEY_FIGURES[row["code"]]
        name_sv, name_en = _KEY_FIGURE_NAMES.get(row["code"], ("", ""))
        seeds.append(
            TemplateSeed(
                code=f"statfin-{row['code'].lower()}",
                name_fi=row["label_fi"].strip(),
                name_sv=name_sv,
                name_en=name_en,
                chain_level=ChainLevel.CONTEXT,
                unit=figure.unit,
                direction=figure.direction,
                theme=figure.theme,
                per_capita=figure.per_capita,
                data_lag_months=figure.lag_months,
                source=Source.STATFIN,
                source_table=STATFIN_KEY_FIGURES_TABLE,
                source_code=row["code"],
                sdg=figure.sdg,
            )
        )
    return seeds


_R = IndicatorTemplate.Kind.ESTABLISHED
_P = IndicatorTemplate.Kind.PROPOSED

# The international-activity indicators of DOMAIN.md section 6 (R = established, P = proposed).
INTERNATIONAL_SEEDS: tuple[TemplateSeed, ...] = (
    TemplateSeed(
        code="intl-eu-funding",
        name_fi="Kuntakonsernin saama EU-rahoitus",
        name_sv="EU-finansiering som kommunkoncernen fått",
        name_en="EU funding secured by the municipality group",
        definition_fi="Kunnan ja sen konserniyhtiöiden hankkeille vuoden aikana myönnetty EU-rahoitus "
        "euroina asukasta kohden. Kumppanina toteutettavista hankkeista lasketaan vain kuntakonsernin "
        "oma osuus.",
        definition_sv="EU-finansiering som beviljats kommunens och dess koncernbolags projekt under året, i "
        "euro per invånare. I projekt där kommunkoncernen är partner räknas endast dess egen andel.",
        definition_en="EU funding granted during the year to projects of the municipality and its group "
        "companies, in euros per resident. In projects where the group is a partner, only its own share "
        "counts.",
        chain_level=ChainLevel.OUTPUT,
        unit="€/resident",
        theme="EU funding",
        kind=_P,
        data_lag_months=3,
    ),
    TemplateSeed(
        code="intl-projects-linked-to-goals",
        name_fi="Strategiseen tavoitteeseen kytkettyjen EU- ja kansainvälisten hankkeiden osuus",
        name_sv="Andel EU- och internationella projekt som kopplats till ett strategiskt mål",
        name_en="Share of EU and international projects explicitly linked to a strategic goal",
        definition_fi="Vuoden aikana käynnissä olleet hankkeet, joiden suunnitelma nimeää kuntastrategian "
        "tavoitteen, jota hanke edistää, osuutena kaikista kunnan EU- ja kansainvälisistä hankkeista.",
        definition_sv="Projekt som pågått under året och vars plan anger vilket mål i kommunstrategin de "
        "främjar, som andel av alla kommunens EU- och internationella projekt.",
        definition_en="Projects running during the year whose plan names the goal of the municipal strategy "
        "they advance, as a share of all the municipality's EU and international projects.",
        chain_level=ChainLevel.OUTPUT,
        unit="%",
        theme="EU funding",
        kind=_P,
        data_lag_months=3,
    ),
    TemplateSeed(
        code="intl-active-projects",
        name_fi="Aktiiviset kansainväliset hankkeet, joissa kunta on kumppani tai päätoteuttaja",
        name_sv="Aktiva internationella projekt där kommunen är partner eller huvudpartner",
        name_en="Active international projects with the municipality as partner or lead",
        definition_fi="Niiden kansainvälisten hankkeiden määrä, jotka olivat käynnissä vuoden aikana ja "
        "joissa kunta on päätoteuttaja tai kumppani.",
        definition_sv="Antalet internationella projekt som pågått under året och där kommunen är "
        "huvudpartner eller partner.",
        definition_en="Number of international projects running during the year in which the municipality "
        "is the lead partner or a partner.",
        chain_level=ChainLevel.OUTPUT,
        unit="projects",
        theme="EU funding",
        data_lag_months=3,
    ),
    TemplateSeed(
        code="intl-partnerships-with-plan",
        name_fi="Ystävyyskunnat ja kumppanuudet, joilla on voimassa oleva yhteinen toimintasuunnitelma",
        name_sv="Vänorter och partnerskap med en gällande gemensam handlingsplan",
        name_en="Twin towns and partnerships with a valid joint action plan",
        definition_fi="Ystävyyskunnat ja muut kumppanuudet, joilla on voimassa oleva yhteinen "
        "toimintasuunnitelma ja joissa on ollut toimintaa viimeisten 12 kuukauden aikana.",
        definition_sv="Vänorter och andra partnerskap som har en gällande gemensam handlingsplan och som "
        "varit aktiva under de senaste 12 månaderna.",
        definition_en="Twin towns and other partnerships that have a joint action plan in force and were "
        "active in the last 12 months.",
        chain_level=ChainLevel.OUTPUT,
        unit="partnerships",
        theme="partnerships",
        kind=_P,
        data_lag_months=1,
        sdg=("17.17",),
    ),
    TemplateSeed(
        code="intl-network-benefit-reviews",
        name_fi="Verkostojäsenyydet, joiden hyöty arvioidaan vuosittain",
        name_sv="Nätverksmedlemskap vars nytta utvärderas årligen",
        name_en="Network memberships with an annual benefit review",
        definition_fi="Kansainväliset verkostojäsenyydet, joiden hyöty arvioitiin vuoden aikana ja joista "
        "tehtiin päätös jatkaa tai erota.",
        definition_sv="Medlemskap i internationella nätverk vars nytta utvärderades under året och som "
        "ledde till ett beslut att stanna kvar eller lämna nätverket.",
        definition_en="Memberships of international networks whose benefit was reviewed during the year, "
        "ending in a decision to keep or leave the network.",
        chain_level=ChainLevel.OUTPUT,
        unit="networks",
        theme="partnerships",
        data_lag_months=1,
        sdg=("17.17",),
    ),
    TemplateSeed(
        code="intl-foreign-language-share",
        name_fi="Vieraskielisten osuus väestöstä",
        name_sv="Andelen främmandespråkiga av befolkningen",
        name_en="Share of foreign-language speakers in the population",
        definition_fi="Väestö, jonka rekisteröity äidinkieli on muu kuin suomi, ruotsi tai saame, osuutena "
        "väestöstä vuoden lopussa (Tilastokeskus).",
        definition_sv="Invånare vars registrerade modersmål är något annat än finska, svenska eller "
        "samiska, som andel av befolkningen vid årets slut (Statistikcentralen).",
        definition_en="Residents whose registered mother tongue is other than Finnish, Swedish or Sami, as a "
        "share of the population at the end of the year (Statistics Finland).",
        chain_level=ChainLevel.CONTEXT,
        unit="%",
        theme="population",
        data_lag_months=4,
    ),
    TemplateSeed(
        code="intl-foreign-language-employment",
        name_fi="Vieraskielisten 20–64-vuotiaiden työllisyysaste",
        name_sv="Sysselsättningsgrad bland främmandespråkiga i åldern 20–64 år",
        name_en="Employment rate of foreign-language speakers aged 20–64",
        definition_fi="Työllisten 20–64-vuotiaiden vieraskielisten osuus kaikista kunnassa asuvista "
        "samanikäisistä vieraskielisistä (Tilastokeskus).",
        definition_sv="Sysselsatta främmandespråkiga i åldern 20–64 år som andel av alla främmandespråkiga "
        "i samma ålder som bor i kommunen (Statistikcentralen).",
        definition_en="Employed foreign-language speakers aged 20–64 as a share of all foreign-language "
        "speakers of that age living in the municipality (Statistics Finland).",
        chain_level=ChainLevel.OUTCOME,
        unit="%",
        theme="employment",
        data_lag_months=24,
        sdg=("8.5",),
    ),
    TemplateSeed(
        code="intl-degree-students",
        name_fi="Kansainväliset tutkinto-opiskelijat paikallisissa korkeakouluissa",
        name_sv="Internationella examensstuderande vid lokala högskolor",
        name_en="International degree students in local higher-education institutions",
        definition_fi="Kunnassa sijaitsevissa yliopistoissa ja ammattikorkeakouluissa kirjoilla olevat "
        "ulkomaiset tutkinto-opiskelijat (Vipunen).",
        definition_sv="Utländska examensstuderande inskrivna vid universitet och yrkeshögskolor i kommunen "
        "(Vipunen).",
        definition_en="Foreign degree students enrolled in the universities and universities of applied "
        "sciences located in the municipality (Vipunen).",
        chain_level=ChainLevel.OUTCOME,
        unit="students",
        theme="talent",
        data_lag_months=6,
        sdg=("4.b",),
    ),
    TemplateSeed(
        code="intl-graduates-employed",
        name_fi="Kansainväliset valmistuneet, jotka työskentelevät Suomessa kolme vuotta "
        "valmistumisen jälkeen",
        name_sv="Internationella utexaminerade som arbetar i Finland tre år efter examen",
        name_en="International graduates employed in Finland three years after graduation",
        definition_fi="Paikallisista korkeakouluista valmistuneiden kansainvälisten opiskelijoiden osuus, "
        "joka työskentelee Suomessa (ja alueella) kolme vuotta valmistumisen jälkeen. Koko maan luku "
        "(Opetushallitus): 42 % vuonna 2018, 53 % vuonna 2023.",
        definition_sv="Andelen internationella studerande utexaminerade från lokala högskolor som arbetar i "
        "Finland (och i regionen) tre år efter examen. Hela landet (Utbildningsstyrelsen): 42 % år 2018, "
        "53 % år 2023.",
        definition_en="Share of the international graduates of local higher-education institutions who work "
        "in Finland (and in the region) three years after graduating. National figure (Finnish National "
        "Agency for Education): 42 % in 2018, 53 % in 2023.",
        chain_level=ChainLevel.IMPACT,
        unit="%",
        theme="talent",
        data_lag_months=24,
        sdg=("8.5",),
    ),
    TemplateSeed(
        code="intl-foreign-overnight-stays",
        name_fi="Ulkomaisten matkailijoiden yöpymiset majoitusliikkeissä",
        name_sv="Utländska gästers övernattningar på inkvarteringsanläggningar",
        name_en="Foreign overnight stays in accommodation establishments",
        definition_fi="Ulkomailla asuvien matkailijoiden yöpymiset kunnan majoitusliikkeissä vuoden aikana "
        "(Tilastokeskuksen majoitustilasto, Visit Finland Rudolf).",
        definition_sv="Övernattningar av gäster bosatta utomlands på kommunens inkvarteringsanläggningar "
        "under året (Statistikcentralens inkvarteringsstatistik, Visit Finland Rudolf).",
        definition_en="Overnight stays of guests resident abroad in the municipality's accommodation "
        "establishments during the year (Statistics Finland accommodation statistics, Visit Finland Rudolf).",
        chain_level=ChainLevel.OUTCOME,
        unit="overnight stays",
        theme="tourism",
        per_capita=True,
        data_lag_months=3,
        sdg=("8.9",),
    ),
    TemplateSeed(
        code="intl-fdi-projects",
        name_fi="Kaupungin tai kehitysyhtiön tukemat uudet ulkomaiset investointihankkeet",
        name_sv="Nya utländska investeringsprojekt som staden eller utvecklingsbolaget stött",
        name_en="New foreign direct investment projects supported by the city or its development company",
        definition_fi="Ulkomaisten investoijien uudet, laajennus- ja yritysostohankkeet, joita kaupunki tai "
        "alueen kehitysyhtiö tuki vuoden aikana; niiden luomat työpaikat kirjataan huomautukseen. "
        "Kansalliset luvut julkaisee Business Finland; paikallinen laskenta on ehdotus.",
        definition_sv="Nya projekt, utvidgningar och företagsförvärv av utländska investerare som staden "
        "eller det regionala utvecklingsbolaget stött under året; de arbetstillfällen de skapat antecknas i "
        "en kommentar. Business Finland publicerar de nationella talen; den lokala räkningen är ett förslag.",
        definition_en="Greenfield, expansion and acquisition projects of foreign investors that the city or "
        "the regional development company supported during the year; note the jobs they created. Business "
        "Finland publishes the national counts; counting them locally is a proposal.",
        chain_level=ChainLevel.OUTCOME,
        unit="projects",
        theme="investment",
        kind=_P,
        data_lag_months=3,
    ),
    TemplateSeed(
        code="intl-smes-in-delegations",
        name_fi="Kaupungin kansainvälisiin delegaatioihin ja messuille osallistuneet pk-yritykset",
        name_sv="Små och medelstora företag i stadens internationella delegationer och mässor",
        name_en="Local SMEs in city-led international delegations and fairs",
        definition_fi="Paikalliset pienet ja keskisuuret yritykset, jotka osallistuivat kaupungin johtamiin "
        "kansainvälisiin delegaatioihin tai messuille vuoden aikana. Seuraa, kuinka moni niistä kertoo "
        "uusista vientikontakteista 12 kuukauden kuluessa.",
        definition_sv="Lokala små och medelstora företag som under året deltagit i internationella "
        "delegationer eller mässor som staden lett. Följ upp hur många av dem som rapporterar nya "
        "exportkontakter inom 12 månader.",
        definition_en="Local small and medium-sized enterprises that took part in international delegations "
        "or trade fairs led by the city during the year. Follow up how many of them report new export "
        "contacts within 12 months.",
        chain_level=ChainLevel.OUTPUT,
        unit="companies",
        theme="economy",
        kind=_P,
        data_lag_months=1,
        sdg=("8.3",),
    ),
    TemplateSeed(
        code="intl-erasmus-mobility",
        name_fi="Erasmus+-liikkuvuuteen osallistuneet oppilaat, opiskelijat ja henkilöstö",
        name_sv="Elever, studerande och personal i Erasmus+-mobilitet",
        name_en="Pupils, students and staff in Erasmus+ mobility",
        definition_fi="Kaupungin omien koulujen ja oppilaitosten oppilaat, opiskelijat ja henkilöstö, jotka "
        "osallistuivat Erasmus+-liikkuvuuteen vuoden aikana (Erasmus+-raportointi).",
        definition_sv="Elever, studerande och personal vid stadens egna skolor och läroanstalter som "
        "deltagit i Erasmus+-mobilitet under året (Erasmus+-rapportering).",
        definition_en="Pupils, students and staff of the city's own schools and educational institutions who "
        "took part in Erasmus+ mobility during the year (Erasmus+ reporting).",
        chain_level=ChainLevel.OUTPUT,
        unit="persons",
        theme="education",
        data_lag_months=3,
        sdg=("4.b",),
    ),
    TemplateSeed(
        code="intl-congresses-hosted",
        name_fi="Järjestetyt kansainväliset kongressit ja kokoukset",
        name_sv="Internationella kongresser och möten som arrangerats",
        name_en="International congresses and meetings hosted",
        definition_fi="Kunnassa vuoden aikana järjestetyt kansainväliset kongressit ja kokoukset, jotka "
        "täyttävät Union of International Associationsin (UIA) kriteerit.",
        definition_sv="Internationella kongresser och möten i kommunen under året som uppfyller kriterierna "
        "från Union of International Associations (UIA).",
        definition_en="International congresses and meetings held in the municipality during the year that "
        "meet the criteria of the Union of International Associations (UIA).",
        chain_level=ChainLevel.OUTPUT,
        unit="meetings",
        theme="tourism",
        data_lag_months=3,
    ),
    TemplateSeed(
        code="intl-welcoming-perception",
        name_fi="Asukkaiden kokemus: kuntani toivottaa tervetulleiksi kaikista taustoista tulevat ihmiset",
        name_sv="Invånarnas upplevelse: min kommun välkomnar människor med alla slags bakgrunder",
        name_en="Residents' perception: my municipality welcomes people of all backgrounds",
        definition_fi="Kunnan asukaskyselyyn vastanneiden osuus, jotka ovat samaa mieltä väitteestä "
        "”kuntani toivottaa tervetulleiksi kaikista taustoista tulevat ihmiset”.",
        definition_sv="Andelen svarande i kommunens invånarenkät som håller med om påståendet ”min kommun "
        "välkomnar människor med alla slags bakgrunder”.",
        definition_en="Share of respondents to the municipality's resident survey who agree with the "
        "statement “my municipality welcomes people of all backgrounds”.",
        chain_level=ChainLevel.OUTCOME,
        unit="%",
        theme="inclusion",
        kind=_P,
        data_lag_months=2,
        sdg=("10.2",),
    ),
    TemplateSeed(
        code="intl-ghg-emissions-per-resident",
        name_fi="Kasvihuonekaasupäästöt asukasta kohden",
        name_sv="Växthusgasutsläpp per invånare",
        name_en="Greenhouse gas emissions per resident",
        definition_fi="Kunnan kasvihuonekaasupäästöt asukasta kohden kuntien päästötilastosta; käytetään, "
        "kun kansainvälinen ilmastoyhteistyö on yksi keinoista.",
        definition_sv="Kommunens växthusgasutsläpp per invånare enligt den kommunala utsläppsstatistiken; "
        "används när internationellt klimatsamarbete är ett av medlen.",
        definition_en="The municipality's greenhouse gas emissions per resident from the Finnish municipal "
        "emission statistics; used where international climate cooperation is one of the means.",
        chain_level=ChainLevel.IMPACT,
        unit="t CO₂e/resident",
        direction=Direction.LOWER,
        theme="climate",
        data_lag_months=12,
        sdg=("13.2",),
    ),
    TemplateSeed(
        code="intl-talent-ranking",
        name_fi="Sijoitus osaajakilpailukyky- tai kaupunkivertailussa",
        name_sv="Placering i en jämförelse av talangkonkurrenskraft eller städer",
        name_en="Position in a talent-competitiveness or city ranking",
        definition_fi="Kaupungin sijoitus nimetyssä kansainvälisessä vertailussa, kuten Global City Talent "
        "Competitiveness Indexissä; vertailun nimi kirjataan huomautukseen. Pienempi luku on parempi.",
        definition_sv="Stadens placering i en namngiven internationell jämförelse, till exempel Global City "
        "Talent Competitiveness Index; jämförelsen antecknas i en kommentar. Ett lägre tal är bättre.",
        definition_en="The city's position in a named international ranking such as the Global City Talent "
        "Competitiveness Index; note which ranking. A smaller number is better.",
        chain_level=ChainLevel.IMPACT,
        unit="rank",
        direction=Direction.LOWER,
        theme="talent",
    ),
    TemplateSeed(
        code="intl-partner-city-cooperation",
        name_fi="Avustustoimitukset ja yhteishankkeet Ukrainan ja muiden kumppanikaupunkien kanssa",
        name_sv="Hjälpsändningar och gemensamma projekt med ukrainska och andra partnerstäder",
        name_en="Aid deliveries and joint projects with Ukrainian and other partner cities",
        definition_fi="Ukrainalaisten ystävyyskuntien ja muiden kumppanikaupunkien kanssa vuoden aikana "
        "toteutetut avustustoimitukset ja yhteishankkeet.",
        definition_sv="Hjälpsändningar och gemensamma projekt som genomförts med ukrainska vänorter och "
        "andra partnerstäder under året.",
        definition_en="Aid deliveries and joint projects carried out with Ukrainian twin towns and other "
        "partner cities during the year.",
        chain_level=ChainLevel.OUTPUT,
        unit="actions",
        theme="partnerships",
        data_lag_months=1,
        sdg=("17.17",),
    ),
)


def library_seeds() -> list[TemplateSeed]:
    return statfin_key_figure_seeds() + list(INTERNATIONAL_SEEDS)


def _seed_template(seed: TemplateSeed, targets: dict[str, SdgTarget], by: Any) -> IndicatorTemplate:
    values = {name: getattr(seed, name) for name in TemplateFields.DEFINITION_FIELDS if hasattr(seed, name)}
    template = IndicatorTemplate(code=seed.code, theme=seed.theme, kind=seed.kind, **values)
    template.full_clean(exclude=["sdg_targets"])
    template.save_new(by=by)
    template.sdg_targets.set([targets[code] for code in seed.sdg])
    publish_template(template=template, change_note=INITIAL_NOTE, by=by)
    return template


@transaction.atomic
def load_indicator_library(*, by: Any = None) -> SeedResult:
    """Load the SDG targets and the seeded templates; templates that exist are left as stewards keep them."""
    result = SeedResult()
    load_sdg_targets(result)
    targets = {target.code: target for target in SdgTarget.objects.all()}
    existing = set(IndicatorTemplate.objects.values_list("code", flat=True))
    for seed in library_seeds():
        if seed.code in existing:
            result.templates_unchanged += 1
            continue
        _seed_template(seed, targets, by)
        result.templates_created += 1
        result.created_codes.append(seed.code)
    return result


@dataclass(frozen=True)
class SdgPicker:
    """The SDG targets of the template form: the chosen ones, and the others to choose from."""

    chosen: list[SdgTarget]
    options: list[SdgTarget]
    query: str
    searched: bool


def sdg_picker(chosen_ids: Iterable[int], query: str = "") -> SdgPicker:
    """Chosen targets stay listed whatever the search; the options are the matches (or all, unsearched)."""
    targets = list(SdgTarget.objects.order_by("sort_key"))
    chosen_set = set(chosen_ids)
    query = query.strip()
    matches = set(search_sdg_targets(query).values_list("pk", flat=True)) if query else None
    return SdgPicker(
        chosen=[target for target in targets if target.pk in chosen_set],
        options=[
            target
            for target in targets
            if target.pk not in chosen_set and (matches is None or target.pk in matches)
        ],
        query=query,
        searched=bool(query),
    )
