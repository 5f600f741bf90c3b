"""Small worlds of members, cover spells, register history and claims, for property tests.

A world is generated through a `Chooser` — hypothesis draws (`worlds()`, shrinkable) or a
seeded `random.Random` (`big_world()`, thousands of claims in one go) — so both come from
the same code. Claims cluster on the boundaries the rules turn on:

- cover days 1/60/61/180/181 (and the 90/200 of the test board's version) counted from the
  spell start (join date) and from the term start (A2.2, D2, D4, D6);
- the term's last day, the day after, and days inside and past the 20-day grace (D3, D5);
- month ends for deaths: 01-31 → 02-28/29 and 03-01 (A3.3, D7);
- a class-2 disease claimed 2–5 times in one term (A5.1 cap), accident series of
  disability and death (A5.5 cap), related diseases (D1), waiting-period claims followed by
  more claims (A5.2a/b, L9), the same disease over two terms (A5.2c, L10);
- duplicates (same key, new claim_id, L4), repeated claim_ids (L2), register rows with the
  same claim_id and equal or changed content, some voided (L3), blank and unreadable
  fields (L1), names with spaces (L7), exclusions and brave acts (A6, L8), grades 0 and 11,
  treatment not ended (A5.3), diseases as codes, names, aliases, near misses and unlisted
  text (A3.1).

Frames are built with the exact dtypes of `docs/architecture.md`.
"""

from __future__ import annotations

import calendar
import copy
import datetime as dt
import random
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Protocol, TypeVar

import polars as pl
from hypothesis import strategies as st
from stdnum.cn import ric

from aidctl.core.diagnosis import LISTED, read_diagnoses
from aidctl.plan import Policy, load_policy
from aidctl.plan.causes import load_causes
from aidctl.plan.params import default_policy_path, parse_policy

T = TypeVar("T")

ILLNESS = "critical_illness"
DISABILITY = "accident_disability"
DEATH = "accident_death"

CLAIMS_SCHEMA: dict[str, type[pl.DataType]] = {
    "claim_id": pl.Utf8,
    "id_number": pl.Utf8,
    "name": pl.Utf8,
    "unit_code": pl.Utf8,
    "claim_type": pl.Utf8,
    "disease": pl.Utf8,
    "diagnosis_code": pl.Utf8,
    "diagnosis_date": pl.Date,
    "accident_date": pl.Date,
    "disability_grade": pl.Int64,
    "treatment_end_date": pl.Date,
    "death_date": pl.Date,
    "brave_act": pl.Boolean,
    "exclusion": pl.Utf8,
    "preexisting_undisclosed": pl.Boolean,
    "fraud": pl.Boolean,
    "note": pl.Utf8,
    "content": pl.Utf8,
    "_sheet": pl.Utf8,
    "_row": pl.Int64,
    "_bad_fields": pl.Utf8,
}
SPELLS_SCHEMA: dict[str, type[pl.DataType]] = {
    "id_number": pl.Utf8,
    "name": pl.Utf8,
    "unit_code": pl.Utf8,
    "contract_no": pl.Utf8,
    "term_start": pl.Date,
    "term_end": pl.Date,
    "spell_start": pl.Date,
    "first_time": pl.Boolean,
    "policy_version": pl.Utf8,
}
HISTORY_SCHEMA: dict[str, type[pl.DataType]] = {
    "claim_id": pl.Utf8,
    "id_number": pl.Utf8,
    "claim_type": pl.Utf8,
    "disease_code": pl.Utf8,
    "disability_grade": pl.Int64,
    "event_date": pl.Date,
    "status": pl.Utf8,
    "reason_code": pl.Utf8,
    "amount": pl.Int64,
    "period": pl.Utf8,
    "contract_no": pl.Utf8,
    "term_start": pl.Date,
    "content": pl.Utf8,
    "voided": pl.Boolean,
}

# The decision-relevant fields whose canonical text is a claim's `content` (L3).
CONTENT_KEYS = (
    "id_number",
    "name",
    "unit_code",
    "claim_type",
    "disease",
    "diagnosis_date",
    "accident_date",
    "disability_grade",
    "treatment_end_date",
    "death_date",
    "brave_act",
    "exclusion",
    "preexisting_undisclosed",
    "fraud",
)
REQUIRED_BY_TYPE: dict[str, tuple[str, ...]] = {
    ILLNESS: ("disease", "diagnosis_date"),
    DISABILITY: ("accident_date", "disability_grade"),
    DEATH: ("accident_date", "death_date"),
}
A63_CAUSES = load_causes().keys  # A6.3 and the ambiguous words (L27), from the data

