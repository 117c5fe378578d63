"""Every table of the ledger, in one place.

Three groups, created separately (each only by the code that needs it, and each under the store's
DDL lock):

- :data:`metadata` — the events and what is written with them: ``ledger_events`` (``id`` is the
  gapless position in the whole ledger), ``ledger_chain`` (the hash chain, one entry per event),
  ``ledger_snapshots``, ``ledger_tracking`` (how far each projection has read), ``ledger_meta``
  (store-wide settings), ``ledger_keys`` (the wrapped data keys). Only ever appended to, except
  tracking, and keys destroyed by gallring.
- :data:`access_metadata` — ``ledger_access``, the access log: only ever appended to.
- :data:`read_metadata` — the read side's ``proj_*`` tables, rewritten by the projections
  (``projections/``) from the events at any time.

Money is integer öre in every read table (exact on SQLite too).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)

_ID = BigInteger().with_variant(Integer(), "sqlite")

# -- the events and what is written with them ---------------------------------------------------------

metadata = MetaData()

events_table = Table(
    "ledger_events",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=False),
    Column("originator_id", Uuid(), nullable=False),
    Column("originator_version", _ID, nullable=False),
    Column("topic", Text(), nullable=False),
    Column("state", LargeBinary(), nullable=False),
    UniqueConstraint("originator_id", "originator_version", name="ledger_events_stream_version"),
)

snapshots_table = Table(
    "ledger_snapshots",
    metadata,
    Column("originator_id", Uuid(), primary_key=True),
    Column("originator_version", _ID, primary_key=True),
    Column("topic", Text(), nullable=False),
    Column("state", LargeBinary(), nullable=False),
)

tracking_table = Table(
    "ledger_tracking",
    metadata,
    Column("application_name", String(64), primary_key=True),
    Column("notification_id", _ID, nullable=False),
)

meta_table = Table(
    "ledger_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text(), nullable=False),
)

keys_table = Table(  # one data key per person (and one for the unit), wrapped by the key file's key
    "ledger_keys",
    metadata,
    Column("key_id", String(64), primary_key=True),  # a person id, or "unit"
    Column("wrapped", LargeBinary(), nullable=True),  # nonce + AES-GCM(key-encryption key, data key); NULL: destroyed
    Column("created_at", DateTime(), nullable=False),
    Column("destroyed_at", DateTime(), nullable=True),  # gallring: the key is gone, the person's data with it
)

chain_table = Table(
    "ledger_chain",
    metadata,
    Column("position", _ID, primary_key=True, autoincrement=False),
    Column("recorded_at", Text(), nullable=False),
    Column("payload_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

# -- the access log -----------------------------------------------------------------------------------

access_metadata = MetaData()

access_table = Table(  # hash-chained like the events: each row's hash covers it and the row before
    "ledger_access_log",
    access_metadata,
    Column("position", _ID, primary_key=True, autoincrement=False),  # 1, 2, 3, … without gaps
    Column("accessed_at", DateTime(), nullable=False),  # UTC, without a zone (the same on both backends)
    Column("user_name", String(64), nullable=False),
    Column("case_number", String(32), nullable=True),  # none: a refused command about no one case
    Column("command", String(64), nullable=False),
    Column("protection_level", String(32), nullable=False),
    Column("protected", Boolean(), nullable=False),
    Column("reason", String(32), nullable=True),  # a code, never free text
    Column("outcome", String(8), nullable=False),  # read | denied (nekad)
    Column("hash", String(64), nullable=False),
    Index("ledger_access_log_case", "case_number"),
    Index("ledger_access_log_time", "accessed_at"),
    Index("ledger_access_log_user", "user_name"),
)


def sqlite_state_field(name: str) -> str:
    """SQLite: a statistical field of a stored payload (``{"s": {name: …}}``, plain JSON: only the
    personal part is sealed) as text; NULL for a payload that is not JSON (an index on an expression
    that can fail would refuse to store such an event, and an imported archive may hold one). The
    lookup indexes below are on exactly these expressions."""
    as_text = "CAST(state AS TEXT)"
    return f"CASE WHEN json_valid({as_text}) THEN json_extract({as_text}, '$.s.{name}') END"


#: The topics of the events of a case's stream that decide who may see it (``ledger.adapters.access_log``
#: reads them): its opening, assignments and grants, and corrections (none may change an assignment or a
#: grant now, but a store written before that rule, or imported from one, may hold such a correction:
#: such a case is folded whole).
CASE_ACCESS_TOPICS = ("ledger.events:CaseActualised", "ledger.events:CaseAssigned", "ledger.events:CaseAccessGranted",
                      "ledger.events:EntryCorrected")


def topic_is_one_of(topics: Sequence[str]) -> str:
    """SQL: the event's topic is one of ``topics`` (stored names, never changed), as comparisons joined by
    ``OR``: a query uses a partial index made with this condition only if it says it the same way."""
    return " OR ".join(f"topic = '{topic}'" for topic in topics)


#: SQLite: who may see which case is decided from the events (:class:`ledger.adapters.access_log.
#: SqlProtection`), each case's first event and its person's protection events, thousands of them for
#: a case list. The first two partial indexes hold the two fields wanted, so that the payloads are not
#: read (13 108 cases: 0.10 -> 0.02 s); the third finds a protected case's opening, assignments,
#: grants and corrections among its events (who of those without a see-all role may see it).
#: Derived from the events by the database, like any index; made when a store is opened by someone
#: who may write it (:meth:`ledger.adapters.store.SQLStore.lookup_indexes`). The topics are stored
#: names, which never change.
SQLITE_LOOKUP_INDEXES = {
    "ledger_events_first_fields": (
        f"CREATE INDEX IF NOT EXISTS ledger_events_first_fields ON ledger_events (originator_id, "
        f"{sqlite_state_field('person_id')}, {sqlite_state_field('protection_level')}) WHERE originator_version = 1"),
    "ledger_events_protection": (
        f"CREATE INDEX IF NOT EXISTS ledger_events_protection ON ledger_events (originator_id, originator_version, "
        f"{sqlite_state_field('protection_level')}) "
        "WHERE topic IN ('ledger.events:PersonRegistered', 'ledger.events:ProtectionLevelChanged')"),
    # who may see a protected case: its opening, assignments, grants and corrections (a case list with
    # thousands of protected cases reads these few events of each, not each case whole)
    "ledger_events_access_topics": (
        "CREATE INDEX IF NOT EXISTS ledger_events_access_topics ON ledger_events (originator_id, originator_version) "
        f"WHERE {topic_is_one_of(CASE_ACCESS_TOPICS)}"),
}
#: Lookup indexes made by earlier code and replaced: dropped when a store is opened by someone who may
#: write it. ``ledger_events_case_access`` said ``topic IN`` four topics, which SQLite works out for
#: every event stored by building a table of the four (over two values it compares): a fifth of a bulk
#: append's time; ``ledger_events_access_topics`` says the same with ``OR``.
SQLITE_REPLACED_INDEXES = ("ledger_events_case_access",)

#: The access log before it was chained (kept by stores written then; copied into the chain once).
OLD_ACCESS_TABLE = "ledger_access"

# -- the read side ------------------------------------------------------------------------------------

read_metadata = MetaData()

projection_versions = Table(  # which version of each projection built its tables (replaced when it changes)
    "proj_versions",
    read_metadata,
    Column("name", String(64), primary_key=True),
    Column("version", Integer(), nullable=False),
)

# money (projections/money.py)

money_cases = Table(
    "proj_money_cases",
    read_metadata,
    Column("case_id", Uuid(), primary_key=True),
    Column("case_number", String(32), nullable=False),
    Column("person_id", Uuid(), nullable=False),
)

budgets = Table(
    "proj_budget",
    read_metadata,
    Column("year", Integer(), primary_key=True),
    Column("set_ore", BigInteger(), nullable=False),
    Column("adjusted_ore", BigInteger(), nullable=False),
)

interventions = Table(
    "proj_interventions",
    read_metadata,
    Column("case_id", Uuid(), primary_key=True),
    Column("item_id", String(8), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("provider", String(32), nullable=False),
    Column("intervention", String(32), nullable=False),
    Column("daily_price_ore", BigInteger()),
    Column("started_on", Date(), nullable=False),
    Column("planned_end", Date()),
    Column("ended_on", Date()),
    Column("urgent_without_decision", Boolean(), nullable=False),
    Column("decision_id", String(8)),
    Column("paid_through", Date()),  # the last day an invoice has paid for, for "committed"
)

payments = Table(
    "proj_payments",
    read_metadata,
    Column("case_id", Uuid(), primary_key=True),
    Column("ref", String(8), primary_key=True),
    Column("payment_id", String(8), nullable=False),
    Column("item_id", String(8)),
    Column("provider", String(32), nullable=False),
    Column("intervention", String(32), nullable=False),
    Column("period_start", Date(), nullable=False),
    Column("period_end", Date(), nullable=False),
    Column("amount_ore", BigInteger(), nullable=False),
    Column("paid_on", Date(), nullable=False),
    # the invoice as typed and as compared (``decide_money.invoice_key``; a reversal carries its payment's)
    Column("invoice_number", String()),
    Column("invoice_key", String()),
    # what the invoice checks found and the ekonom confirmed (a payment's row only)
    Column("duplicate", Boolean(), nullable=False, default=False),
    Column("over_price", Boolean(), nullable=False, default=False),
    Column("price_limit_ore", BigInteger()),
    Index("proj_payments_invoice", "provider", "invoice_key"),
)

payment_months = Table(
    "proj_payment_months",
    read_metadata,
    Column("case_id", Uuid(), nullable=False),
    Column("ref", String(8), nullable=False),
    Column("year", Integer(), nullable=False),
    Column("month", Integer(), nullable=False),
    Column("provider", String(32), nullable=False),
    Column("intervention", String(32), nullable=False),
    Column("amount_ore", BigInteger(), nullable=False),
    Column("paid_on", Date(), nullable=False),  # the payment's (or reversal's) day, for budget show --as-of
    # a year's rows, and everything the year's reports read of them in the index itself (stats sums
    # each case's payments per intervention, budget show by the day paid, month and provider): at a
    # decade of payments the rows are not visited one by one
    Index("proj_payment_months_year", "year", "case_id", "intervention", "amount_ore", "paid_on", "month",
          "provider"),
)

grants = Table(
    "proj_grants",
    read_metadata,
    Column("case_id", Uuid(), primary_key=True),
    Column("reference", String(64), primary_key=True),
    Column("applied_ore", BigInteger(), nullable=False),
    Column("granted_ore", BigInteger()),
    Column("outcome", String(16)),
    Column("period_start", Date(), nullable=False),
    Column("period_end", Date(), nullable=False),
)

grant_months = Table(
    "proj_grant_months",
    read_metadata,
    Column("case_id", Uuid(), nullable=False),
    Column("reference", String(64), nullable=False),
    Column("year", Integer(), nullable=False),
    Column("month", Integer(), nullable=False),
    Column("amount_ore", BigInteger(), nullable=False),
    Index("proj_grant_months_year", "year"),
)


# case list (projections/case_list.py)

cases = Table(
    "proj_case_list",
    read_metadata,
    Column("case_id", Uuid(), primary_key=True),
    Column("case_number", String(32), nullable=False, unique=True),
    Column("status", String(16), nullable=False),
    Column("opened_on", Date(), nullable=False),
    Column("closed_on", Date()),
    Column("environment", String(32), nullable=False),
    Column("referral_source", String(32), nullable=False),
    Column("protection_level", String(32), nullable=False),
    Column("opened_by", String(64), nullable=False),
    Column("last_recorded_by", String(64), nullable=False),
    Column("last_occurred_on", Date(), nullable=False),
    Column("event_count", Integer(), nullable=False),
    Column("running", Integer(), nullable=False, default=0),
    Column("threat_review_on", Date()),
    Column("followup_closure", Boolean(), nullable=False, default=False),
    Column("followup_12", Boolean(), nullable=False, default=False),
    Column("person_id", Uuid(), nullable=False),
    Column("assigned_to", String(64)),
    Column("thinned_on", Date()),  # gallring: the person's data key destroyed on this day
    Column("assessed", Boolean(), nullable=False, default=False),  # the guideline's conditions, as assessed
    Column("motivated", Boolean()),
    Column("consent_given", Boolean()),
    Column("serious_crime_suspected", Boolean()),
    Index("proj_case_list_person", "person_id"),
)

case_grants = Table(  # who was granted access to a case, until when (the latest grant per user)
    "proj_case_grants",
    read_metadata,
    Column("case_id", Uuid(), primary_key=True),
    Column("user_name", String(64), primary_key=True),
    Column("until", Date(), nullable=False),
)

consents = Table(  # every consent period (a revocation ends every period started by then)
    "proj_case_consents",
    read_metadata,
    Column("case_id", Uuid(), primary_key=True),
    Column("recipient", String(48), primary_key=True),
    Column("entry", Integer(), primary_key=True),
    Column("granted_on", Date(), nullable=False),
    Column("valid_until", Date()),
    Column("revoked_on", Date()),
)

decisions = Table(
    "proj_case_decisions",
    read_metadata,
    Column("case_id", Uuid(), primary_key=True),
    Column("decision_id", String(8), primary_key=True),
    Column("granted", Boolean(), nullable=False),
    Column("period_end", Date()),
    Column("status", String(16), nullable=False),
)


# statistics (projections/stats_facts.py)

stat_cases = Table(
    "proj_stats_cases",
    read_metadata,
    Column("case_id", Uuid(), primary_key=True),
    Column("person_id", Uuid(), nullable=False),
    Column("opened_on", Date(), nullable=False),
    Column("gender", String(16), nullable=False),
    Column("birth_year", Integer()),
    Column("environment", String(32), nullable=False),
    Column("referral_source", String(32), nullable=False),
    Column("protected_identity", Boolean(), nullable=False),
    Column("assessed_on", Date()),
    Column("assessment_outcome", String(32)),
    Column("assessment_reason", String(32)),
    Column("investigated_on", Date()),
    Column("granted_on", Date()),
    Column("denied_on", Date()),
    Column("police_case_on", Date()),
    Column("protection_needed", Boolean()),
    Column("closed_on", Date()),
    Column("closure_reason", String(32)),
    Column("excluded", Boolean(), nullable=False, default=False),  # closed as opened in error
    # The few cases closed as opened in error, which every table of a year leaves out: without it,
    # each leaving out scanned every case (about 4 of a large year's report's 8 ms of follow-ups).
    # Its condition is written as each database is asked (SQLAlchemy writes ``excluded = 1`` on SQLite,
    # and SQLite uses a partial index only for the condition it was made with).
    Index("proj_stats_cases_excluded", "case_id", sqlite_where=text("excluded = 1"),
          postgresql_where=text("excluded")),
)

stat_followups = Table(
    "proj_stats_followups",
    read_metadata,
    Column("case_id", Uuid(), nullable=False),
    Column("year", Integer(), nullable=False),
    Column("time_point", String(16), nullable=False),
    Column("housing", String(16), nullable=False),
    Column("occupation", String(16), nullable=False),
    Column("income_support", String(8), nullable=False),
    Column("substance_use", String(8), nullable=False),
    Column("psychiatric_contact", String(8), nullable=False),
    Column("new_suspicion", String(8), nullable=False),
    Column("remaining_threat", String(8), nullable=False),
)

stat_household = Table(
    "proj_stats_household",
    read_metadata,
    Column("case_id", Uuid(), nullable=False),
    Column("year", Integer(), nullable=False),
    Column("kind", String(16), nullable=False),  # child | relative
    Column("relation", String(16)),
)
