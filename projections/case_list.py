"""The case overview: one row per case, its consent periods and decisions, for ``ledger case list``.

"Needs attention" is answered from these rows and the money projection's interventions:

- ``threat_review_passed``: the Police's review date of the latest threat assessment has passed;
- ``followup_due``: a closed case lacks its closure follow-up, or 12 months have passed since
  closure without the 12-month follow-up;
- ``consent_revoked_running``: consent for a provider was revoked and no consent covers today,
  while an intervention with that provider runs;
- ``urgent_without_decision``: an urgent placement or service still has no decision;
- ``decision_ended_running``: the decision behind a running intervention has ended;
- ``payment_duplicate``, ``payment_over_price``: a payment was confirmed past the invoice checks (a
  duplicate invoice or an overlapping period; an amount above the agreed price), until it is
  reversed in full.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, String, and_, exists, literal, or_, select, tuple_

from ledger.adapters.chain import stream_text
from ledger.adapters.schema import case_grants, cases, consents, decisions, interventions
from ledger.domain import events as ev
from ledger.domain.case import consent_covers, consent_key
from ledger.projections.fetch import fetch, stored_id
from ledger.projections.money import flagged_payments
from ledger.projections.projection import Fact, Projection
from ledger.projections.rows import Unit

ATTENTION = ("threat_review_passed", "followup_due", "consent_revoked_running", "urgent_without_decision",
             "decision_ended_running", "condition_no_assessment", "condition_motivation", "condition_consent",
             "condition_serious_crime", "payment_duplicate", "payment_over_price")


class CaseList(Projection):
    name = "case_list"
    version = 7
    weight = 1.5
    tables = (cases, consents, decisions, case_grants)


def _actualised(unit: Unit, event: Fact) -> None:
    unit[cases].put({
        "case_id": event["originator_id"], "case_number": event["case_number"], "status": "open",
        "opened_on": event["occurred_on"], "environment": event["environment"],
        "referral_source": event["referral_source"], "protection_level": event.get("protection_level", "none"),
        "opened_by": event["recorded_by"], "last_recorded_by": event["recorded_by"],
        "last_occurred_on": event["occurred_on"], "event_count": 1, "running": 0,
        "threat_review_on": None, "followup_closure": False, "followup_12": False, "closed_on": None,
        "person_id": unit.uuid(event["person_id"]), "assigned_to": event["recorded_by"], "thinned_on": None,
        "assessed": False, "motivated": None, "consent_given": None, "serious_crime_suspected": None,
    })


@CaseList.on(ev.ProtectionLevelChanged)
def _protection(unit: Unit, event: Fact) -> None:
    """The person's protection changed: every case of theirs shows (and is guarded by) the new level."""
    for row in unit[cases].where("person_id", event["originator_id"]):
        row["protection_level"] = event["protection_level"]
        unit[cases].touch(row["case_id"])


@CaseList.on(ev.PersonErased)
def _erased(unit: Unit, event: Fact) -> None:
    """Gallring: every case of the person is listed as thinned out (its statistics stay as they were)."""
    for row in unit[cases].where("person_id", event["originator_id"]):
        row["thinned_on"] = event["occurred_on"]
        unit[cases].touch(row["case_id"])


def _entry(unit: Unit, event: Fact) -> dict[str, Any]:
    """What every entry changes: the case's last entry, who made it, how many there are."""
    row = unit[cases].change(event["originator_id"])
    assert row is not None, "case event before the case was actualised"
    row["last_recorded_by"] = event["recorded_by"]
    row["event_count"] = event["originator_version"]
    row["last_occurred_on"] = max(row["last_occurred_on"], event["occurred_on"])
    return row


def _closed(unit: Unit, row: dict[str, Any], event: Fact) -> None:
    row["status"] = "closed"
    row["closed_on"] = event["occurred_on"]


def _reopened(unit: Unit, row: dict[str, Any], event: Fact) -> None:
    row["status"] = "open"
    row["closed_on"] = None


def _started(unit: Unit, row: dict[str, Any], event: Fact) -> None:
    row["running"] += 1


def _ended(unit: Unit, row: dict[str, Any], event: Fact) -> None:
    row["running"] -= 1


def _threat(unit: Unit, row: dict[str, Any], event: Fact) -> None:
    row["threat_review_on"] = event.get("review_on")


def _followup(unit: Unit, row: dict[str, Any], event: Fact) -> None:
    if event["time_point"] == "closure":
        row["followup_closure"] = True
    elif event["time_point"] == "12_months":
        row["followup_12"] = True


