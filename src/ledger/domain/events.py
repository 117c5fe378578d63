"""The ledger's immutable events, as frozen pydantic models.

Every event carries ``occurred_on`` (business date), ``recorded_at`` (system time, UTC),
``recorded_by`` and an optional ``note``. Fields holding personal data (identity numbers,
names, free text) are declared with :func:`personal`; the mapper stores them apart from the
statistical fields, so per-person encryption and erasure can later touch only them.

Streams: one per case, person, provider, budget year and case-number year.
"""


from datetime import date
from decimal import Decimal
from typing import Any, ClassVar
from uuid import UUID

from pydantic import Field

from ledger.domain.event import (
    Event,
    Header,
    Money,
    Recording,
    Snapshot,
    Text,
    class_of,
    personal,
    register_topic,
    topic_of,
)
from ledger.domain.identity import IdentityKind
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

# --- Person -------------------------------------------------------------------------------


class PersonRegistered(Event):
    stream: ClassVar[str] = "person"
    identity_number: str = personal("")
    identity_kind: IdentityKind
    gender: Gender
    birth_year: int | None = None
    protection_level: ProtectionLevel = ProtectionLevel.NONE


class ProtectionLevelChanged(Event):
    stream: ClassVar[str] = "person"
    protection_level: ProtectionLevel


class PersonCaseOpened(Event):
    """A case was opened for the person: the person register's link from one person to their cases
    (and, being in the person's stream, two cases opened at once for one person conflict)."""

    stream: ClassVar[str] = "person"
    case_number: str


class PersonErased(Event):
    """Gallring: the person's data key was destroyed, so everything personal about them is unreadable
    for good. No personal data: which cases, when each was due, and under which rules."""

    stream: ClassVar[str] = "person"
    cases: list[str]
    retention_years: int
    last_entry_on: date


# --- Case numbers ---------------------------------------------------------------------------


class CaseNumberAllocated(Event):
    """One per case opened in a year; the stream's version is the serial number."""

    stream: ClassVar[str] = "case_numbers"
    case_number: str
    case_id: UUID


# --- Case -----------------------------------------------------------------------------------


class CaseActualised(Event):
    case_number: str
    person_id: UUID
    actualisation_type: ActualisationType
    referral_source: ReferralSource
    environment: Environment
    gender: Gender
    birth_year: int | None = None
    protection_level: ProtectionLevel = ProtectionLevel.NONE


class ContactRecorded(Event):
    channel: ContactChannel
    with_whom: Text | None = personal()


class ConsentGranted(Event):
    recipient: Recipient
    provider: str | None = None
    purpose: Text = personal("")
    form: ConsentForm
    valid_until: date | None = None


class ConsentRevoked(Event):
    recipient: Recipient
    provider: str | None = None
    form: ConsentForm


class PreliminaryAssessmentMade(Event):
    """The förhandsbedömning, with the guideline's conditions for support checked: is the person
    motivated to leave, have they consented, are they suspected of serious crime (``None``: not
    recorded, as before these were asked)."""

    outcome: AssessmentOutcome
    reason: AssessmentReason
    motivated: bool | None = None
    consent_given: bool | None = None
    serious_crime_suspected: bool | None = None
    motivation: Text | None = personal()


class InvestigationOpened(Event):
    pass


class InvestigationCompleted(Event):
    """The utredning, as a document: background, the person's own wishes, the assessment, the proposal."""

    background: Text | None = personal()
    wishes: Text | None = personal()
    assessment: Text | None = personal()
    proposal: Text | None = personal()


class PlanSet(Event):
    """The genomförandeplan: numbered goals (1, 2, …) that follow-ups are measured against. A new
    plan replaces the goals of the last."""

    plan_id: str
    goal_count: int = Field(ge=1, le=20)
    goals: list[Text] = personal([])


class ThreatAssessmentReceived(Event):
    """Conclusions of the Police's threat assessment only; never raw intelligence. Who assessed and
    how high the threat is are sealed with the person's key (shown in the case's own views);
    whether protection is needed and the criteria met count in the statistics."""

    shown_in_log: ClassVar[frozenset[str]] = frozenset({"assessing_unit", "threat_level"})

    assessing_unit: AssessingUnit = Field(json_schema_extra={"personal": True})
    threat_level: ThreatLevel = Field(json_schema_extra={"personal": True})
    protection_needed: bool
    criteria_met: bool
    review_on: date | None = None


