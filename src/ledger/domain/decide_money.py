"""What costs money: placements, non-residential services, payments and state grants of a case.

As in :mod:`ledger.domain.decide_case`: the case as it stands and a typed command in, the events
to store out, or the named error.
"""

from __future__ import annotations

import calendar
import unicodedata
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

from ledger.domain import commands as c
from ledger.domain import events as ev
from ledger.domain import rules
from ledger.domain.case import CaseState, PaymentState, PlacementState, ServiceState
from ledger.domain.decide_case import next_entry
from ledger.domain.errors import (
    AlreadyExists,
    DuplicateInvoice,
    InputError,
    InvoicePaidElsewhere,
    NotFound,
    PaymentAfterClosure,
    PaymentOverPrice,
    PaymentPeriodOverlap,
    RuleViolation,
)
from ledger.domain.money import ORE
from ledger.domain.vocab import PriceUnit


def start_placement(case: CaseState, cmd: c.StartPlacement, rec: ev.Recording) -> list[ev.Event]:
    """A placement (``P1``, ``P2``, …); needs a granted decision covering its start unless urgent."""
    header = next_entry(case, rec, "placement")
    if cmd.planned_end is not None:
        rules.check_order(rec.on, cmd.planned_end, "date", "planned_end")
    decision = cmd.decision.upper() if cmd.decision else None
    found = rules.check_decision_for(case, cmd.intervention, rec.on, decision, cmd.urgent)
    return [ev.PlacementStarted(
        **header, placement_id=f"P{len(case.placements) + 1}", provider=cmd.provider, intervention=cmd.intervention,
        daily_price=cmd.daily_price, planned_end=cmd.planned_end, decision_id=found,
        urgent=cmd.urgent and found is None,
    )]


def extend_placement(case: CaseState, cmd: c.ExtendPlacement, rec: ev.Recording) -> list[ev.Event]:
    header = next_entry(case, rec, "placement")
    key = cmd.placement.upper()
    current = rules.placement(case, key)
    rules.check_running(current, key)
    rules.check_order(current.started_on, rec.on, "started_on", "date")
    rules.check_order(max(current.started_on, rec.on), cmd.planned_end, "date", "planned_end")
    found = None
    if cmd.decision is not None:
        found = rules.check_decision_for(case, current.intervention, cmd.planned_end, cmd.decision.upper(), False)
    return [ev.PlacementExtended(**header, placement_id=key, planned_end=cmd.planned_end, daily_price=cmd.daily_price,
                                 decision_id=found)]


def end_placement(case: CaseState, cmd: c.EndPlacement, rec: ev.Recording) -> list[ev.Event]:
    header = next_entry(case, rec, "placement")
    key = cmd.placement.upper()
    current = rules.placement(case, key)
    rules.check_running(current, key)
    rules.check_order(current.started_on, rec.on, "started_on", "date")
    return [ev.PlacementEnded(**header, placement_id=key, end_reason=cmd.reason)]


def start_service(case: CaseState, cmd: c.StartService, rec: ev.Recording) -> list[ev.Event]:
    """A non-residential intervention (``S1``, …): coach, programme, contact person, …"""
    header = next_entry(case, rec, "service")
    decision = cmd.decision.upper() if cmd.decision else None
    found = rules.check_decision_for(case, cmd.intervention, rec.on, decision, cmd.urgent)
    return [ev.ServiceStarted(
        **header, service_id=f"S{len(case.services) + 1}", provider=cmd.provider, intervention=cmd.intervention,
        price=cmd.price, price_unit=cmd.price_unit, decision_id=found, urgent=cmd.urgent and found is None,
    )]


def end_service(case: CaseState, cmd: c.EndService, rec: ev.Recording) -> list[ev.Event]:
    header = next_entry(case, rec, "service")
    key = cmd.service.upper()
    current = rules.service(case, key)
    rules.check_running(current, key)
    rules.check_order(current.started_on, rec.on, "started_on", "date")
    return [ev.ServiceEnded(**header, service_id=key)]


