"""What differs between SQLite and PostgreSQL, one strategy each: engines, locking, ids, bulk writes.

The rest of the adapters and the read side ask their store's :class:`Dialect` instead of testing
the backend's name: how a write transaction takes the ledger's lock, how a read sees one consistent
state, the driver's placeholder and form of a stream id, how many rows are written at once, and
what the database's refusals mean.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar
from uuid import UUID

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy import exc as sa_exc

from ledger.adapters.storage_errors import driver_error, os_storage_error
from ledger.domain.errors import StorageError

#: Advisory locks (two-key space) on PostgreSQL: table creation, the event writers, the access log's
#: writers. Advisory, not ``LOCK TABLE``: that needs UPDATE or DELETE rights on the table, which the
#: ledger's logins do not have (the event and access tables are append-only for them).
_LOCKS = {"ddl": (0x4C454447, 0), "events": (0x4C454447, 1), "access": (0x4C454447, 2), "keys": (0x4C454447, 3)}
#: How long a writer waits for a lock on PostgreSQL before it gives up (StorageError ``locked``).
LOCK_TIMEOUT = "30s"
#: The columns of ``ledger_events`` and ``ledger_chain`` on PostgreSQL, for a binary ``COPY``.
_EVENT_TYPES = ["int8", "uuid", "int8", "text", "bytea"]
_CHAIN_TYPES = ["int8", "text", "varchar", "varchar"]
#: A pooled PostgreSQL connection idle for this many seconds is checked before it is used again.
PING_AFTER = 10.0
#: SQLite's page cache per connection while it writes, in KiB. A large append (and its unique index
#: on stream and version, written in no order) stays in memory until its commit instead of being
#: spilled half-way: 100 000 events took about 8 % less CPU with it. Pages are taken only as they are used.
CACHE_KIB = 32_768
#: The page cache while a connection only reads (SQLite's default). A read visits most pages once: a
#: year's report at the largest store filled 11 MiB more of the larger cache, each page a fresh page of
#: the process's memory, for no gain (see ``docs/performance.md``).
READ_CACHE_KIB = 2_000
#: A SQLite store's WAL file larger than this, in bytes, is checkpointed into the file and truncated
#: when a connection goes back to the pool (:func:`_settle_wal`). Below SQLite's own automatic
#: checkpoint (1 000 pages, about 4 MiB), so that a command's commit does not copy the WAL again.
WAL_LIMIT = 2 * 1024 * 1024
#: From this many rows on, PostgreSQL gets them with ``COPY`` instead of ``INSERT``.
COPY_FROM = 100
#: The server-side append (:mod:`ledger.adapters.server_append`): schema and function. The name
#: carries the function's version; a change to its text is a new name (``ledger init`` makes it).
APPEND_SCHEMA = "ledger_code"
APPEND_NAME = f"{APPEND_SCHEMA}.append_chained_1"


class Dialect:
    """The backend-specific part of the store."""

    name: ClassVar[str]
    #: The driver's placeholder in SQL written by hand.
    mark: ClassVar[str]
    #: The server-side append's name (:meth:`install_append`), on a backend that has one.
    append_name: ClassVar[str | None] = None

    def engine(self, url: str) -> Engine:
        raise NotImplementedError

    def begin_write(self, conn: Connection, lock: str, then: str | None = None) -> Any:
        """In a new transaction: take the write lock ``lock`` (``events``, ``access``): its writers are
        serialised, so positions are handed out in commit order without gaps. ``then``: a query to
        run once the lock is held (it sees every write committed before); its first row is returned
        (``None``: it has none)."""
        return conn.exec_driver_sql(then).first() if then else None

    def lost(self, conn: Connection) -> bool:
        """Whether the database ended this connection (after an error on it)."""
        return False

    def begin_ddl(self, conn: Connection) -> None:
        """In a new transaction: take the lock under which missing tables are created."""

    def begin_projections(self, conn: Connection, names: Sequence[str]) -> None:
        """In a new transaction: one updater per projection at a time."""

    def begin_read(self, conn: Connection) -> None:
        """In a new transaction: see one consistent state for the whole read."""

    def share_read(self, conn: Connection) -> str | None:
        """In a read just begun: take its snapshot now (before reads that other processes begin after
        this), and name it for them where the database can share it (``None``: it cannot)."""
        conn.exec_driver_sql("SELECT 1 FROM ledger_chain LIMIT 1")  # SQLite takes a read's snapshot at its first read
        return None

    def join_read(self, conn: Connection, snapshot: str | None) -> None:
        """In a read just begun in another process: see the snapshot :meth:`share_read` named."""

    def stream_id(self, value: UUID) -> Any:
        """A UUID in the form the driver stores in an id column."""
        return value

    def bulk_insert(self, cursor: Any, insert: str, copy: str, rows: Sequence[Sequence[Any]]) -> None:
        """Insert many rows through the driver's cursor (``insert``: with placeholders; ``copy``: a COPY)."""
        cursor.executemany(insert, rows)

    def insert_chained(self, cursor: Any, events_sql: tuple[str, str], events: Iterator[Sequence[Any]],
                       chain_sql: tuple[str, str], entries: Sequence[Sequence[Any]], count: int) -> None:
        """Insert ``count`` events and their chain entries through the driver's cursor, in the open
        transaction. ``events`` makes each event's row as it is taken and adds its chain entry to
        ``entries``, so the entries are complete once the events are in. The statements: with
        placeholders, and as a ``COPY``. The driver's errors are left to the store to name."""
        cursor.executemany(events_sql[0], list(events))  # a list: sqlite3 takes it faster than the generator
        cursor.executemany(chain_sql[0], entries)

    def install_append(self, conn: Connection) -> str | None:
        """In a transaction under the DDL lock: make the server-side append (:meth:`append_at_once`), if
        this backend has one and this login may; its name (``None``: none)."""
        return None

    def append_trusted(self, conn: Connection, name: str) -> bool:
        """Whether the server-side append ``name`` is there and only the store's owner could have made or
        replaced it (asked when a store that names it is opened)."""
        return False

    def append_at_once(self, conn: Connection, name: str, columns: Sequence[Sequence[Any]]) -> tuple[int, int] | None:
        """Append a few events with their chain entries in one statement run by the server, outside any
        transaction of ``conn`` (the server's own is committed with it): the lock, the chain's tail,
        the links and the inserts. ``columns``: the events' stream ids, versions, topics, payloads,
        ``recorded_at``, payload hashes and parts of the link (:func:`ledger.adapters.chained.linked`).
        Returns the highest event position and chain position the server found (they differ in a
        broken chain: then nothing was written); ``None``: the server cannot append this way now (the
        function is gone, or the transaction would not read the tail after the lock), nothing written."""
        raise NotImplementedError

    @contextmanager
    def fast_delete(self, conn: Connection) -> Iterator[None]:
        """Deleting many rows that will be written again at once (a projection's rebuild)."""
        yield

    def session_user(self, conn: Connection) -> str | None:
        """Who the database says is connected (``None``: the database has no logins)."""
        return None

    def grant_append_only(self, conn: Connection, append_only: list[str], rewritable: list[str],
                          training: bool = False, append: str | None = None) -> str | None:
        """Let the ledger's logins append to ``append_only`` tables and rewrite ``rewritable`` ones, and
        nothing else; returns the role they are given (``None``: the database has no logins)."""
        return None

    def grant_tables(self, conn: Connection, role: str, append_only: list[str], rewritable: list[str]) -> None:
        """The ledger's role's rights on tables made after ``ledger init`` (PostgreSQL)."""

    def take_read_side(self, conn: Connection, rewritable: list[str]) -> bool:
        """Whether the read side's tables were dropped, to be made again by this login (``ledger init``):
        when one of them is another login's (PostgreSQL; :func:`ledger.adapters.rights.take_read_side`)."""
        return False

    def secure_delete(self, conn: Connection) -> None:
        """From now on in this connection, overwrite what is deleted or replaced (gallring)."""

    def purge(self, engine: Engine) -> list[str]:
        """After gallring: rid the database's files of the old copies of destroyed rows; what was done."""
        return []


