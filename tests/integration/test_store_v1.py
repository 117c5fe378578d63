"""A store written by the code before the layers were redrawn, and before personal data was
encrypted, is encrypted in place (``ledger migrate --encrypt``) and then says what it said before.

``tests/data/store-v1.sqlite3`` and ``store-v1.golden.json`` were written by
``tests/data/make_store_v1.py`` at commit 8a8e2bd: a demo unit plus one long case (a snapshot of
the old state's shape at version 100, a correction, revoked and re-granted consents, an identity
number typed into a legal basis). After the migration no identity number or note is left in the
file's bytes, and every reading command says today what it said then, except where a later change
meant to change it (listed in :func:`expected`).
"""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import run_cli

DATA = Path(__file__).parents[1] / "data"
GOLDEN: dict[str, Any] = json.loads((DATA / "store-v1.golden.json").read_text(encoding="utf-8"))


#: Adopting the old store (``ledger init``) appends two events: what kind of store it is, and its first
#: user. Every older event stays as it was (sealed, its chain computed anew by the migration).
ADOPTION_EVENTS = 2


def _opener(case: str) -> str:
    return str(GOLDEN[f"case log {case}"][0]["recorded_by"])


def expected(command: str, old: Any) -> Any:
    """What the old output becomes by design: ``case log`` shows an entry's details as ``history``
    does (one definition now: no person id, identity-like text masked); a case shows who is
    responsible for it (``assigned_to``: whoever opened it, until it is assigned); the list says whether
    a case was thinned out (``thinned_on``)."""
    new = copy.deepcopy(old)
    if command.startswith("case show") and new is not None:
        new["assigned_to"] = _opener(new["case"])
    if command.startswith("case list"):
        for row in new:
            row["assigned_to"] = row["opened_by"]
            row["thinned_on"] = None
            row["attention"] = _conditions(row["case"]) + row["attention"]
        if "--needs-attention" in command:  # cases that need attention now only for the conditions
            listed = {row["case"] for row in new}
            new += [{**row, "assigned_to": row["opened_by"], "thinned_on": None, "attention": _conditions(row["case"])}
                    for row in GOLDEN["case list"] if row["case"] not in listed and _conditions(row["case"])]
            order = [row["case"] for row in GOLDEN["case list"]]
            new.sort(key=lambda row: order.index(row["case"]))
    if command.startswith("case log"):
        for entry in new:
            entry["details"].pop("person_id", None)
            basis = entry["details"].get("legal_basis")
            if basis:
                entry["details"]["legal_basis"] = basis.replace("199201012383", "************")
    return new


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("v1") / "store.sqlite3"
    shutil.copy(DATA / "store-v1.sqlite3", path)
    from ledger.bootstrap import services
    from ledger.domain.permissions import Role

    found = services(str(path), "tester")
    found.migrate_encrypt()  # ledger migrate --encrypt
    # ledger init on the migrated store; a training store here only so that the old answers can be read
    # at the moment they were written (LEDGER_NOW), which a real store refuses
    found.initialise(training=True, roles=[r.value for r in Role], adopt_as_training=True)
    return str(path)


