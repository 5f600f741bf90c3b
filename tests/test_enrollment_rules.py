"""Enrolment rules at their boundaries (A1.1, A1.3, A1.4, A4, E1–E5, D3, D5, D6)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from builders import make_id, members_frame, unit_with_members, units_frame

from aidctl.core.enrollment import (
    EXISTING_CONTRACTS_SCHEMA,
    EXISTING_SPELLS_SCHEMA,
    check_enrollment,
)
from aidctl.intake.units import known_region_codes
from aidctl.plan import load_policy

AS_OF = dt.date(2026, 11, 28)
POLICY = load_policy()


def _no_contracts() -> pl.DataFrame:
    return pl.DataFrame(schema={**EXISTING_CONTRACTS_SCHEMA, "first_time": pl.Boolean})


def _no_spells() -> pl.DataFrame:
    return pl.DataFrame(schema=EXISTING_SPELLS_SCHEMA)


def check(units, members, contracts=None, spells=None, **options):
    return check_enrollment(
        units_frame(units),
        members_frame(members),
        _no_contracts() if contracts is None else contracts,
        _no_spells() if spells is None else spells,
        POLICY,
        AS_OF,
        "units.xlsx",
        region_codes=known_region_codes(),
        **options,
    )


def unit_row(result, code: str) -> dict:
    return result.units.filter(pl.col("unit_code") == code).row(0, named=True)


@pytest.mark.parametrize(
    ("staff", "enrolled", "status", "shortfall", "reason"),
    [
        (30, 24, "compliant", 0, None),  # A1.3: 24/30 = 80% passes
        (30, 23, "non_compliant", 1, "RATIO_BELOW_MIN"),  # A1.3: 23/30 fails, one short
        (29, 29, "compliant", 0, None),  # A1.4: under 30 staff, 100% required
        (29, 28, "non_compliant", 1, "NOT_ALL_ENROLLED"),  # A1.4: 28/29 fails
        (200, 159, "non_compliant", 1, "RATIO_BELOW_MIN"),  # A1.3: 79.5% fails
        (200, 160, "compliant", 0, None),  # A1.3: exactly 80%
        (1000, 799, "non_compliant", 1, "RATIO_BELOW_MIN"),  # A1.3: 79.9% vs 80%
        (1000, 800, "compliant", 0, None),
        (1, 1, "compliant", 0, None),  # A1.4: a one-person unit
    ],
)
def test_ratio_boundaries_a1_3_a1_4_e2(staff, enrolled, status, shortfall, reason):
    u, m = unit_with_members("U1", staff, enrolled)
    r = unit_row(check([u], m), "U1")
    assert r["status"] == status
    assert r["shortfall"] == shortfall
    assert (reason in r["reasons"]) if reason else r["reasons"] == []


def test_more_enrolled_than_staff_is_invalid_e2():
    u, m = unit_with_members("U1", 10, 11)
    r = unit_row(check([u], m), "U1")
    assert r["status"] == "invalid"
    assert "TOO_MANY_MEMBERS" in r["reasons"]


@pytest.mark.parametrize(
    ("months", "eligible", "code"), [(12, 4, "INELIGIBLE_TEMPORARY"), (13, 5, None)]
)
def test_temporary_staff_need_more_than_twelve_months_a1_1_e1(months, eligible, code):
    u, m = unit_with_members("U1", 5, 5)
    m[0].update(employment_type="temporary", engagement_months=months)
    result = check([u], m)
    assert unit_row(result, "U1")["eligible"] == eligible
    first = result.members.filter(pl.col("_row") == 2).row(0, named=True)
    assert first["member_code"] == code
    assert first["member_status"] == ("ineligible" if code else "ok")


def test_temporary_without_engagement_months_is_a_finding_e1():
    u, m = unit_with_members("U1", 5, 5)
    m[0].update(employment_type="temporary")
    result = check([u], m)
    assert "ENGAGEMENT_MONTHS_MISSING" in result.findings["code"].to_list()


def test_bad_checksum_rejected_and_not_counted_e3():
    u, m = unit_with_members("U1", 5, 5)
    good = m[0]["id_number"]
    m[0]["id_number"] = good[:-1] + ("0" if good[-1] != "0" else "1")
    result = check([u], m)
    row = result.members.filter(pl.col("_row") == 2).row(0, named=True)
    assert row["member_code"] == "INVALID_ID"
    assert unit_row(result, "U1")["status"] == "non_compliant"  # 4/5 under 30 staff
    finding = result.findings.filter(pl.col("code") == "INVALID_ID").row(0, named=True)
    assert (finding["sheet"], finding["row"], finding["column"], finding["value"]) == (
        "参保职工",
        2,
        "id_number",
        "checksum",
    )


@pytest.mark.parametrize(
    ("id_number", "problem"),
    [
        ("32070619800101001", "length"),  # 17 characters
        ("320706800101001", "length"),  # an old 15-digit id
        ("3207061980010100AX", "format"),
        (make_id(5, birth="19800230")[:-1] + "0", None),  # placeholder replaced below
    ],
)
def test_id_problems_are_named_e3(id_number, problem):
    if problem is None:  # an impossible birth date with a correct check digit
        from stdnum.cn import ric

        body = "32070619800230005"
        id_number, problem = body + ric.calc_check_digit(body + "0"), "birth_date"
    u, m = unit_with_members("U1", 3, 3)
    m[0]["id_number"] = id_number
    result = check([u], m)
    finding = result.findings.filter(pl.col("code") == "INVALID_ID").row(0, named=True)
    assert finding["value"] == problem


def test_duplicate_member_counted_once_e3():
    u, m = unit_with_members("U1", 5, 5)
    m.append(dict(m[1]))
    result = check([u], m)
    assert unit_row(result, "U1")["eligible"] == 5
    assert unit_row(result, "U1")["status"] == "compliant"
    dup = result.members.filter(pl.col("member_code") == "DUPLICATE_MEMBER")
    assert dup["_row"].to_list() == [7]


def test_same_id_in_two_units_counted_in_the_first_only_e3():
    u1, m1 = unit_with_members("U1", 2, 2)
    u2, m2 = unit_with_members("U2", 2, 1, first_id=500)
    m2.append(dict(m1[0], unit_code="U2"))
    result = check([u1, u2], m1 + m2)
    assert unit_row(result, "U1")["eligible"] == 2
    assert unit_row(result, "U2")["eligible"] == 1
    f = result.findings.filter(pl.col("code") == "ENROLLED_IN_OTHER_UNIT").row(0, named=True)
    assert (f["unit_code"], f["value"]) == ("U2", "U1")


def test_same_id_covered_by_another_unit_in_the_register_e3():
    u, m = unit_with_members("U1", 2, 2)
    spells = pl.DataFrame(
        [
            {
                "id_number": m[0]["id_number"],
                "unit_code": "OTHER",
                "contract_no": "K9",
                "spell_start": dt.date(2025, 6, 1),
                "term_end": dt.date(2026, 5, 31),
            }
        ],
        schema=EXISTING_SPELLS_SCHEMA,
    )
    result = check([u], m, spells=spells)
    row = result.members.filter(pl.col("_row") == 2).row(0, named=True)
    assert row["member_code"] == "ENROLLED_IN_OTHER_UNIT"


@pytest.mark.parametrize("region", ["320703", "320706", "320707", "320722", "320723", "320724"])
@pytest.mark.parametrize("birth", ["19400101", "19600101", "19850101", "20000101"])
def test_lianyungang_region_codes_never_warn_whatever_the_birth_year_e3(region, birth):
    """E3, L58: a code is checked against every code that ever existed, not the birth
    year's."""
    u, m = unit_with_members("U1", 1, 1)
    m[0]["id_number"] = make_id(1, region=region, birth=birth)
    result = check([u], m)
    assert unit_row(result, "U1")["status"] == "compliant"
    assert result.findings.filter(pl.col("code") == "ID_REGION_UNKNOWN").height == 0


