"""``ledger stats``: the yearly national follow-up statistics, and merging municipalities' exports."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ledger.cli.common import opt
from ledger.cli.i18n import t

FORMATS = ("table", "csv", "json", "xlsx")


def stats(
    args: Annotated[list[str], typer.Argument(help=t("arg.stats"), metavar="YEAR | merge FILE...", show_default=False)],
    format_: Annotated[str, opt("opt.format", "--format", show_default=True)] = "table",
    out: Annotated[str | None, opt("opt.out", "--out")] = None,
    threshold: Annotated[int, opt("opt.threshold", "--threshold", show_default=True)] = 5,
    no_suppression: Annotated[bool, opt("opt.no_suppression", "--no-suppression")] = False,
    municipality: Annotated[str | None, opt("opt.municipality", "--municipality")] = None,
    as_json: Annotated[bool, opt("opt.json", "--json")] = False,
) -> None:
    from ledger.domain.disclosure import check_threshold
    from ledger.domain.errors import InputError, InvalidChoice

    if format_ not in FORMATS:
        raise InvalidChoice(field="format", value=format_[:20], allowed=", ".join(FORMATS))
    if as_json:  # the same as --format json: stable English keys
        if format_ not in ("table", "json"):
            raise InputError(field="--json", reason="json_with_format")
        format_ = "json"
    if format_ == "xlsx" and not out:
        raise InputError(field="--out", reason="required")
    check_threshold(threshold)
    if args and args[0] == "merge":
        meta, shown, raw = _merge(args[1:], threshold, not no_suppression)
    else:
        if len(args) != 1:
            raise InputError(field="YEAR", reason="format")
        meta, shown, raw = _report(args[0], threshold, not no_suppression, municipality)
    _write(format_, out, meta, shown, raw)


def _report(year: str, threshold: int, suppressed: bool, municipality: str | None) -> tuple[Any, ...]:
    from ledger.cli.common import services
    from ledger.cli.export import metadata

    found = services()
    published = found.queries.stats(year, threshold=threshold, suppressed=suppressed)
    name = municipality or found.queries.municipality() or "-"
    meta = metadata(published["shown"]["year"], name, threshold, suppressed, found.clock.now())
    return meta, published["shown"], published["raw"]


def _merge(files: list[str], threshold: int, suppressed: bool) -> tuple[Any, ...]:
    from ledger.cli.common import services
    from ledger.cli.export import metadata
    from ledger.domain.disclosure import disclose
    from ledger.projections.stats_merge import merge_files

    raw = merge_files(files)
    meta = metadata(raw["year"], "+".join(raw["municipalities"]), threshold, suppressed, services().clock.now(),
                    merged_from=raw["municipalities"])
    return meta, disclose(raw, threshold, suppressed), None if suppressed else raw


def _write(format_: str, out: str | None, meta: dict, shown: dict, raw: dict | None) -> None:
    import io
    from pathlib import Path

    from ledger.cli import export
    from ledger.cli.files import write_text

    if format_ == "xlsx":
        assert out is not None
        export.to_xlsx(meta, shown, out)
        typer.echo(t("done.written", path=out))
        return
    if format_ == "table":
        from ledger.cli.render import console

        target = console() if out is None else None
        if target is None:
            from rich.console import Console

            file_console = Console(record=True, width=160, color_system=None, file=io.StringIO())
            for table in export.render_tables(meta, shown):
                file_console.print(table)
            write_text(Path(out), file_console.export_text())  # type: ignore[arg-type]
            typer.echo(t("done.written", path=out))
            return
        for table in export.render_tables(meta, shown):
            target.print(table)
        if not meta["suppression"]["applied"]:
            typer.echo(t("stats.internal_only"), err=True)
        return
    text = export.to_json(meta, shown, raw) if format_ == "json" else export.to_csv(meta, shown)
    if out is None:
        typer.echo(text, nl=False)
    else:
        write_text(Path(out), text)
        typer.echo(t("done.written", path=out))
    if not meta["suppression"]["applied"]:
        typer.echo(t("stats.internal_only"), err=True)
