"""The indicators app's part in audit history, soft delete and the organisation archive."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from indicators.models import Indicator, Observation, Target
from indicators.periods import period_label
from organisations import archive, history


def _restore(indicator: Indicator, by: Any) -> None:
    try:
        with transaction.atomic():
            indicator.restore(by=by)
    except IntegrityError as error:
        raise history.RestoreRefused(
            _("The organisation has adopted the same template again since; that indicator stays in use.")
        ) from error


def _value(event: Any) -> str:
    return _("value for %(period)s") % {"period": period_label(event.period)}


def _target(event: Any) -> str:
    return _("target for %(period)s") % {"period": period_label(event.period)}


def register() -> None:
    history.register(
        history.Kind(
            key="indicator",
            model=Indicator,
            rows=lambda org: Indicator.all_objects.filter(organisation=org),
            url=lambda i: reverse("indicators:detail", args=[i.organisation.slug, i.pk]),
            related=(
                history.EventSource(Observation, "indicator_id", _value),
                history.EventSource(Target, "indicator_id", _target),
            ),
            soft_delete=True,
            restore=_restore,
            order=30,
        )
    )
    archive.register_part(
        archive.Part("indicators", lambda org: Indicator.objects.for_organisation(org).order_by("pk"), 30)
    )
    archive.register_part(
        archive.Part(
            "values",
            lambda org: Observation.objects.filter(indicator__organisation=org).order_by(
                "indicator", "period"
            ),
            31,
        )
    )
    archive.register_part(
        archive.Part(
            "targets",
            lambda org: Target.objects.filter(indicator__organisation=org).order_by("indicator", "period"),
            32,
        )
    )
