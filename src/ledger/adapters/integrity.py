"""The store's integrity, as the application and the command line use it: verify, digest, archive."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ledger.adapters.chain import Digest
from ledger.adapters.store import SQLStore
from ledger.adapters.verification import Report
from ledger.domain.clock import Clock


class StoreIntegrity:
    """:class:`ledger.application.ports.Integrity` of one store."""

    def __init__(self, store: SQLStore, clock: Clock) -> None:
        self.store, self.clock = store, clock

    def verify(self, digests: Iterable[Digest] = ()) -> Report:
        """The whole chain recomputed, then every stored snapshot checked; the first problem named."""
        from ledger.adapters.verification import verify_store

        return verify_store(self.store, digests)

    def head(self) -> Digest:
        """The heads as stored (not verified): the events' last chain entry and the access log's last
        row (the genesis of an empty chain)."""
        from ledger.adapters.access_log import access_head, ensure_table

        ensure_table(self.store)
        with self.store.read() as conn:
            return Digest(self.store.chain_head(conn), access_head(conn))

    def export(self, path: Path, before_write: Callable[[list[str]], None]) -> dict[str, Any]:
        from ledger.adapters.archive import export_archive

        return export_archive(self.store, path, before_write, exported_at=self.clock.now())

    def import_archive(self, path: Path) -> dict[str, Any]:
        from ledger.adapters.archive import import_archive

        return import_archive(self.store, path)
