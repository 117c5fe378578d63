"""Supervision (issue 4 §1–2): replay at a business date and as recorded at a moment, the timeline
with late entries and corrections, and the consent audit — on one scripted history, through the CLI.

The history (recording moment → what was recorded, with its business date):

====  ==================  =========================================================  ==========
entry recorded (UTC)      what                                                       occurred
====  ==================  =========================================================  ==========
1     2026-03-01 09:00    case opened                                                03-01
2     2026-03-01 10:00    consent, police                                            03-01
3     2026-03-02 10:00    contact                                                    03-02
4     2026-03-10 10:00    shared with police                (covered: ok)            03-10
5     2026-03-20 10:00    consent, provider SKYDD1, valid until 06-30                03-20
6     2026-04-01 10:00    shared with SKYDD1                (later: after expiry)    04-01
7     2026-04-02 10:00    shared with police                (later: after revocation) 04-02
8     2026-04-20 10:00    consent police revoked — 20 days late                      03-31
9     2026-05-05 10:00    contact — 51 days late                                     03-15
10    2026-05-10 10:00    correction of 5: valid until 03-31                         05-10
11    2026-05-12 10:00    shared with probation, legal ground given                  05-12
12    2026-05-15 10:00    consent, probation                                         05-01
13    2026-05-16 10:00    correction of 11: the legal ground did not hold (cleared)  05-16
====  ==================  =========================================================  ==========
"""

from __future__ import annotations

import json

import pytest

from tests.e2e.supervision_script import CASE, IDENTITY, record
from tests.helpers import event_count, run_cli


def ok(capsys: pytest.CaptureFixture[str], db: str, *args: str) -> str:
    result = run_cli(capsys, db, *args)
    assert result.code == 0, (args, result.err)
    return result.out


