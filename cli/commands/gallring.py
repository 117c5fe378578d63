"""``ledger gallring`` (thinning out records on time) and ``ledger settings`` (the rules it follows)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ledger.cli.common import JsonOpt, done, opt, print_json, services
from ledger.cli.i18n import t, term

gallring_app = typer.Typer(help=t("cmd.gallring"), add_completion=False)
settings = typer.Typer(help=t("grp.settings"), no_args_is_help=True)


@gallring_app.command(help=t("cmd.gallring"))
def gallring(
    dry_run: Annotated[bool, opt("opt.dry_run", "--dry-run")] = False,
    execute: Annotated[bool, opt("opt.execute", "--execute")] = False,
    as_of: Annotated[str | None, opt("opt.gallring_as_of", "--as-of")] = None,
    as_json: JsonOpt = False,
) -> None:
    if execute and (dry_run or as_of is not None):
        from ledger.domain.errors import InputError

        raise InputError(field="--execute", reason="alone")
    found = services().gallring
    result = found.execute() if execute else found.plan(as_of)
    result.pop("_verdicts", None)
    if as_json:
        print_json(result)
        return
    _show(result)


def _reasons(codes: list[str]) -> str:
    return ", ".join(term("gallring.kept", code) for code in codes) or "–"


def _show(result: dict[str, Any]) -> None:
    from rich.table import Table

    from ledger.cli.render import console

    out = console()
    rules = result["rules"]
    out.print(t("gallring.rules", years=rules["retention_years"],
                days=", ".join(str(d) for d in rules["exempt_days"]) or "–",
                deadline=term("gallring.deadline", rules["deadline"]), as_of=result["as_of"]))
    table = Table(title=t("gallring.title"), title_justify="left")
    for key in ("person", "case", "last_entry", "due_on", "deadline", "outcome"):
        table.add_column(t(f"gallring.col.{key}"))
    for person in result["people"]:
        for case in person["cases"]:
            outcome = t("gallring.goes") if person["erase"] else _reasons(case["kept"])
            table.add_row(person["person"], case["case"], case["last_entry"], case["due_on"], case["deadline"], outcome)
    out.print(table)
    for gone in result["thinned"]:
        out.print(t("case.thinned", case=gone["case"], on=gone["thinned_on"]))
    if result.get("executed"):
        out.print(t("gallring.executed", people=len(result["erased"]), keys=result["keys_destroyed"],
                    purged=", ".join(result["purged"]) or "–"))
    else:
        out.print(t("gallring.summary", due=result["due"], kept=result["kept"]))


@settings.command("show", help=t("cmd.settings.show"))
def show(as_json: JsonOpt = False) -> None:
    rules = services().ledger.settings_view()
    if as_json:
        print_json(rules)
        return
    typer.echo(t("gallring.rules", years=rules["retention_years"],
                 days=", ".join(str(d) for d in rules["exempt_days"]) or "–",
                 deadline=term("gallring.deadline", rules["deadline"]), as_of="–"))
    typer.echo(t("settings.legal_grounds", grounds="; ".join(rules["legal_grounds"])))
    for intervention, roles in rules["delegation"].items():
        typer.echo(t("settings.delegation", intervention=intervention,
                     roles=", ".join(t(f"role.{r}") for r in roles)))


@settings.command("gallring", help=t("cmd.settings.gallring"))
def set_gallring(
    retention_years: Annotated[int, opt("opt.retention_years", "--retention-years")],
    exempt_days: Annotated[str, opt("opt.exempt_days", "--exempt-days")],
    deadline: Annotated[str, opt("opt.deadline", "--deadline")] = "end_of_following_year",
    as_json: JsonOpt = False,
) -> None:
    rules = services().ledger.set_gallring_rules(retention_years=retention_years, exempt_days=exempt_days,
                                                 deadline=deadline)
    done(as_json, t("done.gallring_rules", years=rules.retention_years), retention_years=rules.retention_years,
         exempt_days=list(rules.exempt_days), deadline=rules.deadline)


@settings.command("decisions", help=t("cmd.settings.decisions"))
def set_decisions(
    legal_ground: Annotated[list[str] | None, opt("opt.legal_grounds", "--legal-ground", metavar="TEXT")] = None,
    delegate: Annotated[list[str] | None, opt("opt.delegate", "--delegate", metavar="INTERVENTION=ROLE")] = None,
    as_json: JsonOpt = False,
) -> None:
    found = services().ledger.set_decision_rules(legal_grounds=legal_ground or [], delegation=delegate or [])
    done(as_json, t("done.decision_rules"), **found)
