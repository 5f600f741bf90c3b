"""The fund: contributions against payouts, for the board (A5.6, issue 12). Pure.

The plan lets the board adjust benefits "according to the fund's finances" (A5.6); this
module gives those finances from what the register holds. Frames with the schemas below, a
window [start, end] (both days included) and the opening balance in; figures and frames
out. Every figure is a vectorised polars query; the only Python loops run over a handful of
groups (the exact sum of day fractions, `_round_fractions`), never over rows.

Readings (docs/rules.md):
- A4.1, E4: a contract's contribution is billed on its term's first day; an addition
  (a member added during the term) on its own `billed_on` day.
- D3, L81: earned = each contract's amount spread evenly over the days of its term, counted
  inclusively (2025-07-01 … 2026-06-30 is 365 days, a term over 02-29 366); an addition over
  its days from `billed_on` to its contract's last day. The fractions are summed exactly and
  rounded half up to whole yuan once, at the end of each figure.
- L25, L82: a payment belongs to the period of the as-of day of the run that decided it; a
  void (reversal) to the period of its own run, as a negative amount. `paid` is net of voids.
- L80: a unit's district is the region part of its credit code (districts.toml), or the
  contract's `district` column where the office keeps one.
- L83: members on a day and member-days follow the cover spells (L6: one spell per person
  and day); the loss ratio is net paid ÷ earned, both in whole yuan, None when nothing was
  earned; the reserve is the opening balance + everything collected − everything paid (net)
  up to the end day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

import polars as pl

from aidctl.plan.catalogue import Catalogue
from aidctl.plan.districts import OUTSIDE, UNKNOWN, Districts, load_districts

Schema = dict[str, pl.DataType | type[pl.DataType]]

# ---- input schemas (the register's service layer builds these frames)

CONTRACTS_SCHEMA: Schema = {
    "contract_no": pl.Utf8,
    "unit_code": pl.Utf8,
    "term_start": pl.Date,
    "term_end": pl.Date,
    "first_time": pl.Boolean,
    "eligible": pl.Int64,
    "contribution_total": pl.Int64,  # E4: eligible × contribution_per_member, whole yuan
    "imported": pl.Boolean,  # D5: taken over by `enroll --import`
    # optional: "district" (Utf8) — the office's own district of the unit (L80)
}
ADDITIONS_SCHEMA: Schema = {"contract_no": pl.Utf8, "amount": pl.Int64, "billed_on": pl.Date}
RECEIPTS_SCHEMA: Schema = {
    "unit_code": pl.Utf8,
    "amount": pl.Int64,
    "received_on": pl.Date,
    "reference": pl.Utf8,
}
SPELLS_SCHEMA: Schema = {
    "id_number": pl.Utf8,
    "contract_no": pl.Utf8,
    "unit_code": pl.Utf8,
    "spell_start": pl.Date,
    "term_end": pl.Date,
    "first_time": pl.Boolean,
}
DECISIONS_SCHEMA: Schema = {
    "decision_id": pl.Int64,
    "claim_id": pl.Utf8,
    "run_as_of": pl.Date,  # the as-of day of the run that decided it (L25)
    "status": pl.Utf8,
    "amount": pl.Int64,
    "reason_code": pl.Utf8,  # tells a consolation (A5.2b) from a benefit
    "claim_type": pl.Utf8,
    "disease_code": pl.Utf8,
    "disease_class": pl.Int64,  # null: taken from the catalogue by disease_code
    "unit_code": pl.Utf8,
    "event_date": pl.Date,
}
VOIDS_SCHEMA: Schema = {"decision_id": pl.Int64, "void_as_of": pl.Date, "amount": pl.Int64}
OPEN_SCHEMA: Schema = {
    "claim_id": pl.Utf8,
    "claim_type": pl.Utf8,
    "disease_code": pl.Utf8,
    "grade": pl.Int64,
    "max_cost": pl.Int64,  # the most it could cost under the parameters in force
}

CI = "critical_illness"
DISABILITY = "accident_disability"
DEATH = "accident_death"

# The benefit lines of the board's report (A5.1 class 1 / class 2, A5.2b, A5.3, A5.4).
CLASS_1 = "critical_illness_1"
CLASS_2 = "critical_illness_2"
CONSOLATION = "consolation"
UNCLASSIFIED = "critical_illness_unclassified"
BENEFITS = (CLASS_1, CLASS_2, CONSOLATION, DISABILITY, DEATH)

By = Literal["month", "district", "unit", "benefit"]


# ---------------------------------------------------------------------------------------
# Districts (L80)
# ---------------------------------------------------------------------------------------


def district_of(unit_code: pl.Expr, districts: Districts | None = None) -> pl.Expr:
    """The reporting district of a unit code, as one expression (L80).

    An 18-character credit code (GB 32100) carries its registration authority's region in
    characters 3–8. A region in districts.toml → its line (a former code → its successor's,
    where one took over the whole area); a 3207xx region the list does not hold, or a code
    shorter than 18 characters (an office's own numbering: it says nothing about the place)
    → `unknown`; an 18-character code from outside 3207 → `outside` (A1.1, L57).
    """
    table = districts or load_districts()
    mapping = table.report_map()
    code = unit_code.str.strip_chars()
    region = code.str.slice(2, 6)
    return (
        pl.when(code.is_null() | (code.str.len_chars() != 18))
        .then(pl.lit(UNKNOWN))
        .when(region.is_in(list(mapping)))
        .then(region.replace_strict(mapping, default=None, return_dtype=pl.Utf8))
        .when(region.str.starts_with("3207"))
        .then(pl.lit(UNKNOWN))
        .otherwise(pl.lit(OUTSIDE))
        .fill_null(pl.lit(UNKNOWN))
        .alias("district")
    )


def unit_districts(contracts: pl.DataFrame, districts: Districts | None = None) -> pl.DataFrame:
    """unit_code → district for every unit of `contracts` (L80).

    A `district` column, where the office keeps one, wins over the code: a district code or
    name of districts.toml is read as that line, any other text (徐圩新区, a functional zone
    the list does not hold) is its own line, as written. Of several contracts the latest
    non-empty one decides.
    """
    table = districts or load_districts()
    by_code = district_of(pl.col("unit_code"), table)
    units = contracts.select("unit_code", "term_start", *_opt(contracts, "district"))
    if "district" not in units.columns:
        return units.select("unit_code", by_code.alias("district")).unique("unit_code")
    names = {d.zh: d.report_as for d in table.districts}
    names.update({d.zh.split("（")[0]: d.report_as for d in table.districts})
    names.update({d.en: d.report_as for d in table.districts})
    names.update(table.report_map())
    written = pl.col("district").str.strip_chars()
    written = pl.when(written == "").then(None).otherwise(written)
    own = (
        units.with_columns(
            written.replace_strict(names, default=written, return_dtype=pl.Utf8).alias("_own")
        )
        .filter(pl.col("_own").is_not_null())
        .sort("term_start")
        .group_by("unit_code")
        .agg(pl.col("_own").last())
    )
    return (
        units.select("unit_code")
        .unique()
        .join(own, on="unit_code", how="left")
        .select("unit_code", pl.coalesce(pl.col("_own"), by_code).alias("district"))
    )


def _opt(frame: pl.DataFrame, *names: str) -> list[str]:
    return [n for n in names if n in frame.columns]


# ---------------------------------------------------------------------------------------
# Members (D6, L6)
# ---------------------------------------------------------------------------------------


def members_on(spells: pl.DataFrame, day: dt.date) -> pl.DataFrame:
    """Who is covered on `day`, under which contract, first-time or renewed (D6).

    A spell covers the days spell_start … term_end (L6); should two cover one person on the
    day (E3 refuses it at enrolment), the latest spell_start, then the greatest contract_no,
    is the one. `kind` is `first_time` for a first-time spell (D6), else `renewed`.
    """
    d = pl.lit(day)
    on = spells.filter((pl.col("spell_start") <= d) & (pl.col("term_end") >= d))
    return (
        on.sort(["id_number", "spell_start", "contract_no"], descending=[False, True, True])
        .unique("id_number", keep="first", maintain_order=True)
        .with_columns(
            kind=pl.when(pl.col("first_time").fill_null(False))
            .then(pl.lit("first_time"))
            .otherwise(pl.lit("renewed"))
        )
    )


def members_count(
    spells: pl.DataFrame,
    day: dt.date,
    by: Literal["unit", "district"] | None = None,
    districts_by_unit: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Members covered on `day`, first-time and renewed, in total or by unit or district.

    `districts_by_unit` is `unit_districts(contracts)`; without it the district is read from
    the unit code alone (L80).
    """
    on = members_on(spells, day)
    keys: list[str] = []
    if by == "unit":
        keys = ["unit_code"]
    elif by == "district":
        on = _with_district(on, districts_by_unit)
        keys = ["district"]
    counts = [
        pl.len().alias("members"),
        (pl.col("kind") == "first_time").sum().alias("first_time"),
        (pl.col("kind") == "renewed").sum().alias("renewed"),
    ]
    if not keys:
        return on.select(counts).with_columns(pl.col(pl.UInt32).cast(pl.Int64))
    return on.group_by(keys).agg(counts).sort(keys).with_columns(pl.col(pl.UInt32).cast(pl.Int64))


def _with_district(frame: pl.DataFrame, districts_by_unit: pl.DataFrame | None) -> pl.DataFrame:
    if districts_by_unit is None:
        return frame.with_columns(district_of(pl.col("unit_code")).alias("district"))
    return frame.join(districts_by_unit, on="unit_code", how="left").with_columns(
        pl.coalesce(pl.col("district"), district_of(pl.col("unit_code")))
    )


def _clip(start_col: str, end_col: str, start: dt.date, end: dt.date) -> list[pl.Expr]:
    """The part of [start_col, end_col] inside the window, as `_s`, `_e` (may be empty)."""
    return [
        pl.max_horizontal(pl.col(start_col), pl.lit(start)).alias("_s"),
        pl.min_horizontal(pl.col(end_col), pl.lit(end)).alias("_e"),
    ]


def _days(s: pl.Expr, e: pl.Expr) -> pl.Expr:
    """Days from s to e, both included; 0 when e is before s (D3: terms count inclusively)."""
    return ((e - s).dt.total_days() + 1).clip(lower_bound=0)


def exposure_days(spells: pl.DataFrame, start: dt.date, end: dt.date) -> int:
    """Member-days of cover in the window: the people covered, summed over its days (L83).

    The same count as the month lines (`coverage_by_day`), so that they add up to it; a
    person counts once a day (L6). The unit and district lines count each spell in its own
    unit.
    """
    return int(coverage_by_day(spells, start, end)["covered"].sum() or 0)


def coverage_by_day(spells: pl.DataFrame, start: dt.date, end: dt.date) -> pl.DataFrame:
    """People covered on every day of the window (`day`, `covered`), in order (L6, L83).

    Counted with a running sum of starts and ends, not by cutting spells into days or
    months: a spell adds one from its first day inside the window and takes it back the day
    after its last. One person's spells do not overlap (E3); should two consecutive ones do,
    the days they share are taken back once, so that a person counts once a day (L6).
    """
    s = spells.select("id_number", "spell_start", "term_end")
    shared = (
        s.sort("id_number", "spell_start")
        .with_columns(pl.col("term_end").shift(1).over("id_number").alias("_pe"))
        .filter(pl.col("_pe") >= pl.col("spell_start"))
        .select(
            "spell_start",
            pl.min_horizontal(pl.col("_pe"), pl.col("term_end")).alias("term_end"),
            pl.lit(-1, pl.Int64).alias("_w"),
        )
    )
    parts = pl.concat(
        [s.select("spell_start", "term_end", pl.lit(1, pl.Int64).alias("_w")), shared]
    ).with_columns(_clip("spell_start", "term_end", start, end))
    parts = parts.filter(pl.col("_s") <= pl.col("_e"))
    deltas = pl.concat(
        [
            parts.select(pl.col("_s").alias("day"), pl.col("_w")),
            parts.select((pl.col("_e") + pl.duration(days=1)).alias("day"), -pl.col("_w")),
        ]
    )
    deltas = deltas.group_by("day").agg(pl.col("_w").sum())
    days = pl.DataFrame(
        {"day": pl.date_range(start, end, "1d", eager=True)}, schema={"day": pl.Date}
    )
    return days.join(deltas, on="day", how="left", maintain_order="left").select(
        "day", pl.col("_w").fill_null(0).cum_sum().alias("covered")
    )


def _by_month(frame: pl.DataFrame, start: dt.date, end: dt.date) -> pl.DataFrame:
    """`frame` (with `_s`, `_e` already clipped to the window) cut at month ends: one row per
    row and month it touches, `month` the month's first day, `_ms`/`_me` the part inside."""
    live = frame.filter(pl.col("_s") <= pl.col("_e"))
    return (
        live.with_columns(
            pl.date_ranges(pl.col("_s").dt.month_start(), pl.col("_e"), "1mo").alias("month")
        )
        .explode("month")
        .with_columns(
            pl.max_horizontal(pl.col("_s"), pl.col("month")).alias("_ms"),
            pl.min_horizontal(pl.col("_e"), pl.col("month").dt.month_end()).alias("_me"),
        )
    )


def month_starts(start: dt.date, end: dt.date) -> pl.DataFrame:
    """The months of the window, each by its first day (`month`) and its last day inside
    the window (`month_last`)."""
    first = start.replace(day=1)
    return pl.DataFrame(
        {"month": pl.date_range(first, end, "1mo", eager=True)}, schema={"month": pl.Date}
    ).with_columns(
        pl.min_horizontal(pl.col("month").dt.month_end(), pl.lit(end)).alias("month_last")
    )


# ---------------------------------------------------------------------------------------
# Contributions (A4.1, E4, D3)
# ---------------------------------------------------------------------------------------


def _billings(contracts: pl.DataFrame, additions: pl.DataFrame | None) -> pl.DataFrame:
    """Every amount billed: contracts on their first day, additions on their own (A4.1, E4).

    Columns: unit_code, contract_no, amount, billed_on, and the days the amount is earned
    over (`_from`, `_to`; L81).
    """
    base = contracts.select(
        "unit_code",
        "contract_no",
        pl.col("contribution_total").cast(pl.Int64).alias("amount"),
        pl.col("term_start").alias("billed_on"),
        pl.col("term_start").alias("_from"),
        pl.col("term_end").alias("_to"),
    )
    if additions is None or additions.is_empty():
        return base
    terms = contracts.select("contract_no", "unit_code", "term_start", "term_end")
    add = additions.join(terms, on="contract_no", how="left").select(
        "unit_code",
        "contract_no",
        pl.col("amount").cast(pl.Int64),
        "billed_on",
        # L81: an addition is earned from its billing day (never before its term) to its
        # contract's last day; billed after the term ended, it is earned on its billing day
        pl.max_horizontal(pl.col("billed_on"), pl.col("term_start")).alias("_from"),
        pl.max_horizontal(pl.col("term_end"), pl.col("billed_on")).alias("_to"),
    )
    return pl.concat([base, add], how="vertical_relaxed")


def _sum_in(frame: pl.DataFrame, day: str, start: dt.date, end: dt.date) -> pl.DataFrame:
    return frame.filter(pl.col(day).is_between(pl.lit(start), pl.lit(end)))


def billed_by_unit(
    contracts: pl.DataFrame, additions: pl.DataFrame | None, start: dt.date, end: dt.date
) -> pl.DataFrame:
    """unit_code → contributions billed in the window (contracts and additions, A4.1)."""
    return (
        _sum_in(_billings(contracts, additions), "billed_on", start, end)
        .group_by("unit_code")
        .agg(pl.col("amount").sum().alias("billed"))
        .sort("unit_code")
    )


def collected_by_unit(receipts: pl.DataFrame, start: dt.date, end: dt.date) -> pl.DataFrame:
    """unit_code → contributions received in the window."""
    return (
        _sum_in(receipts, "received_on", start, end)
        .group_by("unit_code")
        .agg(pl.col("amount").cast(pl.Int64).sum().alias("collected"))
        .sort("unit_code")
    )


def outstanding_by_unit(
    contracts: pl.DataFrame,
    additions: pl.DataFrame | None,
    receipts: pl.DataFrame,
    end: dt.date,
) -> pl.DataFrame:
    """unit_code → billed minus received, everything up to `end` (L83). A negative figure is
    a unit's credit (paid ahead); it is shown, not hidden."""
    billed = (
        _billings(contracts, additions)
        .filter(pl.col("billed_on") <= pl.lit(end))
        .group_by("unit_code")
        .agg(pl.col("amount").sum().alias("_b"))
    )
    paid_in = (
        receipts.filter(pl.col("received_on") <= pl.lit(end))
        .group_by("unit_code")
        .agg(pl.col("amount").cast(pl.Int64).sum().alias("_r"))
    )
    return (
        billed.join(paid_in, on="unit_code", how="full", coalesce=True)
        .select(
            "unit_code",
            (pl.col("_b").fill_null(0) - pl.col("_r").fill_null(0)).alias("outstanding"),
        )
        .sort("unit_code")
    )


def _round_half_up(value: Fraction) -> int:
    """Whole yuan, half up (L11's rule, applied once at the end of a figure: L81)."""
    return int((value + Fraction(1, 2)) // 1)


def _round_fractions(parts: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Σ numerator/denominator per key, exactly, rounded half up once (L81).

    `parts` has `keys`, `_num` (amount × days in the window) and `_den` (days of the term),
    already summed per (keys, `_den`): a term has 365 or 366 days and an addition at most
    as many, so the loop runs over a few hundred groups at most, never over contracts.
    """
    sums: dict[tuple[object, ...], Fraction] = {}
    for row in parts.iter_rows(named=True):
        key = tuple(row[k] for k in keys)
        sums[key] = sums.get(key, Fraction(0)) + Fraction(int(row["_num"]), int(row["_den"]))
    data = {k: [key[i] for key in sums] for i, k in enumerate(keys)}
    data["earned"] = [_round_half_up(v) for v in sums.values()]
    schema: Schema = {k: parts.schema[k] for k in keys}
    schema["earned"] = pl.Int64
    return pl.DataFrame(data, schema=schema)


def _earned_parts(
    contracts: pl.DataFrame, additions: pl.DataFrame | None, start: dt.date, end: dt.date
) -> pl.DataFrame:
    """Each billed amount's days inside the window (`_s`, `_e`) and its term's days."""
    return (
        _billings(contracts, additions)
        .with_columns(_days(pl.col("_from"), pl.col("_to")).alias("_den"))
        .with_columns(_clip("_from", "_to", start, end))
    )


def earned(
    contracts: pl.DataFrame,
    start: dt.date,
    end: dt.date,
    additions: pl.DataFrame | None = None,
) -> int:
    """Contributions earned in the window: each amount spread evenly over its term's days,
    counted inclusively (D3), the days inside the window taken, summed exactly and rounded
    half up to whole yuan at the end (L81)."""
    parts = (
        _earned_parts(contracts, additions, start, end)
        .with_columns((pl.col("amount") * _days(pl.col("_s"), pl.col("_e"))).alias("_num"))
        .filter(pl.col("_num") != 0)
        .group_by("_den")
        .agg(pl.col("_num").sum())
        .with_columns(pl.lit(0).alias("_all"))
    )
    if parts.is_empty():
        return 0
    return int(_round_fractions(parts, ["_all"])["earned"][0])


def earned_by(
    contracts: pl.DataFrame,
    start: dt.date,
    end: dt.date,
    key: Literal["month", "unit", "district"],
    additions: pl.DataFrame | None = None,
    districts_by_unit: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """`earned` per month, unit or district; each line rounded on its own (L81), so the
    lines may differ from the total by less than one yuan each."""
    parts = _earned_parts(contracts, additions, start, end)
    if key == "month":
        parts = _by_month(parts, start, end).with_columns(
            (pl.col("amount") * _days(pl.col("_ms"), pl.col("_me"))).alias("_num")
        )
        col = "month"
    else:
        parts = parts.with_columns(
            (pl.col("amount") * _days(pl.col("_s"), pl.col("_e"))).alias("_num")
        )
        col = "unit_code"
        if key == "district":
            parts = _with_district(parts, districts_by_unit)
            col = "district"
    grouped = parts.filter(pl.col("_num") != 0).group_by(col, "_den").agg(pl.col("_num").sum())
    return _round_fractions(grouped, [col]).sort(col)


# ---------------------------------------------------------------------------------------
# Claims paid (A5, L25)
# ---------------------------------------------------------------------------------------


def class_table(catalogue: Catalogue) -> pl.DataFrame:
    """disease_code → class (A3.1), from the catalogue."""
    return pl.DataFrame(
        {
            "disease_code": [d.code for d in catalogue.diseases],
            "_cat_class": [d.disease_class for d in catalogue.diseases],
        },
        schema={"disease_code": pl.Utf8, "_cat_class": pl.Int64},
    )


def benefit_of(catalogue: Catalogue) -> tuple[pl.DataFrame, pl.Expr]:
    """The benefit line of a decision or open claim: class 1 or class 2 (A5.1), the
    consolation (A5.2b, by its reason code), disability (A5.3), death (A5.4). Returns the
    class table to join on `disease_code` and the expression to apply after the join."""
    cls = pl.col("_cat_class")
    if_reason = pl.col("reason_code") == "CONSOLATION"
    expr = (
        pl.when((pl.col("claim_type") == CI) & if_reason.fill_null(False))
        .then(pl.lit(CONSOLATION))
        .when((pl.col("claim_type") == CI) & (cls == 1))
        .then(pl.lit(CLASS_1))
        .when((pl.col("claim_type") == CI) & (cls == 2))
        .then(pl.lit(CLASS_2))
        .when(pl.col("claim_type") == CI)
        .then(pl.lit(UNCLASSIFIED))
        .otherwise(pl.col("claim_type"))
    )
    return class_table(catalogue), expr


def with_benefit(frame: pl.DataFrame, catalogue: Catalogue) -> pl.DataFrame:
    """`frame` with `benefit` and `disease_class` (its own where given, else the
    catalogue's)."""
    table, expr = benefit_of(catalogue)
    if "reason_code" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, pl.Utf8).alias("reason_code"))
    if "disease_class" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, pl.Int64).alias("disease_class"))
    out = frame.join(table, on="disease_code", how="left", maintain_order="left")
    out = out.with_columns(
        pl.coalesce(pl.col("disease_class").cast(pl.Int64), pl.col("_cat_class")).alias(
            "_cat_class"
        )
    )
    return out.with_columns(
        expr.alias("benefit"), pl.col("_cat_class").alias("disease_class")
    ).drop("_cat_class")


