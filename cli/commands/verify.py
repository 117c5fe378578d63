"""``ledger verify``: tamper evidence and archives (being built)."""

from __future__ import annotations

import typer

from ledger.cli.i18n import t

verify_app = typer.Typer(help=t("cmd.verify"))


@verify_app.command(help=t("cmd.verify"))
def verify() -> None:
    raise typer.Exit(3)


digest_app = typer.Typer(help=t("cmd.digest"))


@digest_app.command(help=t("cmd.digest"))
def digest() -> None:
    raise typer.Exit(3)


export_app = typer.Typer(help=t("cmd.export"))


@export_app.command(help=t("cmd.export"))
def export() -> None:
    raise typer.Exit(3)


import_app = typer.Typer(help=t("cmd.import"))


@import_app.command(help=t("cmd.import"))
def import_() -> None:
    raise typer.Exit(3)

