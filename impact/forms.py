"""Forms of international activities: the register filters, the activity with its partners, the chain,
contributions, progress reports, partnership reviews and the follow-up settings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import Q, QuerySet
from django.forms.models import BaseInlineFormSet, inlineformset_factory
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from impact.analysis import GoalOption
from impact.models import (
    Activity,
    ActivityKind,
    ActivitySettings,
    ActivityStatus,
    ChainStep,
    Contribution,
    FundingProgramme,
    Partner,
    PartnershipReview,
    ProgressReport,
)
from indicators.importers.errors import NumberError
from indicators.importers.numbers import parse_number
from indicators.models import Indicator
from organisations.collation import sorted_finnish
from organisations.forms import VersionedFormMixin
from organisations.models import Organisation, User

NO_PROGRAMME = "none"  # the register filter's value for "no external funding"
MAX_EUROS = Decimal("1e12")  # DecimalField(max_digits=14, decimal_places=2)
CENT = Decimal("0.01")


def euros(value: Decimal) -> str:
    """An amount as the forms show it: grouped, with decimals only when there are cents (1 234 567,5)."""
    places = 0 if value == value.to_integral() else 2
    return number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class EuroField(forms.CharField):
    """An amount in euros as people in Finland write it: 1 234 567,50 (or 1234567.50)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        # The length limit is the widget's only: the cleaned value is a Decimal, not a text.
        self.widget.attrs.update(inputmode="decimal", autocomplete="off", maxlength="40")

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal):
            text = f"{value.quantize(CENT):,.2f}".replace(",", " ").replace(".", ",")
            return text.removesuffix(",00")
        return value

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            number = parse_number(text.removesuffix("€").strip())
        except NumberError as error:
            raise ValidationError(str(error), code="number") from error
        if number < 0:
            raise ValidationError(_("An amount cannot be negative."), code="negative")
        if number >= MAX_EUROS:
            raise ValidationError(_("The amount is too large."), code="large")
        return number.quantize(CENT)


def member_choices(organisation: Organisation) -> QuerySet[User]:
    return User.objects.filter(memberships__organisation=organisation, is_active=True).order_by(
        "name", "username"
    )


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return cast(User, obj).display_name


# --- the register -------------------------------------------------------------------------------


def _indented(option: GoalOption) -> str:
    # No-break spaces indent sub-goals inside a <select>, where no markup is allowed.
    return "\u00a0\u00a0" * option.depth + option.label


class RegisterFilterForm(forms.Form):
    """The register's filters; every value is optional and they combine."""

    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False)
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    goal = forms.TypedChoiceField(label=gettext_lazy("Goal"), required=False, coerce=int, empty_value=None)
    programme = forms.ChoiceField(label=gettext_lazy("Funding programme"), required=False)
    country = forms.ChoiceField(label=gettext_lazy("Partner country"), required=False)
    year = forms.TypedChoiceField(
        label=gettext_lazy("Active in year"), required=False, coerce=int, empty_value=None
    )

    def __init__(
        self,
        data: Any,
        *,
        goal_options: Sequence[GoalOption],
        countries: Sequence[tuple[str, str]],
        years: Sequence[int],
    ) -> None:
        super().__init__(data)
        fields = self.fields
        cast(forms.ChoiceField, fields["kind"]).choices = [("", _("all kinds")), *ActivityKind.choices]
        cast(forms.ChoiceField, fields["status"]).choices = [("", _("all statuses")), *ActivityStatus.choices]
        cast(forms.ChoiceField, fields["goal"]).choices = [
            ("", _("all goals")),
            *((option.goal.pk, _indented(option)) for option in goal_options),
        ]
        programmes = [(value, label) for value, label in FundingProgramme.choices if value]
        cast(forms.ChoiceField, fields["programme"]).choices = [
            ("", _("all programmes")),
            (NO_PROGRAMME, _("no external funding")),
            *programmes,
        ]
        cast(forms.ChoiceField, fields["country"]).choices = [("", _("all countries")), *countries]
        cast(forms.ChoiceField, fields["year"]).choices = [("", _("any year")), *((y, y) for y in years)]
        for name, field in fields.items():
            field.widget.attrs["id"] = f"filter-{name}"

    def chosen(self) -> dict[str, Any]:
        """The valid, non-empty filter values (an invalid one is shown with its error and ignored)."""
        self.is_valid()
        return {key: value for key, value in self.cleaned_data.items() if value not in (None, "")}


# --- the activity -------------------------------------------------------------------------------


