"""A scenario's world: workbooks of the repository run by the real pipeline, in order, on
one fresh SQLite register — built once per test session and shared.

Why: the sample year (sample_data/, see sample_data/EXPECTED.md) is the register of the 34
generated scenario files in tests/scenarios/sample/ and of tests/test_sample_flow.py;
building it once (about a second) instead of once per file keeps the suite small.
A world is a tuple of commands, `"enroll PATH"` or `"adjudicate PATH"`, PATH relative to
the repository's root; its result maps each PATH to the frame the command produced (the
units of an enrolment, the decisions of an adjudication).
"""

from __future__ import annotations

import atexit
import datetime as dt
import shutil
import tempfile
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import polars as pl

from aidctl import pipeline
from aidctl.plan import load_policy

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = ("enroll", "adjudicate")


def parse(world: Sequence[str]) -> list[tuple[str, str]]:
    """(command, path) of each step; a step that is neither command, or a file that does not
    exist, is an error of the scenario file."""
    steps = []
    for step in world:
        command, _, path = str(step).partition(" ")
        if command not in COMMANDS or not path.strip():
            raise ValueError(f"world step {step!r}: expected 'enroll PATH' or 'adjudicate PATH'")
        if not (ROOT / path.strip()).is_file():
            raise FileNotFoundError(f"world step {step!r}: no file {path.strip()}")
        steps.append((command, path.strip()))
    return steps


@cache
def build(world: tuple[str, ...], as_of: dt.date) -> dict[str, pl.DataFrame]:
    """Run the world's commands as of `as_of` on a fresh register; PATH -> its frame."""
    where = Path(tempfile.mkdtemp(prefix="aidctl-world-"))
    atexit.register(shutil.rmtree, where, True)
    settings = pipeline.Settings(
        db_path=where / "register.sqlite3", as_of=as_of, lang="zh", policy=load_policy()
    )
    out: dict[str, pl.DataFrame] = {}
    for command, path in parse(world):
        if command == "enroll":
            outcome, _ = pipeline.enroll(settings, ROOT / path)
            out[path] = outcome.result.units
        else:
            out[path] = pipeline.adjudicate(settings, ROOT / path)[0].decisions
    return out
