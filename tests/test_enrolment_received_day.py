"""The revised enrolment rules at their boundaries: D5 (the day the renewal was done), D6
(cover never starts before the roster was received), E1 (聘用), E2 (small units less the
ineligible they list), E3 (UNIT_OUTSIDE_AREA), E6 (a term already ended), and --import."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from builders import make_id, members_frame, unit_with_members, units_frame

from aidctl.core.enrollment import EXISTING_SPELLS_SCHEMA, check_enrollment
from aidctl.intake.units import known_region_codes
from aidctl.plan import load_policy
from aidctl.register import CONTRACT_COLUMNS
from aidctl.reports.findings_text import with_messages

AS_OF = dt.date(2026, 11, 28)
POLICY = load_policy()
EXPIRY = dt.date(2025, 12, 31)  # the previous contract: 2025-01-01 .. 2025-12-31
D = dt.timedelta


def previous(code: str = "U1", end: dt.date = EXPIRY) -> pl.DataFrame:
    start = dt.date(end.year, 1, 1) if end.month == 12 else dt.date(end.year - 1, 1, 1)
    return pl.DataFrame(
        [
            {
                "contract_no": "OLD",
                "unit_code": code,
                "term_start": start,
                "term_end": end,
                "first_time": True,
                "imported": False,
            }
        ],
        schema=CONTRACT_COLUMNS,
    )


def old_spells(ids: list[str], code: str = "U1") -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "id_number": i,
                "unit_code": code,
                "contract_no": "OLD",
                "spell_start": dt.date(2025, 1, 1),
                "term_end": EXPIRY,
            }
            for i in ids
        ],
        schema=EXISTING_SPELLS_SCHEMA,
    )


def check(units, members, contracts=None, spells=None, **options):
    return check_enrollment(
        units_frame(units),
        members_frame(members),
        pl.DataFrame(schema=CONTRACT_COLUMNS) if contracts is None else contracts,
        pl.DataFrame(schema=EXISTING_SPELLS_SCHEMA) if spells is None else spells,
        POLICY,
        AS_OF,
        "units.xlsx",
        region_codes=known_region_codes(),
        **options,
    )


def unit(result) -> dict:
    return result.units.row(0, named=True)


def codes(result) -> list[str]:
    return sorted(result.findings["code"].to_list())


# ---------------------------------------------------------------- D5


@pytest.mark.parametrize(
    ("days_after_expiry", "renewal"),
    [(0, True), (20, True), (21, False)],
)
def test_received_within_grace_renews_from_expiry_plus_one_d5(days_after_expiry, renewal):
    """D5: received ≤ expiry + 20 → renewal from expiry + 1 (continuous); + 21 → first
    enrolment, effective on the stated date."""
    received = EXPIRY + D(days_after_expiry)
    u, m = unit_with_members("U1", 1, 1, effective=received, received_date=received)
    result = check([u], m, contracts=previous())
    c = result.contracts.row(0, named=True)
    assert c["first_time"] is (not renewal)
    if renewal:
        assert (c["term_start"], c["term_end"]) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    else:
        assert c["term_start"] == received
        assert result.spells["first_time"].to_list() == [True]
    # the stated date is never expiry + 1 here: every renewal's date is adjusted
    assert ("RENEWAL_DATE_ADJUSTED" in codes(result)) is renewal


def test_renewal_with_a_different_stated_date_is_a_warning_d5():
    """D5: received on expiry + 20 stating expiry + 20: recorded from expiry + 1, warned."""
    u, m = unit_with_members("U1", 1, 1, effective=EXPIRY + D(20), received_date=EXPIRY + D(20))
    result = check([u], m, contracts=previous())
    assert unit(result)["status"] == "compliant"
    f = result.findings.filter(pl.col("code") == "RENEWAL_DATE_ADJUSTED").row(0, named=True)
    assert f["severity"] == "warning"
    text = with_messages(result.findings, "en")["message"].to_list()[0]
    assert "2026-01-01" in text and "2026-01-20" in text and "2025-12-31" in text


def test_renewal_members_continue_from_expiry_plus_one_d5_d6():
    """D6: members of the previous contract continue from expiry + 1, knowingly up to 20
    days before the roster was received; a new person starts on the received day."""
    received = EXPIRY + D(15)
    u, m = unit_with_members("U1", 2, 2, effective=EXPIRY + D(1), received_date=received)
    result = check([u], m, contracts=previous(), spells=old_spells([m[0]["id_number"]]))
    starts = dict(zip(result.spells["id_number"], result.spells["spell_start"], strict=True))
    assert starts[m[0]["id_number"]] == EXPIRY + D(1)  # continuing
    assert starts[m[1]["id_number"]] == received  # never covered backwards
    f = result.findings.filter(pl.col("code") == "JOIN_DATE_ADJUSTED").row(0, named=True)
    assert (f["severity"], f["id_number"]) == ("warning", m[1]["id_number"])
    firsts = dict(zip(result.spells["id_number"], result.spells["first_time"], strict=True))
    assert firsts == {m[0]["id_number"]: False, m[1]["id_number"]: True}


@pytest.mark.parametrize(("days_before", "ok"), [(1, False), (0, True)])
def test_first_enrolment_may_not_be_backdated_d5(days_before, ok):
    """D5: a first enrolment effective one day before its received day is invalid; on the
    received day it is fine."""
    received = dt.date(2026, 3, 10)
    u, m = unit_with_members(
        "U1", 1, 1, effective=received - D(days_before), received_date=received
    )
    result = check([u], m)
    assert unit(result)["status"] == ("compliant" if ok else "invalid")
    assert ("BACKDATED_EFFECTIVE_DATE" in unit(result)["reasons"]) is (not ok)


def test_received_day_defaults_to_the_given_default_then_as_of_d5():
    """D5: no received_date → the batch's arrival day, else the as-of day."""
    u, m = unit_with_members("U1", 1, 1, effective=dt.date(2026, 11, 1), received_date=None)
    assert unit(check([u], m))["status"] == "invalid"  # received 2026-11-28 (as of)
    result = check([u], m, received_default=dt.date(2026, 10, 25))
    assert unit(result)["status"] == "compliant"
    assert unit(result)["received_date"] == dt.date(2026, 10, 25)