def test_old_abolished_codes_do_not_warn_e3():
    """E3, L58: 320705 (新浦区, abolished 2014) and 320702 (新海区, 1983–1986) are valid."""
    u, m = unit_with_members("U1", 2, 2)
    m[0]["id_number"] = make_id(1, region="320705", birth="19900101")
    m[1]["id_number"] = make_id(2, region="320702", birth="19600101")
    assert check([u], m).findings.filter(pl.col("code") == "ID_REGION_UNKNOWN").height == 0


def test_a_code_that_never_existed_is_a_warning_only_e3():
    """L58: a region code that never existed is a warning only."""
    u, m = unit_with_members("U1", 1, 1)
    m[0]["id_number"] = make_id(1, region="329999", birth="19800101")
    result = check([u], m)
    assert unit_row(result, "U1")["status"] == "compliant"
    f = result.findings.filter(pl.col("code") == "ID_REGION_UNKNOWN").row(0, named=True)
    assert (f["severity"], f["value"]) == ("warning", "329999")


def test_contributions_and_shares_a4_e4():
    u, m = unit_with_members("U1", 10, 10, individual_share_pct=15.0, total_payroll=30000.0)
    r = unit_row(check([u], m), "U1")
    assert r["contribution_total"] == 1000  # A4.1: 10 × 100
    assert r["individual_share"] == 150
    assert r["unit_share"] == 850
    assert r["deductible"] == 850  # A4.3: min(850, 5% × 30000 = 1500)
    u, m = unit_with_members("U2", 10, 10, total_payroll=10000.0)
    r = unit_row(check([u], m), "U2")
    assert (r["individual_share"], r["unit_share"], r["deductible"]) == (200, 800, 500)


