"""Safe defaults and clear errors (issue 12): a mistyped store path creates nothing, the demo keeps
out of a store with cases, text a command cannot do without may not be blank, amounts too large
for a ledger are malformed input, typed markup and control characters are shown as text, long
case lists are paged, a read-only store or a full disk is a clear error that leaves no file
behind."""

from __future__ import annotations

import builtins
import errno
import io
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TEST_PNR
from tests.helpers import event_count, run_cli

CASE = "AVH-2026-0001"
OPEN = ("case", "open", TEST_PNR[70], "--gender", "man", "--environment", "criminal", "--source", "police",
        "--date", "2026-03-01")


@pytest.fixture(autouse=True)
def _now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDGER_NOW", "2026-11-30T12:00:00+01:00")


def test_a_mistyped_store_path_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "ledger.sqlite3"
    for env in ({"LEDGER_DB": str(missing)}, {}):
        args = ("case", "list") if env else ("--db", str(missing), "case", "list")
        result = subprocess.run([sys.executable, "-m", "ledger.cli", *args], capture_output=True, text=True,
                                env={**os.environ, **env}, timeout=60)
        assert result.returncode == 1, result.stderr
        assert "finns inte" in result.stderr and "ledger init" in result.stderr
        assert "Traceback" not in result.stderr and result.stdout == ""
        assert not missing.parent.exists(), "a mistyped path made a folder"


def test_demo_keeps_out_of_a_store_that_holds_cases(capsys: pytest.CaptureFixture[str], sqlite_url: str) -> None:
    assert run_cli(capsys, sqlite_url, *OPEN).code == 0
    before = event_count(sqlite_url)
    result = run_cli(capsys, sqlite_url, "demo", "--cases", "2", ready=False)
    assert result.code == 1, result.err
    assert "demo" in result.err and "Inget har sparats." in result.err
    assert event_count(sqlite_url) == before


@pytest.mark.parametrize("args", [
    ("consent", "grant", CASE, "--recipient", "police", "--purpose", "   "),
    ("consent", "grant", CASE, "--recipient", "police", "--purpose", ""),
    ("share", "record", CASE, "--recipient", "police", "--what", " \t "),
    ("share", "record", CASE, "--recipient", "police", "--what", "Hotbild", "--legal-basis", " "),
    ("provider", "add", "SKYDD9", "--name", "  "),
    ("provider", "add", "  ", "--name", "Skyddat boende"),
], ids=["purpose-blank", "purpose-empty", "what-blank", "legal-basis-blank", "provider-name", "provider-code"])
def test_blank_required_text_is_refused(capsys: pytest.CaptureFixture[str], sqlite_url: str,
                                        args: tuple[str, ...]) -> None:
    assert run_cli(capsys, sqlite_url, *OPEN).code == 0
    before = event_count(sqlite_url)
    result = run_cli(capsys, sqlite_url, *args)
    assert result.code == 2, (args, result.err)
    assert ("krävs" in result.err or "fel format" in result.err) and "Inget har sparats." in result.err
    assert event_count(sqlite_url) == before


@pytest.mark.parametrize("amount", ["1" * 31, "9223372036854775808", "1 000 000 000 000,00"])
def test_an_amount_too_large_is_malformed_input(capsys: pytest.CaptureFixture[str], sqlite_url: str,
                                                amount: str) -> None:
    assert run_cli(capsys, sqlite_url, "provider", "add", "SKYDD1", "--name", "Skyddat boende Nord AB").code == 0
    assert run_cli(capsys, sqlite_url, *OPEN).code == 0
    before = event_count(sqlite_url)
    result = run_cli(capsys, sqlite_url, "payment", "record", CASE, amount, "--provider", "SKYDD1",
                     "--from", "2026-03-01", "--to", "2026-03-31")
    assert result.code == 2, result.err
    assert "för stort" in result.err and "Traceback" not in result.err and "InvalidOperation" not in result.err
    assert event_count(sqlite_url) == before


