"""Keys for personal data: a key file outside the database, a data key per person inside it.

The hierarchy (docs/data-protection.md)::

    key file (0600, outside the database)        ledger_keys (in the database)
    ├── key-encryption key (KEK, 256 bit) ──wraps──► one data key per person, and one for the unit
    └── blind-index key (256 bit)                     │
                                                       └─ AES-256-GCM ─► the "p" part of every event
                                                                          and snapshot about them

- The personal part of an event is sealed with its person's data key *before* it is stored and
  hashed into the chain, so ``verify`` needs no key and still passes once a key is destroyed.
- Gallring destroys a person's data key (the wrapped copy in ``ledger_keys``): everything sealed
  with it is unreadable for good, while the events, the chain and the statistics stay.
- A person is found again by a keyed blind index (HMAC-SHA256 of the identity number under the
  blind-index key): the same number gives the same person id, and without the key file the id
  says nothing about the number.
- The key file is behind :class:`KeyService` (wrap, unwrap, blind index): a municipality's key
  service (an HSM, a KMS) can replace :class:`FileKeyService` without touching anything else.

A missing key file, or another store's, raises :class:`ledger.domain.errors.KeyUnavailable`: a
clear message, never garbled data. Only what needs personal data asks for keys.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from uuid import UUID

from ledger.domain.errors import KeyUnavailable, PersonThinned, SealBroken, StorageError

if TYPE_CHECKING:
    from ledger.adapters.store import SQLStore

KEY_FILE_FORMAT = "avhoppar-ledger-keys"
KEY_FILE_VERSION = 1
#: The data key of what is personal but about no one person (user notes, provider and budget notes).
UNIT_KEY = "unit"
#: How the personal part of events is sealed (kept in ``ledger_meta`` as ``encryption``).
SCHEME = "aes-256-gcm/1"
_MAX_KEY_FILE = 64 * 1024


# -- files the ledger creates: owner only -------------------------------------------------------------


def private_dir(path: Path) -> None:
    """Create ``path`` and its missing parents as 0700 (only the folders made here are touched)."""
    missing = []
    current = path
    while not current.exists():
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        folder.mkdir(mode=0o700)
        os.chmod(folder, 0o700)  # whatever the umask


def private_file(path: Path, *, exclusive: bool = False) -> int:
    """Open ``path`` for writing as 0600 (created so, whatever the umask); returns the descriptor."""
    private_dir(path.parent)
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | (os.O_EXCL if exclusive else 0)
    fd = os.open(path, flags, 0o600)
    os.fchmod(fd, 0o600)
    return fd


# -- the key file -------------------------------------------------------------------------------------


def key_file_path(store_id: str, environ: Mapping[str, str] | None = None) -> Path:
    """``LEDGER_KEY_FILE``, else ``<LEDGER_KEY_DIR or the user's config folder>/keys/<store id>.key``."""
    env = os.environ if environ is None else environ
    if env.get("LEDGER_KEY_FILE"):
        return Path(env["LEDGER_KEY_FILE"]).expanduser()
    if env.get("LEDGER_KEY_DIR"):
        folder = Path(env["LEDGER_KEY_DIR"]).expanduser()
    else:
        from platformdirs import user_config_dir

        folder = Path(user_config_dir("avhoppar-ledger", appauthor=False)) / "keys"
    return folder / f"{store_id}.key"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@dataclass(frozen=True)