AS_OF = dt.date(2029, 6, 30)
UNITS = ("U01", "U02", "U03", "U04")
REGIONS = ("320700", "320703", "320706", "320722", "110101")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂"
TERM_START_MARKS = (
    dt.date(2024, 1, 1),
    dt.date(2024, 2, 29),
    dt.date(2024, 7, 1),
    dt.date(2024, 12, 31),
    dt.date(2025, 1, 1),
    dt.date(2023, 3, 1),
    dt.date(2024, 1, 31),
    dt.date(2025, 1, 31),
)
# Day numbers of cover (D2): the default version's 60/180 and the test board's 90/200.
DAY_MARKS = (1, 60, 61, 180, 181, 2, 59, 62, 179, 182, 90, 91, 92, 200, 201, 202, 250, 365)
JOIN_OFFSETS = (30, 1, 59, 60, 61, 120, 181, 200)
GRACE_GAPS = (1, 20, 2, 15, 19)  # renewal: effective ≤ expiry + 20 (D5); 1 = on time
LAPSE_GAPS = (21, 22, 45, 120)  # a lapse: treated as a first enrolment (A7.1, D5)
# D10: conditions the vocabulary lists as outside the 27 (the only reading that rejects)
UNLISTED = ("骨折", "高血压", "糖尿病", "肺炎", "痛风", "冠心病", "阑尾炎")
EXTRA_NEAR = ("C2-16", "C3-01", "C1-1", "原发性恶性肿留")
SPELL_PATTERNS = (
    "first",
    "renewed",
    "joined",
    "grace",
    "lapsed",
    "none",
    "three",
    "joined_renewed",
    "overlap",
)


# ---------------------------------------------------------------------------------------
# Policies
# ---------------------------------------------------------------------------------------


@cache
def default_policy() -> Policy:
    """The plan's own parameters (plan.toml)."""
    return load_policy()


@cache
def board_policy() -> Policy:
    """plan.toml plus a hypothetical board adjustment from 2025-01-01 (A5.6, D9).

    Every figure differs, so a claim priced with the wrong version shows: amounts whose 30%
    needs rounding (L11), a 90/200-day waiting scheme, the Civil Code day count (D2)."""
    with default_policy_path().open("rb") as fh:
        raw = tomllib.load(fh)
    extra = copy.deepcopy(raw["version"][0])
    extra["id"] = "2025-board-test"
    extra["effective_from"] = dt.date(2025, 1, 1)
    extra["source"] = "test: a board adjustment"
    changes = {
        ("term", "start_day_counts"): False,
        ("waiting", "exemption_last_day"): 90,
        ("waiting", "reduced_last_day"): 200,
        ("waiting", "consolation_amount"): 2500,
        ("illness", "class1_amount"): 15015,
        ("illness", "class2_amount"): 5005,
        ("illness", "same_disease_cap"): 16000,
        ("accident", "death_amount"): 35000,
        ("accident", "accident_cap"): 36000,
    }
    for (section, key), value in changes.items():
        extra[section][key]["value"] = value
    extra["disability"]["grades"] = {
        str(g): a + 100 for g, a in raw["version"][0]["disability"]["grades"].items()
    }
    raw["version"].append(extra)
    return parse_policy(raw, "<board-test>")


# ---------------------------------------------------------------------------------------
# Dates and ids
# ---------------------------------------------------------------------------------------


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day `months` later, or the last day of that month (D7)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def term_end_of(term_start: dt.date) -> dt.date:
    """D3: the day before the anniversary (2024-02-29 → 2025-02-28)."""
    try:
        anniversary = term_start.replace(year=term_start.year + 1)
    except ValueError:  # 02-29: the anniversary falls on 03-01
        anniversary = dt.date(term_start.year + 1, 3, 1)
    return anniversary - days(1)


def month_end(day: dt.date, months_later: int) -> dt.date:
    index = day.month - 1 + months_later
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def make_id_number(seq: int, region: str = "320700", birth: dt.date = dt.date(1980, 1, 1)) -> str:
    """A valid 18-character resident id (GB 11643 check digit)."""
    body = f"{region}{birth:%Y%m%d}{seq % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


# ---------------------------------------------------------------------------------------
# Rows and frames
# ---------------------------------------------------------------------------------------


def content_of(claim: dict[str, Any]) -> str:
    """The canonical text of a claim's decision-relevant fields (L3)."""
    parts = []
    for key in CONTENT_KEYS:
        value = claim.get(key)
        text = (
            "" if value is None else value.isoformat() if isinstance(value, dt.date) else str(value)
        )
        parts.append(f"{key}={text}")
    code = claim.get("diagnosis_code")  # written only when filled in (intake, L3)
    return "|".join(parts) + (f"|diagnosis_code={code}" if code is not None else "")


def claim_row(
    claim_id: str | None,
    id_number: str | None,
    name: str | None,
    claim_type: str | None,
    *,
    row: int = 2,
    **fields: Any,
) -> dict[str, Any]:
    """A claims-frame row as intake yields it; `content` is derived unless given."""
    out: dict[str, Any] = dict.fromkeys(CLAIMS_SCHEMA)
    out.update(brave_act=False, preexisting_undisclosed=False, fraud=False, _sheet="claims")
    out.update(claim_id=claim_id, id_number=id_number, name=name, claim_type=claim_type, _row=row)
    unknown = set(fields) - set(CLAIMS_SCHEMA)
    if unknown:
        raise KeyError(sorted(unknown))
    out.update(fields)
    if "content" not in fields:
        out["content"] = content_of(out)
    return out


