"""``ledger tillsyn export``: the file for a supervisor, as one self-contained printable HTML page."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ledger.cli.common import CaseArg, JsonOpt, done, opt, services
from ledger.cli.i18n import t

app = typer.Typer(help=t("grp.tillsyn"), no_args_is_help=True)


@app.command("export", help=t("cmd.tillsyn.export"))
def export(
    case: CaseArg,
    out: Annotated[Path, opt("opt.tillsyn_out", "--out")],
    late_after: Annotated[int | None, opt("opt.late_after", "--late-after")] = None,
    as_json: JsonOpt = False,
) -> None:
    from ledger.cli.files import write_text
    from ledger.cli.tillsyn_html import render
    from ledger.domain.errors import InputError

    if out.suffix.lower() not in (".html", ".htm"):
        raise InputError(field="--out", reason="html_only")
    data = services().queries.supervision_file(case, late_after=late_after)
    write_text(out, render(**data, version=_version()))
    number = data["view"]["case"]
    done(as_json, t("done.tillsyn", case=number, file=str(out)), case=number, file=str(out))


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("avhoppar-ledger")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"
