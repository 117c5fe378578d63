"""The role × command table: every command tried as every role, through the command line.

The expectations come from the one table (:data:`ledger.domain.permissions.PERMISSIONS`), not from
this file: :data:`COMMANDS` only says how to give each command, and which of the table's actions
decide it. A command the table allows runs (exit 0) and leaves no *nekad* entry; one it refuses
exits 1 with a Swedish message naming the roles that may, stores no event, and leaves one *nekad*
entry for that user and command in the access log. Each pair runs on its own copy of one
prepared training store (SQLite: who may do what does not depend on the backend; PostgreSQL's
own rights are tested in ``test_logins_pg.py``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ledger.domain.permissions import PERMISSIONS, SWEDISH_NAMES, Action, Role, allowed
from tests.conftest import TEST_PNR, TODAY
from tests.helpers import event_count, run_cli, store_at, training_store

A, B, C = "AVH-2026-0001", "AVH-2026-0002", "AVH-2026-0003"

#: How to give each command (with ``{tmp}`` for a scratch directory), and the table's actions that
#: decide it: allowed when any of them is (``case show`` shows an economist the case's money only).
COMMANDS: list[tuple[tuple[Action, ...], tuple[str, ...]]] = [
    ((Action.CASE_OPEN,), ("case", "open", TEST_PNR[5], "--gender", "man", "--environment", "criminal",
                           "--source", "police", "--date", "2026-11-01")),
    ((Action.CASE_CLOSE,), ("case", "close", C, "--reason", "goals_met", "--date", "2026-11-20")),
    ((Action.CASE_REOPEN,), ("case", "reopen", B)),
    ((Action.CONTACT_ADD,), ("contact", "add", A, "--channel", "phone")),
    ((Action.CONSENT_GRANT,), ("consent", "grant", A, "--recipient", "probation", "--purpose", "samverkan")),
    ((Action.CONSENT_REVOKE,), ("consent", "revoke", A, "--recipient", "police")),
    ((Action.ASSESSMENT_RECORD,), ("assessment", "record", C, "--outcome", "investigate", "--reason", "needs_support")),
    ((Action.INVESTIGATION_OPEN,), ("investigation", "open", C)),
    ((Action.INVESTIGATION_COMPLETE,), ("investigation", "complete", A)),
    ((Action.THREAT_RECORD,), ("threat", "record", A, "--unit", "noa", "--level", "high", "--protection-needed")),
    ((Action.DECISION_RECORD,), ("decision", "record", A, "--outcome", "granted", "--intervention", "defector_coach",
                                 "--from", "2026-11-01", "--to", "2026-12-31")),
    ((Action.DECISION_STATUS,), ("decision", "status", A, "D1", "appealed")),
    ((Action.PLACEMENT_START,), ("placement", "start", A, "--provider", "SKYDD1", "--intervention",
                                 "protected_housing", "--daily-price", "3 000", "--planned-end", "2026-06-30",
                                 "--date", "2026-06-01")),
    ((Action.PLACEMENT_EXTEND,), ("placement", "extend", A, "P1", "--planned-end", "2026-05-31", "--date",
                                  "2026-03-01")),
    ((Action.PLACEMENT_END,), ("placement", "end", A, "P1", "--reason", "planned", "--date", "2026-05-15")),
    ((Action.SERVICE_START,), ("service", "start", A, "--provider", "SKYDD1", "--intervention", "defector_coach",
                               "--date", "2026-11-02")),
    ((Action.SERVICE_END,), ("service", "end", A, "S1")),
    ((Action.FOLLOWUP_RECORD,), ("followup", "record", A, "--time-point", "during", "--housing", "own",
                                 "--occupation", "work")),
    ((Action.SHARE_RECORD,), ("share", "record", A, "--recipient", "police", "--what", "hotbild")),
    ((Action.RELATIVE_ADD,), ("relative", "add", A, "--relation", "parent")),
    ((Action.CHILD_ADD,), ("child", "add", A, "--birth-year", "2019")),
    ((Action.CORRECT,), ("correct", A, "3", "--reason", "fel kanal", "--set", "channel=meeting")),
    ((Action.CORRECT,), ("correct", A, "8", "--reason", "fel faktura", "--set", "invoice_number=F-11")),
    ((Action.JOURNAL_ADD,), ("journal", "add", A, "Samtal om boende", "--kind", "samtal")),
    ((Action.JOURNAL_OBJECT,), ("journal", "object", A, "3", "Jag sa inte det")),
    ((Action.PLAN_SET,), ("plan", "set", A, "--goal", "Eget boende")),
    ((Action.DECISION_APPEAL,), ("decision", "appeal", A, "D1")),
    ((Action.DECISION_COURT,), ("decision", "court", C, "D1", "--outcome", "avslag")),
    ((Action.CASE_ASSIGN,), ("case", "assign", A, "--to", "r_case_worker")),
    ((Action.CASE_PROTECT,), ("case", "protect", A, "--level", "sekretessmarkering")),
    ((Action.CASE_GRANT_ACCESS,), ("case", "grant-access", A, "--to", "r_economist", "--until", "2026-12-31",
                                   "--reason", "fakturor")),
    ((Action.PAYMENT_RECORD,), ("payment", "record", A, "30 000", "--placement", "P1", "--from", "2026-02-01",
                                "--to", "2026-02-10", "--invoice", "F-2")),
    ((Action.PAYMENT_REVERSE,), ("payment", "reverse", A, "B1", "--amount", "1 000")),
    ((Action.PAYMENT_LIST,), ("payment", "list")),
    ((Action.GRANT_APPLY,), ("grant", "apply", A, "--reference", "A-2/26", "--amount", "10 000",
                             "--from", "2026-02-01", "--to", "2026-02-28")),
    ((Action.GRANT_DECIDE,), ("grant", "decide", A, "--reference", "A-1/26", "--outcome", "granted", "--amount",
                              "66 000")),
    ((Action.BUDGET_SET,), ("budget", "set", "2027", "7 000 000")),
    ((Action.BUDGET_ADJUST,), ("budget", "adjust", "2026", "--", "-250000")),
    ((Action.PROVIDER_ADD,), ("provider", "add", "COACH2", "--name", "Coachning Syd AB")),
    ((Action.PROVIDER_VERIFY,), ("provider", "verify", "SKYDD1", "--permit", "IVO-1234", "--valid-until",
                                 "2027-12-31")),
    ((Action.USER_ADD,), ("user", "add", "ny.person", "--role", "handläggare")),
    ((Action.USER_ROLE,), ("user", "role", "r_statistician", "--role", "ekonom")),
    ((Action.USER_END,), ("user", "end", "r_statistician")),
    ((Action.USER_LIST,), ("user", "list")),
    ((Action.CASE_SHOW, Action.CASE_SHOW_MONEY), ("case", "show", A)),
    ((Action.CASE_LOG,), ("case", "log", A)),
    ((Action.CASE_JOURNAL,), ("case", "journal", A)),
    ((Action.CASE_FIND,), ("case", "find", TEST_PNR[0])),
    ((Action.DOCUMENT,), ("document", "beslut", A, "D1", "--out", "{tmp}/beslut.html")),
    ((Action.CASE_LIST,), ("case", "list")),
    ((Action.HISTORY,), ("history", A)),
    ((Action.AUDIT_CONSENT,), ("audit", "consent", A)),
    ((Action.TILLSYN_EXPORT,), ("tillsyn", "export", A, "--out", "{tmp}/akt.html")),
    ((Action.BUDGET_SHOW,), ("budget", "show", "2026")),
    ((Action.BUDGET_BY_CASE,), ("budget", "show", "2026", "--by", "case")),
    ((Action.STATS,), ("stats", "2026")),
    ((Action.STATS_UNSUPPRESSED,), ("stats", "2026", "--no-suppression")),
    ((Action.ACCESS_LOG,), ("access-log",)),
    ((Action.GALLRING_PLAN,), ("gallring", "--dry-run")),
    ((Action.GALLRING_EXECUTE,), ("gallring", "--execute")),
    ((Action.REGISTER_EXTRACT,), ("registerutdrag", TEST_PNR[0], "--out", "{tmp}/utdrag.html")),
    ((Action.SETTINGS_SHOW,), ("settings", "show")),
    ((Action.SETTINGS_SET,), ("settings", "gallring", "--retention-years", "5", "--exempt-days", "5,15,25")),
    ((Action.VERIFY,), ("verify",)),
    ((Action.DIGEST,), ("digest",)),
    ((Action.EXPORT,), ("export", "--out", "{tmp}/arkiv.jsonl")),
    ((Action.PROJECTIONS_STATUS,), ("projections", "status")),
    ((Action.PROJECTIONS_REBUILD,), ("projections", "rebuild")),
    ((Action.INFO,), ("info",)),
]

#: Where the domain narrows the table for one entry: a case's entries are corrected by case work, its
#: money by the ekonom (``ledger.domain.corrections``).
NARROWED: dict[tuple[str, ...], frozenset[Role]] = {
    ("correct", A, "3"): frozenset({Role.CASE_WORKER, Role.MANAGER}),
    ("correct", A, "8"): frozenset({Role.ECONOMIST}),
}

SETUP: list[tuple[str, ...]] = [
    ("provider", "add", "SKYDD1", "--name", "Skyddat boende Nord AB", "--date", "2026-01-02"),
    ("budget", "set", "2026", "7 025 000", "--date", "2026-01-02"),
    ("case", "open", TEST_PNR[0], "--gender", "woman", "--environment", "criminal", "--source", "police",
     "--date", "2026-01-05"),
    ("consent", "grant", A, "--recipient", "police", "--purpose", "samverkan", "--date", "2026-01-06"),
    ("contact", "add", A, "--channel", "phone", "--date", "2026-01-07"),
    ("assessment", "record", A, "--outcome", "investigate", "--reason", "needs_support", "--date", "2026-01-07"),
    ("investigation", "open", A, "--date", "2026-01-08"),
    ("decision", "record", A, "--outcome", "granted", "--intervention", "protected_housing", "--from",
     "2026-01-10", "--to", "2026-06-30", "--daily-price", "3 000", "--date", "2026-01-09"),
    ("placement", "start", A, "--provider", "SKYDD1", "--intervention", "protected_housing", "--daily-price",
     "3 000", "--planned-end", "2026-04-30", "--date", "2026-01-10"),
    ("payment", "record", A, "66 000,00", "--placement", "P1", "--from", "2026-01-10", "--to", "2026-01-31",
     "--invoice", "F-1", "--date", "2026-02-03"),
    ("grant", "apply", A, "--reference", "A-1/26", "--amount", "66 000", "--from", "2026-01-10", "--to",
     "2026-01-31", "--date", "2026-02-04"),
    ("decision", "record", A, "--outcome", "granted", "--intervention", "defector_coach", "--from", "2026-11-01",
     "--to", "2026-12-31", "--date", "2026-10-30"),
    ("service", "start", A, "--provider", "SKYDD1", "--intervention", "defector_coach", "--date", "2026-11-01"),
    ("case", "open", TEST_PNR[1], "--gender", "man", "--environment", "honour", "--source", "self",
     "--date", "2026-02-01"),
    ("case", "close", B, "--reason", "goals_met", "--date", "2026-03-01"),
    ("case", "open", TEST_PNR[2], "--gender", "man", "--environment", "criminal", "--source", "police",
     "--date", "2026-03-01"),
    ("decision", "record", C, "--outcome", "denied", "--intervention", "protected_housing", "--motivation",
     "Behovet tillgodoses på annat sätt", "--date", "2026-03-02"),
    ("decision", "appeal", C, "D1", "--date", "2026-03-10"),
    *[("user", "add", f"r_{role.value}", "--role", SWEDISH_NAMES[role]) for role in Role],
]


def _run(capsys: pytest.CaptureFixture[str], db: str, *args: str, user: str = "tester") -> Any:
    return run_cli(capsys, db, "--as", user, *args, ready=False)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A training store with a case for every command, and one user per role (``r_<role>``)."""
    import io
    from contextlib import redirect_stderr, redirect_stdout

    from ledger.cli.main import main

    path = tmp_path_factory.mktemp("roles") / "template.sqlite3"
    db = str(path)
    with pytest.MonkeyPatch.context() as env:  # the tests' day (a module's fixture comes before _pinned_clock):
        env.setenv("LEDGER_TODAY", TODAY)      # SETUP names the cases by the year they are opened in
        training_store(db)
        for args in SETUP:
            out, err = io.StringIO(), io.StringIO()
            with redirect_stdout(out), redirect_stderr(err):
                try:
                    main(["--db", db, "--as", "tester", *args])
                except SystemExit as stop:
                    assert not stop.code, (args, err.getvalue())
    from ledger.adapters.store import SQLStore

    SQLStore.dispose_all()
    return path