def payments(decisions: pl.DataFrame, voids: pl.DataFrame, catalogue: Catalogue) -> pl.DataFrame:
    """Every movement of money out of the fund (L25): each approved decision with an amount,
    on its run's as-of day, and each void, on its own run's day, as a negative amount.

    Columns: decision_id, claim_id, day, amount, kind (`payment` | `void`), benefit,
    disease_class, disease_code, claim_type, unit_code.
    """
    keep = ["decision_id", "claim_id", "claim_type", "disease_code", "unit_code"]
    paid = with_benefit(
        decisions.filter((pl.col("status") == "approved") & (pl.col("amount") > 0)), catalogue
    )
    keep += ["benefit", "disease_class"]
    out = paid.select(
        *keep,
        pl.col("run_as_of").alias("day"),
        pl.col("amount").cast(pl.Int64),
        pl.lit("payment").alias("kind"),
    )
    if voids.is_empty():
        return out
    # the void takes the decision's benefit and unit; a void of a decision the frame does
    # not hold still counts, on an unknown line, so that no reversal is lost
    described = with_benefit(decisions, catalogue).select(keep)
    rev = voids.join(described, on="decision_id", how="left").select(
        *keep,
        pl.col("void_as_of").alias("day"),
        (-pl.col("amount").cast(pl.Int64)).alias("amount"),
        pl.lit("void").alias("kind"),
    )
    return pl.concat([out, rev], how="vertical_relaxed")