def spell_row(
    id_number: str,
    name: str,
    unit_code: str,
    term_start: dt.date,
    *,
    spell_start: dt.date | None = None,
    first_time: bool = True,
    contract_no: str | None = None,
    term_end: dt.date | None = None,
    policy: Policy | None = None,
) -> dict[str, Any]:
    """A cover spell (D3 term end; D9 policy version in force on term_start)."""
    return {
        "id_number": id_number,
        "name": name,
        "unit_code": unit_code,
        "contract_no": contract_no or f"{unit_code}-{term_start:%Y%m%d}",
        "term_start": term_start,
        "term_end": term_end or term_end_of(term_start),
        "spell_start": spell_start or term_start,
        "first_time": first_time,
        "policy_version": (policy or default_policy()).at(term_start).id,
    }


def history_row(
    claim_id: str,
    id_number: str,
    claim_type: str,
    *,
    event_date: dt.date,
    status: str = "approved",
    reason_code: str | None = None,
    amount: int = 0,
    period: str | None = None,
    disease_code: str | None = None,
    disability_grade: int | None = None,
    contract_no: str | None = None,
    term_start: dt.date | None = None,
    content: str | None = None,
    voided: bool = False,
) -> dict[str, Any]:
    """An earlier decision held by the register."""
    return {
        "claim_id": claim_id,
        "id_number": id_number,
        "claim_type": claim_type,
        "disease_code": disease_code,
        "disability_grade": disability_grade,
        "event_date": event_date,
        "status": status,
        "reason_code": reason_code,
        "amount": amount,
        "period": period,
        "contract_no": contract_no,
        "term_start": term_start,
        "content": content if content is not None else f"history:{claim_id}",
        "voided": voided,
    }


def _frame(rows: Sequence[dict[str, Any]], schema: dict[str, type[pl.DataType]]) -> pl.DataFrame:
    data = [{key: row.get(key) for key in schema} for row in rows]
    if not data:
        return pl.DataFrame(schema=schema)
    return pl.DataFrame(data, schema=schema)


def claims_frame(rows: Sequence[dict[str, Any]]) -> pl.DataFrame:
    return _frame(rows, CLAIMS_SCHEMA)


def spells_frame(rows: Sequence[dict[str, Any]]) -> pl.DataFrame:
    return _frame(rows, SPELLS_SCHEMA)


def history_frame(rows: Sequence[dict[str, Any]]) -> pl.DataFrame:
    return _frame(rows, HISTORY_SCHEMA)


# ---------------------------------------------------------------------------------------
# Choosers: hypothesis draws or a seeded random generator
# ---------------------------------------------------------------------------------------


class Chooser(Protocol):
    def integer(self, low: int, high: int) -> int: ...

    def choice(self, options: Sequence[T]) -> T: ...

    def chance(self, percent: int) -> bool: ...

    def permutation(self, n: int) -> list[int]: ...


class DrawChooser:
    """Choices drawn by hypothesis: they shrink towards the first option and "no"."""

    def __init__(self, draw: Callable[[st.SearchStrategy[Any]], Any]) -> None:
        self._draw = draw

    def integer(self, low: int, high: int) -> int:
        return int(self._draw(st.integers(low, high)))

    def choice(self, options: Sequence[T]) -> T:
        chosen: T = self._draw(st.sampled_from(options))
        return chosen

    def chance(self, percent: int) -> bool:
        return percent > 0 and self._draw(st.integers(0, 99)) >= 100 - percent

    def permutation(self, n: int) -> list[int]:
        return list(self._draw(st.permutations(range(n))))


