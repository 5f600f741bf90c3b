"""The claims annotated copy, corrected and sent back as it is (issue 11 item 2, L137).

Why: the Pending sheets masked ids and used other columns, so 15 of 15 re-sent sheets came
back MISSING_FIELD. The copy holds the clerk's own rows in the clerk's own columns with the
result and what to fix beside them; corrected in place and re-sent unchanged otherwise, it
must decide the corrected claims, pay nothing twice, and keep the rest on the worklist.
"""

from __future__ import annotations

import stat
from pathlib import Path

import openpyxl
from items_helpers import adjudicate, decided, edit_copy, enrol, month_claims
from workbooks import CLAIM_HEADERS

from aidctl import api


def _rows(path: Path) -> list[tuple[object, ...]]:
    wb = openpyxl.load_workbook(path)
    return [tuple(r) for r in wb.worksheets[0].iter_rows(values_only=True)]


def test_l137_the_copy_is_the_clerks_rows_with_result_and_what_to_fix(
    tmp_path: Path, register_location: str
) -> None:
    """L137: same sheet, same columns in the same order, full ids, dates as typed, then the
    result, the amount (approved rows only), the reason code and the sentence; 0600."""
    db = register_location
    enrol(tmp_path, db)
    out = adjudicate(tmp_path, db, month_claims(), "2026-06-01", "june")
    copy = out.annotated
    assert copy is not None and copy.name == "june.decisions.批注.xlsx"
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert openpyxl.load_workbook(copy).sheetnames == ["理赔申请"]
    head, *rows = _rows(copy)
    written = [h for h in head[:-4]]
    assert written == [h for h in written if h in CLAIM_HEADERS.values()]
    assert head[-4:] == ("审核结果", "给付金额（元）", "原因代码", "原因说明及处理")
    by_id = {r[0]: dict(zip(head, r, strict=True)) for r in rows}
    assert list(by_id) == ["LP1", "LP2", "LP3", "LP4", "LP5"]
    lp1, lp2, lp5 = by_id["LP1"], by_id["LP2"], by_id["LP5"]
    assert "*" not in str(lp1["身份证号"]) and len(str(lp1["身份证号"])) == 18
    assert lp1["确诊日期"] == "2026-05-01"
    assert (lp1["审核结果"], lp1["给付金额（元）"]) == ("给付", out.decisions["amount"][0])
    assert (lp2["审核结果"], lp2["给付金额（元）"], lp2["原因代码"]) == (
        "待处理",
        None,
        "UNRECOGNISED_DISEASE",
    )
    assert "头疼" in str(lp2["原因说明及处理"])
    assert "aidctl reopen" in str(lp5["原因说明及处理"])  # L135: says how


def test_l137_the_corrected_copy_sent_back_as_it_is_decides_its_claims(
    tmp_path: Path, register_location: str
) -> None:
    """L137: correct two pending rows in the copy, send the whole copy back: they are
    decided and their items close; decided rows are ALREADY_DECIDED (nothing paid twice);
    the row left alone stays pending on the same item."""
    db = register_location
    enrol(tmp_path, db)
    out = adjudicate(tmp_path, db, month_claims(), "2026-06-01", "june")
    assert out.annotated is not None
    edit_copy(out.annotated, "LP2", "病种", "C1-01")
    edit_copy(out.annotated, "LP3", "姓名", "职工002")
    back = api.adjudicate(out.annotated, db=db, as_of="2026-07-01")
    assert decided(back) == {
        "LP1": ("approved", "ALREADY_DECIDED"),
        "LP2": ("approved", "REDUCED_30"),
        "LP3": ("approved", "REDUCED_30"),
        "LP4": ("pending", "UNRECOGNISED_DISEASE"),
        "LP5": ("rejected", "ALREADY_DECIDED"),
    }
    assert int(back.decisions.filter(back.decisions["claim_id"] == "LP1")["amount"][0]) == 0
    assert back.items == {"items_opened": 0, "items_updated": 1, "items_closed": 2}
    left = api.pending(db=db, as_of="2026-07-01").frame
    assert left["claim_id"].to_list() == ["LP4"]
    assert left["times_seen"].to_list() == [2]


def test_l137_the_copy_in_english_and_for_a_dry_run(tmp_path: Path, register_location: str) -> None:
    """L137: `--lang en` names the added columns in English (file *.annotated.xlsx); a dry
    run writes its copy too, and records nothing."""
    db = register_location
    enrol(tmp_path, db)
    from workbooks import write_claims_workbook

    book = write_claims_workbook(tmp_path / "claims.xlsx", month_claims())
    out = api.adjudicate(book, db=db, as_of="2026-06-01", dry_run=True, lang="en")
    written = api.write_report(out, tmp_path / "dry.xlsx", lang="en")
    assert [p.name for p in written] == ["dry.xlsx", "dry.annotated.xlsx"]
    head, *_ = _rows(written[1])
    assert head[-4:] == ("Result", "Amount paid (yuan)", "Reason code", "Reason and what to do")
    assert api.pending(db=db, as_of="2026-06-01").items.height == 0
