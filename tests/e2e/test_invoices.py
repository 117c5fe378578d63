"""Invoice control (issue 12) through the command line, on SQLite and PostgreSQL.

- ``payment record`` refuses (exit 1, nothing stored, a Swedish message naming the flag to give) an
  invoice number the provider was already paid for — on this case or another —, a period overlapping
  an earlier payment for the same placement, and 99 000 kr for 30 days at 3 200 kr (96 000 kr);
  confirmed with ``--confirm-duplicate``/``--over-price`` they are stored with their reasons.
- ``payment list`` shows them (table and ``--json``), with what was reversed, only for cases the user
  may see, each case shown an access-log read; a payment reversed in full may be paid again.
- A closed case takes a payment for a period before its closure, not after.
- ``case list --needs-attention`` names confirmed duplicates and over-billing until they are reversed.
"""

from __future__ import annotations

import pytest

from tests.conftest import TEST_PNR
from tests.helpers import Result, event_count, run_cli, run_process

A, B = "AVH-2026-0001", "AVH-2026-0002"
APRIL = ("--from", "2026-04-01", "--to", "2026-04-30")  # 30 days at 3 200 kr: 96 000 kr
SETUP: list[tuple[str, ...]] = [
    ("provider", "add", "SKYDD1", "--name", "Skyddat boende Nord AB", "--date", "2026-01-02"),
    ("user", "add", "nils.e", "--role", "ekonom"),
    *[cmd for pnr, case in ((TEST_PNR[60], A), (TEST_PNR[61], B)) for cmd in (
        ("case", "open", pnr, "--gender", "man", "--environment", "criminal", "--source", "police",
         "--date", "2026-03-01"),
        ("decision", "record", case, "--outcome", "granted", "--intervention", "protected_housing", "--from",
         "2026-03-01", "--to", "2026-12-31", "--daily-price", "3 200", "--date", "2026-03-02"),
        ("placement", "start", case, "--provider", "SKYDD1", "--intervention", "protected_housing",
         "--daily-price", "3 200,00", "--date", "2026-04-01"),
    )],
]


