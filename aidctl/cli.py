"""The command line: options in, `aidctl.api` called, results shown; exit codes 0/1/2.

Each command parses its options, calls the one function of `aidctl.api` named after it,
writes the report through `api.write_report`, and renders the outcome: a rich table on a
terminal, plain lines otherwise, or `--json` (the outcome's own `to_json()`). An
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, ClassVar

import polars as pl
import typer
from rich.console import Console
from rich.table import Table

from aidctl import __version__, api
from aidctl.batch.workspace import Workspace, find_config, init_workspace, load_workspace
from aidctl.errors import AidctlError, InputError

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


@dataclass
class CommonOptions:
    """The options every command shares, resolved: an explicit option wins, then the
    workspace config (aidctl.toml), then $AIDCTL_DB / the built-in defaults."""

    db: Path
    as_of: dt.date | None
    lang: str
    json: bool
    policy: Path | None
    unmask: bool = False
    workspace: Workspace | None = None
    started: float = field(default_factory=time.perf_counter)

    @classmethod
    def parse(
        cls,
        db: Path | None = None,
        as_of: str | None = None,
        lang: str | None = None,
        json_out: bool = False,
        policy: Path | None = None,
        unmask: bool = False,
        config: Path | None = None,
    ) -> CommonOptions:
        found = find_config(config)
        ws = load_workspace(found) if found is not None else None
        lang = lang or (ws.lang if ws else "zh")
        if lang not in ("zh", "en"):
            raise InputError(
                f"--lang must be zh or en, not {lang!r}.",
                f"--lang 只能是 zh 或 en，而不是 {lang!r}。",
            )
        register = db if db is not None else (ws.register if ws else api.default_register())
        return cls(
            db=register.absolute(),
            as_of=_parse_day(as_of, "--as-of") if as_of else None,
            lang=lang,
            json=json_out,
            policy=policy if policy is not None else (ws.policy if ws else None),
            unmask=unmask,
            workspace=ws,
        )

    def t(self, zh: str, en: str) -> str:
        return zh if self.lang == "zh" else en


class Progress:
    """A spinner with the current stage on a terminal; on stderr, each stage's time when
    nobody watches a terminal (cron, pipes); nothing with --json or AIDCTL_QUIET=1."""

    _WORDS: ClassVar[dict[str, tuple[str, str]]] = {
        "read": ("读取表格…", "reading the workbook…"),
        "check": ("检查中…", "checking…"),
        "decide": ("审核中…", "deciding…"),
        "record": ("写入登记库…", "recording…"),
        "write": ("写报告…", "writing the reports…"),
    }
    _FOLLOWING: ClassVar[dict[str, str]] = {
        "read": "check",
        "check": "record",
        "decide": "record",
        "record": "write",
    }

    def __init__(self, opts: CommonOptions) -> None:
        self.opts = opts
        self.timings: dict[str, float] = {}
        self._last = opts.started
        self._status: Any = None

    def _text(self, stage: str) -> str:
        zh, en = self._WORDS.get(stage, (stage, stage))
        return self.opts.t(zh, en)

    @contextmanager
    def shown(self, first: str) -> Iterator[Progress]:
        if self.opts.json or not err.is_terminal:
            yield self
            return
        with err.status(self._text(first)) as status:
            self._status = status
            try:
                yield self
            finally:
                self._status = None

    def __call__(self, stage: str) -> None:
        now = time.perf_counter()
        took = now - self._last
        self.timings[stage] = self.timings.get(stage, 0.0) + took
        self._last = now
        if self._status is not None and stage in self._FOLLOWING:
            self._status.update(self._text(self._FOLLOWING[stage]))
        if not self.opts.json and not err.is_terminal and os.environ.get("AIDCTL_QUIET") != "1":
            err.print(
                f"aidctl: {stage} {took:.2f}s (total {now - self.opts.started:.2f}s, "
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


def _print_json(outcome: Any) -> None:
    """The outcome's own document (docs/formats.md); the CLI builds none itself."""
    sys.stdout.write(
        json.dumps(outcome.to_json(), ensure_ascii=False, indent=2, default=str) + "\n"
    )


