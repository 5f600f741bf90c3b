"""Date arithmetic (D2, D3, D7) and id checks (E3) against their authorities."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from aidctl.core.dates import day_number, months_later, term_end_of
from aidctl.core.ids import id_problem


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (dt.date(2025, 7, 1), dt.date(2026, 6, 30)),
        (dt.date(2024, 2, 29), dt.date(2025, 2, 28)),
        (dt.date(2023, 3, 1), dt.date(2024, 2, 29)),
        (dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
    ],
)
def test_term_runs_to_the_day_before_the_anniversary_d3(start, end):
    assert term_end_of(start, 12) == end


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 12, 31)))
def test_term_is_one_year_less_a_day_d3(start):
    end = term_end_of(start, 12)
    try:
        anniversary = start.replace(year=start.year + 1)
    except ValueError:  # 02-29: the anniversary is 03-01
        anniversary = dt.date(start.year + 1, 3, 1)
    assert end == anniversary - dt.timedelta(days=1)


def _one(expr: pl.Expr, **cols) -> object:
    return pl.DataFrame({k: [v] for k, v in cols.items()}).select(expr).item()


@pytest.mark.parametrize(("offset", "day"), [(0, 1), (59, 60), (60, 61), (179, 180), (180, 181)])
def test_day_numbers_count_the_start_as_day_one_d2(offset, day):
    s = dt.date(2026, 1, 1)
    assert (
        _one(day_number(pl.col("e"), pl.col("s"), True), e=s + dt.timedelta(days=offset), s=s)
        == day
    )
    assert (
        _one(day_number(pl.col("e"), pl.col("s"), False), e=s + dt.timedelta(days=offset), s=s)
        == day - 1
    )


@pytest.mark.parametrize(
    ("accident", "deadline"),
    [
        (dt.date(2026, 1, 31), dt.date(2026, 2, 28)),
        (dt.date(2024, 1, 31), dt.date(2024, 2, 29)),
        (dt.date(2026, 3, 15), dt.date(2026, 4, 15)),
    ],
)
def test_one_month_is_the_same_day_next_month_clamped_d7(accident, deadline):
    assert _one(months_later(pl.col("a"), 1), a=accident) == deadline


def _stdnum_problem(number: str) -> str | None:
    """What stdnum says, leaving out the region check (E3: a warning only)."""
    try:
        n = ric.compact(number)
        if len(n) != 18:
            return "length"
        if not n[:-1].isdigit() or not (n[-1].isdigit() or n[-1] == "X"):
            return "format"
        if n[-1] != ric.calc_check_digit(n):
            return "checksum"
        ric.get_birth_date(n)
    except ValidationError:
        return "birth_date"
    return None


ids = st.one_of(
    st.text(alphabet="0123456789X", min_size=15, max_size=19),
    st.builds(
        lambda region, birth, seq: (lambda b: b + ric.calc_check_digit(b + "0"))(
            f"{region}{birth:%Y%m%d}{seq:03d}"
        ),
        st.sampled_from(["320706", "320705", "110101", "320722"]),
        st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 12, 31)),
        st.integers(0, 999),
    ),
    st.builds(
        lambda s: s[:6] + "19" + s[8:], st.text(alphabet="0123456789", min_size=18, max_size=18)
    ),
)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.lists(ids, min_size=1, max_size=30))
def test_vectorised_id_check_agrees_with_stdnum_e3(numbers):
    frame = pl.DataFrame({"id": numbers})
    ours = frame.select(id_problem("id", dt.date(2026, 11, 28)).alias("p"))["p"].to_list()
    for number, problem in zip(numbers, ours, strict=True):
        expected = _stdnum_problem(number)
        if expected is None and problem == "birth_date":
            continue  # we also refuse births before 1900 or after the as-of day
        assert problem == expected, number
