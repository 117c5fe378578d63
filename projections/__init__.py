"""The read side: projections that only consume events (``ledger.projections``).

=================  ==========================================================================
``projection.py``  what a projection is; handlers registered by event class
``runner.py``      catching up (and rebuilding) all projections together, a batch at a time
``parallel.py``    a long catch-up in parallel processes, a group of projections in each
``rows.py``        the rows a projection changes in a batch, written back once
``corrections.py`` corrected values on the read side
``versions.py``    a projection whose version changed is rebuilt
``read_side.py``   the answers (``ReadModels``): case list, budget, statistics
=================  ==========================================================================
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ledger.projections.projection import Projection


def all_projections() -> list[Projection]:
    """Every projection the ledger keeps, in catch-up order."""
    from ledger.projections.case_list import CaseList
    from ledger.projections.money import Money
    from ledger.projections.stats_facts import StatsFacts

    return [Money(), CaseList(), StatsFacts()]
