"""Every error the ledger raises on purpose.

::

    LedgerError                    anything the ledger refuses (exit status 1 unless noted)
    ├── InputError                 malformed input (exit status 2)
    │   ├── InvalidIdentityNumber
    │   ├── InvalidAmount
    │   ├── InvalidDate
    │   ├── InvalidMoment
    │   ├── InvalidChoice
    │   └── DigestInvalid, ArchiveInvalid, FileUnusable, StoreMissing (files)
    ├── RuleViolation              well-formed, but a rule forbids it
    │   ├── FutureDate
    │   ├── DateOutOfOrder
    │   ├── CaseClosedError
    │   │   └── PaymentAfterClosure
    │   ├── CaseNotClosed
    │   ├── DecisionMissing
    │   ├── ConsentNotActive
    │   ├── ReversalExceedsPayment
    │   ├── DuplicateInvoice (InvoicePaidElsewhere), PaymentPeriodOverlap, PaymentOverPrice (unless confirmed)
    │   ├── PlacementNotRunning
    │   ├── AlreadyExists
    │   ├── InvestigationState
    │   ├── CorrectionRefused
    │   └── StoreNotEmpty
    ├── AccessDenied               the user's roles do not allow it (a "nekad" entry in the access log)
    ├── TrainingOnly               --as or a pinned clock on a real store
    ├── StoreNotInitialised        no `ledger init` yet
    ├── CaseNotAtThatTime          replay asked for a moment before the case existed
    ├── ChainBroken                the hash chain does not verify
    ├── NotFound                   an unknown case, provider, placement, payment, ...
    ├── ConcurrencyConflict        the case changed under us; try again
    └── StorageError               the database refused (full disk, unreachable, locked)

Each error carries a message *key* and parameters; the command line turns them into Swedish or
English text (``ledger.cli.i18n``). Parameters never hold identity numbers or names: whatever a
user typed is passed through :func:`ledger.domain.text.scrub`.
"""

from __future__ import annotations

from typing import Any

from ledger.domain.text import scrub


class LedgerError(Exception):
    """Base class: something the ledger refused; nothing was stored."""

    key = "error"
    exit_code = 1

    def __init__(self, **params: Any) -> None:
        self.params = {k: scrub(v) for k, v in params.items()}
        super().__init__(f"{self.key} {self.params}" if self.params else self.key)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as its class and parameters, and its attributes (notes among them): a parallel
        catch-up's worker hands its error over."""
        return _restored, (type(self), self.params), dict(self.__dict__)


def _restored(cls: type[LedgerError], params: dict[str, Any]) -> LedgerError:
    return cls(**params)


class InputError(LedgerError):
    """The input is malformed."""

    key = "input_error"
    exit_code = 2


class InvalidIdentityNumber(InputError):
    """The identity number fails its format, date or check digit."""

    key = "invalid_identity_number"


class InvalidAmount(InputError):
    """The amount is not a positive sum with at most two decimals."""

    key = "invalid_amount"


class InvalidDate(InputError):
    """The date is not a valid YYYY-MM-DD date."""

    key = "invalid_date"


class InvalidMoment(InputError):
    """Not a date or a date and time (``2026-03-10`` or ``2026-03-10T14:30``, optionally with an offset)."""

    key = "invalid_moment"


class InvalidChoice(InputError):
    """The value is not one of the allowed choices."""

    key = "invalid_choice"


class RuleViolation(LedgerError):
    """The input is well-formed, but a rule of the ledger forbids it."""

    key = "rule_violation"


class FutureDate(RuleViolation):
    """The business date lies in the future."""

    key = "future_date"


class DateOutOfOrder(RuleViolation):
    """A date comes before the date it must follow."""

    key = "date_out_of_order"


class CaseClosedError(RuleViolation):
    """Only follow-up, correction or reopening is allowed on a closed case."""

    key = "case_closed"


class PaymentAfterClosure(CaseClosedError):
    """On a closed case a payment (or its reversal) may only be for a period that ended by the closure."""

    key = "payment_after_closure"


class CaseNotClosed(RuleViolation):
    """Only a closed case can be reopened."""

    key = "case_not_closed"


class DecisionMissing(RuleViolation):
    """No granted decision covers the intervention on that date."""

    key = "decision_missing"


class ConsentNotActive(RuleViolation):
    """There is no active consent for that recipient."""

    key = "consent_not_active"


class ReversalExceedsPayment(RuleViolation):
    """A reversal may not exceed what is left of the payment it reverses."""

    key = "reversal_exceeds_payment"


class DuplicateInvoice(RuleViolation):
    """The provider's invoice number is already paid (on this case or another), and it was not confirmed."""

    key = "duplicate_invoice"


class InvoicePaidElsewhere(DuplicateInvoice):
    """The provider's invoice number is already paid on another case (which one is not said: see
    ``payment list``, a logged read), and it was not confirmed."""

    key = "invoice_paid_elsewhere"


class PaymentPeriodOverlap(RuleViolation):
    """The period overlaps a payment for the same placement or service, and it was not confirmed."""

    key = "payment_period_overlap"


class PaymentOverPrice(RuleViolation):
    """The amount is more than the period costs at the agreed price, and it was not confirmed."""

    key = "payment_over_price"


