"""Protected identity, assignment and access grants, through the command line on both backends.

A case whose person has a protected identity exists only for its assigned case worker, managers,
auditors and users granted access up to a date: for everyone else it is not in ``case list``
(with or without ``--provider``), ``budget show --by case`` or the consent audit, and reading it
says "finns inte eller du saknar behörighet" — exactly what an unknown case says — while leaving a
*nekad* entry. The protection is the person's: a new case for them inherits the strongest level,
and only an explicit ``case protect`` by a manager lowers it. A protected person's data is never
shared with relatives.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.conftest import TEST_PNR
from tests.helpers import Result, event_count, run_cli

PNR, OTHER = TEST_PNR[20], TEST_PNR[21]
HIDDEN, PLAIN = "AVH-2026-0001", "AVH-2026-0002"
USERS = {"anna.l": "handläggare", "bo.k": "handläggare", "karin.a": "arbetsledare", "nils.e": "ekonom",
         "eva.e": "ekonom", "stina.s": "statistiker", "ivo.g": "granskare"}
UNKNOWN = "finns inte eller du saknar behörighet"


def run(capsys: pytest.CaptureFixture[str], db: str, user: str, *args: str) -> Result:
    return run_cli(capsys, db, "--as", user, *args, ready=False)


def ok(capsys: pytest.CaptureFixture[str], db: str, user: str, *args: str) -> Result:
    result = run(capsys, db, user, *args)
    assert result.code == 0, (user, args, result.err)
    return result


def cases_seen(capsys: pytest.CaptureFixture[str], db: str, user: str, *args: str) -> list[str]:
    return [row["case"] for row in ok(capsys, db, user, "case", "list", *args, "--json").json()]


def denied(capsys: pytest.CaptureFixture[str], db: str) -> list[tuple[str, Any, str]]:
    rows = ok(capsys, db, "ivo.g", "access-log", "--denied", "--json").json()
    return [(r["user"], r["case"], r["command"]) for r in rows]


@pytest.fixture
def unit(db_url: str, capsys: pytest.CaptureFixture[str]) -> str:
    """A training store; anna.l opens a case for a person with skyddad folkbokföring at SKYDD1 (paid for),
    bo.k an ordinary one at the same provider."""
    assert run_cli(capsys, db_url, "--as", "admin", "init", "--training").code == 0
    for name, role in USERS.items():
        ok(capsys, db_url, "admin", "user", "add", name, "--role", role)
    ok(capsys, db_url, "karin.a", "provider", "add", "SKYDD1", "--name", "Skyddat boende Nord AB", "--date",
       "2026-01-02")
    ok(capsys, db_url, "nils.e", "budget", "set", "2026", "7 025 000", "--date", "2026-01-02")
    ok(capsys, db_url, "anna.l", "case", "open", PNR, "--gender", "woman", "--environment", "honour", "--source",
       "self", "--protection", "skyddad_folkbokföring", "--date", "2026-01-05")
    ok(capsys, db_url, "bo.k", "case", "open", OTHER, "--gender", "man", "--environment", "criminal", "--source",
       "police", "--date", "2026-01-06")
    for case, worker in ((HIDDEN, "anna.l"), (PLAIN, "bo.k")):
        ok(capsys, db_url, worker, "decision", "record", case, "--outcome", "granted", "--intervention",
           "protected_housing", "--from", "2026-01-10", "--to", "2026-06-30", "--daily-price", "3 000", "--date",
           "2026-01-09")
        ok(capsys, db_url, worker, "placement", "start", case, "--provider", "SKYDD1", "--intervention",
           "protected_housing", "--daily-price", "3 000", "--planned-end", "2026-06-30", "--date", "2026-01-10")
    ok(capsys, db_url, "karin.a", "case", "grant-access", HIDDEN, "--to", "nils.e", "--until", "2026-12-31",
       "--reason", "fakturor")
    for case in (HIDDEN, PLAIN):
        ok(capsys, db_url, "nils.e", "payment", "record", case, "66 000,00", "--placement", "P1", "--from",
           "2026-01-10", "--to", "2026-01-31", "--date", "2026-02-03")
    return db_url


def test_a_protected_case_does_not_exist_for_a_user_without_access(unit: str,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    db = unit
    for who in ("anna.l", "karin.a", "ivo.g"):
        assert cases_seen(capsys, db, who) == [PLAIN, HIDDEN]
        assert cases_seen(capsys, db, who, "--provider", "SKYDD1") == [PLAIN, HIDDEN]
    assert cases_seen(capsys, db, "bo.k") == [PLAIN]
    assert cases_seen(capsys, db, "bo.k", "--provider", "SKYDD1") == [PLAIN]
    assert cases_seen(capsys, db, "eva.e") == [PLAIN]
    assert cases_seen(capsys, db, "nils.e") == [PLAIN, HIDDEN]  # granted access until 2026-12-31

    def by_case(user: str) -> list[str]:
        return [row["key"] for row in ok(capsys, db, user, "budget", "show", "2026", "--by", "case", "--json")
                .json()["rows"]]

    assert by_case("eva.e") == [PLAIN] and sorted(by_case("nils.e")) == [HIDDEN, PLAIN]
    assert sorted(by_case("karin.a")) == [HIDDEN, PLAIN]
    audited = ok(capsys, db, "bo.k", "audit", "consent", "--all", "--json").json()
    assert HIDDEN not in str(audited)

    before = event_count(db)
    for who, args in (("bo.k", ("case", "show", HIDDEN)), ("bo.k", ("history", HIDDEN)),
                      ("bo.k", ("contact", "add", HIDDEN, "--channel", "phone")), ("eva.e", ("case", "show", HIDDEN)),
                      ("eva.e", ("payment", "record", HIDDEN, "1 000", "--placement", "P1", "--from", "2026-02-01",
                                 "--to", "2026-02-01"))):
        hidden = run(capsys, db, who, *args)
        unknown = run(capsys, db, who, *[a.replace(HIDDEN, "AVH-2026-0099") for a in args])
        assert (hidden.code, hidden.out) == (1, "") and UNKNOWN in hidden.err, (who, args, hidden.err)
        assert hidden.err == unknown.err.replace("AVH-2026-0099", HIDDEN)  # not a word more than for no case
    assert event_count(db) == before
    assert denied(capsys, db) == [("bo.k", HIDDEN, "case show"), ("bo.k", HIDDEN, "history"),
                                  ("bo.k", HIDDEN, "contact add"), ("eva.e", HIDDEN, "case show money"),
                                  ("eva.e", HIDDEN, "payment record")]


def test_a_page_of_the_case_list_counts_and_shows_only_the_cases_the_user_may_see(
        unit: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A page is read on its own (not every case and then the newest ``--limit``): the protected cases
    a user may not see are neither on it nor in the count, whether the newest case is hidden, granted
    or the user's own."""
    db = unit
    newest = "AVH-2026-0003"
    ok(capsys, db, "anna.l", "case", "open", TEST_PNR[22], "--gender", "man", "--environment", "extremism",
       "--source", "self", "--protection", "fingerade_personuppgifter", "--date", "2026-02-01")

    def page(user: str, *args: str) -> tuple[list[str], str]:
        result = ok(capsys, db, user, "case", "list", "--json", *args)
        counted = [line for line in result.err.splitlines() if line.startswith("Visar")]  # only if more than shown
        return [row["case"] for row in result.json()], "".join(counted)

    assert page("bo.k", "--limit", "1") == ([PLAIN], "")  # two hidden cases, neither shown nor counted
    assert page("eva.e", "--limit", "1") == ([PLAIN], "")
    shown, note = page("anna.l", "--limit", "1")
    assert shown == [newest] and "1 nyaste av 3 ärenden" in note
    shown, note = page("nils.e", "--limit", "1")  # granted HIDDEN only
    assert shown == [PLAIN] and "1 nyaste av 2 ärenden" in note
    shown, note = page("karin.a", "--limit", "2")
    assert shown == [newest, PLAIN] and "2 nyaste av 3 ärenden" in note
    assert page("anna.l", "--mine", "--limit", "1")[0] == [newest]
    assert "1 nyaste av 2 ärenden" in page("anna.l", "--mine", "--limit", "1")[1]
    assert page("bo.k", "--mine") == ([PLAIN], "")
    ok(capsys, db, "karin.a", "case", "grant-access", newest, "--to", "bo.k", "--until", "2026-12-31", "--reason",
       "vikarie")
    shown, note = page("bo.k", "--limit", "1")
    assert shown == [newest] and "1 nyaste av 2 ärenden" in note
    assert page("bo.k", "--environment", "honour") == ([], "")  # HIDDEN: honour, and hidden from him


