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
    Date,
    Index,
    Integer,
    String,
    Table,
    Uuid,
)

from ledger import events as ev
from ledger.projections.allocation import allocate
from ledger.projections.base import Projection, Unit, read_metadata


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
    Column("paid_through", Date()),  # the last day an invoice has paid for, for "committed"
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
    version = 3
    tables = (money_cases, budgets, interventions, payments, payment_months, grants, grant_months)
    topics = tuple(get_topic(cls) for cls in _EVENTS)

    def handle(self, unit: Unit, event: Any, position: int) -> None:
        getattr(self, f"_on_{type(event).__name__}")(unit, event)

    def _on_CaseActualised(self, unit: Unit, e: ev.CaseActualised) -> None:
        unit[money_cases].put({"case_id": e.originator_id, "case_number": e.case_number, "person_id": e.person_id})

    def _on_BudgetSet(self, unit: Unit, e: ev.BudgetSet) -> None:
        row = unit[budgets].get(e.year)
        unit[budgets].put({"year": e.year, "set_ore": ore(e.amount), "adjusted_ore": row["adjusted_ore"] if row else 0})

    def _on_BudgetAdjusted(self, unit: Unit, e: ev.BudgetAdjusted) -> None:
        row = unit[budgets].get(e.year)
        assert row is not None, "adjustment of a budget never set passed the rules"
        row["adjusted_ore"] += ore(e.delta)
        unit[budgets].touch(e.year)

    def _on_PlacementStarted(self, unit: Unit, e: ev.PlacementStarted) -> None:
        unit[interventions].put({
            "case_id": e.originator_id, "item_id": e.placement_id, "kind": "placement", "provider": e.provider,
            "intervention": e.intervention.value, "daily_price_ore": ore(e.daily_price), "started_on": e.occurred_on,
            "planned_end": e.planned_end, "ended_on": None, "urgent_without_decision": e.urgent and e.decision_id is None,
            "decision_id": e.decision_id,
        })

    def _on_PlacementExtended(self, unit: Unit, e: ev.PlacementExtended) -> None:
        row = self._item(unit, e.originator_id, e.placement_id)
        row["planned_end"] = e.planned_end
        if e.daily_price is not None:
            row["daily_price_ore"] = ore(e.daily_price)
        if e.decision_id is not None:
            row.update(urgent_without_decision=False, decision_id=e.decision_id)

    def _on_PlacementEnded(self, unit: Unit, e: ev.PlacementEnded) -> None:
        self._item(unit, e.originator_id, e.placement_id)["ended_on"] = e.occurred_on

    def _on_ServiceStarted(self, unit: Unit, e: ev.ServiceStarted) -> None:
        unit[interventions].put({
            "case_id": e.originator_id, "item_id": e.service_id, "kind": "service", "provider": e.provider,
            "intervention": e.intervention.value, "daily_price_ore": None, "started_on": e.occurred_on,
            "planned_end": None, "ended_on": None, "urgent_without_decision": e.urgent and e.decision_id is None,
            "decision_id": e.decision_id,
        })

    def _on_ServiceEnded(self, unit: Unit, e: ev.ServiceEnded) -> None:
        self._item(unit, e.originator_id, e.service_id)["ended_on"] = e.occurred_on

    def _item(self, unit: Unit, case_id: Any, item_id: str) -> dict[str, Any]:
        row = unit[interventions].get(case_id, item_id)
        assert row is not None, "unknown placement or service passed the rules"
        unit[interventions].touch(case_id, item_id)
        return row

    def _on_DecisionRecorded(self, unit: Unit, e: ev.DecisionRecorded) -> None:
        """A decision made afterwards covers urgent interventions started within its period."""
        if e.outcome.value != "granted":
            return

        def covered(started_on: Any) -> bool:
            return started_on >= e.period_start and (e.period_end is None or started_on <= e.period_end)

        rows = unit[interventions]
        for row in rows.starting_with(e.originator_id):
            if row["urgent_without_decision"] and row["intervention"] == e.intervention.value and covered(
                row["started_on"]
            ):
                row.update(urgent_without_decision=False, decision_id=e.decision_id)
                rows.touch(e.originator_id, row["item_id"])

    def _on_PaymentRecorded(self, unit: Unit, e: ev.PaymentRecorded) -> None:
        item = e.placement_id or e.service_id
        found = unit[interventions].get(e.originator_id, item) if item else None
        intervention = found["intervention"] if found else "other"
        self._payment(unit, e.originator_id, e.payment_id, e.payment_id, item, e.provider, intervention,
                      e.period_start, e.period_end, ore(e.amount), e.occurred_on)

    def _on_PaymentReversed(self, unit: Unit, e: ev.PaymentReversed) -> None:
        original = unit[payments].get(e.originator_id, e.payment_id)
        assert original is not None, "reversal of an unknown payment passed the rules"
        self._payment(unit, e.originator_id, e.reversal_id, e.payment_id, original["item_id"], original["provider"],
                      original["intervention"], original["period_start"], original["period_end"], -ore(e.amount),
                      e.occurred_on)

    def _payment(self, unit: Unit, case_id: Any, ref: str, payment_id: str, item: str | None, provider: str,
                 intervention: str, start: Any, end: Any, amount: int, paid_on: Any) -> None:
        if item is not None and amount > 0:
            row = unit[interventions].get(case_id, item)
            if row is not None and (row.get("paid_through") is None or end > row["paid_through"]):
                row["paid_through"] = end
                unit[interventions].touch(case_id, item)
        unit[payments].put({
            "case_id": case_id, "ref": ref, "payment_id": payment_id, "item_id": item, "provider": provider,
            "intervention": intervention, "period_start": start, "period_end": end, "amount_ore": amount,
            "paid_on": paid_on,
        })
        for y, m, part in allocate(amount, start, end):
            unit[payment_months].append({"case_id": case_id, "ref": ref, "year": y, "month": m, "provider": provider,
                                         "intervention": intervention, "amount_ore": part})

    def _on_StateGrantApplied(self, unit: Unit, e: ev.StateGrantApplied) -> None:
        unit[grants].put({
            "case_id": e.originator_id, "reference": e.police_reference, "applied_ore": ore(e.amount_applied),
            "granted_ore": None, "outcome": None, "period_start": e.period_start, "period_end": e.period_end,
        })

    def _on_StateGrantDecided(self, unit: Unit, e: ev.StateGrantDecided) -> None:
        granted = ore(e.amount_granted)
        row = unit[grants].get(e.originator_id, e.police_reference)
        assert row is not None, "grant decision without application passed the rules"
        row.update(granted_ore=granted, outcome=e.outcome.value)
        unit[grants].touch(e.originator_id, e.police_reference)
        for y, m, part in allocate(granted, row["period_start"], row["period_end"]) if granted else ():
            unit[grant_months].append({"case_id": e.originator_id, "reference": e.police_reference, "year": y,
                                       "month": m, "amount_ore": part})
