"""``ledger document``: the decision letter and the investigation, as printable pages."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ledger.cli.common import CaseArg, JsonOpt, done, opt, services
from ledger.cli.i18n import t

app = typer.Typer(help=t("grp.document"), no_args_is_help=True)
OutOpt = Annotated[Path, opt("opt.document_out", "--out", metavar="FILE")]


def _html(out: Path) -> None:
    from ledger.domain.errors import InputError

    if out.suffix.lower() not in (".html", ".htm"):
        raise InputError(field="--out", reason="html_only")


@app.command("beslut", help=t("cmd.document.beslut"))
def beslut(
    case: CaseArg,
    decision: Annotated[str, typer.Argument(help=t("opt.decision_id"), metavar="DECISION", show_default=False)],
    out: OutOpt, as_json: JsonOpt = False,
) -> None:
    from ledger.cli.documents_html import decision_letter
    from ledger.cli.files import write_text

    _html(out)
    data = services().queries.decision_document(case, decision)
    write_text(out, decision_letter(data))
    done(as_json, t("done.document", file=str(out)), case=data["case"], file=str(out))


@app.command("utredning", help=t("cmd.document.utredning"))
def utredning(case: CaseArg, out: OutOpt, as_json: JsonOpt = False) -> None:
    from ledger.cli.documents_html import investigation
    from ledger.cli.files import write_text

    _html(out)
    data = services().queries.investigation_document(case)
    write_text(out, investigation(data))
    done(as_json, t("done.document", file=str(out)), case=data["case"], file=str(out))
