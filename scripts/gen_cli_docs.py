#!/usr/bin/env python3
"""Generate docs/cli.md from the commands' own ``--help`` (Swedish, the default language).

    python scripts/gen_cli_docs.py          # rewrite docs/cli.md
    python scripts/gen_cli_docs.py --check  # exit 1 if docs/cli.md is out of date (a test runs this)
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "cli.md"


def _help(args: list[str]) -> str:
    from ledger.cli.main import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
        main([*args, "--help"])
    return "\n".join(line.rstrip() for line in out.getvalue().strip("\n").splitlines())


def commands() -> list[list[str]]:
    """Every command path, in the order ``ledger --help`` lists them."""
    from ledger.cli.main import COMMANDS, GROUPS, app, group_app

    paths: list[list[str]] = [[]]
    for command in app.registered_commands:
        paths.append([command.name])
    for name in COMMANDS:
        paths.append([name])
    for name in GROUPS:
        paths.append([name])
        for command in group_app(name).registered_commands:
            paths.append([name, command.name])
    return paths


def render() -> str:
    os.environ["COLUMNS"] = "100"
    os.environ.pop("LEDGER_LANG", None)
    parts = [
        "# Kommandoraden / The command line",
        "",
        "Generated from `--help` by `python scripts/gen_cli_docs.py`; do not edit by hand.",
        "Swedish is the default; run any command with `LEDGER_LANG=en` for English.",
        "",
    ]
    for path in commands():
        title = " ".join(["ledger", *path])
        parts += [f"## `{title}`", "", "```text", _help(path), "```", ""]
    return "\n".join(parts)


if __name__ == "__main__":
    text = render()
    if "--check" in sys.argv:
        current = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
        sys.exit(0 if current == text else "docs/cli.md is out of date: run python scripts/gen_cli_docs.py")
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC}")
