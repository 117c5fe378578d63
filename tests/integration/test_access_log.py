"""The access log: who read which case, when, with which command (``ledger.application.queries`` writes
it, ``ledger.adapters.access_log`` stores it).

On both backends: a read leaves one entry with user, case, command and time; the filters by
case, user, local dates and protection; the protected flag as it stood at the moment of the
read; and entries are never events — reading a case leaves its stream and the ledger untouched.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from ledger.adapters import access_log
from ledger.adapters.schema import access_table
from ledger.bootstrap import Services, services
from ledger.domain.clock import PinnedClock
from ledger.domain.errors import DateOutOfOrder, InvalidDate, NotFound, StorageError
from ledger.domain.permissions import is_protected
from tests.conftest import PASSPHRASE, TEST_PNR
from tests.helpers import event_count, identity_forms, services_at

PNR, PROTECTED_PNR = TEST_PNR[10], TEST_PNR[11]
KEYS = {"accessed_at", "user", "case", "command", "protected", "protection_level", "reason", "outcome"}


@pytest.fixture
def stockholm() -> Iterator[None]:
    """Local time is Swedish (CET in November: UTC+1), so local-date boundaries are exact."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "Europe/Stockholm"
    time.tzset()
    yield
    if old is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = old
    time.tzset()


def at(found: Services, moment: str) -> None:
    """The moment the next read happens (as ``LEDGER_NOW`` would pin it)."""
    found.ledger.clock = found.gate.clock = PinnedClock(datetime.fromisoformat(moment), date(2026, 11, 23))


@pytest.fixture
def found(db_url: str) -> Services:
    return services_at(db_url, "tester")


@pytest.fixture
def app(found: Services) -> Any:
    return found.ledger


@pytest.fixture
def cases(app: Any) -> tuple[str, str]:
    """An ordinary case and one whose person has skyddad folkbokföring."""
    plain = app.open_case(PNR, gender="man", environment="criminal", source="police", on="2026-03-01")
    hidden = app.open_case(PROTECTED_PNR, gender="woman", environment="honour", source="self",
                           protection="protected_registration", on="2026-03-02")
    return plain, hidden


def test_a_read_leaves_one_entry_with_user_case_command_and_time(found: Services, cases: tuple[str, str]) -> None:
    plain, _ = cases
    assert found.queries.access_log_entries() == []
    at(found, "2026-11-20T10:15:30.123456+00:00")
    found.queries.case(plain.lower())
    assert found.queries.access_log_entries() == [
        {
            "accessed_at": "2026-11-20T10:15:30+00:00", "user": "tester", "case": plain, "command": "case show",
            "protected": False, "protection_level": "none", "reason": None, "outcome": "read",
        }
    ]


def test_the_time_is_utc_whatever_zone_the_clock_is_given_in(found: Services, cases: tuple[str, str]) -> None:
    plain, _ = cases
    at(found, "2026-11-20T11:15:30+01:00")
    found.queries.case_log(plain)
    assert [e["accessed_at"] for e in found.queries.access_log_entries()] == ["2026-11-20T10:15:30+00:00"]


def test_reading_is_not_an_event(found: Services, app: Any, db_url: str, cases: tuple[str, str]) -> None:
    plain, _ = cases
    events_before = event_count(db_url)
    stream_before = [(type(e).__name__, e.originator_version) for e in app.case_events(plain)]
    found.queries.case(plain)
    found.queries.case_log(plain)
    found.queries.history(plain)
    found.queries.consent_audit()  # every case
    assert event_count(db_url) == events_before
    assert [(type(e).__name__, e.originator_version) for e in app.case_events(plain)] == stream_before
    assert app.get_case(plain).version == len(stream_before)
    assert [e["command"] for e in found.queries.access_log_entries()] == [
        "case show", "case log", "history", "audit consent", "audit consent"]


