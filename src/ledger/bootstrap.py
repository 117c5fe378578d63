"""The composition root: the one place where the layers are wired together.

``domain`` ← ``application`` ← ``adapters`` / ``projections`` ← ``bootstrap`` ← ``cli``: the
application only knows the ports it declares (:mod:`ledger.application.ports`); here they get
their implementations — the store and recorders of :mod:`ledger.adapters`, the read models of
:mod:`ledger.projections` — from one resolved :class:`~ledger.adapters.config.Config`. Parts are
built when first used, so a recording command never imports the read side.

Here too the user is authenticated (:meth:`Services.actor`): on PostgreSQL the database login, on
SQLite the operating system's; only a training store takes a name given with ``--as`` (or
``LEDGER_USER``) and a pinned clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ledger.adapters.config import Config
from ledger.domain.clock import Clock

if TYPE_CHECKING:
    from ledger.adapters.integrity import StoreIntegrity
    from ledger.adapters.keys import KeyRing, KeyService
    from ledger.adapters.mapper import PydanticMapper
    from ledger.adapters.store import SQLStore
    from ledger.application.batch import BatchLedger
    from ledger.application.gallring import Gallring
    from ledger.application.gate import Actor, Gate
    from ledger.application.housekeeping import Housekeeping
    from ledger.application.ports import PersonIndex
    from ledger.application.queries import Queries
    from ledger.application.service import Ledger
    from ledger.domain.users import UsersState
    from ledger.projections.read_side import ReadSide


class Services:
    """What a command may use, over one store, for one authenticated user."""

    def __init__(self, config: Config) -> None:
        self.config = config

    @property
    def clock(self) -> Clock:
        return self.config.clock

    def existing(self) -> Services:
        """These services, once it is sure the store exists: a SQLite file that is not there is refused
        (``StoreMissing``) rather than created — verifying, taking the digest of or exporting a
        mistyped path must not report an empty ledger."""
        from ledger.adapters.config import sqlite_file
        from ledger.domain.errors import StorageError, StoreMissing

        path = sqlite_file(self.config.url)
        try:
            there = path is None or path.is_file()
        except PermissionError as error:  # a folder on the way this login may not enter
            raise StorageError(reason="no_permission") from error
        if not there:
            raise StoreMissing(db=str(path))
        return self

    @cached_property
    def store(self) -> SQLStore:
        from ledger.adapters.store import SQLStore

        return SQLStore.for_url(self.config.url)

    # -- keys: the key file outside the database, the data keys inside it ------------------------------

    def store_meta(self, key: str) -> str | None:
        with self.store.read() as conn:
            return self.store.meta_value(conn, key)

    @cached_property
    def encrypted(self) -> bool:
        """Whether this store seals personal data (every store made by ``ledger init`` since it does)."""
        from ledger.adapters.keys import SCHEME

        return self.store_meta("encryption") == SCHEME

    def key_file(self) -> Path:
        from ledger.adapters.keys import key_file_path

        return key_file_path(self.store_meta("store_id") or "-")

    @cached_property
    def key_service(self) -> KeyService:
        """The key file's keys (loaded when personal data is first needed: ``KeyUnavailable`` if missing)."""
        from ledger.adapters.keys import FileKeyService, KeyFile

        return FileKeyService(KeyFile.load(self.key_file(), self.store_meta("store_id") or "-"))

    @cached_property
    def keyring(self) -> KeyRing:
        from ledger.adapters.keys import KeyRing

        return KeyRing(self.store, lambda: self.key_service)

    @cached_property
    def persons(self) -> PersonIndex:
        from ledger.adapters.keys import KeyedPersonIndex

        return KeyedPersonIndex(lambda: self.key_service)

    @cached_property
    def mapper(self) -> PydanticMapper:
        """Events to stored records and back, sealing personal fields with their person's data key."""
        from ledger.adapters.mapper import PydanticMapper

        if not self.encrypted:
            return PydanticMapper()
        from ledger.adapters.keys import PersonalCipher

        return PydanticMapper(personal=PersonalCipher(self.keyring), case_person=self.store.person_of_case)

    # -- who runs the command -------------------------------------------------------------------------

    def users(self) -> UsersState | None:
        """The store's users (``None``: not initialised), read straight from their stream."""
        from ledger.adapters.recorder import LedgerRecorder
        from ledger.domain.users import USERS, project_users

        stored = LedgerRecorder(self.store).select_events(USERS)
        found = project_users(None, [self.mapper.to_domain_event(e, personal=False) for e in stored])
        if found is not None and not self.encrypted:
            from ledger.domain.errors import StoreNotEncrypted

            raise StoreNotEncrypted()
        return found

    def login(self, training: bool) -> str:
        """Who runs the command: on a training store the name given (``--as``, ``LEDGER_USER``) if any;
        else the database login (PostgreSQL) or the operating system's login (SQLite). A name given
        to a real store is refused, as is a pinned clock."""
        from ledger.adapters.config import os_login
        from ledger.domain.errors import TrainingOnly
        from ledger.domain.permissions import check_user_name

        if training and self.config.requested_user is not None:
            return check_user_name(self.config.requested_user, "--as")
        login = self.store.session_user() if self.store.dialect.name == "postgresql" else check_user_name(
            os_login(), "--as")
        refused = None if training else (
            self.config.requested_user_from if self.config.requested_user is not None else self.config.clock_pinned)
        if refused is not None:  # a real store: naming someone, or another time, is refused and logged
            from datetime import UTC, datetime

            from ledger.adapters.access_log import SqlAccessLog
            from ledger.application.ports import AccessEntry

            SqlAccessLog(self.store).record([AccessEntry(
                accessed_at=datetime.now(UTC), user=login, case=None, command=refused, protection_level="none",
                protected=False, outcome="denied")])
            raise TrainingOnly(option=refused)
        return login

    @cached_property
    def actor(self) -> Actor:
        from ledger.application.gate import Actor
        from ledger.domain.errors import StoreNotInitialised

        users = self.users()
        if users is None:
            raise StoreNotInitialised()
        name = self.login(users.training)
        return Actor(name, users.roles_of(name), users.training)

    def _gate(self, actor: Actor) -> Gate:
        from ledger.adapters.access_log import SqlAccessLog, SqlProtection
        from ledger.application.gate import Gate

        return Gate(actor, SqlAccessLog(self.store), SqlProtection(self.store), self.config.clock)

    @cached_property
    def gate(self) -> Gate:
        return self._gate(self.actor)

    # -- the application -------------------------------------------------------------------------------

    def _ledger_parts(self, gate: Gate) -> dict[str, Any]:
        from ledger.adapters.recorder import Factory

        return {"factory": Factory(self.store), "mapper": self.mapper, "settings": self.store,
                "clock": self.config.clock, "gate": gate, "persons": self.persons}

    @cached_property
    def ledger(self) -> Ledger:
        """The write side."""
        from ledger.application.service import Ledger

        return Ledger(**self._ledger_parts(self.gate), invoices=lambda: self.read_side)

    def batch_ledger(self, flush_every: int = 5000) -> BatchLedger:
        """The write side in batch mode (demo data): commands collected, written in large transactions."""
        from ledger.application.batch import BatchLedger

        return BatchLedger(flush_every=flush_every, **self._ledger_parts(self.gate))

    def initialise(self, *, training: bool, roles: list[str] | None = None,
                   adopt_as_training: bool = False) -> dict[str, Any]:
        """``ledger init``: the store's first users' event, its tables and (PostgreSQL, run by the
        owner) the append-only rights of the ledger's logins; who runs it is the first administrator.

        A store that already holds events (written by an earlier version) can only become a real
        store: its events may be real people's, and a training store takes anyone's word for who
        they are. ``adopt_as_training`` is for test fixtures built from such stores, never the CLI."""
        from ledger.adapters.guard import initialising

        with initialising():  # a store set up before 2026-12-03 may be opened, to be upgraded
            return self._initialise(training=training, roles=roles, adopt_as_training=adopt_as_training)

    def _initialise(self, *, training: bool, roles: list[str] | None, adopt_as_training: bool) -> dict[str, Any]:
        from ledger.application.gate import Actor
        from ledger.application.service import Ledger
        from ledger.domain.errors import AlreadyExists, RuleViolation

        existing = self.users()
        if existing is None and training and not adopt_as_training:
            with self.store.read() as conn:
                has_events = bool(self.store.head(conn))
            if has_events:  # another process's init may have won in between: its users' event is the head
                existing = self.users()
                if existing is None:
                    raise RuleViolation(rule="training_store_has_events")
        name = self.login(existing.training if existing is not None else training)
        setup = self.store.prepare(training=training)
        self.read_side.replace_outdated()  # on PostgreSQL the owner's to do: the tables are its own
        setup["key_file"] = str(self._keys_ready())
        if existing is not None:  # already initialised (or imported): the rights are set again, nothing else
            return {"user": name, "training": existing.training, "initialised": False, **setup}
        ledger = Ledger(**self._ledger_parts(self._gate(Actor(name, frozenset(), training))))
        try:
            ledger.initialise(training=training, roles=roles or ())
        except AlreadyExists:  # someone else's init won the race: theirs stands, the rights are set
            found = self.users()
            return {"user": name, "training": found.training if found else training, "initialised": False, **setup}
        return {"user": name, "training": training, "initialised": True, **setup}

    def _keys_ready(self) -> Path:
        """A store that is new gets its id, its encryption and its key file (0600); one that has them
        is checked against its key file; one written before encryption is refused."""
        import uuid

        from ledger.adapters.keys import SCHEME, KeyFile, key_file_path
        from ledger.domain.errors import KeyUnavailable, StoreNotEncrypted

        with self.store.write() as conn:
            store_id, scheme = self.store.meta_value(conn, "store_id"), self.store.meta_value(conn, "encryption")
            if scheme is None:
                if self.store.head(conn):
                    raise StoreNotEncrypted()
                store_id = store_id or str(uuid.uuid4())
                self.store.put_meta(conn, {"store_id": store_id, "encryption": SCHEME})
        assert store_id is not None
        path = key_file_path(store_id)
        try:
            KeyFile.load(path, store_id)
        except KeyUnavailable as error:
            if error.params.get("reason") != "key_missing" or self.store.has_data_keys():
                raise  # a store with data keys needs its own key file: a new one could open nothing
            try:
                KeyFile.create(path, store_id)
            except KeyUnavailable as race:
                if race.params.get("reason") != "key_exists":
                    raise
                KeyFile.load(path, store_id)  # another process's init made it a moment ago
        self.__dict__.pop("encrypted", None)
        self.__dict__.pop("mapper", None)
        return path

    def migrate_encrypt(self) -> dict[str, Any]:
        """``ledger migrate --encrypt``: a store from before encryption, encrypted in place (by its owner)."""
        from ledger.adapters.keys import key_file_path
        from ledger.adapters.migrate import encrypt_store

        done = encrypt_store(self.store, key_file_path)
        for name in ("encrypted", "mapper", "keyring", "key_service"):
            self.__dict__.pop(name, None)
        return done

    def event_count(self) -> int:
        """How many events the store holds (the demo's report of what it committed)."""
        with self.store.read() as conn:
            return int(self.store.head(conn))

    def demo(self, *, cases: int, years: int, seed: int, municipality: str) -> dict[str, Any]:
        """``ledger demo``: a training store (made one if it is new) with a synthetic unit's users and cases."""
        from ledger.application.demo import generate
        from ledger.domain.errors import TrainingOnly
        from ledger.domain.permissions import Role

        users = self.users()
        if users is None:
            self.initialise(training=True, roles=[r.value for r in Role])
        elif not users.training:
            raise TrainingOnly(option="demo")
        else:
            from ledger.domain import events as ev
            from ledger.domain.errors import RuleViolation

            with self.store.read() as conn:  # invented cases go into a store of their own, never beside others
                if next(self.store.states_of_topic(conn, ev.topic_of(ev.CaseActualised), window=1), None) is not None:
                    raise RuleViolation(rule="demo_needs_empty_store")
        with _collector_paused():
            return generate(self.batch_ledger(), cases=cases, years=years, seed=seed, municipality=municipality)

    @cached_property
    def read_side(self) -> ReadSide:
        """The projections (their tables are created on first use)."""
        from ledger.projections.read_side import ReadSide

        return ReadSide(self.store, self.mapper)

    @cached_property
    def integrity(self) -> StoreIntegrity:
        from ledger.adapters.integrity import StoreIntegrity

        return StoreIntegrity(self.store, self.config.clock, self.mapper,
                              keys=lambda: (self.keyring, self.key_service))

    @cached_property
    def queries(self) -> Queries:
        """Every read of case-level data (the access check, the access log and masking in one place)."""
        from ledger.application.queries import Queries

        return Queries(self.ledger, read_models=lambda: self.read_side, integrity=lambda: self.integrity,
                       settings=self.store, late_days=self.config.late_days)

    @cached_property
    def gallring(self) -> Gallring:
        """``ledger gallring``: the plan and its execution (destroying keys needs the database's owner)."""
        from ledger.adapters.keys import StoreErasure
        from ledger.application.gallring import Gallring

        return Gallring(self.ledger, read_models=lambda: self.read_side,
                        erasure=lambda: StoreErasure(self.store, self.keyring))

    @cached_property
    def housekeeping(self) -> Housekeeping:
        """The store's own business: verify, digests, import, projections, info (each for its roles)."""
        from ledger.application.housekeeping import Housekeeping

        return Housekeeping(self.gate, integrity=lambda: self.integrity, read_side=lambda: self.read_side)


