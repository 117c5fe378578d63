"""Gallring and the register extract: what the ledger holds about a person, and erasing it on time.

:class:`GallringCommands` records the rules (a setting, as an event) and a person's erasure;
:class:`Gallring` gathers each person's facts from their cases, asks
:func:`ledger.domain.gallring.assess`, and — with ``execute`` — records the erasure and has the
adapters destroy the person's data key (:class:`ErasurePort`). Nothing personal is in the erasure
event; afterwards every view of the person's cases says they were thinned out and when, while
statistics, budget and ``verify`` are unchanged.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Protocol
from uuid import UUID, uuid5

from ledger.application.core import LedgerCore, command
from ledger.application.ports import ReadModels
from ledger.domain import events as ev
from ledger.domain import gallring as g
from ledger.domain.aggregates import NAMESPACE
from ledger.domain.clock import LOCAL
from ledger.domain.errors import AlreadyExists, InputError, PersonThinned
from ledger.domain.identity import parse_identity
from ledger.domain.permissions import Action
from ledger.domain.rules import parse_date

#: The store's settings: one stream.
SETTINGS = uuid5(NAMESPACE, "settings")


class ErasurePort(Protocol):
    """What the adapters do when a person is thinned out (``ledger.adapters.keys``, the store)."""

    def destroy(self, person_ids: list[str], at: datetime) -> int:
        """Destroy the people's data keys; how many were destroyed."""
        ...

    def drop_snapshots(self, streams: list[UUID]) -> int:
        ...

    def purge(self) -> list[str]:
        """Rid the database's files of old copies (what was done)."""
        ...


class GallringCommands(LedgerCore):
    """The gallring rules (a setting) and the erasure of a person (an event without personal data)."""

    def gallring_rules(self) -> g.GallringRules:
        return g.rules_from(e for e in self.events.get(SETTINGS) if isinstance(e, ev.GallringRulesSet))

    @command(Action.SETTINGS_SHOW, on_case=False)
    def settings_view(self) -> dict[str, Any]:
        from ledger.domain.decision_rules import rules_from

        rules = self.gallring_rules()
        decisions = rules_from(self.events.get(SETTINGS))
        return {"retention_years": rules.retention_years, "exempt_days": list(rules.exempt_days),
                "deadline": rules.deadline, "legal_grounds": list(decisions.legal_grounds),
                "delegation": {k: sorted(r.value for r in v) for k, v in sorted(decisions.delegation.items())}}

    @command(Action.SETTINGS_SET, on_case=False)
    def set_decision_rules(self, *, legal_grounds: list[str], delegation: list[str]) -> dict[str, Any]:
        """The legal grounds decisions choose from and the delegation (``intervention=role,role``)."""
        from ledger.domain.decision_rules import DEFAULT_LEGAL_GROUNDS, parse_delegation, rules_from

        current = rules_from(self.events.get(SETTINGS))
        grounds = [" ".join(g.split()) for g in legal_grounds if g.strip()] or list(current.legal_grounds
                                                                                    or DEFAULT_LEGAL_GROUNDS)
        lines = parse_delegation(delegation) if delegation else {
            k: sorted(r.value for r in v) for k, v in current.delegation.items()}

        def build() -> tuple[list[ev.Event], dict[str, Any]]:
            rec = self._recording(None, None)
            version = len(list(self.events.get(SETTINGS)))
            return [ev.DecisionRulesSet(**rec.header(SETTINGS, version + 1, with_note=False), legal_grounds=grounds,
                                        delegation=lines)], {"legal_grounds": grounds, "delegation": lines}

        return self._run(build)

    @command(Action.SETTINGS_SET, on_case=False)
    def set_gallring_rules(self, *, retention_years: int, exempt_days: str, deadline: str) -> g.GallringRules:
        rules = g.GallringRules(retention_years, g.parse_days(exempt_days), deadline)

        def build() -> tuple[list[ev.Event], g.GallringRules]:
            rec = self._recording(None, None)
            version = len(list(self.events.get(SETTINGS)))
            return [ev.GallringRulesSet(**rec.header(SETTINGS, version + 1, with_note=False),
                                        retention_years=rules.retention_years, exempt_days=list(rules.exempt_days),
                                        deadline=rules.deadline)], rules

        return self._run(build)

    @command(Action.GALLRING_EXECUTE, on_case=False)
    def record_erasure(self, person: UUID, cases: list[str], last_entry: date, retention_years: int) -> None:
        erased = ev.topic_of(ev.PersonErased)

        def build() -> tuple[list[ev.Event], None]:
            rec = self._recording(None, None)
            last = self.recorder.select_events(person, desc=True, limit=1)
            if last and last[0].topic == erased:
                raise AlreadyExists(kind="erasure", ref=str(person)[:8])
            version = last[0].originator_version if last else 0
            return [ev.PersonErased(**rec.header(person, version + 1, with_note=False), cases=sorted(cases),
                                    retention_years=retention_years, last_entry_on=last_entry)], None

        self._run(build)


