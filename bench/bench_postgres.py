#!/usr/bin/env python3
"""Writing on PostgreSQL against raw psycopg, measured in the same run (by hand, not in CI).

    LEDGER_BENCH_PG_URL=postgresql://ledger@127.0.0.1:55432/postgres \\
        python bench/bench_postgres.py --store /tmp/ledger-bench-…/ledger.sqlite3
    python bench/bench_postgres.py --url postgresql://… --store … --only bulk --repeat 5

The stored events (payloads as the ledger stores them, encrypted parts and all) are read from a
kept SQLite store (``bench/bench_ledger.py --keep``); each part makes and drops its own scratch
databases on the server given (the URL's database is only used to create and drop them).

Prints, each beside its anchor measured in the same run, interleaved, the best of ``--repeat``:

Our stores are set up as ``ledger init`` sets up a real store: the author check (a trigger) is in the
path of every write; the bulk append and the single commits are also timed on a training store,
which has none. The scratch databases are made by the URL's login, which owns their tables: the
check asks who owns the table and lets the owner write. The single commits are also timed by a
worker's login (made for the run where the URL's login may create roles, the events' author set to
it), whose every payload's author the check reads.

- **bulk**: ``LedgerRecorder.insert_events`` of N stored events in one transaction (each event with
  its chain entry) vs raw psycopg ``COPY`` of the same rows into a table shaped like
  ``ledger_events`` (same columns, primary key and unique (stream, version)), in one transaction:
  text and binary ``COPY`` are both timed, the faster is the baseline;
- **commit**: one event per transaction, ``--commits`` in a row, ``--rounds`` rounds, through
  ``LedgerRecorder.insert_events`` vs raw psycopg: one single-row ``INSERT`` and ``COMMIT`` per event;
  also the same events on a store without the server-side append (the lock and the tail taken from
  the client, as before it), against the same anchor;
- **writers**: 8 threads, each with its own engine (ours) or connection (raw), writing one event per
  transaction at once: ours vs raw writers that take the ledger's advisory lock in each
  transaction and number the row under it (and raw writers without the lock, for reference);
  afterwards every event must be there, positions 1..n without gaps, and the chain must verify.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from uuid import UUID

SECTIONS = ("bulk", "commit", "writers")
RAW_TABLE = """
CREATE TABLE raw_events (
    id BIGINT NOT NULL PRIMARY KEY,
    originator_id UUID NOT NULL,
    originator_version BIGINT NOT NULL,
    topic TEXT NOT NULL,
    state BYTEA NOT NULL,
    CONSTRAINT raw_events_stream_version UNIQUE (originator_id, originator_version)
)"""
RAW_INSERT = "INSERT INTO raw_events (id, originator_id, originator_version, topic, state) VALUES (%s, %s, %s, %s, %s)"
#: The ledger's write lock (ledger.adapters.dialect._LOCKS["events"]).
LOCK = "SELECT pg_advisory_xact_lock(1279608135, 1)"


def line(label: str, value: str, baseline: str, ratio: float) -> None:
    print(f"  {label:<44} {value:>16}   baseline {baseline:>16}   ratio {ratio:6.2f}")


def as_author(events: Sequence[Any], login: str) -> list[Any]:
    """The same events recorded by ``login`` (``"s"."recorded_by"``, which the author check compares with
    the inserting login), as a worker's own writes are."""
    import re

    from eventsourcing.persistence import StoredEvent

    author = re.compile(rb'"recorded_by":"[^"\\]*"')
    new = b'"recorded_by":"' + login.encode() + b'"'
    return [StoredEvent(e.originator_id, e.originator_version, e.topic, author.sub(new, e.state, count=1))
            for e in events]


def stored_events(store: Path, n: int) -> list[Any]:
    """The first ``n`` stored events of a kept SQLite store, as the recorder is given them."""
    from eventsourcing.persistence import StoredEvent

    con = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    try:
        return [StoredEvent(UUID(o), int(v), t, bytes(s)) for o, v, t, s in con.execute(
            "SELECT originator_id, originator_version, topic, state FROM ledger_events ORDER BY id LIMIT ?", (n,))]
    finally:
        con.close()


