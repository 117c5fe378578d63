"""The case overview: one row per case, for ``ledger case list``."""

from __future__ import annotations

from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import Column, Connection, Date, Integer, String, Table, Uuid, insert, select, update

from ledger import events as ev
from ledger.projections.base import Projection, read_metadata

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
)

_RUNNING_UP = (ev.PlacementStarted, ev.ServiceStarted)
_RUNNING_DOWN = (ev.PlacementEnded, ev.ServiceEnded)


class CaseList(Projection):
    name = "case_list"
    version = 1
    tables = (cases,)
    topics = tuple(get_topic(cls) for cls in ev.CASE_EVENTS)

    def handle(self, conn: Connection, event: Any, position: int) -> None:
        if isinstance(event, ev.CaseActualised):
            conn.execute(
                insert(cases),
                {
                    "case_id": event.originator_id,
                    "case_number": event.case_number,
                    "status": "open",
                    "opened_on": event.occurred_on,
                    "environment": event.environment.value,
                    "referral_source": event.referral_source.value,
                    "protection_level": event.protection_level.value,
                    "opened_by": event.recorded_by,
                    "last_recorded_by": event.recorded_by,
                    "last_occurred_on": event.occurred_on,
                    "event_count": 1,
                    "running": 0,
                },
            )
            return
        values: dict[str, Any] = {
            "last_recorded_by": event.recorded_by,
            "event_count": event.originator_version,
        }
        if isinstance(event, ev.CaseClosed):
            values.update(status="closed", closed_on=event.occurred_on)
        elif isinstance(event, ev.CaseReopened):
            values.update(status="open", closed_on=None)
        elif isinstance(event, _RUNNING_UP):
            values["running"] = cases.c.running + 1
        elif isinstance(event, _RUNNING_DOWN):
            values["running"] = cases.c.running - 1
        row = conn.execute(select(cases.c.last_occurred_on).where(cases.c.case_id == event.originator_id)).first()
        if row is not None and event.occurred_on > row[0]:
            values["last_occurred_on"] = event.occurred_on
        conn.execute(update(cases).where(cases.c.case_id == event.originator_id).values(**values))


def list_cases(conn: Connection, *, status: str | None = None, recorded_by: str | None = None,
               environment: str | None = None) -> list[dict[str, Any]]:
    """Rows of the overview, newest case first."""
    query = select(cases)
    if status:
        query = query.where(cases.c.status == status)
    if recorded_by:
        query = query.where((cases.c.opened_by == recorded_by) | (cases.c.last_recorded_by == recorded_by))
    if environment:
        query = query.where(cases.c.environment == environment)
    query = query.order_by(cases.c.opened_on.desc(), cases.c.case_number.desc())
    return [dict(row._mapping) for row in conn.execute(query)]
