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
- ``ledger stats YEAR`` and ``ledger budget show YEAR`` on the large store, projections current; with
  ``--small``, these, ``case list`` (and ``--needs-attention``) and ``case show`` against the same commands on the small store,
  and ``case list`` as a case worker with the person of every fourth case protected (on copies);
- the chain walk of ``ledger verify`` (its windows hashed in parallel processes where the chain is long
  enough, as the command does, and again in one process; snapshots and access log left out) vs a raw join of
  events and chain rows with both SHA-256s per row (the payload's and the link's), and the whole
  ``ledger verify`` command.
"""

from __future__ import annotations

import argparse
import contextlib
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

#: The anchors of verify and export: every event with its chain entry, in position order, read raw.
JOINED = ("SELECT e.id, e.originator_id, e.originator_version, e.topic, e.state, c.recorded_at, c.payload_hash, "
          "c.hash FROM ledger_events e JOIN ledger_chain c ON c.position = e.id ORDER BY e.id")
ACCESS = ("SELECT position, accessed_at, user_name, case_number, command, protection_level, protected, reason, "
          "outcome, hash FROM ledger_access_log ORDER BY position")
SECTIONS = ("append", "rebuild", "startup", "reading", "verify", "export")


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


def against(raw: Any, ours: Any, label: str, n: int, repeat: int) -> float:
    """``ours`` and its anchor ``raw`` timed in turn, ``repeat`` times each; the best of each counts.
    Prints the events/s of both and the ratio; returns our best time."""
    raw_seconds = ours_seconds = float("inf")
    for _ in range(repeat):
        raw_seconds = min(raw_seconds, timed(raw))
        ours_seconds = min(ours_seconds, timed(ours))
    line(label, f"{n / ours_seconds:,.0f}", f"{n / raw_seconds:,.0f}", raw_seconds / ours_seconds)
    return ours_seconds


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
    parser.add_argument("--small", type=Path, help="reading: a small store (about 10 000 events) to compare with")
    args = parser.parse_args()
    sections = set(args.only or SECTIONS)

    from ledger.bootstrap import services

    work = Path(tempfile.mkdtemp(prefix="ledger-bench-"))
    db = work / "ledger.sqlite3"
    if args.store:
        _copy_store(args.store, db)
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
        reading(db, args.small)
        if args.small is not None:
            reading_protected(db, args.small, work)
    if "verify" in sections:
        verify(db, n, args.repeat)
    if "export" in sections:
        export(db, work, n, args.repeat)
    if args.keep:
        print(f"\nkept {work}")
    else:
        shutil.rmtree(work)


def _copy_store(store: Path, copy: Path) -> None:
    """The store as committed, its WAL included (a plain file copy can miss it)."""
    source, target = sqlite3.connect(store), sqlite3.connect(copy)
    with target:
        source.backup(target)
    source.close()
    target.close()


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
    """Wipe and replay every projection (``ReadSide.rebuild``, what ``ledger projections rebuild`` runs:
    in parallel processes on a machine with more than one core), and the same in this process alone."""
    from ledger.projections import runner

    cores = len(os.sched_getaffinity(0))
    print(f"\nFull rebuild of every projection vs raw select + json.loads (best of {repeat} each, interleaved; "
          f"{cores} cores):")
    con = sqlite3.connect(db)

    def raw_read() -> None:
        for (state,) in con.execute("SELECT state FROM ledger_events ORDER BY id"):
            json.loads(state)

    def one_process() -> None:
        runner.rebuild(side.store, *side.projections)
        runner.catch_up(side.store, side.decode, side.projections, processes=1)

    raw_read_seconds = rebuild_seconds = alone_seconds = float("inf")
    for _ in range(repeat):  # interleaved, so a busy moment of the machine hits both alike
        raw_read_seconds = min(raw_read_seconds, timed(raw_read))
        rebuild_seconds = min(rebuild_seconds, timed(lambda: side.rebuild([p.name for p in side.projections])))
        alone_seconds = min(alone_seconds, timed(one_process))
    con.close()
    line("rebuild money + case_list + stats (events/s)", f"{n / rebuild_seconds:,.0f}",
         f"{n / raw_read_seconds:,.0f}", raw_read_seconds / rebuild_seconds)
    line("  the same in one process (events/s)", f"{n / alone_seconds:,.0f}",
         f"{n / raw_read_seconds:,.0f}", raw_read_seconds / alone_seconds)
    before, peak, total = rebuild_peak_memory(db)
    print(f"  peak memory of a rebuild in its own process: {peak / 2**20:,.0f} MiB (VmHWM; "
          f"{before / 2**20:,.0f} MiB before it started, {(peak - before) / 2**20:,.0f} MiB more); "
          f"with its workers {total / 2**20:,.0f} MiB (the processes' PSS, sampled)")


def rebuild_peak_memory(db: Path) -> tuple[int, int, int]:
    """The memory (bytes) of a fresh process that opens the store and rebuilds every projection: its
    resident high-water mark before the rebuild (imports, store open) and after it, and the largest
    sum of the proportional set sizes of it and its worker processes, sampled every 10 ms.

    The high-water mark is read from ``VmHWM`` in ``/proc/self/status``, which belongs to the new
    process's memory alone: ``ru_maxrss`` (of the child, or ``RUSAGE_CHILDREN`` here) starts from
    this process's own peak, which Linux carries over into a child started by ``fork``/``vfork`` and
    ``exec``. The workers are forked from the rebuilding process: a page they still share with it is
    counted once in the sum of PSS (split between them), where a sum of resident sizes would count
    it in each."""
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
    probe = subprocess.Popen([sys.executable, "-c", code, str(db)], stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "LEDGER_USER": "bench"})
    total = 0
    while probe.poll() is None:
        total = max(total, _tree_pss(probe.pid))
        time.sleep(0.01)
    output = probe.stdout.read() if probe.stdout else ""
    if probe.returncode:
        raise SystemExit(f"the rebuild's memory probe failed ({probe.returncode})")
    before, after = (int(kib) * 1024 for kib in output.split()[-2:])  # kibibytes
    return before, after, total


def _tree_pss(pid: int) -> int:
    """The summed PSS (bytes) of a process and its descendants now (those that are gone count nothing)."""
    total, waiting = 0, [pid]
    while waiting:
        process = waiting.pop()
        try:
            with open(f"/proc/{process}/smaps_rollup") as rollup:
                total += next(int(x.split()[1]) for x in rollup if x.startswith("Pss:")) * 1024
            waiting += map(int, Path(f"/proc/{process}/task/{process}/children").read_text().split())
        except (OSError, StopIteration, ValueError):
            continue
    return total


def startup(side: Any, db: Path, pairs: int = 25) -> None:
    """A recording command and ``ledger --help`` as whole processes, against the import floor: a process
    that imports exactly the other packages' modules the recording command loads (found with
    ``-X importtime``; the standard library's come with them), and nothing of the ledger; and against
    the same floor ending as the command does (``gc.freeze()`` last: no garbage collection of every
    object at the interpreter's exit), which shows what is left of the command's own cost.

    Each command and the floor run in turn, ``pairs`` times; a ratio is the median of the pairs' ratios,
    so a slow moment of a shared machine weighs on both sides of a pair (timed one after the other,
    steal time on a virtual machine moved the ratio by 0.1 and more from one run to the next)."""
    print(f"\nStart-up, {pairs} pairs run in turn (median of the pairs' ratios), process start to exit:")
    py = sys.executable
    ledger = str(Path(py).parent / "ledger")
    from datetime import date

    case = side.cases(today=date.today(), status="open")[0]["case"]  # a closed case takes only follow-ups
    record_cmd = ["--db", str(db), "contact", "add", case, "--channel", "phone"]
    needed = _packages_loaded([py, "-X", "importtime", ledger, *record_cmd])
    floor_cmd = [py, "-c", f"import importlib\nfor name in {needed!r}:\n    try:\n        importlib.import_module(name)\n"
                 "    except ImportError:\n        pass"]  # a few are probes that fail (org.python)
    # The command ends its process without the garbage collector's last pass (cli/main.py,
    # _end_of_process); the same floor ending the same way shows what is left of the command's own cost.
    frozen_floor_cmd = [*floor_cmd[:-1], floor_cmd[-1] + "\nimport gc\ngc.freeze()"]
    base_pass = run([py, "-c", "pass"])
    record, floor_a, record_ratio = paired([ledger, *record_cmd], floor_cmd, pairs)
    _, frozen_floor, frozen_ratio = paired([ledger, *record_cmd], frozen_floor_cmd, pairs)
    helptime, floor_b, help_ratio = paired([ledger, "--help"], floor_cmd, pairs)
    print(f"  (the floor imports {len(needed)} modules of: {', '.join(sorted({n.split('.')[0] for n in needed}))})")
    line("ledger contact add (s)", f"{record:.3f}", f"pass {base_pass:.3f}", record / base_pass)
    line("ledger contact add vs its import floor", f"{record:.3f}", f"{floor_a:.3f}", record_ratio)
    line("  vs that floor ending as the command does", f"{record:.3f}", f"{frozen_floor:.3f}", frozen_ratio)
    line("ledger --help vs that floor", f"{helptime:.3f}", f"{floor_b:.3f}", help_ratio)


def paired(cmd: list[str], baseline: list[str], pairs: int,
           env: dict | None = None) -> tuple[float, float, float]:
    """``cmd`` and ``baseline`` run in turn ``pairs`` times, which goes first alternating: their median
    times and the median of the pairs' ratios (which need not be the ratio of the medians)."""
    ours, theirs, ratios = [], [], []
    run(cmd, repeat=1, env=env)  # warm: the files read once, the bytecode written
    run(baseline, repeat=1, env=env)
    for i in range(pairs):
        if i % 2:
            theirs.append(run(baseline, repeat=1, env=env))
            ours.append(run(cmd, repeat=1, env=env))
        else:
            ours.append(run(cmd, repeat=1, env=env))
            theirs.append(run(baseline, repeat=1, env=env))
        ratios.append(ours[-1] / theirs[-1])
    return statistics.median(ours), statistics.median(theirs), statistics.median(ratios)


def _packages_loaded(cmd: list[str]) -> list[str]:
    """The modules of installed packages (not the standard library's, not the ledger's) ``cmd`` imports."""
    found = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "LEDGER_USER": "bench"},
                           check=True)
    own = {"ledger", "cli", "projections"}
    names = []
    for text in found.stderr.splitlines():
        if text.startswith("import time:") and "|" in text:
            name = text.rsplit("|", 1)[1].strip()
            top = name.split(".")[0]
            if (name and " " not in name and top not in own and top not in sys.stdlib_module_names
                    and not top.startswith("_") and top not in ("sitecustomize", "usercustomize")):
                names.append(name)
    return names


