#!/usr/bin/env python3
"""Sample and benchmark workbooks for aidctl, as clerks of Lianyungang's units would fill them.

Why this exists: the tool's rules (shared/spec/rules.md E1–E5, steps 1–10, D1–D9, and our
docs/decisions.md L1–L15) only mean something against data that looks like the real thing —
Chinese headers under a title row, ids that carry real region codes and GB 11643 check
digits, dates typed four different ways, units that renew on time, late or not at all. Every
rule is exercised by at least one row built on purpose, and the generator says which row and
what the tool must answer (`SampleData.claims`, `sample_data/EXPECTED.md`,
`sample_data/expected_claims.csv`), so tests can hold the tool to it.

The data is built around one as-of date, 2026-11-28 (`AS_OF`), and one demo order:

1. `aidctl enroll sample_data/units_2025.xlsx` (the previous year, all units compliant);
2. `aidctl adjudicate sample_data/claims_2025.xlsx` (claims under the 2025 contracts);
3. `aidctl enroll sample_data/units.xlsx` (the current contracts of 40 units);
4. `aidctl adjudicate sample_data/claims.xlsx`;
5. `aidctl renewals` — every command with `--as-of 2026-11-28`.

Everything is deterministic: one seed, `random.Random` streams derived from it, no network,
no clock. Run `python scripts/make_sample_data.py OUTDIR [--seed N]`.

`make_bench_units` / `make_bench_claims` write the big workbooks of the benchmark (a million
members, a hundred thousand claims) with openpyxl's write-only mode; they are not run by the
tests at full size.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
import random
import sys
import tomllib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError

AS_OF = dt.date(2026, 11, 28)
DEFAULT_SEED = 20261128
PLAN_TOML = Path(__file__).resolve().parents[1] / "aidctl" / "plan" / "plan.toml"

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


# --------------------------------------------------------------------------------------
# Region codes and resident id numbers (GB 11643)
# --------------------------------------------------------------------------------------

# Lianyungang's districts and counties with the codes their natives' ids carry, oldest first.
# python-stdnum checks the code against the birth year ([-1983] 徐州地区东海县, [1983-] 东海县,
# [2014-] 赣榆区 …); picking the code valid for the year keeps every generated id valid, so
# that the one deliberate E3 warning (a 1960 东海 native with 320722) stands alone.
DISTRICTS: dict[str, tuple[str, ...]] = {
    "连云区": ("320700", "320703"),
    "海州区": ("320700", "320702", "320706", "320705"),
    "赣榆区": ("322128", "320721", "320707"),
    "东海县": ("322127", "320722"),
    "灌云县": ("322222", "320723"),
    "灌南县": ("322223", "320822", "320724"),
}
# The unit's own registration code (USCC digits 3–8) is today's code of the district.
DISTRICT_CODE = {
    "连云区": "320703",
    "海州区": "320706",
    "赣榆区": "320707",
    "东海县": "320722",
    "灌云县": "320723",
    "灌南县": "320724",
}
# Staff born elsewhere in Jiangsu or in neighbouring provinces, with their code lineages.
ELSEWHERE: dict[str, tuple[str, ...]] = {
    "新沂": ("322126", "320326", "320381"),
    "邳州": ("322125", "320325", "320382"),
    "沭阳": ("322224", "320823", "321322"),
    "响水": ("322321", "320921"),
    "滨海": ("322322", "320922"),
    "铜山": ("322123", "320323", "320312"),
    "郯城": ("372822", "371322"),
    "莒南": ("372824", "371327"),
    "南京鼓楼": ("320106",),
    "徐州泉山": ("320311",),
    "淮安清江浦": ("320802", "320812"),
    "怀远": ("340321",),
    "郑州中原": ("410102",),
}


def id_with_check(body17: str) -> str:
    """Append the GB 11643 check digit to 17 digits."""
    return body17 + ric.calc_check_digit(body17 + "0")


@cache
def region_valid(code: str, year: int) -> bool:
    """Whether python-stdnum accepts `code` as a birth place for someone born in `year`."""
    try:
        ric.get_birth_place(id_with_check(f"{code}{year:04d}0615001"))
    except ValidationError:
        return False
    return True


def region_for(place: str, year: int, rng: random.Random) -> str | None:
    """A region code for a native of `place` born in `year` that the id library accepts."""
    lineage = DISTRICTS.get(place) or ELSEWHERE.get(place) or ()
    valid = [c for c in lineage if region_valid(c, year)]
    if not valid:
        return None
    if "320705" in valid:
        # 新浦区 (320705) merged into 海州区 (320706) in 2014: both are common on real ids.
        return rng.choice(("320706", "320705"))
    return valid[-1]


# --------------------------------------------------------------------------------------
# People and names
# --------------------------------------------------------------------------------------

# fmt: off
SURNAMES = (
    ("王", 70), ("李", 66), ("张", 64), ("刘", 48), ("陈", 40), ("杨", 30), ("徐", 30),
    ("孙", 28), ("朱", 22), ("吴", 20), ("周", 20), ("赵", 20), ("胡", 14), ("马", 14),
    ("高", 14), ("许", 12), ("丁", 11), ("董", 10), ("韩", 10), ("宋", 10), ("郑", 9),
    ("于", 9), ("蒋", 8), ("沈", 8), ("唐", 8), ("曹", 9), ("程", 8), ("葛", 7), ("仲", 7),
    ("魏", 7), ("孟", 7), ("姜", 6), ("邵", 6), ("卢", 6), ("吕", 6), ("薛", 6), ("叶", 6),
    ("谢", 6), ("惠", 5), ("卞", 5), ("秦", 5), ("蔡", 5), ("贾", 5), ("林", 5), ("何", 5),
    ("郭", 5), ("罗", 4), ("梁", 4), ("冯", 4), ("彭", 4), ("苏", 4), ("滕", 4), ("侍", 3),
    ("武", 4), ("袁", 4), ("邓", 3), ("傅", 3), ("欧阳", 1), ("司马", 1),
)
# fmt: on
_SURNAME_CHOICES = tuple(s for s, _ in SURNAMES)
_SURNAME_WEIGHTS = tuple(w for _, w in SURNAMES)

# Given names by era (birth year) and sex, as they were fashionable.
# fmt: off
GIVEN: dict[tuple[str, str], tuple[str, ...]] = {
    ("old", "M"): (
        "建国", "建军", "国庆", "卫东", "志强", "永刚", "德明", "春生", "海军", "红兵", "学文",
        "振华", "立新", "庆丰", "长林", "金山", "守田", "广友", "军", "伟", "勇", "斌", "强",
        "刚", "明", "杰", "林", "平",
    ),
    ("old", "F"): (
        "秀英", "桂兰", "玉兰", "秀兰", "红梅", "丽华", "凤英", "淑珍", "美玲", "春燕", "爱华",
        "素琴", "玉梅", "桂芳", "芳", "萍", "红", "霞", "英", "梅", "琴",
    ),
    ("mid", "M"): (
        "伟", "磊", "涛", "鹏", "超", "亮", "辉", "斌", "峰", "宇", "浩", "强", "海涛", "志刚",
        "晓东", "建华", "文博", "俊杰", "明辉", "永超", "立伟", "海波", "成龙", "小兵", "军",
    ),
    ("mid", "F"): (
        "静", "丽", "燕", "娟", "敏", "艳", "婷", "丹", "玲", "霞", "晓燕", "丽娜", "海燕",
        "春梅", "雪梅", "晓丽", "彩霞", "美玲", "慧", "莉", "红艳", "晓娟",
    ),
    ("young", "M"): (
        "浩然", "子轩", "宇航", "俊豪", "一鸣", "天宇", "皓宇", "博文", "文涛", "嘉伟",
        "家豪", "明轩", "振宇", "晨阳", "思远", "昊", "晨", "杰", "帅", "磊", "鑫", "宇",
    ),
    ("young", "F"): (
        "雨欣", "欣怡", "梦瑶", "诗涵", "佳怡", "思雨", "雅婷", "晓雪", "梓涵", "可欣",
        "心怡", "婉婷", "静怡", "雨婷", "婷", "雪", "琪", "璐", "悦", "丹丹",
    ),
}
# fmt: on

# Homophones clerks type by mistake (NAME_MISMATCH, step 4).
# fmt: off
HOMOPHONES = {
    "伟": "玮", "静": "婧", "军": "君", "丽": "莉", "华": "桦", "明": "铭", "红": "虹",
    "燕": "艳", "杰": "洁", "玲": "苓", "刚": "钢", "峰": "锋", "敏": "民", "涛": "韬",
    "斌": "彬", "婷": "亭", "宇": "雨", "霞": "侠", "梅": "枚", "英": "瑛", "鹏": "朋",
}
# fmt: on


def person_name(rng: random.Random, sex: str, birth_year: int) -> str:
    era = "old" if birth_year < 1975 else "mid" if birth_year < 1990 else "young"
    surname = rng.choices(_SURNAME_CHOICES, _SURNAME_WEIGHTS)[0]
    return surname + rng.choice(GIVEN[(era, sex)])


def mobile(rng: random.Random) -> str:
    prefix = rng.choice(
        (
            "130",
            "131",
            "132",
            "133",
            "135",
            "136",
            "137",
            "138",
            "139",
            "150",
            "151",
            "152",
            "155",
            "157",
            "158",
            "159",
            "177",
            "180",
            "181",
            "182",
            "187",
            "188",
            "189",
            "199",
        )
    )
    return prefix + f"{rng.randrange(10**8):08d}"


def phone(rng: random.Random) -> str:
    """A contact number: a mobile, or a Lianyungang landline (0518, 8-digit numbers)."""
    if rng.random() < 0.35:
        return f"0518-{rng.choice('5678')}{rng.randrange(10**7):07d}"
    return mobile(rng)


@dataclass
class Person:
    id_number: str
    name: str
    sex: str
    birth: dt.date
    special: str = ""  # set for people a scenario owns; generic picks leave them alone


class People:
    """Makes people with unique, valid id numbers."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.taken: set[str] = set()

    def birth_date(self, sex: str) -> dt.date:
        # Men up to 60, women up to 50/55 (retirement ages); the youngest just out of college.
        first = 1966 if sex == "M" else 1972
        year = self.rng.choices(
            range(first, 2004), [1 + (y > 1974) + (y > 1984) for y in range(first, 2004)]
        )[0]
        return dt.date(year, 1, 1) + days(self.rng.randrange(365))

    def place(self, district: str) -> str:
        r = self.rng.random()
        if r < 0.72:
            return district
        if r < 0.9:
            return self.rng.choice(tuple(DISTRICTS))
        return self.rng.choice(tuple(ELSEWHERE))

    def make_id(self, region: str, birth: dt.date, sex: str) -> str:
        for _ in range(1000):
            seq = (
                2 * self.rng.randrange(0, 499) + 1 if sex == "M" else 2 * self.rng.randrange(1, 500)
            )
            number = id_with_check(f"{region}{birth:%Y%m%d}{seq:03d}")
            if number not in self.taken:
                self.taken.add(number)
                return number
        raise RuntimeError("no free id number")

    def new(self, district: str, *, sex: str | None = None, birth: dt.date | None = None) -> Person:
        sex = sex or self.rng.choice("MF")
        birth = birth or self.birth_date(sex)
        region = region_for(self.place(district), birth.year, self.rng)
        region = region or region_for(district, birth.year, self.rng)
        assert region is not None
        number = self.make_id(region, birth, sex)
        return Person(number, person_name(self.rng, sex, birth.year), sex, birth)


# --------------------------------------------------------------------------------------
# Units: 40 in the current file, each with a role in the scenarios
# --------------------------------------------------------------------------------------


class UnitSpec(NamedTuple):
    """One unit of the sample.

    category: renewed (2025 → 2026 within 20 days of expiry, D5), late (renewed more than
    20 days after expiry: first enrolment again), new (first contract in 2026), failing (new
    and non-compliant or invalid: recorded nothing), due / grace / lapsed (only the 2025
    contract: on AS_OF it expires within 30 days / expired less than 20 days ago / expired
    longer ago).
    """

    key: str
    category: str
    district: str
    kind: str  # company / school / hospital / institution / government
    name: str
    staff: int | None  # 从业人员总数 in the current file (None: the cell is left blank)
    rows: int  # member rows in the current file, deliberate bad rows included
    eff25: dt.date | None
    # renewed: days before the 2025 expiry the renewal was received (the grace itself: that
    # many days after it); late: days after the expiry the new roster was received (D5)
    offset: int | None
    eff26: dt.date | None  # new and failing units
    share_pct: int = 20
    note: str = ""


