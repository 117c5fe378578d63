"""The store's own business, for the roles that look after it: verifying the chains, taking digests,
importing an archive, the read side's status and rebuilds. No case content passes here."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

from ledger.application.gate import Gate
from ledger.application.ports import Integrity
from ledger.domain.permissions import Action


class StoreIntegrity(Integrity, Protocol):
    def head(self) -> Any: ...


class ReadSideAdmin(Protocol):
    def status(self) -> list[dict[str, Any]]: ...

    def projection_names(self, name: str | None = None) -> list[str]: ...

    def rebuild(self, names: list[str], progress: Any = None) -> dict[str, int]: ...

    def info(self) -> dict[str, Any]: ...


class Housekeeping:
    """Each method first asks the gate (a refusal leaves a *nekad* entry)."""

    def __init__(self, gate: Gate, *, integrity: Callable[[], StoreIntegrity],
                 read_side: Callable[[], ReadSideAdmin]) -> None:
        self.gate, self._integrity, self._read_side = gate, integrity, read_side

    def verify(self, digests: Iterable[Any] = ()) -> Any:
        self.gate.require(Action.VERIFY)
        return self._integrity().verify(digests)

    def head(self) -> Any:
        self.gate.require(Action.DIGEST)
        return self._integrity().head()

    def status(self) -> list[dict[str, Any]]:
        self.gate.require(Action.PROJECTIONS_STATUS)
        return self._read_side().status()

    def rebuild_names(self, name: str | None) -> list[str]:
        """The projections ``rebuild`` would rebuild, once the gate allows it (before a progress bar shows)."""
        self.gate.require(Action.PROJECTIONS_REBUILD)
        return self._read_side().projection_names(name)

    def rebuild(self, name: str | None, progress: Any = None) -> dict[str, int]:
        names = self.rebuild_names(name)
        return self._read_side().rebuild(names, progress=progress)

    def info(self) -> dict[str, Any]:
        self.gate.require(Action.INFO)
        return {**self._read_side().info(), "user": self.gate.actor.name,
                "roles": sorted(r.value for r in self.gate.actor.roles), "training": self.gate.actor.training}
