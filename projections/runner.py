"""Catching up: every projection brought to the head of the events, together, a batch at a time.

A window of positions is read once with the driver's cursor (only the topics some projection
reads), each event decoded once and handed to every projection that has not seen it, and each
projection's changed rows (:mod:`ledger.projections.rows`) and its new position are written **in
one transaction** — so a crash never applies an event twice or skips one. On SQLite the library's
subscription does not exist, so reading commands pull (:func:`catch_up`) before they answer; the
same code runs on PostgreSQL. A long catch-up replays each window outside the write lock and takes
the lock only to write (:data:`APART_FROM`); projections far behind (a rebuild) catch up in
parallel processes, a group of them in each (:data:`PARALLEL_FROM`, ``projections/parallel.py``).

Why it is built like this (``docs/performance.md``): decoding pydantic events, SQLAlchemy's
parameter processing and one function layer after another per event cost a rebuild four times
what the handlers themselves need.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Sequence
from contextlib import closing
from functools import partial
from sys import intern
from typing import Any

from sqlalchemy import Connection, delete

from ledger.adapters.schema import events_table, tracking_table
from ledger.adapters.store import SQLStore
from ledger.projections.corrections import correction_ids, corrections, stale
from ledger.projections.projection import Fact, Handler, Projection
from ledger.projections.rows import Unit
from ledger.projections.versions import check_versions

#: Positions per transaction when catching up. A few events after a command fit in one; a
#: rebuild of a million events is ten transactions (about two seconds each on SQLite, where a
#: transaction that writes holds the store's write lock), each writing its rows once at its end.
BATCH = 100_000

#: Events read from the database at a time within a batch.
FETCH = 10_000

#: Projections this many positions behind (a rebuild, a new version) catch up in parallel processes,
#: a group of them in each (``projections/parallel.py``): forking and opening the store costs less
#: than a tenth of what the second core saves from here on.
PARALLEL_FROM = 20_000

#: A catch-up of more positions than this replays each window in a read transaction and takes the
#: write lock only to write its rows: a replay of 100 000 positions holds no lock for seconds. A
#: few positions (the usual catch-up before an answer) replay under the lock, one transaction less.
APART_FROM = 1_000

Decoder = Callable[[bytes], dict[str, Any]]
Progress = Callable[[str, int, int], None]


def catch_up(store: SQLStore, decode: Decoder, projections: Iterable[Projection], *, batch: int | None = None,
             progress: Progress | None = None, processes: int | None = None) -> dict[str, int]:
    """Bring the projections up to the head of the log; returns the position each reached.

    ``decode`` turns a stored state into its two parts (the mapper's ``state_decoder()``); each
    transaction covers ``batch`` positions (default :data:`BATCH`). Projections at least
    :data:`PARALLEL_FROM` positions behind catch up in up to ``processes`` processes at once (see
    :func:`_groups`; ``1``: in this process only).
    """
    chosen = list(projections)
    decode = _faster(decode)
    check_versions(store, chosen)
    if not chosen:
        return {}
    while True:
        # A correction rewrites an entry that projections may already have used: a projection
        # that has seen the entry but not its correction is wiped and replays from zero.
        outdated = stale(store, chosen)
        if outdated:
            rebuild(store, *outdated)
        reached = _catch_up(store, decode, chosen, batch, progress, processes)
        if reached is not None:
            return reached


def _catch_up(store: SQLStore, decode: Decoder, chosen: list[Projection], batch: int | None,
              progress: Progress | None, processes: int | None) -> dict[str, int] | None:
    """One pass of :func:`catch_up`; ``None`` when a correction arrived meanwhile (start again)."""
    names = [p.name for p in chosen]
    with store.read() as conn:
        at = {name: store.position(conn, name) for name in names}
        head = store.head(conn)
    if min(at.values()) >= head:
        return at  # nothing to do: a reading command does not wait for the projections' write lock
    far = [p for p in chosen if head - at[p.name] >= PARALLEL_FROM]
    if len(far) > 1 and len(groups := _groups(far, processes)) > 1 and not SQLStore.in_use(store):
        from ledger.projections.parallel import in_parallel

        in_parallel(store, decode, groups, batch, progress)  # what is left (appended meanwhile) is done below
        with store.read() as conn:
            at = {name: store.position(conn, name) for name in names}
            head = store.head(conn)
    lowest = min(at.values())
    # A long replay runs outside the write lock (event writers and other readers go on meanwhile on
    # SQLite, and parallel groups overlap), and its rows are written under the lock afterwards.
    apart = head - lowest > APART_FROM
    # Only a replay from zero needs the corrections recorded so far (one scan); past entries of
    # a projection further on were corrected before its position, or make it stale (above).
    loaded = lowest == 0
    fixes, through = corrections(store, decode) if loaded else ({}, lowest)
    size = batch or BATCH
    units: dict[str, Unit] = {}
    expected: dict[str, int] = {}
    while True:
        with store.read() if apart else store.projection(*names) as conn:
            positions = {name: store.position(conn, name) for name in names}
            head = store.head(conn)
            low = min(positions.values())
            if low >= head:
                return positions
            if low < through and not loaded:
                return None  # another process wiped a projection: its replay from zero needs the corrections
            high = min(head, low + size)
            for p in chosen:
                # Keep the cached rows only if nobody else moved this projection since our last batch.
                if p.name in units and expected.get(p.name) == positions[p.name]:
                    units[p.name].rebind(conn)
                else:
                    units[p.name] = Unit(conn, store.dialect, p.tables, complete=positions[p.name] == 0)
            behind = [p for p in chosen if positions[p.name] < high]
            if high > through and correction_ids(store, conn, max(low, through), high):
                return None  # a correction recorded after this pass began
            with closing(_notifications(store, conn, low, high, behind)) as chunks:  # closed on errors too
                _replay(chunks, decode, behind, positions, units, fixes)
            if not apart:
                _write(store, conn, chosen, units, positions, high, expected)
        if apart:
            with store.projection(*names) as conn:
                if {name: store.position(conn, name) for name in names} != positions:
                    # Another process caught some of them up meanwhile: this window's rows are not
                    # written; the next one starts from where the other left them, replayed under
                    # the lock, so that two processes catching up at once take turns instead of
                    # both replaying every window.
                    units.clear()
                    apart = False
                    continue
                for unit in units.values():
                    unit.rebind(conn)
                _write(store, conn, chosen, units, positions, high, expected)
        if progress:
            for name in names:
                progress(name, high, head)


def _write(store: SQLStore, conn: Connection, chosen: list[Projection], units: dict[str, Unit],
           positions: dict[str, int], high: int, expected: dict[str, int]) -> None:
    """A window's rows and the projections' new positions, in the write transaction ``conn``."""
    for projection in chosen:
        units[projection.name].flush()
        if high > positions[projection.name]:
            store.track(conn, projection.name, high)
        expected[projection.name] = max(high, positions[projection.name])


def _groups(chosen: list[Projection], processes: int | None) -> list[list[Projection]]:
    """The projections split into groups of about equal work (by :attr:`Projection.weight`), one per
    process: at most ``processes`` (``None``: as many as this process may use cores, and only where
    processes can be forked, from a process with no other thread, which a fork could catch holding
    a lock)."""
    from ledger.adapters.forking import usable_processes

    count = min(usable_processes(processes), len(chosen))
    if count < 2:
        return [chosen]
    groups: list[list[Projection]] = [[] for _ in range(count)]
    loads = [0.0] * count
    for projection in sorted(chosen, key=lambda p: -p.weight):
        lightest = loads.index(min(loads))
        groups[lightest].append(projection)
        loads[lightest] += projection.weight
    return groups


def _faster(decode: Decoder) -> Decoder:
    """The mapper's decoder of plain stored JSON (no whole-state cipher or compression) done by
    pydantic-core's JSON parser, which gives the same values a third faster than the C scanner of
    ``json`` (its cache of keys shares one string per key)."""
    from ledger.adapters import mapper

    if decode is getattr(mapper, "_decode_canonical", None):
        from pydantic_core import from_json

        return partial(from_json, cache_strings="keys")
    return decode


def _replay(chunks: Iterable[Sequence[Any]], decode: Decoder, behind: list[Projection], positions: dict[str, int],
            units: dict[str, Unit], fixes: dict[tuple[Any, int], dict[str, Any]]) -> None:
    """Hand each event, decoded once, to each projection that reads it and has not seen it."""
    low = min(positions[p.name] for p in behind)
    # Per topic: (handler, unit) of each projection that reads it.
    routes: dict[str, list[tuple[Handler, Unit]]] = {}
    for chunk in chunks:
        for position, stream, version, topic, state in chunk:
            # One string per case (SQLite's ids are text), shared by its rows in memory and by the case
            # ids kept of rows let go.
            originator_id = intern(stream) if type(stream) is str else stream
            route = routes.get(topic)
            if route is None:
                route = routes[topic] = [
                    (handler if positions[p.name] == low else _unseen(handler, positions[p.name]), units[p.name])
                    for p in behind if (handler := p.handler(topic)) is not None
                ]
            fact: Fact = decode(state)["s"]
            if fixes:
                fix = fixes.get((originator_id, version))
                if fix is not None:
                    fact.update(fix)
            fact["originator_id"] = originator_id
            fact["originator_version"] = version
            fact["_position"] = position
            for handle, unit in route:
                handle(unit, fact)


def _unseen(handle: Handler, seen: int) -> Handler:
    """``handle`` for a projection already further than the batch's start: only events after ``seen``."""

    def unseen(unit: Unit, fact: Fact) -> None:
        if fact["_position"] > seen:
            handle(unit, fact)

    return unseen


def _notifications(store: SQLStore, conn: Connection, low: int, high: int,
                   projections: list[Projection]) -> Generator[Sequence[Any], None, None]:
    """The events at positions ``low`` < id <= ``high`` that some of ``projections`` read.

    Oldest first, in chunks of ``(id, originator_id, originator_version, topic, state)`` rows read
    with the driver's cursor.
    """
    mark = store.mark
    topics = sorted({topic for p in projections for topic in p.topics})
    query = (f"SELECT id, originator_id, originator_version, topic, state FROM {events_table.name} "
             f"WHERE id > {mark} AND id <= {mark} AND topic IN ({', '.join([mark] * len(topics))}) ORDER BY id")
    cursor = conn.connection.cursor()
    try:
        cursor.execute(query, (low, high, *topics))
        while chunk := cursor.fetchmany(FETCH):
            yield chunk
    finally:
        cursor.close()


def rebuild(store: SQLStore, *projections: Projection) -> None:
    """Wipe the projections' rows and positions (in one transaction); the next catch-up replays everything."""
    with store.projection(*(p.name for p in projections)) as conn, store.dialect.fast_delete(conn):
        for projection in projections:
            projection.reset(conn)
            conn.execute(delete(tracking_table).where(tracking_table.c.application_name == projection.name))


__all__ = ["BATCH", "catch_up", "rebuild"]
