"""System time and today's date, in one place so tests can pin them."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime


def now() -> datetime:
    """The current system time in UTC (``LEDGER_NOW`` overrides it, for tests and demos)."""
    pinned = os.environ.get("LEDGER_NOW")
    if pinned:
        return datetime.fromisoformat(pinned).astimezone(UTC)
    return datetime.now(UTC)


def today() -> date:
    """Today's business date in the unit's local time (``LEDGER_TODAY`` overrides it)."""
    pinned = os.environ.get("LEDGER_TODAY")
    if pinned:
        return date.fromisoformat(pinned)
    return datetime.now().date()
