"""Findings and decisions turned into words, vectorised (a million findings is routine).

The plan's figures in a finding's text (E1's term of a temporary, E2's ratio and staff
count, A4.2's individual share, the area's region code …) are those of the parameter version
in force for the finding's unit — the `policy_version` of its row in the units frame, in the
`policy` the caller loaded (the api passes both) — so a roster checked under another version
reads that version's figures, never the bundled file's defaults (L95; a row whose unit has
no version reads the one the caller names: the version in force on the as-of day).
"""

from __future__ import annotations

import polars as pl

from aidctl.i18n import table
from aidctl.plan.params import Policy, PolicyVersion
from aidctl.reports.labels import HEADERS, ID_PROBLEMS, STATUS
from aidctl.reports.safe import mask_id_expr

VALUE_PARTS = 8
_DEFAULT = ""  # the `_version` of a row without its unit's version: `version`, else the latest


def _versions_of(findings: pl.DataFrame, units: pl.DataFrame | None, default: str) -> pl.DataFrame:
    """`findings` with `_version`: the policy version of each row's unit, else `default`."""
    if (
        units is None
        or "policy_version" not in units.columns
        or "unit_code" not in units.columns
        or "unit_code" not in findings.columns
    ):
        return findings.with_columns(pl.lit(default, dtype=pl.Utf8).alias("_version"))
    of_unit = (
        units.select("unit_code", pl.col("policy_version").cast(pl.Utf8).alias("_version"))
        .drop_nulls()
        .unique("unit_code", keep="first", maintain_order=True)
    )
    return findings.join(of_unit, on="unit_code", how="left", maintain_order="left").with_columns(
        pl.col("_version").fill_null(default)
    )


def with_messages(
    findings: pl.DataFrame,
    lang: str,
    unmask: bool = False,
    *,
    policy: Policy | None = None,
    units: pl.DataFrame | None = None,
    version: str | PolicyVersion | None = None,
) -> pl.DataFrame:
    """Add `message`: the code's text with `{value}` and `{column}` filled in, the plan's
    figures from the version of `policy` in force for the row's unit (`units`: unit_code →
    policy_version), else `version` (else the policy's latest).

    A value that is an id number as read (ID_STORED_AS_NUMBER) is masked like the id column,
    unless `unmask`.
    """
    index = 0 if lang == "zh" else 1
    default = version.id if isinstance(version, PolicyVersion) else (version or _DEFAULT)
    findings = _versions_of(findings, units, default)
    ids = findings["_version"].unique().sort().to_list() or [default]
    texts = pl.concat(
        [
            pl.DataFrame(
                {"code": list(templates), "_tpl": list(templates.values())},
                schema={"code": pl.Utf8, "_tpl": pl.Utf8},
            ).with_columns(pl.lit(vid, dtype=pl.Utf8).alias("_version"))
            for vid in ids
            for templates in [table(lang, policy=policy, version=vid or None)]
        ]
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
    out = findings.join(texts, on=["code", "_version"], how="left", maintain_order="left").join(
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
    ).drop("_tpl", "_colname", "_version")


def status_words(col: str, lang: str, words: dict[str, tuple[str, str]] | None = None) -> pl.Expr:
    index = 0 if lang == "zh" else 1
    mapping = {k: v[index] for k, v in (words or STATUS).items()}
    return pl.col(col).replace_strict(mapping, default=pl.col(col), return_dtype=pl.Utf8)


def masked(col: str, unmask: bool) -> pl.Expr:
    return pl.col(col) if unmask else mask_id_expr(pl.col(col))
