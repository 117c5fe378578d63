"""The rules checked before anything is stored. Each raises a named error from ``ledger.errors``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ledger.case import (
    CaseState,
    PaymentState,
    PlacementState,
    ServiceState,
    consent_key,
)
from ledger.clock import today
from ledger.errors import (
    CaseClosedError,
    ConsentNotActive,
    DateOutOfOrder,
    DecisionMissing,
    FutureDate,
    InvalidDate,
    NotFound,
    PlacementNotRunning,
    ReversalExceedsPayment,
)
from ledger.vocab import Intervention, Recipient

#: A business date as given: a ``date``, ISO text, or ``None`` for today.
DateLike = date | str | None


def parse_date(value: date | str | None, field: str = "date", default: date | None = None) -> date:
    """ISO date (``2026-05-31``) or a ``date``; ``None`` gives ``default`` (today if not given)."""
    if value is None:
        return default or today()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidDate(field=field, value=value[:20]) from None


def optional_date(value: date | str | None, field: str) -> date | None:
    return None if value is None or value == "" else parse_date(value, field)


def check_not_future(day: date, field: str = "date") -> None:
    """Business dates may lie in the past (late entries), never in the future."""
    if day > today():
        raise FutureDate(field=field, date=day.isoformat())


def check_order(earlier: date, later: date, first: str, second: str) -> None:
    """``later`` must not come before ``earlier``."""
    if later < earlier:
        raise DateOutOfOrder(first=first, first_date=earlier.isoformat(), second=second, second_date=later.isoformat())


def check_case_open(case: CaseState, action: str) -> None:
    """Only follow-up, correction or reopening is allowed on a closed case."""
    if case.is_closed:
        raise CaseClosedError(case=case.case_number, action=action)


def check_on_or_after_opening(case: CaseState, day: date) -> None:
    check_order(case.opened_on, day, "opened_on", "date")


def covering_decision(
    case: CaseState, intervention: Intervention, day: date, decision_id: str | None = None
) -> str | None:
    """The id of a granted decision in force for ``intervention`` on ``day`` (the given one if any)."""
    if decision_id is not None:
        decision = case.decisions.get(decision_id)
        if decision is None:
            raise NotFound(kind="decision", ref=decision_id, case=case.case_number)
        return decision_id if decision.covers(intervention, day) else None
    for key, decision in case.decisions.items():
        if decision.covers(intervention, day):
            return key
    return None


def check_decision_for(
    case: CaseState, intervention: Intervention, day: date, decision_id: str | None, urgent: bool
) -> str | None:
    """A placement or service needs a granted decision covering it, unless flagged urgent."""
    found = covering_decision(case, intervention, day, decision_id)
    if found is None and not urgent:
        raise DecisionMissing(case=case.case_number, intervention=str(intervention), date=day.isoformat())
    return found


def check_consent_active(case: CaseState, recipient: Recipient, provider: str | None, day: date) -> None:
    """Consent can only be revoked (or relied on) where it was granted and is still active."""
    consent = case.consents.get(consent_key(recipient, provider))
    if consent is None or not consent.active_on(day):
        raise ConsentNotActive(case=case.case_number, recipient=consent_key(recipient, provider), date=day.isoformat())


def placement(case: CaseState, placement_id: str) -> PlacementState:
    found = case.placements.get(placement_id.upper())
    if found is None:
        raise NotFound(kind="placement", ref=placement_id, case=case.case_number)
    return found


def service(case: CaseState, service_id: str) -> ServiceState:
    found = case.services.get(service_id.upper())
    if found is None:
        raise NotFound(kind="service", ref=service_id, case=case.case_number)
    return found


def check_running(item: PlacementState | ServiceState, ref: str) -> None:
    if item.ended_on is not None:
        raise PlacementNotRunning(ref=ref, ended_on=item.ended_on.isoformat())


def payment(case: CaseState, payment_id: str) -> PaymentState:
    found = case.payments.get(payment_id.upper())
    if found is None:
        raise NotFound(kind="payment", ref=payment_id, case=case.case_number)
    return found


def check_reversal(case: CaseState, payment_id: str, amount: Decimal) -> None:
    """A reversal never exceeds what is left of the payment it reverses."""
    paid = payment(case, payment_id)
    left = paid.amount - paid.reversed
    if amount > left:
        raise ReversalExceedsPayment(payment=payment_id.upper(), amount=str(amount), left=str(left))
