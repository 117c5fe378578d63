"""The access log's table (``ledger_access``) and the protection lookup that goes into each entry.

Entries live in their own append-only table, in the same database as the events — never in the
case's stream: reading a case is not something that happened *to* the case, and a case's events
(and its event count, hash chain and projections) stay exactly as they were. Which reads are
logged, and with what, is decided in one place: :class:`ledger.application.queries.Queries`.

**Protection level.** The level in an entry is the case's person's *current* one (their stream's
newest ``PersonRegistered`` / ``ProtectionLevelChanged``), so a protection given after the case was
opened marks later reads; if the person's stream cannot be found, the level recorded when the case
was actualised is used. This module only ever inserts into ``ledger_access``.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from eventsourcing.persistence import StoredEvent
from sqlalchemy import insert, inspect, select

from ledger.adapters.mapper import PydanticMapper
from ledger.adapters.schema import access_metadata, access_table, events_table
from ledger.adapters.store import SQLStore
from ledger.application.ports import AccessEntry
from ledger.domain.aggregates import case_id, project_person
from ledger.domain.errors import NotFound

_READY: weakref.WeakSet[SQLStore] = weakref.WeakSet()
#: Cases whose protection is looked up in one query (an export or an audit logs every case at once).
_CHUNK = 500


def ensure_table(store: SQLStore) -> None:
    """Create ``ledger_access`` if it is missing (once per store per process)."""
    if store not in _READY:
        store.create_tables(access_metadata)
        _READY.add(store)


class SqlAccessLog:
    """:class:`ledger.application.ports.AccessLog` on a store's ``ledger_access`` table."""

    def __init__(self, store: SQLStore) -> None:
        self.store = store

    def record(self, entries: Sequence[AccessEntry]) -> None:
        if not entries:
            return
        ensure_table(self.store)
        rows = [
            {"accessed_at": e.accessed_at.astimezone(UTC).replace(tzinfo=None), "user_name": e.user,
             "case_number": e.case, "command": e.command, "protection_level": e.protection_level,
             "protected": e.protected, "reason": e.reason}
            for e in entries
        ]
        with self.store.write() as conn:
            conn.execute(insert(access_table), rows)

    def entries(self, *, case: str | None = None, user: str | None = None, since: datetime | None = None,
                until: datetime | None = None, protected: bool | None = None) -> list[AccessEntry]:
        t = access_table
        query = select(t.c.accessed_at, t.c.user_name, t.c.case_number, t.c.command, t.c.protected,
                       t.c.protection_level, t.c.reason)
        if case is not None:
            query = query.where(t.c.case_number == case)
        if user is not None:
            query = query.where(t.c.user_name == user)
        if protected is not None:
            query = query.where(t.c.protected == protected)
        if since is not None:
            query = query.where(t.c.accessed_at >= since.astimezone(UTC).replace(tzinfo=None))
        if until is not None:
            query = query.where(t.c.accessed_at < until.astimezone(UTC).replace(tzinfo=None))
        with self.store.read() as conn:  # the review never writes: no table yet means no reads logged yet
            rows = conn.execute(query.order_by(t.c.id)).all() if inspect(conn).has_table(t.name) else []
        return [
            AccessEntry(accessed_at=r.accessed_at.replace(tzinfo=UTC), user=r.user_name, case=r.case_number,
                        command=r.command, protection_level=r.protection_level, protected=bool(r.protected),
                        reason=r.reason)
            for r in rows
        ]


class SqlProtection:
    """The current protection level of cases, read from their first events and their persons' streams."""

    def __init__(self, store: SQLStore, mapper: PydanticMapper) -> None:
        self.store, self.mapper = store, mapper

    def protection_levels(self, case_numbers: Sequence[str]) -> dict[str, str]:
        """Each (normalised) case's level; a chunk of cases at a time in two queries (their first
        events, then their persons' streams). ``NotFound`` for the first unknown case."""
        t = events_table
        levels: dict[str, str] = {}
        columns = (t.c.originator_id, t.c.originator_version, t.c.topic, t.c.state)

        def decoded(rows: Iterable[Any]) -> list[Any]:
            return [self.mapper.to_domain_event(StoredEvent(r[0], r[1], r[2], bytes(r[3]))) for r in rows]

        numbers = list(case_numbers)
        for start in range(0, len(numbers), _CHUNK):
            ids = {case_id(number): number for number in numbers[start:start + _CHUNK]}
            with self.store.read() as conn:
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
