"""The one mapper between events and stored records.

Stored state is canonical JSON (sorted keys, no spaces) of two parts::

    {"p": {personal fields}, "s": {statistical and other fields}}

``originator_id`` and ``originator_version`` live in their own columns, not in the payload. Topics
are the domain's stable names (:func:`ledger.domain.events.topic_of`: ``ledger.events:CaseClosed``),
not where a class lives today, so stored events and their chain links never change when code
moves. This is the single place where per-person encryption of ``"p"`` will attach.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from eventsourcing.persistence import Mapper, StoredEvent, Transcoder
from pydantic import BaseModel

from ledger.domain.events import class_of, topic_of

_KEYS = {"originator_id", "originator_version"}


class JSONBytesTranscoder(Transcoder):
    """Canonical JSON, so equal events give equal bytes (and equal hashes)."""

    def encode(self, obj: Any) -> bytes:
        return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()

    def decode(self, data: bytes) -> Any:
        return json.loads(data)


_scan = json.JSONDecoder().scan_once  # type: ignore[attr-defined]  # the C scanner, not in the stubs


def _decode_canonical(state: bytes) -> Any:
    """``json.loads`` for the stored canonical JSON, without its per-call Python layers (twice as fast).

    The C scanner that ``json.loads`` ends in, called directly: no encoding detection (the state
    is UTF-8), no whitespace skipping (there is none). Only for states this mapper wrote.
    """
    return _scan(state.decode(), 0)[0]


class PydanticMapper(Mapper[Any]):
    """Maps frozen pydantic events to stored events and back, personal fields apart."""

    def __init__(self, transcoder: Transcoder | None = None, compressor: Any = None, cipher: Any = None) -> None:
        super().__init__(transcoder or JSONBytesTranscoder(), compressor, cipher)

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        return StoredEvent(
            originator_id=domain_event.originator_id,
            originator_version=domain_event.originator_version,
            topic=topic_of(type(domain_event)),
            state=self.encode_state(domain_event),
        )

    def encode_state(self, event: BaseModel) -> bytes:
        personal = type(event).personal_fields()  # type: ignore[attr-defined]
        data = event.model_dump(mode="json", exclude=_KEYS)
        state = {
            "p": {k: v for k, v in data.items() if k in personal},
            "s": {k: v for k, v in data.items() if k not in personal},
        }
        stored = self.transcoder.encode(state)
        if self.compressor:
            stored = self.compressor.compress(stored)
        if self.cipher:
            stored = self.cipher.encrypt(stored)
        return stored

    def state_decoder(self) -> Callable[[bytes], dict[str, Any]]:
        """A function from stored state to its two parts, ``{"p": {…}, "s": {…}}``, without an event.

        For the read side, which replays every event and needs only the statistical part: no
        pydantic model is built (the state was validated when it was stored), values stay in
        their JSON form.
        """
        if self.cipher is None and self.compressor is None and type(self.transcoder) is JSONBytesTranscoder:
            return _decode_canonical

        def decode(state: bytes) -> dict[str, Any]:
            if self.cipher:
                state = self.cipher.decrypt(state)
            if self.compressor:
                state = self.compressor.decompress(state)
            return self.transcoder.decode(state)  # type: ignore[no-any-return]

        return decode

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        state = stored_event.state
        if self.cipher:
            state = self.cipher.decrypt(state)
        if self.compressor:
            state = self.compressor.decompress(state)
        parts = self.transcoder.decode(state)
        cls: Any = class_of(stored_event.topic)
        return cls.model_validate(
            {
                **parts["s"],
                **parts["p"],
                "originator_id": stored_event.originator_id,
                "originator_version": stored_event.originator_version,
            }
        )
