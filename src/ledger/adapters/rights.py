"""PostgreSQL: the ledger's role and its rights, and the author check (``ledger init`` on a real store).

The role ``ledger_<database>`` that every worker's login is given: the append-only tables to read and
append to, the read side's to rewrite (but not to own), the server-side append (:mod:`ledger.adapters.server_append`)
to call; and on a real store the trigger that refuses an event or access entry in another login's
name. Called through :meth:`ledger.adapters.dialect.PostgresDialect.grant_append_only` (docs/deployment.md).
"""

from __future__ import annotations

import re
import time
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import exc as sa_exc

from ledger.adapters import guard
from ledger.adapters.dialect import APPEND_SCHEMA, current_schema
from ledger.adapters.guard import ROLE_NAME
from ledger.adapters.schema import projection_versions
from ledger.domain.errors import StorageError

#: A real store on PostgreSQL: an event's author (``"s"."recorded_by"``, readable without a key) and an
#: access entry's user must be the login that inserts it, unless that login owns the table. Checked once
#: per statement over the rows it inserted (a transition table, ``added``): a trigger per row cost 10 to
#: 15 µs an event, a bulk append's ``COPY`` three times the ``COPY`` itself (docs/performance.md). The
#: owner is asked of the catalog by the table's oid, with a fixed search path: a login's own temporary
#: view (temporary objects are searched first) cannot answer in the catalog's place. Made in the tables'
#: schema (``{schema}``) by the owner, and used only while it is the owner's (:func:`_author_check`):
#: the ledger's logins could create functions there until 2026-12-03, and a function runs in every write.
_AUTHOR_CHECK = """
CREATE OR REPLACE FUNCTION {schema}.ledger_check_authors() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF session_user = (SELECT pg_catalog.pg_get_userbyid(c.relowner) FROM pg_catalog.pg_class c
                     WHERE c.oid = TG_RELID) THEN
    RETURN NULL;
  END IF;
  IF TG_TABLE_NAME = 'ledger_events' THEN
    PERFORM FROM added
      WHERE convert_from(added.state, 'UTF8')::jsonb #>> '{s,recorded_by}' IS DISTINCT FROM session_user LIMIT 1;
  ELSE
    PERFORM FROM added WHERE added.user_name IS DISTINCT FROM session_user LIMIT 1;
  END IF;
  IF FOUND THEN
    RAISE EXCEPTION 'ledger: %% may only record as itself', session_user USING ERRCODE = '42501';
  END IF;
  RETURN NULL;
END $$"""
#: Whether the author check in the tables' schema is this login's (no row: there is none).
_AUTHOR_CHECK_MINE = """
SELECT p.proowner = (SELECT r.oid FROM pg_roles r WHERE r.rolname = current_user) FROM pg_proc p
WHERE p.pronamespace = (SELECT n.oid FROM pg_namespace n WHERE n.nspname = current_schema())
  AND p.proname = 'ledger_check_authors' AND p.pronargs = 0"""
#: The tables whose trigger ``<table>_author`` runs that check after each insert statement, with its rows,
#: always (enabled, no condition, no arguments).
_AUTHOR_TRIGGERS = """
SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
WHERE c.relnamespace = (SELECT n.oid FROM pg_namespace n WHERE n.nspname = current_schema())
  AND t.tgname = c.relname || '_author'
  AND t.tgfoid = to_regprocedure(quote_ident(current_schema()) || '.ledger_check_authors()')
  AND t.tgtype = 4 AND t.tgnewtable = 'added' AND t.tgoldtable IS NULL AND t.tgenabled = 'O'
  AND t.tgqual IS NULL AND t.tgnargs = 0"""
#: The read side's tables that are not this login's (the ledger's role owned them before
#: 2026-12-03), each with whether this login may drop it (it is a member of the table's owner).
_NOT_MINE = """
SELECT c.relname, pg_has_role(current_user, c.relowner, 'USAGE') FROM pg_class c
WHERE c.relnamespace = (SELECT n.oid FROM pg_namespace n WHERE n.nspname = current_schema())
  AND c.relkind IN ('r', 'p') AND c.relname = ANY(%s)
  AND c.relowner <> (SELECT r.oid FROM pg_roles r WHERE r.rolname = current_user)"""
