"""What a projection is: a name, a version, its tables, and a handler per event class it reads.

A handler gets the event's *fact*: not a pydantic event but the event's statistical part as stored
(``"s"`` of the canonical JSON, see ``ledger/adapters/mapper.py``), plus ``originator_id`` and
``originator_version``: the read side never needs the personal fields, and the stored state was
validated when it was written. Values keep their stored form — dates as ISO text, amounts as
decimal strings, codes as strings — and ids the driver's form. A handler must not change the
fact, which the next projection gets too.

Handlers are registered by event class::

    class Money(Projection):
        name, version, tables = "money", 3, (...)

    @Money.on(ev.BudgetSet)
    def _budget_set(unit: Unit, e: Fact) -> None: ...
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from sqlalchemy import Connection, Table, delete

from ledger.domain import events as ev
from ledger.projections.rows import Unit

#: What a handler receives (see the module's docstring).
Fact = dict[str, Any]
Handler = Callable[[Unit, Fact], None]


class Projection:
    """Base class: subclasses set ``name``, ``version`` and ``tables``, and register handlers with :meth:`on`."""

    name: ClassVar[str]
    version: ClassVar[int] = 1
    tables: ClassVar[tuple[Table, ...]] = ()
    #: What a replay of the projection costs, relatively (seconds per 100 000 demo events, measured
    #: on one machine): projections are grouped by it to catch up in parallel processes.
    weight: ClassVar[float] = 1.0
    handlers: ClassVar[dict[type[ev.Event], Handler]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.handlers = {}

    @classmethod
    def on(cls, *event_classes: type[ev.Event]) -> Callable[[Handler], Handler]:
        """Register the decorated function as the handler of these event classes."""

        def register(handler: Handler) -> Handler:
            for event_class in event_classes:
                cls.handlers[event_class] = handler
            return handler

        return register

    @property
    def topics(self) -> tuple[str, ...]:
        """The stored topics of the events this projection reads."""
        return tuple(ev.topic_of(cls) for cls in self.handlers)

    def handler(self, topic: str) -> Handler | None:
        try:
            return self.handlers.get(ev.class_of(topic))
        except KeyError:
            return None

    def reset(self, conn: Connection) -> None:
        for table in reversed(self.tables):
            conn.execute(delete(table))
