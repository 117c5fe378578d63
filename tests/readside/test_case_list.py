"""``ledger case list``: the filters a manager uses, and each "needs attention" reason."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import TEST_PNR
from tests.helpers import run_cli


@pytest.fixture
def unit(app):
    """Five cases, each needing attention for one reason, and one that needs none."""
    app.add_provider("P1", name="Ett", on="2025-01-01")
    app.add_provider("P2", name="Två", on="2025-01-01")

    def open_(n: int, **kw: str) -> str:
        return app.open_case(TEST_PNR[400 + n], gender="man", environment=kw.get("environment", "criminal"),
                             source="police", on="2025-01-10")

    threat = open_(0)
    app.record_threat(threat, unit="noa", level="high", protection_needed=True, criteria_met=True,
                      review_on="2026-06-01", on="2025-01-11")
    followup = open_(1)
    app.close_case(followup, "goals_met", on="2025-02-01")
    app.record_followup(followup, time_point="closure", housing="own", occupation="work", on="2025-02-01")
    consent = open_(2)
    _conditions_met(app, consent)
    app.grant_consent(consent, "provider", provider="P1", purpose="placering", on="2025-01-11")
    app.record_decision(consent, outcome="granted", intervention="hvb", period_start="2025-01-12", on="2025-01-12")
    app.start_placement(consent, provider="P1", intervention="hvb", daily_price="3000", on="2025-01-12")
    app.revoke_consent(consent, "provider", provider="P1", on="2026-03-01")
    urgent = open_(3)
    app.start_placement(urgent, provider="P2", intervention="protected_housing", daily_price="4000", urgent=True,
                        on="2025-01-12")
    ended = open_(4, environment="honour")
    _conditions_met(app, ended)
    app.record_decision(ended, outcome="granted", intervention="hvb", period_start="2025-01-12",
                        period_end="2025-12-31", on="2025-01-12")
    app.start_placement(ended, provider="P2", intervention="hvb", daily_price="3000", on="2025-01-12")
    calm = open_(5, environment="honour")
    app.record_contact(calm, "phone", on="2025-01-12")
    return {"threat": threat, "followup": followup, "consent": consent, "urgent": urgent, "ended": ended,
            "calm": calm}


def test_each_reason_for_attention(unit, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = run_cli(capsys, db_url, "case", "list", "--needs-attention", "--json")
    assert out.code == 0, out.err
    found = {row["case"]: row["attention"] for row in out.json()}
    assert found == {
        unit["threat"]: ["threat_review_passed"],
        # closed 2025-02-01 with its closure follow-up; 12 months have passed without the next one
        unit["followup"]: ["followup_due"],
        unit["consent"]: ["consent_revoked_running"],
        unit["urgent"]: ["urgent_without_decision"],
        unit["ended"]: ["decision_ended_running"],
    }


def _conditions_met(app: Any, case: str) -> None:
    """A förhandsbedömning that found the guideline's conditions met (so a grant needs no attention)."""
    app.record_assessment(case, "investigate", "needs_support", motivated=True, consent_given=True,
                          serious_crime_suspected=False, on="2025-01-11")


