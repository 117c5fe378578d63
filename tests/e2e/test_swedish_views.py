"""Swedish all the way: every human view of the demo unit, in Swedish (the default), shows no raw code,
no English event name and no unformatted amount; ``--json`` keeps the stable English codes.

A "raw code" is any vocabulary code whose Swedish label differs from it (``protected_housing``,
``woman``, ``very_high``), any ``snake_case`` word, and any event class name (``CaseActualised``). An
unformatted amount is a number with a decimal point and two decimals (``280000.00``): amounts read
``280 000,00``. What the test reads is what a person sees: the terminal tables, the tillsyn file's
text (without its markup and the digest line kept for comparison with ``huvuden.txt``), the
statistics workbook's cells.
"""

from __future__ import annotations

import html
import inspect
import re
from pathlib import Path

import pytest

from tests.conftest import TODAY
from tests.helpers import ledger_at, run_cli

CASE = "AVH-2025-0004"  # a case with payments and 18 kinds of entry (numbers run per year of actualisation)


def _codes() -> set[str]:
    from ledger.domain import vocab

    return {code for labels in vocab.LABELS.values() for code, (sv, _) in labels.items()
            if code.casefold() != sv.casefold() and len(code) > 2}


def _event_names() -> set[str]:
    from ledger.domain import events as ev

    return {name for name, cls in vars(ev).items() if inspect.isclass(cls) and issubclass(cls, ev.Event)
            and cls is not ev.Event}


def raw_in(text: str) -> dict[str, list[str]]:
    """What in ``text`` is not for a Swedish reader: codes, event names, amounts with a decimal point."""
    codes, names = _codes(), _event_names()
    words = re.findall(r"[\w.]+", text)
    found = {
        "codes": sorted({w for w in words if w in codes or re.fullmatch(r"[a-z]+(_[a-z0-9]+)+", w)}),
        "events": sorted({w for w in words if w in names}),
        "amounts": sorted(set(re.findall(r"(?<![\d,.])\d{4,}\.\d\d(?![\d])", text))),
        # a moment as the machine keeps it (UTC, ISO): people read Swedish time, ``2026-03-10 14:30``
        "times": sorted(set(re.findall(r"\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d)?(?:\+00:00|Z)?", text))),
    }
    return {kind: items for kind, items in found.items() if items}


def test_the_checker_finds_what_it_looks_for() -> None:
    assert raw_in("Insats protected_housing, CaseActualised, 280000.00, 2026-11-30T11:00:00+00:00") == {
        "codes": ["protected_housing"], "events": ["CaseActualised"], "amounts": ["280000.00"],
        "times": ["2026-11-30T11:00:00+00:00"]}
    assert raw_in("Insats skyddat boende, aktualisering, 280 000,00 kr, AVH-2026-0001, anna.l") == {}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> str:
    from ledger.adapters.store import SQLStore
    from ledger.bootstrap import services

    db = f"sqlite:///{tmp_path_factory.mktemp('sv') / 'demo.sqlite3'}"
    with pytest.MonkeyPatch.context() as env:  # the tests' day (a module's fixture comes before _pinned_clock)
        env.setenv("LEDGER_TODAY", TODAY)
        env.setenv("LEDGER_NOW", f"{TODAY}T16:00:00+01:00")
        found = services(db, "tester")
        found.demo(cases=30, years=2, seed=1, municipality="Demokommun")
    yield db
    SQLStore.dispose_all()


VIEWS: list[tuple[str, ...]] = [
    ("case", "show", CASE), ("case", "log", CASE), ("history", CASE), ("case", "journal", CASE),
    ("case", "list"), ("case", "list", "--needs-attention"), ("budget", "show", "2026"),
    ("budget", "show", "2026", "--by", "intervention"), ("access-log",), ("audit", "consent", "--all"),
    ("stats", "2026"), ("payment", "list", "--case", CASE), ("user", "list"), ("gallring",), ("settings", "show"),
    ("projections", "status"), ("info",),
]


@pytest.mark.parametrize("view", VIEWS, ids=" ".join)
def test_every_terminal_view_is_swedish(demo: str, capsys: pytest.CaptureFixture[str], view: tuple[str, ...],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "250")
    result = run_cli(capsys, demo, "--as", "tester", *view)
    assert result.code == 0, result.err
    assert result.out.strip()
    assert raw_in(result.out + result.err) == {}, view


