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
    "cmd.audit.consent": (
        "Granska varje utlämnande mot samtycket (eller den rättsliga grunden) som gällde då, och visa problem: "
        "utlämnande efter återkallelse, efter att samtycket löpt ut, eller med ett samtycke som dokumenterades först efteråt.\n\n"
        "Exempel: ledger audit consent --all",
        "Check every sharing against the consent (or legal ground) that covered it at that moment, and show problems: "
        "sharing after revocation, after the consent expired, or with a consent documented only afterwards.\n\n"
        "Example: ledger audit consent --all",
    ),
    "arg.case_or_all": ("Ärendenummer (eller --all för alla ärenden).", "Case number (or --all for every case)."),
    "arg.entry": ("Anteckningens nummer i ärendet (se ledger history).", "The entry's number in the case (see ledger history)."),
    "opt.all_cases": ("Alla ärenden.", "Every case."),
    "opt.as_of": (
        "Läget på detta datum (ÅÅÅÅ-MM-DD), enligt allt som nu är känt (även sena anteckningar).",
        "The state on this date (YYYY-MM-DD), by all that is known now (late entries included).",
    ),
    "opt.recorded_before": (
        "Akten så som den såg ut vid denna tidpunkt: endast det som registrerats före "
        "(ÅÅÅÅ-MM-DD eller ÅÅÅÅ-MM-DDTHH:MM, svensk tid om ingen tidszon anges).",
        "The file as it looked at this moment: only what was recorded before it "
        "(YYYY-MM-DD or YYYY-MM-DDTHH:MM, Swedish time unless an offset is given).",
    ),
    "opt.late_after": (
        "Markera anteckningar som dokumenterats mer än så här många dagar efter händelsen (standard 14 eller LEDGER_LATE_DAYS).",
        "Mark entries documented more than this many days after the event (default 14 or LEDGER_LATE_DAYS).",
    ),
    "opt.correction_reason": ("Varför rättelsen görs (krävs; visas i historiken).", "Why the correction is made (required; shown in the history)."),
    "opt.set": (
        "Nytt värde, FÄLT=VÄRDE; kan upprepas. Fältnamn som i --json (t.ex. amount, date, valid_until). Tomt värde tar bort ett valfritt värde.",
        "New value, FIELD=VALUE; may be repeated. Field names as in --json (e.g. amount, date, valid_until). An empty value clears an optional one.",
    ),
    "done.corrected": (
        "Anteckning {entry} i {case} rättad (rättelsen är anteckning {new}).",
        "Entry {entry} of {case} corrected (the correction is entry {new}).",
    ),
    "col.recorded_local": ("Registrerad (svensk tid)", "Recorded (Swedish time)"),
    "col.days_late": ("Dagar sen", "Days late"),
    "col.covered_by": ("Stöd", "Covered by"),
    "label.as_of": ("per {date}", "as of {date}"),
    "label.recorded_before": ("som registrerat före {moment}", "as recorded before {moment}"),
    "label.reason": ("skäl", "reason"),
    "label.corrected": ("rättad", "corrected"),
    "label.correction_line": ("i anteckning {entry}: {changes} (skäl: {reason})", "in entry {entry}: {changes} (reason: {reason})"),
    "label.history_summary": (
        "{entries} anteckningar, {late} dokumenterade mer än {days} dagar sent (markerade med !), {corrected} rättade.",
        "{entries} entries, {late} documented more than {days} days late (marked !), {corrected} corrected.",
    ),
    "label.legal_basis": ("rättslig grund: {basis}", "legal ground: {basis}"),
    "label.consent_ref": ("samtycke i anteckning {entry} ({granted})", "consent in entry {entry} ({granted})"),
    "label.audit_summary": ("{sharings} utlämnanden granskade, {problems} problem.", "{sharings} sharings audited, {problems} problems."),
    "title.consent_audit": ("Granskning av samtycken", "Consent audit"),
    "audit.ok": ("ok", "ok"),
    "audit.legal_basis": ("rättslig grund", "legal ground"),
    "audit.shared_after_revocation": ("utlämnat efter återkallelse", "shared after revocation"),
    "audit.shared_after_expiry": ("utlämnat efter att samtycket löpt ut", "shared after the consent expired"),
    "audit.consent_recorded_after_sharing": ("samtycket dokumenterat först efter utlämnandet",
                                             "consent documented only after the sharing"),
    "audit.no_consent": ("inget samtycke", "no consent"),
    "what.corrected": ("rättelse", "correction"),
    "kind.entry": ("anteckning", "entry"),
    "reason.case_or_all": ("ange antingen ett ärendenummer eller --all", "give either a case number or --all"),
    "rule.correct_the_original": ("en rättelse rättas genom att rätta originalet igen",
                                  "a correction is corrected by correcting the original again"),
    "rule.no_such_field": ("anteckningen har inget sådant fält", "the entry has no such field"),
    "rule.fixed_field": ("fältet kan inte rättas (identitet, nummer eller registrering)",
                         "the field cannot be corrected (identity, number or recording)"),
    "rule.nothing_changes": ("rättelsen ändrar ingenting", "the correction changes nothing"),
    "rule.before_opening": ("anteckningen skulle hamna före aktualiseringen", "the entry would come before the case was opened"),
    "rule.date_order": ("ett slut skulle komma före sin början (period, placering, samtycke, återöppning)",
                        "an end would come before its start (period, placement, consent, reopening)"),
    "rule.reversed_more_than_paid": ("mer skulle vara återfört än utbetalt", "more would be reversed than paid"),
    "rule.history_inconsistent": ("ärendets historik skulle inte längre hänga ihop", "the case's history would no longer hold together"),
    "correction_refused": ("Rättelsen av anteckning {entry} i {case} vägras: {rule}.",
                           "The correction of entry {entry} of {case} is refused: {rule}."),
    "case_not_at_that_time": ("Ärende {case} fanns inte (ännu) vid den tidpunkten.", "Case {case} did not exist (yet) at that time."),
    "invalid_moment": ("Ogiltig tidpunkt i {field}: '{value}' (ange ÅÅÅÅ-MM-DD eller ÅÅÅÅ-MM-DDTHH:MM).",
                       "Invalid moment in {field}: '{value}' (give YYYY-MM-DD or YYYY-MM-DDTHH:MM)."),
    "cmd.tillsyn.export": (
        "Skriv ett fristående, utskrivbart HTML-underlag för tillsyn: tidslinjen med rättelser, samtyckesgranskningen, "
        "åtkomstloggen för ärendet, kontrollen av hashkedjan och dess huvud. Läsbart utan liggaren.\n\n"
        "Exempel: ledger tillsyn export AVH-2026-0001 --out tillsyn-AVH-2026-0001.html",
        "Write a self-contained, printable HTML file for supervision: the timeline with corrections, the consent audit, "
        "the case's access log, the hash-chain verification and its head. Readable without the ledger.\n\n"
        "Example: ledger tillsyn export AVH-2026-0001 --out tillsyn-AVH-2026-0001.html",
    ),
    "opt.tillsyn_out": ("HTML-fil att skriva (.html).", "HTML file to write (.html)."),
    "done.tillsyn": ("Tillsynsunderlag för {case} skrivet till {file}.", "Supervision file for {case} written to {file}."),
    "reason.html_only": ("filen måste sluta på .html", "the file must end in .html"),
    "tillsyn.title": ("Tillsynsunderlag – ärende {case}", "Supervision file – case {case}"),
    "tillsyn.sub": ("Framtaget {at} av {by} ur ärendeliggaren (version {version}).",
                    "Produced {at} by {by} from the case ledger (version {version})."),
    "tillsyn.h.case": ("Ärendet i dag", "The case today"),
    "tillsyn.h.timeline": ("Tidslinje med rättelser", "Timeline with corrections"),
    "tillsyn.h.consent": ("Samtycken och utlämnanden", "Consents and sharing"),
    "tillsyn.h.access": ("Vem har läst ärendet", "Who has read the case"),
    "tillsyn.h.verification": ("Kontroll av att inget ändrats", "Check that nothing was altered"),
    "tillsyn.protected": ("Skyddad identitet", "Protected identity"),
    "tillsyn.valid_until": ("Gäller till", "Valid until"),
    "tillsyn.correction": ("rättad i anteckning {entry}", "corrected in entry {entry}"),
    "tillsyn.access_intro": ("{count} läsningar av ärendet, äldst först (även denna export).",
                             "{count} reads of the case, oldest first (this export included)."),
    "tillsyn.accessed_at": ("Läst (svensk tid)", "Read (Swedish time)"),
    "tillsyn.command": ("Kommando", "Command"),
    "tillsyn.verified": ("Hashkedjan är obruten: alla {events} sparade händelser är oförändrade.",
                         "The hash chain is unbroken: all {events} stored events are unaltered."),
    "tillsyn.broken": ("Hashkedjan är bruten vid position {position}: {problem}.",
                       "The hash chain is broken at position {position}: {problem}."),
    "tillsyn.digest_intro": (
        "Kedjans huvud när underlaget togs fram. Spara raden; ledger verify --digest visar senare att liggaren "
        "fortfarande bygger vidare på den:",
        "The chain's head when this file was produced. Keep the line; ledger verify --digest later shows that the "
        "ledger still extends it:",
    ),
    "tillsyn.footer": (
        "Personnummer och anteckningar ingår inte i underlaget; det som liknar ett personnummer i annan fritext "
        "(skäl, rättslig grund) är maskerat. Tider i svensk tid. Rättelser ändrar aldrig originalet; båda visas.",
        "Identity numbers and notes are not part of this file; anything shaped like an identity number in other free "
        "text (reasons, legal grounds) is masked. Times in Swedish time. Corrections never change the original; both "
        "are shown.",
    ),
}
