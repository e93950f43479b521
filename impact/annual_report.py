"""The annual report of international activity by strategic goal (toimintakertomus, arviointikertomus).

`build_annual_report` fetches one year's rows of an organisation in a fixed number of queries (however
many goals, indicators and activities there are) and composes them with the project's own rules:
indicator status and progress from indicators.progress (through indicators.analysis.assess_indicator),
goal status from the roll-up of goals.tree, robustness from futures.analysis. The same object feeds the
printable page, the PDF (the same template) and the XLSX workbook, so the three always agree.

Rules of the year:
- Indicators are assessed as at the end of the year (or today, for the current year) from the values of
  periods up to that year: a value recorded later for a later period does not change the year's report.
- Activities of the year are those active in the year by their dates, and those with a progress report
  dated in the year; their results are the progress reports of the year.
- Budgets are the activities' whole budgets (the register records no yearly split). An activity that
  serves several strategic goals appears under each of them, but every total counts it once
  (DOMAIN.md F11, the double-counting guard).
- The strategic goals are the top-level goals of the strategy; when the top is a single impact goal with
  goals under it (the three-level tree of DESIGN.md), they are its sub-goals and the impact goal is
  reported in the overview.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from futures.analysis import Robustness, robustness
from futures.models import FutureStory, Implication
from goals.measures import indicators_with_rows, links_of
from goals.models import Goal, Strategy
from goals.tree import Node, Rollup, build_tree, subtree_rollups
from impact.models import Activity, Contribution, FundingProgramme, PartnershipReview, ProgressReport
from indicators.analysis import IndicatorState, assess_indicator, display_number
from indicators.models import Indicator, Observation
from indicators.periods import period_label
from indicators.progress import Status
from organisations.collation import finnish_key
from organisations.models import Organisation

ZERO = Decimal(0)
STATUS_ORDER = [Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK, Status.NOT_MEASURABLE]


def default_year(today: dt.date) -> int:
    """The last complete calendar year: the one an annual report is written about."""
    return today.year - 1


def as_of(year: int, today: dt.date) -> dt.date:
    """The day the year's indicators are assessed on: the year's last day, or today within the year."""
    return min(dt.date(year, 12, 31), today)


@dataclass(frozen=True)
class Funding:
    """Money of a set of activities, each counted once (empty amounts count as zero)."""

    count: int = 0
    total_budget: Decimal = ZERO
    own_share: Decimal = ZERO
    external_funding: Decimal = ZERO

    @classmethod
    def of(cls, activities: Iterable[Activity]) -> Funding:
        unique = {a.pk: a for a in activities}.values()
        return cls(
            count=len(unique),
            total_budget=sum((a.total_budget or ZERO for a in unique), ZERO),
            own_share=sum((a.own_share or ZERO for a in unique), ZERO),
            external_funding=sum((a.external_funding or ZERO for a in unique), ZERO),
        )

    @property
    def external_per_own_euro(self) -> Decimal | None:
        if not self.own_share:
            return None
        return (self.external_funding / self.own_share).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class ProgrammeFunding:
    programme: str  # the FundingProgramme value ("" for no external funding)
    label: str
    funding: Funding


def by_programme(activities: Iterable[Activity]) -> list[ProgrammeFunding]:
    """Funding per programme, largest total budget first; activities without a programme last."""
    groups: dict[str, list[Activity]] = defaultdict(list)
    for activity in activities:
        groups[activity.programme or ""].append(activity)
    rows = [
        ProgrammeFunding(key, str(FundingProgramme(key).label), Funding.of(group))
        for key, group in groups.items()
    ]
    return sorted(rows, key=lambda r: (r.programme == "", -r.funding.total_budget, finnish_key(r.label)))


@dataclass(frozen=True)
class IndicatorLine:
    """An indicator of a strategic goal as at the end of the year."""

    indicator: Indicator
    state: IndicatorState
    year_value: Observation | None  # the value of the year's (last) period, if recorded
    goals: tuple[Goal, ...]  # the goals of the section it measures

    @property
    def status(self) -> Status:
        return self.state.status

    @property
    def progress_percent(self) -> int | None:
        return self.state.progress_percent

    @property
    def expected_percent(self) -> int | None:
        expected = self.state.assessment.expected
        if expected is None or self.progress_percent is None:
            return None
        return round(100 * expected)

    @property
    def goal_codes(self) -> str:
        return ", ".join(g.code or g.title for g in self.goals)

    # What the table shows, as text in the UI language's number format.

    @property
    def baseline_text(self) -> str:
        indicator = self.indicator
        if indicator.baseline_value is None or indicator.baseline_period is None:
            return ""
        period = period_label(indicator.baseline_period, indicator.periodicity)
        return f"{display_number(indicator.baseline_value)} ({period})"

    @property
    def year_value_text(self) -> str:
        if self.year_value is None:
            return ""
        if self.year_value.value is None:
            return str(_("missing"))
        return display_number(self.year_value.value)

    @property
    def latest_text(self) -> str:
        latest = self.state.latest
        if latest is None or latest.value is None:
            return ""
        return f"{display_number(latest.value)} ({period_label(latest.period, self.indicator.periodicity)})"

    @property
    def target_text(self) -> str:
        target = self.state.target
        if target is None:
            return ""
        return f"{display_number(target.value)} ({period_label(target.period, self.indicator.periodicity)})"


@dataclass(frozen=True)
class ActivityLine:
    """An activity that serves the strategic goal, with its progress reports of the year."""

    activity: Activity
    contributions: tuple[Contribution, ...]  # to goals of this section
    reports: tuple[ProgressReport, ...]  # of the year, newest first

    @property
    def goal_codes(self) -> str:
        return ", ".join(c.goal.code or c.goal.title for c in self.contributions)

    @property
    def strengths(self) -> str:
        return ", ".join(sorted({str(c.get_strength_display()) for c in self.contributions}))

    @property
    def latest_report(self) -> ProgressReport | None:
        return self.reports[0] if self.reports else None


@dataclass(frozen=True)
class SubGoalLine:
    goal: Goal
    depth: int  # 1 for a direct sub-goal of the strategic goal
    rollup: Rollup
    activity_count: int


@dataclass
class GoalSection:
    """Everything the report says about one strategic goal."""

    goal: Goal
    rollup: Rollup
    sub_goals: list[SubGoalLine]
    indicators: list[IndicatorLine]
    activities: list[ActivityLine]
    funding: Funding
    programmes: list[ProgrammeFunding]
    reviews: list[PartnershipReview]
    implications: list[Implication]
    robustness: Robustness
    report_count: int
    chart: object | None = None  # impact.report_charts.Chart, added by the renderer

    @property
    def anchor(self) -> str:
        return f"goal-{self.goal.pk}"

    @property
    def scored_indicators(self) -> list[IndicatorLine]:
        return [line for line in self.indicators if line.progress_percent is not None]


@dataclass
class AnnualReport:
    """One year of an organisation's international activity by strategic goal."""

    organisation: Organisation
    strategy: Strategy
    year: int
    as_of: dt.date
    impact_goal: Goal | None
    impact_rollup: Rollup | None
    sections: list[GoalSection]
    funding: Funding
    programmes: list[ProgrammeFunding]
    activity_count: int
    report_count: int
    reviews: list[PartnershipReview]
    serving_no_goal: list[Activity]
    story_count: int
    status_counts: list[tuple[Status, int]] = field(default_factory=list)
    chart: object | None = None  # the overview chart, added by the renderer

    @property
    def present_status_counts(self) -> list[tuple[Status, int]]:
        return [(status, count) for status, count in self.status_counts if count]

    @property
    def is_complete_year(self) -> bool:
        return self.as_of == dt.date(self.year, 12, 31)


