"""Voiding a decided claim, adjudicating again afterwards, and the finance export.

Why these tests: a void is the only way to take back a payment (fraud found later, a
clerk's mistake). It must append, never rewrite (the audit trail stays), and from then on
the caps must count as if the voided payment had never been made: the accident cap
(A5.5, D8) and the same-disease cap (A5.1, D8); a voided claim_id may be decided afresh
(L3). The finance office's monthly export must show the reversal as a negative row in the
month the void was made, so that each month adds up to what it moved.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from backends import both_backends, query
from typer.testing import CliRunner, Result
from workbooks import (
    death_claim,
    disability_claim,
    illness_claim,
    member_rows,
    unit_row,
    write_claims_workbook,
    write_units_workbook,
)

from aidctl.cli import app
from aidctl.register import Register as RegisterDb

# Unit U001, first-time contract 2026-01-01 .. 2026-12-31 (D3); members make_id(0..4).
TERM_START = dt.date(2026, 1, 1)
ACCIDENT = dt.date(2026, 3, 1)
TREATED = dt.date(2026, 5, 1)


class Register:
    """One register and the CLI run in-process against it."""

    def __init__(self, root: Path, db: Any = None) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.db = root / "register.sqlite3" if db is None else db  # a file, or a URL
        self.runner = CliRunner()
        self._files = 0

    def cli(self, *args: str) -> Result:
        return self.runner.invoke(app, [*args, "--db", str(self.db)])

    def enroll(self) -> None:
        book = write_units_workbook(
            self.root / "units.xlsx",
            [unit_row("U001", 5, TERM_START)],
            member_rows("U001", 5),
        )
        res = self.cli(
            "enroll", str(book), "--as-of", "2026-01-01", "--json",
            "--out", str(self.root / "enroll.xlsx"),
        )  # fmt: skip
        assert res.exit_code == 0, res.output

    def adjudicate(
        self, claims: Sequence[dict[str, Any]], as_of: str, *extra: str
    ) -> dict[str, Any]:
        self._files += 1
        book = write_claims_workbook(self.root / f"claims-{self._files}.xlsx", claims)
        res = self.cli(
            "adjudicate", str(book), "--as-of", as_of, "--json",
            "--out", str(self.root / f"decisions-{self._files}.xlsx"), *extra,
        )  # fmt: skip
        assert res.exit_code == 0, res.output
        return json.loads(res.stdout)

    def void(self, claim_id: str, reason: str, as_of: str) -> Result:
        return self.cli("void", claim_id, "--reason", reason, "--as-of", as_of, "--json")

    def payments(self, period: str) -> Result:
        return self.cli(
            "payments", "--period", period, "--json",
            "--out", str(self.root / f"payments-{period}.xlsx"),
        )  # fmt: skip

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        return query(self.db, sql, *params)

    def live(self) -> list[tuple[str, str, int, str]]:
        """Decisions not voided: (claim_id, status, amount, reason_code), by claim_id."""
        return self.query(
            "SELECT d.claim_id, d.status, d.amount, d.reason_code FROM decisions d "
            "LEFT JOIN voids v ON v.decision_id = d.decision_id "
            "WHERE v.decision_id IS NULL ORDER BY d.claim_id, d.decision_id"
        )


def decided(doc: dict[str, Any]) -> list[tuple[str, str, int, str]]:
    return [(c["claim_id"], c["status"], c["amount"], c["reason_code"]) for c in doc["claims"]]


def one_line(res: Result) -> str:
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    return lines[0]


pytestmark = pytest.mark.usefixtures("clerk_env")  # tests/conftest.py


@pytest.fixture(scope="module")
def enrolled_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A register with unit U001 enrolled, made once and copied for each test."""
    with pytest.MonkeyPatch.context() as mp:
        for var in ("AIDCTL_CONFIG", "AIDCTL_DB", "AIDCTL_POLICY", "AIDCTL_CRASH_AT"):
            mp.delenv(var, raising=False)
        mp.setenv("AIDCTL_QUIET", "1")
        r = Register(tmp_path_factory.mktemp("enrolled"))
        mp.chdir(r.root)
        r.enroll()
    assert not r.db.with_name(r.db.name + "-wal").exists()  # closed and checkpointed
    return r.db


def fresh(root: Path, enrolled_db: Path) -> Register:
    r = Register(root)
    shutil.copyfile(enrolled_db, r.db)
    return r


