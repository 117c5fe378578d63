"""The query layer: the one door by which personal data leaves the ledger.

Every read of case-level data — a case, its log, its history, the consent audit, the case list,
the budget by case, unsuppressed statistics, the supervision file, the archive — is a method of
:class:`Queries`, and each does the same three things in the same place:

1. asks the :class:`ReadPolicy` whether the user may read it (refusals raise, nothing is shown);
2. writes **one access entry per case shown** (:class:`~ledger.application.ports.AccessEntry`),
   before the data is handed back: if the entry cannot be written, nothing is shown;
3. hands the data back through :func:`present`: every text value with identity-like numbers
   masked and terminal control characters escaped, in human and ``--json`` output alike.

What is returned is plain dicts with stable English keys, as ``--json`` prints them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Protocol

from ledger.application.ports import AccessEntry, AccessLog, Integrity, ReadModels, Settings
from ledger.application.service import Ledger
from ledger.application.views import case_view, log_entries
from ledger.domain import replay
from ledger.domain.aggregates import normalise_case_number
from ledger.domain.clock import LOCAL
from ledger.domain.consent_audit import audit_case
from ledger.domain.disclosure import DEFAULT_THRESHOLD, check_threshold, disclose
from ledger.domain.errors import InvalidChoice
from ledger.domain.rules import check_order, check_year, optional_date
from ledger.domain.text import safe
from ledger.domain.vocab import Environment, ProtectionLevel, choose

#: The levels that count as protected identity: every level but "none".
PROTECTED_LEVELS = frozenset(level.value for level in ProtectionLevel if level is not ProtectionLevel.NONE)
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


class ReadPolicy:
    """Who may read what. Every user of the ledger may read every case; the access rules of roles,
    assignments and protected identity plug in here."""

    def check(self, user: str, command: str, cases: Sequence[str]) -> None:
        """Raise if ``user`` may not read ``cases`` with ``command`` (nothing is shown then)."""


class ProtectionLookup(Protocol):
    def protection_levels(self, case_numbers: Sequence[str]) -> dict[str, str]:
        """The current protection level of each case (its person's); ``NotFound`` for an unknown case."""
        ...


class Queries:
    """Everything a reader may ask about cases, through the read policy, the access log and masking."""

    def __init__(self, ledger: Ledger, *, access_log: AccessLog, protection: ProtectionLookup,
                 read_models: Callable[[], ReadModels], integrity: Callable[[], Integrity],
                 settings: Settings, late_days: int = replay.DEFAULT_LATE_DAYS,
                 policy: ReadPolicy | None = None) -> None:
        self.ledger, self.access_log, self.protection = ledger, access_log, protection
        self._read_models, self._integrity = read_models, integrity
        self.settings, self.late_days, self.policy = settings, late_days, policy or ReadPolicy()

    @property
    def user(self) -> str:
        return self.ledger.user

    def _shown(self, command: str, cases: Iterable[str]) -> None:
        """The policy's check and one access entry per case, before anything is shown."""
        numbers = list(dict.fromkeys(normalise_case_number(c) for c in cases))
        self.policy.check(self.user, command, numbers)
        if not numbers:
            return
        levels = self.protection.protection_levels(numbers)
        at = self.ledger.clock.now().astimezone(UTC)
        self.access_log.record([
            AccessEntry(accessed_at=at, user=self.user, case=number, command=command,
                        protection_level=levels[number], protected=levels[number] in PROTECTED_LEVELS)
            for number in numbers
        ])

    # -- one case ---------------------------------------------------------------------------------------

    def case(self, number: str, *, as_of: str | None = None, recorded_before: str | None = None) -> dict[str, Any]:
        """``case show``: the case now, at a business date, and/or as recorded before a moment."""
        number = normalise_case_number(number)
        day, moment = optional_date(as_of, "--as-of"), replay.parse_moment(recorded_before)
        today = self.ledger.clock.today()
        if day is None and moment is None:
            view = case_view(self.ledger.get_case(number), today)
        else:
            state = replay.state_at(self.ledger.case_events(number), case_number=number, as_of=day,
                                    recorded_before=moment)
            view = {**case_view(state, replay.view_day(day, moment, today)), **_when(day, moment)}
        self._shown("case show", [number])
        return present(view)  # type: ignore[no-any-return]

    def case_log(self, number: str) -> list[dict[str, Any]]:
        """``case log``: the case's entries as stored, oldest first."""
        number = normalise_case_number(number)
        entries = log_entries(self.ledger.case_events(number))
        self._shown("case log", [number])
        return present(entries)  # type: ignore[no-any-return]

    def history(self, number: str, *, as_of: str | None = None, recorded_before: str | None = None,
                late_after: int | None = None) -> dict[str, Any]:
        """``history``: the timeline with lateness and corrections."""
        number = normalise_case_number(number)
        report = self._history(number, as_of, recorded_before, late_after)
        self._shown("history", [number])
        return present(report)  # type: ignore[no-any-return]

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
        """``audit consent``: one case's sharings (or every case's, ``number=None``) against their grounds."""
        if number is not None:
            numbers = [normalise_case_number(number)]
        else:
            today = self.ledger.clock.today()
            numbers = sorted(row["case"] for row in self._read_models().cases(today=today))
        cases = [audit_case(n, self.ledger.case_events(n)) for n in numbers]
        self._shown("audit consent", numbers)
        sharings = [s for c in cases for s in c["sharings"]]
        problems = [s for s in sharings if s["problem"]]
        return present({"cases": cases, "sharings": len(sharings), "problems": problems,  # type: ignore[no-any-return]
                        "problem_count": len(problems)})

    def supervision_file(self, number: str, *, late_after: int | None = None) -> dict[str, Any]:
        """``tillsyn export``: what the supervisor's file shows — the case, its timeline, the consent
        audit, the chain's verification and every read of the case, this one included."""
        number = normalise_case_number(number)
        view = case_view(self.ledger.get_case(number), self.ledger.clock.today())
        history = self._history(number, None, None, late_after)
        audit = audit_case(number, self.ledger.case_events(number))
        self._shown("tillsyn export", [number])  # logged before the file exists, and listed in it
        access = [e.as_json() for e in self.access_log.entries(case=number)]
        verification = self._integrity().verify()
        return present({  # type: ignore[no-any-return]
            "view": view, "history": history, "audit": audit, "access": access,
            "verification": verification.as_dict(), "produced_at": self.ledger.clock.now().isoformat(),
            "produced_by": self.user,
        })

    # -- many cases -------------------------------------------------------------------------------------

    def cases(self, *, status: str | None = None, recorded_by: str | None = None, environment: str | None = None,
              provider: str | None = None, needs_attention: bool = False) -> list[dict[str, Any]]:
        """``case list``: the overview, newest first, filtered."""
        if status is not None and status not in CASE_STATUSES:
            raise InvalidChoice(field="status", value=status[:20], allowed=", ".join(CASE_STATUSES))
        env = choose(Environment, environment, "environment").value if environment else None
        rows = self._read_models().cases(today=self.ledger.clock.today(), status=status, recorded_by=recorded_by,
                                         environment=env, provider=provider, needs_attention=needs_attention)
        self._shown("case list", [row["case"] for row in rows])
        return present(rows)  # type: ignore[no-any-return]

    def budget(self, year: int | str, by: str | None = None) -> dict[str, Any]:
        """``budget show``: the year's budget consumption; by case, every case named is a read."""
        report = self._read_models().budget(check_year(year), self.ledger.clock.today(), by)
        if by == "case":
            self._shown("budget show", [row["key"] for row in report["rows"]])
        return present(report)  # type: ignore[no-any-return]

    def stats(self, year: int | str, *, threshold: int = DEFAULT_THRESHOLD, suppressed: bool = True
              ) -> dict[str, Any]:
        """``stats``: the yearly report as published — ``shown`` with disclosure control (hidden cells
        replaced by the marker), and with ``suppressed=False`` also ``raw`` (what merging needs).
        Unsuppressed, small counts can point at a person: then every case counted is a read."""
        check_threshold(threshold)
        report = dict(self._read_models().stats(check_year(year, "YEAR"), self.ledger.clock.today()))
        counted = report.pop("cases", [])
        if not suppressed:
            self._shown("stats", counted)
        return {"shown": disclose(report, threshold, suppressed), "raw": None if suppressed else report}

    def export(self, path: Path) -> dict[str, Any]:
        """``export``: the whole store as an archive; every case in it is logged as read first."""
        return self._integrity().export(path, before_write=lambda cases: self._shown("export", cases))

    # -- the access log ---------------------------------------------------------------------------------

    def access_log_entries(self, *, case: str | None = None, user: str | None = None, since: str | None = None,
                           until: str | None = None, protected: bool | None = None) -> list[dict[str, Any]]:
        """The access log for the monthly review, oldest first; dates are Swedish and inclusive."""
        first, last = optional_date(since, "--since"), optional_date(until, "--until")
        if first is not None and last is not None:
            check_order(first, last, "--since", "--until")
        entries = self.access_log.entries(
            case=normalise_case_number(case) if case is not None else None,
            user=user.strip() if user is not None else None,
            since=_start_of(first) if first is not None else None,
            until=_start_of(last + timedelta(days=1)) if last is not None and last < date.max else None,
            protected=protected,
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


__all__ = ["PROTECTED_LEVELS", "Queries", "ReadPolicy", "present"]
