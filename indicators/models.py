"""The shared indicator library, each organisation's indicators, their values and targets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organisations.base import EveryRowManager, HidesDeleted, SoftDeleteModel, TrackedModel
from organisations.models import LocalText, Organisation, pick_language


class Direction(models.TextChoices):
    HIGHER = "higher", _("higher is better")
    LOWER = "lower", _("lower is better")
    RANGE = "range", _("within a range")


class ChainLevel(models.TextChoices):
    INPUT = "input", _("input")
    OUTPUT = "output", _("output")
    OUTCOME = "outcome", _("outcome")
    IMPACT = "impact", _("impact")
    CONTEXT = "context", _("context")


class Periodicity(models.TextChoices):
    MONTH = "month", _("month")
    QUARTER = "quarter", _("quarter")
    YEAR = "year", _("year")
    TWO_YEARS = "two_years", _("two years")


class Source(models.TextChoices):
    MANUAL = "manual", _("manual")
    STATFIN = "statfin", _("Statistics Finland")
    SOTKANET = "sotkanet", _("THL Sotkanet")


class SdgTarget(models.Model):
    """One of the 169 targets of the UN Sustainable Development Goals."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    goal = models.PositiveSmallIntegerField(_("goal"))
    title_en = models.TextField(_("title"))
    sort_key = models.CharField(max_length=16, editable=False, db_index=True)

    class Meta:
        verbose_name = _("SDG target")
        verbose_name_plural = _("SDG targets")
        ordering = ["sort_key"]

    def __str__(self) -> str:
        return f"{self.code} {self.title_en[:60]}"

    @staticmethod
    def sort_key_for(code: str) -> str:
        goal, _dot, target = code.partition(".")
        return f"{int(goal):02d}.{target.rjust(3, '0')}"


