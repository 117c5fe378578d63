"""Every rule the application enforces: given a case, when a command, then an error or new state.

Each refusal asserts the specific error class (exactly, not a subclass), the parameters that say
why, that nothing at all was stored, and that neither the message nor the parameters hold an
identity number. Commands go through :class:`ledger.application.service.Ledger` on the eventsourcing
library's in-memory persistence (no database: the rules do not depend on one); the store itself
is tested on both backends in ``test_store_app.py`` and ``tests/integration``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from ledger.application.service import Ledger
from ledger.bootstrap import memory_ledger
from ledger.domain import events as ev
from ledger.domain.clock import PinnedClock
from ledger.domain.errors import (
    AlreadyExists,
    CaseClosedError,
    CaseNotClosed,
    ConsentNotActive,
    DateOutOfOrder,
    DecisionMissing,
    FutureDate,
    InputError,
    InvalidAmount,
    InvalidChoice,
    InvalidDate,
    InvalidIdentityNumber,
    InvestigationState,
    LedgerError,
    NotFound,
    PlacementNotRunning,
    ReversalExceedsPayment,
    RuleViolation,
)
from tests.conftest import TEST_PNR, TEST_SAMORDNING
from tests.helpers import broken_check_digit, identity_forms, luhn, moved_to_february_30

OPENED = "2026-02-01"
PNR = TEST_PNR[0]  # the person of the standard case
OTHER = TEST_PNR[1]  # a second person
SAMORDNING = next(n for n in TEST_SAMORDNING if n[4:6] != "00" and 61 <= int(n[6:8]) <= 88)
#: Samordningsnummer whose birth date is incomplete (month 00, day 60 = unknown) or not a calendar date.
MONTH_UNKNOWN = next(n for n in TEST_SAMORDNING if n[4:6] == "00")
DAY_UNKNOWN = next(n for n in TEST_SAMORDNING if n[6:8] == "60" and n[4:6] != "00")
FEB_30_COORDINATION = next(n for n in TEST_SAMORDNING if n[4:8] == "0290")
BORN_2008 = next(p for p in TEST_PNR if p.startswith("2008"))
BORN_1960_01_20 = next(p for p in TEST_PNR if p.startswith("19600120"))
BORN_1955_03_07 = next(p for p in TEST_PNR if p.startswith("19550307"))


BAD_CHECKSUM = broken_check_digit(OTHER)
FEB_30 = moved_to_february_30(OTHER)


#: Every identity number this module uses, in every form.
SECRETS = set().union(
    *map(identity_forms, (PNR, OTHER, SAMORDNING, MONTH_UNKNOWN, DAY_UNKNOWN, FEB_30_COORDINATION, BORN_2008,
                  BORN_1960_01_20, BORN_1955_03_07, BAD_CHECKSUM, FEB_30))
)


def assert_no_identity_number(error: BaseException) -> None:
    text = f"{error} {error!r} {getattr(error, 'params', {})!r}"
    leaked = [s for s in SECRETS if s in text]
    assert not leaked, f"identity number in {type(error).__name__}: {text}"


def test_derived_numbers_fail_for_the_intended_reason() -> None:
    assert PNR[-1] == luhn(PNR[2:11]), "the Luhn helper disagrees with a Skatteverket test number"
    assert BAD_CHECKSUM[-1] != luhn(BAD_CHECKSUM[2:11])
    assert FEB_30[4:8] == "0230" and FEB_30[-1] == luhn(FEB_30[2:11])


# -- fixtures and helpers ---------------------------------------------------------------------


@pytest.fixture
def app() -> Ledger:
    """A fresh ledger in memory (overrides the two-backend ``app`` fixture)."""
    return memory_ledger("tester")


def pin_today(app: Ledger, day: str) -> None:
    """The ledger's today, as a training store's ``LEDGER_TODAY`` would pin it."""
    app.clock = PinnedClock(day=date.fromisoformat(day))


@pytest.fixture
def providers(app: Ledger) -> None:
    """Two providers: a protected housing (SKYDD1) and a defector coach (COACH1)."""
    app.add_provider("SKYDD1", name="Skyddat boende Ett", on="2026-01-01")
    app.add_provider("COACH1", name="Avhopparcoach Ett", on="2026-01-01")


def open_case(app: Ledger, identity: str = PNR, **kwargs: Any) -> str:
    values = {"gender": "man", "environment": "criminal", "source": "police", "on": OPENED, **kwargs}
    return app.open_case(identity, **values)


@pytest.fixture
def case(app: Ledger) -> str:
    return open_case(app)


@pytest.fixture
def placed(app: Ledger, providers: None, case: str) -> str:
    """The case with a granted HVB decision D1 (from opening, open-ended) and placement P1."""
    app.record_decision(case, outcome="granted", intervention="hvb", period_start=OPENED, on=OPENED)
    app.start_placement(case, provider="SKYDD1", intervention="hvb", daily_price="2 200", on="2026-02-02")
    return case


@contextmanager
def refused(app: Ledger, error: type[LedgerError]) -> Iterator[pytest.ExceptionInfo[LedgerError]]:
    """The block raises exactly ``error``, stores nothing and leaks no identity number."""
    before = app.recorder.max_notification_id()
    with pytest.raises(error) as info:
        yield info
    assert type(info.value) is error, f"expected {error.__name__}, got {type(info.value).__name__}"
    assert app.recorder.max_notification_id() == before, "a refused command stored something"
    assert_no_identity_number(info.value)


def stored_events(app: Ledger) -> list[ev.Event]:
    """Every stored event, in order, decoded through the application's mapper."""
    return [app.mapper.to_domain_event(n) for n in app.recorder.select_notifications(1, 100_000)]


