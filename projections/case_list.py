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

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import Boolean, Column, Connection, Date, Integer, String, Table, Uuid, select

from ledger import events as ev
from ledger.projections.base import Fact, Projection, Unit, read_metadata
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

_RUNNING = {"PlacementStarted": 1, "ServiceStarted": 1, "PlacementEnded": -1, "ServiceEnded": -1}
ATTENTION = ("threat_review_passed", "followup_due", "consent_revoked_running", "urgent_without_decision",
             "decision_ended_running")


class CaseList(Projection):
    name = "case_list"
    version = 3
    tables = (cases, consents, decisions)
    topics = tuple(get_topic(cls) for cls in ev.CASE_EVENTS)

    def handle(self, unit: Unit, event: Fact, position: int) -> None:
        kind = event["_type"]
        rows = unit[cases]
        case_id = event["originator_id"]
        if kind == "CaseActualised":
            rows.put({
                "case_id": case_id, "case_number": event["case_number"], "status": "open",
                "opened_on": event["occurred_on"], "environment": event["environment"],
                "referral_source": event["referral_source"], "protection_level": event.get("protection_level", "none"),
                "opened_by": event["recorded_by"], "last_recorded_by": event["recorded_by"],
                "last_occurred_on": event["occurred_on"], "event_count": 1, "running": 0,
                "threat_review_on": None, "followup_closure": False, "followup_12": False, "closed_on": None,
            })
            return
        row = rows.change(case_id)
        assert row is not None, "case event before the case was actualised"
        row["last_recorded_by"] = event["recorded_by"]
        row["event_count"] = event["originator_version"]
        row["last_occurred_on"] = max(row["last_occurred_on"], event["occurred_on"])
        if kind in _SPECIAL:
            _SPECIAL[kind](unit, row, case_id, event)


def _closed(unit: Unit, row: dict[str, Any], case_id: Any, event: Fact) -> None:
    row["status"] = "closed"
    row["closed_on"] = event["occurred_on"]


def _reopened(unit: Unit, row: dict[str, Any], case_id: Any, event: Fact) -> None:
    row["status"] = "open"
    row["closed_on"] = None


def _running(unit: Unit, row: dict[str, Any], case_id: Any, event: Fact) -> None:
    row["running"] += _RUNNING[event["_type"]]


def _threat(unit: Unit, row: dict[str, Any], case_id: Any, event: Fact) -> None:
    row["threat_review_on"] = event.get("review_on")


def _followup(unit: Unit, row: dict[str, Any], case_id: Any, event: Fact) -> None:
    if event["time_point"] == "closure":
        row["followup_closure"] = True
    elif event["time_point"] == "12_months":
        row["followup_12"] = True


def _consent_granted(unit: Unit, row: dict[str, Any], case_id: Any, event: Fact) -> None:
    unit[consents].put({"case_id": case_id, "recipient": _recipient(event["recipient"], event.get("provider")),
                        "granted_on": event["occurred_on"], "revoked_on": None})


def _consent_revoked(unit: Unit, row: dict[str, Any], case_id: Any, event: Fact) -> None:
    key = _recipient(event["recipient"], event.get("provider"))
    consent = unit[consents].change(case_id, key)
    assert consent is not None, "revocation of a consent never granted passed the rules"
    consent["revoked_on"] = event["occurred_on"]


def _decision(unit: Unit, row: dict[str, Any], case_id: Any, event: Fact) -> None:
    unit[decisions].put({"case_id": case_id, "decision_id": event["decision_id"],
                         "granted": event["outcome"] == "granted", "period_end": event.get("period_end"),
                         "status": "in_force"})


def _decision_status(unit: Unit, row: dict[str, Any], case_id: Any, event: Fact) -> None:
    decision = unit[decisions].change(case_id, event["decision_id"])
    assert decision is not None, "status of an unknown decision passed the rules"
    decision["status"] = event["status"]


#: Case events that change more than the case row's last entry.
_SPECIAL: dict[str, Callable[[Unit, dict[str, Any], Any, Fact], None]] = {
    "CaseClosed": _closed,
    "CaseReopened": _reopened,
    "PlacementStarted": _running,
    "ServiceStarted": _running,
    "PlacementEnded": _running,
    "ServiceEnded": _running,
    "ThreatAssessmentReceived": _threat,
    "FollowUpRecorded": _followup,
    "ConsentGranted": _consent_granted,
    "ConsentRevoked": _consent_revoked,
    "DecisionRecorded": _decision,
    "DecisionStatusChanged": _decision_status,
}


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
