"""What the tool writes is safe to open and keeps personal data where it belongs.

Why these tests: reports are opened in Excel or WPS by clerks, e-mailed to units and
printed; logs are mailed by cron. Member names, notes, unit names and claim ids come from
outside the association, so text starting with `=`, `+`, `-`, `@`, a tab or a carriage
return must stay text in every workbook the tool writes — never a formula cell. Resident
id numbers carry a person's birth date: every report, `--json` document, terminal summary
and the batch log shows them masked (`320705********1234`) unless `--unmask` is given, and
log lines carry neither id numbers nor disease names.

One realistic month is run once for the module (enrol, adjudicate, void, payments,
renewals, validate with and without --json and --unmask, and the monthly batch), and every
file and every text it produced is searched: for `<f>` (a formula) in the sheet XML, for
each full id of the input, and for the first 14 characters of each id (region and birth
date — the part the mask hides, so a damaged or partly changed id is caught too).

The annotated copy is the exception by design: it is the unit's own sheet sent back to the
unit (README: 批注版, 原表每一行…), so its id cells are the unit's own, as written.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from builders import make_id
from cli_workbooks import (
    AS_OF,
    CLAIM_HEADERS,
    CLEAN_ENV,
    MEMBER_HEADERS,
    UNIT_HEADERS,
    write_claims_workbook,
    write_sheets,
    write_units_workbook,
)
from typer.testing import CliRunner

from aidctl.cli import app
from aidctl.plan.params import load_policy

# Text a spreadsheet program would run as a formula (OWASP "CSV injection").
RISKY = [
    "=1+1",
    '=HYPERLINK("http://example.invalid/x","点此")',
    "+86 13800000000",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C calc'!A0",
]
DISEASE_TEXTS = ["恶性肿瘤", "尿毒症"]  # as the clerks wrote them
DISEASE_CODES = ["C1-01", "C1-03"]  # what the catalogue makes of them


def member_id(n: int) -> str:
    """Distinct birth dates, so that each id's 14-character prefix is its own."""
    return make_id(n, region="320705", birth=f"1980{1 + n % 12:02d}{1 + n % 28:02d}")


U1_IDS = [member_id(n) for n in range(1, 6)]
U2_IDS = [member_id(n) for n in range(11, 20)]
BAD_CHECKSUM = U2_IDS[0][:17] + ("0" if U2_IDS[0][17] != "0" else "1")
OLD_15 = "320705800101001"
STRANGER = member_id(40)  # claims, but never enrolled
ALL_IDS = [*U1_IDS, *U2_IDS, BAD_CHECKSUM, STRANGER]


def prefix(ident: str) -> str:
    return ident[:14]


def masked_form(ident: str) -> str:
    return ident[:6] + "*" * 8 + ident[-4:]


# ---------------------------------------------------------------- the month


def units_rows() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    units = [
        {
            "单位编码": "U001",
            "单位名称": RISKY[1],
            "从业人员总数": 5,
            "生效日期": "2026-01-01",
            "受理日期": "2026-01-01",
            "联系人": RISKY[4],
            "联系电话": RISKY[2],
        },
        {
            "单位编码": "U002",
            "单位名称": RISKY[3],
            "从业人员总数": 12,
            "生效日期": "2026-01-01",
            "受理日期": "2026-01-01",
            "联系人": RISKY[5],
            "联系电话": RISKY[0],
        },
    ]
    members = [
        {"单位编码": "U001", "身份证号": ident, "姓名": RISKY[i % len(RISKY)], "用工性质": "正式"}
        for i, ident in enumerate(U1_IDS)
    ]
    members += [
        {"单位编码": "U002", "身份证号": ident, "姓名": f"职工{i}", "用工性质": "正式"}
        for i, ident in enumerate([BAD_CHECKSUM, *U2_IDS[1:]])
    ]
    members.append({"单位编码": "U002", "身份证号": OLD_15, "姓名": RISKY[6], "用工性质": "正式"})
    return units, members


