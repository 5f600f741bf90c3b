"""The same work on both back ends gives the same answers (issue 14): enrol, adjudicate,
void, the month's payments and a run's kept frames, through the pipeline, on an SQLite file
and on a PostgreSQL database. Run ids and times differ; everything a clerk reads does not."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from cli_workbooks import claim, members, unit, write_claims_workbook, write_units_workbook
from conftest import fresh_pg_database

from aidctl import pipeline
from aidctl.plan.params import load_policy
from aidctl.register import Register

AS_OF = dt.date(2026, 11, 28)


def _settings(location: str) -> pipeline.Settings:
    return pipeline.Settings(db_path=location, as_of=AS_OF, lang="zh", policy=load_policy())  # type: ignore[arg-type]


def _work(tmp_path: Path, location: str) -> dict[str, Any]:
    ctx = _settings(location)
    units = write_units_workbook(
        tmp_path / "u.xlsx",
        [unit("U1", 3), unit("U2", 2)],
        members("U1", 0, 3) + members("U2", 10, 2),
    )
    enrolled, _ = pipeline.enroll(ctx, units)
    again, _ = pipeline.enroll(ctx, units)  # E5: nothing twice
    rows = [
        claim("LP1", 0, 病种="C1-01", 确诊日期=dt.date(2026, 8, 1)),
        claim(
            "LP2",
            1,
            "意外伤残",
            事故日期=dt.date(2026, 3, 1),
            伤残等级="5级",
            治疗终结日期=dt.date(2026, 6, 1),
        ),
        claim("LP3", 500, 病种="C1-01", 确诊日期=dt.date(2026, 8, 1)),
        claim("LP4", 2, "意外伤残", 事故日期=dt.date(2026, 3, 1), 伤残等级="5级"),
        claim("LP5", 10, "意外身故", 事故日期=dt.date(2026, 9, 1), 死亡日期=dt.date(2026, 9, 5)),
    ]
    book = write_claims_workbook(tmp_path / "c.xlsx", rows)
    decided, _ = pipeline.adjudicate(ctx, book)
    redo, _ = pipeline.adjudicate(ctx, book)  # ALREADY_DECIDED
    voided = pipeline.void(ctx, "LP2", "材料有误")
    paid = pipeline.payments(ctx, "2026-11")
    with Register.open(location, create=False) as reg:
        frames = reg.run_frames(decided.run_id or "")
        history = reg.history_of_ids(["X"], ["LP1", "LP2", "LP5"]).drop("decision_id")
        spells = reg.spells_of_ids([r["身份证号"] for r in rows]).sort("id_number")
        contracts = reg.all_contracts().drop("contract_no").sort("unit_code")
        spells_of, decisions_of = reg.member_record(rows[0]["身份证号"])
        runs = [(r["command"], r["as_of"], r["counts"]) for r in reg.runs()]
    keep = ["claim_id", "status", "amount", "reason_code", "clause"]
    return {
        "counts": (enrolled.result.units.height, again.run_id is not None),
        "decisions": decided.decisions.select(keep).sort("claim_id").rows(),
        "redo": redo.decisions.select(keep).sort("claim_id").rows(),
        "void": json.dumps(
            {k: v for k, v in voided.items() if "run" not in k},
            default=str,
            ensure_ascii=False,
            sort_keys=True,
        ),
        "payments": paid.drop("run_id").rows(),
        "frames": frames["decisions"].select(keep).sort("claim_id").rows(),
        "history": history.sort("claim_id", "voided").rows(),
        "spells": spells.drop("contract_no").rows(),
        "contracts": contracts.drop("policy_version").rows(),
        "member": (
            [{k: v for k, v in s.items() if k != "contract_no"} for s in spells_of],
            [
                {
                    k: v
                    for k, v in d.items()
                    if k not in ("decision_id", "run_id", "contract_no", "void_run")
                }
                for d in decisions_of
            ],
        ),
        "runs": [r[:2] for r in runs],
    }


def test_sqlite_and_postgres_give_the_same_decisions_and_records(tmp_path: Path) -> None:
    with fresh_pg_database() as url:
        (tmp_path / "pg").mkdir()
        on_pg = _work(tmp_path / "pg", url)
    (tmp_path / "lite").mkdir()
    on_sqlite = _work(tmp_path / "lite", str(tmp_path / "lite" / "reg.sqlite3"))
    assert on_pg["decisions"]  # something was decided
    assert any(r[1] == "approved" for r in on_pg["decisions"])
    assert len(on_pg["payments"]) > 0
    for key in on_sqlite:
        assert on_pg[key] == on_sqlite[key], key
