"""``ledger init`` (a new store and its first administrator) and ``ledger user``: who may use the ledger."""

from __future__ import annotations

from typing import Annotated

import typer

from ledger.cli.common import JsonOpt, done, opt, print_json, services
from ledger.cli.i18n import t

init_app = typer.Typer(help=t("cmd.init"), add_completion=False)
migrate_app = typer.Typer(help=t("cmd.migrate"), add_completion=False)
user = typer.Typer(help=t("grp.user"), no_args_is_help=True)
NameArg = Annotated[str, typer.Argument(help=t("users.arg.name"), metavar="NAME", show_default=False)]
RolesOpt = Annotated[list[str], opt("users.opt.role", "--role", metavar="ROLE")]


@init_app.command(help=t("cmd.init"))
def init(
    training: Annotated[bool, opt("users.opt.training", "--training")] = False,
    role: Annotated[list[str] | None, opt("users.opt.init_role", "--role", metavar="ROLE")] = None,
    as_json: JsonOpt = False,
) -> None:
    result = services().initialise(training=training, roles=role or [])
    key = "done.init_training" if result["training"] else "done.init"
    if not result["initialised"]:
        key = "done.init_again"
    text = t(key, user=result["user"], role=result["role"] or "-", key_file=result.get("key_file", "-"))
    if result.get("read_side_remade"):
        text += " " + t("done.read_side_remade")
    done(as_json, text, **result)


@migrate_app.command(help=t("cmd.migrate"))
def migrate(
    encrypt: Annotated[bool, opt("opt.encrypt", "--encrypt")] = False,
    as_json: JsonOpt = False,
) -> None:
    if not encrypt:
        from ledger.domain.errors import InputError

        raise InputError(field="--encrypt", reason="required")
    result = services().existing().migrate_encrypt()
    done(as_json, t("done.migrated", events=result["events"], people=result["people"], key_file=result["key_file"],
                    old=result["old_head"]["position"], hash=result["head"]["hash"][:16] + "…"), **result)


@user.command("add", help=t("cmd.user.add"))
def add(name: NameArg, role: RolesOpt, as_json: JsonOpt = False) -> None:
    added = services().ledger.add_user(name, role)
    done(as_json, t("done.user_added", name=added), user=added)


@user.command("role", help=t("cmd.user.role"))
def change(name: NameArg, role: RolesOpt, as_json: JsonOpt = False) -> None:
    services().ledger.change_roles(name, role)
    done(as_json, t("done.user_roles", name=name), user=name)


@user.command("end", help=t("cmd.user.end"))
def end(name: NameArg, as_json: JsonOpt = False) -> None:
    services().ledger.end_user(name)
    done(as_json, t("done.user_ended", name=name), user=name)


@user.command("list", help=t("cmd.user.list"))
def list_(as_json: JsonOpt = False) -> None:
    data = services().ledger.list_users()
    if as_json:
        print_json(data)
        return
    from ledger.cli.render import console, users_table

    console().print(users_table(data))
