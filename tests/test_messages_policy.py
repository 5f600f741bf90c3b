"""Messages from the policy in force (issue 9, item 4; L70, L95).

Why: a sentence a clerk reads carries the plan's figures (the grades covered, the month of
A3.3, the term of a temporary, the individual share …). They must be those of the parameter
version in force for the claim or the unit (D9) in the parameter file the command was given,
never the bundled file's defaults. The parameter file here holds the plan's own version and a
second one from 2026-01-01 whose figures all differ, so each sentence shows which it read.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import openpyxl
import polars as pl
import pytest
import scenario_world

from aidctl import api
from aidctl.plan import load_policy
from aidctl.plan.params import Policy, default_policy_path
from aidctl.reports.explain import explain
from aidctl.reports.findings_text import with_messages

PLAN = "2018-95"
OTHER = "2026-test"
OTHER_FROM = dt.date(2026, 1, 1)
AS_OF = dt.date(2026, 5, 20)


def _other_version(text: str) -> str:
    """The plan's version block with other figures: share 25%, temporaries over 6 months,
    death within 2 months, 800 yuan for grade 10, 40% in the reduced period."""
    block = text[text.index("\n[[version]]\n") + 1 : text.index("\n[catalogue]\n")]
    block = block[: block.rindex("\n# ")] if "\n# The 27" in block else block
    changes = [
        (r'id = "2018-95"', f'id = "{OTHER}"'),
        (r"effective_from = \d{4}-\d{2}-\d{2}", f"effective_from = {OTHER_FROM}"),
        (r"individual_share_max_pct = \{ value = 20", "individual_share_max_pct = { value = 25"),
        (
            r"temporary_min_months_exclusive = \{ value = 12",
            "temporary_min_months_exclusive = { value = 6",
        ),
        (r"death_within_months = \{ value = 1,", "death_within_months = { value = 2,"),
        (r", 10 = 500 \}", ", 10 = 800 }"),
        (r"reduced_pct = \{ value = 30", "reduced_pct = { value = 40"),
    ]
    for pattern, new in changes:
        block, n = re.subn(pattern, new, block)
        assert n == 1, pattern  # the bundled file changed shape: update this test
    return block


@pytest.fixture(scope="module")
def policy_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    text = default_policy_path().read_text(encoding="utf-8")
    at = text.index("\n[catalogue]\n")
    at = text.rindex("\n\n", 0, at) + 1  # before the comment that opens the catalogue
    path = tmp_path_factory.mktemp("policy") / "plan-2026.toml"
    path.write_text(text[:at] + "\n" + _other_version(text) + "\n" + text[at:], encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def policy(policy_file: Path) -> Policy:
    loaded = load_policy(policy_file)
    assert [v.id for v in loaded.versions] == [PLAN, OTHER]
    return loaded


def _decision(code: str, version: str, **extra: object) -> dict[str, object]:
    return {"reason_code": code, "amount": 0, "policy_version": version, **extra}


# ---- the sentence of a decision (reports/explain.py) ------------------------------------


@pytest.mark.parametrize(
    ("code", "extra", "plan_zh", "other_zh", "other_en"),
    [
        (
            "DEATH_NOT_WITHIN_MONTH",
            {"detail": "2026-05-15"},
            "事故后一个月",
            "事故后2个月",
            "than 2 months after",
        ),
    ],
)
def test_l70_explain_shows_the_figures_of_the_decisions_version(
    policy: Policy, code: str, extra: dict[str, object], plan_zh: str, other_zh: str, other_en: str
) -> None:
    """A3.3, D7, L70: the sentence reads the version the decision names, in the policy the
    caller gives — both versions of one file, each its own figures."""
    plan = explain(_decision(code, PLAN, **extra), policy.catalogue, "zh", policy=policy)
    other = explain(_decision(code, OTHER, **extra), policy.catalogue, "zh", policy=policy)
    assert plan_zh in plan and other_zh not in plan
    assert other_zh in other and plan_zh not in other
    english = explain(_decision(code, OTHER, **extra), policy.catalogue, "en", policy=policy)
    assert other_en in english


def test_l70_explain_without_a_policy_reads_the_bundled_file(policy: Policy) -> None:
    """L70: with no policy given, the bundled file — a version it lacks falls to its latest."""
    text = explain(_decision("DEATH_NOT_WITHIN_MONTH", OTHER), policy.catalogue, "zh")
    assert "事故后一个月" in text


def test_l70_api_explain_sentence_threads_the_policy(policy: Policy) -> None:
    """The api's sentence (what `aidctl explain` prints) reads the policy it is given."""
    decision = _decision("DEATH_NOT_WITHIN_MONTH", OTHER, claim_type="accident_death")
    assert "2 months" in api.explain_sentence(decision, policy, "en")


