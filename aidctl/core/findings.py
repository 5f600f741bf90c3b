"""Problems found in data, as values (a DataFrame of findings), never as exceptions.

A finding names where it was found (file, sheet, Excel row, column), what (code, severity)
and the offending value; the text a person reads is rendered later from the code, in the
report's language (`aidctl.i18n`). Keeping findings as a frame lets a million-row check
produce them with vectorised expressions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import polars as pl

ERROR = "error"
WARNING = "warning"

FINDING_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "file": pl.Utf8,
    "sheet": pl.Utf8,
    "row": pl.Int64,
    "column": pl.Utf8,
    "code": pl.Utf8,
    "severity": pl.Utf8,
    "value": pl.Utf8,
    "unit_code": pl.Utf8,
    "id_number": pl.Utf8,
}


def empty_findings() -> pl.DataFrame:
    return pl.DataFrame(schema=FINDING_SCHEMA)


def findings_from_rows(rows: Iterable[Mapping[str, Any]]) -> pl.DataFrame:
    """Build a findings frame from a few dicts (missing keys become null)."""
    data = [{key: row.get(key) for key in FINDING_SCHEMA} for row in rows]
    if not data:
        return empty_findings()
    return pl.DataFrame(data, schema=FINDING_SCHEMA)


def conform(frame: pl.DataFrame) -> pl.DataFrame:
    """Give any frame of findings exactly the finding schema (extra columns dropped)."""
    exprs = [
        (pl.col(key) if key in frame.columns else pl.lit(None)).cast(dtype).alias(key)
        for key, dtype in FINDING_SCHEMA.items()
    ]
    return frame.select(exprs)


def concat_findings(frames: Iterable[pl.DataFrame]) -> pl.DataFrame:
    parts = [conform(f) for f in frames if f.height]
    if not parts:
        return empty_findings()
    return pl.concat(parts, how="vertical")