class RandomChooser:
    """Choices from a seeded generator, for worlds too big for hypothesis's buffer."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)

    def integer(self, low: int, high: int) -> int:
        return self._rng.randint(low, high)

    def choice(self, options: Sequence[T]) -> T:
        return self._rng.choice(options)

    def chance(self, percent: int) -> bool:
        return self._rng.randrange(100) < percent

    def permutation(self, n: int) -> list[int]:
        order = list(range(n))
        self._rng.shuffle(order)
        return order


# ---------------------------------------------------------------------------------------
# The world
# ---------------------------------------------------------------------------------------


@dataclass
class Member:
    index: int
    id_number: str
    name: str
    unit_code: str
    spells: list[dict[str, Any]]
    palette: list[str]


@dataclass
class World:
    policy: Policy
    as_of: dt.date
    claims: list[dict[str, Any]]
    spells: list[dict[str, Any]]
    history: list[dict[str, Any]]

    def frames(self) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
        """claims, spells, history as the calculator receives them."""
        return claims_frame(self.claims), spells_frame(self.spells), history_frame(self.history)


@dataclass
class _Context:
    ch: Chooser
    policy: Policy
    as_of: dt.date
    claims: list[dict[str, Any]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    next_claim: int = 0
    next_history: int = 0

    def claim_id(self) -> str:
        self.next_claim += 1
        return f"LP{self.next_claim:05d}"

    def history_id(self) -> str:
        self.next_history += 1
        return f"HX{self.next_history:05d}"


@cache
def near_misses() -> dict[str, str]:
    """code -> a text that names the disease without a qualifier the plan writes (D10: to a
    person), or a near spelling of it; never a listed reading."""
    return {
        "C1-07": "脑梗死",
        "C1-02": "心肌梗死",
        "C1-03": "肾功能衰竭",
        "C1-08": "骨髓移植",
        "C1-12": "脑出血",
        "C2-04": "再障待查",
        "C2-05": "肿瘤",
        "C1-01": "原发性恶性肿留",
    }


# D10: texts no vocabulary knows (unrecognised: pending, never rejected)
UNRECOGNISED_TEXTS = ("头晕待查", "qwerty", "其他", "感冒", "心脏病", "lung infection")
# D10: ICD-10 codes a clerk may write beside the name
ICD_CODES = ("C16.9", "D61", "I10", "C79.5", "D37.1", "N18.5", "G12.2", "S72.0")


def _names_of(code: str) -> list[str]:
    disease = default_policy().catalogue.by_code(code)
    return [disease.zh, disease.zh.split("（")[0], disease.en]


def _disease_text(ctx: _Context, code: str) -> str:
    """One way a clerk may write the disease (A3.1): exact forms mostly, some misses."""
    ch = ctx.ch
    form = ch.choice(
        ("code", "name", "name", "alias", "width", "spaced", "near", "unlisted", "unknown")
    )
    if form == "code":
        return code if ch.chance(70) else code.lower()
    if form in ("name", "alias"):
        names = _names_of(code)
        return ch.choice(names if form == "name" else names[3:] or names)
    if form == "width":  # full-width code: NFKC makes it the code
        return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in code)
    if form == "spaced":
        return " " + " ".join(_names_of(code)[1]) + " "
    if form == "near":
        extra = near_misses().get(code)
        return extra if extra is not None and ch.chance(80) else ch.choice(EXTRA_NEAR)
    if form == "unknown":
        return ch.choice(UNRECOGNISED_TEXTS)
    return ch.choice(UNLISTED)


def _random_name(ch: Chooser) -> str:
    name = ch.choice(SURNAMES) + ch.choice(GIVEN)
    return name + ch.choice(GIVEN) if ch.chance(60) else name


def _first_time(spell: dict[str, Any], earlier: list[dict[str, Any]], grace: int) -> bool:
    """D6: first-time unless cover ended at most `grace` days before, or overlaps."""
    return not any(
        other["spell_start"] < spell["spell_start"]
        and other["term_end"] >= spell["spell_start"] - days(grace)
        for other in earlier
    )


def _spells_for(ctx: _Context, member: Member) -> list[dict[str, Any]]:
    ch, policy = ctx.ch, ctx.policy
    pattern = ch.choice(SPELL_PATTERNS)
    if pattern == "none":
        return []
    start = (
        ch.choice(TERM_START_MARKS)
        if ch.chance(60)
        else dt.date(2023, 1, 1) + days(ch.integer(0, 900))
    )
    unit = member.unit_code
    plan: list[tuple[str, dt.date, dt.date]] = []  # (unit, term_start, spell_start)
    if pattern in ("joined", "joined_renewed"):
        plan.append((unit, start, start + days(ch.choice(JOIN_OFFSETS))))
    else:
        plan.append((unit, start, start))
    if pattern in ("renewed", "three", "joined_renewed", "grace", "lapsed"):
        gap = {"grace": GRACE_GAPS, "lapsed": LAPSE_GAPS}.get(pattern, (1,))
        renewal = term_end_of(start) + days(ch.choice(gap))  # expiry + gap
        plan.append((unit, renewal, renewal))
        if pattern == "three":
            third = term_end_of(renewal) + days(1)
            plan.append((unit, third, third))
    if pattern == "overlap":  # L6: two units cover the same days (the register refuses this)
        other = ch.choice([u for u in UNITS if u != unit])
        later = start + days(ch.integer(1, 200))
        plan.append((other, later, later))
    grace = int(policy.at(start).renewal_grace_days)
    out: list[dict[str, Any]] = []
    for unit_code, term_start, spell_start in plan:
        spell = spell_row(
            member.id_number,
            member.name,
            unit_code,
            term_start,
            spell_start=spell_start,
            policy=policy,
        )
        spell["first_time"] = _first_time(spell, out, grace)
        out.append(spell)
    return out


def _covering(member: Member, day: dt.date) -> dict[str, Any] | None:
    covering = [s for s in member.spells if s["spell_start"] <= day <= s["term_end"]]
    return max(covering, key=lambda s: (s["spell_start"], s["contract_no"])) if covering else None


def _event_date(ctx: _Context, member: Member, anchor: str | None = None) -> dt.date:
    """A date on a boundary of one of the member's spells (or anywhere, when none)."""
    ch = ctx.ch
    if not member.spells or ch.chance(4):
        return dt.date(2023, 1, 1) + days(ch.integer(0, 1500))
    if ch.chance(3):  # step 1, L26: the as-of day (decided) or after it (pending)
        return ctx.as_of + days(ch.choice((0, 1, 40)))
    spell = ch.choice(member.spells)
    anchor = anchor or ch.choice(
        ("spell_day", "term_day", "term_end", "month_end", "spell_day", "random", "before")
    )
    if anchor == "spell_day":  # D2/D4/D6: from the join date
        return spell["spell_start"] + days(ch.choice(DAY_MARKS) - 1)
    if anchor == "term_day":  # from the contract's start (differs for a joined member)
        return spell["term_start"] + days(ch.choice(DAY_MARKS) - 1)
    if anchor == "term_end":  # D3, D5: last day, the day after, inside/past the grace
        return spell["term_end"] + days(ch.choice((0, 1, -1, 20, 21)))
    if anchor == "month_end":  # D7: 01-31, 02-28/29, 03-31, …
        return month_end(spell["term_start"], ch.integer(0, 11))
    if anchor == "before":
        return spell["spell_start"] - days(1)
    return spell["spell_start"] + days(ch.integer(0, 364))


