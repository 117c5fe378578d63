"""Projections: read models kept in their own tables, fed only by events.

All projections catch up together: a window of positions is read once (only the topics some
projection handles), each event decoded once and handed to every projection that has not seen
it, and each projection's changed rows and its new position are written **in one
transaction** — so a crash never applies an event twice or skips one. On SQLite the library's
subscription does not exist, so reading commands pull (``catch_up``) before they answer; the
same code runs on PostgreSQL.

What a projection's ``handle`` gets is not a pydantic event but the event's statistical part
as stored (``"s"`` of the canonical JSON, see ``ledger/mapper.py``), plus ``originator_id``,
``originator_version`` and ``_type`` (the event class's name): the read side never needs the
personal fields, and the stored state was validated when it was written. Values keep their
stored form — dates as ISO text (compared and grouped as text), amounts as decimal strings,
codes as strings — and ids the driver's form (32 hex digits on SQLite, ``UUID`` on
PostgreSQL). Rows hold values in the same driver form, so they go to the driver as they are.

Within a batch a projection works on rows in memory (:class:`Rows`): reads hit the database at
most once per row, and the changes are written back at the batch's end with one driver-level
``executemany`` per table and kind (``COPY`` for many new rows on PostgreSQL). Replaying from
zero every row is in memory, so there are no reads at all. A projection whose ``version``
changed has its tables dropped, recreated and replayed.

Why it is built like this (``docs/performance.md``): decoding pydantic events, SQLAlchemy's
parameter processing and one function layer after another per event cost a rebuild four times
what the handlers themselves need.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import closing, contextmanager
from operator import itemgetter
from typing import Any, ClassVar
from uuid import UUID

from sqlalchemy import Connection, Date, MetaData, Table, delete, insert, select, update

from ledger.store import SQLStore, events_table, meta_table, tracking_table

#: Tables of the read side live beside the event tables, prefixed ``proj_``.
read_metadata = MetaData()

#: Positions per transaction when catching up. A few events after a command fit in one; a
#: rebuild of a million events is ten transactions (about two seconds each on SQLite, where a
#: transaction that writes holds the store's write lock), each writing its rows once at its end.
BATCH = 100_000

#: Events read from the database at a time within a batch.
FETCH = 10_000

#: From this many new rows of a table on, PostgreSQL gets them with ``COPY`` instead of ``INSERT``.
COPY_FROM = 100

_MISSING: Any = object()

#: What a projection's ``handle`` receives (see the module's docstring).
Fact = dict[str, Any]
Handler = Callable[["Unit", Fact, int], None]


class Rows:
    """One table's rows touched in a batch, keyed by primary key; written back by :meth:`flush`.

    Values are in the driver's form (see the module's docstring); every row holds every column.
    """

    MAX_CACHED = 250_000

    def __init__(self, unit: Unit, table: Table, complete: bool) -> None:
        self.unit, self.table = unit, table
        columns = [c.name for c in table.columns]
        self.key = tuple(c.name for c in table.primary_key.columns)
        others = [c for c in columns if c not in self.key]
        # Replaying from zero, every row is in the cache: nothing to look up in the database.
        self.complete = complete
        self.cache: dict[tuple[Any, ...], dict[str, Any] | None] = {}
        self.by_first: dict[Any, dict[tuple[Any, ...], None]] | None = None  # built on first use
        self.loaded_first: set[Any] = set()
        self.new: dict[tuple[Any, ...], None] = {}  # ordered sets
        self.dirty: dict[tuple[Any, ...], None] = {}
        self.appended: list[dict[str, Any]] = []
        #: Insert into a table without a primary key (one row per fact); every column.
        self.append = self.appended.append
        self.columns = columns
        self._values = itemgetter(*columns)
        self._changed = itemgetter(*others, *self.key)
        self._key_of = _key_getter(self.key)
        mark = "?" if unit.sqlite else "%s"
        name = table.name
        self._insert = f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"
        where = " AND ".join(f"{k} = {mark}" for k in self.key)
        self._update = f"UPDATE {name} SET {', '.join(f'{c} = {mark}' for c in others)} WHERE {where}"
        self._select = f"SELECT {', '.join(columns)} FROM {name} WHERE {where}"
        self._copy = f"COPY {name} ({', '.join(columns)}) FROM STDIN"
        if self.key:
            self._select_first = f"SELECT {', '.join(columns)} FROM {name} WHERE {self.key[0]} = {mark}"
        # PostgreSQL gives dates as ``date``; the handlers compare them with ISO text.
        self._dates = [] if unit.sqlite else [i for i, c in enumerate(table.columns) if isinstance(c.type, Date)]

    def get(self, *key: Any) -> dict[str, Any] | None:
        """The row with this primary key (``None`` if there is none); change it, then :meth:`touch`."""
        try:
            return self.cache[key]
        except KeyError:
            pass
        row = None
        if not self.complete:
            cursor = self.unit.cursor
            cursor.execute(self._select, key)
            found = cursor.fetchone()
            row = None if found is None else self._row(found)
        self.cache[key] = row
        return row

    def put(self, row: dict[str, Any]) -> None:
        """Insert or replace a whole row (every column)."""
        key = self._key_of(row)
        cache = self.cache
        if key in self.new:
            cache[key] = row
            return
        old = cache.get(key, _MISSING)
        if old is _MISSING and not self.complete:
            old = self.get(*key)
        cache[key] = row
        if self.by_first is not None:
            self.by_first.setdefault(key[0], {})[key] = None
        if old is None or old is _MISSING:
            self.new[key] = None
        else:
            self.dirty[key] = None

    def touch(self, *key: Any) -> None:
        if key not in self.new:
            self.dirty[key] = None

    def change(self, *key: Any) -> dict[str, Any] | None:
        """:meth:`get` and :meth:`touch` in one: the row to change in place (``None`` if there is none)."""
        row = self.cache.get(key)
        if row is None:
            row = self.get(*key)
            if row is None:
                return None
        if key not in self.new:
            self.dirty[key] = None
        return row

    def flush(self) -> None:
        """Write new, changed and appended rows: one driver-level ``executemany`` per kind."""
        cursor, cache = self.unit.cursor, self.cache
        if self.new or self.appended:
            values = self._values
            params = [values(cache[k]) for k in sorted(self.new)]  # in key order: the index grows in order
            params.extend(map(values, self.appended))
            if self.unit.sqlite or len(params) < COPY_FROM:
                cursor.executemany(self._insert, params)
            else:
                with cursor.copy(self._copy) as copy:  # PostgreSQL: COPY is several times faster for many rows
                    for row in params:
                        copy.write_row(row)
        if self.dirty:
            changed = self._changed
            cursor.executemany(self._update, [changed(cache[k]) for k in sorted(self.dirty)])  # in key order too
        self.new, self.dirty = {}, {}
        self.appended.clear()  # the same list: ``append`` is bound to it

    def starting_with(self, first: Any) -> list[dict[str, Any]]:
        """Rows whose first key column equals ``first`` (e.g. all rows of one case)."""
        if self.by_first is None:
            self.by_first = {}
            for key, row in self.cache.items():
                if row is not None:
                    self.by_first.setdefault(key[0], {})[key] = None
        keys = self.by_first.setdefault(first, {})
        if not self.complete and first not in self.loaded_first:
            # Rows already in memory may be newer than the database's; keep those.
            cursor = self.unit.cursor
            cursor.execute(self._select_first, (first,))
            for found in cursor.fetchall():
                row = self._row(found)
                key = self._key_of(row)
                if self.cache.get(key) is None:
                    self.cache[key] = row
                keys[key] = None
            self.loaded_first.add(first)
        cache = self.cache
        return [row for key in keys if (row := cache.get(key)) is not None]

    def _row(self, found: Any) -> dict[str, Any]:
        row = dict(zip(self.columns, found, strict=True))
        for index in self._dates:
            name = self.columns[index]
            if row[name] is not None:
                row[name] = row[name].isoformat()
        return row

    def trim(self) -> None:
        """Keep memory bounded on very long replays: drop the cache once it is large."""
        if len(self.cache) > self.MAX_CACHED:
            self.cache.clear()
            self.by_first = None
            self.loaded_first.clear()
            self.complete = False


def _key_getter(key: tuple[str, ...]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """The primary key of a row, always a tuple (``itemgetter`` of one name gives the bare value)."""
    if len(key) > 1:
        return itemgetter(*key)
    name = key[0] if key else ""
    return lambda row: (row[name],)


class Unit(dict[Table, Rows]):
    """What one projection works on during one batch: its tables as :class:`Rows` (``unit[table]``)."""

    def __init__(self, conn: Connection, tables: Iterable[Table], complete: bool) -> None:
        super().__init__()
        self.sqlite = conn.dialect.name == "sqlite"
        self.conn = conn
        self.cursor = conn.connection.cursor()  # the driver's cursor, in the batch's transaction
        for table in tables:
            self[table] = Rows(self, table, complete)

    def uuid(self, text: str) -> Any:
        """A UUID from the stored JSON (``"1b4e…-…"``) in the driver's form, like ``originator_id``."""
        return UUID(text).hex if self.sqlite else UUID(text)

    def flush(self) -> None:
        for rows in self.values():
            rows.flush()
            rows.trim()

    def rebind(self, conn: Connection) -> None:
        """Carry the cache into the next batch's transaction (nobody else wrote meanwhile)."""
        self.conn = conn
        self.cursor = conn.connection.cursor()


