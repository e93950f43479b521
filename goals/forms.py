"""Forms of strategies and goals."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from goals.models import Goal, Strategy
from goals.services import DeleteChildren
from organisations.collation import sorted_finnish
from organisations.forms import VersionedFormMixin
from organisations.models import Organisation, User

FIRST_YEAR, LAST_YEAR = 2000, 2100


def _year_widget() -> forms.NumberInput:
    return forms.NumberInput(attrs={"min": FIRST_YEAR, "max": LAST_YEAR, "inputmode": "numeric"})


def _date_widget() -> forms.DateInput:
    # An ISO value is what <input type="date"> shows and sends; the field also reads 31.12.2029.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _check_term(form: forms.BaseForm, cleaned: dict[str, Any]) -> None:
    start, end = cleaned.get("term_start"), cleaned.get("term_end")
    for name, year in (("term_start", start), ("term_end", end)):
        if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
            form.add_error(
                name,
                _("Give a year between %(first)s and %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR},
            )
    if start is not None and end is not None and end < start:
        form.add_error("term_end", _("The council term cannot end before it starts."))


class StrategyForm(forms.ModelForm):
    """A strategy for a council term."""

    class Meta:
        model = Strategy
        fields = ["name", "term_start", "term_end", "vision", "status", "approved_on"]
        widgets = {
            "term_start": _year_widget(),
            "term_end": _year_widget(),
            "vision": forms.Textarea(attrs={"rows": 3}),
            "approved_on": _date_widget(),
        }
        help_texts = {
            "term_start": _("The year the council term starts, e.g. 2025."),
            "term_end": _("The year it ends, e.g. 2029."),
            "vision": _("The strategy's vision in a sentence or two."),
            "approved_on": _("The date the council approved the strategy."),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _check_term(self, cleaned)
        if cleaned.get("status") == Strategy.Status.APPROVED and not cleaned.get("approved_on"):
            self.add_error("approved_on", _("An approved strategy needs the date it was approved."))
        return cleaned


class StrategyEditForm(VersionedFormMixin, StrategyForm):
    """Editing a strategy: the version the editor started from travels with the form."""


class NextTermForm(forms.Form):
    """The next council term's strategy, carried over from this one."""

    name = forms.CharField(label=_("Name"), max_length=255)
    term_start = forms.IntegerField(label=_("Council term starts"), widget=_year_widget())
    term_end = forms.IntegerField(label=_("Council term ends"), widget=_year_widget())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _check_term(self, cleaned)
        return cleaned


class OwnerField(forms.ModelChoiceField):
    """The organisation's members, sorted by the Finnish alphabet."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


def owner_field(organisation: Organisation) -> OwnerField:
    users = User.objects.filter(memberships__organisation=organisation, is_active=True)
    field = OwnerField(
        queryset=users,
        required=False,
        label=_("Owner"),
        help_text=_("The person responsible for following the goal up."),
        empty_label=_("(nobody yet)"),
    )
    field.choices = [
        ("", _("(nobody yet)")),
        *((u.pk, u.display_name) for u in sorted_finnish(users, key=lambda u: u.display_name)),
    ]
    return field


class GoalForm(forms.ModelForm):
    """A goal's own fields (its place in the tree is changed with the tree's buttons)."""

    class Meta:
        model = Goal
        fields = ["title", "code", "description", "owner", "target_date"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "target_date": _date_widget(),
            "code": forms.TextInput(attrs={"autocomplete": "off"}),
        }
        help_texts = {
            "title": _("Say what should be different, e.g. “Foreign-language residents find work”."),
            "target_date": _("When the goal should be reached."),
        }

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"] = owner_field(organisation)
        # The title is what a person came to write: the cursor starts there (also inside the tree).
        self.fields["title"].widget.attrs.update(autocomplete="off", autofocus=True)


class GoalEditForm(VersionedFormMixin, GoalForm):
    """Editing a goal, with the version the editor started from."""


class GoalDeleteForm(forms.Form):
    """What to do with the sub-goals of a goal that is deleted."""

    children = forms.ChoiceField(
        label=_("What happens to its sub-goals?"),
        choices=DeleteChildren.choices,
        widget=forms.RadioSelect,
        initial=DeleteChildren.LIFT,
    )

    def __init__(self, *args: Any, has_children: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not has_children:
            # Nothing to choose: the field stays out of the form.
            del self.fields["children"]

    @property
    def choice(self) -> str:
        return str(self.cleaned_data.get("children") or DeleteChildren.LIFT)
