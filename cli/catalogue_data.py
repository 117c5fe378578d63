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
    "cmd.gallring": (
        ("Gallring: vilka personers uppgifter som ska gallras (fem år efter sista anteckningen, senast vid "
         "utgången av året därpå, SoL 12 kap. 1 §) och vilka som sparas och varför (forskningsundantaget för den "
         "som är född den 5, 15 eller 25, ett överklagat beslut, ett nyare ärende). Utan --execute visas bara "
         "planen. Med --execute förstörs de gallrade personernas nycklar: deras uppgifter kan aldrig mer läsas, "
         "statistiken står kvar. På PostgreSQL körs --execute av databasens ägare.\n\n"
         "Exempel: ledger gallring --dry-run --as-of 2031-12-31"),
        ("Gallring (thinning out): whose records are due (five years after the last entry, by the end of the "
         "year after, SoL 12:1) and who is kept and why (the research exemption for people born on the 5th, 15th "
         "or 25th, a decision under appeal, a newer case). Without --execute only the plan is shown. With "
         "--execute the due people's keys are destroyed: their data can never be read again, the statistics "
         "stay. On PostgreSQL --execute is run by the database's owner.\n\n"
         "Example: ledger gallring --dry-run --as-of 2031-12-31"),
    ),
    "grp.settings": ("Inställningar som kan ändras med lagen, t.ex. gallringsreglerna.\n\nExempel: ledger settings show",
                     "Settings that may change with the law, e.g. the gallring rules.\n\nExample: ledger settings show"),
    "cmd.settings.show": ("Visa inställningarna.\n\nExempel: ledger settings show",
                          "Show the settings.\n\nExample: ledger settings show"),
    "cmd.settings.gallring": (
        ("Ändra gallringsreglerna (en händelse: vem ändrade vad, och när, står i historiken).\n\n"
         "Exempel: ledger settings gallring --retention-years 5 --exempt-days 5,15,25"),
        ("Change the gallring rules (an event: who changed what, and when, is in the history).\n\n"
         "Example: ledger settings gallring --retention-years 5 --exempt-days 5,15,25"),
    ),
    "opt.dry_run": ("Visa bara planen (standard).", "Only show the plan (the default)."),
    "opt.execute": ("Gallra nu: förstör de gallrade personernas nycklar.", "Thin out now: destroy the due people's keys."),
    "opt.gallring_as_of": ("Planera som om det vore detta datum, ÅÅÅÅ-MM-DD.", "Plan as of this date, YYYY-MM-DD."),
    "opt.retention_years": ("Antal år efter sista anteckningen.", "Years after the last entry."),
    "opt.exempt_days": ("Födelsedagar som undantas för forskning, t.ex. 5,15,25 (tomt: inga).",
                        "Days of birth kept for research, e.g. 5,15,25 (empty: none)."),
    "opt.deadline": ("Senast: end_of_following_year (vid utgången av året därpå) eller at_due_date.",
                     "Deadline: end_of_following_year or at_due_date."),
    "gallring.rules": ("Regler: {years} år efter sista anteckningen, forskningsundantag för födda dag {days}, "
                       "senast {deadline}. Per {as_of}.",
                       "Rules: {years} years after the last entry, research exemption for those born on day {days}, "
                       "deadline {deadline}. As of {as_of}."),
    "gallring.deadline.end_of_following_year": ("vid utgången av året därpå", "by the end of the following year"),
    "gallring.deadline.at_due_date": ("samma dag", "on the due date"),
    "gallring.title": ("Gallring", "Gallring"),
    "gallring.col.person": ("Person", "Person"),
    "gallring.col.case": ("Ärende", "Case"),
    "gallring.col.last_entry": ("Sista anteckning", "Last entry"),
    "gallring.col.due_on": ("Gallras från", "Due from"),
    "gallring.col.deadline": ("Senast", "Deadline"),
    "gallring.col.outcome": ("Utfall", "Outcome"),
    "gallring.goes": ("gallras", "thinned out"),
    "gallring.kept.not_due": ("inte dags än", "not due yet"),
    "gallring.kept.case_open": ("ärendet är öppet", "the case is open"),
    "gallring.kept.open_appeal": ("ett beslut är överklagat", "a decision is under appeal"),
    "gallring.kept.research_exemption": ("forskningsundantaget (född den 5, 15 eller 25)",
                                         "the research exemption (born on the 5th, 15th or 25th)"),
    "gallring.kept.birth_day_unknown": ("födelsedagen är okänd (reservnummer)", "the day of birth is unknown"),
    "gallring.kept.newer_case": ("ett annat ärende för personen sparas", "another case of the person is kept"),
    "gallring.summary": ("{due} personer gallras, {kept} sparas.", "{due} people are thinned out, {kept} kept."),
    "gallring.executed": ("Gallrat: {people} personer, {keys} nycklar förstörda. Filerna rensade: {purged}.",
                          "Thinned out: {people} people, {keys} keys destroyed. Files cleaned: {purged}."),
    "done.gallring_rules": ("Gallringsreglerna är ändrade ({years} år).", "The gallring rules were changed ({years} years)."),
    "reason.alone": ("--execute används ensamt (dagens datum)", "--execute is used alone (today)"),
    "kind.erasure": ("gallring", "erasure"),
    "cmd.registerutdrag": (
        ("Registerutdrag: allt ledgern har om en person i alla hennes ärenden — anteckningar, beslut, samtycken "
         "med mottagare och syfte, varje utlämnande och på vilken grund, planerad gallring och vilka som har läst "
         "ärendena. Läsningen loggas.\n\nExempel: ledger registerutdrag 199201012383 --out utdrag.html"),
        ("Register extract: everything the ledger holds about a person across their cases — notes, decisions, "
         "consents with recipient and purpose, every sharing and on which ground, the planned gallring and who "
         "read the cases. The read is logged.\n\nExample: ledger registerutdrag 199201012383 --out utdrag.html"),
    ),
    "opt.extract_out": ("HTML-filen att skriva (utskrivbar).", "The HTML file to write (printable)."),
    "done.extract": ("Registerutdraget ({cases} ärenden) är skrivet till {file}.",
                     "The register extract ({cases} cases) was written to {file}."),
    "extract.title": ("Registerutdrag", "Register extract"),
    "extract.sub": ("Framställt {at} (svensk tid) av {by}. Allt som finns registrerat om personen i "
                    "avhopparärenden.",
                    "Produced {at} (Swedish time) by {by}. Everything registered about the person in defector cases."),
    "extract.h.person": ("Personen", "The person"),
    "extract.h.case": ("Ärende {case}", "Case {case}"),
    "extract.case_facts": ("Status: {status}. Aktualiserat {opened}, avslutat {closed}. Ansvarig handläggare: {assigned}.",
                           "Status: {status}. Opened {opened}, closed {closed}. Responsible case worker: {assigned}."),
    "extract.h.entries": ("Anteckningar", "Entries"),
    "extract.h.decisions": ("Beslut", "Decisions"),
    "extract.h.consents": ("Samtycken", "Consents"),
    "extract.h.sharings": ("Utlämnade uppgifter", "Information shared"),
    "extract.h.reads": ("Vem som har läst ärendet", "Who read the case"),
    "extract.col.entry": ("Nr", "No."),
    "extract.col.occurred": ("Hände", "Occurred"),
    "extract.col.recorded": ("Registrerat (svensk tid)", "Recorded (Swedish time)"),
    "extract.col.type": ("Vad", "What"),
    "extract.col.content": ("Innehåll", "Content"),
    "extract.col.id": ("Id", "Id"),
    "extract.col.outcome": ("Utfall", "Outcome"),
    "extract.col.intervention": ("Insats", "Intervention"),
    "extract.col.period": ("Period", "Period"),
    "extract.col.status": ("Status", "Status"),
    "extract.col.recipient": ("Mottagare", "Recipient"),
    "extract.col.purpose": ("Syfte", "Purpose"),
    "extract.col.granted": ("Lämnat", "Given"),
    "extract.col.valid_until": ("Gäller till", "Valid until"),
    "extract.col.date": ("Datum", "Date"),
    "extract.col.what": ("Uppgift", "Information"),
    "extract.col.ground": ("Grund", "Ground"),
    "extract.by_consent": ("samtycke", "consent"),
    "extract.identity": ("Identitetsnummer", "Identity number"),
    "extract.gender": ("Kön", "Gender"),
    "extract.birth_year": ("Födelseår", "Year of birth"),
    "extract.protection": ("Skyddade personuppgifter", "Protected identity"),
    "extract.gallring": ("Gallring", "Gallring"),
    "extract.gallring_on": ("planerad från {planned}, senast {deadline} (sparas: {kept})",
                            "planned from {planned}, by {deadline} at the latest (kept: {kept})"),
    "extract.thinned": ("Personens uppgifter gallrades {on} (ärenden {cases}); de finns inte längre att läsa.",
                        "The person's records were thinned out on {on} (cases {cases}); they can no longer be read."),
    "extract.footer": ("Utdraget är framställt ur avhopparledgern. Personnummer i fritext om andra personer är maskerade.",
                       "Produced from the defector case ledger. Identity numbers of others in free text are masked."),
    "arg.identity": ("Personnummer, samordningsnummer eller reservnummer.", "Personnummer, samordningsnummer or reserve number."),
    "kind.person": ("person", "person"),
    "not_found_person": ("Personen finns inte i ledgern eller du saknar behörighet.",
                         "The person is not in the ledger, or you may not see them."),
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
    "case.thinned": ("Ärende {case} är gallrat ({on}): personens uppgifter finns inte längre att läsa. "
                     "Statistiken och budgeten är kvar.",
                     "Case {case} was thinned out ({on}): the person's data can no longer be read. "
                     "Statistics and budget remain."),
    "kind.encryption": ("kryptering", "encryption"),
    "reason.case_without_person": ("ärendet saknar person", "the case has no person"),
    "reason.data_key_missing": ("personens datanyckel saknas", "the person's data key is missing"),
}
