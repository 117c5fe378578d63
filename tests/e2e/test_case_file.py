"""The case file a social worker works from, through the command line.

- One person, one record: every written form of an identity number (12 or 10 digits, with or without
  a dash, full-width digits) finds the same person; a second open case is refused naming the first;
  Arabic-Indic digits are refused; a case closed as opened in error leaves the statistics.
- The journal: notes on ten commands, a journal entry, an objection and a correction, in order with
  their authors, in ``case journal``, ``history`` (also ``--json``) and the tillsyn file.
- Decisions that hold: a refusal needs its motivation; the delegation decides who may decide; an
  appeal and the court's ruling show in ``case show`` and the decision letter.
- Documents: the decision letter and the investigation render in headless Chromium.
- ``case show`` at 80 columns in a real terminal keeps every case number and date whole.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TEST_PNR
from tests.helpers import Result, event_count, run_cli, run_process

PNR = TEST_PNR[90]
CASE = "AVH-2026-0001"
OPEN = ("--gender", "woman", "--environment", "honour", "--source", "self")


def ok(capsys: pytest.CaptureFixture[str], db: str, *args: str) -> Result:
    result = run_cli(capsys, db, *args)
    assert result.code == 0, (args, result.err)
    return result


# -- one person, one record ------------------------------------------------------------------------------


def _forms(number: str) -> list[str]:
    wide = number.translate({ord(d): chr(0xFF10 + int(d)) for d in "0123456789"})
    return [number, f"{number[:8]}-{number[8:]}", number[2:], f"{number[2:8]}-{number[8:]}", wide]


def test_every_written_form_finds_one_person(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    first = ok(capsys, db_url, "case", "open", PNR, *OPEN, "--date", "2026-02-01", "--json").json()["case"]
    before = event_count(db_url)
    for form in _forms(PNR)[1:]:
        again = run_cli(capsys, db_url, "case", "open", form, *OPEN, "--date", "2026-02-02")
        assert again.code == 1 and first in again.err and "öppet ärende" in again.err, (form, again.err)
        assert PNR not in again.err and PNR[2:] not in again.err
        found = ok(capsys, db_url, "case", "find", form, "--json").json()
        assert [row["case"] for row in found] == [first], form
        listed = ok(capsys, db_url, "case", "list", "--person", form, "--json").json()
        assert [row["case"] for row in listed] == [first]
    assert event_count(db_url) == before
    arabic = PNR.translate({ord(d): chr(0x0660 + int(d)) for d in "0123456789"})
    refused = run_cli(capsys, db_url, "case", "open", arabic, *OPEN)
    assert refused.code == 2 and "Ogiltigt identitetsnummer" in refused.err
    reserve = run_cli(capsys, db_url, "case", "open", "RES-12345", "--identity-kind", "reserve", *OPEN)
    assert reserve.code == 2 and "--birth-year" in reserve.err
    assert run_cli(capsys, db_url, "payment", "record", first, "١٠٠", "--placement", "P1", "--from", "2026-02-01",
                   "--to", "2026-02-02").code == 2  # amounts: ASCII digits only too
    # Opened in error: closed so, out of the statistics, never reopened; the person may get a new case.
    stats_before = json.loads(ok(capsys, db_url, "stats", "2026", "--format", "json", "--no-suppression").out)
    ok(capsys, db_url, "case", "close", first, "--reason", "opened_in_error", "--date", "2026-02-03")
    stats_after = json.loads(ok(capsys, db_url, "stats", "2026", "--format", "json", "--no-suppression").out)
    assert _actualised(stats_before) == 1 and _actualised(stats_after) == 0
    reopen = run_cli(capsys, db_url, "case", "reopen", first)
    assert reopen.code == 1 and "felaktigt" in reopen.err
    second = ok(capsys, db_url, "case", "open", _forms(PNR)[3], *OPEN, "--date", "2026-02-04", "--json").json()
    assert [row["case"] for row in ok(capsys, db_url, "case", "find", PNR, "--json").json()] == [first, second["case"]]


def _actualised(report: dict[str, Any]) -> int:
    table = next(t for t in report["tables"] if t["id"] == "flow_by_gender")
    return int(table["values"][table["rows"].index("actualised")][-1])


# -- the journal ---------------------------------------------------------------------------------------------

STEPS: list[tuple[str, ...]] = [
    ("contact", "add", CASE, "--channel", "meeting", "--date", "2026-01-06", "--note", "Första samtalet, hos polisen"),
    ("consent", "grant", CASE, "--recipient", "police", "--purpose", "samverkan", "--date", "2026-01-06",
     "--note", "Samtycke skriftligt"),
    ("assessment", "record", CASE, "--outcome", "investigate", "--reason", "needs_support", "--motivated", "ja",
     "--consent", "ja", "--serious-crime", "nej", "--date", "2026-01-07", "--note", "Motiverad att lämna"),
    ("investigation", "open", CASE, "--date", "2026-01-07", "--note", "Utredning inleds"),
    ("threat", "record", CASE, "--unit", "noa", "--level", "high", "--protection-needed", "--date", "2026-01-08",
     "--note", "Hot från tidigare umgänge"),
    ("investigation", "complete", CASE, "--background", "Har levt i miljön sedan 15 års ålder",
     "--wishes", "Vill flytta och börja studera", "--assessment", "Behöver skydd och stöd",
     "--proposal", "Skyddat boende i sex månader", "--date", "2026-01-09", "--note", "Utredningen klar"),
    ("plan", "set", CASE, "--goal", "Eget boende", "--goal", "Studier", "--date", "2026-01-10",
     "--note", "Planen gjord tillsammans"),
    ("contact", "add", CASE, "--channel", "phone", "--date", "2026-01-12", "--note", "Ringde om boendet"),
    ("relative", "add", CASE, "--relation", "parent", "--date", "2026-01-13", "--note", "Mamman stöttar"),
    ("child", "add", CASE, "--birth-year", "2019", "--date", "2026-01-14", "--note", "Dotter bor med henne"),
]


@pytest.fixture
def journaled(capsys: pytest.CaptureFixture[str], db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("LEDGER_NOW", "2026-02-01T10:00:00+01:00")
    ok(capsys, db_url, "case", "open", PNR, *OPEN, "--date", "2026-01-05", "--note", "Aktualiserad via polisen")
    for step in STEPS:
        ok(capsys, db_url, *step)
    ok(capsys, db_url, "journal", "add", CASE, "Samtal om skola för dottern", "--kind", "samtal", "--date",
       "2026-01-20")
    ok(capsys, db_url, "journal", "object", CASE, "9", "Jag sa aldrig att jag ville flytta söderut")
    ok(capsys, db_url, "correct", CASE, "9", "--reason", "fel ord", "--set", "note=Ringde om boendet i Luleå")
    return db_url


NOTES = ["Aktualiserad via polisen", *[step[-1] for step in STEPS]]


def test_every_note_is_in_the_journal_history_and_tillsyn_file(journaled: str, capsys: pytest.CaptureFixture[str],
                                                               tmp_path: Path) -> None:
    db = journaled
    journal = ok(capsys, db, "case", "journal", CASE, "--json").json()["entries"]
    texts = [e["text"] for e in journal]
    expected = [*NOTES[:8], "Ringde om boendet i Luleå", *NOTES[9:], "Samtal om skola för dottern",
                "Jag sa aldrig att jag ville flytta söderut"]
    assert texts == expected
    assert [e["entry"] for e in journal] == sorted(e["entry"] for e in journal)  # in order
    assert {e["recorded_by"] for e in journal} == {"tester"}
    corrected = next(e for e in journal if e["entry"] == 9)
    assert corrected["corrections"][0]["original"] == "Ringde om boendet"
    assert corrected["corrections"][0]["reason"] == "fel ord"
    objection = journal[-1]
    assert (objection["kind"], objection["objection_to"]) == ("objection", 9)
    assert journal[-2]["kind"] == "conversation"
    assert all(e["late"] for e in journal if e["occurred_on"] < "2026-01-15")  # recorded 2026-02-01: late
    table = ok(capsys, db, "case", "journal", CASE).out
    assert "Ringde om boendet i Luleå" in table and "invändning" in table and "samtal" in table
    history = ok(capsys, db, "history", CASE, "--json").json()
    noted = [e["note"] for e in history["entries"] if e.get("note")]
    assert noted == [*NOTES[:8], "Ringde om boendet i Luleå", *NOTES[9:]]
    assert any(e["type"] == "ObjectionNoted" and "söderut" in e["details"]["text"] for e in history["entries"])
    out = tmp_path / "tillsyn.html"
    ok(capsys, db, "tillsyn", "export", CASE, "--out", str(out))
    html = out.read_text(encoding="utf-8")
    for note in expected[:-2]:
        assert note in html, note
    extract = ok(capsys, db, "registerutdrag", PNR, "--json").out
    for note in ("Ringde om boendet i Luleå", "Samtal om skola för dottern", "flytta söderut", NOTES[0]):
        assert note in extract, note  # the person's own extract has the journal too
    view = ok(capsys, db, "case", "show", CASE, "--json").json()
    assert view["journal_entries"] == len(journal) == 13 and view["plan"]["goals"][1]["goal"] == "Studier"
    assert view["assessment_details"]["consent_given"] is True
    ok(capsys, db, "followup", "record", CASE, "--time-point", "during", "--housing", "own", "--occupation",
       "studies", "--goal", "1=uppnått", "--goal", "2=delvis")
    wrong_goal = run_cli(capsys, db, "followup", "record", CASE, "--time-point", "during", "--housing", "own",
                         "--occupation", "studies", "--goal", "3=uppnått")
    assert wrong_goal.code == 1 and "mål 3" in wrong_goal.err
    followups = ok(capsys, db, "case", "show", CASE, "--json").json()["followup_details"]
    assert followups[-1]["goals"] == {"1": "reached", "2": "partly"}
    shown = ok(capsys, db, "case", "show", CASE).out
    assert "uppnått" in shown and "under insatsen" in shown and "eget boende" in shown


# -- decisions that hold -----------------------------------------------------------------------------------


def test_decisions_with_motivation_delegation_appeal_and_court(journaled: str, capsys: pytest.CaptureFixture[str],
                                                                tmp_path: Path) -> None:
    db = journaled
    before = event_count(db)
    refused = run_cli(capsys, db, "decision", "record", CASE, "--outcome", "avslag", "--intervention",
                      "protected_housing", "--date", "2026-01-15")
    assert refused.code == 1 and "måste motiveras" in refused.err and event_count(db) == before
    ok(capsys, db, "settings", "decisions", "--legal-ground", "SoL 4 kap. 1 §", "--legal-ground",
       "SoL (2025:400) 11 kap. 1 §", "--delegate", "protected_housing=arbetsledare")
    ok(capsys, db, "user", "add", "bo.k", "--role", "handläggare")
    ok(capsys, db, "user", "add", "karin.a", "--role", "arbetsledare")
    outside = run_cli(capsys, db, "--as", "bo.k", "decision", "record", CASE, "--outcome", "bifall", "--intervention",
                      "protected_housing", "--date", "2026-01-15")
    assert outside.code == 1 and "delegationen" in outside.err
    by_name = run_cli(capsys, db, "decision", "record", CASE, "--outcome", "bifall", "--intervention",
                      "protected_housing", "--decided-by", "bo.k", "--date", "2026-01-15")
    assert by_name.code == 1 and "delegationen" in by_name.err
    unknown_ground = run_cli(capsys, db, "decision", "record", CASE, "--outcome", "bifall", "--intervention",
                             "protected_housing", "--legal-ground", "LVU 2 §", "--date", "2026-01-15")
    assert unknown_ground.code == 2 and "SoL 4 kap. 1 §" in unknown_ground.err
    assert event_count(db) == before + 3  # the setting and two users; no decision
    ok(capsys, db, "decision", "record", CASE, "--outcome", "delvis", "--intervention", "protected_housing",
       "--from", "2026-01-16", "--to", "2026-06-30", "--daily-price", "3 000", "--decided-by", "karin.a",
       "--legal-ground", "sol 4 kap. 1 §", "--motivation", "Beviljas för tre månader i stället för sex",
       "--communicated-on", "2026-01-14", "--notified-on", "2026-01-16", "--date", "2026-01-15")
    ok(capsys, db, "decision", "appeal", CASE, "D1", "--date", "2026-01-30")
    early = run_cli(capsys, db, "decision", "court", CASE, "D1", "--outcome", "avslag", "--date", "2026-01-29")
    assert early.code == 1
    ok(capsys, db, "decision", "court", CASE, "D1", "--outcome", "avslag", "--date", "2026-01-31")
    view = ok(capsys, db, "case", "show", CASE, "--json").json()
    decision = view["decisions"][0]
    assert (decision["outcome"], decision["decided_by"], decision["legal_ground"]) == (
        "partial", "karin.a", "SoL 4 kap. 1 §")
    assert (decision["appealed_on"], decision["court_outcome"], decision["court_on"]) == (
        "2026-01-30", "denied", "2026-01-31")
    shown = ok(capsys, db, "case", "show", CASE).out
    assert "delvis bifall" in shown and "överklagat 2026-01-30" in shown and "domstol: avslag" in shown
    letter = tmp_path / "beslut.html"
    ok(capsys, db, "document", "beslut", CASE, "D1", "--out", str(letter))
    html = letter.read_text(encoding="utf-8")
    for text in ("Beviljas för tre månader", "SoL 4 kap. 1 §", "karin.a", "Hur man överklagar", "2026-02-06",
                 "överklagades 2026-01-30", "avslag", PNR):
        assert text in html, text
    log = ok(capsys, db, "access-log", CASE, "--json").json()
    assert any(e["command"] == "document beslut" for e in log)


# -- documents in a real browser -------------------------------------------------------------------------------


def test_the_decision_letter_and_the_investigation_render(journaled: str, capsys: pytest.CaptureFixture[str],
                                                          tmp_path: Path) -> None:
    from PIL import Image

    from tests.e2e.test_tillsyn_export import _chromium, _headless

    db = journaled
    ok(capsys, db, "decision", "record", CASE, "--outcome", "avslag", "--intervention", "hvb", "--motivation",
       "Behovet tillgodoses genom skyddat boende", "--notified-on", "2026-01-20", "--date", "2026-01-18")
    chromium = _chromium()
    for kind, args, headings in (
        ("beslut", ("beslut", CASE, "D1"), ("Beslut D1", "Motivering", "Hur man överklagar")),
        ("utredning", ("utredning", CASE), ("Utredning", "Bakgrund", "Den enskildes egna önskemål", "Bedömning",
                                            "Förslag till beslut")),
    ):
        out = tmp_path / f"{kind}.html"
        ok(capsys, db, "document", *args, "--out", str(out))
        assert oct(out.stat().st_mode & 0o777) == "0o600"
        dom = _headless(chromium, tmp_path, "--dump-dom", out.resolve().as_uri())
        for heading in headings:
            assert heading in dom.stdout, (kind, heading)
        if kind == "beslut":
            assert "tre veckor" in dom.stdout or "3 veckor" in dom.stdout
        else:
            assert "Vill flytta och börja studera" in dom.stdout and "Eget boende" in dom.stdout
        shot = tmp_path / f"{kind}.png"
        _headless(chromium, tmp_path, f"--screenshot={shot}", "--window-size=900,1300", "--hide-scrollbars",
                  out.resolve().as_uri())
        image = Image.open(shot).convert("RGB")
        pixels = image.load()
        dark = sum(1 for y in range(120, 1300, 4) for x in range(0, 900, 4) if sum(pixels[x, y]) < 200)
        assert dark > 800, (kind, dark)  # text on the page, not a blank one
        header = pixels[450, 10]
        assert header[2] > header[0] + 40, header  # the blue header band


# -- case show in a real 80-column terminal ---------------------------------------------------------------------


def _in_terminal(db: str, *args: str, columns: int = 80) -> str:
    """Run the CLI with its output on a pseudo-terminal of ``columns`` columns, as a person sees it."""
    import fcntl
    import pty
    import struct
    import subprocess
    import sys
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = {**os.environ, "COLUMNS": str(columns), "TERM": "dumb", "NO_COLOR": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "ledger.cli", "--db", db, *args], stdout=follower,
                            stderr=follower, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(leader)
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", b"".join(chunks).decode("utf-8", "replace"))


def test_case_show_and_list_keep_numbers_and_dates_whole_at_80_columns(journaled: str,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    db = journaled
    ok(capsys, db, "provider", "add", "SKYDD1", "--name", "Skyddat boende Nord AB med ett långt namn",
       "--date", "2026-01-02")
    ok(capsys, db, "decision", "record", CASE, "--outcome", "bifall", "--intervention", "protected_housing",
       "--from", "2026-01-16", "--to", "2026-06-30", "--daily-price", "3 000", "--date", "2026-01-15")
    ok(capsys, db, "placement", "start", CASE, "--provider", "SKYDD1", "--intervention", "protected_housing",
       "--daily-price", "3 000", "--planned-end", "2026-06-30", "--date", "2026-01-16")
    for args in (("case", "show", CASE), ("case", "list"), ("case", "journal", CASE)):
        screen = _in_terminal(db, *args)
        lines = screen.splitlines()
        assert lines and max(len(line) for line in lines) <= 80, (args, max(len(line) for line in lines))
        assert CASE in screen, args
        dates = set(re.findall(r"20\d\d-\d\d-\d\d", screen))
        assert "2026-01-05" in dates or args[1] == "journal"
        for fragment in re.findall(r"AVH-20\d\d-\d*", screen):
            assert re.fullmatch(r"AVH-20\d\d-\d{4}", fragment), (args, fragment)  # never cut
        for fragment in re.findall(r"(?<!AVH-)\b20\d\d-\d*-?\d*", screen):
            assert re.fullmatch(r"20\d\d-\d\d-\d\d", fragment), (args, fragment)
    shown = _in_terminal(db, "case", "show", CASE)
    for part in ("Beslut", "Placeringar", "Genomförandeplan", "Förhandsbedömning", "Samtycken"):
        assert part in shown, part
    assert run_process(db, "case", "show", CASE).code == 0
