"""The fault harness (`make faults`): kill and starve aidctl, then compare with a twin.

For each of `enroll`, `adjudicate` and `batch run` (on the sample data) the harness first
runs an uninterrupted **twin** and keeps its register, its reports and its totals. Then,
for every **point**, it restores the state before the command, runs the command in a child
process with a fault, and checks what the clerk would see:

* **kill by write**: `AIDCTL_CRASH_AFTER_WRITES=n` — SIGKILL at the n-th write point (a
  report written, the register about to commit, a report renamed into place), every n the
  twin passes; **kill by name**: `AIDCTL_CRASH_AT` at each named checkpoint (the register
  built, a workbook streamed, the batch's own checkpoints); **kill by time**: SIGKILL after
  a random delay within the twin's duration;
* **ENOSPC and EACCES** (`AIDCTL_FAIL_WRITE`) on report writes, register writes and (after
  the commit) the rename of a report into place.

After a fault with a message, the message must be true of the register (L155): exit 2 with
"nothing was recorded" only when no run of the command is in the register, and a recorded
run named with `aidctl report RUN_ID` otherwise. Then the clerk's recovery is done as a
clerk would do it (a recorded run: `aidctl report RUN_ID`; none: the command again; the
batch: run again), and the register (every table but the run bookkeeping), the reports
(every data sheet) or the outbox, and the totals (amount paid, decisions by status) must
equal the twin's; no staged report, scratch folder or half-built register may be left.

Usage: python scripts/faults.py [--points N] [--seed S] [--work DIR] [--keep]
Prints each point and, at the end, how many points it tried and how many failed; exit 1
when any failed.
"""

from __future__ import annotations

import argparse
import dataclasses
import errno
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_data"
AS_OF = "2026-11-28"
PERIOD = "2026-11"
FAULT_VARS = ("AIDCTL_CRASH_AT", "AIDCTL_CRASH_AFTER_WRITES", "AIDCTL_FAIL_WRITE")
CLEAN = ("AIDCTL_DB", "AIDCTL_CONFIG", "AIDCTL_POLICY", "AIDCTL_DEBUG", *FAULT_VARS)
# bookkeeping that differs between any two runs, whatever happened: not compared
SKIP_TABLES = {"runs", "run_frames", "schema_migrations"}
SKIP_COLUMNS = {
    "run_id",
    "void_run",
    "decision_id",
    "processed_at",
    "voided_at",
    "applied_at",
    # open items and reopens (L130, L134) name their runs and clocks too
    "opened_run",
    "last_run",
    "closed_run",
    "closed_at",
    "reopened_at",
}
# what a killed run may leave, and the next run must have removed
LEFTOVER_MARKS = (".staged", ".tmp", ".aidctl-scratch", ".building")
NAMED = {
    "enroll": ["register-built", "workbook-streamed", "report-write", "register-write"],
    "adjudicate": ["workbook-streamed", "report-write", "register-write", "rename-write"],
    "batch": [
        "before_reports",
        "before_commit",
        "after_commit",
        "after_reports",
        "workbook-streamed",
        "register-write",
    ],
}
INJECTED = [
    (kind, code)
    for kind in ("report", "register", "rename")
    for code in (errno.ENOSPC, errno.EACCES)
]


# ---------------------------------------------------------------- running aidctl


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CLEAN}
    env["AIDCTL_QUIET"] = "1"
    env.update(extra or {})
    return env


def aidctl(
    args: Sequence[Any], cwd: Path, extra: dict[str, str] | None = None, kill_after: float = 0
) -> tuple[int, str]:
    """Run aidctl in a child process; returns (exit code, stderr). A negative code is the
    signal that ended it. `kill_after` > 0: SIGKILL after that many seconds."""
    cmd = [sys.executable, "-m", "aidctl", *[str(a) for a in args]]
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        env=child_env(extra),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    if kill_after > 0:
        try:
            proc.wait(timeout=kill_after)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
    _, err = proc.communicate(timeout=600)
    return proc.returncode, err


# ---------------------------------------------------------------- states and comparison


def register_state(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table but the run bookkeeping, rows sorted, run ids and clocks left out."""
    if not db.exists():
        return {}
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = [
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if r[0] not in SKIP_TABLES
        ]
        state = {}
        for table in sorted(tables):
            cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
            kept = [c for c in cols if c not in SKIP_COLUMNS]
            rows = conn.execute(f"SELECT {', '.join(kept)} FROM {table}").fetchall()
            state[table] = sorted(rows, key=repr)
        return state
    finally:
        conn.close()


def runs_of(db: Path, command: str) -> list[str]:
    if not db.exists():
        return []
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        has = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'runs'"
        ).fetchone()
        if has is None:
            return []
        rows = conn.execute(
            "SELECT run_id FROM runs WHERE command = ? ORDER BY rowid", (command,)
        ).fetchall()
        return [r[0] for r in rows]
    finally:
        conn.close()


def totals(db: Path) -> dict[str, Any]:
    """Money and decisions as the register holds them: paid less voided, by status."""
    if not db.exists():
        return {}
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        paid = conn.execute(
            "SELECT coalesce(sum(amount), 0) FROM decisions d WHERE NOT EXISTS "
            "(SELECT 1 FROM voids v WHERE v.decision_id = d.decision_id)"
        ).fetchone()[0]
        by = dict(conn.execute("SELECT status, count(*) FROM decisions GROUP BY status"))
        return {"paid": paid, **by}
    finally:
        conn.close()


def report_rows(path: Path) -> list[list[Any]]:
    """Every data sheet of a report (the first sheet, with the run's id and clock, left
    out)."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return [
            [ws.title, *[list(r) for r in ws.iter_rows(values_only=True)]]
            for ws in book.worksheets[1:]
        ]
    finally:
        book.close()


