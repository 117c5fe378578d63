"""The hash chain on SQLite and PostgreSQL: every alteration made straight in the database is found, at its position.

Each tampering test writes 40 chained events through the recorder, changes the database with
plain SQL on its own connection (as someone with database access would: ``sqlite3`` or
``psycopg``, not the ledger), and checks that :func:`ledger.chain.verify_store` names the kind of
problem and the exact position. Also: the chain is written in the event's transaction, stores
made before the chain are chained once when opened, concurrent writers keep one valid chain,
archives round-trip with identical hashes, and (hypothesis) any changed byte of any field of
any entry is found.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4, uuid5

import pytest
from eventsourcing.persistence import StoredEvent
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ledger.adapters.archive import export_archive, import_archive, verify_archive
from ledger.adapters.chain import (
    GENESIS,
    Digest,
    Head,
    link,
    link_hex,
    link_reference,
    payload_hash,
    recorded_at,
)
from ledger.adapters.config import resolve_url
from ledger.adapters.recorder import LedgerRecorder
from ledger.adapters.store import SQLStore
from ledger.adapters.verification import Verifier, verify_store
from ledger.domain.case import CASE_STATE_TOPIC
from ledger.domain.errors import ArchiveInvalid, ChainBroken, StorageError, StoreNotEmpty
from tests.helpers import store_head

N = 40
STREAMS = [uuid5(UUID(int=7), f"case:{i}") for i in range(5)]


def payload(n: int, note: str = "anteckning") -> bytes:
    """A stored payload shaped like the ledger's: canonical JSON, personal part apart, recorded_at in "s"."""
    state = {"p": {"note": f"{note} {n}"}, "s": {"n": n, "recorded_at": f"2026-03-01T10:{n // 60:02d}:{n % 60:02d}.5Z",
                                               "recorded_by": "tester"}}
    return json.dumps(state, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def events(first: int, count: int) -> list[StoredEvent]:
    """Events ``first``..``first+count-1`` spread over five streams, versions counting per stream."""
    out = []
    for n in range(first, first + count):
        stream = STREAMS[(n - 1) % 5]
        out.append(StoredEvent(stream, (n - 1) // 5 + 1, f"ledger.events:Event{n % 3}", payload(n)))
    return out


def filled(url: str) -> SQLStore:
    """A store holding positions 1..40, written in three transactions."""
    s = SQLStore.for_url(resolve_url(url))
    recorder = LedgerRecorder(s)
    for first, count in ((1, 1), (2, 9), (11, 30)):
        assert recorder.insert_events(events(first, count)) == list(range(first, first + count))
    return s


@pytest.fixture
def store(db_url: str) -> SQLStore:
    return filled(db_url)


class Raw:
    """The database behind the ledger's back: plain SQL on its own connection, committed at once."""

    def __init__(self, url: str) -> None:
        self.sqlite = url.startswith("sqlite")
        self.mapper: Any = None  # the ledger's, to open a sealed snapshot
        if self.sqlite:
            import sqlite3

            self.conn: Any = sqlite3.connect(url.split("///", 1)[1], isolation_level=None)
        else:
            import psycopg

            self.conn = psycopg.connect(url, autocommit=True)

    def __call__(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        if not self.sqlite:
            sql = sql.replace("?", "%s")
        cursor = self.conn.execute(sql, params)
        return list(cursor.fetchall()) if cursor.description else []

    def stream(self, value: UUID) -> Any:
        """A stream id as the column holds it."""
        return value.hex if self.sqlite else value

    def state(self, position: int) -> bytes:
        return bytes(self("SELECT state FROM ledger_events WHERE id = ?", position)[0][0])

    def entry(self, position: int) -> tuple[str, str, str]:
        row = self("SELECT recorded_at, payload_hash, hash FROM ledger_chain WHERE position = ?", position)[0]
        return row[0], row[1], row[2]


@pytest.fixture
def raw(db_url: str, store: SQLStore) -> Iterator[Raw]:
    connection = Raw(db_url)
    yield connection
    connection.conn.close()


def flip(text: str) -> str:
    """One character changed (hex stays hex)."""
    return ("1" if text[0] == "0" else "0") + text[1:]


def of(*heads: Head) -> list[Digest]:
    """Digests of the events' heads only (as a digest written before the access log was chained)."""
    return [Digest(head) for head in heads]


def verify(store: SQLStore, *digests: Head, window: int = 10_000) -> tuple[str, int] | None:
    report = verify_store(store, of(*digests), window=window)
    return (report.problem.kind, report.problem.position) if report.problem else None


# -- the chain as written ------------------------------------------------------------------------------


def test_every_event_is_chained_in_its_transaction_and_the_chain_verifies(store: SQLStore, raw: Raw) -> None:
    assert raw("SELECT COUNT(*) FROM ledger_chain")[0][0] == N
    previous = GENESIS
    for position in range(1, N + 1):
        when, digest, stored = raw.entry(position)
        event = events(position, 1)[0]
        assert digest == payload_hash(raw.state(position)) == payload_hash(event.state)
        assert when == json.loads(event.state)["s"]["recorded_at"]
        assert stored == link_reference(previous, position, str(event.originator_id), event.originator_version,
                                        event.topic, when, digest)
        previous = stored
    report = verify_store(store)
    assert report.ok and report.events == N and report.head == Head(N, previous)
    assert store_head(store) == Head(N, previous)


def test_a_rolled_back_batch_leaves_neither_events_nor_chain_entries(store: SQLStore, raw: Raw) -> None:
    from eventsourcing.persistence import IntegrityError

    clash = [*events(41, 3), StoredEvent(STREAMS[0], 1, "ledger.events:Event0", payload(99))]  # version 1 exists
    with pytest.raises(IntegrityError):
        LedgerRecorder(store).insert_events(clash)
    assert raw("SELECT COUNT(*) FROM ledger_events")[0][0] == N
    assert raw("SELECT COUNT(*) FROM ledger_chain")[0][0] == N
    assert verify(store) is None
    assert LedgerRecorder(store).insert_events(events(41, 2)) == [41, 42]
    assert verify(store) is None


def test_the_empty_store_verifies_and_its_head_is_the_genesis(db_url: str) -> None:
    empty = SQLStore.for_url(resolve_url(db_url))
    report = verify_store(empty, of(Head(0, GENESIS)))
    assert report.ok and report.events == 0 and report.head == Head(0, GENESIS)
    assert store_head(empty) == Head(0, GENESIS)


# -- tampering: alter a stored byte ----------------------------------------------------------------------


@pytest.mark.parametrize("position", [1, 17, N])
def test_a_changed_byte_of_a_payload_is_found_at_its_position(store: SQLStore, raw: Raw, position: int) -> None:
    state = bytearray(raw.state(position))
    i = state.index(b"anteckning") + 3
    state[i] ^= 0x01  # one bit of one byte of the personal part
    raw("UPDATE ledger_events SET state = ? WHERE id = ?", bytes(state), position)
    assert verify(store) == ("payload_altered", position)


@pytest.mark.parametrize("column", ["hash", "payload_hash", "recorded_at"])
def test_a_changed_byte_of_a_chain_entry_is_found_at_its_position(store: SQLStore, raw: Raw, column: str) -> None:
    when, digest, stored = raw.entry(17)
    value = {"hash": stored, "payload_hash": digest, "recorded_at": when}[column]
    changed = value.replace("10:00:17", "10:00:18") if column == "recorded_at" else flip(value)
    assert changed != value
    raw(f"UPDATE ledger_chain SET {column} = ? WHERE position = ?", changed, 17)
    assert verify(store) == ("link_altered", 17)


@pytest.mark.parametrize("column", ["topic", "originator_version", "originator_id"])
def test_a_changed_event_column_is_found_at_its_position(store: SQLStore, raw: Raw, column: str) -> None:
    value: Any = {
        "topic": "ledger.events:Event9",
        "originator_version": 999,
        "originator_id": raw.stream(uuid4()),
    }[column]
    raw(f"UPDATE ledger_events SET {column} = ? WHERE id = ?", value, 17)
    assert verify(store) == ("link_altered", 17)


def test_a_stream_id_that_is_no_longer_a_uuid_is_reported_not_a_crash(sqlite_url: str) -> None:
    """SQLite only: PostgreSQL's uuid column cannot hold anything but a UUID."""
    store = filled(sqlite_url)
    raw = Raw(sqlite_url)
    raw("UPDATE ledger_events SET originator_id = ? WHERE id = ?", "not-a-uuid", 23)
    raw("UPDATE ledger_events SET state = CAST(state AS TEXT) WHERE id = ?", 5)  # same bytes, other type: unchanged
    assert verify(store) == ("link_altered", 23)
    raw.conn.close()


# -- tampering: delete a row -----------------------------------------------------------------------------


@pytest.mark.parametrize(("table", "kind"), [("events", "event_missing"), ("chain", "chain_missing"),
                                             ("both", "event_missing")])
@pytest.mark.parametrize("position", [1, 17])
def test_a_deleted_row_is_found_at_its_position(store: SQLStore, raw: Raw, table: str, kind: str, position: int) -> None:
    if table in ("events", "both"):
        raw("DELETE FROM ledger_events WHERE id = ?", position)
    if table in ("chain", "both"):
        raw("DELETE FROM ledger_chain WHERE position = ?", position)
    assert verify(store) == (kind, position)


# -- tampering: reorder rows -----------------------------------------------------------------------------


def _swap(raw: Raw, table: str, key: str, a: int, b: int) -> None:
    raw(f"UPDATE {table} SET {key} = ? WHERE {key} = ?", -1000, a)
    raw(f"UPDATE {table} SET {key} = ? WHERE {key} = ?", a, b)
    raw(f"UPDATE {table} SET {key} = ? WHERE {key} = ?", b, -1000)


def test_two_events_that_swapped_positions_are_found_as_out_of_order(store: SQLStore, raw: Raw) -> None:
    _swap(raw, "ledger_events", "id", 17, 18)
    report = verify_store(store)
    assert report.problem is not None
    assert (report.problem.kind, report.problem.position, report.problem.detail) == ("out_of_order", 17,
                                                                                    {"chained_at": 18})


def test_two_chain_entries_that_swapped_positions_are_found(store: SQLStore, raw: Raw) -> None:
    _swap(raw, "ledger_chain", "position", 30, 33)
    assert verify(store) == ("out_of_order", 30)


def test_payloads_moved_between_rows_are_found_as_out_of_order(store: SQLStore, raw: Raw) -> None:
    a, b = raw.state(8), raw.state(12)
    raw("UPDATE ledger_events SET state = ? WHERE id = ?", b, 8)
    raw("UPDATE ledger_events SET state = ? WHERE id = ?", a, 12)
    assert verify(store) == ("out_of_order", 8)


def test_a_move_across_a_window_boundary_is_still_located(store: SQLStore, raw: Raw) -> None:
    _swap(raw, "ledger_events", "id", 14, 15)  # windows of 7: 1-7, 8-14, 15-21
    assert verify(store, window=7) == ("out_of_order", 14)
    assert verify(store, window=10_000) == ("out_of_order", 14)


def test_rows_physically_rewritten_in_another_order_change_nothing(store: SQLStore, raw: Raw) -> None:
    """Row order on disk is not an alteration: only positions are. (Rewrite the table backwards.)"""
    rows = raw("SELECT id, originator_id, originator_version, topic, state FROM ledger_events ORDER BY id DESC")
    raw("DELETE FROM ledger_events")
    for row in rows:
        raw("INSERT INTO ledger_events (id, originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?, ?)",
            *row)
    assert verify(store) is None


# -- tampering: truncate the tail -------------------------------------------------------------------------


def test_a_truncated_tail_is_found_against_a_digest_taken_before(store: SQLStore, raw: Raw) -> None:
    digest = store_head(store)
    raw("DELETE FROM ledger_events WHERE id > ?", 30)
    raw("DELETE FROM ledger_chain WHERE position > ?", 30)
    # Consistently cut, the chain alone still holds together: only a digest kept outside shows the loss.
    assert verify(store) is None
    report = verify_store(store, of(digest))
    assert report.problem is not None
    assert (report.problem.kind, report.problem.position) == ("truncated", 31)
    assert report.problem.detail == {"digest_position": N}


@pytest.mark.parametrize(("table", "kind"), [("ledger_events", "event_missing"), ("ledger_chain", "chain_missing")])
def test_a_tail_cut_from_one_table_is_found_without_a_digest(store: SQLStore, raw: Raw, table: str, kind: str) -> None:
    key = "id" if table == "ledger_events" else "position"
    raw(f"DELETE FROM {table} WHERE {key} > ?", 36)
    assert verify(store) == (kind, 37)


def test_a_truncated_tail_with_new_events_after_it_does_not_extend_the_digest(store: SQLStore, raw: Raw) -> None:
    digest = store_head(store)
    raw("DELETE FROM ledger_events WHERE id > ?", 30)
    raw("DELETE FROM ledger_chain WHERE position > ?", 30)
    LedgerRecorder(store).insert_events([StoredEvent(uuid4(), 1, "ledger.events:Event0", payload(100 + n))
                                         for n in range(15)])
    assert verify(store) is None
    assert verify(store, digest) == ("digest_mismatch", N)


# -- a rewritten history, hashes recomputed -----------------------------------------------------------------


def _rewrite_from(raw: Raw, position: int) -> None:
    """Alter the payload at ``position`` and recompute every link after it, as a knowing attacker would."""
    state = raw.state(position).replace(b"anteckning", b"ANTECKNING")
    raw("UPDATE ledger_events SET state = ? WHERE id = ?", state, position)
    previous = raw.entry(position - 1)[2] if position > 1 else GENESIS
    rows = raw("SELECT id, originator_id, originator_version, topic, state FROM ledger_events WHERE id >= ? "
               "ORDER BY id", position)
    for p, stream, version, topic, st_ in rows:
        st_ = bytes(st_)
        text = str(UUID(hex=stream)) if isinstance(stream, str) else str(stream)
        previous = link(previous, p, text, version, topic, recorded_at(st_), payload_hash(st_))
        raw("UPDATE ledger_chain SET payload_hash = ?, hash = ? WHERE position = ?", payload_hash(st_), previous, p)


def test_a_rewritten_history_is_found_against_digests_and_narrowed_down(store: SQLStore, raw: Raw) -> None:
    early = Head(10, raw.entry(10)[2])
    late = store_head(store)
    _rewrite_from(raw, 17)
    assert verify(store) is None  # the chain is consistent again: this is what digests are for
    report = verify_store(store, of(early, late))
    assert report.problem is not None
    assert (report.problem.kind, report.problem.position) == ("digest_mismatch", N)
    assert report.problem.detail == {"last_matching_digest": 10}
    assert [d["extended"] for d in report.digests] == [True, False]


def test_intruding_rows_are_found(store: SQLStore, raw: Raw) -> None:
    raw("INSERT INTO ledger_events (id, originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?, ?)",
        N + 1, raw.stream(uuid4()), 1, "ledger.events:Event0", payload(41))
    assert verify(store) == ("chain_missing", N + 1)
    raw("INSERT INTO ledger_chain (position, recorded_at, payload_hash, hash) VALUES (?, ?, ?, ?)",
        0, "x", "0" * 64, "0" * 64)
    assert verify(store) == ("unexpected_entry", 0)


# -- writing on top of a broken tail --------------------------------------------------------------------------


@pytest.mark.parametrize(("table", "position", "kind"), [("ledger_chain", N, "chain_missing"),
                                                         ("ledger_events", N, "event_missing")])
def test_appending_to_a_chain_whose_end_is_broken_is_refused(store: SQLStore, raw: Raw, table: str, position: int,
                                                             kind: str) -> None:
    key = "id" if table == "ledger_events" else "position"
    raw(f"DELETE FROM {table} WHERE {key} = ?", position)
    with pytest.raises(ChainBroken) as caught:
        LedgerRecorder(store).insert_events(events(41, 1))
    assert caught.value.params == {"position": position, "reason": kind}
    assert raw("SELECT COUNT(*) FROM ledger_events WHERE id > ?", N)[0][0] == 0


# -- concurrent writers keep one chain --------------------------------------------------------------------------


def test_concurrent_writers_on_separate_engines_keep_one_valid_chain(db_url: str) -> None:
    url = resolve_url(db_url)
    SQLStore.for_url(url)  # tables exist before the writers start
    stores = [SQLStore(url) for _ in range(4)]
    barrier = threading.Barrier(len(stores))
    failures: list[BaseException] = []

    def write(s: SQLStore) -> None:
        try:
            barrier.wait()
            recorder = LedgerRecorder(s)
            for n in range(15):
                recorder.insert_events([StoredEvent(uuid4(), 1, "ledger.events:Event0", payload(n)),
                                        StoredEvent(uuid4(), 1, "ledger.events:Event1", payload(n + 100))])
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)

    threads = [threading.Thread(target=write, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for s in stores:
        s.engine.dispose()
    assert failures == []
    report = verify_store(SQLStore.for_url(url))
    assert report.ok and report.events == 4 * 15 * 2


# -- stores made before the chain -------------------------------------------------------------------------------


def _unchain(raw: Raw) -> None:
    """Make the store look like one written before the chain existed."""
    raw("DROP TABLE ledger_chain")
    raw("DELETE FROM ledger_meta WHERE key = ?", "chain_version")


def test_a_store_made_before_the_chain_is_chained_once_when_opened(db_url: str, store: SQLStore, raw: Raw) -> None:
    before = raw("SELECT position, recorded_at, payload_hash, hash FROM ledger_chain ORDER BY position")
    _unchain(raw)
    SQLStore.dispose_all()
    reopened = SQLStore.for_url(resolve_url(db_url))
    # The backfilled chain is the chain the appends would have written: same hashes.
    assert raw("SELECT position, recorded_at, payload_hash, hash FROM ledger_chain ORDER BY position") == before
    report = verify_store(reopened)
    assert report.ok and report.events == N
    assert report.backfill is not None and (report.backfill["from"], report.backfill["through"]) == (1, N)
    # Once: a chain entry removed afterwards is tampering, not something to fill in on the next open.
    raw("DELETE FROM ledger_chain WHERE position = ?", 12)
    SQLStore.dispose_all()
    assert verify(SQLStore.for_url(resolve_url(db_url))) == ("chain_missing", 12)


def test_processes_opening_an_unchained_store_together_chain_it_once(db_url: str, store: SQLStore, raw: Raw) -> None:
    _unchain(raw)
    SQLStore.dispose_all()
    url = resolve_url(db_url)
    barrier = threading.Barrier(3)
    opened: list[SQLStore] = []
    failures: list[BaseException] = []

    def open_store() -> None:
        try:
            barrier.wait()
            opened.append(SQLStore(url))
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)

    threads = [threading.Thread(target=open_store) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for s in opened:
        s.engine.dispose()
    assert failures == []
    assert raw("SELECT COUNT(*) FROM ledger_chain")[0][0] == N
    assert verify(SQLStore.for_url(url)) is None


def test_a_chain_of_an_unknown_format_is_refused(db_url: str, store: SQLStore, raw: Raw) -> None:
    raw("UPDATE ledger_meta SET value = ? WHERE key = ?", "99", "chain_version")
    SQLStore.dispose_all()
    with pytest.raises(StorageError) as caught:
        SQLStore(resolve_url(db_url))
    assert caught.value.params == {"reason": "chain_format"}


def test_a_read_only_copy_of_an_unchained_store_can_still_be_read(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    s = SQLStore(resolve_url(str(path)))
    LedgerRecorder(s).insert_events(events(1, 5))
    s.engine.dispose()
    r = Raw(f"sqlite:///{path}")
    _unchain(r)
    r.conn.close()
    read_only = SQLStore(f"sqlite:///file:{path}?mode=ro&uri=true")
    try:
        assert LedgerRecorder(read_only).max_notification_id() == 5
    finally:
        read_only.engine.dispose()


# -- snapshots: derived, not chained, verified by folding the events again ------------------------------------


def _long_case(app: Any) -> str:
    """A case whose consent to the police was granted and revoked, then 100 contacts: a snapshot at version 100."""
    from tests.conftest import TEST_PNR

    case = app.open_case(TEST_PNR[30], gender="woman", environment="criminal", source="police", on="2026-01-05")
    app.grant_consent(case, "police", purpose="samverkan", on="2026-01-06")
    app.revoke_consent(case, "police", on="2026-01-20")
    from tests.helpers import batch_at

    with batch_at(app.factory.store.url, app.user) as batch:
        for _ in range(100):
            batch.record_contact(case, "phone", on="2026-02-01")
    return case


def _snapshot(db: Raw, stream: UUID, version: int = 100) -> bytes:
    """The stored snapshot, its personal part opened (``{"p": …, "s": …}``, as a forger with the key file
    would write it back: the mapper reads a part in the clear as well)."""
    stored = bytes(db("SELECT state FROM ledger_snapshots WHERE originator_id = ? AND originator_version = ?",
                      db.stream(stream), version)[0][0])
    parts = json.loads(stored)
    if "e" in parts:
        parts = {"p": db.mapper.personal_part(parts, stream, version), "s": parts["s"]}
    return json.dumps(parts, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _position(db: Raw, stream: UUID, version: int) -> int:
    return int(db("SELECT id FROM ledger_events WHERE originator_id = ? AND originator_version = ?",
                  db.stream(stream), version)[0][0])


@pytest.fixture
def long_case(db_url: str) -> Iterator[tuple[Any, str, Raw]]:
    from tests.helpers import ledger_at

    app = ledger_at(db_url, "tester")
    case = _long_case(app)
    db = Raw(db_url)
    db.mapper = app.mapper
    yield app, case, db
    db.conn.close()


def test_an_altered_snapshot_is_found_though_every_event_and_link_holds(long_case: tuple[Any, str, Raw]) -> None:
    from ledger.adapters.verification import Problem
    from ledger.domain.aggregates import case_id
    from ledger.domain.errors import ConsentNotActive

    app, case, db = long_case
    stream = case_id(case)
    assert [r[0] for r in db("SELECT originator_version FROM ledger_snapshots")] == [100]
    assert verify_store(app.factory.store, mapper=app.mapper).ok
    with pytest.raises(ConsentNotActive):
        app.record_share(case, "police", what="hotbild", on="2026-03-01")
    state = _snapshot(db, stream)
    assert b'"revoked_on":"2026-01-20"' in state
    db("UPDATE ledger_snapshots SET state = ?", state.replace(b'"revoked_on":"2026-01-20"', b'"revoked_on":null'))
    assert app.get_case(case).consents["police"][-1].revoked_on is None  # the write side decides from the snapshot
    report = verify_store(app.factory.store, mapper=app.mapper)
    assert report.problem == Problem("snapshot_altered", _position(db, stream, 100),
                                     {"stream": str(stream), "version": 100, "case": case})
    assert report.events == report.head.position == db("SELECT COUNT(*) FROM ledger_events")[0][0]
    assert report.as_dict()["problem"] == {"kind": "snapshot_altered", "position": _position(db, stream, 100),
                                           "stream": str(stream), "version": 100, "case": case}
    # Snapshots are derived: deleting them all is always safe, and the rules see the events again.
    db("DELETE FROM ledger_snapshots")
    assert verify_store(app.factory.store, mapper=app.mapper).ok
    assert app.get_case(case).consents["police"][-1].revoked_on is not None
    with pytest.raises(ConsentNotActive):
        app.record_share(case, "police", what="hotbild", on="2026-03-01")


def _other_stream(db: Raw, _stream: UUID) -> None:
    row = db("SELECT topic, state FROM ledger_snapshots")[0]
    db("INSERT INTO ledger_snapshots (originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?)",
       db.stream(uuid4()), 100, row[0], row[1])


@pytest.mark.parametrize(("tamper", "version", "named"), [
    (lambda db, s: db("UPDATE ledger_snapshots SET state = ?", _snapshot(db, s).replace(b'"contacts":97',
                                                                                         b'"contacts":98')), 100, True),
    (lambda db, s: db("UPDATE ledger_snapshots SET originator_version = ?", 101), 101, True),
    (lambda db, s: db("UPDATE ledger_snapshots SET originator_version = ?", 500), 500, True),
    (lambda db, s: db("UPDATE ledger_snapshots SET topic = ?", "ledger.events:CaseActualised"), 100, True),
    (lambda db, s: db("UPDATE ledger_snapshots SET state = ?", b"{"), 100, True),
    (lambda db, s: db("UPDATE ledger_snapshots SET state = ?", _snapshot(db, s).replace(
        f'"topic":"{CASE_STATE_TOPIC}"'.encode(), b'"topic":"ledger.aggregates:ProviderState"')), 100, True),
    (lambda db, s: db("UPDATE ledger_snapshots SET state = ?", _snapshot(db, s).replace(
        b'"recorded_at":"', b'"extra":1,"recorded_at":"')), 100, True),
    (_other_stream, 100, False),
], ids=["state", "version_101", "version_beyond", "topic", "not_json", "aggregate", "extra_field", "other_stream"])
def test_every_way_of_altering_a_snapshot_is_found(long_case: tuple[Any, str, Raw],
                                                   tamper: Callable[[Raw, UUID], Any], version: int,
                                                   named: bool) -> None:
    from ledger.domain.aggregates import case_id

    app, case, db = long_case
    tamper(db, case_id(case))
    report = verify_store(app.factory.store, mapper=app.mapper)
    assert report.problem is not None and report.problem.kind == "snapshot_altered"
    assert report.problem.detail["version"] == version
    assert (report.problem.detail.get("case") == case) is named
    if not named:
        assert report.problem.position == 0 and report.problem.detail["stream"] != str(case_id(case))


def test_snapshots_with_corrections_before_and_after_them_verify(db_url: str) -> None:
    from ledger.domain.aggregates import case_id
    from ledger.domain.case_fold import project_case
    from ledger.domain.corrections import apply_corrections
    from tests.helpers import ledger_at

    app = ledger_at(db_url, "tester")
    case = _long_case(app)
    app.correct_entry(case, 2, reason="fel giltighet", changes={"valid_until": "2026-12-31"})  # entry 104
    for _ in range(96):  # one at a time: a batch does not fold corrections
        app.record_contact(case, "meeting", on="2026-03-01")
    app.correct_entry(case, 150, reason="fel kanal", changes={"channel": "phone"})  # entry 201
    db = Raw(db_url)
    db.mapper = app.mapper
    try:
        assert [r[0] for r in db("SELECT originator_version FROM ledger_snapshots ORDER BY 1")] == [100, 200]
        assert verify_store(app.factory.store, mapper=app.mapper).ok  # a snapshot is the plain fold: corrections are applied on loading
        # A snapshot of the corrected fold would be as true (a case with corrections is refolded anyway).
        stream = case_id(case)
        corrected = project_case(None, apply_corrections(app.events.get(stream, lte=200)))
        assert corrected is not None and corrected.consents["police"][-1].valid_until is not None
        state = json.loads(_snapshot(db, stream, 200))
        assert state["p"]["state"] != corrected.model_dump(mode="json")
        state["p"]["state"] = corrected.model_dump(mode="json")
        db("UPDATE ledger_snapshots SET state = ? WHERE originator_version = ?",
           json.dumps(state, sort_keys=True, separators=(",", ":")).encode(), 200)
        assert verify_store(app.factory.store, mapper=app.mapper).ok
        state["p"]["state"]["contacts"] += 1
        db("UPDATE ledger_snapshots SET state = ? WHERE originator_version = ?",
           json.dumps(state, sort_keys=True, separators=(",", ":")).encode(), 200)
        report = verify_store(app.factory.store, mapper=app.mapper)
        assert report.problem is not None and report.problem.detail["version"] == 200
    finally:
        db.conn.close()


def test_a_batchs_snapshots_are_the_plain_fold_whether_or_not_the_case_was_corrected(db_url: str) -> None:
    """A batch keeps the state a snapshot is taken of as it folds the case, instead of reading the case
    back; the snapshot is still the plain fold of the stored events, also of a case whose corrected
    history the batch folded (that one is read back)."""
    from ledger.domain.aggregates import case_id
    from ledger.domain.case_fold import project_case
    from ledger.domain.corrections import apply_corrections
    from tests.conftest import TEST_PNR
    from tests.helpers import batch_at, ledger_at

    app = ledger_at(db_url, "tester")
    corrected, plain = (app.open_case(TEST_PNR[n], gender="man", environment="criminal", source="police",
                                      on="2026-01-05") for n in (31, 32))
    for case in (corrected, plain):
        app.grant_consent(case, "police", purpose="samverkan", on="2026-01-06")
    app.correct_entry(corrected, 2, reason="fel giltighet", changes={"valid_until": "2026-12-31"})
    with batch_at(app.factory.store.url, app.user) as batch:
        for _ in range(205):
            for case in (corrected, plain):
                batch.record_contact(case, "phone", on="2026-02-01")
    db = Raw(db_url)
    db.mapper = app.mapper
    try:
        stored = {}
        for case in (corrected, plain):
            stream = case_id(case)
            for version in (100, 200):
                stored[case, version] = json.loads(_snapshot(db, stream, version))["p"]["state"]
                fold = project_case(None, app.events.get(stream, lte=version))
                assert fold is not None and stored[case, version] == fold.model_dump(mode="json")
        refolded = project_case(None, apply_corrections(app.events.get(case_id(corrected), lte=200)))
        assert refolded is not None and refolded.model_dump(mode="json") != stored[corrected, 200]  # it shows
        assert verify_store(app.factory.store, mapper=app.mapper).ok
    finally:
        db.conn.close()


def test_a_snapshot_of_another_aggregate_is_folded_with_its_own_projector(db_url: str) -> None:
    from ledger.domain.aggregates import project_provider, provider_id
    from tests.helpers import ledger_at

    app = ledger_at(db_url, "tester")
    app.add_provider("SKYDD1", name="Skyddat boende Nord AB", on="2026-01-02")
    stream = provider_id("SKYDD1")
    app.take_snapshot(stream, projector_func=project_provider)
    assert verify_store(app.factory.store, mapper=app.mapper).ok
    db = Raw(db_url)
    db.mapper = app.mapper
    try:
        state = _snapshot(db, stream, 1)
        db("UPDATE ledger_snapshots SET state = ?", state.replace(b"Nord AB", b"Syd AB"))
        report = verify_store(app.factory.store, mapper=app.mapper)
        assert report.problem is not None
        assert (report.problem.kind, report.problem.position) == ("snapshot_altered", _position(db, stream, 1))
        assert report.problem.detail == {"stream": str(stream), "version": 1}
    finally:
        db.conn.close()


def test_the_chain_is_reported_before_any_snapshot(long_case: tuple[Any, str, Raw]) -> None:
    app, _, db = long_case
    db("UPDATE ledger_snapshots SET state = ?", b"{")
    db("DELETE FROM ledger_chain WHERE position = ?", 3)
    report = verify_store(app.factory.store, mapper=app.mapper)
    assert report.problem is not None and (report.problem.kind, report.problem.position) == ("chain_missing", 3)


# -- archives -------------------------------------------------------------------------------------------------------
# The events above are synthetic (topics and payloads the application has no classes for), so these tests
# check the chain of an archive alone (``check_payloads=False``); the payload check is tested further down
# with the application's own events.


@contextmanager
def other_store(db_url: str, tmp_path: Path) -> Iterator[SQLStore]:
    """A second, empty store on the same backend as ``db_url``."""
    if db_url.startswith("sqlite"):
        yield SQLStore.for_url(resolve_url(str(tmp_path / "imported.sqlite3")))
        return
    from tests.conftest import _drop_pg_database, _fresh_pg_database

    url = _fresh_pg_database()
    try:
        yield SQLStore.for_url(resolve_url(url))
    finally:
        _drop_pg_database(url)


def _chain_rows(s: SQLStore) -> list[tuple[Any, ...]]:
    with s.read() as conn:
        rows = conn.exec_driver_sql("SELECT position, recorded_at, payload_hash, hash FROM ledger_chain "
                                    "ORDER BY position").fetchall()
    return [tuple(r) for r in rows]


def _events(s: SQLStore) -> list[tuple[Any, ...]]:
    return [(n.id, n.originator_id, n.originator_version, n.topic, n.state)
            for n in LedgerRecorder(s).select_notifications(1, 10_000)]


def test_export_then_import_reproduces_identical_events_hashes_and_meta(db_url: str, store: SQLStore,
                                                                        tmp_path: Path) -> None:
    store.setting("person_namespace", default=str(uuid4()))
    archive = tmp_path / "arkiv.jsonl"
    summary = export_archive(store, archive)
    assert summary["events"] == N and summary["head"] == {"position": N, "hash": store_head(store).hash}
    assert not (tmp_path / "arkiv.jsonl.part").exists()
    assert verify_archive(archive, check_payloads=False).ok
    with other_store(db_url, tmp_path) as target:
        assert import_archive(target, archive, check_payloads=False)["head"] == summary["head"]
        assert _chain_rows(target) == _chain_rows(store)
        assert _events(target) == _events(store)
        assert store_head(target) == store_head(store)
        assert target.setting("person_namespace") == store.setting("person_namespace")
        assert verify_store(target).ok
        # The imported store goes on chaining where the original would have.
        LedgerRecorder(target).insert_events(events(41, 3))
        LedgerRecorder(store).insert_events(events(41, 3))
        assert store_head(target) == store_head(store)


def test_an_archive_round_trips_payloads_byte_for_byte(db_url: str, tmp_path: Path) -> None:
    s = SQLStore.for_url(resolve_url(db_url))
    odd = [
        payload(1, note='citat " och \\ bakstreck, radbrytning\n, tab\t, å ä ö, emoji \U0001f600, \u2028'),
        b'{"p":{},"s":{"recorded_at":"2026-01-01T00:00:00Z"}}',
        b"not json at all",
        bytes(range(256)),  # not UTF-8: carried as base64
    ]
    LedgerRecorder(s).insert_events([StoredEvent(uuid4(), 1, "ledger.events:Event0", state) for state in odd])
    archive = tmp_path / "a.jsonl"
    export_archive(s, archive)
    with other_store(db_url, tmp_path) as target:
        import_archive(target, archive, check_payloads=False)
        assert [e[4] for e in _events(target)] == odd
        assert _chain_rows(target) == _chain_rows(s)


def test_import_refuses_a_store_that_is_not_empty(db_url: str, store: SQLStore, tmp_path: Path, raw: Raw) -> None:
    archive = tmp_path / "a.jsonl"
    export_archive(store, archive)
    with pytest.raises(StoreNotEmpty):
        import_archive(store, archive, check_payloads=False)
    assert raw("SELECT COUNT(*) FROM ledger_events")[0][0] == N


def _edit_line(archive: Path, number: int, edit: Callable[[dict[str, Any]], None]) -> None:
    lines = archive.read_text(encoding="utf-8").splitlines()
    obj = json.loads(lines[number])
    edit(obj)
    lines[number] = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    archive.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize(("edit", "kind", "position"), [
    (lambda a: _edit_line(a, 17, lambda o: o.update(state=o["state"].replace("anteckning", "Anteckning"))),
     "payload_altered", 17),
    (lambda a: _edit_line(a, 9, lambda o: o.update(hash=flip(o["hash"]))), "link_altered", 9),
    (lambda a: _edit_line(a, 9, lambda o: o.update(topic="ledger.events:X")), "link_altered", 9),
    (lambda a: a.write_text("".join(ln for i, ln in enumerate(a.read_text().splitlines(True)) if i != 5)),
     "event_missing", 5),
    (lambda a: a.write_text("".join(_swapped(a.read_text().splitlines(True), 5, 6))), "out_of_order", 5),
    (lambda a: a.write_text("".join(a.read_text().splitlines(True)[:-4])), "truncated", 38),
    (lambda a: a.write_text("".join([*a.read_text().splitlines(True)[:-4], a.read_text().splitlines(True)[-1]])),
     "truncated", 38),
])
def test_a_tampered_archive_is_found_and_imports_nothing(db_url: str, store: SQLStore, tmp_path: Path,
                                                         edit: Callable[[Path], None], kind: str,
                                                         position: int) -> None:
    archive = tmp_path / "a.jsonl"
    export_archive(store, archive)
    edit(archive)
    report = verify_archive(archive, check_payloads=False)
    assert report.problem is not None
    assert (report.problem.kind, report.problem.position) == (kind, position)
    with other_store(db_url, tmp_path) as target:
        with pytest.raises(ChainBroken) as caught:
            import_archive(target, archive, check_payloads=False)
        assert caught.value.params == {"position": position, "reason": kind}
        assert _events(target) == [] and _chain_rows(target) == []


def _swapped(lines: list[str], a: int, b: int) -> list[str]:
    lines = list(lines)
    lines[a], lines[b] = lines[b], lines[a]
    return lines


HEADER = '{"format": "avhoppar-ledger-archive", "version": 1, "chain": "avhoppar-ledger-chain/1", "events": 0, "meta": {}}\n'


@pytest.mark.parametrize(("content", "reason", "line"), [
    ("", "empty", 1),
    ("not json\n", "not_json", 1),
    ('{"format": "something else"}\n', "not_archive", 1),
    ('{"format": "avhoppar-ledger-archive", "version": 2}\n', "version", 1),
    (HEADER.replace("{}", '{"chain_version": "2"}'), "version", 1),
    (HEADER.replace("{}", '{"person_namespace": 5}'), "meta", 1),
])
def test_a_file_that_is_not_an_archive_is_refused_with_its_line(tmp_path: Path, content: str, reason: str,
                                                                 line: int) -> None:
    archive = tmp_path / "x.jsonl"
    archive.write_text(content, encoding="utf-8")
    with pytest.raises(ArchiveInvalid) as caught:
        verify_archive(archive, check_payloads=False)
    assert caught.value.params == {"reason": reason, "line": line}


def test_a_malformed_event_line_is_refused_with_its_line(store: SQLStore, tmp_path: Path) -> None:
    archive = tmp_path / "a.jsonl"
    export_archive(store, archive)
    _edit_line(archive, 3, lambda o: o.update(originator_version="3"))
    with pytest.raises(ArchiveInvalid) as caught:
        verify_archive(archive, check_payloads=False)
    assert caught.value.params == {"reason": "field", "line": 4}


def test_export_of_a_store_that_does_not_verify_writes_no_file(store: SQLStore, raw: Raw, tmp_path: Path) -> None:
    raw("DELETE FROM ledger_chain WHERE position = ?", 20)
    archive = tmp_path / "a.jsonl"
    with pytest.raises(ChainBroken) as caught:
        export_archive(store, archive)
    assert caught.value.params == {"position": 20, "reason": "chain_missing"}
    assert list(tmp_path.glob("a.jsonl*")) == []


def test_an_archive_is_checked_against_digests(store: SQLStore, tmp_path: Path) -> None:
    archive = tmp_path / "a.jsonl"
    head = store_head(store)
    export_archive(store, archive)
    assert verify_archive(archive, of(head, Head(1, _first_hash(archive))), check_payloads=False).ok
    report = verify_archive(archive, of(Head(N + 5, head.hash)), check_payloads=False)
    assert report.problem is not None and (report.problem.kind, report.problem.position) == ("truncated", N + 1)
    report = verify_archive(archive, of(Head(N, flip(head.hash))), check_payloads=False)
    assert report.problem is not None and (report.problem.kind, report.problem.position) == ("digest_mismatch", N)


def test_a_digest_of_the_empty_store_must_be_the_genesis(store: SQLStore) -> None:
    assert verify_store(store, of(Head(0, GENESIS))).ok
    report = verify_store(store, of(Head(0, flip(GENESIS))))
    assert report.problem is not None and (report.problem.kind, report.problem.position) == ("digest_mismatch", 0)


def _rechained(archive: Path, edit: Callable[[dict[str, Any]], None], where: Callable[[dict[str, Any]], bool]) -> int:
    """Edit the first event line ``where`` holds and recompute every hash after it, as a forger would:
    the archive's chain verifies again. Returns the edited line's number (1-based)."""
    lines = [json.loads(line) for line in archive.read_text(encoding="utf-8").splitlines()]
    number = next(i for i, obj in enumerate(lines) if "position" in obj and where(obj))
    edit(lines[number])
    previous = lines[number - 1].get("hash", GENESIS) if "position" in lines[number - 1] else GENESIS
    for obj in (line for line in lines[number:-1] if "position" in line):  # the events, not the access log
        state = obj["state"].encode("utf-8")
        obj["payload_hash"] = payload_hash(state)
        obj["recorded_at"] = recorded_at(state)
        obj["hash"] = previous = link(previous, obj["position"], obj["originator_id"], obj["originator_version"],
                                      obj["topic"], obj["recorded_at"], obj["payload_hash"])
    lines[-1]["head"]["hash"] = previous
    archive.write_text("".join(json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n" for obj in lines),
                       encoding="utf-8")
    return number + 1


PASSPHRASE = "korrekt häst batteri häftklammer"


def _export_ledger(app: Any, archive: Path) -> dict[str, Any]:
    """``ledger export``: the ledger's archive, its data keys sealed under a passphrase."""
    from ledger.bootstrap import services

    return services(app.factory.store.url, "tester").integrity.export(archive, lambda _: None, passphrase=PASSPHRASE)


def _import_ledger(target: SQLStore, archive: Path) -> dict[str, Any]:
    from ledger.bootstrap import services

    return services(target.url, "tester").integrity.import_archive(archive, passphrase=PASSPHRASE)


def _with_followup(db_url: str) -> Any:
    from tests.conftest import TEST_PNR
    from tests.helpers import ledger_at

    app = ledger_at(db_url, "tester")
    case = app.open_case(TEST_PNR[31], gender="man", environment="criminal", source="police", on="2026-01-05")
    app.record_followup(case, time_point="during", housing="own", occupation="work", on="2026-07-05")
    app.record_contact(case, "phone", on="2026-07-06")
    return app


def _set_state(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(obj: dict[str, Any]) -> None:
        state = json.loads(obj["state"])
        state["s"][key] = value
        obj["state"] = json.dumps(state, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return edit


def _is(topic: str) -> Callable[[dict[str, Any]], bool]:
    return lambda obj: obj["topic"] == f"ledger.events:{topic}"


@pytest.mark.parametrize(("edit", "where", "reason"), [
    (_set_state("housing", "castle"), _is("FollowUpRecorded"), "payload"),
    (_set_state("occurred_on", "2026-02-30"), _is("ContactRecorded"), "payload"),
    (_set_state("surprise", "x"), _is("ContactRecorded"), "payload"),
    (lambda o: o.update(state=o["state"].replace('"s":{', '"t":{')), _is("FollowUpRecorded"), "payload"),
    (lambda o: o.update(state='["not", "an", "event"]'), _is("ContactRecorded"), "payload"),
    (lambda o: o.update(topic="ledger.events:NoSuchEvent"), _is("ContactRecorded"), "event_type"),
    (lambda o: o.update(topic="os:system"), _is("ContactRecorded"), "event_type"),
    (lambda o: o.update(topic="ledger.events:Snapshot"), _is("ContactRecorded"), "event_type"),
    (lambda o: o.update(topic="ledger.events:Event"), _is("ContactRecorded"), "event_type"),
], ids=["bad_choice", "bad_date", "extra_field", "no_statistical_part", "not_an_object", "unknown_event",
        "not_ledger_code", "snapshot", "base_class"])
def test_an_archive_with_a_payload_the_ledger_cannot_read_is_refused_and_imports_nothing(
    db_url: str, tmp_path: Path, edit: Callable[[dict[str, Any]], None], where: Callable[[dict[str, Any]], bool],
    reason: str,
) -> None:
    app = _with_followup(db_url)
    archive = tmp_path / "a.jsonl"
    _export_ledger(app, archive)
    assert verify_archive(archive).ok
    line = _rechained(archive, edit, where)
    assert verify_archive(archive, check_payloads=False).ok  # the chain alone holds: it was recomputed
    with pytest.raises(ArchiveInvalid) as caught:
        verify_archive(archive)
    assert caught.value.params == {"reason": reason, "line": line}
    with other_store(db_url, tmp_path) as target:
        with pytest.raises(ArchiveInvalid) as caught:
            _import_ledger(target, archive)
        assert caught.value.params == {"reason": reason, "line": line}
        assert _events(target) == [] and _chain_rows(target) == []
        assert list((Path(os.environ["LEDGER_KEY_DIR"])).glob("*.tmp")) == []


def test_an_archive_of_the_ledgers_own_events_imports_and_reads(db_url: str, tmp_path: Path) -> None:
    from tests.helpers import ledger_at

    app = _with_followup(db_url)
    archive = tmp_path / "a.jsonl"
    _export_ledger(app, archive)
    with other_store(db_url, tmp_path) as target:
        _import_ledger(target, archive)
        assert _events(target) == _events(app.factory.store)
        imported = ledger_at(target.url, "tester")
        assert imported.get_case("AVH-2026-0001").followups == 1
        # the imported store has its own id and key file, and finds the same person again
        from tests.conftest import TEST_PNR

        assert imported.persons.person_id(TEST_PNR[31]) == app.persons.person_id(TEST_PNR[31])


def _first_hash(archive: Path) -> str:
    return json.loads(archive.read_text(encoding="utf-8").splitlines()[1])["hash"]


# -- the hashing itself ------------------------------------------------------------------------------------------


texts = st.text(max_size=40)


@given(previous=texts, position=st.integers(-(2**40), 2**40), stream=texts, version=st.integers(0, 2**31),
       topic=texts, when=texts, digest=texts)
def test_the_fast_link_is_the_plain_definition(previous: str, position: int, stream: str, version: int,
                                               topic: str, when: str, digest: str) -> None:
    assert link(previous, position, stream, version, topic, when, digest) == link_reference(
        previous, position, stream, version, topic, when, digest)


@given(position=st.integers(0, 2**40), version=st.integers(1, 2**31), topic=texts, when=texts)
@example(position=0, version=1, topic="ledger.events:Händelse", when="2026-03-01T10:00\n")
@example(position=7, version=2, topic="t", when='citat " och \\ bakstreck')
@example(position=8, version=3, topic="t", when="2026-03-01T10:00\x7f")  # DEL: raw in the payload, escaped in a link
def test_the_append_link_is_the_plain_definition(position: int, version: int, topic: str, when: str) -> None:
    """The append builds each link's text in place (``chained.chain_rows``): for any topic and any
    ``recorded_at`` in the payload, the link is the plain definition's."""
    from ledger.adapters.chained import chain_rows

    stream = uuid4()
    state = json.dumps({"p": {}, "s": {"recorded_at": when}}, sort_keys=True, separators=(",", ":"),
                       ensure_ascii=False).encode()
    entries: list[tuple[Any, ...]] = []
    list(chain_rows(position, GENESIS, [StoredEvent(stream, version, topic, state)], True, entries))
    assert entries[0][3] == link_reference(GENESIS, position + 1, str(stream), version, topic, recorded_at(state),
                                           payload_hash(state))


@given(position=st.integers(1, 2**40), stream=texts, version=st.integers(0, 2**31), topic=texts, when=texts,
       payload=st.binary(max_size=20), before=st.binary(max_size=20))
def test_the_verification_link_is_the_plain_definition(position: int, stream: str, version: int, topic: str,
                                                       when: str, payload: bytes, before: bytes) -> None:
    """``link_hex`` (the verification's fast walk) takes the payload's and the previous hash as they are:
    64 hex digits, which the walk has just checked them to be; everything else is quoted as ``link`` does."""
    previous, digest = payload_hash(before), payload_hash(payload)
    assert link_hex(previous, position, stream, version, topic, when, digest) == link_reference(
        previous, position, stream, version, topic, when, digest)


@given(position=st.integers(0, 2**40), stream=texts, version=st.integers(0, 2**31), topic=texts, when=texts,
       payload=texts, digest=texts, state=texts)
@example(position=1, stream="0f", version=1, topic="ledger.events:Händelse", when="2026-03-01T10:00\n",
         payload='"', digest="\\", state='{"s":{"anteckning":"å\u2028\x7f\x00"}}')
def test_an_archive_line_built_in_place_is_the_encoders(position: int, stream: str, version: int, topic: str,
                                                         when: str, payload: str, digest: str, state: str) -> None:
    """The export writes each event's line in place (``_event_text``): for any text in any field it is
    the line the JSON encoder writes for the same dict (``_event_line``), byte for byte."""
    from ledger.adapters.archive import _event_line, _event_text, _quote

    assert _event_text(position, _quote(stream), version, _quote(topic), when, payload, digest, state) + "\n" == \
        _event_line(position, (stream, version, topic, state.encode("utf-8")), (when, payload, digest))


@given(note=st.text(max_size=60), extra=st.dictionaries(st.text(max_size=12), st.text(max_size=12), max_size=4))
def test_recorded_at_is_found_in_any_canonical_payload(note: str, extra: dict[str, str]) -> None:
    state = {"p": {"note": note, **{f"p{k}": v for k, v in extra.items()}},
             "s": {"recorded_at": "2026-03-01T10:00:00.123456Z", **{f"s{k}": v for k, v in extra.items()}}}
    stored = json.dumps(state, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert recorded_at(stored) == "2026-03-01T10:00:00.123456Z"


def test_recorded_at_is_not_fooled_by_text_that_looks_like_the_key() -> None:
    tricky = payload(1, note='x","recorded_at":"1999-01-01T00:00:00Z')
    assert recorded_at(tricky) == json.loads(tricky)["s"]["recorded_at"]
    assert recorded_at(b"not json") == "" and recorded_at(b'{"s":{"recorded_at":"a\\"b"}}') == 'a"b'


def _memory_chain(count: int) -> tuple[list[tuple[str, int, str, bytes]], list[tuple[str, str, str]]]:
    evs, entries, previous = [], [], GENESIS
    for n in range(1, count + 1):
        state = payload(n)
        e = (str(STREAMS[n % 5]), n, "ledger.events:Event0", state)
        digest = payload_hash(state)
        previous = link(previous, n, e[0], e[1], e[2], recorded_at(state), digest)
        evs.append(e)
        entries.append((recorded_at(state), digest, previous))
    return evs, entries


_EVENTS, _ENTRIES = _memory_chain(12)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(index=st.integers(0, 11), field=st.integers(0, 6), offset=st.integers(0, 10_000), bit=st.integers(0, 7))
def test_any_changed_byte_of_any_field_is_found_at_its_position(index: int, field: int, offset: int,
                                                                bit: int) -> None:
    """Law: change one byte of any field of any entry and verification stops exactly there."""
    evs = [list(e) for e in _EVENTS]
    entries = [list(e) for e in _ENTRIES]
    target: list[Any] = evs[index] if field < 4 else entries[index]
    column = field if field < 4 else field - 4
    value = target[column]
    if isinstance(value, int):
        target[column] = value ^ (1 << bit)
    else:
        data = bytearray(value if isinstance(value, bytes) else value.encode())
        data[offset % len(data)] ^= 1 << bit
        target[column] = bytes(data) if isinstance(value, bytes) else data.decode("utf-8", "replace")
    if target[column] == value:
        return  # the flip landed where decoding maps it back: nothing changed
    verifier = Verifier()
    window = {p: tuple(e) for p, e in enumerate(entries, start=1)}
    found = None
    for position in range(1, 13):
        found = verifier.check(position, tuple(evs[position - 1]), tuple(entries[position - 1]), window)  # type: ignore[arg-type]
        if found is not None:
            break
    assert found is not None and found.position == index + 1


_COLUMNS = [("ledger_events", "originator_id", "id"), ("ledger_events", "originator_version", "id"),
            ("ledger_events", "topic", "id"), ("ledger_events", "state", "id"),
            ("ledger_chain", "recorded_at", "position"), ("ledger_chain", "payload_hash", "position"),
            ("ledger_chain", "hash", "position")]


def _mutated(value: Any, rng: Any) -> Any:
    """``value`` changed the ways a hand with database access might: one character (a quote, a backslash,
    a letter outside ASCII, upper case), one bit, or a number written as text."""
    if isinstance(value, int):
        return rng.choice([value ^ (1 << rng.randint(0, 3)), str(value), f" {value}"])
    if isinstance(value, UUID):
        return UUID(int=value.int ^ (1 << rng.randint(0, 127)))
    if isinstance(value, bytes | memoryview):
        data = bytearray(bytes(value))
        data[rng.randrange(len(data))] ^= 1 << rng.randint(0, 7)
        return bytes(data)
    i = rng.randrange(len(value))
    return value[:i] + rng.choice(['"', "\\", "é", value[i].upper(), "\n", "0", "a"]) + value[i + 1:]


def test_the_fast_walk_finds_exactly_what_the_careful_walk_finds(db_url: str, store: SQLStore, raw: Raw) -> None:
    """The chain walk takes a fast way through a window (one joined read, the link's text built in
    place) and the careful way (:meth:`Verifier.check`) only where the fast way stops. Whatever one
    field of one row is changed to, the fast walk reports the same as the careful walk, which a
    digest at the head forces on the whole window: the same problem at the same position, or none
    when the change leaves the canonical text as it was (upper-case hex in a stream id)."""
    import random

    rng = random.Random(13)
    head = Head(N, raw.entry(N)[2])
    assert verify(store) is None and verify(store, head) is None
    compared = 0
    for _ in range(120):
        table, column, key = rng.choice(_COLUMNS)
        position = rng.randint(1, N)
        value = raw(f"SELECT {column} FROM {table} WHERE {key} = ?", position)[0][0]
        changed = _mutated(value, rng)
        try:
            raw(f"UPDATE {table} SET {column} = ? WHERE {key} = ?", changed, position)
        except Exception:  # noqa: BLE001 - PostgreSQL's column types refuse it: nobody can store it there
            continue
        try:
            fast, careful = verify(store), verify(store, head)
        finally:
            raw(f"UPDATE {table} SET {column} = ? WHERE {key} = ?", value, position)
        if careful is not None and careful[0] != "digest_mismatch":
            assert fast == careful, (table, column, position, changed)
        else:
            assert fast is None, (table, column, position, changed)
        compared += 1
    assert compared >= 60
    assert verify(store) is None


def test_rows_the_fast_way_cannot_build_are_walked_the_careful_way_and_verify(sqlite_url: str) -> None:
    """A stream id in upper case, a recorded_at with a quote and a backslash, a topic outside ASCII: the
    links were made over the canonical text, and the store verifies (no false alarm)."""
    s = SQLStore.for_url(resolve_url(sqlite_url))
    odd = [StoredEvent(STREAMS[0], 1, "ledger.events:Händelse", payload(1)),
           StoredEvent(STREAMS[1], 1, "ledger.events:Event0",
                       json.dumps({"p": {}, "s": {"recorded_at": 'x"\\y'}}, separators=(",", ":")).encode())]
    LedgerRecorder(s).insert_events(odd + events(3, 5))
    connection = Raw(sqlite_url)
    connection("UPDATE ledger_events SET originator_id = upper(originator_id) WHERE id = 1")
    assert connection("SELECT recorded_at FROM ledger_chain WHERE position = 2")[0][0] == 'x"\\y'
    assert verify(s) is None
    connection("UPDATE ledger_chain SET recorded_at = 'x\"\\z' WHERE position = 2")
    assert verify(s) == ("link_altered", 2)
    connection.conn.close()


def test_the_fast_walk_takes_an_intact_window_at_once(store: SQLStore) -> None:
    """The untouched 40 positions are one window the fast way accepts as a whole (so the tests above
    compare the fast walk, not the careful one twice)."""
    from ledger.adapters.verification import intact_window

    verifier = Verifier()
    rows: list[tuple[Any, ...]] = []
    with store.read() as conn:
        assert intact_window(store, conn, verifier, 1, N, rows)
    assert verifier.position == N and [r[0] for r in rows] == list(range(1, N + 1))


@pytest.mark.parametrize("odd", ["2026-03-01T10:00:03\n", "2026-03-01\t10:00", "2026-03-01\x7f", "2026-03-01\x00"])
def test_a_link_forged_over_unescaped_text_is_found(db_url: str, store: SQLStore, raw: Raw, odd: str) -> None:
    """Someone writes a recorded_at with a character JSON escapes, hashes the link over the text with it
    left raw (not the canonical text) and rehashes every later link canonically: the walk still says the
    link at that position is altered, and no archive is written."""
    import hashlib

    from ledger.adapters.chain import CHAIN_TAG, stream_text

    position = 3
    if "\x00" in odd and not raw.sqlite:
        pytest.skip("PostgreSQL's text cannot hold NUL: nobody can store it there")
    raw("UPDATE ledger_chain SET recorded_at = ? WHERE position = ?", odd, position)
    previous = raw.entry(position - 1)[2]
    for p in range(position, N + 1):
        stream, version, topic = raw("SELECT originator_id, originator_version, topic FROM ledger_events "
                                     "WHERE id = ?", p)[0]
        when, payload, _ = raw.entry(p)
        if p == position:  # the forged one: the timestamp put in as it is
            text = f'["{CHAIN_TAG}",{p},"{stream_text(stream)}",{version},{json.dumps(topic)},"{when}","{payload}","{previous}"]'
            digest = hashlib.sha256(text.encode()).hexdigest()
        else:
            digest = link(previous, p, stream_text(stream), version, topic, when, payload)
        raw("UPDATE ledger_chain SET hash = ? WHERE position = ?", digest, p)
        previous = digest
    assert verify(store) == ("link_altered", position)
    with pytest.raises(ChainBroken):
        export_archive(store, Path(os.environ.get("TMPDIR", "/tmp")) / f"forged-{uuid4().hex}.jsonl")