def claims_rows() -> list[dict[str, Any]]:
    def row(claim_id: str, ident: str, name: str, **cells: Any) -> dict[str, Any]:
        return {"理赔编号": claim_id, "身份证号": ident, "姓名": name, "单位编码": "U001", **cells}

    return [
        row(
            "LP-I1",
            U1_IDS[0],
            RISKY[0],
            申请类型="重大疾病",
            病种="恶性肿瘤",
            确诊日期="2026-08-01",
            备注=RISKY[0],
        ),
        row(
            RISKY[7],
            U1_IDS[1],
            RISKY[1],
            申请类型="重大疾病",
            病种="尿毒症",
            确诊日期="2026-08-02",
            备注=RISKY[4],
        ),
        row(
            "LP-D1",
            U1_IDS[2],
            RISKY[2],
            申请类型="意外伤残",
            事故日期="2026-03-01",
            伤残等级="五级",
            治疗终结日期="2026-06-30",
            备注=RISKY[5],
        ),
        row(
            "LP-P1", U1_IDS[3], RISKY[3], 申请类型="重大疾病", 病种="恶性肿瘤", 备注=RISKY[6]
        ),  # no date: pending
        row(
            "LP-N1",
            U1_IDS[4],
            "不是本人",
            申请类型="重大疾病",
            病种="尿毒症",
            确诊日期="2026-08-03",
        ),
        row(
            "LP-X1",
            STRANGER,
            RISKY[3],
            申请类型="重大疾病",
            病种="恶性肿瘤",
            确诊日期="2026-08-04",
            备注=RISKY[2],
        ),
    ]


@dataclass
class Run:
    args: list[str]
    code: int
    stdout: str
    stderr: str


@dataclass
class Month:
    folder: Path
    runs: dict[str, Run] = field(default_factory=dict)

    def run(self, name: str, *args: Any, env: Mapping[str, str | None] | None = None) -> Run:
        result = CliRunner().invoke(
            app, [str(a) for a in args], env={**CLEAN_ENV, **(env or {})}, catch_exceptions=False
        )
        done = Run([str(a) for a in args], result.exit_code, result.stdout, result.stderr)
        assert "Traceback" not in done.stderr, done.stderr
        self.runs[name] = done
        return done

    def workbooks(self) -> list[Path]:
        """Every workbook the tool wrote (not the inputs, nor their copies in the batch's
        inbox and archive)."""
        inputs = {"inputs", "inbox", "archive"}
        return sorted(p for p in self.folder.rglob("*.xlsx") if not inputs & set(p.parts))


# fmt: off
@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> Month:
    folder = tmp_path_factory.mktemp("month")
    inputs, out, unmasked, ws = (folder / n for n in ("inputs", "out", "unmasked", "ws"))
    for made in (inputs, out, unmasked):
        made.mkdir()
    units, members = units_rows()
    units_book = write_units_workbook(inputs / "units.xlsx", units, members)
    claims_book = write_claims_workbook(inputs / "claims.xlsx", claims_rows())
    broken = write_sheets(inputs / "=broken.xlsx", {"理赔申请": [["理赔编号", "姓名"], ["LP-Z", "王"]]})

    db = ["--db", folder / "reg.sqlite3"]
    day = ["--as-of", AS_OF]
    config = ["--config", ws / "aidctl.toml"]
    steps: list[tuple[str, list[Any]]] = [
        ("validate", ["validate-enrollment", units_book, "--out", out / "check.xlsx",
                      "--annotated", out / "check.annotated.xlsx", *db, *day]),
        ("validate --json", ["validate-enrollment", units_book, "--json", "--lang", "en",
                             "--out", out / "check-en.xlsx",
                             "--annotated", out / "check-en.annotated.xlsx", *db, *day]),
        ("enroll", ["enroll", units_book, "--out", out / "enroll.xlsx",
                    "--annotated", out / "enroll.annotated.xlsx", *db, *day]),
        ("adjudicate", ["adjudicate", claims_book, "--out", out / "decisions.xlsx", *db, *day]),
        ("adjudicate --json", ["adjudicate", claims_book, "--dry-run", "--json", "--lang", "en",
                               "--out", out / "decisions-en.xlsx", *db, *day]),
        ("void", ["void", "LP-I1", "--reason", RISKY[1], *db, *day]),
        ("payments", ["payments", "--period", "2026-11", "--out", out / "payments.xlsx", *db]),
        ("payments --json", ["payments", "--period", "2026-11", "--json",
                             "--out", out / "payments-json.xlsx", *db]),
        ("renewals", ["renewals", "--due", "60d", "--out", out / "renewals.xlsx", *db, *day]),
        ("renewals --json", ["renewals", "--due", "60d", "--json",
                             "--out", out / "renewals-json.xlsx", *db, *day]),
        ("explain", ["explain", "LP-D1", *db]),
        ("explain --json", ["explain", "LP-X1", "--json", *db]),  # content: the row as decided
        ("init", ["init", ws]),
        ("batch", ["batch", "run", *config, *day]),
        ("batch (en)", ["batch", "run", *config, *day, "--lang", "en"]),  # nothing new
        ("batch status", ["batch", "status", *config]),
        # with --unmask the full ids are there: the searches below can find them
        ("unmasked validate", ["validate-enrollment", units_book, "--json", "--unmask",
                               "--out", unmasked / "check.xlsx",
                               "--annotated", unmasked / "check.annotated.xlsx", *db, *day]),
        ("unmasked adjudicate", ["adjudicate", claims_book, "--dry-run", "--json", "--unmask",
                                 "--out", unmasked / "decisions.xlsx", *db, *day]),
        ("unmasked explain --json", ["explain", "LP-X1", "--json", "--unmask", *db]),
    ]
    m = Month(folder)
    old_umask = os.umask(0o000)  # L153: what aidctl writes is owner-only whatever the umask
    try:
        for name, args in steps:
            m.run(name, *args)
            if name == "init":  # the month's two inputs and a file the batch refuses
                shutil.copy(units_book, ws / "inbox" / "01-units.xlsx")
                shutil.copy(claims_book, ws / "inbox" / "02-claims.xlsx")
                shutil.copy(broken, ws / "inbox" / broken.name)
    finally:
        os.umask(old_umask)
    return m
