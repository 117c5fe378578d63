"""Stored payloads are canonical JSON with personal fields apart: the basis for hashing later."""

from __future__ import annotations

import json
from uuid import UUID

from tests.conftest import TEST_PNR


def test_stored_state_is_sorted_compact_json_with_personal_part(sqlite_url: str) -> None:
    from tests.helpers import ledger_at

    app = ledger_at(sqlite_url, "tester")
    case = app.open_case(TEST_PNR[1], gender="man", environment="criminal", source="police", on="2026-01-02",
                         note="träffades på häktet")
    stored = app.recorder.select_events(app.get_case(case).id)[0].state
    text = stored.decode()
    parsed = json.loads(text)
    assert text == json.dumps(parsed, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert set(parsed) == {"e", "s"}  # the personal part sealed with the person's key
    assert set(parsed["e"]) == {"k", "n", "c"} and "träffades" not in text
    assert app.get_case(case).person_id == UUID(parsed["e"]["k"])
    assert app.mapper.personal_part(parsed, app.get_case(case).id, 1) == {"note": "träffades på häktet"}
    assert "originator_id" not in parsed["s"] and "note" not in parsed["s"]
    person = next(e for e in app.recorder.select_notifications(1, 10) if e.topic.endswith("PersonRegistered"))
    sealed = json.loads(person.state)
    assert app.mapper.personal_part(sealed, person.originator_id, 1)["identity_number"] == TEST_PNR[1]
    assert TEST_PNR[1] not in person.state.decode() and TEST_PNR[1][2:] not in person.state.decode()