def outbox_names(ws: Path) -> list[str]:
    """The outbox, rejected and archive as a clerk sees them (batch summaries, one per run,
    left out: a rerun writes its own)."""
    names = []
    for sub in ("outbox", "archive", "inbox"):
        for p in sorted((ws / sub).rglob("*")):
            if p.is_file() and not p.name.startswith("batch-"):
                names.append(p.relative_to(ws).as_posix())
    return names


def leftovers(folder: Path) -> list[str]:
    return sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if any(mark in p.name for mark in LEFTOVER_MARKS)
    )


# ---------------------------------------------------------------- the three commands


@dataclasses.dataclass
class Command:
    """One command of the harness: how to prepare its state, run it, recover, compare."""

    name: str
    work: Path
    twin: dict[str, Any] = dataclasses.field(default_factory=dict)
    duration: float = 1.0
    writes: int = 0

    # the folder a point runs in, restored from `base` before each point
    @property
    def base(self) -> Path:
        return self.work / f"{self.name}-base"

    @property
    def here(self) -> Path:
        return self.work / f"{self.name}-point"

    def restore(self) -> None:
        shutil.rmtree(self.here, ignore_errors=True)
        shutil.copytree(self.base, self.here, symlinks=True)

    def args(self) -> list[Any]:
        db = ["--db", "register.sqlite3", "--as-of", AS_OF, "--lang", "en"]
        if self.name == "enroll":
            return ["enroll", SAMPLES / "units.xlsx", *db, "--out", "out/report.xlsx"]
        if self.name == "adjudicate":
            return ["adjudicate", SAMPLES / "claims.xlsx", *db, "--out", "out/report.xlsx"]
        return ["batch", "run", "--config", "ws/aidctl.toml", "--as-of", AS_OF, "--lang", "en"]

    @property
    def db(self) -> Path:
        return self.here / ("ws/register.sqlite3" if self.name == "batch" else "register.sqlite3")

    def recover(self) -> None:
        """What a clerk does after the fault: a recorded run's report is written again with
        `aidctl report RUN_ID`; with none, the command is run again; the batch is rerun."""
        if self.name == "batch":
            code, err = aidctl(self.args(), self.here)
            if code not in (0, 1):
                raise AssertionError(f"the batch rerun failed ({code}): {err.strip()}")
            return
        before = self.twin.get("runs_before", 0)
        runs = runs_of(self.db, self.name)
        if len(runs) > before:
            args = ["report", runs[-1], "--db", "register.sqlite3", "--out", "out/report.xlsx"]
            args += ["--lang", "en"]
            code, err = aidctl(args, self.here)
        else:
            code, err = aidctl(self.args(), self.here)
        if code not in (0, 1):
            raise AssertionError(f"the recovery failed ({code}): {err.strip()}")

    def observe(self) -> dict[str, Any]:
        seen: dict[str, Any] = {"register": register_state(self.db), "totals": totals(self.db)}
        if self.name == "batch":
            seen["outbox"] = outbox_names(self.here / "ws")
        else:
            report = self.here / "out" / "report.xlsx"
            seen["report"] = report_rows(report) if report.exists() else None
        return seen


def prepare(
    work: Path, names: Sequence[str] = ("enroll", "adjudicate", "batch"), count: bool = True
) -> list[Command]:
    """The base state of each command and its twin (and, when `count`, its write points)."""
    work.mkdir(parents=True, exist_ok=True)
    empty = work / "empty"
    (empty / "out").mkdir(parents=True, exist_ok=True)
    commands = [Command(name, work) for name in names]
    for c in commands:
        shutil.rmtree(c.base, ignore_errors=True)
        shutil.copytree(empty, c.base)
        if c.name == "adjudicate":  # from the register the enrolment made
            setup = Command("enroll", work).args()[:-2]
            code, err = aidctl([*setup, "--out", "setup.xlsx"], c.base)
            assert code in (0, 1), err
            for made in c.base.glob("setup*.xlsx"):
                made.unlink()
        elif c.name == "batch":  # a workspace with the month's two files
            code, err = aidctl(["init", "ws"], c.base)
            assert code == 0, err
            shutil.copy(SAMPLES / "units.xlsx", c.base / "ws/inbox/01-units.xlsx")
            shutil.copy(SAMPLES / "claims.xlsx", c.base / "ws/inbox/02-claims.xlsx")
    for c in commands:
        c.restore()
        c.twin["runs_before"] = len(runs_of(c.db, c.name))
        started = time.monotonic()
        code, err = aidctl(c.args(), c.here)
        c.duration = time.monotonic() - started
        assert code in (0, 1), f"the twin of {c.name} failed: {err}"
        c.twin.update(c.observe())
        c.writes = count_writes(c) if count else 0
    return commands


