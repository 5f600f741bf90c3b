"""Every text a clerk reads for a finding or reason code: one catalogue, (zh, en) per code.

Codes stay English everywhere; only these texts are translated (`aidctl.i18n` reads this
catalogue and nothing else). Placeholders:

- `{value}` the offending value or the decision's detail, `{column}` the header as written;
  a value with several figures is `|`-separated: `{v1}`, `{v2}` … are its parts;
- the plan's figures, never written into a sentence: `{share_max}`, `{share_split}`,
  `{temp_term}`, `{reduced_pct}`, `{disease_count}`, `{grade_first}`, `{grade_last}`,
  `{death_within}`, `{area_prefix}` — filled by `figures()` from the parameter version in
  force (a decision carries its `policy_version`) and the disease catalogue.

Claim reasons are short labels; the full sentence with its amounts is built by
`aidctl.reports.explain` from the decision's figures. Every pending or rejection says what
to do next.
"""

from __future__ import annotations

from aidctl.core.enrollment import LIANYUNGANG_REGION_PREFIX
from aidctl.plan.params import Policy, PolicyVersion

MESSAGES: dict[str, tuple[str, str]] = {
    # ---- intake (cells as read)
    "INVALID_VALUE": (
        "“{column}”列的值“{value}”无法识别，请按模板填写。",
        "The value '{value}' in column '{column}' cannot be read; fill it in as the template"
        " shows.",
    ),
    "ID_STORED_AS_NUMBER": (
        "“{column}”列的身份证号“{value}”以数字格式保存，末尾几位可能已丢失；"
        "请把该列设为文本格式后重新录入。",
        "The id number '{value}' in column '{column}' was stored as a number, so its last"
        " digits may be lost; set the column to text and type the id again.",
    ),
    "DUPLICATE_HEADER": (
        "表头“{column}”与前面的一列含义相同，已使用前一列，本列被忽略。",
        "The header '{column}' means the same as an earlier column; the earlier column is"
        " used and this one is ignored.",
    ),
    "SHARE_AS_FRACTION": (
        # L183: only a text cell gets here; a number cell below 1 was typed as a percent
        "“{column}”列的文字“{value}”小于 1，已按小数读取（×100，如 0.15 即 15%）；"
        "如本意是 {value}%，请改写为“{value}%”。",
        "The text '{value}' in column '{column}' is below 1 and was read as a fraction"
        " (multiplied by 100: 0.15 is 15%); if {value}% is meant, write '{value}%'.",
    ),
    # ---- enrolment (A1, A4, E1–E6, D5, D6)
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
        "个人分担比例{value}%高于{share_max}%（A4.2：单位与个人原则上按{share_split}分担）",
        "individual share {value}% is above {share_max}% (A4.2: unit and member share {share_split} in principle)",
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
        "临时职工聘用期{value}个月，未超过{temp_term}，不属保障对象（A1.1）",
        "temporary staff engaged for {value} months, not more than {temp_term}: not eligible (A1.1)",
    ),
    # ---- D5: the day the renewal was done
    "RENEWAL_DATE_ADJUSTED": (
        "续保于{v4}受理，在原履约单到期日（{v3}）后的宽限期内，新履约单自{v2}起连续保障"
        "（D5），所填生效日期{v1}未采用；如确为新参保，请说明后按首次参保办理",
        "renewal received on {v4}, within the grace after the previous contract's expiry "
        "({v3}): the new term runs from {v2} so that cover is continuous (D5); the stated "
        "effective date {v1} was not used. If this is a new enrolment, say so and enrol it "
        "as such",
    ),
    "BACKDATED_EFFECTIVE_DATE": (
        "生效日期{v1}早于名册受理日期{v2}，保障不能倒签（D5）；请将生效日期改为{v2}或以后，"
        "或在“受理日期”栏填写实际受理之日后重新提交",
        "effective date {v1} is before the day the roster was received ({v2}); cover cannot "
        "be backdated (D5). Set the effective date to {v2} or later, or write the real "
        "received day in the received-date column, and send the roster again",
    ),
    "EFFECTIVE_DATE_FAR_AHEAD": (
        "生效日期{v1}比受理日期{v2}晚{v3}天（超过{v4}天），请核对是否填错年份；仅提示",
        "effective date {v1} is {v3} days after the received day {v2} (more than {v4}); "
        "check the year; warning only",
    ),
    "TERM_ALREADY_ENDED": (
        "履约单期间{v1}至{v2}在受理日期{v3}已经结束，不能登记（E6）；请按新的期间重新提交",
        "the contract term {v1} to {v2} had already ended on the received day {v3} and "
        "cannot be enrolled (E6); send the roster again with a current term",
    ),
    # ---- D6: join dates
    "JOIN_DATE_ADJUSTED": (
        "保障起始日{v1}早于名册受理日期，不能倒签，此人自{v2}起保障（D6）；如此人原已在本单位"
        "上一期履约单中，请核对身份证号",
        "cover cannot start on {v1}, before the roster was received: this member is covered "
        "from {v2} (D6). If the member was on the unit's previous contract, check the id "
        "number",
    ),
    # ---- E2: ratio, figures eligible|staff|short|required|percent|threshold|ineligible|reachable
    "RATIO_BELOW_MIN": (
        "参保{v1}人，从业人员{v2}人：须达到全体从业人员的{v5}%即{v4}人（A1.3），还需增加{v3}人；"
        "可由尚未参保的正式、合同职工或聘用期超过{temp_term}的临时职工补足",
        "{v1} enrolled of {v2} staff: {v5}% of all staff, {v4} members, is required (A1.3); "
        "{v3} more are needed, from formal or contract staff or temporaries engaged for "
        "more than {temp_term} who are not yet enrolled",
    ),
    "RATIO_UNREACHABLE": (
        "参保{v1}人，从业人员{v2}人：须达到全体从业人员的{v5}%即{v4}人（A1.3）。聘用期不超过"
        "{temp_term}的{v7}名临时职工不能参保，却计入从业人员总数，名册其余职工全部参保也只有{v8}人，"
        "仍差{v3}人；只能由名册以外的正式、合同职工或聘用期超过{temp_term}的临时职工补足，"
        "请核对从业人员总数和名册",
        "{v1} enrolled of {v2} staff: {v5}% of all staff, {v4} members, is required (A1.3). "
        "The {v7} temporaries engaged for {temp_term} or less cannot join but count in the total, "
        "so even everyone else on the roster makes only {v8}; {v3} more are needed, only from "
        "formal or contract staff or temporaries engaged for more than {temp_term} who are not on "
        "the roster. Check the staff total and the roster",
    ),
    "NOT_ALL_ENROLLED": (
        "参保{v1}人：从业人员不足{v6}人的单位，除名册所列{v7}名不属保障对象的职工外须全部参加"
        "（{v2}人中须{v4}人，A1.4），还需增加{v3}人；可由尚未参保的正式、合同职工或聘用期"
        "超过{temp_term}的临时职工补足",
        "{v1} enrolled: a unit of fewer than {v6} staff must enrol everyone except the {v7} "
        "ineligible staff the roster lists ({v4} of {v2}, A1.4); {v3} more are needed, from "
        "formal or contract staff or temporaries engaged for more than {temp_term} who are not yet "
        "enrolled",
    ),
    "TOO_MANY_MEMBERS": (
        "名册列出{v1}名参保职工，多于从业人员总数{v2}人；请核对从业人员总数或删除重复、"
        "已离职的人员",
        "{v1} members listed, more than the {v2} staff; check the staff total or remove "
        "repeated or departed staff",
    ),
    # ---- E3: people and places
    "ID_REGION_UNKNOWN": (
        "身份证地区码{value}不是任何时期的行政区划代码，请核对身份证号；仅提示",
        "region code {value} has never been an administrative code; check the id number; "
        "warning only",
    ),
    "UNIT_OUTSIDE_AREA": (
        "统一社会信用代码的登记管理机关地区码{value}不在连云港地区（{area_prefix}），请核对单位是否属"
        "本计划范围（A1.1）；仅提示",
        "the credit code's region part {value} is not in Lianyungang ({area_prefix}): check that the "
        "unit belongs to the plan (A1.1); warning only",
    ),
    # ---- claims (docs/rules.md "Deciding a claim", steps 1–10)
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
    "CLAIM_CONFLICT": (  # L135: the way out is written in the sentence
        "此前已处理，但本行内容已改变，请人工核查；若确需按本行重新审核：原为拒付的，用 aidctl"
        " reopen 理赔编号 --reason 原因 重新打开后重新提交；原为给付的，先用 aidctl void 撤销",
        "decided earlier but this row's content has changed; needs review. To have this row"
        " decided instead: a rejection is reopened (aidctl reopen CLAIM_ID --reason …) and the"
        " row sent again; a payment is first voided (aidctl void)",
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
    # L135: a rejection a correction can cure says how (reopen, then send the row again)
    "NO_COVERAGE": (
        "登记库中没有此人在出险日有效的参保记录（从未登记参保，或出险日不在其保障期内）；"
        "请核对身份证号和出险日期；如此人确已随单位参保而名册尚未登记（可能仍在途中），"
        "请单位先报送名册登记，再用 aidctl reopen 理赔编号 --reason 原因 重新打开本理赔，并重新提交该行",
        "the register holds no cover for this person on the event date (never enrolled, or "
        "the day is outside their cover); check the id number and the date; if the member "
        "was enrolled with a unit whose roster is not enrolled yet (it may be on its way), "
        "enrol the roster, reopen the claim (aidctl reopen CLAIM_ID --reason …) and send the "
        "row again",
    ),
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
        "不属{disease_count}种保障病种（{value}），不予给付（A3.1）；若诊断填写有误，"
        "请更正诊断，用 aidctl reopen 理赔编号 --reason 原因 重新打开本理赔后重新提交该行",
        "not one of the {disease_count} listed diseases ({value}): not paid (A3.1); if the"
        " diagnosis was written wrongly, correct it, reopen the claim (aidctl reopen CLAIM_ID"
        " --reason …) and send the row again",
    ),
    "AMBIGUOUS_DISEASE": (
        "诊断可能是{value}；请按病历在“病种”栏写明，或在“诊断编码”栏填写病种代码后重新提交",
        "the diagnosis may be {value}; write it in the disease column as the medical record "
        "says, or put the disease's code in the diagnosis-code column, and send again",
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
    "REDUCED_30": (
        "减责期内按{reduced_pct}%给付",
        "{reduced_pct}% in the reduced-liability period",
    ),
    "FULL_BENEFIT": ("按病种类别足额给付", "full benefit of the disease class"),
    "PARTIAL_CAP": ("达到年度限额，按剩余额度给付", "cut to what the yearly cap leaves"),
    "DISEASE_CAP_REACHED": (
        "同一病种年度累计已达上限（A5.1）",
        "the yearly cap for this disease is reached (A5.1)",
    ),
    "GRADE_NOT_COVERED": (
        "伤残等级不在{grade_first}–{grade_last}级之内（A5.3）",
        "disability grade outside {grade_first}–{grade_last} (A5.3)",
    ),
    "TREATMENT_NOT_ENDED": (
        "治疗尚未终结，终结后评定给付（A5.3）",
        "treatment has not ended; paid after it ends (A5.3)",
    ),
    "DISABILITY_GRADE": ("按伤残等级给付", "paid by disability grade"),
    "DEATH_NOT_WITHIN_MONTH": (
        "死亡日期晚于事故后{death_within}（{value}），不属意外身故（A3.3）",
        "death later than {death_within} after the accident ({value}): not an accidental death (A3.3)",
    ),
    "ACCIDENTAL_DEATH": ("意外身故给付", "accidental death benefit"),
    "ACCIDENT_CAP_REACHED": (
        "本年度意外累计给付已达上限（A5.5）",
        "the yearly accident cap is reached (A5.5)",
    ),
    # ---- open items and reopens (issue 11: L130–L135)
    "REOPENED": (
        "已重新打开（原拒付：{value}），请更正后重新提交该理赔行，将重新审核（L134）",
        "reopened (rejected before: {value}); send the claim's corrected row again to have it"
        " decided afresh (L134)",
    ),
    "CLAIM_MISSING_FIELD": (
        "以下必填项为空：{value}；请填写后重新提交",
        "these required fields are empty: {value}; fill them in and send again",
    ),
    "CLAIM_INVALID_VALUE": (
        "以下栏目无法识别：{value}；请按模板的格式更正后重新提交",
        "these cells cannot be read: {value}; correct them as the template shows and send again",
    ),
    # ---- contributions received (the fund, L111); the other rows of the file are recorded
    "RECEIPT_MISSING_FIELD": (
        "必填项“{column}”为空，本笔未入账；请补齐后把这一行重新提交",
        "required field '{column}' is empty; this receipt was not recorded: complete it and"
        " send the row again",
    ),
    "RECEIPT_UNKNOWN_UNIT": (
        "单位编码“{value}”不在登记库中，本笔未入账；请核对单位编码（须与参保名册一致）后重新提交",
        "unit code '{value}' is not in the register; this receipt was not recorded: check the"
        " code against the unit's roster and send the row again",
    ),
    "RECEIPT_NEGATIVE_AMOUNT": (
        "金额为负数（{value}），本笔未入账；退款请另行处理，更正后重新提交",
        "the amount is negative ({value}); this receipt was not recorded: refunds are handled"
        " apart — correct the row and send it again",
    ),
    "RECEIPT_AMOUNT_NOT_WHOLE_YUAN": (
        "金额“{value}”不是整元，本笔未入账；互助金以元计，请核对后重新提交",
        "the amount '{value}' is not whole yuan; this receipt was not recorded: contributions"
        " are whole yuan — check it and send the row again",
    ),
    "RECEIPT_DUPLICATE_REFERENCE": (
        "凭证号“{value}”在本文件中重复，仅第一行入账；如确为两笔，请给每笔不同的凭证号",
        "reference '{value}' appears twice in this file; only its first row was recorded: if"
        " these are two receipts, give each its own reference",
    ),
    "RECEIPT_REFERENCE_RECORDED": (
        "凭证号“{value}”已入账，本行未重复入账；如为另一笔，请使用其本身的凭证号",
        "reference '{value}' is already recorded; this row was not recorded again: if it is"
        " another receipt, use its own reference",
    ),
    "RECEIPT_DATE_AFTER_AS_OF": (
        "到账日期{value}晚于处理日期，本笔未入账；请核对日期",
        "the received date {value} is after the as-of day; this receipt was not recorded:"
        " check the date",
    ),
}