def test_the_protected_flag_marks_protected_identity(found: Services, cases: tuple[str, str]) -> None:
    plain, hidden = cases
    found.queries.case(plain)
    found.queries.case(hidden)
    rows = found.queries.access_log_entries()
    assert [(r["case"], r["protected"], r["protection_level"]) for r in rows] == [
        (plain, False, "none"), (hidden, True, "protected_registration"),
    ]
    from ledger.domain.vocab import ProtectionLevel

    assert {level for level in ProtectionLevel if is_protected(level)} == {
        "confidentiality_marking", "protected_registration", "fictitious_identity"}


@pytest.mark.parametrize("level", ["confidentiality_marking", "protected_registration", "fictitious_identity"])
def test_every_level_of_protected_personal_data_counts(found: Services, app: Any, level: str) -> None:
    case = app.open_case(PROTECTED_PNR, gender="woman", environment="criminal", source="police", protection=level,
                         on="2026-03-01")
    found.queries.case(case)
    (entry,) = found.queries.access_log_entries()
    assert entry["protected"] is True and entry["protection_level"] == level


def test_the_flag_is_the_persons_protection_at_the_moment_of_the_read(found: Services, app: Any) -> None:
    """Protection given later marks later reads of the earlier case; earlier entries stay as they were."""
    first = app.open_case(PNR, gender="man", environment="criminal", source="police", on="2026-03-01")
    found.queries.case(first)
    app.close_case(first, "goals_met", on="2026-04-01")
    second = app.open_case(PNR, gender="man", environment="criminal", source="police",
                           protection="fictitious_identity", on="2026-05-01")
    found.queries.case(first)
    found.queries.case(second)
    assert [(e["case"], e["protected"]) for e in found.queries.access_log_entries()] == [
        (first, False), (first, True), (second, True),
    ]


