"""``ledger followup``: how it goes for the person, during, at closure and after 12 months."""

from __future__ import annotations

from typing import Annotated

import typer

from ledger.cli.common import AsOpt, CaseArg, DateOpt, JsonOpt, NoteOpt, opt, recorded, services, typed
from ledger.cli.i18n import t

app = typer.Typer(help=t("grp.followup"), no_args_is_help=True)
UNKNOWN = typed("answer", "unknown")


@app.command("record", help=t("cmd.followup.record"))
def record(
    case: CaseArg,
    time_point: Annotated[str, opt("opt.time_point", "--time-point")],
    housing: Annotated[str, opt("opt.housing", "--housing")],
    occupation: Annotated[str, opt("opt.occupation", "--occupation")],
    income_support: Annotated[str, opt("opt.answer", "--income-support", show_default=True)] = UNKNOWN,
    substance_use: Annotated[str, opt("opt.answer", "--substance-use", show_default=True)] = UNKNOWN,
    psychiatric_contact: Annotated[str, opt("opt.answer", "--psychiatric-contact", show_default=True)] = UNKNOWN,
    new_suspicion: Annotated[str, opt("opt.answer", "--new-suspicion", show_default=True)] = UNKNOWN,
    remaining_threat: Annotated[str, opt("opt.answer", "--remaining-threat", show_default=True)] = UNKNOWN,
    goal: Annotated[list[str] | None, opt("opt.goal_outcome", "--goal", metavar="N=OUTCOME")] = None,
    date: DateOpt = None, note: NoteOpt = None, as_: AsOpt = None, as_json: JsonOpt = False,
) -> None:
    services(as_).ledger.record_followup(
        case, time_point=time_point, housing=housing, occupation=occupation, income_support=income_support,
        substance_use=substance_use, psychiatric_contact=psychiatric_contact, new_suspicion=new_suspicion,
        remaining_threat=remaining_threat, goals=_goals(goal or []), on=date, note=note,
    )
    recorded(as_json, case, "followup")


def _goals(lines: list[str]) -> dict[int, str]:
    """``1=uppnått`` (or reached), ``2=delvis``, ``3=inte``: goal number to outcome."""
    from ledger.domain.errors import InputError

    found: dict[int, str] = {}
    for line in lines:
        number, _, outcome = line.partition("=")
        if not number.strip().isdigit() or not outcome.strip():
            raise InputError(field="--goal", reason="format")
        found[int(number)] = outcome.strip()
    return found
