"""The claim rules as data: every reason code, and the tests that decide it, in rules.md's order.

docs/rules.md "Deciding a claim" decides a claim in steps 1–10; the first rule that decides
wins. This module is that order written as two tables, read by the calculator
(`aidctl.core.claims`), by `aidctl explain` and by the tests:

- `REASON_TABLE`: one `Reason` per code — the status it implies, the clauses it rests on and
  the step at which it decides. PARTIAL_CAP is the one code whose step and clause depend on
  the claim: a critical illness is cut by the same-disease cap (step 6, A5.1), an accident by
  the accident cap (step 9, A5.5); `Reason.by_type` says so, once, for everyone.
- `CLAIM_STEPS`: the tests, one `Step` each, in the order of steps 1–10. A code may be
  decided by more than one test (INVALID_VALUE: an unreadable cell at step 1, a treatment
  ending before the accident at step 7 (L16), a death before the accident at step 8). Each
  test is a function from `StepInputs` to a vectorised polars expression over the columns
  the calculator prepares; `phase` says which of the calculator's passes evaluates it (a
  pass needs what the earlier ones produced: the covering spell, the earlier decisions).

`REASONS` and `STEP_OF` are derived from the tables (one source).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from aidctl.core.diagnosis import LISTED, TO_PERSON, UNLISTED
from aidctl.plan.causes import Causes

APPROVED = "approved"
REJECTED = "rejected"
PENDING = "pending"

CI = "critical_illness"
DISABILITY = "accident_disability"
DEATH = "accident_death"
ACCIDENTS = (DISABILITY, DEATH)

# waiting periods of a critical illness (A2.2, D4), as the decision stores them (L12)
EXEMPTION = "exemption"
REDUCED = "reduced"
FULL = "full"


@dataclass(frozen=True)
class Reason:
    """A reason code: the status it implies, its clauses, the step at which it decides.

    by_type: claim type -> (step, clause) where the claim's type changes them (PARTIAL_CAP).
    `clause` is then every clause the code may rest on (for listings without a claim).
    """

    code: str
    step: int
    status: str
    clause: str
    by_type: dict[str, tuple[int, str]] = field(default_factory=dict)

    def step_for(self, claim_type: str | None) -> int:
        return self.by_type.get(claim_type or "", (self.step, self.clause))[0]

    def clause_for(self, claim_type: str | None) -> str:
        return self.by_type.get(claim_type or "", (self.step, self.clause))[1]


REASON_TABLE: tuple[Reason, ...] = (
    # step 1 — input (L1, L2, L18, L26)
    Reason("MISSING_FIELD", 1, PENDING, "L1"),
    Reason("INVALID_VALUE", 1, PENDING, "L1"),
    Reason("DUPLICATE_CLAIM_ID", 1, PENDING, "L2"),
    Reason("DATE_AFTER_AS_OF", 1, PENDING, "L26"),  # nothing is paid for what has not happened
    # step 2 — already decided; ALREADY_DECIDED's status is replaced by the earlier one (L14)
    Reason("ALREADY_DECIDED", 2, APPROVED, "L3"),
    Reason("CLAIM_CONFLICT", 2, PENDING, "L3"),
    # step 3 — duplicates; one accident has one grade
    Reason("POSSIBLE_DUPLICATE", 3, PENDING, "L4"),
    Reason("SAME_ACCIDENT_REGRADE", 3, PENDING, "A5.3;L28"),
    # step 4 — cover
    Reason("NO_COVERAGE", 4, REJECTED, "A2.1;D3;D6"),
    Reason("NAME_MISMATCH", 4, PENDING, "L7"),
    Reason("UNIT_MISMATCH", 4, PENDING, "L7"),
    # step 5 — exclusions (A6), in L8's order
    Reason("EXCLUDED_FRAUD", 5, REJECTED, "A6.2"),
    Reason("EXCLUDED_PREEXISTING", 5, REJECTED, "A6.1"),
    Reason("CONFLICTING_FACTS", 5, PENDING, "A3.2;A6.3;L8"),
    Reason("EXCLUDED_CAUSE", 5, REJECTED, "A6.3"),
    Reason("AMBIGUOUS_CAUSE", 5, PENDING, "A6.3;L27"),
    # step 6 — critical illness
    Reason("DISEASE_NOT_LISTED", 6, REJECTED, "A3.1;D10"),
    Reason("AMBIGUOUS_DISEASE", 6, PENDING, "A3.1;D10"),
    Reason("UNRECOGNISED_DISEASE", 6, PENDING, "A3.1;D10"),
    Reason("DISEASE_PAID_IN_EARLIER_TERM", 6, REJECTED, "A5.2c;L10"),
    Reason("DISEASE_EXCLUDED_AFTER_WAITING", 6, REJECTED, "A5.2a;D1;L9"),
    Reason("CONSOLATION_ALREADY_PAID", 6, REJECTED, "A5.2b;L9"),
    Reason("RELATED_DISEASE_REVIEW", 6, PENDING, "A5.2a;D1"),
    Reason("CONSOLATION", 6, APPROVED, "A5.2b;A2.2;D4"),
    Reason("REDUCED_30", 6, APPROVED, "A5.2a;A2.2;D4"),
    Reason("FULL_BENEFIT", 6, APPROVED, "A5.1"),
    Reason("DISEASE_CAP_REACHED", 6, REJECTED, "A5.1;D8"),
    # step 7 — disability
    Reason("GRADE_NOT_COVERED", 7, REJECTED, "A3.2;A5.3"),
    Reason("TREATMENT_NOT_ENDED", 7, PENDING, "A5.3"),
    Reason("DISABILITY_GRADE", 7, APPROVED, "A5.3"),
    # step 8 — death
    Reason("DEATH_NOT_WITHIN_MONTH", 8, REJECTED, "A3.3;D7"),
    Reason("ACCIDENTAL_DEATH", 8, APPROVED, "A5.4;A3.3;D7"),
    # step 9 — accident cap; PARTIAL_CAP is also step 6's same-disease cap
    Reason("ACCIDENT_CAP_REACHED", 9, REJECTED, "A5.5;D8"),
    Reason(
        "PARTIAL_CAP",
        9,
        APPROVED,
        "A5.1;A5.5;D8",
        by_type={CI: (6, "A5.1;D8"), DISABILITY: (9, "A5.5;D8"), DEATH: (9, "A5.5;D8")},
    ),
)

REASON_OF: dict[str, Reason] = {reason.code: reason for reason in REASON_TABLE}

# The calculator carries codes and claim types as enums: comparing, coalescing and
# gathering them is integer work, where strings cost many times more over a million rows.
# Both become plain text in the decisions it returns.
REASON_CODES: tuple[str, ...] = tuple(r.code for r in REASON_TABLE)
REASON_DTYPE = pl.Enum(REASON_CODES)
CLAIM_TYPES = pl.Enum([CI, DISABILITY, DEATH])
_BY_CODE = pl.Series("code", REASON_CODES, dtype=REASON_DTYPE)
_STATUS_BY_CODE = pl.Series("status", [r.status for r in REASON_TABLE], dtype=pl.Utf8)
_CLAUSE_BY_CODE = pl.Series("clause", [r.clause for r in REASON_TABLE], dtype=pl.Utf8)

# code -> (status, clause): derived from the table
REASONS: dict[str, tuple[str, str]] = {r.code: (r.status, r.clause) for r in REASON_TABLE}

# The step of rules.md "Deciding a claim" at which each code decides (for `aidctl explain`);
# a claim's own step is `REASON_OF[code].step_for(claim_type)`.
STEPS: dict[int, tuple[str, str]] = {
    1: ("输入检查", "input"),
    2: ("是否已处理", "already decided"),
    3: ("疑似重复", "duplicates"),
    4: ("保障期与身份", "cover and identity"),
    5: ("除外责任（A6）", "exclusions (A6)"),
    6: ("重大疾病（A5.1、A5.2）", "critical illness (A5.1, A5.2)"),
    7: ("意外伤残（A5.3）", "accidental disability (A5.3)"),
    8: ("意外身故（A5.4）", "accidental death (A5.4)"),
    9: ("意外年度限额（A5.5）", "accident cap (A5.5)"),
}
STEP_OF: dict[str, int] = {r.code: r.step for r in REASON_TABLE}


# ---------------------------------------------------------------------------- the tests

# The calculator's passes, in the order it runs them (see aidctl.core.claims):
INPUT = "input"  # step 1, on the claim row
HISTORY = "history"  # step 2, with the register's decision of the same claim_id
DUPLICATES = "duplicates"  # step 3, with the keys of the other claims
COVER = "cover"  # step 4, with the covering spell
EXCLUSIONS = "exclusions"  # step 5
CLAIM = "claim"  # steps 6–8, what depends on the claim alone
ORDERED = "ordered"  # steps 3 (regrade) and 6–8 against the earlier decisions (step 10)
CAP = "cap"  # steps 6 and 9: the caps, over a benefit found in ORDERED
PHASES = (INPUT, HISTORY, DUPLICATES, COVER, EXCLUSIONS, CLAIM, ORDERED, CAP)


@dataclass(frozen=True)
class StepInputs:
    """What a test needs beyond the claim's columns."""

    as_of: dt.date
    causes: Causes
    death_deadline: pl.Expr  # D7: the last day an accidental death may fall on
    grades: tuple[int, int]  # A5.3: the lowest and highest grade of plan.toml's table


