"""Writing files the command line produces: whole or not at all."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path


def write_text(path: Path, text: str) -> None:
    """Write ``text`` through a ``.part`` file renamed when complete: no half-written file is left
    behind (a full disk, a missing folder, a read-only place give ``FileUnusable``)."""
    write_with(path, lambda partial: partial.write_text(text, encoding="utf-8"))


def write_with(path: Path | str, write: Callable[[Path], object]) -> None:
    """Let ``write`` fill a ``.part`` file beside ``path`` (a workbook's ``save``, a figure's ``savefig``),
    then rename it into place: whole or not at all, and an error a person can act on."""
    from ledger.adapters.archive_reader import file_error

    path = Path(path)
    if not path.name or not path.name.strip():  # "" or a folder's "." or "..": no file to write
        from ledger.domain.errors import InputError

        raise InputError(field="--out", reason="required")
    partial = path.with_name(path.name + ".part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write(partial)
        partial.replace(path)
    except OSError as error:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise file_error(path, error) from None
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise
