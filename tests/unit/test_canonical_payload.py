"""Stored payloads are canonical JSON with personal fields apart: the basis for hashing later."""

from __future__ import annotations

import json

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
    assert set(parsed) == {"p", "s"}
    assert parsed["p"] == {"note": "träffades på häktet"}
    assert "originator_id" not in parsed["s"] and "note" not in parsed["s"]
    person = next(e for e in app.recorder.select_notifications(1, 10) if e.topic.endswith("PersonRegistered"))
    personal = json.loads(person.state)["p"]
    assert personal["identity_number"] == TEST_PNR[1]
    assert TEST_PNR[1] not in json.dumps(json.loads(person.state)["s"])
