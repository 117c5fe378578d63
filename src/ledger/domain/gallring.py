"""Gallring: when a person's records are thinned out, and why some are kept.

Social services' records about a person are thinned out (*gallras*) a number of years after the
last entry (SoL 12 kap. 1 §: five years; the new socialtjänstlag keeps the duty), at the latest
by the end of the calendar year after the one in which that time ran out. Records of people born
on the 5th, 15th or 25th day of a month are kept for research (SoL 12 kap. 2 §, the
*forskningsundantag*). Records are also kept while they are needed: a decision under appeal, or a
newer case for the same person that is not due yet. Because a person's records are erased by
destroying their one data key (:mod:`ledger.adapters.keys`), a person is thinned out only when
every case of theirs is due and nothing keeps any of them.

The numbers are :class:`GallringRules`, settings recorded as events (``GallringRulesSet``), not
constants: a new law may change them. Everything here is pure: the application gathers the facts.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ledger.domain.errors import InputError

DEADLINES = ("end_of_following_year", "at_due_date")


@dataclass(frozen=True)
class GallringRules:
    retention_years: int = 5
    exempt_days: tuple[int, ...] = (5, 15, 25)
    deadline: str = "end_of_following_year"

    def __post_init__(self) -> None:
        if not 1 <= self.retention_years <= 100:
            raise InputError(field="--retention-years", reason="range")
        if any(not 1 <= d <= 31 for d in self.exempt_days):
            raise InputError(field="--exempt-days", reason="range")
        if self.deadline not in DEADLINES:
            raise InputError(field="--deadline", reason="format")


def rules_from(events: Iterable[Any]) -> GallringRules:
    """The rules in force: the last ``GallringRulesSet``, or the law's defaults."""
    found = GallringRules()
    for e in events:
        found = GallringRules(e.retention_years, tuple(e.exempt_days), e.deadline)
    return found


def parse_days(text: str) -> tuple[int, ...]:
    """``"5,15,25"`` (or empty: no exemption)."""
    try:
        return tuple(sorted({int(part) for part in text.replace(" ", "").split(",") if part}))
    except ValueError:
        raise InputError(field="--exempt-days", reason="format") from None


def _years_after(day: date, years: int) -> date:
    year = day.year + years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


@dataclass(frozen=True)
class CaseFacts:
    """What gallring needs to know of one case (no personal data)."""

    case: str
    status: str  # open | closed
    last_entry: date  # the day the last entry was made (recorded), Swedish time
    appealed: bool = False  # a decision of it is under appeal


@dataclass(frozen=True)
class CaseVerdict:
    case: str
    last_entry: date
    due_on: date  # from this day the case may be thinned out
    deadline: date  # and must be, by this day
    due: bool
    kept: tuple[str, ...]  # why it is kept (reason codes), empty when it goes


@dataclass
class PersonVerdict:
    """One person: their cases' verdicts, and whether the person is thinned out now."""

    person: str  # the person id
    cases: list[CaseVerdict] = field(default_factory=list)
    kept: tuple[str, ...] = ()  # why the person is kept, if any case keeps them

    @property
    def erase(self) -> bool:
        return not self.kept

    @property
    def last_entry(self) -> date:
        return max(c.last_entry for c in self.cases)

    @property
    def planned_on(self) -> date:
        """When the person would be thinned out if nothing else happens (the latest due date)."""
        return max(c.due_on for c in self.cases)


def assess(person: str, birth_day: int | None, cases: Sequence[CaseFacts], rules: GallringRules,
           today: date) -> PersonVerdict:
    """Whether a person's records are thinned out on ``today``, case by case, with the reasons to keep.

    Reason codes: ``not_due``; ``case_open``; ``open_appeal``; ``research_exemption`` (born on an
    exempt day); ``birth_day_unknown`` (a reserve number: the exemption cannot be ruled out, so
    nothing is erased); ``newer_case`` (another case of the person is kept)."""
    person_reasons: list[str] = []
    if birth_day is None:
        person_reasons.append("birth_day_unknown")
    elif birth_day in rules.exempt_days:
        person_reasons.append("research_exemption")
    verdicts = []
    for c in cases:
        due_on = _years_after(c.last_entry, rules.retention_years)
        deadline = date(due_on.year + 1, 12, 31) if rules.deadline == "end_of_following_year" else due_on
        reasons = list(person_reasons)
        if c.status != "closed":
            reasons.append("case_open")
        if c.appealed:
            reasons.append("open_appeal")
        if today < due_on:
            reasons.append("not_due")
        verdicts.append(CaseVerdict(c.case, c.last_entry, due_on, deadline, due=today >= due_on,
                                    kept=tuple(dict.fromkeys(reasons))))
    held = [v for v in verdicts if v.kept]
    verdict = PersonVerdict(person, verdicts)
    if held:
        verdict.kept = tuple(dict.fromkeys(r for v in held for r in v.kept))
        verdict.cases = [v if v.kept else CaseVerdict(v.case, v.last_entry, v.due_on, v.deadline, v.due,
                                                      ("newer_case",)) for v in verdicts]
    return verdict
