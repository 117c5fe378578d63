"""The read side's tables are the store owner's on PostgreSQL: a worker's login rewrites their rows but may
attach nothing to them, nor create anything in the ledger's schema.

Before 2026-12-03 the ledger's role owned them (so that any worker's process could replace a projection's
tables) and could create objects in the schema: a worker's login could attach a trigger, a rule or a
column default that ran in another login's session — under that login's name — when it caught the read
side up. Now ``ledger init`` takes an older store's read side back (made again, replayed from the
events), refuses while a worker's own objects are in the schema, and is the one to replace a projection
whose version changed; a worker's login meeting one is told so, nothing changed.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.helpers import run_cli
from tests.integration.pg_logins import PNR, admin, as_older_store, case_number, fresh, login_of, ok

#: Every way a login could attach code to a table or the schema, each refused to a worker's login; and the
#: rewrites of the read side that are the owner's alone.
_ATTACH = [
    "CREATE FUNCTION spy() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$",
    "CREATE TABLE spy (who text)",
    "CREATE VIEW spy AS SELECT 1",
    "CREATE TRIGGER spy AFTER INSERT ON ledger_tracking FOR EACH ROW "
    "EXECUTE FUNCTION suppress_redundant_updates_trigger()",
    "CREATE RULE spy AS ON INSERT TO ledger_tracking DO ALSO NOTIFY spy",
    "ALTER TABLE proj_case_list ALTER COLUMN status SET DEFAULT session_user",
    "ALTER TABLE ledger_tracking ENABLE ROW LEVEL SECURITY",
    "DROP TABLE proj_case_list",
    "ALTER TABLE proj_versions ADD COLUMN spy text",
    "TRUNCATE proj_case_list",  # it would lock every reader out
    "UPDATE proj_versions SET version = 0",  # a projection's version is the owner's to change
    "DELETE FROM proj_versions",
]


def _case_opened(logins: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    ok(run_cli(capsys, logins["anna"], "case", "open", PNR, "--gender", "woman", "--environment", "criminal",
               "--source", "police", "--date", "2026-11-01", ready=False))


def _listed(url: str, capsys: pytest.CaptureFixture[str]) -> list[str]:
    return [row["case"] for row in json.loads(ok(run_cli(capsys, url, "case", "list", "--json", ready=False)).out)]


def _read_side(owner_url: str) -> tuple[set[str], list[tuple[str, ...]]]:
    """The read side's tables' owners, and whatever is attached to any table of the schema that
    ``ledger init`` did not make (triggers, rules, column defaults, row security)."""
    import psycopg

    from ledger.adapters.schema import read_metadata, tracking_table

    names = [tracking_table.name, *read_metadata.tables]
    with psycopg.connect(owner_url, autocommit=True) as conn:
        owners = {row[0] for row in conn.execute(
            "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = ANY(%s) AND relkind = 'r'", (names,))}
        attached = conn.execute(
            "SELECT 'trigger', tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname NOT LIKE '%%_author' "
            "UNION ALL SELECT 'rule', rulename FROM pg_rules WHERE schemaname = 'public' "
            "UNION ALL SELECT 'default', a.attname FROM pg_attrdef d JOIN pg_attribute a "
            "ON a.attrelid = d.adrelid AND a.attnum = d.adnum JOIN pg_class c ON c.oid = d.adrelid "
            "WHERE c.relnamespace = 'public'::regnamespace "
            "AND pg_get_expr(d.adbin, d.adrelid) NOT LIKE 'nextval(%%_seq''::regclass)' "  # a serial's own
            "UNION ALL SELECT 'row security', relname FROM pg_class WHERE relrowsecurity").fetchall()
    return owners, [tuple(row) for row in attached]


@pytest.mark.parametrize("sql", _ATTACH)
def test_a_worker_may_rewrite_the_read_side_but_attach_nothing(logins: dict[str, Any],
                                                              capsys: pytest.CaptureFixture[str], sql: str) -> None:
    import psycopg

    _case_opened(logins, capsys)
    assert _listed(logins["bo"], capsys) == [case_number()]
    with psycopg.connect(logins["anna"], autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(sql)
        conn.execute("DELETE FROM proj_case_list")  # the rows are the ledger's logins' to rewrite
        conn.execute("UPDATE ledger_tracking SET notification_id = 0 WHERE application_name = 'case_list'")
    assert _read_side(logins["owner"]) == ({login_of(logins["owner"])}, [])
    assert _listed(logins["bo"], capsys) == [case_number()]  # replayed by a worker's login


def test_init_takes_an_older_stores_read_side_back(logins: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    """An older store: the role owns the read side and may create in the schema. Until its owner's
    ``ledger init`` has run, nobody else may use it — not the owner's other commands either. Code a
    worker attached to the read side's tables (with built-in functions only: a trigger, a rule, a
    column default) stops ``init``, naming it, not dropped unseen; once the database administrator has
    dropped it, ``init`` makes the read side again, the owner's, and every projection replays."""
    import psycopg

    _case_opened(logins, capsys)
    owner_url = logins["owner"]
    as_older_store(owner_url)
    for url in (owner_url, logins["bo"]):
        refused = fresh(capsys, url, "case", "list")
        assert refused.code == 1 and "ägaren kör ledger init först" in refused.err
    ok(fresh(capsys, owner_url, "init"))  # nothing attached: taken back at once
    assert _read_side(owner_url) == ({login_of(owner_url)}, [])
    as_older_store(owner_url)
    with psycopg.connect(logins["anna"], autocommit=True) as conn:
        conn.execute("CREATE TRIGGER spy BEFORE UPDATE ON ledger_tracking FOR EACH ROW "
                     "EXECUTE FUNCTION suppress_redundant_updates_trigger()")
        conn.execute("CREATE RULE spy AS ON UPDATE TO ledger_tracking DO ALSO NOTIFY spy")
        conn.execute("ALTER TABLE proj_case_list ALTER COLUMN status SET DEFAULT session_user")
    role_owned, attached = _read_side(owner_url)
    assert role_owned == {logins["role"]} and len(attached) == 3
    refused = fresh(capsys, owner_url, "init", "--json")
    assert refused.code == 1 and "en annan inloggning än ägarens har gjort" in refused.err
    assert _read_side(owner_url) == (role_owned, attached)  # nothing changed
    admin("DROP TRIGGER spy ON ledger_tracking; DROP RULE spy ON ledger_tracking; "
          "ALTER TABLE proj_case_list ALTER COLUMN status DROP DEFAULT", logins["database"])
    done = ok(fresh(capsys, owner_url, "init"))
    assert "Läsmodellernas tabeller är gjorda på nytt" in done.out
    assert _read_side(owner_url) == ({login_of(owner_url)}, [])
    with psycopg.connect(owner_url, autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM ledger_tracking").fetchone()[0] == 0
        assert not conn.execute("SELECT has_schema_privilege(%s, 'public', 'CREATE')", (logins["role"],)).fetchone()[0]
    assert _listed(logins["bo"], capsys) == [case_number()]
    again = json.loads(ok(fresh(capsys, owner_url, "init", "--json")).out)
    assert again["read_side_remade"] is False  # taken back once, then left as it is
    assert _listed(logins["anna"], capsys) == [case_number()]


def test_init_stops_while_a_workers_own_objects_are_in_the_schema(logins: dict[str, Any],
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """A function a worker made in the schema of an older store (it could run in another's session in
    place of a built-in) stops ``init`` with what to do, nothing changed; once the database administrator
    has dropped it, ``init`` goes through."""
    import psycopg

    _case_opened(logins, capsys)
    owner_url = logins["owner"]
    as_older_store(owner_url)
    with psycopg.connect(logins["anna"], autocommit=True) as conn:
        conn.execute("CREATE FUNCTION spy() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$")
        conn.execute("CREATE TRIGGER spy AFTER INSERT ON ledger_tracking FOR EACH ROW EXECUTE FUNCTION spy()")
    refused = run_cli(capsys, owner_url, "init", ready=False)
    assert refused.code != 0 and "Traceback" not in refused.err
    assert "som en annan inloggning än ägarens har" in refused.err and "docs/deployment.md" in refused.err
    assert _read_side(owner_url) == ({logins["role"]}, [("trigger", "spy")])  # nothing changed
    admin("DROP FUNCTION spy() CASCADE", logins["database"])
    ok(run_cli(capsys, owner_url, "init", ready=False))
    assert _read_side(owner_url) == ({login_of(owner_url)}, [])
    assert _listed(logins["anna"], capsys) == [case_number()]


def test_a_projection_of_another_version_is_the_owners_to_replace(logins: dict[str, Any],
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """A new version's projection: a worker's login is told that the owner runs ``ledger init``, and
    nothing changes; the owner's command replaces it, with the rights the workers need to rewrite it. A
    new version that adds a table: the same."""
    import psycopg

    from ledger.projections.case_list import CaseList

    _case_opened(logins, capsys)
    assert _listed(logins["anna"], capsys) == [case_number()]
    owner_url = logins["owner"]
    older = CaseList.version - 1

    def outdated(how: str) -> None:
        with psycopg.connect(owner_url, autocommit=True) as conn:
            conn.execute("UPDATE proj_versions SET version = %s WHERE name = %s", (older, CaseList.name))
            if how == "table":  # the new version adds a table
                conn.execute("DROP TABLE proj_case_list")
        for url in (logins["anna"], logins["bo"]):
            refused = run_cli(capsys, url, "case", "list", ready=False)
            assert refused.code != 0 and "Traceback" not in refused.err
            assert "ägaren kör ledger init först" in refused.err
        with psycopg.connect(owner_url, autocommit=True) as conn:
            found = conn.execute("SELECT version FROM proj_versions WHERE name = %s", (CaseList.name,)).fetchone()[0]
            assert found == older

    outdated("version")
    ok(run_cli(capsys, owner_url, "init", ready=False))
    assert _listed(logins["anna"], capsys) == [case_number()]
    outdated("version")
    assert _listed(owner_url, capsys) == [case_number()]  # any command of the owner's replaces it
    assert _listed(logins["bo"], capsys) == [case_number()]
    outdated("table")
    assert _listed(owner_url, capsys) == [case_number()]
    assert _listed(logins["anna"], capsys) == [case_number()]
    assert _read_side(owner_url) == ({login_of(owner_url)}, [])


def test_a_worker_may_stage_rows_in_a_temporary_table(logins: dict[str, Any]) -> None:
    """A large catch-up upserts through a temporary table (``projections/rows.py``): the role may make one,
    though ``REVOKE ALL ON DATABASE … FROM PUBLIC`` took that right from everyone else."""
    import psycopg

    with psycopg.connect(logins["anna"]) as conn:
        conn.execute("CREATE TEMPORARY TABLE proj_case_list_upserted (LIKE proj_case_list) ON COMMIT DROP")
        conn.execute("INSERT INTO proj_case_list_upserted SELECT * FROM proj_case_list")


#: A worker's operator that any session comparing two ``VARCHAR`` values (SQLAlchemy's parameters are cast
#: so) would run in place of the built-in one, with that session's rights: it notes who ran it.
_OPERATOR = """
CREATE TABLE spy_log (who text);
GRANT INSERT ON spy_log TO PUBLIC;
CREATE FUNCTION spy_eq(varchar, varchar) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.spy_log VALUES (session_user); RETURN $1::text = $2::text; END $$;
CREATE OPERATOR public.= (LEFTARG = varchar, RIGHTARG = varchar, FUNCTION = spy_eq);
"""


def _spied(logins: dict[str, Any]) -> list[str]:
    """Who ran the worker's operator (asked as the database administrator)."""
    import psycopg

    from tests.conftest import PG_URL

    assert PG_URL is not None
    with psycopg.connect(PG_URL.rsplit("/", 1)[0] + "/" + logins["database"], autocommit=True) as conn:
        return [row[0] for row in conn.execute("SELECT who FROM public.spy_log")]


def test_no_session_runs_what_a_worker_left_in_the_schema(logins: dict[str, Any],
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """An older store: a worker's login could create there, and leaves an operator behind. Every session
    of the ledger asks first, with ``pg_catalog`` alone on its path: the owner's ``init`` and a worker's
    command are refused before they run a query that could resolve to it — also once the worker's login
    has lost the ledger's role (docs/deployment.md's steps) — until the database administrator drops it."""
    import psycopg

    _case_opened(logins, capsys)
    owner_url = logins["owner"]
    as_older_store(owner_url)
    with psycopg.connect(logins["anna"], autocommit=True) as conn:
        conn.execute(_OPERATOR)
    assert _spied(logins) == []
    for url in (owner_url, logins["bo"]):
        refused = fresh(capsys, url, "init" if url == owner_url else "case", *(() if url == owner_url else ("list",)))
        assert refused.code == 1 and "Traceback" not in refused.err
        assert "en annan inloggning än ägarens har gjort" in refused.err
    anna = login_of(logins["anna"])
    admin(f'REVOKE "{logins["role"]}" FROM "{anna}"')
    refused = fresh(capsys, owner_url, "init")
    assert refused.code == 1 and "en annan inloggning än ägarens har gjort" in refused.err
    assert _spied(logins) == []  # nobody's session ran it
    admin(f'DROP OWNED BY "{anna}"', logins["database"])
    admin(f'GRANT "{logins["role"]}" TO "{anna}"')
    ok(fresh(capsys, owner_url, "init"))
    assert fresh(capsys, logins["bo"], "case", "list", "--json").code == 0
    assert _read_side(owner_url) == ({login_of(owner_url)}, [])


def test_a_worker_on_a_store_not_yet_upgraded_is_sent_to_the_owner(logins: dict[str, Any],
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """Until the owner's ``init`` has taken an older store's read side back, a worker's command is refused
    before it does anything — it does not replace a projection's tables in its own name."""
    import psycopg

    from ledger.projections.case_list import CaseList

    _case_opened(logins, capsys)
    owner_url = logins["owner"]
    as_older_store(owner_url)
    with psycopg.connect(owner_url, autocommit=True) as conn:
        conn.execute("UPDATE proj_versions SET version = %s WHERE name = %s", (CaseList.version - 1, CaseList.name))
    refused = fresh(capsys, logins["bo"], "case", "list")
    assert refused.code == 1 and "ägaren kör ledger init först" in refused.err
    assert _read_side(owner_url) == ({logins["role"]}, [])  # nothing made, nothing taken
    ok(fresh(capsys, owner_url, "init"))
    assert _listed(logins["bo"], capsys) == [case_number()]
    assert _read_side(owner_url) == ({login_of(owner_url)}, [])


def test_a_schema_anyone_may_create_in_is_refused(logins: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    """``PUBLIC`` with ``CREATE`` on ``public`` (PostgreSQL 14 and earlier, or a database upgraded from one):
    every session of the ledger is refused, saying what the database administrator must do."""
    admin("GRANT CREATE ON SCHEMA public TO PUBLIC", logins["database"])
    for url in (logins["owner"], logins["anna"]):
        refused = fresh(capsys, url, "case", "list")
        assert refused.code == 1 and "REVOKE CREATE ON SCHEMA" in refused.err and "Traceback" not in refused.err
    admin("REVOKE CREATE ON SCHEMA public FROM PUBLIC", logins["database"])
    assert fresh(capsys, logins["anna"], "case", "list").code == 0


def test_init_stops_when_the_role_keeps_create_that_the_owner_cannot_take(logins: dict[str, Any],
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """A schema owned by a superuser, who gave the ledger's role ``CREATE`` there: the owner's ``REVOKE``
    takes nothing (PostgreSQL only warns), so ``init`` stops rather than say the store is safe."""
    admin("ALTER SCHEMA public OWNER TO CURRENT_USER", logins["database"])
    admin(f'GRANT CREATE ON SCHEMA public TO "{logins["role"]}"', logins["database"])
    try:
        refused = fresh(capsys, logins["owner"], "init")
        assert refused.code == 1 and "REVOKE CREATE ON SCHEMA" in refused.err
        for url in (logins["anna"], logins["owner"]):  # nobody works on it meanwhile, the owner neither
            refused = fresh(capsys, url, "case", "list")
            assert refused.code == 1 and "ägaren kör ledger init först" in refused.err
    finally:
        admin("ALTER SCHEMA public OWNER TO pg_database_owner", logins["database"])
    admin(f'REVOKE CREATE ON SCHEMA public FROM "{logins["role"]}"', logins["database"])
    ok(fresh(capsys, logins["owner"], "init"))
    assert fresh(capsys, logins["anna"], "case", "list").code == 0


def test_init_waits_for_what_was_being_made_while_it_took_the_right(logins: dict[str, Any],
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """A worker's transaction made an operator on an older store, while its role could, and has not
    committed it when the owner's ``init`` starts: no question could see it yet. ``init`` takes the
    right, waits for that transaction, then asks again — and stops; nothing of the owner's ran it."""
    import subprocess
    import sys
    import time

    import psycopg

    _case_opened(logins, capsys)
    owner_url = logins["owner"]
    as_older_store(owner_url)
    worker = psycopg.connect(logins["anna"])
    try:
        worker.execute(_OPERATOR)  # not committed
        from ledger.adapters.store import SQLStore

        SQLStore.dispose_all()
        init = subprocess.Popen([sys.executable, "-m", "ledger.cli", "--db", owner_url, "init"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(3)
        assert init.poll() is None  # waiting for the worker's transaction
        worker.commit()
        _, err = init.communicate(timeout=60)
    finally:
        worker.close()
    assert init.returncode == 1 and "en annan inloggning än ägarens har gjort" in err
    assert _spied(logins) == []
    assert _read_side(owner_url)[0] == {logins["role"]}  # nothing taken back


def test_nothing_runs_before_the_question_not_even_the_drivers_first_queries(
        logins: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    """SQLAlchemy's first queries on a new connection (the server's version, psycopg's hstore type, which
    compares an ``oid`` with a ``regtype``) come after the question too: a worker's operator on those
    types, left on an older store, never runs in the owner's session."""
    import psycopg

    _case_opened(logins, capsys)
    owner_url = logins["owner"]
    as_older_store(owner_url)
    with psycopg.connect(logins["anna"], autocommit=True) as conn:
        conn.execute("CREATE SEQUENCE spy_calls; GRANT USAGE ON SEQUENCE spy_calls TO PUBLIC; "
                     "CREATE FUNCTION spy_oid(oid, regtype) RETURNS boolean LANGUAGE plpgsql AS "
                     "$$ BEGIN PERFORM nextval('public.spy_calls'); RETURN $1 = $2::oid; END $$; "
                     "CREATE OPERATOR public.= (LEFTARG = oid, RIGHTARG = regtype, FUNCTION = spy_oid)")
    refused = fresh(capsys, owner_url, "case", "list")
    assert refused.code == 1 and "Traceback" not in refused.err
    with psycopg.connect(logins["anna"], autocommit=True) as conn:
        assert conn.execute("SELECT last_value, is_called FROM spy_calls").fetchone() == (1, False)  # never called


def test_init_takes_back_every_right_on_the_tables_but_the_roles(logins: dict[str, Any],
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """A right on the ledger's tables given to a login itself, or to everyone (as a worker's code run in
    the owner's session could have given it on a store set up before 2026-12-03): ``init`` takes it back;
    the role's rights stay."""
    import psycopg

    _case_opened(logins, capsys)
    anna = login_of(logins["anna"])
    admin(f'GRANT UPDATE, DELETE ON ledger_events, ledger_chain TO "{anna}"; '
          f'GRANT INSERT, UPDATE ON proj_versions TO "{anna}"; GRANT SELECT ON ledger_meta TO PUBLIC; '
          f'GRANT UPDATE (value) ON ledger_meta TO "{anna}"; GRANT UPDATE (hash) ON ledger_chain TO PUBLIC',
          logins["database"])
    ok(fresh(capsys, logins["owner"], "init"))
    with psycopg.connect(logins["owner"], autocommit=True) as conn:
        granted = conn.execute(
            "SELECT c.relname, a.privilege_type FROM pg_class c, aclexplode(c.relacl) a "
            "WHERE a.grantee IN (%s::regrole, 0) AND c.relnamespace = 'public'::regnamespace "
            "UNION ALL SELECT c.relname, x.privilege_type FROM pg_class c JOIN pg_attribute t ON t.attrelid = c.oid, "
            "aclexplode(t.attacl) x WHERE x.grantee IN (%s::regrole, 0) AND c.relnamespace = 'public'::regnamespace",
            (anna, anna)).fetchall()
        assert granted == []
    with psycopg.connect(logins["anna"], autocommit=True) as conn:
        for sql in ("DELETE FROM ledger_events", "UPDATE ledger_meta SET value = value",
                    "UPDATE ledger_chain SET hash = hash"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql)
    assert _listed(logins["anna"], capsys) == [case_number()]


def test_a_database_others_may_make_schemas_in_is_refused_until_init_takes_it(
        logins: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    """A worker's login that may create schemas could make one named like another login — first on
    that login's search path — and drop it again between two questions: every session is refused while
    anyone but the database's owner may, and the owner's ``init`` takes the right back."""
    _case_opened(logins, capsys)
    admin(f'GRANT CREATE ON DATABASE "{logins["database"]}" TO "{login_of(logins["anna"])}"')
    for url in (logins["anna"], logins["owner"]):
        refused = fresh(capsys, url, "case", "list")
        assert refused.code == 1 and "REVOKE CREATE ON DATABASE" in refused.err and "Traceback" not in refused.err
    ok(fresh(capsys, logins["owner"], "init"))
    assert fresh(capsys, logins["anna"], "case", "list").code == 0


def test_after_init_the_role_owns_nothing_and_may_attach_nothing(logins: dict[str, Any]) -> None:
    """The invariant the question's leniency rests on (a worker's temporary function is ignored, for
    nothing permanent that others write to can call it): after ``init`` the ledger's role owns no
    relation, and on none has ``TRIGGER``, ``REFERENCES`` or ``TRUNCATE``, nor ``UPDATE``/``DELETE`` on
    the append-only tables."""
    import psycopg

    with psycopg.connect(logins["owner"], autocommit=True) as conn:
        owned = conn.execute("SELECT relname FROM pg_class WHERE relowner = %s::regrole", (logins["role"],)).fetchall()
        assert owned == []
        rights = conn.execute(
            "SELECT c.relname, a.privilege_type FROM pg_class c, aclexplode(c.relacl) a "
            "WHERE a.grantee = %s::regrole AND c.relnamespace = 'public'::regnamespace", (logins["role"],)).fetchall()
    assert rights and {kind for _, kind in rights} <= {"SELECT", "INSERT", "UPDATE", "DELETE"}
    append_only = {"ledger_events", "ledger_chain", "ledger_meta", "ledger_access_log", "ledger_snapshots"}
    assert not [row for row in rights if row[0] in append_only and row[1] in ("UPDATE", "DELETE")]
