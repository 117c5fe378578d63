"""``ledger.projections.fetch``: a read-side query read through the driver's cursor gives what SQLAlchemy's
own ``conn.execute`` gives for the same query, on both backends — the column names, every value, dates as
``date`` (or ISO text with ``iso_dates``), booleans as ``bool``, integers as ``int``, ids in the stored
form :func:`stored_id` names — and the query's bound values (dates, ids, lists, flags) select the same rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import func, select

from ledger.adapters.schema import cases
from ledger.projections.fetch import fetch, stored_id
from tests.conftest import TEST_PNR
from tests.helpers import Reads, ledger_at

#: Columns of every kind the read side reads: text (one labelled), dates (some never set), integers,
#: booleans (some never set), ids.
COLUMNS = (
    cases.c.case_number.label("case"), cases.c.status, cases.c.opened_on, cases.c.closed_on,
    cases.c.threat_review_on, cases.c.event_count, cases.c.running, cases.c.followup_closure,
    cases.c.motivated, cases.c.serious_crime_suspected, cases.c.assigned_to, cases.c.case_id, cases.c.person_id,
)
NAMES = ["case", "status", "opened_on", "closed_on", "threat_review_on", "event_count", "running",
         "followup_closure", "motivated", "serious_crime_suspected", "assigned_to", "case_id", "person_id"]
DATES = ("opened_on", "closed_on", "threat_review_on")
FLAGS = ("followup_closure", "motivated", "serious_crime_suspected")
IDS = ("case_id", "person_id")


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def side(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reads]:
    """Three cases, made once per backend (the tests only read): one closed with its closure follow-up,
    one with a threat review date and an assessment (the guideline's conditions: motivated, no serious
    crime), one with nothing more."""
    from tests import conftest

    with conftest.fresh_store(request.param, tmp_path_factory.mktemp("fetch")) as url:
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("LEDGER_TODAY", conftest.TODAY)
            app = ledger_at(url, "tester")
            closed = app.open_case(TEST_PNR[610], gender="woman", environment="honour", source="self",
                                   on="2026-02-01")
            app.record_followup(closed, time_point="closure", housing="own", occupation="work", on="2026-02-20")
            app.close_case(closed, "goals_met", on="2026-02-20")
            threat = app.open_case(TEST_PNR[611], gender="man", environment="criminal", source="police",
                                   on="2026-03-05")
            app.record_threat(threat, unit="noa", level="high", protection_needed=True, criteria_met=True,
                              review_on="2026-09-01", on="2026-03-06")
            app.record_assessment(threat, "investigate", "needs_support", motivated=True, consent_given=True,
                                  serious_crime_suspected=False, on="2026-03-07")
            app.open_case(TEST_PNR[612], gender="man", environment="violent_extremist", source="sis", on="2026-04-10")
            reads = Reads(app)
            reads.catch_up()
        yield reads


def _ordered(query: Any) -> Any:
    return query.order_by(cases.c.case_number)


def _by_sqlalchemy(conn: Any, query: Any) -> tuple[list[str], list[dict[str, Any]]]:
    result = conn.execute(query)
    names = list(result.keys())
    return names, [dict(zip(names, row, strict=True)) for row in result]


def test_names_values_and_types_are_what_sqlalchemy_gives(side: Reads) -> None:
    query = _ordered(select(*COLUMNS))
    with side.store.read() as conn:
        names, rows = fetch(conn, query)
        want_names, want = _by_sqlalchemy(conn, query)
        as_stored = stored_id(conn)
        sqlite = conn.dialect.name == "sqlite"
    assert names == want_names == NAMES
    got = [dict(zip(names, row, strict=True)) for row in rows]
    assert [row["case"] for row in got] == ["AVH-2026-0001", "AVH-2026-0002", "AVH-2026-0003"]
    for mine, theirs in zip(got, want, strict=True):
        for name in NAMES:
            expected = as_stored(theirs[name]) if name in IDS else theirs[name]
            assert mine[name] == expected, (mine["case"], name)
            assert type(mine[name]) is type(expected), (mine["case"], name, mine[name])
    closed, threat, plain = got
    # the values themselves, as the events recorded them
    assert (closed["status"], closed["opened_on"], closed["closed_on"]) == ("closed", date(2026, 2, 1),
                                                                             date(2026, 2, 20))
    assert closed["followup_closure"] is True and plain["followup_closure"] is False
    assert threat["threat_review_on"] == date(2026, 9, 1) and plain["threat_review_on"] is None
    assert (threat["motivated"], threat["serious_crime_suspected"]) == (True, False)
    assert (plain["motivated"], plain["serious_crime_suspected"]) == (None, None)
    assert [row["event_count"] for row in got] == [3, 3, 1]
    assert all(type(row["event_count"]) is int and row["running"] == 0 for row in got)
    assert {row["assigned_to"] for row in got} == {"tester"}
    # ids in the stored form: 32 hex digits on SQLite, a UUID on PostgreSQL
    for row in got:
        if sqlite:
            assert isinstance(row["case_id"], str) and len(row["case_id"]) == 32
            assert UUID(hex=row["case_id"]).hex == row["case_id"]
        else:
            assert isinstance(row["case_id"], UUID)
    assert len({row["person_id"] for row in got}) == 3


def test_iso_dates_gives_every_date_as_text_on_both_backends(side: Reads) -> None:
    query = _ordered(select(*COLUMNS))
    with side.store.read() as conn:
        names, rows = fetch(conn, query, iso_dates=True)
        _, want = _by_sqlalchemy(conn, query)
    assert names == NAMES
    got = [dict(zip(names, row, strict=True)) for row in rows]
    for mine, theirs in zip(got, want, strict=True):
        for name in DATES:
            expected = theirs[name].isoformat() if theirs[name] is not None else None
            assert mine[name] == expected and type(mine[name]) is type(expected), (mine["case"], name)
        for name in FLAGS:  # booleans stay booleans
            assert mine[name] == theirs[name] and type(mine[name]) is type(theirs[name]), (mine["case"], name)
    assert [row["opened_on"] for row in got] == ["2026-02-01", "2026-03-05", "2026-04-10"]
    assert [row["closed_on"] for row in got] == ["2026-02-20", None, None]


def test_bound_dates_ids_lists_and_flags_select_the_same_rows(side: Reads) -> None:
    with side.store.read() as conn:
        every = {row.case: row for row in conn.execute(select(*COLUMNS))}
        threat_id = every["AVH-2026-0002"].case_id
        assert isinstance(threat_id, UUID)
        queries = {
            "a date": (cases.c.opened_on >= date(2026, 3, 1), ["AVH-2026-0002", "AVH-2026-0003"]),
            "a date range": (cases.c.opened_on.between(date(2026, 2, 1), date(2026, 3, 31)),
                             ["AVH-2026-0001", "AVH-2026-0002"]),
            "an id": (cases.c.case_id == threat_id, ["AVH-2026-0002"]),
            "ids": (cases.c.case_id.in_([threat_id, every["AVH-2026-0003"].case_id]),
                    ["AVH-2026-0002", "AVH-2026-0003"]),
            "a list": (cases.c.case_number.in_(["AVH-2026-0001", "AVH-2026-0003", "AVH-2026-0099"]),
                       ["AVH-2026-0001", "AVH-2026-0003"]),
            "a flag": (cases.c.followup_closure.is_(True), ["AVH-2026-0001"]),
            "a flag and a date": ((cases.c.motivated == True) & (cases.c.threat_review_on > date(2026, 8, 31)),  # noqa: E712
                                  ["AVH-2026-0002"]),
            "text": (cases.c.status == "open", ["AVH-2026-0002", "AVH-2026-0003"]),
            "nothing": (cases.c.opened_on > date(2026, 11, 1), []),
        }
        for what, (where, expected) in queries.items():
            query = _ordered(select(*COLUMNS).where(where))
            names, rows = fetch(conn, query)
            _, want = _by_sqlalchemy(conn, query)
            assert names == NAMES, what
            assert [row[0] for row in rows] == [row["case"] for row in want] == expected, what


def test_an_aggregate_and_an_empty_result(side: Reads) -> None:
    counted = select(cases.c.status, func.count().label("cases"), func.max(cases.c.opened_on).label("latest")) \
        .group_by(cases.c.status).order_by(cases.c.status)
    with side.store.read() as conn:
        names, rows = fetch(conn, counted)
        _, want = _by_sqlalchemy(conn, counted)
        empty_names, empty = fetch(conn, select(*COLUMNS).where(cases.c.status == "no such status"))
    assert names == ["status", "cases", "latest"]
    assert [list(row) for row in rows] == [list(row.values()) for row in want] == [
        ["closed", 1, date(2026, 2, 1)], ["open", 2, date(2026, 4, 10)]]
    assert all(type(row[1]) is int and type(row[2]) is date for row in rows)
    assert (empty_names, empty) == (NAMES, [])
