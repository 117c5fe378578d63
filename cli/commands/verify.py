"""``ledger verify``, ``digest``, ``export``, ``import``: tamper evidence and archives.

Only Typer and the catalogue are imported here; the chain, the archive and the store are
imported inside the commands (``ledger --help`` stays fast). ``verify --archive`` opens no
database at all.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ledger.cli.common import JsonOpt, done, opt, print_json, services
from ledger.cli.i18n import t, term

if TYPE_CHECKING:
    from ledger.adapters.verification import Report

FileOpt = Annotated[Path | None, opt("opt.digest_file", "--digest", metavar="FILE")]
ArchiveOpt = Annotated[Path | None, opt("opt.archive_file", "--archive", metavar="FILE")]


def _short(digest: str) -> str:
    return digest[:16] + "…"


verify_app = typer.Typer(help=t("cmd.verify"), add_completion=False)


@verify_app.command(help=t("cmd.verify"))
def verify(digest: FileOpt = None, archive: ArchiveOpt = None, as_json: JsonOpt = False) -> None:
    from ledger.adapters.archive_reader import read_digest_file

    digests = read_digest_file(digest) if digest is not None else []
    if archive is not None:
        from ledger.adapters.archive_reader import verify_archive

        report = verify_archive(archive, digests)
    else:
        report = services().existing().integrity.verify(digests)
    if as_json:
        print_json({"source": "archive" if archive is not None else "database", **report.as_dict()})
    if report.problem is not None:
        _broken(report)
        raise typer.Exit(1)
    if not as_json:
        _intact(report, archive is not None)


def _intact(report: Report, archive: bool) -> None:
    head = report.head
    if archive:
        typer.echo(t("verify.archive_ok", events=report.events, position=head.position, hash=head.hash))
    else:
        typer.echo(t("verify.ok", events=report.events, position=head.position, hash=head.hash))
    for d in report.digests:
        typer.echo(t("verify.digest_ok", position=d["position"], hash=_short(d["hash"])))
    if report.backfill and {"from", "through", "at"} <= report.backfill.keys():
        b = report.backfill
        typer.echo(t("verify.backfilled", first=b["from"], through=b["through"], at=b["at"]))


def _broken(report: Report) -> None:
    """The first problem, on stderr, in words; exit status 1 follows."""
    problem = report.problem
    assert problem is not None
    if problem.kind == "snapshot_altered":
        stream = problem.detail.get("case") or problem.detail.get("stream")
        text = t("verify.snapshot_altered", stream=stream, version=problem.detail.get("version"))
        sys.stderr.write(f"{t('err.prefix')}: {text}\n")
        return
    lines = [f"{t('err.prefix')}: {t('chain_broken', position=problem.position, reason=term('reason', problem.kind))}"]
    if "chained_at" in problem.detail:
        lines.append(t("verify.chained_at", position=problem.position, chained_at=problem.detail["chained_at"]))
    if "last_matching_digest" in problem.detail:
        lines.append(t("verify.last_matching", position=problem.detail["last_matching_digest"]))
    sys.stderr.write("\n".join(lines) + "\n")


digest_app = typer.Typer(help=t("cmd.digest"), add_completion=False)


@digest_app.command(help=t("cmd.digest"))
def digest(as_json: JsonOpt = False) -> None:
    head = services().existing().integrity.head()
    if as_json:
        print_json({**head.as_dict(), "line": head.line()})
    else:
        typer.echo(head.line())


export_app = typer.Typer(help=t("cmd.export"), add_completion=False)


@export_app.command(help=t("cmd.export"))
def export(
    out: Annotated[Path, opt("opt.export_out", "--out", metavar="FILE")],
    as_json: JsonOpt = False,
) -> None:
    result = services().existing().queries.export(out)
    head = result["head"]
    done(as_json, t("done.exported", events=result["events"], file=result["file"], position=head["position"],
                    hash=head["hash"]), **result)


import_app = typer.Typer(help=t("cmd.import"), add_completion=False)


@import_app.command(help=t("cmd.import"))
def import_(
    file: Annotated[Path, typer.Argument(help=t("arg.archive"), metavar="FILE", show_default=False)],
    as_json: JsonOpt = False,
) -> None:
    result = services().integrity.import_archive(file)
    head = result["head"]
    done(as_json, t("done.imported", events=result["events"], file=result["file"], position=head["position"],
                    hash=head["hash"]), **result)
