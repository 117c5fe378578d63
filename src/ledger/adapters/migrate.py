"""``ledger migrate --encrypt``: a store written before personal data was encrypted, encrypted in place.

A store from before encryption holds every personal field in the clear and finds a person again by
a namespace kept beside the data. Migrating it, once, by the database's owner:

1. gives the store an id, and a new key file (0600) with its key-encryption and blind-index keys;
2. reads every event in order, gives each person the id of their blind index (the identity number's
   HMAC) instead of the old name-based one, and seals every event's personal part with its person's
   new data key (:mod:`ledger.adapters.mapper`);
3. in one transaction: writes the events back at the same positions with a freshly computed chain,
   drops the snapshots (derived; taken again as streams grow) and the old namespace, and notes the
   old and new heads in ``ledger_meta`` (``encrypted_from``): digests taken before the migration
   prove the history up to it, not the rewritten bytes;
4. makes the read side rebuild, and rids the database file of the old plaintext (SQLite:
   ``secure_delete``, a checkpoint and ``VACUUM``; PostgreSQL: ``VACUUM FULL``).

The access log is left as it is: it holds no personal data. Nothing else is changed: the same events,
the same order, the same times; every view says what it said before (tested on a store written by
the code before encryption, ``tests/integration/test_store_v1.py``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eventsourcing.persistence import StoredEvent

from ledger.adapters import chained
from ledger.adapters.keys import SCHEME, FileKeyService, KeyedPersonIndex, KeyFile, KeyRing, PersonalCipher
from ledger.adapters.mapper import PydanticMapper
from ledger.adapters.schema import events_table, meta_table, snapshots_table
from ledger.adapters.store import SQLStore
from ledger.domain import events as ev
from ledger.domain.errors import AlreadyExists, StorageError


def encrypt_store(store: SQLStore, key_file_for: Callable[[str], Path]) -> dict[str, Any]:
    """Encrypt a store written before encryption (see the module); ``key_file_for`` names the new key
    file by the store's new id. What was done, for the command's answer."""
    from sqlalchemy import delete, select

    with store.read() as conn:
        if store.meta_value(conn, "encryption") is not None:
            raise AlreadyExists(kind="encryption", ref=SCHEME)
        old_head = store.chain_head(conn)
        rows = conn.execute(select(events_table.c.id, events_table.c.originator_id, events_table.c.originator_version,
                                   events_table.c.topic, events_table.c.state).order_by(events_table.c.id)).all()
    store_id = str(uuid.uuid4())
    key_file = key_file_for(store_id)
    keys = KeyFile.create(key_file, store_id)
    service = FileKeyService(keys)
    ring = KeyRing(store, lambda: service)
    persons = KeyedPersonIndex(lambda: service)
    plain, sealed = PydanticMapper(), PydanticMapper(personal=PersonalCipher(ring))

    decoded = [plain.to_domain_event(StoredEvent(r[1], r[2], r[3], bytes(r[4]))) for r in rows]
    renamed = {e.originator_id: persons.person_id(e.identity_number)
               for e in decoded if isinstance(e, ev.PersonRegistered)}
    moved = []
    for event in decoded:
        update: dict[str, Any] = {}
        if type(event).stream == "person" and event.originator_id in renamed:
            update["originator_id"] = renamed[event.originator_id]
        if isinstance(event, ev.CaseActualised) and event.person_id in renamed:
            update["person_id"] = renamed[event.person_id]
        moved.append(event.model_copy(update=update) if update else event)
    sealed.prepare(moved)
    stored = [sealed.to_stored_event(e) for e in moved]

    try:
        with store.write() as conn:
            if store.meta_value(conn, "encryption") is not None:  # another migration got there first
                raise AlreadyExists(kind="encryption", ref=SCHEME)
            store.dialect.secure_delete(conn)
            conn.execute(delete(snapshots_table))
            conn.exec_driver_sql("DELETE FROM ledger_chain")
            conn.execute(delete(events_table))
            chained.append(conn, store.dialect, stored)
            new_head = store.chain_head(conn)
            conn.execute(delete(meta_table).where(meta_table.c.key == "person_namespace"))
            at = datetime.now(UTC).isoformat(timespec="seconds")
            store.put_meta(conn, {
                "store_id": store_id, "encryption": SCHEME,
                "encrypted_from": f"{at} position={old_head.position} hash={old_head.hash} "
                                  f"new_hash={new_head.hash}",
            })
            # the read side was built with the old person ids: every projection rebuilds on next use
            conn.execute(delete(meta_table).where(meta_table.c.key.like("projection_version:%")))
            if _has(conn, "proj_versions"):
                conn.exec_driver_sql("DELETE FROM proj_versions")
    except StorageError as error:
        key_file.unlink(missing_ok=True)
        raise StorageError(reason="not_owner") from error
    except BaseException:
        key_file.unlink(missing_ok=True)  # nothing was changed: the key file would open nothing
        raise
    purged = store.dialect.purge(store.engine)
    return {"events": len(stored), "people": len(renamed), "key_file": str(key_file),
            "old_head": {"position": old_head.position, "hash": old_head.hash},
            "head": {"position": new_head.position, "hash": new_head.hash}, "purged": purged}


def _has(conn: Any, table: str) -> bool:
    from sqlalchemy import inspect

    return bool(inspect(conn).has_table(table))
