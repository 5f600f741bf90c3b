"""The claims annotated copy: the clerk's own rows, each with its result and what to do.

Like the units' annotated copy (aidctl/reports/enrollment.py): the rows as the clerk wrote
them, in the same columns and on the same sheet, with the result, the amount, the reason
code and the sentence (the reason in words; for a pending or curable row, what to fix)
added at the right. The clerk corrects the pending rows in place and sends the file back
as it is (L137): the added columns are not claim fields and are ignored when it is read,
rows already decided come back ALREADY_DECIDED and pay nothing twice (L3, L14), corrected
rows are decided. It is the clerk's own data — full id numbers — so it is written
owner-only (0600) whatever the umask.
"""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl

from aidctl.plan.catalogue import Catalogue
from aidctl.reports.adjudication import with_sentences
from aidctl.reports.enrollment import sheet_of
from aidctl.reports.findings_text import status_words
from aidctl.reports.xlsx import Column, Sheet, write_report

OWNER_ONLY = 0o600

# The columns added at the right of the clerk's own, by key: (Chinese, English) header.
ADDED: dict[str, tuple[str, str]] = {
    "annot_status": ("审核结果", "Result"),
    "annot_amount": ("给付金额（元）", "Amount paid (yuan)"),
    "annot_code": ("原因代码", "Reason code"),
    "annot_reason": ("原因说明及处理", "Reason and what to do"),
}


def annotated_claims_frame(
    raw: pl.DataFrame, decisions: pl.DataFrame, catalogue: Catalogue, lang: str
) -> pl.DataFrame:
    """The clerk's rows (`raw`: the sheet as read, with `_row`) joined to their decisions."""
    results = with_sentences(decisions, catalogue, lang).select(
        pl.col("_row"),
        status_words("status", lang).alias("annot_status"),
        # an amount only where one is paid: a pending row's 0 would read as "nothing due"
        pl.when(pl.col("status") == "approved").then(pl.col("amount")).alias("annot_amount"),
        pl.col("reason_code").alias("annot_code"),
        pl.col("message").alias("annot_reason"),
    )
    data_cols = [c for c in raw.columns if not c.startswith("_")]
    frame = raw.join(results.unique("_row"), on="_row", how="left", maintain_order="left")
    # a real date cell reads as "2026-01-06 00:00:00": give the date back as the clerk typed it
    return frame.with_columns(
        pl.col(c).str.replace(r"^(\d{4}-\d{2}-\d{2}) 00:00:00$", "$1")
        for c in data_cols
        if frame.schema[c] == pl.Utf8
    )


def write_claims_annotated(
    path: Path,
    raw: pl.DataFrame,
    decisions: pl.DataFrame,
    catalogue: Catalogue,
    lang: str,
) -> Path:
    """Write the copy on a sheet named as the clerk's own, owner-only (0600)."""
    index = 0 if lang == "zh" else 1
    frame = annotated_claims_frame(raw, decisions, catalogue, lang)
    data_cols = [c for c in raw.columns if not c.startswith("_")]
    columns = [Column(key=c, header=c) for c in data_cols] + [
        Column(
            key=k,
            header=v[index],
            kind="int" if k == "annot_amount" else "text",
            width=60 if k == "annot_reason" else None,
        )
        for k, v in ADDED.items()
    ]
    sheet = sheet_of(decisions, "理赔申请")
    # the writer keeps the mode of the file it replaces: make that owner-only first, so the
    # rows are never readable by others, not even for a moment
    created = not path.exists()
    if created:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, OWNER_ONLY))
    else:
        os.chmod(path, OWNER_ONLY)
    try:
        write_report(path, [Sheet(name=sheet, frame=frame, columns=columns)], None)
    except BaseException:
        if created:  # no empty file left where the copy was to be
            path.unlink(missing_ok=True)
        raise
    os.chmod(path, OWNER_ONLY)
    return path
