"""The read side: projections that only consume events (``ledger.projections``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ledger.projections.base import Projection


def all_projections() -> list[Projection]:
    """Every projection the ledger keeps, in catch-up order."""
    from ledger.projections.case_list import CaseList
    from ledger.projections.money import Money
    from ledger.projections.stats_facts import StatsFacts

    return [Money(), CaseList(), StatsFacts()]
