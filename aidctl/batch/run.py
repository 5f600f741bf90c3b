"""The monthly batch: every new file in the inbox, each in one transaction, safe to rerun.

The inbox is taken first (L141): only regular files; a symlink, folder or device is moved to
`rejected/` unread, and a name with control characters or non-UTF-8 bytes is taken under its
escaped, printable name. Every units file is then processed before any claims file, each
group in name order (L140), so that a claim is never decided before a roster that came in
the same inbox. For each file: its SHA-256 is looked up in the register (`batch_files`); a
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
import os
import secrets
import shutil
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from aidctl import api
from aidctl.api import BatchFile as FileResult
from aidctl.api import BatchOutcome as BatchResult
from aidctl.api import Settings, file_kind, file_sha256
from aidctl.batch.faults import checkpoint
from aidctl.batch.lock import workspace_lock
from aidctl.batch.names import shown_name, shown_text
from aidctl.batch.workspace import Workspace
from aidctl.errors import AidctlError, RegisterError

Progress = Callable[[str], None]

STAGING_PREFIX = ".staging-"
Log = Callable[[str], None]


def _kind_word(mode: int) -> tuple[str, str]:
    if stat.S_ISLNK(mode):
        return "符号链接", "a symbolic link"
    if stat.S_ISDIR(mode):
        return "文件夹", "a folder"
    return "设备或管道等特殊文件", "a device, pipe or socket"


def _take_inbox(ws: Workspace, log: Log) -> tuple[list[Path], list[tuple[Path, str, str]]]:
    """The inbox's regular files (under safe names), and what must be rejected unread.

    L141: whatever is not a regular file is never opened — a symlink would let the batch
    read (and pay) a file outside the workspace, a FIFO would block it. A name holding
    control characters or bytes that are not UTF-8 is renamed in the inbox to its escaped
    form first, so that the log, `why.txt`, the register and the reports only ever see
    printable text; the log line names both.
    """
    if not ws.inbox.exists():
        return [], []
    regular: list[Path] = []
    refused: list[tuple[Path, str, str]] = []
    for entry in sorted(os.scandir(ws.inbox), key=lambda e: e.name):
        name = entry.name
        if name.startswith((".", "~$")):
            continue
        path = ws.inbox / name
        mode = os.lstat(path).st_mode
        if name == ws.rejected.name and stat.S_ISDIR(mode):
            continue
        safe = shown_name(name)
        if safe != name:
            target = ws.inbox / safe
            if os.path.lexists(target):  # the escaped form is taken: keep both apart
                target = ws.inbox / f"{safe}.{secrets.token_hex(4)}"
            path.rename(target)
            log(f"{target.name}: name had control characters or non-UTF-8 bytes; taken as shown")
            path = target
        if stat.S_ISREG(mode):
            regular.append(path)
        else:
            zh, en = _kind_word(mode)
            refused.append(
                (
                    path,
                    f"{path.name} 不是普通文件（{zh}），未读取其内容；"
                    "请把文件本身（而非链接或文件夹）放入收件箱。",
                    f"{path.name} is not a regular file ({en}); it was not read. Put the file "
                    "itself, not a link or a folder, into the inbox.",
                )
            )
    return regular, refused


def batch_order(kinds: dict[Path, str]) -> list[Path]:
    """L140: every units file before any claims file, then name order within each kind."""
    return sorted(kinds, key=lambda p: (kinds[p] != "units", p.name))


def _archive_path(ws: Workspace, sha: str, source: Path) -> Path:
    return ws.archive / f"{sha}{source.suffix.lower()}"


def _keep_private(path: Path) -> None:
    """A unit's file, once the batch holds it (archive/, rejected/), is owner-only like
    everything aidctl writes (L153): it carries the members' full ids. A symlink is left
    as it is (its mode is not its own)."""
    if not path.is_symlink() and path.is_file():
        os.chmod(path, 0o600)


def _finish_staging(staging: Path, target_dir: Path) -> None:
    """Move a committed file's reports into place (idempotent: a rerun may repeat it)."""
    target_dir.mkdir(parents=True, exist_ok=True, mode=0o700)  # L153
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
    """Move the entry itself (never a link's target) to rejected/, with one line saying why.

    The name is already safe (see `_take_inbox`); the reason is escaped all the same, since
    it may quote a cell or a path, so that why.txt is one line of UTF-8 (issue 10.5)."""
    ws.rejected.mkdir(parents=True, exist_ok=True, mode=0o700)  # L153
    target = ws.rejected / path.name
    if os.path.lexists(target):  # an earlier file of that name is kept
        target = ws.rejected / f"{path.name}.{secrets.token_hex(4)}"
    os.rename(path, target)
    _keep_private(target)
    why = ws.rejected / f"{target.name}.why.txt"
    why.write_text(shown_text(reason) + "\n", encoding="utf-8")
    os.chmod(why, 0o600)


