#!/usr/bin/env python3
"""Bulk append and full read of stored events: our recorder against baselines, in one run.

Run by hand (not in CI)::

    python bench/bench_append.py                  # 10 000 events
    python bench/bench_append.py --events 100000 --repeat 5

What is compared (every variant gets the SAME list of ``StoredEvent`` objects, built once from
realistic ledger events with the project's own mapper; each repeat writes into a fresh temp file;
every file is SQLite in WAL mode with ``synchronous=FULL``; all N events go in ONE transaction):

(a) raw ``sqlite3``: ``BEGIN IMMEDIATE`` + one ``executemany`` into a table shaped like
    ``ledger_events`` (same columns, types, primary key and unique (stream, version)) + COMMIT.
    The UUID -> text conversion and position numbering are inside the timing, as for (b).
(b) ``ledger.factory.store.LedgerRecorder.insert_events`` (SQLAlchemy Core, our locking) on a file.
(c) ``eventsourcing_sqlalchemy`` ``SQLAlchemyApplicationRecorder.insert_events`` (ORM), built by
    ``SQLAlchemyFactory`` from the environment variable ``SQLALCHEMY_URL``.
(d) reading all N rows back from the file written by (b), oldest first:
    raw ``sqlite3`` SELECT + ``json.loads`` of each state, against
    ``LedgerRecorder.select_notifications`` + ``PydanticMapper.to_domain_event`` (split into its
    two parts as well), and eventsourcing-sqlalchemy's ``select_notifications`` on (c)'s file.

Table creation and engine set-up are outside the timings. Figures are the median of the repeats
(the best is shown too). Ratios are "times slower than the raw baseline" (higher is slower).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import uuid4

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

RAW_SCHEMA = """
CREATE TABLE ledger_events (
    id INTEGER NOT NULL PRIMARY KEY,
    originator_id CHAR(32) NOT NULL,
    originator_version INTEGER NOT NULL,
    topic TEXT NOT NULL,
    state BLOB NOT NULL,
    CONSTRAINT ledger_events_stream_version UNIQUE (originator_id, originator_version)
)
"""


# -- the events ---------------------------------------------------------------------------------


def build_stored_events(n: int, streams: int, seed: int = 1) -> list[Any]:
    """N realistic events (contacts, payments, consents, threat assessments, follow-ups) over many case
    streams, versions 1.. per stream, encoded by the project's mapper exactly as the ledger stores them."""
    from ledger.adapters.mapper import PydanticMapper
    from ledger.domain import events as ev
    from ledger.domain.vocab import (
        Answer,
        AssessingUnit,
        ConsentForm,
        ContactChannel,
        FollowUpPoint,
        Housing,
        Occupation,
        Recipient,
        ThreatLevel,
    )

    rng = random.Random(seed)
    mapper = PydanticMapper()
    ids = [uuid4() for _ in range(streams)]
    versions = dict.fromkeys(ids, 0)
    start = date(2025, 1, 1)
    stored = []
    for i in range(n):
        stream = ids[rng.randrange(streams)]
        versions[stream] += 1
        day = start + timedelta(days=rng.randrange(600))
        meta = {
            "originator_id": stream,
            "originator_version": versions[stream],
            "recorded_at": datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=i),
            "recorded_by": rng.choice(["anna.s", "bertil.k", "cecilia.l", "david.m"]),
            "occurred_on": day,
            "note": rng.choice([None, None, "Samtal om boende och fortsatt stöd; nästa möte bokat."]),
        }
        kind = rng.random()
        if kind < 0.45:
            event = ev.ContactRecorded(channel=rng.choice(list(ContactChannel)),
                                       with_whom=rng.choice([None, "mamma", "handläggare Kriminalvården"]), **meta)
        elif kind < 0.75:
            event = ev.PaymentRecorded(
                payment_id=f"B{versions[stream]}", amount=Decimal(rng.randint(1000, 9_000_000)) / 100,
                period_start=day, period_end=day + timedelta(days=30), provider=rng.choice(["HVB1", "SKYDD2", "COACH3"]),
                placement_id=f"P{rng.randint(1, 3)}", invoice_number=f"F-{rng.randint(10000, 99999)}", **meta,
            )
        elif kind < 0.85:
            event = ev.ConsentGranted(recipient=rng.choice(list(Recipient)), provider=None,
                                      purpose="samverkan kring skydd och boende", form=ConsentForm.WRITTEN,
                                      valid_until=day + timedelta(days=365), **meta)
        elif kind < 0.93:
            event = ev.ThreatAssessmentReceived(assessing_unit=rng.choice(list(AssessingUnit)),
                                                threat_level=rng.choice(list(ThreatLevel)), protection_needed=True,
                                                criteria_met=rng.random() < 0.5, review_on=day + timedelta(days=90),
                                                **meta)
        else:
            event = ev.FollowUpRecorded(time_point=rng.choice(list(FollowUpPoint)), housing=rng.choice(list(Housing)),
                                        occupation=rng.choice(list(Occupation)), income_support=Answer.NO,
                                        substance_use=Answer.UNKNOWN, psychiatric_contact=Answer.NO,
                                        new_suspicion=Answer.NO, remaining_threat=Answer.UNKNOWN, **meta)
        stored.append(mapper.to_stored_event(event))
    return stored