_YEAR = {12: ("一年", "one year")}
_MONTH = {1: ("一个月", "one month")}


def _months(n: int, named: dict[int, tuple[str, str]], lang: str) -> str:
    zh, en = named.get(n, (f"{n}个月", f"{n} months"))
    return zh if lang == "zh" else en


def _number(x: float) -> str:
    return f"{x:g}"


def figures(
    policy: Policy, version: PolicyVersion | None = None, lang: str = "zh"
) -> dict[str, str]:
    """The plan's figures a sentence shows, from `version` (the one in force for the claim
    or unit; the latest when None) and the policy's disease catalogue."""
    v = version or policy.latest
    share_max = float(v.individual_share_max_pct)
    grades = sorted(v.disability)
    return {
        "share_max": _number(share_max),
        "share_split": f"{_number((100 - share_max) / 10)}:{_number(share_max / 10)}",
        "temp_term": _months(int(v.temporary_min_months_exclusive), _YEAR, lang),
        "reduced_pct": _number(float(v.reduced_pct)),
        "disease_count": str(len(policy.catalogue.diseases)),
        "grade_first": str(grades[0]),
        "grade_last": str(grades[-1]),
        "death_within": _months(int(v.death_within_months), _MONTH, lang),
        "area_prefix": LIANYUNGANG_REGION_PREFIX,
    }


