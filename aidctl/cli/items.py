"""Open items and corrections to decisions (issue 11): pending, withdraw, reopen, and
`void`, the reversal a reopen builds on."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from aidctl import api
from aidctl.cli.answers import voided_sentence
from aidctl.cli.app import app
from aidctl.cli.options import (
    AsOfOpt,
    CommonOptions,
    DbOpt,
    JsonOpt,
    LangOpt,
    PolicyOpt,
    UnmaskOpt,
)
from aidctl.cli.render import Col, print_json, say, table
from aidctl.cli.running import run_command, write_reports


@app.command("pending")
def pending_cmd(
    unit: Annotated[str | None, typer.Option("--unit", help="Only this unit's.")] = None,
    older_than: Annotated[
        str | None, typer.Option("--older-than", help="Open at least this long: 30d, 2w, 1m.")
    ] = None,
    db: DbOpt = None,
    as_of: AsOfOpt = None,
    lang: LangOpt = None,
    json_out: JsonOpt = False,
    out_path: Annotated[
        Path | None, typer.Option("--out", help="Also write the worklist workbook here.")
    ] = None,
    policy: PolicyOpt = None,
    unmask: UnmaskOpt = False,
) -> None:
    """List the open items: claims still pending, oldest first, with what to fix.

    A pending claim stays on this list until a re-sent row decides it or it is withdrawn
    (aidctl withdraw). Correct the row in the claims annotated copy and send it again.

    Example: aidctl pending --older-than 30d --db reg.sqlite3 --out 待处理.xlsx
    """

    def body() -> int:
        opts = CommonOptions.parse(db, as_of, lang, json_out, policy, unmask)
        t = opts.t
        shown = api.pending(
            unit=unit,
            older_than=older_than,
            db=opts.db,
            as_of=opts.as_of,
            policy=opts.policy,
            lang=opts.lang,
            unmask=opts.unmask,
        )
        if out_path is not None:
            write_reports(opts, shown, out_path)
        if opts.json:
            print_json(shown)
            return 0
        table(
            t("待处理事项", "Open items"),
            [
                Col(t("天数", "Days"), "number", 9),
                Col(t("单位编码", "Unit"), "key", 8),
                Col(t("理赔编号", "Claim"), "key", 9),
                Col(t("姓名", "Name"), "name", 5),
                Col(t("原因代码", "Reason"), "key", 7),
                Col(t("需补正事项", "What to fix"), "text", 6),
                Col(t("首次待处理", "Open since"), "date", 4),
            ],
            [
                [
                    r["age_days"],
                    r["unit_code"] or "",
                    r["claim_id"],
                    r["name"] or "",
                    api.reason_word(r["reason_code"], opts.lang),
                    r["what_to_fix"],
                    r["opened_on"],
                ]
                for r in shown.frame.iter_rows(named=True)
            ],
            lang=opts.lang,
        )
        say(t(f"待处理 {shown.items.height} 件。", f"{shown.items.height} open items."))
        if shown.report is not None:
            say(t(f"清单：{shown.report}", f"Worklist: {shown.report}"))
        return 0

    run_command(body, lang)


# what `withdraw` or `reopen` recorded: one shared body says either
Done = TypeVar("Done", api.WithdrawOutcome, api.ReopenOutcome)


def _correct_item(
    claim_id: str,
    reason: str,
    db: str | None,
    as_of: str | None,
    lang: str | None,
    json_out: bool,
    *,
    act: Callable[..., Done],
    words: Callable[[Done, str], tuple[str, str]],
) -> None:
    """The one body of `withdraw` and `reopen`: both record a clerk's correction to one
    claim with why (L133, L134) and then say it in one sentence or as JSON. `act` is the api
    call, `words` the (zh, en) sentence for its outcome in the clerk's language; a refusal
    is one sentence and exit 2, as for every command (`run_command`)."""

    def body() -> int:
        opts = CommonOptions.parse(db, as_of, lang, json_out)
        done = act(claim_id, reason, db=opts.db, as_of=opts.as_of)
        if opts.json:
            print_json(done)
            return 0
        say(opts.t(*words(done, opts.lang)))
        return 0

    run_command(body, lang)


@app.command("withdraw")
def withdraw_cmd(
    claim_id: Annotated[str, typer.Argument(help="The pending claim's id (理赔编号).")],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept for audit).")] = "",
    db: DbOpt = None,
    as_of: AsOfOpt = None,
    lang: LangOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Take a pending claim off the open items without deciding it (recorded, never deleted).

    Example: aidctl withdraw LP2026-0007 --reason "单位撤回申请" --db reg.sqlite3
    """

    def words(done: api.WithdrawOutcome, lang: str) -> tuple[str, str]:
        w = done.withdrawn
        why = api.reason_word(w["reason_code"], lang)
        return (
            f"已撤回待处理理赔 {claim_id}（{why}，自 {w['opened_on']} 起待处理），"
            f"运行 {done.withdraw_run}。",
            f"Withdrew pending claim {claim_id} ({why}, open since "
            f"{w['opened_on']}), run {done.withdraw_run}.",
        )

    _correct_item(claim_id, reason, db, as_of, lang, json_out, act=api.withdraw, words=words)


