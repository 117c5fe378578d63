"""Bad input through the CLI: the right exit status, a message naming the problem, nothing stored.

Exit status 2 means malformed input (identity number, amount, date, choice, missing option);
1 means a rule refused well-formed input. Every refusal must leave the event table untouched,
print no traceback and never echo an identity number. Each case runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.conftest import TEST_PNR
from tests.helpers import (
    STORE_SETUP_EVENTS,
    Result,
    broken_check_digit,
    event_count,
    identity_forms,
    luhn,
    moved_to_february_30,
    run_cli,
    run_process,
)

CASE = "AVH-2026-0001"
#: The person of the seeded case, and a second test person for ``case open`` attempts.
SEEDED_PNR = TEST_PNR[0]
OTHER_PNR = TEST_PNR[1]


BAD_CHECKSUM = broken_check_digit(OTHER_PNR)
FEB_30 = moved_to_february_30(OTHER_PNR)
WITH_LETTERS = OTHER_PNR[:8] + "-AB" + OTHER_PNR[-2:]


SECRETS = set().union(*(identity_forms(p) for p in (SEEDED_PNR, OTHER_PNR, BAD_CHECKSUM, FEB_30)), {WITH_LETTERS})


def test_derived_identity_numbers_are_invalid_for_the_intended_reason() -> None:
    """The numbers below fail for the reason the test names, not by accident."""
    assert SEEDED_PNR[-1] == luhn(SEEDED_PNR[2:11]), "the Luhn helper disagrees with a Skatteverket test number"
    assert BAD_CHECKSUM[-1] != luhn(BAD_CHECKSUM[2:11])
    assert FEB_30[4:8] == "0230" and FEB_30[-1] == luhn(FEB_30[2:11])
    assert BAD_CHECKSUM not in TEST_PNR and FEB_30 not in TEST_PNR


OPEN_OPTS = ("--gender", "man", "--environment", "criminal", "--source", "police", "--date", "2026-02-01")
LONG_TEXT = "Mamma Testsson " * 134  # 2010 characters
PAY_P1 = ("--placement", "P1", "--from", "2026-02-01", "--to", "2026-02-28")


#: the training store's own + provider + case-number allocation + person (registered, case linked) + 5 case events
SEEDED_EVENTS = STORE_SETUP_EVENTS + 9


def seed(db_url: str) -> str:
    """A small valid case: provider SKYDD1, the case, consent for the police, decision D1, placement P1
    and payment B1 (66 000 kr). Recorded through the application to keep a hundred tests fast; the
    same steps through the CLI are covered by ``test_whole_case.py``.
    """
    from tests.helpers import ledger_at

    app = ledger_at(db_url, "tester")
    app.add_provider("SKYDD1", name="Skyddat boende Nord AB", on="2026-01-02")
    case = app.open_case(SEEDED_PNR, gender="woman", environment="criminal", source="police", on="2026-01-05")
    assert case == CASE
    app.grant_consent(case, "police", purpose="samverkan", on="2026-01-06")
    app.record_decision(case, outcome="granted", intervention="protected_housing", period_start="2026-01-10",
                        period_end="2026-06-30", daily_price="3 000,00", on="2026-01-09")
    app.start_placement(case, provider="SKYDD1", intervention="protected_housing", daily_price="3 000,00",
                        planned_end="2026-06-30", on="2026-01-10")
    app.record_payment(case, "66 000,00", placement="P1", period_start="2026-01-10", period_end="2026-01-31",
                       invoice="F-1", on="2026-02-03")
    assert event_count(db_url) == SEEDED_EVENTS
    return case


@pytest.fixture
def seeded(db_url: str) -> str:
    return seed(db_url)


@dataclass(frozen=True)
class Bad:
    """``args`` fails with ``code`` and a stderr containing every fragment; ``setup`` must succeed first."""

    args: tuple[str, ...]
    code: int
    fragments: tuple[str, ...] = ()
    setup: tuple[tuple[str, ...], ...] = ()
    stored: int = 0  # events an accepted command stores


CLOSE = (
    ("placement", "end", CASE, "P1", "--reason", "planned", "--date", "2026-03-01"),
    ("case", "close", CASE, "--reason", "goals_met", "--date", "2026-03-02"),
)

BAD_INPUTS: dict[str, Bad] = {
    # -- identity numbers (exit 2) -------------------------------------------------------------
    "identity-checksum": Bad(("case", "open", BAD_CHECKSUM, *OPEN_OPTS), 2,
                             ("Ogiltigt identitetsnummer", "kontrollsiffra eller datum stämmer inte")),
    "identity-feb-30": Bad(("case", "open", FEB_30, *OPEN_OPTS), 2,
                           ("Ogiltigt identitetsnummer", "kontrollsiffra eller datum stämmer inte")),
    "identity-letters": Bad(("case", "open", WITH_LETTERS, *OPEN_OPTS), 2, ("Ogiltigt identitetsnummer", "fel format")),
    # -- amounts (exit 2) ----------------------------------------------------------------------------
    "amount-12,345-ambiguous": Bad(("payment", "record", CASE, "12,345", *PAY_P1), 2, ("Ogiltigt belopp", "fel format")),
    "amount-1,234-ambiguous": Bad(("payment", "record", CASE, "1,234", *PAY_P1), 2, ("Ogiltigt belopp", "fel format")),
    "amount-negative": Bad(("payment", "record", CASE, *PAY_P1, "--", "-5"), 2, ("Ogiltigt belopp", "negativt belopp")),
    "amount-negative-option": Bad(("payment", "reverse", CASE, "B1", "--amount", "-5"), 2,
                                  ("Ogiltigt belopp", "negativt belopp")),
    # Without "--", Click reads a bare -5 as an option: still refused as malformed, naming the token.
    "amount-negative-bare": Bad(("payment", "record", CASE, "-5", *PAY_P1), 2, ("Okänd flagga: -5",)),
    "amount-zero": Bad(("payment", "record", CASE, "0", *PAY_P1), 2,
                       ("Ogiltigt belopp", "beloppet måste vara större än noll")),
    "amount-letters": Bad(("payment", "record", CASE, "abc", *PAY_P1), 2, ("Ogiltigt belopp", "fel format")),
    "amount-three-decimals": Bad(("payment", "record", CASE, "1.999", *PAY_P1), 2, ("Ogiltigt belopp", "fel format")),
    "amount-swedish-accepted": Bad(("payment", "record", CASE, "83 550,00", *PAY_P1), 0, stored=1),  # 28 days at 3 000
    # -- dates -------------------------------------------------------------------------------------------
    "date-malformed": Bad(("contact", "add", CASE, "--channel", "phone", "--date", "2026-13-01"), 2,
                          ("Ogiltigt datum i date", "2026-13-01", "ÅÅÅÅ-MM-DD")),
    "date-feb-30": Bad(("contact", "add", CASE, "--channel", "phone", "--date", "2026-02-30"), 2,
                       ("Ogiltigt datum i date",)),
    "period-date-malformed": Bad(("payment", "record", CASE, "100", "--placement", "P1", "--from", "1 feb",
                                  "--to", "2026-02-28"), 2, ("Ogiltigt datum i period_start",)),
    "date-future": Bad(("contact", "add", CASE, "--channel", "phone", "--date", "2026-11-24"), 1,
                       ("Datumet 2026-11-24 i date ligger i framtiden",)),
    "date-before-opening": Bad(("contact", "add", CASE, "--channel", "phone", "--date", "2026-01-04"), 1,
                               ("Datumen är i fel ordning", "2026-01-04", "opened_on")),
    "placement-planned-end-before-start": Bad(
        ("placement", "start", CASE, "--provider", "SKYDD1", "--intervention", "protected_housing",
         "--daily-price", "3000", "--planned-end", "2026-01-31", "--date", "2026-02-01"), 1,
        ("Datumen är i fel ordning", "planned_end (2026-01-31)")),
    "decision-to-before-from": Bad(
        ("decision", "record", CASE, "--outcome", "granted", "--intervention", "hvb", "--from", "2026-03-01",
         "--to", "2026-02-01", "--date", "2026-02-01"), 1, ("Datumen är i fel ordning", "period_end (2026-02-01)")),
    "payment-to-before-from": Bad(
        ("payment", "record", CASE, "100", "--placement", "P1", "--from", "2026-03-01", "--to", "2026-02-01"), 1,
        ("Datumen är i fel ordning", "period_end (2026-02-01)")),
    # -- decisions and placements ----------------------------------------------------------------------
    "placement-without-decision": Bad(
        ("placement", "start", CASE, "--provider", "SKYDD1", "--intervention", "hvb", "--daily-price", "2500",
         "--date", "2026-02-01"), 1, ("Inget beviljat beslut om HVB", "--urgent")),
    "placement-without-decision-urgent-accepted": Bad(
        ("placement", "start", CASE, "--provider", "SKYDD1", "--intervention", "hvb", "--daily-price", "2500",
         "--urgent", "--date", "2026-02-01"), 0, stored=1),
    # -- unknown things (exit 1) -------------------------------------------------------------------------
    "unknown-case": Bad(("contact", "add", "AVH-2026-0999", "--channel", "phone"), 1,
                        ("Ärendet AVH-2026-0999 finns inte eller du saknar behörighet",)),
    "unknown-case-show": Bad(("case", "show", "AVH-2026-0999"), 1, ("Ärendet AVH-2026-0999 finns inte eller du saknar behörighet",)),
    "malformed-case-number": Bad(("contact", "add", "AVH-26-1", "--channel", "phone"), 1,
                                 ("Ärendet AVH-26-1 finns inte eller du saknar behörighet",)),
    "unknown-provider": Bad(("placement", "start", CASE, "--provider", "NOPE1", "--intervention", "protected_housing",
                             "--daily-price", "3000"), 1, ("Finns inte: utförare NOPE1",)),
    "unknown-placement-end": Bad(("placement", "end", CASE, "P9"), 1, ("Finns inte: placering P9",)),
    "unknown-placement-payment": Bad(("payment", "record", CASE, "100", "--placement", "P9", "--from", "2026-02-01",
                                      "--to", "2026-02-28"), 1, ("Finns inte: placering P9",)),
    "unknown-payment": Bad(("payment", "reverse", CASE, "B9"), 1, ("Finns inte: utbetalning B9",)),
    # -- money rules ---------------------------------------------------------------------------------------
    "reversal-exceeds-payment": Bad(("payment", "reverse", CASE, "B1", "--amount", "66 000,01"), 1,
                                    ("överstiger det som återstår av B1", "66\u00a0000,00")),
    # -- consent -------------------------------------------------------------------------------------------
    "consent-revoke-never-granted": Bad(("consent", "revoke", CASE, "--recipient", "sis"), 1,
                                        ("Inget giltigt samtycke för SiS",)),
    "consent-revoke-twice": Bad(("consent", "revoke", CASE, "--recipient", "police"), 1,
                                ("Inget giltigt samtycke för polisen",),
                                setup=(("consent", "revoke", CASE, "--recipient", "police", "--date", "2026-03-01"),)),
    "share-without-consent": Bad(("share", "record", CASE, "--recipient", "sis", "--what", "boendeort"), 1,
                                 ("Inget giltigt samtycke för SiS", "--legal-basis", "consent grant")),
    "share-legal-basis-accepted": Bad(("share", "record", CASE, "--recipient", "sis", "--what", "boendeort",
                                       "--legal-basis", "OSL 10 kap. 2 §"), 0, stored=1),
    # -- closed case: only follow-up and reopening --------------------------------------------------------
    "closed-contact": Bad(("contact", "add", CASE, "--channel", "phone"), 1,
                          (f"Ärende {CASE} är avslutat", "kontakt", "case reopen"), setup=CLOSE),
    "closed-payment": Bad(("payment", "record", CASE, "100", "--placement", "P1", "--from", "2026-03-01", "--to",
                           "2026-03-03"), 1, (f"Ärende {CASE} avslutades 2026-03-02", "case reopen"), setup=CLOSE),
    "closed-payment-before-closure-accepted": Bad(("payment", "record", CASE, "100", *PAY_P1), 0, stored=1,
                                                  setup=CLOSE),
    "closed-placement": Bad(("placement", "start", CASE, "--provider", "SKYDD1", "--intervention", "protected_housing",
                             "--daily-price", "3000", "--urgent"), 1, (f"Ärende {CASE} är avslutat",), setup=CLOSE),
    "closed-followup-accepted": Bad(("followup", "record", CASE, "--time-point", "closure", "--housing", "own",
                                     "--occupation", "work"), 0, stored=1, setup=CLOSE),
    "closed-reopen-accepted": Bad(("case", "reopen", CASE), 0, stored=1, setup=CLOSE),
    "open-case-reopen": Bad(("case", "reopen", CASE), 1, (f"Ärende {CASE} är inte avslutat",)),
    "close-with-running-placement": Bad(("case", "close", CASE, "--reason", "goals_met"), 1,
                                        ("pågående insatser måste avslutas först", "P1")),
    # -- choices and missing options (exit 2) --------------------------------------------------------------
    "invalid-environment": Bad(("case", "open", OTHER_PNR, "--gender", "man", "--environment", "space",
                                "--source", "police"), 2,
                               ("Ogiltigt värde för environment: 'space'", "kriminella nätverk, våldsbejakande extremism, hedersrelaterat")),
    "invalid-list-environment": Bad(("case", "list", "--environment", "space"), 2, ("Ogiltigt värde för environment",)),
    "integer-option-malformed": Bad(("child", "add", CASE, "--birth-year", "tjugo"), 2,
                                    ("Ogiltigt värde för --birth-year",)),
    "missing-option": Bad(("case", "open", OTHER_PNR, "--gender", "man", "--source", "police"), 2,
                          ("--environment saknas", "ledger case open --help")),
    # -- free text longer than the event models allow (2000 characters): refused, and never echoed --------
    "note-too-long": Bad(("contact", "add", CASE, "--channel", "phone", "--note", LONG_TEXT), 2,
                         ("Ogiltig uppgift i note", "texten är för lång")),
    "with-too-long": Bad(("contact", "add", CASE, "--channel", "phone", "--with", LONG_TEXT), 2,
                         ("Ogiltig uppgift i with_whom", "texten är för lång")),
    "unknown-option": Bad(("contact", "add", CASE, "--channel", "phone", "--colour", "red"), 2,
                          ("Okänd flagga: --colour",)),
}


def _check_clean(result: Result) -> None:
    text = result.out + result.err
    assert "Traceback" not in text
    assert "Mamma Testsson" not in text, "personal free text was printed"
    for secret in SECRETS:
        assert secret not in text, "an identity number was printed"


@pytest.mark.parametrize("bad", list(BAD_INPUTS.values()), ids=list(BAD_INPUTS))
def test_bad_input_is_refused_and_nothing_is_stored(
    capsys: pytest.CaptureFixture[str], db_url: str, seeded: str, bad: Bad
) -> None:
    for step in bad.setup:
        done = run_cli(capsys, db_url, *step)
        assert done.code == 0, (step, done.err)
    before = event_count(db_url)

    result = run_cli(capsys, db_url, *bad.args)

    assert result.code == bad.code, (result.out, result.err)
    _check_clean(result)
    assert event_count(db_url) == before + bad.stored
    if bad.code == 0:
        assert result.complaints == ""
        assert result.out.startswith("Registrerat i") and CASE in result.out
        return
    assert result.out == "", "a refused command printed to stdout"
    assert result.err.startswith("Fel: ")
    assert result.err.rstrip().endswith("Inget har sparats.")
    assert result.err.count("\n") == 1, "the error should be one line"
    for fragment in bad.fragments:
        assert fragment in result.err


def test_refusal_with_json_prints_no_json(capsys: pytest.CaptureFixture[str], db_url: str, seeded: str) -> None:
    """--json does not turn a refusal into a success document: stdout stays empty, stderr explains."""
    before = event_count(db_url)
    result = run_cli(capsys, db_url, "payment", "reverse", seeded, "B1", "--amount", "70000", "--json")
    assert result.code == 1
    assert result.out == ""
    assert "överstiger" in result.err
    assert event_count(db_url) == before


ENGLISH = [
    pytest.param(("case", "open", BAD_CHECKSUM, *OPEN_OPTS), 2,
                 ("Error: Invalid identity number: check digit or date is wrong.", "Nothing was stored."),
                 id="identity"),
    pytest.param(("payment", "record", CASE, "12,345", *PAY_P1), 2, ("Invalid amount: wrong format",), id="amount"),
    pytest.param(("contact", "add", "AVH-2026-0999", "--channel", "phone"), 1, ("Case AVH-2026-0999 does not exist or you may not see it",),
                 id="unknown-case"),
]


@pytest.mark.parametrize(("args", "code", "fragments"), ENGLISH)
def test_bad_input_in_english(sqlite_url: str, args: tuple[str, ...], code: int, fragments: tuple[str, ...]) -> None:
    """The language does not depend on the backend, and a subprocess is slow: SQLite only."""
    seed(sqlite_url)
    before = event_count(sqlite_url)
    result = run_process(sqlite_url, *args, env={"LEDGER_LANG": "en"})
    assert result.code == code, result.err
    _check_clean(result)
    for fragment in fragments:
        assert fragment in result.err
    assert "Fel" not in result.err and "Inget har sparats" not in result.err
    assert event_count(sqlite_url) == before
