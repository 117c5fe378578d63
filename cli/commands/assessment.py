"""``ledger assessment``, ``ledger investigation``, ``ledger threat``: from actualisation to decision."""

from __future__ import annotations

from typing import Annotated

import typer

from ledger.cli.common import AsOpt, CaseArg, DateOpt, JsonOpt, NoteOpt, opt, recorded, services
from ledger.cli.i18n import t

assessment = typer.Typer(help=t("grp.assessment"), no_args_is_help=True)
investigation = typer.Typer(help=t("grp.investigation"), no_args_is_help=True)
threat = typer.Typer(help=t("grp.threat"), no_args_is_help=True)


@assessment.command("record", help=t("cmd.assessment.record"))
def record_assessment(
    case: CaseArg,
    outcome: Annotated[str, opt("opt.assessment_outcome", "--outcome")],
    reason: Annotated[str, opt("opt.assessment_reason", "--reason")],
    date: DateOpt = None, note: NoteOpt = None, as_: AsOpt = None, as_json: JsonOpt = False,
) -> None:
    services(as_).ledger.record_assessment(case, outcome, reason, on=date, note=note)
    recorded(as_json, case, "assessment")


@investigation.command("open", help=t("cmd.investigation.open"))
def open_investigation(
    case: CaseArg, date: DateOpt = None, note: NoteOpt = None, as_: AsOpt = None, as_json: JsonOpt = False
) -> None:
    services(as_).ledger.open_investigation(case, on=date, note=note)
    recorded(as_json, case, "investigation_opened")


@investigation.command("complete", help=t("cmd.investigation.complete"))
def complete_investigation(
    case: CaseArg, date: DateOpt = None, note: NoteOpt = None, as_: AsOpt = None, as_json: JsonOpt = False
) -> None:
    services(as_).ledger.complete_investigation(case, on=date, note=note)
    recorded(as_json, case, "investigation_completed")


@threat.command("record", help=t("cmd.threat.record"))
def record_threat(
    case: CaseArg,
    unit: Annotated[str, opt("opt.unit", "--unit")],
    level: Annotated[str, opt("opt.level", "--level")],
    protection_needed: Annotated[
        bool, opt("opt.protection_needed", "--protection-needed/--no-protection-needed")
    ] = False,
    criteria_met: Annotated[bool, opt("opt.criteria_met", "--criteria-met/--criteria-not-met")] = False,
    review_on: Annotated[str | None, opt("opt.review_on", "--review-on")] = None,
    date: DateOpt = None, note: NoteOpt = None, as_: AsOpt = None, as_json: JsonOpt = False,
) -> None:
    services(as_).ledger.record_threat(
        case, unit=unit, level=level, protection_needed=protection_needed, criteria_met=criteria_met,
        review_on=review_on, on=date, note=note,
    )
    recorded(as_json, case, "threat")
