"""What every part of the sample shares: the as-of day, the headers of the workbooks, the
statuses and reason codes, the dates of D2/D3, and the plan's figures read from
aidctl/plan/plan.toml (so expected amounts follow the data, never literals)."""

from __future__ import annotations

import csv
import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

AS_OF = dt.date(2026, 11, 28)
DEFAULT_SEED = 20261128
ROOT = Path(__file__).resolve().parents[2]
PLAN_TOML = ROOT / "aidctl" / "plan" / "plan.toml"

# The latest day any claim of claims_2025.xlsx mentions: that file can then be adjudicated
# at any as-of date from mid-2026 on without a treatment end or death date lying ahead of it.
CLAIMS_2025_LAST_DAY = dt.date(2026, 6, 30)

# Headers exactly as docs/formats.md spells them (the first Chinese name of each key).
UNIT_HEADERS = (
    "单位编码",
    "单位名称",
    "从业人员总数",
    "生效日期",
    "履约单号",
    "个人分担比例",
    "工资总额",
    "联系人",
    "联系电话",
    "受理日期",
)
MEMBER_HEADERS = ("单位编码", "身份证号", "姓名", "用工性质", "聘用期限（月）", "增员日期")
CLAIM_HEADERS = (
    "理赔编号",
    "身份证号",
    "姓名",
    "单位编码",
    "申请类型",
    "病种",
    "诊断编码",
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
)
UNITS_SHEET = "参保单位"
MEMBERS_SHEET = "参保职工"
CLAIMS_SHEET = "理赔申请"
UNITS_HEADER_ROW = 3  # two title rows above it, as on a clerk's summary sheet

ILLNESS = "重大疾病"
DISABILITY = "意外伤残"
DEATH = "意外身故"

APPROVED = "approved"
REJECTED = "rejected"
PENDING = "pending"

# Every reason code of docs/rules.md (steps 1–10, L1 …); the sample claims hit each.
REQUIRED_REASON_CODES = (
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
)

# Diagnoses are written as hospitals write them, chosen from the list of real wordings that
# tests/test_diagnoses.py pins with the outcome D10 gives each (tests/data/diagnoses.csv):
# the sample's expectations rest on that list, never on the reader under test.
DIAGNOSES_CSV = ROOT / "tests" / "data" / "diagnoses.csv"
# D10 "to a person" (pending AMBIGUOUS_DISEASE): a listed name without the qualifier that
# decides cover — stroke without its outcome, a tumour without its nature, a transplant
# without the organ.
PERSON_TEXTS = ("中风", "颅内肿瘤", "器官移植", "脑梗死", "重症胰腺炎")
# D10 "unlisted" (rejected DISEASE_NOT_LISTED): recognised conditions outside the 27.
UNLISTED_TEXTS = (
    "高血压",
    "2型糖尿病",
    "股骨颈骨折",
    "腰椎间盘突出症",
    "颈椎病",
    "急性阑尾炎",
    "肾结石",
)
# D10 "unrecognised" (pending UNRECOGNISED_DISEASE): words the vocabulary does not know.
UNRECOGNISED_TEXTS = ("见附件",)
# Wordings the sample shows on purpose (tests/test_sample_data.py looks for them).
TEXTS_TO_SHOW = (
    "胃窦低分化腺癌",
    "左肺上叶腺癌",
    "急性前壁心肌梗死 冠状动脉支架植入术",
    "脑膜瘤",
    "同种异体肾移植术",
    "中风",
    "高血压",
    "见附件",
)

Cell = str | int | float | dt.date | None


# --------------------------------------------------------------------------------------
# Dates (D2, D3)
# --------------------------------------------------------------------------------------


def add_years(day: dt.date, years: int) -> dt.date:
    """Same day `years` later; 02-29 falls back to 02-28 (Civil Code Art. 202)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def term_end(effective: dt.date) -> dt.date:
    """D3: a contract effective S runs to the day before S's anniversary."""
    return add_years(effective, 1) - dt.timedelta(days=1)


def cover_day(event: dt.date, start: dt.date) -> int:
    """D2: the start day is day 1 of cover."""
    return (event - start).days + 1


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


