"""The whole ledger as one archive file, with its chain (``ledger export`` / ``import`` / ``verify --archive``).

JSON Lines, UTF-8, one object a line::

    {"format": "avhoppar-ledger-archive", "version": 1, "chain": "avhoppar-ledger-chain/1",
     "exported_at": "…", "events": N, "meta": {"person_namespace": "…", …}}
    {"position": 1, "originator_id": "…", "originator_version": 1, "topic": "…",
     "recorded_at": "…", "payload_hash": "…", "hash": "…", "state": "{\\"p\\":…}"}
    …
    {"access": 1, "accessed_at": "…", "user": "…", "case": "…", "command": "…", "protection_level": "…",
     "protected": false, "reason": null, "outcome": "read", "hash": "…"}
    …
    {"end": "avhoppar-ledger-archive", "events": N, "head": {"position": N, "hash": "…"},
     "access": {"position": M, "hash": "…"}}

``state`` is the stored payload exactly: its bytes are canonical UTF-8 JSON, carried as a JSON
string so they come back byte for byte (``state_base64`` instead if a payload is not UTF-8).
``meta`` is every ``ledger_meta`` setting except what is derived (projection versions): an
imported store must give a person the same person id as the original did.

The access log (version 2 of the format) follows the events, each line with its hash in the access
log's own chain (:func:`ledger.adapters.chain.access_link`): moving a store to another database
keeps who read what, and a digest's access head can be checked against the archive. Version 1
archives (events only) are still read.

Snapshots, tracking positions and projection tables are derived data: not archived; the
projections rebuild on first use after an import.

Every line is checked against the chain while it is read (:class:`ledger.chain.Verifier`), the
same checks as ``ledger verify``, and its payload is decoded into its event class with the
application's mapper (a chain can be recomputed around a payload the ledger cannot read); an
import writes nothing unless the whole file verifies (one transaction). ``verify_archive`` opens
no database.

An export writes an access entry (``ledger.access``, command ``export``) for every case in the
file before it writes the file: the archive shows every case with its identity number.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ledger.adapters import chained
from ledger.adapters.archive_reader import (
    FORMAT,
    VERSION,
    AccessBatch,
    Reader,
    file_error,
    open_text,
    payload_reader,
    read_digest_file,
    verify_archive,
    walk,
)
from ledger.adapters.chain import CHAIN_TAG, GENESIS, Head, stream_text
from ledger.adapters.verification import (
    REACH,
    WINDOW,
    AccessWalk,
    Problem,
    Verifier,
    access_rows,
    access_time_text,
    intact_window,
)
from ledger.domain.errors import ChainBroken, StoreNotEmpty

if TYPE_CHECKING:
    from ledger.adapters.store import SQLStore

_DERIVED_META = ("projection_version:",)


_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode  # one encoder for every line
_quote: Callable[[str], str] = json.encoder.encode_basestring  # how _dumps quotes a string


# -- export --------------------------------------------------------------------------------------------


def export_archive(store: SQLStore, path: str | Path, before_write: Callable[[list[str]], None] | None = None, *,
                   exported_at: datetime | None = None,
                   seal_keys: Callable[[Any], tuple[dict[str, Any], list[dict[str, Any]]]] | None = None,
                   ) -> dict[str, Any]:
    """Write the whole store to ``path`` (through a ``.part`` file, renamed when complete).

    One consistent read; the chain is verified while writing, so a store that does not verify is
    not exported (``ChainBroken``) and no file is left behind. ``before_write`` is given the case
    number of every case before anything is written (the command line logs them as read; done
    before the archive's read, so that the archive holds those entries too); if it raises, nothing
    is written. ``seal_keys`` gives the header's ``keys`` and the key lines from the read's connection
    (:mod:`ledger.adapters.archive_keys`); a store that has data keys is not exported without it."""
    target = Path(path)
    if not target.name or not target.name.strip():  # "" or a folder's "." or "..": no file to write
        from ledger.domain.errors import InputError

        raise InputError(field="--out", reason="required")
    partial = target.with_name(target.name + ".part")
    verifier = Verifier()
    logged: set[str] = set()
    if before_write is not None:  # logged before the archive's read, so that the archive holds these entries
        with store.read() as conn:
            numbers = case_numbers(store, conn)
        before_write(numbers)
        logged.update(numbers)
    try:
        with store.read() as conn:
            low, high = store.chain_bounds(conn)
            if before_write is not None:
                later = [n for n in case_numbers(store, conn) if n not in logged]  # opened in between
                if later:
                    before_write(later)
            keys = seal_keys(conn) if seal_keys is not None else None
            if keys is None and _has_keys(conn):
                from ledger.domain.errors import PassphraseRequired

                raise PassphraseRequired(reason="passphrase_missing")
            with open_text(partial, "w") as out:
                access = _write(store, conn, out, verifier, low, high,
                                (exported_at or datetime.now(UTC)).isoformat(timespec="seconds"), keys)
        partial.replace(target)
    except OSError as error:
        with contextlib.suppress(OSError):  # a name too long for the file system cannot be removed either
            partial.unlink(missing_ok=True)
        raise file_error(target, error) from None
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise
    return _result(target, verifier.head, access)


def _result(target: Path, head: Head, access: Head) -> dict[str, Any]:
    return {"file": str(target), "events": head.position, "head": {"position": head.position, "hash": head.hash},
            "access": {"position": access.position, "hash": access.hash}}


def case_numbers(store: SQLStore, conn: Any) -> list[str]:
    """The case number of every case in the store (from each case's ``CaseActualised``), in the order
    they were opened; read a window at a time, only the number kept of each payload."""
    from ledger.domain import events as ev

    found: dict[str, None] = {}
    for state in store.states_of_topic(conn, ev.topic_of(ev.CaseActualised)):
        try:
            parts = json.loads(state)
            number = parts["s"].get("case_number") or parts["p"].get("case_number")
        except (ValueError, TypeError, KeyError, AttributeError):
            continue  # not readable: the chain check reports an altered payload
        if isinstance(number, str):
            found[number] = None
    return list(found)


def _has_keys(conn: Any) -> bool:
    from sqlalchemy import inspect

    if not inspect(conn).has_table("ledger_keys"):
        return False
    return bool(conn.exec_driver_sql("SELECT COUNT(*) FROM ledger_keys").scalar())


def _write(store: SQLStore, conn: Any, out: IO[str], verifier: Verifier, low: int, high: int,
           exported_at: str, keys: tuple[dict[str, Any], list[dict[str, Any]]] | None = None) -> Head:
    """The archive's lines, the chains verified while they are written; the file flushed to disk.
    Returns the access log's head."""
    count = high  # an archive is written only when positions 1..high all verify: exactly that many events
    meta = {k: v for k, v in sorted(store.meta_items(conn).items()) if not k.startswith(_DERIVED_META)}
    out.write(_dumps({"format": FORMAT, "version": VERSION, "chain": CHAIN_TAG,
                      "exported_at": exported_at, "events": count, "meta": meta,
                      "keys": keys[0] if keys is not None else None}))
    out.write("\n")
    for line in keys[1] if keys is not None else []:
        out.write(_dumps(line) + "\n")
    streams: dict[Any, str] = {}  # a stream id as stored -> its text, JSON-quoted (a stream has many events)
    topics: dict[str, str] = {}  # a topic -> its JSON-quoted text
    for start in range(low, high + 1, WINDOW):
        stop = min(start + WINDOW - 1, high)
        rows: list[tuple[Any, ...]] = []
        if intact_window(store, conn, verifier, start, stop, rows):  # the usual window: read and checked at once
            lines = []
            for position, raw_stream, version, topic, state, when, payload, digest in rows:
                try:
                    text = state.decode("utf-8")
                except UnicodeDecodeError:
                    lines.append(_event_line(position, (stream_text(raw_stream), version, topic, state),
                                             (when, payload, digest))[:-1])
                    continue
                stream = streams.get(raw_stream)
                if stream is None:
                    stream = streams[raw_stream] = _quote(stream_text(raw_stream))
                quoted = topics.get(topic)
                if quoted is None:
                    quoted = topics[topic] = _quote(topic)
                if type(position) is int and type(version) is int and type(when) is str:
                    lines.append(_event_text(position, stream, version, quoted, when, payload, digest, text))
                else:  # any other type: as the encoder writes it
                    lines.append(_event_line(position, (stream_text(raw_stream), version, topic, state),
                                             (when, payload, digest))[:-1])
            out.write("\n".join(lines))
            out.write("\n")
            continue
        events, entries = store.chain_window(conn, start, stop, REACH)
        lines = []
        for position in range(start, stop + 1):
            event, entry = events.get(position), entries.get(position)
            problem = verifier.check(position, event, entry, entries)
            if problem is not None:
                raise ChainBroken(position=problem.position, reason=problem.kind)
            if event is None or entry is None:
                continue  # below position 1 and empty
            lines.append(_event_line(position, event, entry))
        out.write("".join(lines))
    access = _write_access(conn, out)
    head = verifier.head
    out.write(_dumps({"end": FORMAT, "events": head.position, "head": {"position": head.position, "hash": head.hash},
                      "access": {"position": access.position, "hash": access.hash},
                      "keys": len(keys[1]) if keys is not None else 0}))
    out.write("\n")
    out.flush()
    os.fsync(out.fileno())
    return access


def _write_access(conn: Any, out: IO[str]) -> Head:
    """The access log's lines, its chain verified while they are written (``ChainBroken`` if not)."""
    from sqlalchemy import inspect

    walk = AccessWalk()
    if not inspect(conn).has_table("ledger_access_log"):
        return walk.head
    lines = []
    for position, at, user, case, command, level, protected, reason, outcome, digest in access_rows(conn):
        when = access_time_text(at)  # once, for the link and the line
        problem = walk.check_text(int(position), when, user, case, command, level, protected, reason, outcome, digest)
        if problem is not None:
            raise ChainBroken(position=problem.position, reason=problem.kind)
        lines.append(_dumps({"access": int(position), "accessed_at": when,
                             "user": user, "case": case, "command": command, "protection_level": level,
                             "protected": bool(protected), "reason": reason, "outcome": outcome, "hash": digest}))
        if len(lines) >= WINDOW:
            out.write("\n".join(lines) + "\n")
            lines = []
    if lines:
        out.write("\n".join(lines) + "\n")
    return walk.head


def _event_text(position: int, stream: str, version: int, topic: str, when: str, payload: str, digest: str,
                state: str) -> str:
    """:func:`_event_line` (without its newline) for a state that is UTF-8 text, built in place: the text
    ``_dumps`` writes for that dict, each string quoted by the encoder's own function, the numbers as it
    writes an ``int`` (``position`` and ``version`` must be exactly ``int``); ``stream`` and ``topic``
    already quoted (they repeat: the caller keeps them). An archive has a line per event, and the
    encoder's work for each dict is most of the cost of writing it."""
    return (f'{{"position":{position},"originator_id":{stream},"originator_version":{version},"topic":{topic},'
            f'"recorded_at":{_quote(when)},"payload_hash":{_quote(payload)},"hash":{_quote(digest)},'
            f'"state":{_quote(state)}}}')


def _event_line(position: int, event: tuple[str, int, str, bytes], entry: tuple[str, str, str]) -> str:
    stream, version, topic, state = event
    when, payload, digest = entry
    line: dict[str, Any] = {"position": position, "originator_id": stream, "originator_version": version,
                            "topic": topic, "recorded_at": when, "payload_hash": payload, "hash": digest}
    try:
        line["state"] = state.decode("utf-8")
    except UnicodeDecodeError:
        line["state_base64"] = base64.b64encode(state).decode("ascii")
    return _dumps(line) + "\n"


# -- verify and import ---------------------------------------------------------------------------------


def import_archive(store: SQLStore, path: str | Path, *, check_payloads: bool = True,
                   passphrase: str | None = None, key_file_for: Callable[[str], Path] | None = None,
                   ) -> dict[str, Any]:
    """Load an archive into an empty store: one transaction, verified line by line while inserting.

    Refuses a store that holds any event or chain entry (``StoreNotEmpty``), a file that is not an
    archive or holds a payload that does not read as its event type (``ArchiveInvalid``, with the
    line; ``check_payloads=False`` skips that, for stores of something else than the ledger's
    events) and an archive whose chain does not verify (``ChainBroken``); in every case nothing is
    stored. The result has the same chain, hence the same digest.

    An archive with data keys needs its ``passphrase``: the keys are opened with it, every payload is
    read with them, and the new store gets its own id and key file (``key_file_for(store id)``,
    keeping the archive's blind-index key: the same people are found) with the data keys wrapped
    under it. If anything fails, the new key file is removed again and nothing is stored."""
    import uuid

    from ledger.adapters.access_log import access_head, ensure_table, insert_verified
    from ledger.adapters.archive_keys import open_keys
    from ledger.adapters.keys import FileKeyService, KeyFile

    target = Path(path)
    verifier, access = Verifier(), AccessWalk()
    from ledger.adapters.schema import metadata

    ensure_table(store)
    store.create_tables(metadata)
    made: Path | None = None
    try:
        with open_text(target, "r") as handle:
            reader = Reader(handle)
            opened = None
            if reader.header.get("keys") is not None:
                opened = open_keys(reader.header["keys"], reader.key_lines, passphrase)
            check = payload_reader(opened) if check_payloads else None
            with store.write() as conn:
                events, entries = store.counts(conn)
                if events or entries or access_head(conn).position:
                    raise StoreNotEmpty(events=max(events, entries, access_head(conn).position))
                for item in walk(reader, verifier, check, access):
                    if isinstance(item, Problem):
                        raise ChainBroken(position=item.position, reason=item.kind)
                    if isinstance(item, AccessBatch):
                        insert_verified(conn, item.rows)
                    else:
                        chained.insert_verified(conn, store.dialect, item)
                meta = {k: v for k, v in reader.header["meta"].items()
                        if not k.startswith(_DERIVED_META) and k != "store_id"}
                if opened is not None:
                    store_id = str(uuid.uuid4())
                    assert key_file_for is not None, "an archive with keys needs a place for the new key file"
                    made = key_file_for(store_id)
                    service = FileKeyService(KeyFile.create(made, store_id, index=opened.index))
                    _install_keys(conn, service, opened)
                    meta["store_id"] = store_id
                store.put_meta(conn, meta)
    except OSError as error:
        if made is not None:
            made.unlink(missing_ok=True)
        raise file_error(target, error) from None
    except BaseException:
        if made is not None:
            made.unlink(missing_ok=True)
        raise
    return {**_result(target, verifier.head, access.head), **({"key_file": str(made)} if made else {})}


def _install_keys(conn: Any, service: Any, opened: Any) -> None:
    from sqlalchemy import insert

    from ledger.adapters.schema import keys_table

    def moment(text: str | None) -> datetime | None:
        return datetime.fromisoformat(text).astimezone(UTC).replace(tzinfo=None) if text else None

    rows = [{"key_id": key_id, "wrapped": service.wrap(key_id, material) if material is not None else None,
             "created_at": moment(opened.created.get(key_id)) or datetime.now(UTC).replace(tzinfo=None),
             "destroyed_at": moment(opened.destroyed.get(key_id))}
            for key_id, material in opened.keys.items()]
    if rows:
        conn.execute(insert(keys_table), rows)


__all__ = ["FORMAT", "GENESIS", "VERSION", "case_numbers", "export_archive", "import_archive", "payload_reader",
           "read_digest_file", "verify_archive"]
