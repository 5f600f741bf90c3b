"""Scenarios as data: every file tests/scenarios/**/*.toml is one case of the plan, run through
the real pipeline (aidctl.pipeline: enrol the rosters, then adjudicate the claims, on a fresh
SQLite register) and compared with the decisions it expects.

Why data and not Python: a scenario is what a clerk of the association can read and check
against the plan — a register, the claims, the decisions and the clauses they pin — in the
manner of OpenFisca's YAML tests. scripts/clauses.py reads the `clauses` key of each file
into the clause matrix (docs/clauses.md).

A file holds:

- `clauses = [...]` (the ids it pins: A…, D…, E…, L…, steps as `step3`) and `description`;
- `as_of`: the day of every command unless a block gives its own;
- `[[enrol]]` blocks, in order: `units` (unit_code, total_staff, effective_date; the unit's
  name, contact and phone, and `received_date` = effective_date, are filled in unless given)
  and `members` (unit_code and `member = n`, the n-th test person — id and name made for
  you — or an explicit id_number/name; employment_type 正式 unless given);
- `[[run]]` blocks, in order: the `claims` of one adjudication (`member = n` as above;
  `type` = illness / disability / death, or claim_type as written), its own `as_of` if any,
  and `expect`: one table per claim_id with `status`, `amount`, `reason_code` and
  `clause` — every id in the expected clause must be in the decision's clause (the
  decision may cite more); `row` (the Excel row, the header being row 1) picks one of two
  rows with the same claim_id, else the first row of that claim_id is meant; `why` (the
  reason in words) and `ordinary` (not built on purpose) are for the reader.

A file may instead name its register as a `world`: workbooks of the repository, each step
`"enroll PATH"` or `"adjudicate PATH"`, run in that order on one fresh register as of
`as_of` (tests/scenario_world.py builds each world once). It then has no `[[enrol]]`, and
each `[[run]]` names the adjudicated `file` whose decisions its `expect` lists, every entry
with its `row`. The sample year's expectations are such files: tests/scenarios/sample/, one
per reason code, written by scripts/make_sample_data.py (`make sample`; the world is
sample_data/ in the order of sample_data/EXPECTED.md). Together they expect every row of the
sample's claims files exactly once (test_sample_world_is_expected_row_by_row).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
import scenario_world
from conftest import fresh_pg_database

from aidctl import pipeline
from aidctl.plan import load_policy

SCENARIOS = Path(__file__).parent / "scenarios"
FILES = sorted(SCENARIOS.rglob("*.toml"))

TOP_KEYS = {"clauses", "description", "as_of", "enrol", "run", "world"}
EXPECT_KEYS = {"claim_id", "row", "status", "amount", "reason_code", "clause", "why", "ordinary"}
SAMPLE = SCENARIOS / "sample"  # the sample year's expectations (scripts/sample/scenario_files.py)


def load(path: Path) -> dict[str, Any]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    unknown = set(data) - TOP_KEYS
    assert not unknown, f"{path.name}: unknown keys {sorted(unknown)}"
    assert data.get("clauses"), f"{path.name}: `clauses` names what the scenario pins"
    assert str(data.get("description", "")).strip(), f"{path.name}: a description is required"
    assert data.get("run"), f"{path.name}: at least one [[run]] of claims"
    assert any(r.get("expect") for r in data["run"]), f"{path.name}: nothing is expected"
    for block in data["run"]:
        for e in block.get("expect", []):
            assert set(e) <= EXPECT_KEYS, (
                f"{path.name}: unknown keys {sorted(set(e) - EXPECT_KEYS)}"
            )
    if "world" in data:
        scenario_world.parse(data["world"])
        assert "enrol" not in data, f"{path.name}: a world is the register; no [[enrol]] beside it"
        for block in data["run"]:
            assert "claims" not in block, f"{path.name}: a world's run names its `file`"
            assert f"adjudicate {block.get('file')}" in data["world"], (
                f"{path.name}: run file {block.get('file')!r} is not adjudicated by the world"
            )
            assert all("row" in e for e in block.get("expect", [])), (
                f"{path.name}: every expectation of a world names its row"
            )
    return data


def compare(decisions: Any, expect: Sequence[Mapping[str, Any]]) -> list[tuple[str, str, Any, Any]]:
    """The differences (claim_id, field, expected, got) between decisions and expectations."""
    rows = sorted(decisions.iter_rows(named=True), key=lambda r: r["_row"])
    wrong: list[tuple[str, str, Any, Any]] = []
    for expected in expect:
        claim_id = expected["claim_id"]
        row = next(
            (
                r
                for r in rows
                if r["claim_id"] == claim_id and expected.get("row", r["_row"]) == r["_row"]
            ),
            None,
        )
        if row is None:
            wrong.append((claim_id, "claim", "decided", None))
            continue
        for key in ("status", "amount", "reason_code"):
            if key in expected and expected[key] != row[key]:
                wrong.append((claim_id, key, expected[key], row[key]))
        cited = set((row["clause"] or "").split(";"))
        missing = set(expected.get("clause", "").split(";")) - cited - {""}
        if missing:
            wrong.append((claim_id, "clause", expected["clause"], row["clause"]))
    return wrong


def run_scenario(
    data: Mapping[str, Any], tmp: Path, register: Any = None
) -> list[tuple[str, str, Any, Any]]:
    """Enrol, adjudicate, compare; returns the differences (claim_id, field, expected, got).
    The register is tmp/register.sqlite3, or the PostgreSQL database `register` names."""
    if "world" in data:
        built = scenario_world.build(tuple(data["world"]), data["as_of"], register)
        return [
            difference
            for block in data["run"]
            for difference in compare(built[block["file"]], block.get("expect", []))
        ]
    policy = load_policy()
    db = tmp / "register.sqlite3" if register is None else register

    def settings(block: Mapping[str, Any]) -> pipeline.Settings:
        return pipeline.Settings(
            db_path=db, as_of=block.get("as_of", data["as_of"]), lang="zh", policy=policy
        )

    for i, block in enumerate(data.get("enrol", [])):
        book = scenario_world.write_book(
            tmp / f"units-{i}.xlsx",
            {
                "参保单位": (
                    scenario_world.UNIT_HEADERS,
                    [scenario_world.unit_row(u) for u in block["units"]],
                ),
                "参保职工": (
                    scenario_world.MEMBER_HEADERS,
                    [
                        {"employment_type": "正式", **scenario_world.member_row(m)}
                        for m in block.get("members", [])
                    ],
                ),
            },
        )
        pipeline.enroll(settings(block), book)
    wrong: list[tuple[str, str, Any, Any]] = []
    for i, block in enumerate(data["run"]):
        book = scenario_world.write_book(
            tmp / f"claims-{i}.xlsx",
            {
                "理赔申请": (
                    scenario_world.CLAIM_HEADERS,
                    [scenario_world.claim_row(c) for c in block["claims"]],
                )
            },
        )
        decisions = pipeline.adjudicate(settings(block), book)[0].decisions
        wrong += compare(decisions, block.get("expect", []))
    return wrong


def test_there_are_enough_scenarios() -> None:
    """At least 40 scenario files, each well formed (clauses, description, expectations)."""
    assert len(FILES) >= 40
    for path in FILES:
        load(path)


def test_scenarios_cover_every_reason_code() -> None:
    """Every reason code of docs/rules.md is expected by some scenario."""
    from aidctl.core.reasons import REASONS

    seen = {
        e["reason_code"]
        for path in FILES
        for block in load(path)["run"]
        for e in block.get("expect", [])
    }
    assert set(REASONS) - seen == set()


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(SCENARIOS).as_posix())
def test_scenario(path: Path, tmp_path: Path) -> None:
    """The scenario's claims, decided by the real pipeline, get the decisions it expects."""
    data = load(path)
    wrong = run_scenario(data, tmp_path)
    assert not wrong, f"{data['description']}\n" + "\n".join(
        f"  {cid}: {key} expected {exp!r}, got {got!r}" for cid, key, exp, got in wrong
    )


