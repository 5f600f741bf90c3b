"""`write_report(outcome, path)`: the one place a command's workbook is assembled.

The CLI, the monthly batch and `aidctl report RUN_ID` all call it, so a report written by
any of them holds the same sheets, rows and facts (the facts differ only where the run
does: its input path, run id and register).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl

from aidctl import __version__
from aidctl.api.outcomes import (
    AdjudicationOutcome,
    BatchOutcome,
    EnrolmentOutcome,
    PaymentsOutcome,
    PendingOutcome,
    RebuiltRun,
    RenewalsOutcome,
)
from aidctl.errors import InputError
from aidctl.pipeline import unmask_note
from aidctl.register import shown
from aidctl.reports.adjudication import report_frame, write_adjudication_report
from aidctl.reports.claims_annotated import write_claims_annotated
from aidctl.reports.enrollment import write_annotated_copy, write_enrollment_report
from aidctl.reports.payments import write_payments_report
from aidctl.reports.renewals import write_renewals_report
from aidctl.reports.xlsx import Column, Sheet, Summary
from aidctl.reports.xlsx import write_report as write_workbook

Outcome = (
    EnrolmentOutcome
    | AdjudicationOutcome
    | RenewalsOutcome
    | PaymentsOutcome
    | RebuiltRun
    | BatchOutcome
    | PendingOutcome
)

_LABELS = {"validate-enrollment": "check", "enroll": "enroll"}
_TITLES = {
    "validate-enrollment": ("参保校验结果", "Enrolment check"),
    "enroll": ("参保登记结果", "Enrolment"),
    "adjudicate": ("理赔审核结果", "Claim decisions"),
}


def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def default_report_path(outcome: Outcome, folder: Path | None = None) -> Path:
    """Where a command's report goes when no --out is given: the current folder, named
    after the input (units.enroll.xlsx, claims.decisions.xlsx, renewals-20261128.xlsx)."""
    here = folder or Path.cwd()
    if isinstance(outcome, RebuiltRun):
        inner = default_report_path(outcome.outcome, here)
        return inner.with_name(f"{inner.stem}.{outcome.run_id}.xlsx")
    if isinstance(outcome, BatchOutcome):
        return outcome.outbox / f"batch-{outcome.run_id}.xlsx"  # unique, even within a second
    if isinstance(outcome, EnrolmentOutcome):
        return here / f"{outcome.source.stem}.{_LABELS[outcome.command]}.xlsx"
    if isinstance(outcome, AdjudicationOutcome):
        return here / f"{outcome.source.stem}.decisions.xlsx"
    if isinstance(outcome, RenewalsOutcome):
        return here / f"renewals-{outcome.as_of:%Y%m%d}.xlsx"
    if isinstance(outcome, PendingOutcome):
        return here / f"pending-{outcome.as_of:%Y%m%d}.xlsx"
    return here / f"payments-{outcome.period}.xlsx"


def annotated_path(report: Path, lang: str) -> Path:
    """The annotated copy beside its report: units.enroll.批注.xlsx / .annotated.xlsx."""
    return report.with_name(report.stem + _t(lang, ".批注", ".annotated") + ".xlsx")


def unmask_facts(lang: str, unmask: bool) -> list[tuple[str, Any]]:
    """The line on a report's first sheet saying that it shows full id numbers, who asked
    and when (L156); nothing without --unmask."""
    if not unmask:
        return []
    note = unmask_note()
    return [
        (
            _t(lang, "完整身份证号（--unmask）", "Full id numbers (--unmask)"),
            _t(
                lang,
                f"由 {note['by']} 于 {note['at']} 要求显示",
                f"shown at the request of {note['by']} at {note['at']}",
            ),
        )
    ]


def _run_facts(outcome: EnrolmentOutcome | AdjudicationOutcome, lang: str) -> list[tuple[str, Any]]:
    policy = outcome.policy
    # a rebuilt run shows what the run was made with, not what this process loaded
    record = outcome.run_record or {}
    facts: list[tuple[str, Any]] = [
        (_t(lang, "输入文件", "Input file"), str(outcome.source)),
        ("SHA-256", outcome.input_sha256),
        (
            _t(lang, "运行编号", "Run id"),
            outcome.run_id or _t(lang, "（未登记）", "(not recorded)"),
        ),
        (_t(lang, "业务日期", "As of"), outcome.as_of),
        (_t(lang, "登记库", "Register"), shown(outcome.register)),
        (
            _t(lang, "参数版本", "Parameter version"),
            ", ".join(outcome.policy_versions) or policy.latest.id,
        ),
        (_t(lang, "参数文件", "Parameter file"), record.get("policy_file") or policy.path),
        ("aidctl", record.get("aidctl_version") or __version__),
    ]
    if isinstance(outcome, EnrolmentOutcome):
        # D5, L68: the received day of rosters that state none (the batch: the day it came)
        facts.append(
            (
                _t(lang, "受理日期（名册未填写时）", "Received (where a roster states none)"),
                outcome.received_default,
            )
        )
    return facts


def write_report(
    outcome: Outcome,
    path: Path | str | None = None,
    lang: str = "zh",
    unmask: bool = False,
    annotated: Path | str | None = None,
    as_of: dt.date | None = None,
) -> list[Path]:
    """Write the outcome's workbook(s) and return their paths (report first).

    An enrolment also gets its annotated copy (`annotated`, default beside the report) when
    the clerk's rows are at hand; a run rebuilt from the register writes the report only.
    The paths are noted on the outcome, for its `to_json()`.
    """
    if lang not in ("zh", "en"):
        raise InputError(
            f"--lang must be zh or en, not {lang!r}.", f"--lang 只能是 zh 或 en，而不是 {lang!r}。"
        )
    if isinstance(outcome, BatchOutcome):
        target = Path(path) if path is not None else outcome.outbox / f"batch-{outcome.run_id}.xlsx"
        return [_write_batch_summary(target, outcome, lang, as_of)]
    if isinstance(outcome, RebuiltRun):
        written = write_report(outcome.outcome, path or default_report_path(outcome), lang, unmask)
        outcome.written = written
        return written
    report = Path(path) if path is not None else default_report_path(outcome)
    if isinstance(outcome, EnrolmentOutcome):
        zh, en = _TITLES[outcome.command]
        write_enrollment_report(
            report,
            outcome.units,
            outcome.findings,
            _run_facts(outcome, lang) + unmask_facts(lang, unmask),
            lang,
            unmask,
            _t(lang, zh, en),
            policy=outcome.policy,
            version=outcome.policy.at(outcome.as_of),
        )
        outcome.report = report
        if outcome.clerk_rows is None:
            return [report]
        copy = Path(annotated) if annotated is not None else annotated_path(report, lang)
        write_annotated_copy(
            copy,
            outcome.clerk_rows.units_raw,
            outcome.clerk_rows.members_raw,
            outcome.units,
            outcome.members,
            outcome.findings,
            lang,
            policy=outcome.policy,
            version=outcome.policy.at(outcome.as_of),
        )
        outcome.annotated = copy
        return [report, copy]
    if isinstance(outcome, AdjudicationOutcome):
        frame = report_frame(
            outcome.decisions,
            outcome.claim_texts,
            outcome.policy.catalogue,
            lang,
            unmask,
            policy=outcome.policy,
        )
        zh, en = _TITLES["adjudicate"]
        shown_facts = _run_facts(outcome, lang) + unmask_facts(lang, unmask)
        write_adjudication_report(report, frame, shown_facts, lang, _t(lang, zh, en))
        outcome.report = report
        if outcome.clerk_rows is None:
            return [report]
        # the clerk's own rows with their results, to correct and send back as they are (L137)
        copy = Path(annotated) if annotated is not None else annotated_path(report, lang)
        write_claims_annotated(
            copy, outcome.clerk_rows, outcome.decisions, outcome.policy.catalogue, lang
        )
        outcome.annotated = copy
        return [report, copy]
    if isinstance(outcome, PendingOutcome):
        return [_write_worklist(report, outcome, lang, unmask)]
    if isinstance(outcome, RenewalsOutcome):
        facts: list[tuple[str, Any]] = [
            (_t(lang, "业务日期", "As of"), outcome.as_of),
            (_t(lang, "提前期限", "Window"), outcome.window),
            (_t(lang, "登记库", "Register"), shown(outcome.register)),
            (
                _t(lang, "运行编号", "Run id"),
                outcome.run_id or _t(lang, "（未登记）", "(not recorded)"),
            ),
        ]
        write_renewals_report(report, outcome.due, facts, lang)
        outcome.report = report
        return [report]
    facts = [
        (_t(lang, "月份", "Period"), outcome.period),
        (_t(lang, "登记库", "Register"), shown(outcome.register)),
        *unmask_facts(lang, unmask),
    ]
    write_payments_report(report, outcome.payments, facts, lang, unmask)
    outcome.report = report
    return [report]


# L192: the batch's file list in words -- what kind of file, what became of it -- as the
# other reports show their statuses (their words replace the code; the JSON keeps the codes)
BATCH_KIND_WORDS: dict[str, tuple[str, str]] = {
    "units": ("参保名册", "roster"),
    "claims": ("理赔申请", "claims"),
    "-": ("—", "—"),  # not a regular file: never opened (L141), its message says why
    "?": ("—", "—"),  # rejected before or while it was read: its message says why
}
BATCH_OUTCOME_WORDS: dict[str, tuple[str, str]] = {
    "done": ("已完成", "done"),
    "needs_action": ("需要处理", "needs action"),
    "already_processed": ("此前已处理", "processed before"),
    "rejected": ("已退回", "rejected"),
}
#: The per-file digest: one line on screen (64 hex digits), off the printed page (L192).
SHA256_WIDTH = 66
NAME_WIDTH = 28
MESSAGE_WIDTH = 40


def batch_file_frame(result: BatchOutcome, lang: str) -> pl.DataFrame:
    """One row per inbox file with its kind, outcome and message in the clerk's words
    (L192): "archived"/"recovered" become sentences, a file that needs action says what to
    do (L142: member rows refused, how many); the codes stay in `batch run --json`."""
    from aidctl.core.messages import BATCH_FILE_NOTES

    index = 0 if lang == "zh" else 1
    rows = [
        {
            "name": f.name,
            "kind": f.kind,
            "outcome": f.outcome,
            "message": f.message,
            "run_id": f.run_id,
            "approved": f.counts.get("approved"),
            "rejected": f.counts.get("rejected"),
            "pending": f.counts.get("pending"),
            "amount": f.counts.get("amount"),
            "units": f.counts.get("units"),
            "compliant": f.counts.get("compliant"),
            "members_refused": f.counts.get("members_refused"),
            "sha256": f.sha256,
        }
        for f in result.files
    ]
    schema = {
        "name": pl.Utf8,
        "kind": pl.Utf8,
        "outcome": pl.Utf8,
        "message": pl.Utf8,
        "run_id": pl.Utf8,
        "approved": pl.Int64,
        "rejected": pl.Int64,
        "pending": pl.Int64,
        "amount": pl.Int64,
        "units": pl.Int64,
        "compliant": pl.Int64,
        "members_refused": pl.Int64,
        "sha256": pl.Utf8,
    }
    frame = pl.DataFrame(rows, schema=schema)
    notes = {k: v[index] for k, v in BATCH_FILE_NOTES.items() if k != "members_refused"}
    before, _, after = BATCH_FILE_NOTES["members_refused"][index].partition("{count}")
    note = pl.col("message").replace_strict(notes, default=pl.col("message"), return_dtype=pl.Utf8)
    refused = pl.when(
        (pl.col("outcome") == "needs_action") & (pl.col("members_refused").fill_null(0) > 0)
    ).then(pl.concat_str([pl.lit(before), pl.col("members_refused").cast(pl.Utf8), pl.lit(after)]))
    return frame.with_columns(
        # a roster pays nothing: no 0元 on its row, read as "nothing due" (as L186)
        pl.when(pl.col("kind") == "claims").then(pl.col("amount")).alias("amount"),
        pl.col("kind").replace_strict(
            {k: v[index] for k, v in BATCH_KIND_WORDS.items()},
            default=pl.col("kind"),
            return_dtype=pl.Utf8,
        ),
        pl.col("outcome").replace_strict(
            {k: v[index] for k, v in BATCH_OUTCOME_WORDS.items()},
            default=pl.col("outcome"),
            return_dtype=pl.Utf8,
        ),
        pl.concat_str(
            [pl.when(note != "").then(note), refused], separator=" ", ignore_nulls=True
        ).alias("message"),
    )


def _write_batch_summary(
    path: Path, result: BatchOutcome, lang: str, as_of: dt.date | None
) -> Path:
    """The batch's summary workbook: one row per inbox file, what became of it (L192)."""
    from aidctl.reports.safe import atomic_path

    zh = lang == "zh"
    frame = batch_file_frame(result, lang)
    cols = [
        # L192: the name and the message at fixed widths (a longer one wraps, L184), so that
        # the printed columns fit one landscape page (L179)
        Column("name", "文件" if zh else "File", width=NAME_WIDTH),
        Column("kind", "类型" if zh else "Kind"),
        Column("outcome", "结果" if zh else "Outcome"),
        Column("message", "说明" if zh else "Message", width=MESSAGE_WIDTH),
        Column("units", "单位数" if zh else "Units", kind="int"),
        Column("compliant", "合格单位" if zh else "Compliant", kind="int"),
        Column("approved", "给付件数" if zh else "Approved", kind="int"),
        Column("rejected", "拒付件数" if zh else "Rejected", kind="int"),
        Column("pending", "待处理件数" if zh else "Pending", kind="int"),
        Column("amount", "给付金额" if zh else "Amount", kind="yuan"),
        Column("run_id", "运行编号" if zh else "Run"),
        # last, one line wide, and left off the printed page (L192, as L179 does for the
        # summaries' SHA-256): a digest is for matching the archive, not for reading
        Column("sha256", "SHA-256", width=SHA256_WIDTH),
    ]
    summary = Summary(
        name="汇总" if zh else "Summary",
        title=("月度批处理 " if zh else "Monthly batch ") + result.period,
        facts=[
            ("期间" if zh else "Period", result.period),
            ("业务日期" if zh else "As of", as_of),
            # L192: the batch run, also in every page's footer (L179)
            ("运行编号" if zh else "Run id", result.run_id),
            ("文件数" if zh else "Files", len(result.files)),
            (
                "给付金额合计" if zh else "Amount paid",
                int(frame["amount"].fill_null(0).sum()),
                "yuan",
            ),
        ],
        tables=[],
        chart=None,
    )
    with atomic_path(path) as temp:
        write_workbook(
            temp, [Sheet(name="文件" if zh else "Files", frame=frame, columns=cols)], summary
        )
        _print_without_digest(temp)
    return path


