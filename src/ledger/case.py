"""The case aggregate: its state, rebuilt by folding the case's events.

The write side keeps exactly what the rules need to decide, plus the few facts the case view
shows (so reading one case needs one stream, not a projection table).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from pydantic import BaseModel

from ledger import events as ev
from ledger.vocab import ConsentForm, DecisionOutcome, DecisionStatus, Intervention, Recipient


class ConsentState(BaseModel):
    recipient: Recipient
    provider: str | None = None
    form: ConsentForm
    granted_on: date
    valid_until: date | None = None
    revoked_on: date | None = None

    def active_on(self, day: date) -> bool:
        """Granted on or before ``day``, not revoked by then, and not expired."""
        if day < self.granted_on:
            return False
        if self.revoked_on is not None and self.revoked_on <= day:
            return False
        return self.valid_until is None or day <= self.valid_until


class ThreatState(BaseModel):
    level: str
    protection_needed: bool
    criteria_met: bool
    assessed_on: date
    assessing_unit: str
    review_on: date | None = None


class DecisionState(BaseModel):
    outcome: DecisionOutcome
    intervention: Intervention
    period_start: date
    period_end: date | None = None
    daily_price: Decimal | None = None
    ceiling: Decimal | None = None
    status: DecisionStatus = DecisionStatus.IN_FORCE
    decided_on: date

    def covers(self, intervention: Intervention, day: date) -> bool:
        """A granted decision in force for this intervention on that day."""
        return (
            self.outcome == DecisionOutcome.GRANTED
            and self.status in (DecisionStatus.IN_FORCE, DecisionStatus.APPEALED)
            and self.intervention == intervention
            and self.period_start <= day
            and (self.period_end is None or day <= self.period_end)
        )


class PlacementState(BaseModel):
    provider: str
    intervention: Intervention
    started_on: date
    daily_price: Decimal
    planned_end: date | None = None
    decision_id: str | None = None
    urgent: bool = False
    ended_on: date | None = None
    end_reason: str | None = None


class ServiceState(BaseModel):
    provider: str
    intervention: Intervention
    started_on: date
    price: Decimal | None = None
    price_unit: str
    decision_id: str | None = None
    urgent: bool = False
    ended_on: date | None = None


class PaymentState(BaseModel):
    amount: Decimal
    reversed: Decimal = Decimal("0")
    provider: str
    period_start: date
    period_end: date
    placement_id: str | None = None
    service_id: str | None = None
    paid_on: date


class GrantState(BaseModel):
    amount_applied: Decimal
    applied_on: date
    outcome: str | None = None
    amount_granted: Decimal | None = None


class CaseState(BaseModel):
    """Current state of one case, as the rules see it."""

    id: UUID
    version: int
    case_number: str
    person_id: UUID
    status: str = "open"
    opened_on: date
    closed_on: date | None = None
    closure_reason: str | None = None
    environment: str
    referral_source: str
    actualisation_type: str
    gender: str
    birth_year: int | None = None
    protection_level: str
    assessment: str | None = None
    investigation: str = "none"
    consents: dict[str, ConsentState] = {}
    threat: ThreatState | None = None
    decisions: dict[str, DecisionState] = {}
    placements: dict[str, PlacementState] = {}
    services: dict[str, ServiceState] = {}
    payments: dict[str, PaymentState] = {}
    reversal_count: int = 0
    grants: dict[str, GrantState] = {}
    followups: int = 0
    shares: int = 0
    contacts: int = 0
    relatives_supported: int = 0
    children_noted: int = 0
    corrections: int = 0

    @property
    def is_closed(self) -> bool:
        return self.status == "closed"

    @property
    def paid_total(self) -> Decimal:
        return sum((p.amount - p.reversed for p in self.payments.values()), Decimal("0.00"))


def consent_key(recipient: Recipient | str, provider: str | None) -> str:
    """Consents are per recipient; for a provider, per named provider."""
    return f"provider:{provider}" if recipient == Recipient.PROVIDER else str(recipient)


_Handler = Callable[[Any, CaseState], None]
_HANDLERS: dict[type, _Handler] = {}


def _on(cls: type) -> Callable[[_Handler], _Handler]:
    def register(fn: _Handler) -> _Handler:
        _HANDLERS[cls] = fn
        return fn

    return register


def project_case(state: CaseState | None, events: Iterable[Any], strict: bool = True) -> CaseState | None:
    """Fold events (optionally starting from a snapshot) into the case state.

    Corrections are counted here; their values are applied by :func:`apply_corrections` before
    folding (a case with corrections is always folded from its first event). ``strict=False``
    skips an event that refers to something not in the fold (replaying only part of a history).
    """
    for event in events:
        if isinstance(event, ev.Snapshot):
            state = CaseState.model_validate(event.state)
            continue
        if isinstance(event, ev.CaseActualised):
            state = CaseState(
                id=event.originator_id,
                version=event.originator_version,
                case_number=event.case_number,
                person_id=event.person_id,
                opened_on=event.occurred_on,
                environment=event.environment,
                referral_source=event.referral_source,
                actualisation_type=event.actualisation_type,
                gender=event.gender,
                birth_year=event.birth_year,
                protection_level=event.protection_level,
            )
            continue
        assert state is not None, f"{type(event).__name__} before the case was actualised"
        handler = _HANDLERS.get(type(event))
        if handler is not None:
            if strict:
                handler(event, state)
            else:
                try:
                    handler(event, state)
                except KeyError:
                    pass
        state.version = event.originator_version
    return state


def corrected(event: Any, fixes: Iterable[ev.EntryCorrected]) -> Any:
    """``event`` with the new values of ``fixes`` (oldest first) applied; same entry, same recording."""
    data = event.model_dump()
    for fix in fixes:
        data.update(fix.changes)
        data.update(fix.personal_changes)
    return type(event).model_validate(data)


def apply_corrections(events: Iterable[Any]) -> list[Any]:
    """The events of one case with every correction applied to the entry it points at.

    The correction events stay in the list (they count as entries of the file); the originals
    are replaced by their corrected versions, in their original place.
    """
    events = list(events)
    fixes: dict[int, list[ev.EntryCorrected]] = {}
    for event in events:
        if isinstance(event, ev.EntryCorrected):
            fixes.setdefault(event.entry, []).append(event)
    if not fixes:
        return events
    return [
        corrected(event, fixes[event.originator_version])
        if event.originator_version in fixes and not isinstance(event, ev.EntryCorrected)
        else event
        for event in events
    ]


@_on(ev.ContactRecorded)
def _(e: ev.ContactRecorded, s: CaseState) -> None:
    s.contacts += 1


@_on(ev.ConsentGranted)
def _(e: ev.ConsentGranted, s: CaseState) -> None:
    s.consents[consent_key(e.recipient, e.provider)] = ConsentState(
        recipient=e.recipient, provider=e.provider, form=e.form, granted_on=e.occurred_on, valid_until=e.valid_until
    )


@_on(ev.ConsentRevoked)
def _(e: ev.ConsentRevoked, s: CaseState) -> None:
    s.consents[consent_key(e.recipient, e.provider)].revoked_on = e.occurred_on


@_on(ev.PreliminaryAssessmentMade)
def _(e: ev.PreliminaryAssessmentMade, s: CaseState) -> None:
    s.assessment = e.outcome


@_on(ev.InvestigationOpened)
def _(e: ev.InvestigationOpened, s: CaseState) -> None:
    s.investigation = "open"


@_on(ev.InvestigationCompleted)
def _(e: ev.InvestigationCompleted, s: CaseState) -> None:
    s.investigation = "completed"


@_on(ev.ThreatAssessmentReceived)
def _(e: ev.ThreatAssessmentReceived, s: CaseState) -> None:
    if s.threat is None or e.occurred_on >= s.threat.assessed_on:
        s.threat = ThreatState(
            level=e.threat_level,
            protection_needed=e.protection_needed,
            criteria_met=e.criteria_met,
            assessed_on=e.occurred_on,
            assessing_unit=e.assessing_unit,
            review_on=e.review_on,
        )


@_on(ev.DecisionRecorded)
def _(e: ev.DecisionRecorded, s: CaseState) -> None:
    decision = DecisionState(
        outcome=e.outcome,
        intervention=e.intervention,
        period_start=e.period_start,
        period_end=e.period_end,
        daily_price=e.daily_price,
        ceiling=e.ceiling,
        decided_on=e.occurred_on,
    )
    s.decisions[e.decision_id] = decision
    # A decision made afterwards covers an urgent intervention started within its period.
    for item in (*s.placements.values(), *s.services.values()):
        if item.urgent and item.decision_id is None and decision.covers(item.intervention, item.started_on):
            item.decision_id = e.decision_id


@_on(ev.DecisionStatusChanged)
def _(e: ev.DecisionStatusChanged, s: CaseState) -> None:
    s.decisions[e.decision_id].status = e.status


@_on(ev.PlacementStarted)
def _(e: ev.PlacementStarted, s: CaseState) -> None:
    s.placements[e.placement_id] = PlacementState(
        provider=e.provider,
        intervention=e.intervention,
        started_on=e.occurred_on,
        daily_price=e.daily_price,
        planned_end=e.planned_end,
        decision_id=e.decision_id,
        urgent=e.urgent,
    )


@_on(ev.PlacementExtended)
def _(e: ev.PlacementExtended, s: CaseState) -> None:
    placement = s.placements[e.placement_id]
    placement.planned_end = e.planned_end
    if e.daily_price is not None:
        placement.daily_price = e.daily_price
    if e.decision_id is not None:
        placement.decision_id = e.decision_id


@_on(ev.PlacementEnded)
def _(e: ev.PlacementEnded, s: CaseState) -> None:
    placement = s.placements[e.placement_id]
    placement.ended_on = e.occurred_on
    placement.end_reason = e.end_reason


@_on(ev.ServiceStarted)
def _(e: ev.ServiceStarted, s: CaseState) -> None:
    s.services[e.service_id] = ServiceState(
        provider=e.provider,
        intervention=e.intervention,
        started_on=e.occurred_on,
        price=e.price,
        price_unit=e.price_unit,
        decision_id=e.decision_id,
        urgent=e.urgent,
    )


@_on(ev.ServiceEnded)
def _(e: ev.ServiceEnded, s: CaseState) -> None:
    s.services[e.service_id].ended_on = e.occurred_on


@_on(ev.PaymentRecorded)
def _(e: ev.PaymentRecorded, s: CaseState) -> None:
    s.payments[e.payment_id] = PaymentState(
        amount=e.amount,
        provider=e.provider,
        period_start=e.period_start,
        period_end=e.period_end,
        placement_id=e.placement_id,
        service_id=e.service_id,
        paid_on=e.occurred_on,
    )


@_on(ev.PaymentReversed)
def _(e: ev.PaymentReversed, s: CaseState) -> None:
    s.payments[e.payment_id].reversed += e.amount
    s.reversal_count += 1


@_on(ev.StateGrantApplied)
def _(e: ev.StateGrantApplied, s: CaseState) -> None:
    s.grants[e.police_reference] = GrantState(amount_applied=e.amount_applied, applied_on=e.occurred_on)


@_on(ev.StateGrantDecided)
def _(e: ev.StateGrantDecided, s: CaseState) -> None:
    grant = s.grants[e.police_reference]
    grant.outcome = e.outcome
    grant.amount_granted = e.amount_granted


@_on(ev.FollowUpRecorded)
def _(e: ev.FollowUpRecorded, s: CaseState) -> None:
    s.followups += 1


@_on(ev.InformationShared)
def _(e: ev.InformationShared, s: CaseState) -> None:
    s.shares += 1


@_on(ev.RelativeSupported)
def _(e: ev.RelativeSupported, s: CaseState) -> None:
    s.relatives_supported += 1


@_on(ev.ChildInHouseholdNoted)
def _(e: ev.ChildInHouseholdNoted, s: CaseState) -> None:
    s.children_noted += 1


@_on(ev.CaseClosed)
def _(e: ev.CaseClosed, s: CaseState) -> None:
    s.status = "closed"
    s.closed_on = e.occurred_on
    s.closure_reason = e.reason


@_on(ev.EntryCorrected)
def _(e: ev.EntryCorrected, s: CaseState) -> None:
    s.corrections += 1


@_on(ev.CaseReopened)
def _(e: ev.CaseReopened, s: CaseState) -> None:
    s.status = "open"
    s.closed_on = None
    s.closure_reason = None
