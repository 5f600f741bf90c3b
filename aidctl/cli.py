"""The command line: options in, the pipeline called, results shown; exit codes 0/1/2.

Each command is a few lines: build the context, call `aidctl.pipeline`, render. An
`AidctlError` (a file that cannot be read, a bad option, a register that is not ours)
becomes one sentence on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import polars as pl
import typer
from rich.console import Console
from rich.table import Table

from aidctl import __version__
from aidctl.errors import AidctlError, InputError
from aidctl.plan.params import Policy, load_policy
from aidctl.register.db import default_db_path

app = typer.Typer(
    name="aidctl",
    help="连云港市职工互助保障计划：参保校验、登记、理赔审核。\n\n"
    "Runs the Lianyungang employee mutual-aid plan: enrolment checks, the register, claims.\n\n"
    "Example: aidctl validate-enrollment units.xlsx --as-of 2026-11-28",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
policy_app = typer.Typer(
    help="The plan's dated parameters. 计划参数。\n\nExample: aidctl policy show --on 2026-11-28",
    no_args_is_help=True,
)
app.add_typer(policy_app, name="policy")

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

# ---------------------------------------------------------------- common options
DbOpt = Annotated[
    Path | None,
    typer.Option("--db", envvar="AIDCTL_DB", help="The register (SQLite file). Env AIDCTL_DB."),
]
AsOfOpt = Annotated[
    str | None,
    typer.Option("--as-of", help="The day the command acts as of (YYYY-MM-DD); default today."),
]
LangOpt = Annotated[
    str | None,
    typer.Option("--lang", help="zh (default) or en: language of reports and messages."),
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        envvar="AIDCTL_CONFIG",
        help="Workspace config (aidctl.toml); default ./aidctl.toml when there is one.",
    ),
]
JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print one JSON document on stdout instead of a summary.")
]
OutOpt = Annotated[Path | None, typer.Option("--out", help="Where to write the Excel report.")]
PolicyOpt = Annotated[
    Path | None,
    typer.Option(
        "--policy",
        envvar="AIDCTL_POLICY",
        help="A parameter file to use instead of the built-in one.",
    ),
]
UnmaskOpt = Annotated[bool, typer.Option("--unmask", help="Show id numbers in full in reports.")]


class Ctx:
    """Parsed common options, and the few helpers every command needs."""

    def __init__(
        self,
        db: Path | None,
        as_of: str | None,
        lang: str | None,
        json_out: bool,
        policy: Path | None,
        unmask: bool = False,
        config: Path | None = None,
    ) -> None:
        from aidctl.batch.workspace import find_config, load_workspace

        found = find_config(config)
        self.workspace = load_workspace(found) if found is not None else None
        ws = self.workspace
        lang = lang or (ws.lang if ws else "zh")
        if lang not in ("zh", "en"):
            raise InputError(
                f"--lang must be zh or en, not {lang!r}.",
                f"--lang 只能是 zh 或 en，而不是 {lang!r}。",
            )
        self.lang = lang
        self.json = json_out
        # an explicit --db wins, then the workspace's register, then $AIDCTL_DB / the default
        self.db = (db if db is not None else (ws.register if ws else default_db_path())).absolute()
        self.as_of = _parse_day(as_of, "--as-of") if as_of else dt.date.today()
        self.policy: Policy = load_policy(
            policy if policy is not None else (ws.policy if ws else None)
        )
        self.unmask = unmask
        self.started = time.perf_counter()
        self.timings: dict[str, float] = {}
        self._last = self.started
        self._status: Any = None

    def t(self, zh: str, en: str) -> str:
        return zh if self.lang == "zh" else en

    def pipeline_context(self) -> Any:
        from aidctl.intake.limits import Limits
        from aidctl.pipeline import Settings

        return Settings(
            db_path=self.db,
            as_of=self.as_of,
            lang=self.lang,
            policy=self.policy,
            unmask=self.unmask,
            limits=Limits.from_env(),
        )

    @contextmanager
    def progress(self, first: str) -> Iterator[None]:
        """A spinner with the current stage on a terminal; nothing otherwise (cron, pipes)."""
        if self.json or not err.is_terminal:
            yield
            return
        with err.status(self._stage_text(first)) as status:
            self._status = status
            try:
                yield
            finally:
                self._status = None

    def _stage_text(self, stage: str) -> str:
        words = {
            "read": ("读取表格…", "reading the workbook…"),
            "check": ("检查中…", "checking…"),
            "decide": ("审核中…", "deciding…"),
            "record": ("写入登记库…", "recording…"),
            "write": ("写报告…", "writing the reports…"),
        }
        zh, en = words.get(stage, (stage, stage))
        return zh if self.lang == "zh" else en

    def timer(self, stage: str) -> None:
        """Record how long a stage took; say it on stderr when nobody watches a terminal."""
        now = time.perf_counter()
        took = now - self._last
        self.timings[stage] = self.timings.get(stage, 0.0) + took
        self._last = now
        following = {"read": "check", "check": "record", "decide": "record", "record": "write"}
        if self._status is not None and stage in following:
            self._status.update(self._stage_text(following[stage]))
        if not self.json and not err.is_terminal and os.environ.get("AIDCTL_QUIET") != "1":
            err.print(
                f"aidctl: {stage} {took:.2f}s (total {now - self.started:.2f}s, "
                f"peak memory {_peak_mb():.0f} MB)"
            )


def _peak_mb() -> float:
    """This process's peak resident memory so far, in MB (Linux reports KiB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _parse_day(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise InputError(
            f"{option} needs a date like 2026-11-28, not {text!r}.",
            f"{option} 需要形如 2026-11-28 的日期，而不是 {text!r}。",
        ) from exc


