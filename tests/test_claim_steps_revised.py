"""Boundaries of the revised rules (rules.md steps 1, 3, 5, 6; D1, D10), each run through the
reference and the calculator together (`decide` asserts that they agree)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl
import pytest
from claim_strategies import claims_frame, history_frame, spells_frame
from test_claims_reference import (
    POLICY,
    T1,
    B,
    approved,
    day,
    death,
    decide,
    dis,
    first,
    ill,
    outcome,
    paid,
    pending,
    rejected,
    single,
)

from aidctl.core import claims as calc
from aidctl.core import reasons
from aidctl.core.diagnosis import READING_SCHEMA
from aidctl.plan import Policy
from aidctl.plan.causes import load_causes

TODAY = dt.date(2026, 3, 10)


def test_step1_L26_a_death_dated_tomorrow_is_pending_and_today_is_decided() -> None:
    accident = dt.date(2026, 3, 1)
    result = decide(
        [
            death("tomorrow", accident, TODAY + dt.timedelta(days=1)),
            death("today", accident, TODAY, who=B),
        ],
        [first(), first(B)],
        as_of=TODAY,
    )
    assert outcome(result["tomorrow"]) == pending("DATE_AFTER_AS_OF")
    assert result["tomorrow"]["detail"] == "death_date"
    assert outcome(result["today"]) == approved(30000, "ACCIDENTAL_DEATH")


def test_step1_L26_a_diagnosis_after_the_as_of_day_is_pending() -> None:
    result = decide(
        [ill("late", TODAY + dt.timedelta(days=1)), ill("now", TODAY, "C1-01")],
        [first()],
        as_of=TODAY,
    )
    assert outcome(result["late"]) == pending("DATE_AFTER_AS_OF")
    assert result["now"]["status"] == "approved"


def test_step3_A5_3_approved_first_grading_holds_a_regrade() -> None:
    """L28: an earlier grading approved in this run holds the later one; the message names it."""
    when = day(T1, 30)
    result = decide([dis("a", when, 5), dis("b", when, 3)], [first()])
    assert outcome(result["a"]) == approved(int(result["a"]["amount"]), "DISABILITY_GRADE")
    assert outcome(result["b"]) == pending("SAME_ACCIDENT_REGRADE")
    assert result["b"]["detail"].startswith("a|5|")


def test_step3_A5_3_a_rejected_or_pending_first_grading_holds_nothing() -> None:
    """L28: only an approved earlier grading holds; a pending or rejected one does not."""
    when = day(T1, 30)
    result = decide(
        [dis("a", when, 5, ended=None), dis("b", when, 3)],  # a: treatment not ended
        [first()],
    )
    assert outcome(result["a"]) == pending("TREATMENT_NOT_ENDED")
    assert outcome(result["b"]) == approved(int(result["b"]["amount"]), "DISABILITY_GRADE")
    spell = first()
    refused = paid("h", spell, when, claim_type="accident_disability", amount=0,
                   status="rejected", reason="EXCLUDED_CAUSE", disability_grade=5)  # fmt: skip
    result = decide([dis("c", when, 3)], [spell], [refused])
    assert result["c"]["reason_code"] == "DISABILITY_GRADE"


def test_step3_A5_3_an_approved_grading_in_the_register_holds_a_regrade() -> None:
    """L28: an approved grading in the register holds the later claim of the accident."""
    spell = first()
    when = day(T1, 30)
    earlier = paid("h", spell, when, claim_type="accident_disability", amount=15000,
                   reason="DISABILITY_GRADE", disability_grade=5)  # fmt: skip
    result = decide([dis("c", when, 3)], [spell], [earlier])
    assert outcome(result["c"]) == pending("SAME_ACCIDENT_REGRADE")


def test_step3_A5_5_a_death_after_a_paid_disability_of_the_same_accident_is_decided() -> None:
    when = day(T1, 30)
    result = decide([dis("a", when, 5), death("b", when, when + dt.timedelta(days=5))], [first()])
    assert result["b"]["status"] == "approved"
    assert result["a"]["amount"] + result["b"]["amount"] <= 30000  # the accident cap


@pytest.mark.parametrize("word", sorted(load_causes().words))
def test_step5_A6_3_each_word_of_the_data_decides_by_its_kind(word: str) -> None:
    """Each word of causes.toml (the plan's words, its joined phrases, common words):
    EXCLUDED_CAUSE, or AMBIGUOUS_CAUSE for a word that only might be a cause (L27)."""
    causes = load_causes()
    keys = causes.words[word]
    expected = (
        rejected("EXCLUDED_CAUSE")
        if any(k in causes.excluding for k in keys)
        else pending("AMBIGUOUS_CAUSE")
    )
    claim = dis("c1", day(T1, 200), 5, exclusion=";".join(keys))
    assert outcome(decide([claim], [first()])["c1"]) == expected


def test_step5_L27_violation_alone_is_ambiguous_and_driving_in_breach_is_excluded() -> None:
    words = load_causes().words
    alone = dis("a", day(T1, 200), 5, exclusion=";".join(words["违章"]))
    driving = dis("b", day(T1, 201), 5, exclusion=";".join(words["违章驾驶"]))
    result = decide([alone, driving], [first()])
    assert outcome(result["a"]) == pending("AMBIGUOUS_CAUSE")
    assert outcome(result["b"]) == rejected("EXCLUDED_CAUSE")


def test_step5_L8_brave_act_with_a_crime_from_the_data_is_conflicting_facts() -> None:
    for key in load_causes().brave_act_conflicts:
        claim = dis("c1", day(T1, 200), 5, exclusion=key, brave_act=True)
        assert outcome(decide([claim], [first()])["c1"]) == pending("CONFLICTING_FACTS")


def test_step6_D1_certain_pair_rejects() -> None:
    result = decide([ill("w", day(T1, 100), "C1-02"), ill("x", day(T1, 300), "C1-10")], [first()])
    assert outcome(result["x"]) == rejected("DISEASE_EXCLUDED_AFTER_WAITING")


def test_step6_D1_review_pair_goes_to_a_person_naming_the_earlier_claim() -> None:
    result = decide([ill("w", day(T1, 100), "C1-01"), ill("x", day(T1, 300), "C2-01")], [first()])
    assert outcome(result["w"]) == approved(4500, "REDUCED_30")
    assert outcome(result["x"]) == pending("RELATED_DISEASE_REVIEW")
    assert result["x"]["detail"] == "w"


def test_step6_D1_pairs_are_not_transitive() -> None:
    # C1-03–C1-08 and C1-08–C2-15 are review pairs, C1-03–C2-15 is none
    result = decide([ill("w", day(T1, 100), "C1-03"), ill("x", day(T1, 300), "C2-15")], [first()])
    assert outcome(result["x"]) == approved(5000, "FULL_BENEFIT")


def test_step6_D1_a_refused_second_consolation_starts_the_exclusion_from_the_register() -> None:
    spell = first()
    refused = paid("h", spell, day(T1, 40), code="C1-02", amount=0, period="exemption",
                   status="rejected", reason="CONSOLATION_ALREADY_PAID")  # fmt: skip
    result = decide([ill("x", day(T1, 300), "C1-10")], [spell], [refused])
    assert outcome(result["x"]) == rejected("DISEASE_EXCLUDED_AFTER_WAITING")


def test_step6_D1_a_second_consolation_is_checked_before_the_review() -> None:
    result = decide([ill("w", day(T1, 10), "C1-01"), ill("x", day(T1, 40), "C2-01")], [first()])
    assert outcome(result["w"]) == approved(2000, "CONSOLATION")
    assert outcome(result["x"]) == rejected("CONSOLATION_ALREADY_PAID")


def test_step3_L4_the_key_of_an_unlisted_text_is_the_same_on_a_rerun_as_in_one_file() -> None:
    """L4 (revised): the key is the diagnosis as read; the register keeps it as disease_key."""
    spell = first()
    when = day(T1, 200)
    one_file = decide([ill("a", when, "高血压"), ill("b", when, " 高 血压 ")], [spell])
    assert outcome(one_file["b"]) == pending("POSSIBLE_DUPLICATE")
    # the first run's decision, as the register returns it with its disease_key
    claims = claims_frame([ill("a", when, "高血压")]).with_columns(
        pl.lit(2, pl.Int64).alias("_row")
    )
    first_run = calc.decide_claims(
        claims, spells_frame([spell]), history_frame([]), calc_policy(), dt.date(2027, 6, 30)
    )
    key = first_run["disease_key"][0]
    assert key == "高血压"
    hist = history_frame(
        [
            paid(
                "a",
                spell,
                when,
                code=None,
                amount=0,
                status="rejected",
                reason="DISEASE_NOT_LISTED",
            )
        ]
    ).with_columns(pl.lit(key).alias("disease_key"))
    again = claims_frame([ill("b", when, " 高 血压 ")]).with_columns(
        pl.lit(2, pl.Int64).alias("_row")
    )
    rerun = calc.decide_claims(
        again, spells_frame([spell]), hist, calc_policy(), dt.date(2027, 6, 30)
    )
    assert rerun["reason_code"].to_list() == ["POSSIBLE_DUPLICATE"]
    # without the register's key (rows recorded before it was kept) nothing is found
    rerun_old = calc.decide_claims(
        again, spells_frame([spell]), hist.drop("disease_key"), calc_policy(), dt.date(2027, 6, 30)
    )
    assert rerun_old["reason_code"].to_list() != ["POSSIBLE_DUPLICATE"]


def calc_policy() -> Policy:
    return POLICY


@pytest.mark.parametrize(
    ("outcome_", "expected"),
    [
        ("listed", "FULL_BENEFIT"),
        ("person", "AMBIGUOUS_DISEASE"),
        ("unrecognised", "UNRECOGNISED_DISEASE"),
        ("unlisted", "DISEASE_NOT_LISTED"),
    ],
)
def test_step6_D10_each_reading_outcome_decides(
    monkeypatch: pytest.MonkeyPatch, outcome_: str, expected: str
) -> None:
    """D10: only `listed` pays and only `unlisted` rejects (the reading stubbed per outcome)."""

    def reader(frame: pl.DataFrame, catalogue: object) -> pl.DataFrame:
        row = {k: None for k in READING_SCHEMA}
        row.update(disease="X", diagnosis_code=None, dx_outcome=outcome_)
        if outcome_ == "listed":
            row.update(dx_code="C2-04", dx_class=2)
        if outcome_ == "person":
            row.update(dx_candidates="C1-07", dx_missing="stroke_outcome")
        return pl.DataFrame([row], schema=READING_SCHEMA)

    monkeypatch.setattr(calc, "read_diagnoses", reader)
    spell = first()
    claims = claims_frame([ill("c", day(T1, 300), "X")]).with_columns(
        pl.lit(2, pl.Int64).alias("_row")
    )
    out = calc.decide_claims(
        claims, spells_frame([spell]), history_frame([]), calc_policy(), dt.date(2027, 6, 30)
    )
    assert out["reason_code"].to_list() == [expected]
    if outcome_ == "person":
        assert out["detail"].to_list() == ["C1-07|stroke_outcome"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_explain_names_the_earlier_claim_the_cause_and_the_date(lang: str) -> None:
    """Every new pending says what to do next, with the figures behind it."""
    from aidctl.reports.explain import explain

    catalogue = POLICY.catalogue
    regrade = explain({"reason_code": "SAME_ACCIDENT_REGRADE", "detail": "LP1|5|15000"},
                      catalogue, lang)  # fmt: skip
    assert "LP1" in regrade and "5" in regrade and "15000" in regrade
    review = explain({"reason_code": "RELATED_DISEASE_REVIEW", "detail": "LP2|C1-01"},
                     catalogue, lang)  # fmt: skip
    assert "LP2" in review and "C1-01" in review
    ambiguous = explain({"reason_code": "AMBIGUOUS_CAUSE", "detail": "violation_unspecified"},
                        catalogue, lang)  # fmt: skip
    assert ("违章" in ambiguous) if lang == "zh" else ("traffic rules" in ambiguous)
    late = explain({"reason_code": "DATE_AFTER_AS_OF", "detail": "death_date"}, catalogue, lang)
    assert ("死亡日期" in late) if lang == "zh" else ("death date" in late)
    person = explain({"reason_code": "AMBIGUOUS_DISEASE", "detail": "C1-07|"}, catalogue, lang)
    assert "C1-07" in person
    unknown = explain({"reason_code": "UNRECOGNISED_DISEASE", "detail": "头晕"}, catalogue, lang)
    assert "头晕" in unknown and "C1-01" in unknown
    cause = explain({"reason_code": "EXCLUDED_CAUSE", "detail": "drunkenness;drugs"},
                    catalogue, lang)  # fmt: skip
    names = load_causes()
    assert names.by_key("drugs").name(lang) in cause


# ---- the rules as data (aidctl.core.reasons): the registry follows docs/rules.md

_RULES_MD = Path(__file__).resolve().parents[1] / "docs" / "rules.md"


def _codes_by_step() -> dict[int, set[str]]:
    """The codes docs/rules.md "Deciding a claim" names under each of its steps 1–10, and
    under the L-entries that say which step they read ("(step N)")."""
    text = _RULES_MD.read_text(encoding="utf-8")
    section = text.split("## Deciding a claim", 1)[1].split("\n## ", 1)[0]
    named: dict[int, set[str]] = {}
    for match in re.finditer(r"^(\d+)\. (.*?)(?=^\d+\. |\Z)", section, re.M | re.S):
        named.setdefault(int(match[1]), set()).update(re.findall(r"`([A-Z_0-9]+)`", match[2]))
    for entry in re.findall(
        r"^- \*\*L\d+ — [^*]*\(step (\d+)\)[^*]*\*\*(.*?)(?=^- |\Z)", text, re.M | re.S
    ):
        named.setdefault(int(entry[0]), set()).update(re.findall(r"`([A-Z_0-9]+)`", entry[1]))
    return named


def test_registry_runs_in_the_order_of_rules_md_steps_1_to_10() -> None:
    """rules.md "Deciding a claim": the first rule that decides wins, in steps 1–10. Every
    test of the registry stands at a step whose text (or an L-entry of that step) names its
    code, and the registry lists the steps in order."""
    named = _codes_by_step()
    assert set(named) >= set(range(1, 10))
    steps = [s.step for s in reasons.CLAIM_STEPS]
    assert steps == sorted(steps)
    misplaced = [
        (s.code, s.step) for s in reasons.CLAIM_STEPS if s.code not in named.get(s.step, set())
    ]
    assert misplaced == []
    # each pass of the calculator keeps the order too
    for phase in reasons.PHASES:
        in_phase = [s.step for s in reasons.steps_of(phase)]
        assert in_phase == sorted(in_phase), phase


def test_every_reason_code_has_exactly_one_entry_with_a_clause_and_a_test() -> None:
    """One source: REASONS and STEP_OF are derived from REASON_TABLE; every code has one
    entry with a status and a clause, and at least one test decides it."""
    codes = [r.code for r in reasons.REASON_TABLE]
    assert len(codes) == len(set(codes))
    for r in reasons.REASON_TABLE:
        assert r.clause and r.status in (reasons.APPROVED, reasons.REJECTED, reasons.PENDING)
        assert reasons.REASONS[r.code] == (r.status, r.clause)
        assert reasons.STEP_OF[r.code] == r.step
        assert r.step in reasons.STEPS
    tested = {s.code for s in reasons.CLAIM_STEPS}
    assert tested == set(codes)
    for s in reasons.CLAIM_STEPS:  # a test at another step than its code's names a reading
        home = reasons.REASON_OF[s.code]
        assert s.step in {home.step, *(step for step, _ in home.by_type.values())} or s.why


def test_partial_cap_step_and_clause_follow_the_cap_that_cut_it_a5_1_a5_5_d8() -> None:
    """PARTIAL_CAP: the same-disease cap (step 6, A5.1) for an illness, the accident cap
    (step 9, A5.5) for an accident — one entry says both."""
    cap = reasons.REASON_OF["PARTIAL_CAP"]
    assert (cap.step_for(calc.CI), cap.clause_for(calc.CI)) == (6, "A5.1;D8")
    for kind in (calc.DISABILITY, calc.DEATH):
        assert (cap.step_for(kind), cap.clause_for(kind)) == (9, "A5.5;D8")
    frame = pl.DataFrame(
        {"code": ["PARTIAL_CAP"] * 2 + ["FULL_BENEFIT"], "t": [calc.CI, calc.DEATH, calc.CI]}
    )
    clauses = frame.select(reasons.clause_expr(pl.col("code"), pl.col("t")).alias("clause"))[
        "clause"
    ].to_list()
    assert clauses == ["A5.1;D8", "A5.5;D8", "A5.1"]


def test_claim_sentences_render_the_figures_of_the_version_in_force_a5_1_a5_2_d4(
    tmp_path: Path,
) -> None:
    """A5.1, A5.2b, D4, L70: with consolation 2500, class 2 at 5500 and a reduced period of 25%,
    the amounts and the sentences say those figures; "27种" is the catalogue's count."""
    from test_enrollment_rules import changed_policy

    from aidctl.i18n import message

    policy = changed_policy(tmp_path)
    assert isinstance(policy, Policy)
    result = decide(
        [ill("cons", day(T1, 10)), ill("full", day(T1, 200), disease="C2-06", who=B)],
        [first(), first(B)],
        policy=policy,
    )
    assert outcome(result["cons"]) == approved(2500, "CONSOLATION")
    assert outcome(result["full"]) == approved(5500, "FULL_BENEFIT")
    assert message("REDUCED_30", "zh", policy=policy) == "减责期内按25%给付"
    count = len(policy.catalogue.diseases)
    assert f"不属{count}种保障病种" in message("DISEASE_NOT_LISTED", "zh", policy=policy, value="x")
    assert "1–10" in message("GRADE_NOT_COVERED", "en", policy=policy)
    assert "一个月" in message("DEATH_NOT_WITHIN_MONTH", "zh", policy=policy, value="x")


def test_L71_step_1_codes_are_listed_in_the_order_of_decision() -> None:
    """L71: within step 1 the registry (CLAIM_STEPS) decides INVALID_VALUE, MISSING_FIELD,
    DUPLICATE_CLAIM_ID, DATE_AFTER_AS_OF."""
    order = ["INVALID_VALUE", "MISSING_FIELD", "DUPLICATE_CLAIM_ID", "DATE_AFTER_AS_OF"]
    step1 = [s.code for s in reasons.CLAIM_STEPS if s.step == 1]
    assert [c for c in step1 if c in order] == order


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_L72_grades_outside_the_tables_range_are_not_covered_and_the_sentence_says_it(
    lang: str,
) -> None:
    """L72: grades 1 and 10 (the table's ends) pay; 0 and 11 are GRADE_NOT_COVERED, whose
    sentence names the range 1–10."""
    from aidctl.i18n import message

    when = day(T1, 3)
    assert single(dis("g0", when, 0), [first()]) == rejected("GRADE_NOT_COVERED")
    assert single(dis("g1", when, 1), [first()]) == approved(20000, "DISABILITY_GRADE")
    assert single(dis("g11", when, 11), [first()]) == rejected("GRADE_NOT_COVERED")
    assert single(dis("g10", when, 10), [first()]) == approved(500, "DISABILITY_GRADE")
    assert "1–10" in message("GRADE_NOT_COVERED", lang, policy=POLICY)


def test_L73_invalid_value_is_one_step_1_code_even_when_step_7_finds_it() -> None:
    """L73: a treatment end before the accident (found at step 7, L16) decides INVALID_VALUE,
    which the registry lists once, at step 1, with one clause."""
    entries = [r for r in reasons.REASON_TABLE if r.code == "INVALID_VALUE"]
    assert len(entries) == 1 and entries[0].step == 1 and entries[0].clause
    assert reasons.STEP_OF["INVALID_VALUE"] == 1
    late = dis("c1", day(T1, 3), 5, ended=day(T1, 2))
    assert single(late, [first()]) == pending("INVALID_VALUE")


def test_L74_the_area_prefix_is_a_code_constant_not_a_dated_figure() -> None:
    """L74: 3207 (Lianyungang) lives in the code and is not one of the dated parameters."""
    from aidctl.core.enrollment import LIANYUNGANG_REGION_PREFIX

    assert LIANYUNGANG_REGION_PREFIX == "3207"
    version = POLICY.at(dt.date(2026, 1, 1))
    assert all("3207" not in str(v) for v in version.values.values())