@pytest.mark.parametrize("year", ["9223372036854775808", "99999999999999999999999999999999"])
def test_a_huge_year_is_malformed_input(capsys: pytest.CaptureFixture[str], sqlite_url: str, year: str) -> None:
    for args in (("budget", "show", year), ("stats", year)):
        result = run_cli(capsys, sqlite_url, *args)
        assert result.code == 2, (args, result.err)
        assert "Traceback" not in result.err and result.err.startswith("Fel: ")


def test_typed_markup_and_control_characters_are_shown_as_text(capsys: pytest.CaptureFixture[str],
                                                                sqlite_url: str) -> None:
    text = "[bold red]Obs[/] \x1b[31mröd\x07"
    assert run_cli(capsys, sqlite_url, *OPEN, "--note", text).code == 0
    for args in (("case", "journal", CASE), ("history", CASE)):
        shown = run_cli(capsys, sqlite_url, *args)
        assert shown.code == 0, (args, shown.err)
        assert "[bold red]Obs[/]" in shown.out, (args, shown.out)
        assert "\x1b" not in shown.out and "\x07" not in shown.out, args


def test_case_list_is_paged(capsys: pytest.CaptureFixture[str], sqlite_url: str) -> None:
    for pnr in TEST_PNR[70:74]:
        assert run_cli(capsys, sqlite_url, "case", "open", pnr, "--gender", "kvinna", "--environment", "criminal",
                       "--source", "police", "--date", "2026-03-01").code == 0
    assert run_cli(capsys, sqlite_url, "threat", "record", "AVH-2026-0004", "--unit", "noa", "--level", "high",
                   "--review-on", "2026-06-01", "--date", "2026-03-02").code == 0
    two = run_cli(capsys, sqlite_url, "case", "list", "--limit", "2", "--json")
    every = run_cli(capsys, sqlite_url, "case", "list", "--all", "--json")
    assert [row["case"] for row in two.json()] == [row["case"] for row in every.json()][:2]
    assert "2 nyaste av 4" in two.err and "--all" in two.err
    assert len(every.json()) == 4 and "nyaste" not in every.err
    # a page's attention reasons are worked out for its rows only, and are the same as in the whole list
    assert [row["attention"] for row in two.json()] == [row["attention"] for row in every.json()][:2]
    assert all(isinstance(row["attention"], list) for row in every.json())
    assert "threat_review_passed" in two.json()[0]["attention"]
    assert run_cli(capsys, sqlite_url, "case", "list", "--limit", "0").code == 2


def test_budget_as_of_an_earlier_day_and_a_year_without_budget(capsys: pytest.CaptureFixture[str],
                                                                sqlite_url: str) -> None:
    unset = run_cli(capsys, sqlite_url, "budget", "show", "2026")
    assert unset.code == 0 and "budget set" in unset.out + unset.err
    assert run_cli(capsys, sqlite_url, "budget", "set", "2026", "1 000 000").code == 0
    now = run_cli(capsys, sqlite_url, "budget", "show", "2026", "--json").json()
    assert now["has_budget"] is True
    assert run_cli(capsys, sqlite_url, "provider", "add", "SKYDD1", "--name", "Skyddat boende Nord AB").code == 0
    assert run_cli(capsys, sqlite_url, *OPEN).code == 0
    assert run_cli(capsys, sqlite_url, "payment", "record", CASE, "12 000", "--provider", "SKYDD1", "--from",
                   "2026-03-01", "--to", "2026-03-31", "--date", "2026-04-10").code == 0
    then = run_cli(capsys, sqlite_url, "budget", "show", "2026", "--as-of", "2026-04-09", "--json").json()
    later = run_cli(capsys, sqlite_url, "budget", "show", "2026", "--as-of", "2026-04-10", "--json").json()
    assert (then["as_of"], then["paid"], then["remaining"]) == ("2026-04-09", "0.00", "1000000.00")
    assert (later["paid"], later["remaining"]) == ("12000.00", "988000.00")
    future = run_cli(capsys, sqlite_url, "budget", "show", "2026", "--as-of", "2027-01-01")
    assert future.code == 1 and "framtiden" in future.err, future.err


