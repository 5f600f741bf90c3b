"""What the register gives back: renewals, the month's payments, the runs, a past report."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from aidctl import api
from aidctl.cli.app import app
from aidctl.cli.options import (
    AsOfOpt,
    CommonOptions,
    DbOpt,
    JsonOpt,
    LangOpt,
    OutOpt,
    PolicyOpt,
    UnmaskOpt,
)
from aidctl.cli.render import Col, print_json, say, table
from aidctl.cli.running import run_command, write_reports


@app.command("renewals")
def renewals_cmd(
    due: Annotated[
        str | None,
        typer.Option(
            "--due",
            help="Window ahead: 30d, 2w, 1m; default up to the next monthly run plus the grace.",
        ),
    ] = None,
    all_lapsed: Annotated[
        bool, typer.Option("--all", help="Every lapsed unit, not only those lapsed lately.")
    ] = False,
    db: DbOpt = None,
    as_of: AsOfOpt = None,
    lang: LangOpt = None,
    json_out: JsonOpt = False,
    out_path: OutOpt = None,
    policy: PolicyOpt = None,
) -> None:
    """Which units must renew (due), which are in the 20-day grace, which lapsed (A7.1, D5).

    Renewing by renew_by keeps renewal status and no waiting periods; a lapsed unit that
    enrols again is a first enrolment. The list is kept as a run: `aidctl report RUN_ID`
    writes its workbook again.

    The default window reaches the next monthly run plus the grace period; a lapsed unit
    is listed for the lapsed_listed_days parameter (90) after its renew_by, then only with
    --all (L143).

    Example: aidctl renewals --due 30d --db reg.sqlite3 --as-of 2026-11-28
    """

    def body() -> int:
        opts = CommonOptions.parse(db, as_of, lang, json_out, policy)
        t = opts.t
        shown = api.renewals(
            due, db=opts.db, as_of=opts.as_of, policy=opts.policy, all_lapsed=all_lapsed
        )
        write_reports(opts, shown, out_path)
        if opts.json:
            print_json(shown)
            return 0
        table(
            t("续保提醒", "Renewals"),
            [
                Col(t("单位编码", "Unit"), "key", 9),
                Col(t("单位名称", "Name"), "name", 8),
                Col(t("到期", "Expiry"), "date", 7),
                Col(t("状态", "Status"), "word", 8),
                Col(t("最迟续保", "Renew by"), "date", 8),
                Col(t("人数", "Members"), "number", 4),
                Col(t("应缴", "Due"), "amount", 6),
                Col(t("联系人", "Contact"), "name", 2),
                Col(t("电话", "Phone"), "key", 3),
            ],
            [
                [
                    r["unit_code"],
                    api.cell(r["unit_name"], opts.lang),
                    api.cell(r["expiry_date"], opts.lang),
                    api.renewal_word(r["status"], opts.lang),
                    api.cell(r["renew_by"], opts.lang),
                    r["members"],
                    r["contribution_due"],
                    r["contact"] or "",
                    r["phone"] or "",
                ]
                for r in shown.due.iter_rows(named=True)
            ],
            lang=opts.lang,
        )
        say(
            t(
                f"报告：{shown.report}（运行 {shown.run_id}）",
                f"Report: {shown.report} (run {shown.run_id})",
            )
        )
        return 0

    run_command(body, lang)


@app.command("payments")
def payments_cmd(
    period: Annotated[str, typer.Option("--period", help="The month, YYYY-MM.")],
    db: DbOpt = None,
    as_of: AsOfOpt = None,
    lang: LangOpt = None,
    json_out: JsonOpt = False,
    out_path: OutOpt = None,
    unmask: UnmaskOpt = False,
) -> None:
    """Export the month's payments for the finance office (reversals as negative rows).

    --as-of is accepted like on every command; the month is the one --period names.

    Example: aidctl payments --period 2026-11 --out 2026-11-支付清单.xlsx
    """

    def body() -> int:
        opts = CommonOptions.parse(db, as_of, lang, json_out, None, unmask)
        shown = api.payments(period, db=opts.db)
        write_reports(opts, shown, out_path)
        if opts.json:
            print_json(shown)
            return 0
        n = shown.payments.height
        say(
            opts.t(
                f"{period}：{n} 笔，合计 {shown.amount} 元。报告：{shown.report}",
                f"{period}: {n} rows, {shown.amount} yuan in all. Report: {shown.report}",
            )
        )
        return 0

    run_command(body, lang)


_COMMANDS = {
    "enroll": ("参保登记", "enrolment"),
    "validate": ("参保校验", "enrolment check"),
    "adjudicate": ("理赔审核", "adjudication"),
    "renewals": ("续保提醒", "renewals"),
    "void": ("撤销", "reversal"),
    "batch": ("月度批处理", "monthly batch"),
}

_COUNTS = {
    "approved": ("给付", "approved"),
    "rejected": ("拒付", "rejected"),
    "pending": ("待处理", "pending"),
    "amount": ("金额", "amount"),
    "units": ("单位", "units"),
    "compliant": ("合格", "compliant"),
    "non_compliant": ("不合格", "non-compliant"),
    "invalid": ("无效", "invalid"),
    "contracts": ("履约单", "contracts"),
    "contracts_added": ("登记履约单", "contracts recorded"),
    "spells_added": ("登记人员", "members recorded"),
    "received_default": ("受理日期", "received"),
    "spells": ("参保人员", "members"),
    "members": ("参保人员", "members"),
    "listed": ("列出", "listed"),
    "due": ("到期", "due"),
    "grace": ("宽限期内", "in grace"),
    "lapsed": ("已失效", "lapsed"),
    "files": ("文件", "files"),
}


def command_word(command: str | None, lang: str) -> str:
    """A run's command in words (L170)."""
    zh, en = _COMMANDS.get(command or "", (command or "", command or ""))
    return zh if lang == "zh" else en


