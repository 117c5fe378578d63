"""The ``ledger`` command: one Typer sub-app per noun, errors mapped to exit status in one place."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from ledger.cli import common
from ledger.cli.commands import (
    assessment,
    case,
    consent,
    contact,
    decision,
    followup,
    payment,
    placement,
    projections,
    provider,
    stats,
)
from ledger.cli.common import JsonOpt, opt, print_json
from ledger.cli.i18n import LANG, t

app = typer.Typer(
    help=t("app.help"),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(case.app, name="case")
app.add_typer(contact.contact, name="contact")
app.add_typer(consent.app, name="consent")
app.add_typer(assessment.assessment, name="assessment")
app.add_typer(assessment.investigation, name="investigation")
app.add_typer(assessment.threat, name="threat")
app.add_typer(decision.app, name="decision")
app.add_typer(placement.placement, name="placement")
app.add_typer(placement.service, name="service")
app.add_typer(payment.payment, name="payment")
app.add_typer(payment.grant, name="grant")
app.add_typer(followup.app, name="followup")
app.add_typer(contact.share, name="share")
app.add_typer(contact.relative, name="relative")
app.add_typer(contact.child, name="child")
app.add_typer(provider.provider, name="provider")
app.add_typer(provider.budget, name="budget")
app.add_typer(projections.app, name="projections")
app.command("stats", help=t("cmd.stats"))(stats.stats)


@app.callback()
def main_options(
    db: Annotated[str | None, opt("opt.db", "--db")] = None,
    as_: Annotated[str | None, opt("opt.as", "--as")] = None,
) -> None:
    common.STATE["db"] = db
    common.STATE["user"] = as_


@app.command("info", help=t("cmd.info"))
def info(as_json: JsonOpt = False) -> None:
    data = common.reader().info()
    if as_json:
        print_json(data)
        return
    typer.echo(f"{t('label.database')}: {data['database']}")
    typer.echo(f"{t('label.backend')}: {data['backend']}")
    typer.echo(f"{t('label.events')}: {data['events']}")
    for name, position in data["projections"].items():
        typer.echo(f"{t('label.projection', name=name)}: {position}")


@app.command("demo", help=t("cmd.demo"))
def demo(
    cases: Annotated[int, opt("opt.cases", "--cases", show_default=True)] = 30,
    years: Annotated[int, opt("opt.years", "--years", show_default=True)] = 2,
    seed: Annotated[int, opt("opt.seed", "--seed", show_default=True)] = 1,
    municipality: Annotated[str, opt("opt.municipality", "--municipality", show_default=True)] = "Demokommun",
    as_json: JsonOpt = False,
) -> None:
    import time

    from ledger.demo import generate

    started = time.perf_counter()
    result = generate(common.ledger("demo"), cases=cases, years=years, seed=seed, municipality=municipality)
    seconds = f"{time.perf_counter() - started:.1f}"
    common.done(
        as_json, t("done.demo", cases=result["cases"], events=result["events"], seconds=seconds), **result
    )


def _swedish_help() -> None:
    """Typer's help panel titles in Swedish; only loaded when help is shown (rich is slow to import)."""
    import typer.rich_utils as ru

    if ru.OPTIONS_PANEL_TITLE == "Flaggor":
        return
    ru.OPTIONS_PANEL_TITLE = "Flaggor"
    ru.ARGUMENTS_PANEL_TITLE = "Argument"
    ru.COMMANDS_PANEL_TITLE = "Kommandon"
    ru.REQUIRED_LONG_STRING = "[krävs]"
    ru.DEFAULT_STRING = "[standard: {}]"

    from typer._click.core import Command

    original = Command.get_help_option

    def get_help_option(self: Command, ctx: object) -> object:
        option = original(self, ctx)  # type: ignore[arg-type]
        if option is not None:
            option.help = "Visa denna hjälp och avsluta."
        return option

    Command.get_help_option = get_help_option  # type: ignore[method-assign]


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the app; map every error to a message and exit status."""
    args = sys.argv[1:] if argv is None else argv
    if LANG == "sv" and (not args or "--help" in args or "-h" in args):
        _swedish_help()
    try:
        code = app(args=args, standalone_mode=False, prog_name="ledger")
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as error:  # noqa: BLE001 - the one place errors become exit statuses
        from ledger.cli.errors import report

        sys.exit(report(error))
    sys.exit(code if isinstance(code, int) else 0)
