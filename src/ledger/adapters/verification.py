"""Checking the hash chain: walking positions in order and naming the first problem and where it is.

:class:`Verifier` is fed from the database (:func:`verify_store`, in windows of positions, so memory
stays bounded on a million events) or from an archive (:mod:`ledger.adapters.archive`). Stored
snapshots are checked too (:mod:`ledger.adapters.snapshot_check`): each must be what the application
would fold from the chained events.
The link formula itself is :mod:`ledger.adapters.chain`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ledger.adapters.chain import (
    CHAIN_TAG,
    GENESIS,
    Digest,
    Head,
    access_link,
    link,
    link_hex,
    payload_hash,
    stream_text,
)

if TYPE_CHECKING:
    from ledger.adapters.store import SQLStore

WINDOW = 10_000
#: From this many positions on, ``verify`` checks the chain's windows in parallel processes first
#: (:func:`checked_in_parallel`), when this process may use more than one core.
PARALLEL_FROM = 200_000
#: Chain entries read beyond a window: an event moved across a window's edge by up to this many
#: positions is still reported as moved (``out_of_order``), not merely altered.
REACH = 64

#: What can be wrong at a position, in the order a person would look for it.
KINDS = (
    "event_missing",       # the chain has an entry here, the events table has no event (or neither has)
    "chain_missing",       # an event without its chain entry
    "out_of_order",        # the event here was chained at another position (rows moved or swapped)
    "payload_altered",     # the event's stored bytes no longer match the hash recorded for them
    "link_altered",        # the entry does not match its event (stream, version, type) or the previous link
    "unexpected_entry",    # a row at a position the chain cannot have (below 1)
    "digest_mismatch",     # the store does not extend a digest taken earlier
    "truncated",           # the store is shorter than a digest taken earlier
    "snapshot_altered",    # a stored snapshot does not match the chained events it was taken from
    "access_missing",      # a row of the access log is missing at this position (deleted)
    "access_altered",      # a row of the access log was changed or moved
    "access_digest_mismatch",  # the access log does not extend a digest taken earlier
    "access_truncated",    # the access log is shorter than a digest taken earlier
)


# -- verification -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """The first thing wrong: what (one of :data:`KINDS`) and at which position."""

    kind: str
    position: int
    detail: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "position": self.position, **self.detail}


@dataclass
class Report:
    """What a verification found: the heads it reached (the events', the access log's), and the first
    problem if any."""

    events: int = 0
    head: Head = field(default_factory=lambda: Head(0, GENESIS))
    problem: Problem | None = None
    digests: list[dict[str, Any]] = field(default_factory=list)
    backfill: dict[str, Any] | None = None
    access: Head | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def digest(self) -> Digest:
        return Digest(self.head, self.access)

    def as_dict(self) -> dict[str, Any]:
        found = {
            "ok": self.ok,
            "events": self.events,
            "head": {"position": self.head.position, "hash": self.head.hash},
            "problem": self.problem.as_dict() if self.problem else None,
            "digests": self.digests,
            "backfilled": self.backfill,
        }
        if self.access is not None:
            found["access"] = {"position": self.access.position, "hash": self.access.hash}
        return found


#: An event as the chain sees it: (stream text, version, topic, stored bytes).
Event = tuple[str, int, str, bytes]
#: A chain entry: (recorded_at, payload_hash, hash).
Entry = tuple[str, str, str]


class Verifier:
    """Checks positions 1, 2, 3, … in order; stops being useful after the first problem."""

    def __init__(self, digests: Iterable[Head] = ()) -> None:
        self.previous = GENESIS
        self.position = 0
        self.digests = sorted(set(digests), key=lambda h: (h.position, h.hash))
        self._next_digest = 0
        self.quoted_topics: dict[str, str] = {}  # the quoted text of a topic and a stream, as in a link
        self.quoted_streams: dict[Any, str] = {}
        self.matched: list[Head] = []
        self._pending = self._check_digests()  # a digest of the empty store (position 0)

    @property
    def head(self) -> Head:
        return Head(self.position, self.previous)

    def check(self, position: int, event: Event | None, entry: Entry | None,
              window: Mapping[int, Entry] | None = None) -> Problem | None:
        """Check the event and chain entry stored at ``position`` (the next one expected).

        ``window`` holds nearby chain entries by position; an event that does not match its own
        entry but matches one of those was moved (``out_of_order``)."""
        if self._pending is not None:
            return self._pending
        if position < 1:
            return Problem("unexpected_entry", position) if event is not None or entry is not None else None
        if event is None:
            return Problem("event_missing", position)
        if entry is None:
            return Problem("chain_missing", position)
        stream, version, topic, state = event
        when, recorded_payload, stored = entry
        actual_payload = payload_hash(state)
        try:
            expected: str | None = link(self.previous, position, stream, version, topic, when, recorded_payload)
        except (TypeError, ValueError):  # a column altered into something that is not a number
            expected = None
        payload_ok = actual_payload == recorded_payload
        if payload_ok and expected == stored:
            self.previous, self.position = stored, position
            return self._check_digests()
        if not payload_ok and window:
            moved = next((p for p, e in window.items() if p != position and e[1] == actual_payload), None)
            if moved is not None:
                return Problem("out_of_order", position, {"chained_at": moved})
        if not payload_ok and expected == stored:
            return Problem("payload_altered", position)
        return Problem("link_altered", position)

    @property
    def pending(self) -> bool:
        """A problem found before the first position (a digest of the empty store that does not match)."""
        return self._pending is not None

    def digest_within(self, start: int, stop: int) -> bool:
        """Whether a digest still to be checked was taken at a position from ``start`` to ``stop``."""
        return any(start <= d.position <= stop for d in self.digests[self._next_digest:])

    def _check_digests(self) -> Problem | None:
        while self._next_digest < len(self.digests) and self.digests[self._next_digest].position <= self.position:
            digest = self.digests[self._next_digest]
            if digest.position == self.position and digest.hash != self.previous:
                after = self.matched[-1].position if self.matched else 0
                return Problem("digest_mismatch", self.position, {"last_matching_digest": after})
            self.matched.append(digest)
            self._next_digest += 1
        return None

    def finish(self) -> Problem | None:
        """After the last position: a digest beyond the head means the store lost its tail."""
        if self._pending is not None:
            return self._pending
        if self._next_digest < len(self.digests):
            beyond = self.digests[self._next_digest].position
            return Problem("truncated", self.position + 1, {"digest_position": beyond})
        return None

    def report(self, problem: Problem | None, backfill: dict[str, Any] | None = None) -> Report:
        digests = [{"position": d.position, "hash": d.hash, "extended": d in self.matched} for d in self.digests]
        return Report(self.position, self.head, problem, digests, backfill)


def verify_store(store: SQLStore, digests: Iterable[Digest] = (), window: int | None = None, mapper: Any = None,
                 processes: int | None = None) -> Report:
    """Recompute the whole chain of ``store`` in one consistent read, then check every stored snapshot
    against the (now verified) events it was taken from, then the access log's chain; name the first
    problem. Digests are checked against both chains (a digest written before the access log was
    chained holds the events' head only). A long chain's windows are hashed in parallel processes
    first (:func:`checked_in_parallel`; ``processes``: how many, ``None``: one per usable core)."""
    digests, window = list(digests), window or WINDOW
    verifier = Verifier(d.events for d in digests)
    with ExitStack() as reading:
        shared: list[Any] = []

        def begin() -> str | None:
            """This command's read, begun before the workers' (on PostgreSQL, theirs see its snapshot)."""
            shared.append(reading.enter_context(store.read()))
            return store.dialect.share_read(shared[0])

        checked = checked_in_parallel(store, window, processes, mapper, snapshots=True, begin=begin)
        return _verified(store, shared[0] if shared else reading.enter_context(store.read()), verifier, window,
                         checked, mapper, digests)


def _verified(store: SQLStore, conn: Any, verifier: Verifier, window: int, checked: Checked, mapper: Any,
              digests: list[Digest]) -> Report:
    """:func:`verify_store` in its read ``conn``."""
    backfill = store.chain_backfill(conn)
    problem = walk_chain(store, conn, verifier, window, checked.windows)
    if problem is not None:
        return verifier.report(problem, backfill)
    problem = verifier.finish()
    if problem is None:
        from ledger.adapters.snapshot_check import verify_snapshots

        problem = verify_snapshots(store, conn, mapper, checked.streams)
    access, access_problem = verify_access(store, conn, [d.access for d in digests if d.access is not None])
    report = verifier.report(problem or access_problem, backfill)
    report.access = access
    return report


def walk_chain(store: SQLStore, conn: Any, verifier: Verifier, window: int = WINDOW,
               checked: Mapping[int, tuple[int, str, str]] | None = None) -> Problem | None:
    """Every position of the events' chain, in windows, through ``verifier``: the first problem, or None.

    ``checked``: windows already found intact by another process (:func:`checked_in_parallel`), by
    first position: the last position, the link it was checked from and its own last link. One is
    taken as it is only where the chain verified so far ends in exactly that link (and no digest
    falls inside it): then this process would compute the same. Every other window is checked here."""
    low, high = store.chain_bounds(conn)
    for start in range(low, high + 1, window):
        stop = min(start + window - 1, high)
        done = checked.get(start) if checked else None
        if (done is not None and done[0] == stop and done[1] == verifier.previous and verifier.position == start - 1
                and not verifier.pending and not verifier.digest_within(start, stop)):
            verifier.previous, verifier.position = done[2], stop
            continue
        if intact_window(store, conn, verifier, start, stop):
            continue
        events, entries = store.chain_window(conn, start, stop, REACH)
        for position in range(start, stop + 1):
            problem = verifier.check(position, events.get(position), entries.get(position), entries)
            if problem is not None:
                return problem
    return None


@dataclass
class Checked:
    """What workers found whole (:func:`checked_in_parallel`): windows of the chain, by first position,
    with their last position, the link each was checked from and its own last link; and the streams
    whose every snapshot matched the fold of the stream's events."""

    windows: dict[int, tuple[int, str, str]] = field(default_factory=dict)
    streams: set[str] = field(default_factory=set)


def checked_in_parallel(store: SQLStore, window: int = WINDOW, processes: int | None = None, mapper: Any = None,
                        snapshots: bool = False, begin: Callable[[], str | None] | None = None) -> Checked:
    """The chain's windows hashed the fast way (:func:`intact_window`) in processes forked from this one
    (:mod:`ledger.adapters.forking`), each a contiguous share of the windows, and with ``snapshots``
    each a share of the streams with snapshots checked (:mod:`ledger.adapters.snapshot_check`, with
    ``mapper``). What was found whole, for :func:`walk_chain` and ``verify_snapshots``; nothing for a
    chain shorter than :data:`PARALLEL_FROM` (unless ``processes`` is given), or where this process
    cannot fork.

    ``begin``: called once the workers are forked, before they read: it begins the command's own read
    (:meth:`~ledger.adapters.dialect.Dialect.share_read`), and the workers read what it names (on
    PostgreSQL the very same snapshot; on SQLite a read of their own, begun after the command's). A
    window only counts where its start matches the chain verified so far in the command's read; a
    stream's snapshots are taken as checked against the events the worker read
    (docs/tamper-evidence.md). A worker that fails leaves its share to the command."""
    from ledger.adapters.forking import run_forked, usable_processes
    from ledger.adapters.store import SQLStore

    found = Checked()
    count = usable_processes(processes)
    if count < 2 or SQLStore.in_use(store):  # a child would inherit the open connection
        return found
    with store.read() as conn:
        low, high = store.chain_bounds(conn)
        long_enough = processes is not None or high - low + 1 >= PARALLEL_FROM
        streams = store.snapshot_streams(conn) if snapshots and long_enough else []
    if not long_enough:
        return found
    starts = [start for start in range(low, high + 1, window) if start >= 1]
    count = min(count, max(len(starts), len(streams)))
    if count < 2:
        return found

    def share(items: list[Any], i: int) -> list[Any]:
        return items[len(items) * i // count:len(items) * (i + 1) // count]

    def receive(kind: str, what: Any) -> None:
        if kind == "windows":
            found.windows.update(what)
        elif kind == "streams":
            found.streams.update(what)

    jobs = [(f"verify {i + 1}/{count}", _check_share, (store.url, share(starts, i), window, high, share(streams, i),
                                                      mapper)) for i in range(count)]
    with suppress(Exception):  # a worker's failure: what it did not send, the command checks itself
        run_forked(store, jobs, receive, ready=begin or (lambda: None))
    return found


def _check_share(send: Any, snapshot: str | None, url: str, starts: list[int], window: int, high: int,
                 streams: list[Any], mapper: Any) -> None:
    """In a forked process: :func:`intact_window` over consecutive windows, each from the link before it
    (the stored one, where the window before was not intact), the intact ones sent back; then the
    snapshots of ``streams``, the streams whose snapshots all matched sent back."""
    from ledger.adapters.store import SQLStore

    store = SQLStore(url)
    done: dict[int, tuple[int, str, str]] = {}
    previous: str | None = None
    with store.read() as conn:
        store.dialect.join_read(conn, snapshot)
        for start in starts:
            stop = min(start + window - 1, high)
            if previous is None:
                previous = GENESIS if start == 1 else conn.exec_driver_sql(
                    f"SELECT hash FROM ledger_chain WHERE position = {store.mark}", (start - 1,)).scalar()
            verifier = Verifier()
            verifier.previous, verifier.position = previous or GENESIS, start - 1
            if previous is not None and intact_window(store, conn, verifier, start, stop):
                done[start] = (stop, previous, verifier.previous)
                previous = verifier.previous
            else:
                previous = None
        send.send(("windows", done))
        if streams:
            from ledger.adapters.snapshot_check import matching_streams

            send.send(("streams", matching_streams(store, conn, streams, mapper)))
    store.engine.dispose()


def intact_window(store: SQLStore, conn: Any, verifier: Verifier, start: int, stop: int,
                  collect: list[tuple[Any, ...]] | None = None) -> bool:
    """The fast way through a window of positions: events and chain entries in one joined read through
    the driver, each payload and link hashed in a tight loop. True when every position is there and
    chains on (the verifier then stands at ``stop``); False at the first thing that is not so, or when a
    digest falls inside the window, with the verifier untouched: the window is then walked the careful
    way (:meth:`Verifier.check`), which names the problem and where it is. The hashes are the same
    functions; only the reading and the bookkeeping are leaner (``bench/bench_ledger.py --only verify``).
    ``collect``: each row as read, ``(position, stream, version, topic, state, recorded_at, payload_hash,
    hash)``, appended to it (the archive's lines), complete only when True is returned."""
    from ledger.adapters.store import as_bytes

    if start < 1 or verifier.pending or verifier.digest_within(start, stop):
        return False
    m = store.mark
    previous, expected, sha256, head = verifier.previous, start, hashlib.sha256, f'["{CHAIN_TAG}",'
    quoted, streams = verifier.quoted_topics, verifier.quoted_streams
    cursor = conn.connection.cursor()  # the driver's cursor, in this read's transaction: no row objects
    try:
        cursor.execute(
            "SELECT e.id, e.originator_id, e.originator_version, e.topic, e.state, c.recorded_at, c.payload_hash, "
            f"c.hash FROM ledger_events e JOIN ledger_chain c ON c.position = e.id WHERE e.id BETWEEN {m} AND {m} "
            "ORDER BY e.id", (start, stop))
        for position, stream, version, topic, stored_state, when, recorded, stored in cursor:
            state = stored_state if type(stored_state) is bytes else as_bytes(stored_state)
            if position != expected or sha256(state).hexdigest() != recorded:
                return False
            # The link's text (chain.link) built in place: the stream's and the topic's quoted text looked
            # up (a stream has many events), the timestamp put in as it is when JSON would not escape any
            # of it (printable ASCII without a quote or a backslash): then the text is exactly the canonical
            # one. Anything else goes through link_hex, which quotes it as the definition does.
            q = quoted.get(topic)
            if q is None:
                q = quoted[topic] = json.dumps(topic)
            t = streams.get(stream)
            if t is None:
                t = streams[stream] = json.dumps(stream_text(stream))
            if type(version) is int and '"' not in when and "\\" not in when and when.isascii() and when.isprintable():
                text = f'{head}{position},{t},{version},{q},"{when}","{recorded}","{previous}"]'
                if sha256(text.encode("ascii")).hexdigest() != stored:
                    return False
            elif link_hex(previous, position, stream_text(stream), version, topic, when, recorded) != stored:
                return False
            previous, expected = stored, expected + 1
            if collect is not None:
                collect.append((position, stream, version, topic, state, when, recorded, stored))
    except (TypeError, ValueError, UnicodeEncodeError):  # a column altered into something of another type
        return False
    finally:
        cursor.close()
    if expected != stop + 1:  # a position without its event or its entry: the careful way says which
        return False
    verifier.previous, verifier.position = previous, stop
    return True


# -- the access log -----------------------------------------------------------------------------------

ACCESS_ROWS = ("SELECT position, accessed_at, user_name, case_number, command, protection_level, protected, "
                "reason, outcome, hash FROM ledger_access_log ORDER BY position")


class AccessWalk:
    """The access log's chain checked row by row (positions 1, 2, 3, … each row's hash recomputed over
    the row and the one before), against any digests' access heads: the same checks for the table
    (:func:`verify_access`) and for an archive's access lines. The first deleted (``access_missing``),
    edited or moved (``access_altered``) row is named at its position; a digest the log no longer
    extends (``access_digest_mismatch``) or reaches beyond its end (``access_truncated``) too."""

    def __init__(self, digests: Iterable[Head] = ()) -> None:
        self.wanted = sorted(set(digests), key=lambda h: (h.position, h.hash))
        self.previous, self.expected = GENESIS, 1

    @property
    def head(self) -> Head:
        return Head(self.expected - 1, self.previous)

    def start(self) -> Problem | None:
        while self.wanted and self.wanted[0].position == 0:  # taken before anything was read
            if self.wanted.pop(0).hash != GENESIS:
                return Problem("access_digest_mismatch", 0)
        return None

    def check(self, position: int, accessed_at: Any, user: str, case: str | None, command: str, level: str,
              protected: bool, reason: str | None, outcome: str, stored: str) -> Problem | None:
        return self.check_text(position, access_time_text(accessed_at), user, case, command, level, protected,
                               reason, outcome, stored)

    def check_text(self, position: int, accessed_at: str, user: str, case: str | None, command: str, level: str,
                   protected: bool, reason: str | None, outcome: str, stored: str) -> Problem | None:
        """:meth:`check`, the moment already as :func:`access_time_text` gives it."""
        if position != self.expected:
            return Problem("access_missing" if position > self.expected else "access_altered", self.expected)
        link = access_link(self.previous, position, accessed_at, user, case, command, level, bool(protected), reason,
                           outcome)
        if link != stored:
            return Problem("access_altered", position)
        self.previous, self.expected = link, position + 1
        while self.wanted and self.wanted[0].position == position:
            if self.wanted.pop(0).hash != link:
                return Problem("access_digest_mismatch", position)
        return None

    def finish(self) -> Problem | None:
        if self.wanted:
            return Problem("access_truncated", self.expected, {"digest_position": self.wanted[0].position})
        return None


def access_time_text(accessed_at: Any) -> str:
    """An access-log row's moment as it is hashed and archived: ISO text in UTC, without an offset
    (SQLite gives the stored text, PostgreSQL a ``datetime``)."""
    from datetime import datetime

    at = accessed_at if isinstance(accessed_at, datetime) else datetime.fromisoformat(str(accessed_at))
    return at.replace(tzinfo=None).isoformat()


def access_rows(conn: Any) -> Iterator[tuple[Any, ...]]:
    """The access log's rows (:data:`ACCESS_ROWS`) through the driver's cursor, in ``conn``'s transaction:
    no row objects (a log has an entry per case shown)."""
    cursor = conn.connection.cursor()
    try:
        cursor.execute(ACCESS_ROWS)
        while rows := cursor.fetchmany(WINDOW):
            yield from rows
    finally:
        cursor.close()


def verify_access(store: SQLStore, conn: Any, digests: list[Head]) -> tuple[Head | None, Problem | None]:
    """Walk the access log's chain in the table (:class:`AccessWalk`). ``(None, None)``: the store
    has no access log yet."""
    from sqlalchemy import inspect

    if not inspect(conn).has_table("ledger_access_log"):
        return None, None
    walk = AccessWalk(digests)
    problem = walk.start()
    if problem is not None:
        return walk.head, problem
    for row in access_rows(conn):
        problem = walk.check(int(row[0]), *row[1:])
        if problem is not None:
            return walk.head, problem
    return walk.head, walk.finish()
