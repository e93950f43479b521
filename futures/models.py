"""Foresight: megatrends and drivers, weak signals, futures tables, future stories and their implications."""

from __future__ import annotations

import pghistory
import pgtrigger
from django.db import models
from django.utils.translation import gettext_lazy as _

from goals.models import Goal
from indicators.models import Indicator
from organisations.base import EveryRowManager, HidesDeleted, SoftDeleteModel, TrackedModel
from organisations.models import LocalText, Organisation, pick_language


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Megatrend(TrackedModel):
    """A Sitra megatrend of one edition (shared library, edited by stewards)."""

    edition = models.PositiveSmallIntegerField(_("edition"))
    number = models.PositiveSmallIntegerField(_("number"))
    name_fi = models.CharField(_("name in Finnish"), max_length=255)
    name_sv = models.CharField(_("name in Swedish"), max_length=255, blank=True)
    name_en = models.CharField(_("name in English"), max_length=255, blank=True)
    name_en_official = models.BooleanField(_("official English name"), default=False)
    theme_fi = models.CharField(_("theme in Finnish"), max_length=100, blank=True)
    theme_en = models.CharField(_("theme in English"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    is_current = models.BooleanField(_("current edition"), default=False)

    class Meta:
        verbose_name = _("megatrend")
        verbose_name_plural = _("megatrends")
        ordering = ["-edition", "number"]
        constraints = [models.UniqueConstraint(fields=["edition", "number"], name="megatrend_unique")]

    def __str__(self) -> str:
        return f"{self.edition}/{self.number} {self.name}"

    @property
    def name(self) -> LocalText:
        return pick_language({"fi": self.name_fi, "sv": self.name_sv, "en": self.name_en})


class OwnedQuerySet(models.QuerySet):  # type: ignore[type-arg]
    def for_organisation(self, organisation: Organisation) -> OwnedQuerySet:
        return self.filter(organisation=organisation)


class StoryManager(HidesDeleted, models.Manager.from_queryset(OwnedQuerySet)):  # type: ignore[misc]
    """Stories that are not deleted (the default manager)."""


class StoryPartManager(HidesDeleted, models.Manager):  # type: ignore[type-arg]
    """Rows written under a story that is not deleted."""

    alive_paths = ("story__deleted_at",)


class SignpostManager(HidesDeleted, models.Manager["Signpost"]):
    alive_paths = ("story__deleted_at", "indicator__deleted_at")


class ImplicationManager(HidesDeleted, models.Manager["Implication"]):
    alive_paths = ("story__deleted_at", "goal__deleted_at")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Driver(TrackedModel):
    """A driver of change the organisation follows, optionally derived from a megatrend."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="drivers")
    name = models.CharField(_("name"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    megatrend = models.ForeignKey(
        Megatrend,
        verbose_name=_("megatrend"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = OwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("driver of change")
        verbose_name_plural = _("drivers of change")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class WeakSignal(TrackedModel):
    """An early sign of an emerging change, logged and interpreted."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="weak_signals")
    signal = models.CharField(_("signal"), max_length=500)
    source_url = models.URLField(_("source link"), blank=True)
    observed_on = models.DateField(_("date"))
    interpretation = models.TextField(_("interpretation"), blank=True)
    drivers = models.ManyToManyField(
        Driver, verbose_name=_("related drivers"), blank=True, related_name="signals"
    )

    objects = OwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("weak signal")
        verbose_name_plural = _("weak signals")
        ordering = ["-observed_on", "pk"]

    def __str__(self) -> str:
        return self.signal


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class FuturesTable(TrackedModel):
    """Variables (drivers) × alternative values; a story picks one value per variable."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="futures_tables")
    name = models.CharField(_("name"), max_length=255)
    description = models.TextField(_("description"), blank=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("futures table")
        verbose_name_plural = _("futures tables")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Variable(TrackedModel):
    """A row of a futures table."""

    table = models.ForeignKey(FuturesTable, on_delete=models.CASCADE, related_name="variables")
    name = models.CharField(_("variable"), max_length=255)
    driver = models.ForeignKey(
        Driver, verbose_name=_("driver"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("variable")
        verbose_name_plural = _("variables")
        ordering = ["table", "order", "pk"]

    def __str__(self) -> str:
        return self.name


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class VariableValue(TrackedModel):
    """An alternative value of a variable."""

    variable = models.ForeignKey(Variable, on_delete=models.CASCADE, related_name="values")
    label = models.CharField(_("value"), max_length=255)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("alternative value")
        verbose_name_plural = _("alternative values")
        ordering = ["variable", "order", "pk"]

    def __str__(self) -> str:
        return self.label


class IncompatiblePair(models.Model):
    """Two values (of different variables) that cannot hold in the same future."""

    table = models.ForeignKey(FuturesTable, on_delete=models.CASCADE, related_name="incompatible_pairs")
    first = models.ForeignKey(VariableValue, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(VariableValue, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("incompatible pair")
        verbose_name_plural = _("incompatible pairs")
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="incompatible_pair_unique"),
            models.CheckConstraint(condition=~models.Q(first=models.F("second")), name="pair_of_two_values"),
        ]

    def __str__(self) -> str:
        return f"{self.first} × {self.second}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class FutureStory(SoftDeleteModel, TrackedModel):
    """A story of a possible future (an organisation's own, or a national one of the association)."""

    class Kind(models.TextChoices):
        PROBABLE = "probable", _("probable")
        DESIRABLE = "desirable", _("desirable")
        UNDESIRABLE = "undesirable", _("undesirable")
        THOUGHT_EXPERIMENT = "thought_experiment", _("thought experiment")

    class StartingPoint(models.IntegerChoices):
        NETWORKED = 1, _("networked and optimised")
        PARTLY_NETWORKED = 2, _("partly networked")
        PARTLY_SCATTERED = 3, _("partly scattered")
        SCATTERED = 4, _("scattered and organisation-centred")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="future_stories")
    title = models.CharField(_("title"), max_length=255)
    horizon_year = models.PositiveSmallIntegerField(_("horizon year"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    starting_point = models.PositiveSmallIntegerField(
        _("starting point"), choices=StartingPoint.choices, null=True, blank=True
    )
    narrative = models.TextField(
        _("narrative"), blank=True, help_text=_("Written in the present tense of the horizon year.")
    )
    wild_cards = models.TextField(_("wild cards"), blank=True)
    actors = models.TextField(_("actors and their roles"), blank=True)
    futures_table = models.ForeignKey(
        FuturesTable,
        verbose_name=_("futures table"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="stories",
    )
    picks = models.ManyToManyField(
        VariableValue, verbose_name=_("chosen values"), blank=True, related_name="stories"
    )
    megatrends = models.ManyToManyField(
        Megatrend, verbose_name=_("megatrends"), blank=True, related_name="stories"
    )
    copied_from = models.ForeignKey(
        "self",
        verbose_name=_("copied from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="copies",
    )
    # Only the association's (national) stories are published, to the library at /library/stories/.
    published_at = models.DateTimeField(_("published in the library"), null=True, blank=True, editable=False)

    objects = StoryManager()
    all_objects = OwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("future story")
        verbose_name_plural = _("future stories")
        ordering = ["horizon_year", "title"]
        triggers = [
            pgtrigger.Trigger(
                name="only_national_stories_are_published",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update,
                func="""
                IF NEW.published_at IS NOT NULL AND NOT EXISTS (
                    SELECT 1 FROM organisations_organisation
                    WHERE id = NEW.organisation_id AND kind = 'association'
                ) THEN
                    RAISE EXCEPTION 'only the association publishes stories to the library'
                        USING ERRCODE = 'check_violation';
                END IF;
                RETURN NEW;
                """,
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class StoryDriver(models.Model):
    """A driver in a story, with the state the story assumes for it."""

    story = models.ForeignKey(FutureStory, on_delete=models.CASCADE, related_name="story_drivers")
    driver = models.ForeignKey(Driver, on_delete=models.CASCADE, related_name="+")
    assumed_state = models.CharField(_("assumed state"), max_length=255)

    objects = StoryPartManager()
    all_objects = EveryRowManager()

    class Meta:
        verbose_name = _("story driver")
        verbose_name_plural = _("story drivers")
        constraints = [models.UniqueConstraint(fields=["story", "driver"], name="story_driver_unique")]

    def __str__(self) -> str:
        return f"{self.driver}: {self.assumed_state}"


class Signpost(models.Model):
    """An indicator and a threshold that would show the story unfolding."""

    class Comparison(models.TextChoices):
        ABOVE = "above", _("above")
        BELOW = "below", _("below")

    story = models.ForeignKey(FutureStory, on_delete=models.CASCADE, related_name="signposts")
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="+"
    )
    comparison = models.CharField(_("comparison"), max_length=5, choices=Comparison.choices)
    threshold = models.DecimalField(_("threshold"), max_digits=20, decimal_places=6)
    note = models.CharField(_("note"), max_length=255, blank=True)

    objects = SignpostManager()
    all_objects = EveryRowManager()

    class Meta:
        verbose_name = _("signpost")
        verbose_name_plural = _("signposts")
        triggers = [
            pgtrigger.Trigger(
                name="signpost_indicator_same_organisation",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update,
                func="""
                IF NOT EXISTS (
                    SELECT 1 FROM futures_futurestory s JOIN indicators_indicator i
                        ON i.organisation_id = s.organisation_id
                    WHERE s.id = NEW.story_id AND i.id = NEW.indicator_id
                ) THEN
                    RAISE EXCEPTION 'a signpost watches only its own organisation''s indicators'
                        USING ERRCODE = 'check_violation';
                END IF;
                RETURN NEW;
                """,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.comparison} {self.threshold}"


class Milestone(models.Model):
    """A backcasting milestone: what must be true by a year, and the goal it serves."""

    story = models.ForeignKey(FutureStory, on_delete=models.CASCADE, related_name="milestones")
    year = models.PositiveSmallIntegerField(_("year"))
    must_be_true = models.CharField(_("what must be true"), max_length=500)
    goal = models.ForeignKey(
        Goal, verbose_name=_("goal"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = StoryPartManager()
    all_objects = EveryRowManager()

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["story", "year", "pk"]

    def __str__(self) -> str:
        return f"{self.year}: {self.must_be_true}"

    @property
    def live_goal(self) -> Goal | None:
        """The goal it serves, or None while that goal is soft-deleted (its title is not shown then)."""
        goal = self.goal
        return goal if goal is not None and goal.deleted_at is None else None

    @property
    def goal_deleted(self) -> bool:
        return self.goal_id is not None and self.live_goal is None


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Implication(TrackedModel):
    """What a story means for a goal: an opportunity or a threat, how strong, and what to do."""

    class Kind(models.TextChoices):
        OPPORTUNITY = "opportunity", _("opportunity")
        THREAT = "threat", _("threat")

    story = models.ForeignKey(FutureStory, on_delete=models.CASCADE, related_name="implications")
    goal = models.ForeignKey(
        Goal, verbose_name=_("goal"), on_delete=models.CASCADE, related_name="implications"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    strength = models.PositiveSmallIntegerField(_("strength"), choices=[(1, "1"), (2, "2"), (3, "3")])
    action = models.TextField(_("what the goal should do"), blank=True)

    objects = ImplicationManager()
    all_objects = EveryRowManager()

    class Meta:
        verbose_name = _("implication")
        verbose_name_plural = _("implications")
        constraints = [
            models.UniqueConstraint(fields=["story", "goal"], name="implication_unique"),
            models.CheckConstraint(
                condition=models.Q(strength__gte=1, strength__lte=3), name="strength_1_to_3"
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="implication_goal_same_organisation",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update,
                func="""
                IF NOT EXISTS (
                    SELECT 1 FROM futures_futurestory f
                    JOIN goals_goal g ON g.id = NEW.goal_id
                    JOIN goals_strategy s ON s.id = g.strategy_id
                    WHERE f.id = NEW.story_id AND s.organisation_id = f.organisation_id
                ) THEN
                    RAISE EXCEPTION 'a story has implications only for its own organisation''s goals'
                        USING ERRCODE = 'check_violation';
                END IF;
                RETURN NEW;
                """,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.story} → {self.goal}: {self.kind} {self.strength}"

    @property
    def signed_strength(self) -> int:
        return self.strength if self.kind == self.Kind.OPPORTUNITY else -self.strength
