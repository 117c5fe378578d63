"""The layer contracts hold, and they would catch an arrow pointing the wrong way.

``python3 tasks.py lint`` runs import-linter on the package as it is installed (``tasks.stage_package``);
here the same contracts are run on a copy with one deliberate bad import added to the domain, and
must break, naming the contract and the import.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _tasks() -> ModuleType:
    spec = importlib.util.spec_from_file_location("tasks", ROOT / "tasks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _lint_imports(stage: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", str(ROOT / "pyproject.toml")], cwd=stage.parent, capture_output=True,
        text=True, env={**os.environ, "PYTHONPATH": str(stage)}, timeout=120, check=False,
    )


@pytest.fixture(scope="module")
def stage(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not LINT_IMPORTS.exists():
        pytest.skip("import-linter is not installed (pip install -e '.[test]')")
    return _tasks().stage_package(tmp_path_factory.mktemp("lint") / "staged")  # type: ignore[no-any-return]


def test_the_contracts_are_kept(stage: Path) -> None:
    result = _lint_imports(stage)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(("module", "bad_import", "contract"), [
    ("domain/money.py", "import ledger.cli.main", "Layers"),
    ("application/views.py", "import ledger.adapters.store", "Layers"),
    ("adapters/memory.py", "import ledger.projections.read_side", "Layers"),
    ("domain/text.py", "import sqlalchemy", "The domain decides"),
    ("application/ports.py", "import rich.table", "The application orchestrates"),
])
def test_a_reversed_arrow_breaks_the_contract(stage: Path, tmp_path: Path, module: str, bad_import: str,
                                              contract: str) -> None:
    bad = tmp_path / "staged"
    shutil.copytree(stage, bad, symlinks=True)
    target = bad / "ledger" / module
    text = target.read_text(encoding="utf-8")
    target.unlink()  # a file of its own, not the link to the source
    target.write_text(f"{text}\n{bad_import}  # a deliberate bad import\n", encoding="utf-8")
    result = _lint_imports(bad)
    assert result.returncode != 0
    broken = [line for line in result.stdout.splitlines() if line.rstrip().endswith("BROKEN")]
    assert broken, result.stdout
    assert any(contract in line for line in result.stdout.splitlines()), result.stdout
    assert bad_import.rsplit(maxsplit=1)[-1].split(".", maxsplit=1)[0] in result.stdout



def test_importing_the_ledger_turns_pydantic_plugins_off() -> None:
    """A plugin installed beside the ledger would see personal data: importing the ledger turns them off,
    whatever the environment said."""
    code = ("import os; os.environ['PYDANTIC_DISABLE_PLUGINS'] = ''; import ledger; "
            "from pydantic.plugin._loader import get_plugins; "
            "print(os.environ['PYDANTIC_DISABLE_PLUGINS'], list(get_plugins()))")
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.split() == ["__all__", "[]"]
