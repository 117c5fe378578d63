"""The rules checked before anything is stored. Each raises a named error from ``ledger.domain.errors``.

Small checks shared by the decide functions (:mod:`ledger.domain.decide_case`,
:mod:`~ledger.domain.decide_money`, :mod:`~ledger.domain.decide_registers`) and the parsing of
dates as a user types them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ledger.domain import events as ev
from ledger.domain.case import CaseState, PaymentState, PlacementState, ServiceState, consent_key
from ledger.domain.errors import (
    CaseClosedError,
    ConsentNotActive,
    DateOutOfOrder,
    DecisionMissing,
    FutureDate,
    InputError,
    InvalidDate,
    NotFound,
    PlacementNotRunning,
    ReversalExceedsPayment,
)
from ledger.domain.vocab import Intervention, Recipient

#: A business date as given: a ``date``, ISO text, or ``None`` (for the caller's default).
DateLike = date | str | None
#: The earliest birth year the ledger accepts (Skatteverket's test numbers begin in 1890).
EARLIEST_BIRTH_YEAR = 1890
#: The years a budget or a yearly report can be for.
YEARS = range(2000, 2101)


def check_year(year: int | str, field: str = "year") -> int:
    """A budget or report year, as a number or as typed (``"2026"``)."""
    if isinstance(year, str):
        text = year.strip()
        if not (text.isascii() and text.isdigit()):
            raise InputError(field=field, reason="format")
        year = int(text)
    if year not in YEARS:
        raise InputError(field=field, reason="range")
    return year


def parse_date(value: DateLike, field: str, default: date) -> date:
    """ISO date (``2026-05-31``) or a ``date``; ``None`` gives ``default`` (an empty text is malformed)."""
    if value is None:
        return default
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidDate(field=field, value=value[:20]) from None


def optional_date(value: DateLike, field: str) -> date | None:
    """ISO date or a ``date``; ``None`` or nothing typed gives ``None``."""
    return None if value is None or value == "" else parse_date(value, field, date.min)


def check_not_future(day: date, today: date, field: str = "date") -> None:
    """Business dates may lie in the past (late entries), never in the future."""
    if day > today:
        raise FutureDate(field=field, date=day.isoformat())


def check_order(earlier: date, later: date, first: str, second: str) -> None:
    """``later`` must not come before ``earlier``."""
    if later < earlier:
        raise DateOutOfOrder(first=first, first_date=earlier.isoformat(), second=second, second_date=later.isoformat())


def check_birth_year(year: int | None, today: date, earliest: int = EARLIEST_BIRTH_YEAR) -> None:
    if year is not None and not earliest <= year <= today.year:
        raise InputError(field="birth_year", reason="range")


def check_entry(case: CaseState, rec: ev.Recording, action: str, allow_closed: bool = False) -> None:
    """What every entry on a case must satisfy: an open case (but follow-up, correction and
    reopening), and a date on or after the opening."""
    if not allow_closed and case.is_closed:
        raise CaseClosedError(case=case.case_number, action=action)
    check_order(case.opened_on, rec.on, "opened_on", "date")


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


def check_consent(case: CaseState, recipient: Recipient, provider: str | None, day: date, *,
                  sharing: bool = False) -> None:
    """A consent for the recipient must cover ``day`` (to revoke it, or to share under it)."""
    key = consent_key(recipient, provider)
    if not case.covers(key, day):
        raise ConsentNotActive(case=case.case_number, recipient=key, date=day.isoformat(),
                               next="share" if sharing else "revoke")


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
