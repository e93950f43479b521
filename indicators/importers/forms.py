"""Forms of the import pages: the upload, and the choice of which column holds which field."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from indicators.importers.tabular import FIELDS, REQUIRED, field_label
from indicators.importers.uploads import max_bytes

FORMAT_CHOICES = [
    ("auto", _("Tell from the file's content")),
    ("csv", _("CSV table")),
    ("xlsx", _("Excel workbook (.xlsx)")),
    ("jsonstat", _("Statistics Finland JSON-stat")),
    ("sotkanet", _("THL Sotkanet (CSV or JSON)")),
]


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File"))
    format = forms.ChoiceField(label=_("Format"), choices=FORMAT_CHOICES, initial="auto")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "A CSV or Excel table of values, a JSON-stat file from Statistics Finland, or a Sotkanet data "
            "file. At most %(limit)s."
        ) % {"limit": filesizeformat(max_bytes())}
        self.fields["file"].widget.attrs.update(
            accept=".csv,.txt,.xlsx,.json,text/csv,application/json,"
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )


class MappingForm(forms.Form):
    """One choice per field: the column of the file that holds it (optional fields may be left out)."""

    def __init__(self, *args: Any, columns: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.columns = columns
        for name in FIELDS:
            choices: list[tuple[str, str]] = [("", str(_("— not in the file —")))] + [(c, c) for c in columns]
            field = forms.ChoiceField(
                label=field_label(name).capitalize(), choices=choices, required=name in REQUIRED
            )
            if name in REQUIRED:
                field.error_messages["required"] = str(
                    _("Choose the column that holds the %(field)s.") % {"field": field_label(name)}
                )
            self.fields[name] = field
        cast(forms.ChoiceField, self.fields["note"]).help_text = _(
            "For a missing value, this is the reason it is missing."
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        chosen = [cleaned[name] for name in FIELDS if cleaned.get(name)]
        for column in sorted({c for c in chosen if chosen.count(c) > 1}):
            self.add_error(None, _("The column “%(column)s” is chosen for two fields.") % {"column": column})
        return cleaned

    def mapping(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name in FIELDS if self.cleaned_data.get(name)}
