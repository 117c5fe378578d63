"""The one place that turns errors into a message on stderr and an exit status.

Exit status: 0 success, 1 a rule refused, 2 malformed input, 3 internal error.
Messages name the case and the rule, never an identity number; no traceback is shown
(it could hold personal data) unless ``LEDGER_DEBUG=1``.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from ledger.cli.i18n import CATALOGUE, LANG, t, term
from ledger.domain.errors import LedgerError

_TERMS = {"reason": "reason", "kind": "kind", "rule": "rule", "action": "action"}
#: The vocabulary of a refused rule's detail (its label is ``detail.<name>``).
_DETAIL_TERMS = {"outcome": "outcome", "recipient": "recipient"}
#: Errors whose parameters are sums of money, written the Swedish way (``96 000,00``) in the message.
_MONEY_PARAMS = {"payment_over_price": ("amount", "limit"), "reversal_exceeds_payment": ("amount", "left")}


def message(error: LedgerError) -> str:
    params: dict[str, Any] = {k: term(_TERMS[k], v) if k in _TERMS else v for k, v in error.params.items()}
    if "recipient" in params:
        from ledger.cli.describe import recipient_text

        params["recipient"] = recipient_text(str(params["recipient"]))
    if "intervention" in params:
        params["intervention"] = term("intervention", params["intervention"])
    if error.key in _MONEY_PARAMS:
        from ledger.cli.describe import money_text

        params.update({k: money_text(params[k]) for k in _MONEY_PARAMS[error.key] if k in params})
    if error.key == "rule_violation":
        details = ", ".join(f"{term('detail', k)}: {term(_DETAIL_TERMS[k], v) if k in _DETAIL_TERMS else v}"
                            for k, v in error.params.items() if k != "rule")
        text = t("rule_violation", rule=params.get("rule", "?"), details=details or "-")
        return text if details else text.replace(" (-)", "")
    variant = f"{error.key}.{error.params.get('next')}"
    if error.key == "not_found" and error.params.get("case") and error.params.get("kind") not in ("case", "person"):
        variant = "not_found.in_case"
    if variant in CATALOGUE:
        return t(variant, **params)
    elif error.key == "access_denied":
        roles = [term("role", r.strip()) for r in str(error.params.get("roles", "")).split(",") if r.strip()]
        why = f"access.why.{error.params.get('why')}"
        params = {"action": error.params.get("action", "?"), "roles": t("or").join(roles) or "-",
                  "why": t(why) if why in CATALOGUE else ""}
    elif error.key == "invalid_choice" and LANG == "en" and "codes" in params:
        params["allowed"] = params["codes"]  # the Swedish labels are accepted too, but English readers get the codes
    elif error.key == "not_found" and error.params.get("kind") == "person":
        return t("not_found_person")  # never the number that was typed
    elif error.key == "not_found" and error.params.get("kind") == "case":
        # a protected case one may not see is reported exactly like one that does not exist
        return t("not_found_case", ref=error.params.get("ref", "?"))
    try:
        return t(error.key, **params) if error.key in CATALOGUE else t("error")
    except (KeyError, IndexError):
        return t("error")


def usage_message(error: Any) -> str:
    """Click's usage errors (missing or unknown option, bad value) in the current language."""
    from typer._click import exceptions as ce

    param = getattr(error, "param", None)
    name = "/".join(param.opts) if param is not None and getattr(param, "opts", None) else (
        getattr(param, "human_readable_name", None) or "?"
    )
    if isinstance(error, ce.MissingParameter):
        if getattr(param, "param_type_name", None) == "argument":  # as the help names it: CASE, AMOUNT
            return t("usage.missing_argument", name=str(getattr(param, "name", "?")).upper())
        return t("usage.missing", name=name)
    if isinstance(error, ce.NoSuchOption):
        return t("usage.no_such_option", name=error.option_name)
    if isinstance(error, ce.BadParameter):
        detail = _translated(str(error.message), _VALUE_MESSAGES)
        return t("usage.bad_value", name=name, detail=detail) if detail else t("usage.bad_value_plain", name=name)
    text = error.format_message()
    return _translated(text, _USAGE_MESSAGES) or t("usage.other", detail=text)


#: Click's and Typer's own English messages, by pattern, as catalogue keys (the user reads their language).
_USAGE_MESSAGES = (
    (r"No such command '(?P<name>[^']*)'\.", "usage.no_such_command"),
    (r"Missing command\.", "usage.missing_command"),
    (r"Got unexpected extra argument\(s\) \((?P<name>.*)\)\.?", "usage.extra_argument"),
    (r"Option '(?P<name>[^']*)' does not take a value\.", "usage.no_value_wanted"),
    (r"Option '(?P<name>[^']*)' requires an argument\.", "usage.value_needed"),
    (r"Option '(?P<name>[^']*)' requires (?P<count>\d+) arguments\.", "usage.values_needed"),
    (r"Argument '(?P<name>[^']*)' takes (?P<count>\d+) values\.", "usage.values_needed"),
)
_VALUE_MESSAGES = (
    (r"Input should be a valid integer.*", "usage.want_integer"),
    (r"Input should be a valid number.*", "usage.want_number"),
    (r"Input should be a valid boolean.*", "usage.want_boolean"),
    (r"Input should be a valid date.*", "usage.want_date"),
    (r".*is not a valid integer.*", "usage.want_integer"),
    (r"Input should be greater than or equal to (?P<low>\S+?)\.?", "usage.want_at_least"),
    (r"Input should be less than or equal to (?P<high>\S+?)\.?", "usage.want_at_most"),
)


def _translated(text: str, patterns: tuple[tuple[str, str], ...]) -> str | None:
    import re

    for pattern, key in patterns:
        found = re.fullmatch(pattern, text.strip())
        if found:
            return t(key, **found.groupdict())
    return None


def report(error: BaseException) -> int:
    """Print the error for a person; return the exit status."""
    from typer._click import exceptions as ce
    from typer.exceptions import Abort

    if isinstance(error, LedgerError):
        text, code = message(error), error.exit_code
    elif isinstance(error, ce.UsageError) and type(error).__name__ == "NoArgsIsHelpError" and error.ctx is not None:
        if LANG == "sv":
            from ledger.cli.main import _swedish_help

            _swedish_help()
        sys.stdout.write(error.ctx.get_help() + "\n")
        return 2
    elif isinstance(error, ce.UsageError):
        text, code = usage_message(error), 2
        if error.ctx is not None:
            text += " " + t("usage.hint", command=error.ctx.command_path)
    elif isinstance(error, Abort):
        return 1
    else:
        text, code = t("internal_error", name=type(error).__name__), 3
    stored = getattr(error, "stored", False)
    sys.stderr.write(f"{t('err.prefix')}: {text}" + ("" if stored else f" {t('err.nothing_stored')}") + "\n")
    if os.environ.get("LEDGER_DEBUG") == "1":
        raise error
    return code
