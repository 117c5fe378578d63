"""Facts for the yearly national follow-up: one row per case, its follow-ups, children and relatives.

Only statistical fields are read (never identity numbers, names or free text).
"""

from __future__ import annotations

from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import Boolean, Column, Date, Integer, String, Table, Uuid

from ledger import events as ev
from ledger.projections.base import Projection, Unit, read_metadata

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


class StatsFacts(Projection):
    name = "stats"
    version = 2
    tables = (stat_cases, stat_followups, stat_household)
    topics = tuple(get_topic(cls) for cls in _EVENTS)

    def handle(self, unit: Unit, e: Any, position: int) -> None:
        rows = unit[stat_cases]
        if isinstance(e, ev.CaseActualised):
            rows.put({
                "case_id": e.originator_id, "person_id": e.person_id, "opened_on": e.occurred_on,
                "gender": e.gender.value, "birth_year": e.birth_year, "environment": e.environment.value,
                "referral_source": e.referral_source.value, "protected_identity": e.protection_level.value != "none",
            })
            return
        if isinstance(e, ev.FollowUpRecorded):
            unit[stat_followups].append({
                "case_id": e.originator_id, "year": e.occurred_on.year, "time_point": e.time_point.value,
                "housing": e.housing.value, "occupation": e.occupation.value,
                "income_support": e.income_support.value, "substance_use": e.substance_use.value,
                "psychiatric_contact": e.psychiatric_contact.value, "new_suspicion": e.new_suspicion.value,
                "remaining_threat": e.remaining_threat.value,
            })
            return
        if isinstance(e, ev.ChildInHouseholdNoted | ev.RelativeSupported):
            child = isinstance(e, ev.ChildInHouseholdNoted)
            unit[stat_household].append({"case_id": e.originator_id, "year": e.occurred_on.year,
                                         "kind": "child" if child else "relative",
                                         "relation": None if child else e.relation.value})
            return
        row = rows.get(e.originator_id)
        assert row is not None, "case event before the case was actualised"
        if isinstance(e, ev.PreliminaryAssessmentMade):
            row.update(assessed_on=e.occurred_on, assessment_outcome=e.outcome.value,
                       assessment_reason=e.reason.value)
        elif isinstance(e, ev.InvestigationOpened):
            _first(row, "investigated_on", e.occurred_on)
        elif isinstance(e, ev.DecisionRecorded):
            _first(row, "granted_on" if e.outcome.value == "granted" else "denied_on", e.occurred_on)
        elif isinstance(e, ev.ThreatAssessmentReceived):
            row["protection_needed"] = e.protection_needed
            if e.criteria_met:
                _first(row, "police_case_on", e.occurred_on)
        elif isinstance(e, ev.CaseClosed):
            row.update(closed_on=e.occurred_on, closure_reason=e.reason.value)
        elif isinstance(e, ev.CaseReopened):
            row.update(closed_on=None, closure_reason=None)
        rows.touch(e.originator_id)


def _first(row: dict[str, Any], column: str, day: Any) -> None:
    if row.get(column) is None or day < row[column]:
        row[column] = day
