"""Open items in the register, on both back ends (issue 11 item 1, L130–L133).

Why: a pending claim is a clerk's unfinished work. The register must keep it until the
claim is decided or withdrawn — one open item per claim at a time (a re-sent row still
pending updates it, L131), closed rather than deleted, a closed item never rewritten — so
that `aidctl pending` lists every one and nothing disappears.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from aidctl.register import ITEM_COLUMNS, OPEN_ITEM_COLUMNS, Register

DAY = dt.date(2026, 3, 2)


def _pending(*rows: tuple[str, str, str]) -> pl.DataFrame:
    """Pending claims (claim_id, unit_code, reason_code) in ITEM_COLUMNS."""
    return pl.DataFrame(
        [
            {
                "claim_id": claim,
                "id_number": "320700199001010011",
                "name": "张三",
                "unit_code": unit,
                "claim_type": "critical_illness",
                "event_date": dt.date(2026, 2, 1),
                "disease_code": None,
                "disability_grade": None,
                "reason_code": reason,
                "clause": "R7",
                "detail": None,
            }
            for claim, unit, reason in rows
        ],
        schema=ITEM_COLUMNS,
    )


def _run(reg: Register, day: dt.date) -> str:
    return reg.start_run("adjudicate", day)


def test_l130_l131_an_item_opens_once_and_a_resent_pending_row_updates_it(
    register_location: str,
) -> None:
    """L130: a pending claim opens an item; L131: seen again pending, the same item is
    updated (its reason, last run, times seen), never a second one."""
    with Register.open(register_location) as reg, reg.transaction():
        first = _run(reg, DAY)
        assert reg.record_open_items(first, DAY, _pending(("C1", "U1", "MISSING_FIELD"))) == (
            1,
            0,
        )
        later = DAY + dt.timedelta(days=31)
        second = _run(reg, later)
        opened, updated = reg.record_open_items(
            second, later, _pending(("C1", "U1", "NEEDS_REVIEW"), ("C2", "U2", "MISSING_FIELD"))
        )
        assert (opened, updated) == (1, 1)
        items = reg.open_items()
    assert items.schema == pl.Schema(OPEN_ITEM_COLUMNS)
    assert items["claim_id"].to_list() == ["C1", "C2"]
    c1 = items.row(0, named=True)
    assert (c1["reason_code"], c1["opened_on"], c1["opened_run"]) == ("NEEDS_REVIEW", DAY, first)
    assert (c1["last_on"], c1["last_run"], c1["times_seen"]) == (later, second, 2)


def test_l132_l133_items_close_decided_or_withdrawn_and_are_kept(register_location: str) -> None:
    """L132: the run that decides a claim closes its item; L133: a withdrawal closes it with
    its reason. Closed items are kept (items_of_claim), never listed as open, and a claim
    pending again later opens a new item."""
    with Register.open(register_location) as reg, reg.transaction():
        run = _run(reg, DAY)
        reg.record_open_items(run, DAY, _pending(("C1", "U1", "X"), ("C2", "U1", "X")))
        assert reg.open_items(unit_code="U1").height == 2
        assert reg.open_items(unit_code="U9").height == 0
        assert reg.close_items(["C1"], run, DAY, "decided") == 1
        assert reg.close_items(["C2"], run, DAY, "withdrawn", "duplicate of C1") == 1
        assert reg.close_items(["C2"], run, DAY, "withdrawn", "again") == 0
        assert reg.open_items().height == 0
        closed = reg.items_of_claim("C2")
        assert [(i["closed_how"], i["closed_reason"]) for i in closed] == [
            ("withdrawn", "duplicate of C1")
        ]
        reg.record_open_items(run, DAY, _pending(("C2", "U1", "X")))
        assert len(reg.items_of_claim("C2")) == 2
        assert reg.open_items()["claim_id"].to_list() == ["C2"]


def test_l133_items_are_never_deleted_and_closed_ones_never_rewritten(
    register_location: str,
) -> None:
    """L133: the register itself refuses deleting an item or rewriting a closed one."""
    with Register.open(register_location) as reg:
        with reg.transaction():
            run = _run(reg, DAY)
            reg.record_open_items(run, DAY, _pending(("C1", "U1", "X")))
            reg.close_items(["C1"], run, DAY, "withdrawn", "sent twice")
        conn = reg.connection  # type: ignore[attr-defined]
        for sql in (
            "DELETE FROM open_items",
            "UPDATE open_items SET closed_reason = 'other'",
        ):
            with pytest.raises(Exception, match=r"never deleted|kept as it was closed"):
                conn.execute(sql)
