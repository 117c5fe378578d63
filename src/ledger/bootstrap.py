"""The composition root: the one place where the layers are wired together.

``domain`` ← ``application`` ← ``adapters`` / ``projections`` ← ``bootstrap`` ← ``cli``: the
application only knows the ports it declares (:mod:`ledger.application.ports`); here they get
their implementations — the store and recorders of :mod:`ledger.adapters`, the read models of
:mod:`ledger.projections` — from one resolved :class:`~ledger.adapters.config.Config`. Parts are
built when first used, so a recording command never imports the read side.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from ledger.adapters.config import Config
from ledger.domain.clock import Clock

if TYPE_CHECKING:
    from ledger.adapters.integrity import StoreIntegrity
    from ledger.adapters.mapper import PydanticMapper
    from ledger.adapters.store import SQLStore
    from ledger.application.batch import BatchLedger
    from ledger.application.queries import Queries
    from ledger.application.service import Ledger
    from ledger.projections.read_side import ReadSide


class Services:
    """What a command may use, over one store, for one user."""

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
        from ledger.domain.errors import StoreMissing

        path = sqlite_file(self.config.url)
        if path is not None and not path.is_file():
            raise StoreMissing(db=str(path))
        return self

    @cached_property
    def store(self) -> SQLStore:
        from ledger.adapters.store import SQLStore

        return SQLStore.for_url(self.config.url)

    @cached_property
    def mapper(self) -> PydanticMapper:
        from ledger.adapters.mapper import PydanticMapper

        return PydanticMapper()

    def _ledger_parts(self) -> dict[str, Any]:
        from ledger.adapters.recorder import Factory

        return {"factory": Factory(self.store), "mapper": self.mapper, "settings": self.store,
                "clock": self.config.clock, "user": self.config.user}

    @cached_property
    def ledger(self) -> Ledger:
        """The write side."""
        from ledger.application.service import Ledger

        return Ledger(**self._ledger_parts())

    def batch_ledger(self, flush_every: int = 5000) -> BatchLedger:
        """The write side in batch mode (demo data): commands collected, written in large transactions."""
        from ledger.application.batch import BatchLedger

        return BatchLedger(flush_every=flush_every, **self._ledger_parts())

    @cached_property
    def read_side(self) -> ReadSide:
        """The projections (their tables are created on first use)."""
        from ledger.projections.read_side import ReadSide

        return ReadSide(self.store, self.mapper)

    @cached_property
    def integrity(self) -> StoreIntegrity:
        from ledger.adapters.integrity import StoreIntegrity

        return StoreIntegrity(self.store, self.config.clock)

    @cached_property
    def queries(self) -> Queries:
        """Every read of case-level data (the access check, the access log and masking in one place)."""
        from ledger.adapters.access_log import SqlAccessLog, SqlProtection
        from ledger.application.queries import Queries

        return Queries(self.ledger, access_log=SqlAccessLog(self.store),
                       protection=SqlProtection(self.store, self.mapper), read_models=lambda: self.read_side,
                       integrity=lambda: self.integrity, settings=self.store, late_days=self.config.late_days)


def services(db: str, user: str = "tester", clock: Clock | None = None) -> Services:
    """Services over the store at ``db`` (a path or URL), for scripts and tests; the clock as the
    command line would take it (pinned by ``LEDGER_NOW`` / ``LEDGER_TODAY``) unless given."""
    config = Config.resolve(db, user)
    return Services(config if clock is None else Config(config.url, config.user, clock, config.late_days))


def memory_ledger(user: str = "tester", clock: Clock | None = None) -> Ledger:
    """The write side on the library's in-memory persistence (no database): for the rules' tests."""
    import os

    from ledger.adapters.config import clock_from
    from ledger.adapters.mapper import PydanticMapper
    from ledger.adapters.memory import MemorySettings, memory_factory
    from ledger.application.service import Ledger

    return Ledger(factory=memory_factory(), mapper=PydanticMapper(), settings=MemorySettings(),
                  clock=clock or clock_from(os.environ), user=user)
