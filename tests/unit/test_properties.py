"""Laws, checked with hypothesis: identity numbers and amounts parse exactly the valid forms, events
survive the mapper, and folding a case's events one at a time, all at once or from a snapshot gives
the same state."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from ledger.adapters.mapper import PydanticMapper
from ledger.domain import events as ev
from ledger.domain.aggregates import case_id, case_id_hex
from ledger.domain.case import CaseState
from ledger.domain.case_fold import project_case
from ledger.domain.errors import InvalidAmount, InvalidIdentityNumber, LedgerError
from ledger.domain.identity import IdentityKind, parse_identity
from ledger.domain.money import format_amount, parse_amount
from ledger.domain.vocab import (
    Answer,
    ConsentForm,
    ContactChannel,
    DecisionOutcome,
    FollowUpPoint,
    Gender,
    Housing,
    Intervention,
    Occupation,
    ProtectionLevel,
    Recipient,
)
from tests.conftest import TEST_PNR, TEST_SAMORDNING, TODAY

DAY = date.fromisoformat(TODAY)

# -- identity numbers --------------------------------------------------------------------------

#: Half personnummer, half samordningsnummer (there are five times fewer of the latter).
numbers = st.one_of(
    st.sampled_from([(n, IdentityKind.PERSONNUMMER) for n in TEST_PNR]),
    st.sampled_from([(n, IdentityKind.SAMORDNINGSNUMMER) for n in TEST_SAMORDNING]),
)


def test_sample_is_under_100_years_old() -> None:
    """The ten-digit-with-dash forms below rely on it."""
    assert min(n[:4] for n in TEST_PNR + TEST_SAMORDNING) > str(int(TODAY[:4]) - 100)


def _accepted_in_every_form(number: str, kind: IdentityKind) -> None:
    for written in (number, f"{number[:8]}-{number[8:]}", f"{number[2:8]}-{number[8:]}", number[2:]):
        identity = parse_identity(written, today=DAY)
        assert (identity.number, identity.kind) == (number, kind), written
        if identity.birth_date is not None:
            assert identity.birth_date.year == int(number[:4])


@given(numbers)
def test_test_numbers_are_accepted_in_every_form(number_and_kind: tuple[str, IdentityKind]) -> None:
    _accepted_in_every_form(*number_and_kind)


def test_every_number_in_the_sample_is_accepted() -> None:
    """All of them, not a sample: about one samordningsnummer in eight has an incomplete birth date."""
    for number in TEST_PNR:
        _accepted_in_every_form(number, IdentityKind.PERSONNUMMER)
    for number in TEST_SAMORDNING:
        _accepted_in_every_form(number, IdentityKind.SAMORDNINGSNUMMER)


@given(numbers, st.integers(2, 11), st.integers(1, 9))
def test_changing_any_checked_digit_is_refused(
    number_and_kind: tuple[str, IdentityKind], position: int, shift: int
) -> None:
    """Luhn maps each digit bijectively at either weight, so every single-digit change in
    YYMMDDNNNC breaks the checksum: never a different valid number, and never for another reason."""
    number = number_and_kind[0]
    changed = number[:position] + str((int(number[position]) + shift) % 10) + number[position + 1 :]
    with pytest.raises(InvalidIdentityNumber) as err:
        parse_identity(changed, today=DAY)
    assert err.value.params == {"reason": "checksum_or_date"}


@given(numbers, st.integers(2, 9))
def test_swapping_adjacent_digits_is_refused_unless_they_are_0_and_9(
    number_and_kind: tuple[str, IdentityKind], position: int
) -> None:
    """Luhn also catches every adjacent transposition in YYMMDDNNN except 09 <-> 90."""
    number = number_and_kind[0]
    a, b = number[position], number[position + 1]
    assume(a != b and {a, b} != {"0", "9"})
    swapped = number[:position] + b + a + number[position + 2 :]
    with pytest.raises(InvalidIdentityNumber) as err:
        parse_identity(swapped, today=DAY)
    assert err.value.params == {"reason": "checksum_or_date"}


@given(numbers)
def test_changing_the_check_digit_is_always_refused(number_and_kind: tuple[str, IdentityKind]) -> None:
    number = number_and_kind[0]
    for digit in "0123456789":
        if digit != number[-1]:
            with pytest.raises(InvalidIdentityNumber):
                parse_identity(number[:-1] + digit, today=DAY)


@given(numbers)
def test_moving_a_number_a_century_ahead_is_a_future_birth_date(number_and_kind: tuple[str, IdentityKind]) -> None:
    """The century is outside the checksum: only the date can tell."""
    number = number_and_kind[0]
    with pytest.raises(InvalidIdentityNumber) as err:
        parse_identity(str(int(number[:2]) + 1) + number[2:], today=DAY)
    assert err.value.params == {"reason": "future_birth_date"}


@given(numbers, st.sampled_from(["kind", "format"]))
def test_refusals_never_hold_the_number(number_and_kind: tuple[str, IdentityKind], how: str) -> None:
    number = number_and_kind[0]
    with pytest.raises(InvalidIdentityNumber) as err:
        parse_identity(number + "x" if how == "format" else number, kind="nonsense" if how == "kind" else None, today=DAY)
    assert number[2:8] not in f"{err.value} {err.value.params}"


# -- money -------------------------------------------------------------------------------------

MAX = Decimal(10) ** 9


def _amounts(places: int) -> st.SearchStrategy[Decimal]:
    step = Decimal(1).scaleb(-places)
    return st.decimals(min_value=step, max_value=MAX - step, places=places, allow_nan=False, allow_infinity=False)


#: Positive amounts below 10^9 kronor with zero, one or two decimals.
amounts = st.sampled_from([0, 1, 2]).flatmap(_amounts)


@given(st.text(max_size=40))
@example("AVH-2026-0054")
@example("åäö-\x00")
def test_a_case_ids_hex_is_its_uuid5s(number: str) -> None:
    """The case list works out thousands of case ids as hex without ``uuid5``: they must be the same."""
    assert case_id_hex(number) == case_id(number).hex


@given(amounts, st.sampled_from(["sv", "en"]))
def test_formatted_amount_parses_back(amount: Decimal, lang: str) -> None:
    text = format_amount(amount, lang=lang)
    assert parse_amount(text) == amount
    assert parse_amount(text).as_tuple().exponent == -2


@given(amounts)
def test_plain_string_and_decimal_round_trip(amount: Decimal) -> None:
    assert parse_amount(str(amount)) == amount
    assert parse_amount(str(amount).replace(".", ",")) == amount
    assert parse_amount(amount) == amount
    assert parse_amount(amount.normalize()) == amount  # Decimal("1E+3") is a thousand kronor too


@given(amounts, st.sampled_from([" kr", " SEK", ":-", "kr"]))
def test_currency_suffix_is_ignored(amount: Decimal, suffix: str) -> None:
    assert parse_amount(format_amount(amount) + suffix) == amount


@given(
    st.integers(0, 10**9),
    st.sampled_from([".", ","]),
    st.text("0123456789", min_size=3, max_size=6),
    st.sampled_from(["plain", "sv", "en", "dot-grouped"]),
)
def test_three_or_more_decimals_are_always_refused(whole: int, mark: str, decimals: str, grouping: str) -> None:
    integer = {
        "plain": str(whole),
        "sv": f"{whole:,}".replace(",", " "),
        "en": f"{whole:,}",
        "dot-grouped": f"{whole:,}".replace(",", "."),
    }[grouping]
    with pytest.raises(InvalidAmount):
        parse_amount(f"{integer}{mark}{decimals}")


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_floats_are_refused(value: float) -> None:
    with pytest.raises(InvalidAmount) as err:
        parse_amount(value)  # type: ignore[arg-type]
    assert err.value.params == {"reason": "type"}


@given(amounts)
def test_negative_amounts_are_refused(amount: Decimal) -> None:
    for value in (f"-{format_amount(amount)}", -amount, f"-{amount}"):
        with pytest.raises(InvalidAmount) as err:
            parse_amount(value)
        assert err.value.params == {"reason": "negative"}


# -- events through the mapper -----------------------------------------------------------------

text = st.text(max_size=120)
days = st.dates(date(1990, 1, 1), date(2030, 12, 31))
money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999999999.99"), places=2)
refs = st.from_regex(r"\A[A-Z]{1,3}[0-9]{1,4}\Z")
common = {
    "originator_id": st.uuids(),
    "originator_version": st.integers(1, 10**9),
    "recorded_at": st.datetimes(datetime(2000, 1, 1), datetime(2100, 1, 1), timezones=st.just(UTC)),
    "recorded_by": st.text(min_size=1, max_size=40),
    "occurred_on": days,
    "note": st.none() | text,
}

event_strategies = st.one_of(
    st.builds(ev.ContactRecorded, channel=st.sampled_from(ContactChannel), with_whom=st.none() | text, **common),
    st.builds(
        ev.ConsentGranted, recipient=st.sampled_from(Recipient), provider=st.none() | refs, purpose=text,
        form=st.sampled_from(ConsentForm), valid_until=st.none() | days, **common,
    ),
    st.builds(
        ev.PaymentRecorded, payment_id=refs, amount=money, period_start=days, period_end=days, provider=refs,
        placement_id=st.none() | refs, service_id=st.none() | refs, invoice_number=st.none() | text, **common,
    ),
    st.builds(
        ev.DecisionRecorded, decision_id=refs, outcome=st.sampled_from(DecisionOutcome),
        intervention=st.sampled_from(Intervention), period_start=days, period_end=st.none() | days,
        daily_price=st.none() | money, ceiling=st.none() | money, **common,
    ),
    st.builds(
        ev.FollowUpRecorded, time_point=st.sampled_from(FollowUpPoint), housing=st.sampled_from(Housing),
        occupation=st.sampled_from(Occupation), income_support=st.sampled_from(Answer),
        substance_use=st.sampled_from(Answer), psychiatric_contact=st.sampled_from(Answer),
        new_suspicion=st.sampled_from(Answer), remaining_threat=st.sampled_from(Answer), **common,
    ),
    st.builds(
        ev.PersonRegistered, identity_number=st.sampled_from(TEST_PNR + TEST_SAMORDNING),
        identity_kind=st.sampled_from(IdentityKind), gender=st.sampled_from(Gender),
        birth_year=st.none() | st.integers(1900, 2026), protection_level=st.sampled_from(ProtectionLevel), **common,
    ),
)


@settings(max_examples=200)
@given(event_strategies)
def test_event_survives_the_mapper(event: ev.Event) -> None:
    mapper = PydanticMapper()
    stored = mapper.to_stored_event(event)
    back = mapper.to_domain_event(stored)
    assert type(back) is type(event)
    assert back == event
    assert mapper.to_stored_event(back).state == stored.state  # canonical: equal events, equal bytes


@settings(max_examples=200)
@given(event_strategies)
def test_personal_fields_are_stored_only_apart(event: ev.Event) -> None:
    stored = PydanticMapper().to_stored_event(event)
    parts = json.loads(stored.state)
    personal = type(event).personal_fields()
    fields = set(type(event).model_fields) - {"originator_id", "originator_version"}
    assert set(parts) == {"p", "s"}
    assert set(parts["p"]) == personal
    assert set(parts["s"]) == fields - personal
    assert personal >= {"note"}
    if isinstance(event, ev.PersonRegistered):
        assert "identity_number" in personal
        assert event.identity_number[2:] not in json.dumps(parts["s"])


# -- folding a case ----------------------------------------------------------------------------

ACTIONS = ["contact", "consent", "revoke", "share", "threat", "decision", "status", "placement", "extend", "end",
           "service", "end_service", "pay", "reverse", "grant", "decide", "investigate", "complete", "assess",
           "close", "reopen", "followup", "relative", "child"]
#: (command, days since the previous one, seed for its details)
steps = st.lists(
    st.tuples(st.sampled_from(ACTIONS), st.integers(0, 4), st.integers(0, 10**6)), min_size=10, max_size=50
)


@contextmanager
def fresh_ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from ledger.adapters.store import SQLStore
    from tests.helpers import ledger_at

    app = ledger_at(f"sqlite:///{tmp_path_factory.mktemp('fold') / 'ledger.sqlite3'}", "tester")
    try:
        yield app
    finally:
        SQLStore.dispose_all()


def _play(app: Any, history: list[tuple[str, int, int]]) -> str:
    """Run the commands against one case; the rules refuse some, and those store nothing."""
    app.add_provider("SKYDD1", name="Ett", on="2026-01-01")
    app.add_provider("COACH1", name="Två", on="2026-01-01")
    case = app.open_case(TEST_PNR[42], gender="woman", environment="criminal", source="police", on="2026-01-05")
    day = date(2026, 1, 5).toordinal()
    for action, step, n in history:
        day = min(day + step, date.fromisoformat(TODAY).toordinal())
        on = date.fromordinal(day).isoformat()
        rng = random.Random(n)
        state = app.get_case(case)
        placements, services, payments = sorted(state.placements), sorted(state.services), sorted(state.payments)
        if state.is_closed and action not in ("followup", "close") and rng.random() < 0.8:
            action = "reopen"  # most of the time; otherwise let the closed case refuse it
        try:
            match action:
                case "contact":
                    app.record_contact(case, rng.choice(["phone", "meeting"]), with_whom="mamma", on=on)
                case "consent":
                    app.grant_consent(case, rng.choice(["police", "sis"]), purpose="samverkan", on=on)
                case "revoke":
                    app.revoke_consent(case, rng.choice(["police", "sis"]), on=on)
                case "share":
                    app.record_share(case, rng.choice(["police", "sis"]), what="plan",
                                     legal_basis=rng.choice([None, "lag"]), on=on)
                case "threat":
                    app.record_threat(case, unit="noa", level=rng.choice(["low", "high"]),
                                      protection_needed=rng.random() < 0.5, criteria_met=True, on=on)
                case "decision":
                    app.record_decision(case, outcome=rng.choice(["granted", "granted", "denied"]),
                                        intervention=rng.choice(["hvb", "defector_coach"]), period_start=on,
                                        daily_price=str(rng.randint(1000, 4000)), on=on)
                case "status" if state.decisions:
                    app.change_decision_status(case, rng.choice(sorted(state.decisions)),
                                               rng.choice(["appealed", "revoked", "in_force"]), on=on)
                case "placement":
                    app.start_placement(case, provider="SKYDD1", intervention="hvb",
                                        daily_price=f"{rng.randint(1000, 4000)},50", urgent=rng.random() < 0.6, on=on)
                case "extend" if placements:
                    app.extend_placement(case, rng.choice(placements), planned_end="2026-12-31", on=on)
                case "end" if placements:
                    app.end_placement(case, rng.choice(placements), reason="planned", on=on)
                case "service":
                    app.start_service(case, provider="COACH1", intervention="defector_coach", price="12 000",
                                      urgent=rng.random() < 0.5, on=on)
                case "end_service" if services:
                    app.end_service(case, rng.choice(services), on=on)
                case "pay" if placements:
                    app.record_payment(case, f"{rng.randint(1, 90000)},{rng.randint(0, 99):02d}",
                                       period_start="2026-01-05", period_end=on, placement=rng.choice(placements),
                                       on=on)
                case "reverse" if payments:
                    app.reverse_payment(case, rng.choice(payments), amount=rng.choice([None, "10,10"]), on=on)
                case "grant":
                    app.apply_grant(case, reference=f"NOA-{n % 3}", amount="50 000", period_start="2026-01-01",
                                    period_end="2026-12-31", on=on)
                case "decide":
                    app.decide_grant(case, reference=f"NOA-{n % 3}", outcome=rng.choice(["granted", "denied"]),
                                     amount="40 000", on=on)
                case "investigate":
                    app.open_investigation(case, on=on)
                case "complete":
                    app.complete_investigation(case, on=on)
                case "assess":
                    app.record_assessment(case, "investigate", "needs_support", on=on)
                case "close":
                    app.close_case(case, "goals_met", on=on)
                case "reopen":
                    app.reopen_case(case, on=on)
                case "followup":
                    app.record_followup(case, time_point="closure", housing="own", occupation="work", on=on)
                case "relative":
                    app.record_relative(case, "parent", on=on)
                case "child":
                    app.record_child(case, birth_year=2015, on=on)
        except LedgerError:
            pass
    return case


def _snapshot(state: CaseState) -> ev.Snapshot:
    return ev.Snapshot(originator_id=state.id, originator_version=state.version, recorded_at=datetime.now(UTC),
                       topic=ev.topic_of(CaseState), state=state.model_dump(mode="json"))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(steps)
def test_folding_one_at_a_time_all_at_once_or_from_a_snapshot_agree(
    tmp_path_factory: pytest.TempPathFactory, history: list[tuple[str, int, int]]
) -> None:
    with fresh_ledger(tmp_path_factory) as app:
        case = _play(app, history)
        events = app.case_events(case)
        loaded = app.get_case(case)
    assert [e.originator_version for e in events] == list(range(1, len(events) + 1))
    whole = project_case(None, events)
    assert whole == loaded
    assert whole.version == len(events)

    state = None
    for k, event in enumerate(events, start=1):
        state = project_case(state, [event])
        prefix = project_case(None, events[:k])
        assert state == prefix
        # A snapshot at k, then the rest, gives the whole fold.
        assert project_case(None, [_snapshot(state), *events[k:]]) == whole
    assert state == whole


# -- text made safe to show --------------------------------------------------------------------------------

#: Digits (an Arabic-Indic and a full-width one too: ``\d`` takes any decimal digit), the separators an
#: identity number may have, every control character ``safe`` escapes (C0 with tab and newline, DEL,
#: C1, the bidirectional ones), and ordinary letters and spaces.
_SHOWN_TEXT = st.text(alphabet=st.sampled_from(
    [*"0123456789-+ aöZ.", "\u0663", "\uff17", "\t", "\n", *map(chr, range(0x20)), "\x7f", "\x85", "\x9f", "\u200e", "\u200f",
     "\u202a", "\u202e", "\u2066", "\u2069", "\u00a0", "\u2028"]), max_size=40)


@given(_SHOWN_TEXT)
@example("8112182392")
@example("19811218-2392")
@example("ringde 811218-2392\x1b[2J")
@example("a\u202etxet")
@example("2026-12-03")
def test_safe_text_is_what_masking_then_escaping_gives(value: str) -> None:
    """``safe`` returns the usual text as it is without running its two expressions over it: whatever
    the text, the result is the identity numbers masked, then the control characters escaped."""
    from ledger.domain.text import _CONTROL, IDENTITY_LIKE, MASK, _escape, safe

    assert safe(value) == _CONTROL.sub(_escape, IDENTITY_LIKE.sub(MASK, value))


def test_safe_text_is_a_plain_string_whatever_it_came_as() -> None:
    """An enum member (a ``str`` subclass) comes back as the plain text it stands for, as it always has."""
    from ledger.domain.text import safe
    from ledger.domain.vocab import Environment

    shown = safe(Environment.CRIMINAL)
    assert type(shown) is str and shown == "criminal"