class KeyFile:
    """The store's key-encryption key and blind-index key, in a file only its owner can read."""

    path: Path
    store_id: str
    kek: bytes
    index: bytes

    @classmethod
    def create(cls, path: Path, store_id: str, index: bytes | None = None) -> KeyFile:
        """A new key file (refused if one is there: a key is never overwritten). ``index``: keep the
        blind-index key of the store an archive came from (the same person ids)."""
        found = cls(path, store_id, secrets.token_bytes(32), index or secrets.token_bytes(32))
        body = json.dumps({"format": KEY_FILE_FORMAT, "version": KEY_FILE_VERSION, "store": store_id,
                           "kek": _b64(found.kek), "index": _b64(found.index)}, indent=1) + "\n"
        # Written whole to a temporary name, then linked into place: another process never reads half a
        # key file, and one that is there already is never replaced (link fails).
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        try:
            fd = private_file(temporary, exclusive=True)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(body)
                out.flush()
                os.fsync(out.fileno())
            os.link(temporary, path)
        except FileExistsError:
            raise KeyUnavailable(reason="key_exists", file=str(path)) from None
        except OSError:
            raise KeyUnavailable(reason="key_unwritable", file=str(path)) from None
        finally:
            temporary.unlink(missing_ok=True)
        return found

    @classmethod
    def load(cls, path: Path, store_id: str) -> KeyFile:
        try:
            with open(path, "rb") as handle:
                raw = handle.read(_MAX_KEY_FILE + 1)
        except FileNotFoundError:
            raise KeyUnavailable(reason="key_missing", file=str(path)) from None
        except OSError:
            raise KeyUnavailable(reason="key_unreadable", file=str(path)) from None
        try:
            if len(raw) > _MAX_KEY_FILE:
                raise ValueError("too large")
            data = json.loads(raw)
            if data.get("format") != KEY_FILE_FORMAT or data.get("version") != KEY_FILE_VERSION:
                raise ValueError("format")
            kek, index = base64.b64decode(data["kek"], validate=True), base64.b64decode(data["index"], validate=True)
            if len(kek) != 32 or len(index) != 32:
                raise ValueError("length")
        except (ValueError, TypeError, KeyError, AttributeError):
            raise KeyUnavailable(reason="key_format", file=str(path)) from None
        if data.get("store") != store_id:
            raise KeyUnavailable(reason="key_mismatch", file=str(path))
        return cls(path, store_id, kek, index)


class KeyService(Protocol):
    """What the ledger asks of a key-encryption key (a file, or a municipality's key service)."""

    def wrap(self, key_id: str, data_key: bytes) -> bytes: ...

    def unwrap(self, key_id: str, wrapped: bytes) -> bytes: ...

    def blind_index(self, value: str) -> bytes: ...


class FileKeyService:
    """:class:`KeyService` on a :class:`KeyFile`: AES-256-GCM key wrapping (the key id as associated
    data, so a wrapped key cannot be moved to another person), HMAC-SHA256 blind index."""

    def __init__(self, key_file: KeyFile) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        self.key_file = key_file
        self._aead = AESGCM(key_file.kek)

    def wrap(self, key_id: str, data_key: bytes) -> bytes:
        nonce = secrets.token_bytes(12)
        return nonce + self._aead.encrypt(nonce, data_key, b"avhoppar-ledger-key:" + key_id.encode())

    def unwrap(self, key_id: str, wrapped: bytes) -> bytes:
        from cryptography.exceptions import InvalidTag

        try:
            return self._aead.decrypt(wrapped[:12], wrapped[12:], b"avhoppar-ledger-key:" + key_id.encode())
        except (InvalidTag, ValueError):
            raise KeyUnavailable(reason="key_mismatch", file=str(self.key_file.path)) from None

    def blind_index(self, value: str) -> bytes:
        return hmac.new(self.key_file.index, value.encode("utf-8"), hashlib.sha256).digest()


#: After this many keys read one at a time, :meth:`KeyRing.key` reads the rest of the table at once.
_READ_ALL_AFTER = 16


