"""Catalogue part: messages of the chain commands, ``key -> (svenska, english)`` (merged into ``ledger.cli.i18n``)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "cmd.verify": (
        "Kontrollera att inget sparat har ändrats (hashkedjan).\n\nExempel: ledger verify --digest huvud.txt",
        "Check that nothing stored has been altered (the hash chain).\n\nExample: ledger verify --digest head.txt",
    ),
    "cmd.digest": (
        "Skriv ut kedjans huvud (position och hash) att förvara utanför systemet.\n\nExempel: ledger digest > huvud.txt",
        "Print the chain's head (position and hash) to keep outside the system.\n\nExample: ledger digest > head.txt",
    ),
    "cmd.export": (
        "Exportera hela liggaren med kedjan som arkiv (JSON Lines).\n\nExempel: ledger export --out arkiv.jsonl",
        "Export the whole ledger with its chain as an archive (JSON Lines).\n\nExample: ledger export --out archive.jsonl",
    ),
    "cmd.import": (
        "Importera ett arkiv till en tom liggare.\n\nExempel: ledger import arkiv.jsonl",
        "Import an archive into an empty ledger.\n\nExample: ledger import archive.jsonl",
    ),
}
