"""Cell texts -> typed values (aidctl.intake.values) and header matching (headers)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import polars as pl
import pytest

from aidctl.i18n import MESSAGES
from aidctl.intake import values as v
from aidctl.intake.headers import HeaderIndex, bare_header, normalise_header
from aidctl.plan.causes import load_causes


def run(
    parse: Callable[[pl.Expr], v.Parsed], cells: Sequence[str | None]
) -> list[tuple[Any, bool]]:
    """(value, invalid) per cell, with the same cleaning the intake applies first."""
    frame = pl.DataFrame({"cell": cells}, schema={"cell": pl.Utf8})
    parsed = parse(v.clean(pl.col("cell")))
    out = frame.select(parsed.value.alias("value"), parsed.invalid.fill_null(False).alias("bad"))
    return list(zip(out["value"].to_list(), out["bad"].to_list(), strict=True))


def values_of(parse: Callable[[pl.Expr], v.Parsed], cells: Sequence[str | None]) -> list[Any]:
    return [value for value, _ in run(parse, cells)]


# --- cleaning and text ----------------------------------------------------------------


def test_clean_folds_full_width_strips_and_blanks_to_null() -> None:
    frame = pl.DataFrame({"c": ["ＡＢ１２", "  张三\u3000", "", "   ", None, "a b"]})
    assert frame.select(v.clean(pl.col("c")))["c"].to_list() == [
        "AB12",
        "张三",
        None,
        None,
        None,
        "a b",
    ]


def test_id_number_loses_spaces_and_gets_an_upper_case_x() -> None:
    assert values_of(v.parse_id_number, [" 3207 0619 8001 0100 1x ", "１１０１０１１９５６"]) == [
        "32070619800101001X",
        "1101011956",
    ]


def test_a_fifteen_digit_id_is_kept_as_written() -> None:
    # The old 15-digit ids are rejected by the core (E3), not altered here.
    assert values_of(v.parse_id_number, ["320706800101001"]) == ["320706800101001"]


def test_scientific_text_is_recognised_as_a_number_display() -> None:
    frame = pl.DataFrame({"c": ["3.20706199001011E+17", "3.2e17", "32070619900101101X", "12"]})
    assert frame.select(v.scientific(pl.col("c")))["c"].to_list() == [True, True, False, False]


# --- dates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell",
    [
        "2026-11-28",
        "2026-11-28 00:00:00",
        "2026-11-28T00:00:00",
        "2026/11/28",
        "2026.11.28",
        "20261128",
        "2026年11月28日",
        "２０２６年１１月２８日",
        "46354",  # serial number of a date cell without a date format
        "46354.0",
    ],
)
def test_every_date_style_reads_as_the_same_day(cell: str) -> None:
    assert run(v.parse_date, [cell]) == [(dt.date(2026, 11, 28), False)]


def test_short_month_and_day_are_padded() -> None:
    assert (
        values_of(v.parse_date, ["2026/1/5", "2026-1-05", "2026年1月5日"])
        == [dt.date(2026, 1, 5)] * 3
    )


def test_serial_numbers_follow_excel_1900_system() -> None:
    # 45413 is 2024-05-01 (the trap in formats.md); 61 is 1900-03-01, after the fake leap day.
    assert values_of(v.parse_date, ["45413", "61", "1"]) == [
        dt.date(2024, 5, 1),
        dt.date(1900, 3, 1),
        dt.date(1900, 1, 1),
    ]


@pytest.mark.parametrize("cell", ["2026-02-30", "2026-13-01", "28/11/2026", "明天", "0", "60"])
def test_impossible_or_foreign_dates_are_invalid_not_guessed(cell: str) -> None:
    assert run(v.parse_date, [cell]) == [(None, True)]


def test_blank_date_is_null_and_not_invalid() -> None:
    assert run(v.parse_date, [None, "  "]) == [(None, False), (None, False)]


# --- numbers --------------------------------------------------------------------------


def test_integers_accept_whole_floats_commas_full_width_and_units() -> None:
    assert values_of(v.parse_integer, ["30", "30.0", "1,200", "３０", "30人", "24个月"]) == [
        30,
        30,
        1200,
        30,
        30,
        24,
    ]


@pytest.mark.parametrize("cell", ["30.5", "三十", "待定", "1e3"])
def test_non_integers_are_invalid(cell: str) -> None:
    assert run(v.parse_integer, [cell]) == [(None, True)]


@pytest.mark.parametrize(
    ("cell", "grade"),
    [
        ("1", 1),
        ("10", 10),
        ("5.0", 5),
        ("1级", 1),
        ("五级", 5),
        ("伤残五级", 5),
        ("五级伤残", 5),
        ("十级", 10),
        ("第三级", 3),
        ("十一级", 11),
        ("0", 0),
        ("伍级", 5),
    ],
)
def test_grades_in_every_written_form(cell: str, grade: int) -> None:
    assert run(v.parse_grade, [cell]) == [(grade, False)]


def test_unreadable_grade_is_invalid() -> None:
    assert run(v.parse_grade, ["重度", "5-6级"]) == [(None, True), (None, True)]


def test_numbers_accept_thousands_separators_and_currency() -> None:
    assert values_of(v.parse_number, ["1,234.5", "¥1234", "1234元", "-5", ".5"]) == [
        1234.5,
        1234.0,
        1234.0,
        -5.0,
        0.5,
    ]
    assert run(v.parse_number, ["nan", "1.2.3", "20%"]) == [(None, True)] * 3


def test_percent_reads_signs_and_fractions_of_percentage_cells() -> None:
    frame = pl.DataFrame({"c": ["20", "20%", "15.5", "0.2", "0", "1"]})
    parsed = v.parse_percent(v.clean(pl.col("c")))
    out = frame.select(parsed.value.alias("v"), parsed.notice.alias("n"))  # type: ignore[union-attr]
    assert out["v"].to_list() == [20.0, 20.0, 15.5, 20.0, 0.0, 1.0]
    # Only the fraction is reported: it is the one reading the clerk should check.
    assert out["n"].to_list() == [False, False, False, True, False, False]


# --- words ----------------------------------------------------------------------------


def test_yes_no_words_and_blank_as_no() -> None:
    yes = ["是", "有", "Y", "yes", "TRUE", "1", "√", "true"]
    no = ["否", "无", "N", "No", "false", "0", "×", None, ""]
    assert values_of(v.parse_yes_no, yes) == [True] * len(yes)
    assert values_of(v.parse_yes_no, no) == [False] * len(no)


def test_unknown_yes_no_word_is_invalid_and_null() -> None:
    assert run(v.parse_yes_no, ["也许"]) == [(None, True)]


def test_employment_types_in_chinese_and_english_e1() -> None:
    cells = ["正式", "正式职工", "合同", "合同制", "合同工", "临时", "临时工", "聘用", "Formal"]
    cells += ["contract", " TEMPORARY "]
    # E1: a bare 聘用 is read as "engaged"; the enrolment check decides contract/temporary
    assert values_of(v.parse_employment_type, cells) == [
        "formal",
        "formal",
        "contract",
        "contract",
        "contract",
        "temporary",
        "temporary",
        "engaged",
        "formal",
        "contract",
        "temporary",
    ]
    assert run(v.parse_employment_type, ["外包"]) == [(None, True)]


def test_claim_types_in_chinese_and_english() -> None:
    cells = ["重大疾病", "大病", "意外伤残", "伤残", "意外身故", "身故", "意外死亡"]
    cells += ["critical_illness", "Accident Disability", "accident-death"]
    assert values_of(v.parse_claim_type, cells) == [
        "critical_illness",
        "critical_illness",
        "accident_disability",
        "accident_disability",
        "accident_death",
        "accident_death",
        "accident_death",
        "critical_illness",
        "accident_disability",
        "accident_death",
    ]
    assert run(v.parse_claim_type, ["住院"]) == [(None, True)]


def test_exclusion_lists_become_canonical_keys_in_fixed_order() -> None:
    assert values_of(
        v.parse_exclusion,
        [
            "自杀、斗殴",
            "打架，自杀",
            "fighting;suicide",
            "醉酒 违章驾驶",
            "核辐射；战争；地震",
            "吸毒,自残,军事冲突,拒捕",
            "self-injury",
            "斗殴、打架",
        ],
    ) == [
        "suicide;fighting",
        "suicide;fighting",
        "suicide;fighting",
        "traffic_violation;drunkenness",
        "earthquake;war;nuclear_radiation",
        "crime;self_injury;drugs;military",
        "self_injury",
        "fighting",
    ]


def _every_cause_word() -> list[tuple[str, tuple[str, ...]]]:
    causes = load_causes()
    return sorted(causes.words.items())


@pytest.mark.parametrize(("word", "keys"), _every_cause_word())
def test_step5_A6_3_every_word_of_the_data_reads_as_its_causes(
    word: str, keys: tuple[str, ...]
) -> None:
    """A6.3: each word of aidctl/plan/causes.toml (the plan's own words, its joined phrases,
    common words) reads as the cause keys the data gives it, in the data's order."""
    assert values_of(v.parse_exclusion, [word]) == [";".join(keys)]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("违章驾驶机动交通工具", "traffic_violation"),
        ("违章驾驶", "traffic_violation"),
        ("违章", "violation_unspecified"),  # L27: a work-safety breach is not a traffic one
        ("犯罪", "crime_unspecified"),  # L27: only an intentional crime is excluded
        ("醉酒及使用毒品", "drunkenness;drugs"),
        ("核辐射或核污染", "nuclear_radiation;nuclear_contamination"),
        ("故意犯罪或拒捕", "crime"),
        ("自杀或故意自伤", "suicide;self_injury"),
        ("毒品", "drugs"),
        ("军事", "military"),
        ("醉驾", "traffic_violation;drunkenness"),
        ("酒驾", "traffic_violation"),
    ],
)
def test_step5_A6_3_L27_plan_phrases_and_ambiguous_words(written: str, expected: str) -> None:
    assert values_of(v.parse_exclusion, [written]) == [expected]


