"""Disclosure control for small counts: primary and secondary cell suppression, and the published report.

Primary: a count from 1 to ``threshold - 1`` (default 1–4) is hidden, and so is any cell
(a money sum, a median) that rests on fewer than ``threshold`` people. Secondary: wherever a
row or column adds up to a shown total, one hidden cell alone could be recovered by
subtraction, so one more cell of that line is hidden — the smallest non-zero one, else the
smallest — until no line has exactly one hidden member.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ledger.domain.errors import InputError

MARKER = ".."
DEFAULT_THRESHOLD = 5
#: The thresholds a report may be published with (below 2 hides nothing).
THRESHOLDS = range(2, 101)


def check_threshold(threshold: int) -> int:
    if threshold not in THRESHOLDS:
        raise InputError(field="--threshold", reason="range")
    return threshold


@dataclass
class Grid:
    """A table of numbers with the lines that add up (for secondary suppression)."""

    values: list[list[Any]]
    basis: list[list[int | None]]  # people behind each cell (None: the cell is itself a count)
    lines: list[list[tuple[int, int]]] = field(default_factory=list)  # cells of each additive line, total included
    hidden: list[list[str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.hidden = [["" for _ in row] for row in self.values]


def suppress(grid: Grid, threshold: int) -> Grid:
    """Mark cells ``primary`` or ``secondary`` in ``grid.hidden`` (values stay, for internal use)."""
    for r, row in enumerate(grid.values):
        for c, value in enumerate(row):
            n = grid.basis[r][c] if grid.basis[r][c] is not None else value
            if isinstance(n, int) and 0 < n < threshold:
                grid.hidden[r][c] = "primary"
    changed = True
    while changed:
        changed = False
        for line in grid.lines:
            hidden = [cell for cell in line if grid.hidden[cell[0]][cell[1]]]
            if len(hidden) != 1:
                continue
            candidates = [cell for cell in line if not grid.hidden[cell[0]][cell[1]]]
            if not candidates:
                continue
            nonzero = [cell for cell in candidates if _size(grid, cell) not in (0, None)]
            pick = min(nonzero or candidates, key=lambda cell: (_size(grid, cell) or 0, cell))
            grid.hidden[pick[0]][pick[1]] = "secondary"
            changed = True
    return grid


def _size(grid: Grid, cell: tuple[int, int]) -> Any:
    value = grid.values[cell[0]][cell[1]]
    return value if isinstance(value, int) else grid.basis[cell[0]][cell[1]]


def rows_and_columns(n_rows: int, n_cols: int, row_total: bool, col_total: bool) -> list[list[tuple[int, int]]]:
    """Additive lines of a cross-table whose last column/row (if present) are totals."""
    lines = []
    if row_total:
        lines += [[(r, c) for c in range(n_cols)] for r in range(n_rows)]
    if col_total:
        lines += [[(r, c) for r in range(n_rows)] for c in range(n_cols)]
    return lines


def disclose(report: dict[str, Any], threshold: int = DEFAULT_THRESHOLD, suppressed: bool = True) -> dict[str, Any]:
    """The report for export: hidden cells replaced by the marker, internals dropped."""
    tables = []
    for table in report["tables"]:
        values = table["values"]
        if table["kind"] == "count":
            basis: list[list[int | None]] = [[None] * len(row) for row in values]
            lines = rows_and_columns(len(values), len(values[0]) if values else 0, table["row_total"],
                                     table["col_total"])
        else:
            basis = table["basis"]
            lines = [[(r, c) for r in range(len(values))] for c in table.get("additive_cols", [])]
        grid = Grid(values=values, basis=basis, lines=lines)
        if suppressed:
            suppress(grid, threshold)
        shown = [[MARKER if grid.hidden[r][c] else v for c, v in enumerate(row)] for r, row in enumerate(values)]
        tables.append({"id": table["id"], "row_dim": table["row_dim"], "col_dim": table["col_dim"],
                       "rows": table["rows"], "cols": table["cols"], "values": shown,
                       "suppressed": [[grid.hidden[r][c] for c in range(len(row))] for r, row in enumerate(values)]})
    return {"year": report["year"], "tables": tables}
