"""The filters of the national comparison: a template, one's own organisation, and the peers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from indicators.national import Member, Peers, TemplateInfo


class LangSelect(forms.Select):
    """A select whose options carry the `lang` of their text (names fall back to another language)."""

    def __init__(self, *args: Any, langs: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.langs = langs or {}

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option: dict[str, Any] = super().create_option(name, value, *args, **kwargs)
        lang = self.langs.get(str(value))
        if lang:
            option["attrs"]["lang"] = lang
        return option


class LangSelectMultiple(LangSelect, forms.SelectMultiple):
    pass


class NationalFilterForm(forms.Form):
    """What to compare, read from the URL (GET), so that every view of the comparison has an address."""

    template = forms.ChoiceField(label=_("Indicator"), required=False)
    org = forms.ChoiceField(label=_("Your organisation"), required=False)
    peers = forms.ChoiceField(label=_("Compare with"), required=False, widget=forms.RadioSelect)
    chosen = forms.MultipleChoiceField(
        label=_("Organisations of the chosen list"),
        required=False,
        help_text=_(
            "Used when “a chosen list” is selected. Only organisations that share their data are listed."
        ),
    )

    def __init__(
        self,
        data: Any,
        *,
        templates: Sequence[TemplateInfo],
        own: Sequence[Member],
        members: Sequence[Member],
    ) -> None:
        super().__init__(data)
        template_field: Any = self.fields["template"]
        template_field.widget = LangSelect(langs={info.code: info.name.lang for info in templates})
        template_field.choices = [
            (
                info.code,
                ngettext(
                    "%(name)s (%(count)s sharing organisation)",
                    "%(name)s (%(count)s sharing organisations)",
                    info.sharing_count,
                )
                % {"name": info.name, "count": info.sharing_count},
            )
            for info in templates
        ]
        org_field: Any = self.fields["org"]
        org_field.widget = LangSelect(langs={member.slug: member.name.lang for member in own})
        org_field.choices = [(member.slug, str(member.name)) for member in own]
        peer_choices = (
            [Peers.ALL, Peers.REGION, Peers.POPULATION, Peers.CHOSEN]
            if own
            else [
                Peers.ALL,
                Peers.CHOSEN,
            ]
        )
        peers_field: Any = self.fields["peers"]
        peers_field.choices = [(value, Peers.LABELS[value]) for value in peer_choices]
        chosen_field: Any = self.fields["chosen"]
        chosen_field.widget = LangSelectMultiple(
            langs={member.slug: member.name.lang for member in members},
            attrs={"size": min(8, max(len(members), 2)), "aria-describedby": "id_chosen-help"},
        )
        chosen_field.choices = [(member.slug, member.label) for member in members]

    def value_of(self, name: str, default: Any) -> Any:
        """The valid value of a field, or the default when it is missing or invalid."""
        if not self.is_bound or not hasattr(self, "cleaned_data"):
            self.is_valid()
        value = self.cleaned_data.get(name)
        return value if value else default
