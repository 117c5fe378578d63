"""``ledger access-log``: the table in Swedish (English on request), --json, the filters, bad input.

The reads are recorded with ``ledger.access.record_read`` as the reading commands do, at pinned
times (``LEDGER_NOW``); local time is Europe/Stockholm (UTC+2 until 25 October 2026, then UTC+1).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator

import pytest

from tests.conftest import TEST_PNR
from tests.helpers import Result, event_count, identity_forms, run_cli, run_process

PNR, PROTECTED_PNR = TEST_PNR[20], TEST_PNR[21]
PLAIN, HIDDEN = "AVH-2026-0001", "AVH-2026-0002"
KEYS = {"accessed_at", "user", "case", "command", "protected", "protection_level", "reason", "outcome"}


@pytest.fixture
def stockholm() -> Iterator[None]:
    old = os.environ.get("TZ")
    os.environ["TZ"] = "Europe/Stockholm"
    time.tzset()
    yield
    if old is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = old
    time.tzset()


@pytest.fixture
def reads(db_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, stockholm: None) -> str:
    """Two cases (the second with skyddad folkbokföring) and three reads by two people."""
    from tests.helpers import ledger_at

    anna = ledger_at(db_url, "anna.l")
    assert anna.open_case(PNR, gender="man", environment="criminal", source="police", on="2026-03-01") == PLAIN
    assert anna.open_case(PROTECTED_PNR, gender="woman", environment="honour", source="police",
                          protection="protected_registration", on="2026-03-02") == HIDDEN
    for moment, who, case, command in (
        ("2026-10-20T08:00:00+00:00", "anna.l", PLAIN, "case show"),
        ("2026-11-03T12:15:30+00:00", "bo.k", HIDDEN, "case log"),
        ("2026-11-20T15:00:00+00:00", "anna.l", PLAIN, "history"),
    ):
        monkeypatch.setenv("LEDGER_NOW", moment)
        assert run_cli(capsys, db_url, "--as", who, *command.split(), case).code == 0
    monkeypatch.delenv("LEDGER_NOW")
    return db_url


def ok(capsys: pytest.CaptureFixture[str], db: str, *args: str) -> Result:
    result = run_cli(capsys, db, "access-log", *args)
    assert result.code == 0, (args, result.err)
    assert result.complaints == "" and "Traceback" not in result.out
    return result


def _line(out: str, case: str) -> list[str]:
    return [line for line in out.splitlines() if case in line]


def test_the_table_is_swedish_and_marks_protected_identity(capsys: pytest.CaptureFixture[str], reads: str) -> None:
    out = ok(capsys, reads).out
    assert out.lstrip().startswith("Åtkomstlogg")
    for heading in ("Tid (svensk tid)", "Användare", "Ärende", "Kommando", "Skyddad identitet"):
        assert heading in out
    rows = [line for line in out.splitlines() if "AVH-" in line]
    assert len(rows) == 3
    # oldest first, local time (summer time until 25 October, then CET), user and command
    assert "2026-10-20 10:00:00" in rows[0] and "anna.l" in rows[0] and "case show" in rows[0]
    assert "2026-11-03 13:15:30" in rows[1] and "bo.k" in rows[1] and "case log" in rows[1]
    assert "2026-11-20 16:00:00" in rows[2] and "history" in rows[2]
    assert all("JA – skyddad folkbokföring" in line for line in _line(out, HIDDEN))
    assert not any("JA" in line for line in _line(out, PLAIN))
    assert "Antal poster: 3, varav 1 om ärenden med skyddad identitet och 0 nekade." in out


@pytest.fixture
def utc_machine() -> Iterator[None]:
    """The machine's own time zone is UTC (as on many servers), not Sweden's."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if old is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = old
    time.tzset()