def counts_text(counts: dict[str, Any], lang: str) -> str:
    """A run's counts as words and figures ("给付 3，拒付 1"), never a JSON literal: keys
    without a word are left out (the JSON output has them all) (L172)."""
    parts = []
    for key, value in counts.items():
        if key not in _COUNTS or isinstance(value, dict | list):
            continue
        zh, en = _COUNTS[key]
        parts.append(f"{zh if lang == 'zh' else en} {api.cell(value, lang)}")
    return ("，" if lang == "zh" else ", ").join(parts)


def _runs_table(opts: CommonOptions, runs: list[dict[str, Any]]) -> None:
    t = opts.t
    table(
        t("运行记录", "Runs"),
        [
            Col(t("运行", "Run"), "key", 9),
            Col(t("命令", "Command"), "word", 8),
            Col(t("业务日期", "As of"), "date", 7),
            Col(t("输入", "Input"), "name", 2),
            Col(t("结果", "Counts"), "text", 5),
        ],
        [
            [
                r["run_id"],
                command_word(r["command"], opts.lang),
                api.cell(r["as_of"], opts.lang),
                r["input_file"] or "",
                counts_text(r["counts"], opts.lang),
            ]
            for r in runs
        ],
        lang=opts.lang,
    )


@app.command("runs")
def runs_cmd(
    db: DbOpt = None,
    command: Annotated[
        str | None, typer.Option("--command", help="Only runs of this command (enroll, …).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="How many runs.")] = 20,
    as_of: AsOfOpt = None,
    lang: LangOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """List the register's runs, latest first, with their counts.

    Example: aidctl runs --db reg.sqlite3 --command adjudicate
    """

    def body() -> int:
        opts = CommonOptions.parse(db, as_of, lang, json_out)
        listed = api.runs(db=opts.db, limit=limit, command=command)
        if opts.json:
            print_json(listed)
            return 0
        _runs_table(opts, listed.runs)
        return 0

    run_command(body, lang)


@app.command("report")
def report_cmd(
    run_id: Annotated[
        str, typer.Argument(help="The run id (from the command's output or `aidctl runs`).")
    ],
    db: DbOpt = None,
    as_of: AsOfOpt = None,
    lang: LangOpt = None,
    json_out: JsonOpt = False,
    out_path: OutOpt = None,
    policy: PolicyOpt = None,
    unmask: UnmaskOpt = False,
) -> None:
    """Write a past run's workbook again from the register (enroll, adjudicate, renewals).

    The rows are those of the original report, pending claims included. An enrolment's
    annotated copy is not written again: it needs the clerk's own workbook.

    Example: aidctl report 20261128-093000-1a2b --db reg.sqlite3 --out again.xlsx
    """

    def body() -> int:
        opts = CommonOptions.parse(db, as_of, lang, json_out, policy, unmask)
        rebuilt = api.report(
            run_id, db=opts.db, policy=opts.policy, lang=opts.lang, unmask=opts.unmask
        )
        api.write_report(rebuilt, out_path, opts.lang, opts.unmask)
        if opts.json:
            print_json(rebuilt)
            return 0
        for path in rebuilt.written:
            say(opts.t(f"报告：{path}", f"Report: {path}"))
        if rebuilt.command == "enroll":
            say(
                opts.t(
                    "批注版未重写：它需要单位报送的原表格，请用 validate-enrollment 重新生成。",
                    "The annotated copy is not written again: it needs the unit's own workbook; "
                    "validate-enrollment on that workbook writes one.",
                )
            )
        return 0

    run_command(body, lang)
