"""Excel reports for the association's clerks: fast to write, finished to look at, safe to open.

`write_report` turns polars frames into one ``.xlsx`` workbook: an optional summary sheet
(facts, small tables, a bar chart) followed by data sheets. Every data sheet opens ready to
use -- header row frozen and bold on a fill, filter buttons on, columns wide enough for their
Chinese headers and values, amounts as ``1,234元``, dates as real dates, ratios as percents.

Why it is built the way it is:

* **Speed.** Reports can hold every member of every unit (hundreds of thousands of rows), so
  sheets are streamed with openpyxl's write-only mode. Styling a cell in that mode normally
  means a new ``WriteOnlyCell`` per value: with 3 of 11 columns styled that took 10.7 s per
  100,000 rows against 7.2 s for plain values (measured on the 2-core build machine). Here
  all the type work (casting, date serials, cleaning text) is done per column in polars,
  each styled column gets one reusable template cell, and a small row adapter (see
  `_install_fast_rows`) hands values to openpyxl without its per-value type probing. Rows are
  always built in the form openpyxl's own append path understands too, so if that adapter can
  no longer be installed (a future openpyxl) the output stays identical, only slower.
* **Excel's limits.** A sheet holds 1,048,576 rows including the header; openpyxl's
  write-only mode would silently write a file Excel rejects. Longer data continues on
  ``name (2)``, ``name (3)``... with the same header. Sheet names are cut to 31 characters,
  stripped of characters Excel forbids, and made unique. Text longer than a cell's 32,767
  characters is cut, and control characters that XML cannot carry are dropped.
* **No formulas from data.** Member names, notes and claim ids come from outside. openpyxl
  turns any string starting with ``=`` into a formula (and ``#N/A`` and friends into error
  cells); here every text value is stored as a string cell, so a note ``=HYPERLINK(...)``
  shows as that text and never runs.
* **All or nothing.** The workbook is written to a temporary file beside the target and
  renamed onto it only when complete (`aidctl.reports.safe.atomic_path`): a failure leaves
  the previous report untouched and no stray files behind.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, cast

import polars as pl
from openpyxl import Workbook
from openpyxl.cell.cell import ERROR_CODES, Cell, WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.writer.excel import ExcelWriter

from aidctl.faults import checkpoint
from aidctl.reports.safe import atomic_path

__all__ = [
    "DATE_FORMAT",
    "MAX_CELL_CHARS",
    "MAX_SHEET_ROWS",
    "RATIO_FORMAT",
    "YUAN_FORMAT",
    "ChartSpec",
    "Column",
    "Fact",
    "Kind",
    "Sheet",
    "Summary",
    "SummaryTable",
    "write_report",
]

Kind = Literal["text", "int", "yuan", "date", "pct", "ratio"]
"""How a column is shown.

text   stored as a string cell whatever its dtype (ids and codes never become numbers)
int    a whole number, General format
yuan   an amount in whole yuan: ``#,##0"元"``
date   a real Excel date shown ``yyyy-mm-dd`` (a Datetime column loses its time of day)
pct    a number already in percent units, 20 -> ``20%``
ratio  a fraction, 0.125 -> ``12.5%``

