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

_TERMS = {"reason": "reason", "kind": "kind", "rule": "rule"}


def message(error: LedgerError) -> str:
    params: dict[str, Any] = {k: term(_TERMS[k], v) if k in _TERMS else v for k, v in error.params.items()}
    if error.key == "rule_violation":
        details = ", ".join(f"{k}={v}" for k, v in error.params.items() if k != "rule")
        params = {"rule": params.get("rule", "?"), "details": details or "-"}
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
        return t("usage.missing", name=name)
    if isinstance(error, ce.NoSuchOption):
        return t("usage.no_such_option", name=error.option_name)
    if isinstance(error, ce.BadParameter):
        return t("usage.bad_value", name=name, detail=str(error.message).rstrip("."))
    return t("usage.other", detail=error.format_message())


def report(error: BaseException) -> int:
    """Print the error for a person; return the exit status."""
    from typer._click import exceptions as ce
    from typer.exceptions import Abort

    if isinstance(error, LedgerError):
        text, code = message(error), error.exit_code
    elif isinstance(error, ce.UsageError):
        text, code = usage_message(error), 2
        if error.ctx is not None:
            text += " " + t("usage.hint", command=error.ctx.command_path)
    elif isinstance(error, Abort):
        return 1
    else:
        text, code = t("internal_error", name=type(error).__name__), 3
    sys.stderr.write(f"{t('err.prefix')}: {text} {t('err.nothing_stored')}\n")
    if os.environ.get("LEDGER_DEBUG") == "1":
        raise error
    return code