def test_times_and_dates_are_swedish_on_a_machine_in_utc(capsys: pytest.CaptureFixture[str], sqlite_url: str,
                                                         monkeypatch: pytest.MonkeyPatch, utc_machine: None) -> None:
    from tests.helpers import ledger_at

    anna = ledger_at(sqlite_url, "anna.l")
    assert anna.open_case(PNR, gender="man", environment="criminal", source="police", on="2026-03-01") == PLAIN
    monkeypatch.setenv("LEDGER_NOW", "2026-11-23T23:30:00+00:00")  # 00:30 on 24 November in Sweden
    assert run_cli(capsys, sqlite_url, "--as", "anna.l", "case", "show", PLAIN).code == 0
    monkeypatch.delenv("LEDGER_NOW")
    found = ok(capsys, sqlite_url, "--since", "2026-11-24")
    rows = _line(found.out, PLAIN)
    assert len(rows) == 1 and "2026-11-24 00:30:00" in rows[0]
    assert ok(capsys, sqlite_url, "--until", "2026-11-23").out.strip() == "Inga läsningar i loggen för det urvalet."
    assert [e["accessed_at"] for e in ok(capsys, sqlite_url, "--since", "2026-11-24", "--json").json()] == [
        "2026-11-23T23:30:00+00:00"]
    # and as a process of its own on a machine in UTC
    process = run_process(sqlite_url, "access-log", "--since", "2026-11-24", env={"TZ": "UTC"})
    assert process.code == 0, process.err
    assert "2026-11-24 00:30:00" in process.out


def test_english_with_ledger_lang_en(capsys: pytest.CaptureFixture[str], reads: str) -> None:
    english = run_process(reads, "access-log", env={"LEDGER_LANG": "en", "TZ": "Europe/Stockholm"})
    assert english.code == 0, english.err
    assert english.out.lstrip().startswith("Access log")
    for heading in ("Time (Swedish time)", "User", "Case", "Command", "Protected identity"):
        assert heading in english.out
    assert all("YES – protected registration" in line for line in _line(english.out, HIDDEN))
    assert "Entries: 3, 1 of them on cases with a protected identity, 0 refused." in english.out
    assert "Åtkomstlogg" not in english.out and "JA –" not in english.out
    # JSON does not depend on the language
    shown = run_process(reads, "access-log", "--json", env={"LEDGER_LANG": "en"})
    assert shown.code == 0, shown.err
    assert json.loads(shown.out) == ok(capsys, reads, "--json").json()


def test_json_has_stable_english_keys(capsys: pytest.CaptureFixture[str], reads: str) -> None:
    rows = ok(capsys, reads, "--json").json()
    assert all(set(row) == KEYS for row in rows)
    assert rows == [
        {"accessed_at": "2026-10-20T08:00:00+00:00", "user": "anna.l", "case": PLAIN, "command": "case show",
         "protected": False, "protection_level": "none", "reason": None, "outcome": "read"},
        {"accessed_at": "2026-11-03T12:15:30+00:00", "user": "bo.k", "case": HIDDEN, "command": "case log",
         "protected": True, "protection_level": "protected_registration", "reason": None, "outcome": "read"},
        {"accessed_at": "2026-11-20T15:00:00+00:00", "user": "anna.l", "case": PLAIN, "command": "history",
         "protected": False, "protection_level": "none", "reason": None, "outcome": "read"},
    ]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((PLAIN,), [("anna.l", PLAIN, "case show"), ("anna.l", PLAIN, "history")]),
        ((HIDDEN.lower(),), [("bo.k", HIDDEN, "case log")]),
        (("--user", "anna.l"), [("anna.l", PLAIN, "case show"), ("anna.l", PLAIN, "history")]),
        (("--since", "2026-11-01"), [("bo.k", HIDDEN, "case log"), ("anna.l", PLAIN, "history")]),
        (("--since", "2026-10-01", "--until", "2026-10-31"), [("anna.l", PLAIN, "case show")]),
        (("--until", "2026-11-03"), [("anna.l", PLAIN, "case show"), ("bo.k", HIDDEN, "case log")]),
        (("--protected",), [("bo.k", HIDDEN, "case log")]),
        ((PLAIN, "--user", "bo.k"), []),
        (("AVH-2025-0007",), []),
    ],
)
def test_filters(capsys: pytest.CaptureFixture[str], reads: str, args: tuple[str, ...],
                 expected: list[tuple[str, str, str]]) -> None:
    rows = ok(capsys, reads, *args, "--json").json()
    assert [(r["user"], r["case"], r["command"]) for r in rows] == expected
    table = ok(capsys, reads, *args).out
    if expected:
        assert len([line for line in table.splitlines() if "AVH-" in line]) == len(expected)
        assert f"Antal poster: {len(expected)}," in table
    else:
        assert table.strip() == "Inga läsningar i loggen för det urvalet."