def _write_file_reports(staging: Path, outcome: Any, lang: str, unmask: bool) -> None:
    """The single command's reports (api.write_report), with its default names, in staging."""
    staging.parent.mkdir(parents=True, exist_ok=True, mode=0o700)  # L153
    staging.mkdir(parents=True, exist_ok=True, mode=0o700)  # L153
    api.write_report(outcome, api.default_report_path(outcome, staging), lang, unmask)


def arrival_day(path: Path, ctx: Settings) -> dt.date:
    """D5: the day a roster without 受理日期 was received — the day its file arrived in the
    inbox, read as the file's modification date when the batch takes it (a roster dropped
    on the 25th is not late because the run is on the 1st). Never after the as-of day: a
    batch run as of an earlier day cannot have received a file later than that."""
    modified = dt.datetime.fromtimestamp(path.stat().st_mtime).date()
    return min(modified, ctx.as_of)


def _process(
    ws: Workspace,
    ctx: Settings,
    path: Path,
    sha: str,
    kind: str,
    period: str,
    out_dir: Path,
    batch_run: str,
    progress: Progress | None = None,
) -> FileResult:
    staging = out_dir / f"{STAGING_PREFIX}{sha}"
    shutil.rmtree(staging, ignore_errors=True)
    result = FileResult(name=path.name, kind=kind, sha256=sha, outcome="done", message="")
    received = arrival_day(path, ctx)

    def before_commit(outcome: Any, commit: api.Commit) -> None:
        checkpoint("before_reports")
        _write_file_reports(staging, outcome, ctx.lang, ctx.unmask)
        if progress is not None:
            progress("write")
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
            refused = refused_members(outcome)
            if refused:
                counts["members_refused"] = refused
        else:
            counts = dict(outcome.totals)
        # 10.3: the batch run that committed the file, so that its money is counted there
        counts["batch_run"] = batch_run
        result.counts = counts
        result.run_id = outcome.run_id
        result.outcome = file_outcome(kind, counts)
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
        "progress": progress,
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
    _keep_private(_archive_path(ws, sha, path))
    return result


def refused_members(outcome: Any) -> int:
    """L142: member rows refused (member_status "rejected": an unreadable id, a missing
    name…) in units that were enrolled. Their unit has cover, they have none, and nobody
    will notice unless the operator has the unit send them again (11.5). A non-compliant
    unit records nothing and goes back to its clerk with the annotated copy: ordinary work.
    """
    members = outcome.members
    if members.height == 0 or not {"unit_code", "member_status"} <= set(members.columns):
        return 0
    enrolled = outcome.units.filter(pl.col("status") == "compliant")["unit_code"]
    return int(
        (
            (members["member_status"] == "rejected")
            & members["unit_code"].is_in(enrolled.implode())
        ).sum()
    )


def file_outcome(kind: str, counts: dict[str, Any]) -> str:
    """L142 (11.5): a file is "done" when what is left is the clerks' ordinary work
    (pending claims go to the open-items worklist, a non-compliant unit to its annotated
    copy); "needs_action" when an enrolled unit's member rows were refused, which leaves
    people without cover until the operator has the unit send them again."""
    if kind == "units" and int(counts.get("members_refused") or 0) > 0:
        return "needs_action"
    return "done"


def _already_processed(
    ws: Workspace, path: Path, sha: str, done: dict[str, Any], log: Log
) -> FileResult:
    """A file whose SHA-256 the register knows: only archived. Its money stays with the batch
    run that committed it (10.3): a file re-added after the archive was rotated, or the same
    bytes under another name or as .xlsm, is never counted again.

    A file committed by a run that died before archiving it keeps the outcome recorded then
    (so the rerun asks for the same action as an uninterrupted run would have)."""
    archived = _archive_path(ws, sha, path)
    was_archived = archived.exists()
    path.replace(archived)
    _keep_private(archived)
    if was_archived or done["outcome"] not in ("done", "needs_action"):
        log(f"{path.name}: already processed (same SHA-256), archived")
        return FileResult(path.name, done["kind"], sha, "already_processed", "archived")
    log(f"{path.name}: committed by an interrupted run; archived ({done['outcome']})")
    counts = {k: v for k, v in (done["counts"] or {}).items() if k != "amount"}
    return FileResult(
        path.name, done["kind"], sha, done["outcome"], "recovered", done["run_id"], counts
    )