class Projection:
    """Base class: subclasses set ``name``, ``version``, ``tables``, ``topics`` and handle events.

    ``handle`` is called once per event with a :data:`Fact` (see the module's docstring); it
    must not change the fact, which the next projection gets too.
    """

    name: ClassVar[str]
    version: ClassVar[int] = 1
    tables: ClassVar[tuple[Table, ...]] = ()
    topics: ClassVar[tuple[str, ...]] = ()

    def handle(self, unit: Unit, event: Fact, position: int) -> None:
        raise NotImplementedError

    def reset(self, conn: Connection) -> None:
        for table in reversed(self.tables):
            conn.execute(delete(table))


def ensure_tables(store: SQLStore) -> None:
    # Under the store's lock: several processes may open a new store's read side at once.
    store.create_tables(read_metadata)


def state_decoder(mapper: Any) -> Callable[[bytes], dict[str, Any]]:
    """Stored state → ``{"p": …, "s": …}`` through the application's mapper (or its ``to_domain_event``)."""
    owner = getattr(mapper, "__self__", mapper)
    make = getattr(owner, "state_decoder", None)
    if make is None:
        raise TypeError("catch_up needs the application's mapper (ledger.mapper.PydanticMapper)")
    return make()  # type: ignore[no-any-return]


def catch_up(
    store: SQLStore,
    mapper: Any,
    projections: Iterable[Projection],
    *,
    batch: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, int]:
    """Bring the projections up to the head of the log; returns the position each reached.

    ``mapper`` is the application's mapper (``app.mapper``, or its ``to_domain_event``); each
    transaction covers ``batch`` positions (default :data:`BATCH`).
    """
    chosen = list(projections)
    _check_versions(store, chosen)
    if not chosen:
        return {}
    decode = state_decoder(mapper)
    while True:
        # A correction rewrites an entry that projections may already have used: a projection
        # that has seen the entry but not its correction is wiped and replays from zero, with
        # every correction applied to its entry as the entry is read (see ledger.case.apply_corrections).
        stale = _stale(store, chosen)
        if stale:
            rebuild(store, *stale)
        reached = _catch_up(store, decode, chosen, batch, progress)
        if reached is not None:
            return reached


