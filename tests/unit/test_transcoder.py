"""The stored state's JSON is read through the C scanner when it is one value with nothing around it,
else by ``json.loads``: either way the same value, or the same error, as ``json.loads``."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.adapters.mapper import JSONBytesTranscoder

_json = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
                     max_leaves=12)


def _outcome(read: Any, data: bytes) -> tuple[str, Any]:
    try:
        return "value", read(data)
    except (ValueError, UnicodeDecodeError) as error:
        return "error", type(error).__name__


@given(value=_json, before=st.sampled_from(["", " ", "\n"]), after=st.sampled_from(["", " ", "x", "]", "{}"]))
def test_the_fast_read_is_json_loads(value: Any, before: str, after: str) -> None:
    canonical = JSONBytesTranscoder().encode(value)
    data = before.encode() + canonical + after.encode()
    assert _outcome(JSONBytesTranscoder().decode, data) == _outcome(json.loads, data)


@pytest.mark.parametrize("data", [b"", b"\xff\xfe", b"[1,", b"NaN", b'{"a":1}{"b":2}', b"\xef\xbb\xbf{}", b"  "])
def test_odd_bytes_read_as_json_loads_reads_them(data: bytes) -> None:
    ours, theirs = _outcome(JSONBytesTranscoder().decode, data), _outcome(json.loads, data)
    if ours[0] == "value" and isinstance(ours[1], float) and math.isnan(ours[1]):
        assert math.isnan(theirs[1])
    else:
        assert ours == theirs
