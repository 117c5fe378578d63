"""What a reader is shown, as JSON-ready dicts with stable English keys (money as decimal strings).

Shaped from the domain's states and events; :class:`ledger.application.queries.Queries` hands them
out (after the access check, the access entry and masking).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from ledger.domain.case import CaseState
from ledger.domain.money import to_json
from ledger.domain.replay import entry_details


def log_entries(events: Iterable[Any]) -> list[dict[str, Any]]:
    """The case's entries, oldest first, as stored (``ledger case log``), without personal fields."""
    return [
        {
            "entry": event.originator_version,
            "type": type(event).__name__,
            "occurred_on": event.occurred_on.isoformat(),
            "recorded_at": event.recorded_at.isoformat(timespec="seconds"),
            "recorded_by": event.recorded_by,
            "details": entry_details(event),
            "has_note": bool(event.note),
        }
        for event in events
    ]


def case_view(state: CaseState, on: date) -> dict[str, Any]:
    """The case as it stands, consents judged on day ``on`` (``ledger case show``)."""
    day = on
    threat = state.threat
    return {
        "case": state.case_number,
        "status": state.status,
        "opened_on": state.opened_on.isoformat(),
        "closed_on": state.closed_on.isoformat() if state.closed_on else None,
        "closure_reason": state.closure_reason,
        "environment": state.environment,
        "referral_source": state.referral_source,
        "actualisation_type": state.actualisation_type,
        "gender": state.gender,
        "birth_year": state.birth_year,
        "protection_level": state.protection_level,
        "assessment": state.assessment,
        "assessment_details": None if state.assessed is None else {
            "outcome": state.assessed.outcome, "reason": state.assessed.reason,
            "assessed_on": state.assessed.assessed_on.isoformat(), "motivated": state.assessed.motivated,
            "consent_given": state.assessed.consent_given,
            "serious_crime_suspected": state.assessed.serious_crime_suspected,
        },
        "investigation": state.investigation,
        "plan": None if state.plan is None else {
            "id": state.plan.plan_id, "set_on": state.plan.set_on.isoformat(),
            "goals": [{"number": n, "goal": g} for n, g in enumerate(state.plan.goals, start=1)],
        },
        "journal_entries": state.journal_entries,
        "consents": {
            key: {
                "granted_on": c.granted_on.isoformat(),
                "revoked_on": c.revoked_on.isoformat() if c.revoked_on else None,
                "valid_until": c.valid_until.isoformat() if c.valid_until else None,
                "form": c.form.value,
                "active": state.covers(key, day),
            }
            for key, periods in state.consents.items()
            if (c := periods[-1])
        },
        "threat": None
        if threat is None
        else {
            "level": threat.level,
            "protection_needed": threat.protection_needed,
            "criteria_met": threat.criteria_met,
            "assessed_on": threat.assessed_on.isoformat(),
            "assessing_unit": threat.assessing_unit,
            "review_on": threat.review_on.isoformat() if threat.review_on else None,
        },
        "decisions": [
            {
                "id": key,
                "outcome": d.outcome.value,
                "type": d.intervention.value,
                "period_start": d.period_start.isoformat(),
                "period_end": d.period_end.isoformat() if d.period_end else None,
                "daily_price": to_json(d.daily_price) if d.daily_price is not None else None,
                "ceiling": to_json(d.ceiling) if d.ceiling is not None else None,
                "status": d.status.value,
                "decided_on": d.decided_on.isoformat(),
                "decided_by": d.decided_by,
                "legal_ground": d.legal_ground,
                "motivation": d.motivation,
                "communicated_on": d.communicated_on.isoformat() if d.communicated_on else None,
                "notified_on": d.notified_on.isoformat() if d.notified_on else None,
                "appealed_on": d.appealed_on.isoformat() if d.appealed_on else None,
                "court_outcome": d.court_outcome,
                "court_on": d.court_on.isoformat() if d.court_on else None,
            }
            for key, d in state.decisions.items()
        ],
        "placements": [
            {
                "id": key,
                "provider": p.provider,
                "type": p.intervention.value,
                "started_on": p.started_on.isoformat(),
                "ended_on": p.ended_on.isoformat() if p.ended_on else None,
                "planned_end": p.planned_end.isoformat() if p.planned_end else None,
                "daily_price": to_json(p.daily_price),
                "decision": p.decision_id,
                "urgent_without_decision": p.urgent and p.decision_id is None,
                "end_reason": p.end_reason,
            }
            for key, p in state.placements.items()
        ],
        "services": [
            {
                "id": key,
                "provider": s.provider,
                "type": s.intervention.value,
                "started_on": s.started_on.isoformat(),
                "ended_on": s.ended_on.isoformat() if s.ended_on else None,
                "price": to_json(s.price) if s.price is not None else None,
                "price_unit": s.price_unit,
            }
            for key, s in state.services.items()
        ],
        "payments": [
            {
                "id": key,
                "amount": to_json(p.amount),
                "reversed": to_json(p.reversed),
                "provider": p.provider,
                "period_start": p.period_start.isoformat(),
                "period_end": p.period_end.isoformat(),
                "placement": p.placement_id,
                "service": p.service_id,
                "paid_on": p.paid_on.isoformat(),
            }
            for key, p in state.payments.items()
        ],
        "grants": {
            ref: {
                "amount_applied": to_json(g.amount_applied),
                "outcome": g.outcome,
                "amount_granted": to_json(g.amount_granted) if g.amount_granted is not None else None,
            }
            for ref, g in state.grants.items()
        },
        "paid_total": to_json(state.paid_total),
        "followups": state.followups,
        "followup_details": [
            {"time_point": f.time_point, "on": f.on.isoformat(), "housing": f.housing, "occupation": f.occupation,
             "goals": dict(sorted(f.goals.items(), key=lambda g: int(g[0])))}
            for f in state.followup_details
        ],
        "contacts": state.contacts,
        "shares": state.shares,
        "event_count": state.version,
        "assigned_to": state.assigned_to,
    }


MONEY_KEYS = ("case", "status", "opened_on", "closed_on", "decisions", "placements", "services", "payments",
              "grants", "paid_total", "event_count")


def money_view(state: CaseState) -> dict[str, Any]:
    """The case's money only (an economist's view): no notes, threat, consents or assessment."""
    view = case_view(state, state.opened_on)
    money = {key: view[key] for key in MONEY_KEYS}
    money["decisions"] = [{k: v for k, v in d.items() if k != "motivation"} for d in money["decisions"]]
    return money