@dataclass(frozen=True)
class Step:
    """One test of rules.md "Deciding a claim": where it runs and what it decides."""

    code: str
    step: int
    phase: str
    test: Callable[[StepInputs], pl.Expr]
    why: str  # the clause or reading that orders it here


def _col(name: str) -> pl.Expr:
    return pl.col(name)


def _is(claim_type: str) -> pl.Expr:
    return pl.col("claim_type") == claim_type


def any_key(keys: tuple[str, ...]) -> str:
    """A pattern matching any of `keys` in a 'key;key' cell (never matches when empty)."""
    if not keys:
        return r"^\b$"
    return r"(^|;)(" + "|".join(re.escape(k) for k in keys) + r")(;|$)"


def _cause(i: StepInputs, keys: tuple[str, ...]) -> pl.Expr:
    return pl.col("exclusion").fill_null("").str.contains(any_key(keys))


def _bad_any(_: StepInputs) -> pl.Expr:
    """A cell that was present but unreadable (intake lists it in `_bad_fields`), L1, L18."""
    bad = pl.col("_bad_fields").fill_null("").str.replace_all(r"(^|,)note(,|$)", ",")
    return bad.str.replace_all(",", "").str.len_chars() > 0


def _required_missing(_: StepInputs) -> pl.Expr:
    """L1: the required fields of every claim and of its type (formats.md; D10: a critical
    illness needs the disease name or its diagnosis code)."""
    common = pl.any_horizontal(
        [pl.col(k).is_null() for k in ("claim_id", "id_number", "name", "claim_type")]
    )
    no_diagnosis = pl.col("disease").is_null() & pl.col("diagnosis_code").is_null()
    ci = _is(CI) & (no_diagnosis | pl.col("diagnosis_date").is_null())
    dis = _is(DISABILITY) & (
        pl.col("accident_date").is_null() | pl.col("disability_grade").is_null()
    )
    death = _is(DEATH) & (pl.col("accident_date").is_null() | pl.col("death_date").is_null())
    return common | ci.fill_null(False) | dis.fill_null(False) | death.fill_null(False)


