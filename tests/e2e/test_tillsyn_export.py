"""``ledger tillsyn export``: one self-contained HTML file that a real browser renders as intended.

The browser check runs Debian's Chromium headless (CI installs it and sets
``LEDGER_REQUIRE_BROWSER=1``, so there it fails instead of skipping when Chromium is missing).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.e2e.supervision_script import CASE, IDENTITY, record
from tests.helpers import event_count, run_cli

HEADER = (0x1F, 0x3A, 0x5F)  # the report's header band
PROBLEM = (0xB0, 0x00, 0x20)  # problem badges and late marks


@pytest.fixture
def exported(
    sqlite_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Path:
    record(capsys, sqlite_url, monkeypatch)
    assert run_cli(capsys, sqlite_url, "case", "show", CASE).code == 0  # a read before the export
    out = tmp_path / "tillsyn.html"
    result = run_cli(capsys, sqlite_url, "tillsyn", "export", CASE, "--out", str(out))
    assert result.code == 0, result.err
    assert "tillsyn.html" in result.out
    return out


def test_the_file_holds_every_part_and_nothing_personal(exported: Path) -> None:
    html = exported.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and 'lang="sv"' in html
    for heading in ("Ärendet i dag", "Tidslinje med rättelser", "Samtycken och utlämnanden", "Vem har läst ärendet",
                    "Kontroll av att inget ändrats"):
        assert heading in html
    # the timeline: 13 entries, two late, both corrections with the original beside the new value
    assert html.count('<tr class="late">') == 2
    assert "2026-06-30 → 2026-03-31" in html and "fel giltighetstid" in html
    # the consent audit: three problems
    assert html.count('class="badge problem"') == 3
    # the access log lists the earlier read and this export
    assert "case show" in html and "tillsyn export" in html
    # verification passed, with the head to keep
    assert "Hashkedjan är obruten" in html and re.search(
        r"avhoppar-ledger-digest v2 position=\d+ hash=[0-9a-f]{64} access=\d+ access_hash=[0-9a-f]{64}", html)
    # self-contained and free of personal data
    assert "<script" not in html and "http://" not in html and "https://" not in html and "<link" not in html
    assert IDENTITY not in html and "boendeort" not in html and "hotbild" not in html


def test_exporting_stores_no_event_but_logs_the_read(
    sqlite_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    record(capsys, sqlite_url, monkeypatch)
    before = event_count(sqlite_url)
    assert run_cli(capsys, sqlite_url, "tillsyn", "export", CASE, "--out", str(tmp_path / "a.html")).code == 0
    assert event_count(sqlite_url) == before
    log = run_cli(capsys, sqlite_url, "access-log", CASE, "--json")
    assert '"tillsyn export"' in log.out


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["tillsyn", "export", CASE, "--out", "x.pdf"], 2, ".html"),
        (["tillsyn", "export", "AVH-2026-0099", "--out", "x.html"], 1, "AVH-2026-0099"),
        (["tillsyn", "export", CASE, "--out", "afile/x.html"], 2, "x.html kan inte användas"),
    ],
)
def test_bad_export_requests(
    sqlite_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    args: list[str], code: int, words: str,
) -> None:
    record(capsys, sqlite_url, monkeypatch)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("not a folder")
    result = run_cli(capsys, sqlite_url, *args)
    assert result.code == code and words in result.err and "Traceback" not in result.err
    assert not list(tmp_path.glob("*.html*")) and not list(tmp_path.glob("*.pdf"))


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("LEDGER_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium is required here (LEDGER_REQUIRE_BROWSER=1) but not installed")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    return found


def _headless(chromium: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "profile"
    return subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", *args],
        capture_output=True, text=True, timeout=120,
    )


def test_it_renders_in_a_real_browser(exported: Path, tmp_path: Path) -> None:
    from PIL import Image

    chromium = _chromium()
    url = exported.resolve().as_uri()
    dom = _headless(chromium, tmp_path, "--dump-dom", url)
    assert "Tillsynsunderlag – ärende AVH-2026-0001" in dom.stdout, dom.stderr[-2000:]

    shot = tmp_path / "tillsyn.png"
    _headless(chromium, tmp_path, f"--screenshot={shot}", "--window-size=1200,2400", "--hide-scrollbars", url)
    image = Image.open(shot).convert("RGB")
    assert image.size == (1200, 2400)
    pixels = image.load()
    # The header band runs across the top in the report's blue.
    band = [pixels[x, 12] for x in range(50, 1150, 50)]
    assert all(_near(p, HEADER) for p in band), band[:5]
    # Problem badges and late marks show in red somewhere below it.
    reds = sum(1 for y in range(100, 2400, 3) for x in range(0, 1200, 3) if _near(pixels[x, y], PROBLEM, 40))
    assert reds > 50
    # The page is laid out text, not blank: plenty of dark pixels on white.
    dark = sum(1 for y in range(100, 2400, 4) for x in range(0, 1200, 4) if sum(pixels[x, y]) < 200)
    assert dark > 2000

    pdf = tmp_path / "tillsyn.pdf"
    _headless(chromium, tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", url)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b", data)) >= 2  # printable, A4 pages


def _near(pixel: tuple[int, int, int], colour: tuple[int, int, int], slack: int = 12) -> bool:
    return all(abs(a - b) <= slack for a, b in zip(pixel, colour, strict=True))


def test_a_broken_chain_shows_in_the_file(
    sqlite_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import sqlite3

    record(capsys, sqlite_url, monkeypatch)
    con = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"))
    position, state = con.execute("SELECT id, state FROM ledger_events WHERE topic LIKE '%ContactRecorded'").fetchone()
    con.execute("UPDATE ledger_events SET state = ? WHERE id = ?", (bytes(state).replace(b"phone", b"meeting"), position))
    con.commit()
    con.close()
    out = tmp_path / "t.html"
    assert run_cli(capsys, sqlite_url, "tillsyn", "export", CASE, "--out", str(out)).code == 0
    html = out.read_text(encoding="utf-8")
    assert f"Hashkedjan är bruten vid position {position}: händelsens innehåll har ändrats." in html
    assert 'class="verdict bad"' in html
