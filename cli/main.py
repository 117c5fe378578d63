"""The ``ledger`` command: one Typer sub-app per noun, errors mapped to exit status in one place."""

from __future__ import annotations

import os
import sys
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from ledger.cli.common import JsonOpt, Session, done, opt, print_json, services
from ledger.cli.i18n import LANG, t, term

#: The nouns: name -> (module in ledger.cli.commands, its Typer app, help key). Each sub-app is
#: imported and built only when it is used, so a command pays for its own options only.
GROUPS: dict[str, tuple[str, str, str]] = {
    "case": ("case", "app", "grp.case"),
    "contact": ("contact", "contact", "grp.contact"),
    "consent": ("consent", "app", "grp.consent"),
    "assessment": ("assessment", "assessment", "grp.assessment"),
    "investigation": ("assessment", "investigation", "grp.investigation"),
    "threat": ("assessment", "threat", "grp.threat"),
    "decision": ("decision", "app", "grp.decision"),
    "placement": ("placement", "placement", "grp.placement"),
    "service": ("placement", "service", "grp.service"),
    "payment": ("payment", "payment", "grp.payment"),
    "grant": ("payment", "grant", "grp.grant"),
    "followup": ("followup", "app", "grp.followup"),
    "share": ("contact", "share", "grp.share"),
    "relative": ("contact", "relative", "grp.relative"),
    "child": ("contact", "child", "grp.child"),
    "provider": ("provider", "provider", "grp.provider"),
    "budget": ("provider", "budget", "grp.budget"),
    "projections": ("projections", "app", "grp.projections"),
    "audit": ("audit", "app", "grp.audit"),
    "tillsyn": ("tillsyn", "app", "grp.tillsyn"),
    "user": ("users", "user", "grp.user"),
    "settings": ("gallring", "settings", "grp.settings"),
    "journal": ("journal", "journal", "grp.journal"),
    "plan": ("journal", "plan", "grp.plan"),
    "document": ("documents", "app", "grp.document"),
}

#: Single top-level commands built the same lazy way: name -> (module, its one-command Typer app, help key).
COMMANDS: dict[str, tuple[str, str, str]] = {
    "history": ("history", "history_app", "cmd.history"),
    "correct": ("history", "correct_app", "cmd.correct"),
    "verify": ("verify", "verify_app", "cmd.verify"),
    "digest": ("verify", "digest_app", "cmd.digest"),
    "export": ("verify", "export_app", "cmd.export"),
    "import": ("verify", "import_app", "cmd.import"),
    "access-log": ("access", "app", "cmd.access_log"),
    "init": ("users", "init_app", "cmd.init"),
    "migrate": ("users", "migrate_app", "cmd.migrate"),
    "gallring": ("gallring", "gallring_app", "cmd.gallring"),
    "registerutdrag": ("extract", "app", "cmd.registerutdrag"),
}


def group_app(name: str) -> typer.Typer:
    """The Typer app of one noun or lazy top-level command (imports its module)."""
    import importlib

    module, attribute, _ = GROUPS[name] if name in GROUPS else COMMANDS[name]
    found: typer.Typer = getattr(importlib.import_module(f"ledger.cli.commands.{module}"), attribute)
    return found


class LazyRoot(TyperGroup):
    """The root command: builds a noun's commands only when that noun is invoked.

    Listing the nouns in ``ledger --help`` needs only their one-line help, from the catalogue.
    """

    listing = False

    def list_commands(self, ctx: object) -> list[str]:
        # A stable order whichever nouns were already built: top-level commands, then the nouns.
        lazy = {**COMMANDS, **GROUPS}
        return [*(name for name in self.commands if name not in lazy), *COMMANDS, *GROUPS]

    def get_command(self, ctx: Any, name: str) -> Any:
        found = self.commands.get(name)
        if found is not None or (name not in GROUPS and name not in COMMANDS):
            return found
        if self.listing:
            if name in COMMANDS:
                from typer.core import TyperCommand

                return TyperCommand(name=name, help=t(COMMANDS[name][2]))
            return TyperGroup(name=name, help=t(GROUPS[name][2]))
        import typer.main

        built = typer.main.get_group(group_app(name)) if name in GROUPS else typer.main.get_command(group_app(name))
        built.name = name
        self.commands[name] = built
        return built

    def format_help(self, ctx: object, formatter: object) -> None:
        self.listing = True
        try:
            super().format_help(ctx, formatter)  # type: ignore[arg-type]
        finally:
            self.listing = False


app = typer.Typer(
    cls=LazyRoot,
    help=t("app.help"),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Annotated[str | None, opt("opt.db", "--db")] = None,
    as_: Annotated[str | None, opt("opt.as", "--as")] = None,
) -> None:
    if isinstance(ctx.obj, Session):  # made by main(), which announces a training store afterwards
        ctx.obj.db, ctx.obj.user = db, as_
    else:
        ctx.obj = Session(db, as_)


from ledger.cli.commands.stats import stats as _stats_command  # noqa: E402 - registered after the callback

app.command("stats", help=t("cmd.stats"))(_stats_command)


@app.command("info", help=t("cmd.info"))
def info(as_json: JsonOpt = False) -> None:
    data = services().housekeeping.info()
    if as_json:
        print_json(data)
        return
    typer.echo(f"{t('label.database')}: {data['database']}")
    typer.echo(f"{t('label.backend')}: {data['backend']}")
    if data.get("ledger_role"):
        typer.echo(f"{t('label.ledger_role')}: {data['ledger_role']}")
    typer.echo(f"{t('label.user')}: {data['user']} ({', '.join(t(f'role.{r}') for r in data['roles']) or '–'})")
    if data.get("training"):
        typer.echo(t("training.banner"))
    typer.echo(f"{t('label.events')}: {data['events']}")
    for name, position in data["projections"].items():
        typer.echo(f"{t('label.projection', name=term('projection', name))}: {position}")


