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
place or provider, and providers of residential interventions are not counted at all, so no cell
can point at where a protected person lives.

Each table says what disclosure control must know about it (:func:`declare`); an unsuppressed
export also keeps the ``parts`` that merging municipalities needs (``stats_merge.py``).
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date
from operator import itemgetter
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
from ledger.domain.disclosure import rows_and_columns
from ledger.domain.vocab import (
    RESIDENTIAL,
    Answer,
    AssessmentReason,
    ClosureReason,
    Environment,
    Gender,
    Housing,
    Intervention,
    Occupation,
    ReferralSource,
)
from ledger.projections.budget import kr
from ledger.projections.fetch import fetch

INTERVENTIONS = tuple(i.value for i in Intervention)
_ORDER = {kind: i for i, kind in enumerate(INTERVENTIONS)}
RESIDENTIAL_TYPES = frozenset(i.value for i in RESIDENTIAL)
AGE_BANDS = ("0-17", "18-20", "21-24", "25-29", "30-39", "40+", "unknown")
#: The steps of the flow, each reached when its day is known.
_STEP_COLUMNS = (("actualised", "opened_on"), ("assessed", "assessed_on"), ("investigated", "investigated_on"),
                 ("granted", "granted_on"), ("police_case", "police_case_on"))
STEPS = tuple(step for step, _ in _STEP_COLUMNS)
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
    """All tables for ``year`` with raw values and what disclosure control needs to know about them
    (suppression: :func:`ledger.domain.disclosure.disclose`)."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    opened_or_closed = (((stat_cases.c.opened_on >= start) & (stat_cases.c.opened_on <= end)) | (
        (stat_cases.c.closed_on >= start) & (stat_cases.c.closed_on <= end)
    )) & ~stat_cases.c.excluded
    wanted = [c for c in stat_cases.columns if c.name not in ("case_id", "person_id", "excluded")]  # ids: not needed
    cases = _dicts(conn, select(*wanted).where(opened_or_closed))
    i = interventions
    running = _dicts(conn,
        select(i.c.kind, i.c.provider, i.c.intervention, i.c.started_on, i.c.ended_on, _text(money_cases.c.person_id))
        .select_from(i.join(money_cases, money_cases.c.case_id == i.c.case_id))
        .where(i.c.started_on <= end, (i.c.ended_on.is_(None)) | (i.c.ended_on >= start))
    )
    pm = payment_months
    # per case and intervention, in the order of the year's index, each case's person looked up once
    # per group (a join, then a second grouping by person, sorted the rows again: 15.5 against 10.7 ms
    # at a large store's year)
    person_of = select(_text(money_cases.c.person_id)).where(money_cases.c.case_id == pm.c.case_id).scalar_subquery()
    paid = [(kind, person, int(amount)) for kind, person, amount in fetch(conn,
        select(pm.c.intervention, person_of, func.sum(pm.c.amount_ore))
        .where(pm.c.year == year).group_by(pm.c.case_id, pm.c.intervention)
    )[1]]
    gm = grant_months
    granted = [(person, int(amount)) for person, amount in fetch(conn,
        select(_text(money_cases.c.person_id), func.sum(gm.c.amount_ore))
        .select_from(gm.join(money_cases, money_cases.c.case_id == gm.c.case_id))
        .where(gm.c.year == year).group_by(money_cases.c.person_id)
    )[1]]
    budget_row = conn.execute(select(budgets.c.set_ore + budgets.c.adjusted_ore).where(budgets.c.year == year)).scalar()
    f = stat_followups
    followups = _dicts(conn, select(f.c.time_point, *(f.c[measure] for measure in OUTCOME_MEASURES)).where(
        f.c.year == year, f.c.time_point.in_(("closure", "12_months")), f.c.case_id.not_in(_excluded())))
    household = [tuple(r) for r in fetch(conn,
        select(stat_household.c.kind, stat_household.c.relation)
        .where(stat_household.c.year == year, stat_household.c.case_id.not_in(_excluded())))[1]]
    return assemble(year, today, cases=cases, running=running, paid=paid, granted=granted,
                    budget_ore=None if budget_row is None else int(budget_row), followups=followups,
                    household=household)


def assemble(year: int, today: date, *, cases: list[dict[str, Any]], running: list[dict[str, Any]],
             paid: list[tuple[str, Any, int]], granted: list[tuple[Any, int]], budget_ore: int | None,
             followups: list[dict[str, Any]], household: list[tuple[str, str | None]]) -> dict[str, Any]:
    """The report from the year's facts (what :func:`build` reads; tests feed it directly):
    ``cases`` as rows of ``proj_stats_cases`` opened or closed in the year; ``running`` the placements
    and services running some day in the year (``kind``, ``provider``, ``intervention``,
    ``started_on``, ``ended_on``, ``person_id``); ``paid`` öre per intervention and person (a person
    may have several rows of an intervention, one per case);
    ``granted`` öre per person; the budget; the follow-ups and household notes of the year."""
    for c in cases:
        c["age_band"] = age_band(c["birth_year"], c["opened_on"].year)
        need = c["protection_needed"]
        c["protection_need"] = "unknown" if need is None else ("yes" if need else "no")
    cohort = [c for c in cases if c["opened_on"].year == year]
    reached = [tuple(step for step, column in _STEP_COLUMNS if c[column] is not None) for c in cohort]  # once
    tables = []
    for dim, values in DIMENSIONS.items():
        # the cases counted by (steps reached, value) in C, then each step of a pair counted once per pair
        counts: Counter[tuple[str, str]] = Counter()
        for (steps, value), n in Counter(zip(reached, map(itemgetter(dim), cohort), strict=True)).items():
            for step in steps:
                counts[(step, value)] += n
        tables.append(_crosstab(f"flow_by_{dim}", "step", dim, STEPS, values, counts, col_total=False))
    tables.append(_dropouts(cohort))
    tables.append(interventions_table(intervention_parts(running, year, today)))
    tables.append(costs_table(cost_parts(paid)))
    tables.append(summary_table(summary_parts(paid, granted, budget_ore)))
    tables += _outcomes(followups)
    closed = [(c["closure_reason"], c["gender"]) for c in cases if c["closed_on"] and c["closed_on"].year == year]
    reasons = tuple(r.value for r in ClosureReason if r != ClosureReason.OPENED_IN_ERROR)  # not cases at all
    tables.append(_crosstab("closure_reasons_by_gender", "reason", "gender", reasons, DIMENSIONS["gender"], closed))
    tables.append(_household(household))
    return declare({"year": year, "tables": tables})


def _dicts(conn: Connection, query: Any) -> list[dict[str, Any]]:
    """The rows of ``query`` as dicts by column name (see :func:`ledger.projections.fetch.fetch`)."""
    names, rows = fetch(conn, query)
    return [dict(zip(names, row, strict=True)) for row in rows]


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


def _crosstab(table_id: str, row_dim: str, col_dim: str, rows: tuple[str, ...], cols: tuple[str, ...],
              records: Iterable[tuple[str, str]] | Counter[tuple[str, str]], *, row_total: bool = True,
              col_total: bool = True) -> dict[str, Any]:
    """A table of counts of (row, column) pairs: ``records`` one pair per person counted, or already
    counted (a ``Counter``)."""
    counts = records if isinstance(records, Counter) else Counter(records)  # counted in C; a missing pair counts 0
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


#: Every drop-out row, whether or not anyone is in it (a row that appears only when someone is in it
#: would say so, hidden or not).
DROPOUT_REASONS = (
    *(f"not_investigated:{r.value}" for r in AssessmentReason),
    "denied",
    *(f"closed_before_decision:{r.value}" for r in ClosureReason if r != ClosureReason.OPENED_IN_ERROR),
)


def _dropouts(cohort: list[dict[str, Any]]) -> dict[str, Any]:
    reasons = []
    for c in cohort:
        if c["assessment_outcome"] == "no_investigation":
            reason = f"not_investigated:{c['assessment_reason']}"
            reasons.append((reason if reason in DROPOUT_REASONS else "not_investigated:other", c["gender"]))
        elif c["denied_on"] and not c["granted_on"]:
            reasons.append(("denied", c["gender"]))
        elif c["closed_on"] and not c["granted_on"] and not c["denied_on"]:
            reason = f"closed_before_decision:{c['closure_reason']}"
            reasons.append((reason if reason in DROPOUT_REASONS else "closed_before_decision:other", c["gender"]))
    return _crosstab("dropouts_by_gender", "reason", "gender", DROPOUT_REASONS, DIMENSIONS["gender"], reasons)


def intervention_parts(running: list[dict[str, Any]], year: int, today: date) -> dict[str, Any]:
    """What the interventions table is made of, per intervention type and ``total`` (kept in an
    unsuppressed export so that municipalities can be merged): people, people in placements, care
    days, placement lengths, providers (of non-residential interventions only: see ``providers``)."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    people: dict[str, set[Any]] = defaultdict(set)
    placed: dict[str, set[Any]] = defaultdict(set)
    providers: dict[str, set[str]] = defaultdict(set)
    care_days: dict[str, int] = defaultdict(int)
    lengths: dict[str, list[int]] = defaultdict(list)
    until = min(end, today)  # the last day counted: the year's or today, or the day it ended if earlier
    for r in running:
        kind, person = r["intervention"], r["person_id"]
        people[kind].add(person)
        if kind not in RESIDENTIAL_TYPES:
            providers[kind].add(r["provider"])
        if r["kind"] == "placement":
            placed[kind].add(person)
            ended, started = r["ended_on"], r["started_on"]
            last = ended if ended is not None and ended < until else until
            care_days[kind] += max(0, (last - (started if started > start else start)).days + 1)
            lengths[kind].append((last - started).days + 1)

    def union(sets: dict[str, set[Any]]) -> int:
        return len(set().union(*sets.values())) if sets else 0

    return {
        "people": {**{k: len(people[k]) for k in _in_order(people)}, "total": union(people)},
        "placement_people": {**{k: len(placed[k]) for k in _in_order(placed)}, "total": union(placed)},
        "care_days": {**{k: care_days[k] for k in _in_order(care_days)}, "total": sum(care_days.values())},
        "lengths": {**{k: sorted(lengths[k]) for k in _in_order(lengths)},
                    "total": sorted(n for v in lengths.values() for n in v)},
        "providers": {**{k: len(providers[k]) for k in _in_order(providers)}, "total": union(providers)},
    }