def paid(
    decisions: pl.DataFrame,
    voids: pl.DataFrame,
    start: dt.date,
    end: dt.date,
    catalogue: Catalogue,
) -> int:
    """Net paid in the window: payments of runs as of a day in it, less voids of runs as of
    a day in it (L25, L82)."""
    moves = _sum_in(payments(decisions, voids, catalogue), "day", start, end)
    return int(moves["amount"].sum() or 0)


def paid_by_benefit(
    decisions: pl.DataFrame,
    voids: pl.DataFrame,
    start: dt.date,
    end: dt.date,
    catalogue: Catalogue,
) -> pl.DataFrame:
    """Per benefit line (A5.1 class 1 / 2, A5.2b, A5.3, A5.4): count and amount of payments,
    count and amount of voids, and the net, in the window (L25). Every line of BENEFITS is
    listed, zero where nothing moved."""
    moves = _sum_in(payments(decisions, voids, catalogue), "day", start, end)
    is_pay = pl.col("kind") == "payment"
    got = moves.group_by("benefit").agg(
        is_pay.sum().cast(pl.Int64).alias("paid_count"),
        pl.col("amount").filter(is_pay).sum().alias("paid_amount"),
        (~is_pay).sum().cast(pl.Int64).alias("void_count"),
        (-pl.col("amount").filter(~is_pay)).sum().alias("void_amount"),
    )
    lines = pl.DataFrame({"benefit": list(BENEFITS)}, schema={"benefit": pl.Utf8})
    extra = got.filter(~pl.col("benefit").is_in(list(BENEFITS))).select("benefit")
    lines = pl.concat([lines, extra.select(pl.col("benefit").cast(pl.Utf8))])
    return (
        lines.join(got, on="benefit", how="left", maintain_order="left")
        .with_columns(
            pl.col("paid_count", "paid_amount", "void_count", "void_amount")
            .fill_null(0)
            .cast(pl.Int64)
        )
        .with_columns((pl.col("paid_amount") - pl.col("void_amount")).alias("net_paid"))
    )


