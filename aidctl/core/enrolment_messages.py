"""Texts of the enrolment findings added or reworded for D5, D6, E2, E3 and E6: (zh, en).

Kept beside `core/messages.py` (the claims engineer's) so that the two can change in
parallel; `reports/findings_text.py` and `intake/messages.py` lay these over it. A value
with several figures is `|`-separated: `{v1}`, `{v2}` … are its parts (`{value}` is all of
it). Every figure comes from the roster or the parameters in force — no plan figure is
written into a sentence — and every sentence says what to do next.
"""

ENROLMENT_MESSAGES: dict[str, tuple[str, str]] = {
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
        "可由尚未参保的正式、合同职工或聘用期超过一年的临时职工补足",
        "{v1} enrolled of {v2} staff: {v5}% of all staff, {v4} members, is required (A1.3); "
        "{v3} more are needed, from formal or contract staff or temporaries engaged for "
        "more than a year who are not yet enrolled",
    ),
    "RATIO_UNREACHABLE": (
        "参保{v1}人，从业人员{v2}人：须达到全体从业人员的{v5}%即{v4}人（A1.3）。聘用期不超过"
        "一年的{v7}名临时职工不能参保，却计入从业人员总数，名册其余职工全部参保也只有{v8}人，"
        "仍差{v3}人；只能由名册以外的正式、合同职工或聘用期超过一年的临时职工补足，"
        "请核对从业人员总数和名册",
        "{v1} enrolled of {v2} staff: {v5}% of all staff, {v4} members, is required (A1.3). "
        "The {v7} temporaries engaged for a year or less cannot join but count in the total, "
        "so even everyone else on the roster makes only {v8}; {v3} more are needed, only from "
        "formal or contract staff or temporaries engaged for more than a year who are not on "
        "the roster. Check the staff total and the roster",
    ),
    "NOT_ALL_ENROLLED": (
        "参保{v1}人：从业人员不足{v6}人的单位，除名册所列{v7}名不属保障对象的职工外须全部参加"
        "（{v2}人中须{v4}人，A1.4），还需增加{v3}人；可由尚未参保的正式、合同职工或聘用期"
        "超过一年的临时职工补足",
        "{v1} enrolled: a unit of fewer than {v6} staff must enrol everyone except the {v7} "
        "ineligible staff the roster lists ({v4} of {v2}, A1.4); {v3} more are needed, from "
        "formal or contract staff or temporaries engaged for more than a year who are not yet "
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
        "统一社会信用代码的登记管理机关地区码{value}不在连云港地区（3207），请核对单位是否属"
        "本计划范围（A1.1）；仅提示",
        "the credit code's region part {value} is not in Lianyungang (3207): check that the "
        "unit belongs to the plan (A1.1); warning only",
    ),
}
