"""The hash chain: every stored event linked to the one before it, so that any change is found.

Each event at position *n* has a chain entry ``(n, recorded_at, payload_hash, hash)``, written in
the same transaction as the event (``ledger.store.SQLStore.append``)::

    payload_hash = sha256(stored payload bytes)
    hash         = sha256(["avhoppar-ledger-chain/1", n, stream, version, topic, recorded_at,
                           payload_hash, hash of entry n-1])       # 64 zeros before the first

The list is compact JSON (no spaces, ASCII only), so the encoding is unambiguous and anyone can
recompute it (see ``docs/tamper-evidence.md``). The link covers the payload's *hash*, not the
payload, so personal data can later be erased from a payload while the links stay checkable.

This module is the hashing only, pure: no database, no files. Appending with links is
:mod:`ledger.adapters.chained`; walking a store or an archive to check it is
:mod:`ledger.adapters.verification`. A *digest* is the head of the chain (position and hash), kept
outside the system; a store proves it has only grown since the digest was taken when its entry
at that position still has that hash.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ledger.domain.errors import DigestInvalid

GENESIS = "0" * 64
CHAIN_TAG = "avhoppar-ledger-chain/1"
CHAIN_VERSION = "1"
DIGEST_TAG = "avhoppar-ledger-digest"
DIGEST_VERSION = 2
_KEY = b'"recorded_at":"'
_HEX64 = re.compile(r"[0-9a-f]{64}")
_topics: dict[str, str] = {}


def payload_hash(state: bytes) -> str:
    """The SHA-256 of a stored payload, as 64 hex digits."""
    return hashlib.sha256(state).hexdigest()


def recorded_at(state: bytes) -> str:
    """The ``recorded_at`` of a stored payload (canonical JSON), or ``""`` when it has none.

    Found by searching the bytes rather than parsing them: parsing took longer than the rest of
    an append. The search is exact for canonical JSON: a ``"`` right after ``,`` or ``{`` is
    never inside a string (a quote inside a string is always escaped), so the match is a key.
    """
    end = len(state)
    while True:
        i = state.rfind(_KEY, 0, end)
        if i <= 0:
            break
        if state[i - 1] in b",{":
            start = i + len(_KEY)
            stop = state.find(b'"', start)
            value = state[start:stop]
            if stop > 0 and b"\\" not in value:
                try:
                    return value.decode()
                except UnicodeDecodeError:
                    break
            break
        end = i
    try:  # not the ledger's canonical shape (or escaped): parse it properly
        found = json.loads(state)["s"]["recorded_at"]
    except (ValueError, TypeError, KeyError, IndexError):
        return ""
    return found if isinstance(found, str) else ""


def _json_text(value: str) -> str:
    """``json.dumps(value)`` (ASCII only), without its cost for the usual hex and ISO text."""
    if value.isascii() and value.isprintable() and '"' not in value and "\\" not in value:
        return f'"{value}"'
    return json.dumps(value)


def link(previous: str, position: int, stream: str, version: int, topic: str, when: str, payload: str) -> str:
    """The hash of one chain entry (see the module docstring; equal to :func:`link_reference`)."""
    quoted = _topics.get(topic)
    if quoted is None:
        quoted = _topics[topic] = json.dumps(topic)
    text = (
        f'["{CHAIN_TAG}",{int(position)},{_json_text(stream)},{int(version)},{quoted},{_json_text(when)},'
        f"{_json_text(payload)},{_json_text(previous)}]"
    )
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def link_hex(previous: str, position: int, stream: str, version: int, topic: str, when: str, payload: str) -> str:
    """:func:`link` when ``previous`` and ``payload`` are known to be 64 hex digits (verification: the
    payload's hash was just recomputed and matched, the previous hash was the one before's, matched
    too); ``stream``, ``when`` and ``topic`` are quoted with care, as by :func:`link`."""
    quoted = _topics.get(topic)
    if quoted is None:
        quoted = _topics[topic] = json.dumps(topic)
    text = (f'["{CHAIN_TAG}",{int(position)},{_json_text(stream)},{int(version)},{quoted},{_json_text(when)},'
            f'"{payload}","{previous}"]')
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def link_reference(previous: str, position: int, stream: str, version: int, topic: str, when: str,
                   payload: str) -> str:
    """The definition of :func:`link`, written plainly (tests check that the fast one equals it)."""
    text = json.dumps([CHAIN_TAG, position, stream, version, topic, when, payload, previous],
                      separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


ACCESS_TAG = "avhoppar-ledger-access/1"


_ascii_json = json.JSONEncoder(separators=(",", ":"), ensure_ascii=True).encode  # json.dumps's, made once


def access_link(previous: str, position: int, accessed_at: str, user: str, case: str | None, command: str,
                protection_level: str, protected: bool, reason: str | None, outcome: str) -> str:
    """The hash of one access-log row: every field of it and the hash of the row before (64 zeros
    before the first), as compact ASCII JSON — the same construction as an event's link."""
    text = _ascii_json([ACCESS_TAG, position, accessed_at, user, case, command, protection_level, protected, reason,
                        outcome, previous])
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def stream_text(value: Any) -> str:
    """A stream id as it is hashed: the UUID's canonical text (SQLite stores it as 32 hex digits)."""
    if isinstance(value, str):
        if len(value) == 32:
            v = value.lower()
            return f"{v[:8]}-{v[8:12]}-{v[12:16]}-{v[16:20]}-{v[20:]}"
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", "replace")
    return str(value)


