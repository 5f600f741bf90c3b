"""The benchmark workbooks (a million members, a hundred thousand claims), written with
openpyxl's write-only mode; scripts/bench.py imports them from here."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from .base import (
    AS_OF,
    CLAIM_HEADERS,
    CLAIMS_SHEET,
    DEATH,
    DISABILITY,
    ILLNESS,
    MEMBER_HEADERS,
    MEMBERS_SHEET,
    PERSON_TEXTS,
    UNIT_HEADERS,
    UNITS_SHEET,
    UNLISTED_TEXTS,
    Cell,
    Written,
    days,
    load_plan,
    term_end,
)
from .ids import (
    _SURNAME_CHOICES,
    DISTRICT_CODE,
    DISTRICTS,
    GIVEN,
    id_with_check,
    mobile,
    person_name,
    region_valid,
)
from .scenarios import (
    ILLNESS_WEIGHT,
)
from .world import (
    DISTRICT_ORDER,
    TEMP_MONTHS,
    USCC_PREFIX,
    make_uscc,
    org_code,
)

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
    spellings = {c: plan.written(c) for c in codes}
    unlisted = [plan.dx(t) for t in UNLISTED_TEXTS]
    person = [plan.dx(t) for t in PERSON_TEXTS]
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
        written: Written | None = None
        diagnosis = accident = end = died = None
        grade: int | None = None
        if kind == ILLNESS:
            r = rng.random()
            if r < 0.03:
                written = rng.choice(unlisted)  # step 6: DISEASE_NOT_LISTED
            elif r < 0.04:
                written = rng.choice(person)  # step 6: AMBIGUOUS_DISEASE
            else:
                written = rng.choice(spellings[rng.choices(codes, weights)[0]])
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
            written.text if written else None,
            written.icd10 if written else None,
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
