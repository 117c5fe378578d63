"""Catch-up of the case list projection (``projections/runner.py``, ``projections/case_list.py``).

- Catching up once at the end gives the same rows as catching up after every event (one event
  per transaction), and the same as any other batch size.
- A catch-up that dies in the middle of a batch rolls that batch back entirely (rows *and*
  position, for every projection in the transaction); running it again gives the rows of an
  uninterrupted run.
- Changing ``CaseList.version`` wipes the projection's tables and replays it, and only it.

Runs on SQLite and PostgreSQL (``db_url``). The history is random but seeded, built through the
application so every rule is checked, and covers every event the case list reacts to.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select, update

from ledger.domain.errors import LedgerError
from tests.conftest import TEST_PNR
from tests.helpers import dying_after, wrap_handlers

BATCH = 10


# -- helpers -------------------------------------------------------------------------------------


def _history(app: Any, seed: int = 11, steps: int = 160, after: Callable[[], None] | None = None) -> None:
    """Valid commands chosen at random (refused ones store nothing); ``after`` runs after each command."""
    rng = random.Random(seed)
    app.add_provider("P1", name="Ett", on="2026-01-01")
    app.add_provider("P2", name="Två", on="2026-01-01")
    cases: list[str] = []
    day = 5
    for n in range(steps):
        day = min(day + rng.randint(0, 2), 300)
        on = f"2026-{(day - 1) // 28 + 1:02d}-{(day - 1) % 28 + 1:02d}"
        action = rng.choice(["open", "contact", "consent", "consent", "revoke", "threat", "decision", "status",
                             "placement", "end", "service", "end_service", "pay", "close", "reopen", "followup"])
        try:
            if action == "open" or len(cases) < 3:
                cases.append(app.open_case(TEST_PNR[200 + n], gender=rng.choice(["woman", "man"]),
                                           environment=rng.choice(["criminal", "honour", "violent_extremist"]),
                                           source=rng.choice(["police", "self", "sis"]), on=on))
            else:
                case = rng.choice(cases)
                state = app.get_case(case)
                if action == "contact":
                    app.record_contact(case, rng.choice(["phone", "meeting"]), on=on)
                elif action == "consent":
                    if rng.random() < 0.5:
                        app.grant_consent(case, "provider", provider=rng.choice(["P1", "P2"]), purpose="x", on=on)
                    else:
                        app.grant_consent(case, "police", purpose="samverkan", on=on)
                elif action == "revoke":
                    if rng.random() < 0.5:
                        app.revoke_consent(case, "provider", provider=rng.choice(["P1", "P2"]), on=on)
                    else:
                        app.revoke_consent(case, "police", on=on)
                elif action == "threat":
                    app.record_threat(case, unit="noa", level=rng.choice(["high", "low"]),
                                      protection_needed=rng.random() < 0.5, criteria_met=rng.random() < 0.5,
                                      review_on=f"2026-{rng.randint(1, 11):02d}-15" if rng.random() < 0.3 else None,
                                      on=on)
                elif action == "decision":
                    app.record_decision(case, outcome=rng.choice(["granted", "granted", "denied"]),
                                        intervention=rng.choice(["hvb", "defector_coach"]), period_start=on,
                                        period_end="2026-10-31" if rng.random() < 0.5 else None, on=on)
                elif action == "status" and state.decisions:
                    app.change_decision_status(case, rng.choice(sorted(state.decisions)),
                                               rng.choice(["appealed", "revoked", "in_force"]), on=on)
                elif action == "placement":
                    app.start_placement(case, provider=rng.choice(["P1", "P2"]), intervention="hvb",
                                        daily_price=str(rng.randint(2500, 4800)), urgent=rng.random() < 0.4, on=on)
                elif action == "end" and state.placements:
                    app.end_placement(case, rng.choice(sorted(state.placements)), on=on)
                elif action == "service":
                    app.start_service(case, provider=rng.choice(["P1", "P2"]), intervention="defector_coach",
                                      price="12 000", urgent=rng.random() < 0.5, on=on)
                elif action == "end_service" and state.services:
                    app.end_service(case, rng.choice(sorted(state.services)), on=on)
                elif action == "pay" and state.placements:
                    pid = rng.choice(sorted(state.placements))
                    app.record_payment(case, f"{rng.randint(1, 90000)},{rng.randint(0, 99):02d}",
                                       period_start=state.placements[pid].started_on.isoformat(), period_end=on,
                                       placement=pid, on=on)
                elif action == "close":
                    app.close_case(case, "goals_met", on=on)
                elif action == "reopen":
                    app.reopen_case(case, on=on)
                elif action == "followup":
                    app.record_followup(case, time_point=rng.choice(["closure", "12_months", "during"]),
                                        housing="own", occupation="work", on=on)
        except LedgerError:
            pass  # the rules refused this random step; nothing was stored
        if after is not None:
            after()


def _case_list_rows(store: Any) -> dict[str, list[tuple[str, ...]]]:
    from ledger.projections.case_list import CaseList

    out = {}
    with store.read() as conn:
        for table in CaseList.tables:
            out[table.name] = sorted(tuple(str(v) for v in row) for row in conn.execute(select(table)))
    return out


def _position(store: Any, name: str = "case_list") -> int:
    with store.read() as conn:
        return store.position(conn, name)


def _head(store: Any) -> int:
    with store.read() as conn:
        return store.head(conn)


def _copy_events(source: Any, target: Any, upto: int | None = None) -> None:
    """Copy the stored events (same bytes, same order, so the same positions) into another store."""
    from ledger.adapters.recorder import LedgerRecorder

    notes = LedgerRecorder(source).select_notifications(None, 10**9, stop=upto)
    assert LedgerRecorder(target).insert_events(notes) == [n.id for n in notes]
    with source.read() as conn:  # the store's id and encryption: the same key file opens the copy
        meta = {k: v for k, v in source.meta_items(conn).items() if k in ("store_id", "encryption")}
    with target.write() as conn:
        target.put_meta(conn, meta)


def _case_list() -> Any:
    from ledger.projections.case_list import CaseList

    return CaseList()


@pytest.fixture
def app(db_url: str) -> Any:
    """A ledger on a fresh store, with the read side's tables created (``ReadSide`` does that)."""
    from tests.helpers import Reads as ReadSide
    from tests.helpers import ledger_at

    app = ledger_at(db_url, "tester")
    ReadSide(app)
    return app


