"""Disclosure control for the yearly statistics: primary, derived and secondary suppression over the
whole published set, checked by an audit that tries to recompute every hidden cell.

The report (``ledger.projections.stats.build``) declares, per table, what an attacker can use:

- ``basis``: the people behind each cell (``None``: the cell is itself a count of people or providers);
- ``lines``: additive relations, ``[parts, total]`` — the parts add up to the total — or
  ``[parts, total, "distinct"]`` when the total counts distinct people or providers (someone in two
  rows is one in the total: the total is at most the sum, and at least each part);
- ``derived``: ``[cell, sources]`` — the cell is computed from its sources (a per-person amount from
  the sum and the people, a median from the row's people, a share from two amounts);
- ``public``: cells that are not about people at all (the budget) and are never hidden;

and, for the whole report, ``links``: cells of different tables that are the same number (the
step totals of every flow table, the follow-up totals of every outcome table, the amount paid).

The rules, applied until nothing changes:

1. **Primary**: a count from 1 to ``threshold - 1`` is hidden, and so is any cell resting on fewer
   than ``threshold`` people (a sum, a median, a per-person amount).
2. **Links**: a number hidden in one table is hidden wherever it appears (with the same mark).
3. **Derived**: a cell computed from a hidden cell is hidden with it. A derived cell is therefore
   shown only when everything it comes from is shown, and adds nothing to what can be computed.
4. **Secondary**: a line that adds up with exactly one hidden member would give it away by
   subtraction: one more member of the line is hidden, the smallest non-zero one.
5. **Audit**: every line of every table, linked across tables, is one linear equation in the hidden
   cells. A hidden cell is *exposed* when the equations determine it (exact rational elimination),
   when interval reasoning pins it to one value (every hidden cell is a whole number of at least 0;
   each equation bounds each of its unknowns by what the others can add), or — a count hidden
   because it is small — when its upper bound is below the threshold, which would tell that it is
   small. For an exposed cell one more member of one of its lines is hidden, the smallest non-zero
   one, and everything starts again at 2.

Why a cell is hidden is not published: the reader sees ``..`` only. Telling which hidden counts
are the small ones would give bounds (1 to ``threshold - 1``) that, in a table where every count
is small, pin them all.

A ``distinct`` line is taken to add up whenever it does (nobody is in two of its rows: an attacker
who assumes so is right), else only as the inequalities it always satisfies.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from typing import Any

from ledger.domain.errors import InputError

MARKER = ".."
DEFAULT_THRESHOLD = 5
#: The thresholds a report may be published with (below 2 hides nothing).
THRESHOLDS = range(2, 101)
PRIMARY, SECONDARY, DERIVED = "primary", "secondary", "derived"
#: How many rounds of interval tightening the audit runs (each is one pass over every equation).
BOUND_ROUNDS = 60

Ref = tuple[int, int, int]  # table index, row, column
Line = tuple[tuple[Ref, ...], Ref, bool]  # the parts, the total, whether it is an equation
Numbered = tuple[dict[int, int], int]  # sum(coefficient * unknown) >= constant, numbered (_Control._names)
Bound = tuple[list[tuple[int, int]], int]  # a Numbered's terms as a list, as _tighten takes them
#: a line's equations and inequalities, and as bounds its inequalities, its equations and those turned round
Formed = tuple[list[Numbered], list[Numbered], list[Bound], list[Bound], list[Bound]]
_MONEY = re.compile(r"^-?[0-9]+\.[0-9]{2}$")


def check_threshold(threshold: int) -> int:
    if threshold not in THRESHOLDS:
        raise InputError(field="--threshold", reason="range")
    return threshold


def rows_and_columns(n_rows: int, n_cols: int, row_total: bool, col_total: bool) -> list[list[Any]]:
    """The additive lines ``[parts, total]`` of a cross-table whose last column/row are totals."""
    lines: list[list[Any]] = []
    if row_total:
        lines += [[[(r, c) for c in range(n_cols - 1)], (r, n_cols - 1)] for r in range(n_rows)]
    if col_total:
        lines += [[[(r, c) for r in range(n_rows - 1)], (n_rows - 1, c)] for c in range(n_cols)]
    return lines


def number(value: Any) -> int | None:
    """A cell's value as a whole number for the equations: counts and days as they are, money
    (``"1234.50"``) in öre; anything else (medians, shares, nothing) is not in any line."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _MONEY.match(value):
        whole, _, frac = value.partition(".")
        sign = -1 if whole.startswith("-") else 1
        return sign * (abs(int(whole)) * 100 + int(frac))
    return None


