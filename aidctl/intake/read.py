"""Opening an input file and reading one sheet of it as text cells, every row kept.

Everything is read as text: calamine's type guessing turns later text cells of a column
that looks numeric into nulls without a word (an id ending in `X` after 1,000 numeric
ids), and keeping every row — blank ones included — is what makes `_row` the row number
that Excel shows. What the text read cannot tell (was this id cell a *number*?) is asked
separately, for one column, by `Grid.number_cells`.
"""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import fastexcel
import polars as pl

from aidctl.errors import InputError
from aidctl.intake import failures

EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"})
CSV_SUFFIXES = frozenset({".csv"})
PARQUET_SUFFIXES = frozenset({".parquet"})

ROW = "_row"
# Lines of a CSV looked at to choose the separator and the number of columns.
_CSV_SNIFF_CHARS = 256 * 1024
_CSV_SNIFF_LINES = 200


@dataclass(frozen=True)
class Grid:
    """One sheet as text: cell columns `c0, c1, …` (Utf8) and `_row` (Excel row, 1-based)."""

    file: str
    sheet: str
    cells: pl.DataFrame
    columns: list[str]
    number_probe: Callable[[int], pl.Series]

    def number_cells(self, column: str) -> pl.Series:
        """Boolean per row of `cells`: True where the cell held a number (or a boolean)."""
        mask = self.number_probe(self.columns.index(column))
        height = self.cells.height
        if mask.len() >= height:
            return mask.head(height).fill_null(False)
        return mask.extend_constant(False, height - mask.len()).fill_null(False)


# A damaged .xls can make the reader ask for tens of gigabytes and abort the whole process
# (no exception to catch; .xls is not a zip, so no size limit sees it coming). Old-format
# workbooks are small (65,536 rows at most), so each is first opened in a child process
# under a memory limit: if the child dies, the file is refused with one sentence.
_XLS_PROBE_MEMORY = 2 << 30
# The child sets its own limit before importing the reader (a preexec_fn would run Python
# between fork and exec, which is unsafe in a process with threads, as polars' is).
_XLS_PROBE = (
    "import resource, sys\n"
    f"resource.setrlimit(resource.RLIMIT_AS, ({_XLS_PROBE_MEMORY}, {_XLS_PROBE_MEMORY}))\n"
    "import fastexcel\n"
    "r = fastexcel.read_excel(sys.argv[1])\n"
    "for n in r.sheet_names:\n"
    "    r.load_sheet(n, header_row=None, dtypes='string')\n"
)