class DecisionRecorded(Event):
    """A decision that holds on appeal: what, why (``motivation``, required for a refusal or a partial
    grant), on which legal ground, who decided under the delegation, and when it was communicated
    (kommunicering) and notified (delgivning)."""

    shown_in_log: ClassVar[frozenset[str]] = frozenset({"motivation"})

    decision_id: str
    outcome: DecisionOutcome
    intervention: Intervention
    period_start: date
    period_end: date | None = None
    daily_price: Money | None = None
    ceiling: Money | None = None
    legal_ground: str | None = None
    decided_by: str | None = None
    communicated_on: date | None = None
    notified_on: date | None = None
    motivation: Text | None = personal()


class DecisionStatusChanged(Event):
    decision_id: str
    status: DecisionStatus


class DecisionAppealed(Event):
    """The person appealed the decision (to the administrative court) on ``occurred_on``."""

    decision_id: str


class CourtRuled(Event):
    """The administrative court's ruling on an appealed decision."""

    decision_id: str
    outcome: CourtOutcome


class PlacementStarted(Event):
    placement_id: str
    provider: str
    intervention: Intervention
    daily_price: Money
    planned_end: date | None = None
    decision_id: str | None = None
    urgent: bool = False


class PlacementExtended(Event):
    placement_id: str
    planned_end: date
    daily_price: Money | None = None
    decision_id: str | None = None


class PlacementEnded(Event):
    placement_id: str
    end_reason: PlacementEndReason


class ServiceStarted(Event):
    service_id: str
    provider: str
    intervention: Intervention
    price: Money | None = None
    price_unit: PriceUnit = PriceUnit.MONTH
    decision_id: str | None = None
    urgent: bool = False


class ServiceEnded(Event):
    service_id: str


class PaymentRecorded(Event):
    """A paid invoice. What the invoice checks found and the ekonom paid anyway is kept with it:
    ``duplicate_of`` (this case's payments with the same invoice number or an overlapping period),
    ``invoice_elsewhere`` (the invoice number already paid on another case), ``price_limit`` (what the
    period costs at the agreed price, when the amount was above it), and the reasons given — free
    text, so sealed as personal data, yet shown in the case's log like a sharing's legal basis."""

    shown_in_log: ClassVar[frozenset[str]] = frozenset({"duplicate_reason", "over_price_reason"})

    payment_id: str
    amount: Money
    period_start: date
    period_end: date
    provider: str
    placement_id: str | None = None
    service_id: str | None = None
    invoice_number: str | None = None
    duplicate_of: list[str] = Field(default_factory=list)
    invoice_elsewhere: bool = False
    price_limit: Decimal | None = Field(default=None, ge=0, max_digits=15, decimal_places=2)
    duplicate_reason: Text | None = personal()
    over_price_reason: Text | None = personal()


class PaymentReversed(Event):
    reversal_id: str
    payment_id: str
    amount: Money


class StateGrantApplied(Event):
    police_reference: str
    amount_applied: Money
    period_start: date
    period_end: date


class StateGrantDecided(Event):
    police_reference: str
    outcome: GrantOutcome
    amount_granted: Decimal = Field(default=Decimal("0"), ge=0, max_digits=15, decimal_places=2)


class FollowUpRecorded(Event):
    time_point: FollowUpPoint
    housing: Housing
    occupation: Occupation
    goals: dict[str, GoalOutcome] = Field(default_factory=dict)  # goal number (text) -> reached, partly, not
    income_support: Answer = Answer.UNKNOWN
    substance_use: Answer = Answer.UNKNOWN
    psychiatric_contact: Answer = Answer.UNKNOWN
    new_suspicion: Answer = Answer.UNKNOWN
    remaining_threat: Answer = Answer.UNKNOWN


class InformationShared(Event):
    #: Free text, so sealed as personal data; yet the ground of a sharing is what the case log and the
    #: history must show (masked where identity-like), so it is shown there.
    shown_in_log: ClassVar[frozenset[str]] = frozenset({"legal_basis"})

    recipient: Recipient
    provider: str | None = None
    what: Text = personal("")
    legal_basis: Text | None = personal()


class RelativeSupported(Event):
    relation: Relation


class ChildInHouseholdNoted(Event):
    birth_year: int | None = None


class CaseClosed(Event):
    reason: ClosureReason


class JournalEntryAdded(Event):
    """A journal note of its own (the notes given with any command are journal entries too)."""

    shown_in_log: ClassVar[frozenset[str]] = frozenset({"text"})

    kind: JournalKind
    text: Text = personal("")


class ObjectionNoted(Event):
    """The person's own view of an entry (SoL: the individual's objection is noted), pointing at it."""

    shown_in_log: ClassVar[frozenset[str]] = frozenset({"text"})

    entry: int = Field(gt=0)
    text: Text = personal("")


