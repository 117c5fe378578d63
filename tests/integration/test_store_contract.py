"""The recorder contract of ``ledger.factory.store``, on SQLite and PostgreSQL.

Adapted from the eventsourcing library's own recorder tests
(``eventsourcing/tests/persistence.py``: ``AggregateRecorderTestCase``,
``ApplicationRecorderTestCase``, ``TrackingRecorderTestCase``, ``ProcessRecorderTestCase``) for
:class:`~ledger.factory.store.LedgerRecorder` and :class:`~ledger.factory.store.SnapshotRecorder`, plus what the
ledger adds: gapless positions in commit order, all-or-nothing batches, tables created on first
use, URL resolution and :class:`~ledger.errors.StorageError` for a store that cannot be used.
Every test gets a fresh, empty database from the ``db_url`` fixture (``tests/conftest.py``).
"""

from __future__ import annotations

import os
import socket
import sys
import traceback
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent, Tracking
from sqlalchemy import func, inspect, select

from ledger.adapters.config import resolve_url
from ledger.adapters.recorder import LedgerRecorder, SnapshotRecorder
from ledger.adapters.schema import events_table
from ledger.adapters.store import SQLStore
from ledger.domain.errors import StorageError

TABLES = {"ledger_events", "ledger_snapshots", "ledger_tracking", "ledger_meta"}


@pytest.fixture
def store(db_url: str) -> SQLStore:
    return SQLStore.for_url(resolve_url(db_url))


@pytest.fixture
def recorder(store: SQLStore) -> LedgerRecorder:
    return LedgerRecorder(store)


@pytest.fixture
def snapshots(store: SQLStore) -> SnapshotRecorder:
    return SnapshotRecorder(store)


def se(originator_id: UUID, version: int, topic: str | None = None, state: bytes | None = None) -> StoredEvent:
    return StoredEvent(
        originator_id=originator_id,
        originator_version=version,
        topic=topic or f"topic{version}",
        state=state if state is not None else f"state{version}".encode(),
    )


def _row_count(store: SQLStore) -> int:
    with store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(events_table)).scalar() or 0)


def _all_ids(store: SQLStore) -> list[int]:
    with store.read() as conn:
        return [r[0] for r in conn.execute(select(events_table.c.id).order_by(events_table.c.id))]


# -- first use ---------------------------------------------------------------------------------


def test_tables_are_created_on_first_use_of_an_empty_database(db_url: str) -> None:
    url = resolve_url(db_url)
    if url.startswith("sqlite"):
        path = Path(url.split("///", 1)[1])
        assert not path.exists()
    else:
        from sqlalchemy import create_engine

        probe = create_engine(url)
        try:
            assert not TABLES & set(inspect(probe).get_table_names())
        finally:
            probe.dispose()

    store = SQLStore.for_url(url)
    assert set(inspect(store.engine).get_table_names()) >= TABLES
    recorder = LedgerRecorder(store)
    assert recorder.max_notification_id() is None
    assert recorder.insert_events([se(uuid4(), 1)]) == [1]

    # Opening the same store again (another process, a new engine) keeps what is there.
    SQLStore.dispose_all()
    again = LedgerRecorder(SQLStore(url))
    assert again.max_notification_id() == 1
    again.store.engine.dispose()