# fmt: on


def sheet_xml(path: Path) -> dict[str, str]:
    """Every XML part of a workbook that holds cell text: sheets and shared strings."""
    with zipfile.ZipFile(path) as archive:
        return {
            name: archive.read(name).decode("utf-8")
            for name in archive.namelist()
            if name.startswith("xl/worksheets/") or name == "xl/sharedStrings.xml"
        }


def workbook_text(path: Path) -> str:
    return "\n".join(sheet_xml(path).values())


def leaks(text: str, ids: list[str] = ALL_IDS) -> list[str]:
    """The ids (or their region+birth-date prefix) found in `text`."""
    return [ident for ident in ids if ident in text or prefix(ident) in text]


# ---------------------------------------------------------------- the month ran


def test_the_month_ran(month: Month) -> None:
    codes = {name: run.code for name, run in month.runs.items()}
    assert codes == {
        "validate": 1,  # U002 is short and has bad ids
        "validate --json": 1,
        "enroll": 1,
        "adjudicate": 1,  # LP-P1 and LP-N1 pending
        "adjudicate --json": 1,
        "void": 0,
        "payments": 0,
        "payments --json": 0,
        "renewals": 0,
        "renewals --json": 0,
        "explain": 0,
        "init": 0,
        "batch": 1,
        "batch (en)": 0,  # nothing new in the inbox
        "batch status": 0,
        "unmasked validate": 1,
        "unmasked adjudicate": 1,
        "explain --json": 0,
        "unmasked explain --json": 0,
    }
    decided = {
        c["claim_id"]: c["status"]
        for c in json.loads(month.runs["adjudicate --json"].stdout)["claims"]
    }
    assert decided["LP-I1"] == decided[RISKY[7]] == decided["LP-D1"] == "approved"
    assert json.loads(month.runs["payments --json"].stdout)["payments"] == 4  # 3 paid, 1 reversed
    assert len(month.workbooks()) >= 15


# ---------------------------------------------------------------- no formulas


def test_every_workbook_written_is_covered(month: Month) -> None:
    names = {p.relative_to(month.folder).as_posix() for p in month.workbooks()}
    outbox = {n for n in names if n.startswith("ws/outbox/")}
    assert {
        "out/check.xlsx",
        "out/check.annotated.xlsx",
        "out/enroll.xlsx",
        "out/enroll.annotated.xlsx",
        "out/decisions.xlsx",
        "out/payments.xlsx",
        "out/renewals.xlsx",
    } <= names
    kinds = {re.sub(r"^(batch)-.*", r"\1", Path(n).name) for n in outbox}
    assert {
        "01-units.enroll.xlsx",
        "01-units.enroll.批注.xlsx",
        "02-claims.decisions.xlsx",
        "renewals-20261128.xlsx",
        "batch",
    } <= kinds


