"""The rows a projection changes while it catches up: in memory, written back once per batch.

Within a batch a projection works on rows in memory (:class:`Rows`): reads hit the database at most
once per row, and the changes are written back at the batch's end with one driver-level
``executemany`` per table and kind (``COPY`` for many new rows on PostgreSQL). Replaying from zero
every row is in memory, so there are no reads at all.

Values are in the driver's form: dates as ISO text (compared and grouped as text), amounts as
integer öre, ids as the driver stores them (32 hex digits on SQLite, ``UUID`` on PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from operator import itemgetter
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Date, Table

from ledger.adapters.dialect import Dialect

_MISSING: Any = object()


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
        mark = unit.dialect.mark
        name = table.name
        self._insert = f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"
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
            params = [values(cache[k]) for k in sorted(self.new)]  # type: ignore[arg-type]  # new rows are never None; in key order: the index grows in order
            params.extend(map(values, self.appended))
            self.unit.dialect.bulk_insert(cursor, self._insert, self._copy, params)
        if self.dirty:
            changed = self._changed
            cursor.executemany(self._update, [changed(cache[k]) for k in sorted(self.dirty)])  # type: ignore[arg-type]  # in key order too
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

    def where(self, column: str, value: Any) -> list[dict[str, Any]]:
        """Rows whose ``column`` equals ``value`` (for the rare change that touches rows by another
        column than the key, e.g. every case of a person); change them, then :meth:`touch`."""
        if not self.complete:
            cursor = self.unit.cursor
            cursor.execute(f"SELECT {', '.join(self.columns)} FROM {self.table.name} WHERE {column} = "
                           f"{self.unit.dialect.mark}", (value,))
            for found in cursor.fetchall():
                row = self._row(found)
                self.cache.setdefault(self._key_of(row), row)  # a row in memory may be newer: keep it
        return [row for row in self.cache.values() if row is not None and row[column] == value]

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
        for rows in self.values():
            rows.flush()
            rows.trim()

    def rebind(self, conn: Connection) -> None:
        """Carry the cache into the next batch's transaction (nobody else wrote meanwhile)."""
        self.conn = conn
        self.cursor = conn.connection.cursor()
