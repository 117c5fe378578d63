"""The documents a unit sends and files: the decision letter and the investigation.

Each is the data of one document (stable English keys); the command line renders it as a printable
Swedish page (:mod:`ledger.cli.documents_html`). The decision letter carries the appeal notice
förvaltningslagen requires (44 §: within three weeks of the day the person was notified, sent to
the authority that decided); the investigation is the utredning as IVO reads it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ledger.domain import events as ev
from ledger.domain.case import CaseState
from ledger.domain.corrections import apply_corrections
from ledger.domain.errors import NotFound

if TYPE_CHECKING:
    from ledger.application.queries import Queries

#: Förvaltningslagen 44 §: an appeal must have come in within three weeks of the notification.
APPEAL_WEEKS = 3


def _person(queries: Queries, state: CaseState) -> dict[str, Any]:
    registered = next((e for e in queries.ledger.events.get(state.person_id) if isinstance(e, ev.PersonRegistered)),
                      None)
    return {"identity_number": registered.identity_number if registered else None,
            "gender": state.gender, "birth_year": state.birth_year}


def _common(queries: Queries, state: CaseState) -> dict[str, Any]:
    return {
        "case": state.case_number,
        "municipality": queries.municipality(),
        "produced_at": queries.ledger.clock.now().isoformat(timespec="seconds"),
        "produced_by": queries.user,
        "training": queries.gate.actor.training,
        "assigned_to": state.assigned_to,
    }


def decision_letter(queries: Queries, state: CaseState, decision: str) -> dict[str, Any]:
    from ledger.application.queries import present

    key = decision.strip().upper()
    found = state.decisions.get(key)
    if found is None:
        raise NotFound(kind="decision", ref=decision[:10], case=state.case_number)
    appeal_by = (found.notified_on + timedelta(weeks=APPEAL_WEEKS)).isoformat() if found.notified_on else None
    data = present({
        **_common(queries, state),
        "decision": {
            "id": key, "outcome": found.outcome.value, "intervention": found.intervention.value,
            "period_start": found.period_start.isoformat(),
            "period_end": found.period_end.isoformat() if found.period_end else None,
            "daily_price": str(found.daily_price) if found.daily_price is not None else None,
            "decided_on": found.decided_on.isoformat(), "decided_by": found.decided_by,
            "legal_ground": found.legal_ground, "motivation": found.motivation,
            "communicated_on": found.communicated_on.isoformat() if found.communicated_on else None,
            "notified_on": found.notified_on.isoformat() if found.notified_on else None,
            "status": found.status.value,
            "appealed_on": found.appealed_on.isoformat() if found.appealed_on else None,
            "court_outcome": found.court_outcome,
            "court_on": found.court_on.isoformat() if found.court_on else None,
        },
        "appeal": {"weeks": APPEAL_WEEKS, "by": appeal_by},
    })
    data["person"] = _person(queries, state)  # the letter's addressee: their own number, unmasked
    return data  # type: ignore[no-any-return]


def investigation(queries: Queries, state: CaseState) -> dict[str, Any]:
    from ledger.application.queries import present

    events = apply_corrections(queries.ledger.case_events(state.case_number))
    opened = next((e for e in events if isinstance(e, ev.InvestigationOpened)), None)
    completed = [e for e in events if isinstance(e, ev.InvestigationCompleted)]
    if opened is None:
        raise NotFound(kind="investigation", ref="-", case=state.case_number)
    done = completed[-1] if completed else None
    assessment = state.assessed
    data = present({
        **_common(queries, state),
        "opened_on": opened.occurred_on.isoformat(),
        "completed_on": done.occurred_on.isoformat() if done else None,
        "actualised_on": state.opened_on.isoformat(), "environment": state.environment,
        "referral_source": state.referral_source,
        "assessment": None if assessment is None else {
            "outcome": assessment.outcome, "reason": assessment.reason,
            "assessed_on": assessment.assessed_on.isoformat(),
            "motivated": assessment.motivated, "consent_given": assessment.consent_given,
            "serious_crime_suspected": assessment.serious_crime_suspected},
        "threat": None if state.threat is None else {
            "level": state.threat.level, "protection_needed": state.threat.protection_needed,
            "assessed_on": state.threat.assessed_on.isoformat()},
        "background": done.background if done else None, "wishes": done.wishes if done else None,
        "assessment_text": done.assessment if done else None, "proposal": done.proposal if done else None,
        "plan": None if state.plan is None else list(state.plan.goals),
        "decisions": [{"id": k, "outcome": d.outcome.value, "intervention": d.intervention.value,
                       "decided_on": d.decided_on.isoformat()} for k, d in state.decisions.items()],
    })
    data["person"] = _person(queries, state)
    return data  # type: ignore[no-any-return]