def reading(db: Path, small: Path | None = None, pairs: int = 9) -> None:
    """Reading commands on the large store as whole processes, against ``python -c pass``; with ``small``
    (a store of about 10 000 events) against the same command on it, run in turn with it ``pairs`` times,
    the ratio the median of the pairs' ratios: what issue 13 asks is that they stay within 1.3x of their
    time on a small store (two medians of 3 taken in turn moved by up to 0.3 between runs on a machine
    whose host stole half its time)."""
    print("\nReading on the large store (projections current)"
          + (f", {pairs} pairs run in turn (median of the pairs' ratios):" if small else ", median of 3:"))
    py = sys.executable
    ledger = str(Path(py).parent / "ledger")
    base_pass = run([py, "-c", "pass"])
    year = time.localtime().tm_year
    stores = [db] if small is None else [db, small]
    for store in stores:
        subprocess.run([ledger, "--db", str(store), "projections", "status"], check=True, capture_output=True,
                       env={**os.environ, "LEDGER_USER": "bench"})
    commands = {"stats YEAR --format json": ["stats", str(year), "--format", "json"],
                "budget show YEAR --json": ["budget", "show", str(year), "--json"]}
    if small is not None:
        commands["case list (newest 50)"] = ["case", "list"]
        commands["case list --needs-attention"] = ["case", "list", "--needs-attention"]
        commands["case show (the newest case)"] = ["case", "show"]
    for label, args in commands.items():
        cmds = {store: [ledger, "--db", str(store), *args] for store in stores}
        if args == ["case", "show"]:
            for store, cmd in cmds.items():
                cmd.append(_newest_case(ledger, store))
        if small is None:
            seconds = statistics.median(run(cmds[db], repeat=1) for _ in range(3))
            line(f"ledger {label} (s)", f"{seconds:.3f}", f"pass {base_pass:.3f}", seconds / base_pass)
        else:  # in turn, pair by pair: a busy moment of the machine hits both sides of a pair alike
            seconds, base, ratio = paired(cmds[db], cmds[small], pairs)
            line(f"ledger {label} (s)", f"{seconds:.3f}", f"small {base:.3f}", ratio)


