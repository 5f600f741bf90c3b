"""aidctl.api and the CLI are one: same JSON, same reports, and reports written again.

Issue 9's "done when": every command runs through `aidctl.api` and through the CLI on twin
registers (same inputs, same as-of day) and yields the same JSON document; `aidctl report
RUN_ID` writes a past run's workbook again with the same cells (enroll, adjudicate with
pending rows, renewals); the monthly batch's reports for a file equal the single command's.

What necessarily differs between the twins, and is normalised before comparing:
- run ids (`20261128-093000-1a2b3c`, new per run): replaced by RUN;
- timestamps (`started_at`, `finished_at`, `decided_at`, any `*_at`): replaced by TS;
- paths of the register and of the reports (each twin has its own folder): their file
  name is kept, the folder dropped.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from cli_workbooks import run_cli

from aidctl import api

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
AS_OF = "2026-11-28"
RUN_ID = re.compile(r"\b\d{8}-\d{6}-[0-9a-f]{6}\b")
PATH_KEYS = {"report", "annotated", "register", "reports", "outbox", "summary", "renewals"}


def normalised(doc: Any, key: str = "") -> Any:
    """The document with what necessarily differs between twins replaced (module doc)."""
    if isinstance(doc, dict):
        return {k: normalised(v, k) for k, v in doc.items()}
    if isinstance(doc, list):
        return [normalised(v, key) for v in doc]
    if isinstance(doc, str):
        if key.endswith("_at"):
            return "TS"
        if key in PATH_KEYS:
            return Path(doc).name
        return RUN_ID.sub("RUN", doc)
    return doc


def as_printed(outcome: Any) -> Any:
    """What `--json` prints for an outcome, read back (the CLI only serialises to_json())."""
    return json.loads(json.dumps(outcome.to_json(), ensure_ascii=False, default=str))


def cli_json(*args: Any) -> tuple[int, Any]:
    result = run_cli(*args, "--json")
    assert result.exit_code in (0, 1), result.stderr + result.stdout
    return result.exit_code, json.loads(result.stdout)


class Twins:
    """Two registers fed the same inputs, one through aidctl.api, one through the CLI."""

    def __init__(self, root: Path) -> None:
        self.api_dir, self.cli_dir = root / "api", root / "cli"
        for d in (self.api_dir, self.cli_dir):
            d.mkdir(parents=True)
        self.api_db, self.cli_db = self.api_dir / "reg.sqlite3", self.cli_dir / "reg.sqlite3"
        self.pairs: dict[str, tuple[tuple[int, Any], tuple[int, Any]]] = {}
        self.outcomes: dict[str, Any] = {}

    def both(
        self, name: str, call: Callable[[Path, Path], Any], args: Callable[[Path, Path], list[Any]]
    ) -> Any:
        outcome = call(self.api_db, self.api_dir)
        self.outcomes[name] = outcome
        self.pairs[name] = (
            (outcome.exit_code, as_printed(outcome)),
            cli_json(*args(self.cli_db, self.cli_dir)),
        )
        return outcome


def _written(outcome: Any, out: Path) -> Any:
    api.write_report(outcome, out)
    return outcome


@pytest.fixture(scope="module")
def twins(tmp_path_factory: pytest.TempPathFactory) -> Twins:
    t = Twins(tmp_path_factory.mktemp("twins"))
    day = ["--as-of", AS_OF]
    for label, units in (("u25", "units_2025.xlsx"), ("u26", "units.xlsx")):
        t.both(
            f"validate {units}",
            lambda db, d, u=units, n=label: _written(
                api.validate_enrollment(SAMPLE / u, db=db, as_of=AS_OF), d / f"{n}.check.xlsx"
            ),
            lambda db, d, u=units, n=label: [
                "validate-enrollment",
                SAMPLE / u,
                "--db",
                db,
                *day,
                "--out",
                d / f"{n}.check.xlsx",
            ],
        )
        t.both(
            f"enroll {units}",
            lambda db, d, u=units, n=label: _written(
                api.enroll(SAMPLE / u, db=db, as_of=AS_OF), d / f"{n}.enroll.xlsx"
            ),
            lambda db, d, u=units, n=label: [
                "enroll",
                SAMPLE / u,
                "--db",
                db,
                *day,
                "--out",
                d / f"{n}.enroll.xlsx",
            ],
        )
        claims = "claims_2025.xlsx" if label == "u25" else "claims.xlsx"
        if label == "u26":
            t.both(
                "adjudicate --dry-run",
                lambda db, d: _written(
                    api.adjudicate(SAMPLE / "claims.xlsx", db=db, as_of=AS_OF, dry_run=True),
                    d / "dry.xlsx",
                ),
                lambda db, d: [
                    "adjudicate",
                    SAMPLE / "claims.xlsx",
                    "--db",
                    db,
                    *day,
                    "--dry-run",
                    "--out",
                    d / "dry.xlsx",
                ],
            )
        t.both(
            f"adjudicate {claims}",
            lambda db, d, c=claims: _written(
                api.adjudicate(SAMPLE / c, db=db, as_of=AS_OF), d / f"{c}.decisions.xlsx"
            ),
            lambda db, d, c=claims: [
                "adjudicate",
                SAMPLE / c,
                "--db",
                db,
                *day,
                "--out",
                d / f"{c}.decisions.xlsx",
            ],
        )
    decided = t.outcomes["adjudicate claims.xlsx"].decisions
    paid = decided.filter(decided["status"] == "approved").row(0, named=True)
    claim_id, id_number = paid["claim_id"], paid["id_number"]
    t.both(
        "renewals",
        lambda db, d: _written(api.renewals("30d", db=db, as_of=AS_OF), d / "renewals.xlsx"),
        lambda db, d: ["renewals", "--due", "30d", "--db", db, *day, "--out", d / "renewals.xlsx"],
    )
    t.both(
        "explain",
        lambda db, d: api.explain(claim_id, db=db),
        lambda db, d: ["explain", claim_id, "--db", db],
    )
    t.both(
        "history",
        lambda db, d: api.history(id_number, db=db),
        lambda db, d: ["history", id_number, "--db", db],
    )
    t.both(
        "void",
        lambda db, d: api.void(claim_id, "材料造假", db=db, as_of=AS_OF),
        lambda db, d: ["void", claim_id, "--reason", "材料造假", "--db", db, *day],
    )
    t.both(
        "payments",
        lambda db, d: _written(api.payments("2026-11", db=db), d / "pay.xlsx"),
        lambda db, d: ["payments", "--period", "2026-11", "--db", db, "--out", d / "pay.xlsx"],
    )
    t.both(
        "report",
        lambda db, d: _written(
            api.report(t.outcomes["adjudicate claims.xlsx"].run_id, db=db), d / "again.xlsx"
        ),
        lambda db, d: [
            "report",
            _cli_run(db, "adjudicate", 1),
            "--db",
            db,
            "--out",
            d / "again.xlsx",
        ],
    )
    t.both(
        "runs",
        lambda db, d: api.runs(db=db, limit=50),
        lambda db, d: ["runs", "--db", db, "--limit", 50],
    )
    t.both(
        "batch status",
        lambda db, d: api.batch_status(db=db),
        lambda db, d: ["batch", "status", "--config", _config(d, db)],
    )
    t.both(
        "policy show",
        lambda db, d: api.policy_show(AS_OF),
        lambda db, d: ["policy", "show", "--on", AS_OF],
    )
    t.both(
        "policy diseases", lambda db, d: api.policy_diseases(), lambda db, d: ["policy", "diseases"]
    )
    t.both(
        "policy diseases --check",
        lambda db, d: api.policy_diseases("左肺上叶（腺癌）", "C34.1"),
        lambda db, d: ["policy", "diseases", "--check", "左肺上叶（腺癌）", "--code", "C34.1"],
    )
    return t


def _cli_run(db: Path, command: str, index: int) -> str:
    """The run id of the CLI twin's `index`-th run of `command` (0: the first)."""
    listed = api.runs(db=db, limit=100, command=command).runs
    return str(list(reversed(listed))[index]["run_id"])


