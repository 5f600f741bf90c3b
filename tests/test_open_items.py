"""The open-items lifecycle through the service layer, on both back ends (issue 11 item 1).

Why: after a year of the simulated association 71 of 185 pending claims were still open
and nobody could find them. A pending claim must stay on `aidctl pending` — with its
reason, what to fix and its age — until a re-sent row decides it or a clerk withdraws it;
`explain` must show it (it used to say "no such claim").
"""

from __future__ import annotations

from pathlib import Path

import pytest
from items_helpers import adjudicate, decided, enrol, month_claims

from aidctl import api
from aidctl.errors import InputError


def test_l130_l131_l132_l133_pending_claims_stay_open_until_decided_or_withdrawn(
    tmp_path: Path, register_location: str
) -> None:
    """L130 open → L131 re-sent still pending updates the same item → L132 decided closes
    it in the run that decides it → L133 withdrawn closes it, kept with its reason."""
    db = register_location
    enrol(tmp_path, db)
    first = adjudicate(tmp_path, db, month_claims(), "2026-06-01", "june")
    assert decided(first)["LP2"] == ("pending", "UNRECOGNISED_DISEASE")
    assert first.items == {"items_opened": 3, "items_updated": 0, "items_closed": 0}

    june = api.pending(db=db, as_of="2026-07-01")
    assert june.frame["claim_id"].to_list() == ["LP2", "LP3", "LP4"]
    lp2 = june.frame.row(0, named=True)
    assert (lp2["age_days"], lp2["reason_code"], lp2["unit_code"]) == (
        30,
        "UNRECOGNISED_DISEASE",
        "U001",
    )
    assert "头疼" in lp2["what_to_fix"] and "重新提交" in lp2["what_to_fix"]
    assert lp2["opened_run"] == first.run_id

    # July: LP2 re-sent still unreadable, LP3 corrected; LP4 not sent
    claims = {c["claim_id"]: c for c in month_claims()}
    again = [
        {**claims["LP2"], "disease": "脑袋疼"},
        {**claims["LP3"], "name": "职工002"},
    ]
    second = adjudicate(tmp_path, db, again, "2026-07-01", "july")
    assert decided(second)["LP3"][0] == "approved"
    assert second.items == {"items_opened": 0, "items_updated": 1, "items_closed": 1}
    july = api.pending(db=db, as_of="2026-07-01")
    assert july.frame["claim_id"].to_list() == ["LP2", "LP4"]
    lp2 = july.frame.row(0, named=True)
    assert (lp2["times_seen"], lp2["last_run"], lp2["age_days"]) == (2, second.run_id, 30)
    assert "脑袋疼" in lp2["what_to_fix"]

    done = api.withdraw("LP4", "单位撤回申请", db=db, as_of="2026-07-02")
    assert done.withdrawn["reason_code"] == "UNRECOGNISED_DISEASE"
    assert api.pending(db=db, as_of="2026-07-02").frame["claim_id"].to_list() == ["LP2"]
    with pytest.raises(InputError, match="not pending"):
        api.withdraw("LP4", "again", db=db, as_of="2026-07-02")
    with pytest.raises(InputError, match="--reason"):
        api.withdraw("LP2", "  ", db=db, as_of="2026-07-02")

    # explain shows the open item, the closed ones and the decision that closed one
    shown = api.explain("LP2", db=db).to_json()
    assert [(r["record"], r["status"], r["times_seen"]) for r in shown] == [
        ("open_item", "pending", 2)
    ]
    assert shown[0]["id_number"].count("*") == 8  # masked unless --unmask
    lp4 = api.explain("LP4", db=db).to_json()
    assert [(r["status"], r["closed_how"], r["closed_reason"]) for r in lp4] == [
        ("closed", "withdrawn", "单位撤回申请")
    ]
    lp3 = api.explain("LP3", db=db).to_json()
    assert [r.get("record", "decision") for r in lp3] == ["decision", "open_item"]
    assert lp3[1]["closed_how"] == "decided" and lp3[1]["closed_run"] == second.run_id


def test_l136_older_than_and_unit_filter_the_worklist(
    tmp_path: Path, register_location: str
) -> None:
    """L136: --older-than keeps items open at least that long (30 days old is older than
    30d, 29 is not); --unit keeps one unit's."""
    db = register_location
    enrol(tmp_path, db)
    adjudicate(tmp_path, db, month_claims(), "2026-06-01", "june")
    assert api.pending(db=db, as_of="2026-07-01", older_than="30d").items.height == 3
    assert api.pending(db=db, as_of="2026-06-30", older_than="30d").items.height == 0
    assert api.pending(db=db, as_of="2026-06-30", older_than="4w").items.height == 3
    assert api.pending(db=db, as_of="2026-07-01", unit="U001").items.height == 3
    assert api.pending(db=db, as_of="2026-07-01", unit="U009").items.height == 0
    with pytest.raises(InputError, match="older-than"):
        api.pending(db=db, older_than="a month")


def test_l130_a_dry_run_and_a_row_without_claim_id_open_nothing(
    tmp_path: Path, register_location: str
) -> None:
    """L130: only a recorded run opens items, and only for rows that carry a claim id (a
    row without one cannot be found again; it stays in the report and annotated copy)."""
    db = register_location
    enrol(tmp_path, db)
    claims = month_claims()
    book = tmp_path / "dry.xlsx"
    from workbooks import write_claims_workbook

    write_claims_workbook(book, claims)
    api.adjudicate(book, db=db, as_of="2026-06-01", dry_run=True)
    assert api.pending(db=db, as_of="2026-06-01").items.height == 0
    nameless = [{**claims[1], "claim_id": None}]
    out = adjudicate(tmp_path, db, nameless, "2026-06-01", "noid")
    assert decided(out) == {None: ("pending", "MISSING_FIELD")}
    assert api.pending(db=db, as_of="2026-06-01").items.height == 0


def test_l132_decided_wins_over_a_duplicate_row_of_the_same_claim_id(
    tmp_path: Path, register_location: str
) -> None:
    """L132: one file, one claim id twice — the first row decided, the second pending
    DUPLICATE_CLAIM_ID: the claim id is decided, so no item stays open for it."""
    db = register_location
    enrol(tmp_path, db)
    lp1 = month_claims()[0]
    out = adjudicate(tmp_path, db, [lp1, {**lp1, "note": "sent twice"}], "2026-06-01", "dup")
    rows = out.decisions.select("status", "reason_code").rows()
    assert rows[0][0] == "approved" and rows[1] == ("pending", "DUPLICATE_CLAIM_ID")
    assert out.items["items_opened"] == 0
    assert api.pending(db=db, as_of="2026-06-01").items.height == 0
