"""The writes of an organisation's indicators that touch several rows at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators.library import published_definition
from indicators.models import (
    Indicator,
    IndicatorTemplate,
    Observation,
    ObservationSource,
    ObservationStatus,
    Target,
)
from organisations.models import Membership, Organisation

_DECIMAL_FIELDS = {"range_low", "range_high"}


class IndicatorError(Exception):
    """A change the rules do not allow; the message is for the user."""


class TargetReasonRequired(IndicatorError):
    """A revision of a target needs the reason it is revised."""


class StaleValues(Exception):
    """Values changed by someone else since the editor loaded them; nothing was saved."""

    def __init__(self, keys: list[tuple[int, dt.date]]) -> None:
        super().__init__("values were changed by someone else")
        self.keys = keys


def _user(by: Any) -> Any:
    return by if getattr(by, "is_authenticated", False) else None


def newest_definition(template: IndicatorTemplate) -> dict[str, Any]:
    """The definition of the template's newest published version (not the stewards' working copy)."""
    return dict(published_definition(template) or template.definition_snapshot())


def _apply_definition(indicator: Indicator, definition: dict[str, Any]) -> None:
    for name in Indicator.DEFINITION_FIELDS:
        if name not in definition:
            continue
        value = definition[name]
        if name in _DECIMAL_FIELDS:
            value = Decimal(str(value)) if value not in (None, "") else None
        elif value is None:
            value = ""
        setattr(indicator, name, value)


def _check_responsible(organisation: Organisation, responsible: Any) -> None:
    if (
        responsible is not None
        and not Membership.objects.filter(organisation=organisation, user=responsible).exists()
    ):
        raise IndicatorError(_("The responsible person must be a member of the organisation."))


@transaction.atomic
def adopt_template(
    *,
    template: IndicatorTemplate,
    organisation: Organisation,
    by: Any,
    baseline_value: Decimal | None = None,
    baseline_period: dt.date | None = None,
    responsible: Any = None,
    first_target: tuple[dt.date, Decimal] | None = None,
    note: str = "",
) -> Indicator:
    """Adopt a published template: copy its newest definition and record which version it was."""
    if template.status != IndicatorTemplate.Status.PUBLISHED:
        raise IndicatorError(_("Only published templates can be adopted."))
    if Indicator.objects.filter(organisation=organisation, template=template).exists():
        raise IndicatorError(_("The organisation has already adopted this template."))
    _check_responsible(organisation, responsible)
    indicator = Indicator(
        organisation=organisation,
        template=template,
        template_version=template.published_version,
        baseline_value=baseline_value,
        baseline_period=baseline_period,
        responsible=responsible,
        note=note,
    )
    _apply_definition(indicator, newest_definition(template))
    indicator.save_new(by=by)
    if first_target is not None:
        set_target(indicator=indicator, period=first_target[0], value=first_target[1], reason="", by=by)
    return indicator


@transaction.atomic
def create_indicator(
    *, indicator: Indicator, by: Any, first_target: tuple[dt.date, Decimal] | None = None
) -> Indicator:
    """Save an organisation's own indicator (not from a template), with its first target."""
    _check_responsible(indicator.organisation, indicator.responsible)
    indicator.template = None
    indicator.template_version = None
    indicator.save_new(by=by)
    if first_target is not None:
        set_target(indicator=indicator, period=first_target[0], value=first_target[1], reason="", by=by)
    return indicator


@transaction.atomic
def accept_template_version(
    *, indicator: Indicator, by: Any, expected_version: int | None = None
) -> Indicator:
    """Take the template's newest published definition into the indicator."""
    if indicator.template is None:
        raise IndicatorError(_("This indicator was not adopted from a template."))
    template = IndicatorTemplate.objects.get(pk=indicator.template.pk)
    _apply_definition(indicator, newest_definition(template))
    indicator.template_version = template.published_version
    indicator.template_version_dismissed = None
    indicator.save_if_current(
        expected_version=indicator.version if expected_version is None else expected_version, by=by
    )
    return indicator


@transaction.atomic
def keep_template_version(*, indicator: Indicator, by: Any, expected_version: int | None = None) -> Indicator:
    """Keep the definition in use and stop announcing the template's newest version."""
    if indicator.template is None:
        raise IndicatorError(_("This indicator was not adopted from a template."))
    template = IndicatorTemplate.objects.get(pk=indicator.template.pk)
    indicator.template_version_dismissed = template.published_version
    indicator.save_if_current(
        expected_version=indicator.version if expected_version is None else expected_version, by=by
    )
    return indicator


