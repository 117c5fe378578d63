"""The access log's table (``ledger_access_log``), hash-chained, and the protection lookup of each entry.

Entries live in their own table, in the same database as the events — never in the case's stream:
reading a case is not something that happened *to* the case, and a case's events (and its event
count, hash chain and projections) stay exactly as they were. Which reads are logged, and when, is
decided in one place: :class:`ledger.application.gate.Gate`.

**Tamper evidence.** Rows are numbered 1, 2, 3, … without gaps, under the access log's own write
lock, and each row's ``hash`` covers the row and the hash of the row before
(:func:`ledger.adapters.chain.access_link`): a deleted, edited or reordered row is found by
``ledger verify`` at its position, and a digest (``ledger digest``) holds the log's head too.
Only ever inserted into; on PostgreSQL the ledger's logins cannot do anything else.

**Protection level.** The level in an entry is the case's person's *current* one (their stream's
newest ``PersonRegistered`` / ``ProtectionLevelChanged``), so a protection given after the case was
opened marks later reads; if the person's stream cannot be found, the level recorded when the case
was actualised is used.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from sqlalchemy import Connection, insert, inspect, select

from ledger.adapters.chain import GENESIS, Head, access_link
from ledger.adapters.schema import (
    CASE_ACCESS_TOPICS,
    OLD_ACCESS_TABLE,
    access_metadata,
    access_table,
    sqlite_state_field,
    topic_is_one_of,
)
from ledger.adapters.store import SQLStore
from ledger.application.ports import AccessEntry
from ledger.domain import events as ev
from ledger.domain.aggregates import case_id, case_id_hex
from ledger.domain.errors import NotFound

_READY: weakref.WeakSet[SQLStore] = weakref.WeakSet()
#: Cases whose protection is looked up in one query (an export or an audit logs every case at once).
_CHUNK = 500
#: The events of a person's stream that set the protection level (the rest, a case opened or an
#: erasure, need not be read to know it).
_LEVEL_TOPICS = [ev.topic_of(ev.PersonRegistered), ev.topic_of(ev.ProtectionLevelChanged)]
_TAIL = "SELECT position, hash FROM ledger_access_log ORDER BY position DESC LIMIT 1"


def ensure_table(store: SQLStore) -> None:
    """Create ``ledger_access_log`` if it is missing, and chain the rows of an access log written
    before it was chained (once); once per store per process."""
    if store in _READY:
        return
    store.create_tables(access_metadata)
    with store.read() as conn:
        old = inspect(conn).has_table(OLD_ACCESS_TABLE) and store.meta_value(conn, "access_chained") is None
    if old:
        _chain_old_rows(store)
    _READY.add(store)


def _chain_old_rows(store: SQLStore) -> None:
    """Copy the old, unchained ``ledger_access`` into the chained table in its order, once."""
    with store.write("access") as conn:
        if store.meta_value(conn, "access_chained") is not None:
            return
        rows = conn.exec_driver_sql(
            f"SELECT accessed_at, user_name, case_number, command, protection_level, protected, reason "
            f"FROM {OLD_ACCESS_TABLE} ORDER BY id").all()
        _append(conn, [
            AccessEntry(accessed_at=_utc(r[0]), user=r[1], case=r[2], command=r[3], protection_level=r[4],
                        protected=bool(r[5]), reason=r[6])
            for r in rows
        ])
        store.put_meta(conn, {"access_chained": str(len(rows))})


def _utc(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _append(conn: Connection, entries: Sequence[AccessEntry]) -> None:
    """Insert entries at the next positions, each linked to the one before (inside the access lock)."""
    last = conn.exec_driver_sql(_TAIL).first()
    position, previous = (int(last[0]), str(last[1])) if last is not None else (0, GENESIS)
    rows = []
    for e in entries:
        position += 1
        at = e.accessed_at.astimezone(UTC).replace(tzinfo=None, microsecond=0)
        previous = access_link(previous, position, at.isoformat(), e.user, e.case, e.command, e.protection_level,
                               e.protected, e.reason, e.outcome)
        rows.append({"position": position, "accessed_at": at, "user_name": e.user, "case_number": e.case,
                     "command": e.command, "protection_level": e.protection_level, "protected": e.protected,
                     "reason": e.reason, "outcome": e.outcome, "hash": previous})
    if rows:
        conn.execute(insert(access_table), rows)


def insert_verified(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert access rows of an archive, already verified, with their positions and hashes."""
    conn.execute(insert(access_table), [
        {"position": r["access"], "accessed_at": datetime.fromisoformat(r["accessed_at"]), "user_name": r["user"],
         "case_number": r["case"], "command": r["command"], "protection_level": r["protection_level"],
         "protected": r["protected"], "reason": r["reason"], "outcome": r["outcome"], "hash": r["hash"]}
        for r in rows
    ])


