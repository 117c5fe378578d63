"""Budget consumption for a year: budget, paid, committed, state grants, forecast.

Definitions (all exact, in öre, shown in kronor):

- **budget**: the amount last set for the year plus every adjustment.
- **paid**: payments minus reversals, counted in the months they pay for (a payment's amount
  is spread over its period by days; see ``allocation.py``).
- **committed**: for each placement, daily price × the days in the year not yet paid for —
  from the day after the last period paid (or its start) to its end, planned end or year end,
  whichever is first. Days already lived but not yet invoiced are committed too.
- **budget runs out**: the first month in which cumulative paid + committed passes the budget.
- **state grants**: amounts granted by the Police, spread over the grant's period, for the year.
- **net cost** = paid − state grants; **remaining** = budget − paid; **forecast** = paid +
  committed; **forecast remaining** = budget − forecast; **share used** = paid / budget.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, FromClause, func, select

from ledger.adapters.schema import budgets, grant_months, interventions, money_cases, payment_months
from ledger.domain.money import to_json
from ledger.projections.allocation import month_days
from ledger.projections.fetch import fetch

BREAKDOWNS = ("provider", "intervention", "case", "month")


def kr(value_ore: int) -> str:
    """Öre to the JSON money form, ``"1234.50"``."""
    return to_json(Decimal(value_ore) / 100)


def budget_report(conn: Connection, year: int, today: date, by: str | None = None) -> dict[str, Any]:
    """Figures for ``year`` as they stood on ``today`` (``budget show --as-of``): paid = the payments and
    reversals made by then, committed and the forecast from then on; the budget and state grants as
    now recorded. Money values as decimal strings."""
    row = conn.execute(select(budgets.c.set_ore, budgets.c.adjusted_ore).where(budgets.c.year == year)).first()
    budget_set, adjusted = (row[0], row[1]) if row else (0, 0)
    budget = budget_set + adjusted
    paid_by = (payment_months.c.year == year, payment_months.c.paid_on <= today)  # the year's, paid by that day
    paid = int(conn.execute(select(func.coalesce(func.sum(payment_months.c.amount_ore), 0))
                            .where(*paid_by)).scalar() or 0)
    granted = int(conn.execute(select(func.coalesce(func.sum(grant_months.c.amount_ore), 0))
                               .where(grant_months.c.year == year)).scalar() or 0)
    committed_rows, committed_by_month = _committed(conn, year, today)
    committed = sum(amount for *_, amount in committed_rows)
    clients, providers = conn.execute(
        select(func.count(func.distinct(money_cases.c.person_id)), func.count(func.distinct(payment_months.c.provider)))
        .select_from(payment_months.join(money_cases, money_cases.c.case_id == payment_months.c.case_id))
        .where(*paid_by)
    ).one()
    monthly = dict(conn.execute(
        select(payment_months.c.month, func.sum(payment_months.c.amount_ore))
        .where(*paid_by).group_by(payment_months.c.month)
    ).tuples().all())
    report: dict[str, Any] = {
        "year": year,
        "as_of": today.isoformat(),
        "has_budget": row is not None,
        "budget": kr(budget),
        "budget_set": kr(budget_set),
        "budget_adjusted": kr(adjusted),
        "paid": kr(paid),
        "committed": kr(committed),
        "state_grants": kr(granted),
        "net_cost": kr(paid - granted),
        "remaining": kr(budget - paid),
        "forecast_year_end": kr(paid + committed),
        "forecast_remaining": kr(budget - paid - committed),
        "share_used": f"{Decimal(paid) / Decimal(budget):.4f}" if budget else None,
        "clients_with_payments": int(clients),
        "providers_with_payments": int(providers),
        "months": [
            {"month": m, "paid": kr(int(monthly.get(m, 0))), "committed": kr(committed_by_month.get(m, 0))}
            for m in range(1, 13)
        ],
        "budget_runs_out": None,
    }
    running = 0
    for m in range(1, 13):
        running += int(monthly.get(m, 0)) + committed_by_month.get(m, 0)
        if budget and running > budget:
            report["budget_runs_out"] = f"{year}-{m:02d}"
            break
    if by is not None:
        report["by"] = by
        report["rows"] = _breakdown(conn, year, by, committed_rows, paid_by)
    return report


def _committed(
    conn: Connection, year: int, today: date
) -> tuple[list[tuple[Any, str, str, str, int]], dict[int, int]]:
    """``(case_id, item, provider, intervention, öre)`` committed per placement, and öre per month, for ``year``
    (``case_id`` as the driver stores it: :func:`ledger.projections.fetch.stored_id`). A national year is
    thousands of placements: read through the driver's cursor, the columns wanted only."""
    year_start, year_end = date(year, 1, 1), date(year, 12, 31)
    out = []
    by_month: dict[int, int] = {}
    i = interventions
    query = select(i.c.case_id, i.c.item_id, i.c.provider, i.c.intervention, i.c.daily_price_ore, i.c.started_on,
                   i.c.planned_end, i.c.ended_on, i.c.paid_through).where(
        i.c.kind == "placement", i.c.started_on <= year_end, (i.c.ended_on.is_(None)) | (i.c.ended_on >= year_start),
    )
    for case_id, item_id, provider, intervention, price, started_on, planned_end, ended_on, last_paid in fetch(
            conn, query)[1]:
        start = max(started_on, year_start, last_paid + timedelta(days=1) if last_paid else started_on)
        end = min(d for d in (ended_on, planned_end, year_end) if d is not None)
        if ended_on is None and planned_end is not None and planned_end < today:
            end = min(today, year_end)  # overdue: still running, at least until today
        days = (end - start).days + 1
        if days > 0 and price:
            out.append((case_id, item_id, provider, intervention, days * price))
            for _, month, month_days_ in month_days(start, end):
                by_month[month] = by_month.get(month, 0) + month_days_ * price
    return out, by_month


def _breakdown(conn: Connection, year: int, by: str, committed_rows: list[Any],
               paid_by: tuple[Any, ...]) -> list[dict[str, Any]]:
    pm = payment_months
    if by == "month":
        paid = dict(conn.execute(select(pm.c.month, func.sum(pm.c.amount_ore)).where(*paid_by)
                                 .group_by(pm.c.month)).tuples().all())
        return [{"key": f"{year}-{m:02d}", "paid": kr(int(paid.get(m, 0)))} for m in range(1, 13)]
    if by == "case":
        column = money_cases.c.case_number
        source: FromClause = pm.join(money_cases, money_cases.c.case_id == pm.c.case_id)
        numbers = dict(fetch(conn, select(money_cases.c.case_id, money_cases.c.case_number))[1])  # ids as stored
        committed: dict[str, int] = {}
        for case_id, _item, _prov, _int, amount in committed_rows:
            committed[numbers[case_id]] = committed.get(numbers[case_id], 0) + amount
    else:
        column = pm.c.provider if by == "provider" else pm.c.intervention
        source = pm
        index = 2 if by == "provider" else 3
        committed = {}
        for row in committed_rows:
            committed[row[index]] = committed.get(row[index], 0) + row[4]
    paid = dict(conn.execute(select(column, func.sum(pm.c.amount_ore)).select_from(source)
                             .where(*paid_by).group_by(column)).tuples().all())
    keys = sorted(set(paid) | set(committed))
    return [
        {"key": key, "paid": kr(int(paid.get(key, 0))), "committed": kr(committed.get(key, 0)),
         "forecast": kr(int(paid.get(key, 0)) + committed.get(key, 0))}
        for key in keys
    ]
