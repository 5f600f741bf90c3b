"""The parameter version in force on a day, for every row of a frame at once (D9).

Enrolment (by a unit's effective date), renewals (by a term's start and the next term's)
and the claim calculator (by the covering contract's start) all ask the same question;
this module answers it once: a table with one row per dated version, joined to each row
by its date with an as-of join.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import polars as pl

from aidctl.plan.params import Policy

_EFFECTIVE = "_effective_from"


def version_table(
    policy: Policy, values: Mapping[str, pl.DataType | type[pl.DataType]], *, grades: bool = False
) -> pl.DataFrame:
    """One row per version: `policy_version`, its start, and the named values cast to the
    given types (with `grades`, also the A5.3 amounts of the grades, in the order of
    `grade_range(policy)`, as a list: plan.toml's table is the one source of the grades)."""
    rows = []
    for v in policy.versions:
        row: dict[str, object] = {"policy_version": v.id, _EFFECTIVE: v.effective_from}
        row.update({key: v.values[key] for key in values})
        if grades:
            first, last = grade_range(policy)
            row["grade_amounts"] = [v.disability[g] for g in range(first, last + 1)]
        rows.append(row)
    return (
        pl.DataFrame(rows)
        .with_columns(pl.col(key).cast(dtype) for key, dtype in values.items())
        .sort(_EFFECTIVE)
    )


def grade_range(policy: Policy) -> tuple[int, int]:
    """The lowest and highest disability grade of plan.toml's table (A5.3), the same in
    every version (the parameter file is refused otherwise)."""
    grades = sorted(policy.latest.disability)
    return grades[0], grades[-1]


def in_force(
    frame: pl.DataFrame, day: str, table: pl.DataFrame, *, first: dt.date, missing: dt.date
) -> pl.DataFrame:
    """`frame` with the values of the version in force on its column `day` (D9).

    A day before the first version takes the first version (`first`); a missing day takes
    the version of `missing`. With a single version there is nothing to search: its values
    are set on every row and the row order is kept (the as-of join sorts by day).
    """
    if table.height == 1:
        only = table.drop(_EFFECTIVE).row(0, named=True)
        return frame.with_columns(
            pl.lit(value, dtype=table.schema[key]).alias(key) for key, value in only.items()
        )
    keyed = frame.with_columns(
        pl.max_horizontal(pl.col(day).fill_null(missing), pl.lit(first)).alias("_version_day")
    )
    return (
        keyed.sort("_version_day")
        .join_asof(table, left_on="_version_day", right_on=_EFFECTIVE, strategy="backward")
        .drop("_version_day", _EFFECTIVE)
    )
