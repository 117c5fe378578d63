"""``ledger tillsyn export``: the file for a supervisor, as one self-contained printable HTML page."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated

import typer

from ledger.cli.common import CaseArg, JsonOpt, done, ledger, opt
from ledger.cli.i18n import t

app = typer.Typer(help=t("grp.tillsyn"), no_args_is_help=True)


@app.command("export", help=t("cmd.tillsyn.export"))
def export(
    case: CaseArg,
    out: Annotated[Path, opt("opt.tillsyn_out", "--out")],
    late_after: Annotated[int | None, opt("opt.late_after", "--late-after")] = None,
    as_json: JsonOpt = False,
) -> None:
    from importlib.metadata import PackageNotFoundError, version

    from ledger.access import entries, record_read
    from ledger.chain import verify_store
    from ledger.cli.tillsyn_html import render
    from ledger.clock import now
    from ledger.consent_audit import audit_case
    from ledger.errors import InputError
    from ledger.replay import late_days
    from ledger.supervision import case_at, case_history

    if out.suffix.lower() not in (".html", ".htm"):
        raise InputError(field="--out", reason="html_only")
    app_ = ledger()
    view = case_at(app_, case)
    number = view["case"]
    history = case_history(app_, number, late_after=late_days(late_after))
    audit = audit_case(number, app_.case_events(number))
    record_read(app_, number, "tillsyn export")  # logged before the file exists, and listed in it
    try:
        ledger_version = version("avhoppar-ledger")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        ledger_version = "unknown"
    html = render(
        view=view, history=history, audit=audit, access=entries(app_.store, case=number),
        verification=verify_store(app_.store), produced_at=now().isoformat(), produced_by=app_.user,
        version=ledger_version,
    )
    partial = out.with_name(out.name + ".part")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(html, encoding="utf-8")
        partial.replace(out)
    except OSError as error:
        from ledger.archive import _file_error as file_error

        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise file_error(out, error) from None
    done(as_json, t("done.tillsyn", case=number, file=str(out)), case=number, file=str(out))
