"""The unit's registers: providers (utförare) and the yearly budget (rules: :mod:`ledger.domain.decide_registers`)."""

from __future__ import annotations

from decimal import Decimal

from ledger.application.core import LedgerCore, command
from ledger.domain import commands as c
from ledger.domain import decide_registers as decide
from ledger.domain import events as ev
from ledger.domain.aggregates import PROJECTORS, budget_id, provider_id
from ledger.domain.money import parse_amount
from ledger.domain.permissions import Action
from ledger.domain.rules import DateLike, check_year, optional_date


class RegisterCommands(LedgerCore):
    """Providers and budgets."""

    @command(Action.PROVIDER_ADD, on_case=False)
    def add_provider(self, code: str, *, name: str, org_number: str | None = None, own_operation: bool = False,
                     on: DateLike = None, note: str | None = None) -> str:
        """Register a provider (utförare) under a short code used in every other command."""
        cmd = c.AddProvider(decide.check_provider_code(code), name, org_number, own_operation)

        def build() -> tuple[list[ev.Event], str]:
            existing = self._load(provider_id(cmd.code), PROJECTORS["provider"])
            return decide.add_provider(existing, cmd, self._recording(on, note)), cmd.code

        return self._run(build)

    @command(Action.PROVIDER_VERIFY, on_case=False)
    def verify_permit(self, code: str, *, reference: str | None = None, valid_until: DateLike = None,
                      on: DateLike = None, note: str | None = None) -> None:
        """Record that the provider's permit with IVO (and quality) was checked."""
        cmd = c.VerifyPermit(reference, optional_date(valid_until, "valid_until"))

        def build() -> tuple[list[ev.Event], None]:
            provider = self._provider(code)
            return decide.verify_permit(provider, cmd, self._recording(on, note)), None

        self._run(build)

    @command(Action.BUDGET_SET, on_case=False)
    def set_budget(self, year: int, amount: str | Decimal, *, on: DateLike = None, note: str | None = None) -> None:
        """Set the unit's budget for a year (a later set replaces the amount; history stays)."""
        amount_ = parse_amount(amount)
        cmd = c.SetBudget(check_year(year), amount_)
        self._budget_command(cmd.year, lambda state, rec: decide.set_budget(state, cmd, rec), on, note)

    @command(Action.BUDGET_ADJUST, on_case=False)
    def adjust_budget(self, year: int, delta: str, *, on: DateLike = None, note: str | None = None) -> None:
        """Adjust a year's budget up (``+250 000``) or down (``-100 000``)."""
        text = str(delta).strip()
        sign = -1 if text.startswith("-") else 1
        cmd = c.AdjustBudget(year, parse_amount(text[1:] if text[:1] in "+-" else text) * sign)
        self._budget_command(year, lambda state, rec: decide.adjust_budget(state, cmd, rec), on, note)

    def _budget_command(self, year: int, decide_fn: decide.BudgetDecision, on: DateLike, note: str | None) -> None:
        def build() -> tuple[list[ev.Event], None]:
            state = self._load(budget_id(year), PROJECTORS["budget"])
            return decide_fn(state, self._recording(on, note)), None

        self._run(build)