def count_writes(c: Command) -> int:
    """How many write points the command passes: the smallest n at which a kill no longer
    happens, less one."""
    n = 1
    while n < 200:
        c.restore()
        code, _ = aidctl(c.args(), c.here, {"AIDCTL_CRASH_AFTER_WRITES": str(n)})
        if code != -signal.SIGKILL:
            return n - 1
        n += 1
    return n


# ---------------------------------------------------------------- points


@dataclasses.dataclass
class Point:
    command: str
    how: str  # "write", "name", "time", "inject"
    value: str

    def __str__(self) -> str:
        return f"{self.command:<10} {self.how:<6} {self.value}"

    def env(self) -> dict[str, str]:
        if self.how == "write":
            return {"AIDCTL_CRASH_AFTER_WRITES": self.value}
        if self.how == "name":
            return {"AIDCTL_CRASH_AT": self.value}
        if self.how == "inject":
            return {"AIDCTL_FAIL_WRITE": self.value}
        return {}


def all_points(commands: list[Command], random_points: int, rng: random.Random) -> list[Point]:
    """Every write point and named checkpoint, every injection, and `random_points` kills
    at random times spread over the three commands."""
    points: list[Point] = []
    for c in commands:
        points += [Point(c.name, "write", str(n)) for n in range(1, c.writes + 1)]
        points += [Point(c.name, "name", name) for name in NAMED[c.name]]
        points += [Point(c.name, "inject", f"{kind}:{code}") for kind, code in INJECTED]
    for i in range(random_points):
        c = commands[i % len(commands)]
        points.append(Point(c.name, "time", f"{rng.uniform(0.3, c.duration):.2f}"))
    return points


def truthful(c: Command, code: int, err: str) -> str | None:
    """What is wrong with the message of a fault the command survived (None: it is true)."""
    if code == -signal.SIGKILL or c.name == "batch":
        return None
    recorded = runs_of(c.db, c.name)[c.twin["runs_before"] :]
    if code != 2:
        return None if code in (0, 1) else f"exit {code}"
    if recorded:
        run_id = recorded[-1]
        if run_id not in err or f"aidctl report {run_id}" not in err:
            return f"run {run_id} is recorded but the message does not say so: {err.strip()}"
        if "nothing was recorded" in err:
            return f"says nothing was recorded, but run {run_id} is: {err.strip()}"
        return None
    if "nothing was recorded" not in err:
        return f"nothing is recorded but the message does not say so: {err.strip()}"
    return None


def run_point(c: Command, point: Point) -> list[str]:
    """Run one point; returns what went wrong (empty: it held)."""
    c.restore()
    kill_after = float(point.value) if point.how == "time" else 0
    code, err = aidctl(c.args(), c.here, point.env(), kill_after=kill_after)
    problems = []
    lie = truthful(c, code, err)
    if lie:
        problems.append(lie)
    if point.how == "inject" and c.name != "batch" and code != 2:
        problems.append(f"an injected {point.value} ended with exit {code}, not 2")
    try:
        c.recover()
    except AssertionError as exc:
        return [*problems, str(exc)]
    seen = c.observe()
    for key in ("register", "totals", "report", "outbox"):
        if key in c.twin and seen.get(key) != c.twin[key]:
            problems.append(f"the {key} differs from the twin's")
    left = leftovers(c.here)
    if left:
        problems.append(f"left behind: {left}")
    return problems


def run(
    work: Path, random_points: int, seed: int, say: Callable[[str], None] = print
) -> tuple[int, list[tuple[Point, list[str]]]]:
    """Prepare, then run every point; returns (points tried, failures)."""
    commands = prepare(work)
    by_name = {c.name: c for c in commands}
    say(
        "twins: "
        + ", ".join(f"{c.name} {c.duration:.1f} s, {c.writes} write points" for c in commands)
    )
    points = all_points(commands, random_points, random.Random(seed))
    failed = []
    for i, point in enumerate(points, 1):
        problems = run_point(by_name[point.command], point)
        say(f"[{i:3d}/{len(points)}] {point}: " + ("ok" if not problems else "; ".join(problems)))
        if problems:
            failed.append((point, problems))
    return len(points), failed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", type=int, default=24, help="random kills by time")
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    ns = parser.parse_args(argv)
    work = ns.work or Path(tempfile.mkdtemp(prefix="aidctl-faults-"))
    try:
        tried, failed = run(work, ns.points, ns.seed, lambda line: print(line, flush=True))
    finally:
        if not ns.keep and ns.work is None:
            shutil.rmtree(work, ignore_errors=True)
    print(f"fault harness: {tried} points tried, {len(failed)} failed (seed {ns.seed})")
    for point, problems in failed:
        print(f"  FAILED {point}: {'; '.join(problems)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
