"""The story page's pickers (futures.forms.QuickSelect) write the HTML the select template wrote."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms

from futures.forms import ImplicationForm, MilestoneForm, QuickSelect, SignpostForm, StoryDriverForm
from organisations.models import Organisation
from tests.factories import make_organisation
from tests.futures.factories import make_driver, make_indicator, make_story
from tests.goals.factories import make_goal, make_strategy


@pytest.fixture
def org(db: None) -> Organisation:
    organisation = make_organisation(name="Kaarnala", slug="kaarnala")
    strategy = make_strategy(organisation=organisation)
    top = make_goal(strategy=strategy, title="Elinvoima & <hyvinvointi>", code="1")
    make_goal(strategy=strategy, title='Työ "kasvaa"', parent=top, code="1.1")
    make_driver(organisation=organisation, name="Ilmasto <muuttuu>")
    make_driver(organisation=organisation, name="Väestö ikääntyy")
    make_indicator(organisation=organisation, name="Työllisyysaste & <b>", unit="%")
    make_indicator(organisation=organisation, name="Päästöt", unit="")
    return organisation


def _as_select(form: forms.BaseForm, name: str) -> str:
    """The field rendered with Django's Select (the form renderer's select template)."""
    field = form.fields[name]
    quick = field.widget
    assert isinstance(quick, QuickSelect)
    plain = forms.Select(attrs=quick.attrs)
    plain.choices = quick.choices
    plain.is_required = quick.is_required
    field.widget = plain
    try:
        return str(form[name])
    finally:
        field.widget = quick


def _forms(org: Organisation, data: dict[str, Any] | None) -> list[tuple[forms.BaseForm, str]]:
    story = make_story(organisation=org)
    return [
        (StoryDriverForm(data, organisation=org, prefix="driver"), "driver"),
        (SignpostForm(data, organisation=org, prefix="signpost"), "indicator"),
        (MilestoneForm(data, organisation=org, prefix="milestone"), "goal"),
        (ImplicationForm(data, organisation=org, story=story, prefix="implication"), "goal"),
    ]


@pytest.mark.parametrize("bound", [False, True])
def test_the_pickers_write_the_select_templates_html(org: Organisation, bound: bool) -> None:
    from futures.models import Driver
    from goals.models import Goal
    from indicators.models import Indicator

    data = None
    if bound:
        goal = Goal.objects.order_by("pk").last()
        data = {
            "driver-driver": str(Driver.objects.order_by("pk").last().pk),  # type: ignore[union-attr]
            "signpost-indicator": str(Indicator.objects.order_by("pk").first().pk),  # type: ignore[union-attr]
            "milestone-goal": str(goal.pk),  # type: ignore[union-attr]
            "implication-goal": "",
        }
    for form, name in _forms(org, data):
        quick = str(form[name])
        assert "<option" in quick
        assert quick == _as_select(form, name), name


def test_grouped_choices_go_through_the_template() -> None:
    widget = QuickSelect(choices=[("Ryhmä", [(1, "Yksi"), (2, "Kaksi")]), (3, "Kolme")])
    plain = forms.Select(choices=widget.choices)
    assert widget.render("x", 2) == plain.render("x", 2)
    assert "<optgroup" in widget.render("x", 2)