@pytest.fixture
def reg(tmp_path: Path, enrolled_db: Path, register_db: Any) -> Register:
    """A copy of the enrolled register; on PostgreSQL (@both_backends) a fresh database
    enrolled the same way."""
    if isinstance(register_db, Path):
        return fresh(tmp_path / "main", enrolled_db)
    r = Register(tmp_path / "main", register_db)
    r.enroll()
    return r


def accidents() -> list[dict[str, Any]]:
    """Member 0: disability grade 1 (20,000), then death (30,000, cut to 10,000 by A5.5)."""
    return [
        disability_claim("A1", 0, 1, ACCIDENT, TREATED),
        death_claim("A2", 0, dt.date(2026, 6, 1), dt.date(2026, 6, 5)),
    ]


# On PostgreSQL too (@both_backends): void, the caps after a void, a rerun and the monthly
# payments; the argument checks (no reason, unknown claim, bad period) stop before the register.


# --- void ------------------------------------------------------------------------------


@both_backends
def test_void_appends_a_reversal_and_keeps_the_decision(reg: Register) -> None:
    doc = reg.adjudicate(accidents(), "2026-10-15")
    assert decided(doc) == [
        ("A1", "approved", 20000, "DISABILITY_GRADE"),
        ("A2", "approved", 10000, "PARTIAL_CAP"),  # A5.5: 30,000 − 20,000 already paid
    ]
    res = reg.void("A1", "材料造假，追回", "2026-11-05")
    assert res.exit_code == 0, res.output
    done = json.loads(res.stdout)
    assert {k: done[k] for k in ("claim_id", "status", "amount", "reason_code")} == {
        "claim_id": "A1",
        "status": "approved",
        "amount": 20000,
        "reason_code": "DISABILITY_GRADE",
    }
    # nothing deleted or rewritten: the decision row is still there, as it was
    assert reg.query("SELECT claim_id, status, amount, run_id FROM decisions ORDER BY 1") == [
        ("A1", "approved", 20000, doc["run_id"]),
        ("A2", "approved", 10000, doc["run_id"]),
    ]
    assert reg.query(
        "SELECT d.claim_id, v.reason, v.run_id FROM voids v JOIN decisions d USING (decision_id)"
    ) == [("A1", "材料造假，追回", done["void_run"])]
    assert reg.query(
        "SELECT command, input_file, as_of FROM runs WHERE run_id = ?", done["void_run"]
    ) == [("void", "A1", "2026-11-05")]
    assert reg.live() == [("A2", "approved", 10000, "PARTIAL_CAP")]


@both_backends
def test_void_twice_exits_2_and_adds_nothing(reg: Register) -> None:
    reg.adjudicate(accidents(), "2026-10-15")
    assert reg.void("A1", "重复给付", "2026-11-05").exit_code == 0
    again = reg.void("A1", "重复给付", "2026-11-06")
    assert again.exit_code == 2
    assert again.stdout == ""
    assert "A1" in one_line(again)
    assert reg.query("SELECT count(*) FROM voids") == [(1,)]
    assert reg.query("SELECT count(*) FROM runs WHERE command = 'void'") == [(1,)]


@pytest.mark.parametrize("reason", ["", "   "])
def test_void_without_a_reason_exits_2(reg: Register, reason: str) -> None:
    reg.adjudicate(accidents(), "2026-10-15")
    res = reg.void("A1", reason, "2026-11-05")
    assert res.exit_code == 2
    assert "--reason" in one_line(res)
    assert reg.query("SELECT count(*) FROM voids") == [(0,)]
    assert reg.query("SELECT count(*) FROM runs WHERE command = 'void'") == [(0,)]


def test_void_of_an_unknown_claim_exits_2(reg: Register) -> None:
    reg.adjudicate(accidents(), "2026-10-15")
    res = reg.void("NOPE-1", "录入错误", "2026-11-05")
    assert res.exit_code == 2
    assert "NOPE-1" in one_line(res)
    assert reg.query("SELECT count(*) FROM voids") == [(0,)]


def test_void_without_a_register_exits_2_and_creates_none(tmp_path: Path) -> None:
    r = Register(tmp_path / "empty")
    res = r.void("A1", "录入错误", "2026-11-05")
    assert res.exit_code == 2
    one_line(res)
    assert not r.db.exists()


# --- adjudicating again after a void (L3, A5.5, A5.1) ----------------------------------