def registered_people(app: Ledger) -> list[ev.PersonRegistered]:
    return [e for e in stored_events(app) if isinstance(e, ev.PersonRegistered)]


# -- identity numbers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        (BAD_CHECKSUM, "checksum_or_date"),
        (BAD_CHECKSUM[2:8] + "-" + BAD_CHECKSUM[8:], "checksum_or_date"),
        (FEB_30, "checksum_or_date"),
        (FEB_30[:8] + "-" + FEB_30[8:], "checksum_or_date"),
        (OTHER[:8] + "-AB" + OTHER[-2:], "format"),
        (OTHER[:-1], "format"),  # 11 digits
        (OTHER + "0", "format"),  # 13 digits
        (OTHER[:8] + "--" + OTHER[8:], "format"),
        (OTHER[:8] + "/" + OTHER[8:], "format"),
        ("", "format"),
    ],
    ids=["check-digit", "check-digit-10", "feb-30", "feb-30-dash", "letters", "11-digits", "13-digits",
         "double-dash", "slash", "empty"],
)
def test_invalid_identity_number_is_refused(app: Ledger, given: str, reason: str) -> None:
    with refused(app, InvalidIdentityNumber) as err:
        open_case(app, given)
    assert err.value.params == {"reason": reason}


def test_birth_date_after_today_is_refused(app: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    """Born in 2008, but 'today' is 1 January 2000 (the ledger's clock, not the system's)."""
    pin_today(app, "2000-01-01")
    with refused(app, InvalidIdentityNumber) as err:
        open_case(app, BORN_2008, on="1999-12-01")
    assert err.value.params == {"reason": "future_birth_date"}


@pytest.mark.parametrize("form", ["12", "12-dash", "10-dash", "10", "spaces"])
def test_every_written_form_is_stored_as_twelve_digits(app: Ledger, form: str) -> None:
    given = {
        "12": OTHER,
        "12-dash": f"{OTHER[:8]}-{OTHER[8:]}",
        "10-dash": f"{OTHER[2:8]}-{OTHER[8:]}",
        "10": OTHER[2:],
        "spaces": f" {OTHER[:8]} {OTHER[8:]} ",
    }[form]
    open_case(app, given)
    [person] = registered_people(app)
    assert person.identity_number == OTHER
    assert person.identity_kind == "personnummer"
    assert person.birth_year == int(OTHER[:4])


def test_samordningsnummer_is_accepted_and_typed(app: Ledger) -> None:
    assert int(SAMORDNING[6:8]) > 60
    number = open_case(app, SAMORDNING[2:8] + "-" + SAMORDNING[8:])
    [person] = registered_people(app)
    assert person.identity_number == SAMORDNING
    assert person.identity_kind == "samordningsnummer"
    assert person.birth_year == int(SAMORDNING[:4])
    assert app.get_case(number).birth_year == int(SAMORDNING[:4])


@pytest.mark.parametrize("number", [MONTH_UNKNOWN, DAY_UNKNOWN, FEB_30_COORDINATION])
def test_samordningsnummer_with_incomplete_birth_date_is_accepted(app: Ledger, number: str) -> None:
    """Skatteverket issues samordningsnummer with month 00 or day 60 when the date is not known."""
    open_case(app, number[2:8] + "-" + number[8:])
    [person] = registered_people(app)
    assert (person.identity_number, person.identity_kind) == (number, "samordningsnummer")


def test_coordination_number_with_a_broken_check_digit_is_refused(app: Ledger) -> None:
    with refused(app, InvalidIdentityNumber) as err:
        open_case(app, broken_check_digit(MONTH_UNKNOWN))
    assert err.value.params == {"reason": "checksum_or_date"}


def test_birth_year_comes_from_an_incomplete_samordningsnummer(app: Ledger) -> None:
    number = open_case(app, MONTH_UNKNOWN)
    assert app.get_case(number).birth_year == int(MONTH_UNKNOWN[:4])


def test_samordningsnummer_refused_when_personnummer_is_demanded(app: Ledger) -> None:
    with refused(app, InvalidIdentityNumber) as err:
        open_case(app, SAMORDNING, identity_kind="personnummer")
    assert err.value.params == {"reason": "kind_mismatch"}


@pytest.mark.parametrize(
    ("today", "given", "stored"),
    [
        # '+' marks someone aged 100 or more: the century before the one '-' would give.
        ("2070-06-15", f"{BORN_1960_01_20[2:8]}+{BORN_1960_01_20[8:]}", BORN_1960_01_20),
        # 99 years old the day before the 100th birthday: '-' still means the earlier century.
        ("2055-03-06", f"{BORN_1955_03_07[2:8]}-{BORN_1955_03_07[8:]}", BORN_1955_03_07),
        # ... and on the 100th birthday the number is written with '+'.
        ("2055-03-07", f"{BORN_1955_03_07[2:8]}+{BORN_1955_03_07[8:]}", BORN_1955_03_07),
        # Under 100 on the pinned today: '-' and no separator mean the same.
        ("2026-11-23", BORN_2008[2:], BORN_2008),
    ],
    ids=["plus-110-years", "dash-day-before-100", "plus-on-100th-birthday", "no-separator"],
)
def test_ten_digit_century_follows_the_ledger_today(
    app: Ledger, monkeypatch: pytest.MonkeyPatch, today: str, given: str, stored: str
) -> None:
    pin_today(app, today)
    open_case(app, given)
    [person] = registered_people(app)
    assert person.identity_number == stored


@pytest.mark.parametrize("kind", ["reserve", "Reserve", " RESERVE "])
def test_reserve_number_is_kept_as_given(app: Ledger, kind: str) -> None:
    number = open_case(app, "res-0042-x", identity_kind=kind, birth_year=1990)
    [person] = registered_people(app)
    assert (person.identity_number, person.identity_kind, person.birth_year) == ("RES-0042-X", "reserve", 1990)
    assert app.get_case(number).birth_year == 1990


@pytest.mark.parametrize("given", ["ab", "-RES42", "RES 42?", "R" * 25])
def test_malformed_reserve_number_is_refused(app: Ledger, given: str) -> None:
    with refused(app, InvalidIdentityNumber) as err:
        open_case(app, given, identity_kind="reserve")
    assert err.value.params == {"reason": "reserve_format"}


def test_reserve_number_without_reserve_kind_is_refused(app: Ledger) -> None:
    with refused(app, InvalidIdentityNumber) as err:
        open_case(app, "RES-0042")
    assert err.value.params == {"reason": "format"}
    with refused(app, InvalidIdentityNumber) as err:
        open_case(app, "RES-0042", identity_kind="temporary")
    assert err.value.params == {"reason": "kind"}


# -- amounts -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "given",
    ["89 550,00", "89550.00", "89550", "89\u00a0550,00", "89.550,00", "89,550.00", "89 550 kr", Decimal("89550")],
)
def test_amount_forms_accepted(app: Ledger, placed: str, given: str | Decimal) -> None:
    # 41 days at 2 200 kr: 90 200 kr, so the amount is within the price (tests/unit/test_invoices.py)
    payment = app.record_payment(placed, given, period_start="2026-02-02", period_end="2026-03-14", placement="P1")
    stored = app.get_case(placed).payments[payment].amount
    assert stored == Decimal("89550.00")
    assert stored.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        ("12,345", "format"),  # decimals or grouping? refused rather than guessed
        ("1.234", "format"),
        ("100,005", "format"),
        ("100.005", "format"),
        ("1e3", "format"),
        ("ett tusen", "format"),
        ("", "format"),
        ("-100", "negative"),
        ("-0,50", "negative"),
        ("0", "not_positive"),
        ("0,00", "not_positive"),
        (0, "not_positive"),
        (1500.0, "type"),
        (None, "type"),
    ],
)
def test_amount_refused(app: Ledger, placed: str, given: Any, reason: str) -> None:
    with refused(app, InvalidAmount) as err:
        app.record_payment(placed, given, period_start="2026-02-02", period_end="2026-02-28", placement="P1")
    assert err.value.params == {"reason": reason}


