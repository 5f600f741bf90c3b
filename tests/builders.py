"""Small builders of the frames intake yields, so core tests state only what matters."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from stdnum.cn import ric

UNITS_SCHEMA = {
    "unit_code": pl.Utf8,
    "unit_name": pl.Utf8,
    "total_staff": pl.Int64,
    "effective_date": pl.Date,
    "contract_no": pl.Utf8,
    "individual_share_pct": pl.Float64,
    "total_payroll": pl.Float64,
    "contact": pl.Utf8,
    "phone": pl.Utf8,
    "received_date": pl.Date,
    "enrolment_kind": pl.Utf8,
    "_sheet": pl.Utf8,
    "_row": pl.Int64,
    "_bad_fields": pl.Utf8,
}
MEMBERS_SCHEMA = {
    "unit_code": pl.Utf8,
    "id_number": pl.Utf8,
    "name": pl.Utf8,
    "employment_type": pl.Utf8,
    "engagement_months": pl.Int64,
    "join_date": pl.Date,
    "_sheet": pl.Utf8,
    "_row": pl.Int64,
    "_bad_fields": pl.Utf8,
}


def make_id(n: int, region: str = "320706", birth: str = "19800101") -> str:
    """A valid 18-character id; `n` varies the sequence digits (0–999)."""
    body = f"{region}{birth}{n % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def units_frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    data = []
    for i, row in enumerate(rows):
        full = {key: None for key in UNITS_SCHEMA}
        full.update({"_sheet": "参保单位", "_row": i + 2})
        full.update(row)
        data.append(full)
    return pl.DataFrame(data, schema=UNITS_SCHEMA)


def members_frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    data = []
    for i, row in enumerate(rows):
        full = {key: None for key in MEMBERS_SCHEMA}
        full.update({"_sheet": "参保职工", "_row": i + 2, "employment_type": "formal"})
        full.update(row)
        data.append(full)
    return pl.DataFrame(data, schema=MEMBERS_SCHEMA)


def unit_with_members(
    code: str,
    total_staff: int,
    enrolled: int,
    effective: dt.date = dt.date(2026, 1, 1),
    first_id: int = 0,
    birth: str = "19800101",
    **unit: Any,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A unit row and `enrolled` formal members with distinct valid ids.

    The roster is received on its effective date unless `received_date` is given (D5), so
    that tests of other rules are not first enrolments backdated against the as-of day.
    """
    u = {
        "unit_code": code,
        "unit_name": f"单位{code}",
        "total_staff": total_staff,
        "effective_date": effective,
        "received_date": effective,
        **unit,
    }
    members = [
        {"unit_code": code, "id_number": make_id(first_id + i, birth=birth), "name": f"职工{i}"}
        for i in range(enrolled)
    ]
    return u, members
