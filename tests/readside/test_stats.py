"""Statistics on a known history: expected tables, expected suppressed cells, four formats, merge."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

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
    from ledger.domain.disclosure import disclose, hidden_cells
    from tests.helpers import Reads as ReadSide

    raw = ReadSide(history).stats(2026)
    shown = disclose(raw, threshold=5)
    flow = _table(shown, "flow_by_gender")
    row = flow["rows"].index("actualised")
    # man = 1 is hidden (primary); with the total 7 shown, woman would reveal it: hidden too (secondary)
    assert flow["values"][row] == ["..", "..", 0, 0, 7]
    assert flow["suppressed"][row] == [True, True, False, False, False]  # that it is hidden, never why
    index = [t["id"] for t in raw["tables"]].index("flow_by_gender")
    why = hidden_cells(raw, 5)
    assert (why[(index, row, 0)], why[(index, row, 1)]) == ("secondary", "primary")
    # investigated: woman 5 shown; granted: 3 women, hidden with its total
    assert _cell(flow, "investigated", "woman") == 5
    assert _cell(flow, "granted", "woman") == ".."
    assert _cell(flow, "granted", "total") == ".."
    # the granted total is hidden in every flow table (the same number)
    for dim in ("age_band", "environment", "referral_source", "protection_need"):
        assert _cell(_table(shown, f"flow_by_{dim}"), "granted", "total") == ".."
    # money and medians resting on 3 people are hidden, and so is what is derived from them
    interventions = _table(shown, "interventions")
    assert _cell(interventions, "hvb", "median_days") == ".."
    assert _cell(interventions, "hvb", "providers") is None  # residential: never published
    costs = _table(shown, "costs_by_intervention")
    assert [_cell(costs, "hvb", col) for col in costs["cols"]] == ["..", "..", ".."]
    summary = _table(shown, "cost_summary")
    # no grants (nobody: shown); no budget: its share is nothing, but whether it is rests on three people
    assert [_cell(summary, f, "value") for f in summary["rows"]] == ["..", "0.00", "..", None, ".."]
    # a lower threshold shows them
    low = disclose(ReadSide(history).stats(2026), threshold=2)
    assert _cell(_table(low, "flow_by_gender"), "granted", "woman") == 3


def test_json_carries_metadata_and_english_codes(history, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = run_cli(capsys, db_url, "stats", "2026", "--format", "json", "--municipality", "Testkommun")
    assert out.code == 0, out.err
    document = out.json()
    assert document["metadata"]["municipality"] == "Testkommun"
    assert document["metadata"]["year"] == 2026
    assert document["metadata"]["suppression"]["applied"] is True
    assert {"produced_at", "ledger_version"} <= set(document["metadata"])
    assert "raw" not in document
    flow = _table(document, "flow_by_gender")
    assert flow["rows"][0] == "actualised" and flow["cols"][0] == "woman"
    assert _cell(flow, "actualised", "man") == ".."
    assert _cell(_table(document, "costs_by_intervention"), "total", "paid") == ".."
    # --json is the same
    again = run_cli(capsys, db_url, "stats", "2026", "--json", "--municipality", "Testkommun")
    assert again.code == 0, again.err
    assert {**again.json(), "metadata": None} == {**document, "metadata": None}
    refused = run_cli(capsys, db_url, "stats", "2026", "--json", "--format", "csv")
    assert refused.code == 2 and "--json" in refused.err


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


def _five_plus_two(app) -> None:
    """Five people in protected housing at one provider (129 600 kr each), two of them also with a
    defector coach (32 350 kr each): 648 000 + 64 700 = 712 700 kr paid in 2026."""
    app.add_provider("SKYDD1", name="Skyddat boende Nord AB", on="2026-01-01")
    app.add_provider("COACH1", name="Coachen AB", on="2026-01-01")
    for n in range(5):
        case = app.open_case(TEST_PNR[220 + n], gender="man", environment="criminal", source="police",
                             on="2026-01-10")
        app.record_assessment(case, "investigate", "needs_support", on="2026-01-11")
        app.open_investigation(case, on="2026-01-12")
        app.record_decision(case, outcome="granted", intervention="protected_housing", period_start="2026-02-01",
                            period_end="2026-12-31", on="2026-02-01")
        placement = app.start_placement(case, provider="SKYDD1", intervention="protected_housing",
                                        daily_price="3 600", on="2026-02-01")
        app.record_payment(case, "129 600", period_start="2026-02-01", period_end="2026-03-08", placement=placement,
                           on="2026-03-10")
        if n < 2:
            app.record_decision(case, outcome="granted", intervention="defector_coach", period_start="2026-02-01",
                                period_end="2026-12-31", on="2026-02-01")
            service = app.start_service(case, provider="COACH1", intervention="defector_coach", price="32 350",
                                        price_unit="month", on="2026-02-01")
            app.record_payment(case, "32 350", period_start="2026-02-01", period_end="2026-02-28", service=service,
                               on="2026-03-10")


def test_five_in_protected_housing_two_with_a_coach_the_coach_cost_stays_hidden(
    app, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 12: the published costs row hid protected housing's sum but showed its people (5) and its
    paid per person (129 600), so the coach's 64 700 was 712 700 − 5 × 129 600. Now the per-person
    amount goes with the hidden sum, and nothing published gives the coach's cost."""
    from tests.unit.test_disclosure_property import published_leaks

    _five_plus_two(app)
    raw = run_cli(capsys, db_url, "stats", "2026", "--json", "--no-suppression")
    assert raw.code == 0, raw.err
    costs = _table(raw.json(), "costs_by_intervention")
    assert (_cell(costs, "protected_housing", "paid"), _cell(costs, "defector_coach", "paid"),
            _cell(costs, "total", "paid")) == ("648000.00", "64700.00", "712700.00")

    out = run_cli(capsys, db_url, "stats", "2026", "--json")
    assert out.code == 0, out.err
    shown = out.json()
    costs = _table(shown, "costs_by_intervention")
    assert [_cell(costs, "defector_coach", col) for col in costs["cols"]] == ["..", "..", ".."]
    assert _cell(costs, "protected_housing", "paid") == ".."
    assert _cell(costs, "protected_housing", "paid_per_person") == ".."
    published = [v for t in shown["tables"] for row in t["values"] for v in row]
    assert "64700.00" not in published and "129600.00" not in published
    # one protected-housing provider: no provider count of a residential intervention is published
    interventions = _table(shown, "interventions")
    assert _cell(interventions, "protected_housing", "providers") is None
    assert _cell(interventions, "defector_coach", "providers") == ".."
    assert published_leaks(raw.json()["raw"]) == []


