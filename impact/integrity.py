"""The impact app's part in audit history, soft delete and the organisation archive."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from impact.models import (
    Activity,
    ChainStep,
    Contribution,
    Partner,
    PartnershipReview,
    ProgressReport,
)
from organisations import archive, history


def _restore(activity: Activity, by: Any) -> None:
    activity.restore(by=by)


def register() -> None:
    history.register(
        history.Kind(
            key="activity",
            model=Activity,
            rows=lambda org: Activity.all_objects.filter(organisation=org),
            url=lambda a: reverse("activities:detail", args=[a.organisation.slug, a.pk]),
            related=(
                history.EventSource(ChainStep, "activity_id"),
                history.EventSource(Contribution, "activity_id"),
                history.EventSource(ProgressReport, "activity_id"),
                history.EventSource(PartnershipReview, "activity_id"),
            ),
            soft_delete=True,
            restore=_restore,
            order=40,
        )
    )
    for name, model, order in (
        ("partners", Partner, 41),
        ("chain_steps", ChainStep, 42),
        ("contributions", Contribution, 43),
        ("progress_reports", ProgressReport, 44),
        ("partnership_reviews", PartnershipReview, 45),
    ):
        archive.register_part(
            archive.Part(
                name,
                lambda org, model=model: model.objects.filter(activity__organisation=org).order_by("pk"),  # type: ignore[misc]
                order,
            )
        )
    archive.register_part(
        archive.Part("activities", lambda org: Activity.objects.for_organisation(org).order_by("pk"), 40)
    )