def test_every_action_of_the_table_is_tried() -> None:
    tried = {action for actions, _ in COMMANDS for action in actions}
    assert tried == set(PERMISSIONS), set(PERMISSIONS) ^ tried


def _copy_store(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite store, its write-ahead log included (SQLite's backup API)."""
    import sqlite3

    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()
    target.chmod(0o600)


def _denied(db: str) -> list[tuple[str, str]]:
    from ledger.adapters.access_log import SqlAccessLog

    return [(e.user, e.command) for e in SqlAccessLog(store_at(db)).entries(outcome="denied")]


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
@pytest.mark.parametrize(("actions", "args"), COMMANDS, ids=[" ".join(args[:2]) + (" --by case" if "case" in args[2:]
                                                                                     and args[0] == "budget" else "")
                                                             + (" --no-suppression" if "--no-suppression" in args
                                                                else "") for _, args in COMMANDS])
def test_every_command_as_every_role(template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                     role: Role, actions: tuple[Action, ...], args: tuple[str, ...]) -> None:
    path = tmp_path / "store.sqlite3"
    _copy_store(template, path)
    db, user = str(path), f"r_{role.value}"
    argv = tuple(a.replace("{tmp}", str(tmp_path)) for a in args)
    before = event_count(db)
    result = _run(capsys, db, *argv, user=user)
    narrowed = NARROWED.get(tuple(args[:3]))
    if any(allowed({role}, action) for action in actions) and (narrowed is None or role in narrowed):
        assert result.code == 0, (role, argv, result.err)
        assert _denied(db) == []
        return
    assert result.code == 1, (role, argv, result.out, result.err)
    assert result.err.startswith("Fel: Nekad: ") and "kräver rollen" in result.err, result.err
    needed = sorted(narrowed or {r for action in actions for r in PERMISSIONS[action]}, key=list(Role).index)
    assert any(SWEDISH_NAMES[r] in result.err for r in needed), result.err
    assert "Traceback" not in result.err and result.out == ""
    assert event_count(db) == before, "a refused command stored an event"
    assert _denied(db) == [(user, str(actions[0]))]


def test_an_ended_user_and_a_stranger_are_refused_everything(template: Path, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "store.sqlite3"
    _copy_store(template, path)
    db = str(path)
    assert _run(capsys, db, "user", "end", "r_case_worker").code == 0
    before = event_count(db)
    for user in ("r_case_worker", "okand.person"):
        for args in (("case", "list"), ("contact", "add", A, "--channel", "phone"), ("info",)):
            result = _run(capsys, db, *args, user=user)
            assert result.code == 1 and "du är inte användare i ledgern" in result.err, (user, args, result.err)
    assert event_count(db) == before
    assert {u for u, _ in _denied(db)} == {"r_case_worker", "okand.person"}


def test_a_look_alike_name_is_not_a_user(template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A Cyrillic "а" in ``аnna`` is refused as a name, not taken for someone (nor escapes --user filters)."""
    path = tmp_path / "store.sqlite3"
    _copy_store(template, path)
    result = _run(capsys, str(path), "case", "list", user="r_m\u0430nager")
    assert result.code == 2 and "användarnamn" in result.err and "\u0430" not in result.err
    added = _run(capsys, str(path), "user", "add", "\u0430nna", "--role", "handläggare")
    assert added.code == 2 and "användarnamn" in added.err
