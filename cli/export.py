"""Writing the yearly statistics: table (terminal), CSV, JSON and XLSX, each with its metadata.

JSON keeps the English codes and plain numbers (``"8065304.00"``): it is for machines and for
merging. The other three are for people and speak the user's language (Swedish unless
``LEDGER_LANG=en``): every title, row and column label comes from the catalogue. The terminal
shows money as ``8 065 304,00``; the xlsx stores numbers as numbers with a number format; the CSV
has labels and codes side by side and plain numbers (see docs/statistics.md).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from decimal import Decimal
from typing import Any

from ledger.cli.i18n import LANG, t, term

#: The vocabulary (``catalogue_vocab`` prefix) of each dimension whose codes are vocabulary codes.
_VOCABULARY = {
    "gender": "gender", "environment": "environment", "referral_source": "source", "protection_need": "answer",
    "intervention": "intervention", "housing": "housing", "occupation": "occupation", "income_support": "answer",
    "substance_use": "answer", "psychiatric_contact": "answer", "new_suspicion": "answer",
    "remaining_threat": "answer", "time_point": "time_point",
}
#: Cells holding money (``"1234.50"``) or a share (``"0.4947"``): (table, row or column code).
_MONEY_COLUMNS = {("costs_by_intervention", "paid"), ("costs_by_intervention", "paid_per_person")}
_MONEY_ROWS = {("cost_summary", "paid"), ("cost_summary", "state_grants"), ("cost_summary", "budget")}
_SHARE_ROWS = {("cost_summary", "share_covered_by_grants"), ("cost_summary", "budget_outcome_share")}
_SHEET_FORBIDDEN = str.maketrans({c: " " for c in ":\\/?*[]"})


def metadata(year: int, municipality: str, threshold: int, suppressed: bool, produced_at: datetime,
             **extra: Any) -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    from ledger.domain.disclosure import MARKER

    try:
        ledger_version = version("avhoppar-ledger")
    except PackageNotFoundError:  # pragma: no cover - running from a checkout without install
        ledger_version = "unknown"
    rule = (
        {"applied": True, "threshold": threshold, "marker": MARKER,
         "rule": f"counts 1-{threshold - 1} and figures resting on fewer than {threshold} people hidden as "
                 f"'{MARKER}'; so is what is derived from a hidden cell, and whatever would let a hidden cell be "
                 "computed from the published tables (secondary suppression over all tables)"}
        if suppressed
        else {"applied": False, "rule": "NONE - internal use only, not for publication"}
    )
    return {"municipality": municipality, "year": year, "produced_at": produced_at.isoformat(timespec="seconds"),
            "ledger_version": ledger_version, "suppression": rule, **extra}


# -- labels ------------------------------------------------------------------------------------------------


def dim_label(dim: str) -> str:
    return term("stats.dim", dim)


def code_label(dim: str, code: str) -> str:
    """The label of a row or column code of dimension ``dim`` in the user's language."""
    if code == "total":
        return t("stats.total")
    if dim in _VOCABULARY:
        return term(_VOCABULARY[dim], code)
    if dim == "step":
        return term("stats.step", code)
    if dim == "age_band":
        return term("stats.age", code)
    if dim in ("measure", "value", "count"):
        return term("stats.col", code)
    if dim == "figure":
        return term("stats.figure", code)
    if dim == "reason":  # drop-outs (``not_investigated:no_consent``) or closure reasons
        kind, _, why = code.partition(":")
        if kind == "not_investigated":
            return t("stats.dropout.not_investigated", reason=term("assessment_reason", why))
        if kind == "closed_before_decision":
            return t("stats.dropout.closed_before_decision", reason=term("closure", why))
        if kind == "denied":
            return t("stats.dropout.denied")
        return term("closure", code)
    if dim == "who":
        kind, _, relation = code.partition(":")
        return t("stats.who.relative", relation=term("relation", relation)) if kind == "relative" else t(
            "stats.who.children")
    return code


def table_title(table_id: str) -> str:
    return term("stats.table", table_id)


def meta_label(key: str) -> str:
    return term("stats.meta", key)


def _meta_rows(meta: dict[str, Any]) -> list[tuple[str, Any]]:
    """The metadata for people: labels, and the rule in words."""
    rows: list[tuple[str, Any]] = []
    suppression = meta["suppression"]
    for key, value in _flat_meta(meta):
        shown: Any = value
        if key == "suppression.applied":
            shown = t("label.yes") if value else t("label.no")
        elif key == "suppression.rule":
            shown = (t("stats.rule.applied", limit=suppression["threshold"] - 1, threshold=suppression["threshold"],
                       marker=suppression["marker"]) if suppression["applied"] else t("stats.rule.none"))
        elif key == "produced_at":  # Swedish time, said so, as in every human view
            from ledger.cli.describe import local_time

            shown = f"{local_time(value)} ({t('label.swedish_time')})"
        elif isinstance(value, list):
            shown = ", ".join(str(v) for v in value)
        rows.append((meta_label(key), shown))
    return rows


