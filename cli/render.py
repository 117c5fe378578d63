"""Human output: rich tables built from the same plain dicts that ``--json`` prints."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.table import Table

from ledger.cli.i18n import LANG, t


def console() -> Console:
    import sys

    return Console(highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 160)


def money(value: str | None) -> str:
    from ledger.money import format_amount

    return t("label.none") if value is None else format_amount(Decimal(value), lang=LANG)


def yes_no(value: bool) -> str:
    return t("label.yes") if value else t("label.no")


def case_table(rows: list[dict[str, Any]]) -> Table:
    table = Table(title=t("title.cases"), title_justify="left")
    for key in ("case", "status", "opened_on", "environment", "source", "running", "recorded_by", "events"):
        table.add_column(t(f"col.{key}"), justify="right" if key in ("running", "events") else "left")
    for r in rows:
        table.add_row(
            r["case"], r["status"], r["opened_on"], r["environment"], r["referral_source"],
            str(r["running_interventions"]), r["last_recorded_by"], str(r["event_count"]),
        )
    return table


def case_details(view: dict[str, Any]) -> list[Table]:
    head = Table(show_header=False, title=view["case"], title_justify="left")
    head.add_column(t("col.key"))
    head.add_column(t("col.value"))
    threat = view["threat"]
    for label, value in (
        (t("col.status"), view["status"]),
        (t("col.opened_on"), view["opened_on"]),
        (t("label.closed_on"), view["closed_on"] or t("label.none")),
        (t("col.environment"), view["environment"]),
        (t("col.source"), view["referral_source"]),
        (t("label.protection"), view["protection_level"]),
        (t("label.threat"), t("label.none") if threat is None else f"{threat['level']} ({threat['assessed_on']})"),
        (t("label.paid_total"), money(view["paid_total"])),
        (t("col.events"), str(view["event_count"])),
    ):
        head.add_row(label, value)
    tables = [head]
    if view["consents"]:
        consents = Table(title=t("title.consents"), title_justify="left")
        for key in ("recipient", "granted_on", "revoked_on", "active"):
            consents.add_column(t(f"col.{key}"))
        for recipient, c in view["consents"].items():
            consents.add_row(recipient, c["granted_on"], c["revoked_on"] or t("label.none"), yes_no(c["active"]))
        tables.append(consents)
    if view["placements"]:
        placements = Table(title=t("title.placements"), title_justify="left")
        for key in ("id", "provider", "intervention", "started_on", "ended_on", "daily_price"):
            placements.add_column(t(f"col.{key}"), justify="right" if key == "daily_price" else "left")
        for p in view["placements"]:
            placements.add_row(
                p["id"], p["provider"], p["type"], p["started_on"], p["ended_on"] or t("label.none"), money(p["daily_price"])
            )
        tables.append(placements)
    return tables


def log_table(entries: list[dict[str, Any]], case: str) -> Table:
    table = Table(title=case, title_justify="left")
    for key in ("entry", "occurred_on", "type", "details", "recorded_by", "recorded_at"):
        table.add_column(t(f"col.{key}"))
    for e in entries:
        details = ", ".join(f"{k}={v}" for k, v in e["details"].items())
        table.add_row(str(e["entry"]), e["occurred_on"], e["type"], details, e["recorded_by"], e["recorded_at"])
    return table