@pytest.fixture
def scripted(db_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> str:
    return record(capsys, db_url, monkeypatch)


def show(capsys: pytest.CaptureFixture[str], db: str, *options: str) -> dict:
    return json.loads(ok(capsys, db, "case", "show", CASE, *options, "--json"))


def test_as_of_uses_everything_known_now(scripted: str, capsys: pytest.CaptureFixture[str]) -> None:
    on_25_march = show(capsys, scripted, "--as-of", "2026-03-25")
    assert on_25_march["as_of"] == "2026-03-25" and on_25_march["recorded_before"] is None
    assert on_25_march["consents"]["police"]["active"] is True  # revoked only from 31 March
    assert on_25_march["consents"]["provider:SKYDD1"]["valid_until"] == "2026-03-31"  # corrected value
    assert on_25_march["contacts"] == 2  # the late-documented contact of 15 March counts
    assert on_25_march["shares"] == 1
    on_5_april = show(capsys, scripted, "--as-of", "2026-04-05")
    assert on_5_april["consents"]["police"]["active"] is False
    assert on_5_april["consents"]["police"]["revoked_on"] == "2026-03-31"
    assert on_5_april["consents"]["provider:SKYDD1"]["active"] is False  # ran out 31 March (corrected)
    assert on_5_april["shares"] == 3
    assert "probation" not in on_5_april["consents"]


def test_recorded_before_shows_the_file_as_it_was(scripted: str, capsys: pytest.CaptureFixture[str]) -> None:
    on_10_april = show(capsys, scripted, "--recorded-before", "2026-04-10")
    assert on_10_april["consents"]["police"]["revoked_on"] is None  # the revocation was documented 20 April
    assert on_10_april["consents"]["police"]["active"] is True
    assert on_10_april["consents"]["provider:SKYDD1"]["valid_until"] == "2026-06-30"  # before the correction
    assert on_10_april["contacts"] == 1
    assert on_10_april["event_count"] == 7
    # A moment given to the minute, in Swedish time: entry 4 was recorded 11:00 Swedish time on 10 March.
    assert show(capsys, scripted, "--recorded-before", "2026-03-10T10:59")["shares"] == 0
    assert show(capsys, scripted, "--recorded-before", "2026-03-10T11:01")["shares"] == 1
    assert show(capsys, scripted, "--recorded-before", "2026-03-10T10:01:00+00:00")["shares"] == 1


def test_the_two_times_combine(scripted: str, capsys: pytest.CaptureFixture[str]) -> None:
    then = show(capsys, scripted, "--as-of", "2026-03-20", "--recorded-before", "2026-05-01")
    assert then["contacts"] == 1  # the 15 March contact was not yet documented on 1 May
    assert then["consents"]["police"]["active"] is True
    now = show(capsys, scripted, "--as-of", "2026-03-20", "--recorded-before", "2026-05-06")
    assert now["contacts"] == 2
    current = show(capsys, scripted)
    assert current["contacts"] == 2 and current["shares"] == 4
    assert current["consents"]["provider:SKYDD1"]["valid_until"] == "2026-03-31"


def test_history_marks_late_entries_and_shows_corrections(scripted: str, capsys: pytest.CaptureFixture[str]) -> None:
    report = json.loads(ok(capsys, scripted, "history", CASE, "--json"))
    entries = {e["entry"]: e for e in report["entries"]}
    assert len(entries) == 13
    assert {n for n, e in entries.items() if e["late"]} == {8, 9}
    assert entries[8]["days_late"] == 20 and entries[9]["days_late"] == 51
    assert entries[12]["days_late"] == 14 and entries[12]["late"] is False  # exactly at the threshold
    assert report["late_entries"] == 2
    assert entries[3]["recorded_by"] == "tester" and entries[3]["occurred_on"] == "2026-03-02"
    assert entries[3]["recorded_at"].startswith("2026-03-02T10:00:00")
    corrected = entries[5]
    assert corrected["details"]["valid_until"] == "2026-03-31"
    [correction] = corrected["corrections"]
    assert correction == {
        "entry": 10,
        "recorded_at": correction["recorded_at"],
        "recorded_by": "tester",
        "reason": "fel giltighetstid",
        "fields": ["valid_until"],
        "original": {"valid_until": "2026-06-30"},
        "corrected": {"valid_until": "2026-03-31"},
    }
    assert correction["recorded_at"].startswith("2026-05-10T10:00:00")
    assert entries[10]["type"] == "EntryCorrected" and entries[10]["details"] == {
        "corrects": 5,
        "fields": ["valid_until"],
    }
    assert "legal_basis" not in entries[11]["details"]  # cleared by the correction
    assert entries[11]["corrections"][0]["original"] == {"legal_basis": "10 kap. 18 a § OSL"}

    # A lower threshold marks more; as-of and recorded-before narrow the timeline.
    strict = json.loads(ok(capsys, scripted, "history", CASE, "--late-after", "0", "--json"))
    assert {e["entry"] for e in strict["entries"] if e["late"]} == {8, 9, 12}
    early = json.loads(
        ok(
            capsys,
            scripted,
            "history",
            CASE,
            "--recorded-before",
            "2026-05-01",
            "--json",
        )
    )
    assert [e["entry"] for e in early["entries"]] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert early["entries"][4]["corrections"] == [] and early["entries"][4]["details"]["valid_until"] == "2026-06-30"
    march = json.loads(ok(capsys, scripted, "history", CASE, "--as-of", "2026-03-31", "--json"))
    assert [e["entry"] for e in march["entries"]] == [1, 2, 3, 4, 5, 8, 9]


def test_history_table_in_swedish_and_english(
    scripted: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = ok(capsys, scripted, "history", CASE)
    assert "Dagar sen" in out and "20 !" in out and "51 !" in out
    assert "rättad" in out and "fel giltighetstid" in out and "2026-06-30 → 2026-03-31" in out
    assert "13 anteckningar, 2 dokumenterade mer än 14 dagar sent" in out
    assert IDENTITY not in out and "boendeort" not in out  # personal fields never in the timeline


def test_consent_audit_finds_the_three_planted_problems(scripted: str, capsys: pytest.CaptureFixture[str]) -> None:
    report = json.loads(ok(capsys, scripted, "audit", "consent", CASE, "--json"))
    statuses = {s["entry"]: s["status"] for s in report["cases"][0]["sharings"]}
    assert statuses == {
        4: "ok",
        6: "shared_after_expiry",
        7: "shared_after_revocation",
        11: "consent_recorded_after_sharing",
    }
    assert report["problem_count"] == 3 and report["sharings"] == 4
    covered = {s["entry"]: s["consent"] for s in report["cases"][0]["sharings"]}
    assert covered[4]["entry"] == 2 and covered[7]["revoked_on"] == "2026-03-31" and covered[11]["entry"] == 12
    everything = json.loads(ok(capsys, scripted, "audit", "consent", "--all", "--json"))
    assert everything["problem_count"] == 3
    table = ok(capsys, scripted, "audit", "consent", CASE)
    assert "utlämnat efter återkallelse" in table and "4 utlämnanden granskade, 3 problem." in table


def test_a_clean_history_has_no_problems(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    ok(
        capsys,
        db_url,
        "case",
        "open",
        IDENTITY,
        "--gender",
        "woman",
        "--environment",
        "honour",
        "--source",
        "self",
        "--date",
        "2026-10-01",
    )
    ok(
        capsys,
        db_url,
        "consent",
        "grant",
        CASE,
        "--recipient",
        "police",
        "--purpose",
        "x",
        "--date",
        "2026-10-01",
    )
    ok(
        capsys,
        db_url,
        "share",
        "record",
        CASE,
        "--recipient",
        "police",
        "--what",
        "x",
        "--date",
        "2026-10-02",
    )
    ok(
        capsys,
        db_url,
        "share",
        "record",
        CASE,
        "--recipient",
        "region",
        "--what",
        "x",
        "--legal-basis",
        "LVU",
        "--date",
        "2026-10-03",
    )
    report = json.loads(ok(capsys, db_url, "audit", "consent", "--all", "--json"))
    assert report["problem_count"] == 0 and report["sharings"] == 2
    assert [s["status"] for s in report["cases"][0]["sharings"]] == [
        "ok",
        "legal_basis",
    ]


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (
            [
                "correct",
                CASE,
                "1",
                "--reason",
                "x",
                "--set",
                "case_number=AVH-2026-0002",
            ],
            1,
            "kan inte rättas",
        ),
        (
            ["correct", CASE, "10", "--reason", "x", "--set", "valid_until=2026-04-30"],
            1,
            "rättas genom att rätta originalet",
        ),
        (
            ["correct", CASE, "99", "--reason", "x", "--set", "date=2026-03-01"],
            1,
            "anteckning 99",
        ),
        (
            ["correct", CASE, "5", "--reason", "x", "--set", "valid_until=2026-03-31"],
            1,
            "ändrar ingenting",
        ),
        (
            ["correct", CASE, "5", "--reason", "x", "--set", "colour=blue"],
            1,
            "inget sådant fält",
        ),
        (
            ["correct", CASE, "3", "--reason", "x", "--set", "date=2026-12-01"],
            1,
            "framtiden",
        ),
        (
            ["correct", CASE, "3", "--reason", "x", "--set", "date=2026-02-01"],
            1,
            "fel ordning",
        ),
        (
            ["correct", CASE, "3", "--reason", "x", "--set", "date=1 mars"],
            2,
            "Ogiltigt datum",
        ),
        (
            ["correct", CASE, "3", "--reason", "x", "--set", "channel=pigeon"],
            2,
            "channel",
        ),
        (
            ["correct", CASE, "3", "--reason", "", "--set", "channel=meeting"],
            2,
            "--reason",
        ),
        (["correct", CASE, "3", "--reason", "x", "--set", "channel"], 2, "--set"),
        (
            [
                "correct",
                "AVH-2026-0042",
                "3",
                "--reason",
                "x",
                "--set",
                "channel=meeting",
            ],
            1,
            "AVH-2026-0042",
        ),
        (["case", "show", CASE, "--as-of", "2026-02-01"], 1, "fanns inte"),
        (
            ["case", "show", CASE, "--recorded-before", "2026-03-01T09:30"],
            1,
            "fanns inte",
        ),
        (["case", "show", CASE, "--recorded-before", "igår"], 2, "Ogiltig tidpunkt"),
        (["history", CASE, "--as-of", "2026-13-01"], 2, "Ogiltigt datum"),
        (["audit", "consent"], 2, "--all"),
        (["audit", "consent", CASE, "--all"], 2, "--all"),
    ],
)
def test_bad_supervision_input_is_refused_cleanly(
    scripted: str,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    code: int,
    words: str,
) -> None:
    before = event_count(scripted)
    result = run_cli(capsys, scripted, *args)
    assert result.code == code, result
    assert words in result.err
    assert "Traceback" not in result.err and IDENTITY not in result.err
    assert event_count(scripted) == before


def test_corrected_payment_amount_shows_everywhere_on_the_case(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    ok(
        capsys,
        db_url,
        "provider",
        "add",
        "SKYDD1",
        "--name",
        "Skyddat boende Nord AB",
        "--date",
        "2026-03-01",
    )
    ok(
        capsys,
        db_url,
        "case",
        "open",
        IDENTITY,
        "--gender",
        "man",
        "--environment",
        "criminal",
        "--source",
        "police",
        "--date",
        "2026-03-01",
    )
    ok(
        capsys,
        db_url,
        "decision",
        "record",
        CASE,
        "--outcome",
        "granted",
        "--intervention",
        "protected_housing",
        "--from",
        "2026-03-05",
        "--to",
        "2026-08-31",
        "--daily-price",
        "3 000",
        "--date",
        "2026-03-04",
    )
    ok(
        capsys,
        db_url,
        "placement",
        "start",
        CASE,
        "--provider",
        "SKYDD1",
        "--intervention",
        "protected_housing",
        "--daily-price",
        "3 000,00",
        "--date",
        "2026-03-05",
    )
    ok(
        capsys,
        db_url,
        "payment",
        "record",
        CASE,
        "81 000,00",
        "--placement",
        "P1",
        "--from",
        "2026-03-05",
        "--to",
        "2026-03-31",
        "--invoice",
        "F-1001",
        "--date",
        "2026-04-05",
    )
    ok(
        capsys,
        db_url,
        "correct",
        CASE,
        "4",
        "--reason",
        "fakturan avsåg 26 dygn",
        "--set",
        "amount=78 000,00",
    )
    view = json.loads(ok(capsys, db_url, "case", "show", CASE, "--json"))
    assert view["payments"][0]["amount"] == "78000.00" and view["paid_total"] == "78000.00"
    # The write side builds on the corrected value: reversing more than 78 000 is refused.
    refused = run_cli(capsys, db_url, "payment", "reverse", CASE, "B1", "--amount", "80 000")
    assert refused.code == 1


def test_every_read_of_personal_case_data_leaves_an_access_entry(
    scripted: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.helpers import training_store

    training_store(scripted, "ivo.granskare")
    before = event_count(scripted)
    monkeypatch.setenv("LEDGER_NOW", "2026-11-23T12:34:56+00:00")
    reads = [
        ["case", "show", CASE],
        ["case", "show", CASE, "--as-of", "2026-04-01"],
        ["case", "log", CASE],
        ["history", CASE],
        ["audit", "consent", CASE],
    ]
    for args in reads:
        ok(capsys, scripted, "--as", "ivo.granskare", *args)
    log = json.loads(ok(capsys, scripted, "access-log", CASE, "--user", "ivo.granskare", "--json"))
    assert [e["command"] for e in log] == ["case show", "case show", "case log", "history", "audit consent"]
    assert {e["case"] for e in log} == {CASE} and {e["user"] for e in log} == {"ivo.granskare"}
    assert all(e["accessed_at"].startswith("2026-11-23T12:34:56") for e in log)
    assert event_count(scripted) == before  # reads are logged apart from the case's events
    # A refused read (unknown case) logs nothing.
    assert run_cli(capsys, scripted, "--as", "ivo.granskare", "case", "show", "AVH-2026-0077").code == 1
    again = json.loads(ok(capsys, scripted, "access-log", "--user", "ivo.granskare", "--json"))
    assert len(again) == 5


# -- found in review ---------------------------------------------------------------------------------


def _case_with_money(capsys: pytest.CaptureFixture[str], db: str) -> None:
    """Entries: 1 opened, 2 decision, 3 placement P1, 4 payment B1 (90 000), 5 reversal (50 000),
    6 placement ended, 7 consent police (valid to 06-30), 8 case closed, 9 reopened."""
    ok(capsys, db, "provider", "add", "SKYDD1", "--name", "Skyddat boende Nord AB", "--date", "2026-01-10")
    ok(capsys, db, "case", "open", IDENTITY, "--gender", "woman", "--environment", "criminal", "--source", "police",
       "--date", "2026-01-10")
    ok(capsys, db, "decision", "record", CASE, "--outcome", "granted", "--intervention", "protected_housing",
       "--from", "2026-02-01", "--to", "2026-06-30", "--daily-price", "3 000", "--date", "2026-01-30")
    ok(capsys, db, "placement", "start", CASE, "--provider", "SKYDD1", "--intervention", "protected_housing",
       "--daily-price", "3 000", "--planned-end", "2026-06-30", "--date", "2026-02-02")
    ok(capsys, db, "payment", "record", CASE, "90 000", "--placement", "P1", "--from", "2026-02-02", "--to",
       "2026-03-03", "--date", "2026-03-05")
    ok(capsys, db, "payment", "reverse", CASE, "B1", "--amount", "50 000", "--date", "2026-03-06")
    ok(capsys, db, "placement", "end", CASE, "P1", "--reason", "planned", "--date", "2026-03-03")
    ok(capsys, db, "consent", "grant", CASE, "--recipient", "police", "--purpose", "x", "--valid-until", "2026-06-30",
       "--date", "2026-03-04")
    ok(capsys, db, "case", "close", CASE, "--reason", "goals_met", "--date", "2026-04-01")
    ok(capsys, db, "case", "reopen", CASE, "--date", "2026-04-10")


@pytest.mark.parametrize(
    ("entry", "change", "words"),
    [
        ("4", "amount=5 000,00", "mer skulle vara återfört än utbetalt"),
        ("6", "date=2026-01-20", "ett slut skulle komma före sin början"),
        ("4", "period_end=2026-01-01", "ett slut skulle komma före sin början"),
        ("2", "period_end=2026-01-01", "ett slut skulle komma före sin början"),
        ("7", "valid_until=2026-01-01", "ett slut skulle komma före sin början"),
        ("3", "planned_end=2025-01-01", "ett slut skulle komma före sin början"),
        ("9", "date=2026-03-20", "ett slut skulle komma före sin början"),
        ("1", "date=2026-03-01", "före aktualiseringen"),
        ("4", "provider=NOPE", "NOPE"),
        ("1", "birth_year=1800", "birth_year"),
        ("1", "protection_level=none", "kan inte rättas"),
        ("7", "recipient=provider", "kan inte rättas"),
    ],
)
def test_a_correction_cannot_break_the_rules_of_the_history(
    db_url: str, capsys: pytest.CaptureFixture[str], entry: str, change: str, words: str
) -> None:
    _case_with_money(capsys, db_url)
    before = event_count(db_url)
    result = run_cli(capsys, db_url, "correct", CASE, entry, "--reason", "test", "--set", change)
    assert result.code in (1, 2) and words in result.err, result
    assert event_count(db_url) == before


def test_a_correction_of_an_unrelated_field_is_not_blocked_and_provider_codes_are_normalised(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _case_with_money(capsys, db_url)
    ok(capsys, db_url, "provider", "add", "SKYDD2", "--name", "Boende Syd AB", "--date", "2026-01-10")
    ok(capsys, db_url, "correct", CASE, "4", "--reason", "fel utförare", "--set", "provider=skydd2")
    view = json.loads(ok(capsys, db_url, "case", "show", CASE, "--json"))
    assert view["payments"][0]["provider"] == "SKYDD2"
    ok(capsys, db_url, "correct", CASE, "4", "--reason", "rätt belopp", "--set", "amount=60 000")
    assert json.loads(ok(capsys, db_url, "case", "show", CASE, "--json"))["paid_total"] == "10000.00"


def test_a_revocation_ends_every_open_consent_for_the_recipient(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    ok(capsys, db_url, "case", "open", IDENTITY, "--gender", "woman", "--environment", "criminal", "--source", "police",
       "--date", "2026-01-10")
    ok(capsys, db_url, "consent", "grant", CASE, "--recipient", "police", "--purpose", "x", "--valid-until",
       "2026-06-30", "--date", "2026-01-15")
    ok(capsys, db_url, "consent", "grant", CASE, "--recipient", "police", "--purpose", "y", "--date", "2026-02-01")
    ok(capsys, db_url, "share", "record", CASE, "--recipient", "police", "--what", "y", "--date", "2026-03-10")
    ok(capsys, db_url, "consent", "revoke", CASE, "--recipient", "police", "--date", "2026-03-01")
    report = json.loads(ok(capsys, db_url, "audit", "consent", CASE, "--json"))
    assert [s["status"] for s in report["cases"][0]["sharings"]] == ["shared_after_revocation"]


def test_a_late_sharing_in_an_earlier_consent_period_is_accepted(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    ok(capsys, db_url, "case", "open", IDENTITY, "--gender", "woman", "--environment", "criminal", "--source", "police",
       "--date", "2026-01-10")
    ok(capsys, db_url, "consent", "grant", CASE, "--recipient", "police", "--purpose", "x", "--date", "2026-01-15")
    ok(capsys, db_url, "consent", "revoke", CASE, "--recipient", "police", "--date", "2026-02-01")
    ok(capsys, db_url, "consent", "grant", CASE, "--recipient", "police", "--purpose", "x", "--date", "2026-03-01")
    ok(capsys, db_url, "share", "record", CASE, "--recipient", "police", "--what", "y", "--date", "2026-01-20")
    refused = run_cli(capsys, db_url, "share", "record", CASE, "--recipient", "police", "--what", "y", "--date",
                      "2026-02-10")
    assert refused.code == 1 and "samtycke" in refused.err.lower()
    report = json.loads(ok(capsys, db_url, "audit", "consent", CASE, "--json"))
    assert report["problem_count"] == 0


def test_replay_edges(scripted: str, capsys: pytest.CaptureFixture[str]) -> None:
    for moment in ("0001-01-01", "0001-01-01T00:30", "9999-12-31T23:59-05:00"):
        result = run_cli(capsys, scripted, "case", "show", CASE, "--recorded-before", moment)
        assert result.code == 2 and "Ogiltig tidpunkt" in result.err, result
    for args in (["--as-of", "2026-01-09"], ["--recorded-before", "2020-01-01"]):
        result = run_cli(capsys, scripted, "history", CASE, *args)
        assert result.code == 1 and "fanns inte" in result.err
    march = show(capsys, scripted, "--as-of", "2026-03-05")
    history = json.loads(ok(capsys, scripted, "history", CASE, "--as-of", "2026-03-05", "--json"))
    assert march["event_count"] == len(history["entries"]) == 3


def test_identity_numbers_typed_in_free_text_are_masked_in_every_view(
    scripted: str, capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    ok(capsys, scripted, "correct", CASE, "4", "--reason", f"gällde {IDENTITY[2:8]}-{IDENTITY[8:]}",
       "--set", f"legal_basis=OSL 10:2 för {IDENTITY}")
    ok(capsys, scripted, "tillsyn", "export", CASE, "--out", str(tmp_path / "t.html"))
    outputs = [
        ok(capsys, scripted, "history", CASE), ok(capsys, scripted, "history", CASE, "--json"),
        ok(capsys, scripted, "audit", "consent", CASE, "--json"), (tmp_path / "t.html").read_text(encoding="utf-8"),
    ]
    for out in outputs:
        assert IDENTITY not in out and IDENTITY[2:8] not in out
    assert "OSL 10:2" in outputs[1]


def test_corrections_reach_the_read_side_incrementally_and_on_rebuild(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _case_with_money(capsys, db_url)
    ok(capsys, db_url, "budget", "set", "2026", "1 000 000")
    before = json.loads(ok(capsys, db_url, "budget", "show", "2026", "--json"))
    assert before["paid"] == "40000.00"
    ok(capsys, db_url, "correct", CASE, "4", "--reason", "rätt belopp", "--set", "amount=60 000")
    after = json.loads(ok(capsys, db_url, "budget", "show", "2026", "--json"))
    assert after["paid"] == "10000.00"
    ok(capsys, db_url, "correct", CASE, "1", "--reason", "fel miljö", "--set", "environment=honour")
    listed = json.loads(ok(capsys, db_url, "case", "list", "--json"))
    assert listed[0]["environment"] == "honour"
    ok(capsys, db_url, "projections", "rebuild")
    assert json.loads(ok(capsys, db_url, "budget", "show", "2026", "--json"))["paid"] == "10000.00"
    assert json.loads(ok(capsys, db_url, "case", "list", "--json"))[0]["environment"] == "honour"
    stats = json.loads(ok(capsys, db_url, "stats", "2026", "--format", "json", "--no-suppression"))
    flow = next(t for t in stats["tables"] if t["id"] == "flow_by_environment")
    actualised = dict(zip(flow["cols"], flow["values"][flow["rows"].index("actualised")], strict=True))
    assert actualised["honour"] == 1 and actualised["criminal"] == 0