class SQLiteDialect(Dialect):
    """One file, one writer at a time: ``BEGIN IMMEDIATE``, WAL, ``synchronous=FULL``."""

    name = "sqlite"
    mark = "?"

    def engine(self, url: str) -> Engine:
        from sqlalchemy.engine import make_url

        path = make_url(url).database  # None for sqlite://, without ?query
        if path and path != ":memory:" and not path.startswith("file:"):
            try:  # a new store: its folders 0700 and its file 0600 (SQLite gives the -wal and -shm the same)
                from ledger.adapters.keys import private_dir

                private_dir(Path(path).parent)
                if not Path(path).exists():
                    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
            except OSError as error:
                raise os_storage_error(error) from error
        engine = create_engine(url, connect_args={"timeout": 60})
        if path and path != ":memory:" and not path.startswith("file:"):
            wal = f"{os.path.realpath(path)}-wal"  # SQLite names it after the file a link points to

            @event.listens_for(engine, "checkin")
            def _checkin(dbapi_conn: Any, _record: Any) -> None:
                if dbapi_conn is not None:
                    _settle_wal(dbapi_conn, wal)

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
            _cache_for(conn, CACHE_KIB if write else READ_CACHE_KIB)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine

    def stream_id(self, value: UUID) -> Any:
        return value.hex

    @contextmanager
    def fast_delete(self, conn: Connection) -> Iterator[None]:
        """Zero freed space only where the page is written anyway.

        Python's SQLite is often built with ``SECURE_DELETE``: every page a ``DELETE`` frees is
        overwritten with zeros, so wiping a million events' rows wrote some 100 MB to the WAL (and
        again to the file at the checkpoint), about a second. ``FAST`` leaves whole freed pages as
        they are until they are reused — by the replay that follows, which writes the same rows
        again from the events, which stay in the store. The connection's setting is restored.

        The page cache is SQLite's default meanwhile (2 MB, not :data:`CACHE_KIB`): a wipe visits
        each page once, and at a million events it filled the whole cache, 20 MiB more at the peak
        of a rebuild for no gain in speed.
        """
        cursor = conn.connection.cursor()
        try:
            cursor.execute("PRAGMA secure_delete")
            row = cursor.fetchone()
            before = int(row[0]) if row else 0
            cursor.execute("PRAGMA secure_delete=FAST")
            cursor.execute(f"PRAGMA cache_size=-{READ_CACHE_KIB}")
            try:
                yield
            finally:
                cursor.execute(f"PRAGMA secure_delete={before}")
                cursor.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
        finally:
            cursor.close()

    def secure_delete(self, conn: Connection) -> None:
        conn.exec_driver_sql("PRAGMA secure_delete=ON")

    def purge(self, engine: Engine) -> list[str]:
        """Checkpoint the WAL into the file and truncate it, then ``VACUUM`` (the file rewritten with no
        free pages left holding old rows), then truncate the WAL the vacuum wrote."""
        with engine.connect() as conn:
            raw = conn.connection.driver_connection
            assert raw is not None
            raw.execute("PRAGMA secure_delete=ON")
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            raw.execute("VACUUM")
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return ["secure_delete", "wal_checkpoint(TRUNCATE)", "VACUUM"]


