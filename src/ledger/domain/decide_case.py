"""The case's own steps: given the case as it stands and a typed command, the events to store.

Each function checks every rule that applies and raises the named error (nothing is stored then);
:func:`ledger.domain.rules.check_entry` is the part every entry shares (an open case, a date on or
after the opening). The application loads the state, calls one of these, and saves the result.
"""

from __future__ import annotations

from uuid import UUID

from ledger.domain import commands as c
from ledger.domain import events as ev
from ledger.domain import rules
from ledger.domain.aggregates import PersonState, case_id, case_number, case_numbers_id
from ledger.domain.case import CaseState, PlacementState, ServiceState
from ledger.domain.decision_rules import DecisionRules, check_decision
from ledger.domain.errors import AccessDenied, CaseNotClosed, InputError, InvestigationState, NotFound, RuleViolation
from ledger.domain.identity import IdentityKind
from ledger.domain.permissions import LEVELS, Role, is_protected, stronger
from ledger.domain.users import UsersState
from ledger.domain.vocab import ProtectionLevel, Recipient


def open_case(cmd: c.OpenCase, person: PersonState | None, person_id: UUID, serial: int,
              rec: ev.Recording, open_case: str | None = None) -> list[ev.Event]:
    """Actualise case number ``serial`` of this year for a person, registering the person if new.

    The number is allocated in the same transaction (version ``serial`` of the year's
    case-number stream), so two writers can never hand out one number twice. One person has one
    open case at a time: ``open_case`` (the number, or ``"-"`` when the user may not see it) refuses.
    """
    if open_case is not None:
        raise RuleViolation(rule="person_has_open_case", case=open_case)
    ident = cmd.identity
    birth_year = cmd.birth_year
    if ident.birth_date is not None:
        birth_year = ident.birth_date.year
    elif ident.kind != IdentityKind.RESERVE:
        birth_year = int(ident.number[:4])  # a samordningsnummer with unknown month or day
    elif birth_year is None:
        raise InputError(field="--birth-year", reason="required_for_reserve")
    rules.check_birth_year(birth_year, rec.today)
    year = rec.today.year
    number = case_number(year, serial)
    cid = case_id(number)
    new: list[ev.Event] = [
        ev.CaseNumberAllocated(**rec.header(case_numbers_id(year), serial, with_note=False), case_number=number,
                               case_id=cid),
    ]
    level = cmd.protection
    version = 1
    if person is None:
        new.append(ev.PersonRegistered(
            **rec.header(person_id, 1, with_note=False), identity_number=ident.number, identity_kind=ident.kind,
            gender=cmd.gender, birth_year=birth_year, protection_level=level,
        ))
    else:
        version = person.version
        # A protected identity is the person's, not the case's: a new case inherits the strongest
        # level now in force; only an explicit `case protect` by a manager lowers it.
        level = ProtectionLevel(stronger(person.protection_level, cmd.protection))
        if level != person.protection_level:
            version += 1
            new.append(ev.ProtectionLevelChanged(**rec.header(person_id, version, with_note=False),
                                                 protection_level=level))
    new.append(ev.PersonCaseOpened(**rec.header(person_id, version + 1, with_note=False), case_number=number))
    new.append(ev.CaseActualised(
        **rec.header(cid, 1), case_number=number, person_id=person_id, actualisation_type=cmd.actualisation_type,
        referral_source=cmd.source, environment=cmd.environment, gender=cmd.gender, birth_year=birth_year,
        protection_level=level,
    ))
    return new


def next_entry(case: CaseState, rec: ev.Recording, action: str, allow_closed: bool = False) -> ev.Header:
    """The header of the case's next entry, once the rules every entry shares are met."""
    rules.check_entry(case, rec, action, allow_closed)
    return rec.header(case.id, case.version + 1)


def close_case(case: CaseState, cmd: c.CloseCase, rec: ev.Recording) -> list[ev.Event]:
    """Close a case; running placements and services must be ended first, and before the closing day."""
    header = next_entry(case, rec, "close")
    items: dict[str, PlacementState | ServiceState] = {**case.placements, **case.services}
    running = [k for k, p in items.items() if p.ended_on is None]
    if running:
        raise RuleViolation(rule="running_interventions", refs=", ".join(running))
    for item in items.values():
        assert item.ended_on is not None
        rules.check_order(item.ended_on, rec.on, "ended_on", "date")
    return [ev.CaseClosed(**header, reason=cmd.reason)]


