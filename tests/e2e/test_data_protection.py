"""Personal data at rest, gallring, the key file and the register extract, end to end.

- A demo municipality plus notes, purposes and sharings typed in: the raw bytes of the database
  file, its WAL, the archive, the statistics files and the supervision file hold no Skatteverket
  test number (in any of its written forms) and no note text; the same for ``pg_dump`` on PostgreSQL.
- Gallring on a scripted municipality whose entries were made over years: the due people are
  unreadable everywhere (views say thinned out), the exempt and not-yet-due intact, the statistics
  of past years identical, ``verify`` and ``verify --digest`` pass, and their keys are gone from the
  file's bytes.
- Without the key file: personal views say so clearly; statistics, budget, the case list and
  verify work.
- Created files and folders are 0600 and 0700 under umask 022.
- The register extract of a person with two cases: both, every sharing, the gallring date, an
  access entry; it renders in headless Chromium.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TEST_PNR, TEST_SAMORDNING
from tests.helpers import Result, run_cli, run_process, training_store

NOTES = ("Bor hos moster på Tallvägen 12 i Kiruna", "Skyddat boende: Björkgatan 3, lgh 1102",
         "Samverkan om skyddat boende i Luleå", "Ny adress: Storgatan 5, 972 31 Luleå")


def ok(capsys: pytest.CaptureFixture[str], db: str, *args: str) -> Result:
    result = run_cli(capsys, db, *args)
    assert result.code == 0, (args, result.err)
    return result


def _forms(number: str) -> set[bytes]:
    """How an identity number could stand in a file: 12 digits, or 10 with a dash or plus."""
    return {number.encode(), f"{number[2:8]}-{number[8:]}".encode(), f"{number[2:8]}+{number[8:]}".encode(),
            f"{number[:8]}-{number[8:]}".encode()}


ALL_FORMS = frozenset(form for number in (*TEST_PNR, *TEST_SAMORDNING) for form in _forms(number))


def _leaks(data: bytes, extra: tuple[str, ...] = NOTES) -> list[str]:
    found = [form.decode() for form in ALL_FORMS if form in data]
    found += [text for text in extra if text.encode() in data or text.encode("utf-16-le") in data]
    return found


def _personal_store(capsys: pytest.CaptureFixture[str], db: str) -> str:
    """A demo municipality, and one case with every kind of free text typed in."""
    assert run_cli(capsys, db, "--as", "admin", "demo", "--cases", "20", "--years", "3").code == 0
    number = ok(capsys, db, "--as", "admin", "case", "open", TEST_PNR[50], "--gender", "woman", "--environment",
                "honour", "--source", "self", "--protection", "skyddad_folkbokföring", "--date", "2026-10-01",
                "--note", NOTES[0], "--json").json()["case"]
    ok(capsys, db, "--as", "admin", "consent", "grant", number, "--recipient", "police", "--purpose", NOTES[2],
       "--date", "2026-10-02")
    ok(capsys, db, "--as", "admin", "share", "record", number, "--recipient", "police", "--what", NOTES[3],
       "--date", "2026-10-03", "--note", NOTES[1])
    ok(capsys, db, "--as", "admin", "contact", "add", number, "--channel", "phone", "--with",
       f"mamman {TEST_PNR[51]}", "--date", "2026-10-04")
    return number


def test_nothing_personal_is_readable_at_rest_on_sqlite(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = str(tmp_path / "store" / "ledger.sqlite3")
    number = _personal_store(capsys, db)
    files = [tmp_path / "arkiv.jsonl", tmp_path / "stats.xlsx", tmp_path / "stats.csv", tmp_path / "tillsyn.html"]
    ok(capsys, db, "--as", "admin", "export", "--out", str(files[0]))
    ok(capsys, db, "--as", "admin", "stats", "2026", "--format", "xlsx", "--out", str(files[1]))
    ok(capsys, db, "--as", "admin", "stats", "2026", "--format", "csv", "--out", str(files[2]))
    ok(capsys, db, "--as", "admin", "tillsyn", "export", number, "--out", str(files[3]))
    for args in (("case", "list"), ("budget", "show", "2026", "--by", "case"), ("access-log",), ("audit", "consent",
                 "--all"), ("history", number), ("verify",)):
        ok(capsys, db, "--as", "admin", *args)
    # the reads worked on the real data: the note is there for a user with the key
    assert json.loads(ok(capsys, db, "--as", "admin", "registerutdrag", TEST_PNR[50], "--json").out)["cases"]
    from ledger.adapters.store import SQLStore

    SQLStore.dispose_all()  # the WAL as a running ledger leaves it: not checkpointed away before the scan
    store_files = sorted((tmp_path / "store").glob("ledger.sqlite3*"))
    assert any(p.name.endswith("-wal") for p in store_files) or len(store_files) == 1
    for path in [*store_files, *files[:3]]:
        assert _leaks(path.read_bytes()) == [], path.name
    # The supervision file is a document made for the supervisor from the case: its journal (the notes)
    # is in it on purpose, identity numbers never (masked); it is written 0600 like every file.
    assert _leaks(files[3].read_bytes(), extra=()) == []
    assert b"person_namespace" not in b"".join(p.read_bytes() for p in store_files)


def test_nothing_personal_is_readable_at_rest_on_postgresql(capsys: pytest.CaptureFixture[str], pg_url: str,
                                                            tmp_path: Path) -> None:
    _personal_store(capsys, pg_url)
    ok(capsys, pg_url, "--as", "admin", "case", "list")
    pg_dump = shutil.which("pg_dump") or next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_dump"))), None)
    assert pg_dump is not None, "pg_dump is installed with the server"
    dump = subprocess.run([str(pg_dump), "--no-owner", pg_url], capture_output=True, timeout=120, check=True).stdout
    assert b"ledger_events" in dump and b"proj_case_list" in dump and b"ledger_access_log" in dump
    assert _leaks(dump) == []


# -- gallring on a scripted municipality ---------------------------------------------------------------

#: Who, born which day, and their cases' (opened, closed) — each step recorded on its own day.
PEOPLE = {
    "A": ("196112122871", [("2018-03-01", "2019-05-02")]),              # due 2024-05-02: thinned out
    "B": ("195510152167", [("2018-03-01", "2019-05-02")]),              # born on the 15th: kept for research
    "C": ("196508122857", [("2018-03-01", "2019-05-02"), ("2025-02-01", None)]),  # a newer case: kept
    "D": ("196510113050", [("2018-03-01", "2019-05-02")]),              # a decision under appeal: kept
    "E": ("196902209292", [("2025-01-10", None)]),                      # not due
    "F": ("196001209136", [("2019-02-01", "2020-03-02")]),              # due 2025-03-02: thinned out
}


def _at(monkeypatch: pytest.MonkeyPatch, day: str) -> None:
    monkeypatch.setenv("LEDGER_NOW", f"{day}T10:00:00+01:00")
    monkeypatch.setenv("LEDGER_TODAY", day)


@pytest.fixture
def municipality(sqlite_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                 tmp_path: Path) -> dict[str, Any]:
    db = sqlite_url
    _at(monkeypatch, "2018-01-02")
    training_store(db)
    cases: dict[str, list[str]] = {}
    for key, (number, spans) in PEOPLE.items():
        for opened, closed in spans:
            _at(monkeypatch, opened)
            out = ok(capsys, db, "case", "open", number, "--gender", "man", "--environment", "criminal", "--source",
                     "police", "--note", f"{NOTES[0]} ({key})", "--json").json()
            case = out["case"]
            cases.setdefault(key, []).append(case)
            ok(capsys, db, "consent", "grant", case, "--recipient", "police", "--purpose", NOTES[2])
            if key == "D":
                ok(capsys, db, "decision", "record", case, "--outcome", "denied", "--intervention", "protected_housing",
                   "--from", opened, "--to", opened, "--motivation", "Behovet tillgodoses på annat sätt")
                ok(capsys, db, "decision", "status", case, "D1", "appealed")
            if closed:
                _at(monkeypatch, closed)
                ok(capsys, db, "followup", "record", case, "--time-point", "closure", "--housing", "own",
                   "--occupation", "work")
                ok(capsys, db, "case", "close", case, "--reason", "goals_met")
    _at(monkeypatch, "2026-11-23")
    return {"db": db, "cases": cases}


def _wrapped_keys(db: str) -> dict[str, bytes]:
    import sqlite3

    con = sqlite3.connect(db.removeprefix("sqlite:///"))
    try:
        return {r[0]: bytes(r[1]) for r in con.execute("SELECT key_id, wrapped FROM ledger_keys WHERE wrapped IS NOT NULL")}
    finally:
        con.close()


def test_gallring_thins_out_the_due_and_keeps_the_rest(municipality: dict[str, Any], tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    db, cases = municipality["db"], municipality["cases"]
    gone = cases["A"] + cases["F"]
    plan = ok(capsys, db, "gallring", "--dry-run", "--json").json()
    by_case = {c["case"]: (p["erase"], c["kept"]) for p in plan["people"] for c in p["cases"]}
    assert {c for c, (erase, _) in by_case.items() if erase} == set(gone)
    assert by_case[cases["B"][0]][1] == ["research_exemption"]
    assert by_case[cases["C"][0]] == (False, ["newer_case"]) and "not_due" in by_case[cases["C"][1]][1]
    assert by_case[cases["D"][0]][1] == ["open_appeal"]
    assert by_case[cases["E"][0]][1] == ["case_open", "not_due"]
    first = next(c for p in plan["people"] for c in p["cases"] if c["case"] == cases["A"][0])
    assert (first["last_entry"], first["due_on"], first["deadline"]) == ("2019-05-02", "2024-05-02", "2025-12-31")
    # a dry run as of later: C's old case stays kept while the newer one is not due
    later = ok(capsys, db, "gallring", "--as-of", "2031-12-31", "--json").json()
    assert sum(1 for p in later["people"] if p["erase"]) == 2  # open cases, appeals and the exemption still keep
    stats_before = {year: ok(capsys, db, "stats", str(year), "--format", "json").out for year in (2018, 2019, 2020)}
    digest = tmp_path / "huvud.txt"
    digest.write_text(ok(capsys, db, "digest").out, encoding="utf-8")
    keys = _wrapped_keys(db)
    persons_gone = {json.loads(ok(capsys, db, "registerutdrag", PEOPLE[k][0], "--json").out)["cases"][0]["case"]
                    for k in ("A", "F")}
    assert persons_gone == {cases["A"][0], cases["F"][0]}
    from ledger.bootstrap import services

    people_gone = {str(services(db, "tester").ledger.get_case(case).person_id) for case in gone}
    erased_keys = {k: keys[k] for k in people_gone}

    done = ok(capsys, db, "gallring", "--execute", "--json").json()
    assert done["executed"] is True and done["keys_destroyed"] == 2
    assert sorted(c["case"] for p in done["erased"] for c in p["cases"]) == sorted(gone)

    for case in gone:  # unreadable everywhere, and every view says so
        shown = ok(capsys, db, "case", "show", case, "--json").json()
        assert shown["status"] == "thinned" and shown["thinned_on"] == "2026-11-23"
        assert "gallrat" in ok(capsys, db, "case", "show", case).out
        history = run_cli(capsys, db, "history", case)
        assert history.code == 1 and "gallrade" in history.err
        assert run_cli(capsys, db, "contact", "add", case, "--channel", "phone").code == 1
    listed = {r["case"]: r for r in ok(capsys, db, "case", "list", "--json").json()}
    assert all(listed[c]["thinned_on"] == "2026-11-23" for c in gone)
    thinned_extract = ok(capsys, db, "registerutdrag", PEOPLE["A"][0], "--json").json()
    assert thinned_extract["thinned_on"] == "2026-11-23"
    for key in ("B", "C", "D", "E"):  # intact
        for case in cases[key]:
            assert ok(capsys, db, "case", "show", case, "--json").json()["case"] == case
        extract = ok(capsys, db, "registerutdrag", PEOPLE[key][0], "--json").json()
        assert any(NOTES[0] in json.dumps(e, ensure_ascii=False) for c in extract["cases"] for e in c["entries"])
    # the statistics of past years are the same; the chain verifies, and extends the digest taken before
    assert {year: ok(capsys, db, "stats", str(year), "--format", "json").out for year in (2018, 2019, 2020)} \
        == stats_before
    ok(capsys, db, "verify")
    ok(capsys, db, "verify", "--digest", str(digest))
    # the erased keys are nowhere in the file's bytes any more
    from ledger.adapters.store import SQLStore

    SQLStore.dispose_all()
    raw = b"".join(p.read_bytes() for p in Path(db.removeprefix("sqlite:///")).parent.glob("ledger.sqlite3*"))
    assert erased_keys and all(wrapped not in raw for wrapped in erased_keys.values())
    assert all(wrapped in raw for k, wrapped in keys.items() if k not in erased_keys)
    again = ok(capsys, db, "gallring", "--json").json()
    assert sorted(t["case"] for t in again["thinned"]) == sorted(gone) and again["due"] == 0


def test_the_gallring_rules_are_a_setting(municipality: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    db, cases = municipality["db"], municipality["cases"]
    shown = ok(capsys, db, "settings", "show", "--json").json()
    assert {k: shown[k] for k in ("retention_years", "exempt_days", "deadline")} == {
        "retention_years": 5, "exempt_days": [5, 15, 25], "deadline": "end_of_following_year"}
    ok(capsys, db, "settings", "gallring", "--retention-years", "10", "--exempt-days", "")
    plan = ok(capsys, db, "gallring", "--json").json()
    assert plan["due"] == 0 and plan["rules"]["retention_years"] == 10
    by_case = {c["case"]: c["kept"] for p in plan["people"] for c in p["cases"]}
    assert by_case[cases["B"][0]] == ["not_due"]  # no exemption day any more, and ten years
    log = ok(capsys, db, "history", cases["A"][0], "--json")  # nothing happened to the cases
    assert log.json()["entries"]


# -- without the key file -----------------------------------------------------------------------------------


def test_without_the_key_file_personal_views_fail_clearly_and_the_rest_works(
        capsys: pytest.CaptureFixture[str], sqlite_url: str) -> None:
    db = sqlite_url
    ok(capsys, db, "case", "open", TEST_PNR[60], "--gender", "man", "--environment", "criminal", "--source", "police",
       "--date", "2026-03-01", "--note", NOTES[1])
    ok(capsys, db, "budget", "set", "2026", "1 000 000", "--date", "2026-01-02")
    from ledger.bootstrap import services

    key_file = services(db, "tester").key_file()
    assert key_file.exists() and oct(key_file.stat().st_mode & 0o777) == "0o600"
    key_file.unlink()
    from ledger.adapters.store import SQLStore

    SQLStore.dispose_all()
    for args in (("case", "show", "AVH-2026-0001"), ("history", "AVH-2026-0001"),
                 ("contact", "add", "AVH-2026-0001", "--channel", "phone"),
                 ("registerutdrag", TEST_PNR[60], "--json")):
        result = run_cli(capsys, db, *args)
        assert result.code == 1 and "nyckelfilen saknas" in result.err and "Traceback" not in result.err, args
    for args in (("case", "list"), ("stats", "2026"), ("budget", "show", "2026"), ("verify",), ("digest",)):
        ok(capsys, db, *args)


# -- files and folders: the user's alone ---------------------------------------------------------------------


def test_created_files_and_folders_are_private_under_umask_022(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        folder = tmp_path / "ny" / "mapp"
        db = str(folder / "ledger.sqlite3")
        keys = tmp_path / "nycklar"
        env = {"LEDGER_KEY_DIR": str(keys), "LEDGER_USER": "tester"}
        assert run_process(db, "init", "--training", "--role", "handläggare", "--role", "granskare", env=env,
                           ready=False).code == 0
        assert run_process(db, "case", "open", TEST_PNR[70], "--gender", "man", "--environment", "criminal",
                           "--source", "police", "--date", "2026-03-01", env=env, ready=False).code == 0
        out = tmp_path / "ut"
        out.mkdir()
        for args in (("export", "--out", str(out / "arkiv.jsonl")),
                     ("tillsyn", "export", "AVH-2026-0001", "--out", str(out / "tillsyn.html")),
                     ("registerutdrag", TEST_PNR[70], "--out", str(out / "utdrag.html"))):
            assert run_process(db, *args, env=env, ready=False).code == 0, args
    finally:
        os.umask(old)
    for path in (folder, folder.parent, keys):
        assert oct(path.stat().st_mode & 0o777) == "0o700", path
    made = [*folder.glob("ledger.sqlite3*"), *keys.glob("*.key"), *out.iterdir()]
    assert len(made) >= 6
    for path in made:
        assert oct(path.stat().st_mode & 0o777) == "0o600", path


# -- the register extract ------------------------------------------------------------------------------------


def test_the_register_extract_of_a_person_with_two_cases(capsys: pytest.CaptureFixture[str], sqlite_url: str,
                                                         tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db, person = sqlite_url, TEST_PNR[80]
    monkeypatch.setenv("LEDGER_NOW", "2026-11-23T10:00:00+01:00")
    for case, day, recipient, what, closed in (("AVH-2026-0001", "2025-02-01", "police", NOTES[3], "2025-06-01"),
                                                ("AVH-2026-0002", "2026-03-01", "probation", "dom", None)):
        ok(capsys, db, "case", "open", person, "--gender", "woman", "--environment", "honour", "--source", "self",
           "--date", day, "--note", f"{NOTES[0]} {day}")
        ok(capsys, db, "consent", "grant", case, "--recipient", recipient, "--purpose", NOTES[2], "--date", day)
        ok(capsys, db, "share", "record", case, "--recipient", recipient, "--what", what, "--date", day)
        if closed:
            ok(capsys, db, "case", "close", case, "--reason", "goals_met", "--date", closed)
    ok(capsys, db, "share", "record", "AVH-2026-0002", "--recipient", "region", "--what", "journal",
       "--legal-basis", "10 kap. 2 § OSL", "--date", "2026-03-04")
    ok(capsys, db, "case", "show", "AVH-2026-0002")  # a read to find in the extract
    data = ok(capsys, db, "registerutdrag", person, "--json").json()
    assert data["person"]["identity_number"] == person
    assert [c["case"] for c in data["cases"]] == ["AVH-2026-0001", "AVH-2026-0002"]
    sharings = [(c["case"], s["recipient"], s["what"], s["ground"]) for c in data["cases"] for s in c["sharings"]]
    assert sharings == [("AVH-2026-0001", "police", NOTES[3], "consent"), ("AVH-2026-0002", "probation", "dom",
                        "consent"), ("AVH-2026-0002", "region", "journal", "legal_basis")]
    assert all(c["consents"][0]["purpose"] == NOTES[2] for c in data["cases"])
    assert any(f"{NOTES[0]} 2025-02-01" in json.dumps(e, ensure_ascii=False) for e in data["cases"][0]["entries"])
    assert data["gallring"]["planned_on"] == "2031-11-23" and data["gallring"]["deadline"] == "2032-12-31"
    assert any(a["command"] == "case show" for a in data["cases"][1]["access"])
    log = ok(capsys, db, "access-log", "--json").json()
    assert sorted((e["case"], e["command"]) for e in log if e["command"] == "registerutdrag") == [
        ("AVH-2026-0001", "registerutdrag"), ("AVH-2026-0002", "registerutdrag")]
    # another user who may not see one of the cases: the person is not found at all
    ok(capsys, db, "case", "protect", "AVH-2026-0002", "--level", "skyddad_folkbokföring")
    training_store(db)
    ok(capsys, db, "--as", "tester", "user", "add", "bo.k", "--role", "handläggare")
    hidden = run_cli(capsys, db, "--as", "bo.k", "registerutdrag", person, "--json")
    assert hidden.code == 1 and "finns inte" in hidden.err and person not in hidden.err

    out = tmp_path / "utdrag.html"
    ok(capsys, db, "registerutdrag", person, "--out", str(out))
    from tests.e2e.test_tillsyn_export import _chromium, _headless

    dom = _headless(_chromium(), tmp_path, "--dump-dom", out.resolve().as_uri())
    assert "Registerutdrag" in dom.stdout and "AVH-2026-0002" in dom.stdout and NOTES[3] in dom.stdout
    pdf = tmp_path / "utdrag.pdf"
    _headless(_chromium(), tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", out.resolve().as_uri())
    assert pdf.read_bytes().startswith(b"%PDF")


def test_input_files_are_read_with_a_limit(capsys: pytest.CaptureFixture[str], sqlite_url: str,
                                           tmp_path: Path) -> None:
    """``verify --archive /dev/zero`` used to read until memory ran out; a digest file the same."""
    endless = run_cli(capsys, sqlite_url, "verify", "--archive", "/dev/zero", ready=False)
    assert endless.code == 2 and "för stort (rad 1)" in endless.err
    huge = tmp_path / "huvud.txt"
    with open(huge, "wb") as out:
        out.truncate(17 * 1024 * 1024)
    result = run_cli(capsys, sqlite_url, "verify", "--digest", str(huge))
    assert result.code == 2 and "för stort" in result.err
