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
    # -- options and arguments ------------------------------------------------------------------------
    "opt.digest_file": (
        "Fil med ett eller flera huvuden från ledger digest; liggaren måste bygga vidare på varje.",
        "File with one or more heads from ledger digest; the ledger must extend each of them.",
    ),
    "opt.archive_file": (
        "Kontrollera en arkivfil från ledger export i stället för databasen (ingen databas öppnas).",
        "Check an archive file from ledger export instead of the database (no database is opened).",
    ),
    "opt.export_out": ("Arkivfil att skriva (JSON Lines).", "Archive file to write (JSON Lines)."),
    "arg.archive": ("Arkivfil från ledger export.", "Archive file from ledger export."),
    # -- results ------------------------------------------------------------------------------------------
    "verify.ok": (
        "Kedjan är obruten: {events} händelser, huvud på position {position} ({hash}).",
        "The chain is intact: {events} events, head at position {position} ({hash}).",
    ),
    "verify.archive_ok": (
        "Arkivets kedja är obruten: {events} händelser, huvud på position {position} ({hash}).",
        "The archive's chain is intact: {events} events, head at position {position} ({hash}).",
    ),
    "verify.digest_ok": (
        "Bygger vidare på huvudet på position {position} ({hash}).",
        "Extends the head at position {position} ({hash}).",
    ),
    "verify.backfilled": (
        ("Obs: händelserna på position {first}–{through} fanns före kedjan och kedjades i efterhand {at}; "
         "kedjan visar att de inte ändrats sedan dess, inte före."),
        ("Note: the events at positions {first}-{through} existed before the chain and were chained afterwards "
         "on {at}; the chain shows they did not change since then, not before."),
    ),
    "verify.chained_at": (
        "Händelsen på position {position} hör hemma på position {chained_at}.",
        "The event at position {position} belongs at position {chained_at}.",
    ),
    "verify.last_matching": (
        "Senaste huvud som stämmer: position {position}; historiken har skrivits om efter den.",
        "Last head that matches: position {position}; the history was rewritten after it.",
    ),
    "verify.snapshot_altered": (
        ("Ögonblicksbilden av {stream} vid version {version} stämmer inte med händelserna: den har ändrats. "
         "Händelserna och kedjan är oförändrade; ögonblicksbilder är härledda och kan tas bort "
         "(alla rader i ledger_snapshots), de tas då på nytt."),
        ("The snapshot of {stream} at version {version} does not match its events: it was altered. "
         "The events and the chain are unchanged; snapshots are derived and can be deleted "
         "(every row of ledger_snapshots), they are then taken again."),
    ),
    "done.exported": (
        "Exporterade {events} händelser till {file} (huvud: position {position}, {hash}).",
        "Exported {events} events to {file} (head: position {position}, {hash}).",
    ),
    "done.imported": (
        ("Importerade {events} händelser från {file} (huvud: position {position}, {hash}). "
         "Projektionerna byggs upp vid nästa användning."),
        ("Imported {events} events from {file} (head: position {position}, {hash}). "
         "The projections are rebuilt on next use."),
    ),
    # -- errors -------------------------------------------------------------------------------------------
    "chain_broken": (
        "Hashkedjan är bruten vid position {position}: {reason}.",
        "The hash chain is broken at position {position}: {reason}.",
    ),
    "digest_invalid": (
        "Filen med huvuden kan inte läsas: {reason} (rad {line}).",
        "The file of heads cannot be read: {reason} (line {line}).",
    ),
    "archive_invalid": (
        "Arkivfilen kan inte läsas: {reason} (rad {line}).",
        "The archive file cannot be read: {reason} (line {line}).",
    ),
    "file_unusable": ("Filen {file} kan inte användas: {reason}.", "The file {file} cannot be used: {reason}."),
    "store_missing": (
        "Databasen {db} finns inte; ange en befintlig liggare med --db eller LEDGER_DB, eller skapa en med "
        "ledger init.",
        "The database {db} does not exist; name an existing ledger with --db or LEDGER_DB, or make one with "
        "ledger init.",
    ),
    "store_not_empty": (
        "Liggaren är inte tom ({events} händelser); ett arkiv kan bara importeras till en tom liggare.",
        "The ledger is not empty ({events} events); an archive can only be imported into an empty ledger.",
    ),
    # what is wrong at a position (ledger.chain.KINDS)
    "reason.event_missing": ("händelsen saknas", "the event is missing"),
    "reason.chain_missing": ("händelsens länk i kedjan saknas", "the event's link in the chain is missing"),
    "reason.out_of_order": ("händelsen har flyttats från sin plats", "the event was moved from its place"),
    "reason.payload_altered": ("händelsens innehåll har ändrats", "the event's content was altered"),
    "reason.link_altered": (
        "länken stämmer inte med sin händelse eller med föregående länk (ändrad)",
        "the link does not match its event or the previous link (altered)",
    ),
    "reason.unexpected_entry": ("en rad på en position som inte kan finnas", "a row at a position that cannot exist"),
    "reason.digest_mismatch": (
        "liggaren bygger inte vidare på det sparade huvudet",
        "the ledger does not extend the saved head",
    ),
    "reason.snapshot_altered": (
        "en ögonblicksbild stämmer inte med händelserna (ändrad)",
        "a snapshot does not match its events (altered)",
    ),
    "reason.truncated": (
        "slutet saknas (kortare än huvudet anger)",
        "its end is missing (shorter than the head says)",
    ),
    # files and formats
    "reason.version": ("okänd version", "unknown version"),
    "reason.empty": ("filen är tom", "the file is empty"),
    "reason.not_utf8": ("inte UTF-8", "not UTF-8"),
    "reason.not_json": ("raden är inte JSON", "the line is not JSON"),
    "reason.not_archive": ("inte ett arkiv från ledger export", "not an archive from ledger export"),
    "reason.meta": ("inställningarna i första raden är felaktiga", "the settings in the first line are malformed"),
    "reason.trailer": ("slutraden är felaktig", "the last line is malformed"),
    "reason.after_trailer": ("det finns rader efter slutraden", "there are lines after the last line"),
    "reason.event_type": ("okänd händelsetyp", "unknown event type"),
    "reason.payload": (
        "händelsens innehåll kan inte läsas som sin händelsetyp",
        "the event's content cannot be read as its event type",
    ),
    "reason.field": ("ett fält saknas eller har fel typ", "a field is missing or has the wrong type"),
    "reason.not_found": ("filen finns inte", "the file does not exist"),
    "reason.permission": ("behörighet saknas", "permission denied"),
    "reason.is_directory": ("det är en katalog", "it is a directory"),
    "reason.io": ("in- eller utmatningsfel", "input/output error"),
    "reason.chain_format": ("kedjan har ett okänt format (från en nyare version?)",
                            "the chain has an unknown format (from a newer version?)"),
}
