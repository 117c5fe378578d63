"""Reads that go through the driver's own cursor (a stream, a window of the chain, the data keys)
report what the database refuses as a StorageError with a reason, as reads through SQLAlchemy do:
never the driver's own exception (which the command line would show as an internal error)."""

from __future__ import annotations

from uuid import uuid4

import pytest

from ledger.adapters.config import resolve_url
from ledger.adapters.recorder import LedgerRecorder, SnapshotRecorder
from ledger.adapters.store import SQLStore, driver_rows
from ledger.domain.errors import StorageError


def test_a_refused_stream_read_is_a_storage_error(db_url: str) -> None:
    store = SQLStore.for_url(resolve_url(db_url))
    assert LedgerRecorder(store).select_events(uuid4()) == []
    with store.write() as conn:
        conn.exec_driver_sql("DROP TABLE ledger_snapshots")
    with pytest.raises(StorageError) as caught:
        SnapshotRecorder(store).select_events(uuid4())
    assert caught.value.params["reason"] == "database"


def test_a_refused_driver_read_is_a_storage_error(db_url: str) -> None:
    store = SQLStore.for_url(resolve_url(db_url))
    with pytest.raises(StorageError), store.read() as conn:
        driver_rows(conn, "SELECT no_such_column FROM ledger_events", ())
