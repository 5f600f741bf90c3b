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
    "already_decided": ("此前已处理", "decided before"),
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


# Reason and finding codes as a clerk reads them in a table cell (issue 13, L170): short
# words; the full sentence (with the figures and what to do) is `aidctl.i18n.message`. The
# code itself stays in its own column of the reports and in the JSON.
REASONS: dict[str, tuple[str, str]] = {
    # claims, in the order of docs/rules.md steps 1–10
    "INVALID_VALUE": ("栏目无法识别", "unreadable cell"),
    "MISSING_FIELD": ("必填项为空", "required field empty"),
    "DUPLICATE_CLAIM_ID": ("理赔编号重复", "claim id repeated"),
    "DATE_AFTER_AS_OF": ("日期晚于审核日", "date after the as-of day"),
    "ALREADY_DECIDED": ("此前已处理", "decided before"),
    "CLAIM_CONFLICT": ("已处理但内容已改", "decided before, row changed"),
    "POSSIBLE_DUPLICATE": ("疑似重复申请", "possible duplicate"),
    "SAME_ACCIDENT_REGRADE": ("同一事故重新评级", "same accident graded again"),
    "NO_COVERAGE": ("出险时未在保障期", "not covered on the day"),
    "NAME_MISMATCH": ("姓名与登记不符", "name differs from register"),
    "UNIT_MISMATCH": ("单位与登记不符", "unit differs from register"),
    "EXCLUDED_FRAUD": ("欺诈，不予给付", "fraud: not paid"),
    "EXCLUDED_PREEXISTING": ("参保前已患病未告知", "undisclosed prior illness"),
    "CONFLICTING_FACTS": ("出险情形相互矛盾", "conflicting facts"),
    "EXCLUDED_CAUSE": ("属除外情形", "excluded cause"),
    "AMBIGUOUS_CAUSE": ("出险原因待核实", "cause to be checked"),
    "DISEASE_NOT_LISTED": ("不属保障病种", "not a listed disease"),
    "AMBIGUOUS_DISEASE": ("病种待写明", "disease to be named"),
    "UNRECOGNISED_DISEASE": ("诊断无法识别", "diagnosis not recognised"),
    "RELATED_DISEASE_REVIEW": ("相关病种待核定", "related disease to review"),
    "DISEASE_PAID_IN_EARLIER_TERM": ("以前保障期已给付", "paid in an earlier term"),
    "DISEASE_EXCLUDED_AFTER_WAITING": ("等待期内已确诊", "diagnosed in a waiting period"),
    "CONSOLATION": ("免责期慰问金", "consolation"),
    "CONSOLATION_ALREADY_PAID": ("慰问金已给付过", "consolation already paid"),
    "REDUCED_30": ("减责期按比例给付", "reduced period share"),
    "FULL_BENEFIT": ("足额给付", "full benefit"),
    "PARTIAL_CAP": ("按剩余限额给付", "cut to the cap"),
    "DISEASE_CAP_REACHED": ("病种年度限额已满", "disease cap reached"),
    "GRADE_NOT_COVERED": ("伤残等级不在范围", "grade not covered"),
    "TREATMENT_NOT_ENDED": ("治疗尚未终结", "treatment not ended"),
    "DISABILITY_GRADE": ("按伤残等级给付", "by disability grade"),
    "DEATH_NOT_WITHIN_MONTH": ("非事故后限期内身故", "death too long after"),
    "ACCIDENTAL_DEATH": ("意外身故给付", "accidental death"),
    "ACCIDENT_CAP_REACHED": ("意外年度限额已满", "accident cap reached"),
    # intake and enrolment findings
    "ID_STORED_AS_NUMBER": ("身份证号存成了数字", "id stored as a number"),
    "DUPLICATE_HEADER": ("表头重复", "header repeated"),
    "SHARE_AS_FRACTION": ("分担比例按小数读取", "share read as a fraction"),
    "INVALID_TOTAL_STAFF": ("从业人员总数有误", "staff total wrong"),
    "DUPLICATE_UNIT": ("单位编码重复", "unit code repeated"),
    "INVALID_CREDIT_CODE": ("信用代码有误", "credit code wrong"),
    "INVALID_SHARE": ("分担比例有误", "share wrong"),
    "INDIVIDUAL_SHARE_ABOVE_20": ("个人分担比例偏高", "individual share high"),
    "INVALID_PAYROLL": ("工资总额有误", "payroll wrong"),
    "OVERLAPS_EXISTING_CONTRACT": ("与已有履约单重叠", "overlaps a contract"),
    "UNKNOWN_UNIT": ("单位不在单位表", "unit not on units sheet"),
    "INVALID_ID": ("身份证号有误", "id number wrong"),
    "DUPLICATE_MEMBER": ("人员重复", "member repeated"),
    "ENROLLED_IN_OTHER_UNIT": ("已在他单位参保", "enrolled elsewhere"),
    "JOIN_DATE_OUTSIDE_TERM": ("增员日期不在期内", "join date outside term"),
    "ENGAGEMENT_MONTHS_MISSING": ("缺聘用期限", "engagement term missing"),
    "INELIGIBLE_TEMPORARY": ("临时职工不属保障对象", "temporary: not eligible"),
    "RENEWAL_DATE_ADJUSTED": ("续保生效日已调整", "renewal date adjusted"),
    "BACKDATED_EFFECTIVE_DATE": ("生效日期倒签", "backdated"),
    "EFFECTIVE_DATE_FAR_AHEAD": ("生效日期过远", "effective date far ahead"),
    "TERM_ALREADY_ENDED": ("履约期已结束", "term already ended"),
    "JOIN_DATE_ADJUSTED": ("保障起始日已调整", "cover start adjusted"),
    "RATIO_BELOW_MIN": ("参保人数不足", "too few enrolled"),
    "RATIO_UNREACHABLE": ("名册人数不够达标", "roster cannot reach the ratio"),
    "NOT_ALL_ENROLLED": ("小单位须全员参保", "small unit: all must join"),
    "TOO_MANY_MEMBERS": ("参保人数多于总数", "more members than staff"),
    "ID_REGION_UNKNOWN": ("地区码不存在", "unknown region code"),
    "UNIT_OUTSIDE_AREA": ("单位不在本地区", "unit outside the area"),
}

