"""Reading an archive file: its lines checked for form, then for the chain, line by line.

The format is described in :mod:`ledger.adapters.archive`; the chain's checks are
:class:`ledger.adapters.verification.Verifier`'s, the same as ``ledger verify``.
"""

from __future__ import annotations

import base64
import errno
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from uuid import UUID

from ledger.adapters.chain import CHAIN_TAG, CHAIN_VERSION, Digest, Head, signed_digests
from ledger.adapters.verification import WINDOW, AccessWalk, Problem, Report, Verifier
from ledger.domain.errors import ArchiveInvalid, FileUnusable

FORMAT = "avhoppar-ledger-archive"
VERSION = 3
VERSIONS = (1, 2, 3)  # 1: the events only; 2: and the access log; 3: and the data keys (sealed, a passphrase)
#: The longest line read (a payload is a few kB; a line without an end is refused, not read into memory).
MAX_LINE = 4 * 1024 * 1024
#: A digest file: one line a day for decades is well under this.
MAX_DIGEST_FILE = 16 * 1024 * 1024
_FIELDS = ("position", "originator_id", "originator_version", "topic", "recorded_at", "payload_hash", "hash")
#: An access line's fields and the types they must have (``case`` and ``reason`` may be null).
ACCESS_FIELDS: dict[str, type | tuple[type, ...]] = {
    "access": int, "accessed_at": str, "user": str, "case": (str, type(None)), "command": str,
    "protection_level": str, "protected": bool, "reason": (str, type(None)), "outcome": str, "hash": str,
}


@dataclass
class AccessBatch:
    """Verified access-log lines, in order (the archive's second part)."""

    rows: list[dict[str, Any]]

# -- lines -------------------------------------------------------------------------------------------


