"""What every part of the sample shares: the as-of day, the headers of the workbooks, the
statuses and reason codes, the dates of D2/D3, and the plan's figures read from
aidctl/plan/plan.toml (so expected amounts follow the data, never literals)."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

AS_OF = dt.date(2026, 11, 28)
DEFAULT_SEED = 20261128
PLAN_TOML = Path(__file__).resolve().parents[2] / "aidctl" / "plan" / "plan.toml"

# The latest day any claim of claims_2025.xlsx mentions: that file can then be adjudicated
# at any as-of date from mid-2026 on without a treatment end or death date lying ahead of it.
CLAIMS_2025_LAST_DAY = dt.date(2026, 6, 30)

# Headers exactly as shared/spec/formats.md spells them (the first Chinese name of each key).
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

# Every reason code of rules.md steps 1–10 and docs/decisions.md; the sample claims hit each.
REQUIRED_REASON_CODES = (
    "MISSING_FIELD",
    "INVALID_VALUE",
    "DUPLICATE_CLAIM_ID",
    "ALREADY_DECIDED",
    "CLAIM_CONFLICT",
    "POSSIBLE_DUPLICATE",
    "NO_COVERAGE",
    "NAME_MISMATCH",
    "UNIT_MISMATCH",
    "EXCLUDED_FRAUD",
    "EXCLUDED_PREEXISTING",
    "EXCLUDED_CAUSE",
    "CONFLICTING_FACTS",
    "DISEASE_NOT_LISTED",
    "AMBIGUOUS_DISEASE",
    "DISEASE_PAID_IN_EARLIER_TERM",
    "DISEASE_EXCLUDED_AFTER_WAITING",
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

# Disease texts that are close to a listed name without being one (→ AMBIGUOUS_DISEASE), and
# texts that match nothing (→ DISEASE_NOT_LISTED). Chosen so that none of them is medically a
# listed disease under another name (no "乳腺癌", no "脑梗死"): a rejection must be right.
NEAR_MISSES = ("原发性恶性肿痛", "慢性肾功能衰竭尿毒症", "再生障碍性贫血症")
NOT_LISTED = (
    "阑尾炎",
    "高血压",
    "腰椎间盘突出症",
    "胆结石",
    "甲状腺结节",
    "肾结石",
    "颈椎病",
    "痛风",
    "肺炎",
)
# The catalogue aliases the brief asks to see written as clerks write them.
ALIASES_TO_SHOW = ("恶性肿瘤", "尿毒症", "心梗支架", "中风", "再障", "渐冻症")

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
    aliases: tuple[str, ...]

    def spellings(self) -> tuple[str, ...]:
        """Every way a clerk may write this disease that the catalogue matches exactly."""
        bare = self.zh.split("（")[0]
        names = [self.code, self.zh, bare, *self.aliases]
        # English aliases are left out: the clerks of the sample write Chinese.
        chinese = [
            n for n in names if n == self.code or any("\u4e00" <= ch <= "\u9fff" for ch in n)
        ]
        return tuple(dict.fromkeys(chinese))


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
        d["code"]: Disease(d["code"], int(d["class"]), d["zh"], tuple(d.get("aliases", ())))
        for d in raw["catalogue"]["disease"]
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
    )
