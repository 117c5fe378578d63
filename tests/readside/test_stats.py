"""Statistics on a known history: expected tables, expected suppressed cells, four formats, merge."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.conftest import TEST_PNR
from tests.helpers import run_cli


def _history(app) -> None:
    """Seven cases actualised in 2026: six women (honour), one man (criminal)."""
    app.add_provider("HVB1", name="HVB Norr", on="2026-01-01")
    for n in range(7):
        gender, environment = ("man", "criminal") if n == 6 else ("woman", "honour")
        case = app.open_case(TEST_PNR[200 + n], gender=gender, environment=environment, source="social_services",
                             on="2026-02-01")
        app.record_assessment(case, "investigate", "needs_support", on="2026-02-02")
        if n < 5:
            app.open_investigation(case, on="2026-02-03")
        if n < 2:
            continue
        if n >= 5:
            continue
        app.record_decision(case, outcome="granted", intervention="hvb", period_start="2026-03-01",
                            period_end="2026-12-31", on="2026-03-01")
        placement = app.start_placement(case, provider="HVB1", intervention="hvb", daily_price="3 000",
                                        on="2026-03-01")
        app.end_placement(case, placement, reason="planned", on="2026-03-10")
        app.record_payment(case, "30 000", period_start="2026-03-01", period_end="2026-03-10",
                           placement=placement, on="2026-04-01")
        app.close_case(case, "goals_met", on="2026-04-02")
        app.record_followup(case, time_point="closure", housing="own", occupation="work", on="2026-04-02")


@pytest.fixture
def history(app):
    _history(app)
    return app


def _table(report: dict, table_id: str) -> dict:
    return next(t for t in report["tables"] if t["id"] == table_id)


def _cell(table: dict, row: str, col: str):
    return table["values"][table["rows"].index(row)][table["cols"].index(col)]


def test_raw_tables_count_the_known_history(history) -> None:
    from tests.helpers import Reads as ReadSide

    raw = ReadSide(history).stats(2026)
    flow = _table(raw, "flow_by_gender")
    assert [_cell(flow, step, "woman") for step in ("actualised", "assessed", "investigated", "granted")] == [6, 6, 5, 3]
    assert _cell(flow, "actualised", "man") == 1
    assert _cell(flow, "actualised", "total") == 7
    interventions = _table(raw, "interventions")
    assert _cell(interventions, "hvb", "people") == 3
    assert _cell(interventions, "hvb", "care_days") == 30
    assert _cell(interventions, "hvb", "median_days") == 10.0
    costs = _table(raw, "costs_by_intervention")
    assert _cell(costs, "hvb", "paid") == "90000.00"
    outcome = _table(raw, "outcome_housing")
    assert _cell(outcome, "own", "closure") == 3


def test_suppression_primary_and_secondary(history) -> None:
    from ledger.domain.disclosure import disclose
    from tests.helpers import Reads as ReadSide

    shown = disclose(ReadSide(history).stats(2026), threshold=5)
    flow = _table(shown, "flow_by_gender")
    row = flow["rows"].index("actualised")
    # man = 1 is hidden (primary); with the total 7 shown, woman would reveal it: hidden too (secondary)
    assert flow["values"][row] == ["..", "..", 0, 0, 7]
    assert flow["suppressed"][row] == ["secondary", "primary", "", "", ""]
    # investigated: woman 5 shown; granted: 3 women, hidden with its total
    assert _cell(flow, "investigated", "woman") == 5
    assert _cell(flow, "granted", "woman") == ".."
    assert _cell(flow, "granted", "total") == ".."
    # money and medians resting on 3 people are hidden
    interventions = _table(shown, "interventions")
    assert _cell(interventions, "hvb", "median_days") == ".."
    assert _cell(_table(shown, "costs_by_intervention"), "hvb", "paid") == ".."
    # a lower threshold shows them
    low = disclose(ReadSide(history).stats(2026), threshold=2)
    assert _cell(_table(low, "flow_by_gender"), "granted", "woman") == 3


def test_four_formats_carry_metadata_and_the_same_cells(
    history, db_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = run_cli(capsys, db_url, "stats", "2026", "--format", "json", "--municipality", "Testkommun")
    assert out.code == 0, out.err
    document = out.json()
    assert document["metadata"]["municipality"] == "Testkommun"
    assert document["metadata"]["year"] == 2026
    assert document["metadata"]["suppression"]["applied"] is True
    assert {"produced_at", "ledger_version"} <= set(document["metadata"])
    assert "raw" not in document
    assert _cell(_table(document, "flow_by_gender"), "actualised", "man") == ".."

    out = run_cli(capsys, db_url, "stats", "2026", "--format", "csv")
    assert out.code == 0, out.err
    body = "\n".join(line for line in out.out.splitlines() if not line.startswith("#"))
    rows = {(r["table"], r["row"], r["column"]): r for r in csv.DictReader(io.StringIO(body))}
    assert rows[("flow_by_gender", "actualised", "man")]["value"] == ".."
    assert rows[("flow_by_gender", "actualised", "total")]["value"] == "7"
    assert "# suppression.threshold: 5" in out.out

    path = tmp_path / "stats.xlsx"
    out = run_cli(capsys, db_url, "stats", "2026", "--format", "xlsx", "--out", str(path))
    assert out.code == 0, out.err
    from openpyxl import load_workbook

    book = load_workbook(path)
    assert book["metadata"]["A1"].value == "municipality"
    sheet = book["flow_by_gender"]
    assert [c.value for c in sheet[2]] == ["actualised", "..", "..", 0, 0, 7]

    out = run_cli(capsys, db_url, "stats", "2026", "--format", "table")
    assert out.code == 0, out.err
    assert ".." in out.out and "Flöde per kön" in out.out


def test_no_suppression_says_internal_use(history, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = run_cli(capsys, db_url, "stats", "2026", "--format", "json", "--no-suppression")
    assert out.code == 0, out.err
    document = out.json()
    assert document["metadata"]["suppression"]["applied"] is False
    assert "internal use only" in document["metadata"]["suppression"]["rule"]
    assert "internt bruk" in out.err
    assert _cell(_table(document, "flow_by_gender"), "actualised", "man") == 1


def test_merge_resuppresses(history, db_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    files = []
    for name in ("Aby", "Bby"):
        path = tmp_path / f"{name}.json"
        out = run_cli(capsys, db_url, "stats", "2026", "--format", "json", "--no-suppression", "--municipality", name,
                      "--out", str(path))
        assert out.code == 0, out.err
        files.append(str(path))
    merged = run_cli(capsys, db_url, "stats", "merge", *files, "--format", "json")
    assert merged.code == 0, merged.err
    document = merged.json()
    assert document["metadata"]["merged_from"] == ["Aby", "Bby"]
    flow = _table(document, "flow_by_gender")
    # 2 x (6 women, 1 man): the man cell (2) is still hidden, so is one more; totals 14 shown
    assert _cell(flow, "actualised", "man") == ".."
    assert _cell(flow, "actualised", "total") == 14
    # 2 x 3 granted women = 6: no longer hidden after merging
    assert _cell(flow, "granted", "woman") == 6
    interventions = _table(document, "interventions")
    assert _cell(interventions, "hvb", "people") == 6
    assert _cell(interventions, "hvb", "median_days") == 10.0

    suppressed = tmp_path / "suppressed.json"
    run_cli(capsys, db_url, "stats", "2026", "--format", "json", "--out", str(suppressed))
    refused = run_cli(capsys, db_url, "stats", "merge", str(suppressed), files[0])
    assert refused.code == 2
    assert "--no-suppression" in refused.err
    assert json.loads(Path(files[0]).read_text())["raw"]["year"] == 2026