@pytest.fixture
def db(db_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> str:
    """Two cases, each with a placement at SKYDD1 at 3 200 kr a day from 1 April 2026."""
    monkeypatch.setenv("LEDGER_NOW", "2026-11-30T12:00:00+01:00")
    for args in SETUP:
        ok(capsys, db_url, *args)
    return db_url


def ok(capsys: pytest.CaptureFixture[str], db: str, *args: str) -> Result:
    result = run_cli(capsys, db, *args)
    assert result.code == 0, (args, result.err)
    return result


def refused(capsys: pytest.CaptureFixture[str], db: str, *args: str) -> Result:
    """The command exits 1 with a Swedish message and stores nothing."""
    before = event_count(db)
    result = run_cli(capsys, db, *args)
    assert result.code == 1, (args, result.out, result.err)
    assert result.err.startswith("Fel: ") and "Inget har sparats." in result.err, result.err
    assert "Traceback" not in result.err and result.out == ""
    assert event_count(db) == before, "a refused payment stored an event"
    return result


def pay(case: str, amount: str, *args: str) -> tuple[str, ...]:
    return ("payment", "record", case, amount, "--placement", "P1", *args, "--date", "2026-05-05")


def listed(capsys: pytest.CaptureFixture[str], db: str, *args: str, user: str = "tester") -> list[dict[str, object]]:
    return ok(capsys, db, "--as", user, "payment", "list", *args, "--json").json()  # type: ignore[no-any-return]


def kr(text: str) -> str:
    """An amount as the tables show it in Swedish: ``32 000,00`` with a no-break space."""
    return text.replace(" ", "\u00a0")


def test_a_duplicate_invoice_and_an_overlapping_period_need_confirming(capsys: pytest.CaptureFixture[str],
                                                                       db: str) -> None:
    ok(capsys, db, *pay(A, "96 000", *APRIL, "--invoice", "F-1001"))
    twice = refused(capsys, db, *pay(A, "32 000", "--from", "2026-05-01", "--to", "2026-05-10",
                                     "--invoice", " f-10 01"))
    assert "redan betald" in twice.err and "B1" in twice.err and "--confirm-duplicate" in twice.err
    overlap = refused(capsys, db, *pay(A, "9 600", "--from", "2026-04-29", "--to", "2026-05-01",
                                       "--invoice", "F-1002"))
    assert "överlappar" in overlap.err and "B1 2026-04-01–2026-04-30" in overlap.err
    assert "--confirm-duplicate" in overlap.err
    assert listed(capsys, db) == [_row(A, "B1", "F-1001", "2026-04-01", "2026-04-30", "96000.00")]

    ok(capsys, db, *pay(A, "32 000", "--from", "2026-05-01", "--to", "2026-05-10", "--invoice", " f-10 01",
                        "--confirm-duplicate", "Delfaktura, kontrollerad"))
    ok(capsys, db, *pay(A, "9 600", "--from", "2026-04-29", "--to", "2026-05-01", "--invoice", "F-1002",
                        "--confirm-duplicate", "Flytt två dagar tidigare"))
    rows = listed(capsys, db, "--case", A.lower())
    assert [(r["payment_id"], r["duplicate"], r["duplicate_reason"]) for r in rows] == [
        ("B1", False, None), ("B2", True, "Delfaktura, kontrollerad"), ("B3", True, "Flytt två dagar tidigare")]
    assert rows[1]["invoice_number"] == "f-10 01" and rows[1]["amount"] == "32000.00"
    table = ok(capsys, db, "payment", "list", "--case", A).out
    assert "Utbetalningar" in table and "Återfört" in table and kr("32 000,00") in table
    assert "dubblett: Delfaktura, kontrollerad" in table
    # both confirmed payments are named in the case list, until they are reversed
    assert _attention(capsys, db, A) == ["payment_duplicate"]
    assert shows("dubblettbetalning bekräftad", ok(capsys, db, "case", "list", "--needs-attention").out)
    ok(capsys, db, "payment", "reverse", A, "B2", "--date", "2026-05-20")
    assert _attention(capsys, db, A) == ["payment_duplicate"]
    ok(capsys, db, "payment", "reverse", A, "B3", "--amount", "3 200", "--date", "2026-05-20")
    assert _attention(capsys, db, A) == ["payment_duplicate"]  # partly reversed: still paid twice
    ok(capsys, db, "payment", "reverse", A, "B3", "--date", "2026-05-21")
    assert _attention(capsys, db, A) == []


def test_more_than_days_times_the_daily_price_needs_confirming(capsys: pytest.CaptureFixture[str], db: str) -> None:
    over = refused(capsys, db, *pay(A, "99 000", *APRIL, "--invoice", "F-2001"))
    assert kr("99 000,00") + " kr" in over.err and "högst " + kr("96 000,00") + " kr" in over.err and "30 dagar" in over.err
    assert "--over-price" in over.err
    ok(capsys, db, *pay(A, "99 000,00", *APRIL, "--invoice", "F-2001", "--over-price", "Extra nattpersonal"))
    [row] = listed(capsys, db)
    assert row == {**_row(A, "B1", "F-2001", "2026-04-01", "2026-04-30", "99000.00"), "over_price": True,
                   "price_limit": "96000.00", "over_price_reason": "Extra nattpersonal"}
    table = ok(capsys, db, "payment", "list").out
    assert kr("99 000,00") in table and f"över pris (högst {kr('96 000,00')}): Extra nattpersonal" in table
    assert _attention(capsys, db, A) == ["payment_over_price"]
    english = run_process(db, "case", "list", "--needs-attention", env={"LEDGER_LANG": "en"})
    assert english.code == 0 and shows("paid above the agreed price", english.out), english.err
    # exactly the price is no over-billing; a fully reversed payment's period may be paid again unconfirmed
    ok(capsys, db, "payment", "reverse", A, "B1", "--date", "2026-05-06")
    assert _attention(capsys, db, A) == []
    ok(capsys, db, *pay(A, "96 000", *APRIL, "--invoice", "F-2001"))
    rows = listed(capsys, db, "--invoice", " f-2001 ")
    assert [(r["payment_id"], r["reversed"], r["duplicate"], r["over_price"]) for r in rows] == [
        ("B1", "99000.00", False, True), ("B2", "0.00", False, False)]
    assert kr("99 000,00") in ok(capsys, db, "payment", "list", "--invoice", "F-2001").out


def test_an_invoice_paid_on_another_case(capsys: pytest.CaptureFixture[str], db: str) -> None:
    ok(capsys, db, *pay(A, "96 000", *APRIL, "--invoice", "F-3001"))
    elsewhere = refused(capsys, db, *pay(B, "96 000", *APRIL, "--invoice", "F-3001"))
    assert "annat ärende" in elsewhere.err and "payment list --invoice" in elsewhere.err
    assert A not in elsewhere.err  # which case is a read of that case: payment list tells, and logs it
    ok(capsys, db, *pay(B, "96 000", *APRIL, "--invoice", "F-3001", "--confirm-duplicate", "Samlingsfaktura"))
    rows = listed(capsys, db, "--invoice", "F-3001")
    assert [(r["case"], r["duplicate"], r["duplicate_reason"]) for r in rows] == [
        (A, False, None), (B, True, "Samlingsfaktura")]
    assert _attention(capsys, db, B) == ["payment_duplicate"] and _attention(capsys, db, A) == []


def test_payment_list_filters_and_shows_only_what_the_user_may_see(capsys: pytest.CaptureFixture[str],
                                                                   db: str) -> None:
    ok(capsys, db, *pay(A, "96 000", *APRIL, "--invoice", "F-1"))
    ok(capsys, db, *pay(B, "9 600", "--from", "2026-05-01", "--to", "2026-05-03", "--invoice", "F-2"))
    assert [r["case"] for r in listed(capsys, db)] == [A, B]
    assert [r["case"] for r in listed(capsys, db, "--case", B)] == [B]
    assert [r["case"] for r in listed(capsys, db, "--provider", "skydd1")] == [A, B]
    assert listed(capsys, db, "--provider", "OKÄND") == []
    assert [r["case"] for r in listed(capsys, db, "--from", "2026-04-30", "--to", "2026-04-30")] == [A]
    assert [r["case"] for r in listed(capsys, db, "--from", "2026-05-03")] == [B]
    assert ok(capsys, db, "payment", "list", "--from", "2027-01-01").out == "Inga utbetalningar.\n"
    bad = run_cli(capsys, db, "payment", "list", "--from", "2026-05-03", "--to", "2026-05-01")
    assert bad.code == 1 and "fel ordning" in bad.err
    # a protected case the ekonom was not granted does not exist for them
    ok(capsys, db, "case", "protect", B, "--level", "skyddad_folkbokföring")
    assert [r["case"] for r in listed(capsys, db, user="nils.e")] == [A]
    hidden = run_cli(capsys, db, "--as", "nils.e", "payment", "list", "--case", B)
    assert hidden.code == 1 and "finns inte" in hidden.err and hidden.out == ""
    # each case shown is a read in the access log
    log = ok(capsys, db, "access-log", "--user", "nils.e", "--json").json()
    assert [(e["case"], e["command"], e["outcome"]) for e in log] == [
        (A, "payment list", "read"), (B, "payment list", "denied")]


def test_a_closed_case_takes_payments_for_before_its_closure(capsys: pytest.CaptureFixture[str], db: str) -> None:
    ok(capsys, db, *pay(A, "96 000", *APRIL, "--invoice", "F-1"))
    ok(capsys, db, "placement", "end", A, "P1", "--date", "2026-06-30")
    ok(capsys, db, "case", "close", A, "--reason", "goals_met", "--date", "2026-06-30")
    late = ("payment", "record", A, "96 000", "--placement", "P1", "--from", "2026-06-01", "--to", "2026-06-30",
            "--invoice", "F-6", "--date", "2026-07-08")
    ok(capsys, db, *late)
    after = refused(capsys, db, "payment", "record", A, "3 200", "--placement", "P1", "--from", "2026-07-01",
                    "--to", "2026-07-01", "--invoice", "F-7", "--date", "2026-07-08")
    assert "avslutades 2026-06-30" in after.err and "ledger case reopen" in after.err
    ok(capsys, db, "payment", "reverse", A, "B1", "--amount", "3 200", "--date", "2026-07-09")
    assert [(r["payment_id"], r["reversed"]) for r in listed(capsys, db)] == [("B1", "3200.00"), ("B2", "0.00")]
    shown = ok(capsys, db, "case", "show", A, "--json").json()
    assert shown["status"] == "closed"


def shows(label: str, table: str) -> bool:
    """A label in a table, whose narrow columns may have wrapped it over lines."""
    return all(word in table for word in label.split())


def _row(case: str, payment: str, invoice: str, start: str, end: str, amount: str) -> dict[str, object]:
    """``payment list --json``'s row of a payment as the checks let it through."""
    return {"case": case, "payment_id": payment, "item": "P1", "provider": "SKYDD1",
            "intervention": "protected_housing", "invoice_number": invoice, "period_start": start,
            "period_end": end, "paid_on": "2026-05-05", "amount": amount, "reversed": "0.00", "duplicate": False,
            "over_price": False, "price_limit": None, "duplicate_reason": None, "over_price_reason": None}


def _attention(capsys: pytest.CaptureFixture[str], db: str, case: str) -> list[str]:
    rows = ok(capsys, db, "case", "list", "--json").json()
    reasons = next(r["attention"] for r in rows if r["case"] == case)
    return [r for r in reasons if r.startswith("payment_")]
