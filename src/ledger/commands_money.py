"""Commands that cost money: placements, non-residential services, payments, state grants.

Mixed into :class:`ledger.application.Ledger`, whose plumbing (``_case_event``, ``_provider``) they use.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ledger import events as ev
from ledger import rules
from ledger.case import CaseState
from ledger.errors import AlreadyExists, InputError, NotFound, RuleViolation
from ledger.money import parse_amount
from ledger.rules import DateLike
from ledger.vocab import (
    GrantOutcome,
    Intervention,
    PlacementEndReason,
    PriceUnit,
    choose,
)


class MoneyCommands:
    """Placements, services, payments and state grants of a case."""

    # -- placements and services ----------------------------------------------------------------------

    def start_placement(
        self, case: str, *, provider: str, intervention: str, daily_price: str | Decimal,
        planned_end: DateLike = None, decision: str | None = None, urgent: bool = False,
        on: DateLike = None, note: str | None = None,
    ) -> str:
        """Start a placement; needs a granted decision covering it unless ``urgent``. Returns e.g. ``P1``."""
        intervention_ = choose(Intervention, intervention, "intervention")
        price = parse_amount(daily_price)
        planned = rules.optional_date(planned_end, "planned_end")
        code = self._provider(provider).code

        def make(c: CaseState, meta: dict[str, Any]) -> tuple[list[Any], str]:
            start = meta["occurred_on"]
            if planned is not None:
                rules.check_order(start, planned, "date", "planned_end")
            found = rules.check_decision_for(c, intervention_, start, decision.upper() if decision else None, urgent)
            placement_id = f"P{len(c.placements) + 1}"
            return [
                ev.PlacementStarted(
                    placement_id=placement_id, provider=code, intervention=intervention_, daily_price=price,
                    planned_end=planned, decision_id=found, urgent=urgent and found is None, **meta,
                )
            ], placement_id

        return self._case_event(case, make, on, note, "placement")

    def extend_placement(
        self, case: str, placement: str, *, planned_end: DateLike, daily_price: str | Decimal | None = None,
        decision: str | None = None, on: DateLike = None, note: str | None = None,
    ) -> None:
        planned = rules.parse_date(planned_end, "planned_end")
        price = parse_amount(daily_price) if daily_price not in (None, "") else None

        def make(c: CaseState, meta: dict[str, Any]) -> tuple[list[Any], None]:
            key = placement.upper()
            current = rules.placement(c, key)
            rules.check_running(current, key)
            rules.check_order(current.started_on, meta["occurred_on"], "started_on", "date")
            rules.check_order(max(current.started_on, meta["occurred_on"]), planned, "date", "planned_end")
            found = None
            if decision is not None:
                found = rules.check_decision_for(c, current.intervention, planned, decision.upper(), False)
            return [
                ev.PlacementExtended(placement_id=key, planned_end=planned, daily_price=price, decision_id=found, **meta)
            ], None

        self._case_event(case, make, on, note, "placement")

    def end_placement(
        self, case: str, placement: str, *, reason: str = "planned", on: DateLike = None, note: str | None = None
    ) -> None:
        reason_ = choose(PlacementEndReason, reason, "reason")

        def make(c: CaseState, meta: dict[str, Any]) -> tuple[list[Any], None]:
            key = placement.upper()
            current = rules.placement(c, key)
            rules.check_running(current, key)
            rules.check_order(current.started_on, meta["occurred_on"], "started_on", "date")
            return [ev.PlacementEnded(placement_id=key, end_reason=reason_, **meta)], None

        self._case_event(case, make, on, note, "placement")

    def start_service(
        self, case: str, *, provider: str, intervention: str, price: str | Decimal | None = None,
        price_unit: str = "month", decision: str | None = None, urgent: bool = False,
        on: DateLike = None, note: str | None = None,
    ) -> str:
        """Start a non-residential intervention (coach, programme, ...). Returns e.g. ``S1``."""
        intervention_ = choose(Intervention, intervention, "intervention")
        unit = choose(PriceUnit, price_unit, "price_unit")
        amount = parse_amount(price) if price not in (None, "") else None
        code = self._provider(provider).code

        def make(c: CaseState, meta: dict[str, Any]) -> tuple[list[Any], str]:
            found = rules.check_decision_for(
                c, intervention_, meta["occurred_on"], decision.upper() if decision else None, urgent
            )
            service_id = f"S{len(c.services) + 1}"
            return [
                ev.ServiceStarted(
                    service_id=service_id, provider=code, intervention=intervention_, price=amount,
                    price_unit=unit, decision_id=found, urgent=urgent and found is None, **meta,
                )
            ], service_id

        return self._case_event(case, make, on, note, "service")

    def end_service(self, case: str, service: str, *, on: DateLike = None, note: str | None = None) -> None:
        def make(c: CaseState, meta: dict[str, Any]) -> tuple[list[Any], None]:
            key = service.upper()
            current = rules.service(c, key)
            rules.check_running(current, key)
            rules.check_order(current.started_on, meta["occurred_on"], "started_on", "date")
            return [ev.ServiceEnded(service_id=key, **meta)], None

        self._case_event(case, make, on, note, "service")

    # -- money ---------------------------------------------------------------------------------------

    def record_payment(
        self, case: str, amount: str | Decimal, *, period_start: DateLike, period_end: DateLike,
        provider: str | None = None, placement: str | None = None, service: str | None = None,
        invoice: str | None = None, on: DateLike = None, note: str | None = None,
    ) -> str:
        """Record a paid invoice; returns its id, e.g. ``B1``."""
        amount_ = parse_amount(amount)
        start = rules.parse_date(period_start, "period_start")
        end = rules.parse_date(period_end, "period_end")
        rules.check_order(start, end, "period_start", "period_end")
        given = self._provider(provider).code if provider else None

        def make(c: CaseState, meta: dict[str, Any]) -> tuple[list[Any], str]:
            code = given
            for ref, item in (
                (placement, rules.placement(c, placement) if placement else None),
                (service, rules.service(c, service) if service else None),
            ):
                if item is None:
                    continue
                if code is not None and code != item.provider:
                    raise RuleViolation(rule="provider_mismatch", ref=str(ref).upper(), provider=code)
                code = item.provider
            if code is None:
                raise InputError(field="provider", reason="required")
            payment_id = f"B{len(c.payments) + 1}"
            return [
                ev.PaymentRecorded(
                    payment_id=payment_id, amount=amount_, period_start=start, period_end=end, provider=code,
                    placement_id=placement.upper() if placement else None,
                    service_id=service.upper() if service else None, invoice_number=invoice, **meta,
                )
            ], payment_id

        return self._case_event(case, make, on, note, "payment")

    def reverse_payment(
        self, case: str, payment: str, *, amount: str | Decimal | None = None, on: DateLike = None,
        note: str | None = None,
    ) -> str:
        """Reverse a payment in whole or in part; returns the reversal id, e.g. ``R1``."""
        given = parse_amount(amount) if amount not in (None, "") else None

        def make(c: CaseState, meta: dict[str, Any]) -> tuple[list[Any], str]:
            key = payment.upper()
            paid = rules.payment(c, key)
            value = given if given is not None else paid.amount - paid.reversed
            if value <= 0:
                raise RuleViolation(rule="already_reversed", ref=key)
            rules.check_reversal(c, key, value)
            rules.check_order(paid.paid_on, meta["occurred_on"], "paid_on", "date")
            reversal_id = f"R{c.reversal_count + 1}"
            return [ev.PaymentReversed(reversal_id=reversal_id, payment_id=key, amount=value, **meta)], reversal_id

        return self._case_event(case, make, on, note, "payment")

    def apply_grant(
        self, case: str, *, reference: str, amount: str | Decimal, period_start: DateLike, period_end: DateLike,
        on: DateLike = None, note: str | None = None,
    ) -> None:
        """Record an application to the Police for state money for this case."""
        amount_ = parse_amount(amount)
        start = rules.parse_date(period_start, "period_start")
        end = rules.parse_date(period_end, "period_end")
        rules.check_order(start, end, "period_start", "period_end")

        def make(c: CaseState, meta: dict[str, Any]) -> tuple[list[Any], None]:
            if reference in c.grants:
                raise AlreadyExists(kind="grant", ref=reference[:40])
            return [
                ev.StateGrantApplied(police_reference=reference, amount_applied=amount_, period_start=start,
                                     period_end=end, **meta)
            ], None

        self._case_event(case, make, on, note, "grant")

    def decide_grant(
        self, case: str, *, reference: str, outcome: str, amount: str | Decimal | None = None,
        on: DateLike = None, note: str | None = None,
    ) -> None:
        outcome_ = choose(GrantOutcome, outcome, "outcome")
        granted = Decimal("0.00") if outcome_ == GrantOutcome.DENIED else parse_amount(amount or "")

        def make(c: CaseState, meta: dict[str, Any]) -> tuple[list[Any], None]:
            grant = c.grants.get(reference)
            if grant is None:
                raise NotFound(kind="grant", ref=reference[:40], case=c.case_number)
            if granted > grant.amount_applied:
                raise RuleViolation(rule="grant_exceeds_application", amount=str(granted), applied=str(grant.amount_applied))
            rules.check_order(grant.applied_on, meta["occurred_on"], "applied_on", "date")
            return [ev.StateGrantDecided(police_reference=reference, outcome=outcome_, amount_granted=granted, **meta)], None

        self._case_event(case, make, on, note, "grant")