class Server:
    """Scratch databases on one server, dropped at the end."""

    def __init__(self, url: str) -> None:
        self.url = url if "://" in url else "postgresql://" + url
        self.made: list[str] = []
        self.workers: list[str] = []

    def fresh(self) -> str:
        """A new, empty database; its URL as psycopg takes it."""
        import psycopg

        name = f"ledger_bench_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.made.append(name)
        return self.url.rsplit("/", 1)[0] + "/" + name

    def worker(self, url: str) -> tuple[str, str] | None:
        """A login of the ledger's role of the scratch database at ``url``, as the database administrator
        makes a worker's (docs/deployment.md): its name and URL, or ``None`` when this server's login may
        not create roles."""
        import psycopg

        database = url.rsplit("/", 1)[1]
        login = f"{database}_worker"
        try:
            with psycopg.connect(self.url, autocommit=True) as conn:
                conn.execute(f'CREATE ROLE "{login}" LOGIN')
                conn.execute(f'GRANT "ledger_{database}" TO "{login}"')
        except psycopg.Error:
            return None
        self.workers.append(login)
        scheme, rest = url.split("://", 1)
        return login, f"{scheme}://{login}@{rest.split('@', 1)[-1]}"

    def drop_all(self) -> None:
        import psycopg

        from ledger.adapters.store import SQLStore

        SQLStore.dispose_all()
        with psycopg.connect(self.url, autocommit=True) as conn:
            for name in self.made:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                conn.execute(f'DROP ROLE IF EXISTS "ledger_{name}"')  # made by ``ledger init``'s setup (ours)
            for login in self.workers:
                conn.execute(f'DROP ROLE IF EXISTS "{login}"')
        self.made.clear()
        self.workers.clear()


def ours(url: str, *, prepare: bool = False, checked: bool = True) -> Any:
    """A recorder on its own store and engine (not the per-process shared one). ``prepare``: set the
    database up as ``ledger init`` does — with ``checked``, as a real store, the author check in the
    path of every write (issue 13 asks for the figures with the access checks on); without, as a
    training store, which has no author check."""
    from ledger.adapters.config import resolve_url
    from ledger.adapters.recorder import LedgerRecorder
    from ledger.adapters.store import SQLStore

    store = SQLStore(resolve_url(url))  # the event tables made here
    if prepare:
        store.prepare(training=not checked)
    return LedgerRecorder(store)


def raw_connection(url: str, table: bool = False) -> Any:
    import psycopg

    conn = psycopg.connect(url)
    if table:
        conn.execute(RAW_TABLE)
        conn.commit()
    return conn


def rows_of(events: Sequence[Any], first: int = 1) -> list[tuple[Any, ...]]:
    return [(first + i, e.originator_id, e.originator_version, e.topic, e.state) for i, e in enumerate(events)]


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


@contextmanager
def scratch(server: Server) -> Iterator[None]:
    try:
        yield
    finally:
        server.drop_all()


# -- (a) bulk append ---------------------------------------------------------------------------------


def bulk(server: Server, events: Sequence[Any], repeat: int) -> None:
    n = len(events)
    print(f"Bulk append of {n} stored events, one transaction (best of {repeat} each, interleaved, fresh databases):")
    rows = rows_of(events)
    times: dict[str, list[float]] = {"text": [], "binary": [], "ours": [], "unchecked": []}
    with scratch(server):
        for _ in range(repeat):
            for kind in ("text", "binary"):
                raw = raw_connection(server.fresh(), table=True)

                def copy(raw: Any = raw, binary: bool = kind == "binary") -> None:
                    columns = "raw_events (id, originator_id, originator_version, topic, state)"
                    with raw.cursor() as cursor, cursor.copy(
                            f"COPY {columns} FROM STDIN" + (" (FORMAT BINARY)" if binary else "")) as out:
                        if binary:
                            out.set_types(["int8", "uuid", "int8", "text", "bytea"])
                        for row in rows:
                            out.write_row(row)
                    raw.commit()

                times[kind].append(timed(copy))
                assert raw.execute("SELECT count(*) FROM raw_events").fetchone() == (n,)
                raw.close()
            for kind, checked in (("ours", True), ("unchecked", False)):
                recorder = ours(server.fresh(), prepare=True, checked=checked)
                times[kind].append(timed(lambda recorder=recorder: recorder.insert_events(events)))
                _check(recorder.store, n)
                recorder.store.engine.dispose()
    best = {kind: min(found) for kind, found in times.items()}
    anchor = min(best["text"], best["binary"])
    line("insert_events, one transaction (events/s)", f"{n / best['ours']:,.0f}", f"COPY {n / anchor:,.0f}",
         anchor / best["ours"])
    print(f"  (raw COPY: text {n / best['text']:,.0f} events/s, binary {n / best['binary']:,.0f}; the faster is the "
          "baseline)")
    line("  the same without the author check (events/s)", f"{n / best['unchecked']:,.0f}", f"COPY {n / anchor:,.0f}",
         anchor / best["unchecked"])


