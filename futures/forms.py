"""Forms of the foresight pages: drivers, weak signals, futures tables, stories and what hangs on them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from futures.models import (
    Driver,
    FuturesTable,
    FutureStory,
    Implication,
    IncompatiblePair,
    Megatrend,
    Milestone,
    Signpost,
    Variable,
    VariableValue,
    WeakSignal,
)
from goals.models import Goal, Strategy
from goals.tree import build_tree, flatten
from indicators.importers.errors import NumberError
from indicators.importers.numbers import parse_number
from indicators.models import Indicator
from organisations.collation import sorted_finnish
from organisations.forms import VersionedFormMixin
from organisations.models import Membership, Organisation
from organisations.richtext import sanitise


class QuickSelect(forms.Select):
    """A <select> written in one pass: the same HTML as the form renderer's select template
    (organisations/form_templates/django/forms/widgets/select.html), without a template node per option.

    The story page has four pickers with a few hundred options (goals twice, indicators, drivers); through the
    template they were most of the page's time. Grouped options and widgets with their own option template
    go through the template as before.
    """

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> Any:
        context = self.get_context(name, value, attrs)
        widget = context["widget"]
        groups = widget["optgroups"]
        if any(group_name for group_name, _choices, _index in groups) or any(
            option["template_name"] != "django/forms/widgets/select_option.html"
            for _name, choices, _index in groups
            for option in choices
        ):
            return super().render(name, value, attrs, renderer)
        parts = [f'<select name="{conditional_escape(widget["name"])}"{_attributes(widget["attrs"])}>']
        for _name, choices, _index in groups:
            for option in choices:
                parts.append(
                    f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                    f"{_attributes(option['attrs'])}>{conditional_escape(localize(option['label']))}</option>\n"
                )
        parts.append("\n</select>\n")
        # The renderer strips what the template wrote (django.forms.renderers.BaseRenderer.render).
        return mark_safe("".join(parts).strip())  # noqa: S308 (every value above is escaped)


def _attributes(attrs: dict[str, Any]) -> str:
    """django/forms/widgets/attrs.html: ` name="value"`, ` name` for True, nothing for False."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


STRENGTH_CHOICES = [
    (1, gettext_lazy("1 – weak")),
    (2, gettext_lazy("2 – clear")),
    (3, gettext_lazy("3 – strong")),
]


def megatrend_label(megatrend: Megatrend) -> str:
    edition = str(megatrend.edition)
    if not megatrend.is_current:
        edition = _("%(edition)s, archived") % {"edition": edition}
    return f"{megatrend.name} ({edition})"


class MegatrendChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return megatrend_label(obj)


class MegatrendsChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return megatrend_label(obj)


def _megatrends() -> QuerySet[Megatrend]:
    return Megatrend.objects.order_by("-is_current", "-edition", "number")


CurrentGoals = tuple[Strategy | None, list[tuple[Goal, int]]]


def current_goals(organisation: Organisation) -> CurrentGoals:
    """The organisation's current strategy and its goals in tree order, with their depth."""
    strategy = Strategy.objects.for_organisation(organisation).current()
    if strategy is None:
        return None, []
    nodes = flatten(build_tree(Goal.objects.filter(strategy=strategy)))
    return strategy, [(node.goal, node.depth) for node in nodes]


class GoalChoiceMixin:
    """A goal field offering the current strategy's goals in tree order (indented by level)."""

    fields: dict[str, forms.Field]

    def _set_goal_choices(
        self, organisation: Organisation, *, required: bool, current: CurrentGoals | None = None
    ) -> None:
        """`current`: current_goals(organisation) when the page has it already (two forms need it)."""
        strategy, goals = current if current is not None else current_goals(organisation)
        field = cast(forms.ModelChoiceField, self.fields["goal"])  # type: ignore[type-arg]
        field.queryset = Goal.objects.filter(strategy=strategy) if strategy else Goal.objects.none()
        field.required = required
        empty = [("", _("Choose a goal") if required else _("No goal"))]
        field.choices = empty + [(goal.pk, ("\u2003" * depth) + str(goal)) for goal, depth in goals]  # type: ignore[assignment]
        if strategy:
            field.help_text = _("Goals of the strategy “%(name)s”.") % {"name": strategy.name}
        else:
            field.help_text = _("The organisation has no strategy yet: add the strategy and its goals first.")


