"""``ledger access-log``: who read which case, when, with which command (for the monthly log review)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ledger.cli.common import JsonOpt, opt, print_json, services
from ledger.cli.i18n import t

app = typer.Typer(help=t("cmd.access_log"), add_completion=False)


@app.command(help=t("cmd.access_log"))
def access_log(
    case: Annotated[str | None, typer.Argument(help=t("access.arg.case"), metavar="CASE", show_default=False)] = None,
    user: Annotated[str | None, opt("access.opt.user", "--user")] = None,
    since: Annotated[str | None, opt("access.opt.since", "--since")] = None,
    until: Annotated[str | None, opt("access.opt.until", "--until")] = None,
    protected: Annotated[bool, opt("access.opt.protected", "--protected")] = False,
    denied: Annotated[bool, opt("access.opt.denied", "--denied")] = False,
    as_json: JsonOpt = False,
) -> None:
    rows = services().queries.access_log_entries(case=case, user=user, since=since, until=until,
                                                 protected=True if protected else None, denied=denied)
    if as_json:
        print_json(rows)
        return
    if not rows:
        typer.echo(t("access.none"))
        return
    from ledger.cli.render import console

    out = console()
    out.print(_table(rows))
    out.print(t("access.summary", count=len(rows), protected=sum(1 for r in rows if r["protected"]),
                denied=sum(1 for r in rows if r.get("outcome") == "denied")))


def _levels() -> dict[str, str]:
    return {
        "confidentiality_marking": t("protection.confidentiality_marking"),
        "protected_registration": t("protection.protected_registration"),
        "fictitious_identity": t("protection.fictitious_identity"),
    }


def _table(rows: list[dict[str, Any]]) -> Any:
    """One row per read, its time in Swedish time (whatever the machine's zone); a read of a
    protected-identity case is marked in words and in red."""
    from datetime import datetime

    from rich.table import Table
    from rich.text import Text

    from ledger.domain.clock import LOCAL

    levels = _levels()
    table = Table(title=t("access.title"), title_justify="left")
    table.add_column(t("access.col.accessed_at"))
    table.add_column(t("access.col.user"))
    table.add_column(t("access.col.case"))
    table.add_column(t("access.col.command"))
    table.add_column(t("access.col.protected"))
    table.add_column(t("access.col.outcome"))
    for r in rows:
        local = datetime.fromisoformat(r["accessed_at"]).astimezone(LOCAL).strftime("%Y-%m-%d %H:%M:%S")
        if r["protected"]:
            mark = Text(t("access.protected", level=levels.get(r["protection_level"], r["protection_level"])),
                        style="bold red")
        else:
            mark = Text(t("label.none"))
        denied = r.get("outcome") == "denied"
        outcome = Text(t("access.outcome.denied"), style="bold") if denied else Text(t("access.outcome.read"))
        table.add_row(Text(local), Text(r["user"]), Text(r["case"] or "–"), Text(r["command"]), mark, outcome,
                      style="bold" if r["protected"] else None)
    return table