# -- the variants -------------------------------------------------------------------------------


def raw_connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    return conn


def raw_append(path: Path, stored: list[Any]) -> tuple[float, str]:
    conn = raw_connect(path)
    conn.execute(RAW_SCHEMA)
    sync = conn.execute("PRAGMA synchronous").fetchone()[0]
    t0 = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    first = (conn.execute("SELECT max(id) FROM ledger_events").fetchone()[0] or 0) + 1
    conn.executemany(
        "INSERT INTO ledger_events (id, originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?, ?)",
        [(first + i, e.originator_id.hex, e.originator_version, e.topic, e.state) for i, e in enumerate(stored)],
    )
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - t0
    count = conn.execute("SELECT count(*) FROM ledger_events").fetchone()[0]
    conn.close()
    assert count == len(stored), count
    return elapsed, f"synchronous={sync}"


def ours_append(path: Path, stored: list[Any]) -> tuple[float, str]:
    from sqlalchemy import text

    from ledger.adapters.recorder import LedgerRecorder
    from ledger.adapters.store import SQLStore

    store = SQLStore(f"sqlite:///{path}")  # creates the tables: outside the timing
    recorder = LedgerRecorder(store)
    with store.read() as conn:
        sync = conn.execute(text("PRAGMA synchronous")).scalar()
        mode = conn.execute(text("PRAGMA journal_mode")).scalar()
    t0 = time.perf_counter()
    ids = recorder.insert_events(stored)
    elapsed = time.perf_counter() - t0
    assert ids == list(range(1, len(stored) + 1))
    assert recorder.max_notification_id() == len(stored)
    store.engine.dispose()
    return elapsed, f"synchronous={sync} journal_mode={mode}"