def loss_ratio(paid_net: int, earned_total: int) -> float | None:
    """Net paid ÷ earned (A5.6, L83); None when nothing was earned (no ratio to speak of)."""
    if earned_total == 0:
        return None
    return paid_net / earned_total


def reserve(
    opening_balance: int,
    receipts: pl.DataFrame,
    decisions: pl.DataFrame,
    voids: pl.DataFrame,
    end: dt.date,
    catalogue: Catalogue,
) -> int:
    """Opening balance + everything collected − everything paid net of voids, up to `end`
    (L83; the opening balance is a dated parameter of the plan file, A5.6)."""
    collected = receipts.filter(pl.col("received_on") <= pl.lit(end))["amount"].sum() or 0
    moves = payments(decisions, voids, catalogue).filter(pl.col("day") <= pl.lit(end))
    return int(opening_balance + int(collected) - int(moves["amount"].sum() or 0))


def open_liabilities(open_items: pl.DataFrame, catalogue: Catalogue) -> pl.DataFrame:
    """Open claims by benefit line: how many, and what they could cost at most."""
    framed = with_benefit(open_items, catalogue)
    return (
        framed.group_by("benefit")
        .agg(pl.len().cast(pl.Int64).alias("open_count"), pl.col("max_cost").sum())
        .sort("benefit")
    )