def _consent_granted(unit: Unit, row: dict[str, Any], event: Fact) -> None:
    unit[consents].put({"case_id": event["originator_id"], "recipient": consent_key(event["recipient"],
                        event.get("provider")), "entry": event["originator_version"],
                        "granted_on": event["occurred_on"], "valid_until": event.get("valid_until"),
                        "revoked_on": None})


def _consent_revoked(unit: Unit, row: dict[str, Any], event: Fact) -> None:
    """A revocation ends every period for the recipient that had started by then (as on the write side)."""
    case_id, day = event["originator_id"], event["occurred_on"]
    key = consent_key(event["recipient"], event.get("provider"))
    periods = unit[consents]
    for period in periods.starting_with(case_id):
        if period["recipient"] == key and period["revoked_on"] is None and period["granted_on"] <= day:
            period["revoked_on"] = day
            periods.touch(case_id, key, period["entry"])


def _assigned(unit: Unit, row: dict[str, Any], event: Fact) -> None:
    row["assigned_to"] = event["assigned_to"]


def _granted(unit: Unit, row: dict[str, Any], event: Fact) -> None:
    unit[case_grants].put({"case_id": event["originator_id"], "user_name": event["user"], "until": event["until"]})


def _assessment(unit: Unit, row: dict[str, Any], event: Fact) -> None:
    """The guideline's conditions as the förhandsbedömning found them (for "needs attention")."""
    row.update(assessed=True, motivated=event.get("motivated"), consent_given=event.get("consent_given"),
               serious_crime_suspected=event.get("serious_crime_suspected"))


def _decision(unit: Unit, row: dict[str, Any], event: Fact) -> None:
    unit[decisions].put({"case_id": event["originator_id"], "decision_id": event["decision_id"],
                         "granted": event["outcome"] in ("granted", "partial"),
                         "period_end": event.get("period_end"),
                         "status": "in_force"})


def _decision_status(unit: Unit, row: dict[str, Any], event: Fact) -> None:
    decision = unit[decisions].change(event["originator_id"], event["decision_id"])
    assert decision is not None, "status of an unknown decision passed the rules"
    decision["status"] = event["status"]


#: Case events that change more than the case row's last entry.
_SPECIAL: dict[type[ev.Event], Callable[[Unit, dict[str, Any], Fact], None]] = {
    ev.CaseClosed: _closed,
    ev.CaseReopened: _reopened,
    ev.PlacementStarted: _started,
    ev.ServiceStarted: _started,
    ev.PlacementEnded: _ended,
    ev.ServiceEnded: _ended,
    ev.ThreatAssessmentReceived: _threat,
    ev.FollowUpRecorded: _followup,
    ev.ConsentGranted: _consent_granted,
    ev.ConsentRevoked: _consent_revoked,
    ev.DecisionRecorded: _decision,
    ev.DecisionStatusChanged: _decision_status,
    ev.CaseAssigned: _assigned,
    ev.PreliminaryAssessmentMade: _assessment,
    ev.CaseAccessGranted: _granted,
}


def _only_entry(unit: Unit, event: Fact) -> None:
    _entry(unit, event)


def _handler(special: Callable[[Unit, dict[str, Any], Fact], None] | None) -> Callable[[Unit, Fact], None]:
    if special is None:
        return _only_entry

    def handle(unit: Unit, event: Fact) -> None:
        special(unit, _entry(unit, event), event)

    return handle


CaseList.on(ev.CaseActualised)(_actualised)
for _event_class in ev.CASE_EVENTS:
    if _event_class is not ev.CaseActualised:
        CaseList.on(_event_class)(_handler(_SPECIAL.get(_event_class)))