def test_individual_share_above_twenty_is_a_warning_a4_2_e4():
    u, m = unit_with_members("U1", 3, 3, individual_share_pct=25.0)
    result = check([u], m)
    assert unit_row(result, "U1")["status"] == "compliant"
    f = result.findings.filter(pl.col("code") == "INDIVIDUAL_SHARE_ABOVE_20").row(0, named=True)
    assert f["severity"] == "warning"


def test_term_of_a_contract_effective_on_29_february_d3():
    u, m = unit_with_members("U1", 1, 1, effective=dt.date(2024, 2, 29))
    result = check([u], m)
    c = result.contracts.row(0, named=True)
    assert (c["term_start"], c["term_end"]) == (dt.date(2024, 2, 29), dt.date(2025, 2, 28))
    u, m = unit_with_members("U2", 1, 1, effective=dt.date(2025, 7, 1))
    assert check([u], m).contracts["term_end"].to_list() == [dt.date(2026, 6, 30)]


def _previous(code: str, end: dt.date) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "contract_no": "OLD",
                "unit_code": code,
                "term_start": dt.date(end.year - 1, end.month, end.day) + dt.timedelta(days=1),
                "term_end": end,
                "first_time": True,
            }
        ],
        schema={**EXISTING_CONTRACTS_SCHEMA, "first_time": pl.Boolean},
    )


@pytest.mark.parametrize(("gap", "first_time"), [(20, False), (21, True)])
def test_renewal_within_twenty_days_of_expiry_a7_1_d5(gap, first_time):
    expiry = dt.date(2025, 12, 31)
    u, m = unit_with_members("U1", 1, 1, effective=expiry + dt.timedelta(days=gap))
    result = check([u], m, contracts=_previous("U1", expiry))
    assert result.contracts["first_time"].to_list() == [first_time]


@pytest.mark.parametrize(("gap", "first_time"), [(20, False), (21, True)])
def test_member_first_time_by_earlier_cover_in_any_unit_d6(gap, first_time):
    """L23: an earlier spell in the register ending 20 days before continues the cover; 21
    days before, the member is first-time."""
    expiry = dt.date(2025, 12, 31)
    u, m = unit_with_members("U1", 1, 1, effective=expiry + dt.timedelta(days=gap))
    spells = pl.DataFrame(
        [
            {
                "id_number": m[0]["id_number"],
                "unit_code": "OTHER",
                "contract_no": "K0",
                "spell_start": dt.date(2025, 1, 1),
                "term_end": expiry,
            }
        ],
        schema=EXISTING_SPELLS_SCHEMA,
    )
    result = check([u], m, spells=spells)
    assert result.spells["first_time"].to_list() == [first_time]


def test_join_date_starts_the_members_spell_d6():
    u, m = unit_with_members("U1", 2, 2, effective=dt.date(2026, 1, 1))
    m[1]["join_date"] = dt.date(2026, 3, 15)
    result = check([u], m)
    spells = result.spells.sort("spell_start")
    assert spells["spell_start"].to_list() == [dt.date(2026, 1, 1), dt.date(2026, 3, 15)]
    assert spells["term_end"].to_list() == [dt.date(2026, 12, 31)] * 2


