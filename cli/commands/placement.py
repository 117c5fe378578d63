"""``ledger placement`` and ``ledger service``: interventions that run, and end."""

from __future__ import annotations

from typing import Annotated

import typer

from ledger.cli.common import AsOpt, CaseArg, DateOpt, JsonOpt, NoteOpt, opt, recorded, services, typed
from ledger.cli.i18n import t

placement = typer.Typer(help=t("grp.placement"), no_args_is_help=True)
service = typer.Typer(help=t("grp.service"), no_args_is_help=True)
PlacementArg = Annotated[str, typer.Argument(help=t("opt.placement_id"), metavar="PLACEMENT", show_default=False)]
ServiceArg = Annotated[str, typer.Argument(help=t("opt.service_id"), metavar="SERVICE", show_default=False)]


@placement.command("start", help=t("cmd.placement.start"))
def start(
    case: CaseArg,
    provider: Annotated[str, opt("opt.provider", "--provider")],
    intervention: Annotated[str, opt("opt.intervention", "--intervention")],
    daily_price: Annotated[str, opt("opt.daily_price", "--daily-price")],
    planned_end: Annotated[str | None, opt("opt.planned_end", "--planned-end")] = None,
    decision: Annotated[str | None, opt("opt.decision_id", "--decision")] = None,
    urgent: Annotated[bool, opt("opt.urgent", "--urgent")] = False,
    date: DateOpt = None, note: NoteOpt = None, as_: AsOpt = None, as_json: JsonOpt = False,
) -> None:
    ref = services(as_).ledger.start_placement(
        case, provider=provider, intervention=intervention, daily_price=daily_price, planned_end=planned_end,
        decision=decision, urgent=urgent, on=date, note=note,
    )
    recorded(as_json, case, "placement", ref)


@placement.command("extend", help=t("cmd.placement.extend"))
def extend(
    case: CaseArg,
    placement_id: PlacementArg,
    planned_end: Annotated[str, opt("opt.planned_end", "--planned-end")],
    daily_price: Annotated[str | None, opt("opt.daily_price", "--daily-price")] = None,
    decision: Annotated[str | None, opt("opt.decision_id", "--decision")] = None,
    date: DateOpt = None, note: NoteOpt = None, as_: AsOpt = None, as_json: JsonOpt = False,
) -> None:
    services(as_).ledger.extend_placement(
        case, placement_id, planned_end=planned_end, daily_price=daily_price, decision=decision, on=date, note=note
    )
    recorded(as_json, case, "placement_extended", placement_id.upper())


@placement.command("end", help=t("cmd.placement.end"))
def end(
    case: CaseArg,
    placement_id: PlacementArg,
    reason: Annotated[str, opt("opt.end_reason", "--reason", show_default=True)] = typed("end_reason", "planned"),
    date: DateOpt = None, note: NoteOpt = None, as_: AsOpt = None, as_json: JsonOpt = False,
) -> None:
    services(as_).ledger.end_placement(case, placement_id, reason=reason, on=date, note=note)
    recorded(as_json, case, "placement_ended", placement_id.upper())


@service.command("start", help=t("cmd.service.start"))
def start_service(
    case: CaseArg,
    provider: Annotated[str, opt("opt.provider", "--provider")],
    intervention: Annotated[str, opt("opt.intervention", "--intervention")],
    price: Annotated[str | None, opt("opt.price", "--price")] = None,
    price_unit: Annotated[str, opt("opt.price_unit", "--price-unit", show_default=True)] = typed("price_unit", "month"),
    decision: Annotated[str | None, opt("opt.decision_id", "--decision")] = None,
    urgent: Annotated[bool, opt("opt.urgent", "--urgent")] = False,
    date: DateOpt = None, note: NoteOpt = None, as_: AsOpt = None, as_json: JsonOpt = False,
) -> None:
    ref = services(as_).ledger.start_service(
        case, provider=provider, intervention=intervention, price=price, price_unit=price_unit, decision=decision,
        urgent=urgent, on=date, note=note,
    )
    recorded(as_json, case, "service", ref)


@service.command("end", help=t("cmd.service.end"))
def end_service(
    case: CaseArg, service_id: ServiceArg,
    date: DateOpt = None, note: NoteOpt = None, as_: AsOpt = None, as_json: JsonOpt = False,
) -> None:
    services(as_).ledger.end_service(case, service_id, on=date, note=note)
    recorded(as_json, case, "service_ended", service_id.upper())
