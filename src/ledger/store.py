"""Event storage on SQLAlchemy Core: SQLite by default, PostgreSQL for larger units.

One database URL picks the backend: a file path or ``sqlite:///…``, or ``postgresql://…``
(``postgresql+psycopg://``). Tables are created on first use:

``ledger_events``     every event; ``id`` is the gapless position in the whole ledger
``ledger_snapshots``  snapshots of long streams
``ledger_tracking``   how far each projection has read, written with the projection's rows
``ledger_meta``       store-wide settings (schema version, the person-id namespace)
``ledger_chain``      the hash chain: one entry per event, written in the event's transaction
                      (see ``ledger.chain`` and ``docs/tamper-evidence.md``)

Writers are serialised (SQLite ``BEGIN IMMEDIATE``; PostgreSQL ``LOCK TABLE … IN EXCLUSIVE
MODE``), so positions are assigned in commit order with no gaps and a projection that reads up
to position *n* can never later find an event below *n*. A duplicate (stream, version) means
another writer got there first: it surfaces as eventsourcing's ``IntegrityError`` and the
application retries or reports a conflict. Everything else the database refuses (full disk,
unreachable server, lock timeout) becomes :class:`ledger.errors.StorageError`; the transaction
is rolled back, so no event is half-written.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar
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

from ledger.chain import (
    CHAIN_VERSION,
    GENESIS,
    Head,
    link,
    link_new,
    payload_hash,
    recorded_at,
    stream_text,
)
from ledger.errors import ChainBroken, StorageError

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

chain_table = Table(
    "ledger_chain",
    metadata,
    Column("position", _ID, primary_key=True, autoincrement=False),
    Column("recorded_at", Text(), nullable=False),
    Column("payload_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

#: ``ledger_meta`` keys of the chain: its format, and when a store made before the chain was chained.
CHAIN_KEY = "chain_version"
BACKFILL_KEY = "chain_backfill"
_COPY_CHAIN = "COPY ledger_chain (position, recorded_at, payload_hash, hash) FROM STDIN"
_TAIL = (
    "SELECT e.top, c.position, c.hash FROM (SELECT MAX(id) AS top FROM ledger_events) e "
    "LEFT JOIN ledger_chain c ON c.position = (SELECT MAX(position) FROM ledger_chain)"
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


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL; ``None`` for another backend, an in-memory database or a
    ``file:`` URI (whose existence SQLite itself decides)."""
    if not url.startswith("sqlite"):
        return None
    from sqlalchemy.engine import make_url

    path = make_url(url).database
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    return Path(path)


