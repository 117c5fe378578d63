"""Synthetic demo data: a plausible avhoppar unit, recorded through the ledger's own commands.

Each case is planned as a story in business time (actualisation → preliminary assessment →
investigation → decision → placements and services with monthly invoices → follow-up → closure),
with drop-outs at every step; steps dated after today are left out, so recent cases still run.
The steps of all cases are then replayed in date order through the public commands of
:class:`~ledger.application.Ledger` inside ``app.batch()``, so every rule is checked as for a case
worker. Identity numbers are Skatteverket's test numbers only. The same seed, arguments and today
give the same events. A store that already holds the demo's providers is refused (nothing stored).
"""

from __future__ import annotations

import calendar
import json
import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from importlib import resources
from typing import Any, NamedTuple

from ledger.application import Ledger
from ledger.clock import today as clock_today
from ledger.errors import InputError, InvalidIdentityNumber
from ledger.identity import parse_identity

WORKERS = ("anna.l", "omar.k", "sara.b", "johan.e", "leila.m", "mikael.s", "fatima.h", "erik.n")
MANAGER, ECONOMIST = "karin.ec", "nils.ekonomi"
FLUSH_EVERY = 2000  # commands per write transaction
#: code, name, interventions; the first six always, 0-4 of the others
PROVIDERS = (
    ("SKYDD1", "Exempel Skyddat Boende Nord AB", ("protected_housing",)), ("HVB1", "Exempelgården HVB", ("hvb",)),
    ("BOSTOD", "Exempel Stödboende och Träningslägenheter AB", ("training_flat", "supported_housing")),
    ("COACH1", "Exempel Avhopparcoachning AB", ("defector_coach",)),
    ("ENTRE", "Exempel Livsstilsprogram AB", ("programme",)), ("EGEN", "{} egen regi", ("contact_person",)),
    ("SKYDD2", "Exempel Trygghetsboende Syd AB", ("protected_housing", "supported_housing")),
    ("HVB2", "Exempel Behandlingshem AB", ("hvb", "addiction_treatment")),
    ("ARBETE", "Exempel Arbetsträning AB", ("work_training",)),
    ("COACH2", "Exempel Mentorskap AB", ("defector_coach",)),
)
DAILY_PRICE = {"protected_housing": (3800, 4800), "hvb": (3200, 4500), "training_flat": (2500, 3200),
               "supported_housing": (2600, 3600)}
#: service: (share of granted cases, price unit, price range)
SERVICES = {"addiction_treatment": (0.1, "month", (20000, 40000)), "contact_person": (0.35, "month", (3000, 6000)),
            "defector_coach": (0.6, "month", (18000, 32000)), "programme": (0.3, "once", (20000, 45000)),
            "work_training": (0.2, "month", (8000, 15000))}
SOURCES = {"police": 30, "probation": 18, "sis": 8, "social_services": 14, "self": 15, "relative": 8,
           "civil_society": 7}
NO_INVESTIGATION = {"no_consent": "declined", "not_motivated": "declined", "not_reached": "other",
                    "other_municipality": "moved", "serious_crime": "other"}  # reason: closure reason
CLOSE_AFTER = {"planned": ("goals_met", "goals_met", "goals_met", "no_need"), "moved": ("moved",),
               "broken_off": ("broken_off", "relapse", "declined"), "threat": ("other", "goals_met"),
               "other": ("other", "no_need")}  # how the last placement ended: closure reasons


class Ref(NamedTuple):
    """An id known only when the plan runs (decision, placement, service or payment)."""

    key: str


@dataclass
class Case:
    worker: str
    opened: date
    born: int
    number: str = ""
    ids: dict[str, str] = field(default_factory=dict)
    last: date = date.min  # the latest step planned so far; closure comes after it
    consents: dict[str, tuple[date, date | None, date | None]] = field(default_factory=dict)  # granted, until, revoke
    review: date = date.max  # next threat review by the Police
    protection: bool = False
    criteria_met: bool = False


