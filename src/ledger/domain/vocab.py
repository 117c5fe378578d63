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

#: Every code's label, per vocabulary (the same code means different things in different ones):
#: ``code -> (svenska, english)``. The Swedish label is what a Swedish user reads and may type (the
#: law's own word where there is one); codes stay what events and ``--json`` carry. The command
#: line's catalogue takes its labels from here (``ledger.cli.catalogue_vocab``), so there is one list.
LABELS: dict[type[StrEnum], dict[str, tuple[str, str]]] = {
    ActualisationType: {"application": ("ansökan", "application"), "report": ("anmälan", "report"),
                        "other": ("annat", "other")},
    ReferralSource: {"police": ("polisen", "the police"), "probation": ("frivården", "probation"),
                     "sis": ("SiS", "SiS"), "social_services": ("socialtjänsten", "social services"),
                     "self": ("den enskilde", "self"), "relative": ("anhörig", "relative"),
                     "civil_society": ("civilsamhället", "civil society"), "other": ("annan", "other")},
    Environment: {"criminal": ("kriminella nätverk", "criminal networks"),
                  "violent_extremist": ("våldsbejakande extremism", "violent extremism"),
                  "honour": ("hedersrelaterat", "honour-related")},
    Gender: {"woman": ("kvinna", "woman"), "man": ("man", "man"), "other": ("annat", "other"),
             "unknown": ("okänt", "unknown")},
    ProtectionLevel: {"none": ("ingen", "none"),
                      "confidentiality_marking": ("sekretessmarkering", "confidentiality marking"),
                      "protected_registration": ("skyddad folkbokföring", "protected registration"),
                      "fictitious_identity": ("fingerade personuppgifter", "fictitious identity")},
    ContactChannel: {"meeting": ("möte", "meeting"), "phone": ("telefon", "phone"), "digital": ("digitalt", "digital"),
                     "letter": ("brev", "letter"), "outreach": ("uppsökande", "outreach")},
    Recipient: {"police": ("polisen", "the police"), "probation": ("frivården", "probation"), "sis": ("SiS", "SiS"),
                "region": ("regionen", "the region"), "provider": ("utföraren", "the provider"),
                "relatives": ("anhöriga", "relatives")},
    ConsentForm: {"written": ("skriftligt", "written"), "oral": ("muntligt", "oral")},
    AssessmentOutcome: {"investigate": ("utredning inleds", "investigate"),
                        "no_investigation": ("ingen utredning", "no investigation")},
    AssessmentReason: {"needs_support": ("behov av stöd", "needs support"),
                       "not_motivated": ("inte motiverad", "not motivated"),
                       "no_consent": ("inget samtycke", "no consent"),
                       "serious_crime": ("misstänkt för allvarlig brottslighet", "suspected of serious crime"),
                       "other_municipality": ("annan kommun", "another municipality"),
                       "not_reached": ("gick inte att nå", "not reached"), "other": ("annat", "other")},
    AssessingUnit: {"local_police": ("lokalpolisen", "local police"),
                    "regional_coordinator": ("regional samordnare", "regional coordinator"), "noa": ("NOA", "NOA")},
    ThreatLevel: {"none": ("ingen", "none"), "low": ("låg", "low"), "medium": ("medel", "medium"),
                  "high": ("hög", "high"), "very_high": ("mycket hög", "very high")},
    DecisionOutcome: {"granted": ("bifall", "granted"), "denied": ("avslag", "denied"),
                      "partial": ("delvis bifall", "partly granted")},
    CourtOutcome: {"granted": ("bifall", "granted"), "denied": ("avslag", "denied"),
                   "partial": ("delvis bifall", "partly granted")},
    GoalOutcome: {"reached": ("uppnått", "reached"), "partly": ("delvis", "partly"),
                  "not": ("inte uppnått", "not reached")},
    JournalKind: {"conversation": ("samtal", "conversation"), "phone": ("telefon", "phone"),
                  "meeting": ("möte", "meeting"), "other": ("övrigt", "other")},
    DecisionStatus: {"in_force": ("gäller", "in force"), "appealed": ("överklagat", "appealed"),
                     "revoked": ("upphävt", "revoked"), "replaced": ("ersatt", "replaced")},
    Intervention: {"protected_housing": ("skyddat boende", "protected housing"), "hvb": ("HVB", "HVB"),
                   "training_flat": ("träningslägenhet", "training flat"),
                   "supported_housing": ("stödboende", "supported housing"),
                   "individual_support": ("individuellt stöd", "individual support"),
                   "outreach": ("uppsökande arbete", "outreach"), "contact_person": ("kontaktperson", "contact person"),
                   "defector_coach": ("avhopparcoach", "defector coach"), "programme": ("program", "programme"),
                   "addiction_treatment": ("missbruksbehandling", "addiction treatment"),
                   "work_training": ("arbetsträning", "work training"),
                   "doctor_contact": ("läkarkontakt", "doctor contact"),
                   "other": ("annan insats", "other")},
    PriceUnit: {"hour": ("timme", "hour"), "month": ("månad", "month"), "once": ("engångsbelopp", "once")},
    PlacementEndReason: {"planned": ("planerat", "planned"), "broken_off": ("avbrutet", "broken off"),
                         "moved": ("flyttat", "moved"), "threat": ("hot", "threat"), "other": ("annat", "other")},
    FollowUpPoint: {"during": ("under insatsen", "during"), "closure": ("vid avslut", "at closure"),
                    "12_months": ("efter 12 månader", "after 12 months")},
    Housing: {"own": ("eget boende", "own home"), "relatives": ("hos anhöriga", "with relatives"),
              "supported": ("stödboende", "supported housing"), "institution": ("institution", "institution"),
              "homeless": ("hemlös", "homeless"), "unknown": ("okänt", "unknown")},
    Occupation: {"work": ("arbete", "work"), "studies": ("studier", "studies"),
                 "training": ("praktik eller utbildning", "training"), "none": ("ingen", "none"),
                 "unknown": ("okänt", "unknown")},
    Answer: {"yes": ("ja", "yes"), "no": ("nej", "no"), "unknown": ("okänt", "unknown")},
    ClosureReason: {"goals_met": ("målen uppnådda", "goals met"), "no_need": ("inget behov", "no need"),
                    "declined": ("avböjt", "declined"), "broken_off": ("avbrutet", "broken off"),
                    "moved": ("flyttat", "moved"), "relapse": ("återfall", "relapse"),
                    "deceased": ("avliden", "deceased"), "other": ("annat", "other"),
                    "opened_in_error": ("felaktigt upplagt", "opened in error")},
    Relation: {"parent": ("förälder", "parent"), "partner": ("partner", "partner"), "sibling": ("syskon", "sibling"),
               "child": ("barn", "child"), "other": ("annan", "other")},
    GrantOutcome: {"granted": ("beviljat", "granted"), "partly_granted": ("delvis beviljat", "partly granted"),
                   "denied": ("avslag", "denied")},
}

