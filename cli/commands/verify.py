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
def verify(
    digest: FileOpt = None,
    archive: ArchiveOpt = None,
    public_key: Annotated[Path | None, opt("opt.public_key", "--public-key", metavar="KEY")] = None,
    as_json: JsonOpt = False,
) -> None:
    from ledger.adapters.archive_reader import read_digest_file

    signed = read_digest_file(digest) if digest is not None else []
    if public_key is not None:
        from ledger.adapters.signing import check_signatures
        from ledger.domain.errors import InputError

        if digest is None:
            raise InputError(field="--digest", reason="required")
        check_signatures(signed, public_key)
    digests = [d for d, _ in signed]
    if archive is not None:
        from ledger.adapters.archive_reader import verify_archive
        from ledger.cli.entry import loaded

        loaded()  # no store opened: the collector on again before the archive's walk (cli/entry.py)
        report = verify_archive(archive, digests)
    else:
        report = services().existing().housekeeping.verify(digests)
    checked = {"signatures": len(signed)} if public_key is not None else {}
    if as_json:
        print_json({"source": "archive" if archive is not None else "database", **report.as_dict(), **checked})
    if report.problem is not None:
        _broken(report)
        raise typer.Exit(1)
    if not as_json:
        _intact(report, archive is not None)
        if checked:
            typer.echo(t("verify.signatures_ok", count=checked["signatures"]))


def _intact(report: Report, archive: bool) -> None:
    head = report.head
    if archive:
        typer.echo(t("verify.archive_ok", events=report.events, position=head.position, hash=head.hash))
    else:
        typer.echo(t("verify.ok", events=report.events, position=head.position, hash=head.hash))
    if report.access is not None:
        typer.echo(t("verify.access_ok", count=report.access.position, hash=_short(report.access.hash)))
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
    if problem.kind.startswith("access_"):
        text = t("verify.access_broken", position=problem.position, reason=term("reason", problem.kind))
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
def digest(
    sign: Annotated[Path | None, opt("opt.sign", "--sign", metavar="KEY")] = None,
    as_json: JsonOpt = False,
) -> None:
    head = services().existing().housekeeping.head()
    signature = None
    if sign is not None:
        from ledger.adapters.signing import sign as signed

        signature = signed(head, sign)
    if as_json:
        import base64

        extra = {"signature": base64.b64encode(signature).decode("ascii")} if signature is not None else {}
        print_json({**head.as_dict(), "line": head.line(), **extra})
    else:
        typer.echo(head.line())
        if signature is not None:
            from ledger.adapters.chain import signature_line

            typer.echo(signature_line(signature))


export_app = typer.Typer(help=t("cmd.export"), add_completion=False)
PassphraseOpt = Annotated[Path | None, opt("opt.passphrase_file", "--passphrase-file", metavar="FILE")]


def _passphrase(path: Path | None) -> str | None:
    """The archive's passphrase: from a file (``--passphrase-file``, else ``LEDGER_PASSPHRASE_FILE``, for
    a scheduled export; its first line), or asked for when a person is at the terminal."""
    import os

    if path is None and os.environ.get("LEDGER_PASSPHRASE_FILE"):
        path = Path(os.environ["LEDGER_PASSPHRASE_FILE"])
    if path is not None:
        from ledger.adapters.archive_keys import read_passphrase

        return read_passphrase(path)
    if sys.stdin.isatty():
        return str(typer.prompt(t("prompt.passphrase"), hide_input=True))
    return None


@export_app.command(help=t("cmd.export"))
def export(
    out: Annotated[Path, opt("opt.export_out", "--out", metavar="FILE")],
    passphrase_file: PassphraseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    result = services().existing().queries.export(out, passphrase=_passphrase(passphrase_file))
    head = result["head"]
    done(as_json, t("done.exported", events=result["events"], file=result["file"], position=head["position"],
                    hash=head["hash"]), **result)


import_app = typer.Typer(help=t("cmd.import"), add_completion=False)


@import_app.command(help=t("cmd.import"))
def import_(
    file: Annotated[Path, typer.Argument(help=t("arg.archive"), metavar="FILE", show_default=False)],
    passphrase_file: PassphraseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    # an empty store: no users yet to ask
    result = services().integrity.import_archive(file, passphrase=_passphrase(passphrase_file))
    head = result["head"]
    done(as_json, t("done.imported", events=result["events"], file=result["file"], position=head["position"],
                    hash=head["hash"]), **result)