def _flat_meta(meta: dict[str, Any]) -> list[tuple[str, Any]]:
    out = []
    for key, value in meta.items():
        if isinstance(value, dict):
            out += [(f"{key}.{k}", v) for k, v in value.items()]
        else:
            out.append((key, value))
    return out


# -- values ------------------------------------------------------------------------------------------------


def cell_kind(table: dict[str, Any], r: int, c: int) -> str:
    """``money``, ``share``, ``decimal`` (medians) or ``whole``."""
    row, col = table["rows"][r], table["cols"][c]
    if (table["id"], col) in _MONEY_COLUMNS or (table["id"], row) in _MONEY_ROWS:
        return "money"
    if (table["id"], row) in _SHARE_ROWS:
        return "share"
    if col in ("median_days", "p90_days"):
        return "decimal"
    return "whole"


def human(value: Any, kind: str) -> str:
    """A value as people read it: ``1 234,50`` (Swedish) or ``1,234.50``; ``49,47 %``; the marker as it
    is; nothing for no value."""
    from ledger.cli.render import money
    from ledger.domain.disclosure import MARKER
    from ledger.domain.money import format_amount

    if value is None:
        return ""
    if value == MARKER:
        return MARKER
    if kind == "money":
        return money(str(value))
    if kind == "share":
        percent = f"{Decimal(str(value)) * 100:.2f}"
        return (percent.replace(".", ",") if LANG == "sv" else percent) + " %"
    number = Decimal(str(value))
    if number == number.to_integral_value():
        return format_amount(number, lang=LANG).rsplit("," if LANG == "sv" else ".", 1)[0]
    text = f"{number:.1f}"
    return text.replace(".", ",") if LANG == "sv" else text


# -- the formats -----------------------------------------------------------------------------------------


def to_json(meta: dict[str, Any], shown: dict[str, Any], raw: dict[str, Any] | None) -> str:
    document: dict[str, Any] = {"metadata": meta, "tables": shown["tables"]}
    if raw is not None:
        document["raw"] = raw  # unsuppressed exports carry what merging needs
    return json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n"


def to_csv(meta: dict[str, Any], shown: dict[str, Any]) -> str:
    """Metadata as ``# label: value`` lines, then one line a cell: labels, the value as a plain number
    (or the marker), and the codes."""
    out = io.StringIO()
    for label, value in _meta_rows(meta):
        out.write(f"# {label}: {value}\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([t("stats.csv.table"), t("stats.csv.row"), t("stats.csv.column"), t("stats.csv.value"),
                     t("stats.csv.table_code"), t("stats.csv.row_code"), t("stats.csv.column_code")])
    for table in shown["tables"]:
        title = table_title(table["id"])
        for r, row in enumerate(table["values"]):
            for c, value in enumerate(row):
                writer.writerow([title, code_label(table["row_dim"], table["rows"][r]),
                                 code_label(table["col_dim"], table["cols"][c]), "" if value is None else value,
                                 table["id"], table["rows"][r], table["cols"][c]])
    return out.getvalue()


def rules_text(meta: dict[str, Any]) -> list[str]:
    """The disclosure control in words, for the workbook's rules sheet."""
    suppression = meta["suppression"]
    if not suppression["applied"]:
        return [t("stats.rules.none")]
    threshold, marker = suppression["threshold"], suppression["marker"]
    return [t("stats.rules.threshold", threshold=threshold, limit=threshold - 1),
            t("stats.rules.basis", threshold=threshold), t("stats.rules.derived"), t("stats.rules.secondary"),
            t("stats.rules.marker", marker=marker), t("stats.rules.empty"), t("stats.rules.protected")]


def sheet_names(shown: dict[str, Any]) -> dict[str, str]:
    """Each table's sheet name: the catalogue's, at most 31 characters, none of ``:\\/?*[]``, unique."""
    taken = {t("stats.sheet.about").casefold(), t("stats.sheet.rules").casefold()}
    names = {}
    for table in shown["tables"]:
        name = term("stats.sheet", table["id"]).translate(_SHEET_FORBIDDEN)[:31]
        base, n = name, 2
        while name.casefold() in taken:
            suffix = f" {n}"
            name, n = base[:31 - len(suffix)] + suffix, n + 1
        taken.add(name.casefold())
        names[table["id"]] = name
    return names