@both_backends
def test_a5_5_voided_disability_no_longer_counts_same_claim_id_again(
    reg: Register, tmp_path: Path, enrolled_db: Path
) -> None:
    reg.adjudicate(accidents(), "2026-10-15")
    assert reg.void("A1", "伤残鉴定撤销", "2026-11-05").exit_code == 0
    assert reg.void("A2", "按撤销后重新核定", "2026-11-05").exit_code == 0
    # L3: a voided claim_id is decided afresh; A5.5 no longer counts the voided 20,000
    doc = reg.adjudicate([accidents()[1]], "2026-11-20")
    assert decided(doc) == [("A2", "approved", 30000, "ACCIDENTAL_DEATH")]
    assert doc["totals"] == {"approved": 1, "rejected": 0, "pending": 0, "amount": 30000}
    # the same as if the disability had never been paid
    twin = fresh(tmp_path / "twin", enrolled_db)
    assert decided(twin.adjudicate([accidents()[1]], "2026-11-20")) == decided(doc)
    assert reg.live() == twin.live() == [("A2", "approved", 30000, "ACCIDENTAL_DEATH")]


def test_a5_5_voided_disability_no_longer_counts_new_claim_id(reg: Register) -> None:
    reg.adjudicate(accidents(), "2026-10-15")
    assert reg.void("A1", "伤残鉴定撤销", "2026-11-05").exit_code == 0
    assert reg.void("A2", "重新申报", "2026-11-05").exit_code == 0
    death_again = death_claim("A3", 0, dt.date(2026, 6, 1), dt.date(2026, 6, 5))
    # L4: the voided A2 is no duplicate of A3
    doc = reg.adjudicate([death_again], "2026-11-20")
    assert decided(doc) == [("A3", "approved", 30000, "ACCIDENTAL_DEATH")]
    assert reg.live() == [("A3", "approved", 30000, "ACCIDENTAL_DEATH")]


@both_backends
def test_a5_5_only_the_voided_claim_is_decided_again_in_a_rerun(reg: Register) -> None:
    reg.adjudicate(accidents(), "2026-10-15")
    assert reg.void("A1", "金额核对", "2026-11-05").exit_code == 0
    doc = reg.adjudicate(accidents(), "2026-11-20")
    # A1 afresh: the live A2 (10,000) leaves 20,000 of the 30,000 cap; A2 pays nothing new
    assert decided(doc) == [
        ("A1", "approved", 20000, "DISABILITY_GRADE"),
        ("A2", "approved", 0, "ALREADY_DECIDED"),
    ]
    assert doc["totals"]["amount"] == 20000
    assert reg.live() == [
        ("A1", "approved", 20000, "DISABILITY_GRADE"),
        ("A2", "approved", 10000, "PARTIAL_CAP"),
    ]


def anaemia(claim_id: str, diagnosed: dt.date) -> dict[str, Any]:
    """Member 1, aplastic anaemia (C2-04, class 2: 5,000), fully covered from day 181 (D4)."""
    return illness_claim(claim_id, 1, "再生障碍性贫血", diagnosed)


@both_backends
def test_a5_1_same_disease_cap_counts_without_the_voided_payment(
    reg: Register, tmp_path: Path, enrolled_db: Path
) -> None:
    doc = reg.adjudicate(
        [
            anaemia("I1", dt.date(2026, 7, 1)),
            anaemia("I2", dt.date(2026, 7, 15)),
            anaemia("I3", dt.date(2026, 8, 1)),
            anaemia("I4", dt.date(2026, 8, 15)),
        ],
        "2026-10-15",
    )
    assert decided(doc) == [
        ("I1", "approved", 5000, "FULL_BENEFIT"),
        ("I2", "approved", 5000, "FULL_BENEFIT"),
        ("I3", "approved", 5000, "FULL_BENEFIT"),
        ("I4", "rejected", 0, "DISEASE_CAP_REACHED"),  # A5.1: 15,000 in this term
    ]
    assert reg.void("I2", "重复申报", "2026-11-05").exit_code == 0
    # 10,000 live: room for one more 5,000, then the cap again
    doc = reg.adjudicate(
        [anaemia("I5", dt.date(2026, 9, 1)), anaemia("I6", dt.date(2026, 9, 15))], "2026-11-20"
    )
    assert decided(doc) == [
        ("I5", "approved", 5000, "FULL_BENEFIT"),
        ("I6", "rejected", 0, "DISEASE_CAP_REACHED"),
    ]
    # the same as a register where I2 had never been paid
    twin = fresh(tmp_path / "twin", enrolled_db)
    twin.adjudicate(
        [
            anaemia("I1", dt.date(2026, 7, 1)),
            anaemia("I3", dt.date(2026, 8, 1)),
        ],
        "2026-10-15",
    )
    twin_doc = twin.adjudicate(
        [anaemia("I5", dt.date(2026, 9, 1)), anaemia("I6", dt.date(2026, 9, 15))], "2026-11-20"
    )
    assert decided(twin_doc) == decided(doc)
    paid = "SELECT sum(d.amount) FROM decisions d LEFT JOIN voids v USING (decision_id) WHERE v.decision_id IS NULL"
    assert reg.query(paid) == twin.query(paid) == [(15000,)]


