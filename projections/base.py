"""Projections: read models kept in their own tables, fed only by events.

All projections catch up together: a batch of notifications is read once, each event decoded
once and handed to every projection that has not seen it, and each projection's changed rows
and its new position are written **in one transaction** — so a crash never applies an event
twice or skips one. On SQLite the library's subscription does not exist, so reading commands
pull (``catch_up``) before they answer; the same code runs on PostgreSQL.

Within a batch a projection works on rows in memory (:class:`Rows`): reads hit the database at
most once per row, and the changes are written back with one ``executemany`` per table. That
makes a rebuild of a million events a matter of seconds rather than of one SQL statement per
event. A projection whose ``version`` changed has its tables dropped, recreated and replayed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from uuid import UUID

from sqlalchemy import Boolean, Connection, Date, MetaData, Table, Uuid, and_, delete, insert, select, update

from ledger.store import SQLStore, events_table, meta_table, tracking_table

#: Tables of the read side live beside the event tables, prefixed ``proj_``.
read_metadata = MetaData()


class Rows:
    """One table's rows touched in a batch, keyed by primary key; written back by :meth:`flush`."""

    MAX_CACHED = 250_000

    def __init__(self, conn: Connection, table: Table, complete: bool) -> None:
        self.conn, self.table = conn, table
        self.key = tuple(c.name for c in table.primary_key.columns)
        # Replaying from zero, every row is in the cache: nothing to look up in the database.
        self.complete = complete
        self.cache: dict[tuple[Any, ...], dict[str, Any] | None] = {}
        self.by_first: dict[Any, set[tuple[Any, ...]]] = {}
        self.new: set[tuple[Any, ...]] = set()
        self.dirty: set[tuple[Any, ...]] = set()
        self.appended: list[dict[str, Any]] = []

    def get(self, *key: Any) -> dict[str, Any] | None:
        """The row with this primary key (``None`` if there is none); change it, then :meth:`touch`."""
        if key not in self.cache:
            row = None
            if not self.complete:
                found = self.conn.execute(
                    select(self.table).where(and_(*(self.table.c[k] == v for k, v in zip(self.key, key, strict=True))))
                ).first()
                row = dict(found._mapping) if found is not None else None
            self.cache[key] = row
        return self.cache[key]

    def put(self, row: dict[str, Any]) -> None:
        """Insert or replace a whole row."""
        key = tuple(row[k] for k in self.key)
        existed = self.get(*key) is not None or key in self.new
        self.cache[key] = row
        self.by_first.setdefault(key[0], set()).add(key)
        (self.dirty if existed and key not in self.new else self.new).add(key)

    def touch(self, *key: Any) -> None:
        if key not in self.new:
            self.dirty.add(key)

    def append(self, row: dict[str, Any]) -> None:
        """Insert into a table without a primary key (one row per fact)."""
        self.appended.append(row)

    def flush(self) -> None:
        """Write new, changed and appended rows: one driver-level ``executemany`` per kind."""
        if not (self.new or self.dirty or self.appended):
            return
        sql = _sql(self.table, self.conn.dialect.name)
        if self.new or self.appended:
            rows = [self.cache[k] for k in self.new] + self.appended
            self.conn.exec_driver_sql(sql.insert, [sql.row(r) for r in rows])  # type: ignore[arg-type]
        if self.dirty:
            self.conn.exec_driver_sql(sql.update, [sql.changed(self.cache[k]) for k in self.dirty])  # type: ignore[arg-type]
        self.new, self.dirty, self.appended = set(), set(), []

    def starting_with(self, first: Any) -> list[dict[str, Any]]:
        """Rows whose first key column equals ``first`` (e.g. all rows of one case)."""
        if not self.complete:
            self.flush()
            column = self.table.c[self.key[0]]
            for found in self.conn.execute(select(self.table).where(column == first)):
                row = dict(found._mapping)
                key = tuple(row[k] for k in self.key)
                if key not in self.cache:
                    self.cache[key] = row
                self.by_first.setdefault(first, set()).add(key)
        return [row for key in sorted(self.by_first.get(first, ()), key=str)
                if (row := self.cache.get(key)) is not None]

    def trim(self) -> None:
        """Keep memory bounded on very long replays: drop the cache once it is large."""
        if len(self.cache) > self.MAX_CACHED:
            self.cache.clear()
            self.by_first.clear()
            self.complete = False

    def rebind(self, conn: Connection) -> None:
        self.conn = conn


class _Sql:
    """Plain SQL for one table, and how its values go to the driver.

    SQLAlchemy's per-row parameter processing was a quarter of a rebuild's time, so rows are
    written with the driver's own ``executemany``, converting values exactly as SQLAlchemy's
    types store them (on SQLite: UUIDs as 32 hex digits, dates as ISO text, booleans as 0/1).
    """

    def __init__(self, table: Table, dialect: str) -> None:
        mark = "?" if dialect == "sqlite" else "%s"
        columns = [c.name for c in table.columns]
        keys = [c.name for c in table.primary_key.columns]
        others = [c for c in columns if c not in keys]
        self.insert = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"
        where = " AND ".join(f"{k} = {mark}" for k in keys)
        self.update = f"UPDATE {table.name} SET {', '.join(f'{c} = {mark}' for c in others)} WHERE {where}"
        convert = {c.name: _converter(c.type, dialect) for c in table.columns}
        self._all = [(c, convert[c]) for c in columns]
        self._changed = [(c, convert[c]) for c in others + keys]

    def row(self, row: dict[str, Any] | None) -> tuple[Any, ...]:
        assert row is not None
        return tuple(f(row.get(c)) if f else row.get(c) for c, f in self._all)

    def changed(self, row: dict[str, Any] | None) -> tuple[Any, ...]:
        assert row is not None
        return tuple(f(row.get(c)) if f else row.get(c) for c, f in self._changed)