# fmt: off
D = dt.date
UNIT_SPECS: tuple[UnitSpec, ...] = (
    UnitSpec("R01", "renewed", "海州区", "hospital", "连云港市海州区朐阳医院", 350, 320, D(2025, 1, 6), 1, None),
    UnitSpec("R02", "renewed", "连云区", "company", "连云港港通物流有限公司", 260, 236, D(2025, 1, 15), 5, None),
    UnitSpec("R03", "renewed", "赣榆区", "company", "连云港赣榆海鑫水产食品有限公司", 48, 45, D(2025, 2, 1), 20, None,
             note="renewal received exactly 20 days after expiry: still a renewal from expiry + 1 (D5)"),
    UnitSpec("R04", "renewed", "东海县", "school", "东海县石榴中心小学", 64, 60, D(2025, 2, 20), 1, None, 10),
    UnitSpec("R05", "renewed", "灌云县", "company", "灌云县伊山纺织有限公司", 120, 103, D(2025, 3, 1), 10, None,
             note="three member rows with broken ids (checksum, 15 digits, 2月30日)"),
    UnitSpec("R06", "renewed", "海州区", "government", "连云港市海州区新浦街道办事处", 72, 66, D(2025, 3, 18), 3, None, 0,
             note="one member listed twice (DUPLICATE_MEMBER)"),
    UnitSpec("R07", "renewed", "海州区", "company", "江苏连港化工科技有限公司", 210, 190, D(2025, 4, 1), 7, None,
             note="holds the member also listed by R08"),
    UnitSpec("R08", "renewed", "灌南县", "company", "灌南县堆沟港精细化工有限公司", 95, 86, D(2025, 4, 15), 15, None,
             note="lists a member of R07 (ENROLLED_IN_OTHER_UNIT)"),
    UnitSpec("R09", "renewed", "赣榆区", "school", "连云港市赣榆区青口实验学校", 150, 140, D(2025, 5, 1), 1, None,
             note="a member row without 姓名, a temporary without 聘用期限"),
    UnitSpec("R10", "renewed", "连云区", "government", "连云港市连云区墟沟街道办事处", 45, 42, D(2025, 5, 20), 12, None),
    UnitSpec("R11", "renewed", "东海县", "company", "东海县晶都硅材料有限公司", 88, 80, D(2025, 6, 1), 2, None, 15,
             note="temporary staff of 12 months (ineligible) and 13 months (eligible)"),
    UnitSpec("R12", "renewed", "灌云县", "hospital", "灌云县杨集镇卫生院", 26, 26, D(2025, 6, 16), 19, None),
    UnitSpec("R13", "renewed", "海州区", "institution", "连云港市海州区市政工程管理处", 18, 18, D(2025, 7, 1), 1, None,
             note="effective 2025-07-01: the 2025 term runs to 2026-06-30 (D3)"),
    UnitSpec("R14", "renewed", "东海县", "hospital", "东海县牛山街道社区卫生服务中心", 40, 36, D(2025, 7, 20), 8, None,
             note="a re-employed 1960-born 东海 native whose id code is younger than them (E3 warning)"),
    UnitSpec("R15", "renewed", "灌南县", "school", "灌南县新安镇中心小学", 55, 50, D(2025, 8, 8), 4, None),
    UnitSpec("R16", "renewed", "连云区", "company", "连云港连岛旅游发展有限公司", 34, 30, D(2025, 9, 1), 6, None),
    UnitSpec("R17", "renewed", "赣榆区", "company", "连云港柘汪临港机械制造有限公司", 140, 125, D(2025, 9, 25), 14, None),
    UnitSpec("R18", "renewed", "海州区", "company", "连云港海州湾建设工程有限公司", 22, 22, D(2025, 10, 10), 1, None),
    UnitSpec("L01", "late", "东海县", "company", "东海县温泉镇水晶工艺品有限公司", 28, 28, D(2025, 3, 5), 21, None,
             note="received 21 days after expiry: a first enrolment again (D5), uncovered gap"),
    UnitSpec("L02", "late", "灌云县", "company", "灌云县燕尾港渔业有限公司", 36, 32, D(2025, 4, 10), 45, None),
    UnitSpec("L03", "late", "海州区", "company", "连云港新海电子商务有限公司", 15, 15, D(2025, 6, 1), 92, None, 0),
    UnitSpec("N01", "new", "海州区", "company", "连云港云港数据科技有限公司", 60, 55, None, None, D(2026, 1, 5),
             note="lists a member still covered by R16's 2025 contract (register overlap)"),
    UnitSpec("N02", "new", "赣榆区", "company", "连云港赣榆海头食品有限公司", 42, 40, None, None, D(2026, 3, 1),
             note="takes over a member from R05 one day after R05's cover ended (D6: no waiting)"),
    UnitSpec("N03", "new", "灌南县", "company", "灌南县田楼镇农业发展有限公司", 24, 24, None, None, D(2026, 5, 1), 25,
             note="individual share 25% (INDIVIDUAL_SHARE_ABOVE_20, a warning)"),
    UnitSpec("N04", "new", "连云区", "school", "连云港市连云区宿城小学", 38, 35, None, None, D(2026, 7, 1)),
    UnitSpec("N05", "new", "东海县", "company", "东海县白塔埠镇现代农业服务有限公司", 16, 16, None, None, D(2026, 9, 15), 0),
    UnitSpec("N06", "new", "灌云县", "government", "灌云县燕尾港镇人民政府", 50, 46, None, None, D(2026, 10, 20)),
    UnitSpec("F01", "failing", "海州区", "company", "连云港瑞丰物业管理有限公司", 139, 111, None, None, D(2026, 4, 1),
             note="111 of 139 staff = 79.86% < 80% (shortfall 1)"),
    UnitSpec("F02", "failing", "东海县", "company", "东海县桃林镇建材有限公司", 29, 28, None, None, D(2026, 6, 1),
             note="29 staff, 28 enrolled: under 30 staff needs 100% (shortfall 1)"),
    UnitSpec("F03", "failing", "赣榆区", "company", "连云港赣榆沙河针织有限公司", 20, 22, None, None, D(2026, 8, 1),
             note="22 enrolled for 20 staff: invalid"),
    UnitSpec("F04", "failing", "灌南县", "company", "灌南县新安镇保安服务有限公司", 30, 25, None, None, D(2026, 5, 15),
             note="25 rows but two temporaries of exactly 12 months: 23/30 = 76.7% (shortfall 1)"),
    UnitSpec("F05", "failing", "连云区", "company", "连云港连云港口装卸服务有限公司", None, 40, None, None, D(2026, 3, 16),
             note="从业人员总数 left blank (missing required cell)"),
    UnitSpec("F06", "failing", "灌云县", "school", "灌云县伊山镇实验幼儿园", 22, 22, None, None, D(2026, 2, 28),
             note="生效日期 typed as 2026年2月30日 (bad date text)"),
    UnitSpec("D01", "due", "海州区", "institution", "连云港市海州区图书馆", 20, 20, D(2025, 12, 1), None, None),
    UnitSpec("D02", "due", "赣榆区", "hospital", "连云港市赣榆区柘汪镇中心卫生院", 45, 41, D(2025, 12, 11), None, None),
    UnitSpec("D03", "due", "东海县", "government", "东海县青湖镇人民政府", 33, 30, D(2025, 12, 21), None, None),
    UnitSpec("G01", "grace", "灌南县", "school", "灌南县堆沟港镇中心小学", 27, 27, D(2025, 11, 11), None, None),
    UnitSpec("G02", "grace", "连云区", "company", "连云港海滨酒店管理有限公司", 31, 28, D(2025, 11, 21), None, None),
    UnitSpec("X01", "lapsed", "海州区", "hospital", "连云港市海州区幸福路街道社区卫生服务中心", 24, 24, D(2025, 7, 1), None, None),
    UnitSpec("X02", "lapsed", "灌云县", "company", "灌云县伊山镇自来水有限公司", 19, 19, D(2025, 10, 1), None, None),
)
del D
# fmt: on