#: Who else than the tables' owner and the ledger's role (``%s``) has a right on these tables (``%s``):
#: each table with the grantee as ``REVOKE`` names it.
_OTHER_GRANTEES = """
WITH t AS (SELECT c.oid, c.relname, c.relowner, c.relacl FROM pg_class c
           WHERE c.relnamespace = (SELECT n.oid FROM pg_namespace n WHERE n.nspname = current_schema())
             AND c.relname = ANY(%s)),
grants AS (SELECT t.relname, t.relowner, a.grantee FROM t, aclexplode(t.relacl) a
           UNION SELECT t.relname, t.relowner, x.grantee FROM t  -- a column's (REVOKE ALL on the table takes it)
             JOIN pg_attribute c ON c.attrelid = t.oid AND c.attnum > 0, aclexplode(c.attacl) x)
SELECT DISTINCT g.relname, CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(g.grantee)) END
FROM grants g WHERE g.grantee <> g.relowner AND g.grantee NOT IN (SELECT r.oid FROM pg_roles r WHERE r.rolname = %s)"""
#: Who else than the database's owner and this login may create schemas in the database: each as ``REVOKE``
#: names it (a schema named like a login is the first on that login's search path).
_DATABASE_CREATORS = """
SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END
FROM pg_database d, aclexplode(d.datacl) a
WHERE d.datname = current_database() AND a.privilege_type = 'CREATE' AND a.grantee <> d.datdba
  AND a.grantee <> (SELECT r.oid FROM pg_roles r WHERE r.rolname = current_user)"""
#: The ledger's role and the tables' schema (``%s``), if the role may create there (with ``pg_catalog``
#: alone on the path; the role's name as :func:`grant_append_only` makes it).
_ROLE_CREATES = f"""
SELECT r.rolname, n.nspname FROM pg_roles r, pg_namespace n
WHERE r.rolname = {ROLE_NAME} AND n.nspname = %s AND has_schema_privilege(r.oid, n.oid, 'CREATE')"""
#: The transactions open now in this database, but this one (each holds a lock on its virtual id), and
#: the prepared ones (which belong to no session), each by a name of its own.
_OPEN_TRANSACTIONS = """
SELECT 'v:' || l.virtualxid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'virtualxid' AND l.pid <> pg_backend_pid() AND a.datname = current_database()
UNION ALL SELECT 'p:' || p.transaction::text FROM pg_prepared_xacts p WHERE p.database = current_database()"""
_STILL_OPEN = """
SELECT n FROM (SELECT 'v:' || l.virtualxid AS n FROM pg_locks l WHERE l.locktype = 'virtualxid'
               UNION ALL SELECT 'p:' || p.transaction::text FROM pg_prepared_xacts p) s WHERE n = ANY(%s)"""
#: How long ``ledger init`` waits for the transactions open when it took the role's ``CREATE``.
WAIT_OPEN = 30.0
#: Code attached to these tables (``%s``, names in the tables' schema) or to a partition or child of theirs,
#: none of it the ledger's: triggers, rules, column defaults (but a serial column's own), policies.
_ATTACHED = """
WITH RECURSIVE t AS (SELECT c.oid, c.relname FROM pg_class c  -- and their partitions or children, any depth
           WHERE c.relnamespace = (SELECT n.oid FROM pg_namespace n WHERE n.nspname = current_schema())
             AND c.relname = ANY(%s)
           UNION SELECT c.oid, c.relname FROM pg_inherits i JOIN t ON t.oid = i.inhparent
             JOIN pg_class c ON c.oid = i.inhrelid)
SELECT 'trigger ' || g.tgname || ' on ' || t.relname FROM pg_trigger g JOIN t ON t.oid = g.tgrelid
  WHERE NOT g.tgisinternal
UNION ALL SELECT 'rule ' || r.rulename || ' on ' || t.relname FROM pg_rewrite r JOIN t ON t.oid = r.ev_class
  WHERE r.rulename <> '_RETURN'
UNION ALL SELECT 'default of ' || t.relname || '.' || a.attname FROM pg_attrdef d JOIN t ON t.oid = d.adrelid
  JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
  WHERE pg_get_expr(d.adbin, d.adrelid) IS DISTINCT FROM
        format('nextval(%%L::regclass)', pg_get_serial_sequence(t.oid::regclass::text, a.attname)::regclass)
UNION ALL SELECT 'policy ' || p.polname || ' on ' || t.relname FROM pg_policy p JOIN t ON t.oid = p.polrelid"""
_AUTHOR_CHECKED = ("ledger_access_log", "ledger_events")
#: The check before it ran per statement: a ``BEFORE INSERT`` trigger per row (``ledger init`` replaces it).
_OLD_AUTHOR_CHECK = "ledger_check_author()"


