"""The one mapper between events and stored records.

Stored state is canonical JSON (sorted keys, no spaces) of two parts::

    {"e": {"k": key id, "n": nonce, "c": AES-256-GCM(personal fields)}, "s": {statistical and other fields}}

The personal fields are sealed with the data key of the person the event is about (a person's
stream: that person; a case's: its person, from its ``CaseActualised``; anything else: the unit's
key), with the stream and version as associated data, *before* the bytes are stored and hashed
into the chain (:mod:`ledger.adapters.keys`). The read side reads only ``"s"`` and needs no key.
Without a cipher (the rules' tests on in-memory persistence) the personal part is stored as
``"p": {…}`` in the clear, as stores before encryption did.

``originator_id`` and ``originator_version`` live in their own columns, not in the payload. Topics
are the domain's stable names (:func:`ledger.domain.events.topic_of`: ``ledger.events:CaseClosed``),
not where a class lives today, so stored events and their chain links never change when code
moves.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Mapper, StoredEvent, Transcoder
from pydantic import BaseModel

from ledger.adapters.keys import UNIT_KEY, PersonalCipher
from ledger.domain import events as ev
from ledger.domain.errors import StorageError
from ledger.domain.events import class_of, topic_of

_KEYS = {"originator_id", "originator_version"}


def _aad(stream: UUID | str, version: int) -> bytes:
    return f"{stream}/{version}".encode("ascii")


class JSONBytesTranscoder(Transcoder):
    """Canonical JSON, so equal events give equal bytes (and equal hashes)."""

    def encode(self, obj: Any) -> bytes:
        return _encode(obj).encode()

    def decode(self, data: bytes) -> Any:
        """``json.loads``: through the C scanner when the bytes are one UTF-8 JSON value with nothing
        around it (what :meth:`encode` writes; twice as fast), else ``json.loads`` itself (its errors)."""
        try:
            text = data.decode()
            found, end = _scan(text, 0)
            if end == len(text):
                return found
        except (StopIteration, ValueError):  # not UTF-8, or not JSON from its first byte: json.loads says why
            pass
        return json.loads(data)


#: ``json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``, one encoder for all.
_encode = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode
_scan = json.JSONDecoder().scan_once  # type: ignore[attr-defined]  # the C scanner, not in the stubs


def _decode_canonical(state: bytes) -> Any:
    """``json.loads`` for the stored canonical JSON, without its per-call Python layers (twice as fast).

    The C scanner that ``json.loads`` ends in, called directly: no encoding detection (the state
    is UTF-8), no whitespace skipping (there is none). Only for states this mapper wrote.
    """
    return _scan(state.decode(), 0)[0]


class PydanticMapper(Mapper[Any]):
    """Maps frozen pydantic events to stored events and back, personal fields apart."""

    def __init__(self, transcoder: Transcoder | None = None, compressor: Any = None, cipher: Any = None, *,
                 personal: PersonalCipher | None = None,
                 case_person: Callable[[UUID], UUID | None] | None = None) -> None:
        super().__init__(transcoder or JSONBytesTranscoder(), compressor, cipher)
        self.personal, self._case_person = personal, case_person
        self._persons: dict[UUID, UUID] = {}
        self._stream_texts: dict[UUID | str, str] = {}

    # -- whose key --------------------------------------------------------------------------------------

    def key_of(self, event: Any) -> str:
        """The data key an event's (or snapshot's) personal part is sealed with."""
        if isinstance(event, ev.Snapshot):
            person = event.state.get("person_id")
            return str(person) if person else UNIT_KEY
        stream = getattr(type(event), "stream", None)
        if stream == "person":
            return str(event.originator_id)
        if isinstance(event, ev.CaseActualised):
            self._persons[event.originator_id] = event.person_id
            return str(event.person_id)
        if stream == "case":
            person = self._persons.get(event.originator_id)
            if person is None and self._case_person is not None:
                person = self._case_person(event.originator_id)
                if person is not None:
                    self._persons[event.originator_id] = person
            if person is None:
                raise StorageError(reason="case_without_person")
            return str(person)
        return UNIT_KEY

    def prepare(self, events: Iterable[Any]) -> None:
        """Data keys for every person these events are about, made in one transaction before they are
        sealed (a new person's key is made when their first event is written)."""
        if self.personal is not None:
            self.personal.ring.ensure(self.key_of(e) for e in events if type(e).personal_fields())
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
        private = {k: v for k, v in data.items() if k in personal}
        state: dict[str, Any] = {"s": {k: v for k, v in data.items() if k not in personal}}
        if self.personal is not None and personal:
            key = self.key_of(event)
            self.personal.ring.ensure_one(key)
            plain = self.transcoder.encode(private)
            state["e"] = self.personal.seal(key, plain, _aad(event.originator_id, event.originator_version))  # type: ignore[attr-defined]
        else:
            state["p"] = private
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

    def check_statistical(self, stored_event: StoredEvent) -> None:
        """Validate the statistical part of a stored event as its type's fields (the personal ones
        left out): what ``verify --archive`` can check without keys. Raises on anything invalid."""
        parts = self.transcoder.decode(stored_event.state)
        _statistical_model(class_of(stored_event.topic)).model_validate(parts["s"])

    def personal_part(self, parts: dict[str, Any], stream: UUID | str, version: int) -> dict[str, Any]:
        """The personal fields of a stored state: opened with the person's data key if sealed
        (:class:`ledger.domain.errors.KeyUnavailable` without the key file, ``PersonThinned`` after
        gallring), as they are if stored in the clear."""
        sealed = parts.get("e")
        if sealed is None:
            return parts.get("p", {})  # type: ignore[no-any-return]
        if self.personal is None:
            from ledger.domain.errors import KeyUnavailable

            raise KeyUnavailable(reason="key_missing", file="-")
        text = self._stream_texts.get(stream)
        if text is None:  # a stream's text made once: a replay opens many of its events
            text = self._stream_texts[stream] = str(stream)
        return self.transcoder.decode(self.personal.open(sealed, f"{text}/{version}".encode("ascii")))  # type: ignore[no-any-return]

    def to_domain_event(self, stored_event: StoredEvent, personal: bool = True) -> Any:
        """The event; ``personal=False``: without its personal fields (they keep their defaults), for
        what must be read without a key (the users' stream: who may do what)."""
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
                **(self.personal_part(parts, stored_event.originator_id, stored_event.originator_version)
                   if personal else {}),
                "originator_id": stored_event.originator_id,
                "originator_version": stored_event.originator_version,
            }
        )


_STATISTICAL: dict[type, type[BaseModel]] = {}


def _statistical_model(cls: Any) -> type[BaseModel]:
    """``cls`` without its personal fields (same types, same strictness), made once per class."""
    found = _STATISTICAL.get(cls)
    if found is None:
        from pydantic import create_model

        personal = cls.personal_fields() | _KEYS
        fields: dict[str, Any] = {name: (info.annotation, info) for name, info in cls.model_fields.items()
                                  if name not in personal}
        found = _STATISTICAL[cls] = create_model(f"{cls.__name__}Statistical", __config__=cls.model_config,
                                                 **fields)
    return found