@pytest.mark.parametrize("reachable", [True, False], ids=["file-read-only", "folder-closed"])
def test_a_store_this_login_may_not_write_is_a_clear_error(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                           reachable: bool) -> None:
    if os.geteuid() != 0:
        pytest.skip("runs the command as another user, which needs root")  # the CI runs as root
    folder = Path(tempfile.mkdtemp(prefix="ledger-ro-"))
    db = str(folder / "ledger.sqlite3")
    assert run_cli(capsys, db, *OPEN).code == 0
    os.chmod(folder, 0o755 if reachable else 0o700)
    for args in (("info",), ("case", "list")):
        result = subprocess.run(
            ["su", "nobody", "-s", "/bin/sh", "-c",
             f"{sys.executable} -m ledger.cli --db {db} {' '.join(args)}"],
            capture_output=True, text=True, timeout=60, env={**os.environ, "HOME": str(tmp_path)})
        assert result.returncode == 1, (args, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr and result.stderr.startswith("Fel: "), result.stderr
        assert "Internt fel" not in result.stderr, result.stderr
    shutil.rmtree(folder)


class _FullDisk:
    """A file that takes ``room`` bytes and then answers as a full disk does (ENOSPC)."""

    def __init__(self, handle: Any, room: int) -> None:
        self._handle, self._room = handle, room

    def write(self, data: Any) -> int:
        if len(data) > self._room:
            raise OSError(errno.ENOSPC, "No space left on device")
        self._room -= len(data)
        return int(self._handle.write(data))

    def __enter__(self) -> _FullDisk:
        return self

    def __exit__(self, *exc: object) -> None:
        self._handle.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json", "table"])
def test_a_full_disk_leaves_no_file_behind(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    """A statistics file that cannot be written whole (the disk fills after 100 bytes)  is exit 1 (the
    machine's state, not the input's), the message naming the full disk, and neither the file nor a partial one is left behind."""
    db = str(tmp_path / "ledger.sqlite3")
    assert run_cli(capsys, db, *OPEN).code == 0
    out = tmp_path / "utdata" / f"stats.{fmt}"
    real_open = builtins.open

    def full_disk_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        handle = real_open(file, mode, *args, **kwargs)
        return _FullDisk(handle, 100) if str(file).startswith(str(out.parent)) and "r" not in mode else handle

    monkeypatch.setattr(builtins, "open", full_disk_open)
    monkeypatch.setattr(io, "open", full_disk_open)
    result = run_cli(capsys, db, "stats", "2026", "--format", fmt, "--out", str(out))
    monkeypatch.undo()
    assert result.code == 1, (fmt, result.out, result.err)
    assert "Traceback" not in result.err and "disken är full" in result.err, result.err
    assert list(out.parent.iterdir()) == [], fmt


def test_a_demo_stopped_after_a_batch_was_stored_says_what_it_stored(capsys: pytest.CaptureFixture[str],
                                                                     sqlite_url: str,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Killed (Ctrl-C) after its first batches were committed, the demo must not say "Inget har
    sparats": it says how many events the store now holds and what to do."""
    from ledger.application import demo

    real, calls = demo._execute, [0]

    def interrupted(*args: Any, **kwargs: Any) -> None:
        calls[0] += 1
        if calls[0] > demo.FLUSH_EVERY + 10:
            raise KeyboardInterrupt
        real(*args, **kwargs)

    monkeypatch.setattr(demo, "_execute", interrupted)
    result = run_cli(capsys, sqlite_url, "demo", "--cases", "120", ready=False)
    stored = event_count(sqlite_url)
    assert result.code == 1, result.err
    assert stored > 0 and f"{stored} händelser" in result.err and "ledger demo" in result.err, result.err
    assert "Inget har sparats" not in result.err and "Traceback" not in result.err


def test_a_missing_postgresql_driver_names_what_to_install(capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if the extra were not installed
    result = run_cli(capsys, "postgresql://ledger@127.0.0.1:9/avhopp", "info", ready=False)
    assert result.code == 1, result.err
    assert "pip install 'avhoppar-ledger[postgres]'" in result.err and "Traceback" not in result.err