def _run(body: Callable[[], int], lang: str | None = "zh") -> None:
    """Run a command body; turn known failures into one sentence and exit code 2."""
    lang = lang or "zh"
    try:
        code = body()
    except AidctlError as exc:
        err.print(f"aidctl: {exc.message(lang)}")
        raise typer.Exit(2) from None
    except OSError as exc:  # a report open in another program, a full disk, a read-only folder
        where = exc.filename or ""
        err.print(
            f"aidctl: {where}: {exc.strerror or exc}; the register was not changed by this error."
            if lang == "en"
            else f"aidctl：{where}：{exc.strerror or exc}；登记库未因此改动。"
        )
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        err.print(
            "aidctl: interrupted; nothing was recorded."
            if lang == "en"
            else "aidctl：已中断，未登记任何内容。"
        )
        raise typer.Exit(2) from None
    except Exception as exc:  # the last guard: one sentence, the details on request
        if os.environ.get("AIDCTL_DEBUG"):
            raise
        err.print(
            f"aidctl: unexpected error ({type(exc).__name__}: {exc}); nothing was recorded. "
            "Set AIDCTL_DEBUG=1 for details."
        )
        raise typer.Exit(2) from None
    raise typer.Exit(code)


def _print_json(doc: Any) -> None:
    sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2, default=str) + "\n")


def _default_out(source: Path, label: str) -> Path:
    return Path.cwd() / f"{source.stem}.{label}.xlsx"


def _facts(
    c: Ctx, source: Path, sha: str, run_id: str | None, versions: list[str]
) -> list[tuple[str, Any]]:
    return [
        (c.t("输入文件", "Input file"), str(source)),
        ("SHA-256", sha),
        (c.t("运行编号", "Run id"), run_id or c.t("（未登记）", "(not recorded)")),
        (c.t("业务日期", "As of"), c.as_of),
        (c.t("登记库", "Register"), str(c.db)),
        (c.t("参数版本", "Parameter version"), ", ".join(versions) or c.policy.latest.id),
        (c.t("参数文件", "Parameter file"), c.policy.path),
        ("aidctl", __version__),
    ]


def _table(title: str, headers: list[str], rows: list[list[Any]]) -> None:
    """A rich table on a terminal; plain tab-separated lines otherwise."""
    if out.is_terminal:
        table = Table(title=title, show_lines=False)
        for h in headers:
            table.add_column(h)
        for row in rows:
            table.add_row(*[str(v) for v in row])
        out.print(table)
    else:
        out.print(title)
        for row in rows:
            out.print("  " + "\t".join(str(v) for v in row))


# ---------------------------------------------------------------- enrolment


