"""Reason codes of claim decisions: the status each implies and the clauses behind it.

The decision order and the codes are rules.md's "Deciding a claim" (steps 1–10); L-ids are
docs/decisions.md. A clause string names every sentence of the plan a decision rests on.
"""

from __future__ import annotations

APPROVED = "approved"
REJECTED = "rejected"
PENDING = "pending"

# code -> (status, clause)
REASONS: dict[str, tuple[str, str]] = {
    # step 1 — input
    "MISSING_FIELD": (PENDING, "L1"),
    "INVALID_VALUE": (PENDING, "L1"),
    "DUPLICATE_CLAIM_ID": (PENDING, "L2"),
    "DATE_AFTER_AS_OF": (PENDING, "L26"),  # nothing is paid for what has not happened yet
    # step 2 — already decided
    "ALREADY_DECIDED": (APPROVED, "L3"),  # status replaced by the earlier one (L14)
    "CLAIM_CONFLICT": (PENDING, "L3"),
    # step 3 — duplicates
    "POSSIBLE_DUPLICATE": (PENDING, "L4"),
    "SAME_ACCIDENT_REGRADE": (PENDING, "A5.3;L28"),  # one accident has one grade
    # step 4 — cover
    "NO_COVERAGE": (REJECTED, "A2.1;D3;D6"),
    "NAME_MISMATCH": (PENDING, "L7"),
    "UNIT_MISMATCH": (PENDING, "L7"),
    # step 5 — exclusions (A6)
    "EXCLUDED_FRAUD": (REJECTED, "A6.2"),
    "EXCLUDED_PREEXISTING": (REJECTED, "A6.1"),
    "CONFLICTING_FACTS": (PENDING, "A3.2;A6.3;L8"),
    "EXCLUDED_CAUSE": (REJECTED, "A6.3"),
    "AMBIGUOUS_CAUSE": (PENDING, "A6.3;L27"),
    # step 6 — critical illness
    "DISEASE_NOT_LISTED": (REJECTED, "A3.1;D10"),
    "AMBIGUOUS_DISEASE": (PENDING, "A3.1;D10"),
    "UNRECOGNISED_DISEASE": (PENDING, "A3.1;D10"),
    "DISEASE_PAID_IN_EARLIER_TERM": (REJECTED, "A5.2c;L10"),
    "DISEASE_EXCLUDED_AFTER_WAITING": (REJECTED, "A5.2a;D1;L9"),
    "RELATED_DISEASE_REVIEW": (PENDING, "A5.2a;D1"),
    "CONSOLATION": (APPROVED, "A5.2b;A2.2;D4"),
    "CONSOLATION_ALREADY_PAID": (REJECTED, "A5.2b;L9"),
    "REDUCED_30": (APPROVED, "A5.2a;A2.2;D4"),
    "FULL_BENEFIT": (APPROVED, "A5.1"),
    "DISEASE_CAP_REACHED": (REJECTED, "A5.1;D8"),
    # step 7 — disability
    "GRADE_NOT_COVERED": (REJECTED, "A3.2;A5.3"),
    "TREATMENT_NOT_ENDED": (PENDING, "A5.3"),
    "DISABILITY_GRADE": (APPROVED, "A5.3"),
    # step 8 — death
    "DEATH_NOT_WITHIN_MONTH": (REJECTED, "A3.3;D7"),
    "ACCIDENTAL_DEATH": (APPROVED, "A5.4;A3.3;D7"),
    # step 9 — accident cap
    "ACCIDENT_CAP_REACHED": (REJECTED, "A5.5;D8"),
    # steps 6 and 9
    "PARTIAL_CAP": (APPROVED, "A5.1;A5.5;D8"),
}


def status_of(code: str) -> str:
    return REASONS[code][0]


def clause_of(code: str) -> str:
    return REASONS[code][1]


# The step of rules.md "Deciding a claim" at which each code decides (for `aidctl explain`).
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
STEP_OF: dict[str, int] = {
    "MISSING_FIELD": 1,
    "INVALID_VALUE": 1,
    "DUPLICATE_CLAIM_ID": 1,
    "DATE_AFTER_AS_OF": 1,
    "ALREADY_DECIDED": 2,
    "CLAIM_CONFLICT": 2,
    "POSSIBLE_DUPLICATE": 3,
    "SAME_ACCIDENT_REGRADE": 3,
    "NO_COVERAGE": 4,
    "NAME_MISMATCH": 4,
    "UNIT_MISMATCH": 4,
    "EXCLUDED_FRAUD": 5,
    "EXCLUDED_PREEXISTING": 5,
    "CONFLICTING_FACTS": 5,
    "EXCLUDED_CAUSE": 5,
    "AMBIGUOUS_CAUSE": 5,
    "DISEASE_NOT_LISTED": 6,
    "AMBIGUOUS_DISEASE": 6,
    "UNRECOGNISED_DISEASE": 6,
    "RELATED_DISEASE_REVIEW": 6,
    "DISEASE_PAID_IN_EARLIER_TERM": 6,
    "DISEASE_EXCLUDED_AFTER_WAITING": 6,
    "CONSOLATION": 6,
    "CONSOLATION_ALREADY_PAID": 6,
    "REDUCED_30": 6,
    "FULL_BENEFIT": 6,
    "DISEASE_CAP_REACHED": 6,
    "GRADE_NOT_COVERED": 7,
    "TREATMENT_NOT_ENDED": 7,
    "DISABILITY_GRADE": 7,
    "DEATH_NOT_WITHIN_MONTH": 8,
    "ACCIDENTAL_DEATH": 8,
    "ACCIDENT_CAP_REACHED": 9,
    "PARTIAL_CAP": 9,
}
