"""Message texts in Chinese (default) and English, keyed by finding and reason codes.

Codes and JSON keys are always English; only what a person reads is translated. The texts
are one catalogue, `aidctl.core.messages.MESSAGES`: one text per code. The plan's figures in
them (ratios, terms, the number of listed diseases …) are filled from the parameter version
in force — the one a caller names (a decision's `policy_version`), else the latest version
of the bundled parameter file.
"""

from __future__ import annotations

from functools import cache

from aidctl.core.messages import MESSAGES, catalogue
from aidctl.plan.params import Policy, PolicyVersion, load_policy

__all__ = ["MESSAGES", "message", "table"]


@cache
def _bundled() -> Policy:
    return load_policy()


def _version(policy: Policy, version: str | PolicyVersion | None) -> PolicyVersion:
    if isinstance(version, PolicyVersion):
        return version
    if version is None:
        return policy.latest
    try:
        return policy.by_id(version)
    except KeyError:  # a version this parameter file does not hold: its latest figures
        return policy.latest


_RENDERED: dict[tuple[str, int, str], tuple[Policy, dict[str, str]]] = {}


def table(
    lang: str = "zh",
    *,
    policy: Policy | None = None,
    version: str | PolicyVersion | None = None,
) -> dict[str, str]:
    """code -> template in one language (for vectorised rendering with a join), the plan's
    figures filled from `version` of `policy` (default: the bundled file's latest)."""
    chosen = policy or _bundled()
    at = _version(chosen, version)
    key = (lang, id(chosen), at.id)
    cached = _RENDERED.get(key)
    if cached is None or cached[0] is not chosen:  # the policy is kept: its id stays its own
        cached = (chosen, catalogue(lang, chosen, at))
        _RENDERED[key] = cached
    return cached[1]


def message(
    code: str,
    lang: str = "zh",
    *,
    policy: Policy | None = None,
    version: str | PolicyVersion | None = None,
    **params: object,
) -> str:
    """The text for `code` in `lang`, the plan's figures from `version` of `policy`, and the
    `{name}` placeholders filled from params."""
    template = table(lang, policy=policy, version=version).get(code, code)
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template
