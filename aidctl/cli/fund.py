"""The fund for the board: `fund`, `members`, `simulate`, `contributions record` (issue 12).

Thin callers of aidctl.api.fund: options in, the api function called, its report written,
a few lines (or `--json`) out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from aidctl import api
from aidctl.cli.app import app, template_app
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
from aidctl.cli.running import run_command

contributions_app = typer.Typer(
    help="Contributions received from the finance office. 互助金到账。\n\n"
    "Example: aidctl contributions record 2026-11-到账.xlsx",
    no_args_is_help=True,
)
app.add_typer(contributions_app, name="contributions")

YearOpt = Annotated[int | None, typer.Option("--year", help="A calendar year.")]
FromOpt = Annotated[str | None, typer.Option("--from", help="First day (YYYY-MM-DD).")]
ToOpt = Annotated[str | None, typer.Option("--to", help="Last day (YYYY-MM-DD), included.")]


def _yuan(value: int) -> str:
    return f"{value:,}"


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


@contributions_app.command("record")
def record_cmd(
    path: Annotated[Path, typer.Argument(help="The finance office's workbook of receipts.")],
    db: DbOpt = None,
    as_of: AsOfOpt = None,
    lang: LangOpt = None,
    json_out: JsonOpt = False,
    out_path: OutOpt = None,
) -> None:
    """Record contributions received (凭证号, 单位编码, 金额, 到账日期); rows with a problem are
    refused with what to fix, the others recorded. Exit 1 when a row was refused.

    Example: aidctl contributions record 2026-11-到账.xlsx --out 2026-11-到账.check.xlsx
    """

    def body() -> int:
        opts = CommonOptions.parse(db, as_of, lang, json_out)
        done = api.record_contributions(path, db=opts.db, as_of=opts.as_of, lang=opts.lang)
        target = out_path or path.with_name(f"{path.stem}.recorded.xlsx")
        api.write_receipts_report(done, target, opts.lang)
        if opts.json:
            print_json(done)
            return done.exit_code
        refused = done.to_json()["refused"]
        say(
            opts.t(
                f"入账 {done.recorded.height} 笔，合计 {_yuan(done.amount)} 元；未入账 {refused} 行"
                f"（见报告）。报告：{done.report}",
                f"Recorded {done.recorded.height} receipts, {_yuan(done.amount)} yuan; "
                f"{refused} rows not recorded (see the report). Report: {done.report}",
            )
        )
        return done.exit_code

    run_command(body, lang)


@app.command("fund")
def fund_cmd(
    year: YearOpt = None,
    start: FromOpt = None,
    end: ToOpt = None,
    by: Annotated[
        str | None, typer.Option("--by", help="month, district, unit or benefit.")
    ] = None,
    db: DbOpt = None,
    as_of: AsOfOpt = None,
    lang: LangOpt = None,
    json_out: JsonOpt = False,
    out_path: OutOpt = None,
    policy: PolicyOpt = None,
) -> None:
    """The fund for the board (A5.6): members, contributions billed / collected / earned,
    paid by benefit, the loss ratio, open claims and the reserve; an Excel report with
    charts. Default window: the as-of year up to the as-of day.

    Example: aidctl fund --year 2026 --by district --out 2026-基金.xlsx
    """

    def body() -> int:
        opts = CommonOptions.parse(db, as_of, lang, json_out, policy)
        done = api.fund(
            db=opts.db,
            as_of=opts.as_of,
            year=year,
            start=start,
            end=end,
            by=by,  # type: ignore[arg-type]  # checked by the api
            policy=opts.policy,
            lang=opts.lang,
        )
        s = done.summary
        target = out_path or Path(f"fund-{s.start:%Y%m%d}-{s.end:%Y%m%d}.xlsx")
        api.write_fund_report(done, target, opts.lang)
        if opts.json:
            print_json(done)
            return 0
        t = opts.t
        rows: list[list[Any]] = [
            [t("期末参保人数", "Members on the last day"), f"{s.members_on_end:,}"],
            [t("保障人天", "Member-days"), f"{s.member_days:,}"],
            [t("应缴 / 实收", "Billed / collected"), f"{_yuan(s.billed)} / {_yuan(s.collected)}"],
            [t("欠缴（累计）", "Outstanding"), _yuan(s.outstanding)],
            [t("已赚互助金", "Earned"), _yuan(s.earned)],
            [t("给付（净额）", "Paid (net)"), _yuan(s.paid)],
            [t("赔付率", "Loss ratio"), _ratio(s.loss_ratio)],
            [
                t("未结案件 / 最高可能给付", "Open claims / most they could cost"),
                f"{s.open_count} / {_yuan(s.open_max_cost)}",
            ],
            [t("基金结余", "Reserve"), _yuan(s.reserve)],
        ]
        table(
            t(f"基金 {s.start} – {s.end}", f"The fund {s.start} – {s.end}"),
            [Col(t("项目", "Figure"), priority=2), Col(t("数值", "Value"), "yuan", 2)],
            rows,
            opts.lang,
        )
        say(t(f"报告：{done.report}", f"Report: {done.report}"))
        return 0

    run_command(body, lang)


@app.command("members")
def members_cmd(
    on: Annotated[str, typer.Option("--on", help="The day (YYYY-MM-DD).")],
    unit: Annotated[str | None, typer.Option("--unit", help="One unit's code.")] = None,
    by: Annotated[str | None, typer.Option("--by", help="district")] = None,
    db: DbOpt = None,
    lang: LangOpt = None,
    json_out: JsonOpt = False,
    out_path: OutOpt = None,
    unmask: UnmaskOpt = False,
) -> None:
    """Who is covered on a day, under which contract, first-time or renewed, with counts;
    `--out` lists them, one row per person (id numbers masked unless --unmask).

    Example: aidctl members --on 2026-11-28 --by district --out 2026-11-28-参保人员.xlsx
    """

    def body() -> int:
        opts = CommonOptions.parse(db, None, lang, json_out, None, unmask)
        done = api.members(on, unit=unit, by=by, db=opts.db, lang=opts.lang)  # type: ignore[arg-type]
        if out_path is not None:
            api.write_members_report(done, out_path, opts.lang, opts.unmask)
        if opts.json:
            print_json(done)
            return 0
        t = opts.t
        c = done.counts
        if done.by == "district":
            rows = [
                [r["district_name"], r["members"], r["first_time"], r["renewed"]]
                for r in c.iter_rows(named=True)
            ]
            first = t("区县", "District")
        else:
            rows = [
                [t("合计", "All"), r["members"], r["first_time"], r["renewed"]]
                for r in c.iter_rows(named=True)
            ]
            first = ""
        table(
            t(f"{done.on} 参保人数", f"Members covered on {done.on}"),
            [
                Col(first, priority=2),
                Col(t("人数", "Members"), "int", 2),
                Col(t("首次参保", "First-time"), "int", 1),
                Col(t("续保", "Renewed"), "int", 1),
            ],
            rows,
            opts.lang,
        )
        return 0

    run_command(body, lang)


@app.command("simulate")
def simulate_cmd(
    proposal: Annotated[
        Path, typer.Option("--policy", help="The proposed parameter file (plan.toml's shape).")
    ],
    year: YearOpt = None,
    start: FromOpt = None,
    end: ToOpt = None,
    in_force: Annotated[
        Path | None,
        typer.Option("--in-force", help="The parameters in force; default the built-in file."),
    ] = None,
    db: DbOpt = None,
    as_of: AsOfOpt = None,
    lang: LangOpt = None,
    json_out: JsonOpt = False,
    out_path: OutOpt = None,
) -> None:
    """What a proposal would have paid on the claims the register decided in the window,
    beside what the parameters in force pay; nothing is recorded (A5.6).

    Example: aidctl simulate --policy 2027-方案.toml --year 2026 --out 2027-方案测算.xlsx
    """

    def body() -> int:
        opts = CommonOptions.parse(db, as_of, lang, json_out, in_force)
        done = api.simulate(
            proposal,
            db=opts.db,
            as_of=opts.as_of,
            year=year,
            start=start,
            end=end,
            policy=opts.policy,
            lang=opts.lang,
        )
        target = out_path or Path(f"simulate-{done.start:%Y%m%d}-{done.end:%Y%m%d}.xlsx")
        api.write_simulation_report(done, target, opts.lang)
        if opts.json:
            print_json(done)
            return 0
        s = done.simulation
        say(
            opts.t(
                f"{done.start} – {done.end}：重新审核 {s.claims.height} 件；现行给付 "
                f"{_yuan(s.paid_before)} 元，方案给付 {_yuan(s.paid_after)} 元，差额 "
                f"{_yuan(s.difference)} 元；赔付率 {_ratio(s.loss_ratio_before)} → "
                f"{_ratio(s.loss_ratio_after)}；{s.changed.height} 件结果或金额改变。"
                f"未写入登记库。报告：{done.report}",
                f"{done.start} – {done.end}: {s.claims.height} claims re-decided; paid in force "
                f"{_yuan(s.paid_before)} yuan, under the proposal {_yuan(s.paid_after)} yuan, "
                f"difference {_yuan(s.difference)} yuan; loss ratio "
                f"{_ratio(s.loss_ratio_before)} → {_ratio(s.loss_ratio_after)}; "
                f"{s.changed.height} claims would change. Nothing recorded. "
                f"Report: {done.report}",
            )
        )
        return 0

    run_command(body, lang)


__all__ = ["contributions_app"]


@template_app.command("receipts")
def template_receipts(
    out_path: Annotated[Path, typer.Option("--out", help="Where to write the template.")] = Path(
        "互助金到账模板.xlsx"
    ),
) -> None:
    """A blank workbook of contributions received, for the finance office.

    Example: aidctl template receipts --out 互助金到账模板.xlsx
    """

    def body() -> int:
        say(str(api.receipts_template(out_path)))
        return 0

    run_command(body, None)
