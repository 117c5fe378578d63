"""A read-side query read through the driver's cursor: the reports and the case list read thousands
of rows, and SQLAlchemy's row objects, its SQLite date parsing and a ``UUID`` object per id cost
more than the query.

The query is still built with SQLAlchemy (the tables of :mod:`ledger.adapters.schema`) and compiled
for the connection's dialect; only the rows come back as the driver gives them, then typed the way
the caller asks (see :func:`fetch`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import Boolean, Connection, Date

from ledger.adapters.store import driver_query


def fetch(conn: Connection, query: Any, *, iso_dates: bool = False) -> tuple[list[str], list[Any]]:
    """The column names and rows of ``query`` in ``conn``'s transaction.

    SQLite gives dates as ISO text and booleans as 0 and 1: the booleans are turned into ``bool``
    here, the dates into ``date`` (as SQLAlchemy would) — or, with ``iso_dates``, every date column
    is ISO text on both databases (PostgreSQL's driver gives ``date`` objects). Ids come as the
    driver stores them: 32 hex digits on SQLite, ``UUID`` on PostgreSQL (see :func:`stored_id`)."""
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    sqlite = conn.dialect.name == "sqlite"
    if compiled.positiontup is not None:  # SQLite: ? marks, values bound as SQLAlchemy would bind them
        args: Any = tuple(_bound(params[name], sqlite) for name in compiled.positiontup)
    else:
        args = params
    names, found = driver_query(conn, str(compiled), args)
    rows: list[Any] = found
    columns = query.selected_columns
    dates = [n for n, c in enumerate(columns) if isinstance(c.type, Date)]
    flags = [n for n, c in enumerate(columns) if isinstance(c.type, Boolean)] if sqlite else []
    if iso_dates:
        if not sqlite and dates:
            rows = [_typed(row, dates, [], date.isoformat) for row in rows]
        if flags:
            rows = [_typed(row, [], flags, date.isoformat) for row in rows]
    elif sqlite and (dates or flags):
        rows = [_typed(row, dates, flags, date.fromisoformat) for row in rows]
    return names, rows


def stored_id(conn: Connection) -> Callable[[UUID], Any]:
    """An id in the form :func:`fetch` gives it back for ``conn``'s database (to match rows by id)."""
    if conn.dialect.name == "sqlite":
        return _hex
    return _same


def _hex(value: UUID) -> str:
    return value.hex


def _same(value: UUID) -> UUID:
    return value


def _bound(value: Any, sqlite: bool) -> Any:
    if sqlite and isinstance(value, date):
        return value.isoformat()
    if sqlite and isinstance(value, UUID):
        return value.hex  # as SQLAlchemy's Uuid stores it without a native type
    return value


def _typed(row: tuple[Any, ...], dates: list[int], flags: list[int], convert: Callable[[Any], Any]) -> list[Any]:
    values = list(row)
    for n in dates:
        if values[n] is not None:
            values[n] = convert(values[n])
    for n in flags:
        if values[n] is not None:
            values[n] = bool(values[n])
    return values
