"""The store: an engine, the tables, and transactions with the right locking, on SQLite or PostgreSQL.

One database URL picks the backend (:mod:`ledger.adapters.config`), and its
:class:`~ledger.adapters.dialect.Dialect` says how: writers are serialised (SQLite ``BEGIN
IMMEDIATE``; PostgreSQL an advisory lock, taken with ``BEGIN`` in one round trip), so positions are
assigned in commit order with no gaps and a projection that reads up to position *n* can never
later find an event below *n*; on PostgreSQL fewer than 100 events are appended by a function on the
server, under the same lock, in one round trip (:meth:`SQLStore.append_at_once`). A duplicate
(stream, version) means another writer got there first: it surfaces as
eventsourcing's ``IntegrityError`` and the application re-runs the command. Everything else the
database refuses (full disk, unreachable server, lock timeout) becomes
:class:`~ledger.domain.errors.StorageError`; the transaction is rolled back, so no event is
half-written.

Tables are created on first use (:mod:`ledger.adapters.schema`); a store written before the hash
chain existed is chained once, when it is first opened (see :mod:`ledger.adapters.chained`).
Besides the transactions, the store answers the few questions verification, the archive and the
read side ask of the raw tables.
"""

from __future__ import annotations

import atexit
import json
import os
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar, TypeVar
from uuid import UUID

from eventsourcing.persistence import IntegrityError, StoredEvent
from sqlalchemy import Connection, MetaData, func, insert, inspect, select, update
from sqlalchemy import exc as sa_exc

from ledger.adapters import chained
from ledger.adapters import dialect as dialects
from ledger.adapters.chain import CHAIN_VERSION, GENESIS, Head, stream_text
from ledger.adapters.dialect import COPY_FROM, dialect_for
from ledger.adapters.schema import events_table, meta_table, metadata, snapshots_table, tracking_table
from ledger.adapters.storage_errors import driver_error, insufficient_privilege, storage_error
from ledger.domain.errors import StorageError

#: ``ledger_meta`` keys of the chain: its format, and when a store made before the chain was chained.
CHAIN_KEY = "chain_version"
BACKFILL_KEY = "chain_backfill"
#: ``ledger_meta`` key naming the server-side append (PostgreSQL), once it is made.
APPEND_KEY = "append_function"
T = TypeVar("T")

#: The stores of this process, each to give back its kept connection (:meth:`SQLStore.release_appender`)
#: when the process exits, not to leave it to the garbage collector, which warns about a connection it
#: finds checked out.
_OPEN: weakref.WeakSet[SQLStore] = weakref.WeakSet()


@atexit.register
def _release_appenders() -> None:
    for store in list(_OPEN):
        if store.pid == os.getpid():  # a connection inherited by a fork is the parent's to close
            store.release_appender()


