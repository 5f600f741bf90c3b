"""The sentence a member would understand, with the figures that produced the amount.

rules.md asks every decision to carry one, in the report's language, e.g.
"第二类病种 5000元 × 30%（减责期，保障第75日）= 1500元". Built here, at the edge, from the
figures the calculator returns, so the core stays free of wording.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from aidctl.i18n import message
from aidctl.plan.catalogue import Catalogue

_CLASS_ZH = {1: "第一类", 2: "第二类"}
_CAUSES_ZH = {
    "traffic_violation": "违章驾驶",
    "crime": "故意犯罪或拒捕",
    "suicide": "自杀",
    "self_injury": "故意自伤",
    "fighting": "斗殴",
    "drunkenness": "醉酒",
    "drugs": "吸毒",
    "earthquake": "地震",
    "war": "战争",
    "military": "军事行动",
    "nuclear": "核爆炸、核辐射或核污染",
}


def cause_names(causes: str | None, lang: str) -> str:
    keys = [c for c in (causes or "").split(";") if c]
    if lang == "zh":
        return "、".join(_CAUSES_ZH.get(k, k) for k in keys)
    return ", ".join(k.replace("_", " ") for k in keys)


def explain(d: dict[str, Any], catalogue: Catalogue, lang: str = "zh") -> str:
    """One decision's sentence. `d` holds the decision columns of the calculator."""
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
    if code == "EXCLUDED_CAUSE":
        value = cause_names(value, lang)
    elif code == "AMBIGUOUS_DISEASE" and value:
        with suppress(KeyError):
            value = f"{value} {catalogue.by_code(value).name(lang)}"
    elif code in ("MISSING_FIELD", "INVALID_VALUE"):
        return message("CLAIM_" + code, lang, value=value or "")
    return message(code, lang, value=value if value is not None else "")