class PostgresDialect(Dialect):
    """A server: advisory locks for the writers, table creation and projections."""

    name = "postgresql"
    mark = "%s"
    append_name = APPEND_NAME

    def engine(self, url: str) -> Engine:
        try:
            # The ledger's text is Unicode: a client encoding of the URL or of ``PGCLIENTENCODING``
            # (LATIN1, say) could not carry a name like "Łódź", and the driver would fail on it before
            # anything was sent. UTF-8 carries every character; the server converts to its own.
            engine = create_engine(url, connect_args={"client_encoding": "utf8"})
        except ImportError:  # psycopg is an extra: name it rather than fail with a module error
            raise StorageError(reason="driver_missing") from None

        @event.listens_for(engine, "do_connect")
        def _connect(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
            """Before anything else in this session, SQLAlchemy's own first queries too: may it trust
            what its queries resolve to (:mod:`ledger.adapters.guard`)?"""
            from ledger.adapters import guard

            dbapi_conn = dialect.connect(*cargs, **cparams)
            try:
                guard.check(dbapi_conn)
            except BaseException:
                dbapi_conn.close()
                raise
            return dbapi_conn

        @event.listens_for(engine, "checkin")
        def _checkin(_dbapi_conn: Any, record: Any) -> None:
            record.info["ledger_idle_since"] = time.monotonic()

        @event.listens_for(engine, "checkout")
        def _checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
            """A connection back from the pool is checked only when it may have been dropped meanwhile:
            it is broken, or it was idle for a while (a server restart, a firewall's timeout). Checking
            every checkout (``pool_pre_ping``) cost a round trip per transaction."""
            since = record.info.get("ledger_idle_since")
            if dbapi_conn.broken or dbapi_conn.closed:
                raise sa_exc.DisconnectionError("the connection was lost")
            if since is None or time.monotonic() - since < PING_AFTER:
                return
            try:
                engine.dialect.do_ping(dbapi_conn)
            except engine.dialect.loaded_dbapi.Error as error:
                raise sa_exc.DisconnectionError(str(error)) from error

        return engine

    def purge(self, engine: Engine) -> list[str]:
        """``VACUUM FULL`` of the tables gallring rewrites: new files without the destroyed rows (the old
        files are removed). WAL segments, replicas and backups keep old copies until they expire:
        docs/data-protection.md says how long, and that a unit's backup retention is part of gallring."""
        done = []
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in ("ledger_keys", "ledger_snapshots"):
                conn.exec_driver_sql(f"VACUUM FULL {table}")
                done.append(f"VACUUM FULL {table}")
        return done

    def begin_write(self, conn: Connection, lock: str, then: str | None = None, again: bool = True) -> Any:
        """``BEGIN``, the lock (with its timeout) and ``then`` sent at once, one round trip instead of
        four. The server runs them one after the other, each with its own snapshot: ``then`` sees what
        was committed before the lock was granted.

        ``then`` is a prepared statement of the connection (made in the same message the first time it
        is used on it): the server plans it once per connection, not in every write (planning the
        chain's tail took longer than running it; prepared, a write's first round trip took 165
        instead of 294 µs). Found gone, or found there unnoted, it is begun ``again`` once, nothing
        written yet; a second surprise is an error (a pooler that switches sessions: deployment.md)."""
        raw = conn.connection.driver_connection
        assert raw is not None
        # READ COMMITTED named, whatever the server's default: each statement its own snapshot, so the
        # tail is read after the lock was granted (under REPEATABLE READ it would be the lock's snapshot).
        begin = "BEGIN ISOLATION LEVEL READ COMMITTED; " + _lock(lock)
        if not then:
            check_results(_send_at_once(raw, begin), raw)
            return None
        from psycopg import errors, pq

        name = _statement_name(then)
        prepared: set[str] = conn.connection.info.setdefault("ledger_prepared", set())
        if name in prepared:
            results = _send_at_once(raw, f"{begin}; EXECUTE {name}")
            try:
                last = check_results(results, raw)
            except errors.InvalidSqlStatementName:
                if not again:
                    raise
                # Gone: psycopg deallocates every statement of the session after a rollback (its own
                # prepared ones may name dropped objects). Begin again, preparing it.
                check_results(_send_at_once(raw, "ROLLBACK"), raw)
                prepared.clear()
                return self.begin_write(conn, lock, then, again=False)
        else:
            # After BEGIN (which must come first to set the isolation). PREPARE is not undone by a
            # rollback: once the server answered it, the name is taken.
            first, rest = begin.split("; ", 1)
            results = _send_at_once(raw, f"{first}; PREPARE {name} AS {then}; {rest}; EXECUTE {name}")
            if len(results) > 1 and results[1].status == pq.ExecStatus.COMMAND_OK:
                prepared.add(name)
            elif again and len(results) > 1 and results[1].error_field(pq.DiagnosticField.SQLSTATE) == b"42P05":
                # Already there (made by a write interrupted before it noted it): the name is the
                # statement's text hashed, so it is this statement. Begin again, using it.
                check_results(_send_at_once(raw, "ROLLBACK"), raw)
                prepared.add(name)
                return self.begin_write(conn, lock, then, again=False)
            last = check_results(results, raw)
        if last.ntuples == 0:
            return None
        values = [last.get_value(0, i) for i in range(last.nfields)]
        return tuple(None if value is None else value.decode() for value in values)

    def lost(self, conn: Connection) -> bool:
        raw = conn.connection.driver_connection
        return raw is None or bool(raw.broken or raw.closed)

    def begin_ddl(self, conn: Connection) -> None:
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock({}, {})".format(*_LOCKS["ddl"]))

    def begin_projections(self, conn: Connection, names: Sequence[str]) -> None:
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        for name in sorted(names):
            conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:n))"), {"n": name})

    def begin_read(self, conn: Connection) -> None:
        conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")

    def session_user(self, conn: Connection) -> str | None:
        return str(conn.exec_driver_sql("SELECT session_user").scalar())

    def share_read(self, conn: Connection) -> str | None:
        """The read's snapshot exported (it stays importable while this read is open)."""
        return str(conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar())

    def join_read(self, conn: Connection, snapshot: str | None) -> None:
        """The exported snapshot imported: this read sees exactly what the exporting one sees."""
        if snapshot is not None:
            if not re.fullmatch(r"[0-9A-F-]+", snapshot):
                raise ValueError("not a snapshot's name")
            conn.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")

    def grant_append_only(self, conn: Connection, append_only: list[str], rewritable: list[str],
                          training: bool = False, append: str | None = None) -> str | None:
        from ledger.adapters import rights  # only where a store is set up (ledger init)

        return rights.grant_append_only(conn, append_only, rewritable, training, append)

    def grant_tables(self, conn: Connection, role: str, append_only: list[str], rewritable: list[str]) -> None:
        from ledger.adapters import rights

        rights.grant_tables(conn, role, append_only, rewritable)

    def take_read_side(self, conn: Connection, rewritable: list[str]) -> bool:
        from ledger.adapters import rights

        return rights.take_read_side(conn, rewritable)

    def insert_chained(self, cursor: Any, events_sql: tuple[str, str], events: Iterator[Sequence[Any]],
                       chain_sql: tuple[str, str], entries: Sequence[Sequence[Any]], count: int) -> None:
        """A few events: one statement, in one round trip, inserts the events and their chain entries
        (the events' ``INSERT`` as a data-modifying ``WITH``). Many: binary ``COPY`` of the events as
        their links are hashed (the server stores rows while Python hashes), then of the entries."""
        if count < COPY_FROM:
            params = [value for row in events for value in row]
            for entry in entries:
                params.extend(entry)
            cursor.execute(_together(events_sql[0], chain_sql[0], count), params)
            return
        from psycopg.types.string import BytesBinaryDumper

        # psycopg's DB-API module registers the dumper of its ``Binary`` wrapper for bytea, written in
        # Python, and ``set_types`` takes the dumper by type: for this cursor, the plain bytes dumper
        # (psycopg's C one) instead: 10 000 events took a median of 75-83 ms against 96-97 ms before
        cursor.adapters.register_dumper(bytes, BytesBinaryDumper)
        with cursor.copy(events_sql[1] + " (FORMAT BINARY)") as out:
            out.set_types(_EVENT_TYPES)
            for row in events:
                out.write_row(row)
        with cursor.copy(chain_sql[1] + " (FORMAT BINARY)") as out:
            out.set_types(_CHAIN_TYPES)
            for row in entries:
                out.write_row(row)

    def install_append(self, conn: Connection) -> str | None:
        from ledger.adapters import server_append  # only where a store is made or readied

        return server_append.install(conn)

    def append_trusted(self, conn: Connection, name: str) -> bool:
        from ledger.adapters import server_append

        return server_append.trusted(conn, name)

    def append_at_once(self, conn: Connection, name: str, columns: Sequence[Sequence[Any]]) -> tuple[int, int] | None:
        from ledger.adapters import server_append

        return server_append.append(conn, name, columns)

    def bulk_insert(self, cursor: Any, insert: str, copy: str, rows: Sequence[Sequence[Any]]) -> None:
        if len(rows) < COPY_FROM:
            cursor.executemany(insert, rows)
            return
        import psycopg

        try:
            with cursor.copy(copy) as out:  # COPY is several times faster than executemany for many rows
                for row in rows:
                    out.write_row(row)
        except psycopg.Error as error:
            raise driver_error(error) from None


