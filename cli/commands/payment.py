"""``ledger payment`` and ``ledger grant``: money out, and state money in."""

from __future__ import annotations

from typing import Annotated

import typer

from ledger.cli.common import AsOpt, CaseArg, DateOpt, JsonOpt, NoteOpt, opt, recorded, services
from ledger.cli.i18n import t

payment = typer.Typer(help=t("grp.payment"), no_args_is_help=True)
grant = typer.Typer(help=t("grp.grant"), no_args_is_help=True)


@payment.command("record", help=t("cmd.payment.record"))
def record(
    case: CaseArg,
    amount: Annotated[str, typer.Argument(help=t("opt.amount"), metavar="AMOUNT", show_default=False)],
    period_start: Annotated[str, opt("opt.from", "--from")],
    period_end: Annotated[str, opt("opt.to", "--to")],
    provider: Annotated[str | None, opt("opt.provider", "--provider")] = None,
    placement: Annotated[str | None, opt("opt.placement_id", "--placement")] = None,
    service: Annotated[str | None, opt("opt.service_id", "--service")] = None,
    invoice: Annotated[str | None, opt("opt.invoice", "--invoice")] = None,
    date: DateOpt = None, note: NoteOpt = None, as_: AsOpt = None, as_json: JsonOpt = False,
) -> None:
    ref = services(as_).ledger.record_payment(
        case, amount, period_start=period_start, period_end=period_end, provider=provider, placement=placement,
        service=service, invoice=invoice, on=date, note=note,
    )
    recorded(as_json, case, "payment", ref)


@payment.command("reverse", help=t("cmd.payment.reverse"))
def reverse(
    case: CaseArg,
    payment_id: Annotated[str, typer.Argument(help=t("opt.payment_id"), metavar="PAYMENT", show_default=False)],
    amount: Annotated[str | None, opt("opt.reverse_amount", "--amount")] = None,
    date: DateOpt = None, note: NoteOpt = None, as_: AsOpt = None, as_json: JsonOpt = False,
) -> None:
    ref = services(as_).ledger.reverse_payment(case, payment_id, amount=amount, on=date, note=note)
    recorded(as_json, case, "reversal", ref)


@grant.command("apply", help=t("cmd.grant.apply"))
def apply(
    case: CaseArg,
    reference: Annotated[str, opt("opt.reference", "--reference")],
    amount: Annotated[str, opt("opt.amount", "--amount")],
    period_start: Annotated[str, opt("opt.from", "--from")],
    period_end: Annotated[str, opt("opt.to", "--to")],
    date: DateOpt = None, note: NoteOpt = None, as_: AsOpt = None, as_json: JsonOpt = False,
) -> None:
    services(as_).ledger.apply_grant(
        case, reference=reference, amount=amount, period_start=period_start, period_end=period_end, on=date, note=note
    )
    recorded(as_json, case, "grant_applied", reference)


@grant.command("decide", help=t("cmd.grant.decide"))
def decide(
    case: CaseArg,
    reference: Annotated[str, opt("opt.reference", "--reference")],
    outcome: Annotated[str, opt("opt.grant_outcome", "--outcome")],
    amount: Annotated[str | None, opt("opt.amount", "--amount")] = None,
    date: DateOpt = None, note: NoteOpt = None, as_: AsOpt = None, as_json: JsonOpt = False,
) -> None:
    services(as_).ledger.decide_grant(case, reference=reference, outcome=outcome, amount=amount, on=date, note=note)
    recorded(as_json, case, "grant_decided", reference)
