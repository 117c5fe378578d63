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
    motivated: Annotated[str | None, opt("opt.motivated", "--motivated")] = None,
    consent: Annotated[str | None, opt("opt.consent_given", "--consent")] = None,
    serious_crime: Annotated[str | None, opt("opt.serious_crime", "--serious-crime")] = None,
    motivation: Annotated[str | None, opt("opt.assessment_motivation", "--motivation")] = None,
    date: DateOpt = None, note: NoteOpt = None, as_: AsOpt = None, as_json: JsonOpt = False,
) -> None:
    services(as_).ledger.record_assessment(
        case, outcome, reason, motivated=yes_no(motivated, "--motivated"), consent_given=yes_no(consent, "--consent"),
        serious_crime_suspected=yes_no(serious_crime, "--serious-crime"), motivation=motivation, on=date, note=note)
    recorded(as_json, case, "assessment")


def yes_no(value: str | None, field: str) -> bool | None:
    """``ja``/``nej`` (or ``yes``/``no``); nothing given: not asked."""
    if value is None:
        return None
    from ledger.domain.errors import InvalidChoice

    text = value.strip().lower()
    if text in ("ja", "yes", "j", "y"):
        return True
    if text in ("nej", "no", "n"):
        return False
    raise InvalidChoice(field=field, value=value[:20], allowed="ja, nej")


@investigation.command("open", help=t("cmd.investigation.open"))
def open_investigation(
    case: CaseArg, date: DateOpt = None, note: NoteOpt = None, as_: AsOpt = None, as_json: JsonOpt = False
) -> None:
    services(as_).ledger.open_investigation(case, on=date, note=note)
    recorded(as_json, case, "investigation_opened")


@investigation.command("complete", help=t("cmd.investigation.complete"))
def complete_investigation(
    case: CaseArg,
    background: Annotated[str | None, opt("opt.background", "--background")] = None,
    wishes: Annotated[str | None, opt("opt.wishes", "--wishes")] = None,
    assessment: Annotated[str | None, opt("opt.investigation_assessment", "--assessment")] = None,
    proposal: Annotated[str | None, opt("opt.proposal", "--proposal")] = None,
    date: DateOpt = None, note: NoteOpt = None, as_: AsOpt = None, as_json: JsonOpt = False,
) -> None:
    services(as_).ledger.complete_investigation(case, background=background, wishes=wishes, assessment=assessment,
                                                proposal=proposal, on=date, note=note)
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
