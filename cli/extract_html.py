"""The register extract as one self-contained, printable HTML page (in the CLI's language).

Built like the supervision file (:mod:`ledger.cli.tillsyn_html`): no scripts or external
resources, every value escaped, A4 print styles.
"""

from __future__ import annotations

from html import escape
from typing import Any

from ledger.cli.describe import event_name, field_label, local_time, recipient_text, value_text
from ledger.cli.i18n import LANG, t, term
from ledger.cli.tillsyn_html import CSS, _e, _table


def _fields(type_name: str, fields: dict[str, Any]) -> str:
    """An entry's fields as the other views give them (:mod:`ledger.cli.describe`): labels, codes in
    words, amounts as ``1 234,50``."""
    return "<br>".join(f"<b>{escape(field_label(key))}</b>: {escape(value_text(type_name, key, value))}"
                       for key, value in fields.items()) or "–"


def _time(moment: str) -> str:
    return escape(local_time(moment))


def _case(case: dict[str, Any]) -> str:
    entries = [
        f"<tr><td class=\"d\">{_e(e['entry'])}</td><td class=\"d\">{_e(e['occurred_on'])}</td>"
        f"<td class=\"d\">{_time(e['recorded_at'])}</td><td>{_e(e['recorded_by'])}</td>"
        f"<td>{escape(event_name(e['type']))}</td><td>{_fields(e['type'], e['fields'])}</td></tr>"
        for e in case["entries"]
    ]
    decisions = [
        f"<tr><td>{_e(d['id'])}</td><td>{_e(term('outcome', d['outcome']))}</td>"
        f"<td>{_e(term('intervention', d['intervention']))}</td>"
        f"<td class=\"d\">{_e(d['period_start'])} – {_e(d['period_end'])}</td>"
        f"<td>{_e(term('decision_status', d['status']))}</td></tr>"
        for d in case["decisions"]
    ]
    consents = [
        f"<tr><td>{_e(recipient_text(c['recipient']))}{' (' + _e(c['provider']) + ')' if c['provider'] else ''}</td>"
        f"<td>{_e(c['purpose'])}</td><td class=\"d\">{_e(c['granted_on'])}</td>"
        f"<td class=\"d\">{_e(c['valid_until'])}</td></tr>"
        for c in case["consents"]
    ]
    sharings = [
        f"<tr><td class=\"d\">{_e(s['shared_on'])}</td><td>{_e(recipient_text(s['recipient']))}</td>"
        f"<td>{_e(s['what'])}</td>"
        f"<td>{_e(s['legal_basis'] or t('extract.by_consent'))}</td><td>{_e(s['recorded_by'])}</td></tr>"
        for s in case["sharings"]
    ]
    reads = [
        f"<tr><td class=\"d\">{_time(a['accessed_at'])}</td><td>{_e(a['user'])}</td>"
        f"<td>{_e(a['command'])}</td><td>{_e(t('access.outcome.' + a['outcome']))}</td></tr>"
        for a in case["access"]
    ]
    return (
        f"<h2>{escape(t('extract.h.case', case=case['case']))}</h2>"
        + "<p>" + escape(t("extract.case_facts", status=term("status", case["status"]), opened=case["opened_on"],
                           closed=case["closed_on"] or "–", assigned=case["assigned_to"] or "–")) + "</p>"
        f"<h3>{escape(t('extract.h.entries'))}</h3>"
        + _table([t("extract.col.entry"), t("extract.col.occurred"), t("extract.col.recorded"),
                  t("col.recorded_by"), t("extract.col.type"), t("extract.col.content")], entries)
        + f"<h3>{escape(t('extract.h.decisions'))}</h3>"
        + _table([t("extract.col.id"), t("extract.col.outcome"), t("extract.col.intervention"),
                  t("extract.col.period"), t("extract.col.status")], decisions)
        + f"<h3>{escape(t('extract.h.consents'))}</h3>"
        + _table([t("extract.col.recipient"), t("extract.col.purpose"), t("extract.col.granted"),
                  t("extract.col.valid_until")], consents)
        + f"<h3>{escape(t('extract.h.sharings'))}</h3>"
        + _table([t("extract.col.date"), t("extract.col.recipient"), t("extract.col.what"), t("extract.col.ground"),
                  t("col.recorded_by")], sharings)
        + f"<h3>{escape(t('extract.h.reads'))}</h3>"
        + _table([t("tillsyn.accessed_at"), t("col.recorded_by"), t("tillsyn.command"), t("access.col.outcome")],
                 reads)
    )


def render(data: dict[str, Any]) -> str:
    """The whole extract as one HTML document."""
    person = data["person"]
    title = t("extract.title")
    sub = t("extract.sub", at=local_time(data["produced_at"]), by=data["produced_by"])
    if "thinned_on" in data:
        cases = ", ".join(c["case"] for c in data["cases"])
        body = f"<p>{escape(t('extract.thinned', on=data['thinned_on'], cases=cases))}</p>"
    else:
        gallring = data["gallring"]
        kept = ", ".join(term("gallring.kept", k) for k in gallring["kept"]) or "–"
        facts = [
            (t("extract.identity"), person["identity_number"]),
            (t("extract.gender"), term("gender", person["gender"])),
            (t("extract.birth_year"), person["birth_year"]),
            (t("extract.protection"), term("protection", person["protection_level"])
             if person["protection_level"] != "none" else t("label.none")),
            (t("extract.gallring"), t("extract.gallring_on", planned=gallring["planned_on"],
                                      deadline=gallring["deadline"], kept=kept)),
        ]
        rows = [f"<tr><td>{escape(k)}</td><td>{_e(v)}</td></tr>" for k, v in facts]
        body = (f"<h2>{escape(t('extract.h.person'))}</h2>" + _table([t("extract.col.what"), ""], rows, "facts")
                + "".join(_case(c) for c in data["cases"]))
    training = (f'<div class="verdict bad training">{escape(t("training.banner"))}</div>'
                if data.get("training") else "")
    return (
        f'<!DOCTYPE html><html lang="{LANG}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS} h3 {{ font-size: 11pt; margin: 12px 0 4px; }}</style></head><body>"
        f'<header><h1>{escape(title)}</h1><div class="sub">{escape(sub)}</div></header>'
        + training + body
        + f"<footer>{escape(t('extract.footer'))}</footer></body></html>"
    )