@pytest.mark.parametrize("bad", ["2026-13-01", "1 november", "2026-11-31"])
def test_a_bad_since_is_malformed_input(capsys: pytest.CaptureFixture[str], reads: str, bad: str) -> None:
    result = run_cli(capsys, reads, "access-log", "--since", bad)
    assert result.code == 2
    assert result.out == ""
    assert "Ogiltigt datum i --since" in result.err and "ÅÅÅÅ-MM-DD" in result.err
    assert "Traceback" not in result.err


def test_until_before_since_and_a_malformed_case_are_refused(capsys: pytest.CaptureFixture[str], reads: str) -> None:
    backwards = run_cli(capsys, reads, "access-log", "--since", "2026-11-30", "--until", "2026-11-01")
    assert backwards.code == 1 and backwards.out == "" and "--until" in backwards.err
    malformed = run_cli(capsys, reads, "access-log", "AVH-26-1")
    assert malformed.code == 1 and malformed.out == "" and "finns inte eller du saknar behörighet" in malformed.err


def test_an_empty_log(capsys: pytest.CaptureFixture[str], sqlite_url: str) -> None:
    assert ok(capsys, sqlite_url).out.strip() == "Inga läsningar i loggen för det urvalet."
    assert ok(capsys, sqlite_url, "--json").json() == []


def test_reviewing_the_log_changes_nothing(capsys: pytest.CaptureFixture[str], reads: str) -> None:
    """The review itself is neither an event nor a read of a case; and no identity number shows."""
    events = event_count(reads)
    first = ok(capsys, reads, "--json").json()
    table = ok(capsys, reads).out
    assert ok(capsys, reads, "--json").json() == first
    assert event_count(reads) == events
    for number in (PNR, PROTECTED_PNR):
        for form in identity_forms(number):
            assert form not in table and form not in json.dumps(first)


@pytest.mark.parametrize("command", [("case", "show"), ("case", "log")])
def test_reading_a_case_leaves_an_entry_that_the_log_lists(
    capsys: pytest.CaptureFixture[str], sqlite_url: str, command: tuple[str, str]
) -> None:
    from tests.helpers import ledger_at

    ledger_at(sqlite_url, "tester").open_case(PNR, gender="man", environment="criminal", source="police",
                                                   on="2026-03-01")
    events = event_count(sqlite_url)
    shown = run_cli(capsys, sqlite_url, *command, PLAIN)
    assert shown.code == 0, shown.err
    assert event_count(sqlite_url) == events
    rows = ok(capsys, sqlite_url, "--json").json()
    assert [(r["user"], r["case"], r["command"]) for r in rows] == [("tester", PLAIN, " ".join(command))]


def test_a_case_is_not_shown_when_its_read_cannot_be_logged(capsys: pytest.CaptureFixture[str], sqlite_url: str) -> None:
    """Fail closed: on a read-only database ``case show`` prints nothing and exits 1."""
    from tests.helpers import ledger_at

    ledger_at(sqlite_url, "tester").open_case(PNR, gender="man", environment="criminal", source="police",
                                                   on="2026-03-01")
    assert run_cli(capsys, sqlite_url, "case", "list").code == 0  # projections caught up while writable
    read_only = f"sqlite:///file:{sqlite_url.removeprefix('sqlite:///')}?mode=ro&uri=true"
    shown = run_cli(capsys, read_only, "case", "show", PLAIN)
    assert shown.code == 1 and shown.out == ""
    assert "skrivskyddad" in shown.err
    assert [e["command"] for e in ok(capsys, read_only, "--json").json()] == ["case list"]  # not the refused read
