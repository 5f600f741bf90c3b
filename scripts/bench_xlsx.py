"""Time `aidctl.reports.xlsx.write_report` on a decisions-like sheet (not a test).

    .venv/bin/python scripts/bench_xlsx.py [--rows 100000] [--repeat 1] [--plain] [--no-fast]

The sheet has 11 columns shaped like the adjudication report: 6 text (ids, names, codes,
Chinese words), 1 date, 3 yuan amounts, 1 int. ``--plain`` writes every column as text or
int (no styled cells) to show what the styling costs; ``--no-fast`` turns off the row adapter
to show what it saves. Prints seconds and rows per second for each run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

import polars as pl

from aidctl.reports import xlsx
from aidctl.reports.xlsx import Column, Sheet, write_report


def make_frame(rows: int) -> pl.DataFrame:
    """Deterministic data with realistic widths and a mix of ASCII and Chinese text."""
    i = pl.int_range(0, rows, eager=True)
    start = dt.date(2024, 1, 1)
    return pl.DataFrame(
        {
            "claim_id": "LP" + i.cast(pl.Utf8).str.zfill(8),
            "id_number": "3207051980" + (i % 100_000_000).cast(pl.Utf8).str.zfill(8),
            "name": pl.Series(["张三丰", "李四", "欧阳小五"])[i % 3],
            "unit_code": "91320700MA" + (i % 9_999).cast(pl.Utf8).str.zfill(8),
            "claim_type": pl.Series(["重大疾病", "意外伤残", "意外身故"])[i % 3],
            "event_date": pl.Series([start + dt.timedelta(days=d) for d in range(1000)])[i % 1000],
            "status": pl.Series(["approved", "rejected", "pending"])[i % 3],
            "amount": (i * 37 % 100_000).cast(pl.Int64),
            "base_amount": (i * 11 % 50_000).cast(pl.Int64),
            "cap_room": (i * 13 % 80_000).cast(pl.Int64),
            "cover_day": (i % 400).cast(pl.Int64),
        }
    )


COLUMNS = [
    Column("claim_id", "理赔编号"),
    Column("id_number", "身份证号"),
    Column("name", "姓名"),
    Column("unit_code", "单位编码"),
    Column("claim_type", "申请类型"),
    Column("event_date", "出险日期", "date"),
    Column("status", "结果"),
    Column("amount", "给付金额", "yuan"),
    Column("base_amount", "基础金额", "yuan"),
    Column("cap_room", "剩余限额", "yuan"),
    Column("cover_day", "保障天数", "int"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--plain", action="store_true", help="no styled columns")
    parser.add_argument("--no-fast", action="store_true", help="without the row adapter")
    args = parser.parse_args()

    frame = make_frame(args.rows)
    columns = COLUMNS
    if args.plain:
        frame = frame.with_columns(pl.col("event_date").cast(pl.Utf8))
        columns = [
            Column(c.key, c.header, "int" if c.kind in ("yuan", "int") else "text") for c in COLUMNS
        ]
    xlsx._FAST_ROWS = not args.no_fast
    label = ("plain" if args.plain else "styled") + ("" if xlsx._FAST_ROWS else ", no adapter")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "bench.xlsx"
        for _ in range(args.repeat):
            began = time.perf_counter()
            write_report(out, [Sheet("明细", frame, columns)])
            seconds = time.perf_counter() - began
            print(
                f"{args.rows:,} rows x {len(columns)} columns ({label}): {seconds:.2f} s, "
                f"{args.rows / seconds:,.0f} rows/s, {out.stat().st_size / 1e6:.1f} MB"
            )


if __name__ == "__main__":
    main()