#: The case worker whose case list is timed with many persons protected (one of the demo's users).
CASE_WORKER = "omar.k"


def reading_protected(db: Path, small: Path, work: Path, pairs: int = 9, every: int = 4) -> None:
    """``case list`` as a case worker (no see-all role), on copies of both stores where the person of
    every ``every``-th case is protected (sekretessmarkering; every case of theirs then is): who may
    see each protected case is worked out for thousands of them at the large store. The demo itself
    protects a handful, so the plain reading rows never see this."""
    from ledger.bootstrap import services

    print(f"\nA case worker's case list, the person of every {every}th case protected on copies of both stores, "
          f"{pairs} pairs run in turn:")
    copies = []
    for store, name in ((db, "protected-large.sqlite3"), (small, "protected-small.sqlite3")):
        copy = work / name
        _copy_store(store, copy)
        found = services(str(copy), "bench")
        numbers = [row["case"] for row in found.read_side.cases(today=found.clock.today(), with_attention=False)]
        for number in numbers[::every]:
            with contextlib.suppress(Exception):  # already protected through another case of the person
                found.ledger.protect_case(number, "sekretessmarkering")
        protected = found.gate.protection.protected_cases() or {}
        print(f"  {store.name if store == small else 'large store'}: {len(protected):,} of {len(numbers):,} "
              "cases protected")
        copies.append(copy)
    ledger = str(Path(sys.executable).parent / "ledger")
    large_cmd, small_cmd = ([ledger, "--db", str(copy), "case", "list"] for copy in copies)
    seconds, base, ratio = paired(large_cmd, small_cmd, pairs, env={"LEDGER_USER": CASE_WORKER})
    line(f"ledger case list as {CASE_WORKER} (s)", f"{seconds:.3f}", f"small {base:.3f}", ratio)


