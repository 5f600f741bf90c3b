"""Enrolment checks (A1, A4, E1–E5, D3, D5, D6): a units workbook in, what may be recorded out.

Pure: the units and members frames from intake, the register's existing contracts and
spells, the dated parameters and the as-of day in; per-unit results, per-member results,
findings, and the contracts and cover spells to record out. Every check is a vectorised
expression over the whole roster; nothing loops over rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

import polars as pl

from aidctl.core.dates import term_end
from aidctl.core.findings import ERROR, WARNING, concat_findings
from aidctl.core.ids import id_problem, unknown_region
from aidctl.core.versions import in_force, version_table
from aidctl.plan.params import Policy

COMPLIANT = "compliant"
NON_COMPLIANT = "non_compliant"
INVALID = "invalid"

# Plausibility bounds, not plan figures: no unit has ten million staff or a payroll of a
# trillion yuan; a value beyond them is a pasted id or a typing slip, and the unit is
# invalid rather than computed with numbers that overflow.
MAX_STAFF = 10_000_000
MAX_PAYROLL = 1e12

UNIT_REQUIRED = ("unit_code", "unit_name", "total_staff", "effective_date")
MEMBER_REQUIRED = ("unit_code", "id_number", "name", "employment_type")
# E3 / A1.1 "连云港地区": the region part of a Lianyungang credit code (GB 32100 chars 3–8)
LIANYUNGANG_REGION_PREFIX = "3207"
# enrolment_kind as intake reads it (参保性质 首次 / 续保), for `enroll --import` (D5)
KIND_FIRST = "first"
KIND_RENEWAL = "renewal"

# Parameters carried per unit, from the version in force on its effective date (D9).
_UNIT_PARAMS: dict[str, pl.DataType | type[pl.DataType]] = {
    "min_ratio": pl.Float64,
    "small_unit_below": pl.Int64,
    "small_unit_ratio": pl.Float64,
    "temporary_min_months_exclusive": pl.Int64,
    "contribution_per_member": pl.Int64,
    "individual_share_default_pct": pl.Float64,
    "individual_share_max_pct": pl.Float64,
    "deductible_payroll_pct": pl.Float64,
    "term_months": pl.Int64,
    "renewal_grace_days": pl.Int64,
    "effective_date_max_days_ahead": pl.Int64,  # D5, L50
    "addition_billing": pl.Utf8,  # A4.1, L110
}

EXISTING_CONTRACTS_SCHEMA = {
    "contract_no": pl.Utf8,
    "unit_code": pl.Utf8,
    "term_start": pl.Date,
    "term_end": pl.Date,
}
EXISTING_SPELLS_SCHEMA = {
    "id_number": pl.Utf8,
    "unit_code": pl.Utf8,
    "contract_no": pl.Utf8,
    "spell_start": pl.Date,
    "term_end": pl.Date,
}


@dataclass(frozen=True)
class EnrollmentResult:
    """What the checks found and what `enroll` may record.

    units: one row per unit row of the workbook with status, figures and reasons.
    members: one row per member row with `member_status` ('ok'|'rejected'|'ineligible') and
    `member_code`.
    findings: every problem, located by file, sheet, row and column.
    contracts / spells: the compliant units' contracts and their members' cover spells.
    additions: what a roster for a running contract adds (L110): contract_no, billed_on,
    members, amount (ADDITIONS_SCHEMA); empty when nothing was added.
    """

    units: pl.DataFrame
    members: pl.DataFrame
    findings: pl.DataFrame
    contracts: pl.DataFrame
    spells: pl.DataFrame
    additions: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=ADDITIONS_SCHEMA))


# L110: what a roster for a running contract bills (the register's `additions`).
ADDITIONS_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "contract_no": pl.Utf8,
    "unit_code": pl.Utf8,
    "billed_on": pl.Date,
    "members": pl.Int64,
    "amount": pl.Int64,
}


def _added_members(m: pl.DataFrame, existing_spells: pl.DataFrame) -> pl.DataFrame:
    """Per unit of a roster for a running contract (L52): the members it adds — recorded now,
    not yet in that contract — and the months of cover left to them (L110).

    A month begun counts whole: cover from 07-15 in a term ending 12-31 is 6 months. The
    count runs to the day after the term's last day, so a member starting on the term's
    first day has the whole term (12 months).
    """
    known = existing_spells.select(
        "id_number", pl.col("contract_no").alias("_unit_same_no")
    ).unique()
    after = pl.col("_unit_end") + pl.duration(days=1)
    start = pl.col("_start")
    months = (
        (after.dt.year() - start.dt.year()) * 12
        + after.dt.month().cast(pl.Int32)
        - start.dt.month().cast(pl.Int32)
        + pl.when(after.dt.day() > start.dt.day()).then(1).otherwise(0)
    ).cast(pl.Int64)
    return (
        m.filter(
            pl.col("_unit_same_no").is_not_null()
            & (pl.col("member_status") == "ok")
            & pl.col("_first_in_unit")
        )
        .join(known, on=["id_number", "_unit_same_no"], how="anti")
        .group_by("unit_code")
        .agg(
            pl.len().cast(pl.Int64).alias("added_members"),
            months.sum().cast(pl.Int64).alias("_added_months"),
        )
    )


_PARAM_KEYS = (*_UNIT_PARAMS, "policy_version")


def attach_params(frame: pl.DataFrame, on: str, policy: Policy) -> pl.DataFrame:
    """Join to each row the enrolment parameters in force on its date column `on` (D9).

    Rows dated before the first version get the first version; rows with a null date get
    the latest, so that their other checks can still run.
    """
    return in_force(
        frame,
        on,
        version_table(policy, _UNIT_PARAMS),
        first=policy.versions[0].effective_from,
        missing=policy.latest.effective_from,
    )


def _finding(
    frame: pl.DataFrame,
    mask: pl.Expr,
    file: str,
    code: str,
    column: str,
    value: pl.Expr,
    severity: str = ERROR,
) -> pl.DataFrame:
    return frame.filter(mask).select(
        pl.lit(file).alias("file"),
        pl.col("_sheet").alias("sheet"),
        pl.col("_row").alias("row"),
        pl.lit(column).alias("column"),
        pl.lit(code).alias("code"),
        pl.lit(severity).alias("severity"),
        value.cast(pl.Utf8).alias("value"),
        pl.col("unit_code").alias("unit_code"),
        (pl.col("id_number") if "id_number" in frame.columns else pl.lit(None, pl.Utf8)).alias(
            "id_number"
        ),
    )


def _bad(field: str) -> pl.Expr:
    return pl.col("_bad_fields").fill_null("").str.contains(rf"(^|,){field}(,|$)")


# ---------------------------------------------------------------- the rules as data

_DAY = "%Y-%m-%d"


@dataclass(frozen=True)
class UnitCheck:
    """One check of a unit row (docs/rules.md "Enrolment"): every check runs, and each one
    that holds adds its code to the unit's reasons, in this table's order.

    rule: the E-rule or reading it applies; clause: the plan's clause. fatal: the unit is
    invalid (an error) rather than warned. column: where the finding points (None: the
    intake's finding, or the per-field MISSING_FIELD, names the cell). shown: the finding's
    value (default: the column's). test/shown are vectorised expressions over the units.
    """

    code: str
    rule: str
    clause: str
    fatal: bool
    column: str | None
    test: Callable[[], pl.Expr]
    shown: Callable[[], pl.Expr] | None = None

    @property
    def severity(self) -> str:
        return ERROR if self.fatal else WARNING


def _checked() -> pl.Expr:
    """D5/E6's received-day checks: not on `--import`, not for a contract enrolled again."""
    return ~pl.col("_imported") & ~pl.col("_same")


def _dup_unit() -> pl.Expr:
    """The second and later rows of one unit code in the workbook."""
    return pl.col("unit_code").is_not_null() & (
        pl.col("_row").rank("ordinal").over("unit_code") > 1
    )


def _missing(key: str) -> Callable[[], pl.Expr]:
    return lambda: pl.col(key).is_null() & ~_bad(key)


def _unreadable(key: str) -> Callable[[], pl.Expr]:
    return lambda: _bad(key)


def _share() -> pl.Expr:
    return pl.col("individual_share_pct")


def _ahead() -> pl.Expr:
    return (pl.col("effective_date") - pl.col("_received")).dt.total_days()


def _days(*cols: str | pl.Expr) -> pl.Expr:
    """Dates and figures of a finding's sentence, `|`-separated ({v1}, {v2} …)."""
    parts = [pl.col(c).dt.strftime(_DAY) if isinstance(c, str) else c for c in cols]
    return pl.format("|".join("{}" for _ in parts), *parts)


UNIT_CHECKS: tuple[UnitCheck, ...] = (
    *(
        check
        for key in UNIT_REQUIRED
        for check in (
            UnitCheck(
                "MISSING_FIELD",
                "E5",
                "L1",
                True,
                None,
                _missing(key),
            ),
            UnitCheck("INVALID_VALUE", "E5", "L1", True, None, _unreadable(key)),
        )
    ),
    # an unreadable received day cannot decide D5; the intake's finding names the cell
    UnitCheck("INVALID_VALUE", "E6", "D5", True, None, lambda: _bad("received_date")),
    UnitCheck(
        "INVALID_VALUE",
        "E5",
        "D5",
        True,
        None,
        lambda: pl.col("_imported") & _bad("enrolment_kind"),
    ),
    UnitCheck(
        "INVALID_TOTAL_STAFF",
        "E2",
        "A1.3",
        True,
        "total_staff",
        lambda: (pl.col("total_staff") <= 0) | (pl.col("total_staff") > MAX_STAFF),
    ),
    UnitCheck("DUPLICATE_UNIT", "E5", "A2.1", True, "unit_code", _dup_unit),
    UnitCheck(
        "INVALID_CREDIT_CODE", "E3", "A1.1", True, "unit_code", lambda: ~pl.col("_credit_ok")
    ),
    # E3 / A1.1 "连云港地区": characters 3–8 of a credit code are the issuing region
    UnitCheck(
        "UNIT_OUTSIDE_AREA",
        "E3",
        "A1.1",
        False,
        "unit_code",
        lambda: (
            (pl.col("unit_code").str.len_chars() == 18)
            & pl.col("_credit_ok")
            & ~pl.col("unit_code").str.slice(2, 6).str.starts_with(LIANYUNGANG_REGION_PREFIX)
        ),
        lambda: pl.col("unit_code").str.slice(2, 6),
    ),
    UnitCheck(
        "INVALID_SHARE",
        "E4",
        "A4.2",
        True,
        None,
        lambda: (_share() < 0) | (_share() > 100) | _share().is_nan(),
    ),
    UnitCheck(
        "INDIVIDUAL_SHARE_ABOVE_20",
        "E4",
        "A4.2",
        False,
        "individual_share_pct",
        lambda: (_share() > pl.col("individual_share_max_pct")) & (_share() <= 100),
    ),
    UnitCheck(
        "INVALID_PAYROLL",
        "E4",
        "A4.3",
        True,
        "total_payroll",
        lambda: (
            (pl.col("total_payroll") < 0)
            | (pl.col("total_payroll") > MAX_PAYROLL)
            | pl.col("total_payroll").is_nan()
        ),
    ),
    # D5: a renewal received within the grace starts on expiry + 1 whatever it states
    UnitCheck(
        "RENEWAL_DATE_ADJUSTED",
        "E6",
        "A7.1;D5",
        False,
        "effective_date",
        lambda: _checked() & pl.col("_renewal") & (pl.col("_start") != pl.col("effective_date")),
        lambda: _days("effective_date", "_start", "_prev_end", "_received"),
    ),
    # D5: a first enrolment may not start before the day its roster was received
    UnitCheck(
        "BACKDATED_EFFECTIVE_DATE",
        "E6",
        "A2.1;D5",
        True,
        "effective_date",
        lambda: _checked() & ~pl.col("_renewal") & (pl.col("effective_date") < pl.col("_received")),
        lambda: _days("effective_date", "_received"),
    ),
    # D5 (L50): a stated date far beyond the received day is probably a typing slip
    UnitCheck(
        "EFFECTIVE_DATE_FAR_AHEAD",
        "E6",
        "D5;L50",
        False,
        "effective_date",
        lambda: _checked() & (_ahead() > pl.col("effective_date_max_days_ahead")),
        lambda: _days(
            "effective_date", "_received", _ahead(), pl.col("effective_date_max_days_ahead")
        ),
    ),
    # E6: a term that has already ended on the received day cannot be enrolled
    UnitCheck(
        "TERM_ALREADY_ENDED",
        "E6",
        "A2.1;E6",
        True,
        "effective_date",
        lambda: _checked() & (pl.col("_term_end") < pl.col("_received")),
        lambda: _days("_start", "_term_end", "_received"),
    ),
    UnitCheck(
        "OVERLAPS_EXISTING_CONTRACT",
        "E5",
        "A2.1",
        True,
        "effective_date",
        lambda: pl.col("_overlap"),
    ),
)


@dataclass(frozen=True)
class MemberCheck:
    """One check of a member row (E1, E3): the first that holds decides the row's
    `member_code` and `member_status` ('rejected' or 'ineligible'), in this table's order;
    every one that holds is a finding at `column`, showing `shown` (default: the column)."""

    code: str
    rule: str
    clause: str
    column: str
    status: str
    test: Callable[[], pl.Expr]
    shown: Callable[[], pl.Expr] | None = None


def _valid_id() -> pl.Expr:
    return pl.col("_id_problem").is_null()


def _temporary() -> pl.Expr:
    return pl.col("employment_type") == "temporary"


def _no_value() -> pl.Expr:
    return pl.lit(None, pl.Utf8)


MEMBER_CHECKS: tuple[MemberCheck, ...] = (
    # a unit code that is not on the units sheet; members of a unit whose own row has
    # problems are not each reported again (the unit's finding says it)
    MemberCheck(
        "UNKNOWN_UNIT",
        "E5",
        "A1.2",
        "unit_code",
        "rejected",
        lambda: pl.col("_unit_listed").is_null() & pl.col("unit_code").is_not_null(),
        lambda: pl.col("unit_code"),
    ),
    *(
        check
        for key in MEMBER_REQUIRED
        for check in (
            MemberCheck("INVALID_VALUE", "E3", "L1", key, "rejected", _unreadable(key)),
            MemberCheck("MISSING_FIELD", "E3", "L1", key, "rejected", _missing(key)),
        )
    ),
    MemberCheck(
        "INVALID_ID",
        "E3",
        "A1.1",
        "id_number",
        "rejected",
        lambda: ~_valid_id(),
        lambda: pl.col("_id_problem"),
    ),
    MemberCheck(
        "DUPLICATE_MEMBER",
        "E3",
        "A1.2",
        "id_number",
        "rejected",
        lambda: _valid_id() & ~pl.col("_first_in_unit"),
        _no_value,
    ),
    MemberCheck(  # the same id in two units of the workbook: counted in the first only
        "ENROLLED_IN_OTHER_UNIT",
        "E3",
        "A1.2",
        "id_number",
        "rejected",
        lambda: (
            _valid_id()
            & pl.col("_first_in_unit")
            & (pl.col("_first_unit_of_id") != pl.col("unit_code"))
        ),
        lambda: pl.col("_first_unit_of_id"),
    ),
    MemberCheck(  # covered by another unit's contract in the register for an overlapping term
        "ENROLLED_IN_OTHER_UNIT",
        "E3",
        "A1.2",
        "id_number",
        "rejected",
        lambda: _valid_id() & pl.col("_register_conflict"),
        lambda: pl.col("_register_unit"),
    ),
    MemberCheck("INVALID_VALUE", "E3", "L1", "join_date", "rejected", _unreadable("join_date")),
    MemberCheck(
        "JOIN_DATE_OUTSIDE_TERM",
        "E3",
        "A2.1;D6",
        "join_date",
        "rejected",
        lambda: (
            (pl.col("join_date") < pl.col("_unit_start"))
            | (pl.col("join_date") > pl.col("_unit_end"))
        ),
    ),
    MemberCheck(
        "INVALID_VALUE",
        "E1",
        "L1",
        "engagement_months",
        "rejected",
        lambda: _temporary() & _bad("engagement_months"),
    ),
    MemberCheck(
        "ENGAGEMENT_MONTHS_MISSING",
        "E1",
        "A1.1",
        "engagement_months",
        "rejected",
        lambda: _temporary() & pl.col("engagement_months").is_null() & ~_bad("engagement_months"),
    ),
    MemberCheck(
        "INELIGIBLE_TEMPORARY",
        "E1",
        "A1.1",
        "engagement_months",
        "ineligible",
        lambda: (
            _temporary() & (pl.col("engagement_months") <= pl.col("temporary_min_months_exclusive"))
        ),
    ),
)


def check_enrollment(
    units: pl.DataFrame,
    members: pl.DataFrame,
    existing_contracts: pl.DataFrame,
    existing_spells: pl.DataFrame,
    policy: Policy,
    as_of: dt.date,
    file: str = "",
    *,
    received_default: dt.date | None = None,
    imported: bool = False,
    region_codes: Collection[str] | None = None,
) -> EnrollmentResult:
    """Check every unit's roster against the plan and say exactly what to fix.

    received_default: the day a roster without `received_date` was received (D5: in the
    monthly batch the day its file arrived in the inbox); `as_of` when None.
    imported: `enroll --import` (D5): the stated dates are trusted, D5's received-day checks,
    D6's received-day rule and E6 are skipped, and `enrolment_kind` is read.
    region_codes: every id region code that has ever existed (E3); None skips that warning.
    """
    findings: list[pl.DataFrame] = []
    received_day = received_default or as_of
    member_columns = members.columns  # the roster's own columns, as the member rows show
    units = units.with_row_index("_unit_idx")
    for key, dtype in (("received_date", pl.Date), ("enrolment_kind", pl.Utf8)):
        if key not in units.columns:
            units = units.with_columns(pl.lit(None, dtype).alias(key))
    # D5: the day the renewal was done decides, not the effective date written on it
    units = units.with_columns(
        _received=pl.coalesce(pl.col("received_date"), pl.lit(received_day)),
        _imported=pl.lit(imported),
    )

    # ---- units: required fields, duplicates, credit codes, term (A2.1, D3), renewal (D5)
    units = attach_params(units, "effective_date", policy).sort("_row")
    units = _with_renewal(units, existing_contracts)
    # the contract's parameters are those in force on the day its term really starts (D9)
    units = attach_params(units.drop(_PARAM_KEYS), "_start", policy).sort("_row")
    units = _with_term(units)
    units = _with_overlap(units, existing_contracts)
    units = units.with_columns(_credit_ok=_credit_code_ok(units["unit_code"]))
    reason_exprs = []
    invalid_exprs = []
    for i, check in enumerate(UNIT_CHECKS):
        mask = check.test().fill_null(False)
        reason_exprs.append(pl.when(mask).then(pl.lit(check.code)).alias(f"_r{i}"))
        if check.fatal:
            invalid_exprs.append(mask)
    units = units.with_columns(reason_exprs).with_columns(
        pl.concat_list([pl.col(f"_r{i}") for i in range(len(UNIT_CHECKS))])
        .list.drop_nulls()
        .list.unique(maintain_order=True)
        .alias("_unit_reasons"),
        pl.any_horizontal(invalid_exprs).alias("_unit_invalid"),
    )
    for i, check in enumerate(UNIT_CHECKS):
        if check.column is None:
            continue  # MISSING_FIELD located per field below; INVALID_VALUE by the intake
        findings.append(
            _finding(
                units,
                pl.col(f"_r{i}").is_not_null(),
                file,
                check.code,
                check.column,
                pl.col(check.column) if check.shown is None else check.shown(),
                check.severity,
            )
        )
    for key in UNIT_REQUIRED:
        findings.append(
            _finding(
                units, pl.col(key).is_null() & ~_bad(key), file, "MISSING_FIELD", key, pl.lit(None)
            )
        )
    units = units.drop([f"_r{i}" for i in range(len(UNIT_CHECKS))])

    # ---- members: E1 eligibility, E3 people
    unit_keys = units.filter(~_dup_unit().fill_null(False)).select(
        "unit_code",
        pl.col("_start").alias("_unit_start"),
        pl.col("_term_end").alias("_unit_end"),
        pl.col("_unit_invalid"),
        pl.col("temporary_min_months_exclusive"),
        pl.lit(True).alias("_unit_listed"),
        pl.col("_received").alias("_unit_received"),
        (pl.col("_renewal") & ~pl.col("_imported")).alias("_unit_renewal"),
        pl.col("_prev_no").alias("_unit_prev_no"),
        pl.col("_kind_renewal").alias("_unit_kind_renewal"),
        pl.col("_existing_contract_no").alias("_unit_same_no"),
    )
    members = members.join(unit_keys, on="unit_code", how="left", maintain_order="left")
    members = _with_continuing(members, existing_spells)
    # D6: cover starts on the join date, else with the contract. Only members who continue
    # from the previous contract of a renewal received within the grace are covered before
    # the received day; anyone else starts on the received day at the earliest (not with
    # --import, which trusts the stated dates).
    stated_start = pl.coalesce(pl.col("join_date"), pl.col("_unit_start"))
    members = members.with_columns(
        _id_problem=id_problem("id_number", as_of),
        _join_adjusted=(
            pl.lit(not imported)
            & ~pl.col("_continuing")
            & (stated_start < pl.col("_unit_received"))
            & (pl.col("join_date").is_null() | (pl.col("join_date") >= pl.col("_unit_start")))
        ).fill_null(False),
        _stated_start=stated_start,
    ).with_columns(
        _start=pl.when(pl.col("_join_adjusted"))
        .then(pl.col("_unit_received"))
        .otherwise(pl.col("_stated_start")),
    )
    if region_codes is None:
        members = members.with_columns(_unknown_region=pl.lit(False))
    else:
        members = members.with_columns(
            _unknown_region=unknown_region("id_number", region_codes)
            & pl.col("_id_problem").is_null()
        )
    # earlier rows win: the same id twice in one unit, or in two units of the workbook
    members = members.with_columns(
        _first_in_unit=(pl.col("_row").rank("ordinal").over("unit_code", "id_number") == 1),
        _first_in_file=(pl.col("_row").rank("ordinal").over("id_number") == 1),
    )
    members = members.with_columns(
        _first_unit_of_id=pl.col("unit_code").sort_by("_row").first().over("id_number")
    )
    members = _with_register_conflicts(members, existing_spells)
    # E1: a bare 聘用 ("engaged") is contract staff, unless engagement_months is filled in:
    # then it is a temporary engagement and the more-than-12-months test applies
    members = members.with_columns(
        employment_type=pl.when(pl.col("employment_type") == "engaged")
        .then(
            pl.when(pl.col("engagement_months").is_not_null())
            .then(pl.lit("temporary"))
            .otherwise(pl.lit("contract"))
        )
        .otherwise(pl.col("employment_type"))
    )
    code_expr: pl.Expr = pl.lit(None, dtype=pl.Utf8)
    status_expr: pl.Expr = pl.lit("ok")
    for member_check in reversed(MEMBER_CHECKS):  # the first check that holds decides
        held = member_check.test().fill_null(False)
        code_expr = pl.when(held).then(pl.lit(member_check.code)).otherwise(code_expr)
        status_expr = pl.when(held).then(pl.lit(member_check.status)).otherwise(status_expr)
    members = members.with_columns(member_code=code_expr, member_status=status_expr)
    for member_check in MEMBER_CHECKS:
        if member_check.code == "INVALID_VALUE":
            continue  # the intake's own finding names the cell and what was in it
        # the value shown with a finding: never the id itself (the id has its own column,
        # masked in reports), but what is wrong with it or where else it is enrolled
        column = member_check.column
        if member_check.shown is not None:
            value: pl.Expr = member_check.shown()
        else:
            value = pl.col(column) if column in members.columns else pl.lit(None)
        held = member_check.test().fill_null(False)
        findings.append(_finding(members, held, file, member_check.code, column, value))
    findings.append(
        _finding(
            members,
            pl.col("_unknown_region").fill_null(False),
            file,
            "ID_REGION_UNKNOWN",
            "id_number",
            pl.col("id_number").str.slice(0, 6),
            WARNING,
        )
    )

    findings.append(
        _finding(
            members,
            pl.col("_join_adjusted") & (pl.col("member_status") == "ok"),
            file,
            "JOIN_DATE_ADJUSTED",
            "join_date",
            pl.format(
                "{}|{}",
                pl.col("_stated_start").dt.strftime("%Y-%m-%d"),
                pl.col("_start").dt.strftime("%Y-%m-%d"),
            ),
            WARNING,
        )
    )

    # ---- E2 ratio and E4 money, per unit
    counts = members.group_by("unit_code").agg(
        (pl.col("member_status") == "ok").sum().alias("eligible"),
        (pl.col("member_status").is_in(["ok", "ineligible"]) & pl.col("_first_in_unit"))
        .sum()
        .alias("listed"),
        ((pl.col("member_status") == "ineligible") & pl.col("_first_in_unit"))
        .sum()
        .alias("ineligible"),
    )
    units = units.join(counts, on="unit_code", how="left", maintain_order="left").with_columns(
        pl.col("eligible", "listed", "ineligible").fill_null(0).cast(pl.Int64)
    )
    small = pl.col("total_staff") < pl.col("small_unit_below")
    ratio_bp = pl.when(small).then(pl.col("small_unit_ratio")).otherwise(pl.col("min_ratio"))
    # basis points as integers: 0.8 × 30 is 24, never 24.000000000000004 (79.9% vs 80%)
    bp = (ratio_bp * 10000).round(0).cast(pl.Int64)
    # bounded so that the integer arithmetic cannot overflow (such a unit is invalid anyway)
    staff = pl.col("total_staff").clip(0, MAX_STAFF)
    # E2 (A1.4): under the threshold, everyone who may join must join — all staff less the
    # ineligible staff the roster lists; from the threshold on, a share of ALL staff (A1.3:
    # "全体从业人员总数的80%以上", temporaries included)
    basis = pl.when(small).then((staff - pl.col("ineligible")).clip(0, None)).otherwise(staff)
    required_count = (basis * bp + 9999) // 10000
    units = units.with_columns(
        required_ratio=ratio_bp,
        required_count=required_count,
        ratio=pl.when(pl.col("total_staff") > 0)
        .then(pl.col("eligible") / pl.col("total_staff"))
        .otherwise(None),
        _pct_text=pl.when(bp % 100 == 0)
        .then((bp // 100).cast(pl.Utf8))
        .otherwise((bp / 100).cast(pl.Utf8)),
    )
    too_many = pl.col("listed") > pl.col("total_staff")
    below = pl.col("eligible") < pl.col("required_count")
    units = units.with_columns(
        _too_many=too_many.fill_null(False),
        shortfall=pl.when(below & ~too_many.fill_null(False))
        .then(pl.col("required_count") - pl.col("eligible"))
        .otherwise(0),
        # the most the roster's own staff could reach: all but the listed ineligible
        _reachable=(staff - pl.col("ineligible")).clip(0, None),
    )
    units = units.with_columns(
        status=pl.when(pl.col("_unit_invalid") | pl.col("_too_many"))
        .then(pl.lit(INVALID))
        .when(pl.col("shortfall") > 0)
        .then(pl.lit(NON_COMPLIANT))
        .otherwise(pl.lit(COMPLIANT)),
        _ratio_reason=pl.when(pl.col("_too_many"))
        .then(pl.lit("TOO_MANY_MEMBERS"))
        .when(pl.col("shortfall") > 0)
        .then(pl.when(small).then(pl.lit("NOT_ALL_ENROLLED")).otherwise(pl.lit("RATIO_BELOW_MIN"))),
        # E2: short-term temporaries count in the total, so listing everyone else is not
        # enough — the finding's sentence says so
        _ratio_finding=pl.when(pl.col("_too_many"))
        .then(pl.lit("TOO_MANY_MEMBERS"))
        .when(pl.col("shortfall") > 0)
        .then(
            pl.when(small)
            .then(pl.lit("NOT_ALL_ENROLLED"))
            .when(pl.col("_reachable") < pl.col("required_count"))
            .then(pl.lit("RATIO_UNREACHABLE"))
            .otherwise(pl.lit("RATIO_BELOW_MIN"))
        ),
    )
    # shares and payroll outside their range make the unit invalid (above); clipped here so
    # that the figures shown beside the finding stay computable
    pct = (
        pl.col("individual_share_pct")
        .fill_null(pl.col("individual_share_default_pct"))
        .fill_nan(pl.col("individual_share_default_pct"))
        .clip(0, 100)
    )
    # E4; L110: a roster for a running contract (L52) bills only the members it adds, a full
    # year each or the months of cover left (the dated parameter `addition_billing`), the
    # months' share rounded half up once per unit (L11)
    units = units.join(
        _added_members(members, existing_spells), on="unit_code", how="left", maintain_order="left"
    ).with_columns(
        added_members=pl.when(pl.col("_existing_contract_no").is_not_null()).then(
            pl.col("added_members").fill_null(0)
        ),
        _added_months=pl.col("_added_months").fill_null(0),
    )
    rate = pl.col("contribution_per_member")
    by_months = (rate * pl.col("_added_months") * 2 + pl.col("term_months")) // (
        2 * pl.col("term_months")
    )
    contribution = (
        pl.when(pl.col("added_members").is_null())
        .then(pl.col("eligible") * rate)
        .when(pl.col("addition_billing") == "remaining_months")
        .then(by_months)
        .otherwise(pl.col("added_members") * rate)
    )
    individual = ((contribution * pct * 100 + 5000) // 10000).cast(pl.Int64)  # L11, half up
    units = (
        units.with_columns(
            contribution_total=contribution.cast(pl.Int64),
            individual_share=individual,
        )
        .with_columns(
            unit_share=pl.col("contribution_total") - pl.col("individual_share"),
        )
        .with_columns(
            deductible=pl.when(pl.col("total_payroll").is_not_null())
            .then(
                pl.min_horizontal(
                    pl.col("unit_share").cast(pl.Float64),
                    (
                        pl.col("total_payroll").clip(0, MAX_PAYROLL)
                        * pl.col("deductible_payroll_pct")
                        / 100
                    ).floor(),
                ).cast(pl.Int64)
            )
            .otherwise(None),
            reasons=pl.concat_list(
                [pl.col("_unit_reasons"), pl.concat_list(pl.col("_ratio_reason"))]
            ).list.drop_nulls(),
        )
    )
    # ratio findings carry the figures for the message: eligible/total_staff/shortfall
    ratio_rows = units.filter(pl.col("_ratio_reason").is_not_null())
    findings.append(
        _finding(
            ratio_rows,
            pl.lit(True),
            file,
            "UNIT_RATIO",
            "total_staff",
            # eligible|staff|shortfall|required|percent|threshold|ineligible|reachable: the
            # figures of the sentence, from the parameters in force (E2)
            pl.format(
                "{}|{}|{}|{}|{}|{}|{}|{}",
                pl.col("eligible"),
                pl.col("total_staff"),
                pl.col("shortfall"),
                pl.col("required_count"),
                pl.col("_pct_text"),
                pl.col("small_unit_below"),
                pl.col("ineligible"),
                pl.col("_reachable"),
            ),
        ).with_columns(ratio_rows["_ratio_finding"].alias("code"))
    )

    # ---- E5: what may be recorded
    compliant = units.filter(pl.col("status") == COMPLIANT)
    contracts = compliant.select(
        "unit_code",
        "unit_name",
        pl.coalesce(
            pl.col("contract_no"),
            pl.format("{}-{}", pl.col("unit_code"), pl.col("_start").dt.strftime("%Y%m%d")),
        ).alias("contract_no"),
        pl.col("_start").alias("term_start"),
        pl.col("_term_end").alias("term_end"),
        pl.col("_first_time").alias("first_time"),
        pl.col("_received").alias("received_date"),
        pl.col("_imported").alias("imported"),
        pl.col("_kind_renewal"),
        "policy_version",
        "total_staff",
        "eligible",
        "contribution_total",
        "unit_share",
        "individual_share",
        "contact",
        "phone",
        pl.col("_existing_contract_no"),
    )
    spells = (
        members.filter(pl.col("member_status") == "ok")
        .join(
            contracts.select(
                "unit_code",
                "contract_no",
                "term_start",
                "term_end",
                "policy_version",
                "_kind_renewal",
            ),
            on="unit_code",
            how="inner",
        )
        .select(
            "id_number",
            "name",
            "unit_code",
            "contract_no",
            "term_start",
            "term_end",
            pl.col("_start").alias("spell_start"),
            "policy_version",
            pl.col("_kind_renewal").fill_null(False),
        )
    )
    spells = _with_first_time(spells, existing_spells, policy)
    contracts = contracts.drop("_kind_renewal")

    unit_out = units.sort("_row").select(
        "unit_code",
        "unit_name",
        "status",
        "total_staff",
        "eligible",
        "listed",
        "ratio",
        "required_ratio",
        "required_count",
        "shortfall",
        "contribution_total",
        "unit_share",
        "individual_share",
        "deductible",
        "added_members",
        "reasons",
        "effective_date",
        pl.col("_start").alias("term_start"),
        pl.col("_term_end").alias("term_end"),
        pl.col("_received").alias("received_date"),
        pl.col("_imported").alias("imported"),
        pl.col("_first_time").alias("first_time"),
        "policy_version",
        "contact",
        "phone",
        "_sheet",
        "_row",
    )
    member_out = members.sort("_row").select(
        *member_columns,
        "member_status",
        "member_code",
    )
    additions = compliant.filter(pl.col("added_members") > 0).select(
        pl.col("_existing_contract_no").alias("contract_no"),
        "unit_code",
        pl.col("_received").alias("billed_on"),
        pl.col("added_members").alias("members"),
        pl.col("contribution_total").alias("amount"),
    )
    all_findings = concat_findings(findings).sort("sheet", "row", nulls_last=True)
    return EnrollmentResult(
        additions=additions.cast(ADDITIONS_SCHEMA),  # type: ignore[arg-type]
        units=unit_out,
        members=member_out,
        findings=all_findings,
        contracts=contracts,
        spells=spells,
    )


def _credit_code_ok(codes: pl.Series) -> pl.Series:
    """GB 32100: an 18-character unit code must be a valid Unified Social Credit Code.

    Checked with stdnum once per distinct code (a workbook has at most tens of thousands).
    Shorter codes are internal unit codes and are not checked.
    """
    from stdnum.cn import uscc

    distinct = codes.drop_nulls().unique()
    eighteen = distinct.filter(distinct.str.len_chars() == 18)
    bad = {code for code in eighteen.to_list() if not uscc.is_valid(code)}
    return ~codes.is_in(list(bad)).fill_null(False)


def _with_term(u: pl.DataFrame) -> pl.DataFrame:
    """Each unit's term end from the day its term starts (`_start`), by the term length of
    its own parameter version (D3)."""
    months = u["term_months"].unique().drop_nulls().to_list()
    expr: pl.Expr = pl.lit(None, dtype=pl.Date)
    for n in months:
        expr = (
            pl.when(pl.col("term_months") == n).then(term_end(pl.col("_start"), n)).otherwise(expr)
        )
    return u.with_columns(_term_end=expr)


def _existing(existing: pl.DataFrame) -> pl.DataFrame:
    def optional(name: str, alias: str, dtype: pl.DataType | type[pl.DataType]) -> pl.Expr:
        if name in existing.columns:
            return pl.col(name).cast(dtype).alias(alias)
        return pl.lit(None, dtype).alias(alias)

    return existing.select(
        "unit_code",
        pl.col("contract_no").alias("_ex_no"),
        pl.col("term_start").alias("_ex_start"),
        pl.col("term_end").alias("_ex_end"),
        optional("first_time", "_ex_first", pl.Boolean),
        optional("received_date", "_ex_received", pl.Date),
    )


def _with_renewal(u: pl.DataFrame, existing: pl.DataFrame) -> pl.DataFrame:
    """First enrolment or renewal, and the day the term really starts (D5).

    The same contract already in the register (the same start, or a term holding the stated
    date recorded from a roster received the same day) is enrolled again: E5, nothing
    changes, its start and first-time flag are kept. Otherwise the previous contract is the
    unit's latest that started before the stated date; a roster received no later than its
    expiry + grace renews it from expiry + 1 (continuous, the anniversary kept). With
    --import the stated date is trusted and the old reading applies: a stated start at most
    the grace after the expiry is a renewal; for a unit the register has never seen,
    `enrolment_kind` 续保 says so.
    """
    pairs = u.select(
        "_unit_idx", "unit_code", "effective_date", "renewal_grace_days", "_received"
    ).join(_existing(existing), on="unit_code", how="inner")
    is_same = (pl.col("_ex_start") == pl.col("effective_date")) | (
        (pl.col("_ex_received") == pl.col("_received"))
        & (pl.col("_ex_start") <= pl.col("effective_date"))
        & (pl.col("_ex_end") >= pl.col("effective_date"))
    )
    same = (
        pairs.filter(is_same)
        .sort("_ex_start")
        .group_by("_unit_idx")
        .agg(
            pl.col("_ex_no").first().alias("_existing_contract_no"),
            pl.col("_ex_first").first().alias("_existing_first"),
            pl.col("_ex_start").first().alias("_same_start"),
        )
    )
    previous = (
        pairs.join(same.select("_unit_idx", "_existing_contract_no"), on="_unit_idx", how="left")
        .filter(
            (pl.col("_ex_start") < pl.col("effective_date"))
            & (pl.col("_ex_no") != pl.col("_existing_contract_no")).fill_null(True)
        )
        .sort("_ex_end")
        .group_by("_unit_idx")
        .agg(
            pl.col("_ex_end").last().alias("_prev_end"),
            pl.col("_ex_no").last().alias("_prev_no"),
        )
    )
    out = u.join(previous, on="_unit_idx", how="left").join(same, on="_unit_idx", how="left")
    grace = pl.duration(days=pl.col("renewal_grace_days"))
    renewal = (
        pl.when(pl.col("_imported"))
        .then(pl.col("effective_date") <= pl.col("_prev_end") + grace)
        .otherwise(pl.col("_received") <= pl.col("_prev_end") + grace)
    )
    out = out.with_columns(
        _renewal=renewal.fill_null(False),
        _same=pl.col("_existing_contract_no").is_not_null(),
        # --import, a unit the register has never seen, stated 续保 (D5)
        _kind_renewal=(
            pl.col("_imported")
            & pl.col("_prev_end").is_null()
            & (pl.col("enrolment_kind") == KIND_RENEWAL)
        ).fill_null(False),
    )
    start = (
        pl.when(pl.col("_same"))
        .then(pl.col("_same_start"))
        .when(~pl.col("_imported") & pl.col("_renewal"))
        .then(pl.col("_prev_end") + pl.duration(days=1))
        .otherwise(pl.col("effective_date"))
    )
    return out.with_columns(
        _start=start,
        _first_time=pl.coalesce(
            pl.col("_existing_first"), ~(pl.col("_renewal") | pl.col("_kind_renewal"))
        ),
        contract_no=pl.coalesce(pl.col("_existing_contract_no"), pl.col("contract_no")),
    ).drop("_existing_first", "_same_start")


def _with_overlap(u: pl.DataFrame, existing: pl.DataFrame) -> pl.DataFrame:
    """The term overlaps another contract of the unit already in the register (E5)."""
    pairs = u.select("_unit_idx", "unit_code", "_start", "_term_end", "_existing_contract_no").join(
        _existing(existing), on="unit_code", how="inner"
    )
    overlap = pairs.filter(
        (pl.col("_ex_no") != pl.col("_existing_contract_no")).fill_null(True)
        & (pl.col("_ex_start") <= pl.col("_term_end"))
        & (pl.col("_ex_end") >= pl.col("_start"))
    )
    return (
        u.join(
            overlap.group_by("_unit_idx").agg(pl.len().alias("_n_overlap")),
            on="_unit_idx",
            how="left",
        )
        .with_columns(_overlap=pl.col("_n_overlap").fill_null(0) > 0)
        .drop("_n_overlap")
    )


def _with_continuing(m: pl.DataFrame, existing_spells: pl.DataFrame) -> pl.DataFrame:
    """D6: the member was covered by the previous contract of a renewal received within the
    grace, and so continues from expiry + 1 (the only cover that may start before the
    received day) — or already has a spell in this very contract (enrolled again, E5:
    nothing changes)."""
    prev = existing_spells.select("id_number", pl.col("contract_no").alias("_k")).unique()
    flagged = m.join(
        prev.with_columns(_in_prev=pl.lit(True)),
        left_on=["id_number", "_unit_prev_no"],
        right_on=["id_number", "_k"],
        how="left",
        maintain_order="left",
    ).join(
        prev.with_columns(_in_same=pl.lit(True)),
        left_on=["id_number", "_unit_same_no"],
        right_on=["id_number", "_k"],
        how="left",
        maintain_order="left",
    )
    return flagged.with_columns(
        _continuing=(
            (pl.col("_in_prev").fill_null(False) & pl.col("_unit_renewal"))
            | pl.col("_in_same").fill_null(False)
        ).fill_null(False)
    ).drop("_in_prev", "_in_same")


def _with_register_conflicts(m: pl.DataFrame, existing_spells: pl.DataFrame) -> pl.DataFrame:
    """E3: the id is already covered by another unit's contract for an overlapping term."""
    ex = existing_spells.select(
        "id_number",
        pl.col("unit_code").alias("_ex_unit"),
        pl.col("spell_start").alias("_ex_start"),
        pl.col("term_end").alias("_ex_end"),
    )
    keys = m.select("_row", "id_number", "unit_code", "_start", "_unit_end").join(
        ex, on="id_number", how="inner"
    )
    conflicts = (
        keys.filter(
            (pl.col("_ex_unit") != pl.col("unit_code"))
            & (pl.col("_ex_start") <= pl.col("_unit_end"))
            & (pl.col("_ex_end") >= pl.col("_start"))
        )
        .group_by("_row")
        .agg(pl.col("_ex_unit").first().alias("_register_unit"))
    )
    return m.join(
        conflicts.with_columns(_register_conflict=pl.lit(True)), on="_row", how="left"
    ).with_columns(pl.col("_register_conflict").fill_null(False))


def _with_first_time(
    spells: pl.DataFrame, existing_spells: pl.DataFrame, policy: Policy
) -> pl.DataFrame:
    """D6: a spell is first-time unless the same id had cover (any unit, register or this
    workbook) that overlaps it or ends at most the grace days before it starts."""
    grace = pl.col("renewal_grace_days")
    spells = attach_params(spells, "term_start", policy).select(
        *spells.columns, "renewal_grace_days"
    )
    prior = pl.concat(
        [
            existing_spells.select(
                "id_number",
                "contract_no",
                pl.col("spell_start").alias("_p_start"),
                pl.col("term_end").alias("_p_end"),
            ),
            spells.select(
                "id_number",
                "contract_no",
                pl.col("spell_start").alias("_p_start"),
                pl.col("term_end").alias("_p_end"),
            ),
        ]
    ).unique()
    pairs = spells.select("id_number", "contract_no", "spell_start", "renewal_grace_days").join(
        prior.rename({"contract_no": "_p_no"}), on="id_number", how="inner"
    )
    continued = (
        pairs.filter(
            (pl.col("_p_no") != pl.col("contract_no"))
            & (pl.col("_p_start") < pl.col("spell_start"))
            & (pl.col("_p_end") >= pl.col("spell_start") - pl.duration(days=grace))
        )
        .select("id_number", "contract_no")
        .unique()
        .with_columns(_continued=pl.lit(True))
    )
    # --import of a unit stated 续保 that the register has never seen: no spell is first-time
    return (
        spells.join(continued, on=["id_number", "contract_no"], how="left")
        .with_columns(first_time=~(pl.col("_continued").fill_null(False) | pl.col("_kind_renewal")))
        .drop("_continued", "renewal_grace_days", "_kind_renewal")
    )