A numeric kind given a column that is not numeric (or a date kind given one that is not a
date) writes the values as text rather than guessing a conversion.
"""

#: Rows per sheet, header included (Excel's hard limit). Read at call time, so tests can
#: monkeypatch it to a small number to exercise the split onto ``name (2)``.
MAX_SHEET_ROWS = 1_048_576
MAX_SHEET_COLUMNS = 16_384
MAX_SHEET_NAME = 31
MAX_CELL_CHARS = 32_767

YUAN_FORMAT = '#,##0"元"'
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
RATIO_FORMAT = "0.0%"
PCT_INT_FORMAT = '0"%"'
PCT_FLOAT_FORMAT = '0.0"%"'
COUNT_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.00"

#: Deflate level of the .xlsx zip. openpyxl uses zlib's default (6); on 100,000 rows x 11
#: columns (62 MB of sheet XML) level 3 compresses in 0.37 s instead of 0.86 s for a file 13 %
#: larger (7.5 MB instead of 6.7 MB); level 1 takes 0.19 s but grows it by 27 %.
ZIP_LEVEL = 3

MIN_WIDTH = 6
MAX_WIDTH = 60
# Room for the bold face and the auto-filter drop-down button on header cells.
_HEADER_PADDING = 4
_VALUE_PADDING = 2
_NUMBER_PADDING = 4
_INDENT_WIDTH = 2

# Printing (issue 13, L179). A landscape A4 page holds about PAGE_WIDTH width units (Excel's
# unit, about one digit) at the smallest scale still readable (about 70 %: 7 pt for the
# 10-pt body font). A sheet wider than that is printed over several pages side by side,
# its first (identifying) columns repeated on each, rather than shrunk to 4 pt on one.
PAGE_WIDTH = 190
TITLE_COLUMNS = 2
FOOTER_PAGES = "&P / &N"
#: Summary facts written below the printed area (a file digest is for machines, L179).
UNPRINTED_FACTS = frozenset({"SHA-256"})
#: The labels of the fact that names the run, for the footer when no run id is given.
RUN_FACT_LABELS = ("运行编号", "Run id")

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill(fill_type="solid", start_color="FFDDEBF7", end_color="FFDDEBF7")
HEADER_BORDER = Border(bottom=Side(style="thin", color="FF8EA9DB"))
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=False)
#: Long text wraps within its column, its row growing (L184); top-aligned so the row's
#: other cells stay level with its first line.
WRAP_ALIGNMENT = Alignment(wrap_text=True, vertical="top")
WRAP_INDENT_ALIGNMENT = Alignment(wrap_text=True, vertical="top", horizontal="left", indent=1)
#: Text right of a number column, one step in (L184).
INDENT_ALIGNMENT = Alignment(horizontal="left", indent=1)
#: A longer sheet is for the screen and its filters, not for paper: its text is not wrapped
#: (styling every cell of 100,000 rows doubled the time to write them).
WRAP_MAX_ROWS = 20_000
#: The other cells of a sheet that wraps: at the top of their rows (L184).
TOP_ALIGNMENT = Alignment(vertical="top")
INDENT_TOP_ALIGNMENT = Alignment(horizontal="left", indent=1, vertical="top")
#: A summary fact's value: left, beside its label, whatever its kind (L184).
FACT_ALIGNMENT = Alignment(horizontal="left")
#: Points per line of wrapped 11-pt text, and the room a printer's glyphs need beyond
#: Excel's width units (L184).
LINE_HEIGHT = 15
#: Excel's tallest row (points).
MAX_ROW_HEIGHT = 409
WRAP_SLACK = 1.1
TITLE_FONT = Font(bold=True, size=14)
SECTION_FONT = Font(bold=True, size=12)
LABEL_FONT = Font(bold=True)

# Excel serial day 0 is 1899-12-30 (so that its phantom 1900-02-29 works out); polars counts
# Date as days since 1970-01-01, which is serial 25569.
_EXCEL_EPOCH_SHIFT = 25_569
_FIRST_EXCEL_DATE = dt.date(1900, 1, 1)
_LAST_PHANTOM_SERIAL = 60

# Characters XML 1.0 cannot carry (openpyxl refuses them one by one; dropping them per column
# is both faster and does not abort a whole report over one stray control character).
_ILLEGAL_XML = r"[\x00-\x08\x0b\x0c\x0e-\x1f\uFFFE\uFFFF]"
_ILLEGAL_XML_RE = re.compile(_ILLEGAL_XML)
_INVALID_SHEET_CHARS_RE = re.compile(r"[\[\]:*?/\\]")
# Characters a spreadsheet draws two columns wide: CJK ideographs, kana, hangul, full-width
# forms and CJK punctuation.
_WIDE_PATTERN = (
    r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\u3000-\u303F\uFF01-\uFF60\uFFE0-\uFFE6]"
)

# Use the row adapter when openpyxl allows it; tests switch it off to prove the plain path
# writes the same workbook.
_FAST_ROWS = True


@dataclass(frozen=True)
class Column:
    """One column of a sheet: which frame column (`key`), its header text, how to show it."""

    key: str
    header: str
    kind: Kind = "text"
    width: int | None = None


@dataclass(frozen=True, eq=False)
class Sheet:
    """A data sheet: `frame` shown through `columns`, in their order (other columns ignored)."""

    name: str
    frame: pl.DataFrame
    columns: list[Column]


@dataclass(frozen=True, eq=False)
class SummaryTable:
    """A small titled table on the summary sheet (totals by status, by unit...)."""

    title: str
    frame: pl.DataFrame
    columns: list[Column]


@dataclass(frozen=True)
class ChartSpec:
    """A bar chart of one summary table: `value_key` per `category_key` of table `table_index`."""

    title: str
    table_index: int
    category_key: str
    value_key: str
    y_title: str


Fact = tuple[str, object] | tuple[str, object, Kind]
"""A label and its value; an optional third item says how to show the value (e.g. "yuan").

