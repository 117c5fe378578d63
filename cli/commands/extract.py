"""``ledger registerutdrag``: everything held about one person, as a printable page (or ``--json``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ledger.cli.common import JsonOpt, done, opt, print_json, services
from ledger.cli.i18n import t

app = typer.Typer(help=t("cmd.registerutdrag"), add_completion=False)


@app.command(help=t("cmd.registerutdrag"))
def registerutdrag(
    identity: Annotated[str, typer.Argument(help=t("arg.identity"), metavar="IDENTITY", show_default=False)],
    out: Annotated[Path | None, opt("opt.extract_out", "--out", metavar="FILE")] = None,
    as_json: JsonOpt = False,
) -> None:
    from ledger.domain.errors import InputError

    if out is None and not as_json:
        raise InputError(field="--out", reason="required")
    if out is not None and out.suffix.lower() not in (".html", ".htm"):
        raise InputError(field="--out", reason="html_only")
    data = services().queries.register_extract(identity)
    if out is not None:
        from ledger.cli.extract_html import render
        from ledger.cli.files import write_text

        write_text(out, render(data))
    if as_json and out is None:
        print_json(data)
        return
    done(as_json, t("done.extract", cases=len(data["cases"]), file=str(out)), cases=[c["case"] for c in data["cases"]],
         file=str(out))