# ---------------------------------------------------------------------------------------
# The summary
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FundSummary:
    """The board's figures for one window (A5.6). Amounts in whole yuan."""

    start: dt.date
    end: dt.date
    members_on_end: int
    first_time_on_end: int
    renewed_on_end: int
    member_days: int
    billed: int
    collected: int
    outstanding: int  # billed − collected, everything up to `end`
    earned: int
    paid_count: int
    paid_amount: int
    void_count: int
    void_amount: int
    paid: int  # net: paid_amount − void_amount
    loss_ratio: float | None
    open_count: int
    open_max_cost: int
    opening_balance: int
    reserve: int
    imported_contracts: int  # contracts in force in the window taken over by --import (D5)
    by: str | None
    breakdown: pl.DataFrame
    by_benefit: pl.DataFrame
    open_by_benefit: pl.DataFrame


def fund_summary(
    *,
    contracts: pl.DataFrame,
    additions: pl.DataFrame | None,
    receipts: pl.DataFrame,
    spells: pl.DataFrame,
    decisions: pl.DataFrame,
    voids: pl.DataFrame,
    open_items: pl.DataFrame,
    catalogue: Catalogue,
    start: dt.date,
    end: dt.date,
    opening_balance: int,
    by: By | None = None,
    districts: Districts | None = None,
) -> FundSummary:
    """Every figure of `aidctl fund` for the window [start, end] (both included), and a
    breakdown by month, district, unit or benefit (A4.1, A5, A5.6, D3, L25, L80–L83)."""
    if end < start:
        raise ValueError(f"the window ends ({end}) before it starts ({start})")
    table = districts or load_districts()
    by_unit = unit_districts(contracts, table)
    on_end = members_count(spells, end)
    billings = _billings(contracts, additions)
    billed_total = int(_sum_in(billings, "billed_on", start, end)["amount"].sum() or 0)
    collected_total = int(_sum_in(receipts, "received_on", start, end)["amount"].sum() or 0)
    outstanding = int(
        outstanding_by_unit(contracts, additions, receipts, end)["outstanding"].sum() or 0
    )
    earned_total = earned(contracts, start, end, additions)
    benefits = paid_by_benefit(decisions, voids, start, end, catalogue)
    sums = benefits.select(pl.col(pl.Int64).sum()).row(0, named=True)
    open_lines = open_liabilities(open_items, catalogue)
    imported = contracts.filter(
        pl.col("imported").fill_null(False)
        & (pl.col("term_start") <= pl.lit(end))
        & (pl.col("term_end") >= pl.lit(start))
    ).height
    breakdown = (
        _breakdown(
            by,
            contracts=contracts,
            additions=additions,
            receipts=receipts,
            spells=spells,
            decisions=decisions,
            voids=voids,
            catalogue=catalogue,
            start=start,
            end=end,
            opening_balance=opening_balance,
            by_unit=by_unit,
            districts=table,
        )
        if by is not None
        else pl.DataFrame()
    )
    return FundSummary(
        start=start,
        end=end,
        members_on_end=int(on_end["members"][0]),
        first_time_on_end=int(on_end["first_time"][0]),
        renewed_on_end=int(on_end["renewed"][0]),
        # the month lines already counted every day of the window (the same count, L83)
        member_days=int(breakdown["member_days"].sum())
        if by == "month"
        else exposure_days(spells, start, end),
        billed=billed_total,
        collected=collected_total,
        outstanding=outstanding,
        earned=earned_total,
        paid_count=int(sums["paid_count"]),
        paid_amount=int(sums["paid_amount"]),
        void_count=int(sums["void_count"]),
        void_amount=int(sums["void_amount"]),
        paid=int(sums["net_paid"]),
        loss_ratio=loss_ratio(int(sums["net_paid"]), earned_total),
        open_count=int(open_lines["open_count"].sum() or 0),
        open_max_cost=int(open_lines["max_cost"].sum() or 0),
        opening_balance=opening_balance,
        reserve=reserve(opening_balance, receipts, decisions, voids, end, catalogue),
        imported_contracts=imported,
        by=by,
        breakdown=breakdown,
        by_benefit=benefits,
        open_by_benefit=open_lines,
    )


