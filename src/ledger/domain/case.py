"""The case aggregate: its state, rebuilt by folding the case's events.

The write side keeps exactly what the rules need to decide, plus the few facts the case view
shows (so reading one case needs one stream, not a projection table). Every consent *period*
is kept, and :meth:`CaseState.covering` is the one answer to "did a consent cover this recipient
on that day", for the share rule, the consent audit and the views alike. The fold that builds
the state from events is :func:`ledger.domain.case_fold.project_case`.
"""


from datetime import date, datetime
from decimal import Decimal
from typing import TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from ledger.domain import events as ev
from ledger.domain.vocab import ConsentForm, DecisionOutcome, DecisionStatus, Intervention, Recipient

#: The stored shape of :class:`CaseState` in snapshots. Bump it when the state's fields change:
#: a snapshot of another shape is then ignored and the case folded from its first event.
CASE_STATE_TOPIC = "ledger.case:CaseState/6"
#: Shapes written by earlier versions (their snapshots are left unused, and not checked).
OLD_CASE_STATE_TOPICS = frozenset({"ledger.case:CaseState", "ledger.case:CaseState/2", "ledger.case:CaseState/3",
                                   "ledger.case:CaseState/5"})

D = TypeVar("D", date, str)  # a date, or its ISO text (the read side compares dates as text)


def within(start: D, end: D | None, day: D) -> bool:
    """``day`` lies in the period ``start``..``end`` (inclusive; no end: open-ended)."""
    return start <= day and (end is None or day <= end)


def decision_covers(outcome: str, status: str, intervention: str, start: D, end: D | None, wanted: str,
                    day: D) -> bool:
    """A granted decision in force (or appealed) for intervention ``wanted`` on ``day``."""
    return (
        outcome in (DecisionOutcome.GRANTED, DecisionOutcome.PARTIAL)
        and status in (DecisionStatus.IN_FORCE, DecisionStatus.APPEALED)
        and intervention == wanted
        and within(start, end, day)
    )


def consent_covers(granted_on: D, revoked_on: D | None, valid_until: D | None, day: D) -> bool:
    """A consent period covers ``day``: granted on or before it, not revoked by then, not expired."""
    return granted_on <= day and (revoked_on is None or day < revoked_on) and (
        valid_until is None or day <= valid_until
    )


def consent_key(recipient: Recipient | str, provider: str | None) -> str:
    """Consents are per recipient; for a provider, per named provider."""
    return f"provider:{provider}" if recipient == Recipient.PROVIDER else str(recipient)


class StaleSnapshot(Exception):
    """A snapshot of an older shape of the state: fold the stream from its first event instead."""


class ConsentPeriod(BaseModel):
    """One consent, from its grant to its revocation or expiry."""

    model_config = ConfigDict(defer_build=True)

    recipient: Recipient
    provider: str | None = None
    form: ConsentForm
    entry: int
    granted_on: date
    recorded_at: datetime
    valid_until: date | None = None
    revoked_on: date | None = None
    revoked_in_entry: int | None = None

    def covers(self, day: date) -> bool:
        """Granted on or before ``day``, not revoked by then, and not expired."""
        return consent_covers(self.granted_on, self.revoked_on, self.valid_until, day)


class ThreatState(BaseModel):
    model_config = ConfigDict(defer_build=True)
    level: str
    protection_needed: bool
    criteria_met: bool
    assessed_on: date
    assessing_unit: str
    review_on: date | None = None


class DecisionState(BaseModel):
    model_config = ConfigDict(defer_build=True)
    outcome: DecisionOutcome
    intervention: Intervention
    period_start: date
    period_end: date | None = None
    daily_price: Decimal | None = None
    ceiling: Decimal | None = None
    status: DecisionStatus = DecisionStatus.IN_FORCE
    decided_on: date
    legal_ground: str | None = None
    decided_by: str | None = None
    communicated_on: date | None = None
    notified_on: date | None = None
    motivation: str | None = None
    appealed_on: date | None = None
    court_outcome: str | None = None
    court_on: date | None = None

    def covers(self, intervention: Intervention, day: date) -> bool:
        """A granted decision in force for this intervention on that day."""
        return decision_covers(self.outcome, self.status, self.intervention, self.period_start, self.period_end,
                               intervention, day)