def access_head(conn: Connection) -> Head:
    """The access log's last position and hash as stored (not verified)."""
    last = conn.exec_driver_sql(_TAIL).first()
    return Head(int(last[0]), str(last[1])) if last is not None else Head(0, GENESIS)


class SqlAccessLog:
    """:class:`ledger.application.ports.AccessLog` on a store's ``ledger_access_log`` table."""

    def __init__(self, store: SQLStore) -> None:
        self.store = store

    def record(self, entries: Sequence[AccessEntry]) -> None:
        if not entries:
            return
        ensure_table(self.store)
        with self.store.write("access") as conn:
            _append(conn, entries)

    def entries(self, *, case: str | None = None, user: str | None = None, since: datetime | None = None,
                until: datetime | None = None, protected: bool | None = None,
                outcome: str | None = None) -> list[AccessEntry]:
        t = access_table
        query = select(t.c.accessed_at, t.c.user_name, t.c.case_number, t.c.command, t.c.protected,
                       t.c.protection_level, t.c.reason, t.c.outcome)
        if case is not None:
            query = query.where(t.c.case_number == case)
        if user is not None:
            query = query.where(t.c.user_name == user)
        if protected is not None:
            query = query.where(t.c.protected == protected)
        if outcome is not None:
            query = query.where(t.c.outcome == outcome)
        if since is not None:
            query = query.where(t.c.accessed_at >= since.astimezone(UTC).replace(tzinfo=None))
        if until is not None:
            query = query.where(t.c.accessed_at < until.astimezone(UTC).replace(tzinfo=None))
        with self.store.read() as conn:  # the review never writes: no table yet means no reads logged yet
            rows = conn.execute(query.order_by(t.c.position)).all() if inspect(conn).has_table(t.name) else []
        return [
            AccessEntry(accessed_at=r.accessed_at.replace(tzinfo=UTC), user=r.user_name, case=r.case_number,
                        command=r.command, protection_level=r.protection_level, protected=bool(r.protected),
                        reason=r.reason, outcome=r.outcome)
            for r in rows
        ]


