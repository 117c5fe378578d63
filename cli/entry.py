"""The ``ledger`` command's entry point (``[project.scripts]`` and ``python -m ledger.cli``).

A command's process loads the command line, then the store's stack (SQLAlchemy, the events' pydantic
classes, the driver): some 80 000 objects the collector tracks, none of them garbage, which the
collector, counting allocations, walked again and again meanwhile (60-100 ms of a command that takes
0.5 s, docs/performance.md). So the collector is off while they load: :func:`run` turns it off, and
:func:`loaded` — called once the command's services are made (``cli/common.py``), before the
command does its work — freezes everything loaded (``gc.freeze``: no collection walks it again) and
turns the collector on for the rest of the command. A command that works without a store
(``verify --archive``) calls :func:`loaded` itself before its work. ``main(argv)``, which tests and
scripts call, is not touched.
"""

from __future__ import annotations

import gc

#: Whether :func:`run` turned the collector off and :func:`loaded` has not turned it on again yet.
_OFF: list[bool] = []


def run() -> None:
    gc.disable()
    _OFF.append(True)
    from ledger.cli.main import main

    main()


def loaded() -> None:
    """The command's stack is loaded: what is there frozen, the collector on again (if :func:`run` turned
    it off)."""
    if _OFF:
        _OFF.clear()
        gc.freeze()
        gc.enable()