def test_sample_world_is_expected_row_by_row() -> None:
    """The sample year's scenario files (tests/scenarios/sample/) expect every row of each
    claims file of their world exactly once, and nothing else: no claim of the sample goes
    unchecked (as expected_claims.csv did before them, 478 rows)."""
    files = sorted(SAMPLE.glob("*.toml"))
    assert len(files) >= 30  # one per reason code the sample decides (34 today)
    worlds = {tuple(load(p)["world"]) for p in files}
    assert len(worlds) == 1, "the sample scenarios share one world"
    data = [load(p) for p in files]
    world = worlds.pop()
    built = scenario_world.build(world, data[0]["as_of"])
    total = 0
    for command, name in scenario_world.parse(world):
        if command != "adjudicate":
            continue
        decisions = built[name]
        expected = [
            e["row"] for d in data for b in d["run"] if b["file"] == name for e in b["expect"]
        ]
        assert sorted(expected) == sorted(decisions["_row"].to_list()), name
        total += len(expected)
    assert total >= 478


# The scenarios that read what earlier runs recorded (history, caps across runs and terms,
# conflicts, renewals) also run on PostgreSQL (issue 14); the others decide within one file
# and would only repeat the calculator on a second back end.
POSTGRES_SCENARIOS = [
    "accident/a5_5_accident_cap_partial.toml",
    "illness/a5_1_class1_full_then_cap.toml",
    "illness/a5_2b_second_consolation.toml",
    "input/a5_3_regrade_after_rejection.toml",
    "input/l3_already_decided.toml",
    "input/l3_claim_conflict.toml",
    "input/l4_possible_duplicate_in_register.toml",
    "renewal/a5_2c_paid_in_earlier_term.toml",
    "renewal/d5_grace_20_21_days.toml",
    "renewal/d8_accident_cap_per_term.toml",
]


@pytest.mark.parametrize("name", POSTGRES_SCENARIOS)
def test_scenario_on_postgresql(name: str, tmp_path: Path) -> None:
    """The same decisions with the register on PostgreSQL as on SQLite (issue 14)."""
    data = load(SCENARIOS / name)
    with fresh_pg_database() as url:
        wrong = run_scenario(data, tmp_path, url)
    assert not wrong, f"{data['description']}\n" + "\n".join(
        f"  {cid}: {key} expected {exp!r}, got {got!r}" for cid, key, exp, got in wrong
    )
