"""Checking and enrolling units: validate-enrollment and enroll (A1, A4, E1–E6)."""

from __future__ import annotations

from pathlib import Path
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
from aidctl.cli.progress import Progress
from aidctl.cli.render import Col, print_json, say, table, the_right_command
from aidctl.cli.running import StagedWrite, run_command

# ---------------------------------------------------------------- enrolment


def shortfall_text(shortfall: int | None, lang: str) -> str:
    """How many more members a unit needs, in words ("3人"), a dash when none (L172)."""
    if not shortfall:
        return "—"
    return f"{shortfall}人" if lang == "zh" else str(shortfall)


def _enrolment_command(
    command: str,
    file: Path,
    members: Path | None,
    opts: CommonOptions,
    out_path: Path | None,
    annotated: Path | None,
    import_books: bool = False,
) -> int:
    progress = Progress(opts)
    # an enrolment's reports are written before the commit, renamed into place after (L155)
    with progress.shown("read"), StagedWrite(opts, out_path, annotated) as reports:
        with the_right_command(file, "units"):  # the other kind of workbook: say so (L177)
            given: dict[str, Any] = {
                "db": opts.db,
                "as_of": opts.as_of,
                "policy": opts.policy,
                "lang": opts.lang,
                "unmask": opts.unmask,
                "import_books": import_books,
                "progress": progress,
            }
            if command == "enroll":
                outcome = api.enroll(file, members, before_commit=reports.stage, **given)
            else:
                outcome = api.validate_enrollment(file, members, **given)
        reports.publish(outcome)
        progress("write")
    if opts.json:
        print_json(outcome)
        return outcome.exit_code
    t = opts.t
    units = outcome.units
    count_of = {r["status"]: r["len"] for r in units.group_by("status").len().iter_rows(named=True)}
    table(
        t("需要处理的单位", "Units that need action"),
        [
            Col(t("单位编码", "Unit"), "key", 9),
            Col(t("单位名称", "Name"), "name", 8),
            Col(t("结果", "Status"), "word", 8),
            Col(t("参保人数", "Enrolled"), "number", 4),
            Col(t("从业人员", "Staff"), "number", 3),
            Col(t("参保比例", "Ratio"), "number", 5),
            Col(t("还需增加", "More needed"), "number", 6),
            Col(t("互助金（元）", "Contribution"), "amount", 2),
            Col(t("原因", "Reasons"), "text", 7),
        ],
        [
            [
                u["unit_code"],
                api.cell(u["unit_name"], opts.lang),
                api.status_word(u["status"], opts.lang),
                api.cell(u["eligible"], opts.lang),
                t("未填", "blank") if u["total_staff"] is None else u["total_staff"],
                "—" if u["ratio"] is None else f"{u['ratio']:.1%}",
                shortfall_text(u["shortfall"], opts.lang),
                api.cell(u["contribution_total"], opts.lang),
                api.reasons_text(u["reasons"], opts.lang),
            ]
            for u in units.iter_rows(named=True)
            if u["status"] != "compliant"
        ],
        lang=opts.lang,
    )
    n_err = int((outcome.findings["severity"] == "error").sum())
    n_warn = int((outcome.findings["severity"] == "warning").sum())
    ok, bad, invalid = (count_of.get(s, 0) for s in ("compliant", "non_compliant", "invalid"))
    say(
        t(
            f"单位 {units.height} 个：合格 {ok}，不合格 {bad}，无效 {invalid}；"
            f"问题 {n_err} 条，提示 {n_warn} 条。",
            f"{units.height} units: {ok} compliant, {bad} non-compliant, {invalid} invalid; "
            f"{n_err} errors, {n_warn} warnings.",
        )
    )
    if command == "enroll":
        say(
            t(
                f"已登记：履约单 {outcome.contracts_added} 份，参保人员 {outcome.spells_added} 人"
                f"（运行 {outcome.run_id}）。",
                f"Recorded: {outcome.contracts_added} contracts, {outcome.spells_added} members "
                f"(run {outcome.run_id}).",
            )
        )
    say(t(f"报告：{outcome.report}", f"Report: {outcome.report}"))
    say(
        t(
            f"批注版（发回单位）：{outcome.annotated}",
            f"Annotated copy (for the unit): {outcome.annotated}",
        )
    )
    say(t(f"登记库：{opts.db}", f"Register: {opts.db}"))
    return outcome.exit_code


@app.command("validate-enrollment")
def validate_enrollment_cmd(
    file: Annotated[Path, typer.Argument(help="Units workbook (sheets 参保单位 and 参保职工).")],
    members: Annotated[
        Path | None, typer.Option("--members", help="Members in a separate file.")
    ] = None,
    db: DbOpt = None,
    as_of: AsOfOpt = None,
    lang: LangOpt = None,
    json_out: JsonOpt = False,
    out_path: OutOpt = None,
    policy: PolicyOpt = None,
    unmask: UnmaskOpt = False,
    annotated: Annotated[
        Path | None, typer.Option("--annotated", help="Where to write the annotated copy.")
    ] = None,
) -> None:
    """Check each unit's roster against the plan and say exactly what to fix (A1, A4).

    Nothing is recorded. Exit 0: all units compliant; 1: some unit must act; 2: cannot run.

    Example: aidctl validate-enrollment units.xlsx --as-of 2026-11-28 --out check.xlsx
    """
    run_command(
        lambda: _enrolment_command(
            "validate",
            file,
            members,
            CommonOptions.parse(db, as_of, lang, json_out, policy, unmask),
            out_path,
            annotated,
        ),
        lang,
    )


@app.command("enroll")
def enroll_cmd(
    file: Annotated[Path, typer.Argument(help="Units workbook (sheets 参保单位 and 参保职工).")],
    members: Annotated[
        Path | None, typer.Option("--members", help="Members in a separate file.")
    ] = None,
    db: DbOpt = None,
    as_of: AsOfOpt = None,
    lang: LangOpt = None,
    json_out: JsonOpt = False,
    out_path: OutOpt = None,
    policy: PolicyOpt = None,
    unmask: UnmaskOpt = False,
    annotated: Annotated[
        Path | None, typer.Option("--annotated", help="Where to write the annotated copy.")
    ] = None,
    import_books: Annotated[
        bool,
        typer.Option(
            "--import",
            help="Take over a running plan's books: trust the stated dates and 参保性质 "
            "(首次/续保); every contract recorded is marked imported (D5).",
        ),
    ] = False,
) -> None:
    """Record compliant units and their members in the register (E5, D3, D5, D6).

    Enrolling the same file twice changes nothing. Non-compliant units are not recorded.
    The day each roster was received (受理日期; default the as-of day) decides renewal or
    first enrolment (D5).

    Example: aidctl enroll units.xlsx --db reg.sqlite3 --as-of 2026-11-28 --lang en --json
    """
    run_command(
        lambda: _enrolment_command(
            "enroll",
            file,
            members,
            CommonOptions.parse(db, as_of, lang, json_out, policy, unmask),
            out_path,
            annotated,
            import_books,
        ),
        lang,
    )
