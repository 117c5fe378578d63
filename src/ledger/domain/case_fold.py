"""Folding a case's events into its :class:`~ledger.domain.case.CaseState`: one handler per event class."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import suppress
from datetime import timedelta
from typing import Any

from ledger.domain import events as ev
from ledger.domain.case import (
    CASE_STATE_TOPIC,
    AssessmentState,
    CaseState,
    ConsentPeriod,
    DecisionState,
    FollowUpState,
    GrantState,
    PaymentState,
    PlacementState,
    PlanState,
    ServiceState,
    StaleSnapshot,
    ThreatState,
    consent_key,
)
from ledger.domain.vocab import DecisionStatus

_Handler = Callable[[Any, CaseState], None]
_HANDLERS: dict[type, _Handler] = {}


def _on(cls: type) -> Callable[[_Handler], _Handler]:
    def register(fn: _Handler) -> _Handler:
        _HANDLERS[cls] = fn
        return fn

    return register


def project_case(state: CaseState | None, events: Iterable[Any], strict: bool = True) -> CaseState | None:
    """Fold events (optionally starting from a snapshot) into the case state.

    Corrections are counted here; their values are applied by
    :func:`ledger.domain.corrections.apply_corrections` before folding (a case with corrections is
    always folded from its first event). ``strict=False`` skips an event that refers to something
    not in the fold (replaying only part of a history). A snapshot of an older shape raises
    :class:`StaleSnapshot`.
    """
    for event in events:
        if isinstance(event, ev.Snapshot):
            if event.topic != CASE_STATE_TOPIC:
                raise StaleSnapshot(event.topic)
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
                assigned_to=event.recorded_by,  # whoever opens a case has it until it is assigned
            )
            if getattr(event, "note", None):
                state.journal_entries += 1
            continue
        assert state is not None, f"{type(event).__name__} before the case was actualised"
        handler = _HANDLERS.get(type(event))
        if handler is not None:
            if strict:
                handler(event, state)
            else:
                with suppress(KeyError):  # the event refers to something outside this part of the history
                    handler(event, state)
        if getattr(event, "note", None):  # a note given with any entry is part of the journal too
            state.journal_entries += 1
        state.version = event.originator_version
    return state


@_on(ev.ContactRecorded)
def _(e: ev.ContactRecorded, s: CaseState) -> None:
    s.contacts += 1


@_on(ev.ConsentGranted)
def _(e: ev.ConsentGranted, s: CaseState) -> None:
    s.consents.setdefault(consent_key(e.recipient, e.provider), []).append(ConsentPeriod(
        recipient=e.recipient, provider=e.provider, form=e.form, entry=e.originator_version, granted_on=e.occurred_on,
        recorded_at=e.recorded_at, valid_until=e.valid_until,
    ))


@_on(ev.ConsentRevoked)
def _(e: ev.ConsentRevoked, s: CaseState) -> None:
    # A revocation ends every consent for that recipient that had started by then.
    for period in s.consents[consent_key(e.recipient, e.provider)]:
        if period.revoked_on is None and period.granted_on <= e.occurred_on:
            period.revoked_on, period.revoked_in_entry = e.occurred_on, e.originator_version


@_on(ev.PreliminaryAssessmentMade)
def _(e: ev.PreliminaryAssessmentMade, s: CaseState) -> None:
    s.assessment = e.outcome
    s.assessed = AssessmentState(outcome=e.outcome, reason=e.reason, assessed_on=e.occurred_on,
                                 motivated=e.motivated, consent_given=e.consent_given,
                                 serious_crime_suspected=e.serious_crime_suspected)


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
        legal_ground=e.legal_ground,
        decided_by=e.decided_by,
        communicated_on=e.communicated_on,
        notified_on=e.notified_on,
        motivation=e.motivation,
    )
    s.decisions[e.decision_id] = decision
    # A decision made afterwards covers an urgent intervention started within its period.
    items: list[PlacementState | ServiceState] = [*s.placements.values(), *s.services.values()]
    for item in items:
        if item.urgent and item.decision_id is None and decision.covers(item.intervention, item.started_on):
            item.decision_id = e.decision_id


@_on(ev.DecisionStatusChanged)
def _(e: ev.DecisionStatusChanged, s: CaseState) -> None:
    s.decisions[e.decision_id].status = e.status


@_on(ev.DecisionAppealed)
def _(e: ev.DecisionAppealed, s: CaseState) -> None:
    decision = s.decisions[e.decision_id]
    decision.status, decision.appealed_on = DecisionStatus.APPEALED, e.occurred_on


@_on(ev.CourtRuled)
def _(e: ev.CourtRuled, s: CaseState) -> None:
    decision = s.decisions[e.decision_id]
    decision.court_outcome, decision.court_on = e.outcome, e.occurred_on
    # the ruling ends the appeal: the decision stands (the unit carries out a ruling for the person anew)
    decision.status = DecisionStatus.IN_FORCE


@_on(ev.PlanSet)
def _(e: ev.PlanSet, s: CaseState) -> None:
    s.plan = PlanState(plan_id=e.plan_id, set_on=e.occurred_on, goals=list(e.goals))


@_on(ev.JournalEntryAdded)
def _(e: ev.JournalEntryAdded, s: CaseState) -> None:
    s.journal_entries += 1


@_on(ev.ObjectionNoted)
def _(e: ev.ObjectionNoted, s: CaseState) -> None:
    s.journal_entries += 1


@_on(ev.PlacementStarted)
def _(e: ev.PlacementStarted, s: CaseState) -> None:
    s.placements[e.placement_id] = PlacementState(
        provider=e.provider,
        intervention=e.intervention,
        started_on=e.occurred_on,
        daily_price=e.daily_price,
        prices=[(e.occurred_on, e.daily_price)],
        planned_end=e.planned_end,
        decision_id=e.decision_id,
        urgent=e.urgent,
    )


@_on(ev.PlacementExtended)
def _(e: ev.PlacementExtended, s: CaseState) -> None:
    placement = s.placements[e.placement_id]
    if e.daily_price is not None:
        # the new price is the extended period's: from the day after the previous planned end
        since = placement.planned_end + timedelta(days=1) if placement.planned_end else e.occurred_on
        placement.prices = [p for p in placement.prices if p[0] < since] + [(since, e.daily_price)]
        placement.daily_price = e.daily_price
    placement.planned_end = e.planned_end
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
        invoice_number=e.invoice_number,
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
    s.followup_details.append(FollowUpState(time_point=e.time_point, on=e.occurred_on, housing=e.housing,
                                            occupation=e.occupation, goals=dict(e.goals)))


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


@_on(ev.CaseAssigned)
def _(e: ev.CaseAssigned, s: CaseState) -> None:
    s.assigned_to = e.assigned_to


@_on(ev.CaseAccessGranted)
def _(e: ev.CaseAccessGranted, s: CaseState) -> None:
    s.access_grants[e.user] = e.until
