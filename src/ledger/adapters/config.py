"""The ledger's configuration, resolved once when a command starts: which database, who records,
which clock, and the settings a unit may change. Nothing below this module reads the environment.

=================  ===========================================================================
``--db``           the database: a file path, ``sqlite:///…`` or ``postgresql://…``
``LEDGER_DB``      the same, when ``--db`` is not given (default: a file in the user data folder)
``--as``           who records or reads (else ``LEDGER_USER``, else the login name)
``LEDGER_NOW``     a fixed moment instead of the system clock (tests, demos)
``LEDGER_TODAY``   a fixed business date
``LEDGER_LATE_DAYS``  after how many days an entry counts as documented late (default 14)
=================  ===========================================================================
"""

from __future__ import annotations

import getpass
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from ledger.domain.clock import Clock, PinnedClock, SystemClock
from ledger.domain.errors import InputError
from ledger.domain.replay import DEFAULT_LATE_DAYS, check_late_days

_USER = re.compile(r"^[\w.@-]{1,64}$")


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
    """Everything a command needs to know about where it runs."""

    url: str
    user: str
    clock: Clock = field(default_factory=SystemClock)
    late_days: int = DEFAULT_LATE_DAYS

    @classmethod
    def resolve(cls, db: str | None = None, user: str | None = None,
                environ: Mapping[str, str] | None = None) -> Config:
        """From the options given and the environment (``os.environ`` unless given)."""
        env = os.environ if environ is None else environ
        url = resolve_url(db or env.get("LEDGER_DB") or str(default_db_path()))
        return cls(url=url, user=check_user(user or env.get("LEDGER_USER") or _login()), clock=clock_from(env),
                   late_days=_late_days(env.get("LEDGER_LATE_DAYS")))


def check_user(name: str) -> str:
    if not _USER.match(name):
        raise InputError(field="--as", reason="format")
    return name


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


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
