"""The ledger's users and their roles: one stream of events, like everything else (hash-chained).

The stream's first event says whether the store is a real one or a training store
(:class:`~ledger.domain.events.LedgerInitialised`); then users are added, given other roles and
ended. A user is who the database (PostgreSQL: the login) or the operating system (SQLite) says
runs the command; only a training store takes a name given with ``--as``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID, uuid5

from pydantic import BaseModel, ConfigDict

from ledger.domain import events as ev
from ledger.domain.aggregates import NAMESPACE
from ledger.domain.errors import AlreadyExists, InputError, NotFound, RuleViolation
from ledger.domain.permissions import Role, check_user_name

#: The users' stream: one per store.
USERS = uuid5(NAMESPACE, "users")


class UserState(BaseModel):
    model_config = ConfigDict(defer_build=True)
    name: str
    roles: list[str]
    active: bool = True


class UsersState(BaseModel):
    """Whether this is a training store, and every user the ledger has had."""

    model_config = ConfigDict(defer_build=True)

    id: UUID
    version: int
    training: bool = False
    users: dict[str, UserState] = {}

    def roles_of(self, name: str) -> frozenset[Role]:
        """The roles of an active user (none for an unknown or ended one)."""
        user = self.users.get(name)
        return frozenset(Role(r) for r in user.roles) if user is not None and user.active else frozenset()

    def active_admins(self) -> list[str]:
        return [n for n, u in self.users.items() if u.active and Role.ADMIN in u.roles]


ev.register_topic(UsersState, "ledger.users:UsersState")


def project_users(state: UsersState | None, events: Iterable[Any]) -> UsersState | None:
    for e in events:
        if isinstance(e, ev.LedgerInitialised):
            state = UsersState(id=e.originator_id, version=e.originator_version, training=e.training)
        elif state is None:
            continue
        elif isinstance(e, ev.UserAdded):
            state.users[e.name] = UserState(name=e.name, roles=list(e.roles))
        elif isinstance(e, ev.UserRolesChanged):
            state.users[e.name].roles = list(e.roles)
        elif isinstance(e, ev.UserEnded):
            state.users[e.name].active = False
        state.version = e.originator_version
    return state


def _roles(roles: Iterable[Role]) -> list[str]:
    found = sorted({Role(r) for r in roles}, key=list(Role).index)
    if not found:
        raise InputError(field="--role", reason="required")
    return [r.value for r in found]


def initialise(state: UsersState | None, training: bool, admin: str, rec: ev.Recording,
               roles: Iterable[Role] = (Role.ADMIN,)) -> list[ev.Event]:
    """A new ledger: real or training, with the person who runs ``ledger init`` as its first administrator."""
    if state is not None:
        raise AlreadyExists(kind="ledger", ref="init")
    name = check_user_name(admin)
    wanted = {Role.ADMIN, *roles}
    return [
        ev.LedgerInitialised(**rec.header(USERS, 1, with_note=False), training=training),
        ev.UserAdded(**rec.header(USERS, 2, with_note=False), name=name, roles=_roles(wanted)),
    ]


def add_user(state: UsersState, name: str, roles: Iterable[Role], rec: ev.Recording) -> list[ev.Event]:
    name = check_user_name(name)
    if name in state.users:
        raise AlreadyExists(kind="user", ref=name)
    return [ev.UserAdded(**rec.header(state.id, state.version + 1), name=name, roles=_roles(roles))]


def _existing(state: UsersState, name: str) -> UserState:
    user = state.users.get(check_user_name(name))
    if user is None or not user.active:
        raise NotFound(kind="user", ref=name[:64])
    return user


def change_roles(state: UsersState, name: str, roles: Iterable[Role], rec: ev.Recording) -> list[ev.Event]:
    """New roles for a user, given by another administrator: nobody widens their own access."""
    user = _existing(state, name)
    if user.name == rec.by:
        raise RuleViolation(rule="own_roles", ref=user.name)
    new = _roles(roles)
    if Role.ADMIN in user.roles and Role.ADMIN not in new and state.active_admins() == [user.name]:
        raise RuleViolation(rule="last_admin", ref=user.name)
    return [ev.UserRolesChanged(**rec.header(state.id, state.version + 1), name=user.name, roles=new)]


def end_user(state: UsersState, name: str, rec: ev.Recording) -> list[ev.Event]:
    """A user who leaves; their entries stay theirs. The last administrator cannot be ended."""
    user = _existing(state, name)
    if state.active_admins() == [user.name]:
        raise RuleViolation(rule="last_admin", ref=user.name)
    return [ev.UserEnded(**rec.header(state.id, state.version + 1), name=user.name)]