def _newest_case(ledger: str, store: Path) -> str:
    found = subprocess.run([ledger, "--db", str(store), "case", "list", "--limit", "1", "--json"], check=True,
                           capture_output=True, text=True, env={**os.environ, "LEDGER_USER": "bench"})
    data = json.loads(found.stdout)
    rows = data["cases"] if isinstance(data, dict) else data
    return str(rows[0]["case"])


def verify(db: Path, n: int, repeat: int) -> None:
    """The chain walk against its anchor: the same rows joined and hashed by hand, nothing else."""
    import hashlib

    from ledger.adapters.store import SQLStore
    from ledger.adapters.verification import Verifier, checked_in_parallel, walk_chain

    print(f"\nVerifying the chain (best of {repeat} each, interleaved):")
    con = sqlite3.connect(db)

    def raw_walk() -> None:
        previous = "0" * 64
        for position, stream, version, topic, state, when, payload, stored in con.execute(JOINED):
            hashlib.sha256(state).hexdigest()
            text = f'["t",{position},"{stream}",{version},"{topic}","{when}","{payload}","{previous}"]'
            hashlib.sha256(text.encode()).hexdigest()
            previous = stored

    store = SQLStore(f"sqlite:///{db}")

    def chain_walk(processes: int | None = None) -> None:  # what ledger verify does first (then snapshots,
        checked = checked_in_parallel(store, processes=processes)  # then the access log): windows in workers
        with store.read() as conn:
            assert walk_chain(store, conn, Verifier(), checked=checked.windows) is None

    ours_seconds = against(raw_walk, chain_walk, "chain walk (events/s)", n, repeat)
    against(raw_walk, lambda: chain_walk(1), "  the same in one process (events/s)", n, repeat)
    con.close()
    py = sys.executable
    ledger = str(Path(py).parent / "ledger")
    whole = run([ledger, "--db", str(db), "verify"], repeat=3)
    line("ledger verify, whole command (s)", f"{whole:.3f}", f"walk {ours_seconds:.3f}", whole / ours_seconds)


