"""The form renderer (settings.FORM_RENDERER): Django's own, with a faster <select>.

Django's select template includes a template per <option> (and another for each option's attributes),
so a select of a few hundred indicators or goals costs tens of milliseconds to render: on the story page
it was half of the page's time. organisations/form_templates/django/forms/widgets/select.html writes the
standard option inline (the same HTML, byte for byte) and still includes the option template of a widget
that names its own. Every other form template is Django's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import django.forms
from django.forms.renderers import DjangoTemplates
from django.utils.functional import cached_property

OVERRIDES = Path(__file__).resolve().parent / "form_templates"


class FormRenderer(DjangoTemplates):
    @cached_property
    def engine(self) -> Any:
        return self.backend(
            {
                "APP_DIRS": True,
                "DIRS": [OVERRIDES, Path(django.forms.__file__).resolve().parent / "templates"],
                "NAME": "djangoforms",
                "OPTIONS": {},
            }
        )
