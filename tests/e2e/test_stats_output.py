"""``ledger stats`` for people: Swedish by default (English with ``LEDGER_LANG=en``) in the terminal,
the CSV and the workbook; ``--json`` with English codes; money as ``1 234,50``; a workbook a person
can read and a program can compute with."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from tests.conftest import TEST_PNR
from tests.helpers import run_cli, run_process

NBSP = "\u00a0"
#: Codes that must not reach a Swedish reader (``man`` is the same word in both languages).
ENGLISH_CODES = ("actualised", "assessed", "investigated", "police_case", "woman", "honour", "criminal",
                 "protected_housing", "defector_coach", "care_days", "median_days", "paid_per_person",
                 "people", "total", "12_months", "closure", "goals_met", "social_services", "unknown", "hvb_",
                 "state_grants", "share_covered", "age_band", "step", "not_investigated", "relative:")


@pytest.fixture
def unit(app):
    """Eight women (honour) in 2026, seven granted HVB and paid 30 000,50 each, one not yet decided; a man
    (criminal) actualised only; a budget."""
    app.set_budget(2026, "7 025 000", on="2026-01-02")
    app.add_provider("HVB1", name="HVB Norr", on="2026-01-01")
    for n in range(8):
        case = app.open_case(TEST_PNR[240 + n], gender="woman", environment="honour", source="social_services",
                             on="2026-02-01")
        app.record_assessment(case, "investigate", "needs_support", on="2026-02-02")
        app.open_investigation(case, on="2026-02-03")
        if n == 7:
            continue
        app.record_decision(case, outcome="granted", intervention="hvb", period_start="2026-03-01",
                            period_end="2026-12-31", on="2026-03-01")
        placement = app.start_placement(case, provider="HVB1", intervention="hvb", daily_price="3 000,05",
                                        on="2026-03-01")
        app.end_placement(case, placement, reason="planned", on="2026-03-10")
        app.record_payment(case, "30 000,50", period_start="2026-03-01", period_end="2026-03-10",
                           placement=placement, on="2026-04-01")
        app.close_case(case, "goals_met", on="2026-04-02")
        app.record_followup(case, time_point="closure", housing="own", occupation="work", on="2026-04-02")
    app.open_case(TEST_PNR[250], gender="man", environment="criminal", source="police", on="2026-05-01")
    return app


def test_the_terminal_table_is_swedish_with_swedish_money(unit, db_url: str,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    out = run_cli(capsys, db_url, "stats", "2026", "--municipality", "Testkommun")
    assert out.code == 0, out.err
    text = out.out
    for phrase in ("Flöde per kön", "aktualiserade", "förhandsbedömda", "utredda", "beviljade insats", "kvinna",
                   "hedersrelaterat", "socialtjänsten", "totalt", "HVB", "skyddat boende", "vårddygn",
                   "utbetalt per person, kr", "andel täckt av statsbidrag", "eget boende", "vid avslut",
                   "efter 12 månader", "målen uppnådda", "barn i hushållet", "ja", "nej", "okänt", "kommun",
                   "röjandekontroll", "gräns", "25–29 år", "ingen utredning: behov av stöd", "anhörig: förälder"):
        assert phrase in text, phrase
    for code in ENGLISH_CODES:
        assert not re.search(rf"(?<![\w_]){re.escape(code)}(?![\w])", text), code
    # money in Swedish: 7 × 30 000,50 = 210 003,50; per person 30 000,50; the budget 7 025 000,00
    assert f"210{NBSP}003,50" in text and f"30{NBSP}000,50" in text and f"7{NBSP}025{NBSP}000,00" in text
    assert "210003.50" not in text
    assert "2,99 %" in text  # 210 003,50 of 7 025 000
    assert ".. = dold uppgift" in text


def test_json_keeps_english_codes_and_plain_money(unit, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = run_cli(capsys, db_url, "stats", "2026", "--json")
    assert out.code == 0, out.err
    document = out.json()
    costs = next(t for t in document["tables"] if t["id"] == "costs_by_intervention")
    assert costs["cols"] == ["paid", "people", "paid_per_person"]
    assert costs["values"][costs["rows"].index("hvb")] == ["210003.50", 7, "30000.50"]
    assert set(document["metadata"]) >= {"municipality", "year", "produced_at", "ledger_version", "suppression"}


def test_csv_has_swedish_labels_beside_the_codes(unit, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = run_cli(capsys, db_url, "stats", "2026", "--format", "csv", "--municipality", "Testkommun")
    assert out.code == 0, out.err
    comments = [line for line in out.out.splitlines() if line.startswith("#")]
    assert "# kommun: Testkommun" in comments and "# år: 2026" in comments and "# gräns: 5" in comments
    body = "\n".join(line for line in out.out.splitlines() if not line.startswith("#"))
    reader = csv.DictReader(io.StringIO(body))
    assert reader.fieldnames == ["tabell", "rad", "kolumn", "värde", "tabellkod", "radkod", "kolumnkod"]
    rows = {(r["tabellkod"], r["radkod"], r["kolumnkod"]): r for r in reader}
    cell = rows[("flow_by_gender", "investigated", "woman")]
    assert (cell["tabell"], cell["rad"], cell["kolumn"], cell["värde"]) == ("Flöde per kön", "utredda",
                                                                            "kvinna", "8")
    assert rows[("flow_by_gender", "actualised", "man")]["värde"] == ".."
    assert rows[("costs_by_intervention", "hvb", "paid")]["värde"] == "210003.50"  # plain, for programs
    assert rows[("costs_by_intervention", "hvb", "paid")]["rad"] == "HVB"
    assert rows[("dropouts_by_gender", "denied", "man")]["värde"] == "0"
    assert rows[("interventions", "hvb", "providers")]["värde"] == ""  # residential: not reported


def test_the_workbook_is_swedish_typed_and_readable(unit, db_url: str, capsys: pytest.CaptureFixture[str],
                                                     tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "uppfoljning.xlsx"
    out = run_cli(capsys, db_url, "stats", "2026", "--format", "xlsx", "--out", str(path), "--municipality", "Ort")
    assert out.code == 0, out.err
    book = load_workbook(path)
    names = book.sheetnames
    assert names[:2] == ["Om statistiken", "Röjandekontroll"]
    assert "Flöde per kön" in names and "Kostnader per insats" in names and "Utfall boende" in names
    assert len(names) == len({n.casefold() for n in names}) == 20  # about, rules, 18 tables
    assert all(len(n) <= 31 and not set(n) & set(":\\/?*[]") for n in names)
    assert not any(re.fullmatch(r"[a-z_0-9]+", n) for n in names)  # no table ids

    about = book["Om statistiken"]
    meta = {row[0].value: row[1].value for row in about.iter_rows(max_col=2) if row[0].value}
    assert meta["kommun"] == "Ort" and meta["år"] == 2026 and isinstance(meta["år"], int)
    assert meta["gräns"] == 5 and meta["röjandekontroll"] == "ja"
    assert meta["Flöde per kön"] == "Flöde per kön" and meta["Insatser"].startswith("Personer i insatser")
    assert about["A1"].font.bold

    rules = " ".join(str(row[0].value) for row in book["Röjandekontroll"].iter_rows(max_col=1))
    assert "Gräns: 5" in rules and "1 till 4" in rules and ".. betyder" in rules and "sekundär" in rules
    assert "räknas fram ur en dold uppgift" in rules

    flow = book["Flöde per kön"]
    assert flow["A1"].value == "Flöde per kön" and flow["A1"].font.bold
    header = [c.value for c in flow[2]]
    assert header == ["steg", "kvinna", "man", "annat", "okänt", "totalt"]
    assert all(c.font.bold for c in flow[2])
    assert [c.value for c in flow[3]] == ["aktualiserade", "..", "..", 0, 0, 9]  # one man: hidden, and so is 8
    assert [c.value for c in flow[5]] == ["utredda", 8, 0, 0, 0, 8]
    assert isinstance(flow["B5"].value, int) and flow["B5"].number_format == "#,##0"
    assert all(flow.column_dimensions[col].width >= 8 for col in "ABCDEF")
    assert flow.column_dimensions["A"].width >= len("avhopparärende hos Polisen")

    costs = book["Kostnader per insats"]
    rows = {row[0].value: [c for c in row[1:]] for row in costs.iter_rows(min_row=3)}
    paid, people, per_person = rows["HVB"]
    assert paid.value == pytest.approx(210003.50) and isinstance(paid.value, float)
    assert paid.number_format == "#,##0.00" and per_person.number_format == "#,##0.00"
    assert people.value == 7 and isinstance(people.value, int)
    assert [c.value for c in rows["skyddat boende"]] == [0, 0, None]
    summary = {row[0].value: row[1] for row in book["Kostnader och budget"].iter_rows(min_row=3)}
    assert summary["utfall, andel av budget"].number_format == "0.00%"
    assert summary["utfall, andel av budget"].value == pytest.approx(0.0299)
    dropouts = book["Avhopp från processen"]
    assert "man" in [c.value for c in dropouts[2]]


def test_english_when_asked(unit, db_url: str, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = run_process(db_url, "stats", "2026", env={"LEDGER_LANG": "en"})
    assert out.code == 0, out.err
    assert "Flow by gender" in out.out and "actualised" in out.out and "paid per person, SEK" in out.out
    assert "210,003.50" in out.out and "kvinna" not in out.out
    path = tmp_path / "followup.xlsx"
    out = run_process(db_url, "stats", "2026", "--format", "xlsx", "--out", str(path), env={"LEDGER_LANG": "en"})
    assert out.code == 0, out.err
    book = load_workbook(path)
    assert book.sheetnames[:3] == ["About", "Disclosure control", "Flow by gender"]
    assert [c.value for c in book["Flow by gender"][2]] == ["step", "woman", "man", "other", "unknown", "total"]


def test_no_suppression_says_so_in_every_format(unit, db_url: str, capsys: pytest.CaptureFixture[str],
                                                tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "internt.xlsx"
    out = run_cli(capsys, db_url, "stats", "2026", "--no-suppression", "--format", "xlsx", "--out", str(path))
    assert out.code == 0, out.err
    book = load_workbook(path)
    rules = [row[0].value for row in book["Röjandekontroll"].iter_rows(max_col=1)]
    assert any("endast för internt bruk" in str(line) for line in rules)
    meta = {row[0].value: row[1].value for row in book["Om statistiken"].iter_rows(max_col=2) if row[0].value}
    assert meta["röjandekontroll"] == "nej" and "INGEN" in meta["regel"]
    table = run_cli(capsys, db_url, "stats", "2026", "--no-suppression")
    assert "internt bruk" in table.err and ".. = dold" not in table.out