def fund_breakdown(
    by: By,
    *,
    contracts: pl.DataFrame,
    additions: pl.DataFrame | None,
    receipts: pl.DataFrame,
    spells: pl.DataFrame,
    decisions: pl.DataFrame,
    voids: pl.DataFrame,
    catalogue: Catalogue,
    start: dt.date,
    end: dt.date,
    opening_balance: int,
    districts: Districts | None = None,
) -> pl.DataFrame:
    """The lines of one breakdown alone (`FundSummary.breakdown`), for a report that shows
    several: the same figures as `fund_summary(by=...)` without the window's totals."""
    table = districts or load_districts()
    return _breakdown(
        by,
        contracts=contracts,
        additions=additions,
        receipts=receipts,
        spells=spells,
        decisions=decisions,
        voids=voids,
        catalogue=catalogue,
        start=start,
        end=end,
        opening_balance=opening_balance,
        by_unit=unit_districts(contracts, table),
        districts=table,
    )


def _ratio() -> pl.Expr:
    return (
        pl.when(pl.col("earned") != 0)
        .then(pl.col("paid").cast(pl.Float64) / pl.col("earned").cast(pl.Float64))
        .otherwise(None)
        .alias("loss_ratio")
    )


def _breakdown(
    by: By,
    *,
    contracts: pl.DataFrame,
    additions: pl.DataFrame | None,
    receipts: pl.DataFrame,
    spells: pl.DataFrame,
    decisions: pl.DataFrame,
    voids: pl.DataFrame,
    catalogue: Catalogue,
    start: dt.date,
    end: dt.date,
    opening_balance: int,
    by_unit: pl.DataFrame,
    districts: Districts,
) -> pl.DataFrame:
    """One line per month, district, unit or benefit.

    month: members on the month's last day inside the window, member-days, billed,
    collected, earned, paid (net), loss ratio, and outstanding and reserve at the month's
    end. district / unit: the same figures for the line (members on the end day; outstanding
    at the end day; no reserve — the fund is one). benefit: payments and voids per line.
    """
    if by == "benefit":
        return paid_by_benefit(decisions, voids, start, end, catalogue)
    moves = payments(decisions, voids, catalogue)
    billings = _billings(contracts, additions)
    if by == "month":
        return _month_lines(
            contracts, additions, receipts, spells, moves, billings, start, end, opening_balance
        )
    key = "unit_code" if by == "unit" else "district"

    def keyed(frame: pl.DataFrame) -> pl.DataFrame:
        return frame if key == "unit_code" else _with_district(frame, by_unit)

    members = members_count(
        spells, end, by="unit" if by == "unit" else "district", districts_by_unit=by_unit
    )
    days = (
        keyed(spells.with_columns(_clip("spell_start", "term_end", start, end)))
        .group_by(key)
        .agg(_days(pl.col("_s"), pl.col("_e")).sum().alias("member_days"))
    )
    billed = (
        keyed(_sum_in(billings, "billed_on", start, end))
        .group_by(key)
        .agg(pl.col("amount").sum().alias("billed"))
    )
    collected = (
        keyed(_sum_in(receipts, "received_on", start, end))
        .group_by(key)
        .agg(pl.col("amount").cast(pl.Int64).sum().alias("collected"))
    )
    outstanding = (
        keyed(outstanding_by_unit(contracts, additions, receipts, end))
        .group_by(key)
        .agg(pl.col("outstanding").sum())
    )
    earned_lines = earned_by(
        contracts,
        start,
        end,
        "unit" if by == "unit" else "district",
        additions=additions,
        districts_by_unit=by_unit,
    )
    in_window = _sum_in(moves, "day", start, end)
    if key == "district":
        in_window = _with_district(in_window, by_unit)
    paid_lines = in_window.group_by(key).agg(
        (pl.col("kind") == "payment").sum().cast(pl.Int64).alias("paid_count"),
        (pl.col("kind") == "void").sum().cast(pl.Int64).alias("void_count"),
        pl.col("amount").sum().alias("paid"),
    )
    out = members.select(key, "members", "first_time", "renewed")
    for part in (days, billed, collected, outstanding, earned_lines, paid_lines):
        out = out.join(part, on=key, how="full", coalesce=True)
    figures = [c for c in out.columns if c != key]
    out = out.with_columns(pl.col(figures).fill_null(0).cast(pl.Int64)).with_columns(_ratio())
    out = out.sort(key)
    if key == "district":
        out = out.with_columns(
            pl.col("district")
            .replace_strict(districts.names("zh"), default=pl.col("district"))
            .alias("district_zh"),
            pl.col("district")
            .replace_strict(districts.names("en"), default=pl.col("district"))
            .alias("district_en"),
        )
    return out