def _new_claim(ctx: _Context, member: Member, claim_type: str, **fields: Any) -> dict[str, Any]:
    return claim_row(ctx.claim_id(), member.id_number, member.name, claim_type, **fields)


def _illness(
    ctx: _Context, member: Member, code: str | None = None, day: dt.date | None = None
) -> dict[str, Any]:
    ch = ctx.ch
    code = code or ch.choice(member.palette)
    text: str | None = _disease_text(ctx, code)
    icd = ch.choice(ICD_CODES) if ch.chance(12) else None
    if icd is not None and ch.chance(30):
        text = None  # D10: the code alone
    return _new_claim(
        ctx,
        member,
        ILLNESS,
        disease=text,
        diagnosis_code=icd,
        diagnosis_date=day or _event_date(ctx, member),
    )


def _disability(
    ctx: _Context, member: Member, grade: int | None = None, day: dt.date | None = None
) -> dict[str, Any]:
    ch = ctx.ch
    accident = day or _event_date(ctx, member)
    if grade is None:
        grade = ch.choice((5, 1, 10, 2, 3, 4, 6, 7, 8, 9, 0, 11))
    treatment = ch.choice(("ended", "ended", "none", "as_of", "after_as_of", "before_accident"))
    ended = {
        "ended": accident + days(ch.integer(0, 200)),
        "none": None,
        "as_of": ctx.as_of,
        "after_as_of": ctx.as_of + days(1),
        "before_accident": accident - days(1),
    }[treatment]
    return _new_claim(
        ctx,
        member,
        DISABILITY,
        accident_date=accident,
        disability_grade=grade,
        treatment_end_date=ended,
    )


def _death(ctx: _Context, member: Member, day: dt.date | None = None) -> dict[str, Any]:
    ch = ctx.ch
    accident = day or _event_date(ctx, member, "month_end" if ch.chance(50) else None)
    deadline = add_months(accident, 1)
    death = {
        "deadline": deadline,
        "after": deadline + days(1),
        "same_day": accident,
        "within": accident + days(ch.integer(1, 27)),
        "later": deadline + days(ch.integer(2, 90)),
        "before": accident - days(1),
        "after_as_of": max(ctx.as_of + days(1), accident),  # step 1, L26
        "as_of": max(ctx.as_of, accident),
    }[ch.choice(("deadline", "after", "same_day", "within", "later", "before", "after_as_of"))]
    return _new_claim(ctx, member, DEATH, accident_date=accident, death_date=death)


