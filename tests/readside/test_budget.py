"""Budget figures for a recorded scenario match hand-computed values to the öre."""

from __future__ import annotations

import pytest

from tests.conftest import TEST_PNR


@pytest.fixture
def scenario(app):
    app.set_budget(2026, "7 025 000", on="2026-01-01")
    app.adjust_budget(2026, "+250 000", on="2026-03-01")
    app.add_provider("HVB1", name="HVB Norr", on="2026-01-01")
    app.add_provider("COACH", name="Coach AB", on="2025-01-01")
    a = app.open_case(TEST_PNR[10], gender="man", environment="criminal", source="police", on="2026-01-05")
    app.record_decision(a, outcome="granted", intervention="hvb", period_start="2026-01-10",
                        period_end="2026-12-31", on="2026-01-09")
    p1 = app.start_placement(a, provider="HVB1", intervention="hvb", daily_price="3 000", planned_end="2026-12-31",
                             on="2026-01-10")
    app.record_payment(a, "66 000", period_start="2026-01-10", period_end="2026-01-31", placement=p1, on="2026-02-03")
    b2 = app.record_payment(a, "84 000,00", period_start="2026-02-01", period_end="2026-02-28", placement=p1,
                            on="2026-03-03")
    app.reverse_payment(a, b2, amount="3 000,50", on="2026-03-10")
    app.apply_grant(a, reference="A-1/26", amount="200 000", period_start="2026-01-01", period_end="2026-12-31",
                    on="2026-02-01")
    app.decide_grant(a, reference="A-1/26", outcome="partly_granted", amount="150 000", on="2026-04-01")
    b = app.open_case(TEST_PNR[11], gender="woman", environment="honour", source="self", on="2025-12-01")
    app.record_decision(b, outcome="granted", intervention="defector_coach", period_start="2025-12-01",
                        on="2025-12-01")
    s1 = app.start_service(b, provider="COACH", intervention="defector_coach", price="31 000", price_unit="once",
                           on="2025-12-15")
    app.record_payment(b, "31 000", period_start="2025-12-15", period_end="2026-01-14", service=s1, on="2026-01-20")
    return app


def test_budget_year_figures_to_the_ore(scenario) -> None:
    from tests.helpers import Reads as ReadSide

    report = ReadSide(scenario).budget(2026)
    assert report["budget"] == "7275000.00"
    assert report["budget_set"] == "7025000.00"
    assert report["budget_adjusted"] == "250000.00"
    # 66 000 + 84 000 - 3 000.50 for the placement, and 14 of the 31 days of the coach invoice
    assert report["paid"] == "160999.50"
    assert report["remaining"] == "7114000.50"
    # paid through 28 February; 1 March - 31 December is 306 days at 3 000
    assert report["committed"] == "918000.00"
    assert report["forecast_year_end"] == "1078999.50"
    assert report["state_grants"] == "150000.00"
    assert report["net_cost"] == "10999.50"
    assert report["clients_with_payments"] == 2
    assert report["providers_with_payments"] == 2
    assert [m["paid"] for m in report["months"][:3]] == ["80000.00", "80999.50", "0.00"]
    assert report["budget_runs_out"] is None


def test_payment_over_new_year_is_split_by_days(scenario) -> None:
    from tests.helpers import Reads as ReadSide

    side = ReadSide(scenario)
    assert side.budget(2025)["paid"] == "17000.00"
    assert side.budget(2026, by="provider")["rows"] == [
        {"key": "COACH", "paid": "14000.00", "committed": "0.00", "forecast": "14000.00"},
        {"key": "HVB1", "paid": "146999.50", "committed": "918000.00", "forecast": "1064999.50"},
    ]
    by_case = {row["key"]: row["paid"] for row in side.budget(2026, by="case")["rows"]}
    assert by_case == {"AVH-2026-0001": "146999.50", "AVH-2026-0002": "14000.00"}


def test_seed_document_figures(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Huddinge, May 2023: budget 7 025 000 kr, 3 055 730 kr paid -> 3 969 270 kr remaining."""
    from tests.helpers import Reads as ReadSide
    from tests.helpers import ledger_at

    monkeypatch.setenv("LEDGER_TODAY", "2023-05-31")
    app = ledger_at(sqlite_url, "tester")
    app.set_budget(2023, "7 025 000", on="2023-01-01")
    app.add_provider("P1", name="Utförare", on="2023-01-01")
    case = app.open_case(TEST_PNR[12], gender="man", environment="criminal", source="police", on="2023-01-02")
    app.record_decision(case, outcome="granted", intervention="hvb", period_start="2023-01-02", on="2023-01-02")
    placement = app.start_placement(case, provider="P1", intervention="hvb", daily_price="3 000", on="2023-01-02")
    for amount, start, end in (("1 000 000", "2023-01-02", "2023-02-15"), ("1 055 730", "2023-02-16", "2023-03-31"),
                               ("1 000 000", "2023-04-01", "2023-04-30")):
        app.record_payment(case, amount, period_start=start, period_end=end, placement=placement, on="2023-05-10",
                           over_price="the seed gives totals, not days at a daily price")
    report = ReadSide(app).budget(2023)
    assert report["paid"] == "3055730.00"
    assert report["remaining"] == "3969270.00"


def test_budget_runs_out_month(sqlite_url: str) -> None:
    from tests.helpers import Reads as ReadSide
    from tests.helpers import ledger_at

    app = ledger_at(sqlite_url, "tester")
    app.set_budget(2026, "500 000", on="2026-01-01")
    app.add_provider("P1", name="Utförare", on="2026-01-01")
    case = app.open_case(TEST_PNR[13], gender="man", environment="criminal", source="police", on="2026-01-01")
    app.start_placement(case, provider="P1", intervention="hvb", daily_price="4 000", urgent=True, on="2026-01-01")
    report = ReadSide(app).budget(2026)
    # nothing paid yet: 4 000 a day from 1 January passes 500 000 on day 126, in May
    assert report["paid"] == "0.00"
    assert report["committed"] == "1460000.00"
    assert report["budget_runs_out"] == "2026-05"