@app.command("reopen")
def reopen_cmd(
    claim_id: Annotated[str, typer.Argument(help="The rejected claim's id (理赔编号).")],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept for audit).")] = "",
    db: DbOpt = None,
    as_of: AsOfOpt = None,
    lang: LangOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Reopen a rejected claim: its row, sent again, is decided afresh (recorded like a void).

    For a rejection a correction cures: the unit's roster came after the claim, or the
    diagnosis was written wrongly. The claim is an open item until its row comes back.

    Example: aidctl reopen LP2026-0003 --reason "名册已补登" --db reg.sqlite3
    """

    def words(done: api.ReopenOutcome, lang: str) -> tuple[str, str]:
        why = api.reason_word(done.reopened["reason_code"], lang)
        return (
            f"已重新打开理赔 {claim_id}（原拒付：{why}），运行 {done.reopen_run}；"
            "请重新提交该理赔行。",
            f"Reopened claim {claim_id} (rejected: {why}), run "
            f"{done.reopen_run}; send its row again.",
        )

    _correct_item(claim_id, reason, db, as_of, lang, json_out, act=api.reopen, words=words)


def say_item(r: dict[str, Any], t: Callable[[str, str], str], policy: Any, lang: str) -> None:
    """An open item of `explain` (L130): why the claim is pending and what to fix."""
    say(
        t(
            f"理赔 {r['claim_id']}：待处理事项（自 {r['opened_on']} 起，运行 {r['opened_run']}）"
            f"  {r['name'] or ''} {r['id_number'] or ''}",
            f"Claim {r['claim_id']}: open item (since {r['opened_on']}, run {r['opened_run']})"
            f"  {r['name'] or ''} {r['id_number'] or ''}",
        )
    )
    say(f"     {api.reason_word(r['reason_code'], lang)} [{r['clause'] or ''}]")
    say("     " + api.explain_sentence(r, policy, lang))
    say(
        "     "
        + t(
            f"最近提交 {r['last_on']}（运行 {r['last_run']}），共 {r['times_seen']} 次",
            f"last sent {r['last_on']} (run {r['last_run']}), {r['times_seen']} time(s)",
        )
    )
    if r["status"] != "pending":
        how = {"decided": ("已审核", "decided"), "withdrawn": ("已撤回", "withdrawn")}
        zh, en = how.get(r["closed_how"], (r["closed_how"], r["closed_how"]))
        why = f"：{r['closed_reason']}" if r["closed_reason"] else ""
        why_en = f": {r['closed_reason']}" if r["closed_reason"] else ""
        say(
            "     "
            + t(
                f"已关闭（{zh}，{r['closed_on']}，运行 {r['closed_run']}）{why}",
                f"closed ({en}, {r['closed_on']}, run {r['closed_run']}){why_en}",
            )
        )


@app.command("void")
def void_cmd(
    claim_id: Annotated[str, typer.Argument(help="The claim id (理赔编号) to reverse.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept for audit).")] = "",
    db: DbOpt = None,
    as_of: AsOfOpt = None,
    lang: LangOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Reverse a decided claim by appending a reversal; nothing is deleted or rewritten.

    Caps and the earlier-term rules then count as if it had not been paid, and the claim id
    may be adjudicated again.

    Example: aidctl void LP2026-0001 --reason "材料造假，追回" --db reg.sqlite3
    """

    def body() -> int:
        opts = CommonOptions.parse(db, as_of, lang, json_out)
        done = api.void(claim_id, reason, db=opts.db, as_of=opts.as_of)
        if opts.json:
            print_json(done)
            return 0
        say(voided_sentence(claim_id, done.voided, done.void_run, opts.lang))
        return 0

    run_command(body, lang)
