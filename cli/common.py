"""What every command shares: options, the ledger it talks to, and how results are printed.

Nothing here imports the database stack at module level, so ``ledger --help`` stays fast.
"""

from __future__ import annotations

import getpass
import json
import os
import re
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ledger.cli.i18n import t

if TYPE_CHECKING:
    from ledger.application import Ledger
    from ledger.projections.service import ReadSide

#: Set by the main callback from ``--db`` and ``--as``.
STATE: dict[str, str | None] = {"db": None, "user": None}
_USER = re.compile(r"^[\w.@-]{1,64}$")

DateOpt = Annotated[str | None, typer.Option("--date", "-d", help=t("opt.date"), show_default=False)]
NoteOpt = Annotated[str | None, typer.Option("--note", help=t("opt.note"), show_default=False)]
AsOpt = Annotated[str | None, typer.Option("--as", help=t("opt.as"), show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help=t("opt.json"))]
CaseArg = Annotated[str, typer.Argument(help=t("arg.case"), metavar="CASE", show_default=False)]


def opt(key: str, *names: str, **kwargs: Any) -> Any:
    """A Typer option with translated help."""
    return typer.Option(*names, help=t(key), show_default=kwargs.pop("show_default", False), **kwargs)


def user(as_: str | None = None) -> str:
    """``--as`` on the command, else on the main command, else ``LEDGER_USER``, else the login name."""
    name = as_ or STATE["user"] or os.environ.get("LEDGER_USER") or _login()
    if not _USER.match(name):
        from ledger.errors import InputError

        raise InputError(field="--as", reason="format")
    return name


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def ledger(as_: str | None = None) -> Ledger:
    """The write side, opened on ``--db`` / ``LEDGER_DB`` / the default file."""
    from ledger.application import Ledger

    return Ledger(db=STATE["db"], user=user(as_))


def reader() -> ReadSide:
    from ledger.projections.service import ReadSide

    return ReadSide(ledger())


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def done(as_json: bool, message: str, **data: Any) -> None:
    """Confirm a recording: one translated line, or ``{"ok": true, ...}`` with ``--json``."""
    if as_json:
        print_json({"ok": True, **data})
    else:
        typer.echo(message)


def recorded(as_json: bool, case: str, what: str, ref: str | None = None) -> None:
    if ref is None:
        done(as_json, t("done.recorded", case=case.upper(), what=t(f"what.{what}")), case=case.upper(), event=what)
    else:
        done(
            as_json,
            t("done.recorded_id", case=case.upper(), what=t(f"what.{what}"), id=ref),
            case=case.upper(),
            event=what,
            id=ref,
        )