def _decorate(ctx: _Context, member: Member, claim: dict[str, Any], quiet: bool) -> None:
    """Names with spaces, units, A6 flags, blank and unreadable cells (L1, L7, L8)."""
    ch = ctx.ch
    scale = 1 if quiet else 2
    required = (
        "claim_id",
        "id_number",
        "name",
        "claim_type",
        *REQUIRED_BY_TYPE[claim["claim_type"]],
    )
    optional = ("treatment_end_date", "fraud", "brave_act")
    variant = ch.choice(("same", "same", "same", "spaced", "padded", "ideographic", "other"))
    if variant == "spaced" and len(member.name) > 1:
        claim["name"] = member.name[0] + " " + member.name[1:]
    elif variant == "padded":
        claim["name"] = f" {member.name}  "
    elif variant == "ideographic":
        claim["name"] = member.name[0] + "\u3000" + member.name[1:]
    elif variant == "other" and not quiet:
        claim["name"] = _random_name(ch)
    if ch.chance(60):
        claim["unit_code"] = member.unit_code
    if not quiet and ch.chance(5):
        claim["unit_code"] = ch.choice([u for u in UNITS if u != member.unit_code])
    if ch.chance(3 * scale):
        claim["fraud"] = True
    if ch.chance(3 * scale):
        claim["preexisting_undisclosed"] = True
    if ch.chance(5 * scale):
        claim["brave_act"] = True
        if ch.chance(40):  # L8: a brave act and the fight it ended
            claim["exclusion"] = ch.choice(("fighting", "crime", "fighting;drunkenness"))
    if ch.chance(5 * scale):
        first = ch.choice(("fighting", "drunkenness", "crime", *A63_CAUSES))
        claim["exclusion"] = first if ch.chance(70) else f"{first};{ch.choice(A63_CAUSES)}"
    if ch.chance(3 * scale):  # L1: a blank required cell
        key = ch.choice(required)
        claim[key] = "" if key in ("name", "disease", "id_number") and ch.chance(50) else None
    if ch.chance(3 * scale):  # L1: a cell present but unreadable
        key = ch.choice((*required[3:], *optional))
        claim[key] = None
        claim["_bad_fields"] = key if ch.chance(70) else f"{key},note"
    elif ch.chance(5):
        claim["_bad_fields"] = ""
    if ch.chance(10):
        claim["note"] = "补充材料"


def _member(ctx: _Context, index: int) -> Member:
    ch = ctx.ch
    birth = dt.date(1960, 1, 1) + days(ch.integer(0, 14000))
    id_number = make_id_number(index, ch.choice(REGIONS), birth)
    member = Member(index, id_number, _random_name(ch), ch.choice(UNITS), [], [])
    member.spells = _spells_for(ctx, member)
    catalogue = ctx.policy.catalogue
    codes = [d.code for d in catalogue.diseases]
    first = ch.choice(codes)
    palette = [first]
    related = sorted(catalogue.related(first))  # D1: itself and its certain and review pairs
    if ch.chance(60):
        palette.append(ch.choice(related if len(related) > 1 and ch.chance(60) else codes))
    if ch.chance(30):
        palette.append(ch.choice(codes))
    member.palette = palette
    return member


def _clusters(ctx: _Context, member: Member) -> list[dict[str, Any]]:
    """Series of claims that make the per-member state matter (steps 6, 9, 10)."""
    ch = ctx.ch
    out: list[dict[str, Any]] = []
    if not member.spells:
        return out
    catalogue = ctx.policy.catalogue
    if ch.chance(25):  # A5.1: a class-2 disease 2–5 times in one term, reaching the cap
        spell = ch.choice(member.spells)
        class2 = [c for c in member.palette if catalogue.by_code(c).disease_class == 2]
        code = class2[0] if class2 else ch.choice(("C2-04", "C2-06", "C2-10"))
        start = 205 if spell["first_time"] else 5
        for i in range(ch.choice((3, 4, 2, 5))):
            out.append(_illness(ctx, member, code, spell["spell_start"] + days(start + 30 * i)))
    if ch.chance(25):  # A5.2a/b, D1, L9: waiting-period claims, then more of the same group
        spell = ch.choice(member.spells)
        offset = 0
        for _ in range(ch.integer(2, 3)):
            offset += ch.choice((10, 35, 59, 60, 120, 179, 180))
            out.append(
                _illness(
                    ctx, member, ch.choice(member.palette), spell["spell_start"] + days(offset)
                )
            )
    if ch.chance(15):  # A5.2b, L9: two consolations in one first-time spell
        spell = ch.choice(member.spells)
        codes = [d.code for d in catalogue.diseases]
        first = ch.choice(codes)
        second = ch.choice([c for c in codes if c not in catalogue.related(first)])
        for code, offset in ((first, ch.choice((0, 30))), (second, ch.choice((30, 59)))):
            out.append(_illness(ctx, member, code, spell["spell_start"] + days(offset)))
    if ch.chance(20):  # A5.5: disability and death in one term
        spell = ch.choice(member.spells)
        base = spell["spell_start"] + days(ch.integer(0, 200))
        out.append(_disability(ctx, member, ch.choice((1, 2, 3)), base))
        out.append(_disability(ctx, member, ch.choice((2, 5, 10)), base + days(40)))
        out.append(_death(ctx, member, base + days(80)))
    if ch.chance(15):  # A5.3, step 3: one accident graded twice (or the same grade again)
        spell = ch.choice(member.spells)
        accident = spell["spell_start"] + days(ch.integer(0, 300))
        grades = ch.choice(((5, 3), (3, 5), (5, 5), (2, 11), (7, 4)))
        if ch.chance(30):  # the first grading is already in the register
            version = ctx.policy.at(spell["term_start"])
            ctx.history.append(
                history_row(
                    ctx.history_id(),
                    member.id_number,
                    DISABILITY,
                    event_date=accident,
                    status=ch.choice(("approved", "approved", "rejected", "pending")),
                    reason_code="DISABILITY_GRADE",
                    amount=int(version.disability[grades[0]]),
                    disability_grade=grades[0],
                    contract_no=spell["contract_no"],
                    term_start=spell["term_start"],
                )
            )
            grades = grades[1:]
        for grade in grades:
            out.append(_disability(ctx, member, grade, accident))
        if ch.chance(40):  # a death after a paid disability of the same accident
            out.append(_death(ctx, member, accident))
    if len(member.spells) > 1 and ch.chance(30):  # A5.2c, L10: one disease, two terms
        code = ch.choice(member.palette)
        for spell in member.spells[:2]:
            day = spell["spell_start"] + days(ch.choice((250, 100, 30, 300)))
            out.append(_illness(ctx, member, code, day))
    for claim in out:
        _decorate(ctx, member, claim, quiet=True)
    return out


