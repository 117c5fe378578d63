"""All user-facing text of the command line, in Swedish (default) and English (``LEDGER_LANG=en``).

One catalogue: ``key -> (svenska, english)``. A test checks that every key used in the code
exists here and that both languages have every message.
"""

from __future__ import annotations

import os

LANG = "en" if os.environ.get("LEDGER_LANG", "sv").lower().startswith("en") else "sv"
EX_ID = "199201012383"  # Skatteverket test number, never a real person

CATALOGUE: dict[str, tuple[str, str]] = {
    # -- app and groups ------------------------------------------------------------------------
    "app.help": (
        "Ärendeliggaren för avhoppare: registrera varje steg i ett ärende som en oföränderlig händelse.\n\n"
        "Exempel: ledger case list",
        "The defector case ledger: record every step of a case as an immutable event.\n\nExample: ledger case list",
    ),
    "opt.db": ("Databas: filsökväg, sqlite:///… eller postgresql://… (eller LEDGER_DB).",
               "Database: file path, sqlite:///… or postgresql://… (or LEDGER_DB)."),
    "opt.as": ("Bara på en övningsdatabas: vem som registrerar (annars LEDGER_USER). En riktig databas tar "
               "inloggningen.",
               "Training stores only: who records (else LEDGER_USER). A real store takes the login."),
    "opt.date": ("Datum då det hände, ÅÅÅÅ-MM-DD (standard: i dag). Aldrig i framtiden.",
                 "Date it happened, YYYY-MM-DD (default: today). Never in the future."),
    "opt.note": ("Anteckning (personuppgift, visas inte i loggar).", "Note (personal data, never logged)."),
    "opt.json": ("Skriv ut som JSON med stabila engelska nycklar.", "Print JSON with stable English keys."),
    "arg.case": ("Ärendenummer, t.ex. AVH-2026-0001.", "Case number, e.g. AVH-2026-0001."),
    "grp.case": ("Ärenden: aktualisera, visa, lista, avsluta.\n\nExempel: ledger case list", "Cases: open, show, list, close.\n\nExample: ledger case list"),
    "grp.contact": ("Kontakter med den enskilde eller nätverket.\n\nExempel: ledger contact add AVH-2026-0001 --channel phone", "Contacts with the person or the network.\n\nExample: ledger contact add AVH-2026-0001 --channel phone"),
    "grp.consent": ("Samtycken per mottagare.\n\nExempel: ledger consent grant AVH-2026-0001 --recipient police --purpose samverkan", "Consents per recipient.\n\nExample: ledger consent grant AVH-2026-0001 --recipient police --purpose samverkan"),
    "grp.assessment": ("Förhandsbedömning.\n\nExempel: ledger assessment record AVH-2026-0001 --outcome investigate --reason needs_support", "Preliminary assessment.\n\nExample: ledger assessment record AVH-2026-0001 --outcome investigate --reason needs_support"),
    "grp.investigation": ("Utredning.\n\nExempel: ledger investigation open AVH-2026-0001", "Investigation.\n\nExample: ledger investigation open AVH-2026-0001"),
    "grp.threat": ("Polisens hotbildsbedömning (endast slutsatser).\n\nExempel: ledger threat record AVH-2026-0001 --unit noa --level high --protection-needed", "The Police's threat assessment (conclusions only).\n\nExample: ledger threat record AVH-2026-0001 --unit noa --level high --protection-needed"),
    "grp.decision": ("Beslut om insatser.\n\nExempel: ledger decision record AVH-2026-0001 --outcome granted --intervention hvb", "Decisions on interventions.\n\nExample: ledger decision record AVH-2026-0001 --outcome granted --intervention hvb"),
    "grp.placement": ("Placeringar (boende med dygnspris).\n\nExempel: ledger placement end AVH-2026-0001 P1", "Placements (housing at a daily price).\n\nExample: ledger placement end AVH-2026-0001 P1"),
    "grp.service": ("Öppna insatser (coach, program, kontaktperson …).\n\nExempel: ledger service end AVH-2026-0001 S1", "Non-residential interventions.\n\nExample: ledger service end AVH-2026-0001 S1"),
    "grp.payment": ("Utbetalningar och återföringar.\n\nExempel: ledger payment reverse AVH-2026-0001 B1", "Payments and reversals.\n\nExample: ledger payment reverse AVH-2026-0001 B1"),
    "grp.grant": ("Statsbidrag från Polisen.\n\nExempel: ledger grant decide AVH-2026-0001 --reference A-123/26 --outcome denied", "State grants from the Police.\n\nExample: ledger grant decide AVH-2026-0001 --reference A-123/26 --outcome denied"),
    "grp.followup": ("Uppföljning.\n\nExempel: ledger followup record AVH-2026-0001 --time-point closure --housing own --occupation work", "Follow-up.\n\nExample: ledger followup record AVH-2026-0001 --time-point closure --housing own --occupation work"),
    "grp.share": ("Uppgifter som lämnats ut.\n\nExempel: ledger share record AVH-2026-0001 --recipient police --what boendeort", "Information shared.\n\nExample: ledger share record AVH-2026-0001 --recipient police --what boendeort"),
    "grp.relative": ("Stöd till anhöriga.\n\nExempel: ledger relative add AVH-2026-0001 --relation parent", "Support to relatives.\n\nExample: ledger relative add AVH-2026-0001 --relation parent"),
    "grp.child": ("Barn i hushållet.\n\nExempel: ledger child add AVH-2026-0001", "Children in the household.\n\nExample: ledger child add AVH-2026-0001"),
    "grp.provider": ("Utförare.\n\nExempel: ledger provider add SKYDD1 --name 'Skyddat boende Nord AB'", "Providers.\n\nExample: ledger provider add SKYDD1 --name 'Skyddat boende Nord AB'"),
    "grp.budget": ("Budget per år.\n\nExempel: ledger budget set 2026 '7 025 000'", "Budget per year.\n\nExample: ledger budget set 2026 7025000"),
    # -- commands ----------------------------------------------------------------------------------
    "cmd.case.open": (
        "Aktualisera ett nytt ärende och skriv ut dess nummer.\n\n"
        f"Exempel: ledger case open {EX_ID} --gender man --environment criminal --source police",
        f"Open (actualise) a new case and print its number.\n\n"
        f"Example: ledger case open {EX_ID} --gender man --environment criminal --source police",
    ),
    "cmd.case.show": ("Visa ett ärendes nuvarande läge.\n\nExempel: ledger case show AVH-2026-0001 --json",
                      "Show a case's current state.\n\nExample: ledger case show AVH-2026-0001 --json"),
    "cmd.case.list": ("Lista ärenden.\n\nExempel: ledger case list --status open --needs-attention",
                      "List cases.\n\nExample: ledger case list --status open --needs-attention"),
    "cmd.case.log": ("Visa ärendets händelser, äldst först.\n\nExempel: ledger case log AVH-2026-0001",
                     "Show the case's events, oldest first.\n\nExample: ledger case log AVH-2026-0001"),
    "cmd.case.close": ("Avsluta ett ärende.\n\nExempel: ledger case close AVH-2026-0001 --reason goals_met",
                       "Close a case.\n\nExample: ledger case close AVH-2026-0001 --reason goals_met"),
    "cmd.case.reopen": ("Återöppna ett avslutat ärende.\n\nExempel: ledger case reopen AVH-2026-0001",
                        "Reopen a closed case.\n\nExample: ledger case reopen AVH-2026-0001"),
    "cmd.contact.add": ("Registrera en kontakt.\n\nExempel: ledger contact add AVH-2026-0001 --channel meeting",
                        "Record a contact.\n\nExample: ledger contact add AVH-2026-0001 --channel meeting"),
    "cmd.consent.grant": (
        "Registrera samtycke för en mottagare.\n\n"
        "Exempel: ledger consent grant AVH-2026-0001 --recipient police --purpose 'samverkan kring hotbild'",
        "Record consent for a recipient.\n\n"
        "Example: ledger consent grant AVH-2026-0001 --recipient police --purpose 'threat cooperation'",
    ),
    "cmd.consent.revoke": ("Registrera att ett samtycke återkallats.\n\n"
                           "Exempel: ledger consent revoke AVH-2026-0001 --recipient police",
                           "Record that a consent was revoked.\n\n"
                           "Example: ledger consent revoke AVH-2026-0001 --recipient police"),
    "cmd.assessment.record": (
        "Registrera förhandsbedömningen.\n\n"
        "Exempel: ledger assessment record AVH-2026-0001 --outcome investigate --reason needs_support",
        "Record the preliminary assessment.\n\n"
        "Example: ledger assessment record AVH-2026-0001 --outcome investigate --reason needs_support",
    ),
    "cmd.investigation.open": ("Inled utredning.\n\nExempel: ledger investigation open AVH-2026-0001",
                               "Open an investigation.\n\nExample: ledger investigation open AVH-2026-0001"),
    "cmd.investigation.complete": ("Avsluta utredningen.\n\nExempel: ledger investigation complete AVH-2026-0001",
                                   "Complete the investigation.\n\nExample: ledger investigation complete AVH-2026-0001"),
    "cmd.threat.record": (
        "Registrera slutsatserna av en hotbildsbedömning.\n\n"
        "Exempel: ledger threat record AVH-2026-0001 --unit noa --level high --protection-needed --criteria-met",
        "Record the conclusions of a threat assessment.\n\n"
        "Example: ledger threat record AVH-2026-0001 --unit noa --level high --protection-needed --criteria-met",
    ),
    "cmd.decision.record": (
        "Registrera ett beslut och skriv ut dess id.\n\n"
        "Exempel: ledger decision record AVH-2026-0001 --outcome granted --intervention protected_housing "
        "--from 2026-02-01 --to 2026-07-31 --daily-price '3 000'",
        "Record a decision and print its id.\n\n"
        "Example: ledger decision record AVH-2026-0001 --outcome granted --intervention protected_housing "
        "--from 2026-02-01 --to 2026-07-31 --daily-price 3000",
    ),
    "cmd.decision.status": ("Ändra ett besluts status (överklagat, upphävt, ersatt).\n\n"
                            "Exempel: ledger decision status AVH-2026-0001 D1 appealed",
                            "Change a decision's status (appealed, revoked, replaced).\n\n"
                            "Example: ledger decision status AVH-2026-0001 D1 appealed"),
    "cmd.placement.start": (
        "Påbörja en placering; kräver ett beviljat beslut om inte --urgent.\n\n"
        "Exempel: ledger placement start AVH-2026-0001 --provider SKYDD1 --intervention protected_housing "
        "--daily-price '3 000,00'",
        "Start a placement; needs a granted decision unless --urgent.\n\n"
        "Example: ledger placement start AVH-2026-0001 --provider SKYDD1 --intervention protected_housing "
        "--daily-price 3000",
    ),
    "cmd.placement.extend": ("Förläng en placering.\n\n"
                             "Exempel: ledger placement extend AVH-2026-0001 P1 --planned-end 2026-12-31",
                             "Extend a placement.\n\nExample: ledger placement extend AVH-2026-0001 P1 --planned-end 2026-12-31"),
    "cmd.placement.end": ("Avsluta en placering.\n\nExempel: ledger placement end AVH-2026-0001 P1 --reason planned",
                          "End a placement.\n\nExample: ledger placement end AVH-2026-0001 P1 --reason planned"),
    "cmd.service.start": (
        "Påbörja en öppen insats.\n\n"
        "Exempel: ledger service start AVH-2026-0001 --provider COACH1 --intervention defector_coach --price '12 000'",
        "Start a non-residential intervention.\n\n"
        "Example: ledger service start AVH-2026-0001 --provider COACH1 --intervention defector_coach --price 12000",
    ),
    "cmd.service.end": ("Avsluta en öppen insats.\n\nExempel: ledger service end AVH-2026-0001 S1",
                        "End a non-residential intervention.\n\nExample: ledger service end AVH-2026-0001 S1"),
    "cmd.payment.record": (
        "Registrera en utbetalning (betald faktura).\n\n"
        "Exempel: ledger payment record AVH-2026-0001 '89 550,00' --placement P1 --from 2026-02-01 --to 2026-02-28 "
        "--invoice F-1001",
        "Record a payment (a paid invoice).\n\n"
        "Example: ledger payment record AVH-2026-0001 89550.00 --placement P1 --from 2026-02-01 --to 2026-02-28 "
        "--invoice F-1001",
    ),
    "cmd.payment.reverse": ("Återför en utbetalning helt eller delvis.\n\n"
                            "Exempel: ledger payment reverse AVH-2026-0001 B1 --amount '3 000'",
                            "Reverse a payment in whole or in part.\n\n"
                            "Example: ledger payment reverse AVH-2026-0001 B1 --amount 3000"),
    "cmd.grant.apply": (
        "Registrera en ansökan om statsbidrag hos Polisen.\n\n"
        "Exempel: ledger grant apply AVH-2026-0001 --reference A-123/26 --amount '250 000' --from 2026-01-01 "
        "--to 2026-12-31",
        "Record an application to the Police for a state grant.\n\n"
        "Example: ledger grant apply AVH-2026-0001 --reference A-123/26 --amount 250000 --from 2026-01-01 "
        "--to 2026-12-31",
    ),
    "cmd.grant.decide": ("Registrera Polisens beslut om statsbidrag.\n\n"
                         "Exempel: ledger grant decide AVH-2026-0001 --reference A-123/26 --outcome granted --amount 200000",
                         "Record the Police's decision on a state grant.\n\n"
                         "Example: ledger grant decide AVH-2026-0001 --reference A-123/26 --outcome granted --amount 200000"),
    "cmd.followup.record": (
        "Registrera en uppföljning (tillåts även i avslutat ärende).\n\n"
        "Exempel: ledger followup record AVH-2026-0001 --time-point 12_months --housing own --occupation work",
        "Record a follow-up (allowed on a closed case too).\n\n"
        "Example: ledger followup record AVH-2026-0001 --time-point 12_months --housing own --occupation work",
    ),
    "cmd.share.record": (
        "Registrera att uppgifter lämnats ut; kräver giltigt samtycke eller --legal-basis.\n\n"
        "Exempel: ledger share record AVH-2026-0001 --recipient police --what 'aktuell boendeort'",
        "Record information shared; needs valid consent or --legal-basis.\n\n"
        "Example: ledger share record AVH-2026-0001 --recipient police --what 'current town'",
    ),
    "cmd.relative.add": ("Registrera stöd till en anhörig.\n\nExempel: ledger relative add AVH-2026-0001 --relation parent",
                         "Record support to a relative.\n\nExample: ledger relative add AVH-2026-0001 --relation parent"),
    "cmd.child.add": ("Notera ett barn i hushållet.\n\nExempel: ledger child add AVH-2026-0001 --birth-year 2019",
                      "Note a child in the household.\n\nExample: ledger child add AVH-2026-0001 --birth-year 2019"),
    "cmd.provider.add": ("Registrera en utförare med en kort kod.\n\n"
                         "Exempel: ledger provider add SKYDD1 --name 'Skyddat boende Nord AB'",
                         "Register a provider under a short code.\n\n"
                         "Example: ledger provider add SKYDD1 --name 'Protected Housing North Ltd'"),
    "cmd.provider.verify": ("Registrera att utförarens tillstånd hos IVO kontrollerats.\n\n"
                            "Exempel: ledger provider verify SKYDD1 --permit IVO-1234 --valid-until 2027-12-31",
                            "Record that the provider's IVO permit was checked.\n\n"
                            "Example: ledger provider verify SKYDD1 --permit IVO-1234 --valid-until 2027-12-31"),
    "cmd.budget.set": ("Sätt årets budget.\n\nExempel: ledger budget set 2026 '7 025 000'",
                       "Set the year's budget.\n\nExample: ledger budget set 2026 7025000"),
    "cmd.budget.adjust": ("Justera årets budget upp eller ned.\n\nExempel: ledger budget adjust 2026 -- -250000",
                          "Adjust the year's budget up or down.\n\nExample: ledger budget adjust 2026 -- -250000"),
    "cmd.info": ("Visa databas, antal händelser och projektionernas läge.\n\nExempel: ledger info",
                 "Show the database, event count and projection positions.\n\nExample: ledger info"),
    "cmd.demo": ("Fyll en databas med en påhittad kommun (endast Skatteverkets testpersonnummer).\n\n"
                 "Exempel: ledger --db demo.sqlite3 demo --cases 40 --seed 7",
                 "Fill a database with a synthetic municipality (Skatteverket test numbers only).\n\n"
                 "Example: ledger --db demo.sqlite3 demo --cases 40 --seed 7"),
    # -- options --------------------------------------------------------------------------------------
    "opt.identity": ("Personnummer, samordningsnummer eller reservnummer.", "Personal, coordination or reserve number."),
    "opt.identity_kind": ("Typ av nummer: {choices}.", "Kind of number: {choices}."),
    "opt.birth_year": ("Födelseår (krävs för reservnummer).", "Birth year (needed for reserve numbers)."),
    "opt.gender": ("Kön enligt den enskilde: {choices}.", "Gender as stated: {choices}."),
    "opt.environment": ("Miljö: {choices}.", "Environment: {choices}."),
    "opt.source": ("Källa: {choices}.", "Source: {choices}."),
    "opt.type": ("Aktualisering: {choices}.", "Actualisation: {choices}."),
    "opt.protection": ("Skyddade personuppgifter: {choices}. Ett nytt ärende för samma person får hennes starkaste skydd.", "Protected identity: {choices}. A new case for the same person gets their strongest protection."),
    "opt.channel": ("Kanal: {choices}.", "Channel: {choices}."),
    "opt.with_whom": ("Med vem (personuppgift).", "With whom (personal data)."),
    "opt.recipient": ("Mottagare: {choices}.", "Recipient: {choices}."),
    "opt.provider": ("Utförarens kod.", "The provider's code."),
    "opt.purpose": ("Syfte med samtycket.", "Purpose of the consent."),
    "opt.form": ("Form: {choices}.", "Form: {choices}."),
    "opt.valid_until": ("Gäller till och med, ÅÅÅÅ-MM-DD.", "Valid until, YYYY-MM-DD."),
    "opt.assessment_outcome": ("Utfall: {choices}.", "Outcome: {choices}."),
    "opt.assessment_reason": ("Skäl: {choices}.", "Reason: {choices}."),
    "opt.unit": ("Bedömande enhet: {choices}.", "Assessing unit: {choices}."),
    "opt.level": ("Hotnivå: {choices}.", "Threat level: {choices}."),
    "opt.protection_needed": ("Skyddsbehov finns.", "Protection is needed."),
    "opt.criteria_met": ("Kriterierna för avhopparverksamhet är uppfyllda.", "The defector criteria are met."),
    "opt.review_on": ("Datum för omprövning, ÅÅÅÅ-MM-DD.", "Review date, YYYY-MM-DD."),
    "opt.decision_outcome": ("Utfall: {choices}.", "Outcome: {choices}."),
    "opt.intervention": ("Insats: {choices}.", "Intervention: {choices}."),
    "opt.from": ("Från och med, ÅÅÅÅ-MM-DD.", "From, YYYY-MM-DD."),
    "opt.to": ("Till och med, ÅÅÅÅ-MM-DD.", "To, YYYY-MM-DD."),
    "opt.daily_price": ("Dygnspris i kronor, t.ex. '3 000,00'.", "Daily price in kronor, e.g. 3000.00."),
    "opt.ceiling": ("Kostnadstak i kronor.", "Cost ceiling in kronor."),
    "opt.decision_id": ("Beslutets id, t.ex. D1.", "The decision's id, e.g. D1."),
    "opt.decision_status": ("Status: {choices}.", "Status: {choices}."),
    "opt.planned_end": ("Planerat slut, ÅÅÅÅ-MM-DD.", "Planned end, YYYY-MM-DD."),
    "opt.urgent": ("Akut placering utan beslut (listas som saknar beslut).",
                   "Urgent placement without a decision (listed as lacking one)."),
    "opt.placement_id": ("Placeringens id, t.ex. P1.", "The placement's id, e.g. P1."),
    "opt.service_id": ("Insatsens id, t.ex. S1.", "The service's id, e.g. S1."),
    "opt.end_reason": ("Skäl: {choices}.", "Reason: {choices}."),
    "opt.price": ("Pris i kronor.", "Price in kronor."),
    "opt.price_unit": ("Prisenhet: {choices}.", "Price unit: {choices}."),
    "opt.amount": ("Belopp i kronor, t.ex. '89 550,00'.", "Amount in kronor, e.g. 89550.00."),
    "opt.invoice": ("Fakturanummer.", "Invoice number."),
    "opt.payment_id": ("Utbetalningens id, t.ex. B1.", "The payment's id, e.g. B1."),
    "opt.reverse_amount": ("Belopp att återföra (standard: hela återstoden).", "Amount to reverse (default: all that is left)."),
    "opt.reference": ("Polisens diarienummer.", "The Police's reference number."),
    "opt.grant_outcome": ("Utfall: {choices}.", "Outcome: {choices}."),
    "opt.time_point": ("Tidpunkt: {choices}.", "Time point: {choices}."),
    "opt.housing": ("Boende: {choices}.", "Housing: {choices}."),
    "opt.occupation": ("Sysselsättning: {choices}.", "Occupation: {choices}."),
    "opt.answer": ("{choices}.", "{choices}."),
    "opt.what": ("Vilka uppgifter som lämnades (personuppgift).", "What was shared (personal data)."),
    "opt.legal_basis": ("Annat lagstöd än samtycke.", "Legal basis other than consent."),
    "opt.relation": ("Relation: {choices}.", "Relation: {choices}."),
    "opt.closure_reason": ("Skäl: {choices}.", "Reason: {choices}."),
    "opt.name": ("Namn.", "Name."),
    "opt.org_number": ("Organisationsnummer.", "Organisation number."),
    "opt.own_operation": ("Egen regi (kommunens egen verksamhet).", "Run by the municipality itself."),
    "opt.permit": ("Tillståndets referens.", "Permit reference."),
    "opt.year": ("År.", "Year."),
    "opt.delta": ("Ändring i kronor, t.ex. 250000 eller -100000.", "Change in kronor, e.g. 250000 or -100000."),
    "opt.status": ("Status: open, closed.", "Status: open, closed."),
    "opt.recorded_by": ("Registrerat av.", "Recorded by."),
    "opt.cases": ("Antal ärenden.", "Number of cases."),
    "opt.years": ("Antal år bakåt.", "Number of years back."),
    "opt.seed": ("Slumpfrö (samma frö ger samma data).", "Random seed (same seed, same data)."),
    "opt.municipality": ("Kommunens namn.", "Name of the municipality."),
    # -- results ----------------------------------------------------------------------------------
    "done.opened": ("Ärende {case} aktualiserat.", "Case {case} opened."),
    "done.recorded": ("Registrerat i {case}: {what}.", "Recorded in {case}: {what}."),
    "done.recorded_id": ("Registrerat i {case}: {what} {id}.", "Recorded in {case}: {what} {id}."),
    "done.provider": ("Utförare {code} registrerad.", "Provider {code} registered."),
    "done.permit": ("Tillståndskontroll registrerad för {code}.", "Permit check recorded for {code}."),
    "done.budget": ("Budget {year} registrerad.", "Budget {year} recorded."),
    "done.demo": ("Demodata skapad: {cases} ärenden, {events} händelser i {seconds} s.",
                  "Demo data created: {cases} cases, {events} events in {seconds} s."),
    "what.contact": ("kontakt", "contact"),
    "what.consent_granted": ("samtycke", "consent"),
    "what.consent_revoked": ("återkallat samtycke", "consent revoked"),
    "what.assessment": ("förhandsbedömning", "preliminary assessment"),
    "what.investigation_opened": ("utredning inledd", "investigation opened"),
    "what.investigation_completed": ("utredning avslutad", "investigation completed"),
    "what.threat": ("hotbildsbedömning", "threat assessment"),
    "what.decision": ("beslut", "decision"),
    "what.decision_status": ("beslutsstatus", "decision status"),
    "what.placement": ("placering", "placement"),
    "what.placement_extended": ("förlängd placering", "placement extended"),
    "what.placement_ended": ("avslutad placering", "placement ended"),
    "what.service": ("öppen insats", "service"),
    "what.service_ended": ("avslutad öppen insats", "service ended"),
    "what.payment": ("utbetalning", "payment"),
    "what.reversal": ("återföring", "reversal"),
    "what.grant_applied": ("ansökan om statsbidrag", "state grant application"),
    "what.grant_decided": ("beslut om statsbidrag", "state grant decision"),
    "what.followup": ("uppföljning", "follow-up"),
    "what.share": ("utlämnande", "information shared"),
    "what.relative": ("anhörigstöd", "relative supported"),
    "what.child": ("barn i hushållet", "child in household"),
    "what.closed": ("ärendet avslutat", "case closed"),
    "what.reopened": ("ärendet återöppnat", "case reopened"),
    # -- tables ------------------------------------------------------------------------------------------
    "col.case": ("Ärende", "Case"),
    "col.status": ("Status", "Status"),
    "col.opened_on": ("Aktualiserat", "Opened"),
    "col.environment": ("Miljö", "Environment"),
    "col.source": ("Källa", "Source"),
    "col.running": ("Pågående insatser", "Running"),
    "col.recorded_by": ("Registrerat av", "Recorded by"),
    "col.events": ("Händelser", "Events"),
    "col.entry": ("Nr", "No"),
    "col.type": ("Händelse", "Event"),
    "col.occurred_on": ("Datum", "Date"),
    "col.recorded_at": ("Registrerat (svensk tid)", "Recorded (Swedish time)"),
    "col.details": ("Uppgifter", "Details"),
    "col.recipient": ("Mottagare", "Recipient"),
    "col.granted_on": ("Givet", "Granted"),
    "col.revoked_on": ("Återkallat", "Revoked"),
    "col.active": ("Gäller", "Active"),
    "col.id": ("Id", "Id"),
    "col.provider": ("Utförare", "Provider"),
    "col.intervention": ("Insats", "Intervention"),
    "col.started_on": ("Start", "Start"),
    "col.ended_on": ("Slut", "End"),
    "col.daily_price": ("Dygnspris", "Daily price"),
    "col.key": ("Uppgift", "Field"),
    "col.value": ("Värde", "Value"),
    "title.consents": ("Samtycken", "Consents"),
    "title.placements": ("Placeringar", "Placements"),
    "title.cases": ("Ärenden", "Cases"),
    "label.threat": ("Hotbild", "Threat"),
    "label.paid_total": ("Utbetalt netto", "Paid (net)"),
    "label.protection": ("Skydd", "Protection"),
    "label.closed_on": ("Avslutat", "Closed"),
    "label.database": ("Databas", "Database"),
    "label.backend": ("Typ", "Backend"),
    "label.events": ("Händelser", "Events"),
    "label.projection": ("Projektion {name}", "Projection {name}"),
    "projection.money": ("ekonomi", "money"),
    "projection.case_list": ("ärendelista", "case list"),
    "projection.stats": ("statistik", "statistics"),
    "label.yes": ("ja", "yes"),
    "label.no": ("nej", "no"),
    "label.none": ("–", "–"),
    "label.no_cases": ("Inga ärenden.", "No cases."),
    "title.budget": ("Budget {year} (per {as_of})", "Budget {year} (as of {as_of})"),
    "title.cumulative": ("Ackumulerat per månad: █ utbetalt, ░ åtaganden, | budget",
                         "Cumulative per month: █ paid, ░ committed, | budget"),
    "budget.runs_out": ("Budgeten tar slut", "Budget runs out"),
    "label.runs_out": ("slut {month}", "runs out {month}"),
    "col.month": ("Månad", "Month"),
    "budget.budget": ("Budget", "Budget"),
    "budget.paid": ("Utbetalt", "Paid"),
    "budget.committed": ("Åtaganden", "Committed"),
    "budget.state_grants": ("Statsbidrag", "State grants"),
    "budget.net_cost": ("Nettokostnad", "Net cost"),
    "budget.remaining": ("Kvar", "Remaining"),
    "budget.forecast_year_end": ("Prognos helår", "Forecast year-end"),
    "budget.forecast": ("Prognos", "Forecast"),
    "budget.forecast_remaining": ("Kvar enligt prognos", "Remaining by forecast"),
    "budget.share_used": ("Andel förbrukad", "Share used"),
    "budget.clients": ("Klienter med utbetalningar", "Clients with payments"),
    "budget.providers": ("Utförare med utbetalningar", "Providers with payments"),
    "budget.by.provider": ("Per utförare", "By provider"),
    "budget.by.intervention": ("Per insats", "By intervention"),
    "budget.by.case": ("Per ärende", "By case"),
    "budget.by.month": ("Per månad", "By month"),
    "cmd.budget.show": (
        "Visa budgetförbrukning för ett år: budget, utbetalt, åtaganden, statsbidrag, prognos.\n\n"
        "Exempel: ledger budget show 2026 --by provider --plot budget.png",
        "Show budget consumption for a year: budget, paid, committed, state grants, forecast.\n\n"
        "Example: ledger budget show 2026 --by provider --plot budget.png",
    ),
    "opt.by": ("Fördela per provider, intervention, case eller month.", "Break down by provider, intervention, case or month."),
    "opt.plot": ("Rita diagram till FIL.png eller FIL.svg.", "Draw a chart to FILE.png or FILE.svg."),
    "done.plot": ("Diagram sparat i {path}.", "Chart saved to {path}."),
    "grp.projections": ("Läsmodellernas läge och återuppbyggnad.\n\nExempel: ledger projections status",
                        "Read models: status and rebuild.\n\nExample: ledger projections status"),
    "cmd.projections.status": ("Visa hur långt varje projektion har läst och hur mycket som återstår.\n\n"
                               "Exempel: ledger projections status --json",
                               "Show how far each projection has read and its lag.\n\n"
                               "Example: ledger projections status --json"),
    "cmd.projections.rebuild": ("Töm och bygg om projektioner från första händelsen.\n\n"
                                "Exempel: ledger projections rebuild ekonomi",
                                "Wipe and rebuild projections from the first event.\n\n"
                                "Example: ledger projections rebuild money"),
    "opt.needs_attention": (
        "Endast ärenden som behöver åtgärd: omprövning av hotbild passerad, uppföljning försenad, samtycke "
        "återkallat under pågående insats, akut placering utan beslut, beslut som löpt ut under pågående insats.",
        "Only cases needing attention: threat review passed, follow-up due, consent revoked while an "
        "intervention runs, urgent placement without decision, decision ended while an intervention runs.",
    ),
    "col.attention": ("Åtgärd", "Attention"),
    "attention.threat_review_passed": ("hotbild ska omprövas", "threat review passed"),
    "attention.followup_due": ("uppföljning försenad", "follow-up due"),
    "attention.consent_revoked_running": ("samtycke återkallat", "consent revoked"),
    "attention.urgent_without_decision": ("akut utan beslut", "urgent, no decision"),
    "attention.decision_ended_running": ("beslut har löpt ut", "decision ended"),
    "cmd.stats": (
        "Årlig nationell uppföljningsstatistik med röjandekontroll, eller sammanslagning av kommuners exporter.\n\n"
        "Exempel: ledger stats 2026 --format xlsx --out uppfoljning-2026.xlsx\n\n"
        "Exempel: ledger stats merge huddinge.json botkyrka.json --format csv",
        "Yearly national follow-up statistics with disclosure control, or merging municipalities' exports.\n\n"
        "Example: ledger stats 2026 --format xlsx --out followup-2026.xlsx\n\n"
        "Example: ledger stats merge huddinge.json botkyrka.json --format csv",
    ),
    "arg.stats": ("ÅR, eller merge FIL... (exporter gjorda med --no-suppression --format json).",
                  "YEAR, or merge FILE... (exports made with --no-suppression --format json)."),
    "opt.format": ("Format: table, csv, json, xlsx.", "Format: table, csv, json, xlsx."),
    "opt.out": ("Skriv till fil i stället för skärmen.", "Write to a file instead of the screen."),
    "opt.threshold": ("Minsta antal som visas; 1 till gränsen minus 1 döljs.",
                      "Smallest count shown; 1 to threshold minus 1 are hidden."),
    "opt.no_suppression": ("Ingen röjandekontroll – endast för internt bruk, står i utdata.",
                           "No disclosure control - internal use only, stated in the output."),
    "stats.internal_only": ("OBS: utan röjandekontroll – endast för internt bruk, får inte publiceras.",
                            "NOTE: no disclosure control - internal use only, not for publication."),
    "title.stats": ("Uppföljning {year} – {municipality}", "Follow-up {year} - {municipality}"),
    "done.written": ("Skrivet till {path}.", "Written to {path}."),
    "reason.suppressed_export": ("sammanslagning kräver exporter gjorda med --no-suppression --format json",
                                 "merging needs exports made with --no-suppression --format json"),
    "reason.mixed_years": ("exporterna gäller olika år", "the exports are for different years"),
    "reason.unreadable": ("filen kan inte läsas som JSON", "the file cannot be read as JSON"),
    "stats.table.flow_by_gender": ("Flöde per kön", "Flow by gender"),
    "stats.table.flow_by_age_band": ("Flöde per åldersgrupp", "Flow by age band"),
    "stats.table.flow_by_environment": ("Flöde per miljö", "Flow by environment"),
    "stats.table.flow_by_referral_source": ("Flöde per aktualiseringskälla", "Flow by referral source"),
    "stats.table.flow_by_protection_need": ("Flöde per skyddsbehov", "Flow by protection need"),
    "stats.table.dropouts_by_gender": ("Avhopp från processen per skäl och kön", "Drop-outs by reason and gender"),
    "stats.table.interventions": ("Personer i insatser, vårddygn, längd och utförare",
                                  "People in interventions, care days, length and providers"),
    "stats.table.costs_by_intervention": ("Kostnader per insats", "Costs by intervention"),
    "stats.table.cost_summary": ("Kostnader, statsbidrag och budget", "Costs, state grants and budget"),
    "stats.table.closure_reasons_by_gender": ("Avslutsskäl per kön", "Closure reasons by gender"),
    "stats.table.children_and_relatives": ("Barn och anhöriga", "Children and relatives"),
    "stats.table.outcome_housing": ("Utfall: boende", "Outcome: housing"),
    "stats.table.outcome_occupation": ("Utfall: sysselsättning", "Outcome: occupation"),
    "stats.table.outcome_income_support": ("Utfall: försörjningsstöd", "Outcome: income support"),
    "stats.table.outcome_substance_use": ("Utfall: missbruk", "Outcome: substance use"),
    "stats.table.outcome_psychiatric_contact": ("Utfall: psykiatrisk kontakt", "Outcome: psychiatric contact"),
    "stats.table.outcome_new_suspicion": ("Utfall: ny misstanke eller dom", "Outcome: new suspicion or conviction"),
    "stats.table.outcome_remaining_threat": ("Utfall: kvarstående hot", "Outcome: remaining threat"),
    "stats.code.total": ("totalt", "total"),
    "stats.code.people": ("personer", "people"),
    "stats.code.care_days": ("vårddygn", "care days"),
    "stats.code.median_days": ("median dagar", "median days"),
    "stats.code.p90_days": ("90:e percentil dagar", "90th percentile days"),
    "stats.code.providers": ("utförare", "providers"),
    "stats.code.paid": ("utbetalt", "paid"),
    "stats.code.paid_per_person": ("per person", "per person"),
    "stats.code.count": ("antal", "count"),
    "arg.projection": ("Projektionens namn: ekonomi, ärendelista, statistik (standard: alla).",
                       "The projection's name: money, case_list, stats (default: all)."),
    "title.projections": ("Projektioner", "Projections"),
    "col.name": ("Namn", "Name"),
    "col.version": ("Version", "Version"),
    "col.position": ("Position", "Position"),
    "col.head": ("Senaste händelse", "Head"),
    "col.lag": ("Eftersläpning", "Lag"),
    "label.events_per_s": ("händelser/s", "events/s"),
    "done.rebuilt": ("Ombyggda: {names}.", "Rebuilt: {names}."),
    "kind.projection": ("projektion", "projection"),
    # -- errors ------------------------------------------------------------------------------------------
    "err.prefix": ("Fel", "Error"),
    "err.nothing_stored": ("Inget har sparats.", "Nothing was stored."),
    "error": ("Åtgärden nekades.", "The action was refused."),
    "input_error": ("Ogiltig uppgift i {field} ({reason}).", "Invalid input in {field} ({reason})."),
    "invalid_identity_number": ("Ogiltigt identitetsnummer: {reason}.", "Invalid identity number: {reason}."),
    "invalid_amount": ("Ogiltigt belopp: {reason}.", "Invalid amount: {reason}."),
    "invalid_date": ("Ogiltigt datum i {field}: '{value}' (ange ÅÅÅÅ-MM-DD).",
                     "Invalid date in {field}: '{value}' (use YYYY-MM-DD)."),
    "invalid_choice": ("Ogiltigt värde för {field}: '{value}'. Tillåtna: {allowed}.",
                       "Invalid value for {field}: '{value}'. Allowed: {allowed}."),
    "rule_violation": ("Åtgärden nekas: {rule} ({details}).", "Refused: {rule} ({details})."),
    "future_date": ("Datumet {date} i {field} ligger i framtiden.", "The date {date} in {field} is in the future."),
    "date_out_of_order": ("Datumen är i fel ordning: {second} ({second_date}) före {first} ({first_date}).",
                          "Dates out of order: {second} ({second_date}) before {first} ({first_date})."),
    "case_closed": ("Ärende {case} är avslutat; endast uppföljning, rättelse eller återöppning tillåts ({action}). "
                    "Ska arbetet fortsätta: ledger case reopen {case}.",
                    "Case {case} is closed; only follow-up, correction or reopening is allowed ({action}). "
                    "To go on with it: ledger case reopen {case}."),
    "case_not_closed": ("Ärende {case} är inte avslutat.", "Case {case} is not closed."),
    "decision_missing": ("Inget beviljat beslut om {intervention} gäller {date} i {case}. Registrera beslutet eller "
                         "använd --urgent.",
                         "No granted decision on {intervention} covers {date} in {case}. Record the decision or use "
                         "--urgent."),
    "consent_not_active": ("Inget giltigt samtycke för {recipient} den {date} i {case}.",
                           "No active consent for {recipient} on {date} in {case}."),
    "consent_not_active.share": (
        "Inget giltigt samtycke för {recipient} den {date} i {case}. Registrera samtycket först (ledger consent "
        "grant {case} --recipient …) eller ange lagstödet för utlämnandet med --legal-basis.",
        "No active consent for {recipient} on {date} in {case}. Record the consent first (ledger consent grant "
        "{case} --recipient …) or give the legal basis for the sharing with --legal-basis."),
    "consent_not_active.revoke": (
        "Inget giltigt samtycke för {recipient} den {date} i {case} att återkalla. Se samtyckena med ledger case "
        "show {case}.",
        "No active consent for {recipient} on {date} in {case} to revoke. See the consents with ledger case show "
        "{case}."),
    "reversal_exceeds_payment": ("Återföringen {amount} överstiger det som återstår av {payment} ({left}).",
                                 "The reversal {amount} exceeds what is left of {payment} ({left})."),
    "placement_not_running": ("{ref} avslutades redan {ended_on}.", "{ref} already ended on {ended_on}."),
    "already_exists": ("{kind} {ref} finns redan.", "{kind} {ref} already exists."),
    "investigation_state": ("Utredningen i {case} är i läget '{state}'.", "The investigation in {case} is '{state}'."),
    "not_found": ("Finns inte: {kind} {ref}.", "Not found: {kind} {ref}."),
    "action.protect": ("skyddade personuppgifter", "protected identity"),
    "action.assessment": ("förhandsbedömning", "assessment"),
    "action.assign": ("tilldelning", "assignment"),
    "action.child": ("barn", "child"),
    "action.close": ("avslut", "closure"),
    "action.consent": ("samtycke", "consent"),
    "action.contact": ("kontakt", "contact"),
    "action.decision": ("beslut", "decision"),
    "action.followup": ("uppföljning", "follow-up"),
    "action.grant": ("statsbidrag", "state grant"),
    "action.grant_access": ("åtkomst", "access"),
    "action.investigation": ("utredning", "investigation"),
    "action.journal": ("journalanteckning", "journal entry"),
    "action.objection": ("invändning", "objection"),
    "action.payment": ("utbetalning", "payment"),
    "action.placement": ("placering", "placement"),
    "action.plan": ("genomförandeplan", "plan"),
    "action.relative": ("anhörig", "relative"),
    "action.reopen": ("återöppning", "reopening"),
    "action.service": ("öppen insats", "service"),
    "action.share": ("utlämnande", "sharing"),
    "action.threat": ("hotbildsbedömning", "threat assessment"),
    "rule.demo_needs_empty_store": ("databasen har redan ärenden; demodata skrivs bara till en ny databas "
                                    "(ange en ny fil med --db)",
                                    "the database has cases already; demo data goes into a new database only "
                                    "(name a new file with --db)"),
    "opt.limit": ("Visa de så här många nyaste ärendena.", "Show this many of the newest cases."),
    "opt.all": ("Visa alla ärenden.", "Show every case."),
    "label.page": ("Visar de {shown} nyaste av {total} ärenden; --all visar alla, --limit N fler eller färre.",
                   "Showing the newest {shown} of {total} cases; --all shows them all, --limit N more or fewer."),
    "opt.budget_as_of": ("Visa läget en tidigare dag, ÅÅÅÅ-MM-DD (standard: i dag): utbetalt till och med den "
                         "dagen, åtaganden och prognos därifrån; budget och statsbidrag som de nu är registrerade.",
                         "Show the figures as of an earlier day, YYYY-MM-DD (default: today): paid by that day, "
                         "commitments and forecast from then; the budget and state grants as now recorded."),
    "budget.not_set": ("Ingen budget är satt för {year}. Sätt den med: ledger budget set {year} BELOPP",
                       "No budget is set for {year}. Set it with: ledger budget set {year} AMOUNT"),
    "demo_stopped": ("Demodata avbröts ({cause}); databasen har nu {events} händelser, en del av demon. Ta bort "
                     "filen och kör ledger demo igen på en ny fil.",
                     "The demo stopped ({cause}); the database now holds {events} events, part of the demo. Delete "
                     "the file and run ledger demo again on a new one."),
    "demo.interrupted": ("avbruten", "interrupted"),
    "detail.case": ("ärende", "case"),
    "detail.decision": ("beslut", "decision"),
    "detail.ref": ("gäller", "concerns"),
    "detail.refs": ("gäller", "concerns"),
    "detail.outcome": ("utfall", "outcome"),
    "detail.days": ("dagar", "days"),
    "detail.amount": ("belopp", "amount"),
    "detail.recipient": ("mottagare", "recipient"),
    "not_found.in_case": ("Finns inte: {kind} {ref} i {case}. Se ärendet med ledger case show {case}.",
                          "Not found: {kind} {ref} in {case}. See the case with ledger case show {case}."),
    "concurrency_conflict": ("Ärendet ändrades samtidigt av någon annan; försök igen.",
                             "The case was changed at the same time by someone else; try again."),
    "storage_error": ("Databasen kunde inte spara eller läsa ({reason}).", "The database could not store or read ({reason})."),
    "internal_error": ("Internt fel ({name}). Kör med LEDGER_DEBUG=1 för detaljer.",
                       "Internal error ({name}). Run with LEDGER_DEBUG=1 for details."),
    "usage.missing": ("{name} saknas.", "Missing {name}."),
    "usage.missing_argument": ("Argumentet {name} saknas.", "Missing argument {name}."),
    "usage.no_such_option": ("Okänd flagga: {name}.", "No such option: {name}."),
    "usage.bad_value": ("Ogiltigt värde för {name}: {detail}.", "Invalid value for {name}: {detail}."),
    "usage.other": ("Felaktigt anrop: {detail}", "Wrong usage: {detail}"),
    "usage.bad_value_plain": ("Ogiltigt värde för {name}.", "Invalid value for {name}."),
    "usage.no_such_command": ("Det finns inget kommando '{name}'.", "No such command '{name}'."),
    "usage.missing_command": ("Ange ett kommando.", "Give a command."),
    "usage.extra_argument": ("För många argument: {name}.", "Unexpected extra argument: {name}."),
    "usage.no_value_wanted": ("Flaggan {name} tar inget värde.", "Option {name} does not take a value."),
    "usage.value_needed": ("Flaggan {name} behöver ett värde.", "Option {name} needs a value."),
    "usage.values_needed": ("{name} behöver {count} värden.", "{name} needs {count} values."),
    "usage.want_integer": ("ange ett heltal", "give a whole number"),
    "usage.want_number": ("ange ett tal", "give a number"),
    "usage.want_boolean": ("ange ja eller nej", "give yes or no"),
    "usage.want_at_least": ("ange minst {low}", "give at least {low}"),
    "usage.want_at_most": ("ange högst {high}", "give at most {high}"),
    "usage.want_date": ("ange ett datum ÅÅÅÅ-MM-DD", "give a date YYYY-MM-DD"),
    "usage.hint": ("Se '{command} --help'.", "See '{command} --help'."),
    # reasons, kinds and fields used inside messages
    "reason.format": ("fel format", "wrong format"),
    "reason.checksum_or_date": ("kontrollsiffra eller datum stämmer inte", "check digit or date is wrong"),
    "reason.future_birth_date": ("födelsedatum i framtiden", "birth date in the future"),
    "reason.kind": ("okänd nummertyp", "unknown kind of number"),
    "reason.kind_mismatch": ("numret är inte av angiven typ", "the number is not of the given kind"),
    "reason.reserve_format": ("reservnummer ska vara 4–24 tecken A–Z, 0–9 och -",
                              "reserve numbers are 4–24 characters A–Z, 0–9 and -"),
    "reason.negative": ("negativt belopp", "negative amount"),
    "reason.not_positive": ("beloppet måste vara större än noll", "the amount must be more than zero"),
    "reason.amount_too_large": ("beloppet är för stort (högst 999 999 999 999,99 kr)",
                         "the amount is too large (at most 999 999 999 999.99 kr)"),
    "reason.type": ("fel typ", "wrong type"),
    "reason.required": ("krävs", "required"),
    "reason.range": ("utanför tillåtet intervall", "out of range"),
    "reason.matplotlib_missing": ("diagram kräver paketet matplotlib: pip install 'avhoppar-ledger[plot]'",
                                  "charts need matplotlib: pip install 'avhoppar-ledger[plot]'"),
    "reason.too_large": ("för stort", "too large"),
    "reason.too_many_digits": ("för många siffror", "too many digits"),
    # raised by the event models' validation (Text fields hold at most 2000 characters)
    "reason.string_too_long": ("texten är för lång", "the text is too long"),
    "reason.disk_full": ("disken är full", "the disk is full"),
    "reason.driver_missing": ("PostgreSQL-drivrutinen saknas; installera den med: pip install "
                              "'avhoppar-ledger[postgres]'",
                              "the PostgreSQL driver is missing; install it with: pip install 'avhoppar-ledger[postgres]'"),
    "reason.disk_io": ("läs- eller skrivfel på disken; är den full?", "a disk read or write error; is it full?"),
    "reason.locked": ("databasen är låst för länge", "the database was locked too long"),
    "reason.unreachable": ("databasen kan inte nås", "the database cannot be reached"),
    "reason.read_only": ("databasen är skrivskyddad", "the database is read-only"),
    "reason.not_a_folder": ("en del av sökvägen är en fil, inte en mapp", "part of the path is a file, not a folder"),
    "reason.name_too_long": ("filnamnet är för långt för filsystemet", "the file name is too long for the file system"),
    "reason.no_permission": ("databasfilen kan inte öppnas: får din inloggning läsa och skriva den, dess -wal-fil och "
                             "dess mapp?", "the database file cannot be opened: may your login read and write it, "
                             "its -wal file and its folder?"),
    "reason.encoding": ("databasens teckenkodning kan inte lagra ett av tecknen; skapa databasen med ENCODING "
                        "'UTF8'", "the database's character encoding cannot hold one of the characters; create the "
                        "database with ENCODING 'UTF8'"),
    "reason.database": ("databasfel", "database error"),
    "kind.case": ("ärende", "case"),
    "kind.provider": ("utförare", "provider"),
    "kind.placement": ("placering", "placement"),
    "kind.service": ("öppen insats", "service"),
    "kind.payment": ("utbetalning", "payment"),
    "kind.decision": ("beslut", "decision"),
    "kind.grant": ("statsbidrag", "state grant"),
    "kind.budget": ("budget", "budget"),
    "rule.running_interventions": ("pågående insatser måste avslutas först", "running interventions must end first"),
    "rule.provider_mismatch": ("utföraren stämmer inte med insatsen", "the provider does not match the intervention"),
    "rule.already_reversed": ("redan helt återförd", "already fully reversed"),
    "rule.grant_exceeds_application": ("beviljat belopp överstiger ansökan", "granted amount exceeds the application"),
}


#: Further catalogue parts, one module per feature (``ledger.cli.catalogue_<name>`` with a ``MESSAGES``
#: dict of the same shape), so that features can be added without all editing one file.
PARTS = ("supervision", "chain", "access", "users", "data", "casefile", "invoices", "stats", "vocab", "fields")


def _merge_parts() -> None:
    import importlib

    for part in PARTS:
        messages = importlib.import_module(f"ledger.cli.catalogue_{part}").MESSAGES
        clash = CATALOGUE.keys() & messages.keys()
        if clash:
            raise RuntimeError(f"catalogue keys defined twice: {sorted(clash)}")
        CATALOGUE.update(messages)


_merge_parts()


def t(key: str, **params: object) -> str:
    """The message ``key`` in the current language, with ``params`` filled in."""
    sv, en = CATALOGUE[key]
    text = en if LANG == "en" else sv
    return text.format(**params) if params else text


def term(prefix: str, code: object) -> str:
    """Translate a code inside a message (``reason.format``), or leave it as it is."""
    key = f"{prefix}.{code}"
    return t(key) if key in CATALOGUE else str(code)
