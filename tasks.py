#!/usr/bin/env python3
"""Set up and run the ledger with nothing but Python 3.11+.

    python3 tasks.py demo    # virtualenv, install, demo municipality in demo/ledger.sqlite3, open cases
    python3 tasks.py test    # virtualenv, install with test extras, the whole test suite

Extra arguments after ``test`` go to pytest (``python3 tasks.py test -k consent``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
DEMO_DB = ROOT / "demo" / "ledger.sqlite3"


def ensure_venv(extras: str) -> None:
    """Create ``.venv`` and (re)install the project when ``pyproject.toml`` is newer than the last install."""
    if sys.version_info < (3, 11):
        sys.exit("Python 3.11 or newer is needed.")
    if not PYTHON.exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / f".installed-{extras or 'base'}"
    if stamp.exists() and stamp.stat().st_mtime >= (ROOT / "pyproject.toml").stat().st_mtime:
        return
    target = f".[{extras}]" if extras else "."
    run([str(PYTHON), "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    run([str(PYTHON), "-m", "pip", "install", "--quiet", "-e", target])
    stamp.touch()


def run(cmd: list[str], **kwargs: object) -> None:
    code = subprocess.call(cmd, cwd=ROOT, **kwargs)  # type: ignore[arg-type]
    if code != 0:
        sys.exit(code)


def demo() -> None:
    ensure_venv("plot")
    DEMO_DB.parent.mkdir(exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DEMO_DB}{suffix}").unlink(missing_ok=True)
    ledger = str(BIN / "ledger")
    run([ledger, "--db", str(DEMO_DB), "demo"])
    run([ledger, "--db", str(DEMO_DB), "case", "list", "--status", "open"])


def test(args: list[str]) -> None:
    ensure_venv("test")
    os.execv(str(PYTHON), [str(PYTHON), "-m", "pytest", *args])


if __name__ == "__main__":
    task = sys.argv[1] if len(sys.argv) > 1 else ""
    if task == "demo":
        demo()
    elif task == "test":
        test(sys.argv[2:])
    else:
        sys.exit(__doc__)