def test_join_date_outside_the_term_is_rejected():
    u, m = unit_with_members("U1", 2, 2, effective=dt.date(2026, 1, 1))
    m[1]["join_date"] = dt.date(2027, 1, 1)
    result = check([u], m)
    assert "JOIN_DATE_OUTSIDE_TERM" in result.members["member_code"].to_list()


@pytest.mark.parametrize(
    ("join_date", "rejected"),
    [
        (dt.date(2025, 12, 31), True),  # the day before the effective date
        (dt.date(2026, 1, 1), False),  # the effective date
        (dt.date(2026, 12, 31), False),  # the term's last day
        (dt.date(2027, 1, 1), True),  # the day after the term end
    ],
)
def test_join_date_outside_the_term_boundaries_l22(join_date, rejected):
    """L22: a join date before the effective date or after the term end is rejected; on
    either end of the term it is kept."""
    u, m = unit_with_members("U1", 2, 2, effective=dt.date(2026, 1, 1))
    m[1]["join_date"] = join_date
    result = check([u], m)
    codes = result.members.filter(pl.col("id_number") == m[1]["id_number"])["member_code"]
    assert ("JOIN_DATE_OUTSIDE_TERM" in codes.to_list()) is rejected
    starts = result.spells.filter(pl.col("id_number") == m[1]["id_number"])["spell_start"]
    assert starts.to_list() == ([] if rejected else [join_date])


def test_non_compliant_unit_records_nothing_e5():
    u1, m1 = unit_with_members("U1", 30, 23)
    u2, m2 = unit_with_members("U2", 2, 2, first_id=700)
    result = check([u1, u2], m1 + m2)
    assert result.contracts["unit_code"].to_list() == ["U2"]
    assert set(result.spells["unit_code"].to_list()) == {"U2"}


def test_missing_and_unreadable_unit_fields_make_the_unit_invalid():
    """L20: a missing or unreadable required unit cell makes the unit invalid."""
    u, m = unit_with_members("U1", 2, 2)
    u["effective_date"] = None
    u["_bad_fields"] = "effective_date"
    u2, m2 = unit_with_members("U2", 2, 2, first_id=300)
    u2["unit_name"] = None
    result = check([u, u2], m + m2)
    assert unit_row(result, "U1")["status"] == "invalid"
    assert "INVALID_VALUE" in unit_row(result, "U1")["reasons"]
    assert "MISSING_FIELD" in unit_row(result, "U2")["reasons"]


def test_invalid_credit_code_gb_32100():
    """L20: an 18-character unit code failing GB 32100 makes the unit invalid."""
    u, m = unit_with_members("91320700MA1XXXXXX0", 1, 1)
    assert unit_row(check([u], m), "91320700MA1XXXXXX0")["status"] == "invalid"


def test_unknown_unit_only_for_codes_not_on_the_units_sheet():
    u, m = unit_with_members("U1", 2, 2)
    u["effective_date"] = None
    u["_bad_fields"] = "effective_date"
    stray = {"unit_code": "NOPE", "id_number": make_id(900), "name": "外单位"}
    result = check([u], [*m, stray])
    codes = result.findings.filter(pl.col("code") == "UNKNOWN_UNIT")
    assert codes["row"].to_list() == [4]  # the stray member only, not U1's members
    assert unit_row(result, "U1")["status"] == "invalid"
    assert result.contracts.height == 0


def changed_policy(tmp_path) -> object:
    """The bundled parameters with other figures: min_ratio 0.85, consolation 2500, class-2
    5500, reduced period 25%, a share of at most 25%, temporaries of more than 18 months."""
    from aidctl.plan.params import default_policy_path

    text = default_policy_path().read_text(encoding="utf-8")
    for old, new in (
        ("min_ratio = { value = 0.80", "min_ratio = { value = 0.85"),
        ("consolation_amount = { value = 2000", "consolation_amount = { value = 2500"),
        ("class2_amount = { value = 5000", "class2_amount = { value = 5500"),
        ("reduced_pct = { value = 30", "reduced_pct = { value = 25"),
        ("individual_share_max_pct = { value = 20", "individual_share_max_pct = { value = 25"),
        (
            "temporary_min_months_exclusive = { value = 12",
            "temporary_min_months_exclusive = { value = 18",
        ),
    ):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / "plan.toml"
    path.write_text(text, encoding="utf-8")
    return load_policy(path)


