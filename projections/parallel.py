"""Catching up groups of projections in parallel processes (a rebuild, a projection's new version).

Each group (:func:`ledger.projections.runner._groups`) catches up in a process of its own, forked
from this one: its own connections to the store, the same code, the windows and transactions of
:func:`ledger.projections.runner.catch_up`. The groups read the same events and write different
tables; on SQLite each replays its window outside the write lock and takes the lock only to write
its rows, so the groups overlap on two cores and more. Progress and errors come back through a pipe.

Each window's rows and positions are committed together, so a worker that stops leaves its
projections where its last window left them. A worker's error is raised here once every worker has
stopped (with the worker's traceback as a note, unless it is one of the ledger's own errors); a
worker that was killed says nothing, and this process catches its projections up the rest of the
way (``catch_up`` goes on after :func:`in_parallel`).
"""

from __future__ import annotations

import gc
import multiprocessing
import traceback
from multiprocessing.connection import Connection, wait
from typing import TYPE_CHECKING, Any, cast

from ledger.adapters.store import SQLStore
from ledger.domain.errors import LedgerError
from ledger.projections.projection import Projection

if TYPE_CHECKING:
    from ledger.projections.runner import Decoder, Progress


def in_parallel(store: SQLStore, decode: Decoder, groups: list[list[Projection]], batch: int | None,
                progress: Progress | None) -> None:
    """Catch up each group in a forked process; relay their progress; raise the first error."""
    context = multiprocessing.get_context("fork")
    SQLStore.close_idle(store)  # the workers open their own connections (none is in use here now)
    workers: dict[Connection, Any] = {}
    failure: BaseException | None = None
    try:
        # What this process holds, the workers' garbage collector leaves alone: it would write to every
        # object it looks at, and so copy the page of each into the worker's own memory.
        gc.freeze()
        try:
            for group in groups:
                receive, send = context.Pipe(duplex=False)
                process = context.Process(target=_worker, args=(store.url, decode, group, batch, send),
                                          daemon=True, name=f"ledger catch-up {'+'.join(p.name for p in group)}")
                workers[receive] = process
                process.start()
                send.close()  # the worker's end: when the worker is gone, reading ours ends
        finally:
            gc.unfreeze()
        while workers:
            for ready in wait(list(workers)):
                end = cast(Connection, ready)  # wait() gives back the connections it was given
                try:
                    kind, *what = end.recv()
                except EOFError:  # the worker is gone (finished, or killed: its last window stays)
                    workers.pop(end).join()
                    end.close()
                    continue
                if kind == "progress" and progress is not None:
                    progress(*what)
                elif kind == "error" and failure is None:
                    failure = what[0]
    finally:
        # Only when this process is interrupted, or could not start every worker: none goes on alone.
        for receive, process in workers.items():
            if process.pid is not None:
                process.terminate()
                process.join()
            receive.close()
    if failure is not None:
        raise failure


def _worker(url: str, decode: Decoder, group: list[Projection], batch: int | None, send: Connection) -> None:
    """In the forked process: its own store (the parent's connections are never touched here)."""
    from ledger.projections.runner import catch_up

    try:
        store = SQLStore(url)
        catch_up(store, decode, group, batch=batch, processes=1,
                 progress=lambda name, position, head: send.send(("progress", name, position, head)))
        store.engine.dispose()
    except BaseException as error:  # noqa: BLE001 - every error goes to the parent, which raises it
        if not isinstance(error, LedgerError):  # a fault: where it happened, shown with the parent's traceback
            error.add_note(f"in the worker catching up {', '.join(p.name for p in group)}:\n"
                           + "".join(traceback.format_exception(error)))
        send.send(("error", _portable(error)))
    finally:
        send.close()


def _portable(error: BaseException) -> BaseException:
    """``error`` if it survives pickling (the ledger's errors do), else a ``RuntimeError`` with its traceback."""
    import pickle

    try:
        pickle.loads(pickle.dumps(error))
    except Exception:  # noqa: BLE001 - any failure to pickle
        return RuntimeError("".join(traceback.format_exception(error)))
    return error


__all__ = ["in_parallel"]