def test_no_workbook_holds_a_formula_or_an_error_cell(month: Month) -> None:
    for path in month.workbooks():
        for part, xml in sheet_xml(path).items():
            assert not re.search(r"<(\w+:)?f[ >/]", xml), f"formula in {path.name}:{part}"
            assert not re.search(r'\bt="e"', xml), f"error cell in {path.name}:{part}"


@pytest.mark.parametrize(
    ("report", "texts"),
    [
        ("out/check.annotated.xlsx", ["=1+1", "@SUM(A1:A9)", "+86 13800000000", "-2+3"]),
        ("out/check.xlsx", ["=HYPERLINK(", "@SUM(A1:A9)", "+86 13800000000"]),
        ("out/decisions.xlsx", ["=1+1", "@SUM(A1:A9)", "=cmd|"]),
        ("out/payments.xlsx", ["=cmd|", "=HYPERLINK("]),  # claim id, unit name, void reason
        ("out/renewals.xlsx", ["=HYPERLINK(", "@SUM(A1:A9)", "+86 13800000000"]),
    ],
)
def test_the_formula_like_text_is_there_as_text(
    month: Month, report: str, texts: list[str]
) -> None:
    """The check above is not vacuous: the risky inputs reached these reports, as text."""
    text = workbook_text(month.folder / report)
    for risky in texts:
        escaped = risky.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
        assert risky in text or escaped in text, (report, risky)


def test_the_batch_summary_names_a_formula_like_file_as_text(month: Month) -> None:
    summaries = list((month.folder / "ws" / "outbox").rglob("batch-*.xlsx"))
    assert len(summaries) == 2  # the run with three files, and the rerun with none
    assert any("=broken.xlsx" in workbook_text(path) for path in summaries)


# ---------------------------------------------------------------- ids masked


def test_reports_mask_every_id(month: Month) -> None:
    for path in month.workbooks():
        if ".annotated." in path.name or ".批注." in path.name or "unmasked" in path.parts:
            continue
        assert leaks(workbook_text(path)) == [], path
    decisions = workbook_text(month.folder / "out" / "decisions.xlsx")
    assert masked_form(U1_IDS[0]) in decisions
    assert masked_form(STRANGER) in decisions
    payments = workbook_text(month.folder / "out" / "payments.xlsx")
    assert masked_form(U1_IDS[1]) in payments
    issues = workbook_text(month.folder / "out" / "check.xlsx")
    assert masked_form(BAD_CHECKSUM) in issues
    assert "320**********01" in issues  # the 15-digit id: at most 3 + 2 characters shown


def test_json_and_terminal_output_mask_every_id(month: Month) -> None:
    for name, run in month.runs.items():
        if name.startswith("unmasked"):
            continue
        assert leaks(run.stdout) == [], name
        assert leaks(run.stderr) == [], name
    doc = json.loads(month.runs["validate --json"].stdout)
    shown = {i["id_number"] for i in doc["member_issues"]}
    assert masked_form(BAD_CHECKSUM) in shown
    assert "320**********01" in shown
    assert masked_form(U1_IDS[2]) in month.runs["explain"].stdout


def test_unmask_shows_the_full_ids(month: Month) -> None:
    """The positive control: asked for, the full ids are there (so the searches work)."""
    doc = json.loads(month.runs["unmasked validate"].stdout)
    assert BAD_CHECKSUM in {i["id_number"] for i in doc["member_issues"]}
    decisions = workbook_text(month.folder / "unmasked" / "decisions.xlsx")
    assert U1_IDS[0] in decisions and STRANGER in decisions


def test_the_annotated_copy_holds_the_units_own_ids_as_written(month: Month) -> None:
    """By design (README): the unit's own sheet goes back to the unit. It holds the ids of
    its own rows, and no other."""
    _units, members = units_rows()
    own = [m["身份证号"] for m in members]
    text = workbook_text(month.folder / "out" / "check.annotated.xlsx")
    assert all(ident in text for ident in own)
    assert STRANGER not in text and prefix(STRANGER) not in text


# ---------------------------------------------------------------- logs


def _log_lines(month: Month) -> list[str]:
    lines = (month.folder / "ws" / "aidctl.log").read_text(encoding="utf-8").splitlines()
    for run in month.runs.values():
        lines += [line for line in run.stdout.splitlines() if line.startswith("aidctl batch:")]
        lines += run.stderr.splitlines()  # stage lines and refusals
    return lines