def services(db: str, user: str = "tester", clock: Clock | None = None) -> Services:
    """Services over the store at ``db`` (a path or URL) for ``user`` (a training store's name), for
    scripts and tests; the clock as the command line would take it unless given."""
    config = Config.resolve(db, user)
    return Services(config if clock is None else config.with_clock(clock))


def memory_ledger(user: str = "tester", clock: Clock | None = None) -> Ledger:
    """The write side on the library's in-memory persistence (no database), as a user with every role
    on a training store: for the rules' tests."""
    import os

    from ledger.adapters.config import clock_from
    from ledger.adapters.mapper import PydanticMapper
    from ledger.adapters.memory import MemoryAccessLog, MemoryPersonIndex, MemorySettings, memory_factory
    from ledger.application.gate import Actor, Gate
    from ledger.application.service import Ledger

    real_clock = clock or clock_from(os.environ)
    gate = Gate(Actor.everyone(user), MemoryAccessLog(), MemoryAccessLog(), real_clock)
    return Ledger(factory=memory_factory(), mapper=PydanticMapper(), settings=MemorySettings(), clock=real_clock,
                  gate=gate, persons=MemoryPersonIndex())


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The garbage collector off while the demo generator runs (and as it was after). The generator
    keeps every case's and person's state while it works, a live set that grows with the store, and
    the collector's passes over it took a ninth of its time (16 full passes; 7.1 of 63.4 s at 324 731
    events, 50.4 s without them); it makes next to no cyclic garbage (peak memory 511 MB either way),
    and what it frees it frees by reference counting. docs/performance.md."""
    import gc

    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