@pytest.mark.usefixtures("providers")
def test_daily_price_is_an_amount_too(app: Ledger, case: str) -> None:
    with refused(app, InvalidAmount) as err:
        app.start_placement(case, provider="SKYDD1", intervention="hvb", daily_price="2,345", urgent=True)
    assert err.value.params == {"reason": "format"}


# -- dates -------------------------------------------------------------------------------------


def test_date_in_the_future_is_refused(app: Ledger, case: str) -> None:
    with refused(app, FutureDate) as err:
        app.record_contact(case, "phone", on="2026-11-24")
    assert err.value.params == {"field": "date", "date": "2026-11-24"}


def test_today_and_late_entries_are_accepted(app: Ledger, case: str) -> None:
    app.record_contact(case, "phone", on="2026-11-23")
    app.record_contact(case, "meeting", on=OPENED)
    assert app.get_case(case).contacts == 2


def test_opening_a_case_in_the_future_is_refused(app: Ledger) -> None:
    with refused(app, FutureDate):
        open_case(app, on="2027-01-01")


def test_date_before_the_case_opened_is_refused(app: Ledger, case: str) -> None:
    with refused(app, DateOutOfOrder) as err:
        app.record_contact(case, "phone", on="2026-01-31")
    assert err.value.params == {
        "first": "opened_on", "first_date": OPENED, "second": "date", "second_date": "2026-01-31",
    }