@pytest.fixture(autouse=True)
def _as_then(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDGER_NOW", "2026-11-23T12:00:00+00:00")


def _read(capsys: pytest.CaptureFixture[str], db: str, command: str) -> Any:
    args = command.split()
    if args[0] == "stats":
        args += ["--format", "json"]
    else:
        args.append("--json")
    result = run_cli(capsys, db, *args)
    if command.startswith("case show") and result.code == 1 and GOLDEN[command] is None:
        return None
    assert result.code == 0, f"{command}: {result.err}"
    data = result.json()
    if args[0] == "stats":
        data["metadata"].pop("produced_at")
        data["metadata"].pop("ledger_version")
    return data


def _conditions(case: str) -> list[str]:
    """What "needs attention" adds today for an old open case with a granted decision: the guideline's
    conditions were not recorded by the old förhandsbedömning (or there was none)."""
    view = GOLDEN.get(f"case show {case}")
    if not view or view["status"] != "open" or not any(d["outcome"] == "granted" for d in view["decisions"]):
        return []
    if view["assessment"] is None:
        return ["condition_no_assessment"]
    return ["condition_motivation", "condition_consent", "condition_serious_crime"]


def _notes(command: str) -> int:
    """How many notes the old case log shows for the case as ``command`` replays it: the journal now
    counts every note given with an entry (the old store has no journal entries of their own)."""
    args = command.split()
    entries = GOLDEN.get(f"case log {args[2]}") or []
    if "--as-of" in args:
        entries = [e for e in entries if e["occurred_on"] <= args[args.index("--as-of") + 1]]
    if "--recorded-before" in args:
        entries = [e for e in entries if e["recorded_at"] < args[args.index("--recorded-before") + 1]]
    return sum(1 for e in entries if e["has_note"])


def _as_before(command: str, new: Any, old: Any) -> Any:
    """What an answer says that was there before: keys added since (the person, the plan, the journal,
    a decision's maker and dates, a history entry's note) are checked apart, then left out."""
    if command.startswith("case show") and isinstance(new, dict):
        assert new["person"]["identity"].endswith("-****")
        assert new["plan"] is None and new["journal_entries"] == _notes(command)
        new = {k: v for k, v in new.items() if k in old}
        new["decisions"] = [{k: v for k, v in d.items() if k in old["decisions"][0]} for d in new["decisions"]]
    if command.startswith("budget show") and isinstance(new, dict):
        assert new.pop("has_budget") is True  # said apart: whether a budget is set for the year
    if command.startswith("history"):
        for entry in new["entries"]:
            assert bool(entry.pop("note")) == entry["has_note"]
    if command.startswith("stats"):
        return _stats_as_before(new, old)
    return new


def _stats_as_before(new: Any, old: Any) -> Any:
    """Issue 12 redrew disclosure control (more is hidden; ``suppressed`` says that, not why; every
    drop-out row is listed; providers of residential interventions are not counted; care days rest on the
    people in placements): every cell shown both then and now says the same, and nothing hidden then is
    shown now but the care days of a service (always 0)."""
    assert {k: v for k, v in new["metadata"].items() if k != "suppression"} == {
        k: v for k, v in old["metadata"].items() if k != "suppression"}
    assert [t["id"] for t in new["tables"]] == [t["id"] for t in old["tables"]]
    for was, now in zip(old["tables"], new["tables"], strict=True):
        assert now["cols"] == was["cols"]
        for r, row in enumerate(was["rows"]):
            for c, col in enumerate(was["cols"]):
                then, shown = was["values"][r][c], now["values"][now["rows"].index(row)][c]
                if col == "providers" or (col == "care_days" and then == ".." and shown == 0):
                    continue
                assert shown in ("..", then), (was["id"], row, col, then, shown)
    return old


@pytest.mark.parametrize("command", sorted(set(GOLDEN) - {"digest", "verify"}))
def test_every_reading_command_says_what_it_said_before(
    store: str, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    old = expected(command, GOLDEN[command])
    assert _as_before(command, _read(capsys, store, command), old) == old


def test_the_migration_rechains_and_keeps_the_old_head(store: str, capsys: pytest.CaptureFixture[str],
                                                        tmp_path: Path) -> None:
    """The chain is computed anew over the sealed bytes (the same events, order and times): it verifies,
    an old digest no longer extends it, and the old head is kept in the store's settings."""
    from ledger.bootstrap import services

    old = GOLDEN["digest"]
    report = _read(capsys, store, "verify")
    assert report["ok"] is True and report["events"] == old["position"] + ADOPTION_EVENTS
    heads = tmp_path / "old-head.txt"
    heads.write_text(old["line"] + "\n", encoding="utf-8")
    result = run_cli(capsys, store, "verify", "--digest", str(heads), "--json")
    assert result.code == 1 and result.json()["problem"]["kind"] == "digest_mismatch"
    noted = services(store, "tester").store_meta("encrypted_from")
    assert noted is not None and f"position={old['position']} hash={old['hash']}" in noted


def test_nothing_personal_is_left_in_the_migrated_file(store: str) -> None:
    data = b"".join(p.read_bytes() for p in Path(store).parent.glob(Path(store).name + "*"))
    for secret in (b"199201012383", b"9201012383", b"person_namespace"):
        assert secret not in data, secret


def test_the_old_snapshot_is_left_unused_and_the_case_folds_from_its_first_event(
    store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The long case's snapshot (version 100, the old shape of the state) is dropped by the migration
    (snapshots are derived): the case is folded from its events, and finds every consent period."""
    from sqlalchemy import text

    from ledger.adapters.store import SQLStore
    from ledger.bootstrap import services

    found = services(store, user="anna.l")
    with found.store.read() as conn:
        topics = [row[0] for row in conn.execute(text("SELECT state FROM ledger_snapshots"))]
    assert topics == []
    case = found.ledger.get_case("AVH-2026-0009")
    assert [p.granted_on.isoformat() for p in case.consents["relatives"]] == ["2026-01-06", "2026-03-01"]
    assert case.covers("relatives", case.consents["relatives"][1].granted_on)
    assert not case.covers("relatives", case.consents["relatives"][0].revoked_on)  # type: ignore[arg-type]
    SQLStore.dispose_all()
