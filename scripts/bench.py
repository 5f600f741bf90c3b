"""Benchmarks (`make bench`): not tests; they print seconds, peak memory and ratios.

1. validate-enrollment and enroll on 1,000,000 members in 20,000 units (xlsx), against the
   spreadsheet I/O floor: reading the input with calamine plus writing reports of the same
   size with openpyxl's write-only mode.
2. adjudicate 100,000 claims (xlsx) against that register of 1,000,000 members, against
   the floor of reading that input and writing a report of the same size.
3. The calculator alone on 1,000,000 claims, and the row-by-row reference on the same data.
4. `fund` over ten years of 25,000 members and 3,000 claims a year, and `simulate` of one
   such year (issue 12), on a register built through the `Register` object.

Each command runs in its own process (`python -m aidctl …`) so that its peak memory is its
own; its stage lines (`aidctl: read 4.1s (… peak memory … MB)`) are collected. Generated
inputs are kept in bench_out/ and reused. Usage: python scripts/bench.py [--members N]
[--claims N] [--calc N] [--skip-reference] [--backend sqlite|postgres|both]
[--only calculator --compare-calc CHECKOUT]

--backend postgres runs 1 and 2 against a PostgreSQL register in a throwaway cluster that
the bench starts itself (scripts/pg-throwaway: the server installed on the machine, a
private socket, stopped and removed at the end); `both` runs them on SQLite and then on
PostgreSQL and prints each PostgreSQL figure against the SQLite one (issue 14: ≤ 1.5×).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import polars as pl
from openpyxl import Workbook

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench_out"
AS_OF = "2026-11-28"
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "tests"))

STAGE = re.compile(r"aidctl: (\w+) ([\d.]+)s \(total ([\d.]+)s, peak memory (\d+) MB\)")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_command(args: list[str]) -> tuple[float, dict[str, tuple[float, int]], int]:
    """Run `python -m aidctl ARGS`; wall seconds, {stage: (seconds, peak MB)}, exit code."""
    env = {**os.environ, "AIDCTL_QUIET": "0"}
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "aidctl", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    wall = time.perf_counter() - start
    stages = {m.group(1): (float(m.group(2)), int(m.group(4))) for m in STAGE.finditer(proc.stderr)}
    if proc.returncode not in (0, 1):
        print(proc.stderr[-2000:])
    return wall, stages, proc.returncode


def floor_read(path: Path) -> float:
    start = time.perf_counter()
    pl.read_excel(path, sheet_id=0, engine="calamine")
    return time.perf_counter() - start


def floor_write(rows: int, columns: int, path: Path) -> float:
    """openpyxl write-only, plain values: what any report of that size costs at least."""
    row = ["320706198001010006", "张三", "U00001", "合格", 100, dt.date(2026, 1, 1)]
    row = (row * (columns // len(row) + 1))[:columns]
    start = time.perf_counter()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("s")
    for _ in range(rows):
        ws.append(row)
    wb.save(path)
    return time.perf_counter() - start


# --skip-floor: no floor measured (a back-end comparison needs only the wall times)
SKIP_FLOOR = False
# --skip-validate: enrol without validating first (validate-enrollment writes no register)
SKIP_VALIDATE = False
# wall seconds of each run, by back end: {"sqlite": {"enroll": 49.5, …}, "postgres": {…}}
WALLS: dict[str, dict[str, float]] = {}


def show(
    title: str,
    wall: float,
    stages: dict[str, tuple[float, int]],
    floor: float,
    backend: str = "sqlite",
    key: str = "",
) -> None:
    WALLS.setdefault(backend, {})[key or title] = wall
    title = f"{title} [{backend}]"
    print(f"\n{title}")
    for name, (secs, mb) in stages.items():
        print(f"  {name:<8} {secs:8.2f} s   peak {mb:6d} MB")
    print(
        f"  {'wall':<8} {wall:8.2f} s   floor {floor:.2f} s   ratio {wall / floor:.2f} (target ≤ 1.5)"
    )
    work = sum(s for n, (s, _) in stages.items() if n in ("check", "decide", "record"))
    peak = max((mb for _, mb in stages.values()), default=0)
    print(f"  checks/decisions + register: {work:.2f} s;  peak memory {peak} MB (target ≤ 2048)")


@contextmanager
def register_at(backend: str) -> Iterator[str]:
    """Where the bench's register lives: bench_out/bench.sqlite3 (kept for --only
    adjudication), or a database in a throwaway PostgreSQL cluster, removed afterwards."""
    if backend == "sqlite":
        yield str(OUT / "bench.sqlite3")
        return
    started = subprocess.run(
        [str(ROOT / "scripts" / "pg-throwaway"), "start"],
        capture_output=True,
        text=True,
        check=True,
    )
    found = dict(re.findall(r"export (AIDCTL_TEST_PG(?:_DIR)?)='([^']*)'", started.stdout))
    try:
        print(f"\nPostgreSQL: a throwaway cluster in {found['AIDCTL_TEST_PG_DIR']}")
        yield found["AIDCTL_TEST_PG"]
    finally:
        subprocess.run(
            [str(ROOT / "scripts" / "pg-throwaway"), "stop", found["AIDCTL_TEST_PG_DIR"]],
            check=False,
        )


def bench_enrolment(n_members: int, db: str | None = None, backend: str = "sqlite") -> Path:
    from sample.bench import make_bench_units

    units = OUT / f"units-{n_members}.xlsx"
    if not units.exists():
        t = time.perf_counter()
        make_bench_units(units, n_units=max(1, n_members // 50), n_members=n_members)
        print(f"generated {units.name} in {time.perf_counter() - t:.0f} s")
    if SKIP_FLOOR:
        floor = float("nan")
    else:
        read = floor_read(units)
        write = floor_write(n_members, 8, OUT / "floor-annotated.xlsx") + floor_write(
            max(1, n_members // 50), 18, OUT / "floor-units.xlsx"
        )
        floor = read + write
        print(f"\nenrolment floor: read {read:.2f} s + write {write:.2f} s = {floor:.2f} s")
    db = db or str(OUT / "bench.sqlite3")
    if backend == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    common = ["--db", db, "--as-of", AS_OF]
    if not SKIP_VALIDATE:
        wall, stages, _ = run_command(
            ["validate-enrollment", str(units), *common, "--out", str(OUT / "check.xlsx")]
        )
        show(
            f"validate-enrollment, {n_members:,} members", wall, stages, floor, backend, "validate"
        )
    wall, stages, _ = run_command(
        ["enroll", str(units), *common, "--out", str(OUT / "enroll.xlsx")]
    )
    show(f"enroll, {n_members:,} members", wall, stages, floor, backend, "enroll")
    return units


def bench_adjudication(
    units: Path, n_claims: int, db: str | None = None, backend: str = "sqlite"
) -> None:
    from sample.bench import make_bench_claims

    claims = OUT / f"claims-{n_claims}.xlsx"
    if not claims.exists():
        t = time.perf_counter()
        make_bench_claims(claims, units, n_claims=n_claims)
        print(f"generated {claims.name} in {time.perf_counter() - t:.0f} s")
    floor = (
        float("nan")
        if SKIP_FLOOR
        else floor_read(claims) + floor_write(n_claims, 15, OUT / "floor-decisions.xlsx")
    )
    db = db or str(OUT / "bench.sqlite3")
    wall, stages, _ = run_command(
        [
            "adjudicate",
            str(claims),
            "--db",
            db,
            "--as-of",
            AS_OF,
            "--dry-run",
            "--out",
            str(OUT / "decisions.xlsx"),
        ]
    )
    show(f"adjudicate --dry-run, {n_claims:,} claims", wall, stages, floor, backend, "dry-run")
    wall, stages, _ = run_command(
        [
            "adjudicate",
            str(claims),
            "--db",
            db,
            "--as-of",
            AS_OF,
            "--out",
            str(OUT / "decisions.xlsx"),
        ]
    )
    show(
        f"adjudicate, {n_claims:,} claims against the register",
        wall,
        stages,
        floor,
        backend,
        "adjudicate",
    )


def compare_backends() -> None:
    """Each PostgreSQL wall time against SQLite's for the same run (target ≤ 1.5×)."""
    sqlite, postgres = WALLS.get("sqlite", {}), WALLS.get("postgres", {})
    shared = [k for k in sqlite if k in postgres]
    if not shared:
        return
    print("\nPostgreSQL against SQLite (wall seconds; target ≤ 1.5×)")
    for key in shared:
        ratio = postgres[key] / sqlite[key]
        print(f"  {key:<12} {sqlite[key]:8.2f} s  {postgres[key]:8.2f} s   {ratio:.2f}×")


