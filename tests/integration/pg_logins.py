"""PostgreSQL with real logins, set up as docs/deployment.md says (``CREATE ROLE … LOGIN``, ``GRANT
ledger_<db> TO …``): the fixtures and helpers of the tests that use them (the fixtures are registered
in ``conftest.py``)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import PG_URL, TEST_PNR, need_pg
from tests.helpers import Result, run_cli

PNR = TEST_PNR[30]


def case_number() -> str:
    """The first case's number on a real store: numbered in the year of the real clock's today (a real
    store takes no pinned day), whatever day the case is opened for."""
    from ledger.domain.clock import SystemClock

    return f"AVH-{SystemClock().today().year}-0001"


@pytest.fixture
def real(monkeypatch: pytest.MonkeyPatch) -> None:
    """No training overrides in the environment: a real store takes the login and the real clock."""
    for name in ("LEDGER_USER", "LEDGER_TODAY", "LEDGER_NOW"):
        monkeypatch.delenv(name, raising=False)


def admin(sql: str, database: str | None = None) -> None:
    import psycopg

    assert PG_URL is not None
    url = PG_URL if database is None else PG_URL.rsplit("/", 1)[0] + "/" + database
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


def as_login(url: str, login: str) -> str:
    """The same database, connected as ``login`` (the server trusts loopback in tests; a municipality's
    uses SCRAM, certificates or Kerberos — the ledger only ever sees ``session_user``)."""
    rest = url.split("://", 1)[1].split("@", 1)[1]
    return f"postgresql://{login}@{rest}"


@pytest.fixture
def logins(real: None, capsys: pytest.CaptureFixture[str]) -> Iterator[dict[str, Any]]:
    """Set up as docs/deployment.md says: the database administrator makes an owner that is not a
    superuser, the database, and the ledger's role given to the owner; the owner runs ``ledger init``;
    two workers get logins with the ledger's role."""
    need_pg()
    suffix = uuid.uuid4().hex[:8]
    owner, database, anna, bo = f"owner_{suffix}", f"avhopp_{suffix}", f"anna_{suffix}", f"bo_{suffix}"
    role = f"ledger_{database}"
    admin(f'CREATE ROLE "{owner}" LOGIN')
    admin(f'CREATE DATABASE "{database}" OWNER "{owner}" ENCODING \'UTF8\'')
    admin(f'REVOKE ALL ON DATABASE "{database}" FROM PUBLIC')
    admin(f'CREATE ROLE "{role}" NOLOGIN')
    admin(f'GRANT "{role}" TO "{owner}"')
    assert PG_URL is not None
    owner_url = as_login(PG_URL.rsplit("/", 1)[0] + "/" + database, owner)
    try:
        init = run_cli(capsys, owner_url, "init", "--role", "granskare", ready=False)
        assert init.code == 0, init.err
        assert json.loads(run_cli(capsys, owner_url, "info", "--json", ready=False).out)["ledger_role"] == role
        for login in (anna, bo):
            admin(f'CREATE ROLE "{login}" LOGIN')
            admin(f'GRANT "{role}" TO "{login}"')
            assert run_cli(capsys, owner_url, "user", "add", login, "--role", "handläggare", ready=False).code == 0
        yield {"owner": owner_url, "anna": as_login(owner_url, anna), "bo": as_login(owner_url, bo),
               "names": (anna, bo), "role": role, "database": database}
    finally:
        from ledger.adapters.store import SQLStore

        SQLStore.dispose_all()
        admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        for name in (anna, bo, role, owner):
            admin(f'DROP ROLE IF EXISTS "{name}"')


def ok(result: Result) -> Result:
    assert result.code == 0, result.err
    return result


OLD_CHECK = """CREATE FUNCTION ledger_check_author() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
DECLARE author text;
BEGIN
  IF session_user = (SELECT tableowner FROM pg_tables WHERE schemaname = TG_TABLE_SCHEMA
                     AND tablename = TG_TABLE_NAME) THEN
    RETURN NEW;
  END IF;
  IF TG_TABLE_NAME = 'ledger_events' THEN
    author := convert_from(NEW.state, 'UTF8')::jsonb #>> '{s,recorded_by}';
  ELSE
    author := NEW.user_name;
  END IF;
  IF author IS DISTINCT FROM session_user THEN
    RAISE EXCEPTION 'ledger: % may only record as itself', session_user USING ERRCODE = '42501';
  END IF;
  RETURN NEW;
END $$"""

def as_older_store(owner_url: str) -> None:
    """The store put back as one set up before 2026-12-03 is: the author check per row; the read side's
    tables the ledger's role's, which may create objects in the tables' schema."""
    import psycopg

    from ledger.adapters.schema import read_metadata, tracking_table

    with psycopg.connect(owner_url, autocommit=True) as conn:
        role = conn.execute("SELECT value FROM ledger_meta WHERE key = 'ledger_role'").fetchone()[0]
        conn.execute(f'GRANT CREATE ON SCHEMA public TO "{role}"')
        for table in (tracking_table, *read_metadata.sorted_tables):
            conn.execute(f'ALTER TABLE {table.name} OWNER TO "{role}"')
        conn.execute(OLD_CHECK)
        for table in ("ledger_events", "ledger_access_log"):
            conn.execute(f"DROP TRIGGER {table}_author ON {table}")
            conn.execute(f"CREATE TRIGGER {table}_author BEFORE INSERT ON {table} FOR EACH ROW "
                         "EXECUTE FUNCTION ledger_check_author()")
        conn.execute("DROP FUNCTION ledger_check_authors()")


def login_of(url: str) -> str:
    return url.split("://", 1)[1].split("@", 1)[0]




def fresh(capsys: pytest.CaptureFixture[str], url: str, *args: str) -> Result:
    """``ledger --db URL ARGS`` as a new process runs it: no connection of this process's pool is reused,
    so every session starts with the question :mod:`ledger.adapters.guard` asks."""
    from ledger.adapters.store import SQLStore

    SQLStore.dispose_all()
    return run_cli(capsys, url, *args, ready=False)
