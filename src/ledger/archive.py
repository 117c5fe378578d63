"""The whole ledger as one archive file, with its chain (``ledger export`` / ``import`` / ``verify --archive``).

JSON Lines, UTF-8, one object a line::

    {"format": "avhoppar-ledger-archive", "version": 1, "chain": "avhoppar-ledger-chain/1",
     "exported_at": "…", "events": N, "meta": {"person_namespace": "…", …}}
    {"position": 1, "originator_id": "…", "originator_version": 1, "topic": "…",
     "recorded_at": "…", "payload_hash": "…", "hash": "…", "state": "{\\"p\\":…}"}
    …
    {"end": "avhoppar-ledger-archive", "events": N, "head": {"position": N, "hash": "…"}}

``state`` is the stored payload exactly: its bytes are canonical UTF-8 JSON, carried as a JSON
string so they come back byte for byte (``state_base64`` instead if a payload is not UTF-8).
``meta`` is every ``ledger_meta`` setting except what is derived (projection versions): an
imported store must give a person the same person id as the original did.

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
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from uuid import UUID

from ledger.chain import (
    CHAIN_TAG,
    CHAIN_VERSION,
    GENESIS,
    REACH,
    WINDOW,
    Head,
    Problem,
    Report,
    Verifier,
)
from ledger.errors import ArchiveInvalid, ChainBroken, FileUnusable, StoreNotEmpty

if TYPE_CHECKING:
    from ledger.store import SQLStore

FORMAT = "avhoppar-ledger-archive"
VERSION = 1
_DERIVED_META = ("projection_version:",)
_FIELDS = ("position", "originator_id", "originator_version", "topic", "recorded_at", "payload_hash", "hash")


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


# -- export --------------------------------------------------------------------------------------------


def export_archive(store: SQLStore, path: str | Path,
                   before_write: Callable[[list[str]], None] | None = None) -> dict[str, Any]:
    """Write the whole store to ``path`` (through a ``.part`` file, renamed when complete).

    One consistent read; the chain is verified while writing, so a store that does not verify is
    not exported (``ChainBroken``) and no file is left behind. ``before_write`` is given the case
    number of every case in that read before anything is written (the command line logs them as
    read: ``ledger.access.record_reads``); if it raises, nothing is written."""
    from ledger.clock import now

    target = Path(path)
    partial = target.with_name(target.name + ".part")
    verifier = Verifier()
    try:
        with store.read() as conn:
            low, high = store.chain_bounds(conn)
            if before_write is not None:
                before_write(case_numbers(store, conn))
            with _open(partial, "w") as out:
                _write(store, conn, out, verifier, low, high, now().isoformat(timespec="seconds"))
        partial.replace(target)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise _file_error(target, error) from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    head = verifier.head
    return {"file": str(target), "events": head.position, "head": {"position": head.position, "hash": head.hash}}


def case_numbers(store: SQLStore, conn: Any) -> list[str]:
    """The case number of every case in the store (from each case's ``CaseActualised``), in the order
    they were opened; read a window at a time, only the number kept of each payload."""
    from eventsourcing.utils import get_topic

    from ledger import events as ev

    found: dict[str, None] = {}
    for state in store.states_of_topic(conn, get_topic(ev.CaseActualised)):
        try:
            parts = json.loads(state)
            number = parts["s"].get("case_number") or parts["p"].get("case_number")
        except (ValueError, TypeError, KeyError, AttributeError):
            continue  # not readable: the chain check reports an altered payload
        if isinstance(number, str):
            found[number] = None
    return list(found)


def _write(store: SQLStore, conn: Any, out: IO[str], verifier: Verifier, low: int, high: int,
           exported_at: str) -> None:
    """The archive's lines, the chain verified while they are written; the file flushed to disk."""
    count, _ = store.counts(conn)
    meta = {k: v for k, v in sorted(store.meta_items(conn).items()) if not k.startswith(_DERIVED_META)}
    out.write(_dumps({"format": FORMAT, "version": VERSION, "chain": CHAIN_TAG,
                      "exported_at": exported_at, "events": count, "meta": meta}))
    out.write("\n")
    for start in range(low, high + 1, WINDOW):
        stop = min(start + WINDOW - 1, high)
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
    head = verifier.head
    out.write(_dumps({"end": FORMAT, "events": head.position,
                      "head": {"position": head.position, "hash": head.hash}}))
    out.write("\n")
    out.flush()
    os.fsync(out.fileno())


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


# -- reading -------------------------------------------------------------------------------------------


class _Reader:
    """The lines of an archive: the header, then event rows in order, then the trailer."""

    def __init__(self, handle: IO[str]) -> None:
        self.handle = handle
        self.line = 0
        self.trailer: dict[str, Any] | None = None
        self._peeked: tuple[int, dict[str, Any]] | None = None
        self.header = self._header()

    def _next(self) -> tuple[int, dict[str, Any]] | None:
        if self._peeked is not None:
            found, self._peeked = self._peeked, None
            return found
        while True:
            try:
                raw = self.handle.readline()
            except UnicodeDecodeError:
                raise ArchiveInvalid(reason="not_utf8", line=self.line + 1) from None
            if not raw:
                return None
            self.line += 1
            if raw.strip():
                try:
                    obj = json.loads(raw)
                except ValueError:
                    raise ArchiveInvalid(reason="not_json", line=self.line) from None
                if not isinstance(obj, dict):
                    raise ArchiveInvalid(reason="format", line=self.line)
                return self.line, obj

    def _header(self) -> dict[str, Any]:
        first = self._next()
        if first is None:
            raise ArchiveInvalid(reason="empty", line=1)
        number, header = first
        if header.get("format") != FORMAT:
            raise ArchiveInvalid(reason="not_archive", line=number)
        if header.get("version") != VERSION or header.get("chain") != CHAIN_TAG:
            raise ArchiveInvalid(reason="version", line=number)
        meta, events = header.get("meta"), header.get("events")
        if not isinstance(meta, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and 0 < len(k) <= 64 for k, v in meta.items()
        ):
            raise ArchiveInvalid(reason="meta", line=number)
        if meta.get("chain_version", CHAIN_VERSION) != CHAIN_VERSION:
            raise ArchiveInvalid(reason="version", line=number)
        if not _is_int(events) or events < 0:
            raise ArchiveInvalid(reason="format", line=number)
        return header

    def rows(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """(line number, event row) until the trailer, which is kept in :attr:`trailer`."""
        while (found := self._next()) is not None:
            number, obj = found
            if "end" in obj:
                self._trailer(number, obj)
                return
            yield number, _row(number, obj)

    def peek_position(self) -> int | None:
        """The position the next row declares (for telling a missing line from a moved one)."""
        if self._peeked is None:
            self._peeked = self._next()
        if self._peeked is None or "end" in self._peeked[1]:
            return None
        value = self._peeked[1].get("position")
        return value if _is_int(value) else None

    def _trailer(self, number: int, obj: dict[str, Any]) -> None:
        head = obj.get("head")
        if (
            obj.get("end") != FORMAT or not _is_int(obj.get("events")) or not isinstance(head, dict)
            or not _is_int(head.get("position")) or not isinstance(head.get("hash"), str)
        ):
            raise ArchiveInvalid(reason="trailer", line=number)
        self.trailer = obj
        if self._next() is not None:
            raise ArchiveInvalid(reason="after_trailer", line=self.line)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _row(number: int, obj: dict[str, Any]) -> dict[str, Any]:
    """One event line, its fields checked for type (whether they verify is the chain's job)."""
    if not all(key in obj for key in _FIELDS):
        raise ArchiveInvalid(reason="field", line=number)
    if not (_is_int(obj["position"]) and _is_int(obj["originator_version"])) or not all(
        isinstance(obj[key], str) for key in ("originator_id", "topic", "recorded_at", "payload_hash", "hash")
    ):
        raise ArchiveInvalid(reason="field", line=number)
    try:
        stream = UUID(obj["originator_id"])
    except ValueError:
        raise ArchiveInvalid(reason="field", line=number) from None
    if str(stream) != obj["originator_id"]:
        raise ArchiveInvalid(reason="field", line=number)
    if isinstance(obj.get("state"), str):
        try:
            state = obj["state"].encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate written as \\udXXX
            raise ArchiveInvalid(reason="field", line=number) from None
    elif isinstance(obj.get("state_base64"), str):
        try:
            state = base64.b64decode(obj["state_base64"], validate=True)
        except ValueError:
            raise ArchiveInvalid(reason="field", line=number) from None
    else:
        raise ArchiveInvalid(reason="field", line=number)
    return {**obj, "stream": stream, "state_bytes": state}


def payload_reader() -> Callable[[int, dict[str, Any]], None]:
    """A check that an event row's payload reads as its event type, as the application would read it.

    The topic must name an event class of ``ledger.events`` (checked before anything is resolved:
    a topic names code to import), and the payload must decode into it with the application's
    mapper (:class:`ledger.mapper.PydanticMapper`), every field valid. Otherwise
    :class:`ArchiveInvalid` with the line (``event_type`` or ``payload``): a chain can be recomputed
    around a payload the ledger cannot read, and such an event would break every view of its case.
    """
    from eventsourcing.persistence import StoredEvent

    from ledger import events as ev
    from ledger.mapper import PydanticMapper

    mapper = PydanticMapper()
    prefix = ev.__name__ + ":"
    known: set[str] = set()

    def check(number: int, row: dict[str, Any]) -> None:
        topic = row["topic"]
        if topic not in known:
            name = topic[len(prefix):] if topic.startswith(prefix) else ""
            cls = getattr(ev, name, None) if name.isidentifier() else None
            if not (isinstance(cls, type) and issubclass(cls, ev.Event) and cls is not ev.Event
                    and cls.__module__ == ev.__name__):
                raise ArchiveInvalid(reason="event_type", line=number)
            known.add(topic)
        try:
            mapper.to_domain_event(StoredEvent(row["stream"], row["originator_version"], topic, row["state_bytes"]))
        except Exception:  # noqa: BLE001 - whatever fails to decode, the ledger could not read it
            raise ArchiveInvalid(reason="payload", line=number) from None

    return check


def _walk(reader: _Reader, verifier: Verifier, check_payload: Callable[[int, dict[str, Any]], None] | None = None,
          ) -> Iterator[list[tuple[int, UUID, int, str, bytes, str, str, str]] | Problem]:
    """Verified rows in batches, or the first problem (then stops); the end checked against the trailer.

    ``check_payload`` (see :func:`payload_reader`) is called on each row once its chain verified."""
    expected, batch = 1, []
    for number, row in reader.rows():
        declared = row["position"]
        if declared != expected:
            if declared > expected and reader.peek_position() != expected:
                yield Problem("event_missing", expected)
            else:
                yield Problem("out_of_order", expected, {"found": declared})
            return
        event = (row["originator_id"], row["originator_version"], row["topic"], row["state_bytes"])
        entry = (row["recorded_at"], row["payload_hash"], row["hash"])
        problem = verifier.check(declared, event, entry)
        if problem is not None:
            yield problem
            return
        if check_payload is not None:
            check_payload(number, row)
        batch.append((declared, row["stream"], row["originator_version"], row["topic"], row["state_bytes"],
                      row["recorded_at"], row["payload_hash"], row["hash"]))
        expected += 1
        if len(batch) >= WINDOW:
            yield batch
            batch = []
    if batch:
        yield batch
    problem = _check_end(reader, verifier)
    if problem is not None:
        yield problem


def _check_end(reader: _Reader, verifier: Verifier) -> Problem | None:
    """The trailer and the header's count must agree with what was read; then the digests."""
    head = verifier.head
    if reader.trailer is None:
        return Problem("truncated", head.position + 1, {"trailer": "missing"})
    claimed = Head(reader.trailer["head"]["position"], reader.trailer["head"]["hash"])
    declared_events = max(claimed.position, reader.trailer["events"], reader.header["events"])
    if declared_events > head.position:
        return Problem("truncated", head.position + 1, {"archive_events": declared_events})
    if claimed.position < head.position or reader.header["events"] < head.position:
        return Problem("unexpected_entry", min(claimed.position, reader.header["events"]) + 1)
    if claimed.hash != head.hash:
        return Problem("link_altered", head.position, {"trailer": "head hash differs"})
    return verifier.finish()


def _open(path: Path, mode: str) -> IO[str]:
    return open(path, mode, encoding="utf-8", newline="\n")


def _file_error(path: Path, error: OSError) -> FileUnusable:
    import errno

    reasons = {errno.ENOENT: "not_found", errno.ENOSPC: "disk_full", errno.EACCES: "permission",
               errno.EPERM: "permission", errno.EISDIR: "is_directory", errno.EROFS: "read_only"}
    reason = reasons.get(error.errno or 0, "io")
    return FileUnusable(file=path.name, reason=reason)


def read_digest_file(path: str | Path) -> list[Head]:
    """The digests in a file written by ``ledger digest`` (see :func:`ledger.chain.parse_digests`)."""
    from ledger.chain import parse_digests

    target = Path(path)
    try:
        text = target.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise FileUnusable(file=target.name, reason="not_utf8") from None
    except OSError as error:
        raise _file_error(target, error) from None
    return parse_digests(text)


# -- verify and import ---------------------------------------------------------------------------------


def verify_archive(path: str | Path, digests: list[Head] | None = None, *, check_payloads: bool = True) -> Report:
    """Verify an archive file on its own, with no database: its chain, its end, any digests, and
    (``check_payloads``) that every payload reads as its event type (else :class:`ArchiveInvalid`)."""
    target = Path(path)
    verifier = Verifier(digests or ())
    check = payload_reader() if check_payloads else None
    try:
        with _open(target, "r") as handle:
            reader = _Reader(handle)
            for item in _walk(reader, verifier, check):
                if isinstance(item, Problem):
                    return verifier.report(item)
    except OSError as error:
        raise _file_error(target, error) from None
    return verifier.report(None)


def import_archive(store: SQLStore, path: str | Path, *, check_payloads: bool = True) -> dict[str, Any]:
    """Load an archive into an empty store: one transaction, verified line by line while inserting.

    Refuses a store that holds any event or chain entry (``StoreNotEmpty``), a file that is not an
    archive or holds a payload that does not read as its event type (``ArchiveInvalid``, with the
    line; ``check_payloads=False`` skips that, for stores of something else than the ledger's
    events) and an archive whose chain does not verify (``ChainBroken``); in every case nothing is
    stored. The result has the same chain, hence the same digest."""
    target = Path(path)
    verifier = Verifier()
    check = payload_reader() if check_payloads else None
    try:
        with _open(target, "r") as handle:
            reader = _Reader(handle)
            with store.write() as conn:
                events, entries = store.counts(conn)
                if events or entries:
                    raise StoreNotEmpty(events=max(events, entries))
                for item in _walk(reader, verifier, check):
                    if isinstance(item, Problem):
                        raise ChainBroken(position=item.position, reason=item.kind)
                    store.insert_chained(conn, item)
                meta = reader.header["meta"]
                store.put_meta(conn, {k: v for k, v in meta.items() if not k.startswith(_DERIVED_META)})
    except OSError as error:
        raise _file_error(target, error) from None
    head = verifier.head
    return {"file": str(target), "events": head.position, "head": {"position": head.position, "hash": head.hash}}


__all__ = ["FORMAT", "GENESIS", "VERSION", "case_numbers", "export_archive", "import_archive", "payload_reader",
           "read_digest_file", "verify_archive"]
