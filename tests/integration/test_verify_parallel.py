"""``verify`` with the chain's windows hashed in parallel processes first
(``verification.checked_in_parallel``) names exactly what one process names: the same first problem at
the same position, the same head.

Runs on SQLite and PostgreSQL (``db_url``), on the 40 chained events of ``test_chain`` in windows of 4
(ten windows, two workers forked from the test's process whatever the machine has), each tampering
made behind the ledger's back as there.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from ledger.adapters import verification
from ledger.adapters.chain import Digest, Head
from ledger.adapters.store import SQLStore
from ledger.adapters.verification import Verifier, checked_in_parallel, verify_store, walk_chain
from tests.integration.test_chain import N, Raw, filled, flip, long_case  # noqa: F401 - a fixture

WINDOW = 4


def _found(store: SQLStore, processes: int, digests: list[Digest] | None = None) -> tuple[Any, ...]:
    report = verify_store(store, digests or [], window=WINDOW, processes=processes)
    problem = report.problem
    return (problem.kind, problem.position, problem.detail) if problem else None, report.head, report.events


def _swap(raw: Raw, table: str, key: str, a: int, b: int) -> None:
    raw(f"UPDATE {table} SET {key} = ? WHERE {key} = ?", -1000, a)
    raw(f"UPDATE {table} SET {key} = ? WHERE {key} = ?", a, b)
    raw(f"UPDATE {table} SET {key} = ? WHERE {key} = ?", b, -1000)


TAMPERINGS = {
    "none": lambda raw: None,
    "payload-in-the-first-share": lambda raw: raw("UPDATE ledger_events SET state = ? WHERE id = ?",
                                                  raw.state(7) + b" ", 7),
    "link-in-the-second-share": lambda raw: raw("UPDATE ledger_chain SET hash = ? WHERE position = ?",
                                                flip(raw.entry(23)[2]), 23),
    "event-deleted-at-a-window's-start": lambda raw: raw("DELETE FROM ledger_events WHERE id = ?", 21),
    "entry-deleted-at-a-window's-end": lambda raw: raw("DELETE FROM ledger_chain WHERE position = ?", 12),
    "events-swapped-across-windows": lambda raw: _swap(raw, "ledger_events", "id", 20, 21),
    "the-last-event-deleted": lambda raw: raw("DELETE FROM ledger_events WHERE id = ?", N),
}


@pytest.mark.parametrize("tampering", list(TAMPERINGS))
def test_parallel_verification_names_what_one_process_names(db_url: str, tampering: str) -> None:
    store = filled(db_url)
    raw = Raw(db_url)
    try:
        TAMPERINGS[tampering](raw)
    finally:
        raw.conn.close()
    alone = _found(store, processes=1)
    assert (alone[0] is None) == (tampering == "none")
    assert _found(store, processes=2) == alone


def test_a_digest_inside_a_window_checked_by_a_worker_is_still_checked(db_url: str) -> None:
    store = filled(db_url)
    head = verify_store(store, processes=1).head
    with store.read() as conn:
        at_10 = store.chain_window(conn, 10, 10, 0)[1][10][2]
    good, bad = Digest(Head(10, at_10)), Digest(Head(10, flip(at_10)))
    assert _found(store, 2, [good])[0] is None
    assert _found(store, 2, [bad])[:1] == _found(store, 1, [bad])[:1] == (("digest_mismatch", 10,
                                                                           {"last_matching_digest": 0}),)
    assert _found(store, 2, [good])[1] == head


def test_windows_checked_by_workers_are_taken_and_only_where_they_start_from_the_verified_link(
        db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each window is hashed in a worker (not here), and the walk here takes it; a window whose
    recorded start is not the link verified so far is checked here instead."""
    store = filled(db_url)
    head = verify_store(store, processes=1).head
    checked = checked_in_parallel(store, WINDOW, processes=2).windows
    assert sorted(checked) == list(range(1, N + 1, WINDOW))
    seen: list[int] = []
    real = verification.intact_window

    def here(store: Any, conn: Any, verifier: Any, start: int, stop: int, collect: Any = None) -> bool:
        seen.append(start)
        return real(store, conn, verifier, start, stop, collect)

    monkeypatch.setattr(verification, "intact_window", here)
    verifier = Verifier()
    with store.read() as conn:
        assert walk_chain(store, conn, verifier, WINDOW, checked) is None
    assert seen == [] and verifier.head == head
    stop, start_link, end_link = checked[9]
    checked[9] = (stop, flip(start_link), end_link)  # as if read from rows rewritten meanwhile
    verifier = Verifier()
    with store.read() as conn:
        assert walk_chain(store, conn, verifier, WINDOW, checked) is None
    assert seen == [9] and verifier.head == head


def test_the_verify_command_hashes_a_long_chain_in_worker_processes(
        db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Any) -> None:
    """``ledger verify`` forks (it holds no connection when it verifies): the windows are hashed in
    other processes, and the command says the chain is whole."""
    import threading

    from ledger.application.demo import generate
    from tests.helpers import batch_at, run_cli

    generate(batch_at(db_url, "demo"), cases=12, years=1, seed=3)
    SQLStore.dispose_all()
    runners_own = threading.active_count() - 1  # the test runner's threads, not the command's
    real_count = threading.active_count
    monkeypatch.setattr(threading, "active_count", lambda: real_count() - runners_own)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})  # two cores, whatever the machine has
    monkeypatch.setattr(verification, "PARALLEL_FROM", 1)
    monkeypatch.setattr(verification, "WINDOW", 50)
    hashed_in = tmp_path / "hashed-in"
    real = verification.intact_window

    def noting_the_process(store: Any, conn: Any, verifier: Any, start: int, stop: int, collect: Any = None) -> bool:
        with hashed_in.open("a") as out:
            out.write(f"{os.getpid()}\n")
        return real(store, conn, verifier, start, stop, collect)

    monkeypatch.setattr(verification, "intact_window", noting_the_process)
    result = run_cli(capsys, db_url, "verify", "--json")
    assert result.code == 0, result.err
    assert '"ok": true' in result.out
    processes = hashed_in.read_text().split()
    assert len(processes) > 2 and str(os.getpid()) not in processes, "the windows were hashed in this process"


