"""Who records is authenticated, never declared; PostgreSQL itself keeps the ledger append-only.

PostgreSQL, with two real logins made as a database administrator would (``CREATE ROLE … LOGIN``,
``GRANT ledger_<db> TO …``, docs/deployment.md): events carry the login's name; ``--as`` and
``LEDGER_USER`` are refused on a real store, and so are ``LEDGER_NOW`` and ``LEDGER_TODAY``; an
``UPDATE``, ``DELETE`` or ``TRUNCATE`` of the event, chain, access or settings tables by a ledger
login fails with permission denied, while the read side's tables may be rewritten. SQLite: the
operating system's login records.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest

from tests.conftest import PG_URL, need_pg
from tests.helpers import run_cli, run_process
from tests.integration.pg_logins import PNR, admin, as_login, as_older_store, case_number, fresh, login_of, ok


def test_events_carry_the_login_and_declared_names_are_refused(logins: dict[str, Any],
                                                                capsys: pytest.CaptureFixture[str],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    anna_name, bo_name = logins["names"]
    anna, bo = logins["anna"], logins["bo"]
    ok(run_cli(capsys, anna, "case", "open", PNR, "--gender", "woman", "--environment", "criminal", "--source",
               "police", "--date", "2026-11-01", ready=False))
    ok(run_cli(capsys, bo, "contact", "add", case_number(), "--channel", "phone", "--date", "2026-11-02", ready=False))
    log = json.loads(ok(run_cli(capsys, anna, "case", "log", case_number(), "--json", ready=False)).out)
    assert [(e["type"], e["recorded_by"]) for e in log] == [("CaseActualised", anna_name),
                                                             ("ContactRecorded", bo_name)]
    before = len(log)
    # Naming someone else is refused on a real store, by option or environment; so is a pinned clock.
    for args, env in ((("--as", bo_name), {}), ((), {"LEDGER_USER": bo_name}), ((), {"LEDGER_TODAY": "2026-01-01"}),
                      ((), {"LEDGER_NOW": "2026-01-01T10:00:00+00:00"})):
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        refused = run_cli(capsys, anna, *args, "contact", "add", case_number(), "--channel", "phone", ready=False)
        for name in env:
            monkeypatch.delenv(name)
        assert refused.code == 1, (args, env, refused.err)
        assert "får bara användas på en övningsdatabas" in refused.err and "Traceback" not in refused.err
    assert len(json.loads(ok(run_cli(capsys, anna, "case", "log", case_number(), "--json", ready=False)).out)) == before
    # The same as a separate process, in English.
    english = run_process(anna, "--as", bo_name, "case", "show", case_number(), env={"LEDGER_LANG": "en"}, ready=False)
    assert english.code == 1 and "may only be used on a training store" in english.err


def test_a_login_that_is_not_a_user_is_refused_and_logged(logins: dict[str, Any],
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    pg_url = logins["owner"]
    stranger = f"x_{uuid.uuid4().hex[:8]}"
    admin(f'CREATE ROLE "{stranger}" LOGIN')
    admin(f'GRANT "{logins["role"]}" TO "{stranger}"')
    try:
        refused = run_cli(capsys, as_login(pg_url, stranger), "case", "list", ready=False)
        assert refused.code == 1 and "du är inte användare i ledgern" in refused.err
        entries = json.loads(ok(run_cli(capsys, pg_url, "access-log", "--denied", "--json", ready=False)).out)
        assert [(e["user"], e["command"], e["outcome"]) for e in entries] == [(stranger, "case list", "denied")]
    finally:
        from ledger.adapters.store import SQLStore

        SQLStore.dispose_all()
        admin(f'REASSIGN OWNED BY "{stranger}" TO CURRENT_USER', logins["database"])
        admin(f'DROP OWNED BY "{stranger}"', logins["database"])
        admin(f'DROP ROLE "{stranger}"')


@pytest.mark.parametrize("sql", [
    "UPDATE ledger_events SET topic = topic",
    "DELETE FROM ledger_events",
    "TRUNCATE ledger_events",
    "UPDATE ledger_chain SET hash = hash",
    "DELETE FROM ledger_chain",
    "UPDATE ledger_access_log SET user_name = 'someone'",
    "DELETE FROM ledger_access_log",
    "UPDATE ledger_meta SET value = value",
    "DELETE FROM ledger_meta",
])
def test_a_ledger_login_cannot_change_or_remove_what_was_written(logins: dict[str, Any],
                                                                  capsys: pytest.CaptureFixture[str], sql: str) -> None:
    import psycopg

    ok(run_cli(capsys, logins["anna"], "case", "open", PNR, "--gender", "woman", "--environment", "criminal",
               "--source", "police", "--date", "2026-11-01", ready=False))
    ok(run_cli(capsys, logins["anna"], "case", "show", case_number(), ready=False))  # an access entry
    with psycopg.connect(logins["anna"], autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
            conn.execute(sql)
        # Reading and the read side's tables are the ledger's to rewrite.
        assert conn.execute("SELECT count(*) FROM ledger_events").fetchone()[0] > 0
        conn.execute("DELETE FROM proj_case_list")
    assert ok(run_cli(capsys, logins["bo"], "projections", "status", ready=False))
    ok(run_cli(capsys, logins["owner"], "projections", "rebuild", "--json", ready=False))
    listed = json.loads(ok(run_cli(capsys, logins["bo"], "case", "list", "--json", ready=False)).out)
    assert [row["case"] for row in listed] == [case_number()]
    assert ok(run_cli(capsys, logins["owner"], "verify", ready=False))


def test_init_again_sets_the_rights_again_and_says_so(logins: dict[str, Any], capsys: pytest.CaptureFixture[str]
                                                     ) -> None:
    again = ok(run_cli(capsys, logins["owner"], "init", ready=False))
    assert "var redan redo" in again.out and logins["role"] in again.out
    # A worker's login is not the owner: it cannot set rights (nor become the store's administrator).
    refused = run_cli(capsys, logins["anna"], "init", ready=False)
    assert refused.code != 0 and "Traceback" not in refused.err


def test_sqlite_takes_the_operating_systems_login(sqlite_url: str, real: None,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from ledger.adapters.config import os_login

    me = os_login()
    ok(run_cli(capsys, sqlite_url, "init", "--role", "handläggare", ready=False))
    ok(run_cli(capsys, sqlite_url, "case", "open", PNR, "--gender", "woman", "--environment", "criminal",
               "--source", "police", "--date", "2026-11-01", ready=False))
    log = json.loads(ok(run_cli(capsys, sqlite_url, "case", "log", case_number(), "--json", ready=False)).out)
    assert [e["recorded_by"] for e in log] == [me]
    refused = run_cli(capsys, sqlite_url, "--as", "someone.else", "case", "list", ready=False)
    assert refused.code == 1 and "--as" in refused.err
    users = json.loads(ok(run_cli(capsys, sqlite_url, "user", "list", "--json", ready=False)).out)
    assert users["training"] is False
    assert [(u["name"], sorted(u["roles"])) for u in users["users"]] == [(me, ["admin", "case_worker"])]


def _annas_case_opened(logins: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> tuple[int, Any, bytes, bytes]:
    """Anna opens a case; its event as Bo's login reads it: its position, its stream, its payload (in
    Anna's name) and the same payload in Bo's name."""
    import psycopg

    anna_name, bo_name = logins["names"]
    ok(run_cli(capsys, logins["anna"], "case", "open", PNR, "--gender", "woman", "--environment", "criminal",
               "--source", "police", "--date", "2026-11-01", ready=False))
    with psycopg.connect(logins["bo"], autocommit=True) as conn:
        top, stream, state = conn.execute(
            "SELECT id, originator_id, state FROM ledger_events ORDER BY id DESC LIMIT 1").fetchone()
    as_anna = bytes(state)
    assert f'"recorded_by":"{anna_name}"'.encode() in as_anna
    as_bo = as_anna.replace(f'"recorded_by":"{anna_name}"'.encode(), f'"recorded_by":"{bo_name}"'.encode())
    return top, stream, as_anna, as_bo


def test_a_login_cannot_write_as_someone_else_by_hand(logins: dict[str, Any], capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    """Straight into the tables, with its own login: an event whose recorded_by is another user, or an
    access entry in another's name, is refused by the database (the trigger ``ledger init`` sets)."""
    import psycopg

    anna_name, _ = logins["names"]
    top, stream, as_anna, as_bo = _annas_case_opened(logins, capsys)
    with psycopg.connect(logins["bo"], autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="may only record as itself"):
            conn.execute("INSERT INTO ledger_events (id, originator_id, originator_version, topic, state) "
                         "VALUES (%s, %s, 99, 'ledger.events:ContactRecorded', %s)", (top + 1, stream, as_anna))
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="may only record as itself"):
            conn.execute("INSERT INTO ledger_access_log (position, accessed_at, user_name, case_number, command, "
                         "protection_level, protected, outcome, hash) VALUES (999, now(), %s, %s, 'case show', "
                         "'none', false, 'read', 'x')", (anna_name, case_number()))
        # in its own name it may (that is what the ledger does); the chain shows it was not the ledger's hand
        conn.execute("INSERT INTO ledger_events (id, originator_id, originator_version, topic, state) "
                     "VALUES (%s, %s, 99, 'ledger.events:ContactRecorded', %s)", (top + 1, stream, as_bo))
    verified = run_cli(capsys, logins["owner"], "verify", ready=False)
    assert verified.code == 1 and f"position {top + 1}" in verified.err


