"""The typer app: the root command, its groups (policy, template, batch, register), `main`.

The commands themselves live in the modules named for their group; `aidctl.cli` imports
them all, so `aidctl.cli.app` is the whole command line.
"""

from __future__ import annotations

from typing import Annotated

import typer

from aidctl import __version__
from aidctl.cli.options import WordedGroup
from aidctl.cli.render import say

app = typer.Typer(
    name="aidctl",
    help="连云港市职工互助保障计划：参保校验、登记、理赔审核。\n\n"
    "Runs the Lianyungang employee mutual-aid plan: enrolment checks, the register, claims.\n\n"
    "Example: aidctl validate-enrollment units.xlsx --as-of 2026-11-28",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    cls=WordedGroup,  # usage errors in the clerk's language (L175)
)
policy_app = typer.Typer(
    help="The plan's dated parameters. 计划参数。\n\nExample: aidctl policy show --on 2026-11-28",
    no_args_is_help=True,
)
app.add_typer(policy_app, name="policy")

template_app = typer.Typer(
    help="Blank workbooks to hand out. 空白模板。\n\nExample: aidctl template claims --out 理赔申请模板.xlsx",
    no_args_is_help=True,
)
app.add_typer(template_app, name="template")

batch_app = typer.Typer(
    help="The unattended monthly batch. 月度批处理。\n\n"
    "Example: aidctl batch run --config /srv/aidctl/aidctl.toml",
    no_args_is_help=True,
)
app.add_typer(batch_app, name="batch")

register_app = typer.Typer(
    help="Look after the register. 登记库维护。\n\nExample: aidctl register backup /backup/register-2026-11.sqlite3",
    no_args_is_help=True,
)
app.add_typer(register_app, name="register")


# `aidctl --help` lists the commands in this order (typer keeps the order of declaration,
# which the split into modules would otherwise decide)
COMMAND_ORDER = (
    "validate-enrollment",
    "enroll",
    "adjudicate",
    "explain",
    "history",
    "renewals",
    "void",
    "pending",
    "withdraw",
    "reopen",
    "payments",
    "fund",  # issue 12
    "members",
    "simulate",
    "runs",
    "report",
    "init",
)


def order_commands() -> None:
    """Put the root commands in COMMAND_ORDER once every module has declared its own."""
    app.registered_commands.sort(key=lambda c: COMMAND_ORDER.index(c.name or ""))


@app.callback(invoke_without_command=True)
def _root(
    version: Annotated[bool, typer.Option("--version", help="Print the version.")] = False,
) -> None:
    if version:
        say(f"aidctl {__version__}")
        raise typer.Exit(0)


def main() -> None:
    app()