_PAYING = ("REDUCED_30", "FULL_BENEFIT", "DISABILITY_GRADE", "ACCIDENTAL_DEATH")


def _pays(_: StepInputs) -> pl.Expr:
    """A benefit found in ORDERED that pays an amount, which a cap may cut (steps 6, 9)."""
    return pl.col("_benefit").is_in(_PAYING)


def _room_gone(_: StepInputs) -> pl.Expr:
    return pl.col("_cap_room") <= 0


def _cut(_: StepInputs) -> pl.Expr:
    return pl.col("_capped") < pl.col("_request")


CLAIM_STEPS: tuple[Step, ...] = (
    # ---- step 1: input; L18: INVALID_VALUE before MISSING_FIELD
    Step("INVALID_VALUE", 1, INPUT, _bad_any, "L1;L18"),
    Step("MISSING_FIELD", 1, INPUT, _required_missing, "L1"),
    Step("DUPLICATE_CLAIM_ID", 1, INPUT, lambda i: _col("_repeat").fill_null(False), "L2"),
    Step("DATE_AFTER_AS_OF", 1, INPUT, lambda i: _col("_future").str.len_bytes() > 0, "L26"),
    # ---- step 2: already decided (L3, L14)
    Step(
        "ALREADY_DECIDED",
        2,
        HISTORY,
        lambda i: _col("_prev_status").is_not_null() & (_col("_prev_content") == _col("content")),
        "L3",
    ),
    Step("CLAIM_CONFLICT", 2, HISTORY, lambda i: _col("_prev_status").is_not_null(), "L3"),
    # ---- step 3: duplicates (L4), then one accident one grade (A5.3), decided in ORDERED
    Step(
        "POSSIBLE_DUPLICATE",
        3,
        DUPLICATES,
        lambda i: _col("_dup_reg").fill_null(False) | _col("_dup_run").fill_null(False),
        "L4",
    ),
    Step(
        "SAME_ACCIDENT_REGRADE",
        3,
        ORDERED,
        lambda i: _col("_regrade_detail").is_not_null(),
        "A5.3;L28",
    ),
    # ---- step 4: cover (L6, L7)
    Step("NO_COVERAGE", 4, COVER, lambda i: _col("contract_no").is_null(), "A2.1;D3"),
    Step("NAME_MISMATCH", 4, COVER, lambda i: _col("_name_differs"), "L7"),
    Step(
        "UNIT_MISMATCH",
        4,
        COVER,
        lambda i: _col("unit_code").is_not_null() & (_col("unit_code") != _col("_spell_unit")),
        "L7",
    ),
    # ---- step 5: exclusions, L8's order; the causes are aidctl/plan/causes.toml's (A6.3)
    Step("EXCLUDED_FRAUD", 5, EXCLUSIONS, lambda i: _col("fraud").fill_null(False), "A6.2"),
    Step(
        "EXCLUDED_PREEXISTING",
        5,
        EXCLUSIONS,
        lambda i: _col("preexisting_undisclosed").fill_null(False),
        "A6.1",
    ),
    Step(  # L8: a brave act and the fight or crime it ended go to a person
        "CONFLICTING_FACTS",
        5,
        EXCLUSIONS,
        lambda i: _col("brave_act").fill_null(False) & _cause(i, i.causes.brave_act_conflicts),
        "L8",
    ),
    Step("EXCLUDED_CAUSE", 5, EXCLUSIONS, lambda i: _cause(i, i.causes.excluding), "A6.3"),
    Step(  # L27: never on a guess
        "AMBIGUOUS_CAUSE", 5, EXCLUSIONS, lambda i: _cause(i, i.causes.ambiguous), "L27"
    ),
    # ---- step 6: the diagnosis as read (D10); only UNLISTED rejects
    Step("DISEASE_NOT_LISTED", 6, CLAIM, lambda i: _is(CI) & (_col("_outcome") == UNLISTED), "D10"),
    Step("AMBIGUOUS_DISEASE", 6, CLAIM, lambda i: _is(CI) & (_col("_outcome") == TO_PERSON), "D10"),
    Step(  # unrecognised, or no reading at all: never pay on a guess
        "UNRECOGNISED_DISEASE",
        6,
        CLAIM,
        lambda i: _is(CI) & _col("_outcome").ne_missing(LISTED),
        "D10",
    ),
    # ---- step 6, against the earlier decisions (L9, L10, D1); the second consolation
    # is checked before the review (D1)
    Step(
        "DISEASE_PAID_IN_EARLIER_TERM",
        6,
        ORDERED,
        lambda i: _is(CI) & (_col("_first_paid_term") < _col("term_start")),
        "A5.2c;L10",
    ),
    Step(
        "DISEASE_EXCLUDED_AFTER_WAITING",
        6,
        ORDERED,
        lambda i: _is(CI) & _col("_excluded").fill_null(False),
        "A5.2a;D1;L9",
    ),
    Step(
        "CONSOLATION_ALREADY_PAID",
        6,
        ORDERED,
        lambda i: _is(CI) & (_col("_period") == EXEMPTION) & _col("_consoled").fill_null(False),
        "A5.2b;D1",
    ),
    Step(
        "RELATED_DISEASE_REVIEW",
        6,
        ORDERED,
        lambda i: _is(CI) & _col("_review_claim").is_not_null(),
        "A5.2a;D1",
    ),
    Step("CONSOLATION", 6, ORDERED, lambda i: _is(CI) & (_col("_period") == EXEMPTION), "A5.2b"),
    Step("REDUCED_30", 6, ORDERED, lambda i: _is(CI) & (_col("_period") == REDUCED), "A5.2a"),
    Step("FULL_BENEFIT", 6, ORDERED, lambda i: _is(CI), "A5.1"),
    # then the same-disease cap (A5.1) over the benefit just found
    Step("DISEASE_CAP_REACHED", 6, CAP, lambda i: _is(CI) & _pays(i) & _room_gone(i), "A5.1;D8"),
    Step("PARTIAL_CAP", 6, CAP, lambda i: _is(CI) & _pays(i) & _cut(i), "A5.1;D8"),
    # ---- step 7: disability; L16: a treatment ending before the accident goes back
    Step(
        "GRADE_NOT_COVERED",
        7,
        CLAIM,
        lambda i: _is(DISABILITY) & ~_col("disability_grade").is_between(*i.grades),
        "A5.3",
    ),
    Step(
        "INVALID_VALUE",
        7,
        CLAIM,
        lambda i: _is(DISABILITY) & (_col("treatment_end_date") < _col("accident_date")),
        "L16",
    ),
    Step(
        "TREATMENT_NOT_ENDED",
        7,
        CLAIM,
        lambda i: (
            _is(DISABILITY)
            & (
                _col("treatment_end_date").is_null()
                | (_col("treatment_end_date") > pl.lit(i.as_of))
            )
        ),
        "A5.3",
    ),
    Step("DISABILITY_GRADE", 7, ORDERED, lambda i: _is(DISABILITY), "A5.3"),
    # ---- step 8: death (D7); a death before the accident goes back (L16)
    Step(
        "DEATH_NOT_WITHIN_MONTH",
        8,
        CLAIM,
        lambda i: _is(DEATH) & (_col("death_date") > i.death_deadline),
        "A3.3;D7",
    ),
    Step(
        "INVALID_VALUE",
        8,
        CLAIM,
        lambda i: _is(DEATH) & (_col("death_date") < _col("accident_date")),
        "L16",
    ),
    Step("ACCIDENTAL_DEATH", 8, ORDERED, lambda i: _is(DEATH), "A5.4"),
    # ---- step 9: the accident cap (A5.5) over the benefit of steps 7–8
    Step(
        "ACCIDENT_CAP_REACHED",
        9,
        CAP,
        lambda i: _col("claim_type").is_in(ACCIDENTS) & _pays(i) & _room_gone(i),
        "A5.5;D8",
    ),
    Step(
        "PARTIAL_CAP",
        9,
        CAP,
        lambda i: _col("claim_type").is_in(ACCIDENTS) & _pays(i) & _cut(i),
        "A5.5;D8",
    ),
)


