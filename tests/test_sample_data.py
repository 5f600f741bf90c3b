"""The sample-data generator (scripts/make_sample_data.py) and the files it commits.

Why these tests: sample_data/ is what the demo runs and what later tests hold the tool to
(sample_data/EXPECTED.md, and the expected decisions as the scenario files of
tests/scenarios/sample/, run by tests/test_scenarios.py). It is only worth that if it is reproducible
(same seed, same cells), complete (every reason code of docs/rules.md steps 1–10 and L1 …
is exercised), valid where it claims to be (GB 11643 ids, GB 32100 unit codes, the Chinese
headers of docs/formats.md) and broken exactly where it says so.
The expectations are also checked against the rules they cite, independently of the tool:
each waiting-period decision against the cover day of the member's spell (D2, D4, D6).
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.util
import re
import sys
import tomllib
from pathlib import Path
from types import ModuleType
from typing import Any

import polars as pl
import pytest
from openpyxl import load_workbook
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError

from aidctl.core.diagnosis import read_diagnoses
from aidctl.plan import load_policy

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "make_sample_data.py"
COMMITTED = ROOT / "sample_data"
COMMITTED_SCENARIOS = ROOT / "tests" / "scenarios" / "sample"
AS_OF = dt.date(2026, 11, 28)

# docs/formats.md, first Chinese name of each key, in the generator's column order.
UNIT_HEADERS = [
    "单位编码",
    "单位名称",
    "从业人员总数",
    "生效日期",
    "履约单号",
    "个人分担比例",
    "工资总额",
    "联系人",
    "联系电话",
    "受理日期",  # D5: the day each roster was received
]
MEMBER_HEADERS = ["单位编码", "身份证号", "姓名", "用工性质", "聘用期限（月）", "增员日期"]
CLAIM_HEADERS = [
    "理赔编号",
    "身份证号",
    "姓名",
    "单位编码",
    "申请类型",
    "病种",
    "诊断编码",  # D10: the optional ICD-10 code beside the diagnosis
    "确诊日期",
    "事故日期",
    "伤残等级",
    "治疗终结日期",
    "死亡日期",
    "见义勇为",
    "除外情形",
    "既往症未告知",
    "欺诈",
    "备注",
]
# Every reason code of docs/rules.md steps 1–10 and L1 … (written out here rather
# than taken from the generator, so a code dropped there is caught).
REASON_CODES = {
    "MISSING_FIELD",
    "INVALID_VALUE",
    "DATE_AFTER_AS_OF",
    "DUPLICATE_CLAIM_ID",
    "ALREADY_DECIDED",
    "CLAIM_CONFLICT",
    "POSSIBLE_DUPLICATE",
    "SAME_ACCIDENT_REGRADE",
    "NO_COVERAGE",
    "NAME_MISMATCH",
    "UNIT_MISMATCH",
    "EXCLUDED_FRAUD",
    "EXCLUDED_PREEXISTING",
    "EXCLUDED_CAUSE",
    "AMBIGUOUS_CAUSE",
    "CONFLICTING_FACTS",
    "DISEASE_NOT_LISTED",
    "AMBIGUOUS_DISEASE",
    "UNRECOGNISED_DISEASE",
    "DISEASE_PAID_IN_EARLIER_TERM",
    "DISEASE_EXCLUDED_AFTER_WAITING",
    "RELATED_DISEASE_REVIEW",
    "CONSOLATION",
    "CONSOLATION_ALREADY_PAID",
    "REDUCED_30",
    "FULL_BENEFIT",
    "PARTIAL_CAP",
    "DISEASE_CAP_REACHED",
    "GRADE_NOT_COVERED",
    "TREATMENT_NOT_ENDED",
    "DISABILITY_GRADE",
    "DEATH_NOT_WITHIN_MONTH",
    "ACCIDENTAL_DEATH",
    "ACCIDENT_CAP_REACHED",
}
PENDING = {
    "MISSING_FIELD",
    "INVALID_VALUE",
    "DATE_AFTER_AS_OF",
    "SAME_ACCIDENT_REGRADE",
    "AMBIGUOUS_CAUSE",
    "UNRECOGNISED_DISEASE",
    "RELATED_DISEASE_REVIEW",
    "DUPLICATE_CLAIM_ID",
    "CLAIM_CONFLICT",
    "POSSIBLE_DUPLICATE",
    "NAME_MISMATCH",
    "UNIT_MISMATCH",
    "CONFLICTING_FACTS",
    "AMBIGUOUS_DISEASE",
    "TREATMENT_NOT_ENDED",
}
APPROVED = {
    "CONSOLATION",
    "REDUCED_30",
    "FULL_BENEFIT",
    "PARTIAL_CAP",
    "DISABILITY_GRADE",
    "ACCIDENTAL_DEATH",
}
SAMPLE_FILES = ("units_2025.xlsx", "units.xlsx", "claims_2025.xlsx", "claims.xlsx")


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_sample_data", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


msd = _load_generator()


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return msd.generate(tmp_path_factory.mktemp("sample"))


def scenario_texts(directory: Path) -> dict[str, str]:
    """name -> text of every scenario file the generator wrote into `directory`."""
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(directory.glob("*.toml"))}


def cells(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every sheet's cell values, row by row (read once per file version)."""
    return _cells(Path(path), Path(path).stat().st_mtime_ns)


