"""Claims: adjudicate, and what the register knows of one claim or member (explain,
history). Reversing and reopening decisions live in `aidctl.cli.items`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import polars as pl
import typer

from aidctl import api
from aidctl.cli.answers import (
    check_claim_id,
    check_id_number,
    never_enrolled,
    step_result,
    summary_lines,
)
from aidctl.cli.app import app
from aidctl.cli.items import say_item
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
from aidctl.cli.progress import Progress
from aidctl.cli.render import Col, print_json, say, table, the_right_command
from aidctl.cli.running import StagedWrite, run_command


@app.command("adjudicate")
def adjudicate_cmd(
    file: Annotated[Path, typer.Argument(help="Claims workbook (sheet 理赔申请 or the first).")],
    db: DbOpt = None,
    as_of: AsOfOpt = None,
    lang: LangOpt = None,
    json_out: JsonOpt = False,
    out_path: OutOpt = None,
    policy: PolicyOpt = None,
    unmask: UnmaskOpt = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Decide without recording.")] = False,
) -> None:
    """Decide every claim (approved / rejected / pending) with its reason and clause.

    Approved and rejected decisions are recorded in one transaction; pending ones are not,
    so a corrected row can be sent again. Running the same file again pays nothing twice.

    Example: aidctl adjudicate claims.xlsx --db reg.sqlite3 --as-of 2026-11-28 --out decisions.xlsx
    """

    def body() -> int:
        opts = CommonOptions.parse(db, as_of, lang, json_out, policy, unmask)
        progress = Progress(opts)
        # the report is written before the commit and renamed into place after it (L155)
        with progress.shown("read"), StagedWrite(opts, out_path) as reports:
            with the_right_command(file, "claims"):  # a units workbook: say so (L177)
                outcome = api.adjudicate(
                    file,
                    db=opts.db,
                    as_of=opts.as_of,
                    policy=opts.policy,
                    lang=opts.lang,
                    unmask=opts.unmask,
                    dry_run=dry_run,
                    progress=progress,
                    before_commit=reports.stage,
                )
            reports.publish(outcome)
            progress("write")
        if opts.json:
            print_json(outcome)
            return outcome.exit_code
        t = opts.t
        decisions = outcome.decisions
        by = (
            decisions.group_by("status", "reason_code")
            .agg(pl.len().alias("n"), pl.col("amount").sum().alias("amt"))
            .sort("status", "reason_code")
        )
        table(
            t("理赔审核结果", "Claim decisions"),
            [
                Col(t("结果", "Status"), "word", 9),
                Col(t("原因", "Reason"), "word", 8),
                Col(t("件数", "Claims"), "number", 7),
                Col(t("金额（元）", "Amount (yuan)"), "amount", 9),
            ],
            [
                [
                    api.status_word(r["status"], opts.lang),
                    api.reason_word(r["reason_code"], opts.lang),
                    r["n"],
                    r["amt"],
                ]
                for r in by.iter_rows(named=True)
            ],
            lang=opts.lang,
        )
        for line in summary_lines(decisions, opts.lang):
            say(line)
        if dry_run:
            say(t("试算（--dry-run）：未登记。", "Dry run: nothing recorded."))
        else:
            say(
                t(
                    f"已登记 {outcome.recorded} 项决定（运行 {outcome.run_id}）。",
                    f"Recorded {outcome.recorded} decisions (run {outcome.run_id}).",
                )
            )
        say(t(f"报告：{outcome.report}", f"Report: {outcome.report}"))
        if outcome.annotated is not None:  # L137: correct the pending rows there, send it back
            say(t(f"批注副本：{outcome.annotated}", f"Annotated copy: {outcome.annotated}"))
        say(t(f"登记库：{opts.db}", f"Register: {opts.db}"))
        return outcome.exit_code

    run_command(body, lang)


# ---------------------------------------------------------------- the register


@app.command("explain")
def explain_cmd(
    claim_id: Annotated[str, typer.Argument(help="The claim id (理赔编号).")],
    db: DbOpt = None,
    as_of: AsOfOpt = None,
    lang: LangOpt = None,
    json_out: JsonOpt = False,
    policy: PolicyOpt = None,
    unmask: UnmaskOpt = False,
) -> None:
    """Print each step of a recorded decision with its clause and figures.

    --as-of is accepted like on every command; the register's record is shown as it stands.

    Example: aidctl explain LP2026-0001 --db reg.sqlite3
    """

    def body() -> int:
        opts = CommonOptions.parse(db, as_of, lang, json_out, policy, unmask)
        t = opts.t
        check_claim_id(claim_id)
        shown = api.explain(claim_id, db=opts.db, policy=opts.policy, unmask=opts.unmask)
        if opts.json:
            print_json(shown)
            return 0
        for r in shown.to_json():  # id numbers masked unless --unmask
            if r.get("record") == "open_item":
                say_item(r, opts.t, shown.policy, opts.lang)
                continue
            say(
                t(
                    f"理赔 {r['claim_id']}（运行 {r['run_id']}）  {r['name'] or ''} {r['id_number'] or ''}",
                    f"Claim {r['claim_id']} (run {r['run_id']})  {r['name'] or ''} {r['id_number'] or ''}",
                )
            )
            for step, zh, en, decisive in api.decision_steps(r):
                say(f"  {step}. {t(zh, en)}: " + step_result(r, decisive, opts.lang))
            if r["contract_no"]:
                say(
                    "     "
                    + t(
                        f"履约单 {r['contract_no']}，起始 {r['term_start']}，保障第 {r['cover_day']} 日",
                        f"contract {r['contract_no']}, from {r['term_start']}, day {r['cover_day']} of cover",
                    )
                )
            say("     " + api.explain_sentence(r, shown.policy, opts.lang))
            say(
                "     "
                + t(
                    f"结果：{api.status_word(r['status'], opts.lang)} {r['amount']} 元；参数版本 {r['policy_version']}",
                    f"result: {api.status_word(r['status'], opts.lang)} {r['amount']} yuan; "
                    f"parameters {r['policy_version']}",
                )
            )
            if r.get("reopen_reason"):
                say(
                    "     "
                    + t(
                        f"已重新打开（运行 {r['void_run']}）：{r['reopen_reason']}",
                        f"reopened (run {r['void_run']}): {r['reopen_reason']}",
                    )
                )
            elif r.get("void_reason"):
                say(
                    "     "
                    + t(
                        f"已撤销（运行 {r['void_run']}）：{r['void_reason']}",
                        f"voided (run {r['void_run']}): {r['void_reason']}",
                    )
                )
        return 0

    run_command(body, lang)


@app.command("history")
def history_cmd(
    id_number: Annotated[str, typer.Argument(help="The member's id number (身份证号).")],
    db: DbOpt = None,
    as_of: AsOfOpt = None,
    lang: LangOpt = None,
    json_out: JsonOpt = False,
    unmask: UnmaskOpt = False,
) -> None:
    """Print a member's cover spells, claims and payments.

    An id number that cannot be one exits 2 with what is wrong with it; a valid one the
    register does not know exits 1 and says so (L174). --as-of and --unmask are accepted
    like on every command (the id typed is shown as typed).

    Example: aidctl history 320703199812100174 --db reg.sqlite3
    """

    def body() -> int:
        opts = CommonOptions.parse(db, as_of, lang, json_out, None, unmask)
        t = opts.t
        check_id_number(id_number)
        shown = api.history(id_number, db=opts.db)
        if opts.json:
            print_json(shown)
            return 0 if shown.spells or shown.decisions else 1
        if not shown.spells and not shown.decisions:
            say(never_enrolled(id_number, opts.lang))
            return 1
        table(
            t("保障记录", "Cover"),
            [
                Col(t("履约单", "Contract"), "key", 9),
                Col(t("单位", "Unit"), "name", 7),
                Col(t("开始", "From"), "date", 8),
                Col(t("到期", "To"), "date", 8),
                Col(t("首次", "First-time"), "word", 3),
            ],
            [
                [
                    s["contract_no"],
                    f"{s['unit_code']} {s['unit_name'] or ''}".strip(),
                    api.cell(s["spell_start"], opts.lang),
                    api.cell(s["term_end"], opts.lang),
                    t("是", "yes") if s["first_time"] else t("否", "no"),
                ]
                for s in shown.spells
            ],
            lang=opts.lang,
        )
        table(
            t("理赔与给付", "Claims and payments"),
            [
                Col(t("理赔编号", "Claim"), "key", 9),
                Col(t("日期", "Date"), "date", 8),
                Col(t("类型", "Type"), "word", 5),
                Col(t("结果", "Status"), "word", 8),
                Col(t("金额", "Amount"), "amount", 8),
                Col(t("原因", "Reason"), "name", 6),
                Col(t("撤销", "Voided"), "text", 2),
            ],
            [
                [
                    d["claim_id"],
                    api.cell(d["event_date"], opts.lang),
                    api.claim_type_word(d["claim_type"], opts.lang),
                    api.status_word(d["status"], opts.lang),
                    d["amount"],
                    api.reason_word(d["reason_code"], opts.lang),
                    d["void_reason"] or "",
                ]
                for d in shown.decisions
            ],
            lang=opts.lang,
        )
        say(t(f"累计给付 {shown.paid} 元。", f"Paid in all: {shown.paid} yuan."))
        return 0

    run_command(body, lang)
