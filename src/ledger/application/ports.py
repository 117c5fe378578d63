"""What the application needs from the outside, as protocols: the adapters and the read side
implement them, and :mod:`ledger.bootstrap` hands the implementations in.

Nothing here imports a database library: the rules and the services run unchanged on the
eventsourcing library's in-memory persistence (the rule tests) and on SQLite or PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol
from uuid import UUID


class PersonIndex(Protocol):
    """How a person is found again from their identity number: the same number, the same id; the id
    itself says nothing about the number (a keyed blind index, ``ledger.adapters.keys``)."""

    def person_id(self, identity_number: str) -> UUID:
        ...


class Settings(Protocol):
    """Store-wide settings (``ledger_meta``): the person-id namespace, the municipality's name."""

    def setting(self, key: str, default: str | None = None) -> str | None:
        """The setting's value; with ``default``, stored first if missing (atomically, once)."""
        ...


@dataclass(frozen=True)
class AccessEntry:
    """One read of one case, or one refusal: who, when, with which command, and how protected the
    case was then. ``outcome`` is ``read`` or ``denied`` (*nekad*: the command was refused; then the
    case may be missing, when the command was not about one case).

    Never an identity number, a name or free text: the case number is the only link to the person.
    """

    accessed_at: datetime  # UTC
    user: str
    case: str | None
    command: str
    protection_level: str
    protected: bool
    reason: str | None = None
    outcome: str = "read"

    def as_json(self) -> dict[str, Any]:
        return {
            "accessed_at": self.accessed_at.isoformat(timespec="seconds"),
            "user": self.user,
            "case": self.case,
            "command": self.command,
            "protected": self.protected,
            "protection_level": self.protection_level,
            "reason": self.reason,
            "outcome": self.outcome,
        }


class AccessLog(Protocol):
    """The access log (logguppföljning): only ever appended to."""

    def record(self, entries: Sequence[AccessEntry]) -> None:
        """Store the entries in one transaction (or raise ``StorageError``: then nothing may be shown)."""
        ...

    def entries(self, *, case: str | None = None, user: str | None = None, since: datetime | None = None,
                until: datetime | None = None, protected: bool | None = None,
                outcome: str | None = None) -> list[AccessEntry]:
        """Entries oldest first; ``since`` inclusive, ``until`` exclusive (UTC moments)."""
        ...


class ReadModels(Protocol):
    """The read side's answers (``ledger.projections``), each after catching up with the events."""

    def cases(self, *, today: date, status: str | None = None, recorded_by: str | None = None,
              environment: str | None = None, provider: str | None = None, person: UUID | None = None,
              needs_attention: bool = False, with_attention: bool = True) -> list[dict[str, Any]]:
        """The case overview, newest first; ``person``: only that person's cases (see
        ``projections/case_list.py``)."""
        ...

    def case_numbers(self, *, status: str | None = None, recorded_by: str | None = None,
                     environment: str | None = None, provider: str | None = None, person: UUID | None = None,
                     assigned_to: str | None = None) -> list[str]:
        """The overview's case numbers, newest first, filtered."""
        ...

    def case_rows(self, numbers: list[str]) -> list[dict[str, Any]]:
        """The overview's rows of these cases, in the order given."""
        ...

    def attention(self, today: date, numbers: list[str]) -> dict[str, list[str]]:
        """The attention reasons of these cases today, by case number."""
        ...

    def budget(self, year: int, today: date, by: str | None = None) -> dict[str, Any]:
        """Budget consumption for a year, optionally broken down (``case`` rows name cases)."""
        ...

    def stats(self, year: int, today: date, *, with_cases: bool = True) -> dict[str, Any]:
        """The raw yearly follow-up report, before disclosure control; ``cases`` lists the case
        numbers it counts (for the access log when it is shown unsuppressed; not looked up, and
        empty, without ``with_cases``)."""
        ...

    def payments(self, *, case: str | None = None, provider: str | None = None, invoice: str | None = None,
                 since: date | None = None, until: date | None = None) -> list[dict[str, Any]]:
        """Payments (``payment list``), each with its case, what was reversed of it and what the invoice
        checks found; ``since``/``until``: the period paid for overlaps them."""
        ...

    def setting(self, key: str) -> str | None:
        ...


class InvoiceIndex(Protocol):
    """Invoices already paid, across cases (the read side's payments, caught up): for the check that a
    provider's invoice number is not paid twice (``payment record``)."""

    def invoice_paid(self, provider: str, invoice_key: str, *, other_than: UUID) -> bool:
        """Whether a payment not reversed in full, of a case other than ``other_than``, paid the
        provider's invoice (its number compared as ``ledger.domain.decide_money.invoice_key``)."""
        ...


class Verification(Protocol):
    """The outcome of checking the hash chain (``ledger.adapters.verification.Report``)."""

    @property
    def ok(self) -> bool: ...

    def as_dict(self) -> dict[str, Any]: ...


class Integrity(Protocol):
    """The hash chain and the archive (``ledger.adapters``)."""

    def verify(self, digests: Iterable[Any] = ()) -> Verification:
        ...

    def export(self, path: Path, before_write: Callable[[list[str]], None],
               passphrase: str | None = None) -> dict[str, Any]:
        """Write the archive; ``before_write`` gets every case number in it before anything is written;
        the data keys go in sealed under ``passphrase``."""
        ...