def _print_without_digest(path: Path) -> None:
    """L192: each sheet of the workbook at `path` whose last column is the SHA-256 prints
    all its columns but that one, on as many pages wide as the printed columns need (L179).
    Other sheets (the summary) are left as written."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    from aidctl.reports.xlsx import TITLE_COLUMNS, pages_wide

    book = openpyxl.load_workbook(path)
    for ws in book.worksheets:
        if ws.max_column < 2 or ws.cell(row=1, column=ws.max_column).value != "SHA-256":
            continue
        last = ws.max_column - 1
        widths = [
            float(ws.column_dimensions[get_column_letter(i)].width or 0) for i in range(1, last + 1)
        ]
        ws.print_area = f"A1:{get_column_letter(last)}{ws.max_row}"
        wide = pages_wide(widths)
        ws.page_setup.fitToWidth = wide
        if wide > 1:
            ws.print_title_cols = f"A:{get_column_letter(min(TITLE_COLUMNS, last))}"
            ws.page_setup.pageOrder = "overThenDown"
    book.save(path)


def _write_worklist(path: Path, outcome: PendingOutcome, lang: str, unmask: bool) -> Path:
    """The open-items worklist (L130): one row per claim still pending, oldest first."""
    from aidctl.reports.open_items import worklist_frame, write_worklist

    frame = worklist_frame(outcome.items, outcome.policy.catalogue, lang, unmask)
    facts: list[tuple[str, Any]] = [
        (_t(lang, "业务日期", "As of"), outcome.as_of),
        (_t(lang, "登记库", "Register"), shown(outcome.register)),
        (_t(lang, "待处理件数", "Open items"), frame.height),
    ]
    if outcome.unit:
        facts.append((_t(lang, "单位", "Unit"), outcome.unit))
    if outcome.older_than:
        facts.append((_t(lang, "等待至少", "Open at least"), outcome.older_than))
    write_worklist(path, frame, facts, lang)
    outcome.report = path
    return path


# ---------------------------------------------------------------- the truthful order (L155)


class StagedReports:
    """A run's reports written beside their targets under temporary names, before the
    register commits; `publish()` renames them into place after it (L155).

    A report that cannot be written (a full disk, a read-only folder) fails inside the
    command's transaction, which rolls back: the clerk is then truly told that nothing was
    recorded. Only the renames come after the commit; a rename that fails is reported with
    the run that was recorded and `aidctl report RUN_ID`, never as "nothing was recorded".
    """

    def __init__(self, moves: list[tuple[Path, Path]]) -> None:
        self.moves = moves  # (temporary file, target), report first

    @property
    def targets(self) -> list[Path]:
        return [target for _, target in self.moves]

    def publish(self) -> list[Path]:
        """Rename every staged file onto its target; the first that fails raises OSError
        (its temporary file removed), the ones already renamed stay in place."""
        from aidctl.reports.safe import publish_staged

        for index, (temp, target) in enumerate(self.moves):
            try:
                publish_staged(temp, target)
            except BaseException:
                for rest, _ in self.moves[index:]:
                    rest.unlink(missing_ok=True)
                raise
        return self.targets

    def discard(self) -> None:
        """Remove the temporary files (the run did not commit)."""
        for temp, _ in self.moves:
            temp.unlink(missing_ok=True)


def stage_report(
    outcome: EnrolmentOutcome | AdjudicationOutcome,
    path: Path | str | None = None,
    lang: str = "zh",
    unmask: bool = False,
    annotated: Path | str | None = None,
) -> StagedReports:
    """`write_report`, but into temporary files beside the targets (L155): call it inside
    the command's transaction (a `before_commit` hook), then `publish()` after the commit.
    The outcome notes the targets, as `write_report` would."""
    from aidctl.reports.safe import staged_path

    report = Path(path) if path is not None else default_report_path(outcome)
    copy: Path | None = None
    if outcome.clerk_rows is not None:  # an enrolment's or a claims file's annotated copy
        copy = Path(annotated) if annotated is not None else annotated_path(report, lang)
    moves: list[tuple[Path, Path]] = []
    try:
        temp_report = staged_path(report)
        moves.append((temp_report, report))
        temp_copy = None
        if copy is not None:
            temp_copy = staged_path(copy)
            moves.append((temp_copy, copy))
        write_report(outcome, temp_report, lang, unmask, temp_copy)
    except BaseException:
        StagedReports(moves).discard()
        raise
    outcome.report = report
    if copy is not None:
        outcome.annotated = copy
    return StagedReports(moves)
