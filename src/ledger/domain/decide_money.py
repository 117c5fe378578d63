"""What costs money: placements, non-residential services, payments and state grants of a case.

As in :mod:`ledger.domain.decide_case`: the case as it stands and a typed command in, the events
to store out, or the named error.
"""

from __future__ import annotations

from ledger.domain import commands as c
from ledger.domain import events as ev
from ledger.domain import rules
from ledger.domain.case import CaseState
from ledger.domain.decide_case import next_entry
from ledger.domain.errors import AlreadyExists, InputError, NotFound, RuleViolation


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


def record_payment(case: CaseState, cmd: c.RecordPayment, rec: ev.Recording) -> list[ev.Event]:
    """A paid invoice (``B1``, …) for a placement, a service or a provider; the provider must agree."""
    header = next_entry(case, rec, "payment")
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
    return [ev.PaymentRecorded(
        **header, payment_id=f"B{len(case.payments) + 1}", amount=cmd.amount, period_start=cmd.period_start,
        period_end=cmd.period_end, provider=code, placement_id=cmd.placement.upper() if cmd.placement else None,
        service_id=cmd.service.upper() if cmd.service else None, invoice_number=cmd.invoice,
    )]


def reverse_payment(case: CaseState, cmd: c.ReversePayment, rec: ev.Recording) -> list[ev.Event]:
    """A reversal (``R1``, …) of a payment in whole or in part, never more than is left of it."""
    header = next_entry(case, rec, "payment")
    key = cmd.payment.upper()
    paid = rules.payment(case, key)
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
