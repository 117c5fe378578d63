"""The data keys read back from ``ledger_keys`` (SQLite and PostgreSQL): one row at a time at first, the
rest of the table in one query once a process has needed many (a replay, ``verify``'s snapshot check),
with exactly the same answers either way: the same key, :class:`PersonThinned` with its day for a key
destroyed by gallring, a key made meanwhile by another process still found, and a key destroyed in
this process gone from it at once."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ledger.adapters.config import resolve_url
from ledger.adapters.keys import _READ_ALL_AFTER, FileKeyService, KeyFile, KeyRing, PersonalCipher
from ledger.adapters.store import SQLStore
from ledger.domain.errors import KeyUnavailable, PersonThinned


def _ring(store: SQLStore, service: FileKeyService) -> KeyRing:
    return KeyRing(store, lambda: service)


def test_keys_read_one_at_a_time_or_all_at_once_are_the_same(db_url: str, tmp_path: Path) -> None:
    store = SQLStore.for_url(resolve_url(db_url))
    service = FileKeyService(KeyFile.create(tmp_path / "key", "test-store"))
    ids = [f"person-{n:03d}" for n in range(3 * _READ_ALL_AFTER)]
    first = _ring(store, service)
    first.ensure(ids)
    expected = {k: first.key(k) for k in ids}
    assert len(set(expected.values())) == len(ids)  # a key of its own for each
    gone = ids[5], ids[_READ_ALL_AFTER + 3], ids[-1]
    first.destroy(gone, datetime(2026, 3, 4, 10, 0, tzinfo=UTC))

    reader = _ring(store, service)
    late = "person-late"
    for n, key_id in enumerate(ids):
        if n == _READ_ALL_AFTER + 1:  # after the whole table was read: another process adds a person
            other = _ring(store, service)
            other.ensure([late])
            assert reader.key(late) == other.key(late)
        if key_id in gone:
            with pytest.raises(PersonThinned) as thinned:
                reader.key(key_id)
            assert thinned.value.params == {"on": "2026-03-04"}
        else:
            assert reader.key(key_id) == expected[key_id]
    assert not reader._wrapped.keys() & reader._keys.keys()  # no key kept both wrapped and unwrapped
    with pytest.raises(KeyUnavailable):
        reader.key("person-nobody")


def test_a_key_destroyed_in_this_process_opens_nothing_more(db_url: str, tmp_path: Path) -> None:
    store = SQLStore.for_url(resolve_url(db_url))
    service = FileKeyService(KeyFile.create(tmp_path / "key", "test-store"))
    ring = _ring(store, service)
    ids = [f"p{n}" for n in range(_READ_ALL_AFTER + 2)]
    ring.ensure(ids)
    cipher = PersonalCipher(ring)
    sealed = {k: cipher.seal(k, secrets.token_bytes(20), b"aad") for k in ids}
    for k in ids[:-1]:
        cipher.open(sealed[k], b"aad")  # the ring has now read the table in bulk, ids[-1] still wrapped
    ring.destroy([ids[0], ids[-1]], datetime.now(UTC))
    for k in (ids[0], ids[-1]):
        with pytest.raises(PersonThinned):
            cipher.open(sealed[k], b"aad")
    assert cipher.open(sealed[ids[1]], b"aad")