def _config(folder: Path, db: Path) -> Path:
    """A workspace config naming the twin's register (batch status reads a workspace)."""
    config = folder / "aidctl.toml"
    config.write_text(f'register = "{db.name}"\n', encoding="utf-8")
    return config


COMMANDS = [
    "validate units_2025.xlsx",
    "enroll units_2025.xlsx",
    "adjudicate claims_2025.xlsx",
    "validate units.xlsx",
    "enroll units.xlsx",
    "adjudicate --dry-run",
    "adjudicate claims.xlsx",
    "renewals",
    "explain",
    "history",
    "void",
    "payments",
    "report",
    "runs",
    "batch status",
    "policy show",
    "policy diseases",
    "policy diseases --check",
]


@pytest.mark.parametrize("name", COMMANDS)
def test_api_and_cli_give_the_same_json(twins: Twins, name: str) -> None:
    (api_code, api_doc), (cli_code, cli_doc) = twins.pairs[name]
    assert api_code == cli_code
    assert normalised(api_doc) == normalised(cli_doc)
    assert api_doc is not None


def test_the_twins_hold_what_a_clerk_expects(twins: Twins) -> None:
    """The sequence did real work: units enrolled, claims paid and pending, a void."""
    decided = twins.outcomes["adjudicate claims.xlsx"]
    assert (
        decided.exit_code == 1 and decided.totals["pending"] > 0 and decided.totals["approved"] > 0
    )
    assert twins.outcomes["enroll units.xlsx"].spells_added > 0
    assert twins.outcomes["void"].voided["void_run"]


