"""Event storage on SQLAlchemy Core: SQLite by default, PostgreSQL for larger units.

One database URL picks the backend: a file path or ``sqlite:///…``, or ``postgresql://…``
(``postgresql+psycopg://``). Tables are created on first use:

``ledger_events``     every event; ``id`` is the gapless position in the whole ledger
``ledger_snapshots``  snapshots of long streams
``ledger_tracking``   how far each projection has read, written with the projection's rows
``ledger_meta``       store-wide settings (schema version, the person-id namespace)

Writers are serialised (SQLite ``BEGIN IMMEDIATE``; PostgreSQL ``LOCK TABLE … IN EXCLUSIVE
MODE``), so positions are assigned in commit order with no gaps and a projection that reads up
to position *n* can never later find an event below *n*. A duplicate (stream, version) means
another writer got there first: it surfaces as eventsourcing's ``IntegrityError`` and the
application retries or reports a conflict. Everything else the database refuses (full disk,
unreachable server, lock timeout) becomes :class:`ledger.errors.StorageError`; the transaction
is rolled back, so no event is half-written.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
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
from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    create_engine,
    event,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy import exc as sa_exc

from ledger.errors import StorageError

SCHEMA_VERSION = "1"
_DDL_LOCK = 0x4C454447  # advisory lock (two-key space) held while creating tables on PostgreSQL
_ID = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData()

events_table = Table(
    "ledger_events",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=False),
    Column("originator_id", Uuid(), nullable=False),
    Column("originator_version", _ID, nullable=False),
    Column("topic", Text(), nullable=False),
    Column("state", LargeBinary(), nullable=False),
    UniqueConstraint("originator_id", "originator_version", name="ledger_events_stream_version"),
)

snapshots_table = Table(
    "ledger_snapshots",
    metadata,
    Column("originator_id", Uuid(), primary_key=True),
    Column("originator_version", _ID, primary_key=True),
    Column("topic", Text(), nullable=False),
    Column("state", LargeBinary(), nullable=False),
)

tracking_table = Table(
    "ledger_tracking",
    metadata,
    Column("application_name", String(64), primary_key=True),
    Column("notification_id", _ID, nullable=False),
)

meta_table = Table(
    "ledger_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text(), nullable=False),
)


def default_db_path() -> Path:
    """The embedded default: a SQLite file in the platform's user data directory."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("avhoppar-ledger", appauthor=False)) / "ledger.sqlite3"


def resolve_url(db: str | None = None) -> str:
    """Turn ``--db`` / ``LEDGER_DB`` / the default into a SQLAlchemy URL."""
    value = db or os.environ.get("LEDGER_DB") or str(default_db_path())
    if value.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + value.split("://", 1)[1]
    if "://" in value:
        return value
    path = Path(value).expanduser().resolve()
    return f"sqlite:///{path}"


