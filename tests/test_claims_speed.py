"""The calculator's shortcuts for speed give the same answers as the plain ways they replace.

`aidctl.core.claims` orders the live claims by sorting integers (a hash of the id_number)
instead of strings, looks for repeated claim_ids by sorted hashes before building a hash
table of strings, finds a claim's spell and reading by hashes checked value by value,
places what a lookup found by position, attaches nothing when a lookup is empty, and `first_match`
(`aidctl.core.reasons`) carries a test's index through its chain instead of its code. Each
is checked here against the slower, obvious computation (step 10's order, L2's repeats,
rules.md's "the first rule that decides wins").
"""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from aidctl.core.claims import _attach, _find, _place, _ranks_in_order, _sharing
from aidctl.core.reasons import CI, DEATH, DISABILITY, Step, StepInputs, first_match
from aidctl.plan.causes import load_causes

_DAY = dt.date(2026, 1, 1)

_claim = st.tuples(
    st.sampled_from(["320705198001010011", "320705198001010029", "11010519491231002X"]),
    st.sampled_from([CI, DISABILITY, DEATH]),
    st.integers(0, 3),  # days after _DAY: few, so that one member has several on one day
)


def _live(rows: list[tuple[str, str, int]]) -> pl.DataFrame:
    n = len(rows)
    return pl.DataFrame(
        {
            "claim_id": [f"C{(7 * i) % (n + 3):04d}-{i}" for i in range(n)],
            "id_number": [r[0] for r in rows],
            "claim_type": [r[1] for r in rows],
            "event_date": [_DAY + dt.timedelta(days=r[2]) for r in rows],
        },
        schema={
            "claim_id": pl.Utf8,
            "id_number": pl.Utf8,
            "claim_type": pl.Utf8,
            "event_date": pl.Date,
        },
    )


def _expected_ranks(live: pl.DataFrame) -> dict[int, int]:
    """Step 10's order, the plain way: per member and kind, by (event date, claim_id)."""
    keyed = live.with_row_index("_p").with_columns(_ci=pl.col("claim_type") == CI)
    ranked = keyed.sort(["id_number", "_ci", "event_date", "claim_id"]).with_columns(
        _rank=pl.int_range(1, pl.len() + 1).over("id_number", "_ci")
    )
    return dict(zip(ranked["_p"].to_list(), ranked["_rank"].to_list(), strict=True))


@settings(max_examples=60, deadline=None)
@given(st.lists(_claim, max_size=25))
def test_step10_order_by_hashes_is_the_order_by_strings(rows: list[tuple[str, str, int]]) -> None:
    """Step 10 (each member's claims by event date, then claim_id; a member's critical
    illnesses and accidents apart): the integer sort, made exact among neighbours, ranks
    every claim as the sort of the strings does, ties on one day included."""
    live = _live(rows)
    fast = _ranks_in_order(live)
    slow = _ranks_in_order(live, by_strings=True)
    expected = _expected_ranks(live)
    for ranks in (fast, slow):
        assert dict(zip(ranks["_p"].to_list(), ranks["_rank"].to_list(), strict=True)) == expected
        assert ranks["_rank"].is_sorted()


def test_step10_order_puts_one_days_claims_in_claim_id_order() -> None:
    """Step 10: three claims of one member on one day are ranked by claim_id, whatever
    their order in the file; an accident of that day is ranked apart (rank 1)."""
    live = pl.DataFrame(
        {
            "claim_id": ["C3", "C1", "C2", "C0"],
            "id_number": ["320705198001010011"] * 4,
            "claim_type": [CI, CI, CI, DISABILITY],
            "event_date": [_DAY] * 4,
        }
    )
    ranks = _ranks_in_order(live)
    got = dict(zip(ranks["_p"].to_list(), ranks["_rank"].to_list(), strict=True))
    assert got == {1: 1, 2: 2, 0: 3, 3: 1}


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(["a", "b", "c", None]), st.integers(0, 2)), max_size=12),
    st.lists(st.tuples(st.sampled_from(["a", "b", "d", None]), st.integers(0, 2)), max_size=8),
)
def test_find_by_hashes_is_the_join_on_the_values(
    left_rows: list[tuple[str | None, int]], right_rows: list[tuple[str | None, int]]
) -> None:
    """D10, step 4 (L6): the position found by the keys' hashes is the row a left join on
    the values finds (a blank equals a blank); when two rows of the right share a key
    there is no single answer and `_find` says so (None), so the caller joins."""
    schema = {"k": pl.Utf8, "g": pl.Int64}
    left = pl.DataFrame(left_rows, schema=schema, orient="row")
    right = pl.DataFrame(right_rows, schema=schema, orient="row")
    for on in (["k"], ["k", "g"]):
        found = _find(left, right, on)
        if right.select(on).is_duplicated().any():
            assert found is None
            continue
        assert found is not None
        joined = left.with_row_index("_l").join(
            right.with_row_index("_r"), on=on, how="left", nulls_equal=True
        )
        expected = dict(zip(joined["_l"].to_list(), joined["_r"].to_list(), strict=True))
        assert found.to_list() == [expected[i] for i in range(left.height)]