@functools.cache
def _cells(path: Path, _version: int) -> dict[str, list[tuple[Any, ...]]]:
    wb = load_workbook(path)
    try:
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}
    finally:
        wb.close()


def as_date(cell: Any) -> dt.date:
    """A date cell as the generator writes it: a real date or one of four text styles."""
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    text = str(cell)
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text) or re.fullmatch(
        r"(\d{4})(\d{2})(\d{2})", text
    )
    assert m, text
    return dt.date(*(int(g) for g in m.groups()))


def claim_rows(sample: Any, file: str) -> dict[int, dict[str, Any]]:
    """Excel row number -> {header: value} of a claims file."""
    rows = cells(sample.files[file])["理赔申请"]
    header = list(rows[0])
    return {n: dict(zip(header, row, strict=True)) for n, row in enumerate(rows[1:], start=2)}


# --------------------------------------------------------------------------------------


def test_same_seed_gives_the_same_cells(sample: Any, tmp_path: Path) -> None:
    """Determinism: the script run again (as a command) writes identical cell values."""
    assert msd.main([str(tmp_path)]) == 0
    for name in SAMPLE_FILES:
        assert cells(tmp_path / name) == cells(sample.files[name]), name
    assert (tmp_path / "EXPECTED.md").read_text(encoding="utf-8") == sample.files[
        "EXPECTED.md"
    ].read_text(encoding="utf-8")
    generated = scenario_texts(sample.files["EXPECTED.md"].parent / "scenarios")
    assert generated and scenario_texts(tmp_path / "scenarios") == generated


def test_another_seed_gives_other_people(sample: Any, tmp_path: Path) -> None:
    other = msd.generate(tmp_path, seed=sample.seed + 1)
    ids = {s["id_number"] for s in sample.spells}
    assert not ids & {s["id_number"] for s in other.spells}
    assert {c.reason_code for c in other.claims} >= REASON_CODES


def test_committed_sample_data_is_current(sample: Any) -> None:
    """sample_data/ is what `make sample` writes today (regenerate after changing the script)."""
    for name in SAMPLE_FILES:
        assert cells(COMMITTED / name) == cells(sample.files[name]), f"regenerate {name}"
    committed = (COMMITTED / "EXPECTED.md").read_text(encoding="utf-8")
    assert committed == sample.files["EXPECTED.md"].read_text(encoding="utf-8"), "regenerate"
    assert not (COMMITTED / "expected_claims.csv").exists()  # now the scenario files below


