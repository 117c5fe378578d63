"""Projections: read models kept in their own tables, fed only by events.

A projection reads the notification log from its tracked position and writes its rows and its
new position in one transaction, so a crash never applies an event twice or skips one. On
SQLite the library's subscription does not exist, so reading commands pull (``catch_up``) before
they answer; the same code runs on PostgreSQL. A projection whose ``version`` changed is wiped
and rebuilt on next use.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from sqlalchemy import Connection, MetaData, Table, delete, insert, select, update

from ledger.store import SQLStore, meta_table, tracking_table

#: Tables of the read side live beside the event tables, prefixed ``proj_``.
read_metadata = MetaData()


class Projection:
    """Base class: subclasses set ``name``, ``version``, ``tables`` and handle events."""

    name: ClassVar[str]
    version: ClassVar[int] = 1
    tables: ClassVar[tuple[Table, ...]] = ()
    topics: ClassVar[tuple[str, ...]] = ()

    def handle(self, conn: Connection, event: Any, position: int) -> None:
        raise NotImplementedError

    def reset(self, conn: Connection) -> None:
        for table in self.tables:
            conn.execute(delete(table))


def ensure_tables(store: SQLStore) -> None:
    read_metadata.create_all(store.engine, checkfirst=True)


def _version_key(projection: Projection) -> str:
    return f"projection_version:{projection.name}"


def catch_up(
    store: SQLStore,
    decode: Callable[[Any], Any],
    projections: Iterable[Projection],
    *,
    batch: int = 2000,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, int]:
    """Bring each projection up to the head of the log; returns the position each reached."""
    from ledger.store import LedgerRecorder

    recorder = LedgerRecorder(store)
    reached: dict[str, int] = {}
    for projection in projections:
        _check_version(store, projection)
        while True:
            with store.projection(projection.name) as conn:
                position = store.position(conn, projection.name)
                head = store.head(conn)
                if position >= head:
                    reached[projection.name] = position
                    break
                notes = recorder.select_notifications(position, batch, inclusive_of_start=False)
                for note in notes:
                    if not projection.topics or note.topic in projection.topics:
                        projection.handle(conn, decode(note), note.id)
                last = notes[-1].id if notes else head
                store.track(conn, projection.name, last)
            if progress:
                progress(projection.name, last, head)
    return reached


def rebuild(store: SQLStore, projection: Projection) -> None:
    """Wipe a projection's rows and position; the next catch-up replays everything."""
    with store.projection(projection.name) as conn:
        projection.reset(conn)
        conn.execute(delete(tracking_table).where(tracking_table.c.application_name == projection.name))


def _check_version(store: SQLStore, projection: Projection) -> None:
    key = _version_key(projection)
    want = str(projection.version)
    with store.read() as conn:
        have = conn.execute(select(meta_table.c.value).where(meta_table.c.key == key)).scalar()
    if have == want:
        return
    with store.projection(projection.name) as conn:
        # New code may have new columns: drop and recreate the projection's tables, then replay.
        for table in reversed(projection.tables):
            table.drop(conn, checkfirst=True)
        for table in projection.tables:
            table.create(conn, checkfirst=True)
        conn.execute(delete(tracking_table).where(tracking_table.c.application_name == projection.name))
        if have is None:
            conn.execute(insert(meta_table), {"key": key, "value": want})
        else:
            conn.execute(update(meta_table).where(meta_table.c.key == key).values(value=want))


__all__ = ["Projection", "catch_up", "ensure_tables", "read_metadata", "rebuild"]
