"""A decided claim's facts, read back from the text the register keeps with its decision.

Every decision keeps `content` (aidctl/intake/claims.py `content_expr`): each field of the
claim row in a fixed text form, in CONTENT_FIELDS order. `simulate` (A5.6, L84) re-decides
claims from these stored facts, so they are read back here into the claims frame the
calculator takes — one regular expression over the whole column, no per-row Python. The
pattern anchors each field on the next field's name, so a `|` inside a disease text stays
in the text.
"""

from __future__ import annotations

import re

import polars as pl

from aidctl.intake.claims import (
    CLAIMS_SCHEMA,
    CONTENT_FIELDS,
    CONTENT_FIELDS_WHEN_FILLED,
    CONTENT_SEPARATOR,
)
from aidctl.intake.read import ROW
from aidctl.intake.sheet import BAD_FIELDS, SHEET


def _pattern() -> str:
    sep = re.escape(CONTENT_SEPARATOR)
    body = sep.join(f"{k}=(?P<{k}>.*?)" for k in CONTENT_FIELDS)
    tail = "".join(f"(?:{sep}{k}=(?P<{k}>.*?))?" for k in CONTENT_FIELDS_WHEN_FILLED)
    return f"(?s)^{body}{tail}$"


def claims_from_content(decisions: pl.DataFrame) -> pl.DataFrame:
    """The claims frame (CLAIMS_SCHEMA) of stored decisions (claim_id, content, and a
    `_row` per decision); a field stored empty is null, as the intake reads a blank cell."""
    groups = decisions.select(
        "claim_id", "content", "_row", pl.col("content").str.extract_groups(_pattern()).alias("_g")
    ).unnest("_g")
    cols: list[pl.Expr] = []
    for key, dtype in CLAIMS_SCHEMA.items():
        if key in ("claim_id", "content", ROW):
            cols.append(pl.col(key).cast(dtype))
            continue
        if key in (SHEET, BAD_FIELDS) or key not in groups.columns:
            cols.append(pl.lit(None, dtype).alias(key))
            continue
        text = pl.when(pl.col(key) == "").then(None).otherwise(pl.col(key))
        if dtype == pl.Date:
            value = text.str.to_date("%Y-%m-%d", strict=False)
        elif dtype == pl.Boolean:
            value = pl.when(text == "true").then(True).when(text == "false").then(False)
        else:
            value = text.cast(dtype, strict=False)
        cols.append(value.alias(key))
    return groups.select(cols)