def _xls_survives(path: Path) -> bool:
    """Whether the reader can open every sheet of an .xls without dying (about 0.05 s)."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", _XLS_PROBE, str(path)],
            capture_output=True,
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def _is_reader_panic(exc: BaseException) -> bool:
    """A panic inside the spreadsheet reader (pyo3's PanicException derives from
    BaseException, so `except Exception` misses it): a damaged file, not a bug of ours."""
    return type(exc).__name__ == "PanicException"


def _no_numbers(height: int) -> Callable[[int], pl.Series]:
    """The probe of a CSV: its cells are all text, whatever they look like."""
    return lambda _index: pl.repeat(False, height, dtype=pl.Boolean, eager=True)


def lock_owner(path: str | Path) -> str | None:
    """When `path` is the lock file an office program keeps beside an open workbook
    (`~$单位.xlsx` of Excel/WPS, `.~lock.单位.xlsx#` of LibreOffice): the workbook's name as
    best it can be told; None for any other file (L178)."""
    name = Path(path).name
    if name.startswith("~$") and len(name) > 2:
        return name[2:]
    if name.startswith(".~lock.") and name.endswith("#"):
        return name[len(".~lock.") : -1]
    return None


def _lock_file_given(given: str, owner: str) -> InputError:
    """A lock file named as input: it holds no data; the workbook it belongs to is open."""
    return InputError(
        f"{given} is the lock file Excel/WPS keeps while {owner} is open, not a workbook: "
        f"close {owner} in Excel/WPS first, then give {owner} itself.",
        f"{given} 是 {owner} 在 Excel/WPS 中打开时生成的锁定文件，不是工作簿："
        f"请先在 Excel/WPS 中关闭 {owner}，再使用 {owner} 本身。",
    )


class Book:
    """An input file: its sheet names, and each sheet as a `Grid` on demand.

    A CSV or parquet file is a book of one sheet named after the file's stem.
    """

    def __init__(self, path: str | Path) -> None:
        self.given = str(path)
        self.path = Path(path)
        owner = lock_owner(self.path)
        if owner is not None:
            raise _lock_file_given(self.given, owner)
        if not self.path.exists():
            raise failures.missing_file(self.given)
        if not self.path.is_file():
            raise failures.not_a_file(self.given)
        self.suffix = self.path.suffix.lower()
        self._reader: fastexcel.ExcelReader | None = None
        if self.suffix in EXCEL_SUFFIXES:
            if self.suffix == ".xls" and not _xls_survives(self.path):
                raise failures.unreadable(self.given)
            try:
                self._reader = fastexcel.read_excel(self.path)
                self.sheet_names: list[str] = list(self._reader.sheet_names)
            except Exception as exc:  # calamine, zip, I/O: all mean "cannot be read"
                raise failures.unreadable(self.given) from exc
            except BaseException as exc:
                if not _is_reader_panic(exc):
                    raise
                raise failures.unreadable(self.given) from None
        elif self.suffix in CSV_SUFFIXES | PARQUET_SUFFIXES:
            self.sheet_names = [self.path.stem]
        else:
            raise failures.not_a_spreadsheet(self.given)

    def grid(self, sheet: str) -> Grid:
        """The sheet's cells as text, one frame row per sheet row from row 1."""
        try:
            if self._reader is not None:
                return self._excel_grid(self._reader, sheet)
            if self.suffix in CSV_SUFFIXES:
                return self._csv_grid()
            return self._parquet_grid()
        except OSError as exc:
            raise failures.unreadable(
                self.given, "the file cannot be read", "文件无法读取"
            ) from exc
        except (fastexcel.FastExcelError, pl.exceptions.PolarsError) as exc:
            raise failures.unreadable(self.given) from exc
        except BaseException as exc:
            if not _is_reader_panic(exc):
                raise
            raise failures.unreadable(self.given) from None

    def _excel_grid(self, reader: fastexcel.ExcelReader, sheet: str) -> Grid:
        # skip_rows=0 keeps the blank rows above the first used cell, so that frame
        # position + 1 is the Excel row number.
        loaded = reader.load_sheet(sheet, header_row=None, skip_rows=0, dtypes="string")
        frame = loaded.to_polars()
        columns = [f"c{i}" for i in range(frame.width)]
        frame = frame.rename(dict(zip(frame.columns, columns, strict=True)))
        frame = frame.with_columns(pl.int_range(1, frame.height + 1, dtype=pl.Int64).alias(ROW))

        def probe(index: int) -> pl.Series:
            # A second, typed read of one column: with dtype "boolean" calamine yields a
            # value for number and boolean cells and null for text, which is exactly the
            # cell-type test the text read cannot make.
            try:
                typed = reader.load_sheet(
                    sheet, header_row=None, skip_rows=0, dtypes="boolean", use_columns=[index]
                ).to_polars()
            except (fastexcel.FastExcelError, pl.exceptions.PolarsError) as exc:
                raise failures.unreadable(self.given) from exc
            except BaseException as exc:
                if not _is_reader_panic(exc):
                    raise
                raise failures.unreadable(self.given) from None
            return typed.to_series(0).is_not_null()

        return Grid(self.given, sheet, frame, columns, probe)

    def _csv_grid(self) -> Grid:
        data = self.path.read_bytes()
        text_head, data = _decode_csv(data, self.given)
        separator, width = _sniff_csv(text_head)
        columns = [f"c{i}" for i in range(width)]
        frame = pl.read_csv(
            io.BytesIO(data),
            has_header=False,
            separator=separator,
            schema=dict.fromkeys(columns, pl.Utf8),
            missing_columns="insert",
            truncate_ragged_lines=True,
            raise_if_empty=False,
        )
        frame = frame.with_columns(pl.int_range(1, frame.height + 1, dtype=pl.Int64).alias(ROW))
        return Grid(self.given, self.sheet_names[0], frame, columns, _no_numbers(frame.height))

    def _parquet_grid(self) -> Grid:
        source = pl.read_parquet(self.path)
        columns = [f"c{i}" for i in range(source.width)]
        numeric = {
            name: dtype.is_numeric()
            for name, dtype in zip(source.columns, source.dtypes, strict=True)
        }
        header = pl.DataFrame({c: [name] for c, name in zip(columns, source.columns, strict=True)})
        body = source.select(
            pl.col(name).cast(pl.Utf8).alias(c)
            for name, c in zip(source.columns, columns, strict=True)
        )
        frame = pl.concat([header.cast(pl.Utf8), body], how="vertical") if columns else header
        frame = frame.with_columns(pl.int_range(1, frame.height + 1, dtype=pl.Int64).alias(ROW))

        def probe(index: int) -> pl.Series:
            name = source.columns[index]
            held = source.get_column(name).is_not_null() & numeric[name]
            return pl.concat([pl.Series([False]), held])

        return Grid(self.given, self.sheet_names[0], frame, columns, probe)


def _decode_csv(data: bytes, given: str) -> tuple[str, bytes]:
    """(the start of the text, the whole file as UTF-8) from UTF-8 (BOM or not) or GB18030.

    Chinese Excel saves "CSV" in GB18030 (GBK); a file that is valid UTF-8 is taken as
    UTF-8 first, since GB18030 would decode almost any bytes into the wrong characters.
    """
    if b"\x00" in data[:4096]:
        raise failures.unreadable(given, "binary data, not text", "内容不是文本")
    try:
        text = data.decode("utf-8-sig")
        utf8 = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise failures.unreadable(
                given, "neither UTF-8 nor GB18030 text", "既不是 UTF-8 也不是 GB18030 编码"
            ) from exc
        utf8 = text.encode("utf-8")
    return text[:_CSV_SNIFF_CHARS], utf8


def _sniff_csv(head: str) -> tuple[str, int]:
    """Separator (comma, else tab or semicolon) and the widest row among the first lines.

    The width is taken from the widest of the first lines, not the first one: a title row
    above the header has fewer cells, and polars would otherwise cut every row to it.
    Quoted separators can only overestimate the width, which adds empty columns.
    """
    lines = head.splitlines()[:_CSV_SNIFF_LINES]
    separator = ","
    if not any("," in line for line in lines):
        for candidate in ("\t", ";"):
            if any(candidate in line for line in lines):
                separator = candidate
                break
    width = max((line.count(separator) + 1 for line in lines), default=1)
    return separator, width
