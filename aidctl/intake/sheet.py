"""One sheet -> a typed frame, its raw copy, and the findings of its cells.

The shape of the work: find the header row, map headers to keys, drop blank rows, then
parse every known column with the expressions of `values` in one pass. Problems in a row
become findings (file, sheet, Excel row, header as written) and never stop other rows;
only what makes the whole sheet unusable (no header row, a required column absent, too
many rows) raises `InputError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import polars as pl

from aidctl.core.findings import (
    ERROR,
    WARNING,
    concat_findings,
    conform,
    empty_findings,
    findings_from_rows,
)
from aidctl.intake import failures
from aidctl.intake.headers import (
    HEADER_SCAN_ROWS,
    HeaderIndex,
    HeaderMap,
    find_header_row,
    map_headers,
    normalise_sheet_name,
)
from aidctl.intake.read import ROW, Book, Grid
from aidctl.intake.values import PERCENT, Kind, clean, looks_numeric, scientific

SHEET = "_sheet"
BAD_FIELDS = "_bad_fields"
_NUMBER_CELL = "_number_cell"
_STORED = "_id_stored_as_number"


@dataclass(frozen=True)
class Field:
    """A column the intake knows: its key, how its cells read, the headers that name it."""

    key: str
    kind: Kind
    zh: str
    aliases: tuple[str, ...] = ()
    required: bool = False

    @property
    def names(self) -> tuple[str, ...]:
        return (self.zh, *self.aliases)


@dataclass(frozen=True)
class SheetSpec:
    """A kind of sheet (units, members, claims): its names and its columns in frame order."""

    what_en: str
    what_zh: str
    sheet_names: tuple[str, ...]
    fields: tuple[Field, ...]
    id_key: str | None = None  # the column whose number cells are ID_STORED_AS_NUMBER

    @cached_property
    def index(self) -> HeaderIndex:
        return HeaderIndex.build({f.key: f.names for f in self.fields})

    @property
    def schema(self) -> dict[str, pl.DataType]:
        out: dict[str, pl.DataType] = {f.key: f.kind.dtype for f in self.fields}
        out.update({SHEET: pl.Utf8(), ROW: pl.Int64(), BAD_FIELDS: pl.Utf8()})
        return out


@dataclass(frozen=True)
class SheetRead:
    """A sheet as the rest of the tool sees it."""

    typed: pl.DataFrame
    raw: pl.DataFrame
    findings: pl.DataFrame
    written: dict[str, str] = field(default_factory=dict)  # key -> header as written


def find_sheet(sheet_names: Sequence[str], wanted: Sequence[str]) -> str | None:
    """The first sheet whose name, normalised like a header, is one of `wanted`."""
    targets = {normalise_sheet_name(name) for name in wanted}
    for name in sheet_names:
        if normalise_sheet_name(name) in targets:
            return name
    return None


def read_sheet(book: Book, sheet: str, spec: SheetSpec, max_rows: int | None = None) -> SheetRead:
    """Read `sheet` of `book` as a `spec` sheet (see the module docstring)."""
    grid = book.grid(sheet)
    header_at = find_header_row(grid.cells, grid.columns, spec.index)
    if header_at is None:
        if _is_empty(grid):
            raise failures.empty_sheet(grid.file, grid.sheet)
        examples = [f.zh for f in spec.fields if f.required][:3]
        examples += [f.key for f in spec.fields if f.required][:1]
        raise failures.no_header_row(grid.file, grid.sheet, HEADER_SCAN_ROWS, examples)

    header_row = grid.cells.row(header_at, named=True)
    headers = map_headers(((c, header_row[c]) for c in grid.columns), spec.index)
    missing = [(f.key, f.zh) for f in spec.fields if f.required and f.key not in headers.columns]
    if missing:
        raise failures.missing_columns(grid.file, grid.sheet, missing)

    body = _data_rows(grid, header_at, headers)
    if max_rows is not None and body.height > max_rows:
        raise failures.too_many_rows(grid.file, grid.sheet, body.height, max_rows)
    body = _attach_number_cells(grid, body, headers, spec)
    body = _attach_percent_cells(grid, body, headers, spec)

    parsed = _parse(body, headers, spec)
    findings = concat_findings(
        [
            _duplicate_header_findings(grid, header_row[ROW], headers),
            _cell_findings(grid, parsed, headers, spec),
        ]
    ).sort("row", maintain_order=True)
    typed = parsed.with_columns(pl.lit(grid.sheet, pl.Utf8).alias(SHEET)).select(
        pl.col(key).cast(dtype) for key, dtype in spec.schema.items()
    )
    raw = body.select([*headers.names, ROW]).rename(headers.names)
    written = {key: text for key, (_cell, text) in headers.columns.items()}
    return SheetRead(typed, raw, findings, written)


def _is_empty(grid: Grid) -> bool:
    if not grid.columns or grid.cells.height == 0:
        return True
    texts = [pl.col(c).str.strip_chars().str.len_bytes() > 0 for c in grid.columns]
    return not bool(grid.cells.select(pl.any_horizontal(texts).fill_null(False).any()).item())


def _data_rows(grid: Grid, header_at: int, headers: HeaderMap) -> pl.DataFrame:
    """The rows under the header with text in a known column, and that text cleaned.

    Blank rows are dropped only now, after `_row` was numbered on the full sheet, so the
    row numbers stay those Excel shows. Text only in unknown columns does not make a row.
    """
    cleaned = [
        clean(pl.col(cell_column)).alias(_clean_name(key))
        for key, (cell_column, _written) in headers.columns.items()
    ]
    body = grid.cells.slice(header_at + 1).with_columns(cleaned)
    has_text = pl.any_horizontal(pl.col(_clean_name(key)).is_not_null() for key in headers.columns)
    return body.filter(has_text)


def _attach_number_cells(
    grid: Grid, body: pl.DataFrame, headers: HeaderMap, spec: SheetSpec
) -> pl.DataFrame:
    """Add `_number_cell`: the id cell held a number in the workbook, not text.

    The mask costs a second read of the sheet, so it is asked for only when some id text
    could have come from a number cell at all (digits, a decimal point, an exponent).
    """
    id_column = headers.columns.get(spec.id_key) if spec.id_key else None
    if id_column is not None and body.height:
        could_be = body.select(looks_numeric(pl.col(_clean_name(spec.id_key or ""))).any())
        if could_be.item():
            mask = grid.number_cells(id_column[0])
            return body.with_columns(mask.gather(body.get_column(ROW) - 1).alias(_NUMBER_CELL))
    return body.with_columns(pl.lit(False).alias(_NUMBER_CELL))


def _percent_cell_name(key: str) -> str:
    return f"_number_cell_{key}"


def _attach_percent_cells(
    grid: Grid, body: pl.DataFrame, headers: HeaderMap, spec: SheetSpec
) -> pl.DataFrame:
    """Add `_number_cell_KEY` for each percent column (L183): the cell held a number.

    A share typed `10%` is stored by Excel/WPS/LibreOffice as the number 0.1 with a percent
    format, and the text read shows `0.1`: a number cell between 0 and 1 is that percent,
    read as 10 without the SHARE_AS_FRACTION hint. Text `0.1` (a text cell) keeps the hint.
    The mask costs a second read of the column, so it is asked for only when some cell of
    the column reads as such a fraction.
    """
    for f in spec.fields:
        if f.kind is not PERCENT or f.key not in headers.columns:
            continue
        text = pl.col(_clean_name(f.key))
        number = text.cast(pl.Float64, strict=False)
        could_be = body.select(((number > 0) & (number < 1)).fill_null(False).any()).item()
        name = _percent_cell_name(f.key)
        if body.height and could_be:
            mask = grid.number_cells(headers.columns[f.key][0])
            body = body.with_columns(mask.gather(body.get_column(ROW) - 1).alias(name))
        else:
            body = body.with_columns(pl.lit(False).alias(name))
    return body


def _clean_name(key: str) -> str:
    return f"_clean_{key}"


def _bad_name(key: str) -> str:
    return f"_bad_{key}"


def _notice_name(key: str) -> str:
    return f"_notice_{key}"


def _stored_as_number(key: str) -> pl.Expr:
    """A number cell in the id column, or Excel's scientific form of one written as text."""
    return (pl.col(_NUMBER_CELL) & looks_numeric(pl.col(_clean_name(key)))) | scientific(
        pl.col(key)
    )


