"""The application service: one method per thing a case worker records (the write side).

:class:`Ledger` is the commands of :mod:`~ledger.application.commands_case`,
:mod:`~ledger.application.commands_money`, :mod:`~ledger.application.commands_registers` and
:mod:`~ledger.application.commands_access` on the
plumbing of :class:`ledger.application.core.LedgerCore`. Reading goes through
:class:`ledger.application.queries.Queries`.
"""

from __future__ import annotations

from ledger.application.commands_access import AccessCommands
from ledger.application.commands_case import CaseCommands
from ledger.application.commands_money import MoneyCommands
from ledger.application.commands_registers import RegisterCommands
from ledger.application.core import RETRY_SECONDS, SNAPSHOT_INTERVAL
from ledger.application.gallring import GallringCommands


class Ledger(CaseCommands, MoneyCommands, RegisterCommands, AccessCommands, GallringCommands):
    """The avhoppar case ledger (write side)."""

    name = "ledger"


__all__ = ["RETRY_SECONDS", "SNAPSHOT_INTERVAL", "Ledger"]