def current_schema(conn: Connection) -> str:
    """PostgreSQL: the schema the store's tables are made in, quoted for SQL (``"public"``, usually)."""
    return '"' + str(conn.exec_driver_sql("SELECT current_schema()").scalar()).replace('"', '""') + '"'


def _send_at_once(raw: Any, sql: str) -> list[Any]:
    """Several statements (no parameters) in one message of the simple query protocol; their results
    (the server stops at the first that fails: see :func:`check_results`). Sent outside psycopg's
    cursors, so that psycopg does not send its own ``BEGIN`` first (a round trip): psycopg sees the
    transaction the server reports afterwards, and commits it."""
    from psycopg import generators

    with raw.lock:
        raw.pgconn.send_query(sql.encode())
        return list(raw.wait(generators.execute(raw.pgconn)))


def check_results(results: list[Any], raw: Any) -> Any:
    """The last result of :func:`_send_at_once`; the first statement's error raised as psycopg's."""
    from psycopg import errors, pq

    for result in results:
        if result.status == pq.ExecStatus.FATAL_ERROR:
            raise errors.error_from_result(result, encoding=raw.info.encoding)
    return results[-1]


@lru_cache(maxsize=8)
def _statement_name(sql: str) -> str:
    """A prepared statement's name for ``sql``: the same text, the same name on every connection."""
    import hashlib

    return "ledger_" + hashlib.sha256(sql.encode()).hexdigest()[:16]


