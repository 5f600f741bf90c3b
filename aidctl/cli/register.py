"""Looking after the register file: register backup, register check."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from aidctl import api
from aidctl.cli.app import register_app
from aidctl.cli.options import (
    CommonOptions,
    ConfigOpt,
    DbOpt,
    LangOpt,
)
from aidctl.cli.render import say
from aidctl.cli.running import run_command


@register_app.command("backup")
def register_backup_cmd(
    target: Annotated[Path, typer.Argument(help="Where to write the copy (a file or a folder).")],
    db: DbOpt = None,
    config: ConfigOpt = None,
    lang: LangOpt = None,
) -> None:
    """Copy the register with SQLite's online backup, safe while other commands run.

    Example: aidctl register backup /backup/register-2026-11.sqlite3 --db reg.sqlite3
    """

    def body() -> int:
        opts = CommonOptions.parse(db, None, lang, config=config)
        pages = api.register_backup(target, db=opts.db)
        say(
            opts.t(
                f"已备份 {opts.db} → {target}（{pages} 页）。",
                f"Backed up {opts.db} to {target} ({pages} pages).",
            )
        )
        return 0

    run_command(body, lang)


@register_app.command("check")
def register_check_cmd(
    db: DbOpt = None,
    config: ConfigOpt = None,
    lang: LangOpt = None,
) -> None:
    """Run SQLite's integrity and foreign-key checks on the register (exit 1 if not sound).

    Example: aidctl register check --db reg.sqlite3
    """

    def body() -> int:
        opts = CommonOptions.parse(db, None, lang, config=config)
        problems = api.register_check(db=opts.db)
        for line in problems[:50]:
            say(line)
        say(
            opts.t(
                f"登记库 {opts.db}："
                + ("完好。" if not problems else f"发现 {len(problems)} 个问题。"),
                f"Register {opts.db}: "
                + ("sound." if not problems else f"{len(problems)} problems."),
            )
        )
        return 1 if problems else 0

    run_command(body, lang)
