"""Several OS processes writing to one store at once lose nothing and number nothing twice.

Each worker is a separate process (multiprocessing 'spawn': own interpreter, own engine, own
connections) started behind a barrier so that the writes really overlap. The application
re-runs a command when another writer got to the same stream first (``IntegrityError`` on
(stream, version)); these tests check the store's side of that promise: every success is
stored exactly once, stream versions are contiguous, notification ids are gapless, and a
writer killed in the middle of a large transaction leaves all or nothing of it behind.
Runs on SQLite (file) and PostgreSQL (``db_url``).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.conftest import TEST_PNR
from tests.integration import _proc

CONTEXT = multiprocessing.get_context("spawn")
ROOT = Path(__file__).parents[2]


class Workers:
    """``count`` worker processes ('spawn') that run tasks of ``tests.integration._proc`` in step."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.barrier = CONTEXT.Barrier(count)
        self.results = CONTEXT.Queue()
        self.inboxes = [CONTEXT.Queue() for _ in range(count)]
        self.procs = [
            CONTEXT.Process(target=_proc.serve, args=(self.inboxes[i], self.barrier, self.results, i), daemon=True)
            for i in range(count)
        ]
        for proc in self.procs:
            proc.start()

    def run(self, task: str, kwargs_for: Any, timeout: float = 120) -> list[dict[str, Any]]:
        """Give every worker the task (``kwargs_for(worker)``), wait for all reports."""
        for i, inbox in enumerate(self.inboxes):
            inbox.put((task, kwargs_for(i)))
        reports = [self.results.get(timeout=timeout) for _ in range(self.count)]
        return sorted(reports, key=lambda r: r["worker"])

    def close(self) -> None:
        for inbox in self.inboxes:
            inbox.put(None)
        for proc in self.procs:
            proc.join(timeout=30)
            if proc.is_alive():
                proc.kill()
                proc.join()
        assert [proc.exitcode for proc in self.procs] == [0] * self.count


def _stream_versions(url: str, case: str) -> list[int]:
    from ledger.adapters.schema import events_table
    from ledger.adapters.store import SQLStore
    from ledger.domain.aggregates import case_id

    store = SQLStore.for_url(url)
    t = events_table
    with store.read() as conn:
        return [r[0] for r in conn.execute(
            select(t.c.originator_version).where(t.c.originator_id == case_id(case)).order_by(t.c.originator_version))]


def _provider_events(url: str) -> list[int]:
    from ledger.adapters.schema import events_table
    from ledger.adapters.store import SQLStore

    with SQLStore.for_url(url).read() as conn:
        return [r[0] for r in conn.execute(
            select(events_table.c.id).where(events_table.c.topic.like("%ProviderRegistered")))]


def _notification_ids(url: str) -> list[int]:
    from ledger.adapters.schema import events_table
    from ledger.adapters.store import SQLStore

    store = SQLStore.for_url(url)
    with store.read() as conn:
        return [r[0] for r in conn.execute(select(events_table.c.id).order_by(events_table.c.id))]


def _assert_gapless(url: str) -> int:
    ids = _notification_ids(url)
    assert ids == list(range(1, len(ids) + 1)), "notification ids must be 1..n without gaps or repeats"
    return len(ids)


def _open_one_case(url: str, pnr: str = TEST_PNR[0]) -> str:
    from tests.helpers import ledger_at

    app = ledger_at(url, "setup")
    return app.open_case(pnr, gender="woman", environment="criminal", source="police", on="2026-10-01")


def _resolved(db_url: str) -> str:
    from ledger.adapters.config import resolve_url

    return resolve_url(db_url)


# -- many writers, one case --------------------------------------------------------------------

