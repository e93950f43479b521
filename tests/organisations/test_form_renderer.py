"""The project's form renderer writes the same <select> HTML as Django's own (only faster)."""

from __future__ import annotations

import pytest
from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates

from organisations.form_renderer import FormRenderer


class CustomOption(forms.Select):
    option_template_name = "django/forms/widgets/input_option.html"  # a widget with its own option template


class Sample(forms.Form):
    plain = forms.ChoiceField(choices=[("", "---"), ("x", "X & <y>"), ("G", [("1", "one"), ("2", "two")])])
    many = forms.MultipleChoiceField(choices=[(str(n), f"n{n}") for n in range(5)])
    typed = forms.TypedChoiceField(
        choices=[(1, "a"), (2, "b")], widget=forms.Select(attrs={"class": "k", "disabled": True})
    )
    maybe = forms.NullBooleanField()
    radio = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect)
    custom = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=CustomOption)


@pytest.mark.parametrize(
    "data", [None, {"plain": "x", "many": ["2", "4"], "typed": "2", "maybe": "true", "custom": "b"}]
)
def test_every_choice_widget_renders_as_with_djangos_renderer(data: dict | None) -> None:  # type: ignore[type-arg]
    stock, ours = Sample(data, renderer=DjangoTemplates()), Sample(data, renderer=FormRenderer())
    for name in Sample.base_fields:
        assert str(ours[name]) == str(stock[name]), name


def test_the_project_uses_it() -> None:
    assert settings.FORM_RENDERER == "organisations.form_renderer.FormRenderer"
    select = forms.Select(choices=[("a", "A")]).render("x", "a")
    assert select == DjangoTemplates().render(
        "django/forms/widgets/select.html", forms.Select(choices=[("a", "A")]).get_context("x", "a", None)
    )
