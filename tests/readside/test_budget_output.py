"""``ledger budget show``: the table with its terminal bar chart, breakdowns and the plot file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import TEST_PNR
from tests.helpers import run_cli


@pytest.fixture
def store(sqlite_url: str) -> str:
    from tests.helpers import ledger_at

    app = ledger_at(sqlite_url, "tester")
    app.set_budget(2026, "1 000 000", on="2026-01-01")
    app.add_provider("P1", name="Ett", on="2026-01-01")
    case = app.open_case(TEST_PNR[500], gender="woman", environment="honour", source="self", on="2026-01-02")
    app.start_placement(case, provider="P1", intervention="hvb", daily_price="3 000", urgent=True, on="2026-01-02")
    app.record_payment(case, "90 000", period_start="2026-01-02", period_end="2026-01-31", placement="P1",
                       on="2026-02-02")
    return sqlite_url


def test_table_has_figures_and_a_bar_per_month(store: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = run_cli(capsys, store, "budget", "show", "2026")
    assert out.code == 0, out.err
    assert "1 000 000,00" in out.out.replace("\u00a0", " ")
    assert "Kvar" in out.out and "Prognos helår" in out.out
    bars = [line for line in out.out.splitlines() if line.strip().startswith("2026-")]
    assert len(bars) == 12
    assert "█" in bars[0] and "|" in bars[0]


def test_breakdown_must_be_known(store: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = run_cli(capsys, store, "budget", "show", "2026", "--by", "colour")
    assert out.code == 2
    assert "provider, intervention, case, month" in out.err


@pytest.mark.parametrize("suffix, magic", [(".png", b"\x89PNG"), (".svg", b"<?xml")])
def test_plot_file(store: str, capsys: pytest.CaptureFixture[str], tmp_path: Path, suffix: str, magic: bytes) -> None:
    pytest.importorskip("matplotlib")
    path = tmp_path / f"budget{suffix}"
    out = run_cli(capsys, store, "budget", "show", "2026", "--plot", str(path))
    assert out.code == 0, out.err
    data = path.read_bytes()
    assert data.startswith(magic)
    assert len(data) > 5000
