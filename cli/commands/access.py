"""``ledger access-log``: who read which case (being built)."""

from __future__ import annotations

import typer

from ledger.cli.i18n import t

app = typer.Typer(help=t("cmd.access_log"))


@app.command(help=t("cmd.access_log"))
def access_log() -> None:
    raise typer.Exit(3)

