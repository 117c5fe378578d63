"""The core of the application service: loading, deciding, saving, retrying.

Each command is *load → decide → save*: the service parses what was typed into a typed command
(:mod:`ledger.domain.commands`), loads the state it concerns, lets a decide function of the
domain check the rules and build the events, and saves them in one transaction. If another
writer changed the same stream meanwhile, the command is re-run against the new state (the rules
are checked again) with a short jittered pause, for up to :data:`RETRY_SECONDS`, before
:class:`~ledger.domain.errors.ConcurrencyConflict` is raised.

The store is whatever the eventsourcing infrastructure factory given to :class:`Ledger` provides
(``ledger.adapters`` for SQLite and PostgreSQL, the library's in-memory persistence for the rule
tests); :mod:`ledger.bootstrap` wires it. The commands themselves are in
:mod:`~ledger.application.commands_case`, :mod:`~ledger.application.commands_money` and
:mod:`~ledger.application.commands_registers`, put together as :class:`ledger.application.service.Ledger`.
"""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable
from datetime import date
from typing import Any, Concatenate, ParamSpec, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import InfrastructureFactory, IntegrityError, Mapper
from eventsourcing.utils import Environment
from pydantic import ValidationError

from ledger.application.gate import Gate
from ledger.application.ports import InvoiceIndex, PersonIndex, Settings
from ledger.domain import events as ev
from ledger.domain import rules
from ledger.domain.aggregates import PROJECTORS, ProviderState, case_id, normalise_case_number, provider_id
from ledger.domain.case import CaseState, StaleSnapshot
from ledger.domain.case_fold import project_case
from ledger.domain.clock import Clock
from ledger.domain.corrections import apply_corrections
from ledger.domain.errors import AccessDenied, ConcurrencyConflict, InputError, NotFound
from ledger.domain.permissions import Action, CaseAccess

T = TypeVar("T")
P = ParamSpec("P")
S = TypeVar("S", bound="LedgerCore")
#: How long a command keeps re-running while other writers get to its stream first. A conflict
#: means another writer committed, so the time a command may need grows with the number of
#: writers and the machine's load; a count of attempts ran out on a loaded machine, a time does not.
RETRY_SECONDS = 30.0
#: The longest pause between two attempts (the pauses grow from a few milliseconds, with jitter).
MAX_PAUSE = 0.25
SNAPSHOT_INTERVAL = 100


def command(action: Action, *, on_case: bool = True
            ) -> Callable[[Callable[Concatenate[S, P], T]], Callable[Concatenate[S, P], T]]:
    """A command of the ledger: before anything else, may the user give it (``on_case``: its first
    argument is the case, named in a refusal's access entry)."""

    def wrap(method: Callable[Concatenate[S, P], T]) -> Callable[Concatenate[S, P], T]:
        @functools.wraps(method)
        def run(self: S, /, *args: P.args, **kwargs: P.kwargs) -> T:
            case = str(args[0]) if on_case and args else None
            self.gate.require(action, case)
            try:
                return method(self, *args, **kwargs)
            except AccessDenied:  # a rule that needs a role for this particular change (lowering protection)
                self.gate.denied(action, case)
                raise

        return run

    return wrap