def run_batch(
    ws: Workspace,
    ctx: Settings,
    period: str,
    log: Log,
    renewals_window: str | None = None,
    progress: Progress | None = None,
    all_lapsed: bool = False,
) -> BatchResult:
    """Process the inbox under the workspace lock; see the module docstring."""
    for folder in (ws.inbox, ws.outbox, ws.archive):
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)  # L153
    out_dir = ws.outbox / period
    with workspace_lock(ws.lock_file, ws.lock_wait_seconds):
        _recover(ws, log)
        # started first and committed: a run killed half-way is still a run whose files
        # (and money) `batch status` shows (10.3)
        batch_run = api.start_batch_run(ws.register, ctx.as_of, ws.inbox)
        files: list[FileResult] = []
        regular, refused = _take_inbox(ws, log)
        for path, zh, en in refused:
            _reject(ws, path, zh if ctx.lang == "zh" else en)
            files.append(FileResult(path.name, "-", "", "rejected", zh if ctx.lang == "zh" else en))
            log(f"{path.name}: rejected, moved to inbox/rejected/: {en}")
        kinds: dict[Path, str] = {}
        shas: dict[Path, str] = {}
        for path in regular:
            still_open = api.open_elsewhere(path)  # L178: left for the next run, and said so
            if still_open is not None:
                log(still_open.message(ctx.lang))
                continue
            sha = file_sha256(path)
            shas[path] = sha
            done = api.batch_file(ws.register, sha)
            if done is not None:
                files.append(_already_processed(ws, path, sha, done, log))
                continue
            try:
                kinds[path] = file_kind(path, ctx.limits)  # a zip bomb is refused unread
            except RegisterError:
                # the register's fault (busy, full disk, refused), not the file's: the batch
                # stops with the register's sentence and the file stays in the inbox (L154)
                raise
            except AidctlError as exc:
                _reject_file(ws, ctx, path, sha, exc, files, log)
        for path in batch_order(kinds):
            sha = shas[path]
            try:
                res = _process(
                    ws, ctx, path, sha, kinds[path], period, out_dir, batch_run, progress
                )
            except RegisterError:
                raise  # the register's fault, not the file's: it stays in the inbox (L154)
            except AidctlError as exc:
                _reject_file(ws, ctx, path, sha, exc, files, log)
                continue
            files.append(res)
            log(
                f"{path.name}: {res.kind} {res.outcome} {json.dumps(res.counts, ensure_ascii=False)}"
            )
        result = BatchResult(period=period, files=files, outbox=out_dir)
        out_dir.mkdir(parents=True, exist_ok=True, mode=0o700)  # L153
        result.run_id = batch_run
        api.batch_money(ws.register, result)  # the amounts, from the register (10.3)
        _write_month(ws, ctx, result, renewals_window, all_lapsed, log)
        _finish_batch_run(ws, result)
        result.summary_path = api.write_report(
            result, out_dir / f"batch-{batch_run}.xlsx", ctx.lang, as_of=ctx.as_of
        )[0]
        if progress is not None:
            progress("write")
    return result


def _reject_file(
    ws: Workspace,
    ctx: Settings,
    path: Path,
    sha: str,
    exc: AidctlError,
    files: list[FileResult],
    log: Log,
) -> None:
    _reject(ws, path, exc.message(ctx.lang))
    files.append(FileResult(path.name, "?", sha, "rejected", shown_text(exc.message(ctx.lang))))
    log(f"{path.name}: rejected, moved to inbox/rejected/: {shown_text(exc.message('en'))}")


def _write_month(
    ws: Workspace,
    ctx: Settings,
    result: BatchResult,
    window: str | None,
    all_lapsed: bool,
    log: Log,
) -> None:
    """11.6: the month in the outbox — payments export, renewals, open items, the month
    summary and one statement per unit (aidctl/batch/month.py)."""
    from aidctl.batch.month import write_month

    write_month(ctx, result, window, all_lapsed, log)


def _finish_batch_run(ws: Workspace, result: BatchResult) -> None:
    counts: dict[str, Any] = {"period": result.period, "files": len(result.files)}
    for f in result.files:
        counts[f.outcome] = counts.get(f.outcome, 0) + 1
    counts["amount"] = result.amount
    counts["exit_code"] = result.exit_code
    api.finish_batch_run(ws.register, result.run_id or "", counts)
