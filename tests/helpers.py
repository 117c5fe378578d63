"""Helpers for tests: run the CLI in-process and count stored events."""

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
