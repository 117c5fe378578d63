"""PostgreSQL: before a session runs anything, what its queries could resolve to.

A function or operator that matches a call's argument types exactly wins over a built-in one that
needs a cast, wherever it sits on the search path: an operator ``public.= (varchar, varchar)`` made by
one login runs in every session that compares a ``VARCHAR`` parameter (SQLAlchemy's), with that
session's rights and name, and could so append events in another's name or grant itself what the
owner may. The ledger is safe only where nobody it does not trust could create on its search path
(PostgreSQL's CVE-2018-1058 advice). So every new connection first asks — before SQLAlchemy's own
first queries (``do_connect``), with ``pg_catalog`` alone on its path, so that the question itself
resolves to nothing else:

- ``schema_open``: whether a schema on the path lets anyone but the store's owner and superusers
  create in it (``PUBLIC`` has ``CREATE`` on ``public`` up to PostgreSQL 14); ``database_open``:
  whether anyone else but the database's owner may create schemas (one named like a login comes
  first on that login's search path, ``"$user"``, and may come and go between two questions);
- ``foreign_objects``: whether the database holds anything owned by another login (a worker's login
  could create in the schema until 2026-12-03): functions, operators, types, tables, anything but
  temporary objects, large objects and default privileges, which run no code in another's session;
  a store set up before then may hold its read side's tables (by name), their sequences and row types,
  owned by the ledger's role, until ``ledger init`` takes them back;
- ``needs_init``: whether the store was set up before 2026-12-03 (its role may create in the schema,
  or owns the read side): nobody may use it but its owner's (or a superuser's) ``ledger init``
  (:func:`initialising`), which upgrades it. Code attached to those tables (triggers, rules) runs
  in whoever's session writes to them: it is ``init``'s to find before it drops them
  (:func:`ledger.adapters.rights.take_read_side`).

The store's owner is the owner of ``ledger_meta`` (the login itself, on a database not set up yet),
its role ``ledger_<database>`` (:func:`ledger.adapters.rights.grant_append_only`). One round trip:
the session's path is kept in a setting of the transaction, ``pg_catalog`` put alone on the path,
the question asked, the path put back. docs/deployment.md gives the database administrator the same
question to ask by hand.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ledger.adapters.schema import read_metadata, tracking_table
from ledger.domain.errors import StorageError

#: The ledger's role's name in SQL, as :func:`ledger.adapters.rights.grant_append_only` makes it.
ROLE_NAME = "'ledger_' || regexp_replace(lower(current_database()), '[^a-z0-9_]', '_', 'g')"
#: The read side's tables' names, quoted for SQL.
_READ_SIDE = ", ".join(f"'{name}'" for name in (tracking_table.name, *read_metadata.tables))

#: Asked with ``pg_catalog`` alone on the path: one row per thing wrong. ``ledger.path``: the session's
#: schemas as they were (``current_schemas(false)``). ``{mode}``: ``use`` (a store set up before
#: 2026-12-03 is not to be used) or ``init`` (its owner's or a superuser's ``ledger init`` may, to upgrade
#: it, once it has taken the role's ``CREATE``: what is left of that, ``schema_open``, is the database
#: administrator's). ``{read_side}``: the read side's tables' names, quoted.
_QUESTION = """
WITH setting AS (
  SELECT current_setting('ledger.path')::name[] AS path
), path AS (
  SELECT n.oid, n.nspname, n.nspacl, n.nspowner, array_position(s.path, n.nspname) AS pos
  FROM pg_namespace n, setting s WHERE n.nspname = ANY(s.path)
), me AS (
  SELECT r.oid, r.rolsuper FROM pg_roles r WHERE r.rolname = session_user
), owner AS (  -- the store's: of its settings' table, first on the path; none yet: this login
  SELECT coalesce((SELECT c.relowner FROM pg_class c JOIN path p ON p.oid = c.relnamespace
                   WHERE c.relname = 'ledger_meta' AND c.relkind IN ('r', 'p') ORDER BY p.pos LIMIT 1),
                  (SELECT oid FROM me)) AS oid
), role AS (
  SELECT r.oid FROM pg_roles r
  WHERE r.rolname = {role_name}
), trusted AS (
  SELECT r.oid FROM pg_roles r WHERE r.rolsuper UNION SELECT oid FROM owner
), granted AS (
  SELECT p.nspname, a.grantee FROM path p, aclexplode(p.nspacl) a WHERE a.privilege_type = 'CREATE'
  UNION ALL SELECT p.nspname, p.nspowner FROM path p
), creators AS (  -- pg_database_owner (PostgreSQL 15's owner of public): the database's owner
  SELECT g.nspname, CASE WHEN g.grantee = 'pg_database_owner'::regrole
                         THEN (SELECT d.datdba FROM pg_database d WHERE d.datname = current_database())
                         ELSE g.grantee END AS grantee
  FROM granted g
), role_tables AS (  -- a store set up before 2026-12-03: its role owns the read side's tables until init
  SELECT c.oid FROM pg_class c JOIN path p ON p.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND c.relname = ANY(ARRAY[{read_side}]::name[]) AND c.relowner IN (SELECT oid FROM role)
), read_side AS (  -- ... with their sequences and row types
  SELECT oid FROM role_tables
  UNION SELECT d.objid FROM pg_depend d JOIN pg_class q ON q.oid = d.objid AND q.relkind = 'S'  -- not partitions
  WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
    AND d.refobjid IN (SELECT oid FROM role_tables)
), owned AS (  -- two ranges of the index, around the large objects (any login may make them by the 100 000)
  SELECT s.* FROM pg_shdepend s WHERE s.deptype = 'o' AND s.classid < 'pg_largeobject'::regclass::oid
    AND s.dbid = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
  UNION ALL
  SELECT s.* FROM pg_shdepend s WHERE s.deptype = 'o' AND s.classid > 'pg_largeobject'::regclass::oid
    AND s.dbid = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
), others AS MATERIALIZED (  -- what others own, but a session's temporary tables (made and dropped all along)
  SELECT s.classid, s.objid, s.objsubid FROM owned s
  WHERE s.refobjid NOT IN (SELECT oid FROM trusted)
    AND s.classid <> 'pg_default_acl'::regclass
    AND NOT (s.refobjid IN (SELECT oid FROM role) AND (
      (s.classid = 'pg_class'::regclass AND s.objid IN (SELECT oid FROM read_side))
      OR (s.classid = 'pg_type'::regclass AND EXISTS (
        SELECT FROM pg_type t WHERE t.oid = s.objid AND (t.typrelid IN (SELECT oid FROM read_side) OR t.typelem IN (
          SELECT e.oid FROM pg_type e WHERE e.typrelid IN (SELECT oid FROM read_side)))))))
    AND NOT EXISTS (SELECT FROM pg_class c WHERE s.classid = 'pg_class'::regclass AND c.oid = s.objid
                    AND c.relpersistence = 't')
)
SELECT CASE WHEN '{mode}' = 'use' THEN 'needs_init' ELSE 'schema_open' END, c.nspname FROM creators c
  WHERE c.grantee IN (SELECT oid FROM role)  -- init took it first, if it could (rights.close_schema)
UNION ALL
SELECT 'needs_init', 'read side' WHERE EXISTS (SELECT FROM role_tables) AND ('{mode}' = 'use'
  OR '{mode}' = 'init' AND NOT ((SELECT oid FROM me) = (SELECT oid FROM owner) OR (SELECT rolsuper FROM me)))
UNION ALL  -- a schema named like a login would come first on its search path ("$user")
SELECT 'database_open', pg_get_userbyid(a.grantee) FROM pg_database d, aclexplode(d.datacl) a
  WHERE d.datname = current_database() AND a.privilege_type = 'CREATE'
    AND a.grantee NOT IN (SELECT oid FROM trusted) AND a.grantee <> d.datdba
UNION ALL
SELECT 'schema_open', c.nspname FROM creators c
  WHERE c.grantee NOT IN (SELECT oid FROM trusted) AND c.grantee NOT IN (SELECT oid FROM role)
UNION ALL
SELECT 'foreign_objects', o.type || ' ' || o.identity
  FROM others s, pg_identify_object(s.classid, s.objid, s.objsubid) o
  WHERE o.identity IS NOT NULL  -- not dropped in the meantime
    AND coalesce(o.schema, '') NOT LIKE 'pg\\_temp\\_%' AND coalesce(o.schema, '') NOT LIKE 'pg\\_toast\\_temp\\_%'
"""
#: Before: the path kept, and ``pg_catalog`` alone on it (qualified, so that nothing else can answer).
_BEFORE = ("SELECT pg_catalog.set_config('ledger.path', pg_catalog.current_schemas(false)::pg_catalog.text, true), "
           "pg_catalog.set_config('ledger.search_path', pg_catalog.current_setting('search_path'), true); "
           "SET LOCAL search_path TO pg_catalog, pg_temp; ")
#: After: the path as it was.
_AFTER = "; SELECT pg_catalog.set_config('search_path', pg_catalog.current_setting('ledger.search_path'), true)"


def problems(cursor: Any, mode: str = "use") -> list[tuple[str, str]]:
    """What is wrong, as ``(reason, what)`` rows, asked in the cursor's transaction (one round trip);
    the path is as it was afterwards. ``mode``: see :data:`_QUESTION`."""
    question = _QUESTION.replace("{mode}", mode).replace("{read_side}", _READ_SIDE).replace("{role_name}", ROLE_NAME)
    cursor.execute(_BEFORE + question + _AFTER)
    cursor.nextset()
    cursor.nextset()
    return [(str(reason), str(what)) for reason, what in cursor.fetchall()]


def refuse(found: list[tuple[str, str]]) -> None:
    """:class:`StorageError` with the first problem's reason (``schema_open`` before ``foreign_objects``
    before ``needs_init``: the database administrator's work before the owner's), naming up to ten."""
    if found:
        reason = min((r for r, _ in found),
                     key=("database_open", "schema_open", "foreign_objects", "needs_init").index)
        raise StorageError(reason=reason, objects=", ".join(what for _, what in found[:10]))


#: Whether this process runs ``ledger init``: its sessions may use a store set up before 2026-12-03.
_initialising = [False]


@contextmanager
def initialising() -> Iterator[None]:
    """Within: new connections of this process are ``ledger init``'s (``mode`` ``init``)."""
    before, _initialising[0] = _initialising[0], True
    try:
        yield
    finally:
        _initialising[0] = before


def check(dbapi_conn: Any) -> None:
    """A new connection (psycopg's): refused if anything is wrong; its transaction is ended either way.
    ``ledger init``'s first takes the role's ``CREATE`` of a store set up before 2026-12-03, and waits
    for what was open then (:func:`ledger.adapters.rights.close_schema`), before it asks."""
    if _initialising[0]:
        from ledger.adapters import rights

        rights.close_schema(dbapi_conn)
    try:
        with dbapi_conn.cursor() as cursor:
            found = problems(cursor, "init" if _initialising[0] else "use")
    finally:
        dbapi_conn.rollback()
    refuse(found)


__all__ = ["check", "initialising", "problems", "refuse"]
