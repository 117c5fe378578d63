"""A long catch-up in parallel processes (``projections/parallel.py``) and a replay outside the write
lock (``runner.APART_FROM``) write exactly the rows one process under the lock writes.

Runs on SQLite and PostgreSQL (``db_url``). The stores are small, so the thresholds are lowered
here; the workers are forked from the test's process (``processes=2``, whatever the machine has).
"""

from __future__ import annotations

import os
import time
from typing import Any

import pytest

from ledger.domain.errors import StorageError
from tests.helpers import wrap_handlers
from tests.readside.test_rebuild import _tables


@pytest.fixture
def demo(db_url: str) -> Any:
    """A demo unit's store (two years, 30 cases) and its read side."""
    from ledger.application.demo import generate
    from tests.helpers import Reads, batch_at

    app = batch_at(db_url, "demo")
    generate(app, cases=30, years=2, seed=5)
    return Reads(app)


@pytest.fixture
def parallel(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any catch-up is long enough to go parallel and to replay apart from the lock."""
    from ledger.projections import runner

    monkeypatch.setattr(runner, "PARALLEL_FROM", 0)
    monkeypatch.setattr(runner, "APART_FROM", 0)


def _positions(side: Any) -> dict[str, int]:
    with side.store.read() as conn:
        return {p.name: side.store.position(conn, p.name) for p in side.projections}


def _head(side: Any) -> int:
    with side.store.read() as conn:
        return int(side.store.head(conn))


def _one_process(side: Any) -> dict[str, list[tuple]]:
    from ledger.projections import runner

    runner.rebuild(side.store, *side.projections)
    runner.catch_up(side.store, side.decode, side.projections, processes=1)
    return _tables(side)


def _money(side: Any) -> Any:
    return next(p for p in side.projections if p.name == "money").__class__


def test_groups_share_the_work_by_weight_and_one_process_keeps_them_all() -> None:
    from ledger.projections import all_projections
    from ledger.projections.runner import _groups

    chosen = all_projections()
    assert [[p.name for p in group] for group in _groups(chosen, 2)] == [["money"], ["case_list", "stats"]]
    assert sorted(len(group) for group in _groups(chosen, 8)) == [1, 1, 1]
    assert _groups(chosen, 1) == [chosen]


def test_a_process_with_threads_does_not_fork() -> None:
    import threading

    from ledger.projections import all_projections
    from ledger.projections.runner import _groups

    chosen = all_projections()
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert _groups(chosen, None) == [chosen]
    finally:
        release.set()
        other.join()


def test_parallel_catch_up_writes_the_rows_of_one_process(demo: Any, parallel: None) -> None:
    from ledger.projections import runner

    expected = _one_process(demo)
    assert sum(map(len, expected.values())) > 500, "the demo should fill every projection"
    runner.rebuild(demo.store, *demo.projections)
    seen: dict[str, list[int]] = {}
    reached = runner.catch_up(demo.store, demo.decode, demo.projections, batch=97, processes=2,
                              progress=lambda name, at, head: seen.setdefault(name, []).append(at))
    head = _head(demo)
    assert reached == {p.name: head for p in demo.projections}
    assert _tables(demo) == expected
    # every window of each projection was reported, by the worker that did it
    for p in demo.projections:
        assert seen[p.name] == sorted(seen[p.name]) and seen[p.name][-1] == head, p.name
        assert len(seen[p.name]) >= head // 97, p.name


def test_a_workers_error_is_raised_here_and_a_catch_up_afterwards_finishes(
        demo: Any, parallel: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from ledger.projections import runner

    expected = _one_process(demo)
    runner.rebuild(demo.store, *demo.projections)
    money = _money(demo)
    parent = os.getpid()

    def failing(handle: Any) -> Any:
        def handler(unit: Any, fact: Any) -> None:
            if os.getpid() != parent and fact["_position"] > 400:
                raise StorageError(reason="disk_full")
            handle(unit, fact)

        return handler

    real = wrap_handlers(monkeypatch, money, failing)
    with pytest.raises(StorageError) as raised:
        runner.catch_up(demo.store, demo.decode, demo.projections, batch=50, processes=2)
    assert raised.value.params == {"reason": "disk_full"}
    positions = _positions(demo)
    assert positions["money"] == 400, "the worker's windows before the error stay written"
    assert positions["case_list"] == positions["stats"] == _head(demo), "the other worker finished"

    monkeypatch.setattr(money, "handlers", real)
    runner.catch_up(demo.store, demo.decode, demo.projections, processes=2)
    assert _tables(demo) == expected


def test_a_killed_worker_leaves_its_last_window_and_this_process_does_the_rest(
        demo: Any, parallel: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from ledger.projections import runner

    expected = _one_process(demo)
    runner.rebuild(demo.store, *demo.projections)
    from ledger.projections import parallel as parallel_module

    parent = os.getpid()
    after_workers: list[dict[str, int]] = []

    def killed(handle: Any) -> Any:
        def handler(unit: Any, fact: Any) -> None:
            if os.getpid() != parent and fact["_position"] > 300:
                os._exit(9)  # no error, no clean-up: as if the process were killed
            handle(unit, fact)

        return handler

    wrap_handlers(monkeypatch, _money(demo), killed)
    real_in_parallel = parallel_module.in_parallel

    def watched(*args: Any) -> None:
        real_in_parallel(*args)
        after_workers.append(_positions(demo))

    monkeypatch.setattr(parallel_module, "in_parallel", watched)
    # The wrapped handlers kill only a worker: this process replays money itself, with them, to the head.
    assert runner.catch_up(demo.store, demo.decode, demo.projections, batch=50, processes=2)["money"] == _head(demo)
    assert after_workers[0]["money"] == 300, "the killed worker's last window stays written"
    assert after_workers[0]["case_list"] == _head(demo)
    assert _tables(demo) == expected


def test_a_replay_apart_from_the_lock_is_not_written_when_another_process_caught_up_meanwhile(
        demo: Any, parallel: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from ledger.adapters.store import SQLStore
    from ledger.projections import runner

    expected = _one_process(demo)
    runner.rebuild(demo.store, *demo.projections)
    real_replay = runner._replay
    others: list[dict[str, int]] = []

    def replay_while_another_catches_up(*args: Any) -> None:
        real_replay(*args)
        if not others:  # once: between this window's replay and its write, another updater does it all
            monkeypatch.setattr(runner, "_replay", real_replay)
            other = SQLStore(demo.store.url)
            try:
                others.append(runner.catch_up(other, demo.decode, demo.projections, processes=1))
            finally:
                other.engine.dispose()

    monkeypatch.setattr(runner, "_replay", replay_while_another_catches_up)
    reached = runner.catch_up(demo.store, demo.decode, demo.projections, processes=1)
    head = _head(demo)
    assert others == [{p.name: head for p in demo.projections}]
    assert reached == others[0]
    # Written twice, the payments would conflict and the counts in the case rows would be doubled.
    assert _tables(demo) == expected


def test_a_worker_that_cannot_start_stops_the_others_and_nothing_is_half_written(
        demo: Any, parallel: None, monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing

    from ledger.projections import runner

    expected = _one_process(demo)
    runner.rebuild(demo.store, *demo.projections)
    process_class = type(multiprocessing.get_context("fork").Process())
    real_start = process_class.start
    started: list[Any] = []

    def start(process: Any) -> None:
        if started:
            raise OSError(11, "Resource temporarily unavailable")  # fork's EAGAIN
        real_start(process)
        started.append(process)

    monkeypatch.setattr(process_class, "start", start)
    parent = os.getpid()

    def slow_in_a_worker(handle: Any) -> Any:  # the started worker is still at work when the next fails
        def handler(unit: Any, fact: Any) -> None:
            if os.getpid() != parent:
                time.sleep(0.5)
            handle(unit, fact)

        return handler

    real = wrap_handlers(monkeypatch, _money(demo), slow_in_a_worker)
    with pytest.raises(OSError):
        runner.catch_up(demo.store, demo.decode, demo.projections, batch=50, processes=2)
    assert not started[0].is_alive() and multiprocessing.active_children() == []
    monkeypatch.setattr(process_class, "start", real_start)
    monkeypatch.setattr(_money(demo), "handlers", real)
    runner.catch_up(demo.store, demo.decode, demo.projections, processes=1)
    assert _tables(demo) == expected


def test_the_rebuild_command_with_its_progress_bar_replays_in_worker_processes(
        demo: Any, db_url: str, parallel: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        tmp_path: Any) -> None:
    """The progress bar draws without a thread of its own: with one, the command would not fork."""
    import threading

    from tests.helpers import run_cli

    expected = _one_process(demo)
    runners_own = threading.active_count() - 1  # the test runner's threads, not the command's
    real_count = threading.active_count
    monkeypatch.setattr(threading, "active_count", lambda: real_count() - runners_own)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})  # two cores, whatever the machine has
    handled_in = tmp_path / "handled-in"
    _handled_in(monkeypatch, _money(demo), handled_in)
    result = run_cli(capsys, db_url, "projections", "rebuild")
    assert result.code == 0, result.err
    processes = set(handled_in.read_text().split())
    assert processes and str(os.getpid()) not in processes, "the money projection was replayed in this process"
    assert _tables(demo) == expected


def _handled_in(monkeypatch: pytest.MonkeyPatch, projection: Any, path: Any) -> None:
    """Every event the projection handles notes the process that handled it in ``path``."""

    def noting_the_process(handle: Any) -> Any:
        def handler(unit: Any, fact: Any) -> None:
            with path.open("a") as out:
                out.write(f"{os.getpid()}\n")
            handle(unit, fact)

        return handler

    wrap_handlers(monkeypatch, projection, noting_the_process)


def test_only_the_projections_far_behind_go_to_workers(demo: Any, parallel: None, monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Any) -> None:
    """A new version of one projection: it replays alone, in this process; the others are current."""
    from ledger.projections import runner

    monkeypatch.setattr(runner, "PARALLEL_FROM", 1)
    expected = _one_process(demo)
    money = _money(demo)
    runner.rebuild(demo.store, money())
    _handled_in(monkeypatch, money, tmp_path / "money")
    runner.catch_up(demo.store, demo.decode, demo.projections, processes=2)
    assert set((tmp_path / "money").read_text().split()) == {str(os.getpid())}
    assert _tables(demo) == expected


def test_no_fork_while_a_connection_is_open(demo: Any, parallel: None, monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Any) -> None:
    from ledger.projections import runner

    expected = _one_process(demo)
    runner.rebuild(demo.store, *demo.projections)
    _handled_in(monkeypatch, _money(demo), tmp_path / "money")
    with demo.store.read():  # a child would inherit this connection
        runner.catch_up(demo.store, demo.decode, demo.projections, processes=2)
    assert set((tmp_path / "money").read_text().split()) == {str(os.getpid())}
    assert _tables(demo) == expected


def test_a_wipe_by_another_process_during_a_window_keeps_the_corrections(app: Any, parallel: None,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A pass that began past zero has not read the corrections; when another process wipes the
    projections meanwhile, the replay from zero must start over and read them."""
    import random

    from ledger.adapters.store import SQLStore
    from ledger.projections import runner
    from ledger.projections.corrections import CORRECTION
    from tests.helpers import Reads
    from tests.readside.test_rebuild import _random_history

    side = Reads(app)
    _random_history(app, random.Random(3), 150)
    side.catch_up()
    behind = _head(side)
    for row in side.cases(status="open")[:4]:  # projections a few events behind: a pass that begins past zero
        app.record_contact(row["case"], "phone")
    assert _head(side) > behind
    with side.store.read() as conn:
        assert conn.exec_driver_sql(f"SELECT count(*) FROM ledger_events WHERE topic = '{CORRECTION}'").scalar()
    real_replay = runner._replay

    def replay_while_another_process_wipes(*args: Any) -> None:
        real_replay(*args)
        monkeypatch.setattr(runner, "_replay", real_replay)
        other = SQLStore(side.store.url)
        try:
            runner.rebuild(other, *side.projections)  # ``ledger projections rebuild`` elsewhere: the wipe
        finally:
            other.engine.dispose()

    monkeypatch.setattr(runner, "_replay", replay_while_another_process_wipes)
    runner.catch_up(side.store, side.decode, side.projections, processes=1)
    got = _tables(side)
    side.rebuild([p.name for p in side.projections])
    assert got == _tables(side)


def test_the_ledgers_errors_cross_a_process_boundary_as_themselves() -> None:
    import pickle

    from ledger.domain.errors import FileUnusable, NotFound

    for error in (StorageError(reason="locked"), NotFound(kind="case", ref="AVH-2024-0001"),
                  FileUnusable(file="x.zip", reason="disk_full")):
        back = pickle.loads(pickle.dumps(error))
        assert type(back) is type(error)
        assert back.params == error.params and back.exit_code == error.exit_code and str(back) == str(error)