def test_a_reports_parts_list_the_intervention_types_in_the_vocabularys_order_whatever_the_rows_order() -> None:
    """PostgreSQL gives the rows in the order they lie in; the parts of an unsuppressed report must not
    follow it (they are compared and merged between municipalities)."""
    from datetime import date

    from ledger.projections.stats import INTERVENTIONS, cost_parts, intervention_parts

    def row(kind: str, intervention: str, person: str) -> dict:
        return {"kind": kind, "intervention": intervention, "provider": "P", "started_on": date(2026, 2, 1),
                "ended_on": None, "person_id": person}

    running = [row("service", "outreach", "a"), row("placement", "hvb", "b"), row("placement", "protected_housing", "c"),
               row("service", "contact_person", "d")]
    paid = [("outreach", "a", 100), ("hvb", "b", 200), ("protected_housing", "c", 300)]
    wanted = [kind for kind in INTERVENTIONS if kind in {"outreach", "hvb", "protected_housing", "contact_person"}]
    for rows, payments in ((running, paid), (running[::-1], paid[::-1])):
        parts = intervention_parts(rows, 2026, date(2026, 12, 31))
        assert list(parts["people"]) == [*wanted, "total"]
        assert list(parts["placement_people"]) == [k for k in wanted if k in ("hvb", "protected_housing")] + ["total"]
        assert list(parts["care_days"]) == list(parts["lengths"]) == list(parts["placement_people"])
        assert list(parts["providers"]) == ["outreach", "contact_person", "total"]
        costs = cost_parts(payments)
        assert list(costs["paid_ore"]) == list(costs["payers"]) == [k for k in wanted if k != "contact_person"] + ["total"]


