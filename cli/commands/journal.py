"""``ledger journal`` (a journal entry, an objection) and ``ledger plan`` (the genomförandeplan)."""

from __future__ import annotations

from typing import Annotated

import typer

from ledger.cli.common import AsOpt, CaseArg, DateOpt, JsonOpt, NoteOpt, opt, recorded, services, typed
from ledger.cli.i18n import t

journal = typer.Typer(help=t("grp.journal"), no_args_is_help=True)
plan = typer.Typer(help=t("grp.plan"), no_args_is_help=True)
TextArg = Annotated[str, typer.Argument(help=t("arg.journal_text"), metavar="TEXT", show_default=False)]


@journal.command("add", help=t("cmd.journal.add"))
def add(
    case: CaseArg, text: TextArg,
    kind: Annotated[str, opt("opt.journal_kind", "--kind", show_default=True)] = typed("journal", "other"),
    date: DateOpt = None, as_: AsOpt = None, as_json: JsonOpt = False,
) -> None:
    entry = services(as_).ledger.add_journal(case, text, kind=kind, on=date)
    recorded(as_json, case, "journal", str(entry))


@journal.command("object", help=t("cmd.journal.object"))
def object_(
    case: CaseArg,
    entry: Annotated[int, typer.Argument(help=t("arg.entry"), metavar="ENTRY", show_default=False)],
    text: TextArg, date: DateOpt = None, as_: AsOpt = None, as_json: JsonOpt = False,
) -> None:
    number = services(as_).ledger.note_objection(case, entry, text, on=date)
    recorded(as_json, case, "objection", str(number))


@plan.command("set", help=t("cmd.plan.set"))
def set_(
    case: CaseArg,
    goal: Annotated[list[str], opt("opt.goal", "--goal", metavar="TEXT")],
    date: DateOpt = None, note: NoteOpt = None, as_: AsOpt = None, as_json: JsonOpt = False,
) -> None:
    ref = services(as_).ledger.set_plan(case, goal, on=date, note=note)
    recorded(as_json, case, "plan", ref)
