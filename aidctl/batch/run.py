"""The monthly batch: every new file in the inbox, each in one transaction, safe to rerun.

For each file, in name order: its SHA-256 is looked up in the register (`batch_files`); a
file already processed is only archived. Otherwise it is enrolled or adjudicated; inside the
same transaction its reports are written to a staging folder and the file is recorded as
processed. After the commit the reports are moved into `outbox/PERIOD/` and the input into
`archive/`. A crash at any point leaves either nothing (the transaction rolls back; the
staging folder is removed at the next start) or a committed file whose reports are still in
staging — the next run moves them into place and archives the input, paying nothing twice.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from aidctl import pipeline
from aidctl.batch.faults import checkpoint
from aidctl.batch.lock import workspace_lock
from aidctl.batch.workspace import Workspace
from aidctl.errors import AidctlError
from aidctl.intake.kind import detect_kind
from aidctl.intake.limits import check_file
from aidctl.register import Register
from aidctl.reports.xlsx import Column, Sheet, Summary, write_report

STAGING_PREFIX = ".staging-"
Log = Callable[[str], None]


@dataclass
class FileResult:
    name: str
    kind: str
    sha256: str
    outcome: str  # done | needs_action | already_processed | rejected
    message: str
    run_id: str | None = None
    counts: dict[str, Any] = field(default_factory=dict)


@dataclass
class BatchResult:
    period: str
    files: list[FileResult]
    outbox: Path
    summary_path: Path | None = None
    renewals_path: Path | None = None

    @property
    def exit_code(self) -> int:
        needs = {"needs_action", "rejected"}
        return 1 if any(f.outcome in needs for f in self.files) else 0


def _inbox_files(ws: Workspace) -> list[Path]:
    if not ws.inbox.exists():
        return []
    return sorted(
        p for p in ws.inbox.iterdir() if p.is_file() and not p.name.startswith((".", "~$"))
    )


def _archive_path(ws: Workspace, sha: str, source: Path) -> Path:
    return ws.archive / f"{sha}{source.suffix.lower()}"


def _finish_staging(staging: Path, target_dir: Path) -> None:
    """Move a committed file's reports into place (idempotent: a rerun may repeat it)."""
    target_dir.mkdir(parents=True, exist_ok=True)
    for report in sorted(staging.iterdir()):
        report.replace(target_dir / report.name)
    staging.rmdir()


def _recover(ws: Workspace, reg: Register, log: Log) -> None:
    """Finish what a crashed run committed; drop what it did not."""
    if not ws.outbox.exists():
        return
    for staging in sorted(ws.outbox.glob(f"*/{STAGING_PREFIX}*")):
        sha = staging.name[len(STAGING_PREFIX) :]
        if reg.batch_file(sha) is not None:
            _finish_staging(staging, staging.parent)
            log(f"recovered reports of {sha[:12]} into {staging.parent}")
        else:
            shutil.rmtree(staging, ignore_errors=True)
            log(f"removed unfinished reports {staging.name[:24]}")


def _reject(ws: Workspace, path: Path, reason: str) -> None:
    ws.rejected.mkdir(parents=True, exist_ok=True)
    target = ws.rejected / path.name
    path.replace(target)
    (ws.rejected / f"{path.name}.why.txt").write_text(reason + "\n", encoding="utf-8")


