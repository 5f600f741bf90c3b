"""What kind of file an input is, before anything complains about it (issue 13).

A units workbook given to `adjudicate`, a claims workbook given to `enroll`, the lock file
Excel or WPS leaves beside an open workbook (`~$单位.xlsx`) given as input, a workbook that
is still open in Excel while the batch runs: each gets a sentence that names the right
command or the thing to close (L177, L178), not a complaint about a missing sheet or a
damaged file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from aidctl.errors import InputError
from aidctl.intake.claims import CLAIMS
from aidctl.intake.limits import Limits, check_file
from aidctl.intake.read import Book
from aidctl.intake.sheet import find_sheet
from aidctl.intake.units import MEMBERS, UNITS

__all__ = ["detect_kind", "lock_file_of", "open_elsewhere", "workbook_kind", "wrong_command"]


def detect_kind(path: str | Path) -> Literal["units", "claims"]:
    """A workbook with a units or members sheet is a units workbook; anything else that can
    be opened is read as claims (whose reader then says what is missing)."""
    return workbook_kind(path) or "claims"


def workbook_kind(path: str | Path) -> Literal["units", "claims"] | None:
    """units, claims, or None when the workbook has neither kind's sheet."""
    book = Book(path)
    names = book.sheet_names
    if find_sheet(names, CLAIMS.sheet_names) is not None:
        return "claims"
    if find_sheet(names, UNITS.sheet_names) or find_sheet(names, MEMBERS.sheet_names):
        return "units"
    return None


_TAKES = {
    "units": (
        "a units workbook (参保单位/参保职工): check it with `aidctl validate-enrollment` or "
        "record it with `aidctl enroll`",
        "参保单位名册（参保单位/参保职工）：请用 `aidctl validate-enrollment` 校验，"
        "或用 `aidctl enroll` 登记",
    ),
    "claims": (
        "a claims workbook (理赔申请): decide it with `aidctl adjudicate`",
        "理赔申请表（理赔申请）：请用 `aidctl adjudicate` 审核",
    ),
}


def wrong_command(path: str | Path, wants: Literal["units", "claims"]) -> InputError | None:
    """When a command that reads `wants` was given the other kind of workbook: the error
    that names the command that takes it (L177); None otherwise (also when the file cannot
    be opened: its own error then says why)."""
    try:
        check_file(path, Limits.from_env())  # a zip bomb stays unopened (the size limits first)
        kind = workbook_kind(path)
    except InputError:
        return None
    if kind is None or kind == wants:
        return None
    en, zh = _TAKES[kind]
    return InputError(f"{path} is {en}.", f"{path} 是{zh}。")


def lock_file_of(path: str | Path) -> Path | None:
    """The lock file Excel, WPS or LibreOffice keeps beside `path` while it is open, if
    there is one: `~$name`, `~$` + name without its first two characters (long names in
    older Office), `.~lock.name#` (LibreOffice)."""
    p = Path(path)
    for name in (f"~${p.name}", f"~${p.name[2:]}", f".~lock.{p.name}#"):
        candidate = p.with_name(name)
        if candidate.exists() and candidate != p:
            return candidate
    return None


def open_elsewhere(path: str | Path) -> InputError | None:
    """For the batch: a workbook whose lock file is present is still open in Excel/WPS
    (half saved, perhaps). It is left in the inbox for the next run; this is the sentence
    that says so (L178). None when no lock file is there."""
    lock = lock_file_of(path)
    if lock is None:
        return None
    name = Path(path).name
    return InputError(
        f"{name} is open in Excel/WPS (its lock file {lock.name} is there): it is left in the "
        "inbox for the next run; close it in Excel/WPS first.",
        f"{name} 正在 Excel/WPS 中打开（有锁定文件 {lock.name}）：本次未处理，留在收件箱待下次"
        f"运行；请先在 Excel/WPS 中关闭 {name}。",
    )