@pytest.mark.parametrize(("ahead", "warned"), [(90, False), (91, True)])
def test_stated_date_far_after_the_received_day_is_a_warning_d5(ahead, warned):
    """D5 (L50): more than 90 days after the received day is a warning only."""
    received = dt.date(2026, 3, 1)
    u, m = unit_with_members("U1", 1, 1, effective=received + D(ahead), received_date=received)
    result = check([u], m)
    assert unit(result)["status"] == "compliant"
    assert ("EFFECTIVE_DATE_FAR_AHEAD" in codes(result)) is warned


@pytest.mark.parametrize(
    ("received", "ended"), [(dt.date(2025, 12, 31), False), (dt.date(2026, 1, 1), True)]
)
def test_term_already_ended_on_the_received_day_e6(received, ended):
    """E6, L53: the term 2025-01-01..2025-12-31 received on its last day has not ended; received
    the day after, it has (unit invalid, nothing recorded). Either way it is a first
    enrolment dated before its received day (D5). A renewal received within the grace
    starts on expiry + 1 and so can never have ended."""
    u, m = unit_with_members("U1", 1, 1, effective=dt.date(2025, 1, 1), received_date=received)
    result = check([u], m)
    reasons = unit(result)["reasons"]
    assert ("TERM_ALREADY_ENDED" in reasons) is ended
    assert "BACKDATED_EFFECTIVE_DATE" in reasons
    assert unit(result)["status"] == "invalid"
    assert result.contracts.height == 0


def test_term_already_ended_is_skipped_on_import_e6_d5():
    u, m = unit_with_members("U1", 1, 1, effective=dt.date(2025, 1, 1), received_date=None)
    result = check([u], m, imported=True)
    assert unit(result)["status"] == "compliant"