def test_sqlite_file_is_created_with_its_missing_directories(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "ledger.sqlite3"
    store = SQLStore(resolve_url(str(target)))
    try:
        LedgerRecorder(store).insert_events([se(uuid4(), 1)])
        assert target.is_file()
    finally:
        store.engine.dispose()


def test_in_memory_sqlite_url_creates_no_stray_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    store = SQLStore("sqlite://")
    try:
        recorder = LedgerRecorder(store)
        recorder.insert_events([se(uuid4(), 1)])
        assert recorder.max_notification_id() == 1
    finally:
        store.engine.dispose()
    assert list(tmp_path.iterdir()) == [], "an in-memory store must not touch the working directory"


# -- events by stream (AggregateRecorderTestCase.test_insert_and_select) ------------------------------


def test_insert_and_select_events(recorder: LedgerRecorder) -> None:
    a = uuid4()
    assert recorder.select_events(a, desc=True, limit=1) == []

    e1 = se(a, 1)
    assert recorder.insert_events([e1]) == [1]
    found = recorder.select_events(a)
    assert found == [e1]
    assert isinstance(found[0].state, bytes)
    assert isinstance(found[0].originator_id, UUID)

    e2, e3 = se(a, 2), se(a, 3)
    assert recorder.insert_events([e2, e3]) == [2, 3]
    assert recorder.select_events(a) == [e1, e2, e3]
    assert recorder.select_events(str(a)) == [e1, e2, e3], "a stream id given as text works too"

    # Streams are kept apart; version 0 is allowed.
    b = uuid4()
    assert recorder.select_events(b) == []
    e4 = se(b, 0)
    recorder.insert_events([e4])
    assert recorder.select_events(b) == [e4]
    assert recorder.select_events(a) == [e1, e2, e3]


def test_select_events_gt_lte_desc_limit(recorder: LedgerRecorder) -> None:
    a = uuid4()
    events = [se(a, v) for v in range(1, 8)]
    recorder.insert_events(events[:3])
    recorder.insert_events(events[3:])
    recorder.insert_events([se(uuid4(), v) for v in range(1, 4)])  # another stream in between

    def versions(**kw: object) -> list[int]:
        return [e.originator_version for e in recorder.select_events(a, **kw)]

    assert versions() == [1, 2, 3, 4, 5, 6, 7]
    assert versions(gt=3) == [4, 5, 6, 7]
    assert versions(lte=3) == [1, 2, 3]
    assert versions(gt=2, lte=5) == [3, 4, 5]
    assert versions(gt=5, lte=5) == []
    assert versions(desc=True) == [7, 6, 5, 4, 3, 2, 1]
    assert versions(limit=2) == [1, 2]
    assert versions(desc=True, limit=1) == [7]  # the latest (how a snapshot is found)
    assert versions(lte=4, desc=True, limit=1) == [4]  # the last at or before a version
    assert versions(gt=1, lte=6, desc=True, limit=3) == [6, 5, 4]
    assert versions(gt=7) == []
    assert versions(limit=0) == []
    assert recorder.select_events(a, gt=1, lte=2) == [events[1]]


# -- conflicts and atomicity ------------------------------------------------------------------------


def test_duplicate_stream_version_raises_integrity_error(recorder: LedgerRecorder) -> None:
    a = uuid4()
    e1 = se(a, 1)
    recorder.insert_events([e1])
    with pytest.raises(IntegrityError):
        recorder.insert_events([e1])
    with pytest.raises(IntegrityError):  # same stream and version, different content
        recorder.insert_events([se(a, 1, topic="other", state=b"other")])
    assert recorder.select_events(a) == [e1]


def test_a_batch_with_one_conflicting_event_stores_none_of_its_events(store: SQLStore, recorder: LedgerRecorder) -> None:
    a, b, c = uuid4(), uuid4(), uuid4()
    e1 = se(a, 1)
    recorder.insert_events([e1])

    with pytest.raises(IntegrityError):  # conflict at the start of the batch
        recorder.insert_events([e1, se(a, 2)])
    with pytest.raises(IntegrityError):  # duplicate inside the batch
        recorder.insert_events([se(a, 2), se(a, 2)])
    with pytest.raises(IntegrityError):  # conflict in the middle, other streams around it
        recorder.insert_events([se(b, 1), se(b, 2), se(a, 1, state=b"x"), se(c, 1)])
    with pytest.raises(IntegrityError):  # conflict at the end of a large batch
        recorder.insert_events([se(c, v) for v in range(1, 501)] + [se(a, 1)])

    assert recorder.select_events(a) == [e1]
    assert recorder.select_events(b) == []
    assert recorder.select_events(c) == []
    assert _row_count(store) == 1
    assert recorder.max_notification_id() == 1

    # The refused batches used up no positions and left no lock behind.
    assert recorder.insert_events([se(a, 2), se(b, 1)]) == [2, 3]
    assert _all_ids(store) == [1, 2, 3]


def test_notification_ids_are_gapless_in_commit_order(store: SQLStore, recorder: LedgerRecorder) -> None:
    streams = [uuid4() for _ in range(4)]
    written: list[tuple[int, UUID, int]] = []
    version = dict.fromkeys(streams, 0)
    for round_ in range(6):
        batch = []
        for s in streams[: 1 + round_ % 4]:
            version[s] += 1
            batch.append(se(s, version[s]))
        ids = recorder.insert_events(batch)
        assert ids is not None
        written += [(i, e.originator_id, e.originator_version) for i, e in zip(ids, batch, strict=True)]
        with pytest.raises(IntegrityError):  # a refused batch between the good ones
            recorder.insert_events([se(streams[0], 1), se(uuid4(), 1)])
    assert [w[0] for w in written] == list(range(1, len(written) + 1))
    notes = recorder.select_notifications(None, 1000)
    assert [(n.id, n.originator_id, n.originator_version) for n in notes] == written
    assert recorder.max_notification_id() == len(written)
    assert _all_ids(store) == list(range(1, len(written) + 1))


# -- the notification log (ApplicationRecorderTestCase.test_insert_select) ------------------------


def test_select_notifications(recorder: LedgerRecorder) -> None:
    assert recorder.select_notifications(start=None, limit=3) == []
    assert recorder.select_notifications(start=None, limit=3, topics=["topic1"]) == []
    assert recorder.max_notification_id() is None

    a, b = uuid4(), uuid4()
    e1, e2, e3 = se(a, 1, "topic1", b"state1"), se(a, 2, "topic2", b"state2"), se(b, 1, "topic3", b"state3")
    assert recorder.insert_events([e1, e2]) == [1, 2]
    assert recorder.insert_events([e3]) == [3]
    with pytest.raises(IntegrityError):
        recorder.insert_events([e3])

    def ids(*args: object, **kw: object) -> list[int]:
        return [n.id for n in recorder.select_notifications(*args, **kw)]  # type: ignore[arg-type]

    notes = recorder.select_notifications(start=None, limit=10)
    assert [(n.id, n.originator_id, n.originator_version, n.topic, n.state) for n in notes] == [
        (1, a, 1, "topic1", b"state1"),
        (2, a, 2, "topic2", b"state2"),
        (3, b, 1, "topic3", b"state3"),
    ]
    assert all(isinstance(n.state, bytes) for n in notes)
    assert ids(start=1, limit=10) == [1, 2, 3]
    assert ids(start=None, stop=2, limit=10) == [1, 2]
    assert ids(start=1, limit=10, inclusive_of_start=False) == [2, 3]
    assert ids(start=2, limit=10, inclusive_of_start=False) == [3]
    assert ids(start=None, limit=10, topics=["topic1", "topic2", "topic3"]) == [1, 2, 3]
    assert ids(1, 10, topics=["topic1"]) == [1]
    assert ids(1, 3, topics=["topic2"]) == [2]
    assert ids(1, 3, topics=["topic3"]) == [3]
    assert ids(1, 3, topics=["topic1", "topic3"]) == [1, 3]
    assert ids(1, 3, topics=["nothing"]) == []
    assert recorder.max_notification_id() == 3
    # limit
    assert ids(None, 1) == [1]
    assert ids(2, 1) == [2]
    assert ids(1, 1, inclusive_of_start=False) == [2]
    assert ids(2, 2) == [2, 3]
    assert ids(3, 1) == [3]
    assert ids(3, 1, inclusive_of_start=False) == []
    assert ids(4, 10) == []
    # stop
    assert ids(start=2, limit=10, stop=2) == [2]
    assert ids(start=1, limit=10, stop=2) == [1, 2]
    assert ids(start=1, limit=10, stop=2, inclusive_of_start=False) == [2]
    assert ids(start=3, limit=10, stop=2) == []
    # topics with limit count only matching rows
    assert ids(None, 1, topics=["topic3"]) == [3]


def test_max_notification_id(recorder: LedgerRecorder) -> None:
    assert recorder.max_notification_id() is None
    recorder.insert_events([se(uuid4(), 1) for _ in range(5)])
    assert recorder.max_notification_id() == 5
    with pytest.raises(IntegrityError):
        recorder.insert_events([se(uuid4(), 1), se(recorder.select_notifications(1, 1)[0].originator_id, 1)])
    assert recorder.max_notification_id() == 5


# -- tracking (TrackingRecorderTestCase, ProcessRecorderTestCase) -----------------------------------


def test_insert_tracking_and_max_tracking_id(recorder: LedgerRecorder) -> None:
    assert recorder.max_tracking_id("upstream1") is None
    recorder.insert_tracking(Tracking("upstream1", 21))
    recorder.insert_tracking(Tracking("upstream1", 22))
    recorder.insert_tracking(Tracking("upstream2", 21))
    assert recorder.max_tracking_id("upstream1") == 22
    assert recorder.max_tracking_id("upstream2") == 21
    assert recorder.max_tracking_id("upstream3") is None

    assert recorder.has_tracking_id("upstream1", None)
    assert recorder.has_tracking_id("upstream1", 20)
    assert recorder.has_tracking_id("upstream1", 22)
    assert not recorder.has_tracking_id("upstream1", 23)
    assert not recorder.has_tracking_id("upstream2", 22)
    assert not recorder.has_tracking_id("upstream3", 1)

    recorder.insert_tracking(Tracking("upstream1", 24))  # positions may skip (filtered topics)
    assert recorder.max_tracking_id("upstream1") == 24
    assert recorder.has_tracking_id("upstream1", 23)


def test_tracking_never_goes_back_or_repeats(recorder: LedgerRecorder) -> None:
    """eventsourcing's contract: recording the same or a lower position again is an IntegrityError.

    That refusal is what keeps a process from applying one notification twice.
    """
    recorder.insert_tracking(Tracking("upstream1", 21))
    recorder.insert_tracking(Tracking("upstream1", 22))
    with pytest.raises(IntegrityError):
        recorder.insert_tracking(Tracking("upstream1", 22))
    with pytest.raises(IntegrityError):
        recorder.insert_tracking(Tracking("upstream1", 21))
    assert recorder.max_tracking_id("upstream1") == 22
    with pytest.raises(IntegrityError):
        recorder.insert_events([], tracking=Tracking("upstream1", 1))
    assert recorder.max_tracking_id("upstream1") == 22


def test_insert_events_with_tracking_writes_both_or_neither(store: SQLStore, recorder: LedgerRecorder) -> None:
    a, b = uuid4(), uuid4()
    assert recorder.max_tracking_id("upstream_app") is None

    assert recorder.insert_events([se(a, 1), se(a, 2)], tracking=Tracking("upstream_app", 1)) == [1, 2]
    assert recorder.max_tracking_id("upstream_app") == 1

    # The events conflict: the new tracking position is not written either.
    with pytest.raises(IntegrityError):
        recorder.insert_events([se(b, 1), se(a, 2)], tracking=Tracking("upstream_app", 2))
    assert recorder.max_tracking_id("upstream_app") == 1
    assert recorder.select_events(b) == []

    # The tracking is refused (already processed): the events are not written either.
    with pytest.raises(IntegrityError):
        recorder.insert_events([se(b, 1)], tracking=Tracking("upstream_app", 1))
    assert recorder.select_events(b) == []
    assert _row_count(store) == 2

    assert recorder.insert_events([se(b, 1)], tracking=Tracking("upstream_app", 2)) == [3]
    assert recorder.max_tracking_id("upstream_app") == 2
    recorder.insert_events([se(b, 2)])  # without tracking: position unchanged
    assert recorder.max_tracking_id("upstream_app") == 2
    recorder.insert_events([], tracking=Tracking("upstream_app", 3))  # tracking alone
    assert recorder.max_tracking_id("upstream_app") == 3
    assert recorder.max_notification_id() == 4


# -- snapshots ------------------------------------------------------------------------------------


def test_snapshots_insert_and_select(snapshots: SnapshotRecorder, recorder: LedgerRecorder) -> None:
    a = uuid4()
    assert snapshots.select_events(a, desc=True, limit=1) == []
    s100, s200, s300 = se(a, 100, "Snap", b"s100"), se(a, 200, "Snap", b"s200"), se(a, 300, "Snap", b"s300")
    assert snapshots.insert_events([s100]) is None
    snapshots.insert_events([s200, s300])
    assert snapshots.select_events(a) == [s100, s200, s300]
    assert snapshots.select_events(a, desc=True, limit=1) == [s300]
    assert snapshots.select_events(a, lte=250, desc=True, limit=1) == [s200]
    assert snapshots.select_events(a, gt=100, lte=200) == [s200]
    assert snapshots.select_events(str(a), gt=300) == []
    assert snapshots.select_events(uuid4()) == []
    # Snapshots are not events: no stream rows, no positions used.
    assert recorder.select_events(a) == []
    assert recorder.max_notification_id() is None


def test_duplicate_snapshot_is_ignored(snapshots: SnapshotRecorder) -> None:
    a = uuid4()
    first = se(a, 100, "Snap", b"first")
    snapshots.insert_events([first])
    snapshots.insert_events([se(a, 100, "Snap", b"second")])  # another process took the same one
    assert snapshots.select_events(a) == [first]
    snapshots.insert_events([se(a, 200, "Snap", b"later")])  # and the recorder still works
    assert [s.state for s in snapshots.select_events(a)] == [b"first", b"later"]


# -- resolve_url ------------------------------------------------------------------------------------


def test_resolve_url_for_paths_and_urls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert resolve_url("ledger.sqlite3") == f"sqlite:///{tmp_path.resolve() / 'ledger.sqlite3'}"
    assert resolve_url(str(tmp_path / "x" / "y.db")) == f"sqlite:///{tmp_path / 'x' / 'y.db'}"
    assert resolve_url("sub/../z.db") == f"sqlite:///{tmp_path.resolve() / 'z.db'}"
    monkeypatch.setenv("HOME", str(tmp_path))
    assert resolve_url("~/h.db") == f"sqlite:///{tmp_path.resolve() / 'h.db'}"
    assert resolve_url("sqlite:////abs/path.db") == "sqlite:////abs/path.db"
    assert resolve_url("sqlite:///rel.db") == "sqlite:///rel.db"
    assert resolve_url("postgresql://u:p@h:5432/db") == "postgresql+psycopg://u:p@h:5432/db"
    assert resolve_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert resolve_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"


def test_the_configuration_uses_ledger_db_and_an_explicit_db_wins(tmp_path: Path) -> None:
    from ledger.adapters.config import Config

    env = {"LEDGER_DB": str(tmp_path / "env.db"), "LEDGER_USER": "anna.l"}
    assert Config.resolve(None, None, env).url == f"sqlite:///{tmp_path / 'env.db'}"
    assert Config.resolve(str(tmp_path / "arg.db"), None, env).url == f"sqlite:///{tmp_path / 'arg.db'}"
    assert Config.resolve(None, None, {**env, "LEDGER_DB": "postgresql://u@h/db"}).url == "postgresql+psycopg://u@h/db"
    default = Config.resolve(None, None, {"LEDGER_USER": "anna.l"}).url
    assert default.startswith("sqlite:///") and default.endswith("ledger.sqlite3")


# -- a store that cannot be used --------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _everything_said(error: BaseException) -> str:
    """The message, the repr and the whole chained traceback, as a person might see them."""
    return "\n".join([str(error), repr(error), *traceback.format_exception(error)])


def test_unreachable_postgresql_is_a_storage_error_without_the_password() -> None:
    password = "Hemligt-L0senord"
    url = resolve_url(f"postgresql://ledger:{password}@127.0.0.1:{_free_port()}/ledger")
    with pytest.raises(StorageError) as caught:
        SQLStore(url)
    assert caught.value.params == {"reason": "unreachable"}
    assert password not in _everything_said(caught.value)


def test_storage_error_through_the_application_for_an_unreachable_server() -> None:
    from tests.helpers import ledger_at

    password = "Hemligt-L0senord"
    with pytest.raises(StorageError) as caught:
        ledger_at(f"postgresql://ledger:{password}@127.0.0.1:{_free_port()}/ledger", "t")
    assert caught.value.params["reason"] == "unreachable"
    assert password not in _everything_said(caught.value)


def test_sqlite_under_a_regular_file_is_a_storage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    with pytest.raises(StorageError):
        SQLStore(resolve_url(str(blocker / "sub" / "ledger.sqlite3")))
    with pytest.raises(StorageError):
        SQLStore(resolve_url(str(blocker / "ledger.sqlite3")))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc, where no file can be created")
def test_sqlite_where_no_file_can_be_created_is_a_storage_error() -> None:
    for where in ("/proc/ledger.sqlite3", "/proc/no-such-dir/ledger.sqlite3"):
        with pytest.raises(StorageError):
            SQLStore(resolve_url(where))


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root may write anywhere")
def test_sqlite_in_a_read_only_directory_is_a_storage_error(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(StorageError):
            SQLStore(resolve_url(str(locked / "ledger.sqlite3")))
        with pytest.raises(StorageError):
            SQLStore(resolve_url(str(locked / "deeper" / "ledger.sqlite3")))
    finally:
        locked.chmod(0o700)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root may write anywhere")
def test_writing_to_a_read_only_sqlite_file_is_a_storage_error(tmp_path: Path) -> None:
    path = tmp_path / "ro" / "ledger.sqlite3"
    url = resolve_url(str(path))
    store = SQLStore(url)
    LedgerRecorder(store).insert_events([se(uuid4(), 1)])
    store.engine.dispose()
    for file in path.parent.iterdir():
        file.chmod(0o400)
    path.parent.chmod(0o500)
    try:
        store = SQLStore(url)
        with pytest.raises(StorageError):
            LedgerRecorder(store).insert_events([se(uuid4(), 1)])
        store.engine.dispose()
    except StorageError:
        pass  # refusing to open it at all is fine too
    finally:
        path.parent.chmod(0o700)
        for file in path.parent.iterdir():
            file.chmod(0o600)


def test_writing_to_a_read_only_sqlite_store_is_a_storage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A store opened read-only (SQLite URI ``mode=ro``, as for a copy on read-only media) can be read, not written."""
    path = tmp_path / "ledger.sqlite3"
    store = SQLStore(resolve_url(str(path)))
    a = uuid4()
    LedgerRecorder(store).insert_events([se(a, 1)])
    store.engine.dispose()

    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    read_only = SQLStore(f"sqlite:///file:{path}?mode=ro&uri=true")
    try:
        recorder = LedgerRecorder(read_only)
        assert recorder.select_events(a) == [se(a, 1)]
        with pytest.raises(StorageError) as caught:
            recorder.insert_events([se(a, 2)])
        assert caught.value.params == {"reason": "read_only"}
        assert recorder.max_notification_id() == 1
    finally:
        read_only.engine.dispose()
    assert list(cwd.iterdir()) == [], "a URI filename must not create directories in the working directory"

    with pytest.raises(StorageError):  # read-only and not there at all
        SQLStore(f"sqlite:///file:{tmp_path / 'missing.sqlite3'}?mode=ro&uri=true")


def test_an_older_stores_replaced_lookup_index_gives_way_to_its_replacement_when_opened(tmp_path: Path) -> None:
    """A store written by code before ``ledger_events_access_topics`` has ``ledger_events_case_access``
    (its condition ``topic IN`` four topics, which SQLite works out for every event stored): opened
    by someone who may write it, the store gets the new index and loses the old, and the case-access
    query takes the new one (it names it: it fails if the index cannot serve it)."""
    from ledger.adapters.access_log import SqlProtection
    from ledger.adapters.schema import SQLITE_LOOKUP_INDEXES

    url = f"sqlite:///{tmp_path / 'older.sqlite3'}"
    store = SQLStore(url)
    with store.write() as conn:  # as the code before left it
        conn.exec_driver_sql("DROP INDEX ledger_events_access_topics")
        conn.exec_driver_sql(
            "CREATE INDEX ledger_events_case_access ON ledger_events (originator_id, originator_version) "
            "WHERE topic IN ('ledger.events:CaseActualised', 'ledger.events:CaseAssigned', "
            "'ledger.events:CaseAccessGranted', 'ledger.events:EntryCorrected')")
    store.engine.dispose()

    opened = SQLStore(url)
    with opened.read() as conn:
        names = {row[0] for row in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert set(SQLITE_LOOKUP_INDEXES) <= names and "ledger_events_case_access" not in names
    assert opened.lookup_indexes
    assert SqlProtection(opened).access_events(["AVH-2026-0001"]) == {"AVH-2026-0001": []}


def test_no_lookup_index_lists_more_than_two_values_after_in() -> None:
    """SQLite works a partial index's condition out for every row stored, and ``IN`` with more than two
    values builds a table of them each time (a fifth of a bulk append's time with one such index):
    over two values, the condition is written as comparisons joined by ``OR``."""
    import re

    from ledger.adapters.schema import SQLITE_LOOKUP_INDEXES

    for name, ddl in SQLITE_LOOKUP_INDEXES.items():
        for listed in re.findall(r"\bIN \(([^)]*)\)", ddl.partition(" WHERE ")[2]):
            assert listed.count(",") < 2, name


def test_a_read_only_opener_uses_the_lookup_indexes_there_though_a_replaced_one_is_left(tmp_path: Path) -> None:
    """Opened read-only, a store that has the lookup indexes and still a replaced one (older code wrote
    to it after newer code) cannot drop it, but reads through the indexes that are there."""
    from ledger.adapters.access_log import SqlProtection

    path = tmp_path / "both.sqlite3"
    store = SQLStore(f"sqlite:///{path}")
    with store.write() as conn:
        conn.exec_driver_sql(
            "CREATE INDEX ledger_events_case_access ON ledger_events (originator_id, originator_version) "
            "WHERE topic IN ('ledger.events:CaseActualised', 'ledger.events:CaseAssigned', "
            "'ledger.events:CaseAccessGranted', 'ledger.events:EntryCorrected')")
    store.engine.dispose()
    read_only = SQLStore(f"sqlite:///file:{path}?mode=ro&uri=true")
    assert read_only.lookup_indexes
    with read_only.read() as conn:
        names = {row[0] for row in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"ledger_events_access_topics", "ledger_events_case_access"} <= names
    assert SqlProtection(read_only).access_events(["AVH-2026-0001"]) == {"AVH-2026-0001": []}


def test_the_case_access_index_holds_the_topics_of_the_events_that_decide_who_may_see_a_case() -> None:
    from ledger.adapters.schema import CASE_ACCESS_TOPICS
    from ledger.domain import events as ev

    deciding = (ev.CaseActualised, ev.CaseAssigned, ev.CaseAccessGranted, ev.EntryCorrected)
    assert tuple(ev.topic_of(e) for e in deciding) == CASE_ACCESS_TOPICS
