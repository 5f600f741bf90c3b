"""Fault points for the fault harness (`make faults`, scripts/faults.py) and its tests.

Unset (as in production) every call here does nothing. The harness sets, in a child's
environment:

* `AIDCTL_CRASH_AT=<name>`: SIGKILL at the checkpoint of that name (as aidctl/batch/faults.py,
  which the batch's own checkpoints use; the name space is shared).
* `AIDCTL_CRASH_AFTER_WRITES=<n>`: SIGKILL at the n-th write point the process reaches (a
  report's temporary file written, a register transaction about to commit, a report renamed
  into place…): "a random point on writes" without knowing the names.
* `AIDCTL_FAIL_WRITE=<kind>:<errno>[:<n>]`: the write points of that kind ("report",
  "register" or "rename"), from the n-th on (1 by default), raise OSError(errno) — ENOSPC
  (28) for a full disk, EACCES (13) for a refused folder.

No clean-up, no `finally` runs after a SIGKILL: exactly like a power cut.
"""

from __future__ import annotations

import errno as errnos
import os
import signal

CRASH_AT = "AIDCTL_CRASH_AT"
CRASH_AFTER_WRITES = "AIDCTL_CRASH_AFTER_WRITES"
FAIL_WRITE = "AIDCTL_FAIL_WRITE"

_writes = 0
_by_kind: dict[str, int] = {}


def checkpoint(name: str) -> None:
    """Die here when the harness asked for this point by name."""
    if os.environ.get(CRASH_AT) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def write_point(kind: str, where: str = "") -> None:
    """A write of `kind` ("report", "register", "rename") is about to happen at `where`."""
    global _writes
    _writes += 1
    limit = os.environ.get(CRASH_AFTER_WRITES, "")
    if limit.isdigit() and _writes >= int(limit):
        os.kill(os.getpid(), signal.SIGKILL)
    checkpoint(f"{kind}-write")
    _by_kind[kind] = _by_kind.get(kind, 0) + 1
    wanted = os.environ.get(FAIL_WRITE, "")
    if wanted:
        target, _, rest = wanted.partition(":")
        code, _, first = rest.partition(":")
        if target == kind and _by_kind[kind] >= (int(first) if first.isdigit() else 1):
            number = int(code) if code.isdigit() else errnos.ENOSPC
            raise OSError(number, os.strerror(number), where or None)


def reset() -> None:
    """Start counting afresh (each command run in one process, as the tests do)."""
    global _writes
    _writes = 0
    _by_kind.clear()


def writes_so_far() -> int:
    """How many write points this process has passed (the harness's map of a run)."""
    return _writes