# --------------------------------------------------------------------------------------
# The plan's figures, read from aidctl/plan/plan.toml so expected amounts follow the data
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Disease:
    code: str
    disease_class: int
    zh: str


@dataclass(frozen=True)
class Written:
    """A diagnosis as a hospital writes it — the disease cell and the optional ICD-10 code —
    with the outcome D10 gives it (tests/data/diagnoses.csv): listed / person / unrecognised /
    unlisted, and the catalogue code(s) it reads as or could be."""

    text: str | None
    icd10: str | None
    outcome: str
    codes: tuple[str, ...]

    @property
    def code(self) -> str:
        """The one listed code (only for a listed reading)."""
        assert self.outcome == "listed" and len(self.codes) == 1, self
        return self.codes[0]


def _chinese(text: str | None) -> bool:
    """Written by a clerk of the sample: Chinese words, a catalogue code, or a code alone."""
    if text is None or re.fullmatch(r"[Cc][12]-\d\d", text):
        return True
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def load_diagnoses(path: Path = DIAGNOSES_CSV) -> tuple[Written, ...]:
    """The pinned wordings; rows whose reading the list itself marks as disputed
    ("DISAGREES") are left out, so the sample pays or refuses only on settled readings."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return tuple(
        Written(
            r["text"] or None,
            r["icd10"] or None,
            r["expected_outcome"],
            tuple(c for c in r["expected_code"].split(";") if c),
        )
        for r in rows
        if "DISAGREES" not in r["reason"] and _chinese(r["text"] or None)
    )


@dataclass(frozen=True)
class PlanFigures:
    """The parameter set in force over the sample's dates (D9) and the catalogue."""

    version: str
    class_amount: dict[int, int]
    reduced_pct: int
    consolation: int
    same_disease_cap: int
    death_amount: int
    accident_cap: int
    grades: dict[int, int]
    exemption_last_day: int
    reduced_last_day: int
    grace_days: int
    min_ratio: float
    small_unit_below: int
    diseases: dict[str, Disease]
    diagnoses: tuple[Written, ...] = ()

    def written(self, code: str) -> tuple[Written, ...]:
        """Every pinned wording that D10 reads as the listed disease `code`."""
        found = tuple(w for w in self.diagnoses if w.outcome == "listed" and w.codes == (code,))
        assert found, f"tests/data/diagnoses.csv has no listed wording of {code}"
        return found

    def dx(self, text: str | None, icd10: str | None = None) -> Written:
        """The pinned row for exactly this text and code; the sample writes no other."""
        for w in self.diagnoses:
            if w.text == text and w.icd10 == icd10:
                return w
        raise KeyError(f"{text!r} / {icd10!r} is not in tests/data/diagnoses.csv")

    def full(self, code: str) -> int:
        return self.class_amount[self.diseases[code].disease_class]

    def reduced(self, code: str) -> int:
        """L11: a percentage of an amount, rounded half up to whole yuan."""
        return (self.full(code) * self.reduced_pct + 50) // 100


def load_plan(path: Path = PLAN_TOML) -> PlanFigures:
    """Read the parameter set that covers 2025-01-01 … AS_OF.

    The scenarios below are built on one parameter set; a board decision dated inside the
    sample's years (A5.6) would change expected amounts mid-way, so it is refused here
    rather than silently producing wrong expectations.
    """
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    versions = sorted(raw["version"], key=lambda v: v["effective_from"])
    first_day = dt.date(2025, 1, 1)
    in_force = [v for v in versions if v["effective_from"] <= first_day]
    later = [v for v in versions if first_day < v["effective_from"] <= AS_OF]
    if not in_force or later:
        raise ValueError("the sample assumes one parameter set in force from 2025-01-01 to AS_OF")
    v = in_force[-1]

    def value(section: str, key: str) -> Any:
        return v[section][key]["value"]

    if value("term", "start_day_counts") is not True:
        raise ValueError("the sample's day numbers assume D2 (the start day is day 1)")
    diseases = {
        d["code"]: Disease(d["code"], int(d["class"]), d["zh"]) for d in raw["catalogue"]["disease"]
    }
    return PlanFigures(
        version=str(v["id"]),
        class_amount={1: value("illness", "class1_amount"), 2: value("illness", "class2_amount")},
        reduced_pct=value("waiting", "reduced_pct"),
        consolation=value("waiting", "consolation_amount"),
        same_disease_cap=value("illness", "same_disease_cap"),
        death_amount=value("accident", "death_amount"),
        accident_cap=value("accident", "accident_cap"),
        grades={int(k): int(a) for k, a in v["disability"]["grades"].items()},
        exemption_last_day=value("waiting", "exemption_last_day"),
        reduced_last_day=value("waiting", "reduced_last_day"),
        grace_days=value("term", "renewal_grace_days"),
        min_ratio=value("enrolment", "min_ratio"),
        small_unit_below=value("enrolment", "small_unit_below"),
        diseases=diseases,
        diagnoses=load_diagnoses(),
    )


