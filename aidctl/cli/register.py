"""Looking after the register (a file or a PostgreSQL database): register backup, check."""

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
    """Copy the register, safe while other commands run: a file with SQLite's online backup,
    a PostgreSQL register with pg_dump (custom format; restore it with pg_restore, L89).

    Example: aidctl register backup /backup/register-2026-11.sqlite3 --db reg.sqlite3
    """

    def body() -> int:
        opts = CommonOptions.parse(db, None, lang, config=config)
        copied = api.register_backup(target, db=opts.db)
        if _on_a_server(opts.db):  # L100: pg_dump writes bytes, not SQLite pages
            say(
                opts.t(
                    f"已用 pg_dump 备份 {opts.db} → {target}（{copied} 字节）；"
                    "恢复时用 pg_restore 导入一个空数据库。",
                    f"Backed up {opts.db} to {target} with pg_dump ({copied} bytes); "
                    "restore it with pg_restore into an empty database.",
                )
            )
            return 0
        say(
            opts.t(
                f"已备份 {opts.db} → {target}（{copied} 页）。",
                f"Backed up {opts.db} to {target} ({copied} pages).",
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
    """Check the register (exit 1 if not sound): a file with SQLite's integrity and
    foreign-key checks; a PostgreSQL register (which enforces its keys itself) for its
    migrations, one live decision per claim and valid indexes (L100).

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


def _on_a_server(db: object) -> bool:
    """Whether the register is a database URL (postgresql://), as `--db` reads it."""
    text = str(db)
    return "://" in text and not text.startswith("file://")