def grant_append_only(conn: Connection, append_only: list[str], rewritable: list[str],
                      training: bool = False, append: str | None = None) -> str | None:
    """The role ``ledger_<database>`` (no login): SELECT and INSERT on the append-only tables, never
    UPDATE, DELETE or TRUNCATE; SELECT, INSERT, UPDATE and DELETE on the read side's tables (SELECT
    only on ``proj_versions``, which the owner writes), which stay this login's (:func:`take_read_side`);
    ``USAGE`` on the tables' schema, not ``CREATE``; ``CONNECT`` and ``TEMPORARY`` on the database. A
    worker is given access with ``GRANT ledger_<database> TO <login>`` (docs/deployment.md). The role is
    made here if the owner may create roles; else the database administrator makes it first.

    A worker's login so owns nothing in the ledger's schema and may attach nothing to its tables (a
    trigger, a rule, a column default): nothing it could make runs in another login's session. What
    such a login made before, and a schema on the path that others may create in, are refused
    (:mod:`ledger.adapters.guard`, which every session asks first).

    On a real store a trigger also refuses an event whose ``recorded_by``, or an access entry
    whose user, is not the login inserting it (the database's owner excepted: it imports and
    migrates): a login that writes to the tables by hand still cannot write as someone else."""
    database = str(conn.exec_driver_sql("SELECT current_database()").scalar())
    role = "ledger_" + re.sub(r"[^a-z0-9_]", "_", database.lower())
    quoted = f'"{role}"'
    owner = str(conn.exec_driver_sql("SELECT current_user").scalar())
    exists = conn.exec_driver_sql("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).first()
    if exists is None:
        try:
            with conn.begin_nested():
                conn.exec_driver_sql(f"CREATE ROLE {quoted} NOLOGIN")
        except sa_exc.DBAPIError:
            raise StorageError(reason="no_ledger_role", role=role) from None
    member = conn.exec_driver_sql("SELECT pg_has_role(current_user, %s, 'MEMBER')", (role,)).scalar()
    if not member:
        try:
            with conn.begin_nested():
                conn.exec_driver_sql(f'GRANT {quoted} TO "{owner}"')  # what a worker may, the owner may
        except sa_exc.DBAPIError:
            raise StorageError(reason="no_ledger_role", role=role) from None
    # TEMPORARY: a large catch-up stages its upserts in a temporary table (projections/rows.py), and the
    # database administrator has taken every right on the database from PUBLIC (docs/deployment.md)
    conn.exec_driver_sql(f'GRANT CONNECT, TEMPORARY ON DATABASE "{database}" TO {quoted}')
    schema = current_schema(conn)
    conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA {schema} TO {quoted}")  # the tables' (public, usually)
    conn.exec_driver_sql(f"REVOKE CREATE ON SCHEMA {schema} FROM {quoted}")  # given before 2026-12-03
    grant_tables(conn, role, append_only, rewritable)
    if append is not None:  # the server-side append: to be called, not replaced (install_append)
        from ledger.adapters.server_append import APPEND_ARGS

        conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA {APPEND_SCHEMA} TO {quoted}")
        conn.exec_driver_sql(f"GRANT EXECUTE ON FUNCTION {append}{APPEND_ARGS} TO {quoted}")
    if not training:
        _author_check(conn, schema)
    cursor = conn.connection.cursor()  # the rights as they now are: the question every session asks
    try:
        guard.refuse(guard.problems(cursor, "init"))
    finally:
        cursor.close()
    return role


def grant_tables(conn: Connection, role: str, append_only: list[str], rewritable: list[str]) -> None:
    """The ledger's role's rights on these tables, and nobody else's: ``SELECT, INSERT`` on the
    append-only ones, ``SELECT, INSERT, UPDATE, DELETE`` on the read side's (``SELECT`` on
    ``proj_versions``: a projection's version is the owner's to change) — never ``TRUNCATE`` (it locks
    out every reader), ``TRIGGER`` or ``REFERENCES``, nor ownership. A right on them given to anyone
    else (a login, ``PUBLIC``; on a store set up before 2026-12-03 a worker's code could have made the
    owner's session give one) is taken back. Also for a table the owner makes after ``ledger init`` (a
    new version's, a projection's made again: :meth:`ledger.adapters.store.SQLStore.grant_new_tables`)."""
    quoted = f'"{role}"'
    others = conn.exec_driver_sql(_OTHER_GRANTEES, ([*append_only, *rewritable], role)).all()
    for table, grantee in others:
        conn.exec_driver_sql(f"REVOKE ALL ON {table} FROM {grantee}")
    for table in append_only:
        conn.exec_driver_sql(f"REVOKE ALL ON {table} FROM {quoted}")
        conn.exec_driver_sql(f"GRANT SELECT, INSERT ON {table} TO {quoted}")
    for table in rewritable:
        conn.exec_driver_sql(f"REVOKE ALL ON {table} FROM {quoted}")
        rights = "SELECT" if table == projection_versions.name else "SELECT, INSERT, UPDATE, DELETE"
        conn.exec_driver_sql(f"GRANT {rights} ON {table} TO {quoted}")


def close_schema(dbapi_conn: Any) -> None:
    """``ledger init``'s new connections (psycopg's), before anything else runs in them — SQLAlchemy's
    first queries and the store's first reads compare ``VARCHAR`` values too: if the ledger's role may
    create in the tables' schema (a store set up before 2026-12-03), or another login than the
    database's owner and this one may create schemas, take that right and commit, then
    wait until every transaction open at that moment has ended (prepared ones too): one of them may
    hold an object made while it could, not yet committed, which no question asked before could see.
    Up to :data:`WAIT_OPEN` seconds, then ``locked``. A right this login cannot take (a superuser's
    grant) is left for the question to refuse (``schema_open``). All with ``pg_catalog`` alone on the
    path; the connection is left outside a transaction."""
    import psycopg

    with dbapi_conn.cursor() as cursor:
        try:
            cursor.execute("SELECT pg_catalog.current_schema()")
            schema = cursor.fetchone()[0]
            cursor.execute("SET LOCAL search_path TO pg_catalog, pg_temp")
            cursor.execute(_ROLE_CREATES, (schema,))
            found = cursor.fetchone()
            revokes = [] if found is None else [f'ON SCHEMA "{_quoted(found[1])}" FROM "{_quoted(found[0])}"']
            cursor.execute("SELECT pg_catalog.current_database()")
            database = _quoted(cursor.fetchone()[0])
            cursor.execute(_DATABASE_CREATORS)
            revokes += [f'ON DATABASE "{database}" FROM {grantee}' for (grantee,) in cursor.fetchall()]
            if not revokes:
                return  # a store set up since, or not at all: nothing to wait for
            for revoke in revokes:
                cursor.execute("SAVEPOINT revoke")
                try:
                    cursor.execute(f"REVOKE CREATE {revoke}")
                except psycopg.Error:  # not this login's to take: the question refuses
                    cursor.execute("ROLLBACK TO SAVEPOINT revoke")
            dbapi_conn.commit()
            cursor.execute("SET LOCAL search_path TO pg_catalog, pg_temp")
            cursor.execute(_OPEN_TRANSACTIONS)
            open_then = [row[0] for row in cursor.fetchall()]
            dbapi_conn.commit()
            deadline = time.monotonic() + WAIT_OPEN
            while open_then:
                if time.monotonic() > deadline:
                    raise StorageError(reason="locked")
                time.sleep(0.05)
                cursor.execute("SET LOCAL search_path TO pg_catalog, pg_temp")
                cursor.execute(_STILL_OPEN, (open_then,))
                open_then = [row[0] for row in cursor.fetchall()]
                dbapi_conn.commit()
        finally:
            dbapi_conn.rollback()


def _quoted(name: str) -> str:
    return name.replace('"', '""')


def take_read_side(conn: Connection, rewritable: list[str]) -> bool:
    """Whether the read side's tables were dropped, to be made again by this login: when one of them is
    not its own. Until 2026-12-03 they were the ledger's role's, so that any worker's process could
    replace a projection's tables; but so any worker's login could also attach a trigger, rule or column
    default to them, to run in another login's session when it caught the read side up — under that
    login's name. Made again they carry nothing; every projection is replayed from the events on next
    use. One this login may not drop (another login's, not the role's) stops the setup
    (``foreign_objects``): the database administrator looks at it and drops it."""
    not_mine = conn.exec_driver_sql(_NOT_MINE, (rewritable,)).all()
    if not not_mine:
        return False
    if not all(may_drop for _, may_drop in not_mine):
        raise StorageError(reason="foreign_objects", objects=", ".join(name for name, _ in not_mine))
    attached = list(conn.exec_driver_sql(_ATTACHED, ([name for name, _ in not_mine],)).scalars())
    if attached:  # not dropped unseen: the database administrator looks at what it did (and runs verify)
        raise StorageError(reason="foreign_objects", objects=", ".join(attached))
    for table in rewritable:  # all of them: the positions in ledger_tracking go with their projections' rows
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table} CASCADE")
    return True