def _declared_lines(table: dict[str, Any]) -> list[list[Any]]:
    if "lines" in table:
        return list(table["lines"])
    values = table["values"]
    n_rows, n_cols = len(values), len(values[0]) if values else 0
    if table["kind"] == "count":
        return rows_and_columns(n_rows, n_cols, table.get("row_total", False), table.get("col_total", False))
    return [[[(r, c) for r in range(n_rows - 1)], (n_rows - 1, c)] for c in table.get("additive_cols", [])]


class _Control:
    """The published set as one system of cells, with what is hidden and why."""

    def __init__(self, report: dict[str, Any], threshold: int) -> None:
        self.threshold = threshold
        self.tables = report["tables"]
        index = {t["id"]: i for i, t in enumerate(self.tables)}
        self.hidden: dict[Ref, str] = {}
        self.lines: list[Line] = []
        self.derived: list[tuple[Ref, tuple[Ref, ...]]] = []
        self.public: set[Ref] = set()
        for i, table in enumerate(self.tables):
            for line in _declared_lines(table):
                parts = tuple((i, r, c) for r, c in line[0])
                total = (i, line[1][0], line[1][1])
                adds_up = len(line) < 3 or sum(number(self.value(p)) or 0 for p in parts) == number(self.value(total))
                self.lines.append((parts, total, adds_up))
            for cell, sources in table.get("derived", []):
                self.derived.append(((i, cell[0], cell[1]), tuple((i, r, c) for r, c in sources)))
            self.public |= {(i, r, c) for r, c in table.get("public", [])}
        # linked cells: one number in several tables (union-find on the refs)
        self._parent: dict[Ref, Ref] = {}
        for group in report.get("links", []):
            refs = [(index[t], r, c) for t, r, c in group if t in index]
            for ref in refs[1:]:
                self._union(refs[0], ref)
        self.members: dict[Ref, list[Ref]] = defaultdict(list)
        for ref in self._parent:
            self.members[self.root(ref)].append(ref)
        # each line's constraints by which of its cells are hidden (see constraints)
        self._formed: dict[tuple[int, tuple[bool, ...]], Formed] = {}
        # the cells' values as whole numbers, once: the audit forms every line again after each cell hidden
        self._numbers = {ref: number(self.value(ref)) for parts, total, _ in self.lines for ref in (*parts, total)}
        # each line's cells, its total first: which of them are hidden is asked of every line every round
        self._cells = [(total, *parts) for parts, total, _ in self.lines]
        # every unknown the audit can meet (a line's cell, named by its root) numbered in their order:
        # whole numbers hash faster than the cells' triples, a large report's audit looks them up tens
        # of thousands of times, and numbered once a line's constraints can be kept from round to round
        self._names = sorted({self.root(ref) for ref in self._numbers})
        self._number_of = {name: n for n, name in enumerate(self._names)}

    # -- cells ---------------------------------------------------------------------------------

    def value(self, ref: Ref) -> Any:
        return self.tables[ref[0]]["values"][ref[1]][ref[2]]

    def basis(self, ref: Ref) -> int | None:
        grid = self.tables[ref[0]].get("basis")
        return None if grid is None else grid[ref[1]][ref[2]]

    def is_count(self, ref: Ref) -> bool:
        """A count of people or providers, hidden by its own size."""
        value = self.value(ref)
        return self.basis(ref) is None and isinstance(value, int) and not isinstance(value, bool)

    def root(self, ref: Ref) -> Ref:
        while self._parent.get(ref, ref) != ref:
            ref = self._parent[ref]
        return ref

    def _union(self, a: Ref, b: Ref) -> None:
        self._parent.setdefault(a, a)
        self._parent.setdefault(b, b)
        ra, rb = self.root(a), self.root(b)
        if ra != rb:
            self._parent[max(ra, rb)] = min(ra, rb)

    # -- the rules -----------------------------------------------------------------------------

    def run(self) -> dict[Ref, str]:
        self._primary()
        while True:
            if self._spread() or self._single_hidden_lines():
                continue
            exposed = self.exposed()
            if not exposed or not self._protect(exposed):
                return self.hidden

    def _primary(self) -> None:
        for i, table in enumerate(self.tables):
            for r, row in enumerate(table["values"]):
                for c, value in enumerate(row):
                    ref = (i, r, c)
                    if ref in self.public:
                        continue
                    size = value if self.is_count(ref) else self.basis(ref)
                    if isinstance(size, int) and 0 < size < self.threshold:
                        self.hidden[ref] = PRIMARY

    def _spread(self) -> bool:
        """Rules 2 and 3, to a fixed point. True when something more was hidden."""
        changed_any = False
        changed = True
        while changed:
            changed = False
            for members in self.members.values():
                marks = [self.hidden[m] for m in members if m in self.hidden]
                if marks:
                    mark = PRIMARY if PRIMARY in marks else marks[0]
                    for m in members:
                        if m not in self.hidden:
                            self.hidden[m] = mark
                            changed = True
            for cell, sources in self.derived:
                if cell not in self.hidden and cell not in self.public and any(s in self.hidden for s in sources):
                    self.hidden[cell] = DERIVED
                    changed = True
            changed_any |= changed
        return changed_any

    def _candidates(self, lines: list[Line]) -> list[Ref]:
        hidden, public, numbers = self.hidden, self.public, self._numbers
        return [ref for parts, total, _ in lines for ref in (*parts, total)
                if ref not in hidden and ref not in public and numbers[ref] is not None]

    def _hide_smallest(self, candidates: list[Ref]) -> bool:
        if not candidates:
            return False
        size = {ref: abs(number(self.value(ref)) or 0) for ref in candidates}
        pick = min(candidates, key=lambda ref: (size[ref] == 0, size[ref], ref))
        self.hidden[pick] = SECONDARY
        return True

    def _single_hidden_lines(self) -> bool:
        """Rule 4: True when something more was hidden."""
        changed = False
        for line, cells in zip(self.lines, self._cells, strict=True):
            if line[2] and sum(map(self.hidden.__contains__, cells)) == 1:
                changed |= self._hide_smallest(self._candidates([line]))
        return changed

    # -- the audit -----------------------------------------------------------------------------

    def constraints(self) -> tuple[list[Numbered], list[Numbered], list[Bound]]:
        """The lines over the hidden numbers (a linked number is one unknown, named by its root and
        numbered in the roots' order, ``_names``): equations ``sum(coefficient * unknown) == constant``
        and inequalities ``... >= constant``; and all of them as :func:`_tighten` takes them (an
        equation as two inequalities). Their dicts and lists are kept for later rounds: read them, do
        not change them."""
        equations: list[Numbered] = []
        inequalities: list[Numbered] = []
        bounds: list[Bound] = []  # the inequalities'
        equal: list[Bound] = []  # the equations'
        negated: list[Bound] = []  # the equations turned round
        hidden = self.hidden
        for n, (parts, total, adds_up) in enumerate(self.lines):
            which = tuple(map(hidden.__contains__, self._cells[n]))
            if True not in which:
                continue  # nothing hidden: no constraint
            # a line's constraints depend only on which of its cells are hidden: each round hides one
            # more cell, so most lines are formed as in the round before
            formed = self._formed.get((n, which))
            if formed is None:
                formed = self._formed[(n, which)] = self._line_constraints(parts, total, adds_up)
            equations += formed[0]
            inequalities += formed[1]
            bounds += formed[2]
            equal += formed[3]
            negated += formed[4]
        # in the order _tighten has always taken them: the inequalities, the equations, then the
        # equations turned round
        return equations, inequalities, [*bounds, *equal, *negated]

    def _line_constraints(self, parts: tuple[Ref, ...], total: Ref, adds_up: bool) -> Formed:
        if adds_up:
            form = self._form([*((p, 1) for p in parts), (total, -1)])
            equations = [form] if form else []
            return (equations, [], [], [(list(terms.items()), c) for terms, c in equations],
                    [([(k, -a) for k, a in terms.items()], -c) for terms, c in equations])
        # distinct counts: total <= sum of parts, and each part <= total
        forms = (self._form([*((p, 1) for p in parts), (total, -1)]),
                 *(self._form([(total, 1), (p, -1)]) for p in parts))
        inequalities = [form for form in forms if form]
        return [], inequalities, [(list(terms.items()), c) for terms, c in inequalities], [], []

    def _form(self, signed: list[tuple[Ref, int]]) -> Numbered | None:
        """``sum(sign * cell)`` as hidden terms (numbered) and a constant (the shown cells moved
        across); None when no cell is hidden or a shown one has no number."""
        coefficients: dict[int, int] = defaultdict(int)
        constant = 0
        for ref, sign in signed:
            if ref in self.hidden:
                coefficients[self._number_of[self.root(ref)]] += sign
                continue
            value = self._numbers[ref]
            if value is None:
                return None
            constant -= sign * value
        terms = {k: a for k, a in coefficients.items() if a}
        return (terms, constant) if terms else None

    def exposed(self) -> list[Ref]:
        """The hidden numbers (by root) that the published set gives away: determined by the
        equations, pinned to one value by interval reasoning, or — a count hidden because it is
        small — shown to be below the threshold."""
        equations, inequalities, bounds = self.constraints()
        unknowns = sorted({k for terms, _ in (*equations, *inequalities) for k in terms})
        found = _determined([terms for terms, _ in equations])
        lower = [0] * len(self._names)
        upper: list[int | None] = [None] * len(self._names)
        # the bounds' rounds are the ones that were always run: inequalities first, then the equations
        _tighten(bounds, lower, upper)
        for k in unknowns:
            high = upper[k]
            if lower[k] == high or (high is not None and high < self.threshold and self._small(self._names[k])):
                found.add(k)
        return [self._names[k] for k in sorted(found)]

    def _small(self, unknown: Ref) -> bool:
        return any(self.hidden.get(m) == PRIMARY and self.is_count(m) for m in self.members.get(unknown, [unknown]))

    def _protect(self, exposed: list[Ref]) -> bool:
        """Hide one more member of a line of the first exposed number that has a shown member (else of
        any line connected to it through hidden numbers). False when nothing more can be hidden."""
        by_unknown: dict[Ref, list[Line]] = defaultdict(list)
        hidden = self.hidden
        for line, cells in zip(self.lines, self._cells, strict=True):
            for ref in cells:
                if ref in hidden:
                    by_unknown[self.root(ref)].append(line)
        for unknown in exposed:
            if self._hide_smallest(self._candidates(by_unknown[unknown])):
                return True
        for unknown in exposed:
            seen, todo, lines = {unknown}, [unknown], []
            while todo:
                for line in by_unknown[todo.pop()]:
                    lines.append(line)
                    parts, total, _ = line
                    for ref in (*parts, total):
                        if ref in self.hidden and self.root(ref) not in seen:
                            seen.add(self.root(ref))
                            todo.append(self.root(ref))
            if self._hide_smallest(self._candidates(lines)):
                return True
        return False