def _files(demo: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> dict[str, str]:
    tillsyn = tmp_path / "tillsyn.html"
    assert run_cli(capsys, demo, "tillsyn", "export", CASE, "--out", str(tillsyn)).code == 0
    page = tillsyn.read_text(encoding="utf-8").split("<body>", 1)[1]
    page = re.sub(r'<p class="mono">.*?</p>', " ", page, flags=re.S)  # the digest line, as `ledger digest` writes it
    text = {"tillsyn": html.unescape(re.sub(r"<[^>]+>", " ", page))}
    book = tmp_path / "stats.xlsx"
    assert run_cli(capsys, demo, "stats", "2026", "--format", "xlsx", "--out", str(book)).code == 0
    from openpyxl import load_workbook

    workbook = load_workbook(book)
    cells: list[str] = list(workbook.sheetnames)
    for sheet in workbook.worksheets:
        cells += [str(c.value) for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    text["xlsx"] = "\n".join(cells)
    app = ledger_at(demo)  # the register extract of the case's person, found by the number they were opened with
    first = app.recorder.select_events(app.get_case(CASE).person_id, limit=1)[0]
    extract = tmp_path / "utdrag.html"
    assert run_cli(capsys, demo, "registerutdrag", app.mapper.to_domain_event(first).identity_number,
                   "--out", str(extract)).code == 0
    page = extract.read_text(encoding="utf-8").split("<body>", 1)[1]
    text["registerutdrag"] = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return text


def test_the_tillsyn_file_the_register_extract_and_the_workbook_are_swedish(demo: str, capsys: pytest.CaptureFixture[str],
                                                        tmp_path: Path) -> None:
    for name, text in _files(demo, capsys, tmp_path).items():
        assert raw_in(text) == {}, name


def test_json_keeps_the_codes(demo: str, capsys: pytest.CaptureFixture[str]) -> None:
    shown = run_cli(capsys, demo, "case", "show", CASE, "--json").json()
    assert shown["environment"] in {"criminal", "violent_extremist", "honour"}
    log = run_cli(capsys, demo, "case", "log", CASE, "--json").json()
    assert log[0]["type"] == "CaseActualised"
    assert any(re.fullmatch(r"\d+\.\d\d", str(e["details"].get("amount", ""))) for e in log if e["type"] ==
               "PaymentRecorded")


def test_flags_take_the_swedish_words(capsys: pytest.CaptureFixture[str], sqlite_url: str) -> None:
    from tests.conftest import TEST_PNR

    opened = run_cli(capsys, sqlite_url, "case", "open", TEST_PNR[40], "--gender", "kvinna", "--environment",
                     "hedersrelaterat", "--source", "den enskilde", "--protection", "skyddad folkbokföring",
                     "--date", "2026-01-05", "--json")
    assert opened.code == 0, opened.err
    shown = run_cli(capsys, sqlite_url, "case", "show", opened.json()["case"], "--json").json()
    assert (shown["gender"], shown["environment"], shown["referral_source"], shown["protection_level"]) == (
        "woman", "honour", "self", "protected_registration")
    wrong = run_cli(capsys, sqlite_url, "case", "open", TEST_PNR[41], "--gender", "kvinnan", "--environment",
                    "honour", "--source", "self")
    assert wrong.code == 2 and "kvinna, man, annat, okänt" in wrong.err


@pytest.mark.parametrize(("args", "expected"), [
    (("provider", "lista"), "Det finns inget kommando 'lista'"),
    (("case", "show", "A", "B"), "För många argument: B"),
    (("case", "list", "--mine=ja"), "Flaggan --mine tar inget värde"),
    (("demo", "--cases", "många"), "ange ett heltal"),
    (("case", "list", "--limit", "0"), "ange minst 1"),
    (("case", "show"), "Argumentet CASE saknas"),
    (("payment", "record", "AVH-2026-0001"), "Argumentet AMOUNT saknas"),
])
def test_clicks_own_messages_are_swedish(capsys: pytest.CaptureFixture[str], sqlite_url: str, args: tuple[str, ...],
                                         expected: str) -> None:
    result = run_cli(capsys, sqlite_url, *args)
    assert result.code == 2 and expected in result.err, result.err
    assert not re.search(r"\b(No such|Got unexpected|does not take|Input should|Invalid value)\b", result.err)


def test_a_group_without_its_command_shows_its_help_in_swedish(capsys: pytest.CaptureFixture[str],
                                                                sqlite_url: str) -> None:
    result = run_cli(capsys, sqlite_url, "case")
    assert result.code == 2 and "Användning: ledger case" in result.out and "Kommandon" in result.out
    assert "Usage" not in result.out and "Fel" not in result.err
