"""The scripted supervision history shared by the supervision and tillsyn-export tests (see test_supervision)."""

from __future__ import annotations

import pytest

from tests.helpers import run_cli

CASE = "AVH-2026-0001"
IDENTITY = "199201012383"  # Skatteverket test number

STEPS = [
    (
        "2026-03-01T08:00:00",
        [
            "provider",
            "add",
            "SKYDD1",
            "--name",
            "Skyddat boende Nord AB",
            "--date",
            "2026-03-01",
        ],
    ),
    (
        "2026-03-01T09:00:00",
        [
            "case",
            "open",
            IDENTITY,
            "--gender",
            "man",
            "--environment",
            "criminal",
            "--source",
            "police",
            "--date",
            "2026-03-01",
        ],
    ),
    (
        "2026-03-01T10:00:00",
        [
            "consent",
            "grant",
            CASE,
            "--recipient",
            "police",
            "--purpose",
            "hotbild",
            "--date",
            "2026-03-01",
        ],
    ),
    (
        "2026-03-02T10:00:00",
        ["contact", "add", CASE, "--channel", "phone", "--date", "2026-03-02"],
    ),
    (
        "2026-03-10T10:00:00",
        [
            "share",
            "record",
            CASE,
            "--recipient",
            "police",
            "--what",
            "boendeort",
            "--date",
            "2026-03-10",
        ],
    ),
    (
        "2026-03-20T10:00:00",
        [
            "consent",
            "grant",
            CASE,
            "--recipient",
            "provider",
            "--provider",
            "SKYDD1",
            "--purpose",
            "placering",
            "--valid-until",
            "2026-06-30",
            "--date",
            "2026-03-20",
        ],
    ),
    (
        "2026-04-01T10:00:00",
        [
            "share",
            "record",
            CASE,
            "--recipient",
            "provider",
            "--provider",
            "SKYDD1",
            "--what",
            "hotbild",
            "--date",
            "2026-04-01",
        ],
    ),
    (
        "2026-04-02T10:00:00",
        [
            "share",
            "record",
            CASE,
            "--recipient",
            "police",
            "--what",
            "kontakter",
            "--date",
            "2026-04-02",
        ],
    ),
    (
        "2026-04-20T10:00:00",
        ["consent", "revoke", CASE, "--recipient", "police", "--date", "2026-03-31"],
    ),
    (
        "2026-05-05T10:00:00",
        ["contact", "add", CASE, "--channel", "meeting", "--date", "2026-03-15"],
    ),
    (
        "2026-05-10T10:00:00",
        [
            "correct",
            CASE,
            "5",
            "--reason",
            "fel giltighetstid",
            "--set",
            "valid_until=2026-03-31",
        ],
    ),
    (
        "2026-05-12T10:00:00",
        [
            "share",
            "record",
            CASE,
            "--recipient",
            "probation",
            "--what",
            "adress",
            "--legal-basis",
            "10 kap. 18 a § OSL",
            "--date",
            "2026-05-12",
        ],
    ),
    (
        "2026-05-15T10:00:00",
        [
            "consent",
            "grant",
            CASE,
            "--recipient",
            "probation",
            "--purpose",
            "samverkan",
            "--date",
            "2026-05-01",
        ],
    ),
    (
        "2026-05-16T10:00:00",
        [
            "correct",
            CASE,
            "11",
            "--reason",
            "grunden höll inte; samtycke fanns",
            "--set",
            "legal_basis=",
        ],
    ),
]


def at(monkeypatch: pytest.MonkeyPatch, moment: str) -> None:
    """Pin the clock: recording time (UTC) and today's business date."""
    monkeypatch.setenv("LEDGER_NOW", f"{moment}+00:00")
    monkeypatch.setenv("LEDGER_TODAY", moment[:10])


def record(capsys: pytest.CaptureFixture[str], db: str, monkeypatch: pytest.MonkeyPatch) -> str:
    for moment, args in STEPS:
        at(monkeypatch, moment)
        result = run_cli(capsys, db, *args)
        assert result.code == 0, (args, result.err)
    at(monkeypatch, "2026-11-23T12:00:00")
    return db
