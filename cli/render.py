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
    from ledger.domain.money import format_amount

    return t("label.none") if value is None else format_amount(Decimal(value), lang=LANG)


def yes_no(value: bool) -> str:
    return t("label.yes") if value else t("label.no")


def case_table(rows: list[dict[str, Any]]) -> Table:
    table = Table(title=t("title.cases"), title_justify="left")
    for key in ("case", "status", "opened_on", "environment", "source", "running", "assigned_to", "recorded_by",
                "events", "attention"):
        table.add_column(t(f"col.{key}"), justify="right" if key in ("running", "events") else "left")
    for r in rows:
        table.add_row(
            r["case"], r["status"], r["opened_on"], r["environment"], r["referral_source"],
            str(r["running_interventions"]), r.get("assigned_to") or t("label.none"), r["last_recorded_by"],
            str(r["event_count"]), ", ".join(t(f"attention.{a}") for a in r["attention"]),
        )
    return table


def case_details(view: dict[str, Any]) -> list[Table]:
    title = view["case"]
    if view.get("as_of"):
        title += "  " + t("label.as_of", date=view["as_of"])
    if view.get("recorded_before"):
        title += "  " + t("label.recorded_before", moment=local_time(view["recorded_before"]))
    head = Table(show_header=False, title=title, title_justify="left")
    head.add_column(t("col.key"))
    head.add_column(t("col.value"))
    threat = view.get("threat")
    rows: list[tuple[str, str | None]] = [
        (t("col.status"), view["status"]),
        (t("col.opened_on"), view["opened_on"]),
        (t("label.closed_on"), view["closed_on"] or t("label.none")),
    ]
    if "environment" in view:  # not in an economist's view of the case's money
        rows += [
            (t("col.environment"), view["environment"]),
            (t("col.source"), view["referral_source"]),
            (t("label.protection"), view["protection_level"]),
            (t("label.threat"), t("label.none") if threat is None else f"{threat['level']} ({threat['assessed_on']})"),
            (t("label.assigned_to"), view.get("assigned_to") or t("label.none")),
        ]
    rows += [(t("label.paid_total"), money(view["paid_total"])), (t("col.events"), str(view["event_count"]))]
    for label, value in rows:
        head.add_row(label, value)
    tables = [head]
    if view.get("consents"):
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
                p["id"], p["provider"], p["type"], p["started_on"], p["ended_on"] or t("label.none"),
                money(p["daily_price"]),
            )
        tables.append(placements)
    return tables


def users_table(data: dict[str, Any]) -> Table:
    """The ledger's users, their roles in Swedish, ended ones marked."""
    table = Table(title=t("title.users"), title_justify="left")
    for key in ("user", "roles", "active"):
        table.add_column(t(f"users.col.{key}"))
    for u in data["users"]:
        table.add_row(u["name"], ", ".join(t(f"role.{r}") for r in u["roles"]), yes_no(u["active"]))
    return table


def log_table(entries: list[dict[str, Any]], case: str) -> Table:
    table = Table(title=case, title_justify="left")
    for key in ("entry", "occurred_on", "type", "details", "recorded_by", "recorded_at"):
        table.add_column(t(f"col.{key}"))
    for e in entries:
        details = ", ".join(f"{k}={v}" for k, v in e["details"].items())
        table.add_row(str(e["entry"]), e["occurred_on"], e["type"], details, e["recorded_by"], e["recorded_at"])
    return table


def budget_tables(report: dict[str, Any]) -> list[Any]:
    """The year's figures, a monthly bar chart of cumulative paid against the budget, and a breakdown."""
    figures = Table(show_header=False, title=t("title.budget", year=report["year"], as_of=report["as_of"]),
                    title_justify="left")
    figures.add_column(t("col.key"))
    figures.add_column(t("col.value"), justify="right")
    for key in ("budget", "paid", "committed", "state_grants", "net_cost", "remaining", "forecast_year_end",
                "forecast_remaining"):
        figures.add_row(t(f"budget.{key}"), money(report[key]))
    share = report["share_used"]
    percent = t("label.none") if share is None else f"{Decimal(share) * 100:.1f} %"
    figures.add_row(t("budget.share_used"), percent.replace(".", ",") if LANG == "sv" else percent)
    figures.add_row(t("budget.runs_out"), report["budget_runs_out"] or t("label.none"))
    figures.add_row(t("budget.clients"), str(report["clients_with_payments"]))
    figures.add_row(t("budget.providers"), str(report["providers_with_payments"]))
    out: list[Any] = [figures, month_chart(report)]
    if "rows" in report:
        table = Table(title=t(f"budget.by.{report['by']}"), title_justify="left")
        table.add_column(t("col.key"))
        columns = [c for c in ("paid", "committed", "forecast") if c in report["rows"][0]] if report["rows"] else []
        for column in columns:
            table.add_column(t(f"budget.{column}"), justify="right")
        for row in report["rows"]:
            table.add_row(row["key"], *(money(row[c]) for c in columns))
        out.append(table)
    return out


