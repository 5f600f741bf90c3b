"""The fund's spells read as columns (issue 12 item 5), on both back ends.

Why these tests: `fund_spells` no longer reads the spells row by row (SQLite joins each
column into one string that polars splits; PostgreSQL sends CSV by COPY). A clerk expects the
same members and member-days as before, so the fast read must give exactly the rows, values
and types the register holds — the window's edges included (a spell that ends the day before
the window is out, one that ends on its first day is in), and an empty window a frame with
the same columns and no rows.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import polars as pl
from cli_workbooks import claim, members, unit, write_claims_workbook
from cli_workbooks import write_units_workbook as write_cli_units
from workbooks import member_rows, unit_row, write_units_workbook

from aidctl import api, pipeline
from aidctl.plan.params import load_policy
from aidctl.register import Register
from aidctl.register.frames import FUND_DECISION_COLUMNS, FUND_SPELL_COLUMNS
from aidctl.register.sqlite import _columns

D = dt.date
START = D(2026, 1, 1)


def _enrolled(tmp_path: Path, db: str) -> None:
    book = write_units_workbook(
        tmp_path / "units.xlsx",
        [unit_row("U1", 3, START), unit_row("U2", 2, START)],
        [*member_rows("U1", 3), *member_rows("U2", 2, 10)],
    )
    api.enroll(book, db=db, as_of=START)


def _row_by_row(reg: Register) -> pl.DataFrame:
    """The spells as the register's row-wise read gives them, in the fund's columns."""
    ids = reg.fund_spells()["id_number"].to_list()
    return reg.spells_of_ids(ids).select(list(FUND_SPELL_COLUMNS)).sort("id_number", "contract_no")


def test_fund_spells_read_as_columns_match_the_rows_on_both_back_ends(tmp_path, register_location):
    """Issue 12 item 5: the column read gives the same spells, values and types as the rows,
    sorted by person and contract; the window keeps a spell on its edges and drops it a day
    beyond them (both sides)."""
    _enrolled(tmp_path, register_location)
    with Register.open(register_location, create=False) as reg:
        every = reg.fund_spells()
        assert dict(every.schema) == FUND_SPELL_COLUMNS
        assert every.height == 5
        assert every.equals(_row_by_row(reg))
        first, last = every["spell_start"].min(), every["term_end"].max()
        assert isinstance(first, dt.date) and isinstance(last, dt.date)
        assert reg.fund_spells(first, last).equals(every)
        assert reg.fund_spells(last, last).equals(every)  # ends on the window's first day
        assert reg.fund_spells(first, first).equals(every)  # starts on the window's last day
        after = reg.fund_spells(last + dt.timedelta(days=1), last + dt.timedelta(days=30))
        before = reg.fund_spells(first - dt.timedelta(days=30), first - dt.timedelta(days=1))
        for empty in (after, before):
            assert empty.is_empty()
            assert dict(empty.schema) == FUND_SPELL_COLUMNS


def test_sqlite_column_read_falls_back_to_rows_when_a_value_holds_the_separator() -> None:
    """Issue 12 item 5: should a value hold the separator after all, the column lengths
    disagree and the rows are read one by one — the same frame, never a shifted one."""
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (a TEXT NOT NULL, d TEXT NOT NULL, f INTEGER NOT NULL)")
    conn.executemany(
        "INSERT INTO t VALUES (?, ?, ?)", [("b\x1fx", "2026-01-02", 1), ("a", "2026-03-04", 0)]
    )
    schema = {"a": pl.Utf8, "d": pl.Date, "f": pl.Boolean}
    got = _columns(conn, "SELECT a, d, f FROM t", (), schema, order=("a",))
    assert got.to_dicts() == [
        {"a": "a", "d": D(2026, 3, 4), "f": False},
        {"a": "b\x1fx", "d": D(2026, 1, 2), "f": True},
    ]
    plain = _columns(conn, "SELECT a, d, f FROM t WHERE f = 0", (), schema, order=("a",))
    assert plain.to_dicts() == [{"a": "a", "d": D(2026, 3, 4), "f": False}]


def test_sqlite_column_read_keeps_nulls_and_empty_text_apart() -> None:
    """Issue 12 item 5 (fund_decisions: a decision without a disease code or event date): a
    NULL comes back null, an empty text stays empty, integers and 0/1 booleans keep their
    types, and the rows come sorted by the key given."""
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (k INTEGER, a TEXT, d TEXT, f INTEGER)")
    conn.executemany(
        "INSERT INTO t VALUES (?, ?, ?, ?)",
        [(2, None, None, 1), (1, "", "2026-12-31", None), (10, "x", "2026-01-01", 0)],
    )
    schema = {"k": pl.Int64, "a": pl.Utf8, "d": pl.Date, "f": pl.Boolean}
    got = _columns(conn, "SELECT k, a, d, f FROM t", (), schema, order=("k",))
    assert dict(got.schema) == schema
    assert got.to_dicts() == [
        {"k": 1, "a": "", "d": D(2026, 12, 31), "f": None},
        {"k": 2, "a": None, "d": None, "f": True},
        {"k": 10, "a": "x", "d": D(2026, 1, 1), "f": False},
    ]


def test_fund_decisions_read_as_columns_match_the_rows_on_both_back_ends(
    tmp_path, register_location
):
    """Issue 12 item 5: the decisions the fund sums, read as columns (SQLite group_concat,
    PostgreSQL COPY), equal the row read — an accident's missing disease code stays null, a
    void stays marked, the order is the decisions' own — and `since` keeps its day."""
    as_of = dt.date(2026, 11, 28)
    ctx = pipeline.Settings(db_path=register_location, as_of=as_of, lang="zh", policy=load_policy())  # type: ignore[arg-type]
    pipeline.enroll(ctx, write_cli_units(tmp_path / "u.xlsx", [unit("U1", 3)], members("U1", 0, 3)))
    rows = [
        claim("LP1", 0, 病种="C1-01", 确诊日期=dt.date(2026, 8, 1)),
        claim("LP2", 1, "意外身故", 事故日期=dt.date(2026, 9, 1), 死亡日期=dt.date(2026, 9, 5)),
        claim("LP3", 500, 病种="C1-01", 确诊日期=dt.date(2026, 8, 1)),
    ]
    pipeline.adjudicate(ctx, write_claims_workbook(tmp_path / "c.xlsx", rows))
    pipeline.void(ctx, "LP1", "材料有误")
    with Register.open(register_location, create=False) as reg:
        fast = reg.fund_decisions()
        rows_read = reg.fund_decisions(content=True).with_columns(
            pl.lit(None, pl.Utf8).alias("content")
        )
        assert dict(fast.schema) == FUND_DECISION_COLUMNS
        assert fast.height == 3
        assert fast.equals(rows_read)
        assert fast["disease_code"].null_count() >= 1
        assert fast.filter(pl.col("claim_id") == "LP1")["voided"].to_list() == [True]
        assert reg.fund_decisions(as_of).equals(fast)
        assert reg.fund_decisions(as_of + dt.timedelta(days=1)).is_empty()