def export(db: Path, work: Path, n: int, repeat: int) -> None:
    """The archive written (both chains verified while writing) against its anchor: the same rows joined
    by hand, both hashes per row, each line ``json.dumps``'d, then the access log's rows with their
    links hashed and written the same way; written, as an archive must be, to a new file that is synced
    and then renamed into place (rewriting the same file in place is about 1.3 s cheaper at 500 MB on
    this machine's ext4, a saving no real export can have: it would leave half an archive behind)."""
    import hashlib
    from datetime import datetime

    from ledger.adapters.archive import export_archive
    from ledger.adapters.chain import access_link
    from ledger.adapters.store import SQLStore

    print(f"\nExporting the events to an archive (best of {repeat} each, interleaved):")
    con = sqlite3.connect(db)
    raw_path, our_path = work / "raw-archive.jsonl", work / "archive.jsonl"

    def raw_export() -> None:
        dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        previous = "0" * 64
        part = raw_path.with_name(raw_path.name + ".part")
        with open(part, "w", encoding="utf-8") as out:
            for position, stream, version, topic, state, when, payload, stored in con.execute(JOINED):
                hashlib.sha256(state).hexdigest()
                text = f'["t",{position},"{stream}",{version},"{topic}","{when}","{payload}","{previous}"]'
                hashlib.sha256(text.encode()).hexdigest()
                previous = stored
                out.write(dumps({"position": position, "originator_id": stream, "originator_version": version,
                                 "topic": topic, "recorded_at": when, "payload_hash": payload, "hash": stored,
                                 "state": state.decode()}) + "\n")
            previous = "0" * 64
            for position, at, user, case, command, level, protected, reason, outcome, stored in con.execute(ACCESS):
                when = datetime.fromisoformat(at).isoformat()  # the canonical text the link hashes
                access_link(previous, position, when, user, case, command, level, bool(protected), reason, outcome)
                previous = stored
                out.write(dumps({"access": position, "accessed_at": when, "user": user, "case": case,
                                 "command": command, "protection_level": level, "protected": bool(protected),
                                 "reason": reason, "outcome": outcome, "hash": stored}) + "\n")
            out.flush()
            os.fsync(out.fileno())
        part.replace(raw_path)

    store = SQLStore(f"sqlite:///{db}")

    def ours() -> None:  # the data keys left out (they need a passphrase and take a fixed ~0.1 s of scrypt)
        from ledger.adapters import archive

        has_keys, archive._has_keys = archive._has_keys, lambda conn: False
        try:
            export_archive(store, our_path)
        finally:
            archive._has_keys = has_keys

    against(raw_export, ours, "export_archive (events/s)", n, repeat)
    con.close()


if __name__ == "__main__":
    main()