def test_logs_carry_no_ids_and_no_disease_names(month: Month) -> None:
    policy = load_policy(None)
    names = [d.zh for d in policy.catalogue.diseases if d.code in DISEASE_CODES]
    names += [d.en for d in policy.catalogue.diseases if d.code in DISEASE_CODES]
    assert len(names) == 4
    lines = _log_lines(month)
    assert any("rejected" in line for line in lines)  # the refused file is logged…
    assert any(re.match(r"aidctl: (read|check|decide|record|write) ", line) for line in lines)
    text = "\n".join(lines)
    assert leaks(text) == []
    assert leaks(text, [OLD_15]) == []
    for disease in [*DISEASE_TEXTS, *names]:
        assert disease not in text, disease


def test_the_batch_log_says_what_happened(month: Month) -> None:
    log = (month.folder / "ws" / "aidctl.log").read_text(encoding="utf-8")
    # L142: a non-compliant unit and pending claims are the clerks' work ("done"); only the
    # rejected file asks the operator to act
    assert "01-units.xlsx: units done" in log
    assert "02-claims.xlsx: claims done" in log
    assert "=broken.xlsx: rejected" in log


# ---------------------------------------------------------------- a known leak


def test_an_id_stored_as_a_number_is_not_shown_in_messages(tmp_path: Path) -> None:
    ident = next(i for i in map(member_id, range(60, 80)) if i[-1] != "X")  # a number
    book = write_sheets(
        tmp_path / "u.xlsx",
        {
            "参保单位": [UNIT_HEADERS, ["U1", "甲", 1, "2026-01-01"]],
            "参保职工": [MEMBER_HEADERS, ["U1", int(ident), "张三", "正式"]],
        },
    )
    result = CliRunner().invoke(
        app,
        [
            "validate-enrollment",
            str(book),
            "--db",
            str(tmp_path / "r.sqlite3"),
            "--as-of",
            AS_OF,
            "--json",
            "--out",
            str(tmp_path / "check.xlsx"),
        ],
        env=CLEAN_ENV,
    )
    doc = json.loads(result.stdout)
    assert [i["code"] for i in doc["member_issues"]][:1] == ["ID_STORED_AS_NUMBER"]
    assert leaks(result.stdout, [ident]) == []
    assert leaks(workbook_text(tmp_path / "check.xlsx"), [ident]) == []


def test_claim_headers_are_the_ones_the_month_uses() -> None:
    assert {k for row in claims_rows() for k in row} <= set(CLAIM_HEADERS)


# ---------------------------------------------------------------- issue 10.4 (L153, L156)

# folders the test made itself (before the umask was lifted) and what it copied in
_NOT_AIDCTLS = {"inputs", "inbox", "archive"}


def test_every_file_aidctl_wrote_is_owner_only_under_umask_000_l153(month: Month) -> None:
    """The month ran with umask 000: every report, annotated copy, export, log and the
    register are 0600 all the same, and every folder aidctl made is 0700."""
    files = dirs = 0
    for path in sorted(month.folder.rglob("*")):
        rel = path.relative_to(month.folder)
        made_by_the_test = path.is_dir() and rel.parts[0] in ("out", "unmasked")
        if _NOT_AIDCTLS & set(rel.parts) or rel.parts[0] == "inputs" or made_by_the_test:
            continue
        mode = path.stat().st_mode & 0o777
        if path.is_dir():
            if rel.parts[0] == "ws":
                assert mode == 0o700, (rel, oct(mode))
                dirs += 1
        else:
            assert mode == 0o600, (rel, oct(mode))
            files += 1
    assert files >= 15 and dirs >= 3
    # the units' own files, once the batch holds them, are owner-only too (L153)
    archived = [p for p in month.folder.rglob("archive/*") if p.is_file()]
    assert archived
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in archived), [
        (p.name, oct(p.stat().st_mode & 0o777)) for p in archived
    ]


def test_no_scratch_or_staged_file_is_left_beside_the_reports_l153(month: Month) -> None:
    hidden = [p for p in month.folder.rglob(".*") if p.name != ".lock"]
    assert [p.name for p in hidden if "aidctl-scratch" in p.name or ".tmp" in p.name] == []
    assert [p.name for p in hidden if ".staged" in p.name or ".building" in p.name] == []