def _author_check(conn: Connection, schema: str) -> None:
    """The author check (:data:`_AUTHOR_CHECK`) made or made again, the owner's, and the tables'
    triggers running it. A function of its name that another login made first (the ledger's logins could
    create functions in the tables' schema until 2026-12-03) is dropped, triggers and all, where this login
    may (it owns the schema — the database's owner owns ``public`` on PostgreSQL 15 and later — or is a
    superuser); else the setup stops (``author_check_taken``), nothing changed. Triggers
    already as they should be are left alone: making them again locks the tables, and waits for
    every reader. The per-row check of an older store is dropped when nothing else uses it. ``schema``:
    the tables' schema, quoted."""
    if conn.exec_driver_sql(_AUTHOR_CHECK_MINE).scalar() is False:
        try:
            with conn.begin_nested():
                conn.exec_driver_sql(f"DROP FUNCTION {schema}.ledger_check_authors() CASCADE")
        except sa_exc.DBAPIError:
            raise StorageError(reason="author_check_taken") from None
    try:
        conn.exec_driver_sql(_AUTHOR_CHECK.replace("{schema}", schema))
    except sa_exc.IntegrityError:  # another login made one in the meantime (a duplicate in the catalog)
        raise StorageError(reason="author_check_taken") from None
    if not conn.exec_driver_sql(_AUTHOR_CHECK_MINE).scalar():  # made by another in the meantime
        raise StorageError(reason="author_check_taken")
    if sorted(conn.exec_driver_sql(_AUTHOR_TRIGGERS).scalars()) != list(_AUTHOR_CHECKED):
        for table in _AUTHOR_CHECKED:
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_author ON {table}")
            conn.exec_driver_sql(f"CREATE TRIGGER {table}_author AFTER INSERT ON {table} REFERENCING NEW TABLE "
                                 f"AS added FOR EACH STATEMENT EXECUTE FUNCTION {schema}.ledger_check_authors()")
    try:
        with conn.begin_nested():
            conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {schema}.{_OLD_AUTHOR_CHECK}")
    except sa_exc.DBAPIError:
        pass  # another trigger still runs it, or it is not this login's: left as it is
