"""A SQLite store's WAL file stays small (``adapters/dialect.py``, :func:`_settle_wal`).

A command's process ends without closing its connections, so SQLite never removes the WAL file; the
next process's first connection reads every frame of it to rebuild its index, and counts none of
them as checkpointed, so the WAL was never begun again: it grew by every command's writes, and each
later command paid for all of it. A connection going back to the pool now checkpoints a WAL past
``WAL_LIMIT`` into the store and truncates it, unless another connection is using it.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import Connection, text

from ledger.adapters.dialect import WAL_LIMIT
from tests.conftest import TEST_PNR
from tests.helpers import ledger_at, run_process

#: Rows of 1 000 random bytes: more than WAL_LIMIT in the WAL.
ROWS = WAL_LIMIT // 1000 * 2


def _big_write(conn: Connection) -> None:
    conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS scratch (x BLOB)")
    conn.exec_driver_sql(
        f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {ROWS}) "
        "INSERT INTO scratch SELECT randomblob(1000) FROM n")


def _wal(db: Path) -> int:
    return os.path.getsize(f"{db}-wal")


@pytest.fixture
def store(tmp_path: Path) -> tuple[Path, str]:
    """A training store with one case; its case number."""
    db = tmp_path / "ledger.sqlite3"
    number = ledger_at(str(db), "setup").open_case(TEST_PNR[0], gender="woman", environment="criminal",
                                                  source="police", on="2026-10-01")
    return db, number


def test_a_large_write_leaves_the_wal_empty_and_everything_in_the_store(store: tuple[Path, str]) -> None:
    from tests.helpers import store_at

    db, _ = store
    engine = store_at(str(db)).engine
    with engine.begin() as conn:
        _big_write(conn)
    assert _wal(db) == 0
    with sqlite3.connect(db) as other:  # another connection sees every row, from the store's file
        assert other.execute("SELECT count(*), sum(length(x)) FROM scratch").fetchone() == (ROWS, ROWS * 1000)


def test_a_wal_left_by_an_ended_process_is_settled_by_the_next_command(store: tuple[Path, str]) -> None:
    """As a command's process leaves it: written, committed, never closed. The next command reads
    the store as it was and leaves the WAL small; writing commands after it keep it so."""
    db, number = store
    leave = (
        "import os, sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('PRAGMA journal_mode=WAL')\n"
        "c.execute('PRAGMA wal_autocheckpoint=0')\n"  # as big as a rebuild's, for the test's few rows
        "c.execute('CREATE TABLE scratch (x BLOB)')\n"
        f"c.execute('INSERT INTO scratch SELECT randomblob(1000) FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL "
        f"SELECT i + 1 FROM n WHERE i < {ROWS}) SELECT i FROM n)')\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", leave, str(db)], check=True)
    assert _wal(db) > WAL_LIMIT

    shown = run_process(str(db), "case", "list", "--json", env={"LEDGER_USER": "setup"}, ready=False)
    assert shown.code == 0, shown.err
    assert [row["case"] for row in shown.json()] == [number]
    assert _wal(db) < WAL_LIMIT // 4
    for day in ("2026-10-02", "2026-10-03"):
        added = run_process(str(db), "contact", "add", number, "--channel", "phone", "--date", day,
                            env={"LEDGER_USER": "setup"}, ready=False)
        assert added.code == 0, added.err
        assert _wal(db) < WAL_LIMIT // 4
    with sqlite3.connect(db) as other:
        assert other.execute("SELECT count(*) FROM scratch").fetchone() == (ROWS,)


def test_a_reader_in_another_process_is_not_waited_for_and_the_wal_is_settled_after_it(
        store: tuple[Path, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Not tried again at every connection back while the reader reads (each try takes the write lock
    a moment): only once the WAL has grown by WAL_LIMIT or SETTLE_RETRY seconds have passed."""
    from ledger.adapters import dialect
    from tests.helpers import store_at

    monkeypatch.setattr(dialect, "SETTLE_RETRY", 0.5)
    db, _ = store
    engine = store_at(str(db)).engine
    reader = sqlite3.connect(db, isolation_level=None)
    reader.execute("BEGIN")
    assert reader.execute("SELECT count(*) FROM ledger_events").fetchone()[0] > 0  # holds its snapshot
    started = time.monotonic()
    with engine.begin() as conn:
        _big_write(conn)
    assert time.monotonic() - started < 20  # the connection's busy handler would wait 60 s
    assert _wal(db) > WAL_LIMIT  # the reader still reads from it
    reader.execute("COMMIT")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM scratch")).scalar() == ROWS
    if time.monotonic() - started < 0.4:  # within the half second: not tried again yet
        assert _wal(db) > WAL_LIMIT
    time.sleep(0.6)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM scratch")).scalar() == ROWS
    assert _wal(db) == 0
    assert reader.execute("SELECT count(*) FROM scratch").fetchone() == (ROWS,)
    reader.close()


def test_a_store_named_through_a_link_has_the_wal_of_the_file_it_points_to_settled(tmp_path: Path) -> None:
    """SQLite names the WAL after the file a link points to; so does the settling."""
    from ledger.adapters.store import SQLStore

    target = tmp_path / "real" / "ledger.sqlite3"
    target.parent.mkdir()
    ledger_at(str(target), "setup")
    (tmp_path / "link").mkdir()
    link = tmp_path / "link" / "ledger.sqlite3"
    link.symlink_to(target)
    store = SQLStore(f"sqlite:///{link}")
    try:
        with store.engine.begin() as conn:
            _big_write(conn)
        assert _wal(target) == 0
    finally:
        store.engine.dispose()
