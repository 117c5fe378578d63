"""The case overview: one row per case, its consents and decisions, for ``ledger case list``.

"Needs attention" is answered from these rows and the money projection's interventions:

- ``threat_review_passed``: the Police's review date of the latest threat assessment has passed;
- ``followup_due``: a closed case lacks its closure follow-up, or 12 months have passed since
  closure without the 12-month follow-up;
- ``consent_revoked_running``: consent for a provider was revoked while an intervention with
  that provider runs;
- ``urgent_without_decision``: an urgent placement or service still has no decision;
- ``decision_ended_running``: the decision behind a running intervention has ended.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import Boolean, Column, Connection, Date, Integer, String, Table, Uuid, select

from ledger import events as ev
from ledger.projections.base import Projection, Unit, read_metadata
from ledger.projections.money import interventions

cases = Table(
    "proj_case_list",
    read_metadata,
    Column("case_id", Uuid(), primary_key=True),
    Column("case_number", String(32), nullable=False, unique=True),
    Column("status", String(16), nullable=False),
    Column("opened_on", Date(), nullable=False),
    Column("closed_on", Date()),
    Column("environment", String(32), nullable=False),
    Column("referral_source", String(32), nullable=False),
    Column("protection_level", String(32), nullable=False),
    Column("opened_by", String(64), nullable=False),
    Column("last_recorded_by", String(64), nullable=False),
    Column("last_occurred_on", Date(), nullable=False),
    Column("event_count", Integer(), nullable=False),
    Column("running", Integer(), nullable=False, default=0),
    Column("threat_review_on", Date()),
    Column("followup_closure", Boolean(), nullable=False, default=False),
    Column("followup_12", Boolean(), nullable=False, default=False),
)

consents = Table(
    "proj_case_consents",
    read_metadata,
    Column("case_id", Uuid(), primary_key=True),
    Column("recipient", String(48), primary_key=True),
    Column("granted_on", Date(), nullable=False),
    Column("revoked_on", Date()),
)

decisions = Table(
    "proj_case_decisions",
    read_metadata,
    Column("case_id", Uuid(), primary_key=True),
    Column("decision_id", String(8), primary_key=True),
    Column("granted", Boolean(), nullable=False),
    Column("period_end", Date()),
    Column("status", String(16), nullable=False),
)

_RUNNING_UP = (ev.PlacementStarted, ev.ServiceStarted)
_RUNNING_DOWN = (ev.PlacementEnded, ev.ServiceEnded)
ATTENTION = ("threat_review_passed", "followup_due", "consent_revoked_running", "urgent_without_decision",
             "decision_ended_running")


class CaseList(Projection):
    name = "case_list"
    version = 3
    tables = (cases, consents, decisions)
    topics = tuple(get_topic(cls) for cls in ev.CASE_EVENTS)

    def handle(self, unit: Unit, event: Any, position: int) -> None:
        rows = unit[cases]
        if isinstance(event, ev.CaseActualised):
            rows.put({
                "case_id": event.originator_id, "case_number": event.case_number, "status": "open",
                "opened_on": event.occurred_on, "environment": event.environment.value,
                "referral_source": event.referral_source.value, "protection_level": event.protection_level.value,
                "opened_by": event.recorded_by, "last_recorded_by": event.recorded_by,
                "last_occurred_on": event.occurred_on, "event_count": 1, "running": 0,
                "threat_review_on": None, "followup_closure": False, "followup_12": False, "closed_on": None,
            })
            return
        case_id = event.originator_id
        row = rows.get(case_id)
        assert row is not None, "case event before the case was actualised"
        row["last_recorded_by"] = event.recorded_by
        row["event_count"] = event.originator_version
        row["last_occurred_on"] = max(row["last_occurred_on"], event.occurred_on)
        if isinstance(event, ev.CaseClosed):
            row.update(status="closed", closed_on=event.occurred_on)
        elif isinstance(event, ev.CaseReopened):
            row.update(status="open", closed_on=None)
        elif isinstance(event, _RUNNING_UP):
            row["running"] += 1
        elif isinstance(event, _RUNNING_DOWN):
            row["running"] -= 1
        elif isinstance(event, ev.ThreatAssessmentReceived):
            row["threat_review_on"] = event.review_on
        elif isinstance(event, ev.FollowUpRecorded):
            if event.time_point.value == "closure":
                row["followup_closure"] = True
            elif event.time_point.value == "12_months":
                row["followup_12"] = True
        elif isinstance(event, ev.ConsentGranted):
            unit[consents].put({"case_id": case_id, "recipient": _recipient(event.recipient.value, event.provider),
                                "granted_on": event.occurred_on, "revoked_on": None})
        elif isinstance(event, ev.ConsentRevoked):
            key = _recipient(event.recipient.value, event.provider)
            consent = unit[consents].get(case_id, key)
            assert consent is not None, "revocation of a consent never granted passed the rules"
            consent["revoked_on"] = event.occurred_on
            unit[consents].touch(case_id, key)
        elif isinstance(event, ev.DecisionRecorded):
            unit[decisions].put({"case_id": case_id, "decision_id": event.decision_id,
                                 "granted": event.outcome.value == "granted", "period_end": event.period_end,
                                 "status": "in_force"})
        elif isinstance(event, ev.DecisionStatusChanged):
            decision = unit[decisions].get(case_id, event.decision_id)
            assert decision is not None, "status of an unknown decision passed the rules"
            decision["status"] = event.status.value
            unit[decisions].touch(case_id, event.decision_id)
        rows.touch(case_id)


def _recipient(recipient: str, provider: str | None) -> str:
    return f"provider:{provider}" if recipient == "provider" else recipient


def attention(conn: Connection, today: date) -> dict[Any, list[str]]:
    """Case id → the reasons it needs attention today (only cases with at least one)."""
    found: dict[Any, list[str]] = {}

    def add(case_id: Any, reason: str) -> None:
        if reason not in found.setdefault(case_id, []):
            found[case_id].append(reason)

    for r in conn.execute(select(cases.c.case_id, cases.c.status, cases.c.closed_on, cases.c.threat_review_on,
                                 cases.c.followup_closure, cases.c.followup_12)):
        if r.status == "open" and r.threat_review_on is not None and r.threat_review_on < today:
            add(r.case_id, "threat_review_passed")
        if r.status == "closed" and (
            not r.followup_closure or (r.closed_on + timedelta(days=365) <= today and not r.followup_12)
        ):
            add(r.case_id, "followup_due")
    running = conn.execute(
        select(interventions.c.case_id, interventions.c.provider, interventions.c.urgent_without_decision,
               interventions.c.decision_id).where(interventions.c.ended_on.is_(None))
    ).all()
    revoked = {(r.case_id, r.recipient) for r in conn.execute(
        select(consents.c.case_id, consents.c.recipient).where(consents.c.revoked_on <= today))}
    ended = {(r.case_id, r.decision_id) for r in conn.execute(
        select(decisions.c.case_id, decisions.c.decision_id).where(
            (decisions.c.period_end < today) | decisions.c.status.in_(("revoked", "replaced"))))}
    for r in running:
        if (r.case_id, f"provider:{r.provider}") in revoked:
            add(r.case_id, "consent_revoked_running")
        if r.urgent_without_decision:
            add(r.case_id, "urgent_without_decision")
        if r.decision_id is not None and (r.case_id, r.decision_id) in ended:
            add(r.case_id, "decision_ended_running")
    return found


def list_cases(conn: Connection, *, status: str | None = None, recorded_by: str | None = None,
               environment: str | None = None, provider: str | None = None,
               needs_attention: bool = False, today: date) -> list[dict[str, Any]]:
    """Rows of the overview, newest case first, each with its attention reasons."""
    query = select(cases)
    if status:
        query = query.where(cases.c.status == status)
    if recorded_by:
        query = query.where((cases.c.opened_by == recorded_by) | (cases.c.last_recorded_by == recorded_by))
    if environment:
        query = query.where(cases.c.environment == environment)
    if provider:
        query = query.where(cases.c.case_id.in_(
            select(interventions.c.case_id).where(interventions.c.provider == provider.upper())))
    query = query.order_by(cases.c.opened_on.desc(), cases.c.case_number.desc())
    reasons = attention(conn, today)
    rows = []
    for row in conn.execute(query):
        item = dict(row._mapping)
        item["attention"] = reasons.get(row.case_id, [])
        if needs_attention and not item["attention"]:
            continue
        rows.append(item)
    return rows
