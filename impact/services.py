"""The writes of international activities that touch several rows at once."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext as _

from goals.models import Goal
from impact.models import Activity, ActivityStatus, Contribution, PartnershipReview, ProgressReport

# What a review's decision does to the activity's status.
DECISION_STATUS = {
    PartnershipReview.Decision.PAUSE: ActivityStatus.PAUSED,
    PartnershipReview.Decision.END: ActivityStatus.ENDED,
}


class ActivityError(Exception):
    """A change the rules do not allow; the message is for the user."""


@transaction.atomic
def create_activity(
    *, activity: Activity, partners: BaseInlineFormSet, review: PartnershipReview | None, by: Any
) -> Activity:
    """Save a new activity with its partners and, for a partnership or network, its first review."""
    activity.save_new(by=by)
    partners.instance = activity
    partners.save()
    if review is not None and activity.is_reviewed_yearly:
        review.activity = activity
        record_review(review=review, by=by)
    return activity


@transaction.atomic
def update_activity(
    *,
    activity: Activity,
    partners: BaseInlineFormSet,
    review: PartnershipReview | None,
    expected_version: int,
    by: Any,
) -> Activity:
    """Save an edited activity (StaleEdit if someone saved first: nothing is written), its partners and
    an optional new review."""
    activity.save_if_current(expected_version=expected_version, by=by)
    partners.save()
    if review is not None and activity.is_reviewed_yearly:
        review.activity = activity
        record_review(review=review, by=by)
    return activity


@transaction.atomic
def record_review(
    *, review: PartnershipReview, by: Any, expected_version: int | None = None
) -> PartnershipReview:
    """Save a yearly review (new, or an edit based on `expected_version`: StaleEdit if someone saved
    first); a decision to pause or end the relationship changes the activity's status."""
    if review.pk is None:
        review.save_new(by=by)
    else:
        review.save_if_current(expected_version=expected_version or review.version, by=by)
    apply_decision(review=review, by=by)
    return review


def apply_decision(*, review: PartnershipReview, by: Any) -> None:
    """Pause or end the activity when the newest review says so (an older review changes nothing)."""
    status = DECISION_STATUS.get(PartnershipReview.Decision(review.decision))
    if status is None:
        return
    newest = PartnershipReview.objects.filter(activity_id=review.activity_id).order_by("-reviewed_on", "-pk")
    if newest.values_list("pk", flat=True).first() != review.pk:
        return
    activity = Activity.objects.select_for_update().get(pk=review.activity_id)
    if activity.status == status:
        return
    activity.status = status
    day = review.reviewed_on
    ends_later = activity.end_date is None or activity.end_date > day
    started = activity.start_date is None or activity.start_date <= day
    if status == ActivityStatus.ENDED and ends_later and started:
        activity.end_date = day
    activity.save_if_current(expected_version=activity.version, by=by)
    review.activity = activity


@transaction.atomic
def add_contribution(
    *, activity: Activity, goal: Goal, strength: str, time_to_impact: str, rationale: str, by: Any
) -> Contribution:
    """Link the activity to a goal of its own organisation (the database refuses any other, too)."""
    if goal.strategy.organisation_id != activity.organisation_id:
        raise ActivityError(_("An activity can serve only its own organisation's goals."))
    if Contribution.objects.filter(activity=activity, goal=goal).exists():
        raise ActivityError(_("The activity already serves this goal: change that link instead."))
    contribution = Contribution(
        activity=activity, goal=goal, strength=strength, time_to_impact=time_to_impact, rationale=rationale
    )
    try:
        with transaction.atomic():
            contribution.save_new(by=by)
    except IntegrityError as error:  # a second editor linked the same goal a moment earlier
        raise ActivityError(_("The activity already serves this goal: change that link instead.")) from error
    return contribution


@transaction.atomic
def file_report(*, activity: Activity, report: ProgressReport, by: Any) -> ProgressReport:
    """File a progress report of the activity (the register then shows its status)."""
    report.activity = activity
    report.save_new(by=by)
    return report
