"""Benchmarks (`make bench`): not tests; they print seconds, peak memory and ratios.

1. validate-enrollment and enroll on 1,000,000 members in 20,000 units (xlsx), against the
   spreadsheet I/O floor: reading the input with calamine plus writing reports of the same
   size with openpyxl's write-only mode.
2. adjudicate 100,000 claims (xlsx) against that register of 1,000,000 members, against
   the floor of reading that input and writing a report of the same size.
3. The calculator alone on 1,000,000 claims, and the row-by-row reference on the same data.

Each command runs in its own process (`python -m aidctl …`) so that its peak memory is its
own; its stage lines (`aidctl: read 4.1s (… peak memory … MB)`) are collected. Generated
inputs are kept in bench_out/ and reused. Usage: python scripts/bench.py [--members N]
[--claims N] [--calc N] [--skip-reference] [--only calculator --compare-calc CHECKOUT]
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


def show(title: str, wall: float, stages: dict[str, tuple[float, int]], floor: float) -> None:
    print(f"\n{title}")
    for name, (secs, mb) in stages.items():
        print(f"  {name:<8} {secs:8.2f} s   peak {mb:6d} MB")
    print(
        f"  {'wall':<8} {wall:8.2f} s   floor {floor:.2f} s   ratio {wall / floor:.2f} (target ≤ 1.5)"
    )
    work = sum(s for n, (s, _) in stages.items() if n in ("check", "decide", "record"))
    peak = max((mb for _, mb in stages.values()), default=0)
    print(f"  checks/decisions + register: {work:.2f} s;  peak memory {peak} MB (target ≤ 2048)")


def bench_enrolment(n_members: int) -> Path:
    from sample.bench import make_bench_units

    units = OUT / f"units-{n_members}.xlsx"
    if not units.exists():
        t = time.perf_counter()
        make_bench_units(units, n_units=max(1, n_members // 50), n_members=n_members)
        print(f"generated {units.name} in {time.perf_counter() - t:.0f} s")
    read = floor_read(units)
    write = floor_write(n_members, 8, OUT / "floor-annotated.xlsx") + floor_write(
        max(1, n_members // 50), 18, OUT / "floor-units.xlsx"
    )
    floor = read + write
    print(f"\nenrolment floor: read {read:.2f} s + write {write:.2f} s = {floor:.2f} s")
    db = OUT / "bench.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    common = ["--db", str(db), "--as-of", AS_OF]
    wall, stages, _ = run_command(
        ["validate-enrollment", str(units), *common, "--out", str(OUT / "check.xlsx")]
    )
    show(f"validate-enrollment, {n_members:,} members", wall, stages, floor)
    wall, stages, _ = run_command(
        ["enroll", str(units), *common, "--out", str(OUT / "enroll.xlsx")]
    )
    show(f"enroll, {n_members:,} members", wall, stages, floor)
    return units


def bench_adjudication(units: Path, n_claims: int) -> None:
    from sample.bench import make_bench_claims

    claims = OUT / f"claims-{n_claims}.xlsx"
    if not claims.exists():
        t = time.perf_counter()
        make_bench_claims(claims, units, n_claims=n_claims)
        print(f"generated {claims.name} in {time.perf_counter() - t:.0f} s")
    floor = floor_read(claims) + floor_write(n_claims, 15, OUT / "floor-decisions.xlsx")
    db = OUT / "bench.sqlite3"
    wall, stages, _ = run_command(
        [
            "adjudicate",
            str(claims),
            "--db",
            str(db),
            "--as-of",
            AS_OF,
            "--dry-run",
            "--out",
            str(OUT / "decisions.xlsx"),
        ]
    )
    show(f"adjudicate --dry-run, {n_claims:,} claims", wall, stages, floor)
    wall, stages, _ = run_command(
        [
            "adjudicate",
            str(claims),
            "--db",
            str(db),
            "--as-of",
            AS_OF,
            "--out",
            str(OUT / "decisions.xlsx"),
        ]
    )
    show(f"adjudicate, {n_claims:,} claims against the register", wall, stages, floor)


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
    parser.add_argument("--only", choices=["enrolment", "adjudication", "calculator"])
    parser.add_argument(
        "--compare-calc",
        type=Path,
        metavar="CHECKOUT",
        help="time the calculator against another checkout's, alternating (with --only calculator)",
    )
    parser.add_argument("--compare-rounds", type=int, default=3)
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    print(
        f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}; polars {pl.__version__}"
    )
    units = OUT / f"units-{args.members}.xlsx"
    if args.only in (None, "enrolment"):
        units = bench_enrolment(args.members)
    if args.only in (None, "adjudication"):
        if not (OUT / "bench.sqlite3").exists():
            units = bench_enrolment(args.members)
        bench_adjudication(units, args.claims)
    if args.only in (None, "calculator"):
        if args.compare_calc is not None:
            compare_calculator(args.calc, args.compare_calc, args.compare_rounds)
        else:
            bench_calculator(args.calc, not args.skip_reference)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