def test_committed_sample_scenarios_are_current(sample: Any) -> None:
    """tests/scenarios/sample/ is what `make sample` writes today: one file per reason code,
    every claim row of the sample in exactly one of them (regenerate after changing the
    generator or the plan's figures)."""
    generated = scenario_texts(sample.files["EXPECTED.md"].parent / "scenarios")
    assert scenario_texts(COMMITTED_SCENARIOS) == generated, "regenerate: make sample"
    assert set(generated) == {f"{c.reason_code.lower()}.toml" for c in sample.claims}
    rows = [
        (block["file"].rsplit("/", 1)[-1], e["row"])
        for text in generated.values()
        for block in tomllib.loads(text)["run"]
        for e in block["expect"]
    ]
    assert sorted(rows) == sorted((c.file, c.row) for c in sample.claims)  # 478 rows today


def test_sample_scenarios_carry_each_claims_clause(sample: Any) -> None:
    """Each expectation names the clauses its reason rests on (PARTIAL_CAP: A5.1 for an
    illness, A5.5 for an accident), and the file's `clauses` are theirs (the clause matrix
    reads them)."""
    for text in scenario_texts(sample.files["EXPECTED.md"].parent / "scenarios").values():
        data = tomllib.loads(text)
        cited = set()
        for block in data["run"]:
            for e in block["expect"]:
                if e["reason_code"] == "PARTIAL_CAP":
                    assert e["clause"] in ("A5.1;D8", "A5.5;D8")
                else:
                    assert e["clause"] == msd.REASON_CLAUSES[e["reason_code"]]
                cited |= set(e["clause"].split(";"))
        assert set(data["clauses"]) == cited


def test_every_reason_code_is_exercised(sample: Any) -> None:
    codes = {c.reason_code for c in sample.claims}
    assert codes >= REASON_CODES
    assert set(msd.REQUIRED_REASON_CODES) == REASON_CODES
    scenario_codes = {
        c.reason_code for c in sample.claims if c.scenario and c.file == "claims.xlsx"
    }
    assert scenario_codes >= REASON_CODES  # each one built on purpose, not left to chance
    n = {f: sum(c.file == f for c in sample.claims) for f in ("claims_2025.xlsx", "claims.xlsx")}
    assert 300 <= n["claims.xlsx"] <= 500
    assert n["claims_2025.xlsx"] >= 30


def test_status_and_amount_follow_the_reason(sample: Any) -> None:
    for c in sample.claims:
        if c.reason_code == "ALREADY_DECIDED":
            assert c.status in ("approved", "rejected") and c.amount == 0  # L14
        elif c.reason_code in PENDING:
            assert (c.status, c.amount) == ("pending", 0), c
        elif c.reason_code in APPROVED:
            assert c.status == "approved" and c.amount > 0, c
        else:
            assert (c.status, c.amount) == ("rejected", 0), c


def test_expectations_point_at_their_rows(sample: Any) -> None:
    """Each expectation names the Excel row that holds its claim_id; ids repeat only on purpose."""
    for file in ("claims_2025.xlsx", "claims.xlsx"):
        rows = claim_rows(sample, file)
        expected = [c for c in sample.claims if c.file == file]
        assert sorted(c.row for c in expected) == sorted(rows)
        for c in expected:
            assert rows[c.row]["理赔编号"] == c.claim_id
        seen: dict[str, int] = {}
        for c in sorted(expected, key=lambda c: c.row):
            if c.claim_id in seen:
                assert c.reason_code == "DUPLICATE_CLAIM_ID"  # L2: the later row
            seen.setdefault(c.claim_id, c.row)
    earlier = {c.claim_id for c in sample.claims if c.file == "claims_2025.xlsx"}
    for c in sample.claims:
        if c.file == "claims.xlsx" and c.claim_id in earlier:
            assert c.reason_code in ("ALREADY_DECIDED", "CLAIM_CONFLICT")


