#!/usr/bin/env python3
"""The ledger's figures against baselines measured in the same run (by hand, not in CI).

    python bench/bench_ledger.py                 # about 10 000 events
    python bench/bench_ledger.py --events 1000000
    python bench/bench_ledger.py --store ledger.sqlite3 --only rebuild   # a store kept with --keep

Prints, each with its baseline and the ratio:
- bulk append of the same stored events: our recorder vs raw sqlite3 ``executemany``;
- full rebuild of every projection vs raw sqlite3 select + ``json.loads`` of the same rows
  (each timed ``--repeat`` times, interleaved, the best counts);
- one recording command, process start to exit, vs ``python -c pass`` and vs
  ``python -c "import sqlalchemy, pydantic"``; ``ledger --help`` likewise;
- ``ledger stats YEAR`` and ``ledger budget show YEAR`` on the large store, projections current;
- the chain walk of ``ledger verify`` (in process, snapshots and access log left out) vs a raw join of
  events and chain rows with both SHA-256s per row (the payload's and the link's), and the whole
  ``ledger verify`` command.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SECTIONS = ("append", "rebuild", "startup", "reading", "verify")


def timed(fn, repeat: int = 1) -> float:
    best = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best.append(time.perf_counter() - start)
    return min(best)


def run(cmd: list[str], repeat: int = 5, env: dict | None = None) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, env={**os.environ, "LEDGER_USER": "bench", **(env or {})})
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def line(label: str, value: str, baseline: str, ratio: float) -> None:
    print(f"  {label:<44} {value:>16}   baseline {baseline:>16}   ratio {ratio:6.2f}")


def _bench_user(db: Path) -> None:
    """The benchmark acts as ``bench``, a user with every role of a training store (the demo's are)."""
    from ledger.bootstrap import services
    from ledger.domain.permissions import Role

    every = [r.value for r in Role]
    found = services(str(db), "bench")
    users = found.users()
    if users is None:
        found.initialise(training=True, roles=every)
    elif "bench" not in users.users:
        services(str(db), users.active_admins()[0]).ledger.add_user("bench", every)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--store", type=Path, help="use (a copy of) this generated store instead of generating one")
    parser.add_argument("--only", choices=SECTIONS, action="append",
                        help="run only this section (repeatable); default: all")
    parser.add_argument("--repeat", type=int, default=3, help="rebuilds and raw reads timed, the best counts")
    parser.add_argument("--years", type=int, default=4,
                        help="years the demo spreads the cases over (more years: more people free to return; "
                             "Skatteverket has 4 759 test numbers and a person has one open case at a time)")
    args = parser.parse_args()
    sections = set(args.only or SECTIONS)

    from ledger.bootstrap import services

    work = Path(tempfile.mkdtemp(prefix="ledger-bench-"))
    db = work / "ledger.sqlite3"
    if args.store:
        shutil.copyfile(args.store, db)
        _bench_user(db)
        app = services(str(db), "bench").ledger
        n = app.event_count()
        print(f"Using a copy of {args.store}: {n} events\n")
    else:
        cases = max(10, args.events // 45)
        years = args.years
        print(f"Generating ~{args.events} events ({cases} cases over {years} years) into {db} ...")
        started = time.perf_counter()
        result = services(str(db), "bench").demo(cases=cases, years=years, seed=1, municipality="Benchkommun")
        print(f"  {result['events']} events in {time.perf_counter() - started:.1f} s (demo generator, batched)\n")
        n = result["events"]
        app = services(str(db), "bench").ledger
    if "append" in sections:
        bulk_append(app, work, n, args.repeat)
    side = services(str(db), "bench").read_side
    if "rebuild" in sections:
        rebuild(side, db, n, args.repeat)
    if "startup" in sections:
        startup(side, db)
    if "reading" in sections:
        side.catch_up()
        reading(db)
    if "verify" in sections:
        verify(db, n, args.repeat)
    if args.keep:
        print(f"\nkept {work}")
    else:
        shutil.rmtree(work)


def bulk_append(app: Any, work: Path, n: int, repeat: int) -> None:
    from ledger.adapters.recorder import LedgerRecorder
    from ledger.adapters.store import SQLStore

    print(f"Bulk append, one transaction, the same stored events (best of {repeat} each, interleaved, fresh files):")
    stored = app.recorder.select_notifications(1, n + 1)
    rows = [(s.id, s.originator_id.hex, s.originator_version, s.topic, s.state) for s in stored]
    raw_times, our_times = [], []
    for attempt in range(repeat):
        raw = sqlite3.connect(work / f"raw-{attempt}.sqlite3")
        raw.execute("PRAGMA journal_mode=WAL")
        raw.execute("PRAGMA synchronous=FULL")
        raw.execute("CREATE TABLE e (id INTEGER PRIMARY KEY, originator_id TEXT NOT NULL, originator_version "
                    "INTEGER NOT NULL, topic TEXT NOT NULL, state BLOB NOT NULL, "
                    "UNIQUE (originator_id, originator_version))")

        def raw_append(raw: sqlite3.Connection = raw) -> None:
            with raw:
                raw.executemany("INSERT INTO e VALUES (?, ?, ?, ?, ?)", rows)

        raw_times.append(timed(raw_append))
        raw.close()
        recorder = LedgerRecorder(SQLStore(f"sqlite:///{work / f'ours-{attempt}.sqlite3'}"))  # tables made here
        our_times.append(timed(lambda recorder=recorder: recorder.insert_events(stored)))
        recorder.store.engine.dispose()
    raw_seconds, ours_seconds = min(raw_times), min(our_times)
    line("LedgerRecorder.insert_events (events/s)", f"{n / ours_seconds:,.0f}", f"{n / raw_seconds:,.0f}",
         raw_seconds / ours_seconds)


def rebuild(side: Any, db: Path, n: int, repeat: int) -> None:
    """Wipe and replay every projection (``ReadSide.rebuild``, what ``ledger projections rebuild`` runs)."""
    print(f"\nFull rebuild of every projection vs raw select + json.loads (best of {repeat} each, interleaved):")
    con = sqlite3.connect(db)

    def raw_read() -> None:
        for (state,) in con.execute("SELECT state FROM ledger_events ORDER BY id"):
            json.loads(state)

    raw_read_seconds = rebuild_seconds = float("inf")
    for _ in range(repeat):  # interleaved, so a busy moment of the machine hits both alike
        raw_read_seconds = min(raw_read_seconds, timed(raw_read))
        rebuild_seconds = min(rebuild_seconds, timed(lambda: side.rebuild([p.name for p in side.projections])))
    con.close()
    line("rebuild money + case_list + stats (events/s)", f"{n / rebuild_seconds:,.0f}",
         f"{n / raw_read_seconds:,.0f}", raw_read_seconds / rebuild_seconds)
    before, peak = rebuild_peak_memory(db)
    print(f"  peak memory of a rebuild in its own process: {peak / 2**20:,.0f} MiB (VmHWM; "
          f"{before / 2**20:,.0f} MiB before it started, {(peak - before) / 2**20:,.0f} MiB more)")


def rebuild_peak_memory(db: Path) -> tuple[int, int]:
    """The high-water mark of resident memory (bytes) of a fresh process that opens the store and rebuilds
    every projection: before the rebuild (imports, store open) and after it.

    Read from ``VmHWM`` in ``/proc/self/status``, which belongs to the new process's memory alone:
    ``ru_maxrss`` (of the child, or ``RUSAGE_CHILDREN`` here) starts from this process's own peak,
    which Linux carries over into a child started by ``fork``/``vfork`` and ``exec``."""
    code = (
        "import sys\n"
        "from ledger.bootstrap import services\n"
        "def peak():\n"
        "    with open('/proc/self/status') as status:\n"
        "        return next(int(x.split()[1]) for x in status if x.startswith('VmHWM:'))\n"
        "side = services(sys.argv[1], 'bench').read_side\n"
        "before = peak()\n"
        "side.rebuild([p.name for p in side.projections])\n"
        "print(before, peak())\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(db)], check=True, capture_output=True, text=True,
                          env={**os.environ, "LEDGER_USER": "bench"})
    before, after = (int(kib) * 1024 for kib in done.stdout.split()[-2:])  # kibibytes
    return before, after


def startup(side: Any, db: Path) -> None:
    print("\nStart-up, median of 5 runs, process start to exit:")
    py = sys.executable
    ledger = str(Path(py).parent / "ledger")
    base_pass = run([py, "-c", "pass"])
    base_import = run([py, "-c", "import sqlalchemy, pydantic"])
    from datetime import date

    case = side.cases(today=date.today(), status="open")[0]["case"]  # a closed case takes only follow-ups
    record = run([ledger, "--db", str(db), "contact", "add", case, "--channel", "phone"])
    helptime = run([ledger, "--help"])
    line("ledger contact add (s)", f"{record:.3f}", f"pass {base_pass:.3f}", record / base_pass)
    line("ledger contact add vs import sqlalchemy,pydantic", f"{record:.3f}", f"{base_import:.3f}",
         record / base_import)
    line("ledger --help (s)", f"{helptime:.3f}", f"pass {base_pass:.3f}", helptime / base_pass)


def reading(db: Path) -> None:
    print("\nReading on the large store (projections current), median of 3:")
    py = sys.executable
    ledger = str(Path(py).parent / "ledger")
    base_pass = run([py, "-c", "pass"])
    year = time.localtime().tm_year
    subprocess.run([ledger, "--db", str(db), "projections", "status"], check=True, capture_output=True,
                   env={**os.environ, "LEDGER_USER": "bench"})
    stats_seconds = run([ledger, "--db", str(db), "stats", str(year), "--format", "json"], repeat=3)
    budget_seconds = run([ledger, "--db", str(db), "budget", "show", str(year), "--json"], repeat=3)
    line("ledger stats YEAR --format json (s)", f"{stats_seconds:.3f}", f"pass {base_pass:.3f}",
         stats_seconds / base_pass)
    line("ledger budget show YEAR --json (s)", f"{budget_seconds:.3f}", f"pass {base_pass:.3f}",
         budget_seconds / base_pass)


def verify(db: Path, n: int, repeat: int) -> None:
    """The chain walk against its anchor: the same rows joined and hashed by hand, nothing else."""
    import hashlib

    from ledger.adapters.store import SQLStore
    from ledger.adapters.verification import Verifier, walk_chain

    print(f"\nVerifying the chain (best of {repeat} each, interleaved):")
    con = sqlite3.connect(db)

    def raw_walk() -> None:
        previous = "0" * 64
        for position, stream, version, topic, state, when, payload, stored in con.execute(
                "SELECT e.id, e.originator_id, e.originator_version, e.topic, e.state, c.recorded_at, "
                "c.payload_hash, c.hash FROM ledger_events e JOIN ledger_chain c ON c.position = e.id ORDER BY e.id"):
            hashlib.sha256(state).hexdigest()
            text = f'["t",{position},"{stream}",{version},"{topic}","{when}","{payload}","{previous}"]'
            hashlib.sha256(text.encode()).hexdigest()
            previous = stored

    store = SQLStore(f"sqlite:///{db}")

    def chain_walk() -> None:  # what ledger verify does first (then snapshots, then the access log)
        with store.read() as conn:
            assert walk_chain(store, conn, Verifier()) is None

    raw_seconds = ours_seconds = float("inf")
    for _ in range(repeat):
        raw_seconds = min(raw_seconds, timed(raw_walk))
        ours_seconds = min(ours_seconds, timed(chain_walk))
    con.close()
    line("chain walk (events/s)", f"{n / ours_seconds:,.0f}", f"{n / raw_seconds:,.0f}", raw_seconds / ours_seconds)
    py = sys.executable
    ledger = str(Path(py).parent / "ledger")
    whole = run([ledger, "--db", str(db), "verify"], repeat=3)
    line("ledger verify, whole command (s)", f"{whole:.3f}", f"walk {ours_seconds:.3f}", whole / ours_seconds)


if __name__ == "__main__":
    main()
