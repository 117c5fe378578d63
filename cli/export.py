"""Writing the yearly statistics: table (terminal), CSV, JSON and XLSX, each with its metadata."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any

from ledger.cli.i18n import t, term


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
         "rule": f"counts 1-{threshold - 1} and sums/medians of fewer than {threshold} people hidden as "
                 f"'{MARKER}'; secondary suppression where a total would reveal a hidden cell"}
        if suppressed
        else {"applied": False, "rule": "NONE - internal use only, not for publication"}
    )
    return {"municipality": municipality, "year": year, "produced_at": produced_at.isoformat(timespec="seconds"),
            "ledger_version": ledger_version, "suppression": rule, **extra}


def to_json(meta: dict[str, Any], shown: dict[str, Any], raw: dict[str, Any] | None) -> str:
    document: dict[str, Any] = {"metadata": meta, "tables": shown["tables"]}
    if raw is not None:
        document["raw"] = raw  # unsuppressed exports carry what merging needs
    return json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n"


def to_csv(meta: dict[str, Any], shown: dict[str, Any]) -> str:
    out = io.StringIO()
    for key, value in _flat_meta(meta):
        out.write(f"# {key}: {value}\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["table", "row", "column", "value", "suppressed"])
    for table in shown["tables"]:
        for r, row in enumerate(table["values"]):
            for c, value in enumerate(row):
                writer.writerow([table["id"], table["rows"][r], table["cols"][c], "" if value is None else value,
                                 table["suppressed"][r][c]])
    return out.getvalue()


def to_xlsx(meta: dict[str, Any], shown: dict[str, Any], path: str) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "metadata"
    for key, value in _flat_meta(meta):
        sheet.append([key, str(value)])
    for table in shown["tables"]:
        page = book.create_sheet(title=table["id"][:31])
        page.append([f"{table['row_dim']} \\ {table['col_dim']}", *table["cols"]])
        for label, row in zip(table["rows"], table["values"], strict=True):
            page.append([label, *(_cell(v) for v in row)])
    book.save(path)


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return float(value) if "." in value and value.replace(".", "", 1).lstrip("-").isdigit() else value
        except ValueError:
            return value
    return value


def _flat_meta(meta: dict[str, Any]) -> list[tuple[str, Any]]:
    out = []
    for key, value in meta.items():
        if isinstance(value, dict):
            out += [(f"{key}.{k}", v) for k, v in value.items()]
        else:
            out.append((key, value))
    return out


def render_tables(meta: dict[str, Any], shown: dict[str, Any]) -> list[Any]:
    from rich.table import Table

    header = Table(show_header=False, title=t("title.stats", year=meta["year"], municipality=meta["municipality"]),
                   title_justify="left")
    header.add_column(t("col.key"))
    header.add_column(t("col.value"))
    for key, value in _flat_meta(meta):
        header.add_row(key, str(value))
    out: list[Any] = [header]
    for table in shown["tables"]:
        grid = Table(title=term("stats.table", table["id"]), title_justify="left")
        grid.add_column(term("stats.dim", table["row_dim"]))
        for col in table["cols"]:
            grid.add_column(term("stats.code", col), justify="right")
        for label, row in zip(table["rows"], table["values"], strict=True):
            grid.add_row(term("stats.code", label), *("" if v is None else str(v) for v in row))
        out.append(grid)
    return out