def _in_order(found: dict[str, Any]) -> list[str]:
    """The intervention types of ``found`` in the vocabulary's order (unknown ones after, by name): a
    report's parts read the same whatever order the database gave the rows in (PostgreSQL's follows
    where the rows happen to lie)."""
    return sorted(found, key=lambda kind: (_ORDER.get(kind, len(_ORDER)), kind))


def interventions_table(parts: dict[str, Any]) -> dict[str, Any]:
    """People, care days, median and 90th-percentile length, providers per intervention type.

    Care days and lengths rest on the people in placements; median, percentile and providers are
    derived from the row's people (hidden with them). Providers of residential interventions are
    not published (``None``): they are where people live; the total counts the providers of the
    other interventions."""
    rows = [*INTERVENTIONS, "total"]
    values, basis = [], []
    for kind in rows:
        lens = parts["lengths"].get(kind, [])
        placed = parts["placement_people"].get(kind, 0)
        providers = None if kind in RESIDENTIAL_TYPES else parts["providers"].get(kind, 0)
        values.append([parts["people"].get(kind, 0), parts["care_days"].get(kind, 0), median(lens), p90(lens),
                       providers])
        basis.append([None, placed, placed, placed, None])
    return {"id": "interventions", "kind": "measure", "row_dim": "intervention", "col_dim": "measure", "rows": rows,
            "cols": ["people", "care_days", "median_days", "p90_days", "providers"], "values": values,
            "basis": basis, "parts": parts}