def describe_url(url: str) -> str:
    """The URL with any password hidden, for ``ledger info`` and messages."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


class SQLStore:
    """An engine, the tables, and write/read transactions with the right locking."""

    _engines: dict[str, SQLStore] = {}

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = _make_engine(url)
        self.dialect = self.engine.dialect.name
        self.create_tables(metadata)

    def create_tables(self, tables: MetaData) -> None:
        """Create the missing tables of ``tables``; safe when several processes open a new store at once.

        Without a lock, two processes both find a table missing and both create it: on PostgreSQL
        the second fails on ``pg_type``, on SQLite a deferred transaction cannot upgrade to a write
        ("database is locked" at once). So check without a lock, then create under one.
        """
        try:
            with self.engine.connect() as conn:
                existing = set(inspect(conn).get_table_names())
            if all(table.name in existing for table in tables.sorted_tables):
                return
            with self.engine.connect() as conn:
                conn.execution_options(ledger_write=True)  # SQLite: BEGIN IMMEDIATE
                with conn.begin():
                    if self.dialect == "postgresql":
                        conn.exec_driver_sql("SET LOCAL lock_timeout = '30s'")
                        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_DDL_LOCK}, 0)")
                    tables.create_all(conn, checkfirst=True)
        except sa_exc.DBAPIError as error:
            raise _storage_error(error) from error

    @classmethod
    def for_url(cls, url: str) -> SQLStore:
        """One store (and connection pool) per URL per process."""
        store = cls._engines.get(url)
        if store is None:
            store = cls._engines[url] = cls(url)
        return store

    @classmethod
    def dispose_all(cls) -> None:
        for store in cls._engines.values():
            store.engine.dispose()
        cls._engines.clear()

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A transaction that holds the ledger's write lock until it commits or rolls back."""
        try:
            with self.engine.connect() as conn:
                conn.execution_options(ledger_write=True)
                with conn.begin():
                    if self.dialect == "postgresql":
                        conn.exec_driver_sql("SET LOCAL lock_timeout = '30s'")
                        conn.exec_driver_sql(f"LOCK TABLE {events_table.name} IN EXCLUSIVE MODE")
                    yield conn
        except sa_exc.IntegrityError as error:
            raise IntegrityError(str(error.orig)) from None
        except sa_exc.DBAPIError as error:
            raise _storage_error(error) from error

    @contextmanager
    def projection(self, *names: str) -> Iterator[Connection]:
        """A transaction for one projection's rows and tracking; one updater per projection at a time.

        It does not block event writers on PostgreSQL (an advisory lock keyed by the projection's
        name instead of the table lock); on SQLite every write transaction is exclusive anyway.
        """
        try:
            with self.engine.connect() as conn:
                conn.execution_options(ledger_write=True)
                with conn.begin():
                    if self.dialect == "postgresql":
                        conn.exec_driver_sql("SET LOCAL lock_timeout = '30s'")
                        for name in sorted(names):
                            conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:n))"), {"n": name})
                    yield conn
        except sa_exc.DBAPIError as error:
            raise _storage_error(error) from error

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only transaction (a consistent snapshot on both backends)."""
        try:
            with self.engine.connect() as conn, conn.begin():
                if self.dialect == "postgresql":
                    conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                yield conn
        except sa_exc.DBAPIError as error:
            raise _storage_error(error) from error

    # -- store-wide settings ---------------------------------------------------------------

    def meta(self, key: str, default: str | None = None) -> str | None:
        with self.read() as conn:
            value = conn.execute(select(meta_table.c.value).where(meta_table.c.key == key)).scalar()
        if value is None and default is not None:
            with self.write() as conn:
                value = conn.execute(select(meta_table.c.value).where(meta_table.c.key == key)).scalar()
                if value is None:
                    conn.execute(insert(meta_table), {"key": key, "value": default})
                    value = default
        return value

    # -- events ------------------------------------------------------------------------------

    def append(self, conn: Connection, stored_events: Sequence[StoredEvent]) -> list[int]:
        """Insert events at the next positions; call inside :meth:`write`."""
        if not stored_events:
            return []
        start = conn.execute(select(func.max(events_table.c.id))).scalar() or 0
        rows = [
            {
                "id": start + n,
                "originator_id": e.originator_id,
                "originator_version": e.originator_version,
                "topic": e.topic,
                "state": e.state,
            }
            for n, e in enumerate(stored_events, start=1)
        ]
        conn.execute(insert(events_table), rows)
        return [row["id"] for row in rows]

    def track(self, conn: Connection, name: str, position: int) -> None:
        """Record how far projection ``name`` has read; call in the projection's transaction."""
        done = conn.execute(
            update(tracking_table)
            .where(tracking_table.c.application_name == name)
            .values(notification_id=position)
        )
        if done.rowcount == 0:
            conn.execute(insert(tracking_table), {"application_name": name, "notification_id": position})

    def position(self, conn: Connection, name: str) -> int:
        value = conn.execute(
            select(tracking_table.c.notification_id).where(tracking_table.c.application_name == name)
        ).scalar()
        return int(value or 0)

    def head(self, conn: Connection) -> int:
        return int(conn.execute(select(func.max(events_table.c.id))).scalar() or 0)


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        from sqlalchemy.engine import make_url

        path = make_url(url).database  # None for sqlite://, without ?query
        if path and path != ":memory:" and not path.startswith("file:"):
            try:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise _os_storage_error(error) from error
        engine = create_engine(url, connect_args={"timeout": 60})

        @event.listens_for(engine, "connect")
        def _connect(dbapi_conn: Any, _record: Any) -> None:
            # Take over transaction control from pysqlite so BEGIN IMMEDIATE is possible.
            dbapi_conn.isolation_level = None
            cursor = dbapi_conn.cursor()
            _set_wal(cursor)
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            write = conn.get_execution_options().get("ledger_write")
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True)


def _set_wal(cursor: Any) -> None:
    """Switch the file to WAL, waiting for other processes that switch the same new file at once.

    SQLite answers "database is locked" at once (no busy handler) while another connection is
    changing the journal mode of a brand-new file, so several processes opening one new store
    together would fail without this retry.
    """
    import sqlite3
    import time

    for attempt in range(100):
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or attempt == 99:
                raise
            time.sleep(0.05)


def _os_storage_error(error: OSError) -> StorageError:
    import errno

    if error.errno == errno.ENOSPC:
        return StorageError(reason="disk_full")
    if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return StorageError(reason="read_only")
    return StorageError(reason="unreachable")


def _storage_error(error: sa_exc.DBAPIError) -> StorageError:
    text = str(error.orig).lower() if error.orig is not None else str(error).lower()
    if "full" in text or "no space" in text:
        reason = "disk_full"
    elif "locked" in text or "lock timeout" in text or "busy" in text:
        reason = "locked"
    elif "connect" in text or "could not" in text or "unable to open" in text:
        reason = "unreachable"
    elif "readonly" in text or "read-only" in text:
        reason = "read_only"
    else:
        reason = "database"
    return StorageError(reason=reason)


class LedgerRecorder(ProcessRecorder):
    """eventsourcing's application + tracking recorder, on :class:`SQLStore`."""

    def __init__(self, store: SQLStore) -> None:
        self.store = store

    def insert_events(
        self, stored_events: Sequence[StoredEvent], *, tracking: Tracking | None = None, **_: Any
    ) -> Sequence[int] | None:
        with self.store.write() as conn:
            if tracking is not None:
                self._track(conn, tracking)
            ids = self.store.append(conn, stored_events)
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
        raise NotImplementedError("projections pull from the notification log; see ledger.projections")

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
    """One stream's rows (events or snapshots) between versions, in either order."""
    query = select(t.c.originator_id, t.c.originator_version, t.c.topic, t.c.state).where(
        t.c.originator_id == _uuid(originator_id)
    )
    if gt is not None:
        query = query.where(t.c.originator_version > gt)
    if lte is not None:
        query = query.where(t.c.originator_version <= lte)
    query = query.order_by(t.c.originator_version.desc() if desc else t.c.originator_version)
    if limit is not None:
        query = query.limit(limit)
    with store.read() as conn:
        return [StoredEvent(r[0], r[1], r[2], bytes(r[3])) for r in conn.execute(query)]


def _uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


class Factory(InfrastructureFactory):
    """Builds the recorders for an eventsourcing ``Application`` from ``LEDGER_DB_URL``."""

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        self.store = SQLStore.for_url(resolve_url(self.env.get("LEDGER_DB_URL")))

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
