"""Column headers and status words of the reports, in Chinese and English."""

from __future__ import annotations

HEADERS: dict[str, tuple[str, str]] = {
    "unit_code": ("单位编码", "Unit code"),
    "unit_name": ("单位名称", "Unit name"),
    "status": ("结果", "Status"),
    "total_staff": ("从业人员总数", "Total staff"),
    "eligible": ("符合条件参保人数", "Eligible enrolled"),
    "ratio": ("参保比例", "Ratio"),
    "required_ratio": ("要求比例", "Required ratio"),
    "shortfall": ("还需增加人数", "Shortfall"),
    "contribution_total": ("应缴互助金", "Contribution"),
    "unit_share": ("单位承担", "Unit share"),
    "individual_share": ("个人承担", "Individual share"),
    "deductible": ("税前扣除额", "Deductible before tax"),
    "reasons": ("原因", "Reasons"),
    "effective_date": ("生效日期", "Effective date"),
    "term_end": ("到期日期", "Expiry date"),
    "first_time": ("首次参保", "First enrolment"),
    "policy_version": ("参数版本", "Parameter version"),
    "sheet": ("工作表", "Sheet"),
    "row": ("行号", "Row"),
    "column": ("列", "Column"),
    "code": ("代码", "Code"),
    "severity": ("级别", "Severity"),
    "message": ("说明", "Message"),
    "id_number": ("身份证号", "Id number"),
    "name": ("姓名", "Name"),
    "claim_id": ("理赔编号", "Claim id"),
    "claim_type": ("申请类型", "Claim type"),
    "benefit": ("保障类型", "Benefit"),
    "disease": ("病种", "Disease"),
    "event_date": ("出险日期", "Event date"),
    "cover_day": ("保障第几日", "Day of cover"),
    "amount": ("金额", "Amount"),
    "reason_code": ("原因代码", "Reason code"),
    "reason": ("原因说明", "Reason"),
    "clause": ("条款", "Clause"),
    "contract_no": ("履约单号", "Contract no."),
    "count": ("件数", "Count"),
    "contact": ("联系人", "Contact"),
    "phone": ("联系电话", "Phone"),
    "note": ("备注", "Note"),
    "annot_status": ("审核结果", "Check result"),
    "annot_reason": ("问题说明", "What to fix"),
}

STATUS: dict[str, tuple[str, str]] = {
    "compliant": ("合格", "compliant"),
    "non_compliant": ("不合格", "non-compliant"),
    "invalid": ("无效", "invalid"),
    "approved": ("给付", "approved"),
    "rejected": ("拒付", "rejected"),
    "pending": ("待处理", "pending"),
    "ok": ("通过", "ok"),
    "ineligible": ("不符合条件", "ineligible"),
    "error": ("错误", "error"),
    "warning": ("提示", "warning"),
}

# A member row of a roster: enrolled, not eligible (E1), or not enrolled because of a finding.
MEMBER_STATUS: dict[str, tuple[str, str]] = {
    "ok": ("通过", "ok"),
    "ineligible": ("不符合参保条件", "not eligible"),
    "rejected": ("不予登记", "not enrolled"),
}

# What is wrong with an id number (E3), as the core names it.
ID_PROBLEMS: dict[str, tuple[str, str]] = {
    "length": ("位数不对，应为18位", "wrong length, 18 characters needed"),
    "format": ("含有不应出现的字符", "characters that do not belong"),
    "checksum": ("校验码不符", "check digit does not match"),
    "birth_date": ("出生日期不存在", "no such birth date"),
}

CLAIM_TYPES: dict[str, tuple[str, str]] = {
    "critical_illness": ("重大疾病", "critical illness"),
    "accident_disability": ("意外伤残", "accidental disability"),
    "accident_death": ("意外身故", "accidental death"),
}


def header(key: str, lang: str) -> str:
    zh, en = HEADERS.get(key, (key, key))
    return zh if lang == "zh" else en


def word(table: dict[str, tuple[str, str]], key: str | None, lang: str) -> str:
    if key is None:
        return ""
    zh, en = table.get(key, (key, key))
    return zh if lang == "zh" else en
