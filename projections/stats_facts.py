"""Facts for the yearly national follow-up: one row per case, its follow-ups, children and relatives.

Only statistical fields are read (never identity numbers, names or free text).
"""

from __future__ import annotations

from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import Boolean, Column, Connection, Date, Integer, String, Table, Uuid, insert, select, update

from ledger import events as ev
from ledger.projections.base import Projection, read_metadata

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
    version = 1
    tables = (stat_cases, stat_followups, stat_household)
    topics = tuple(get_topic(cls) for cls in _EVENTS)

    def handle(self, conn: Connection, e: Any, position: int) -> None:
        case = stat_cases.c.case_id == e.originator_id
        if isinstance(e, ev.CaseActualised):
            conn.execute(insert(stat_cases), {
                "case_id": e.originator_id, "person_id": e.person_id, "opened_on": e.occurred_on,
                "gender": e.gender.value, "birth_year": e.birth_year, "environment": e.environment.value,
                "referral_source": e.referral_source.value, "protected_identity": e.protection_level.value != "none",
            })
        elif isinstance(e, ev.PreliminaryAssessmentMade):
            conn.execute(update(stat_cases).where(case).values(
                assessed_on=e.occurred_on, assessment_outcome=e.outcome.value, assessment_reason=e.reason.value))
        elif isinstance(e, ev.InvestigationOpened):
            self._first(conn, e, "investigated_on")
        elif isinstance(e, ev.DecisionRecorded):
            self._first(conn, e, "granted_on" if e.outcome.value == "granted" else "denied_on")
        elif isinstance(e, ev.ThreatAssessmentReceived):
            conn.execute(update(stat_cases).where(case).values(protection_needed=e.protection_needed))
            if e.criteria_met:
                self._first(conn, e, "police_case_on")
        elif isinstance(e, ev.CaseClosed):
            conn.execute(update(stat_cases).where(case).values(closed_on=e.occurred_on, closure_reason=e.reason.value))
        elif isinstance(e, ev.CaseReopened):
            conn.execute(update(stat_cases).where(case).values(closed_on=None, closure_reason=None))
        elif isinstance(e, ev.FollowUpRecorded):
            conn.execute(insert(stat_followups), {
                "case_id": e.originator_id, "year": e.occurred_on.year, "time_point": e.time_point.value,
                "housing": e.housing.value, "occupation": e.occupation.value,
                "income_support": e.income_support.value, "substance_use": e.substance_use.value,
                "psychiatric_contact": e.psychiatric_contact.value, "new_suspicion": e.new_suspicion.value,
                "remaining_threat": e.remaining_threat.value,
            })
        elif isinstance(e, ev.ChildInHouseholdNoted):
            conn.execute(insert(stat_household), {"case_id": e.originator_id, "year": e.occurred_on.year,
                                                  "kind": "child", "relation": None})
        elif isinstance(e, ev.RelativeSupported):
            conn.execute(insert(stat_household), {"case_id": e.originator_id, "year": e.occurred_on.year,
                                                  "kind": "relative", "relation": e.relation.value})

    def _first(self, conn: Connection, e: Any, column: str) -> None:
        current = conn.execute(select(stat_cases.c[column]).where(stat_cases.c.case_id == e.originator_id)).scalar()
        if current is None or e.occurred_on < current:
            conn.execute(update(stat_cases).where(stat_cases.c.case_id == e.originator_id)
                         .values({column: e.occurred_on}))
