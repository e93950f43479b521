"""Numbers as people in Finland write them: `1 234,5`, `12,5 %`, `−3,2`, and as machines do: `1234.5`."""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from indicators.importers.errors import NumberError

# Observation.value is DecimalField(max_digits=20, decimal_places=6): 14 digits before the point.
MAX_ABS = Decimal(10) ** 14
PLACES = Decimal("0.000001")
MAX_LENGTH = 60

# Every space a spreadsheet or a word processor puts between digit groups: the plain space, the
# no-break space (Excel in Finnish), the narrow no-break space (the SI style), the figure and thin spaces.
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2007": " ", "\u2009": " ", "\t": " "})
# The minus sign (U+2212) of typeset text and the en dash that word processors put in its place.
_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-"})
_GROUPED = r"\d{1,3}(?: \d{3})+"
_NUMBER = re.compile(
    rf"^(?P<sign>[+-])?(?:(?P<int>{_GROUPED}|\d+)(?:[.,](?P<frac>\d+))?|[.,](?P<onlyfrac>\d+))"
    r"(?:[eE](?P<exp>[+-]?\d{1,4}))?$"
)


def _shown(text: str) -> str:
    return text if len(text) <= 30 else text[:29] + "…"


def parse_number(value: object) -> Decimal:
    """A number from a cell or a text, rounded to the six decimals a value keeps; NumberError otherwise."""
    if isinstance(value, bool):
        raise NumberError(_("“%(text)s” is not a number.") % {"text": value})
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise NumberError(_("“%(text)s” is not a number.") % {"text": value})
        number = Decimal(repr(value))
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise NumberError(_("“%(text)s” is not a number.") % {"text": value})
        number = value
    elif isinstance(value, str):
        number = _parse_text(value)
    else:
        raise NumberError(_("“%(text)s” is not a number.") % {"text": _shown(str(value))})
    return _checked(number, value)


def _parse_text(raw: str) -> Decimal:
    text = raw.translate(_SPACES).translate(_MINUS).strip()
    if not text:
        raise NumberError(_("There is no number."))
    if len(text) > MAX_LENGTH:
        raise NumberError(_("“%(text)s” is too long to be a number.") % {"text": _shown(text)})
    if text.endswith("%"):
        text = text[:-1].rstrip()
    text = re.sub(r"(?<=[+-]) +", "", text)  # "- 3,2"
    match = _NUMBER.match(text)
    if not match:
        if "," in text and "." in text:
            message = _(
                "“%(text)s” mixes a comma and a point: write the decimal separator only, like 1234,5."
            )
        else:
            message = _("“%(text)s” is not a number: write it like 1 234,5 or -3,2.")
        raise NumberError(message % {"text": _shown(raw.strip())})
    digits = (match["int"] or "0").replace(" ", "")
    fraction = match["frac"] or match["onlyfrac"] or ""
    literal = f"{match['sign'] or ''}{digits}{'.' + fraction if fraction else ''}"
    if match["exp"]:
        literal += f"e{match['exp']}"
    try:
        return Decimal(literal)
    except InvalidOperation as error:  # pragma: no cover - the pattern admits only valid literals
        raise NumberError(_("“%(text)s” is not a number.") % {"text": _shown(raw)}) from error


def _checked(number: Decimal, original: object) -> Decimal:
    if abs(number) >= MAX_ABS:
        raise NumberError(
            _("“%(text)s” is too large: a value has at most 14 digits before the decimal point.")
            % {"text": _shown(str(original))}
        )
    rounded = number.quantize(PLACES)
    return rounded + 0 if rounded else Decimal(0)  # no negative zero


def plain_number(value: Decimal, decimal_separator: str = ",") -> str:
    """A value without trailing zeros or thousands separators: 1234,5 (what spreadsheets read back)."""
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in {"-0", ""}:
        text = "0"
    return text.replace(".", decimal_separator)
