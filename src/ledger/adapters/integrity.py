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

    def __init__(self, store: SQLStore, clock: Clock, mapper: Any = None,
                 keys: Callable[[], tuple[Any, Any]] | None = None) -> None:
        """``keys``: the store's key ring and key service, when an export must carry the data keys."""
        self.store, self.clock, self.mapper, self._keys = store, clock, mapper, keys

    def verify(self, digests: Iterable[Digest] = ()) -> Report:
        """The whole chain recomputed, then every stored snapshot checked; the first problem named."""
        from ledger.adapters.verification import verify_store

        return verify_store(self.store, digests, mapper=self.mapper)

    def head(self) -> Digest:
        """The heads as stored (not verified): the events' last chain entry and the access log's last
        row (the genesis of an empty chain)."""
        from ledger.adapters.access_log import access_head, ensure_table

        ensure_table(self.store)
        with self.store.read() as conn:
            return Digest(self.store.chain_head(conn), access_head(conn))

    def export(self, path: Path, before_write: Callable[[list[str]], None],
               passphrase: str | None = None) -> dict[str, Any]:
        """The archive; with data keys in the store, they go into it sealed under ``passphrase``."""
        from ledger.adapters.archive import export_archive

        seal = None
        if passphrase is not None and self._keys is not None:
            from ledger.adapters.archive_keys import seal_keys

            ring, service = self._keys()

            def seal(conn: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
                return seal_keys(passphrase, service.key_file.index, ring.export_keys(conn))

        return export_archive(self.store, path, before_write, exported_at=self.clock.now(), seal_keys=seal)

    def import_archive(self, path: Path, passphrase: str | None = None) -> dict[str, Any]:
        from ledger.adapters.archive import import_archive
        from ledger.adapters.keys import key_file_path

        return import_archive(self.store, path, passphrase=passphrase, key_file_for=key_file_path)