class Gallring:
    """``ledger gallring``: the plan (who is due, who is kept and why) and its execution."""

    def __init__(self, ledger: Any, *, read_models: Callable[[], ReadModels], erasure: Callable[[], ErasurePort]
                 ) -> None:
        self.ledger, self._read_models, self._erasure = ledger, read_models, erasure

    def _facts(self) -> tuple[dict[UUID, list[Any]], dict[str, str]]:
        """Each person's cases (their states and events), and the cases already thinned (case -> day)."""
        people: dict[UUID, list[Any]] = defaultdict(list)
        thinned: dict[str, str] = {}
        today = self.ledger.clock.today()
        for row in self._read_models().cases(today=today):
            number = row["case"]
            try:
                state = self.ledger.get_case(number)
                events = self.ledger.case_events(number)
            except PersonThinned as gone:
                thinned[number] = str(gone.params.get("on"))
                continue
            people[state.person_id].append((state, events))
        return people, thinned

    def _birth_day(self, person: UUID) -> int | None:
        registered = next(e for e in self.ledger.events.get(person) if isinstance(e, ev.PersonRegistered))
        identity = parse_identity(registered.identity_number, str(registered.identity_kind),
                                  today=self.ledger.clock.today())
        return identity.birth_date.day if identity.birth_date is not None else None

    def plan(self, as_of: str | None = None) -> dict[str, Any]:
        """Every person and case with their due dates and why they are kept (``as_of``: plan ahead)."""
        gate = self.ledger.gate
        gate.require(Action.GALLRING_PLAN)
        today = self.ledger.clock.today()
        day = parse_date(as_of, "--as-of", date.max) if as_of else today
        rules = self.ledger.gallring_rules()
        people, thinned = self._facts()
        verdicts = []
        for person, cases in people.items():
            facts = [g.CaseFacts(state.case_number, state.status, _last_entry(events),
                                 any(d.status == "appealed" for d in state.decisions.values()))
                     for state, events in cases]
            verdicts.append(g.assess(str(person), self._birth_day(person), facts, rules, day))
        verdicts.sort(key=lambda v: (not v.erase, v.planned_on, v.person))
        gate.shown(Action.GALLRING_PLAN, [c.case for v in verdicts for c in v.cases])
        return {
            "as_of": day.isoformat(),
            "rules": {"retention_years": rules.retention_years, "exempt_days": list(rules.exempt_days),
                      "deadline": rules.deadline},
            "people": [_person_json(v) for v in verdicts],
            "due": sum(1 for v in verdicts if v.erase),
            "kept": sum(1 for v in verdicts if not v.erase),
            "thinned": [{"case": number, "thinned_on": on} for number, on in sorted(thinned.items())],
            "_verdicts": verdicts,
        }

    def execute(self) -> dict[str, Any]:
        """Thin out every person who is due today: the erasure recorded, then the data key destroyed,
        the cases' snapshots dropped, and the database's files cleaned of old copies."""
        gate = self.ledger.gate
        gate.require(Action.GALLRING_EXECUTE)
        found = self.plan()
        rules = self.ledger.gallring_rules()
        due = [v for v in found.pop("_verdicts") if v.erase]
        erasure = self._erasure()
        erased = []
        for v in due:
            person = UUID(v.person)
            self.ledger.record_erasure(person, [c.case for c in v.cases], v.last_entry, rules.retention_years)
            erased.append(v)
        destroyed = erasure.destroy([v.person for v in erased], self.ledger.clock.now()) if erased else 0
        if erased:
            from ledger.domain.aggregates import case_id

            erasure.drop_snapshots([case_id(c.case) for v in erased for c in v.cases])
        purged = erasure.purge() if erased else []
        found.update({"executed": True, "erased": [_person_json(v) for v in erased], "keys_destroyed": destroyed,
                      "purged": purged})
        return found


def _last_entry(events: list[Any]) -> date:
    """The day the case's last entry was made, in Swedish time."""
    last: datetime = max(e.recorded_at for e in events)
    return last.astimezone(LOCAL).date()


def _person_json(v: g.PersonVerdict) -> dict[str, Any]:
    return {
        "person": v.person[:8],
        "erase": v.erase,
        "kept": list(v.kept),
        "last_entry": v.last_entry.isoformat(),
        "planned_on": v.planned_on.isoformat(),
        "cases": [{"case": c.case, "last_entry": c.last_entry.isoformat(), "due_on": c.due_on.isoformat(),
                   "deadline": c.deadline.isoformat(), "due": c.due, "kept": list(c.kept)} for c in v.cases],
    }


def check_as_of(value: str | None) -> None:
    if value is not None and not value.strip():
        raise InputError(field="--as-of", reason="format")
