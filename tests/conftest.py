"""Shared fixtures: a fresh store per test on SQLite and, where a server is given, PostgreSQL.

PostgreSQL tests need ``LEDGER_TEST_PG_URL`` (a server URL; each test gets its own database).
Without it they skip with a reason, except when ``LEDGER_REQUIRE_PG=1`` (CI): then they fail,
and the run fails if no PostgreSQL test passed at all.
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import settings

#: Property tests are judged by what they find, not by how long an example takes: a machine that stalls
#: a quarter of a second (CI's, loaded) must not fail one with ``DeadlineExceeded``.
settings.register_profile("ledger", deadline=None)
settings.load_profile("ledger")

TODAY = "2026-11-23"
PG_URL = os.environ.get("LEDGER_TEST_PG_URL")
REQUIRE_PG = os.environ.get("LEDGER_REQUIRE_PG") == "1"
_pg_passed = 0

_IDS = json.loads((Path(__file__).parents[1] / "src/ledger/data/testdata_identities.json").read_text())
#: Skatteverket test numbers only (see src/ledger/data/testdata_identities.json).
TEST_PNR: list[str] = _IDS["personnummer"]
TEST_SAMORDNING: list[str] = _IDS["samordningsnummer"]


#: Where the tests' stores keep their key files (one per store, named by its id): never the user's own
#: configuration folder. Set for the whole session, so that module-scoped fixtures see it too.
KEY_DIR = Path(tempfile.mkdtemp(prefix="ledger-test-keys-"))
os.environ["LEDGER_KEY_DIR"] = str(KEY_DIR)
os.environ.pop("LEDGER_KEY_FILE", None)
#: The tests' archive passphrase (``ledger export`` / ``import`` read it from LEDGER_PASSPHRASE_FILE).
PASSPHRASE = "korrekt häst batteri häftklammer"
PASSPHRASE_FILE = KEY_DIR / "passphrase.txt"
PASSPHRASE_FILE.write_text(PASSPHRASE + "\n", encoding="utf-8")


@pytest.fixture(autouse=True)
def _pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run on a fixed 'today' so dates in them stay valid in later years."""
    monkeypatch.setenv("LEDGER_KEY_DIR", str(KEY_DIR))
    monkeypatch.delenv("LEDGER_KEY_FILE", raising=False)
    monkeypatch.setenv("LEDGER_PASSPHRASE_FILE", str(PASSPHRASE_FILE))
    monkeypatch.setenv("LEDGER_TODAY", TODAY)
    monkeypatch.setenv("LEDGER_USER", "tester")
    monkeypatch.delenv("LEDGER_DB", raising=False)
    monkeypatch.delenv("LEDGER_LANG", raising=False)


def _fresh_pg_database() -> str:
    import psycopg

    name = f"ledger_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return PG_URL.rsplit("/", 1)[0] + "/" + name


def _drop_pg_database(url: str) -> None:
    import psycopg

    from ledger.adapters.store import SQLStore

    SQLStore.dispose_all()
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        try:  # the ledger's role that ``ledger init`` made for the database (roles outlive databases)
            conn.execute(f'DROP ROLE IF EXISTS "ledger_{name}"')
        except psycopg.Error:  # still holding something elsewhere: left to the server's administrator
            pass


def need_pg() -> None:
    if PG_URL:
        return
    if REQUIRE_PG:
        pytest.fail("LEDGER_REQUIRE_PG=1 but LEDGER_TEST_PG_URL is not set: PostgreSQL tests must run")
    pytest.skip("no PostgreSQL server: set LEDGER_TEST_PG_URL (CI does, see .ci/run)")


@pytest.fixture
def pg_url() -> Iterator[str]:
    need_pg()
    url = _fresh_pg_database()
    yield url
    _drop_pg_database(url)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> Iterator[str]:
    yield f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    from ledger.adapters.store import SQLStore

    SQLStore.dispose_all()


@contextmanager
def fresh_store(backend: str, folder: Path) -> Iterator[str]:
    """A fresh, empty store on ``backend`` (``sqlite``: a file in ``folder``; ``postgres``: a new
    database), gone afterwards: for :func:`db_url` and for fixtures that build a store once per module."""
    from ledger.adapters.store import SQLStore

    if backend == "sqlite":
        try:
            yield f"sqlite:///{folder / 'ledger.sqlite3'}"
        finally:
            SQLStore.dispose_all()
        return
    need_pg()
    url = _fresh_pg_database()
    try:
        yield url
    finally:
        _drop_pg_database(url)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty store: once on SQLite, once on PostgreSQL."""
    with fresh_store(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def app(db_url: str):
    from tests.helpers import ledger_at

    return ledger_at(db_url, "tester")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "pg_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    global _pg_passed
    if report.when == "call" and report.passed and "postgres" in report.keywords:
        _pg_passed += 1


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if hasattr(session.config, "workerinput"):
        return  # a pytest-xdist worker: the controller sees every worker's reports and decides
    if REQUIRE_PG and _pg_passed == 0 and session.testscollected:
        session.config.pluginmanager.get_plugin("terminalreporter").write_line(
            "LEDGER_REQUIRE_PG=1: no PostgreSQL test passed", red=True
        )
        session.exitstatus = 1


def pytest_report_header() -> str:
    return f"ledger: PostgreSQL tests {'on ' + PG_URL.rsplit('@', 1)[-1] if PG_URL else 'skipped (no LEDGER_TEST_PG_URL)'}"