def test_one_row_in_anothers_name_refuses_the_whole_statement_insert_or_copy(
        logins: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    """The author check looks at every row a statement inserted (it runs once per statement, over them
    all): a multi-row ``INSERT`` or a ``COPY`` (a bulk append's way) with one event in another user's
    name among the login's own is refused whole, and nothing of it is stored."""
    import psycopg

    anna_name, bo_name = logins["names"]
    top, stream, as_anna, as_bo = _annas_case_opened(logins, capsys)
    assert as_bo != as_anna
    with psycopg.connect(logins["bo"], autocommit=True) as conn:
        rows = [(top + 1, stream, 50, "ledger.events:ContactRecorded", as_bo),
                (top + 2, stream, 51, "ledger.events:ContactRecorded", as_anna),
                (top + 3, stream, 52, "ledger.events:ContactRecorded", as_bo)]
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="may only record as itself"):
            conn.execute("INSERT INTO ledger_events (id, originator_id, originator_version, topic, state) VALUES "
                         "(%s, %s, %s, %s, %s), (%s, %s, %s, %s, %s), (%s, %s, %s, %s, %s)",
                         [value for row in rows for value in row])
        copy_events = "COPY ledger_events (id, originator_id, originator_version, topic, state) FROM STDIN"
        with (pytest.raises(psycopg.errors.InsufficientPrivilege, match="may only record as itself"),
              conn.cursor().copy(copy_events) as copy):
            for row in rows:
                copy.write_row(row)
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="may only record as itself"):
            conn.execute("INSERT INTO ledger_access_log (position, accessed_at, user_name, case_number, command, "
                         "protection_level, protected, outcome, hash) VALUES (998, now(), %s, %s, 'case show', "
                         "'none', false, 'read', 'x'), (999, now(), %s, %s, 'case show', 'none', false, 'read', "
                         "'x')", (bo_name, case_number(), anna_name, case_number()))
        assert conn.execute("SELECT max(id) FROM ledger_events").fetchone()[0] == top
        assert conn.execute("SELECT count(*) FROM ledger_access_log WHERE position >= 998").fetchone()[0] == 0
        with conn.cursor().copy(copy_events) as copy:  # all in its own name: stored
            for row in (rows[0], (top + 2, stream, 51, "ledger.events:ContactRecorded", as_bo)):
                copy.write_row(row)
        assert conn.execute("SELECT max(id) FROM ledger_events").fetchone()[0] == top + 2


