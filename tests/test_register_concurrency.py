"""Two clerks, one member, the same moment (issue 14; caps A5.5 and D8, "once" L60).

Each round, two real processes (multiprocessing, spawn) adjudicate two claims files for ONE
member, released together by a barrier. File A holds an accident disability of grade 1
(20,000), file B one of grade 2 (15,000); both hold the same grade-10 claim S (500). Together
they pass the A5.5 accident cap of 30,000. Whatever the order, the register must end with:
at most 30,000 paid to the member, claim S decided once (the other run sees
ALREADY_DECIDED), every claim decided by exactly one run, and both runs committed.

What a naive PostgreSQL register would do wrong: under READ COMMITTED each run reads the
member's history *before* the other has committed, sees nothing paid, and pays in full —
35,500 paid, S decided twice (or, with the unique key on live decisions, the second run
fails outright and its clerk's whole file is lost). Taking the lock after reading history
is no better: the history is already stale. `lock_members` (advisory locks on the members'
buckets, taken in sorted order at the start of the transaction, before `history_of_ids`)
makes the second run wait and then read the first run's decisions. SQLite serialises
writers with BEGIN IMMEDIATE. A variant without the lock is not asserted here: whether
both processes read before either commits depends on the scheduler of a loaded machine,
so "over-payment happens" cannot be made deterministic with real processes.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
from pathlib import Path
from typing import Any

from cli_workbooks import claim, ident, members, unit, write_claims_workbook, write_units_workbook

from aidctl import pipeline
from aidctl.plan.params import load_policy
from aidctl.register import Register

AS_OF = dt.date(2026, 11, 28)
ROUNDS = 3
CAP = 30_000  # A5.5, plan.toml: the accident cap per member and term


def _settings(location: str) -> pipeline.Settings:
    return pipeline.Settings(db_path=location, as_of=AS_OF, lang="zh", policy=load_policy())  # type: ignore[arg-type]


def _accident(claim_id: str, n: int, grade: int, day: dt.date) -> dict[str, Any]:
    """A disability after its own accident (claims of one accident day would be a regrade,
    pending)."""
    return claim(
        claim_id,
        n,
        "意外伤残",
        事故日期=day,
        伤残等级=f"{grade}级",
        治疗终结日期=dt.date(2026, 9, 1),
    )


def _clerk(location: str, books: list[str], barrier: Any) -> None:
    """One clerk: for each round, wait for the other, then adjudicate that round's file."""
    ctx = _settings(location)
    for book in books:
        barrier.wait(timeout=120)
        pipeline.adjudicate(ctx, Path(book))


def test_two_clerks_never_pay_past_the_a5_5_cap_nor_a_claim_twice(
    tmp_path: Path, register_location: str
) -> None:
    """L87: members are locked before their history is read, so the second run waits and
    reads the first run's decisions (see the module docstring)."""
    units = write_units_workbook(
        tmp_path / "u.xlsx", [unit("U1", ROUNDS)], members("U1", 0, ROUNDS)
    )
    pipeline.enroll(_settings(register_location), units)
    books: dict[str, list[str]] = {"A": [], "B": []}
    for r in range(ROUNDS):
        for side, grade, day in (("A", 1, dt.date(2026, 8, 1)), ("B", 2, dt.date(2026, 8, 10))):
            rows = [
                _accident(f"{side}{r}", r, grade, day),
                _accident(f"S{r}", r, 10, dt.date(2026, 7, 15)),
            ]
            books[side].append(str(write_claims_workbook(tmp_path / f"{side}{r}.xlsx", rows)))

    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(2)
    clerks = [ctx.Process(target=_clerk, args=(register_location, books[s], barrier)) for s in "AB"]
    for p in clerks:
        p.start()
    for p in clerks:
        p.join(timeout=600)
    assert [p.exitcode for p in clerks] == [0, 0]  # both runs committed: no decision lost

    with Register.open(register_location, create=False) as reg:
        runs = reg.runs(command="adjudicate")
        assert len(runs) == 2 * ROUNDS
        for r in range(ROUNDS):
            history = reg.history_of_ids([ident(r)], [])
            assert not history["voided"].any()
            # every claim decided, each exactly once (S by one run only)
            assert sorted(history["claim_id"].to_list()) == sorted([f"A{r}", f"B{r}", f"S{r}"])
            approved = history.filter(history["status"] == "approved")
            paid = int(approved["amount"].sum())
            assert paid <= CAP
            # the cap binds: 20,000 + 15,000 + 500 pass it, so exactly the cap is paid
            assert paid == CAP
            # one run saw the other's S decided: ALREADY_DECIDED, recorded by neither twice
            assert history["claim_id"].n_unique() == history.height
