"""``ledger audit consent``: every sharing of information against the consent that covered it."""

from __future__ import annotations

from typing import Annotated

import typer

from ledger.cli.common import JsonOpt, opt, print_json, services
from ledger.cli.i18n import t

app = typer.Typer(help=t("grp.audit"), no_args_is_help=True)


@app.command("consent", help=t("cmd.audit.consent"))
def consent(
    case: Annotated[str | None, typer.Argument(help=t("arg.case_or_all"), metavar="[CASE]", show_default=False)] = None,
    all_: Annotated[bool, opt("opt.all_cases", "--all")] = False,
    as_json: JsonOpt = False,
) -> None:
    from ledger.domain.errors import InputError

    if (case is None) == (not all_):
        raise InputError(field="CASE/--all", reason="case_or_all")
    report = services().queries.consent_audit(case)
    if as_json:
        print_json(report)
        return
    from ledger.cli.render import consent_audit_table, console

    out = console()
    out.print(consent_audit_table(report))
    out.print(t("label.audit_summary", sharings=report["sharings"], problems=report["problem_count"]))
