"""The chained append: every event inserted with its hash-chain link, in the same transaction.

Called inside a write transaction (the ledger's write lock is held, so the last link read here stays
the last). Rows go to the driver's own cursor as tuples: SQLAlchemy's per-row processing would cost
more than the hashing. How they go in (``executemany``; on PostgreSQL one statement for a few
events, binary ``COPY`` for many) is the dialect's
(:meth:`ledger.adapters.dialect.Dialect.insert_chained`); the driver's errors are named by the store.
The hashing itself is :mod:`ledger.adapters.chain`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from sqlalchemy import Connection

from ledger.adapters.chain import CHAIN_TAG, GENESIS, link, payload_hash, recorded_at, stream_text
from ledger.adapters.dialect import Dialect
from ledger.domain.errors import ChainBroken

_INSERT_EVENTS = "INSERT INTO ledger_events (id, originator_id, originator_version, topic, state) VALUES ({})"
_INSERT_CHAIN = "INSERT INTO ledger_chain (position, recorded_at, payload_hash, hash) VALUES ({})"
_COPY_EVENTS = "COPY ledger_events (id, originator_id, originator_version, topic, state) FROM STDIN"
_COPY_CHAIN = "COPY ledger_chain (position, recorded_at, payload_hash, hash) FROM STDIN"
_WHEN_KEY = b'"recorded_at":"'  # 15 bytes
_TAIL = (
    "SELECT e.top, c.position, c.hash FROM (SELECT MAX(id) AS top FROM ledger_events) e "
    "LEFT JOIN ledger_chain c ON c.position = (SELECT MAX(position) FROM ledger_chain)"
)
#: :func:`chain_tail`'s question in a form cheaper to plan (PostgreSQL plans it anew in every write):
#: no row while the chain is empty, then :func:`chain_tail` asks.
TAIL = "SELECT (SELECT MAX(id) FROM ledger_events), position, hash FROM ledger_chain ORDER BY position DESC LIMIT 1"


def _statements(dialect: Dialect) -> tuple[str, str]:
    m = dialect.mark
    return _INSERT_EVENTS.format(", ".join([m] * 5)), _INSERT_CHAIN.format(", ".join([m] * 4))


def append(conn: Connection, dialect: Dialect, stored_events: Sequence[StoredEvent],
           tail: tuple[int, str] | None = None) -> list[int]:
    """Insert events at the next positions, each with its chain entry; returns the positions.

    ``tail``: the chain's last position and link, when the write transaction already read them
    under the lock (:meth:`ledger.adapters.store.SQLStore.appending`)."""
    if not stored_events:
        return []
    start, previous = tail if tail is not None else chain_tail(conn)
    entries: list[tuple[Any, ...]] = []
    _put(conn, dialect, chain_rows(start, previous, stored_events, dialect.name == "sqlite", entries), entries,
         len(stored_events))
    return list(range(start + 1, start + len(stored_events) + 1))


def _put(conn: Connection, dialect: Dialect, events: Iterator[Sequence[Any]], entries: Sequence[Sequence[Any]],
         count: int) -> None:
    """``count`` events' rows and their chain entries into the tables, the dialect's way."""
    insert_events, insert_chain = _statements(dialect)
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        dialect.insert_chained(cursor, (insert_events, _COPY_EVENTS), events, (insert_chain, _COPY_CHAIN), entries,
                               count)
    finally:
        cursor.close()


def chain_rows(start: int, previous: str, stored_events: Sequence[StoredEvent], hex_ids: bool,
               entries: list[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    """The rows of ``stored_events`` appended after position ``start`` whose link is ``previous``, one
    at a time: each event's row (its stream id as 32 hex digits with ``hex_ids``, else a UUID) is
    given as its chain entry is added to ``entries`` (on PostgreSQL the server stores the events
    while the links are being hashed).

    The hot path of an append: the link's text (:func:`ledger.adapters.chain.link`) is the head, the
    position, the event's part of it (:func:`linked`) and the previous link."""
    add_entry = entries.append
    sha256 = hashlib.sha256
    head = f'["{CHAIN_TAG}",'
    position = start
    for column, version, topic, state, when, digest, middle in linked(stored_events, hex_ids):
        position += 1
        previous = sha256(f'{head}{position}{middle}{previous}"]'.encode()).hexdigest()
        add_entry((position, when, digest, previous))
        yield position, column, version, topic, state


