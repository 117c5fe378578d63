"""Swedish identity numbers: personnummer, samordningsnummer and reserve numbers.

Validation uses the ``personnummer`` package (checksum, real date, samordningsnummer day + 60);
the century of a 10-digit form (``-`` under 100, ``+`` 100 or older) follows the ledger's today
(given by the caller),
and a samordningsnummer may have an incomplete birth date. Numbers are stored in the 12-digit
form ``YYYYMMDDNNNC``. Reserve numbers have no national standard; each region or municipality
issues its own, so they are kept as given after a format check. Nothing here ever puts the
number into an error message.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from ledger.domain.errors import InvalidIdentityNumber


class IdentityKind(StrEnum):
    """What kind of number identifies the person."""

    PERSONNUMMER = "personnummer"
    SAMORDNINGSNUMMER = "samordningsnummer"
    RESERVE = "reserve"


_RESERVE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{3,23}$")
#: ASCII digits only: ``\d`` would also take Arabic-Indic and other digits, and the same person
#: could then be registered twice.
_DIGITS = re.compile(r"^(?P<date>[0-9]{6}|[0-9]{8})(?P<sep>[-+]?)(?P<tail>[0-9]{4})$")


@dataclass(frozen=True)
class Identity:
    """A validated identity number in stored form."""

    number: str
    kind: IdentityKind
    birth_date: date | None


def parse_identity(value: str, kind: str | None = None, *, today: date) -> Identity:
    """Validate ``value`` and return it in stored form.

    ``kind`` may force ``reserve``; otherwise personnummer or samordningsnummer is inferred
    (day + 60 means samordningsnummer). ``today`` decides the century of a 10-digit form and
    refuses a birth date in the future. Raises :class:`InvalidIdentityNumber` with a reason,
    never with the number itself.
    """
    # NFKC first: full-width digits are the same digits; anything else that is not ASCII is refused
    text = unicodedata.normalize("NFKC", value or "").strip().replace(" ", "")
    kind = kind.strip().lower() if kind else None  # as forgiving as every other choice (vocab.choose)
    if kind == IdentityKind.RESERVE:
        if not _RESERVE.match(text):
            raise InvalidIdentityNumber(reason="reserve_format")
        return Identity(text.upper(), IdentityKind.RESERVE, None)
    if kind not in (None, IdentityKind.PERSONNUMMER, IdentityKind.SAMORDNINGSNUMMER):
        raise InvalidIdentityNumber(reason="kind")
    match = _DIGITS.match(text)
    if not match:
        raise InvalidIdentityNumber(reason="format")
    from personnummer.personnummer import Personnummer, PersonnummerException

    number = _with_century(match["date"], match["sep"], match["tail"], today)
    born: date | None
    try:
        parsed = Personnummer(number)
        born = parsed.get_date()
        found = IdentityKind.SAMORDNINGSNUMMER if parsed.is_coordination_number() else IdentityKind.PERSONNUMMER
    except (PersonnummerException, ValueError):
        if not _incomplete_coordination_number(number):
            raise InvalidIdentityNumber(reason="checksum_or_date") from None
        born, found = None, IdentityKind.SAMORDNINGSNUMMER
    earliest = born or date(int(number[:4]), int(number[4:6]) or 1, 1)
    if earliest > today:
        raise InvalidIdentityNumber(reason="future_birth_date")
    if kind is not None and kind != found:
        raise InvalidIdentityNumber(reason="kind_mismatch")
    return Identity(number, found, born)


def _incomplete_coordination_number(number: str) -> bool:
    """A samordningsnummer whose birth date is incomplete or unverified: month ``00``, day ``60``
    (unknown day + 60) or a day the month lacks. Skatteverket's own test samordningsnummer include
    all three (about one in eight); the ``personnummer`` package refuses them as bad dates.
    """
    month, day = int(number[4:6]), int(number[6:8])
    if not (month <= 12 and 60 <= day <= 91 and number[8:11] != "000"):
        return False
    total = sum(sum(divmod(int(ch) * (2 - i % 2), 10)) for i, ch in enumerate(number[2:]))
    return total % 10 == 0


def _with_century(head: str, sep: str, tail: str, now: date) -> str:
    """The 12-digit form. A 10-digit number's century follows from the ledger's today: ``-`` (or
    none) means under 100 years old, ``+`` means 100 or older.

    The ``personnummer`` package would pick the century from the system clock and by year alone,
    so someone born later in the year than today (``261201-...`` on 2026-11-23 means 1926) came
    out born in the future; and a pinned clock was ignored.
    """
    if len(head) == 8:
        return head + tail
    # The latest birth date with these YYMMDD that is on or before the limit.
    limit = (now.year - 100 if sep == "+" else now.year, now.month, now.day)
    yy, mm, dd = int(head[:2]), int(head[2:4]), int(head[4:6])
    year = limit[0] - (limit[0] - yy) % 100
    if (year, mm, dd - 60 if dd >= 60 else dd) > limit:
        year -= 100
    return f"{year:04d}{head[2:]}{tail}"


def mask(number: str) -> str:
    """A form safe to show to the user who typed it: birth date kept, last four hidden."""
    return number[:-4] + "****" if len(number) > 4 else "****"
