"""``ledger verify``, ``digest``, ``export`` and ``import`` end to end, on SQLite and PostgreSQL.

Exit status 0 when the chain holds, 1 (a translated message naming the position, no traceback)
when it does not, 2 for a file that is not a digest or an archive. An archive imported into an
empty store gives the same digest and behaves the same afterwards; ``verify --archive`` opens no
database. No identity number is ever printed. Also: an altered snapshot is found though the chain
holds; ``verify``, ``digest`` and ``export`` refuse a SQLite database that does not exist (and
create nothing); an archive whose chain was recomputed around a payload the ledger cannot read is
refused; an export leaves one access entry per case.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TEST_PNR
from tests.helpers import STORE_SETUP_EVENTS, Result, event_count, identity_forms, run_cli, run_process

PNR, OTHER = TEST_PNR[0], TEST_PNR[1]
DIGEST = re.compile(
    r"^avhoppar-ledger-digest v2 position=(\d+) hash=([0-9a-f]{64}) access=(\d+) access_hash=([0-9a-f]{64})$")


def ok(capsys: pytest.CaptureFixture[str], db: str, *args: str) -> Result:
    result = run_cli(capsys, db, *args)
    assert result.code == 0, (args, result.err)
    assert "Traceback" not in result.out + result.err
    return result


def seed(db: str) -> int:
    """A provider, a budget and two cases, recorded through the application; returns the event count."""
    from tests.helpers import ledger_at

    app = ledger_at(db, "tester")
    app.add_provider("SKYDD1", name="Skyddat boende Nord AB", on="2026-01-02")
    app.set_budget(2026, "7 025 000", on="2026-01-02")
    first = app.open_case(PNR, gender="woman", environment="criminal", source="police", on="2026-01-05",
                          note="hemligt")
    app.grant_consent(first, "police", purpose="samverkan", on="2026-01-06")
    app.open_case(OTHER, gender="man", environment="violent_extremist", source="self", on="2026-02-01")
    return event_count(db)


def no_identity_in(*texts: str) -> None:
    for number in (PNR, OTHER):
        for form in identity_forms(number):
            assert all(form not in text for text in texts)


class Raw:
    """Plain SQL on the database behind the ledger's back (sqlite3 or psycopg), committed at once."""

    def __init__(self, url: str) -> None:
        self.sqlite = url.startswith("sqlite")
        if self.sqlite:
            import sqlite3

            self.conn: Any = sqlite3.connect(url.split("///", 1)[1], isolation_level=None)
        else:
            import psycopg

            self.conn = psycopg.connect(url, autocommit=True)

    def __call__(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        cursor = self.conn.execute(sql if self.sqlite else sql.replace("?", "%s"), params)
        rows = list(cursor.fetchall()) if cursor.description else []
        return rows

    def close(self) -> None:
        self.conn.close()


@contextmanager
def raw(url: str) -> Iterator[Raw]:
    connection = Raw(url)
    try:
        yield connection
    finally:
        connection.close()


@contextmanager
def second_store(db_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty store of the other backend: archives go SQLite -> PostgreSQL and back (SQLite only without a server)."""
    from tests.conftest import PG_URL, _drop_pg_database, _fresh_pg_database

    if db_url.startswith("sqlite") and PG_URL:
        url = _fresh_pg_database()
        try:
            yield url
        finally:
            _drop_pg_database(url)
        return
    yield f"sqlite:///{tmp_path / 'imported.sqlite3'}"


# -- verify and digest ----------------------------------------------------------------------------------------


def test_verify_and_digest_on_an_intact_ledger(capsys: pytest.CaptureFixture[str], db_url: str,
                                               tmp_path: Path) -> None:
    count = seed(db_url)
    result = ok(capsys, db_url, "verify")
    assert "Kedjan är obruten" in result.out and f"{count} händelser" in result.out

    line = ok(capsys, db_url, "digest").out.strip()
    match = DIGEST.match(line)
    assert match is not None and int(match.group(1)) == count
    as_json = ok(capsys, db_url, "digest", "--json").json()
    access = {"position": int(match.group(3)), "hash": match.group(4)}
    assert as_json == {"format": "avhoppar-ledger-digest", "version": 2, "position": count,
                       "hash": match.group(2), "access": access, "line": line}

    report = ok(capsys, db_url, "verify", "--json").json()
    assert report == {"source": "database", "ok": True, "events": count,
                      "head": {"position": count, "hash": match.group(2)}, "problem": None, "digests": [],
                      "backfilled": None, "access": access}

    heads = tmp_path / "huvuden.txt"
    heads.write_text(f"# taken before the last case\n{line}\n", encoding="utf-8")
    ok(capsys, db_url, "contact", "add", "AVH-2026-0001", "--channel", "phone")
    later = ok(capsys, db_url, "verify", "--digest", str(heads))
    assert f"huvudet på position {count} " in later.out
    (tmp_path / "head.json").write_text(json.dumps(as_json), encoding="utf-8")  # the --json form works as well
    extended = ok(capsys, db_url, "verify", "--digest", str(tmp_path / "head.json"), "--json").json()
    assert extended["digests"] == [{"position": count, "hash": match.group(2), "extended": True}]
    assert extended["events"] == count + 1


def test_an_altered_byte_fails_verification_naming_the_position(capsys: pytest.CaptureFixture[str],
                                                                db_url: str) -> None:
    seed(db_url)
    with raw(db_url) as db:  # the case opened, with its note
        opened = next(r[0] for r in db("SELECT id, topic FROM ledger_events ORDER BY id")
                      if r[1].endswith("CaseActualised"))
        state = bytes(db("SELECT state FROM ledger_events WHERE id = ?", opened)[0][0])
        assert b"hemligt" not in state and b'"referral_source":"police"' in state  # the note is sealed
        db("UPDATE ledger_events SET state = ? WHERE id = ?",
           state.replace(b'"referral_source":"police"', b'"referral_source":"probation"'), opened)
    result = run_cli(capsys, db_url, "verify")
    assert result.code == 1
    assert result.out == ""
    assert result.err == f"Fel: Hashkedjan är bruten vid position {opened}: händelsens innehåll har ändrats.\n"
    report = run_cli(capsys, db_url, "verify", "--json")
    assert report.code == 1 and f"position {opened}" in report.err
    assert report.json()["ok"] is False
    assert report.json()["problem"] == {"kind": "payload_altered", "position": opened}
    # The chain's end is intact, so recording goes on; the altered event stays reported.
    ok(capsys, db_url, "contact", "add", "AVH-2026-0001", "--channel", "phone")
    assert run_cli(capsys, db_url, "verify").code == 1


def test_failures_in_english_without_a_traceback(tmp_path: Path) -> None:
    db = str(tmp_path / "ledger.sqlite3")
    count = seed(db)
    heads = tmp_path / "head.txt"
    digest = run_process(db, "digest")
    assert digest.code == 0
    heads.write_text(digest.out, encoding="utf-8")
    with raw(f"sqlite:///{db}") as conn:
        conn("DELETE FROM ledger_events WHERE id > ?", count - 2)
        conn("DELETE FROM ledger_chain WHERE position > ?", count - 2)
    plain = run_process(db, "verify", env={"LEDGER_LANG": "en"})
    assert plain.code == 0  # cut consistently: only a digest kept outside shows it
    result = run_process(db, "verify", "--digest", str(heads), env={"LEDGER_LANG": "en"})
    assert result.code == 1
    assert result.err == (f"Error: The hash chain is broken at position {count - 1}: its end is missing "
                          "(shorter than the head says).\n")
    assert "Traceback" not in result.err
    with raw(f"sqlite:///{db}") as conn:
        conn("DELETE FROM ledger_chain WHERE position = ?", 2)
    result = run_process(db, "contact", "add", "AVH-2026-0001", "--channel", "phone", env={"LEDGER_LANG": "en"})
    assert result.code == 0  # the end of the chain is intact: writing goes on
    result = run_process(db, "verify", env={"LEDGER_LANG": "en"})
    assert (result.code, result.err) == (
        1, "Error: The hash chain is broken at position 2: the event's link in the chain is missing.\n")


def test_swapped_rows_are_reported_as_moved(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    seed(db_url)
    with raw(db_url) as db:
        for a, b in ((4, -1), (5, 4), (-1, 5)):
            db("UPDATE ledger_events SET id = ? WHERE id = ?", b, a)
    result = run_cli(capsys, db_url, "verify", "--json")
    assert result.code == 1
    assert result.json()["problem"] == {"kind": "out_of_order", "position": 4, "chained_at": 5}
    assert "position 4" in result.err and "hör hemma på position 5" in result.err


def test_writing_on_a_chain_whose_end_was_removed_is_refused(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    count = seed(db_url)
    with raw(db_url) as db:
        db("DELETE FROM ledger_chain WHERE position = ?", count)
    result = run_cli(capsys, db_url, "contact", "add", "AVH-2026-0001", "--channel", "phone")
    assert result.code == 1
    assert f"position {count}" in result.err and "Traceback" not in result.err
    assert event_count(db_url) == count


@pytest.mark.parametrize(("content", "message"), [
    ("avhoppar-ledger-digest v1 position=12 hash=xyz\n", "fel format (rad 1)"),
    ("\n\n", "filen är tom"),
    ("# only a comment\navhoppar-ledger-digest v9 position=1 hash=" + "0" * 64 + "\n", "okänd version (rad 2)"),
])
def test_a_file_that_is_not_a_digest_is_malformed_input(capsys: pytest.CaptureFixture[str], sqlite_url: str,
                                                        tmp_path: Path, content: str, message: str) -> None:
    heads = tmp_path / "head.txt"
    heads.write_text(content, encoding="utf-8")
    result = run_cli(capsys, sqlite_url, "verify", "--digest", str(heads))
    assert result.code == 2 and message in result.err
    missing = run_cli(capsys, sqlite_url, "verify", "--digest", str(tmp_path / "nowhere.txt"))
    assert missing.code == 2 and "nowhere.txt kan inte användas: filen finns inte" in missing.err


def test_a_store_made_before_the_chain_is_chained_when_opened_and_says_so(capsys: pytest.CaptureFixture[str],
                                                                          db_url: str) -> None:
    from ledger.adapters.store import SQLStore

    count = seed(db_url)
    digest = ok(capsys, db_url, "digest").out
    SQLStore.dispose_all()
    with raw(db_url) as db:
        db("DROP TABLE ledger_chain")
        db("DELETE FROM ledger_meta WHERE key = ?", "chain_version")
    result = ok(capsys, db_url, "verify")
    assert "i efterhand" in result.out and f"1–{count}" in result.out
    assert ok(capsys, db_url, "digest").out == digest  # the same chain as appending wrote
    assert ok(capsys, db_url, "verify", "--json").json()["backfilled"]["through"] == count


def test_an_altered_snapshot_fails_verification_naming_the_case_and_version(capsys: pytest.CaptureFixture[str],
                                                                            db_url: str) -> None:
    from tests.helpers import batch_at, ledger_at

    seed(db_url)
    app = ledger_at(db_url, "tester")
    app.revoke_consent("AVH-2026-0001", "police", on="2026-01-20")
    with batch_at(db_url, "tester") as batch:
        for _ in range(98):
            batch.record_contact("AVH-2026-0001", "phone", on="2026-02-01")
    intact = ok(capsys, db_url, "verify")
    with raw(db_url) as db:
        assert [r[0] for r in db("SELECT originator_version FROM ledger_snapshots")] == [100]
        sealed = json.loads(bytes(db("SELECT state FROM ledger_snapshots")[0][0]))
        opened = json.dumps({"p": app.mapper.personal_part(sealed, app.get_case("AVH-2026-0001").id, 100),
                             "s": sealed["s"]}, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        assert b'"revoked_on":"2026-01-20"' in opened  # written back in the clear, as a forger with the key file would
        db("UPDATE ledger_snapshots SET state = ?", opened.replace(b'"revoked_on":"2026-01-20"', b'"revoked_on":null'))
        position = db("SELECT e.id FROM ledger_events e JOIN ledger_snapshots s ON s.originator_id = e.originator_id "
                      "AND s.originator_version = e.originator_version")[0][0]
    result = run_cli(capsys, db_url, "verify")
    assert (result.code, result.out) == (1, "")
    assert result.err.startswith("Fel: Ögonblicksbilden av AVH-2026-0001 vid version 100 stämmer inte med "
                                 "händelserna: den har ändrats.")
    assert "ledger_snapshots" in result.err and "Traceback" not in result.err
    report = run_cli(capsys, db_url, "verify", "--json")
    assert report.code == 1
    problem = report.json()["problem"]
    assert problem["kind"] == "snapshot_altered" and problem["case"] == "AVH-2026-0001"
    assert problem["version"] == 100 and problem["position"] == position
    english = run_process(db_url, "verify", env={"LEDGER_LANG": "en"})
    assert english.code == 1
    assert english.err.startswith("Error: The snapshot of AVH-2026-0001 at version 100 does not match its events")
    # Deleting every snapshot is always safe: the chain and the events were never touched.
    with raw(db_url) as db:
        db("DELETE FROM ledger_snapshots")
    assert ok(capsys, db_url, "verify").out == intact.out


@pytest.mark.parametrize("command", [("verify",), ("verify", "--json"), ("digest",),
                                     ("export", "--out", "{tmp}/a.jsonl")])
@pytest.mark.parametrize("where", ["typo.db", "no/such/dir/typo.db"])
def test_a_database_that_does_not_exist_is_refused_and_not_created(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                                   command: tuple[str, ...], where: str) -> None:
    missing = tmp_path / where
    args = [arg.replace("{tmp}", str(tmp_path)) for arg in command]
    for db in (str(missing), f"sqlite:///{missing}"):
        result = run_cli(capsys, db, *args, ready=False)
        assert (result.code, result.out) == (1, "")
        assert result.err == (f"Fel: Databasen {missing} finns inte; ange en befintlig liggare med --db eller "
                              "LEDGER_DB, eller skapa en med ledger init. Inget har sparats.\n")
        assert not missing.exists() and not (tmp_path / "no").exists()
        assert list(tmp_path.iterdir()) == []
    english = run_process(str(missing), *args, env={"LEDGER_LANG": "en"}, ready=False)
    assert english.code == 1 and f"The database {missing} does not exist" in english.err
    assert list(tmp_path.iterdir()) == []


def test_the_database_from_ledger_db_must_exist_too(tmp_path: Path) -> None:
    import os

    missing = tmp_path / "typo.db"
    process = subprocess.run([sys.executable, "-m", "ledger.cli", "verify"], capture_output=True, text=True,
                             env={**os.environ, "LEDGER_DB": str(missing)}, timeout=120, check=False)
    assert process.returncode == 1 and f"Databasen {missing} finns inte" in process.stderr
    assert list(tmp_path.iterdir()) == []


def test_import_into_a_new_file_creates_it(capsys: pytest.CaptureFixture[str], sqlite_url: str, tmp_path: Path) -> None:
    seed(sqlite_url)
    archive = tmp_path / "a.jsonl"
    ok(capsys, sqlite_url, "export", "--out", str(archive))
    target = tmp_path / "new" / "dir" / "ledger.sqlite3"
    ok(capsys, str(target), "import", str(archive))
    assert target.is_file()
    assert ok(capsys, str(target), "digest").out == ok(capsys, sqlite_url, "digest").out


# -- export and import ------------------------------------------------------------------------------------------


def test_export_import_round_trip_gives_the_same_digest_and_the_same_behaviour(
    capsys: pytest.CaptureFixture[str], db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    count = seed(db_url)
    ok(capsys, db_url, "case", "show", "AVH-2026-0001")  # an access entry to carry over
    archive = tmp_path / "arkiv.jsonl"
    exported = ok(capsys, db_url, "export", "--out", str(archive), "--json").json()
    digest = ok(capsys, db_url, "digest").out
    assert exported["ok"] is True and exported["events"] == count
    entries = exported["access"]["position"]
    assert entries == 3  # the case shown, and the export's read of both cases
    assert f"hash={exported['head']['hash']} access={entries} access_hash={exported['access']['hash']}" in digest
    text = archive.read_text(encoding="utf-8")
    keys = sum(1 for line in text.splitlines() if line.startswith('{"key":'))
    assert keys == 4  # the blind index's, the unit's (notes on registers), and the two people's data keys
    assert len(text.splitlines()) == count + entries + keys + 2
    assert "hemligt" not in text and PNR not in text
    no_identity_in(ok(capsys, db_url, "verify", "--archive", str(archive)).out)

    with second_store(db_url, tmp_path) as target:
        imported = ok(capsys, target, "import", str(archive))
        assert f"Importerade {count} händelser" in imported.out
        assert ok(capsys, target, "digest").out == digest  # the events' chain and the access log's
        assert ok(capsys, target, "access-log", "--json").json() == ok(capsys, db_url, "access-log", "--json").json()
        assert ok(capsys, target, "verify").out == ok(capsys, db_url, "verify").out
        # The read side rebuilds from the imported events (each read logged at the same moment in both).
        monkeypatch.setenv("LEDGER_NOW", "2026-11-23T09:00:00+00:00")
        assert ok(capsys, target, "case", "list", "--json").json() == ok(capsys, db_url, "case", "list", "--json").json()
        assert (ok(capsys, target, "case", "show", "AVH-2026-0001", "--json").json()
                == ok(capsys, db_url, "case", "show", "AVH-2026-0001", "--json").json())
        # The same blind index: the imported store finds the same person (and refuses a second open case).
        for db in (db_url, target):
            again = run_cli(capsys, db, "case", "open", PNR, "--gender", "woman", "--environment", "criminal",
                            "--source", "police")
            assert again.code == 1 and "AVH-2026-0001" in again.err
            assert ok(capsys, db, "case", "find", PNR[2:8] + "-" + PNR[8:], "--json").json()[0]["case"] == \
                "AVH-2026-0001"
        assert event_count(target) == event_count(db_url) == count


def _statistical_parts(db: str) -> list[dict[str, Any]]:
    with raw(db) as conn:
        return [json.loads(bytes(r[0]))["s"] for r in conn("SELECT state FROM ledger_events ORDER BY id")]


def test_import_refuses_a_ledger_that_is_not_empty(capsys: pytest.CaptureFixture[str], db_url: str,
                                                  tmp_path: Path) -> None:
    count = seed(db_url)
    archive = tmp_path / "a.jsonl"
    ok(capsys, db_url, "export", "--out", str(archive))
    result = run_cli(capsys, db_url, "import", str(archive))
    assert result.code == 1 and f"inte tom ({count} händelser)" in result.err and "Inget har sparats" in result.err
    assert event_count(db_url) == count


def test_a_tampered_archive_is_refused_and_nothing_is_imported(capsys: pytest.CaptureFixture[str], db_url: str,
                                                              tmp_path: Path) -> None:
    seed(db_url)
    archive = tmp_path / "a.jsonl"
    ok(capsys, db_url, "export", "--out", str(archive))
    lines = archive.read_text(encoding="utf-8").splitlines(keepends=True)
    consent = next(i for i, line in enumerate(lines) if "ConsentGranted" in line)  # its recipient
    position = json.loads(lines[consent])["position"]
    lines[consent] = lines[consent].replace('\\"recipient\\":\\"police\\"', '\\"recipient\\":\\"sis\\"')
    assert lines[consent] != archive.read_text(encoding="utf-8").splitlines(keepends=True)[consent]
    archive.write_text("".join(lines), encoding="utf-8")
    checked = run_cli(capsys, db_url, "verify", "--archive", str(archive), "--json")
    assert checked.code == 1 and checked.json()["problem"] == {"kind": "payload_altered", "position": position}
    with second_store(db_url, tmp_path) as target:
        result = run_cli(capsys, target, "import", str(archive))
        assert result.code == 1
        assert f"position {position}: händelsens innehåll har ändrats" in result.err
        assert "Inget har sparats" in result.err
        assert event_count(target) == 0
        broken = tmp_path / "broken.jsonl"
        broken.write_text("".join(lines[:3]) + "{not json\n", encoding="utf-8")
        result = run_cli(capsys, target, "import", str(broken))
        assert result.code == 2 and "raden är inte JSON (rad 4)" in result.err
        assert event_count(target) == 0


def _rechain(archive: Path, number: int, edit: Any) -> None:
    """Edit event line ``number`` (0-based) and recompute every hash after it, as a forger would."""
    from ledger.adapters.chain import link, payload_hash

    lines = [json.loads(line) for line in archive.read_text(encoding="utf-8").splitlines()]
    edit(lines[number])
    previous = lines[number - 1]["hash"] if number > 1 else "0" * 64
    for obj in (line for line in lines[number:-1] if "position" in line):  # the events, not the access log
        obj["payload_hash"] = payload_hash(obj["state"].encode("utf-8"))
        obj["hash"] = previous = link(previous, obj["position"], obj["originator_id"], obj["originator_version"],
                                      obj["topic"], obj["recorded_at"], obj["payload_hash"])
    lines[-1]["head"]["hash"] = previous
    archive.write_text("".join(json.dumps(o, ensure_ascii=False, separators=(",", ":")) + "\n" for o in lines),
                       encoding="utf-8")


def test_an_archive_with_an_unreadable_payload_is_refused_though_its_chain_holds(
    capsys: pytest.CaptureFixture[str], db_url: str, tmp_path: Path,
) -> None:
    seed(db_url)
    ok(capsys, db_url, "followup", "record", "AVH-2026-0001", "--time-point", "during", "--housing", "own",
       "--occupation", "work")
    archive = tmp_path / "a.jsonl"
    ok(capsys, db_url, "export", "--out", str(archive))
    lines = archive.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if "FollowUpRecorded" in line)
    _rechain(archive, number, lambda o: o.update(state=o["state"].replace('"housing":"own"', '"housing":"castle"')))
    assert '"housing\\":\\"castle' in archive.read_text(encoding="utf-8")
    checked = run_cli(capsys, db_url, "verify", "--archive", str(archive))
    assert checked.code == 2 and checked.out == ""
    assert f"händelsens innehåll kan inte läsas som sin händelsetyp (rad {number + 1})" in checked.err
    with second_store(db_url, tmp_path) as target:
        result = run_cli(capsys, target, "import", str(archive))
        assert result.code == 2 and "Traceback" not in result.err
        assert result.err == ("Fel: Arkivfilen kan inte läsas: händelsens innehåll kan inte läsas som sin "
                              f"händelsetyp (rad {number + 1}). Inget har sparats.\n")
        assert event_count(target) == 0
        assert run_cli(capsys, target, "case", "show", "AVH-2026-0001").code == 1  # not found, not a crash


def test_an_export_logs_a_read_of_every_case_before_writing(capsys: pytest.CaptureFixture[str], db_url: str,
                                                           tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.helpers import training_store

    seed(db_url)
    assert ok(capsys, db_url, "access-log", "--json").json() == []
    monkeypatch.setenv("LEDGER_NOW", "2026-11-23T09:30:00+00:00")
    training_store(db_url, "anna.l")
    count = event_count(db_url)
    ok(capsys, db_url, "--as", "anna.l", "export", "--out", str(tmp_path / "a.jsonl"))
    log = ok(capsys, db_url, "access-log", "--json").json()
    assert log == [
        {"accessed_at": "2026-11-23T09:30:00+00:00", "user": "anna.l", "case": case, "command": "export",
         "protected": False, "protection_level": "none", "reason": None, "outcome": "read"}
        for case in ("AVH-2026-0001", "AVH-2026-0002")
    ]
    assert event_count(db_url) == count  # an access entry is not an event
    # No entry can be written (a read-only database, a full disk): nothing is exported.
    from ledger.adapters.access_log import SqlAccessLog
    from ledger.domain.errors import StorageError

    def refuse(*_: Any, **__: Any) -> None:
        raise StorageError(reason="read_only")

    monkeypatch.setattr(SqlAccessLog, "record", refuse)
    result = run_cli(capsys, db_url, "export", "--out", str(tmp_path / "b.jsonl"))
    assert result.code == 1 and "Traceback" not in result.err
    assert list(tmp_path.glob("b.jsonl*")) == []


def test_an_export_of_an_empty_ledger_logs_nothing(capsys: pytest.CaptureFixture[str], sqlite_url: str,
                                                   tmp_path: Path) -> None:
    from tests.helpers import ledger_at

    ledger_at(sqlite_url, "tester")
    ok(capsys, sqlite_url, "export", "--out", str(tmp_path / "a.jsonl"))
    assert ok(capsys, sqlite_url, "access-log", "--json").json() == []


PROBE = (
    "import sys\nfrom ledger.cli.main import main\n"
    "try:\n    main(sys.argv[1:])\nexcept SystemExit as e:\n    code = e.code\n"
    "assert 'sqlalchemy' not in sys.modules, 'sqlalchemy imported'\nsys.exit(code)"
)


def test_verify_archive_opens_no_database(capsys: pytest.CaptureFixture[str], sqlite_url: str, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    seed(sqlite_url)
    archive = tmp_path / "a.jsonl"
    ok(capsys, sqlite_url, "export", "--out", str(archive))
    from ledger.adapters.store import SQLStore

    SQLStore.dispose_all()

    def refuse(*_: Any, **__: Any) -> None:
        raise AssertionError("verify --archive opened a database")

    monkeypatch.setattr(SQLStore, "__init__", refuse)
    nowhere = tmp_path / "nowhere" / "ledger.sqlite3"
    result = ok(capsys, str(nowhere), "verify", "--archive", str(archive))
    assert "Arkivets kedja är obruten" in result.out
    assert not nowhere.parent.exists()
    # And as a process of its own: no database file appears, no database module is even imported.
    process = subprocess.run(
        [sys.executable, "-c", PROBE, "--db", str(nowhere), "verify", "--archive", str(archive)],
        check=False, capture_output=True, text=True, timeout=120,
    )
    assert process.returncode == 0, process.stderr
    assert not nowhere.parent.exists()


def test_export_refuses_a_ledger_that_does_not_verify_and_leaves_no_file(capsys: pytest.CaptureFixture[str],
                                                                         db_url: str, tmp_path: Path) -> None:
    seed(db_url)
    provider = STORE_SETUP_EVENTS + 1
    with raw(db_url) as db:
        db("DELETE FROM ledger_events WHERE id = ?", provider)
    result = run_cli(capsys, db_url, "export", "--out", str(tmp_path / "a.jsonl"))
    assert result.code == 1 and f"position {provider}: händelsen saknas" in result.err
    assert list(tmp_path.glob("a.jsonl*")) == []


def test_export_to_a_place_that_cannot_be_written_is_an_error(capsys: pytest.CaptureFixture[str], sqlite_url: str,
                                                             tmp_path: Path) -> None:
    seed(sqlite_url)
    result = run_cli(capsys, sqlite_url, "export", "--out", str(tmp_path / "no" / "such" / "dir" / "a.jsonl"))
    assert result.code == 2 and "filen finns inte" in result.err and "Traceback" not in result.err


# -- the command line's shape ------------------------------------------------------------------------------------


def test_every_kind_of_problem_has_a_text_in_both_languages() -> None:
    from ledger.adapters.verification import KINDS
    from ledger.cli.i18n import CATALOGUE

    assert {f"reason.{kind}" for kind in KINDS} <= CATALOGUE.keys()


def test_the_commands_have_help_with_an_example_and_import_no_database_stack() -> None:
    code = (
        "import sys\nimport ledger.cli.commands.verify as v\nimport typer.main\n"
        "for app in (v.verify_app, v.digest_app, v.export_app, v.import_app):\n"
        "    typer.main.get_command(app)\n"
        "heavy = [m for m in ('sqlalchemy', 'eventsourcing', 'pydantic') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    process = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=120)
    assert process.returncode == 0, process.stderr
    for command in ("verify", "digest", "export", "import"):
        result = run_process("unused.sqlite3", command, "--help", env={"LEDGER_LANG": "en"})
        assert result.code == 0 and "Example: ledger " in result.out, command


def test_an_archive_needs_its_passphrase_to_be_imported_not_to_be_verified(
    capsys: pytest.CaptureFixture[str], sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    seed(sqlite_url)
    archive = tmp_path / "a.jsonl"
    ok(capsys, sqlite_url, "export", "--out", str(archive))
    assert "hemligt" not in archive.read_text(encoding="utf-8")
    monkeypatch.delenv("LEDGER_PASSPHRASE_FILE")
    assert ok(capsys, sqlite_url, "verify", "--archive", str(archive)).code == 0  # no passphrase needed
    refused = run_cli(capsys, sqlite_url, "export", "--out", str(tmp_path / "b.jsonl"))
    assert refused.code == 2 and "--passphrase-file" in refused.err and not (tmp_path / "b.jsonl").exists()
    target = str(tmp_path / "imported.sqlite3")
    missing = run_cli(capsys, target, "import", str(archive))
    assert missing.code == 2 and "lösenfras" in missing.err and event_count(target) == 0
    wrong = tmp_path / "fel.txt"
    wrong.write_text("inte alls rätt lösenfras\n", encoding="utf-8")
    result = run_cli(capsys, target, "import", str(archive), "--passphrase-file", str(wrong))
    assert result.code == 2 and "fel lösenfras" in result.err and event_count(target) == 0
    short = tmp_path / "kort.txt"
    short.write_text("kort\n", encoding="utf-8")
    assert "minst 12 tecken" in run_cli(capsys, target, "import", str(archive), "--passphrase-file", str(short)).err
    from tests.conftest import PASSPHRASE_FILE

    imported = ok(capsys, target, "import", str(archive), "--passphrase-file", str(PASSPHRASE_FILE))
    assert "Importerade" in imported.out
    view = ok(capsys, target, "case", "show", "AVH-2026-0001", "--json").json()
    assert view["case"] == "AVH-2026-0001"  # the imported store opens the sealed data with its own key file