Without it, int values show as ``1,234``, floats as ``1,234.56``, dates as ``yyyy-mm-dd``
and anything else as text."""


@dataclass(frozen=True, eq=False)
class Summary:
    """The first sheet: a title, label/value facts, then tables, with a chart beside them."""

    name: str
    title: str
    facts: Sequence[Fact]
    tables: list[SummaryTable] = field(default_factory=list)
    chart: ChartSpec | None = None


# --------------------------------------------------------------------------------------------
# Public entry point


def write_report(
    path: str | os.PathLike[str],
    sheets: list[Sheet],
    summary: Summary | None = None,
    run_id: str | None = None,
) -> list[Path]:
    """Write `summary` (first) and `sheets` to the workbook at `path`; return the files written.

    Every sheet prints landscape with its header row repeated and a footer of page numbers
    and the run (`run_id`, else the summary's run fact) (L179).

    The file appears complete or not at all: on any error the previous file at `path` is
    untouched, the temporary file is removed, and the error propagates. Bad arguments (a
    column key missing from its frame, a chart naming an unknown table) raise ``ValueError``
    before anything is written. Returns ``[path]``, the files written.
    """
    target = Path(path)
    if not sheets and summary is None:
        raise ValueError("a workbook needs at least one sheet")
    per_sheet = MAX_SHEET_ROWS - 1
    if per_sheet < 1:
        raise ValueError(f"MAX_SHEET_ROWS must leave room for data rows, got {MAX_SHEET_ROWS}")
    for sheet in sheets:
        _check_columns(sheet.frame, sheet.columns, f"sheet {sheet.name!r}")
    if summary is not None:
        _check_summary(summary)

    names = _NameAllocator()
    summary_title = names.take(summary.name) if summary is not None else None
    # All names are taken up front, in sheet order, so a continuation "x (2)" can never take
    # a name that a later sheet asked for by itself.
    plan: list[tuple[Sheet, list[tuple[str, int, int]]]] = []  # (title, first row, count)
    for sheet in sheets:
        height = sheet.frame.height
        parts = []
        for part in range(max(1, math.ceil(height / per_sheet))):
            title = names.take(sheet.name, "" if part == 0 else f" ({part + 1})")
            start = part * per_sheet
            parts.append((title, start, min(per_sheet, height - start)))
        plan.append((sheet, parts))

    footer = _run_footer(run_id, summary)
    with atomic_path(target) as temp:
        workbook = Workbook(write_only=True)
        try:
            if summary is not None and summary_title is not None:
                _write_summary(workbook, summary_title, summary, footer)
            for sheet, parts in plan:
                prep = _prepare(sheet.frame, sheet.columns)
                for title, start, count in parts:
                    _write_data_sheet(workbook, title, prep.slice(start, count), footer)
            checkpoint("workbook-streamed")  # the fault harness: rows in scratch, unsaved
            _save(workbook, temp)
        except BaseException:
            _discard_sheet_buffers(workbook)
            raise
    return [target]


# --------------------------------------------------------------------------------------------
# Column preparation: every per-value decision made once per column, in polars


@dataclass(frozen=True, eq=False)
class _Prepared:
    """Frame columns turned into exactly what the cells will hold, plus how to show them."""

    columns: list[Column]
    data: pl.DataFrame  # one column per Column, named c0, c1...; values ready for openpyxl
    formats: list[str | None]  # number format per column; None: an unstyled cell
    text: list[int]  # indices of columns written as text (the only ones that can look risky)
    widths: list[float]
    # per column: how its cells are aligned on paper (L184); None: unstyled
    alignments: list[Alignment | None] = field(default_factory=list)

    def slice(self, start: int, count: int) -> _Prepared:
        return _Prepared(
            self.columns,
            self.data.slice(start, count),
            self.formats,
            self.text,
            self.widths,
            self.alignments,
        )


def _check_columns(frame: pl.DataFrame, columns: Sequence[Column], where: str) -> None:
    if not columns:
        raise ValueError(f"{where}: no columns to write")
    if len(columns) > MAX_SHEET_COLUMNS:
        raise ValueError(f"{where}: {len(columns)} columns, Excel holds {MAX_SHEET_COLUMNS}")
    missing = [c.key for c in columns if c.key not in frame.columns]
    if missing:
        raise ValueError(f"{where}: columns {missing} not in the frame ({frame.columns})")


def _check_summary(summary: Summary) -> None:
    for index, table in enumerate(summary.tables):
        _check_columns(table.frame, table.columns, f"summary table {index} ({table.title!r})")
    chart = summary.chart
    if chart is None:
        return
    if not 0 <= chart.table_index < len(summary.tables):
        raise ValueError(f"chart {chart.title!r}: no summary table {chart.table_index}")
    keys = [c.key for c in summary.tables[chart.table_index].columns]
    for key in (chart.category_key, chart.value_key):
        if key not in keys:
            raise ValueError(f"chart {chart.title!r}: column {key!r} not in table ({keys})")


def _prepare(frame: pl.DataFrame, columns: Sequence[Column]) -> _Prepared:
    series: list[pl.Series] = []
    formats: list[str | None] = []
    text: list[int] = []
    widths: list[float] = []
    alignments: list[Alignment | None] = []
    after_number = False
    for index, column in enumerate(columns):
        values, fmt, value_width = _prepare_column(frame.get_column(column.key), column.kind)
        series.append(values.alias(f"c{index}"))
        formats.append(fmt)
        is_text = values.dtype == pl.Utf8
        if is_text:
            text.append(index)
        padding = _VALUE_PADDING if is_text else _NUMBER_PADDING
        if column.width is not None:
            width = float(column.width)
        else:
            width = _column_width(column.header, value_width, padding)
        widths.append(width)
        # L184: text longer than its column wraps onto more lines of the row (cut off on
        # paper otherwise, or run onto a page of its own); text right of a number column
        # starts one step in, so a right-aligned 0 never reads as the first digit of a code
        wrap = is_text and value_width + _VALUE_PADDING > width and frame.height <= WRAP_MAX_ROWS
        if wrap:
            alignments.append(WRAP_INDENT_ALIGNMENT if after_number else WRAP_ALIGNMENT)
        elif is_text and after_number and value_width > 0:
            alignments.append(INDENT_ALIGNMENT)
            if column.width is None:  # the step in takes room from the text
                width = min(MAX_WIDTH, width + _INDENT_WIDTH)
                widths[-1] = width
        else:
            alignments.append(None)
        after_number = not is_text
    if any(a is not None and a.wrap_text for a in alignments):
        # a row grown to wrapped text reads as one row only when all its cells start at the
        # top (Excel's default is the bottom: the id would sit beside the reason's last line)
        alignments = [
            a
            if a is not None and a.wrap_text
            else INDENT_TOP_ALIGNMENT
            if a is not None
            else TOP_ALIGNMENT
            for a in alignments
        ]
    return _Prepared(list(columns), pl.DataFrame(series), formats, text, widths, alignments)


def _column_width(header: str, value_width: float, padding: float = _VALUE_PADDING) -> float:
    """Width in Excel's units (about one digit): fits the header and the widest value seen
    (numbers with more room: a printer's font draws digits and 元 wider than Excel's unit)."""
    wanted = max(display_width(header) + _HEADER_PADDING, value_width + padding)
    return float(min(MAX_WIDTH, max(MIN_WIDTH, wanted)))


def display_width(text: str) -> int:
    """Columns `text` takes on screen: CJK and full-width characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _prepare_column(values: pl.Series, kind: Kind) -> tuple[pl.Series, str | None, float]:
    """Return (values to write, number format or None, widest value's display width)."""
    dtype = values.dtype
    if kind == "date" and (dtype == pl.Date or isinstance(dtype, pl.Datetime)):
        days = values.dt.date() if isinstance(dtype, pl.Datetime) else values
        earliest = days.min()
        if earliest is None or cast(dt.date, earliest) >= _FIRST_EXCEL_DATE:
            return _date_serials(days), DATE_FORMAT, 10.0
        # Excel has no dates before 1900; such a column is written as ISO text instead.
    if kind in ("int", "yuan", "pct", "ratio") and (dtype.is_numeric() or dtype == pl.Boolean):
        return _prepare_number(values, kind)
    return _prepare_text(values)


def _apply(values: pl.Series, build: Callable[[pl.Expr], pl.Expr]) -> pl.Series:
    """Run a column expression over one Series (keeping its name)."""
    name = values.name
    return values.to_frame("v").select(build(pl.col("v")).alias(name)).to_series()


def _date_serials(days: pl.Series) -> pl.Series:
    """Excel serial numbers of a Date column (all on or after 1900-01-01).

    Written as numbers under a date format they are real dates to Excel, openpyxl and
    calamine alike, and cost openpyxl no per-value date conversion.
    """

    def serial_of(day: pl.Expr) -> pl.Expr:
        serial = day.cast(pl.Int32).cast(pl.Int64) + _EXCEL_EPOCH_SHIFT
        # Excel believes 1900 had a 29 February (serial 60): earlier dates sit one lower.
        return pl.when(serial <= _LAST_PHANTOM_SERIAL).then(serial - 1).otherwise(serial)

    return _apply(days, serial_of)


def _prepare_number(values: pl.Series, kind: Kind) -> tuple[pl.Series, str | None, float]:
    dtype = values.dtype
    if dtype == pl.Boolean:
        values = values.cast(pl.Int64)
    elif dtype.is_decimal():
        values = values.cast(pl.Float64)
    if values.dtype.is_float():
        # NaN and infinities have no cell form (openpyxl would write an empty <v>): blank.
        values = _apply(values, lambda v: pl.when(v.is_finite()).then(v))
    is_float = values.dtype.is_float()
    low, high = values.min(), values.max()
    biggest = max(abs(cast(float, low or 0)), abs(cast(float, high or 0)))
    negative = 1 if (low is not None and cast(float, low) < 0) else 0
    digits = len(str(int(biggest)))
    if kind == "yuan":
        width = negative + digits + (digits - 1) // 3 + 2  # thousands commas and 元
        return values, YUAN_FORMAT, float(width)
    if kind == "ratio":
        return values.cast(pl.Float64), RATIO_FORMAT, float(negative + len(f"{biggest * 100:.1f}%"))
    if kind == "pct":
        fmt = PCT_FLOAT_FORMAT if is_float else PCT_INT_FORMAT
        return values, fmt, float(negative + digits + (3 if is_float else 1))
    width = negative + (len(f"{biggest:.10g}") if is_float else digits)
    return values, None, float(width)


def _prepare_text(values: pl.Series) -> tuple[pl.Series, str | None, float]:
    dtype = values.dtype
    if dtype == pl.Utf8:
        text = values
    elif isinstance(dtype, pl.Datetime):
        text = values.dt.to_string("%Y-%m-%d %H:%M:%S")
    elif dtype == pl.Null:
        text = values.cast(pl.Utf8)
    else:
        try:
            text = values.cast(pl.Utf8)
        except pl.exceptions.PolarsError:
            # Nested values (lists, structs) have no cast to text: their Python form will do.
            text = pl.Series(
                [None if v is None else str(v) for v in values.to_list()], dtype=pl.Utf8
            )
    cleaned = _apply(
        text,
        lambda v: (
            v.str.replace_all(_ILLEGAL_XML, "")
            .str.slice(0, MAX_CELL_CHARS)
            # An empty string and a missing value look the same in Excel; skipping the cell
            # keeps the file small.
            .replace("", None)
        ),
    )
    widest = _apply(
        cleaned, lambda v: (v.str.len_chars() + v.str.count_matches(_WIDE_PATTERN)).max()
    ).item()
    return cleaned, None, float(widest or 0)


def _clean_str(text: str) -> str:
    """The per-value twin of the text cleaning in `_prepare_text`, for headers and facts."""
    return _ILLEGAL_XML_RE.sub("", text)[:MAX_CELL_CHARS]


# --------------------------------------------------------------------------------------------
# Sheet names


class _NameAllocator:
    """Hands out valid, unique sheet names (Excel compares them ignoring case)."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def take(self, name: str, suffix: str = "") -> str:
        base = _INVALID_SHEET_CHARS_RE.sub("_", _clean_str(name)).strip().strip("'")
        if not base:
            base = "Sheet"
        if base.casefold() == "history":  # reserved by Excel
            base += "_"
        candidate = _fit(base, suffix)
        number = 1
        while candidate.casefold() in self._taken:
            number += 1
            candidate = _fit(base, f"{suffix} ({number})" if suffix else f" ({number})")
        self._taken.add(candidate.casefold())
        return candidate


def _fit(base: str, suffix: str) -> str:
    """`base` cut so that `base + suffix` fits Excel's 31 characters."""
    return base[: MAX_SHEET_NAME - len(suffix)].rstrip() + suffix


# --------------------------------------------------------------------------------------------
# Writing


def _install_fast_rows(ws: Any) -> None:
    """Let `ws` take row values without openpyxl's per-value probing.

    openpyxl's write-only ``append`` binds every value through ``Cell.value`` (type lookup,
    string checks) and detects a pre-styled cell only by catching an exception; on a report
    with 4 of 11 columns styled, skipping that saves about 30 % of the total time. The rows
    this module appends are already clean (text cleaned and cut per column, numbers finite,
    dates as serials), so plain values are bound directly: str as a string cell (so no text
    can become a formula), int and float as numbers, cells passed through as they are, and
    anything else through openpyxl.

    This replaces a private method on the one worksheet, so it is used only when the method
    exists; the rows handed to ``append`` are valid for openpyxl's own path as well, so
    without the adapter the workbook comes out the same, only slower.
    """
    if not _FAST_ROWS or not callable(getattr(ws, "_values_to_row", None)):
        return
    plain = WriteOnlyCell(ws)

    def values_to_row(values: Iterable[object], row_idx: int) -> Iterator[Cell]:
        for col_idx, value in enumerate(values, 1):
            value_type = type(value)
            if value_type is str:
                cell = plain
                cell._value = value
                cell.data_type = "s"
            elif value_type is int or value_type is float:
                cell = plain
                cell._value = value
                cell.data_type = "n"
            elif value is None:
                continue
            elif isinstance(value, Cell):
                cell = value
            else:
                cell = WriteOnlyCell(ws, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"
            cell.column = col_idx
            cell.row = row_idx
            yield cell

    ws._values_to_row = values_to_row


def _text_cell(ws: Any, text: str, font: Font | None = None) -> Cell:
    """A cell that holds `text` as a string whatever it looks like (``=1+1``, ``#N/A``)."""
    cell = WriteOnlyCell(ws, value=_clean_str(text))
    cell.data_type = "s"
    if font is not None:
        cell.font = font
    return cell


def _header_cells(ws: Any, columns: Sequence[Column]) -> list[Cell]:
    cells = []
    for column in columns:
        cell = _text_cell(ws, column.header, HEADER_FONT)
        cell.fill = HEADER_FILL
        cell.border = HEADER_BORDER
        cell.alignment = HEADER_ALIGNMENT
        cells.append(cell)
    return cells


def _risky_rows(data: pl.DataFrame, text: Sequence[int]) -> set[int]:
    """Rows holding text that openpyxl's own path would store as a formula or an error."""
    if not text or data.height == 0:
        return set()
    names = [data.columns[i] for i in text]
    risky = pl.any_horizontal(
        [pl.col(n).str.starts_with("=") | pl.col(n).is_in(list(ERROR_CODES)) for n in names]
    ).fill_null(False)
    return set(data.select(risky.arg_true()).to_series().to_list())


def wrapped_heights(prep: _Prepared) -> list[float | None]:
    """Per row, the height in points its wrapped text needs, None for one line (L184).

    Excel and LibreOffice do not grow a row to its wrapped text when opening a file that
    gives no heights (LibreOffice printed one line, the rest cut), so the height is set:
    the lines the longest wrapped value takes, its display width over the column's, with a
    tenth more for a printer's wider glyphs."""
    wrapped = [
        (prep.data.columns[i], prep.widths[i])
        for i, a in enumerate(prep.alignments)
        if a is not None and a.wrap_text
    ]
    if not wrapped or prep.data.height == 0:
        return [None] * prep.data.height
    lines = pl.max_horizontal(
        (
            (
                (pl.col(name).str.len_chars() + pl.col(name).str.count_matches(_WIDE_PATTERN))
                * WRAP_SLACK
                / max(width - 1, 1)
            )
            .ceil()
            .fill_null(1)
        )
        for name, width in wrapped
    )
    height = pl.when(lines > 1).then(pl.min_horizontal(lines * LINE_HEIGHT, MAX_ROW_HEIGHT))
    return prep.data.select(height.cast(pl.Float64).alias("h")).to_series().to_list()


def _append_rows(ws: Any, prep: _Prepared, first_row: int = 2) -> None:
    """Append the prepared rows: styled columns through one reusable cell each.

    A template cell can be reused because write-only ``append`` serialises the whole row
    before it returns; openpyxl then sets the cell's row and column itself.
    """
    templates: list[tuple[int, Cell]] = []
    # text templates: the value goes in as a string cell whatever it looks like (``=…``)
    text_templates: list[tuple[int, Cell]] = []
    alignments = prep.alignments or [None] * len(prep.formats)
    for index, (fmt, alignment) in enumerate(zip(prep.formats, alignments, strict=True)):
        if fmt is None and alignment is None:
            continue
        template = WriteOnlyCell(ws)
        if fmt is not None:
            template.number_format = fmt
        if alignment is not None:
            template.alignment = alignment
        if index in prep.text:
            template.data_type = "s"
            text_templates.append((index, template))
        else:
            templates.append((index, template))
    risky = _risky_rows(prep.data, prep.text)
    append: Callable[[Sequence[object]], None] = ws.append
    if not templates and not text_templates and not risky:
        for row in prep.data.iter_rows():
            append(row)
        return
    heights = wrapped_heights(prep) if text_templates else [None] * prep.data.height
    rows = ws.row_dimensions
    for number, row in enumerate(prep.data.iter_rows()):
        height = heights[number]
        if height is not None:  # read by the writer when the row goes out, just below
            rows[first_row + number].height = height
        cells: list[object] = list(row)
        for index, template in templates:
            value = cells[index]
            if value is not None:
                template.value = value
                cells[index] = template
        for index, template in text_templates:
            value = cells[index]
            if value is not None:
                template._value = value
                cells[index] = template
        if number in risky:
            for index in prep.text:
                value = cells[index]
                if isinstance(value, str) and (value.startswith("=") or value in ERROR_CODES):
                    cells[index] = _text_cell(ws, value)
        append(cells)
        if height is not None:  # written: no need to hold it for a million rows
            del rows[first_row + number]


def _run_footer(run_id: str | None, summary: Summary | None) -> str:
    """The footer's right part: the run, so a printed page can be traced to its run."""
    if run_id:
        return _clean_str(run_id)
    for fact in summary.facts if summary is not None else ():
        if fact[0] in RUN_FACT_LABELS and fact[1] is not None:
            return _clean_str(f"{fact[0]} {fact[1]}")
    return ""


def pages_wide(widths: Sequence[float], title_columns: int = TITLE_COLUMNS) -> int:
    """How many landscape pages side by side a sheet of these column widths prints on
    (L179): one when it fits PAGE_WIDTH, else as many as its columns need with the first
    `title_columns` repeated on each page."""
    total = sum(widths)
    if total <= PAGE_WIDTH:
        return 1
    repeated = sum(widths[:title_columns]) if len(widths) > title_columns else 0.0
    room = max(PAGE_WIDTH - repeated, PAGE_WIDTH / 2)
    return max(2, math.ceil((total - repeated) / room))


def print_setup(
    ws: Any,
    widths: Sequence[float],
    footer: str,
    title_rows: str | None = "1:1",
    print_area: str | None = None,
) -> None:
    """Landscape, fit to its pages' width (one page, or `pages_wide`), the header row
    repeated on every page, the first columns too when the sheet spans pages, printed
    across then down (L184), a footer with the sheet, page numbers and the run (L179). Set before the first row is written
    (write-only sheets stream their head first)."""
    wide = pages_wide(widths)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.fitToWidth = wide
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    if title_rows is not None:
        ws.print_title_rows = title_rows
    if wide > 1:
        ws.print_title_cols = f"A:{get_column_letter(min(TITLE_COLUMNS, len(widths)))}"
        # L184: the pages of the same rows follow each other (rows 1-40 left, rows 1-40
        # right, rows 41-80 left ...), not every left half first and the right halves after
        ws.page_setup.pageOrder = "overThenDown"
    if print_area is not None:
        ws.print_area = print_area
    ws.oddFooter.left.text = "&A"
    ws.oddFooter.center.text = FOOTER_PAGES
    if footer:
        ws.oddFooter.right.text = footer.replace("&", "&&")


def _write_data_sheet(workbook: Workbook, title: str, prep: _Prepared, footer: str = "") -> None:
    ws: Any = workbook.create_sheet(title)
    _install_fast_rows(ws)
    # Everything above the rows must be set before the first append: write-only mode streams
    # the sheet's head (views, columns) as soon as a row arrives.
    ws.freeze_panes = "A2"
    for index, width in enumerate(prep.widths, 1):
        ws.column_dimensions[get_column_letter(index)].width = width
    last_column = get_column_letter(len(prep.columns))
    ws.auto_filter.ref = f"A1:{last_column}{prep.data.height + 1}"
    print_setup(ws, prep.widths, footer)
    # L184: the cell grid on paper: a row grown to a wrapped reason stays one row to the eye
    ws.print_options.gridLines = True
    ws.append(_header_cells(ws, prep.columns))
    _append_rows(ws, prep)


def _fact_cell(ws: Any, value: object, kind: Kind | None) -> tuple[Cell | None, float]:
    """A summary fact's value cell, left beside its label (L184), and the display width of
    the value as Excel shows it."""
    cell, width = _fact_value_cell(ws, value, kind)
    if cell is not None:
        cell.alignment = FACT_ALIGNMENT
    return cell, width


def _fact_value_cell(ws: Any, value: object, kind: Kind | None) -> tuple[Cell | None, float]:
    if isinstance(value, Decimal):
        value = float(value)
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None, 0.0
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if isinstance(value, dt.datetime) and kind is None:
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = DATETIME_FORMAT
        return cell, 19.0
    if isinstance(value, dt.date) and kind in (None, "date"):
        day = value.date() if isinstance(value, dt.datetime) else value
        if day >= _FIRST_EXCEL_DATE:
            cell = WriteOnlyCell(ws, value=day)
            cell.number_format = DATE_FORMAT
            return cell, 10.0
    if not is_number or kind in ("text", "date"):
        text = _clean_str(value if isinstance(value, str) else str(value))
        return _text_cell(ws, text), float(display_width(text))
    number = cast(int | float, value)
    fmt: str | None
    if kind == "yuan":
        fmt, shown = YUAN_FORMAT, f"{number:,.0f}元"
    elif kind == "ratio":
        fmt, shown = RATIO_FORMAT, f"{number * 100:.1f}%"
    elif kind == "pct" and isinstance(number, float):
        fmt, shown = PCT_FLOAT_FORMAT, f"{number:.1f}%"
    elif kind == "pct":
        fmt, shown = PCT_INT_FORMAT, f"{number}%"
    elif kind == "int":
        fmt, shown = None, f"{number}"
    elif isinstance(number, float):
        fmt, shown = DECIMAL_FORMAT, f"{number:,.2f}"
    else:
        fmt, shown = COUNT_FORMAT, f"{number:,}"
    cell = WriteOnlyCell(ws, value=number)
    if fmt is not None:
        cell.number_format = fmt
    return cell, float(display_width(shown))


def _write_summary(workbook: Workbook, title: str, summary: Summary, footer: str = "") -> None:
    """Title, facts (label | value), then each table under its own title, chart beside;
    the facts that are not for paper (UNPRINTED_FACTS) last, below the print area."""
    ws: Any = workbook.create_sheet(title)
    _install_fast_rows(ws)
    tables = [_prepare(t.frame, t.columns) for t in summary.tables]
    facts: list[list[Cell | None]] = []
    unprinted: list[list[Cell | None]] = []
    widths: dict[int, float] = {}

    def widen(column: int, width: float) -> None:
        widths[column] = max(widths.get(column, 0.0), width)

    for fact in summary.facts:
        if fact[0] in UNPRINTED_FACTS:
            kind_: Kind | None = fact[2] if len(fact) == 3 else None
            unprinted.append(
                [_text_cell(ws, fact[0], LABEL_FONT), _fact_cell(ws, fact[1], kind_)[0]]
            )
            continue
        kind: Kind | None = fact[2] if len(fact) == 3 else None
        value_cell, value_width = _fact_cell(ws, fact[1], kind)
        facts.append([_text_cell(ws, fact[0], LABEL_FONT), value_cell])
        widen(1, display_width(_clean_str(fact[0])) + _VALUE_PADDING)
        widen(2, value_width + _VALUE_PADDING)
    for prep in tables:
        for index, width in enumerate(prep.widths, 1):
            widen(index, width)
    printed_rows = 2 + len(facts) + sum(3 + p.data.height for p in tables)
    total_rows = printed_rows + (1 + len(unprinted) if unprinted else 0)
    if total_rows > MAX_SHEET_ROWS:
        raise ValueError(f"summary {summary.name!r} is longer than a sheet can hold")

    # Column widths go out with the sheet's head, i.e. before the first row.
    shown_widths = {i: min(MAX_WIDTH, max(MIN_WIDTH, w)) for i, w in widths.items()}
    for index, width in sorted(shown_widths.items()):
        ws.column_dimensions[get_column_letter(index)].width = width
    # One page wide: the facts, the tables and the chart beside them (about 10 columns of
    # the default width); the unprinted facts below the area.
    used_columns = max([2, *(len(t.columns) for t in summary.tables)])
    last_column = used_columns + (_CHART_COLUMNS + 1 if summary.chart is not None else 0)
    page = [shown_widths.get(i, 8.43) for i in range(1, last_column + 1)]
    print_setup(
        ws,
        [min(sum(page), PAGE_WIDTH)],
        footer,
        title_rows=None,
        print_area=f"A1:{get_column_letter(last_column)}{max(printed_rows, 20)}",
    )
    ws.append([_text_cell(ws, summary.title, TITLE_FONT)])
    ws.append([])
    for row in facts:
        ws.append(row)
    row_number = 2 + len(facts)
    table_rows: list[tuple[int, int]] = []  # per table: header row, last data row
    for table, prep in zip(summary.tables, tables, strict=True):
        ws.append([])
        ws.append([_text_cell(ws, table.title, SECTION_FONT)])
        ws.append(_header_cells(ws, table.columns))
        header_row = row_number + 3
        _append_rows(ws, prep, header_row + 1)
        row_number = header_row + prep.data.height
        table_rows.append((header_row, row_number))
    if unprinted:
        ws.append([])
        for row in unprinted:
            ws.append(row)

    chart = summary.chart
    if chart is not None:
        _add_chart(
            ws,
            chart,
            summary.tables[chart.table_index],
            table_rows[chart.table_index],
            anchor_column=used_columns + 2,
        )


# Columns of the default width the chart covers beside the summary (18 cm).
_CHART_COLUMNS = 10


def axis_step(top: float) -> int:
    """A whole step for a value axis up to `top`: 1, 2, 5, 10, 20, 50 … giving at most
    about six gridlines (L179)."""
    if top <= 5:
        return 1
    rough = top / 5
    power = 10 ** math.floor(math.log10(rough))
    for factor in (1, 2, 5, 10):
        if factor * power >= rough:
            return int(factor * power)
    return int(10 * power)


def _add_chart(
    ws: Any, spec: ChartSpec, table: SummaryTable, rows: tuple[int, int], anchor_column: int
) -> None:
    """A column chart of `spec.value_key` by `spec.category_key`, beside the summary."""
    header_row, last_row = rows
    if last_row <= header_row:
        return  # an empty table: nothing to draw
    keys = [c.key for c in table.columns]
    value_col = keys.index(spec.value_key) + 1
    category_col = keys.index(spec.category_key) + 1
    chart = BarChart()
    chart.type = "col"
    chart.style = 10
    chart.title = spec.title
    chart.y_axis.title = spec.y_title
    chart.legend = None
    # openpyxl 3.1 marks axes as deleted by default, which hides their labels in Excel.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    # whole numbers on the value axis (a count of 1 drew 0, 0.2 … 1.2), from 0 (L179)
    values = [v for v in table.frame.get_column(spec.value_key).to_list() if v is not None]
    chart.y_axis.scaling.min = 0
    chart.y_axis.majorUnit = axis_step(max([0, *values]))
    chart.y_axis.number_format = "#,##0"
    data = Reference(ws, min_col=value_col, min_row=header_row, max_row=last_row)
    categories = Reference(ws, min_col=category_col, min_row=header_row + 1, max_row=last_row)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(categories)
    chart.width = 18
    chart.height = 9
    ws.add_chart(chart, f"{get_column_letter(anchor_column)}3")


def _save(workbook: Workbook, path: Path) -> None:
    """``Workbook.save`` with a faster deflate level and the zip closed even on failure.

    openpyxl's own save leaves the archive open when writing raises, which keeps the
    temporary file locked on Windows and so in the way of its removal.
    """
    workbook.properties.modified = dt.datetime.now(tz=dt.UTC).replace(tzinfo=None)
    with zipfile.ZipFile(
        path, "w", zipfile.ZIP_DEFLATED, allowZip64=True, compresslevel=ZIP_LEVEL
    ) as archive:
        ExcelWriter(workbook, archive).save()


def _discard_sheet_buffers(workbook: Workbook) -> None:
    """Close and remove the per-sheet scratch files write-only mode keeps in the temp directory.

    openpyxl deletes them only when the workbook is saved or the process exits; a batch run
    that fails several reports should not leave large XML files behind until then. The row
    stream is closed before the file stream it feeds (the reverse order makes lxml complain
    when the generators are collected), and both before the removal (Windows cannot remove
    an open file).
    """
    for ws in workbook.worksheets:
        writer = getattr(ws, "_writer", None)
        out = getattr(writer, "out", None)
        if not isinstance(out, str):
            continue
        for stream in (getattr(ws, "_rows", None), getattr(writer, "xf", None)):
            close = getattr(stream, "close", None)
            if callable(close):
                with contextlib.suppress(Exception):
                    close()
        with contextlib.suppress(OSError):
            os.remove(out)
