"""Every command in zh on the sample data, read as a clerk reads it (issue 13).

The sample data is enrolled and decided as `make demo` does; then every command that shows
something is run in Chinese. Neither the terminal text nor any worded column of the reports
may show a reason code, a parameter key, an English field name or a Python value (None,
True, False, nan): the codes keep their own column in the reports and in the JSON.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from cli_workbooks import run_cli

from aidctl.core.messages import MESSAGES
from aidctl.reports.labels import CLAIM_FIELDS, CLAIM_TYPES, HEADERS, PARAMS, REASONS

SAMPLES = Path(__file__).resolve().parents[1] / "sample_data"
AS_OF = "2026-11-28"
PAID = "320706199712181500"  # the member of LP20260001 (an accidental death, paid)

CODES = set(MESSAGES) | set(REASONS)
KEYS = set(PARAMS) | set(CLAIM_FIELDS) | set(CLAIM_TYPES) | {k for k in HEADERS if "_" in k}
PYTHON = ("None", "True", "False", "nan")
# the worded columns of the reports (their code columns are 代码 / 原因代码)
WORDED = {"结果", "说明", "原因说明", "审核结果", "问题说明", "保障类型", "原因", "状态"}


def _words(text: str) -> set[str]:
    """The identifier-like words of a text (paths and numbers are not words)."""
    return set(re.findall(r"(?<![\w./\\-])[A-Za-z][A-Za-z0-9_]*(?![\w./\\-])", text))


def offending(text: str) -> list[str]:
    """What a clerk should never read in `text`: codes, keys, Python values."""
    words = _words(text)
    return sorted((words & CODES) | (words & KEYS) | (words & set(PYTHON)))


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Each command's output (stdout and stderr) and the reports it wrote."""
    tmp = tmp_path_factory.mktemp("words")
    db = tmp / "reg.sqlite3"
    common = ["--db", db, "--as-of", AS_OF, "--lang", "zh"]
    outputs: dict[str, str] = {}
    reports: list[Path] = []

    def run(name: str, *args: Any, codes: tuple[int, ...] = (0, 1)) -> str:
        result = run_cli(*args)
        assert result.exit_code in codes, (name, result.output, result.stderr)
        outputs[name] = result.stdout + result.stderr
        return result.stdout

    for step, (command, book) in enumerate(
        [
            ("enroll", "units_2025.xlsx"),
            ("adjudicate", "claims_2025.xlsx"),
            ("validate-enrollment", "units.xlsx"),
            ("enroll", "units.xlsx"),
            ("adjudicate", "claims.xlsx"),
        ]
    ):
        out = tmp / f"{step}.xlsx"
        run(f"{command} {book}", command, SAMPLES / book, *common, "--out", out)
        reports.append(out)
        if command != "adjudicate":
            reports.append(out.with_name(f"{step}.批注.xlsx"))
    run("explain paid", "explain", "LP20260001", *common)
    run("explain rejected", "explain", "LP20260009", *common)
    run("history", "history", PAID, *common)
    run("renewals", "renewals", "--due", "90d", *common, "--out", tmp / "renewals.xlsx")
    reports.append(tmp / "renewals.xlsx")
    run("void", "void", "LP20260001", "--reason", "材料有误", *common)
    run("explain voided", "explain", "LP20260001", *common)
    run("history voided", "history", PAID, *common)
    run("payments", "payments", "--period", "2026-11", *common, "--out", tmp / "pay.xlsx")
    reports.append(tmp / "pay.xlsx")
    run("runs", "runs", "--db", db, "--lang", "zh")
    runs = run("runs adjudicate", "runs", "--db", db, "--command", "adjudicate", "--limit", "1")
    run_id = re.search(r"\d{8}-\d{6}-[0-9a-f]+", runs)
    assert run_id is not None, runs
    run("report", "report", run_id.group(0), *common, "--out", tmp / "again.xlsx")
    run("policy show", "policy", "show", "--on", AS_OF, "--lang", "zh")
    run("policy diseases", "policy", "diseases", "--lang", "zh")
    run("policy check", "policy", "diseases", "--check", "脑中风", "--lang", "zh")
    run("register check", "register", "check", "--db", db, "--lang", "zh")
    yield {"outputs": outputs, "reports": [p for p in reports if p.exists()]}


def test_every_command_speaks_chinese(ran: dict[str, Any]) -> None:
    """L170, L171, L172: no reason code, parameter key, English field name or Python value in
    any command's terminal text in zh."""
    assert len(ran["outputs"]) >= 15
    found = {name: offending(text) for name, text in ran["outputs"].items()}
    assert {name: words for name, words in found.items() if words} == {}


def test_the_check_finds_what_it_looks_for() -> None:
    """The search itself: a code, a key, a Python value are found; paths and ids are not."""
    assert offending("原因 FULL_BENEFIT，min_ratio 0.8，总数 None") == [
        "FULL_BENEFIT",
        "None",
        "min_ratio",
    ]
    assert offending("报告：/tmp/x/claims_2025.decisions.xlsx LP20260001 A5.4") == []


def _worded_cells(path: Path) -> Iterator[tuple[str, str, str]]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        for ws in book.worksheets:
            rows = ws.iter_rows(values_only=True)
            header = next(rows, ())
            keep = [i for i, h in enumerate(header) if h in WORDED]
            for row in rows:
                for i in keep:
                    if i < len(row) and row[i] is not None:
                        yield ws.title, str(header[i]), str(row[i])
    finally:
        book.close()


def test_worded_columns_of_every_report_are_words(ran: dict[str, Any]) -> None:
    """L170: the reports' worded columns (status, reason, message) hold no code or key;
    the code stands in its own column."""
    assert len(ran["reports"]) >= 8
    bad = []
    for path in ran["reports"]:
        cells = list(_worded_cells(path))
        bad += [(path.name, *c) for c in cells if offending(c[2])]
    assert bad == []


def test_policy_show_names_parameters_in_words(ran: dict[str, Any]) -> None:
    """L171: 最低参保比例 80%, 生效当日计入保障期 是, amounts with 元; no key, no True."""
    text = ran["outputs"]["policy show"]
    assert re.search(r"最低参保比例\s+80%\s+A1\.3", text), text
    assert re.search(r"生效当日计入保障期\s+是\s+D2", text), text
    assert re.search(r"第一类病种给付\s+15000元\s+A5\.1", text), text


def test_adjudicate_counts_new_decisions_apart(ran: dict[str, Any]) -> None:
    """L173: a re-sent file's claims decided before are not counted as new approvals."""
    text = ran["outputs"]["adjudicate claims.xlsx"]
    assert re.search(r"本次新决定：给付 \d+ 件，拒付 \d+ 件，待处理 \d+ 件", text), text
    assert re.search(r"另有 \d+ 件此前已处理，本次不再支付，未计入上述件数。", text), text
    first = ran["outputs"]["adjudicate claims_2025.xlsx"]
    assert "此前已处理" not in first


def test_finance_payments_give_the_reason_in_words(ran: dict[str, Any]) -> None:
    """L170: the finance office's 支付明细 has the reason in words beside its code."""
    pay = next(p for p in ran["reports"] if p.name == "pay.xlsx")
    book = openpyxl.load_workbook(pay, read_only=True)
    try:
        rows = list(book["支付明细"].iter_rows(values_only=True))
    finally:
        book.close()
    header = list(rows[0])
    words, codes = header.index("原因"), header.index("原因代码")
    assert len(rows) > 1
    for row in rows[1:]:
        assert row[words] == REASONS[str(row[codes])][0]
