"""Forms of an organisation's indicators: adopt, create, edit, targets, values and the value grid."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any, cast

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators.analysis import input_number
from indicators.importers.numbers import parse_number
from indicators.library import unit_label
from indicators.models import ChainLevel, Indicator, Observation, ObservationStatus, Periodicity
from indicators.periods import PeriodError, parse_period, period_label
from organisations.collation import sorted_finnish
from organisations.forms import VersionedFormMixin
from organisations.models import Organisation, User
from organisations.params import parse_json, parse_version, parse_year

LANGUAGE_NAMES = {"fi": gettext_lazy("Finnish"), "sv": gettext_lazy("Swedish"), "en": gettext_lazy("English")}


def number_error(text: str, error: Exception) -> str:
    """The message for a number that could not be read (the parser's own message says why)."""
    return str(error) or _("“%(text)s” is not a number. Write it like 1 234,5.") % {"text": text}


def period_hint(periodicity: str) -> str:
    return {
        Periodicity.QUARTER: _("a quarter such as 2024Q2"),
        Periodicity.MONTH: _("a month such as 2024-03"),
    }.get(cast(Periodicity, periodicity), _("a year such as 2024"))


class NumberField(forms.CharField):
    """A number in Finnish (or plain) notation: 1 234,5 · 12,5 % · −3,2 · 1234.5."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # No max_length: its validator would run on the Decimal; the parser limits the length itself.
        self.widget.attrs.update(inputmode="decimal", autocomplete="off", maxlength="60")

    def prepare_value(self, value: Any) -> Any:
        return input_number(value) if isinstance(value, Decimal) else value

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            number = parse_number(text)
        except ValueError as error:
            raise forms.ValidationError(number_error(text, error), code="number") from error
        return number


class PeriodField(forms.CharField):
    """A period in the indicator's rhythm; the form converts it once it knows the periodicity."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        super().__init__(*args, **kwargs)
        self.widget.attrs.update(autocomplete="off", inputmode="text")


def read_period(text: str, periodicity: str) -> dt.date:
    try:
        return parse_period(text, periodicity)
    except PeriodError as error:
        raise forms.ValidationError(
            _("Write the period as %(hint)s.") % {"hint": period_hint(periodicity)}, code="period"
        ) from error


def member_choices(organisation: Organisation) -> forms.ModelChoiceField[User]:
    users = User.objects.filter(memberships__organisation=organisation, is_active=True)
    ordered = sorted_finnish(list(users), key=lambda u: u.display_name)
    field: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        queryset=users,
        required=False,
        label=_("Responsible person"),
        help_text=_("A member of the organisation who keeps the values up to date."),
        empty_label=_("(nobody yet)"),
    )
    field.choices = [("", _("(nobody yet)")), *((u.pk, u.display_name) for u in ordered)]
    return field


class TemplateSearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search the published templates"), required=False, max_length=100)
    chain_level = forms.ChoiceField(
        label=gettext_lazy("Chain level"),
        required=False,
        choices=[("", gettext_lazy("all levels")), *ChainLevel.choices],
    )


class _BaselineAndTargetMixin(forms.BaseForm):
    """Baseline and first target: periods read in the indicator's periodicity."""

    periodicity = Periodicity.YEAR

    def _periodicity(self) -> str:
        return self.periodicity

    def clean_baseline_period(self) -> dt.date | None:
        text = self.cleaned_data.get("baseline_period") or ""
        return read_period(text, self._periodicity()) if text else None

    def clean_target_period(self) -> dt.date | None:
        text = self.cleaned_data.get("target_period") or ""
        return read_period(text, self._periodicity()) if text else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            "baseline_value" in data
            and "baseline_period" in data
            and (data["baseline_value"] is None) != (data["baseline_period"] is None)
        ):
            self.add_error(
                "baseline_value" if data["baseline_value"] is None else "baseline_period",
                _("Give both the baseline value and its period, or neither."),
            )
        if "target_value" in self.fields and "target_value" in data and "target_period" in data:
            if (data["target_value"] is None) != (data["target_period"] is None):
                self.add_error(
                    "target_value" if data["target_value"] is None else "target_period",
                    _("Give both the target value and its period, or neither."),
                )
            baseline = data.get("baseline_period")
            if data.get("target_period") and baseline and data["target_period"] <= baseline:
                self.add_error("target_period", _("The target period must come after the baseline period."))
        return data

    def first_target(self) -> tuple[dt.date, Decimal] | None:
        period, value = self.cleaned_data.get("target_period"), self.cleaned_data.get("target_value")
        return (period, value) if period is not None and value is not None else None


