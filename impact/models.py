"""International activities, their impact chains, contributions to goals, and progress reports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from goals.models import Goal, Strategy
from indicators.models import Indicator
from organisations.base import EveryRowManager, HidesDeleted, SoftDeleteModel, TrackedModel
from organisations.models import Organisation

DEFAULT_REPORT_INTERVAL_MONTHS = 6


class ActivityKind(models.TextChoices):
    EU_PROJECT = "eu_project", _("EU project")
    EXTERNAL_PROJECT = "external_project", _("other externally funded project")
    TWIN_TOWN = "twin_town", _("twin-town partnership")
    NETWORK = "network", _("network membership")
    EU_OFFICE = "eu_office", _("EU / Brussels office")
    DELEGATION = "delegation", _("delegation or visit")
    TALENT = "talent", _("talent attraction")
    INVESTMENT = "investment", _("investment promotion")
    EDUCATION = "education", _("education exchange")
    EVENT = "event", _("event hosting")
    DEVELOPMENT = "development", _("development cooperation")


# Kinds that are relationships and are reviewed every year.
REVIEWED_KINDS = {ActivityKind.TWIN_TOWN, ActivityKind.NETWORK}


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    ONGOING = "ongoing", _("ongoing")
    PAUSED = "paused", _("paused")
    ENDED = "ended", _("ended")


class FundingProgramme(models.TextChoices):
    NONE = "", _("no external funding")
    INTERREG = "interreg", "Interreg"
    HORIZON = "horizon", "Horizon Europe"
    ERASMUS = "erasmus", "Erasmus+"
    ESF = "esf", "ESF+"
    ERDF = "erdf", _("ERDF")
    LIFE = "life", "LIFE"
    CERV = "cerv", "CERV"
    NATIONAL = "national", _("national funding")
    OTHER = "other", _("other")


class ActivityQuerySet(models.QuerySet["Activity"]):
    def for_organisation(self, organisation: Organisation) -> ActivityQuerySet:
        return self.filter(organisation=organisation)

    def active_in_year(self, year: int) -> ActivityQuerySet:
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        return self.filter(Q(start_date__lte=end) | Q(start_date__isnull=True)).filter(
            Q(end_date__gte=start) | Q(end_date__isnull=True)
        )

    def with_contribution_count(self) -> ActivityQuerySet:
        # A count through a join skips Contribution's default manager: contributions to deleted goals are
        # left out by hand.
        return self.annotate(
            contribution_count=models.Count(
                "contributions", filter=Q(contributions__goal__deleted_at__isnull=True), distinct=True
            )
        )

    def with_follow_up(self) -> ActivityQuerySet:
        """Annotate what the register shows: goals served, the latest report and the latest review.

        Subqueries, not joins, so that the filters (partners, contributions) never multiply rows.
        """
        latest_report = ProgressReport.objects.filter(activity=models.OuterRef("pk")).order_by(
            "-reported_on", "-pk"
        )
        goal_count = (
            Contribution.objects.filter(activity=models.OuterRef("pk"))
            .order_by()
            .values("activity")
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        last_review = (
            PartnershipReview.objects.filter(activity=models.OuterRef("pk"))
            .order_by("-reviewed_on")
            .values("reviewed_on")
        )
        return self.annotate(
            goal_count=Coalesce(models.Subquery(goal_count), 0),
            last_report_on=models.Subquery(latest_report.values("reported_on")[:1]),
            last_report_status=models.Subquery(latest_report.values("status")[:1]),
            last_review_on=models.Subquery(last_review[:1]),
        )


class ActivityManager(HidesDeleted, models.Manager.from_queryset(ActivityQuerySet)):  # type: ignore[misc]
    """Activities that are not deleted (the default manager)."""


class ActivityPartManager(HidesDeleted, models.Manager):  # type: ignore[type-arg]
    """Rows of an activity that is not deleted (partners, chain steps, reports, reviews)."""

    alive_paths = ("activity__deleted_at",)


class ContributionManager(HidesDeleted, models.Manager["Contribution"]):
    """Contributions whose activity and goal are both alive."""

    alive_paths = ("activity__deleted_at", "goal__deleted_at")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Activity(SoftDeleteModel, TrackedModel):
    """One international activity of the organisation: a means to reach its goals."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="activities"
    )
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=ActivityStatus.choices, default="planned")
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="responsible_activities",
    )
    programme = models.CharField(
        _("funding programme"), max_length=10, choices=FundingProgramme.choices, blank=True, default=""
    )
    total_budget = models.DecimalField(
        _("total budget (€)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    own_share = models.DecimalField(
        _("own share (€)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    external_funding = models.DecimalField(
        _("external funding (€)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    participants = models.PositiveIntegerField(
        _("participants"), null=True, blank=True, help_text=_("A count only: names are never stored.")
    )

    objects = ActivityManager()
    all_objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="activity_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_reviewed_yearly(self) -> bool:
        return self.kind in REVIEWED_KINDS

    @property
    def external_per_own_euro(self) -> Decimal | None:
        if not self.own_share or self.external_funding is None:
            return None
        return self.external_funding / self.own_share


class Partner(models.Model):
    """A partner organisation of an activity, with its country."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="partners", verbose_name=_("activity")
    )
    name = models.CharField(_("partner"), max_length=255)
    country = CountryField(_("country"), blank=True)
    role = models.CharField(_("role"), max_length=100, blank=True, help_text=_("e.g. lead partner, funder"))

    objects = ActivityPartManager()
    all_objects = EveryRowManager()

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["activity", "name"]

    def __str__(self) -> str:
        return self.name


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class PartnershipReview(TrackedModel):
    """The yearly review of a partnership or network membership."""

    class Decision(models.TextChoices):
        KEEP = "keep", _("keep")
        RENEW = "renew", _("renew")
        PAUSE = "pause", _("pause")
        END = "end", _("end")

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("activity")
    )
    reviewed_on = models.DateField(_("reviewed on"))
    shared_goals = models.BooleanField(_("shared goals"))
    joint_action_plan = models.BooleanField(_("joint action plan"))
    last_joint_activity = models.CharField(_("last joint activity"), max_length=255, blank=True)
    benefit = models.TextField(_("benefit"), blank=True)
    cost = models.DecimalField(_("cost (€ per year)"), max_digits=12, decimal_places=2, null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    reason = models.TextField(_("reason"), blank=True)

    objects = ActivityPartManager()
    all_objects = EveryRowManager()

    class Meta:
        verbose_name = _("partnership review")
        verbose_name_plural = _("partnership reviews")
        ordering = ["activity", "-reviewed_on"]

    def __str__(self) -> str:
        return f"{self.activity} {self.reviewed_on}"

    @property
    def passed(self) -> bool:
        """A relationship passes its review when it has shared goals and a joint plan."""
        return self.shared_goals and self.joint_action_plan


class ChainLevel(models.TextChoices):
    INPUT = "input", _("inputs")
    ACTIVITY = "activity", _("activities")
    OUTPUT = "output", _("outputs")
    OUTCOME = "outcome", _("outcomes")
    IMPACT = "impact", _("impact")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class ChainStep(TrackedModel):
    """A step of the activity's impact chain, optionally measured by one of the organisation's indicators."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="chain_steps", verbose_name=_("activity")
    )
    level = models.CharField(_("level"), max_length=10, choices=ChainLevel.choices)
    description = models.TextField(_("description"))
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    objects = ActivityPartManager()
    all_objects = EveryRowManager()

    class Meta:
        verbose_name = _("chain step")
        verbose_name_plural = _("chain steps")
        ordering = ["activity", "level", "order", "pk"]
        triggers = [
            pgtrigger.Trigger(
                name="step_indicator_same_organisation",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update,
                func="""
                IF NEW.indicator_id IS NOT NULL AND NOT EXISTS (
                    SELECT 1 FROM impact_activity a JOIN indicators_indicator i
                        ON i.organisation_id = a.organisation_id
                    WHERE a.id = NEW.activity_id AND i.id = NEW.indicator_id
                ) THEN
                    RAISE EXCEPTION 'a chain step is measured only by its own organisation''s indicators'
                        USING ERRCODE = 'check_violation';
                END IF;
                RETURN NEW;
                """,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()}: {self.description[:60]}"

    @property
    def live_indicator(self) -> Indicator | None:
        """The measuring indicator, or None while it is soft-deleted (its name is not shown then)."""
        indicator = self.indicator
        return indicator if indicator is not None and indicator.deleted_at is None else None

    @property
    def indicator_deleted(self) -> bool:
        return self.indicator_id is not None and self.live_indicator is None


class Strength(models.TextChoices):
    DIRECT = "direct", _("direct")
    PARTIAL = "partial", _("partial")
    ENABLING = "enabling", _("enabling")


class TimeToImpact(models.TextChoices):
    SHORT = "short", _("under 3 years")
    MEDIUM = "medium", _("3–5 years")
    LONG = "long", _("over 5 years")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Contribution(TrackedModel):
    """How an activity serves a goal of the strategy."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="contributions", verbose_name=_("activity")
    )
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="contributions")
    strength = models.CharField(
        _("strength"), max_length=10, choices=Strength.choices, default=Strength.DIRECT
    )
    rationale = models.TextField(_("rationale"), blank=True)
    time_to_impact = models.CharField(
        _("expected time to impact"), max_length=10, choices=TimeToImpact.choices, default=TimeToImpact.MEDIUM
    )

    objects = ContributionManager()
    all_objects = EveryRowManager()

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        constraints = [models.UniqueConstraint(fields=["activity", "goal"], name="contribution_unique")]
        triggers = [
            # No activity can serve another organisation's goal, even through a forged request.
            pgtrigger.Trigger(
                name="goal_of_same_organisation",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update,
                func="""
                IF NOT EXISTS (
                    SELECT 1 FROM impact_activity a
                    JOIN goals_goal g ON g.id = NEW.goal_id
                    JOIN goals_strategy s ON s.id = g.strategy_id
                    WHERE a.id = NEW.activity_id AND s.organisation_id = a.organisation_id
                ) THEN
                    RAISE EXCEPTION 'an activity contributes only to its own organisation''s goals'
                        USING ERRCODE = 'check_violation';
                END IF;
                RETURN NEW;
                """,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity} → {self.goal}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class ProgressReport(TrackedModel):
    """A follow-up report of an activity."""

    class Status(models.TextChoices):
        ON_TRACK = "on_track", _("on track")
        SOME_PROBLEMS = "some_problems", _("some problems")
        SERIOUS_PROBLEMS = "serious_problems", _("serious problems")
        DONE = "done", _("done")

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="reports", verbose_name=_("activity")
    )
    reported_on = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    achieved = models.TextField(_("what was achieved"))
    next_steps = models.TextField(_("next steps"), blank=True)
    evidence_links = models.TextField(
        _("evidence links"), blank=True, help_text=_("One web address per line.")
    )

    objects = ActivityPartManager()
    all_objects = EveryRowManager()

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["activity", "-reported_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.activity} {self.reported_on}"


class ActivitySettings(TrackedModel):
    """The organisation's follow-up rules for activities."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="activity_settings"
    )
    report_interval_months = models.PositiveSmallIntegerField(
        _("progress report interval (months)"), default=DEFAULT_REPORT_INTERVAL_MONTHS
    )

    class Meta:
        verbose_name = _("activity settings")
        verbose_name_plural = _("activity settings")

    def __str__(self) -> str:
        return f"{self.organisation}: {self.report_interval_months} months"


class ReportRunQuerySet(models.QuerySet["ReportRun"]):
    def for_organisation(self, organisation: Organisation) -> ReportRunQuerySet:
        return self.filter(organisation=organisation)

    def pending(self) -> ReportRunQuerySet:
        """Runs waiting for the worker or being rendered."""
        return self.filter(state__in=[ReportRun.State.QUEUED, ReportRun.State.RUNNING])


class ReportRun(models.Model):
    """One PDF rendering of the annual report: its progress (polled by the page) and, when done, the file.

    The file is served only through the tenancy guard (impact.report_views.report_download), never
    from a public media URL.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="report_runs")
    strategy = models.ForeignKey(
        Strategy,
        verbose_name=_("strategy"),
        on_delete=models.CASCADE,
        related_name="report_runs",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    language = models.CharField(_("language"), max_length=2)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    file = models.FileField(_("file"), upload_to="reports/%Y/%m/", blank=True)
    error = models.CharField(_("error"), max_length=255, blank=True)

    objects = ReportRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "strategy", "year", "language", "state"])]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="report_progress_at_most_100"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year} {self.language} ({self.get_state_display()})"

    @property
    def is_pending(self) -> bool:
        return self.state in {self.State.QUEUED, self.State.RUNNING}
