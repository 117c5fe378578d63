"""Catalogue part: messages of the access commands, ``key -> (svenska, english)`` (merged into ``ledger.cli.i18n``)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "cmd.access_log": (
        ("Visa loggen över vem som läst vilka ärenden, äldst först (för loggkontroll). Läsningar av ärenden med "
         "skyddad identitet markeras. Datum är lokala och inklusive.\n\n"
         "Exempel: ledger access-log --since 2026-10-01 --until 2026-10-31"),
        ("Show the log of who read which cases, oldest first (for log review). Reads of cases with a protected "
         "identity are marked. Dates are local and inclusive.\n\n"
         "Example: ledger access-log --since 2026-10-01 --until 2026-10-31"),
    ),
    "access.arg.case": ("Visa bara läsningar av detta ärende, t.ex. AVH-2026-0001.",
                        "Only reads of this case, e.g. AVH-2026-0001."),
    "access.opt.user": ("Visa bara läsningar gjorda av denna användare.", "Only reads by this user."),
    "access.opt.since": ("Från och med datum, ÅÅÅÅ-MM-DD.", "From this date, YYYY-MM-DD (inclusive)."),
    "access.opt.until": ("Till och med datum, ÅÅÅÅ-MM-DD.", "Up to this date, YYYY-MM-DD (inclusive)."),
    "access.opt.protected": ("Visa bara läsningar av ärenden med skyddad identitet.",
                             "Only reads of cases with a protected identity."),
    "access.title": ("Åtkomstlogg", "Access log"),
    "access.col.accessed_at": ("Tid (svensk tid)", "Time (Swedish time)"),
    "access.col.user": ("Användare", "User"),
    "access.col.case": ("Ärende", "Case"),
    "access.col.command": ("Kommando", "Command"),
    "access.col.protected": ("Skyddad identitet", "Protected identity"),
    "access.protected": ("JA – {level}", "YES – {level}"),
    "access.summary": ("Antal poster: {count}, varav {protected} om ärenden med skyddad identitet och {denied} nekade.",
                       "Entries: {count}, {protected} of them on cases with a protected identity, {denied} refused."),
    "access.col.outcome": ("Utfall", "Outcome"),
    "access.outcome.read": ("läst", "read"),
    "access.outcome.denied": ("nekad", "refused"),
    "access.none": ("Inga läsningar i loggen för det urvalet.", "No reads in the log for that selection."),
}
