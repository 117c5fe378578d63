"""Projection versions: a projection whose ``version`` changed has its tables dropped, recreated and
replayed on next use (new code may have new columns). The version each projection's tables were
built by is kept in ``ledger_meta`` (``projection_version:NAME``)."""

from __future__ import annotations

from sqlalchemy import delete, insert, select, update

from ledger.adapters.schema import meta_table, tracking_table
from ledger.adapters.store import SQLStore
from ledger.projections.projection import Projection

PREFIX = "projection_version:"


def check_versions(store: SQLStore, projections: list[Projection]) -> None:
    """Replace the tables of every projection built by another version than the code's."""
    keys = {f"{PREFIX}{p.name}": p for p in projections}
    with store.read() as conn:
        query = select(meta_table.c.key, meta_table.c.value).where(meta_table.c.key.in_(list(keys)))
        have = dict(conn.execute(query).tuples().all())
    for key, projection in keys.items():
        if have.get(key) != str(projection.version):
            _replace(store, projection, key)


def _replace(store: SQLStore, projection: Projection, key: str) -> None:
    want = str(projection.version)
    with store.projection(projection.name) as conn:
        # Again under the projection's lock: another process may have rebuilt it meanwhile.
        have = conn.execute(select(meta_table.c.value).where(meta_table.c.key == key)).scalar()
        if have == want:
            return
        for table in reversed(projection.tables):
            table.drop(conn, checkfirst=True)
        for table in projection.tables:
            table.create(conn, checkfirst=True)
        conn.execute(delete(tracking_table).where(tracking_table.c.application_name == projection.name))
        if have is None:
            conn.execute(insert(meta_table), {"key": key, "value": want})
        else:
            conn.execute(update(meta_table).where(meta_table.c.key == key).values(value=want))
