"""``ledger consent``: grant and revoke, per recipient."""

from __future__ import annotations

from typing import Annotated

import typer

from ledger.cli.common import AsOpt, CaseArg, DateOpt, JsonOpt, NoteOpt, opt, recorded, services, typed
from ledger.cli.i18n import t

app = typer.Typer(help=t("grp.consent"), no_args_is_help=True)


@app.command("grant", help=t("cmd.consent.grant"))
def grant(
    case: CaseArg,
    recipient: Annotated[str, opt("opt.recipient", "--recipient")],
    purpose: Annotated[str, opt("opt.purpose", "--purpose")],
    form: Annotated[str, opt("opt.form", "--form", show_default=True)] = typed("consent_form", "written"),
    provider: Annotated[str | None, opt("opt.provider", "--provider")] = None,
    valid_until: Annotated[str | None, opt("opt.valid_until", "--valid-until")] = None,
    date: DateOpt = None, note: NoteOpt = None, as_: AsOpt = None, as_json: JsonOpt = False,
) -> None:
    services(as_).ledger.grant_consent(
        case, recipient, purpose=purpose, form=form, provider=provider, valid_until=valid_until, on=date, note=note
    )
    recorded(as_json, case, "consent_granted")


@app.command("revoke", help=t("cmd.consent.revoke"))
def revoke(
    case: CaseArg,
    recipient: Annotated[str, opt("opt.recipient", "--recipient")],
    form: Annotated[str, opt("opt.form", "--form", show_default=True)] = typed("consent_form", "written"),
    provider: Annotated[str | None, opt("opt.provider", "--provider")] = None,
    date: DateOpt = None, note: NoteOpt = None, as_: AsOpt = None, as_json: JsonOpt = False,
) -> None:
    services(as_).ledger.revoke_consent(case, recipient, form=form, provider=provider, on=date, note=note)
    recorded(as_json, case, "consent_revoked")
