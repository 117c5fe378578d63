#!/usr/bin/env python3
"""Set up and run the ledger with nothing but Python 3.11+.

    python3 tasks.py demo    # virtualenv, install, demo municipality in demo/ledger.sqlite3, open cases
    python3 tasks.py test    # virtualenv, install with test extras, the whole test suite
    python3 tasks.py lint    # ruff, mypy and the layer contracts (import-linter); fails if any fails

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
    if not PYTHON.exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / f".installed-{extras or 'base'}"
    if stamp.exists() and stamp.stat().st_mtime >= (ROOT / "pyproject.toml").stat().st_mtime:
        return
    target = f".[{extras}]" if extras else "."
    # -qq: errors only. setuptools notes every editable install of a package spread over several folders
    # (src/ledger, projections, cli) as a "BuildBackendWarning"; it is a notice, not a fault of ours.
    run([str(PYTHON), "-m", "pip", "install", "-qq", "--upgrade", "pip"])
    run([str(PYTHON), "-m", "pip", "install", "-qq", "-e", target])
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


def stage_package(target: Path = ROOT / ".lint") -> Path:
    """The ``ledger`` package as it is installed, as a tree of links to the source files.

    ``src/ledger``, ``projections`` and ``cli`` are one package (``pyproject.toml`` maps the last two to
    ``ledger.projections`` and ``ledger.cli``); mypy and import-linter read packages from folders, so
    they are shown that folder. Rebuilt on every run: files come and go.
    """
    import shutil

    shutil.rmtree(target, ignore_errors=True)
    for package, source in (("ledger", "src/ledger"), ("ledger/projections", "projections"), ("ledger/cli", "cli")):
        for path in (ROOT / source).rglob("*.py"):
            link = target / package / path.relative_to(ROOT / source)
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(path)
    return target


def lint() -> None:
    """ruff (style and errors), mypy (types) and import-linter (the layers); every one runs, any failure fails."""
    ensure_venv("test")
    stage = stage_package()
    staged = {**os.environ, "MYPYPATH": str(stage), "PYTHONPATH": str(stage)}
    checks = [
        ("ruff", [str(BIN / "ruff"), "check", "src", "projections", "cli", "tests", "bench", "scripts", "tasks.py"],
         os.environ),
        ("mypy", [str(BIN / "mypy"), "--config-file", "pyproject.toml", "-p", "ledger"], staged),
        ("import-linter", [str(BIN / "lint-imports"), "--no-cache", "pyproject.toml"], staged),
    ]
    failed = []
    for name, cmd, env in checks:
        print(f"== {name}", flush=True)
        result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
        # Paths in the staged tree, back to the files they link to.
        for line in (result.stdout + result.stderr).splitlines():
            where, colon, rest = line.partition(":")
            if where.startswith(".lint/") and colon:
                print(f"{Path(os.path.realpath(ROOT / where)).relative_to(ROOT)}:{rest}")
            else:
                print(line)
        if result.returncode != 0:
            failed.append(name)
    if failed:
        sys.exit(f"lint failed: {', '.join(failed)}")


def test(args: list[str]) -> None:
    """The suite, spread over the machine's cores (pytest-xdist) unless the arguments say otherwise."""
    ensure_venv("test")
    spread = [] if any(a == "-n" or a.startswith(("-n", "--numprocesses")) or a == "no:xdist" for a in args) else [
        "-n", "auto"]
    os.execv(str(PYTHON), [str(PYTHON), "-m", "pytest", *spread, *args])


if __name__ == "__main__":
    if sys.version_info < (3, 11):  # noqa: UP036 - the one line that must run on an older Python
        sys.exit("Python 3.11 or newer is needed.")
    task = sys.argv[1] if len(sys.argv) > 1 else ""
    if task == "demo":
        demo()
    elif task == "test":
        test(sys.argv[2:])
    elif task == "lint":
        lint()
    else:
        sys.exit(__doc__)