_SQL: dict[tuple[str, str], _Sql] = {}


def _sql(table: Table, dialect: str) -> _Sql:
    found = _SQL.get((table.name, dialect))
    if found is None:
        found = _SQL[(table.name, dialect)] = _Sql(table, dialect)
    return found


def _converter(column_type: Any, dialect: str) -> Callable[[Any], Any] | None:
    if dialect != "sqlite":
        return None  # psycopg adapts UUID, date and bool itself
    if isinstance(column_type, Uuid):
        return lambda v: None if v is None else (v.hex if isinstance(v, UUID) else UUID(str(v)).hex)
    if isinstance(column_type, Date):
        return lambda v: None if v is None else v.isoformat()
    if isinstance(column_type, Boolean):
        return lambda v: None if v is None else int(v)
    return None


class Unit:
    """What one projection works on during one batch: its tables as :class:`Rows`."""

    def __init__(self, conn: Connection, tables: Iterable[Table], complete: bool) -> None:
        self.conn = conn
        self._rows = {t.name: Rows(conn, t, complete) for t in tables}

    def __getitem__(self, table: Table) -> Rows:
        return self._rows[table.name]

    def flush(self) -> None:
        for rows in self._rows.values():
            rows.flush()
            rows.trim()

    def rebind(self, conn: Connection) -> None:
        """Carry the cache into the next batch's transaction (nobody else wrote meanwhile)."""
        self.conn = conn
        for rows in self._rows.values():
            rows.rebind(conn)


class Projection:
    """Base class: subclasses set ``name``, ``version``, ``tables``, ``topics`` and handle events."""

    name: ClassVar[str]
    version: ClassVar[int] = 1
    tables: ClassVar[tuple[Table, ...]] = ()
    topics: ClassVar[tuple[str, ...]] = ()

    def handle(self, unit: Unit, event: Any, position: int) -> None:
        raise NotImplementedError

    def reset(self, conn: Connection) -> None:
        for table in reversed(self.tables):
            conn.execute(delete(table))


def ensure_tables(store: SQLStore) -> None:
    # Under the store's lock: several processes may open a new store's read side at once.
    store.create_tables(read_metadata)


def catch_up(
    store: SQLStore,
    decode: Callable[[Any], Any],
    projections: Iterable[Projection],
    *,
    batch: int = 5000,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, int]:
    """Bring the projections up to the head of the log; returns the position each reached."""
    chosen = list(projections)
    for projection in chosen:
        _check_version(store, projection)
    names = [p.name for p in chosen]
    topics = {p.name: frozenset(p.topics) for p in chosen}
    t = events_table
    units: dict[str, Unit] = {}
    expected: dict[str, int] = {}
    while True:
        with store.projection(*names) as conn:
            positions = {name: store.position(conn, name) for name in names}
            head = store.head(conn)
            low = min(positions.values(), default=head)
            if low >= head:
                return positions
            notes = conn.execute(
                select(t.c.id, t.c.originator_id, t.c.originator_version, t.c.topic, t.c.state)
                .where(t.c.id > low).order_by(t.c.id).limit(batch)
            ).all()
            for p in chosen:
                # Keep the cached rows only if nobody else moved this projection since our last batch.
                if p.name in units and expected.get(p.name) == positions[p.name]:
                    units[p.name].rebind(conn)
                else:
                    units[p.name] = Unit(conn, p.tables, complete=positions[p.name] == 0)
            interested: dict[str, list[Projection]] = {}
            for note in notes:
                wanting = interested.get(note.topic)
                if wanting is None:
                    wanting = interested[note.topic] = [
                        p for p in chosen if not topics[p.name] or note.topic in topics[p.name]
                    ]
                event = None
                for projection in wanting:
                    if note.id <= positions[projection.name]:
                        continue
                    if event is None:
                        event = decode(_Stored(note))
                    projection.handle(units[projection.name], event, note.id)
            last = notes[-1].id
            for projection in chosen:
                units[projection.name].flush()
                if last > positions[projection.name]:
                    store.track(conn, projection.name, last)
                expected[projection.name] = max(last, positions[projection.name])
        if progress:
            for name in names:
                progress(name, last, head)


class _Stored:
    """A notification row in the shape the mapper decodes."""

    __slots__ = ("originator_id", "originator_version", "topic", "state")

    def __init__(self, row: Any) -> None:
        self.originator_id, self.originator_version, self.topic = row[1], row[2], row[3]
        self.state = bytes(row[4])


def rebuild(store: SQLStore, projection: Projection) -> None:
    """Wipe a projection's rows and position; the next catch-up replays everything."""
    with store.projection(projection.name) as conn:
        projection.reset(conn)
        conn.execute(delete(tracking_table).where(tracking_table.c.application_name == projection.name))


def _check_version(store: SQLStore, projection: Projection) -> None:
    key = f"projection_version:{projection.name}"
    want = str(projection.version)
    with store.read() as conn:
        have = conn.execute(select(meta_table.c.value).where(meta_table.c.key == key)).scalar()
    if have == want:
        return
    with store.projection(projection.name) as conn:
        # Again under the projection's lock: another process may have rebuilt it meanwhile.
        have = conn.execute(select(meta_table.c.value).where(meta_table.c.key == key)).scalar()
        if have == want:
            return
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


__all__ = ["Projection", "Rows", "Unit", "catch_up", "ensure_tables", "read_metadata", "rebuild"]