@pytest.mark.parametrize("given", ["2026-02-30", "1 feb 2026", "2026/02/01", ""])
def test_malformed_date_is_refused(app: Ledger, case: str, given: str) -> None:
    with refused(app, InvalidDate) as err:
        app.record_contact(case, "phone", on=given)
    assert err.value.params["field"] == "date"


def test_placement_cannot_end_before_it_started(app: Ledger, placed: str) -> None:
    with refused(app, DateOutOfOrder) as err:
        app.end_placement(placed, "P1", on="2026-02-01")
    assert (err.value.params["first"], err.value.params["second"]) == ("started_on", "date")


def test_placement_planned_end_before_start_is_refused(app: Ledger, placed: str) -> None:
    with refused(app, DateOutOfOrder) as err:
        app.start_placement(placed, provider="SKYDD1", intervention="hvb", daily_price="2 200",
                            planned_end="2026-03-01", on="2026-03-02")
    assert (err.value.params["first"], err.value.params["second"]) == ("date", "planned_end")


def test_ended_placement_cannot_end_again(app: Ledger, placed: str) -> None:
    app.end_placement(placed, "P1", on="2026-03-01")
    with refused(app, PlacementNotRunning) as err:
        app.end_placement(placed, "P1", on="2026-03-02")
    assert err.value.params == {"ref": "P1", "ended_on": "2026-03-01"}


def test_payment_period_end_before_start_is_refused(app: Ledger, placed: str) -> None:
    with refused(app, DateOutOfOrder) as err:
        app.record_payment(placed, "1000", period_start="2026-02-28", period_end="2026-02-02", placement="P1")
    assert (err.value.params["first"], err.value.params["second"]) == ("period_start", "period_end")


# -- placements need a decision ------------------------------------------------------------------


def _place(app: Ledger, case: str, on: str = "2026-03-01", **kwargs: Any) -> str:
    values = {"provider": "SKYDD1", "intervention": "hvb", "daily_price": "2 200", "on": on, **kwargs}
    return app.start_placement(case, **values)


@pytest.mark.usefixtures("providers")
def test_placement_with_a_covering_decision_is_linked_to_it(app: Ledger, case: str) -> None:
    app.record_decision(case, outcome="granted", intervention="hvb", period_start="2026-03-01",
                        period_end="2026-08-31", on="2026-02-20")
    placement = _place(app, case)
    state = app.get_case(case).placements[placement]
    assert (placement, state.decision_id, state.urgent) == ("P1", "D1", False)


@pytest.mark.usefixtures("providers")
def test_placement_without_any_decision_is_refused(app: Ledger, case: str) -> None:
    with refused(app, DecisionMissing) as err:
        _place(app, case)
    assert err.value.params == {"case": case, "intervention": "hvb", "date": "2026-03-01"}


