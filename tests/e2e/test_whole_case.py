"""A whole case recorded through the CLI is reflected exactly by ``case show --json``."""

from __future__ import annotations

import pytest

from tests.conftest import TEST_PNR
from tests.helpers import STORE_SETUP_EVENTS, event_count, run_cli


def test_whole_case_through_the_cli(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    def ok(*args: str) -> str:
        result = run_cli(capsys, db_url, *args)
        assert result.code == 0, result.err
        return result.out

    ok("provider", "add", "SKYDD1", "--name", "Skyddat boende Nord AB", "--date", "2026-01-02")
    opened = run_cli(
        capsys, db_url, "case", "open", TEST_PNR[100], "--gender", "woman", "--environment", "honour",
        "--source", "social_services", "--date", "2026-01-05", "--json",
    )
    assert opened.code == 0, opened.err
    case = opened.json()["case"]
    assert case == "AVH-2026-0001"
    ok("consent", "grant", case, "--recipient", "police", "--purpose", "samverkan", "--date", "2026-01-06")
    ok("consent", "grant", case, "--recipient", "provider", "--provider", "skydd1", "--purpose", "placering",
       "--date", "2026-01-06")
    ok("threat", "record", case, "--unit", "regional_coordinator", "--level", "high", "--protection-needed",
       "--criteria-met", "--review-on", "2026-07-01", "--date", "2026-01-08")
    ok("decision", "record", case, "--outcome", "granted", "--intervention", "protected_housing",
       "--from", "2026-01-10", "--to", "2026-06-30", "--daily-price", "3 000,00", "--date", "2026-01-09")
    ok("placement", "start", case, "--provider", "SKYDD1", "--intervention", "protected_housing",
       "--daily-price", "3 000,00", "--planned-end", "2026-06-30", "--date", "2026-01-10")
    ok("payment", "record", case, "66 000,00", "--placement", "P1", "--from", "2026-01-10", "--to", "2026-01-31",
       "--invoice", "F-1", "--date", "2026-02-03")
    ok("payment", "record", case, "84000", "--placement", "P1", "--from", "2026-02-01", "--to", "2026-02-28",
       "--invoice", "F-2", "--date", "2026-03-03")
    ok("payment", "reverse", case, "B2", "--amount", "3 000,50", "--date", "2026-03-10")
    ok("placement", "end", case, "P1", "--reason", "planned", "--date", "2026-03-15")
    ok("followup", "record", case, "--time-point", "closure", "--housing", "own", "--occupation", "studies",
       "--date", "2026-03-20")
    ok("case", "close", case, "--reason", "goals_met", "--date", "2026-03-20")

    view = run_cli(capsys, db_url, "case", "show", case, "--json").json()
    assert view["case"] == case
    assert view["status"] == "closed"
    assert view["opened_on"] == "2026-01-05"
    assert view["environment"] == "honour"
    assert view["referral_source"] == "social_services"
    assert view["consents"] == {
        "police": {"granted_on": "2026-01-06", "revoked_on": None, "valid_until": None, "form": "written", "active": True},
        "provider:SKYDD1": {
            "granted_on": "2026-01-06", "revoked_on": None, "valid_until": None, "form": "written", "active": True,
        },
    }
    assert view["threat"]["level"] == "high"
    assert view["threat"]["protection_needed"] is True
    assert view["threat"]["assessed_on"] == "2026-01-08"
    assert [(p["id"], p["provider"], p["type"], p["started_on"], p["ended_on"], p["daily_price"])
            for p in view["placements"]] == [("P1", "SKYDD1", "protected_housing", "2026-01-10", "2026-03-15", "3000.00")]
    assert view["paid_total"] == "146999.50"
    assert view["event_count"] == 12
    # 12 case events + provider + person (registered, case linked) + case-number allocation + the store's own
    assert event_count(db_url) == 16 + STORE_SETUP_EVENTS
