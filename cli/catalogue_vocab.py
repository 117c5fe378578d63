"""Catalogue part: every vocabulary code's label, taken from :data:`ledger.domain.vocab.LABELS`
(one list: what a Swedish user reads is also what they may type); ``prefix.code -> (svenska, english)``.

``term(prefix, code)`` finds them; :data:`PREFIXES` says which prefix names which vocabulary.
"""

from __future__ import annotations

from enum import StrEnum

from ledger.domain import vocab as v
from ledger.domain.identity import IdentityKind

#: The catalogue prefix of each vocabulary.
PREFIXES: dict[str, type[StrEnum]] = {
    "actualisation": v.ActualisationType,
    "source": v.ReferralSource,
    "environment": v.Environment,
    "gender": v.Gender,
    "protection": v.ProtectionLevel,
    "channel": v.ContactChannel,
    "recipient": v.Recipient,
    "consent_form": v.ConsentForm,
    "assessment": v.AssessmentOutcome,
    "assessment_reason": v.AssessmentReason,
    "unit": v.AssessingUnit,
    "threat": v.ThreatLevel,
    "outcome": v.DecisionOutcome,
    "court": v.CourtOutcome,
    "goal": v.GoalOutcome,
    "journal": v.JournalKind,
    "decision_status": v.DecisionStatus,
    "intervention": v.Intervention,
    "price_unit": v.PriceUnit,
    "end_reason": v.PlacementEndReason,
    "time_point": v.FollowUpPoint,
    "housing": v.Housing,
    "occupation": v.Occupation,
    "answer": v.Answer,
    "closure": v.ClosureReason,
    "relation": v.Relation,
    "grant_outcome": v.GrantOutcome,
    "identity_kind": IdentityKind,
}

#: Vocabularies defined outside ``vocab`` (the identity number's kind lives with its parser).
_OTHER: dict[type[StrEnum], dict[str, tuple[str, str]]] = {
    IdentityKind: {"personnummer": ("personnummer", "personal identity number"),
                   "samordningsnummer": ("samordningsnummer", "coordination number"),
                   "reserve": ("reservnummer", "reserve number")},
}

MESSAGES: dict[str, tuple[str, str]] = {
    f"{prefix}.{code}": labels
    for prefix, enum in PREFIXES.items()
    for code, labels in (v.LABELS.get(enum) or _OTHER[enum]).items()
}