def test_place_puts_each_found_row_at_its_position() -> None:
    """What a lookup found lands on the rows it names, empty elsewhere, in the frame's order."""
    frame = pl.DataFrame({"x": ["a", "b", "c"]})
    found = pl.DataFrame(
        {"_i": [2, 0], "_flag": [True, False], "_t": ["z", "y"]},
        schema={"_i": pl.UInt32, "_flag": pl.Boolean, "_t": pl.Utf8},
    )
    out = _place(frame, found)
    assert out["_flag"].to_list() == [False, None, True]
    assert out["_t"].to_list() == ["y", None, "z"]
    empty = _place(frame, found.clear())
    assert empty.schema == {"x": pl.Utf8, "_flag": pl.Boolean, "_t": pl.Utf8}
    assert empty["_t"].to_list() == [None, None, None]


def test_attach_of_nothing_adds_empty_columns_of_their_types() -> None:
    """An empty lookup (an empty register) adds its columns, empty, without a join."""
    frame = pl.DataFrame({"_row": [2, 3], "x": ["a", "b"]})
    empty = pl.DataFrame(schema={"_row": pl.Int64, "_flag": pl.Boolean, "_n": pl.Int64})
    out = _attach(frame, empty, "_row")
    assert out.schema == {"_row": pl.Int64, "x": pl.Utf8, "_flag": pl.Boolean, "_n": pl.Int64}
    assert out["_flag"].to_list() == [None, None]
    found = _attach(frame, pl.DataFrame({"_row": [3], "_flag": [True], "_n": [7]}), "_row")
    assert found["_flag"].to_list() == [None, True]
    assert found["_n"].to_list() == [None, 7]


def _steps() -> tuple[Step, ...]:
    return (
        Step("FIRST", 1, "t", lambda i: pl.col("a") > 2, "x"),
        Step("SECOND", 1, "t", lambda i: pl.col("b"), "x"),  # null: does not hold
        Step("THIRD", 1, "t", lambda i: pl.col("a") == 1, "x"),
    )


def _plain_chain(steps: tuple[Step, ...], inputs: StepInputs, otherwise: pl.Expr) -> pl.Expr:
    chain = otherwise
    for s in reversed(steps):
        chain = pl.when(s.test(inputs)).then(pl.lit(s.code)).otherwise(chain)
    return chain


def test_first_match_is_the_first_test_that_holds() -> None:
    """rules.md "Deciding a claim": the first rule that decides wins; a blank test does not
    hold; with no test holding, `otherwise` (or nothing). Same as the chain of codes."""
    inputs = StepInputs(
        as_of=_DAY, causes=load_causes(), death_deadline=pl.lit(_DAY), grades=(1, 10)
    )
    frame = pl.DataFrame(
        {"a": [3, 1, 1, 0, None], "b": [True, None, True, False, None], "o": ["o"] * 5}
    )
    steps = _steps()
    got = frame.select(
        plain=first_match(steps, inputs),
        other=first_match(steps, inputs, otherwise=pl.col("o")),
        none=first_match((), inputs),
        ref=_plain_chain(steps, inputs, pl.lit(None, pl.Utf8)),
        ref_other=_plain_chain(steps, inputs, pl.col("o")),
    )
    assert got["plain"].to_list() == ["FIRST", "THIRD", "SECOND", None, None]
    assert got["plain"].to_list() == got["ref"].to_list()
    assert got["other"].to_list() == ["FIRST", "THIRD", "SECOND", "o", "o"]
    assert got["other"].to_list() == got["ref_other"].to_list()
    assert got["none"].to_list() == [None] * 5
    assert got.schema["plain"] == pl.Utf8


