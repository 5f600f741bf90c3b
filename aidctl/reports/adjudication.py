"""The adjudication workbook (Summary, Payments, Rejections, Pending) and the JSON document."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from aidctl.plan.catalogue import Catalogue
from aidctl.plan.params import Policy
from aidctl.reports.explain import explain
from aidctl.reports.findings_text import masked, status_words
from aidctl.reports.labels import CLAIM_FIELDS, CLAIM_TYPES, STATUS, header, word
from aidctl.reports.xlsx import ChartSpec, Column, Sheet, Summary, SummaryTable, write_report

_SHEETS = {
    "approved": ("支付明细", "Payments"),
    "rejected": ("拒付明细", "Rejections"),
    "pending": ("待处理", "Pending"),
    "already_decided": ("此前已处理", "Decided before"),
}
ALREADY = "ALREADY_DECIDED"


def _run_status() -> pl.Expr:
    """A decision's status as this run's report counts it (L173): a claim decided in an
    earlier run (ALREADY_DECIDED, nothing paid) is no new approval and has its own sheet."""
    return (
        pl.when(pl.col("reason_code") == ALREADY)
        .then(pl.lit("already_decided"))
        .otherwise(pl.col("status"))
    )


def with_sentences(
    decisions: pl.DataFrame, catalogue: Catalogue, lang: str, *, policy: Policy | None = None
) -> pl.DataFrame:
    """Add `message`: the sentence for each decision, with its figures — the plan's from the
    version of `policy` each decision names (`policy_version`)."""
    cols = [
        "reason_code",
        "amount",
        "cover_day",
        "base_amount",
        "cap_room",
        "pct",
        "disease_code",
        "claim_type",
        "disability_grade",
        "detail",
        *(["policy_version"] if "policy_version" in decisions.columns else []),
    ]
    sentences = [
        explain(d, catalogue, lang, policy=policy)
        for d in decisions.select(cols).iter_rows(named=True)
    ]
    return decisions.with_columns(pl.Series("message", sentences, dtype=pl.Utf8))


def _benefit(lang: str) -> pl.Expr:
    index = 0 if lang == "zh" else 1
    return pl.col("claim_type").replace_strict(
        {k: v[index] for k, v in CLAIM_TYPES.items()},
        default=pl.col("claim_type"),
        return_dtype=pl.Utf8,
    )


_CI, _DISABILITY, _DEATH = "critical_illness", "accident_disability", "accident_death"


def _missing_keys() -> pl.Expr:
    """MISSING_FIELD (L1): which required fields of the claim are empty, as field keys,
    read back from what the decision carries (L176). The event date of a critical illness
    is its diagnosis date, of an accident its accident date; a death claim whose other
    fields are all there lacks its death date. Blank when it cannot be told."""
    t = pl.col("claim_type")
    parts = [
        pl.when(pl.col("claim_id").is_null()).then(pl.lit("claim_id")),
        pl.when(pl.col("id_number").is_null()).then(pl.lit("id_number")),
        pl.when(pl.col("name").is_null()).then(pl.lit("name")),
        pl.when(t.is_null()).then(pl.lit("claim_type")),
        pl.when(
            (t == _CI) & pl.col("disease_code").is_null() & pl.col("_disease_text").is_null()
        ).then(pl.lit("disease,diagnosis_code")),
        pl.when((t == _CI) & pl.col("event_date").is_null()).then(pl.lit("diagnosis_date")),
        pl.when(t.is_in([_DISABILITY, _DEATH]) & pl.col("event_date").is_null()).then(
            pl.lit("accident_date")
        ),
        pl.when((t == _DISABILITY) & pl.col("disability_grade").is_null()).then(
            pl.lit("disability_grade")
        ),
    ]
    found = pl.concat_str(parts, separator=",", ignore_nulls=True).fill_null("")
    return pl.when((found == "") & (t == _DEATH)).then(pl.lit("death_date")).otherwise(found)


def _field_detail(lang: str) -> pl.Expr:
    """The `detail` of MISSING_FIELD and INVALID_VALUE claims as the template's headers
    (L176): "以下必填项为空：事故日期" names the cell to fill, not a key."""
    index = 0 if lang == "zh" else 1
    names = {k: v[index] for k, v in CLAIM_FIELDS.items()}
    sep = "、" if lang == "zh" else ", "
    fallback = "模板中标为必填的栏目" if lang == "zh" else "the columns the template marks required"
    # steps 7 and 8 (L16, L73): the dates of the row contradict each other
    before = (
        {_DEATH: "死亡日期（早于事故日期）", _DISABILITY: "治疗终结日期（早于事故日期）"}
        if lang == "zh"
        else {
            _DEATH: "death date (before the accident date)",
            _DISABILITY: "treatment end date (before the accident date)",
        }
    )
    unreadable = pl.col("claim_type").replace_strict(
        before, default=pl.lit(fallback), return_dtype=pl.Utf8
    )

    def worded(keys: pl.Expr, blank: str | pl.Expr) -> pl.Expr:
        words = (
            keys.fill_null("")
            .str.split(",")
            .list.eval(
                pl.element()
                .str.strip_chars()
                .filter(pl.element().str.strip_chars() != "")
                .replace_strict(names, default=pl.element(), return_dtype=pl.Utf8)
            )
            .list.join(sep)
        )
        return pl.when(words == "").then(blank).otherwise(words)

    code = pl.col("reason_code")
    return (
        pl.when(code == "MISSING_FIELD")
        .then(worded(_missing_keys(), pl.lit(fallback)))
        .when(code == "INVALID_VALUE")
        .then(worded(pl.col("detail"), unreadable))
        .otherwise(pl.col("detail"))
        .alias("detail")
    )


def report_frame(
    decisions: pl.DataFrame,
    claims: pl.DataFrame,
    catalogue: Catalogue,
    lang: str,
    unmask: bool,
    *,
    policy: Policy | None = None,
) -> pl.DataFrame:
    index = 0 if lang == "zh" else 1
    names = {d.code: (d.zh, d.en)[index] for d in catalogue.diseases}
    extra = claims.select(
        "_row",
        pl.col("disease").alias("_disease_text"),
        "note",
        # L181: the unit's name as the register held it; runs kept before it have none
        (pl.col("unit_name") if "unit_name" in claims.columns else pl.lit(None))
        .cast(pl.Utf8)
        .alias("unit_name"),
    )
    named = decisions.join(extra, on="_row", how="left").with_columns(_field_detail(lang))
    d = with_sentences(named, catalogue, lang, policy=policy)
    return d.with_columns(
        masked("id_number", unmask).alias("id_number"),
        _benefit(lang).alias("benefit"),
        pl.coalesce(
            pl.col("disease_code").replace_strict(names, default=None, return_dtype=pl.Utf8),
            pl.col("_disease_text"),
            pl.when(pl.col("disability_grade").is_not_null()).then(
                pl.format("伤残{}级" if lang == "zh" else "grade {}", pl.col("disability_grade"))
            ),
        ).alias("disease"),
        pl.col("message").alias("reason"),
    )


def write_adjudication_report(
    path: Path,
    frame: pl.DataFrame,
    facts: list[tuple[str, Any]],
    lang: str,
    title: str,
) -> Path:
    zh = lang == "zh"
    frame = frame.with_columns(_run_status().alias("status"))
    new = frame.filter(pl.col("status") != "already_decided")
    facts = [
        *facts,
        (
            "本次新决定" if zh else "New decisions",
            " ".join(
                f"{word(STATUS, s, lang)} {int((new['status'] == s).sum())}"
                for s in ("approved", "rejected", "pending")
            ),
        ),
        (
            "此前已处理（本次不再支付）" if zh else "Decided before (nothing paid again)",
            int((frame["status"] == "already_decided").sum()),
        ),
    ]
    columns = [
        Column("claim_id", header("claim_id", lang)),
        Column("name", header("name", lang)),
        Column("id_number", header("id_number", lang)),
        Column("unit_code", header("unit_code", lang)),
        Column("unit_name", header("unit_name", lang)),  # L181
        Column("benefit", header("benefit", lang)),
        Column("disease", header("disease", lang)),
        Column("event_date", header("event_date", lang), kind="date"),
        Column("cover_day", header("cover_day", lang), kind="int"),
        Column("amount", header("amount", lang), kind="yuan"),
        Column("reason_code", header("reason_code", lang)),
        Column("reason", header("reason", lang), width=60),
        Column("clause", header("clause", lang)),
        Column("contract_no", header("contract_no", lang)),
        Column("policy_version", header("policy_version", lang)),
        Column("note", header("note", lang)),
    ]
    by_type = (
        frame.group_by("benefit", "status")
        .agg(pl.len().alias("count"), pl.col("amount").sum().alias("amount"))
        .sort("benefit", "status")
        .with_columns(status_words("status", lang))
    )
    paid_by_type = (
        frame.filter(pl.col("status") == "approved")
        .group_by("benefit")
        .agg(pl.col("amount").sum().alias("amount"), pl.len().alias("count"))
        .sort("benefit")
    )
    if "unit_name" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, pl.Utf8).alias("unit_name"))
    by_unit = (
        frame.filter(pl.col("status") == "approved")
        .group_by("unit_code")
        .agg(
            # L185: the unit's name beside its code, as on the decision sheets (L181)
            pl.col("unit_name").drop_nulls().first().alias("unit_name"),
            pl.len().alias("count"),
            pl.col("amount").sum().alias("amount"),
        )
        # L69: ties in amount by unit code: the same run writes the same rows every time
        .sort(["amount", "unit_code"], descending=[True, False])
    )
    summary = Summary(
        name="汇总" if zh else "Summary",
        title=title,
        facts=facts,
        tables=[
            SummaryTable(
                title="按保障类型给付金额" if zh else "Paid by benefit type",
                frame=paid_by_type,
                columns=[
                    Column("benefit", header("benefit", lang)),
                    Column("count", header("count", lang), kind="int"),
                    Column("amount", header("amount", lang), kind="yuan"),
                ],
            ),
            SummaryTable(
                title="按保障类型和结果" if zh else "By benefit type and decision",
                frame=by_type,
                columns=[
                    Column("benefit", header("benefit", lang)),
                    Column("status", header("status", lang)),
                    Column("count", header("count", lang), kind="int"),
                    Column("amount", header("amount", lang), kind="yuan"),
                ],
            ),
            SummaryTable(
                title="各单位给付合计" if zh else "Paid per unit",
                frame=by_unit,
                columns=[
                    Column("unit_code", header("unit_code", lang)),
                    Column("unit_name", header("unit_name", lang)),  # L185
                    Column("count", header("count", lang), kind="int"),
                    Column("amount", header("amount", lang), kind="yuan"),
                ],
            ),
        ],
        chart=ChartSpec(
            title="各保障类型给付金额" if zh else "Amount paid by benefit type",
            table_index=0,
            category_key="benefit",
            value_key="amount",
            y_title="元" if zh else "yuan",
        ),
    )
    sheets = [
        Sheet(
            name=names[0 if zh else 1],
            frame=frame.filter(pl.col("status") == status),
            columns=columns,
        )
        for status, names in _SHEETS.items()
        # the sheet of claims decided before only when a file was sent again (L173)
        if status != "already_decided" or (frame["status"] == status).any()
    ]
    write_report(path, sheets, summary)
    return path
