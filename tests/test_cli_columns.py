"""Terminal tables fit the window (issue 13), on the sample data's real outcomes.

A rich table wider than the terminal used to cut dates and amounts ("2027-…") and names
("连云 …"). Now dates, amounts and codes are whole or absent, names fold onto further lines,
and the least important columns (reasons, contacts) go first. Each table is rendered by the
command itself on a recording console 80 and 120 cells wide, and checked against the same
command's --json.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_workbooks import run_cli
from rich.cells import cell_len
from rich.console import Console

import aidctl.cli.render as render
from aidctl import api

SAMPLES = Path(__file__).resolve().parents[1] / "sample_data"
AS_OF = "2026-11-28"
WIDTHS = (80, 120)
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
SUMMARY = re.compile(r"^(?:单位 \d+ 个|本次新决定：|报告：)", re.M)


def _on_terminal(width: int, *args: Any) -> str:
    """The command's table as a terminal `width` cells wide shows it (stdout recorded)."""
    shown = render.out
    render.out = Console(
        file=io.StringIO(),
        record=True,
        width=width,
        force_terminal=True,
        highlight=False,
        soft_wrap=True,
    )
    try:
        result = run_cli(*args)
        assert result.exit_code in (0, 1), result.output
        text = render.out.export_text()
    finally:
        render.out = shown
    # the table and its caption; the summary lines after it (paths kept whole) are not
    return SUMMARY.split(text, maxsplit=1)[0]


