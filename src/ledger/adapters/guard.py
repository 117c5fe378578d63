"""PostgreSQL: before a session runs anything of the ledger's, what its queries could resolve to.

A function or operator that matches a call's argument types exactly wins over a built-in one that
needs a cast, wherever it sits on the search path: an operator ``public.= (varchar, varchar)`` made by
one login runs in every session that compares a ``VARCHAR`` parameter (SQLAlchemy's), with that
session's rights and name, and could so append events in another's name or grant itself what the
owner may. The ledger is safe only where nobody it does not trust could create on its search path
(PostgreSQL's CVE-2018-1058 advice). So every new connection first asks (with ``pg_catalog`` alone on
its path, so that the question itself resolves to nothing else):

- ``schema_open``: whether a schema on the path lets anyone but the store's owner and superusers
  create in it (``PUBLIC`` has ``CREATE`` on ``public`` up to PostgreSQL 14);
- ``foreign_objects``: whether the database holds anything owned by another login (a worker's login
  could create in the schema until 2026-12-03): functions, operators, types, tables, anything but
  temporary objects, large objects and default privileges, which run no code in another's session;
  the read side's tables the ledger's role owned then are the one thing allowed, until ``ledger
  init`` takes them back;
- ``needs_init``: whether the store was set up before 2026-12-03 (its role may create in the
  schema): only its owner may use it, to run ``ledger init``.

The store's owner is the owner of ``ledger_meta`` (the login itself, on a database not set up yet).
docs/deployment.md gives the database administrator the same question to ask by hand.
"""

from __future__ import annotations

from typing import Any

from ledger.domain.errors import StorageError

#: With ``search_path`` set to ``pg_catalog``: one row per thing wrong. ``%(path)s``: the session's
#: schemas as they were (``current_schemas(false)``), ``%(owner)s``: the store's owner, ``%(role)s``:
#: the ledger's role (``None``: not recorded yet).
_QUESTION = """
WITH trusted AS (
  SELECT r.oid FROM pg_roles r WHERE r.rolsuper OR r.rolname = %(owner)s
), path AS (
  SELECT n.oid, n.nspname, n.nspacl, n.nspowner FROM pg_namespace n WHERE n.nspname = ANY(%(path)s)
), granted AS (
  SELECT p.nspname, a.grantee FROM path p, aclexplode(p.nspacl) a WHERE a.privilege_type = 'CREATE'
  UNION ALL SELECT p.nspname, p.nspowner FROM path p
), creators AS (  -- pg_database_owner (PostgreSQL 15's owner of public): the database's owner
  SELECT g.nspname, CASE WHEN g.grantee = 'pg_database_owner'::regrole
                         THEN (SELECT d.datdba FROM pg_database d WHERE d.datname = current_database())
                         ELSE g.grantee END AS grantee
  FROM granted g
), others AS MATERIALIZED (  -- what others own, but a session's temporary tables (made and dropped all along)
  SELECT s.classid, s.objid, s.objsubid FROM pg_shdepend s
  WHERE s.dbid = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
    AND s.deptype = 'o' AND s.refobjid NOT IN (SELECT oid FROM trusted)
    AND s.classid NOT IN ('pg_largeobject'::regclass, 'pg_default_acl'::regclass)
    AND NOT (s.refobjid = (SELECT r.oid FROM pg_roles r WHERE r.rolname = %(role)s)
             AND s.classid IN ('pg_class'::regclass, 'pg_type'::regclass))
    AND NOT EXISTS (SELECT FROM pg_class c WHERE s.classid = 'pg_class'::regclass AND c.oid = s.objid
                    AND c.relpersistence = 't')
)
SELECT 'needs_init', c.nspname FROM creators c
  WHERE c.grantee = (SELECT r.oid FROM pg_roles r WHERE r.rolname = %(role)s)
UNION ALL
SELECT 'schema_open', c.nspname FROM creators c
  WHERE c.grantee NOT IN (SELECT oid FROM trusted)
    AND c.grantee IS DISTINCT FROM (SELECT r.oid FROM pg_roles r WHERE r.rolname = %(role)s)
UNION ALL
SELECT 'foreign_objects', coalesce(o.type || ' ' || o.identity, '?')
  FROM others s, pg_identify_object(s.classid, s.objid, s.objsubid) o
  WHERE o.identity IS NOT NULL  -- not dropped in the meantime
    AND coalesce(o.schema, '') NOT LIKE 'pg\\_temp\\_%%' AND coalesce(o.schema, '') NOT LIKE 'pg\\_toast\\_temp\\_%%'
"""

#: The store's owner and the schema of its settings, if it is set up; who is connected, and whether a superuser.
_STORE = """
SELECT (SELECT ARRAY[pg_get_userbyid(c.relowner)::text, n.nspname::text] FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relname = 'ledger_meta' AND c.relkind IN ('r', 'p') AND n.nspname = ANY(%(path)s)
        ORDER BY array_position(%(path)s, n.nspname::text) LIMIT 1),
       session_user, (SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = session_user)"""


def problems(cursor: Any, *, upgrading: bool = True) -> list[tuple[str, str]]:
    """What is wrong, as ``(reason, what)`` rows, asked in the cursor's transaction with ``pg_catalog``
    alone on the path; the path is as it was afterwards. The owner (or a superuser) may use a store set
    up before 2026-12-03, to upgrade it, unless not ``upgrading`` (``ledger init``, once it has taken
    the role's ``CREATE``: what is left of it, ``schema_open``, is the database administrator's)."""
    cursor.execute("SELECT pg_catalog.current_schemas(false), pg_catalog.current_setting('search_path')")
    path, setting = cursor.fetchone()
    path = list(path)
    cursor.execute("SET LOCAL search_path TO pg_catalog, pg_temp")
    cursor.execute(_STORE, {"path": path})
    store, user, superuser = cursor.fetchone()
    owner, role = (store[0], None) if store is not None else (user, None)
    if store is not None:
        schema = store[1].replace('"', '""')
        cursor.execute(f'SELECT value FROM "{schema}".ledger_meta WHERE key = %(key)s', {"key": "ledger_role"})
        row = cursor.fetchone()
        role = row[0] if row else None
    cursor.execute(_QUESTION, {"path": path, "owner": owner, "role": role})
    found = [(str(reason), str(what)) for reason, what in cursor.fetchall()]
    cursor.execute("SELECT pg_catalog.set_config('search_path', %(setting)s, true)", {"setting": setting})
    if not upgrading:
        return [("schema_open", what) if reason == "needs_init" else (reason, what) for reason, what in found]
    if user == owner or superuser:  # the owner of a store set up before 2026-12-03: to run ledger init
        return [p for p in found if p[0] != "needs_init"]
    return found


def refuse(found: list[tuple[str, str]]) -> None:
    """:class:`StorageError` with the first problem's reason (``schema_open`` before ``foreign_objects``
    before ``needs_init``: the database administrator's work before the owner's), naming up to ten."""
    if found:
        reason = min((r for r, _ in found), key=("schema_open", "foreign_objects", "needs_init").index)
        raise StorageError(reason=reason, objects=", ".join(what for _, what in found[:10]))


def check(dbapi_conn: Any) -> None:
    """A new connection (psycopg's): refused if anything is wrong; its transaction is ended either way."""
    try:
        with dbapi_conn.cursor() as cursor:
            found = problems(cursor)
    finally:
        dbapi_conn.rollback()
    refuse(found)


__all__ = ["check", "problems", "refuse"]