@lru_cache(maxsize=COPY_FROM)
def _together(insert_events: str, insert_chain: str, count: int) -> str:
    """``count`` events and their chain entries in one statement (from two single-row ``INSERT`` s)."""
    events, values = insert_events.split(" VALUES ")
    chain, links = insert_chain.split(" VALUES ")
    return f"WITH e AS ({events} VALUES {', '.join([values] * count)}) {chain} VALUES {', '.join([links] * count)}"


def _lock(lock: str) -> str:
    """The lock's timeout for the transaction and the lock, in one statement: a target list is evaluated
    in order, so the timeout is in force while the lock is waited for."""
    return "SELECT set_config('lock_timeout', '{}', true), pg_advisory_xact_lock({}, {})".format(
        LOCK_TIMEOUT, *_LOCKS[lock])


def dialect_for(url: str) -> Dialect:
    return SQLiteDialect() if url.startswith("sqlite") else PostgresDialect()


#: A WAL that could not be settled (another process was using it): its size then and when, by file;
#: it is not tried again until it has grown by :data:`WAL_LIMIT` or :data:`SETTLE_RETRY` seconds have
#: passed, so that a long read elsewhere does not make every connection going back to the pool take
#: the write lock again and again.
_UNSETTLED: dict[str, tuple[int, float]] = {}
SETTLE_RETRY = 1.0


