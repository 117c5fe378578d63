"""The gate every command and every read passes: who acts, may they, and the access log's entry.

One :class:`Gate` per command run, for one authenticated :class:`Actor`. The write side asks it
before it records (:meth:`Gate.require`, and :meth:`Gate.may_see` for the case it touches); the
query layer before it shows (the same, plus :meth:`Gate.shown`). A refusal — a role that does
not allow the command, a protected case the user may not see — raises, stores nothing, and leaves
a *nekad* (denied) entry in the access log; a case the user may not see is reported exactly like
a case that does not exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any, Protocol

from ledger.application.ports import AccessEntry, AccessLog
from ledger.domain.aggregates import normalise_case_number
from ledger.domain.clock import Clock
from ledger.domain.errors import AccessDenied, NotFound
from ledger.domain.permissions import Action, CaseAccess, Role, can_see, check, is_protected

READ, DENIED = "read", "denied"


@dataclass(frozen=True)
class Actor:
    """Who runs this command: a ledger user (their roles) on a real or a training store."""

    name: str
    roles: frozenset[Role] = field(default_factory=frozenset)
    training: bool = False

    @classmethod
    def everyone(cls, name: str = "tester") -> Actor:
        """A user with every role, on a training store (the rules' tests, which are not about access)."""
        return cls(name, frozenset(Role), training=True)


class ProtectionLookup(Protocol):
    def protection_levels(self, case_numbers: Sequence[str]) -> dict[str, str]:
        """The current protection level of each case (its person's); ``NotFound`` for an unknown case."""
        ...

    def protected_cases(self) -> dict[str, str] | None:
        """Every case protected now, with its level (None: not known without asking for every case)."""
        ...

    def access_events(self, case_numbers: Sequence[str]) -> dict[str, list[Any]]:
        """Each case's stored events that decide who may see it (opening, assignments, grants), oldest first."""
        ...


class Gate:
    """Permissions, visibility and the access log's entries, in one place."""

    def __init__(self, actor: Actor, access_log: AccessLog, protection: ProtectionLookup, clock: Clock) -> None:
        self.actor, self.access_log, self.protection, self.clock = actor, access_log, protection, clock

    def require(self, action: Action, case: str | None = None) -> None:
        """Raise :class:`AccessDenied` (and log it) unless the actor's roles allow ``action``."""
        try:
            check(self.actor.name, self.actor.roles, action)
        except AccessDenied:
            self.denied(action, case)
            raise

    def allows(self, action: Action) -> bool:
        try:
            check(self.actor.name, self.actor.roles, action)
        except AccessDenied:
            return False
        return True

    def may_see(self, action: Action, access: CaseAccess) -> None:
        """Raise ``NotFound`` — as for a case that does not exist — (and log a denied read) unless the
        actor may see the case."""
        if not can_see(self.actor.name, self.actor.roles, access, self.clock.today()):
            self.denied(action, access.case, access.protection_level)
            raise NotFound(kind="case", ref=access.case)

    def visible(self, access: CaseAccess) -> bool:
        return can_see(self.actor.name, self.actor.roles, access, self.clock.today())

    def shown(self, command: str, cases: Iterable[str]) -> None:
        """One entry per case about to be shown, before anything is (if it cannot be written, nothing is)."""
        numbers = list(dict.fromkeys(normalise_case_number(c) for c in cases))
        if not numbers:
            return
        levels = self.protection.protection_levels(numbers)
        at = self.clock.now().astimezone(UTC)
        self.access_log.record([
            AccessEntry(accessed_at=at, user=self.actor.name, case=number, command=command,
                        protection_level=levels[number], protected=is_protected(levels[number]))
            for number in numbers
        ])

    def denied(self, action: Action | str, case: str | None = None, level: str | None = None) -> None:
        """A *nekad* entry: who tried what (on which case), when. Never raises for a case it cannot find."""
        number = None
        if case is not None:
            try:
                number = normalise_case_number(case)
            except NotFound:
                number = None
        if number is not None and level is None:
            try:
                level = self.protection.protection_levels([number])[number]
            except NotFound:
                level = None
        self.access_log.record([AccessEntry(
            accessed_at=self.clock.now().astimezone(UTC), user=self.actor.name, case=number, command=str(action),
            protection_level=level or "none", protected=is_protected(level or "none"), outcome=DENIED,
        )])
