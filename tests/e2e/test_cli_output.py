"""What the CLI prints: JSON with stable English keys, filters, a log without personal data,
Swedish by default and English on request, an example in every help text, and a fast ``--help``."""

from __future__ import annotations

import gc
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TEST_PNR
from tests.helpers import STORE_SETUP_EVENTS, Result, event_count, run_cli, run_process, training_store

CASE = "AVH-2026-0001"
PNR = TEST_PNR[0]
#: Personal data given to the CLI below; none of it may appear in a log, a view or a list.
WITH_WHOM = "Mamma Testsson"
NOTE = "hemligt"
PURPOSE = "samverkan kring hotbild"
SHARED = "aktuell boendeort Storstad"


def _pnr_forms(pnr: str) -> set[str]:
    return {pnr, pnr[2:], f"{pnr[:8]}-{pnr[8:]}", f"{pnr[2:8]}-{pnr[8:]}"}


SECRETS = _pnr_forms(PNR) | {WITH_WHOM, NOTE, PURPOSE, SHARED}
SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")


def ok(capsys: pytest.CaptureFixture[str], db: str, *args: str) -> Result:
    result = run_cli(capsys, db, *args)
    assert result.code == 0, (args, result.err)
    assert "Traceback" not in result.out + result.err
    return result


def seed(db: str) -> None:
    """A case with a little of everything, recorded through the application (fast)."""
    from tests.helpers import ledger_at

    app = ledger_at(db, "tester")
    app.add_provider("SKYDD1", name="Skyddat boende Nord AB", on="2026-01-02")
    app.set_budget(2026, "7 025 000", on="2026-01-02")
    case = app.open_case(PNR, gender="woman", environment="criminal", source="police", on="2026-01-05", note=NOTE)
    assert case == CASE
    app.grant_consent(case, "police", purpose=PURPOSE, on="2026-01-06")
    app.record_decision(case, outcome="granted", intervention="protected_housing", period_start="2026-01-10",
                        period_end="2026-06-30", daily_price="3 000,00", on="2026-01-09")
    app.start_placement(case, provider="SKYDD1", intervention="protected_housing", daily_price="3 000,00",
                        planned_end="2026-06-30", on="2026-01-10")
    app.record_payment(case, "66 000,00", placement="P1", period_start="2026-01-10", period_end="2026-01-31",
                       invoice="F-1", on="2026-02-03")


def _assert_snake_keys(data: Any, where: str) -> None:
    assert isinstance(data, dict), where
    for key in data:
        assert SNAKE.match(key), f"{where}: key {key!r} is not a stable English snake_case key"


# -- recording commands: {"ok": true, ...} ----------------------------------------------------------

