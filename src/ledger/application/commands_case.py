"""The case's own steps: actualisation to closure, consents, assessment, threat, decisions, corrections.

Each method parses what was typed into a typed command and runs the decide function of
:mod:`ledger.domain.decide_case` on the case (load → decide → save, see
:class:`~ledger.application.core.LedgerCore`). Results are the ids the domain handed out.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ledger.application.core import LedgerCore, command
from ledger.domain import commands as c
from ledger.domain import decide_case as decide
from ledger.domain import events as ev
from ledger.domain.aggregates import PROJECTORS, case_numbers_id
from ledger.domain.case import CaseState
from ledger.domain.corrections import correct
from ledger.domain.decision_rules import DecisionRules
from ledger.domain.decision_rules import rules_from as decision_rules_from
from ledger.domain.errors import InputError, NotFound
from ledger.domain.identity import parse_identity
from ledger.domain.money import optional_amount
from ledger.domain.permissions import Action, Role, check_user_name
from ledger.domain.rules import DateLike, optional_date
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
    Housing,
    Intervention,
    JournalKind,
    Occupation,
    ProtectionLevel,
    Recipient,
    ReferralSource,
    Relation,
    ThreatLevel,
    choose,
)


class CaseCommands(LedgerCore):
    """Recording the steps of a case."""

    @command(Action.CASE_OPEN, on_case=False)
    def open_case(
        self, identity: str, *, gender: str, environment: str, source: str, actualisation_type: str = "application",
        protection: str = "none", identity_kind: str | None = None, birth_year: int | None = None,
        on: DateLike = None, note: str | None = None,
    ) -> str:
        """Actualise a new case for a person (registering the person if new); returns its number."""
        cmd = c.OpenCase(
            identity=parse_identity(identity, identity_kind, today=self.clock.today()),
            gender=choose(Gender, gender, "gender"), environment=choose(Environment, environment, "environment"),
            source=choose(ReferralSource, source, "source"),
            actualisation_type=choose(ActualisationType, actualisation_type, "type"),
            protection=choose(ProtectionLevel, protection, "protection"), birth_year=birth_year,
        )
        pid = self.persons.person_id(cmd.identity.number)

        def build() -> tuple[list[ev.Event], str]:
            rec = self._recording(on, note)
            serial = self._last_version(case_numbers_id(rec.today.year)) + 1
            person = self._load(pid, PROJECTORS["person"])
            new = decide.open_case(cmd, person, pid, serial, rec, self._open_case_of(person))
            return new, new[-1].case_number  # type: ignore[attr-defined]

        return self._run(build)

    def _open_case_of(self, person: Any) -> str | None:
        """The person's open case, if any: its number if the user may see it, else ``"-"``."""
        for number in person.cases if person is not None else ():
            state = self._case(number)
            if not state.is_closed:
                return number if self.gate.visible(self.access_of(state)) else "-"
        return None

    def person_cases(self, identity: str) -> list[CaseState]:
        """Every case of the person with this identity number (any written form) that the user may see."""
        ident = parse_identity(identity, None, today=self.clock.today())
        person = self._load(self.persons.person_id(ident.number), PROJECTORS["person"])
        found = [self._case(number) for number in (person.cases if person is not None else [])]
        return [state for state in found if self.gate.visible(self.access_of(state))]

    @command(Action.CASE_CLOSE)
    def close_case(self, case: str, reason: str, *, on: DateLike = None, note: str | None = None) -> None:
        """Close a case; running placements and services must be ended first."""
        cmd = c.CloseCase(choose(ClosureReason, reason, "reason"))
        self._on_case(Action.CASE_CLOSE, case, on, note, lambda s, r: decide.close_case(s, cmd, r))

    @command(Action.CASE_REOPEN)
    def reopen_case(self, case: str, *, on: DateLike = None, note: str | None = None) -> None:
        self._on_case(Action.CASE_REOPEN, case, on, note, lambda s, r: decide.reopen_case(s, c.ReopenCase(), r))

    @command(Action.CONTACT_ADD)
    def record_contact(self, case: str, channel: str, *, with_whom: str | None = None, on: DateLike = None,
                       note: str | None = None) -> None:
        cmd = c.RecordContact(choose(ContactChannel, channel, "channel"), with_whom)
        self._on_case(Action.CONTACT_ADD, case, on, note, lambda s, r: decide.record_contact(s, cmd, r))

    @command(Action.CONSENT_GRANT)
    def grant_consent(
        self, case: str, recipient: str, *, purpose: str, form: str = "written", provider: str | None = None,
        valid_until: DateLike = None, on: DateLike = None, note: str | None = None,
    ) -> None:
        recipient_ = choose(Recipient, recipient, "recipient")
        cmd = c.GrantConsent(recipient_, self._recipient_provider(recipient_, provider), purpose,
                             choose(ConsentForm, form, "form"), optional_date(valid_until, "valid_until"))
        self._on_case(Action.CONSENT_GRANT, case, on, note, lambda s, r: decide.grant_consent(s, cmd, r))

    @command(Action.CONSENT_REVOKE)
    def revoke_consent(self, case: str, recipient: str, *, form: str = "written", provider: str | None = None,
                       on: DateLike = None, note: str | None = None) -> None:
        cmd = c.RevokeConsent(choose(Recipient, recipient, "recipient"), provider, choose(ConsentForm, form, "form"))
        self._on_case(Action.CONSENT_REVOKE, case, on, note, lambda s, r: decide.revoke_consent(s, cmd, r))

    def _recipient_provider(self, recipient: Recipient, provider: str | None) -> str | None:
        """A named provider's registered code when the recipient is a provider (else nothing)."""
        if recipient != Recipient.PROVIDER:
            return None
        if not provider:
            raise InputError(field="provider", reason="required")
        return self._provider(provider).code

    @command(Action.ASSESSMENT_RECORD)
    def record_assessment(self, case: str, outcome: str, reason: str, *, motivated: bool | None = None,
                          consent_given: bool | None = None, serious_crime_suspected: bool | None = None,
                          motivation: str | None = None, on: DateLike = None, note: str | None = None) -> None:
        """The förhandsbedömning, with the guideline's conditions as found (``None``: not asked)."""
        cmd = c.RecordAssessment(choose(AssessmentOutcome, outcome, "outcome"),
                                 choose(AssessmentReason, reason, "reason"), motivated, consent_given,
                                 serious_crime_suspected, motivation)
        self._on_case(Action.ASSESSMENT_RECORD, case, on, note, lambda s, r: decide.record_assessment(s, cmd, r))

    @command(Action.INVESTIGATION_OPEN)
    def open_investigation(self, case: str, *, on: DateLike = None, note: str | None = None) -> None:
        self._on_case(Action.INVESTIGATION_OPEN, case, on, note,
                      lambda s, r: decide.open_investigation(s, c.OpenInvestigation(), r))

    @command(Action.INVESTIGATION_COMPLETE)
    def complete_investigation(self, case: str, *, background: str | None = None, wishes: str | None = None,
                               assessment: str | None = None, proposal: str | None = None, on: DateLike = None,
                               note: str | None = None) -> None:
        """The utredning: its background, the person's wishes, the assessment and the proposal."""
        cmd = c.CompleteInvestigation(background, wishes, assessment, proposal)
        self._on_case(Action.INVESTIGATION_COMPLETE, case, on, note,
                      lambda s, r: decide.complete_investigation(s, cmd, r))

    @command(Action.PLAN_SET)
    def set_plan(self, case: str, goals: list[str], *, on: DateLike = None, note: str | None = None) -> str:
        """A genomförandeplan with numbered goals; returns its id (``G1``)."""
        cmd = c.SetPlan(tuple(goals))
        new = self._on_case(Action.PLAN_SET, case, on, note, lambda s, r: decide.set_plan(s, cmd, r))
        return new[0].plan_id  # type: ignore[attr-defined, no-any-return]

    @command(Action.JOURNAL_ADD)
    def add_journal(self, case: str, text: str, *, kind: str = "other", on: DateLike = None) -> int:
        """A journal entry; returns its entry number."""
        cmd = c.AddJournal(choose(JournalKind, kind, "--kind"), text)
        new = self._on_case(Action.JOURNAL_ADD, case, on, None, lambda s, r: decide.add_journal(s, cmd, r))
        return new[0].originator_version

    @command(Action.JOURNAL_OBJECT)
    def note_objection(self, case: str, entry: int, text: str, *, on: DateLike = None) -> int:
        """The person's objection to entry ``entry``; returns its own entry number."""
        cmd = c.NoteObjection(entry, text)
        new = self._on_case(Action.JOURNAL_OBJECT, case, on, None, lambda s, r: decide.note_objection(s, cmd, r))
        return new[0].originator_version

    @command(Action.THREAT_RECORD)
    def record_threat(
        self, case: str, *, unit: str, level: str, protection_needed: bool, criteria_met: bool,
        review_on: DateLike = None, on: DateLike = None, note: str | None = None,
    ) -> None:
        cmd = c.RecordThreat(choose(AssessingUnit, unit, "unit"), choose(ThreatLevel, level, "level"),
                             protection_needed, criteria_met, optional_date(review_on, "review_on"))
        self._on_case(Action.THREAT_RECORD, case, on, note, lambda s, r: decide.record_threat(s, cmd, r))

    @command(Action.DECISION_RECORD)
    def record_decision(
        self, case: str, *, outcome: str, intervention: str, period_start: DateLike = None,
        period_end: DateLike = None, daily_price: str | Decimal | None = None, ceiling: str | Decimal | None = None,
        motivation: str | None = None, legal_ground: str | None = None, decided_by: str | None = None,
        communicated_on: DateLike = None, notified_on: DateLike = None, on: DateLike = None, note: str | None = None,
    ) -> str:
        """Record a decision (granted, partly or denied); returns its id, e.g. ``D1``. The decision-maker
        (``decided_by``, by default who records it) must be a user the delegation allows."""
        decider = check_user_name(decided_by, "--decided-by") if decided_by else None
        cmd = c.RecordDecision(
            choose(DecisionOutcome, outcome, "outcome"), choose(Intervention, intervention, "intervention"),
            optional_date(period_start, "period_start"), optional_date(period_end, "period_end"),
            optional_amount(daily_price), optional_amount(ceiling), motivation, legal_ground, decider,
            optional_date(communicated_on, "--communicated-on"), optional_date(notified_on, "--notified-on"),
        )
        rules_now = self.decision_rules()
        roles = self._users_roles(decider) if decider else None

        def decide_it(s: Any, r: ev.Recording) -> list[ev.Event]:
            return decide.record_decision(s, cmd, r, rules_now, roles)

        new = self._on_case(Action.DECISION_RECORD, case, on, note, decide_it)
        return new[0].decision_id  # type: ignore[attr-defined, no-any-return]

    def decision_rules(self) -> DecisionRules:
        from ledger.application.gallring import SETTINGS

        return decision_rules_from(self.events.get(SETTINGS))

    def _users_roles(self, name: str) -> frozenset[Role]:
        from ledger.domain.users import USERS, project_users

        users = self._load(USERS, project_users)
        roles = users.roles_of(name) if users is not None else frozenset()
        if not roles:
            raise NotFound(kind="user", ref=name[:64])
        return roles

    @command(Action.DECISION_APPEAL)
    def appeal_decision(self, case: str, decision: str, *, on: DateLike = None, note: str | None = None) -> None:
        cmd = c.AppealDecision(decision)
        self._on_case(Action.DECISION_APPEAL, case, on, note, lambda s, r: decide.appeal_decision(s, cmd, r))

    @command(Action.DECISION_COURT)
    def record_court_ruling(self, case: str, decision: str, *, outcome: str, on: DateLike = None,
                            note: str | None = None) -> None:
        cmd = c.RecordCourtRuling(decision, choose(CourtOutcome, outcome, "--outcome"))
        self._on_case(Action.DECISION_COURT, case, on, note, lambda s, r: decide.record_court_ruling(s, cmd, r))

    @command(Action.DECISION_STATUS)
    def change_decision_status(self, case: str, decision: str, status: str, *, on: DateLike = None,
                               note: str | None = None) -> None:
        cmd = c.ChangeDecisionStatus(decision, choose(DecisionStatus, status, "status"))
        self._on_case(Action.DECISION_STATUS, case, on, note, lambda s, r: decide.change_decision_status(s, cmd, r))

    @command(Action.FOLLOWUP_RECORD)
    def record_followup(
        self, case: str, *, time_point: str, housing: str, occupation: str, income_support: str = "unknown",
        substance_use: str = "unknown", psychiatric_contact: str = "unknown", new_suspicion: str = "unknown",
        remaining_threat: str = "unknown", goals: dict[int, str] | None = None, on: DateLike = None,
        note: str | None = None,
    ) -> None:
        """Record a follow-up (and, per goal of the plan, reached, partly or not); allowed on a closed case too."""
        cmd = c.RecordFollowUp(
            choose(FollowUpPoint, time_point, "time_point"), choose(Housing, housing, "housing"),
            choose(Occupation, occupation, "occupation"), choose(Answer, income_support, "income_support"),
            choose(Answer, substance_use, "substance_use"), choose(Answer, psychiatric_contact, "psychiatric_contact"),
            choose(Answer, new_suspicion, "new_suspicion"), choose(Answer, remaining_threat, "remaining_threat"),
            tuple((n, choose(GoalOutcome, o, "--goal")) for n, o in sorted((goals or {}).items())),
        )
        self._on_case(Action.FOLLOWUP_RECORD, case, on, note, lambda s, r: decide.record_followup(s, cmd, r))

    @command(Action.SHARE_RECORD)
    def record_share(
        self, case: str, recipient: str, *, what: str, provider: str | None = None, legal_basis: str | None = None,
        on: DateLike = None, note: str | None = None,
    ) -> None:
        """Record information shared; needs a consent covering the day or an explicit legal basis."""
        recipient_ = choose(Recipient, recipient, "recipient")
        cmd = c.RecordShare(recipient_, self._recipient_provider(recipient_, provider), what, legal_basis)
        self._on_case(Action.SHARE_RECORD, case, on, note,
                      lambda s, r: decide.record_share(s, cmd, r, self._current_protection(s)))

    @command(Action.RELATIVE_ADD)
    def record_relative(self, case: str, relation: str, *, on: DateLike = None, note: str | None = None) -> None:
        cmd = c.RecordRelative(choose(Relation, relation, "relation"))
        self._on_case(Action.RELATIVE_ADD, case, on, note, lambda s, r: decide.record_relative(s, cmd, r))

    @command(Action.CHILD_ADD)
    def record_child(self, case: str, *, birth_year: int | None = None, on: DateLike = None,
                     note: str | None = None) -> None:
        cmd = c.RecordChild(birth_year)
        self._on_case(Action.CHILD_ADD, case, on, note, lambda s, r: decide.record_child(s, cmd, r))

    @command(Action.CORRECT)
    def correct_entry(self, case: str, entry: int, *, reason: str, changes: dict[str, str]) -> int:
        """Record a correction of entry ``entry`` of ``case``; returns the new entry's number."""
        cmd = c.CorrectEntry(entry, reason, changes)

        def fix(state: Any, rec: ev.Recording) -> list[ev.Event]:
            stored = list(self.events.get(state.id))
            return [correct(state, stored, cmd, rec, lambda code: self._provider(code).code)]

        new = self._on_case(Action.CORRECT, case, None, None, fix)
        return new[0].originator_version
