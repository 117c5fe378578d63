"""The access log's chain as :mod:`ledger.adapters.verification` walks it, on both backends.

- ``access_rows`` reads every row of ``ledger_access_log`` through the driver's cursor, in position order,
  with the values SQLAlchemy reads for the same rows (also when the rows come in several windows).
- ``AccessWalk.check_text`` verifies an intact log and names the first edited, deleted or moved row at
  its position (and a digest the log does not extend).
- The public paths that use them: ``ledger export`` (``access_rows`` + ``check_text``) writes an intact
  log's rows to the archive exactly and refuses a tampered one naming the position, leaving no file;
  ``ledger verify`` names a moved row.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from ledger.adapters import verification
from ledger.adapters.access_log import access_head
from ledger.adapters.chain import GENESIS, Head
from ledger.adapters.schema import access_table
from ledger.adapters.verification import AccessWalk, Problem, access_rows, access_time_text
from ledger.bootstrap import Services, services
from ledger.domain.clock import PinnedClock
from ledger.domain.errors import AccessDenied
from tests.conftest import TEST_PNR
from tests.e2e.test_verify_cli import raw
from tests.helpers import run_cli, services_at, store_at

PLAIN_PNR, HIDDEN_PNR = TEST_PNR[630], TEST_PNR[631]
COLUMNS = ("position", "accessed_at", "user_name", "case_number", "command", "protection_level", "protected",
           "reason", "outcome", "hash")
#: The log the fixture leaves: (user, case, command, protected, outcome), positions 1 to 6.
LOG = [
    ("tester", "AVH-2026-0001", "case show", False, "read"),
    ("tester", "AVH-2026-0002", "case show", True, "read"),
    ("tester", "AVH-2026-0002", "case log", True, "read"),
    ("stina.s", "AVH-2026-0002", "case show", True, "denied"),
    ("stina.s", None, "case list", False, "denied"),
    ("tester", "AVH-2026-0001", "history", False, "read"),
]


def _at(found: Services, moment: str) -> None:
    found.ledger.clock = found.gate.clock = PinnedClock(datetime.fromisoformat(moment), date(2026, 11, 23))


def _six_rows(db: str) -> None:
    """Six access-log rows, a minute apart: reads of an ordinary and a protected case, two refusals (one
    of them about no one case)."""
    found = services_at(db, "tester")
    app = found.ledger
    plain = app.open_case(PLAIN_PNR, gender="man", environment="criminal", source="police", on="2026-03-01")
    hidden = app.open_case(HIDDEN_PNR, gender="woman", environment="honour", source="self",
                           protection="protected_registration", on="2026-03-02")
    app.add_user("stina.s", ["statistiker"])
    stina = services(db, "stina.s")
    reads = [(found, lambda: found.queries.case(plain)), (found, lambda: found.queries.case(hidden)),
             (found, lambda: found.queries.case_log(hidden)), (stina, lambda: stina.queries.case(hidden)),
             (stina, stina.queries.cases), (found, lambda: found.queries.history(plain))]
    for minute, (who, read) in enumerate(reads):
        _at(who, f"2026-11-20T10:{minute:02d}:30+00:00")
        try:
            read()
        except AccessDenied:
            pass


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def logged(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A store with the six rows, made once per backend, for the tests that only read it."""
    from tests import conftest

    with conftest.fresh_store(request.param, tmp_path_factory.mktemp("access")) as db:
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("LEDGER_TODAY", conftest.TODAY)
            _six_rows(db)
        yield db


@pytest.fixture
def own_log(db_url: str) -> str:
    """A store of its own with the six rows, for the tests that export (a read, logged) or tamper."""
    _six_rows(db_url)
    return db_url


def _rows(db: str) -> list[tuple[Any, ...]]:
    with store_at(db).read() as conn:
        return list(access_rows(conn))


def _walk(rows: list[tuple[Any, ...]], digests: tuple[Head, ...] = ()) -> tuple[AccessWalk, Problem | None]:
    walk = AccessWalk(digests)
    problem = walk.start()
    for position, at, *rest in rows:
        if problem is not None:
            break
        problem = walk.check_text(int(position), access_time_text(at), *rest)
    return walk, problem or walk.finish()


# -- access_rows -------------------------------------------------------------------------------------------


