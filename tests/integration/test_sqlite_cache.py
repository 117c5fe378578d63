"""A SQLite connection's page cache by what its transaction does (``adapters/dialect.py``).

A write keeps a large append in memory until its commit (``CACHE_KIB``); a read visits most pages once,
so it keeps SQLite's default (``READ_CACHE_KIB``): with the large cache a year's report at the
largest store took 11 MiB more of the process's memory, page by page, for nothing.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection

from ledger.adapters.dialect import CACHE_KIB, READ_CACHE_KIB
from tests.conftest import TEST_PNR
from tests.helpers import ledger_at, store_at


def _cache(conn: Connection) -> tuple[int, int]:
    """The page cache (KiB; SQLite gives a size in KiB as a negative number) and which connection."""
    return -int(conn.exec_driver_sql("PRAGMA cache_size").scalar_one()), id(conn.connection.dbapi_connection)


def test_one_connection_reads_with_the_small_cache_and_writes_with_the_large(tmp_path: Path) -> None:
    assert READ_CACHE_KIB < CACHE_KIB
    db = tmp_path / "ledger.sqlite3"
    ledger_at(str(db), "setup").open_case(TEST_PNR[0], gender="woman", environment="criminal", source="police",
                                          on="2026-10-01")
    store = store_at(str(db))
    seen = []
    for step in ("read", "write", "read", "read", "write", "write", "read"):
        with store.read() if step == "read" else store.write() as conn:
            size, _ = _cache(conn)
            seen.append((step, size))
            if step == "write":  # a write in it still works with what it has
                conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS scratch (x INTEGER)")
                conn.exec_driver_sql("INSERT INTO scratch VALUES (1)")
    assert seen == [(step, READ_CACHE_KIB if step == "read" else CACHE_KIB) for step, _ in seen]
    # one pooled connection turned from reading to writing and back: the setting follows the
    # transaction, not the connection's first use
    connections = set()
    for _ in range(2):
        with store.read() as conn:
            connections.add(_cache(conn)[1])
        with store.write() as conn:
            connections.add(_cache(conn)[1])
    assert len(connections) == 1


def test_a_wipe_restores_the_write_cache(tmp_path: Path) -> None:
    """``fast_delete`` (a rebuild's wipe) takes the small cache meanwhile and gives the write's back."""
    db = tmp_path / "ledger.sqlite3"
    ledger_at(str(db), "setup")
    store = store_at(str(db))
    with store.write() as conn:
        with store.dialect.fast_delete(conn):
            assert _cache(conn)[0] == READ_CACHE_KIB
        assert _cache(conn)[0] == CACHE_KIB
    with store.read() as conn:
        assert _cache(conn)[0] == READ_CACHE_KIB