class PlacementState(BaseModel):
    model_config = ConfigDict(defer_build=True)
    provider: str
    intervention: Intervention
    started_on: date
    daily_price: Decimal
    #: every daily price and the day it applies from (an extension's price: from the day after the
    #: previous planned end), oldest first; what an invoice for a period may cost
    prices: list[tuple[date, Decimal]] = []
    planned_end: date | None = None
    decision_id: str | None = None
    urgent: bool = False
    ended_on: date | None = None
    end_reason: str | None = None


class ServiceState(BaseModel):
    model_config = ConfigDict(defer_build=True)
    provider: str
    intervention: Intervention
    started_on: date
    price: Decimal | None = None
    price_unit: str
    decision_id: str | None = None
    urgent: bool = False
    ended_on: date | None = None


class PaymentState(BaseModel):
    model_config = ConfigDict(defer_build=True)
    amount: Decimal
    reversed: Decimal = Decimal("0")
    provider: str
    period_start: date
    period_end: date
    placement_id: str | None = None
    service_id: str | None = None
    invoice_number: str | None = None
    paid_on: date


class GrantState(BaseModel):
    model_config = ConfigDict(defer_build=True)
    amount_applied: Decimal
    applied_on: date
    outcome: str | None = None
    amount_granted: Decimal | None = None


class AssessmentState(BaseModel):
    """The förhandsbedömning and the guideline's conditions it recorded (``None``: not asked)."""

    model_config = ConfigDict(defer_build=True)

    outcome: str
    reason: str
    assessed_on: date
    motivated: bool | None = None
    consent_given: bool | None = None
    serious_crime_suspected: bool | None = None


class PlanState(BaseModel):
    model_config = ConfigDict(defer_build=True)
    plan_id: str
    set_on: date
    goals: list[str]


class FollowUpState(BaseModel):
    model_config = ConfigDict(defer_build=True)
    time_point: str
    on: date
    housing: str
    occupation: str
    goals: dict[str, str] = {}


class CaseState(BaseModel):
    """Current state of one case, as the rules see it."""

    model_config = ConfigDict(defer_build=True)

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
    assessed: AssessmentState | None = None
    investigation: str = "none"
    plan: PlanState | None = None
    journal_entries: int = 0
    consents: dict[str, list[ConsentPeriod]] = Field(default_factory=dict)
    threat: ThreatState | None = None
    decisions: dict[str, DecisionState] = Field(default_factory=dict)
    placements: dict[str, PlacementState] = Field(default_factory=dict)
    services: dict[str, ServiceState] = Field(default_factory=dict)
    payments: dict[str, PaymentState] = Field(default_factory=dict)
    reversal_count: int = 0
    grants: dict[str, GrantState] = Field(default_factory=dict)
    followups: int = 0
    followup_details: list[FollowUpState] = Field(default_factory=list)
    shares: int = 0
    contacts: int = 0
    relatives_supported: int = 0
    children_noted: int = 0
    corrections: int = 0
    assigned_to: str | None = None
    access_grants: dict[str, date] = Field(default_factory=dict)

    @property
    def is_closed(self) -> bool:
        return self.status == "closed"

    @property
    def paid_total(self) -> Decimal:
        return sum((p.amount - p.reversed for p in self.payments.values()), Decimal("0.00"))

    def covering(self, key: str, day: date) -> ConsentPeriod | None:
        """The newest consent period for recipient ``key`` (see :func:`consent_key`) that covers ``day``."""
        return next((p for p in reversed(self.consents.get(key, ())) if p.covers(day)), None)

    def covers(self, key: str, day: date) -> bool:
        """Whether any consent for recipient ``key`` covered ``day``."""
        return self.covering(key, day) is not None

    def newest_consent(self, key: str) -> ConsentPeriod | None:
        periods = self.consents.get(key)
        return periods[-1] if periods else None


ev.register_topic(CaseState, CASE_STATE_TOPIC)
