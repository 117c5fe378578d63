"""What every stored event is: its header, its stored topic, and which of its fields are personal.

The event classes themselves are in :mod:`ledger.domain.events`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, ClassVar, TypedDict
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

Money = Annotated[Decimal, Field(max_digits=15, decimal_places=2, gt=0)]
Text = Annotated[str, Field(max_length=2000)]

#: Stored topics name a class by where it lived when the store was first written (``ledger.events``);
#: they are part of every stored event and of its hash-chain link, so they never follow a move.
TOPIC_MODULE = "ledger.events"
_TOPICS: dict[type, str] = {}
_CLASSES: dict[str, type] = {}


def register_topic(cls: type, topic: str) -> None:
    """Give ``cls`` its stored topic (done once per class, at definition)."""
    _TOPICS[cls] = topic
    _CLASSES[topic] = cls


def topic_of(cls: type) -> str:
    """The stored topic of an event, snapshot or state class."""
    return _TOPICS[cls]


def class_of(topic: str) -> type:
    """The class a stored topic names; ``KeyError`` for a topic the ledger does not know."""
    return _CLASSES[topic]


def personal(default: Any = None) -> Any:
    """Declare a field as personal data (kept apart from statistical fields when stored)."""
    return Field(default=default, json_schema_extra={"personal": True})


class Header(TypedDict):
    """The fields every event begins with: where it sits, and who recorded what day when."""

    originator_id: UUID
    originator_version: int
    recorded_at: datetime
    recorded_by: str
    occurred_on: date
    note: str | None


@dataclass(frozen=True)
class Recording:
    """The frame of a new entry: when it is recorded, by whom (with which roles), about which day,
    with which note.

    ``today`` is the unit's date when it is recorded (the rules refuse dates after it); ``roles``
    are the recording user's, for the few rules that depend on who decides.
    """

    at: datetime
    by: str
    on: date
    today: date
    note: str | None = None
    roles: frozenset[str] = frozenset()

    def header(self, stream: UUID, version: int, *, with_note: bool = True) -> Header:
        return Header(originator_id=stream, originator_version=version, recorded_at=self.at, recorded_by=self.by,
                      occurred_on=self.on, note=self.note if with_note else None)


class Event(BaseModel):
    """Base of every stored event."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    stream: ClassVar[str] = "case"

    originator_id: UUID
    originator_version: int
    recorded_at: datetime
    recorded_by: str
    occurred_on: date
    note: Text | None = personal()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        register_topic(cls, f"{TOPIC_MODULE}:{cls.__name__}")

    @property
    def timestamp(self) -> datetime:
        """eventsourcing's name for the system time of the event."""
        return self.recorded_at

    @classmethod
    def personal_fields(cls) -> frozenset[str]:
        """Names of the fields that hold personal data."""
        found: frozenset[str] | None = cls.__dict__.get("_personal")
        if found is None:
            found = frozenset(
                name
                for name, info in cls.model_fields.items()
                if isinstance(info.json_schema_extra, dict) and info.json_schema_extra.get("personal")
            )
            cls._personal = found  # type: ignore[attr-defined]
        return found


class Snapshot(BaseModel):
    """State of an aggregate at a version, to shorten replays of long streams.

    ``topic`` names the state's class *and its shape* (``ledger.case:CaseState/2``): a snapshot of
    an older shape is not used (the stream is folded from its first event instead).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    originator_id: UUID
    originator_version: int
    recorded_at: datetime
    topic: str
    state: dict[str, Any]

    @property
    def timestamp(self) -> datetime:
        return self.recorded_at

    @classmethod
    def personal_fields(cls) -> frozenset[str]:
        # A snapshot may hold anything its aggregate holds; keep it all on the personal side.
        return frozenset({"state"})


register_topic(Snapshot, f"{TOPIC_MODULE}:Snapshot")


