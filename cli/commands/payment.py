"""``ledger payment`` and ``ledger grant``: money out, and state money in."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

import typer

from ledger.cli.common import AsOpt, CaseArg, DateOpt, JsonOpt, NoteOpt, opt, print_json, recorded, services
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
    confirm_duplicate: Annotated[str | None, opt("opt.confirm_duplicate", "--confirm-duplicate",
                                                 metavar="REASON")] = None,
    over_price: Annotated[str | None, opt("opt.over_price", "--over-price", metavar="REASON")] = None,
    date: DateOpt = None, note: NoteOpt = None, as_: AsOpt = None, as_json: JsonOpt = False,
) -> None:
    ref = services(as_).ledger.record_payment(
        case, amount, period_start=period_start, period_end=period_end, provider=provider, placement=placement,
        service=service, invoice=invoice, confirm_duplicate=confirm_duplicate, over_price=over_price, on=date,
        note=note,
    )
    recorded(as_json, case, "payment", ref)


@payment.command("list", help=t("cmd.payment.list"))
def list_(
    case: Annotated[str | None, opt("opt.payment_case", "--case", metavar="CASE")] = None,
    provider: Annotated[str | None, opt("opt.payment_provider", "--provider", metavar="CODE")] = None,
    invoice: Annotated[str | None, opt("opt.payment_invoice", "--invoice", metavar="NR")] = None,
    since: Annotated[str | None, opt("opt.payment_from", "--from", metavar="DATE")] = None,
    until: Annotated[str | None, opt("opt.payment_to", "--to", metavar="DATE")] = None,
    as_json: JsonOpt = False,
) -> None:
    rows = services().queries.payments(case=case, provider=provider, invoice=invoice, since=since, until=until)
    if as_json:
        print_json(rows)
        return
    if not rows:
        typer.echo(t("label.no_payments"))
        return
    from ledger.cli.render import console

    console().print(payments_table(rows))


def payments_table(rows: list[dict[str, Any]]) -> Any:
    """``payment list``: one row per payment; amounts the Swedish way (``1 234,50``) in Swedish."""
    from rich.table import Table

    from ledger.cli.render import money

    table = Table(title=t("title.payments"), title_justify="left")
    for key in ("case", "payment_id", "provider", "invoice", "period", "amount", "reversed", "remarks"):
        table.add_column(t(f"payment.col.{key}"), justify="right" if key in ("amount", "reversed") else "left",
                         no_wrap=key in ("case", "period", "amount", "reversed"), overflow="fold")
    for row in rows:
        remarks = []
        if row["duplicate"]:
            remarks.append(t("payment.duplicate", reason=row["duplicate_reason"] or t("payment.no_reason")))
        if row["over_price"]:
            remarks.append(t("payment.over_price", limit=money(row["price_limit"]),
                             reason=row["over_price_reason"] or t("payment.no_reason")))
        reversed_ = money(row["reversed"]) if Decimal(row["reversed"]) else t("label.none")
        table.add_row(row["case"], row["payment_id"], row["provider"], row["invoice_number"] or t("label.none"),
                      f"{row['period_start']}–{row['period_end']}", money(row["amount"]), reversed_,
                      "; ".join(remarks) or t("label.none"))
    return table


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
