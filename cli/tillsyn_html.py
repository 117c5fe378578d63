"""The file handed to a supervisor: one self-contained, printable HTML page.

No scripts, no external resources (fonts, images, styles are inline), so it opens in any browser
years later without the ledger, and prints on A4. Every value is HTML-escaped. Built from the same
plain dicts that the ``--json`` outputs print; the text is in the CLI's language.
"""

from __future__ import annotations

from html import escape
from typing import Any

from ledger.cli.describe import changes_text, event_name, money_text
from ledger.cli.describe import recipient_text as _recipient
from ledger.cli.i18n import LANG, t, term

CSS = """
@page { size: A4; margin: 16mm 14mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 10.5pt; color: #1a1a1a;
       margin: 0; padding: 0 24px 32px; line-height: 1.35; }
header { background: #1f3a5f; color: #fff; padding: 18px 24px; margin: 0 -24px 18px; }
header h1 { margin: 0 0 4px; font-size: 18pt; }
header .sub { font-size: 10pt; opacity: .9; }
h2 { font-size: 13pt; border-bottom: 2px solid #1f3a5f; padding-bottom: 3px; margin: 22px 0 8px; color: #1f3a5f; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; }
th, td { border: 1px solid #c8ced6; padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #e9eef4; font-weight: 600; }
tr.correction td { background: #fff8e1; font-size: 9.5pt; }
tr.late td.late, span.late { color: #b00020; font-weight: 700; }
.badge { display: inline-block; padding: 1px 7px; border-radius: 9px; font-size: 9pt; font-weight: 600; }
.ok { background: #d9f2e3; color: #11643a; }
.problem { background: #b00020; color: #fff; }
.neutral { background: #e9eef4; color: #1f3a5f; }
.facts td:first-child { width: 28%; font-weight: 600; background: #f6f8fa; }
.verdict { padding: 10px 14px; border-radius: 6px; font-weight: 600; margin: 6px 0; }
.verdict.good { background: #d9f2e3; color: #11643a; border: 1px solid #11643a; }
.verdict.bad { background: #fde7ea; color: #b00020; border: 1px solid #b00020; }
td.d { white-space: nowrap; }
code, .mono { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 9pt; word-break: break-all; }
.protected { background: #b00020; color: #fff; padding: 2px 8px; border-radius: 4px; font-weight: 700; }
footer { margin-top: 24px; font-size: 9pt; color: #555; border-top: 1px solid #c8ced6; padding-top: 6px; }
@media print { header { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
               h2 { break-after: avoid; } tr { break-inside: avoid; } }
"""


def _e(value: Any) -> str:
    return escape("–" if value is None or value == "" else str(value))


def _table(headers: list[str], rows: list[str], css: str = "") -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(rows) if rows else f'<tr><td colspan="{len(headers)}">{escape(t("label.none"))}</td></tr>'
    return f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _details(type_name: str, details: dict[str, Any]) -> str:
    from ledger.cli.describe import details_text

    return escape(details_text(type_name, details))


def _local(moment: str | None) -> str:
    from ledger.cli.describe import local_time

    return "–" if not moment else local_time(moment)


def _case_section(view: dict[str, Any], protected: bool) -> str:
    threat = view["threat"]
    facts = [
        (t("col.status"), term("status", view["status"])),
        (t("col.opened_on"), view["opened_on"]),
        (t("label.closed_on"), view["closed_on"]),
        (t("col.environment"), term("environment", view["environment"])),
        (t("col.source"), term("source", view["referral_source"])),
        (t("label.protection"), term("protection", view["protection_level"])),
        (t("label.threat"), None if threat is None else f"{term('threat', threat['level'])} ({threat['assessed_on']})"),
        (t("label.paid_total"), money_text(view["paid_total"])),
        (t("col.events"), view["event_count"]),
    ]
    rows = "".join(f"<tr><td>{escape(k)}</td><td>{_e(v)}</td></tr>" for k, v in facts)
    consents = [
        f"<tr><td>{_e(_recipient(key))}</td><td>{_e(c['granted_on'])}</td><td>{_e(c['valid_until'])}</td>"
        f"<td>{_e(c['revoked_on'])}</td><td>{escape(t('label.yes') if c['active'] else t('label.no'))}</td></tr>"
        for key, c in view["consents"].items()
    ]
    mark = f'<p><span class="protected">{escape(t("tillsyn.protected"))}</span></p>' if protected else ""
    return (
        f"<h2>1. {escape(t('tillsyn.h.case'))}</h2>{mark}<table class=\"facts\"><tbody>{rows}</tbody></table>"
        f"<h3>{escape(t('title.consents'))}</h3>"
        + _table([t("col.recipient"), t("col.granted_on"), t("tillsyn.valid_until"), t("col.revoked_on"),
                  t("col.active")], consents)
    )


