"""Text and file helpers that keep reports from leaking or hurting the people who open them.

Three separate dangers, one module:

* **Id numbers** are personal data. Reports show them masked unless a clerk asks for the full
  number, so a printed or e-mailed report does not expose a member's resident id.
* **Spreadsheet formulas.** A CSV cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage
  return is run as a formula when the file is opened in Excel or WPS (CSV injection). Member
  names, notes and claim ids come from outside the association, so CSV outputs prefix such
  text with an apostrophe (the OWASP rule). The Excel writer does not need this: it stores
  such text as a string cell instead (`aidctl.reports.xlsx`).
* **Half-written files.** A report or register export interrupted midway must not replace a
  good file with a broken one, so every writer goes through `atomic_path`: the new content is
  written next to the target and renamed onto it only once complete.
* **Who can read them (L153).** Every file written here is owner-only (0600) whatever the
  umask, and openpyxl's scratch files live in a private folder under the report's own folder
  (`scratch_folder`), removed after the write — and by the next run after a `kill -9`.

Each text helper comes as a plain function (for single values) and as a polars expression (for
whole columns); the two give the same result for the same input, which the tests check.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import polars as pl

from aidctl.faults import write_point

__all__ = [
    "FORMULA_PREFIXES",
    "atomic_path",
    "atomic_write_bytes",
    "csv_safe",
    "csv_safe_expr",
    "looks_like_formula",
    "mask_content",
    "mask_id",
    "mask_id_expr",
]

#: First characters that make Excel, WPS or LibreOffice treat typed or imported text as a
#: formula (OWASP "CSV injection").
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")

_FORMULA_PREFIX_PATTERN = r"^[=+\-@\t\r]"

# A resident id (GB 11643) has 18 characters; the first 6 (the issuing region) and the last 4
# are what clerks use to tell members apart on paper, the birth date in between is hidden.
_ID_LENGTH = 18
_ID_HEAD = 6
_ID_TAIL = 4
# Anything else (an old 15-digit id, a passport number, a typo) shows at most 3 + 2 characters
# and never more than half of itself.
_OTHER_HEAD = 3
_OTHER_TAIL = 2
_MASK = "*"
# Spaces that surround ids pasted from spreadsheets and web pages (no-break and ideographic
# spaces included); listed, so that the function and the expression strip exactly the same.
_SURROUNDING_SPACE = " \t\r\n\x0b\x0c\u00a0\u3000"


def _visible_counts(length: int) -> tuple[int, int]:
    """How many leading and trailing characters stay readable for a value of `length`."""
    if length == _ID_LENGTH:
        return _ID_HEAD, _ID_TAIL
    quarter = length // 4
    return min(_OTHER_HEAD, quarter), min(_OTHER_TAIL, quarter)


def mask_id(text: str | None) -> str | None:
    """Mask an id number for display: ``320705198001011234`` -> ``320705********1234``.

    Surrounding spaces (no-break and ideographic ones too) are dropped first: they would
    otherwise push a real id onto the "odd value" rule. An 18-character value keeps its first
    6 and last 4 characters; any other length keeps at most the first 3 and last 2 and at
    least half of it is masked, so a short or mistyped id is never shown whole. ``None``
    stays ``None``.
    """
    if text is None:
        return None
    value = text.strip(_SURROUNDING_SPACE)
    head, tail = _visible_counts(len(value))
    hidden = len(value) - head - tail
    return value[:head] + _MASK * hidden + value[len(value) - tail :]


def mask_id_expr(expr: pl.Expr) -> pl.Expr:
    """`mask_id` for a whole column, without leaving polars (millions of rows stay fast)."""
    value = expr.str.strip_chars(_SURROUNDING_SPACE)
    length = value.str.len_chars().cast(pl.Int64)
    quarter = length // 4
    head = (
        pl.when(length == _ID_LENGTH)
        .then(pl.lit(_ID_HEAD, pl.Int64))
        .otherwise(pl.min_horizontal(pl.lit(_OTHER_HEAD, pl.Int64), quarter))
    )
    tail = (
        pl.when(length == _ID_LENGTH)
        .then(pl.lit(_ID_TAIL, pl.Int64))
        .otherwise(pl.min_horizontal(pl.lit(_OTHER_TAIL, pl.Int64), quarter))
    )
    # "(?s)." matches any one character, so the middle becomes one '*' per character.
    middle = value.str.slice(head, length - head - tail).str.replace_all(r"(?s).", _MASK)
    return pl.concat_str([value.str.head(head), middle, value.str.tail(tail)])


#: The fields of a decision's `content` (the claim row as decided) that are personal data
#: beyond the name a decision shows anyway: the id and what the member was diagnosed with.
_CONTENT_ID_FIELDS = ("id_number",)
_CONTENT_HIDDEN_FIELDS = ("disease", "diagnosis_code", "note")
HIDDEN = "***"


def mask_content(content: str | None) -> str | None:
    """A decision's `content` (``key=value|key=value…``) as JSON shows it without --unmask
    (L156): the id masked as everywhere, the diagnosis as written, its code and the note
    hidden. Unknown fields pass as they are; None stays None."""
    if content is None:
        return None
    parts = []
    for part in content.split("|"):
        key, sep, value = part.partition("=")
        if sep and key in _CONTENT_ID_FIELDS and value:
            value = mask_id(value) or ""
        elif sep and key in _CONTENT_HIDDEN_FIELDS and value:
            value = HIDDEN
        parts.append(f"{key}{sep}{value}")
    return "|".join(parts)


def looks_like_formula(text: str | None) -> bool:
    """True when a spreadsheet program could read `text` as a formula (see FORMULA_PREFIXES)."""
    return text is not None and text[:1] in FORMULA_PREFIXES


def csv_safe(text: str | None) -> str | None:
    """Make text harmless in a CSV cell: prefix ``'`` when it could start a formula.

    Excel and WPS hide a leading apostrophe and show the rest as text, so ``=1+1`` reads as
    ``'=1+1`` in the file and displays as ``=1+1``. A negative number written as text (``-5``)
    gets the apostrophe too: the rule cannot tell it from ``-2+3`` and errs on the safe side.
    """
    if text is not None and looks_like_formula(text):
        return "'" + text
    return text


def csv_safe_expr(expr: pl.Expr) -> pl.Expr:
    """`csv_safe` for a whole text column (null stays null)."""
    return (
        pl.when(expr.str.contains(_FORMULA_PREFIX_PATTERN))
        .then(pl.concat_str([pl.lit("'"), expr]))
        .otherwise(expr)
    )


#: The private folder, under a report's own folder, where openpyxl keeps its per-sheet
#: scratch files while a workbook is written (L153): never the shared /tmp.
SCRATCH_DIR = ".aidctl-scratch"
# the hidden temporary names this module gives: .<stem>.<pid>.<hex>.<tmp|staged><suffix>
_TEMP_NAME = re.compile(r"^\..*\.(\d+)\.[0-9a-f]{8}\.(tmp|staged)(\.[^.]*)?$")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def sweep_leftovers(folder: Path) -> list[Path]:
    """Remove what a killed run left in `folder` (L153): its hidden temporary reports and its
    scratch folder, recognised by the dead process id in their names. Another live run's
    files are left alone. Returns what was removed."""
    removed: list[Path] = []
    with contextlib.suppress(OSError):
        for entry in folder.iterdir():
            found = _TEMP_NAME.match(entry.name)
            if found and not _pid_alive(int(found.group(1))) and entry.is_file():
                with contextlib.suppress(OSError):
                    entry.unlink()
                    removed.append(entry)
    scratch = folder / SCRATCH_DIR
    with contextlib.suppress(OSError):
        for entry in scratch.iterdir():
            pid = entry.name.split(".", 1)[0]
            if pid.isdigit() and not _pid_alive(int(pid)):
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry)
    return removed


def private_file(path: Path) -> None:
    """Create `path` empty, owner-only (0600) whatever the umask (L153); it must not exist."""
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    try:
        os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def _reserve_temp_path(path: Path, kind: str = "tmp") -> Path:
    """Create an empty, uniquely named file next to `path` and return its name.

    Same directory, so the final rename never crosses file systems (it would not be atomic).
    The name starts with a dot (hidden, and not picked up by a clerk scanning the folder),
    carries this process's id (so that the next run can tell a killed run's leftover from a
    live one's, `sweep_leftovers`) and keeps the target's suffix, for writers that look at
    it. The file is owner-only, 0600, whatever the umask and whatever the mode of a file it
    will replace (L153): reports hold members' names, ids and diagnoses.
    """
    for _ in range(100):
        candidate = path.with_name(
            f".{path.stem}.{os.getpid()}.{secrets.token_hex(4)}.{kind}{path.suffix}"
        )
        try:
            private_file(candidate)
        except FileExistsError:
            continue
        return candidate
    raise FileExistsError(f"could not create a temporary file next to {path}")


@contextlib.contextmanager
def scratch_folder(beside: Path) -> Iterator[Path]:
    """A private folder (0700) under `beside`'s folder for the scratch files openpyxl writes
    while streaming a workbook (L153), made the process's temporary folder for the block and
    removed after it. A killed run's scratch folder is removed by the next run's."""
    parent = beside.parent / SCRATCH_DIR
    with contextlib.suppress(FileExistsError):
        parent.mkdir(mode=0o700)
    os.chmod(parent, 0o700)
    sweep_leftovers(beside.parent)
    mine = parent / f"{os.getpid()}.{secrets.token_hex(4)}"
    mine.mkdir(mode=0o700)
    os.chmod(mine, 0o700)
    before = tempfile.tempdir
    tempfile.tempdir = str(mine)
    try:
        yield mine
    finally:
        tempfile.tempdir = before
        shutil.rmtree(mine, ignore_errors=True)
        with contextlib.suppress(OSError):
            parent.rmdir()  # only when no other run is writing beside it


def staged_path(target: Path) -> Path:
    """A temporary file beside `target` for a report staged before the register commits
    (L155); `publish_staged` renames it onto `target` after the commit."""
    sweep_leftovers(target.parent)
    return _reserve_temp_path(target, "staged")


def publish_staged(temp: Path, target: Path) -> None:
    """Rename a staged report onto its target (the step after the commit, L155)."""
    write_point("rename", str(target))
    _fsync_file(temp)
    os.replace(temp, target)
    _fsync_dir(target.parent)


def _fsync_file(path: Path) -> None:
    """Flush a finished file to disk, so a crash after the rename cannot leave it empty."""
    fd = os.open(path, os.O_RDWR)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable where the platform allows it (POSIX only)."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path to write to; rename it onto `path` when the block succeeds.

    If the block raises (or the rename fails, e.g. the report is open in Excel on Windows),
    the temporary file is removed and whatever was at `path` is left exactly as it was.
    The directory of `path` must exist: creating it is the caller's decision.

    >>> with atomic_path(Path("out.xlsx")) as tmp:  # doctest: +SKIP
    ...     workbook.save(tmp)
    """
    target = Path(path)
    temp = _reserve_temp_path(target)
    try:
        with scratch_folder(target):
            write_point("report", str(target))
            yield temp
        _fsync_file(temp)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    _fsync_dir(target.parent)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write `data` to `path` all-or-nothing (see `atomic_path`)."""
    with atomic_path(path) as temp, open(temp, "wb") as handle:
        handle.write(data)