def cost_parts(paid: list[tuple[str, Any, int]]) -> dict[str, Any]:
    """Paid öre and the people paid for, per intervention type and ``total``."""
    amounts: dict[str, int] = defaultdict(int)
    payers: dict[str, set[Any]] = defaultdict(set)
    for kind, person_id, amount in paid:
        amounts[kind] += amount
        payers[kind].add(person_id)
    everyone = set().union(*payers.values()) if payers else set()
    return {"paid_ore": {**{k: amounts[k] for k in _in_order(amounts)}, "total": sum(amounts.values())},
            "payers": {**{k: len(payers[k]) for k in _in_order(payers)}, "total": len(everyone)}}


def costs_table(parts: dict[str, Any]) -> dict[str, Any]:
    """Paid, people and paid per person (rounded down to the öre) per intervention type."""
    rows = [*INTERVENTIONS, "total"]
    values, basis = [], []
    for kind in rows:
        total, who = parts["paid_ore"].get(kind, 0), parts["payers"].get(kind, 0)
        values.append([kr(total), who, kr(total // who) if who else None])
        basis.append([who, None, who])
    return {"id": "costs_by_intervention", "kind": "measure", "row_dim": "intervention", "col_dim": "measure",
            "rows": rows, "cols": ["paid", "people", "paid_per_person"], "values": values, "basis": basis,
            "parts": parts}


def summary_parts(paid: list[tuple[str, Any, int]], granted: list[tuple[Any, int]],
                  budget_ore: int | None) -> dict[str, Any]:
    return {"paid_ore": sum(amount for _, _, amount in paid), "payers": len({person for _, person, _ in paid}),
            "granted_ore": sum(amount for _, amount in granted), "grant_people": len({p for p, _ in granted}),
            "budget_ore": budget_ore}


def summary_table(parts: dict[str, Any]) -> dict[str, Any]:
    """Paid, state grants and their share, the budget and the share of it used."""
    paid, granted, budget = parts["paid_ore"], parts["granted_ore"], parts["budget_ore"]
    payers, grant_people = parts["payers"], parts["grant_people"]
    return {"id": "cost_summary", "kind": "measure", "row_dim": "figure", "col_dim": "value",
            "rows": ["paid", "state_grants", "share_covered_by_grants", "budget", "budget_outcome_share"],
            "cols": ["value"],
            "values": [[kr(paid)], [kr(granted)], [f"{granted / paid:.4f}" if paid else None],
                       [kr(budget) if budget is not None else None],
                       [f"{paid / budget:.4f}" if budget else None]],
            "basis": [[payers], [grant_people], [grant_people], [None], [payers]], "parts": parts}


def declare(report: dict[str, Any]) -> dict[str, Any]:
    """Say what disclosure control must know (see :mod:`ledger.domain.disclosure`): each table's
    additive ``lines``, its ``derived`` cells and ``public`` cells, and the report's ``links``."""
    ids = {t["id"]: t for t in report["tables"]}
    for table in report["tables"]:
        values = table["values"]
        n_rows, n_cols = len(values), len(values[0]) if values else 0
        last = n_rows - 1
        derived: list[Any] = []
        public: list[Any] = []
        if table["kind"] == "count":
            lines = rows_and_columns(n_rows, n_cols, table["row_total"], table["col_total"])
        elif table["id"] == "interventions":
            # people and providers are distinct in the total: someone in two rows is one in the total
            lines = [[[(r, c) for r in range(last) if values[r][c] is not None], (last, c), *(
                ["distinct"] if c != 1 else [])] for c in (0, 1, 4)]
            for r in range(n_rows):
                derived += [[(r, c), [(r, 0)]] for c in (2, 3, 4) if values[r][c] is not None]
        elif table["id"] == "costs_by_intervention":
            lines = [[[(r, 0) for r in range(last)], (last, 0)], [[(r, 1) for r in range(last)], (last, 1), "distinct"]]
            derived = [[(r, 2), [(r, 0), (r, 1)]] for r in range(n_rows)]
        elif table["id"] == "cost_summary":
            lines = []
            derived = [[(2, 0), [(0, 0), (1, 0)]], [(4, 0), [(0, 0)]]]
            public = [(3, 0)]
        else:  # pragma: no cover - every table is one of the above
            raise ValueError(table["id"])
        table.update(lines=lines, derived=derived, public=public)
    links: list[list[Any]] = []
    flows = [t for t in report["tables"] if t["id"].startswith("flow_by_")]
    if flows:
        links += [[(t["id"], r, len(t["cols"]) - 1) for t in flows] for r in range(len(flows[0]["rows"]))]
    outcomes = [t for t in report["tables"] if t["id"].startswith("outcome_")]
    if outcomes:
        links += [[(t["id"], len(t["rows"]) - 1, c) for t in outcomes] for c in range(len(outcomes[0]["cols"]))]
    if "costs_by_intervention" in ids and "cost_summary" in ids:
        links.append([("costs_by_intervention", len(ids["costs_by_intervention"]["rows"]) - 1, 0),
                      ("cost_summary", 0, 0)])
    report["links"] = links
    return report


def median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def p90(values: list[int]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return float(ordered[max(0, -(-9 * len(ordered) // 10) - 1)])  # nearest rank


def _outcomes(followups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    tables = []
    points = [r["time_point"] for r in followups]
    for measure, values in OUTCOME_MEASURES.items():
        records = zip(map(itemgetter(measure), followups), points, strict=True)  # paired in C
        tables.append(_crosstab(f"outcome_{measure}", measure, "time_point", values, ("closure", "12_months"),
                                records, row_total=False))
    return tables


def _household(rows: list[tuple[str, str | None]]) -> dict[str, Any]:
    records = [("children" if kind == "child" else f"relative:{relation}", "count") for kind, relation in rows]
    labels = ("children", "relative:parent", "relative:partner", "relative:sibling", "relative:child",
              "relative:other")
    return _crosstab("children_and_relatives", "who", "count", labels, ("count",), records, row_total=False)
