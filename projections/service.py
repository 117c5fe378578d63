"""What the reading commands ask for, answered from projections and case streams."""

from __future__ import annotations

from typing import Any

from ledger.application import Ledger
from ledger.projections import all_projections
from ledger.projections.base import catch_up, ensure_tables
from ledger.projections.case_list import list_cases
from ledger.projections.case_view import case_view
from ledger.store import describe_url


class ReadSide:
    """Read models over one ledger; every question first catches the projections up."""

    def __init__(self, app: Ledger) -> None:
        self.app = app
        self.store = app.store
        self.projections = all_projections()  # importing them registers their tables
        ensure_tables(self.store)

    def catch_up(self, progress: Any = None) -> dict[str, int]:
        return catch_up(self.store, self.app.mapper, self.projections, progress=progress)

    def cases(self, **filters: Any) -> list[dict[str, Any]]:
        """The case overview; filters: status, recorded_by, environment, provider, needs_attention."""
        from ledger.clock import today

        self.catch_up()
        with self.store.read() as conn:
            rows = list_cases(conn, today=today(), **filters)
        return [
            {
                "case": r["case_number"],
                "status": r["status"],
                "opened_on": r["opened_on"].isoformat(),
                "closed_on": r["closed_on"].isoformat() if r["closed_on"] else None,
                "environment": r["environment"],
                "referral_source": r["referral_source"],
                "protection_level": r["protection_level"],
                "opened_by": r["opened_by"],
                "last_recorded_by": r["last_recorded_by"],
                "last_occurred_on": r["last_occurred_on"].isoformat(),
                "running_interventions": r["running"],
                "threat_review_on": r["threat_review_on"].isoformat() if r["threat_review_on"] else None,
                "attention": r["attention"],
                "event_count": r["event_count"],
            }
            for r in rows
        ]

    def case(self, number: str) -> dict[str, Any]:
        return case_view(self.app.get_case(number))

    def case_log(self, number: str) -> list[dict[str, Any]]:
        """The case's events, oldest first, without the personal fields."""
        entries = []
        for event in self.app.case_events(number):
            personal = type(event).personal_fields()
            skip = personal | {"originator_id", "originator_version", "recorded_at", "recorded_by", "occurred_on"}
            # JSON mode already gives amounts as decimal strings and dates as ISO text.
            details = {
                k: v for k, v in event.model_dump(mode="json", exclude=skip).items() if v is not None and v is not False
            }
            entries.append(
                {
                    "entry": event.originator_version,
                    "type": type(event).__name__,
                    "occurred_on": event.occurred_on.isoformat(),
                    "recorded_at": event.recorded_at.isoformat(timespec="seconds"),
                    "recorded_by": event.recorded_by,
                    "details": details,
                    "has_note": bool(event.note),
                }
            )
        return entries

    def budget(self, year: int, by: str | None = None) -> dict[str, Any]:
        """Budget consumption for ``year`` (see ``projections/budget.py`` for the definitions)."""
        from ledger.clock import today
        from ledger.projections.budget import budget_report

        self.catch_up()
        with self.store.read() as conn:
            return budget_report(conn, year, today(), by)

    def stats(self, year: int) -> dict[str, Any]:
        """The raw yearly follow-up report (suppression is applied on export)."""
        from ledger.clock import today
        from ledger.projections.stats import build

        self.catch_up()
        with self.store.read() as conn:
            return build(conn, year, today())

    def municipality(self) -> str | None:
        return self.store.meta("municipality")

    def projection_names(self, name: str | None = None) -> list[str]:
        names = [p.name for p in self.projections]
        if name is None:
            return names
        if name not in names:
            from ledger.errors import NotFound

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

    def rebuild(self, names: list[str], progress: Any = None) -> dict[str, int]:
        """Wipe the named projections and replay every event into them."""
        from ledger.projections.base import rebuild

        chosen = [p for p in self.projections if p.name in names]
        rebuild(self.store, *chosen)
        return catch_up(self.store, self.app.mapper, chosen, progress=progress)

    def info(self) -> dict[str, Any]:
        with self.store.read() as conn:
            head = self.store.head(conn)
        return {
            "database": describe_url(self.store.url),
            "backend": self.store.dialect,
            "events": head,
            "projections": self.catch_up(),
        }
