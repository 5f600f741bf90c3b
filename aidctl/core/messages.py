"""Texts of the core's finding and reason codes: (zh, en).

Enrolment findings take `{value}` (the offending value or the figures) and `{column}`.
Claim reasons are short labels; the full sentence with its figures is built by
`aidctl.reports.explain` from the decision's figures.
"""

MESSAGES: dict[str, tuple[str, str]] = {
    # ---- enrolment (A1, A4, E1–E5)
    "MISSING_FIELD": ("必填项“{column}”为空", "required field '{column}' is empty"),
    "INVALID_TOTAL_STAFF": (
        "从业人员总数须大于0（{value}）",
        "total staff must be above 0 ({value})",
    ),
    "DUPLICATE_UNIT": (
        "单位编码在本文件中重复（{value}）",
        "unit code appears twice in this file ({value})",
    ),
    "INVALID_CREDIT_CODE": (
        "统一社会信用代码校验不通过（{value}，GB 32100）",
        "not a valid unified social credit code ({value}, GB 32100)",
    ),
    "INVALID_SHARE": (
        "个人分担比例须在0–100之间（{value}）",
        "individual share must be 0–100 ({value})",
    ),
    "INDIVIDUAL_SHARE_ABOVE_20": (
        "个人分担比例{value}%高于20%（A4.2：单位与个人原则上按8:2分担）",
        "individual share {value}% is above 20% (A4.2: unit and member share 8:2 in principle)",
    ),
    "INVALID_PAYROLL": (
        "工资总额不能为负数（{value}）",
        "total payroll cannot be negative ({value})",
    ),
    "OVERLAPS_EXISTING_CONTRACT": (
        "生效日期{value}与登记库中该单位已有的履约单期间重叠",
        "effective date {value} overlaps a contract of this unit already in the register",
    ),
    "UNKNOWN_UNIT": (
        "单位编码{value}不在参保单位表中",
        "unit code {value} is not on the units sheet",
    ),
    "INVALID_ID": (
        "身份证号无效（{value}）：请核对位数、校验码和出生日期",
        "invalid id number ({value}): check its length, check digit and birth date",
    ),
    "DUPLICATE_MEMBER": (
        "同一单位内身份证号重复，只计一次",
        "the same id twice in one unit; counted once",
    ),
    "ENROLLED_IN_OTHER_UNIT": (
        "此人已在单位{value}参保，不能重复参保",
        "already enrolled with unit {value}; cannot be enrolled twice",
    ),
    "JOIN_DATE_OUTSIDE_TERM": (
        "增员日期{value}不在单位履约单期间内",
        "join date {value} is outside the unit's contract term",
    ),
    "ENGAGEMENT_MONTHS_MISSING": (
        "临时职工须填写聘用期限（月）",
        "temporary staff need the engagement term in months",
    ),
    "INELIGIBLE_TEMPORARY": (
        "临时职工聘用期{value}个月，未超过一年，不属保障对象（A1.1）",
        "temporary staff engaged for {value} months, not more than one year: not eligible (A1.1)",
    ),
    "ID_REGION_UNKNOWN": (
        "身份证地区码{value}不在现行行政区划中（可能为旧区划码），仅提示",
        "region code {value} is not in the current list (possibly an older code); warning only",
    ),
    "RATIO_BELOW_MIN": (
        "参保人数{value}：未达到全体从业人员的80%（A1.3）",
        "enrolled/staff/short {value}: below 80% of all staff (A1.3)",
    ),
    "NOT_ALL_ENROLLED": (
        "参保人数{value}：从业人员不足30人的单位须100%参加（A1.4）",
        "enrolled/staff/short {value}: units under 30 staff must enrol everyone (A1.4)",
    ),
    "TOO_MANY_MEMBERS": (
        "参保人数{value}：参保人数多于从业人员总数",
        "enrolled/staff/short {value}: more members than staff",
    ),
    # ---- claims (rules.md steps 1–10, docs/decisions.md)
    "DUPLICATE_CLAIM_ID": (
        "理赔编号在本文件中重复，以首行为准",
        "claim id repeated in this file; the first row counts",
    ),
    "DATE_AFTER_AS_OF": (
        "{value}晚于审核日，请核对日期或在该日之后再提交",
        "{value} is after the as-of day: check the date, or send the claim again after it",
    ),
    "ALREADY_DECIDED": (
        "此前已处理，本次不再支付",
        "decided in an earlier run; nothing new is paid",
    ),
    "CLAIM_CONFLICT": (
        "此前已处理，但本行内容已改变，请人工核查",
        "decided earlier but this row's content has changed; needs review",
    ),
    "POSSIBLE_DUPLICATE": (
        "与此前一件申请的人员、类型、病种/等级和日期相同，疑似重复",
        "same person, type, disease/grade and date as an earlier claim: possible duplicate",
    ),
    "SAME_ACCIDENT_REGRADE": (
        "同一事故已按申请{value}给付，一次事故只评定一个伤残等级（A5.3）；请人工核定是否为重新评定、"
        "是否补付差额",
        "the same accident was already paid under claim {value}; one accident has one grade "
        "(A5.3): a person decides whether this is a re-assessment and pays the difference",
    ),
    "NO_COVERAGE": ("出险日不在此人的保障期内", "no cover for this person on the event date"),
    "NAME_MISMATCH": (
        "姓名与登记不符（登记为{value}）",
        "name differs from the register ({value})",
    ),
    "UNIT_MISMATCH": ("单位编码与登记不符", "unit code differs from the register"),
    "EXCLUDED_FRAUD": (
        "隐瞒、伪造病历或其他欺诈行为，不予给付（A6.2）",
        "concealment, forgery or fraud: not paid (A6.2)",
    ),
    "EXCLUDED_PREEXISTING": (
        "首次参保前已患可直接导致保障事件的疾病且未告知，不予给付（A6.1）",
        "undisclosed illness from before first enrolment: not paid (A6.1)",
    ),
    "CONFLICTING_FACTS": (
        "见义勇为与斗殴或犯罪同时出现，需人工核查",
        "a brave act together with fighting or crime: needs review",
    ),
    "EXCLUDED_CAUSE": (
        "属除外情形（{value}），不予给付（A6.3）",
        "excluded cause ({value}): not paid (A6.3)",
    ),
    "AMBIGUOUS_CAUSE": (
        "出险原因“{value}”不能确定是否属除外情形，请人工核实并写明原因",
        "the cause '{value}' may or may not be excluded: a person checks it and writes the cause",
    ),
    "DISEASE_NOT_LISTED": (
        "不属27种保障病种（{value}），不予给付（A3.1）",
        "not one of the 27 listed diseases ({value}): not paid (A3.1)",
    ),
    "AMBIGUOUS_DISEASE": (
        "诊断可能是{value}，请补充病历写明后重新提交",
        "the diagnosis may be {value}; add it from the medical record and send again",
    ),
    "UNRECOGNISED_DISEASE": (
        "无法识别诊断“{value}”，请填写方案中的病种名称或其代码（如C1-01）后重新提交",
        "the diagnosis '{value}' is not recognised: write the plan's name of the disease or "
        "its code (e.g. C1-01) and send again",
    ),
    "RELATED_DISEASE_REVIEW": (
        "此前申请{value}在等待期内确诊，与本病种可能相关（A5.2a），请人工核定是否属同一病种或相关手术",
        "earlier claim {value} was diagnosed in a waiting period and may be related (A5.2a): "
        "a person decides whether it is the same disease or a related operation",
    ),
    "DISEASE_PAID_IN_EARLIER_TERM": (
        "该病种已在以前保障期内给付，续保后不再保障（A5.2c）",
        "this disease was paid in an earlier term; not covered again after renewal (A5.2c)",
    ),
    "DISEASE_EXCLUDED_AFTER_WAITING": (
        "该病种或相关病种已在免责期/减责期内确诊，此后不再保障（A5.2a）",
        "this or a related disease was diagnosed in a waiting period; excluded from then on "
        "(A5.2a)",
    ),
    "CONSOLATION": ("免责期内一次性慰问金", "one-time consolation in the exemption period"),
    "CONSOLATION_ALREADY_PAID": (
        "慰问金已给付过一次（A5.2b）",
        "the consolation was already paid once (A5.2b)",
    ),
    "REDUCED_30": ("减责期内按30%给付", "30% in the reduced-liability period"),
    "FULL_BENEFIT": ("按病种类别足额给付", "full benefit of the disease class"),
    "PARTIAL_CAP": ("达到年度限额，按剩余额度给付", "cut to what the yearly cap leaves"),
    "DISEASE_CAP_REACHED": (
        "同一病种年度累计已达上限（A5.1）",
        "the yearly cap for this disease is reached (A5.1)",
    ),
    "GRADE_NOT_COVERED": ("伤残等级不在1–10级之内（A5.3）", "disability grade outside 1–10 (A5.3)"),
    "TREATMENT_NOT_ENDED": (
        "治疗尚未终结，终结后评定给付（A5.3）",
        "treatment has not ended; paid after it ends (A5.3)",
    ),
    "DISABILITY_GRADE": ("按伤残等级给付", "paid by disability grade"),
    "DEATH_NOT_WITHIN_MONTH": (
        "死亡日期晚于事故后一个月（{value}），不属意外身故（A3.3）",
        "death later than one month after the accident ({value}): not an accidental death (A3.3)",
    ),
    "ACCIDENTAL_DEATH": ("意外身故给付", "accidental death benefit"),
    "ACCIDENT_CAP_REACHED": (
        "本年度意外累计给付已达上限（A5.5）",
        "the yearly accident cap is reached (A5.5)",
    ),
}