def es_sqlalchemy_recorder(path: Path) -> Any:
    from eventsourcing.utils import Environment
    from eventsourcing_sqlalchemy.factory import SQLAlchemyFactory
    from sqlalchemy import event

    os.environ["SQLALCHEMY_URL"] = f"sqlite:///{path}"
    factory = SQLAlchemyFactory(Environment(name="", env=dict(os.environ)))
    engine = factory.datastore.engine

    @event.listens_for(engine, "connect")
    def _sync(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute("PRAGMA synchronous=FULL")

    engine.dispose()  # every connection from here on gets the pragma
    recorder = factory.application_recorder()  # creates the table (and switches to WAL on first use)
    recorder.max_notification_id()
    return factory, recorder


def es_append(path: Path, stored: list[Any]) -> tuple[float, str]:
    from sqlalchemy import text

    factory, recorder = es_sqlalchemy_recorder(path)
    with factory.datastore.engine.connect() as conn:
        sync = conn.execute(text("PRAGMA synchronous")).scalar()
        mode = conn.execute(text("PRAGMA journal_mode")).scalar()
    t0 = time.perf_counter()
    ids = recorder.insert_events(stored)
    elapsed = time.perf_counter() - t0
    assert list(ids) == list(range(1, len(stored) + 1))
    factory.datastore.engine.dispose()
    return elapsed, f"synchronous={sync} journal_mode={mode}"


def raw_read(path: Path) -> tuple[float, float, float]:
    """Seconds for SELECT + json.loads, and for each part alone."""
    conn = raw_connect(path)
    t0 = time.perf_counter()
    rows = conn.execute(
        "SELECT id, originator_id, originator_version, topic, state FROM ledger_events ORDER BY id"
    ).fetchall()
    t1 = time.perf_counter()
    decoded = [json.loads(r[4]) for r in rows]
    t2 = time.perf_counter()
    conn.close()
    assert len(decoded) == len(rows)
    return t2 - t0, t1 - t0, t2 - t1


def ours_read(path: Path, n: int) -> tuple[float, float, float]:
    """Seconds for select_notifications + decode, and for each part alone."""
    from ledger.adapters.mapper import PydanticMapper
    from ledger.adapters.recorder import LedgerRecorder
    from ledger.adapters.store import SQLStore

    store = SQLStore(f"sqlite:///{path}")
    recorder = LedgerRecorder(store)
    recorder.max_notification_id()  # connect outside the timing
    mapper = PydanticMapper()
    t0 = time.perf_counter()
    notes = recorder.select_notifications(None, n)
    t1 = time.perf_counter()
    events = [mapper.to_domain_event(note) for note in notes]
    t2 = time.perf_counter()
    store.engine.dispose()
    assert len(events) == n
    return t2 - t0, t1 - t0, t2 - t1


def es_read(path: Path, n: int) -> float:
    factory, recorder = es_sqlalchemy_recorder(path)
    t0 = time.perf_counter()
    notes = recorder.select_notifications(None, n)
    elapsed = time.perf_counter() - t0
    factory.datastore.engine.dispose()
    assert len(notes) == n
    return elapsed


# -- the run ------------------------------------------------------------------------------------


def measure(repeat: int, run: Callable[[Path], Any], workdir: Path, label: str) -> list[Any]:
    results = []
    for i in range(repeat):
        folder = workdir / f"{label}-{i}"
        folder.mkdir()
        results.append(run(folder / "events.sqlite3"))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=10_000, help="events per bulk append (default 10 000)")
    parser.add_argument("--streams", type=int, default=0, help="case streams (default events/20)")
    parser.add_argument("--repeat", type=int, default=3, help="fresh files per variant (default 3)")
    parser.add_argument("--keep", action="store_true", help="keep the temp files")
    args = parser.parse_args()
    n, repeat = args.events, args.repeat
    streams = args.streams or max(1, n // 20)

    import eventsourcing
    import sqlalchemy

    try:
        from importlib.metadata import version

        es_sa = version("eventsourcing-sqlalchemy")
        es = version("eventsourcing")
    except Exception:  # noqa: BLE001
        es_sa, es = "?", getattr(eventsourcing, "__version__", "?")

    print(f"Python {platform.python_version()} on {platform.platform()}, SQLite {sqlite3.sqlite_version}, "
          f"SQLAlchemy {sqlalchemy.__version__}, eventsourcing {es}, eventsourcing-sqlalchemy {es_sa}")
    t0 = time.perf_counter()
    stored = build_stored_events(n, streams)
    built = time.perf_counter() - t0
    size = sum(len(e.state) for e in stored)
    print(f"{n} events over {streams} streams built and mapped in {built:.2f} s "
          f"({n / built:,.0f} events/s); state {size / n:.0f} bytes/event on average")
    print(f"each figure: median of {repeat} runs, each on a fresh temp file, all {n} events in one transaction; "
          f"WAL + synchronous=FULL everywhere\n")

    workdir = Path(tempfile.mkdtemp(prefix="bench_append_"))
    try:
        raw = measure(repeat, lambda p: raw_append(p, stored), workdir, "raw")
        ours = measure(repeat, lambda p: ours_append(p, stored), workdir, "ours")
        esa = measure(repeat, lambda p: es_append(p, stored), workdir, "es")

        def line(label: str, runs: list[tuple[float, str]], base: float | None) -> float:
            times = [r[0] for r in runs]
            med = statistics.median(times)
            ratio = f"{med / base:6.2f}x raw" if base else "  baseline"
            print(f"  {label:<58} {n / med:>11,.0f} ev/s  (best {n / min(times):>9,.0f})  {ratio}   [{runs[0][1]}]")
            return med

        print("Bulk append (events/s, higher is better):")
        base = line("(a) raw sqlite3 executemany", raw, None)
        line("(b) ledger.factory.store.LedgerRecorder.insert_events", ours, base)
        line("(c) eventsourcing-sqlalchemy SQLAlchemyApplicationRecorder", esa, base)

        print("\nFull read of all rows, oldest first (events/s, higher is better), file written by (b):")
        raw_reads = [raw_read(workdir / f"ours-{i}" / "events.sqlite3") for i in range(repeat)]
        our_reads = [ours_read(workdir / f"ours-{i}" / "events.sqlite3", n) for i in range(repeat)]
        es_reads = [es_read(workdir / f"es-{i}" / "events.sqlite3", n) for i in range(repeat)]

        def rline(label: str, times: list[float], base: list[float] | None, against: str = "") -> None:
            med = statistics.median(times)
            ratio = f"{med / statistics.median(base):6.2f}x {against}" if base else "  baseline"
            print(f"  {label:<58} {n / med:>11,.0f} ev/s  (best {n / min(times):>9,.0f})  {ratio}")

        raw_total, raw_select, raw_loads = ([r[k] for r in raw_reads] for k in range(3))
        rline("(d) raw sqlite3 SELECT + json.loads", raw_total, None)
        rline("    raw sqlite3 SELECT alone", raw_select, None)
        rline("    raw json.loads alone", raw_loads, None)
        rline("(d) select_notifications + PydanticMapper.to_domain_event", [r[0] for r in our_reads], raw_total,
              "raw SELECT+json.loads")
        rline("    select_notifications alone", [r[1] for r in our_reads], raw_select, "raw SELECT")
        rline("    to_domain_event alone (json + pydantic validation)", [r[2] for r in our_reads], raw_loads,
              "raw json.loads")
        rline("(d) eventsourcing-sqlalchemy select_notifications (no decode)", es_reads, raw_select, "raw SELECT")
    finally:
        if args.keep:
            print(f"\nfiles kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