def _catch_up(
    store: SQLStore, decode: Callable[[bytes], dict[str, Any]], chosen: list[Projection], batch: int | None,
    progress: Callable[[str, int, int], None] | None,
) -> dict[str, int] | None:
    """One pass of :func:`catch_up`; ``None`` when a correction arrived meanwhile (start again)."""
    names = [p.name for p in chosen]
    with store.read() as conn:
        lowest = min(store.position(conn, name) for name in names)
    # Only a replay from zero needs the corrections recorded so far (one scan); past entries of
    # a projection further on were corrected before its position, or make it stale (above).
    fixes, through = _corrections(store, decode) if lowest == 0 else ({}, lowest)
    size = batch or BATCH
    units: dict[str, Unit] = {}
    expected: dict[str, int] = {}
    while True:
        with store.projection(*names) as conn:
            positions = {name: store.position(conn, name) for name in names}
            head = store.head(conn)
            low = min(positions.values())
            if low >= head:
                return positions
            high = min(head, low + size)
            for p in chosen:
                # Keep the cached rows only if nobody else moved this projection since our last batch.
                if p.name in units and expected.get(p.name) == positions[p.name]:
                    units[p.name].rebind(conn)
                else:
                    units[p.name] = Unit(conn, p.tables, complete=positions[p.name] == 0)
            behind = [p for p in chosen if positions[p.name] < high]
            if high > through and _correction_ids(conn, max(low, through), high):
                return None  # a correction recorded after this pass began
            with closing(_notifications(conn, low, high, behind)) as chunks:  # cursor closed on errors too
                _replay(chunks, decode, behind, positions, units, fixes)
            for projection in chosen:
                units[projection.name].flush()
                if high > positions[projection.name]:
                    store.track(conn, projection.name, high)
                expected[projection.name] = max(high, positions[projection.name])
        if progress:
            for name in names:
                progress(name, high, head)