#: The author check as stores set up before 2026-12-03 have it: a trigger per row.
_TRIGGERS = ("SELECT c.relname, t.tgname, p.proname, pg_get_userbyid(p.proowner), (t.tgtype & 1) = 1 FROM pg_trigger t "
             "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid "
             "WHERE NOT t.tgisinternal ORDER BY c.relname, t.tgname")


def _refused_as_anna(logins: dict[str, Any], stream: Any, as_anna: bytes) -> None:
    """Bo's login cannot store an event in Anna's name by hand."""
    import psycopg

    with psycopg.connect(logins["bo"], autocommit=True) as conn:
        top = conn.execute("SELECT max(id) FROM ledger_events").fetchone()[0]
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="may only record as itself"):
            conn.execute("INSERT INTO ledger_events (id, originator_id, originator_version, topic, state) "
                         "VALUES (%s, %s, 99, 'ledger.events:ContactRecorded', %s)", (top + 1, stream, as_anna))


def test_init_again_replaces_the_per_row_author_check_of_an_older_store(
        logins: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    """A store set up before the check ran per statement has a ``BEFORE INSERT`` trigger per row and its
    function: ``ledger init`` run again by the owner puts the per-statement check in their place. The old
    function is dropped, unless something else still uses it (then it is left, and init still succeeds)."""
    import psycopg

    owner_url, owner = logins["owner"], login_of(logins["owner"])
    _, stream, as_anna, _ = _annas_case_opened(logins, capsys)
    as_older_store(owner_url)
    with psycopg.connect(owner_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE local_notes (note text)")  # the unit's own table, using the old function
        conn.execute("CREATE TRIGGER local_notes_check BEFORE INSERT ON local_notes FOR EACH ROW "
                     "EXECUTE FUNCTION ledger_check_author()")
    ok(run_cli(capsys, owner_url, "init", "--role", "granskare", ready=False))
    with psycopg.connect(owner_url, autocommit=True) as conn:
        assert conn.execute(_TRIGGERS).fetchall() == [
            ("ledger_access_log", "ledger_access_log_author", "ledger_check_authors", owner, False),
            ("ledger_events", "ledger_events_author", "ledger_check_authors", owner, False),
            ("local_notes", "local_notes_check", "ledger_check_author", owner, True)]
        conn.execute("DROP TABLE local_notes")
    ok(run_cli(capsys, owner_url, "init", "--role", "granskare", ready=False))
    with psycopg.connect(owner_url, autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM pg_proc WHERE proname = 'ledger_check_author'").fetchone()[0] == 0
    _refused_as_anna(logins, stream, as_anna)


def test_init_again_leaves_the_tables_unlocked_when_the_check_is_in_place(
        logins: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    """Run again on a store whose author check is as it should be, ``ledger init`` does not make the
    triggers again nor give the read side's tables to the ledger's role again (either locks a table and
    waits for every reader): it finishes while a worker's transaction that read the events and the case
    list is still open."""
    import psycopg

    with psycopg.connect(logins["bo"]) as reader:
        reader.execute("SELECT count(*) FROM ledger_events").fetchone()  # its transaction stays open
        reader.execute("SELECT count(*) FROM proj_case_list").fetchone()
        started = time.monotonic()
        ok(run_cli(capsys, logins["owner"], "init", "--role", "granskare", ready=False))
        assert time.monotonic() - started < 20  # a lock waited for would take the lock timeout, 30 s
        reader.rollback()


def test_a_check_function_another_login_made_first_is_never_used(
        logins: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    """On a store set up before 2026-12-03 the ledger's logins could create functions in the tables'
    schema: a worker could make ``ledger_check_authors`` before the owner runs ``ledger init`` again. The
    triggers must never run it: ``init`` stops, nothing changed, while another login's function is in the
    database (:mod:`ledger.adapters.guard`); once the database administrator has dropped it, ``init`` makes
    the owner's, which the worker cannot replace."""
    import psycopg

    owner_url, owner = logins["owner"], login_of(logins["owner"])
    _, stream, as_anna, _ = _annas_case_opened(logins, capsys)
    as_older_store(owner_url)
    with psycopg.connect(logins["bo"], autocommit=True) as conn:
        conn.execute("CREATE FUNCTION ledger_check_authors() RETURNS trigger LANGUAGE plpgsql "
                     "AS $$ BEGIN RETURN NULL; END $$")
    refused = fresh(capsys, owner_url, "init", "--role", "granskare")
    assert refused.code == 1 and "en annan inloggning än ägarens har gjort" in refused.err
    assert "Traceback" not in refused.err
    with psycopg.connect(owner_url, autocommit=True) as conn:
        assert [row[2:] for row in conn.execute(_TRIGGERS).fetchall()] == [("ledger_check_author", owner, True)] * 2
    _refused_as_anna(logins, stream, as_anna)  # the per-row check still in place
    admin("DROP FUNCTION ledger_check_authors()", logins["database"])
    ok(fresh(capsys, owner_url, "init", "--role", "granskare"))
    with psycopg.connect(owner_url, autocommit=True) as conn:
        assert [row[2:] for row in conn.execute(_TRIGGERS).fetchall()] == [("ledger_check_authors", owner, False)] * 2
    with psycopg.connect(logins["bo"], autocommit=True) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("CREATE OR REPLACE FUNCTION ledger_check_authors() RETURNS trigger LANGUAGE plpgsql "
                     "AS $$ BEGIN RETURN NULL; END $$")
    _refused_as_anna(logins, stream, as_anna)


def test_the_server_side_append_is_the_owners_and_writes_only_as_its_caller(logins: dict[str, Any],
                                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """``ledger init`` made the one-round-trip append in a schema only the owner may create in: a worker's
    login may call it, but not replace it (it runs with the caller's rights) nor add to its schema, and
    through it the database still refuses an event in another user's name."""
    import psycopg

    from ledger.adapters.dialect import APPEND_NAME, APPEND_SCHEMA

    anna_name, bo_name = logins["names"]
    ok(run_cli(capsys, logins["anna"], "case", "open", PNR, "--gender", "woman", "--environment", "criminal",
               "--source", "police", "--date", "2026-11-01", ready=False))
    with psycopg.connect(logins["bo"], autocommit=True) as conn:
        definition = conn.execute("SELECT pg_get_functiondef(%s::regproc)", (APPEND_NAME,)).fetchone()[0]
        for sql in (definition.replace("RETURN ARRAY[last, last]", "RETURN ARRAY[0, 0]"),
                    f"CREATE FUNCTION {APPEND_SCHEMA}.other() RETURNS int LANGUAGE sql AS 'SELECT 1'"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql)
        top, stream, version, state = conn.execute(
            "SELECT id, originator_id, originator_version, state FROM ledger_events ORDER BY id DESC LIMIT 1"
        ).fetchone()
        as_anna = bytes(state)
        assert f'"recorded_by":"{anna_name}"'.encode() in as_anna
        call = (f"SELECT {APPEND_NAME}('5s', ARRAY[%s]::uuid[], ARRAY[%s]::int8[], "
                "ARRAY['ledger.events:ContactRecorded'], ARRAY[%s]::bytea[], ARRAY['t'], ARRAY['d'], ARRAY[','])")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="may only record as itself"):
            conn.execute(call, (stream, version + 1, as_anna))
        as_bo = as_anna.replace(f'"recorded_by":"{anna_name}"'.encode(), f'"recorded_by":"{bo_name}"'.encode())
        assert conn.execute(call, (stream, version + 1, as_bo)).fetchone()[0] == [top, top]
    verified = run_cli(capsys, logins["owner"], "verify", ready=False)  # the hand-made link is not the chain's
    assert verified.code == 1 and f"position {top + 1}" in verified.err


def test_a_temporary_view_does_not_make_a_login_the_tables_owner(logins: dict[str, Any],
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    """The author check asks the catalog who owns the table; a login's own temporary ``pg_tables`` or
    ``pg_class`` (its temporary objects come first in its search path) does not answer in the
    catalog's place."""
    import psycopg

    anna_name, _ = logins["names"]
    ok(run_cli(capsys, logins["anna"], "case", "open", PNR, "--gender", "woman", "--environment", "criminal",
               "--source", "police", "--date", "2026-11-01", ready=False))  # the role may make temporary objects
    with psycopg.connect(logins["bo"], autocommit=True) as conn:
        top, stream, state = conn.execute(
            "SELECT id, originator_id, state FROM ledger_events ORDER BY id DESC LIMIT 1").fetchone()
        conn.execute("CREATE TEMP VIEW pg_tables AS SELECT 'public'::name AS schemaname, "
                     "'ledger_events'::name AS tablename, session_user::name AS tableowner")
        conn.execute("CREATE TEMP VIEW pg_class AS SELECT oid, relname, (SELECT oid FROM pg_catalog.pg_roles "
                     "WHERE rolname = session_user) AS relowner FROM pg_catalog.pg_class")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="may only record as itself"):
            conn.execute("INSERT INTO ledger_events (id, originator_id, originator_version, topic, state) "
                         "VALUES (%s, %s, 99, 'ledger.events:ContactRecorded', %s)", (top + 1, stream, bytes(state)))
    assert f'"recorded_by":"{anna_name}"'.encode() in bytes(state)


def test_init_without_the_ledger_role_says_what_the_administrator_must_do(real: None,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    need_pg()
    suffix = uuid.uuid4().hex[:8]
    owner, database = f"owner_{suffix}", f"avhopp_{suffix}"
    admin(f'CREATE ROLE "{owner}" LOGIN')
    admin(f'CREATE DATABASE "{database}" OWNER "{owner}"')
    assert PG_URL is not None
    try:
        refused = run_cli(capsys, as_login(PG_URL.rsplit("/", 1)[0] + "/" + database, owner), "init", ready=False)
        assert refused.code != 0 and "be databasadministratören skapa den" in refused.err, refused.err
    finally:
        from ledger.adapters.store import SQLStore

        SQLStore.dispose_all()
        admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin(f'DROP ROLE IF EXISTS "{owner}"')


def test_init_in_a_schema_whose_name_needs_quoting(real: None, capsys: pytest.CaptureFixture[str]) -> None:
    """The store's tables in the owner's own schema, named with capitals and a space: ``ledger init`` sets
    the author check up there (the catalog asked by the schema's name, not by a parsed identifier), and
    run again finds it in place."""
    import psycopg

    need_pg()
    suffix = uuid.uuid4().hex[:8]
    owner, database, schema = f"owner_{suffix}", f"avhopp_{suffix}", "Avhopp Data"
    role = f"ledger_{database}"
    admin(f'CREATE ROLE "{owner}" LOGIN')
    admin(f'CREATE DATABASE "{database}" OWNER "{owner}"')
    admin(f'CREATE ROLE "{role}" NOLOGIN')
    admin(f'GRANT "{role}" TO "{owner}"')
    admin(f'CREATE SCHEMA "{schema}" AUTHORIZATION "{owner}"', database)
    admin(f'ALTER ROLE "{owner}" IN DATABASE "{database}" SET search_path = "{schema}"')
    assert PG_URL is not None
    owner_url = as_login(PG_URL.rsplit("/", 1)[0] + "/" + database, owner)
    try:
        for _ in range(2):
            ok(run_cli(capsys, owner_url, "init", "--role", "granskare", ready=False))
        with psycopg.connect(owner_url, autocommit=True) as conn:
            assert conn.execute("SELECT current_schema()").fetchone()[0] == schema
            assert conn.execute(
                "SELECT c.relname, n.nspname, p.proname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_proc p ON p.oid = t.tgfoid "
                "WHERE NOT t.tgisinternal ORDER BY c.relname").fetchall() == [
                    ("ledger_access_log", schema, "ledger_check_authors"),
                    ("ledger_events", schema, "ledger_check_authors")]
    finally:
        from ledger.adapters.store import SQLStore

        SQLStore.dispose_all()
        admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        for name in (role, owner):
            admin(f'DROP ROLE IF EXISTS "{name}"')


def test_init_again_repairs_an_author_trigger_made_conditional(logins: dict[str, Any],
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """An author trigger changed to run only on a condition (only the tables' owner or a superuser could)
    is not taken as in place: ``ledger init`` makes it again, and it refuses as before."""
    import psycopg

    _, stream, as_anna, _ = _annas_case_opened(logins, capsys)
    with psycopg.connect(logins["owner"], autocommit=True) as conn:
        conn.execute("DROP TRIGGER ledger_events_author ON ledger_events")
        conn.execute("CREATE TRIGGER ledger_events_author AFTER INSERT ON ledger_events REFERENCING NEW TABLE AS "
                     "added FOR EACH STATEMENT WHEN (false) EXECUTE FUNCTION ledger_check_authors()")
    ok(run_cli(capsys, logins["owner"], "init", "--role", "granskare", ready=False))
    _refused_as_anna(logins, stream, as_anna)


def test_a_name_or_clock_refused_on_a_real_store_is_logged_as_nekad(sqlite_url: str, real: None,
                                                                     capsys: pytest.CaptureFixture[str],
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from ledger.adapters.config import os_login

    ok(run_cli(capsys, sqlite_url, "init", "--role", "granskare", ready=False))
    assert run_cli(capsys, sqlite_url, "--as", "karin", "case", "list", ready=False).code == 1
    monkeypatch.setenv("LEDGER_NOW", "2026-01-01T10:00:00+00:00")
    assert run_cli(capsys, sqlite_url, "case", "list", ready=False).code == 1
    monkeypatch.delenv("LEDGER_NOW")
    entries = json.loads(ok(run_cli(capsys, sqlite_url, "access-log", "--denied", "--json", ready=False)).out)
    assert [(e["user"], e["command"]) for e in entries] == [(os_login(), "--as"), (os_login(), "LEDGER_NOW")]


def test_the_login_never_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from ledger.adapters.config import os_login

    me = os_login()
    for name in ("USER", "LOGNAME", "USERNAME", "LNAME"):
        monkeypatch.setenv(name, "karin")
    assert os_login() == me != "karin"
