"""Human output: rich tables built from the same plain dicts that ``--json`` prints."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ledger.cli.describe import changes_text, details_text, event_name, local_time, recipient_text
from ledger.cli.i18n import LANG, t, term


def console() -> Console:
    import sys

    # markup=False: text people typed ("[bold]…") is shown as typed; emphasis is given as styled Text
    return Console(highlight=False, markup=False, soft_wrap=False, width=None if sys.stdout.isatty() else 160)


def money(value: str | None) -> str:
    from ledger.domain.money import format_amount

    return t("label.none") if value is None else format_amount(Decimal(value), lang=LANG)


def yes_no(value: bool) -> str:
    return t("label.yes") if value else t("label.no")


#: The case list's columns, most important first: at a narrow terminal the last are left out rather
#: than a case number or a date cut.
_CASE_COLUMNS = (("case", 13), ("status", 8), ("opened_on", 10), ("assigned_to", 10), ("attention", 14),
                 ("environment", 10), ("running", 5), ("source", 8), ("recorded_by", 10), ("events", 5))
_WHOLE = {"case", "opened_on", "occurred_on", "recorded_at", "started_on", "ended_on", "decided_on", "date",
          "paid_on", "due_on", "id"}


def _column(table: Table, key: str, label: str, **kw: Any) -> None:
    """A column; case numbers, dates and ids are never wrapped or cut (other columns give way)."""
    whole = key in _WHOLE
    table.add_column(label, no_wrap=whole, min_width=10 if whole and key != "id" else None,
                     overflow="fold", **kw)


def _width() -> int:
    return console().width or 160


def case_table(rows: list[dict[str, Any]]) -> Table:
    """The case list. Columns are left out, least important first, until the table fits the terminal."""
    room, keys = _width(), []  # type: int, list[str]
    used = 4  # borders
    for key, least in _CASE_COLUMNS:
        if keys and used + least + 3 > room:
            continue
        keys.append(key)
        used += least + 3
    table = Table(title=t("title.cases"), title_justify="left")
    for key in keys:
        _column(table, key, t(f"col.{key}"), justify="right" if key in ("running", "events") else "left")
    for r in rows:
        cells = {
            "case": r["case"], "status": term("status", r["status"]) if not r.get("thinned_on") else t("label.thinned"),
            "opened_on": r["opened_on"], "environment": term("environment", r["environment"]),
            "source": term("source", r["referral_source"]), "running": str(r["running_interventions"]),
            "assigned_to": r.get("assigned_to") or t("label.none"), "recorded_by": r["last_recorded_by"],
            "events": str(r["event_count"]), "attention": ", ".join(t(f"attention.{a}") for a in r["attention"]),
        }
        table.add_row(*(cells[k] for k in keys))
    return table


def _facts(title: str, rows: list[tuple[str, str]]) -> Table:
    table = Table(show_header=False, title=title, title_justify="left")
    table.add_column(t("col.key"), no_wrap=True)
    table.add_column(t("col.value"), overflow="fold")
    for label, value in rows:
        table.add_row(label, value)
    return table


def _none(value: Any) -> str:
    return t("label.none") if value in (None, "", []) else str(value)


def case_details(view: dict[str, Any]) -> list[Table]:
    """``case show``: the whole case — summary, person, consents, threat, assessment, investigation and
    plan, decisions with their status, placements, services, payments, follow-ups."""
    title = view["case"]
    if view.get("as_of"):
        title += "  " + t("label.as_of", date=view["as_of"])
    if view.get("recorded_before"):
        title += "  " + t("label.recorded_before", moment=local_time(view["recorded_before"]))
    rows: list[tuple[str, str]] = [
        (t("col.status"), term("status", view["status"])),
        (t("col.opened_on"), view["opened_on"]),
        (t("label.closed_on"), _none(view["closed_on"]) + (f" ({term('closure', view['closure_reason'])})"
                                                           if view.get("closure_reason") else "")),
    ]
    if "environment" in view:  # not in an economist's view of the case's money
        threat = view.get("threat")
        rows += [
            (t("label.person"), f"{view.get('person', {}).get('identity', '–')}, {term('gender', view['gender'])}, "
                                f"{_none(view.get('birth_year'))}"),
            (t("col.environment"), term("environment", view["environment"])),
            (t("col.source"), term("source", view["referral_source"])),
            (t("label.protection"), term("protection", view["protection_level"])
             if view["protection_level"] != "none" else t("label.none")),
            (t("label.threat"), t("label.none") if threat is None else
             f"{term('threat', threat['level'])} ({threat['assessed_on']})"
             + (f", {t('label.review_on')} {threat['review_on']}" if threat.get("review_on") else "")),
            (t("label.assigned_to"), _none(view.get("assigned_to"))),
            (t("label.investigation"), term("investigation", view.get("investigation", "none"))),
            (t("label.journal"), str(view.get("journal_entries", 0))),
        ]
        details = view.get("assessment_details")
        if details:
            conditions = ", ".join(f"{t('label.' + k)}: {_yes_no_unknown(details[k])}"
                                   for k in ("motivated", "consent_given", "serious_crime_suspected"))
            rows.append((t("label.assessment"), f"{term('assessment', details['outcome'])} "
                                                f"({details['assessed_on']}); {conditions}"))
    payments = view.get("payments", [])
    rows += [(t("label.paid_total"), money(view["paid_total"]))]
    if payments:
        latest = payments[-1]
        rows.append((t("label.latest_payment"), f"{money(latest['amount'])} ({latest['paid_on']}, {latest['id']})"))
    rows.append((t("col.events"), str(view["event_count"])))
    tables = [_facts(title, rows)]
    if view.get("consents"):
        consents = Table(title=t("title.consents"), title_justify="left")
        for key in ("recipient", "granted_on", "revoked_on", "active"):
            _column(consents, key if key != "granted_on" else "date", t(f"col.{key}"))
        for recipient, c in view["consents"].items():
            consents.add_row(recipient_text(recipient), c["granted_on"], _none(c["revoked_on"]), yes_no(c["active"]))
        tables.append(consents)
    if view.get("decisions"):
        decisions = Table(title=t("title.decisions"), title_justify="left")
        for key, label in (("id", "col.id"), ("outcome", "col.outcome"), ("intervention", "col.intervention"),
                           ("decided_on", "col.decided_on"), ("period", "col.period"), ("status", "col.status"),
                           ("decided_by", "col.decided_by")):
            _column(decisions, key, t(label))
        for d in view["decisions"]:
            status = term("decision_status", d["status"])
            period = (t("label.none") if d["outcome"] == "denied" else  # a refusal has no period
                      f"{d['period_start']} – {_none(d['period_end'])}")
            if d.get("appealed_on"):
                status += f" ({t('label.appealed')} {d['appealed_on']})"
            if d.get("court_outcome"):
                status += f"; {t('label.court')}: {term('court', d['court_outcome'])} {d['court_on']}"
            decisions.add_row(d["id"], term("outcome", d["outcome"]), term("intervention", d["type"]),
                              d.get("decided_on", "–"), period, status,
                              _none(d.get("decided_by")))
        tables.append(decisions)
    if view.get("plan"):
        plan = view["plan"]
        tables.append(_facts(t("title.plan", id=plan["id"], date=plan["set_on"]),
                             [(str(g["number"]), g["goal"]) for g in plan["goals"]]))
    for key, title_key in (("placements", "title.placements"), ("services", "title.services")):
        items = view.get(key) or []
        if not items:
            continue
        table = Table(title=t(title_key), title_justify="left")
        for col in ("id", "provider", "intervention", "started_on", "ended_on"):
            _column(table, col, t(f"col.{col}"))
        _column(table, "price", t("col.daily_price"), justify="right")
        for p in items:
            price = p.get("daily_price") if key == "placements" else p.get("price")
            table.add_row(p["id"], p["provider"], term("intervention", p["type"]), p["started_on"],
                          _none(p["ended_on"]), money(price) if price is not None else t("label.none"))
        tables.append(table)
    if view.get("followup_details"):
        followups = Table(title=t("title.followups"), title_justify="left")
        for key, label in (("date", "col.date"), ("time_point", "col.time_point"), ("housing", "col.housing"),
                           ("occupation", "col.occupation"), ("goals", "col.goals")):
            _column(followups, key, t(label))
        for f in view["followup_details"]:
            goals = ", ".join(f"{n}: {term('goal', outcome)}" for n, outcome in f["goals"].items())
            followups.add_row(f["on"], term("time_point", f["time_point"]), term("housing", f["housing"]),
                              term("occupation", f["occupation"]), goals or t("label.none"))
        tables.append(followups)
    return tables


def _yes_no_unknown(value: bool | None) -> str:
    return t("label.unknown") if value is None else yes_no(value)


def found_table(rows: list[dict[str, Any]]) -> Table:
    table = Table(title=t("title.found"), title_justify="left")
    for key, label in (("case", "col.case"), ("status", "col.status"), ("opened_on", "col.opened_on"),
                       ("date", "label.closed_on"), ("assigned_to", "col.assigned_to")):
        _column(table, key, t(label))
    for r in rows:
        table.add_row(r["case"], term("status", r["status"]), r["opened_on"], _none(r["closed_on"]),
                      _none(r["assigned_to"]))
    return table


def journal_table(data: dict[str, Any]) -> Table:
    """``case journal``: who wrote what, when, late entries marked, corrections beneath their entry."""
    table = Table(title=t("title.journal", case=data["case"]), title_justify="left")
    for key, label in (("id", "col.entry"), ("occurred_on", "col.occurred_on"), ("recorded_at", "col.recorded_at"),
                       ("by", "col.recorded_by"), ("kind", "col.kind"), ("text", "col.text")):
        _column(table, key, t(label))
    for e in data["entries"]:
        kind = term("journal", e["kind"])
        if e["about"]:
            kind += f" ({term('event', e['about'])})"
        if e["objection_to"]:
            kind += f" ({t('label.about_entry', entry=e['objection_to'])})"
        when = local_time(e["recorded_at"])
        if e["late"]:
            when += f" ({t('label.late_days', days=e['days_late'])})"
        table.add_row(str(e["entry"]), e["occurred_on"], when, e["recorded_by"], kind, e["text"])
        for c in e["corrections"]:
            table.add_row("", "", local_time(c["recorded_at"]), c["recorded_by"],
                          t("label.corrected_in", entry=c["entry"]),
                          f"{c['corrected']}  ({t('label.was')}: {c['original']}; {c['reason']})", style="italic")
    return table


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
        table.add_row(str(e["entry"]), e["occurred_on"], event_name(e["type"]), details_text(e["type"], e["details"]),
                      e["recorded_by"], local_time(e["recorded_at"]))
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
            key = term("intervention", row["key"]) if report["by"] == "intervention" else row["key"]
            table.add_row(key, *(money(row[c]) for c in columns))
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
        table.add_row(f"{report['year']}-{entry['month']:02d}", Text("".join(bar), style="red" if over else ""),
                      money(str(cumulative)))
    return table


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
        late = Text(f"{e['days_late']} !", style="red") if e["late"] else str(e["days_late"])
        details = details_text(e["type"], e["details"])
        if e.get("reason"):
            details += f" ({t('label.reason')}: {e['reason']})"
        if e.get("note"):
            details += f"\n{t('journal.note').capitalize()}: {e['note']}"
        table.add_row(str(e["entry"]), e["occurred_on"], local_time(e["recorded_at"]), e["recorded_by"], late,
                      event_name(e["type"]), details)
        for c in e["corrections"]:
            changed = changes_text(e["type"], c["fields"], c["original"], c["corrected"])
            table.add_row("", "", local_time(c["recorded_at"]), c["recorded_by"], "",
                          Text(t("label.corrected"), style="yellow"),
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
            table.add_row(s["case"], str(s["entry"]), s["occurred_on"], local_time(s["recorded_at"]),
                          recipient_text(s["recipient"]),
                          covered, Text(status, style="red") if s["problem"] else status)
    return table
