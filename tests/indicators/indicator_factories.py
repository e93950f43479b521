"""Factories for an organisation's indicators: templates, indicators, values and targets."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from indicators.models import (
    Indicator,
    IndicatorTemplate,
    Observation,
    Target,
    TemplateVersion,
)
from organisations.models import Organisation

_seq = itertools.count(1)


def make_template(
    *, code: str = "", name_fi: str = "", published: bool = True, **fields: Any
) -> IndicatorTemplate:
    """A template; published ones have version 1 with the definition snapshot."""
    n = next(_seq)
    fields.setdefault("chain_level", "outcome")
    fields.setdefault("unit", "%")
    template = IndicatorTemplate.objects.create(
        code=code or f"test-template-{n}",
        name_fi=name_fi or f"Mallimittari {n}",
        status=IndicatorTemplate.Status.PUBLISHED if published else IndicatorTemplate.Status.DRAFT,
        published_version=1 if published else 0,
        **fields,
    )
    if published:
        TemplateVersion.objects.create(
            template=template, number=1, definition=template.definition_snapshot(), change_note="Initial"
        )
    return template


def publish_version(template: IndicatorTemplate, *, change_note: str = "Changed", **changes: Any) -> int:
    """Change the template and publish the change as its next version; returns the version number."""
    for name, value in changes.items():
        setattr(template, name, value)
    template.published_version += 1
    template.save()
    TemplateVersion.objects.create(
        template=template,
        number=template.published_version,
        definition=template.definition_snapshot(),
        change_note=change_note,
    )
    return template.published_version


def make_indicator(
    *,
    organisation: Organisation,
    name: str = "",
    template: IndicatorTemplate | None = None,
    baseline: tuple[int, float | str] | None = None,
    **fields: Any,
) -> Indicator:
    n = next(_seq)
    fields.setdefault("chain_level", "outcome")
    if template is not None:
        definition = template.definition_snapshot()
        for key, value in definition.items():
            if key in {"range_low", "range_high"}:
                value = Decimal(value) if value not in (None, "") else None
            fields.setdefault(key, value)
        fields.setdefault("template_version", template.published_version)
    else:
        fields.setdefault("name_fi", name or f"Mittari {n}")
    if baseline is not None:
        fields.setdefault("baseline_period", dt.date(baseline[0], 1, 1))
        fields.setdefault("baseline_value", Decimal(str(baseline[1])))
    return Indicator.objects.create(organisation=organisation, template=template, **fields)


def add_values(
    indicator: Indicator, values: dict[int, float | str | None], **fields: Any
) -> list[Observation]:
    """Yearly observations; None makes a missing one (with a reason)."""
    rows = []
    for year, value in values.items():
        if value is None:
            rows.append(
                Observation(
                    indicator=indicator,
                    period=dt.date(year, 1, 1),
                    value=None,
                    status="missing",
                    missing_reason="not published",
                    **fields,
                )
            )
        else:
            rows.append(
                Observation(
                    indicator=indicator, period=dt.date(year, 1, 1), value=Decimal(str(value)), **fields
                )
            )
    return Observation.objects.bulk_create(rows)


def add_target(indicator: Indicator, year: int, value: float | str, **fields: Any) -> Target:
    return Target.objects.create(
        indicator=indicator, period=dt.date(year, 1, 1), value=Decimal(str(value)), **fields
    )
