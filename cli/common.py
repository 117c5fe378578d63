"""What every command shares: options, the services it talks to, and how results are printed.

Nothing here imports the database stack at module level, so ``ledger --help`` stays fast. The
configuration (``--db``, ``--as``, the environment) is resolved once per invocation, by the root
command, into the context's :class:`Session`.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ledger.cli.i18n import t

if TYPE_CHECKING:
    from ledger.bootstrap import Services

DateOpt = Annotated[str | None, typer.Option("--date", "-d", help=t("opt.date"), show_default=False)]
NoteOpt = Annotated[str | None, typer.Option("--note", help=t("opt.note"), show_default=False)]
AsOpt = Annotated[str | None, typer.Option("--as", help=t("opt.as"), show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help=t("opt.json"))]
CaseArg = Annotated[str, typer.Argument(help=t("arg.case"), metavar="CASE", show_default=False)]


def opt(key: str, *names: str, **kwargs: Any) -> Any:
    """A Typer option with translated help."""
    return typer.Option(*names, help=t(key), show_default=kwargs.pop("show_default", False), **kwargs)


class Session:
    """The root command's options; services built from them once, when a command first asks."""

    def __init__(self, db: str | None = None, user: str | None = None) -> None:
        self.db, self.user = db, user
        self._services: dict[str | None, Services] = {}

    def services(self, as_: str | None = None) -> Services:
        user = as_ or self.user
        found = self._services.get(user)
        if found is None:
            from ledger.adapters.config import Config
            from ledger.bootstrap import Services

            found = self._services[user] = Services(Config.resolve(self.db, user))
        return found

    @property
    def training(self) -> bool:
        """Whether a command of this run acted on a training store (every view says so)."""
        return any(getattr(s.__dict__.get("actor"), "training", False) for s in self._services.values())


def services(as_: str | None = None) -> Services:
    """The services of this invocation (``as_``: the command's own ``--as``, if it has one)."""
    from typer._click.globals import get_current_context  # Typer's own click, not the click package

    session = get_current_context().find_root().obj
    if not isinstance(session, Session):  # a command built on its own, without the root's options
        session = Session(None, None)
    return session.services(as_)


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