class Reader:
    """The lines of an archive: the header, the sealed data keys, event rows in order, the access
    log, the trailer."""

    def __init__(self, handle: IO[str]) -> None:
        self.handle = handle
        self.line = 0
        self.trailer: dict[str, Any] | None = None
        self._peeked: tuple[int, dict[str, Any]] | None = None
        self.header = self._header()
        self.key_lines = self._key_lines()

    def _key_lines(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        while True:
            item = self._next()
            if item is None or "key" not in item[1]:
                self._peeked = item
                return found
            number, obj = item
            if (self.header["version"] < 3 or not isinstance(obj["key"], str) or not 0 < len(obj["key"]) <= 64
                    or not (obj.get("sealed") is None or isinstance(obj.get("sealed"), str))):
                raise ArchiveInvalid(reason="field", line=number)
            found.append(obj)

    def _next(self) -> tuple[int, dict[str, Any]] | None:
        if self._peeked is not None:
            found, self._peeked = self._peeked, None
            return found
        while True:
            try:
                raw = self.handle.readline(MAX_LINE)
            except UnicodeDecodeError:
                raise ArchiveInvalid(reason="not_utf8", line=self.line + 1) from None
            if not raw:
                return None
            self.line += 1
            if len(raw) >= MAX_LINE and not raw.endswith("\n"):
                raise ArchiveInvalid(reason="too_large", line=self.line)
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
        if header.get("version") not in VERSIONS or header.get("chain") != CHAIN_TAG:
            raise ArchiveInvalid(reason="version", line=number)
        meta, events = header.get("meta"), header.get("events")
        if not isinstance(meta, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and 0 < len(k) <= 64 for k, v in meta.items()
        ):
            raise ArchiveInvalid(reason="meta", line=number)
        if meta.get("chain_version", CHAIN_VERSION) != CHAIN_VERSION:
            raise ArchiveInvalid(reason="version", line=number)
        if not isinstance(events, int) or isinstance(events, bool) or events < 0:
            raise ArchiveInvalid(reason="format", line=number)
        keys = header.get("keys")
        if keys is not None and not (isinstance(keys, dict) and keys.get("kdf") == "scrypt"
                                     and all(k in keys for k in ("n", "r", "p", "salt", "check"))):
            raise ArchiveInvalid(reason="format", line=number)
        return header

    def rows(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """(line number, event row) until the access lines or the trailer (kept in :attr:`trailer`)."""
        while (found := self._next()) is not None:
            number, obj = found
            if "end" in obj:
                self._trailer(number, obj)
                return
            if "access" in obj:
                self._peeked = found
                return
            yield number, _row(number, obj)

    def access_rows(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """(line number, access row) after the events, until the trailer."""
        while self.trailer is None and (found := self._next()) is not None:
            number, obj = found
            if "end" in obj:
                self._trailer(number, obj)
                return
            if "access" not in obj or self.header["version"] < 2:
                raise ArchiveInvalid(reason="format", line=number)
            if set(obj) != set(ACCESS_FIELDS) or not all(
                isinstance(obj[key], kind) and not (kind is int and isinstance(obj[key], bool))
                for key, kind in ACCESS_FIELDS.items()
            ):
                raise ArchiveInvalid(reason="field", line=number)
            yield number, obj

    def peek_position(self) -> int | None:
        """The position the next row declares (for telling a missing line from a moved one)."""
        if self._peeked is None:
            self._peeked = self._next()
        if self._peeked is None or "end" in self._peeked[1] or "access" in self._peeked[1]:
            return None
        value = self._peeked[1].get("position")
        return value if _is_int(value) else None

    def _trailer(self, number: int, obj: dict[str, Any]) -> None:
        head = obj.get("head")
        if (
            obj.get("end") != FORMAT or not _is_int(obj.get("events")) or not isinstance(head, dict)
            or not _is_int(head.get("position")) or not isinstance(head.get("hash"), str)
            or not _access_head_ok(obj.get("access"), self.header["version"])
        ):
            raise ArchiveInvalid(reason="trailer", line=number)
        self.trailer = obj
        if self._next() is not None:
            raise ArchiveInvalid(reason="after_trailer", line=self.line)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _access_head_ok(value: Any, version: int) -> bool:
    if version < 2:
        return value is None
    return isinstance(value, dict) and _is_int(value.get("position")) and isinstance(value.get("hash"), str)


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


def payload_reader(keys: Any = None) -> Callable[[int, dict[str, Any]], None]:
    """A check that an event row's payload reads as its event type, as the application would read it.

    The topic must name one of the ledger's event classes (looked up among the domain's stored
    topics, never imported by name), and the payload must decode into it with the application's
    mapper (:class:`ledger.adapters.mapper.PydanticMapper`), every field valid. Otherwise
    :class:`ArchiveInvalid` with the line (``event_type`` or ``payload``): a chain can be recomputed
    around a payload the ledger cannot read, and such an event would break every view of its case.
    A sealed personal part is opened with ``keys`` (an import's, from the passphrase); without
    them (``verify --archive``), or for a thinned person, the statistical part is checked.
    """
    from eventsourcing.persistence import StoredEvent

    from ledger.adapters.keys import PersonalCipher
    from ledger.adapters.mapper import PydanticMapper
    from ledger.domain import events as ev
    from ledger.domain.errors import PersonThinned

    mapper = PydanticMapper(personal=PersonalCipher(keys)) if keys is not None else PydanticMapper()
    known: set[str] = set()

    def check(number: int, row: dict[str, Any]) -> None:
        topic = row["topic"]
        if topic not in known:
            try:
                cls = ev.class_of(topic)
            except KeyError:
                raise ArchiveInvalid(reason="event_type", line=number) from None
            if not (issubclass(cls, ev.Event) and cls is not ev.Event):
                raise ArchiveInvalid(reason="event_type", line=number)
            known.add(topic)
        stored = StoredEvent(row["stream"], row["originator_version"], topic, row["state_bytes"])
        try:
            if keys is None:
                mapper.check_statistical(stored)
            else:
                try:
                    mapper.to_domain_event(stored)
                except PersonThinned:
                    mapper.check_statistical(stored)
        except Exception:  # noqa: BLE001 - whatever fails to decode, the ledger could not read it
            raise ArchiveInvalid(reason="payload", line=number) from None

    return check


def walk(reader: Reader, verifier: Verifier, check_payload: Callable[[int, dict[str, Any]], None] | None = None,
         access: AccessWalk | None = None,
         ) -> Iterator[list[tuple[int, UUID, int, str, bytes, str, str, str]] | AccessBatch | Problem]:
    """Verified event rows in batches, then verified access rows (:class:`AccessBatch`), or the first
    problem (then stops); the end checked against the trailer.

    ``check_payload`` (see :func:`payload_reader`) is called on each row once its chain verified;
    ``access`` checks the access lines (against digests' access heads, if it was given them)."""
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
    access = access or AccessWalk()
    if reader.header["version"] < 2:
        access.wanted = []  # an archive from before the access log was archived: its digests' events only
    problem = access.start()
    if problem is not None:
        yield problem
        return
    rows: list[dict[str, Any]] = []
    for _, row in reader.access_rows():
        problem = access.check(row["access"], row["accessed_at"], row["user"], row["case"], row["command"],
                               row["protection_level"], row["protected"], row["reason"], row["outcome"], row["hash"])
        if problem is not None:
            yield problem
            return
        rows.append(row)
        if len(rows) >= WINDOW:
            yield AccessBatch(rows)
            rows = []
    if rows:
        yield AccessBatch(rows)
    problem = _check_end(reader, verifier, access)
    if problem is not None:
        yield problem


def _check_end(reader: Reader, verifier: Verifier, access: AccessWalk) -> Problem | None:
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
    claimed_access = reader.trailer.get("access")
    if claimed_access is not None:
        if claimed_access["position"] > access.head.position:
            return Problem("access_missing", access.head.position + 1)
        if Head(claimed_access["position"], claimed_access["hash"]) != access.head:
            return Problem("access_altered", access.head.position)
    return verifier.finish() or access.finish()


def open_text(path: Path, mode: str) -> IO[str]:
    """A text file; one written is created 0600 (an archive holds every person's sealed data)."""
    if "w" in mode:
        import os

        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)
        return os.fdopen(fd, mode, encoding="utf-8", newline="\n")
    return open(path, mode, encoding="utf-8", newline="\n")


def file_error(path: Path, error: OSError) -> FileUnusable:
    reasons = {errno.ENOENT: "not_found", errno.ENOSPC: "disk_full", errno.EFBIG: "disk_full",  # a size limit
               errno.EACCES: "permission", errno.EPERM: "permission", errno.EISDIR: "is_directory",
               errno.EROFS: "read_only", errno.ENAMETOOLONG: "name_too_long",
               errno.ENOTDIR: "not_a_folder", errno.EEXIST: "not_a_folder"}  # a file where the path needs a folder
    reason = reasons.get(error.errno or 0, "io")
    return FileUnusable(file=path.name, reason=reason)


def read_digest_file(path: str | Path) -> list[tuple[Digest, bytes | None]]:
    """The digests in a file written by ``ledger digest``, each with its signature if it was signed
    (see :func:`ledger.adapters.chain.signed_digests`)."""
    target = Path(path)
    try:
        with open(target, "rb") as handle:
            raw = handle.read(MAX_DIGEST_FILE + 1)
        if len(raw) > MAX_DIGEST_FILE:
            raise FileUnusable(file=target.name, reason="too_large")
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise FileUnusable(file=target.name, reason="not_utf8") from None
    except OSError as error:
        raise file_error(target, error) from None
    return signed_digests(text)


def verify_archive(path: str | Path, digests: list[Digest] | None = None, *, check_payloads: bool = True) -> Report:
    """Verify an archive file on its own, with no database: its chain, its end, any digests, and
    (``check_payloads``) that every payload reads as its event type (else :class:`ArchiveInvalid`)."""
    target = Path(path)
    verifier = Verifier(d.events for d in digests or ())
    access = AccessWalk(d.access for d in digests or () if d.access is not None)
    check = payload_reader() if check_payloads else None
    try:
        with open_text(target, "r") as handle:
            reader = Reader(handle)
            for item in walk(reader, verifier, check, access):
                if isinstance(item, Problem):
                    return _report(verifier, item, access, reader)
    except OSError as error:
        raise file_error(target, error) from None
    return _report(verifier, None, access, reader)


def _report(verifier: Verifier, problem: Problem | None, access: AccessWalk, reader: Reader) -> Report:
    report = verifier.report(problem)
    if reader.header["version"] >= 2:
        report.access = access.head
    return report