def payment_provider(case: CaseState, cmd: c.RecordPayment) -> str:
    """Who is paid: the provider of the placement or service paid for (a provider given must agree), or
    the one given."""
    code = cmd.provider
    for ref, item in (
        (cmd.placement, rules.placement(case, cmd.placement) if cmd.placement else None),
        (cmd.service, rules.service(case, cmd.service) if cmd.service else None),
    ):
        if item is None:
            continue
        if code is not None and code != item.provider:
            raise RuleViolation(rule="provider_mismatch", ref=str(ref).upper(), provider=code)
        code = item.provider
    if code is None:
        raise InputError(field="provider", reason="required")
    return code


def invoice_key(number: str | None) -> str | None:
    """An invoice number as invoices are compared: NFKC, without white space, case-folded
    (``" F-10 01 "`` is ``f-1001``); ``None`` when there is none."""
    if number is None:
        return None
    key = "".join(unicodedata.normalize("NFKC", number).split()).casefold()
    return key or None


def counts(payment: PaymentState) -> bool:
    """A payment counts against a new one until it is reversed in full."""
    return payment.reversed < payment.amount


def check_closed_period(case: CaseState, period_end: date, action: str) -> None:
    """On a closed case only what was owed by the closure may be paid or reversed."""
    if case.is_closed and (case.closed_on is None or period_end > case.closed_on):
        raise PaymentAfterClosure(case=case.case_number, action=action, period_end=period_end.isoformat(),
                                  closed_on=case.closed_on.isoformat() if case.closed_on else "-")


def price_limit(item: PlacementState | ServiceState, start: date, end: date) -> Decimal | None:
    """The most the days ``start``..``end`` (inclusive) may cost at the agreed price: a placement's days,
    each at the daily price in force that day (the first price before it, the last after it); a
    service by the month, each month's days as a share of the month; a one-off service its price.
    ``None``: nothing to check against (an hourly service, or one without a price)."""
    if isinstance(item, PlacementState):
        prices = item.prices or [(item.started_on, item.daily_price)]
        total = Decimal("0.00")
        for n, (since, price) in enumerate(prices):
            first = start if n == 0 else max(start, since)
            last = end if n + 1 == len(prices) else min(end, prices[n + 1][0] - timedelta(days=1))
            if last >= first:
                total += price * ((last - first).days + 1)
        return total
    if item.price is None or item.price_unit == PriceUnit.HOUR:
        return None
    if item.price_unit == PriceUnit.ONCE:
        return item.price
    total, day = Decimal(0), start
    while day <= end:
        length = calendar.monthrange(day.year, day.month)[1]
        last = min(end, day.replace(day=length))
        total += item.price * ((last - day).days + 1) / length
        day = last + timedelta(days=1)
    return total.quantize(ORE, rounding=ROUND_CEILING)