@transaction.atomic
def set_target(*, indicator: Indicator, period: dt.date, value: Decimal, reason: str, by: Any) -> Target:
    """Set the target of a period. A revision keeps the old target (replaced, with the reason)."""
    reason = reason.strip()
    current = (
        Target.objects.select_for_update(of=("self",))
        .filter(indicator=indicator, period=period, superseded_at__isnull=True)
        .first()
    )
    if current is not None:
        if current.value == value:
            raise IndicatorError(_("That is already the target for this period."))
        if not reason:
            raise TargetReasonRequired(
                _("Say why the target is revised: the old target is kept with the reason.")
            )
        now = timezone.now()
        Target.objects.filter(pk=current.pk).update(
            superseded_at=now,
            updated_at=now,
            updated_by=_user(by),
            version=current.version + 1,
        )
    target = Target(indicator=indicator, period=period, value=value, reason=reason)
    target.save_new(by=by)
    return target


@dataclass(frozen=True)
class ValueEntry:
    """One value to record. expected_version: the version the editor saw (0: no value yet; None: any)."""

    indicator: Indicator
    period: dt.date
    value: Decimal | None
    status: str = ObservationStatus.FINAL
    missing_reason: str = ""
    note: str = ""
    expected_version: int | None = None

    @property
    def key(self) -> tuple[int, dt.date]:
        return (self.indicator.pk, self.period)


@dataclass(frozen=True)
class RecordResult:
    created: int
    updated: int
    unchanged: int


def _check_entry(entry: ValueEntry) -> None:
    if entry.status == ObservationStatus.MISSING:
        if entry.value is not None:
            raise IndicatorError(_("A missing value has no number."))
        if not entry.missing_reason.strip():
            raise IndicatorError(_("Say why the value is missing."))
    elif entry.value is None:
        raise IndicatorError(_("Enter a value, or mark it missing with a reason."))


@transaction.atomic
def record_values(
    *,
    indicator_values: Sequence[ValueEntry],
    by: Any,
    source: str = ObservationSource.TYPED,
    provenance: str = "",
) -> RecordResult:
    """Record many values at once (the grid's save): all of them or none.

    One observation per indicator and period: an existing one is updated (its old values stay in the
    audit history), a new one inserted. Entries equal to what is stored are not written. Raises
    StaleValues when a value moved on since the editor loaded it, IndicatorError for an invalid entry.
    """
    for entry in indicator_values:
        _check_entry(entry)
    keys = {entry.key for entry in indicator_values}
    if len(keys) != len(indicator_values):
        raise IndicatorError(_("The same indicator and period appear twice."))
    if not keys:
        return RecordResult(0, 0, 0)
    existing = {
        (o.indicator_id, o.period): o
        for o in Observation.objects.select_for_update(of=("self",)).filter(
            indicator_id__in={k[0] for k in keys}, period__in={k[1] for k in keys}
        )
        if (o.indicator_id, o.period) in keys
    }
    stale = [
        entry.key
        for entry in indicator_values
        if entry.expected_version is not None
        and (existing[entry.key].version if entry.key in existing else 0) != entry.expected_version
    ]
    if stale:
        raise StaleValues(stale)

    user, now = _user(by), timezone.now()
    new: list[Observation] = []
    changed: list[Observation] = []
    unchanged = 0
    for entry in indicator_values:
        values = {
            "value": entry.value,
            "status": entry.status,
            "missing_reason": entry.missing_reason.strip()
            if entry.status == ObservationStatus.MISSING
            else "",
            "note": entry.note.strip(),
        }
        observation = existing.get(entry.key)
        if observation is None:
            new.append(
                Observation(
                    indicator=entry.indicator,
                    period=entry.period,
                    source=source,
                    provenance=provenance,
                    created_by=user,
                    updated_by=user,
                    created_at=now,
                    updated_at=now,
                    **values,
                )
            )
            continue
        if all(getattr(observation, name) == value for name, value in values.items()):
            unchanged += 1
            continue
        for name, value in values.items():
            setattr(observation, name, value)
        observation.source, observation.provenance, observation.retrieved_at = source, provenance, None
        observation.version += 1
        observation.updated_at, observation.updated_by = now, user
        changed.append(observation)
    try:
        with transaction.atomic():
            Observation.objects.bulk_create(new)
    except IntegrityError as error:
        # Someone inserted the same indicator and period after our read: a conflict, not a crash.
        raise StaleValues([(o.indicator_id, o.period) for o in new]) from error
    Observation.objects.bulk_update(
        changed,
        [
            "value", "status", "missing_reason", "note", "source", "provenance", "retrieved_at",
            "version", "updated_at", "updated_by",
        ],
    )  # fmt: skip
    return RecordResult(created=len(new), updated=len(changed), unchanged=unchanged)
