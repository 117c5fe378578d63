"""What a decision must say, and who may make it: settings, because the law renumbers and units differ.

- **Legal grounds**: the list a decision's ``legal_ground`` is chosen from. SFS 2025:400 (the new
  socialtjänstlag, in force 2025-07-01) renumbered the sections: the list is a setting
  (``ledger settings decisions --legal-ground …``), recorded as an event.
- **The delegation** (*delegationsordning*): which roles may decide which intervention. The
  decision-maker named on a decision (``--decided-by``, by default whoever records it) must hold one
  of them. Without a line for an intervention, case workers and managers may decide it.
- **Motivation**: a refusal or a partial grant must say why (förvaltningslagen 32 §); a grant may.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ledger.domain.errors import AccessDenied, InputError, InvalidChoice, RuleViolation
from ledger.domain.permissions import Role, parse_role
from ledger.domain.vocab import DecisionOutcome, Intervention, choose

DEFAULT_LEGAL_GROUNDS = (
    "SoL 4 kap. 1 §",  # bistånd (2001:453); set the unit's list to SFS 2025:400's numbering
    "SoL 4 kap. 2 §",
    "SoL 5 kap. 11 §",
)
DEFAULT_DECIDERS = frozenset({Role.CASE_WORKER, Role.MANAGER})


@dataclass(frozen=True)
class DecisionRules:
    legal_grounds: tuple[str, ...] = DEFAULT_LEGAL_GROUNDS
    delegation: Mapping[str, frozenset[Role]] = field(default_factory=dict)

    def deciders(self, intervention: str) -> frozenset[Role]:
        return self.delegation.get(str(intervention), DEFAULT_DECIDERS)


def rules_from(events: Iterable[Any]) -> DecisionRules:
    """The rules in force: the last ``DecisionRulesSet`` of the settings stream, or the defaults."""
    found = DecisionRules()
    for e in events:
        if type(e).__name__ == "DecisionRulesSet":
            found = DecisionRules(tuple(e.legal_grounds),
                                  {k: frozenset(Role(r) for r in v) for k, v in e.delegation.items()})
    return found


def parse_delegation(lines: Iterable[str]) -> dict[str, list[str]]:
    """``protected_housing=arbetsledare`` (several roles with commas) into intervention -> role codes."""
    found: dict[str, list[str]] = {}
    for line in lines:
        if "=" not in line:
            raise InputError(field="--delegate", reason="format")
        name, roles = line.split("=", 1)
        intervention = choose(Intervention, name.strip(), "--delegate")
        found[str(intervention)] = sorted({parse_role(r).value for r in roles.split(",") if r.strip()})
        if not found[str(intervention)]:
            raise InputError(field="--delegate", reason="format")
    return found


def check_decision(rules: DecisionRules, outcome: DecisionOutcome, intervention: str, motivation: str | None,
                   legal_ground: str | None, decided_by: str, decider_roles: frozenset[Role]) -> str | None:
    """The legal ground as listed (``None`` if none given), once the decision may be recorded."""
    if outcome in (DecisionOutcome.DENIED, DecisionOutcome.PARTIAL) and not (motivation or "").strip():
        raise RuleViolation(rule="motivation_required", outcome=str(outcome))
    ground = None
    if legal_ground is not None and legal_ground.strip():
        wanted = " ".join(legal_ground.split()).casefold()
        ground = next((g for g in rules.legal_grounds if " ".join(g.split()).casefold() == wanted), None)
        if ground is None:
            raise InvalidChoice(field="--legal-ground", value=legal_ground[:40], allowed="; ".join(rules.legal_grounds))
    allowed = rules.deciders(intervention)
    if not decider_roles & allowed:
        raise AccessDenied(action="decision record", roles=", ".join(r.value for r in sorted(allowed)),
                           why="delegation")
    return ground
