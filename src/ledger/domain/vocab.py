"""Controlled vocabularies of the ledger.

Values are stable English codes: they are stored in events and appear in ``--json`` output.
Swedish and English labels live in the command line's catalogue (``ledger.cli.i18n``).
"""

from __future__ import annotations

import unicodedata
from enum import StrEnum
from typing import TypeVar

from ledger.domain.errors import InvalidChoice


class ActualisationType(StrEnum):
    APPLICATION = "application"
    REPORT = "report"
    OTHER = "other"


class ReferralSource(StrEnum):
    POLICE = "police"
    PROBATION = "probation"
    SIS = "sis"
    SOCIAL_SERVICES = "social_services"
    SELF = "self"
    RELATIVE = "relative"
    CIVIL_SOCIETY = "civil_society"
    OTHER = "other"


class Environment(StrEnum):
    CRIMINAL = "criminal"
    VIOLENT_EXTREMIST = "violent_extremist"
    HONOUR = "honour"


class Gender(StrEnum):
    """Recorded as the person states it; never derived from the identity number."""

    WOMAN = "woman"
    MAN = "man"
    OTHER = "other"
    UNKNOWN = "unknown"


class ProtectionLevel(StrEnum):
    NONE = "none"
    CONFIDENTIALITY_MARKING = "confidentiality_marking"  # sekretessmarkering
    PROTECTED_REGISTRATION = "protected_registration"  # skyddad folkbokföring
    FICTITIOUS_IDENTITY = "fictitious_identity"  # fingerade personuppgifter


class ContactChannel(StrEnum):
    MEETING = "meeting"
    PHONE = "phone"
    DIGITAL = "digital"
    LETTER = "letter"
    OUTREACH = "outreach"


class Recipient(StrEnum):
    POLICE = "police"
    PROBATION = "probation"
    SIS = "sis"
    REGION = "region"
    PROVIDER = "provider"
    RELATIVES = "relatives"


class ConsentForm(StrEnum):
    WRITTEN = "written"
    ORAL = "oral"


class AssessmentOutcome(StrEnum):
    INVESTIGATE = "investigate"
    NO_INVESTIGATION = "no_investigation"


class AssessmentReason(StrEnum):
    NEEDS_SUPPORT = "needs_support"
    NOT_MOTIVATED = "not_motivated"
    NO_CONSENT = "no_consent"
    SERIOUS_CRIME = "serious_crime"
    OTHER_MUNICIPALITY = "other_municipality"
    NOT_REACHED = "not_reached"
    OTHER = "other"


class AssessingUnit(StrEnum):
    LOCAL_POLICE = "local_police"
    REGIONAL_COORDINATOR = "regional_coordinator"
    NOA = "noa"


class ThreatLevel(StrEnum):
    NONE = "none"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    VERY_HIGH = "very_high"


class DecisionOutcome(StrEnum):
    GRANTED = "granted"
    DENIED = "denied"
    PARTIAL = "partial"  # delvis bifall: granted in part, refused in part (a motivation is required)


class CourtOutcome(StrEnum):
    """The administrative court's ruling on an appealed decision."""

    GRANTED = "granted"  # bifall: the appeal succeeds
    DENIED = "denied"  # avslag: the decision stands
    PARTIAL = "partial"  # delvis bifall


class GoalOutcome(StrEnum):
    REACHED = "reached"
    PARTLY = "partly"
    NOT_REACHED = "not"


class JournalKind(StrEnum):
    CONVERSATION = "conversation"
    PHONE = "phone"
    MEETING = "meeting"
    OTHER = "other"


class DecisionStatus(StrEnum):
    IN_FORCE = "in_force"
    APPEALED = "appealed"
    REVOKED = "revoked"
    REPLACED = "replaced"


