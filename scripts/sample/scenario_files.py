"""The sample year's expectations as scenario files (tests/scenarios/sample/*.toml).

Why: every expected decision of the sample — the row, the claim_id, status, amount, reason
code, the clauses it rests on and why — is scenario data, run by the one collector of
tests/test_scenarios.py and read by the clause matrix (scripts/clauses.py), in the manner of
OpenFisca's YAML tests. One file per reason code keeps each readable: its `clauses` are the
ones that reason rests on, its `world` is the sample itself (the four workbooks of
sample_data/, enrolled and adjudicated in the order of sample_data/EXPECTED.md on one fresh
register), and its `[[run]]` blocks list, per claims file, every row decided with that code.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .base import REQUIRED_REASON_CODES

SAMPLE_DIR = "sample_data"
# The demo order of sample_data/EXPECTED.md: the register every sample scenario names.
WORLD = (
    f"enroll {SAMPLE_DIR}/units_2025.xlsx",
    f"adjudicate {SAMPLE_DIR}/claims_2025.xlsx",
    f"enroll {SAMPLE_DIR}/units.xlsx",
    f"adjudicate {SAMPLE_DIR}/claims.xlsx",
)
CLAIM_FILES = ("claims_2025.xlsx", "claims.xlsx")


@dataclass(frozen=True)
class Expected:
    """One claim row's expected decision, as a scenario file lists it."""

    file: str
    row: int
    claim_id: str
    status: str
    amount: int
    reason_code: str
    clause: str
    why: str
    scenario: bool


def _clause_key(ident: str) -> tuple[int, tuple[int, ...], str]:
    """A before D, E, L; A5.2a before A5.2b; L9 before L10 (as docs/clauses.md orders them)."""
    return ("ADEL".find(ident[0]), tuple(int(n) for n in re.findall(r"[0-9]+", ident)), ident)


def _s(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's; Chinese kept as written)."""
    return json.dumps(text, ensure_ascii=False)


def _entry(e: Expected) -> str:
    parts = [
        f"row = {e.row}",
        f"claim_id = {_s(e.claim_id)}",
        f"status = {_s(e.status)}",
        f"amount = {e.amount}",
        f"reason_code = {_s(e.reason_code)}",
        f"clause = {_s(e.clause)}",
        f"why = {_s(e.why)}",
    ]
    if not e.scenario:
        parts.append("ordinary = true")
    return "  { " + ", ".join(parts) + " },"


def render_scenario(reason: str, rows: Sequence[Expected], as_of: dt.date, seed: int) -> str:
    """One reason code's scenario file: its clauses, the sample world, its rows per file."""
    clauses = sorted({c for e in rows for c in e.clause.split(";") if c}, key=_clause_key)
    statuses = "/".join(dict.fromkeys(e.status for e in rows))
    counts = ", ".join(
        f"{sum(e.file == f for e in rows)} of {f}"
        for f in CLAIM_FILES
        if any(e.file == f for e in rows)
    )
    on_purpose = sum(e.scenario for e in rows)
    lines = [
        f"# Written by scripts/make_sample_data.py (`make sample`, seed {seed}); never edit by hand.",
        f"clauses = [{', '.join(_s(c) for c in clauses)}]",
        'description = """',
        f"The sample year: every claim of {SAMPLE_DIR}/ that the tool must decide {reason}",
        f"({statuses}): {counts}. {on_purpose} built on purpose for it, the others ordinary",
        "(`ordinary = true`). `why` is the generator's reason for each, worked out from the rules",
        'and the world it built, independently of the calculator."""',
        f"as_of = {as_of.isoformat()}",
        "world = [",
        *(f"  {_s(command)}," for command in WORLD),
        "]",
    ]
    for f in CLAIM_FILES:
        mine = sorted((e for e in rows if e.file == f), key=lambda e: e.row)
        if not mine:
            continue
        lines += ["", "[[run]]", f"file = {_s(f'{SAMPLE_DIR}/{f}')}", "expect = ["]
        lines += [_entry(e) for e in mine]
        lines.append("]")
    lines.append("")
    return "\n".join(lines)


def write_scenarios(
    outdir: Path, expected: Iterable[Expected], as_of: dt.date, seed: int
) -> dict[str, Path]:
    """One file per reason code into `outdir` (files of codes no longer expected removed)."""
    outdir.mkdir(parents=True, exist_ok=True)
    by: dict[str, list[Expected]] = {}
    for e in expected:
        by.setdefault(e.reason_code, []).append(e)
    written: dict[str, Path] = {}
    for reason in sorted(by, key=lambda r: REQUIRED_REASON_CODES.index(r)):
        path = outdir / f"{reason.lower()}.toml"
        path.write_text(render_scenario(reason, by[reason], as_of, seed), encoding="utf-8")
        written[path.name] = path
    for stale in outdir.glob("*.toml"):
        if stale.name not in written:
            stale.unlink()
    return written
