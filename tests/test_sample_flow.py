"""The sample data end to end: the units and the reason codes of the sample world.

Every claim row's expected decision (status, amount, reason code, clauses) is scenario data
now — tests/scenarios/sample/*.toml, written by the generator from the scenario it built,
independently of the calculator, and run by tests/test_scenarios.py on the same world
(tests/scenario_world.py: the order and as-of day of `sample_data/EXPECTED.md` and of
`make demo`). What is left here is what those files do not say: the units that fail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import polars as pl
import pytest
import scenario_world
from conftest import fresh_pg_database

AS_OF = dt.date(2026, 11, 28)
WORLD = (
    "enroll sample_data/units_2025.xlsx",
    "adjudicate sample_data/claims_2025.xlsx",
    "enroll sample_data/units.xlsx",
    "adjudicate sample_data/claims.xlsx",
)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def flow(request: pytest.FixtureRequest) -> Iterator[dict[str, pl.DataFrame]]:
    """The whole sample flow on each register back end (issue 14): the same decisions."""
    with ExitStack() as stack:
        db: Any = None  # a SQLite file of the world's own
        if request.param == "postgres":
            db = stack.enter_context(fresh_pg_database())
        built = scenario_world.build(WORLD, AS_OF, db)
        yield {
            "claims_2025.xlsx": built["sample_data/claims_2025.xlsx"],
            "units": built["sample_data/units.xlsx"],
            "claims.xlsx": built["sample_data/claims.xlsx"],
        }


def test_sample_world_is_the_scenarios_world() -> None:
    """The world named here is the one the generated scenario files name (one build)."""
    import tomllib

    path = scenario_world.ROOT / "tests" / "scenarios" / "sample" / "full_benefit.toml"
    assert tuple(tomllib.loads(path.read_text(encoding="utf-8"))["world"]) == WORLD


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
