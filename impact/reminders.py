"""What is due: indicator values, progress reports, partnership reviews, targets and strategies.

The rules are small pure functions over plain values (tested against hand-computed dates); `due_items`
reads the database once per kind of item, for one organisation or for all.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db.models import Max, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from goals.models import Strategy
from impact.models import REVIEWED_KINDS, Activity, ActivitySettings, ActivityStatus
from impact.rules import report_due_on, review_due_on
from indicators.models import Indicator, Target
from indicators.periods import available_from, next_period, period_label
from organisations.models import Membership, Organisation, Role, User

DUE_SOON_DAYS = 30


class Kind(StrEnum):
    VALUE = "value"
    REPORT = "report"
    REVIEW = "review"
    TARGET = "target"
    STRATEGY = "strategy"


def value_due_on(
    *,
    latest_period: dt.date | None,
    baseline_period: dt.date | None,
    periodicity: str,
    lag_months: int,
    today: dt.date,
) -> tuple[dt.date, dt.date] | None:
    """The next period that should get a value and the date by which it should exist.

    The next period follows the latest value (or the baseline, or else the period before today's); its value
    can exist once the period has ended and the publication lag has passed: a yearly statistic published
    in May (lag 5 months) is due on 1 June of the next year.
    """
    start = latest_period or baseline_period
    if start is None:
        # Nothing recorded yet: the most recent period whose value could already exist is due.
        candidate = (
            dt.date(today.year - 1, 1, 1)
            if periodicity in {"year", "two_years"}
            else dt.date(today.year, 1, 1)
        )
        return candidate, available_from(candidate, periodicity, lag_months)
    period = next_period(start, periodicity)
    return period, available_from(period, periodicity, lag_months)


def target_needs_successor(*, target_periods: Iterable[dt.date], today: dt.date) -> dt.date | None:
    """A target ending this year with no later target: returns that target's period, else None."""
    periods = sorted(target_periods)
    if not periods:
        return None
    last = periods[-1]
    return last if last.year == today.year else None


def strategy_term_ended(*, term_end: int, has_successor: bool, today: dt.date) -> bool:
    return term_end < today.year and not has_successor


@dataclass(frozen=True)
class DueItem:
    organisation: Organisation
    kind: Kind
    title: str
    due_on: dt.date
    url: str
    responsible_id: int | None

    def is_overdue(self, today: dt.date) -> bool:
        return self.due_on < today

    def is_due_soon(self, today: dt.date) -> bool:
        return today <= self.due_on <= today + dt.timedelta(days=DUE_SOON_DAYS)


def _orgs_filter(organisations: Iterable[Organisation] | None, field: str) -> Q:
    if organisations is None:
        return Q()
    return Q(**{f"{field}__in": [o.pk for o in organisations]})


def due_items(
    *, today: dt.date, organisations: Iterable[Organisation] | None = None, horizon_days: int = DUE_SOON_DAYS
) -> list[DueItem]:
    """Everything overdue or due within `horizon_days`, for the given organisations (None: all)."""
    orgs = list(organisations) if organisations is not None else None
    limit = today + dt.timedelta(days=horizon_days)
    items: list[DueItem] = []

    indicators = (
        Indicator.objects.filter(_orgs_filter(orgs, "organisation"))
        .select_related("organisation")
        .annotate(latest_period=Max("observations__period"))
    )
    for indicator in indicators:
        due = value_due_on(
            latest_period=indicator.latest_period,  # type: ignore[attr-defined]
            baseline_period=indicator.baseline_period,
            periodicity=indicator.periodicity,
            lag_months=indicator.data_lag_months,
            today=today,
        )
        if due and due[1] <= limit:
            slug = indicator.organisation.slug
            items.append(
                DueItem(
                    indicator.organisation,
                    Kind.VALUE,
                    _("Value of %(indicator)s for %(period)s")
                    % {"indicator": indicator.name, "period": period_label(due[0], indicator.periodicity)},
                    due[1],
                    reverse("indicators:detail", args=[slug, indicator.pk]),
                    indicator.responsible_id,
                )
            )

    targets: dict[int, list[dt.date]] = defaultdict(list)
    for indicator_id, period in Target.objects.filter(
        _orgs_filter(orgs, "indicator__organisation"), superseded_at__isnull=True
    ).values_list("indicator_id", "period"):
        targets[indicator_id].append(period)
    target_indicators = {i.pk: i for i in indicators if i.pk in targets}
    for indicator_id, periods in targets.items():
        ending = target_needs_successor(target_periods=periods, today=today)
        owner = target_indicators.get(indicator_id)
        if ending and owner is not None:
            indicator = owner
            items.append(
                DueItem(
                    indicator.organisation,
                    Kind.TARGET,
                    _("Next target for %(indicator)s (the current one ends in %(year)s)")
                    % {"indicator": indicator.name, "year": ending.year},
                    dt.date(today.year, 12, 31),
                    reverse("indicators:targets", args=[indicator.organisation.slug, indicator.pk]),
                    indicator.responsible_id,
                )
            )

    intervals = dict(
        ActivitySettings.objects.filter(_orgs_filter(orgs, "organisation")).values_list(
            "organisation_id", "report_interval_months"
        )
    )
    activities = (
        Activity.objects.filter(_orgs_filter(orgs, "organisation"))
        .exclude(status__in=[ActivityStatus.ENDED])
        .select_related("organisation")
        .annotate(last_report=Max("reports__reported_on"), last_review=Max("reviews__reviewed_on"))
    )
    for activity in activities:
        url = reverse("activities:detail", args=[activity.organisation.slug, activity.pk])
        report_due = report_due_on(
            status=activity.status,
            start_date=activity.start_date,
            last_report=activity.last_report,  # type: ignore[attr-defined]
            interval_months=intervals.get(activity.organisation_id, 6),
        )
        if report_due and report_due <= limit:
            items.append(
                DueItem(
                    activity.organisation,
                    Kind.REPORT,
                    _("Progress report of %(activity)s") % {"activity": activity.name},
                    report_due,
                    url,
                    activity.responsible_id,
                )
            )
        if activity.kind in REVIEWED_KINDS and activity.status != ActivityStatus.PAUSED:
            review_due = review_due_on(
                last_review=activity.last_review,  # type: ignore[attr-defined]
                start_date=activity.start_date,
            )
            if review_due and review_due <= limit:
                items.append(
                    DueItem(
                        activity.organisation,
                        Kind.REVIEW,
                        _("Yearly review of %(activity)s") % {"activity": activity.name},
                        review_due,
                        url,
                        activity.responsible_id,
                    )
                )

    strategies = Strategy.objects.filter(_orgs_filter(orgs, "organisation")).select_related("organisation")
    # Only the successors of these organisations' strategies (over the whole country the query grew with it).
    with_successor = set(
        Strategy.objects.filter(
            _orgs_filter(orgs, "predecessor__organisation"), predecessor__isnull=False
        ).values_list("predecessor_id", flat=True)
    )
    newest_term: dict[int, int] = {}
    for strategy in strategies:
        newest_term[strategy.organisation_id] = max(
            newest_term.get(strategy.organisation_id, 0), strategy.term_end
        )
    for strategy in strategies:
        superseded = (
            strategy.pk in with_successor or newest_term[strategy.organisation_id] > strategy.term_end
        )
        if strategy_term_ended(term_end=strategy.term_end, has_successor=superseded, today=today):
            items.append(
                DueItem(
                    strategy.organisation,
                    Kind.STRATEGY,
                    _("Strategy %(name)s: its council term ended in %(year)s; start the next one")
                    % {"name": strategy.name, "year": strategy.term_end},
                    dt.date(strategy.term_end, 12, 31),
                    reverse("goals:strategy_detail", args=[strategy.organisation.slug, strategy.pk]),
                    None,
                )
            )
    return sorted(items, key=lambda item: (item.due_on, item.title))


def recipients(items: list[DueItem]) -> dict[int, list[DueItem]]:
    """Who gets which item: the responsible person while active and a member; else the organisation's
    editors; if it has none, its admins."""
    org_ids = {item.organisation.pk for item in items}
    members: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for organisation_id, user_id, role in Membership.objects.filter(
        organisation_id__in=org_ids, user__is_active=True
    ).values_list("organisation_id", "user_id", "role"):
        members[organisation_id][role].add(user_id)
    result: dict[int, list[DueItem]] = defaultdict(list)
    for item in items:
        roles = members[item.organisation.pk]
        everyone = set().union(*roles.values()) if roles else set()
        if item.responsible_id and item.responsible_id in everyone:
            targets = {item.responsible_id}
        else:
            targets = roles.get(Role.EDITOR, set()) or roles.get(Role.ADMIN, set())
        for user_id in targets:
            result[user_id].append(item)
    return dict(result)


def digest_is_due(user: User, today: dt.date) -> bool:
    """Daily: once a day. Weekly: on Mondays, once. Off: never."""
    if user.digest == User.Digest.OFF or user.last_digest_on == today:
        return False
    if user.digest == User.Digest.WEEKLY:
        return today.weekday() == 0 and (
            user.last_digest_on is None or (today - user.last_digest_on).days >= 7
        )
    return True


def items_for_user(user: Any, today: dt.date) -> list[DueItem]:
    """The start page's list: what is due in the user's organisations and falls to them."""
    organisations = [m.organisation for m in Membership.objects.for_user(user)]
    if not organisations:
        return []
    return recipients(due_items(today=today, organisations=organisations)).get(user.pk, [])