# ---------------------------------------------------------------- D6


@pytest.mark.parametrize(("join_offset", "adjusted"), [(-1, True), (0, False), (5, False)])
def test_join_date_before_the_received_day_starts_on_it_d6(join_offset, adjusted):
    """D6: a member added with a join date before the roster's received day starts on the
    received day (JOIN_DATE_ADJUSTED); on or after it, on the join date."""
    effective = dt.date(2026, 1, 1)
    received = dt.date(2026, 5, 10)
    u, m = unit_with_members("U1", 2, 2, effective=effective, received_date=None)
    # the roster is received on 2026-05-10 for a unit already enrolled from 2026-01-01
    contracts = pl.DataFrame(
        [
            {
                "contract_no": "C26",
                "unit_code": "U1",
                "term_start": effective,
                "term_end": dt.date(2026, 12, 31),
                "first_time": True,
                "imported": False,
                "received_date": effective,
            }
        ],
        schema=CONTRACT_COLUMNS,
    )
    m[1]["join_date"] = received + D(join_offset)
    # m[0] is already covered by C26: enrolled again, nothing changes for it (E5)
    spells = pl.DataFrame(
        [
            {
                "id_number": m[0]["id_number"],
                "unit_code": "U1",
                "contract_no": "C26",
                "spell_start": effective,
                "term_end": dt.date(2026, 12, 31),
            }
        ],
        schema=EXISTING_SPELLS_SCHEMA,
    )
    result = check([u], m, contracts=contracts, spells=spells, received_default=received)
    assert (
        result.spells.filter(pl.col("id_number") == m[0]["id_number"])["spell_start"][0]
        == effective
    )
    start = result.spells.filter(pl.col("id_number") == m[1]["id_number"])["spell_start"][0]
    assert start == (received if adjusted else received + D(join_offset))
    assert ("JOIN_DATE_ADJUSTED" in codes(result)) is adjusted


def test_first_time_is_per_member_by_id_in_any_unit_d6():
    """D6: cover in another unit ending 20 days before the start → not first-time; 21 →
    first-time (the same count as D5's expiry + 20)."""
    start = dt.date(2026, 2, 1)
    u, m = unit_with_members("U1", 2, 2, effective=start, received_date=start)
    spells = pl.DataFrame(
        [
            {
                "id_number": m[0]["id_number"],
                "unit_code": "U9",
                "contract_no": "K",
                "spell_start": dt.date(2025, 1, 1),
                "term_end": start - D(20),
            },
            {
                "id_number": m[1]["id_number"],
                "unit_code": "U9",
                "contract_no": "K",
                "spell_start": dt.date(2025, 1, 1),
                "term_end": start - D(21),
            },
        ],
        schema=EXISTING_SPELLS_SCHEMA,
    )
    result = check([u], m, spells=spells)
    firsts = dict(zip(result.spells["id_number"], result.spells["first_time"], strict=True))
    assert firsts == {m[0]["id_number"]: False, m[1]["id_number"]: True}


# ---------------------------------------------------------------- --import (D5)


def test_import_trusts_stated_dates_and_marks_contracts_imported_d5():
    """D5: --import skips the received-day checks: a term begun long ago is recorded as
    stated, marked imported."""
    u, m = unit_with_members("U1", 1, 1, effective=dt.date(2026, 1, 1), received_date=None)
    assert unit(check([u], m))["status"] == "invalid"  # backdated without --import
    result = check([u], m, imported=True)
    assert unit(result)["status"] == "compliant"
    c = result.contracts.row(0, named=True)
    assert (c["term_start"], c["imported"], c["first_time"]) == (dt.date(2026, 1, 1), True, True)


@pytest.mark.parametrize(
    ("kind", "first_time"), [("first", True), ("renewal", False), (None, True)]
)
def test_import_reads_enrolment_kind_for_units_never_seen_d5(kind, first_time):
    """D5: --import with 参保性质 续保 for a unit the register has never seen: the contract
    and its members' spells are not first-time; 首次 or blank: first-time."""
    u, m = unit_with_members("U1", 2, 2, effective=dt.date(2026, 1, 1), enrolment_kind=kind)
    result = check([u], m, imported=True)
    assert result.contracts["first_time"].to_list() == [first_time]
    assert result.spells["first_time"].to_list() == [first_time, first_time]