class ActivityForm(VersionedFormMixin, forms.ModelForm):
    total_budget = EuroField(label=gettext_lazy("Total budget (€)"))
    own_share = EuroField(
        label=gettext_lazy("Own share (€)"), help_text=gettext_lazy("What the organisation itself pays.")
    )
    external_funding = EuroField(
        label=gettext_lazy("External funding (€)"),
        help_text=gettext_lazy("EU, state and other funders' share."),
    )

    class Meta:
        model = Activity
        fields = [
            "name",
            "kind",
            "status",
            "start_date",
            "end_date",
            "description",
            "responsible",
            "programme",
            "total_budget",
            "own_share",
            "external_funding",
            "participants",
        ]
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "description": forms.Textarea(attrs={"rows": 4}),
        }
        field_classes = {"responsible": MemberChoiceField}

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(MemberChoiceField, self.fields["responsible"]).queryset = member_choices(organisation)
        kind = cast(forms.ChoiceField, self.fields["kind"])
        kind.choices = [("", _("Choose the kind")), *ActivityKind.choices]
        self.fields["programme"].help_text = _("The programme of the external funding, if any.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date must be on or after the start date."))
        total, own, external = data.get("total_budget"), data.get("own_share"), data.get("external_funding")
        if total is not None and (own or external) and (own or 0) + (external or 0) > total:
            self.add_error(
                "total_budget",
                _(
                    "The own share (%(own)s €) and the external funding (%(external)s €) add up to "
                    "%(sum)s €, more than the total budget of %(total)s €. Check the three amounts."
                )
                % {
                    "own": euros(own or Decimal(0)),
                    "external": euros(external or Decimal(0)),
                    "sum": euros((own or Decimal(0)) + (external or Decimal(0))),
                    "total": euros(total),
                },
            )
        return data


class PartnerForm(forms.ModelForm):
    class Meta:
        model = Partner
        fields = ["name", "country", "role"]


