"""One batch at a time: an exclusive lock on a file in the workspace.

`flock` is released by the kernel when the holder dies, even by SIGKILL, so a crashed run
never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aidctl.errors import AidctlError


class LockBusy(AidctlError):
    """Another run holds the workspace lock."""


@contextmanager
def workspace_lock(path: Path, wait_seconds: float, poll: float = 0.2) -> Iterator[None]:
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockBusy(
                        f"Another batch run is still working in {path.parent} "
                        f"(waited {wait_seconds:g} s); try again later.",
                        f"另一个批处理仍在 {path.parent} 中运行（已等待 {wait_seconds:g} 秒），请稍后再试。",
                    ) from None
                time.sleep(poll)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock
