"""Who works on a case and who may see it, and the ledger's users (rules: :mod:`ledger.domain.decide_case`,
:mod:`ledger.domain.users`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ledger.application.core import LedgerCore, command
from ledger.domain import commands as c
from ledger.domain import decide_case as decide
from ledger.domain import events as ev
from ledger.domain import users as u
from ledger.domain.aggregates import PROJECTORS
from ledger.domain.case import CaseState
from ledger.domain.errors import NotFound
from ledger.domain.permissions import Action, Role, check_user_name, parse_role
from ledger.domain.rules import DateLike
from ledger.domain.vocab import ProtectionLevel, choose


class AccessCommands(LedgerCore):
    """Assigning cases, protecting identities, granting access; adding and ending users."""

    def users_state(self) -> u.UsersState | None:
        return self._load(u.USERS, u.project_users)

    def _users(self) -> u.UsersState:
        state = self.users_state()
        if state is None:
            raise NotFound(kind="user", ref="-")
        return state

    @command(Action.CASE_ASSIGN)
    def assign_case(self, case: str, to: str, *, on: DateLike = None, note: str | None = None) -> None:
        """Make ``to`` the case's responsible case worker (ansvarig handläggare)."""
        cmd = c.AssignCase(check_user_name(to, "--to"))
        self._on_case(Action.CASE_ASSIGN, case, on, note, lambda s, r: decide.assign(s, cmd, self._users(), r))

    @command(Action.CASE_GRANT_ACCESS)
    def grant_case_access(self, case: str, to: str, *, until: DateLike, reason: str, on: DateLike = None,
                          note: str | None = None) -> None:
        """Let ``to`` see the case (its person's identity protected) up to and including ``until``."""
        cmd = c.GrantAccess(check_user_name(to, "--to"), self._day(until, "--until"), reason)
        self._on_case(Action.CASE_GRANT_ACCESS, case, on, note,
                      lambda s, r: decide.grant_access(s, cmd, self._users(), r))

    @command(Action.CASE_PROTECT)
    def protect_case(self, case: str, level: str, *, on: DateLike = None, note: str | None = None) -> None:
        """Change the protected identity of the case's person (all their cases); lowering it is a manager's."""
        cmd = c.ProtectCase(choose(ProtectionLevel, level, "--level"))

        def protect(state: CaseState, rec: ev.Recording) -> list[ev.Event]:
            person = self._load(state.person_id, PROJECTORS["person"])
            version = person.version if person is not None else 0
            return decide.protect(state, version, self._current_protection(state), cmd, rec)

        self._on_case(Action.CASE_PROTECT, case, on, note, protect)

    # -- the ledger's users ---------------------------------------------------------------------------

    def initialise(self, *, training: bool, roles: Iterable[str] = ()) -> None:
        """``ledger init``: the store's first event says real or training; who runs it is its first
        administrator (with ``roles`` too). Anyone may initialise a store nobody has yet."""
        wanted = {parse_role(r) for r in roles}

        def build() -> tuple[list[ev.Event], None]:
            rec = self._recording(None, None)
            return u.initialise(self.users_state(), training, self.user, rec, wanted), None

        self._run(build)

    @command(Action.USER_ADD, on_case=False)
    def add_user(self, name: str, roles: Iterable[str]) -> str:
        wanted = [parse_role(r) for r in roles]

        def build() -> tuple[list[ev.Event], str]:
            new = u.add_user(self._users(), name, wanted, self._recording(None, None))
            return new, new[0].name  # type: ignore[attr-defined]

        return self._run(build)

    @command(Action.USER_ROLE, on_case=False)
    def change_roles(self, name: str, roles: Iterable[str]) -> None:
        wanted = [parse_role(r) for r in roles]
        self._run(lambda: (u.change_roles(self._users(), name, wanted, self._recording(None, None)), None))

    @command(Action.USER_END, on_case=False)
    def end_user(self, name: str) -> None:
        self._run(lambda: (u.end_user(self._users(), name, self._recording(None, None)), None))

    @command(Action.USER_LIST, on_case=False)
    def list_users(self) -> dict[str, Any]:
        state = self._users()
        return {
            "training": state.training,
            "users": [
                {"name": user.name, "roles": [Role(r).value for r in user.roles], "active": user.active}
                for user in sorted(state.users.values(), key=lambda x: x.name)
            ],
        }
