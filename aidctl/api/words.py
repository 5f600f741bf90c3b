"""What a front end shows beside the figures: status words, the steps of a decision.

Kept here so that the CLI (and any other front end) renders these without reaching into
aidctl.core or aidctl.reports.
"""

from __future__ import annotations

from typing import Any

from aidctl.core.reasons import STEP_OF, STEPS
from aidctl.plan.params import Policy
from aidctl.reports.explain import explain
from aidctl.reports.labels import STATUS, word
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
