"""Who read which case, when, with which command: the access log (logguppföljning).

Every command that shows personal case data records one entry per case it showed. The entries
live in their own append-only table, ``ledger_access``, in the same database as the events —
never in the case's stream: reading a case is not something that happened *to* the case, and a
case's events (and its event count, hash chain and projections) stay exactly as they were.

An entry holds the time (UTC, from :func:`ledger.clock.now`, so ``LEDGER_NOW`` pins it), the
user (``--as`` / ``LEDGER_USER`` / login name, as for events), the case number, the command
(``"case show"``), the case's protection level at that moment and whether that level is a
protected identity, and an optional reason *code*. Never an identity number, a name or free
text: the case number is the only link to the person.

**Protected identity** (*skyddad identitet*, the umbrella for *skyddade personuppgifter*) means
any of the three levels Skatteverket uses: ``confidentiality_marking`` (sekretessmarkering),
``protected_registration`` (skyddad folkbokföring) and ``fictitious_identity`` (fingerade
personuppgifter). The level is the person's *current* one (their stream's newest
``PersonRegistered`` / ``ProtectionLevelChanged``), so a protection given after the case was
opened marks later reads; if the person's stream cannot be found, the level recorded when the
case was actualised is used.

This module only ever inserts; nothing here updates or deletes an entry.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    insert,
    inspect,
    select,
)

from ledger.clock import now
from ledger.errors import InputError
from ledger.vocab import ProtectionLevel

if TYPE_CHECKING:
    from ledger.application import Ledger
    from ledger.store import SQLStore

#: The levels that count as protected identity: every ProtectionLevel but "none".
PROTECTED_LEVELS = frozenset(level.value for level in ProtectionLevel if level is not ProtectionLevel.NONE)

_ID = BigInteger().with_variant(Integer(), "sqlite")
_COMMAND = re.compile(r"^[a-z][a-z0-9_-]*( [a-z][a-z0-9_-]*)*$")
_REASON = re.compile(r"^[a-z][a-z0-9_]*$")

access_metadata = MetaData()

access_table = Table(
    "ledger_access",
    access_metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("accessed_at", DateTime(), nullable=False),  # UTC, without a zone (the same on both backends)
    Column("user_name", String(64), nullable=False),
    Column("case_number", String(32), nullable=False),
    Column("command", String(64), nullable=False),
    Column("protection_level", String(32), nullable=False),
    Column("protected", Boolean(), nullable=False),
    Column("reason", String(32), nullable=True),  # a code, never free text
    Index("ledger_access_case", "case_number"),
    Index("ledger_access_time", "accessed_at"),
    Index("ledger_access_user", "user_name"),
)

_READY: weakref.WeakSet[SQLStore] = weakref.WeakSet()


def ensure_table(store: SQLStore) -> None:
    """Create ``ledger_access`` if it is missing (once per store per process)."""
    if store not in _READY:
        store.create_tables(access_metadata)
        _READY.add(store)


def protection_of(ledger: Ledger, case_number: str) -> str:
    """The case's protection level now: the person's current level, else the one at actualisation.

    Raises :class:`~ledger.errors.NotFound` for an unknown or malformed case number.
    """
    from ledger.application import normalise_case_number

    number = normalise_case_number(case_number)
    return protection_levels(ledger, [number])[number]


#: Cases whose protection is looked up in one query (an export or an audit logs every case at once).
_CHUNK = 500


def protection_levels(ledger: Ledger, case_numbers: list[str]) -> dict[str, str]:
    """:func:`protection_of` for many (normalised) case numbers: the same levels, read a chunk of
    cases at a time in two queries (their first events, then their persons' streams) instead of
    two per case. Raises :class:`~ledger.errors.NotFound` for the first unknown case."""
    from eventsourcing.persistence import StoredEvent

    from ledger.aggregates import case_id, project_person
    from ledger.errors import NotFound
    from ledger.store import events_table as t

    mapper = ledger.mapper
    levels: dict[str, str] = {}
    columns = (t.c.originator_id, t.c.originator_version, t.c.topic, t.c.state)

    def decoded(rows: Iterable[Any]) -> list[Any]:
        return [mapper.to_domain_event(StoredEvent(r[0], r[1], r[2], bytes(r[3]))) for r in rows]

    for start in range(0, len(case_numbers), _CHUNK):
        ids = {case_id(number): number for number in case_numbers[start:start + _CHUNK]}
        with ledger.store.read() as conn:
            firsts = {e.originator_id: e for e in decoded(conn.execute(
                select(*columns).where(t.c.originator_id.in_(list(ids)), t.c.originator_version == 1)))}
            missing = next((number for key, number in ids.items() if key not in firsts), None)
            if missing is not None:
                raise NotFound(kind="case", ref=missing)
            people = {e.person_id for e in firsts.values()}
            streams: dict[Any, list[Any]] = {}
            for event in decoded(conn.execute(select(*columns).where(t.c.originator_id.in_(list(people)))
                                              .order_by(t.c.originator_id, t.c.originator_version))):
                streams.setdefault(event.originator_id, []).append(event)
        for key, number in ids.items():
            first = firsts[key]
            person = project_person(None, streams.get(first.person_id, ()))
            levels[number] = str(person.protection_level if person is not None else first.protection_level)
    return levels


def record_read(ledger: Any, case_number: str, command: str, *, reason: str | None = None) -> None:
    """Log that ``ledger.user`` was shown ``case_number`` by ``command`` (e.g. ``"case show"``).

    ``ledger`` is a :class:`ledger.application.Ledger` (or anything with ``.app`` holding one,
    such as the read side). Call it after the case was read successfully and *before* anything
    is printed: the entry is written in its own short transaction, and if it cannot be written
    (read-only database, full disk) :class:`~ledger.errors.StorageError` propagates, so nothing
    is shown that was not logged. An unknown case raises :class:`~ledger.errors.NotFound` and
    logs nothing.
    """
    record_reads(ledger, [case_number], command, reason=reason)


def record_reads(ledger: Any, case_numbers: Iterable[str], command: str, *, reason: str | None = None) -> None:
    """Log one read per case (in one transaction), e.g. for an export that shows several cases."""
    from ledger.application import normalise_case_number

    app = getattr(ledger, "app", ledger)
    command = command.strip()
    if len(command) > 64 or not _COMMAND.match(command):
        raise InputError(field="command", reason="format")
    if reason is not None and (len(reason) > 32 or not _REASON.match(reason)):
        raise InputError(field="reason", reason="format")
    user = str(app.user)
    if not user or len(user) > 64:
        raise InputError(field="--as", reason="format")
    at = now().astimezone(UTC).replace(tzinfo=None)
    numbers = list(dict.fromkeys(normalise_case_number(c) for c in case_numbers))
    levels = protection_levels(app, numbers)
    rows = []
    for case_number in numbers:
        level = levels[case_number]
        rows.append(
            {
                "accessed_at": at, "user_name": user, "case_number": case_number, "command": command,
                "protection_level": level, "protected": level in PROTECTED_LEVELS, "reason": reason,
            }
        )
    if not rows:
        return
    store = app.store
    ensure_table(store)
    with store.write() as conn:
        conn.execute(insert(access_table), rows)


def _start_of(day: date) -> datetime | None:
    """Midnight in Swedish time (:data:`ledger.replay.LOCAL`, whatever the machine's zone) at the
    start of ``day`` (the unit's dates are Swedish), as naive UTC; ``None`` at the ends of the
    calendar (no bound is needed there)."""
    from ledger.replay import LOCAL

    try:
        return datetime.combine(day, time.min, tzinfo=LOCAL).astimezone(UTC).replace(tzinfo=None)
    except (OverflowError, ValueError):
        return None


def entries(
    store: Any,
    case: str | None = None,
    user: str | None = None,
    since: date | str | None = None,
    until: date | str | None = None,
    protected: bool | None = None,
) -> list[dict[str, Any]]:
    """The access log, oldest first, optionally for one case, one user, from/to a local date, and
    only reads of protected-identity cases (``protected=True``) or only the others (``False``).

    ``store`` is a :class:`ledger.store.SQLStore` (or a ``Ledger`` / read side holding one).
    ``since`` and ``until`` are dates (``YYYY-MM-DD``), both inclusive, in the unit's local time
    (Swedish time, ``Europe/Stockholm``, not the machine's time zone).
    A malformed case number raises :class:`~ledger.errors.NotFound` (as everywhere); a
    well-formed one that was never read gives no entries — the case need not exist any more.

    Each entry: ``accessed_at`` (ISO 8601, UTC, seconds), ``user``, ``case``, ``command``,
    ``protected`` (bool), ``protection_level`` (code) and ``reason`` (code or ``None``).
    """
    from ledger import rules

    store = getattr(getattr(store, "app", store), "store", store)
    t = access_table
    query = select(t.c.accessed_at, t.c.user_name, t.c.case_number, t.c.command, t.c.protected,
                   t.c.protection_level, t.c.reason)
    if case is not None:
        from ledger.application import normalise_case_number

        query = query.where(t.c.case_number == normalise_case_number(case))
    if user is not None:
        query = query.where(t.c.user_name == user.strip())
    if protected is not None:
        query = query.where(t.c.protected == protected)
    first = rules.optional_date(since, "--since")
    last = rules.optional_date(until, "--until")
    if first is not None and last is not None:
        rules.check_order(first, last, "--since", "--until")
    start = _start_of(first) if first is not None else None
    end = _start_of(last + timedelta(days=1)) if last is not None and last < date.max else None
    if start is not None:
        query = query.where(t.c.accessed_at >= start)
    if end is not None:
        query = query.where(t.c.accessed_at < end)
    with store.read() as conn:  # the review never writes: no table yet means no reads logged yet
        rows = conn.execute(query.order_by(t.c.id)).all() if inspect(conn).has_table(t.name) else []
    return [
        {
            "accessed_at": r.accessed_at.replace(tzinfo=UTC).isoformat(timespec="seconds"),
            "user": r.user_name,
            "case": r.case_number,
            "command": r.command,
            "protected": bool(r.protected),
            "protection_level": r.protection_level,
            "reason": r.reason,
        }
        for r in rows
    ]


__all__ = ["PROTECTED_LEVELS", "access_table", "ensure_table", "entries", "protection_levels", "protection_of",
           "record_read", "record_reads"]