def test_headers_are_those_of_formats_md(sample: Any) -> None:
    for name in ("units_2025.xlsx", "units.xlsx"):
        book = cells(sample.files[name])
        assert list(book) == ["参保单位", "参保职工"]
        units = book["参保单位"]
        assert units[0][0] and "参保单位" in units[0][0]  # a clerk's title row above the header
        assert sum(v in UNIT_HEADERS for v in units[1]) < 2  # not mistaken for the header
        assert list(units[2]) == UNIT_HEADERS
        assert list(book["参保职工"][0]) == MEMBER_HEADERS
    for name in ("claims_2025.xlsx", "claims.xlsx"):
        book = cells(sample.files[name])
        assert list(book) == ["理赔申请"]
        assert list(book["理赔申请"][0]) == CLAIM_HEADERS


def test_ids_are_valid_except_the_deliberately_broken(sample: Any) -> None:
    broken, warned = set(sample.broken_ids), set(sample.warning_ids)
    assert len(broken) == 3 and len(warned) == 1
    assert sorted(len(i) for i in broken) == [15, 18, 18]
    seen = 0
    for name in ("units_2025.xlsx", "units.xlsx"):
        for row in cells(sample.files[name])["参保职工"][1:]:
            number = row[1]
            assert isinstance(number, str)  # never a number (formats.md)
            seen += 1
            if number in broken:
                assert not ric.is_valid(number)
            elif number in warned:
                # E3: checksum and birth date right, the region code younger than the person.
                assert number[-1] == ric.calc_check_digit(number)
                assert ric.get_birth_date(number).year == 1960
                with pytest.raises(ValidationError):
                    ric.get_birth_place(number)
            else:
                assert ric.is_valid(number), number
    assert seen == sum(sample.member_rows.values())
    # One id for each way of being broken: length, check digit, impossible birth date.
    eighteen = [i for i in broken if len(i) == 18]
    assert any(i[-1] != ric.calc_check_digit(i) for i in eighteen)
    bad_date = [i for i in eighteen if i[-1] == ric.calc_check_digit(i)]
    assert len(bad_date) == 1
    with pytest.raises(ValidationError):
        ric.get_birth_date(bad_date[0])
    for file in ("claims_2025.xlsx", "claims.xlsx"):
        for claim in claim_rows(sample, file).values():
            assert claim["身份证号"] in warned or ric.is_valid(claim["身份证号"])


def test_unit_codes_are_credit_codes(sample: Any) -> None:
    for name in ("units_2025.xlsx", "units.xlsx"):
        codes = [r[0] for r in cells(sample.files[name])["参保单位"][3:]]
        assert len(codes) == len(set(codes))
        assert all(uscc.is_valid(c) for c in codes)
        members = {r[0] for r in cells(sample.files[name])["参保职工"][1:]}
        assert members == set(codes)
    counts = {u.file: 0 for u in sample.units}
    for u in sample.units:
        counts[u.file] += 1
    assert counts == {"units_2025.xlsx": 28, "units.xlsx": 40}


def test_people_live_where_the_plan_runs(sample: Any) -> None:
    """Most ids carry a Lianyungang code (the six districts and their older codes), some not."""
    local = {c for codes in msd.DISTRICTS.values() for c in codes}
    ids = [s["id_number"] for s in sample.spells]
    share = sum(i[:6] in local for i in ids) / len(ids)
    assert 0.8 < share < 0.99
    assert {"320703", "320706", "320721", "320722", "320723", "320724"} <= {i[:6] for i in ids}


def test_units_that_fail_fail_for_the_reason_they_say(sample: Any) -> None:
    units = {u.key: u for u in sample.units if u.file == "units.xlsx"}
    f01 = units["F01"]
    assert (f01.status, f01.total_staff, f01.eligible, f01.shortfall) == (
        "non_compliant",
        139,
        111,
        1,
    )
    assert 0.79 < f01.eligible / f01.total_staff < 0.8
    assert (units["F02"].status, units["F02"].total_staff, units["F02"].eligible) == (
        "non_compliant",
        29,
        28,
    )
    assert units["F03"].status == "invalid" and units["F03"].reasons == ("TOO_MANY_MEMBERS",)
    assert (units["F04"].eligible, units["F04"].total_staff, units["F04"].shortfall) == (23, 30, 1)
    assert units["F05"].total_staff is None and units["F05"].status == "invalid"
    assert units["F06"].status == "invalid"
    assert (
        units["N03"].status == "compliant" and "INDIVIDUAL_SHARE_ABOVE_20" in units["N03"].reasons
    )
    others = [u for k, u in units.items() if not k.startswith("F")]
    assert all(u.status == "compliant" for u in others)
    assert all(u.status == "compliant" for u in sample.units if u.file == "units_2025.xlsx")
    assert units["L01"].first_time and not units["R03"].first_time  # 21 vs 20 days late (D5)


