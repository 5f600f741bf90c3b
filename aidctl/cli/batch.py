"""The operator's workspace and the unattended monthly batch (init, batch run, batch status)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from aidctl import api
from aidctl.batch.names import shown_text
from aidctl.batch.workspace import init_workspace
from aidctl.cli.app import app, batch_app
from aidctl.cli.options import (
    AsOfOpt,
    CommonOptions,
    ConfigOpt,
    JsonOpt,
    LangOpt,
)
from aidctl.cli.progress import Progress
from aidctl.cli.render import Col, print_json, say, table
from aidctl.cli.running import append_log, run_command


@app.command("init")
def init_cmd(
    directory: Annotated[Path, typer.Argument(help="The workspace folder to create.")],
    lang: LangOpt = None,
) -> None:
    """Create an operator's workspace: aidctl.toml, inbox/, outbox/, archive/.

    Example: aidctl init /srv/aidctl && cd /srv/aidctl && aidctl batch run
    """

    def body() -> int:
        say(str(init_workspace(directory)))
        return 0

    run_command(body, lang)


@batch_app.command("run")
def batch_run_cmd(
    period: Annotated[
        str | None,
        typer.Option("--period", help="YYYY-MM: must be the as-of month (L140); use --as-of."),
    ] = None,
    due: Annotated[
        str | None,
        typer.Option(
            "--due",
            help="Renewals window; default up to the next monthly run plus the grace (L143).",
        ),
    ] = None,
    all_lapsed: Annotated[
        bool, typer.Option("--all-lapsed", help="List every lapsed unit in the renewals.")
    ] = False,
    config: ConfigOpt = None,
    as_of: AsOfOpt = None,
    lang: LangOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Process every new file of the inbox: all units files first, then the claims files,
    each in name order; then write the month into outbox/PERIOD/.

    The month: the payments export, the renewals list, the open-items worklist, the month
    summary and one statement per unit with claims decided. Inputs go to archive/ under
    their SHA-256; a file already processed is skipped. Exit 0: every file processed
    (pending claims and non-compliant units are the clerks' work); 1: the operator must act
    (a file in inbox/rejected/, a roster whose member rows were refused); 2: could not run.
    Safe to rerun after a crash: nothing is paid twice.

    Example (crontab): 0 6 1 * * cd /srv/aidctl && aidctl batch run >> cron.log 2>&1
    """

    def body() -> int:
        opts = CommonOptions.parse(None, as_of, lang, json_out, None, config=config)
        log_file = opts.workspace.log_file if opts.workspace else None

        def log(line: str) -> None:
            line = shown_text(line)  # a file name cannot forge a line (10.5)
            if not opts.json:
                say(f"aidctl batch: {line}")
            if log_file is not None:
                stamp = dt.datetime.now().isoformat(timespec="seconds")
                append_log(log_file, f"{stamp} {line}\n")  # owner-only (L153)

        progress = Progress(opts)
        done = api.batch_run(
            config,
            period=period,
            as_of=opts.as_of,
            lang=opts.lang,
            due=due,
            log=log,
            progress=progress,
            all_lapsed=all_lapsed,
        )
        counts: dict[str, int] = {}
        for f in done.files:
            counts[f.outcome] = counts.get(f.outcome, 0) + 1
        log(
            f"period {done.period}: {len(done.files)} files "
            + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
            + f"; paid {done.amount} yuan; reports in {done.outbox}; exit {done.exit_code}"
        )
        if opts.json:
            print_json(done)
        return done.exit_code

    run_command(body, lang)


@batch_app.command("status")
def batch_status_cmd(
    config: ConfigOpt = None,
    lang: LangOpt = None,
    json_out: JsonOpt = False,
    limit: Annotated[int, typer.Option("--limit", help="How many runs.")] = 20,
) -> None:
    """List past batch runs with their counts and totals.

    Example: aidctl batch status --config /srv/aidctl/aidctl.toml
    """

    def body() -> int:
        opts = CommonOptions.parse(None, None, lang, json_out, None, config=config)
        t = opts.t
        listed = api.batch_status(db=opts.db, limit=limit)
        if opts.json:
            print_json(listed)
            return 0
        table(
            t("批处理记录", "Batch runs"),
            [
                Col(t("运行", "Run"), "key", 9),
                Col(t("期间", "Period"), "date", 8),
                Col(t("业务日期", "As of"), "date", 7),
                t("文件", "Files"),
                t("完成", "Done"),
                t("需处理", "Needs action"),
                t("已处理过", "Skipped"),
                t("退回", "Rejected"),
                Col(t("给付金额", "Paid"), "amount", 8),
            ],
            [
                [
                    r["run_id"],
                    r["counts"].get("period"),
                    r["as_of"],
                    r["counts"].get("files", 0),
                    r["counts"].get("done", 0),
                    r["counts"].get("needs_action", 0),
                    r["counts"].get("already_processed", 0),
                    r["counts"].get("rejected", 0),
                    r["counts"].get("amount", 0),
                ]
                for r in listed.runs
            ],
            lang=opts.lang,
        )
        return 0

    run_command(body, lang)
