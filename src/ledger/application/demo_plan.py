"""The demo's plan: the unit's constants, the cases' stories as dated steps, the test people.

Used by :mod:`ledger.application.demo` (which replays the plan) and
:mod:`ledger.application.demo_story` (which writes each case's story into it).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import resources
from typing import Any, NamedTuple

from ledger.domain.errors import InvalidIdentityNumber
from ledger.domain.identity import parse_identity

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
    protected_identity: bool = False  # only its own worker (and the manager, and who is granted) may see it
    closed: date | None = None  # the closing day, if it comes by today


class Plan:
    """Steps to replay in date order; steps after today are dropped."""

    def __init__(self, rng: random.Random, today: date) -> None:
        self.rng, self.today, self.serial = rng, today, 0
        self.steps: list[tuple[Any, ...]] = []
        self.invoices = 0

    def invoice_number(self) -> str:
        """A provider's invoice numbers never repeat (the ledger refuses an invoice paid twice)."""
        self.invoices += 1
        return f"{self.invoices:05d}"

    def add(self, day: date, command: str, case: Case | None, *args: Any, user: str = "", save: str = "",
            **kw: Any) -> None:
        if case is not None:
            case.last = max(case.last, day)
            # mostly the case's own worker, now and then a colleague (never on a protected identity's case)
            if not user:
                colleague = self.rng.random() >= 0.85 and not case.protected_identity
                user = self.rng.choice(WORKERS) if colleague else case.worker
        if day <= self.today:
            self.steps.append((day, len(self.steps), user or MANAGER, command, case, args, kw, save))

    def days(self, low: int, high: int) -> timedelta:
        return timedelta(days=self.rng.randint(low, high))

    def key(self, prefix: str) -> str:
        self.serial += 1
        return f"{prefix}{self.serial}"


class People:
    """Skatteverket's test numbers by birth year, each handed out once while they last."""

    def __init__(self, rng: random.Random, today: date) -> None:
        data = json.loads((resources.files("ledger") / "data" / "testdata_identities.json").read_text("utf-8"))
        self.rng, self.today = rng, today
        self.used: list[str] = []
        self.cases: dict[str, list[Case]] = {}  # each number's cases, to actualise a person again only when closed
        self.pools: dict[str, dict[int, list[str]]] = {}
        for kind in ("personnummer", "samordningsnummer"):
            by_year: dict[int, list[str]] = {}
            self.pools[kind] = by_year
            for number in data[kind]:
                by_year.setdefault(int(number[:4]), []).append(number)
            for numbers in by_year.values():
                rng.shuffle(numbers)

    def pick(self, opened: date, kind: str) -> str | None:
        """Someone aged 15-45 at opening, mostly around 20, while any are left; then someone actualised
        again, whose every case was closed before ``opened`` (one person has one open case at a time);
        None when there is nobody of either kind."""
        target, ages = opened.year - round(self.rng.triangular(15, 45, 20)), range(opened.year - 45, opened.year - 15)
        for pool in (self.pools[kind], self.pools["personnummer"], self.pools["samordningsnummer"]):
            while years := sorted((y for y in pool if pool[y]), key=lambda y: (y not in ages, abs(y - target), y)):
                number = pool[years[0]].pop()
                try:  # skip any the ledger refuses (older versions refused month 00, day 60, 30 February)
                    parse_identity(number, today=self.today)
                except InvalidIdentityNumber:
                    continue
                self.used.append(number)
                return number
        for _ in range(200):  # every number used: someone is actualised again
            number = self.rng.choice(self.used)
            earlier = self.cases.get(number, ())  # not a protected person: their next case would be protected too
            if all(c.closed is not None and c.closed < opened and not c.protected_identity for c in earlier):
                return number
        return None

    def opened(self, number: str, case: Case) -> None:
        """``case`` is ``number``'s (planned through to its closure, if that comes by today)."""
        self.cases.setdefault(number, []).append(case)
