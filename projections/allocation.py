"""Spreading an amount over the days of its period, exactly, in whole öre.

A payment for 15 December – 14 January pays for days in two months and two years; the budget
counts each part in the month it pays for. Parts are proportional to days; the öre left over by
rounding down go to the parts with the largest remainders (then the earliest), so the parts
always add up to the amount exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from functools import lru_cache


def month_days(start: date, end: date) -> list[tuple[int, int, int]]:
    """``(year, month, days)`` for each calendar month touched by ``start``..``end`` inclusive."""
    out: list[tuple[int, int, int]] = []
    day = start
    while day <= end:
        next_month = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        last = min(end, next_month - timedelta(days=1))
        out.append((day.year, day.month, (last - day).days + 1))
        day = next_month
    return out


def allocate(amount_ore: int, start: date, end: date) -> list[tuple[int, int, int]]:
    """``(year, month, öre)`` parts of ``amount_ore`` (may be negative) over ``start``..``end``."""
    return _spread(amount_ore, month_days(start, end))


def allocate_iso(amount_ore: int, start: str, end: str) -> list[tuple[int, int, int]]:
    """:func:`allocate` for dates in their stored form, ``"YYYY-MM-DD"`` (periods repeat: cached)."""
    parts = _month_days_iso(start, end)
    if len(parts) == 1:
        y, m, _ = parts[0]
        return [(y, m, amount_ore)]
    return _spread(amount_ore, parts)


@lru_cache(maxsize=4096)
def _month_days_iso(start: str, end: str) -> tuple[tuple[int, int, int], ...]:
    return tuple(month_days(date.fromisoformat(start), date.fromisoformat(end)))


def _spread(amount_ore: int, parts: Sequence[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    total_days = sum(days for _, _, days in parts)
    sign = -1 if amount_ore < 0 else 1
    amount = abs(amount_ore)
    shares = [amount * days // total_days for _, _, days in parts]
    remainders = [amount * days % total_days for _, _, days in parts]
    left = amount - sum(shares)
    for index in sorted(range(len(parts)), key=lambda i: (-remainders[i], i))[:left]:
        shares[index] += 1
    return [(y, m, sign * share) for (y, m, _), share in zip(parts, shares, strict=True)]