def steps_of(phase: str) -> tuple[Step, ...]:
    """The tests one pass of the calculator runs, in rules.md's order."""
    return tuple(s for s in CLAIM_STEPS if s.phase == phase)


def first_match(
    steps: tuple[Step, ...], inputs: StepInputs, otherwise: pl.Expr | None = None
) -> pl.Expr:
    """The code of the first test that holds (rules.md: the first rule that decides wins),
    else `otherwise` (null when None): one vectorised when/then chain.

    Codes of `REASON_TABLE` come as `REASON_DTYPE` (an enum), other codes (tests of the
    chain itself) as text; `otherwise` must be of the same type."""
    # the chain picks a small integer per test, cheaper to carry through a dozen branches
    # than strings; the codes are put in once, at the end
    registered = all(s.code in REASON_OF for s in steps)
    if not steps:
        empty = pl.lit(None, REASON_DTYPE if registered else pl.Utf8)
        return empty if otherwise is None else otherwise
    chain: pl.Expr = pl.lit(None, pl.UInt32)
    for i in reversed(range(len(steps))):
        # a test that is null (a blank cell) does not hold: `when` reads null as false
        value = REASON_CODES.index(steps[i].code) if registered else i
        chain = pl.when(steps[i].test(inputs)).then(pl.lit(value, pl.UInt32)).otherwise(chain)
    code = (
        pl.lit(_BY_CODE).gather(chain)  # the enum's own order: a gather, no hashing
        if registered
        else chain.replace_strict(
            {i: s.code for i, s in enumerate(steps)}, default=None, return_dtype=pl.Utf8
        )
    )
    return code if otherwise is None else pl.coalesce(code, otherwise)


def status_expr(code: pl.Expr, default: str) -> pl.Expr:
    """The status each code implies (`REASON_TABLE`), vectorised; `default` for no code.
    The code is text or `REASON_DTYPE`; text outside the table is an error."""
    return pl.lit(_STATUS_BY_CODE).gather(code.cast(REASON_DTYPE).to_physical()).fill_null(default)


def clause_expr(code: pl.Expr, claim_type: pl.Expr) -> pl.Expr:
    """The clause of each decision: the code's, or its claim type's where that differs."""
    plain = pl.lit(_CLAUSE_BY_CODE).gather(code.cast(REASON_DTYPE).to_physical()).fill_null("")
    for r in REASON_TABLE:
        for kind, (_step, clause) in r.by_type.items():
            plain = (
                pl.when((code == r.code) & (claim_type == kind))
                .then(pl.lit(clause))
                .otherwise(plain)
            )
    return plain