class Plan:
    """Steps to replay in date order; steps after today are dropped."""

    def __init__(self, rng: random.Random, today: date) -> None:
        self.rng, self.today, self.serial = rng, today, 0
        self.steps: list[tuple[Any, ...]] = []

    def add(self, day: date, command: str, case: Case | None, *args: Any, user: str = "", save: str = "",
            **kw: Any) -> None:
        if case is not None:
            case.last = max(case.last, day)
            # mostly the case's own worker, now and then a colleague
            user = user or (case.worker if self.rng.random() < 0.85 else self.rng.choice(WORKERS))
        if day <= self.today:
            self.steps.append((day, len(self.steps), user or MANAGER, command, case, args, kw, save))

    def days(self, low: int, high: int) -> timedelta:
        return timedelta(days=self.rng.randint(low, high))

    def key(self, prefix: str) -> str:
        self.serial += 1
        return f"{prefix}{self.serial}"


class People:
    """Skatteverket's test numbers by birth year, each handed out once while they last."""

    def __init__(self, rng: random.Random) -> None:
        data = json.loads((resources.files("ledger") / "data" / "testdata_identities.json").read_text("utf-8"))
        self.rng, self.used, self.pools = rng, [], {}
        for kind in ("personnummer", "samordningsnummer"):
            self.pools[kind] = by_year = {}
            for number in data[kind]:
                by_year.setdefault(int(number[:4]), []).append(number)
            for numbers in by_year.values():
                rng.shuffle(numbers)

    def pick(self, opened: date, kind: str) -> str:
        """Someone aged 15-45 at opening, mostly around 20, while any are left."""
        target, ages = opened.year - round(self.rng.triangular(15, 45, 20)), range(opened.year - 45, opened.year - 15)
        for pool in (self.pools[kind], self.pools["personnummer"], self.pools["samordningsnummer"]):
            while years := sorted((y for y in pool if pool[y]), key=lambda y: (y not in ages, abs(y - target), y)):
                number = pool[years[0]].pop()
                try:  # skip any the ledger refuses (older versions refused month 00, day 60, 30 February)
                    parse_identity(number)
                except InvalidIdentityNumber:
                    continue
                self.used.append(number)
                return number
        return self.rng.choice(self.used)  # every number used: someone is actualised again


def generate(app: Ledger, *, cases: int = 30, years: int = 2, seed: int = 1, municipality: str = "Demokommun") -> dict:
    """Fill the store with a unit of ``cases`` cases opened over the last ``years`` years."""
    if cases < 0 or years < 1:
        raise InputError(field="cases" if cases < 0 else "years", reason="range")
    rng, end = random.Random(seed), clock_today()
    start, plan = end - timedelta(days=round(365.25 * years)), Plan(rng, end)
    providers = _providers(plan, start, municipality)
    _budgets(plan, start, end, cases / years)
    people = People(rng)
    protected = set(rng.sample(range(cases), min(cases, 1 if cases < 10 else 2)))
    coordination = set(rng.sample(range(cases), min(cases, max(1, round(cases * 0.05)))))
    for i in range(cases):
        worker, opened = rng.choice(WORKERS), start + timedelta(days=rng.randrange((end - start).days + 1))
        identity = people.pick(opened, "samordningsnummer" if i in coordination else "personnummer")
        protection = rng.choice(("protected_registration", "fictitious_identity")) if i in protected else "none"
        _intake(plan, Case(worker, opened, int(identity[:4])), identity, protection, providers)
    with app.batch():
        for n, step in enumerate(sorted(plan.steps, key=lambda s: (s[0], s[1])), start=1):
            _execute(app, *step)
            if n % FLUSH_EVERY == 0:
                app.flush()
    return {"cases": cases, "events": app.event_count(), "municipality": municipality, "seed": seed}


