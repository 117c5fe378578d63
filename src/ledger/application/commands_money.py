"""Commands that cost money: placements, non-residential services, payments, state grants.

Parsed here into typed commands; the rules are :mod:`ledger.domain.decide_money`.
"""

from __future__ import annotations

from decimal import Decimal

from ledger.application.core import LedgerCore, command
from ledger.domain import commands as c
from ledger.domain import decide_money as decide
from ledger.domain.case import CaseState
from ledger.domain.errors import LedgerError
from ledger.domain.event import Event, Recording
from ledger.domain.money import optional_amount, parse_amount
from ledger.domain.permissions import Action
from ledger.domain.record import replace
from ledger.domain.rules import DateLike, optional_date
from ledger.domain.vocab import GrantOutcome, Intervention, PlacementEndReason, PriceUnit, choose


class MoneyCommands(LedgerCore):
    """Placements, services, payments and state grants of a case."""

    @command(Action.PLACEMENT_START)
    def start_placement(
        self, case: str, *, provider: str, intervention: str, daily_price: str | Decimal,
        planned_end: DateLike = None, decision: str | None = None, urgent: bool = False,
        on: DateLike = None, note: str | None = None,
    ) -> str:
        """Start a placement; needs a granted decision covering it unless ``urgent``. Returns e.g. ``P1``."""
        intervention_ = choose(Intervention, intervention, "intervention")
        price = parse_amount(daily_price)
        planned = optional_date(planned_end, "planned_end")
        cmd = c.StartPlacement(self._provider(provider).code, intervention_, price, planned, decision, urgent)
        new = self._on_case(Action.PLACEMENT_START, case, on, note, lambda s, r: decide.start_placement(s, cmd, r))
        return new[0].placement_id  # type: ignore[attr-defined, no-any-return]

    @command(Action.PLACEMENT_EXTEND)
    def extend_placement(
        self, case: str, placement: str, *, planned_end: DateLike, daily_price: str | Decimal | None = None,
        decision: str | None = None, on: DateLike = None, note: str | None = None,
    ) -> None:
        planned = self._day(planned_end, "planned_end")
        cmd = c.ExtendPlacement(placement, planned, optional_amount(daily_price), decision)
        self._on_case(Action.PLACEMENT_EXTEND, case, on, note, lambda s, r: decide.extend_placement(s, cmd, r))

    @command(Action.PLACEMENT_END)
    def end_placement(self, case: str, placement: str, *, reason: str = "planned", on: DateLike = None,
                      note: str | None = None) -> None:
        cmd = c.EndPlacement(placement, choose(PlacementEndReason, reason, "reason"))
        self._on_case(Action.PLACEMENT_END, case, on, note, lambda s, r: decide.end_placement(s, cmd, r))

    @command(Action.SERVICE_START)
    def start_service(
        self, case: str, *, provider: str, intervention: str, price: str | Decimal | None = None,
        price_unit: str = "month", decision: str | None = None, urgent: bool = False,
        on: DateLike = None, note: str | None = None,
    ) -> str:
        """Start a non-residential intervention (coach, programme, ...). Returns e.g. ``S1``."""
        intervention_ = choose(Intervention, intervention, "intervention")
        unit = choose(PriceUnit, price_unit, "price_unit")
        amount = optional_amount(price)
        cmd = c.StartService(self._provider(provider).code, intervention_, amount, unit, decision, urgent)
        new = self._on_case(Action.SERVICE_START, case, on, note, lambda s, r: decide.start_service(s, cmd, r))
        return new[0].service_id  # type: ignore[attr-defined, no-any-return]

    @command(Action.SERVICE_END)
    def end_service(self, case: str, service: str, *, on: DateLike = None, note: str | None = None) -> None:
        cmd = c.EndService(service)
        self._on_case(Action.SERVICE_END, case, on, note, lambda s, r: decide.end_service(s, cmd, r))

    @command(Action.PAYMENT_RECORD)
    def record_payment(
        self, case: str, amount: str | Decimal, *, period_start: DateLike, period_end: DateLike,
        provider: str | None = None, placement: str | None = None, service: str | None = None,
        invoice: str | None = None, confirm_duplicate: str | None = None, over_price: str | None = None,
        on: DateLike = None, note: str | None = None,
    ) -> str:
        """Record a paid invoice; returns its id, e.g. ``B1``. A duplicate invoice or an overlapping period
        needs ``confirm_duplicate`` (why it is paid anyway), an amount above the agreed price
        ``over_price`` (why): see :func:`ledger.domain.decide_money.record_payment`."""
        amount_ = parse_amount(amount)
        start, end = self._period(period_start, period_end)
        given = self._provider(provider).code if provider else None
        cmd = c.RecordPayment(amount_, start, end, given, placement, service, invoice, confirm_duplicate, over_price)

        def decide_payment(state: CaseState, rec: Recording) -> list[Event]:
            elsewhere = self._invoice_elsewhere(state, cmd)
            return decide.record_payment(state, replace(cmd, invoice_elsewhere=elsewhere), rec)

        new = self._on_case(Action.PAYMENT_RECORD, case, on, note, decide_payment)
        return new[0].payment_id  # type: ignore[attr-defined, no-any-return]

    def _invoice_elsewhere(self, state: CaseState, cmd: c.RecordPayment) -> bool:
        """Whether the provider's invoice number is already paid on another case (asked of the read side;
        not asked without one, nor when the provider or the invoice number is wanting)."""
        key = decide.invoice_key(cmd.invoice)
        if self.invoices is None or key is None:
            return False
        try:
            provider = decide.payment_provider(state, cmd)
        except LedgerError:
            return False  # the rules refuse it, in their order
        return self.invoices().invoice_paid(provider, key, other_than=state.id)

    @command(Action.PAYMENT_REVERSE)
    def reverse_payment(self, case: str, payment: str, *, amount: str | Decimal | None = None, on: DateLike = None,
                        note: str | None = None) -> str:
        """Reverse a payment in whole or in part; returns the reversal id, e.g. ``R1``."""
        cmd = c.ReversePayment(payment, optional_amount(amount))
        new = self._on_case(Action.PAYMENT_REVERSE, case, on, note, lambda s, r: decide.reverse_payment(s, cmd, r))
        return new[0].reversal_id  # type: ignore[attr-defined, no-any-return]

    @command(Action.GRANT_APPLY)
    def apply_grant(
        self, case: str, *, reference: str, amount: str | Decimal, period_start: DateLike, period_end: DateLike,
        on: DateLike = None, note: str | None = None,
    ) -> None:
        """Record an application to the Police for state money for this case."""
        amount_ = parse_amount(amount)
        start, end = self._period(period_start, period_end)
        cmd = c.ApplyGrant(reference, amount_, start, end)
        self._on_case(Action.GRANT_APPLY, case, on, note, lambda s, r: decide.apply_grant(s, cmd, r))

    @command(Action.GRANT_DECIDE)
    def decide_grant(self, case: str, *, reference: str, outcome: str, amount: str | Decimal | None = None,
                     on: DateLike = None, note: str | None = None) -> None:
        outcome_ = choose(GrantOutcome, outcome, "outcome")
        granted = Decimal("0.00") if outcome_ == GrantOutcome.DENIED else parse_amount(amount or "")
        cmd = c.DecideGrant(reference, outcome_, granted)
        self._on_case(Action.GRANT_DECIDE, case, on, note, lambda s, r: decide.decide_grant(s, cmd, r))
