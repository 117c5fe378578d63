"""Socialstyrelsen's side: merge several municipalities' unsuppressed exports for one year.

Suppressed cells cannot be added up, so only exports made with ``--no-suppression`` (internal,
sent over a secure channel) can be merged; suppression is applied again to the national table.
Counts are added; the interventions, costs and cost summary are rebuilt from the added ``parts``
(medians and 90th percentiles from the merged placement lengths, per-person amounts from the merged
sums). People and providers are added up per municipality (a provider used by two municipalities
counts twice).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ledger.domain.errors import InputError
from ledger.projections.stats import costs_table, declare, interventions_table, summary_table

_REBUILT = {"interventions": interventions_table, "costs_by_intervention": costs_table, "cost_summary": summary_table}


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
        if any(t["id"] in _REBUILT and "parts" not in t for t in export["raw"]["tables"]):
            raise InputError(field="FILE", reason="old_export")
    tables: dict[str, dict[str, Any]] = {}
    order: list[str] = []
    for export in exports:
        for table in export["raw"]["tables"]:
            if table["id"] not in tables:
                order.append(table["id"])
                tables[table["id"]] = _copy(table)
            else:
                tables[table["id"]] = _add(tables[table["id"]], table)
    merged = [_REBUILT[i](tables[i]["parts"]) if i in _REBUILT else tables[i] for i in order]
    return declare({"year": years.pop(), "tables": merged,
                    "municipalities": sorted(e["metadata"]["municipality"] for e in exports)})


def _copy(table: dict[str, Any]) -> dict[str, Any]:
    out = dict(table)
    out["values"] = [list(row) for row in table["values"]]
    return out


def _add(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    if a["id"] in _REBUILT:
        merged = dict(a)
        merged["parts"] = _add_parts(a["parts"], b["parts"])
        return merged
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


def _add_parts(a: Any, b: Any) -> Any:
    """Numbers added, lists (placement lengths) joined, dictionaries key by key; a missing budget is none."""
    if isinstance(a, dict) and isinstance(b, dict):
        return {k: _add_parts(a.get(k), b.get(k)) for k in dict.fromkeys([*a, *b])}
    if a is None or b is None:
        return b if a is None else a
    if isinstance(a, list):
        return sorted(a + b)
    return a + b
