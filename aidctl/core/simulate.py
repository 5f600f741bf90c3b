"""What a proposed parameter set would have cost: every claim decided twice (A5.6, D9). Pure.

The board adjusts benefits according to the fund's finances (A5.6); before it does, it asks
what the proposal would have paid on the claims it already knows. `simulate` runs the one
calculator, `aidctl.core.claims.decide_claims` — the same function, never a copy, so the
comparison cannot drift from what `adjudicate` does — once under the parameters in force and
once under the proposal, on the same stored facts, and sets the two side by side. Nothing is
written: the result is frames.

The sentence of each side is built at the edge (`aidctl.reports.explain`, which the core may
not import) from the decision figures this module returns for both sides: `side(row, "before")`
gives the dict `explain` takes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl

from aidctl.core.claims import decide_claims
from aidctl.core.fund import BENEFITS, loss_ratio, with_benefit
from aidctl.plan.params import Policy

# The decision columns each side keeps: what `explain` reads, and the figures the board sees.
SIDE_COLUMNS = (
    "status",
    "amount",
    "reason_code",
    "clause",
    "policy_version",
    "period",
    "cover_day",
    "base_amount",
    "pct",
    "cap_room",
    "detail",
    "disease_code",
    "disease_key",
    "disability_grade",
    "claim_type",
)
_SHARED = ("claim_id", "_row", "id_number", "unit_code", "claim_type", "event_date")


@dataclass(frozen=True)
class Simulation:
    """Both decisions of every claim, and the totals each way (L84)."""

    as_of: dt.date
    claims: pl.DataFrame  # one row per claim row: before_* and after_*, changed, difference
    totals: pl.DataFrame  # per benefit line: count and amount before and after, difference
    paid_before: int
    paid_after: int
    earned: int | None
    loss_ratio_before: float | None
    loss_ratio_after: float | None

    @property
    def difference(self) -> int:
        return self.paid_after - self.paid_before

    @property
    def changed(self) -> pl.DataFrame:
        """The claims whose decision or amount would change."""
        return self.claims.filter(pl.col("changed"))


def side(row: dict[str, Any], which: str) -> dict[str, Any]:
    """One side of a comparison row as the decision dict `aidctl.reports.explain` reads."""
    out = {k: row.get(k) for k in _SHARED}
    out.update({k: row[f"{which}_{k}"] for k in SIDE_COLUMNS})
    return out


def simulate(
    claims: pl.DataFrame,
    spells: pl.DataFrame,
    history: pl.DataFrame,
    policy_now: Policy,
    policy_proposed: Policy,
    as_of: dt.date,
    *,
    earned: int | None = None,
) -> Simulation:
    """Decide `claims` under both parameter sets and compare (A5.6, D9, L84).

    `claims`, `spells` and `history` are the frames `decide_claims` takes. `history` should
    hold the register's decisions made before the claims re-decided here: a row of one of
    these claim_ids would make the claim `ALREADY_DECIDED` (L3) on both sides and hide its
    cost, so such rows are left out here (L84). `earned` (whole yuan, `aidctl.core.fund.earned`
    over the same period) gives the loss ratio each way; None leaves the ratios None.
    """
    ids = claims.select("claim_id").unique()
    prior = history.join(ids, on="claim_id", how="anti")
    before = decide_claims(claims, spells, prior, policy_now, as_of)
    after = decide_claims(claims, spells, prior, policy_proposed, as_of)
    keep = list(SIDE_COLUMNS)
    left = before.select(
        "claim_id",
        "_row",
        "id_number",
        "unit_code",
        "claim_type",
        "event_date",
        *[pl.col(k).alias(f"before_{k}") for k in keep],
    )
    right = after.select("_row", *[pl.col(k).alias(f"after_{k}") for k in keep])
    both = left.join(right, on="_row", how="left", maintain_order="left")
    diff_amount = pl.col("after_amount") - pl.col("before_amount")
    both = both.with_columns(
        (
            pl.col("before_status").ne_missing(pl.col("after_status"))
            | pl.col("before_reason_code").ne_missing(pl.col("after_reason_code"))
            | pl.col("before_amount").ne_missing(pl.col("after_amount"))
        ).alias("changed"),
        diff_amount.alias("difference"),
    )
    both = _with_benefits(both, policy_now, "before")
    both = _with_benefits(both, policy_proposed, "after")
    totals = _totals(both)
    paid_before = int(totals["before_amount"].sum() or 0)
    paid_after = int(totals["after_amount"].sum() or 0)
    return Simulation(
        as_of=as_of,
        claims=both,
        totals=totals,
        paid_before=paid_before,
        paid_after=paid_after,
        earned=earned,
        loss_ratio_before=None if earned is None else loss_ratio(paid_before, earned),
        loss_ratio_after=None if earned is None else loss_ratio(paid_after, earned),
    )


def _with_benefits(both: pl.DataFrame, policy: Policy, which: str) -> pl.DataFrame:
    """The benefit line of one side (class 1 / 2, consolation, disability, death)."""
    view = both.select(
        "_row",
        pl.col(f"{which}_claim_type").alias("claim_type"),
        pl.col(f"{which}_disease_code").alias("disease_code"),
        pl.col(f"{which}_reason_code").alias("reason_code"),
    )
    lines = with_benefit(view, policy.catalogue).select(
        "_row", pl.col("benefit").alias(f"{which}_benefit")
    )
    return both.join(lines, on="_row", how="left", maintain_order="left")


def _totals(both: pl.DataFrame) -> pl.DataFrame:
    """Approved claims with an amount, counted and summed per benefit line, each way."""

    def one(which: str) -> pl.DataFrame:
        paid = both.filter(
            (pl.col(f"{which}_status") == "approved") & (pl.col(f"{which}_amount") > 0)
        )
        return paid.group_by(pl.col(f"{which}_benefit").alias("benefit")).agg(
            pl.len().cast(pl.Int64).alias(f"{which}_count"),
            pl.col(f"{which}_amount").sum().cast(pl.Int64).alias(f"{which}_amount"),
        )

    lines = pl.DataFrame({"benefit": list(BENEFITS)}, schema={"benefit": pl.Utf8})
    b, a = one("before"), one("after")
    extra = pl.concat([b.select("benefit"), a.select("benefit")]).unique()
    lines = pl.concat([lines, extra.join(lines, on="benefit", how="anti")])
    out = lines.join(b, on="benefit", how="left", maintain_order="left").join(
        a, on="benefit", how="left", maintain_order="left"
    )
    figures = ["before_count", "before_amount", "after_count", "after_amount"]
    return out.with_columns(pl.col(figures).fill_null(0).cast(pl.Int64)).with_columns(
        (pl.col("after_amount") - pl.col("before_amount")).alias("difference")
    )