# The clauses each expected decision rests on (docs/rules.md steps 1–10, D1–D10, L1 …),
# written here from the rules rather than read from aidctl.core.reasons, so a decision that
# stops citing its clause is caught. The generated scenario files (tests/scenarios/sample/)
# carry them: the decision must cite every id given (it may cite more). PARTIAL_CAP rests on
# the same-disease cap for an illness (A5.1) and on the accident cap otherwise (A5.5).
REASON_CLAUSES: dict[str, str] = {
    "MISSING_FIELD": "L1",
    "INVALID_VALUE": "L1",
    "DATE_AFTER_AS_OF": "L26",
    "DUPLICATE_CLAIM_ID": "L2",
    "ALREADY_DECIDED": "L3",
    "CLAIM_CONFLICT": "L3",
    "POSSIBLE_DUPLICATE": "L4",
    "SAME_ACCIDENT_REGRADE": "A5.3;L28",
    "NO_COVERAGE": "A2.1;D3;D6",
    "NAME_MISMATCH": "L7",
    "UNIT_MISMATCH": "L7",
    "EXCLUDED_FRAUD": "A6.2",
    "EXCLUDED_PREEXISTING": "A6.1",
    "EXCLUDED_CAUSE": "A6.3",
    "AMBIGUOUS_CAUSE": "A6.3;L27",
    "CONFLICTING_FACTS": "A6.3;L8",
    "DISEASE_NOT_LISTED": "A3.1;D10",
    "AMBIGUOUS_DISEASE": "A3.1;D10",
    "UNRECOGNISED_DISEASE": "A3.1;D10",
    "DISEASE_PAID_IN_EARLIER_TERM": "A5.2c;L10",
    "DISEASE_EXCLUDED_AFTER_WAITING": "A5.2a;D1;L9",
    "RELATED_DISEASE_REVIEW": "A5.2a;D1",
    "CONSOLATION": "A5.2b;A2.2;D4",
    "CONSOLATION_ALREADY_PAID": "A5.2b;L9",
    "REDUCED_30": "A5.2a;A2.2;D4",
    "FULL_BENEFIT": "A5.1",
    "PARTIAL_CAP": "A5.1;A5.5;D8",
    "DISEASE_CAP_REACHED": "A5.1;D8",
    "GRADE_NOT_COVERED": "A3.2;A5.3",
    "TREATMENT_NOT_ENDED": "A5.3",
    "DISABILITY_GRADE": "A5.3",
    "DEATH_NOT_WITHIN_MONTH": "A3.3;D7",
    "ACCIDENTAL_DEATH": "A5.4;A3.3;D7",
    "ACCIDENT_CAP_REACHED": "A5.5;D8",
}
PARTIAL_CAP_ILLNESS_CLAUSE = "A5.1;D8"
PARTIAL_CAP_ACCIDENT_CLAUSE = "A5.5;D8"


def claim_clause(reason: str, claim_type: str) -> str:
    """The clauses a claim's expected decision rests on (PARTIAL_CAP: by its claim type)."""
    if reason == "PARTIAL_CAP":
        return PARTIAL_CAP_ILLNESS_CLAUSE if claim_type == ILLNESS else PARTIAL_CAP_ACCIDENT_CLAUSE
    return REASON_CLAUSES[reason]
