"""Running a command body: exit codes 0/1/2, and known failures as one sentence on stderr."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from aidctl import api, faults
from aidctl.cli.options import CommonOptions
from aidctl.cli.render import warn
from aidctl.errors import AidctlError


def _recorded(lang: str, said: str = "") -> str:
    """What the command committed before it failed (L155), each run with its counts and
    `aidctl report RUN_ID`; empty when nothing was — or when `said` already names it."""
    done = [o for o in api.committed_runs() if str(o.run_id) not in said]
    return " ".join(recorded_sentence(o, lang, missing=False) for o in done)


def run_command(body: Callable[[], int], lang: str | None = "zh") -> None:
    """Run a command body; turn known failures into one sentence and exit code 2.

    Each sentence is true of the register (L155): before a commit "nothing was recorded";
    after one (a command's, or a batch's earlier files), what was recorded and how to get
    its report."""
    lang = lang or "zh"
    faults.reset()  # the fault harness counts write points per command
    token = api.start_counting_commits()
    try:
        code = body()
    except AidctlError as exc:
        said = exc.message(lang)
        after = _recorded(lang, said)
        warn(f"aidctl: {said}" + (f" {after}" if after else ""))
        raise typer.Exit(2) from None
    except OSError as exc:  # a report open in another program, a full disk, a read-only folder
        where = exc.filename or ""
        after = _recorded(lang)
        if after:
            warn(f"aidctl: {where}: {exc.strerror or exc}. {after}")
        else:
            warn(
                f"aidctl: {where}: {exc.strerror or exc}; nothing was recorded: the register "
                "was not changed by this error."
                if lang == "en"
                else f"aidctl：{where}：{exc.strerror or exc}；未登记任何内容，登记库未因此改动。"
            )
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        after = _recorded(lang)
        if after:
            warn(("aidctl: interrupted. " if lang == "en" else "aidctl：已中断。") + after)
        else:
            warn(
                "aidctl: interrupted; nothing was recorded."
                if lang == "en"
                else "aidctl：已中断，未登记任何内容。"
            )
        raise typer.Exit(2) from None
    except Exception as exc:  # the last guard: one sentence, the details on request
        if os.environ.get("AIDCTL_DEBUG"):
            raise
        after = _recorded("en") or "nothing was recorded."
        warn(
            f"aidctl: unexpected error ({type(exc).__name__}: {exc}); {after} "
            "Set AIDCTL_DEBUG=1 for details."
        )
        raise typer.Exit(2) from None
    finally:
        api.stop_counting_commits(token)
    raise typer.Exit(code)


def recorded_sentence(outcome: Any, lang: str, missing: bool = True) -> str:
    """What a committed run recorded (run id, counts, amount) and how to get its report
    (L155): the message for a failure after the commit. `missing`: the failure kept this
    run's report from its place (else it was a later step that failed)."""
    run_id = getattr(outcome, "run_id", None)
    if hasattr(outcome, "decisions"):
        t = api.totals(outcome.decisions)
        en = (
            f"{t['approved']} approved, {t['rejected']} rejected, {t['pending']} pending; "
            f"{t['amount']} yuan to pay"
        )
        zh = (
            f"给付 {t['approved']} 件，拒付 {t['rejected']} 件，待处理 {t['pending']} 件；"
            f"给付金额合计 {t['amount']} 元"
        )
    else:
        units = getattr(outcome, "units", None)
        n = units.height if units is not None else 0
        en = (
            f"{n} units checked, {outcome.contracts_added} contracts and "
            f"{outcome.spells_added} members' cover added"
        )
        zh = f"核对单位 {n} 个，新增合同 {outcome.contracts_added} 份、参保记录 {outcome.spells_added} 条"
    if not missing:  # recorded before a later failure (a batch's earlier file)
        if lang == "en":
            return (
                f"Before this error, run {run_id} was recorded ({en}): `aidctl report {run_id}` "
                "writes its report."
            )
        return f"此错误之前，运行 {run_id} 已登记（{zh}）：`aidctl report {run_id}` 可写出其报告。"
    if lang == "en":
        return (
            f"Run {run_id} IS recorded ({en}); its report was not put in place: "
            f"`aidctl report {run_id}` writes it again."
        )
    return f"运行 {run_id} 已登记（{zh}）；其报告未能写到位：`aidctl report {run_id}` 可重新写出该报告。"


class StagedWrite:
    """The truthful order for a recording command (L155): pass `stage` as the command's
    `before_commit`, so that its reports are written beside their targets inside the
    transaction (a report that cannot be written rolls the run back), then call `publish`
    after the command returns: the renames, the only step after the commit.

    Without a commit (validate-enrollment, --dry-run, a run that recorded nothing and so
    never reached the hook) `publish` writes the reports directly, all-or-nothing.
    """

    def __init__(self, opts: CommonOptions, path: Path | None, annotated: Path | None = None):
        self.opts = opts
        self.path = path
        self.annotated = annotated
        self.staged: Any | None = None

    def stage(self, outcome: Any, _commit: Any = None) -> None:
        self.staged = api.stage_report(
            outcome, self.path, self.opts.lang, self.opts.unmask, self.annotated
        )

    def publish(self, outcome: Any) -> list[Path]:
        if self.staged is None:
            return write_reports(self.opts, outcome, self.path, self.annotated)
        staged, self.staged = self.staged, None
        try:
            written: list[Path] = staged.publish()
        except OSError as exc:
            raise AidctlError(
                f"{exc.filename or staged.targets[0]}: {exc.strerror or exc}. "
                + recorded_sentence(outcome, "en"),
                f"{exc.filename or staged.targets[0]}：{exc.strerror or exc}。"
                + recorded_sentence(outcome, "zh"),
            ) from exc
        outcome.report = staged.targets[0]
        if len(staged.targets) > 1:
            outcome.annotated = staged.targets[1]
        note_unmask(self.opts, outcome, written)
        return written

    def __enter__(self) -> StagedWrite:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.staged is not None:  # the command failed before its commit: nothing to keep
            self.staged.discard()
            self.staged = None


def write_reports(
    opts: CommonOptions, outcome: Any, path: Path | None, annotated: Path | None = None
) -> list[Path]:
    """Write the outcome's report(s). After a commit the run is recorded whatever happens
    here, so a failure names the run and the command that writes its report again (L65)."""
    try:
        written = api.write_report(outcome, path, opts.lang, opts.unmask, annotated)
        note_unmask(opts, outcome, written)
        return written
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


def note_unmask(opts: CommonOptions, outcome: Any, written: list[Path]) -> None:
    """--unmask leaves a trace (L156): a line on stderr — the log of a cron job — naming who
    asked, when, the run and the files that show full id numbers (the run keeps the same
    note in its counts, the report on its first sheet)."""
    if not opts.unmask:
        return
    from aidctl.api.reporting import unmask_note

    note = unmask_note()
    run_id = getattr(outcome, "run_id", None) or "-"
    files = ", ".join(str(p) for p in written)
    warn(
        f"aidctl: --unmask: full id numbers shown at the request of {note['by']} at "
        f"{note['at']} (run {run_id}): {files}"
        if opts.lang == "en"
        else f"aidctl：--unmask：应 {note['by']} 于 {note['at']} 的要求显示完整身份证号"
        f"（运行 {run_id}）：{files}"
    )


def append_log(path: Path, line: str) -> None:
    """Append one line to a log file that is owner-only (0600) whatever the umask (L153):
    log lines name files and runs, and a log sits beside registers and reports."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, line.encode("utf-8"))
    finally:
        os.close(fd)