def _determined(rows: list[dict[int, int]]) -> set[int]:
    """The unknowns whose value the equations fix: reduced row echelon form over the rationals (kept
    in whole numbers, each row divided by its greatest common divisor); an unknown is determined when
    it is a pivot whose row holds nothing else."""
    pivots: dict[int, dict[int, int]] = {}
    for terms in rows:
        row = dict(terms)
        for pivot in [k for k in row if k in pivots]:
            factor = row.get(pivot)
            if factor:
                row = _combine(row, pivots[pivot], pivot)
        if not row:
            continue
        pivot = min(row)
        for other_pivot, other in pivots.items():
            if pivot in other:
                pivots[other_pivot] = _combine(other, row, pivot)
        pivots[pivot] = row
    return {pivot for pivot, row in pivots.items() if len(row) == 1}


def _combine(row: dict[int, int], by: dict[int, int], unknown: int) -> dict[int, int]:
    """``row`` with ``unknown`` eliminated by ``by`` (whole numbers, divided by their common divisor)."""
    a, f = by[unknown], row[unknown]
    out = {k: a * v for k, v in row.items()}
    for k, v in by.items():
        out[k] = out.get(k, 0) - f * v
    out = {k: v for k, v in out.items() if v}
    divisor = math.gcd(*out.values()) if out else 1
    return {k: v // divisor for k, v in out.items()} if divisor > 1 else out


def _tighten(forms: list[Bound], lower: list[int], upper: list[int | None]) -> None:
    """Interval reasoning: narrow each unknown's whole-number bounds by constraints ``sum(a * x) >= c``
    (``forms``: their terms as a list, the constant), each unknown bounded by the most the others can
    add (``upper`` None: no bound)."""
    for _ in range(BOUND_ROUNDS):
        changed = False
        for items, constant in forms:
            most = 0  # the most the terms can add, over those that have a most
            unbounded: int | None = None
            several = False
            for k, a in items:
                edge = upper[k] if a > 0 else lower[k]
                if edge is None:
                    several = unbounded is not None
                    unbounded = k
                    if several:
                        break
                else:
                    most += a * edge
            if several:
                continue
            for k, a in items:
                if unbounded is not None and k != unbounded:
                    continue
                edge = upper[k] if a > 0 else lower[k]
                need = constant - (most - (0 if edge is None else a * edge))  # a * x >= need
                if a > 0:
                    bound = -((-need) // a)  # ceil(need / a)
                    if bound > lower[k]:
                        lower[k], changed = bound, True
                else:
                    bound = need // a  # floor(need / a): a < 0 turns >= into <=
                    current = upper[k]
                    if current is None or bound < current:
                        upper[k], changed = bound, True
        if not changed:
            break


def hidden_cells(report: dict[str, Any], threshold: int = DEFAULT_THRESHOLD) -> dict[Ref, str]:
    """Every cell to hide, with its mark (``primary``, ``secondary``, ``derived``)."""
    return _Control(report, threshold).run()


def disclose(report: dict[str, Any], threshold: int = DEFAULT_THRESHOLD, suppressed: bool = True) -> dict[str, Any]:
    """The report for export: hidden cells replaced by the marker (``suppressed`` says which, not why),
    internals dropped."""
    hidden = hidden_cells(report, threshold) if suppressed else {}
    tables = []
    for i, table in enumerate(report["tables"]):
        values = table["values"]
        marks = [[(i, r, c) in hidden for c in range(len(row))] for r, row in enumerate(values)]
        shown = [[MARKER if marks[r][c] else v for c, v in enumerate(row)] for r, row in enumerate(values)]
        tables.append({"id": table["id"], "row_dim": table["row_dim"], "col_dim": table["col_dim"],
                       "rows": table["rows"], "cols": table["cols"], "values": shown, "suppressed": marks})
    return {"year": report["year"], "tables": tables}
