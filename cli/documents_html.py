"""The decision letter and the investigation as printable, self-contained HTML pages (A4).

Built like the supervision file (:mod:`ledger.cli.tillsyn_html`): no scripts or external
resources, every value escaped. In the CLI's language (Swedish by default).
"""

from __future__ import annotations

from html import escape
from typing import Any

from ledger.cli.describe import local_time, money_text
from ledger.cli.i18n import LANG, t, term
from ledger.cli.tillsyn_html import CSS, _e, _table

_PAGE_CSS = CSS + """
.letter { max-width: 170mm; }
.letter h2 { margin-top: 18px; }
.letter p { margin: 6px 0; }
.appeal { border: 2px solid #1f3a5f; padding: 10px 14px; margin-top: 18px; border-radius: 4px; }
.appeal h2 { border: 0; margin-top: 0; }
.text { white-space: pre-wrap; }
"""


def _page(title: str, sub: str, body: str, training: bool) -> str:
    banner = f'<div class="verdict bad training">{escape(t("training.banner"))}</div>' if training else ""
    return (
        f'<!DOCTYPE html><html lang="{LANG}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_PAGE_CSS}</style></head><body>"
        f'<header><h1>{escape(title)}</h1><div class="sub">{escape(sub)}</div></header>{banner}'
        f'<div class="letter">{body}</div>'
        f"<footer>{escape(t('document.footer'))}</footer></body></html>"
    )


def _facts(rows: list[tuple[str, Any]]) -> str:
    return _table([t("col.key"), t("col.value")],
                  [f"<tr><td>{escape(k)}</td><td>{_e(v)}</td></tr>" for k, v in rows], "facts")


def _sub(data: dict[str, Any]) -> str:
    return t("document.sub", municipality=data.get("municipality") or t("document.unit"), case=data["case"],
             at=local_time(data["produced_at"])[:10])  # the day in Sweden, not in UTC


def decision_letter(data: dict[str, Any]) -> str:
    d, person, appeal = data["decision"], data["person"], data["appeal"]
    outcome = term("outcome", d["outcome"])
    period = f"{d['period_start']} – {d['period_end'] or t('document.until_further')}"
    rows = [
        (t("document.to"), person.get("identity_number")),
        (t("document.decision"), f"{outcome}: {term('intervention', d['intervention'])}"),
        (t("col.period"), period),
        (t("document.legal_ground"), d["legal_ground"]),
        (t("document.decided_by"), f"{d['decided_by'] or '–'}, {d['decided_on']}"),
        (t("document.communicated"), d["communicated_on"]),
        (t("document.notified"), d["notified_on"]),
    ]
    if d.get("daily_price"):
        rows.insert(3, (t("col.daily_price"), money_text(d["daily_price"])))
    status = ""
    if d.get("appealed_on"):
        status = f"<p>{escape(t('document.appealed', on=d['appealed_on']))}</p>"
    if d.get("court_outcome"):
        status += f"<p>{escape(t('document.court', outcome=term('court', d['court_outcome']), on=d['court_on']))}</p>"
    motivation = d.get("motivation") or t("document.no_motivation")
    by = appeal["by"] or t("document.three_weeks")
    appeal_text = t("document.appeal_text", weeks=appeal["weeks"], by=by,
                    municipality=data.get("municipality") or t("document.unit"))
    body = (
        f"<h2>{escape(t('document.h.decision'))}</h2>{_facts(rows)}"
        f"<h2>{escape(t('document.h.motivation'))}</h2><p class=\"text\">{_e(motivation)}</p>"
        f"{status}"
        f'<div class="appeal"><h2>{escape(t("document.h.appeal"))}</h2>'
        f'<p class="text">{escape(appeal_text)}</p></div>'
    )
    return _page(t("document.title.decision", id=d["id"]), _sub(data), body, data.get("training", False))


def _assessment(assessment: dict[str, Any]) -> str:
    if not assessment:
        return t("label.none")
    return f"{term('assessment', assessment.get('outcome', '–'))} ({assessment.get('assessed_on', '–')})"


def investigation(data: dict[str, Any]) -> str:
    person = data["person"]
    assessment = data.get("assessment") or {}
    threat = data.get("threat")
    facts = [
        (t("document.person"), person.get("identity_number")),
        (t("document.actualised"), f"{data['actualised_on']} ({term('source', data['referral_source'])})"),
        (t("document.environment"), term("environment", data["environment"])),
        (t("document.investigation_period"), f"{data['opened_on']} – {data['completed_on'] or t('document.ongoing')}"),
        (t("label.assessment"), _assessment(assessment)),
        (t("label.threat"), f"{term('threat', threat['level'])} ({threat['assessed_on']})" if threat
         else t("label.none")),
        (t("label.assigned_to"), data.get("assigned_to")),
    ]
    fields = {"background": "background", "wishes": "wishes", "assessment": "assessment_text", "proposal": "proposal"}
    sections = "".join(
        f"<h2>{escape(t(f'document.h.{key}'))}</h2><p class=\"text\">{_e(data.get(fields[key]))}</p>"
        for key in ("background", "wishes", "assessment", "proposal")
    )
    plan = ""
    if data.get("plan"):
        items = "".join(f"<li>{escape(str(goal))}</li>" for goal in data["plan"])
        plan = f"<h2>{escape(t('document.h.plan'))}</h2><ol>{items}</ol>"
    decisions = _table([t("col.id"), t("col.outcome"), t("col.intervention"), t("col.decided_on")], [
        f"<tr><td>{_e(d['id'])}</td><td>{_e(term('outcome', d['outcome']))}</td>"
        f"<td>{_e(term('intervention', d['intervention']))}</td><td>{_e(d['decided_on'])}</td></tr>"
        for d in data["decisions"]])
    body = (f"<h2>{escape(t('document.h.facts'))}</h2>{_facts(facts)}{sections}{plan}"
            f"<h2>{escape(t('title.decisions'))}</h2>{decisions}")
    return _page(t("document.title.investigation"), _sub(data), body, data.get("training", False))