# -- (b) one event per transaction ---------------------------------------------------------------------


def commits(server: Server, events: Sequence[Any], per_round: int, rounds: int) -> None:
    print(f"\nOne event per transaction, {per_round} in a row (best of {rounds} rounds each, interleaved):")
    with scratch(server):
        recorder = ours(server.fresh(), prepare=True)
        unchecked = ours(server.fresh(), prepare=True, checked=False)
        locked = ours(server.fresh(), prepare=True)
        locked.store.append_function = None  # as a store without the server-side append
        worker_db = server.fresh()
        ours(worker_db, prepare=True).store.engine.dispose()
        login = server.worker(worker_db)
        worker = ours(login[1]) if login is not None else None
        worker_events = as_author(events, login[0]) if login is not None else []
        raw = raw_connection(server.fresh(), table=True)
        rows = rows_of(events)
        for warm in (recorder, unchecked, locked):  # the pool's connection made, statements seen once
            warm.insert_events([events[0]])
        if worker is not None:
            worker.insert_events([worker_events[0]])
        raw.execute(RAW_INSERT, rows[0])
        raw.commit()
        done = 1
        raw_best = our_best = unchecked_best = locked_best = worker_best = float("inf")
        for _ in range(rounds):
            batch = range(done, done + per_round)
            if batch.stop > len(events):
                raise SystemExit(f"--events {len(events)} is too few for {rounds} rounds of {per_round}")

            def raw_round(batch: range = batch) -> None:
                for i in batch:
                    raw.execute(RAW_INSERT, rows[i])
                    raw.commit()

            def our_round(batch: range = batch, recorder: Any = recorder) -> None:
                for i in batch:
                    recorder.insert_events([events[i]])

            raw_best = min(raw_best, timed(raw_round))
            our_best = min(our_best, timed(our_round))
            unchecked_best = min(unchecked_best, timed(lambda batch=batch: our_round(batch, unchecked)))
            if worker is not None:
                worker_best = min(worker_best, timed(lambda batch=batch: [worker.insert_events([worker_events[i]])
                                                                         for i in batch]))
            locked_best = min(locked_best, timed(lambda batch=batch: our_round(batch, locked)))
            done = batch.stop
        for store in (recorder, unchecked, locked, *([worker] if worker is not None else [])):
            assert store.max_notification_id() == done
            _check(store.store, done)
            store.store.engine.dispose()
        raw.close()
    line("insert_events, 1 event per commit (events/s)", f"{per_round / our_best:,.0f}",
         f"{per_round / raw_best:,.0f}", raw_best / our_best)
    line("  the same without the author check (events/s)", f"{per_round / unchecked_best:,.0f}",
         f"{per_round / raw_best:,.0f}", raw_best / unchecked_best)
    if worker_best < float("inf"):
        line("  the same by a worker's login (events/s)", f"{per_round / worker_best:,.0f}",
             f"{per_round / raw_best:,.0f}", raw_best / worker_best)
    else:
        print("  (no worker's login: this server's login may not create roles)")
    line("  the same under the client's lock (events/s)", f"{per_round / locked_best:,.0f}",
         f"{per_round / raw_best:,.0f}", raw_best / locked_best)


# -- (c) concurrent writers --------------------------------------------------------------------------


