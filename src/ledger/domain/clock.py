"""Time: the system's clock, or a pinned one, passed to whoever needs it (never read from a global).

The unit's dates are Swedish: "today" is today in Europe/Stockholm, whatever the machine's zone;
moments are stored in UTC. Which clock runs is decided once, when the ledger is opened
(``ledger.adapters.config``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

#: The unit's local time: typed moments without an offset, "which day was it", every human view.
LOCAL = ZoneInfo("Europe/Stockholm")


class Clock(Protocol):
    """Where the ledger gets the time from."""

    def now(self) -> datetime:
        """The current moment, in UTC."""
        ...

    def today(self) -> date:
        """Today's business date in the unit's local time."""
        ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return datetime.now(LOCAL).date()


@dataclass(frozen=True)
class PinnedClock:
    """A clock with the moment and/or the date fixed (tests, training stores); unpinned parts run."""

    moment: datetime | None = None
    day: date | None = None

    def now(self) -> datetime:
        return self.moment.astimezone(UTC) if self.moment is not None else datetime.now(UTC)

    def today(self) -> date:
        if self.day is not None:
            return self.day
        return (self.moment or datetime.now(UTC)).astimezone(LOCAL).date()  # a pinned moment pins its day too
