"""The unit's registers: providers (utförare) and the yearly budget."""

from __future__ import annotations

from collections.abc import Callable

from ledger.domain import commands as c
from ledger.domain import events as ev
from ledger.domain.aggregates import PROVIDER_CODE, BudgetState, ProviderState, budget_id, provider_id
from ledger.domain.errors import AlreadyExists, InputError, NotFound

#: A decision about a year's budget, given its state (``None``: never set).
BudgetDecision = Callable[[BudgetState | None, ev.Recording], list[ev.Event]]

def check_provider_code(code: str) -> str:
    """A provider's short code as stored (upper case), or :class:`InputError`."""
    if not PROVIDER_CODE.match(code or ""):
        raise InputError(field="code", reason="format")
    return code.upper()


def add_provider(existing: ProviderState | None, cmd: c.AddProvider, rec: ev.Recording) -> list[ev.Event]:
    """Register a provider under a short code used in every other command."""
    if existing is not None:
        raise AlreadyExists(kind="provider", ref=cmd.code)
    return [ev.ProviderRegistered(**rec.header(provider_id(cmd.code), 1), code=cmd.code, name=cmd.name,
                                  org_number=cmd.org_number, own_operation=cmd.own_operation)]


def verify_permit(provider: ProviderState, cmd: c.VerifyPermit, rec: ev.Recording) -> list[ev.Event]:
    """That the provider's permit with IVO (and quality) was checked."""
    return [ev.ProviderPermitVerified(**rec.header(provider.id, provider.version + 1),
                                      permit_reference=cmd.reference, valid_until=cmd.valid_until)]


def set_budget(state: BudgetState | None, cmd: c.SetBudget, rec: ev.Recording) -> list[ev.Event]:
    """A year's budget (a later set replaces the amount; the history stays)."""
    version = (state.version if state else 0) + 1
    return [ev.BudgetSet(**rec.header(budget_id(cmd.year), version), year=cmd.year, amount=cmd.amount)]


def adjust_budget(state: BudgetState | None, cmd: c.AdjustBudget, rec: ev.Recording) -> list[ev.Event]:
    """A year's budget up or down; only a budget that was set."""
    if state is None:
        raise NotFound(kind="budget", ref=str(cmd.year))
    return [ev.BudgetAdjusted(**rec.header(state.id, state.version + 1), year=cmd.year, delta=cmd.delta)]
