"""The enrolment texts of D5, D6, E2, E3 and E6, as a view of the one catalogue.

The texts themselves are `aidctl.core.messages.MESSAGES` (one text per code). This view
exists only because `aidctl/reports/findings_text.py` still lays it over
`aidctl.i18n.table`; once that file reads the table alone, delete this module. Its
templates carry the plan's figures of the bundled parameter file's latest version, as
`aidctl.i18n.table` does by default.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache

from aidctl.core.messages import catalogue
from aidctl.plan.params import load_policy

CODES = (
    "RENEWAL_DATE_ADJUSTED",
    "BACKDATED_EFFECTIVE_DATE",
    "EFFECTIVE_DATE_FAR_AHEAD",
    "TERM_ALREADY_ENDED",
    "JOIN_DATE_ADJUSTED",
    "RATIO_BELOW_MIN",
    "RATIO_UNREACHABLE",
    "NOT_ALL_ENROLLED",
    "TOO_MANY_MEMBERS",
    "ID_REGION_UNKNOWN",
    "UNIT_OUTSIDE_AREA",
)


@cache
def _texts() -> tuple[dict[str, str], dict[str, str]]:
    policy = load_policy()
    return catalogue("zh", policy), catalogue("en", policy)


class _Rendered(Mapping[str, tuple[str, str]]):
    """code -> (zh, en) from the one catalogue, read when asked (no copy of a text)."""

    def __getitem__(self, code: str) -> tuple[str, str]:
        if code not in CODES:
            raise KeyError(code)
        zh, en = _texts()
        return zh[code], en[code]

    def __iter__(self) -> Iterator[str]:
        return iter(CODES)

    def __len__(self) -> int:
        return len(CODES)


ENROLMENT_MESSAGES: Mapping[str, tuple[str, str]] = _Rendered()