def _execute(app: Ledger, day: date, _: int, user: str, command: str, case: Case | None, args: tuple[Any, ...],
             kw: dict[str, Any], save: str) -> None:
    app.user = user
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
    rng, offers = plan.rng, {}
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
        plan.add(date(year - 1, 12, rng.randint(5, 20)), "set_budget", None, year, amount)
        if rng.random() < 0.4:
            delta = round(rng.randrange(200_000, 1_000_001, 50_000) * scale, -4)
            plan.add(date(year, rng.randint(4, 10), rng.randint(1, 28)), "adjust_budget", None, year,
                     f"{'+' if rng.random() < 0.7 else '-'}{delta:.0f}")


# -- intake and investigation ---------------------------------------------------------------------


def _intake(plan: Plan, case: Case, identity: str, protection: str, offers: dict[str, list[str]]) -> None:
    """Actualisation and preliminary assessment; about a quarter stop here."""
    rng = plan.rng
    environment = rng.choices(("criminal", "violent_extremist", "honour"), (80, 8, 12))[0]
    woman = 0.7 if environment == "honour" else 0.15
    gender = rng.choices(("woman", "man", "other", "unknown"), (woman, 0.97 - woman, 0.01, 0.02))[0]
    source = rng.choices(list(SOURCES), list(SOURCES.values()))[0]
    kind = "application" if source == "self" else "report" if source in ("police", "probation", "sis") else "other"
    plan.add(case.opened, "open_case", case, identity, gender=gender, environment=environment, source=source,
             actualisation_type=kind, protection=protection, birth_year=case.born, user=case.worker, save="number")
    day, roll = case.opened + plan.days(2, 14), rng.random()
    if roll < 0.08:  # never assessed: not reached, or declined before the assessment
        return _close(plan, case, day + plan.days(20, 60), "declined", helped=False)
    if roll < 0.25:
        reason = rng.choice(list(NO_INVESTIGATION))
        plan.add(day, "record_assessment", case, "no_investigation", reason)
        return _close(plan, case, day + plan.days(1, 10), NO_INVESTIGATION[reason], helped=False)
    plan.add(day, "record_assessment", case, "investigate", "needs_support")
    plan.add(day, "open_investigation", case)
    _investigation(plan, case, day, source, offers)


def _consent(plan: Plan, case: Case, recipient: str, day: date, provider: str | None = None) -> None:
    """Consent, sometimes for a year only; some (not the Police's or a provider's) are revoked later."""
    until = day + timedelta(days=365) if plan.rng.random() < 0.2 else None
    revoke = day + plan.days(20, 300) if not provider and recipient != "police" and plan.rng.random() < 0.15 else None
    case.consents[f"provider:{provider}" if provider else recipient] = (day, until, revoke)
    plan.add(day, "grant_consent", case, recipient, provider=provider, valid_until=until,
             purpose="Samverkan kring stöd och skydd", form="written" if plan.rng.random() < 0.85 else "oral")


def _share(plan: Plan, case: Case, recipient: str, day: date, what: str, provider: str | None = None) -> None:
    """Share information only where consent is active that day."""
    granted, until, revoke = case.consents.get(f"provider:{provider}" if provider else recipient, (None,) * 3)
    if granted and granted <= day and (until is None or day <= until) and (revoke is None or day < revoke):
        plan.add(day, "record_share", case, recipient, what=what, provider=provider)


