"""Resident id numbers (GB 11643) checked for a million rows at a time (E3).

python-stdnum's `cn.ric` is the authority for what a valid id is; calling it once per row
costs about 7 s per million ids here, so the structural checks — length, digits, check digit,
birth date — are the same rules written as polars expressions, and
`tests/test_ids.py` checks with hypothesis that they agree with stdnum on every id. The
region code is looked up with stdnum itself, once per distinct (region, birth year): an
unknown region is only a warning (E3), because stdnum 2.2 rejects real numbers of older
staff whose county code was created after they were born.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import polars as pl
from stdnum.cn import ric
from stdnum.exceptions import ValidationError

# GB 11643: weight of position i (0-based, 17 digits) is 2^(17 − i) mod 11.
_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]
_CHECK_CHARS = "10X98765432"

ID_OK = None
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


@lru_cache(maxsize=65536)
def region_known(region: str, birth_year: int) -> bool:
    """stdnum's own region look-up for one (region code, birth year)."""
    probe = f"{region}{birth_year:04d}0101"
    try:
        ric.get_birth_place(probe + "0000")
    except (ValidationError, ValueError, KeyError):
        return False
    return True


def unknown_region(frame: pl.DataFrame, col: str) -> pl.Series:
    """Boolean per row: the region code of a valid id is unknown to stdnum (a warning)."""
    keys = frame.select(
        pl.col(col).str.slice(0, 6).alias("region"),
        pl.col(col).str.slice(6, 4).cast(pl.Int64, strict=False).alias("year"),
    )
    distinct = keys.unique().drop_nulls()
    known = distinct.with_columns(
        pl.struct("region", "year")
        .map_elements(lambda r: region_known(r["region"], r["year"]), return_dtype=pl.Boolean)
        .alias("known")
    )
    joined = keys.join(known, on=["region", "year"], how="left", maintain_order="left")
    return (~joined["known"].fill_null(True)).alias("unknown_region")
