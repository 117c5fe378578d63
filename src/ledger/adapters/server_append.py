"""The server-side append on PostgreSQL: a few events and their chain entries in one round trip.

A function, ``ledger_code.append_chained_1`` (:data:`APPEND_NAME`), made by the store's owner in a
schema only the owner may create in, takes the events' lock, reads the chain's tail after it,
finishes each link from the part the client sent (:func:`ledger.adapters.chained.linked`) and
inserts the events and their entries, in the server's own transaction. The store calls it through
:meth:`ledger.adapters.dialect.PostgresDialect.append_at_once` (docs/architecture.md, "Writers are
serialised"; docs/performance.md).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import exc as sa_exc

from ledger.adapters import dialect
from ledger.adapters.dialect import _LOCKS, APPEND_NAME, APPEND_SCHEMA


def install(conn: Connection) -> str | None:
    """The append as a function in its own schema, ``ledger_code``, which only its creator (the
    store's owner) may create objects in: a login of the ledger's role may call it, not replace it
    (it runs with the caller's rights: replaced, it would write as whoever calls it). Made by the
    owner when the store is made, or by ``ledger init`` for a store made before it; a login that
    may not create the schema gets ``None`` (its writes take the lock and the tail first), and so does
    a schema of that name another login made first, or in which another may create: whoever could
    replace the function could run code with the rights of every writer."""
    schema = dialect.current_schema(conn)
    try:
        with conn.begin_nested() as made:
            conn.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {APPEND_SCHEMA}")
            conn.exec_driver_sql(append_function(schema))
            conn.exec_driver_sql(f"REVOKE ALL ON FUNCTION {APPEND_NAME}{APPEND_ARGS} FROM PUBLIC")
            if not trusted(conn, APPEND_NAME):
                made.rollback()  # a schema another login made first, or open to others: not used
                return None
    except sa_exc.DBAPIError:
        return None
    return APPEND_NAME


def trusted(conn: Connection, name: str) -> bool:
    """The function there, it and its schema owned by the owner of the events' table, and nobody
    else may create in the schema: a login that may insert into ``ledger_meta`` cannot make the
    ledger call a function of its own by naming it there."""
    schema, _, function = name.partition(".")
    return bool(conn.exec_driver_sql(_APPEND_TRUSTED, (schema, function)).scalar())


def append(conn: Connection, name: str, columns: Sequence[Sequence[Any]]) -> tuple[int, int] | None:
    """One statement outside any transaction of the connection, so in the server's own (committed
    with it): one round trip for a whole write, where the locked path
    (:meth:`~ledger.adapters.dialect.PostgresDialect.begin_write`) takes three, and the lock held
    only while the server works. The function refuses (``LD001``, before the lock) when that
    transaction is not READ COMMITTED (a server or database whose default is REPEATABLE READ: the
    tail would be read in a snapshot from before the lock). Returns the highest event and chain
    positions the server found (they differ in a broken chain: nothing written); ``None``: not this
    way (gone, not this login's to call, not READ COMMITTED), nothing written.

    The parameters go in binary (:func:`_binary_columns`), through psycopg's low-level connection as
    the dialect's begin message does: parsing seven array literals and the payload's hex at each
    commit, or psycopg's adaptation of eight lists, cost more than the server's whole append. From a
    connection's second append on, the call is a statement prepared on it (:data:`PREPARED`; one
    round trip once, then no parse nor plan per call); the first goes unnamed, so that a command's
    one write in a new process costs one round trip, not two. A session that lost the statement
    (``26000``: psycopg deallocates every statement of a session after a rollback once it has
    prepared its own; a pooler's reset) is sent the call unnamed, the refused one having run nothing,
    and that connection is not prepared on again: a session that drops statements would cost a round
    trip per write."""
    from psycopg import Error

    raw = conn.connection.driver_connection
    assert raw is not None
    params = _binary_columns(columns, raw.info.encoding)
    info = conn.connection.info
    with raw.lock:
        noted = info.get(PREPARED)
        if noted is None and info.get(_CALLED) == name:
            if not _prepare(raw, name):
                return None
            info[PREPARED] = noted = name
        if noted == name:
            raw.pgconn.send_query_prepared(dialect._statement_name(name).encode(), params, param_formats=_BINARY)
            try:
                return _found(raw)
            except Error as error:
                if error.sqlstate != "26000":
                    raise
                info[PREPARED] = _LOST
        info[_CALLED] = name
        raw.pgconn.send_query_params(_append_call(name), params, param_types=_param_types(), param_formats=_BINARY)
        return _found(raw)


def _prepare(raw: Any, name: str) -> bool:
    """The call prepared on the connection (already there: made by a write interrupted before it was
    noted; the statement's name is its function's, hashed); ``False``: not this way, nothing prepared."""
    from psycopg import Error, generators

    raw.pgconn.send_prepare(dialect._statement_name(name).encode(), _append_call(name), param_types=_param_types())
    try:
        dialect.check_results(raw.wait(generators.execute(raw.pgconn)), raw)
    except Error as error:
        if error.sqlstate == "42P05":
            return True
        if _not_this_way(error):
            return False
        raise
    return True


def _found(raw: Any) -> tuple[int, int] | None:
    """The call's answer: the positions the server found, ``None`` if it may not append this way."""
    from psycopg import Error, generators

    try:
        found = dialect.check_results(raw.wait(generators.execute(raw.pgconn)), raw)
    except Error as error:
        if _not_this_way(error):
            return None
        raise
    top, last = bytes(found.get_value(0, 0)).strip(b"{}").split(b",")
    return int(top), int(last)


def _not_this_way(error: Any) -> bool:
    """Gone (42883, 3F000), not this login's to call (42501 but the author check's own refusal, which
    is the same on the locked path), or not READ COMMITTED (LD001): nothing was written."""
    return error.sqlstate in ("42883", "3F000", "LD001") or (
        error.sqlstate == "42501" and not str(error).startswith("ledger:"))


#: The connection's (pool record's) note that the call is prepared on it, and for which function (or
#: that the session lost it once: not prepared on it again); and that the call was sent on it before.
PREPARED = "ledger_append_prepared"
_LOST = "lost"
_CALLED = "ledger_append_called"
_BINARY = [1] * 8


@lru_cache(maxsize=1)
def _param_types() -> list[int]:
    """The OIDs of the function's parameter types (:data:`APPEND_ARGS`), as psycopg knows them."""
    from psycopg.postgres import types

    names = APPEND_ARGS.strip("()").split(", ")
    return [types[n[:-2]].array_oid if n.endswith("[]") else types[n].oid for n in names]


@lru_cache(maxsize=1)
def _element_types() -> list[int]:
    """The OIDs of the array parameters' elements (:data:`APPEND_ARGS` after the lock timeout)."""
    from psycopg.postgres import types

    return [types[n.removesuffix("[]")].oid for n in APPEND_ARGS.strip("()").split(", ")[1:]]


def _binary_columns(columns: Sequence[Sequence[Any]], encoding: str) -> list[bytes]:
    """The call's parameters in PostgreSQL's binary format: the lock timeout, then each column as a
    one-dimensional array (``array_send``: dimensions, no nulls, the element type, each element's
    length and bytes), its elements' bytes in the order of :data:`APPEND_ARGS`."""
    streams, versions, topics, states, whens, digests, parts = columns
    elements = [[s.bytes for s in streams], [_pack_int8(v) for v in versions], [t.encode(encoding) for t in topics],
                states, [w.encode(encoding) for w in whens], [d.encode(encoding) for d in digests],
                [p.encode(encoding) for p in parts]]
    return [dialect.LOCK_TIMEOUT.encode(encoding),
            *(_binary_array(oid, column) for oid, column in zip(_element_types(), elements, strict=True))]


def _binary_array(oid: int, elements: Sequence[bytes]) -> bytes:
    out = [_pack_header(1, 0, oid, len(elements), 1)]
    for element in elements:
        out.append(_pack_int4(len(element)))
        out.append(element)
    return b"".join(out)


_pack_header = struct.Struct("!iiIii").pack
_pack_int4 = struct.Struct("!i").pack
_pack_int8 = struct.Struct("!q").pack


APPEND_ARGS = "(text, uuid[], int8[], text[], bytea[], text[], text[], text[])"
#: The link's text is the chain's (:func:`ledger.adapters.chain.link`): its head, the position, the
#: event's part made by the client (:func:`ledger.adapters.chained.linked`), the previous link. The
#: tail is read after the lock in its own statement (a volatile function takes a snapshot per
#: statement under READ COMMITTED); a tail that does not match the events is returned, nothing written.
_APPEND_BODY = """
CREATE OR REPLACE FUNCTION {name}(timeout text, streams uuid[], versions int8[], topics text[], states bytea[],
                                  whens text[], digests text[], parts text[])
RETURNS int8[] LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
  top int8; last int8; previous text; links text[] := '{{}}'; n int := cardinality(states);
BEGIN
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'ledger: the append needs READ COMMITTED' USING ERRCODE = 'LD001';
  END IF;
  PERFORM set_config('lock_timeout', timeout, true), pg_advisory_xact_lock({key}, {sub});
  SELECT (SELECT max(id) FROM {schema}.ledger_events), c.position, c.hash INTO top, last, previous
    FROM {schema}.ledger_chain c ORDER BY c.position DESC LIMIT 1;
  IF NOT FOUND THEN
    top := (SELECT max(id) FROM {schema}.ledger_events); last := 0; previous := '{genesis}';
  END IF;
  top := coalesce(top, 0);
  IF top <> last THEN
    RETURN ARRAY[top, last];
  END IF;
  FOR i IN 1..n LOOP
    previous := encode(sha256(convert_to('["{tag}",' || (last + i) || parts[i] || previous || '"]', 'UTF8')), 'hex');
    links[i] := previous;
  END LOOP;
  FOR i IN 1..n LOOP  -- row by row: cheaper than one INSERT ... SELECT for the few events sent this way
    INSERT INTO {schema}.ledger_events (id, originator_id, originator_version, topic, state)
      VALUES (last + i, streams[i], versions[i], topics[i], states[i]);
    INSERT INTO {schema}.ledger_chain (position, recorded_at, payload_hash, hash)
      VALUES (last + i, whens[i], digests[i], links[i]);
  END LOOP;
  RETURN ARRAY[last, last];
END $fn$"""


#: The append function and its schema the events' table's owner's, and nobody else may create in it.
_APPEND_TRUSTED = """
SELECT p.proowner = c.relowner AND n.nspowner = c.relowner
   AND NOT EXISTS (SELECT 1 FROM aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) AS a
                   WHERE a.privilege_type = 'CREATE' AND a.grantee <> n.nspowner)
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace, pg_class c
WHERE n.nspname = %s AND p.proname = %s AND c.oid = to_regclass('ledger_events')"""


def append_function(schema: str) -> str:
    """The ``CREATE OR REPLACE FUNCTION`` of the server-side append, for tables in ``schema`` (quoted)."""
    from ledger.adapters.chain import CHAIN_TAG, GENESIS

    key, sub = _LOCKS["events"]
    return _APPEND_BODY.format(name=APPEND_NAME, schema=schema, key=key, sub=sub,
                               genesis=GENESIS, tag=CHAIN_TAG)


@lru_cache(maxsize=2)
def _append_call(name: str) -> bytes:
    """The call; its parameters' types are sent with it (:func:`_param_types`)."""
    return f"SELECT {name}({', '.join(f'${i}' for i in range(1, len(_param_types()) + 1))})".encode()