class KeyRing:
    """The data keys in ``ledger_keys``, unwrapped on first use and kept for this process."""

    def __init__(self, store: SQLStore, service: Callable[[], KeyService]) -> None:
        self.store, self._service = store, service
        self._keys: dict[str, bytes] = {}
        self._wrapped: dict[str, tuple[Any, Any]] = {}  # read but not yet unwrapped: (wrapped, destroyed_at)
        self._known: set[str] = set()  # ids ensured to have a row (a new person's events are sealed one by one)
        self._misses = 0
        self._ready = False

    @property
    def service(self) -> KeyService:
        return self._service()

    def _table(self) -> None:
        if not self._ready:
            from ledger.adapters.schema import metadata

            self.store.create_tables(metadata)
            self._ready = True

    def ensure(self, key_ids: Iterable[str]) -> None:
        """Data keys for every id that has none yet, in one transaction (a new person gets one)."""
        known = self._known
        wanted = [k for k in dict.fromkeys(key_ids) if k not in known and k not in self._keys]
        if not wanted:
            return
        self._table()
        from sqlalchemy import select

        from ledger.adapters.schema import keys_table as t

        with self.store.read() as conn:
            have = {r[0] for r in conn.execute(select(t.c.key_id).where(t.c.key_id.in_(wanted)))}
        new = [k for k in wanted if k not in have]
        known.update(have)  # a row stays, even once its key is destroyed by gallring
        if not new:
            return
        service, now = self.service, datetime.now(UTC).replace(tzinfo=None)
        made = {k: secrets.token_bytes(32) for k in new}
        rows = [{"key_id": k, "wrapped": service.wrap(k, key), "created_at": now} for k, key in made.items()]
        with self.store.write("keys") as conn:
            taken = {r[0] for r in conn.execute(select(t.c.key_id).where(t.c.key_id.in_(new)))}
            rows = [r for r in rows if r["key_id"] not in taken]  # another writer made it meanwhile: theirs holds
            if rows:
                from sqlalchemy import insert

                conn.execute(insert(t), rows)
        known.update(new)
        # The keys this process made and stored are kept, not read back and unwrapped at their first use
        # (a new person's first event is sealed right after; the demo makes thousands of people).
        self._keys.update((k, key) for k, key in made.items() if k not in taken)

    def ensure_one(self, key_id: str) -> None:
        """:meth:`ensure` for one id, at no cost once it is known (each event sealed asks)."""
        if key_id not in self._known and key_id not in self._keys:
            self.ensure((key_id,))

    def key(self, key_id: str) -> bytes:
        """The data key of ``key_id``; :class:`PersonThinned` once destroyed by gallring.

        Read from ``ledger_keys`` on first use, one row at a time; a process that has needed many
        (a replay, a check of many streams) reads the rest of the table's rows in one query instead,
        and unwraps each only when it is needed."""
        found = self._keys.get(key_id)
        if found is not None:
            return found
        row = self._wrapped.pop(key_id, None)
        if row is None:
            self._misses += 1
            if self._misses == _READ_ALL_AFTER:
                self._read_all()
                row = self._wrapped.pop(key_id, None)
        if row is None:
            row = self._read(key_id)
        wrapped, destroyed_at = row
        if wrapped is None:
            if isinstance(destroyed_at, str):  # read through the driver (SQLite keeps text)
                destroyed_at = datetime.fromisoformat(destroyed_at)
            raise PersonThinned(on=(destroyed_at or datetime.now()).date().isoformat())
        unwrapped: bytes = self.service.unwrap(key_id, bytes(wrapped))
        self._keys[key_id] = unwrapped
        return unwrapped

    def _read(self, key_id: str) -> tuple[Any, Any]:
        self._table()
        from sqlalchemy import select

        from ledger.adapters.schema import keys_table as t

        with self.store.read() as conn:
            row = conn.execute(select(t.c.wrapped, t.c.destroyed_at).where(t.c.key_id == key_id)).first()
        if row is None:
            raise KeyUnavailable(reason="data_key_missing", file=key_id[:8])
        return row[0], row[1]

    def _read_all(self) -> None:
        """Every wrapped key not yet unwrapped, kept wrapped until asked for."""
        self._table()
        from ledger.adapters.store import driver_rows

        with self.store.read() as conn:  # thousands of rows: through the driver, no row objects
            rows = driver_rows(conn, "SELECT key_id, wrapped, destroyed_at FROM ledger_keys")
        self._wrapped = {k: (w, d) for k, w, d in rows if k not in self._keys}

    def destroyed(self, conn: Any) -> dict[str, datetime]:
        from sqlalchemy import select

        from ledger.adapters.schema import keys_table as t

        rows = conn.execute(select(t.c.key_id, t.c.destroyed_at).where(t.c.wrapped.is_(None)))
        return {r[0]: r[1] for r in rows}

    def destroy(self, key_ids: Iterable[str], at: datetime) -> int:
        """Gallring: overwrite the wrapped keys (secure delete on SQLite), then clean the file of copies."""
        ids = list(key_ids)
        if not ids:
            return 0
        self._table()
        from sqlalchemy import update

        from ledger.adapters.schema import keys_table as t

        try:
            with self.store.write("keys") as conn:
                self.store.dialect.secure_delete(conn)
                done = conn.execute(update(t).where(t.c.key_id.in_(ids), t.c.wrapped.is_not(None))
                                    .values(wrapped=None, destroyed_at=at.astimezone(UTC).replace(tzinfo=None)))
                count = int(done.rowcount or 0)
        except StorageError as error:
            raise StorageError(reason="not_owner") from error
        for key_id in ids:
            self._keys.pop(key_id, None)
            self._wrapped.pop(key_id, None)
        return count

    def export_keys(self, conn: Any) -> list[tuple[str, bytes | None, datetime, datetime | None]]:
        """Every data key, unwrapped (destroyed ones as ``None``), for an archive sealed with a passphrase."""
        from sqlalchemy import select

        from ledger.adapters.schema import keys_table as t

        self._table()
        service = self.service
        return [(r.key_id, service.unwrap(r.key_id, bytes(r.wrapped)) if r.wrapped is not None else None,
                 r.created_at, r.destroyed_at)
                for r in conn.execute(select(t).order_by(t.c.key_id))]