@pytest.fixture
def other_store(db_url: str, tmp_path: Path) -> Iterator[Any]:
    """A second, empty store on the same backend, with the read side's tables."""
    from ledger.adapters.config import resolve_url
    from ledger.adapters.schema import read_metadata
    from ledger.adapters.store import SQLStore
    from tests import conftest

    postgres = not db_url.startswith("sqlite")
    url = conftest._fresh_pg_database() if postgres else f"sqlite:///{tmp_path / 'other.sqlite3'}"
    store = SQLStore.for_url(resolve_url(url))
    store.create_tables(read_metadata)
    yield store
    if postgres:
        conftest._drop_pg_database(url)


# -- once at the end == after every event -------------------------------------------------------------


def test_catch_up_once_equals_catch_up_after_every_event(app: Any, other_store: Any) -> None:
    from ledger.projections.runner import catch_up, rebuild

    store, decode = app.factory.store, app.mapper.state_decoder()
    after_each = []

    def one_event_per_transaction() -> None:
        after_each.append(catch_up(store, decode, [_case_list()], batch=1)["case_list"])

    _history(app, after=one_event_per_transaction)
    head = _head(store)
    assert after_each[-1] == head
    incremental = _case_list_rows(store)
    assert len(incremental["proj_case_list"]) >= 10, "the history should have opened many cases"
    assert incremental["proj_case_consents"] and incremental["proj_case_decisions"]
    statuses = {row[2] for row in incremental["proj_case_list"]}
    assert statuses == {"open", "closed"}, statuses

    # The same events in a store that never had the projection: one catch-up at the end.
    _copy_events(store, other_store)
    assert catch_up(other_store, decode, [_case_list()])["case_list"] == head
    assert _case_list_rows(other_store) == incremental

    # Wiped and replayed in this store, in an odd batch size.
    rebuild(store, _case_list())
    assert _position(store) == 0
    assert all(rows == [] for rows in _case_list_rows(store).values())
    assert catch_up(store, decode, [_case_list()], batch=7)["case_list"] == head
    assert _case_list_rows(store) == incremental

    # Nothing new: a further catch-up changes nothing.
    assert catch_up(store, decode, [_case_list()])["case_list"] == head
    assert _case_list_rows(store) == incremental


