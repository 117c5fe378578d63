"""Replay for supervision (tillsyn): a case at a business date, as recorded at a moment, and its timeline.

Two times, as in the issue:

- ``as_of`` (a business date): the case as it stood on that day, from everything now known —
  entries documented late are included, corrections are applied.
- ``recorded_before`` (a moment): the file exactly as it looked then — only entries recorded
  before that moment, and only the corrections recorded before it.

They combine: "what did the file, as it looked on 1 April, say the case was on 15 March?".
Everything here is computed from the case's own events; nothing is stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from ledger.domain import events as ev
from ledger.domain.case import CaseState
from ledger.domain.case_fold import project_case
from ledger.domain.clock import LOCAL
from ledger.domain.corrections import apply_corrections
from ledger.domain.errors import CaseNotAtThatTime, InputError, InvalidMoment

#: Entries documented more than this many days after they happened are marked late (a setting).
DEFAULT_LATE_DAYS = 14
#: Fields that say where an entry sits, not what it says (the person's id is not for reading either).
_FRAME = frozenset({"originator_id", "originator_version", "recorded_at", "recorded_by", "occurred_on", "person_id"})


def parse_moment(value: str | datetime | None, field: str = "--recorded-before") -> datetime | None:
    """``2026-03-10`` (start of that day), ``2026-03-10T14:30`` or ``2026-03-10 14:30:05``, local
    Swedish time unless an offset (``+01:00``, ``Z``) is given; returned in UTC."""
    if value is None or isinstance(value, datetime):
        return value.astimezone(UTC) if isinstance(value, datetime) else None
    text = value.strip()
    try:
        if len(text) == 10:
            moment = datetime.combine(date.fromisoformat(text), time(0, 0))
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T", 1))
    except ValueError:
        raise InvalidMoment(field=field, value=text[:32]) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL)
    try:
        moment = moment.astimezone(UTC)
        moment - timedelta(days=1)  # room for the arithmetic done on it later
        moment + timedelta(days=1)
    except OverflowError:
        raise InvalidMoment(field=field, value=text[:32]) from None
    return moment


def check_late_days(value: int, field: str = "--late-after") -> int:
    """The lateness threshold in days: not negative."""
    if value < 0:
        raise InputError(field=field, reason="range")
    return value


def known_at(events: Iterable[Any], recorded_before: datetime | None) -> list[Any]:
    """The entries recorded before ``recorded_before`` (all of them if None)."""
    events = list(events)
    if recorded_before is None:
        return events
    return [e for e in events if e.recorded_at < recorded_before]


def _check_existed(corrected: list[Any], case_number: str, as_of: date | None) -> None:
    """Refuse a view of a moment before the case was opened (or recorded)."""
    opening = next((e for e in corrected if isinstance(e, ev.CaseActualised)), None)
    if opening is None or (as_of is not None and opening.occurred_on > as_of):
        raise CaseNotAtThatTime(case=case_number)


def state_at(
    events: Iterable[Any], *, case_number: str, as_of: date | None = None, recorded_before: datetime | None = None,
) -> CaseState:
    """The case as it stood on ``as_of``, by what was recorded before ``recorded_before``."""
    known = apply_corrections(known_at(events, recorded_before))
    _check_existed(known, case_number, as_of)
    if as_of is not None:
        known = [e for e in known if e.occurred_on <= as_of]
    state = project_case(None, known, strict=as_of is None)
    assert state is not None
    state.version = len(known)  # the entries in this view (not the number of the last one)
    return state


def _recorded_day(moment: datetime) -> date:
    return moment.astimezone(LOCAL).date()


def view_day(as_of: date | None, recorded_before: datetime | None, today: date) -> date:
    """The day a replayed view is judged on (is a consent active?): the business date asked for,
    else the last day before the recording moment asked for, else today."""
    if as_of is not None:
        return as_of
    if recorded_before is not None:
        return min(_recorded_day(recorded_before - timedelta(microseconds=1)), today)
    return today


def hidden_fields(cls: Any) -> frozenset[str]:
    """The personal fields an entry's details leave out (all but those its class shows in the log)."""
    return frozenset(cls.personal_fields() - getattr(cls, "shown_in_log", frozenset()))


def entry_details(event: Any) -> dict[str, Any]:
    """What an entry says, in its JSON form, without its frame and without personal fields: the one
    definition for the case log and the history (values are masked where they leave the ledger)."""
    skip = hidden_fields(type(event)) | _FRAME
    return {k: v for k, v in event.model_dump(mode="json", exclude=skip).items()
            if v is not None and v is not False and v not in ({}, [])}


