"""Ids, numbers, choices, texts and JSON from a request, each read one safe way.

A request can carry anything, and the obvious parses each let something through that breaks later:
`str.isdigit()` accepts "²", which `int()` refuses; `int()` reads digits of any script ("٣") and refuses
more than 4,300 of them with a ValueError; `json.loads()` turns 1e400 into an infinite float and NaN into
a float that is no number, and recurses into nesting until Python's stack runs out; PostgreSQL refuses a
NUL byte in any text. These functions accept ASCII digits of bounded length, one of the given choices,
texts without NUL bytes and JSON of bounded size, and answer None for anything else (`id_or_404`: 404,
as for a row that does not exist). Every view reads the ids, numbers and codes of its query and its
hand-read form fields through them; form fields read the rest (numbers with a unit or a decimal
comma through indicators.importers.numbers.parse_number, which refuses 1e400, NaN and Infinity too).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.http import Http404
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

# The largest primary key PostgreSQL's bigint holds: a larger id names no row.
MAX_ID = 2**63 - 1
# A row's version (organisations.base.TrackedModel.version, a PositiveIntegerField); 0 stands for "none
# yet" where a form offers a new row.
MAX_VERSION = 2**31 - 1
# A calendar year a date can hold (datetime.MINYEAR..MAXYEAR); callers narrow it to what they show.
MIN_YEAR, MAX_YEAR = 1, 9999
# JSON a page sends back (the value grid's state: a few hundred cells) stays well under this.
MAX_JSON_LENGTH = 1_000_000

_INTEGER = re.compile(r"-?[0-9]{1,19}")
_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def parse_int(value: object, *, minimum: int, maximum: int) -> int | None:
    """An integer within minimum..maximum: a Python int (not a bool), or ASCII digits with an optional
    minus sign and no more than 19 digits; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _INTEGER.fullmatch(value):
        number = int(value)
    else:
        return None
    return number if minimum <= number <= maximum else None


def parse_id(value: object) -> int | None:
    """A row id (1..MAX_ID) written in ASCII digits; None for anything else."""
    return parse_int(value, minimum=1, maximum=MAX_ID)


def parse_year(value: object, *, minimum: int = MIN_YEAR, maximum: int = MAX_YEAR) -> int | None:
    """A year within minimum..maximum written in ASCII digits; None for anything else."""
    return parse_int(value, minimum=max(minimum, MIN_YEAR), maximum=min(maximum, MAX_YEAR))


def parse_version(value: object) -> int | None:
    """A version a form carried back (0..MAX_VERSION); None for anything else."""
    return parse_int(value, minimum=0, maximum=MAX_VERSION)


def parse_ids(values: Iterable[object]) -> list[int]:
    """The ids among the values, in order and without repeats; the rest are left out."""
    ids = (parse_id(value) for value in values)
    return list(dict.fromkeys(number for number in ids if number is not None))


def id_or_404(value: object) -> int:
    """A row id, or 404 as for a row that does not exist."""
    number = parse_id(value)
    if number is None:
        raise Http404(_("No such row."))
    return number


def parse_choice[T](value: object, choices: Iterable[T]) -> T | None:
    """The value if it is one of the choices (compared as text), else None."""
    if not isinstance(value, str):
        return None
    return next((choice for choice in choices if str(choice) == value), None)


def parse_slug(value: object, *, max_length: int) -> str | None:
    """A code of a SlugField (ASCII letters, digits, hyphens and underscores, at most max_length of
    them); None for anything else."""
    if isinstance(value, str) and len(value) <= max_length and _SLUG.fullmatch(value):
        return value
    return None


def parse_text(value: object, *, max_length: int) -> str:
    """A text for a search or a label: without NUL bytes (PostgreSQL refuses them), cut to max_length."""
    if not isinstance(value, str):
        return ""
    return value.replace("\x00", "")[:max_length]


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def parse_json(value: object, *, max_length: int = MAX_JSON_LENGTH) -> Any:
    """JSON of at most max_length characters without NaN or Infinity; its numbers with a point or an
    exponent as Decimal (so 1e400 stays a number, never an infinite float); None when the text is
    not such JSON or nests deeper than the parser goes."""
    if not isinstance(value, str) or len(value) > max_length:
        return None
    try:
        return json.loads(value, parse_constant=_refuse_constant, parse_float=Decimal)
    except (ValueError, RecursionError):  # a number of over 4,300 digits is a ValueError too
        return None


def next_url(request: Any, value: object, default: str) -> str:
    """Where to go back to: a path on this site given by the request, or the default."""
    if (
        isinstance(value, str)
        and value.startswith("/")
        and "\x00" not in value
        and url_has_allowed_host_and_scheme(value, {request.get_host()}, request.is_secure())
    ):
        return value
    return default