# ---- the texts of findings (reports/findings_text.py) -----------------------------------


def _findings(rows: list[tuple[str, str, str]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "sheet": ["参保职工"] * len(rows),
            "row": list(range(2, 2 + len(rows))),
            "column": [None] * len(rows),
            "unit_code": [r[0] for r in rows],
            "id_number": [None] * len(rows),
            "code": [r[1] for r in rows],
            "severity": ["error"] * len(rows),
            "value": [r[2] for r in rows],
        },
        schema_overrides={"column": pl.Utf8, "id_number": pl.Utf8},
    )


def test_l95_each_finding_reads_its_units_version(policy: Policy) -> None:
    """E1, A4.2, L95: each row's figures are those of its unit's version; a row whose unit
    has none reads the version the caller names (the one in force on the as-of day)."""
    findings = _findings(
        [
            ("U18", "INELIGIBLE_TEMPORARY", "6"),
            ("U26", "INELIGIBLE_TEMPORARY", "6"),
            ("U18", "INDIVIDUAL_SHARE_ABOVE_20", "30"),
            ("U26", "INDIVIDUAL_SHARE_ABOVE_20", "30"),
            ("NONE", "INELIGIBLE_TEMPORARY", "6"),
        ]
    )
    units = pl.DataFrame({"unit_code": ["U18", "U26"], "policy_version": [PLAN, OTHER]})
    zh = with_messages(findings, "zh", policy=policy, units=units, version=PLAN)["message"]
    assert "未超过一年" in zh[0] and "未超过6个月" in zh[1]
    assert "高于20%" in zh[2] and "按8:2分担" in zh[2]
    assert "高于25%" in zh[3] and "按7.5:2.5分担" in zh[3]
    assert "未超过一年" in zh[4]
    en = with_messages(findings, "en", policy=policy, units=units, version=OTHER)["message"]
    assert "one year" in en[0] and "6 months" in en[1] and "6 months" in en[4]
    # no units, no version: the policy's latest (the other one)
    assert "未超过6个月" in with_messages(findings, "zh", policy=policy)["message"][0]


def test_l95_findings_without_units_keep_their_rows(policy: Policy) -> None:
    """L95: the version lookup neither adds nor drops rows (one unit listed twice)."""
    findings = _findings([("U1", "INELIGIBLE_TEMPORARY", "6")] * 3)
    units = pl.DataFrame({"unit_code": ["U1", "U1"], "policy_version": [OTHER, PLAN]})
    out = with_messages(findings, "zh", policy=policy, units=units)
    assert out.height == 3 and out.columns == [*findings.columns, "message"]
    assert out["message"].str.contains("6个月").all()
    empty = with_messages(findings.clear(), "zh", policy=policy, units=units)
    assert empty.height == 0 and "message" in empty.columns


# ---- through the api: the policy file given to a command --------------------------------


def _units_book(path: Path, temporaries: bool, share: int) -> Path:
    """U18 under the plan's version (2025-06-01), U26 under the other (2026-03-01)."""
    units, members = [], []
    for code, start, first in (("U18", "2025-06-01", 1), ("U26", "2026-03-01", 11)):
        day = dt.date.fromisoformat(start)
        units.append(
            scenario_world.unit_row(
                {
                    "unit_code": code,
                    "total_staff": 2,
                    "effective_date": day,
                    "individual_share_pct": share,
                }
            )
        )
        members += [
            {
                "employment_type": "正式",
                **scenario_world.member_row({"unit_code": code, "member": n}),
            }
            for n in (first, first + 1)
        ]
        if temporaries:
            members.append(
                scenario_world.member_row(
                    {
                        "unit_code": code,
                        "member": first + 2,
                        "employment_type": "临时",
                        "engagement_months": 6,
                    }
                )
            )
    return scenario_world.write_book(
        path,
        {
            "参保单位": (scenario_world.UNIT_HEADERS, units),
            "参保职工": (scenario_world.MEMBER_HEADERS, members),
        },
    )


