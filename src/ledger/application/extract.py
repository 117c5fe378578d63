"""``ledger registerutdrag``: everything the ledger holds about one person (GDPR art. 15).

Found by the person's identity number (the keyed blind index), across every case of theirs: each
entry with its dates and who made it, the notes and every other personal field, the decisions,
the consents with recipient and purpose, every sharing (who got what, on which ground), when the
records are planned to be thinned out, and every read of the cases from the access log. It is a
read like any other: the user's role must allow it, every case of the person must be one the
user may see (else the person is reported as not found), and each case gets an access entry.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ledger.application import gallring as gal
from ledger.domain import events as ev
from ledger.domain import gallring as g
from ledger.domain.corrections import apply_corrections
from ledger.domain.errors import NotFound, PersonThinned
from ledger.domain.identity import parse_identity
from ledger.domain.permissions import SEE_ALL, Action, is_protected

if TYPE_CHECKING:
    from ledger.application.queries import Queries

#: Fields an entry's listing leaves out: where it sits in the store (its place is ``entry``).
_FRAME = frozenset({"originator_id", "originator_version", "recorded_at", "recorded_by", "occurred_on",
                    "person_id", "case_id"})


def _fields(event: Any) -> dict[str, Any]:
    return {k: v for k, v in event.model_dump(mode="json", exclude=_FRAME).items()
            if v not in (None, "", [], {}, False)}


def _entry(event: Any) -> dict[str, Any]:
    return {
        "entry": event.originator_version,
        "type": type(event).__name__,
        "occurred_on": event.occurred_on.isoformat(),
        "recorded_at": event.recorded_at.isoformat(timespec="seconds"),
        "recorded_by": event.recorded_by,
        "fields": _fields(event),
    }


def register_extract(queries: Queries, identity: str) -> dict[str, Any]:
    """The extract's data, with stable English keys (masked like every read, except the person's own
    identity number)."""
    from ledger.application.queries import present

    gate, ledger = queries.gate, queries.ledger
    gate.require(Action.REGISTER_EXTRACT)
    today = ledger.clock.today()
    ident = parse_identity(identity, None, today=today)
    person = ledger.persons.person_id(ident.number)
    rows = queries._read_models().cases(today=today, person=person, with_attention=False)
    if not rows:
        raise NotFound(kind="person", ref="-")
    numbers = [r["case"] for r in rows]
    try:
        states = {number: ledger.get_case(number) for number in numbers}
    except PersonThinned as gone:
        return _thinned(queries, ident.number, numbers, str(gone.params.get("on")))
    for state in states.values():
        if not gate.visible(ledger.access_of(state)):
            gate.denied(Action.REGISTER_EXTRACT, state.case_number)
            raise NotFound(kind="person", ref="-")
    gate.shown(Action.REGISTER_EXTRACT, numbers)  # logged before anything is returned

    person_events = list(ledger.events.get(person))
    registered = next(e for e in person_events if isinstance(e, ev.PersonRegistered))
    protection = registered.protection_level
    for e in person_events:
        if isinstance(e, ev.ProtectionLevelChanged):
            protection = e.protection_level
    cases, facts = [], []
    for number in sorted(numbers):
        state = states[number]
        stored = ledger.case_events(number)
        events = apply_corrections(stored)
        facts.append(g.CaseFacts(number, state.status, gal._last_entry(stored),
                                 any(d.status == "appealed" for d in state.decisions.values())))
        cases.append({
            "case": number,
            "status": state.status,
            "opened_on": state.opened_on.isoformat(),
            "closed_on": state.closed_on.isoformat() if state.closed_on else None,
            "assigned_to": state.assigned_to,
            "entries": [_entry(e) for e in events],
            "decisions": [{"id": key, "outcome": d.outcome.value, "intervention": d.intervention.value,
                           "period_start": d.period_start.isoformat(),
                           "period_end": d.period_end.isoformat() if d.period_end else None,
                           "status": d.status.value} for key, d in state.decisions.items()],
            "consents": [{"recipient": e.recipient.value, "provider": e.provider, "purpose": e.purpose,
                          "form": e.form.value, "granted_on": e.occurred_on.isoformat(),
                          "valid_until": e.valid_until.isoformat() if e.valid_until else None}
                         for e in events if isinstance(e, ev.ConsentGranted)],
            "revocations": [{"recipient": e.recipient.value, "provider": e.provider,
                             "revoked_on": e.occurred_on.isoformat()}
                            for e in events if isinstance(e, ev.ConsentRevoked)],
            "sharings": [{"shared_on": e.occurred_on.isoformat(), "recipient": e.recipient.value,
                          "provider": e.provider, "what": e.what, "legal_basis": e.legal_basis,
                          "ground": "legal_basis" if e.legal_basis else "consent", "recorded_by": e.recorded_by}
                         for e in events if isinstance(e, ev.InformationShared)],
            "access": [entry.as_json() for entry in gate.access_log.entries(case=number)],
        })
    verdict = g.assess(str(person), _birth_day(ident), facts, ledger.gallring_rules(), today)
    found = present({
        "person": {"identity_kind": ident.kind.value, "gender": registered.gender.value,
                   "birth_year": registered.birth_year, "protection_level": str(protection)},
        "cases": cases,
        "gallring": {"planned_on": verdict.planned_on.isoformat(),
                     "deadline": max(c.deadline for c in verdict.cases).isoformat(), "kept": list(verdict.kept)},
        "produced_at": ledger.clock.now().isoformat(timespec="seconds"),
        "produced_by": queries.user,
        "training": gate.actor.training,
    })
    found["person"]["identity_number"] = ident.number  # the person's own: the one value not masked
    return found  # type: ignore[no-any-return]


def _birth_day(ident: Any) -> int | None:
    return ident.birth_date.day if ident.birth_date is not None else None


def _thinned(queries: Queries, number: str, cases: list[str], on: str) -> dict[str, Any]:
    """A person whose records were thinned out: only that, when, and which cases (if the user may know)."""
    gate = queries.gate
    levels = gate.protection.protection_levels(cases)
    if any(is_protected(level) for level in levels.values()) and not gate.actor.roles & SEE_ALL:
        gate.denied(Action.REGISTER_EXTRACT, cases[0])
        raise NotFound(kind="person", ref="-")
    gate.shown(Action.REGISTER_EXTRACT, cases)
    return {"person": {"identity_number": number}, "thinned_on": on, "cases": [{"case": c} for c in sorted(cases)],
            "produced_at": queries.ledger.clock.now().isoformat(timespec="seconds"), "produced_by": queries.user,
            "training": gate.actor.training}
