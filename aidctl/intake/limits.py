"""Limits on what the intake will open, checked before any sheet is parsed.

A workbook is a zip archive: a few kilobytes can expand to gigabytes of sheet XML (a "zip
bomb"), and calamine would try to hold it all. The archive's own directory says how large
each member expands, so the check costs nothing and happens before memory is spent.
Limits come from the environment (`AIDCTL_MAX_FILE_MB`, `AIDCTL_MAX_EXPANDED_MB`,
`AIDCTL_MAX_ROWS`) or their defaults, sized for the largest real inputs (a million members).
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from aidctl.errors import InputError

ZIP_SUFFIXES = {".xlsx", ".xlsm", ".ods", ".xlsb"}
MB = 1 << 20


@dataclass(frozen=True)
class Limits:
    max_file_mb: int = 512
    max_expanded_mb: int = 4096
    max_rows: int = 2_000_000

    @classmethod
    def from_env(cls) -> Limits:
        def get(name: str, default: int) -> int:
            raw = os.environ.get(name, "").strip()
            if not raw:
                return default
            try:
                value = int(raw)
            except ValueError:
                raise InputError(
                    f"{name} must be a whole number, not {raw!r}.",
                    f"{name} 须为整数，而不是 {raw!r}。",
                ) from None
            if value <= 0:
                raise InputError(f"{name} must be above 0.", f"{name} 须大于 0。")
            return value

        return cls(
            max_file_mb=get("AIDCTL_MAX_FILE_MB", cls.max_file_mb),
            max_expanded_mb=get("AIDCTL_MAX_EXPANDED_MB", cls.max_expanded_mb),
            max_rows=get("AIDCTL_MAX_ROWS", cls.max_rows),
        )


def check_file(path: str | Path, limits: Limits) -> None:
    """Refuse a file too large to read, or an archive that expands beyond the limit."""
    p = Path(path)
    if not p.is_file():
        return  # the reader says what is wrong with it
    size = p.stat().st_size
    if size > limits.max_file_mb * MB:
        raise InputError(
            f"{p} is {size / MB:.0f} MB, more than the limit of {limits.max_file_mb} MB "
            "(AIDCTL_MAX_FILE_MB).",
            f"{p} 有 {size / MB:.0f} MB，超过上限 {limits.max_file_mb} MB（AIDCTL_MAX_FILE_MB）。",
        )
    if p.suffix.lower() not in ZIP_SUFFIXES or not zipfile.is_zipfile(p):
        return
    try:
        with zipfile.ZipFile(p) as archive:
            expanded = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not readable as an archive: the reader refuses it with its own sentence
    if expanded > limits.max_expanded_mb * MB:
        raise InputError(
            f"{p} would expand to {expanded / MB:,.0f} MB when opened, more than the limit of "
            f"{limits.max_expanded_mb} MB (AIDCTL_MAX_EXPANDED_MB); it was not opened.",
            f"{p} 解压后将达 {expanded / MB:,.0f} MB，超过上限 {limits.max_expanded_mb} MB"
            "（AIDCTL_MAX_EXPANDED_MB），未打开。",
        )
