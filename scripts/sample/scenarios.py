"""The scenarios: every claim of the sample year, built on purpose against the world, with
the decision the tool must give (status, amount, reason code, clause)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .base import (
    APPROVED,
    AS_OF,
    CLAIM_HEADERS,
    CLAIMS_2025_LAST_DAY,
    DEATH,
    DISABILITY,
    ILLNESS,
    PENDING,
    PERSON_TEXTS,
    REJECTED,
    UNLISTED_TEXTS,
    UNRECOGNISED_TEXTS,
    Cell,
    Written,
    cover_day,
    days,
)
from .ids import (
    HOMOPHONES,
    Person,
)
from .world import (
    Spell,
    World,
    _date_style,
)

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

    def spelling(self, code: str) -> Written:
        """A wording of the listed disease `code` as a hospital writes it (D10)."""
        return self.rng.choice(self.plan.written(code))

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
        text: str | Written | None = None,
        **kw: Any,
    ) -> Claim:
        """A critical-illness claim. `text` is a pinned wording (tests/data/diagnoses.csv);
        without it, a wording of `code`. The reading D10 gives the wording must be the one
        the expected decision rests on — checked here, so a scenario cannot drift."""
        written: Written | None
        if isinstance(text, str):
            written = self.plan.dx(text)
        elif text is not None:
            written = text
        else:
            written = self.spelling(code) if code else None
        if written is not None:
            _check_reading(written, code, kw["reason"])
        kw.setdefault("diagnosis", self.date(diag))
        return self.add(
            spell,
            ILLNESS,
            disease=written.text if written else None,
            diagnosis_code=written.icd10 if written else None,
            event=diag,
            **kw,
        )

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
                    text=self.rng.choice(UNLISTED_TEXTS),
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


# The reading (D10) each step-6 outcome needs; the other reasons need a listed disease,
# except those decided before step 6 reads the diagnosis (steps 1–5).
_READING_OF = {
    "AMBIGUOUS_DISEASE": "person",
    "UNRECOGNISED_DISEASE": "unrecognised",
    "DISEASE_NOT_LISTED": "unlisted",
}
_BEFORE_STEP_6 = frozenset(
    {
        "MISSING_FIELD",
        "INVALID_VALUE",
        "DATE_AFTER_AS_OF",
        "DUPLICATE_CLAIM_ID",
        "NO_COVERAGE",
        "NAME_MISMATCH",
        "UNIT_MISMATCH",
        "EXCLUDED_FRAUD",
        "EXCLUDED_PREEXISTING",
        "EXCLUDED_CAUSE",
        "AMBIGUOUS_CAUSE",
        "CONFLICTING_FACTS",
    }
)


def _check_reading(written: Written, code: str | None, reason: str) -> None:
    """The wording chosen for a claim reads (D10) as its expected decision needs."""
    wanted = _READING_OF.get(reason)
    if wanted is not None:
        assert written.outcome == wanted, (reason, written)
    elif reason not in _BEFORE_STEP_6:
        assert written.outcome == "listed" and written.codes == (code,), (reason, code, written)


HEADER_OF = {
    "disease": "病种",
    "diagnosis_code": "诊断编码",
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
        text=plan.dx("胃窦低分化腺癌", "C16.3"),
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
        text="急性前壁心肌梗死 冠状动脉支架植入术",
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
        text="再生障碍性贫血",
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
        text="脑卒中所致永久性功能障碍",
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
        text="慢性胰腺炎",
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
    s = b.continuing("R12")
    b.illness(
        s,
        "C1-01",
        AS_OF + days(5),
        reason="DATE_AFTER_AS_OF",
        status=PENDING,
        why=f"确诊日期 {AS_OF + days(5)} is after the as-of day {AS_OF} (step 1)",
    )
    s = b.continuing("R15")
    b.disability(
        s,
        9,
        AS_OF + days(1),
        None,
        reason="DATE_AFTER_AS_OF",
        status=PENDING,
        why="事故日期 the day after the as-of day: nothing is paid for what has not happened",
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
        text="慢性肾功能衰竭尿毒症期",
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

    # One accident has one grade (A5.3): a second grade for the same accident date, after the
    # first was approved, goes to a person (step 3).
    s = b.continuing("R09")
    acc = b._between(s.start, AS_OF - days(120))
    first_grade = b.disability(
        s,
        8,
        acc,
        acc + days(60),
        reason="DISABILITY_GRADE",
        status=APPROVED,
        amount=plan.grades[8],
        why="grade 8; a re-assessment of the same accident follows",
    )
    regrade = b.disability(
        s,
        6,
        acc,
        acc + days(100),
        grade_cell="伤残六级",
        reason="SAME_ACCIDENT_REGRADE",
        status=PENDING,
        why="grade 6 for the accident already paid at grade 8 (A5.3, step 3)",
    )
    regrade.filing = first_grade.filing + days(30)

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
        7,
        acc,
        acc + days(30),
        exclusion="违章",
        reason="AMBIGUOUS_CAUSE",
        status=PENDING,
        why="违章 alone: a work-safety breach is not driving in breach of traffic rules (A6.3)",
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
    # D10: recognised conditions outside the 27 are refused (one with its ICD-10 code) …
    for written in (plan.dx("高血压"), plan.dx("2型糖尿病"), plan.dx("股骨颈骨折", "S72.0")):
        s = b.continuing("R02")
        b.illness(
            s,
            None,
            b._between(s.start, AS_OF),
            text=written,
            reason="DISEASE_NOT_LISTED",
            status=REJECTED,
            why=f"{written.text} is not one of the 27 (D10 unlisted)",
        )
    # … a listed name without the qualifier that decides cover goes to a person …
    for text in PERSON_TEXTS[:4]:
        s = b.continuing("R07")
        b.illness(
            s,
            None,
            b._between(s.start, AS_OF),
            text=text,
            reason="AMBIGUOUS_DISEASE",
            status=PENDING,
            why=f"{text}: a listed name without its deciding qualifier (D10 to a person)",
        )
    # … and words the vocabulary does not know are asked for again, never refused.
    for text in UNRECOGNISED_TEXTS:
        s = b.continuing("R07")
        b.illness(
            s,
            None,
            b._between(s.start, AS_OF),
            text=text,
            reason="UNRECOGNISED_DISEASE",
            status=PENDING,
            why=f"{text}: no diagnosis the vocabulary knows (D10 unrecognised)",
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
        reason="RELATED_DISEASE_REVIEW",
        status=PENDING,
        why=(
            f"consolation for C1-01 in 2025 ({earlier['consolation_c101'].claim_id}); "
            "C1-01–C2-01 is a review pair: related only in the same organ (D1)"
        ),
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
        text="开胸冠状动脉搭桥术",
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
        text="脑卒中所致永久性功能障碍",
        reason="CONSOLATION",
        status=APPROVED,
        amount=plan.consolation,
        why="cover day 30: exemption period (A5.2b)",
    )
    b.illness(
        s,
        "C1-07",
        s.day(200),
        text="脑中风死亡",
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
        text="急性出血坏死性胰腺炎",
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
        text=plan.dx("左肺上叶腺癌", "C34.1"),
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
        text=plan.dx("急性前壁心肌梗死 冠状动脉支架植入术", "I21.0"),
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
        "C1-01",
        b._between(s.start, AS_OF),
        text="c1-01",
        reason="FULL_BENEFIT",
        status=APPROVED,
        amount=full("C1-01"),
        why="code typed in lower case",
    )
    # Diagnoses as hospitals write them, read by family (D10): a named benign intracranial
    # tumour is C2-05, the transplant of a named organ into the member is C1-08.
    for code, text in (("C2-05", "脑膜瘤"), ("C1-08", "同种异体肾移植术")):
        s = b.continuing("R04")
        b.illness(
            s,
            code,
            b._between(s.start, AS_OF),
            text=text,
            reason="FULL_BENEFIT",
            status=APPROVED,
            amount=full(code),
            why=f"{text} reads as {code} (D10 family); a renewal has no waiting period (A2.3)",
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
