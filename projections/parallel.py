"""Catching up groups of projections in parallel processes (a rebuild, a projection's new version).

Each group (:func:`ledger.projections.runner._groups`) catches up in a process of its own, forked
from this one (:func:`ledger.adapters.forking.run_forked`): its own connections to the store, the
same code, the windows and transactions of :func:`ledger.projections.runner.catch_up`. The groups
read the same events and write different tables; on SQLite each replays its window outside the
write lock and takes the lock only to write its rows, so the groups overlap on two cores and more.
Progress and errors come back through a pipe.

Each window's rows and positions are committed together, so a worker that stops leaves its
projections where its last window left them. A worker's error is raised here once every worker has
stopped; a worker that was killed says nothing, and this process catches its projections up the
rest of the way (``catch_up`` goes on after :func:`in_parallel`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ledger.adapters.forking import run_forked
from ledger.adapters.store import SQLStore
from ledger.projections.projection import Projection

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from ledger.projections.runner import Decoder, Progress


def in_parallel(store: SQLStore, decode: Decoder, groups: list[list[Projection]], batch: int | None,
                progress: Progress | None) -> None:
    """Catch up each group in a forked process; relay their progress; raise the first error."""

    def receive(kind: str, *what: Any) -> None:
        if kind == "progress" and progress is not None:
            progress(*what)

    jobs = [(f"catch-up {'+'.join(p.name for p in group)}", _worker, (store.url, decode, group, batch))
            for group in groups]
    run_forked(store, jobs, receive)


def _worker(send: Connection, url: str, decode: Decoder, group: list[Projection], batch: int | None) -> None:
    """In the forked process: its own store (the parent's connections are never touched here)."""
    from ledger.projections.runner import catch_up

    store = SQLStore(url)
    catch_up(store, decode, group, batch=batch, processes=1,
             progress=lambda name, position, head: send.send(("progress", name, position, head)))
    store.engine.dispose()


__all__ = ["in_parallel"]