def synthetic_claims(n: int, seed: int = 5) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """n claims over n members with cover, every branch represented; frames as intake and
    the register give them."""
    from builders import make_id

    from aidctl.register import HISTORY_COLUMNS

    rng = random.Random(seed)
    start = dt.date(2026, 1, 1)
    ids = [
        make_id(i % 1000, region="320705", birth=f"19{50 + i // 1000 % 50:02d}0101")
        for i in range(n)
    ]
    ids = [f"{i // 50_000:02d}{x[2:]}" if i >= 50_000 else x for i, x in enumerate(ids)]
    spells = pl.DataFrame(
        {
            "id_number": ids,
            "name": ["张三"] * n,
            "unit_code": [f"U{i % 20_000:05d}" for i in range(n)],
            "contract_no": [f"K{i % 20_000:05d}" for i in range(n)],
            "first_time": [rng.random() < 0.3 for _ in range(n)],
        }
    ).with_columns(
        term_start=pl.lit(start),
        term_end=pl.lit(dt.date(2026, 12, 31)),
        spell_start=pl.lit(start),
        policy_version=pl.lit("2018-95"),
    )
    kinds = ["critical_illness"] * 6 + ["accident_disability"] * 3 + ["accident_death"]
    diseases = ["C1-01", "尿毒症", "C2-06", "再障", "阑尾炎", "原发性恶性肿痛", "原位癌", "C1-10"]
    who = [rng.randrange(n) for _ in range(n)]
    day = [start + dt.timedelta(days=rng.randrange(0, 330)) for _ in range(n)]
    claims = pl.DataFrame(
        {
            "claim_id": [f"C{i:07d}" for i in range(n)],
            "id_number": [ids[j] for j in who],
            "name": ["张三"] * n,
            "unit_code": [None] * n,
            "claim_type": [rng.choice(kinds) for _ in range(n)],
            "disease": [rng.choice(diseases) for _ in range(n)],
            "diagnosis_date": day,
            "accident_date": day,
            "disability_grade": [rng.randrange(0, 12) for _ in range(n)],
            "treatment_end_date": [d + dt.timedelta(days=rng.randrange(0, 90)) for d in day],
            "death_date": [d + dt.timedelta(days=rng.randrange(0, 40)) for d in day],
            "brave_act": [False] * n,
            "exclusion": [("drunkenness" if rng.random() < 0.01 else None) for _ in range(n)],
            "preexisting_undisclosed": [False] * n,
            "fraud": [rng.random() < 0.005 for _ in range(n)],
            "note": [None] * n,
            "content": ["x"] * n,
            "_sheet": ["s"] * n,
            "_row": list(range(2, n + 2)),
            "_bad_fields": [""] * n,
        },
        schema_overrides={"unit_code": pl.Utf8, "note": pl.Utf8, "exclusion": pl.Utf8},
    )
    return claims, spells, pl.DataFrame(schema=HISTORY_COLUMNS)


