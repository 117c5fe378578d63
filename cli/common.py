"""What every command shares: options, the services it talks to, and how results are printed.

Nothing here imports the database stack at module level, so ``ledger --help`` stays fast. The
configuration (``--db``, ``--as``, the environment) is resolved once per invocation, by the root
command, into the context's :class:`Session`.
"""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ledger.cli.i18n import LANG, t, term

if TYPE_CHECKING:
    from ledger.bootstrap import Services

DateOpt = Annotated[str | None, typer.Option("--date", "-d", help=t("opt.date"), show_default=False)]
NoteOpt = Annotated[str | None, typer.Option("--note", help=t("opt.note"), show_default=False)]
AsOpt = Annotated[str | None, typer.Option("--as", help=t("opt.as"), show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help=t("opt.json"))]
CaseArg = Annotated[str, typer.Argument(help=t("arg.case"), metavar="CASE", show_default=False)]


#: Options whose help lists a vocabulary's values (``{choices}``): the catalogue prefix of the vocabulary.
_CHOICES = {
    "opt.journal_kind": "journal", "opt.court_outcome": "court", "opt.protect_level": "protection",
    "opt.identity_kind": "identity_kind", "opt.gender": "gender", "opt.environment": "environment",
    "opt.source": "source", "opt.type": "actualisation", "opt.protection": "protection", "opt.channel": "channel",
    "opt.recipient": "recipient", "opt.form": "consent_form", "opt.assessment_outcome": "assessment",
    "opt.unit": "unit", "opt.level": "threat", "opt.decision_status": "decision_status",
    "opt.end_reason": "end_reason", "opt.price_unit": "price_unit", "opt.grant_outcome": "grant_outcome",
    "opt.time_point": "time_point", "opt.housing": "housing", "opt.occupation": "occupation",
    "opt.relation": "relation", "opt.closure_reason": "closure", "opt.decision_outcome": "outcome",
    "opt.intervention": "intervention", "opt.assessment_reason": "assessment_reason", "opt.answer": "answer",
}


def choices(prefix: str) -> str:
    """A vocabulary's values as the user may type them: the Swedish labels (Swedish) or the codes (English)."""
    from ledger.cli.catalogue_vocab import PREFIXES

    codes = [member.value for member in PREFIXES[prefix]]
    return ", ".join(codes if LANG == "en" else (term(prefix, code) for code in codes))


def opt(key: str, *names: str, **kwargs: Any) -> Any:
    """A Typer option with translated help (a vocabulary's values filled in where the text asks)."""
    text = t(key, choices=choices(_CHOICES[key])) if key in _CHOICES else t(key)
    return typer.Option(*names, help=text, show_default=kwargs.pop("show_default", False), **kwargs)


def typed(prefix: str, code: str) -> str:
    """A vocabulary default as the user would type it (the help shows it): the label, or the code in English."""
    return code if LANG == "en" else term(prefix, code)


class Session:
    """The root command's options; services built from them once, when a command first asks."""

    def __init__(self, db: str | None = None, user: str | None = None) -> None:
        self.db, self.user = db, user
        self._services: dict[str | None, Services] = {}

    def services(self, as_: str | None = None, creating: bool = False) -> Services:
        """The services for ``as_`` (or the root's ``--as``). A database named with ``--db`` or
        ``LEDGER_DB`` must exist unless the command makes one (``creating``: ``init``, ``demo``): a
        mistyped path is refused, not created empty."""
        user = as_ or self.user
        found = self._services.get(user)
        if found is None:
            from ledger.adapters.config import Config
            from ledger.bootstrap import Services

            found = self._services[user] = Services(Config.resolve(self.db, user))
        if not creating and (self.db or os.environ.get("LEDGER_DB")):
            found.existing()
        from ledger.cli.entry import loaded

        loaded()  # the collector on again for the command's own work (cli/entry.py)
        return found

    @property
    def training(self) -> bool:
        """Whether a command of this run acted on a training store (every view says so)."""
        return any(getattr(s.__dict__.get("actor"), "training", False) for s in self._services.values())


def services(as_: str | None = None) -> Services:
    """The services of this invocation (``as_``: the command's own ``--as``, if it has one)."""
    from typer._click.globals import get_current_context  # Typer's own click, not the click package

    context = get_current_context()
    session = context.find_root().obj
    if not isinstance(session, Session):  # a command built on its own, without the root's options
        session = Session(None, None)
    return session.services(as_, creating=context.command_path.split()[1:2] in (["init"], ["demo"], ["import"]))


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def done(as_json: bool, message: str, **data: Any) -> None:
    """Confirm a recording: one translated line, or ``{"ok": true, ...}`` with ``--json``."""
    if as_json:
        print_json({"ok": True, **data})
    else:
        typer.echo(message)


def recorded(as_json: bool, case: str, what: str, ref: str | None = None) -> None:
    if ref is None:
        done(as_json, t("done.recorded", case=case.upper(), what=t(f"what.{what}")), case=case.upper(), event=what)
    else:
        done(
            as_json,
            t("done.recorded_id", case=case.upper(), what=t(f"what.{what}"), id=ref),
            case=case.upper(),
            event=what,
            id=ref,
        )