def _write_file_reports(
    staging: Path, kind: str, source: Path, outcome: Any, intake: Any, ctx: pipeline.Settings
) -> None:
    """The same reports the single commands write, into the staging folder."""
    from aidctl.reports.adjudication import report_frame, write_adjudication_report
    from aidctl.reports.enrollment import write_annotated_copy, write_enrollment_report

    staging.mkdir(parents=True, exist_ok=True)
    lang = ctx.lang
    facts: list[tuple[str, Any]] = [
        ("输入文件" if lang == "zh" else "Input file", source.name),
        ("SHA-256", outcome.input_sha256),
        ("运行编号" if lang == "zh" else "Run id", outcome.run_id),
        ("业务日期" if lang == "zh" else "As of", ctx.as_of),
        ("登记库" if lang == "zh" else "Register", str(ctx.db_path)),
    ]
    if kind == "units":
        facts.append(
            (
                "受理日期（未填写时：文件到达收件箱之日）"
                if lang == "zh"
                else "Received (where not stated: the day the file arrived)",
                arrival_day(source, ctx),
            )
        )
        result = outcome.result
        write_enrollment_report(
            staging / f"{source.stem}.enroll.xlsx",
            result.units,
            outcome.findings,
            facts,
            lang,
            ctx.unmask,
            "参保登记结果" if lang == "zh" else "Enrolment",
        )
        write_annotated_copy(
            staging / f"{source.stem}.annotated.xlsx",
            intake.units_raw,
            intake.members_raw,
            result.units,
            result.members,
            outcome.findings,
            lang,
        )
    else:
        frame = report_frame(
            outcome.decisions, intake.claims, ctx.policy.catalogue, lang, ctx.unmask
        )
        write_adjudication_report(
            staging / f"{source.stem}.decisions.xlsx",
            frame,
            facts,
            lang,
            "理赔审核结果" if lang == "zh" else "Claim decisions",
        )


def arrival_day(path: Path, ctx: pipeline.Settings) -> dt.date:
    """D5: the day a roster without 受理日期 was received — the day its file arrived in the
    inbox, read as the file's modification date when the batch takes it (a roster dropped
    on the 25th is not late because the run is on the 1st). Never after the as-of day: a
    batch run as of an earlier day cannot have received a file later than that."""
    modified = dt.datetime.fromtimestamp(path.stat().st_mtime).date()
    return min(modified, ctx.as_of)


def _process(
    ws: Workspace, ctx: pipeline.Settings, path: Path, sha: str, period: str, out_dir: Path
) -> FileResult:
    check_file(path, ctx.limits)  # before anything opens it: a zip bomb is refused unread
    kind = detect_kind(path)
    staging = out_dir / f"{STAGING_PREFIX}{sha}"
    shutil.rmtree(staging, ignore_errors=True)
    result = FileResult(name=path.name, kind=kind, sha256=sha, outcome="done", message="")

    def before_commit(reg: Register, outcome: Any, intake: Any) -> None:
        checkpoint("before_reports")
        _write_file_reports(staging, kind, path, outcome, intake, ctx)
        if kind == "units":
            units = outcome.result.units
            counts: dict[str, Any] = {
                "units": units.height,
                "compliant": int((units["status"] == "compliant").sum()),
                "contracts_added": outcome.contracts_added,
                "members_added": outcome.spells_added,
                # D5: recorded so that the day used for rosters without 受理日期 is known
                "received_default": arrival_day(path, ctx).isoformat(),
            }
        else:
            counts = pipeline.totals(outcome.decisions)
        result.counts = counts
        result.run_id = outcome.run_id
        result.outcome = "needs_action" if outcome.exit_code else "done"
        reg.record_batch_file(sha, path.name, kind, period, outcome.run_id, result.outcome, counts)
        checkpoint("before_commit")

    try:
        if kind == "units":
            pipeline.enroll(
                ctx, path, None, None, before_commit, received_default=arrival_day(path, ctx)
            )
        else:
            pipeline.adjudicate(ctx, path, False, None, before_commit)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)  # rolled back: its reports are void too
        raise
    checkpoint("after_commit")
    _finish_staging(staging, out_dir)
    checkpoint("after_reports")
    path.replace(_archive_path(ws, sha, path))
    return result


