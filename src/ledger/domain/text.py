"""Text a person typed, made safe to show: identity numbers masked, terminal control characters escaped.

Free text (notes, purposes, legal grounds, reasons) may hold an identity number typed in the wrong
place, and characters that a terminal obeys instead of showing (escape sequences, bidirectional
overrides that make text read differently from what it is). Everything that leaves the ledger for
a reader passes :func:`safe` once, in the query layer; error parameters pass :func:`scrub`.
"""

from __future__ import annotations

import re
from typing import Any

#: Anything shaped like an identity number: YYMMDD or YYYYMMDD, optional ``-`` or ``+``, four digits.
IDENTITY_LIKE = re.compile(r"(?<!\d)(?:\d{2})?\d{6}[-+]?\d{4}(?!\d)")
MASK = "************"
#: In an error: any run of ten digits or more (with a ``-`` or ``+`` where a number has one). A typed
#: value an error repeats (an entry, a year, a reference) may be an identity number in the wrong
#: place, whole or with a digit too many; an error never needs ten digits in a row to be understood.
_LONG_DIGITS = re.compile(r"(?<!\d)\d{6,}[-+]?\d{4,}(?!\d)")
#: C0 controls but tab and newline, DEL, C1 controls, and the bidirectional embeddings, overrides and isolates.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def scrub(value: Any) -> Any:
    """An error parameter with anything that may be an identity number masked: the shape of one, and
    any longer run of digits (other types unchanged)."""
    return _LONG_DIGITS.sub(MASK, value) if isinstance(value, str) else value  # (IDENTITY_LIKE's shapes included)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(value: Any) -> Any:
    """``value`` with terminal control characters written out (``\\x1b``), so they show, not act."""
    return _CONTROL.sub(_escape, value) if isinstance(value, str) else value


def safe(value: Any) -> Any:
    """:func:`scrub` and :func:`escape_controls` in one."""
    if not isinstance(value, str):
        return value
    # The usual text, a code or a date: nothing to mask or escape, and found so without running both
    # expressions over it (``isprintable`` is False for every character ``_CONTROL`` names, and an
    # identity number has ten characters at least).
    if type(value) is str and value.isprintable() and (len(value) < 10 or IDENTITY_LIKE.search(value) is None):
        return value  # (a ``str`` subclass, an enum member, goes the long way and comes back a plain ``str``)
    return _CONTROL.sub(_escape, IDENTITY_LIKE.sub(MASK, value))
