"""Money read model: budgets, interventions with prices, payments by the month they pay for, grants.

All amounts are integer öre (exact on SQLite and PostgreSQL alike).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, or_, select

from ledger.adapters.schema import budgets, grant_months, grants, interventions, money_cases, payment_months, payments
from ledger.domain import events as ev
from ledger.domain.case import decision_covers
from ledger.domain.decide_money import invoice_key
from ledger.projections.allocation import allocate_iso
from ledger.projections.budget import kr
from ledger.projections.projection import Fact, Projection
from ledger.projections.rows import Unit


def ore(amount: Decimal | str) -> int:
    """Kronor (a ``Decimal`` or its stored decimal string, ``"1234.50"``) to integer öre."""
    if type(amount) is str and amount[-3:-2] == "." and amount[-2:].isdecimal():
        whole = amount[:-3]
        if whole.removeprefix("-").isdecimal():
            return int(whole + amount[-2:])  # the usual stored form: digits, point, two digits
    return int((Decimal(amount) * 100).to_integral_exact())


class Money(Projection):
    name = "money"
    version = 6  # 5: proj_payment_months.paid_on; 6: its year index covers the reports' columns
    weight = 2.0
    tables = (money_cases, budgets, interventions, payments, payment_months, grants, grant_months)


on = Money.on


@on(ev.CaseActualised)
def _case_actualised(unit: Unit, e: Fact) -> None:
    unit[money_cases].put({"case_id": e["originator_id"], "case_number": e["case_number"],
                           "person_id": unit.uuid(e["person_id"])})


@on(ev.BudgetSet)
def _budget_set(unit: Unit, e: Fact) -> None:
    rows = unit[budgets]
    row = rows.get(e["year"])
    rows.put({"year": e["year"], "set_ore": ore(e["amount"]), "adjusted_ore": row["adjusted_ore"] if row else 0})


@on(ev.BudgetAdjusted)
def _budget_adjusted(unit: Unit, e: Fact) -> None:
    row = unit[budgets].change(e["year"])
    assert row is not None, "adjustment of a budget never set passed the rules"
    row["adjusted_ore"] += ore(e["delta"])


@on(ev.PlacementStarted)
def _placement_started(unit: Unit, e: Fact) -> None:
    decision_id = e.get("decision_id")
    unit[interventions].put({
        "case_id": e["originator_id"], "item_id": e["placement_id"], "kind": "placement", "provider": e["provider"],
        "intervention": e["intervention"], "daily_price_ore": ore(e["daily_price"]), "started_on": e["occurred_on"],
        "planned_end": e.get("planned_end"), "ended_on": None,
        "urgent_without_decision": bool(e.get("urgent")) and decision_id is None, "decision_id": decision_id,
        "paid_through": None,
    })


@on(ev.PlacementExtended)
def _placement_extended(unit: Unit, e: Fact) -> None:
    row = _item(unit, e["originator_id"], e["placement_id"])
    row["planned_end"] = e["planned_end"]
    if e.get("daily_price") is not None:
        row["daily_price_ore"] = ore(e["daily_price"])
    if e.get("decision_id") is not None:
        row["urgent_without_decision"] = False
        row["decision_id"] = e["decision_id"]


@on(ev.PlacementEnded)
def _placement_ended(unit: Unit, e: Fact) -> None:
    _item(unit, e["originator_id"], e["placement_id"])["ended_on"] = e["occurred_on"]


@on(ev.ServiceStarted)
def _service_started(unit: Unit, e: Fact) -> None:
    decision_id = e.get("decision_id")
    unit[interventions].put({
        "case_id": e["originator_id"], "item_id": e["service_id"], "kind": "service", "provider": e["provider"],
        "intervention": e["intervention"], "daily_price_ore": None, "started_on": e["occurred_on"],
        "planned_end": None, "ended_on": None,
        "urgent_without_decision": bool(e.get("urgent")) and decision_id is None, "decision_id": decision_id,
        "paid_through": None,
    })


@on(ev.ServiceEnded)
def _service_ended(unit: Unit, e: Fact) -> None:
    _item(unit, e["originator_id"], e["service_id"])["ended_on"] = e["occurred_on"]


def _item(unit: Unit, case_id: Any, item_id: str) -> dict[str, Any]:
    row = unit[interventions].change(case_id, item_id)
    assert row is not None, "unknown placement or service passed the rules"
    return row


@on(ev.DecisionRecorded)
def _decision_recorded(unit: Unit, e: Fact) -> None:
    """A decision made afterwards covers urgent interventions started within its period."""
    if e["outcome"] not in ("granted", "partial"):
        return
    case_id, start, end, intervention = e["originator_id"], e["period_start"], e.get("period_end"), e["intervention"]
    rows = unit[interventions]
    for row in rows.starting_with(case_id):
        if row["urgent_without_decision"] and decision_covers(
            e["outcome"], "in_force", intervention, start, end, row["intervention"], row["started_on"]
        ):
            row["urgent_without_decision"] = False
            row["decision_id"] = e["decision_id"]
            rows.touch(case_id, row["item_id"])


@on(ev.PaymentRecorded)
def _payment_recorded(unit: Unit, e: Fact) -> None:
    case_id = e["originator_id"]
    item = e.get("placement_id") or e.get("service_id")
    found = unit[interventions].get(case_id, item) if item else None
    limit = e.get("price_limit")
    _payment(unit, case_id, e["payment_id"], e["payment_id"], item, e["provider"],
             found["intervention"] if found else "other", e["period_start"], e["period_end"], ore(e["amount"]),
             e["occurred_on"], found, invoice=e.get("invoice_number"),
             duplicate=bool(e.get("duplicate_of")) or bool(e.get("invoice_elsewhere")),
             over_price=limit is not None, price_limit_ore=ore(limit) if limit is not None else None)


@on(ev.PaymentReversed)
def _payment_reversed(unit: Unit, e: Fact) -> None:
    case_id = e["originator_id"]
    original = unit[payments].get(case_id, e["payment_id"])
    assert original is not None, "reversal of an unknown payment passed the rules"
    _payment(unit, case_id, e["reversal_id"], e["payment_id"], original["item_id"], original["provider"],
             original["intervention"], original["period_start"], original["period_end"], -ore(e["amount"]),
             e["occurred_on"], None, invoice=original["invoice_number"])


def _payment(unit: Unit, case_id: Any, ref: str, payment_id: str, item: str | None, provider: str,
             intervention: str, start: str, end: str, amount: int, paid_on: str, paid_for: dict[str, Any] | None,
             *, invoice: str | None = None, duplicate: bool = False, over_price: bool = False,
             price_limit_ore: int | None = None) -> None:
    """One payment or reversal; ``paid_for``: the intervention paid for, if already looked up."""
    if item is not None and amount > 0:
        if paid_for is None:
            paid_for = unit[interventions].get(case_id, item)
        if paid_for is not None and (paid_for["paid_through"] is None or end > paid_for["paid_through"]):
            paid_for["paid_through"] = end
            unit[interventions].touch(case_id, item)
    unit[payments].insert({  # a payment's or reversal's reference is new in its case (the rules)
        "case_id": case_id, "ref": ref, "payment_id": payment_id, "item_id": item, "provider": provider,
        "intervention": intervention, "period_start": start, "period_end": end, "amount_ore": amount,
        "paid_on": paid_on, "invoice_number": invoice, "invoice_key": _invoice_key(invoice),
        "duplicate": duplicate, "over_price": over_price, "price_limit_ore": price_limit_ore,
    })
    append = unit[payment_months].append
    for y, m, part in allocate_iso(amount, start, end):
        append({"case_id": case_id, "ref": ref, "year": y, "month": m, "provider": provider,
                "intervention": intervention, "amount_ore": part, "paid_on": paid_on})


def _invoice_key(number: str | None) -> str | None:
    """:func:`invoice_key`, without Unicode normalisation for the usual ASCII number (NFKC leaves ASCII
    as it is, and ASCII case-folds as ``lower``)."""
    if number is not None and number.isascii():
        return "".join(number.split()).lower() or None
    return invoice_key(number)


@on(ev.StateGrantApplied)
def _state_grant_applied(unit: Unit, e: Fact) -> None:
    unit[grants].put({
        "case_id": e["originator_id"], "reference": e["police_reference"], "applied_ore": ore(e["amount_applied"]),
        "granted_ore": None, "outcome": None, "period_start": e["period_start"], "period_end": e["period_end"],
    })


@on(ev.StateGrantDecided)
def _state_grant_decided(unit: Unit, e: Fact) -> None:
    case_id, reference = e["originator_id"], e["police_reference"]
    granted = ore(e.get("amount_granted", "0"))
    row = unit[grants].change(case_id, reference)
    assert row is not None, "grant decision without application passed the rules"
    row["granted_ore"] = granted
    row["outcome"] = e["outcome"]
    for y, m, part in allocate_iso(granted, row["period_start"], row["period_end"]) if granted else ():
        unit[grant_months].append({"case_id": case_id, "reference": reference, "year": y, "month": m,
                                   "amount_ore": part})


# -- questions about payments ------------------------------------------------------------------------


def invoice_paid(conn: Connection, provider: str, key: str, other_than: Any) -> bool:
    """Whether a payment of another case than ``other_than``, not reversed in full, paid the provider's
    invoice ``key`` (:func:`ledger.domain.decide_money.invoice_key`)."""
    left = func.sum(payments.c.amount_ore)
    query = (select(payments.c.case_id).where(payments.c.provider == provider, payments.c.invoice_key == key,
                                              payments.c.case_id != other_than)
             .group_by(payments.c.case_id, payments.c.payment_id).having(left > 0).limit(1))
    return conn.execute(query).first() is not None


def list_payments(conn: Connection, *, case: str | None = None, provider: str | None = None,
                  invoice: str | None = None, since: date | None = None, until: date | None = None,
                  ) -> list[dict[str, Any]]:
    """Payments (not reversals), oldest payment first, each with what was reversed of it and what the
    invoice checks found; ``since``/``until``: the period paid for overlaps them (inclusive)."""
    paid = payments.alias("paid")
    query = (select(paid, money_cases.c.case_number).join(money_cases, money_cases.c.case_id == paid.c.case_id)
             .where(paid.c.ref == paid.c.payment_id))
    if case is not None:
        query = query.where(money_cases.c.case_number == case)
    if provider is not None:
        query = query.where(paid.c.provider == provider)
    if invoice is not None:
        query = query.where(paid.c.invoice_key == invoice_key(invoice))
    if since is not None:
        query = query.where(paid.c.period_end >= since)
    if until is not None:
        query = query.where(paid.c.period_start <= until)
    rows = conn.execute(query).all()
    reversed_: dict[tuple[Any, str], int] = {}
    if rows:
        back = (select(payments.c.case_id, payments.c.payment_id, func.sum(payments.c.amount_ore))
                .where(payments.c.ref != payments.c.payment_id,
                       payments.c.case_id.in_({r.case_id for r in rows}))
                .group_by(payments.c.case_id, payments.c.payment_id))
        reversed_ = {(case_id, payment_id): -int(total) for case_id, payment_id, total in conn.execute(back)}
    found = [{
        "case": r.case_number, "payment_id": r.payment_id, "item": r.item_id, "provider": r.provider,
        "intervention": r.intervention, "invoice_number": r.invoice_number,
        "period_start": r.period_start.isoformat(), "period_end": r.period_end.isoformat(),
        "paid_on": r.paid_on.isoformat(), "amount": kr(r.amount_ore),
        "reversed": kr(reversed_.get((r.case_id, r.payment_id), 0)), "duplicate": bool(r.duplicate),
        "over_price": bool(r.over_price),
        "price_limit": kr(r.price_limit_ore) if r.price_limit_ore is not None else None,
    } for r in rows]
    found.sort(key=lambda p: (p["paid_on"], p["case"], int(p["payment_id"][1:])))
    return found


def flagged_payments(conn: Connection, only: Collection[Any] | None = None) -> list[tuple[Any, bool, bool]]:
    """(case id, duplicate, over price) of every payment the ekonom confirmed past a check of its
    invoice, while it is not reversed in full; of the cases ``only`` (their ids) if given."""
    query = select(payments.c.case_id, payments.c.payment_id, payments.c.duplicate, payments.c.over_price).where(
        payments.c.ref == payments.c.payment_id, or_(payments.c.duplicate, payments.c.over_price))
    if only is not None:  # a page of the case list: its cases' payments by key, not every payment's row
        query = query.where(payments.c.case_id.in_(list(only)))
    flagged = conn.execute(query).all()
    if not flagged:
        return []
    left = dict(((case_id, payment_id), int(total)) for case_id, payment_id, total in conn.execute(
        select(payments.c.case_id, payments.c.payment_id, func.sum(payments.c.amount_ore))
        .where(payments.c.case_id.in_({f.case_id for f in flagged}))
        .group_by(payments.c.case_id, payments.c.payment_id)))
    return [(f.case_id, bool(f.duplicate), bool(f.over_price)) for f in flagged if left[(f.case_id, f.payment_id)] > 0]
