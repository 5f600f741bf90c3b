"""What a front end shows beside the figures: status words, the steps of a decision.

Kept here so that the CLI (and any other front end) renders these without reaching into
aidctl.core or aidctl.reports.
"""

from __future__ import annotations

from typing import Any

from aidctl.core.reasons import STEP_OF, STEPS
from aidctl.plan.params import Policy
from aidctl.reports.explain import explain
from aidctl.reports.labels import CLAIM_TYPES, REASONS, STATUS, param_name, param_value, shown, word
from aidctl.reports.renewals import status_word as _renewal_word

# the steps (docs/rules.md, steps 1–10) that do not apply to a claim type
_SKIPPED = {
    "critical_illness": {7, 8, 9},
    "accident_disability": {6, 8},
    "accident_death": {6, 7},
}


def status_word(status: str, lang: str) -> str:
    """approved / rejected / pending (and unit statuses) in the reader's language."""
    return word(STATUS, status, lang)


def renewal_word(status: str, lang: str) -> str:
    """due / grace / lapsed in the reader's language."""
    return _renewal_word(status, lang)


def decision_steps(decision: dict[str, Any]) -> list[tuple[int, str, str, bool]]:
    """The steps a recorded decision went through: (step, zh, en, decisive); the steps
    before the decisive one passed (steps that do not apply to the claim type are left
    out). PARTIAL_CAP of a critical illness is decided at step 6 (A5.2)."""
    decisive = STEP_OF.get(decision["reason_code"], 1)
    if decision["reason_code"] == "PARTIAL_CAP" and decision["claim_type"] == "critical_illness":
        decisive = 6
    skip = _SKIPPED.get(decision["claim_type"] or "", set())
    steps = [(s, *STEPS[s], False) for s in range(1, decisive) if s not in skip]
    return [*steps, (decisive, *STEPS[decisive], True)]


def explain_sentence(decision: dict[str, Any], policy: Policy, lang: str) -> str:
    """The decision's sentence with its figures (the one a report shows); the plan's figures
    from the version of `policy` the decision names (its `policy_version`)."""
    return explain(decision, policy.catalogue, lang, policy=policy)


def reason_word(code: str | None, lang: str) -> str:
    """A reason or finding code in a few words (L170): what a terminal cell shows. An
    unknown code (a newer catalogue) reads as "another reason", never as the bare code."""
    if code is None:
        return ""
    if code in REASONS:
        return word(REASONS, code, lang)
    return "其他原因" if lang == "zh" else "another reason"


def reasons_text(codes: list[str] | None, lang: str) -> str:
    """Several codes (a unit's reasons) in words, in the reader's list style."""
    return ("、" if lang == "zh" else ", ").join(reason_word(c, lang) for c in codes or [])


def claim_type_word(claim_type: str | None, lang: str) -> str:
    """critical_illness / accident_disability / accident_death in words."""
    return word(CLAIM_TYPES, claim_type, lang)


def parameter_name(key: str, lang: str) -> str:
    """A plan parameter's name in words (L171); `policy show` never prints the key."""
    return param_name(key, lang)


def parameter_value(key: str, value: Any, lang: str) -> str:
    """A plan parameter's value with its unit (80%, 2000元, 是/否) (L171)."""
    return param_value(key, value, lang)


def cell(value: Any, lang: str) -> str:
    """Any value as a table cell shows it: no None/True/False ever printed (L172)."""
    return shown(value, lang)


def id_number_problem(text: str, lang: str) -> str | None:
    """Why `text` cannot be a resident id number, in words (E3), or None when it can be: a
    17-digit number is never looked up as if it were a person (L174)."""
    import datetime as dt

    import polars as pl

    from aidctl.core.ids import id_problem
    from aidctl.reports.labels import ID_PROBLEMS

    frame = pl.DataFrame({"id": [text.strip().upper()]}, schema={"id": pl.Utf8})
    problem = frame.select(id_problem("id", dt.date.today())).item()
    if problem is None:
        return None
    return word(ID_PROBLEMS, str(problem), lang)