def describe_url(url: str) -> str:
    """The URL with any password hidden, for ``ledger info`` and messages."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


class SQLStore:
    """An engine, the tables, and write/read transactions with the right locking."""

    _engines: ClassVar[dict[str, SQLStore]] = {}

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = _make_engine(url)
        self.dialect = self.engine.dialect.name
        mark = "?" if self.dialect == "sqlite" else "%s"
        self._mark = mark
        self._insert_events = (
            f"INSERT INTO ledger_events (id, originator_id, originator_version, topic, state) "
            f"VALUES ({mark}, {mark}, {mark}, {mark}, {mark})"
        )
        self._insert_chain = (
            f"INSERT INTO ledger_chain (position, recorded_at, payload_hash, hash) VALUES ({mark}, {mark}, {mark}, {mark})"
        )
        try:
            self.create_tables(metadata)
        except StorageError as error:
            if error.params.get("reason") != "read_only" or not self._has_events():
                raise
            return  # a read-only copy of a store made before the chain: readable as it is
        self._ensure_chain()

    def _has_events(self) -> bool:
        with self.engine.connect() as conn:
            return events_table.name in inspect(conn).get_table_names()

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
        """Insert events at the next positions, each with its chain entry; call inside :meth:`write`.

        Rows go to the driver (:meth:`_insert`): SQLAlchemy's per-row processing would cost more
        than the hashing. The write lock is held, so the previous link read here stays the last.
        """
        if not stored_events:
            return []
        start, previous = self._chain_tail(conn)
        sqlite = self.dialect == "sqlite"
        events, entries = [], []
        position = start
        sha256, when_of, chained = hashlib.sha256, recorded_at, link_new  # locals: this loop is the hot path
        for e in stored_events:
            position += 1
            stream = e.originator_id if isinstance(e.originator_id, UUID) else UUID(str(e.originator_id))
            h = stream.hex
            state, version = e.state, int(e.originator_version)
            digest = sha256(state).hexdigest()
            when = when_of(state)
            text = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"  # str(stream), faster
            previous = chained(previous, position, text, version, e.topic, when, digest)
            events.append((position, h if sqlite else stream, version, e.topic, state))
            entries.append((position, when, digest, previous))
        self._insert(conn, events, entries)
        return list(range(start + 1, position + 1))

    def _insert(self, conn: Connection, events: list[tuple[Any, ...]], entries: list[tuple[Any, ...]]) -> None:
        """Events and chain entries as tuples, through the driver: ``executemany``, and on PostgreSQL
        ``COPY`` for the chain (psycopg's ``executemany`` costs as much per row as the hashing)."""
        conn.exec_driver_sql(self._insert_events, events)  # type: ignore[arg-type]
        if self.dialect == "sqlite":
            conn.exec_driver_sql(self._insert_chain, entries)  # type: ignore[arg-type]
            return
        import psycopg

        try:
            with conn.connection.dbapi_connection.cursor() as cursor, cursor.copy(_COPY_CHAIN) as copy:  # type: ignore[union-attr]
                for row in entries:
                    copy.write_row(row)
        except psycopg.Error as error:
            raise _refused(str(error)) from None

    def insert_chained(self, conn: Connection, rows: Sequence[tuple[int, UUID, int, str, bytes, str, str, str]]) -> None:
        """Insert events with chain entries already verified (an archive's import); inside :meth:`write`."""
        sqlite = self.dialect == "sqlite"
        self._insert(conn, [(p, s.hex if sqlite else s, v, t, st) for p, s, v, t, st, _, _, _ in rows],
                     [(p, w, d, h) for p, _, _, _, _, w, d, h in rows])

    def _chain_tail(self, conn: Connection) -> tuple[int, str]:
        """The last position and its link; refuses to extend a chain whose end does not match its events."""
        top, position, last = conn.exec_driver_sql(_TAIL).one()
        top, position = int(top or 0), int(position or 0)
        if top != position:
            if position < top:
                raise ChainBroken(position=position + 1, reason="chain_missing")
            raise ChainBroken(position=top + 1, reason="event_missing")
        return top, (last if top else GENESIS)

    # -- the chain ----------------------------------------------------------------------------

    def _ensure_chain(self) -> None:
        """Chain a store made before the chain existed: once, under the write lock.

        Marked by ``chain_version`` in ``ledger_meta``; from then on a missing entry is tampering,
        never something to fill in. Events chained after the fact are noted (``chain_backfill``):
        the chain proves nothing changed after that moment, not before it.
        """
        try:
            with self.read() as conn:
                if self._meta_value(conn, CHAIN_KEY) == CHAIN_VERSION:
                    return
            with self.write() as conn:
                have = self._meta_value(conn, CHAIN_KEY)
                if have == CHAIN_VERSION:
                    return
                if have is not None:
                    raise StorageError(reason="chain_format")
                backfill = self._backfill(conn)
                conn.execute(insert(meta_table), {"key": CHAIN_KEY, "value": CHAIN_VERSION})
                if backfill is not None:
                    import json

                    conn.execute(insert(meta_table), {"key": BACKFILL_KEY, "value": json.dumps(backfill)})
        except StorageError as error:
            if error.params.get("reason") != "read_only":
                raise
            # A read-only copy of an old store: readable as it is; verification says what is unchained.

    def _backfill(self, conn: Connection, window: int = 10_000) -> dict[str, Any] | None:
        """Chain every event after the chain's last entry, in position order, a window at a time."""
        _, after, previous = conn.exec_driver_sql(_TAIL).one()
        last = int(after or 0)
        previous = previous or GENESIS
        first = last + 1
        query = (
            "SELECT id, originator_id, originator_version, topic, state FROM ledger_events "
            f"WHERE id > {self._mark} ORDER BY id LIMIT {int(window)}"
        )
        while rows := conn.exec_driver_sql(query, (last,)).fetchall():
            entries = []
            for position, stream, version, topic, state in rows:
                state = bytes(state)
                digest, when = payload_hash(state), recorded_at(state)
                previous = link(previous, position, stream_text(stream), version, topic, when, digest)
                entries.append((position, when, digest, previous))
            conn.exec_driver_sql(self._insert_chain, entries)  # type: ignore[arg-type]
            last = rows[-1][0]
        if last < first:
            return None
        from ledger.clock import now

        return {"from": first, "through": last, "at": now().isoformat(timespec="seconds")}

    def _meta_value(self, conn: Connection, key: str) -> str | None:
        return conn.execute(select(meta_table.c.value).where(meta_table.c.key == key)).scalar()

    def chain_bounds(self, conn: Connection) -> tuple[int, int]:
        """The positions a verification must walk: from 1 (or any lower intruder) to the highest row."""
        row = conn.exec_driver_sql(
            "SELECT (SELECT MIN(id) FROM ledger_events), (SELECT MAX(id) FROM ledger_events), "
            "(SELECT MIN(position) FROM ledger_chain), (SELECT MAX(position) FROM ledger_chain)"
        ).one()
        lows = [int(v) for v in (row[0], row[2]) if v is not None]
        highs = [int(v) for v in (row[1], row[3]) if v is not None]
        return min([1, *lows]), max([0, *highs])

    def chain_window(
        self, conn: Connection, start: int, stop: int, ahead: int = 0
    ) -> tuple[dict[int, Any], dict[int, Any]]:
        """Events at positions ``start``..``stop`` and chain entries at ``start``..``stop + ahead``
        (entries just beyond the window tell a moved event from an altered one), as the chain hashes them.

        Read through the driver, not SQLAlchemy's types: a tampered row (a stream id that is no
        longer a UUID, text where bytes were) must be reported, not crash the verification.
        """
        m = self._mark
        events = {
            int(p): (stream_text(s), v, t, _bytes(st))
            for p, s, v, t, st in conn.exec_driver_sql(
                f"SELECT id, originator_id, originator_version, topic, state FROM ledger_events "
                f"WHERE id BETWEEN {m} AND {m}", (start, stop),
            )
        }
        entries = {
            int(p): (w, d, h)
            for p, w, d, h in conn.exec_driver_sql(
                f"SELECT position, recorded_at, payload_hash, hash FROM ledger_chain "
                f"WHERE position BETWEEN {m} AND {m}", (start, stop + ahead),
            )
        }
        return events, entries

    # -- snapshots, as verification reads them ---------------------------------------------------

    def snapshot_streams(self, conn: Connection) -> list[Any]:
        """The streams that have snapshots, each id as the column holds it (to be passed back as is)."""
        if not inspect(conn).has_table(snapshots_table.name):
            return []
        return [row[0] for row in conn.exec_driver_sql(
            "SELECT DISTINCT originator_id FROM ledger_snapshots ORDER BY originator_id")]

    def stream_snapshots(self, conn: Connection, stream: Any) -> list[tuple[Any, Any, bytes]]:
        """One stream's snapshots, oldest first: (version, topic, stored bytes), read through the driver
        (a tampered row must be reported, not crash the verification)."""
        return [
            (v, t, _bytes(st))
            for v, t, st in conn.exec_driver_sql(
                f"SELECT originator_version, topic, state FROM ledger_snapshots WHERE originator_id = {self._mark} "
                "ORDER BY originator_version", (stream,),
            )
        ]

    def stream_events(self, conn: Connection, stream: Any, upto: int) -> list[tuple[int, int, str, bytes]]:
        """One stream's events up to version ``upto``, in version order: (position, version, topic, stored bytes)."""
        m = self._mark
        return [
            (int(p), int(v), str(t), _bytes(st))
            for p, v, t, st in conn.exec_driver_sql(
                f"SELECT id, originator_version, topic, state FROM ledger_events WHERE originator_id = {m} "
                f"AND originator_version <= {m} ORDER BY originator_version", (stream, upto),
            )
        ]

    def states_of_topic(self, conn: Connection, topic: str, window: int = 10_000) -> Iterator[bytes]:
        """The stored payloads of every event of one type, in position order, a window at a time."""
        query = (
            f"SELECT id, state FROM ledger_events WHERE topic = {self._mark} AND id > {self._mark} "
            f"ORDER BY id LIMIT {int(window)}"
        )
        last = 0
        while rows := conn.exec_driver_sql(query, (topic, last)).fetchall():
            for _, state in rows:
                yield _bytes(state)
            last = int(rows[-1][0])

    def chain_head(self, conn: Connection) -> Head:
        row = conn.exec_driver_sql("SELECT position, hash FROM ledger_chain ORDER BY position DESC LIMIT 1").first()
        return Head(int(row[0]), str(row[1])) if row is not None else Head(0, GENESIS)

    def chain_backfill(self, conn: Connection) -> dict[str, Any] | None:
        import json

        value = self._meta_value(conn, BACKFILL_KEY)
        try:
            return json.loads(value) if value else None
        except ValueError:
            return {"note": value}

    def meta_items(self, conn: Connection) -> dict[str, str]:
        return {k: v for k, v in conn.execute(select(meta_table.c.key, meta_table.c.value))}

    def put_meta(self, conn: Connection, items: dict[str, str]) -> None:
        """Set ``ledger_meta`` keys (insert or replace); inside :meth:`write`."""
        for key, value in items.items():
            done = conn.execute(update(meta_table).where(meta_table.c.key == key).values(value=value))
            if done.rowcount == 0:
                conn.execute(insert(meta_table), {"key": key, "value": value})

    def counts(self, conn: Connection) -> tuple[int, int]:
        """Rows in the events table and in the chain."""
        row = conn.exec_driver_sql(
            "SELECT (SELECT COUNT(*) FROM ledger_events), (SELECT COUNT(*) FROM ledger_chain)"
        ).one()
        return int(row[0]), int(row[1])

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


def _bytes(value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, bytearray | memoryview):
        return bytes(value)
    return str(value).encode()


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
    return _refused(str(error.orig) if error.orig is not None else str(error))


def _refused(message: str) -> StorageError:
    """The database's refusal as a :class:`StorageError` with a reason a person can act on."""
    text = message.lower()
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
