"""Catalogue part: the statistics: tables, rows, columns, the xlsx workbook; ``key -> (svenska, english)``.

Table titles (``stats.table.*``) are in ``i18n.py``. Codes of a vocabulary (gender, intervention,
closure reason, answers, …) take their labels from ``catalogue_vocab`` through ``term(prefix, code)``;
the codes only the statistics have are here: steps, age bands, columns, figures, metadata.
"""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # -- what a row or column dimension is called (the first column's header) ----------------------------
    "stats.dim.step": ("steg", "step"),
    "stats.dim.gender": ("kön", "gender"),
    "stats.dim.age_band": ("åldersgrupp", "age band"),
    "stats.dim.environment": ("miljö", "environment"),
    "stats.dim.referral_source": ("aktualiseringskälla", "referral source"),
    "stats.dim.protection_need": ("skyddsbehov", "protection need"),
    "stats.dim.reason": ("skäl", "reason"),
    "stats.dim.intervention": ("insats", "intervention"),
    "stats.dim.measure": ("mått", "measure"),
    "stats.dim.figure": ("uppgift", "figure"),
    "stats.dim.value": ("värde", "value"),
    "stats.dim.time_point": ("tidpunkt", "time point"),
    "stats.dim.housing": ("boende", "housing"),
    "stats.dim.occupation": ("sysselsättning", "occupation"),
    "stats.dim.income_support": ("försörjningsstöd", "income support"),
    "stats.dim.substance_use": ("missbruk", "substance use"),
    "stats.dim.psychiatric_contact": ("psykiatrisk kontakt", "psychiatric contact"),
    "stats.dim.new_suspicion": ("ny misstanke eller dom", "new suspicion or conviction"),
    "stats.dim.remaining_threat": ("kvarstående hot", "remaining threat"),
    "stats.dim.who": ("vem", "who"),
    "stats.dim.count": ("antal", "count"),
    # -- codes of the statistics' own ----------------------------------------------------------------------
    "stats.total": ("totalt", "total"),
    "stats.step.actualised": ("aktualiserade", "actualised"),
    "stats.step.assessed": ("förhandsbedömda", "preliminarily assessed"),
    "stats.step.investigated": ("utredda", "investigated"),
    "stats.step.granted": ("beviljade insats", "granted an intervention"),
    "stats.step.police_case": ("avhopparärende hos Polisen", "Police defector case"),
    "stats.age.0-17": ("0–17 år", "0–17 years"),
    "stats.age.18-20": ("18–20 år", "18–20 years"),
    "stats.age.21-24": ("21–24 år", "21–24 years"),
    "stats.age.25-29": ("25–29 år", "25–29 years"),
    "stats.age.30-39": ("30–39 år", "30–39 years"),
    "stats.age.40+": ("40 år och äldre", "40 years and older"),
    "stats.age.unknown": ("okänd ålder", "age unknown"),
    "stats.dropout.not_investigated": ("ingen utredning: {reason}", "not investigated: {reason}"),
    "stats.dropout.denied": ("avslag", "denied"),
    "stats.dropout.closed_before_decision": ("avslutat före beslut: {reason}", "closed before a decision: {reason}"),
    "stats.who.children": ("barn i hushållet", "children in the household"),
    "stats.who.relative": ("anhörig: {relation}", "relative: {relation}"),
    "stats.col.people": ("personer", "people"),
    "stats.col.care_days": ("vårddygn", "care days"),
    "stats.col.median_days": ("median, dagar", "median, days"),
    "stats.col.p90_days": ("90:e percentilen, dagar", "90th percentile, days"),
    "stats.col.providers": ("utförare", "providers"),
    "stats.col.paid": ("utbetalt, kr", "paid, SEK"),
    "stats.col.paid_per_person": ("utbetalt per person, kr", "paid per person, SEK"),
    "stats.col.count": ("antal", "count"),
    "stats.col.value": ("värde", "value"),
    "stats.figure.paid": ("utbetalt, kr", "paid, SEK"),
    "stats.figure.state_grants": ("statsbidrag, kr", "state grants, SEK"),
    "stats.figure.share_covered_by_grants": ("andel täckt av statsbidrag", "share covered by state grants"),
    "stats.figure.budget": ("budget, kr", "budget, SEK"),
    "stats.figure.budget_outcome_share": ("utfall, andel av budget", "outcome, share of budget"),
    # -- metadata ---------------------------------------------------------------------------------------------
    "stats.meta.municipality": ("kommun", "municipality"),
    "stats.meta.year": ("år", "year"),
    "stats.meta.produced_at": ("framställd", "produced at"),
    "stats.meta.ledger_version": ("version av ledger", "ledger version"),
    "stats.meta.merged_from": ("sammanslagen av", "merged from"),
    "stats.meta.suppression.applied": ("röjandekontroll", "disclosure control"),
    "stats.meta.suppression.threshold": ("gräns", "threshold"),
    "stats.meta.suppression.marker": ("markering för dold uppgift", "marker of a hidden cell"),
    "stats.meta.suppression.rule": ("regel", "rule"),
    "stats.rule.applied": (
        "antal 1–{limit} och uppgifter om färre än {threshold} personer döljs som '{marker}', liksom det som "
        "räknas fram ur dem och det som skulle låta en dold uppgift räknas ut",
        "counts 1–{limit} and figures about fewer than {threshold} people hidden as '{marker}', with what is "
        "derived from them and what would let a hidden cell be computed",
    ),
    "stats.rule.none": ("INGEN – endast för internt bruk, får inte publiceras",
                        "NONE - internal use only, not for publication"),
    "stats.legend": ("{marker} = dold uppgift (röjandekontroll, gräns {threshold}); tom = inget att redovisa.",
                     "{marker} = hidden (disclosure control, threshold {threshold}); empty = nothing to report."),
    # -- csv -----------------------------------------------------------------------------------------------
    "stats.csv.table": ("tabell", "table"),
    "stats.csv.row": ("rad", "row"),
    "stats.csv.column": ("kolumn", "column"),
    "stats.csv.value": ("värde", "value"),
    "stats.csv.table_code": ("tabellkod", "table_code"),
    "stats.csv.row_code": ("radkod", "row_code"),
    "stats.csv.column_code": ("kolumnkod", "column_code"),
    # -- the xlsx workbook -------------------------------------------------------------------------------------
    "stats.sheet.about": ("Om statistiken", "About"),
    "stats.sheet.rules": ("Röjandekontroll", "Disclosure control"),
    "stats.sheet.flow_by_gender": ("Flöde per kön", "Flow by gender"),
    "stats.sheet.flow_by_age_band": ("Flöde per åldersgrupp", "Flow by age band"),
    "stats.sheet.flow_by_environment": ("Flöde per miljö", "Flow by environment"),
    "stats.sheet.flow_by_referral_source": ("Flöde per aktualiseringskälla", "Flow by referral source"),
    "stats.sheet.flow_by_protection_need": ("Flöde per skyddsbehov", "Flow by protection need"),
    "stats.sheet.dropouts_by_gender": ("Avhopp från processen", "Drop-outs"),
    "stats.sheet.interventions": ("Insatser", "Interventions"),
    "stats.sheet.costs_by_intervention": ("Kostnader per insats", "Costs by intervention"),
    "stats.sheet.cost_summary": ("Kostnader och budget", "Costs and budget"),
    "stats.sheet.outcome_housing": ("Utfall boende", "Outcome housing"),
    "stats.sheet.outcome_occupation": ("Utfall sysselsättning", "Outcome occupation"),
    "stats.sheet.outcome_income_support": ("Utfall försörjningsstöd", "Outcome income support"),
    "stats.sheet.outcome_substance_use": ("Utfall missbruk", "Outcome substance use"),
    "stats.sheet.outcome_psychiatric_contact": ("Utfall psykiatrisk kontakt", "Outcome psychiatric contact"),
    "stats.sheet.outcome_new_suspicion": ("Utfall ny misstanke eller dom", "Outcome new suspicion"),
    "stats.sheet.outcome_remaining_threat": ("Utfall kvarstående hot", "Outcome remaining threat"),
    "stats.sheet.closure_reasons_by_gender": ("Avslutsskäl per kön", "Closure reasons by gender"),
    "stats.sheet.children_and_relatives": ("Barn och anhöriga", "Children and relatives"),
    "stats.xlsx.tables": ("Tabeller", "Tables"),
    "stats.xlsx.sheet": ("blad", "sheet"),
    "stats.xlsx.title": ("innehåll", "contents"),
    "stats.rules.heading": ("Så skyddas uppgifterna", "How the figures are protected"),
    "stats.rules.threshold": ("Gräns: {threshold}. Ett antal från 1 till {limit} visas inte (primär röjandekontroll).",
                              "Threshold: {threshold}. A count from 1 to {limit} is not shown (primary suppression)."),
    "stats.rules.basis": (
        "Summor, vårddygn, medianer, percentiler och belopp som bygger på färre än {threshold} personer visas inte.",
        "Sums, care days, medians, percentiles and amounts resting on fewer than {threshold} people are not shown.",
    ),
    "stats.rules.derived": (
        "Det som räknas fram ur en dold uppgift döljs med den: belopp per person, median och percentil, antal "
        "utförare, andelar.",
        "What is computed from a hidden cell is hidden with it: amount per person, median and percentile, number "
        "of providers, shares.",
    ),
    "stats.rules.secondary": (
        "Där en dold uppgift skulle kunna räknas ut ur rader, kolumner och totaler – också i flera tabeller "
        "tillsammans, där samma total finns i flera – döljs fler uppgifter (sekundär röjandekontroll). Ingen dold "
        "uppgift kan räknas ut exakt, och inget dolt litet antal kan visas vara mindre än gränsen.",
        "Where a hidden cell could be computed from rows, columns and totals – also across tables that share a "
        "total – more cells are hidden (secondary suppression). No hidden cell can be computed exactly, and no "
        "hidden small count can be shown to be below the threshold.",
    ),
    "stats.rules.marker": ("{marker} betyder att uppgiften är dold. Varför den är dold anges inte.",
                           "{marker} means the cell is hidden. Why it is hidden is not said."),
    "stats.rules.empty": (
        "Tom cell: inget att räkna (median utan placeringar, andel av noll), eller inte redovisat: antal utförare "
        "av boendeinsatser (skyddat boende, HVB, träningslägenhet, stödboende) redovisas inte, eftersom de kan "
        "peka ut var någon bor; totalen räknar utförare av övriga insatser.",
        "Empty cell: nothing to compute (a median of no placements, a share of nothing), or not reported: the "
        "number of providers of residential interventions (protected housing, HVB, training flat, supported "
        "housing) is not reported, as it could point at where someone lives; the total counts the providers of "
        "the other interventions.",
    ),
    "stats.rules.protected": ("Personer med skyddade personuppgifter räknas som alla andra.",
                              "People with protected identity are counted like everyone else."),
    "stats.rules.none": ("Ingen röjandekontroll: endast för internt bruk, får inte publiceras.",
                         "No disclosure control: internal use only, not for publication."),
    # -- errors --------------------------------------------------------------------------------------------
    "reason.json_with_format": ("--json skriver JSON och kan inte kombineras med ett annat --format",
                                "--json writes JSON and cannot be combined with another --format"),
    "reason.old_export": ("exporten är gjord av en äldre version: gör om den med --no-suppression --format json",
                          "the export was made by an older version: make it again with --no-suppression --format json"),
    "label.swedish_time": ("svensk tid", "Swedish time"),
}