def _month_lines(
    contracts: pl.DataFrame,
    additions: pl.DataFrame | None,
    receipts: pl.DataFrame,
    spells: pl.DataFrame,
    moves: pl.DataFrame,
    billings: pl.DataFrame,
    start: dt.date,
    end: dt.date,
    opening_balance: int,
) -> pl.DataFrame:
    months = month_starts(start, end)
    cover = coverage_by_day(spells, start, end).with_columns(
        pl.col("day").dt.month_start().alias("month")
    )
    days = cover.group_by("month").agg(
        pl.col("covered").sum().cast(pl.Int64).alias("member_days"),
        pl.col("covered").last().cast(pl.Int64).alias("members"),  # on the month's last day
    )

    counts = (
        _sum_in(moves, "day", start, end)
        .with_columns(pl.col("day").dt.month_start().alias("month"))
        .group_by("month")
        .agg(
            (pl.col("kind") == "payment").sum().cast(pl.Int64).alias("paid_count"),
            (pl.col("kind") == "void").sum().cast(pl.Int64).alias("void_count"),
        )
    )

    def before(frame: pl.DataFrame, day: str) -> int:
        return int(frame.filter(pl.col(day) < pl.lit(start))["amount"].sum() or 0)

    def flows(frame: pl.DataFrame, day: str, name: str) -> pl.DataFrame:
        return (
            _sum_in(frame, day, start, end)
            .with_columns(pl.col(day).dt.month_start().alias("month"))
            .group_by("month")
            .agg(pl.col("amount").cast(pl.Int64).sum().alias(name))
        )

    # what happened before the window is carried into the running figures of its months
    b0, c0, p0 = (
        before(billings, "billed_on"),
        before(receipts, "received_on"),
        before(moves, "day"),
    )
    in_window = flows(billings, "billed_on", "billed")
    coll_window = flows(receipts, "received_on", "collected")
    paid_window = flows(moves, "day", "paid")
    earned_lines = earned_by(contracts, start, end, "month", additions=additions)
    out = months.select("month")
    for part in (days, in_window, coll_window, earned_lines, paid_window, counts):
        out = out.join(part, on="month", how="left", maintain_order="left")
    figures = [c for c in out.columns if c != "month"]
    out = out.with_columns(pl.col(figures).fill_null(0).cast(pl.Int64))
    return out.with_columns(
        (b0 - c0 + (pl.col("billed") - pl.col("collected")).cum_sum()).alias("outstanding"),
        (opening_balance + c0 - p0 + (pl.col("collected") - pl.col("paid")).cum_sum()).alias(
            "reserve"
        ),
        _ratio(),
    ).select(
        "month",
        "members",
        "member_days",
        "billed",
        "collected",
        "outstanding",
        "earned",
        "paid_count",
        "void_count",
        "paid",
        "loss_ratio",
        "reserve",
    )


