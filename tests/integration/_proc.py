"""Code that runs in separate OS processes for the concurrency tests (started with 'spawn').

Each function builds its own :class:`ledger.application.service.Ledger` (own engine, own connections),
waits at a barrier so that all workers really start writing at the same moment, and reports
what happened through a queue. Nothing here asserts: the test process does.
"""

from __future__ import annotations

import os
import sys
import traceback
from typing import Any


def _outcome(error: BaseException) -> str:
    from ledger.domain.errors import ConcurrencyConflict

    if isinstance(error, ConcurrencyConflict):
        return "conflict"
    return f"error:{type(error).__name__}:{error}"


def serve(tasks: Any, barrier: Any, results: Any, worker: int) -> None:
    """A worker process: run the tasks sent to it one after the other, until ``None``.

    Every task waits at the shared barrier once its worker is ready, so the workers start each
    task together. One process serves every phase, which keeps the start-up cost to one spawn.
    """
    import ledger.application.service  # noqa: F401 - import before the first barrier, not after it

    tasks_by_name = {"first_use": first_use, "record_contacts": record_contacts, "open_cases": open_cases,
                     "read_side": read_side}
    while True:
        task = tasks.get()
        if task is None:
            return
        name, kwargs = task
        try:
            report = tasks_by_name[name](barrier=barrier, worker=worker, **kwargs)
        except BaseException:  # noqa: BLE001 - reported to the test process, which asserts
            report = {"errors": [traceback.format_exc()]}
        results.put({"worker": worker, "task": name, **report})


def first_use(url: str, barrier: Any, worker: int) -> dict[str, Any]:
    """Open the store (creating the tables) at the same moment as the other workers, then append."""
    barrier.wait(timeout=60)
    try:
        from tests.helpers import ledger_at

        app = ledger_at(url, f"worker{worker}")
        app.add_provider(f"P{worker}", name=f"Provider {worker}", on="2026-01-01")
        return {"errors": []}
    except Exception as error:  # noqa: BLE001
        return {"errors": [f"{type(error).__name__}: {error} <- {error.__cause__!r}"[:600]]}


def record_contacts(url: str, case: str, n: int, barrier: Any, worker: int) -> dict[str, Any]:
    """Record ``n`` contacts on ``case``; report counts of successes, conflicts and other errors."""
    from tests.helpers import ledger_at

    app = ledger_at(url, f"worker{worker}")
    app.get_case(case)  # connected and warm before the start signal
    barrier.wait(timeout=60)
    ok, conflicts, errors = 0, 0, []
    for _ in range(n):
        try:
            app.record_contact(case, "phone", on="2026-11-01")
            ok += 1
        except Exception as error:  # noqa: BLE001 - every outcome is counted and reported
            outcome = _outcome(error)
            if outcome == "conflict":
                conflicts += 1
            else:
                errors.append(outcome)
    return {"ok": ok, "conflicts": conflicts, "errors": errors}


def open_cases(url: str, identities: list[str], barrier: Any, worker: int) -> dict[str, Any]:
    """Open one case per identity; report the case numbers the ledger allocated."""
    from tests.helpers import ledger_at

    app = ledger_at(url, f"worker{worker}")
    app.persons.person_id(identities[0])  # the key file read before the race starts
    barrier.wait(timeout=60)
    numbers, conflicts, errors = [], 0, []
    for identity in identities:
        try:
            numbers.append(app.open_case(identity, gender="woman", environment="criminal", source="police",
                                         on="2026-11-01"))
        except Exception as error:  # noqa: BLE001
            outcome = _outcome(error)
            if outcome == "conflict":
                conflicts += 1
            else:
                errors.append(outcome)
    return {"numbers": numbers, "conflicts": conflicts, "errors": errors}


def read_side(url: str, barrier: Any, worker: int) -> dict[str, Any]:
    """Open the read side (creating the projection tables) and list the cases, all workers at once."""
    from tests.helpers import ledger_at

    app = ledger_at(url, f"worker{worker}")
    app.event_count()
    barrier.wait(timeout=60)
    try:
        from tests.helpers import Reads as ReadSide

        rows = ReadSide(app).cases()
        return {"cases": sorted((r["case"], r["event_count"]) for r in rows), "errors": []}
    except Exception as error:  # noqa: BLE001
        return {"cases": [], "errors": [f"{type(error).__name__}: {error} <- {error.__cause__!r}"[:600]]}


def bulk_write_then_hang(url: str, case: str, count: int) -> None:
    """Record ``count`` contacts on ``case`` in a ``BatchLedger`` and save them in ONE transaction.

    ``flush_every`` is set above ``count`` so the batch is written by one ``save`` on exit.
    Prints ``WRITING`` when the events' rows start going in (``Dialect.insert_chained``) (so the parent can kill
    this process in the middle of it) and ``COMMITTED`` once the save returned.
    """
    from tests.helpers import batch_at

    app = batch_at(url, "bulk", flush_every=count + 1)
    app.get_case(case)
    dialect = app.factory.store.dialect
    insert_chained = dialect.insert_chained

    def _announce(cursor: Any, events_sql: Any, events: Any, chain_sql: Any, entries: Any, n: int) -> None:
        sys.stdout.write(f"WRITING {n}\n")  # every append's rows go in here, in its transaction
        sys.stdout.flush()
        insert_chained(cursor, events_sql, events, chain_sql, entries, n)

    dialect.insert_chained = _announce  # type: ignore[method-assign]

    with app:
        for _ in range(count):
            app.record_contact(case, "phone", on="2026-11-01")
        sys.stdout.write("BUILT\n")
        sys.stdout.flush()
    sys.stdout.write("COMMITTED\n")
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":  # python -m tests.integration._proc bulk URL CASE COUNT
    if sys.argv[1] == "bulk":
        bulk_write_then_hang(sys.argv[2], sys.argv[3], int(sys.argv[4]))
