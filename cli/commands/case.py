"""``ledger case``: open, show, list, log, close, reopen."""

from __future__ import annotations

from typing import Annotated

import typer

from ledger.cli.common import (
    AsOpt,
    CaseArg,
    DateOpt,
    JsonOpt,
    NoteOpt,
    done,
    opt,
    print_json,
    recorded,
    services,
    typed,
)
from ledger.cli.i18n import t

app = typer.Typer(help=t("grp.case"), no_args_is_help=True)


@app.command("open", help=t("cmd.case.open"))
def open_(
    identity: Annotated[str, typer.Argument(help=t("opt.identity"), metavar="IDENTITY", show_default=False)],
    gender: Annotated[str, opt("opt.gender", "--gender")],
    environment: Annotated[str, opt("opt.environment", "--environment")],
    source: Annotated[str, opt("opt.source", "--source")],
    type_: Annotated[str, opt("opt.type", "--type", show_default=True)] = typed("actualisation", "application"),
    protection: Annotated[str, opt("opt.protection", "--protection", show_default=True)] = typed("protection", "none"),
    identity_kind: Annotated[str | None, opt("opt.identity_kind", "--identity-kind")] = None,
    birth_year: Annotated[int | None, opt("opt.birth_year", "--birth-year")] = None,
    date: DateOpt = None,
    note: NoteOpt = None,
    as_: AsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    number = services(as_).ledger.open_case(
        identity, gender=gender, environment=environment, source=source, actualisation_type=type_,
        protection=protection, identity_kind=identity_kind, birth_year=birth_year, on=date, note=note,
    )
    done(as_json, t("done.opened", case=number), case=number)


@app.command("show", help=t("cmd.case.show"))
def show(
    case: CaseArg,
    as_of: Annotated[str | None, opt("opt.as_of", "--as-of")] = None,
    recorded_before: Annotated[str | None, opt("opt.recorded_before", "--recorded-before")] = None,
    as_json: JsonOpt = False,
) -> None:
    view = services().queries.case(case, as_of=as_of, recorded_before=recorded_before)
    if as_json:
        print_json(view)
        return
    if view.get("status") == "thinned":
        typer.echo(t("case.thinned", case=view["case"], on=view["thinned_on"]))
        return
    from ledger.cli.render import case_details, console

    out = console()
    for table in case_details(view):
        out.print(table)


@app.command("list", help=t("cmd.case.list"))
def list_(
    status: Annotated[str | None, opt("opt.status", "--status")] = None,
    recorded_by: Annotated[str | None, opt("opt.recorded_by", "--recorded-by")] = None,
    environment: Annotated[str | None, opt("opt.environment", "--environment")] = None,
    provider: Annotated[str | None, opt("opt.provider", "--provider")] = None,
    needs_attention: Annotated[bool, opt("opt.needs_attention", "--needs-attention")] = False,
    mine: Annotated[bool, opt("opt.mine", "--mine")] = False,
    person: Annotated[str | None, opt("opt.person", "--person", metavar="IDENTITY")] = None,
    limit: Annotated[int, opt("opt.limit", "--limit", min=1, max=1_000_000, show_default=True)] = 50,
    all_: Annotated[bool, opt("opt.all", "--all")] = False,
    as_json: JsonOpt = False,
) -> None:
    rows = services().queries.cases(status=status, recorded_by=recorded_by, environment=environment,
                                    provider=provider, needs_attention=needs_attention, mine=mine, person=person,
                                    limit=None if all_ else limit)
    if as_json:
        print_json(list(rows))
    elif rows:
        from ledger.cli.render import case_table, console

        console().print(case_table(rows))
    else:
        typer.echo(t("label.no_cases"))
    if rows.total > len(rows):  # on stderr, so that --json stays one JSON document
        typer.echo(t("label.page", shown=len(rows), total=rows.total), err=True)


@app.command("find", help=t("cmd.case.find"))
def find(
    identity: Annotated[str, typer.Argument(help=t("arg.identity"), metavar="IDENTITY", show_default=False)],
    as_json: JsonOpt = False,
) -> None:
    rows = services().queries.find(identity)
    if as_json:
        print_json(rows)
        return
    if not rows:
        typer.echo(t("label.no_cases"))
        return
    from ledger.cli.render import console, found_table

    console().print(found_table(rows))


@app.command("journal", help=t("cmd.case.journal"))
def journal(
    case: CaseArg,
    late_after: Annotated[int | None, opt("opt.late_after", "--late-after")] = None,
    as_json: JsonOpt = False,
) -> None:
    data = services().queries.journal(case, late_after=late_after)
    if as_json:
        print_json(data)
        return
    from ledger.cli.render import console, journal_table

    console().print(journal_table(data))


@app.command("log", help=t("cmd.case.log"))
def log(case: CaseArg, as_json: JsonOpt = False) -> None:
    entries = services().queries.case_log(case)
    if as_json:
        print_json(entries)
        return
    from ledger.cli.render import console, log_table

    console().print(log_table(entries, case.upper()))


@app.command("close", help=t("cmd.case.close"))
def close(
    case: CaseArg,
    reason: Annotated[str, opt("opt.closure_reason", "--reason")],
    date: DateOpt = None, note: NoteOpt = None, as_: AsOpt = None, as_json: JsonOpt = False,
) -> None:
    services(as_).ledger.close_case(case, reason, on=date, note=note)
    recorded(as_json, case, "closed")


@app.command("reopen", help=t("cmd.case.reopen"))
def reopen(
    case: CaseArg, date: DateOpt = None, note: NoteOpt = None, as_: AsOpt = None, as_json: JsonOpt = False
) -> None:
    services(as_).ledger.reopen_case(case, on=date, note=note)
    recorded(as_json, case, "reopened")


@app.command("assign", help=t("cmd.case.assign"))
def assign(
    case: CaseArg,
    to: Annotated[str, opt("opt.assign_to", "--to")],
    date: DateOpt = None, note: NoteOpt = None, as_: AsOpt = None, as_json: JsonOpt = False,
) -> None:
    services(as_).ledger.assign_case(case, to, on=date, note=note)
    recorded(as_json, case, "assigned")


@app.command("protect", help=t("cmd.case.protect"))
def protect(
    case: CaseArg,
    level: Annotated[str, opt("opt.protect_level", "--level")],
    date: DateOpt = None, note: NoteOpt = None, as_: AsOpt = None, as_json: JsonOpt = False,
) -> None:
    services(as_).ledger.protect_case(case, level, on=date, note=note)
    recorded(as_json, case, "protected")


@app.command("grant-access", help=t("cmd.case.grant_access"))
def grant_access(
    case: CaseArg,
    to: Annotated[str, opt("opt.grant_to", "--to")],
    until: Annotated[str, opt("opt.grant_until", "--until")],
    reason: Annotated[str, opt("opt.grant_reason", "--reason")],
    date: DateOpt = None, note: NoteOpt = None, as_: AsOpt = None, as_json: JsonOpt = False,
) -> None:
    services(as_).ledger.grant_case_access(case, to, until=until, reason=reason, on=date, note=note)
    recorded(as_json, case, "access_granted")
