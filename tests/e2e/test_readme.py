"""The README's examples run as written, in a shell, on a training store in a scratch directory.

Every ``sh`` block of the README except the quick start (which builds the virtualenv) is run in
order by ``bash -e`` with the installed ``ledger`` on the ``PATH``: a command that fails stops the
test, so an example cannot drift from the code.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]


def _blocks() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return [b for b in re.findall(r"```sh\n(.*?)```", text, flags=re.S) if "tasks.py" not in b]


def test_the_readme_has_examples_to_run() -> None:
    blocks = _blocks()
    assert len(blocks) >= 2 and all(line.startswith(("ledger", "export", "printf")) for b in blocks
                                    for line in b.splitlines() if line.strip())


def test_the_readme_examples_run(tmp_path: Path) -> None:
    ledger = Path(sys.executable).parent / "ledger"
    if not ledger.exists():
        pytest.skip("the ledger command is not installed next to this Python")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_") or k == "LEDGER_KEY_DIR"}
    env.update({"PATH": f"{ledger.parent}{os.pathsep}{env.get('PATH', '')}", "MPLBACKEND": "Agg"})
    script = "set -e\n" + "\n".join(_blocks())
    done = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    assert done.stderr.count("Övningsdatabas: inga riktiga ärenden.") >= 20  # every answer says it is a training store
    for made in ("ovning.sqlite3", "budget.png", "uppfoljning-2026.xlsx", "huvuden.txt", "tillsyn.html",
                 "arkiv.jsonl"):
        assert (tmp_path / made).stat().st_size > 0, made
