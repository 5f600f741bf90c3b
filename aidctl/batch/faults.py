"""Crash points for the tests that prove a batch survives `kill -9` anywhere.

`AIDCTL_CRASH_AT=<name>` makes the process kill itself with SIGKILL when it reaches the
checkpoint of that name — no clean-up, no `finally`, exactly like a power cut. Unset (as in
production), a checkpoint does nothing.
"""

from __future__ import annotations

import os
import signal

ENV_VAR = "AIDCTL_CRASH_AT"


def checkpoint(name: str) -> None:
    if os.environ.get(ENV_VAR) == name:
        os.kill(os.getpid(), signal.SIGKILL)