def _enrollment_command(
    command: str,
    file: Path,
    members: Path | None,
    db: Path | None,
    as_of: str | None,
    lang: str | None,
    json_out: bool,
    out_path: Path | None,
    policy: Path | None,
    unmask: bool,
    annotated: Path | None,
    imported: bool = False,
) -> int:
    from aidctl import pipeline
    from aidctl.reports.enrollment import (
        issues_frame,
        sheet_of,
        write_annotated_copy,
        write_enrollment_report,
    )

    c = Ctx(db, as_of, lang, json_out, policy, unmask)
    with c.progress("read"):
        if command == "enroll":
            outcome, intake = pipeline.enroll(
                c.pipeline_context(), file, members, c.timer, imported=imported
            )
        else:
            outcome, intake = pipeline.validate_enrollment(
                c.pipeline_context(), file, members, c.timer, imported=imported
            )
        result = outcome.result
        report = out_path or _default_out(file, "enroll" if command == "enroll" else "check")
        title = c.t(
            "参保校验结果" if command != "enroll" else "参保登记结果",
            "Enrolment check" if command != "enroll" else "Enrolment",
        )
        versions = sorted(result.units["policy_version"].drop_nulls().unique().to_list())
        write_enrollment_report(
            report,
            result.units,
            outcome.findings,
            _facts(c, file, outcome.input_sha256, outcome.run_id, versions),
            c.lang,
            c.unmask,
            title,
        )
        annotated_path = annotated or report.with_name(
            report.stem + (".批注" if c.lang == "zh" else ".annotated") + ".xlsx"
        )
        write_annotated_copy(
            annotated_path,
            intake.units_raw,
            intake.members_raw,
            result.units,
            result.members,
            outcome.findings,
            c.lang,
        )
        c.timer("write")
    units = result.units
    if c.json:
        member_sheet = sheet_of(result.members, "参保职工")
        issues = issues_frame(
            outcome.findings.filter(pl.col("sheet") == member_sheet), c.lang, c.unmask
        )
        doc = {
            "units": [
                {
                    "unit_code": u["unit_code"],
                    "unit_name": u["unit_name"],
                    "status": u["status"],
                    "total_staff": u["total_staff"],
                    "eligible": u["eligible"],
                    "ratio": None if u["ratio"] is None else round(u["ratio"], 4),
                    "required_ratio": u["required_ratio"],
                    "shortfall": u["shortfall"],
                    "contribution_total": u["contribution_total"],
                    "unit_share": u["unit_share"],
                    "individual_share": u["individual_share"],
                    "reasons": u["reasons"],
                    "term_start": _iso(u["term_start"]),
                    "term_end": _iso(u["term_end"]),
                    "received_date": _iso(u["received_date"]),
                    "first_time": u["first_time"],
                    "imported": u["imported"],
                }
                for u in units.iter_rows(named=True)
            ],
            "member_issues": issues.select(
                "sheet", "row", "unit_code", "id_number", "code", "message"
            ).to_dicts(),
            "report": str(report),
            "annotated": str(annotated_path),
            "register": str(c.db),
            "run_id": outcome.run_id,
        }
        _print_json(doc)
        return outcome.exit_code
    counts = units.group_by("status").len()
    count_of = {r["status"]: r["len"] for r in counts.iter_rows(named=True)}
    rows = [
        [
            u["unit_code"],
            u["unit_name"],
            _status_word(u["status"], c.lang),
            u["eligible"],
            u["total_staff"],
            f"{(u['ratio'] or 0):.1%}",
            u["shortfall"],
            u["contribution_total"],
            ", ".join(u["reasons"]),
        ]
        for u in units.filter(pl.col("status") != "compliant").iter_rows(named=True)
    ]
    _table(
        c.t("需要处理的单位", "Units that need action"),
        [
            c.t("单位编码", "Unit"),
            c.t("单位名称", "Name"),
            c.t("结果", "Status"),
            c.t("参保", "Enrolled"),
            c.t("总数", "Staff"),
            c.t("比例", "Ratio"),
            c.t("缺", "Short"),
            c.t("互助金", "Contribution"),
            c.t("原因", "Reasons"),
        ],
        rows,
    )
    n_err = int((outcome.findings["severity"] == "error").sum())
    n_warn = int((outcome.findings["severity"] == "warning").sum())
    out.print(
        c.t(
            f"单位 {units.height} 个：合格 {count_of.get('compliant', 0)}，不合格 {count_of.get('non_compliant', 0)}，"
            f"无效 {count_of.get('invalid', 0)}；问题 {n_err} 条，提示 {n_warn} 条。",
            f"{units.height} units: {count_of.get('compliant', 0)} compliant, "
            f"{count_of.get('non_compliant', 0)} non-compliant, {count_of.get('invalid', 0)} invalid; "
            f"{n_err} errors, {n_warn} warnings.",
        )
    )
    if command == "enroll":
        out.print(
            c.t(
                f"已登记：履约单 {outcome.contracts_added} 份，参保人员 {outcome.spells_added} 人（运行 {outcome.run_id}）。",
                f"Recorded: {outcome.contracts_added} contracts, {outcome.spells_added} members (run {outcome.run_id}).",
            )
        )
    out.print(c.t(f"报告：{report}", f"Report: {report}"))
    out.print(
        c.t(
            f"批注版（发回单位）：{annotated_path}",
            f"Annotated copy (for the unit): {annotated_path}",
        )
    )
    out.print(c.t(f"登记库：{c.db}", f"Register: {c.db}"))
    return outcome.exit_code


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _status_word(status: str, lang: str) -> str:
    from aidctl.reports.labels import STATUS, word

    return word(STATUS, status, lang)


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
    _run(
        lambda: _enrollment_command(
            "validate",
            file,
            members,
            db,
            as_of,
            lang,
            json_out,
            out_path,
            policy,
            unmask,
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
    _run(
        lambda: _enrollment_command(
            "enroll",
            file,
            members,
            db,
            as_of,
            lang,
            json_out,
            out_path,
            policy,
            unmask,
            annotated,
            import_books,
        ),
        lang,
    )


# ---------------------------------------------------------------- claims


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
        from aidctl import pipeline
        from aidctl.reports.adjudication import report_frame, write_adjudication_report

        c = Ctx(db, as_of, lang, json_out, policy, unmask)
        with c.progress("read"):
            outcome, intake = pipeline.adjudicate(c.pipeline_context(), file, dry_run, c.timer)
            frame = report_frame(
                outcome.decisions, intake.claims, c.policy.catalogue, c.lang, c.unmask
            )
            report = out_path or _default_out(file, "decisions")
            write_adjudication_report(
                report,
                frame,
                _facts(c, file, outcome.input_sha256, outcome.run_id, outcome.policy_versions),
                c.lang,
                c.t("理赔审核结果", "Claim decisions"),
            )
            c.timer("write")
        totals = pipeline.totals(outcome.decisions)
        if c.json:
            _print_json(
                {
                    "run_id": outcome.run_id,
                    "policy_version": ", ".join(outcome.policy_versions) or c.policy.latest.id,
                    "claims": frame.select(
                        "claim_id",
                        "status",
                        "amount",
                        "reason_code",
                        "clause",
                        pl.col("reason").alias("message"),
                    ).to_dicts(),
                    "totals": totals,
                    "report": str(report),
                    "register": str(c.db),
                }
            )
            return outcome.exit_code
        by = (
            frame.group_by("status", "reason_code")
            .agg(pl.len().alias("n"), pl.col("amount").sum().alias("amt"))
            .sort("status", "reason_code")
        )
        _table(
            c.t("理赔审核结果", "Claim decisions"),
            [
                c.t("结果", "Status"),
                c.t("原因代码", "Reason"),
                c.t("件数", "Claims"),
                c.t("金额（元）", "Amount (yuan)"),
            ],
            [
                [_status_word(r["status"], c.lang), r["reason_code"], r["n"], r["amt"]]
                for r in by.iter_rows(named=True)
            ],
        )
        out.print(
            c.t(
                f"给付 {totals['approved']} 件，拒付 {totals['rejected']} 件，待处理 {totals['pending']} 件；"
                f"给付金额合计 {totals['amount']} 元。",
                f"{totals['approved']} approved, {totals['rejected']} rejected, {totals['pending']} pending; "
                f"{totals['amount']} yuan to pay.",
            )
        )
        if dry_run:
            out.print(c.t("试算（--dry-run）：未登记。", "Dry run: nothing recorded."))
        else:
            out.print(
                c.t(
                    f"已登记 {outcome.recorded} 项决定（运行 {outcome.run_id}）。",
                    f"Recorded {outcome.recorded} decisions (run {outcome.run_id}).",
                )
            )
        out.print(c.t(f"报告：{report}", f"Report: {report}"))
        out.print(c.t(f"登记库：{c.db}", f"Register: {c.db}"))
        return outcome.exit_code

    _run(body, lang)


# ---------------------------------------------------------------- parameters


@policy_app.command("show")
def policy_show(
    on: Annotated[
        str | None, typer.Option("--on", help="Show the set in force on this day.")
    ] = None,
    policy: PolicyOpt = None,
    lang: LangOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Print the parameter set in force (A5.6, D9), each value with its clause.

    Example: aidctl policy show --on 2026-11-28
    """

    def body() -> int:
        c = Ctx(None, on, lang, json_out, policy)
        v = c.policy.at(c.as_of)
        if c.json:
            _print_json(
                {
                    "version": v.id,
                    "effective_from": v.effective_from,
                    "source": v.source,
                    "file": c.policy.path,
                    "values": v.values,
                    "clauses": v.clauses,
                    "disability": v.disability,
                    "diseases": [
                        {
                            "code": d.code,
                            "class": d.disease_class,
                            "zh": d.zh,
                            "en": d.en,
                            "related": c.policy.catalogue.related(d.code),
                        }
                        for d in c.policy.catalogue.diseases
                    ],
                }
            )
            return 0
        out.print(
            c.t(
                f"参数版本 {v.id}，自 {v.effective_from} 起施行（{v.source}）",
                f"Parameter version {v.id}, in force from {v.effective_from} ({v.source})",
            )
        )
        out.print(c.t(f"参数文件：{c.policy.path}", f"File: {c.policy.path}"))
        _table(
            c.t("参数", "Parameters"),
            [c.t("参数", "Key"), c.t("值", "Value"), c.t("条款", "Clause")],
            [[k, val, v.clause(k)] for k, val in v.values.items()],
        )
        _table(
            c.t("伤残等级给付（A5.3）", "Disability by grade (A5.3)"),
            [c.t("等级", "Grade"), c.t("金额（元）", "Yuan")],
            [[g, a] for g, a in v.disability.items()],
        )
        _table(
            c.t("保障病种（A3.1）", "Listed diseases (A3.1)"),
            [
                c.t("代码", "Code"),
                c.t("类别", "Class"),
                c.t("名称", "Name"),
                c.t("相关病种（D1）", "Related (D1)"),
            ],
            [
                [d.code, d.disease_class, d.name(c.lang), _related_text(c, d.code)]
                for d in c.policy.catalogue.diseases
            ],
        )
        return 0

    _run(body, lang)


def _related_text(c: Ctx, code: str) -> str:
    """The D1 pairs of one disease: 'C1-10 (certain), C1-08 (review)'."""
    kinds = {"certain": c.t("确定", "certain"), "review": c.t("复核", "review")}
    related = c.policy.catalogue.related(code)
    return ", ".join(f"{k} ({kinds[v]})" for k, v in related.items() if k != code)


_OUTCOME_WORDS = {
    "listed": ("保障病种，可给付", "a listed disease: can be paid"),
    "person": ("待人工审核（AMBIGUOUS_DISEASE）", "to a person (AMBIGUOUS_DISEASE)"),
    "unrecognised": (
        "无法识别，待补正（UNRECOGNISED_DISEASE）",
        "not recognised: pending (UNRECOGNISED_DISEASE)",
    ),
    "unlisted": (
        "不属于保障病种，拒付（DISEASE_NOT_LISTED）",
        "not a listed disease: rejected (DISEASE_NOT_LISTED)",
    ),
}


@policy_app.command("diseases")
def policy_diseases(
    check: Annotated[
        str | None, typer.Option("--check", help="A diagnosis as a hospital wrote it.")
    ] = None,
    code: Annotated[
        str | None, typer.Option("--code", help="Its ICD-10 code, if there is one.")
    ] = None,
    policy: PolicyOpt = None,
    lang: LangOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """The listed diseases and how a diagnosis is read (A3.1, D10, D1).

    Without --check: each disease with the number of its vocabulary rules and its related
    pairs. With --check: how the text (and --code) is read and why.

    Example: aidctl policy diseases --check 左肺上叶（腺癌） --code C34.1
    """

    def body() -> int:
        from aidctl.core.diagnosis import read_diagnoses

        c = Ctx(None, None, lang, json_out, policy)
        cat = c.policy.catalogue
        vocab = cat.vocabulary
        if check is None and code is None:
            rules = {d.code: len(vocab.rules_for(d.code)) if vocab else 0 for d in cat.diseases}
            if c.json:
                _print_json(
                    [
                        {
                            "code": d.code,
                            "class": d.disease_class,
                            "zh": d.zh,
                            "en": d.en,
                            "rules": rules[d.code],
                            "related": cat.related(d.code),
                        }
                        for d in cat.diseases
                    ]
                )
                return 0
            _table(
                c.t(
                    "保障病种与识别词表（A3.1、D10）",
                    "Listed diseases and their vocabulary (A3.1, D10)",
                ),
                [
                    c.t("代码", "Code"),
                    c.t("类别", "Class"),
                    c.t("名称", "Name"),
                    c.t("同义词/家族规则数", "Synonym/family rules"),
                    c.t("相关病种（D1）", "Related (D1)"),
                ],
                [
                    [
                        d.code,
                        d.disease_class,
                        d.name(c.lang),
                        rules[d.code],
                        _related_text(c, d.code),
                    ]
                    for d in cat.diseases
                ],
            )
            return 0
        frame = pl.DataFrame(
            {"disease": [check], "diagnosis_code": [code]},
            schema={"disease": pl.Utf8, "diagnosis_code": pl.Utf8},
        )
        r = read_diagnoses(frame, cat).row(0, named=True)
        hint = cat.missing_hint(r["dx_missing"], c.lang) if r["dx_missing"] else None
        if c.json:
            _print_json({**r, "hint": hint})
            return 0
        zh, en = _OUTCOME_WORDS.get(r["dx_outcome"] or "", ("无", "none"))
        out.print(
            c.t(
                f"病种：{check or ''}  诊断编码：{code or '无'}",
                f"Disease: {check or ''}  ICD-10: {code or 'none'}",
            )
        )
        out.print(c.t(f"结果：{zh}", f"Outcome: {en}"))
        if r["dx_code"]:
            d = cat.by_code(r["dx_code"])
            out.print(
                c.t(
                    f"病种代码：{d.code}（第{d.disease_class}类）{d.zh}",
                    f"Code: {d.code} (class {d.disease_class}) {d.en}",
                )
            )
        if r["dx_words"]:
            out.print(c.t(f"依据：{r['dx_words']}", f"Decided by: {r['dx_words']}"))
        if r["dx_candidates"]:
            out.print(c.t(f"可能的病种：{r['dx_candidates']}", f"Candidates: {r['dx_candidates']}"))
        if hint:
            out.print(c.t(f"请补正：{hint}", f"To do: {hint}"))
        elif r["dx_outcome"] == "unrecognised":
            out.print(
                c.t(f"请补正：{cat.missing_hint('', 'zh')}", f"To do: {cat.missing_hint('', 'en')}")
            )
        return 0

    _run(body, lang)


template_app = typer.Typer(
    help="Blank workbooks to hand out. 空白模板。\n\nExample: aidctl template claims --out 理赔申请模板.xlsx",
    no_args_is_help=True,
)
app.add_typer(template_app, name="template")


@template_app.command("units")
def template_units(
    out_path: Annotated[Path, typer.Option("--out", help="Where to write the workbook.")] = Path(
        "参保单位模板.xlsx"
    ),
    lang: LangOpt = None,
) -> None:
    """A blank units workbook: Chinese headers, dropdowns and instructions.

    Example: aidctl template units --out 参保单位模板.xlsx
    """

    def body() -> int:
        from aidctl.reports.templates import write_units_template

        write_units_template(out_path)
        out.print(str(out_path))
        return 0

    _run(body, lang)


@template_app.command("claims")
def template_claims(
    out_path: Annotated[Path, typer.Option("--out", help="Where to write the workbook.")] = Path(
        "理赔申请模板.xlsx"
    ),
    policy: PolicyOpt = None,
    lang: LangOpt = None,
) -> None:
    """A blank claims workbook: headers, dropdowns (type, the 27 diseases, grade, yes/no).

    Example: aidctl template claims --out 理赔申请模板.xlsx
    """

    def body() -> int:
        from aidctl.reports.templates import write_claims_template

        write_claims_template(out_path, load_policy(policy).catalogue)
        out.print(str(out_path))
        return 0

    _run(body, lang)


@app.command("explain")
def explain_cmd(
    claim_id: Annotated[str, typer.Argument(help="The claim id (理赔编号).")],
    db: DbOpt = None,
    lang: LangOpt = None,
    json_out: JsonOpt = False,
    policy: PolicyOpt = None,
    unmask: UnmaskOpt = False,
) -> None:
    """Print each step of a recorded decision with its clause and figures.

    Example: aidctl explain LP2026-0001 --db reg.sqlite3
    """

    def body() -> int:
        from aidctl.core.reasons import STEP_OF, STEPS
        from aidctl.register import Register
        from aidctl.reports.explain import explain
        from aidctl.reports.safe import mask_id

        c = Ctx(db, None, lang, json_out, policy, unmask)
        reg = Register.open(c.db, create=False)
        try:
            rows = reg.decisions_of_claim(claim_id)
        finally:
            reg.close()
        if not rows:
            raise InputError(
                f"Claim {claim_id} is not in the register {c.db}.",
                f"登记库 {c.db} 中没有理赔编号 {claim_id}。",
            )
        if c.json:
            _print_json(
                [
                    {**r, "id_number": r["id_number"] if c.unmask else mask_id(r["id_number"])}
                    for r in rows
                ]
            )
            return 0
        for r in rows:
            ident = r["id_number"] if c.unmask else mask_id(r["id_number"])
            out.print(
                c.t(
                    f"理赔 {r['claim_id']}（运行 {r['run_id']}）  {r['name'] or ''} {ident}",
                    f"Claim {r['claim_id']} (run {r['run_id']})  {r['name'] or ''} {ident}",
                )
            )
            decisive = STEP_OF.get(r["reason_code"], 1)
            if r["reason_code"] == "PARTIAL_CAP" and r["claim_type"] == "critical_illness":
                decisive = 6
            skip = {
                "critical_illness": {7, 8, 9},
                "accident_disability": {6, 8},
                "accident_death": {6, 7},
            }.get(r["claim_type"] or "", set())
            for step in range(1, decisive):
                if step not in skip:
                    zh, en = STEPS[step]
                    out.print(f"  {step}. {c.t(zh, en)}: " + c.t("通过", "passed"))
            zh, en = STEPS[decisive]
            out.print(f"  {decisive}. {c.t(zh, en)}: {r['reason_code']} [{r['clause']}]")
            if r["contract_no"]:
                out.print(
                    "     "
                    + c.t(
                        f"履约单 {r['contract_no']}，起始 {r['term_start']}，保障第 {r['cover_day']} 日",
                        f"contract {r['contract_no']}, from {r['term_start']}, day {r['cover_day']} of cover",
                    )
                )
            out.print("     " + explain(r, c.policy.catalogue, c.lang))
            out.print(
                "     "
                + c.t(
                    f"结果：{_status_word(r['status'], c.lang)} {r['amount']} 元；参数版本 {r['policy_version']}",
                    f"result: {r['status']} {r['amount']} yuan; parameters {r['policy_version']}",
                )
            )
            if r.get("void_reason"):
                out.print(
                    "     "
                    + c.t(
                        f"已撤销（运行 {r['void_run']}）：{r['void_reason']}",
                        f"voided (run {r['void_run']}): {r['void_reason']}",
                    )
                )
        return 0

    _run(body, lang)


@app.command("history")
def history_cmd(
    id_number: Annotated[str, typer.Argument(help="The member's id number (身份证号).")],
    db: DbOpt = None,
    lang: LangOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Print a member's cover spells, claims and payments.

    Example: aidctl history 320705198001010006 --db reg.sqlite3
    """

    def body() -> int:
        from aidctl.register import Register

        c = Ctx(db, None, lang, json_out, None)
        reg = Register.open(c.db, create=False)
        try:
            spells, decisions = reg.member_record(id_number.strip().upper())
        finally:
            reg.close()
        if c.json:
            _print_json({"spells": spells, "decisions": decisions})
            return 0
        _table(
            c.t("保障记录", "Cover"),
            [
                c.t("履约单", "Contract"),
                c.t("单位", "Unit"),
                c.t("开始", "From"),
                c.t("到期", "To"),
                c.t("首次", "First-time"),
            ],
            [
                [
                    s["contract_no"],
                    f"{s['unit_code']} {s['unit_name'] or ''}",
                    s["spell_start"],
                    s["term_end"],
                    c.t("是", "yes") if s["first_time"] else c.t("否", "no"),
                ]
                for s in spells
            ],
        )
        _table(
            c.t("理赔与给付", "Claims and payments"),
            [
                c.t("理赔编号", "Claim"),
                c.t("日期", "Date"),
                c.t("类型", "Type"),
                c.t("结果", "Status"),
                c.t("金额", "Amount"),
                c.t("原因", "Reason"),
                c.t("撤销", "Voided"),
            ],
            [
                [
                    d["claim_id"],
                    d["event_date"],
                    d["claim_type"],
                    _status_word(d["status"], c.lang),
                    d["amount"],
                    d["reason_code"],
                    d["void_reason"] or "",
                ]
                for d in decisions
            ],
        )
        paid = sum(d["amount"] for d in decisions if not d["void_reason"])
        out.print(c.t(f"累计给付 {paid} 元。", f"Paid in all: {paid} yuan."))
        return 0

    _run(body, lang)


@app.command("renewals")
def renewals_cmd(
    due: Annotated[str, typer.Option("--due", help="Window ahead: 30d, 2w, 1m.")] = "30d",
    db: DbOpt = None,
    as_of: AsOfOpt = None,
    lang: LangOpt = None,
    json_out: JsonOpt = False,
    out_path: OutOpt = None,
    policy: PolicyOpt = None,
) -> None:
    """Which units must renew (due), which are in the 20-day grace, which lapsed (A7.1, D5).

    Renewing by renew_by keeps renewal status and no waiting periods; a lapsed unit that
    enrols again is a first enrolment.

    Example: aidctl renewals --due 30d --db reg.sqlite3 --as-of 2026-11-28
    """

    def body() -> int:
        from aidctl import pipeline
        from aidctl.reports.renewals import status_word, write_renewals_report

        c = Ctx(db, as_of, lang, json_out, policy)
        listed = pipeline.renewals_due(c.pipeline_context(), due)
        report = out_path or Path.cwd() / f"renewals-{c.as_of:%Y%m%d}.xlsx"
        facts: list[tuple[str, Any]] = [
            (c.t("业务日期", "As of"), c.as_of),
            (c.t("提前期限", "Window"), due),
            (c.t("登记库", "Register"), str(c.db)),
        ]
        write_renewals_report(report, listed, facts, c.lang)
        if c.json:
            _print_json(
                {
                    "as_of": c.as_of,
                    "due": listed.select(
                        "unit_code",
                        "unit_name",
                        "contract_no",
                        "expiry_date",
                        "status",
                        "renew_by",
                        "members",
                        "contribution_due",
                    ).to_dicts(),
                    "report": str(report),
                }
            )
            return 0
        _table(
            c.t("续保提醒", "Renewals"),
            [
                c.t("单位编码", "Unit"),
                c.t("单位名称", "Name"),
                c.t("到期", "Expiry"),
                c.t("状态", "Status"),
                c.t("最迟续保", "Renew by"),
                c.t("人数", "Members"),
                c.t("应缴", "Due"),
                c.t("联系人", "Contact"),
                c.t("电话", "Phone"),
            ],
            [
                [
                    r["unit_code"],
                    r["unit_name"],
                    r["expiry_date"],
                    status_word(r["status"], c.lang),
                    r["renew_by"],
                    r["members"],
                    r["contribution_due"],
                    r["contact"] or "",
                    r["phone"] or "",
                ]
                for r in listed.iter_rows(named=True)
            ],
        )
        out.print(c.t(f"报告：{report}", f"Report: {report}"))
        return 0

    _run(body, lang)


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
        from aidctl import pipeline

        c = Ctx(db, as_of, lang, json_out, None)
        done = pipeline.void(c.pipeline_context(), claim_id, reason)
        if c.json:
            _print_json(done)
            return 0
        out.print(
            c.t(
                f"已撤销理赔 {claim_id} 的决定（{done['reason_code']}，{done['amount']} 元），运行 {done['void_run']}。",
                f"Voided the decision on claim {claim_id} ({done['reason_code']}, {done['amount']} yuan), run {done['void_run']}.",
            )
        )
        return 0

    _run(body, lang)


@app.command("payments")
def payments_cmd(
    period: Annotated[str, typer.Option("--period", help="The month, YYYY-MM.")],
    db: DbOpt = None,
    lang: LangOpt = None,
    json_out: JsonOpt = False,
    out_path: OutOpt = None,
    unmask: UnmaskOpt = False,
) -> None:
    """Export the month's payments for the finance office (reversals as negative rows).

    Example: aidctl payments --period 2026-11 --out 2026-11-支付清单.xlsx
    """

    def body() -> int:
        from aidctl import pipeline
        from aidctl.reports.payments import write_payments_report

        c = Ctx(db, None, lang, json_out, None, unmask)
        frame = pipeline.payments(c.pipeline_context(), period)
        report = out_path or Path.cwd() / f"payments-{period}.xlsx"
        facts: list[tuple[str, Any]] = [
            (c.t("月份", "Period"), period),
            (c.t("登记库", "Register"), str(c.db)),
        ]
        write_payments_report(report, frame, facts, c.lang, c.unmask)
        total = int(frame["amount"].sum())
        if c.json:
            _print_json(
                {"period": period, "payments": frame.height, "amount": total, "report": str(report)}
            )
            return 0
        out.print(
            c.t(
                f"{period}：{frame.height} 笔，合计 {total} 元。报告：{report}",
                f"{period}: {frame.height} rows, {total} yuan in all. Report: {report}",
            )
        )
        return 0

    _run(body, lang)


batch_app = typer.Typer(
    help="The unattended monthly batch. 月度批处理。\n\n"
    "Example: aidctl batch run --config /srv/aidctl/aidctl.toml",
    no_args_is_help=True,
)
app.add_typer(batch_app, name="batch")


@app.command("init")
def init_cmd(
    directory: Annotated[Path, typer.Argument(help="The workspace folder to create.")],
    lang: LangOpt = None,
) -> None:
    """Create an operator's workspace: aidctl.toml, inbox/, outbox/, archive/.

    Example: aidctl init /srv/aidctl && cd /srv/aidctl && aidctl batch run
    """

    def body() -> int:
        from aidctl.batch.workspace import init_workspace

        config = init_workspace(directory)
        out.print(str(config))
        return 0

    _run(body, lang)


@batch_app.command("run")
def batch_run_cmd(
    period: Annotated[
        str | None, typer.Option("--period", help="YYYY-MM; default the as-of month.")
    ] = None,
    due: Annotated[
        str, typer.Option("--due", help="Renewals window for the renewals report.")
    ] = "30d",
    config: ConfigOpt = None,
    as_of: AsOfOpt = None,
    lang: LangOpt = None,
) -> None:
    """Process every new file of the inbox (units: enroll; claims: adjudicate), in name order.

    Reports go to outbox/PERIOD/, inputs to archive/ under their SHA-256; a file already
    processed is skipped. Exit 0: all done; 1: done, but something needs a person;
    2: could not run. Safe to rerun after a crash: nothing is paid twice.

    Example (crontab): 0 6 1 * * cd /srv/aidctl && aidctl batch run >> cron.log 2>&1
    """

    def body() -> int:
        import re

        from aidctl.batch.run import run_batch

        c = Ctx(None, as_of, lang, False, None, config=config)
        if c.workspace is None:
            raise InputError(
                "No workspace: run `aidctl init DIR` and use --config DIR/aidctl.toml, or run from DIR.",
                "没有工作区：请先运行 `aidctl init 目录`，再用 --config 目录/aidctl.toml 或在该目录中运行。",
            )
        month = period or f"{c.as_of:%Y-%m}"
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
            raise InputError(
                f"--period needs a month like 2026-11, not {month!r}.",
                f"--period 需要形如 2026-11 的月份，而不是 {month!r}。",
            )
        ws = c.workspace
        log_file = ws.log_file

        def log(line: str) -> None:
            stamp = dt.datetime.now().isoformat(timespec="seconds")
            out.print(f"aidctl batch: {line}")
            with log_file.open("a", encoding="utf-8") as fh:
                fh.write(f"{stamp} {line}\n")

        result = run_batch(ws, c.pipeline_context(), month, log, due)
        counts: dict[str, int] = {}
        for f in result.files:
            counts[f.outcome] = counts.get(f.outcome, 0) + 1
        amount = sum(int(f.counts.get("amount") or 0) for f in result.files)
        log(
            f"period {month}: {len(result.files)} files "
            + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
            + f"; paid {amount} yuan; reports in {result.outbox}; exit {result.exit_code}"
        )
        return result.exit_code

    _run(body, lang)


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
        from aidctl.register import Register

        c = Ctx(None, None, lang, json_out, None, config=config)
        reg = Register.open(c.db, create=False)
        try:
            runs = reg.runs(limit, command="batch")
        finally:
            reg.close()
        parsed = [{**r, "counts": json.loads(r["counts"] or "{}")} for r in runs]
        if c.json:
            _print_json(parsed)
            return 0
        _table(
            c.t("批处理记录", "Batch runs"),
            [
                c.t("运行", "Run"),
                c.t("期间", "Period"),
                c.t("业务日期", "As of"),
                c.t("文件", "Files"),
                c.t("完成", "Done"),
                c.t("需处理", "Needs action"),
                c.t("已处理过", "Skipped"),
                c.t("退回", "Rejected"),
                c.t("给付金额", "Paid"),
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
                for r in parsed
            ],
        )
        return 0

    _run(body, lang)


register_app = typer.Typer(
    help="Look after the register. 登记库维护。\n\nExample: aidctl register backup /backup/register-2026-11.sqlite3",
    no_args_is_help=True,
)
app.add_typer(register_app, name="register")


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
        from aidctl.register.db import backup_register

        c = Ctx(db, None, lang, False, None, config=config)
        pages = backup_register(c.db, target)
        out.print(
            c.t(
                f"已备份 {c.db} → {target}（{pages} 页）。",
                f"Backed up {c.db} to {target} ({pages} pages).",
            )
        )
        return 0

    _run(body, lang)


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
        from aidctl.register.db import check_register

        c = Ctx(db, None, lang, False, None, config=config)
        problems = check_register(c.db)
        for line in problems[:50]:
            out.print(line)
        out.print(
            c.t(
                f"登记库 {c.db}："
                + ("完好。" if not problems else f"发现 {len(problems)} 个问题。"),
                f"Register {c.db}: " + ("sound." if not problems else f"{len(problems)} problems."),
            )
        )
        return 1 if problems else 0

    _run(body, lang)


@app.callback(invoke_without_command=True)
def _root(
    version: Annotated[bool, typer.Option("--version", help="Print the version.")] = False,
) -> None:
    if version:
        out.print(f"aidctl {__version__}")
        raise typer.Exit(0)


def main() -> None:
    app()
