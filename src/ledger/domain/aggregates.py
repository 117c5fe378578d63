"""The small aggregates beside the case: person, provider, budget year and case-number year.

Also the stream ids: name-based, so a case number, provider code or budget year finds its stream
without an index.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from functools import lru_cache
from hashlib import sha1
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from pydantic import BaseModel, ConfigDict

from ledger.domain import events as ev
from ledger.domain.errors import NotFound

#: Namespace for the ledger's name-based stream ids (case numbers, providers, budget years).
NAMESPACE = uuid5(NAMESPACE_URL, "urn:avhoppar-ledger")
CASE_NUMBER = re.compile(r"^AVH-(\d{4})-(\d{4,})$")
PROVIDER_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{1,31}$")


def normalise_case_number(value: str) -> str:
    """``avh-2026-0001 `` → ``AVH-2026-0001``; anything not shaped like a case number is not found."""
    text = value.strip().upper()
    if not CASE_NUMBER.match(text):
        raise NotFound(kind="case", ref=value[:20])
    return text


def case_number(year: int, serial: int) -> str:
    return f"AVH-{year}-{serial:04d}"


@lru_cache(maxsize=8192)  # every case command works it out from the number typed; UUIDs are immutable
def case_id(case_number: str) -> UUID:
    return uuid5(NAMESPACE, f"case:{case_number}")


_CASE_NAME = NAMESPACE.bytes + b"case:"


def case_id_hex(case_number: str) -> str:
    """``case_id(case_number).hex``, without the ``UUID`` objects (``uuid5`` is SHA-1 of the namespace
    and the name, with the version and variant bits set): a case list works out thousands of them."""
    digest = bytearray(sha1(_CASE_NAME + case_number.encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # the RFC 4122 variant
    return digest.hex()


def provider_id(code: str) -> UUID:
    return uuid5(NAMESPACE, f"provider:{code.lower()}")


def budget_id(year: int) -> UUID:
    return uuid5(NAMESPACE, f"budget:{year}")


def case_numbers_id(year: int) -> UUID:
    return uuid5(NAMESPACE, f"case-numbers:{year}")


def person_id(namespace: UUID, identity_number: str) -> UUID:
    """Person ids are name-based within a namespace kept per store, not guessable across stores."""
    return uuid5(namespace, identity_number)


class PersonState(BaseModel):
    model_config = ConfigDict(defer_build=True)
    id: UUID
    version: int
    protection_level: str
    gender: str
    birth_year: int | None = None
    cases: list[str] = []  # every case opened for the person (since the register kept them), oldest first


class ProviderState(BaseModel):
    model_config = ConfigDict(defer_build=True)
    id: UUID
    version: int
    code: str
    name: str
    own_operation: bool = False
    permit_verified_on: date | None = None
    permit_valid_until: date | None = None


class BudgetState(BaseModel):
    model_config = ConfigDict(defer_build=True)
    id: UUID
    version: int
    year: int
    amount: Decimal = Decimal("0.00")


class CaseNumbersState(BaseModel):
    model_config = ConfigDict(defer_build=True)
    id: UUID
    version: int


for _state in ("PersonState", "ProviderState", "BudgetState", "CaseNumbersState"):
    ev.register_topic(globals()[_state], f"ledger.aggregates:{_state}")


def project_person(state: PersonState | None, events: Iterable[Any]) -> PersonState | None:
    for e in events:
        if isinstance(e, ev.PersonRegistered):
            state = PersonState(
                id=e.originator_id, version=1, protection_level=e.protection_level, gender=e.gender,
                birth_year=e.birth_year,
            )
        elif isinstance(e, ev.ProtectionLevelChanged) and state is not None:
            state.protection_level = e.protection_level
        elif isinstance(e, ev.PersonCaseOpened) and state is not None:
            state.cases.append(e.case_number)
        if state is not None:
            state.version = e.originator_version
    return state


def project_provider(state: ProviderState | None, events: Iterable[Any]) -> ProviderState | None:
    for e in events:
        if isinstance(e, ev.ProviderRegistered):
            state = ProviderState(id=e.originator_id, version=1, code=e.code, name=e.name,
                                  own_operation=e.own_operation)
        elif isinstance(e, ev.ProviderPermitVerified) and state is not None:
            state.permit_verified_on = e.occurred_on
            state.permit_valid_until = e.valid_until
        if state is not None:
            state.version = e.originator_version
    return state


def project_budget(state: BudgetState | None, events: Iterable[Any]) -> BudgetState | None:
    for e in events:
        if state is None:
            state = BudgetState(id=e.originator_id, version=0, year=e.year)
        if isinstance(e, ev.BudgetSet):
            state.amount = e.amount
        elif isinstance(e, ev.BudgetAdjusted):
            state.amount += e.delta
        state.version = e.originator_version
    return state


def project_case_numbers(state: CaseNumbersState | None, events: Iterable[Any]) -> CaseNumbersState | None:
    for e in events:
        state = CaseNumbersState(id=e.originator_id, version=e.originator_version)
    return state


#: The fold of each kind of stream (by the ``stream`` of its events).
PROJECTORS: dict[str, Any] = {
    "person": project_person,
    "provider": project_provider,
    "budget": project_budget,
    "case_numbers": project_case_numbers,
}