def attention(conn: Connection, today: date, only: Collection[Any] | None = None) -> dict[Any, list[str]]:
    """Case id (as the driver stores it: :func:`ledger.projections.fetch.stored_id`) → the reasons it
    needs attention today (only cases with at least one); of the cases ``only`` (their ids) if given —
    a page of the case list, not the whole store.

    Read through the driver's cursor (:func:`ledger.projections.fetch.fetch`): for the whole store
    (``case list --needs-attention``, ``--all``) that is some 90 000 rows at national volume, and
    SQLAlchemy's rows with a ``UUID`` object per id took twice as long as the rest of the work."""
    found: dict[Any, list[str]] = {}
    day = today.isoformat()
    ids = list(only) if only is not None else None

    def among(table: Any, query: Any) -> Any:
        return query if ids is None else query.where(table.c.case_id.in_(ids))

    def rows(query: Any) -> list[Any]:
        return fetch(conn, query)[1]

    def add(case_id: Any, reason: str) -> None:
        if reason not in found.setdefault(case_id, []):
            found[case_id].append(reason)

    granted = exists().where(decisions.c.case_id == cases.c.case_id, decisions.c.granted)
    conditions = select(cases.c.case_id, cases.c.assessed, cases.c.motivated, cases.c.consent_given,
                        cases.c.serious_crime_suspected).where(cases.c.status == "open", granted)
    for case_id, assessed, motivated, consent_given, serious_crime_suspected in rows(among(cases, conditions)):
        # a grant without the guideline's conditions is allowed, and named here until they are met
        if not assessed:
            add(case_id, "condition_no_assessment")
            continue
        if motivated is not True:
            add(case_id, "condition_motivation")
        if consent_given is not True:
            add(case_id, "condition_consent")
        if serious_crime_suspected is not False:
            add(case_id, "condition_serious_crime")
    c = cases
    for case_id, status in rows(among(c, select(c.c.case_id, c.c.status).where(or_(  # a handful of the cases
            and_(c.c.status == "open", c.c.threat_review_on < today),
            and_(c.c.status == "closed", or_(c.c.followup_closure.is_(False), and_(
                c.c.closed_on <= today - timedelta(days=365), c.c.followup_12.is_(False)))))))):
        # the threat assessment's review day has passed; the follow-up at closure, or 12 months after, is due
        add(case_id, "threat_review_passed" if status == "open" else "followup_due")
    i = interventions
    running = rows(among(i, select(i.c.case_id, i.c.provider, i.c.urgent_without_decision, i.c.decision_id)
                         .where(i.c.ended_on.is_(None))))
    # Only the consents and decisions a running intervention refers to (most of a store's have ended).
    periods: dict[tuple[Any, str], list[tuple[str, str | None, str | None]]] = {}
    for case_id, recipient, granted_on, revoked_on, valid_until in rows(among(consents, select(
            consents.c.case_id, consents.c.recipient, consents.c.granted_on, consents.c.revoked_on,
            consents.c.valid_until).where(tuple_(consents.c.case_id, consents.c.recipient).in_(
                select(i.c.case_id, literal("provider:", String) + i.c.provider).where(i.c.ended_on.is_(None)))))):
        periods.setdefault((case_id, recipient), []).append((granted_on.isoformat(), _iso(revoked_on),
                                                             _iso(valid_until)))
    ended = {(r[0], r[1]) for r in rows(among(decisions, select(decisions.c.case_id, decisions.c.decision_id).where(
        (decisions.c.period_end < today) | decisions.c.status.in_(("revoked", "replaced")),
        tuple_(decisions.c.case_id, decisions.c.decision_id).in_(
            select(i.c.case_id, i.c.decision_id).where(i.c.ended_on.is_(None))))))}
    for case_id, provider, urgent_without_decision, decision_id in running:
        consent = periods.get((case_id, f"provider:{provider}"), [])
        revoked = any(revoked_on is not None and revoked_on <= day for _, revoked_on, _ in consent)
        if revoked and not any(consent_covers(*period, day) for period in consent):
            add(case_id, "consent_revoked_running")
        if urgent_without_decision:
            add(case_id, "urgent_without_decision")
        if decision_id is not None and (case_id, decision_id) in ended:
            add(case_id, "decision_ended_running")
    key = stored_id(conn)
    for case_id, duplicate, over_price in flagged_payments(conn, ids):
        if duplicate:
            add(key(case_id), "payment_duplicate")
        if over_price:
            add(key(case_id), "payment_over_price")
    return found


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


# The overview's columns, in the order of its rows' keys (``attention`` comes after ``threat_review_on``,
# ``access_grants`` last); ``case_id`` is read to match the case's grants, and not shown.
_LISTED = (
    cases.c.case_number.label("case"), cases.c.status, cases.c.opened_on, cases.c.closed_on, cases.c.environment,
    cases.c.referral_source, cases.c.protection_level, cases.c.opened_by, cases.c.last_recorded_by,
    cases.c.last_occurred_on, cases.c.running.label("running_interventions"), cases.c.threat_review_on,
    cases.c.event_count, cases.c.assigned_to, cases.c.thinned_on, cases.c.person_id, cases.c.case_id,
)
_KEYS = ("case", "status", "opened_on", "closed_on", "environment", "referral_source", "protection_level",
         "opened_by", "last_recorded_by", "last_occurred_on", "running_interventions", "threat_review_on",
         "attention", "event_count", "assigned_to", "thinned_on", "person_id", "access_grants")


