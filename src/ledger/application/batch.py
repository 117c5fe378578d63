"""Batch mode: many commands checked as usual, written in large transactions (demo data, fixtures).

:class:`BatchLedger` keeps the states its commands build on in memory and collects their events;
:meth:`~BatchLedger.flush` writes what was collected in one transaction, and leaving the ``with``
block writes the rest. This process must be the only writer meanwhile: a conflict at a flush fails
that whole transaction (nothing of it is stored), it is not retried.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from types import TracebackType
from typing import Any, TypeVar
from uuid import UUID

from ledger.application.core import SNAPSHOT_INTERVAL
from ledger.application.gallring import SETTINGS
from ledger.application.service import Ledger
from ledger.domain import events as ev
from ledger.domain.aggregates import PROJECTORS, CaseNumbersState
from ledger.domain.case import CaseState
from ledger.domain.case_fold import project_case
from ledger.domain.errors import TrainingOnly
from ledger.domain.users import project_users

T = TypeVar("T")
_FOLDS: dict[str, Callable[..., Any]] = {**PROJECTORS, "case": project_case, "users": project_users}


class BatchLedger(Ledger):
    """The ledger's commands, collected in memory and written :attr:`flush_every` events at a time."""

    name = "ledger"

    def __init__(self, *, flush_every: int = 5000, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.flush_every = flush_every
        self._at: datetime | None = None
        self._at_day: date | None = None  # the unit's date at ``_at``
        self._pending: list[ev.Event] = []
        self._states: dict[UUID, Any] = {}
        #: The cases' states at the versions a snapshot is taken of, as folded in this batch (plain folds:
        #: not of a case whose corrected history was folded), so that the snapshot need not read them back.
        self._snapshot_states: dict[tuple[UUID, int], dict[str, Any]] = {}
        #: While a flush stores its events: the snapshots they call for, stored together after them.
        self._snapshots_due: list[ev.Snapshot] | None = None
        self._corrected_ids: set[UUID] = set()
        self._rules: Any = None  # the decision rules as read, until the batch itself changes the settings
        #: a user's roles, by the users' state (and its version) they were read from
        self._roles: dict[str, tuple[Any, int, frozenset[Any]]] = {}

    def __enter__(self) -> BatchLedger:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        try:
            if kind is None:
                self.flush()
        finally:  # what was not written is dropped, and the next batch reads the store afresh
            self._pending, self._states, self._rules = [], {}, None
            self._snapshot_states, self._corrected_ids = {}, set()

    def flush(self) -> None:
        """Write the events collected so far in one transaction, then the snapshots they call for in
        one more (one transaction each, with its sync to disk, had taken 4 % of a demo's time)."""
        if self._pending:
            pending, self._pending = self._pending, []
            self._snapshots_due = []
            try:
                super()._save(pending)
                due = self._snapshots_due
            finally:
                self._snapshots_due = None
            if due:
                assert self.snapshots is not None
                self.snapshots.put(due)

    def act_as(self, name: str, on: date | None = None, at: datetime | None = None) -> None:
        """Record the next commands as ``name`` (a user of this training store, with their roles): the
        demo's unit has case workers, a manager and an economist. ``on``: who may see a protected case
        is judged on that day (the demo plays a unit's years, and access grants run a year at a time);
        ``at``: the moment the entries are recorded (the demo's entries are recorded when they would have been)."""
        from ledger.application.gate import Actor, Gate
        from ledger.domain.clock import PinnedClock

        if not self.gate.actor.training:
            raise TrainingOnly(option="--as")
        users = self.users_state()
        version = users.version if users is not None else 0  # the fold changes the state in place
        known = self._roles.get(name)
        if known is None or known[0] is not users or known[1] != version:
            known = self._roles[name] = (users, version, users.roles_of(name) if users is not None else frozenset())
        roles = known[2]
        clock = PinnedClock(self.clock.now(), on) if on is not None else self.clock
        self.gate = Gate(Actor(name, roles, training=True), self.gate.access_log, self.gate.protection, clock)
        from ledger.domain.clock import LOCAL

        self._at = at
        self._at_day = at.astimezone(LOCAL).date() if at is not None else None

    def _recording(self, on: Any, note: str | None) -> ev.Recording:
        """The entry as recorded at ``act_as``'s moment, if one was given: that day is its "today" too
        (a case gets its number in the year it was actualised, as it would have)."""
        recording = super()._recording(on, note)
        if self._at is None or self._at_day is None:
            return recording
        r = recording  # made anew rather than by ``dataclasses.replace`` (one per demo entry)
        return ev.Recording(self._at, r.by, r.on, max(self._at_day, r.on), r.note, r.roles)

    def _retry_after_conflict(self) -> bool:
        return False

    def decision_rules(self) -> Any:
        if self._rules is None:
            self._rules = super().decision_rules()
        return self._rules

    def _save(self, new_events: list[ev.Event]) -> None:
        self._pending.extend(new_events)
        for event in new_events:
            if event.originator_id == SETTINGS:
                self._rules = None
            stream = event.originator_id
            state = self._states[stream] = _FOLDS[event.stream](self._states.get(stream), [event])
            if (event.stream == "case" and event.originator_version % SNAPSHOT_INTERVAL == 0 and state is not None
                    and stream not in self._corrected_ids):
                self._snapshot_states[stream, event.originator_version] = state.model_dump(mode="json")
        if len(self._pending) >= self.flush_every:
            self.flush()

    def take_snapshot(self, aggregate_id: UUID, version: int | None = None,
                      projector_func: Callable[..., Any] = project_case) -> None:
        folded = None
        if version is not None and projector_func is project_case:
            folded = self._snapshot_states.pop((aggregate_id, version), None)
        if folded is None:
            super().take_snapshot(aggregate_id, version, projector_func)
        else:
            self._put_snapshot(aggregate_id, version, CaseState, folded)  # type: ignore[arg-type]  # version is set

    def _put_snapshot(self, stream: UUID, version: int, kind: type[Any], state: dict[str, Any]) -> None:
        if self._snapshots_due is None:
            super()._put_snapshot(stream, version, kind, state)
        else:
            self._snapshots_due.append(self._snapshot(stream, version, kind, state))

    def _load(self, stream: UUID, projector: Callable[..., T | None]) -> T | None:
        if stream not in self._states:
            self._states[stream] = super()._load(stream, projector)  # later commands build on it
        return self._states[stream]  # type: ignore[no-any-return]

    def _last_version(self, stream: UUID) -> int:
        if stream not in self._states:
            version = super()._last_version(stream)
            self._states[stream] = CaseNumbersState(id=stream, version=version) if version else None
        cached = self._states[stream]
        return cached.version if cached is not None else 0

    def _corrected(self, state: CaseState) -> CaseState:
        # Events of this batch not yet written are part of the case too: flush them first.
        self.flush()
        corrected = super()._corrected(state)
        self._states[state.id] = corrected
        self._corrected_ids.add(state.id)  # what is folded onto it now is not the plain fold a snapshot holds
        return corrected
