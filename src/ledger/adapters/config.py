"""The ledger's configuration, resolved once when a command starts: which database, who records,
which clock, and the settings a unit may change. Nothing below this module reads the environment.

=================  ===========================================================================
``--db``           the database: a file path, ``sqlite:///…`` or ``postgresql://…``
``LEDGER_DB``      the same, when ``--db`` is not given (default: a file in the user data folder)
``--as``           on a training store only: who records or reads (else ``LEDGER_USER``)
``LEDGER_NOW``     on a training store only: a fixed moment instead of the system clock
``LEDGER_TODAY``   on a training store only: a fixed business date
``LEDGER_LATE_DAYS``  after how many days an entry counts as documented late (default 14)
=================  ===========================================================================

Who runs a command on a real store is not configured but authenticated: the database login on
PostgreSQL, the operating system's login on SQLite (``ledger.bootstrap.Services.login``). What
is given here is only a *request*, refused on a real store.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from ledger.domain.clock import Clock, PinnedClock, SystemClock
from ledger.domain.errors import InputError
from ledger.domain.replay import DEFAULT_LATE_DAYS, check_late_days


def default_db_path() -> Path:
    """The embedded default: a SQLite file in the platform's user data directory."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("avhoppar-ledger", appauthor=False)) / "ledger.sqlite3"


def resolve_url(value: str) -> str:
    """A file path, ``sqlite:///…`` or ``postgresql://…`` as a SQLAlchemy URL."""
    if value.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + value.split("://", 1)[1]
    if "://" in value:
        return value
    path = Path(value).expanduser().resolve()
    return f"sqlite:///{path}"


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL; ``None`` for another backend, an in-memory database or a
    ``file:`` URI (whose existence SQLite itself decides)."""
    if not url.startswith("sqlite"):
        return None
    from sqlalchemy.engine import make_url

    path = make_url(url).database
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    return Path(path)


def describe_url(url: str) -> str:
    """The URL with any password hidden, for ``ledger info`` and messages."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@dataclass(frozen=True)
class Config:
    """Everything a command needs to know about where it runs (who runs it is decided with the store)."""

    url: str
    requested_user: str | None = None  # --as or LEDGER_USER: for a training store only
    requested_user_from: str = "--as"
    clock: Clock = field(default_factory=SystemClock)
    clock_pinned: str | None = None  # LEDGER_NOW or LEDGER_TODAY, when the clock is pinned
    late_days: int = DEFAULT_LATE_DAYS

    @classmethod
    def resolve(cls, db: str | None = None, user: str | None = None,
                environ: Mapping[str, str] | None = None) -> Config:
        """From the options given and the environment (``os.environ`` unless given)."""
        env = os.environ if environ is None else environ
        url = resolve_url(db or env.get("LEDGER_DB") or str(default_db_path()))
        requested, source = (user, "--as") if user else (env.get("LEDGER_USER") or None, "LEDGER_USER")
        pinned = "LEDGER_NOW" if env.get("LEDGER_NOW") else "LEDGER_TODAY" if env.get("LEDGER_TODAY") else None
        return cls(url=url, requested_user=requested, requested_user_from=source, clock=clock_from(env),
                   clock_pinned=pinned, late_days=_late_days(env.get("LEDGER_LATE_DAYS")))

    def with_clock(self, clock: Clock) -> Config:
        return replace(self, clock=clock, clock_pinned="clock")


def clock_from(env: Mapping[str, str]) -> Clock:
    """The system clock, or one pinned by ``LEDGER_NOW`` / ``LEDGER_TODAY``."""
    now, today = env.get("LEDGER_NOW"), env.get("LEDGER_TODAY")
    if not now and not today:
        return SystemClock()
    try:
        return PinnedClock(datetime.fromisoformat(now) if now else None, date.fromisoformat(today) if today else None)
    except ValueError:
        raise InputError(field="LEDGER_NOW" if now else "LEDGER_TODAY", reason="format") from None


def _late_days(raw: str | None) -> int:
    if not raw:
        return DEFAULT_LATE_DAYS
    try:
        return check_late_days(int(raw), "LEDGER_LATE_DAYS")
    except ValueError:
        raise InputError(field="LEDGER_LATE_DAYS", reason="format") from None


def os_login() -> str:
    """The operating system's name of the user running this process — from the process's own user id
    (POSIX) or the token Windows gives the process (``GetUserNameW``), never from the environment
    (``USER``, ``LOGNAME``, ``USERNAME``), which anyone can set. A user id without a name (a container
    without a password entry) is ``uid-<number>``. Windows names are compared in lower case, as
    Windows does."""
    if os.name == "nt":
        import ctypes

        size = ctypes.c_ulong(257)
        buffer = ctypes.create_unicode_buffer(size.value)
        if not ctypes.windll.advapi32.GetUserNameW(buffer, ctypes.byref(size)):  # type: ignore[attr-defined]
            raise InputError(field="login", reason="no_login")
        return buffer.value.lower()
    import pwd

    uid = os.getuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid-{uid}"