def test_many_cases_at_once_get_the_same_levels_as_one_at_a_time(found: Services, app: Any,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The levels are looked up a chunk of cases at a time (an export logs every case)."""
    monkeypatch.setattr(access_log, "_CHUNK", 2)
    lookup = access_log.SqlProtection(found.store)
    numbers = [app.open_case(TEST_PNR[50 + i], gender="man", environment="criminal", source="police",
                             protection="confidentiality_marking" if i == 2 else "none", on="2026-03-01")
               for i in range(5)]
    app.close_case(numbers[0], "goals_met", on="2026-04-01")
    later = app.open_case(TEST_PNR[50], gender="man", environment="criminal", source="police",
                          protection="fictitious_identity", on="2026-05-01")  # the first person is protected now
    everything = [*numbers, later]
    levels = lookup.protection_levels(everything)
    assert levels == {number: lookup.protection_levels([number])[number] for number in everything}
    assert [levels[n] for n in everything] == ["fictitious_identity", "none", "confidentiality_marking", "none",
                                              "none", "fictitious_identity"]
    found.queries.consent_audit()
    assert [(e["case"], e["protection_level"]) for e in found.queries.access_log_entries()] == [
        (n, levels[n]) for n in sorted(everything)]
    with pytest.raises(NotFound):
        lookup.protection_levels([*everything, "AVH-2026-0999"])


def test_filters_by_case_user_dates_and_protection(
    found: Services, db_url: str, cases: tuple[str, str], stockholm: None
) -> None:
    plain, hidden = cases
    bo = services_at(db_url, "bo.k")
    at(found, "2026-10-15T09:00:00+00:00")
    found.queries.case(plain)
    at(bo, "2026-10-31T23:30:00+00:00")  # 2026-11-01 00:30 in Stockholm
    bo.queries.case_log(hidden)
    at(bo, "2026-11-10T12:00:00+00:00")
    bo.queries.history(plain)
    at(found, "2026-11-20T22:59:59+00:00")  # 23:59:59 on the 20th in Stockholm
    found.queries.case(hidden)

    def pick(**filters: Any) -> list[tuple[str, str, str]]:
        return [(e["user"], e["case"], e["command"]) for e in found.queries.access_log_entries(**filters)]

    everything = pick()
    assert everything == [("tester", plain, "case show"), ("bo.k", hidden, "case log"), ("bo.k", plain, "history"),
                          ("tester", hidden, "case show")]
    assert pick(case=plain) == [everything[0], everything[2]]
    assert pick(case=hidden.lower()) == [everything[1], everything[3]]
    assert pick(user="bo.k") == everything[1:3]
    assert pick(user="nobody") == []
    assert pick(since="2026-11-01") == everything[1:]  # local dates: 00:30 on 1 November counts
    assert pick(until="2026-10-31") == everything[:1]
    assert pick(since="2026-11-01", until="2026-11-20") == everything[1:]  # until is inclusive
    assert pick(until="2026-11-19") == everything[:3]
    assert pick(since="2026-11-21") == []
    assert pick(since="0001-01-01", until="9999-12-31") == everything
    assert pick(protected=True) == [everything[1], everything[3]]
    assert pick(protected=False) == [everything[0], everything[2]]
    assert pick(case=hidden, user="tester", since="2026-11-01") == [everything[3]]


@pytest.fixture(params=["UTC", "America/New_York", "Asia/Tokyo"])
def machine_zone(request: pytest.FixtureRequest) -> Iterator[str]:
    """The machine's own time zone set to something other than Sweden's (restored afterwards)."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    yield request.param
    if old is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = old
    time.tzset()


def test_dates_are_swedish_whatever_the_machines_time_zone(
    found: Services, cases: tuple[str, str], machine_zone: str
) -> None:
    plain, hidden = cases
    at(found, "2026-11-23T23:30:00+00:00")  # 00:30 on 24 November in Sweden
    found.queries.case(plain)
    at(found, "2026-06-30T21:59:59+00:00")  # 23:59:59 on 30 June in Sweden (summer time, UTC+2)
    found.queries.case_log(hidden)

    def pick(**filters: Any) -> list[str]:
        return [e["case"] for e in found.queries.access_log_entries(**filters)]

    assert pick(since="2026-11-24") == [plain]
    assert pick(until="2026-11-23") == [hidden]
    assert pick(since="2026-11-24", until="2026-11-24") == [plain]
    assert pick(since="2026-06-30", until="2026-06-30") == [hidden]
    assert pick(since="2026-07-01", until="2026-11-23") == []


def test_an_unknown_case_filter_gives_no_entries_and_a_malformed_one_is_not_found(
    found: Services, cases: tuple[str, str]
) -> None:
    plain, _ = cases
    found.queries.case(plain)
    assert found.queries.access_log_entries(case="AVH-2025-0999") == []
    with pytest.raises(NotFound):
        found.queries.access_log_entries(case="AVH-26-1")


def test_bad_dates_are_refused(found: Services) -> None:
    with pytest.raises(InvalidDate) as bad:
        found.queries.access_log_entries(since="2026-13-01")
    assert bad.value.exit_code == 2 and bad.value.params["field"] == "--since"
    with pytest.raises(InvalidDate):
        found.queries.access_log_entries(until="1 november")
    with pytest.raises(DateOutOfOrder):
        found.queries.access_log_entries(since="2026-11-30", until="2026-11-01")


def test_reading_an_unknown_case_logs_nothing(found: Services, cases: tuple[str, str]) -> None:
    with pytest.raises(NotFound):
        found.queries.case("AVH-2026-0999")
    with pytest.raises(NotFound):
        found.queries.case("nonsense")
    with pytest.raises(NotFound):
        found.queries.history("AVH-2026-0999")
    assert found.queries.access_log_entries() == []


def test_no_identity_number_is_stored(found: Services, cases: tuple[str, str]) -> None:
    for case in cases:
        found.queries.case(case)
    with found.store.read() as conn:
        stored = repr(conn.execute(select(access_table)).all())
    assert cases[0] in stored
    for number in (PNR, PROTECTED_PNR):
        for form in identity_forms(number):
            assert form not in stored
    assert set(found.queries.access_log_entries()[0]) == KEYS


def test_the_log_is_shared_by_processes_and_survives_a_new_store(found: Services, db_url: str,
                                                                 cases: tuple[str, str]) -> None:
    from ledger.adapters.store import SQLStore

    found.queries.case(cases[0])
    SQLStore.dispose_all()  # as if another process opened the database
    again = services_at(db_url, "bo.k")
    again.queries.case(cases[1])
    assert [(e["user"], e["case"]) for e in again.queries.access_log_entries()] == [
        ("tester", cases[0]), ("bo.k", cases[1])]


def test_an_export_logs_every_case_before_the_file_is_written(found: Services, app: Any, cases: tuple[str, str],
                                                              tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plain, hidden = cases
    app.record_contact(plain, "phone", on="2026-03-05")  # more events than cases: one entry per case
    at(found, "2026-11-23T09:30:00+00:00")
    out = tmp_path / "out"
    out.mkdir()
    record = access_log.SqlAccessLog.record

    def before_anything_is_written(self: Any, entries: Any) -> None:
        assert list(out.iterdir()) == []
        record(self, entries)

    monkeypatch.setattr(access_log.SqlAccessLog, "record", before_anything_is_written)
    found.queries.export(out / "a.jsonl", passphrase=PASSPHRASE)
    assert [(e["case"], e["command"], e["protected"], e["accessed_at"])
            for e in found.queries.access_log_entries()] == [
        (plain, "export", False, "2026-11-23T09:30:00+00:00"), (hidden, "export", True, "2026-11-23T09:30:00+00:00")]
    assert (out / "a.jsonl").is_file()


def test_the_case_numbers_of_an_export_come_from_every_case_stream(found: Services, app: Any) -> None:
    from ledger.adapters.archive import case_numbers

    numbers = [app.open_case(number, gender="man", environment="criminal", source="police", on="2026-03-01")
               for number in TEST_PNR[40:43]]
    app.close_case(numbers[0], "goals_met", on="2026-03-15")
    app.open_case(TEST_PNR[40], gender="man", environment="criminal", source="police", on="2026-04-01")  # again
    with found.store.read() as conn:
        listed = case_numbers(found.store, conn)
    assert listed[:3] == numbers and len(listed) == 4 == len(set(listed))


# -- a database that cannot be written: the read is refused, not shown unlogged ---------------------------


def test_a_read_only_sqlite_database_refuses_the_entry(sqlite_url: str) -> None:
    writer = services_at(sqlite_url, "tester")
    case = writer.ledger.open_case(PNR, gender="man", environment="criminal", source="police", on="2026-03-01")
    writer.queries.case(case)
    path = sqlite_url.removeprefix("sqlite:///")
    reader = services(f"sqlite:///file:{path}?mode=ro&uri=true", "tester")
    assert reader.ledger.get_case(case).case_number == case  # reading works ...
    with pytest.raises(StorageError) as refused:
        reader.queries.case(case)  # ... logging it does not: nothing is shown
    assert refused.value.params["reason"] == "read_only"
    assert len(reader.queries.access_log_entries()) == 1  # the review still works on a read-only copy


def test_an_export_from_a_read_only_sqlite_database_is_refused_and_writes_nothing(sqlite_url: str,
                                                                                 tmp_path: Path) -> None:
    writer = services_at(sqlite_url, "tester")
    writer.ledger.open_case(PNR, gender="man", environment="criminal", source="police", on="2026-03-01")
    path = sqlite_url.removeprefix("sqlite:///")
    reader = services(f"sqlite:///file:{path}?mode=ro&uri=true", "tester")
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(StorageError):
        reader.queries.export(out / "a.jsonl", passphrase=PASSPHRASE)
    assert list(out.iterdir()) == []
    assert reader.queries.access_log_entries() == []


def test_a_read_only_postgresql_database_refuses_the_entry(pg_url: str) -> None:
    import psycopg

    from ledger.adapters.store import SQLStore
    from tests.conftest import PG_URL

    writer = services_at(pg_url, "tester")
    case = writer.ledger.open_case(PNR, gender="man", environment="criminal", source="police", on="2026-03-01")
    writer.queries.case(case)
    SQLStore.dispose_all()
    assert PG_URL is not None
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{pg_url.rsplit("/", 1)[1]}" SET default_transaction_read_only = on')
    reader = services(pg_url, "tester")
    with pytest.raises(StorageError) as refused:
        reader.queries.case(case)
    assert refused.value.params["reason"] == "read_only"
    assert len(reader.queries.access_log_entries()) == 1
