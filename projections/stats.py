"""The yearly national follow-up statistics, built from the read models, with disclosure control.

Which people a table counts, for ``year``:

- flow and drop-outs: cases actualised in the year, by how far they got (assessed,
  investigated, granted, a Police defector case — a threat assessment with criteria met);
- interventions: placements and services running some day in the year; care days are the days
  of placements inside the year; length is a placement's days from start to end (or to the
  year's end while it runs);
- costs: payments minus reversals for days in the year (as in the budget), state grants for the year;
- outcomes: follow-ups recorded in the year, at closure and after 12 months;
- closure reasons: cases closed in the year; children and relatives: noted in the year.

People with protected identity are counted like everyone else; no table is broken down by
place or provider, so no cell can point at where a protected person lives.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import Connection, String, cast, func, select, union

from ledger.adapters.schema import (
    budgets,
    grant_months,
    interventions,
    money_cases,
    payment_months,
    stat_cases,
    stat_followups,
    stat_household,
)
from ledger.domain.vocab import (
    Answer,
    ClosureReason,
    Environment,
    Gender,
    Housing,
    Intervention,
    Occupation,
    ReferralSource,
)
from ledger.projections.budget import kr

AGE_BANDS = ("0-17", "18-20", "21-24", "25-29", "30-39", "40+", "unknown")
STEPS = ("actualised", "assessed", "investigated", "granted", "police_case")
DIMENSIONS: dict[str, tuple[str, ...]] = {
    "gender": tuple(g.value for g in Gender),
    "age_band": AGE_BANDS,
    "environment": tuple(e.value for e in Environment),
    "referral_source": tuple(s.value for s in ReferralSource),
    "protection_need": ("yes", "no", "unknown"),
}
OUTCOME_MEASURES: dict[str, tuple[str, ...]] = {
    "housing": tuple(h.value for h in Housing),
    "occupation": tuple(o.value for o in Occupation),
    "income_support": tuple(a.value for a in Answer),
    "substance_use": tuple(a.value for a in Answer),
    "psychiatric_contact": tuple(a.value for a in Answer),
    "new_suspicion": tuple(a.value for a in Answer),
    "remaining_threat": tuple(a.value for a in Answer),
}


def age_band(birth_year: int | None, year: int) -> str:
    if birth_year is None:
        return "unknown"
    age = year - birth_year
    for limit, band in ((17, "0-17"), (20, "18-20"), (24, "21-24"), (29, "25-29"), (39, "30-39")):
        if age <= limit:
            return band
    return "40+"


def build(conn: Connection, year: int, today: date) -> dict[str, Any]:
    """All tables for ``year`` with raw values (suppression: :func:`ledger.domain.disclosure.disclose`)."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    opened_or_closed = (((stat_cases.c.opened_on >= start) & (stat_cases.c.opened_on <= end)) | (
        (stat_cases.c.closed_on >= start) & (stat_cases.c.closed_on <= end)
    )) & ~stat_cases.c.excluded
    wanted = [c for c in stat_cases.columns if c.name not in ("case_id", "person_id", "excluded")]  # ids: not needed
    cases = [dict(r._mapping) for r in conn.execute(select(*wanted).where(opened_or_closed))]
    for c in cases:
        c["age_band"] = age_band(c["birth_year"], c["opened_on"].year)
        need = c["protection_needed"]
        c["protection_need"] = "unknown" if need is None else ("yes" if need else "no")
    cohort = [c for c in cases if c["opened_on"].year == year]
    tables = []
    for dim, values in DIMENSIONS.items():
        records = [(step, c[dim]) for c in cohort for step in STEPS if _reached(c, step)]
        tables.append(_crosstab(f"flow_by_{dim}", "step", dim, STEPS, values, records, col_total=False))
    tables.append(_dropouts(cohort))
    tables += _interventions_and_costs(conn, year, today)
    tables += _outcomes(conn, year)
    closed = [(c["closure_reason"], c["gender"]) for c in cases if c["closed_on"] and c["closed_on"].year == year]
    reasons = tuple(r.value for r in ClosureReason if r != ClosureReason.OPENED_IN_ERROR)  # not cases at all
    tables.append(_crosstab("closure_reasons_by_gender", "reason", "gender", reasons, DIMENSIONS["gender"], closed))
    tables.append(_household(conn, year))
    return {"year": year, "tables": tables}


def _excluded() -> Any:
    """The cases closed as opened in error: not cases at all, in no table."""
    return select(stat_cases.c.case_id).where(stat_cases.c.excluded)


