"""Facts for the yearly national follow-up: one row per case, its follow-ups, children and relatives.

Only statistical fields are read (never identity numbers, names or free text).
"""

from __future__ import annotations

from typing import Any

from ledger.adapters.schema import stat_cases, stat_followups, stat_household
from ledger.domain import events as ev
from ledger.projections.projection import Fact, Projection
from ledger.projections.rows import Unit

_CASE_COLUMNS = tuple(c.name for c in stat_cases.columns)


class StatsFacts(Projection):
    name = "stats"
    version = 5  # 4: the index of the cases opened in error; 5: its condition as SQLite is asked it
    tables = (stat_cases, stat_followups, stat_household)
    weight = 0.5


on = StatsFacts.on


@on(ev.CaseActualised)
def _actualised(unit: Unit, e: Fact) -> None:
    row = dict.fromkeys(_CASE_COLUMNS)
    row.update({
        "case_id": e["originator_id"], "person_id": unit.uuid(e["person_id"]), "opened_on": e["occurred_on"],
        "gender": e["gender"], "birth_year": e.get("birth_year"), "environment": e["environment"],
        "referral_source": e["referral_source"],
        "protected_identity": e.get("protection_level", "none") != "none", "excluded": False,
    })
    unit[stat_cases].put(row)


@on(ev.FollowUpRecorded)
def _followup(unit: Unit, e: Fact) -> None:
    unit[stat_followups].append({
        "case_id": e["originator_id"], "year": int(e["occurred_on"][:4]), "time_point": e["time_point"],
        "housing": e["housing"], "occupation": e["occupation"],
        "income_support": e.get("income_support", "unknown"),
        "substance_use": e.get("substance_use", "unknown"),
        "psychiatric_contact": e.get("psychiatric_contact", "unknown"),
        "new_suspicion": e.get("new_suspicion", "unknown"),
        "remaining_threat": e.get("remaining_threat", "unknown"),
    })


@on(ev.ChildInHouseholdNoted)
def _child(unit: Unit, e: Fact) -> None:
    unit[stat_household].append({"case_id": e["originator_id"], "year": int(e["occurred_on"][:4]), "kind": "child",
                                 "relation": None})


@on(ev.RelativeSupported)
def _relative(unit: Unit, e: Fact) -> None:
    unit[stat_household].append({"case_id": e["originator_id"], "year": int(e["occurred_on"][:4]),
                                 "kind": "relative", "relation": e["relation"]})


def _case(unit: Unit, e: Fact) -> dict[str, Any]:
    row = unit[stat_cases].change(e["originator_id"])
    assert row is not None, "case event before the case was actualised"
    return row


@on(ev.PreliminaryAssessmentMade)
def _assessed(unit: Unit, e: Fact) -> None:
    _case(unit, e).update(assessed_on=e["occurred_on"], assessment_outcome=e["outcome"], assessment_reason=e["reason"])


@on(ev.InvestigationOpened)
def _investigated(unit: Unit, e: Fact) -> None:
    _first(_case(unit, e), "investigated_on", e["occurred_on"])


@on(ev.DecisionRecorded)
def _decided(unit: Unit, e: Fact) -> None:
    granted = e["outcome"] in ("granted", "partial")
    _first(_case(unit, e), "granted_on" if granted else "denied_on", e["occurred_on"])


@on(ev.ThreatAssessmentReceived)
def _threat(unit: Unit, e: Fact) -> None:
    row = _case(unit, e)
    row["protection_needed"] = e["protection_needed"]
    if e["criteria_met"]:
        _first(row, "police_case_on", e["occurred_on"])


@on(ev.CaseClosed)
def _closed(unit: Unit, e: Fact) -> None:
    # a case opened in error was never a case: it leaves every table of the statistics
    _case(unit, e).update(closed_on=e["occurred_on"], closure_reason=e["reason"],
                          excluded=e["reason"] == "opened_in_error")


@on(ev.CaseReopened)
def _reopened(unit: Unit, e: Fact) -> None:
    _case(unit, e).update(closed_on=None, closure_reason=None)


def _first(row: dict[str, Any], column: str, day: str) -> None:
    if row[column] is None or day < row[column]:
        row[column] = day