@app.command("demo", help=t("cmd.demo"))
def demo(
    cases: Annotated[int, opt("opt.cases", "--cases", show_default=True)] = 30,
    years: Annotated[int, opt("opt.years", "--years", show_default=True)] = 2,
    seed: Annotated[int, opt("opt.seed", "--seed", show_default=True)] = 1,
    municipality: Annotated[str, opt("opt.municipality", "--municipality", show_default=True)] = "Demokommun",
    as_json: JsonOpt = False,
) -> None:
    import time

    started = time.perf_counter()
    found = services()
    try:
        before = found.event_count()
    except Exception:  # noqa: BLE001 - not a store (yet): the demo itself says why
        before = 0
    try:
        result = found.demo(cases=cases, years=years, seed=seed, municipality=municipality)
    except (Exception, KeyboardInterrupt) as error:  # say what was written before the stop, then stop as before
        _demo_stopped(found, error, before)
        raise
    seconds = f"{time.perf_counter() - started:.1f}"
    done(
        as_json, t("done.demo", cases=result["cases"], events=result["events"], seconds=seconds), **result
    )


def _demo_stopped(found: Any, error: BaseException, before: int) -> None:
    """The demo writes in batches: if it stops after one was committed, "nothing was stored" would be
    untrue, so the error says how much is in the store and what to do."""
    from ledger.domain.errors import DemoStopped, LedgerError

    try:
        stored = found.event_count()
    except Exception:  # noqa: BLE001 - the store itself failed: the original error says why
        return
    if stored > before:
        from ledger.cli.errors import message

        cause = message(error).rstrip(".") if isinstance(error, LedgerError) else t("demo.interrupted")
        raise DemoStopped(events=stored, cause=cause) from error


def _plain_help() -> None:
    """Help as plain text, not rich panels: rich's help support alone takes longer to import
    than the rest of ``ledger --help``, and people wait for help."""
    import typer.core

    typer.core.HAS_RICH = False


_HEADINGS = {"Usage: ": "Användning: ", "Options": "Flaggor", "Arguments": "Argument", "Commands": "Kommandon",
             "required": "krävs", "default: {default}": "standard: {default}"}


def _swedish_help() -> None:
    """Click's and Typer's own words in the help, in Swedish."""
    import typer.core
    from typer._click import formatting
    from typer._click.core import Command

    if getattr(formatting.HelpFormatter, "swedish", False):
        return
    formatting.HelpFormatter.swedish = True  # type: ignore[attr-defined]
    typer.core._ = lambda message: _HEADINGS.get(message, message)
    original_heading, usage, help_option = (
        formatting.HelpFormatter.write_heading, formatting.HelpFormatter.write_usage, Command.get_help_option,
    )

    def write_heading(self: formatting.HelpFormatter, heading: str) -> None:
        original_heading(self, _HEADINGS.get(heading, heading))

    def write_usage(self: formatting.HelpFormatter, prog: str, args: str = "", prefix: str | None = None) -> None:
        usage(self, prog, args, prefix or _HEADINGS["Usage: "])

    def get_help_option(self: Command, ctx: Any) -> Any:
        option = help_option(self, ctx)
        if option is not None:
            option.help = "Visa denna hjälp och avsluta."
        return option

    formatting.HelpFormatter.write_heading = write_heading  # type: ignore[method-assign]
    formatting.HelpFormatter.write_usage = write_usage  # type: ignore[method-assign]
    Command.get_help_option = get_help_option  # type: ignore[method-assign]


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the app; map every error to a message and exit status.

    Without ``argv`` (the ``ledger`` command, ``python -m ledger.cli``: a process of its own) the
    process then ends without the garbage collector's last pass over every object it made (see
    :func:`_end_of_process`); called with ``argv`` (tests, scripts) it leaves the process as it is."""
    if argv is not None:
        _main(argv)
        return
    try:
        _main(sys.argv[1:])
    finally:
        _end_of_process()


def _end_of_process() -> None:
    """Before a command's process exits: its output flushed and every object it holds frozen
    (``gc.freeze``), so that the interpreter's exit does not walk them all with the garbage collector
    (about 100 ms of a recording command's 0.5 s, docs/performance.md). Exit still runs every
    ``atexit`` hook and frees what module teardown frees; Python does not promise to finalise objects
    still alive at exit either way, and nothing of the ledger's waits for it: every write is committed,
    every file it writes closed, before the command returns. The stores' connections end with the
    process as before (a SQLite store's WAL and shared-memory files stay, with the modes its
    administrator gave them: docs/deployment.md)."""
    import gc
    from contextlib import suppress

    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):  # a closed pipe (``| head``): nothing more to say there
            stream.flush()
    gc.freeze()


def _main(args: list[str]) -> None:
    os.umask(0o077)  # every file the ledger makes (store, WAL, keys, exports, reports) is its user's alone
    _plain_help()
    if LANG == "sv" and (not args or "--help" in args or "-h" in args):
        _swedish_help()
    session = Session()
    try:
        code = app(args=args, standalone_mode=False, prog_name="ledger", obj=session)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as error:  # noqa: BLE001 - the one place errors become exit statuses
        from ledger.cli.errors import report

        sys.exit(report(error))
    code = code if isinstance(code, int) else 0
    if session.training and code == 0:  # every answer from a training store says so (stderr: stdout stays parseable)
        sys.stderr.write(t("training.banner") + "\n")
    sys.exit(code)
