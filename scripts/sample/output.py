"""Writing the sample: the workbooks as clerks fill them, the expected decisions (the
scenario files of tests/scenarios/sample/, EXPECTED.md), and `generate`, which builds
everything from one seed."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from .base import (
    APPROVED,
    AS_OF,
    CLAIM_HEADERS,
    CLAIMS_SHEET,
    DEFAULT_SEED,
    MEMBER_HEADERS,
    MEMBERS_SHEET,
    PENDING,
    PLAN_TOML,
    REJECTED,
    REQUIRED_REASON_CODES,
    UNIT_HEADERS,
    UNITS_HEADER_ROW,
    UNITS_SHEET,
    claim_clause,
    load_plan,
)
from .scenario_files import Expected, write_scenarios
from .scenarios import (
    Claim,
    _claims_2025,
    _claims_2026,
)
from .world import (
    RenewalExpectation,
    UnitExpectation,
    World,
)

# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------


def _autowidth(ws: Any, headers: Sequence[str], widths: dict[str, int]) -> None:
    for i, h in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = widths.get(h, 12)


# fmt: off
WIDTHS = {
    "单位编码": 22, "单位名称": 34, "身份证号": 21, "生效日期": 13, "增员日期": 13, "联系电话": 15,
    "工资总额": 13, "病种": 26, "理赔编号": 13, "备注": 16, "除外情形": 12, "聘用期限（月）": 14,
}
# fmt: on


def write_units_workbook(path: Path, world: World, year: int) -> None:
    """A clerk's units workbook: title rows, the units sheet, the members sheet."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = UNITS_SHEET
    plan_year = 2025 if year == 2025 else 2026
    ws.append([f"连云港市职工重大疾病和意外伤害互助保障计划 {plan_year}年度参保单位汇总表"])
    ws.append([f"填报单位：连云港市职工互助互济会（盖章）    填报日期：{plan_year}年11月20日"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(UNIT_HEADERS))
    ws.append(list(UNIT_HEADERS))
    for unit in world.units:
        contract = (
            next((c for c in unit.contracts if c.year == 2025), None)
            if year == 2025
            else unit.current
        )
        if contract is None:
            continue
        cells = world.unit_cells[id(contract)]
        ws.append([cells[h] for h in UNIT_HEADERS])
    ws.freeze_panes = f"A{UNITS_HEADER_ROW + 1}"
    _autowidth(ws, UNIT_HEADERS, WIDTHS)
    ms = wb.create_sheet(MEMBERS_SHEET)
    ms.append(list(MEMBER_HEADERS))
    for row in world.rows[year]:
        ms.append(
            [
                row.unit.code,
                row.id_cell,
                row.name_cell,
                row.type_cell,
                row.months_cell,
                row.join_cell,
            ]
        )
    ms.freeze_panes = "A2"
    _autowidth(ms, MEMBER_HEADERS, WIDTHS)
    _fixed_properties(wb)
    wb.save(path)


def write_claims_workbook(path: Path, rows: Sequence[Claim]) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = CLAIMS_SHEET
    ws.append(list(CLAIM_HEADERS))
    for c in rows:
        ws.append([c.cells[h] for h in CLAIM_HEADERS])
    ws.freeze_panes = "B2"
    _autowidth(ws, CLAIM_HEADERS, WIDTHS)
    _fixed_properties(wb)
    wb.save(path)


def _fixed_properties(wb: Workbook) -> None:
    wb.properties.creator = "连云港市职工互助互济会"
    wb.properties.created = dt.datetime(2026, 11, 20, 9, 0, 0)


# --------------------------------------------------------------------------------------
# The result
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimExpectation:
    file: str
    row: int
    claim_id: str
    status: str
    amount: int
    reason_code: str
    why: str
    scenario: bool
    clause: str = ""  # the clauses the decision rests on (base.REASON_CLAUSES)


@dataclass(frozen=True)
class MemberFinding:
    file: str
    row: int
    unit_key: str
    unit_code: str
    id_number: str
    code: str
    severity: str
    why: str


@dataclass
class SampleData:
    """What was written and what the tool must say about it."""

    seed: int
    as_of: dt.date
    policy_version: str
    files: dict[str, Path]
    units: list[UnitExpectation]
    member_findings: list[MemberFinding]
    renewals: list[RenewalExpectation]
    claims: list[ClaimExpectation]
    spells: list[dict[str, Any]]
    notes: list[str]
    member_rows: dict[str, int]
    broken_ids: list[str]  # id cells that must fail GB 11643 (length, checksum, date)
    warning_ids: list[str]  # ids valid but for the region code (E3 warning)

    def by_reason(self, file: str | None = None) -> dict[str, list[ClaimExpectation]]:
        out: dict[str, list[ClaimExpectation]] = {}
        for c in self.claims:
            if file is None or c.file == file:
                out.setdefault(c.reason_code, []).append(c)
        return out


def generate(
    outdir: str | Path,
    seed: int = DEFAULT_SEED,
    plan_path: Path = PLAN_TOML,
    scenarios: str | Path | None = None,
) -> SampleData:
    """Write the four workbooks and EXPECTED.md into `outdir`, and the expected decisions as
    scenario files into `scenarios` (default `outdir/scenarios`; `make sample` names
    tests/scenarios/sample); return what to expect."""
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    plan = load_plan(plan_path)
    world = World(seed, plan)
    used: set[str] = set()
    book25, earlier = _claims_2025(world, random.Random(f"{seed}:claims2025"), used)
    rows25 = book25.number("claims_2025.xlsx")
    book26 = _claims_2026(world, random.Random(f"{seed}:claims2026"), used, earlier)
    rows26 = book26.number("claims.xlsx")

    files = {
        "units_2025.xlsx": out / "units_2025.xlsx",
        "units.xlsx": out / "units.xlsx",
        "claims_2025.xlsx": out / "claims_2025.xlsx",
        "claims.xlsx": out / "claims.xlsx",
    }
    write_units_workbook(files["units_2025.xlsx"], world, 2025)
    write_units_workbook(files["units.xlsx"], world, 2026)
    write_claims_workbook(files["claims_2025.xlsx"], rows25)
    write_claims_workbook(files["claims.xlsx"], rows26)

    claims = [
        ClaimExpectation(
            c.file,
            c.excel_row,
            c.claim_id,
            c.status,
            c.amount,
            c.reason,
            c.why,
            c.scenario,
            claim_clause(c.reason, str(c.cells["申请类型"] or "")),
        )
        for c in [*rows25, *rows26]
    ]
    findings = []
    for year, file in ((2025, "units_2025.xlsx"), (2026, "units.xlsx")):
        for n, row in enumerate(world.rows[year], start=2):
            if row.code or row.severity:
                findings.append(
                    MemberFinding(
                        file,
                        n,
                        row.unit.key,
                        row.unit.code,
                        row.id_cell,
                        row.code,
                        row.severity or "error",
                        row.why,
                    )
                )
    spells = [
        {
            "id_number": s.person.id_number,
            "name": s.person.name,
            "unit_code": s.unit.code,
            "contract_no": s.contract.contract_no,
            "term_start": s.contract.effective,
            "term_end": s.end,
            "spell_start": s.start,
            "first_time": s.first_time,
            "policy_version": plan.version,
        }
        for s in world.spells
    ]
    broken = [r.id_cell for r in world.rows[2026] if r.code == "INVALID_ID"]
    warning = [world.specials["warning"].id_number]
    notes = [
        *world.notes,
        *(f"{u.key} {u.spec.name}: {u.spec.note}" for u in world.units if u.spec.note),
    ]
    result = SampleData(
        seed=seed,
        as_of=AS_OF,
        policy_version=plan.version,
        files=files,
        units=[*world.unit_expectations(2025), *world.unit_expectations(2026)],
        member_findings=findings,
        renewals=world.renewals(),
        claims=claims,
        spells=spells,
        notes=notes,
        member_rows={"units_2025.xlsx": len(world.rows[2025]), "units.xlsx": len(world.rows[2026])},
        broken_ids=broken,
        warning_ids=warning,
    )
    written = write_scenarios(
        Path(scenarios) if scenarios is not None else out / "scenarios",
        (
            Expected(
                c.file,
                c.row,
                c.claim_id,
                c.status,
                c.amount,
                c.reason_code,
                c.clause,
                c.why,
                c.scenario,
            )
            for c in claims
        ),
        AS_OF,
        seed,
    )
    files.update({f"scenarios/{name}": path for name, path in written.items()})
    files["EXPECTED.md"] = out / "EXPECTED.md"
    files["EXPECTED.md"].write_text(render_expected(result), encoding="utf-8")
    return result


def _mask(number: str) -> str:
    return number if len(number) < 10 else number[:6] + "*" * (len(number) - 10) + number[-4:]


def render_expected(data: SampleData) -> str:
    """EXPECTED.md: the short tables a reader (or a test) checks the tool's answers against."""
    lines = [
        "# Expected results of the sample data",
        "",
        f"Written by `scripts/make_sample_data.py` (seed {data.seed}, parameters `{data.policy_version}`);",
        "regenerate with `make sample`, never edit by hand. Every row of the claims files, with its",
        "expected status, amount, reason code and clauses, is in the scenario files",
        "`tests/scenarios/sample/<reason_code>.toml` (one per reason code; `make test` runs them).",
        "",
        f"As-of date: **{data.as_of}**. The expectations hold for this order, every command with",
        f"`--as-of {data.as_of}` and one fresh register:",
        "",
        "1. `aidctl enroll sample_data/units_2025.xlsx`",
        "2. `aidctl adjudicate sample_data/claims_2025.xlsx`",
        "3. `aidctl enroll sample_data/units.xlsx`",
        "4. `aidctl adjudicate sample_data/claims.xlsx`",
        "5. `aidctl renewals`",
        "",
        "The 2025 contracts are the register's first: each is a first enrolment, so claims in",
        "their first 180 days meet the waiting periods (A2.2). Units due, in grace or lapsed carry",
        "only their 2025 contract and appear identically in both units files.",
        "",
        "## Counts",
        "",
        "| file | units | member rows | claims |",
        "|---|---|---|---|",
    ]
    n_units = {f: sum(u.file == f for u in data.units) for f in ("units_2025.xlsx", "units.xlsx")}
    for f in ("units_2025.xlsx", "units.xlsx"):
        lines.append(f"| {f} | {n_units[f]} | {data.member_rows[f]} | |")
    for f in ("claims_2025.xlsx", "claims.xlsx"):
        lines.append(f"| {f} | | | {sum(c.file == f for c in data.claims)} |")
    lines += [
        "",
        "## Units of units.xlsx that do not pass, or pass with a warning",
        "",
        "Reason and finding codes: `INDIVIDUAL_SHARE_ABOVE_20`, `INVALID_ID`, `DUPLICATE_MEMBER` and",
        "`ENROLLED_IN_OTHER_UNIT` are rules.md's (E3, E4); the others are aidctl's names for what E1,",
        "E2 and formats.md require. For an invalid unit only the status is meant.",
        "",
        "| unit | 单位编码 | 单位名称 | status | staff | eligible | shortfall | reasons | why |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for u in data.units:
        if u.file == "units.xlsx" and (u.status != "compliant" or u.reasons):
            staff = "" if u.total_staff is None else u.total_staff
            lines.append(
                f"| {u.key} | {u.unit_code} | {u.unit_name} | {u.status} | {staff} | {u.eligible} | "
                f"{u.shortfall} | {', '.join(u.reasons)} | {u.why} |"
            )
    compliant = [
        u
        for u in data.units
        if u.file == "units.xlsx" and u.status == "compliant" and not u.reasons
    ]
    lines += [
        "",
        f"The other {len(compliant)} units of units.xlsx, and all "
        f"{n_units['units_2025.xlsx']} of units_2025.xlsx, are compliant. A row of N01 is",
        "`ENROLLED_IN_OTHER_UNIT` only when units_2025.xlsx was enrolled first (step 1 above).",
        "",
        "## Member rows with a finding",
        "",
        "| file | row | unit | id | code | severity | why |",
        "|---|---|---|---|---|---|---|",
    ]
    for m in data.member_findings:
        lines.append(
            f"| {m.file} | {m.row} | {m.unit_key} | `{_mask(m.id_number)}` | {m.code} | {m.severity} | {m.why} |"
        )
    lines += [
        "",
        "## Units with a role",
        "",
        *(f"- {note}" for note in data.notes),
    ]
    lines += [
        "",
        f"## Renewals on {data.as_of}",
        "",
        "| unit | 单位名称 | 履约单号 | expiry | status | renew by |",
        "|---|---|---|---|---|---|",
    ]
    for r in data.renewals:
        lines.append(
            f"| {r.key} | {r.unit_name} | {r.contract_no} | {r.expiry} | {r.status} | {r.renew_by} |"
        )
    lines += [
        "",
        "## Diagnoses",
        "",
        "The 病种 cells hold diagnoses as hospitals write them (胃窦低分化腺癌, 急性前壁心肌梗死",
        "冠状动脉支架植入术, 脑膜瘤 …), some with an ICD-10 code in 诊断编码. Each is a row of",
        "`tests/data/diagnoses.csv`, chosen by the outcome D10 gives it (docs/rules.md): listed",
        "for a payment, to a person for `AMBIGUOUS_DISEASE` (中风, 颅内肿瘤 …), unrecognised for",
        "`UNRECOGNISED_DISEASE` (见附件), unlisted for `DISEASE_NOT_LISTED` (高血压 …).",
    ]
    for f in ("claims_2025.xlsx", "claims.xlsx"):
        lines += [
            "",
            f"## {f}: reason codes",
            "",
            "| reason_code | status | claims | claim_ids (scenarios; `+n` ordinary ones in its scenario file) |",
            "|---|---|---|---|",
        ]
        by = data.by_reason(f)
        order = [r for r in REQUIRED_REASON_CODES if r in by]
        for reason in order:
            cs = by[reason]
            ids = [c.claim_id for c in cs if c.scenario]
            extra = len(cs) - len(ids)
            shown = ", ".join(ids) + (f" +{extra}" if extra else "")
            statuses = "/".join(dict.fromkeys(c.status for c in cs))
            lines.append(f"| {reason} | {statuses} | {len(cs)} | {shown} |")
        amount = sum(c.amount for c in data.claims if c.file == f)
        counts = {
            s: sum(c.file == f and c.status == s for c in data.claims)
            for s in (APPROVED, REJECTED, PENDING)
        }
        lines += [
            "",
            f"Totals: approved {counts[APPROVED]}, rejected {counts[REJECTED]}, pending {counts[PENDING]}; "
            f"amount {amount} yuan.",
            "",
            "| row | claim_id | status | amount | reason_code | why |",
            "|---|---|---|---|---|---|",
        ]
        for c in data.claims:
            if c.file == f and c.scenario:
                lines.append(
                    f"| {c.row} | {c.claim_id} | {c.status} | {c.amount} | {c.reason_code} | {c.why} |"
                )
    lines.append("")
    return "\n".join(lines)