def _parse(body: pl.DataFrame, headers: HeaderMap, spec: SheetSpec) -> pl.DataFrame:
    """Typed columns (`key`), their invalid flags (`_bad_key`), notices, and `_bad_fields`."""
    exprs: list[pl.Expr] = []
    for f in spec.fields:
        if f.key not in headers.columns:
            exprs.append(pl.lit(f.kind.absent, dtype=f.kind.dtype).alias(f.key))
            exprs.append(pl.lit(False).alias(_bad_name(f.key)))
            continue
        parsed = f.kind.parse(pl.col(_clean_name(f.key)))
        exprs.append(parsed.value.cast(f.kind.dtype).alias(f.key))
        exprs.append(parsed.invalid.fill_null(False).alias(_bad_name(f.key)))
        if parsed.notice is not None:
            notice = parsed.notice
            if f.kind is PERCENT:  # L183: a percent cell was typed as a percent, no hint
                notice = notice & ~pl.col(_percent_cell_name(f.key)).fill_null(False)
            exprs.append(notice.alias(_notice_name(f.key)))
    staged = body.with_columns(exprs)
    # An id stored as a number has lost digits: it is unreadable for the rules (its own
    # finding, ID_STORED_AS_NUMBER, says why), so its key joins `_bad_fields` too.
    stored = pl.lit(False)
    if spec.id_key is not None and spec.id_key in headers.columns:
        stored = _stored_as_number(spec.id_key)
    staged = staged.with_columns(stored.fill_null(False).alias(_STORED))
    bad_list = pl.concat_str(
        [
            pl.when(
                pl.col(_bad_name(f.key))
                | (pl.col(_STORED) if f.key == spec.id_key else pl.lit(False))
            ).then(pl.lit(f.key))
            for f in spec.fields
        ],
        separator=",",
        ignore_nulls=True,
    ).fill_null("")
    return staged.with_columns(bad_list.alias(BAD_FIELDS))