def _replay(chunks: Iterable[list[Any]], decode: Callable[[bytes], dict[str, Any]], behind: list[Projection],
            positions: dict[str, int], units: dict[str, Unit], fixes: dict[tuple[Any, int], dict[str, Any]]) -> None:
    """Hand each event, decoded once, to each projection that wants it and has not seen it."""
    low = min(positions[p.name] for p in behind)
    # Per topic: its event class's name and (handle, unit) of each projection that wants it.
    routes: dict[str, tuple[str, list[tuple[Handler, Unit]]]] = {}
    for chunk in chunks:
        for position, originator_id, version, topic, state in chunk:
            route = routes.get(topic)
            if route is None:
                route = routes[topic] = (topic.rpartition(":")[2], [
                    (p.handle if positions[p.name] == low else _unseen(p.handle, positions[p.name]), units[p.name])
                    for p in behind if not p.topics or topic in p.topics
                ])
            fact = decode(state)["s"]
            if fixes:
                fix = fixes.get((originator_id, version))
                if fix is not None:
                    fact.update(fix)
            fact["originator_id"] = originator_id
            fact["originator_version"] = version
            fact["_type"] = route[0]
            for handle, unit in route[1]:
                handle(unit, fact, position)


#: The stored topic of a correction (``ledger.events.EntryCorrected``).
CORRECTION = "ledger.events:EntryCorrected"


def _correction_ids(conn: Connection, after: int, through: int | None = None) -> list[int]:
    """Positions of the corrections recorded after ``after`` (and up to ``through``)."""
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
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


def _stale(store: SQLStore, projections: list[Projection]) -> list[Projection]:
    """The projections that have used an entry whose correction they have not seen yet."""
    with store.read() as conn:
        positions = {p.name: store.position(conn, p.name) for p in projections}
        started = [position for position in positions.values() if position > 0]
        if not started:
            return []
        ids = _correction_ids(conn, min(started))
    return [p for p in projections if positions[p.name] > 0 and any(i > positions[p.name] for i in ids)]


