"""``ledger case list --person`` together with ``--needs-attention``, ``--mine`` and ``--limit``, through the
command line on both backends: each filter narrows the others' answer, newest case first, and a page
(``--limit``) counts what the combined filters found.

Two persons, six cases (a person has one open case at a time, so earlier ones are closed):

| case | person | opened     | by     | state                                     | needs attention      |
|------|--------|------------|--------|-------------------------------------------|----------------------|
| 0001 | A      | 2026-01-05 | anna.l | closed without its closure follow-up      | followup_due         |
| 0002 | B      | 2026-01-06 | anna.l | closed without its closure follow-up      | followup_due         |
| 0003 | A      | 2026-02-10 | bo.k   | closed without its closure follow-up      | followup_due         |
| 0004 | A      | 2026-03-10 | anna.l | closed with its closure follow-up         | –                    |
| 0005 | A      | 2026-04-10 | anna.l | open, the threat review date has passed   | threat_review_passed |
| 0006 | B      | 2026-05-01 | anna.l | open, nothing due                         | –                    |
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout

import pytest

from tests.conftest import TEST_PNR
from tests.helpers import Result, run_cli, training_store

PERSON_A, PERSON_B = TEST_PNR[620], TEST_PNR[621]
A1, B1, A2, A3, A4, B2 = (f"AVH-2026-000{n}" for n in range(1, 7))
PAGE = "Visar de {shown} nyaste av {total} ärenden"


def ok(capsys: pytest.CaptureFixture[str], db: str, user: str, *args: str) -> Result:
    result = run_cli(capsys, db, "--as", user, *args)
    assert result.code == 0, (user, args, result.err)
    return result


def _setup(db: str, user: str, *args: str) -> str:
    """One command run for the module's store (capsys is per test): its output, or the test fails."""
    from ledger.cli.main import main

    training_store(db, user)
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            main(["--db", db, "--as", user, *args])
        except SystemExit as stop:
            assert not stop.code, (args, err.getvalue())
    return out.getvalue()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def two_persons(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The six cases of the table above, recorded once per backend through the command line (the tests
    only list them)."""
    from tests import conftest

    with conftest.fresh_store(request.param, tmp_path_factory.mktemp("persons")) as db:
        _record_two_persons(db, conftest.TODAY)
        yield db


def _record_two_persons(db: str, today: str) -> None:
    """The table's six cases, through the command line."""

    def open_(user: str, person: str, on: str, case: str) -> None:
        opened = json.loads(_setup(db, user, "case", "open", person, "--gender", "woman", "--environment", "honour",
                                   "--source", "self", "--date", on, "--json"))
        assert opened["case"] == case

    def close(user: str, case: str, on: str, *, followup: bool) -> None:
        if followup:
            _setup(db, user, "followup", "record", case, "--time-point", "closure", "--housing", "own",
                   "--occupation", "work", "--date", on)
        _setup(db, user, "case", "close", case, "--reason", "goals_met", "--date", on)

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LEDGER_TODAY", today)
        open_("anna.l", PERSON_A, "2026-01-05", A1)
        close("anna.l", A1, "2026-02-01", followup=False)
        open_("anna.l", PERSON_B, "2026-01-06", B1)
        close("anna.l", B1, "2026-01-20", followup=False)
        open_("bo.k", PERSON_A, "2026-02-10", A2)
        close("bo.k", A2, "2026-03-01", followup=False)
        open_("anna.l", PERSON_A, "2026-03-10", A3)
        close("anna.l", A3, "2026-04-01", followup=True)
        open_("anna.l", PERSON_A, "2026-04-10", A4)
        _setup(db, "anna.l", "threat", "record", A4, "--unit", "noa", "--level", "high", "--review-on",
               "2026-06-01", "--date", "2026-04-11")
        open_("anna.l", PERSON_B, "2026-05-01", B2)


def listed(capsys: pytest.CaptureFixture[str], db: str, user: str, *filters: str) -> tuple[list[str], Result]:
    result = ok(capsys, db, user, "case", "list", *filters, "--json")
    return [row["case"] for row in result.json()], result


def test_person_with_needs_attention_mine_and_limit(two_persons: str, capsys: pytest.CaptureFixture[str]) -> None:
    db = two_persons

    def cases(user: str, *filters: str) -> list[str]:
        return listed(capsys, db, user, *filters)[0]

    # each filter alone with --person
    assert cases("anna.l", "--person", PERSON_A) == [A4, A3, A2, A1]
    assert cases("anna.l", "--person", PERSON_B) == [B2, B1]
    assert cases("anna.l", "--person", PERSON_A, "--needs-attention") == [A4, A2, A1]
    assert cases("anna.l", "--person", PERSON_A, "--mine") == [A4, A3, A1]
    # combined: only anna.l's cases of person A that need attention, whichever order the flags come in
    assert cases("anna.l", "--person", PERSON_A, "--mine", "--needs-attention") == [A4, A1]
    assert cases("anna.l", "--needs-attention", "--mine", "--person", PERSON_A) == [A4, A1]
    assert cases("anna.l", "--person", PERSON_B, "--mine", "--needs-attention") == [B1]
    assert cases("bo.k", "--person", PERSON_A, "--mine", "--needs-attention") == [A2]
    assert cases("bo.k", "--person", PERSON_A, "--mine") == [A2]
    assert cases("bo.k", "--person", PERSON_B, "--mine") == []
    assert cases("bo.k", "--person", PERSON_B, "--mine", "--needs-attention") == []
    # without --person the same flags reach both persons' cases: the person filter is what narrows
    assert cases("anna.l", "--mine", "--needs-attention") == [A4, B1, A1]
    # another written form of the identity number finds the same person
    dashed = f"{PERSON_A[2:8]}-{PERSON_A[8:]}"
    assert cases("anna.l", "--person", dashed, "--mine", "--needs-attention") == [A4, A1]


def test_the_rows_of_the_combined_filters(two_persons: str, capsys: pytest.CaptureFixture[str]) -> None:
    rows = ok(capsys, two_persons, "anna.l", "case", "list", "--person", PERSON_A, "--mine", "--needs-attention",
              "--json")
    found = {row["case"]: (row["status"], row["assigned_to"], row["attention"]) for row in rows.json()}
    assert found == {A4: ("open", "anna.l", ["threat_review_passed"]),
                     A1: ("closed", "anna.l", ["followup_due"])}
    assert PERSON_A not in rows.out and PERSON_A[2:] not in rows.out  # the person is a filter, never shown


def test_limit_pages_what_the_combined_filters_found(two_persons: str, capsys: pytest.CaptureFixture[str]) -> None:
    db = two_persons
    first, result = listed(capsys, db, "anna.l", "--person", PERSON_A, "--mine", "--needs-attention", "--limit", "1")
    assert first == [A4]
    assert PAGE.format(shown=1, total=2) in result.err
    both, result = listed(capsys, db, "anna.l", "--person", PERSON_A, "--mine", "--needs-attention", "--limit", "2")
    assert both == [A4, A1] and "nyaste" not in result.err  # the whole answer: no page to speak of
    two, result = listed(capsys, db, "anna.l", "--person", PERSON_A, "--limit", "2")
    assert two == [A4, A3] and PAGE.format(shown=2, total=4) in result.err
    attention, result = listed(capsys, db, "anna.l", "--person", PERSON_A, "--needs-attention", "--limit", "2")
    assert attention == [A4, A2] and PAGE.format(shown=2, total=3) in result.err
    assert listed(capsys, db, "bo.k", "--person", PERSON_A, "--mine", "--limit", "1")[0] == [A2]
    # a page's rows carry the same attention reasons as the whole answer
    page = ok(capsys, db, "anna.l", "case", "list", "--person", PERSON_A, "--mine", "--needs-attention", "--limit",
              "1", "--json").json()
    assert [(row["case"], row["attention"]) for row in page] == [(A4, ["threat_review_passed"])]
    # the human table lists the same page
    table = ok(capsys, db, "anna.l", "case", "list", "--person", PERSON_A, "--mine", "--needs-attention", "--limit",
               "1")
    assert A4 in table.out and A1 not in table.out and A3 not in table.out
    assert PAGE.format(shown=1, total=2) in table.err