RECORDINGS: list[tuple[tuple[str, ...], dict[str, Any]]] = [
    (("provider", "add", "SKYDD1", "--name", "Skyddat boende Nord AB", "--date", "2026-01-02"),
     {"provider": "SKYDD1"}),
    (("provider", "add", "coach1", "--name", "Coachen AB", "--date", "2026-01-02"), {"provider": "COACH1"}),
    (("provider", "verify", "skydd1", "--permit", "IVO-1234", "--valid-until", "2027-12-31", "--date", "2026-01-03"),
     {"provider": "SKYDD1"}),
    (("budget", "set", "2026", "7 025 000", "--date", "2026-01-02"), {"year": 2026}),
    (("budget", "adjust", "2026", "--date", "2026-02-01", "--json", "--", "-250000"), {"year": 2026}),
    (("case", "open", PNR, "--gender", "woman", "--environment", "honour", "--source", "social_services",
      "--date", "2026-01-05"), {"case": CASE}),
    (("contact", "add", CASE.lower(), "--channel", "meeting", "--with", WITH_WHOM, "--note", NOTE,
      "--date", "2026-01-05"), {"case": CASE, "event": "contact"}),
    (("consent", "grant", CASE, "--recipient", "police", "--purpose", PURPOSE, "--date", "2026-01-06"),
     {"case": CASE, "event": "consent_granted"}),
    (("assessment", "record", CASE, "--outcome", "investigate", "--reason", "needs_support", "--date", "2026-01-06"),
     {"case": CASE, "event": "assessment"}),
    (("investigation", "open", CASE, "--date", "2026-01-07"), {"case": CASE, "event": "investigation_opened"}),
    (("threat", "record", CASE, "--unit", "noa", "--level", "high", "--protection-needed", "--criteria-met",
      "--review-on", "2026-07-01", "--date", "2026-01-08"), {"case": CASE, "event": "threat"}),
    (("investigation", "complete", CASE, "--date", "2026-01-09"), {"case": CASE, "event": "investigation_completed"}),
    (("decision", "record", CASE, "--outcome", "granted", "--intervention", "protected_housing", "--from",
      "2026-01-10", "--to", "2026-06-30", "--daily-price", "3 000", "--date", "2026-01-09"),
     {"case": CASE, "event": "decision", "id": "D1"}),
    (("decision", "record", CASE, "--outcome", "granted", "--intervention", "defector_coach", "--from", "2026-01-10",
      "--ceiling", "100 000", "--date", "2026-01-09"), {"case": CASE, "event": "decision", "id": "D2"}),
    (("placement", "start", CASE, "--provider", "SKYDD1", "--intervention", "protected_housing", "--daily-price",
      "3 000,00", "--planned-end", "2026-03-31", "--date", "2026-01-10"),
     {"case": CASE, "event": "placement", "id": "P1"}),
    (("placement", "extend", CASE, "p1", "--planned-end", "2026-06-30", "--date", "2026-03-01"),
     {"case": CASE, "event": "placement_extended", "id": "P1"}),
    (("service", "start", CASE, "--provider", "COACH1", "--intervention", "defector_coach", "--price", "12 000",
      "--date", "2026-01-12"), {"case": CASE, "event": "service", "id": "S1"}),
    (("payment", "record", CASE, "89 550,00", "--placement", "P1", "--from", "2026-01-10", "--to", "2026-02-08",
      "--invoice", "F-1001", "--date", "2026-02-10"), {"case": CASE, "event": "payment", "id": "B1"}),
    (("payment", "reverse", CASE, "b1", "--amount", "3 000", "--date", "2026-02-12"),
     {"case": CASE, "event": "reversal", "id": "R1"}),
    (("grant", "apply", CASE, "--reference", "A-123/26", "--amount", "250 000", "--from", "2026-01-01",
      "--to", "2026-12-31", "--date", "2026-02-01"), {"case": CASE, "event": "grant_applied", "id": "A-123/26"}),
    (("grant", "decide", CASE, "--reference", "A-123/26", "--outcome", "partly_granted", "--amount", "200 000",
      "--date", "2026-03-01"), {"case": CASE, "event": "grant_decided", "id": "A-123/26"}),
    (("share", "record", CASE, "--recipient", "police", "--what", SHARED, "--date", "2026-03-02"),
     {"case": CASE, "event": "share"}),
    (("relative", "add", CASE, "--relation", "parent", "--date", "2026-03-03"), {"case": CASE, "event": "relative"}),
    (("child", "add", CASE, "--birth-year", "2019", "--date", "2026-03-03"), {"case": CASE, "event": "child"}),
    (("consent", "revoke", CASE, "--recipient", "police", "--date", "2026-03-04"),
     {"case": CASE, "event": "consent_revoked"}),
    (("placement", "end", CASE, "P1", "--reason", "planned", "--date", "2026-06-30"),
     {"case": CASE, "event": "placement_ended", "id": "P1"}),
    (("service", "end", CASE, "S1", "--date", "2026-06-30"), {"case": CASE, "event": "service_ended", "id": "S1"}),
    (("decision", "status", CASE, "d2", "replaced", "--date", "2026-07-01"),
     {"case": CASE, "event": "decision_status", "id": "D2"}),
    (("followup", "record", CASE, "--time-point", "closure", "--housing", "own", "--occupation", "work",
      "--date", "2026-07-01"), {"case": CASE, "event": "followup"}),
    (("case", "close", CASE, "--reason", "goals_met", "--date", "2026-07-01"), {"case": CASE, "event": "closed"}),
    (("case", "reopen", CASE, "--date", "2026-08-01"), {"case": CASE, "event": "reopened"}),
]


