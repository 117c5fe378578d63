"""Random invocations of every command (issue 12): whatever is typed, the ledger answers with exit 0,
1 or 2 and a message, never an internal error (exit 3) or a traceback; it never writes back an
identity number that was typed (errors on stderr, and anything on a refusal); a refused command
stores nothing; each message is said once.

The invocations are generated from the Click command tree (every command, argument and flag the
ledger has), with values drawn from pools of valid and invalid input: dates out of range or order,
amounts of 31 digits or in other scripts, identity numbers in every form and with broken check
digits, blanks, control characters, markup, very long text, unknown cases. The seed is fixed, so a
failure can be replayed; ``LEDGER_FUZZ_RUNS`` sets how many (2 000 by default; the CI runs fewer)
and ``LEDGER_FUZZ_SEED`` another seed. Six of the eight chunks run on SQLite, two on PostgreSQL
(whose text columns, for one, refuse a NUL character that SQLite takes).
"""

from __future__ import annotations

import io
import os
import random
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TEST_PNR, TEST_SAMORDNING
from tests.helpers import broken_check_digit, event_count, run_cli

RUNS = int(os.environ.get("LEDGER_FUZZ_RUNS", "2000"))
SEED = int(os.environ.get("LEDGER_FUZZ_SEED", "20261201"))
CHUNKS = 8

A, B = "AVH-2026-0001", "AVH-2026-0002"
OWN = TEST_PNR[90:96]  # the fuzzed store's people
SETUP: list[tuple[str, ...]] = [
    ("provider", "add", "SKYDD1", "--name", "Skyddat boende Nord AB", "--date", "2026-01-02"),
    ("provider", "add", "COACH1", "--name", "Avhopparcoacher AB", "--date", "2026-01-02"),
    ("user", "add", "nils.e", "--role", "ekonom"),
    ("user", "add", "stina.s", "--role", "statistiker"),
    ("budget", "set", "2026", "2 000 000"),
    *[cmd for pnr, case, invoice in ((OWN[0], A, "F-1001"), (OWN[1], B, "F-1002")) for cmd in (
        ("case", "open", pnr, "--gender", "man", "--environment", "criminal", "--source", "police",
         "--date", "2026-03-01", "--note", "Första samtalet"),
        ("consent", "grant", case, "--recipient", "police", "--purpose", "Hotbildsbedömning", "--date", "2026-03-01"),
        ("decision", "record", case, "--outcome", "granted", "--intervention", "protected_housing", "--from",
         "2026-03-01", "--to", "2026-12-31", "--daily-price", "3 200", "--date", "2026-03-02"),
        ("placement", "start", case, "--provider", "SKYDD1", "--intervention", "protected_housing",
         "--daily-price", "3 200,00", "--date", "2026-04-01"),
        ("payment", "record", case, "96 000", "--placement", "P1", "--from", "2026-04-01", "--to", "2026-04-30",
         "--invoice", invoice),
    )],
]


def _forms(number: str) -> list[str]:
    """An identity number as a person might type it: with and without century and dash."""
    digits = number.replace("-", "").replace("+", "")
    short = digits[2:]
    return [number, digits, short, f"{short[:6]}-{short[6:]}", f"{digits[:8]}-{digits[8:]}"]


IDENTITIES = [form for n in (*OWN, TEST_PNR[97], TEST_SAMORDNING[5]) for form in _forms(n)] + [
    broken_check_digit(TEST_PNR[98]), "".join(chr(0x0660 + int(d)) for d in TEST_PNR[99].replace("-", "")),
    "".join(chr(0xFF10 + int(d)) for d in TEST_PNR[99].replace("-", "")), "RES-4711", "", " ", "x" * 40,
]
#: What would give a typed identity number away: its ten-digit core, with or without a dash.
_CORE = re.compile(r"\d{6}[-+]?\d{4}")

DATES = ["2026-03-01", "2026-04-15", "2026-06-30", "2026-11-30", "2025-12-31", "2027-01-01", "2031-06-01",
         "2026-02-30", "2026-13-01", "1899-01-01", "0001-01-01", "9999-12-31", "20260301", "1/3 2026", "idag", "",
         " ", "2026-03-01T10:00", "2026-11-30T12:00:00+01:00", "٢٠٢٦-٠٣-٠١"]
AMOUNTS = ["96 000", "89 550,00", "3 200", "1 234,50", "0", "0,001", "-5", "+5", "1" * 31, "9223372036854775808",
           "1 000 000 000 000,00", "1e5", "NaN", "Infinity", "12,345,6", "1.234,50", "١٢٣", "１２３", "abc", "", " "]
INTS = ["1", "2", "5", "14", "0", "-1", "2026", "2025", "1899", "9223372036854775808", "9" * 40, "abc", "", "1.5"]
CASES = [A, A, B, B, "avh-2026-0001", " AVH-2026-0002 ", "AVH-2026-0003", "AVH-2099-9999", "AVH-2026-", "x", "",
         "AVH-2026-0001\x1b[2J", "AVH-2026-0001; DROP TABLE events"]
