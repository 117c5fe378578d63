"""Writing files the command line produces: whole or not at all."""

from __future__ import annotations

import contextlib
from pathlib import Path


def write_text(path: Path, text: str) -> None:
    """Write ``text`` through a ``.part`` file renamed when complete: no half-written file is left
    behind (a full disk, a missing folder, a read-only place give ``FileUnusable``)."""
    from ledger.adapters.archive_reader import file_error

    partial = path.with_name(path.name + ".part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)
    except OSError as error:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise file_error(path, error) from None
