"""``ledger decision``: decisions on interventions and their status."""

from __future__ import annotations

from typing import Annotated

import typer

from ledger.cli.common import AsOpt, CaseArg, DateOpt, JsonOpt, NoteOpt, opt, recorded, services
from ledger.cli.i18n import t

app = typer.Typer(help=t("grp.decision"), no_args_is_help=True)


@app.command("record", help=t("cmd.decision.record"))
def record(
    case: CaseArg,
    outcome: Annotated[str, opt("opt.decision_outcome", "--outcome")],
    intervention: Annotated[str, opt("opt.intervention", "--intervention")],
    period_start: Annotated[str | None, opt("opt.from", "--from")] = None,
    period_end: Annotated[str | None, opt("opt.to", "--to")] = None,
    daily_price: Annotated[str | None, opt("opt.daily_price", "--daily-price")] = None,
    ceiling: Annotated[str | None, opt("opt.ceiling", "--ceiling")] = None,
    date: DateOpt = None, note: NoteOpt = None, as_: AsOpt = None, as_json: JsonOpt = False,
) -> None:
    ref = services(as_).ledger.record_decision(
        case, outcome=outcome, intervention=intervention, period_start=period_start, period_end=period_end,
        daily_price=daily_price, ceiling=ceiling, on=date, note=note,
    )
    recorded(as_json, case, "decision", ref)


@app.command("status", help=t("cmd.decision.status"))
def status(
    case: CaseArg,
    decision: Annotated[str, typer.Argument(help=t("opt.decision_id"), metavar="DECISION", show_default=False)],
    new_status: Annotated[str, typer.Argument(help=t("opt.decision_status"), metavar="STATUS", show_default=False)],
    date: DateOpt = None, note: NoteOpt = None, as_: AsOpt = None, as_json: JsonOpt = False,
) -> None:
    services(as_).ledger.change_decision_status(case, decision, new_status, on=date, note=note)
    recorded(as_json, case, "decision_status", decision.upper())
