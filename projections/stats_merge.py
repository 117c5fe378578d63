"""Socialstyrelsen's side: merge several municipalities' unsuppressed exports for one year.

Suppressed cells cannot be added up, so only exports made with ``--no-suppression`` (internal,
sent over a secure channel) can be merged; suppression is applied again to the national table.
Medians and 90th percentiles are recomputed from the merged placement lengths. People and
providers are added up per municipality (a provider used by two municipalities counts twice).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ledger.domain.errors import InputError
from ledger.projections.budget import kr
from ledger.projections.stats import median, p90


def merge_files(paths: list[str]) -> dict[str, Any]:
    """:func:`merge` of the exports in these files (``InputError`` for a file that cannot be read as one)."""
    exports = []
    for name in paths:
        try:
            exports.append(json.loads(Path(name).read_text(encoding="utf-8")))
        except (OSError, ValueError):
            raise InputError(field="FILE", reason="unreadable") from None
    return merge(exports)


def merge(exports: list[dict[str, Any]]) -> dict[str, Any]:
    """One raw report (as :func:`ledger.projections.stats.build` makes) from several exports."""
    if not exports:
        raise InputError(field="FILE", reason="required")
    years = {e["metadata"]["year"] for e in exports}
    if len(years) != 1:
        raise InputError(field="year", reason="mixed_years")
    for export in exports:
        if export["metadata"].get("suppression", {}).get("applied", True) or "raw" not in export:
            raise InputError(field="FILE", reason="suppressed_export")
    tables: dict[str, dict[str, Any]] = {}
    order: list[str] = []
    for export in exports:
        for table in export["raw"]["tables"]:
            if table["id"] not in tables:
                order.append(table["id"])
                tables[table["id"]] = _copy(table)
            else:
                tables[table["id"]] = _add(tables[table["id"]], table)
    return {"year": years.pop(), "tables": [_finish(tables[i]) for i in order],
            "municipalities": sorted(e["metadata"]["municipality"] for e in exports)}


def _copy(table: dict[str, Any]) -> dict[str, Any]:
    out = dict(table)
    out["values"] = [list(row) for row in table["values"]]
    return out


def _add(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    if a["kind"] == "count":
        rows = list(dict.fromkeys([r for r in a["rows"] if r != "total"] + [r for r in b["rows"] if r != "total"]))
        if a["col_total"]:
            rows.append("total")
        merged = _copy(a)
        merged["rows"] = rows
        index_a = {r: i for i, r in enumerate(a["rows"])}
        index_b = {r: i for i, r in enumerate(b["rows"])}
        width = len(a["cols"])
        merged["values"] = [
            [(a["values"][index_a[r]][c] if r in index_a else 0) + (b["values"][index_b[r]][c] if r in index_b else 0)
             for c in range(width)]
            for r in rows
        ]
        return merged
    merged = _copy(a)
    if a["id"] == "interventions":
        merged["lengths"] = {k: sorted(a["lengths"].get(k, []) + b["lengths"].get(k, []))
                             for k in set(a["lengths"]) | set(b["lengths"])}
        for r in range(len(a["rows"])):
            for c in (0, 1, 4):
                merged["values"][r][c] = a["values"][r][c] + b["values"][r][c]
    elif a["id"] == "costs_by_intervention":
        merged["paid_ore"] = {k: a["paid_ore"].get(k, 0) + b["paid_ore"].get(k, 0)
                              for k in set(a["paid_ore"]) | set(b["paid_ore"])}
        merged["payers"] = {k: a["payers"].get(k, 0) + b["payers"].get(k, 0)
                            for k in set(a["payers"]) | set(b["payers"])}
        merged["people_total"] = a.get("people_total", a["values"][-1][1]) + b["values"][-1][1]
    elif a["id"] == "cost_summary":
        merged["granted_ore"] = a["granted_ore"] + b["granted_ore"]
        merged["budget_ore"] = (a["budget_ore"] or 0) + (b["budget_ore"] or 0)
        merged["paid_total_ore"] = a.get("paid_total_ore", _ore(a["values"][0][0])) + _ore(b["values"][0][0])
        merged["people"] = a.get("people", a["basis"][0][0]) + b["basis"][0][0]
    return merged


def _ore(text: str) -> int:
    whole, _, frac = text.partition(".")
    sign = -1 if whole.startswith("-") else 1
    return sign * (abs(int(whole)) * 100 + int((frac + "00")[:2]))


def _finish(table: dict[str, Any]) -> dict[str, Any]:
    """Recompute what cannot be added: medians, percentiles, per-person amounts, shares."""
    if table["id"] == "interventions":
        lengths = table["lengths"]
        everything = sorted(n for values in lengths.values() for n in values)
        for r, kind in enumerate(table["rows"]):
            values = everything if kind == "total" else lengths.get(kind, [])
            table["values"][r][2], table["values"][r][3] = median(values), p90(values)
            table["basis"][r] = [None, table["values"][r][0], len(values), len(values), table["values"][r][0]]
    elif table["id"] == "costs_by_intervention":
        total_people = table.get("people_total", table["values"][-1][1])
        for r, kind in enumerate(table["rows"]):
            paid = sum(table["paid_ore"].values()) if kind == "total" else table["paid_ore"].get(kind, 0)
            who = total_people if kind == "total" else table["payers"].get(kind, 0)
            table["values"][r] = [kr(paid), who, kr(paid // who) if who else None]
            table["basis"][r] = [who, None, who]
    elif table["id"] == "cost_summary" and "paid_total_ore" in table:
        paid, granted, budget = table["paid_total_ore"], table["granted_ore"], table["budget_ore"]
        table["values"] = [[kr(paid)], [kr(granted)], [f"{granted / paid:.4f}" if paid else None],
                           [kr(budget) if budget else None], [f"{paid / budget:.4f}" if budget else None]]
        people = table["people"]
        table["basis"] = [[people], [people], [people], [None], [people]]
    return table