# ---------------------------------------------------------------- reports written again


def cells(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in book}
    finally:
        book.close()


def _rebuilt(twins: Twins, name: str, tmp: Path) -> tuple[Path, Path]:
    """The CLI twin's original report of `name`, and `aidctl report RUN_ID` of its run."""
    original = Path(twins.pairs[name][1][1]["report"])
    run_id = twins.pairs[name][1][1]["run_id"]
    again = tmp / f"again-{original.name}"
    result = run_cli("report", run_id, "--db", twins.cli_db, "--out", again)
    assert result.exit_code == 0, result.stderr
    return original, again


@pytest.mark.parametrize(
    "name", ["enroll units.xlsx", "adjudicate claims.xlsx", "renewals"], ids=str.split
)
def test_report_run_id_writes_the_same_cells(twins: Twins, name: str, tmp_path: Path) -> None:
    """Issue 9 / L67: the register keeps what a report shows (pending rows included), so
    the workbook written again holds the same cells, sheet by sheet, facts included."""
    original, again = _rebuilt(twins, name, tmp_path)
    before, after = cells(original), cells(again)
    assert list(after) == list(before)
    for sheet in before:
        assert after[sheet] == before[sheet], sheet
    if name.startswith("adjudicate"):
        assert len(before["待处理"]) > 1  # the pending rows are there, and came back


def test_report_of_an_enrolment_says_the_annotated_copy_is_not_written(
    twins: Twins, tmp_path: Path
) -> None:
    run_id = twins.pairs["enroll units.xlsx"][1][1]["run_id"]
    result = run_cli("report", run_id, "--db", twins.cli_db, "--out", tmp_path / "r.xlsx")
    assert result.exit_code == 0
    assert "批注版未重写" in result.stdout
    assert [p.name for p in tmp_path.iterdir()] == ["r.xlsx"]


def test_report_of_an_unknown_run_is_one_sentence(twins: Twins) -> None:
    result = run_cli("report", "19990101-000000-abcdef", "--db", twins.cli_db, "--lang", "en")
    assert result.exit_code == 2
    assert "aidctl runs" in result.stderr and "Traceback" not in result.stderr