def test_sentences_render_the_figures_of_the_version_in_force_a1_3_a4_2_e1_e2(tmp_path):
    """No plan figure is frozen in a sentence (aidctl.core.messages): with other figures in
    the parameter file the sentences say those figures."""
    from aidctl.i18n import message
    from aidctl.reports.findings_text import with_messages

    policy = changed_policy(tmp_path)
    u, m = unit_with_members("U1", 100, 84)
    result = check_enrollment(
        units_frame([u]),
        members_frame(m),
        _no_contracts(),
        _no_spells(),
        policy,
        AS_OF,
        "units.xlsx",
    )
    assert unit_row(result, "U1")["status"] == "non_compliant"  # 84 < 85% of 100
    texts = with_messages(result.findings, "zh")
    ratio = texts.filter(pl.col("code") == "RATIO_BELOW_MIN")["message"].to_list()
    assert ratio and "85%即85人" in ratio[0] and "80%" not in ratio[0]
    zh = message("INDIVIDUAL_SHARE_ABOVE_20", "zh", policy=policy, value=30)
    assert "高于25%" in zh and "7.5:2.5" in zh
    assert "未超过18个月" in message("INELIGIBLE_TEMPORARY", "zh", policy=policy, value=18)
    assert "18 months" in message("INELIGIBLE_TEMPORARY", "en", policy=policy, value=18)
    # the bundled figures, unchanged
    assert "未超过一年" in message("INELIGIBLE_TEMPORARY", "zh", value=12)
    assert "高于20%" in message("INDIVIDUAL_SHARE_ABOVE_20", "zh", value=30)


def test_every_enrolment_check_names_its_rule_clause_and_text_e1_to_e6():
    """The enrolment checks are data (UNIT_CHECKS, MEMBER_CHECKS): each names its E-rule of
    docs/rules.md and a clause, and its code has a text in the one catalogue."""
    from aidctl.core.enrollment import MEMBER_CHECKS, UNIT_CHECKS
    from aidctl.core.messages import MESSAGES

    for check in (*UNIT_CHECKS, *MEMBER_CHECKS):
        assert check.rule in {"E1", "E2", "E3", "E4", "E5", "E6"}, check.code
        assert check.clause, check.code
        assert check.code in MESSAGES, check.code
    assert {c.status for c in MEMBER_CHECKS} == {"rejected", "ineligible"}


def test_no_plan_figure_is_frozen_in_a_message_a1_a3_a4_a5():
    """A1.3 80%, A1.4 30 staff, A4.2 20%, A5.2a 30%, A5.1 15000, A5.2b 2000, A3.1 27
    diseases, A1.1 12 months: none is written into a text; all render from the parameters."""
    import re

    from aidctl.core.messages import MESSAGES
    from aidctl.i18n import table

    frozen = re.compile(
        r"80%|30人|under 30|20%|30%|15000|15,000|2000|2,000|27|一年|one year|a year"
    )
    for code, texts in MESSAGES.items():
        for text in texts:
            assert not frozen.search(text), (code, text)
    for lang in ("zh", "en"):
        for text in table(lang).values():  # every figure placeholder is filled
            assert not re.search(r"\{(share|temp|reduced|disease|grade|death|area)_\w+\}", text)


def test_a1_2_a_member_of_a_unit_not_on_the_units_sheet_is_not_enrolled_alone():
    """A1.2: staff join as a group through their unit; a member row whose unit is not on the
    units sheet is UNKNOWN_UNIT and gets no spell, while the listed unit's members do."""
    u, m = unit_with_members("U1", 2, 2)
    stray = {"unit_code": "NOPE", "id_number": make_id(900), "name": "外单位"}
    result = check([u], [*m, stray])
    assert result.spells["unit_code"].to_list() == ["U1", "U1"]
    assert make_id(900) not in result.spells["id_number"].to_list()
    assert result.contracts["unit_code"].to_list() == ["U1"]
    stray_row = result.members.filter(pl.col("unit_code") == "NOPE")
    assert stray_row["member_code"].to_list() == ["UNKNOWN_UNIT"]
