"""What a user asks the ledger to record, as typed values: the input of the decide functions.

The application parses what was typed (codes, amounts, dates) into these; the decide functions
(:mod:`ledger.domain.decide_case`, :mod:`~ledger.domain.decide_money`,
:mod:`~ledger.domain.decide_registers`) check the rules against the current state and return
the events to store. The frame of every entry (who, when, which day, the note) is a
:class:`ledger.domain.events.Recording`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ledger.domain.errors import InputError
from ledger.domain.identity import Identity
from ledger.domain.vocab import (
    ActualisationType,
    Answer,
    AssessingUnit,
    AssessmentOutcome,
    AssessmentReason,
    ClosureReason,
    ConsentForm,
    ContactChannel,
    CourtOutcome,
    DecisionOutcome,
    DecisionStatus,
    Environment,
    FollowUpPoint,
    Gender,
    GoalOutcome,
    GrantOutcome,
    Housing,
    Intervention,
    JournalKind,
    Occupation,
    PlacementEndReason,
    PriceUnit,
    ProtectionLevel,
    Recipient,
    ReferralSource,
    Relation,
    ThreatLevel,
)

# -- the case's own steps ---------------------------------------------------------------------------


def required_text(value: str | None, field: str) -> None:
    """Text a command cannot do without: refused when empty or only blanks (exit 2, nothing stored)."""
    if value is None or not value.strip():
        raise InputError(field=field, reason="required")


@dataclass(frozen=True)
class OpenCase:
    identity: Identity
    gender: Gender
    environment: Environment
    source: ReferralSource
    actualisation_type: ActualisationType
    protection: ProtectionLevel
    birth_year: int | None = None


@dataclass(frozen=True)
class CloseCase:
    reason: ClosureReason


@dataclass(frozen=True)
class ReopenCase:
    pass


@dataclass(frozen=True)
class RecordContact:
    channel: ContactChannel
    with_whom: str | None = None


@dataclass(frozen=True)
class GrantConsent:
    recipient: Recipient
    provider: str | None
    purpose: str
    form: ConsentForm
    valid_until: date | None = None

    def __post_init__(self) -> None:
        required_text(self.purpose, "--purpose")


@dataclass(frozen=True)
class RevokeConsent:
    recipient: Recipient
    provider: str | None
    form: ConsentForm


@dataclass(frozen=True)
class RecordAssessment:
    outcome: AssessmentOutcome
    reason: AssessmentReason
    motivated: bool | None = None
    consent_given: bool | None = None
    serious_crime_suspected: bool | None = None
    motivation: str | None = None


@dataclass(frozen=True)
class OpenInvestigation:
    pass


@dataclass(frozen=True)
class CompleteInvestigation:
    background: str | None = None
    wishes: str | None = None
    assessment: str | None = None
    proposal: str | None = None


@dataclass(frozen=True)
class SetPlan:
    goals: tuple[str, ...]


@dataclass(frozen=True)
class AddJournal:
    kind: JournalKind
    text: str


@dataclass(frozen=True)
class NoteObjection:
    entry: int
    text: str


@dataclass(frozen=True)
class AppealDecision:
    decision: str


@dataclass(frozen=True)
class RecordCourtRuling:
    decision: str
    outcome: CourtOutcome


@dataclass(frozen=True)
class RecordThreat:
    unit: AssessingUnit
    level: ThreatLevel
    protection_needed: bool
    criteria_met: bool
    review_on: date | None = None


@dataclass(frozen=True)
class RecordDecision:
    outcome: DecisionOutcome
    intervention: Intervention
    period_start: date | None = None  # None: the decision's date
    period_end: date | None = None
    daily_price: Decimal | None = None
    ceiling: Decimal | None = None
    motivation: str | None = None
    legal_ground: str | None = None
    decided_by: str | None = None  # None: who records it
    communicated_on: date | None = None
    notified_on: date | None = None


@dataclass(frozen=True)
class ChangeDecisionStatus:
    decision: str
    status: DecisionStatus


@dataclass(frozen=True)
class RecordFollowUp:
    time_point: FollowUpPoint
    housing: Housing
    occupation: Occupation
    income_support: Answer = Answer.UNKNOWN
    substance_use: Answer = Answer.UNKNOWN
    psychiatric_contact: Answer = Answer.UNKNOWN
    new_suspicion: Answer = Answer.UNKNOWN
    remaining_threat: Answer = Answer.UNKNOWN
    goals: tuple[tuple[int, GoalOutcome], ...] = ()


@dataclass(frozen=True)
class RecordShare:
    recipient: Recipient
    provider: str | None
    what: str
    legal_basis: str | None = None

    def __post_init__(self) -> None:
        required_text(self.what, "--what")
        if self.legal_basis is not None:
            required_text(self.legal_basis, "--legal-basis")


@dataclass(frozen=True)
class RecordRelative:
    relation: Relation


@dataclass(frozen=True)
class RecordChild:
    birth_year: int | None = None


@dataclass(frozen=True)
class AssignCase:
    to: str


@dataclass(frozen=True)
class GrantAccess:
    to: str
    until: date
    reason: str

    def __post_init__(self) -> None:
        if not self.reason or not self.reason.strip():
            raise InputError(field="--reason", reason="required")


@dataclass(frozen=True)
class ProtectCase:
    level: ProtectionLevel


# -- what costs money -------------------------------------------------------------------------------


@dataclass(frozen=True)
class StartPlacement:
    provider: str
    intervention: Intervention
    daily_price: Decimal
    planned_end: date | None = None
    decision: str | None = None
    urgent: bool = False


@dataclass(frozen=True)
class ExtendPlacement:
    placement: str
    planned_end: date
    daily_price: Decimal | None = None
    decision: str | None = None


@dataclass(frozen=True)
class EndPlacement:
    placement: str
    reason: PlacementEndReason


@dataclass(frozen=True)
class StartService:
    provider: str
    intervention: Intervention
    price: Decimal | None
    price_unit: PriceUnit
    decision: str | None = None
    urgent: bool = False


@dataclass(frozen=True)
class EndService:
    service: str


@dataclass(frozen=True)
class RecordPayment:
    amount: Decimal
    period_start: date
    period_end: date
    provider: str | None = None  # a registered provider's code
    placement: str | None = None
    service: str | None = None
    invoice: str | None = None
    #: why a duplicate invoice or an overlapping period is paid anyway (``--confirm-duplicate``)
    duplicate_reason: str | None = None
    #: why more than the period costs at the agreed price is paid (``--over-price``)
    over_price_reason: str | None = None
    #: the invoice number is already paid by the provider on another case (the application asks the read side)
    invoice_elsewhere: bool = False


@dataclass(frozen=True)
class ReversePayment:
    payment: str
    amount: Decimal | None = None  # None: what is left of the payment


@dataclass(frozen=True)
class ApplyGrant:
    reference: str
    amount: Decimal
    period_start: date
    period_end: date


@dataclass(frozen=True)
class DecideGrant:
    reference: str
    outcome: GrantOutcome
    amount: Decimal


# -- the unit's registers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AddProvider:
    code: str
    name: str
    org_number: str | None = None
    own_operation: bool = False

    def __post_init__(self) -> None:
        required_text(self.code, "CODE")
        required_text(self.name, "--name")


@dataclass(frozen=True)
class VerifyPermit:
    reference: str | None = None
    valid_until: date | None = None


@dataclass(frozen=True)
class SetBudget:
    year: int
    amount: Decimal


@dataclass(frozen=True)
class AdjustBudget:
    year: int
    delta: Decimal


@dataclass(frozen=True)
class CorrectEntry:
    """New values (field → text as typed) for entry ``entry``, and why; both are required."""

    entry: int
    reason: str
    changes: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.reason or not self.reason.strip():
            raise InputError(field="--reason", reason="required")
        if not self.changes:
            raise InputError(field="--set", reason="required")