def _finding_rows(
    grid: Grid,
    frame: pl.DataFrame,
    when: pl.Expr,
    column: str,
    code: str,
    severity: str,
    value: pl.Expr,
) -> pl.DataFrame:
    located = frame.filter(when)
    if located.height == 0:
        return empty_findings()
    unit = pl.col("unit_code") if "unit_code" in frame.columns else pl.lit(None, pl.Utf8)
    ident = pl.col("id_number") if "id_number" in frame.columns else pl.lit(None, pl.Utf8)
    return conform(
        located.select(
            pl.lit(grid.file).alias("file"),
            pl.lit(grid.sheet).alias("sheet"),
            pl.col(ROW).alias("row"),
            pl.lit(column).alias("column"),
            pl.lit(code).alias("code"),
            pl.lit(severity).alias("severity"),
            value.alias("value"),
            unit.alias("unit_code"),
            ident.alias("id_number"),
        )
    )


def _cell_findings(
    grid: Grid, parsed: pl.DataFrame, headers: HeaderMap, spec: SheetSpec
) -> pl.DataFrame:
    parts: list[pl.DataFrame] = []
    for f in spec.fields:
        if f.key not in headers.columns:
            continue
        cell_column, written = headers.columns[f.key]
        raw_text = pl.col(cell_column)
        parts.append(
            _finding_rows(
                grid, parsed, pl.col(_bad_name(f.key)), written, "INVALID_VALUE", ERROR, raw_text
            )
        )
        notice = _notice_name(f.key)
        if notice in parsed.columns and f.kind.notice_code:
            parts.append(
                _finding_rows(
                    grid, parsed, pl.col(notice), written, f.kind.notice_code, WARNING, raw_text
                )
            )
        if f.key == spec.id_key:
            parts.append(
                _finding_rows(
                    grid, parsed, pl.col(_STORED), written, "ID_STORED_AS_NUMBER", ERROR, raw_text
                )
            )
    return concat_findings(parts)


def _duplicate_header_findings(grid: Grid, header_row: int, headers: HeaderMap) -> pl.DataFrame:
    return findings_from_rows(
        {
            "file": grid.file,
            "sheet": grid.sheet,
            "row": header_row,
            "column": written,
            "code": "DUPLICATE_HEADER",
            "severity": WARNING,
            "value": written,
        }
        for _key, written in headers.duplicates
    )
