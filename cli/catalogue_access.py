"""Catalogue part: messages of the access commands, ``key -> (svenska, english)`` (merged into ``ledger.cli.i18n``)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "cmd.access_log": (
        "Visa loggen över vem som läst vilka ärenden (för loggkontroll).\n\nExempel: ledger access-log --since 2026-11-01",
        "Show the log of who read which cases (for log review).\n\nExample: ledger access-log --since 2026-11-01",
    ),
}