def month_chart(report: dict[str, Any], width: int = 40) -> Table:
    """Cumulative paid per month as bars; the budget is the full width; '|' marks it."""
    budget = Decimal(report["budget"])
    cumulative = Decimal(0)
    peak = max(budget, Decimal(report["forecast_year_end"]), Decimal(1))
    table = Table(title=t("title.cumulative"), title_justify="left", show_header=False, box=None)
    table.add_column(t("col.month"))
    table.add_column("")
    table.add_column("", justify="right")
    mark = int(budget / peak * width) if budget else None
    committed = Decimal(0)
    for entry in report["months"]:
        cumulative += Decimal(entry["paid"])
        committed += Decimal(entry["committed"])
        filled = int(cumulative / peak * width)
        planned = min(width + 1 - filled, int((cumulative + committed) / peak * width) - filled)
        bar = ["█"] * filled + ["░"] * planned + [" "] * (width + 1 - filled - planned)
        if mark is not None:
            bar[mark] = "|" if mark >= filled else "┃"
        over = budget and cumulative + committed > budget
        table.add_row(f"{report['year']}-{entry['month']:02d}", ("[red]" if over else "") + "".join(bar)
                      + ("[/red]" if over else ""), money(str(cumulative)))
    return table


def local_time(moment: str) -> str:
    """An ISO UTC timestamp as the unit's local time, to the minute (``2026-03-10 14:30``)."""
    from datetime import datetime

    from ledger.domain.clock import LOCAL

    return datetime.fromisoformat(moment).astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")


def _value(value: Any) -> str:
    if value is None:
        return t("label.none")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _details(details: dict[str, Any]) -> str:
    return "; ".join(f"{k}={_value(v)}" for k, v in details.items())


def history_table(report: dict[str, Any]) -> Table:
    """The timeline; late entries in red with a mark, each correction on its own line under the entry."""
    title = report["case"]
    if report["as_of"]:
        title += "  " + t("label.as_of", date=report["as_of"])
    if report["recorded_before"]:
        title += "  " + t("label.recorded_before", moment=local_time(report["recorded_before"]))
    table = Table(title=title, title_justify="left")
    for key in ("entry", "occurred_on", "recorded_local", "recorded_by", "days_late", "type", "details"):
        table.add_column(t(f"col.{key}"))
    for e in report["entries"]:
        late = f"[red]{e['days_late']} ![/red]" if e["late"] else str(e["days_late"])
        details = _details(e["details"])
        if e.get("reason"):
            details += f" ({t('label.reason')}: {e['reason']})"
        table.add_row(str(e["entry"]), e["occurred_on"], local_time(e["recorded_at"]), e["recorded_by"], late,
                      e["type"], details)
        for c in e["corrections"]:
            changed = ", ".join(
                f"{k}: {_value(c['original'].get(k, '…'))} → {_value(c['corrected'].get(k, '…'))}" for k in c["fields"]
            )
            table.add_row("", "", local_time(c["recorded_at"]), c["recorded_by"], "",
                          f"[yellow]{t('label.corrected')}[/yellow]",
                          t("label.correction_line", entry=c["entry"], changes=changed, reason=c["reason"]))
    return table


def covered_by(sharing: dict[str, Any]) -> str:
    """What covered a sharing in the consent audit: the legal ground, the consent entry, or nothing."""
    consent = sharing["consent"]
    if sharing["status"] == "legal_basis":
        return t("label.legal_basis", basis=sharing["legal_basis"])
    if consent:
        return t("label.consent_ref", entry=consent["entry"], granted=consent["granted_on"])
    return t("label.none")


def consent_audit_table(report: dict[str, Any]) -> Table:
    """Each sharing, what covered it, and the problem if any (problems in red)."""
    table = Table(title=t("title.consent_audit"), title_justify="left")
    for key in ("case", "entry", "occurred_on", "recorded_local", "recipient", "covered_by", "status"):
        table.add_column(t(f"col.{key}"))
    for case in report["cases"]:
        for s in case["sharings"]:
            covered = covered_by(s)
            status = t(f"audit.{s['status']}")
            table.add_row(s["case"], str(s["entry"]), s["occurred_on"], local_time(s["recorded_at"]), s["recipient"],
                          covered, f"[red]{status}[/red]" if s["problem"] else status)
    return table