class BasePartnerFormSet(BaseInlineFormSet):
    def add_fields(self, form: Any, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this partner")


PartnerFormSet = inlineformset_factory(
    Activity,
    Partner,
    form=PartnerForm,
    formset=BasePartnerFormSet,
    extra=1,
    can_delete=True,
    max_num=100,
    validate_max=True,
    # The most forms a POST can make the server build: without it a crafted TOTAL_FORMS builds (and
    # renders back) max_num + 1000 of them, half a minute of work.
    absolute_max=100,
)


def partner_formset(data: Any, *, activity: Activity) -> Any:
    return PartnerFormSet(data, instance=activity, prefix="partners")


YES_NO = [(True, gettext_lazy("yes")), (False, gettext_lazy("no"))]


def _yes_no(label: str | Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value in (True, "True"),
        widget=forms.RadioSelect,
    )


class ReviewForm(VersionedFormMixin, forms.ModelForm):
    """The yearly review of a twin-town partnership or a network membership."""

    shared_goals = _yes_no(gettext_lazy("Do the partners share goals?"))
    joint_action_plan = _yes_no(gettext_lazy("Is there a joint action plan?"))
    cost = EuroField(label=gettext_lazy("Cost (€ per year)"))

    class Meta:
        model = PartnershipReview
        fields = [
            "reviewed_on",
            "shared_goals",
            "joint_action_plan",
            "last_joint_activity",
            "benefit",
            "cost",
            "decision",
            "reason",
        ]
        widgets = {
            "reviewed_on": DateInput(),
            "benefit": forms.Textarea(attrs={"rows": 3}),
            "reason": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None and not self.is_bound and not self.initial.get("reviewed_on"):
            self.initial["reviewed_on"] = timezone.localdate()  # model_to_dict put a None there
        self.fields["reason"].required = True
        self.fields["reason"].help_text = _("Why keep, renew, pause or end the relationship.")
        self.fields["decision"].help_text = _("Pause and end also change the activity's status.")
        self.fields["benefit"].help_text = _("What the organisation gained in the past year.")

    def clean_reviewed_on(self) -> dt.date:
        day: dt.date = self.cleaned_data["reviewed_on"]
        if day > timezone.localdate():
            raise ValidationError(_("A review cannot be dated in the future."))
        return day


class ActivityReviewForm(ReviewForm):
    """The optional review section of the activity form: left empty, no review is recorded."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, prefix="review", empty_permitted=True, use_required_attribute=False, **kwargs)
        self.initial.pop("reviewed_on", None)  # empty means "no review this time"
        self.fields["version"].required = False

    def has_changed(self) -> bool:
        # The version field is bookkeeping, not input.
        return any(name != "version" for name in self.changed_data)


# --- the impact chain ---------------------------------------------------------------------------


def deleted_indicator_label() -> str:
    """The option of a step's soft-deleted indicator: its name is not shown while it is deleted."""
    return _("the deleted indicator (kept until you choose another)")


class IndicatorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        indicator = cast(Indicator, obj)
        if indicator.deleted_at is not None:
            return deleted_indicator_label()
        return f"{indicator.name} ({indicator.get_chain_level_display()})"


class ChainStepForm(forms.ModelForm):
    class Meta:
        model = ChainStep
        fields = ["level", "description", "indicator"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
        field_classes = {"indicator": IndicatorChoiceField}

    def __init__(
        self, *args: Any, organisation: Organisation, indicators: list[Indicator] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = cast(IndicatorChoiceField, self.fields["indicator"])
        field.queryset = Indicator.objects.for_organisation(organisation)
        # A step measured by an indicator that was deleted (and can still be restored) keeps it until the
        # person chooses otherwise: without it among the choices, saving the step would drop the link.
        deleted = self.instance.indicator_id if self.instance.pk and self.instance.indicator_deleted else None
        if deleted is not None:
            field.queryset = Indicator.all_objects.filter(organisation=organisation).filter(
                Q(deleted_at__isnull=True) | Q(pk=deleted)
            )
        if indicators is not None:
            # Already fetched and sorted by the view: the select renders without another query.
            field.choices = [
                ("", _("not measured")),
                *([(deleted, deleted_indicator_label())] if deleted is not None else []),
                *((i.pk, field.label_from_instance(i)) for i in indicators),
            ]
        field.help_text = _("Optional: one of the organisation's indicators that measures this step.")
        field.empty_label = _("not measured")


class ChainStepEditForm(VersionedFormMixin, ChainStepForm):
    pass


def sorted_indicators(organisation: Organisation) -> list[Indicator]:
    return sorted_finnish(Indicator.objects.for_organisation(organisation), key=lambda i: str(i.name))


# --- contributions ------------------------------------------------------------------------------


class ContributionForm(forms.ModelForm):
    """Link the activity to a goal; the view fetches the goal through the organisation."""

    goal = forms.IntegerField(
        label=gettext_lazy("Goal"),
        error_messages={
            "required": gettext_lazy("Choose the goal that the activity serves."),
            "invalid": gettext_lazy("Choose the goal that the activity serves."),
        },
        widget=forms.HiddenInput,  # the template renders the goal tree as radio buttons
    )

    class Meta:
        model = Contribution
        fields = ["strength", "time_to_impact", "rationale"]
        widgets = {"rationale": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rationale"].help_text = _("How does the activity move this goal?")
        self.fields["strength"].help_text = _(
            "Direct: the activity itself changes the goal's indicators. Partial: one of several means. "
            "Enabling: it makes other work possible."
        )


class ContributionEditForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Contribution
        fields = ["strength", "time_to_impact", "rationale"]
        widgets = {"rationale": forms.Textarea(attrs={"rows": 3})}


# --- progress reports ---------------------------------------------------------------------------


class ProgressReportForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = ProgressReport
        fields = ["reported_on", "status", "achieved", "next_steps", "evidence_links"]
        widgets = {
            "reported_on": DateInput(),
            "achieved": forms.Textarea(attrs={"rows": 3}),
            "next_steps": forms.Textarea(attrs={"rows": 3}),
            "evidence_links": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None and not self.is_bound and not self.initial.get("reported_on"):
            self.initial["reported_on"] = timezone.localdate()  # model_to_dict put a None there
        status = cast(forms.ChoiceField, self.fields["status"])
        status.choices = [("", _("Choose the status")), *ProgressReport.Status.choices]

    def clean_reported_on(self) -> dt.date:
        day: dt.date = self.cleaned_data["reported_on"]
        if day > timezone.localdate():
            raise ValidationError(_("A report cannot be dated in the future."))
        return day

    def clean_evidence_links(self) -> str:
        lines = [line.strip() for line in self.cleaned_data["evidence_links"].splitlines() if line.strip()]
        validate = URLValidator(schemes=["http", "https"])
        for line in lines:
            try:
                validate(line)
            except ValidationError as error:
                raise ValidationError(
                    _("“%(line)s” is not a web address. Write one address per line, starting with https://.")
                    % {"line": line[:80]}
                ) from error
        return "\n".join(lines)


class ActivitySettingsForm(VersionedFormMixin, forms.ModelForm):
    report_interval_months = forms.IntegerField(
        label=gettext_lazy("Progress report interval (months)"),
        min_value=1,
        max_value=24,
        help_text=gettext_lazy("An ongoing activity is due to report this long after its previous report."),
    )

    class Meta:
        model = ActivitySettings
        fields = ["report_interval_months"]