def test_member_findings_point_at_their_rows(sample: Any) -> None:
    codes: dict[str, int] = {}
    for m in sample.member_findings:
        row = cells(sample.files[m.file])["参保职工"][m.row - 1]
        assert row[0] == m.unit_code and row[1] == m.id_number
        codes[m.code] = codes.get(m.code, 0) + 1
    assert codes["INVALID_ID"] == 3
    assert codes["DUPLICATE_MEMBER"] == 1
    assert codes["ENROLLED_IN_OTHER_UNIT"] == 2  # in the workbook, and against the register
    assert codes["INELIGIBLE_TEMPORARY"] == 3
    assert codes["ID_REGION_UNKNOWN"] == 2  # the same person in both years
    assert codes["MISSING_FIELD"] == 1 and codes["ENGAGEMENT_MONTHS_MISSING"] == 1
    months = [r[4] for r in cells(sample.files["units.xlsx"])["参保职工"][1:] if r[3] == "临时"]
    assert 12 in months and 13 in months


def test_renewals_due_grace_and_lapsed(sample: Any) -> None:
    statuses = {r.status for r in sample.renewals}
    assert statuses == {"due", "grace", "lapsed"}
    for r in sample.renewals:
        if r.status == "due":
            assert AS_OF <= r.expiry <= AS_OF + dt.timedelta(days=30)
        elif r.status == "grace":
            assert r.expiry < AS_OF <= r.expiry + dt.timedelta(days=20)
        else:
            assert r.expiry + dt.timedelta(days=20) < AS_OF


def test_cells_are_written_as_clerks_write_them(sample: Any) -> None:
    texts: set[str] = set()
    real_dates = 0
    for name in SAMPLE_FILES:
        for rows in cells(sample.files[name]).values():
            for row in rows:
                for v in row:
                    if isinstance(v, dt.datetime):
                        real_dates += 1
                    elif v is not None:
                        texts.add(str(v))
    assert real_dates > 500
    assert any(re.fullmatch(r"20\d\d/\d{1,2}/\d{1,2}", t) for t in texts)
    assert any(re.fullmatch(r"20\d\d年\d{1,2}月\d{1,2}日", t) for t in texts)
    assert any(re.fullmatch(r"20\d{6}", t) for t in texts)
    wanted = {
        *msd.TEXTS_TO_SHOW,
        "三级",
        "5级",
        "伤残七级",
        "是",
        "否",
        "√",
        "正式",
        "合同",
        "临时",
    }
    assert wanted <= texts, wanted - texts
    assert any(re.fullmatch(r"C[12]-\d\d", t) for t in texts)