class PlacementNotRunning(RuleViolation):
    """The placement or service has already ended."""

    key = "placement_not_running"


class AlreadyExists(RuleViolation):
    """Something with that identifier already exists."""

    key = "already_exists"


class InvestigationState(RuleViolation):
    """The investigation is not in a state that allows this."""

    key = "investigation_state"


class CorrectionRefused(RuleViolation):
    """The correction cannot be made (an identifier, a correction itself, nothing changes, history breaks)."""

    key = "correction_refused"


class AccessDenied(LedgerError):
    """The user's roles do not allow this command (``action``; ``roles``: the roles that would)."""

    key = "access_denied"


class TrainingOnly(LedgerError):
    """``--as``, ``LEDGER_USER`` or a pinned clock on a store that is not a training store (``option``)."""

    key = "training_only"


class StoreNotInitialised(LedgerError):
    """The store has no users yet: ``ledger init`` (or ``--training``) first."""

    key = "store_not_initialised"


class CaseNotAtThatTime(LedgerError):
    """``--as-of`` / ``--recorded-before`` a moment when the case did not exist (yet)."""

    key = "case_not_at_that_time"


class NotFound(LedgerError):
    """An unknown case, person, provider, decision, placement or payment."""

    key = "not_found"


class ConcurrencyConflict(LedgerError):
    """Another writer changed the case at the same moment; try again."""

    key = "concurrency_conflict"


class StorageError(LedgerError):
    """The database could not store or read the events (full disk, unreachable, locked)."""

    key = "storage_error"


# -- tamper evidence and files --------------------------------------------------------------------


class ChainBroken(LedgerError):
    """The hash chain does not verify: something stored was altered, removed or moved (``position``, ``reason``)."""

    key = "chain_broken"


class DigestInvalid(InputError):
    """The digest file cannot be read as a digest of the ledger."""

    key = "digest_invalid"


class ArchiveInvalid(InputError):
    """The archive file is not a readable ledger archive (its format, not its chain)."""

    key = "archive_invalid"


class FileUnusable(InputError):
    """A file cannot be read or written (``file``, ``reason``). A wrong path or a file that is not what
    it should be is malformed input (exit 2); a full disk, a read-only place or a failing disk is the
    machine's state, not the input's (exit 1)."""

    key = "file_unusable"
    #: Reasons that are the machine's state rather than the input's.
    MACHINE = frozenset({"disk_full", "read_only", "io"})

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        if params.get("reason") in self.MACHINE:
            self.exit_code = 1


class StoreNotEmpty(RuleViolation):
    """An archive can only be imported into an empty ledger."""

    key = "store_not_empty"


class StoreMissing(LedgerError):
    """A command named a SQLite database that does not exist (``db``): refused, never created empty
    (only ``ledger init``, ``demo`` and ``import`` make a store; the default path is made on first use)."""

    key = "store_missing"
    exit_code = 1


class KeyUnavailable(LedgerError):
    """Personal data cannot be read or written: the key file is missing (``reason`` ``missing``), is
    another store's (``mismatch``) or is not a key file (``format``). Statistics, budget and verify
    need no key; nothing personal is ever shown garbled."""

    key = "key_unavailable"


class PersonThinned(LedgerError):
    """The person's data was thinned out (*gallrad*) on ``on``: their data key is destroyed."""

    key = "person_thinned"


class SealBroken(LedgerError):
    """Sealed personal data does not open with its key although the key is right: it was altered
    (``ref``: the stream)."""

    key = "seal_broken"


class StoreNotEncrypted(LedgerError):
    """The store was written before personal data was encrypted: it is refused until migrated."""

    key = "store_not_encrypted"


class PassphraseRequired(InputError):
    """An archive's data keys are sealed with a passphrase (``reason``: ``missing`` or ``wrong``)."""

    key = "passphrase_required"


__all__ = [
    "AccessDenied",
    "AlreadyExists",
    "ArchiveInvalid",
    "CaseClosedError",
    "CaseNotAtThatTime",
    "CaseNotClosed",
    "ChainBroken",
    "ConcurrencyConflict",
    "ConsentNotActive",
    "CorrectionRefused",
    "DateOutOfOrder",
    "DecisionMissing",
    "DigestInvalid",
    "DuplicateInvoice",
    "FileUnusable",
    "FutureDate",
    "InputError",
    "InvalidAmount",
    "InvalidChoice",
    "InvalidDate",
    "InvalidIdentityNumber",
    "InvalidMoment",
    "InvestigationState",
    "InvoicePaidElsewhere",
    "KeyUnavailable",
    "LedgerError",
    "NotFound",
    "PassphraseRequired",
    "PaymentAfterClosure",
    "PaymentOverPrice",
    "PaymentPeriodOverlap",
    "PersonThinned",
    "PlacementNotRunning",
    "ReversalExceedsPayment",
    "RuleViolation",
    "SealBroken",
    "StorageError",
    "StoreMissing",
    "StoreNotEmpty",
    "StoreNotEncrypted",
    "StoreNotInitialised",
    "TrainingOnly",
    "scrub",
]


class DemoStopped(LedgerError):
    """``ledger demo`` stopped after some of its batches were committed (``events`` in the store)."""

    key = "demo_stopped"
    exit_code = 1
    stored = True  # the error's message says what is in the store, instead of "nothing was stored"