#: Further Swedish words accepted as input (short forms people type).
ALSO: dict[type[StrEnum], dict[str, str]] = {
    DecisionOutcome: {"delvis": "partial"},
    CourtOutcome: {"delvis": "partial"},
    GoalOutcome: {"inte": "not"},
    ReferralSource: {"själv": "self", "egen": "self"},
    Environment: {"kriminell": "criminal", "extremism": "violent_extremist", "heder": "honour"},
}


def swedish(enum: type[StrEnum], code: object) -> str:
    """The Swedish label of ``code`` in ``enum`` (the code itself if it has none)."""
    return LABELS.get(enum, {}).get(str(code), (str(code), ""))[0]


def _key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower().replace("-", "_").replace(" ", "_")


def choose(enum: type[E], value: str | E, field: str) -> E:
    """Parse ``value`` (a code, or its Swedish word) into ``enum`` or raise :class:`InvalidChoice`
    naming the field and the choices."""
    if isinstance(value, enum):
        return value
    text = _key(str(value))
    labels = LABELS.get(enum, {})
    for member in enum:
        if text == member.value or text == _key(labels.get(member.value, ("", ""))[0]):
            return member
    also = ALSO.get(enum, {}).get(text)
    if also is not None:
        return enum(also)
    choices = ", ".join(labels.get(e.value, (e.value, ""))[0] for e in enum)
    raise InvalidChoice(field=field, value=str(value)[:40], allowed=choices, codes=", ".join(e.value for e in enum))
