"""The access log (``ledger.access``): who read which case, when, with which command.

On both backends: a read leaves one entry with user, case, command and time; the filters by
case, user, local dates and protection; the protected flag as it stood at the moment of the
read; and entries are never events — reading a case leaves its stream and the ledger untouched.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from ledger import access
from ledger.errors import DateOutOfOrder, InputError, InvalidDate, NotFound
from tests.conftest import TEST_PNR
from tests.helpers import event_count, identity_forms

PNR, PROTECTED_PNR = TEST_PNR[10], TEST_PNR[11]
KEYS = {"accessed_at", "user", "case", "command", "protected", "protection_level", "reason"}


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


def at(monkeypatch: pytest.MonkeyPatch, moment: str) -> None:
    monkeypatch.setenv("LEDGER_NOW", moment)


@pytest.fixture
def cases(app) -> tuple[str, str]:
    """An ordinary case and one whose person has skyddad folkbokföring."""
    plain = app.open_case(PNR, gender="man", environment="criminal", source="police", on="2026-03-01")
    hidden = app.open_case(PROTECTED_PNR, gender="woman", environment="honour", source="self",
                           protection="protected_registration", on="2026-03-02")
    return plain, hidden


def test_a_read_leaves_one_entry_with_user_case_command_and_time(
    app, cases: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    plain, _ = cases
    assert access.entries(app.store) == []
    at(monkeypatch, "2026-11-20T10:15:30.123456+00:00")
    access.record_read(app, plain.lower(), "case show")
    assert access.entries(app.store) == [
        {
            "accessed_at": "2026-11-20T10:15:30+00:00", "user": "tester", "case": plain, "command": "case show",
            "protected": False, "protection_level": "none", "reason": None,
        }
    ]


def test_the_time_is_utc_whatever_zone_ledger_now_is_given_in(app, cases: tuple[str, str],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    plain, _ = cases
    at(monkeypatch, "2026-11-20T11:15:30+01:00")
    access.record_read(app, plain, "case log")
    assert [e["accessed_at"] for e in access.entries(app)] == ["2026-11-20T10:15:30+00:00"]


def test_reading_is_not_an_event(app, db_url: str, cases: tuple[str, str]) -> None:
    plain, hidden = cases
    events_before = event_count(db_url)
    stream_before = [(type(e).__name__, e.originator_version) for e in app.case_events(plain)]
    for command in ("case show", "case log", "history"):
        access.record_read(app, plain, command)
    access.record_reads(app, [plain, hidden], "tillsyn export")
    assert event_count(db_url) == events_before
    assert [(type(e).__name__, e.originator_version) for e in app.case_events(plain)] == stream_before
    assert app.get_case(plain).version == len(stream_before)
    assert len(access.entries(app.store)) == 5


def test_the_protected_flag_marks_protected_identity(app, cases: tuple[str, str]) -> None:
    plain, hidden = cases
    access.record_read(app, plain, "case show")
    access.record_read(app, hidden, "case show")
    rows = access.entries(app.store)
    assert [(r["case"], r["protected"], r["protection_level"]) for r in rows] == [
        (plain, False, "none"), (hidden, True, "protected_registration"),
    ]
    assert access.PROTECTED_LEVELS == {"confidentiality_marking", "protected_registration", "fictitious_identity"}


@pytest.mark.parametrize("level", ["confidentiality_marking", "protected_registration", "fictitious_identity"])
def test_every_level_of_protected_personal_data_counts(app, level: str) -> None:
    case = app.open_case(PROTECTED_PNR, gender="woman", environment="criminal", source="police", protection=level,
                         on="2026-03-01")
    access.record_read(app, case, "case show")
    (entry,) = access.entries(app.store)
    assert entry["protected"] is True and entry["protection_level"] == level


def test_the_flag_is_the_persons_protection_at_the_moment_of_the_read(app) -> None:
    """Protection given later marks later reads of the earlier case; earlier entries stay as they were."""
    first = app.open_case(PNR, gender="man", environment="criminal", source="police", on="2026-03-01")
    access.record_read(app, first, "case show")
    app.close_case(first, "goals_met", on="2026-04-01")
    second = app.open_case(PNR, gender="man", environment="criminal", source="police",
                           protection="fictitious_identity", on="2026-05-01")
    access.record_read(app, first, "case show")
    access.record_read(app, second, "case show")
    assert [(e["case"], e["protected"]) for e in access.entries(app.store)] == [
        (first, False), (first, True), (second, True),
    ]


def test_many_cases_at_once_get_the_same_levels_as_one_at_a_time(app, monkeypatch: pytest.MonkeyPatch) -> None:
    """``record_reads`` looks the levels up a chunk of cases at a time (an export logs every case)."""
    monkeypatch.setattr(access, "_CHUNK", 2)
    numbers = [app.open_case(TEST_PNR[50 + i], gender="man", environment="criminal", source="police",
                             protection="confidentiality_marking" if i == 2 else "none", on="2026-03-01")
               for i in range(5)]
    app.close_case(numbers[0], "goals_met", on="2026-04-01")
    later = app.open_case(TEST_PNR[50], gender="man", environment="criminal", source="police",
                          protection="fictitious_identity", on="2026-05-01")  # the first person is protected now
    everything = [*numbers, later]
    levels = access.protection_levels(app, everything)
    assert levels == {number: access.protection_of(app, number) for number in everything}
    assert [levels[n] for n in everything] == ["fictitious_identity", "none", "confidentiality_marking", "none",
                                              "none", "fictitious_identity"]
    access.record_reads(app, [n.lower() for n in reversed(everything)], "audit consent")
    assert [(e["case"], e["protection_level"]) for e in access.entries(app)] == [
        (n, levels[n]) for n in reversed(everything)]
    with pytest.raises(NotFound):
        access.record_reads(app, [*everything, "AVH-2026-0999"], "export")
    assert len(access.entries(app)) == len(everything)  # all or nothing


def test_filters_by_case_user_dates_and_protection(
    app, db_url: str, cases: tuple[str, str], monkeypatch: pytest.MonkeyPatch, stockholm: None
) -> None:
    from ledger.application import Ledger

    plain, hidden = cases
    bo = Ledger(db=db_url, user="bo.k")
    at(monkeypatch, "2026-10-15T09:00:00+00:00")
    access.record_read(app, plain, "case show")
    at(monkeypatch, "2026-10-31T23:30:00+00:00")  # 2026-11-01 00:30 in Stockholm
    access.record_read(bo, hidden, "case log")
    at(monkeypatch, "2026-11-10T12:00:00+00:00")
    access.record_read(bo, plain, "history")
    at(monkeypatch, "2026-11-20T22:59:59+00:00")  # 23:59:59 on the 20th in Stockholm
    access.record_read(app, hidden, "case show")

    def pick(**filters: object) -> list[tuple[str, str, str]]:
        return [(e["user"], e["case"], e["command"]) for e in access.entries(app.store, **filters)]

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
    app, cases: tuple[str, str], monkeypatch: pytest.MonkeyPatch, machine_zone: str
) -> None:
    plain, hidden = cases
    at(monkeypatch, "2026-11-23T23:30:00+00:00")  # 00:30 on 24 November in Sweden
    access.record_read(app, plain, "case show")
    at(monkeypatch, "2026-06-30T21:59:59+00:00")  # 23:59:59 on 30 June in Sweden (summer time, UTC+2)
    access.record_read(app, hidden, "case log")

    def pick(**filters: object) -> list[str]:
        return [e["case"] for e in access.entries(app.store, **filters)]

    assert pick(since="2026-11-24") == [plain]
    assert pick(until="2026-11-23") == [hidden]
    assert pick(since="2026-11-24", until="2026-11-24") == [plain]
    assert pick(since="2026-06-30", until="2026-06-30") == [hidden]
    assert pick(since="2026-07-01", until="2026-11-23") == []


def test_an_unknown_case_filter_gives_no_entries_and_a_malformed_one_is_not_found(
    app, cases: tuple[str, str]
) -> None:
    plain, _ = cases
    access.record_read(app, plain, "case show")
    assert access.entries(app.store, case="AVH-2025-0999") == []
    with pytest.raises(NotFound):
        access.entries(app.store, case="AVH-26-1")


def test_bad_dates_are_refused(app) -> None:
    with pytest.raises(InvalidDate) as bad:
        access.entries(app.store, since="2026-13-01")
    assert bad.value.exit_code == 2 and bad.value.params["field"] == "--since"
    with pytest.raises(InvalidDate):
        access.entries(app.store, until="1 november")
    with pytest.raises(DateOutOfOrder):
        access.entries(app.store, since="2026-11-30", until="2026-11-01")


def test_reading_an_unknown_case_logs_nothing(app, cases: tuple[str, str]) -> None:
    with pytest.raises(NotFound):
        access.record_read(app, "AVH-2026-0999", "case show")
    with pytest.raises(NotFound):
        access.record_read(app, "nonsense", "case show")
    plain, _ = cases
    with pytest.raises(NotFound):
        access.record_reads(app, [plain, "AVH-2026-0999"], "tillsyn export")  # all or nothing
    assert access.entries(app.store) == []


@pytest.mark.parametrize("command", ["", "Case Show", "case  show", "case show; drop", "x" * 65])
def test_the_command_must_be_a_command_name(app, cases: tuple[str, str], command: str) -> None:
    with pytest.raises(InputError):
        access.record_read(app, cases[0], command)
    assert access.entries(app.store) == []


def test_a_reason_is_a_code_never_free_text(app, cases: tuple[str, str]) -> None:
    plain, _ = cases
    access.record_read(app, plain, "tillsyn export", reason="supervision")
    with pytest.raises(InputError):
        access.record_read(app, plain, "case show", reason="ringde mamma Testsson")
    assert [e["reason"] for e in access.entries(app.store)] == ["supervision"]


def test_the_read_side_can_be_passed_instead_of_the_ledger(app, cases: tuple[str, str]) -> None:
    from ledger.projections.service import ReadSide

    side = ReadSide(app)
    side.case(cases[0])
    access.record_read(side, cases[0], "case show")
    assert [e["case"] for e in access.entries(side)] == [cases[0]]


def test_no_identity_number_is_stored(app, cases: tuple[str, str]) -> None:
    for case in cases:
        access.record_read(app, case, "case show")
    with app.store.read() as conn:
        stored = repr(conn.execute(select(access.access_table)).all())
    assert cases[0] in stored
    for number in (PNR, PROTECTED_PNR):
        for form in identity_forms(number):
            assert form not in stored
    assert set(access.entries(app.store)[0]) == KEYS


def test_the_log_is_shared_by_processes_and_survives_a_new_store(app, db_url: str,
                                                                 cases: tuple[str, str]) -> None:
    from ledger.application import Ledger
    from ledger.store import SQLStore

    access.record_read(app, cases[0], "case show")
    SQLStore.dispose_all()  # as if another process opened the database
    again = Ledger(db=db_url, user="bo.k")
    access.record_read(again, cases[1], "case show")
    assert [(e["user"], e["case"]) for e in access.entries(again.store)] == [("tester", cases[0]), ("bo.k", cases[1])]


def test_an_export_logs_every_case_before_the_file_is_written(app, cases: tuple[str, str], tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from ledger.archive import export_archive

    plain, hidden = cases
    app.record_contact(plain, "phone", on="2026-03-05")  # more events than cases: one entry per case
    at(monkeypatch, "2026-11-23T09:30:00+00:00")
    seen: list[list[str]] = []
    out = tmp_path / "out"
    out.mkdir()

    def log(numbers: list[str]) -> None:
        assert list(out.iterdir()) == []  # before anything is written
        seen.append(numbers)
        access.record_reads(app, numbers, "export")

    export_archive(app.store, out / "a.jsonl", before_write=log)
    assert seen == [[plain, hidden]]
    assert [(e["case"], e["command"], e["protected"], e["accessed_at"]) for e in access.entries(app)] == [
        (plain, "export", False, "2026-11-23T09:30:00+00:00"), (hidden, "export", True, "2026-11-23T09:30:00+00:00")]
    assert (out / "a.jsonl").is_file()


def test_the_case_numbers_of_an_export_come_from_every_case_stream(app) -> None:
    from ledger.archive import case_numbers

    numbers = [app.open_case(number, gender="man", environment="criminal", source="police", on="2026-03-01")
               for number in TEST_PNR[40:43]]
    app.open_case(TEST_PNR[40], gender="man", environment="criminal", source="police", on="2026-04-01")  # again
    with app.store.read() as conn:
        found = case_numbers(app.store, conn)
    assert found[:3] == numbers and len(found) == 4 == len(set(found))


# -- a database that cannot be written: the read is refused, not shown unlogged ---------------------------


def test_a_read_only_sqlite_database_refuses_the_entry(sqlite_url: str) -> None:
    from ledger.application import Ledger
    from ledger.errors import StorageError

    writer = Ledger(db=sqlite_url, user="tester")
    case = writer.open_case(PNR, gender="man", environment="criminal", source="police", on="2026-03-01")
    access.record_read(writer, case, "case show")
    path = sqlite_url.removeprefix("sqlite:///")
    reader = Ledger(db=f"sqlite:///file:{path}?mode=ro&uri=true", user="tester")
    assert reader.get_case(case).case_number == case  # reading works ...
    with pytest.raises(StorageError) as refused:
        access.record_read(reader, case, "case show")  # ... logging it does not: the caller must not show it
    assert refused.value.params["reason"] == "read_only"
    assert len(access.entries(reader.store)) == 1  # the review still works on a read-only copy


def test_an_export_from_a_read_only_sqlite_database_is_refused_and_writes_nothing(sqlite_url: str,
                                                                                 tmp_path: Path) -> None:
    from ledger.application import Ledger
    from ledger.archive import export_archive
    from ledger.errors import StorageError

    writer = Ledger(db=sqlite_url, user="tester")
    writer.open_case(PNR, gender="man", environment="criminal", source="police", on="2026-03-01")
    path = sqlite_url.removeprefix("sqlite:///")
    reader = Ledger(db=f"sqlite:///file:{path}?mode=ro&uri=true", user="tester")
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(StorageError):
        export_archive(reader.store, out / "a.jsonl",
                       before_write=lambda numbers: access.record_reads(reader, numbers, "export"))
    assert list(out.iterdir()) == []
    assert access.entries(reader.store) == []


def test_a_read_only_postgresql_database_refuses_the_entry(pg_url: str) -> None:
    import psycopg

    from ledger.application import Ledger
    from ledger.errors import StorageError
    from ledger.store import SQLStore
    from tests.conftest import PG_URL

    writer = Ledger(db=pg_url, user="tester")
    case = writer.open_case(PNR, gender="man", environment="criminal", source="police", on="2026-03-01")
    access.record_read(writer, case, "case show")
    SQLStore.dispose_all()
    assert PG_URL is not None
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{pg_url.rsplit("/", 1)[1]}" SET default_transaction_read_only = on')
    reader = Ledger(db=pg_url, user="tester")
    with pytest.raises(StorageError) as refused:
        access.record_read(reader, case, "case show")
    assert refused.value.params["reason"] == "read_only"
    assert len(access.entries(reader.store)) == 1
