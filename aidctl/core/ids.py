"""Resident id numbers (GB 11643) checked for a million rows at a time (E3).

python-stdnum's `cn.ric` is the authority for what a valid id is; calling it once per row
costs about 7 s per million ids here, so the structural checks — length, digits, check digit,
birth date — are the same rules written as polars expressions, and
`tests/test_ids.py` checks with hypothesis that they agree with stdnum on every id. The
region code is checked against every code that has ever existed (E3), passed in by the
caller: an unknown region is only a warning.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

import polars as pl

# GB 11643: weight of position i (0-based, 17 digits) is 2^(17 − i) mod 11.
_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]
_CHECK_CHARS = "10X98765432"

INVALID_LENGTH = "length"
INVALID_FORMAT = "format"
INVALID_CHECKSUM = "checksum"
INVALID_BIRTH_DATE = "birth_date"


def id_problem(col: str, as_of: dt.date) -> pl.Expr:
    """Why the id in `col` is invalid ('length', 'format', 'checksum', 'birth_date') or
    null when it is a valid 18-character id born on or before `as_of` (E3)."""
    idc = pl.col(col)
    body_ok = idc.str.contains(r"^[0-9]{17}[0-9X]$")
    weighted = pl.sum_horizontal(
        [idc.str.slice(i, 1).cast(pl.Int64, strict=False) * w for i, w in enumerate(_WEIGHTS)]
    )
    expected = pl.lit(_CHECK_CHARS).str.slice(weighted % 11, 1)
    birth = idc.str.slice(6, 8).str.to_date("%Y%m%d", strict=False)
    return (
        pl.when(idc.is_null() | (idc.str.len_chars() != 18))
        .then(pl.lit(INVALID_LENGTH))
        .when(~body_ok)
        .then(pl.lit(INVALID_FORMAT))
        .when(idc.str.slice(17, 1) != expected)
        .then(pl.lit(INVALID_CHECKSUM))
        .when(birth.is_null() | (birth > pl.lit(as_of)) | (birth.dt.year() < 1900))
        .then(pl.lit(INVALID_BIRTH_DATE))
        .otherwise(pl.lit(None, dtype=pl.Utf8))
    )


def unknown_region(col: str, region_codes: Collection[str]) -> pl.Expr:
    """True where the region code (first six digits) of the id in `col` never existed (E3).

    `region_codes` is every code that has EVER existed, whatever its dates: people keep the
    code of the place that issued their number, which may be older or newer than their
    birth, so a code is never judged by the birth year. The caller reads the set (stdnum's
    `cn/loc` data) outside the core; an unknown code is only a warning.
    """
    return ~pl.col(col).str.slice(0, 6).is_in(sorted(region_codes))
