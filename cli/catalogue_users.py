"""Catalogue part: users, roles, access control and training stores, ``key -> (svenska, english)``
(merged into ``ledger.cli.i18n``)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # -- commands -------------------------------------------------------------------------------------
    "cmd.init": (
        ("Gör databasen redo: dess tabeller, och den som kör kommandot blir första administratör "
         "(PostgreSQL: databasinloggningen, SQLite: datorns inloggning). Med --training blir det en "
         "övningsdatabas, där --as och LEDGER_NOW får användas. På PostgreSQL, kört av databasens ägare, "
         "får ledgerns inloggningar bara lägga till och läsa händelser och åtkomstlogg.\n\n"
         "Exempel: ledger init"),
        ("Make the store ready: its tables, and whoever runs this becomes the first administrator "
         "(PostgreSQL: the database login, SQLite: the computer's login). With --training it is a training "
         "store, where --as and LEDGER_NOW may be used. On PostgreSQL, run by the database's owner, the "
         "ledger's logins may only add and read events and the access log.\n\nExample: ledger init"),
    ),
    "grp.user": ("Användare och roller.\n\nExempel: ledger user add anna.l --role handläggare",
                 "Users and roles.\n\nExample: ledger user add anna.l --role handläggare"),
    "cmd.user.add": (
        ("Lägg till en användare med en eller flera roller: handläggare, arbetsledare, ekonom, statistiker, "
         "granskare, administratör. På PostgreSQL ska användaren också ha en inloggning (docs/deployment.md)."
         "\n\nExempel: ledger user add anna.l --role handläggare"),
        ("Add a user with one or more roles: handläggare (case worker), arbetsledare (manager), ekonom "
         "(economist), statistiker (statistician), granskare (auditor), administratör (administrator). On "
         "PostgreSQL the user needs a login too (docs/deployment.md).\n\nExample: ledger user add anna.l --role handläggare"),
    ),
    "cmd.user.role": ("Ge en användare andra roller (de ersätter de gamla).\n\n"
                      "Exempel: ledger user role anna.l --role arbetsledare",
                      "Give a user other roles (they replace the old ones).\n\n"
                      "Example: ledger user role anna.l --role arbetsledare"),
    "cmd.user.end": ("Avsluta en användare (det hon registrerat står kvar som hennes).\n\nExempel: ledger user end anna.l",
                     "End a user (what they recorded stays theirs).\n\nExample: ledger user end anna.l"),
    "cmd.user.list": ("Lista användarna och deras roller.\n\nExempel: ledger user list",
                      "List the users and their roles.\n\nExample: ledger user list"),
    "cmd.case.assign": ("Gör en handläggare ansvarig för ärendet (tidigare ansvariga står kvar i historiken).\n\n"
                        "Exempel: ledger case assign AVH-2026-0001 --to anna.l",
                        "Make a case worker responsible for the case (earlier ones stay in the history).\n\n"
                        "Example: ledger case assign AVH-2026-0001 --to anna.l"),
    "cmd.case.protect": (
        ("Ändra personens skyddade personuppgifter (gäller alla hennes ärenden): ingen, sekretessmarkering, "
         "skyddad_folkbokföring, fingerade_personuppgifter. Att sänka skyddet får bara en arbetsledare göra.\n\n"
         "Exempel: ledger case protect AVH-2026-0001 --level skyddad_folkbokföring"),
        ("Change the person's protected identity (all their cases): none, sekretessmarkering, "
         "skyddad_folkbokföring, fingerade_personuppgifter. Only a manager may lower it.\n\n"
         "Example: ledger case protect AVH-2026-0001 --level skyddad_folkbokföring"),
    ),
    "cmd.case.grant_access": (
        ("Ge en användare åtkomst till ett ärende med skyddade personuppgifter, till och med ett datum.\n\n"
         "Exempel: ledger case grant-access AVH-2026-0001 --to nils.e --until 2026-12-31 --reason 'fakturor'"),
        ("Give a user access to a case with a protected identity, up to and including a date.\n\n"
         "Example: ledger case grant-access AVH-2026-0001 --to nils.e --until 2026-12-31 --reason 'invoices'"),
    ),
    # -- options --------------------------------------------------------------------------------------
    "users.arg.name": ("Användarnamn (som inloggningen), t.ex. anna.l.", "User name (as the login), e.g. anna.l."),
    "users.opt.role": ("Roll (kan ges flera gånger).", "Role (may be given several times)."),
    "users.opt.init_role": ("Fler roller för den som gör databasen redo (utöver administratör).",
                            "More roles for whoever makes the store ready (besides administrator)."),
    "users.opt.training": ("En övningsdatabas (--as och LEDGER_NOW tillåtna, varje vy märks).",
                           "A training store (--as and LEDGER_NOW allowed, every view marked)."),
    "opt.mine": ("Bara ärenden där jag är ansvarig handläggare.", "Only cases I am responsible for."),
    "opt.assign_to": ("Användaren som blir ansvarig.", "The user who becomes responsible."),
    "opt.protect_level": ("Skyddsnivå: {choices}.", "Level: {choices}."),
    "opt.grant_to": ("Användaren som får åtkomst.", "The user given access."),
    "opt.grant_until": ("Till och med datum, ÅÅÅÅ-MM-DD.", "Up to and including, YYYY-MM-DD."),
    "opt.grant_reason": ("Varför (sparas skyddat).", "Why (kept as personal data)."),
    "opt.sign": ("Signera huvudet med denna Ed25519-nyckel (PEM), förvarad utanför databasen.",
                 "Sign the head with this Ed25519 key (PEM), kept outside the database."),
    "opt.public_key": ("Kontrollera digestfilens signaturer med denna publika nyckel (PEM).",
                       "Check the digest file's signatures with this public key (PEM)."),
    "access.opt.denied": ("Visa bara nekade försök.", "Only refused attempts."),
    # -- answers --------------------------------------------------------------------------------------
    "done.init": ("Databasen är redo. {user} är administratör. Nyckelfil: {key_file} (spara en kopia säkert).",
                  "The store is ready. {user} is its administrator. Key file: {key_file} (keep a copy safe)."),
    "done.init_training": ("Övningsdatabasen är redo. {user} är administratör. Nyckelfil: {key_file}.",
                           "The training store is ready. {user} is its administrator. Key file: {key_file}."),
    "done.init_again": ("Databasen var redan redo; rättigheterna är satta på nytt ({role}).",
                        "The store was ready already; the rights are set again ({role})."),
    "done.read_side_remade": ("Läsmodellernas tabeller är gjorda på nytt och ägarens; de byggs upp från händelserna "
                              "vid nästa användning.",
                              "The read models' tables are made again, the owner's; they are rebuilt from the events "
                              "on next use."),
    "done.user_added": ("Användaren {name} är tillagd.", "User {name} added."),
    "done.user_roles": ("{name} har fått nya roller.", "{name} has new roles."),
    "done.user_ended": ("Användaren {name} är avslutad.", "User {name} ended."),
    "what.assigned": ("ansvarig handläggare", "responsible case worker"),
    "what.protected": ("skyddade personuppgifter", "protected identity"),
    "what.access_granted": ("åtkomst", "access"),
    "title.users": ("Användare", "Users"),
    "users.col.user": ("Användare", "User"),
    "users.col.roles": ("Roller", "Roles"),
    "users.col.active": ("Aktiv", "Active"),
    "col.assigned_to": ("Ansvarig", "Responsible"),
    "label.assigned_to": ("Ansvarig handläggare", "Responsible case worker"),
    "role.case_worker": ("handläggare", "case worker"),
    "role.manager": ("arbetsledare", "manager"),
    "role.economist": ("ekonom", "economist"),
    "role.statistician": ("statistiker", "statistician"),
    "role.auditor": ("granskare", "auditor"),
    "role.admin": ("administratör", "administrator"),
    "label.ledger_role": ("Ledgerns databasroll", "The ledger's database role"),
    "label.user": ("Du är", "You are"),
    "training.banner": ("Övningsdatabas: inga riktiga ärenden.", "Training store: no real cases."),
    "verify.signatures_ok": ("Digestfilens signaturer stämmer med den publika nyckeln ({count} st).",
                             "The digest file's signatures match the public key ({count})."),
    "verify.access_ok": ("Åtkomstloggens kedja är obruten: {count} poster (huvud {hash}).",
                         "The access log's chain is intact: {count} entries (head {hash})."),
    "verify.access_broken": ("Åtkomstloggen håller inte vid post {position}: {reason}.",
                             "The access log does not hold at entry {position}: {reason}."),
    "reason.access_missing": ("posten saknas (raderad)", "the entry is missing (deleted)"),
    "reason.access_altered": ("posten är ändrad eller flyttad", "the entry was changed or moved"),
    "reason.access_digest_mismatch": ("loggen bygger inte vidare på ett tidigare digest",
                                      "the log does not extend an earlier digest"),
    "reason.access_truncated": ("loggen är kortare än ett tidigare digest", "the log is shorter than an earlier digest"),
    "reason.signature": ("signaturen stämmer inte med den publika nyckeln", "the signature does not match the public key"),
    "reason.not_signed": ("digestet är inte signerat", "the digest is not signed"),
    "reason.not_a_key": ("inte en Ed25519-nyckel i PEM-format", "not an Ed25519 key in PEM format"),
    "reason.user_name": ("användarnamn: bara a–z, 0–9 och . _ @ -", "user names: only a-z, 0-9 and . _ @ -"),
    "reason.no_logins": ("databasen har inga inloggningar", "the database has no logins"),
    "reason.no_ledger_role": ("ledgerns databasroll finns inte och ägaren får inte skapa roller: be "
                              "databasadministratören skapa den och ge den till ägaren (docs/deployment.md)",
                              "the ledger's database role does not exist and the owner may not create roles: ask "
                              "the database administrator to create it and grant it to the owner "
                              "(docs/deployment.md)"),
    "reason.not_owner": ("bara databasens ägare kan sätta rättigheterna (se docs/deployment.md)",
                         "only the database's owner can set the rights (see docs/deployment.md)"),
    "reason.author_check_taken": ("en annan inloggning än ägarens har redan gjort en funktion "
                                  "ledger_check_authors: be databasadministratören ta bort den och kör ledger init "
                                  "igen (docs/deployment.md)",
                                  "a login other than the owner has already made a function ledger_check_authors: "
                                  "ask the database administrator to drop it and run ledger init again "
                                  "(docs/deployment.md)"),
    "reason.needs_init": ("den här versionen av ledger behöver tabeller som bara databasens ägare kan göra: "
                          "ägaren kör ledger init först (docs/deployment.md)",
                          "this version of the ledger needs tables that only the database's owner can make: the "
                          "owner runs ledger init first (docs/deployment.md)"),
    "reason.foreign_objects": ("databasen har funktioner, typer, tabeller, utlösare eller regler som en annan "
                               "inloggning än ägarens har gjort: databasadministratören granskar och tar bort dem "
                               "(frågorna står i docs/deployment.md), kör ledger verify och sedan ledger init igen",
                               "the database holds functions, types, tables, triggers or rules that a login other "
                               "than the owner's made: the database administrator looks at them and drops them (the "
                               "queries are in docs/deployment.md), runs ledger verify, then ledger init again"),
    "reason.database_open": ("andra inloggningar än ägarens får skapa scheman i databasen: databasadministratören "
                             "tar bort den rätten (REVOKE CREATE ON DATABASE … FROM …, se docs/deployment.md)",
                             "logins other than the owner's may create schemas in the database: the database "
                             "administrator revokes that right (REVOKE CREATE ON DATABASE … FROM …, see "
                             "docs/deployment.md)"),
    "reason.schema_open": ("andra inloggningar än ägarens får skapa objekt i ett schema som ledger söker i "
                           "(search_path): databasadministratören tar bort den rätten (REVOKE CREATE ON SCHEMA "
                           "… FROM PUBLIC, se docs/deployment.md)",
                           "logins other than the owner's may create objects in a schema on the ledger's search "
                           "path: the database administrator revokes that right (REVOKE CREATE ON SCHEMA … FROM "
                           "PUBLIC, see docs/deployment.md)"),
    "rule.training_store_has_events": ("en databas som redan har händelser kan bara bli en riktig databas "
                                       "(ledger init), aldrig en övningsdatabas",
                                       "a store that has events already can only become a real store (ledger init), "
                                       "never a training store"),
    "rule.record_anew": ("en tilldelning eller åtkomst rättas inte; en arbetsledare registrerar en ny",
                         "an assignment or access grant is not corrected; a manager records a new one"),
    "rule.own_roles": ("ingen ändrar sina egna roller; en annan administratör gör det",
                       "nobody changes their own roles; another administrator does"),
    "rule.grant_too_long": ("åtkomst ges för högst ett år i taget", "access is given for at most a year at a time"),
    "rule.not_case_worker": ("är inte handläggare eller arbetsledare", "is not a case worker or manager"),
    "rule.last_admin": ("den sista administratören kan inte tas bort", "the last administrator cannot be removed"),
    "rule.already_assigned": ("är redan ansvarig", "is responsible already"),
    "rule.protected_identity_share": ("uppgifter om en person med skyddade personuppgifter lämnas aldrig till "
                                      "anhöriga", "a protected person's data is never shared with relatives"),
    "rule.protection_unchanged": ("skyddet är redan det", "the protection is that already"),
    "kind.user": ("användare", "user"),
    "kind.ledger": ("databasen", "the store"),
    # -- refusals -------------------------------------------------------------------------------------
    "access_denied": ("Nekad: {action} kräver rollen {roles}{why}. Nekandet är loggat.",
                      "Refused: {action} needs the role {roles}{why}. The refusal is logged."),
    "or": (" eller ", " or "),
    "not_found_case": ("Ärendet {ref} finns inte eller du saknar behörighet. Sök med ledger case list eller "
                       "ledger case find.",
                       "Case {ref} does not exist or you may not see it. Search with ledger case list or ledger case "
                       "find."),
    "access.why.no_role": (" (ingen av dina roller ger det)", " (none of your roles allows it)"),
    "access.why.no_user": (" (du är inte användare i ledgern — be administratören: ledger user add)",
                           " (you are not a user of the ledger — ask the administrator: ledger user add)"),
    "access.why.money_entry": (" för att rätta en utbetalning, återföring eller ett statsbidrag",
                               " to correct a payment, reversal or state grant"),
    "access.why.case_entry": (" för att rätta en anteckning i ärendet", " to correct an entry of the case"),
    "access.why.lower_protection": (" för att sänka skyddet", " to lower the protection"),
    "training_only": ("{option} får bara användas på en övningsdatabas (ledger init --training); här är det "
                      "inloggningen som avgör vem du är.",
                      "{option} may only be used on a training store (ledger init --training); here your login "
                      "says who you are."),
    "store_not_initialised": ("Databasen är inte redo: kör ledger init (eller ledger init --training för övning).",
                              "The store is not ready: run ledger init (or ledger init --training to practise)."),
}