def strategic_roots(roots: list[Node]) -> tuple[Node | None, list[Node]]:
    """The impact goal (if the tree has one on top) and the strategic goals' nodes (see the module doc)."""
    if len(roots) == 1 and roots[0].children:
        return roots[0], roots[0].children
    return None, roots


def _year_observations(indicator: Indicator, year: int) -> list[Observation]:
    end = dt.date(year + 1, 1, 1)
    return [o for o in indicator.observations.all() if o.period < end]


def _year_value(observations: list[Observation], year: int) -> Observation | None:
    of_year = [o for o in observations if o.period.year == year]
    return of_year[-1] if of_year else None


def activities_of_year(organisation: Organisation, year: int) -> list[Activity]:
    """The organisation's activities active in the year by their dates or reported on in the year."""
    # Both subqueries stay inside the organisation: over the whole country they read every activity and
    # report of the year (a query that grows with the country).
    active = Activity.objects.for_organisation(organisation).active_in_year(year).values("pk")
    reported = ProgressReport.objects.filter(
        activity__organisation=organisation, reported_on__year=year
    ).values("activity_id")
    return list(
        Activity.objects.for_organisation(organisation)
        .filter(Q(pk__in=active) | Q(pk__in=reported))
        .order_by("name", "pk")
    )


def build_annual_report(
    *, organisation: Organisation, strategy: Strategy, year: int, today: dt.date
) -> AnnualReport:
    """Fetch and compose the year's report (a fixed number of queries)."""
    day = as_of(year, today)
    goals = list(Goal.objects.filter(strategy=strategy))
    roots = build_tree(goals)
    links = links_of(g.pk for g in goals)
    indicators = indicators_with_rows(i for ids in links.values() for i in ids)
    states: dict[int, IndicatorState] = {}
    year_values: dict[int, Observation | None] = {}
    for indicator in indicators:
        observations = _year_observations(indicator, year)
        states[indicator.pk] = assess_indicator(
            indicator, observations=observations, targets=indicator.targets.all(), today=day
        )
        year_values[indicator.pk] = _year_value(observations, year)
    by_id = {i.pk: i for i in indicators}
    rollups = subtree_rollups(roots, {pk: s.status for pk, s in states.items()}, links)

    activities = activities_of_year(organisation, year)
    activity_ids = [a.pk for a in activities]
    contributions = list(
        Contribution.objects.filter(goal__strategy=strategy, activity_id__in=activity_ids).select_related(
            "goal"
        )
    )
    reports: dict[int, list[ProgressReport]] = defaultdict(list)
    of_the_year = ProgressReport.objects.filter(activity_id__in=activity_ids, reported_on__year=year)
    for progress_report in of_the_year.order_by("-reported_on", "-pk"):
        reports[progress_report.activity_id].append(progress_report)
    reviews = list(
        PartnershipReview.objects.filter(activity__organisation=organisation, reviewed_on__year=year)
        .select_related("activity")
        .order_by("reviewed_on", "pk")
    )
    implications = list(
        Implication.objects.filter(goal__strategy=strategy)
        .select_related("story", "goal")
        .order_by("story__horizon_year", "story__title", "pk")
    )
    story_count = FutureStory.objects.filter(organisation=organisation).count()

    activity_by_id = {a.pk: a for a in activities}
    contributions_by_goal: dict[int, list[Contribution]] = defaultdict(list)
    for contribution in contributions:
        contributions_by_goal[contribution.goal_id].append(contribution)
    implications_by_goal: dict[int, list[Implication]] = defaultdict(list)
    for implication in implications:
        implications_by_goal[implication.goal_id].append(implication)
    reviews_by_activity: dict[int, list[PartnershipReview]] = defaultdict(list)
    for review in reviews:
        reviews_by_activity[review.activity_id].append(review)

    impact_node, strategic = strategic_roots(roots)
    sections = []
    for node in strategic:
        subtree = list(node.walk())
        goal_ids = [n.goal.pk for n in subtree]
        # Indicators: each once, with the goals of the subtree it measures.
        measured_goals: dict[int, list[Goal]] = defaultdict(list)
        for n in subtree:
            for indicator_id in sorted(links.get(n.goal.pk, set())):
                measured_goals[indicator_id].append(n.goal)
        lines = [
            IndicatorLine(by_id[i], states[i], year_values[i], tuple(measured_goals[i]))
            for i in measured_goals
            if i in by_id
        ]
        lines.sort(key=lambda line: finnish_key(str(line.indicator.name)))
        # Activities: each once, with its contributions to goals of the subtree.
        section_contributions: dict[int, list[Contribution]] = defaultdict(list)
        for goal_id in goal_ids:
            for contribution in contributions_by_goal.get(goal_id, []):
                section_contributions[contribution.activity_id].append(contribution)
        activity_lines = [
            ActivityLine(
                activity_by_id[activity_id],
                tuple(sorted(found, key=lambda c: goal_ids.index(c.goal_id))),
                tuple(reports.get(activity_id, [])),
            )
            for activity_id, found in section_contributions.items()
        ]
        activity_lines.sort(key=lambda line: finnish_key(line.activity.name))
        section_activities = [line.activity for line in activity_lines]
        goal_implications = [i for goal_id in goal_ids for i in implications_by_goal.get(goal_id, [])]
        strongest: dict[int, int] = {}
        for implication in goal_implications:
            # A story may touch several goals of the subtree; the strongest implication speaks for it.
            current = strongest.get(implication.story_id)
            if current is None or abs(implication.signed_strength) > abs(current):
                strongest[implication.story_id] = implication.signed_strength
        sections.append(
            GoalSection(
                goal=node.goal,
                rollup=rollups[node.goal.pk],
                sub_goals=[
                    SubGoalLine(
                        n.goal,
                        n.depth - node.depth,
                        rollups[n.goal.pk],
                        len({c.activity_id for c in contributions_by_goal.get(n.goal.pk, [])}),
                    )
                    for n in subtree[1:]
                ],
                indicators=lines,
                activities=activity_lines,
                funding=Funding.of(section_activities),
                programmes=by_programme(section_activities),
                reviews=[r for a in section_activities for r in reviews_by_activity.get(a.pk, [])],
                implications=goal_implications,
                robustness=robustness(strongest, story_count),
                report_count=sum(len(line.reports) for line in activity_lines),
            )
        )

    served = {c.activity_id for c in contributions}
    report = AnnualReport(
        organisation=organisation,
        strategy=strategy,
        year=year,
        as_of=day,
        impact_goal=impact_node.goal if impact_node else None,
        impact_rollup=rollups[impact_node.goal.pk] if impact_node else None,
        sections=sections,
        funding=Funding.of(activities),
        programmes=by_programme(activities),
        activity_count=len(activities),
        report_count=sum(len(found) for found in reports.values()),
        reviews=reviews,
        serving_no_goal=[a for a in activities if a.pk not in served],
        story_count=story_count,
    )
    report.status_counts = [
        (status, sum(1 for s in sections if s.rollup.status == status)) for status in STATUS_ORDER
    ]
    return report


def report_title(report: AnnualReport) -> str:
    return _("International activity %(year)s: report by strategic goal") % {"year": report.year}


def attach_charts(report: AnnualReport) -> AnnualReport:
    """Draw the overview chart and each strategic goal's indicator chart (SVG, see report_charts)."""
    from impact.report_charts import FundingBar, ProgressBar, funding_chart, progress_chart

    report.chart = funding_chart(
        [
            FundingBar(section_label(s.goal), s.funding.own_share, s.funding.external_funding)
            for s in report.sections
        ],
        alt=_(
            "Own share and external funding of the activities serving each strategic goal in %(year)s; "
            "the numbers are in the table below."
        )
        % {"year": report.year},
    )
    for section in report.sections:
        section.chart = progress_chart(
            [
                ProgressBar(
                    str(line.indicator.name), line.progress_percent or 0, line.expected_percent, line.status
                )
                for line in section.scored_indicators
            ],
            alt=_(
                "Progress of the indicators of %(goal)s towards their targets at the end of %(year)s; "
                "the numbers are in the table below."
            )
            % {"goal": section_label(section.goal), "year": report.year},
        )
    return report


def section_label(goal: Goal) -> str:
    return f"{goal.code} {goal.title}".strip() if goal.code else goal.title