def test_every_recording_command_prints_ok_json(capsys: pytest.CaptureFixture[str], sqlite_url: str) -> None:
    """One pass through every recording command with --json (SQLite: the output does not depend on the backend)."""
    before = 0
    for args, expected in RECORDINGS:
        argv = args if "--json" in args else (*args, "--json")
        result = ok(capsys, sqlite_url, *argv)
        assert result.complaints == ""
        assert result.json() == {"ok": True, **expected}, args
        after = event_count(sqlite_url)
        assert after > before, f"{args} printed ok but stored nothing"
        before = after
    view = ok(capsys, sqlite_url, "case", "show", CASE, "--json").json()
    assert view["status"] == "open" and view["paid_total"] == "86550.00"
    assert [p["id"] for p in view["payments"]] == ["B1"] and view["payments"][0]["reversed"] == "3000.00"
    assert view["grants"]["A-123/26"]["amount_granted"] == "200000.00"
    assert {d["id"]: d["status"] for d in view["decisions"]} == {"D1": "in_force", "D2": "replaced"}


def test_every_command_has_a_json_option() -> None:
    import typer.main

    from ledger.cli.main import app

    root = typer.main.get_command(app)
    context = root.make_context("ledger", ["--help"], resilient_parsing=True)
    leaves = []
    for name, command in ((n, root.get_command(context, n)) for n in root.list_commands(context)):
        for sub_name, sub in getattr(command, "commands", {name: command}).items():
            leaves.append((f"{name} {sub_name}".strip() if sub is not command else name, sub))
    assert len(leaves) > 35

    def prints_json(command: Any) -> bool:
        # --json, or (ledger stats, which also writes csv and xlsx) --format with a json choice
        return any("--json" in p.opts or ("--format" in p.opts and "json" in (p.help or "")) for p in command.params)

    without = [path for path, command in leaves if not prints_json(command)]
    assert without == [], f"commands without --json: {without}"


# -- reading commands ---------------------------------------------------------------------------------------

CASE_VIEW_KEYS = {
    "case", "status", "opened_on", "closed_on", "closure_reason", "environment", "referral_source",
    "actualisation_type", "gender", "birth_year", "protection_level", "assessment", "investigation", "consents",
    "threat", "decisions", "placements", "services", "payments", "grants", "paid_total", "followups", "contacts",
    "shares", "event_count",
}
CASE_ROW_KEYS = {
    "case", "status", "opened_on", "closed_on", "environment", "referral_source", "protection_level", "opened_by",
    "last_recorded_by", "last_occurred_on", "running_interventions", "event_count",
}
LOG_ENTRY_KEYS = {"entry", "type", "occurred_on", "recorded_at", "recorded_by", "details", "has_note"}