def reopen_case(case: CaseState, cmd: c.ReopenCase, rec: ev.Recording) -> list[ev.Event]:
    header = next_entry(case, rec, "reopen", allow_closed=True)
    if not case.is_closed:
        raise CaseNotClosed(case=case.case_number)
    if case.closure_reason == "opened_in_error":  # it was never a case: a new one is opened instead
        raise RuleViolation(rule="opened_in_error", case=case.case_number)
    assert case.closed_on is not None
    rules.check_order(case.closed_on, rec.on, "closed_on", "date")
    return [ev.CaseReopened(**header)]


def record_contact(case: CaseState, cmd: c.RecordContact, rec: ev.Recording) -> list[ev.Event]:
    return [ev.ContactRecorded(**next_entry(case, rec, "contact"), channel=cmd.channel, with_whom=cmd.with_whom)]


def grant_consent(case: CaseState, cmd: c.GrantConsent, rec: ev.Recording) -> list[ev.Event]:
    header = next_entry(case, rec, "consent")
    if cmd.valid_until is not None:
        rules.check_order(rec.on, cmd.valid_until, "date", "valid_until")
    return [ev.ConsentGranted(**header, recipient=cmd.recipient, provider=_provider_key(cmd.recipient, cmd.provider),
                              purpose=cmd.purpose, form=cmd.form, valid_until=cmd.valid_until)]


def revoke_consent(case: CaseState, cmd: c.RevokeConsent, rec: ev.Recording) -> list[ev.Event]:
    """Revoke where a consent for the recipient covers the day; every open period then ends."""
    header = next_entry(case, rec, "consent")
    provider = _provider_key(cmd.recipient, cmd.provider)
    rules.check_consent(case, cmd.recipient, provider, rec.on)
    return [ev.ConsentRevoked(**header, recipient=cmd.recipient, provider=provider, form=cmd.form)]


def _provider_key(recipient: Recipient, provider: str | None) -> str | None:
    return provider.upper() if provider and recipient == Recipient.PROVIDER else None


def record_assessment(case: CaseState, cmd: c.RecordAssessment, rec: ev.Recording) -> list[ev.Event]:
    """The förhandsbedömning, with the guideline's conditions (motivated, consent, no suspicion of
    serious crime) as they were found."""
    return [ev.PreliminaryAssessmentMade(
        **next_entry(case, rec, "assessment"), outcome=cmd.outcome, reason=cmd.reason, motivated=cmd.motivated,
        consent_given=cmd.consent_given, serious_crime_suspected=cmd.serious_crime_suspected,
        motivation=cmd.motivation or None,
    )]


def open_investigation(case: CaseState, cmd: c.OpenInvestigation, rec: ev.Recording) -> list[ev.Event]:
    header = next_entry(case, rec, "investigation")
    if case.investigation == "open":
        raise InvestigationState(case=case.case_number, state=case.investigation)
    return [ev.InvestigationOpened(**header)]


def complete_investigation(case: CaseState, cmd: c.CompleteInvestigation, rec: ev.Recording) -> list[ev.Event]:
    header = next_entry(case, rec, "investigation")
    if case.investigation != "open":
        raise InvestigationState(case=case.case_number, state=case.investigation)
    return [ev.InvestigationCompleted(**header, background=cmd.background or None, wishes=cmd.wishes or None,
                                      assessment=cmd.assessment or None, proposal=cmd.proposal or None)]


def set_plan(case: CaseState, cmd: c.SetPlan, rec: ev.Recording) -> list[ev.Event]:
    """A genomförandeplan with numbered goals (a new one replaces the last)."""
    header = next_entry(case, rec, "plan")
    goals = [g.strip() for g in cmd.goals if g.strip()]
    if not goals:
        raise InputError(field="--goal", reason="required")
    if len(goals) > 20:
        raise InputError(field="--goal", reason="range")
    number = int(case.plan.plan_id[1:]) + 1 if case.plan is not None else 1
    return [ev.PlanSet(**header, plan_id=f"G{number}", goal_count=len(goals), goals=goals)]


def add_journal(case: CaseState, cmd: c.AddJournal, rec: ev.Recording) -> list[ev.Event]:
    """A journal entry of its own; allowed on a closed case (what happens after is documented too)."""
    header = next_entry(case, rec, "journal", allow_closed=True)
    if not cmd.text.strip():
        raise InputError(field="TEXT", reason="required")
    return [ev.JournalEntryAdded(**header, kind=cmd.kind, text=cmd.text.strip())]


def note_objection(case: CaseState, cmd: c.NoteObjection, rec: ev.Recording) -> list[ev.Event]:
    """The person's objection to an entry of their file, noted beside it (the entry is not changed)."""
    header = next_entry(case, rec, "objection", allow_closed=True)
    if not 1 <= cmd.entry <= case.version:
        raise NotFound(kind="entry", ref=str(cmd.entry), case=case.case_number)
    if not cmd.text.strip():
        raise InputError(field="TEXT", reason="required")
    return [ev.ObjectionNoted(**header, entry=cmd.entry, text=cmd.text.strip())]