# ---------------------------------------------------------------------------------------
# Contributions received (L111)
# ---------------------------------------------------------------------------------------

# The checks of a receipt row, in order: the first that holds is the row's finding (L111).
RECEIPT_REQUIRED = ("reference", "unit_code", "amount", "received_on")


@dataclass(frozen=True)
class ReceiptsChecked:
    """Rows that may be recorded (RECEIPTS_SCHEMA) and a finding for each row that may not."""

    accepted: pl.DataFrame
    findings: pl.DataFrame


def _unreadable(key: str) -> pl.Expr:
    return pl.col("_bad_fields").fill_null("").str.contains(rf"(^|,){key}(,|$)")


def check_receipts(
    rows: pl.DataFrame,
    known_units: pl.Series,
    recorded_references: pl.Series,
    as_of: dt.date,
    file: str,
) -> ReceiptsChecked:
    """Which receipt rows go into the ledger, and why the others do not (L111).

    `rows`: the intake's frame (reference, unit_code, amount as read, received_on, _sheet,
    _row, _bad_fields). A row is refused — one finding naming file, sheet, row and column,
    the other rows going through — when a required cell is empty (a cell that could not be
    read already has the intake's INVALID_VALUE), the unit is not in the register, the
    amount is negative or not whole yuan, the received day is after the as-of day, or its
    reference was recorded before or appears on an earlier row of the file (that row is
    recorded, never both: a receipt is never counted twice).
    """
    ref = pl.col("reference").str.strip_chars()
    unit = pl.col("unit_code").str.strip_chars()
    framed = rows.with_columns(reference=ref, unit_code=unit).with_columns(
        _first=pl.col("_row").rank("ordinal").over("reference") == 1,
        _unreadable_any=pl.any_horizontal([_unreadable(k) for k in RECEIPT_REQUIRED]),
    )
    checks: list[tuple[str, str, pl.Expr, pl.Expr]] = [
        (
            "RECEIPT_MISSING_FIELD",
            k,
            pl.col(k).is_null() & ~_unreadable(k),
            pl.lit(None, pl.Utf8),
        )
        for k in RECEIPT_REQUIRED
    ]
    checks += [
        (
            "RECEIPT_UNKNOWN_UNIT",
            "unit_code",
            ~pl.col("unit_code").is_in(known_units.implode()),
            pl.col("unit_code"),
        ),
        (
            "RECEIPT_NEGATIVE_AMOUNT",
            "amount",
            pl.col("amount") < 0,
            pl.col("amount").cast(pl.Utf8),
        ),
        (
            "RECEIPT_AMOUNT_NOT_WHOLE_YUAN",
            "amount",
            pl.col("amount") != pl.col("amount").round(0),
            pl.col("amount").cast(pl.Utf8),
        ),
        (
            "RECEIPT_DATE_AFTER_AS_OF",
            "received_on",
            pl.col("received_on") > pl.lit(as_of),
            pl.col("received_on").dt.strftime("%Y-%m-%d"),
        ),
        (
            "RECEIPT_REFERENCE_RECORDED",
            "reference",
            pl.col("reference").is_in(recorded_references.implode()),
            pl.col("reference"),
        ),
        (
            "RECEIPT_DUPLICATE_REFERENCE",
            "reference",
            ~pl.col("_first"),
            pl.col("reference"),
        ),
    ]
    code: pl.Expr = pl.lit(None, pl.Utf8)
    column: pl.Expr = pl.lit(None, pl.Utf8)
    value: pl.Expr = pl.lit(None, pl.Utf8)
    for name, col, test, shown in reversed(checks):  # the first check that holds decides
        held = test.fill_null(False)
        code = pl.when(held).then(pl.lit(name)).otherwise(code)
        column = pl.when(held).then(pl.lit(col)).otherwise(column)
        value = pl.when(held).then(shown).otherwise(value)
    judged = framed.with_columns(_code=code, _column=column, _value=value)
    refused = judged.filter(pl.col("_code").is_not_null())
    findings = refused.select(
        pl.lit(file).alias("file"),
        pl.col("_sheet").alias("sheet"),
        pl.col("_row").alias("row"),
        pl.col("_column").alias("column"),
        pl.col("_code").alias("code"),
        pl.lit("error").alias("severity"),
        pl.col("_value").alias("value"),
        pl.col("unit_code"),
        pl.lit(None, pl.Utf8).alias("id_number"),
    )
    accepted = judged.filter(pl.col("_code").is_null() & ~pl.col("_unreadable_any")).select(
        "reference",
        "unit_code",
        pl.col("amount").round(0).cast(pl.Int64),
        "received_on",
    )
    return ReceiptsChecked(accepted=accepted, findings=findings)