def test_enrolment_kind_is_ignored_without_import_d5():
    u, m = unit_with_members("U1", 1, 1, effective=dt.date(2026, 1, 1), enrolment_kind="renewal")
    assert check([u], m).contracts["first_time"].to_list() == [True]


# ---------------------------------------------------------------- E1


@pytest.mark.parametrize(
    ("word_as_read", "months", "status"),
    [
        ("engaged", None, "ok"),  # E1: 聘用 alone → contract staff, counted
        ("engaged", 12, "ineligible"),  # E1: 聘用 with 12 months → temporary, not > 12
        ("engaged", 13, "ok"),  # E1: 聘用 with 13 months → eligible
        ("contract", None, "ok"),  # E1: 聘用制 / 聘用合同制 read as contract
        ("temporary", None, "rejected"),  # E1: 临聘 → temporary, needs its term
        ("temporary", 13, "ok"),
    ],
)
def test_engaged_staff_boundaries_e1(word_as_read, months, status):
    u, m = unit_with_members("U1", 1, 1)
    m[0].update(employment_type=word_as_read, engagement_months=months)
    assert check([u], m).members["member_status"].to_list() == [status]


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("聘用", "engaged"),
        ("聘用制", "contract"),
        ("聘用合同制", "contract"),
        ("临聘", "temporary"),
    ],
)
def test_engaged_words_are_read_as_e1_says(word, expected):
    from aidctl.intake.values import parse_employment_type

    frame = pl.DataFrame({"t": [word]})
    assert frame.select(parse_employment_type(pl.col("t")).value)["t"].to_list() == [expected]


# ---------------------------------------------------------------- E2


def test_small_unit_complies_with_all_but_its_listed_ineligible_e2():
    """E2 (A1.4), L55: a unit of 10 with two temporaries on 6-month terms complies with 8."""
    u, m = unit_with_members("U1", 10, 8)
    m += [
        {
            "unit_code": "U1",
            "id_number": make_id(100 + i),
            "name": f"临时{i}",
            "employment_type": "temporary",
            "engagement_months": 6,
        }
        for i in range(2)
    ]
    r = unit(check([u], m))
    assert (r["status"], r["eligible"], r["required_count"]) == ("compliant", 8, 8)
    u, m7 = unit_with_members("U2", 10, 7)
    result = check([u], m7 + [{**x, "unit_code": "U2"} for x in m[8:]])
    r = unit(result)
    assert (r["status"], r["shortfall"], r["reasons"]) == ("non_compliant", 1, ["NOT_ALL_ENROLLED"])
    text = with_messages(result.findings, "zh")["message"][0]
    assert "不足30人" in text and "还需增加1人" in text and "2名不属保障对象" in text


def test_large_unit_whose_short_temporaries_make_80_percent_impossible_e2():
    """E2 (A1.3), L55: 30 staff, 7 short-term temporaries → at most 23 < 24: the sentence says
    the temporaries count in the total."""
    u, m = unit_with_members("U1", 30, 23)
    m += [
        {
            "unit_code": "U1",
            "id_number": make_id(200 + i),
            "name": f"临时{i}",
            "employment_type": "temporary",
            "engagement_months": 6,
        }
        for i in range(7)
    ]
    result = check([u], m)
    r = unit(result)
    assert (r["status"], r["shortfall"], r["reasons"]) == ("non_compliant", 1, ["RATIO_BELOW_MIN"])
    f = with_messages(result.findings, "en").filter(pl.col("code") == "RATIO_UNREACHABLE")
    assert "count in the total" in f["message"][0] and "80%" in f["message"][0]


# ---------------------------------------------------------------- E3: the unit's area


