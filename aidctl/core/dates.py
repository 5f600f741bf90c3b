"""Date arithmetic of the plan as polars expressions: terms (D3), day numbers (D2), one
month (D7) and the renewal grace (D5).

Kept in one place because each has a trap: 02-29 anniversaries, month ends, and the two
ways of counting the first day.
"""

from __future__ import annotations

import datetime as dt

import polars as pl


def term_end(start: pl.Expr, months: int) -> pl.Expr:
    """Last day of a term that starts on `start` and lasts `months` months (A2.1, D3).

    The term runs to the day before the start's anniversary. An anniversary that does not
    exist (02-29 in a common year) is the first day of the next month, so
    2024-02-29 → 2025-02-28 and 2025-07-01 → 2026-06-30.
    """
    clamped = start.dt.offset_by(f"{months}mo")
    rolled = clamped.dt.day() != start.dt.day()
    return pl.when(rolled).then(clamped).otherwise(clamped.dt.offset_by("-1d"))


def term_end_of(start: dt.date, months: int) -> dt.date:
    """`term_end` for one date (used by commands that show a single contract)."""
    frame = pl.DataFrame({"s": [start]}, schema={"s": pl.Date})
    value = frame.select(term_end(pl.col("s"), months)).item()
    assert isinstance(value, dt.date)
    return value


def day_number(event: pl.Expr, start: pl.Expr, start_day_counts: pl.Expr | bool) -> pl.Expr:
    """Day of cover of `event` for cover starting on `start` (D2).

    With the default reading the start day is day 1 ((E − S) + 1); with the Civil Code
    Art. 201 reading it is not counted (E − S).
    """
    days = (event - start).dt.total_days()
    counts = pl.lit(start_day_counts) if isinstance(start_day_counts, bool) else start_day_counts
    return days + pl.when(counts).then(1).otherwise(0)


def months_later(day: pl.Expr, months: pl.Expr | int) -> pl.Expr:
    """The same day `months` months later, clamped to the month's end (D7, Civil Code
    Art. 202: 01-31 → 02-28, or 02-29 in a leap year)."""
    if isinstance(months, int):
        return day.dt.offset_by(f"{months}mo")
    return day.dt.offset_by(pl.format("{}mo", months))
