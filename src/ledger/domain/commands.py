"""What a user asks the ledger to record, as typed values: the input of the decide functions.

The application parses what was typed (codes, amounts, dates) into these; the decide functions
(:mod:`ledger.domain.decide_case`, :mod:`~ledger.domain.decide_money`,
:mod:`~ledger.domain.decide_registers`) check the rules against the current state and return
the events to store. The frame of every entry (who, when, which day, the note) is a
:class:`ledger.domain.events.Recording`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ledger.domain.errors import InputError
from ledger.domain.identity import Identity
from ledger.domain.record import field, record
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


@record
class OpenCase:
    identity: Identity
    gender: Gender
    environment: Environment
    source: ReferralSource
    actualisation_type: ActualisationType
    protection: ProtectionLevel
    birth_year: int | None = None


@record
class CloseCase:
    reason: ClosureReason


@record
class ReopenCase:
    pass


@record
class RecordContact:
    channel: ContactChannel
    with_whom: str | None = None


@record
class GrantConsent:
    recipient: Recipient
    provider: str | None
    purpose: str
    form: ConsentForm
    valid_until: date | None = None

    def __post_init__(self) -> None:
        required_text(self.purpose, "--purpose")


@record
class RevokeConsent:
    recipient: Recipient
    provider: str | None
    form: ConsentForm


@record
class RecordAssessment:
    outcome: AssessmentOutcome
    reason: AssessmentReason
    motivated: bool | None = None
    consent_given: bool | None = None
    serious_crime_suspected: bool | None = None
    motivation: str | None = None


@record
class OpenInvestigation:
    pass


@record
class CompleteInvestigation:
    background: str | None = None
    wishes: str | None = None
    assessment: str | None = None
    proposal: str | None = None


@record
class SetPlan:
    goals: tuple[str, ...]


@record
class AddJournal:
    kind: JournalKind
    text: str


@record
class NoteObjection:
    entry: int
    text: str


@record
class AppealDecision:
    decision: str


@record
class RecordCourtRuling:
    decision: str
    outcome: CourtOutcome


@record
class RecordThreat:
    unit: AssessingUnit
    level: ThreatLevel
    protection_needed: bool
    criteria_met: bool
    review_on: date | None = None


@record
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


@record
class ChangeDecisionStatus:
    decision: str
    status: DecisionStatus


@record
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


@record
class RecordShare:
    recipient: Recipient
    provider: str | None
    what: str
    legal_basis: str | None = None

    def __post_init__(self) -> None:
        required_text(self.what, "--what")
        if self.legal_basis is not None:
            required_text(self.legal_basis, "--legal-basis")


@record
class RecordRelative:
    relation: Relation


@record
class RecordChild:
    birth_year: int | None = None


@record
class AssignCase:
    to: str


@record
class GrantAccess:
    to: str
    until: date
    reason: str

    def __post_init__(self) -> None:
        if not self.reason or not self.reason.strip():
            raise InputError(field="--reason", reason="required")


@record
class ProtectCase:
    level: ProtectionLevel


# -- what costs money -------------------------------------------------------------------------------


@record
class StartPlacement:
    provider: str
    intervention: Intervention
    daily_price: Decimal
    planned_end: date | None = None
    decision: str | None = None
    urgent: bool = False


@record
class ExtendPlacement:
    placement: str
    planned_end: date
    daily_price: Decimal | None = None
    decision: str | None = None


@record
class EndPlacement:
    placement: str
    reason: PlacementEndReason


@record
class StartService:
    provider: str
    intervention: Intervention
    price: Decimal | None
    price_unit: PriceUnit
    decision: str | None = None
    urgent: bool = False


@record
class EndService:
    service: str


@record
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


@record
class ReversePayment:
    payment: str
    amount: Decimal | None = None  # None: what is left of the payment


@record
class ApplyGrant:
    reference: str
    amount: Decimal
    period_start: date
    period_end: date


@record
class DecideGrant:
    reference: str
    outcome: GrantOutcome
    amount: Decimal


# -- the unit's registers ---------------------------------------------------------------------------


@record
class AddProvider:
    code: str
    name: str
    org_number: str | None = None
    own_operation: bool = False

    def __post_init__(self) -> None:
        required_text(self.code, "CODE")
        required_text(self.name, "--name")


@record
class VerifyPermit:
    reference: str | None = None
    valid_until: date | None = None


@record
class SetBudget:
    year: int
    amount: Decimal


@record
class AdjustBudget:
    year: int
    delta: Decimal


@record
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