_FORMATS = {"money": "#,##0.00", "share": "0.00%", "decimal": "#,##0.0", "whole": "#,##0"}


def to_xlsx(meta: dict[str, Any], shown: dict[str, Any], path: str) -> None:
    """A workbook: about (metadata and contents), the rules, one sheet a table. Header rows bold, widths
    set, numbers stored as numbers (money with two decimals, shares as percent), hidden cells as the
    marker."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from ledger.domain.disclosure import MARKER

    bold = Font(bold=True)
    names = sheet_names(shown)
    book = Workbook()
    about = book.active
    assert about is not None
    about.title = t("stats.sheet.about")
    for label, value in _meta_rows(meta):
        about.append([label, value])
    about.append([])
    about.append([t("stats.xlsx.tables")])
    about.cell(row=about.max_row, column=1).font = bold
    about.append([t("stats.xlsx.sheet"), t("stats.xlsx.title")])
    for cell in about[about.max_row]:
        cell.font = bold
    for table in shown["tables"]:
        about.append([names[table["id"]], table_title(table["id"])])
    for row in about.iter_rows(max_col=1):
        row[0].font = bold
    _widths(about)

    rules = book.create_sheet(t("stats.sheet.rules"))
    rules.append([t("stats.rules.heading")])
    rules["A1"].font = bold
    for line in rules_text(meta):
        rules.append([line])
        rules.cell(row=rules.max_row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    rules.column_dimensions["A"].width = 100

    for table in shown["tables"]:
        page = book.create_sheet(names[table["id"]])
        page.append([table_title(table["id"])])
        page["A1"].font = Font(bold=True, size=12)
        page.append([dim_label(table["row_dim"]), *(code_label(table["col_dim"], col) for col in table["cols"])])
        for cell in page[2]:
            cell.font = bold
        for r, (code, row) in enumerate(zip(table["rows"], table["values"], strict=True)):
            page.append([code_label(table["row_dim"], code), *(_number(v) for v in row)])
            for c, value in enumerate(row):
                cell = page.cell(row=page.max_row, column=c + 2)
                if value == MARKER:
                    cell.alignment = Alignment(horizontal="right")
                elif value is not None:
                    cell.number_format = _FORMATS[cell_kind(table, r, c)]
        page.freeze_panes = "B3"
        _widths(page, skip_first_row=True)
    from ledger.cli.files import write_with

    write_with(path, book.save)  # whole or not at all: a full disk leaves no half-written workbook


def _number(value: Any) -> Any:
    """A value for a spreadsheet cell: money and shares as numbers, the marker and nothing as they are."""
    if isinstance(value, str) and value != "..":
        try:
            return float(Decimal(value))
        except ArithmeticError:
            return value
    return value


def _widths(sheet: Any, skip_first_row: bool = False) -> None:
    """Each column as wide as its longest text (numbers as they will be shown), within 8 to 60."""
    from openpyxl.utils import get_column_letter

    widest: dict[int, int] = {}
    for r, row in enumerate(sheet.iter_rows()):
        if skip_first_row and r == 0:
            continue  # the title runs across
        for cell in row:
            value = cell.value
            text = f"{value:,.2f}" if isinstance(value, float) else "" if value is None else str(value)
            widest[cell.column] = max(widest.get(cell.column, 0), len(text))
    for column, width in widest.items():
        sheet.column_dimensions[get_column_letter(column)].width = min(60, max(8, width + 2))


def render_tables(meta: dict[str, Any], shown: dict[str, Any]) -> list[Any]:
    from rich.table import Table

    header = Table(show_header=False, title=t("title.stats", year=meta["year"], municipality=meta["municipality"]),
                   title_justify="left")
    header.add_column(t("col.key"))
    header.add_column(t("col.value"))
    for label, value in _meta_rows(meta):
        header.add_row(label, str(value))
    out: list[Any] = [header]
    for table in shown["tables"]:
        grid = Table(title=table_title(table["id"]), title_justify="left")
        grid.add_column(dim_label(table["row_dim"]))
        for col in table["cols"]:
            grid.add_column(code_label(table["col_dim"], col), justify="right")
        for r, (code, row) in enumerate(zip(table["rows"], table["values"], strict=True)):
            grid.add_row(code_label(table["row_dim"], code), *(human(v, cell_kind(table, r, c))
                                                               for c, v in enumerate(row)))
        out.append(grid)
    if meta["suppression"]["applied"]:
        from rich.text import Text

        out.append(Text(t("stats.legend", marker=meta["suppression"]["marker"],
                          threshold=meta["suppression"]["threshold"])))
    return out