def test_a5_1_voided_cap_rejection_is_decided_again(reg: Register) -> None:
    first = [
        anaemia("I1", dt.date(2026, 7, 1)),
        anaemia("I2", dt.date(2026, 7, 15)),
        anaemia("I3", dt.date(2026, 8, 1)),
        anaemia("I4", dt.date(2026, 8, 15)),
    ]
    reg.adjudicate(first, "2026-10-15")
    assert reg.void("I1", "误付", "2026-11-05").exit_code == 0
    assert reg.void("I4", "复核", "2026-11-05").exit_code == 0
    doc = reg.adjudicate([first[3]], "2026-11-20")
    # I2 + I3 = 10,000 live: I4 now fits under the 15,000 cap (A5.1)
    assert decided(doc) == [("I4", "approved", 5000, "FULL_BENEFIT")]


# --- payments --------------------------------------------------------------------------


@both_backends
def test_payments_by_month_with_the_reversal_in_the_voids_month(reg: Register) -> None:
    reg.adjudicate([*accidents(), anaemia("I1", dt.date(2026, 7, 1))], "2026-10-15")
    october = reg.payments("2026-10")
    assert october.exit_code == 0, october.output
    doc = json.loads(october.stdout)
    assert {k: doc[k] for k in ("period", "payments", "amount")} == {
        "period": "2026-10",
        "payments": 3,
        "amount": 35000,
    }
    assert Path(doc["report"]).exists()
    november = json.loads(reg.payments("2026-11").stdout)
    assert (november["payments"], november["amount"]) == (0, 0)

    assert reg.void("A2", "事故认定变更", "2026-11-05").exit_code == 0
    # A2 decided afresh on 2026-11-20: A1's 20,000 still counts, so again 10,000 (A5.5)
    again = reg.adjudicate([accidents()[1]], "2026-11-20")
    assert decided(again) == [("A2", "approved", 10000, "PARTIAL_CAP")]

    november = json.loads(reg.payments("2026-11").stdout)
    assert (november["payments"], november["amount"]) == (2, 0)  # −10,000 and +10,000
    october = json.loads(reg.payments("2026-10").stdout)
    assert (october["payments"], october["amount"]) == (3, 35000)  # October is not rewritten

    with RegisterDb.open(reg.db, create=False) as register:
        rows = register.payments_in_period("2026-11")
    got = rows.sort("as_of").select("kind", "claim_id", "as_of", "amount", "note")
    assert got.to_dicts() == [
        {
            "kind": "reversal",
            "claim_id": "A2",
            "as_of": dt.date(2026, 11, 5),
            "amount": -10000,
            "note": "事故认定变更",
        },
        {
            "kind": "payment",
            "claim_id": "A2",
            "as_of": dt.date(2026, 11, 20),
            "amount": 10000,
            "note": None,
        },
    ]


@both_backends
def test_payments_leave_out_rejections_and_already_decided(reg: Register) -> None:
    reg.adjudicate(accidents(), "2026-10-15")
    # a rerun of the same file in November pays nothing (L14)
    reg.adjudicate(accidents(), "2026-11-20")
    rejected = disability_claim("A9", 2, 11, ACCIDENT, TREATED)  # grade 11: rejected
    assert decided(reg.adjudicate([rejected], "2026-11-20")) == [
        ("A9", "rejected", 0, "GRADE_NOT_COVERED")
    ]
    november = json.loads(reg.payments("2026-11").stdout)
    assert (november["payments"], november["amount"]) == (0, 0)


@pytest.mark.parametrize("period", ["2026-13", "2026-00", "2026-1", "202611", "nov"])
def test_payments_bad_period_exits_2(reg: Register, period: str) -> None:
    res = reg.payments(period)
    assert res.exit_code == 2
    assert res.stdout == ""
    assert "--period" in one_line(res)
    assert not (reg.root / f"payments-{period}.xlsx").exists()
