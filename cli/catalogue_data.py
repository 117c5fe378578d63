"""Catalogue part: keys, encryption, gallring and the register extract, ``key -> (svenska, english)``
(merged into ``ledger.cli.i18n``)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # -- commands -------------------------------------------------------------------------------------
    "cmd.migrate": (
        ("Kryptera en databas som skrevs innan personuppgifter krypterades, en gång, av databasens ägare: en ny "
         "nyckelfil, varje persons uppgifter förseglade med hennes nyckel, kedjan beräknad på nytt (det gamla och "
         "det nya huvudet sparas). Ta ett digest och en export först.\n\nExempel: ledger migrate --encrypt"),
        ("Encrypt a store written before personal data was encrypted, once, by the database's owner: a new key "
         "file, every person's data sealed with their key, the chain computed anew (the old and new heads are "
         "kept). Take a digest and an export first.\n\nExample: ledger migrate --encrypt"),
    ),
    "opt.passphrase_file": ("Fil med arkivets lösenfras (första raden, minst 12 tecken; annars "
                            "LEDGER_PASSPHRASE_FILE, annars frågar ledger). Arkivets datanycklar låses med den; "
                            "förvara den inte med arkivet.",
                            "File holding the archive's passphrase (first line, at least 12 characters; else "
                            "LEDGER_PASSPHRASE_FILE, else ledger asks). The archive's data keys are locked with it; "
                            "do not keep it with the archive."),
    "prompt.passphrase": ("Arkivets lösenfras", "The archive's passphrase"),
    "opt.encrypt": ("Kryptera personuppgifterna på plats.", "Encrypt the personal data in place."),
    "done.migrated": ("Krypterad: {events} händelser, {people} personer. Nyckelfil: {key_file} (spara en kopia "
                      "säkert). Kedjan räknades om från position {old}; nytt huvud {hash}.",
                      "Encrypted: {events} events, {people} people. Key file: {key_file} (keep a copy safe). "
                      "The chain was computed anew from position {old}; new head {hash}."),
    # -- refusals -------------------------------------------------------------------------------------
    "key_unavailable": ("Personuppgifterna kan inte läsas eller skrivas: {reason} ({file}). Statistik, budget och "
                        "verify fungerar utan nyckel.",
                        "Personal data cannot be read or written: {reason} ({file}). Statistics, budget and verify "
                        "work without a key."),
    "reason.key_missing": ("nyckelfilen saknas", "the key file is missing"),
    "reason.key_mismatch": ("nyckelfilen hör inte till den här databasen", "the key file is not this store's"),
    "reason.key_format": ("filen är ingen nyckelfil", "the file is not a key file"),
    "reason.key_unreadable": ("nyckelfilen kan inte läsas", "the key file cannot be read"),
    "reason.key_exists": ("det finns redan en nyckelfil där, och den skrivs aldrig över",
                        "a key file is there already, and it is never overwritten"),
    "reason.key_unwritable": ("nyckelfilen kan inte skapas", "the key file cannot be created"),
    "person_thinned": ("Uppgifterna är gallrade {on}: personens nyckel är förstörd och uppgifterna kan inte läsas.",
                       "The data was thinned out on {on}: the person's key is destroyed and the data cannot be read."),
    "seal_broken": ("Förseglade personuppgifter ({ref}) går inte att öppna fast nyckeln är rätt: de har ändrats. "
                    "Kör ledger verify.",
                    "Sealed personal data ({ref}) does not open although the key is right: it was altered. "
                    "Run ledger verify."),
    "store_not_encrypted": ("Databasen skrevs innan personuppgifter krypterades och används inte som den är: kör "
                            "ledger migrate --encrypt (se docs/data-protection.md).",
                            "The store was written before personal data was encrypted and is not used as it is: "
                            "run ledger migrate --encrypt (see docs/data-protection.md)."),
    "passphrase_required": ("Arkivets nycklar är låsta med en lösenfras: {reason}.",
                            "The archive's keys are locked with a passphrase: {reason}."),
    "reason.passphrase_missing": ("ange den med --passphrase-file", "give it with --passphrase-file"),
    "reason.passphrase_wrong": ("fel lösenfras", "wrong passphrase"),
    "reason.passphrase_short": ("lösenfrasen måste ha minst 12 tecken", "the passphrase needs at least 12 characters"),
    "reason.no_login": ("datorns inloggning kan inte avgöras", "the computer's login cannot be told"),
    "kind.encryption": ("kryptering", "encryption"),
    "reason.case_without_person": ("ärendet saknar person", "the case has no person"),
    "reason.data_key_missing": ("personens datanyckel saknas", "the person's data key is missing"),
}