REFS = ["P1", "P2", "S1", "B1", "B2", "D1", "D2", "1", "2", "0", "-1", "x", "", "P1\x07"]
TEXTS = ["Samtal om boende", "Hotbild", "Kontakt med polisen", "", "   ", "\t", "\x1b[31mröd\x1b[0m\x07",
         "[bold red]Obs[/]", "a" * 2500, "radbrytning\nmitt i", "\u202etxet", "NUL\x00", "ringde från " + OWN[2],
         "personnummer " + _forms(OWN[3])[2], "F-1001", "SKYDD1"]
NAMES = ["nils.e", "stina.s", "anna.k", "Аnna.k", "", " ", "x" * 200, "tester\x1b[2J", "ny.person"]
PROVIDERS = ["SKYDD1", "COACH1", "skydd1", "OKÄND", "", " ", "X" * 100, "SKYDD1\x07"]
ROLES = ["handläggare", "arbetsledare", "ekonom", "statistiker", "granskare", "administratör", "case_worker",
         "admin", "chef", ""]
SETS = ["gender=kvinna", "date=2026-03-02", "amount=" + "1" * 31, "identity=" + OWN[4], "x", "=", "note=ny"]


def _codes(prefix: str) -> list[str]:
    from ledger.cli.catalogue_vocab import PREFIXES
    from ledger.domain.vocab import LABELS

    vocabulary = PREFIXES[prefix]
    labels = LABELS.get(vocabulary, {})
    return [m.value for m in vocabulary] + [sv for sv, _ in labels.values()] + ["okänd", "", "POLICE"]


#: A flag's name -> the vocabulary it takes.
VOCABULARY = {"gender": "gender", "environment": "environment", "source": "source", "type_": "actualisation",
              "protection": "protection", "channel": "channel", "recipient": "recipient", "form": "consent_form",
              "unit": "unit", "intervention": "intervention", "price_unit": "price_unit", "time_point": "time_point",
              "housing": "housing", "occupation": "occupation", "relation": "relation", "kind": "journal",
              "new_status": "decision_status", "identity_kind": "identity_kind", "income_support": "answer",
              "substance_use": "answer", "psychiatric_contact": "answer", "new_suspicion": "answer",
              "remaining_threat": "answer"}
#: Flags whose name means different vocabularies in different commands: all of them, and text.
MIXED = {"outcome": ("assessment", "outcome", "court", "grant_outcome"),
         "reason": ("assessment_reason", "closure", "end_reason"), "level": ("protection", "threat")}


class Fuzzer:
    def __init__(self, rng: random.Random, tmp: Path) -> None:
        self.rng, self.tmp = rng, tmp
        junk = tmp / "skräp.txt"
        junk.write_bytes(b"\x00\xffinte en fil ledgern skrev\n")
        self.files = [str(junk), str(tmp), str(tmp / "finns-inte.json"), "", "/proc/self/nope"]
        self.outs = [str(tmp / "ut" / "fil.html"), str(tmp / "ut.xlsx"), str(tmp / "ut.csv"), str(tmp),
                     "/proc/nope/ut.html", "", str(tmp / ("x" * 300))]

    def value(self, command: tuple[str, ...], name: str) -> str:
        pick = self.rng.choice
        if name in VOCABULARY:
            return pick(_codes(VOCABULARY[name]))
        if name in MIXED:
            return pick([c for prefix in MIXED[name] for c in _codes(prefix)] + TEXTS[:6])
        if name in {"identity", "person"}:
            return pick(IDENTITIES)
        if name == "case":
            return pick(CASES)
        if name in ("amount", "daily_price", "price", "ceiling", "delta"):
            return pick(AMOUNTS)
        if name in ("date", "as_of", "since", "until", "period_start", "period_end", "planned_end", "review_on",
                    "valid_until", "communicated_on", "notified_on", "recorded_before"):
            return pick(DATES)
        if name in ("year", "args"):
            return pick(INTS + ["2026", "2026", "2025"])
        if name in ("limit", "late_after", "threshold", "birth_year", "cases", "years", "seed", "retention_years",
                    "entry", "exempt_days"):
            return pick(INTS)
        if name in ("placement_id", "service_id", "payment_id", "decision", "placement", "service"):
            return pick(REFS)
        if name in ("provider", "code"):
            return pick(PROVIDERS)
        if name in ("to", "user", "recorded_by", "name", "delegate", "decided_by"):
            return pick(NAMES)
        if name == "role":
            return pick(ROLES)
        if name == "set_":
            return pick(SETS)
        if name in ("out", "plot"):
            return pick(self.outs)
        if name in ("file", "archive", "digest", "public_key", "passphrase_file", "sign"):
            return pick(self.files)
        if name in ("format_", "by", "status", "deadline"):
            return pick(["table", "json", "csv", "xlsx", "case", "intervention", "month", "open", "closed", "öppen",
                         "end_of_following_year", "pdf", ""])
        return pick(TEXTS)

    def invocation(self, commands: list[tuple[tuple[str, ...], Any]]) -> list[str]:
        rng = self.rng
        path, command = rng.choice(commands)
        argv = list(path)
        for param in command.params:
            if param.name in {"help", "as_"}:
                continue
            if param.param_type_name == "argument":
                if param.required or rng.random() < 0.6:
                    if param.required and rng.random() < 0.03:
                        continue  # a missing argument
                    argv.append(self.value(path, str(param.name)))
                continue
            if getattr(param, "is_flag", False):
                if rng.random() < 0.3:
                    argv.append(param.opts[0])
                continue
            if rng.random() < (0.93 if param.required else 0.35):
                for _ in range(rng.choice((1, 1, 2)) if getattr(param, "multiple", False) else 1):
                    argv += [param.opts[0], self.value(path, str(param.name))]
        roll = rng.random()
        if roll < 0.02:
            argv.append("--okänd-flagga")
        elif roll < 0.04:
            argv.append("extra-argument")
        elif roll < 0.05:
            argv.append("--help")
        return argv


