"""The value grid writes its cells with indicators.views.grid_cell_html: the same HTML as the
template's `grid-cell` partial, which the inline check renders."""

from __future__ import annotations

import pytest
from django.template.loader import get_template
from django.utils import translation

from indicators.forms import GridCell
from indicators.models import Indicator
from indicators.views import grid_cell_html

CHECK_URL = "/o/testikunta/indicators/grid/?check=1&x=<y>"


def _cells() -> list[GridCell]:
    plain = Indicator(pk=7, name_fi="Päästöt")
    tricky = Indicator(pk=12, name_fi="Tulot <b>\"&' yhteensä", unit="€")
    return [
        GridCell(plain, 2024, "", "", 0),
        GridCell(plain, 2023, "1 234,5", "1 234,5", 3, "final"),
        GridCell(plain, 2022, "12,5", "12,5", 1, "preliminary"),
        GridCell(plain, 2021, "", "", 2, "missing"),
        GridCell(tricky, 2020, '<script>"x"</script>', "4", 1, "final", error="Ei luku: <b>&</b>"),
        GridCell(tricky, 2019, "x", "", 0, "preliminary", error="Virhe"),
        GridCell(tricky, 2018, "x", "", 0, "missing", error="Virhe"),
        GridCell(tricky, 2017, "x", "", 0, "</odd'\"status>", error=""),
    ]


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_every_kind_of_cell_is_written_as_the_partial_renders_it(language: str) -> None:
    partial = get_template("indicators/value_grid.html#grid-cell")
    with translation.override(language):
        for cell in _cells():
            expected = partial.render({"cell": cell, "check_url": CHECK_URL})
            assert grid_cell_html(cell, CHECK_URL) == expected, cell