def test_who_may_see_a_protected_case_is_the_same_from_its_access_events_as_from_the_whole_case(
        unit: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A case list decides who may see each protected case from the events that set its assignee and
    grants only (read for thousands of cases at once), not from each case folded whole: both must give
    the same, after a reassignment and further grants, with SQLite's lookup index or without it."""
    from ledger.bootstrap import services

    db = unit
    ok(capsys, db, "karin.a", "case", "assign", HIDDEN, "--to", "bo.k")
    ok(capsys, db, "karin.a", "case", "grant-access", HIDDEN, "--to", "eva.e", "--until", "2026-12-31", "--reason",
       "fakturor")
    ok(capsys, db, "karin.a", "case", "grant-access", HIDDEN, "--to", "nils.e", "--until", "2026-12-30", "--reason",
       "förlängt")
    ok(capsys, db, "karin.a", "case", "protect", PLAIN, "--level", "sekretessmarkering")
    found = services(db, "ivo.g")
    levels = found.gate.protection.protection_levels([HIDDEN, PLAIN])
    whole = {number: found.ledger.access_of(found.ledger.get_case(number)) for number in (HIDDEN, PLAIN)}
    assert whole[HIDDEN].assigned_to == "bo.k" and dict(whole[HIDDEN].grants) == {
        "nils.e": date(2026, 12, 30), "eva.e": date(2026, 12, 31)}
    assert whole[PLAIN].assigned_to == "bo.k" and whole[PLAIN].protection_level == "confidentiality_marking"
    indexed = found.store.lookup_indexes
    try:
        for with_index in (indexed, False):
            found.store.lookup_indexes = with_index
            events = found.gate.protection.access_events([HIDDEN, PLAIN])
            for number in (HIDDEN, PLAIN):
                assert found.ledger.access_from(number, levels[number], events[number]) == whole[number]
    finally:
        found.store.lookup_indexes = indexed
    assert cases_seen(capsys, db, "anna.l") == []  # she opened HIDDEN; it was moved to bo.k
    assert cases_seen(capsys, db, "bo.k") == [PLAIN, HIDDEN]
    assert cases_seen(capsys, db, "eva.e") == [HIDDEN]
    assert cases_seen(capsys, db, "nils.e", "--limit", "1") == [HIDDEN]


def test_a_corrected_assignment_from_before_the_rule_decides_who_sees_the_case(
        unit: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Assignments and grants cannot be corrected now, but a store written before that rule (or imported
    from one) may hold such a correction: the case list must then decide as the whole case does, the
    correction applied, not from the assignments alone."""
    from ledger.bootstrap import services
    from ledger.domain import corrections

    db = unit
    ok(capsys, db, "karin.a", "case", "assign", HIDDEN, "--to", "bo.k")
    log = ok(capsys, db, "karin.a", "case", "log", HIDDEN, "--json").json()
    assigned = next(e["entry"] for e in log if e["type"] == "CaseAssigned")
    with monkeypatch.context() as old_rules:
        old_rules.setattr(corrections, "NOT_CORRECTABLE", ())
        ok(capsys, db, "karin.a", "correct", HIDDEN, str(assigned), "--reason", "fel handläggare", "--set",
           "assigned_to=anna.l")
    found = services(db, "ivo.g")
    whole = found.ledger.access_of(found.ledger.get_case(HIDDEN))
    assert whole.assigned_to == "anna.l"
    level = found.gate.protection.protection_levels([HIDDEN])[HIDDEN]
    events = found.gate.protection.access_events([HIDDEN])[HIDDEN]
    assert found.ledger.access_from(HIDDEN, level, events) == whole
    assert cases_seen(capsys, db, "bo.k") == [PLAIN]
    assert cases_seen(capsys, db, "bo.k", "--limit", "1") == [PLAIN]
    assert cases_seen(capsys, db, "anna.l") == [PLAIN, HIDDEN]


def test_a_case_protected_while_the_list_is_read_is_neither_shown_nor_counted(
        unit: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The case list reads the cases' numbers, then who may not see which from the events: a case
    protected in between (another user's command) is hidden from the page and from the count."""
    from ledger.bootstrap import services
    from ledger.projections.read_side import ReadSide

    db = unit
    ok(capsys, db, "bo.k", "case", "open", TEST_PNR[23], "--gender", "man", "--environment", "criminal", "--source",
       "police", "--date", "2026-02-01")
    numbers = ReadSide.case_numbers
    protected: list[str] = []

    def then_protect(self: ReadSide, **filters: object) -> list[str]:
        found = numbers(self, **filters)  # type: ignore[arg-type]
        if not protected:
            services(db, "karin.a").ledger.protect_case(PLAIN, "sekretessmarkering")
            protected.append(PLAIN)
        return found

    monkeypatch.setattr(ReadSide, "case_numbers", then_protect)
    result = ok(capsys, db, "eva.e", "case", "list", "--json", "--limit", "1")
    assert protected == [PLAIN]
    assert [row["case"] for row in result.json()] == ["AVH-2026-0003"]
    assert "nyaste av" not in result.err  # one case in all: PLAIN is not counted either


def test_the_economist_sees_a_granted_case_s_money_and_not_its_notes(unit: str,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    view = ok(capsys, unit, "nils.e", "case", "show", HIDDEN, "--json").json()
    assert view["case"] == HIDDEN and view["paid_total"] == "66000.00"
    assert {"payments", "placements"} <= set(view)
    assert not {"threat", "consents", "contacts", "shares", "followups", "gender", "assessment"} & set(view)
    full = ok(capsys, unit, "anna.l", "case", "show", HIDDEN, "--json").json()
    assert {"threat", "consents", "gender"} <= set(full)


def test_a_grant_ends_on_its_date_and_assignment_moves_access(unit: str, capsys: pytest.CaptureFixture[str],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    db = unit
    monkeypatch.setenv("LEDGER_TODAY", "2027-01-01")
    assert cases_seen(capsys, db, "nils.e") == [PLAIN]
    assert run(capsys, db, "nils.e", "case", "show", HIDDEN).code == 1
    monkeypatch.setenv("LEDGER_TODAY", "2026-11-23")
    assert cases_seen(capsys, db, "anna.l", "--mine") == [HIDDEN]
    assert cases_seen(capsys, db, "bo.k", "--mine") == [PLAIN]
    # Only a manager assigns; a handover moves who sees the protected case, and the history keeps both.
    refused = run(capsys, db, "anna.l", "case", "assign", HIDDEN, "--to", "bo.k")
    assert refused.code == 1 and "arbetsledare" in refused.err
    ok(capsys, db, "karin.a", "case", "assign", HIDDEN, "--to", "bo.k")
    assert cases_seen(capsys, db, "bo.k", "--mine") == [PLAIN, HIDDEN]
    assert cases_seen(capsys, db, "anna.l") == [PLAIN]
    view = ok(capsys, db, "bo.k", "case", "show", HIDDEN, "--json").json()
    assert view["assigned_to"] == "bo.k"
    log = ok(capsys, db, "bo.k", "case", "log", HIDDEN, "--json").json()
    assert [(e["type"], e["recorded_by"]) for e in log if e["type"] == "CaseAssigned"] == [("CaseAssigned", "karin.a")]
    table = ok(capsys, db, "karin.a", "case", "list").out
    assert "Ansvarig" in table and "bo.k" in table


def test_protection_survives_a_new_case_and_only_a_manager_lowers_it(unit: str,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    db = unit
    # The person's case ends, and a new one is opened later with the default --protection none: the
    # protection stays (one open case per person).
    ok(capsys, db, "anna.l", "placement", "end", HIDDEN, "P1", "--reason", "planned", "--date", "2026-10-01")
    ok(capsys, db, "anna.l", "case", "close", HIDDEN, "--reason", "goals_met", "--date", "2026-10-02")
    opened = ok(capsys, db, "anna.l", "case", "open", PNR, "--gender", "woman", "--environment", "honour",
                "--source", "self", "--date", "2026-11-02")
    assert "AVH-2026-0003" in opened.out
    assert ok(capsys, db, "anna.l", "case", "show", "AVH-2026-0003", "--json").json()["protection_level"] == \
        "protected_registration"
    assert cases_seen(capsys, db, "bo.k") == [PLAIN]  # the new case is hidden from him too
    # A case worker may raise it, not lower it; the refusal names what is missing and is logged.
    ok(capsys, db, "anna.l", "case", "protect", HIDDEN, "--level", "fingerade_personuppgifter")
    before = event_count(db)
    lowered = run(capsys, db, "anna.l", "case", "protect", HIDDEN, "--level", "ingen")
    assert lowered.code == 1 and "arbetsledare" in lowered.err and "sänka skyddet" in lowered.err
    assert event_count(db) == before
    assert ("anna.l", HIDDEN, "case protect") in denied(capsys, db)
    for case in (HIDDEN, "AVH-2026-0003"):  # the person's level: every case of theirs
        assert ok(capsys, db, "anna.l", "case", "show", case, "--json").json()["protection_level"] == \
            "fictitious_identity"
    ok(capsys, db, "karin.a", "case", "protect", HIDDEN, "--level", "ingen")
    assert cases_seen(capsys, db, "bo.k") == ["AVH-2026-0003", PLAIN, HIDDEN]
    log = ok(capsys, db, "ivo.g", "access-log", "--json").json()
    assert any(r["case"] == HIDDEN and r["protected"] for r in log)  # earlier reads stay marked


def test_a_protected_persons_data_is_never_shared_with_relatives(unit: str,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    db = unit
    ok(capsys, db, "anna.l", "consent", "grant", HIDDEN, "--recipient", "relatives", "--purpose", "kontakt")
    before = event_count(db)
    for extra in ((), ("--legal-basis", "10 kap. 2 § OSL")):
        refused = run(capsys, db, "anna.l", "share", "record", HIDDEN, "--recipient", "relatives", "--what", "adress",
                      *extra)
        assert refused.code == 1 and "lämnas aldrig till anhöriga" in refused.err, refused.err
    assert event_count(db) == before
    ok(capsys, db, "bo.k", "consent", "grant", PLAIN, "--recipient", "relatives", "--purpose", "kontakt")
    ok(capsys, db, "bo.k", "share", "record", PLAIN, "--recipient", "relatives", "--what", "mående")


def test_assignment_grants_and_money_cannot_be_corrected_around_the_roles(unit: str,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """Found when this was tried as an attacker: a correction could extend a grant, hand it to someone
    else, reassign a case or change a payment. Now a new assignment or grant is recorded instead, and
    money is corrected by the ekonom only."""
    db = unit
    log = ok(capsys, db, "anna.l", "case", "log", HIDDEN, "--json").json()
    grant = next(e["entry"] for e in log if e["type"] == "CaseAccessGranted")
    payment = next(e["entry"] for e in log if e["type"] == "PaymentRecorded")
    before = event_count(db)
    for who, entry, change in (("anna.l", grant, "until=2099-12-31"), ("karin.a", grant, "user=eva.e")):
        refused = run(capsys, db, who, "correct", HIDDEN, str(entry), "--reason", "x", "--set", change)
        assert refused.code == 1 and "rättas inte" in refused.err, refused.err
    ok(capsys, db, "karin.a", "case", "assign", HIDDEN, "--to", "bo.k")
    assigned = next(e["entry"] for e in ok(capsys, db, "karin.a", "case", "log", HIDDEN, "--json").json()
                    if e["type"] == "CaseAssigned")
    refused = run(capsys, db, "karin.a", "correct", HIDDEN, str(assigned), "--reason", "x", "--set", "assigned_to=anna.l")
    assert refused.code == 1 and "rättas inte" in refused.err
    money = run(capsys, db, "bo.k", "correct", HIDDEN, str(payment), "--reason", "x", "--set", "amount=155000")
    assert money.code == 1 and "ekonom" in money.err and "Nekad" in money.err
    assert event_count(db) == before + 1  # only the assignment
    assert ("bo.k", HIDDEN, "correct") in denied(capsys, db)
    ok(capsys, db, "nils.e", "correct", HIDDEN, str(payment), "--reason", "fel fakturanummer", "--set",
       "invoice_number=F-9")
    too_long = run(capsys, db, "karin.a", "case", "grant-access", HIDDEN, "--to", "eva.e", "--until", "2099-12-31",
                   "--reason", "x")
    assert too_long.code == 1 and "högst ett år" in too_long.err
    not_worker = run(capsys, db, "karin.a", "case", "assign", HIDDEN, "--to", "eva.e")
    assert not_worker.code == 1 and "är inte handläggare" in not_worker.err


def test_nobody_changes_their_own_roles(unit: str, capsys: pytest.CaptureFixture[str]) -> None:
    refused = run(capsys, unit, "admin", "user", "role", "admin", "--role", "administratör", "--role", "arbetsledare")
    assert refused.code == 1 and "ingen ändrar sina egna roller" in refused.err
    upper = run(capsys, unit, "admin", "user", "add", "Anna.L", "--role", "handläggare")
    assert upper.code == 2 and "användarnamn" in upper.err


def test_each_cases_level_is_the_same_with_or_without_sqlites_lookup_indexes(unit: str,
                                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """On SQLite the levels are read through two partial indexes on the payloads' fields (so a case list
    of thousands reads no payload); they must give exactly what the plain query gives, after the
    person's protection was raised and lowered again, and for an unprotected person. PostgreSQL has no
    such indexes and takes the plain query."""
    from ledger.bootstrap import services

    db = unit
    ok(capsys, db, "anna.l", "case", "protect", HIDDEN, "--level", "fingerade_personuppgifter")
    ok(capsys, db, "karin.a", "case", "protect", PLAIN, "--level", "skyddad_folkbokföring")
    ok(capsys, db, "karin.a", "case", "protect", PLAIN, "--level", "ingen")
    found = services(db, "ivo.g")
    protection = found.gate.protection
    with_indexes = protection.protection_levels([HIDDEN, PLAIN])
    assert with_indexes == {HIDDEN: "fictitious_identity", PLAIN: "none"}
    assert found.store.lookup_indexes == db.startswith("sqlite")
    if db.startswith("sqlite"):  # every protected case, found without naming the cases
        assert protection.protected_cases() == {HIDDEN: "fictitious_identity"}
        ok(capsys, db, "anna.l", "case", "protect", PLAIN, "--level", "sekretessmarkering")
        assert protection.protected_cases() == {HIDDEN: "fictitious_identity", PLAIN: "confidentiality_marking"}
        ok(capsys, db, "karin.a", "case", "protect", HIDDEN, "--level", "ingen")
        assert protection.protected_cases() == {PLAIN: "confidentiality_marking"}
        ok(capsys, db, "karin.a", "case", "protect", HIDDEN, "--level", "fingerade_personuppgifter")
        ok(capsys, db, "karin.a", "case", "protect", PLAIN, "--level", "ingen")
    found.store.lookup_indexes = False
    try:
        assert protection.protection_levels([HIDDEN, PLAIN]) == with_indexes
        assert protection.protected_cases() is None  # then the case list looks up every case
    finally:
        found.store.lookup_indexes = db.startswith("sqlite")