def test_reading_commands_print_json_with_stable_english_keys(
    capsys: pytest.CaptureFixture[str], db_url: str
) -> None:
    seed(db_url)

    view = ok(capsys, db_url, "case", "show", CASE.lower(), "--json").json()
    assert set(view) >= CASE_VIEW_KEYS, CASE_VIEW_KEYS - set(view)
    _assert_snake_keys(view, "case show")
    assert view["case"] == CASE and view["paid_total"] == "66000.00"
    assert view["placements"][0]["daily_price"] == "3000.00"

    rows = ok(capsys, db_url, "case", "list", "--json").json()
    assert isinstance(rows, list) and len(rows) == 1
    assert set(rows[0]) >= CASE_ROW_KEYS, CASE_ROW_KEYS - set(rows[0])
    _assert_snake_keys(rows[0], "case list")
    assert rows[0]["case"] == CASE and rows[0]["running_interventions"] == 1

    log = ok(capsys, db_url, "case", "log", CASE, "--json").json()
    assert all(set(entry) == LOG_ENTRY_KEYS for entry in log)

    info = ok(capsys, db_url, "info", "--json").json()
    assert {"database", "backend", "events", "projections"} <= set(info)
    assert info["backend"] == ("sqlite" if db_url.startswith("sqlite") else "postgresql")
    assert info["events"] == event_count(db_url) == 10 + STORE_SETUP_EVENTS
    assert info["database"].split("/")[-1] == db_url.rsplit("/", maxsplit=1)[-1]
    assert all(isinstance(v, int) for v in info["projections"].values()) and info["projections"]

    status = ok(capsys, db_url, "projections", "status", "--json").json()
    assert status and all({"name", "version", "position", "head", "lag"} <= set(row) for row in status)
    assert all(row["lag"] == 0 and row["head"] == info["events"] for row in status)

    budget = ok(capsys, db_url, "budget", "show", "2026", "--by", "provider", "--json").json()
    _assert_snake_keys(budget, "budget show")
    assert budget["year"] == 2026 and budget["budget"] == "7025000.00" and budget["paid"] == "66000.00"

    for result in (view, rows, log, info, status, budget):
        text = json.dumps(result, ensure_ascii=False)
        for secret in SECRETS:
            assert secret not in text


