"""Checking the stored snapshots against the chained events they were taken from (part of ``ledger
verify``, run by :func:`ledger.adapters.verification.verify_store` after the chain verified)."""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from ledger.adapters.chain import stream_text
from ledger.adapters.verification import Problem

if TYPE_CHECKING:
    from ledger.adapters.store import SQLStore


def verify_snapshots(store: SQLStore, conn: Any, mapper: Any = None, checked: Collection[str] = ()) -> Problem | None:
    """Every stored snapshot must be exactly what the application would take from the stream's events.

    Snapshots (``ledger_snapshots``) are derived data, not chained, yet the write side starts from
    them; so each is checked by folding the stream's events up to the snapshot's version with the
    projector the application uses (a case: :func:`ledger.domain.case_fold.project_case`) and
    comparing with the stored state the way the application stores it (``model_dump(mode="json")``;
    a case with corrections may also match its corrected fold). A snapshot of an older shape of the
    state is not used by the application (it folds from the first event), so it is not checked. Run
    after the chain verified, in the same read, so the events folded are the chained ones. Only
    streams that have snapshots are read, one stream at a time (memory stays bounded). ``checked``:
    streams (as their text) a worker process already found matching (:func:`matching_streams`, from
    :func:`ledger.adapters.verification.checked_in_parallel`): not checked again.
    """
    streams = store.snapshot_streams(conn)
    if not streams:
        return None
    checker = _SnapshotChecker(mapper)
    for stream in streams:
        if checked and stream_text(stream) in checked:
            continue
        problem = checker.check(store, conn, stream)
        if problem is not None:
            return problem
    return None


def matching_streams(store: SQLStore, conn: Any, streams: list[Any], mapper: Any = None) -> list[str]:
    """Of ``streams``, those whose every snapshot matches (or could not be opened here, as
    :func:`verify_snapshots` skips them), as their text: a worker's share of the check."""
    checker = _SnapshotChecker(mapper)
    return [stream_text(stream) for stream in streams if checker.check(store, conn, stream) is None]


class _SnapshotChecker:
    """Folds a stream's events and compares each of its snapshots (see :func:`verify_snapshots`)."""

    def __init__(self, mapper: Any = None) -> None:
        from ledger.adapters.mapper import PydanticMapper
        from ledger.domain import events as ev
        from ledger.domain.aggregates import PROJECTORS
        from ledger.domain.case import OLD_CASE_STATE_TOPICS
        from ledger.domain.case_fold import project_case
        from ledger.domain.corrections import apply_corrections

        self.ev = ev
        self.mapper = mapper or PydanticMapper()
        #: Streams whose snapshots could not be checked: no key (the key file missing) or thinned.
        self.skipped = 0
        self.snapshot_topic = ev.topic_of(ev.Snapshot)
        self.old_shapes = OLD_CASE_STATE_TOPICS
        self.apply_corrections = apply_corrections
        self.project_case = project_case
        #: The folds the application uses, by the stream kind of their events.
        self.projectors: dict[str, Any] = {**PROJECTORS, "case": project_case}

    def check(self, store: SQLStore, conn: Any, raw_stream: Any) -> Problem | None:
        from uuid import UUID

        from eventsourcing.persistence import StoredEvent

        name = stream_text(raw_stream)
        snapshots = store.stream_snapshots(conn, raw_stream)

        def altered(version: Any, position: int = 0, case: str | None = None) -> Problem:
            detail: dict[str, Any] = {"stream": name, "version": version}
            if case:
                detail["case"] = case
            return Problem("snapshot_altered", position, detail)

        try:
            stream = UUID(name)
            versions = [_version(v) for v, _, _ in snapshots]
        except (TypeError, ValueError):
            return altered(snapshots[0][0] if snapshots else None)
        rows = store.stream_events(conn, raw_stream, max(versions))
        from ledger.domain.errors import KeyUnavailable, PersonThinned

        try:
            events = [self.mapper.to_domain_event(StoredEvent(stream, v, t, st)) for _, v, t, st in rows]
        except (KeyUnavailable, PersonThinned):  # sealed, and no key to open them here: not checked
            self.skipped += 1
            return None
        try:
            kind = events[0].stream if events else None
            projector = self.projectors[kind] if kind is not None else None
        except Exception:  # noqa: BLE001 - the chained events cannot be read: no snapshot of them can be trusted
            return altered(versions[0])
        positions = {v: p for p, v, _, _ in rows}
        state, folded, case = None, 0, None
        for version, (_, topic, stored) in zip(versions, snapshots, strict=True):
            try:
                while folded < len(events) and events[folded].originator_version <= version:
                    state = projector(state, [events[folded]])  # type: ignore[misc]
                    folded += 1
            except Exception:  # noqa: BLE001 - the application could not fold them either
                return altered(version, positions.get(version, 0), case)
            case = getattr(state, "case_number", None) or case
            if version not in positions or state is None:
                return altered(version, positions.get(version, 0), case)
            try:
                snapshot = self._read(topic, stored, stream, version)
            except (KeyUnavailable, PersonThinned):
                self.skipped += 1
                return None
            if snapshot is not None and snapshot.topic in self.old_shapes:
                continue  # an older shape of the state: the application does not use it
            if snapshot is None or not self._matches(snapshot, state, events[:folded] if kind == "case" else None):
                return altered(version, positions.get(version, 0), case)
        return None

    def _read(self, topic: Any, stored: bytes, stream: Any, version: int) -> Any:
        """The stored snapshot, or ``None`` when it is not readable as one."""
        from eventsourcing.persistence import StoredEvent

        if topic != self.snapshot_topic:  # checked before decoding: a topic names code to import
            return None
        from ledger.domain.errors import KeyUnavailable, PersonThinned

        try:
            return self.mapper.to_domain_event(StoredEvent(stream, version, topic, stored))
        except (KeyUnavailable, PersonThinned):
            raise  # no key here to open it: not checked, not "altered"
        except Exception:  # noqa: BLE001 - not readable as a snapshot at all
            return None

    def _matches(self, snapshot: Any, state: Any, case_events: list[Any] | None) -> bool:
        """Whether the snapshot is the state folded (``case_events``: a case's events so far)."""
        if snapshot.topic != self.ev.topic_of(type(state)):
            return False
        taken = _canonical(snapshot.state)
        if taken == _canonical(state.model_dump(mode="json")):
            return True
        if case_events is None or not any(isinstance(e, self.ev.EntryCorrected) for e in case_events):
            return False
        try:
            corrected = self.project_case(None, self.apply_corrections(case_events))
        except Exception:  # noqa: BLE001 - the corrections do not fold: only the plain fold can match
            return False
        return corrected is not None and taken == _canonical(corrected.model_dump(mode="json"))


def _version(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(value)
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