class CaseReopened(Event):
    pass


class CaseAssigned(Event):
    """The case worker responsible for the case (ansvarig handläggare) from now on."""

    assigned_to: str


class CaseAccessGranted(Event):
    """A user may see this case (its person's identity protected) up to and including ``until``."""

    user: str
    until: date
    reason: Text = personal("")


class EntryCorrected(Event):
    """A correction of an earlier entry (``entry`` = its version in this case's stream).

    The original is never changed: every view applies the new values on top of it, and the
    history shows both. New values are kept in their stored (JSON) form, the personal ones apart.
    ``occurred_on`` of the correction itself is the day it was made.
    """

    entry: int = Field(gt=0)
    changes: dict[str, Any] = Field(default_factory=dict)
    personal_changes: dict[str, Any] = personal({})
    reason: Text = personal("")


# --- The ledger's users -----------------------------------------------------------------------------


class LedgerInitialised(Event):
    """The first event of the users' stream: a real store, or a training store (``--as`` and a pinned
    clock allowed, every view marked)."""

    stream: ClassVar[str] = "users"
    training: bool = False


class UserAdded(Event):
    stream: ClassVar[str] = "users"
    name: str
    roles: list[str]


class UserRolesChanged(Event):
    stream: ClassVar[str] = "users"
    name: str
    roles: list[str]


class UserEnded(Event):
    stream: ClassVar[str] = "users"
    name: str


# --- The store's settings ---------------------------------------------------------------------


class GallringRulesSet(Event):
    """How long records are kept and who is exempt (SoL 12 kap. 1–2 §§ today; settings, because a new
    socialtjänstlag may change them). ``deadline``: ``end_of_following_year`` (by the end of the
    calendar year after the one the retention ran out in) or ``at_due_date``."""

    stream: ClassVar[str] = "settings"
    retention_years: int = Field(ge=1, le=100)
    exempt_days: list[int]
    deadline: str


class DecisionRulesSet(Event):
    """The legal grounds a decision is chosen from, and the delegation: intervention -> roles that
    may decide it (``ledger.domain.decision_rules``)."""

    stream: ClassVar[str] = "settings"
    legal_grounds: list[str]
    delegation: dict[str, list[str]]


# --- Provider -------------------------------------------------------------------------------


class ProviderRegistered(Event):
    stream: ClassVar[str] = "provider"
    code: str
    name: str
    org_number: str | None = None
    own_operation: bool = False


class ProviderPermitVerified(Event):
    stream: ClassVar[str] = "provider"
    permit_reference: str | None = None
    valid_until: date | None = None


# --- Budget ---------------------------------------------------------------------------------


class BudgetSet(Event):
    stream: ClassVar[str] = "budget"
    year: int
    amount: Money


class BudgetAdjusted(Event):
    stream: ClassVar[str] = "budget"
    year: int
    delta: Decimal = Field(max_digits=15, decimal_places=2)


CASE_EVENTS: tuple[type[Event], ...] = tuple(
    cls for cls in Event.__subclasses__() if cls.stream == "case"
)
ALL_EVENTS: tuple[type[Event], ...] = tuple(Event.__subclasses__())


__all__ = [
    "ALL_EVENTS",
    "CASE_EVENTS",
    "BudgetAdjusted",
    "BudgetSet",
    "CaseAccessGranted",
    "CaseActualised",
    "CaseAssigned",
    "CaseClosed",
    "CaseNumberAllocated",
    "CaseReopened",
    "ChildInHouseholdNoted",
    "ConsentGranted",
    "ConsentRevoked",
    "ContactRecorded",
    "DecisionRecorded",
    "DecisionStatusChanged",
    "EntryCorrected",
    "Event",
    "FollowUpRecorded",
    "Header",
    "InformationShared",
    "InvestigationCompleted",
    "InvestigationOpened",
    "LedgerInitialised",
    "Money",
    "PaymentRecorded",
    "PaymentReversed",
    "PersonRegistered",
    "PlacementEnded",
    "PlacementExtended",
    "PlacementStarted",
    "PreliminaryAssessmentMade",
    "ProtectionLevelChanged",
    "ProviderPermitVerified",
    "ProviderRegistered",
    "Recording",
    "RelativeSupported",
    "ServiceEnded",
    "ServiceStarted",
    "Snapshot",
    "StateGrantApplied",
    "StateGrantDecided",
    "Text",
    "ThreatAssessmentReceived",
    "UserAdded",
    "UserEnded",
    "UserRolesChanged",
    "class_of",
    "personal",
    "register_topic",
    "topic_of",
]