def test_a_person_paid_for_in_two_cases_is_one_payer_and_a_case_opened_in_error_is_in_no_table(app) -> None:
    """``paid`` comes per case and intervention: the same person's two cases paid for the same
    intervention count one person in its row, in the total and in the summary. A case closed as opened
    in error is left out of the household table (read past the store's index of such cases)."""
    from tests.helpers import Reads as ReadSide

    app.add_provider("HVB1", name="HVB Norr", on="2026-01-01")

    def paid_case(identity: str, paid: str, on: str, until: str) -> str:
        case = app.open_case(identity, gender="woman", environment="honour", source="social_services", on=on)
        app.record_decision(case, outcome="granted", intervention="hvb", period_start=on, period_end=until, on=on)
        placement = app.start_placement(case, provider="HVB1", intervention="hvb", daily_price="1 000", on=on)
        app.end_placement(case, placement, reason="planned", on=until)
        app.record_payment(case, paid, period_start=on, period_end=until, placement=placement, on=until)
        app.close_case(case, "goals_met", on=until)
        return case

    paid_case(TEST_PNR[210], "10 000", "2026-01-05", "2026-01-14")
    paid_case(TEST_PNR[210], "5 000", "2026-03-02", "2026-03-06")
    paid_case(TEST_PNR[211], "3 000", "2026-05-04", "2026-05-06")
    kept = app.open_case(TEST_PNR[212], gender="man", environment="criminal", source="police", on="2026-06-01")
    app.record_child(kept, on="2026-06-02")
    wrong = app.open_case(TEST_PNR[213], gender="man", environment="criminal", source="police", on="2026-06-01")
    app.record_child(wrong, on="2026-06-02")
    app.record_relative(wrong, "parent", on="2026-06-02")
    app.close_case(wrong, "opened_in_error", on="2026-06-03")

    raw = ReadSide(app).stats(2026)
    costs = _table(raw, "costs_by_intervention")
    assert [_cell(costs, "hvb", col) for col in ("paid", "people")] == ["18000.00", 2]
    assert [_cell(costs, "total", col) for col in ("paid", "people")] == ["18000.00", 2]
    assert costs["parts"]["payers"] == {"hvb": 2, "total": 2}
    summary = _table(raw, "cost_summary")
    assert summary["parts"]["payers"] == 2 and summary["parts"]["paid_ore"] == 1_800_000
    household = _table(raw, "children_and_relatives")
    assert _cell(household, "children", "count") == 1
    assert _cell(household, "relative:parent", "count") == 0
    flow = _table(raw, "flow_by_gender")
    assert _cell(flow, "actualised", "man") == 1


def test_the_years_follow_ups_and_household_notes_find_the_cases_opened_in_error_by_their_index(
    app, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The queries ``build`` sends leave out the cases opened in error through the partial index of those
    cases, on both databases: a partial index is used only for the condition it was made with (SQLAlchemy
    writes ``excluded = 1`` on SQLite), and without it each query scans every case."""
    import ledger.projections.fetch as fetching
    from tests.helpers import Reads as ReadSide

    _history(app)
    sent: list[tuple[str, Any]] = []
    real = fetching.driver_query

    def recording(conn: Any, sql: str, args: Any) -> Any:
        sent.append((sql, args))
        return real(conn, sql, args)

    monkeypatch.setattr(fetching, "driver_query", recording)
    side = ReadSide(app)
    side.stats(2026)
    leaving_out = [(sql, args) for sql, args in sent if "proj_stats_followups" in sql or "proj_stats_household" in sql]
    assert len(leaving_out) == 2
    with side.store.read() as conn:
        for sql, args in leaving_out:
            if conn.dialect.name == "sqlite":
                plan = " ".join(str(row[-1]) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", args))
            else:
                conn.exec_driver_sql("SET LOCAL enable_seqscan = off")  # a few rows: the index only if it may
                plan = " ".join(row[0] for row in conn.exec_driver_sql(f"EXPLAIN {sql}", args))
            assert "proj_stats_cases_excluded" in plan, plan