# --- drivers and weak signals ---------------------------------------------------------------------


class DriverForm(forms.ModelForm):  # type: ignore[type-arg]
    megatrend = MegatrendChoiceField(
        queryset=Megatrend.objects.none(),
        required=False,
        label=gettext_lazy("Megatrend"),
        empty_label=gettext_lazy("None: the organisation's own driver"),
        help_text=gettext_lazy("The Sitra megatrend this driver is part of, if any."),
    )

    class Meta:
        model = Driver
        fields = ["name", "megatrend", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(MegatrendChoiceField, self.fields["megatrend"]).queryset = _megatrends()


class DriverEditForm(VersionedFormMixin, DriverForm):
    pass


class WeakSignalForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = WeakSignal
        fields = ["signal", "observed_on", "source_url", "interpretation", "drivers"]
        widgets = {
            "observed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "interpretation": forms.Textarea(attrs={"rows": 3}),
            "drivers": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "signal": gettext_lazy("What was seen, in a sentence."),
            "interpretation": gettext_lazy("What it could mean for the organisation if it grows."),
        }

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        drivers = cast(forms.ModelMultipleChoiceField, self.fields["drivers"])  # type: ignore[type-arg]
        drivers.queryset = Driver.objects.for_organisation(organisation)
        if not self.instance.pk and not self.is_bound:
            self.initial.setdefault("observed_on", timezone.localdate())


class WeakSignalEditForm(VersionedFormMixin, WeakSignalForm):
    pass


# --- futures tables -------------------------------------------------------------------------------


class FuturesTableForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = FuturesTable
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class FuturesTableEditForm(VersionedFormMixin, FuturesTableForm):
    pass


class VariableForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Variable
        fields = ["name", "driver"]
        help_texts = {"driver": gettext_lazy("The driver of change this variable follows, if any.")}

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        driver = cast(forms.ModelChoiceField, self.fields["driver"])  # type: ignore[type-arg]
        driver.queryset = Driver.objects.for_organisation(organisation)
        driver.empty_label = _("No driver")


class ValueForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = VariableValue
        fields = ["label"]


class VariableEditForm(VersionedFormMixin, VariableForm):
    pass


class ValueEditForm(VersionedFormMixin, ValueForm):
    pass


def value_label(value: VariableValue) -> str:
    return f"{value.variable.name}: {value.label}"


class ValueChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return value_label(obj)


class PairForm(forms.Form):
    first = ValueChoiceField(queryset=VariableValue.objects.none(), label=gettext_lazy("Value"))
    second = ValueChoiceField(
        queryset=VariableValue.objects.none(), label=gettext_lazy("cannot hold together with")
    )
    reason = forms.CharField(label=gettext_lazy("Why not"), max_length=255, required=False)

    def __init__(self, *args: Any, table: FuturesTable, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.table = table
        values = VariableValue.objects.filter(variable__table=table).select_related("variable")
        values = values.order_by("variable__order", "variable_id", "order", "pk")
        for name in ("first", "second"):
            cast(ValueChoiceField, self.fields[name]).queryset = values

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("first"), data.get("second")
        if first and second:
            if first.variable_id == second.variable_id:
                raise forms.ValidationError(
                    _(
                        "Choose values of two different variables: a story picks only one value of "
                        "each variable anyway."
                    )
                )
            if first.pk > second.pk:
                data["first"], data["second"] = second, first
            pair = Q(first=first, second=second) | Q(first=second, second=first)
            if IncompatiblePair.objects.filter(pair, table=self.table).exists():
                raise forms.ValidationError(_("These two values are already marked incompatible."))
        return data


# --- stories --------------------------------------------------------------------------------------


class StoryForm(forms.ModelForm):  # type: ignore[type-arg]
    megatrends = MegatrendsChoiceField(
        queryset=Megatrend.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Megatrends behind the story"),
    )

    class Meta:
        model = FutureStory
        fields = [
            "title",
            "horizon_year",
            "kind",
            "starting_point",
            "futures_table",
            "megatrends",
            "narrative",
            "wild_cards",
            "actors",
        ]
        widgets = {
            "kind": forms.RadioSelect,
            "narrative": forms.Textarea(attrs={"rows": 12}),
            "wild_cards": forms.Textarea(attrs={"rows": 3}),
            "actors": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "narrative": gettext_lazy(
                "Written in the present tense of the horizon year. Simple HTML is kept: paragraphs (p), "
                "bold (strong), italics (em), lists (ul, ol, li), headings (h2, h3) and links (a href); "
                "anything else is removed."
            ),
            "wild_cards": gettext_lazy("Unlikely events with a large effect, one per line."),
            "starting_point": gettext_lazy(
                "Where the organisation's international activity starts from, from networked and "
                "optimised to scattered and organisation-centred."
            ),
            "futures_table": gettext_lazy("The story picks one value of each variable of this table."),
        }

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        table = cast(forms.ModelChoiceField, self.fields["futures_table"])  # type: ignore[type-arg]
        table.queryset = FuturesTable.objects.for_organisation(organisation)
        table.empty_label = _("No futures table")
        cast(MegatrendsChoiceField, self.fields["megatrends"]).queryset = _megatrends()
        cast(forms.ChoiceField, self.fields["kind"]).choices = FutureStory.Kind.choices
        cast(forms.ChoiceField, self.fields["starting_point"]).choices = [
            ("", _("Not stated")),
            *FutureStory.StartingPoint.choices,
        ]
        this_year = timezone.localdate().year
        year = cast(forms.IntegerField, self.fields["horizon_year"])
        year.widget.attrs.update(min=this_year, max=this_year + 100)
        self.this_year = this_year

    def clean_horizon_year(self) -> int:
        year = cast(int, self.cleaned_data["horizon_year"])
        if not self.this_year <= year <= self.this_year + 100:
            raise forms.ValidationError(
                _("Give a year from %(first)s to %(last)s.")
                % {"first": self.this_year, "last": self.this_year + 100}
            )
        return year

    def clean_narrative(self) -> str:
        return sanitise(self.cleaned_data.get("narrative", ""))


class StoryEditForm(VersionedFormMixin, StoryForm):
    def clean_horizon_year(self) -> int:
        # A story written earlier keeps its year even when that year has come.
        year = cast(int, self.cleaned_data["horizon_year"])
        if year == self.instance.horizon_year:
            return year
        return super().clean_horizon_year()


class StoryPicksForm(forms.Form):
    """One radio group per variable of the story's table."""

    def __init__(self, *args: Any, variables: list[Variable], picked: set[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.variables = variables
        for variable in variables:
            values = list(variable.values.all())
            choices = [("", _("not chosen"))] + [(str(v.pk), v.label) for v in values]
            initial = next((str(v.pk) for v in values if v.pk in picked), "")
            self.fields[f"variable_{variable.pk}"] = forms.ChoiceField(
                label=variable.name,
                choices=choices,
                required=False,
                initial=initial,
                widget=forms.RadioSelect,
            )

    def chosen(self) -> list[int]:
        return [int(value) for value in self.cleaned_data.values() if value]


class StoryDriverForm(forms.Form):
    driver = forms.ModelChoiceField(
        queryset=Driver.objects.none(), label=gettext_lazy("Driver"), widget=QuickSelect
    )
    assumed_state = forms.CharField(
        label=gettext_lazy("Assumed state"),
        max_length=255,
        help_text=gettext_lazy("How the driver has developed in this story, e.g. “strong and fast”."),
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        driver = cast(forms.ModelChoiceField, self.fields["driver"])  # type: ignore[type-arg]
        driver.queryset = Driver.objects.for_organisation(organisation)
        driver.empty_label = _("Choose a driver")


class IndicatorChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.unit})" if obj.unit else str(obj.name)


class SignpostForm(forms.ModelForm):  # type: ignore[type-arg]
    indicator = IndicatorChoiceField(
        queryset=Indicator.objects.none(), label=gettext_lazy("Indicator"), widget=QuickSelect
    )
    threshold = forms.CharField(
        label=gettext_lazy("Threshold"), max_length=60, help_text=gettext_lazy("e.g. 65 or 12,5")
    )

    class Meta:
        model = Signpost
        fields = ["indicator", "comparison", "threshold", "note"]
        labels = {"comparison": gettext_lazy("The story unfolds when the latest value is")}

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["comparison"]).choices = Signpost.Comparison.choices
        indicators = sorted_finnish(
            # Only what the labels show (label_from_instance): an organisation has hundreds of indicators.
            Indicator.objects.for_organisation(organisation).only(
                "pk", "name_fi", "name_sv", "name_en", "unit"
            ),
            key=lambda i: str(i.name),
        )
        field = cast(IndicatorChoiceField, self.fields["indicator"])
        field.queryset = Indicator.objects.for_organisation(organisation)
        field.choices = [("", _("Choose an indicator"))] + [
            (i.pk, field.label_from_instance(i)) for i in indicators
        ]  # type: ignore[assignment]
        if not indicators:
            field.help_text = _("The organisation has no indicators yet: add them on the indicators page.")

    def clean_threshold(self) -> Decimal:
        try:
            return parse_number(self.cleaned_data["threshold"])
        except NumberError as error:
            raise forms.ValidationError(str(error)) from error


class MilestoneForm(GoalChoiceMixin, forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Milestone
        fields = ["year", "must_be_true", "goal"]
        labels = {"goal": gettext_lazy("The goal it serves")}
        widgets = {"goal": QuickSelect}

    def __init__(
        self, *args: Any, organisation: Organisation, current: CurrentGoals | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._set_goal_choices(organisation, required=False, current=current)
        year = cast(forms.IntegerField, self.fields["year"])
        this_year = timezone.localdate().year
        year.widget.attrs.update(min=this_year - 10, max=this_year + 100)

    def clean_year(self) -> int:
        year = cast(int, self.cleaned_data["year"])
        this_year = timezone.localdate().year
        if not this_year - 10 <= year <= this_year + 100:
            raise forms.ValidationError(
                _("Give a year from %(first)s to %(last)s.")
                % {"first": this_year - 10, "last": this_year + 100}
            )
        return year


class ImplicationForm(GoalChoiceMixin, forms.ModelForm):  # type: ignore[type-arg]
    strength = forms.TypedChoiceField(
        label=gettext_lazy("Strength"), choices=STRENGTH_CHOICES, coerce=int, widget=forms.RadioSelect
    )

    class Meta:
        model = Implication
        fields = ["goal", "kind", "strength", "action"]
        widgets = {
            "kind": forms.RadioSelect,
            "action": forms.Textarea(attrs={"rows": 3}),
            "goal": QuickSelect,
        }
        labels = {"kind": gettext_lazy("For the goal, the story is")}

    def __init__(
        self,
        *args: Any,
        organisation: Organisation,
        story: FutureStory,
        current: CurrentGoals | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.story = story
        self._set_goal_choices(organisation, required=True, current=current)
        # Radio buttons need no empty "choose" option: nothing is ticked until the person chooses.
        cast(forms.ChoiceField, self.fields["kind"]).choices = Implication.Kind.choices

    def clean_goal(self) -> Goal:
        goal = cast(Goal, self.cleaned_data["goal"])
        taken = Implication.objects.filter(story=self.story, goal=goal).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(
                _("This story already has an implication for this goal: change that one instead.")
            )
        return goal

    def validate_unique(self) -> None:
        # The story is set by the view after validation; clean_goal checks the pair.
        pass


class ImplicationEditForm(VersionedFormMixin, ImplicationForm):
    pass


# --- the library ----------------------------------------------------------------------------------


class MegatrendForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Megatrend
        fields = [
            "edition",
            "number",
            "name_fi",
            "name_sv",
            "name_en",
            "name_en_official",
            "theme_fi",
            "theme_en",
            "description",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "name_sv": gettext_lazy("Only Sitra's own Swedish title; leave empty rather than translate."),
            "name_en_official": gettext_lazy("Tick only if the English name is Sitra's own title."),
        }


class MegatrendEditForm(VersionedFormMixin, MegatrendForm):
    pass


class CopyStoryForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label=gettext_lazy("Copy into"),
        empty_label=None,
    )
    with_table = forms.BooleanField(
        label=gettext_lazy("Copy its futures table too, with the values the story picks"),
        required=False,
        initial=True,
    )

    def __init__(self, *args: Any, memberships: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["organisation"])  # type: ignore[type-arg]
        field.queryset = Organisation.objects.filter(pk__in=[m.organisation_id for m in memberships])
        field.choices = [(m.organisation.pk, str(m.organisation.name)) for m in memberships]  # type: ignore[assignment]