# -- digests ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Head:
    """The head of a chain: the last position and its hash (position 0: nothing in it yet)."""

    position: int
    hash: str


@dataclass(frozen=True)
class Digest:
    """What a store's chains had reached when the digest was taken: the events' head and the access
    log's (``None`` in a digest written before the access log was chained: then only events are
    checked)."""

    events: Head
    access: Head | None = None

    @property
    def position(self) -> int:
        return self.events.position

    @property
    def hash(self) -> str:
        return self.events.hash

    def line(self) -> str:
        text = f"{DIGEST_TAG} v{DIGEST_VERSION} position={self.events.position} hash={self.events.hash}"
        if self.access is not None:
            text += f" access={self.access.position} access_hash={self.access.hash}"
        return text

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {"format": DIGEST_TAG, "version": DIGEST_VERSION, "position": self.events.position,
                                 "hash": self.events.hash}
        if self.access is not None:
            found["access"] = {"position": self.access.position, "hash": self.access.hash}
        return found


DIGEST_VERSIONS = (1, 2)  # 1: events only (before the access log was chained)
_DIGEST_LINE = re.compile(
    rf"^{DIGEST_TAG} v(\d+) position=(\d+) hash=([0-9a-f]{{64}})(?: access=(\d+) access_hash=([0-9a-f]{{64}}))?$")
SIGNATURE_TAG = "avhoppar-ledger-signature"
_SIGNATURE_LINE = re.compile(rf"^{SIGNATURE_TAG} ed25519 ([A-Za-z0-9+/=]{{40,200}})$")


def parse_digests(text: str) -> list[Digest]:
    """Digests from a file: one or more digest lines (blank lines and ``#`` comments ignored), each
    perhaps followed by its signature line, or the JSON that ``ledger digest --json`` prints.
    Several lines (a log of digests taken over time) are all checked, which also narrows down where
    a rewritten history begins. Signatures are checked by :func:`check_signatures`."""
    return [digest for digest, _ in signed_digests(text)]


def signed_digests(text: str) -> list[tuple[Digest, bytes | None]]:
    """Each digest of a file with the signature that follows its line (``None``: not signed)."""
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            data = json.loads(stripped)
            found = [(_digest_from_json(data), _signature_from_json(data))]
        except (ValueError, TypeError, KeyError):
            raise DigestInvalid(reason="format", line=1) from None
        return found
    found = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        signature = _SIGNATURE_LINE.match(line)
        if signature is not None:
            if not found or found[-1][1] is not None:
                raise DigestInvalid(reason="format", line=number)  # a signature of no digest line
            found[-1] = (found[-1][0], base64.b64decode(signature.group(1)))
            continue
        match = _DIGEST_LINE.match(line)
        if match is None:
            raise DigestInvalid(reason="format", line=number)
        version = int(match.group(1))
        if version not in DIGEST_VERSIONS or (version == 1) != (match.group(4) is None):
            raise DigestInvalid(reason="version", line=number)
        access = Head(int(match.group(4)), match.group(5)) if match.group(4) is not None else None
        found.append((Digest(Head(int(match.group(2)), match.group(3)), access), None))
    if not found:
        raise DigestInvalid(reason="empty", line=1)
    return found


def _digest_from_json(data: Mapping[str, Any]) -> Digest:
    if data.get("format") != DIGEST_TAG or data.get("version") not in DIGEST_VERSIONS:
        raise ValueError("not a digest")
    events = _head(data["position"], data["hash"])
    access = data.get("access")
    return Digest(events, _head(access["position"], access["hash"]) if access is not None else None)


def _signature_from_json(data: Mapping[str, Any]) -> bytes | None:
    signature = data.get("signature")
    return base64.b64decode(signature, validate=True) if isinstance(signature, str) else None


def _head(position: Any, digest: Any) -> Head:
    if not isinstance(position, int) or isinstance(position, bool) or position < 0:
        raise ValueError("position")
    if not isinstance(digest, str) or not _HEX64.fullmatch(digest):
        raise ValueError("hash")
    return Head(position, digest)


def signature_line(signature: bytes) -> str:
    return f"{SIGNATURE_TAG} ed25519 {base64.b64encode(signature).decode('ascii')}"
