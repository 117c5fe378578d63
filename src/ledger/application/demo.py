"""Synthetic demo data: a plausible avhoppar unit, recorded through the ledger's own commands.

Each case is planned as a story in business time (actualisation → preliminary assessment →
investigation → decision → placements and services with monthly invoices → follow-up → closure),
with drop-outs at every step; steps dated after today are left out, so recent cases still run.
The steps of all cases are then replayed in date order through the public commands of a
:class:`~ledger.application.batch.BatchLedger`, so every rule is checked as for a case worker.
Identity numbers are Skatteverket's test numbers only. The same seed, arguments and today give
the same events. A store that already holds the demo's providers is refused (nothing stored).
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from ledger.application.batch import BatchLedger
from ledger.application.demo_plan import (
    ECONOMIST,
    FLUSH_EVERY,
    MANAGER,
    PROVIDERS,
    WORKERS,
    Case,
    People,
    Plan,
    Ref,
)
from ledger.application.demo_story import intake
from ledger.domain.clock import LOCAL
from ledger.domain.errors import InputError


def generate(app: BatchLedger, *, cases: int = 30, years: int = 2, seed: int = 1,
             municipality: str = "Demokommun") -> dict[str, Any]:
    """Fill the store (a training store, see :func:`demo_users`) with a unit of ``cases`` cases opened
    over the last ``years`` years, each step recorded by the demo user whose role it is."""
    if cases < 0 or years < 1:
        raise InputError(field="cases" if cases < 0 else "years", reason="range")
    demo_users(app)
    rng, end = random.Random(seed), app.clock.today()
    start, plan = end - timedelta(days=round(365.25 * years)), Plan(rng, end)
    providers = _providers(plan, start, municipality)
    _budgets(plan, start, end, cases / years)
    people = People(rng, end)
    protected = set(rng.sample(range(cases), min(cases, 1 if cases < 10 else 2)))
    coordination = set(rng.sample(range(cases), min(cases, max(1, round(cases * 0.05)))))
    skipped = 0
    for i in range(cases):
        worker, opened = rng.choice(WORKERS), start + timedelta(days=rng.randrange((end - start).days + 1))
        identity = people.pick(opened, "samordningsnummer" if i in coordination else "personnummer")
        if identity is None:  # everyone in the test numbers has an open case that day: no case this time
            skipped += 1
            continue
        protection = rng.choice(("protected_registration", "fictitious_identity")) if i in protected else "none"
        case = Case(worker, opened, int(identity[:4]), protected_identity=protection != "none")
        intake(plan, case, identity, protection, providers)
        people.opened(identity, case)
    times = RecordingTimes(random.Random(seed * 7919 + 1), app.clock.now())
    with app:
        for n, step in enumerate(sorted(plan.steps, key=lambda s: (s[0], s[1])), start=1):
            day, order, user, command, case, args, kw, save = step
            _execute(app, day, order, user, command, case, args, kw, save, at=times.next(day, command))
            if n % FLUSH_EVERY == 0:
                app.flush()
    return {"cases": cases - skipped, "events": app.event_count(), "municipality": municipality, "seed": seed}


#: The demo unit's people and their roles: case workers, a manager, an economist.
DEMO_USERS = {**{worker: ("handläggare",) for worker in WORKERS}, MANAGER: ("arbetsledare",),
              ECONOMIST: ("ekonom",)}


def demo_users(app: BatchLedger) -> None:
    """Register the demo's people, once (the store's administrator adds them, as in a real unit)."""
    state = app.users_state()
    for name, roles in DEMO_USERS.items():
        if state is None or name not in state.users:
            app.add_user(name, roles)
    app.flush()


class RecordingTimes:
    """When each demo entry would have been recorded: in office hours on the day it happened, the
    day's entries in order; a contact note, a follow-up or an invoice sometimes days or weeks later
    (nothing depends on those, so the case still reads right at any moment); never after ``now``."""

    #: Entries a worker may write up late; the rest are recorded the day they happen.
    LATE_KINDS = frozenset({"record_contact", "record_followup", "record_payment"})

    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng, self.now = rng, now
        self.day: date | None = None
        self.minutes = 0

    def next(self, day: date, command: str) -> datetime:
        if day != self.day:
            self.day, self.minutes = day, self.rng.randint(0, 45)
        self.minutes += self.rng.randint(2, 12)
        delay = 0
        if command in self.LATE_KINDS:
            draw = self.rng.random()
            delay = self.rng.randint(1, 7) if draw < 0.17 else self.rng.randint(15, 45) if draw > 0.92 else 0
        moment = datetime.combine(day + timedelta(days=delay), time(8, 0), LOCAL) + timedelta(
            minutes=min(self.minutes, 540) + (self.rng.randint(0, 420) if delay else 0))
        return min(moment, self.now)


def _execute(app: BatchLedger, day: date, _: int, user: str, command: str, case: Case | None, args: tuple[Any, ...],
             kw: dict[str, Any], save: str, at: datetime | None = None) -> None:
    app.act_as(user, day, at)
    if case is not None:
        args = tuple(case.ids[a.key] if isinstance(a, Ref) else a for a in args)
        kw = {k: case.ids[v.key] if isinstance(v, Ref) else v for k, v in kw.items()}
        args = args if command == "open_case" else (case.number, *args)
    result = getattr(app, command)(*args, on=day, **kw)
    if case is not None and save:
        case.ids[save] = result
        case.number = case.number or result


# -- the unit ------------------------------------------------------------------------------------


def _providers(plan: Plan, start: date, municipality: str) -> dict[str, list[str]]:
    """Register 6-10 providers before the first case; verify their permits every year."""
    rng = plan.rng
    offers: dict[str, list[str]] = {}
    for code, name, interventions in PROVIDERS[:6] + tuple(rng.sample(PROVIDERS[6:], rng.randint(0, 4))):
        day = start - plan.days(30, 60)
        plan.add(day, "add_provider", None, code, name=name.format(municipality), own_operation=code == "EGEN")
        while day <= plan.today:
            day += plan.days(0, 14)
            plan.add(day, "verify_permit", None, code, valid_until=day + timedelta(days=730),
                     reference=f"IVO 3.5.1-{rng.randint(10000, 99999)}/{day.year}")
            day += plan.days(330, 365)
        for intervention in interventions:
            offers.setdefault(intervention, []).append(code)
    return offers


def _budgets(plan: Plan, start: date, end: date, per_year: float) -> None:
    """About 7 000 000 kr a year (more for a larger unit), set in December, sometimes adjusted."""
    rng, scale = plan.rng, max(1.0, per_year / 15)
    for year in range(start.year, end.year + 1):
        amount = Decimal(round(7_000_000 * scale * rng.uniform(0.9, 1.1), -4))
        plan.add(date(year - 1, 12, rng.randint(5, 20)), "set_budget", None, year, amount, user=ECONOMIST)
        if rng.random() < 0.4:
            delta = round(rng.randrange(200_000, 1_000_001, 50_000) * scale, -4)
            plan.add(date(year, rng.randint(4, 10), rng.randint(1, 28)), "adjust_budget", None, year,
                     f"{'+' if rng.random() < 0.7 else '-'}{delta:.0f}", user=ECONOMIST)
