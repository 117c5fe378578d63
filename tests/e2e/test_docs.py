"""The documentation says what the code does."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from ledger.domain import events as ev

ROOT = Path(__file__).resolve().parents[2]


def _load_generator():
    spec = importlib.util.spec_from_file_location("gen_cli_docs", ROOT / "scripts" / "gen_cli_docs.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_reference_is_generated_from_current_help() -> None:
    generated = _load_generator().render()
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == generated, (
        "docs/cli.md is out of date: run python scripts/gen_cli_docs.py"
    )


def test_every_command_in_the_reference_has_an_example() -> None:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    sections = text.split("\n## ")[1:]
    assert len(sections) > 40
    for section in sections:
        title = section.splitlines()[0]
        assert "Exempel:" in section, f"{title} has no example"


def test_event_catalogue_lists_every_event_with_its_personal_fields() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip(" `"): line for line in text.splitlines() if line.startswith("| `")}
    for cls in ev.ALL_EVENTS:
        assert cls.__name__ in rows, f"{cls.__name__} missing from docs/architecture.md"
        personal_cell = rows[cls.__name__].split("|")[4]
        for name in cls.personal_fields() - {"note"}:
            assert name in personal_cell, f"{cls.__name__}.{name} not marked personal in the catalogue"


def test_the_deployment_guide_shows_the_permission_table_as_the_code_has_it() -> None:
    from ledger.domain.permissions import PERMISSIONS, SWEDISH_NAMES, Role

    text = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    header = next(line for line in text.splitlines() if line.startswith("| command |"))
    roles = [cell.strip() for cell in header.strip("|").split("|")[1:]]
    assert roles == [SWEDISH_NAMES[r] for r in Role]
    rows = {line.split("|")[1].strip(" `"): line for line in text.splitlines() if line.startswith("| `")}
    for action, allowed in PERMISSIONS.items():
        assert action.value in rows, f"{action.value} missing from docs/deployment.md"
        cells = [cell.strip() for cell in rows[action.value].strip("|").split("|")[1:]]
        assert cells == ["✓" if r in allowed else "" for r in Role], action.value