def bench_calculator(n: int, reference: bool) -> None:
    from aidctl.core.claims import decide_claims
    from aidctl.plan import load_policy

    policy = load_policy()
    as_of = dt.date.fromisoformat(AS_OF)
    claims, spells, history = synthetic_claims(n)
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        decisions = decide_claims(claims, spells, history, policy, as_of)
        best = min(best, time.perf_counter() - t)
    print(
        f"\ncalculator, {n:,} claims: best of 3 {best:.2f} s (target ≤ 2 s); peak {peak_mb():.0f} MB"
    )
    if not reference:
        return
    from reference_claims import reference_decide

    t = time.perf_counter()
    ref = reference_decide(claims.to_dicts(), spells.to_dicts(), history.to_dicts(), policy, as_of)
    slow = time.perf_counter() - t
    agree = sum(
        (r["status"], r["amount"], r["reason_code"]) == (d["status"], d["amount"], d["reason_code"])
        for r, d in zip(ref, decisions.iter_rows(named=True), strict=True)
    )
    print(
        f"reference (row by row), same data: {slow:.2f} s — the calculator is {slow / best:.0f}× faster; "
        f"{agree:,} of {n:,} decisions agree"
    )


# ---- 4. the fund (issue 12): `fund` over ten years, `simulate` of one year


FUND_YEARS = tuple(range(2017, 2027))
FUND_REGIONS = ("320706", "320703", "320707", "320722", "320723", "320724")