class SqlProtection:
    """The current protection level of cases, read from their first events and their persons' streams."""

    def __init__(self, store: SQLStore) -> None:
        self.store = store

    def protection_levels(self, case_numbers: Sequence[str]) -> dict[str, str]:
        """Each (normalised) case's level; a chunk of cases at a time in two queries (their first
        events, then their persons' streams). ``NotFound`` for the first unknown case. Only the
        statistical part of the events is read: no key is needed to know how protected a case is.
        The two fields wanted are taken out of the stored JSON by the database (``json_extract``,
        ``jsonb``), not by decoding every payload here: a case list reads thousands of them."""
        levels: dict[str, str] = {}
        numbers = list(case_numbers)
        sid, m = self.store.dialect.stream_id, self.store.mark
        person, level = _state_field(self.store, "person_id"), _state_field(self.store, "protection_level")
        first_from, levels_from = "ledger_events", "ledger_events"
        levels_where = f"topic IN ({m}, {m})"
        level_topics: tuple[str, ...] = tuple(_LEVEL_TOPICS)
        if self.store.lookup_indexes:  # SQLite, with its lookup indexes: the payloads unread
            first_from = "ledger_events INDEXED BY ledger_events_first_fields"
            levels_from = "ledger_events INDEXED BY ledger_events_protection"
            levels_where = "topic IN ({})".format(", ".join(f"'{t}'" for t in _LEVEL_TOPICS))  # as the index says
            level_topics = ()
        if self.store.dialect.name == "sqlite":  # ids in the form the driver gives them back: no UUID objects
            def stored(text: str) -> Any:
                return text.replace("-", "").lower()  # as the stream ids are written

            stream_of: Callable[[str], Any] = case_id_hex
        else:
            def stored(text: str) -> Any:
                return sid(UUID(text))

            def stream_of(number: str) -> Any:
                return sid(case_id(number))
        with self.store.read() as conn:
            cursor = conn.connection.cursor()  # the driver's cursor: thousands of cases for a whole case list
            try:
                for start in range(0, len(numbers), _CHUNK):
                    ids = {stream_of(number): number for number in numbers[start:start + _CHUNK]}
                    marks = ", ".join([m] * len(ids))
                    cursor.execute(f"SELECT originator_id, {person}, {level} FROM {first_from} WHERE originator_id "
                                   f"IN ({marks}) AND originator_version = 1", tuple(ids))
                    firsts = {stream: (stored(str(who)), str(first or "none"))
                              for stream, who, first in cursor.fetchall()}
                    missing = next((number for key, number in ids.items() if key not in firsts), None)
                    if missing is not None:
                        raise NotFound(kind="case", ref=missing)
                    people = sorted({who for who, _ in firsts.values()}, key=str)
                    marks = ", ".join([m] * len(people))
                    cursor.execute(f"SELECT originator_id, {level} FROM {levels_from} WHERE originator_id IN ({marks}) "
                                   f"AND {levels_where} ORDER BY originator_id, originator_version",
                                   (*people, *level_topics))
                    current = {stream: str(changed) for stream, changed in cursor.fetchall() if changed is not None}
                    for key, number in ids.items():
                        who, first = firsts[key]
                        levels[number] = current.get(who, first)
            finally:
                cursor.close()
        return levels

    def access_events(self, case_numbers: Sequence[str]) -> dict[str, list[StoredEvent]]:
        """Each case's events that decide who may see it (its opening, assignments, grants and
        corrections), oldest first, as stored: who may see thousands of protected cases is folded from
        these (on SQLite through the ``ledger_events_access_topics`` index), not from each case's whole
        history."""
        numbers = list(case_numbers)
        found: dict[str, list[StoredEvent]] = {number: [] for number in numbers}
        m, sid = self.store.mark, self.store.dialect.stream_id
        indexed = self.store.lookup_indexes
        source = "ledger_events INDEXED BY ledger_events_access_topics" if indexed else "ledger_events"
        topics = topic_is_one_of(CASE_ACCESS_TOPICS)  # as the index says it
        with self.store.read() as conn:
            cursor = conn.connection.cursor()
            try:
                for start in range(0, len(numbers), _CHUNK):
                    streams = {case_id(number): number for number in numbers[start:start + _CHUNK]}
                    ids = {sid(stream): stream for stream in streams}
                    cursor.execute(f"SELECT originator_id, originator_version, topic, state FROM {source} WHERE "
                                   f"originator_id IN ({', '.join([m] * len(ids))}) AND ({topics}) "
                                   "ORDER BY originator_id, originator_version", tuple(ids))
                    for stored, version, topic, state in cursor.fetchall():
                        stream = ids[stored if stored in ids else sid(UUID(str(stored)))]
                        found[streams[stream]].append(StoredEvent(originator_id=stream, originator_version=version,
                                                                  topic=topic, state=bytes(state)))
            finally:
                cursor.close()
        return found

    def protected_cases(self) -> dict[str, str] | None:
        """Every case protected now, with its level: from the events, as :meth:`protection_levels`
        decides it, without naming every case first. A case list shows a page, and only the protected
        cases can be left out of it. Read from SQLite's lookup indexes: every person's level events,
        then the cases' first events that are protected or whose person is (a scan of the index, the
        payloads of those few read). None without the indexes (PostgreSQL): ask for each case
        (:meth:`protection_levels`)."""
        if not self.store.lookup_indexes:
            return None
        person, level = sqlite_state_field("person_id"), sqlite_state_field("protection_level")
        number = sqlite_state_field("case_number")
        topics = ", ".join(f"'{t}'" for t in _LEVEL_TOPICS)
        with self.store.read() as conn:
            cursor = conn.connection.cursor()
            try:
                cursor.execute(f"SELECT originator_id, {level} FROM ledger_events INDEXED BY ledger_events_protection "
                               f"WHERE topic IN ({topics}) ORDER BY originator_id, originator_version")
                current = {stream: str(changed) for stream, changed in cursor.fetchall() if changed is not None}
                people = [str(UUID(stream)) for stream, now in current.items() if now != "none"]  # as in the payloads
                first = (f"SELECT {number} FROM ledger_events INDEXED BY ledger_events_first_fields "
                         f"WHERE originator_version = 1 AND {person} IS NOT NULL AND ")
                cursor.execute(first + f"coalesce({level}, 'none') != 'none'")
                found = list(cursor.fetchall())
                for start in range(0, len(people), _CHUNK):
                    chunk = people[start:start + _CHUNK]
                    cursor.execute(first + f"{person} IN ({', '.join('?' * len(chunk))})", chunk)
                    found += cursor.fetchall()
                candidates = sorted({str(case) for case, in found if case is not None})
            finally:
                cursor.close()
        # the exact level of each, by its number's stream (a first event that is not its case's names none)
        return {case: now for case, now in self.protection_levels(candidates).items() if now != "none"}


def _state_field(store: SQLStore, name: str) -> str:
    """SQL for a statistical field of a stored payload (``{"s": {name: …}}``, plain JSON: only the
    personal part is sealed, see :mod:`ledger.adapters.mapper`) as text."""
    if store.dialect.name == "sqlite":
        return sqlite_state_field(name)
    return f"(convert_from(state, 'UTF8')::jsonb #>> '{{s,{name}}}')"
