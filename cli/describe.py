"""An entry as a person reads it: the event's name, each field's label and its value in words.

One place for every human view of entries (``case log``, ``history``, the tillsyn file, the register
extract): the event's Swedish name (``event.<Class>``), each field's label (``field.<name>``), codes
through the vocabulary's labels (found from the field's type, since the same code means different
things in different vocabularies), amounts as ``1 234,50``, yes/no in words, dates as they are.
``--json`` never comes here: it keeps the stored codes and names.
"""

from __future__ import annotations

import types
import typing
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import cache
from typing import Any

from ledger.cli.i18n import CATALOGUE, LANG, t, term

#: Fields shown elsewhere in an entry's row (its number, dates, author), never among its details.
FRAME = frozenset({"originator_id", "originator_version", "recorded_at", "recorded_by", "occurred_on", "person_id",
                   "case_id"})


def event_name(type_name: str) -> str:
    """``CaseActualised`` -> ``aktualisering``."""
    key = f"event.{type_name}"
    return t(key) if key in CATALOGUE else type_name


def field_label(name: str) -> str:
    key = f"field.{name}"
    return t(key) if key in CATALOGUE else name


def money_text(value: Any) -> str:
    from ledger.domain.money import format_amount

    try:
        return format_amount(Decimal(str(value)), lang=LANG)
    except (InvalidOperation, ValueError):
        return str(value)


def local_time(moment: str) -> str:
    """An ISO UTC timestamp as the unit's local time, to the minute (``2026-03-10 14:30``)."""
    from datetime import datetime

    from ledger.domain.clock import LOCAL

    return datetime.fromisoformat(moment).astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")


def yes_no_text(value: bool) -> str:
    return t("label.yes") if value else t("label.no")


def _unwrap(annotation: Any) -> list[Any]:
    """The types inside ``X | None``, ``Optional[Annotated[X, …]]``, ``list[X]``."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [inner for arg in typing.get_args(annotation) if arg is not type(None) for inner in _unwrap(arg)]
    if origin in (list, tuple, set, frozenset):
        return [inner for arg in typing.get_args(annotation) for inner in _unwrap(arg)]
    if origin is dict:
        return _unwrap(typing.get_args(annotation)[1])
    return [annotation]


@cache
def _kind(type_name: str, field: str) -> tuple[str, str | None]:
    """How a field's values read: ``("code", prefix)``, ``("money", None)``, ``("bool", None)``, ``("text", None)``."""
    from ledger.cli.catalogue_vocab import PREFIXES
    from ledger.domain import events

    cls = getattr(events, type_name, None)
    info = getattr(cls, "model_fields", {}).get(field)
    if info is None:
        return "text", None
    by_enum = {enum: prefix for prefix, enum in PREFIXES.items()}
    for inner in _unwrap(info.annotation):
        if isinstance(inner, type) and issubclass(inner, StrEnum):
            return ("code", by_enum[inner]) if inner in by_enum else ("code", f"vocab.{inner.__name__}")
        if inner is Decimal:
            return "money", None
        if inner is bool:
            return "bool", None
    return "text", None


def value_text(type_name: str, field: str, value: Any) -> str:
    """One field's value in words."""
    if value is None or value in ("", [], {}):
        return t("label.none")
    kind, prefix = _kind(type_name, field)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {value_text(type_name, field, v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(value_text(type_name, field, v) for v in value)
    if kind == "code" and prefix is not None:
        return term(prefix, value)
    if kind == "money":
        return money_text(value)
    if kind == "bool" or isinstance(value, bool):
        return yes_no_text(bool(value))
    return str(value)


def details_text(type_name: str, details: dict[str, Any], sep: str = "; ") -> str:
    """``Miljö: kriminella nätverk; Kön: man; …``."""
    return sep.join(f"{field_label(k)}: {value_text(type_name, k, v)}" for k, v in details.items() if k not in FRAME)


def changes_text(type_name: str, fields: list[str], original: dict[str, Any], corrected: dict[str, Any]) -> str:
    """A correction's changes: ``Gäller till: 2026-06-30 → 2026-03-31``."""
    return ", ".join(
        f"{field_label(k)}: {value_text(type_name, k, original.get(k)) if k in original else '…'} → "
        f"{value_text(type_name, k, corrected.get(k)) if k in corrected else '…'}"
        for k in fields
    )


def recipient_text(key: str) -> str:
    """A consent's recipient: ``police`` -> ``polisen``, ``provider:SKYDD1`` -> ``utföraren SKYDD1``."""
    if key.startswith("provider:"):
        return f"{term('recipient', 'provider')} {key.split(':', 1)[1]}"
    return term("recipient", key)
