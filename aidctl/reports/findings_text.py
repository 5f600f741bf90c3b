"""Findings and decisions turned into words, vectorised (a million findings is routine)."""

from __future__ import annotations

import polars as pl

from aidctl.core.enrolment_messages import ENROLMENT_MESSAGES
from aidctl.i18n import table
from aidctl.reports.labels import HEADERS, ID_PROBLEMS, STATUS
from aidctl.reports.safe import mask_id_expr

VALUE_PARTS = 8


def with_messages(findings: pl.DataFrame, lang: str, unmask: bool = False) -> pl.DataFrame:
    """Add `message`: the code's text with `{value}` and `{column}` filled in.

    A value that is an id number as read (ID_STORED_AS_NUMBER) is masked like the id column,
    unless `unmask`.
    """
    index = 0 if lang == "zh" else 1
    # the enrolment texts of D5, D6, E2, E3, E6 over the older catalogue (same codes reworded)
    templates = {**table(lang), **{k: v[index] for k, v in ENROLMENT_MESSAGES.items()}}
    texts = pl.DataFrame(
        {"code": list(templates), "_tpl": list(templates.values())},
        schema={"code": pl.Utf8, "_tpl": pl.Utf8},
    )
    col_names = pl.DataFrame(
        {"column": list(HEADERS), "_colname": [v[index] for v in HEADERS.values()]},
        schema={"column": pl.Utf8, "_colname": pl.Utf8},
    )
    problems = {k: v[index] for k, v in ID_PROBLEMS.items()}
    if not unmask:
        findings = findings.with_columns(
            pl.when(pl.col("code") == "ID_STORED_AS_NUMBER")
            .then(mask_id_expr(pl.col("value")))
            .otherwise(pl.col("value"))
            .alias("value")
        )
    findings = findings.with_columns(
        pl.when(pl.col("code") == "INVALID_ID")
        .then(
            pl.col("value").replace_strict(problems, default=pl.col("value"), return_dtype=pl.Utf8)
        )
        .otherwise(pl.col("value"))
        .alias("value")
    )
    out = findings.join(texts, on="code", how="left", maintain_order="left").join(
        col_names, on="column", how="left", maintain_order="left"
    )
    text = pl.coalesce(pl.col("_tpl"), pl.col("code"))
    parts = pl.col("value").fill_null("").str.split("|")
    for i in range(1, VALUE_PARTS + 1):  # `{v1}` … the parts of a `|`-separated value
        text = text.str.replace_all(
            f"{{v{i}}}", parts.list.get(i - 1, null_on_oob=True).fill_null(""), literal=True
        )
    return out.with_columns(
        text.str.replace_all("{value}", pl.col("value").fill_null(""), literal=True)
        .str.replace_all(
            "{column}",
            pl.coalesce(pl.col("_colname"), pl.col("column")).fill_null(""),
            literal=True,
        )
        .alias("message")
    ).drop("_tpl", "_colname")


def status_words(col: str, lang: str, words: dict[str, tuple[str, str]] | None = None) -> pl.Expr:
    index = 0 if lang == "zh" else 1
    mapping = {k: v[index] for k, v in (words or STATUS).items()}
    return pl.col(col).replace_strict(mapping, default=pl.col(col), return_dtype=pl.Utf8)


def masked(col: str, unmask: bool) -> pl.Expr:
    return pl.col(col) if unmask else mask_id_expr(pl.col(col))
