"""The register's answers the batch counts money with (10.3), on both back ends.

Why: `batch status`, the batch summaries and the month summary read the money from the
register (Register.batch_files, Register.run_money), so both back ends must give the same
rows: per file, the batch run that committed it; per run, approved and rejected counts, the
amount approved and what of it was voided since.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from test_batch import TERM_START, claims_book, units_book

from aidctl import api
from aidctl.register import Register

AS_OF = dt.date(2026, 11, 28)


def test_batch_files_and_run_money_are_the_same_on_both_back_ends(
    register_location: str, tmp_path: Path
) -> None:
    assert TERM_START.year == 2026
    units = units_book(tmp_path / "units.xlsx")
    claims = claims_book(tmp_path / "claims.xlsx")

    def record(outcome: object, commit: api.Commit) -> None:
        commit.record_batch_file(
            "sha-claims", "claims.xlsx", "claims", "2026-11", getattr(outcome, "run_id", None),
            "done", {"batch_run": "B1"},
        )  # fmt: skip

    api.enroll(units, db=register_location, as_of=AS_OF)
    done = api.adjudicate(claims, db=register_location, as_of=AS_OF, before_commit=record)
    api.void("I2", "重复申请", db=register_location, as_of=AS_OF)
    with Register.open(register_location, create=False) as reg:
        files = reg.batch_files()
        money = reg.run_money()
    assert files.select("sha256", "name", "kind", "period", "run_id", "outcome").rows() == [
        ("sha-claims", "claims.xlsx", "claims", "2026-11", done.run_id, "done")
    ]
    assert money.select(
        "run_id", "command", "as_of", "approved", "rejected", "amount", "voided", "voided_amount"
    ).rows() == [(done.run_id, "adjudicate", AS_OF, 4, 1, 50000, 1, 5000)]
    ledger = api.batch_ledger(register_location)
    assert ledger.select("batch_run", "amount", "voided_amount").rows() == [("B1", 50000, 5000)]