def _cache_for(conn: Connection, kib: int) -> None:
    """The connection's page cache set to ``kib`` for the transaction about to begin, if it is not
    already (a statement only when a connection turns from reading to writing or back)."""
    info = conn.connection.info
    if info.get("ledger_cache_kib") != kib:
        conn.exec_driver_sql(f"PRAGMA cache_size=-{kib}")
        info["ledger_cache_kib"] = kib


def _settle_wal(dbapi_conn: Any, wal: str) -> None:
    """Checkpoint a WAL file grown past :data:`WAL_LIMIT` into the store and truncate it, if no other
    connection is using it at this moment (never waiting for one: a later connection back tries again,
    see :data:`_UNSETTLED`).

    A command's process ends without closing its connections, so SQLite never removes the WAL file,
    and the first connection of the next process rebuilds its index by reading every frame since the
    WAL last began again — which it then never does: the rebuilt index counts nothing as checkpointed,
    so each process's one write appends to the file and its commit copies the whole WAL into the store
    again. Left alone the file grew by every command's writes, for good (16 KiB a ``case show``), and a
    rebuild's 170 MB at a decade of events cost every later command 0.2 s. The file itself stays, empty,
    with its modes. Nothing is lost: SQLite truncates only after the store's file holds every frame and
    is synced; a failure (a read-only file, a full disk, another process reading) leaves the WAL as it was.
    """
    try:
        size = os.stat(wal).st_size
    except OSError:  # no WAL file (yet): nothing to settle
        return
    if size <= WAL_LIMIT:  # every connection back: one stat, nothing more
        return
    import sqlite3
    failed = _UNSETTLED.get(wal)
    now = time.monotonic()
    if failed is not None and size < failed[0] + WAL_LIMIT and now < failed[1] + SETTLE_RETRY:
        return
    try:
        if dbapi_conn.in_transaction:
            return
        waits = int(dbapi_conn.execute("PRAGMA busy_timeout").fetchone()[0])
        dbapi_conn.execute("PRAGMA busy_timeout=0")
        try:
            busy = dbapi_conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        finally:
            dbapi_conn.execute(f"PRAGMA busy_timeout={waits}")
    except sqlite3.Error:
        busy = 1
    if busy:
        _UNSETTLED[wal] = (size, now)
    else:
        _UNSETTLED.pop(wal, None)


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
