"""Consent audit: did information about the person go only where consent or a legal ground allowed?

Recording a sharing is refused without a consent active on that day or an explicit legal ground,
but the file can still come to show a problem afterwards: a revocation documented late, a
consent corrected, an entry made by an earlier system and imported. The audit therefore judges
every recorded sharing against *all* that the file now holds (corrections applied):

- ``ok``: a consent for that recipient covered the day, and it was documented before the sharing;
- ``legal_basis``: another legal ground was given explicitly;
- ``shared_after_revocation``: the consent had been revoked on or before that day;
- ``shared_after_expiry``: the consent had run out (``valid_until``) before that day;
- ``consent_recorded_after_sharing``: a consent covered the day, but was documented only after
  the sharing was;
- ``no_consent``: no consent for that recipient had been given by that day.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ledger.domain import events as ev
from ledger.domain.case import ConsentPeriod, consent_key
from ledger.domain.case_fold import project_case
from ledger.domain.corrections import apply_corrections

PROBLEMS = ("shared_after_revocation", "shared_after_expiry", "consent_recorded_after_sharing", "no_consent")


def period_json(period: ConsentPeriod) -> dict[str, Any]:
    return {
        "entry": period.entry,
        "granted_on": period.granted_on.isoformat(),
        "recorded_at": period.recorded_at.isoformat(timespec="seconds"),
        "valid_until": period.valid_until.isoformat() if period.valid_until else None,
        "revoked_on": period.revoked_on.isoformat() if period.revoked_on else None,
        "revoked_in_entry": period.revoked_in_entry,
    }


def judge(share: ev.InformationShared, periods: list[ConsentPeriod]) -> tuple[str, ConsentPeriod | None]:
    """What covered a sharing (the status, and the consent period it rests on, if any)."""
    day = share.occurred_on
    if share.legal_basis:
        return "legal_basis", None
    started = [p for p in periods if p.granted_on <= day]
    covering = [p for p in started if p.covers(day)]
    if covering:
        documented = [p for p in covering if p.recorded_at <= share.recorded_at]
        if documented:
            return "ok", documented[-1]
        return "consent_recorded_after_sharing", covering[-1]
    revoked = [p for p in started if p.revoked_on is not None and p.revoked_on <= day]
    if revoked:
        return "shared_after_revocation", revoked[-1]
    expired = [p for p in started if p.valid_until is not None and p.valid_until < day]
    if expired:
        return "shared_after_expiry", expired[-1]
    return "no_consent", None


def audit_case(case_number: str, events: Iterable[Any]) -> dict[str, Any]:
    """Every sharing of one case with what covered it, and the problems found."""
    events = apply_corrections(events)
    state = project_case(None, events, strict=False)
    periods = state.consents if state is not None else {}
    sharings = []
    for event in events:
        if not isinstance(event, ev.InformationShared):
            continue
        recipient = consent_key(event.recipient, event.provider)
        status, period = judge(event, periods.get(recipient, []))
        sharings.append(
            {
                "case": case_number,
                "entry": event.originator_version,
                "occurred_on": event.occurred_on.isoformat(),
                "recorded_at": event.recorded_at.isoformat(timespec="seconds"),
                "recorded_by": event.recorded_by,
                "recipient": recipient,
                "status": status,
                "problem": status in PROBLEMS,
                "legal_basis": event.legal_basis,
                "consent": period_json(period) if period else None,
            }
        )
    return {
        "case": case_number,
        "sharings": sharings,
        "consents": {key: [period_json(p) for p in found] for key, found in sorted(periods.items())},
        "problems": [s for s in sharings if s["problem"]],
    }