def _corrections(
    store: SQLStore, decode: Callable[[bytes], dict[str, Any]]
) -> tuple[dict[tuple[Any, int], dict[str, Any]], int]:
    """Every correction in the store, as new statistical values per (stream, entry), oldest
    applied first; and the position up to which they were read."""
    fixes: dict[tuple[Any, int], dict[str, Any]] = {}
    with store.read() as conn:
        through = store.head(conn)
        mark = "?" if conn.dialect.name == "sqlite" else "%s"
        cursor = conn.connection.cursor()
        try:
            cursor.execute(
                f"SELECT originator_id, state FROM {events_table.name} WHERE topic = {mark} AND id <= {mark} ORDER BY id",
                (CORRECTION, through),
            )
            for originator_id, state in cursor.fetchall():
                part = decode(bytes(state))["s"]
                fixes.setdefault((originator_id, part["entry"]), {}).update(part["changes"])
        finally:
            cursor.close()
    return fixes, through


def _notifications(
    conn: Connection, low: int, high: int, projections: list[Projection]
) -> Generator[list[Any], None, None]:
    """The events at positions ``low`` < id <= ``high`` that some of ``projections`` want.

    Oldest first, in chunks of ``(id, originator_id, originator_version, topic, state)`` rows read
    with the driver's cursor.
    """
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
    query = (f"SELECT id, originator_id, originator_version, topic, state FROM {events_table.name} "
             f"WHERE id > {mark} AND id <= {mark}")
    params: tuple[Any, ...] = (low, high)
    if not any(not p.topics for p in projections):
        topics = sorted({topic for p in projections for topic in p.topics})
        query += f" AND topic IN ({', '.join([mark] * len(topics))})"
        params += tuple(topics)
    cursor = conn.connection.cursor()
    try:
        cursor.execute(query + " ORDER BY id", params)
        while chunk := cursor.fetchmany(FETCH):
            yield chunk
    finally:
        cursor.close()


def _unseen(handle: Handler, seen: int) -> Handler:
    """``handle`` for a projection already further than the batch's start: only events after ``seen``."""

    def unseen(unit: Unit, fact: Fact, position: int) -> None:
        if position > seen:
            handle(unit, fact, position)

    return unseen


def rebuild(store: SQLStore, *projections: Projection) -> None:
    """Wipe the projections' rows and positions (in one transaction); the next catch-up replays everything."""
    with store.projection(*(p.name for p in projections)) as conn, _freed_pages_not_zeroed(conn):
        for projection in projections:
            projection.reset(conn)
            conn.execute(delete(tracking_table).where(tracking_table.c.application_name == projection.name))


@contextmanager
def _freed_pages_not_zeroed(conn: Connection) -> Iterator[None]:
    """SQLite: while wiping projections, zero freed space only where the page is written anyway.

    Python's SQLite is often built with ``SECURE_DELETE``: every page a ``DELETE`` frees is
    overwritten with zeros, so wiping a million events' rows wrote some 100 MB to the WAL (and
    again to the file at the checkpoint), about a second. ``FAST`` leaves whole freed pages as
    they are until they are reused — by the replay that follows, which writes the same rows
    again from the events, which stay in the store. The connection's setting is restored.
    """
    if conn.dialect.name != "sqlite":
        yield
        return
    cursor = conn.connection.cursor()
    try:
        cursor.execute("PRAGMA secure_delete")
        before = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA secure_delete=FAST")
        try:
            yield
        finally:
            cursor.execute(f"PRAGMA secure_delete={before}")
    finally:
        cursor.close()


def _check_versions(store: SQLStore, projections: list[Projection]) -> None:
    keys = {f"projection_version:{p.name}": p for p in projections}
    with store.read() as conn:
        query = select(meta_table.c.key, meta_table.c.value).where(meta_table.c.key.in_(list(keys)))
        have = dict(conn.execute(query).all())
    for key, projection in keys.items():
        if have.get(key) != str(projection.version):
            _replace(store, projection, key)


def _replace(store: SQLStore, projection: Projection, key: str) -> None:
    want = str(projection.version)
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


__all__ = ["BATCH", "Fact", "Projection", "Rows", "Unit", "catch_up", "ensure_tables", "read_metadata", "rebuild"]
