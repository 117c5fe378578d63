"""The query layer: the one door by which personal data leaves the ledger.

Every read of case-level data — a case, its log, its history, the consent audit, the case list,
the budget by case, unsuppressed statistics, the supervision file, the archive — is a method of
:class:`Queries`, and each does the same things in the same place, through the
:class:`~ledger.application.gate.Gate`:

1. asks whether the user's roles allow the command, and whether they may see the case (a case
   whose person's identity is protected exists only for some users); a refusal shows nothing and
   leaves a *nekad* entry in the access log;
2. writes **one access entry per case shown**, before the data is handed back: if the entry cannot
   be written, nothing is shown;
3. hands the data back through :func:`present`: every text value with identity-like numbers masked
   and terminal control characters escaped, in human and ``--json`` output alike.

What is returned is plain dicts with stable English keys, as ``--json`` prints them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from ledger.application.gate import DENIED, Gate
from ledger.application.ports import Integrity, ReadModels, Settings
from ledger.application.service import Ledger
from ledger.application.views import case_view, log_entries, money_view
from ledger.domain import replay
from ledger.domain.aggregates import normalise_case_number
from ledger.domain.case import CaseState
from ledger.domain.clock import LOCAL
from ledger.domain.consent_audit import audit_case
from ledger.domain.disclosure import DEFAULT_THRESHOLD, check_threshold, disclose
from ledger.domain.errors import InvalidChoice, NotFound, PersonThinned
from ledger.domain.identity import parse_identity
from ledger.domain.permissions import SEE_ALL, Action, is_protected
from ledger.domain.rules import check_order, check_year, optional_date
from ledger.domain.text import safe
from ledger.domain.vocab import Environment, choose

#: Keys whose values are digests, never typed by anyone: shown as they are.
_VERBATIM = frozenset({"hash", "payload_hash"})
CASE_STATUSES = ("open", "closed")


def present(value: Any, key: str | None = None) -> Any:
    """``value`` with every text in it made safe to show (:func:`ledger.domain.text.safe`)."""
    if isinstance(value, str):
        return value if key in _VERBATIM else safe(value)
    if isinstance(value, dict):  # keys too: some are typed by people (a police reference)
        return {safe(k) if isinstance(k, str) else k: present(v, k) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [present(v, key) for v in value]
    return value


class Page(list[dict[str, Any]]):
    """Rows of a list that may be cut short: ``total`` is how many there are in all."""

    def __init__(self, rows: list[dict[str, Any]], total: int) -> None:
        super().__init__(rows)
        self.total = total


class Queries:
    """Everything a reader may ask about cases, through the gate (roles, visibility, the access log)
    and masking."""

    def __init__(self, ledger: Ledger, *, read_models: Callable[[], ReadModels], integrity: Callable[[], Integrity],
                 settings: Settings, late_days: int = replay.DEFAULT_LATE_DAYS) -> None:
        self.ledger = ledger
        self._read_models, self._integrity = read_models, integrity
        self.settings, self.late_days = settings, late_days

    @property
    def gate(self) -> Gate:
        return self.ledger.gate

    @property
    def user(self) -> str:
        return self.ledger.user

    def _today(self) -> date:
        return self.ledger.clock.today()

    def _visible(self, action: Action, number: str) -> CaseState:
        """The case's current state, once the user may give ``action`` and see the case."""
        self.gate.require(action, number)
        state = self.ledger.get_case(number)
        self.gate.may_see(action, self.ledger.access_of(state))
        return state

    # -- one case ---------------------------------------------------------------------------------------

    def case(self, number: str, *, as_of: str | None = None, recorded_before: str | None = None) -> dict[str, Any]:
        """``case show``: the case now, at a business date, and/or as recorded before a moment. An
        economist sees the case's money only (no notes, threat or consents)."""
        number = normalise_case_number(number)
        money_only = not self.gate.allows(Action.CASE_SHOW) and self.gate.allows(Action.CASE_SHOW_MONEY)
        action = Action.CASE_SHOW_MONEY if money_only else Action.CASE_SHOW
        try:
            current = self._visible(action, number)
        except PersonThinned as gone:
            return self._thinned(action, number, str(gone.params.get("on")))
        day, moment = optional_date(as_of, "--as-of"), replay.parse_moment(recorded_before)
        today = self._today()
        state, on = current, today
        if day is not None or moment is not None:
            state = replay.state_at(self.ledger.case_events(number), case_number=number, as_of=day,
                                    recorded_before=moment)
            on = replay.view_day(day, moment, today)
        view = money_view(state) if money_only else case_view(state, on)
        view["protection_level"] = self.ledger.access_of(current).protection_level
        if not money_only:
            view["person"] = {"identity": self._masked_identity(current)}
        if day is not None or moment is not None:
            view.update(_when(day, moment))
        self.gate.shown(str(action), [number])
        return present(view)  # type: ignore[no-any-return]

    def _masked_identity(self, state: CaseState) -> str:
        """The person's identity number with its last four digits hidden (``19920101-****``)."""
        from ledger.domain import events as ev

        registered = next((e for e in self.ledger.events.get(state.person_id) if isinstance(e, ev.PersonRegistered)),
                          None)
        if registered is None:
            return "–"
        number = registered.identity_number
        return f"{number[:8]}-****" if len(number) == 12 and number.isdigit() else "****"

    def _thinned(self, action: Action, number: str, on: str) -> dict[str, Any]:
        """A case whose person was thinned out: only that, and when. Who may know even that is decided
        from the events (the protection then), as for any case."""
        level = self.gate.protection.protection_levels([number])[number]
        if is_protected(level) and not self.gate.actor.roles & SEE_ALL:
            self.gate.denied(action, number, level)
            raise NotFound(kind="case", ref=number)
        self.gate.shown(str(action), [number])
        return {"case": number, "status": "thinned", "thinned_on": on}

    def case_log(self, number: str) -> list[dict[str, Any]]:
        """``case log``: the case's entries as stored, oldest first."""
        number = normalise_case_number(number)
        self._visible(Action.CASE_LOG, number)
        entries = log_entries(self.ledger.case_events(number))
        self.gate.shown(Action.CASE_LOG, [number])
        return present(entries)  # type: ignore[no-any-return]

    def history(self, number: str, *, as_of: str | None = None, recorded_before: str | None = None,
                late_after: int | None = None) -> dict[str, Any]:
        """``history``: the timeline with lateness and corrections."""
        number = normalise_case_number(number)
        self._visible(Action.HISTORY, number)
        report = self._history(number, as_of, recorded_before, late_after)
        self.gate.shown(Action.HISTORY, [number])
        return present(report)  # type: ignore[no-any-return]

    def journal(self, number: str, *, late_after: int | None = None) -> dict[str, Any]:
        """``case journal``: every note and journal entry of the case, in order, with their authors."""
        number = normalise_case_number(number)
        self._visible(Action.CASE_JOURNAL, number)
        late = replay.check_late_days(self.late_days if late_after is None else late_after)
        entries = replay.journal(self.ledger.case_events(number), case_number=number, late_after=late)
        self.gate.shown(Action.CASE_JOURNAL, [number])
        return present({"case": number, "late_after_days": late, "entries": entries})  # type: ignore[no-any-return]

    def find(self, identity: str) -> list[dict[str, Any]]:
        """``case find``: the cases of one person, found by any written form of the identity number."""
        self.gate.require(Action.CASE_FIND)
        states = self.ledger.person_cases(identity)
        self.gate.shown(Action.CASE_FIND, [s.case_number for s in states])
        return present([{"case": s.case_number, "status": s.status, "opened_on": s.opened_on.isoformat(),  # type: ignore[no-any-return]
                         "closed_on": s.closed_on.isoformat() if s.closed_on else None,
                         "closure_reason": s.closure_reason, "assigned_to": s.assigned_to} for s in states])

    def _history(self, number: str, as_of: str | None, recorded_before: str | None,
                 late_after: int | None) -> dict[str, Any]:
        day, moment = optional_date(as_of, "--as-of"), replay.parse_moment(recorded_before)
        late = replay.check_late_days(self.late_days if late_after is None else late_after)
        entries = replay.history(self.ledger.case_events(number), case_number=number, as_of=day,
                                 recorded_before=moment, late_after=late)
        return {
            "case": number,
            **_when(day, moment),
            "late_after_days": late,
            "entries": entries,
            "late_entries": sum(1 for e in entries if e["late"]),
            "corrected_entries": sum(1 for e in entries if e["corrections"]),
        }

    def consent_audit(self, number: str | None = None) -> dict[str, Any]:
        """``audit consent``: one case's sharings (or every case the user may see) against their grounds."""
        if number is not None:
            numbers = [normalise_case_number(number)]
            self._visible(Action.AUDIT_CONSENT, numbers[0])
        else:
            self.gate.require(Action.AUDIT_CONSENT)
            numbers = sorted(row["case"] for row in self._visible_rows(Action.AUDIT_CONSENT))
        cases = [audit_case(n, self.ledger.case_events(n)) for n in numbers]
        self.gate.shown(Action.AUDIT_CONSENT, numbers)
        sharings = [s for c in cases for s in c["sharings"]]
        problems = [s for s in sharings if s["problem"]]
        return present({"cases": cases, "sharings": len(sharings), "problems": problems,  # type: ignore[no-any-return]
                        "problem_count": len(problems)})

    def supervision_file(self, number: str, *, late_after: int | None = None) -> dict[str, Any]:
        """``tillsyn export``: what the supervisor's file shows — the case, its timeline, the consent
        audit, the chain's verification and every read of the case, this one included."""
        number = normalise_case_number(number)
        state = self._visible(Action.TILLSYN_EXPORT, number)
        view = case_view(state, self._today())
        view["protection_level"] = self.ledger.access_of(state).protection_level
        history = self._history(number, None, None, late_after)
        audit = audit_case(number, self.ledger.case_events(number))
        self.gate.shown(Action.TILLSYN_EXPORT, [number])  # logged before the file exists, and listed in it
        access = [e.as_json() for e in self.gate.access_log.entries(case=number)]
        verification = self._integrity().verify()
        return present({  # type: ignore[no-any-return]
            "view": view, "history": history, "audit": audit, "access": access,
            "verification": verification.as_dict(), "produced_at": self.ledger.clock.now().isoformat(),
            "produced_by": self.user, "training": self.gate.actor.training,
        })

    def decision_document(self, number: str, decision: str) -> dict[str, Any]:
        """``document beslut``: what the decision letter says (an access-logged read)."""
        from ledger.application.documents import decision_letter

        number = normalise_case_number(number)
        state = self._visible(Action.DOCUMENT, number)
        data = decision_letter(self, state, decision)
        self.gate.shown("document beslut", [number])
        return data

    def investigation_document(self, number: str) -> dict[str, Any]:
        """``document utredning``: the investigation as a document (an access-logged read)."""
        from ledger.application.documents import investigation

        number = normalise_case_number(number)
        state = self._visible(Action.DOCUMENT, number)
        data = investigation(self, state)
        self.gate.shown("document utredning", [number])
        return data

    def register_extract(self, identity: str) -> dict[str, Any]:
        """``registerutdrag``: everything held about one person (see :mod:`ledger.application.extract`)."""
        from ledger.application.extract import register_extract

        return register_extract(self, identity)

    # -- many cases -------------------------------------------------------------------------------------

    def _visible_rows(self, action: Action, **filters: Any) -> list[dict[str, Any]]:
        """The case list's rows of the cases the user may see (a protected case the user may not see
        is left out as if it did not exist).

        The read side finds the rows; who may see them is decided from the events, not from the
        read side's tables (which the ledger's logins may rewrite): each case's protection now from
        its person's stream, and for a protected case the user does not see by role, its assignment
        and grants from its own events."""
        return self._visible_page(self._read_models().cases(today=self._today(), **filters))

    def _hidden_cases(self, numbers: list[str]) -> set[str]:
        """Of these cases, those the user may not see, from the events: the protected ones they do not see
        by role, assignment or grant (none for a manager or an auditor). The protected cases are found
        without naming them where the store can (SQLite's lookup indexes), else each case is looked up."""
        if self.gate.actor.roles & SEE_ALL:
            return set()
        protected = self.gate.protection.protected_cases()
        if protected is None:
            levels = self.gate.protection.protection_levels(numbers)
            protected = {number: level for number, level in levels.items() if is_protected(level)}
        return self._unseen(protected)

    def _visible_page(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """A page's rows with each case's protection now, from the events; a protected case the user
        does not see left out (the read side's tables, which the ledger's logins may rewrite, do not
        decide it)."""
        if not rows:
            return rows
        levels = self.gate.protection.protection_levels([row["case"] for row in rows])
        for row in rows:
            row["protection_level"] = levels[row["case"]]
        unseen = self._unseen({number: level for number, level in levels.items() if is_protected(level)})
        return [row for row in rows if row["case"] not in unseen]

    def _unseen(self, protected: dict[str, str]) -> set[str]:
        """Of these protected cases (number: level now), those the user may not see: none for a manager
        or an auditor; for anyone else decided by their assignee and grants, folded from each case's
        events that set them (read together, not each case whole: a national store may hold thousands
        of protected cases)."""
        if not protected or self.gate.actor.roles & SEE_ALL:
            return set()
        found = self.gate.protection.access_events(list(protected))
        return {number for number, stored in found.items()
                if not self.gate.visible(self.ledger.access_from(number, protected[number], stored))}

    def cases(self, *, status: str | None = None, recorded_by: str | None = None, environment: str | None = None,
              provider: str | None = None, needs_attention: bool = False, mine: bool = False,
              person: str | None = None, limit: int | None = None) -> Page:
        """``case list``: the overview, newest first, filtered; only the cases the user may see; the newest
        ``limit`` of them if given (``Page.total``: how many there are), and only those are logged reads."""
        self.gate.require(Action.CASE_LIST)
        if status is not None and status not in CASE_STATUSES:
            raise InvalidChoice(field="status", value=status[:20], allowed=", ".join(CASE_STATUSES))
        env = choose(Environment, environment, "environment").value if environment else None
        wanted = None
        if person is not None:
            ident = parse_identity(person, None, today=self._today())
            wanted = self.ledger.persons.person_id(ident.number)
        filters: dict[str, Any] = {"status": status, "recorded_by": recorded_by, "environment": env,
                                   "provider": provider, "person": wanted}
        if needs_attention:  # every row read, the attention of each worked out
            rows = self._visible_rows(Action.CASE_LIST, **filters, needs_attention=True, with_attention=False)
            if mine:
                rows = [row for row in rows if row.get("assigned_to") == self.user]
            total = len(rows)
            if limit is not None:
                rows = rows[:limit]
        else:  # the numbers, then the cases hidden from the user from the events read after them (a case
            # protected meanwhile is neither shown nor counted), then only the page's rows
            numbers = self._read_models().case_numbers(**filters, assigned_to=self.user if mine else None)
            hidden = self._hidden_cases(numbers)
            numbers = [number for number in numbers if number not in hidden]
            page = self._read_models().case_rows(numbers if limit is None else numbers[:limit])
            rows = self._visible_page(page)
            total = len(numbers) - (len(page) - len(rows))
        unknown = [row["case"] for row in rows if row["attention"] is None]
        if unknown:  # worked out for the rows shown only, not the whole store
            reasons = self._read_models().attention(self._today(), unknown)
            for row in rows:
                if row["attention"] is None:
                    row["attention"] = reasons[row["case"]]
        self.gate.shown(Action.CASE_LIST, [row["case"] for row in rows])
        for row in rows:
            row.pop("access_grants", None)
            row.pop("person_id", None)
        return Page(present(rows), total)

    def budget(self, year: int | str, by: str | None = None, as_of: str | None = None) -> dict[str, Any]:
        """``budget show``: the year's budget consumption, as of today or an earlier day (``as_of``: what was
        paid and committed by then, the forecast from then); by case, every case named is a read (and only
        cases the user may see are named)."""
        from ledger.domain.rules import check_not_future

        self.gate.require(Action.BUDGET_BY_CASE if by == "case" else Action.BUDGET_SHOW)
        day = optional_date(as_of, "--as-of") or self._today()
        check_not_future(day, self._today(), "--as-of")
        report = self._read_models().budget(check_year(year), day, by)
        if by == "case":
            visible = {row["case"] for row in self._visible_rows(Action.BUDGET_BY_CASE)}
            report["rows"] = [row for row in report["rows"] if row["key"] in visible]
            self.gate.shown(Action.BUDGET_BY_CASE, [row["key"] for row in report["rows"]])
        return present(report)  # type: ignore[no-any-return]

    def payments(self, *, case: str | None = None, provider: str | None = None, invoice: str | None = None,
                 since: str | None = None, until: str | None = None) -> list[dict[str, Any]]:
        """``payment list``: payments with their invoices, what was reversed and the reasons given for
        paying past the invoice checks; only cases the user may see, each one shown a logged read."""
        number = normalise_case_number(case) if case is not None else None
        if number is not None:
            self._visible(Action.PAYMENT_LIST, number)
        else:
            self.gate.require(Action.PAYMENT_LIST)
        first, last = optional_date(since, "--from"), optional_date(until, "--to")
        if first is not None and last is not None:
            check_order(first, last, "--from", "--to")
        rows = self._read_models().payments(case=number, provider=provider.strip().upper() if provider else None,
                                            invoice=invoice, since=first, until=last)
        if number is None and rows:
            visible = {row["case"] for row in self._visible_rows(Action.PAYMENT_LIST)}
            rows = [row for row in rows if row["case"] in visible]
        reasons = self._payment_reasons({row["case"] for row in rows if row["duplicate"] or row["over_price"]})
        for row in rows:
            row["duplicate_reason"], row["over_price_reason"] = reasons.get((row["case"], row["payment_id"]),
                                                                            (None, None))
        self.gate.shown(Action.PAYMENT_LIST, [row["case"] for row in rows])
        return present(rows)  # type: ignore[no-any-return]

    def _payment_reasons(self, numbers: set[str]) -> dict[tuple[str, str], tuple[str | None, str | None]]:
        """(case, payment) -> the reasons given for paying past the invoice checks (sealed free text, from
        the cases' own events, corrected; a thinned-out person's are gone)."""
        from ledger.domain import events as ev
        from ledger.domain.corrections import apply_corrections

        found: dict[tuple[str, str], tuple[str | None, str | None]] = {}
        for number in sorted(numbers):
            try:
                events = apply_corrections(self.ledger.case_events(number))
            except PersonThinned:
                continue
            for e in events:
                if isinstance(e, ev.PaymentRecorded):
                    found[(number, e.payment_id)] = (e.duplicate_reason, e.over_price_reason)
        return found

    def stats(self, year: int | str, *, threshold: int = DEFAULT_THRESHOLD, suppressed: bool = True
              ) -> dict[str, Any]:
        """``stats``: the yearly report as published — ``shown`` with disclosure control (hidden cells
        replaced by the marker), and with ``suppressed=False`` also ``raw`` (what merging needs).
        Unsuppressed, small counts can point at a person: only managers and auditors (who see every
        case) may have it, and every case counted is a read."""
        self.gate.require(Action.STATS if suppressed else Action.STATS_UNSUPPRESSED)
        check_threshold(threshold)
        report = dict(self._read_models().stats(check_year(year, "YEAR"), self._today(), with_cases=not suppressed))
        counted = report.pop("cases", [])
        if not suppressed:
            self.gate.shown(Action.STATS_UNSUPPRESSED, counted)
        return {"shown": disclose(report, threshold, suppressed), "raw": None if suppressed else report}

    def export(self, path: Path, passphrase: str | None = None) -> dict[str, Any]:
        """``export``: the whole store as an archive, its data keys sealed under ``passphrase``; every
        case in it is logged as read first."""
        self.gate.require(Action.EXPORT)
        return self._integrity().export(path, before_write=lambda cases: self.gate.shown(Action.EXPORT, cases),
                                        passphrase=passphrase)

    # -- the access log ---------------------------------------------------------------------------------

    def access_log_entries(self, *, case: str | None = None, user: str | None = None, since: str | None = None,
                           until: str | None = None, protected: bool | None = None,
                           denied: bool = False) -> list[dict[str, Any]]:
        """The access log for the monthly review, oldest first; dates are Swedish and inclusive."""
        self.gate.require(Action.ACCESS_LOG)
        first, last = optional_date(since, "--since"), optional_date(until, "--until")
        if first is not None and last is not None:
            check_order(first, last, "--since", "--until")
        entries = self.gate.access_log.entries(
            case=normalise_case_number(case) if case is not None else None,
            user=user.strip() if user is not None else None,
            since=_start_of(first) if first is not None else None,
            until=_start_of(last + timedelta(days=1)) if last is not None and last < date.max else None,
            protected=protected, outcome=DENIED if denied else None,
        )
        return present([e.as_json() for e in entries])  # type: ignore[no-any-return]

    def municipality(self) -> str | None:
        return self.settings.setting("municipality")


def _when(as_of: Any, recorded_before: datetime | None) -> dict[str, Any]:
    return {
        "as_of": as_of.isoformat() if as_of else None,
        "recorded_before": recorded_before.isoformat(timespec="seconds") if recorded_before else None,
    }


def _start_of(day: Any) -> datetime | None:
    """Midnight in Swedish time at the start of ``day``, in UTC; ``None`` at the ends of the calendar."""
    try:
        return datetime.combine(day, time.min, tzinfo=LOCAL).astimezone(UTC)
    except (OverflowError, ValueError):
        return None


__all__ = ["Queries", "present"]