def test_l95_enrolment_texts_through_the_api(policy_file: Path, tmp_path: Path) -> None:
    """E1, A4.2, L95: `validate-enrollment --policy FILE` — the JSON's member issues and the
    report's Issues sheet show each unit's version's figures."""
    book = _units_book(tmp_path / "units.xlsx", temporaries=True, share=30)
    outcome = api.validate_enrollment(
        book, db=tmp_path / "r.sqlite3", as_of=AS_OF, policy=policy_file
    )
    issues = {(i["unit_code"], i["code"]): i["message"] for i in outcome.to_json()["member_issues"]}
    assert "未超过一年" in issues[("U18", "INELIGIBLE_TEMPORARY")]
    assert "未超过6个月" in issues[("U26", "INELIGIBLE_TEMPORARY")]
    report = api.write_report(outcome, tmp_path / "check.xlsx")[0]
    book_read = openpyxl.load_workbook(report, read_only=True)
    texts = [
        " ".join(str(c) for c in row if c is not None)
        for row in book_read["问题明细"].iter_rows(values_only=True)
    ]
    book_read.close()
    share = {code: t for t in texts for code in ("U18", "U26") if code in t and "个人分担" in t}
    assert "高于20%" in share["U18"] and "高于25%" in share["U26"]
    assert any("U26" in t and "未超过6个月" in t for t in texts)


def test_l70_decision_texts_through_the_api(policy_file: Path, tmp_path: Path) -> None:
    """A5.3, A3.3, D9, L70: `adjudicate --policy FILE` — a claim under the other version's
    contract is paid and told its amount (800 for grade 10) and its month (2); the same grade
    under the plan's version is 500; `explain` says the same sentences."""
    db = tmp_path / "r.sqlite3"
    api.enroll(_units_book(tmp_path / "u.xlsx", False, 20), db=db, as_of=AS_OF, policy=policy_file)
    claims = [
        {
            "claim_id": "C18",
            "member": 1,
            "type": "disability",
            "accident_date": dt.date(2025, 9, 1),
        },
        {
            "claim_id": "C26",
            "member": 11,
            "type": "disability",
            "accident_date": dt.date(2026, 3, 5),
        },
    ]
    for claim in claims:
        claim.update(disability_grade=10, treatment_end_date=dt.date(2026, 4, 1))
    claims.append(
        {
            "claim_id": "D26",
            "member": 12,
            "type": "death",
            "accident_date": dt.date(2026, 3, 5),
            "death_date": dt.date(2026, 5, 15),
        }
    )
    book = scenario_world.write_book(
        tmp_path / "claims.xlsx",
        {
            "理赔申请": (
                scenario_world.CLAIM_HEADERS,
                [scenario_world.claim_row(c) for c in claims],
            )
        },
    )
    outcome = api.adjudicate(book, db=db, as_of=AS_OF, policy=policy_file)
    got = {c["claim_id"]: c for c in outcome.to_json()["claims"]}
    assert (got["C18"]["status"], got["C18"]["amount"]) == ("approved", 500)
    assert "= 500元" in got["C18"]["message"]
    assert (got["C26"]["status"], got["C26"]["amount"]) == ("approved", 800)
    assert "伤残10级 = 800元" in got["C26"]["message"]
    assert got["D26"]["reason_code"] == "DEATH_NOT_WITHIN_MONTH"
    assert "事故后2个月" in got["D26"]["message"]
    shown = api.explain("D26", db=db, policy=policy_file)
    sentences = [api.explain_sentence(r, shown.policy, "zh") for r in shown.rows]
    assert sentences and all("事故后2个月" in s for s in sentences)
