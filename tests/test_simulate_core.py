"""`simulate`: what a proposed parameter set would have paid (A5.6, D9, L84).

Why these tests: before the board adjusts benefits (A5.6) it must see what the proposal
would have cost on the claims it already knows, decided exactly as `adjudicate` decides
them. So the comparison must (1) run the calculator itself — a proposal equal to the
parameters in force changes nothing, and its "before" side is `decide_claims`'s own answer;
(2) move exactly the claims the change reaches — doubling the class-1 amount (A5.1, with the
same-disease cap raised too, as L13 requires cap ≥ class 1) changes the class-1 full-benefit
claims by exactly their amount and nothing else: not the consolation (A5.2b), not the
class-2 or reduced-period claims, not the accidents.
"""

from __future__ import annotations

import copy
import datetime as dt
import tomllib

import polars as pl
from claim_strategies import (
    RandomChooser,
    build_world,
    claim_row,
    claims_frame,
    default_policy,
    history_frame,
    history_row,
    make_id_number,
    spell_row,
    spells_frame,
)

from aidctl.core.claims import decide_claims
from aidctl.core.simulate import side, simulate
from aidctl.plan.params import Policy, default_policy_path, parse_policy

AS_OF = dt.date(2025, 12, 31)
TERM = dt.date(2025, 1, 1)


def proposal(**illness: int) -> Policy:
    """plan.toml with the illness amounts of its (only) version changed (A5.6)."""
    with default_policy_path().open("rb") as fh:
        raw = tomllib.load(fh)
    raw = copy.deepcopy(raw)
    for version in raw["version"]:
        for key, value in illness.items():
            version["illness"][key]["value"] = value
    return parse_policy(raw, "<proposal>")


def world() -> tuple[pl.DataFrame, pl.DataFrame, dict[str, str]]:
    """Claims of every benefit line; returns claims, spells and claim_id → what it is."""
    ids = [make_id_number(i) for i in range(9)]
    spells = [spell_row(ids[i], f"职工{i}", "U01", TERM, first_time=i in (4, 5)) for i in range(8)]
    day = TERM + dt.timedelta(days=200)
    ci = "critical_illness"
    rows = [
        ("K0", 0, ci, {"disease": "C1-01", "diagnosis_date": day}, "class1 full"),
        ("K1", 1, ci, {"disease": "C2-01", "diagnosis_date": day}, "class2 full"),
        ("K2", 2, ci, {"disease": "C1-03", "diagnosis_date": day}, "class1 full"),
        (
            "K3",
            2,
            "accident_disability",
            {
                "accident_date": day,
                "disability_grade": 5,
                "treatment_end_date": day + dt.timedelta(days=30),
            },
            "disability",
        ),
        (
            "K4",
            3,
            "accident_death",
            {"accident_date": day, "death_date": day + dt.timedelta(days=3)},
            "death",
        ),
        # D4: day 30 of a first-time spell (exemption), day 100 (reduced)
        (
            "K5",
            4,
            ci,
            {"disease": "C1-02", "diagnosis_date": TERM + dt.timedelta(days=29)},
            "consolation",
        ),
        (
            "K6",
            5,
            ci,
            {"disease": "C2-04", "diagnosis_date": TERM + dt.timedelta(days=99)},
            "class2 reduced",
        ),
        ("K7", 6, ci, {"disease": "高血压", "diagnosis_date": day}, "unlisted"),
        ("K8", 8, ci, {"disease": "C1-01", "diagnosis_date": day}, "no cover"),
    ]
    claims = [
        claim_row(cid, ids[who], f"职工{who}", ctype, row=n + 2, **fields)
        for n, (cid, who, ctype, fields, _what) in enumerate(rows)
    ]
    return (
        claims_frame(claims),
        spells_frame(spells),
        {cid: what for cid, _w, _t, _f, what in rows},
    )