def run_batch(
    ws: Workspace, ctx: pipeline.Settings, period: str, log: Log, renewals_window: str = "30d"
) -> BatchResult:
    """Process the inbox under the workspace lock; see the module docstring."""
    for folder in (ws.inbox, ws.outbox, ws.archive):
        folder.mkdir(parents=True, exist_ok=True)
    out_dir = ws.outbox / period
    with workspace_lock(ws.lock_file, ws.lock_wait_seconds):
        reg = Register.open(ws.register)
        try:
            _recover(ws, reg, log)
            files: list[FileResult] = []
            for path in _inbox_files(ws):
                sha = pipeline.file_sha256(path)
                done = reg.batch_file(sha)
                if done is not None:
                    archived = _archive_path(ws, sha, path)
                    if archived.exists():  # the same file sent again
                        path.replace(archived)
                        files.append(
                            FileResult(path.name, "-", sha, "already_processed", "archived")
                        )
                        log(f"{path.name}: already processed (same SHA-256), archived")
                    else:  # committed by a run that died before archiving it: finish the work
                        path.replace(archived)
                        files.append(
                            FileResult(
                                path.name,
                                done["kind"],
                                sha,
                                done["outcome"],
                                "recovered",
                                done["run_id"],
                                json.loads(done["counts"] or "{}"),
                            )
                        )
                        log(
                            f"{path.name}: committed by an interrupted run; archived ({done['outcome']})"
                        )
                    continue
                try:
                    res = _process(ws, ctx, path, sha, period, out_dir)
                except AidctlError as exc:
                    _reject(ws, path, exc.message(ctx.lang))
                    files.append(FileResult(path.name, "?", sha, "rejected", exc.message(ctx.lang)))
                    log(f"{path.name}: rejected, moved to inbox/rejected/: {exc.message('en')}")
                    continue
                files.append(res)
                log(
                    f"{path.name}: {res.kind} {res.outcome} {json.dumps(res.counts, ensure_ascii=False)}"
                )
        finally:
            reg.close()
        result = BatchResult(period=period, files=files, outbox=out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        try:
            from aidctl.reports.renewals import write_renewals_report

            listed = pipeline.renewals_due(ctx, renewals_window)
            result.renewals_path = out_dir / f"renewals-{ctx.as_of:%Y%m%d}.xlsx"
            write_renewals_report(result.renewals_path, listed, [("as_of", ctx.as_of)], ctx.lang)
        except AidctlError as exc:
            log(f"renewals: {exc.message('en')}")
        run_id = _record_batch_run(ws, ctx, result)
        result.summary_path = _write_summary(out_dir, result, ctx, run_id)
    return result


def _write_summary(out_dir: Path, result: BatchResult, ctx: pipeline.Settings, run_id: str) -> Path:
    zh = ctx.lang == "zh"
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
        "sha256": pl.Utf8,
    }
    frame = pl.DataFrame(rows, schema=schema)
    cols = [
        Column("name", "文件" if zh else "File"),
        Column("kind", "类型" if zh else "Kind"),
        Column("outcome", "结果" if zh else "Outcome"),
        Column("message", "说明" if zh else "Message", width=50),
        Column("units", "单位数" if zh else "Units", kind="int"),
        Column("compliant", "合格单位" if zh else "Compliant", kind="int"),
        Column("approved", "给付件数" if zh else "Approved", kind="int"),
        Column("rejected", "拒付件数" if zh else "Rejected", kind="int"),
        Column("pending", "待处理件数" if zh else "Pending", kind="int"),
        Column("amount", "给付金额" if zh else "Amount", kind="yuan"),
        Column("run_id", "运行编号" if zh else "Run"),
        Column("sha256", "SHA-256"),
    ]
    path = out_dir / f"batch-{run_id}.xlsx"  # the run id is unique, even within one second
    summary = Summary(
        name="汇总" if zh else "Summary",
        title=("月度批处理 " if zh else "Monthly batch ") + result.period,
        facts=[
            ("期间" if zh else "Period", result.period),
            ("业务日期" if zh else "As of", ctx.as_of),
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
    write_report(path, [Sheet(name="文件" if zh else "Files", frame=frame, columns=cols)], summary)
    return path


def _record_batch_run(ws: Workspace, ctx: pipeline.Settings, result: BatchResult) -> str:
    counts: dict[str, Any] = {"period": result.period, "files": len(result.files)}
    for f in result.files:
        counts[f.outcome] = counts.get(f.outcome, 0) + 1
    counts["amount"] = sum(int(f.counts.get("amount") or 0) for f in result.files)
    reg = Register.open(ws.register)
    try:
        with reg.transaction():
            run_id = reg.start_run("batch", ctx.as_of, str(ws.inbox), None, None)
            reg.finish_run(run_id, counts)
    finally:
        reg.close()
    return run_id