def record_threat(case: CaseState, cmd: c.RecordThreat, rec: ev.Recording) -> list[ev.Event]:
    """The conclusions of the Police's threat assessment (never raw intelligence)."""
    header = next_entry(case, rec, "threat")
    if cmd.review_on is not None:
        rules.check_order(rec.on, cmd.review_on, "date", "review_on")
    return [ev.ThreatAssessmentReceived(
        **header, assessing_unit=cmd.unit, threat_level=cmd.level, protection_needed=cmd.protection_needed,
        criteria_met=cmd.criteria_met, review_on=cmd.review_on,
    )]


def record_decision(case: CaseState, cmd: c.RecordDecision, rec: ev.Recording,
                    decision_rules: DecisionRules | None = None,
                    decider_roles: frozenset[Role] | None = None) -> list[ev.Event]:
    """A decision, granted, partly granted or denied; its id (``D1``, ``D2``, …) is the next of the
    case's. A refusal or partial grant needs its motivation; the legal ground comes from the unit's
    list; the decision-maker (by default who records it) must hold a role the delegation allows."""
    header = next_entry(case, rec, "decision")
    start = cmd.period_start or rec.on
    if cmd.period_end is not None:
        rules.check_order(start, cmd.period_end, "period_start", "period_end")
    for when in (cmd.communicated_on, cmd.notified_on):
        if when is not None:
            rules.check_not_future(when, rec.today)
    if cmd.notified_on is not None:
        rules.check_order(rec.on, cmd.notified_on, "date", "--notified-on")
    decided_by = cmd.decided_by or rec.by
    roles = decider_roles if decider_roles is not None else frozenset(Role(r) for r in rec.roles)
    ground = check_decision(decision_rules or DecisionRules(), cmd.outcome, cmd.intervention, cmd.motivation,
                            cmd.legal_ground, decided_by, roles)
    return [ev.DecisionRecorded(
        **header, decision_id=f"D{len(case.decisions) + 1}", outcome=cmd.outcome, intervention=cmd.intervention,
        period_start=start, period_end=cmd.period_end, daily_price=cmd.daily_price, ceiling=cmd.ceiling,
        motivation=(cmd.motivation or "").strip() or None, legal_ground=ground, decided_by=decided_by,
        communicated_on=cmd.communicated_on, notified_on=cmd.notified_on,
    )]


def _decision(case: CaseState, decision: str) -> str:
    key = decision.strip().upper()
    if key not in case.decisions:
        raise NotFound(kind="decision", ref=decision[:10], case=case.case_number)
    return key


def appeal_decision(case: CaseState, cmd: c.AppealDecision, rec: ev.Recording) -> list[ev.Event]:
    """The person appealed: allowed on a closed case (an appeal can come after), not before the decision."""
    header = next_entry(case, rec, "decision", allow_closed=True)
    key = _decision(case, cmd.decision)
    rules.check_order(case.decisions[key].decided_on, rec.on, "decided_on", "date")
    if case.decisions[key].appealed_on is not None and case.decisions[key].court_outcome is None:
        raise RuleViolation(rule="already_appealed", decision=key)
    return [ev.DecisionAppealed(**header, decision_id=key)]


def record_court_ruling(case: CaseState, cmd: c.RecordCourtRuling, rec: ev.Recording) -> list[ev.Event]:
    header = next_entry(case, rec, "decision", allow_closed=True)
    key = _decision(case, cmd.decision)
    appealed = case.decisions[key].appealed_on
    if appealed is None:
        raise RuleViolation(rule="not_appealed", decision=key)
    rules.check_order(appealed, rec.on, "appealed_on", "date")
    return [ev.CourtRuled(**header, decision_id=key, outcome=cmd.outcome)]


def change_decision_status(case: CaseState, cmd: c.ChangeDecisionStatus, rec: ev.Recording) -> list[ev.Event]:
    header = next_entry(case, rec, "decision")
    key = cmd.decision.upper()
    if key not in case.decisions:
        raise NotFound(kind="decision", ref=cmd.decision[:10], case=case.case_number)
    return [ev.DecisionStatusChanged(**header, decision_id=key, status=cmd.status)]


