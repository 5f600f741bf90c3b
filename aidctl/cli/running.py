"""Running a command body: exit codes 0/1/2, and known failures as one sentence on stderr."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from aidctl import api
from aidctl.cli.options import CommonOptions
from aidctl.cli.render import warn
from aidctl.errors import AidctlError


def run_command(body: Callable[[], int], lang: str | None = "zh") -> None:
    """Run a command body; turn known failures into one sentence and exit code 2."""
    lang = lang or "zh"
    try:
        code = body()
    except AidctlError as exc:
        warn(f"aidctl: {exc.message(lang)}")
        raise typer.Exit(2) from None
    except OSError as exc:  # a report open in another program, a full disk, a read-only folder
        where = exc.filename or ""
        warn(
            f"aidctl: {where}: {exc.strerror or exc}; the register was not changed by this error."
            if lang == "en"
            else f"aidctl：{where}：{exc.strerror or exc}；登记库未因此改动。"
        )
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        warn(
            "aidctl: interrupted; nothing was recorded."
            if lang == "en"
            else "aidctl：已中断，未登记任何内容。"
        )
        raise typer.Exit(2) from None
    except Exception as exc:  # the last guard: one sentence, the details on request
        if os.environ.get("AIDCTL_DEBUG"):
            raise
        warn(
            f"aidctl: unexpected error ({type(exc).__name__}: {exc}); nothing was recorded. "
            "Set AIDCTL_DEBUG=1 for details."
        )
        raise typer.Exit(2) from None
    raise typer.Exit(code)


def write_reports(
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