def _investigation(plan: Plan, case: Case, day: date, source: str, offers: dict[str, list[str]]) -> None:
    """Consents, the Police's threat assessment and the investigation; some are denied."""
    rng, granted = plan.rng, day + plan.days(0, 7)
    for recipient, share in (("police", 1), ("region", 0.6), ("relatives", 0.35), ("probation", 0.3), ("sis", 0.1)):
        if rng.random() < share or recipient == source:
            _consent(plan, case, recipient, granted)
    threat = granted + plan.days(5, 30)
    _share(plan, case, "police", threat - plan.days(1, 4), "Underlag för hotbildsbedömning")
    level = rng.choices(("none", "low", "medium", "high", "very_high"), (5, 20, 35, 30, 10))[0]
    case.protection = level in ("high", "very_high") or rng.random() < 0.15
    case.criteria_met, case.review = level != "none" and rng.random() < 0.8, threat + plan.days(90, 180)
    plan.add(threat, "record_threat", case, unit=rng.choices(("local_police", "regional_coordinator", "noa"),
             (40, 50, 10))[0], level=level, protection_needed=case.protection, criteria_met=case.criteria_met,
             review_on=case.review)
    done = max(day + plan.days(21, 90), threat)
    urgent = granted + plan.days(1, 10) if case.protection and rng.random() < 0.35 else None
    plan.add(done, "complete_investigation", case)
    if urgent is None and rng.random() < 0.13:
        plan.add(done, "record_decision", case, outcome="denied", intervention="hvb", save="denied")
        if rng.random() < 0.3:
            plan.add(done + plan.days(5, 20), "change_decision_status", case, Ref("denied"), "appealed")
        return _close(plan, case, done + plan.days(21, 40), rng.choice(("no_need", "declined")), helped=False)
    _interventions(plan, case, done, urgent, offers)


# -- decisions and interventions ------------------------------------------------------------------


def _interventions(plan: Plan, case: Case, decided: date, urgent: date | None, offers: dict[str, list[str]]) -> None:
    """Granted: placements (most), services, threat reviews, follow-ups, relatives, children; then closure."""
    rng, reason, end = plan.rng, "planned", decided + plan.days(120, 540)  # services only, unless placed
    if urgent or rng.random() < 0.85:
        kinds = ["protected_housing"] if case.protection else ["hvb", "training_flat", "supported_housing"]
        at, start = decided, urgent or decided + plan.days(0, 14)
        for _ in range(2):  # a second placement after a move or a new threat
            kind = "protected_housing" if reason == "threat" else rng.choice(kinds)
            end, reason = _placement(plan, case, kind, rng.choice(offers[kind]), at, start, urgent)
            if reason not in ("moved", "threat") or rng.random() < 0.4:
                break
            at, start, urgent = end, end, None
    for service, (share, unit, (low, high)) in SERVICES.items():
        if service in offers and rng.random() < share:
            price = Decimal(rng.randrange(low, high + 1, 500))
            _service(plan, case, service, rng.choice(offers[service]), price, unit, decided, end)
    while case.review < end:
        day = case.review + plan.days(-10, 20)
        case.review = day + plan.days(90, 180)
        plan.add(day, "record_threat", case, unit=rng.choice(("local_police", "regional_coordinator")),
                 level=rng.choice(("low", "medium", "medium", "high")), protection_needed=case.protection,
                 criteria_met=case.criteria_met, review_on=case.review)
    for day in _every(decided + plan.days(150, 210), end, 180):
        plan.add(day, "record_followup", case, time_point="during", **_outcome(rng, 0.5))
    if rng.random() < 0.3:
        plan.add(decided + plan.days(0, 60), "record_relative", case, rng.choice(("parent", "partner", "sibling",
                 "child", "other")))
    for _ in range(rng.randint(1, 3) if rng.random() < 0.25 and case.born + 18 <= case.opened.year else 0):
        plan.add(decided + plan.days(0, 30), "record_child", case,
                 birth_year=rng.randint(max(case.born + 18, case.opened.year - 17), case.opened.year))
    _close(plan, case, max(case.last, end) + plan.days(0, 14), rng.choice(CLOSE_AFTER[reason]), helped=True)


