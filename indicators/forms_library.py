"""Forms of the shared indicator library."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from indicators.library import LibraryFilters, sdg_goal_choices
from indicators.models import ChainLevel, Direction, IndicatorTemplate, SdgTarget, Source
from organisations.forms import VersionedFormMixin
from organisations.params import parse_id

# Path segments of the library's own pages, which a template code would hide.
RESERVED_CODES = frozenset({"new", "sdg-targets"})


class TemplateForm(forms.ModelForm):
    """A template's definition and its place in the library."""

    class Meta:
        model = IndicatorTemplate
        fields = [
            "code", "name_fi", "name_sv", "name_en", "definition_fi", "definition_sv", "definition_en",
            "unit", "direction", "range_low", "range_high", "chain_level", "periodicity",
            "data_lag_months", "per_capita", "source", "source_table", "source_code",
            "theme", "kind", "sdg_targets",
        ]  # fmt: skip
        widgets = {
            "definition_fi": forms.Textarea(attrs={"rows": 3}),
            "definition_sv": forms.Textarea(attrs={"rows": 3}),
            "definition_en": forms.Textarea(attrs={"rows": 3}),
            "sdg_targets": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "code": _(
                "A short permanent name for addresses and imports, e.g. intl-eu-funding. "
                "Lower-case letters, digits and hyphens; it cannot be changed later."
            ),
            "range_low": _("Only for “within a range”: the lowest good value."),
            "range_high": _("Only for “within a range”: the highest good value."),
            "theme": _("e.g. EU funding, partnerships, talent, tourism, climate."),
            "unit": _("e.g. %, persons, €/resident."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        targets = cast(forms.ModelMultipleChoiceField, self.fields["sdg_targets"])
        targets.queryset = SdgTarget.objects.order_by("sort_key")
        if self.instance.pk:
            # The code is in addresses and in organisations' imports: it stays what it was.
            self.fields["code"].disabled = True
        self.fields["code"].widget.attrs.update(autocomplete="off", spellcheck="false")
        self.fields["theme"].widget.attrs.update(list="theme-suggestions", autocomplete="off")
        for lang in ("fi", "sv", "en"):
            # What is typed here is in that language, whatever the interface language is.
            self.fields[f"name_{lang}"].widget.attrs["lang"] = lang
            self.fields[f"definition_{lang}"].widget.attrs["lang"] = lang

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"]
        if not self.instance.pk:
            code = code.lower()
            if code in RESERVED_CODES:
                raise forms.ValidationError(_("This code is reserved for the library's own pages."))
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("direction") == Direction.RANGE:
            low, high = data.get("range_low"), data.get("range_high")
            if low is None:
                self.add_error("range_low", _("A range needs its low bound."))
            if high is None:
                self.add_error("range_high", _("A range needs its high bound."))
            if low is not None and high is not None and low >= high:
                self.add_error("range_high", _("The high bound must be greater than the low bound."))
        elif "direction" in data:
            # The bounds mean nothing for "higher/lower is better"; keeping them would only mislead.
            data["range_low"] = data["range_high"] = None
        source = data.get("source")
        code = (data.get("source_code") or "").strip()
        if source == Source.STATFIN and not code:
            self.add_error(
                "source_code", _("Give the metric code of the Statistics Finland table, e.g. M411.")
            )
        if source == Source.SOTKANET and parse_id(code) is None:
            self.add_error("source_code", _("A Sotkanet indicator id is a number, e.g. 127."))
        if source == Source.SOTKANET and (data.get("source_table") or "").strip():
            self.add_error("source_table", _("Sotkanet has no tables: leave this empty."))
        if source == Source.MANUAL:
            data["source_table"] = data["source_code"] = ""
        if "source_code" in data:
            data["source_code"] = code if source != Source.MANUAL else ""
        return data


class TemplateEditForm(VersionedFormMixin, TemplateForm):
    """Editing the working copy, with the version it started from."""


class PublishForm(forms.Form):
    change_note = forms.CharField(
        label=_("Change note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("What changed and why. Organisations that adopted the template read this."),
        error_messages={
            "required": _("Write a change note: organisations that adopted the template read it.")
        },
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class RetireForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class LibraryFilterForm(forms.Form):
    """The filters of the library list (a GET form; anything invalid is simply not applied)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    chain_level = forms.ChoiceField(label=_("Chain level"), required=False)
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    source = forms.ChoiceField(label=_("Data source"), required=False)
    sdg_goal = forms.TypedChoiceField(label=_("SDG goal"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args: Any, themes: list[tuple[str, str]], steward: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        anything: list[tuple[Any, Any]] = [("", _("all"))]
        self.fields["q"].widget = forms.TextInput(attrs={"type": "search", "autocomplete": "off"})
        cast(forms.ChoiceField, self.fields["chain_level"]).choices = anything + list(ChainLevel.choices)
        cast(forms.ChoiceField, self.fields["theme"]).choices = anything + themes
        cast(forms.ChoiceField, self.fields["source"]).choices = anything + list(Source.choices)
        cast(forms.ChoiceField, self.fields["sdg_goal"]).choices = anything + [
            (str(number), f"{number} {name}") for number, name in sdg_goal_choices()
        ]
        if steward:
            cast(forms.ChoiceField, self.fields["status"]).choices = anything + list(
                IndicatorTemplate.Status.choices
            )
        else:
            del self.fields["status"]

    def filters(self) -> LibraryFilters:
        # Keep what is valid: a stale link with one bad value still filters by the rest.
        self.is_valid()
        data = self.cleaned_data
        return LibraryFilters(
            q=(data.get("q") or "").strip(),
            chain_level=data.get("chain_level") or "",
            theme=data.get("theme") or "",
            source=data.get("source") or "",
            sdg_goal=data.get("sdg_goal"),
            status=data.get("status") or "",
        )

    @property
    def active(self) -> bool:
        return any(value for value in self.filters().__dict__.values())