def build_fund_register(db: Path, members: int, claims_a_year: int, seed: int = 12) -> None:
    """Ten years of a plan straight into a register through the `Register` object: units
    renewing every 1 January, a few additions a year, the year's claims decided by the
    calculator and recorded in monthly runs, 1% of payments voided the month after, one
    receipt per unit a year. Only the register's input is synthetic; every figure `fund`
    and `simulate` print is computed by the tool."""
    from stdnum.cn import uscc

    from aidctl.core.claims import decide_claims
    from aidctl.intake.claims import content_expr
    from aidctl.plan import load_policy
    from aidctl.register import HISTORY_COLUMNS, Register

    policy = load_policy()
    per_unit = 50
    n_units = members // per_unit
    codes = []
    for u in range(n_units):
        body = f"91{FUND_REGIONS[u % len(FUND_REGIONS)]}{u:09d}"
        codes.append(body + uscc.calc_check_digit(body))
    claims_all, _spells, _history = synthetic_claims(claims_a_year * len(FUND_YEARS), seed)
    people = _spells["id_number"].to_list()[:members]
    if len(people) < members:
        raise SystemExit("synthetic_claims gave too few people")
    history = pl.DataFrame(schema=HISTORY_COLUMNS)
    with Register.open(db) as reg:
        for k, year in enumerate(FUND_YEARS):
            start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
            with reg.transaction():
                run = reg.start_run("enroll", start)
                contracts = pl.DataFrame(
                    {
                        "unit_code": codes,
                        "unit_name": [f"单位{u}" for u in range(n_units)],
                        "contract_no": [f"{c}-{year}" for c in codes],
                        "term_start": [start] * n_units,
                        "term_end": [end] * n_units,
                        "first_time": [k == 0] * n_units,
                        "received_date": [start] * n_units,
                        "imported": [False] * n_units,
                        "policy_version": ["2018-95"] * n_units,
                        "total_staff": [per_unit] * n_units,
                        "eligible": [per_unit] * n_units,
                        "contribution_total": [per_unit * 100] * n_units,
                        "unit_share": [per_unit * 80] * n_units,
                        "individual_share": [per_unit * 20] * n_units,
                        "contact": ["会计"] * n_units,
                        "phone": ["0518-0000000"] * n_units,
                    }
                )
                spells = pl.DataFrame(
                    {
                        "id_number": people,
                        "name": ["张三"] * members,
                        "unit_code": [codes[i // per_unit] for i in range(members)],
                        "contract_no": [f"{codes[i // per_unit]}-{year}" for i in range(members)],
                        "term_start": [start] * members,
                        "term_end": [end] * members,
                        "spell_start": [start] * members,
                        "first_time": [k == 0] * members,
                        "policy_version": ["2018-95"] * members,
                    }
                )
                reg.record_enrollment(run, contracts, spells)
                added = pl.DataFrame(
                    {
                        "contract_no": [f"{codes[u]}-{year}" for u in range(0, n_units, 5)],
                        "billed_on": [dt.date(year, 7, 1)] * len(range(0, n_units, 5)),
                        "members": [2] * len(range(0, n_units, 5)),
                        "amount": [200] * len(range(0, n_units, 5)),
                    }
                )
                reg.record_additions(run, added)
                reg.finish_run(run, {})
            year_claims = (
                claims_all.slice(k * claims_a_year, claims_a_year)
                .with_columns(
                    pl.col("diagnosis_date").dt.offset_by(f"{year - 2026}y"),
                    pl.col("accident_date").dt.offset_by(f"{year - 2026}y"),
                    pl.col("treatment_end_date").dt.offset_by(f"{year - 2026}y"),
                    pl.col("death_date").dt.offset_by(f"{year - 2026}y"),
                    pl.col("id_number").replace_strict(
                        {p: people[i % members] for i, p in enumerate(_spells["id_number"])},
                        default=pl.col("id_number"),
                    ),
                )
                .with_columns(pl.lit(None, pl.Utf8).alias("diagnosis_code"))
                .with_columns(content=content_expr())
            )
            decided = decide_claims(year_claims, spells, history, policy, end)
            final = decided.filter(
                pl.col("status").is_in(["approved", "rejected"])
                & (pl.col("reason_code") != "ALREADY_DECIDED")
            ).with_columns(_month=pl.col("event_date").dt.month().fill_null(12))
            for month in range(1, 13):
                part = final.filter(pl.col("_month") == month).drop("_month")
                as_of = (dt.date(year, month, 1) + dt.timedelta(days=31)).replace(day=1)
                as_of = min(as_of - dt.timedelta(days=1), end)
                with reg.transaction():
                    run = reg.start_run("adjudicate", as_of)
                    reg.record_decisions(run, part)
                    reg.save_run_frames(
                        run, {"decisions": decided.filter(pl.col("event_date").dt.month() == month)}
                    )
                    reg.finish_run(run, {})
            with reg.transaction():
                run = reg.start_run("contributions", end)
                reg.record_receipts(
                    run,
                    pl.DataFrame(
                        {
                            "reference": [f"R{year}-{u}" for u in range(n_units)],
                            "unit_code": codes,
                            "amount": [
                                per_unit * 100 - (100 if u % 7 == 0 else 0) for u in range(n_units)
                            ],
                            "received_on": [dt.date(year, 2, 1 + u % 27) for u in range(n_units)],
                        }
                    ),
                )
                reg.finish_run(run, {})
            history = reg.history_of_ids(people, [])
            live = reg.fund_decisions().filter(
                (pl.col("status") == "approved")
                & (pl.col("amount") > 0)
                & pl.col("run_as_of").is_between(pl.lit(start), pl.lit(end))
            )
            for row in live.head(max(1, live.height // 100)).iter_rows(named=True):
                with reg.transaction():
                    run = reg.start_run("void", row["run_as_of"] + dt.timedelta(days=30))
                    reg.record_void(row["decision_id"], run, "bench")
                    reg.finish_run(run, {})


def bench_fund(members: int, claims_a_year: int) -> None:
    from aidctl import api

    db = OUT / f"fund-{members}-{claims_a_year}.sqlite3"
    if not db.exists():
        t = time.perf_counter()
        build_fund_register(db, members, claims_a_year)
        print(f"\nfund register built in {time.perf_counter() - t:.1f} s: {db}")
    last = FUND_YEARS[-1]
    as_of = f"{last}-12-31"
    span = ("--from", f"{FUND_YEARS[0]}-01-01", "--to", f"{last}-12-31")
    for by in ("month", "district"):
        wall, _stages, code = run_command(
            ["fund", *span, "--by", by, "--db", str(db), "--as-of", as_of, "--json",
             "--out", str(OUT / f"fund-{by}.xlsx")]
        )  # fmt: skip
        print(f"fund, ten years, --by {by} (process, report included): {wall:.2f} s, exit {code}")
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        api.fund(db=db, as_of=as_of, start=f"{FUND_YEARS[0]}-01-01", end=as_of, by="month")
        best = min(best, time.perf_counter() - t)
    print(f"fund, ten years, in process (api.fund): best of 3 {best:.2f} s (target ≤ 2 s)")
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        api.fund(db=db, as_of=as_of, year=last, by="month")
        best = min(best, time.perf_counter() - t)
    print(f"fund --year {last} on the ten-year register, in process: best of 3 {best:.2f} s")
    wall, _stages, code = run_command(
        ["fund", "--year", str(last), "--by", "month", "--db", str(db), "--as-of", as_of,
         "--json", "--out", str(OUT / "fund-year.xlsx")]
    )  # fmt: skip
    print(f"fund --year {last} (process, report included): {wall:.2f} s, exit {code}")
    proposal = OUT / "proposal-class1-double.toml"
    text = (ROOT / "aidctl" / "plan" / "plan.toml").read_text(encoding="utf-8")
    proposal.write_text(
        text.replace("class1_amount = { value = 15000", "class1_amount = { value = 30000").replace(
            "same_disease_cap = { value = 15000", "same_disease_cap = { value = 30000"
        ),
        encoding="utf-8",
    )
    wall, _stages, code = run_command(
        ["simulate", "--policy", str(proposal), "--year", str(last), "--db", str(db),
         "--as-of", as_of, "--json", "--out", str(OUT / "simulate.xlsx")]
    )  # fmt: skip
    print(f"simulate, one year (process, report included): {wall:.2f} s, exit {code}")
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        out = api.simulate(proposal, db=db, as_of=as_of, year=last)
        best = min(best, time.perf_counter() - t)
    print(
        f"simulate, one year, in process (api.simulate): best of 3 {best:.2f} s (target ≤ 2 s); "
        f"{out.simulation.claims.height:,} claims, difference {out.simulation.difference:,} yuan; "
        f"peak {peak_mb():.0f} MB"
    )


# One process times one checkout's calculator on the inputs written by `compare_calculator`
# (PYTHONPATH picks the checkout; the register's history columns moved between releases).
_TIME_CALCULATOR = """
import datetime as dt, sys, time
import polars as pl
from aidctl.core.claims import decide_claims
from aidctl.plan import load_policy
try:
    from aidctl.register import HISTORY_COLUMNS
except ImportError:
    from aidctl.register.store import HISTORY_COLUMNS
claims, spells = pl.read_parquet(sys.argv[1]).rechunk(), pl.read_parquet(sys.argv[2]).rechunk()
policy, as_of = load_policy(), dt.date.fromisoformat(sys.argv[3])
best = float("inf")
for _ in range(int(sys.argv[4])):
    t = time.perf_counter()
    decide_claims(claims, spells, pl.DataFrame(schema=HISTORY_COLUMNS), policy, as_of)
    best = min(best, time.perf_counter() - t)
print(best)
"""


def compare_calculator(n: int, other: Path, rounds: int) -> None:
    """The calculator of this checkout against another's (e.g. a worktree of the previous
    release) on the same generated claims: runs alternate, each in its own process, so that
    a busy machine slows both alike; the best of each side and their ratio are printed."""
    claims, spells, _ = synthetic_claims(n)
    paths = [OUT / f"calc-claims-{n}.parquet", OUT / f"calc-spells-{n}.parquet"]
    claims.write_parquet(paths[0])
    spells.write_parquet(paths[1])
    best = {"this": float("inf"), "other": float("inf")}
    for _ in range(rounds):
        for side, tree in (("other", other.resolve()), ("this", ROOT)):
            proc = subprocess.run(
                [sys.executable, "-c", _TIME_CALCULATOR, *map(str, paths), AS_OF, "3"],
                capture_output=True,
                text=True,
                env={**os.environ, "PYTHONPATH": str(tree)},
                check=True,
            )
            best[side] = min(best[side], float(proc.stdout.split()[-1]))
            print(f"  {side:<5} {best[side]:.2f} s (best so far)")
    print(
        f"\ncalculator, {n:,} claims, best of {3 * rounds}: this {best['this']:.2f} s, "
        f"{other} {best['other']:.2f} s; ratio {best['this'] / best['other']:.2f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--calc", type=int, default=1_000_000)
    parser.add_argument("--skip-reference", action="store_true")
    parser.add_argument("--only", choices=["enrolment", "adjudication", "calculator", "fund"])
    parser.add_argument("--fund-members", type=int, default=25_000)
    parser.add_argument("--fund-claims", type=int, default=3_000)
    parser.add_argument(
        "--backend",
        choices=["sqlite", "postgres", "both"],
        default="sqlite",
        help="the register of runs 1 and 2 (postgres: a throwaway cluster of its own)",
    )
    parser.add_argument(
        "--skip-floor",
        action="store_true",
        help="do not measure the spreadsheet floors (comparing back ends needs only walls)",
    )
    parser.add_argument(
        "--skip-validate",
        action="store_true",
        help="enrol without running validate-enrollment first (it writes no register)",
    )
    parser.add_argument(
        "--compare-calc",
        type=Path,
        metavar="CHECKOUT",
        help="time the calculator against another checkout's, alternating (with --only calculator)",
    )
    parser.add_argument("--compare-rounds", type=int, default=3)
    args = parser.parse_args()
    global SKIP_FLOOR, SKIP_VALIDATE
    SKIP_FLOOR = args.skip_floor
    SKIP_VALIDATE = args.skip_validate
    OUT.mkdir(exist_ok=True)
    print(
        f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}; polars {pl.__version__}"
    )
    units = OUT / f"units-{args.members}.xlsx"
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    for backend in backends if args.only in (None, "enrolment", "adjudication") else []:
        with register_at(backend) as db:
            if args.only in (None, "enrolment"):
                units = bench_enrolment(args.members, db, backend)
            if args.only in (None, "adjudication"):
                if backend == "postgres" and args.only == "adjudication":
                    units = bench_enrolment(args.members, db, backend)  # a fresh cluster
                elif backend == "sqlite" and not (OUT / "bench.sqlite3").exists():
                    units = bench_enrolment(args.members, db, backend)
                bench_adjudication(units, args.claims, db, backend)
    compare_backends()
    if args.only in (None, "calculator"):
        if args.compare_calc is not None:
            compare_calculator(args.calc, args.compare_calc, args.compare_rounds)
        else:
            bench_calculator(args.calc, not args.skip_reference)
    if args.only in (None, "fund"):
        bench_fund(args.fund_members, args.fund_claims)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