def counted_cases(conn: Connection, year: int) -> list[str]:
    """The case numbers of every case a table of ``year`` counts, in order (unsuppressed, small
    counts can point at a person: each of these is logged as read)."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    ids = union(
        select(stat_cases.c.case_id).where(((stat_cases.c.opened_on >= start) & (stat_cases.c.opened_on <= end))
                                           | ((stat_cases.c.closed_on >= start) & (stat_cases.c.closed_on <= end))),
        select(interventions.c.case_id).where(interventions.c.started_on <= end,
                                              interventions.c.ended_on.is_(None) | (interventions.c.ended_on >= start)),
        select(payment_months.c.case_id).where(payment_months.c.year == year),
        select(grant_months.c.case_id).where(grant_months.c.year == year),
        select(stat_followups.c.case_id).where(stat_followups.c.year == year),
        select(stat_household.c.case_id).where(stat_household.c.year == year),
    ).subquery()
    query = select(money_cases.c.case_number).where(money_cases.c.case_id.in_(select(ids.c.case_id)))
    return sorted(conn.execute(query).scalars())


def _text(column: Any) -> Any:
    """An id as plain text: counting distinct people needs no UUID objects (50 000 of them cost 0.2 s)."""
    return cast(column, String).label(column.name)


def _reached(case: dict[str, Any], step: str) -> bool:
    column = {"actualised": "opened_on", "assessed": "assessed_on", "investigated": "investigated_on",
              "granted": "granted_on", "police_case": "police_case_on"}[step]
    return case[column] is not None


def _crosstab(table_id: str, row_dim: str, col_dim: str, rows: tuple[str, ...], cols: tuple[str, ...],
              records: list[tuple[str, str]], *, row_total: bool = True, col_total: bool = True) -> dict[str, Any]:
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for r, c in records:
        counts[(r, c)] += 1
    values = [[counts[(r, c)] for c in cols] for r in rows]
    out_cols = list(cols)
    out_rows = list(rows)
    if row_total:
        for row in values:
            row.append(sum(row))
        out_cols.append("total")
    if col_total:
        values.append([sum(row[i] for row in values) for i in range(len(out_cols))])
        out_rows.append("total")
    return {"id": table_id, "kind": "count", "row_dim": row_dim, "col_dim": col_dim, "rows": out_rows,
            "cols": out_cols, "values": values, "basis": None, "row_total": row_total, "col_total": col_total}


def _dropouts(cohort: list[dict[str, Any]]) -> dict[str, Any]:
    reasons = []
    for c in cohort:
        if c["assessment_outcome"] == "no_investigation":
            reasons.append((f"not_investigated:{c['assessment_reason']}", c["gender"]))
        elif c["denied_on"] and not c["granted_on"]:
            reasons.append(("denied", c["gender"]))
        elif c["closed_on"] and not c["granted_on"] and not c["denied_on"]:
            reasons.append((f"closed_before_decision:{c['closure_reason']}", c["gender"]))
    rows = tuple(sorted({r for r, _ in reasons}))
    return _crosstab("dropouts_by_gender", "reason", "gender", rows, DIMENSIONS["gender"], reasons)


def _interventions_and_costs(conn: Connection, year: int, today: date) -> list[dict[str, Any]]:
    start, end = date(year, 1, 1), date(year, 12, 31)
    i = interventions
    rows = conn.execute(
        select(i.c.kind, i.c.provider, i.c.intervention, i.c.started_on, i.c.ended_on, _text(money_cases.c.person_id))
        .select_from(i.join(money_cases, money_cases.c.case_id == i.c.case_id))
        .where(i.c.started_on <= end, (i.c.ended_on.is_(None)) | (i.c.ended_on >= start))
    ).all()
    people: dict[str, set[Any]] = defaultdict(set)
    providers: dict[str, set[str]] = defaultdict(set)
    care_days: dict[str, int] = defaultdict(int)
    lengths: dict[str, list[int]] = defaultdict(list)
    for r in rows:
        people[r.intervention].add(r.person_id)
        providers[r.intervention].add(r.provider)
        if r.kind == "placement":
            last = min(d for d in (r.ended_on, end, today) if d is not None)
            care_days[r.intervention] += max(0, (last - max(r.started_on, start)).days + 1)
            lengths[r.intervention].append((min(r.ended_on or last, last) - r.started_on).days + 1)
    kinds = [i.value for i in Intervention]
    all_people = set().union(*people.values()) if people else set()
    all_lengths = [n for values in lengths.values() for n in values]
    table_rows = [*kinds, "total"]
    values, basis = [], []
    for kind in table_rows:
        who = all_people if kind == "total" else people.get(kind, set())
        days = sum(care_days.values()) if kind == "total" else care_days.get(kind, 0)
        lens = all_lengths if kind == "total" else lengths.get(kind, [])
        provs = set().union(*providers.values()) if kind == "total" and providers else providers.get(kind, set())
        values.append([len(who), days, median(lens), p90(lens), len(provs)])
        basis.append([None, len(who), len(lens), len(lens), len(who)])
    people_table = {"id": "interventions", "kind": "measure", "row_dim": "intervention", "col_dim": "measure",
                    "rows": table_rows, "cols": ["people", "care_days", "median_days", "p90_days", "providers"],
                    "values": values, "basis": basis, "additive_cols": [1], "lengths": {
                        k: sorted(v) for k, v in lengths.items()}}

    pm = payment_months
    paid_rows = conn.execute(
        select(pm.c.intervention, _text(money_cases.c.person_id), func.sum(pm.c.amount_ore))
        .select_from(pm.join(money_cases, money_cases.c.case_id == pm.c.case_id))
        .where(pm.c.year == year).group_by(pm.c.intervention, money_cases.c.person_id)
    ).all()
    paid: dict[str, int] = defaultdict(int)
    payers: dict[str, set[Any]] = defaultdict(set)
    for kind, person_id, amount in paid_rows:
        paid[kind] += int(amount)
        payers[kind].add(person_id)
    cost_kinds = kinds + (["other"] if "other" not in kinds else [])
    cost_values, cost_basis = [], []
    everyone = set().union(*payers.values()) if payers else set()
    for kind in [*cost_kinds, "total"]:
        total = sum(paid.values()) if kind == "total" else paid.get(kind, 0)
        who = everyone if kind == "total" else payers.get(kind, set())
        cost_values.append([kr(total), len(who), kr(total // len(who)) if who else None])
        cost_basis.append([len(who), None, len(who)])
    costs = {"id": "costs_by_intervention", "kind": "measure", "row_dim": "intervention", "col_dim": "measure",
             "rows": [*cost_kinds, "total"], "cols": ["paid", "people", "paid_per_person"],
             "values": cost_values, "basis": cost_basis, "additive_cols": [0], "paid_ore": dict(paid),
             "payers": {k: len(v) for k, v in payers.items()}}
    granted = int(conn.execute(select(func.coalesce(func.sum(grant_months.c.amount_ore), 0))
                               .where(grant_months.c.year == year)).scalar() or 0)
    budget_row = conn.execute(select(budgets.c.set_ore + budgets.c.adjusted_ore).where(budgets.c.year == year)).scalar()
    total_paid = sum(paid.values())
    summary = {"id": "cost_summary", "kind": "measure", "row_dim": "figure", "col_dim": "value",
               "rows": ["paid", "state_grants", "share_covered_by_grants", "budget", "budget_outcome_share"],
               "cols": ["value"],
               "values": [[kr(total_paid)], [kr(granted)],
                          [f"{granted / total_paid:.4f}" if total_paid else None],
                          [kr(int(budget_row)) if budget_row is not None else None],
                          [f"{total_paid / int(budget_row):.4f}" if budget_row else None]],
               "basis": [[len(everyone)], [len(everyone)], [len(everyone)], [None], [len(everyone)]],
               "additive_cols": [], "granted_ore": granted, "budget_ore": int(budget_row) if budget_row else None}
    return [people_table, costs, summary]


def median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def p90(values: list[int]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return float(ordered[max(0, -(-9 * len(ordered) // 10) - 1)])  # nearest rank


def _outcomes(conn: Connection, year: int) -> list[dict[str, Any]]:
    rows = [dict(r._mapping) for r in conn.execute(
        select(stat_followups).where(stat_followups.c.year == year,
                                     stat_followups.c.time_point.in_(("closure", "12_months")),
                                     stat_followups.c.case_id.not_in(_excluded())))]
    tables = []
    for measure, values in OUTCOME_MEASURES.items():
        records = [(r[measure], r["time_point"]) for r in rows]
        tables.append(_crosstab(f"outcome_{measure}", measure, "time_point", values, ("closure", "12_months"),
                                records, row_total=False))
    return tables


def _household(conn: Connection, year: int) -> dict[str, Any]:
    rows = conn.execute(select(stat_household.c.kind, stat_household.c.relation)
                        .where(stat_household.c.year == year, stat_household.c.case_id.not_in(_excluded()))).all()
    records = [("children" if kind == "child" else f"relative:{relation}", "count") for kind, relation in rows]
    labels = ("children", "relative:parent", "relative:partner", "relative:sibling", "relative:child",
              "relative:other")
    return _crosstab("children_and_relatives", "who", "count", labels, ("count",), records, row_total=False)
