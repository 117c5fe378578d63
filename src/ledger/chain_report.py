"""The verification result as the supervision file shows it (glue over :mod:`ledger.chain`)."""

from __future__ import annotations

from typing import Any


def verification_summary(app: Any) -> dict[str, Any]:
    """``{"ok", "events", "position", "problem", "digest"}`` for the ledger's store: the whole chain
    recomputed now; ``digest`` is the verified head's line (what ``ledger digest`` prints)."""
    from ledger.chain import verify_store

    report = verify_store(app.store)
    problem = report.problem
    return {
        "ok": report.ok,
        "events": report.events,
        "position": problem.position if problem else None,
        "problem": problem.kind if problem else None,
        "digest": report.head.line(),
    }
