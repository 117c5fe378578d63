"""In-memory stand-ins for the store, for the rules' tests and anything that needs no database:
the eventsourcing library's own in-memory persistence, and settings in a dict."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.popo import POPOFactory
from eventsourcing.utils import Environment

from ledger.application.ports import AccessEntry


class MemorySettings:
    """:class:`ledger.application.ports.Settings` in a dict."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def setting(self, key: str, default: str | None = None) -> str | None:
        if key not in self.values and default is not None:
            self.values[key] = default
        return self.values.get(key)


def memory_factory() -> InfrastructureFactory[Any]:
    """The library's in-memory recorders (events, snapshots), snapshotting on."""
    return POPOFactory(Environment("ledger", {"IS_SNAPSHOTTING_ENABLED": "y"}))


class MemoryAccessLog:
    """:class:`ledger.application.ports.AccessLog` in a list; as a protection lookup, no case is protected."""

    def __init__(self) -> None:
        self.rows: list[AccessEntry] = []

    def record(self, entries: Sequence[AccessEntry]) -> None:
        self.rows.extend(entries)

    def entries(self, **_: Any) -> list[AccessEntry]:
        return list(self.rows)

    def protection_levels(self, case_numbers: Sequence[str]) -> dict[str, str]:
        return dict.fromkeys(case_numbers, "none")

    def protected_cases(self) -> dict[str, str] | None:
        return {}

    def access_events(self, case_numbers: Sequence[str]) -> dict[str, list[Any]]:
        return {number: [] for number in case_numbers}  # nothing is protected here


class MemoryPersonIndex:
    """Person ids by identity number for the in-memory ledger: name-based in a namespace of its own
    (nothing is at rest here to protect)."""

    def __init__(self) -> None:
        from uuid import uuid4

        self.namespace = uuid4()

    def person_id(self, identity_number: str) -> UUID:
        from ledger.domain.aggregates import person_id

        return person_id(self.namespace, identity_number)