def linked(stored_events: Sequence[StoredEvent], hex_ids: bool) -> Iterator[tuple[Any, ...]]:
    """Each event's stream column, version, topic, payload, ``recorded_at``, payload hash, and its part
    of the link's text: everything between the position and the previous link
    (``,"stream",version,"topic","recorded_at","payload hash","``), which do not depend on where the
    event goes (on PostgreSQL the server may add them: :meth:`ledger.adapters.dialect.PostgresDialect.append_at_once`).

    Each stream's and topic's quoted text is looked up (a batch has many events per stream), and
    ``recorded_at`` is cut out of the canonical payload here; anything unusual in it goes the careful
    way (:func:`ledger.adapters.chain.recorded_at`, quoted as :func:`ledger.adapters.chain.link` does)."""
    sha256, when_key, careful = hashlib.sha256, _WHEN_KEY, recorded_at  # locals: this loop is the hot path
    streams: dict[Any, tuple[Any, str]] = {}
    topics: dict[str, str] = {}
    for e in stored_events:
        state = e.state
        oid = e.originator_id
        key = oid.int if type(oid) is UUID else oid  # a UUID by its number: hashed and compared in C
        known = streams.get(key)
        if known is None:
            stream = oid if isinstance(oid, UUID) else UUID(str(oid))
            known = streams[key] = (stream.hex if hex_ids else stream, f'"{stream}"')
        column, stream_text = known
        topic = e.topic
        quoted = topics.get(topic)
        if quoted is None:
            quoted = topics[topic] = json.dumps(topic)
        version = int(e.originator_version)
        digest = sha256(state).hexdigest()
        when = None
        i = state.rfind(when_key)
        if i > 0 and state[i - 1] in b",{":  # canonical JSON: a key (see recorded_at)
            stop = state.find(b'"', i + 15)
            if stop > 0:
                value = state[i + 15:stop]
                if b"\\" not in value and value.isascii():
                    when = value.decode()
                    if when.isprintable():
                        when_text = f'"{when}"'
                    else:
                        when = None
        if when is None:
            when = careful(state)
            when_text = json.dumps(when)
        yield column, version, topic, state, when, digest, f',{stream_text},{version},{quoted},{when_text},"{digest}","'


def columns(stored_events: Sequence[StoredEvent]) -> list[list[Any]]:
    """The events as the server-side append takes them, one list per column: stream ids, versions,
    topics, payloads, ``recorded_at``, payload hashes, parts of the link (:func:`linked`)."""
    return [list(column) for column in zip(*linked(stored_events, False), strict=True)]


def appended(conn: Connection, dialect: Dialect, stored_events: Sequence[StoredEvent]) -> list[int] | None:
    """The positions of ``stored_events`` if they are stored, each as given: a write whose answer was
    lost went through (its events are one transaction's, at consecutive positions)."""
    m = dialect.mark
    query = f"SELECT id, state FROM ledger_events WHERE originator_id = {m} AND originator_version = {m}"
    found = []
    for e in (stored_events[0], stored_events[-1]):
        stream = e.originator_id if isinstance(e.originator_id, UUID) else UUID(str(e.originator_id))
        row = conn.exec_driver_sql(query, (dialect.stream_id(stream), e.originator_version)).first()
        if row is None or bytes(row[1]) != e.state:
            return None
        found.append(int(row[0]))
    first, last = found
    if last - first != len(stored_events) - 1:
        return None
    return list(range(first, last + 1))


def insert_verified(conn: Connection, dialect: Dialect,
                    rows: Sequence[tuple[int, UUID, int, str, bytes, str, str, str]]) -> None:
    """Insert events with chain entries already verified (an archive's import), the way an append does."""
    _put(conn, dialect, ((p, dialect.stream_id(s), v, t, st) for p, s, v, t, st, _, _, _ in rows),
         [(p, w, d, h) for p, _, _, _, _, w, d, h in rows], len(rows))


def chain_tail(conn: Connection) -> tuple[int, str]:
    """The last position and its link; refuses to extend a chain whose end does not match its events."""
    return tail_of(conn.exec_driver_sql(_TAIL).one())


def tail_of(row: Any) -> tuple[int, str]:
    """:func:`chain_tail` from its row (of :data:`TAIL`, or of the fuller question that always has one)."""
    top, position, last = row
    top, position = int(top or 0), int(position or 0)
    if top != position:
        if position < top:
            raise ChainBroken(position=position + 1, reason="chain_missing")
        raise ChainBroken(position=top + 1, reason="event_missing")
    return top, (last if top else GENESIS)


def backfill(conn: Connection, dialect: Dialect, window: int = 10_000) -> dict[str, Any] | None:
    """Chain every event after the chain's last entry, in position order, a window at a time (a store
    written before the chain existed); what was chained this way, or ``None``."""
    _, after, previous = conn.exec_driver_sql(_TAIL).one()
    last = int(after or 0)
    previous = previous or GENESIS
    first = last + 1
    _, insert_chain = _statements(dialect)
    query = (
        "SELECT id, originator_id, originator_version, topic, state FROM ledger_events "
        f"WHERE id > {dialect.mark} ORDER BY id LIMIT {int(window)}"
    )
    while rows := conn.exec_driver_sql(query, (last,)).fetchall():
        entries = []
        for position, stream, version, topic, stored in rows:
            state = bytes(stored)
            digest, when = payload_hash(state), recorded_at(state)
            previous = link(previous, position, stream_text(stream), version, topic, when, digest)
            entries.append((position, when, digest, previous))
        conn.exec_driver_sql(insert_chain, entries)
        last = rows[-1][0]
    if last < first:
        return None
    return {"from": first, "through": last, "at": datetime.now(UTC).isoformat(timespec="seconds")}

