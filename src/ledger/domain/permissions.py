"""Who may do what: the roles, and one table that decides every command.

Every command a user can give is an :class:`Action` (its name is the command line's, ``"payment
record"``); :data:`PERMISSIONS` says which roles may give it. A user has one or more roles and may
do what any of them allows. The table is the only place this is decided: the application asks it
before every command and every read (:func:`check`), and a test runs every command as every role
from it. Three commands are not in it, because no user is known yet when they run: ``init`` (a
store without users), ``import`` (into an empty store) and ``verify --archive`` (a file, no store).

Protected identity narrows reading further (:func:`can_see`): a case whose person has a protected
identity is visible only to its assigned case worker, to managers and auditors, and to users
granted access until a date — to anyone else it does not exist.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from ledger.domain.errors import AccessDenied, InputError, InvalidChoice
from ledger.domain.vocab import ProtectionLevel


class Role(StrEnum):
    """Stored codes; the Swedish names are in :data:`SWEDISH_NAMES` (and accepted as input)."""

    CASE_WORKER = "case_worker"  # handläggare
    MANAGER = "manager"  # arbetsledare
    ECONOMIST = "economist"  # ekonom
    STATISTICIAN = "statistician"  # statistiker
    AUDITOR = "auditor"  # granskare (internal control, IVO)
    ADMIN = "admin"  # administratör


SWEDISH_NAMES: dict[Role, str] = {
    Role.CASE_WORKER: "handläggare",
    Role.MANAGER: "arbetsledare",
    Role.ECONOMIST: "ekonom",
    Role.STATISTICIAN: "statistiker",
    Role.AUDITOR: "granskare",
    Role.ADMIN: "administratör",
}
_BY_NAME = {**{r.value: r for r in Role}, **{name: role for role, name in SWEDISH_NAMES.items()},
            "administrator": Role.ADMIN}

#: A user name: lower-case ASCII only (a look-alike letter from another alphabet, or another case, is
#: not another person), as database logins and operating-system accounts are.
USER_NAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,63}$")


def check_user_name(name: str, field: str = "NAME") -> str:
    """A user name as stored, or :class:`InputError` (never echoing what was typed)."""
    text = unicodedata.normalize("NFKC", name or "").strip()
    if not USER_NAME.match(text):
        raise InputError(field=field, reason="user_name")
    return text


def parse_role(text: str) -> Role:
    """A role by its code or its Swedish name (``handläggare``), in any case."""
    key = unicodedata.normalize("NFKC", str(text)).strip().lower().replace("-", "_")
    found = _BY_NAME.get(key)
    if found is None:
        allowed = ", ".join(SWEDISH_NAMES[r] for r in Role)
        raise InvalidChoice(field="role", value=str(text)[:40], allowed=allowed)
    return found


class Action(StrEnum):
    """Everything a user can ask of the ledger, named as on the command line."""

    # the case's own steps
    CASE_OPEN = "case open"
    CASE_CLOSE = "case close"
    CASE_REOPEN = "case reopen"
    CONTACT_ADD = "contact add"
    CONSENT_GRANT = "consent grant"
    CONSENT_REVOKE = "consent revoke"
    ASSESSMENT_RECORD = "assessment record"
    INVESTIGATION_OPEN = "investigation open"
    INVESTIGATION_COMPLETE = "investigation complete"
    THREAT_RECORD = "threat record"
    DECISION_RECORD = "decision record"
    DECISION_STATUS = "decision status"
    PLACEMENT_START = "placement start"
    PLACEMENT_EXTEND = "placement extend"
    PLACEMENT_END = "placement end"
    SERVICE_START = "service start"
    SERVICE_END = "service end"
    FOLLOWUP_RECORD = "followup record"
    SHARE_RECORD = "share record"
    RELATIVE_ADD = "relative add"
    CHILD_ADD = "child add"
    CORRECT = "correct"
    JOURNAL_ADD = "journal add"
    JOURNAL_OBJECT = "journal object"
    PLAN_SET = "plan set"
    DECISION_APPEAL = "decision appeal"
    DECISION_COURT = "decision court"
    # who works on a case, and who may see a protected one
    CASE_ASSIGN = "case assign"
    CASE_PROTECT = "case protect"
    CASE_GRANT_ACCESS = "case grant-access"
    # money
    PAYMENT_RECORD = "payment record"
    PAYMENT_REVERSE = "payment reverse"
    PAYMENT_LIST = "payment list"
    GRANT_APPLY = "grant apply"
    GRANT_DECIDE = "grant decide"
    BUDGET_SET = "budget set"
    BUDGET_ADJUST = "budget adjust"
    # registers and users
    PROVIDER_ADD = "provider add"
    PROVIDER_VERIFY = "provider verify"
    USER_ADD = "user add"
    USER_ROLE = "user role"
    USER_END = "user end"
    USER_LIST = "user list"
    # reading cases
    CASE_SHOW = "case show"
    CASE_SHOW_MONEY = "case show money"  # the money of a case only (payments, placements, services)
    CASE_LOG = "case log"
    CASE_JOURNAL = "case journal"
    CASE_FIND = "case find"
    DOCUMENT = "document"
    CASE_LIST = "case list"
    HISTORY = "history"
    AUDIT_CONSENT = "audit consent"
    TILLSYN_EXPORT = "tillsyn export"
    BUDGET_SHOW = "budget show"
    BUDGET_BY_CASE = "budget show --by case"
    STATS = "stats"
    STATS_UNSUPPRESSED = "stats --no-suppression"
    ACCESS_LOG = "access-log"
    # personal data over time: gallring, the register extract, the settings
    GALLRING_PLAN = "gallring"
    GALLRING_EXECUTE = "gallring --execute"
    REGISTER_EXTRACT = "registerutdrag"
    SETTINGS_SHOW = "settings show"
    SETTINGS_SET = "settings gallring"
    # the store
    VERIFY = "verify"
    DIGEST = "digest"
    EXPORT = "export"
    PROJECTIONS_STATUS = "projections status"
    PROJECTIONS_REBUILD = "projections rebuild"
    INFO = "info"


CW, MG, EC, ST, AU, AD = (Role.CASE_WORKER, Role.MANAGER, Role.ECONOMIST, Role.STATISTICIAN, Role.AUDITOR,
                          Role.ADMIN)
_CASE_WORK = frozenset({CW, MG})

#: The one table: which roles may give each command.
PERMISSIONS: dict[Action, frozenset[Role]] = {
    **{action: _CASE_WORK for action in (
        Action.CASE_OPEN, Action.CASE_CLOSE, Action.CASE_REOPEN, Action.CONTACT_ADD, Action.CONSENT_GRANT,
        Action.CONSENT_REVOKE, Action.ASSESSMENT_RECORD, Action.INVESTIGATION_OPEN, Action.INVESTIGATION_COMPLETE,
        Action.THREAT_RECORD, Action.DECISION_RECORD, Action.DECISION_STATUS, Action.PLACEMENT_START,
        Action.PLACEMENT_EXTEND, Action.PLACEMENT_END, Action.SERVICE_START, Action.SERVICE_END,
        Action.FOLLOWUP_RECORD, Action.SHARE_RECORD, Action.RELATIVE_ADD, Action.CHILD_ADD, Action.CASE_PROTECT,
        Action.JOURNAL_ADD, Action.JOURNAL_OBJECT, Action.PLAN_SET, Action.DECISION_APPEAL, Action.DECISION_COURT,
    )},
    # a correction: the case's entries by case work, its money by the ekonom (domain/corrections.py)
    Action.CORRECT: frozenset({CW, MG, EC}),
    Action.CASE_ASSIGN: frozenset({MG}),
    Action.CASE_GRANT_ACCESS: frozenset({MG}),
    Action.PAYMENT_RECORD: frozenset({EC}),
    Action.PAYMENT_REVERSE: frozenset({EC}),
    Action.PAYMENT_LIST: frozenset({MG, EC, AU}),
    Action.GRANT_APPLY: frozenset({EC}),
    Action.GRANT_DECIDE: frozenset({EC}),
    Action.BUDGET_SET: frozenset({EC}),
    Action.BUDGET_ADJUST: frozenset({EC}),
    Action.PROVIDER_ADD: frozenset({MG, EC, AD}),
    Action.PROVIDER_VERIFY: frozenset({MG, EC, AD}),
    Action.USER_ADD: frozenset({AD}),
    Action.USER_ROLE: frozenset({AD}),
    Action.USER_END: frozenset({AD}),
    Action.USER_LIST: frozenset({MG, AU, AD}),
    Action.CASE_SHOW: frozenset({CW, MG, AU}),
    Action.CASE_SHOW_MONEY: frozenset({EC}),
    Action.CASE_LOG: frozenset({CW, MG, AU}),
    Action.CASE_JOURNAL: frozenset({CW, MG, AU}),
    Action.CASE_FIND: frozenset({CW, MG, AU}),
    Action.DOCUMENT: frozenset({CW, MG, AU}),
    Action.CASE_LIST: frozenset({CW, MG, EC, AU}),
    Action.HISTORY: frozenset({CW, MG, AU}),
    Action.AUDIT_CONSENT: frozenset({CW, MG, AU}),
    Action.TILLSYN_EXPORT: frozenset({MG, AU}),
    Action.BUDGET_SHOW: frozenset({MG, EC, ST, AU}),
    Action.BUDGET_BY_CASE: frozenset({MG, EC, AU}),
    Action.STATS: frozenset({MG, EC, ST, AU}),
    Action.STATS_UNSUPPRESSED: frozenset({MG, AU}),
    Action.ACCESS_LOG: frozenset({MG, AU}),
    Action.GALLRING_PLAN: frozenset({MG, AU}),
    Action.GALLRING_EXECUTE: frozenset({MG}),
    Action.REGISTER_EXTRACT: frozenset({CW, MG, AU}),
    Action.SETTINGS_SHOW: frozenset(Role),
    Action.SETTINGS_SET: frozenset({AD}),
    Action.VERIFY: frozenset({MG, AU, AD}),
    Action.DIGEST: frozenset({MG, AU, AD}),
    Action.EXPORT: frozenset({AU}),
    Action.PROJECTIONS_STATUS: frozenset(Role),
    Action.PROJECTIONS_REBUILD: frozenset({AD}),
    Action.INFO: frozenset(Role),
}

#: Roles that see every case, protected identity or not.
SEE_ALL = frozenset({MG, AU})
#: Protection levels from the least to the most protected (a new case inherits the strongest).
LEVELS = tuple(ProtectionLevel)


def stronger(a: str, b: str) -> str:
    """The more protected of two levels."""
    return a if LEVELS.index(ProtectionLevel(a)) >= LEVELS.index(ProtectionLevel(b)) else b


def is_protected(level: str) -> bool:
    return level != ProtectionLevel.NONE


def allowed(roles: Iterable[Role | str], action: Action) -> bool:
    return any(Role(r) in PERMISSIONS[action] for r in roles)


def check(user: str, roles: Iterable[Role | str], action: Action) -> None:
    """Raise :class:`AccessDenied` naming the command and the roles that may give it."""
    roles = list(roles)
    if not allowed(roles, action):
        needed = sorted(PERMISSIONS[action], key=list(Role).index)
        raise AccessDenied(action=str(action), roles=", ".join(r.value for r in needed) or "-",
                           why="no_role" if roles else "no_user")


@dataclass(frozen=True)
class CaseAccess:
    """What decides who may see a case: its person's protection now, who it is assigned to, who was
    granted access until when."""

    case: str
    protection_level: str = ProtectionLevel.NONE
    assigned_to: str | None = None
    grants: tuple[tuple[str, date], ...] = field(default_factory=tuple)

    @property
    def protected(self) -> bool:
        return is_protected(self.protection_level)


def can_see(user: str, roles: Iterable[Role | str], access: CaseAccess, today: date) -> bool:
    """Whether a user may know the case exists: any case for its readers, a protected one only for
    its assigned worker, managers, auditors, and users granted access up to a date not passed."""
    if not access.protected:
        return True
    roles = {Role(r) for r in roles}
    if roles & SEE_ALL or user == access.assigned_to:
        return True
    return any(name == user and today <= until for name, until in access.grants)
