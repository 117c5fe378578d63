"""What differs between SQLite and PostgreSQL, one strategy each: engines, locking, ids, bulk writes.

The rest of the adapters and the read side ask their store's :class:`Dialect` instead of testing
the backend's name: how a write transaction takes the ledger's lock, how a read sees one consistent
state, the driver's placeholder and form of a stream id, how many rows are written at once, and
what the database's refusals mean.
"""

from __future__ import annotations

import errno
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar
from uuid import UUID

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy import exc as sa_exc

from ledger.domain.errors import StorageError

#: Advisory locks (two-key space) on PostgreSQL: table creation, the event writers, the access log's
#: writers. Advisory, not ``LOCK TABLE``: that needs UPDATE or DELETE rights on the table, which the
#: ledger's logins do not have (the event and access tables are append-only for them).
_LOCKS = {"ddl": (0x4C454447, 0), "events": (0x4C454447, 1), "access": (0x4C454447, 2)}
#: From this many rows on, PostgreSQL gets them with ``COPY`` instead of ``INSERT``.
COPY_FROM = 100


class Dialect:
    """The backend-specific part of the store."""

    name: ClassVar[str]
    #: The driver's placeholder in SQL written by hand.
    mark: ClassVar[str]

    def engine(self, url: str) -> Engine:
        raise NotImplementedError

    def begin_write(self, conn: Connection, lock: str) -> None:
        """In a new transaction: take the write lock ``lock`` (``events``, ``access``): its writers are
        serialised, so positions are handed out in commit order without gaps."""

    def begin_ddl(self, conn: Connection) -> None:
        """In a new transaction: take the lock under which missing tables are created."""

    def begin_projections(self, conn: Connection, names: Sequence[str]) -> None:
        """In a new transaction: one updater per projection at a time."""

    def begin_read(self, conn: Connection) -> None:
        """In a new transaction: see one consistent state for the whole read."""

    def stream_id(self, value: UUID) -> Any:
        """A UUID in the form the driver stores in an id column."""
        return value

    def bulk_insert(self, cursor: Any, insert: str, copy: str, rows: Sequence[Sequence[Any]]) -> None:
        """Insert many rows through the driver's cursor (``insert``: with placeholders; ``copy``: a COPY)."""
        cursor.executemany(insert, rows)

    @contextmanager
    def fast_delete(self, conn: Connection) -> Iterator[None]:
        """Deleting many rows that will be written again at once (a projection's rebuild)."""
        yield

    def session_user(self, conn: Connection) -> str | None:
        """Who the database says is connected (``None``: the database has no logins)."""
        return None

    def grant_append_only(self, conn: Connection, append_only: list[str], rewritable: list[str]) -> str | None:
        """Let the ledger's logins append to ``append_only`` tables and rewrite ``rewritable`` ones, and
        nothing else; returns the role they are given (``None``: the database has no logins)."""
        return None

    def as_ledger_role(self, conn: Connection, role: str | None) -> None:
        """In this transaction, create tables as the ledger's role (so that any login can rewrite them)."""


