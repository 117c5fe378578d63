"""A rebuild keeps in memory only the rows recent batches wrote (``projections/rows.py``), and
still writes exactly the rows that a replay holding every row in memory writes.

Batches of a few positions make every path run many times: rows let go after a batch and read back
(one row, or every row of a case), rows put again while their case has rows let go (written with an
upsert), the rows of a person found by another column. The history is the demo's (placements,
payments, reversals, grants, follow-ups, …) and, for corrections, a random one. Runs on SQLite and
PostgreSQL (``db_url``).
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import select

from ledger.adapters.schema import cases, payments
from tests.helpers import dying_after, wrap_handlers
from tests.readside.test_rebuild import _random_history, _tables


@pytest.fixture
def demo(db_url: str) -> Any:
    """A demo unit's store (two years, 30 cases) and its read side."""
    from ledger.application.demo import generate
    from tests.helpers import Reads, batch_at

    app = batch_at(db_url, "demo")
    generate(app, cases=30, years=2, seed=5)
    return Reads(app)


def _replay(side: Any, batch: int | None = None) -> dict[str, list[tuple]]:
    """Wipe every projection, replay them in batches of ``batch`` positions; their rows."""
    from ledger.projections import runner

    runner.rebuild(side.store, *side.projections)
    runner.catch_up(side.store, side.decode, side.projections, batch=batch)
    return _tables(side)


def _watch_memory(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, set, set, set]]:
    """At every batch's write, per table: (name, keys in memory before, keys the batch inserted or changed,
    keys in memory after)."""
    from ledger.projections.rows import Unit

    seen: list[tuple[str, set, set, set]] = []
    flush = Unit.flush

    def watched(unit: Unit) -> None:
        before = {rows.table.name: (set(rows.cache), {*rows.new, *rows.dirty}) for rows in unit.values()}
        flush(unit)
        seen.extend((rows.table.name, *before[rows.table.name], set(rows.cache)) for rows in unit.values())

    monkeypatch.setattr(Unit, "flush", watched)
    return seen


@pytest.mark.parametrize("batch", [3, 40])
def test_small_batches_rebuild_the_same_rows_keeping_only_what_the_batch_wrote(
        demo: Any, monkeypatch: pytest.MonkeyPatch, batch: int) -> None:
    from ledger.projections import rows

    whole = _replay(demo)  # one batch: every row in memory until the end
    assert len(whole[payments.name]) > 50, "the demo pays for placements"
    seen = _watch_memory(monkeypatch)
    monkeypatch.setattr(rows, "COPY_FROM", 2)  # PostgreSQL: upserts of a few rows too go through COPY
    assert _replay(demo, batch) == whole

    for table, _, written, after in seen:
        assert after <= written, f"{table}: rows the batch did not write stayed in memory"
    # rows of payments are only ever inserted: none stays in memory after its batch
    assert not any(after for table, _, _, after in seen if table == payments.name)
    let_go = Counter(table for table, before, _, after in seen if before - after)
    assert let_go[payments.name] and let_go[cases.name]


def test_small_batches_with_corrections_rebuild_what_event_by_event_gave(app: Any) -> None:
    from tests.helpers import Reads as ReadSide

    side = ReadSide(app)
    _random_history(app, random.Random(11), 70, side=side)  # catching up after every command
    expected = _tables(side)
    for batch in (1, 5):
        assert _replay(side, batch) == expected