def _placement(plan: Plan, case: Case, kind: str, provider: str, decided: date, start: date,
               urgent: date | None) -> tuple[date, str]:
    """A placement: decision (after the start if urgent), a new decision every half year, end, invoices."""
    rng, key, decision = plan.rng, plan.key("p"), plan.key("d")
    price = Decimal(rng.randrange(*DAILY_PRICE[kind], 50))
    total = timedelta(days=min(max(int(rng.lognormvariate(math.log(420), 0.6)), 30), 1000))
    end, planned = max(start + total, decided + timedelta(days=30)), decided + timedelta(days=180)
    placement, prices = {"provider": provider, "intervention": kind, "daily_price": price}, [(start, price)]
    if urgent:
        plan.add(start, "start_placement", case, urgent=True, save=key, **placement)
    plan.add(decided, "record_decision", case, outcome="granted", intervention=kind, period_start=start,
             period_end=planned, daily_price=price, save=decision)
    if urgent:
        plan.add(decided, "extend_placement", case, Ref(key), planned_end=planned, decision=Ref(decision))
    else:
        plan.add(start, "start_placement", case, planned_end=planned, decision=Ref(decision), save=key, **placement)
    _consent(plan, case, "provider", start - plan.days(0, 3), provider)
    _share(plan, case, "provider", start, "Genomförandeplan och hotbild", provider)
    _share(plan, case, "region", start + plan.days(7, 40), "Vårdbegäran")
    while planned < end:
        day, new_end, decision = planned - plan.days(7, 21), planned + timedelta(days=180), plan.key("d")
        raised = (price * Decimal("1.03")).quantize(Decimal(1)) if rng.random() < 0.3 else None  # indexation
        price = raised or price
        plan.add(day, "record_decision", case, outcome="granted", intervention=kind, daily_price=price,
                 period_start=planned + timedelta(days=1), period_end=new_end, save=decision)
        plan.add(day, "extend_placement", case, Ref(key), planned_end=new_end, daily_price=raised,
                 decision=Ref(decision))
        prices.append((planned + timedelta(days=1), price))
        planned = new_end
    reason = rng.choices(("planned", "broken_off", "moved", "threat", "other"), (60, 15, 10, 8, 7))[0]
    plan.add(end, "end_placement", case, Ref(key), reason=reason)
    _invoices(plan, case, provider, start, end, _cost(prices), placement=Ref(key))
    if case.criteria_met and rng.random() < 0.6:  # state money, once the Police have a defector case
        ref, applied = f"A{rng.randint(100000, 999999)}-{start:%y}", max(start, decided) + plan.days(20, 60)
        amount = Decimal(round(float(prices[0][1]) * 180 * rng.uniform(0.3, 0.7), -3))
        plan.add(applied, "apply_grant", case, reference=ref, amount=amount, period_start=start,
                 period_end=start + timedelta(days=179))
        outcome = rng.choices(("granted", "partly_granted", "denied"), (60, 30, 10))[0]
        plan.add(applied + plan.days(30, 90), "decide_grant", case, reference=ref, outcome=outcome,
                 amount={"granted": amount, "partly_granted": amount * Decimal("0.6")}.get(outcome))
    return end, reason


def _service(plan: Plan, case: Case, service: str, provider: str, price: Decimal, unit: str, decided: date,
             until: date) -> None:
    """A non-residential intervention with its decision, invoiced unless run by the municipality itself."""
    key, decision, start = plan.key("s"), plan.key("d"), decided + plan.days(3, 30)
    end = min(start + plan.days(90, 540), max(until, start + timedelta(days=30)))
    plan.add(decided, "record_decision", case, outcome="granted", intervention=service, period_start=decided,
             period_end=end + timedelta(days=60), ceiling=price * (12 if unit == "month" else 1), save=decision)
    plan.add(start, "start_service", case, provider=provider, intervention=service, price=price, price_unit=unit,
             decision=Ref(decision), save=key)
    plan.add(end, "end_service", case, Ref(key))
    if provider != "EGEN":  # the municipality's own operation sends no invoices
        once = unit == "once"
        _invoices(plan, case, provider, start, start + timedelta(days=1) if once else end,
                  (lambda *_: price) if once else _cost([(start, price)], monthly=True), service=Ref(key))


# -- money ----------------------------------------------------------------------------------------


