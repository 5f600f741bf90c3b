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
from pathlib import Path
from typing import Any

from aidctl import api
from aidctl.api import BatchFile as FileResult
from aidctl.api import BatchOutcome as BatchResult
from aidctl.api import Settings, file_kind, file_sha256
from aidctl.batch.faults import checkpoint
from aidctl.batch.lock import workspace_lock
from aidctl.batch.workspace import Workspace
from aidctl.errors import AidctlError

STAGING_PREFIX = ".staging-"
Log = Callable[[str], None]


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


def _recover(ws: Workspace, log: Log) -> None:
    """Finish what a crashed run committed; drop what it did not."""
    if not ws.outbox.exists():
        return
    for staging in sorted(ws.outbox.glob(f"*/{STAGING_PREFIX}*")):
        sha = staging.name[len(STAGING_PREFIX) :]
        if api.batch_file(ws.register, sha) is not None:
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


def _write_file_reports(staging: Path, outcome: Any, lang: str, unmask: bool) -> None:
    """The single command's reports (api.write_report), with its default names, in staging."""
    staging.mkdir(parents=True, exist_ok=True)
    api.write_report(outcome, api.default_report_path(outcome, staging), lang, unmask)


def arrival_day(path: Path, ctx: Settings) -> dt.date:
    """D5: the day a roster without 受理日期 was received — the day its file arrived in the
    inbox, read as the file's modification date when the batch takes it (a roster dropped
    on the 25th is not late because the run is on the 1st). Never after the as-of day: a
    batch run as of an earlier day cannot have received a file later than that."""
    modified = dt.datetime.fromtimestamp(path.stat().st_mtime).date()
    return min(modified, ctx.as_of)


def _process(
    ws: Workspace, ctx: Settings, path: Path, sha: str, period: str, out_dir: Path
) -> FileResult:
    kind = file_kind(path, ctx.limits)  # a zip bomb is refused unread
    staging = out_dir / f"{STAGING_PREFIX}{sha}"
    shutil.rmtree(staging, ignore_errors=True)
    result = FileResult(name=path.name, kind=kind, sha256=sha, outcome="done", message="")
    received = arrival_day(path, ctx)

    def before_commit(outcome: Any, commit: api.Commit) -> None:
        checkpoint("before_reports")
        _write_file_reports(staging, outcome, ctx.lang, ctx.unmask)
        if isinstance(outcome, api.EnrolmentOutcome):
            units = outcome.units
            counts: dict[str, Any] = {
                "units": units.height,
                "compliant": int((units["status"] == "compliant").sum()),
                "contracts_added": outcome.contracts_added,
                "spells_added": outcome.spells_added,
                # D5: recorded so that the day used for rosters without 受理日期 is known
                "received_default": received.isoformat(),
            }
        else:
            counts = outcome.totals
        result.counts = counts
        result.run_id = outcome.run_id
        result.outcome = "needs_action" if outcome.exit_code else "done"
        commit.record_batch_file(
            sha, path.name, kind, period, outcome.run_id, result.outcome, counts
        )
        checkpoint("before_commit")

    common: dict[str, Any] = {
        "db": ctx.db_path,
        "as_of": ctx.as_of,
        "policy": ctx.policy,
        "lang": ctx.lang,
        "unmask": ctx.unmask,
    }
    try:
        if kind == "units":
            api.enroll(path, received_default=received, before_commit=before_commit, **common)
        else:
            api.adjudicate(path, before_commit=before_commit, **common)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)  # rolled back: its reports are void too
        raise
    checkpoint("after_commit")
    _finish_staging(staging, out_dir)
    checkpoint("after_reports")
    path.replace(_archive_path(ws, sha, path))
    return result


def run_batch(
    ws: Workspace, ctx: Settings, period: str, log: Log, renewals_window: str = "30d"
) -> BatchResult:
    """Process the inbox under the workspace lock; see the module docstring."""
    for folder in (ws.inbox, ws.outbox, ws.archive):
        folder.mkdir(parents=True, exist_ok=True)
    out_dir = ws.outbox / period
    with workspace_lock(ws.lock_file, ws.lock_wait_seconds):
        _recover(ws, log)
        files: list[FileResult] = []
        for path in _inbox_files(ws):
            still_open = api.open_elsewhere(path)  # L178: left for the next run, and said so
            if still_open is not None:
                log(still_open.message(ctx.lang))
                continue
            sha = file_sha256(path)
            done = api.batch_file(ws.register, sha)
            if done is not None:
                archived = _archive_path(ws, sha, path)
                if archived.exists():  # the same file sent again
                    path.replace(archived)
                    files.append(FileResult(path.name, "-", sha, "already_processed", "archived"))
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
                            done["counts"],
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
        result = BatchResult(period=period, files=files, outbox=out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        try:
            listed = api.renewals(
                renewals_window, db=ctx.db_path, as_of=ctx.as_of, policy=ctx.policy
            )
            result.renewals_path = api.write_report(
                listed, api.default_report_path(listed, out_dir), ctx.lang, ctx.unmask
            )[0]
        except AidctlError as exc:
            log(f"renewals: {exc.message('en')}")
        run_id = _record_batch_run(ws, ctx, result)
        result.run_id = run_id
        result.summary_path = api.write_report(
            result, out_dir / f"batch-{run_id}.xlsx", ctx.lang, as_of=ctx.as_of
        )[0]
    return result


def _record_batch_run(ws: Workspace, ctx: Settings, result: BatchResult) -> str:
    counts: dict[str, Any] = {"period": result.period, "files": len(result.files)}
    for f in result.files:
        counts[f.outcome] = counts.get(f.outcome, 0) + 1
    counts["amount"] = result.amount
    return api.record_batch_run(ws.register, ctx.as_of, ws.inbox, counts)