@pytest.mark.usefixtures("providers")
@pytest.mark.parametrize(
    ("decision", "why"),
    [
        ({"outcome": "denied", "intervention": "hvb", "period_start": "2026-02-01"}, "denied"),
        ({"outcome": "granted", "intervention": "protected_housing", "period_start": "2026-02-01"},
         "other intervention"),
        ({"outcome": "granted", "intervention": "hvb", "period_start": "2026-03-02"}, "starts the day after"),
        ({"outcome": "granted", "intervention": "hvb", "period_start": "2026-02-01", "period_end": "2026-02-28"},
         "ended the day before"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_decision_that_does_not_cover_the_placement_does_not_count(
    app: Ledger, case: str, decision: dict[str, str], why: str
) -> None:
    app.record_decision(case, on="2026-02-01", **decision,
                        motivation="Beviljas inte" if decision["outcome"] == "denied" else None)
    with refused(app, DecisionMissing):
        _place(app, case)
    with refused(app, DecisionMissing):  # not even when named explicitly
        _place(app, case, decision="D1")


@pytest.mark.usefixtures("providers")
@pytest.mark.parametrize("status", ["revoked", "replaced"])
def test_decision_no_longer_in_force_does_not_count(app: Ledger, case: str, status: str) -> None:
    app.record_decision(case, outcome="granted", intervention="hvb", period_start=OPENED, on=OPENED)
    app.change_decision_status(case, "D1", status, on="2026-02-15")
    with refused(app, DecisionMissing):
        _place(app, case)


@pytest.mark.usefixtures("providers")
def test_appealed_decision_still_counts(app: Ledger, case: str) -> None:
    app.record_decision(case, outcome="granted", intervention="hvb", period_start=OPENED, on=OPENED)
    app.change_decision_status(case, "D1", "appealed", on="2026-02-15")
    placement = _place(app, case)
    assert app.get_case(case).placements[placement].decision_id == "D1"


@pytest.mark.usefixtures("providers")
def test_unknown_decision_named_is_not_found(app: Ledger, case: str) -> None:
    with refused(app, NotFound) as err:
        _place(app, case, decision="D9")
    assert err.value.params == {"kind": "decision", "ref": "D9", "case": case}


@pytest.mark.usefixtures("providers")
def test_urgent_placement_needs_no_decision_and_is_marked(app: Ledger, case: str) -> None:
    placement = _place(app, case, urgent=True)
    state = app.get_case(case).placements[placement]
    assert (state.urgent, state.decision_id) == (True, None)


@pytest.mark.usefixtures("providers")
def test_urgent_placement_is_covered_by_a_later_decision(app: Ledger, case: str) -> None:
    _place(app, case, urgent=True)
    app.record_decision(case, outcome="denied", intervention="hvb", period_start="2026-03-01", on="2026-03-03",
                        motivation="Behovet kan tillgodoses på annat sätt")
    assert app.get_case(case).placements["P1"].decision_id is None
    app.record_decision(case, outcome="granted", intervention="hvb", period_start="2026-03-01", on="2026-03-05")
    state = app.get_case(case).placements["P1"]
    assert (state.urgent, state.decision_id) == (True, "D2")


@pytest.mark.usefixtures("providers")
def test_urgent_flag_with_a_covering_decision_is_not_urgent(app: Ledger, case: str) -> None:
    app.record_decision(case, outcome="granted", intervention="hvb", period_start=OPENED, on=OPENED)
    placement = _place(app, case, urgent=True)
    state = app.get_case(case).placements[placement]
    assert (state.urgent, state.decision_id) == (False, "D1")


@pytest.mark.usefixtures("providers")
def test_service_needs_a_decision_too(app: Ledger, case: str) -> None:
    with refused(app, DecisionMissing) as err:
        app.start_service(case, provider="COACH1", intervention="defector_coach", on="2026-03-01")
    assert err.value.params["intervention"] == "defector_coach"
    service = app.start_service(case, provider="COACH1", intervention="defector_coach", urgent=True, on="2026-03-01")
    assert app.get_case(case).services[service].urgent is True


# -- payments and reversals ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ref", "kind"), [({"placement": "P9"}, "placement"), ({"service": "S1"}, "service"),
                      ({"provider": "NOSUCH"}, "provider")]
)
def test_payment_for_something_unknown_is_not_found(app: Ledger, placed: str, ref: dict[str, str], kind: str) -> None:
    with refused(app, NotFound) as err:
        app.record_payment(placed, "1000", period_start="2026-02-02", period_end="2026-02-28", **ref)
    assert err.value.params["kind"] == kind


def test_payment_to_another_provider_than_the_placement_is_refused(app: Ledger, placed: str) -> None:
    with refused(app, RuleViolation) as err:
        app.record_payment(placed, "1000", period_start="2026-02-02", period_end="2026-02-28",
                           placement="P1", provider="COACH1")
    assert err.value.params == {"rule": "provider_mismatch", "ref": "P1", "provider": "COACH1"}


def test_payment_needs_a_provider(app: Ledger, case: str) -> None:
    with refused(app, InputError) as err:
        app.record_payment(case, "1000", period_start="2026-02-02", period_end="2026-02-28")
    assert err.value.params == {"field": "provider", "reason": "required"}


def test_partial_reversals_accumulate_and_never_exceed_the_payment(app: Ledger, placed: str) -> None:
    paid = app.record_payment(placed, "1 000,00", period_start="2026-02-02", period_end="2026-02-28", placement="P1",
                              on="2026-02-28")
    assert app.reverse_payment(placed, paid, amount="300", on="2026-03-01") == "R1"
    assert app.reverse_payment(placed, paid, amount="300,50", on="2026-03-02") == "R2"
    with refused(app, ReversalExceedsPayment) as err:
        app.reverse_payment(placed, paid, amount="399,51", on="2026-03-03")
    assert err.value.params == {"payment": "B1", "amount": "399.51", "left": "399.50"}
    assert app.reverse_payment(placed, paid.lower(), on="2026-03-03") == "R3"  # the rest
    state = app.get_case(placed)
    assert (state.payments[paid].reversed, state.paid_total, state.reversal_count) == (Decimal("1000"), 0, 3)
    with refused(app, RuleViolation) as err:
        app.reverse_payment(placed, paid, on="2026-03-04")
    assert err.value.params == {"rule": "already_reversed", "ref": "B1"}
    with refused(app, ReversalExceedsPayment):
        app.reverse_payment(placed, paid, amount="0,01", on="2026-03-04")


def test_reversal_larger_than_the_payment_is_refused(app: Ledger, placed: str) -> None:
    paid = app.record_payment(placed, "500", period_start="2026-02-02", period_end="2026-02-28", placement="P1")
    with refused(app, ReversalExceedsPayment) as err:
        app.reverse_payment(placed, paid, amount="500,01")
    assert err.value.params["left"] == "500.00"


def test_reversal_of_an_unknown_payment_is_not_found(app: Ledger, placed: str) -> None:
    with refused(app, NotFound) as err:
        app.reverse_payment(placed, "B7", amount="1")
    assert err.value.params == {"kind": "payment", "ref": "B7", "case": placed}


def test_reversal_before_the_payment_is_refused(app: Ledger, placed: str) -> None:
    paid = app.record_payment(placed, "500", period_start="2026-02-02", period_end="2026-02-28", placement="P1",
                              on="2026-03-10")
    with refused(app, DateOutOfOrder) as err:
        app.reverse_payment(placed, paid, amount="1", on="2026-03-09")
    assert err.value.params["first"] == "paid_on"


# -- consent and sharing -------------------------------------------------------------------------


def test_revoking_consent_never_granted_is_refused(app: Ledger, case: str) -> None:
    with refused(app, ConsentNotActive) as err:
        app.revoke_consent(case, "police", on="2026-03-01")
    assert err.value.params == {"case": case, "recipient": "police", "date": "2026-03-01", "next": "revoke"}


def test_revoking_consent_twice_is_refused(app: Ledger, case: str) -> None:
    app.grant_consent(case, "police", purpose="samverkan", on="2026-02-05")
    app.revoke_consent(case, "police", on="2026-03-01")
    assert app.get_case(case).consents["police"][-1].revoked_on.isoformat() == "2026-03-01"
    with refused(app, ConsentNotActive):
        app.revoke_consent(case, "police", on="2026-03-02")


def test_revoking_before_the_grant_is_refused(app: Ledger, case: str) -> None:
    app.grant_consent(case, "police", purpose="samverkan", on="2026-02-05")
    with refused(app, ConsentNotActive):
        app.revoke_consent(case, "police", on="2026-02-04")


@pytest.mark.usefixtures("providers")
def test_consent_for_one_provider_is_not_consent_for_another(app: Ledger, case: str) -> None:
    app.grant_consent(case, "provider", provider="skydd1", purpose="placering", on="2026-02-05")
    with refused(app, ConsentNotActive) as err:
        app.revoke_consent(case, "provider", provider="COACH1", on="2026-03-01")
    assert err.value.params["recipient"] == "provider:COACH1"
    app.revoke_consent(case, "provider", provider="skydd1", on="2026-03-01")


def test_sharing_needs_active_consent(app: Ledger, case: str) -> None:
    with refused(app, ConsentNotActive):
        app.record_share(case, "police", what="hotbild", on="2026-02-10")
    app.grant_consent(case, "police", purpose="samverkan", on="2026-02-10")
    app.record_share(case, "police", what="hotbild", on="2026-02-10")
    app.revoke_consent(case, "police", on="2026-03-01")
    with refused(app, ConsentNotActive):
        app.record_share(case, "police", what="hotbild", on="2026-03-01")
    assert app.get_case(case).shares == 1


def test_sharing_after_consent_expired_is_refused(app: Ledger, case: str) -> None:
    app.grant_consent(case, "sis", purpose="x", valid_until="2026-03-31", on="2026-02-10")
    app.record_share(case, "sis", what="plan", on="2026-03-31")
    with refused(app, ConsentNotActive):
        app.record_share(case, "sis", what="plan", on="2026-04-01")


def test_sharing_with_a_legal_basis_needs_no_consent(app: Ledger, case: str) -> None:
    app.record_share(case, "police", what="orosanmälan", legal_basis="SoL 14 kap. 1 §", on="2026-02-10")
    assert app.get_case(case).shares == 1


def test_consent_valid_until_before_grant_is_refused(app: Ledger, case: str) -> None:
    with refused(app, DateOutOfOrder):
        app.grant_consent(case, "police", purpose="x", valid_until="2026-02-09", on="2026-02-10")


# -- closing and reopening -----------------------------------------------------------------------

CLOSED_ON = "2026-06-01"
AFTER = "2026-06-02"

#: (A payment for a period that ended by the closure is allowed: tests/unit/test_invoices.py.)
REFUSED_WHEN_CLOSED: dict[str, Callable[[Ledger, str], Any]] = {
    "contact": lambda a, c: a.record_contact(c, "phone", on=AFTER),
    "consent": lambda a, c: a.grant_consent(c, "police", purpose="x", on=AFTER),
    "assessment": lambda a, c: a.record_assessment(c, "investigate", "needs_support", on=AFTER),
    "investigation": lambda a, c: a.open_investigation(c, on=AFTER),
    "threat": lambda a, c: a.record_threat(c, unit="noa", level="high", protection_needed=True,
                                           criteria_met=True, on=AFTER),
    "decision": lambda a, c: a.record_decision(c, outcome="granted", intervention="hvb", on=AFTER),
    "placement": lambda a, c: a.start_placement(c, provider="SKYDD1", intervention="hvb", daily_price="1",
                                                urgent=True, on=AFTER),
    "service": lambda a, c: a.start_service(c, provider="COACH1", intervention="outreach", urgent=True, on=AFTER),
    "grant": lambda a, c: a.apply_grant(c, reference="G1", amount="1", period_start=OPENED, period_end=OPENED,
                                        on=AFTER),
    "share": lambda a, c: a.record_share(c, "police", what="x", legal_basis="lag", on=AFTER),
    "relative": lambda a, c: a.record_relative(c, "parent", on=AFTER),
    "child": lambda a, c: a.record_child(c, birth_year=2015, on=AFTER),
    "close": lambda a, c: a.close_case(c, "goals_met", on=AFTER),
}


@pytest.mark.usefixtures("providers")
@pytest.mark.parametrize("action", sorted(REFUSED_WHEN_CLOSED))
def test_closed_case_refuses_everything_but_follow_up_and_reopen(app: Ledger, case: str, action: str) -> None:
    app.close_case(case, "goals_met", on=CLOSED_ON)
    with refused(app, CaseClosedError) as err:
        REFUSED_WHEN_CLOSED[action](app, case)
    assert err.value.params == {"case": case, "action": action}


def test_closed_case_takes_follow_up_and_reopen(app: Ledger, case: str) -> None:
    app.close_case(case, "goals_met", on=CLOSED_ON)
    app.record_followup(case, time_point="12_months", housing="own", occupation="work", on=AFTER)
    app.reopen_case(case, on=AFTER)
    app.record_contact(case, "phone", on=AFTER)
    state = app.get_case(case)
    assert (state.status, state.closed_on, state.followups, state.contacts) == ("open", None, 1, 1)


def test_reopening_an_open_case_is_refused(app: Ledger, case: str) -> None:
    with refused(app, CaseNotClosed) as err:
        app.reopen_case(case, on=AFTER)
    assert err.value.params == {"case": case}


def test_reopening_before_the_closure_is_refused(app: Ledger, case: str) -> None:
    app.close_case(case, "goals_met", on=CLOSED_ON)
    with refused(app, DateOutOfOrder) as err:
        app.reopen_case(case, on="2026-05-31")
    assert err.value.params["first"] == "closed_on"


def test_closing_with_a_running_placement_is_refused(app: Ledger, placed: str) -> None:
    app.start_service(placed, provider="COACH1", intervention="outreach", urgent=True, on="2026-02-03")
    with refused(app, RuleViolation) as err:
        app.close_case(placed, "goals_met", on=CLOSED_ON)
    assert err.value.params == {"rule": "running_interventions", "refs": "P1, S1"}
    app.end_placement(placed, "P1", on="2026-05-30")
    app.end_service(placed, "S1", on="2026-05-30")
    app.close_case(placed, "goals_met", on=CLOSED_ON)
    assert app.get_case(placed).is_closed


# -- not found, already exists, choices ------------------------------------------------------------


@pytest.mark.parametrize("number", ["AVH-2026-0099", "AVH-2025-0001", "avh-2026-0099", "nonsense"])
def test_unknown_case_is_not_found(app: Ledger, case: str, number: str) -> None:
    with refused(app, NotFound) as err:
        app.record_contact(number, "phone")
    assert err.value.params["kind"] == "case"
    with refused(app, NotFound):
        app.get_case(number)


def test_identity_number_given_as_case_number_is_not_echoed(app: Ledger) -> None:
    with refused(app, NotFound):
        app.get_case(PNR)


def test_unknown_provider_is_not_found(app: Ledger, case: str) -> None:
    with refused(app, NotFound) as err:
        app.start_placement(case, provider="NOSUCH", intervention="hvb", daily_price="1", urgent=True)
    assert err.value.params == {"kind": "provider", "ref": "NOSUCH"}
    with refused(app, NotFound):
        app.grant_consent(case, "provider", provider="NOSUCH", purpose="x")
    with refused(app, NotFound):
        app.verify_permit("NOSUCH", reference="IVO-1")


@pytest.mark.usefixtures("providers")
@pytest.mark.parametrize("code", ["SKYDD1", "skydd1", "Skydd1"])
def test_duplicate_provider_is_refused(app: Ledger, code: str) -> None:
    with refused(app, AlreadyExists) as err:
        app.add_provider(code, name="Dubblett")
    assert err.value.params == {"kind": "provider", "ref": "SKYDD1"}


@pytest.mark.parametrize(
    ("field", "command"),
    [
        ("gender", lambda a, c: open_case(a, OTHER, gender="female")),
        ("environment", lambda a, c: open_case(a, OTHER, environment="gang")),
        ("source", lambda a, c: open_case(a, OTHER, source="tip")),
        ("protection", lambda a, c: open_case(a, OTHER, protection="secret")),
        ("channel", lambda a, c: a.record_contact(c, "fax")),
        ("recipient", lambda a, c: a.grant_consent(c, "press", purpose="x")),
        ("intervention", lambda a, c: a.start_placement(c, provider="SKYDD1", intervention="spa", daily_price="1")),
        ("outcome", lambda a, c: a.record_decision(c, outcome="maybe", intervention="hvb")),
        ("status", lambda a, c: a.change_decision_status(c, "D1", "paused")),
        ("reason", lambda a, c: a.close_case(c, "bored")),
        ("housing", lambda a, c: a.record_followup(c, time_point="closure", housing="castle", occupation="work")),
        ("relation", lambda a, c: a.record_relative(c, "neighbour")),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_invalid_choice_names_the_field(app: Ledger, case: str, field: str, command: Callable[..., Any]) -> None:
    with refused(app, InvalidChoice) as err:
        command(app, case)
    assert err.value.params["field"] == field
    assert err.value.params["allowed"]


def test_choices_are_case_and_dash_insensitive(app: Ledger, case: str) -> None:
    app.record_assessment(case, "No-Investigation", "NOT_MOTIVATED", on="2026-02-02")
    assert app.get_case(case).assessment == "no_investigation"


# -- investigation and state grant ---------------------------------------------------------------


def test_completing_an_investigation_never_opened_is_refused(app: Ledger, case: str) -> None:
    with refused(app, InvestigationState) as err:
        app.complete_investigation(case)
    assert err.value.params == {"case": case, "state": "none"}


def test_investigation_opens_once_and_completes_once(app: Ledger, case: str) -> None:
    app.open_investigation(case, on="2026-02-02")
    with refused(app, InvestigationState):
        app.open_investigation(case, on="2026-02-03")
    app.complete_investigation(case, on="2026-03-01")
    with refused(app, InvestigationState) as err:
        app.complete_investigation(case, on="2026-03-02")
    assert err.value.params["state"] == "completed"


def test_grant_decided_above_the_application_is_refused(app: Ledger, case: str) -> None:
    app.apply_grant(case, reference="NOA-1", amount="100 000", period_start="2026-01-01", period_end="2026-12-31")
    with refused(app, RuleViolation) as err:
        app.decide_grant(case, reference="NOA-1", outcome="granted", amount="100 000,01")
    assert err.value.params == {"rule": "grant_exceeds_application", "amount": "100000.01", "applied": "100000.00"}
    app.decide_grant(case, reference="NOA-1", outcome="partly_granted", amount="100 000")
    assert app.get_case(case).grants["NOA-1"].amount_granted == Decimal("100000")


def test_grant_applied_twice_or_decided_unknown_is_refused(app: Ledger, case: str) -> None:
    app.apply_grant(case, reference="NOA-1", amount="10", period_start="2026-01-01", period_end="2026-12-31")
    with refused(app, AlreadyExists):
        app.apply_grant(case, reference="NOA-1", amount="10", period_start="2026-01-01", period_end="2026-12-31")
    with refused(app, NotFound) as err:
        app.decide_grant(case, reference="NOA-2", outcome="denied")
    assert err.value.params["kind"] == "grant"


# -- case numbers and people ---------------------------------------------------------------------


def test_case_numbers_are_sequential_within_the_year(app: Ledger) -> None:
    numbers = [open_case(app, pnr) for pnr in TEST_PNR[10:13]]
    assert numbers == ["AVH-2026-0001", "AVH-2026-0002", "AVH-2026-0003"]


def test_same_person_gets_a_new_case_but_keeps_the_person(app: Ledger) -> None:
    first = open_case(app, PNR)
    with refused(app, RuleViolation):  # one open case per person, whatever form the number is written in
        open_case(app, f"{PNR[2:8]}-{PNR[8:]}", on="2026-09-01")
    app.close_case(first, "goals_met", on="2026-08-31")
    second = open_case(app, f"{PNR[2:8]}-{PNR[8:]}", on="2026-09-01")
    other = open_case(app, OTHER)
    assert (first, second, other) == ("AVH-2026-0001", "AVH-2026-0002", "AVH-2026-0003")
    a, b, c = (app.get_case(n) for n in (first, second, other))
    assert a.person_id == b.person_id != c.person_id
    assert len(registered_people(app)) == 2


def test_refused_open_uses_no_case_number(app: Ledger) -> None:
    with refused(app, InvalidIdentityNumber):
        open_case(app, BAD_CHECKSUM)
    with refused(app, FutureDate):
        open_case(app, on="2026-12-01")
    assert open_case(app) == "AVH-2026-0001"


def test_stored_events_never_hold_the_identity_number_outside_the_person(app: Ledger, placed: str) -> None:
    raw = [n.state for n in app.recorder.select_notifications(1, 1000) if not n.topic.endswith("PersonRegistered")]
    assert raw and not [s for s in SECRETS if any(s.encode() in r for r in raw)]