def test_case_overview_is_the_same_whether_caught_up_often_or_once(app: Any, other_store: Any) -> None:
    """The same comparison through the public read side (every projection, ``ReadSide.cases``)."""
    from tests.helpers import Reads as ReadSide
    from tests.helpers import ledger_at

    side = ReadSide(app)
    _history(app, seed=5, steps=80, after=side.catch_up)
    often = side.cases()
    _copy_events(app.factory.store, other_store)
    once = ReadSide(ledger_at(other_store.url, "tester")).cases()
    assert once == often
    assert len(once) >= 5


# -- a catch-up that dies midway ------------------------------------------------------------------------


def _case_note_ids(store: Any) -> list[int]:
    from ledger.adapters.recorder import LedgerRecorder

    topics = set(_case_list().topics)
    return [n.id for n in LedgerRecorder(store).select_notifications(None, 10**9) if n.topic in topics]


@pytest.mark.parametrize("fail_at", [1, 4, 37])
@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_interrupted_catch_up_rolls_back_its_batch_and_resumes_to_the_same_rows(
    app: Any, other_store: Any, monkeypatch: pytest.MonkeyPatch, fail_at: int, error: type[BaseException]
) -> None:
    from ledger.projections.case_list import CaseList
    from ledger.projections.runner import catch_up, rebuild

    store, decode = app.factory.store, app.mapper.state_decoder()
    _history(app)
    catch_up(store, decode, [CaseList()])
    expected = _case_list_rows(store)
    rebuild(store, CaseList())

    real = wrap_handlers(monkeypatch, CaseList, dying_after(fail_at, error))
    with pytest.raises(error):
        catch_up(store, decode, [CaseList()], batch=BATCH)
    monkeypatch.setattr(CaseList, "handlers", real)

    # Everything before the failing batch is kept, nothing of the failing batch.
    failed_id = _case_note_ids(store)[fail_at - 1]
    kept = (failed_id - 1) // BATCH * BATCH
    assert _position(store) == kept
    _copy_events(store, other_store, upto=kept)
    catch_up(other_store, decode, [CaseList()])
    assert _case_list_rows(store) == _case_list_rows(other_store), "rows must be exactly those of events <= position"

    assert catch_up(store, decode, [CaseList()], batch=BATCH)["case_list"] == _head(store)
    assert _case_list_rows(store) == expected