def _write(
    opts: CommonOptions, outcome: Any, path: Path | None, annotated: Path | None = None
) -> list[Path]:
    """Write the outcome's report(s). After a commit the run is recorded whatever happens
    here, so a failure names the run and the command that writes its report again (L65)."""
    try:
        return api.write_report(outcome, path, opts.lang, opts.unmask, annotated)
    except OSError as exc:
        run_id = getattr(outcome, "run_id", None)
        if run_id is None:
            raise
        where = exc.filename or path or ""
        raise AidctlError(
            f"{where}: {exc.strerror or exc}. Run {run_id} is recorded; its report was not "
            f"written: `aidctl report {run_id}` writes it again.",
            f"{where}：{exc.strerror or exc}。运行 {run_id} 已登记，但报告未能写出："
            f"`aidctl report {run_id}` 可重新写出该报告。",
        ) from exc


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
    call = api.enroll if command == "enroll" else api.validate_enrollment
    with progress.shown("read"):
        outcome = call(
            file,
            members,
            db=opts.db,
            as_of=opts.as_of,
            policy=opts.policy,
            lang=opts.lang,
            unmask=opts.unmask,
            import_books=import_books,
            progress=progress,
        )
        _write(opts, outcome, out_path, annotated)
        progress("write")
    if opts.json:
        _print_json(outcome)
        return outcome.exit_code
    t = opts.t
    units = outcome.units
    count_of = {r["status"]: r["len"] for r in units.group_by("status").len().iter_rows(named=True)}
    _table(
        t("需要处理的单位", "Units that need action"),
        [
            t("单位编码", "Unit"),
            t("单位名称", "Name"),
            t("结果", "Status"),
            t("参保", "Enrolled"),
            t("总数", "Staff"),
            t("比例", "Ratio"),
            t("缺", "Short"),
            t("互助金", "Contribution"),
            t("原因", "Reasons"),
        ],
        [
            [
                u["unit_code"],
                u["unit_name"],
                api.status_word(u["status"], opts.lang),
                u["eligible"],
                u["total_staff"],
                f"{(u['ratio'] or 0):.1%}",
                u["shortfall"],
                u["contribution_total"],
                ", ".join(u["reasons"]),
            ]
            for u in units.iter_rows(named=True)
            if u["status"] != "compliant"
        ],
    )
    n_err = int((outcome.findings["severity"] == "error").sum())
    n_warn = int((outcome.findings["severity"] == "warning").sum())
    ok, bad, invalid = (count_of.get(s, 0) for s in ("compliant", "non_compliant", "invalid"))
    out.print(
        t(
            f"单位 {units.height} 个：合格 {ok}，不合格 {bad}，无效 {invalid}；"
            f"问题 {n_err} 条，提示 {n_warn} 条。",
            f"{units.height} units: {ok} compliant, {bad} non-compliant, {invalid} invalid; "
            f"{n_err} errors, {n_warn} warnings.",
        )
    )
    if command == "enroll":
        out.print(
            t(
                f"已登记：履约单 {outcome.contracts_added} 份，参保人员 {outcome.spells_added} 人"
                f"（运行 {outcome.run_id}）。",
                f"Recorded: {outcome.contracts_added} contracts, {outcome.spells_added} members "
                f"(run {outcome.run_id}).",
            )
        )
    out.print(t(f"报告：{outcome.report}", f"Report: {outcome.report}"))
    out.print(
        t(
            f"批注版（发回单位）：{outcome.annotated}",
            f"Annotated copy (for the unit): {outcome.annotated}",
        )
    )
    out.print(t(f"登记库：{opts.db}", f"Register: {opts.db}"))
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
    _run(
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
    _run(
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
        opts = CommonOptions.parse(db, as_of, lang, json_out, policy, unmask)
        progress = Progress(opts)
        with progress.shown("read"):
            outcome = api.adjudicate(
                file,
                db=opts.db,
                as_of=opts.as_of,
                policy=opts.policy,
                lang=opts.lang,
                unmask=opts.unmask,
                dry_run=dry_run,
                progress=progress,
            )
            _write(opts, outcome, out_path)
            progress("write")
        if opts.json:
            _print_json(outcome)
            return outcome.exit_code
        t = opts.t
        totals = outcome.totals
        by = (
            outcome.decisions.group_by("status", "reason_code")
            .agg(pl.len().alias("n"), pl.col("amount").sum().alias("amt"))
            .sort("status", "reason_code")
        )
        _table(
            t("理赔审核结果", "Claim decisions"),
            [
                t("结果", "Status"),
                t("原因代码", "Reason"),
                t("件数", "Claims"),
                t("金额（元）", "Amount (yuan)"),
            ],
            [
                [api.status_word(r["status"], opts.lang), r["reason_code"], r["n"], r["amt"]]
                for r in by.iter_rows(named=True)
            ],
        )
        out.print(
            t(
                f"给付 {totals['approved']} 件，拒付 {totals['rejected']} 件，"
                f"待处理 {totals['pending']} 件；给付金额合计 {totals['amount']} 元。",
                f"{totals['approved']} approved, {totals['rejected']} rejected, "
                f"{totals['pending']} pending; {totals['amount']} yuan to pay.",
            )
        )
        if dry_run:
            out.print(t("试算（--dry-run）：未登记。", "Dry run: nothing recorded."))
        else:
            out.print(
                t(
                    f"已登记 {outcome.recorded} 项决定（运行 {outcome.run_id}）。",
                    f"Recorded {outcome.recorded} decisions (run {outcome.run_id}).",
                )
            )
        out.print(t(f"报告：{outcome.report}", f"Report: {outcome.report}"))
        out.print(t(f"登记库：{opts.db}", f"Register: {opts.db}"))
        return outcome.exit_code

    _run(body, lang)


# ---------------------------------------------------------------- parameters


def _related_text(t: Callable[[str, str], str], related: dict[str, str], code: str) -> str:
    """The D1 pairs of one disease: 'C1-10 (certain), C1-08 (review)'."""
    kinds = {"certain": t("确定", "certain"), "review": t("复核", "review")}
    return ", ".join(f"{k} ({kinds[v]})" for k, v in related.items() if k != code)


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
        opts = CommonOptions.parse(None, on, lang, json_out, policy)
        shown = api.policy_show(opts.as_of, policy=opts.policy)
        if opts.json:
            _print_json(shown)
            return 0
        t, v, loaded = opts.t, shown.version, shown.policy
        out.print(
            t(
                f"参数版本 {v.id}，自 {v.effective_from} 起施行（{v.source}）",
                f"Parameter version {v.id}, in force from {v.effective_from} ({v.source})",
            )
        )
        out.print(t(f"参数文件：{loaded.path}", f"File: {loaded.path}"))
        _table(
            t("参数", "Parameters"),
            [t("参数", "Key"), t("值", "Value"), t("条款", "Clause")],
            [[k, val, v.clause(k)] for k, val in v.values.items()],
        )
        _table(
            t("伤残等级给付（A5.3）", "Disability by grade (A5.3)"),
            [t("等级", "Grade"), t("金额（元）", "Yuan")],
            [[g, a] for g, a in v.disability.items()],
        )
        _table(
            t("保障病种（A3.1）", "Listed diseases (A3.1)"),
            [
                t("代码", "Code"),
                t("类别", "Class"),
                t("名称", "Name"),
                t("相关病种（D1）", "Related (D1)"),
            ],
            [
                [
                    d.code,
                    d.disease_class,
                    d.name(opts.lang),
                    _related_text(t, shown.related(d.code), d.code),
                ]
                for d in loaded.catalogue.diseases
            ],
        )
        return 0

    _run(body, lang)


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
        opts = CommonOptions.parse(None, None, lang, json_out, policy)
        t = opts.t
        shown = api.policy_diseases(check, code, policy=opts.policy, lang=opts.lang)
        cat = shown.policy.catalogue
        if opts.json:
            _print_json(shown)
            return 0
        if shown.reading is None:
            _table(
                t(
                    "保障病种与识别词表（A3.1、D10）",
                    "Listed diseases and their vocabulary (A3.1, D10)",
                ),
                [
                    t("代码", "Code"),
                    t("类别", "Class"),
                    t("名称", "Name"),
                    t("同义词/家族规则数", "Synonym/family rules"),
                    t("相关病种（D1）", "Related (D1)"),
                ],
                [
                    [
                        d.code,
                        d.disease_class,
                        d.name(opts.lang),
                        shown.rules[d.code],
                        _related_text(t, shown.related(d.code), d.code),
                    ]
                    for d in cat.diseases
                ],
            )
            return 0
        r = shown.reading
        zh, en = _OUTCOME_WORDS.get(r["dx_outcome"] or "", ("无", "none"))
        out.print(
            t(
                f"病种：{check or ''}  诊断编码：{code or '无'}",
                f"Disease: {check or ''}  ICD-10: {code or 'none'}",
            )
        )
        out.print(t(f"结果：{zh}", f"Outcome: {en}"))
        if r["dx_code"]:
            d = cat.by_code(r["dx_code"])
            out.print(
                t(
                    f"病种代码：{d.code}（第{d.disease_class}类）{d.zh}",
                    f"Code: {d.code} (class {d.disease_class}) {d.en}",
                )
            )
        if r["dx_words"]:
            out.print(t(f"依据：{r['dx_words']}", f"Decided by: {r['dx_words']}"))
        if r["dx_candidates"]:
            out.print(t(f"可能的病种：{r['dx_candidates']}", f"Candidates: {r['dx_candidates']}"))
        if r["hint"]:
            out.print(t(f"请补正：{r['hint']}", f"To do: {r['hint']}"))
        elif r["dx_outcome"] == "unrecognised":
            out.print(
                t(f"请补正：{cat.missing_hint('', 'zh')}", f"To do: {cat.missing_hint('', 'en')}")
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
        out.print(str(api.template("units", out_path)))
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
        out.print(str(api.template("claims", out_path, policy=policy)))
        return 0

    _run(body, lang)


# ---------------------------------------------------------------- the register


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
        opts = CommonOptions.parse(db, None, lang, json_out, policy, unmask)
        t = opts.t
        shown = api.explain(claim_id, db=opts.db, policy=opts.policy, unmask=opts.unmask)
        if opts.json:
            _print_json(shown)
            return 0
        for r in shown.to_json():  # id numbers masked unless --unmask
            out.print(
                t(
                    f"理赔 {r['claim_id']}（运行 {r['run_id']}）  {r['name'] or ''} {r['id_number']}",
                    f"Claim {r['claim_id']} (run {r['run_id']})  {r['name'] or ''} {r['id_number']}",
                )
            )
            for step, zh, en, decisive in api.decision_steps(r):
                if decisive:
                    out.print(f"  {step}. {t(zh, en)}: {r['reason_code']} [{r['clause']}]")
                else:
                    out.print(f"  {step}. {t(zh, en)}: " + t("通过", "passed"))
            if r["contract_no"]:
                out.print(
                    "     "
                    + t(
                        f"履约单 {r['contract_no']}，起始 {r['term_start']}，保障第 {r['cover_day']} 日",
                        f"contract {r['contract_no']}, from {r['term_start']}, day {r['cover_day']} of cover",
                    )
                )
            out.print("     " + api.explain_sentence(r, shown.policy, opts.lang))
            out.print(
                "     "
                + t(
                    f"结果：{api.status_word(r['status'], opts.lang)} {r['amount']} 元；参数版本 {r['policy_version']}",
                    f"result: {r['status']} {r['amount']} yuan; parameters {r['policy_version']}",
                )
            )
            if r.get("void_reason"):
                out.print(
                    "     "
                    + t(
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
        opts = CommonOptions.parse(db, None, lang, json_out)
        t = opts.t
        shown = api.history(id_number, db=opts.db)
        if opts.json:
            _print_json(shown)
            return 0
        _table(
            t("保障记录", "Cover"),
            [
                t("履约单", "Contract"),
                t("单位", "Unit"),
                t("开始", "From"),
                t("到期", "To"),
                t("首次", "First-time"),
            ],
            [
                [
                    s["contract_no"],
                    f"{s['unit_code']} {s['unit_name'] or ''}",
                    s["spell_start"],
                    s["term_end"],
                    t("是", "yes") if s["first_time"] else t("否", "no"),
                ]
                for s in shown.spells
            ],
        )
        _table(
            t("理赔与给付", "Claims and payments"),
            [
                t("理赔编号", "Claim"),
                t("日期", "Date"),
                t("类型", "Type"),
                t("结果", "Status"),
                t("金额", "Amount"),
                t("原因", "Reason"),
                t("撤销", "Voided"),
            ],
            [
                [
                    d["claim_id"],
                    d["event_date"],
                    d["claim_type"],
                    api.status_word(d["status"], opts.lang),
                    d["amount"],
                    d["reason_code"],
                    d["void_reason"] or "",
                ]
                for d in shown.decisions
            ],
        )
        out.print(t(f"累计给付 {shown.paid} 元。", f"Paid in all: {shown.paid} yuan."))
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
    enrols again is a first enrolment. The list is kept as a run: `aidctl report RUN_ID`
    writes its workbook again.

    Example: aidctl renewals --due 30d --db reg.sqlite3 --as-of 2026-11-28
    """

    def body() -> int:
        opts = CommonOptions.parse(db, as_of, lang, json_out, policy)
        t = opts.t
        shown = api.renewals(due, db=opts.db, as_of=opts.as_of, policy=opts.policy)
        _write(opts, shown, out_path)
        if opts.json:
            _print_json(shown)
            return 0
        _table(
            t("续保提醒", "Renewals"),
            [
                t("单位编码", "Unit"),
                t("单位名称", "Name"),
                t("到期", "Expiry"),
                t("状态", "Status"),
                t("最迟续保", "Renew by"),
                t("人数", "Members"),
                t("应缴", "Due"),
                t("联系人", "Contact"),
                t("电话", "Phone"),
            ],
            [
                [
                    r["unit_code"],
                    r["unit_name"],
                    r["expiry_date"],
                    api.renewal_word(r["status"], opts.lang),
                    r["renew_by"],
                    r["members"],
                    r["contribution_due"],
                    r["contact"] or "",
                    r["phone"] or "",
                ]
                for r in shown.due.iter_rows(named=True)
            ],
        )
        out.print(
            t(
                f"报告：{shown.report}（运行 {shown.run_id}）",
                f"Report: {shown.report} (run {shown.run_id})",
            )
        )
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
        opts = CommonOptions.parse(db, as_of, lang, json_out)
        done = api.void(claim_id, reason, db=opts.db, as_of=opts.as_of)
        if opts.json:
            _print_json(done)
            return 0
        v = done.voided
        out.print(
            opts.t(
                f"已撤销理赔 {claim_id} 的决定（{v['reason_code']}，{v['amount']} 元），运行 {done.void_run}。",
                f"Voided the decision on claim {claim_id} ({v['reason_code']}, {v['amount']} yuan), run {done.void_run}.",
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
        opts = CommonOptions.parse(db, None, lang, json_out, None, unmask)
        shown = api.payments(period, db=opts.db)
        _write(opts, shown, out_path)
        if opts.json:
            _print_json(shown)
            return 0
        n = shown.payments.height
        out.print(
            opts.t(
                f"{period}：{n} 笔，合计 {shown.amount} 元。报告：{shown.report}",
                f"{period}: {n} rows, {shown.amount} yuan in all. Report: {shown.report}",
            )
        )
        return 0

    _run(body, lang)


def _runs_table(opts: CommonOptions, runs: list[dict[str, Any]]) -> None:
    t = opts.t
    _table(
        t("运行记录", "Runs"),
        [
            t("运行", "Run"),
            t("命令", "Command"),
            t("业务日期", "As of"),
            t("输入", "Input"),
            t("结果", "Counts"),
        ],
        [
            [
                r["run_id"],
                r["command"],
                r["as_of"],
                r["input_file"] or "",
                json.dumps(r["counts"], ensure_ascii=False),
            ]
            for r in runs
        ],
    )


@app.command("runs")
def runs_cmd(
    db: DbOpt = None,
    command: Annotated[
        str | None, typer.Option("--command", help="Only runs of this command (enroll, …).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="How many runs.")] = 20,
    lang: LangOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """List the register's runs, latest first, with their counts.

    Example: aidctl runs --db reg.sqlite3 --command adjudicate
    """

    def body() -> int:
        opts = CommonOptions.parse(db, None, lang, json_out)
        listed = api.runs(db=opts.db, limit=limit, command=command)
        if opts.json:
            _print_json(listed)
            return 0
        _runs_table(opts, listed.runs)
        return 0

    _run(body, lang)


@app.command("report")
def report_cmd(
    run_id: Annotated[
        str, typer.Argument(help="The run id (from the command's output or `aidctl runs`).")
    ],
    db: DbOpt = None,
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
        opts = CommonOptions.parse(db, None, lang, json_out, policy, unmask)
        rebuilt = api.report(
            run_id, db=opts.db, policy=opts.policy, lang=opts.lang, unmask=opts.unmask
        )
        api.write_report(rebuilt, out_path, opts.lang, opts.unmask)
        if opts.json:
            _print_json(rebuilt)
            return 0
        for path in rebuilt.written:
            out.print(opts.t(f"报告：{path}", f"Report: {path}"))
        if rebuilt.command == "enroll":
            out.print(
                opts.t(
                    "批注版未重写：它需要单位报送的原表格，请用 validate-enrollment 重新生成。",
                    "The annotated copy is not written again: it needs the unit's own workbook; "
                    "validate-enrollment on that workbook writes one.",
                )
            )
        return 0

    _run(body, lang)


# ---------------------------------------------------------------- the monthly batch

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
        out.print(str(init_workspace(directory)))
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
        opts = CommonOptions.parse(None, as_of, lang, False, None, config=config)
        log_file = opts.workspace.log_file if opts.workspace else None

        def log(line: str) -> None:
            out.print(f"aidctl batch: {line}")
            if log_file is not None:
                stamp = dt.datetime.now().isoformat(timespec="seconds")
                with log_file.open("a", encoding="utf-8") as fh:
                    fh.write(f"{stamp} {line}\n")

        done = api.batch_run(
            config, period=period, as_of=opts.as_of, lang=opts.lang, due=due, log=log
        )
        counts: dict[str, int] = {}
        for f in done.files:
            counts[f.outcome] = counts.get(f.outcome, 0) + 1
        log(
            f"period {done.period}: {len(done.files)} files "
            + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
            + f"; paid {done.amount} yuan; reports in {done.outbox}; exit {done.exit_code}"
        )
        return done.exit_code

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
        opts = CommonOptions.parse(None, None, lang, json_out, None, config=config)
        t = opts.t
        listed = api.batch_status(db=opts.db, limit=limit)
        if opts.json:
            _print_json(listed)
            return 0
        _table(
            t("批处理记录", "Batch runs"),
            [
                t("运行", "Run"),
                t("期间", "Period"),
                t("业务日期", "As of"),
                t("文件", "Files"),
                t("完成", "Done"),
                t("需处理", "Needs action"),
                t("已处理过", "Skipped"),
                t("退回", "Rejected"),
                t("给付金额", "Paid"),
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
        opts = CommonOptions.parse(db, None, lang, config=config)
        pages = api.register_backup(target, db=opts.db)
        out.print(
            opts.t(
                f"已备份 {opts.db} → {target}（{pages} 页）。",
                f"Backed up {opts.db} to {target} ({pages} pages).",
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
        opts = CommonOptions.parse(db, None, lang, config=config)
        problems = api.register_check(db=opts.db)
        for line in problems[:50]:
            out.print(line)
        out.print(
            opts.t(
                f"登记库 {opts.db}："
                + ("完好。" if not problems else f"发现 {len(problems)} 个问题。"),
                f"Register {opts.db}: "
                + ("sound." if not problems else f"{len(problems)} problems."),
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