def test_case_list_filters_by_status_and_environment(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    from tests.helpers import ledger_at

    app = ledger_at(db_url, "tester")
    made = {}
    for pnr, env in ((TEST_PNR[0], "criminal"), (TEST_PNR[1], "honour"), (TEST_PNR[2], "honour")):
        made[app.open_case(pnr, gender="man", environment=env, source="police", on="2026-02-01")] = env
    criminal, honour_open, honour_closed = made
    app.close_case(honour_closed, "goals_met", on="2026-03-01")

    def listed(*args: str) -> set[str]:
        rows = ok(capsys, db_url, "case", "list", *args, "--json").json()
        return {row["case"] for row in rows}

    assert listed() == {criminal, honour_open, honour_closed}
    assert listed("--status", "open") == {criminal, honour_open}
    assert listed("--status", "closed") == {honour_closed}
    assert listed("--environment", "honour") == {honour_open, honour_closed}
    assert listed("--environment", "criminal") == {criminal}
    assert listed("--status", "open", "--environment", "honour") == {honour_open}
    assert listed("--environment", "violent_extremist") == set()
    rows = ok(capsys, db_url, "case", "list", "--status", "closed", "--json").json()
    assert [(r["status"], r["closed_on"]) for r in rows] == [("closed", "2026-03-01")]

    table = ok(capsys, db_url, "case", "list", "--status", "closed").out
    assert honour_closed in table and criminal not in table and honour_open not in table
    assert ok(capsys, db_url, "case", "list", "--environment", "violent_extremist").out.strip() == "Inga ärenden."


def test_case_log_is_oldest_first_and_has_no_personal_fields(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    seed(db_url)
    ok(capsys, db_url, "contact", "add", CASE, "--channel", "meeting", "--with", WITH_WHOM, "--note", NOTE,
       "--date", "2026-02-05")
    ok(capsys, db_url, "share", "record", CASE, "--recipient", "police", "--what", SHARED, "--date", "2026-02-06")
    # recorded late, about an earlier day: the log keeps recording order
    ok(capsys, db_url, "contact", "add", CASE, "--channel", "phone", "--date", "2026-01-07")

    log = ok(capsys, db_url, "case", "log", CASE, "--json").json()
    assert [e["entry"] for e in log] == list(range(1, len(log) + 1))
    assert [e["type"] for e in log] == [
        "CaseActualised", "ConsentGranted", "DecisionRecorded", "PlacementStarted", "PaymentRecorded",
        "ContactRecorded", "InformationShared", "ContactRecorded",
    ]
    assert [e["occurred_on"] for e in log][-3:] == ["2026-02-05", "2026-02-06", "2026-01-07"]
    recorded_at = [e["recorded_at"] for e in log]
    assert recorded_at == sorted(recorded_at)
    assert [e["has_note"] for e in log] == [True, False, False, False, False, True, False, False]
    contact = log[5]["details"]
    assert contact["channel"] == "meeting"
    assert "with_whom" not in contact and "note" not in contact
    assert "what" not in log[6]["details"] and log[6]["details"]["recipient"] == "police"
    assert "purpose" not in log[1]["details"]
    assert all("identity_number" not in e["details"] for e in log)

    view = ok(capsys, db_url, "case", "show", CASE, "--json")
    assert view.json()["event_count"] == len(log)
    outputs = [
        ok(capsys, db_url, "case", "log", CASE, "--json"),
        view,
        ok(capsys, db_url, "case", "log", CASE),
        ok(capsys, db_url, "case", "show", CASE),
        ok(capsys, db_url, "case", "list", "--json"),
    ]
    for result in outputs:
        for secret in SECRETS:
            assert secret not in result.out + result.err, f"personal data {secret!r} printed"


# -- language -----------------------------------------------------------------------------------------------


def test_swedish_is_the_default_and_ledger_lang_en_switches(capsys: pytest.CaptureFixture[str], sqlite_url: str) -> None:
    seed(sqlite_url)
    swedish = run_process(sqlite_url, "contact", "add", CASE, "--channel", "phone")
    assert swedish.code == 0, swedish.err
    assert swedish.out.strip() == f"Registrerat i {CASE}: kontakt."

    english = run_process(sqlite_url, "contact", "add", CASE, "--channel", "phone", env={"LEDGER_LANG": "en"})
    assert english.code == 0, english.err
    assert english.out.strip() == f"Recorded in {CASE}: contact."

    # JSON keys and values do not depend on the language
    shown = run_process(sqlite_url, "case", "show", CASE, "--json", env={"LEDGER_LANG": "en"})
    assert shown.code == 0, shown.err
    assert json.loads(shown.out) == ok(capsys, sqlite_url, "case", "show", CASE, "--json").json()


_HELP_SCRIPT = r"""
import contextlib, io, json, sys
import typer.main
from ledger.cli.main import app, main

texts = {}
buffer = io.StringIO()
with contextlib.redirect_stdout(buffer):
    try:
        main(["--help"])  # through the entry point once: it sets up the Swedish help titles
    except SystemExit as stop:
        assert stop.code in (0, None), stop.code
texts[""] = buffer.getvalue()
# Typer rebuilds the whole command tree on every call (~0.2 s); build it once for the rest.
root = typer.main.get_command(app)
context = root.make_context("ledger", ["--help"], resilient_parsing=True)
paths = []
for name, command in ((n, root.get_command(context, n)) for n in root.list_commands(context)):
    paths.append([name])
    paths.extend([name, sub] for sub in getattr(command, "commands", {}))
for path in paths:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        try:
            root.main([*path, "--help"], standalone_mode=False, prog_name="ledger")
        except SystemExit as stop:
            assert stop.code in (0, None), (path, stop.code)
    texts[" ".join(path)] = buffer.getvalue()
with open(sys.argv[1], "w", encoding="utf-8") as out:
    json.dump(texts, out)
"""


@pytest.mark.parametrize(("lang", "marker", "other"), [("sv", "Exempel:", "Example:"), ("en", "Example:", "Exempel:")])
def test_help_of_every_command_has_an_example(tmp_path: Path, lang: str, marker: str, other: str) -> None:
    import os

    env = {**os.environ, "LEDGER_LANG": lang, "COLUMNS": "200", "TERMINAL_WIDTH": "200"}
    out = tmp_path / "help.json"
    proc = subprocess.run([sys.executable, "-c", _HELP_SCRIPT, str(out)], capture_output=True, text=True, env=env,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    texts: dict[str, str] = json.loads(out.read_text(encoding="utf-8"))
    assert len(texts) > 50  # the root, every group and every command
    assert {"", "case", "case open", "payment record", "budget adjust", "info", "demo"} <= set(texts)
    for path, text in texts.items():
        assert ("Användning: ledger" if lang == "sv" else "Usage: ledger") in text, f"ledger {path} --help printed no help"
        assert marker in text, f"'ledger {path} --help' has no '{marker}'"
        assert other not in text, f"'ledger {path} --help' mixes languages"
    if lang == "sv":
        assert "Flaggor" in texts["case open"] and "Visa denna hjälp och avsluta." in texts["case open"]


_IMPORT_SCRIPT = r"""
import json, sys
from ledger.cli.main import main

HEAVY = ("sqlalchemy", "eventsourcing", "pydantic")
found = {}
for args in (["--help"], ["case", "--help"], ["case", "open", "--help"]):
    try:
        main(args)
    except SystemExit:
        pass
    found[" ".join(args)] = sorted({m.split(".")[0] for m in sys.modules if m.split(".")[0] in HEAVY})
with open(sys.argv[1], "w", encoding="utf-8") as out:
    json.dump(found, out)
"""


def test_help_does_not_import_the_database_stack(tmp_path: Path) -> None:
    out = tmp_path / "modules.json"
    proc = subprocess.run([sys.executable, "-c", _IMPORT_SCRIPT, str(out)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Användning: ledger" in proc.stdout  # the help was printed
    found = json.loads(out.read_text(encoding="utf-8"))
    assert found["--help"] == [], "ledger --help imported the database stack"
    # Help of a group or command: Typer itself imports pydantic to describe parameter types,
    # but nothing of the ledger's own database stack may load.
    assert set(found["case --help"]) <= {"pydantic"}
    assert set(found["case open --help"]) <= {"pydantic"}


_COLLECTOR_SCRIPT = r"""
import gc, json, sys
from ledger.cli import common, entry

seen = []
made = common.Session.services

def services(self, *args, **kwargs):
    seen.append({"loading": gc.isenabled()})
    found = made(self, *args, **kwargs)
    seen.append({"working": gc.isenabled(), "frozen": gc.get_freeze_count()})
    return found

common.Session.services = services
out, sys.argv = sys.argv[1], ["ledger", "--db", sys.argv[2], "info", "--json"]
try:
    entry.run()
except SystemExit as stop:
    seen.append({"code": stop.code, "after": gc.isenabled()})
with open(out, "w", encoding="utf-8") as handle:
    json.dump(seen, handle)
"""


def test_the_command_loads_with_the_collector_off_and_works_with_it_on(tmp_path: Path, sqlite_url: str) -> None:
    """The ``ledger`` command (``cli/entry.py``): while the command line and the store's stack load, the
    garbage collector is off; once the command's services are made, what was loaded is frozen and the
    collector is on for the command's own work (a rebuild or a demo makes millions of objects)."""
    out = tmp_path / "collector.json"
    training_store(sqlite_url)
    proc = subprocess.run([sys.executable, "-c", _COLLECTOR_SCRIPT, str(out), sqlite_url], capture_output=True,
                          text=True, timeout=120, env={**os.environ, "LEDGER_USER": "tester"})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout)["events"] >= 1  # the command ran
    loading, working, ended = json.loads(out.read_text(encoding="utf-8"))
    assert loading == {"loading": False}
    assert working["working"] is True and working["frozen"] > 50_000, working
    assert ended == {"code": 0, "after": True}
    # main(argv), which tests and scripts call, leaves the collector as it found it
    assert gc.isenabled()
    called = subprocess.run([sys.executable, "-c", "import gc, sys\nfrom ledger.cli.main import main\n"
                                     "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
                                     "sys.exit(0 if gc.isenabled() and gc.get_freeze_count() == 0 else 3)"],
                                    capture_output=True, text=True, timeout=120)
    assert called.returncode == 0, called.stderr[-2000:]