def record_followup(case: CaseState, cmd: c.RecordFollowUp, rec: ev.Recording) -> list[ev.Event]:
    """A follow-up; allowed on a closed case too (closure and 12 months after). Each goal of the
    implementation plan it names must exist."""
    goals = dict(cmd.goals)
    count = len(case.plan.goals) if case.plan is not None else 0
    for number in goals:
        if not 1 <= number <= count:
            raise NotFound(kind="goal", ref=str(number), case=case.case_number)
    return [ev.FollowUpRecorded(
        **next_entry(case, rec, "followup", allow_closed=True), time_point=cmd.time_point, housing=cmd.housing,
        occupation=cmd.occupation, income_support=cmd.income_support, substance_use=cmd.substance_use,
        psychiatric_contact=cmd.psychiatric_contact, new_suspicion=cmd.new_suspicion,
        remaining_threat=cmd.remaining_threat, goals={str(n): o for n, o in sorted(goals.items())},
    )]


def record_share(case: CaseState, cmd: c.RecordShare, rec: ev.Recording,
                 protection: str = ProtectionLevel.NONE) -> list[ev.Event]:
    """Information shared: needs a consent covering the day for the recipient, or an explicit legal basis.
    A person with a protected identity (``protection``: their level now) is never shared with relatives,
    consent or not: that is who the protection is most often against."""
    header = next_entry(case, rec, "share")
    if is_protected(protection) and cmd.recipient == Recipient.RELATIVES:
        raise RuleViolation(rule="protected_identity_share", recipient=str(cmd.recipient))
    if not cmd.legal_basis:
        rules.check_consent(case, cmd.recipient, cmd.provider, rec.on, sharing=True)
    return [ev.InformationShared(**header, recipient=cmd.recipient, provider=cmd.provider, what=cmd.what,
                                 legal_basis=cmd.legal_basis or None)]


def record_relative(case: CaseState, cmd: c.RecordRelative, rec: ev.Recording) -> list[ev.Event]:
    return [ev.RelativeSupported(**next_entry(case, rec, "relative"), relation=cmd.relation)]


def record_child(case: CaseState, cmd: c.RecordChild, rec: ev.Recording) -> list[ev.Event]:
    rules.check_birth_year(cmd.birth_year, rec.today, earliest=1900)
    return [ev.ChildInHouseholdNoted(**next_entry(case, rec, "child"), birth_year=cmd.birth_year)]


# -- who works on the case, and who may see it --------------------------------------------------------


def assign(case: CaseState, cmd: c.AssignCase, users: UsersState, rec: ev.Recording) -> list[ev.Event]:
    """Hand the case to a case worker (or a manager); the history keeps every earlier assignment."""
    header = next_entry(case, rec, "assign", allow_closed=True)
    roles = users.roles_of(cmd.to)
    if not roles:
        raise NotFound(kind="user", ref=cmd.to[:64])
    if not roles & {Role.CASE_WORKER, Role.MANAGER}:
        raise RuleViolation(rule="not_case_worker", ref=cmd.to[:64])
    if case.assigned_to == cmd.to:
        raise RuleViolation(rule="already_assigned", ref=cmd.to)
    return [ev.CaseAssigned(**header, assigned_to=cmd.to)]


#: The longest an access grant may run (a new grant extends it).
MAX_GRANT_DAYS = 366


def grant_access(case: CaseState, cmd: c.GrantAccess, users: UsersState, rec: ev.Recording) -> list[ev.Event]:
    """Let a user see a case whose person's identity is protected, up to and including a date."""
    header = next_entry(case, rec, "grant_access", allow_closed=True)
    if not users.roles_of(cmd.to):
        raise NotFound(kind="user", ref=cmd.to[:64])
    rules.check_order(rec.on, cmd.until, "date", "--until")
    if (cmd.until - rec.on).days > MAX_GRANT_DAYS:  # access is for a task, renewed if the task goes on
        raise RuleViolation(rule="grant_too_long", days=str(MAX_GRANT_DAYS))
    return [ev.CaseAccessGranted(**header, user=cmd.to, until=cmd.until, reason=cmd.reason)]


def protect(case: CaseState, person_version: int, current: str, cmd: c.ProtectCase,
            rec: ev.Recording) -> list[ev.Event]:
    """Change the protection of the case's person (every case of theirs); lowering it is a manager's call."""
    rules.check_entry(case, rec, "protect", allow_closed=True)
    if cmd.level == current:
        raise RuleViolation(rule="protection_unchanged", ref=str(cmd.level))
    if LEVELS.index(cmd.level) < LEVELS.index(ProtectionLevel(current)) and Role.MANAGER not in rec.roles:
        raise AccessDenied(action="case protect", roles=Role.MANAGER.value, why="lower_protection")
    return [ev.ProtectionLevelChanged(**rec.header(case.person_id, person_version + 1), protection_level=cmd.level)]

