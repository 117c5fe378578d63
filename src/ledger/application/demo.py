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
from datetime import date, timedelta
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
    for i in range(cases):
        worker, opened = rng.choice(WORKERS), start + timedelta(days=rng.randrange((end - start).days + 1))
        identity = people.pick(opened, "samordningsnummer" if i in coordination else "personnummer")
        protection = rng.choice(("protected_registration", "fictitious_identity")) if i in protected else "none"
        intake(plan, Case(worker, opened, int(identity[:4]), protected_identity=protection != "none"), identity,
               protection, providers)
    with app:
        for n, step in enumerate(sorted(plan.steps, key=lambda s: (s[0], s[1])), start=1):
            _execute(app, *step)
            if n % FLUSH_EVERY == 0:
                app.flush()
    return {"cases": cases, "events": app.event_count(), "municipality": municipality, "seed": seed}


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


def _execute(app: BatchLedger, day: date, _: int, user: str, command: str, case: Case | None, args: tuple[Any, ...],
             kw: dict[str, Any], save: str) -> None:
    app.act_as(user, day)
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
