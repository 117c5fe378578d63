"""Every reading command, walked: one access entry per case it shows, and nothing typed leaks.

A store where identity numbers were typed into free text (a legal ground, an invoice number, a
police reference, a correction's reason) next to terminal control characters, then every command
that reads it, in human and ``--json`` form. Each must leave exactly one access entry per case it
showed (none when it shows no case-level data), print no identity number in any written form and
no raw control character. Reads go through one door (``ledger.application.queries``); this test
is what keeps a new reading command from going around it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TEST_PNR
from tests.helpers import identity_forms, run_cli

PNR, OTHER = TEST_PNR[60], TEST_PNR[61]
A, B = "AVH-2026-0001", "AVH-2026-0002"
ESCAPE = "\x1b[2J\x1b[31m"  # clear the screen, turn red
SECRETS = identity_forms(PNR) | identity_forms(OTHER)
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

SCRIPT = [
    ["provider", "add", "SKYDD1", "--name", "Skyddat boende Nord AB", "--date", "2026-01-02"],
    ["case", "open", PNR, "--gender", "man", "--environment", "criminal", "--source", "police",
     "--date", "2026-02-01", "--note", f"pnr {PNR}"],
    ["consent", "grant", A, "--recipient", "police", "--purpose", f"hotbild för {PNR}", "--date", "2026-02-02"],
    ["share", "record", A, "--recipient", "region", "--what", f"vårdbehov {PNR}", "--date", "2026-02-03",
     "--legal-basis", f"SoL 12:10 avser {PNR[2:8]}-{PNR[8:]} {ESCAPE}"],
    ["decision", "record", A, "--outcome", "granted", "--intervention", "protected_housing", "--from", "2026-02-04",
     "--daily-price", "3 000", "--date", "2026-02-04"],
    ["placement", "start", A, "--provider", "SKYDD1", "--intervention", "protected_housing", "--daily-price", "3000",
     "--date", "2026-02-04"],
    ["payment", "record", A, "84 000", "--placement", "P1", "--from", "2026-02-04", "--to", "2026-03-02",
     "--invoice", f"F-{PNR}{ESCAPE}", "--over-price", f"enligt fakturan {PNR}", "--date", "2026-03-10"],
    ["grant", "apply", A, "--reference", f"A{PNR}", "--amount", "50 000", "--from", "2026-02-04",
     "--to", "2026-07-31", "--date", "2026-03-11"],
    ["correct", A, "6", "--reason", f"fel faktura för {PNR} {ESCAPE}", "--set", "amount=81 000"],
    ["case", "open", OTHER, "--gender", "woman", "--environment", "honour", "--source", "self",
     "--protection", "protected_registration", "--date", "2026-03-01"],
    ["budget", "set", "2026", "7 000 000", "--date", "2026-01-02"],
]


@pytest.fixture
def store(db_url: str, capsys: pytest.CaptureFixture[str]) -> str:
    for args in SCRIPT:
        result = run_cli(capsys, db_url, *args)
        assert result.code == 0, (args, result.err)
    return db_url


def _listed(out: str) -> set[str]:
    return {row["case"] for row in json.loads(out)}


def _budget_rows(out: str) -> set[str]:
    return {row["key"] for row in json.loads(out)["rows"]}


#: (command, whether it has --json, the cases it shows: a set, or how to read them off its --json output)
READS: list[tuple[list[str], bool, set[str] | Callable[[str], set[str]]]] = [
    (["case", "show", A], True, {A}),
    (["case", "show", A, "--as-of", "2026-02-15"], True, {A}),
    (["case", "show", A, "--recorded-before", "2099-01-01"], True, {A}),
    (["case", "log", A], True, {A}),
    (["history", A], True, {A}),
    (["history", A, "--as-of", "2026-02-15"], True, {A}),
    (["audit", "consent", A], True, {A}),
    (["audit", "consent", "--all"], True, {A, B}),
    (["case", "list"], True, _listed),
    (["case", "list", "--provider", "SKYDD1"], True, _listed),
    (["case", "list", "--status", "open", "--environment", "honour"], True, _listed),
    (["case", "list", "--needs-attention"], True, _listed),
    (["budget", "show", "2026", "--by", "case"], True, _budget_rows),
    (["budget", "show", "2026", "--by", "provider"], True, set()),
    (["budget", "show", "2026"], True, set()),
    (["payment", "list"], True, {A}),
    (["payment", "list", "--case", A, "--invoice", f"F-{PNR}{ESCAPE}"], True, {A}),
    (["stats", "2026", "--no-suppression", "--format", "json"], False, {A, B}),
    (["stats", "2026", "--no-suppression"], False, {A, B}),
    (["stats", "2026", "--format", "json"], False, set()),
    (["access-log"], True, set()),
    (["projections", "status"], True, set()),
    (["verify"], True, set()),
    (["digest"], True, set()),
]


def _entries(capsys: pytest.CaptureFixture[str], db: str) -> list[dict[str, Any]]:
    result = run_cli(capsys, db, "access-log", "--json")
    assert result.code == 0, result.err
    return json.loads(result.out)  # type: ignore[no-any-return]


def _clean(text: str, where: str) -> None:
    leaked = sorted(form for form in SECRETS if form in text)
    assert not leaked, f"{where}: identity number shown"
    assert not RAW_CONTROL.search(text), f"{where}: a raw control character reached the output"


@pytest.mark.parametrize(("args", "has_json", "shows"), READS, ids=[" ".join(r[0]) for r in READS])
def test_every_read_leaves_one_entry_per_case_shown_and_masks_what_was_typed(
    store: str, capsys: pytest.CaptureFixture[str], args: list[str], has_json: bool,
    shows: set[str] | Callable[[str], set[str]],
) -> None:
    for form in ([*args, "--json"], args) if has_json else (args,):
        before = len(_entries(capsys, store))
        result = run_cli(capsys, store, *form)
        assert result.code == 0, (form, result.err)
        _clean(result.out + result.err, " ".join(form))
        entries = _entries(capsys, store)[before:]
        if callable(shows):
            expected = shows(result.out) if "--json" in form else {e["case"] for e in entries}
        else:
            expected = shows
        cases = [e["case"] for e in entries]
        assert sorted(cases) == sorted(expected), f"{' '.join(form)}: one entry per case shown"
        assert len(cases) == len(set(cases))


def test_the_supervision_file_and_the_archive_are_logged_reads(store: str, capsys: pytest.CaptureFixture[str],
                                                               tmp_path: Path) -> None:
    before = len(_entries(capsys, store))
    out = tmp_path / "tillsyn.html"
    assert run_cli(capsys, store, "tillsyn", "export", A, "--out", str(out)).code == 0
    _clean(out.read_text(encoding="utf-8"), "tillsyn file")
    assert [e["case"] for e in _entries(capsys, store)[before:]] == [A]
    # The archive is the store itself, byte for byte (identity numbers included): every case in it is a read.
    assert run_cli(capsys, store, "export", "--out", str(tmp_path / "arkiv.jsonl")).code == 0
    assert sorted(e["case"] for e in _entries(capsys, store)[before + 1:]) == [A, B]


def test_the_legal_ground_and_the_reason_still_read_as_typed_but_masked(store: str,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """Masking keeps the text (a reader must see what was written), only the number and the escapes change."""
    log = json.loads(run_cli(capsys, store, "case", "log", A, "--json").out)
    share = next(e for e in log if e["type"] == "InformationShared")
    assert share["details"]["legal_basis"] == "SoL 12:10 avser ************ \\x1b[2J\\x1b[31m"
    history = json.loads(run_cli(capsys, store, "history", A, "--json").out)
    correction = next(e for e in history["entries"] if e["type"] == "EntryCorrected")
    assert correction["reason"] == "fel faktura för ************ \\x1b[2J\\x1b[31m"
    view = json.loads(run_cli(capsys, store, "case", "show", A, "--json").out)
    assert list(view["grants"]) == ["A************"]