def record_payment(case: CaseState, cmd: c.RecordPayment, rec: ev.Recording) -> list[ev.Event]:
    """A paid invoice (``B1``, …) for a placement, a service or a provider; the provider must agree.

    The invoice is checked before it is paid: an invoice number the provider was already paid for (on
    this case, or on another as the application found), and a period overlapping an earlier payment
    for the same placement or service, need ``--confirm-duplicate`` and its reason; an amount above
    what the period costs at the agreed price needs ``--over-price`` and its reason. A payment
    reversed in full no longer counts. On a closed case, only periods that ended by the closure."""
    header = next_entry(case, rec, "payment", allow_closed=True)
    check_closed_period(case, cmd.period_end, "payment")
    code = payment_provider(case, cmd)
    placement = cmd.placement.upper() if cmd.placement else None
    service = cmd.service.upper() if cmd.service else None
    invoice, confirmed, over_reason = _given(cmd.invoice), _given(cmd.duplicate_reason), _given(cmd.over_price_reason)
    key = invoice_key(invoice)
    same_invoice = [ref for ref, p in case.payments.items()
                    if key is not None and counts(p) and p.provider == code and invoice_key(p.invoice_number) == key]
    overlapping = [ref for ref, p in case.payments.items()
                   if counts(p) and (placement or service) is not None
                   and (p.placement_id, p.service_id) == (placement, service)
                   and p.period_start <= cmd.period_end and cmd.period_start <= p.period_end]
    if confirmed is None:
        if same_invoice:
            raise DuplicateInvoice(invoice=str(invoice)[:40], provider=code, case=case.case_number,
                                   paid=", ".join(same_invoice))
        if cmd.invoice_elsewhere and key is not None:
            raise InvoicePaidElsewhere(invoice=str(invoice)[:40], provider=code)
        if overlapping:
            raise PaymentPeriodOverlap(
                item=placement or service, case=case.case_number, period_start=cmd.period_start.isoformat(),
                period_end=cmd.period_end.isoformat(),
                paid=", ".join(f"{ref} {case.payments[ref].period_start}–{case.payments[ref].period_end}"
                               for ref in overlapping))
    duplicate_of = sorted(set(same_invoice) | set(overlapping), key=lambda ref: int(ref[1:]))
    elsewhere = cmd.invoice_elsewhere and key is not None
    item: PlacementState | ServiceState | None = (
        case.placements[placement] if placement else case.services[service] if service else None)
    limit = price_limit(item, cmd.period_start, cmd.period_end) if item is not None else None
    over = limit is not None and cmd.amount > limit
    if over and over_reason is None:
        raise PaymentOverPrice(
            amount=str(cmd.amount), limit=str(limit), item=placement or service, case=case.case_number,
            period_start=cmd.period_start.isoformat(), period_end=cmd.period_end.isoformat(),
            days=str((cmd.period_end - cmd.period_start).days + 1))
    duplicate = bool(duplicate_of) or elsewhere
    return [ev.PaymentRecorded(
        **header, payment_id=f"B{len(case.payments) + 1}", amount=cmd.amount, period_start=cmd.period_start,
        period_end=cmd.period_end, provider=code, placement_id=placement, service_id=service, invoice_number=invoice,
        duplicate_of=duplicate_of, invoice_elsewhere=elsewhere, price_limit=limit if over else None,
        duplicate_reason=confirmed if duplicate else None, over_price_reason=over_reason if over else None,
    )]


def _given(text: str | None) -> str | None:
    """What was typed, without surrounding white space; ``None`` for nothing but white space."""
    return text.strip() or None if text is not None else None


def reverse_payment(case: CaseState, cmd: c.ReversePayment, rec: ev.Recording) -> list[ev.Event]:
    """A reversal (``R1``, …) of a payment in whole or in part, never more than is left of it; on a closed
    case, of a payment for a period that ended by the closure."""
    header = next_entry(case, rec, "payment", allow_closed=True)
    key = cmd.payment.upper()
    paid = rules.payment(case, key)
    check_closed_period(case, paid.period_end, "payment")
    value = cmd.amount if cmd.amount is not None else paid.amount - paid.reversed
    if value <= 0:
        raise RuleViolation(rule="already_reversed", ref=key)
    rules.check_reversal(case, key, value)
    rules.check_order(paid.paid_on, rec.on, "paid_on", "date")
    return [ev.PaymentReversed(**header, reversal_id=f"R{case.reversal_count + 1}", payment_id=key, amount=value)]


def apply_grant(case: CaseState, cmd: c.ApplyGrant, rec: ev.Recording) -> list[ev.Event]:
    """An application to the Police for state money for this case."""
    header = next_entry(case, rec, "grant")
    if cmd.reference in case.grants:
        raise AlreadyExists(kind="grant", ref=cmd.reference[:40])
    return [ev.StateGrantApplied(**header, police_reference=cmd.reference, amount_applied=cmd.amount,
                                 period_start=cmd.period_start, period_end=cmd.period_end)]


def decide_grant(case: CaseState, cmd: c.DecideGrant, rec: ev.Recording) -> list[ev.Event]:
    """The Police's decision on an application; never more than was applied for."""
    header = next_entry(case, rec, "grant")
    grant = case.grants.get(cmd.reference)
    if grant is None:
        raise NotFound(kind="grant", ref=cmd.reference[:40], case=case.case_number)
    if cmd.amount > grant.amount_applied:
        raise RuleViolation(rule="grant_exceeds_application", amount=str(cmd.amount), applied=str(grant.amount_applied))
    rules.check_order(grant.applied_on, rec.on, "applied_on", "date")
    return [ev.StateGrantDecided(**header, police_reference=cmd.reference, outcome=cmd.outcome,
                                 amount_granted=cmd.amount)]
