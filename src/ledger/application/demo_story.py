"""One case's story in the demo: intake, investigation, decisions, interventions, invoices, closure.

Each function adds dated steps to the :class:`~ledger.application.demo_plan.Plan`; the
demo replays them in date order through the ledger's own commands.
"""

from __future__ import annotations

import calendar
import math
import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ledger.application.demo_plan import (
    CLOSE_AFTER,
    DAILY_PRICE,
    ECONOMIST,
    MANAGER,
    NO_INVESTIGATION,
    SERVICES,
    SOURCES,
    Case,
    Plan,
    Ref,
)

# -- intake and investigation ---------------------------------------------------------------------


def intake(plan: Plan, case: Case, identity: str, protection: str, offers: dict[str, list[str]]) -> None:
    """Actualisation and preliminary assessment; about a quarter stop here."""
    rng = plan.rng
    environment = rng.choices(("criminal", "violent_extremist", "honour"), (80, 8, 12))[0]
    woman = 0.7 if environment == "honour" else 0.15
    gender = rng.choices(("woman", "man", "other", "unknown"), (woman, 0.97 - woman, 0.01, 0.02))[0]
    source = rng.choices(list(SOURCES), list(SOURCES.values()))[0]
    kind = "application" if source == "self" else "report" if source in ("police", "probation", "sis") else "other"
    plan.add(case.opened, "open_case", case, identity, gender=gender, environment=environment, source=source,
             actualisation_type=kind, protection=protection, birth_year=case.born, user=case.worker, save="number")
    if case.protected_identity:  # the economist pays the invoices of a case only its worker may see,
        last = case.last         # a year at a time (the longest a grant runs), renewed while invoices may come
        for year in range(5):
            start = case.opened + timedelta(days=360 * year)
            plan.add(start, "grant_case_access", case, ECONOMIST, until=start + timedelta(days=365),
                     reason="Fakturahantering", user=MANAGER)
        case.last = last
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
        plan.add(done, "record_decision", case, outcome="denied", intervention="hvb", save="denied",
                 motivation="Behovet kan tillgodoses genom öppna insatser.")
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
    placement: dict[str, Any] = {"provider": provider, "intervention": kind, "daily_price": price}
    prices = [(start, price)]
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
        plan.add(applied, "apply_grant", case, reference=ref, amount=amount, period_start=start, user=ECONOMIST,
                 period_end=start + timedelta(days=179))
        outcome = rng.choices(("granted", "partly_granted", "denied"), (60, 30, 10))[0]
        plan.add(applied + plan.days(30, 90), "decide_grant", case, reference=ref, outcome=outcome, user=ECONOMIST,
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
                 invoice=f"{provider}-{paid:%y%m}-{plan.invoice_number()}", save=key, **item)
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
    case.closed = day if day <= plan.today else None


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
