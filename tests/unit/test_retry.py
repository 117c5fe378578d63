"""A command that loses a race re-runs against the new state until its time budget is spent."""

from __future__ import annotations

from typing import Any

import pytest
from eventsourcing.persistence import IntegrityError

from ledger.bootstrap import memory_ledger
from ledger.domain.errors import ConcurrencyConflict
from tests.conftest import TEST_PNR


def _losing(app: Any, times: int, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Make the next ``times`` saves lose the race (another writer got there first)."""
    attempts: list[int] = []
    save = type(app)._save

    def racing(self: Any, new_events: Any) -> None:
        attempts.append(len(attempts) + 1)
        if len(attempts) <= times:
            raise IntegrityError("duplicate (stream, version)")
        save(self, new_events)

    monkeypatch.setattr(type(app), "_save", racing)
    return attempts


def test_a_command_that_keeps_losing_still_lands_within_its_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Twenty lost races in a row (more than the old budget of twelve attempts) end in a stored entry."""
    app = memory_ledger()
    monkeypatch.setattr("ledger.application.core.MAX_PAUSE", 0.001)
    case = app.open_case(TEST_PNR[0], gender="man", environment="criminal", source="police", on="2026-02-01")
    attempts = _losing(app, 20, monkeypatch)
    app.record_contact(case, "phone", on="2026-02-02")
    assert len(attempts) == 21
    assert app.get_case(case).contacts == 1


def test_when_the_time_is_spent_the_conflict_is_reported_and_nothing_is_stored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = memory_ledger()
    case = app.open_case(TEST_PNR[0], gender="man", environment="criminal", source="police", on="2026-02-01")
    app.retry_seconds = 0.0
    attempts = _losing(app, 1_000_000, monkeypatch)
    with pytest.raises(ConcurrencyConflict):
        app.record_contact(case, "phone", on="2026-02-02")
    assert len(attempts) == 1
    assert app.get_case(case).contacts == 0
