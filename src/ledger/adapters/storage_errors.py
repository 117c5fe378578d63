"""The database's and the file system's refusals as :class:`StorageError`, each with a reason a person
can act on (``disk_full``, ``locked``, ``encoding``, …; the CLI's catalogue says them in Swedish)."""

from __future__ import annotations

import errno

from sqlalchemy import exc as sa_exc

from ledger.domain.errors import StorageError


def os_storage_error(error: OSError) -> StorageError:
    if error.errno in (errno.ENOSPC, errno.EFBIG):
        return StorageError(reason="disk_full")
    if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return StorageError(reason="read_only")
    return StorageError(reason="unreachable")


#: PostgreSQL's ``insufficient_privilege``: the login may not do this (create a table, drop another's).
INSUFFICIENT_PRIVILEGE = "42501"
#: PostgreSQL's ``untranslatable_character``: a character the database's own encoding cannot hold.
UNTRANSLATABLE = "22P05"


def storage_error(error: sa_exc.DBAPIError) -> StorageError:
    return driver_error(error.orig if error.orig is not None else error)


def insufficient_privilege(error: sa_exc.DBAPIError) -> bool:
    return getattr(error.orig, "sqlstate", None) == INSUFFICIENT_PRIVILEGE


def driver_error(error: BaseException) -> StorageError:
    """The driver's error (or SQLAlchemy's without one) as a :class:`StorageError` (see :func:`refused`)."""
    if getattr(error, "sqlstate", None) == UNTRANSLATABLE:  # by its code: the server's text may be translated
        return StorageError(reason="encoding")
    return refused(str(error))


def refused(message: str) -> StorageError:
    """The database's refusal as a :class:`StorageError` with a reason a person can act on."""
    lowered = message.lower()
    if "full" in lowered or "no space" in lowered:
        reason = "disk_full"
    elif "disk i/o" in lowered or "file too large" in lowered:
        reason = "disk_io"
    elif "locked" in lowered or "lock timeout" in lowered or "busy" in lowered:
        reason = "locked"
    elif "unable to open" in lowered:  # SQLite: the file, its WAL or its folder is not this login's to open
        reason = "no_permission"
    elif "connect" in lowered or "could not" in lowered:
        reason = "unreachable"
    elif "readonly" in lowered or "read-only" in lowered:
        reason = "read_only"
    else:
        reason = "database"
    return StorageError(reason=reason)