def test_a_rebuild_killed_after_rows_were_let_go_resumes_to_the_same_rows(demo: Any,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from ledger.projections import runner

    expected = _replay(demo)
    runner.rebuild(demo.store, *demo.projections)
    money = next(p for p in demo.projections if p.name == "money").__class__
    real = wrap_handlers(monkeypatch, money, dying_after(200, KeyboardInterrupt))
    with pytest.raises(KeyboardInterrupt):
        runner.catch_up(demo.store, demo.decode, demo.projections, batch=9)
    monkeypatch.setattr(money, "handlers", real)
    assert _tables(demo) != expected  # behind, with the batch that died rolled back
    runner.catch_up(demo.store, demo.decode, demo.projections, batch=9)
    assert _tables(demo) == expected


def test_rows_let_go_are_read_back_by_key_by_case_and_by_column(app: Any) -> None:
    """The table's rows directly: let go after a batch, each way of reading finds them again, and a
    row put again over one let go replaces it (no second row, no conflict)."""
    from ledger.projections.case_list import CaseList
    from ledger.projections.rows import Unit
    from tests.helpers import Reads as ReadSide

    store = ReadSide(app).store
    person = uuid.uuid4()
    ids = [store.dialect.stream_id(uuid.uuid4()) for _ in range(3)]

    def row(case_id: Any, n: int) -> dict[str, Any]:
        return {"case_id": case_id, "case_number": f"AVH-2026-{n:04d}", "status": "open", "opened_on": "2026-01-0"
                f"{n}", "environment": "criminal", "referral_source": "police", "protection_level": "none",
                "opened_by": "a", "last_recorded_by": "a", "last_occurred_on": f"2026-01-0{n}", "event_count": 1,
                "running": 0, "threat_review_on": None, "followup_closure": False, "followup_12": False,
                "closed_on": None, "person_id": store.dialect.stream_id(person), "assigned_to": "a",
                "thinned_on": None, "assessed": False, "motivated": None, "consent_given": None,
                "serious_crime_suspected": None}

    with store.projection(CaseList.name) as conn:
        unit = Unit(conn, store.dialect, CaseList.tables, complete=True)
        rows = unit[cases]
        for n, case_id in enumerate(ids, 1):
            rows.put(row(case_id, n))
        unit.flush()
        rows.change(ids[0])["event_count"] = 2  # only this one is written by the next batch
        unit.flush()
        assert set(rows.cache) == {(ids[0],)}  # the others were let go
        assert rows.get(ids[1])["case_number"] == "AVH-2026-0002"  # read back by key
        assert [r["case_number"] for r in rows.starting_with(ids[2])] == ["AVH-2026-0003"]  # by case
        assert sorted(r["case_number"] for r in rows.where("person_id", store.dialect.stream_id(person))) == [
            "AVH-2026-0001", "AVH-2026-0002", "AVH-2026-0003"]  # by another column
        unit.flush()
        unit.flush()
        assert rows.cache == {}
        replaced = row(ids[1], 2) | {"status": "closed"}
        rows.put(replaced)  # its case had rows let go: written with an upsert, not looked up
        rows.put(row(store.dialect.stream_id(uuid.uuid4()), 4))  # a new case: an insert
        unit.flush()
    with store.read() as conn:
        found = {(r.case_number, r.status, r.event_count) for r in conn.execute(select(cases))}
    assert found == {("AVH-2026-0001", "open", 2), ("AVH-2026-0002", "closed", 1), ("AVH-2026-0003", "open", 1),
                     ("AVH-2026-0004", "open", 1)}


def test_a_row_inserted_as_new_is_neither_looked_up_nor_upserted_and_a_second_one_is_refused(app: Any) -> None:
    """``Rows.insert`` (a payment: its reference is new in its case) goes in with a plain ``INSERT`` even
    when its case had rows let go; a row already there with its key is the database's error."""
    from ledger.domain.errors import StorageError
    from ledger.projections.money import Money
    from ledger.projections.rows import Unit
    from tests.helpers import Reads as ReadSide

    store = ReadSide(app).store
    case_id = store.dialect.stream_id(uuid.uuid4())

    def payment(ref: str) -> dict[str, Any]:
        return {"case_id": case_id, "ref": ref, "payment_id": ref, "item_id": None, "provider": "SKYDD1",
                "intervention": "other", "period_start": "2026-01-01", "period_end": "2026-01-31",
                "amount_ore": 100, "paid_on": "2026-02-01", "invoice_number": None, "invoice_key": None,
                "duplicate": False, "over_price": False, "price_limit_ore": None}

    with store.projection(Money.name) as conn:
        unit = Unit(conn, store.dialect, Money.tables, complete=True)
        rows = unit[payments]
        rows.insert(payment("B1"))
        unit.flush()
        assert rows.cache == {} and rows.evicted == {case_id}  # let go: its case is remembered
        rows.insert(payment("B2"))
        assert rows.new == {(case_id, "B2"): None}  # new, not "maybe there" (which an upsert would write)
        unit.flush()
    with store.read() as conn:
        assert sorted(r.ref for r in conn.execute(select(payments))) == ["B1", "B2"]
    with pytest.raises(StorageError), store.projection(Money.name) as conn:
        unit = Unit(conn, store.dialect, Money.tables, complete=True)
        unit[payments].insert(payment("B1"))
        unit.flush()
    with store.read() as conn:
        assert [r.amount_ore for r in conn.execute(select(payments))] == [100, 100]