class PersonalCipher:
    """Seals and opens the personal part of a stored event or snapshot with its person's data key."""

    def __init__(self, ring: KeyRing) -> None:
        self.ring = ring
        self._aeads: dict[bytes, Any] = {}  # a data key -> its AES-GCM, made once (a person has many events)
        self._refused: type[Exception] = ValueError  # cryptography's InvalidTag once a key is used (imported then:
        # a command that opens nothing, stats or budget, does not load cryptography)

    def _aead(self, key_id: str) -> Any:
        key = self.ring.key(key_id)  # asked every time: a key destroyed by gallring is gone from the ring
        found = self._aeads.get(key)
        if found is None:
            from cryptography.exceptions import InvalidTag
            from cryptography.hazmat.primitives.ciphers.aead import AESGCM

            self._refused = InvalidTag
            found = self._aeads[key] = AESGCM(key)
        return found

    def seal(self, key_id: str, plaintext: bytes, aad: bytes) -> dict[str, str]:
        nonce = secrets.token_bytes(12)
        sealed = self._aead(key_id).encrypt(nonce, plaintext, aad)
        return {"k": key_id, "n": _b64(nonce), "c": _b64(sealed)}

    def open(self, envelope: Mapping[str, Any], aad: bytes) -> bytes:
        try:  # a data key of the wrong length is as broken as a wrong tag (AESGCM refuses it: ValueError)
            aead = self._aead(str(envelope["k"]))
            return aead.decrypt(base64.b64decode(envelope["n"]), base64.b64decode(envelope["c"]), aad)  # type: ignore[no-any-return]
        except (self._refused, ValueError, TypeError):
            raise SealBroken(ref=aad.decode("ascii", "replace")[:48]) from None


class KeyedPersonIndex:
    """:class:`ledger.application.ports.PersonIndex`: a person's id is the blind index of their
    identity number (the first 16 bytes of its HMAC), the same every time, meaningless without the key."""

    def __init__(self, service: Callable[[], KeyService]) -> None:
        self._service = service

    def person_id(self, identity_number: str) -> UUID:
        return UUID(bytes=self._service().blind_index("person:" + identity_number)[:16])


class StoreErasure:
    """:class:`ledger.application.gallring.ErasurePort` on a store: the data keys destroyed, the
    snapshots of the erased people's cases dropped (secure delete), then the files cleaned."""

    def __init__(self, store: SQLStore, ring: KeyRing) -> None:
        self.store, self.ring = store, ring

    def destroy(self, person_ids: list[str], at: datetime) -> int:
        return self.ring.destroy(person_ids, at)

    def drop_snapshots(self, streams: list[UUID]) -> int:
        from sqlalchemy import delete

        from ledger.adapters.schema import snapshots_table as t

        if not streams:
            return 0
        try:
            with self.store.write() as conn:
                self.store.dialect.secure_delete(conn)
                done = conn.execute(delete(t).where(t.c.originator_id.in_(streams)))
                return int(done.rowcount or 0)
        except StorageError as error:
            raise StorageError(reason="not_owner") from error

    def purge(self) -> list[str]:
        return self.store.dialect.purge(self.store.engine)
