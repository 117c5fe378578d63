"""The unit's registers: providers (utförare) and the yearly budget.

Mixed into :class:`ledger.application.Ledger`.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from ledger import events as ev
from ledger import rules
from ledger.aggregates import budget_id, project_budget, project_provider, provider_id
from ledger.errors import AlreadyExists, InputError, NotFound
from ledger.money import parse_amount
from ledger.rules import DateLike

PROVIDER_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{1,31}$")


class RegisterCommands:
    """Providers and budgets."""

    # -- providers and budget -----------------------------------------------------------------------

    def add_provider(
        self, code: str, *, name: str, org_number: str | None = None, own_operation: bool = False,
        on: DateLike = None, note: str | None = None,
    ) -> str:
        """Register a provider (utförare) under a short code used in every other command."""
        if not PROVIDER_CODE.match(code or ""):
            raise InputError(field="code", reason="format")
        code = code.upper()

        def build() -> tuple[list[Any], str]:
            if self._load(provider_id(code), project_provider) is not None:
                raise AlreadyExists(kind="provider", ref=code)
            meta = self._meta(on, note)
            return [
                ev.ProviderRegistered(originator_id=provider_id(code), originator_version=1, code=code, name=name,
                                      org_number=org_number, own_operation=own_operation, **meta)
            ], code

        return self._run(build)

    def verify_permit(
        self, code: str, *, reference: str | None = None, valid_until: DateLike = None, on: DateLike = None,
        note: str | None = None,
    ) -> None:
        """Record that the provider's permit with IVO (and quality) was checked."""
        until = rules.optional_date(valid_until, "valid_until")

        def build() -> tuple[list[Any], None]:
            state = self._provider(code)
            meta = self._meta(on, note)
            return [
                ev.ProviderPermitVerified(originator_id=state.id, originator_version=state.version + 1,
                                          permit_reference=reference, valid_until=until, **meta)
            ], None

        self._run(build)

    def set_budget(self, year: int, amount: str | Decimal, *, on: DateLike = None, note: str | None = None) -> None:
        """Set the unit's budget for a year (a later set replaces the amount; history stays)."""
        amount_ = parse_amount(amount)
        if not 2000 <= year <= 2100:
            raise InputError(field="year", reason="range")

        def build() -> tuple[list[Any], None]:
            state = self._load(budget_id(year), project_budget)
            meta = self._meta(on, note)
            version = (state.version if state else 0) + 1
            return [ev.BudgetSet(originator_id=budget_id(year), originator_version=version, year=year,
                                 amount=amount_, **meta)], None

        self._run(build)

    def adjust_budget(self, year: int, delta: str, *, on: DateLike = None, note: str | None = None) -> None:
        """Adjust a year's budget up (``+250 000``) or down (``-100 000``)."""
        text = str(delta).strip()
        sign = -1 if text.startswith("-") else 1
        amount_ = parse_amount(text[1:] if text[:1] in "+-" else text) * sign

        def build() -> tuple[list[Any], None]:
            state = self._load(budget_id(year), project_budget)
            if state is None:
                raise NotFound(kind="budget", ref=str(year))
            meta = self._meta(on, note)
            return [ev.BudgetAdjusted(originator_id=state.id, originator_version=state.version + 1, year=year,
                                      delta=amount_, **meta)], None

        self._run(build)
