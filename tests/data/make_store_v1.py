"""Writes ``store-v1.sqlite3`` and ``store-v1.golden.json``: a store as the ledger wrote it before the
layers were redrawn, and what every reading command said about it then.

Run once at commit 8a8e2bd (the last commit before the redraw) with
``LEDGER_TODAY=2026-11-23 python tests/data/make_store_v1.py``; both files are committed and
``tests/integration/test_store_v1.py`` checks that the code of today opens, replays and verifies
the old store exactly as the old code did. Only the command line is used (its ``--json`` output
is the stable interface), so the script documents what the store holds.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
STORE = HERE / "store-v1.sqlite3"
GOLDEN = HERE / "store-v1.golden.json"
PERSON = "199201012383"  # Skatteverket test numbers only
OTHER = "198501022381"
CASE = "AVH-2026-0001"


def ledger(db: str, *args: str, now: str | None = None) -> str:
    from ledger.cli.main import main

    if now:
        os.environ["LEDGER_NOW"] = now
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(["--db", db, *args])
            code = 0
        except SystemExit as stop:
            code = int(stop.code or 0)
    if code != 0:
        raise SystemExit(f"ledger {' '.join(args)}: exit {code}: {err.getvalue()}")
    return out.getvalue()


def build(db: str) -> None:
    """A demo unit, then one long case by hand: >100 entries (snapshots), revoked and re-granted
    consents, a correction, an identity number typed into a legal basis, notes."""
    os.environ["LEDGER_USER"] = "demo"
    ledger(db, "demo", "--cases", "8", "--years", "2", "--seed", "7", now="2026-11-20T08:00:00+00:00")
    os.environ["LEDGER_USER"] = "anna.l"
    step = iter(range(10_000))

    def at(day: str) -> str:
        return f"{day}T{8 + next(step) % 9:02d}:{next(step) % 60:02d}:00+01:00"

    ledger(db, "provider", "add", "LANG1", "--name", "Långboendet AB", "--date", "2025-12-01", now=at("2025-12-01"))
    number = ledger(db, "case", "open", PERSON, "--gender", "woman", "--environment", "honour", "--source", "self",
                    "--protection", "protected_registration", "--date", "2026-01-05", "--json",
                    now=at("2026-01-05"))
    case = json.loads(number)["case"]
    ledger(db, "consent", "grant", case, "--recipient", "police", "--purpose", "hotbild", "--date", "2026-01-05",
           now=at("2026-01-05"))
    ledger(db, "consent", "grant", case, "--recipient", "relatives", "--purpose", "kontakt", "--date",
           "2026-01-06", "--note", "Mamma vill bli informerad", now=at("2026-01-06"))
    ledger(db, "assessment", "record", case, "--outcome", "investigate", "--reason", "needs_support", "--date",
           "2026-01-07", now=at("2026-01-07"))
    ledger(db, "investigation", "open", case, "--date", "2026-01-07", now=at("2026-01-07"))
    ledger(db, "threat", "record", case, "--unit", "noa", "--level", "high", "--protection-needed",
           "--criteria-met", "--review-on", "2026-06-01", "--date", "2026-01-10", now=at("2026-01-10"))
    ledger(db, "decision", "record", case, "--outcome", "granted", "--intervention", "protected_housing", "--from",
           "2026-01-12", "--to", "2026-12-31", "--daily-price", "3 000", "--date", "2026-01-11",
           now=at("2026-01-11"))
    ledger(db, "placement", "start", case, "--provider", "LANG1", "--intervention", "protected_housing",
           "--daily-price", "3 000,00", "--decision", "D1", "--date", "2026-01-12", now=at("2026-01-12"))
    ledger(db, "consent", "revoke", case, "--recipient", "relatives", "--date", "2026-02-01", now=at("2026-02-01"))
    ledger(db, "consent", "grant", case, "--recipient", "relatives", "--purpose", "kontakt igen", "--date",
           "2026-03-01", now=at("2026-03-01"))
    ledger(db, "share", "record", case, "--recipient", "relatives", "--what", "mående", "--date", "2026-03-05",
           now=at("2026-03-05"))
    ledger(db, "share", "record", case, "--recipient", "region", "--what", "vårdbehov", "--legal-basis",
           f"SoL 12 kap. 10 § (avser {PERSON})", "--date", "2026-03-06", now=at("2026-03-06"))
    for month in range(1, 11):
        start, end = f"2026-{month:02d}-01", f"2026-{month:02d}-28"
        paid = f"2026-{month + 1:02d}-05" if month < 11 else "2026-11-20"
        ledger(db, "payment", "record", case, "84 000,00", "--placement", "P1", "--from", start, "--to", end,
               "--invoice", f"L-{month:03d}", "--date", paid, now=at(paid))
    day = 0
    while True:
        day += 1
        stamp = f"2026-{3 + day // 28:02d}-{1 + day % 28:02d}"
        ledger(db, "contact", "add", case, "--channel", "phone", "--with", "klienten", "--note", f"samtal {day}",
               "--date", stamp, now=at(stamp) if day % 7 else at("2026-11-19"))
        if day >= 95:
            break
    ledger(db, "correct", case, "13", "--reason", "fel belopp", "--set", "amount=83 000,00",
           now="2026-11-19T10:00:00+01:00")
    ledger(db, "case", "open", OTHER, "--gender", "man", "--environment", "criminal", "--source", "police",
           "--date", "2026-11-02", now="2026-11-02T09:00:00+01:00")


def golden(db: str) -> dict:
    """What the reading commands print (``--json``), on a copy (reads write access entries)."""
    os.environ["LEDGER_NOW"] = "2026-11-23T12:00:00+00:00"
    out: dict = {}
    cases = [row["case"] for row in json.loads(ledger(db, "case", "list", "--json"))]
    out["case list"] = json.loads(ledger(db, "case", "list", "--json"))
    out["case list --needs-attention"] = json.loads(ledger(db, "case", "list", "--needs-attention", "--json"))
    for case in sorted(cases):
        out[f"case show {case}"] = json.loads(ledger(db, "case", "show", case, "--json"))
        out[f"case show {case} --as-of 2026-06-30"] = _maybe(db, "case", "show", case, "--as-of", "2026-06-30")
        out[f"case show {case} --recorded-before 2026-07-01"] = _maybe(db, "case", "show", case,
                                                                         "--recorded-before", "2026-07-01")
        out[f"case log {case}"] = json.loads(ledger(db, "case", "log", case, "--json"))
        out[f"history {case}"] = json.loads(ledger(db, "history", case, "--json"))
    out["audit consent --all"] = json.loads(ledger(db, "audit", "consent", "--all", "--json"))
    for year in ("2025", "2026"):
        for by in ("provider", "intervention", "case", "month"):
            out[f"budget show {year} --by {by}"] = json.loads(ledger(db, "budget", "show", year, "--by", by, "--json"))
        stats = json.loads(ledger(db, "stats", year, "--format", "json"))
        stats["metadata"].pop("produced_at")
        stats["metadata"].pop("ledger_version")
        out[f"stats {year}"] = stats
    out["verify"] = json.loads(ledger(db, "verify", "--json"))
    out["digest"] = json.loads(ledger(db, "digest", "--json"))
    return out


def _maybe(db: str, *args: str) -> dict | None:
    try:
        return json.loads(ledger(db, *args, "--json"))
    except SystemExit:
        return None  # the case did not exist then


def main() -> None:
    if os.environ.get("LEDGER_TODAY") != "2026-11-23":
        sys.exit("run with LEDGER_TODAY=2026-11-23")
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "store.sqlite3")
        build(db)
        from ledger.factory.store import SQLStore

        SQLStore.dispose_all()
        with sqlite3.connect(db) as conn:  # one file, no WAL beside it
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("PRAGMA journal_mode=DELETE")
        shutil.copy(db, STORE)
        copy = str(Path(tmp) / "copy.sqlite3")
        shutil.copy(db, copy)
        GOLDEN.write_text(json.dumps(golden(copy), ensure_ascii=False, indent=1, sort_keys=True) + "\n")
        SQLStore.dispose_all()
    print(f"{STORE} ({STORE.stat().st_size} bytes), {GOLDEN}")


if __name__ == "__main__":
    main()
