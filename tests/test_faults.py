"""The fault harness (scripts/faults.py, `make faults`) and the register file under real
processes (issue 10 items 2 and 6).

Why these tests: a register created by four clerks at once, or by one killed midway, must
end as one sound register (L150) — this is only seen with real processes. And `make test`
runs a small sample of the harness, so that the harness itself cannot rot: a kill at a write
point, and faults injected before and after the commit, each compared with an uninterrupted
twin (register, report, totals) and each message checked against the register (L155).
"""

from __future__ import annotations

import importlib.util
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest

from aidctl.register import Register
from aidctl.register.sqlite import BUILD_SUFFIX

ROOT = Path(__file__).resolve().parents[1]


def _harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location("aidctl_faults", ROOT / "scripts" / "faults.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["aidctl_faults"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


faults = _harness()

# A child that waits for a common start instant, then opens (creating) the register.
_OPENER = """
import sys, time
from aidctl.register import Register
start = float(sys.argv[2])
while time.time() < start:
    time.sleep(0.001)
with Register.open(sys.argv[1]) as reg:
    print(len(reg.runs()))
"""


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIDCTL_")}
    return {**env, **extra}


def test_concurrent_creators_of_a_new_register_all_open_the_one_register_l150(
    tmp_path: Path,
) -> None:
    """Four processes open a register that does not exist yet, at the same instant, three
    times over: every one succeeds (no FileExistsError, no "table runs already exists"),
    and one sound register is left with nothing half-built beside it."""
    for round_ in range(3):
        reg = tmp_path / f"r{round_}" / "register.sqlite3"
        start = time.time() + 1.5
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", _OPENER, str(reg), str(start)],
                env=_env(),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(4)
        ]
        results = [p.communicate(timeout=120) for p in procs]
        assert [p.returncode for p in procs] == [0, 0, 0, 0], [err for _, err in results]
        assert [out.strip() for out, _ in results] == ["0"] * 4
        assert Register.check(reg) == []
        assert [p.name for p in reg.parent.iterdir() if BUILD_SUFFIX in p.name] == []
        assert reg.stat().st_mode & 0o777 == 0o600
        assert (reg.parent.stat().st_mode & 0o777) == 0o700


def test_a_creator_killed_after_building_leaves_no_register_and_no_refusal_l150(
    tmp_path: Path,
) -> None:
    """SIGKILL after the register is built under its temporary name, before it is linked:
    no register at the path (nothing to refuse forever), a hidden leftover of a dead process
    that the next creator removes."""
    reg = tmp_path / "register.sqlite3"
    killed = subprocess.run(
        [sys.executable, "-c", _OPENER, str(reg), "0"],
        env=_env(AIDCTL_CRASH_AT="register-built"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL
    assert not reg.exists()
    assert [p.name for p in tmp_path.iterdir() if BUILD_SUFFIX in p.name] != []
    with Register.open(reg) as opened:
        assert opened.runs() == []
    assert [p.name for p in tmp_path.iterdir() if BUILD_SUFFIX in p.name] == []


def test_make_faults_tries_at_least_fifty_points(tmp_path: Path) -> None:
    """With the twins' write points (as counted on the sample data: 5, 3 and 9) and the
    default random kills, the harness tries well over 50 points, of every kind."""
    commands = [faults.Command(name, tmp_path) for name in ("enroll", "adjudicate", "batch")]
    for c, writes in zip(commands, (5, 3, 9), strict=True):
        c.writes = writes
    points = faults.all_points(commands, 24, random.Random(1))
    assert len(points) >= 50
    assert {p.how for p in points} == {"write", "name", "time", "inject"}
    assert {p.command for p in points} == {"enroll", "adjudicate", "batch"}
    injected = {p.value for p in points if p.how == "inject"}
    assert {"report:28", "report:13", "register:28", "register:13"} <= injected


def test_the_truth_oracle_catches_a_false_message(tmp_path: Path) -> None:
    """The harness's check of a message is not vacuous: "nothing was recorded" with a run
    in the register is a failure, and so is silence about a recorded run."""
    c = faults.Command("adjudicate", tmp_path)
    c.twin["runs_before"] = 0
    assert faults.truthful(c, 2, "aidctl: x: nothing was recorded") is None  # no register
    db = tmp_path / "adjudicate-point" / "register.sqlite3"
    db.parent.mkdir()
    with Register.open(db) as reg, reg.transaction():
        import datetime as dt

        run_id = reg.start_run("adjudicate", dt.date(2026, 11, 28), "c.xlsx", None, None)
    assert "does not say so" in faults.truthful(c, 2, "aidctl: disk full; nothing was recorded")
    good = f"Run {run_id} IS recorded (…): `aidctl report {run_id}` writes it again."
    assert faults.truthful(c, 2, good) is None


@pytest.mark.parametrize(
    "point",
    [("inject", "rename:28"), ("inject", "register:13"), ("write", "1")],
    ids=["rename-ENOSPC-after-commit", "register-EACCES", "kill-at-first-write"],
)
def test_a_sample_of_the_fault_harness_holds_l155(
    tmp_path_factory: pytest.TempPathFactory, point: tuple[str, str]
) -> None:
    """`make faults` in small: adjudicate on the sample data, one fault, the clerk's
    recovery, then register, report and totals equal to the uninterrupted twin's."""
    commands = _adjudicate_twin(tmp_path_factory)
    how, value = point
    problems = faults.run_point(commands, faults.Point("adjudicate", how, value))
    assert problems == []


_TWIN: dict[str, object] = {}


def _adjudicate_twin(factory: pytest.TempPathFactory) -> object:
    """The adjudicate twin, prepared once for the sample points."""
    if "adjudicate" not in _TWIN:
        work = factory.mktemp("faults")
        (command,) = faults.prepare(work, ["adjudicate"], count=False)
        _TWIN["adjudicate"] = command
    return _TWIN["adjudicate"]
