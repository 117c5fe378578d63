"""Catalogue part: messages of the supervision commands, ``key -> (svenska, english)`` (merged into ``ledger.cli.i18n``)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "grp.audit": (
        "Granskning av samtycken och utlämnanden.\n\nExempel: ledger audit consent AVH-2026-0001",
        "Audit of consents and sharing.\n\nExample: ledger audit consent AVH-2026-0001",
    ),
    "grp.tillsyn": (
        "Underlag för tillsyn (IVO, egen kontroll).\n\nExempel: ledger tillsyn export AVH-2026-0001 --out akt.html",
        "Material for supervision (IVO, internal control).\n\nExample: ledger tillsyn export AVH-2026-0001 --out file.html",
    ),
    "cmd.history": (
        "Visa ärendets tidslinje: när det hände, när det dokumenterades, av vem.\n\nExempel: ledger history AVH-2026-0001 --as-of 2026-06-30",
        "Show the case's timeline: when it happened, when it was documented, by whom.\n\nExample: ledger history AVH-2026-0001 --as-of 2026-06-30",
    ),
    "cmd.correct": (
        "Rätta en anteckning i ärendet med en ny händelse (originalet finns kvar).\n\nExempel: ledger correct AVH-2026-0001 7 --reason 'fel datum' --set date=2026-03-02",
        "Correct an entry of the case with a new event (the original stays).\n\nExample: ledger correct AVH-2026-0001 7 --reason 'wrong date' --set date=2026-03-02",
    ),
}