def writers(server: Server, events: Sequence[Any], count: int, each: int, repeat: int) -> None:
    total = count * each
    if total > len(events):
        raise SystemExit(f"--events {len(events)} is too few for {count} writers of {each}")
    print(f"\n{count} writer threads, {each} events each, one event per transaction (best of {repeat} each, "
          "interleaved, fresh databases):")
    slices = [events[w * each:(w + 1) * each] for w in range(count)]
    results: dict[str, list[float]] = {"ours": [], "raw+lock": [], "raw": []}
    with scratch(server):
        for _ in range(repeat):
            for kind in ("raw+lock", "ours", "raw"):
                url = server.fresh()
                if kind == "ours":
                    ours(url, prepare=True).store.engine.dispose()  # the tables, made before the clock starts
                    recorders = [ours(url) for _ in range(count)]

                    def work(w: int, recorders: list[Any] = recorders) -> None:
                        for e in slices[w]:
                            recorders[w].insert_events([e])
                else:
                    raw_connection(url, table=True).close()
                    conns = [raw_connection(url) for _ in range(count)]
                    locked = kind == "raw+lock"
                    if not locked:
                        conns[0].execute("CREATE SEQUENCE raw_position")
                        conns[0].commit()
                    insert = (
                        "INSERT INTO raw_events (id, originator_id, originator_version, topic, state) "
                        + ("SELECT COALESCE(MAX(id), 0) + 1, %s, %s, %s, %s FROM raw_events" if locked
                           else "VALUES (nextval('raw_position'), %s, %s, %s, %s)")
                    )

                    def work(w: int, conns: list[Any] = conns, locked: bool = locked, insert: str = insert) -> None:
                        conn = conns[w]
                        for e in slices[w]:
                            if locked:
                                conn.execute(LOCK)
                            conn.execute(insert, (e.originator_id, e.originator_version, e.topic, e.state))
                            conn.commit()

                results[kind].append(_in_threads(work, count))
                if kind == "ours":
                    for recorder in recorders:
                        recorder.store.engine.dispose()
                    checker = ours(url)
                    _check(checker.store, total)
                    checker.store.engine.dispose()
                else:
                    check = raw_connection(url)
                    found = check.execute("SELECT count(*), min(id), max(id) FROM raw_events").fetchone()
                    assert found == (total, 1, total), found
                    check.close()
                    for conn in conns:
                        conn.close()
    best = {kind: min(times) for kind, times in results.items()}
    line(f"{count} writers, insert_events (events/s)", f"{total / best['ours']:,.0f}",
         f"raw+lock {total / best['raw+lock']:,.0f}", best["raw+lock"] / best["ours"])
    line(f"{count} writers, raw without the lock (events/s)", f"{total / best['raw']:,.0f}",
         f"raw+lock {total / best['raw+lock']:,.0f}", best["raw+lock"] / best["raw"])
    print(f"  checked after each run: {total} events at positions 1..{total}, the chain verifies")


def _in_threads(work: Callable[[int], None], count: int) -> float:
    errors: list[BaseException] = []
    barrier = threading.Barrier(count + 1)

    def run(w: int) -> None:
        barrier.wait()
        try:
            work(w)
        except BaseException as error:  # noqa: BLE001 - reported after the run
            errors.append(error)

    threads = [threading.Thread(target=run, args=(w,)) for w in range(count)]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    if errors:
        raise errors[0]
    return seconds


def _check(store: Any, total: int) -> None:
    """Every event there, at positions 1..total, and the chain verifies."""
    from ledger.adapters.verification import Verifier, walk_chain

    with store.read() as conn:
        found = conn.exec_driver_sql("SELECT count(*), min(id), max(id) FROM ledger_events").one()
        assert tuple(found) == (total, 1, total), found
        assert store.counts(conn) == (total, total)
        problem = walk_chain(store, conn, Verifier())
        assert problem is None, problem


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=os.environ.get("LEDGER_BENCH_PG_URL"),
                        help="a PostgreSQL server (LEDGER_BENCH_PG_URL): scratch databases are made and dropped on it")
    parser.add_argument("--store", type=Path, required=True, help="a kept SQLite store to take stored events from")
    parser.add_argument("--events", type=int, default=10_000, help="events for the bulk append")
    parser.add_argument("--commits", type=int, default=50, help="single-event commits per round")
    parser.add_argument("--rounds", type=int, default=20, help="rounds of single-event commits, the best counts")
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--each", type=int, default=150, help="events per writer")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", choices=SECTIONS, action="append", help="run only this part (repeatable)")
    args = parser.parse_args()
    if not args.url:
        raise SystemExit("give a PostgreSQL server: --url or LEDGER_BENCH_PG_URL")
    sections = set(args.only or SECTIONS)
    need = max(args.events, 1 + args.commits * args.rounds, args.writers * args.each)
    events = stored_events(args.store, need)
    print(f"{len(events)} stored events from {args.store}; server {args.url.rsplit('@', 1)[-1]}\n")
    server = Server(args.url)
    if "bulk" in sections:
        bulk(server, events[:args.events], args.repeat)
    if "commit" in sections:
        commits(server, events, args.commits, args.rounds)
    if "writers" in sections:
        writers(server, events, args.writers, args.each, args.repeat)


if __name__ == "__main__":
    main()
