"""The application's store round trip on SQLite and PostgreSQL: a case loaded back equals the fold of
all its events, and at ``SNAPSHOT_INTERVAL`` events a snapshot is stored and used for loading."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from eventsourcing.persistence import StoredEvent
from sqlalchemy import select, update

from ledger.adapters.schema import snapshots_table
from ledger.application.service import SNAPSHOT_INTERVAL
from ledger.domain import events as ev
from ledger.domain.aggregates import case_id
from ledger.domain.case import CaseState
from ledger.domain.case_fold import project_case
from tests.conftest import TEST_PNR


def _snapshot_rows(app: Any, number: str) -> list[Any]:
    with app.factory.store.read() as conn:
        return list(
            conn.execute(
                select(snapshots_table)
                .where(snapshots_table.c.originator_id == case_id(number))
                .order_by(snapshots_table.c.originator_version)
            )
        )


def _busy_case(app: Any) -> str:
    """A case whose state has something of each kind (consents, decisions, money, dates), at version 7."""
    app.add_provider("SKYDD1", name="Skyddat boende Ett", on="2026-01-01")
    number = app.open_case(TEST_PNR[7], gender="woman", environment="honour", source="self", on="2026-01-10")
    app.grant_consent(number, "police", purpose="samverkan", valid_until="2026-12-31", on="2026-01-11")
    app.record_threat(number, unit="noa", level="high", protection_needed=True, criteria_met=True,
                      review_on="2026-04-01", on="2026-01-12")
    app.record_decision(number, outcome="granted", intervention="protected_housing", period_start="2026-01-12",
                        period_end="2026-06-30", daily_price="2 450,50", on="2026-01-12")
    app.start_placement(number, provider="SKYDD1", intervention="protected_housing", daily_price="2 450,50",
                        planned_end="2026-06-30", on="2026-01-13")
    app.record_payment(number, "44 109,00", period_start="2026-01-13", period_end="2026-01-31", placement="P1",
                       on="2026-02-05")
    app.reverse_payment(number, "B1", amount="2 450,50", on="2026-02-06")
    assert app.get_case(number).version == BUSY_VERSION
    return number


BUSY_VERSION = 7


def _contacts(app: Any, number: str, *, from_version: int, to_version: int) -> None:
    """Record contacts so the case goes from ``from_version`` to ``to_version``."""
    for _ in range(to_version - from_version):
        app.record_contact(number, "phone", on="2026-03-01")


def test_snapshot_at_the_interval_is_stored_and_used_and_loading_equals_the_full_fold(app: Any) -> None:
    """One test, because reaching version 100 is the slow part (on both backends)."""
    assert SNAPSHOT_INTERVAL == 100
    number = _busy_case(app)
    _contacts(app, number, from_version=BUSY_VERSION, to_version=SNAPSHOT_INTERVAL - 1)
    assert _snapshot_rows(app, number) == []

    app.record_contact(number, "meeting", on="2026-03-02")  # version 100
    [row] = _snapshot_rows(app, number)
    assert row.originator_version == SNAPSHOT_INTERVAL

    # After the snapshot: more of everything, so loading must combine snapshot and later events.
    app.record_payment(number, "12 000", period_start="2026-02-01", period_end="2026-02-05", placement="P1",
                       on="2026-03-03")
    app.reverse_payment(number, "B1", amount="100", on="2026-03-04")
    app.change_decision_status(number, "D1", "appealed", on="2026-03-05")
    app.revoke_consent(number, "police", on="2026-03-06")
    app.end_placement(number, "P1", reason="threat", on="2026-03-07")
    app.close_case(number, "moved", on="2026-03-08")
    app.record_followup(number, time_point="closure", housing="supported", occupation="studies", on="2026-03-09")

    assert [r.originator_version for r in _snapshot_rows(app, number)] == [SNAPSHOT_INTERVAL]  # none at 101..107
    events = app.case_events(number)
    assert len(events) == SNAPSHOT_INTERVAL + 7
    assert not any(isinstance(e, ev.Snapshot) for e in events)
    folded = project_case(None, events)
    loaded = app.get_case(number)
    assert loaded == folded
    assert loaded.model_dump(mode="json") == folded.model_dump(mode="json")
    assert (loaded.version, loaded.status) == (SNAPSHOT_INTERVAL + 7, "closed")
    assert loaded.contacts == SNAPSHOT_INTERVAL - BUSY_VERSION
    assert loaded.payments["B1"].reversed == Decimal("2550.50")
    assert loaded.paid_total == Decimal("44109.00") - Decimal("2550.50") + Decimal("12000.00")
    assert loaded.placements["P1"].end_reason == "threat"
    assert loaded.consents["police"][-1].revoked_on.isoformat() == "2026-03-06"

    # The stored snapshot is the fold of exactly the first hundred events, kept on the personal side.
    snapshot = app.mapper.to_domain_event(StoredEvent(row.originator_id, row.originator_version, row.topic,
                                                      bytes(row.state)))
    assert isinstance(snapshot, ev.Snapshot)
    assert CaseState.model_validate(snapshot.state) == project_case(None, events[:SNAPSHOT_INTERVAL])
    sealed = json.loads(bytes(row.state))  # sealed with the person's key: the state is personal through and through
    assert set(sealed) == {"e", "s"} and set(app.mapper.personal_part(sealed, row.originator_id, SNAPSHOT_INTERVAL)) \
        == {"state"}


    # Loading starts from the snapshot: change it behind the application's back and the loaded case
    # shows the change, which a replay of all the events would not.
    state = {"p": app.mapper.personal_part(sealed, row.originator_id, SNAPSHOT_INTERVAL), "s": sealed["s"]}
    state["p"]["state"]["contacts"] = 10_000
    with app.factory.store.write() as conn:
        conn.execute(
            update(snapshots_table)
            .where(snapshots_table.c.originator_id == row.originator_id)
            .values(state=json.dumps(state, sort_keys=True, separators=(",", ":")).encode())
        )
    assert app.get_case(number).contacts == 10_000
    assert project_case(None, app.case_events(number)) == folded
