"""What the claims commands answer beyond their tables (issue 13): the totals of a run with
the claims decided before apart (L173), and ids that cannot be found (L174)."""

from __future__ import annotations

from typing import Any

import polars as pl

from aidctl import api
from aidctl.errors import InputError


def summary_lines(decisions: pl.DataFrame, lang: str) -> list[str]:
    """The totals of a run, new decisions apart from the claims already decided in an
    earlier run (ALREADY_DECIDED pays nothing and is no new approval, L173)."""
    again = decisions["reason_code"] == "ALREADY_DECIDED"
    fresh = decisions.filter(~again)
    n = {s: int((fresh["status"] == s).sum()) for s in ("approved", "rejected", "pending")}
    amount = int(fresh["amount"].sum())
    before = int(again.sum())
    if lang == "zh":
        lines = [
            f"本次新决定：给付 {n['approved']} 件，拒付 {n['rejected']} 件，"
            f"待处理 {n['pending']} 件；给付金额合计 {amount} 元。"
        ]
        if before:
            lines.append(f"另有 {before} 件此前已处理，本次不再支付，未计入上述件数。")
        return lines
    lines = [
        f"New decisions: {n['approved']} approved, {n['rejected']} rejected, "
        f"{n['pending']} pending; {amount} yuan to pay."
    ]
    if before:
        lines.append(
            f"{before} more were decided in an earlier run: nothing new is paid and they "
            "are not counted above."
        )
    return lines


def check_claim_id(claim_id: str) -> None:
    """A claim id that cannot be one is answered with what to type instead (L174): blank,
    or a resident id number typed where the claim id belongs."""
    text = claim_id.strip()
    if not text:
        raise InputError(
            "The claim id is blank: type the claim id (理赔编号) of the claims workbook.",
            "理赔编号为空：请输入理赔申请表中的理赔编号。",
        )
    if api.id_number_problem(text, "en") is None:
        raise InputError(
            f"{text} is an id number, not a claim id: `aidctl history {text}` lists this "
            "member's claims with their claim ids.",
            f"{text} 是身份证号，不是理赔编号：用 `aidctl history {text}` 可列出此人的理赔及其编号。",
        )


def check_id_number(id_number: str) -> None:
    """An id number that cannot be one is not looked up: what is wrong with it (L174)."""
    problem = api.id_number_problem(id_number, "en")
    if problem is not None:
        raise InputError(
            f"{id_number!r} is not an id number ({problem}): type the member's 18-character "
            "resident id number as it is on the id card.",
            f"“{id_number}”不是有效的身份证号（{api.id_number_problem(id_number, 'zh')}）："
            "请按身份证输入18位身份证号。",
        )


def never_enrolled(id_number: str, lang: str) -> str:
    """A valid id the register does not know: the person was never enrolled (L174)."""
    if lang == "zh":
        return (
            f"登记库中没有身份证号 {id_number} 的参保或理赔记录：此人从未登记参保。"
            "请核对身份证号；如确应参保，请由所在单位报送名册后用 enroll 登记。"
        )
    return (
        f"The register has no cover or claim for id number {id_number}: this person was "
        "never enrolled. Check the number; if they should be covered, enrol their unit's "
        "roster with `aidctl enroll`."
    )


def voided_sentence(claim_id: str, voided: dict[str, Any], run: str, lang: str) -> str:
    """What `void` reversed, the reason in words (L170)."""
    reason = api.reason_word(voided["reason_code"], lang)
    if lang == "zh":
        return f"已撤销理赔 {claim_id} 的决定（{reason}，{voided['amount']} 元），运行 {run}。"
    return (
        f"Voided the decision on claim {claim_id} ({reason}, {voided['amount']} yuan), run {run}."
    )


def step_result(decision: dict[str, Any], decisive: bool, lang: str) -> str:
    """One step of `explain`: passed, or the decisive reason in words with its clause
    (L170)."""
    if not decisive:
        return "通过" if lang == "zh" else "passed"
    reason, clause = api.reason_word(decision["reason_code"], lang), decision["clause"]
    return f"{reason}（{clause}）" if lang == "zh" else f"{reason} ({clause})"