class TemplateFields(models.Model):
    """The definition an indicator template publishes, and an adopted indicator copies."""

    name_fi = models.CharField(_("name in Finnish"), max_length=255)
    name_sv = models.CharField(_("name in Swedish"), max_length=255, blank=True)
    name_en = models.CharField(_("name in English"), max_length=255, blank=True)
    definition_fi = models.TextField(_("definition in Finnish"), blank=True)
    definition_sv = models.TextField(_("definition in Swedish"), blank=True)
    definition_en = models.TextField(_("definition in English"), blank=True)
    unit = models.CharField(_("unit"), max_length=50, blank=True)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    range_low = models.DecimalField(
        _("range low bound"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    range_high = models.DecimalField(
        _("range high bound"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    chain_level = models.CharField(_("chain level"), max_length=10, choices=ChainLevel.choices)
    periodicity = models.CharField(
        _("periodicity"), max_length=10, choices=Periodicity.choices, default=Periodicity.YEAR
    )
    data_lag_months = models.PositiveSmallIntegerField(
        _("data lag (months)"),
        default=0,
        help_text=_("How long after the end of a period its value is published."),
    )
    per_capita = models.BooleanField(_("compared per capita"), default=False)
    source = models.CharField(_("data source"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    source_table = models.CharField(
        _("Statistics Finland table"),
        max_length=200,
        blank=True,
        help_text=_("e.g. kuntien_avainluvut_2025_aikasarja"),
    )
    source_code = models.CharField(
        _("metric code or Sotkanet id"),
        max_length=50,
        blank=True,
        help_text=_("e.g. M411, or 127 for Sotkanet"),
    )

    DEFINITION_FIELDS = (
        "name_fi", "name_sv", "name_en", "definition_fi", "definition_sv", "definition_en",
        "unit", "direction", "range_low", "range_high", "chain_level", "periodicity",
        "data_lag_months", "per_capita", "source", "source_table", "source_code",
    )  # fmt: skip

    class Meta:
        abstract = True

    @property
    def name(self) -> LocalText:
        return pick_language({"fi": self.name_fi, "sv": self.name_sv, "en": self.name_en})

    @property
    def definition(self) -> LocalText:
        return pick_language({"fi": self.definition_fi, "sv": self.definition_sv, "en": self.definition_en})

    @property
    def is_context(self) -> bool:
        return self.chain_level == ChainLevel.CONTEXT

    def definition_snapshot(self) -> dict[str, Any]:
        """The definition as plain JSON values (for template versions and their differences)."""
        snapshot: dict[str, Any] = {}
        for name in self.DEFINITION_FIELDS:
            value = getattr(self, name)
            snapshot[name] = str(value) if isinstance(value, Decimal) else value
        return snapshot


class IndicatorTemplateQuerySet(models.QuerySet["IndicatorTemplate"]):
    def published(self) -> IndicatorTemplateQuerySet:
        return self.filter(status=IndicatorTemplate.Status.PUBLISHED)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class IndicatorTemplate(TemplateFields, TrackedModel):
    """A shared indicator definition curated by the association's stewards."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        RETIRED = "retired", _("retired")

    class Kind(models.TextChoices):
        ESTABLISHED = "established", _("established statistic")
        PROPOSED = "proposed", _("proposed measure")

    code = models.SlugField(_("code"), max_length=50, unique=True)
    theme = models.CharField(_("theme"), max_length=100, blank=True)
    kind = models.CharField(_("standing"), max_length=12, choices=Kind.choices, default=Kind.ESTABLISHED)
    sdg_targets = models.ManyToManyField(
        SdgTarget, verbose_name=_("SDG targets"), blank=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_version = models.PositiveIntegerField(_("published version"), default=0, editable=False)

    objects = IndicatorTemplateQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator template")
        verbose_name_plural = _("indicator templates")
        ordering = ["code"]

    def __str__(self) -> str:
        return str(self.name)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class TemplateVersion(models.Model):
    """A published version of a template: its definition at that moment and what changed."""

    template = models.ForeignKey(IndicatorTemplate, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    definition = models.JSONField(_("definition"))
    change_note = models.TextField(_("change note"), blank=True)
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("template version")
        verbose_name_plural = _("template versions")
        ordering = ["template", "number"]
        constraints = [models.UniqueConstraint(fields=["template", "number"], name="template_version_unique")]

    def __str__(self) -> str:
        return f"{self.template.code} v{self.number}"


class IndicatorQuerySet(models.QuerySet["Indicator"]):
    def for_organisation(self, organisation: Organisation) -> IndicatorQuerySet:
        return self.filter(organisation=organisation)


class IndicatorManager(HidesDeleted, models.Manager.from_queryset(IndicatorQuerySet)):  # type: ignore[misc]
    """Indicators that are not deleted (the default manager)."""


class TargetManager(HidesDeleted, models.Manager["Target"]):
    alive_paths = ("indicator__deleted_at",)


class ObservationManager(HidesDeleted, models.Manager["Observation"]):
    alive_paths = ("indicator__deleted_at",)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Indicator(TemplateFields, SoftDeleteModel, TrackedModel):
    """An organisation's measure: adopted from a template (its definition follows it) or its own."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="indicators"
    )
    template = models.ForeignKey(
        IndicatorTemplate,
        verbose_name=_("template"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="adoptions",
    )
    template_version = models.PositiveIntegerField(_("template version in use"), null=True, blank=True)
    template_version_dismissed = models.PositiveIntegerField(
        _("newer template version kept out"), null=True, blank=True
    )
    baseline_value = models.DecimalField(
        _("baseline value"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    baseline_period = models.DateField(_("baseline period"), null=True, blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="responsible_indicators",
    )
    note = models.TextField(_("note"), blank=True)

    objects = IndicatorManager()
    all_objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["name_fi"]
        constraints = [
            models.UniqueConstraint(
                # A deleted adoption does not block adopting the template again.
                fields=["organisation", "template"],
                condition=Q(template__isnull=False, deleted_at__isnull=True),
                name="adopt_once",
            ),
        ]

    def __str__(self) -> str:
        return str(self.name)

    @property
    def is_adopted(self) -> bool:
        return self.template_id is not None

    @property
    def template_updated(self) -> bool:
        """Whether the template has published a version this indicator has not accepted."""
        return bool(self.template and (self.template_version or 0) < self.template.published_version)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Target(TrackedModel):
    """A target value for a period. Revisions add a row; the old one stays with the reason it was replaced."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    period = models.DateField(_("period"))
    value = models.DecimalField(_("target value"), max_digits=20, decimal_places=6)
    reason = models.TextField(_("reason for revision"), blank=True)
    superseded_at = models.DateTimeField(_("replaced at"), null=True, blank=True, editable=False)

    objects = TargetManager()
    all_objects = EveryRowManager()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["indicator", "period", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period"],
                condition=Q(superseded_at__isnull=True),
                name="one_current_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.period:%Y}: {self.value}"


class ObservationStatus(models.TextChoices):
    FINAL = "final", _("final")
    PRELIMINARY = "preliminary", _("preliminary")
    MISSING = "missing", _("missing")


class ObservationSource(models.TextChoices):
    TYPED = "typed", _("typed in")
    FILE = "file", _("file")
    STATFIN = "statfin", _("Statistics Finland")
    SOTKANET = "sotkanet", _("THL Sotkanet")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Observation(TrackedModel):
    """The value of an indicator for one period (a year, quarter or month, stored as its first day)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="observations")
    period = models.DateField(_("period"))
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=6, null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ObservationStatus.choices, default=ObservationStatus.FINAL
    )
    missing_reason = models.CharField(_("reason the value is missing"), max_length=255, blank=True)
    source = models.CharField(
        _("source"), max_length=10, choices=ObservationSource.choices, default=ObservationSource.TYPED
    )
    provenance = models.CharField(
        _("provenance"), max_length=255, blank=True, help_text=_("file or table id")
    )
    retrieved_at = models.DateTimeField(_("retrieved at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    objects = ObservationManager()
    all_objects = EveryRowManager()

    class Meta:
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        ordering = ["indicator", "period"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "period"], name="one_value_per_period"),
            models.CheckConstraint(
                condition=Q(status="missing") | Q(value__isnull=False), name="value_unless_missing"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.period}: {self.value}"


def year_start(year: int) -> dt.date:
    return dt.date(year, 1, 1)


class ImportRun(models.Model):
    """One import of values from a file or an API: its progress (polled by the page) and its report."""

    class State(models.TextChoices):
        PREVIEW = "preview", _("previewed")
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="import_runs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    file_name = models.CharField(_("file"), max_length=255, blank=True)
    file = models.FileField(upload_to="imports/%Y/%m/", blank=True)
    format = models.CharField(_("format"), max_length=10)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PREVIEW)
    total = models.PositiveIntegerField(_("rows"), default=0)
    processed = models.PositiveIntegerField(_("rows processed"), default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name or self.format} ({self.get_state_display()})"

    @property
    def percent(self) -> int:
        return int(100 * self.processed / self.total) if self.total else 0
