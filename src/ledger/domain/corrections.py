"""Corrections: a new event that points at an earlier entry and gives it new values.

Nothing is edited in place. :func:`correct` checks that the corrected entry is still a valid
event, that its dates obey the same date rules as a new entry, and that the whole case still
folds with the correction applied; then it returns :class:`ledger.domain.events.EntryCorrected`.
Every view applies corrections with :func:`apply_corrections` before it folds or shows anything.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from ledger.domain import events as ev
from ledger.domain import rules
from ledger.domain.case import CaseState
from ledger.domain.case_fold import project_case
from ledger.domain.commands import CorrectEntry
from ledger.domain.errors import AccessDenied, CorrectionRefused, InputError, LedgerError, NotFound
from ledger.domain.money import parse_amount
from ledger.domain.vocab import choose

#: Never correctable: the entry's place and recording, and the identifiers other entries point at.
FIXED_FIELDS = frozenset(
    {"originator_id", "originator_version", "recorded_at", "recorded_by", "case_number", "person_id",
     "police_reference", "recipient", "protection_level"}
)
#: Who may see and work on a case is decided by a new assignment or grant (an arbetsledare's), never
#: by correcting an old one: these entries cannot be corrected at all.
NOT_CORRECTABLE = (ev.CaseAssigned, ev.CaseAccessGranted)
#: The money of a case is the ekonom's: correcting these entries needs that role, as recording them does.
MONEY_ENTRIES = (ev.PaymentRecorded, ev.PaymentReversed, ev.StateGrantApplied, ev.StateGrantDecided)
#: Where ``provider`` names whose consent it is, it is part of the consent's key: fixed there.
KEYED_BY_PROVIDER = (ev.ConsentGranted, ev.ConsentRevoked, ev.InformationShared)
#: What users may type for ``occurred_on``.
ALIASES = {"date": "occurred_on"}


def field_name(raw: str) -> str:
    name = raw.strip().lower().replace("-", "_")
    return ALIASES.get(name, name)


def correctable(cls: type[ev.Event]) -> list[str]:
    """The fields of an event type that a correction may change."""
    fixed = FIXED_FIELDS | ({"provider"} if issubclass(cls, KEYED_BY_PROVIDER) else set())
    return [name for name in cls.model_fields if name not in fixed and not name.endswith("_id")]


def inconsistencies(events: list[Any]) -> set[tuple[str, int]]:
    """(rule, entry) for every order or amount rule the (corrected) history breaks.

    The same rules the commands check when an entry is recorded: nothing before the opening,
    periods that end on or after they start, an end on or after its start, a reopening on or
    after the closing, never more reversed than paid. A correction is refused when it adds one.
    """
    found: set[tuple[str, int]] = set()
    opening = next((e.occurred_on for e in events if isinstance(e, ev.CaseActualised)), None)
    started: dict[str, Any] = {}
    closed_on = None
    for e in events:
        if isinstance(e, ev.EntryCorrected):
            continue
        n = e.originator_version
        if opening is not None and not isinstance(e, ev.CaseActualised) and e.occurred_on < opening:
            found.add(("before_opening", n))
        pairs: list[tuple[Any, Any]] = []
        if isinstance(e, ev.DecisionRecorded | ev.PaymentRecorded):
            pairs.append((e.period_start, e.period_end))
        if isinstance(e, ev.PlacementStarted | ev.ServiceStarted):
            started[e.placement_id if isinstance(e, ev.PlacementStarted) else e.service_id] = e.occurred_on
            pairs.append((e.occurred_on, getattr(e, "planned_end", None)))
        if isinstance(e, ev.PlacementExtended):
            pairs.append((started.get(e.placement_id), e.planned_end))
        if isinstance(e, ev.PlacementEnded):
            pairs.append((started.get(e.placement_id), e.occurred_on))
        if isinstance(e, ev.ServiceEnded):
            pairs.append((started.get(e.service_id), e.occurred_on))
        if isinstance(e, ev.ConsentGranted):
            pairs.append((e.occurred_on, e.valid_until))
        if isinstance(e, ev.CaseClosed):
            closed_on = e.occurred_on
        if isinstance(e, ev.CaseReopened):
            pairs.append((closed_on, e.occurred_on))
        if any(a is not None and b is not None and b < a for a, b in pairs):
            found.add(("date_order", n))
    state = project_case(None, events, strict=False)
    if state is not None:
        for key, payment in state.payments.items():
            if payment.reversed > payment.amount:
                found.add((f"reversed_more_than_paid:{key}", 0))
    return found


def _base_type(annotation: Any) -> tuple[Any, bool]:
    """(the type inside ``X | None`` / ``Annotated[X, ...]``, whether None is allowed)."""
    optional = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            optional = optional or len(args) < len(typing.get_args(annotation))
            annotation = args[0]
        else:
            return annotation, optional


_TRUE, _FALSE = {"ja", "yes", "true", "1", "j", "y"}, {"nej", "no", "false", "0", "n"}


def convert(cls: type[ev.Event], name: str, raw: str) -> Any:
    """The typed value of ``raw`` for field ``name`` of ``cls`` (clean errors, never a traceback)."""
    info = cls.model_fields[name]
    kind, optional = _base_type(info.annotation)
    text = raw.strip()
    if text in ("", "-"):
        if optional or (info.default is not None and isinstance(info.default, str)):
            return None if optional else ""
        raise InputError(field=name, reason="required")
    if kind is Decimal:
        return parse_amount(text)
    if kind is date:
        day = rules.optional_date(text, name)
        assert day is not None
        return day
    if kind is bool:
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise InputError(field=name, reason="format")
    if kind is int:
        try:
            return int(text)
        except ValueError:
            raise InputError(field=name, reason="format") from None
    if isinstance(kind, type) and issubclass(kind, StrEnum):
        return choose(kind, text, name)
    return text


def corrected(event: Any, fixes: Iterable[ev.EntryCorrected]) -> Any:
    """``event`` with the new values of ``fixes`` (oldest first) applied; same entry, same recording."""
    data = event.model_dump()
    for fix in fixes:
        data.update(fix.changes)
        data.update(fix.personal_changes)
    return type(event).model_validate(data)


def apply_corrections(events: Iterable[Any]) -> list[Any]:
    """The events of one case with every correction applied to the entry it points at.

    The correction events stay in the list (they count as entries of the file); the originals
    are replaced by their corrected versions, in their original place.
    """
    events = list(events)
    fixes: dict[int, list[ev.EntryCorrected]] = {}
    for event in events:
        if isinstance(event, ev.EntryCorrected):
            fixes.setdefault(event.entry, []).append(event)
    if not fixes:
        return events
    return [
        corrected(event, fixes[event.originator_version])
        if event.originator_version in fixes and not isinstance(event, ev.EntryCorrected)
        else event
        for event in events
    ]


def correct(case: CaseState, stored: list[Any], cmd: CorrectEntry, rec: ev.Recording,
            provider_code: Callable[[str], str]) -> ev.EntryCorrected:
    """The correction of entry ``cmd.entry`` of ``case`` (``stored``: its events as stored) to
    ``cmd.changes`` (field → text as typed); ``provider_code`` gives a registered provider's code."""
    entry, changes, reason = cmd.entry, cmd.changes, cmd.reason
    current = apply_corrections(stored)
    if not 1 <= entry <= len(current):
        raise NotFound(kind="entry", ref=str(entry), case=case.case_number)
    original = current[entry - 1]
    if isinstance(original, ev.EntryCorrected):
        raise CorrectionRefused(case=case.case_number, entry=entry, rule="correct_the_original")
    if isinstance(original, NOT_CORRECTABLE):
        raise CorrectionRefused(case=case.case_number, entry=entry, rule="record_anew")
    if isinstance(original, MONEY_ENTRIES) and "economist" not in rec.roles:
        raise AccessDenied(action="correct", roles="economist", why="money_entry")
    if not isinstance(original, MONEY_ENTRIES) and not {"case_worker", "manager"} & rec.roles:
        raise AccessDenied(action="correct", roles="case_worker, manager", why="case_entry")
    cls = type(original)
    allowed = correctable(cls)
    values: dict[str, Any] = {}
    for raw_name, raw_value in changes.items():
        name = field_name(raw_name)
        if name not in cls.model_fields:
            raise CorrectionRefused(case=case.case_number, entry=entry, field=name[:40], rule="no_such_field")
        if name not in allowed:
            raise CorrectionRefused(case=case.case_number, entry=entry, field=name, rule="fixed_field")
        values[name] = convert(cls, name, raw_value)
        if name == "provider" and values[name]:
            values[name] = provider_code(values[name])  # a registered provider, its code
    fixed = cls.model_validate({**original.model_dump(), **values})
    changed = {n for n in values if getattr(fixed, n) != getattr(original, n)}
    if not changed:
        raise CorrectionRefused(case=case.case_number, entry=entry, rule="nothing_changes")
    if "occurred_on" in changed:
        rules.check_not_future(fixed.occurred_on, rec.today)
        if not isinstance(fixed, ev.CaseActualised):
            rules.check_order(min(e.occurred_on for e in current if isinstance(e, ev.CaseActualised)),
                              fixed.occurred_on, "opened_on", "date")
    dumped = fixed.model_dump(mode="json")
    personal = cls.personal_fields()
    correction = ev.EntryCorrected(
        **rec.header(case.id, case.version + 1, with_note=False),
        entry=entry,
        changes={n: dumped[n] for n in sorted(changed) if n not in personal},
        personal_changes={n: dumped[n] for n in sorted(changed) if n in personal},
        reason=reason.strip(),
    )
    if "birth_year" in changed:
        rules.check_birth_year(getattr(fixed, "birth_year", None), rec.today)
    after = apply_corrections([*stored, correction])
    try:  # the case must still make sense with the correction in place
        project_case(None, after)
    except LedgerError:
        raise
    except Exception:  # noqa: BLE001 - any fold failure means the history would not hold
        raise CorrectionRefused(case=case.case_number, entry=entry, rule="history_inconsistent") from None
    added = inconsistencies(after) - inconsistencies(current)
    if added:
        rule = min(added)[0].split(":")[0]
        raise CorrectionRefused(case=case.case_number, entry=entry, rule=rule)
    return correction