class SQLiteDialect(Dialect):
    """One file, one writer at a time: ``BEGIN IMMEDIATE``, WAL, ``synchronous=FULL``."""

    name = "sqlite"
    mark = "?"

    def engine(self, url: str) -> Engine:
        from sqlalchemy.engine import make_url

        path = make_url(url).database  # None for sqlite://, without ?query
        if path and path != ":memory:" and not path.startswith("file:"):
            try:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise os_storage_error(error) from error
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
        """
        cursor = conn.connection.cursor()
        try:
            cursor.execute("PRAGMA secure_delete")
            row = cursor.fetchone()
            before = int(row[0]) if row else 0
            cursor.execute("PRAGMA secure_delete=FAST")
            try:
                yield
            finally:
                cursor.execute(f"PRAGMA secure_delete={before}")
        finally:
            cursor.close()


class PostgresDialect(Dialect):
    """A server: advisory locks for the writers, table creation and projections."""

    name = "postgresql"
    mark = "%s"

    def engine(self, url: str) -> Engine:
        return create_engine(url, pool_pre_ping=True)

    def begin_write(self, conn: Connection, lock: str) -> None:
        conn.exec_driver_sql("SET LOCAL lock_timeout = '30s'")
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock({}, {})".format(*_LOCKS[lock]))

    def begin_ddl(self, conn: Connection) -> None:
        conn.exec_driver_sql("SET LOCAL lock_timeout = '30s'")
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock({}, {})".format(*_LOCKS["ddl"]))

    def begin_projections(self, conn: Connection, names: Sequence[str]) -> None:
        conn.exec_driver_sql("SET LOCAL lock_timeout = '30s'")
        for name in sorted(names):
            conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:n))"), {"n": name})

    def begin_read(self, conn: Connection) -> None:
        conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")

    def session_user(self, conn: Connection) -> str | None:
        return str(conn.exec_driver_sql("SELECT session_user").scalar())

    def grant_append_only(self, conn: Connection, append_only: list[str], rewritable: list[str]) -> str | None:
        """The role ``ledger_<database>`` (no login): SELECT and INSERT on the append-only tables, never
        UPDATE, DELETE or TRUNCATE; the read side's tables owned by it (rewritten at will). A worker is
        given access with ``GRANT ledger_<database> TO <login>`` (docs/deployment.md)."""
        database = str(conn.exec_driver_sql("SELECT current_database()").scalar())
        role = "ledger_" + re.sub(r"[^a-z0-9_]", "_", database.lower())
        quoted = f'"{role}"'
        exists = conn.exec_driver_sql("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).first()
        if exists is None:
            conn.exec_driver_sql(f"CREATE ROLE {quoted} NOLOGIN")
        conn.exec_driver_sql(f'GRANT CONNECT ON DATABASE "{database}" TO {quoted}')
        conn.exec_driver_sql(f"GRANT USAGE, CREATE ON SCHEMA public TO {quoted}")
        for table in append_only:
            conn.exec_driver_sql(f"REVOKE ALL ON {table} FROM {quoted}")
            conn.exec_driver_sql(f"GRANT SELECT, INSERT ON {table} TO {quoted}")
            conn.exec_driver_sql(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM PUBLIC")
        for table in rewritable:
            conn.exec_driver_sql(f"ALTER TABLE {table} OWNER TO {quoted}")
        owner = str(conn.exec_driver_sql("SELECT current_user").scalar())
        conn.exec_driver_sql(f'GRANT {quoted} TO "{owner}"')  # the owner may rebuild the read side too
        return role

    def as_ledger_role(self, conn: Connection, role: str | None) -> None:
        if role:
            conn.exec_driver_sql(f'SET LOCAL ROLE "{role}"')

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
            raise refused(str(error)) from None


def dialect_for(url: str) -> Dialect:
    return SQLiteDialect() if url.startswith("sqlite") else PostgresDialect()


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


def os_storage_error(error: OSError) -> StorageError:
    if error.errno == errno.ENOSPC:
        return StorageError(reason="disk_full")
    if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return StorageError(reason="read_only")
    return StorageError(reason="unreachable")


def storage_error(error: sa_exc.DBAPIError) -> StorageError:
    return refused(str(error.orig) if error.orig is not None else str(error))


def refused(message: str) -> StorageError:
    """The database's refusal as a :class:`StorageError` with a reason a person can act on."""
    lowered = message.lower()
    if "full" in lowered or "no space" in lowered:
        reason = "disk_full"
    elif "locked" in lowered or "lock timeout" in lowered or "busy" in lowered:
        reason = "locked"
    elif "connect" in lowered or "could not" in lowered or "unable to open" in lowered:
        reason = "unreachable"
    elif "readonly" in lowered or "read-only" in lowered:
        reason = "read_only"
    else:
        reason = "database"
    return StorageError(reason=reason)
