"""``ledger contact``, ``ledger relative``, ``ledger child``, ``ledger share``: what happens around the person."""

from __future__ import annotations

from typing import Annotated

import typer

from ledger.cli.common import AsOpt, CaseArg, DateOpt, JsonOpt, NoteOpt, opt, recorded, services
from ledger.cli.i18n import t

contact = typer.Typer(help=t("grp.contact"), no_args_is_help=True)
relative = typer.Typer(help=t("grp.relative"), no_args_is_help=True)
child = typer.Typer(help=t("grp.child"), no_args_is_help=True)
share = typer.Typer(help=t("grp.share"), no_args_is_help=True)


@contact.command("add", help=t("cmd.contact.add"))
def add_contact(
    case: CaseArg,
    channel: Annotated[str, opt("opt.channel", "--channel")],
    with_whom: Annotated[str | None, opt("opt.with_whom", "--with")] = None,
    date: DateOpt = None, note: NoteOpt = None, as_: AsOpt = None, as_json: JsonOpt = False,
) -> None:
    services(as_).ledger.record_contact(case, channel, with_whom=with_whom, on=date, note=note)
    recorded(as_json, case, "contact")


@relative.command("add", help=t("cmd.relative.add"))
def add_relative(
    case: CaseArg,
    relation: Annotated[str, opt("opt.relation", "--relation")],
    date: DateOpt = None, note: NoteOpt = None, as_: AsOpt = None, as_json: JsonOpt = False,
) -> None:
    services(as_).ledger.record_relative(case, relation, on=date, note=note)
    recorded(as_json, case, "relative")


@child.command("add", help=t("cmd.child.add"))
def add_child(
    case: CaseArg,
    birth_year: Annotated[int | None, opt("opt.birth_year", "--birth-year")] = None,
    date: DateOpt = None, note: NoteOpt = None, as_: AsOpt = None, as_json: JsonOpt = False,
) -> None:
    services(as_).ledger.record_child(case, birth_year=birth_year, on=date, note=note)
    recorded(as_json, case, "child")


@share.command("record", help=t("cmd.share.record"))
def record_share(
    case: CaseArg,
    recipient: Annotated[str, opt("opt.recipient", "--recipient")],
    what: Annotated[str, opt("opt.what", "--what")],
    provider: Annotated[str | None, opt("opt.provider", "--provider")] = None,
    legal_basis: Annotated[str | None, opt("opt.legal_basis", "--legal-basis")] = None,
    date: DateOpt = None, note: NoteOpt = None, as_: AsOpt = None, as_json: JsonOpt = False,
) -> None:
    services(as_).ledger.record_share(case, recipient, what=what, provider=provider, legal_basis=legal_basis, on=date,
                                      note=note)
    recorded(as_json, case, "share")