def test_a_window_that_grew_after_the_workers_read_it_is_checked_here(db_url: str) -> None:
    """Events appended between the workers' reads and this one's: the last window is longer now, and
    is checked here, from the link the walk has reached (no false alarm, nothing skipped)."""
    from ledger.adapters.recorder import LedgerRecorder
    from tests.integration.test_chain import events

    store = filled(db_url)
    checked = checked_in_parallel(store, 6, processes=2).windows
    assert checked[37][0] == N  # the last window was 37..40
    LedgerRecorder(store).insert_events(events(N + 1, 3))
    verifier = Verifier()
    with store.read() as conn:
        assert walk_chain(store, conn, verifier, 6, checked) is None
    assert verifier.head == verify_store(store, processes=1).head and verifier.position == N + 3


def _altered_state(db: Raw, stream: Any) -> None:
    from tests.integration.test_chain import _snapshot

    db("UPDATE ledger_snapshots SET state = ?", _snapshot(db, stream).replace(b'"contacts":97', b'"contacts":98'))


def _snapshot_of_no_stream(db: Raw, stream: Any) -> None:
    from tests.integration.test_chain import _other_stream

    _other_stream(db, stream)


@pytest.mark.parametrize("tamper", [None, _altered_state, _snapshot_of_no_stream,
                                    lambda db, s: db("UPDATE ledger_snapshots SET originator_version = ?", 500)],
                         ids=["none", "state", "other-stream", "version-beyond"])
def test_snapshots_checked_by_workers_give_the_report_of_one_process(long_case: tuple[Any, str, Raw],  # noqa: F811
                                                                     tamper: Any) -> None:
    """A case with a snapshot at its 100th event: workers check the streams' snapshots too, and a stream
    they did not find whole is checked here, so the problem is named as one process names it."""
    from ledger.adapters.chain import stream_text
    from ledger.domain.aggregates import case_id

    app, case, db = long_case
    stream = case_id(case)
    if tamper is not None:
        tamper(db, stream)
    store = app.factory.store
    checked = checked_in_parallel(store, 50, processes=2, mapper=app.mapper, snapshots=True)
    with store.read() as conn:
        every = {stream_text(s) for s in store.snapshot_streams(conn)}
    if tamper is None:
        bad: set[str] = set()
    elif tamper is _snapshot_of_no_stream:
        bad = every - {str(stream)}
    else:
        bad = {str(stream)}
    assert len(every) == 1 + (tamper is _snapshot_of_no_stream) and checked.streams == every - bad
    reports = [verify_store(store, window=50, mapper=app.mapper, processes=n) for n in (1, 2)]
    assert reports[0].problem == reports[1].problem and reports[0].head == reports[1].head
    assert (reports[0].problem is None) == (tamper is None)


def _tamper_payload(url: str, position: int, state: bytes | None = None) -> bytes:
    """Event ``position``'s payload replaced (by ``state``, or by itself and a space); its old bytes."""
    raw = Raw(url)
    try:
        old = raw.state(position)
        raw("UPDATE ledger_events SET state = ? WHERE id = ?", old + b" " if state is None else state, position)
    finally:
        raw.conn.close()
    return old


def test_what_the_commands_read_holds_when_it_begins_is_what_is_verified(
        db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command's own read begins before the workers read (they are forked first and wait): a payload
    altered just before it is found, though the workers were already there when it was altered. On
    PostgreSQL the workers read the command's very snapshot: an alteration undone right after the
    command's read began is found too (on SQLite the workers' reads are their own, begun later)."""
    store = filled(db_url)
    real_share = store.dialect.share_read
    steps: list[str] = []

    def share_after_altering(conn: Any) -> Any:
        steps.append("altered")
        old = _tamper_payload(db_url, 7)
        name = real_share(conn)  # the command's snapshot: with the alteration
        if db_url.startswith("postgresql"):
            _tamper_payload(db_url, 7, old)  # undone at once: the workers must still see it altered
            steps.append("undone")
        return name

    monkeypatch.setattr(store.dialect, "share_read", share_after_altering)
    report = verify_store(store, window=WINDOW, processes=2)
    assert steps and report.problem is not None
    assert (report.problem.kind, report.problem.position) == ("payload_altered", 7)


def test_a_worker_that_fails_leaves_its_share_to_the_command(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker's error (here every worker's) does not end the command: it checks what the workers did not
    send, and names what one process names."""
    store = filled(db_url)

    def failing(*_: Any) -> None:
        raise RuntimeError("a worker that fails")

    monkeypatch.setattr(verification, "_check_share", failing)
    assert _found(store, processes=2) == _found(store, processes=1)
    _tamper_payload(db_url, 30)
    assert _found(store, processes=2)[0][:2] == ("payload_altered", 30)