def test_doubling_class_1_changes_exactly_the_class_1_full_benefits_A5_1() -> None:
    """A5.1, A5.6, L13: class 1 at 30,000 (cap 30,000): the class-1 FULL_BENEFIT claims
    each change by exactly their amount; the consolation (A5.2b), class 2 full and reduced
    (A5.2a), accidents (A5.3, A5.4), a rejection and a claim without cover do not."""
    claims, spells, what = world()
    now = default_policy()
    sim = simulate(
        claims,
        spells,
        history_frame([]),
        now,
        proposal(class1_amount=30_000, same_disease_cap=30_000),
        AS_OF,
        earned=100_000,
    )
    rows = {r["claim_id"]: r for r in sim.claims.iter_rows(named=True)}
    expected_reasons = {
        "class1 full": "FULL_BENEFIT",
        "class2 full": "FULL_BENEFIT",
        "disability": "DISABILITY_GRADE",
        "death": "ACCIDENTAL_DEATH",
        "consolation": "CONSOLATION",
        "class2 reduced": "REDUCED_30",
        "unlisted": "DISEASE_NOT_LISTED",
        "no cover": "NO_COVERAGE",
    }
    for cid, r in rows.items():
        assert r["before_reason_code"] == expected_reasons[what[cid]], cid  # the world is right
    changed = set(sim.changed["claim_id"].to_list())
    assert changed == {cid for cid, w in what.items() if w == "class1 full"}
    for cid in changed:
        r = rows[cid]
        assert (r["before_amount"], r["after_amount"]) == (15_000, 30_000)
        assert r["difference"] == r["before_amount"]
        assert r["after_reason_code"] == "FULL_BENEFIT"
        assert (r["before_benefit"], r["after_benefit"]) == ("critical_illness_1",) * 2
    for cid in set(rows) - changed:
        assert rows[cid]["difference"] == 0, cid
    totals = {r["benefit"]: r for r in sim.totals.iter_rows(named=True)}
    assert totals["critical_illness_1"]["difference"] == 30_000
    assert (
        totals["critical_illness_1"]["before_count"] == totals["critical_illness_1"]["after_count"]
    )
    assert all(r["difference"] == 0 for b, r in totals.items() if b != "critical_illness_1")
    assert sim.difference == 30_000
    assert sim.paid_before == sum(r["before_amount"] for r in rows.values())
    assert sim.loss_ratio_before == sim.paid_before / 100_000
    assert sim.loss_ratio_after == sim.paid_after / 100_000
    # both sides can be put in words at the edge (aidctl.reports.explain reads these)
    before = side(rows["K0"], "before")
    assert (before["reason_code"], before["amount"], before["base_amount"]) == (
        "FULL_BENEFIT",
        15_000,
        15_000,
    )
    assert side(rows["K0"], "after")["base_amount"] == 30_000


def test_a_proposal_equal_to_the_policy_changes_nothing_D9() -> None:
    """D9, L84: the same parameters give the same decisions, claim by claim, on a world of
    every boundary the calculator turns on; the before side is decide_claims's own answer."""
    # a small seeded world (building one reads every diagnosis: a few seconds)
    w = build_world(RandomChooser(1812), members=8, claims_per_member=4)
    claims, spells, history = w.frames()
    sim = simulate(claims, spells, history, w.policy, w.policy, w.as_of)
    assert sim.claims.height == claims.height
    assert set(sim.claims["before_status"]) == {"approved", "rejected", "pending"}
    assert sim.changed.is_empty()
    assert sim.difference == 0
    assert sim.loss_ratio_before is None  # no earned figure given
    prior = history.join(claims.select("claim_id").unique(), on="claim_id", how="anti")
    direct = decide_claims(claims, spells, prior, w.policy, w.as_of)
    assert sim.claims["before_amount"].to_list() == direct["amount"].to_list()
    assert sim.claims["before_reason_code"].to_list() == direct["reason_code"].to_list()


def test_earlier_decisions_of_the_same_claims_are_left_out_L84() -> None:
    """L84, L3: a register row of a claim being re-decided would make it ALREADY_DECIDED and
    pay 0 on both sides; simulate leaves such rows out, so the claim is priced afresh."""
    claims, spells, _what = world()
    k0 = claims.row(0, named=True)
    history = history_frame(
        [
            history_row(
                "K0",
                k0["id_number"],
                "critical_illness",
                event_date=k0["diagnosis_date"],
                reason_code="FULL_BENEFIT",
                amount=15_000,
                period="full",
                disease_code="C1-01",
                contract_no=f"U01-{TERM:%Y%m%d}",
                term_start=TERM,
                content=k0["content"],
            )
        ]
    )
    sim = simulate(claims, spells, history, default_policy(), default_policy(), AS_OF)
    row = sim.claims.filter(pl.col("claim_id") == "K0").row(0, named=True)
    assert (row["before_reason_code"], row["before_amount"]) == ("FULL_BENEFIT", 15_000)
