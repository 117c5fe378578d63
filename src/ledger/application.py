"""The application service: one method per thing a case worker records or reads.

Methods take simple values (strings, dates, ``Decimal``) and validate them here, so the command
line and any other caller get the same rules and errors. A command loads the streams it needs,
checks the rules, builds new events and saves them in one transaction. If another writer
changed the same stream meanwhile, the command is re-run against the new state (the rules are
checked again), up to a few times, before :class:`ConcurrencyConflict` is raised.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, ClassVar, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import get_topic
from pydantic import ValidationError

from ledger import events as ev
from ledger import rules
from ledger.aggregates import (
    CaseNumbersState,
    case_id,
    case_numbers_id,
    person_id,
    project_budget,
    project_case_numbers,
    project_person,
    project_provider,
    provider_id,
)
from ledger.case import CaseState, apply_corrections, consent_key, project_case
from ledger.clock import now, today
from ledger.commands_corrections import CorrectionCommands
from ledger.commands_money import MoneyCommands
from ledger.commands_registers import RegisterCommands
from ledger.errors import (
    CaseNotClosed,
    ConcurrencyConflict,
    ConsentNotActive,
    InputError,
    InvestigationState,
    LedgerError,
    NotFound,
    RuleViolation,
)
from ledger.identity import parse_identity
from ledger.mapper import JSONBytesTranscoder, PydanticMapper
from ledger.money import parse_amount
from ledger.rules import DateLike
from ledger.vocab import (
    ActualisationType,
    Answer,
    AssessingUnit,
    AssessmentOutcome,
    AssessmentReason,
    ClosureReason,
    ConsentForm,
    ContactChannel,
    DecisionOutcome,
    DecisionStatus,
    Environment,
    FollowUpPoint,
    Gender,
    Housing,
    Intervention,
    Occupation,
    ProtectionLevel,
    Recipient,
    ReferralSource,
    Relation,
    ThreatLevel,
    choose,
)

T = TypeVar("T")
CASE_NUMBER = re.compile(r"^AVH-(\d{4})-(\d{4,})$")
RETRIES = 12
SNAPSHOT_INTERVAL = 100


def normalise_case_number(value: str) -> str:
    text = value.strip().upper()
    if not CASE_NUMBER.match(text):
        raise NotFound(kind="case", ref=value[:20])
    return text


class Ledger(MoneyCommands, RegisterCommands, CorrectionCommands, Application):
    """The avhoppar case ledger (write side)."""

    name = "ledger"
    env: ClassVar[dict[str, str]] = {
        "PERSISTENCE_MODULE": "ledger.store",
        "MAPPER_TOPIC": get_topic(PydanticMapper),
        "TRANSCODER_TOPIC": get_topic(JSONBytesTranscoder),
        "IS_SNAPSHOTTING_ENABLED": "y",
    }
    snapshot_class = ev.Snapshot

    def __init__(self, db: str | None = None, user: str = "unknown") -> None:
        super().__init__(env={"LEDGER_DB_URL": db} if db else {})
        self.user = user
        self.store = self.factory.store  # type: ignore[attr-defined]
        self._batch: list[Any] | None = None
        self._cache: dict[UUID, Any] = {}
        self._person_ns: UUID | None = None
        self._flush_every = 5000

    # -- plumbing -----------------------------------------------------------------------------

    def _run(self, build: Callable[[], tuple[list[Any], T]]) -> T:
        """Build events from fresh state and save them; re-run on a concurrent write."""
        for attempt in range(RETRIES):
            try:
                new_events, result = build()
            except ValidationError as error:
                first = error.errors()[0]
                reason = _PYDANTIC_REASONS.get(first["type"], "format")
                raise InputError(field=".".join(str(p) for p in first["loc"]), reason=reason) from None
            try:
                self._save(new_events)
            except IntegrityError:
                if self._batch is not None:
                    raise
                # Another writer got there first: wait a little (jittered, growing) and re-run.
                time.sleep(random.uniform(0, min(0.25, 0.005 * 2**attempt)))
                continue
            return result
        raise ConcurrencyConflict()

    def _save(self, new_events: list[Any]) -> None:
        if self._batch is not None:
            self._batch.extend(new_events)
            for event in new_events:
                self._cache[event.originator_id] = _PROJECTORS[event.stream](
                    self._cache.get(event.originator_id), [event]
                )
            if len(self._batch) >= self._flush_every:
                self.flush()
            return
        self._save_and_snapshot(new_events)

    def _save_and_snapshot(self, new_events: list[Any]) -> None:
        self.save(*new_events)
        for event in new_events:
            if isinstance(event, ev.Event) and event.stream == "case" and event.originator_version % SNAPSHOT_INTERVAL == 0:
                self.take_snapshot(event.originator_id, event.originator_version, projector_func=project_case)

    @contextmanager
    def batch(self, flush_every: int = 5000) -> Iterator[Ledger]:
        """Collect events in memory and write them in large transactions (for demo data).

        Rules are checked as usual, against states kept in memory; this process must be the only
        writer meanwhile (a conflict at flush fails the whole batch, and nothing of it is stored).
        """
        self._batch, self._cache, self._flush_every = [], {}, flush_every
        try:
            yield self
            self.flush()
        finally:
            self._batch, self._cache = None, {}

    def flush(self) -> None:
        """Write the events collected so far in one transaction."""
        if self._batch:
            pending, self._batch = self._batch, []
            self._save_and_snapshot(pending)

    def _load(self, aggregate_id: UUID, projector: Callable[..., T | None]) -> T | None:
        if self._batch is not None and aggregate_id in self._cache:
            return self._cache[aggregate_id]
        try:
            state = self.repository.get(aggregate_id, projector_func=projector)
        except AggregateNotFoundError:
            state = None
        if self._batch is not None:
            self._cache[aggregate_id] = state  # later commands in the batch build on it
        return state

    def _last_version(self, stream: UUID) -> int:
        """The newest version of a stream, read without replaying it (case numbers: the year's count)."""
        if self._batch is not None and stream in self._cache:
            cached = self._cache[stream]
            return cached.version if cached is not None else 0
        last = self.recorder.select_events(stream, desc=True, limit=1)
        version = last[0].originator_version if last else 0
        if self._batch is not None:
            self._cache[stream] = CaseNumbersState(id=stream, version=version) if version else None
        return version

    def _meta(self, on: DateLike, note: str | None) -> dict[str, Any]:
        day = rules.parse_date(on)
        rules.check_not_future(day)
        return {"recorded_at": now(), "recorded_by": self.user, "occurred_on": day, "note": note or None}

    def _case(self, number: str) -> CaseState:
        number = normalise_case_number(number)
        state = self._load(case_id(number), project_case)
        if state is None:
            raise NotFound(kind="case", ref=number)
        if state.corrections:
            # Corrections rewrite earlier entries: fold the whole corrected history instead.
            state = project_case(None, apply_corrections(self.events.get(state.id)))
            assert state is not None
            if self._batch is not None:
                self._cache[state.id] = state
        return state

    def _provider(self, code: str) -> Any:
        state = self._load(provider_id(code), project_provider)
        if state is None:
            raise NotFound(kind="provider", ref=code[:32])
        return state

    def _case_event(
        self, number: str, make: Callable[[CaseState, dict[str, Any]], tuple[list[Any], T]],
        on: DateLike, note: str | None, action: str, allow_closed: bool = False,
    ) -> T:
        """The common shape of a case command: load, check open and dates, build, save."""

        def build() -> tuple[list[Any], T]:
            case = self._case(number)
            meta = self._meta(on, note)
            if not allow_closed:
                rules.check_case_open(case, action)
            rules.check_on_or_after_opening(case, meta["occurred_on"])
            meta.update(originator_id=case.id, originator_version=case.version + 1)
            return make(case, meta)

        return self._run(build)

    def person_namespace(self) -> UUID:
        if self._person_ns is None:
            from uuid import uuid4

            self._person_ns = UUID(self.store.meta("person_namespace", default=str(uuid4())))
        return self._person_ns

    # -- reading --------------------------------------------------------------------------------

    def get_case(self, number: str) -> CaseState:
        """Current state of a case."""
        return self._case(number)

    def case_events(self, number: str) -> list[ev.Event]:
        """All events of a case, oldest first."""
        number = normalise_case_number(number)
        found = list(self.events.get(case_id(number)))
        if not found:
            raise NotFound(kind="case", ref=number)
        return found  # type: ignore[return-value]

    def event_count(self) -> int:
        return self.recorder.max_notification_id() or 0

    # -- case ----------------------------------------------------------------------------------

    def open_case(
        self,
        identity: str,
        *,
        gender: str,
        environment: str,
        source: str,
        actualisation_type: str = "application",
        protection: str = "none",
        identity_kind: str | None = None,
        birth_year: int | None = None,
        on: DateLike = None,
        note: str | None = None,
    ) -> str:
        """Actualise a new case for a person (registering the person if new); returns its number."""
        ident = parse_identity(identity, identity_kind)
        values = {
            "gender": choose(Gender, gender, "gender"),
            "environment": choose(Environment, environment, "environment"),
            "referral_source": choose(ReferralSource, source, "source"),
            "actualisation_type": choose(ActualisationType, actualisation_type, "type"),
            "protection_level": choose(ProtectionLevel, protection, "protection"),
        }
        if ident.birth_date is not None:
            birth_year = ident.birth_date.year
        elif ident.kind != "reserve":
            birth_year = int(ident.number[:4])  # a samordningsnummer with unknown month or day
        if birth_year is not None and not 1890 <= birth_year <= today().year:
            raise InputError(field="birth_year", reason="range")
        pid = person_id(self.person_namespace(), ident.number)
        year = today().year

        def build() -> tuple[list[Any], str]:
            meta = self._meta(on, note)
            serial = self._last_version(case_numbers_id(year)) + 1
            number = f"AVH-{year}-{serial:04d}"
            cid = case_id(number)
            new: list[Any] = [
                ev.CaseNumberAllocated(
                    originator_id=case_numbers_id(year), originator_version=serial, case_number=number, case_id=cid,
                    **{**meta, "note": None},
                )
            ]
            person = self._load(pid, project_person)
            if person is None:
                new.append(
                    ev.PersonRegistered(
                        originator_id=pid, originator_version=1, identity_number=ident.number,
                        identity_kind=ident.kind, gender=values["gender"], birth_year=birth_year,
                        protection_level=values["protection_level"], **{**meta, "note": None},
                    )
                )
            elif person.protection_level != values["protection_level"]:
                new.append(
                    ev.ProtectionLevelChanged(
                        originator_id=pid, originator_version=person.version + 1,
                        protection_level=values["protection_level"], **{**meta, "note": None},
                    )
                )
            new.append(
                ev.CaseActualised(
                    originator_id=cid, originator_version=1, case_number=number, person_id=pid,
                    birth_year=birth_year, **values, **meta,
                )
            )
            return new, number

        return self._run(build)

    def close_case(self, case: str, reason: str, *, on: DateLike = None, note: str | None = None) -> None:
        """Close a case; running placements and services must be ended first."""
        reason_ = choose(ClosureReason, reason, "reason")

        def make(c: CaseState, meta: dict[str, Any]) -> tuple[list[Any], None]:
            items = {**c.placements, **c.services}
            running = [k for k, p in items.items() if p.ended_on is None]
            if running:
                raise RuleViolation(rule="running_interventions", refs=", ".join(running))
            for item in items.values():
                assert item.ended_on is not None
                rules.check_order(item.ended_on, meta["occurred_on"], "ended_on", "date")
            return [ev.CaseClosed(reason=reason_, **meta)], None

        self._case_event(case, make, on, note, "close")

    def reopen_case(self, case: str, *, on: DateLike = None, note: str | None = None) -> None:
        """Reopen a closed case."""

        def make(c: CaseState, meta: dict[str, Any]) -> tuple[list[Any], None]:
            if not c.is_closed:
                raise CaseNotClosed(case=c.case_number)
            assert c.closed_on is not None
            rules.check_order(c.closed_on, meta["occurred_on"], "closed_on", "date")
            return [ev.CaseReopened(**meta)], None

        self._case_event(case, make, on, note, "reopen", allow_closed=True)

    def record_contact(
        self, case: str, channel: str, *, with_whom: str | None = None, on: DateLike = None, note: str | None = None
    ) -> None:
        channel_ = choose(ContactChannel, channel, "channel")
        self._case_event(
            case, lambda c, m: ([ev.ContactRecorded(channel=channel_, with_whom=with_whom, **m)], None), on, note, "contact"
        )

    # -- consent ------------------------------------------------------------------------------

    def grant_consent(
        self, case: str, recipient: str, *, purpose: str, form: str = "written", provider: str | None = None,
        valid_until: DateLike = None, on: DateLike = None, note: str | None = None,
    ) -> None:
        recipient_ = choose(Recipient, recipient, "recipient")
        form_ = choose(ConsentForm, form, "form")
        until = rules.optional_date(valid_until, "valid_until")
        code = self._recipient_provider(recipient_, provider)

        def make(c: CaseState, meta: dict[str, Any]) -> tuple[list[Any], None]:
            if until is not None:
                rules.check_order(meta["occurred_on"], until, "date", "valid_until")
            event = ev.ConsentGranted(recipient=recipient_, provider=code, purpose=purpose, form=form_, valid_until=until, **meta)
            return [event], None

        self._case_event(case, make, on, note, "consent")

    def revoke_consent(
        self, case: str, recipient: str, *, form: str = "written", provider: str | None = None,
        on: DateLike = None, note: str | None = None,
    ) -> None:
        recipient_ = choose(Recipient, recipient, "recipient")
        form_ = choose(ConsentForm, form, "form")
        code = provider.upper() if provider and recipient_ == Recipient.PROVIDER else None

        def make(c: CaseState, meta: dict[str, Any]) -> tuple[list[Any], None]:
            rules.check_consent_active(c, recipient_, code, meta["occurred_on"])
            return [ev.ConsentRevoked(recipient=recipient_, provider=code, form=form_, **meta)], None

        self._case_event(case, make, on, note, "consent")

    def _recipient_provider(self, recipient: Recipient, provider: str | None) -> str | None:
        if recipient != Recipient.PROVIDER:
            return None
        if not provider:
            raise InputError(field="provider", reason="required")
        return self._provider(provider).code

    # -- assessment, investigation, threat ----------------------------------------------------------

    def record_assessment(
        self, case: str, outcome: str, reason: str, *, on: DateLike = None, note: str | None = None
    ) -> None:
        outcome_ = choose(AssessmentOutcome, outcome, "outcome")
        reason_ = choose(AssessmentReason, reason, "reason")
        self._case_event(
            case, lambda c, m: ([ev.PreliminaryAssessmentMade(outcome=outcome_, reason=reason_, **m)], None),
            on, note, "assessment",
        )

    def open_investigation(self, case: str, *, on: DateLike = None, note: str | None = None) -> None:
        def make(c: CaseState, meta: dict[str, Any]) -> tuple[list[Any], None]:
            if c.investigation == "open":
                raise InvestigationState(case=c.case_number, state=c.investigation)
            return [ev.InvestigationOpened(**meta)], None

        self._case_event(case, make, on, note, "investigation")

    def complete_investigation(self, case: str, *, on: DateLike = None, note: str | None = None) -> None:
        def make(c: CaseState, meta: dict[str, Any]) -> tuple[list[Any], None]:
            if c.investigation != "open":
                raise InvestigationState(case=c.case_number, state=c.investigation)
            return [ev.InvestigationCompleted(**meta)], None

        self._case_event(case, make, on, note, "investigation")

    def record_threat(
        self, case: str, *, unit: str, level: str, protection_needed: bool, criteria_met: bool,
        review_on: DateLike = None, on: DateLike = None, note: str | None = None,
    ) -> None:
        unit_ = choose(AssessingUnit, unit, "unit")
        level_ = choose(ThreatLevel, level, "level")
        review = rules.optional_date(review_on, "review_on")

        def make(c: CaseState, meta: dict[str, Any]) -> tuple[list[Any], None]:
            if review is not None:
                rules.check_order(meta["occurred_on"], review, "date", "review_on")
            return [
                ev.ThreatAssessmentReceived(
                    assessing_unit=unit_, threat_level=level_, protection_needed=protection_needed,
                    criteria_met=criteria_met, review_on=review, **meta,
                )
            ], None

        self._case_event(case, make, on, note, "threat")

    # -- decisions ---------------------------------------------------------------------------------

    def record_decision(
        self, case: str, *, outcome: str, intervention: str, period_start: DateLike = None,
        period_end: DateLike = None, daily_price: str | Decimal | None = None, ceiling: str | Decimal | None = None,
        on: DateLike = None, note: str | None = None,
    ) -> str:
        """Record a decision (granted or denied); returns its id, e.g. ``D1``."""
        outcome_ = choose(DecisionOutcome, outcome, "outcome")
        intervention_ = choose(Intervention, intervention, "intervention")
        end = rules.optional_date(period_end, "period_end")
        price = parse_amount(daily_price) if daily_price not in (None, "") else None
        cap = parse_amount(ceiling) if ceiling not in (None, "") else None

        def make(c: CaseState, meta: dict[str, Any]) -> tuple[list[Any], str]:
            start = rules.parse_date(period_start, "period_start", default=meta["occurred_on"])
            if end is not None:
                rules.check_order(start, end, "period_start", "period_end")
            decision_id = f"D{len(c.decisions) + 1}"
            return [
                ev.DecisionRecorded(
                    decision_id=decision_id, outcome=outcome_, intervention=intervention_, period_start=start,
                    period_end=end, daily_price=price, ceiling=cap, **meta,
                )
            ], decision_id

        return self._case_event(case, make, on, note, "decision")

    def change_decision_status(
        self, case: str, decision: str, status: str, *, on: DateLike = None, note: str | None = None
    ) -> None:
        status_ = choose(DecisionStatus, status, "status")

        def make(c: CaseState, meta: dict[str, Any]) -> tuple[list[Any], None]:
            key = decision.upper()
            if key not in c.decisions:
                raise NotFound(kind="decision", ref=decision[:10], case=c.case_number)
            return [ev.DecisionStatusChanged(decision_id=key, status=status_, **meta)], None

        self._case_event(case, make, on, note, "decision")

    # -- follow-up, sharing, relatives --------------------------------------------------------------

    def record_followup(
        self, case: str, *, time_point: str, housing: str, occupation: str, income_support: str = "unknown",
        substance_use: str = "unknown", psychiatric_contact: str = "unknown", new_suspicion: str = "unknown",
        remaining_threat: str = "unknown", on: DateLike = None, note: str | None = None,
    ) -> None:
        """Record a follow-up; allowed on a closed case too."""
        values = {
            "time_point": choose(FollowUpPoint, time_point, "time_point"),
            "housing": choose(Housing, housing, "housing"),
            "occupation": choose(Occupation, occupation, "occupation"),
            "income_support": choose(Answer, income_support, "income_support"),
            "substance_use": choose(Answer, substance_use, "substance_use"),
            "psychiatric_contact": choose(Answer, psychiatric_contact, "psychiatric_contact"),
            "new_suspicion": choose(Answer, new_suspicion, "new_suspicion"),
            "remaining_threat": choose(Answer, remaining_threat, "remaining_threat"),
        }
        self._case_event(
            case, lambda c, m: ([ev.FollowUpRecorded(**values, **m)], None), on, note, "followup", allow_closed=True
        )

    def record_share(
        self, case: str, recipient: str, *, what: str, provider: str | None = None, legal_basis: str | None = None,
        on: DateLike = None, note: str | None = None,
    ) -> None:
        """Record information shared; needs active consent for the recipient or an explicit legal basis."""
        recipient_ = choose(Recipient, recipient, "recipient")
        code = self._recipient_provider(recipient_, provider)

        def make(c: CaseState, meta: dict[str, Any]) -> tuple[list[Any], None]:
            if not legal_basis:
                try:  # the newest consent for the recipient covers the day …
                    rules.check_consent_active(c, recipient_, code, meta["occurred_on"])
                except ConsentNotActive:
                    # … or an earlier period did (a sharing documented late), by the whole history
                    from ledger.consent_audit import consent_covers

                    if not consent_covers(self.events.get(c.id), recipient_, code, meta["occurred_on"]):
                        raise
            return [ev.InformationShared(recipient=recipient_, provider=code, what=what, legal_basis=legal_basis or None,
                                         **meta)], None

        self._case_event(case, make, on, note, "share")

    def record_relative(self, case: str, relation: str, *, on: DateLike = None, note: str | None = None) -> None:
        relation_ = choose(Relation, relation, "relation")
        self._case_event(case, lambda c, m: ([ev.RelativeSupported(relation=relation_, **m)], None), on, note, "relative")

    def record_child(
        self, case: str, *, birth_year: int | None = None, on: DateLike = None, note: str | None = None
    ) -> None:
        if birth_year is not None and not 1900 <= birth_year <= today().year:
            raise InputError(field="birth_year", reason="range")
        self._case_event(
            case, lambda c, m: ([ev.ChildInHouseholdNoted(birth_year=birth_year, **m)], None), on, note, "child"
        )

#: pydantic's error types, as the reasons the catalogue knows (anything else: "format").
_PYDANTIC_REASONS = {
    "string_too_long": "string_too_long",
    "less_than_equal": "range",
    "greater_than": "range",
    "greater_than_equal": "range",
    "decimal_max_digits": "too_many_digits",
    "decimal_whole_digits": "too_large",
    "decimal_max_places": "format",
}

_PROJECTORS: dict[str, Callable[..., Any]] = {
    "case": project_case,
    "person": project_person,
    "provider": project_provider,
    "budget": project_budget,
    "case_numbers": project_case_numbers,
}

__all__ = ["Ledger", "LedgerError", "consent_key", "normalise_case_number"]