def history(
    events: Iterable[Any], *, case_number: str, as_of: date | None = None, recorded_before: datetime | None = None,
    late_after: int = DEFAULT_LATE_DAYS,
) -> list[dict[str, Any]]:
    """The timeline: each entry (corrected) with when it happened, when and by whom it was
    recorded, how late, and every correction of it with the original values beside."""
    known = known_at(events, recorded_before)
    current = apply_corrections(known)
    _check_existed(current, case_number, as_of)
    by_entry = {e.originator_version: e for e in known}
    fixes: dict[int, list[ev.EntryCorrected]] = {}
    for event in known:
        if isinstance(event, ev.EntryCorrected):
            fixes.setdefault(event.entry, []).append(event)
    timeline = []
    for event in current:
        if as_of is not None and event.occurred_on > as_of:
            continue
        delay = (_recorded_day(event.recorded_at) - event.occurred_on).days
        item: dict[str, Any] = {
            "entry": event.originator_version,
            "type": type(event).__name__,
            "occurred_on": event.occurred_on.isoformat(),
            "recorded_at": event.recorded_at.isoformat(timespec="seconds"),
            "recorded_by": event.recorded_by,
            "days_late": max(delay, 0),
            "late": delay > late_after,
            "details": entry_details(event),
            "has_note": bool(getattr(event, "note", None)),
            "note": getattr(event, "note", None) or None,  # the journal (a reader with access sees it)
            "corrections": [],
        }
        if isinstance(event, ev.EntryCorrected):
            item["details"] = {"corrects": event.entry, "fields": sorted([*event.changes, *event.personal_changes])}
            item["reason"] = event.reason
        before = by_entry[event.originator_version]
        personal = hidden_fields(type(before))
        for fix in fixes.get(event.originator_version, []) if not isinstance(event, ev.EntryCorrected) else []:
            original = before.model_dump(mode="json")
            item["corrections"].append(
                {
                    "entry": fix.originator_version,
                    "recorded_at": fix.recorded_at.isoformat(timespec="seconds"),
                    "recorded_by": fix.recorded_by,
                    "reason": fix.reason,
                    "fields": sorted([*fix.changes, *fix.personal_changes]),
                    "original": {k: original[k] for k in sorted({*fix.changes, *fix.personal_changes})
                                 if k not in personal},
                    "corrected": {k: v for k, v in sorted({**fix.changes, **fix.personal_changes}.items())
                                  if k not in personal},
                }
            )
            before = type(before).model_validate({**before.model_dump(), **fix.changes, **fix.personal_changes})
        timeline.append(item)
    return timeline


def journal(events: Iterable[Any], *, case_number: str, late_after: int = DEFAULT_LATE_DAYS) -> list[dict[str, Any]]:
    """The case's journal, in the order it was written: every journal entry, every note given with
    any other entry (``about`` names that entry's kind), and every objection (``objection_to``: the
    entry it is about); with who wrote it when, how late, and each correction of its text."""
    events = list(events)
    current = apply_corrections(events)
    _check_existed(current, case_number, None)
    fixes: dict[int, list[ev.EntryCorrected]] = {}
    for event in events:
        if isinstance(event, ev.EntryCorrected):
            fixes.setdefault(event.entry, []).append(event)
    originals = {e.originator_version: e for e in events}
    found = []
    for event in current:
        if isinstance(event, ev.JournalEntryAdded):
            kind, text, about, objection = str(event.kind), event.text, None, None
        elif isinstance(event, ev.ObjectionNoted):
            kind, text, about, objection = "objection", event.text, None, event.entry
        elif getattr(event, "note", None):
            kind, text, about, objection = "note", event.note, type(event).__name__, None
        else:
            continue
        delay = (_recorded_day(event.recorded_at) - event.occurred_on).days
        field = "text" if isinstance(event, ev.JournalEntryAdded | ev.ObjectionNoted) else "note"
        before = getattr(originals[event.originator_version], field, None)
        corrections = []
        for fix in fixes.get(event.originator_version, []):
            if field in fix.personal_changes:
                corrections.append({"entry": fix.originator_version, "recorded_by": fix.recorded_by,
                                    "recorded_at": fix.recorded_at.isoformat(timespec="seconds"),
                                    "reason": fix.reason, "original": before,
                                    "corrected": fix.personal_changes[field]})
                before = fix.personal_changes[field]
        found.append({
            "entry": event.originator_version, "occurred_on": event.occurred_on.isoformat(),
            "recorded_at": event.recorded_at.isoformat(timespec="seconds"), "recorded_by": event.recorded_by,
            "days_late": max(delay, 0), "late": delay > late_after, "kind": kind, "about": about,
            "objection_to": objection, "text": text, "corrections": corrections,
        })
    return found
