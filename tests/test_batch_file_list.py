"""The batch's file list, `batch-RUN.xlsx` (L192), read back as a clerk reads it.

Every word a clerk sees is Chinese (English with --lang en): the kind of file, what became
of it and what to do, never a code (`units`, `needs_action`, `archived` …) or a Python
value; the SHA-256 column is one line wide on screen and left off the printed page, whose
columns fit one landscape page; every page's footer names the batch run.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from test_batch import PERIOD, UNITS, batch, units_book, workspace
from test_words_zh import offending

from aidctl.api.outcomes import BatchFile, BatchOutcome
from aidctl.api.reporting import (
    BATCH_KIND_WORDS,
    BATCH_OUTCOME_WORDS,
    SHA256_WIDTH,
    _print_without_digest,
    write_report,
)
from aidctl.core.messages import BATCH_FILE_NOTES
from aidctl.reports.xlsx import PAGE_WIDTH, Column, Sheet
from aidctl.reports.xlsx import write_report as write_workbook

SHA = "0123456789abcdef" * 4
RUN = "R20261128-0009"
# the codes a file's row carries in the register and the JSON, never on the sheet (L192)
CODES = set(BATCH_KIND_WORDS) | set(BATCH_OUTCOME_WORDS) | set(BATCH_FILE_NOTES)
PYTHON = {"None", "True", "False", "nan", "null"}


def outcome() -> BatchOutcome:
    """One file of every kind and outcome the batch gives."""
    files = [
        BatchFile(
            "名册.xlsx", "units", SHA, "done", "", "R1", {"units": 2, "compliant": 2, "amount": 0}
        ),
        BatchFile(
            "名册2.xlsx",
            "units",
            SHA,
            "needs_action",
            "",
            "R2",
            {"units": 3, "compliant": 3, "members_refused": 2},
        ),
        BatchFile(
            "理赔.xlsx",
            "claims",
            SHA,
            "done",
            "",
            "R3",
            {"approved": 5, "rejected": 1, "pending": 2, "amount": 123000},
        ),
        BatchFile("理赔2.xlsx", "claims", SHA, "already_processed", "archived"),
        BatchFile(
            "名册3.xlsx",
            "units",
            SHA,
            "needs_action",
            "recovered",
            "R0",
            {"units": 1, "compliant": 1, "members_refused": 1},
        ),
        BatchFile("坏.xlsx", "?", SHA, "rejected", "无法读取此文件，请另存为 .xlsx 后重新放入。"),
        BatchFile("链接.xlsx", "-", "", "rejected", "链接.xlsx 不是普通文件，未读取其内容。"),
    ]
    return BatchOutcome(period="2026-11", files=files, outbox=Path("."), run_id=RUN)


def written(tmp_path: Path, lang: str) -> Any:
    path = tmp_path / f"batch-{lang}.xlsx"
    assert write_report(outcome(), path, lang, as_of=dt.date(2026, 11, 28)) == [path]
    return openpyxl.load_workbook(path)


def rows(ws: Any) -> list[dict[str, Any]]:
    header, *body = ws.iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in body]


def test_the_file_list_in_zh_shows_words_not_codes_l192(tmp_path: Path) -> None:
    """L192: kind, outcome and message in Chinese; no code, key or Python value."""
    book = written(tmp_path, "zh")
    assert book.sheetnames == ["汇总", "文件"]
    shown = rows(book["文件"])
    assert [(r["类型"], r["结果"]) for r in shown] == [
        ("参保名册", "已完成"),
        ("参保名册", "需要处理"),
        ("理赔申请", "已完成"),
        ("理赔申请", "此前已处理"),
        ("参保名册", "需要处理"),
        ("—", "已退回"),
        ("—", "已退回"),
    ]
    for row in shown:
        for header in ("文件", "类型", "结果", "说明"):
            text = str(row[header] or "")
            assert text not in CODES and not offending(text), (header, text)
            assert not set(text.replace("（", " ").replace("）", " ").split()) & (CODES | PYTHON)
    messages = [r["说明"] for r in shown]
    assert messages[0] is None  # done: nothing to say
    assert messages[1] == BATCH_FILE_NOTES["members_refused"][0].replace("{count}", "2")
    assert messages[3] == BATCH_FILE_NOTES["archived"][0]
    # a file an interrupted run recorded, whose members were refused: both sentences
    assert messages[4] == (
        BATCH_FILE_NOTES["recovered"][0]
        + " "
        + BATCH_FILE_NOTES["members_refused"][0].replace("{count}", "1")
    )
    assert messages[5] == "无法读取此文件，请另存为 .xlsx 后重新放入。"  # the error, as it was
    assert [r["给付金额"] for r in shown] == [None, None, 123000, None, None, None, None]
    headers = [c.value for c in book["文件"][1]]
    assert [h for h in headers if not any("\u4e00" <= ch <= "\u9fff" for ch in h)] == ["SHA-256"]
    facts = {r[0]: r[1] for r in book["汇总"].iter_rows(values_only=True) if r and r[0]}
    assert facts["运行编号"] == RUN


def test_the_file_list_in_en_uses_the_english_words_l192(tmp_path: Path) -> None:
    book = written(tmp_path, "en")
    shown = rows(book["Files"])
    assert [(r["Kind"], r["Outcome"]) for r in shown] == [
        ("roster", "done"),
        ("roster", "needs action"),
        ("claims", "done"),
        ("claims", "processed before"),
        ("roster", "needs action"),
        ("—", "rejected"),
        ("—", "rejected"),
    ]
    assert shown[1]["Message"] == BATCH_FILE_NOTES["members_refused"][1].replace("{count}", "2")
    assert shown[3]["Message"] == BATCH_FILE_NOTES["archived"][1]
    assert shown[4]["Message"].startswith(BATCH_FILE_NOTES["recovered"][1])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_digest_is_one_line_and_off_the_printed_page_l192_l179(
    tmp_path: Path, lang: str
) -> None:
    """L192 (as L179 for the summaries): the SHA-256 column, last, is wide enough for its
    64 digits on one line, and the print area stops before it; the printed columns fit
    one landscape page, the footer names the run."""
    ws = written(tmp_path, lang).worksheets[1]
    last = get_column_letter(ws.max_column)
    assert ws[f"{last}1"].value == "SHA-256"
    assert ws.column_dimensions[last].width == SHA256_WIDTH >= len(SHA) + 2
    assert not any(ws[f"{last}{r}"].alignment.wrap_text for r in range(2, ws.max_row + 1))
    printed = get_column_letter(ws.max_column - 1)
    assert ws.print_area == f"'{ws.title}'!$A$1:${printed}${ws.max_row}"
    widths = [ws.column_dimensions[get_column_letter(i)].width for i in range(1, ws.max_column)]
    assert sum(widths) <= PAGE_WIDTH < sum(widths) + SHA256_WIDTH  # the digest alone would not fit
    assert ws.page_setup.fitToWidth == 1
    assert RUN in ws.oddFooter.right.text
    assert ws.print_options.gridLines  # still a data sheet (L184)


def test_printed_columns_wider_than_a_page_still_print_over_pages_l192_l179(
    tmp_path: Path,
) -> None:
    """Both sides of PAGE_WIDTH: without the last column the sheet fits one page (fit to
    1 wide); printed columns wider than a page print over 2, first columns repeated."""
    import polars as pl

    frame = pl.DataFrame({"a": ["x"], "b": ["y"], "c": ["z"], "d": [SHA]})

    def book(width: int) -> Any:
        path = tmp_path / f"w{width}.xlsx"
        cols = [Column(k, k.upper(), width=width) for k in "abc"]
        digest = Column("d", "SHA-256", width=SHA256_WIDTH)
        other = [*cols, Column("d", "D", width=SHA256_WIDTH)]
        write_workbook(path, [Sheet("s", frame, [*cols, digest]), Sheet("t", frame, other)])
        _print_without_digest(path)
        book = openpyxl.load_workbook(path)
        # a sheet whose last column is no digest prints as written
        assert (book["t"].print_area, book["t"].page_setup.fitToWidth) == ("", 2)
        return book["s"]

    fits = book(PAGE_WIDTH // 3)  # 3 × 63 = 189: one page (with the digest it needs two)
    assert (fits.print_area, fits.page_setup.fitToWidth) == ("'s'!$A$1:$C$2", 1)
    over = book(PAGE_WIDTH // 3 + 1)  # 3 × 64 = 192: two pages, A:B on each
    assert (over.print_area, over.page_setup.fitToWidth) == ("'s'!$A$1:$C$2", 2)
    assert over.print_title_cols == "$A:$B"


@pytest.mark.usefixtures("clerk_env")
def test_a_batch_run_in_zh_writes_its_file_list_in_words_l192(tmp_path: Path) -> None:
    """End to end: a roster with a refused member row (L142), a file that is no workbook,
    then the same roster again under another name: the lists say so in Chinese, no code."""
    ws = workspace(tmp_path / "ws", units=False, claims=False)
    roster = units_book(ws / "inbox" / UNITS, refused_member=True).read_bytes()
    (ws / "inbox" / "garbage.xlsx").write_bytes(b"not a workbook")
    assert batch(ws).exit_code == 1
    (ws / "inbox" / "again.xlsx").write_bytes(roster)  # the same roster sent again
    assert batch(ws).exit_code == 0
    outbox = ws / "outbox" / PERIOD
    lists = sorted(outbox.glob("batch-*.xlsx"), key=lambda p: p.stat().st_mtime_ns)
    first, second = (rows(openpyxl.load_workbook(p)["文件"]) for p in lists)
    assert {r["文件"]: (r["类型"], r["结果"]) for r in first} == {
        UNITS: ("参保名册", "需要处理"),
        "garbage.xlsx": ("—", "已退回"),
    }
    refused = next(r for r in first if r["文件"] == UNITS)
    assert refused["说明"].startswith("1 名人员未予登记")
    assert refused["给付金额"] is None  # a roster pays nothing: no 0元 on its row
    assert [(r["类型"], r["结果"], r["说明"]) for r in second] == [
        ("参保名册", "此前已处理", BATCH_FILE_NOTES["archived"][0])
    ]
    for row in first + second:
        for header in ("类型", "结果", "说明"):
            assert str(row[header]) not in CODES and not offending(str(row[header]))