@pytest.mark.parametrize(
    ("region", "warned"), [("320700", False), ("320706", False), ("320100", True)]
)
def test_unit_credit_code_outside_lianyungang_is_a_warning_e3(region, warned):
    """E3 / A1.1 "连云港地区", L57: a credit code whose characters 3–8 are not 3207xx warns."""
    from stdnum.cn import uscc

    body = f"91{region}MA1X2Y3W4"
    code = body + uscc.calc_check_digit(body)
    u, m = unit_with_members(code, 1, 1)
    result = check([u], m)
    assert unit(result)["status"] == "compliant"
    assert ("UNIT_OUTSIDE_AREA" in codes(result)) is warned


def test_unit_outside_area_only_for_a_valid_credit_code_l57():
    """L57: a code that fails GB 32100, or is not 18 characters, is invalid, not warned as
    outside the area."""
    from stdnum.cn import uscc

    body = "91320100MA1X2Y3W4"  # region 320100 (Nanjing): outside when valid
    bad = body + ("0" if uscc.calc_check_digit(body) != "0" else "1")
    for code in (bad, "U320100"):
        u, m = unit_with_members(code, 1, 1)
        result = check([u], m)
        assert "UNIT_OUTSIDE_AREA" not in codes(result)
    u, m = unit_with_members(bad, 1, 1)
    assert unit(check([u], m))["status"] == "invalid"


@pytest.mark.parametrize(("kind", "stated_after_expiry"), [("first", 1), ("first", 21)])
def test_import_reads_enrolment_kind_only_for_units_the_register_never_saw_l56(
    kind, stated_after_expiry
):
    """L56: with a contract of the unit in the register, 参保性质 is not read on --import:
    a stated start no later than expiry + grace is a renewal (not first-time) whatever the
    column says, later is a first enrolment."""
    start = EXPIRY + D(stated_after_expiry)
    u, m = unit_with_members("U1", 1, 1, effective=start, enrolment_kind=kind)
    result = check([u], m, contracts=previous(), imported=True)
    renewal = stated_after_expiry <= 20
    assert result.contracts["first_time"].to_list() == [not renewal]


def test_the_same_contract_again_is_not_rechecked_for_d5_e6_l52():
    """L52 (E5, L21): a roster whose unit already has a contract starting on the stated date
    is that contract enrolled again: D5's received-day checks and E6 are not run again, so a
    roster re-sent in November for a contract that began in January is not 'backdated'."""
    start = dt.date(2026, 1, 1)
    same = previous().with_columns(
        pl.lit(start).alias("term_start"),
        pl.lit(dt.date(2026, 12, 31)).alias("term_end"),
        pl.lit(start).alias("received_date"),
    )
    u, m = unit_with_members("U1", 1, 1, effective=start, received_date=None)
    assert unit(check([u], m))["status"] == "invalid"  # alone, it would be backdated (D5)
    again = check([u], m, contracts=same)
    assert unit(again)["status"] == "compliant"
    assert "BACKDATED_EFFECTIVE_DATE" not in codes(again)


@pytest.mark.parametrize(
    ("join", "kept"),
    [(dt.date(2026, 3, 1), True), (dt.date(2026, 1, 1), True), (dt.date(2025, 12, 31), False)],
)
def test_a_continuing_member_keeps_a_written_join_date_l54(join, kept):
    """L54 (D6, L22): on a renewal received within grace, a continuing member with a join
    date written on the roster starts on it; a join date before the contract's start
    (2026-01-01) is rejected JOIN_DATE_OUTSIDE_TERM, not moved."""
    received = EXPIRY + D(15)
    u, m = unit_with_members("U1", 1, 1, effective=EXPIRY + D(1), received_date=received)
    m[0]["join_date"] = join
    result = check([u], m, contracts=previous(), spells=old_spells([m[0]["id_number"]]))
    if kept:
        assert result.spells["spell_start"].to_list() == [join]
        assert "JOIN_DATE_ADJUSTED" not in codes(result)
    else:
        assert "JOIN_DATE_OUTSIDE_TERM" in codes(result)
        assert result.spells.height == 0
