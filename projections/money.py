"""Money read model: budgets, interventions with prices, payments by the month they pay for, grants.

All amounts are integer öre (exact on SQLite and PostgreSQL alike).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Date,
    Index,
    Integer,
    String,
    Table,
    Uuid,
    insert,
    select,
    update,
)

from ledger import events as ev
from ledger.projections.allocation import allocate
from ledger.projections.base import Projection, read_metadata


def ore(amount: Decimal) -> int:
    return int((amount * 100).to_integral_exact())


money_cases = Table(
    "proj_money_cases",
    read_metadata,
    Column("case_id", Uuid(), primary_key=True),
    Column("case_number", String(32), nullable=False),
    Column("person_id", Uuid(), nullable=False),
)

budgets = Table(
    "proj_budget",
    read_metadata,
    Column("year", Integer(), primary_key=True),
    Column("set_ore", BigInteger(), nullable=False),
    Column("adjusted_ore", BigInteger(), nullable=False),
)

interventions = Table(
    "proj_interventions",
    read_metadata,
    Column("case_id", Uuid(), primary_key=True),
    Column("item_id", String(8), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("provider", String(32), nullable=False),
    Column("intervention", String(32), nullable=False),
    Column("daily_price_ore", BigInteger()),
    Column("started_on", Date(), nullable=False),
    Column("planned_end", Date()),
    Column("ended_on", Date()),
    Column("urgent_without_decision", Boolean(), nullable=False),
    Column("decision_id", String(8)),
)

payments = Table(
    "proj_payments",
    read_metadata,
    Column("case_id", Uuid(), primary_key=True),
    Column("ref", String(8), primary_key=True),
    Column("payment_id", String(8), nullable=False),
    Column("item_id", String(8)),
    Column("provider", String(32), nullable=False),
    Column("intervention", String(32), nullable=False),
    Column("period_start", Date(), nullable=False),
    Column("period_end", Date(), nullable=False),
    Column("amount_ore", BigInteger(), nullable=False),
    Column("paid_on", Date(), nullable=False),
)

payment_months = Table(
    "proj_payment_months",
    read_metadata,
    Column("case_id", Uuid(), nullable=False),
    Column("ref", String(8), nullable=False),
    Column("year", Integer(), nullable=False),
    Column("month", Integer(), nullable=False),
    Column("provider", String(32), nullable=False),
    Column("intervention", String(32), nullable=False),
    Column("amount_ore", BigInteger(), nullable=False),
    Index("proj_payment_months_year", "year"),
)

grants = Table(
    "proj_grants",
    read_metadata,
    Column("case_id", Uuid(), primary_key=True),
    Column("reference", String(64), primary_key=True),
    Column("applied_ore", BigInteger(), nullable=False),
    Column("granted_ore", BigInteger()),
    Column("outcome", String(16)),
    Column("period_start", Date(), nullable=False),
    Column("period_end", Date(), nullable=False),
)

grant_months = Table(
    "proj_grant_months",
    read_metadata,
    Column("case_id", Uuid(), nullable=False),
    Column("reference", String(64), nullable=False),
    Column("year", Integer(), nullable=False),
    Column("month", Integer(), nullable=False),
    Column("amount_ore", BigInteger(), nullable=False),
    Index("proj_grant_months_year", "year"),
)

_EVENTS = (
    ev.CaseActualised, ev.DecisionRecorded, ev.BudgetSet, ev.BudgetAdjusted, ev.PlacementStarted, ev.PlacementExtended,
    ev.PlacementEnded, ev.ServiceStarted, ev.ServiceEnded, ev.PaymentRecorded, ev.PaymentReversed,
    ev.StateGrantApplied, ev.StateGrantDecided,
)


class Money(Projection):
    name = "money"
    version = 1
    tables = (money_cases, budgets, interventions, payments, payment_months, grants, grant_months)
    topics = tuple(get_topic(cls) for cls in _EVENTS)

    def handle(self, conn: Connection, event: Any, position: int) -> None:
        handler = getattr(self, f"_on_{type(event).__name__}", None)
        if handler is not None:
            handler(conn, event)

    def _on_DecisionRecorded(self, conn: Connection, e: ev.DecisionRecorded) -> None:
        """A decision made afterwards covers urgent interventions started within its period."""
        if e.outcome.value != "granted":
            return
        covered = (
            (interventions.c.case_id == e.originator_id)
            & (interventions.c.urgent_without_decision.is_(True))
            & (interventions.c.intervention == e.intervention.value)
            & (interventions.c.started_on >= e.period_start)
        )
        if e.period_end is not None:
            covered &= interventions.c.started_on <= e.period_end
        conn.execute(update(interventions).where(covered).values(urgent_without_decision=False,
                                                                 decision_id=e.decision_id))

    def _on_CaseActualised(self, conn: Connection, e: ev.CaseActualised) -> None:
        conn.execute(insert(money_cases), {"case_id": e.originator_id, "case_number": e.case_number,
                                           "person_id": e.person_id})

    def _on_BudgetSet(self, conn: Connection, e: ev.BudgetSet) -> None:
        done = conn.execute(update(budgets).where(budgets.c.year == e.year).values(set_ore=ore(e.amount)))
        if done.rowcount == 0:
            conn.execute(insert(budgets), {"year": e.year, "set_ore": ore(e.amount), "adjusted_ore": 0})

    def _on_BudgetAdjusted(self, conn: Connection, e: ev.BudgetAdjusted) -> None:
        conn.execute(
            update(budgets).where(budgets.c.year == e.year).values(adjusted_ore=budgets.c.adjusted_ore + ore(e.delta))
        )

    def _on_PlacementStarted(self, conn: Connection, e: ev.PlacementStarted) -> None:
        conn.execute(insert(interventions), {
            "case_id": e.originator_id, "item_id": e.placement_id, "kind": "placement", "provider": e.provider,
            "intervention": e.intervention.value, "daily_price_ore": ore(e.daily_price), "started_on": e.occurred_on,
            "planned_end": e.planned_end, "ended_on": None, "urgent_without_decision": e.urgent and e.decision_id is None,
            "decision_id": e.decision_id,
        })

    def _on_PlacementExtended(self, conn: Connection, e: ev.PlacementExtended) -> None:
        values: dict[str, Any] = {"planned_end": e.planned_end}
        if e.daily_price is not None:
            values["daily_price_ore"] = ore(e.daily_price)
        if e.decision_id is not None:
            values.update(urgent_without_decision=False, decision_id=e.decision_id)
        self._update_item(conn, e.originator_id, e.placement_id, values)

    def _on_PlacementEnded(self, conn: Connection, e: ev.PlacementEnded) -> None:
        self._update_item(conn, e.originator_id, e.placement_id, {"ended_on": e.occurred_on})

    def _on_ServiceStarted(self, conn: Connection, e: ev.ServiceStarted) -> None:
        conn.execute(insert(interventions), {
            "case_id": e.originator_id, "item_id": e.service_id, "kind": "service", "provider": e.provider,
            "intervention": e.intervention.value, "daily_price_ore": None, "started_on": e.occurred_on,
            "planned_end": None, "ended_on": None, "urgent_without_decision": e.urgent and e.decision_id is None,
            "decision_id": e.decision_id,
        })

    def _on_ServiceEnded(self, conn: Connection, e: ev.ServiceEnded) -> None:
        self._update_item(conn, e.originator_id, e.service_id, {"ended_on": e.occurred_on})

    def _update_item(self, conn: Connection, case_id: Any, item_id: str, values: dict[str, Any]) -> None:
        conn.execute(
            update(interventions)
            .where(interventions.c.case_id == case_id, interventions.c.item_id == item_id)
            .values(**values)
        )

    def _on_PaymentRecorded(self, conn: Connection, e: ev.PaymentRecorded) -> None:
        item = e.placement_id or e.service_id
        intervention = "other"
        if item is not None:
            found = conn.execute(
                select(interventions.c.intervention).where(
                    interventions.c.case_id == e.originator_id, interventions.c.item_id == item
                )
            ).scalar()
            intervention = found or "other"
        self._payment(conn, e.originator_id, e.payment_id, e.payment_id, item, e.provider, intervention,
                      e.period_start, e.period_end, ore(e.amount), e.occurred_on)

    def _on_PaymentReversed(self, conn: Connection, e: ev.PaymentReversed) -> None:
        original = conn.execute(
            select(payments).where(payments.c.case_id == e.originator_id, payments.c.ref == e.payment_id)
        ).first()
        assert original is not None, "reversal of an unknown payment passed the rules"
        self._payment(conn, e.originator_id, e.reversal_id, e.payment_id, original.item_id, original.provider,
                      original.intervention, original.period_start, original.period_end, -ore(e.amount), e.occurred_on)

    def _payment(self, conn: Connection, case_id: Any, ref: str, payment_id: str, item: str | None, provider: str,
                 intervention: str, start: Any, end: Any, amount: int, paid_on: Any) -> None:
        conn.execute(insert(payments), {
            "case_id": case_id, "ref": ref, "payment_id": payment_id, "item_id": item, "provider": provider,
            "intervention": intervention, "period_start": start, "period_end": end, "amount_ore": amount,
            "paid_on": paid_on,
        })
        conn.execute(insert(payment_months), [
            {"case_id": case_id, "ref": ref, "year": y, "month": m, "provider": provider,
             "intervention": intervention, "amount_ore": part}
            for y, m, part in allocate(amount, start, end)
        ])

    def _on_StateGrantApplied(self, conn: Connection, e: ev.StateGrantApplied) -> None:
        conn.execute(insert(grants), {
            "case_id": e.originator_id, "reference": e.police_reference, "applied_ore": ore(e.amount_applied),
            "granted_ore": None, "outcome": None, "period_start": e.period_start, "period_end": e.period_end,
        })

    def _on_StateGrantDecided(self, conn: Connection, e: ev.StateGrantDecided) -> None:
        granted = ore(e.amount_granted)
        key = (grants.c.case_id == e.originator_id) & (grants.c.reference == e.police_reference)
        conn.execute(update(grants).where(key).values(granted_ore=granted, outcome=e.outcome.value))
        row = conn.execute(select(grants.c.period_start, grants.c.period_end).where(key)).first()
        assert row is not None, "grant decision without application passed the rules"
        if granted:
            conn.execute(insert(grant_months), [
                {"case_id": e.originator_id, "reference": e.police_reference, "year": y, "month": m, "amount_ore": part}
                for y, m, part in allocate(granted, row.period_start, row.period_end)
            ])