DISTRICT_ORDER = tuple(DISTRICTS)
USCC_PREFIX = {
    "company": "91",
    "school": "12",
    "hospital": "12",
    "institution": "12",
    "government": "11",
}
AVERAGE_WAGE = {
    "company": 78000,
    "school": 102000,
    "hospital": 118000,
    "institution": 96000,
    "government": 99000,
}
TYPE_WEIGHTS = {  # 正式, 合同, 临时
    "company": (35, 58, 7),
    "school": (66, 29, 5),
    "hospital": (60, 34, 6),
    "institution": (70, 25, 5),
    "government": (78, 17, 5),
}
TEMP_MONTHS = (24, 36, 18, 13, 60, 48, 24, 36)  # all > 12: eligible (E1)
_ORG_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def org_code(body8: str) -> str:
    """GB 11714 organisation code: 8 characters and their check character."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(
        (int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body8, weights, strict=True)
    )
    check = 11 - total % 11
    return body8 + ("X" if check == 10 else "0" if check == 11 else str(check))


def make_uscc(prefix: str, region: str, org9: str) -> str:
    """A Unified Social Credit Code (GB 32100) with its check character."""
    body = prefix + region + org9
    return body + uscc.calc_check_digit(body)


def unit_code_for(rng: random.Random, kind: str, district: str) -> str:
    if kind == "company":
        org = org_code(
            "MA"
            + "".join(rng.choice(_ORG_ALPHABET[:10] + "ABCDEFGHJKLMNPQRTUWXY") for _ in range(6))
        )
    else:
        org = org_code(f"{rng.randrange(10**8):08d}")
    return make_uscc(USCC_PREFIX[kind], DISTRICT_CODE[district], org)


# --------------------------------------------------------------------------------------
# The world: contracts, member rows, cover spells
# --------------------------------------------------------------------------------------


@dataclass
class Contract:
    unit: Unit
    year: int  # 2025 or 2026: which enrolment file first carries it
    effective: dt.date
    contract_no: str | None
    first_time: bool  # D5 at unit level
    recorded: bool = True
    received: dt.date | None = None  # 受理日期 (D5); the effective date when None

    @property
    def received_day(self) -> dt.date:
        return self.received or self.effective

    @property
    def expiry(self) -> dt.date:
        return term_end(self.effective)


@dataclass
class Unit:
    spec: UnitSpec
    code: str
    contact: str
    phone: str
    payroll_per_head: int | None
    contracts: list[Contract] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.spec.key

    @property
    def current(self) -> Contract:
        return self.contracts[-1]


@dataclass
class MemberRow:
    """One row of a members sheet, with what the enrolment check must say about it."""

    unit: Unit
    contract: Contract
    person: Person | None
    id_cell: str
    name_cell: str | None
    type_cell: str
    months_cell: int | None
    join_date: dt.date | None
    join_cell: Cell = None
    counted: bool = True  # an eligible, accepted member (E1–E3)
    code: str = ""  # finding code (rules.md E3/E4 where they name one)
    severity: str = ""
    why: str = ""


@dataclass
class Spell:
    """A cover spell (D6): one member under one recorded contract."""

    person: Person
    row: MemberRow
    contract: Contract
    start: dt.date
    first_time: bool = True

    @property
    def end(self) -> dt.date:
        return self.contract.expiry

    @property
    def unit(self) -> Unit:
        return self.contract.unit

    def day(self, n: int) -> dt.date:
        """The date of cover day n (D2)."""
        return self.start + days(n - 1)

    def covers(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


@dataclass
class UnitExpectation:
    file: str
    key: str
    unit_code: str
    unit_name: str
    status: str  # compliant / non_compliant / invalid
    total_staff: int | None
    eligible: int
    shortfall: int
    first_time: bool
    reasons: tuple[str, ...]  # errors first, then warnings (INDIVIDUAL_SHARE_ABOVE_20)
    why: str


@dataclass
class RenewalExpectation:
    key: str
    unit_code: str
    unit_name: str
    contract_no: str | None
    expiry: dt.date
    status: str  # due / grace / lapsed
    renew_by: dt.date


def _reads_as_date(cell: Cell) -> bool:
    """Whether a text date cell names a real day (the styles `_date_style` writes)."""
    if not isinstance(cell, str):
        return False
    text = (
        cell.replace("年", "-")
        .replace("月", "-")
        .replace("日", "")
        .replace("/", "-")
        .replace(".", "-")
    )
    parts = text.split("-") if "-" in text else [text[:4], text[4:6], text[6:]]
    try:
        dt.date(*(int(p) for p in parts))
    except (TypeError, ValueError):
        return False
    return True


def _date_style(day: dt.date, rng: random.Random, text_share: float) -> Cell:
    """A date as clerks enter it: mostly a real date, sometimes text in one of four styles."""
    if rng.random() >= text_share:
        return day
    style = rng.randrange(4)
    if style == 0:
        return f"{day.year}/{day.month}/{day.day}"
    if style == 1:
        return f"{day.year}年{day.month}月{day.day}日"
    if style == 2:
        return f"{day:%Y%m%d}"
    return f"{day:%Y.%m.%d}"


class World:
    """Units, their contracts and rosters, and the cover spells the register will hold."""

    def __init__(self, seed: int, plan: PlanFigures) -> None:
        self.plan = plan
        self.rng = random.Random(f"{seed}:world")
        self.people = People(random.Random(f"{seed}:people"))
        self.units: list[Unit] = []
        self.rows: dict[int, list[MemberRow]] = {2025: [], 2026: []}
        self.unit_cells: dict[int, dict[str, Cell]] = {}  # id(contract) -> its units-sheet cells
        self.spells: list[Spell] = []
        self.by_person: dict[str, list[Spell]] = {}
        self.notes: list[str] = []
        self.specials: dict[str, Person] = {}
        self._build_units()
        self._build_rosters()
        self._build_spells()

    # --- units and contracts -----------------------------------------------------------

    def _build_units(self) -> None:
        rng = self.rng
        taken: set[str] = set()
        for spec in UNIT_SPECS:
            code = unit_code_for(rng, spec.kind, spec.district)
            while code in taken:
                code = unit_code_for(rng, spec.kind, spec.district)
            taken.add(code)
            contact_sex = rng.choice("MF")
            contact = person_name(rng, contact_sex, rng.randrange(1970, 1995))
            wage = AVERAGE_WAGE[spec.kind] + rng.randrange(-9000, 9000, 100)
            unit = Unit(spec, code, contact, phone(rng), wage if rng.random() < 0.8 else None)
            if spec.eff25 is not None:
                # the 2025 rosters were received a week before they took effect
                unit.contracts.append(
                    Contract(unit, 2025, spec.eff25, None, True, received=spec.eff25 - days(7))
                )
            if spec.category in ("renewed", "late"):
                assert spec.eff25 is not None and spec.offset is not None
                expiry = term_end(spec.eff25)
                first = spec.offset > self.plan.grace_days  # D5
                if first:
                    # late: received `offset` days after expiry, effective that day (D5: a
                    # first enrolment, never backdated; the days between are not covered)
                    eff = received = expiry + days(spec.offset)
                else:
                    # renewed: the term starts on expiry + 1 (continuous, D5); the roster
                    # was received `offset` days before expiry — except at the boundary,
                    # received exactly `grace` days after it (still a renewal)
                    eff = expiry + days(1)
                    received = (
                        expiry + days(spec.offset)
                        if spec.offset == self.plan.grace_days
                        else expiry - days(spec.offset)
                    )
                unit.contracts.append(Contract(unit, 2026, eff, None, first, received=received))
            elif spec.category in ("new", "failing"):
                assert spec.eff26 is not None
                unit.contracts.append(
                    Contract(
                        unit,
                        2026,
                        spec.eff26,
                        None,
                        True,
                        recorded=spec.category == "new",
                        received=spec.eff26 - days(5),
                    )
                )
            self.units.append(unit)
        # 履约单号: numbered per year in order of effective date, as the association issues
        # them; a few new units' clerks leave it blank (the tool generates one, formats.md).
        for year in (2025, 2026):
            contracts = sorted(
                (c for u in self.units for c in u.contracts if c.year == year),
                key=lambda c: (c.effective, c.unit.key),
            )
            for n, c in enumerate(contracts, start=1):
                blank = c.unit.key in ("N04", "N05", "F02", "F05")
                c.contract_no = None if blank else f"LH{year}-{n:04d}"
        # Sheet order: by district, then code (R07 comes before R08: "the second" of E3).
        self.units.sort(key=lambda u: (DISTRICT_ORDER.index(u.spec.district), u.code))
        for unit in self.units:
            for c in unit.contracts:
                self.unit_cells[id(c)] = self._unit_cells(c)

    def unit(self, key: str) -> Unit:
        return next(u for u in self.units if u.key == key)

    def _unit_cells(self, c: Contract) -> dict[str, Cell]:
        spec, rng = c.unit.spec, self.rng
        staff: int | None
        if c.year == 2026 or spec.category in ("due", "grace", "lapsed"):
            staff = spec.staff
        else:
            staff = None  # filled in once the 2025 roster size is known
        eff: Cell = _date_style(c.effective, rng, 0.3)
        if spec.key == "F06":
            eff = "2026年2月30日"
        payroll = None
        if c.unit.payroll_per_head is not None and staff is not None:
            payroll = round(staff * c.unit.payroll_per_head, -2)
        return {
            "单位编码": c.unit.code,
            "单位名称": spec.name,
            "从业人员总数": staff,
            "生效日期": eff,
            "履约单号": c.contract_no,
            "个人分担比例": spec.share_pct,
            "工资总额": payroll,
            "联系人": c.unit.contact,
            "联系电话": c.unit.phone,
            "受理日期": _date_style(c.received_day, rng, 0.3),
        }

    # --- rosters -----------------------------------------------------------------------

    def _type(self, kind: str) -> tuple[str, int | None]:
        t = self.rng.choices(("正式", "合同", "临时"), TYPE_WEIGHTS[kind])[0]
        return t, (self.rng.choice(TEMP_MONTHS) if t == "临时" else None)

    def _row(
        self,
        contract: Contract,
        person: Person,
        *,
        join: dt.date | None = None,
        etype: tuple[str, int | None] | None = None,
    ) -> MemberRow:
        t, months = etype or self._type(contract.unit.spec.kind)
        join_cell = _date_style(join, self.rng, 0.3) if join else None
        return MemberRow(
            contract.unit,
            contract,
            person,
            person.id_number,
            person.name,
            t,
            months,
            join,
            join_cell,
        )

    def _join_day(self, contract: Contract, last: dt.date) -> dt.date | None:
        """A mid-term addition (增员) date, or None when the window is too short."""
        lo = contract.effective + days(20)
        hi = min(contract.expiry - days(30), last)
        if hi <= lo:
            return None
        return lo + days(self.rng.randrange((hi - lo).days))

    def _new_people(self, unit: Unit, n: int) -> list[Person]:
        return [self.people.new(unit.spec.district) for _ in range(n)]

    def _build_rosters(self) -> None:
        rng = self.rng
        for unit in self.units:
            spec = unit.spec
            special_rows = {"R05": 3, "R06": 1, "R08": 1, "R09": 2, "R11": 2, "N01": 1, "F04": 3}
            extra = special_rows.get(spec.key, 0)
            c25 = next((c for c in unit.contracts if c.year == 2025), None)
            c26 = next((c for c in unit.contracts if c.year == 2026), None)
            generic26 = spec.rows - extra
            if spec.category in ("renewed", "late"):
                assert c25 is not None and c26 is not None
                hires = rng.randint(0, max(1, generic26 // 12))
                leavers = rng.randint(0, max(1, generic26 // 15))
                continuing = self._new_people(unit, generic26 - hires)
                gone = self._new_people(unit, leavers)
                roster25 = continuing + gone
                rng.shuffle(roster25)
                etypes: dict[str, tuple[str, int | None]] = {}
                for person in roster25:
                    join = (
                        self._join_day(c25, dt.date(2026, 6, 30)) if rng.random() < 0.04 else None
                    )
                    row = self._row(c25, person, join=join)
                    etypes[person.id_number] = (row.type_cell, row.months_cell)
                    self.rows[2025].append(row)
                new26 = self._new_people(unit, hires)
                roster26: list[MemberRow] = [
                    self._row(c26, p, etype=etypes[p.id_number]) for p in continuing
                ]
                late_in_grace = c26.received_day > c26.effective
                for person in new26:
                    # D6: a newcomer on a renewal received after expiry could only start on
                    # the received day; R03's clerk writes each newcomer's 增员日期 instead
                    joins = rng.random() < 0.5 or late_in_grace
                    join = self._join_day(c26, AS_OF - days(10)) if joins else None
                    roster26.append(self._row(c26, person, join=join))
                rng.shuffle(roster26)
                self.rows[2026].extend(roster26)
                self._set_staff_2025(c25, len(roster25))
            elif spec.category in ("due", "grace", "lapsed"):
                assert c25 is not None
                for person in self._new_people(unit, generic26):
                    join = (
                        self._join_day(c25, dt.date(2026, 6, 30)) if rng.random() < 0.05 else None
                    )
                    row = self._row(c25, person, join=join)
                    self.rows[2025].append(row)
                    self.rows[2026].append(row)  # the same contract, listed again
            else:
                assert c26 is not None
                for person in self._new_people(unit, generic26):
                    join = self._join_day(c26, AS_OF - days(10)) if rng.random() < 0.04 else None
                    self.rows[2026].append(self._row(c26, person, join=join))
        self._add_special_rows()
        # Group rows by unit in sheet order; keep each unit's own (shuffled) order.
        order = {u.key: i for i, u in enumerate(self.units)}
        for year in (2025, 2026):
            self.rows[year].sort(key=lambda r: order[r.unit.key])

    def _set_staff_2025(self, c25: Contract, n25: int) -> None:
        """2025 从业人员总数: the 2026 ratio of enrolled to staff, kept compliant (E2)."""
        spec = c25.unit.spec
        assert spec.staff is not None
        if spec.staff < self.plan.small_unit_below or n25 < self.plan.small_unit_below:
            staff = n25
        else:
            staff = max(n25, round(n25 * spec.staff / spec.rows))
            staff = min(staff, math.floor(n25 / self.plan.min_ratio))
        cells = self.unit_cells[id(c25)]
        cells["从业人员总数"] = staff
        if c25.unit.payroll_per_head is not None:
            cells["工资总额"] = round(staff * c25.unit.payroll_per_head, -2)

    def _rows_of(self, key: str, year: int) -> list[MemberRow]:
        return [r for r in self.rows[year] if r.unit.key == key]

    def _insert(self, row: MemberRow, year: int = 2026, after: MemberRow | None = None) -> None:
        """Put a row somewhere among its unit's rows (after `after` when given)."""
        rows = self.rows[year]
        same = [i for i, r in enumerate(rows) if r.unit is row.unit]
        if after is not None:
            first = rows.index(after) + 1
            same = [i for i in same if i >= first] or [first]
        pos = self.rng.choice(same) if same else len(rows)
        rows.insert(pos, row)

    def _add_special_rows(self) -> None:
        """The deliberate findings of enrolment (E1–E4), each a row a clerk could write."""
        rng, plan = self.rng, self.plan
        c05 = self.unit("R05").current
        # E3: a checksum typo, an old 15-digit id, an impossible birth date.
        p = self.people.new("灌云县")
        good = p.id_number
        bad = good[:-1] + (str((int(good[-1]) + 3) % 10) if good[-1] != "X" else "7")
        self._insert(self._rejected(c05, bad, p.name, "INVALID_ID", "check digit wrong (GB 11643)"))
        old = self.people.new("灌云县", birth=dt.date(1968, 3, 12), sex="M")
        fifteen = old.id_number[:6] + old.id_number[8:17]  # YYMMDD + sequence, no check digit
        why = "15-digit first-generation id"
        self._insert(self._rejected(c05, fifteen, old.name, "INVALID_ID", why))
        feb30 = id_with_check(f"320723{1987}0230{rng.randrange(1, 500) * 2:03d}")
        why = "birth date 1987-02-30 does not exist"
        self._insert(self._rejected(c05, feb30, person_name(rng, "F", 1987), "INVALID_ID", why))
        # E3: the same person twice in one unit (counted once), the repeat after the first.
        r06 = self._rows_of("R06", 2026)
        first = r06[len(r06) // 3]
        why = "same id twice in unit R06; counted once"
        twice = self._rejected(
            first.contract, first.id_cell, first.name_cell, "DUPLICATE_MEMBER", why
        )
        twice.type_cell, twice.months_cell, twice.person = (
            first.type_cell,
            first.months_cell,
            first.person,
        )
        self._insert(twice, after=first)
        # E3: the same id in two units of the workbook: counted in R07, rejected in R08.
        q_row = next(r for r in self._rows_of("R07", 2026) if r.join_date is None)
        assert q_row.person is not None
        q_row.person.special = "listed by R07 and R08"
        why = "also listed by R07 earlier in the workbook"
        q08 = self._rejected(
            self.unit("R08").current, q_row.id_cell, q_row.name_cell, "ENROLLED_IN_OTHER_UNIT", why
        )
        q08.person = q_row.person
        self._insert(q08)
        # Missing required cells on member rows (R09): a name, a temporary's 聘用期限.
        c09 = self.unit("R09").current
        nameless = self.people.new("赣榆区")
        self._insert(self._rejected(c09, nameless.id_number, None, "MISSING_FIELD", "姓名 blank"))
        temp = self.people.new("赣榆区")
        why = "临时 without 聘用期限（月） (E1 needs > 12)"
        no_months = self._rejected(c09, temp.id_number, temp.name, "ENGAGEMENT_MONTHS_MISSING", why)
        no_months.type_cell = "临时"
        self._insert(no_months)
        # E1: a temporary of exactly 12 months is not eligible, 13 months is.
        c11 = self.unit("R11").current
        t12 = self.people.new("东海县")
        t12.special = "temporary of 12 months, ineligible"
        self.specials["temp12"] = t12
        self._insert(
            self._row_with(
                c11,
                t12,
                ("临时", 12),
                counted=False,
                code="INELIGIBLE_TEMPORARY",
                why="临时, 12 months: not more than one year (E1)",
            )
        )
        t13 = self.people.new("东海县")
        t13.special = "temporary of 13 months"
        self._insert(self._row_with(c11, t13, ("临时", 13)))
        # E1 in F04: two temporaries of 12 months make the unit fail; one of 13 counts.
        c_f04 = self.unit("F04").current
        for _ in range(2):
            self._insert(
                self._row_with(
                    c_f04,
                    self.people.new("灌南县"),
                    ("临时", 12),
                    counted=False,
                    code="INELIGIBLE_TEMPORARY",
                    why="临时, 12 months: not more than one year (E1)",
                )
            )
        self._insert(self._row_with(c_f04, self.people.new("灌南县"), ("临时", 13)))
        # E3 warning: a 1960-born 东海 native whose id carries 320722 ([1983-] in the id library).
        w = self._warning_person()
        self.specials["warning"] = w
        c14_25, c14_26 = self.unit("R14").contracts
        w25 = self._row_with(
            c14_25,
            w,
            ("临时", 24),
            code="ID_REGION_UNKNOWN",
            severity="warning",
            why="region code 320722 unknown to the id library for a 1960 birth (E3: warning only)",
        )
        self._insert(w25, year=2025)
        w26 = self._row_with(
            c14_26, w, ("临时", 24), code=w25.code, severity="warning", why=w25.why
        )
        self._insert(w26)
        # D6 across units: P2 leaves R05 (cover to 2026-02-28) and is listed by N02 from
        # 2026-03-01 — one day later, so N02's waiting periods do not apply to P2.
        p2_row = next(
            r
            for r in self._rows_of("R05", 2025)
            if r.join_date is None and r.person and not r.person.special
        )
        p2 = p2_row.person
        assert p2 is not None
        self._leave(p2, "R05")
        p2.special = "moved from R05 to N02 with one day between covers"
        self.specials["transfer"] = p2
        n02 = self.unit("N02").current
        self._insert(self._row_with(n02, p2, (p2_row.type_cell, p2_row.months_cell)))
        # E3 against the register: P3 is still under R16's 2025 contract (to 2026-08-31) but
        # N01 (from 2026-01-05) lists them too.
        p3_row = next(
            r
            for r in self._rows_of("R16", 2025)
            if r.join_date is None and r.person and not r.person.special
        )
        p3 = p3_row.person
        assert p3 is not None
        self._leave(p3, "R16")
        p3.special = "in R16's 2025 contract and N01's roster"
        n01 = self.unit("N01").current
        self._insert(
            self._row_with(
                n01,
                p3,
                ("合同", None),
                counted=False,
                code="ENROLLED_IN_OTHER_UNIT",
                why="covered by R16's 2025 contract to 2026-08-31 (register, after units_2025)",
            )
        )
        self.notes.append(
            f"Units: {plan.version} parameters; every 2025 contract is a first enrolment for the register "
            "(it holds nothing older), so waiting periods (A2.2) apply to claims in its first 180 days."
        )

    def _warning_person(self) -> Person:
        birth = dt.date(1960, 8, 17)
        assert not region_valid("320722", 1960)
        number = self.people.make_id("320722", birth, "M")
        return Person(number, "徐守田", "M", birth, special="E3 warning: region code too young")

    def _leave(self, person: Person, key: str) -> None:
        """The person is in `key`'s 2025 roster but not in its 2026 roster."""
        rows = self.rows[2026]
        for i, r in enumerate(rows):
            if r.person is person and r.unit.key == key:
                del rows[i]
                return

    def _rejected(
        self, c: Contract, id_cell: str, name: str | None, code: str, why: str
    ) -> MemberRow:
        """A member row the enrolment check must reject (not counted), with its finding."""
        return MemberRow(
            c.unit, c, None, id_cell, name, "合同", None, None, counted=False, code=code,
            severity="error", why=why,
        )  # fmt: skip

    def _row_with(
        self,
        c: Contract,
        person: Person,
        etype: tuple[str, int | None],
        *,
        counted: bool = True,
        code: str = "",
        severity: str = "",
        why: str = "",
    ) -> MemberRow:
        """A row for a person a scenario owns, with what the check must say about it."""
        row = self._row(c, person, etype=etype)
        row.counted, row.code, row.why = counted, code, why
        row.severity = severity or ("error" if not counted else "")
        return row

    # --- spells (D5, D6) ---------------------------------------------------------------

    def _build_spells(self) -> None:
        seen: set[tuple[str, int]] = set()
        for year in (2025, 2026):
            for row in self.rows[year]:
                c = row.contract
                if row.person is None or not row.counted or not c.recorded:
                    continue
                key = (row.person.id_number, id(c))
                if key in seen:  # the due/grace/lapsed contracts are listed in both files
                    continue
                seen.add(key)
                self.spells.append(Spell(row.person, row, c, row.join_date or c.effective))
        by_person = self.by_person
        for s in self.spells:
            by_person.setdefault(s.person.id_number, []).append(s)
        grace = self.plan.grace_days
        for spells in by_person.values():
            spells.sort(key=lambda s: s.start)
            for i, s in enumerate(spells):
                s.first_time = not any(p.end >= s.start - days(grace) for p in spells[:i])  # D6

    def spells_of(self, person: Person) -> list[Spell]:
        return self.by_person.get(person.id_number, [])

    def covering(self, person: Person, day: dt.date) -> Spell | None:
        found = [s for s in self.spells_of(person) if s.covers(day)]
        return max(found, key=lambda s: s.start) if found else None

    # --- what the enrolment check must say ---------------------------------------------

    def unit_expectations(self, year: int) -> list[UnitExpectation]:
        out = []
        file = "units_2025.xlsx" if year == 2025 else "units.xlsx"
        for unit in self.units:
            contract = next(
                (c for c in unit.contracts if c.year == year)
                if year == 2025
                else (c for c in reversed(unit.contracts)),
                None,
            )
            if contract is None:
                continue
            cells = self.unit_cells[id(contract)]
            rows = [r for r in self.rows[year] if r.contract is contract]
            eligible = sum(r.counted for r in rows)
            staff = cells["从业人员总数"]
            assert staff is None or isinstance(staff, int)
            # Reason codes: INDIVIDUAL_SHARE_ABOVE_20 is rules.md's (E4); the others are the
            # names aidctl gives what E2 and formats.md require.
            reasons: list[str] = []
            status, shortfall, why = "compliant", 0, unit.spec.note
            if not isinstance(cells["生效日期"], dt.date) and not _reads_as_date(cells["生效日期"]):
                status, reasons = "invalid", ["INVALID_VALUE"]
            elif staff is None:
                status, reasons = "invalid", ["MISSING_FIELD"]
            elif len(rows) > staff:
                status, reasons = "invalid", ["TOO_MANY_MEMBERS"]
            else:
                small = staff < self.plan.small_unit_below
                need = staff if small else math.ceil(self.plan.min_ratio * staff - 1e-9)
                if eligible < need:
                    status, shortfall = "non_compliant", need - eligible
                    reasons = ["NOT_ALL_ENROLLED" if small else "RATIO_BELOW_MIN"]
            if unit.spec.share_pct > 20:
                reasons.append("INDIVIDUAL_SHARE_ABOVE_20")
            if year == 2025:
                why = "" if unit.spec.key != "R14" else unit.spec.note
            out.append(
                UnitExpectation(
                    file,
                    unit.key,
                    unit.code,
                    unit.spec.name,
                    status,
                    staff,
                    eligible,
                    shortfall,
                    contract.first_time,
                    tuple(reasons),
                    why,
                )
            )
        return out

    def renewals(self) -> list[RenewalExpectation]:
        """On AS_OF: due within 30 days, in the 20-day grace, or lapsed (A7.1, D5)."""
        out = []
        for unit in self.units:
            last = [c for c in unit.contracts if c.recorded]
            if not last:
                continue
            c = last[-1]
            renew_by = c.expiry + days(self.plan.grace_days)
            if c.expiry >= AS_OF and c.expiry <= AS_OF + days(30):
                status = "due"
            elif c.expiry < AS_OF <= renew_by:
                status = "grace"
            elif renew_by < AS_OF:
                status = "lapsed"
            else:
                continue
            out.append(
                RenewalExpectation(
                    unit.key, unit.code, unit.spec.name, c.contract_no, c.expiry, status, renew_by
                )
            )
        return sorted(out, key=lambda r: (r.expiry, r.key))


# --------------------------------------------------------------------------------------
# Claims
# --------------------------------------------------------------------------------------


@dataclass
class Claim:
    """One row of a claims sheet and the decision the tool must reach for it."""

    cells: dict[str, Cell]
    status: str
    amount: int
    reason: str
    why: str
    event: dt.date | None
    filing: dt.date
    serial: int
    scenario: bool = True
    fixed_id: str | None = None  # a claim_id decided in an earlier file (step 2)
    same_id_as: Claim | None = None  # DUPLICATE_CLAIM_ID: the row decided first
    file: str = ""
    excel_row: int = 0

    @property
    def claim_id(self) -> str:
        value = self.cells["理赔编号"]
        assert isinstance(value, str)
        return value


class ClaimBook:
    """Builds the claims of one file: scenario claims first, then ordinary ones."""

    def __init__(self, world: World, rng: random.Random, prefix: str, used: set[str]) -> None:
        self.world = world
        self.plan = world.plan
        self.rng = rng
        self.prefix = prefix
        self.used = used  # id numbers already given a claim (in either file)
        self.claims: list[Claim] = []

    # --- picking members ---------------------------------------------------------------

    def pick(self, what: str, pred: Callable[[Spell], bool]) -> Spell:
        cands = [
            s
            for s in self.world.spells
            if s.person.id_number not in self.used and not s.person.special and pred(s)
        ]
        if not cands:
            raise RuntimeError(f"no member for: {what}")
        spell = self.rng.choice(cands)
        self.used.add(spell.person.id_number)
        return spell

    def continuing(self, key: str) -> Spell:
        """A member of `key` in both rosters, no 增员日期: the 2026 spell is a renewal."""
        return self.pick(
            f"continuing member of {key}",
            lambda s: (
                s.unit.key == key
                and s.contract.year == 2026
                and not s.first_time
                and s.row.join_date is None
                and all(o.row.join_date is None for o in self.world.spells_of(s.person))
            ),
        )

    def in_both(self, key: str) -> Spell:
        """A member of `key`'s 2025 and 2026 rosters, no 增员日期, whatever D6 makes of it."""
        return self.pick(
            f"member of {key} in both years",
            lambda s: (
                s.unit.key == key
                and s.contract.year == 2026
                and s.row.join_date is None
                and len(self.world.spells_of(s.person)) == 2
                and all(
                    o.row.join_date is None and o.unit is s.unit
                    for o in self.world.spells_of(s.person)
                )
            ),
        )

    def spell_in(
        self, key: str, year: int, *, first_time: bool | None = None, joined: bool = False
    ) -> Spell:
        return self.pick(
            f"member of {key} ({year})",
            lambda s: (
                s.unit.key == key
                and s.contract.year == year
                and (first_time is None or s.first_time == first_time)
                and (s.row.join_date is not None) == joined
            ),
        )

    def other_spell(self, spell: Spell, year: int) -> Spell:
        return next(s for s in self.world.spells_of(spell.person) if s.contract.year == year)

    # --- cells -------------------------------------------------------------------------

    def date(self, day: dt.date | None) -> Cell:
        return None if day is None else _date_style(day, self.rng, 0.2)

    def no(self) -> Cell:
        return self.rng.choice((None, None, None, "否", "无", "×"))

    def unit_cell(self, spell: Spell | None) -> Cell:
        if spell is None or self.rng.random() < 0.15:
            return None
        return spell.unit.code

    def grade_text(self, grade: int) -> Cell:
        zh = "零一二三四五六七八九十"
        word = zh[grade] if grade <= 10 else "十" + zh[grade - 10]
        return self.rng.choice((grade, f"{grade}级", f"{word}级", f"伤残{word}级", str(grade)))

    def spelling(self, code: str) -> str:
        return self.rng.choice(self.plan.diseases[code].spellings())

    def filing(self, event: dt.date | None) -> dt.date:
        base = event or AS_OF - days(40)
        return min(AS_OF, base + days(self.rng.randrange(7, 75)))

    # --- claims ------------------------------------------------------------------------

    def add(
        self,
        spell: Spell | None,
        claim_type: str,
        *,
        reason: str,
        status: str,
        amount: int = 0,
        why: str,
        person: Person | None = None,
        scenario: bool = True,
        event: dt.date | None = None,
        **fields: Cell,
    ) -> Claim:
        person = person or (spell.person if spell else None)
        assert person is not None
        cells: dict[str, Cell] = dict.fromkeys(CLAIM_HEADERS)
        cells["身份证号"] = person.id_number
        cells["姓名"] = person.name
        cells["单位编码"] = self.unit_cell(spell)
        cells["申请类型"] = claim_type
        if claim_type == ILLNESS:
            cells["见义勇为"] = None
        else:
            cells["见义勇为"] = self.rng.choice((None, None, None, "否"))
        cells["既往症未告知"] = self.no()
        cells["欺诈"] = self.no()
        cells["备注"] = self.rng.choice(NOTES[claim_type])
        for key, value in fields.items():
            cells[HEADER_OF[key]] = value
        claim = Claim(
            cells,
            status,
            amount,
            reason,
            why,
            event,
            self.filing(event),
            len(self.claims),
            scenario,
        )
        self.claims.append(claim)
        return claim

    def illness(
        self,
        spell: Spell | None,
        code: str | None,
        diag: dt.date | None,
        *,
        text: str | None = None,
        **kw: Any,
    ) -> Claim:
        disease = text if text is not None else self.spelling(code) if code else None
        kw.setdefault("diagnosis", self.date(diag))
        return self.add(spell, ILLNESS, disease=disease, event=diag, **kw)

    def disability(
        self,
        spell: Spell | None,
        grade: int | None,
        accident: dt.date,
        end: dt.date | None,
        *,
        grade_cell: Cell = "",
        accident_cell: Cell = "",
        **kw: Any,
    ) -> Claim:
        cell = (
            grade_cell
            if grade_cell != ""
            else (self.grade_text(grade) if grade is not None else None)
        )
        acc = accident_cell if accident_cell != "" else self.date(accident)
        return self.add(
            spell,
            DISABILITY,
            grade=cell,
            accident=acc,
            treatment_end=self.date(end),
            event=accident,
            **kw,
        )

    def death(self, spell: Spell | None, accident: dt.date, died: dt.date, **kw: Any) -> Claim:
        return self.add(
            spell, DEATH, accident=self.date(accident), died=self.date(died), event=accident, **kw
        )

    # --- ordinary claims (one per member, decided by the simplest rule) ----------------

    def ordinary(self, target: int, spells: Sequence[Spell], last_day: dt.date) -> None:
        """Claims of members who claim once: what most of a month's files hold.

        Each goes to a member nobody else claims for, inside the member's spell, and outside
        any waiting period for illness — so its expected decision follows from one rule.
        """
        pool = [s for s in spells if s.person.id_number not in self.used and not s.person.special]
        self.rng.shuffle(pool)
        plan = self.plan
        codes = tuple(plan.diseases)
        weights = tuple(ILLNESS_WEIGHT.get(c, 1) for c in codes)
        for spell in pool:
            if len([c for c in self.claims if not c.scenario]) >= target:
                break
            hi = min(spell.end, last_day)
            lo_ill = spell.day(plan.reduced_last_day + 1) if spell.first_time else spell.start
            kind = self.rng.choices(
                ("ill", "dis", "death", "unlisted", "open", "cause"), (60, 28, 4, 3, 2, 3)
            )[0]
            if kind in ("ill", "unlisted") and lo_ill > hi:
                kind = "dis"
            if kind in ("dis", "open", "cause", "death") and spell.start > hi - days(20):
                continue
            self.used.add(spell.person.id_number)
            if kind == "ill":
                code = self.rng.choices(codes, weights)[0]
                diag = self._between(lo_ill, hi)
                day = cover_day(diag, spell.start)
                self.illness(
                    spell,
                    code,
                    diag,
                    reason="FULL_BENEFIT",
                    status=APPROVED,
                    amount=plan.full(code),
                    why=f"{code}, cover day {day}",
                    scenario=False,
                )
            elif kind == "unlisted":
                diag = self._between(lo_ill, hi)
                self.illness(
                    spell,
                    None,
                    diag,
                    text=self.rng.choice(NOT_LISTED),
                    reason="DISEASE_NOT_LISTED",
                    status=REJECTED,
                    why="not one of the 27 diseases",
                    scenario=False,
                )
            elif kind == "death":
                acc = self._between(spell.start, hi - days(3))
                died = acc + days(self.rng.randrange(0, min(28, (last_day - acc).days) + 1))
                self.death(
                    spell,
                    acc,
                    died,
                    reason="ACCIDENTAL_DEATH",
                    status=APPROVED,
                    amount=plan.death_amount,
                    why=f"died {(died - acc).days} days after the accident",
                    scenario=False,
                )
            else:
                acc = self._between(spell.start, hi - days(20))
                grade = self.rng.choices(range(1, 11), (1, 1, 2, 3, 4, 6, 8, 10, 12, 14))[0]
                end = self._between(acc + days(14), min(acc + days(150), last_day))
                if kind == "dis":
                    self.disability(
                        spell,
                        grade,
                        acc,
                        end,
                        reason="DISABILITY_GRADE",
                        status=APPROVED,
                        amount=plan.grades[grade],
                        why=f"grade {grade}",
                        scenario=False,
                    )
                elif kind == "open":
                    self.disability(
                        spell,
                        grade,
                        acc,
                        None,
                        reason="TREATMENT_NOT_ENDED",
                        status=PENDING,
                        why="no 治疗终结日期 yet",
                        scenario=False,
                    )
                else:
                    cause = self.rng.choice(("醉酒", "违章驾驶", "酒驾", "斗殴"))
                    self.disability(
                        spell,
                        grade,
                        acc,
                        end,
                        reason="EXCLUDED_CAUSE",
                        status=REJECTED,
                        exclusion=cause,
                        why=f"A6.3: {cause}",
                        scenario=False,
                    )

    def _between(self, lo: dt.date, hi: dt.date) -> dt.date:
        assert lo <= hi, (lo, hi)
        return lo + days(self.rng.randrange((hi - lo).days + 1))

    # --- claim ids and rows ------------------------------------------------------------

    def number(self, file: str) -> list[Claim]:
        """Give claim ids in filing order and lay the rows out as a clerk's list."""
        fresh = [c for c in self.claims if c.fixed_id is None and c.same_id_as is None]
        fresh.sort(key=lambda c: (c.filing, c.serial))
        for n, c in enumerate(fresh, start=1):
            c.cells["理赔编号"] = f"{self.prefix}{n:04d}"
        for c in self.claims:
            if c.fixed_id is not None:
                c.cells["理赔编号"] = c.fixed_id
            elif c.same_id_as is not None:
                c.cells["理赔编号"] = c.same_id_as.claim_id
        rows = sorted(self.claims, key=lambda c: (c.claim_id, c.serial))
        # A few rows out of order, as files merged from two clerks are (step 10 must not care).
        for _ in range(len(rows) // 12):
            i, j = self.rng.randrange(len(rows)), self.rng.randrange(len(rows))
            rows[i], rows[j] = rows[j], rows[i]
        for c in rows:  # L2: the row decided is the first; the repeat comes after it
            if c.same_id_as is not None and rows.index(c) < rows.index(c.same_id_as):
                i, j = rows.index(c), rows.index(c.same_id_as)
                rows[i], rows[j] = rows[j], rows[i]
        for n, c in enumerate(rows, start=2):
            c.file, c.excel_row = file, n
        return rows


HEADER_OF = {
    "disease": "病种",
    "diagnosis": "确诊日期",
    "accident": "事故日期",
    "grade": "伤残等级",
    "treatment_end": "治疗终结日期",
    "died": "死亡日期",
    "brave": "见义勇为",
    "exclusion": "除外情形",
    "preexisting": "既往症未告知",
    "fraud": "欺诈",
    "note": "备注",
    "name": "姓名",
    "unit_code": "单位编码",
    "id_number": "身份证号",
    "claim_type": "申请类型",
}
# fmt: off
NOTES: dict[str, tuple[str | None, ...]] = {
    ILLNESS: (None, None, None, None, "已附出院小结", "已附病理报告", "市第一人民医院确诊", "南京鼓楼医院确诊",
              "单位代报", "家属代办", "补交材料"),
    DISABILITY: (None, None, None, None, "已附伤残鉴定书", "工伤认定另行办理", "单位代报", "补交材料",
                 "复印件已核对"),
    DEATH: (None, None, "已附死亡证明", "家属代办", "单位代报"),
}
# fmt: on
# How often each listed disease is claimed (malignant tumours dominate, as in every fund).
# fmt: off
ILLNESS_WEIGHT = {
    "C1-01": 40, "C1-07": 12, "C1-02": 10, "C1-03": 6, "C2-01": 5, "C1-10": 3, "C1-09": 2,
    "C2-02": 2, "C1-11": 2, "C2-05": 2, "C2-04": 2,
}
# fmt: on


def _claims_2025(
    world: World, rng: random.Random, used: set[str]
) -> tuple[ClaimBook, dict[str, Claim]]:
    """Claims under the 2025 contracts; some are what later claims are measured against."""
    b = ClaimBook(world, rng, "LP2025", used)
    plan = world.plan
    keep: dict[str, Claim] = {}

    # Paid in full, so the same disease in the 2026 term is DISEASE_PAID_IN_EARLIER_TERM.
    m1 = b.continuing("R01")
    s = b.other_spell(m1, 2025)
    diag = dt.date(2025, 9, 10)
    keep["paid_c103"] = b.illness(
        s,
        "C1-03",
        diag,
        text="慢性肾功能衰竭尿毒症期",
        reason="FULL_BENEFIT",
        status=APPROVED,
        amount=plan.full("C1-03"),
        why=f"cover day {cover_day(diag, s.start)} of a first enrolment",
    )
    # A consolation (exemption period): C1-01 and its D1 group are excluded for life (L9).
    m2 = b.continuing("R09")
    s = b.other_spell(m2, 2025)
    diag = s.day(41)
    keep["consolation_c101"] = b.illness(
        s,
        "C1-01",
        diag,
        text="恶性肿瘤",
        reason="CONSOLATION",
        status=APPROVED,
        amount=plan.consolation,
        why="cover day 41 of the 2025 first enrolment (D4)",
    )
    # A reduced-period payment: C1-02 and C1-10 (D1 coronary group) are excluded from then on.
    m3 = b.continuing("R13")
    s = b.other_spell(m3, 2025)
    diag = s.day(107)
    keep["reduced_c102"] = b.illness(
        s,
        "C1-02",
        diag,
        text="心梗支架",
        reason="REDUCED_30",
        status=APPROVED,
        amount=plan.reduced("C1-02"),
        why="cover day 107: reduced period, 30%",
    )
    # Grade 1 in the 2025 term; a grade-2 accident in the 2026 term is paid in full (D8).
    m9 = b.continuing("R02")
    s = b.other_spell(m9, 2025)
    keep["grade1_2025"] = b.disability(
        s,
        1,
        dt.date(2025, 11, 3),
        dt.date(2026, 2, 20),
        grade_cell="一级",
        reason="DISABILITY_GRADE",
        status=APPROVED,
        amount=plan.grades[1],
        why="grade 1",
    )
    # Repeated in claims.xlsx under a new claim_id (POSSIBLE_DUPLICATE against the register).
    s = b.spell_in("D01", 2025)
    keep["grade6_d01"] = b.disability(
        s,
        6,
        dt.date(2026, 3, 12),
        dt.date(2026, 5, 20),
        grade_cell="伤残六级",
        reason="DISABILITY_GRADE",
        status=APPROVED,
        amount=plan.grades[6],
        why="grade 6",
    )
    # Resubmitted unchanged in claims.xlsx (ALREADY_DECIDED) and changed (CLAIM_CONFLICT).
    m11 = b.continuing("R04")
    s = b.other_spell(m11, 2025)
    diag = dt.date(2025, 10, 9)
    keep["resubmitted"] = b.illness(
        s,
        "C2-04",
        diag,
        text="C2-04",
        reason="FULL_BENEFIT",
        status=APPROVED,
        amount=plan.full("C2-04"),
        why=f"cover day {cover_day(diag, s.start)}",
        diagnosis=diag,
        unit_code=s.unit.code,
    )
    m12 = b.continuing("R05")
    s = b.other_spell(m12, 2025)
    diag = dt.date(2025, 12, 2)
    keep["corrected"] = b.illness(
        s,
        "C1-07",
        diag,
        text="中风",
        reason="FULL_BENEFIT",
        status=APPROVED,
        amount=plan.full("C1-07"),
        why=f"cover day {cover_day(diag, s.start)}",
        diagnosis=diag,
        unit_code=s.unit.code,
    )
    # A few more of what a year brings.
    s = b.spell_in("X02", 2025)
    diag = s.day(90)
    b.illness(
        s,
        "C2-01",
        diag,
        text="原位癌",
        reason="REDUCED_30",
        status=APPROVED,
        amount=plan.reduced("C2-01"),
        why="cover day 90 of a first enrolment: 30% of 5000",
    )
    s = b.spell_in("G01", 2025)
    b.illness(
        s,
        None,
        s.day(200),
        text="阑尾炎",
        reason="DISEASE_NOT_LISTED",
        status=REJECTED,
        why="not listed",
    )
    s = b.spell_in("R17", 2025)
    b.disability(
        s,
        4,
        s.day(30),
        s.day(120),
        exclusion="醉酒",
        reason="EXCLUDED_CAUSE",
        status=REJECTED,
        why="A6.3 drunkenness",
    )
    b.ordinary(48, [s for s in world.spells if s.contract.year == 2025], CLAIMS_2025_LAST_DAY)
    return b, keep


def _claims_2026(
    world: World, rng: random.Random, used: set[str], earlier: dict[str, Claim]
) -> ClaimBook:
    """claims.xlsx: every reason code at least once, then ordinary claims up to ~420 rows."""
    b = ClaimBook(world, rng, "LP2026", used)
    plan = world.plan
    full, reduced = plan.full, plan.reduced

    # ---- step 1: input ----
    s = b.continuing("R17")
    b.illness(s, "C1-01", None, reason="MISSING_FIELD", status=PENDING, why="确诊日期 blank (L1)")
    s = b.continuing("R15")
    b.disability(
        s,
        None,
        s.day(40),
        s.day(100),
        reason="MISSING_FIELD",
        status=PENDING,
        why="伤残等级 blank: missing, not GRADE_NOT_COVERED (L1)",
    )
    s = b.continuing("R10")
    b.illness(
        s,
        "C1-07",
        s.day(30),
        name=None,
        reason="MISSING_FIELD",
        status=PENDING,
        why="姓名 blank (L1)",
    )
    s = b.continuing("R12")
    b.illness(
        s,
        "C1-01",
        None,
        diagnosis="2026-02-30",
        reason="INVALID_VALUE",
        status=PENDING,
        why="确诊日期 2026-02-30 does not exist (L1)",
    )
    s = b.continuing("R15")
    b.disability(
        s,
        5,
        s.day(20),
        s.day(90),
        accident_cell="2026年13月2日",
        reason="INVALID_VALUE",
        status=PENDING,
        why="事故日期 with month 13 (L1)",
    )
    s = b.continuing("R17")
    acc = s.day(15)
    b.death(
        s,
        acc,
        acc - days(4),
        reason="INVALID_VALUE",
        status=PENDING,
        why="death before the accident (step 8)",
    )
    s = b.continuing("R07")
    diag = s.day(60)
    first = b.illness(
        s,
        "C1-10",
        diag,
        reason="FULL_BENEFIT",
        status=APPROVED,
        amount=full("C1-10"),
        why="renewal: no waiting (A2.3); decided, its repeat is not (L2)",
    )
    s2 = b.continuing("R08")
    again = b.disability(
        s2,
        7,
        s2.day(33),
        s2.day(90),
        grade_cell="伤残七级",
        reason="DUPLICATE_CLAIM_ID",
        status=PENDING,
        why="second row with the claim_id of a claim for another member (L2)",
    )
    again.same_id_as = first

    # ---- step 2: already decided ----
    for key, reason, why in (
        ("resubmitted", "ALREADY_DECIDED", "decided in claims_2025.xlsx, same content (L3, L14)"),
        (
            "corrected",
            "CLAIM_CONFLICT",
            "decided in claims_2025.xlsx, diagnosis date changed since (L3)",
        ),
    ):
        old = earlier[key]
        cells = dict(old.cells)
        status, amount = old.status, 0
        if reason == "CLAIM_CONFLICT":
            cells["确诊日期"] = dt.date(2025, 12, 5)
            status = PENDING
        c = Claim(
            cells,
            status,
            amount,
            reason,
            why,
            old.event,
            AS_OF - days(20),
            len(b.claims),
            True,
            fixed_id=old.claim_id,
        )
        b.claims.append(c)

    # ---- step 3: possible duplicates ----
    s = b.continuing("R01")
    diag = dt.date(2026, 8, 3)
    b.illness(
        s,
        "C1-03",
        diag,
        text="C1-03",
        reason="FULL_BENEFIT",
        status=APPROVED,
        amount=full("C1-03"),
        why="decided normally; a later claim repeats it",
    )
    dup = b.illness(
        s,
        "C1-03",
        diag,
        text="尿毒症",
        reason="POSSIBLE_DUPLICATE",
        status=PENDING,
        why="same member, disease (C1-03 = 尿毒症) and date as an earlier claim of this file (L4)",
    )
    dup.filing = b.claims[-2].filing + days(5)
    old = earlier["grade6_d01"]
    person_id = old.cells["身份证号"]
    d01 = next(s for s in world.spells if s.person.id_number == person_id)
    b.disability(
        d01,
        6,
        dt.date(2026, 3, 12),
        dt.date(2026, 5, 20),
        grade_cell="6级",
        reason="POSSIBLE_DUPLICATE",
        status=PENDING,
        why=f"same accident as {old.claim_id} decided in claims_2025.xlsx (L4)",
    )

    # ---- step 4: cover, name, unit ----
    stranger = world.people.new("海州区")
    b.illness(
        None,
        "C1-01",
        dt.date(2026, 5, 18),
        person=stranger,
        reason="NO_COVERAGE",
        status=REJECTED,
        why="never enrolled",
    )
    f01 = next(r for r in world.rows[2026] if r.unit.key == "F01" and r.person)
    assert f01.person is not None
    used.add(f01.person.id_number)
    b.illness(
        None,
        "C1-07",
        dt.date(2026, 7, 9),
        person=f01.person,
        unit_code=f01.unit.code,
        reason="NO_COVERAGE",
        status=REJECTED,
        why="unit F01 is not compliant: nothing was recorded (E5)",
    )
    s = b.in_both("L01")
    gap = dt.date(2026, 3, 10)
    assert world.covering(s.person, gap) is None
    b.disability(
        s,
        8,
        gap,
        gap + days(40),
        reason="NO_COVERAGE",
        status=REJECTED,
        why="between L01's expiry 2026-03-04 and its late renewal 2026-03-25",
    )
    s = b.spell_in("X01", 2025)
    b.death(
        s,
        dt.date(2026, 8, 15),
        dt.date(2026, 8, 16),
        reason="NO_COVERAGE",
        status=REJECTED,
        why="X01's contract ended 2026-06-30 and was not renewed",
    )
    s = b.pick(
        "new hire with 增员日期",
        lambda s: (
            s.contract.year == 2026
            and s.unit.spec.category == "renewed"
            and s.first_time
            and s.row.join_date is not None
            and s.start - s.contract.effective > days(20)
        ),
    )
    before = s.start - days(6)
    b.illness(
        s,
        "C1-01",
        before,
        reason="NO_COVERAGE",
        status=REJECTED,
        why=f"diagnosed 6 days before the member's 增员日期 {s.start} (D6)",
    )
    s = b.pick(
        "leaver",
        lambda s: (
            s.contract.year == 2025
            and s.unit.spec.category == "renewed"
            and len(world.spells_of(s.person)) == 1
            and s.end < dt.date(2026, 9, 1)
        ),
    )
    acc = s.end + days(25)
    b.disability(
        s,
        9,
        acc,
        acc + days(30),
        reason="NO_COVERAGE",
        status=REJECTED,
        why="left the unit: not on its 2026 roster, 2025 cover ended",
    )
    t12 = world.specials["temp12"]
    used.add(t12.id_number)
    b.illness(
        None,
        "C1-02",
        dt.date(2026, 8, 22),
        person=t12,
        unit_code=world.unit("R11").code,
        reason="NO_COVERAGE",
        status=REJECTED,
        why="temporary of 12 months: not eligible, not covered (E1)",
    )
    s = b.spell_in("N05", 2026)
    b.disability(
        s,
        10,
        dt.date(2026, 9, 1),
        dt.date(2026, 10, 8),
        reason="NO_COVERAGE",
        status=REJECTED,
        why="accident two weeks before N05's contract began (2026-09-15)",
    )
    s = b.pick(
        "name with a homophone",
        lambda s: (
            s.contract.year == 2026
            and not s.first_time
            and any(ch in HOMOPHONES for ch in s.person.name[1:])
        ),
    )
    wrong = s.person.name[0] + "".join(HOMOPHONES.get(ch, ch) for ch in s.person.name[1:])
    b.illness(
        s,
        "C1-01",
        b._between(s.start, AS_OF),
        name=wrong,
        reason="NAME_MISMATCH",
        status=PENDING,
        why=f"name {wrong} on the claim, {s.person.name} in the register",
    )
    s = b.continuing("R03")
    diag = b._between(s.start, AS_OF)
    spaced = s.person.name[0] + " " + s.person.name[1:]
    b.illness(
        s,
        "C2-11",
        diag,
        text="渐冻症",
        name=spaced,
        reason="FULL_BENEFIT",
        status=APPROVED,
        amount=full("C2-11"),
        why="name written with a space matches (L7)",
    )
    s = b.continuing("R06")
    diag = b._between(s.start, AS_OF)
    b.illness(
        s,
        "C1-09",
        diag,
        name=s.person.name[0] + "\u3000" + s.person.name[1:],
        reason="FULL_BENEFIT",
        status=APPROVED,
        amount=full("C1-09"),
        why="full-width space in the name matches (L7)",
    )
    s = b.continuing("R10")
    b.illness(
        s,
        "C1-01",
        b._between(s.start, AS_OF),
        unit_code=world.unit("R17").code,
        reason="UNIT_MISMATCH",
        status=PENDING,
        why="单位编码 of R17, cover is with R10 (L7)",
    )

    # ---- step 5: exclusions ----
    s = b.continuing("R07")
    b.illness(
        s,
        "C1-01",
        b._between(s.start, AS_OF),
        fraud="是",
        reason="EXCLUDED_FRAUD",
        status=REJECTED,
        why="A6.2 falsified records",
    )
    s = b.continuing("R17")
    acc = b._between(s.start, AS_OF - days(30))
    b.disability(
        s,
        4,
        acc,
        acc + days(25),
        fraud="√",
        exclusion="醉酒",
        reason="EXCLUDED_FRAUD",
        status=REJECTED,
        why="fraud is checked before the cause (L8)",
    )
    s = b.continuing("R02")
    b.illness(
        s,
        "C1-03",
        b._between(s.start, AS_OF),
        preexisting="√",
        reason="EXCLUDED_PREEXISTING",
        status=REJECTED,
        why="A6.1 illness before enrolment not disclosed",
    )
    s = b.continuing("R08")
    acc = b._between(s.start, AS_OF - days(40))
    b.disability(
        s,
        6,
        acc,
        acc + days(35),
        exclusion="醉酒",
        reason="EXCLUDED_CAUSE",
        status=REJECTED,
        why="A6.3 drunkenness",
    )
    s = b.continuing("R01")
    acc = b._between(s.start, AS_OF - days(10))
    b.death(
        s,
        acc,
        acc + days(2),
        exclusion="违章驾驶",
        reason="EXCLUDED_CAUSE",
        status=REJECTED,
        why="A6.3 driving in breach of traffic rules",
    )
    s = b.continuing("R09")
    b.illness(
        s,
        "C1-07",
        b._between(s.start, AS_OF),
        exclusion="吸毒",
        reason="EXCLUDED_CAUSE",
        status=REJECTED,
        why="A6.3 drug use, an illness claim",
    )
    s = b.continuing("R06")
    acc = b._between(s.start, AS_OF - days(40))
    b.disability(
        s,
        5,
        acc,
        acc + days(30),
        brave="是",
        exclusion="斗殴",
        reason="CONFLICTING_FACTS",
        status=PENDING,
        why="brave act and fighting together (L8)",
    )
    s = b.continuing("R17")
    acc = b._between(s.start, AS_OF - days(40))
    b.disability(
        s,
        5,
        acc,
        acc + days(38),
        grade_cell="伤残五级",
        brave="√",
        reason="DISABILITY_GRADE",
        status=APPROVED,
        amount=plan.grades[5],
        why="disabled by an act of bravery (A3.2)",
    )

    # ---- step 6: critical illness ----
    for text in NOT_LISTED[:2]:
        s = b.continuing("R02")
        b.illness(
            s,
            None,
            b._between(s.start, AS_OF),
            text=text,
            reason="DISEASE_NOT_LISTED",
            status=REJECTED,
            why=f"{text} is not one of the 27",
        )
    for text in NEAR_MISSES[:2]:
        s = b.continuing("R07")
        b.illness(
            s,
            None,
            b._between(s.start, AS_OF),
            text=text,
            reason="AMBIGUOUS_DISEASE",
            status=PENDING,
            why=f"{text}: close to a listed name, for review",
        )
    # The register paid C1-03 to this member under the 2025 contract (A5.2c, L10).
    m1 = next(
        s for s in world.spells_of(_person(world, earlier["paid_c103"])) if s.contract.year == 2026
    )
    b.illness(
        m1,
        "C1-03",
        dt.date(2026, 6, 15),
        text="尿毒症",
        reason="DISEASE_PAID_IN_EARLIER_TERM",
        status=REJECTED,
        why=f"C1-03 paid by {earlier['paid_c103'].claim_id} in the 2025 term",
    )
    m2 = next(
        s
        for s in world.spells_of(_person(world, earlier["consolation_c101"]))
        if s.contract.year == 2026
    )
    b.illness(
        m2,
        "C2-01",
        dt.date(2026, 7, 20),
        text="原位癌",
        reason="DISEASE_EXCLUDED_AFTER_WAITING",
        status=REJECTED,
        why=f"consolation for C1-01 in 2025 ({earlier['consolation_c101'].claim_id}); C2-01 is related (D1, L9)",
    )
    m3 = next(
        s
        for s in world.spells_of(_person(world, earlier["reduced_c102"]))
        if s.contract.year == 2026
    )
    b.illness(
        m3,
        "C1-10",
        dt.date(2026, 8, 20),
        text="冠脉搭桥",
        reason="DISEASE_EXCLUDED_AFTER_WAITING",
        status=REJECTED,
        why=f"reduced payment for C1-02 in 2025 ({earlier['reduced_c102'].claim_id}); C1-10 is related (D1)",
    )
    # N02 (first enrolment from 2026-03-01): the waiting-period boundaries (D2, D4).
    s = b.spell_in("N02", 2026)
    b.illness(
        s,
        "C1-07",
        s.day(30),
        text="中风",
        reason="CONSOLATION",
        status=APPROVED,
        amount=plan.consolation,
        why="cover day 30: exemption period (A5.2b)",
    )
    b.illness(
        s,
        "C1-07",
        s.day(200),
        text="脑卒中",
        reason="DISEASE_EXCLUDED_AFTER_WAITING",
        status=REJECTED,
        why="the same member had a consolation for C1-07 on day 30 (A5.2a, L9)",
    )
    s = b.spell_in("N02", 2026)
    b.illness(
        s,
        "C1-11",
        s.day(60),
        reason="CONSOLATION",
        status=APPROVED,
        amount=plan.consolation,
        why="cover day 60: last day of the exemption period",
    )
    s = b.spell_in("N02", 2026)
    b.illness(
        s,
        "C2-14",
        s.day(61),
        reason="REDUCED_30",
        status=APPROVED,
        amount=reduced("C2-14"),
        why="cover day 61: first day of the reduced period, 30% of 5000",
    )
    s = b.spell_in("N02", 2026)
    b.illness(
        s,
        "C1-04",
        s.day(180),
        reason="REDUCED_30",
        status=APPROVED,
        amount=reduced("C1-04"),
        why="cover day 180: last day of the reduced period, 30% of 15000",
    )
    s = b.spell_in("N02", 2026)
    b.illness(
        s,
        "C2-05",
        s.day(181),
        reason="FULL_BENEFIT",
        status=APPROVED,
        amount=full("C2-05"),
        why="cover day 181: fully covered",
    )
    p2 = world.specials["transfer"]
    used.add(p2.id_number)
    s = next(x for x in world.spells_of(p2) if x.contract.year == 2026)
    assert s.unit.key == "N02" and not s.first_time
    b.illness(
        s,
        "C1-09",
        s.day(46),
        reason="FULL_BENEFIT",
        status=APPROVED,
        amount=full("C1-09"),
        why="N02 day 46, but R05's cover ended the day before N02's began: not first-time (D6)",
    )
    s = b.spell_in("N06", 2026)
    b.illness(
        s,
        "C1-11",
        s.day(1),
        text="颅内肿瘤开颅手术",
        reason="CONSOLATION",
        status=APPROVED,
        amount=plan.consolation,
        why="diagnosed on the effective date: cover day 1 (D2)",
    )
    s = b.in_both("L01")
    assert s.first_time
    b.illness(
        s,
        "C2-04",
        s.day(5),
        text="再生障碍性贫血",
        reason="CONSOLATION",
        status=APPROVED,
        amount=plan.consolation,
        why="L01 renewed 21 days late: a first enrolment, cover day 5 (D5)",
    )
    s = b.continuing("R03")
    b.illness(
        s,
        "C1-01",
        s.day(5),
        text="原发性恶性肿瘤（不包括原位癌）",
        reason="FULL_BENEFIT",
        status=APPROVED,
        amount=full("C1-01"),
        why="R03 renewed exactly 20 days after expiry: a renewal, no waiting (D5)",
    )
    s = b.continuing("R09")
    b.illness(
        s,
        "C1-06",
        s.day(1),
        reason="FULL_BENEFIT",
        status=APPROVED,
        amount=full("C1-06"),
        why="first day of a renewal: no waiting (A2.3)",
    )
    s = b.spell_in("N05", 2026)
    b.illness(
        s,
        "C2-04",
        s.day(10),
        text="再障",
        reason="CONSOLATION",
        status=APPROVED,
        amount=plan.consolation,
        why="cover day 10",
    )
    b.illness(
        s,
        "C1-06",
        s.day(50),
        text="重症胰腺炎",
        reason="CONSOLATION_ALREADY_PAID",
        status=REJECTED,
        why="second exemption-period claim in the same spell (A5.2b)",
    )
    s = b.pick(
        "new hire with 增员日期, reduced period",
        lambda s: (
            s.contract.year == 2026
            and s.unit.spec.category == "renewed"
            and s.first_time
            and s.row.join_date is not None
            and s.day(61) <= AS_OF
        ),
    )
    n = b.rng.randrange(61, min(180, cover_day(AS_OF, s.start)) + 1)
    b.illness(
        s,
        "C1-01",
        s.day(n),
        text="恶性肿瘤",
        reason="REDUCED_30",
        status=APPROVED,
        amount=reduced("C1-01"),
        why=f"new member, waiting counted from 增员日期 {s.start}: cover day {n} (D6)",
    )
    s = b.pick(
        "new hire at renewal",
        lambda s: (
            s.contract.year == 2026
            and s.unit.spec.category == "renewed"
            and s.first_time
            and s.row.join_date is None
            and s.day(61) <= AS_OF
        ),
    )
    n = b.rng.randrange(61, min(180, cover_day(AS_OF, s.start)) + 1)
    b.illness(
        s,
        "C1-02",
        s.day(n),
        text="心梗支架",
        reason="REDUCED_30",
        status=APPROVED,
        amount=reduced("C1-02"),
        why=f"new on a renewed unit's roster: first-time spell, cover day {n} (D6)",
    )
    s = b.spell_in("D02", 2025)
    b.illness(
        s,
        "C2-02",
        s.day(81),
        reason="REDUCED_30",
        status=APPROVED,
        amount=reduced("C2-02"),
        why="D02's 2025 contract is a first enrolment: cover day 81",
    )
    s = b.spell_in("D01", 2025)
    b.illness(
        s,
        "C1-05",
        s.day(230),
        reason="FULL_BENEFIT",
        status=APPROVED,
        amount=full("C1-05"),
        why="cover day 230 of D01's contract",
    )
    s = b.continuing("R18")
    s25 = b.other_spell(s, 2025)
    diag = s25.day(235)
    b.illness(
        s25,
        "C1-12",
        diag,
        reason="FULL_BENEFIT",
        status=APPROVED,
        amount=full("C1-12"),
        why="filed late: falls under R18's 2025 contract, cover day 235",
    )
    s = b.continuing("R04")
    b.illness(
        s,
        "C2-04",
        b._between(s.start, AS_OF),
        text="c2-04",
        reason="FULL_BENEFIT",
        status=APPROVED,
        amount=full("C2-04"),
        why="code typed in lower case",
    )
    s = b.continuing("R01")
    b.illness(
        s,
        "C1-01",
        dt.date(2026, 3, 5),
        text="癌症",
        reason="FULL_BENEFIT",
        status=APPROVED,
        amount=full("C1-01"),
        why="first C1-01 payment of the term",
    )
    b.illness(
        s,
        "C1-01",
        dt.date(2026, 9, 20),
        text="C1-01",
        reason="DISEASE_CAP_REACHED",
        status=REJECTED,
        why="15000 already paid for C1-01 this term (A5.1)",
    )

    # ---- step 7: accidental disability ----
    for grade_cell, why in (("十一级", "grade 11 is outside 1–10"), (0, "grade 0 is outside 1–10")):
        s = b.continuing("R01")
        acc = b._between(s.start, AS_OF - days(60))
        b.disability(
            s,
            None,
            acc,
            acc + days(45),
            grade_cell=grade_cell,
            reason="GRADE_NOT_COVERED",
            status=REJECTED,
            why=why + " (L1)",
        )
    s = b.continuing("R02")
    acc = b._between(s.start, AS_OF - days(30))
    b.disability(
        s, 6, acc, None, reason="TREATMENT_NOT_ENDED", status=PENDING, why="no 治疗终结日期"
    )
    s = b.continuing("R07")
    acc = b._between(s.start, AS_OF - days(30))
    b.disability(
        s,
        3,
        acc,
        AS_OF + days(22),
        reason="TREATMENT_NOT_ENDED",
        status=PENDING,
        why="治疗终结日期 after the as-of date",
    )
    for key, grade, cell in (
        ("R08", 3, "三级"),
        ("R15", 5, "5级"),
        ("R17", 7, "伤残七级"),
        ("R06", 10, "十级"),
    ):
        s = b.continuing(key)
        acc = b._between(s.start, AS_OF - days(40))
        b.disability(
            s,
            grade,
            acc,
            acc + days(30),
            grade_cell=cell,
            reason="DISABILITY_GRADE",
            status=APPROVED,
            amount=plan.grades[grade],
            why=f"grade written {cell}",
        )
    w = world.specials["warning"]
    used.add(w.id_number)
    s = next(x for x in world.spells_of(w) if x.contract.year == 2026)
    acc = b._between(s.start, AS_OF - days(40))
    b.disability(
        s,
        8,
        acc,
        acc + days(33),
        grade_cell=8,
        reason="DISABILITY_GRADE",
        status=APPROVED,
        amount=plan.grades[8],
        why="id with a region code the library finds too young: a warning only (E3)",
    )
    m9 = next(
        x
        for x in world.spells_of(_person(world, earlier["grade1_2025"]))
        if x.contract.year == 2026
    )
    b.disability(
        m9,
        2,
        dt.date(2026, 5, 6),
        dt.date(2026, 8, 1),
        grade_cell="2",
        reason="DISABILITY_GRADE",
        status=APPROVED,
        amount=plan.grades[2],
        why=f"grade 1 paid in the 2025 term ({earlier['grade1_2025'].claim_id}); a new term's cap (D8)",
    )
    s = b.spell_in("N06", 2026)
    b.disability(
        s,
        10,
        s.day(5),
        s.day(32),
        grade_cell="十级",
        reason="DISABILITY_GRADE",
        status=APPROVED,
        amount=plan.grades[10],
        why="cover day 5: accidents have no waiting period (A2.2)",
    )

    # ---- step 8: accidental death (D7) ----
    for key, acc, died, reason in (
        ("R01", dt.date(2026, 1, 31), dt.date(2026, 2, 28), "ACCIDENTAL_DEATH"),
        ("R02", dt.date(2026, 1, 31), dt.date(2026, 3, 1), "DEATH_NOT_WITHIN_MONTH"),
        ("R05", dt.date(2026, 3, 31), dt.date(2026, 4, 30), "ACCIDENTAL_DEATH"),
        ("R06", dt.date(2026, 3, 31), dt.date(2026, 5, 1), "DEATH_NOT_WITHIN_MONTH"),
    ):
        s = b.continuing(key)
        assert s.covers(acc)
        approved = reason == "ACCIDENTAL_DEATH"
        b.death(
            s,
            acc,
            died,
            reason=reason,
            status=APPROVED if approved else REJECTED,
            amount=plan.death_amount if approved else 0,
            why=f"accident {acc}, death {died}: {'within' if approved else 'beyond'} one month (D7)",
        )

    # ---- step 9: accident cap (A5.5) ----
    s = b.continuing("R02")
    g1, g2 = plan.grades[1], plan.grades[2]
    b.disability(
        s,
        1,
        dt.date(2026, 2, 10),
        dt.date(2026, 4, 20),
        reason="DISABILITY_GRADE",
        status=APPROVED,
        amount=g1,
        why="first accident of the term",
    )
    b.disability(
        s,
        2,
        dt.date(2026, 6, 1),
        dt.date(2026, 8, 10),
        reason="PARTIAL_CAP",
        status=APPROVED,
        amount=plan.accident_cap - g1,
        why=f"{g2} cut to {plan.accident_cap - g1}: 30000 a term (A5.5)",
    )
    b.disability(
        s,
        9,
        dt.date(2026, 8, 15),
        dt.date(2026, 10, 30),
        reason="ACCIDENT_CAP_REACHED",
        status=REJECTED,
        why="30000 already paid for accidents this term",
    )
    s = b.continuing("R04")
    g3 = plan.grades[3]
    b.disability(
        s,
        3,
        dt.date(2026, 3, 1),
        dt.date(2026, 5, 10),
        grade_cell="三级",
        reason="DISABILITY_GRADE",
        status=APPROVED,
        amount=g3,
        why="grade 3",
    )
    b.death(
        s,
        dt.date(2026, 7, 10),
        dt.date(2026, 7, 20),
        reason="PARTIAL_CAP",
        status=APPROVED,
        amount=plan.accident_cap - g3,
        why=f"death benefit cut to {plan.accident_cap - g3} by the accident cap",
    )

    current = [s for s in world.spells if s.contract is s.unit.current]
    b.ordinary(420 - len(b.claims), current, AS_OF)
    return b


def _person(world: World, claim: Claim) -> Person:
    number = claim.cells["身份证号"]
    return next(s.person for s in world.spells if s.person.id_number == number)


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
    outdir: str | Path, seed: int = DEFAULT_SEED, plan_path: Path = PLAN_TOML
) -> SampleData:
    """Write the five sample files (and expected_claims.csv) into `outdir`; return what to expect."""
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
            c.file, c.excel_row, c.claim_id, c.status, c.amount, c.reason, c.why, c.scenario
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
    files["expected_claims.csv"] = out / "expected_claims.csv"
    write_expected_csv(files["expected_claims.csv"], result)
    files["EXPECTED.md"] = out / "EXPECTED.md"
    files["EXPECTED.md"].write_text(render_expected(result), encoding="utf-8")
    return result


def write_expected_csv(path: Path, data: SampleData) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(
            ["file", "row", "claim_id", "status", "amount", "reason_code", "scenario", "why"]
        )
        for c in data.claims:
            w.writerow(
                [
                    c.file,
                    c.row,
                    c.claim_id,
                    c.status,
                    c.amount,
                    c.reason_code,
                    int(c.scenario),
                    c.why,
                ]
            )


def _mask(number: str) -> str:
    return number if len(number) < 10 else number[:6] + "*" * (len(number) - 10) + number[-4:]


def render_expected(data: SampleData) -> str:
    """EXPECTED.md: the short tables a reader (or a test) checks the tool's answers against."""
    lines = [
        "# Expected results of the sample data",
        "",
        f"Written by `scripts/make_sample_data.py` (seed {data.seed}, parameters `{data.policy_version}`);",
        "regenerate with `make sample`, never edit by hand. Every row of the claims files, with its",
        "expected status, amount and reason code, is in `expected_claims.csv`.",
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
    for f in ("claims_2025.xlsx", "claims.xlsx"):
        lines += [
            "",
            f"## {f}: reason codes",
            "",
            "| reason_code | status | claims | claim_ids (scenarios; `+n` ordinary ones in the csv) |",
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


# --------------------------------------------------------------------------------------
# Benchmark workbooks (write-only, no styles)
# --------------------------------------------------------------------------------------


class BenchMember(NamedTuple):
    unit_code: str
    id_number: str
    name: str
    effective_date: dt.date
    join_date: dt.date | None


def _bench_pairs() -> list[tuple[str, str]]:
    """Every (region code, birth date) a generated bench id may use, each valid in stdnum.

    Ids are then indexed bijectively (`_bench_id`), so a million are unique without a set
    of a million strings in memory.
    """
    pairs: list[tuple[str, str]] = []
    start, stop = dt.date(1966, 1, 1), dt.date(2003, 12, 31)
    places = ("连云区", "赣榆区", "东海县", "灌云县", "灌南县")
    day = start
    while day <= stop:
        stamp = f"{day:%Y%m%d}"
        for place in places:
            code = next(c for c in reversed(DISTRICTS[place]) if region_valid(c, day.year))
            pairs.append((code, stamp))
        day += days(1)
    return pairs


def _bench_id(index: int, pairs: Sequence[tuple[str, str]], mult: int) -> str:
    space = len(pairs) * 999
    j = (index * mult + 12345) % space
    code, stamp = pairs[j // 999]
    return id_with_check(f"{code}{stamp}{j % 999 + 1:03d}")


def _bench_mult(space: int) -> int:
    mult = 7_919_993
    while math.gcd(mult, space) != 1:
        mult += 2
    return mult


BENCH_MARK = "aidctl-bench"


class BenchRoster:
    """The units and members of a bench workbook, a pure function of its parameters.

    Writing streams the members out of `members()`; `make_bench_claims` streams them again
    from the same parameters (kept in the workbook's properties) instead of reading a
    million rows back — the read would cost half a gigabyte, the regeneration a few MB.
    """

    def __init__(self, n_units: int, n_members: int, seed: int, as_of: dt.date) -> None:
        if not 0 < n_units <= n_members:
            raise ValueError("need 0 < n_units <= n_members")
        self.n_units, self.n_members, self.seed, self.as_of = n_units, n_members, seed, as_of
        rng = random.Random(f"{seed}:bench-units")
        # Unit sizes as in a city: many small units, a few with a thousand staff or more.
        weights = [min(rng.lognormvariate(0.0, 1.1), 40.0) for _ in range(n_units)]
        total = sum(weights)
        sizes = [max(1, int(w / total * n_members)) for w in weights]
        i = 0
        while sum(sizes) < n_members:
            sizes[i % n_units] += 1
            i += 1
        while sum(sizes) > n_members:
            j = rng.randrange(n_units)
            if sizes[j] > 1:
                sizes[j] -= 1
        kinds = tuple(USCC_PREFIX)
        first, span = dt.date(2026, 1, 1), 181
        self.units: list[list[Cell]] = []
        for u, n in enumerate(sizes):
            kind = rng.choice(kinds)
            district = rng.choice(DISTRICT_ORDER)
            code = make_uscc(USCC_PREFIX[kind], DISTRICT_CODE[district], org_code(f"{u:08d}"))
            eff = first + days(rng.randrange(span))
            staff = n if n < 30 else n + rng.randrange(0, n // 4 + 1)  # E2: >= 80%, or 100%
            self.units.append(
                [
                    code,
                    f"{district}测试单位{u + 1:05d}",
                    staff,
                    eff,
                    f"BM2026-{u + 1:05d}",
                    rng.choice((20, 20, 20, 10, 0)),
                    staff * 80000,
                    person_name(rng, "F", 1985),
                    mobile(rng),
                    eff,  # 受理日期: received on the day it takes effect (D5)
                ]
            )
        self.sizes = sizes

    def description(self) -> str:
        return f"{BENCH_MARK} {self.n_units} {self.n_members} {self.seed} {self.as_of}"

    @classmethod
    def from_description(cls, text: str | None) -> BenchRoster | None:
        parts = (text or "").split()
        if len(parts) != 5 or parts[0] != BENCH_MARK:
            return None
        return cls(int(parts[1]), int(parts[2]), int(parts[3]), dt.date.fromisoformat(parts[4]))

    def members(self) -> Iterator[tuple[list[Cell], dt.date]]:
        """Each member row with its unit's effective date, in sheet order."""
        rng = random.Random(f"{self.seed}:bench-members")
        pairs = _bench_pairs()
        mult = _bench_mult(len(pairs) * 999)
        names_m = [
            s + g for s in _SURNAME_CHOICES for g in GIVEN[("mid", "M")] + GIVEN[("young", "M")]
        ]
        names_f = [
            s + g for s in _SURNAME_CHOICES for g in GIVEN[("mid", "F")] + GIVEN[("young", "F")]
        ]
        as_of, index = self.as_of, 0
        for unit, n in zip(self.units, self.sizes, strict=True):
            code, eff = unit[0], unit[3]
            assert isinstance(eff, dt.date)
            for _ in range(n):
                number = _bench_id(index, pairs, mult)
                index += 1
                name = rng.choice(names_m if int(number[16]) % 2 else names_f)
                r = rng.random()
                t = "正式" if r < 0.45 else "合同" if r < 0.95 else "临时"
                months = rng.choice(TEMP_MONTHS) if t == "临时" else None
                join = None
                if rng.random() < 0.03 and (as_of - eff).days > 40:
                    join = eff + days(rng.randrange(20, (as_of - eff).days - 10))
                yield [code, number, name, t, months, join], eff


def make_bench_units(
    path: str | Path,
    n_units: int = 20_000,
    n_members: int = 1_000_000,
    seed: int = 7,
    as_of: dt.date = AS_OF,
) -> Path:
    """Write a big units workbook fast (openpyxl write-only, no per-cell styles).

    Units start between 2026-01-01 and 2026-06-30 so that every member has cover on a
    stretch of days before `as_of`; every unit is compliant (E2), every id valid and unique.
    Memory stays at the size of the unit list: members are streamed, ids indexed
    (`_bench_id`), never collected. About a minute for a million members.
    """
    from openpyxl import Workbook as _Workbook

    roster = BenchRoster(n_units, n_members, seed, as_of)
    wb = _Workbook(write_only=True)
    wb.properties.description = roster.description()
    us = wb.create_sheet(UNITS_SHEET)
    ms = wb.create_sheet(MEMBERS_SHEET)
    us.append(list(UNIT_HEADERS))
    for row in roster.units:
        us.append(row)
    ms.append(list(MEMBER_HEADERS))
    for member, _ in roster.members():
        ms.append(member)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _bench_roster_of(path: str | Path) -> BenchRoster | None:
    """The roster a bench workbook was written from, read from its properties (no sheet read)."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    try:
        return BenchRoster.from_description(wb.properties.description)
    finally:
        wb.close()


def _draw_bench_members(roster: BenchRoster, n: int, rng: random.Random) -> list[BenchMember]:
    """`n` members drawn with replacement, in draw order, by streaming the roster once."""
    draws = [rng.randrange(roster.n_members) for _ in range(n)]
    wanted: dict[int, BenchMember | None] = dict.fromkeys(draws)
    for index, (row, eff) in enumerate(roster.members()):
        if index in wanted:
            code, number, name, join = row[0], row[1], row[2], row[5]
            assert isinstance(code, str) and isinstance(number, str) and isinstance(name, str)
            wanted[index] = BenchMember(
                code, number, name, eff, join if isinstance(join, dt.date) else None
            )
    out = [wanted[i] for i in draws]
    assert all(m is not None for m in out)
    return [m for m in out if m is not None]


def read_bench_members(
    path: str | Path, sample: int | None = None, rng: random.Random | None = None
) -> list[BenchMember]:
    """Members of a units workbook, all of them or `sample` drawn with replacement.

    For a workbook `make_bench_units` did not write (the sample's, a clerk's): the units
    sheet is scanned for its header row (title rows above it) with openpyxl, the members
    sheet read with polars + calamine, id and code columns as text (formats.md: an id read
    as a number loses digits). Units whose 生效日期 is not a real date are left out. Only the
    drawn rows become Python objects.
    """
    import polars as pl
    from openpyxl import load_workbook

    effective: dict[str, dt.date] = {}
    wb = load_workbook(path, read_only=True)
    try:
        header: list[Any] | None = None
        for row in wb[UNITS_SHEET].iter_rows(values_only=True):
            if header is None:
                header = list(row) if "单位编码" in row and "生效日期" in row else None
                continue
            record = dict(zip(header, row, strict=False))
            eff = record.get("生效日期")
            if isinstance(record.get("单位编码"), str) and isinstance(eff, dt.date):
                effective[record["单位编码"]] = eff.date() if isinstance(eff, dt.datetime) else eff
    finally:
        wb.close()
    members = pl.read_excel(
        path,
        sheet_name=MEMBERS_SHEET,
        engine="calamine",
        columns=["单位编码", "身份证号", "姓名", "增员日期"],
        schema_overrides={
            "单位编码": pl.Utf8,
            "身份证号": pl.Utf8,
            "姓名": pl.Utf8,
            "增员日期": pl.Date,
        },
    )
    units = pl.DataFrame(
        {"单位编码": list(effective), "生效日期": list(effective.values())},
        schema={"单位编码": pl.Utf8, "生效日期": pl.Date},
    )
    frame = members.join(units, on="单位编码", how="inner", maintain_order="left").select(
        "单位编码", "身份证号", "姓名", "生效日期", "增员日期"
    )
    if sample is not None:
        rng = rng or random.Random(0)
        frame = frame[[rng.randrange(frame.height) for _ in range(sample)]]
    return [BenchMember(*row) for row in frame.iter_rows()]


def make_bench_claims(
    path: str | Path,
    units_path_or_members: str | Path | Sequence[BenchMember],
    n_claims: int = 100_000,
    seed: int = 11,
    as_of: dt.date = AS_OF,
) -> Path:
    """Write a big claims workbook against the members of a units workbook.

    `units_path_or_members` is a workbook `make_bench_units` wrote (its members are
    regenerated from the parameters in its properties: fast, a few MB), any other units
    workbook (read: `read_bench_members`), or the members themselves. Claims are spread over the member's cover up to `as_of`, in the proportions of a real
    month (illness 60%, disability 34%, death 6%), with diseases written as clerks write
    them and a few percent of rows that step 1, 3 or 6 must stop — so the benchmark times
    every branch of the calculator, not only the happy path.
    """
    from openpyxl import Workbook as _Workbook

    rng = random.Random(f"{seed}:bench-claims")
    if isinstance(units_path_or_members, (str, Path)):
        roster = _bench_roster_of(units_path_or_members)
        if roster is not None:
            drawn = _draw_bench_members(roster, n_claims, rng)
        else:  # some other units workbook: read it (calamine holds the sheet in memory)
            drawn = read_bench_members(units_path_or_members, sample=n_claims, rng=rng)
    else:
        given = units_path_or_members
        drawn = [given[rng.randrange(len(given))] for _ in range(n_claims)]
    plan = load_plan()
    codes = tuple(plan.diseases)
    spellings = {c: plan.diseases[c].spellings() for c in codes}
    weights = tuple(ILLNESS_WEIGHT.get(c, 1) for c in codes)
    grade_weights = (1, 1, 2, 3, 4, 6, 8, 10, 12, 14)
    wb = _Workbook(write_only=True)
    ws = wb.create_sheet(CLAIMS_SHEET)
    ws.append(list(CLAIM_HEADERS))
    previous: list[Cell] | None = None
    for n, m in enumerate(drawn):
        claim_id = f"BC{n + 1:07d}"
        if previous is not None and rng.random() < 0.005:
            # The same claim filed twice under two numbers (step 3, POSSIBLE_DUPLICATE).
            ws.append([claim_id, *previous[1:]])
            continue
        start = m.join_date or m.effective_date
        last = max(start, min(as_of, term_end(m.effective_date)))
        event = start + days(rng.randrange((last - start).days + 1))
        kind = rng.choices((ILLNESS, DISABILITY, DEATH), (60, 34, 6))[0]
        disease: str | None = None
        diagnosis = accident = end = died = None
        grade: int | None = None
        if kind == ILLNESS:
            r = rng.random()
            if r < 0.03:
                disease = rng.choice(NOT_LISTED)  # step 6: DISEASE_NOT_LISTED
            elif r < 0.04:
                disease = rng.choice(NEAR_MISSES)  # step 6: AMBIGUOUS_DISEASE
            else:
                disease = rng.choice(spellings[rng.choices(codes, weights)[0]])
            diagnosis = event if rng.random() > 0.005 else None  # step 1: MISSING_FIELD
        elif kind == DISABILITY:
            accident = event
            grade = rng.choices(range(1, 11), grade_weights)[0]
            if rng.random() < 0.93:  # the rest: TREATMENT_NOT_ENDED
                end = min(as_of, event + days(rng.randrange(14, 150)))
        else:
            accident = event
            died = min(as_of, event + days(rng.randrange(0, 40)))
        row: list[Cell] = [
            claim_id,
            m.id_number,
            m.name,
            m.unit_code if rng.random() < 0.8 else None,
            kind,
            disease,
            diagnosis,
            accident,
            grade,
            end,
            died,
            None,
            "醉酒" if rng.random() < 0.01 else None,
            None,
            None,
            None,
        ]
        ws.append(row)
        previous = row
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


# --------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir", type=Path, help="directory to write the sample files into")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    data = generate(args.outdir, seed=args.seed)
    n_claims = {
        f: sum(c.file == f for c in data.claims) for f in ("claims_2025.xlsx", "claims.xlsx")
    }
    print(f"as of {data.as_of}: wrote {', '.join(sorted(data.files))} to {args.outdir}")
    print(f"claims: {n_claims}; reason codes: {len({c.reason_code for c in data.claims})}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