def fill_figures(template: str, values: dict[str, str]) -> str:
    """`template` with the plan's figures filled in; every other placeholder left as it is
    (`{value}`, `{column}`, `{v1}` … are filled later, row by row)."""
    for key, text in values.items():
        template = template.replace("{" + key + "}", text)
    return template


def catalogue(lang: str, policy: Policy, version: PolicyVersion | None = None) -> dict[str, str]:
    """code -> template in one language, with the figures of `version` filled in."""
    index = 0 if lang == "zh" else 1
    values = figures(policy, version, lang)
    return {code: fill_figures(texts[index], values) for code, texts in MESSAGES.items()}


# ---- the batch's file list (batch-RUN.xlsx, L192): what became of each inbox file, in words
BATCH_FILE_NOTES: dict[str, tuple[str, str]] = {
    # a file whose content (SHA-256) the register already knows: only archived (10.3)
    "archived": (
        "同一文件（内容相同）此前已处理，本次只归档，未重复登记或给付；无需处理。",
        "The same file (the same content) was processed before; this run only archived it,"
        " nothing was recorded or paid twice. Nothing to do.",
    ),
    # a file committed by a batch run that was interrupted before it archived the file
    "recovered": (
        "本文件已由一次中断的批处理登记，本次只归档，未重复登记或给付。",
        "A batch run that was interrupted had already recorded this file; this run only"
        " archived it, nothing was recorded or paid twice.",
    ),
    # L142: an enrolled unit's member rows refused; {count} is how many
    "members_refused": (
        "{count} 名人员未予登记，尚无保障：请按名册批注副本中的问题说明，由单位更正后重新报送。",
        "Member rows not enrolled: {count}; those people have no cover yet. Have the unit"
        " correct them as the roster's annotated copy says and send them again.",
    ),
}
