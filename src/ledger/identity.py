"""Swedish identity numbers: personnummer, samordningsnummer and reserve numbers.

Validation uses the ``personnummer`` package (checksum, real date, century from ``-``/``+``,
samordningsnummer day + 60). Numbers are stored in the 12-digit form ``YYYYMMDDNNNC``. Reserve
numbers have no national standard; each region or municipality issues its own, so they are kept
as given after a format check. Nothing here ever puts the number into an error message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from ledger.errors import InvalidIdentityNumber


class IdentityKind(StrEnum):
    """What kind of number identifies the person."""

    PERSONNUMMER = "personnummer"
    SAMORDNINGSNUMMER = "samordningsnummer"
    RESERVE = "reserve"


_RESERVE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{3,23}$")
_DIGITS = re.compile(r"^(\d{6}|\d{8})[-+]?\d{4}$")


@dataclass(frozen=True)
class Identity:
    """A validated identity number in stored form."""

    number: str
    kind: IdentityKind
    birth_date: date | None


def parse_identity(value: str, kind: str | None = None) -> Identity:
    """Validate ``value`` and return it in stored form.

    ``kind`` may force ``reserve``; otherwise personnummer or samordningsnummer is inferred
    (day + 60 means samordningsnummer). Raises :class:`InvalidIdentityNumber` with a reason,
    never with the number itself.
    """
    text = (value or "").strip().replace(" ", "")
    if kind == IdentityKind.RESERVE:
        if not _RESERVE.match(text):
            raise InvalidIdentityNumber(reason="reserve_format")
        return Identity(text.upper(), IdentityKind.RESERVE, None)
    if kind not in (None, IdentityKind.PERSONNUMMER, IdentityKind.SAMORDNINGSNUMMER):
        raise InvalidIdentityNumber(reason="kind")
    if not _DIGITS.match(text):
        raise InvalidIdentityNumber(reason="format")
    from personnummer.personnummer import Personnummer, PersonnummerException

    try:
        parsed = Personnummer(text)
        born = parsed.get_date()
    except (PersonnummerException, ValueError):
        raise InvalidIdentityNumber(reason="checksum_or_date") from None
    if born > date.today():
        raise InvalidIdentityNumber(reason="future_birth_date")
    found = (
        IdentityKind.SAMORDNINGSNUMMER if parsed.is_coordination_number() else IdentityKind.PERSONNUMMER
    )
    if kind is not None and kind != found:
        raise InvalidIdentityNumber(reason="kind_mismatch")
    return Identity(parsed.format(True), found, born)


def mask(number: str) -> str:
    """A form safe to show to the user who typed it: birth date kept, last four hidden."""
    return number[:-4] + "****" if len(number) > 4 else "****"
