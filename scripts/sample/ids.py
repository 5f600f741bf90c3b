"""Ids and names: region codes and resident id numbers (GB 11643) valid for the birth year,
and people with names of their era, so that the sample looks like the real rosters."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from functools import cache

from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from .base import (
    days,
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