def _outcome(
    ctx: _Context,
    spell: dict[str, Any] | None,
    claim_type: str,
    code: str | None,
    grade: int | None,
    day: dt.date,
) -> tuple[str, str, int, str | None]:
    """A plausible earlier decision: (status, reason_code, amount, period)."""
    ch = ctx.ch
    if spell is None:
        return "rejected", "NO_COVERAGE", 0, None
    version = ctx.policy.at(spell["term_start"])
    status = ch.choice(("approved", "approved", "rejected", "pending"))
    if status == "pending":
        return status, ch.choice(("TREATMENT_NOT_ENDED", "NAME_MISMATCH")), 0, None
    if claim_type == ILLNESS and code is not None:
        number = (day - spell["spell_start"]).days + (1 if version.start_day_counts else 0)
        period = "full"
        if spell["first_time"] and number <= version.exemption_last_day:
            period = "exemption"
        elif spell["first_time"] and number <= version.reduced_last_day:
            period = "reduced"
        if status == "rejected":
            refusals = ("DISEASE_CAP_REACHED", "EXCLUDED_CAUSE")
            if period == "exemption":  # D1: a refused second consolation starts the exclusion
                refusals += ("CONSOLATION_ALREADY_PAID",)
            return status, ch.choice(refusals), 0, period
        amount = version.class_amount(ctx.policy.catalogue.by_code(code).disease_class)
        if period == "exemption":
            return status, "CONSOLATION", int(version.consolation_amount), period
        if period == "reduced":
            return status, "REDUCED_30", int((amount * version.reduced_pct + 50) // 100), period
        if ch.chance(20):
            return status, "PARTIAL_CAP", ch.choice((1000, 5000, 10000)), period
        return status, "FULL_BENEFIT", amount, period
    if status == "rejected":
        return status, "EXCLUDED_CAUSE", 0, None
    if claim_type == DISABILITY and grade in version.disability:
        return status, "DISABILITY_GRADE", int(version.disability[grade]), None
    if claim_type == DEATH:
        return status, "ACCIDENTAL_DEATH", int(version.death_amount), None
    return "rejected", "GRADE_NOT_COVERED", 0, None


def _history_for(ctx: _Context, member: Member) -> None:
    """Earlier decisions of the register about this member (step 10: counted first)."""
    ch = ctx.ch
    for _ in range(ch.integer(0, 3) if member.spells else 0):
        spell = ch.choice(member.spells)
        claim_type = ch.choice((ILLNESS, ILLNESS, DISABILITY, DEATH))
        day = min(spell["spell_start"] + days(ch.choice(DAY_MARKS) - 1), spell["term_end"])
        code = ch.choice(member.palette) if claim_type == ILLNESS else None
        grade = ch.choice((1, 3, 5, 10)) if claim_type == DISABILITY else None
        status, reason, amount, period = _outcome(ctx, spell, claim_type, code, grade, day)
        ctx.history.append(
            history_row(
                ctx.history_id(),
                member.id_number,
                claim_type,
                event_date=day,
                status=status,
                reason_code=reason,
                amount=amount,
                period=period,
                disease_code=code,
                disability_grade=grade,
                contract_no=spell["contract_no"],
                term_start=spell["term_start"],
                voided=ch.chance(15),
            )
        )


def _claim_code(ctx: _Context, claim: dict[str, Any]) -> str | None:
    """The listed code of a claim's diagnosis as D10 reads it, else None."""
    if claim.get("claim_type") != ILLNESS:
        return None
    return _listed_code(ctx.policy.catalogue, claim.get("disease"), claim.get("diagnosis_code"))


_READINGS: dict[tuple[int, str | None, str | None], str | None] = {}


def _listed_code(catalogue: Any, disease: str | None, icd: str | None) -> str | None:
    """One reading per distinct (catalogue, disease, code): a world repeats its few texts
    thousands of times, and each reading builds a whole query."""
    key = (id(catalogue), disease, icd)
    if key not in _READINGS:
        frame = pl.DataFrame(
            {"disease": [disease], "diagnosis_code": [icd]},
            schema={"disease": pl.Utf8, "diagnosis_code": pl.Utf8},
        )
        reading = read_diagnoses(frame, catalogue).row(0, named=True)
        _READINGS[key] = reading["dx_code"] if reading["dx_outcome"] == LISTED else None
    return _READINGS[key]


def _history_about_claims(ctx: _Context, members: dict[str, Member]) -> None:
    """Register rows sharing a claim_id (L3) or a duplicate key (L4) with this run's claims."""
    ch = ctx.ch
    for claim in list(ctx.claims):
        member = members.get(claim.get("id_number") or "")
        claim_type = claim.get("claim_type")
        day = claim.get("diagnosis_date") if claim_type == ILLNESS else claim.get("accident_date")
        if member is None or claim_type is None or day is None or not claim.get("claim_id"):
            continue
        code = _claim_code(ctx, claim)
        grade = claim.get("disability_grade") if claim_type == DISABILITY else None
        spell = _covering(member, day)
        for same_id in (True, False):
            if not ch.chance(7 if same_id else 5):
                continue
            outcome: tuple[str, str, int, str | None]
            if same_id and spell is not None and ch.chance(50):
                outcome = ("approved", "FULL_BENEFIT", 5000, "full")
                if ch.chance(40):
                    outcome = ("rejected", "EXCLUDED_CAUSE", 0, None)
            else:
                outcome = _outcome(ctx, spell, claim_type, code, grade, day)
            status, reason, amount, period = outcome
            ctx.history.append(
                history_row(
                    claim["claim_id"] if same_id else ctx.history_id(),
                    member.id_number,
                    claim_type,
                    event_date=day,
                    status=status,
                    reason_code=reason,
                    amount=amount,
                    period=period,
                    disease_code=code,
                    disability_grade=grade,
                    contract_no=spell["contract_no"] if spell else None,
                    term_start=spell["term_start"] if spell else None,
                    content=(
                        claim["content"]
                        if same_id and ch.chance(60)
                        else f"{claim['content']}|changed"
                    ),
                    voided=ch.chance(20),
                )
            )


def _copies(ctx: _Context) -> None:
    """Repeated claim_ids (L2) and possible duplicates with a new claim_id (L4)."""
    ch = ctx.ch
    for claim in list(ctx.claims):
        if ch.chance(5):  # the same claim_id again: the same row, or a changed one
            again = dict(claim)
            if ch.chance(50):
                again["note"] = "重复提交"
                if again.get("diagnosis_date"):
                    again["diagnosis_date"] += days(1)
                if again.get("accident_date"):
                    again["accident_date"] += days(1)
                again["content"] = content_of(again)
            ctx.claims.append(again)
        if ch.chance(7):  # the same key under a new claim_id
            twin = dict(claim)
            twin["claim_id"] = ctx.claim_id()
            if twin.get("disease") and ch.chance(50):
                twin["disease"] = f" {twin['disease']} "  # normalised text is the same
            if ch.chance(50):
                twin.update(fraud=False, exclusion=None, _bad_fields=None)
            twin["content"] = content_of(twin)
            ctx.claims.append(twin)


def build_world(
    ch: Chooser,
    *,
    members: int,
    claims_per_member: int = 5,
    policy: Policy | None = None,
) -> World:
    """Members, their spells and register history, and claims on every boundary."""
    ctx = _Context(ch, policy or ch.choice((default_policy(), board_policy())), AS_OF)
    people: dict[str, Member] = {}
    spells: list[dict[str, Any]] = []
    for index in range(members):
        member = _member(ctx, index)
        people[member.id_number] = member
        spells.extend(member.spells)
        _history_for(ctx, member)
        for _ in range(ch.integer(0, claims_per_member)):
            claim_type = ch.choice((ILLNESS, ILLNESS, DISABILITY, DEATH))
            if claim_type == ILLNESS:
                claim = _illness(ctx, member)
            elif claim_type == DISABILITY:
                claim = _disability(ctx, member)
            else:
                claim = _death(ctx, member)
            _decorate(ctx, member, claim, quiet=False)
            ctx.claims.append(claim)
        ctx.claims.extend(_clusters(ctx, member))
    for claim in ctx.claims:
        claim["content"] = content_of(claim)
    _copies(ctx)
    _history_about_claims(ctx, people)
    order = ch.permutation(len(ctx.claims))  # Excel rows in an order unrelated to ids
    for claim, position in zip(ctx.claims, order, strict=True):
        claim["_row"] = position + 2
    claims = sorted(ctx.claims, key=lambda c: c["_row"])
    return World(ctx.policy, ctx.as_of, claims, spells, ctx.history)


@st.composite
def worlds(draw: st.DrawFn, max_members: int = 4, claims_per_member: int = 4) -> World:
    """A small world, drawn by hypothesis (shrinks towards fewer, plainer claims)."""
    ch = DrawChooser(draw)
    return build_world(ch, members=ch.integer(1, max_members), claims_per_member=claims_per_member)


def big_world(seed: int = 20180627, members: int = 700) -> World:
    """One world of a few thousand claims, the same for every run."""
    return build_world(RandomChooser(seed), members=members, claims_per_member=6)
