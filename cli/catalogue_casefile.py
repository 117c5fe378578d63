"""Catalogue part: the case file a social worker works from — the journal, decisions that hold,
the investigation and plan, the person register, documents; ``key -> (svenska, english)``."""

from __future__ import annotations

#: Every event's name as a person reads it (journal, register extract, documents).
EVENTS: dict[str, tuple[str, str]] = {
    "PersonRegistered": ("person registrerad", "person registered"),
    "ProtectionLevelChanged": ("skyddade personuppgifter ändrade", "protected identity changed"),
    "PersonCaseOpened": ("ärende kopplat till personen", "case linked to the person"),
    "PersonErased": ("gallrad", "thinned out"),
    "CaseNumberAllocated": ("ärendenummer", "case number"),
    "CaseActualised": ("aktualisering", "actualisation"),
    "ContactRecorded": ("kontakt", "contact"),
    "ConsentGranted": ("samtycke", "consent"),
    "ConsentRevoked": ("återkallat samtycke", "consent revoked"),
    "PreliminaryAssessmentMade": ("förhandsbedömning", "preliminary assessment"),
    "InvestigationOpened": ("utredning inledd", "investigation opened"),
    "InvestigationCompleted": ("utredning avslutad", "investigation completed"),
    "PlanSet": ("genomförandeplan", "implementation plan"),
    "ThreatAssessmentReceived": ("hotbildsbedömning", "threat assessment"),
    "DecisionRecorded": ("beslut", "decision"),
    "DecisionStatusChanged": ("beslutets status", "decision status"),
    "DecisionAppealed": ("överklagande", "appeal"),
    "CourtRuled": ("domstolens avgörande", "court ruling"),
    "PlacementStarted": ("placering", "placement"),
    "PlacementExtended": ("förlängd placering", "placement extended"),
    "PlacementEnded": ("avslutad placering", "placement ended"),
    "ServiceStarted": ("öppen insats", "service"),
    "ServiceEnded": ("avslutad öppen insats", "service ended"),
    "PaymentRecorded": ("utbetalning", "payment"),
    "PaymentReversed": ("återföring", "reversal"),
    "StateGrantApplied": ("ansökan om statsbidrag", "state grant application"),
    "StateGrantDecided": ("beslut om statsbidrag", "state grant decision"),
    "FollowUpRecorded": ("uppföljning", "follow-up"),
    "InformationShared": ("utlämnande", "information shared"),
    "RelativeSupported": ("anhörigstöd", "relative supported"),
    "ChildInHouseholdNoted": ("barn i hushållet", "child in household"),
    "CaseClosed": ("ärendet avslutat", "case closed"),
    "JournalEntryAdded": ("journalanteckning", "journal entry"),
    "ObjectionNoted": ("invändning", "objection"),
    "CaseReopened": ("ärendet återöppnat", "case reopened"),
    "CaseAssigned": ("ansvarig handläggare", "responsible case worker"),
    "CaseAccessGranted": ("åtkomst", "access granted"),
    "EntryCorrected": ("rättelse", "correction"),
    "LedgerInitialised": ("databasen skapad", "store made"),
    "UserAdded": ("användare tillagd", "user added"),
    "UserRolesChanged": ("roller ändrade", "roles changed"),
    "UserEnded": ("användare avslutad", "user ended"),
    "GallringRulesSet": ("gallringsregler", "gallring rules"),
    "DecisionRulesSet": ("beslutsregler", "decision rules"),
    "ProviderRegistered": ("utförare registrerad", "provider registered"),
    "ProviderPermitVerified": ("tillstånd kontrollerat", "permit verified"),
    "BudgetSet": ("budget", "budget"),
    "BudgetAdjusted": ("budgetjustering", "budget adjusted"),
}

