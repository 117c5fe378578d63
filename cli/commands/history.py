"""``ledger history``: timeline and corrections (being built)."""

from __future__ import annotations

import typer

from ledger.cli.i18n import t

history_app = typer.Typer(help=t("cmd.history"))


@history_app.command(help=t("cmd.history"))
def history() -> None:
    raise typer.Exit(3)


correct_app = typer.Typer(help=t("cmd.correct"))


@correct_app.command(help=t("cmd.correct"))
def correct() -> None:
    raise typer.Exit(3)

