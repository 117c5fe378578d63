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
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ledger import events as ev
from ledger.case import apply_corrections, consent_key
from ledger.errors import scrub

PROBLEMS = ("shared_after_revocation", "shared_after_expiry", "consent_recorded_after_sharing", "no_consent")


@dataclass
class _Period:
    entry: int
    granted_on: date
    recorded_at: datetime
    valid_until: date | None
    revoked_on: date | None = None
    revoke_entry: int | None = None

    def covers(self, day: date) -> bool:
        return (
            self.granted_on <= day
            and (self.revoked_on is None or day < self.revoked_on)
            and (self.valid_until is None or day <= self.valid_until)
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "entry": self.entry,
            "granted_on": self.granted_on.isoformat(),
            "recorded_at": self.recorded_at.isoformat(timespec="seconds"),
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "revoked_on": self.revoked_on.isoformat() if self.revoked_on else None,
            "revoked_in_entry": self.revoke_entry,
        }


def _periods(events: list[Any]) -> dict[str, list[_Period]]:
    """Every consent period per recipient, in the order they were granted."""
    periods: dict[str, list[_Period]] = {}
    for event in events:
        if isinstance(event, ev.ConsentGranted):
            periods.setdefault(consent_key(event.recipient, event.provider), []).append(
                _Period(event.originator_version, event.occurred_on, event.recorded_at, event.valid_until)
            )
        elif isinstance(event, ev.ConsentRevoked):
            # A revocation ends every consent for that recipient that had started by then.
            for period in periods.get(consent_key(event.recipient, event.provider), []):
                if period.revoked_on is None and period.granted_on <= event.occurred_on:
                    period.revoked_on, period.revoke_entry = event.occurred_on, event.originator_version
    return periods


def consent_covers(events: Iterable[Any], recipient: Any, provider: str | None, day: date) -> bool:
    """Whether any consent period for that recipient covered ``day`` (by the whole history, not
    only the newest consent: a sharing documented late may fall in an earlier period)."""
    periods = _periods(apply_corrections(events)).get(consent_key(recipient, provider), [])
    return any(p.covers(day) for p in periods)


def _judge(share: ev.InformationShared, periods: list[_Period]) -> tuple[str, _Period | None]:
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
    periods = _periods(events)
    sharings = []
    for event in events:
        if not isinstance(event, ev.InformationShared):
            continue
        recipient = consent_key(event.recipient, event.provider)
        status, period = _judge(event, periods.get(recipient, []))
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
                "legal_basis": scrub(event.legal_basis),
                "consent": period.as_json() if period else None,
            }
        )
    return {
        "case": case_number,
        "sharings": sharings,
        "consents": {key: [p.as_json() for p in found] for key, found in sorted(periods.items())},
        "problems": [s for s in sharings if s["problem"]],
    }
