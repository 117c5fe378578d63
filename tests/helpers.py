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


def event_count(db: str) -> int:
    """Events stored, read straight from the table (not through the application)."""
    from sqlalchemy import func, select

    from ledger.store import SQLStore, events_table, resolve_url

    store = SQLStore.for_url(resolve_url(db))
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