def test_cover_found_alike_with_one_spell_per_member_or_several() -> None:
    """Step 4 (A2.1, D3, L6): with one spell per member the cover is found by one left join;
    with a member holding two spells, by the general way. Adding a second spell to a member
    who has no claim changes nothing for anyone else's decision; the covered, uncovered and
    unknown members are decided as before."""
    from claim_strategies import (
        claim_row,
        claims_frame,
        default_policy,
        history_frame,
        spell_row,
        spells_frame,
    )

    from aidctl.core.claims import decide_claims

    term = dt.date(2025, 1, 1)
    covered, late, unknown, other = (f"32070519800101{n:03d}{n % 10}" for n in (1, 2, 3, 4))
    spells = [
        spell_row(covered, "张三", "U1", term, first_time=False),
        spell_row(late, "李四", "U1", term, spell_start=dt.date(2025, 6, 1)),
        spell_row(other, "王五", "U2", term),
    ]
    claims = claims_frame(
        [
            claim_row(
                "C1",
                who,
                name,
                CI,
                row=i + 2,
                disease="尿毒症",
                diagnosis_date=dt.date(2025, 3, 1),
            )
            for i, (who, name) in enumerate([(covered, "张三"), (late, "李四"), (unknown, "赵六")])
        ]
    ).with_columns(claim_id=pl.Series(["C1", "C2", "C3"]))
    one_each = spells_frame(spells)
    assert _find(claims, one_each, ["id_number"]) is not None  # the way by position
    twice = spells_frame([*spells, spell_row(other, "王五", "U2", dt.date(2026, 1, 1))])
    assert _find(claims, twice, ["id_number"]) is None  # the general way
    policy, as_of = default_policy(), dt.date(2025, 12, 1)
    fast = decide_claims(claims, one_each, history_frame([]), policy, as_of)
    general = decide_claims(claims, twice, history_frame([]), policy, as_of)
    assert fast.equals(general)
    assert fast["contract_no"].to_list()[0] is not None
    assert fast["contract_no"].to_list()[1:] == [None, None]
    assert fast["reason_code"].to_list()[1:] == ["NO_COVERAGE", "NO_COVERAGE"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c", None]), st.integers(0, 2)), max_size=20))
def test_sharing_keeps_every_group_of_equal_keys_whole(rows: list[tuple[str | None, int]]) -> None:
    """L2, L4, A5.3: the rows that share a key (blank cells alike) are all kept, so that the
    repeats, duplicates and regrades found among them are those found among all rows."""
    frame = pl.DataFrame(
        {"_row": list(range(len(rows))), "k": [r[0] for r in rows], "g": [r[1] for r in rows]},
        schema={"_row": pl.Int64, "k": pl.Utf8, "g": pl.Int64},
    )
    for cols in (["k"], ["k", "g"]):
        kept = _sharing(frame, cols)
        dup = pl.col(cols[0]) if len(cols) == 1 else pl.struct(cols)
        expected = frame.filter(dup.is_duplicated())["_row"].to_list()
        assert set(expected) <= set(kept["_row"].to_list())
        # what is found among the kept rows is what is found among all rows
        assert sorted(kept.filter(dup.is_duplicated())["_row"].to_list()) == sorted(expected)


def test_first_match_of_the_registry_carries_the_codes_as_the_enum() -> None:
    """rules.md "Deciding a claim": the registry's own tests give their codes as
    `REASON_DTYPE` (integer work inside the calculator); the codes read the same as text,
    and the status and clause of each follow `REASON_TABLE` (L3's already-decided aside)."""
    from aidctl.core.reasons import REASON_DTYPE, REASON_OF, clause_expr, status_expr

    inputs = StepInputs(
        as_of=_DAY, causes=load_causes(), death_deadline=pl.lit(_DAY), grades=(1, 10)
    )
    steps = (
        Step("NO_COVERAGE", 4, "t", lambda i: pl.col("a") > 2, "x"),
        Step("FULL_BENEFIT", 6, "t", lambda i: pl.col("a") == 1, "x"),
    )
    frame = pl.DataFrame({"a": [3, 1, 0], "t": [CI, CI, DEATH]})
    got = frame.select(code=first_match(steps, inputs)).with_columns(
        status=status_expr(pl.col("code"), default="pending"),
        clause=clause_expr(pl.col("code"), pl.lit(CI)),
    )
    assert got.schema["code"] == REASON_DTYPE
    assert got["code"].cast(pl.Utf8).to_list() == ["NO_COVERAGE", "FULL_BENEFIT", None]
    assert got["status"].to_list() == [
        REASON_OF["NO_COVERAGE"].status,
        REASON_OF["FULL_BENEFIT"].status,
        "pending",
    ]
    assert got["clause"].to_list() == [
        REASON_OF["NO_COVERAGE"].clause,
        REASON_OF["FULL_BENEFIT"].clause,
        "",
    ]