def list_cases(conn: Connection, *, status: str | None = None, recorded_by: str | None = None,
               environment: str | None = None, provider: str | None = None, person: UUID | None = None,
               needs_attention: bool = False, today: date, with_attention: bool = True) -> list[dict[str, Any]]:
    """Rows of the overview, newest case first, each with its attention reasons (None without
    ``with_attention``, unless ``needs_attention`` filters by them: :func:`attention` of a page later).
    Dates are ISO text, ``person_id`` the person's id as text, ``access_grants`` ``[user, until]`` pairs.

    A whole case list is thousands of rows, read through the driver's cursor
    (:func:`ledger.projections.fetch.fetch`): no SQLAlchemy row objects, no ``UUID`` object per id,
    and on SQLite no date parsed only to be written back as text."""
    query = _filtered(select(*_LISTED), status=status, recorded_by=recorded_by, environment=environment,
                      provider=provider, person=person)
    reasons = None
    if with_attention or needs_attention:
        reasons = attention(conn, today)
        if needs_attention and len(reasons) <= named_at_most(conn):  # only their rows (a quarter of a large store's)
            query = query.where(cases.c.case_id.in_(list(reasons)))
    return _rows(conn, query.order_by(*_NEWEST), reasons, needs_attention)


#: The most cases a query names one by one.
_NAMED_AT_MOST = 10_000


def named_at_most(conn: Connection) -> int:
    """:data:`_NAMED_AT_MOST`, or fewer where the driver binds fewer values in a statement (SQLite 3.32
    and later bind 32 766, earlier ones 999; PostgreSQL 65 535)."""
    getlimit = getattr(conn.connection.driver_connection, "getlimit", None)  # sqlite3's connection
    if getlimit is None:
        return _NAMED_AT_MOST
    import sqlite3

    limit = int(getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    return min(_NAMED_AT_MOST, limit - 100)  # room for the query's other values


def case_numbers(conn: Connection, *, status: str | None = None, recorded_by: str | None = None,
                 environment: str | None = None, provider: str | None = None, person: UUID | None = None,
                 assigned_to: str | None = None) -> list[str]:
    """The case numbers of the overview, newest first, filtered as :func:`list_cases` (``assigned_to``:
    one user's cases): a page is then read with :func:`case_rows`, not every row of the store."""
    query = _filtered(select(cases.c.case_number), status=status, recorded_by=recorded_by, environment=environment,
                      provider=provider, person=person, assigned_to=assigned_to)
    return [str(number) for number, in fetch(conn, query.order_by(*_NEWEST))[1]]


def case_rows(conn: Connection, numbers: list[str]) -> list[dict[str, Any]]:
    """The overview's rows of these cases, in the order given (``attention`` None in each); a case with
    no row is left out."""
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(numbers), _PAGE_CHUNK):
        chunk = numbers[start:start + _PAGE_CHUNK]
        for row in _rows(conn, select(*_LISTED).where(cases.c.case_number.in_(chunk)), None, False):
            found[row["case"]] = row
    return [found[number] for number in numbers if number in found]


#: Cases whose rows are read in one query (a page is 50; ``--all`` reads every case in these).
_PAGE_CHUNK = 500


_NEWEST = (cases.c.opened_on.desc(), cases.c.case_number.desc())


def _filtered(query: Any, *, status: str | None, recorded_by: str | None, environment: str | None,
              provider: str | None, person: UUID | None, assigned_to: str | None = None) -> Any:
    if status:
        query = query.where(cases.c.status == status)
    if recorded_by:
        query = query.where((cases.c.opened_by == recorded_by) | (cases.c.last_recorded_by == recorded_by))
    if environment:
        query = query.where(cases.c.environment == environment)
    if provider:
        query = query.where(cases.c.case_id.in_(
            select(interventions.c.case_id).where(interventions.c.provider == provider.upper())))
    if person is not None:
        query = query.where(cases.c.person_id == person)
    if assigned_to is not None:
        query = query.where(cases.c.assigned_to == assigned_to)
    return query


def _rows(conn: Connection, query: Any, reasons: dict[Any, list[str]] | None,
          needs_attention: bool) -> list[dict[str, Any]]:
    """The overview's rows of ``query`` (its columns ``_LISTED``), each with its grants."""
    found_rows = fetch(conn, query, iso_dates=True)[1]
    grant_query = select(case_grants.c.case_id, case_grants.c.user_name, case_grants.c.until)
    if len(found_rows) <= 1_000:  # a page: the grants of its cases only
        grant_query = grant_query.where(case_grants.c.case_id.in_(
            select(cases.c.case_id).where(cases.c.case_number.in_([values[0] for values in found_rows]))))
    grants: dict[Any, list[list[str]]] = {}
    for case, user, until in fetch(conn, grant_query, iso_dates=True)[1]:
        grants.setdefault(case, []).append([user, until])
    rows = []
    for values in found_rows:
        case = values[16]
        found = reasons.get(case, []) if reasons is not None else None
        if needs_attention and not found:
            continue
        rows.append(dict(zip(_KEYS, (*values[:12], found, *values[12:15], stream_text(values[15]),
                                     grants.get(case, [])), strict=True)))
    return rows

