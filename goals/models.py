"""Strategies (one per council term), their goal trees, and which indicators measure each goal."""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from indicators.models import Indicator, SdgTarget
from organisations.base import EveryRowManager, HidesDeleted, SoftDeleteModel, TrackedModel
from organisations.models import Organisation


class StrategyQuerySet(models.QuerySet["Strategy"]):
    def for_organisation(self, organisation: Organisation) -> StrategyQuerySet:
        return self.filter(organisation=organisation)

    def current(self) -> Strategy | None:
        """The newest approved strategy, else the newest draft."""
        return self.order_by(
            models.Case(models.When(status="approved", then=0), default=1), "-term_start", "-pk"
        ).first()


def current_of(strategies: list[Strategy]) -> Strategy | None:
    """StrategyQuerySet.current() of strategies already fetched (no query): the newest approved, else the
    newest draft."""
    return min(
        strategies,
        key=lambda s: (0 if s.status == "approved" else 1, -s.term_start, -s.pk),
        default=None,
    )


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Strategy(TrackedModel):
    """The organisation's strategy for one council term."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        APPROVED = "approved", _("approved")

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="strategies"
    )
    name = models.CharField(_("name"), max_length=255)
    term_start = models.PositiveSmallIntegerField(_("council term starts"))
    term_end = models.PositiveSmallIntegerField(_("council term ends"))
    vision = models.TextField(_("vision"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    predecessor = models.ForeignKey(
        "self",
        verbose_name=_("previous strategy"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="successors",
    )

    objects = StrategyQuerySet.as_manager()

    class Meta:
        verbose_name = _("strategy")
        verbose_name_plural = _("strategies")
        ordering = ["-term_start", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(term_end__gte=models.F("term_start")), name="term_in_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.term_start}–{self.term_end}"


class GoalQuerySet(models.QuerySet["Goal"]):
    def for_organisation(self, organisation: Organisation) -> GoalQuerySet:
        return self.filter(strategy__organisation=organisation)


class GoalManager(HidesDeleted, models.Manager.from_queryset(GoalQuerySet)):  # type: ignore[misc]
    """Goals that are not deleted (the default manager)."""


class GoalIndicatorManager(HidesDeleted, models.Manager["GoalIndicator"]):
    """Links whose goal and indicator are both alive."""

    alive_paths = ("goal__deleted_at", "indicator__deleted_at")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Goal(SoftDeleteModel, TrackedModel):
    """A goal in a strategy's tree: impact goal → strategic goals → operational goals."""

    strategy = models.ForeignKey(
        Strategy, verbose_name=_("strategy"), on_delete=models.CASCADE, related_name="goals"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent goal"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    code = models.CharField(_("code"), max_length=20, blank=True, help_text=_("e.g. SG1 or 1.2"))
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_goals",
    )
    target_date = models.DateField(_("target date"), null=True, blank=True)
    sdg_targets = models.ManyToManyField(
        SdgTarget, verbose_name=_("SDG targets"), blank=True, related_name="+"
    )
    indicators = models.ManyToManyField(
        Indicator, verbose_name=_("indicators"), through="GoalIndicator", blank=True, related_name="goals"
    )
    predecessor = models.ForeignKey(
        "self",
        verbose_name=_("carried over from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="successors",
    )

    objects = GoalManager()
    all_objects = GoalQuerySet.as_manager()

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["strategy", "parent_id", "order", "pk"]
        indexes = [models.Index(fields=["strategy", "parent", "order"])]
        triggers = [
            # The tree never spans strategies, whatever code path writes it.
            pgtrigger.Trigger(
                name="parent_in_same_strategy",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update,
                func="""
                IF NEW.parent_id IS NOT NULL AND NOT EXISTS (
                    SELECT 1 FROM goals_goal WHERE id = NEW.parent_id AND strategy_id = NEW.strategy_id
                ) THEN
                    RAISE EXCEPTION 'a goal and its parent belong to the same strategy'
                        USING ERRCODE = 'check_violation';
                END IF;
                RETURN NEW;
                """,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}".strip()


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class GoalIndicator(models.Model):
    """An indicator that measures a goal."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="goal_indicators")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="goal_links")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = GoalIndicatorManager()
    all_objects = EveryRowManager()

    class Meta:
        verbose_name = _("goal indicator")
        verbose_name_plural = _("goal indicators")
        constraints = [models.UniqueConstraint(fields=["goal", "indicator"], name="goal_indicator_unique")]
        triggers = [
            # A goal is measured only by its own organisation's indicators (tenant isolation in the database).
            pgtrigger.Trigger(
                name="indicator_of_same_organisation",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update,
                func="""
                IF NOT EXISTS (
                    SELECT 1 FROM goals_goal g
                    JOIN goals_strategy s ON s.id = g.strategy_id
                    JOIN indicators_indicator i ON i.organisation_id = s.organisation_id
                    WHERE g.id = NEW.goal_id AND i.id = NEW.indicator_id
                ) THEN
                    RAISE EXCEPTION 'a goal is measured only by its own organisation''s indicators'
                        USING ERRCODE = 'check_violation';
                END IF;
                RETURN NEW;
                """,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.goal} ← {self.indicator}"