def test_explain_json_content_masks_the_id_and_hides_the_diagnosis_l156(month: Month) -> None:
    """`explain --json` prints each decision's `content` (the row as decided): without
    --unmask its id is masked and the diagnosis as written hidden; with it, both are there
    (the check is not vacuous)."""
    masked_doc = json.loads(month.runs["explain --json"].stdout)
    content = masked_doc[0]["content"]
    assert leaks(content) == []
    assert masked_form(STRANGER) in content
    assert not any(text in month.runs["explain --json"].stdout for text in DISEASE_TEXTS)
    full = month.runs["unmasked explain --json"].stdout
    assert STRANGER in json.loads(full)[0]["content"]
    assert "恶性肿瘤" in full


def test_unmask_is_recorded_in_the_run_the_log_and_the_first_sheet_l156(tmp_path: Path) -> None:
    import openpyxl

    from aidctl.register import Register

    units, members = units_rows()
    book = write_units_workbook(tmp_path / "units.xlsx", units, members)
    db = tmp_path / "reg.sqlite3"
    out = tmp_path / "enroll.xlsx"
    result = CliRunner().invoke(
        app,
        [str(a) for a in ("enroll", book, "--db", db, "--as-of", AS_OF, "--out", out)]
        + ["--unmask", "--lang", "en"],
        env=CLEAN_ENV,
        catch_exceptions=False,
    )
    assert result.exit_code == 1
    with Register.open_read_only(db) as reg:
        (run,) = reg.runs()
        record = reg.run(run["run_id"])
    assert record is not None
    note = record["counts"]["unmask"]
    assert note["by"] and note["at"][:4] == "20" + note["at"][2:4]
    trace = [line for line in result.stderr.splitlines() if "--unmask" in line]
    assert len(trace) == 1 and run["run_id"] in trace[0] and note["by"] in trace[0]
    first = openpyxl.load_workbook(out, read_only=True).worksheets[0]
    cells = [str(c) for row in first.iter_rows(values_only=True) for c in row if c is not None]
    assert any("--unmask" in c for c in cells)
    # and without --unmask: no such note anywhere
    again = CliRunner().invoke(
        app,
        [str(a) for a in ("enroll", book, "--db", db, "--as-of", AS_OF, "--out", out)],
        env=CLEAN_ENV,
        catch_exceptions=False,
    )
    assert "--unmask" not in again.stderr
    with Register.open_read_only(db) as reg:
        latest = reg.run(reg.runs()[0]["run_id"])
    assert latest is not None and "unmask" not in latest["counts"]


def _aidctl(*args: Any, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aidctl", *[str(a) for a in args]],
        env={**{k: v for k, v in os.environ.items() if k not in CLEAN_ENV}, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_killed_runs_scratch_holds_ids_and_the_next_run_removes_it_l153(
    tmp_path: Path,
) -> None:
    """kill -9 while a report is streamed: openpyxl's scratch files (full ids in them) are in
    the private folder under the report's folder, never in /tmp; the next run removes them,
    after which the scanner finds no full id in the folder."""
    units, members = units_rows()
    book = write_units_workbook(tmp_path / "units.xlsx", units, members)
    reports = tmp_path / "reports"
    reports.mkdir()
    db = tmp_path / "reg.sqlite3"
    args = ("enroll", book, "--db", db, "--as-of", AS_OF, "--out", reports / "e.xlsx")
    killed = _aidctl(*args, env={"AIDCTL_CRASH_AT": "workbook-streamed"})
    assert killed.returncode == -9
    scratch = reports / ".aidctl-scratch"
    left = [p for p in scratch.rglob("*") if p.is_file()]
    assert left, "the kill left no scratch file: the test proves nothing"
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in left)
    assert (scratch.stat().st_mode & 0o777) == 0o700
    # nothing was recorded: the run died before its commit
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM runs").fetchone()[0] == 0
    done = _aidctl(*args, env={})
    assert done.returncode == 1, done.stderr
    assert not scratch.exists()
    text = ""
    for path in reports.rglob("*"):
        if path.is_file() and ".annotated." not in path.name and ".批注." not in path.name:
            text += workbook_text(path) if path.suffix == ".xlsx" else path.read_text("utf-8")
    assert leaks(text) == []
    assert sorted(p.name for p in reports.iterdir() if p.name.startswith(".")) == []
