"""``ledger projections``: how far each read model has read, and rebuilding them from zero."""

from __future__ import annotations

from typing import Annotated

import typer

from ledger.cli.common import JsonOpt, print_json, services
from ledger.cli.i18n import t, term

app = typer.Typer(help=t("grp.projections"), no_args_is_help=True)


@app.command("status", help=t("cmd.projections.status"))
def status(as_json: JsonOpt = False) -> None:
    rows = services().housekeeping.status()
    if as_json:
        print_json(rows)
        return
    from rich.table import Table

    from ledger.cli.render import console

    table = Table(title=t("title.projections"), title_justify="left")
    for key in ("name", "version", "position", "head", "lag"):
        table.add_column(t(f"col.{key}"), justify="left" if key == "name" else "right")
    for row in rows:
        table.add_row(term("projection", row["name"]), str(row["version"]), str(row["position"]), str(row["head"]),
                      str(row["lag"]))
    console().print(table)


@app.command("rebuild", help=t("cmd.projections.rebuild"))
def rebuild(
    name: Annotated[str | None, typer.Argument(help=t("arg.projection"), metavar="NAME", show_default=False)] = None,
    as_json: JsonOpt = False,
) -> None:
    housekeeping = services().housekeeping
    name = _code(name)
    if as_json:
        print_json(housekeeping.rebuild(name))
        return
    housekeeping.rebuild_names(name)  # refused before the progress bar shows
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

    # Redrawn as each window is done, not by a thread of its own: a process with a second thread does
    # not fork, and the rebuild's projections catch up in parallel processes (projections/parallel.py).
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(), auto_refresh=False,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(projection: str, position: int, head: int) -> None:
            if projection not in tasks:
                tasks[projection] = bar.add_task(term("projection", projection), total=head, rate="")
            task = bar.tasks[tasks[projection]]
            bar.update(tasks[projection], completed=position)
            speed = task.speed
            bar.update(tasks[projection], rate=f"{speed:,.0f} {t('label.events_per_s')}" if speed else "")
            bar.refresh()

        reached = housekeeping.rebuild(name, progress=progress)
    typer.echo(t("done.rebuilt", names=", ".join(reached)))


def _code(name: str | None) -> str | None:
    """A projection's name as typed: its code, or its label (``ärendelista``)."""
    from ledger.cli.i18n import CATALOGUE

    if name is None:
        return None
    wanted = name.strip().casefold()
    for key, labels in CATALOGUE.items():
        if key.startswith("projection.") and wanted in (labels[0].casefold(), labels[1].casefold()):
            return key.split(".", 1)[1]
    return name
