"""Progress: a spinner on a terminal, each stage's time and memory on stderr otherwise."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

from aidctl.cli.options import CommonOptions
from aidctl.cli.render import status, stderr_is_terminal, warn


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
        if self.opts.json or not stderr_is_terminal():
            yield self
            return
        with status(self._text(first)) as shown:
            self._status = shown
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
        if (
            not self.opts.json
            and not stderr_is_terminal()
            and os.environ.get("AIDCTL_QUIET") != "1"
        ):
            warn(
                f"aidctl: {stage} {took:.2f}s (total {now - self.opts.started:.2f}s, "
                f"peak memory {_peak_mb():.0f} MB)"
            )


def _peak_mb() -> float:
    """This process's peak resident memory so far, in MB (Linux reports KiB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