# The plan's parameters as `policy show` names them (L171): a name, and how its value reads.
# unit: "yuan", "pct" (a number of percent), "ratio" (a fraction), "days", "months", "count",
# "bool"; the table shows the key nowhere.
PARAMS: dict[str, tuple[str, str, str]] = {
    "min_ratio": ("最低参保比例", "minimum share of staff enrolled", "ratio"),
    "small_unit_below": ("小单位：从业人员少于", "small unit: fewer staff than", "count"),
    "small_unit_ratio": ("小单位参保比例", "small unit share enrolled", "ratio"),
    "temporary_min_months_exclusive": (
        "临时职工聘用期须超过",
        "temporaries must be engaged for more than",
        "months",
    ),
    "contribution_per_member": ("每人互助金", "contribution per member", "yuan"),
    "individual_share_default_pct": ("个人分担比例（默认）", "individual share (default)", "pct"),
    "individual_share_max_pct": ("个人分担比例上限", "individual share at most", "pct"),
    "deductible_payroll_pct": ("税前扣除：工资总额的", "deductible: share of payroll", "pct"),
    "term_months": ("保障期", "term", "months"),
    "renewal_grace_days": ("续保宽限期", "renewal grace", "days"),
    "effective_date_max_days_ahead": (
        "生效日期最多晚于受理日",
        "effective date at most after the received day",
        "days",
    ),
    "start_day_counts": ("生效当日计入保障期", "the first day counts as a day of cover", "bool"),
    "exemption_last_day": ("免责期至保障第", "exemption period up to day", "day"),
    "reduced_last_day": ("减责期至保障第", "reduced period up to day", "day"),
    "reduced_pct": ("减责期给付比例", "share paid in the reduced period", "pct"),
    "consolation_amount": ("免责期慰问金", "consolation in the exemption period", "yuan"),
    "class1_amount": ("第一类病种给付", "class 1 disease benefit", "yuan"),
    "class2_amount": ("第二类病种给付", "class 2 disease benefit", "yuan"),
    "same_disease_cap": ("同一病种年度限额", "yearly cap per disease", "yuan"),
    "death_amount": ("意外身故给付", "accidental death benefit", "yuan"),
    "death_within_months": ("事故后身故期限", "death within, after the accident", "months"),
    "accident_cap": ("意外年度累计限额", "yearly accident cap", "yuan"),
    "opening_balance": ("基金期初余额", "fund opening balance", "yuan"),
}