def test_access_rows_are_the_rows_sqlalchemy_reads(logged: str, monkeypatch: pytest.MonkeyPatch) -> None:
    store = store_at(logged)
    with store.read() as conn:
        theirs = conn.execute(select(*(access_table.c[name] for name in COLUMNS))
                              .order_by(access_table.c.position)).all()
    for window in (verification.WINDOW, 4, 1):  # the rows in one window of fetchmany, or in several
        monkeypatch.setattr(verification, "WINDOW", window)
        with store.read() as conn:
            mine = list(access_rows(conn))
        assert [int(row[0]) for row in mine] == [1, 2, 3, 4, 5, 6], window
        assert len(mine) == len(theirs)
        for got, want in zip(mine, theirs, strict=True):
            assert len(got) == len(COLUMNS)
            position, at, user, case, command, level, protected, reason, outcome, digest = got
            assert int(position) == want.position
            assert access_time_text(at) == want.accessed_at.isoformat()
            assert (user, case, command, level, reason, outcome, digest) == (
                want.user_name, want.case_number, want.command, want.protection_level, want.reason, want.outcome,
                want.hash)
            assert bool(protected) is want.protected
    assert [(r[2], r[3], r[4], bool(r[6]), r[8]) for r in mine] == LOG
    assert [access_time_text(r[1]) for r in mine] == [f"2026-11-20T10:{m:02d}:30" for m in range(6)]
    assert [r[5] for r in mine] == ["none", "protected_registration", "protected_registration",
                                    "protected_registration", "none", "none"]


def test_access_rows_of_an_empty_log(db_url: str) -> None:
    services_at(db_url, "tester")
    assert _rows(db_url) == []
    walk, problem = _walk([])
    assert problem is None and walk.head == Head(0, GENESIS)


# -- AccessWalk.check_text -----------------------------------------------------------------------------------


def test_an_intact_log_walks_to_its_stored_head(logged: str) -> None:
    rows = _rows(logged)
    walk, problem = _walk(rows)
    assert problem is None
    with store_at(logged).read() as conn:
        stored = access_head(conn)
    assert walk.head == stored == Head(6, rows[-1][9])
    # digests: ones it extends, and ones it does not
    assert _walk(rows, (Head(0, GENESIS), Head(3, rows[2][9]), Head(6, rows[5][9])))[1] is None
    assert _walk(rows, (Head(4, "f" * 64),))[1] == Problem("access_digest_mismatch", 4)
    assert _walk(rows, (Head(0, "f" * 64),))[1] == Problem("access_digest_mismatch", 0)
    assert _walk(rows, (Head(8, "f" * 64),))[1] == Problem("access_truncated", 7, {"digest_position": 8})


def _edited(rows: list[tuple[Any, ...]], index: int, column: int, value: Any) -> list[tuple[Any, ...]]:
    row = list(rows[index])
    row[column] = value
    return [*rows[:index], tuple(row), *rows[index + 1:]]


def _swapped(rows: list[tuple[Any, ...]], first: int, second: int) -> list[tuple[Any, ...]]:
    """The two rows' contents exchanged, each keeping the other's position (rows moved)."""
    moved = list(rows)
    moved[first] = (rows[first][0], *rows[second][1:])
    moved[second] = (rows[second][0], *rows[first][1:])
    return moved


#: Rows as read, tampered with, and the problem the walk must name.
TAMPERED = {
    "user edited": (lambda rows: _edited(rows, 2, 2, "någon.annan"), Problem("access_altered", 3)),
    "denied made read": (lambda rows: _edited(rows, 3, 8, "read"), Problem("access_altered", 4)),
    "protected flag cleared": (lambda rows: _edited(rows, 1, 6, False), Problem("access_altered", 2)),
    "a case put in": (lambda rows: _edited(rows, 4, 3, "AVH-2026-0001"), Problem("access_altered", 5)),
    "time moved": (lambda rows: _edited(rows, 0, 1, "2026-11-20T09:00:30"), Problem("access_altered", 1)),
    "hash replaced": (lambda rows: _edited(rows, 5, 9, "0" * 64), Problem("access_altered", 6)),
    "deleted": (lambda rows: rows[:2] + rows[3:], Problem("access_missing", 3)),
    "first deleted": (lambda rows: rows[1:], Problem("access_missing", 1)),
    "two rows swapped": (lambda rows: _swapped(rows, 1, 3), Problem("access_altered", 2)),
    "moved to the end": (lambda rows: rows[:2] + rows[3:] + [(7, *rows[2][1:])], Problem("access_missing", 3)),
}