class LedgerCore(Application[UUID]):
    """What every command of the ledger is built on."""

    name = "ledger"

    def __init__(self, *, factory: InfrastructureFactory[Any], mapper: Mapper[UUID], settings: Settings,
                 clock: Clock, gate: Gate, persons: PersonIndex, retry_seconds: float = RETRY_SECONDS,
                 invoices: Callable[[], InvoiceIndex] | None = None) -> None:
        self._factory, self._mapper = factory, mapper
        self.settings, self.clock, self.gate, self.persons = settings, clock, gate, persons
        #: invoices paid on other cases (the read side); ``None``: not checked (in memory, in batch mode)
        self.invoices = invoices
        self.retry_seconds = retry_seconds
        self._person_ns: UUID | None = None
        super().__init__()

    def construct_env(self, name: str, env: Any = None) -> Environment:
        # The library would read os.environ here; the ledger's configuration is resolved once, elsewhere.
        return Environment(name, {"IS_SNAPSHOTTING_ENABLED": "y"})

    def construct_factory(self, env: Environment) -> InfrastructureFactory[Any]:
        return self._factory

    def construct_mapper(self) -> Mapper[UUID]:
        return self._mapper

    # -- load, decide, save -------------------------------------------------------------------------

    def _run(self, build: Callable[[], tuple[list[ev.Event], T]]) -> T:
        """Build events from fresh state and save them; re-run while another writer got there first."""
        deadline = time.monotonic() + self.retry_seconds
        attempt = 0
        while True:
            try:
                new_events, result = build()
            except ValidationError as error:
                first = error.errors()[0]
                reason = _PYDANTIC_REASONS.get(first["type"], "format")
                raise InputError(field=".".join(str(p) for p in first["loc"]), reason=reason) from None
            try:
                self._save(new_events)
            except IntegrityError:
                if not self._retry_after_conflict() or time.monotonic() >= deadline:
                    raise ConcurrencyConflict() from None
                time.sleep(random.uniform(0, min(MAX_PAUSE, 0.005 * 2**attempt)))
                attempt += 1
                continue
            return result

    def _retry_after_conflict(self) -> bool:
        return True

    def _save(self, new_events: list[ev.Event]) -> None:
        prepare = getattr(self.mapper, "prepare", None)
        if prepare is not None:  # data keys for new people, in one transaction before the events are sealed
            prepare(new_events)
        # The recorder directly: Application.save would check each event against the library's
        # runtime protocols (``isinstance`` of a Protocol, slow), and the event store's put builds a
        # ``Recording`` and a ``Notification`` per event for subscribers this ledger does not have.
        self.recorder.insert_events(list(map(self.mapper.to_stored_event, new_events)))
        for event in new_events:
            if event.stream == "case" and event.originator_version % SNAPSHOT_INTERVAL == 0:
                self.take_snapshot(event.originator_id, event.originator_version)

    def take_snapshot(self, aggregate_id: UUID, version: int | None = None,
                      projector_func: Callable[..., Any] = project_case) -> None:
        """Store the stream's state at ``version`` (its plain fold) as a snapshot, topic naming its shape."""
        state = self._fold(aggregate_id, projector_func, version)
        assert state is not None
        self._put_snapshot(aggregate_id, state.version, type(state), state.model_dump(mode="json"))

    def _put_snapshot(self, stream: UUID, version: int, kind: type[Any], state: dict[str, Any]) -> None:
        assert self.snapshots is not None
        self.snapshots.put([self._snapshot(stream, version, kind, state)])

    def _snapshot(self, stream: UUID, version: int, kind: type[Any], state: dict[str, Any]) -> ev.Snapshot:
        return ev.Snapshot(originator_id=stream, originator_version=version, recorded_at=self.clock.now(),
                           topic=ev.topic_of(kind), state=state)

    def _fold(self, stream: UUID, projector: Callable[..., T | None], version: int | None = None) -> T | None:
        """A stream's state (at ``version``), from its newest usable snapshot on."""
        try:
            return self.repository.get(stream, version=version, projector_func=projector)  # type: ignore[no-any-return]
        except AggregateNotFoundError:
            return None
        except StaleSnapshot:  # a snapshot of an older shape: fold every event
            return projector(None, self.events.get(stream, lte=version))

    def _load(self, stream: UUID, projector: Callable[..., T | None]) -> T | None:
        return self._fold(stream, projector)

    def _last_version(self, stream: UUID) -> int:
        """The newest version of a stream, read without replaying it (case numbers: the year's count)."""
        last = self.recorder.select_events(stream, desc=True, limit=1)
        return last[0].originator_version if last else 0

    @property
    def user(self) -> str:
        """Who records: the authenticated user (or, on a training store, the one named)."""
        return self.gate.actor.name

    def _recording(self, on: rules.DateLike, note: str | None) -> ev.Recording:
        today = self.clock.today()
        day = rules.parse_date(on, "date", today)
        rules.check_not_future(day, today)
        return ev.Recording(at=self.clock.now(), by=self.user, on=day, today=today, note=note or None,
                            roles=frozenset(r.value for r in self.gate.actor.roles))

    def _day(self, value: rules.DateLike, field: str) -> date:
        """A date as typed (``None``: today)."""
        return rules.parse_date(value, field, self.clock.today())

    def _period(self, start: rules.DateLike, end: rules.DateLike) -> tuple[date, date]:
        """A period given as two dates, in order."""
        first, last = self._day(start, "period_start"), self._day(end, "period_end")
        rules.check_order(first, last, "period_start", "period_end")
        return first, last

    def _case(self, number: str) -> CaseState:
        number = normalise_case_number(number)
        state = self._load(case_id(number), project_case)
        if state is None:
            raise NotFound(kind="case", ref=number)
        if state.corrections:
            # Corrections rewrite earlier entries: fold the whole corrected history instead.
            state = self._corrected(state)
        return state

    def _corrected(self, state: CaseState) -> CaseState:
        folded = project_case(None, apply_corrections(self.events.get(state.id)))
        assert folded is not None
        return folded

    def _provider(self, code: str) -> ProviderState:
        state = self._load(provider_id(code), PROJECTORS["provider"])
        if state is None:
            raise NotFound(kind="provider", ref=code[:32])
        return state  # type: ignore[no-any-return]

    def _current_protection(self, case: CaseState) -> str:
        """The protection of the case's person now (a later ``case protect`` changes every case of theirs)."""
        person = self._load(case.person_id, PROJECTORS["person"])
        return person.protection_level if person is not None else case.protection_level

    def access_of(self, case: CaseState) -> CaseAccess:
        """Who may see the case: its person's protection now, its assignee, its grants."""
        return _access(case.case_number, self._current_protection(case), case)

    def access_from(self, number: str, level: str, stored: list[Any]) -> CaseAccess:
        """:meth:`access_of` a case whose protection ``level`` is known, folded from its stored events that
        decide it only (its opening, assignments and grants; their personal parts unread, no key needed):
        who may see thousands of protected cases without folding each case whole. A case with
        corrections is folded whole, its corrections applied (none may change an assignment or a grant
        now, but a store written before that rule may hold one). No opening found: assigned to nobody,
        granted to nobody (seen only by those who see every case)."""
        to_event = self.mapper.to_domain_event
        events = [to_event(e, personal=False) for e in stored]  # type: ignore[call-arg]
        corrected = any(isinstance(e, ev.EntryCorrected) for e in events)
        return _access(number, level, self._case(number) if corrected else project_case(None, events))

    def _visible_case(self, number: str, action: Action) -> CaseState:
        """The case, once the actor may see it (else ``NotFound``, as for a case that does not exist)."""
        case = self._case(number)
        self.gate.may_see(action, self.access_of(case))
        return case

    def _on_case(self, action: Action, number: str, on: rules.DateLike, note: str | None,
                 decide: Callable[[CaseState, ev.Recording], list[ev.Event]]) -> list[ev.Event]:
        """The shape of every case command: load the case the user may see, decide, save (that the user's
        roles allow ``action`` was asked by :func:`command` before anything was parsed)."""

        def build() -> tuple[list[ev.Event], list[ev.Event]]:
            new = decide(self._visible_case(number, action), self._recording(on, note))
            return new, new

        return self._run(build)

    # -- what the application itself reads (the query layer shows it) --------------------------------------

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


#: pydantic's error types, as the reasons the catalogue knows (anything else: "format").
_PYDANTIC_REASONS = {
    "string_too_long": "string_too_long",
    "less_than_equal": "range",
    "greater_than": "range",
    "greater_than_equal": "range",
    "decimal_max_digits": "too_many_digits",
    "decimal_whole_digits": "amount_too_large",
    "decimal_max_places": "format",
}


def _access(number: str, level: str, case: CaseState | None) -> CaseAccess:
    """Who may see case ``number`` at protection ``level``: its state's assignee and grants (no state:
    nobody's)."""
    if case is None:
        return CaseAccess(case=number, protection_level=level, assigned_to=None, grants=())
    return CaseAccess(case=number, protection_level=level, assigned_to=case.assigned_to,
                      grants=tuple(case.access_grants.items()))
