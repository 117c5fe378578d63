"""Projection versions: a projection whose ``version`` changed has its tables dropped, recreated and
replayed on next use (new code may have new columns). On PostgreSQL the tables are the store owner's:
its ``ledger init`` replaces them (:meth:`ledger.projections.read_side.ReadSide.replace_outdated`), and
a worker's login that meets an outdated one is told so (``needs_init``), nothing changed. The version
each projection's tables were built by is kept in ``proj_versions`` (rewritable by the ledger's logins,
unlike the store's settings); a store written before keeps it in ``ledger_meta``
(``projection_version:NAME``), read once and carried over.
"""

from __future__ import annotations

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy import exc as sa_exc

from ledger.adapters.schema import meta_table, projection_versions, tracking_table
from ledger.adapters.storage_errors import insufficient_privilege
from ledger.adapters.store import SQLStore
from ledger.domain.errors import StorageError
from ledger.projections.projection import Projection

PREFIX = "projection_version:"


def check_versions(store: SQLStore, projections: list[Projection]) -> None:
    """Replace the tables of every projection built by another version than the code's."""
    with store.read() as conn:
        have = _versions(conn, [p.name for p in projections])
    for projection in projections:
        if have.get(projection.name) != projection.version:
            _replace(store, projection)


def _versions(conn: Connection, names: list[str]) -> dict[str, int]:
    found = dict(conn.execute(select(projection_versions.c.name, projection_versions.c.version)
                              .where(projection_versions.c.name.in_(names))).tuples().all())
    legacy = conn.execute(select(meta_table.c.key, meta_table.c.value)
                          .where(meta_table.c.key.in_([PREFIX + n for n in names if n not in found]))).tuples()
    for key, value in legacy:
        if value.isdigit():
            found[key.removeprefix(PREFIX)] = int(value)
    return found


def _replace(store: SQLStore, projection: Projection) -> None:
    try:
        with store.projection(projection.name) as conn:
            _replace_in(conn, store, projection)
    except StorageError as error:
        if isinstance(error.__cause__, sa_exc.DBAPIError) and insufficient_privilege(error.__cause__):
            # the owner's, on PostgreSQL: a worker's login may neither drop the tables nor record a version
            raise StorageError(reason="needs_init") from error
        raise


def _replace_in(conn: Connection, store: SQLStore, projection: Projection) -> None:
    # Again under the projection's lock: another process may have rebuilt it meanwhile.
    have = _versions(conn, [projection.name]).get(projection.name)
    recorded = conn.execute(select(projection_versions.c.version)
                            .where(projection_versions.c.name == projection.name)).scalar()
    if have == projection.version:
        if recorded is None:  # built by this version, recorded the old way: carry it over
            conn.execute(insert(projection_versions), {"name": projection.name, "version": projection.version})
        return
    store.dialect.begin_ddl(conn)  # as ledger init's grants on these tables: one after the other
    for table in reversed(projection.tables):
        table.drop(conn, checkfirst=True)
    for table in projection.tables:
        table.create(conn, checkfirst=True)
    store.grant_new_tables(conn, [table.name for table in projection.tables])
    conn.execute(delete(tracking_table).where(tracking_table.c.application_name == projection.name))
    if recorded is None:
        conn.execute(insert(projection_versions), {"name": projection.name, "version": projection.version})
    else:
        conn.execute(update(projection_versions).where(projection_versions.c.name == projection.name)
                     .values(version=projection.version))