def test_no_exclusion_words_are_null_and_unknown_words_invalid() -> None:
    assert run(v.parse_exclusion, ["无", "否", None, "自杀、外星人"]) == [
        (None, False),
        (None, False),
        (None, False),
        (None, True),
    ]


# --- headers --------------------------------------------------------------------------


def test_headers_match_across_width_brackets_case_and_spaces() -> None:
    assert normalise_header("聘用期限（月）") == normalise_header("聘用期限(月)")
    assert normalise_header(" ＩＤ_Number ") == normalise_header("id number") == "idnumber"
    assert bare_header("工资总额（元）") == "工资总额"


def test_header_index_knows_keys_aliases_and_bare_forms() -> None:
    index = HeaderIndex.build({"engagement_months": ["聘用期限（月）"], "name": ["姓名"]})
    assert index.key_of("聘用期限(月)") == "engagement_months"
    assert index.key_of("聘用期限") == "engagement_months"
    assert index.key_of("Engagement Months") == "engagement_months"
    assert index.key_of("*姓 名") == "name"
    assert index.key_of("姓名：") is None  # a label beside a value, as in a title block
    assert index.key_of("姓名（必填）") == "name"
    assert index.key_of("性别") is None
    assert index.key_of(None) is None


def test_every_intake_code_has_both_texts_with_placeholders_that_render() -> None:
    """The intake's codes have their one text in the one catalogue (aidctl.core.messages)."""
    for code in ("INVALID_VALUE", "ID_STORED_AS_NUMBER", "DUPLICATE_HEADER", "SHARE_AS_FRACTION"):
        zh, en = MESSAGES[code]
        assert zh.format(value="x", column="c") and en.format(value="x", column="c")
    assert "{value}" in MESSAGES["INVALID_VALUE"][1]
