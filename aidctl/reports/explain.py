"""The sentence a member would understand, with the figures that produced the amount.

rules.md asks every decision to carry one, in the report's language, e.g.
"第二类病种 5000元 × 30%（减责期，保障第75日）= 1500元". Built here, at the edge, from the
figures the calculator returns, so the core stays free of wording.

The plan's figures a sentence shows beyond the decision's own (the number of listed
diseases, the grades covered, the month of A3.3 …) come from the parameter version in force
for the claim — the decision's `policy_version` in the `policy` the caller loaded (the api
passes it; L70, L95) — never from the bundled file's defaults when a policy is given.
"""

from __future__ import annotations

from contextlib import suppress
from functools import partial
from typing import Any

from aidctl.i18n import message as _message
from aidctl.plan.catalogue import Catalogue
from aidctl.plan.causes import load_causes
from aidctl.plan.params import Policy

_CLASS_ZH = {1: "第一类", 2: "第二类"}


def cause_names(causes: str | None, lang: str) -> str:
    """The A6.3 causes of a decision, in the words of aidctl/plan/causes.toml."""
    return load_causes().names(causes, lang)


def _fields(value: Any) -> list[str]:
    return str(value or "").split("|")


def explain(
    d: dict[str, Any], catalogue: Catalogue, lang: str = "zh", *, policy: Policy | None = None
) -> str:
    """One decision's sentence. `d` holds the decision columns of the calculator; its
    `policy_version` (when present) picks the version of `policy` whose figures the sentence
    shows (D9: the version in force on the claim's event day; default: the bundled file)."""
    message = partial(_message, policy=policy, version=d.get("policy_version"))
    code = d["reason_code"]
    amount = d.get("amount") or 0
    day = d.get("cover_day")
    base = d.get("base_amount")
    room = d.get("cap_room")
    zh = lang == "zh"
    disease = None
    if d.get("disease_code"):
        try:
            disease = catalogue.by_code(d["disease_code"])
        except KeyError:
            disease = None
    dname = disease.name(lang) if disease else ""
    cls = (
        (_CLASS_ZH[disease.disease_class] if zh else f"class {disease.disease_class}")
        if disease
        else ""
    )
    if code == "CONSOLATION":
        return (
            f"{dname}：免责期（保障第{day}日）一次性慰问金 {amount}元"
            if zh
            else f"{dname}: exemption period (day {day} of cover), one-time consolation {amount} yuan"
        )
    if code == "REDUCED_30":
        return (
            f"{dname}：{cls}病种 {base}元 × {d.get('pct')}%（减责期，保障第{day}日）= {amount}元"
            if zh
            else f"{dname}: {cls} disease {base} yuan × {d.get('pct')}% (reduced period, day {day} of cover) = {amount} yuan"
        )
    if code == "FULL_BENEFIT":
        return (
            f"{dname}：{cls}病种 {base}元（保障第{day}日）= {amount}元"
            if zh
            else f"{dname}: {cls} disease {base} yuan (day {day} of cover) = {amount} yuan"
        )
    if code == "PARTIAL_CAP":
        if d.get("claim_type") == "critical_illness":
            return (
                f"{dname}：应付 {base}元，同一病种年度限额剩余 {room}元，实付 {amount}元"
                if zh
                else f"{dname}: {base} yuan due, {room} yuan left under this disease's yearly cap, paid {amount} yuan"
            )
        return (
            f"应付 {base}元，意外年度累计限额剩余 {room}元，实付 {amount}元"
            if zh
            else f"{base} yuan due, {room} yuan left under the yearly accident cap, paid {amount} yuan"
        )
    if code == "DISABILITY_GRADE":
        grade = d.get("disability_grade")
        return f"伤残{grade}级 = {amount}元" if zh else f"disability grade {grade} = {amount} yuan"
    if code == "ACCIDENTAL_DEATH":
        return f"意外身故 = {amount}元" if zh else f"accidental death = {amount} yuan"
    if code == "DISEASE_CAP_REACHED":
        return (f"{dname}：" if dname else "") + message(code, lang)
    value: Any = d.get("detail")
    if code in ("EXCLUDED_CAUSE", "AMBIGUOUS_CAUSE"):
        value = cause_names(value, lang)
        if code == "AMBIGUOUS_CAUSE":
            return message(code, lang, value=value) + _why(d.get("detail"), lang)
    elif code == "AMBIGUOUS_DISEASE":
        value = _candidates(value, catalogue, lang)
    elif code == "DATE_AFTER_AS_OF":
        names = _DATE_NAMES_ZH if zh else _DATE_NAMES_EN
        value = ("、" if zh else ", ").join(names.get(k, k) for k in str(value or "").split(","))
    elif code == "SAME_ACCIDENT_REGRADE":
        earlier, grade, paid = ([*_fields(value), "", "", ""])[:3]
        value = (
            f"{earlier}（伤残{grade}级，{paid}元）"
            if zh
            else f"{earlier} (grade {grade}, {paid} yuan)"
        )
    elif code == "RELATED_DISEASE_REVIEW":
        earlier, related = ([*_fields(value), "", ""])[:2]
        with suppress(KeyError):
            related = f"{related} {catalogue.by_code(related).name(lang)}"
        value = f"{earlier}（{related}）" if zh else f"{earlier} ({related})"
    elif code == "DISEASE_NOT_LISTED" and not value:
        return message(code, lang, value=d.get("disease_key") or "")
    elif code in ("MISSING_FIELD", "INVALID_VALUE"):
        return message("CLAIM_" + code, lang, value=value or "")
    return message(code, lang, value=value if value is not None else "")


_DATE_NAMES_ZH = {
    "diagnosis_date": "确诊日期",
    "accident_date": "事故日期",
    "death_date": "死亡日期",
}
_DATE_NAMES_EN = {
    "diagnosis_date": "the diagnosis date",
    "accident_date": "the accident date",
    "death_date": "the death date",
}


def _why(keys: str | None, lang: str) -> str:
    """AMBIGUOUS_CAUSE: why the word is not read as a cause (causes.toml)."""
    causes = load_causes()
    reasons = []
    for key in (keys or "").split(";"):
        with suppress(KeyError):
            cause = causes.by_key(key)
            reasons.append(cause.why_zh if lang == "zh" else cause.why_en)
    if not reasons:
        return ""
    return ("（" + "；".join(reasons) + "）") if lang == "zh" else " (" + "; ".join(reasons) + ")"


def _candidates(detail: str | None, catalogue: Catalogue, lang: str) -> str:
    """AMBIGUOUS_DISEASE: the candidate codes with their names, and what is missing (D10).
    The catalogue says what is missing in words when it can (`missing_hint`)."""
    codes, missing = ([*_fields(detail), "", ""])[:2]
    named = []
    for code in [c for c in codes.split(",") if c]:
        try:
            named.append(f"{code} {catalogue.by_code(code).name(lang)}")
        except KeyError:
            named.append(code)
    text = ("或".join(named) if lang == "zh" else " or ".join(named)) or (
        "某一保障病种" if lang == "zh" else "a listed disease"
    )
    hint_of = getattr(catalogue, "missing_hint", None)
    hint = hint_of(missing, lang) if missing and callable(hint_of) else None
    if hint:
        return f"{text}（缺少：{hint}）" if lang == "zh" else f"{text} (missing: {hint})"
    return text
