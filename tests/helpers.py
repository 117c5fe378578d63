"""Helpers for tests: run the CLI in-process, count stored events, derive invalid identity numbers."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

import pytest


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def run_cli(capsys: pytest.CaptureFixture[str], db: str, *args: str) -> Result:
    """Run ``ledger --db DB ARGS`` in this process; return exit status, stdout and stderr."""
    from ledger.cli.main import main

    capsys.readouterr()
    try:
        main(["--db", db, *args])
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


def run_process(db: str, *args: str, env: dict[str, str] | None = None) -> Result:
    """Run the CLI as a separate process (for language, start-up and concurrency tests)."""
    import os

    proc = subprocess.run(
        [sys.executable, "-m", "ledger.cli", "--db", db, *args],
        capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=120,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def ledger_at(db: str, user: str = "tester") -> Any:
    """The write side on the store at ``db`` (a path or URL), as the command line builds it."""
    from ledger.bootstrap import services

    return services(db, user).ledger


class Reads:
    """The read side of a ledger's store for tests: ``ReadSide``'s answers with the ledger's today."""

    def __init__(self, app: Any) -> None:
        from ledger.projections.read_side import ReadSide

        self.app = app
        self.side = ReadSide(app.factory.store, app.mapper)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.side, name)

    def cases(self, **filters: Any) -> list[dict[str, Any]]:
        return self.side.cases(today=self.app.clock.today(), **filters)  # type: ignore[no-any-return]

    def budget(self, year: int, by: str | None = None) -> dict[str, Any]:
        return self.side.budget(year, self.app.clock.today(), by)  # type: ignore[no-any-return]

    def stats(self, year: int) -> dict[str, Any]:
        report = dict(self.side.stats(year, self.app.clock.today()))
        report.pop("cases", None)
        return report


def batch_at(db: str, user: str = "tester", flush_every: int = 5000) -> Any:
    """The write side in batch mode (as ``ledger demo`` uses it) on the store at ``db``."""
    from ledger.bootstrap import services

    return services(db, user).batch_ledger(flush_every)


def store_at(db: str) -> Any:
    """The store at ``db`` (a path or URL)."""
    from ledger.adapters.config import resolve_url
    from ledger.adapters.store import SQLStore

    return SQLStore.for_url(resolve_url(db))


def store_head(store: Any) -> Any:
    """The head of the chain as stored (not verified)."""
    with store.read() as conn:
        return store.chain_head(conn)


def event_count(db: str) -> int:
    """Events stored, read straight from the table (not through the application)."""
    from sqlalchemy import func, select

    from ledger.adapters.schema import events_table

    store = store_at(db)
    with store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(events_table)).scalar() or 0)


def luhn(nine: str) -> str:
    """Check digit for the nine digits YYMMDDNNN (Skatteverket's Luhn variant), kept apart from the code under test."""
    total = 0
    for i, ch in enumerate(nine):
        product = int(ch) * (2 - i % 2)
        total += product // 10 + product % 10
    return str((10 - total % 10) % 10)


def broken_check_digit(pnr: str) -> str:
    """A test number with its check digit changed: fails only the checksum."""
    return pnr[:-1] + str((int(pnr[-1]) + 1) % 10)


def moved_to_february_30(pnr: str) -> str:
    """A test number moved to 30 February, with a check digit that is right for it: fails only the date."""
    digits = pnr[:4] + "0230" + pnr[8:11]
    return digits + luhn(digits[2:])


def identity_forms(number: str) -> set[str]:
    """The ways an identity number could leak: 12 and 10 digits, with and without a dash or plus."""
    d = "".join(ch for ch in number if ch.isdigit())
    return {number, d, d[2:], f"{d[:8]}-{d[8:]}", f"{d[2:8]}-{d[8:]}", f"{d[2:8]}+{d[8:]}"}


def wrap_handlers(monkeypatch: pytest.MonkeyPatch, projection: Any, wrapper: Any) -> Any:
    """Replace every handler of a projection class by ``wrapper(handler)``; returns the originals
    (give them back with ``monkeypatch.setattr(projection, "handlers", originals)``)."""
    originals = dict(projection.handlers)
    monkeypatch.setattr(projection, "handlers", {cls: wrapper(handle) for cls, handle in originals.items()})
    return originals


def dying_after(count: int, error: type[BaseException] = RuntimeError) -> Any:
    """A handler wrapper that raises ``error`` at the ``count``-th event handled (by any wrapped handler)."""
    calls = {"n": 0}

    def wrapper(handle: Any) -> Any:
        def dying(unit: Any, fact: Any) -> None:
            calls["n"] += 1
            if calls["n"] == count:
                raise error("killed in the middle of a batch")
            handle(unit, fact)

        return dying

    return wrapper
