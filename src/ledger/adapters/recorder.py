"""eventsourcing's recorders on :class:`~ledger.adapters.store.SQLStore`, and the factory that builds them.

The application (:mod:`ledger.application`) sees only the library's recorder interfaces; events
are appended with their hash-chain links (:func:`ledger.adapters.chained.append`) in one write
transaction, snapshots outside the event lock. Projections do not subscribe: they pull from the
events table (``projections/runner.py``), on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import (
    AggregateRecorder,
    InfrastructureFactory,
    IntegrityError,
    Notification,
    ProcessRecorder,
    StoredEvent,
    Tracking,
)
from eventsourcing.utils import Environment
from sqlalchemy import Connection, Table, insert, select

from ledger.adapters import chained
from ledger.adapters.schema import events_table, snapshots_table
from ledger.adapters.store import SQLStore, driver_rows


class LedgerRecorder(ProcessRecorder):
    """eventsourcing's application + tracking recorder, on :class:`SQLStore`."""

    def __init__(self, store: SQLStore) -> None:
        self.store = store

    def insert_events(
        self, stored_events: Sequence[StoredEvent], *, tracking: Tracking | None = None, **_: Any
    ) -> Sequence[int] | None:
        if tracking is None:
            done = self.store.append_at_once(stored_events)  # PostgreSQL, a few events: one round trip
            if done is not None:
                return done
        with self.store.appending() as (conn, tail):
            if tracking is not None:
                self._track(conn, tracking)
            ids = chained.append(conn, self.store.dialect, stored_events, tail)
        return ids

    def _track(self, conn: Connection, tracking: Tracking) -> None:
        """Record ``tracking``; the same or a lower position again means it was already processed."""
        current = self.store.position(conn, tracking.application_name)
        if tracking.notification_id <= current:
            raise IntegrityError(
                f"tracking {tracking.application_name!r} is at {current}, not below {tracking.notification_id}"
            )
        self.store.track(conn, tracking.application_name, tracking.notification_id)

    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> list[StoredEvent]:
        return _select_stream(self.store, events_table, originator_id, gt=gt, lte=lte, desc=desc, limit=limit)

    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> list[Notification]:
        t = events_table
        query = select(t.c.id, t.c.originator_id, t.c.originator_version, t.c.topic, t.c.state)
        if start is not None:
            query = query.where(t.c.id >= start if inclusive_of_start else t.c.id > start)
        if stop is not None:
            query = query.where(t.c.id <= stop)
        if topics:
            query = query.where(t.c.topic.in_(list(topics)))
        query = query.order_by(t.c.id).limit(limit)
        with self.store.read() as conn:
            return [
                Notification(id=r[0], originator_id=r[1], originator_version=r[2], topic=r[3], state=bytes(r[4]))
                for r in conn.execute(query)
            ]

    def max_notification_id(self) -> int | None:
        with self.store.read() as conn:
            return self.store.head(conn) or None

    def subscribe(self, gt: int | None = None, topics: Sequence[str] = ()) -> Any:
        raise NotImplementedError("projections pull from the events table; see projections/runner.py")

    def insert_tracking(self, tracking: Tracking) -> None:
        with self.store.write() as conn:
            self._track(conn, tracking)

    def max_tracking_id(self, application_name: str) -> int | None:
        with self.store.read() as conn:
            return self.store.position(conn, application_name) or None


class SnapshotRecorder(AggregateRecorder):
    """Snapshots: written outside the event lock, a duplicate is simply ignored."""

    def __init__(self, store: SQLStore) -> None:
        self.store = store

    def insert_events(self, stored_events: Sequence[StoredEvent], **_: Any) -> Sequence[int] | None:
        try:
            with self.store.write() as conn:
                for e in stored_events:
                    conn.execute(
                        insert(snapshots_table),
                        {
                            "originator_id": e.originator_id,
                            "originator_version": e.originator_version,
                            "topic": e.topic,
                            "state": e.state,
                        },
                    )
        except IntegrityError:
            pass  # Another process took the same snapshot.
        return None

    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> list[StoredEvent]:
        return _select_stream(self.store, snapshots_table, originator_id, gt=gt, lte=lte, desc=desc, limit=limit)


def _select_stream(
    store: SQLStore, t: Table, originator_id: UUID | str, *, gt: int | None, lte: int | None, desc: bool,
    limit: int | None,
) -> list[StoredEvent]:
    """One stream's rows (events or snapshots) between versions, in either order (through the driver:
    a replay reads thousands of streams, and SQLAlchemy's statement and row objects cost more than the read)."""
    stream = originator_id if isinstance(originator_id, UUID) else UUID(str(originator_id))
    m = store.mark
    sql = f"SELECT originator_version, topic, state FROM {t.name} WHERE originator_id = {m}"
    params: list[Any] = [store.dialect.stream_id(stream)]
    if gt is not None:
        sql += f" AND originator_version > {m}"
        params.append(int(gt))
    if lte is not None:
        sql += f" AND originator_version <= {m}"
        params.append(int(lte))
    sql += " ORDER BY originator_version DESC" if desc else " ORDER BY originator_version"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    with store.read() as conn:
        rows = driver_rows(conn, sql, tuple(params))
    return [StoredEvent(stream, int(v), topic, bytes(st)) for v, topic, st in rows]


class Factory(InfrastructureFactory[LedgerRecorder]):
    """Builds the recorders of an eventsourcing ``Application`` on one :class:`SQLStore`."""

    def __init__(self, store: SQLStore) -> None:
        super().__init__(Environment("ledger", {"IS_SNAPSHOTTING_ENABLED": "y"}))
        self.store = store

    def aggregate_recorder(self, purpose: str = "events") -> AggregateRecorder:
        if purpose == "snapshots":
            return SnapshotRecorder(self.store)
        return LedgerRecorder(self.store)

    def application_recorder(self) -> LedgerRecorder:
        return LedgerRecorder(self.store)

    def tracking_recorder(self, tracking_recorder_class: Any = None) -> LedgerRecorder:
        return LedgerRecorder(self.store)

    def process_recorder(self) -> LedgerRecorder:
        return LedgerRecorder(self.store)
