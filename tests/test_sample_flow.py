"""The sample data end to end, against the expectations written when it was generated.

`sample_data/expected_claims.csv` holds, for every claim row, the status, amount and reason
code that rules.md and docs/decisions.md give, worked out by the generator from the
scenario it built — independently of the calculator. The order and as-of day are those of
`sample_data/EXPECTED.md` (and of `make demo`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from conftest import fresh_pg_database

from aidctl import pipeline
from aidctl.plan import load_policy

SAMPLES = Path(__file__).resolve().parents[1] / "sample_data"
AS_OF = dt.date(2026, 11, 28)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def flow(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, pl.DataFrame]]:
    """The whole sample flow on each register back end (issue 14): the same decisions."""
    with ExitStack() as stack:
        db: Any = tmp_path_factory.mktemp("flow") / "register.sqlite3"
        if request.param == "postgres":
            db = stack.enter_context(fresh_pg_database())
        yield _flow(db)


def _flow(db: Any) -> dict[str, pl.DataFrame]:
    ctx = pipeline.Settings(
        db_path=db,
        as_of=AS_OF,
        lang="zh",
        policy=load_policy(),
    )
    decided: dict[str, pl.DataFrame] = {}
    pipeline.enroll(ctx, SAMPLES / "units_2025.xlsx")
    decided["claims_2025.xlsx"] = pipeline.adjudicate(ctx, SAMPLES / "claims_2025.xlsx")[
        0
    ].decisions
    outcome, _ = pipeline.enroll(ctx, SAMPLES / "units.xlsx")
    decided["units"] = outcome.result.units
    decided["claims.xlsx"] = pipeline.adjudicate(ctx, SAMPLES / "claims.xlsx")[0].decisions
    return decided


@pytest.mark.parametrize("name", ["claims_2025.xlsx", "claims.xlsx"])
def test_every_sample_claim_is_decided_as_expected(
    flow: dict[str, pl.DataFrame], name: str
) -> None:
    expected = pl.read_csv(
        SAMPLES / "expected_claims.csv", schema_overrides={"row": pl.Int64}
    ).filter(pl.col("file") == name)
    got = flow[name].select(
        pl.col("_row").alias("row"), "claim_id", "status", "amount", "reason_code"
    )
    joined = expected.join(got, on="row", how="full", suffix="_got")
    wrong = joined.filter(
        (pl.col("claim_id") != pl.col("claim_id_got"))
        | (pl.col("status") != pl.col("status_got"))
        | (pl.col("amount") != pl.col("amount_got"))
        | (pl.col("reason_code") != pl.col("reason_code_got"))
        | pl.col("row").is_null()
        | pl.col("row_got").is_null()
    )
    assert wrong.height == 0, wrong.select(
        "row", "claim_id", "reason_code", "reason_code_got", "why"
    )
    assert expected.height == got.height


def test_sample_claims_cover_every_reason_code(flow: dict[str, pl.DataFrame]) -> None:
    from aidctl.core.reasons import REASONS

    seen = set(flow["claims.xlsx"]["reason_code"]) | set(flow["claims_2025.xlsx"]["reason_code"])
    assert set(REASONS) - seen == set()


def test_sample_units_fail_for_the_documented_reasons(flow: dict[str, pl.DataFrame]) -> None:
    units = flow["units"]
    failing = {
        r["unit_code"]: (r["status"], r["shortfall"])
        for r in units.iter_rows(named=True)
        if r["status"] != "compliant"
    }
    assert failing["91320706MAKW78QX8T"] == ("non_compliant", 1)  # 111/139 = 79.86% (A1.3)
    assert failing["91320722MAMLUQ2R4Q"] == ("non_compliant", 1)  # 28/29 (A1.4)
    assert failing["91320707MA37ME824L"][0] == "invalid"  # 22 enrolled for 20 staff (E2)
    assert failing["91320703MAE7B13Q3T"][0] == "invalid"  # total staff left blank
