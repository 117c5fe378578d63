"""Work split over processes forked from this one: a rebuild's groups of projections, a long chain's
windows (``verify``).

A worker is forked, so it has this process's code and data without pickling them, and opens its own
connections (this process closes its idle ones first; callers do not fork while one is in use,
which a child would inherit, nor from a process with another thread, which the fork could catch
holding a lock: :func:`usable_processes`). What a worker says
comes back through a pipe as ``(kind, …)`` messages; its error is raised here once every worker has
stopped (with the worker's traceback as a note, unless it is one of the ledger's own errors). A
worker that was killed says nothing more: the caller does what it left undone.
"""

from __future__ import annotations

import gc
import os
import threading
import traceback
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, cast

from ledger.domain.errors import LedgerError

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from ledger.adapters.store import SQLStore

#: A worker: its name (shown in ``ps`` and in an error's note), the function run in it (given the
#: pipe to send on, then the arguments) and the arguments.
Job = tuple[str, Callable[..., None], tuple[Any, ...]]


def usable_processes(processes: int | None) -> int:
    """How many processes to use: ``processes`` if given, else as many as this process may use cores,
    and 1 where processes cannot be forked safely (another thread; no ``fork`` start method)."""
    if processes is not None:
        return processes
    import multiprocessing  # only here: commands that never fork do not import it

    if threading.active_count() > 1 or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def run_forked(store: SQLStore, jobs: Sequence[Job], receive: Callable[..., None],
               ready: Callable[[], Any] | None = None) -> None:
    """Run each job in a forked process; each message a worker sends is given to ``receive`` (its kind,
    then the rest); the first error a worker sends is raised when all have stopped.

    ``ready``: called here once every worker is forked (so it may open connections, which the workers
    do not inherit); the workers wait for it, and each job gets what it returned after the pipe."""
    import multiprocessing
    from multiprocessing.connection import wait

    from ledger.adapters.store import SQLStore

    context = multiprocessing.get_context("fork")
    SQLStore.close_idle(store)  # the workers open their own connections (none is in use here now)
    workers: dict[Connection, Any] = {}
    starts: list[Connection] = []
    failure: BaseException | None = None
    try:
        # What this process holds, the workers' garbage collector leaves alone: it would write to every
        # object it looks at, and so copy the page of each into the worker's own memory.
        gc.freeze()
        try:
            for name, target, args in jobs:
                end, send = context.Pipe(duplex=False)
                go, start = context.Pipe(duplex=False) if ready is not None else (None, None)
                process = context.Process(target=_run, args=(name, target, args, send, go), daemon=True,
                                          name=f"ledger {name}")
                workers[end] = process
                process.start()
                send.close()  # the worker's end: when the worker is gone, reading ours ends
                if go is not None and start is not None:
                    go.close()
                    starts.append(start)
        finally:
            gc.unfreeze()
        if ready is not None:
            value = ready()
            for start in starts:
                start.send(value)
        while workers:
            for answered in wait(list(workers)):
                end = cast("Connection", answered)  # wait() gives back the connections it was given
                try:
                    kind, *what = end.recv()
                except EOFError:  # the worker is gone (finished, or killed)
                    workers.pop(end).join()
                    end.close()
                    continue
                if kind == "error":
                    failure = failure or what[0]
                else:
                    receive(kind, *what)
    finally:
        # Only when this process is interrupted, or could not start every worker: none goes on alone.
        for end, process in workers.items():
            if process.pid is not None:
                process.terminate()
                process.join()
            end.close()
        for start in starts:
            start.close()
    if failure is not None:
        raise failure


def _run(name: str, target: Callable[..., None], args: tuple[Any, ...], send: Connection,
         go: Connection | None) -> None:
    """In the forked process: the job (once the parent is ready, when it asked to be waited for), and
    its error sent to the parent."""
    try:
        if go is None:
            target(send, *args)
        else:
            try:
                value = go.recv()
            except EOFError:  # the parent gave up before it was ready: nothing to do
                return
            target(send, value, *args)
    except BaseException as error:  # noqa: BLE001 - every error goes to the parent, which raises it
        if not isinstance(error, LedgerError):  # a fault: where it happened, shown with the parent's traceback
            error.add_note(f"in the worker {name}:\n" + "".join(traceback.format_exception(error)))
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
