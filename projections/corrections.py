"""Corrections on the read side: every view shows the corrected values, incrementally and after a rebuild.

A replay from zero reads every ``EntryCorrected`` first (:func:`corrections`) and puts the new
values on the entry they correct as it is read. A projection that has used an entry whose
correction it has not seen yet (:func:`stale`) is wiped and replayed from zero: corrections are
rare, and a replay of a unit's store takes well under a second.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection

from ledger.adapters.schema import events_table
from ledger.adapters.store import SQLStore
from ledger.domain import events as ev
from ledger.projections.projection import Projection

#: The stored topic of a correction.
CORRECTION = ev.topic_of(ev.EntryCorrected)


def correction_ids(store: SQLStore, conn: Connection, after: int, through: int | None = None) -> list[int]:
    """Positions of the corrections recorded after ``after`` (and up to ``through``)."""
    mark = store.mark
    query = f"SELECT id FROM {events_table.name} WHERE id > {mark} AND topic = {mark}"
    params: tuple[Any, ...] = (after, CORRECTION)
    if through is not None:
        query += f" AND id <= {mark}"
        params += (through,)
    cursor = conn.connection.cursor()
    try:
        cursor.execute(query, params)
        return [row[0] for row in cursor.fetchall()]
    finally:
        cursor.close()


def stale(store: SQLStore, projections: list[Projection]) -> list[Projection]:
    """The projections that have used an entry whose correction they have not seen yet."""
    with store.read() as conn:
        positions = {p.name: store.position(conn, p.name) for p in projections}
        started = [position for position in positions.values() if position > 0]
        if not started:
            return []
        ids = correction_ids(store, conn, min(started))
    return [p for p in projections if positions[p.name] > 0 and any(i > positions[p.name] for i in ids)]


def corrections(
    store: SQLStore, decode: Callable[[bytes], dict[str, Any]]
) -> tuple[dict[tuple[Any, int], dict[str, Any]], int]:
    """Every correction in the store, as new statistical values per (stream, entry), oldest
    applied first; and the position up to which they were read."""
    fixes: dict[tuple[Any, int], dict[str, Any]] = {}
    with store.read() as conn:
        through = store.head(conn)
        mark = store.mark
        cursor = conn.connection.cursor()
        try:
            cursor.execute(
                f"SELECT originator_id, state FROM {events_table.name} WHERE topic = {mark} AND id <= {mark} "
                "ORDER BY id",
                (CORRECTION, through),
            )
            for originator_id, state in cursor.fetchall():
                part = decode(bytes(state))["s"]
                fixes.setdefault((originator_id, part["entry"]), {}).update(part["changes"])
        finally:
            cursor.close()
    return fixes, through
