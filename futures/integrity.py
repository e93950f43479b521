"""The futures app's part in audit history, soft delete and the organisation archive."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from futures.models import Driver, FutureStory, Implication, Milestone, Signpost, WeakSignal
from organisations import archive, history


def _restore(story: FutureStory, by: Any) -> None:
    story.restore(by=by)


def register() -> None:
    history.register(
        history.Kind(
            key="story",
            model=FutureStory,
            rows=lambda org: FutureStory.all_objects.filter(organisation=org),
            url=lambda s: reverse("futures:story_detail", args=[s.organisation.slug, s.pk]),
            related=(history.EventSource(Implication, "story_id"),),
            soft_delete=True,
            restore=_restore,
            order=50,
        )
    )
    archive.register_part(
        archive.Part(
            "future_stories", lambda org: FutureStory.objects.for_organisation(org).order_by("pk"), 50
        )
    )
    for name, model, order in (
        ("implications", Implication, 51),
        ("signposts", Signpost, 52),
        ("milestones", Milestone, 53),
    ):
        archive.register_part(
            archive.Part(
                name,
                lambda org, model=model: model.objects.filter(story__organisation=org).order_by("pk"),  # type: ignore[misc]
                order,
            )
        )
    archive.register_part(
        archive.Part("drivers", lambda org: Driver.objects.filter(organisation=org).order_by("pk"), 54)
    )
    archive.register_part(
        archive.Part(
            "weak_signals", lambda org: WeakSignal.objects.filter(organisation=org).order_by("pk"), 55
        )
    )
