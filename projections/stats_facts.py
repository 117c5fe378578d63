"""Facts for the yearly national follow-up: one row per case, its follow-ups, children and relatives.

Only statistical fields are read (never identity numbers, names or free text).
"""

from __future__ import annotations

from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import Boolean, Column, Date, Integer, String, Table, Uuid

from ledger import events as ev
from ledger.projections.base import Fact, Projection, Unit, read_metadata

stat_cases = Table(
    "proj_stats_cases",
    read_metadata,
    Column("case_id", Uuid(), primary_key=True),
    Column("person_id", Uuid(), nullable=False),
    Column("opened_on", Date(), nullable=False),
    Column("gender", String(16), nullable=False),
    Column("birth_year", Integer()),
    Column("environment", String(32), nullable=False),
    Column("referral_source", String(32), nullable=False),
    Column("protected_identity", Boolean(), nullable=False),
    Column("assessed_on", Date()),
    Column("assessment_outcome", String(32)),
    Column("assessment_reason", String(32)),
    Column("investigated_on", Date()),
    Column("granted_on", Date()),
    Column("denied_on", Date()),
    Column("police_case_on", Date()),
    Column("protection_needed", Boolean()),
    Column("closed_on", Date()),
    Column("closure_reason", String(32)),
)

stat_followups = Table(
    "proj_stats_followups",
    read_metadata,
    Column("case_id", Uuid(), nullable=False),
    Column("year", Integer(), nullable=False),
    Column("time_point", String(16), nullable=False),
    Column("housing", String(16), nullable=False),
    Column("occupation", String(16), nullable=False),
    Column("income_support", String(8), nullable=False),
    Column("substance_use", String(8), nullable=False),
    Column("psychiatric_contact", String(8), nullable=False),
    Column("new_suspicion", String(8), nullable=False),
    Column("remaining_threat", String(8), nullable=False),
)

stat_household = Table(
    "proj_stats_household",
    read_metadata,
    Column("case_id", Uuid(), nullable=False),
    Column("year", Integer(), nullable=False),
    Column("kind", String(16), nullable=False),  # child | relative
    Column("relation", String(16)),
)

_EVENTS = (
    ev.CaseActualised, ev.PreliminaryAssessmentMade, ev.InvestigationOpened, ev.DecisionRecorded,
    ev.ThreatAssessmentReceived, ev.CaseClosed, ev.CaseReopened, ev.FollowUpRecorded, ev.ChildInHouseholdNoted,
    ev.RelativeSupported,
)


_CASE_COLUMNS = tuple(c.name for c in stat_cases.columns)


class StatsFacts(Projection):
    name = "stats"
    version = 2
    tables = (stat_cases, stat_followups, stat_household)
    topics = tuple(get_topic(cls) for cls in _EVENTS)

    def handle(self, unit: Unit, e: Fact, position: int) -> None:
        kind = e["_type"]
        case_id = e["originator_id"]
        if kind == "CaseActualised":
            row = dict.fromkeys(_CASE_COLUMNS)
            row.update({
                "case_id": case_id, "person_id": unit.uuid(e["person_id"]), "opened_on": e["occurred_on"],
                "gender": e["gender"], "birth_year": e.get("birth_year"), "environment": e["environment"],
                "referral_source": e["referral_source"],
                "protected_identity": e.get("protection_level", "none") != "none",
            })
            unit[stat_cases].put(row)
            return
        if kind == "FollowUpRecorded":
            unit[stat_followups].append({
                "case_id": case_id, "year": int(e["occurred_on"][:4]), "time_point": e["time_point"],
                "housing": e["housing"], "occupation": e["occupation"],
                "income_support": e.get("income_support", "unknown"),
                "substance_use": e.get("substance_use", "unknown"),
                "psychiatric_contact": e.get("psychiatric_contact", "unknown"),
                "new_suspicion": e.get("new_suspicion", "unknown"),
                "remaining_threat": e.get("remaining_threat", "unknown"),
            })
            return
        if kind == "ChildInHouseholdNoted" or kind == "RelativeSupported":
            child = kind == "ChildInHouseholdNoted"
            unit[stat_household].append({"case_id": case_id, "year": int(e["occurred_on"][:4]),
                                         "kind": "child" if child else "relative",
                                         "relation": None if child else e["relation"]})
            return
        row = unit[stat_cases].change(case_id)
        assert row is not None, "case event before the case was actualised"
        on = e["occurred_on"]
        if kind == "PreliminaryAssessmentMade":
            row.update(assessed_on=on, assessment_outcome=e["outcome"], assessment_reason=e["reason"])
        elif kind == "InvestigationOpened":
            _first(row, "investigated_on", on)
        elif kind == "DecisionRecorded":
            _first(row, "granted_on" if e["outcome"] == "granted" else "denied_on", on)
        elif kind == "ThreatAssessmentReceived":
            row["protection_needed"] = e["protection_needed"]
            if e["criteria_met"]:
                _first(row, "police_case_on", on)
        elif kind == "CaseClosed":
            row.update(closed_on=on, closure_reason=e["reason"])
        elif kind == "CaseReopened":
            row.update(closed_on=None, closure_reason=None)


def _first(row: dict[str, Any], column: str, day: str) -> None:
    if row[column] is None or day < row[column]:
        row[column] = day
