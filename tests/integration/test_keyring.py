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
    """Destroyed in this process (gallring): whether the ring had unwrapped the key already, or only read
    it wrapped with the rest of the table, nothing sealed with it opens any more."""
    store = SQLStore.for_url(resolve_url(db_url))
    service = FileKeyService(KeyFile.create(tmp_path / "key", "test-store"))
    ids = [f"p{n}" for n in range(_READ_ALL_AFTER + 4)]
    _ring(store, service).ensure(ids)
    sealed = {k: PersonalCipher(_ring(store, service)).seal(k, secrets.token_bytes(20), b"aad") for k in ids}
    ring = _ring(store, service)
    cipher = PersonalCipher(ring)
    for k in ids[:_READ_ALL_AFTER]:
        cipher.open(sealed[k], b"aad")  # the last of these makes the ring read the whole table
    assert set(ring._wrapped) == set(ids[_READ_ALL_AFTER:])  # read, not yet unwrapped
    opened, wrapped = ids[0], ids[-1]
    ring.destroy([opened, wrapped], datetime.now(UTC))
    for k in (opened, wrapped):
        with pytest.raises(PersonThinned):
            cipher.open(sealed[k], b"aad")
    assert cipher.open(sealed[ids[1]], b"aad") and cipher.open(sealed[ids[-2]], b"aad")


def test_a_key_made_here_is_kept_unless_another_process_made_it_first(db_url: str, tmp_path: Path) -> None:
    """The keys a ring makes are kept, not read back (a new person's first event is sealed right after):
    kept exactly as stored; and where another process stored a key for the same person between this
    ring's look and its write, theirs is the person's key, here too."""
    store = SQLStore.for_url(resolve_url(db_url))
    service = FileKeyService(KeyFile.create(tmp_path / "key", "test-store"))
    ring, other = _ring(store, service), _ring(store, service)

    class Interleaved:  # the other process writes its key just before this ring's write transaction
        def __getattr__(self, name: str) -> object:
            return getattr(store, name)

        def write(self, *args: object, **kwargs: object) -> object:
            other.ensure(["p-raced"])
            return store.write(*args, **kwargs)

    ring.store = Interleaved()  # type: ignore[assignment]
    ring.ensure(["p-raced", "p-own"])
    fresh = _ring(store, service)
    assert ring.key("p-raced") == other.key("p-raced") == fresh.key("p-raced")
    assert ring.key("p-own") == fresh.key("p-own")
    assert ring.key("p-own") != ring.key("p-raced")
    sealed = PersonalCipher(ring).seal("p-own", b"personal", b"aad")
    assert PersonalCipher(fresh).open(sealed, b"aad") == b"personal"
