"""``ledger tillsyn``: the file for a supervisor (being built)."""

from __future__ import annotations

import typer

from ledger.cli.i18n import t

app = typer.Typer(help=t("grp.tillsyn"), no_args_is_help=True)
