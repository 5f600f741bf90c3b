"""The world: the 40 units with their roles, their contracts of two years, the member rows
of the rosters and the cover spells they give (E1–E6, D5, D6), with the expected findings."""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from typing import NamedTuple

from stdnum.cn import uscc

from .base import (
    AS_OF,
    Cell,
    PlanFigures,
    days,
    term_end,
)
from .ids import (
    DISTRICT_CODE,
    DISTRICTS,
    People,
    Person,
    id_with_check,
    person_name,
    phone,
    region_valid,
)

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