def _json(*args: Any) -> Any:
    result = run_cli(*args, "--json")
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def shown(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Each table at each width, and the --json it was drawn from: units checked (the
    table validate-enrollment and enroll share), then enrolled; claims decided (dry run:
    the same decisions, nothing recorded); renewals due within 90 days."""
    tmp = tmp_path_factory.mktemp("columns")
    db = tmp / "reg.sqlite3"
    units = SAMPLES / "units.xlsx"
    claims = SAMPLES / "claims.xlsx"
    common = ["--db", db, "--as-of", AS_OF]
    check = ["validate-enrollment", units, *common, "--out", tmp / "v.xlsx"]
    check += ["--annotated", tmp / "a.xlsx"]
    found: dict[str, Any] = {"units": {}, "claims": {}, "renewals": {}}
    for width in WIDTHS:
        found["units"][width] = _on_terminal(width, *check)
    found["units_json"] = _json(*check)
    enrolled = run_cli(
        "enroll", units, *common, "--out", tmp / "e.xlsx", "--annotated", tmp / "b.xlsx"
    )
    assert enrolled.exit_code in (0, 1), enrolled.output
    decide = ["adjudicate", claims, *common, "--dry-run", "--out", tmp / "c.xlsx"]
    for width in WIDTHS:
        found["claims"][width] = _on_terminal(width, *decide)
    found["claims_json"] = _json(*decide)
    renew = ["renewals", "--due", "90d", *common, "--out", tmp / "r.xlsx"]
    for width in WIDTHS:
        found["renewals"][width] = _on_terminal(width, *renew)
    found["renewals_json"] = _json(*renew)
    yield found


def _whole(value: Any, text: str) -> bool:
    """`value` stands in the text as a whole token (not the middle of a longer number)."""
    return re.search(rf"(?<![\d-]){re.escape(str(value))}(?![\d-])", text) is not None


def _column(text: str, header: str) -> list[str]:
    """The cells of one column, each row's folded lines joined again: a row starts where
    the first column is not empty."""
    lines = text.splitlines()
    head = next(line for line in lines if line.startswith("┃") and header in line)
    index = [c.strip() for c in head.split("┃")].index(header)
    cells: list[str] = []
    for line in lines:
        if not line.startswith("│"):
            continue
        parts = [c.strip() for c in line.split("│")]
        if parts[1]:
            cells.append(parts[index])
        else:
            cells[-1] += parts[index]
    return cells


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", ["units", "claims", "renewals"])
def test_no_line_is_wider_than_the_terminal(shown: dict[str, Any], name: str, width: int) -> None:
    """Issue 13: the table is drawn within the window, counted in cells (a Chinese character
    takes two)."""
    text = shown[name][width]
    assert text.count("┃") > 0, text
    for line in text.splitlines():
        assert cell_len(line) <= width, line


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", ["units", "claims", "renewals"])
def test_nothing_is_cut_with_an_ellipsis(shown: dict[str, Any], name: str, width: int) -> None:
    """No "2027-…", no "连云 …": what does not fit folds or is left out, never cut."""
    assert "…" not in shown[name][width]


@pytest.mark.parametrize("width", WIDTHS)
def test_renewal_dates_and_amounts_are_whole(shown: dict[str, Any], width: int) -> None:
    """Issue 13 (A7.1, D5): every expiry and renew-by day, every amount due, in full."""
    text = shown["renewals"][width]
    due = shown["renewals_json"]["due"]
    assert due, "the sample data has units to renew within 90 days"
    for row in due:
        for day in (row["expiry_date"], row["renew_by"]):
            assert ISO_DATE.fullmatch(day)
            assert day in text, day
        assert _whole(row["contribution_due"], text), row
    assert _column(text, "单位名称") == [row["unit_name"] for row in due]


@pytest.mark.parametrize("width", WIDTHS)
def test_units_needing_action_keep_codes_names_and_amounts(
    shown: dict[str, Any], width: int
) -> None:
    """Issue 13 (A1, A4, L170): each unit that must act, its code, its whole name (folded)
    and its reasons in words (what the unit must do); the contribution is the first column
    to go when the window is narrow (the report has it), and is whole when shown."""
    text = shown["units"][width]
    acting = [u for u in shown["units_json"]["units"] if u["status"] != "compliant"]
    assert acting, "the sample data has units that must act"
    for unit in acting:
        assert unit["unit_code"] in text
        if width == 120:
            assert _whole(unit["contribution_total"], text), unit
    assert _column(text, "单位名称") == [u["unit_name"] for u in acting]
    reasons = _column(text, "原因")
    assert reasons == [api.reasons_text(u["reasons"], "zh") for u in acting]
    assert all(reasons), reasons
    if width == 80:
        assert "互助金" in text.splitlines()[-1]  # named in the caption as left out


@pytest.mark.parametrize("width", WIDTHS)
def test_claims_summary_amounts_are_whole(shown: dict[str, Any], width: int) -> None:
    """Issue 13 (L170): each (status, reason in words) line of the claims summary with its
    count and amount in full, as the --json decisions add up."""
    text = shown["claims"][width]
    sums: dict[tuple[str, str], list[int]] = {}
    for claim in shown["claims_json"]["claims"]:
        count_amount = sums.setdefault((claim["status"], claim["reason_code"]), [0, 0])
        count_amount[0] += 1
        count_amount[1] += claim["amount"]
    rows = {line for line in text.splitlines() if line.startswith("│")}
    for (_, reason), (count, amount) in sums.items():
        line = next(row for row in rows if f" {api.reason_word(reason, 'zh')} " in row)
        assert _whole(count, line) and _whole(amount, line), line


def test_the_least_important_column_goes_first() -> None:
    """The rule itself: free text (priority 1) is left out before an amount (priority 7);
    dates and amounts are never narrower than their longest cell."""
    cols = [
        render.Col("单位编码", "key", 9),
        render.Col("互助金", "amount", 7),
        render.Col("原因", "text", 1),
    ]
    cells = [["91320703MAE7B13Q3T", "11100", "REASON_A, REASON_B, REASON_C"]]
    assert render.fit(cols, cells, 80) == [0, 1, 2]
    # borders 4, code 18+2, amount 6+2 (its header is the longer), the text's floor 12+2
    assert render.fit(cols, cells, 46) == [0, 1, 2]
    assert render.fit(cols, cells, 45) == [0, 1]
    assert render.fit(cols, cells, 31) == [0, 1]
    assert render.fit(cols, cells, 30) == [0]
