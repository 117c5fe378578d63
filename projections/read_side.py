"""The read side's answers (:class:`ledger.application.ports.ReadModels`), each after catching up.

Built from the store and the mapper only: the read side consumes stored events, never the write
side. Which reads are case-level, and so logged and masked, is the query layer's business
(:mod:`ledger.application.queries`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

from ledger.adapters.config import describe_url
from ledger.adapters.mapper import PydanticMapper
from ledger.adapters.schema import read_metadata
from ledger.adapters.store import SQLStore
from ledger.domain.errors import InvalidChoice, NotFound
from ledger.projections import all_projections
from ledger.projections.runner import catch_up, rebuild

Progress = Callable[[str, int, int], None]


class ReadSide:
    """Read models over one store; every question first catches the projections up."""

    def __init__(self, store: SQLStore, mapper: PydanticMapper) -> None:
        self.store = store
        self.decode = mapper.state_decoder()
        self.projections = all_projections()
        store.create_tables(read_metadata)  # under the store's lock: several processes may open it at once

    def replace_outdated(self) -> None:
        """The tables of every projection built by another version made again, empty (``ledger init``:
        on PostgreSQL only the owner may; they are replayed on next use)."""
        from ledger.projections.versions import check_versions

        check_versions(self.store, self.projections)

    def catch_up(self, progress: Progress | None = None) -> dict[str, int]:
        return catch_up(self.store, self.decode, self.projections, progress=progress)

    def cases(self, *, today: date, status: str | None = None, recorded_by: str | None = None,
              environment: str | None = None, provider: str | None = None, person: UUID | None = None,
              needs_attention: bool = False, with_attention: bool = True) -> list[dict[str, Any]]:
        """The case overview; filters: status, recorded_by, environment, provider, person (the person's
        id), needs_attention. Without ``with_attention`` a row's ``attention`` is None (unless the filter
        needs it): :meth:`attention` gives it for the rows that are shown."""
        from ledger.projections.case_list import list_cases

        self.catch_up()
        with self.store.read() as conn:
            return list_cases(conn, today=today, status=status, recorded_by=recorded_by, environment=environment,
                              provider=provider, person=person, needs_attention=needs_attention,
                              with_attention=with_attention)

    def case_numbers(self, *, status: str | None = None, recorded_by: str | None = None,
                     environment: str | None = None, provider: str | None = None, person: UUID | None = None,
                     assigned_to: str | None = None) -> list[str]:
        """The case overview's case numbers, newest first, filtered (``assigned_to``: one user's cases)."""
        from ledger.projections.case_list import case_numbers

        self.catch_up()
        with self.store.read() as conn:
            return case_numbers(conn, status=status, recorded_by=recorded_by, environment=environment,
                                provider=provider, person=person, assigned_to=assigned_to)

    def case_rows(self, numbers: list[str]) -> list[dict[str, Any]]:
        """The overview's rows of these cases, in that order (``attention`` None: :meth:`attention`)."""
        from ledger.projections.case_list import case_rows

        with self.store.read() as conn:
            return case_rows(conn, numbers)

    def attention(self, today: date, numbers: list[str]) -> dict[str, list[str]]:
        """The attention reasons of these cases today (a page of the case list), by case number."""
        from ledger.domain.aggregates import case_id
        from ledger.projections.case_list import attention, named_at_most
        from ledger.projections.fetch import stored_id

        ids = {case_id(number): number for number in numbers}
        with self.store.read() as conn:
            few = len(ids) <= min(1_000, named_at_most(conn))
            found = attention(conn, today, only=list(ids) if few else None)  # else all at once
            key = stored_id(conn)
        return {number: found.get(key(uuid), []) for uuid, number in ids.items()}

    def budget(self, year: int, today: date, by: str | None = None) -> dict[str, Any]:
        """Budget consumption for ``year`` (see ``projections/budget.py`` for the definitions)."""
        from ledger.projections.budget import BREAKDOWNS, budget_report

        if by is not None and by not in BREAKDOWNS:
            raise InvalidChoice(field="by", value=by[:20], allowed=", ".join(BREAKDOWNS))
        self.catch_up()
        with self.store.read() as conn:
            return budget_report(conn, year, today, by)

    def stats(self, year: int, today: date, *, with_cases: bool = True) -> dict[str, Any]:
        """The raw yearly follow-up report (suppression is applied on export), with the cases it counts
        (``with_cases``: only the unsuppressed report logs them as read)."""
        from ledger.projections.stats import build, counted_cases

        self.catch_up()
        with self.store.read() as conn:
            return {**build(conn, year, today), "cases": counted_cases(conn, year) if with_cases else []}

    def payments(self, *, case: str | None = None, provider: str | None = None, invoice: str | None = None,
                 since: date | None = None, until: date | None = None) -> list[dict[str, Any]]:
        """Payments with what was reversed of them and what the invoice checks found (``projections/money.py``)."""
        from ledger.projections.money import list_payments

        self.catch_up()
        with self.store.read() as conn:
            return list_payments(conn, case=case, provider=provider, invoice=invoice, since=since, until=until)

    def invoice_paid(self, provider: str, invoice_key: str, *, other_than: UUID) -> bool:
        """Whether another case paid the provider's invoice (not reversed in full): ``payment record``'s check."""
        from ledger.projections.money import invoice_paid

        self.catch_up()
        with self.store.read() as conn:
            return invoice_paid(conn, provider, invoice_key, other_than)

    def setting(self, key: str) -> str | None:
        return self.store.setting(key)

    def projection_names(self, name: str | None = None) -> list[str]:
        names = [p.name for p in self.projections]
        if name is None:
            return names
        if name not in names:
            raise NotFound(kind="projection", ref=name[:32])
        return [name]

    def status(self) -> list[dict[str, Any]]:
        """Position and lag of each projection (without catching up first)."""
        with self.store.read() as conn:
            head = self.store.head(conn)
            return [
                {"name": p.name, "version": p.version, "position": (pos := self.store.position(conn, p.name)),
                 "head": head, "lag": head - pos}
                for p in self.projections
            ]

    def rebuild(self, names: list[str], progress: Progress | None = None) -> dict[str, int]:
        """Wipe the named projections and replay every event into them."""
        chosen = [p for p in self.projections if p.name in names]
        rebuild(self.store, *chosen)
        return catch_up(self.store, self.decode, chosen, progress=progress)

    def info(self) -> dict[str, Any]:
        with self.store.read() as conn:
            head = self.store.head(conn)
            role = self.store.ledger_role(conn)
        return {
            "database": describe_url(self.store.url),
            "backend": self.store.dialect.name,
            "ledger_role": role,
            "events": head,
            "projections": self.catch_up(),
        }
