"""The rows a projection changes while it catches up: in memory, written back once per batch.

Within a batch a projection works on rows in memory (:class:`Rows`): reads hit the database at most
once per row, and the changes are written back at the batch's end with one driver-level
``executemany`` per table and kind (``COPY`` for many new rows on PostgreSQL).

Memory does not grow with the store: after a batch is written, the rows it did not insert or
change are dropped (:meth:`Rows.evict`), and read back if a later event needs them. Replaying from
zero, a row that is not in memory does not exist — unless its case (first key value) had rows
dropped: then the row is looked up, and a row put without knowing whether it exists is written
with an upsert (``INSERT … ON CONFLICT … DO UPDATE``) instead of being looked up first.

Values are in the driver's form: dates as ISO text (compared and grouped as text), amounts as
integer öre, ids as the driver stores them (32 hex digits on SQLite, ``UUID`` on PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import chain
from operator import itemgetter
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Date, Table

from ledger.adapters.dialect import COPY_FROM, Dialect

_MISSING: Any = object()

#: In :attr:`Rows.new`: a row known to be new (``INSERT``), or one whose case had rows dropped from
#: memory, which may exist in the database (written with an upsert).
_NEW, _MAYBE = None, True


class Rows:
    """One table's rows touched in a batch, keyed by primary key; written back by :meth:`flush`.

    Values are in the driver's form (see the module's docstring); every row holds every column.
    """

    def __init__(self, unit: Unit, table: Table, complete: bool) -> None:
        self.unit, self.table = unit, table
        columns = [c.name for c in table.columns]
        self.key = tuple(c.name for c in table.primary_key.columns)
        others = [c for c in columns if c not in self.key]
        # Replaying from zero, every row is in the cache or its case is in ``evicted``.
        self.complete = complete
        self.cache: dict[tuple[Any, ...], dict[str, Any] | None] = {}
        self.by_first: dict[Any, dict[tuple[Any, ...], None]] | None = None  # built on first use
        self.loaded_first: set[Any] = set()
        #: Replaying from zero: the first key values (cases) some of whose rows were dropped from memory
        #: (:meth:`evict`); they are in the database.
        self.evicted: set[Any] = set()
        self.new: dict[tuple[Any, ...], bool | None] = {}  # ordered sets; _NEW or _MAYBE
        self.dirty: dict[tuple[Any, ...], None] = {}
        self.changes = False  # whether rows of this table were ever changed after their insert (:meth:`written`)
        self.appended: list[dict[str, Any]] = []
        #: Insert into a table without a primary key (one row per fact); every column.
        self.append = self.appended.append
        self.columns = columns
        self._values = itemgetter(*columns)
        self._changed = itemgetter(*others, *self.key)
        self._key_of = _key_getter(self.key)
        mark = unit.dialect.mark
        name = table.name
        self._insert = f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"
        self._conflict = (f" ON CONFLICT ({', '.join(self.key)}) DO "
                          + (f"UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in others)}" if others else "NOTHING"))
        self._upsert = self._insert + self._conflict
        where = " AND ".join(f"{k} = {mark}" for k in self.key)
        self._update = f"UPDATE {name} SET {', '.join(f'{c} = {mark}' for c in others)} WHERE {where}"
        self._select = f"SELECT {', '.join(columns)} FROM {name} WHERE {where}"
        self._copy = f"COPY {name} ({', '.join(columns)}) FROM STDIN"
        if self.key:
            self._select_first = f"SELECT {', '.join(columns)} FROM {name} WHERE {self.key[0]} = {mark}"
        # The driver may give dates as ``date`` (PostgreSQL); the handlers compare them as ISO text.
        self._dates = [] if unit.sqlite else [i for i, c in enumerate(table.columns) if isinstance(c.type, Date)]

    def get(self, *key: Any) -> dict[str, Any] | None:
        """The row with this primary key (``None`` if there is none); change it, then :meth:`touch`."""
        try:
            return self.cache[key]
        except KeyError:
            pass
        row = None
        if not self.complete or key[0] in self.evicted:
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
        if old is _MISSING:
            # Not in memory: new, unless its case had rows dropped (then written with an upsert).
            self.new[key] = _MAYBE if key[0] in self.evicted else _NEW
        elif old is None:
            self.new[key] = _NEW
        else:
            self.dirty[key] = None

    def insert(self, row: dict[str, Any]) -> None:
        """Insert a row (every column) whose key no row has yet: one the inserting event makes unique
        (a payment's reference in its case). Neither looked up nor, if its case had rows let go,
        written with an upsert; a row already there is the database's error (a broken invariant,
        not a row to overwrite)."""
        key = self._key_of(row)
        self.cache[key] = row
        if self.by_first is not None:
            self.by_first.setdefault(key[0], {})[key] = None
        self.new[key] = _NEW

    def touch(self, *key: Any) -> None:
        if key not in self.new:
            self.dirty[key] = None
        else:
            self.changes = True

    def change(self, *key: Any) -> dict[str, Any] | None:
        """:meth:`get` and :meth:`touch` in one: the row to change in place (``None`` if there is none)."""
        row = self.cache.get(key)
        if row is None:
            row = self.get(*key)
            if row is None:
                return None
        if key not in self.new:
            self.dirty[key] = None
        else:
            self.changes = True
        return row

    def flush(self) -> None:
        """Write new, changed and appended rows: one driver-level ``executemany`` per kind.

        On SQLite the parameters are made as the driver reads them, not as a list first (memory)."""
        cursor, cache, sqlite = self.unit.cursor, self.cache, self.unit.sqlite
        if self.new or self.appended:
            values, kinds = self._values, self.new
            new = sorted(kinds)  # in key order: the index grows in order
            inserts = chain((values(cache[k]) for k in new if kinds[k] is _NEW),  # type: ignore[arg-type]  # new rows are never None
                            map(values, self.appended))
            if sqlite:
                cursor.executemany(self._insert, inserts)  # type: ignore[arg-type]  # sqlite3 reads any iterable
            else:
                self.unit.dialect.bulk_insert(cursor, self._insert, self._copy, list(inserts))
            if _MAYBE in kinds.values():
                self._upsert_many(cursor, [values(cache[k]) for k in new if kinds[k] is _MAYBE])  # type: ignore[arg-type]
        if self.dirty:
            changed = self._changed
            updates = (changed(cache[k]) for k in sorted(self.dirty))  # type: ignore[arg-type]  # in key order too
            cursor.executemany(self._update, updates if sqlite else list(updates))  # type: ignore[arg-type]  # as above
        self.new, self.dirty = {}, {}
        self.appended.clear()  # the same list: ``append`` is bound to it

    def _upsert_many(self, cursor: Any, params: list[Any]) -> None:
        """Insert or replace these rows. On PostgreSQL, many of them: ``COPY`` into a temporary table,
        then one ``INSERT … SELECT … ON CONFLICT`` (as fast as the ``COPY`` of new rows)."""
        if self.unit.sqlite or len(params) < COPY_FROM:
            cursor.executemany(self._upsert, params)
            return
        name, columns = self.table.name, ", ".join(self.columns)
        temp = f"{name}_upserted"
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {temp} (LIKE {name}) ON COMMIT DROP")
        with cursor.copy(f"COPY {temp} ({columns}) FROM STDIN") as copy:
            for row in params:
                copy.write_row(row)
        cursor.execute(f"INSERT INTO {name} ({columns}) SELECT {columns} FROM {temp}{self._conflict}")
        cursor.execute(f"DROP TABLE {temp}")

    def starting_with(self, first: Any) -> list[dict[str, Any]]:
        """Rows whose first key column equals ``first`` (e.g. all rows of one case)."""
        if self.by_first is None:
            self.by_first = {}
            for key, row in self.cache.items():
                if row is not None:
                    self.by_first.setdefault(key[0], {})[key] = None
        keys = self.by_first.setdefault(first, {})
        if (first in self.evicted) if self.complete else (first not in self.loaded_first):
            # Rows already in memory may be newer than the database's; keep those.
            cursor = self.unit.cursor
            cursor.execute(self._select_first, (first,))
            for found in cursor.fetchall():
                row = self._row(found)
                key = self._key_of(row)
                if self.cache.get(key) is None:
                    self.cache[key] = row
                keys[key] = None
            if self.complete:
                self.evicted.discard(first)
            else:
                self.loaded_first.add(first)
        cache = self.cache
        return [row for key in keys if (row := cache.get(key)) is not None]

    def where(self, column: str, value: Any) -> list[dict[str, Any]]:
        """Rows whose ``column`` equals ``value`` (for the rare change that touches rows by another
        column than the key, e.g. every case of a person); change them, then :meth:`touch`."""
        if not self.complete or self.evicted:
            cursor = self.unit.cursor
            cursor.execute(f"SELECT {', '.join(self.columns)} FROM {self.table.name} WHERE {column} = "
                           f"{self.unit.dialect.mark}", (value,))
            for found in cursor.fetchall():
                row = self._row(found)
                key = self._key_of(row)
                if self.cache.get(key) is None:  # a row in memory may be newer: keep it
                    self.cache[key] = row
                    if self.by_first is not None:
                        self.by_first.setdefault(key[0], {})[key] = None
        return [row for row in self.cache.values() if row is not None and row[column] == value]

    def _row(self, found: Any) -> dict[str, Any]:
        row = dict(zip(self.columns, found, strict=True))
        for index in self._dates:
            name = self.columns[index]
            if row[name] is not None:
                row[name] = row[name].isoformat()
        return row

    def written(self) -> set[tuple[Any, ...]]:
        """The keys of the rows inserted or changed since the last :meth:`flush` — of a table whose rows
        are only ever inserted (payments, say), none: nothing will change them."""
        if self.dirty:
            self.changes = True
        return {*self.new, *self.dirty} if self.changes else set()

    def evict(self, keep: set[tuple[Any, ...]]) -> None:
        """After :meth:`flush`: drop from memory every row whose key is not in ``keep`` (rows in memory).

        So memory holds the rows the last batch inserted or changed, not every row of the store. A
        dropped row is in the database; its case is remembered (:attr:`evicted`), and the row is read
        back if a later event needs it.
        """
        cache = self.cache
        if not self.key or len(keep) == len(cache):
            return
        gone = set(map(_first, cache.keys() - keep if keep else cache))
        self.cache = {key: cache[key] for key in keep}
        self.by_first = None  # rebuilt on first use
        if self.complete:
            self.evicted |= gone
        else:
            self.loaded_first -= gone


_first = itemgetter(0)


def _key_getter(key: tuple[str, ...]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """The primary key of a row, always a tuple (``itemgetter`` of one name gives the bare value)."""
    if len(key) > 1:
        return itemgetter(*key)
    name = key[0] if key else ""
    return lambda row: (row[name],)


class Unit(dict[Table, Rows]):
    """What one projection works on during one batch: its tables as :class:`Rows` (``unit[table]``)."""

    def __init__(self, conn: Connection, dialect: Dialect, tables: Iterable[Table], complete: bool) -> None:
        super().__init__()
        self.dialect = dialect
        self.sqlite = dialect.name == "sqlite"
        self.conn = conn
        self.cursor = conn.connection.cursor()  # the driver's cursor, in the batch's transaction
        for table in tables:
            self[table] = Rows(self, table, complete)

    def uuid(self, text: str) -> Any:
        """A UUID from the stored JSON (``"1b4e…-…"``) in the driver's form, like ``originator_id``."""
        return self.dialect.stream_id(UUID(text))

    def flush(self) -> None:
        """Write every table's changes; then drop from memory the rows this batch neither inserted nor
        changed (:meth:`Rows.evict`)."""
        for rows in self.values():
            written = rows.written()
            rows.flush()
            rows.evict(written)

    def rebind(self, conn: Connection) -> None:
        """Carry the cache into the next batch's transaction (nobody else wrote meanwhile)."""
        self.conn = conn
        self.cursor = conn.connection.cursor()