def test_a_report_that_cannot_be_written_names_the_run_and_the_way_back(tmp_path: Path) -> None:
    """L155 (replacing L65's order): the report is written before the commit, so a report
    that cannot be written rolls the run back and the message that nothing was recorded is
    true; a failure after the commit (the rename) gives the run id and `aidctl report
    RUN_ID` (tests/test_truthful.py)."""
    db = tmp_path / "reg.sqlite3"
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the report's folder should be", encoding="utf-8")
    args = ("enroll", SAMPLE / "units_2025.xlsx", "--db", db, "--as-of", AS_OF, "--lang", "en")
    result = run_cli(*args, "--out", blocked / "u.xlsx")
    assert result.exit_code == 2
    assert "nothing was recorded" in result.stderr
    assert api.runs(db=db).runs == []
    out = tmp_path / "u.xlsx"
    out.mkdir()  # now the rename after the commit fails: the run stands and is named
    result = run_cli(*args, "--out", out)
    assert result.exit_code == 2
    run_id = api.runs(db=db).runs[0]["run_id"]
    assert f"aidctl report {run_id}" in result.stderr
    again = run_cli("report", run_id, "--db", db, "--out", tmp_path / "u2.xlsx")
    assert again.exit_code == 0 and (tmp_path / "u2.xlsx").exists()


# ---------------------------------------------------------------- the batch


def _facts_apart(rows: list[tuple[Any, ...]], labels: set[str]) -> list[tuple[Any, ...]]:
    return [r for r in rows if not (r and r[0] in labels)]


# the facts that name the run's own input path, run and register: they differ by design
RUN_FACTS = {"输入文件", "运行编号", "登记库"}


def test_the_batch_writes_the_single_commands_reports(tmp_path: Path) -> None:
    """Issue 9: the batch calls aidctl.api, so its reports for a file are the single
    command's — same names (.批注.xlsx), same sheets, same cells, same facts but the run's."""
    ws = tmp_path / "ws"
    assert run_cli("init", ws).exit_code == 0
    shutil.copy(SAMPLE / "units_2025.xlsx", ws / "inbox" / "01-units.xlsx")
    shutil.copy(SAMPLE / "claims_2025.xlsx", ws / "inbox" / "02-claims.xlsx")
    batch = run_cli("batch", "run", "--config", ws / "aidctl.toml", "--as-of", AS_OF)
    assert batch.exit_code in (0, 1), batch.stdout
    single = tmp_path / "single"
    single.mkdir()
    shutil.copy(SAMPLE / "units_2025.xlsx", single / "01-units.xlsx")
    shutil.copy(SAMPLE / "claims_2025.xlsx", single / "02-claims.xlsx")
    db = single / "reg.sqlite3"
    for args in (
        ["enroll", single / "01-units.xlsx", "--out", single / "01-units.enroll.xlsx"],
        ["adjudicate", single / "02-claims.xlsx", "--out", single / "02-claims.decisions.xlsx"],
    ):
        assert run_cli(*args, "--db", db, "--as-of", AS_OF).exit_code in (0, 1)
    outbox = ws / "outbox" / "2026-11"
    for name in ("01-units.enroll.xlsx", "01-units.enroll.批注.xlsx", "02-claims.decisions.xlsx"):
        from_batch, from_single = cells(outbox / name), cells(single / name)
        assert list(from_batch) == list(from_single), name
        for sheet in from_single:
            assert _facts_apart(from_batch[sheet], RUN_FACTS) == _facts_apart(
                from_single[sheet], RUN_FACTS
            ), (name, sheet)
    counts = json.loads(
        json.dumps([f for f in api.runs(db=ws / "register.sqlite3", command="enroll").runs])
    )[0]["counts"]
    assert "spells_added" in counts and "members_added" not in counts
