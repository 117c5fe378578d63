"""The write path on SQLite and PostgreSQL: whichever way a batch goes in, the same rows and the same chain.

On PostgreSQL a batch of fewer than ``COPY_FROM`` events is inserted with its chain entries in one
statement, a larger one by binary ``COPY``; the lock, its timeout and the chain's tail are asked for
in one round trip. On SQLite everything goes through ``executemany``. These tests check outcomes:
byte-identical events and chain entries either way (and equal to the chain's plain definition),
nothing left of a batch that failed anywhere in it, a clean ``StorageError`` when the lock cannot
be had, pooled connections the server dropped replaced, concurrent writers of both sizes keeping
one gapless, valid chain.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID, uuid5

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent

from ledger.adapters import chained
from ledger.adapters import dialect as dialects
from ledger.adapters.chain import GENESIS, link_reference, payload_hash, recorded_at
from ledger.adapters.config import resolve_url
from ledger.adapters.recorder import LedgerRecorder
from ledger.adapters.server_append import APPEND_ARGS
from ledger.adapters.store import SQLStore
from ledger.adapters.verification import verify_store
from ledger.domain.errors import StorageError
from tests import conftest

STREAMS = [uuid5(UUID(int=13), f"case:{i}") for i in range(7)]
#: ``recorded_at`` values the append must take as the chain's definition does: the usual, and odd ones
#: (quoted, escaped, not ASCII, not printable, none at all).
ODD_TIMES: list[str | None] = [
    "2026-03-01T10:00:00.5Z", "2026-03-01T10:00:00+01:00", 'a "quoted" time', "back\\slash", "tid ä",
    "bell\u0007", "", None,
]


def payload(n: int, when: str | None = "default") -> bytes:
    """A payload shaped like the ledger's (canonical JSON, personal part apart), ``recorded_at`` in "s"."""
    s: dict[str, Any] = {"n": n, "recorded_by": "tester"}
    if when is not None:
        s["recorded_at"] = f"2026-03-01T10:{n // 60 % 60:02d}:{n % 60:02d}.5Z" if when == "default" else when
    state = {"p": {"note": f"anteckning {n} \"recorded_at\":\"x\""}, "s": s}
    return json.dumps(state, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def batch(first: int, count: int, odd: bool = False) -> list[StoredEvent]:
    """Events ``first``..``first+count-1`` over seven streams, versions counting per stream."""
    found = []
    for n in range(first, first + count):
        when = ODD_TIMES[n % len(ODD_TIMES)] if odd else "default"
        found.append(StoredEvent(STREAMS[(n - 1) % 7], (n - 1) // 7 + 1, f"ledger.events:Event{n % 4}",
                                 payload(n, when)))
    return found


def rows(url: str) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Every event and chain entry, read behind the ledger's back, stream ids as UUIDs."""
    if url.startswith("sqlite"):
        import sqlite3

        conn: Any = sqlite3.connect(url.split("///", 1)[1])
    else:
        import psycopg

        conn = psycopg.connect(url)
    try:
        events = [(p, UUID(str(s)), v, t, bytes(st)) for p, s, v, t, st in conn.execute(
            "SELECT id, originator_id, originator_version, topic, state FROM ledger_events ORDER BY id")]
        entries = [tuple(r) for r in conn.execute(
            "SELECT position, recorded_at, payload_hash, hash FROM ledger_chain ORDER BY position")]
    finally:
        conn.close()
    return events, entries


def defined(stored: list[StoredEvent]) -> list[tuple[Any, ...]]:
    """The chain entries of ``stored`` at positions 1.. by the chain's plain definition."""
    previous, found = GENESIS, []
    for position, e in enumerate(stored, start=1):
        when, digest = recorded_at(e.state), payload_hash(e.state)
        previous = link_reference(previous, position, str(e.originator_id), e.originator_version, e.topic, when,
                                  digest)
        found.append((position, when, digest, previous))
    return found


@pytest.fixture
def other_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    """A second fresh store on the same backend as ``db_url``."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'other.sqlite3'}"
        return
    url = conftest._fresh_pg_database()
    yield url
    SQLStore.dispose_all()
    import psycopg

    with psycopg.connect(conftest.PG_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def recorder_at(url: str) -> LedgerRecorder:
    return LedgerRecorder(SQLStore.for_url(resolve_url(url)))


# -- the same rows whichever way ---------------------------------------------------------------------


@pytest.mark.parametrize("odd", [False, True], ids=["usual", "odd-times"])
def test_one_large_batch_and_many_small_ones_write_identical_events_and_chain(db_url: str, other_url: str,
                                                                             odd: bool) -> None:
    """250 events in one batch (COPY on PostgreSQL) and in batches of 1, 2, 97, 99 and 51 (one statement
    each): byte-identical rows, the chain as its definition says, and both stores verify."""
    stored = batch(1, 250, odd)
    assert dialects.COPY_FROM <= 250 and max(1, 2, 97, 99, 51) < dialects.COPY_FROM
    assert recorder_at(db_url).insert_events(stored) == list(range(1, 251))
    small = recorder_at(other_url)
    first = 0
    for size in (1, 2, 97, 99, 51):
        assert small.insert_events(stored[first:first + size]) == list(range(first + 1, first + size + 1))
        first += size
    large_rows, small_rows = rows(db_url), rows(other_url)
    assert large_rows == small_rows
    events, entries = large_rows
    assert events == [(p, e.originator_id, e.originator_version, e.topic, e.state)
                      for p, e in enumerate(stored, start=1)]
    assert entries == defined(stored)
    for url in (db_url, other_url):
        report = verify_store(SQLStore.for_url(resolve_url(url)))
        assert report.ok and report.events == 250


def test_a_batch_after_others_continues_the_chain(db_url: str) -> None:
    """Batches of every size one after the other: positions 1..n without gaps, one chain."""
    recorder = recorder_at(db_url)
    stored = batch(1, 1 + 150 + 3 + 120, odd=True)
    at = 0
    for size in (1, 150, 3, 120):
        assert recorder.insert_events(stored[at:at + size]) == list(range(at + 1, at + size + 1))
        at += size
    assert rows(db_url)[1] == defined(stored)


# -- all or nothing ------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [3, 150], ids=["one-statement", "copy"])
@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_a_batch_that_fails_anywhere_leaves_nothing(db_url: str, size: int, where: str) -> None:
    """A batch whose one event takes a (stream, version) already stored fails as a conflict (the
    application re-runs the command), and none of its events or chain entries are kept."""
    recorder = recorder_at(db_url)
    recorder.insert_events(batch(1, 10))
    before = rows(db_url)
    new = batch(11, size)
    index = {"first": 0, "middle": size // 2, "last": size - 1}[where]
    taken = batch(1, 10)[3]
    new[index] = StoredEvent(taken.originator_id, taken.originator_version, taken.topic, payload(999))
    with pytest.raises(IntegrityError):
        recorder.insert_events(new)
    assert rows(db_url) == before
    assert recorder.insert_events(batch(11, size)) == list(range(11, 11 + size))
    assert verify_store(recorder.store).ok


def test_a_batch_that_repeats_its_own_event_leaves_nothing(db_url: str) -> None:
    recorder = recorder_at(db_url)
    new = batch(1, 150)
    new.append(new[40])
    with pytest.raises(IntegrityError):
        recorder.insert_events(new)
    assert rows(db_url) == ([], [])


def test_every_append_goes_in_through_the_dialect_with_all_its_rows(db_url: str,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Each append under the lock hands all its events' rows to ``Dialect.insert_chained`` once, inside its
    transaction (a test kills a writer when it is there: ``tests/integration/_proc.py``). On PostgreSQL
    the few events go that way too when the store has no server-side append."""
    recorder = recorder_at(db_url)
    recorder.store.append_function = None
    seen: list[int] = []
    insert_chained = recorder.store.dialect.insert_chained

    def _seen(cursor: Any, events_sql: Any, events: Any, chain_sql: Any, entries: Any, count: int) -> None:
        seen.append(count)
        insert_chained(cursor, events_sql, events, chain_sql, entries, count)

    monkeypatch.setattr(recorder.store.dialect, "insert_chained", _seen)
    recorder.insert_events(batch(1, 150))
    recorder.insert_events(batch(151, 2))
    assert seen == [150, 2]
    assert rows(db_url)[1] == defined(batch(1, 152))


# -- PostgreSQL: the lock, the connections, many writers -------------------------------------------------


@pytest.mark.parametrize("size", [1, 120], ids=["server-side", "copy"])
def test_a_writer_that_cannot_get_the_lock_gives_up_cleanly(pg_url: str, monkeypatch: pytest.MonkeyPatch,
                                                            size: int) -> None:
    """The lock's timeout is in force while the lock is waited for (it is set in the same statement, or
    in the server-side append before the lock): the writer gets StorageError ``locked``, nothing is
    written, and the next write goes through."""
    import psycopg

    monkeypatch.setattr(dialects, "LOCK_TIMEOUT", "300ms")
    recorder = recorder_at(pg_url)
    assert recorder.store.append_function == dialects.APPEND_NAME
    recorder.insert_events(batch(1, 2))
    with psycopg.connect(pg_url) as holder:
        holder.execute("SELECT pg_advisory_xact_lock(%s, %s)", dialects._LOCKS["events"])
        with pytest.raises(StorageError) as refused:
            recorder.insert_events(batch(3, size))
        assert refused.value.params.get("reason") == "locked"
        holder.rollback()
    assert recorder.store.append_function == dialects.APPEND_NAME  # still used: the lock was only busy
    assert recorder.insert_events(batch(3, size)) == list(range(3, 3 + size))
    assert rows(pg_url)[1] == defined(batch(1, 2 + size))


def test_the_tail_is_prepared_once_per_connection_even_when_the_first_write_times_out(
        pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The chain's tail is a prepared statement of the connection, made in the first write's message.
    A PREPARE is not undone by the rollback: when that first write gives up on the lock, the
    statement exists all the same, and the next writes on the connection use it, not make it again
    (which the server would refuse). One deallocated meanwhile is made again."""
    import psycopg

    monkeypatch.setattr(dialects, "LOCK_TIMEOUT", "300ms")
    recorder = recorder_at(pg_url)
    recorder.store.append_function = None  # the locked path, as a store without the server-side append
    with psycopg.connect(pg_url) as holder:
        holder.execute("SELECT pg_advisory_xact_lock(%s, %s)", dialects._LOCKS["events"])
        with pytest.raises(StorageError):
            recorder.insert_events(batch(1, 1))
        holder.rollback()
    assert recorder.insert_events(batch(1, 1)) == [1]
    assert recorder.insert_events(batch(2, 2)) == [2, 3]
    with recorder.store.engine.connect() as conn:  # the pool's one connection, used by every write above
        names = conn.exec_driver_sql("SELECT name FROM pg_prepared_statements WHERE name LIKE 'ledger%%'").all()
    assert names == [(dialects._statement_name(chained.TAIL),)]
    with recorder.store.engine.connect() as conn:  # as psycopg does after a rollback when it prepared any
        conn.exec_driver_sql("DEALLOCATE ALL")
    assert recorder.insert_events(batch(4, 1)) == [4]  # the statement found gone, made again
    with recorder.store.engine.connect() as conn:  # a write interrupted after PREPARE, before noting it
        conn.connection.info["ledger_prepared"].clear()
    assert recorder.insert_events(batch(5, 1)) == [5]  # the server's "already exists" taken as made
    assert recorder.insert_events(batch(6, 1)) == [6]
    assert rows(pg_url)[1] == defined(batch(1, 6))


def test_opening_the_read_side_leaves_the_writes_prepared_statement_in_place(pg_url: str) -> None:
    """psycopg prepares a query it has run five times on a connection, and after a rollback deallocates
    every statement of the session. Checking which tables exist (as the read side does when it is
    opened) ends its transaction with a commit, so the write's tail stays prepared."""
    from ledger.adapters.schema import read_metadata

    recorder = recorder_at(pg_url)
    recorder.store.append_function = None  # the locked path, as a store without the server-side append
    recorder.insert_events(batch(1, 7))
    for _ in range(6):  # the same stream query six times: psycopg prepares it
        assert len(recorder.select_events(STREAMS[0])) == 1
    recorder.store.create_tables(read_metadata)
    recorder.store.create_tables(read_metadata)  # the tables there now: only the check
    with recorder.store.engine.connect() as conn:
        names = {n for (n,) in conn.exec_driver_sql("SELECT name FROM pg_prepared_statements").all()}
        conn.commit()
    assert dialects._statement_name(chained.TAIL) in names
    assert any(n.startswith("_pg3_") for n in names)  # psycopg's own: it had some to deallocate
    assert recorder.insert_events(batch(8, 1)) == [8]
    assert rows(pg_url)[1] == defined(batch(1, 8))


def test_single_events_keep_every_character_whatever_the_client_encoding(pg_url: str) -> None:
    """A few events' values are bound parameters, encoded by the driver in the connection's encoding:
    odd timestamps (quotes, backslashes, non-ASCII, control characters) go in byte for byte, one event
    per transaction, on a connection whose client encoding is LATIN1 too (quoting them into the
    statement's text and sending that as UTF-8 garbled them there: a way tried and left). The store is
    made through the LATIN1 connection (the server-side append's text is ASCII)."""
    stored = batch(1, 16, odd=True)
    for url in (pg_url + "?client_encoding=latin1", pg_url):
        recorder = LedgerRecorder(SQLStore(resolve_url(url)))
        start = recorder.max_notification_id() or 0
        for e in stored[start:start + 8]:
            recorder.insert_events([e])
        recorder.store.engine.dispose()
    events, entries = rows(pg_url)
    assert [e[4] for e in events] == [e.state for e in stored]
    assert entries == defined(stored)
    assert verify_store(SQLStore.for_url(resolve_url(pg_url))).ok


def test_text_no_client_encoding_but_utf8_could_carry_is_stored_as_it_is(pg_url: str,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Every connection speaks UTF-8, whatever the URL or ``PGCLIENTENCODING`` asks for: a LATIN1 client
    could not even send "Ł" or "✓" (the driver failed before the server saw the write)."""
    monkeypatch.setenv("PGCLIENTENCODING", "LATIN1")
    stored = [StoredEvent(STREAMS[0], n, "ledger.events:Event1", payload(n, when))
              for n, when in enumerate(["Łódź", "klar ✓", "tid ä"], start=1)]
    for url in (pg_url + "?client_encoding=latin1", pg_url):
        recorder = LedgerRecorder(SQLStore(resolve_url(url)))
        start = recorder.max_notification_id() or 0
        for e in stored[start:start + 2]:
            assert recorder.insert_events([e]) == [start + 1]
            start += 1
        recorder.store.engine.dispose()
    monkeypatch.delenv("PGCLIENTENCODING")  # read back behind the ledger's back, in UTF-8
    events, entries = rows(pg_url)
    assert [e[4] for e in events] == [e.state for e in stored]
    assert [entry[1] for entry in entries] == ["Łódź", "klar ✓", "tid ä"]
    assert verify_store(SQLStore.for_url(resolve_url(pg_url))).ok


def test_a_database_whose_encoding_cannot_hold_a_character_is_named_and_stores_nothing(pg_url: str) -> None:
    """A database made with a narrow encoding (LATIN1) refuses "Ł" in the server: the error says what to
    do (make the database UTF8), whatever language the server speaks; nothing of the write is kept."""
    import psycopg

    narrow = pg_url.rsplit("/", 1)[0] + "/" + pg_url.rsplit("/", 1)[1] + "_latin1"
    with psycopg.connect(conftest.PG_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{narrow.rsplit("/", 1)[1]}" ENCODING \'LATIN1\' LC_COLLATE \'C\' '
                     "LC_CTYPE 'C' TEMPLATE template0")
    try:
        recorder = LedgerRecorder(SQLStore(resolve_url(narrow)))
        assert recorder.insert_events([StoredEvent(STREAMS[0], 1, "ledger.events:Event1", payload(1, "tid ä"))]) == [1]
        for count in (1, dialects.COPY_FROM):  # one statement, and COPY
            with pytest.raises(StorageError) as caught:
                recorder.insert_events([StoredEvent(STREAMS[1], n, "ledger.events:Event1", payload(n, "Łódź"))
                                        for n in range(1, count + 1)])
            assert caught.value.params["reason"] == "encoding"
        assert [entry[1] for entry in rows(narrow)[1]] == ["tid ä"]
        recorder.store.engine.dispose()
    finally:
        SQLStore.dispose_all()
        with psycopg.connect(conftest.PG_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{narrow.rsplit("/", 1)[1]}" WITH (FORCE)')


def _drop_connections(url: str) -> int:
    """The server ends every other client connection to the database (a restart, a firewall's timeout),
    and the call returns once they are gone: ``pg_terminate_backend`` only signals the backend, which
    on a loaded machine may still be listed for a while after."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        pids = [row[0] for row in conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid()").fetchall()]
        for pid in pids:
            conn.execute("SELECT pg_terminate_backend(%s)", (pid,))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            left = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)", (pids,)).fetchone()
            if left is not None and left[0] == 0:
                break
            time.sleep(0.01)
    return len(pids)


def test_a_pooled_connection_the_server_dropped_while_idle_is_replaced(pg_url: str,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A connection idle longer than ``PING_AFTER`` is checked before use, and replaced if it is gone."""
    recorder = recorder_at(pg_url)
    recorder.insert_events(batch(1, 1))
    monkeypatch.setattr(dialects, "PING_AFTER", 0.0)
    assert _drop_connections(pg_url) >= 1
    assert recorder.insert_events(batch(2, 1)) == [2]
    assert rows(pg_url)[1] == defined(batch(1, 2))


def test_a_connection_the_server_dropped_since_its_last_use_is_replaced_before_writing(pg_url: str) -> None:
    """Not checked when used again soon, but nothing was written on it yet when the loss shows: the
    write goes through on a new connection."""
    recorder = recorder_at(pg_url)
    recorder.insert_events(batch(1, 1))
    assert _drop_connections(pg_url) >= 1
    assert recorder.insert_events(batch(2, 1)) == [2]
    assert _drop_connections(pg_url) >= 1
    with recorder.store.write("access") as conn:  # any write transaction
        assert conn.exec_driver_sql("SELECT 1").scalar() == 1
    assert rows(pg_url)[1] == defined(batch(1, 2))


def _in_threads(write: Any, count: int) -> None:
    """``write(w)`` in ``count`` threads at once, until each is done."""
    threads = [threading.Thread(target=write, args=(w,)) for w in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _one_gapless_chain(url: str, stored: list[StoredEvent]) -> None:
    """Every event of ``stored`` once, at positions 1..n without gaps, and the chain valid."""
    events, entries = rows(url)
    assert [e[0] for e in events] == list(range(1, len(stored) + 1))
    assert sorted((e[1], e[2]) for e in events) == sorted((e.originator_id, e.originator_version) for e in stored)
    report = verify_store(SQLStore.for_url(resolve_url(url)))
    assert report.ok and report.events == len(stored) and len(entries) == len(stored)


def _sessions(url: str, expected: int) -> int:
    """The clients' connections to the database, but the one asking (not an autovacuum worker that
    happens to be in it): asked again for up to 10 s while there are more than ``expected``, since a
    connection just closed (the test's own, a moment ago) may still be listed while its backend exits.
    A connection kept open stays counted."""
    import psycopg

    deadline = time.monotonic() + 10
    with psycopg.connect(url, autocommit=True) as conn:
        while True:
            found = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                 "AND backend_type = 'client backend' AND pid <> pg_backend_pid()").fetchone()
            assert found is not None
            if found[0] <= expected or time.monotonic() > deadline:
                return int(found[0])
            time.sleep(0.01)


def test_appends_in_a_row_keep_their_connection_and_give_it_back_for_anything_else(
        pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The few-event appends keep the connection out of the pool between them (no checkout and checkin
    per write); a read, a write under the lock, a projection's transaction or the question whether this
    process may fork give it back first: the process never holds two connections for it, and may fork."""
    recorder = recorder_at(pg_url)
    store = recorder.store
    _only_server_side(recorder, monkeypatch)
    pool = store.engine.pool
    assert recorder.insert_events(batch(1, 1)) == [1]
    assert recorder.insert_events(batch(2, 2)) == [2, 3]
    assert pool.checkedout() == 1  # type: ignore[attr-defined]  # kept
    assert recorder.max_notification_id() == 3  # a read: on the same connection, given back first
    assert pool.checkedout() == 0  # type: ignore[attr-defined]
    assert recorder.insert_events(batch(4, 1)) == [4]
    with store.projection("money") as conn:
        assert conn.exec_driver_sql("SELECT 1").scalar() == 1
    assert recorder.insert_events(batch(5, 1)) == [5]
    monkeypatch.undo()  # the lock and the tail from the client again
    with store.write("access") as conn:
        assert conn.exec_driver_sql("SELECT 1").scalar() == 1
    _only_server_side(recorder, monkeypatch)
    assert recorder.insert_events(batch(6, 1)) == [6]
    assert _sessions(pg_url, 1) == 1
    assert pool.checkedout() == 1  # type: ignore[attr-defined]
    assert not SQLStore.in_use(store)
    assert pool.checkedout() == 0  # type: ignore[attr-defined]
    assert recorder.insert_events(batch(7, 1)) == [7]
    assert _sessions(pg_url, 1) == 1
    assert rows(pg_url)[1] == defined(batch(1, 7))


@pytest.mark.parametrize("idle", [False, True], ids=["used-again-soon", "idle-past-ping-after"])
def test_a_kept_connection_the_server_dropped_is_replaced_and_nothing_written_twice(
        pg_url: str, monkeypatch: pytest.MonkeyPatch, idle: bool) -> None:
    """The server ends the connection the appends keep (a restart, a firewall): the next append goes
    through on a new one, once, whether the loss shows on the kept connection itself or (idle longer
    than ``PING_AFTER``) when it goes back to the pool and a connection is checked out and checked."""
    recorder = recorder_at(pg_url)
    _only_server_side(recorder, monkeypatch)
    assert recorder.insert_events(batch(1, 2)) == [1, 2]
    if idle:
        monkeypatch.setattr(dialects, "PING_AFTER", 0.0)
    assert _drop_connections(pg_url) == 1
    assert recorder.insert_events(batch(3, 1)) == [3]
    assert recorder.insert_events(batch(4, 2)) == [4, 5]
    assert rows(pg_url)[1] == defined(batch(1, 5))
    assert _sessions(pg_url, 1) == 1


def test_threads_appending_through_one_store_each_write_once_in_one_chain(pg_url: str) -> None:
    """Four threads share one store (one pool, one kept connection): a thread that finds the kept
    connection in use appends on a pooled one of its own; every event once, positions without gaps,
    the chain valid."""
    recorder = recorder_at(pg_url)
    stored = batch(1, 4 * 40)
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def write(w: int) -> None:
        start.wait()
        try:
            for event in stored[w::4]:
                recorder.insert_events([event])
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)

    _in_threads(write, 4)
    assert errors == []
    _one_gapless_chain(pg_url, stored)


def test_concurrent_writers_of_single_events_and_large_batches_keep_one_gapless_chain(pg_url: str) -> None:
    """Four writers, each on its own engine, each alternating one event and a COPY-sized batch."""
    stored = batch(1, 4 * (3 + 3 * 120))
    per_writer = len(stored) // 4
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def write(w: int) -> None:
        recorder = LedgerRecorder(SQLStore(resolve_url(pg_url)))
        mine = stored[w * per_writer:(w + 1) * per_writer]
        start.wait()
        try:
            at = 0
            for size in (1, 120, 1, 120, 1, 120):
                recorder.insert_events(mine[at:at + size])
                at += size
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            recorder.store.engine.dispose()

    _in_threads(write, 4)
    assert errors == []
    _one_gapless_chain(pg_url, stored)


def _pool_of_three(recorder: LedgerRecorder) -> None:
    """Three connections in the pool, each used just now (none idle long enough to be checked)."""
    engine = recorder.store.engine
    held = [engine.connect() for _ in range(3)]
    for conn in held:
        conn.exec_driver_sql("SELECT 1")
    for conn in held:
        conn.close()


def test_after_a_restart_the_first_write_and_the_first_read_go_through(pg_url: str) -> None:
    """The server ends every pooled connection at once (a restart, a failover): the next write and the
    next read each find theirs gone when they begin, before anything is done, and go through on new
    connections, however many dead ones the pool held."""
    recorder = recorder_at(pg_url)
    recorder.insert_events(batch(1, 1))
    _pool_of_three(recorder)
    assert _drop_connections(pg_url) >= 3
    assert recorder.insert_events(batch(2, 1)) == [2]
    _pool_of_three(recorder)
    assert _drop_connections(pg_url) >= 3
    assert recorder.max_notification_id() == 2
    assert rows(pg_url)[1] == defined(batch(1, 2))


def _until_waiting_for_the_lock(url: str, count: int) -> None:
    """Returns once ``count`` connections wait for one of the ledger's locks (fails after 30 s)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as probe:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            waiting = probe.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
                                    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                                    ).fetchone()
            if waiting is not None and waiting[0] >= count:
                return
            time.sleep(0.025)
    raise AssertionError(f"{count} writers never waited for the lock")


def test_the_tail_is_read_after_the_lock_whatever_the_servers_default_isolation(pg_url: str) -> None:
    """With REPEATABLE READ as the database's default, a writer that waited for the lock still reads
    the chain's tail as the writer before it left it (no spurious conflict, no gap)."""
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as admin:
        name = admin.execute("SELECT current_database()").fetchone()[0]  # type: ignore[index]
        admin.execute(f'ALTER DATABASE "{name}" SET default_transaction_isolation = \'repeatable read\'')
    first, second = recorder_at(pg_url), LedgerRecorder(SQLStore(resolve_url(pg_url)))
    first.insert_events(batch(1, 1))
    done: list[Any] = []
    with first.store.appending() as (conn, tail):
        waiter = threading.Thread(target=lambda: done.append(second.insert_events(batch(3, 1))))
        waiter.start()
        _until_waiting_for_the_lock(pg_url, 1)  # the second writer waits for the lock, its transaction begun
        chained.append(conn, first.store.dialect, batch(2, 1), tail)
    waiter.join()
    second.store.engine.dispose()
    assert done == [[3]]
    events, _ = rows(pg_url)
    assert [e[0] for e in events] == [1, 2, 3]
    assert verify_store(SQLStore.for_url(resolve_url(pg_url))).ok


# -- PostgreSQL: the server-side append ------------------------------------------------------------------


def _only_server_side(recorder: LedgerRecorder, monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on an append that takes the lock and the tail from the client fails the test."""
    def _locked_path() -> Any:
        raise AssertionError("appended under the client's lock, not by the server-side append")

    monkeypatch.setattr(recorder.store, "appending", _locked_path)


def test_a_few_events_go_in_by_the_server_side_append_with_the_chains_own_links(
        pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new store gets the function with its tables; batches of 1 to 99 events go in by it alone (one
    round trip each), the rows and links byte for byte as the chain's definition gives them, odd
    ``recorded_at`` values too, and the store verifies."""
    recorder = recorder_at(pg_url)
    assert recorder.store.append_function == dialects.APPEND_NAME
    _only_server_side(recorder, monkeypatch)
    stored = batch(1, 1 + 2 + 99 + 16, odd=True)
    at = 0
    for size in (1, 2, 99, 16):
        assert recorder.insert_events(stored[at:at + size]) == list(range(at + 1, at + size + 1))
        at += size
    events, entries = rows(pg_url)
    assert events == [(p, e.originator_id, e.originator_version, e.topic, e.state) for p, e in enumerate(stored, 1)]
    assert entries == defined(stored)
    report = verify_store(SQLStore.for_url(resolve_url(pg_url)))
    assert report.ok and report.events == len(stored)


def test_the_append_is_prepared_from_a_connections_second_write_and_not_after_the_session_lost_it(
        pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A connection's first append goes unnamed (one round trip for a command's one write); from its
    second on, the call is prepared on it and reused. A session that lost it (``DEALLOCATE ALL``, as psycopg
    sends after a rollback, or a pooler's reset) gets the write all the same, once, by the server-side
    append, and the call unnamed from then on; the function replaced meanwhile (``ledger init``) is called
    as it is now."""
    recorder = recorder_at(pg_url)
    _only_server_side(recorder, monkeypatch)

    def prepared() -> list[int]:
        recorder.store.release_appender()  # kept by the appends: now back in the pool
        with recorder.store.engine.connect() as conn:  # the pool's one connection, the appends' own
            return [calls for calls, in conn.exec_driver_sql(
                "SELECT generic_plans + custom_plans FROM pg_prepared_statements WHERE strpos(statement, %s) > 0",
                (f"SELECT {dialects.APPEND_NAME}(",))]

    assert recorder.insert_events(batch(1, 1)) == [1]
    assert prepared() == []
    assert recorder.insert_events(batch(2, 3)) == [2, 3, 4]
    assert prepared() == [1]
    assert recorder.insert_events(batch(5, 1)) == [5]
    assert prepared() == [2]
    recorder.store.release_appender()
    with recorder.store.engine.connect() as conn:
        conn.exec_driver_sql("DEALLOCATE ALL")
        conn.commit()
    assert recorder.insert_events(batch(6, 2)) == [6, 7]
    assert recorder.insert_events(batch(8, 1)) == [8]
    assert prepared() == []
    SQLStore.dispose_all()
    recorder = recorder_at(pg_url)  # a new connection: prepared again from its second write
    _only_server_side(recorder, monkeypatch)
    assert recorder.insert_events(batch(9, 1)) == [9]
    assert recorder.insert_events(batch(10, 1)) == [10]
    assert prepared() == [1]
    recorder.store.release_appender()
    with recorder.store.engine.begin() as conn:
        assert recorder.store.dialect.install_append(conn) == dialects.APPEND_NAME  # CREATE OR REPLACE
    assert recorder.insert_events(batch(11, 2)) == [11, 12]
    assert prepared() == [2]
    assert rows(pg_url)[1] == defined(batch(1, 12))
    report = verify_store(SQLStore.for_url(resolve_url(pg_url)))
    assert report.ok and report.events == 12


def test_a_store_made_before_the_server_side_append_gets_it_from_init(pg_url: str,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the function (a store made by an earlier version) writes take the lock and the tail
    first, as before; ``ledger init`` (the owner's) makes it, and then the few events go by it."""
    import psycopg

    recorder = recorder_at(pg_url)
    recorder.insert_events(batch(1, 2))
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute(f"DROP SCHEMA {dialects.APPEND_SCHEMA} CASCADE")
        admin.execute("DELETE FROM ledger_meta WHERE key = 'append_function'")
    SQLStore.dispose_all()
    old = recorder_at(pg_url)
    assert old.store.append_function is None
    assert old.insert_events(batch(3, 1)) == [3]
    assert old.store.prepare(training=True)["role"]
    assert old.store.append_function == dialects.APPEND_NAME
    _only_server_side(old, monkeypatch)
    assert old.insert_events(batch(4, 2)) == [4, 5]
    SQLStore.dispose_all()
    assert recorder_at(pg_url).store.append_function == dialects.APPEND_NAME  # noted in the store
    assert rows(pg_url)[1] == defined(batch(1, 5))


def test_a_server_side_append_gone_from_the_server_is_done_without_it(pg_url: str) -> None:
    """The function dropped behind the ledger's back (the store still names it): the write goes through
    under the lock, nothing twice, and this process stops asking for the function."""
    import psycopg

    recorder = recorder_at(pg_url)
    recorder.insert_events(batch(1, 1))
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute(f"DROP FUNCTION {dialects.APPEND_NAME}")
    assert recorder.insert_events(batch(2, 1)) == [2]
    assert recorder.store.append_function is None
    assert recorder.insert_events(batch(3, 2)) == [3, 4]
    assert rows(pg_url)[1] == defined(batch(1, 4))


def test_an_append_whose_answer_was_lost_after_the_commit_is_not_written_twice(
        pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The server committed, then the connection broke before the answer came (a crash, a network
    fault): the write is begun again on a new connection, which first finds these very events there
    and gives their positions, writing nothing (a second write would be a conflict, and the application
    would run the command again)."""
    import psycopg

    recorder = recorder_at(pg_url)
    recorder.insert_events(batch(1, 3))
    real = recorder.store.dialect.append_at_once
    broken: list[int] = []

    def _answer_lost(conn: Any, name: str, columns: Any) -> Any:
        found = real(conn, name, columns)
        if not broken:
            raw = conn.connection.driver_connection
            broken.append(raw.info.backend_pid)
            with psycopg.connect(pg_url, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (raw.info.backend_pid,))
            raw.execute("SELECT 1")  # the loss shows: OperationalError, the connection broken
        return found

    monkeypatch.setattr(recorder.store.dialect, "append_at_once", _answer_lost)
    assert recorder.insert_events(batch(4, 2)) == [4, 5]
    assert broken
    assert recorder.insert_events(batch(6, 1)) == [6]
    assert rows(pg_url)[1] == defined(batch(1, 6))


def test_the_server_side_append_refuses_to_extend_a_broken_chain(pg_url: str) -> None:
    """An event whose chain entry is missing: the append says where (as the locked path does) and
    writes nothing."""
    import psycopg

    from ledger.domain.errors import ChainBroken

    recorder = recorder_at(pg_url)
    recorder.insert_events(batch(1, 3))
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute("DELETE FROM ledger_chain WHERE position = 3")
    before = rows(pg_url)
    with pytest.raises(ChainBroken) as broken:
        recorder.insert_events(batch(4, 1))
    assert broken.value.params == {"position": 3, "reason": "chain_missing"}
    assert recorder.store.append_function == dialects.APPEND_NAME
    assert rows(pg_url) == before


def test_an_append_whose_answer_was_lost_while_the_server_still_worked_on_it_is_not_written_twice(
        pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The connection broke while the server was still at the write (waiting for the lock): the server
    commits it all the same, after the write begun again looked and found nothing. That second write
    is then refused as a duplicate; it looks again, finds these very events, and gives their positions
    (not a conflict, which would make the application run the command a second time)."""
    import psycopg

    recorder = recorder_at(pg_url)
    recorder.insert_events(batch(1, 3))
    store = recorder.store
    real = store.dialect.append_at_once
    first: list[Any] = []

    def _lost_while_waiting(conn: Any, name: str, columns: Any) -> Any:
        if first:
            return real(conn, name, columns)
        # The same call, on a connection of its own that outlives ours: it waits for the lock.
        def on_the_server() -> None:
            with store.engine.connect() as other:
                first.append(real(other, name, columns))

        waiting = threading.Thread(target=on_the_server)
        waiting.start()
        first.append(waiting)
        _until_waiting_for_the_lock(pg_url, 1)
        raw = conn.connection.driver_connection
        with psycopg.connect(pg_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (raw.info.backend_pid,))
        raw.execute("SELECT 1")  # the loss shows: OperationalError, the connection broken
        raise AssertionError("unreachable")

    def _release_when_both_wait(holder: Any) -> None:
        _until_waiting_for_the_lock(pg_url, 2)  # the lost write first, then the one begun again: granted in turn
        holder.rollback()

    monkeypatch.setattr(store.dialect, "append_at_once", _lost_while_waiting)
    with psycopg.connect(pg_url) as holder:
        holder.execute("SELECT pg_advisory_xact_lock(%s, %s)", dialects._LOCKS["events"])
        releasing = threading.Thread(target=_release_when_both_wait, args=(holder,))
        releasing.start()
        assert recorder.insert_events(batch(4, 2)) == [4, 5]
        first[0].join()
        releasing.join()
    assert first[1] == (3, 3)  # the first write went in, at 4 and 5
    assert rows(pg_url)[1] == defined(batch(1, 5))


@pytest.mark.parametrize("with_function", [True, False], ids=["with-a-function", "schema-only"])
def test_a_schema_for_the_append_that_another_login_made_is_not_used(pg_url: str, with_function: bool) -> None:
    """Another login that may create schemas made ``ledger_code`` first, open to everyone, with a function
    of the append's name in it (whatever it would run, it would run with each writer's rights): no session
    of the ledger runs anything while the database holds another login's objects (``foreign_objects``,
    :mod:`ledger.adapters.guard`), nothing is made or written; once the database administrator has
    dropped them, the owner makes the store and the append, which writes."""
    import psycopg

    role = f"other_{pg_url.rsplit('_', 1)[1]}"
    database = pg_url.rsplit("/", 1)[1]
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute(f'CREATE ROLE "{role}" LOGIN')
        admin.execute(f'GRANT CREATE ON DATABASE "{database}" TO "{role}"')
    try:
        with psycopg.connect(pg_url.replace("ledger@", f"{role}@"), autocommit=True) as other:
            other.execute(f"CREATE SCHEMA {dialects.APPEND_SCHEMA}")
            other.execute(f"GRANT USAGE, CREATE ON SCHEMA {dialects.APPEND_SCHEMA} TO PUBLIC")
        if with_function:
            with psycopg.connect(pg_url.replace("ledger@", f"{role}@"), autocommit=True) as other:
                other.execute(f"CREATE FUNCTION {dialects.APPEND_NAME}(timeout text, streams uuid[], versions int8[], "
                              "topics text[], states bytea[], whens text[], digests text[], parts text[]) RETURNS int8[] "
                              "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'the other login''s code ran'; END $$")
                other.execute(f"GRANT EXECUTE ON FUNCTION {dialects.APPEND_NAME}{APPEND_ARGS} TO PUBLIC")
        with pytest.raises(StorageError) as refused:
            recorder_at(pg_url)
        assert refused.value.params["reason"] == "database_open"  # the other login may make schemas
        with psycopg.connect(pg_url, autocommit=True) as admin:
            admin.execute(f'REVOKE CREATE ON DATABASE "{database}" FROM "{role}"')
        with pytest.raises(StorageError) as refused:
            recorder_at(pg_url)
        assert refused.value.params["reason"] == "foreign_objects"
        assert "schema ledger_code" in refused.value.params["objects"]
        with psycopg.connect(pg_url, autocommit=True) as admin:
            assert admin.execute("SELECT to_regclass('ledger_events')").fetchone()[0] is None  # nothing made
            admin.execute(f"DROP SCHEMA {dialects.APPEND_SCHEMA} CASCADE")
        SQLStore.dispose_all()
        recorder = recorder_at(pg_url)
        assert recorder.store.append_function == dialects.APPEND_NAME
        assert recorder.insert_events(batch(1, 3)) == [1, 2, 3]
        assert rows(pg_url)[1] == defined(batch(1, 3))
    finally:
        SQLStore.dispose_all()
        with psycopg.connect(pg_url, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA IF EXISTS {dialects.APPEND_SCHEMA} CASCADE")
            admin.execute(f'REVOKE ALL ON DATABASE "{database}" FROM "{role}"')
            admin.execute(f'DROP ROLE "{role}"')