class AdoptForm(_BaselineAndTargetMixin, forms.Form):
    template = forms.CharField(widget=forms.HiddenInput, max_length=50)
    baseline_value = NumberField(label=gettext_lazy("Baseline value"), required=False)
    baseline_period = PeriodField(
        label=gettext_lazy("Baseline period"),
        required=False,
        help_text=gettext_lazy("The period the baseline value describes, e.g. 2019."),
    )
    target_value = NumberField(label=gettext_lazy("First target value"), required=False)
    target_period = PeriodField(
        label=gettext_lazy("Target period"), required=False, help_text=gettext_lazy("e.g. 2030")
    )
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )

    def __init__(self, *args: Any, organisation: Organisation, periodicity: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.periodicity = cast(Periodicity, periodicity)
        self.fields["responsible"] = member_choices(organisation)
        self.order_fields(
            ["template", "baseline_value", "baseline_period", "responsible", "target_value", "target_period"]
        )


INDICATOR_FIELDS = [
    "unit", "direction", "range_low", "range_high", "chain_level", "periodicity", "data_lag_months",
    "per_capita", "source", "source_table", "source_code", "baseline_value", "baseline_period",
    "responsible", "note",
]  # fmt: skip
# An adopted indicator's definition follows its template; the organisation sets only these.
ADOPTED_FIELDS = ["baseline_value", "baseline_period", "responsible", "note"]


class IndicatorForm(VersionedFormMixin, _BaselineAndTargetMixin, forms.ModelForm):
    """An own indicator's definition (name in the organisation's content language), or an adopted
    indicator's own settings. With `creating`, also the first target (and no version)."""

    name = forms.CharField(label=gettext_lazy("Name"), max_length=255)
    definition_text = forms.CharField(
        label=gettext_lazy("Definition"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("What is counted, how, and from which source."),
    )
    range_low = NumberField(label=gettext_lazy("Range low bound"), required=False)
    range_high = NumberField(label=gettext_lazy("Range high bound"), required=False)
    baseline_value = NumberField(label=gettext_lazy("Baseline value"), required=False)
    baseline_period = PeriodField(
        label=gettext_lazy("Baseline period"), required=False, help_text=gettext_lazy("e.g. 2019")
    )
    target_value = NumberField(label=gettext_lazy("First target value"), required=False)
    target_period = PeriodField(
        label=gettext_lazy("Target period"), required=False, help_text=gettext_lazy("e.g. 2030")
    )

    class Meta:
        model = Indicator
        fields = INDICATOR_FIELDS

    def __init__(self, *args: Any, organisation: Organisation, creating: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.language = organisation.content_language or "fi"
        language_name = LANGUAGE_NAMES.get(self.language, self.language)
        self.fields["responsible"] = member_choices(organisation)
        if creating:
            del self.fields["version"]
        else:
            del self.fields["target_value"], self.fields["target_period"]
        if self.instance.is_adopted:
            for name in list(self.fields):
                if name not in {*ADOPTED_FIELDS, "version"}:
                    del self.fields[name]
        else:
            self.fields["name"].label = _("Name (in %(language)s)") % {"language": language_name}
            self.fields["definition_text"].label = _("Definition (in %(language)s)") % {
                "language": language_name
            }
            for name in ("name", "definition_text"):
                self.fields[name].widget.attrs["lang"] = self.language
            if not self.is_bound and self.instance.pk:
                self.initial["name"] = getattr(self.instance, f"name_{self.language}")
                self.initial["definition_text"] = getattr(self.instance, f"definition_{self.language}")
            self.fields["data_lag_months"].widget.attrs.update(min=0, max=120)
        if not self.is_bound and self.instance.pk and self.instance.baseline_period:
            self.initial["baseline_period"] = period_label(
                self.instance.baseline_period, self.instance.periodicity
            )

    def _periodicity(self) -> str:
        return str(self.data.get(self.add_prefix("periodicity")) or self.instance.periodicity or "year")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "direction" in self.fields and data.get("direction") == "range":
            low, high = data.get("range_low"), data.get("range_high")
            if low is None or high is None:
                self.add_error("range_low", _("A range needs both its low and its high bound."))
            elif low > high:
                self.add_error("range_high", _("The high bound must not be below the low bound."))
        return data

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]  # ModelForm's, which mypy does not see through the mixins
        if "name" in self.fields and "name" in self.cleaned_data:
            setattr(self.instance, f"name_{self.language}", self.cleaned_data["name"].strip())
            setattr(
                self.instance, f"definition_{self.language}", self.cleaned_data.get("definition_text", "")
            )


class TargetForm(forms.Form):
    period = PeriodField(label=gettext_lazy("Period"), help_text=gettext_lazy("e.g. 2030"))
    value = NumberField(label=gettext_lazy("Target value"))
    reason = forms.CharField(
        label=gettext_lazy("Reason for the revision"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Required when the period already has a target: the old one is kept."),
    )

    def __init__(self, *args: Any, indicator: Indicator, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        self.fields["period"].help_text = _("Write it as %(hint)s.") % {
            "hint": period_hint(indicator.periodicity)
        }

    def clean_period(self) -> dt.date:
        return read_period(self.cleaned_data["period"], self.indicator.periodicity)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("value") is None and "value" not in self.errors:
            self.add_error("value", _("Enter the target value."))
        return data


class ValueForm(forms.Form):
    """One value with its status; `version` is the version of the value the editor saw (0: none)."""

    period = PeriodField(label=gettext_lazy("Period"))
    value = NumberField(label=gettext_lazy("Value"), required=False)
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=ObservationStatus.choices)
    missing_reason = forms.CharField(
        label=gettext_lazy("Reason the value is missing"), required=False, max_length=255
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=255)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, initial=0)

    def __init__(self, *args: Any, indicator: Indicator, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        self.fields["period"].help_text = _("Write it as %(hint)s.") % {
            "hint": period_hint(indicator.periodicity)
        }

    @classmethod
    def for_observation(cls, observation: Observation, *, indicator: Indicator) -> ValueForm:
        return cls(
            indicator=indicator,
            initial={
                "period": period_label(observation.period, indicator.periodicity),
                "value": observation.value,
                "status": observation.status,
                "missing_reason": observation.missing_reason,
                "note": observation.note,
                "version": observation.version,
            },
        )

    def clean_period(self) -> dt.date:
        return read_period(self.cleaned_data["period"], self.indicator.periodicity)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == ObservationStatus.MISSING:
            if data.get("value") is not None:
                self.add_error("value", _("A missing value has no number: empty this field."))
            if not (data.get("missing_reason") or "").strip():
                self.add_error("missing_reason", _("Say why the value is missing."))
        elif "status" in data and data.get("value") is None and "value" not in self.errors:
            self.add_error("value", _("Enter the value, or choose the status “missing” and give a reason."))
        return data


# --- the bulk entry grid -------------------------------------------------------------------------

GRID_YEARS = 8
GRID_MAX_YEARS = 30
GRID_FIRST_YEAR, GRID_LAST_YEAR = 1900, 2100  # the years the grid shows at all


@dataclass
class GridCell:
    indicator: Indicator
    year: int
    text: str  # what the input shows: the stored value, or what the person typed
    original: str  # the stored value when the grid was opened
    version: int  # the stored observation's version when the grid was opened (0: none)
    status: str = ""  # the stored observation's status
    error: str = ""

    # Computed once a cell: the grid renders hundreds of cells and reads these several times each.
    @cached_property
    def name(self) -> str:
        return f"v-{self.indicator.pk}-{self.year}"

    @cached_property
    def key(self) -> str:
        return f"{self.indicator.pk}-{self.year}"

    @cached_property
    def label(self) -> str:
        """The input's accessible name: the indicator and the year."""
        return f"{self.indicator.name} {self.year}"

    @property
    def period(self) -> dt.date:
        return dt.date(self.year, 1, 1)

    @property
    def described_by(self) -> str:
        """The ids of the cell's error and status notes, for aria-describedby."""
        ids = [f"err-{self.key}"] if self.error else []
        if self.status in {ObservationStatus.PRELIMINARY, ObservationStatus.MISSING}:
            ids.append(f"st-{self.key}")
        return " ".join(ids)


@dataclass
class GridRow:
    indicator: Indicator
    cells: list[GridCell] = field(default_factory=list)

    @property
    def unit(self) -> str:
        return unit_label(self.indicator.unit)


def grid_years(params: dict[str, str], today: dt.date) -> tuple[list[int], str]:
    """The years of the grid's columns from ?from=&to= (default: the last eight), and a message
    when the request asked for something the grid cannot show."""
    message = ""
    last, first = today.year, today.year - GRID_YEARS + 1
    to_year, from_year = parse_year(params.get("to")), parse_year(params.get("from"))
    if (params.get("to") and to_year is None) or (params.get("from") and from_year is None):
        message = _("The years must be numbers such as 2019; showing the last eight years.")
    else:
        last = to_year or last
        first = from_year or last - GRID_YEARS + 1
    if not (GRID_FIRST_YEAR <= first <= last <= GRID_LAST_YEAR) or last - first + 1 > GRID_MAX_YEARS:
        last, first = today.year, today.year - GRID_YEARS + 1
        message = _("Choose at most %(count)s years between 1900 and 2100; showing the last eight years.") % {
            "count": GRID_MAX_YEARS
        }
    return list(range(first, last + 1)), message


class ValueGrid:
    """Indicators × years of text inputs, read back all at once.

    The page carries, in one hidden field, the version and text of every stored value as it was when
    the grid was opened: a cell whose text is unchanged is not written, and a cell whose stored value
    moved on meanwhile is a conflict rather than a silent overwrite.
    """

    def __init__(
        self,
        indicators: list[Indicator],
        years: list[int],
        data: dict[str, str] | None = None,
    ) -> None:
        self.years = years
        self.rows: list[GridRow] = []
        self.errors = 0
        self.data = data
        state: dict[str, Any] = {}
        if data is not None:
            # What the page said each cell held when it was opened; the browser sends it back, so any
            # shape can come: a cell whose entry is not [version, text] counts as opened empty.
            loaded = parse_json(data.get("grid-state") or "{}")
            state = loaded if isinstance(loaded, dict) else {}
        for indicator in indicators:
            # Filled from the prefetched observations of the grid's years.
            stored = {o.period.year: o for o in indicator.observations.all()}
            row = GridRow(indicator)
            for year in years:
                observation = stored.get(year)
                text = input_number(observation.value) if observation is not None else ""
                version = observation.version if observation is not None else 0
                cell = GridCell(
                    indicator, year, text, text, version, observation.status if observation else ""
                )
                if data is not None:
                    seen = state.get(cell.key)
                    opened = seen if isinstance(seen, list) and len(seen) == 2 else [None, None]
                    opened_version = parse_version(opened[0])
                    if opened_version is not None and isinstance(opened[1], str):
                        cell.version, cell.original = opened_version, opened[1][:40]
                    else:
                        cell.version, cell.original = 0, ""
                    typed = data.get(cell.name)
                    if typed is not None:
                        cell.text = typed.strip()[:40]
                row.cells.append(cell)
            self.rows.append(row)

    def state_json(self) -> str:
        return json.dumps(
            {cell.key: [cell.version, cell.original] for row in self.rows for cell in row.cells},
            separators=(",", ":"),
        )

    def changes(self) -> list[tuple[GridCell, Decimal]]:
        """The changed cells and their numbers; marks every invalid cell with its message."""
        changed: list[tuple[GridCell, Decimal]] = []
        self.errors = 0
        for row in self.rows:
            for cell in row.cells:
                cell.error = ""
                if cell.text == cell.original:
                    continue
                if not cell.text:
                    cell.error = _(
                        "A saved value cannot be emptied here. To remove it, mark it missing "
                        "with a reason on the indicator's page."
                    )
                    self.errors += 1
                    continue
                try:
                    number = parse_number(cell.text)
                except ValueError as error:
                    cell.error = number_error(cell.text, error)
                    self.errors += 1
                    continue
                if cell.original:
                    try:
                        if parse_number(cell.original) == number:
                            continue  # the same number written another way
                    except ValueError:
                        pass
                changed.append((cell, number))
        return changed

    def cell(self, indicator_pk: int, year: int) -> GridCell | None:
        for row in self.rows:
            if row.indicator.pk == indicator_pk:
                return next((c for c in row.cells if c.year == year), None)
        return None