def test_a_tampered_row_is_named_at_its_position(logged: str) -> None:
    rows = _rows(logged)
    for what, (tamper, problem) in TAMPERED.items():
        walk, found = _walk(tamper(rows))
        assert found == problem, what
        assert walk.head.position == problem.position - 1, what  # verified up to the row before
        assert walk.head.hash == (rows[problem.position - 2][9] if problem.position > 1 else GENESIS), what


# -- the public paths: export and verify --------------------------------------------------------------------


def _archive_access(archive: Path) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in archive.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if "access" in line and "hash" in line]


def test_export_writes_an_intact_access_log_as_stored(own_log: str, capsys: pytest.CaptureFixture[str],
                                                      tmp_path: Path) -> None:
    archive = tmp_path / "arkiv.jsonl"
    exported = run_cli(capsys, own_log, "export", "--out", str(archive), "--json")
    assert exported.code == 0, exported.err
    rows = _rows(own_log)  # the six, and the export's own read of both cases (logged before it was written)
    assert [(r[2], r[3], r[4]) for r in rows[6:]] == [("tester", "AVH-2026-0001", "export"),
                                                      ("tester", "AVH-2026-0002", "export")]
    assert exported.json()["access"] == {"position": 8, "hash": rows[-1][9]}
    written = _archive_access(archive)
    assert [(line["access"], line["accessed_at"], line["user"], line["case"], line["command"],
             line["protection_level"], line["protected"], line["reason"], line["outcome"], line["hash"])
            for line in written] == [(int(r[0]), access_time_text(r[1]), *r[2:6], bool(r[6]), *r[7:]) for r in rows]
    checked = run_cli(capsys, own_log, "verify", "--archive", str(archive), "--json")
    assert checked.code == 0 and checked.json()["access"] == {"position": 8, "hash": rows[-1][9]}


MOVE_2_AND_4 = ("UPDATE ledger_access_log SET position = -4 WHERE position = 4",
                "UPDATE ledger_access_log SET position = 4 WHERE position = 2",
                "UPDATE ledger_access_log SET position = 2 WHERE position = -4")
#: Tampering behind the ledger's back, and what export and verify must name: (kind, position).
TAMPER_SQL = {
    "edited": (("UPDATE ledger_access_log SET user_name = 'någon.annan' WHERE position = 3",), ("access_altered", 3)),
    "denied made read": (("UPDATE ledger_access_log SET outcome = 'read' WHERE position = 4",), ("access_altered", 4)),
    "deleted": (("DELETE FROM ledger_access_log WHERE position = 5",), ("access_missing", 5)),
    "moved": (MOVE_2_AND_4, ("access_altered", 2)),
}
_ALL = f"SELECT {', '.join(COLUMNS)} FROM ledger_access_log ORDER BY position"


def test_export_refuses_a_tampered_access_log_at_its_position(own_log: str, capsys: pytest.CaptureFixture[str],
                                                               tmp_path: Path) -> None:
    out = tmp_path / "arkiv"
    out.mkdir()
    with raw(own_log) as conn:
        original = conn(_ALL)
    for what, (tamper, (kind, position)) in TAMPER_SQL.items():
        with raw(own_log) as conn:
            for sql in tamper:
                conn(sql)
        refused = run_cli(capsys, own_log, "export", "--out", str(out / "arkiv.jsonl"))
        assert refused.code == 1 and "Traceback" not in refused.err, what
        assert f"Hashkedjan är bruten vid position {position}" in refused.err, (what, refused.err)
        assert list(out.iterdir()) == [], what  # no archive, no partial file
        report = run_cli(capsys, own_log, "verify", "--json")
        assert report.code == 1 and report.json()["problem"] == {"kind": kind, "position": position}, what
        with raw(own_log) as conn:  # the log as it was, for the next tampering
            conn("DELETE FROM ledger_access_log")
            for row in original:
                conn(f"INSERT INTO ledger_access_log ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
                     *row)
        assert run_cli(capsys, own_log, "verify").code == 0, what