class Intervention(StrEnum):
    """Intervention types seen in the seed documents."""

    PROTECTED_HOUSING = "protected_housing"  # skyddat boende
    HVB = "hvb"  # hem för vård eller boende
    TRAINING_FLAT = "training_flat"  # träningslägenhet
    SUPPORTED_HOUSING = "supported_housing"  # stödboende
    INDIVIDUAL_SUPPORT = "individual_support"
    OUTREACH = "outreach"
    CONTACT_PERSON = "contact_person"
    DEFECTOR_COACH = "defector_coach"
    PROGRAMME = "programme"  # Kriminalitet som livsstil / Entré
    ADDICTION_TREATMENT = "addiction_treatment"
    WORK_TRAINING = "work_training"
    DOCTOR_CONTACT = "doctor_contact"
    OTHER = "other"


RESIDENTIAL = frozenset(
    {Intervention.PROTECTED_HOUSING, Intervention.HVB, Intervention.TRAINING_FLAT, Intervention.SUPPORTED_HOUSING}
)


class PriceUnit(StrEnum):
    HOUR = "hour"
    MONTH = "month"
    ONCE = "once"


class PlacementEndReason(StrEnum):
    PLANNED = "planned"
    BROKEN_OFF = "broken_off"
    MOVED = "moved"
    THREAT = "threat"
    OTHER = "other"


class FollowUpPoint(StrEnum):
    DURING = "during"
    CLOSURE = "closure"
    MONTHS_12 = "12_months"


class Housing(StrEnum):
    OWN = "own"
    RELATIVES = "relatives"
    SUPPORTED = "supported"
    INSTITUTION = "institution"
    HOMELESS = "homeless"
    UNKNOWN = "unknown"


class Occupation(StrEnum):
    WORK = "work"
    STUDIES = "studies"
    TRAINING = "training"
    NONE = "none"
    UNKNOWN = "unknown"


class Answer(StrEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class ClosureReason(StrEnum):
    GOALS_MET = "goals_met"
    NO_NEED = "no_need"
    DECLINED = "declined"
    BROKEN_OFF = "broken_off"
    MOVED = "moved"
    RELAPSE = "relapse"
    DECEASED = "deceased"
    OTHER = "other"
    OPENED_IN_ERROR = "opened_in_error"  # not a case at all: out of the statistics


class Relation(StrEnum):
    PARENT = "parent"
    PARTNER = "partner"
    SIBLING = "sibling"
    CHILD = "child"
    OTHER = "other"


class GrantOutcome(StrEnum):
    GRANTED = "granted"
    PARTLY_GRANTED = "partly_granted"
    DENIED = "denied"


E = TypeVar("E", bound=StrEnum)

#: The law's and the unit's own Swedish words for codes, accepted wherever a code is typed.
SWEDISH: dict[StrEnum, str] = {
    DecisionOutcome.GRANTED: "bifall",
    DecisionOutcome.DENIED: "avslag",
    DecisionOutcome.PARTIAL: "delvis",
    CourtOutcome.GRANTED: "bifall",
    CourtOutcome.DENIED: "avslag",
    CourtOutcome.PARTIAL: "delvis",
    GoalOutcome.REACHED: "uppnått",
    GoalOutcome.PARTLY: "delvis",
    GoalOutcome.NOT_REACHED: "inte",
    JournalKind.CONVERSATION: "samtal",
    JournalKind.PHONE: "telefon",
    JournalKind.MEETING: "möte",
    JournalKind.OTHER: "övrigt",
    ProtectionLevel.NONE: "ingen",
    ProtectionLevel.CONFIDENTIALITY_MARKING: "sekretessmarkering",
    ProtectionLevel.PROTECTED_REGISTRATION: "skyddad_folkbokföring",
    ProtectionLevel.FICTITIOUS_IDENTITY: "fingerade_personuppgifter",
}


def _key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower().replace("-", "_").replace(" ", "_")


def choose(enum: type[E], value: str | E, field: str) -> E:
    """Parse ``value`` (a code, or its Swedish word) into ``enum`` or raise :class:`InvalidChoice`
    naming the field and the choices."""
    if isinstance(value, enum):
        return value
    text = _key(str(value))
    for member in enum:
        if text == member.value or text == SWEDISH.get(member):
            return member
    choices = ", ".join(SWEDISH.get(e, e.value) for e in enum)
    raise InvalidChoice(field=field, value=str(value)[:40], allowed=choices)
