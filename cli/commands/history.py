"""``ledger history`` (a case's timeline, at a date, as recorded at a moment) and ``ledger correct``."""

from __future__ import annotations

from typing import Annotated

import typer

from ledger.cli.common import AsOpt, CaseArg, JsonOpt, done, opt, print_json, services
from ledger.cli.i18n import t

AsOfOpt = Annotated[str | None, opt("opt.as_of", "--as-of")]
RecordedBeforeOpt = Annotated[str | None, opt("opt.recorded_before", "--recorded-before")]

history_app = typer.Typer(add_completion=False)
correct_app = typer.Typer(add_completion=False)


@history_app.command(help=t("cmd.history"))
def history(
    case: CaseArg,
    as_of: AsOfOpt = None,
    recorded_before: RecordedBeforeOpt = None,
    late_after: Annotated[int | None, opt("opt.late_after", "--late-after")] = None,
    as_json: JsonOpt = False,
) -> None:
    report = services().queries.history(case, as_of=as_of, recorded_before=recorded_before, late_after=late_after)
    if as_json:
        print_json(report)
        return
    from ledger.cli.render import console, history_table

    out = console()
    out.print(history_table(report))
    out.print(t("label.history_summary", entries=len(report["entries"]), late=report["late_entries"],
                days=report["late_after_days"], corrected=report["corrected_entries"]))


@correct_app.command(help=t("cmd.correct"))
def correct(
    case: CaseArg,
    entry: Annotated[int, typer.Argument(help=t("arg.entry"), metavar="ENTRY", show_default=False)],
    reason: Annotated[str, opt("opt.correction_reason", "--reason")],
    set_: Annotated[list[str], opt("opt.set", "--set", metavar="FIELD=VALUE")],
    as_: AsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    from ledger.domain.errors import InputError

    changes: dict[str, str] = {}
    for item in set_:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise InputError(field="--set", reason="format")
        changes[name.strip()] = value
    number = services(as_).ledger.correct_entry(case, entry, reason=reason, changes=changes)
    done(as_json, t("done.corrected", case=case.upper(), entry=entry, new=number), case=case.upper(),
         corrected_entry=entry, entry=number)