class SQLStore:
    """An engine, the tables, and write/read transactions with the right locking."""

    _stores: ClassVar[dict[str, SQLStore]] = {}
    lookup_indexes = False
    #: The server-side append's name when the store has it (:meth:`append_at_once`), else ``None``.
    append_function: str | None = None

    def __init__(self, url: str) -> None:
        self.url = url
        self.dialect = dialect_for(url)
        self.engine = self.dialect.engine(url)
        self.mark = self.dialect.mark
        #: The connection of the last few-event append (PostgreSQL), kept out of the pool while appends
        #: follow one another (:meth:`append_at_once`); given back before any other use of the pool.
        self._appender: Connection | None = None
        self._appender_used = 0.0
        self._appender_lock = threading.Lock()
        self.pid = os.getpid()
        _OPEN.add(self)
        try:
            self.create_tables(metadata)
        except StorageError as error:
            if error.params.get("reason") != "read_only" or not self._has_events():
                raise
            return  # a read-only copy of a store made before the chain: readable as it is
        self._ensure_chain()
        #: SQLite: whether the lookup indexes are there (:data:`ledger.adapters.schema.SQLITE_LOOKUP_INDEXES`).
        self.lookup_indexes = self._ensure_lookup_indexes()

    @classmethod
    def for_url(cls, url: str) -> SQLStore:
        """One store (and connection pool) per URL per process."""
        store = cls._stores.get(url)
        if store is None:
            store = cls._stores[url] = cls(url)
        return store

    @classmethod
    def close_idle(cls, *others: SQLStore) -> None:
        """Close the pooled connections not in use, of every store of this process and ``others``;
        the pools open new ones when next asked. Before a fork: a child must not inherit a connection
        (nor SQLite's state of an open file, which it would share with connections it opens itself)."""
        for store in {*cls._stores.values(), *others}:
            store.release_appender()
            store.engine.dispose()

    @classmethod
    def in_use(cls, *others: SQLStore) -> bool:
        """Whether a connection of a store of this process (or of ``others``) is checked out: then this
        process does not fork (a child would inherit the open connection)."""
        stores = {*cls._stores.values(), *others}
        for store in stores:
            store.release_appender()  # kept between appends only: not in use
        return any(getattr(store.engine.pool, "checkedout", lambda: 0)() for store in stores)

    @classmethod
    def dispose_all(cls) -> None:
        cls.close_idle()
        cls._stores.clear()

    def _has_events(self) -> bool:
        try:
            with self._connect() as conn:
                found = events_table.name in inspect(conn).get_table_names()
                conn.commit()  # ended, not rolled back: see create_tables
                return found
        except sa_exc.DBAPIError as error:  # not even readable (a WAL store needs its -shm file written)
            raise storage_error(error) from error

    def create_tables(self, tables: MetaData) -> None:
        """Create the missing tables of ``tables``; safe when several processes open a new store at once.

        Without a lock, two processes both find a table missing and both create it: on PostgreSQL
        the second fails on ``pg_type``, on SQLite a deferred transaction cannot upgrade to a write
        ("database is locked" at once). So check without a lock, then create under one. Only the store's
        owner creates tables on PostgreSQL: a worker's login that finds one missing (a new version's)
        is told that the owner runs ``ledger init`` first (``needs_init``).
        """
        try:
            with self._connect() as conn:
                existing = set(inspect(conn).get_table_names())
                # Committed, not rolled back when the connection is closed: after a rollback psycopg
                # deallocates every prepared statement of the session, the write's tail among them
                # (it would be prepared again, at two round trips and an error in the server's log).
                conn.commit()
            if all(table.name in existing for table in tables.sorted_tables):
                return
            with self._connect() as conn:
                conn.execution_options(ledger_write=True)  # SQLite: BEGIN IMMEDIATE
                with conn.begin():
                    self.dialect.begin_ddl(conn)
                    tables.create_all(conn, checkfirst=True)
                    if meta_table.name in existing:  # an initialised store: the role's rights on them
                        self.grant_new_tables(conn, [t.name for t in tables.sorted_tables if t.name not in existing])
                    if events_table.name not in existing and events_table.name in tables.tables:
                        self._install_append(conn)  # a new store: its maker is its owner
        except sa_exc.DBAPIError as error:
            if insufficient_privilege(error):  # a worker's login meeting a table a new version added
                raise StorageError(reason="needs_init") from error
            raise storage_error(error) from error

    def _install_append(self, conn: Connection) -> None:
        """Make the server-side append (under the DDL lock) if this backend has one and this login may:
        with a new store's tables, and by ``ledger init`` (:meth:`prepare`) for a store made before it."""
        name = self.dialect.install_append(conn)
        if name is not None:
            self.put_meta(conn, {APPEND_KEY: name})
            self.append_function = name

    # -- transactions -----------------------------------------------------------------------------

    @contextmanager
    def write(self, lock: str = "events") -> Iterator[Connection]:
        """A transaction that holds a write lock (the events', or the access log's) until it ends."""
        with self._write(lock) as (conn, _):
            yield conn

    @contextmanager
    def appending(self) -> Iterator[tuple[Connection, tuple[int, str]]]:
        """A transaction that holds the events' lock, and the chain's last position and link as read
        after the lock was taken (on PostgreSQL in the lock's round trip): for
        :func:`ledger.adapters.chained.append`."""
        with self._write("events", chained.TAIL) as (conn, row):
            yield conn, chained.tail_of(row) if row is not None else chained.chain_tail(conn)

    @contextmanager
    def _write(self, lock: str, then: str | None = None) -> Iterator[tuple[Connection, Any]]:
        """:meth:`write`, and the first row of the query ``then`` (``None``: none) run once the lock is held."""
        with self._named_errors():
            conn, (transaction, row) = self._connected(lambda conn: self._begin_write(conn, lock, then))
            with conn, transaction:
                yield conn, row

    def _begin_write(self, conn: Connection, lock: str, then: str | None) -> tuple[Any, Any]:
        conn.execution_options(ledger_write=True)
        transaction = conn.begin()
        return transaction, self.dialect.begin_write(conn, lock, then)

    def append_at_once(self, stored_events: Sequence[StoredEvent]) -> list[int] | None:
        """A few events appended in one round trip, the server taking the lock, reading the chain's tail
        and adding the links (PostgreSQL, a store with the server-side append:
        :meth:`~ledger.adapters.dialect.PostgresDialect.append_at_once`); their positions. ``None``: not
        this way, nothing written (the caller appends in :meth:`appending`).

        A connection the server dropped since its last use is replaced, as for :meth:`write`; but here
        the loss may show after the server committed (the answer lost), or while the server is still at
        the write (it commits it all the same), so the second attempt first looks for these very
        events, and looks again when its own write is refused as a duplicate: it does not write them
        twice, nor report as a conflict (which would run the command again) what was written."""
        name = self.append_function
        if name is None or not 0 < len(stored_events) < COPY_FROM:
            return None
        columns = chained.columns(stored_events)

        def append(conn: Connection) -> list[int] | None:
            found = self.dialect.append_at_once(conn, name, columns)
            if found is None:
                return None
            top, last = found
            chained.tail_of((top, last, GENESIS))  # a broken chain: nothing was written
            return list(range(last + 1, last + len(stored_events) + 1))

        def written(conn: Connection) -> list[int] | None:
            done = chained.appended(conn, self.dialect, stored_events)
            conn.commit()  # the check's transaction ended: an append runs in the server's own
            return done

        def again(conn: Connection) -> list[int] | None:
            done = written(conn)
            if done is not None:
                return done
            try:
                return append(conn)
            except self.engine.dialect.loaded_dbapi.IntegrityError:
                # The lost write was still at work on the server (waiting for the lock, say) and committed
                # before this one got the lock: its events are there now, the same ones.
                done = written(conn)
                if done is None:
                    raise
                return done

        with self._named_errors():
            positions = self._append_on_kept(append, again)
        if positions is None:
            self.append_function = None  # not now, nor later in this process
        return positions

    def _append_on_kept(self, append: Callable[[Connection], list[int] | None],
                        again: Callable[[Connection], list[int] | None]) -> list[int] | None:
        """``append`` on the connection the last append used, kept out of the pool since: a checkout and
        a checkin cost a third of a one-event append's time on the client, about as much as the
        server's work (docs/performance.md). Kept only while appends follow one another: any other use
        of the store gives it back first (:meth:`release_appender`), so a process still uses one
        connection, and one idle for :data:`~ledger.adapters.dialect.PING_AFTER` seconds goes back to
        the pool and is checked there, as any idle connection is. A connection the server dropped is
        replaced as in :meth:`_connected`. Another thread appending at the same time takes a pooled
        connection of its own."""
        if not self._appender_lock.acquire(blocking=False):
            conn, positions = self._connected(append, again)
            conn.close()
            return positions
        try:
            kept, self._appender = self._appender, None
            if kept is not None and (kept.closed or kept.invalidated
                                     or time.monotonic() - self._appender_used >= dialects.PING_AFTER):
                kept.close()
                kept = None
            conn, positions = self._connected(append, again, kept)  # closed there if it raised
            if positions is None:
                conn.close()
            else:
                self._appender, self._appender_used = conn, time.monotonic()
            return positions
        finally:
            self._appender_lock.release()

    def _connect(self) -> Connection:
        """A connection from the pool, every use of the store's but the kept append's: the connection an
        append keeps (:meth:`_append_on_kept`) goes back to the pool first, so that the process does not
        open a second one beside it."""
        self.release_appender()
        return self.engine.connect()

    def release_appender(self) -> None:
        """Give the connection kept by :meth:`_append_on_kept` back to the pool (if no append is using it)."""
        if self._appender is None or not self._appender_lock.acquire(blocking=False):
            return
        try:
            kept, self._appender = self._appender, None
            if kept is not None:
                kept.close()
        finally:
            self._appender_lock.release()

    @contextmanager
    def _named_errors(self) -> Iterator[None]:
        """The database's refusals named: a duplicate (stream, version) as eventsourcing's
        ``IntegrityError`` (the application re-runs the command), the rest as :class:`StorageError`."""
        driver = self.engine.dialect.loaded_dbapi  # sqlite3 or psycopg: COPY and pipelines use it directly
        try:
            yield
        except sa_exc.IntegrityError as error:
            raise IntegrityError(str(error.orig)) from None
        except sa_exc.DBAPIError as error:
            raise storage_error(error) from error
        except driver.IntegrityError as error:
            raise IntegrityError(str(error)) from None
        except driver.Error as error:
            raise driver_error(error) from error

    def _connected(self, start: Callable[[Connection], T], again: Callable[[Connection], T] | None = None,
                   kept: Connection | None = None) -> tuple[Connection, T]:
        """A pooled connection (``kept``, if given, first) and what ``start`` did first on it. A connection
        the server dropped since its last use is replaced once, and ``again`` (``start`` if not given)
        runs on the new one: pooled connections are not checked before every use (see
        :class:`~ledger.adapters.dialect.PostgresDialect`)."""
        driver = self.engine.dialect.loaded_dbapi
        for attempt in (1, 2):
            conn = kept if attempt == 1 and kept is not None else self._connect()
            try:
                return conn, (start if attempt == 1 or again is None else again)(conn)
            except driver.OperationalError:
                lost = self.dialect.lost(conn)
                if lost:
                    conn.invalidate()
                conn.close()
                if not lost or attempt == 2:
                    raise
                self.engine.dispose()  # the server went away: its other pooled connections are gone too
            except BaseException:
                conn.close()
                raise
        raise AssertionError("unreachable")

    @contextmanager
    def projection(self, *names: str) -> Iterator[Connection]:
        """A transaction for projections' rows and tracking; one updater per projection at a time.

        It does not block event writers on PostgreSQL (an advisory lock keyed by the projection's
        name instead of the table lock); on SQLite every write transaction is exclusive anyway.
        """
        driver = self.engine.dialect.loaded_dbapi
        try:
            with self._connect() as conn:
                conn.execution_options(ledger_write=True)
                with conn.begin():
                    self.dialect.begin_projections(conn, names)
                    yield conn
        except sa_exc.DBAPIError as error:
            raise storage_error(error) from error
        except driver.Error as error:  # from the driver's own cursor (the rebuild's COPY and executemany)
            raise driver_error(error) from error

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only transaction (a consistent snapshot on both backends). What the database refuses
        becomes a :class:`StorageError`, through SQLAlchemy or straight from the driver's cursor (the
        reads that go through it: a stream, a window of the chain, the data keys)."""
        driver = self.engine.dialect.loaded_dbapi
        try:
            conn, transaction = self._begin_read()
            with conn, transaction:
                yield conn
        except sa_exc.DBAPIError as error:
            raise storage_error(error) from error
        except driver.Error as error:
            raise driver_error(error) from error

    def _begin_read(self) -> tuple[Connection, Any]:
        """A pooled connection in a read transaction. Pooled connections are not checked before every
        use (see :class:`~ledger.adapters.dialect.PostgresDialect`): one the server dropped shows when the
        read begins, SQLAlchemy then discards the pool's connections, and the read begins once more."""
        for attempt in (1, 2):
            conn = self._connect()
            try:
                transaction = conn.begin()
                self.dialect.begin_read(conn)
                return conn, transaction
            except sa_exc.DBAPIError as error:
                conn.close()
                if not error.connection_invalidated or attempt == 2:
                    raise
            except BaseException:
                conn.close()
                raise
        raise AssertionError("unreachable")

    # -- who is connected, and what they may do ----------------------------------------------------------

    def session_user(self) -> str:
        """The database login of this connection (PostgreSQL): who runs the command."""
        with self.read() as conn:
            name = self.dialect.session_user(conn)
        if name is None:
            raise StorageError(reason="no_logins")
        return name

    def prepare(self, *, training: bool) -> dict[str, Any]:
        """Every table, and on PostgreSQL the append-only rights of the ledger's logins (``ledger init``,
        run by the database's owner). What was set up, for the command's answer."""
        from ledger.adapters.schema import access_metadata, read_metadata

        for tables in (access_metadata, read_metadata):
            self.create_tables(tables)
        append_only = [t.name for t in (*metadata.sorted_tables, *access_metadata.sorted_tables)
                       if t.name != tracking_table.name]
        rewritable = [tracking_table.name, *(t.name for t in read_metadata.sorted_tables)]
        try:
            with self.write() as conn:
                # Under the lock tables are made under too: the append function is replaced there, and
                # granting on it while another process replaces it fails ("tuple concurrently updated").
                self.dialect.begin_ddl(conn)
                self._install_append(conn)
                role = self.dialect.grant_append_only(conn, append_only, rewritable, training,
                                                      self.append_function)
                # After the rights (and the author check): an older store's read side, the role's, made again
                remade = role is not None and self.dialect.take_read_side(conn, rewritable)
                if remade:  # every projection replays from the events on next use
                    for table in (tracking_table, *read_metadata.sorted_tables):
                        table.create(conn)
                    self.dialect.grant_tables(conn, str(role), [], rewritable)
                if role is not None:
                    self.put_meta(conn, {"ledger_role": role})
        except StorageError as error:
            if error.params.get("reason") in ("no_ledger_role", "author_check_taken", "locked", "foreign_objects",
                                              "schema_open", "database_open"):
                raise
            raise StorageError(reason="not_owner") from error
        return {"backend": self.dialect.name, "role": role, "read_side_remade": remade}

    def grant_new_tables(self, conn: Connection, names: list[str]) -> None:
        """The ledger's role's rights on tables this login has just made (PostgreSQL, once ``ledger init``
        has recorded the role): the read side's to rewrite, the others to append to."""
        from ledger.adapters.schema import read_metadata

        role = self.ledger_role(conn)
        if role is None or not names:
            return
        rewritable = [n for n in names if n == tracking_table.name or n in read_metadata.tables]
        self.dialect.grant_tables(conn, role, [n for n in names if n not in rewritable], rewritable)

    def ledger_role(self, conn: Connection) -> str | None:
        return self.meta_value(conn, "ledger_role")

    # -- store-wide settings ----------------------------------------------------------------------

    def setting(self, key: str, default: str | None = None) -> str | None:
        """A ``ledger_meta`` value; with ``default``, stored first if missing (once, under the lock)."""
        with self.read() as conn:
            value = self.meta_value(conn, key)
        if value is None and default is not None:
            with self.write() as conn:
                value = self.meta_value(conn, key)
                if value is None:
                    conn.execute(insert(meta_table), {"key": key, "value": default})
                    value = default
        return value

    def meta_value(self, conn: Connection, key: str) -> str | None:
        return conn.execute(select(meta_table.c.value).where(meta_table.c.key == key)).scalar()

    def meta_items(self, conn: Connection) -> dict[str, str]:
        return {k: v for k, v in conn.execute(select(meta_table.c.key, meta_table.c.value))}

    def put_meta(self, conn: Connection, items: dict[str, str]) -> None:
        """Set ``ledger_meta`` keys (insert or replace); inside :meth:`write`."""
        for key, value in items.items():
            done = conn.execute(update(meta_table).where(meta_table.c.key == key).values(value=value))
            if done.rowcount == 0:
                conn.execute(insert(meta_table), {"key": key, "value": value})

    # -- the chain --------------------------------------------------------------------------------

    def _ensure_chain(self) -> None:
        """Chain a store made before the chain existed: once, under the write lock.

        Marked by ``chain_version`` in ``ledger_meta``; from then on a missing entry is tampering,
        never something to fill in. Events chained after the fact are noted (``chain_backfill``):
        the chain proves nothing changed after that moment, not before it.
        """
        try:
            with self.read() as conn:
                found: dict[str, str] = {key: value for key, value in conn.execute(select(
                    meta_table.c.key, meta_table.c.value).where(meta_table.c.key.in_((CHAIN_KEY, APPEND_KEY))))}
                append = found.get(APPEND_KEY)
                self.append_function = append if append is not None and append == self.dialect.append_name \
                    and self.dialect.append_trusted(conn, append) else None
            if found.get(CHAIN_KEY) == CHAIN_VERSION:
                return
            with self.write() as conn:
                have = self.meta_value(conn, CHAIN_KEY)
                if have == CHAIN_VERSION:
                    return
                if have is not None:
                    raise StorageError(reason="chain_format")
                backfill = chained.backfill(conn, self.dialect)
                conn.execute(insert(meta_table), {"key": CHAIN_KEY, "value": CHAIN_VERSION})
                if backfill is not None:
                    conn.execute(insert(meta_table), {"key": BACKFILL_KEY, "value": json.dumps(backfill)})
        except StorageError as error:
            if error.params.get("reason") != "read_only":
                raise
            # A read-only copy of an old store: readable as it is; verification says what is unchained.

    def _ensure_lookup_indexes(self) -> bool:
        """SQLite: make the lookup indexes a store written before them lacks, and drop those they replace
        (under the write lock; a few tenths of a second at 665 347 events, once). False when they are
        not there and cannot be made (a read-only copy): the queries then go without them."""
        if self.dialect.name != "sqlite":
            return False
        from ledger.adapters.schema import SQLITE_LOOKUP_INDEXES, SQLITE_REPLACED_INDEXES

        missing: list[str] = list(SQLITE_LOOKUP_INDEXES)
        try:
            with self.read() as conn:
                have = {row[0] for row in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index'")}
            missing = [ddl for name, ddl in SQLITE_LOOKUP_INDEXES.items() if name not in have]
            replaced = [name for name in SQLITE_REPLACED_INDEXES if name in have]
            if missing or replaced:
                with self.write() as conn:
                    for ddl in missing:
                        conn.exec_driver_sql(ddl)
                    for name in replaced:
                        conn.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")
        except StorageError as error:
            if error.params.get("reason") != "read_only":
                raise
            return not missing  # a replaced index left behind costs its writers, not this reader
        return True

    def chain_backfill(self, conn: Connection) -> dict[str, Any] | None:
        value = self.meta_value(conn, BACKFILL_KEY)
        try:
            return json.loads(value) if value else None
        except ValueError:
            return {"note": value}

    def chain_head(self, conn: Connection) -> Head:
        row = conn.exec_driver_sql("SELECT position, hash FROM ledger_chain ORDER BY position DESC LIMIT 1").first()
        return Head(int(row[0]), str(row[1])) if row is not None else Head(0, GENESIS)

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
        m = self.mark
        events = {
            int(p): (stream_text(s), v, t, as_bytes(st))
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

    def counts(self, conn: Connection) -> tuple[int, int]:
        """Rows in the events table and in the chain."""
        row = conn.exec_driver_sql(
            "SELECT (SELECT COUNT(*) FROM ledger_events), (SELECT COUNT(*) FROM ledger_chain)"
        ).one()
        return int(row[0]), int(row[1])

    # -- snapshots, as verification reads them ----------------------------------------------------

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
            (v, t, as_bytes(st))
            for v, t, st in driver_rows(
                conn, "SELECT originator_version, topic, state FROM ledger_snapshots "
                f"WHERE originator_id = {self.mark} ORDER BY originator_version", (stream,),
            )
        ]

    def stream_events(self, conn: Connection, stream: Any, upto: int) -> list[tuple[int, int, str, bytes]]:
        """One stream's events up to version ``upto``, in version order: (position, version, topic, stored bytes)."""
        m = self.mark
        return [
            (int(p), int(v), str(t), as_bytes(st))
            for p, v, t, st in driver_rows(
                conn, f"SELECT id, originator_version, topic, state FROM ledger_events WHERE originator_id = {m} "
                f"AND originator_version <= {m} ORDER BY originator_version", (stream, upto),
            )
        ]

    def states_of_topic(self, conn: Connection, topic: str, window: int = 10_000) -> Iterator[bytes]:
        """The stored payloads of every event of one type, in position order, a window at a time."""
        query = (
            f"SELECT id, state FROM ledger_events WHERE topic = {self.mark} AND id > {self.mark} "
            f"ORDER BY id LIMIT {int(window)}"
        )
        last = 0
        while rows := conn.exec_driver_sql(query, (topic, last)).fetchall():
            for _, state in rows:
                yield as_bytes(state)
            last = int(rows[-1][0])

    # -- the read side's positions ----------------------------------------------------------------

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

    def person_of_case(self, case: UUID) -> UUID | None:
        """The person a case is about, from its first event's statistical part (``person_id``)."""
        with self.read() as conn:
            state = conn.execute(select(events_table.c.state).where(
                events_table.c.originator_id == case, events_table.c.originator_version == 1)).scalar()
        if state is None:
            return None
        person = json.loads(as_bytes(state))["s"].get("person_id")
        return UUID(person) if person else None

    def has_data_keys(self) -> bool:
        from ledger.adapters.schema import keys_table

        with self.read() as conn:
            if not inspect(conn).has_table(keys_table.name):
                return False
            return conn.execute(select(func.count()).select_from(keys_table)).scalar() != 0


def driver_rows(conn: Connection, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
    """The rows of ``sql`` as the driver gives them, in ``conn``'s transaction: no SQLAlchemy row objects
    (a check reads hundreds of thousands of rows, a stream at a time)."""
    return driver_query(conn, sql, params)[1]


def driver_query(conn: Connection, sql: str, params: Any = ()) -> tuple[list[str], list[tuple[Any, ...]]]:
    """:func:`driver_rows`, and the names of the columns."""
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql, params)
        return [d[0] for d in cursor.description], list(cursor.fetchall())
    finally:
        cursor.close()


def as_bytes(value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, bytearray | memoryview):
        return bytes(value)
    return str(value).encode()
