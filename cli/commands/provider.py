"""``ledger provider`` and ``ledger budget``: the unit's register and money frame."""

from __future__ import annotations

from typing import Annotated

import typer

from ledger.cli.common import AsOpt, DateOpt, JsonOpt, NoteOpt, done, opt, services
from ledger.cli.i18n import t

provider = typer.Typer(help=t("grp.provider"), no_args_is_help=True)
budget = typer.Typer(help=t("grp.budget"), no_args_is_help=True)
CodeArg = Annotated[str, typer.Argument(help=t("opt.provider"), metavar="CODE", show_default=False)]
YearArg = Annotated[int, typer.Argument(help=t("opt.year"), metavar="YEAR", show_default=False)]


@provider.command("add", help=t("cmd.provider.add"))
def add(
    code: CodeArg,
    name: Annotated[str, opt("opt.name", "--name")],
    org_number: Annotated[str | None, opt("opt.org_number", "--org-number")] = None,
    own_operation: Annotated[bool, opt("opt.own_operation", "--own-operation")] = False,
    date: DateOpt = None, note: NoteOpt = None, as_: AsOpt = None, as_json: JsonOpt = False,
) -> None:
    stored = services(as_).ledger.add_provider(code, name=name, org_number=org_number, own_operation=own_operation,
                                               on=date, note=note)
    done(as_json, t("done.provider", code=stored), provider=stored)


@provider.command("verify", help=t("cmd.provider.verify"))
def verify(
    code: CodeArg,
    permit: Annotated[str | None, opt("opt.permit", "--permit")] = None,
    valid_until: Annotated[str | None, opt("opt.valid_until", "--valid-until")] = None,
    date: DateOpt = None, note: NoteOpt = None, as_: AsOpt = None, as_json: JsonOpt = False,
) -> None:
    services(as_).ledger.verify_permit(code, reference=permit, valid_until=valid_until, on=date, note=note)
    done(as_json, t("done.permit", code=code.upper()), provider=code.upper())


@budget.command("set", help=t("cmd.budget.set"))
def set_(
    year: YearArg,
    amount: Annotated[str, typer.Argument(help=t("opt.amount"), metavar="AMOUNT", show_default=False)],
    date: DateOpt = None, note: NoteOpt = None, as_: AsOpt = None, as_json: JsonOpt = False,
) -> None:
    services(as_).ledger.set_budget(year, amount, on=date, note=note)
    done(as_json, t("done.budget", year=year), year=year)


@budget.command("show", help=t("cmd.budget.show"))
def show(
    year: YearArg,
    by: Annotated[str | None, opt("opt.by", "--by")] = None,
    plot: Annotated[str | None, opt("opt.plot", "--plot")] = None,
    as_of: Annotated[str | None, opt("opt.budget_as_of", "--as-of", metavar="DATE")] = None,
    as_json: JsonOpt = False,
) -> None:
    from ledger.cli.common import print_json
    from ledger.domain.errors import InvalidChoice

    if plot is not None and not plot.lower().endswith((".png", ".svg")):
        raise InvalidChoice(field="plot", value=plot[-20:], allowed="FILE.png, FILE.svg")
    report = services().queries.budget(year, by, as_of)
    if plot is not None:
        from ledger.cli.plot import budget_plot

        budget_plot(report, plot)
    if as_json:
        print_json(report)
        return
    from ledger.cli.render import budget_tables, console

    out = console()
    for table in budget_tables(report):
        out.print(table)
    if not report.get("has_budget", True):
        typer.echo(t("budget.not_set", year=report["year"]), err=True)
    if plot is not None:
        typer.echo(t("done.plot", path=plot))


@budget.command("adjust", help=t("cmd.budget.adjust"))
def adjust(
    year: YearArg,
    delta: Annotated[str, typer.Argument(help=t("opt.delta"), metavar="DELTA", show_default=False)],
    date: DateOpt = None, note: NoteOpt = None, as_: AsOpt = None, as_json: JsonOpt = False,
) -> None:
    services(as_).ledger.adjust_budget(year, delta, on=date, note=note)
    done(as_json, t("done.budget", year=year), year=year)
