"""Helpers for tests: run the CLI in-process, count stored events, derive invalid identity numbers."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

import pytest

#: What every successful command on a training store says on stderr (in Swedish, the default).
TRAINING_BANNERS = ("Övningsdatabas: inga riktiga ärenden.\n", "Training store: no real cases.\n")


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)

    @property
    def complaints(self) -> str:
        """Stderr without the training store's banner: what a successful command should leave empty."""
        text = self.err
        for banner in TRAINING_BANNERS:
            text = text.replace(banner, "")
        return text


#: A training store's own events before its first case: it was made, and its first user (``tester``).
STORE_SETUP_EVENTS = 2

#: Commands that run on a store that is not one yet (they make it, or read a file).
_BEFORE_A_STORE = {"init", "demo", "import", "--help", "--version"}


def training_store(db: str, *users: str) -> None:
    """Make ``db`` a training store if it is not a store yet (its first user ``tester``, with every role),
    and each of ``users`` a user with every role if they are not users already: for the tests that are
    not about who may do what (those make their users and roles themselves)."""

    from ledger.bootstrap import services
    from ledger.domain.errors import AlreadyExists
    from ledger.domain.permissions import Role

    every = [r.value for r in Role]
    setup = services(db, "tester")
    state = setup.users()
    if state is None:
        setup.initialise(training=True, roles=every)
        state = setup.users()
    assert state is not None and state.training, "a test's store must be a training store"
    for name in users:
        if not state.roles_of(name) and name not in state.users:
            try:
                setup.ledger.add_user(name, every)
            except AlreadyExists:  # another process of the same test added them meanwhile
                pass


def _acting_user(args: tuple[str, ...], env: dict[str, str] | None = None) -> str:
    import os

    if "--as" in args:
        return args[args.index("--as") + 1]
    return (env or {}).get("LEDGER_USER") or os.environ.get("LEDGER_USER") or "tester"


def _needs_store(args: tuple[str, ...]) -> bool:
    words = [a for a in args if not a.startswith("-") or a in ("--help", "--version")]
    return not (set(args) & _BEFORE_A_STORE) and not (words[:1] == ["verify"] and "--archive" in args) and bool(words)


def run_cli(capsys: pytest.CaptureFixture[str], db: str, *args: str, ready: bool = True) -> Result:
    """Run ``ledger --db DB ARGS`` in this process; return exit status, stdout and stderr. Unless
    ``ready`` is false the store is made a training store first (:func:`training_store`), with the
    acting user (``--as``, ``LEDGER_USER``) a user with every role."""
    from ledger.cli.main import main

    if ready and _needs_store(args):
        training_store(db, _acting_user(args))
    capsys.readouterr()
    try:
        main(["--db", db, *args])
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


def run_process(db: str, *args: str, env: dict[str, str] | None = None, ready: bool = True) -> Result:
    """Run the CLI as a separate process (for language, start-up and concurrency tests); the store made
    ready as for :func:`run_cli`."""
    import os

    if ready and _needs_store(args):
        training_store(db, _acting_user(args, env))
    proc = subprocess.run(
        [sys.executable, "-m", "ledger.cli", "--db", db, *args],
        capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=120,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def services_at(db: str, user: str = "tester") -> Any:
    """The services over the store at ``db`` for ``user`` with every role on a training store."""
    from ledger.bootstrap import services

    training_store(db, user)
    return services(db, user)


def ledger_at(db: str, user: str = "tester") -> Any:
    """The write side on the store at ``db`` (a path or URL), as the command line builds it, for
    ``user`` with every role on a training store (:func:`training_store`)."""
    from ledger.bootstrap import services

    training_store(db, user)
    return services(db, user).ledger


class Reads:
    """The read side of a ledger's store for tests: ``ReadSide``'s answers with the ledger's today."""

    def __init__(self, app: Any) -> None:
        from ledger.projections.read_side import ReadSide

        self.app = app
        self.side = ReadSide(app.factory.store, app.mapper)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.side, name)

    def cases(self, **filters: Any) -> list[dict[str, Any]]:
        return self.side.cases(today=self.app.clock.today(), **filters)  # type: ignore[no-any-return]

    def budget(self, year: int, by: str | None = None) -> dict[str, Any]:
        return self.side.budget(year, self.app.clock.today(), by)  # type: ignore[no-any-return]

    def stats(self, year: int) -> dict[str, Any]:
        report = dict(self.side.stats(year, self.app.clock.today()))
        report.pop("cases", None)
        return report


def batch_at(db: str, user: str = "tester", flush_every: int = 5000) -> Any:
    """The write side in batch mode (as ``ledger demo`` uses it) on the store at ``db``."""
    from ledger.bootstrap import services

    training_store(db, user)
    return services(db, user).batch_ledger(flush_every)


def store_at(db: str) -> Any:
    """The store at ``db`` (a path or URL)."""
    from ledger.adapters.config import resolve_url
    from ledger.adapters.store import SQLStore

    return SQLStore.for_url(resolve_url(db))


def store_head(store: Any) -> Any:
    """The head of the chain as stored (not verified)."""
    with store.read() as conn:
        return store.chain_head(conn)


def event_count(db: str) -> int:
    """Events stored, read straight from the table (not through the application)."""
    from sqlalchemy import func, select

    from ledger.adapters.schema import events_table

    store = store_at(db)
    with store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(events_table)).scalar() or 0)


def luhn(nine: str) -> str:
    """Check digit for the nine digits YYMMDDNNN (Skatteverket's Luhn variant), kept apart from the code under test."""
    total = 0
    for i, ch in enumerate(nine):
        product = int(ch) * (2 - i % 2)
        total += product // 10 + product % 10
    return str((10 - total % 10) % 10)


def broken_check_digit(pnr: str) -> str:
    """A test number with its check digit changed: fails only the checksum."""
    return pnr[:-1] + str((int(pnr[-1]) + 1) % 10)


def moved_to_february_30(pnr: str) -> str:
    """A test number moved to 30 February, with a check digit that is right for it: fails only the date."""
    digits = pnr[:4] + "0230" + pnr[8:11]
    return digits + luhn(digits[2:])


def identity_forms(number: str) -> set[str]:
    """The ways an identity number could leak: 12 and 10 digits, with and without a dash or plus."""
    d = "".join(ch for ch in number if ch.isdigit())
    return {number, d, d[2:], f"{d[:8]}-{d[8:]}", f"{d[2:8]}-{d[8:]}", f"{d[2:8]}+{d[8:]}"}


def wrap_handlers(monkeypatch: pytest.MonkeyPatch, projection: Any, wrapper: Any) -> Any:
    """Replace every handler of a projection class by ``wrapper(handler)``; returns the originals
    (give them back with ``monkeypatch.setattr(projection, "handlers", originals)``)."""
    originals = dict(projection.handlers)
    monkeypatch.setattr(projection, "handlers", {cls: wrapper(handle) for cls, handle in originals.items()})
    return originals


def dying_after(count: int, error: type[BaseException] = RuntimeError) -> Any:
    """A handler wrapper that raises ``error`` at the ``count``-th event handled (by any wrapped handler)."""
    calls = {"n": 0}

    def wrapper(handle: Any) -> Any:
        def dying(unit: Any, fact: Any) -> None:
            calls["n"] += 1
            if calls["n"] == count:
                raise error("killed in the middle of a batch")
            handle(unit, fact)

        return dying

    return wrapper