def test_disease_texts_read_by_d10_as_intended(sample: Any) -> None:
    """D10: every diagnosis the sample writes (disease cell and ICD-10 code) is read into the
    outcome its expected decision rests on — listed for a payment (with the class the amount
    comes from), to a person / unrecognised for the pendings, unlisted for the rejection."""
    policy = load_policy()
    plan = msd.load_plan()
    for file in ("claims_2025.xlsx", "claims.xlsx"):
        rows = claim_rows(sample, file)
        illness = [
            c for c in sample.claims if c.file == file and rows[c.row]["申请类型"] == "重大疾病"
        ]
        frame = pl.DataFrame(
            {
                "disease": [_text(rows[c.row]["病种"]) for c in illness],
                "diagnosis_code": [_text(rows[c.row]["诊断编码"]) for c in illness],
            },
            schema={"disease": pl.Utf8, "diagnosis_code": pl.Utf8},
        )
        read = {
            (r["disease"], r["diagnosis_code"]): r
            for r in read_diagnoses(frame, policy.catalogue).iter_rows(named=True)
        }
        assert any(code for _, code in read)
        for c, key in zip(illness, frame.iter_rows(), strict=True):
            r = read[key]
            wanted = {
                "AMBIGUOUS_DISEASE": "person",
                "UNRECOGNISED_DISEASE": "unrecognised",
                "DISEASE_NOT_LISTED": "unlisted",
            }.get(c.reason_code)
            if wanted:
                assert r["dx_outcome"] == wanted, (c.claim_id, r)
            elif c.reason_code == "FULL_BENEFIT":
                assert r["dx_outcome"] == "listed", (c.claim_id, r)
                assert c.amount == plan.full(r["dx_code"])
            elif c.reason_code == "REDUCED_30":
                assert r["dx_outcome"] == "listed", (c.claim_id, r)
                assert c.amount == plan.reduced(r["dx_code"])


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _covering(spells: list[dict[str, Any]], number: str, day: dt.date) -> dict[str, Any] | None:
    """L6: the spell with spell_start ≤ day ≤ term_end (the latest start if two)."""
    found = [
        s for s in spells if s["id_number"] == number and s["spell_start"] <= day <= s["term_end"]
    ]
    return max(found, key=lambda s: s["spell_start"]) if found else None


def test_waiting_period_decisions_follow_the_cover_day(sample: Any) -> None:
    """D2/D4/D6, recomputed from the spells: consolation days 1–60, reduced 61–180, else full."""
    checked = 0
    for file in ("claims_2025.xlsx", "claims.xlsx"):
        rows = claim_rows(sample, file)
        for c in sample.claims:
            if c.file != file:
                continue
            row = rows[c.row]
            if c.reason_code == "NO_COVERAGE":
                event = row["确诊日期"] or row["事故日期"]
                assert _covering(sample.spells, row["身份证号"], as_date(event)) is None
                continue
            if c.reason_code not in ("CONSOLATION", "REDUCED_30", "FULL_BENEFIT"):
                continue
            day = as_date(row["确诊日期"])
            spell = _covering(sample.spells, row["身份证号"], day)
            assert spell is not None, c
            number = (day - spell["spell_start"]).days + 1
            if c.reason_code == "CONSOLATION":
                assert spell["first_time"] and 1 <= number <= 60, c
            elif c.reason_code == "REDUCED_30":
                assert spell["first_time"] and 61 <= number <= 180, c
            else:
                assert not spell["first_time"] or number >= 181, c
            checked += 1
    assert checked > 200


def test_bench_workbooks(tmp_path: Path) -> None:
    """The benchmark writers, at a tiny size: valid unique ids, dates as dates, claims on members."""
    units = msd.make_bench_units(tmp_path / "u.xlsx", n_units=6, n_members=250, seed=3)
    book = cells(units)
    assert list(book["参保单位"][0]) == UNIT_HEADERS
    assert list(book["参保职工"][0]) == MEMBER_HEADERS
    members = book["参保职工"][1:]
    assert len(book["参保单位"]) == 7 and len(members) == 250
    ids = [r[1] for r in members]
    assert len(set(ids)) == 250 and all(ric.is_valid(i) for i in ids)
    assert all(isinstance(r[3], dt.datetime) for r in book["参保单位"][1:])
    for staff, enrolled in (
        (r[2], sum(m[0] == r[0] for m in members)) for r in book["参保单位"][1:]
    ):
        assert enrolled == staff if staff < 30 else enrolled >= 0.8 * staff

    claims = msd.make_bench_claims(tmp_path / "c.xlsx", units, n_claims=80, seed=5)
    rows = cells(claims)["理赔申请"]
    assert list(rows[0]) == CLAIM_HEADERS and len(rows) == 81
    assert {r[1] for r in rows[1:]} <= set(ids)
    drawn = msd.read_bench_members(units)
    again = msd.make_bench_claims(tmp_path / "c2.xlsx", drawn, n_claims=20, seed=5)
    assert len(cells(again)["理赔申请"]) == 21
