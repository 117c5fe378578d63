"""End-to-end fixtures: build the Typer command tree once per test session.

``ledger.cli.main.main`` calls ``app(...)``, and Typer turns the app into a Click command tree on
every call by evaluating every command's annotations (about 0.2 s for ~60 commands). A process
runs one command, so that is paid once; these tests call ``main`` in-process a few hundred
times. The tree depends only on the imported modules, so reusing it changes nothing but speed.
Subprocess tests (``run_process``) still pay the full cost and cover the real start-up path.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(autouse=True, scope="session")
def _typer_command_built_once() -> Iterator[None]:
    import typer
    import typer.main

    original = typer.main.get_command
    built: dict[int, tuple[Any, Any]] = {}

    def get_command(typer_instance: typer.Typer) -> Any:
        key = id(typer_instance)
        if key not in built or built[key][0] is not typer_instance:
            built[key] = (typer_instance, original(typer_instance))
        return built[key][1]

    typer.main.get_command = get_command  # type: ignore[assignment]
    try:
        yield
    finally:
        typer.main.get_command = original  # type: ignore[assignment]