MESSAGES: dict[str, tuple[str, str]] = {
    **{f"event.{name}": text for name, text in EVENTS.items()},
    # -- commands -------------------------------------------------------------------------------------
    "cmd.case.find": ("Hitta en persons ärenden på identitetsnumret, i vilken form det än skrivs "
                      "(12 eller 10 siffror, med eller utan bindestreck).\n\nExempel: ledger case find 199201012383",
                      "Find a person's cases by the identity number, in whatever form it is written.\n\n"
                      "Example: ledger case find 199201012383"),
    "cmd.case.journal": ("Ärendets journal: varje anteckning, i ordning, med vem som skrev vad och när; sena "
                         "anteckningar markerade, rättelser under sin anteckning.\n\n"
                         "Exempel: ledger case journal AVH-2026-0001",
                         "The case's journal: every note, in order, with who wrote what and when; late entries "
                         "marked, corrections under their entry.\n\nExample: ledger case journal AVH-2026-0001"),
    "grp.journal": ("Journalen: anteckningar och den enskildes invändningar.\n\n"
                    "Exempel: ledger journal add AVH-2026-0001 'Samtal om boende' --kind samtal",
                    "The journal: notes and the person's objections.\n\n"
                    "Example: ledger journal add AVH-2026-0001 'Talk about housing' --kind samtal"),
    "cmd.journal.add": ("Skriv en journalanteckning.\n\nExempel: ledger journal add AVH-2026-0001 'Samtal om "
                        "boende' --kind samtal",
                        "Write a journal entry.\n\nExample: ledger journal add AVH-2026-0001 'Talk about housing' "
                        "--kind samtal"),
    "cmd.journal.object": ("Notera den enskildes invändning mot en anteckning (anteckningen ändras inte).\n\n"
                           "Exempel: ledger journal object AVH-2026-0001 3 'Jag sa inte det'",
                           "Note the person's objection to an entry (the entry is not changed).\n\n"
                           "Example: ledger journal object AVH-2026-0001 3 'I did not say that'"),
    "grp.plan": ("Genomförandeplanen.\n\nExempel: ledger plan set AVH-2026-0001 --goal 'Eget boende'",
                 "The implementation plan.\n\nExample: ledger plan set AVH-2026-0001 --goal 'Own housing'"),
    "cmd.plan.set": ("Sätt genomförandeplanens mål (numreras 1, 2, …; en ny plan ersätter den förra).\n\n"
                     "Exempel: ledger plan set AVH-2026-0001 --goal 'Eget boende' --goal 'Arbete eller studier'",
                     "Set the implementation plan's goals (numbered 1, 2, …; a new plan replaces the last).\n\n"
                     "Example: ledger plan set AVH-2026-0001 --goal 'Own housing' --goal 'Work or studies'"),
    "cmd.decision.appeal": ("Registrera att beslutet har överklagats.\n\n"
                            "Exempel: ledger decision appeal AVH-2026-0001 D1 --date 2026-04-10",
                            "Record that the decision was appealed.\n\n"
                            "Example: ledger decision appeal AVH-2026-0001 D1 --date 2026-04-10"),
    "cmd.decision.court": ("Registrera förvaltningsrättens avgörande: bifall, avslag eller delvis.\n\n"
                           "Exempel: ledger decision court AVH-2026-0001 D1 --outcome avslag --date 2026-06-01",
                           "Record the administrative court's ruling: bifall, avslag or delvis.\n\n"
                           "Example: ledger decision court AVH-2026-0001 D1 --outcome avslag --date 2026-06-01"),
    "cmd.settings.decisions": (
        ("Beslutsreglerna: lagrummen ett beslut väljs ur (SFS 2025:400 numrerade om) och delegationen (vilka "
         "roller som får besluta vilken insats).\n\nExempel: ledger settings decisions --legal-ground "
         "'SoL 4 kap. 1 §' --delegate protected_housing=arbetsledare"),
        ("The decision rules: the legal grounds a decision is chosen from (SFS 2025:400 renumbered them) and the "
         "delegation (which roles may decide which intervention).\n\nExample: ledger settings decisions "
         "--legal-ground 'SoL 4 kap. 1 §' --delegate protected_housing=arbetsledare"),
    ),
    # -- options --------------------------------------------------------------------------------------
    "opt.person": ("Bara personens ärenden (identitetsnummer i valfri form).",
                   "Only the person's cases (identity number in any form)."),
    "arg.journal_text": ("Anteckningen (personuppgift).", "The note (personal data)."),
    "opt.journal_kind": ("Slag: {choices}.", "Kind: {choices}."),
    "opt.goal": ("Ett mål (kan ges flera gånger).", "A goal (may be given several times)."),
    "opt.goal_outcome": ("Målets utfall, t.ex. 1=uppnått, 2=delvis, 3=inte (kan ges flera gånger).",
                         "A goal's outcome, e.g. 1=uppnått, 2=delvis, 3=inte (may be given several times)."),
    "opt.motivation": ("Motivering (krävs vid avslag och delvis bifall; personuppgift).",
                       "Motivation (required for a refusal or partial grant; personal data)."),
    "opt.legal_ground": ("Lagrum, ur enhetens lista (ledger settings show).", "Legal ground, from the unit's list."),
    "opt.decided_by": ("Beslutsfattare enligt delegationen (standard: den som registrerar).",
                       "Decision-maker under the delegation (default: who records)."),
    "opt.communicated_on": ("Datum då underlaget kommunicerades, ÅÅÅÅ-MM-DD.", "Date of communication, YYYY-MM-DD."),
    "opt.notified_on": ("Datum då beslutet delgavs, ÅÅÅÅ-MM-DD.", "Date of notification, YYYY-MM-DD."),
    "opt.court_outcome": ("Domstolens avgörande: {choices}.", "The ruling: {choices}."),
    "opt.motivated": ("Är personen motiverad att lämna? ja/nej.", "Is the person motivated to leave? ja/nej."),
    "opt.consent_given": ("Har personen samtyckt? ja/nej.", "Has the person consented? ja/nej."),
    "opt.serious_crime": ("Misstänkt för allvarlig brottslighet? ja/nej.", "Suspected of serious crime? ja/nej."),
    "opt.assessment_motivation": ("Bedömningens motivering (personuppgift).", "The assessment's reasoning."),
    "opt.background": ("Bakgrund (personuppgift).", "Background (personal data)."),
    "opt.wishes": ("Personens egna önskemål (personuppgift).", "The person's own wishes (personal data)."),
    "opt.investigation_assessment": ("Bedömning (personuppgift).", "Assessment (personal data)."),
    "opt.proposal": ("Förslag till beslut (personuppgift).", "Proposed decision (personal data)."),
    "opt.legal_grounds": ("Ett lagrum i listan (kan ges flera gånger; ersätter listan).",
                          "A legal ground (may be given several times; replaces the list)."),
    "opt.delegate": ("Delegation: insats=roll[,roll] (kan ges flera gånger; ersätter delegationen).",
                     "Delegation: intervention=role[,role] (may be given several times; replaces it)."),
    # -- answers and labels ---------------------------------------------------------------------------
    "what.journal": ("journalanteckning", "journal entry"),
    "what.objection": ("invändning", "objection"),
    "what.plan": ("genomförandeplan", "implementation plan"),
    "what.decision_appealed": ("överklagande", "appeal"),
    "what.court_ruled": ("domstolens avgörande", "court ruling"),
    "settings.legal_grounds": ("Lagrum att välja bland: {grounds}.", "Legal grounds to choose from: {grounds}."),
    "settings.delegation": ("Delegation: {intervention} beslutas av {roles}.", "Delegation: {intervention} is decided by {roles}."),
    "done.decision_rules": ("Beslutsreglerna är ändrade.", "The decision rules were changed."),
    "title.decisions": ("Beslut", "Decisions"),
    "title.plan": ("Genomförandeplan {id} ({date})", "Implementation plan {id} ({date})"),
    "title.services": ("Öppna insatser", "Services"),
    "title.followups": ("Uppföljning", "Follow-up"),
    "title.found": ("Personens ärenden", "The person's cases"),
    "title.journal": ("Journal – {case}", "Journal – {case}"),
    "col.outcome": ("Utfall", "Outcome"),
    "col.decided_on": ("Beslutat", "Decided"),
    "col.period": ("Period", "Period"),
    "col.decided_by": ("Beslutsfattare", "Decided by"),
    "col.kind": ("Slag", "Kind"),
    "col.text": ("Anteckning", "Note"),
    "label.person": ("Person", "Person"),
    "label.review_on": ("omprövas", "review"),
    "label.investigation": ("Utredning", "Investigation"),
    "label.journal": ("Journalanteckningar", "Journal entries"),
    "label.motivated": ("motiverad", "motivated"),
    "label.consent_given": ("samtycke", "consent"),
    "label.serious_crime_suspected": ("misstänkt för allvarlig brottslighet", "suspected of serious crime"),
    "label.assessment": ("Förhandsbedömning", "Preliminary assessment"),
    "label.latest_payment": ("Senaste utbetalning", "Latest payment"),
    "label.appealed": ("överklagat", "appealed"),
    "label.court": ("domstol", "court"),
    "label.thinned": ("gallrat", "thinned out"),
    "label.unknown": ("okänt", "unknown"),
    "label.followups": ("Uppföljningar", "Follow-ups"),
    "col.date": ("Datum", "Date"),
    "col.time_point": ("Tidpunkt", "Time point"),
    "col.housing": ("Boende", "Housing"),
    "col.occupation": ("Sysselsättning", "Occupation"),
    "col.goals": ("Mål", "Goals"),
    "label.about_entry": ("om anteckning {entry}", "on entry {entry}"),
    "label.late_days": ("{days} dagar sent", "{days} days late"),
    "label.corrected_in": ("rättad i {entry}", "corrected in {entry}"),
    "label.was": ("var", "was"),
    "status.open": ("öppet", "open"),
    "status.closed": ("avslutat", "closed"),
    "status.thinned": ("gallrat", "thinned out"),
    "investigation.none": ("ingen", "none"),
    "investigation.open": ("pågår", "open"),
    "investigation.completed": ("avslutad", "completed"),
    "journal.note": ("anteckning", "note"),
    "journal.objection": ("invändning", "objection"),
    "rule.person_has_open_case": ("personen har redan ett öppet ärende", "the person has an open case already"),
    "rule.opened_in_error": ("ärendet lades upp felaktigt och öppnas inte igen; aktualisera ett nytt",
                             "the case was opened in error and is not reopened; open a new one"),
    "rule.motivation_required": ("ett avslag eller delvis bifall måste motiveras (--motivation)",
                                 "a refusal or partial grant must be motivated (--motivation)"),
    "rule.already_appealed": ("beslutet är redan överklagat", "the decision is appealed already"),
    "rule.not_appealed": ("beslutet är inte överklagat", "the decision is not appealed"),
    "access.why.delegation": (" enligt delegationen för den insatsen", " under the delegation for that intervention"),
    "reason.required_for_reserve": ("krävs för reservnummer", "required for a reserve number"),
    "kind.goal": ("mål", "goal"),
    "kind.investigation": ("utredning", "investigation"),
    "grp.document": ("Dokument att skicka och arkivera: beslut och utredning.\n\n"
                     "Exempel: ledger document beslut AVH-2026-0001 D1 --out beslut.html",
                     "Documents to send and file: the decision letter and the investigation.\n\n"
                     "Example: ledger document beslut AVH-2026-0001 D1 --out beslut.html"),
    "cmd.document.beslut": ("Beslutsbrevet: beslutet, motiveringen, lagrummet, beslutsfattaren och hur man "
                            "överklagar. Utskrivbart (A4). Läsningen loggas.\n\n"
                            "Exempel: ledger document beslut AVH-2026-0001 D1 --out beslut.html",
                            "The decision letter: the decision, its motivation, legal ground, decision-maker and "
                            "how to appeal. Printable (A4). The read is logged.\n\n"
                            "Example: ledger document beslut AVH-2026-0001 D1 --out beslut.html"),
    "cmd.document.utredning": ("Utredningen som dokument: bakgrund, personens önskemål, bedömning och förslag. "
                               "Utskrivbar (A4). Läsningen loggas.\n\n"
                               "Exempel: ledger document utredning AVH-2026-0001 --out utredning.html",
                               "The investigation as a document: background, the person's wishes, assessment and "
                               "proposal. Printable (A4). The read is logged.\n\n"
                               "Example: ledger document utredning AVH-2026-0001 --out utredning.html"),
    "opt.document_out": ("HTML-filen att skriva.", "The HTML file to write."),
    "done.document": ("Dokumentet är skrivet till {file}.", "The document was written to {file}."),
    "document.sub": ("{municipality} · Ärende {case} · {at}", "{municipality} · Case {case} · {at}"),
    "document.unit": ("Socialtjänsten", "Social services"),
    "document.footer": ("Upprättat ur avhopparledgern. Handlingen innehåller personuppgifter och omfattas av "
                        "sekretess enligt offentlighets- och sekretesslagen.",
                        "Produced from the defector case ledger. Contains personal data, confidential under the "
                        "Public Access to Information and Secrecy Act."),
    "document.title.decision": ("Beslut {id}", "Decision {id}"),
    "document.title.investigation": ("Utredning", "Investigation"),
    "document.h.decision": ("Beslut", "Decision"),
    "document.h.motivation": ("Motivering", "Motivation"),
    "document.h.appeal": ("Hur man överklagar", "How to appeal"),
    "document.h.facts": ("Uppgifter i ärendet", "About the case"),
    "document.h.background": ("Bakgrund", "Background"),
    "document.h.wishes": ("Den enskildes egna önskemål", "The person's own wishes"),
    "document.h.assessment": ("Bedömning", "Assessment"),
    "document.h.proposal": ("Förslag till beslut", "Proposed decision"),
    "document.h.plan": ("Genomförandeplanens mål", "The implementation plan's goals"),
    "document.to": ("Till (personnummer)", "To (identity number)"),
    "document.person": ("Person (personnummer)", "Person (identity number)"),
    "document.decision": ("Beslut", "Decision"),
    "document.legal_ground": ("Lagrum", "Legal ground"),
    "document.decided_by": ("Beslutsfattare och datum", "Decided by, on"),
    "document.communicated": ("Kommunicerat", "Communicated"),
    "document.notified": ("Delgivet", "Notified"),
    "document.until_further": ("tills vidare", "until further notice"),
    "document.no_motivation": ("Beslutet innebär bifall till ansökan.", "The decision grants the application."),
    "document.appealed": ("Beslutet överklagades {on}.", "The decision was appealed on {on}."),
    "document.court": ("Förvaltningsrättens avgörande {on}: {outcome}.", "The administrative court ruled on {on}: {outcome}."),
    "document.three_weeks": ("tre veckor från den dag du fick del av beslutet",
                             "three weeks from the day you were notified of the decision"),
    "document.appeal_text": (
        "Om du inte är nöjd med beslutet kan du överklaga det hos förvaltningsrätten. Skriv vilket beslut du "
        "överklagar och vilken ändring du vill ha, och skicka skrivelsen till {municipality}, som fattade "
        "beslutet. Överklagandet ska ha kommit in inom {weeks} veckor från den dag du fick del av beslutet "
        "(senast {by}). Behöver du hjälp med att överklaga kan du vända dig till din handläggare.",
        "If you are not satisfied with the decision you may appeal it to the administrative court. Write which "
        "decision you appeal and what change you want, and send it to {municipality}, which made the decision. "
        "The appeal must have arrived within {weeks} weeks of the day you were notified of the decision (by {by}). "
        "Your case worker can help you appeal."),
    "document.actualised": ("Aktualiserat", "Actualised"),
    "document.environment": ("Miljö", "Environment"),
    "document.investigation_period": ("Utredningstid", "Investigation"),
    "document.ongoing": ("pågår", "ongoing"),
    "attention.condition_no_assessment": ("beviljat utan förhandsbedömning", "granted without an assessment"),
    "attention.condition_motivation": ("beviljat utan bedömd motivation", "granted without motivation assessed"),
    "attention.condition_consent": ("beviljat utan samtycke", "granted without consent"),
    "attention.condition_serious_crime": ("beviljat utan kontroll av misstanke om allvarlig brottslighet",
                                          "granted without the serious-crime check"),
}