def _leaves() -> list[tuple[tuple[str, ...], Any]]:
    import click
    import typer.main

    from ledger.cli.main import app

    root = typer.main.get_command(app)
    ctx = click.Context(root)

    def walk(command: Any, path: tuple[str, ...]) -> Any:
        if hasattr(command, "list_commands"):
            for name in command.list_commands(ctx):
                yield from walk(command.get_command(ctx, name), (*path, name))
        else:
            yield path, command

    return [(path, command) for path, command in walk(root, ()) if path[0] not in ("demo", "init", "migrate")]


def _typed_identities(argv: list[str]) -> set[str]:
    """The ten-digit cores of identity numbers typed anywhere in the arguments (ASCII digits only)."""
    return {re.sub(r"[-+]", "", m)[-10:] for a in argv for m in _CORE.findall(a)}


def _gives_away(text: str, cores: set[str]) -> bool:
    return any(re.sub(r"[-+]", "", m)[-10:] in cores for m in _CORE.findall(text))


@pytest.mark.parametrize(("backend", "chunk"), [
    *[("sqlite", c) for c in range(CHUNKS - 2)],
    *[pytest.param("postgres", c, marks=pytest.mark.postgres) for c in range(CHUNKS - 2, CHUNKS)],
])
def test_random_invocations_never_crash_echo_or_store_on_refusal(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        request: pytest.FixtureRequest, backend: str, chunk: int) -> None:
    monkeypatch.setenv("LEDGER_NOW", "2026-11-30T12:00:00+01:00")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # a prompt gets end of input, as under cron
    monkeypatch.chdir(tmp_path)
    db = str(tmp_path / "fuzz.sqlite3") if backend == "sqlite" else str(request.getfixturevalue("pg_url"))
    for args in SETUP:
        result = run_cli(capsys, db, *args)
        assert result.code == 0, (args, result.err)
    fuzzer, commands = Fuzzer(random.Random(SEED * 31 + chunk), tmp_path), _leaves()
    runs = RUNS // CHUNKS + (1 if chunk < RUNS % CHUNKS else 0)
    problems: list[str] = []
    exits = {0: 0, 1: 0, 2: 0}
    for n in range(runs):
        argv = fuzzer.invocation(commands)
        before = event_count(db)
        result = run_cli(capsys, db, "--as", "tester", *argv)
        where = f"run {chunk}:{n}: ledger {' '.join(repr(a) for a in argv)[:300]}"
        if result.code not in (0, 1, 2):
            problems.append(f"{where}: exit {result.code}: {result.err[:300]}")
            continue
        exits[result.code] += 1
        if "Traceback" in result.out + result.err:
            problems.append(f"{where}: a traceback")
        cores = _typed_identities(argv)
        if cores and (_gives_away(result.err, cores) or (result.code != 0 and _gives_away(result.out, cores))):
            problems.append(f"{where}: a typed identity number was written back: {result.err[:300]}")
        if result.code != 0:
            if event_count(db) != before:
                problems.append(f"{where}: exit {result.code} but {event_count(db) - before} event(s) stored")
            if not result.err.startswith("Fel: ") and "--help" not in argv:
                problems.append(f"{where}: a refusal without a message: {result.err[:200]!r}")
        for line in {line for line in result.err.splitlines() if line.strip()}:
            if result.err.count(line + "\n") > 1 and "Inget har sparats" in line:
                problems.append(f"{where}: said twice: {line[:200]}")
    assert not problems, f"{len(problems)} of {runs} invocations went wrong:\n" + "\n".join(problems[:15])
    assert exits[0] > 0 and exits[1] + exits[2] > 0, exits  # the pools reach both sides of the rules