def test_a_grant_without_the_guidelines_conditions_needs_attention(unit, app, db_url: str,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    def reasons(case: str) -> list[str]:
        rows = run_cli(capsys, db_url, "case", "list", "--needs-attention", "--json").json()
        return next((row["attention"] for row in rows if row["case"] == case), [])

    calm = unit["calm"]
    app.record_decision(calm, outcome="granted", intervention="defector_coach", on="2025-02-01")
    assert reasons(calm) == ["condition_no_assessment"]
    app.record_assessment(calm, "investigate", "needs_support", motivated=True, consent_given=None,
                          serious_crime_suspected=True, on="2025-02-02")
    assert reasons(calm) == ["condition_consent", "condition_serious_crime"]
    app.record_assessment(calm, "investigate", "needs_support", motivated=True, consent_given=True,
                          serious_crime_suspected=False, on="2025-02-03")
    assert reasons(calm) == []
    table = run_cli(capsys, db_url, "case", "list", "--needs-attention").out
    assert calm not in table


def test_a_later_decision_covers_an_urgent_placement(unit, app, db_url: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    _conditions_met(app, unit["urgent"])
    app.record_decision(unit["urgent"], outcome="granted", intervention="protected_housing",
                        period_start="2025-01-01", on="2025-01-20")
    out = run_cli(capsys, db_url, "case", "list", "--needs-attention", "--json")
    assert unit["urgent"] not in {row["case"] for row in out.json()}
    assert app.get_case(unit["urgent"]).placements["P1"].decision_id == "D1"


def test_filters(unit, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    def cases(*args: str) -> set[str]:
        out = run_cli(capsys, db_url, "case", "list", "--json", *args)
        assert out.code == 0, out.err
        return {row["case"] for row in out.json()}

    assert cases("--provider", "p2") == {unit["urgent"], unit["ended"]}
    assert cases("--environment", "honour") == {unit["ended"], unit["calm"]}
    assert cases("--status", "closed") == {unit["followup"]}
    assert cases("--recorded-by", "tester") == set(unit.values())
    assert cases("--recorded-by", "someone.else") == set()
    assert cases("--status", "open", "--needs-attention") == {unit["threat"], unit["consent"], unit["urgent"],
                                                               unit["ended"]}


def test_the_days_that_make_a_review_passed_and_a_follow_up_due(app, db_url: str,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """Today is 2026-11-23: a threat review due today has not passed, yesterday's has; the 12-month
    follow-up is due from the day a year (365 days) after the closure."""
    def open_(n: int) -> str:
        return app.open_case(TEST_PNR[420 + n], gender="woman", environment="criminal", source="police",
                             on="2025-01-10")

    review_today, review_yesterday, closed_year_ago, closed_day_later = (open_(n) for n in range(4))
    for case, day in ((review_today, "2026-11-23"), (review_yesterday, "2026-11-22")):
        app.record_threat(case, unit="noa", level="high", protection_needed=True, criteria_met=True,
                          review_on=day, on="2025-01-11")
    for case, day in ((closed_year_ago, "2025-11-23"), (closed_day_later, "2025-11-24")):
        app.close_case(case, "goals_met", on=day)
        app.record_followup(case, time_point="closure", housing="own", occupation="work", on=day)
    out = run_cli(capsys, db_url, "case", "list", "--needs-attention", "--json")
    assert out.code == 0, out.err
    assert {row["case"]: row["attention"] for row in out.json()} == {
        review_yesterday: ["threat_review_passed"], closed_year_ago: ["followup_due"]}


def test_needs_attention_lists_the_same_cases_with_too_many_to_name(unit, db_url: str, monkeypatch: pytest.MonkeyPatch,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """The rows of the cases with a reason are read by naming those cases, up to a bound; above it every
    row is read and the others are left out: the same list either way."""
    from ledger.projections import case_list

    def listed() -> list[tuple[str, list[str]]]:
        out = run_cli(capsys, db_url, "case", "list", "--needs-attention", "--json")
        assert out.code == 0, out.err
        return [(row["case"], row["attention"]) for row in out.json()]

    named = listed()
    monkeypatch.setattr(case_list, "_NAMED_AT_MOST", 0)
    assert listed() == named and len(named) == 5


def test_the_cases_named_in_one_query_fit_what_the_driver_binds(app, db_url: str) -> None:
    """Up to 10 000 cases are named in one query, fewer where the driver binds fewer values (an SQLite
    built before 3.32 binds 999): the query's own filters keep room."""
    from ledger.projections.case_list import named_at_most
    from tests.helpers import store_at

    with store_at(db_url).read() as conn:
        raw = conn.connection.driver_connection
        if db_url.startswith("sqlite"):
            import sqlite3

            previous = raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
            try:
                assert named_at_most(conn) == 899
            finally:
                raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, previous)
        assert named_at_most(conn) == 10_000