def _invoices(plan: Plan, case: Case, provider: str, start: date, end: date, cost: Any, **item: Ref) -> None:
    """An invoice per calendar month of days [start, end), paid a few days after the month (or the end)."""
    first = start
    while first < end:
        month_end = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        last, key = min(month_end, end - timedelta(days=1)), plan.key("b")
        amount, paid = cost(first, last), (month_end if last == month_end else end) + plan.days(3, 12)
        plan.add(paid, "record_payment", case, amount, period_start=first, period_end=last, user=ECONOMIST,
                 invoice=f"{provider}-{paid:%y%m}-{plan.rng.randint(100, 999)}", save=key, **item)
        if plan.rng.random() < 0.04:  # e.g. days charged after discharge
            back = min(amount, cost(last, last) * plan.rng.randint(1, 3))
            plan.add(paid + plan.days(10, 45), "reverse_payment", case, Ref(key), amount=back, user=ECONOMIST)
        first = month_end + timedelta(days=1)


def _cost(prices: list[tuple[date, Decimal]], *, monthly: bool = False) -> Any:
    """Cost of the days [first, last] within a month at prices valid from their dates (per day or per month)."""
    def cost(first: date, last: date) -> Decimal:
        ends = [since - timedelta(days=1) for since, _ in prices[1:]] + [last]
        total = sum((price * max((min(until, last) - max(since, first)).days + 1, 0)
                     for (since, price), until in zip(prices, ends, strict=True)), Decimal(0))
        return (total / calendar.monthrange(first.year, first.month)[1] if monthly else total).quantize(Decimal("0.01"))
    return cost


# -- closure --------------------------------------------------------------------------------------


def _close(plan: Plan, case: Case, day: date, reason: str, *, helped: bool) -> None:
    """Contacts through the case's life, revocations due before closure, follow-ups, then closure."""
    rng = plan.rng
    for contact in _every(case.opened, day - timedelta(days=1), rng.randint(14, 40)):
        plan.add(contact, "record_contact", case, rng.choice(("meeting", "meeting", "phone", "digital", "outreach")),
                 with_whom=rng.choice(("klienten", "klienten", "polisen", "frivården", "utföraren", "anhörig")))
    for recipient, (_, until, revoke) in sorted(case.consents.items()):
        if revoke is not None and revoke < day and (until is None or revoke <= until):
            plan.add(revoke, "revoke_consent", case, recipient)
    for point, when, share in (("closure", day, 0.97), ("12_months", day + plan.days(365, 400), 0.9)):
        if rng.random() < share:  # a few overdue follow-ups for the unit manager to find
            plan.add(when, "record_followup", case, time_point=point, **_outcome(rng, 0.65, helped))
    plan.add(day, "close_case", case, reason)


def _outcome(rng: random.Random, good: float, known: bool = True) -> dict[str, str]:
    """Follow-up answers; ``good`` is the chance of a good answer; for drop-outs most are unknown."""
    if not known and rng.random() < 0.6:
        return {"housing": "unknown", "occupation": "unknown"}
    answers = {key: "unknown" if rng.random() < (0.1 if known else 0.7) else "yes" if rng.random() < p else "no"
               for key, p in (("income_support", 1 - good), ("substance_use", 0.3), ("psychiatric_contact", 0.35),
                              ("new_suspicion", (1 - good) / 2), ("remaining_threat", 0.5))}
    housing = rng.choices(("own", "relatives", "supported", "institution", "homeless"), (good, 0.15, 0.3, 0.1, 0.05))
    work = rng.choices(("work", "studies", "training", "none", "unknown"), (good * 0.6, 0.2, 0.2, 0.3, 0.05))
    return {"housing": housing[0], "occupation": work[0], **answers}


def _every(first: date, last: date, step: int) -> list[date]:
    """``first``, ``first + step`` days, … up to ``last``."""
    return [first + timedelta(days=n) for n in range(0, (last - first).days + 1, step)] if first <= last else []