def param_name(key: str, lang: str) -> str:
    """A parameter's name in words; an unknown key (a newer parameter file) in its own
    words, underscores as spaces, so the table never prints a bare identifier."""
    zh, en, _ = PARAMS.get(key, (key.replace("_", " "), key.replace("_", " "), ""))
    return zh if lang == "zh" else en


def param_value(key: str, value: object, lang: str) -> str:
    """A parameter's value as a clerk reads it: 80%, 2000元, 20日, 是/否 (L171)."""
    zh = lang == "zh"
    unit = PARAMS.get(key, ("", "", ""))[2]
    if isinstance(value, bool) or unit == "bool":
        return ("是" if value else "否") if zh else ("yes" if value else "no")
    if value is None:
        return "—"
    if unit == "ratio" and isinstance(value, int | float):
        return f"{value * 100:g}%"
    if unit == "pct":
        return f"{value}%"
    if unit == "yuan":
        return f"{value}元" if zh else f"{value} yuan"
    if unit == "days":
        return f"{value}日" if zh else f"{value} days"
    if unit == "day":
        return f"{value}日" if zh else f"{value}"
    if unit == "months":
        return f"{value}个月" if zh else f"{value} months"
    return str(value)


def shown(value: object, lang: str) -> str:
    """Any value a table cell shows, never a Python literal: None is a dash, a bool is
    是/否 (yes/no), the rest as text (L172)."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    return str(value)


# The claims template's columns (aidctl/intake/claims.py, CLAIMS), as a sentence names them:
# the zh word is the template's own header, so the clerk finds the cell (L176).
CLAIM_FIELDS: dict[str, tuple[str, str]] = {
    "claim_id": ("理赔编号", "claim id"),
    "id_number": ("身份证号", "id number"),
    "name": ("姓名", "name"),
    "unit_code": ("单位编码", "unit code"),
    "claim_type": ("申请类型", "claim type"),
    "disease": ("病种", "disease"),
    "diagnosis_code": ("诊断编码", "diagnosis code"),
    "diagnosis_date": ("确诊日期", "diagnosis date"),
    "accident_date": ("事故日期", "accident date"),
    "disability_grade": ("伤残等级", "disability grade"),
    "treatment_end_date": ("治疗终结日期", "treatment end date"),
    "death_date": ("死亡日期", "death date"),
    "brave_act": ("见义勇为", "brave act"),
    "exclusion": ("除外情形", "exclusion"),
    "preexisting_undisclosed": ("既往症未告知", "pre-existing undisclosed"),
    "fraud": ("欺诈", "fraud"),
    "note": ("备注", "note"),
}


def field_words(keys: str | None, lang: str) -> str:
    """Comma-separated field keys as the template's headers: "事故日期、伤残等级"."""
    names = [word(CLAIM_FIELDS, k.strip(), lang) for k in (keys or "").split(",") if k.strip()]
    return ("、" if lang == "zh" else ", ").join(names)
