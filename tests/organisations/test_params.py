"""organisations.params: what a request can carry, read one safe way (no database needed)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.http import Http404
from django.test import RequestFactory

from organisations.params import (
    MAX_ID,
    MAX_VERSION,
    id_or_404,
    next_url,
    parse_choice,
    parse_id,
    parse_ids,
    parse_int,
    parse_json,
    parse_slug,
    parse_text,
    parse_version,
    parse_year,
)

# Each of these once reached int(), Decimal() or json.loads() unguarded somewhere in the views.
NOT_A_NUMBER = [
    "",
    " 12",
    "12 ",
    "²",
    "٣",
    "\uff11\uff12",  # fullwidth digits
    "1e3",
    "1.0",
    "+1",
    "0x1f",
    "NaN",
    "1\x00",
    "9" * 5000,
    None,
    1.0,
]


@pytest.mark.parametrize("value", NOT_A_NUMBER, ids=repr)
def test_only_ascii_digits_are_a_number(value: object) -> None:
    assert parse_int(value, minimum=-(10**20), maximum=10**20) is None
    assert parse_id(value) is None
    assert parse_year(value) is None


def test_ids_are_positive_and_fit_a_bigint() -> None:
    assert parse_id("42") == 42 and parse_id(42) == 42 and parse_id("007") == 7
    assert parse_id(str(MAX_ID)) == MAX_ID
    assert parse_id(str(MAX_ID + 1)) is None  # 19 digits, past the column: no row has it
    assert parse_id("9" * 20) is None
    assert parse_id("0") is None and parse_id("-1") is None
    assert parse_id(True) is None  # a bool is an int to Python, not an id


def test_ranges_years_and_versions() -> None:
    assert parse_int("-5", minimum=-10, maximum=10) == -5
    assert parse_int("11", minimum=-10, maximum=10) is None
    assert parse_year("2024") == 2024 and parse_year("2024", minimum=2025) is None
    assert parse_year("0") is None and parse_year("10000") is None  # no date holds them
    assert parse_version("0") == 0 and parse_version(str(MAX_VERSION + 1)) is None


def test_id_or_404_and_lists_of_ids() -> None:
    assert id_or_404("3") == 3
    with pytest.raises(Http404):
        id_or_404("²")
    assert parse_ids(["3", "²", "3", "x", "9" * 5000, "1"]) == [3, 1]


def test_choices_slugs_and_texts() -> None:
    assert parse_choice("final", ["final", "preliminary"]) == "final"
    assert parse_choice("FINAL", ["final"]) is None and parse_choice(None, ["final"]) is None
    assert parse_slug("walk-shared_2", max_length=50) == "walk-shared_2"
    for value in ("a\x00b", "ä", "a b", "x" * 51, "", None):
        assert parse_slug(value, max_length=50) is None
    assert parse_text("a\x00b" + "x" * 200, max_length=5) == "abxxx"
    assert parse_text(None, max_length=5) == ""


def test_json_keeps_its_numbers_finite_and_its_depth_bounded() -> None:
    assert parse_json('{"a": [1, "x"]}') == {"a": [1, "x"]}
    assert parse_json("[1e400]") == [Decimal("1e400")]  # a number, never float("inf")
    for text in ("[NaN]", "[Infinity]", "[-Infinity]", "[" * 100_000, "[" + "9" * 5000 + "]", "{", None):
        assert parse_json(text) is None
    assert parse_json("[1]" + " " * 20, max_length=10) is None


def test_next_url_is_a_path_of_this_site() -> None:
    request = RequestFactory().get("/")
    assert next_url(request, "/o/x/?a=1", "/") == "/o/x/?a=1"
    for value in ("²", "1e400", "https://evil.example/", "//evil.example/", "/a\x00", "", None):
        assert next_url(request, value, "/home/") == "/home/"
