"""The catalogues are complete in fi, sv and en, and the compiled .mo files match the .po sources."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "locale"


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_catalogue_is_complete_and_compiled(language: str) -> None:
    po = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    assert not po.untranslated_entries(), [e.msgid for e in po.untranslated_entries()][:10]
    assert not po.fuzzy_entries(), [e.msgid for e in po.fuzzy_entries()][:10]
    mo = polib.mofile(str(LOCALE / language / "LC_MESSAGES" / "django.mo"))
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in mo}
    for entry in po.translated_entries():
        assert (entry.msgctxt, entry.msgid) in compiled, (
            f"run `make messages`: {entry.msgid!r} is not compiled"
        )


def test_the_interface_speaks_each_language() -> None:
    expected = {"fi": "Kirjaudu sisään", "sv": "Logga in", "en": "Sign in"}
    for language, text in expected.items():
        with translation.override(language):
            assert translation.gettext("Sign in") == text
