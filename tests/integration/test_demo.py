"""The demo generator: deterministic per seed, only Skatteverket test numbers, every kind of event."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import pytest

from ledger.application.batch import BatchLedger as Ledger
from ledger.application.demo import generate
from ledger.domain.errors import AlreadyExists
from tests.conftest import TEST_PNR, TEST_SAMORDNING, TODAY
from tests.helpers import batch_at

EXPECTED = (
    "CaseActualised", "ConsentGranted", "ConsentRevoked", "ThreatAssessmentReceived", "DecisionRecorded",
    "PlacementStarted", "PaymentRecorded", "PaymentReversed", "PlacementEnded", "FollowUpRecorded", "CaseClosed",
    "StateGrantDecided", "BudgetSet",
)


def _events(app: Ledger) -> list[Any]:
    """Every stored event, read back through the recorder and the mapper."""
    return [app.mapper.to_domain_event(n) for n in app.recorder.select_notifications(1, 10**7)]


def _story(app: Ledger) -> list[tuple[str, dict[str, Any]]]:
    """The events without what must differ between stores: system time and the per-store person ids."""
    person_streams = {e.originator_id for e in _events(app) if type(e).__name__ == "PersonRegistered"}
    return [
        (type(e).__name__, e.model_dump(exclude={"recorded_at", "person_id"}
                                        | ({"originator_id"} if e.originator_id in person_streams else set())))
        for e in _events(app)
    ]


def _other(url: str, name: str) -> str:
    return url.replace("ledger.sqlite3", f"{name}.sqlite3")


def test_same_seed_gives_the_same_ledger(sqlite_url: str) -> None:
    first, second = batch_at(sqlite_url, "demo"), batch_at(_other(sqlite_url, "again"), "demo")
    one, two = generate(first, seed=1), generate(second, seed=1)
    assert one == two
    assert one["cases"] == 30 and one["events"] == first.event_count() > 300
    cases = [(e.case_number, e.occurred_on) for e in _events(first) if type(e).__name__ == "CaseActualised"]
    assert cases == [(e.case_number, e.occurred_on) for e in _events(second) if type(e).__name__ == "CaseActualised"]
    assert len(cases) == 30
    assert Counter(name for name, _ in _story(first)) == Counter(name for name, _ in _story(second))
    assert _story(first) == _story(second)


def test_different_seeds_give_different_ledgers(sqlite_url: str) -> None:
    first, second = batch_at(sqlite_url, "demo"), batch_at(_other(sqlite_url, "seed2"), "demo")
    generate(first, seed=1)
    generate(second, seed=2)
    assert _story(first) != _story(second)


def test_only_skatteverket_test_numbers_and_plausible_people(sqlite_url: str) -> None:
    app = batch_at(sqlite_url, "demo")
    generate(app, cases=60, years=3, seed=5)
    people = [e for e in _events(app) if type(e).__name__ == "PersonRegistered"]
    numbers = [p.identity_number for p in people]
    assert numbers and set(numbers) <= set(TEST_PNR) | set(TEST_SAMORDNING)
    assert len(set(numbers)) == len(numbers) == 60
    assert any(n in TEST_SAMORDNING for n in numbers)
    protected = [p for p in people if p.protection_level in ("protected_registration", "fictitious_identity")]
    assert 1 <= len(protected) <= 2
    opened = {e.person_id: e.occurred_on for e in _events(app) if type(e).__name__ == "CaseActualised"}
    ages = [opened[p.originator_id].year - p.birth_year for p in people]
    assert all(15 <= age <= 46 for age in ages)


def test_the_demo_has_every_kind_of_event_and_respects_dates(sqlite_url: str) -> None:
    app = batch_at(sqlite_url, "demo")
    generate(app)
    events = _events(app)
    kinds = Counter(type(e).__name__ for e in events)
    assert [k for k in EXPECTED if not kinds[k]] == []
    assert 6 <= kinds["ProviderRegistered"] <= 10
    assert all(e.occurred_on <= date.fromisoformat(TODAY) for e in events if hasattr(e, "occurred_on"))
    workers = Counter(e.recorded_by for e in events if hasattr(e, "recorded_by") and e.stream != "users")
    assert len(workers) >= 6 and "demo" not in workers  # the administrator who added the unit's users records no case
    invoices = [(e.provider, e.invoice_number) for e in events if type(e).__name__ == "PaymentRecorded"]
    assert len(invoices) > 100 and len(set(invoices)) == len(invoices)  # the ledger refuses one paid twice


@pytest.mark.parametrize("seed", [2, 3, 4, 11])
def test_other_seeds_and_sizes_pass_every_rule(sqlite_url: str, seed: int) -> None:
    app = batch_at(sqlite_url, "demo")
    result = generate(app, cases=40, years=seed % 4 + 1, seed=seed, municipality="Exempelstad")
    assert result == {"cases": 40, "events": app.event_count(), "municipality": "Exempelstad", "seed": seed}


def test_a_second_demo_in_the_same_store_is_refused_and_stores_nothing(sqlite_url: str) -> None:
    app = batch_at(sqlite_url, "demo")
    generate(app, cases=3)
    before = app.event_count()
    with pytest.raises(AlreadyExists):
        generate(app, cases=3)
    assert app.event_count() == before


def test_demo_entries_are_recorded_when_a_worker_would_have_written_them(sqlite_url: str) -> None:
    """Not all at generation time (which made every entry late): most on the day they happened, in
    office hours and in order; a few contact notes, follow-ups and invoices days or weeks later; none
    before it happened or after now."""
    from datetime import timedelta

    from ledger.domain.clock import LOCAL

    app = batch_at(sqlite_url, "demo")
    generate(app)
    dated = [e for e in _events(app) if hasattr(e, "occurred_on") and getattr(e, "stream", "") != "users"]
    lateness = [(e.recorded_at.astimezone(LOCAL).date() - e.occurred_on).days for e in dated]
    assert min(lateness) >= 0
    assert sum(1 for d in lateness if d == 0) > 0.8 * len(lateness)
    late = [e for e, d in zip(dated, lateness, strict=True) if d > 14]
    assert 0 < len(late) < 0.05 * len(lateness)
    assert {type(e).__name__ for e in late} <= {"ContactRecorded", "FollowUpRecorded", "PaymentRecorded"}
    assert max(e.recorded_at for e in dated) <= app.clock.now() + timedelta(seconds=1)
    hours = {e.recorded_at.astimezone(LOCAL).hour for e in dated if e.recorded_at.astimezone(LOCAL).date()
             == e.occurred_on and e.recorded_at.astimezone(LOCAL).date() < app.clock.today()}
    assert hours <= set(range(8, 18)), hours


def test_someone_is_actualised_again_only_when_their_cases_are_closed() -> None:
    """More cases than Skatteverket has test numbers (a million-event demo has 22 222): a number is
    used again only for a person whose every case closed before the new one opens, never for a
    protected person; with nobody free, no case (one person, one open case)."""
    import random

    from ledger.application.demo_plan import Case, People

    people = People(random.Random(1), date(2026, 11, 30))
    for pool in people.pools.values():
        pool.clear()
    people.used = [TEST_PNR[0], TEST_PNR[1], TEST_PNR[2]]
    people.opened(TEST_PNR[0], Case("a", date(2025, 1, 1), 1990, closed=date(2025, 6, 30)))
    people.opened(TEST_PNR[1], Case("a", date(2025, 1, 1), 1990, closed=None))  # still open
    people.opened(TEST_PNR[2], Case("a", date(2025, 1, 1), 1990, closed=date(2025, 3, 1), protected_identity=True))
    assert {people.pick(date(2025, 7, 1), "personnummer") for _ in range(30)} == {TEST_PNR[0]}
    assert people.pick(date(2025, 6, 30), "personnummer") is None


def test_recording_as_someone_takes_their_roles_as_changed_in_the_same_batch(sqlite_url: str) -> None:
    """``act_as`` keeps a user's roles while the users' register is unchanged; a change of roles in the
    batch (not yet written) is what the next ``act_as`` goes by."""
    from ledger.domain.errors import AccessDenied
    from ledger.domain.permissions import Role

    app = batch_at(sqlite_url, "tester")
    with app:
        app.add_user("lisa.h", ["ekonom"])
        app.act_as("lisa.h", TODAY)
        assert app.gate.actor.roles == frozenset({Role.ECONOMIST})
        with pytest.raises(AccessDenied):
            app.open_case(TEST_PNR[0], gender="man", environment="criminal", source="police", on=TODAY)
        app.act_as("tester", TODAY)
        app.change_roles("lisa.h", ["handläggare"])
        app.act_as("lisa.h", TODAY)
        assert app.gate.actor.roles == frozenset({Role.CASE_WORKER})
        assert app.open_case(TEST_PNR[0], gender="man", environment="criminal", source="police", on=TODAY).startswith("AVH-")


def test_the_demo_runs_with_the_garbage_collector_off_and_leaves_it_as_it_was(sqlite_url: str,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """``Services.demo`` pauses the collector for the generator (its growing live set made the
    collector's passes a ninth of its time) and turns it back on after, also when the generator
    fails; a caller that had it off keeps it off."""
    import gc

    from ledger.application import demo
    from ledger.bootstrap import services

    seen: list[bool] = []
    made = demo.generate

    def generate_and_look(*args: Any, **kwargs: Any) -> dict[str, Any]:
        seen.append(gc.isenabled())
        return made(*args, **kwargs)

    monkeypatch.setattr(demo, "generate", generate_and_look)
    result = services(sqlite_url, "bench").demo(cases=2, years=1, seed=1, municipality="Testkommun")
    assert result["events"] > 0 and seen == [False] and gc.isenabled()

    def fails(*args: Any, **kwargs: Any) -> dict[str, Any]:
        seen.append(gc.isenabled())
        raise RuntimeError("stopped")

    monkeypatch.setattr(demo, "generate", fails)
    with pytest.raises(RuntimeError):
        services(_other(sqlite_url, "second"), "bench").demo(cases=2, years=1, seed=1, municipality="Testkommun")
    assert seen == [False, False] and gc.isenabled()
    gc.disable()
    try:
        monkeypatch.setattr(demo, "generate", generate_and_look)
        services(_other(sqlite_url, "third"), "bench").demo(cases=2, years=1, seed=1, municipality="Testkommun")
        assert seen == [False, False, False] and not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.parametrize("flush_every", [5000, 7])
def test_every_snapshot_a_demo_calls_for_is_stored_and_is_its_case_folded(sqlite_url: str, flush_every: int) -> None:
    """A flush stores the snapshots its events call for (a case's every hundredth event) together, after
    the events: each one there, and each what folding its case's events gives (``ledger verify``'s check);
    with a flush every 7 events too, where a case's snapshot comes in a later flush than most of its events."""
    from uuid import UUID

    from ledger.adapters.snapshot_check import verify_snapshots

    app = batch_at(sqlite_url, "demo", flush_every=flush_every)
    generate(app, cases=30, years=10, seed=1)
    events = _events(app)
    cases = {e.originator_id for e in events if type(e).__name__ == "CaseActualised"}
    last = Counter[UUID]()
    for e in events:
        if e.originator_id in cases:
            last[e.originator_id] = max(last[e.originator_id], e.originator_version)
    expected = {(stream, v) for stream, top in last.items() for v in range(100, top + 1, 100)}
    store = app.factory.store
    with store.read() as conn:
        stored = {(UUID(str(stream)), version) for stream, version in
                  conn.exec_driver_sql("SELECT originator_id, originator_version FROM ledger_snapshots")}
        assert len(expected) >= 3 and stored == expected
        assert verify_snapshots(store, conn, app.mapper) is None