def _timeline_section(history: dict[str, Any]) -> str:
    rows = []
    for e in history["entries"]:
        late = f'<span class="late">{e["days_late"]} !</span>' if e["late"] else str(e["days_late"])
        details = _details(e["type"], e["details"])
        if e.get("reason"):
            details += f" ({escape(t('label.reason'))}: {_e(e['reason'])})"
        if e.get("note"):
            details += f"<br><i>{escape(t('col.text'))}:</i> {_e(e['note'])}"
        rows.append(
            f'<tr class="{"late" if e["late"] else ""}"><td>{e["entry"]}</td><td class="d">{_e(e["occurred_on"])}</td>'
            f"<td>{_e(_local(e['recorded_at']))}</td><td>{_e(e['recorded_by'])}</td><td class=\"late\">{late}</td>"
            f"<td>{_e(event_name(e['type']))}</td><td>{details}</td></tr>"
        )
        for c in e["corrections"]:
            changes = escape(changes_text(e["type"], c["fields"], c["original"], c["corrected"]))
            rows.append(
                f'<tr class="correction"><td></td><td></td><td>{_e(_local(c["recorded_at"]))}</td>'
                f"<td>{_e(c['recorded_by'])}</td><td></td><td>{escape(t('label.corrected'))}</td>"
                f"<td>{escape(t('tillsyn.correction', entry=c['entry']))}: {changes} "
                f"({escape(t('label.reason'))}: {_e(c['reason'])})</td></tr>"
            )
    summary = t("label.history_summary", entries=len(history["entries"]), late=history["late_entries"],
                days=history["late_after_days"], corrected=history["corrected_entries"])
    return (
        f"<h2>2. {escape(t('tillsyn.h.timeline'))}</h2><p>{escape(summary)}</p>"
        + _table([t("col.entry"), t("col.occurred_on"), t("col.recorded_local"), t("col.recorded_by"),
                  t("col.days_late"), t("col.type"), t("col.details")], rows)
    )


def _audit_section(audit: dict[str, Any]) -> str:
    from ledger.cli.render import covered_by

    rows = []
    for s in audit["sharings"]:
        covered = covered_by(s)
        css = "problem" if s["problem"] else ("ok" if s["status"] == "ok" else "neutral")
        label = t(f"audit.{s['status']}")
        rows.append(
            f"<tr><td>{s['entry']}</td><td>{_e(s['occurred_on'])}</td><td>{_e(_local(s['recorded_at']))}</td>"
            f"<td>{_e(_recipient(s['recipient']))}</td><td>{_e(covered)}</td>"
            f'<td><span class="badge {css}">{escape(label)}</span></td></tr>'
        )
    summary = t("label.audit_summary", sharings=len(audit["sharings"]), problems=len(audit["problems"]))
    return (
        f"<h2>3. {escape(t('tillsyn.h.consent'))}</h2><p>{escape(summary)}</p>"
        + _table([t("col.entry"), t("col.occurred_on"), t("col.recorded_local"), t("col.recipient"),
                  t("col.covered_by"), t("col.status")], rows)
    )


def _access_section(entries: list[dict[str, Any]]) -> str:
    def outcome(entry: dict[str, Any]) -> str:
        return t("access.outcome.denied") if entry.get("outcome") == "denied" else t("access.outcome.read")

    rows = [
        f"<tr><td>{_e(_local(a['accessed_at']))}</td><td>{_e(a['user'])}</td><td>{_e(a['command'])}</td>"
        f"<td>{_e(outcome(a))}</td></tr>"
        for a in entries
    ]
    return (
        f"<h2>4. {escape(t('tillsyn.h.access'))}</h2><p>{escape(t('tillsyn.access_intro', count=len(entries)))}</p>"
        + _table([t("tillsyn.accessed_at"), t("col.recorded_by"), t("tillsyn.command"), t("access.col.outcome")],
                 rows)
    )


def _verification_section(verification: dict[str, Any]) -> str:
    """``verification`` is the whole store's verification report, as ``verify --json`` prints it."""
    from ledger.adapters.chain import Digest, Head
    from ledger.cli.i18n import term

    problem = verification["problem"]
    if problem is None:
        verdict = f'<div class="verdict good">{escape(t("tillsyn.verified", events=verification["events"]))}</div>'
    else:
        broken = t("tillsyn.broken", position=problem["position"], problem=term("reason", problem["kind"]))
        verdict = f'<div class="verdict bad">{escape(broken)}</div>'
    access = verification.get("access")
    head = Digest(Head(verification["head"]["position"], verification["head"]["hash"]),
                  Head(access["position"], access["hash"]) if access else None)
    return (
        f"<h2>5. {escape(t('tillsyn.h.verification'))}</h2>{verdict}"
        f"<p>{escape(t('tillsyn.digest_intro'))}</p><p class=\"mono\">{_e(head.line())}</p>"
    )


def render(
    *, view: dict[str, Any], history: dict[str, Any], audit: dict[str, Any], access: list[dict[str, Any]],
    verification: dict[str, Any], produced_at: str, produced_by: str, version: str, training: bool = False,
) -> str:
    """The whole report as one HTML document (from a training store: marked as such at the top)."""
    protected = any(a.get("protected") for a in access) or view["protection_level"] not in ("none", None)
    title = t("tillsyn.title", case=view["case"])
    sub = t("tillsyn.sub", at=_local(produced_at), by=produced_by, version=version)
    return (
        f'<!DOCTYPE html><html lang="{LANG}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
        f'<header><h1>{escape(title)}</h1><div class="sub">{escape(sub)}</div></header>'
        + (f'<div class="verdict bad training">{escape(t("training.banner"))}</div>' if training else "")
        + _case_section(view, protected)
        + _timeline_section(history)
        + _audit_section(audit)
        + _access_section(access)
        + _verification_section(verification)
        + f"<footer>{escape(t('tillsyn.footer'))}</footer></body></html>"
    )