WORKERS = 3
CONTACTS = 40  # per worker, all on the same case
OPENS = 5  # cases opened per worker


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def contended(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """One empty store per backend, hammered once; the tests below check different promises on the outcome.

    Phase 0: WORKERS processes open the brand-new store (creating its tables) and write, at once.
    Phase 1: they record CONTACTS contacts each on one case at the same time.
    Phase 2: they open OPENS cases each (for different people) at the same time.
    Phase 3: they open the read side for the first time (projection tables created) and list cases.
    """
    from tests import conftest

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LEDGER_TODAY", conftest.TODAY)  # the children inherit it
        if request.param == "sqlite":
            db = f"sqlite:///{tmp_path_factory.mktemp('contended') / 'ledger.sqlite3'}"
        else:
            conftest.need_pg()
            db = conftest._fresh_pg_database()
        url = _resolved(db)
        workers = Workers(WORKERS)
        try:
            first = workers.run("first_use", lambda i: {"url": url})
            case = _open_one_case(url, TEST_PNR[0])  # AVH-2026-0001
            contacts = workers.run("record_contacts", lambda i: {"url": url, "case": case, "n": CONTACTS})
            people = [TEST_PNR[10 + w * OPENS:10 + (w + 1) * OPENS] for w in range(WORKERS)]
            opens = workers.run("open_cases", lambda i: {"url": url, "identities": people[i]})
            reads = workers.run("read_side", lambda i: {"url": url})
            yield {"url": url, "case": case, "first_use": first, "contacts": contacts, "opens": opens,
                   "read_side": reads}
        finally:
            workers.close()
            from ledger.adapters.store import SQLStore

            SQLStore.dispose_all()
            if request.param == "postgres":
                conftest._drop_pg_database(db)


def test_concurrent_first_use_of_an_empty_store(contended: dict[str, Any]) -> None:
    """Several processes opening a brand-new store at once all get working tables and can write."""
    errors = [e for r in contended["first_use"] for e in r["errors"]]
    assert errors == [], errors
    from tests.helpers import ledger_at

    app = ledger_at(contended["url"], "check")
    for w in range(WORKERS):
        assert app._provider(f"P{w}").code == f"P{w}"
    assert len(_provider_events(contended["url"])) == WORKERS


def test_concurrent_contacts_on_one_case_lose_nothing(contended: dict[str, Any]) -> None:
    url, case, reports = contended["url"], contended["case"], contended["contacts"]
    errors = [e for r in reports for e in r["errors"]]
    assert errors == [], errors
    ok = sum(r["ok"] for r in reports)
    conflicts = sum(r["conflicts"] for r in reports)
    assert ok + conflicts == WORKERS * CONTACTS
    assert ok > 0
    # Every success is stored exactly once; a call that gave up left nothing behind.
    versions = _stream_versions(url, case)
    assert versions == list(range(1, 1 + ok + 1)), "case versions must be 1..(1+successes), contiguous"

    from tests.helpers import ledger_at

    app = ledger_at(url, "check")
    assert app.get_case(case).version == 1 + ok
    history = app.case_events(case)
    assert sum(type(e).__name__ == "ContactRecorded" for e in history) == ok
    for w, r in enumerate(reports):  # each worker's successes are its own events
        assert sum(e.recorded_by == f"worker{w}" for e in history) == r["ok"]
    ids = _notification_ids(url)
    assert ids == list(range(1, len(ids) + 1)), "notification ids must be 1..n without gaps or repeats"


def test_concurrent_open_case_allocates_distinct_gapless_numbers(contended: dict[str, Any]) -> None:
    url, reports = contended["url"], contended["opens"]
    errors = [e for r in reports for e in r["errors"]]
    assert errors == [], errors
    numbers = [n for r in reports for n in r["numbers"]]
    assert len(numbers) == len(set(numbers)), "a case number was handed out twice"
    assert set(numbers) == {f"AVH-2026-{k:04d}" for k in range(2, 2 + len(numbers))}, "numbers must be gapless"
    for r in reports:  # each worker saw its own numbers increase
        assert r["numbers"] == sorted(r["numbers"])

    from ledger.domain.aggregates import case_numbers_id
    from tests.helpers import ledger_at

    app = ledger_at(url, "check")
    for number in numbers:
        assert app.get_case(number).case_number == number
    allocations = list(app.events.get(case_numbers_id(2026)))
    assert [e.case_number for e in allocations] == [f"AVH-2026-{k:04d}" for k in range(1, 2 + len(numbers))]
    ids = _notification_ids(url)
    assert ids == list(range(1, len(ids) + 1))


def test_concurrent_first_use_of_the_read_side(contended: dict[str, Any]) -> None:
    """Several processes creating the projection tables and catching up at once all answer, alike."""
    reports = contended["read_side"]
    errors = [e for r in reports for e in r["errors"]]
    assert errors == [], errors
    from tests.helpers import Reads as ReadSide
    from tests.helpers import ledger_at

    expected = sorted((r["case"], r["event_count"]) for r in ReadSide(ledger_at(contended["url"], "c")).cases())
    opened = sum(len(r["numbers"]) for r in contended["opens"])
    assert len(expected) == 1 + opened
    assert all(r["cases"] == expected for r in reports)


def test_no_call_gives_up_under_this_much_contention(contended: dict[str, Any]) -> None:
    """A command re-runs on a conflict for up to ``RETRY_SECONDS`` (30 s), not a count of attempts: however
    loaded the machine, three writers that each commit in milliseconds never exhaust that."""
    calls = WORKERS * (CONTACTS + OPENS)
    conflicts = sum(r["conflicts"] for r in contended["contacts"] + contended["opens"])
    assert conflicts == 0, f"{conflicts} of {calls} calls raised ConcurrencyConflict (retries exhausted)"


# -- a writer killed in the middle of a large transaction -----------------------------------------


def _count(url: str) -> int:
    from ledger.adapters.schema import events_table
    from ledger.adapters.store import SQLStore

    with SQLStore.for_url(url).read() as conn:
        return int(conn.execute(select(func.count()).select_from(events_table)).scalar() or 0)


def test_writer_killed_mid_bulk_write_leaves_all_or_nothing(db_url: str) -> None:
    bulk = 50_000
    url = _resolved(db_url)
    case = _open_one_case(url)
    from tests.helpers import ledger_at, training_store

    app = ledger_at(url, "setup")
    for _ in range(3):
        app.record_contact(case, "phone", on="2026-11-01")
    training_store(url, "bulk", "after")  # the users the child and the check act as, before counting
    before = _assert_gapless(url)
    from ledger.adapters.store import SQLStore

    SQLStore.dispose_all()  # no connection of ours is open while the child writes

    # The child records `bulk` contacts on the case in one batch: one save, one transaction.
    code = (
        "import sys; from tests.integration._proc import bulk_write_then_hang as f; "
        "f(sys.argv[1], sys.argv[2], int(sys.argv[3]))"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    child = subprocess.Popen(
        [sys.executable, "-c", code, url, case, str(bulk)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, cwd=ROOT, env=env,
    )
    lines = []
    try:
        assert child.stdout is not None
        for line in child.stdout:
            lines.append(line.strip())
            if line.startswith("WRITING"):
                time.sleep(0.05)  # inside the INSERT of 50 000 rows (or, if that was quick, after it)
                child.send_signal(signal.SIGKILL)
                break
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=30)
    assert f"WRITING {bulk}" in lines, (lines, child.stderr.read() if child.stderr else "")
    assert child.returncode == -signal.SIGKILL, "the writer was killed, not finished"

    # All or nothing of the batch, and the store is still consistent and writable.
    after = _count(url)
    assert after in (before, before + bulk), f"a partial batch was stored: {after - before} of {bulk}"
    assert _assert_gapless(url) == after
    versions = _stream_versions(url, case)
    assert versions == list(range(1, len(versions) + 1))
    assert len(versions) in (4, 4 + bulk)

    app = ledger_at(url, "after")
    app.record_contact(case, "meeting", on="2026-11-02")
    assert _assert_gapless(url) == after + 1
    assert app.get_case(case).version == len(versions) + 1
    if url.startswith("sqlite"):
        from sqlalchemy import text

        with SQLStore.for_url(url).read() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
