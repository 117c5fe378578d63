"""Invoice control (issue 12): the rules of ``payment record`` and ``payment reverse``, in memory.

- A provider's invoice number paid twice (compared without spaces and case), a period overlapping an
  earlier payment for the same placement or service, and an amount above what the period costs at
  the agreed price are refused — the exact error, nothing stored — unless confirmed with a reason,
  which is then kept (sealed) with what was found. A payment reversed in full no longer counts.
- What a period costs: a placement's days at the daily price in force each day (an extension's price
  from the day after the previous planned end), a service by the month, a one-off its price.
- On a closed case, a period that ended by the closure may be paid and reversed; a later one not.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from ledger.application.service import Ledger
from ledger.bootstrap import memory_ledger
from ledger.domain import events as ev
from ledger.domain.case import PlacementState, ServiceState
from ledger.domain.clock import PinnedClock
from ledger.domain.decide_money import invoice_key, price_limit
from ledger.domain.errors import (
    DuplicateInvoice,
    InvoicePaidElsewhere,
    LedgerError,
    PaymentAfterClosure,
    PaymentOverPrice,
    PaymentPeriodOverlap,
)
from ledger.domain.vocab import Intervention, PriceUnit
from tests.conftest import TEST_PNR

OPENED = "2026-03-01"
APRIL = {"period_start": "2026-04-01", "period_end": "2026-04-30"}  # 30 days


@pytest.fixture
def app() -> Ledger:
    ledger = memory_ledger("tester", clock=PinnedClock(day=date(2026, 11, 30)))
    ledger.add_provider("SKYDD1", name="Skyddat boende Ett", on="2026-01-01")
    ledger.add_provider("SKYDD2", name="Skyddat boende Två", on="2026-01-01")
    ledger.add_provider("COACH1", name="Avhopparcoach Ett", on="2026-01-01")
    return ledger


@pytest.fixture
def case(app: Ledger) -> str:
    """A case with placement P1 at 3 200 kr a day from 1 April, and a monthly coach S1 at 12 000 kr."""
    number = app.open_case(TEST_PNR[40], gender="man", environment="criminal", source="police", on=OPENED)
    app.record_decision(number, outcome="granted", intervention="protected_housing", period_start=OPENED,
                        on=OPENED)
    app.record_decision(number, outcome="granted", intervention="defector_coach", period_start=OPENED, on=OPENED)
    app.start_placement(number, provider="SKYDD1", intervention="protected_housing", daily_price="3 200",
                        on="2026-04-01")
    app.start_service(number, provider="COACH1", intervention="defector_coach", price="12 000", price_unit="month",
                      on="2026-04-01")
    return number


def stored(app: Ledger) -> int:
    return app.recorder.max_notification_id() or 0


@contextmanager
def refused(app: Ledger, error: type[LedgerError]) -> Iterator[pytest.ExceptionInfo[LedgerError]]:
    """The block raises exactly ``error`` and stores nothing."""
    before = stored(app)
    with pytest.raises(error) as info:
        yield info
    assert type(info.value) is error, f"expected {error.__name__}, got {type(info.value).__name__}"
    assert stored(app) == before, "a refused payment stored something"


def payment_event(app: Ledger, case: str, payment_id: str) -> ev.PaymentRecorded:
    return next(e for e in app.case_events(case) if isinstance(e, ev.PaymentRecorded) and e.payment_id == payment_id)


def pay(app: Ledger, case: str, amount: str, **kwargs: Any) -> str:
    values: dict[str, Any] = {**APRIL, "placement": "P1", "on": "2026-05-05", **kwargs}
    return app.record_payment(case, amount, **values)


# -- invoice numbers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "key"), [
    ("F-1001", "f-1001"), (" f-1001 ", "f-1001"), ("F - 10 01", "f-1001"), ("Ｆ-１００１", "f-1001"),
    ("", None), ("   ", None), (None, None),
])
def test_invoice_numbers_compare_without_spaces_and_case(typed: str | None, key: str | None) -> None:
    assert invoice_key(typed) == key


def test_an_invoice_paid_twice_by_the_same_provider_is_refused(app: Ledger, case: str) -> None:
    pay(app, case, "96 000", invoice="F-1001")
    with refused(app, DuplicateInvoice) as err:
        pay(app, case, "3 200", invoice=" f-10 01", period_start="2026-05-01", period_end="2026-05-01")
    assert err.value.params == {"invoice": "f-10 01", "provider": "SKYDD1", "case": case, "paid": "B1"}
    # the same number from another provider is another invoice
    app.record_payment(case, "500", provider="SKYDD2", invoice="F-1001", period_start="2026-05-01",
                       period_end="2026-05-01", on="2026-05-05")


def test_a_confirmed_duplicate_is_kept_with_its_reason(app: Ledger, case: str) -> None:
    pay(app, case, "96 000", invoice="F-1001")
    paid = pay(app, case, "3 200", invoice="F-1001", period_start="2026-05-01", period_end="2026-05-01",
               confirm_duplicate="Fakturan avser två perioder, kontrollerat med utföraren")
    event = payment_event(app, case, paid)
    assert (event.duplicate_of, event.invoice_elsewhere, event.price_limit) == (["B1"], False, None)
    assert event.duplicate_reason == "Fakturan avser två perioder, kontrollerat med utföraren"
    assert event.over_price_reason is None
    assert "duplicate_reason" in ev.PaymentRecorded.personal_fields()  # free text: sealed


def test_an_invoice_paid_on_another_case_is_refused_unless_confirmed(app: Ledger, case: str) -> None:
    asked: list[tuple[str, str, UUID]] = []

    class Paid:
        def invoice_paid(self, provider: str, invoice_key: str, *, other_than: UUID) -> bool:
            asked.append((provider, invoice_key, other_than))
            return True

    app.invoices = Paid
    with refused(app, InvoicePaidElsewhere) as err:
        pay(app, case, "96 000", invoice="F 77")
    assert err.value.params == {"invoice": "F 77", "provider": "SKYDD1"}  # never the other case
    assert asked == [("SKYDD1", "f77", app.get_case(case).id)]
    paid = pay(app, case, "96 000", invoice="F 77", confirm_duplicate="En faktura för två ärenden")
    event = payment_event(app, case, paid)
    assert (event.duplicate_of, event.invoice_elsewhere) == ([], True)
    assert pay(app, case, "3 200", period_start="2026-05-01", period_end="2026-05-01") == "B2"  # no invoice: not asked


# -- periods --------------------------------------------------------------------------------------------


def test_an_overlapping_period_for_the_same_placement_is_refused(app: Ledger, case: str) -> None:
    pay(app, case, "96 000", invoice="F-1")
    with refused(app, PaymentPeriodOverlap) as err:
        pay(app, case, "6 400", invoice="F-2", period_start="2026-04-30", period_end="2026-05-01")
    assert err.value.params == {"item": "P1", "case": case, "period_start": "2026-04-30",
                                "period_end": "2026-05-01", "paid": "B1 2026-04-01–2026-04-30"}
    # the service's period is its own, and so is a payment to the provider alone
    app.record_payment(case, "12 000", service="S1", on="2026-05-05", **APRIL)
    app.record_payment(case, "100", provider="SKYDD1", on="2026-05-05", **APRIL)
    paid = pay(app, case, "6 400", invoice="F-2", period_start="2026-04-30", period_end="2026-05-01",
               confirm_duplicate="Dubbel debitering av utflyttningsdagen är avtalad")
    assert payment_event(app, case, paid).duplicate_of == ["B1"]


def test_a_payment_reversed_in_full_no_longer_counts(app: Ledger, case: str) -> None:
    first = pay(app, case, "96 000", invoice="F-1")
    app.reverse_payment(case, first, amount="1 000", on="2026-05-06")
    with refused(app, PaymentPeriodOverlap):  # partly reversed: still paid
        pay(app, case, "96 000", invoice="F-2", on="2026-05-07")
    app.reverse_payment(case, first, on="2026-05-07")  # the rest
    again = pay(app, case, "96 000", invoice="F-1", on="2026-05-07")  # same invoice, same period: no confirmation
    event = payment_event(app, case, again)
    assert (event.duplicate_of, event.duplicate_reason) == ([], None)


def test_a_reason_for_nothing_found_is_not_kept(app: Ledger, case: str) -> None:
    paid = pay(app, case, "96 000", invoice="F-1", confirm_duplicate="för säkerhets skull", over_price="också")
    event = payment_event(app, case, paid)
    assert (event.duplicate_of, event.duplicate_reason, event.price_limit, event.over_price_reason) == (
        [], None, None, None)


# -- price ----------------------------------------------------------------------------------------------


def test_more_than_days_times_the_daily_price_is_refused(app: Ledger, case: str) -> None:
    with refused(app, PaymentOverPrice) as err:
        pay(app, case, "99 000", invoice="F-1")
    assert err.value.params == {"amount": "99000.00", "limit": "96000.00", "item": "P1", "case": case,
                                "period_start": "2026-04-01", "period_end": "2026-04-30", "days": "30"}
    with refused(app, PaymentOverPrice):
        pay(app, case, "96 000,01", invoice="F-1")
    with refused(app, PaymentOverPrice):  # a blank reason is no reason
        pay(app, case, "99 000", invoice="F-1", over_price="  ")
    paid = pay(app, case, "99 000", invoice="F-1", over_price="Extra personal två nätter enligt avtal")
    event = payment_event(app, case, paid)
    assert (event.price_limit, event.over_price_reason) == (Decimal("96000.00"),
                                                           "Extra personal två nätter enligt avtal")
    assert event.duplicate_of == [] and event.duplicate_reason is None


def test_exactly_the_price_passes(app: Ledger, case: str) -> None:
    paid = pay(app, case, "96 000,00", invoice="F-1")
    assert payment_event(app, case, paid).price_limit is None


def test_a_monthly_service_costs_its_share_of_each_month(app: Ledger, case: str) -> None:
    # 12 000 a month: 30 of April's 30 days and 10 of May's 31 days = 12 000 + 3 870.97 (rounded up)
    with refused(app, PaymentOverPrice) as err:
        app.record_payment(case, "15 871", service="S1", period_start="2026-04-01", period_end="2026-05-10",
                           on="2026-05-12")
    assert err.value.params["limit"] == "15870.97"
    app.record_payment(case, "15 870,97", service="S1", period_start="2026-04-01", period_end="2026-05-10",
                       on="2026-05-12")


def _placement(prices: list[tuple[str, str]]) -> PlacementState:
    return PlacementState(provider="X", intervention=Intervention.HVB, started_on=date.fromisoformat(prices[0][0]),
                          daily_price=Decimal(prices[-1][1]),
                          prices=[(date.fromisoformat(d), Decimal(p)) for d, p in prices])


def _service(price: str | None, unit: PriceUnit) -> ServiceState:
    return ServiceState(provider="X", intervention=Intervention.DEFECTOR_COACH, started_on=date(2026, 1, 1),
                        price=Decimal(price) if price else None, price_unit=unit)


@pytest.mark.parametrize(("item", "start", "end", "limit"), [
    (_placement([("2026-04-01", "3200")]), "2026-04-01", "2026-04-30", "96000"),
    (_placement([("2026-04-01", "3200")]), "2026-04-10", "2026-04-10", "3200"),
    # a price change on 1 May: 5 days at 3 000, 3 at 3 100
    (_placement([("2026-03-01", "3000"), ("2026-05-01", "3100")]), "2026-04-26", "2026-05-03", "24300"),
    # before the first price and after the last, those prices
    (_placement([("2026-03-01", "3000"), ("2026-05-01", "3100")]), "2026-02-27", "2026-02-28", "6000"),
    (_placement([("2026-03-01", "3000"), ("2026-03-10", "3100"), ("2026-03-20", "3300")]), "2026-03-09",
     "2026-03-20", "37300"),
    (_service("12000", PriceUnit.MONTH), "2026-02-01", "2026-02-14", "6000.00"),
    (_service("12000", PriceUnit.MONTH), "2026-01-20", "2026-02-10", "8930.88"),  # 12/31 and 10/28, rounded up
    (_service("5000", PriceUnit.ONCE), "2026-02-01", "2026-03-31", "5000"),
    (_service("800", PriceUnit.HOUR), "2026-02-01", "2026-02-28", None),
    (_service(None, PriceUnit.MONTH), "2026-02-01", "2026-02-28", None),
])
def test_what_a_period_costs(item: PlacementState | ServiceState, start: str, end: str, limit: str | None) -> None:
    found = price_limit(item, date.fromisoformat(start), date.fromisoformat(end))
    assert found == (Decimal(limit) if limit is not None else None)


def test_an_extensions_price_applies_from_the_day_after_the_previous_planned_end(app: Ledger, case: str) -> None:
    app.extend_placement(case, "P1", planned_end="2026-04-30", on="2026-04-02")
    app.extend_placement(case, "P1", planned_end="2026-08-31", daily_price="3 300", on="2026-04-20")
    assert app.get_case(case).placements["P1"].prices == [(date(2026, 4, 1), Decimal("3200.00")),
                                                          (date(2026, 5, 1), Decimal("3300.00"))]
    # 29 April - 2 May: 2 days at 3 200 and 2 at 3 300
    with refused(app, PaymentOverPrice) as err:
        pay(app, case, "13 000,01", period_start="2026-04-29", period_end="2026-05-02")
    assert err.value.params["limit"] == "13000.00"
    pay(app, case, "13 000", period_start="2026-04-29", period_end="2026-05-02")


# -- closed cases ---------------------------------------------------------------------------------------


def _close(app: Ledger, case: str) -> None:
    app.end_placement(case, "P1", on="2026-06-30")
    app.end_service(case, "S1", on="2026-06-30")
    app.close_case(case, "goals_met", on="2026-06-30")


def test_a_closed_case_takes_payments_for_periods_before_its_closure(app: Ledger, case: str) -> None:
    early = pay(app, case, "96 000", invoice="F-1")
    _close(app, case)
    late = pay(app, case, "96 000", invoice="F-6", period_start="2026-06-01", period_end="2026-06-30",
               on="2026-07-10")
    assert late == "B2" and app.get_case(case).is_closed
    assert app.reverse_payment(case, early, amount="3 200", on="2026-07-11") == "R1"
    with refused(app, PaymentAfterClosure) as err:
        pay(app, case, "3 200", invoice="F-7", period_start="2026-07-01", period_end="2026-07-01",
            on="2026-07-10")
    assert err.value.params == {"case": case, "action": "payment", "period_end": "2026-07-01",
                                "closed_on": "2026-06-30"}
    with refused(app, PaymentAfterClosure):  # a period across the closure: not all of it was owed then
        pay(app, case, "6 400", invoice="F-7", period_start="2026-06-30", period_end="2026-07-01",
            confirm_duplicate="x", on="2026-07-10")


def test_a_closed_case_refuses_reversing_a_payment_for_after_its_closure(app: Ledger, case: str) -> None:
    ahead = pay(app, case, "32 000", invoice="F-9", period_start="2026-06-26", period_end="2026-07-05")
    app.end_placement(case, "P1", on="2026-06-30")
    app.end_service(case, "S1", on="2026-06-30")
    app.close_case(case, "goals_met", on="2026-06-30")
    with refused(app, PaymentAfterClosure):
        app.reverse_payment(case, ahead, amount="16 000", on="2026-07-10")
    app.reopen_case(case, on="2026-07-10")
    assert app.reverse_payment(case, ahead, amount="16 000", on="2026-07-10") == "R1"