def test_interrupted_catch_up_of_all_projections_keeps_them_in_step(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The read side's projections share one transaction per batch: a failure in one rolls back all."""
    from ledger.projections.case_list import CaseList
    from ledger.projections.runner import catch_up, rebuild
    from tests.helpers import Reads as ReadSide

    side = ReadSide(app)
    _history(app)
    side.catch_up()
    expected = {name: _tables_of(side, name) for name in side.projection_names()}
    for projection in side.projections:
        rebuild(side.store, projection)

    real = wrap_handlers(monkeypatch, CaseList, dying_after(45))
    with pytest.raises(RuntimeError):
        catch_up(side.store, app.mapper.state_decoder(), side.projections, batch=BATCH)
    monkeypatch.setattr(CaseList, "handlers", real)

    positions = {name: _position(side.store, name) for name in side.projection_names()}
    assert len(set(positions.values())) == 1, positions
    assert next(iter(positions.values())) % BATCH == 0
    assert 0 < next(iter(positions.values())) < _head(side.store)

    side.catch_up()
    assert {name: _tables_of(side, name) for name in side.projection_names()} == expected


def _tables_of(side: Any, name: str) -> dict[str, list[tuple[str, ...]]]:
    projection = next(p for p in side.projections if p.name == name)
    with side.store.read() as conn:
        return {t.name: sorted(tuple(str(v) for v in row) for row in conn.execute(select(t))) for t in projection.tables}


# -- a new projection version ------------------------------------------------------------------------


def test_changing_the_version_wipes_and_rebuilds_only_that_projection(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from ledger.adapters.schema import projection_versions
    from ledger.projections.case_list import CaseList, cases, consents
    from ledger.projections.money import Money
    from tests.helpers import Reads as ReadSide

    side = ReadSide(app)
    _history(app)
    side.catch_up()
    expected = _case_list_rows(side.store)
    money = _tables_of(side, "money")
    head = _head(side.store)

    # Rows an older version left behind: a wrong value and a row that should not exist.
    some_case = next(iter(expected["proj_case_list"]))[0]
    with side.store.projection("case_list") as conn:
        conn.execute(update(cases).values(status="stale"))
        conn.execute(insert(consents), {"case_id": uuid.UUID(some_case), "recipient": "leftover", "entry": 1,
                                        "granted_on": date(2026, 1, 1), "revoked_on": None})
    side.catch_up()  # same version: nothing to do, the stale rows stay
    assert _case_list_rows(side.store) != expected

    handled = {"case_list": 0, "money": 0}
    for cls, name in ((CaseList, "case_list"), (Money, "money")):

        def counting(handle: Any, _name: str = name) -> Any:
            def counted(unit: Any, fact: Any) -> None:
                handled[_name] += 1
                handle(unit, fact)

            return counted

        wrap_handlers(monkeypatch, cls, counting)

    old = CaseList.version
    monkeypatch.setattr(CaseList, "version", old + 1)
    assert side.catch_up()["case_list"] == head
    assert _case_list_rows(side.store) == expected
    assert handled["case_list"] == len(_case_note_ids(side.store)), "every case event replayed once"
    assert handled["money"] == 0, "other projections are left alone"
    assert _tables_of(side, "money") == money
    with side.store.read() as conn:
        stored = conn.execute(select(projection_versions.c.version).where(projection_versions.c.name == "case_list"))
        assert stored.scalar() == old + 1

    side.catch_up()  # the new version is recorded: no second rebuild
    assert handled["case_list"] == len(_case_note_ids(side.store))

    monkeypatch.setattr(CaseList, "version", old)  # going back is a change too
    side.catch_up()
    assert handled["case_list"] == 2 * len(_case_note_ids(side.store))
    assert _case_list_rows(side.store) == expected


# -- nothing to catch up: no wait for the lock --------------------------------------------------------


def test_a_current_read_side_answers_while_another_process_holds_the_projections_lock(app: Any,
                                                                                      db_url: str) -> None:
    """A reading command catches the projections up first. With nothing to catch up it does not wait for
    the projections' write lock, which a long catch-up elsewhere holds for seconds (and on SQLite any
    writer): it answers at once, and the same as before."""
    import threading

    from ledger.adapters.config import resolve_url
    from ledger.adapters.store import SQLStore
    from ledger.projections import all_projections
    from tests.helpers import Reads

    _history(app, steps=40)
    side = Reads(app)
    before = side.budget(2026)
    holder = SQLStore(resolve_url(db_url))  # another process's store
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with holder.projection(*(p.name for p in all_projections())):
            held.set()
            release.wait(60)

    answers: list[Any] = []
    holding = threading.Thread(target=hold)
    reading = threading.Thread(target=lambda: answers.append(side.budget(2026)))
    holding.start()
    try:
        assert held.wait(30)
        reading.start()
        reading.join(30)
        assert not reading.is_alive(), "the reading waited for the projections' lock"
        assert answers == [before]
    finally:
        release.set()
        holding.join(60)
        reading.join(90)
        holder.engine.dispose()
