"""Exact money: parsing Swedish and plain amounts into ``Decimal`` kronor, formatting them back.

Accepted: ``89550``, ``89550.5``, ``89 550,00``, ``89\u00a0550,00``, ``89.550,00``, ``89,550.00``,
``3 000 kr``, ``1234,5 SEK``. Refused: negatives, zero, more than two decimals, exponents, floats'
``inf``/``nan``, stray characters, and ambiguous forms such as ``12,345`` (decimals or grouping?).
Never ``float``.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from ledger.domain.errors import InvalidAmount

ORE = Decimal("0.01")
_SPACES = re.compile(r"[\s\u00a0\u202f]")
_SUFFIX = re.compile(r"(kr|sek|:-)$", re.IGNORECASE)
# Integer part with optional thousand groups (space, dot or comma), optional decimals.
_GROUPED = re.compile(r"^[0-9]{1,3}(?P<sep>[ .,])[0-9]{3}(?:(?P=sep)[0-9]{3})*(?:(?P<dec>[.,])[0-9]{1,2})?$")
_PLAIN = re.compile(r"^[0-9]+(?:[.,][0-9]{1,2})?$")


#: No amount the ledger records reaches a thousand billion kronor (events hold 15 digits, two of them öre).
MAX_AMOUNT = Decimal("1000000000000")


def parse_amount(value: str | int | Decimal, *, allow_zero: bool = False) -> Decimal:
    """Parse a positive amount in kronor with at most two decimals into a quantised ``Decimal``."""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise InvalidAmount(reason="type")  # floats above all; None too, rather than AttributeError
    if isinstance(value, Decimal):
        # Positional notation: str() would give "1E+3" for Decimal("1000").normalize().
        text = format(value, "f")
    elif isinstance(value, int):
        text = str(value)
    else:
        text = value
    text = _SUFFIX.sub("", text.strip()).strip()
    if text.startswith("-"):
        raise InvalidAmount(reason="negative")
    compact = _SPACES.sub(" ", text)
    amount = _parse_text(compact)
    if amount is None:
        raise InvalidAmount(reason="format")
    if amount == 0 and not allow_zero:
        raise InvalidAmount(reason="not_positive")
    if amount >= MAX_AMOUNT:
        raise InvalidAmount(reason="amount_too_large")
    return amount.quantize(ORE)


def _parse_text(text: str) -> Decimal | None:
    if _PLAIN.match(text):
        return _decimal(text.replace(",", "."))
    match = _GROUPED.match(text)
    if match:
        sep, dec = match.group("sep"), match.group("dec")
        if dec is not None and dec == sep:
            return None
        if dec is None and sep in ".,":
            return None  # "12,345" or "1.234": decimals or grouping? Refuse rather than guess.
        integer, _, decimals = text.rpartition(dec) if dec else (text, "", "")
        digits = integer.replace(sep, "")
        return _decimal(f"{digits}.{decimals}" if dec else digits)
    return None


def _decimal(text: str) -> Decimal | None:
    try:
        result = Decimal(text)
    except InvalidOperation:
        return None
    exponent = result.as_tuple().exponent
    if not result.is_finite() or not isinstance(exponent, int) or exponent < -2:
        return None
    return result


def optional_amount(value: str | int | Decimal | None) -> Decimal | None:
    """:func:`parse_amount`, or ``None`` when nothing was given."""
    return None if value is None or value == "" else parse_amount(value)


def format_amount(amount: Decimal, *, lang: str = "sv") -> str:
    """Format for people: ``89 550,00`` in Swedish, ``89,550.00`` in English."""
    quantised = amount.quantize(ORE, rounding=ROUND_HALF_EVEN)
    plain = f"{quantised:,.2f}"
    if lang == "sv":
        return plain.replace(",", "\u00a0").replace(".", ",")
    return plain


def to_json(amount: Decimal) -> str:
    """Stable JSON form: a decimal string with two decimals, ``"1234.50"``."""
    return str(amount.quantize(ORE))
