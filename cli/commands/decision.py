"""``ledger decision``: decisions on interventions and their status."""

from __future__ import annotations

from typing import Annotated

import typer

from ledger.cli.common import AsOpt, CaseArg, DateOpt, JsonOpt, NoteOpt, choices, opt, recorded, services
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
    motivation: Annotated[str | None, opt("opt.motivation", "--motivation")] = None,
    legal_ground: Annotated[str | None, opt("opt.legal_ground", "--legal-ground")] = None,
    decided_by: Annotated[str | None, opt("opt.decided_by", "--decided-by")] = None,
    communicated_on: Annotated[str | None, opt("opt.communicated_on", "--communicated-on")] = None,
    notified_on: Annotated[str | None, opt("opt.notified_on", "--notified-on")] = None,
    date: DateOpt = None, note: NoteOpt = None, as_: AsOpt = None, as_json: JsonOpt = False,
) -> None:
    ref = services(as_).ledger.record_decision(
        case, outcome=outcome, intervention=intervention, period_start=period_start, period_end=period_end,
        daily_price=daily_price, ceiling=ceiling, motivation=motivation, legal_ground=legal_ground,
        decided_by=decided_by, communicated_on=communicated_on, notified_on=notified_on, on=date, note=note,
    )
    recorded(as_json, case, "decision", ref)


DecisionArg = Annotated[str, typer.Argument(help=t("opt.decision_id"), metavar="DECISION", show_default=False)]


@app.command("appeal", help=t("cmd.decision.appeal"))
def appeal(case: CaseArg, decision: DecisionArg, date: DateOpt = None, note: NoteOpt = None, as_: AsOpt = None,
           as_json: JsonOpt = False) -> None:
    services(as_).ledger.appeal_decision(case, decision, on=date, note=note)
    recorded(as_json, case, "decision_appealed", decision.upper())


@app.command("court", help=t("cmd.decision.court"))
def court(
    case: CaseArg, decision: DecisionArg,
    outcome: Annotated[str, opt("opt.court_outcome", "--outcome")],
    date: DateOpt = None, note: NoteOpt = None, as_: AsOpt = None, as_json: JsonOpt = False,
) -> None:
    services(as_).ledger.record_court_ruling(case, decision, outcome=outcome, on=date, note=note)
    recorded(as_json, case, "court_ruled", decision.upper())


@app.command("status", help=t("cmd.decision.status"))
def status(
    case: CaseArg,
    decision: Annotated[str, typer.Argument(help=t("opt.decision_id"), metavar="DECISION", show_default=False)],
    new_status: Annotated[str, typer.Argument(help=t("opt.decision_status", choices=choices("decision_status")),
                                              metavar="STATUS", show_default=False)],
    date: DateOpt = None, note: NoteOpt = None, as_: AsOpt = None, as_json: JsonOpt = False,
) -> None:
    services(as_).ledger.change_decision_status(case, decision, new_status, on=date, note=note)
    recorded(as_json, case, "decision_status", decision.upper())
