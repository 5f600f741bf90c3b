#!/usr/bin/env python3
"""Sample and benchmark workbooks for aidctl, as clerks of Lianyungang's units would fill them.

Why this exists: the tool's rules (docs/rules.md E1–E6, steps 1–10, D1–D10, and the
project's own readings L1 …) only mean something against data that looks like the real thing —
Chinese headers under a title row, ids that carry real region codes and GB 11643 check
digits, dates typed four different ways, units that renew on time, late or not at all. Every
rule is exercised by at least one row built on purpose, and the generator says which row and
what the tool must answer (`SampleData.claims`, `sample_data/EXPECTED.md`, and the
scenario files `tests/scenarios/sample/*.toml`, one per reason code, run by
tests/test_scenarios.py), so tests can hold the tool to it.

The data is built around one as-of date, 2026-11-28 (`AS_OF`), and one demo order:

1. `aidctl enroll sample_data/units_2025.xlsx` (the previous year, all units compliant);
2. `aidctl adjudicate sample_data/claims_2025.xlsx` (claims under the 2025 contracts);
3. `aidctl enroll sample_data/units.xlsx` (the current contracts of 40 units);
4. `aidctl adjudicate sample_data/claims.xlsx`;
5. `aidctl renewals` — every command with `--as-of 2026-11-28`.

Everything is deterministic: one seed, `random.Random` streams derived from it, no network,
no clock. Run `python scripts/make_sample_data.py OUTDIR [--seed N] [--scenarios DIR]`
(`make sample`: `sample_data --scenarios tests/scenarios/sample`).

The generator itself is the package `scripts/sample/` (ids and names, the world, the
scenarios, the output, the bench generator); this file is its entry point (`make sample`).

`sample.bench.make_bench_units` / `make_bench_claims` write the big workbooks of the benchmark (a million
members, a hundred thousand claims) with openpyxl's write-only mode; they are not run by the
tests at full size.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sample import *  # noqa: F403 — the generator's names, for `import make_sample_data`
from sample import DEFAULT_SEED, generate

# --------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir", type=Path, help="directory to write the sample files into")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--scenarios",
        type=Path,
        default=None,
        help="directory for the expected decisions as scenario files (default OUTDIR/scenarios)",
    )
    args = parser.parse_args(argv)
    data = generate(args.outdir, seed=args.seed, scenarios=args.scenarios)
    n_claims = {
        f: sum(c.file == f for c in data.claims) for f in ("claims_2025.xlsx", "claims.xlsx")
    }
    books = sorted(name for name in data.files if "/" not in name)
    scenario_files = [path for name, path in data.files.items() if "/" in name]
    where = scenario_files[0].parent if scenario_files else args.outdir
    print(f"as of {data.as_of}: wrote {', '.join(books)} to {args.outdir}")
    print(f"expected decisions: {len(scenario_files)} scenario files in {where}")
    print(f"claims: {n_claims}; reason codes: {len({c.reason_code for c in data.claims})}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
