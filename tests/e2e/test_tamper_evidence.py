"""The access log's chain and signed digests, end to end on both backends.

Deleting or editing one access-log row is found by ``verify`` at that row; a digest holds the
access log's head too. ``digest --sign KEY`` signs the heads with an Ed25519 key kept outside the
database and ``verify --digest FILE --public-key KEY`` checks the signature first: an edited digest
file is caught, and a forged archive whose chain was recomputed passes ``verify --archive`` on its
own (nothing inside a file can prove it was not rewritten whole) but fails against a signed digest
taken before the forgery.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TEST_PNR
from tests.e2e.test_verify_cli import _rechain, raw
from tests.helpers import Result, run_cli

CASE = "AVH-2026-0001"


def ok(capsys: pytest.CaptureFixture[str], db: str, *args: str) -> Result:
    result = run_cli(capsys, db, *args)
    assert result.code == 0, (args, result.err)
    return result


@pytest.fixture
def read_twice(db_url: str, capsys: pytest.CaptureFixture[str]) -> str:
    """A case, and five reads of it in the access log."""
    ok(capsys, db_url, "case", "open", TEST_PNR[40], "--gender", "woman", "--environment", "criminal", "--source",
       "police", "--date", "2026-01-05")
    ok(capsys, db_url, "consent", "grant", CASE, "--recipient", "police", "--purpose", "samverkan", "--date",
       "2026-01-06")
    for args in (("case", "show", CASE), ("case", "log", CASE), ("history", CASE), ("case", "show", CASE),
                 ("case", "list")):
        ok(capsys, db_url, *args)
    return db_url


def _keys(tmp_path: Path) -> tuple[Path, Path]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    private, public = tmp_path / "registrator.pem", tmp_path / "registrator.pub.pem"
    private.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    public.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                     serialization.PublicFormat.SubjectPublicKeyInfo))
    return private, public


@pytest.mark.parametrize(("tamper", "kind"), [
    ("DELETE FROM ledger_access_log WHERE position = 3", "access_missing"),
    ("UPDATE ledger_access_log SET user_name = 'någon.annan' WHERE position = 3", "access_altered"),
    ("UPDATE ledger_access_log SET command = 'case list' WHERE position = 3", "access_altered"),
    ("UPDATE ledger_access_log SET outcome = 'denied' WHERE position = 3", "access_altered"),
])
def test_a_deleted_or_edited_access_row_is_found_at_its_position(read_twice: str, capsys: pytest.CaptureFixture[str],
                                                                   tamper: str, kind: str) -> None:
    db = read_twice
    assert ok(capsys, db, "verify", "--json").json()["access"]["position"] == 5
    with raw(db) as conn:
        conn(tamper)
    result = run_cli(capsys, db, "verify")
    assert result.code == 1 and "Åtkomstloggen håller inte vid post 3" in result.err, result.err
    report = run_cli(capsys, db, "verify", "--json").json()
    assert report["ok"] is False and report["problem"] == {"kind": kind, "position": 3}


def test_a_deleted_last_row_is_found_against_a_digest(read_twice: str, capsys: pytest.CaptureFixture[str],
                                                      tmp_path: Path) -> None:
    db = read_twice
    heads = tmp_path / "huvud.txt"
    heads.write_text(ok(capsys, db, "digest").out, encoding="utf-8")
    with raw(db) as conn:
        conn("DELETE FROM ledger_access_log WHERE position = 5")
    assert ok(capsys, db, "verify").code == 0  # consistently cut: only a digest kept outside shows it
    result = run_cli(capsys, db, "verify", "--digest", str(heads), "--json")
    assert result.code == 1 and result.json()["problem"]["kind"] == "access_truncated"


def test_a_signed_digest_catches_an_edited_digest_and_a_forged_archive(read_twice: str,
                                                                         capsys: pytest.CaptureFixture[str],
                                                                         tmp_path: Path) -> None:
    db = read_twice
    private, public = _keys(tmp_path)
    signed = tmp_path / "huvud.txt"
    signed.write_text(ok(capsys, db, "digest", "--sign", str(private)).out, encoding="utf-8")
    lines = signed.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("avhoppar-ledger-digest v2 ") and lines[1].startswith("avhoppar-ledger-signature ed25519 ")
    checked = ok(capsys, db, "verify", "--digest", str(signed), "--public-key", str(public)).out
    assert "Digestfilens signaturer stämmer med den publika nyckeln (1 st)." in checked
    signed_json = json.loads(ok(capsys, db, "digest", "--sign", str(private), "--json").out)
    assert set(signed_json) >= {"line", "signature", "access"}

    # An edited digest (a recomputed head written over the old one) no longer verifies.
    edited = tmp_path / "ändrat.txt"
    digest_line = lines[0]
    forged_hash = "0" * 64
    edited.write_text("\n".join([digest_line.replace(digest_line.split("hash=")[1][:64], forged_hash, 1),
                                 lines[1]]) + "\n", encoding="utf-8")
    caught = run_cli(capsys, db, "verify", "--digest", str(edited), "--public-key", str(public))
    assert caught.code != 0 and "signaturen stämmer inte" in caught.err
    unsigned = tmp_path / "osignerat.txt"
    unsigned.write_text(digest_line + "\n", encoding="utf-8")
    refused = run_cli(capsys, db, "verify", "--digest", str(unsigned), "--public-key", str(public))
    assert refused.code != 0 and "inte signerat" in refused.err
    (tmp_path / "other").mkdir()
    _, other_public = _keys(tmp_path / "other")
    wrong_key = run_cli(capsys, db, "verify", "--digest", str(signed), "--public-key", str(other_public))
    assert wrong_key.code != 0 and "signaturen stämmer inte" in wrong_key.err

    # A forged archive: the consent's recipient changed and every hash after it recomputed.
    archive = tmp_path / "arkiv.jsonl"
    ok(capsys, db, "export", "--out", str(archive))
    text = archive.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(text) if "ConsentGranted" in line)
    _rechain(archive, number, lambda o: o.update(state=o["state"].replace('"recipient":"police"', '"recipient":"sis"')))
    alone = run_cli(capsys, db, "verify", "--archive", str(archive))
    assert alone.code == 0, alone.err  # on its own, a wholly recomputed file holds together
    against = run_cli(capsys, db, "verify", "--archive", str(archive), "--digest", str(signed), "--public-key",
                      str(public), "--json")
    assert against.code == 1
    problem: dict[str, Any] = against.json()["problem"]
    assert problem["kind"] == "digest_mismatch"
