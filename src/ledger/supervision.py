"""What a supervisor reads: a case at a date or a recording moment, its timeline, the consent audit.

Thin functions over :mod:`ledger.replay` and :mod:`ledger.consent_audit` that load the case's
events from the ledger and shape plain dicts with stable English keys (``--json`` prints them).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from ledger.replay import DEFAULT_LATE_DAYS

if TYPE_CHECKING:
    from ledger.application import Ledger


def _when(as_of: date | None, recorded_before: datetime | None) -> dict[str, Any]:
    return {
        "as_of": as_of.isoformat() if as_of else None,
        "recorded_before": recorded_before.isoformat(timespec="seconds") if recorded_before else None,
    }


def _number(value: str) -> str:
    from ledger.application import normalise_case_number

    return normalise_case_number(value)


def case_at(app: Ledger, number: str, *, as_of: date | None = None, recorded_before: datetime | None = None) -> dict[str, Any]:
    """``case show`` at a business date and/or as recorded before a moment."""
    from ledger.clock import today
    from ledger.projections.case_view import case_view
    from ledger.replay import state_at, view_day

    number = _number(number)
    state = state_at(app.case_events(number), case_number=number, as_of=as_of, recorded_before=recorded_before)
    return {**case_view(state, on=view_day(as_of, recorded_before, today())), **_when(as_of, recorded_before)}


def case_history(
    app: Ledger, number: str, *, as_of: date | None = None, recorded_before: datetime | None = None,
    late_after: int = DEFAULT_LATE_DAYS,
) -> dict[str, Any]:
    """The timeline of one case, with lateness and corrections."""
    from ledger.replay import history

    number = _number(number)
    entries = history(app.case_events(number), case_number=number, as_of=as_of, recorded_before=recorded_before, late_after=late_after)
    return {
        "case": number,
        **_when(as_of, recorded_before),
        "late_after_days": late_after,
        "entries": entries,
        "late_entries": sum(1 for e in entries if e["late"]),
        "corrected_entries": sum(1 for e in entries if e["corrections"]),
    }


def consent_audit(app: Ledger, number: str | None = None) -> dict[str, Any]:
    """The consent audit of one case, or of every case (``number=None``)."""
    from ledger.consent_audit import audit_case

    if number is not None:
        numbers = [_number(number)]
    else:
        from ledger.projections.service import ReadSide

        numbers = sorted(row["case"] for row in ReadSide(app).cases())
    cases = [audit_case(n, app.case_events(n)) for n in numbers]
    sharings = [s for c in cases for s in c["sharings"]]
    problems = [s for s in sharings if s["problem"]]
    return {
        "cases": cases,
        "sharings": len(sharings),
        "problems": problems,
        "problem_count": len(problems),
    }
