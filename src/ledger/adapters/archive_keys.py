"""The data keys in an archive, sealed under a passphrase (``ledger export`` / ``import``).

An archive carries the events exactly as stored — their personal parts sealed with each person's
data key — so its chain verifies with no key at all (``verify --archive``). To be imported, the data
keys travel with it, each sealed with AES-256-GCM under a key derived from a passphrase given at
export (scrypt, n=2^15, r=8, p=1: some 50 ms and 32 MB per try, so guessing is slow), the key id as
associated data. The blind-index key travels the same way, so the imported store finds the same
people. The key-encryption key never leaves its key file: the importing store gets a new one.

Key lines come right after the header (so an import can read every payload as it goes)::

    {"key": "<person id or unit>", "created_at": "…", "destroyed_at": null, "sealed": "<base64>"}
    {"key": "@index", "created_at": "…", "destroyed_at": null, "sealed": "<base64>"}

A destroyed key (gallring) is carried as destroyed, without key material: the person stays thinned.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ledger.domain.errors import FileUnusable, PassphraseRequired, PersonThinned

INDEX_KEY = "@index"
KDF = {"kdf": "scrypt", "n": 2**15, "r": 8, "p": 1}
_CHECK = b"avhoppar-ledger-archive-keys"
MIN_PASSPHRASE = 12
_MAX_PASSPHRASE_FILE = 4096


def read_passphrase(path: Path) -> str:
    """The passphrase: the first line of a file (kept like the key file: 0600, not with the archive)."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(_MAX_PASSPHRASE_FILE + 1)
    except OSError:
        raise FileUnusable(file=path.name, reason="not_found" if not path.exists() else "permission") from None
    if len(raw) > _MAX_PASSPHRASE_FILE:
        raise FileUnusable(file=path.name, reason="too_large")
    try:
        text = raw.decode("utf-8").splitlines()[0] if raw.strip() else ""
    except UnicodeDecodeError:
        raise FileUnusable(file=path.name, reason="not_utf8") from None
    if len(text) < MIN_PASSPHRASE:
        raise PassphraseRequired(reason="passphrase_short")
    return text


def _derive(passphrase: str, params: dict[str, Any]) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    salt = base64.b64decode(params["salt"])
    return Scrypt(salt=salt, length=32, n=int(params["n"]), r=int(params["r"]), p=int(params["p"])).derive(
        passphrase.encode("utf-8"))


def _seal(key: bytes, plaintext: bytes, aad: bytes) -> str:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = secrets.token_bytes(12)
    return base64.b64encode(nonce + AESGCM(key).encrypt(nonce, plaintext, aad)).decode("ascii")


def _open(key: bytes, sealed: str, aad: bytes) -> bytes:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    raw = base64.b64decode(sealed)
    try:
        return AESGCM(key).decrypt(raw[:12], raw[12:], aad)
    except (InvalidTag, ValueError):
        raise PassphraseRequired(reason="passphrase_wrong") from None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value is not None else None


Keys = list[tuple[str, bytes | None, datetime, datetime | None]]


def seal_keys(passphrase: str, index_key: bytes, keys: Keys) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The header's ``keys`` section and the key lines, for an export."""
    params = {**KDF, "salt": base64.b64encode(secrets.token_bytes(16)).decode("ascii")}
    sealing = _derive(passphrase, params)
    params["check"] = _seal(sealing, _CHECK, b"check")
    lines = [{"key": INDEX_KEY, "created_at": None, "destroyed_at": None,
              "sealed": _seal(sealing, index_key, INDEX_KEY.encode())}]
    for key_id, material, created, destroyed in keys:
        lines.append({"key": key_id, "created_at": _iso(created), "destroyed_at": _iso(destroyed),
                      "sealed": _seal(sealing, material, key_id.encode()) if material is not None else None})
    return params, lines


@dataclass
class OpenedKeys:
    """An archive's keys, opened with its passphrase: what an import installs."""

    index: bytes
    keys: dict[str, bytes | None] = field(default_factory=dict)  # None: destroyed by gallring
    created: dict[str, str | None] = field(default_factory=dict)
    destroyed: dict[str, str | None] = field(default_factory=dict)

    def key(self, key_id: str) -> bytes:
        """For reading the payloads while importing (a :class:`ledger.adapters.keys.PersonalCipher` ring)."""
        if key_id not in self.keys:
            from ledger.domain.errors import KeyUnavailable

            raise KeyUnavailable(reason="data_key_missing", file=key_id[:8])
        found = self.keys[key_id]
        if found is None:
            raise PersonThinned(on=(self.destroyed.get(key_id) or "")[:10])
        return found


def open_keys(params: dict[str, Any], lines: list[dict[str, Any]], passphrase: str | None) -> OpenedKeys:
    """The keys of an archive, or :class:`PassphraseRequired` (none given, or the wrong one)."""
    if passphrase is None:
        raise PassphraseRequired(reason="passphrase_missing")
    sealing = _derive(passphrase, params)
    _open(sealing, params["check"], b"check")
    index = next((line for line in lines if line["key"] == INDEX_KEY), None)
    if index is None or not isinstance(index.get("sealed"), str):
        raise PassphraseRequired(reason="passphrase_wrong")
    found = OpenedKeys(_open(sealing, index["sealed"], INDEX_KEY.encode()))
    for line in lines:
        key_id = line["key"]
        if key_id == INDEX_KEY:
            continue
        sealed = line.get("sealed")
        found.keys[key_id] = _open(sealing, sealed, key_id.encode()) if isinstance(sealed, str) else None
        found.created[key_id], found.destroyed[key_id] = line.get("created_at"), line.get("destroyed_at")
    return found
