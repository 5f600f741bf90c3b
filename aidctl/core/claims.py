"""The claim calculator: rules.md "Deciding a claim", steps 1–10, vectorised.

Pure: the claims frame from intake, the members' cover spells and earlier decisions from the
register, the dated parameters and the as-of day in; one decision per claim row out.

Steps 1–5 and the parts of 6–8 that depend only on the claim itself are column expressions
over all claims at once ("static"). What depends on earlier decisions — the same-disease
and accident caps, "once per spell", "excluded from then on", "paid in an earlier term" — is
decided in step 10's order: the register's decisions first, then this run's claims by
(event date, claim_id). Claims of different members never affect each other, so that part
runs as rounds: round k decides every member's k-th such claim at once against a ledger of
what was approved before it. The number of rounds is the largest number of live claims of
one member in the file (a handful), not the number of claims.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from aidctl.core.dates import day_number, months_later
from aidctl.core.diagnosis import LISTED, read_diagnoses
from aidctl.core.reasons import (
    ACCIDENTS,
    APPROVED,
    CAP,
    CI,
    CLAIM,
    CLAIM_TYPES,
    COVER,
    DEATH,
    DISABILITY,
    DUPLICATES,
    EXCLUSIONS,
    EXEMPTION,
    FULL,
    HISTORY,
    INPUT,
    ORDERED,
    PENDING,
    REASON_DTYPE,
    REDUCED,
    REJECTED,
    StepInputs,
    clause_expr,
    first_match,
    status_expr,
    steps_of,
)
from aidctl.core.versions import grade_range, in_force, version_table
from aidctl.plan.catalogue import CERTAIN, Catalogue, normalise_text
from aidctl.plan.causes import load_causes
from aidctl.plan.params import Policy

__all__ = ["ACCIDENTS", "CI", "DEATH", "DECISION_SCHEMA", "DISABILITY", "decide_claims"]

# Parameters carried per claim from its version (D9).
_CLAIM_PARAMS: dict[str, pl.DataType | type[pl.DataType]] = {
    "start_day_counts": pl.Boolean,
    **{
        key: pl.Int64
        for key in (
            "exemption_last_day",
            "reduced_last_day",
            "reduced_pct",
            "consolation_amount",
            "class1_amount",
            "class2_amount",
            "same_disease_cap",
            "death_amount",
            "death_within_months",
            "accident_cap",
        )
    },
}

DECISION_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "claim_id": pl.Utf8,
    "_row": pl.Int64,
    "id_number": pl.Utf8,
    "name": pl.Utf8,
    "unit_code": pl.Utf8,
    "claim_type": pl.Utf8,
    "disease_code": pl.Utf8,
    # step 3 (L4): the diagnosis as read — the listed code, else the normalised text — the
    # register keeps it so that a rerun finds the same duplicates as one file does
    "disease_key": pl.Utf8,
    "disability_grade": pl.Int64,
    "event_date": pl.Date,
    "status": pl.Utf8,
    "amount": pl.Int64,
    "reason_code": pl.Utf8,
    "clause": pl.Utf8,
    "policy_version": pl.Utf8,
    "contract_no": pl.Utf8,
    "term_start": pl.Date,
    "cover_day": pl.Int64,
    "period": pl.Utf8,
    "base_amount": pl.Int64,
    "pct": pl.Int64,
    "cap_room": pl.Int64,
    "detail": pl.Utf8,
    "content": pl.Utf8,
}


def _attach(frame: pl.DataFrame, right: pl.DataFrame, on: str) -> pl.DataFrame:
    """A left join on a key that is unique in `right`, without copying `frame`'s columns.

    The claims frame is wide; a join would gather every one of its columns. Joining only
    the key column, in the frame's order, and placing the new columns beside the frame
    leaves the frame as it is.
    """
    if right.is_empty():  # nothing to find: the new columns are empty, no join needed
        return frame.with_columns(
            pl.lit(None, dtype).alias(name) for name, dtype in right.schema.items() if name != on
        )
    extra = frame.select(on).join(right, on=on, how="left", maintain_order="left").drop(on)
    return frame.hstack(extra)


def _place(frame: pl.DataFrame, values: pl.DataFrame, at: str = "_i") -> pl.DataFrame:
    """`values`' columns beside `frame`: each row of `values` goes to the row of `frame` its
    column `at` names (a position, unique), nulls elsewhere.

    The claims frame is a million rows; a left join on a key would hash every one of its
    keys for each lookup, however few rows the lookup has. Positions need no hashing: an
    index column is scattered once and every column gathered through it.
    """
    extra = values.drop(at)
    if values.is_empty():  # nothing found: the new columns are empty
        return frame.with_columns(
            pl.lit(None, dtype).alias(name) for name, dtype in extra.schema.items()
        )
    where = pl.repeat(None, frame.height, dtype=pl.UInt32, eager=True).scatter(
        values[at], pl.int_range(values.height, dtype=pl.UInt32, eager=True)
    )
    return frame.hstack(extra.select(pl.all().gather(where)))


def _key_hash(on: list[str]) -> pl.Expr:
    return (pl.col(on[0]) if len(on) == 1 else pl.struct(on)).hash()


def _find(
    left: pl.DataFrame, right: pl.DataFrame, on: list[str], left_hash: pl.Series | None = None
) -> pl.Series | None:
    """For each row of `left`, the position of the row of `right` with the same values in
    `on` (a blank equals a blank), or null.

    Found by 64-bit hashes of the keys — a join on one integer column costs a fraction of a
    join on strings — and then checked value by value. None when that cannot be exact: two
    rows of `right` share a hash, or a hash found a row whose values differ (a collision);
    the caller then joins on the values themselves. When neither happens the answer is the
    join's: a row with equal values has the equal hash, and that hash names one row.
    """
    keys = right.select(
        _key_hash(on).alias("_h"), pl.int_range(pl.len(), dtype=pl.UInt32).alias("_j")
    )
    ordered = keys["_h"].sort()
    if (ordered == ordered.shift(1)).any():
        return None
    hashes = left.select(_key_hash(on)).to_series() if left_hash is None else left_hash
    found = (
        hashes.to_frame("_h")
        .join(keys, on="_h", how="left", maintain_order="left")
        .get_column("_j")
    )
    differs = pl.any_horizontal(
        found.is_not_null() & ~left[k].eq_missing(right[k].gather(found)) for k in on
    )
    if pl.select(differs.any()).item():
        return None
    return found


def _sharing(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """The rows of `frame` that may share `columns` with another row: every row that does
    (rows with the same values have the same hash), and perhaps a few that only share a
    hash. A group of equal values is always whole here, so what is computed over the
    groups of these rows is what it would be over all rows, at a fraction of the cost
    (the hashes are sorted, not put in a hash table)."""
    hashes = frame.select(
        (pl.col(columns[0]) if len(columns) == 1 else pl.struct(columns)).hash().alias("_h")
    ).to_series()
    ordered = hashes.sort()
    shared = ordered.filter(ordered == ordered.shift(1))
    if shared.is_empty():
        return frame.clear()
    return frame.filter(hashes.is_in(shared.unique().implode()))


def _disease_key(text: str | None, icd: str | None, code: str | None) -> str | None:
    """L4: the diagnosis as read — the listed code, else the normalised text (and code)."""
    if code is not None:
        return code
    parts = [normalise_text(v) for v in (text, icd) if v is not None]
    return "|".join(parts) if parts else None


_DX_ON = ["disease", "diagnosis_code"]


def read_claim_diagnoses(
    claims: pl.DataFrame, catalogue: Catalogue, hashes: pl.Series | None = None
) -> pl.DataFrame:
    """D10 for the critical-illness claims: one reading per distinct (disease,
    diagnosis_code), with the duplicate key of step 3 (L4) beside it."""
    ci = claims.lazy()
    if hashes is None:
        distinct = ci.filter(pl.col("claim_type") == CI).select(_DX_ON).unique()
    else:
        # distinct by the pair's hash (`hashes`, one per claim), cheaper than by the strings;
        # a collision, which would merge two pairs, is found by `_with_reading`'s check
        distinct = (
            ci.select(*_DX_ON, "claim_type", hashes.alias("_dh"))
            .filter(pl.col("claim_type") == CI)
            .unique("_dh", keep="any")
            .select(_DX_ON)
        )
    reading = read_diagnoses(distinct.collect(), catalogue)
    keys = [
        _disease_key(text, icd, code if outcome == LISTED else None)
        for text, icd, outcome, code in reading.select(
            "disease", "diagnosis_code", "dx_outcome", "dx_code"
        ).iter_rows()
    ]
    return reading.with_columns(
        pl.Series("_dkey", keys, dtype=pl.Utf8),
        pl.col("dx_code")
        .replace_strict(disease_index(catalogue), default=0, return_dtype=pl.UInt32)
        .alias("_dxi"),
    )


def _with_reading(claims: pl.DataFrame, catalogue: Catalogue) -> pl.DataFrame:
    """D10: each distinct (disease, diagnosis_code) of the critical illnesses read once and
    placed beside every claim that wrote it (by the pair's hash, checked value by value; on
    a collision by a join on the strings)."""
    hashes = claims.select(_key_hash(_DX_ON)).to_series()
    reading = read_claim_diagnoses(claims, catalogue, hashes)
    found = _find(claims, reading, _DX_ON, left_hash=hashes)
    if found is None:
        return _attach2(claims, read_claim_diagnoses(claims, catalogue), _DX_ON)
    return claims.hstack(reading.drop(_DX_ON).select(pl.all().gather(found)))


def _attach2(frame: pl.DataFrame, right: pl.DataFrame, on: list[str]) -> pl.DataFrame:
    """`_attach` on several keys, nulls equal (a claim without a code has a null code)."""
    extra = (
        frame.select(on)
        .join(right, on=on, how="left", maintain_order="left", nulls_equal=True)
        .drop(on)
    )
    return frame.hstack(extra)


def _dates_after(as_of: dt.date) -> pl.Expr:
    """Step 1, L26: the dates of its type a claim reads (diagnosis; accident; accident and
    death) that lie after the as-of day, comma-separated ('' when none): nothing is paid for
    what has not happened yet. The treatment end date is step 7's (TREATMENT_NOT_ENDED)."""
    t = pl.col("claim_type")
    checks = [
        ("diagnosis_date", t == CI),
        ("accident_date", t.is_in(ACCIDENTS)),
        ("death_date", t == DEATH),
    ]
    return pl.concat_str(
        [
            pl.when(applies & (pl.col(k) > pl.lit(as_of))).then(pl.lit(k)).otherwise(None)
            for k, applies in checks
        ],
        separator=",",
        ignore_nulls=True,
    ).fill_null("")


def _keys_among(cell: pl.Expr, keys: tuple[str, ...]) -> pl.Expr:
    """The keys of a 'key;key' cell that are among `keys`, in the cell's order."""
    return (
        cell.str.split(";")
        .list.eval(pl.element().filter(pl.element().is_in(list(keys))))
        .list.join(";")
    )


def _with_regrade(claims: pl.DataFrame, hist: pl.DataFrame) -> pl.DataFrame:
    """Step 3 (A5.3): `_regrade` marks the disability claims that passed steps 1–3 and share
    (id_number, accident date) with another grade — an approved register decision, or
    another claim of this run. Whether the earlier one was approved is known only in step
    10's order."""
    reached = pl.col("_r").is_null() & (pl.col("claim_type") == DISABILITY)
    in_run = (
        _sharing(
            claims.lazy()
            .filter(reached)
            .select("_i", "id_number", "event_date", "disability_grade")
            .collect(),
            ["id_number", "event_date"],
        )
        .filter(pl.col("disability_grade").n_unique().over("id_number", "event_date") > 1)
        .select("_i", _regrade=pl.lit(True))
    )
    claims = _place(claims, in_run).with_columns(pl.col("_regrade").fill_null(False))
    earlier = hist.filter(
        (pl.col("status") == APPROVED) & (pl.col("claim_type") == DISABILITY)
    ).select("id_number", "event_date", pl.col("disability_grade").alias("_hgrade"))
    if earlier.is_empty():
        return claims
    in_register = (
        claims.lazy()
        .filter(reached)
        .select("_i", "id_number", "event_date", "disability_grade")
        .join(earlier.lazy(), on=["id_number", "event_date"], how="inner")
        .filter(pl.col("_hgrade").ne_missing(pl.col("disability_grade")))
        .select("_i")
        .unique()
        .with_columns(_regrade_reg=pl.lit(True))
        .collect()
    )
    return _place(claims, in_register).with_columns(
        _regrade=pl.col("_regrade") | pl.col("_regrade_reg").fill_null(False)
    )


def _norm_name(col: str) -> pl.Expr:
    return pl.col(col).str.normalize("NFKC").str.replace_all(r"\s+", "")


def decide_claims(
    claims: pl.DataFrame,
    spells: pl.DataFrame,
    history: pl.DataFrame,
    policy: Policy,
    as_of: dt.date,
) -> pl.DataFrame:
    """Decide every claim row; see the module docstring for how the steps are arranged."""
    params = version_table(policy, _CLAIM_PARAMS, grades=True)
    causes = load_causes()
    # D7: one calendar month; a constant offset when every version agrees (formatting an
    # offset per row costs more than the rest of the step)
    month_values = params["death_within_months"].unique().to_list()
    death_deadline = months_later(
        pl.col("accident_date"),
        int(month_values[0]) if len(month_values) == 1 else pl.col("death_within_months"),
    )
    grades = grade_range(policy)
    inputs = StepInputs(as_of=as_of, causes=causes, death_deadline=death_deadline, grades=grades)
    if "diagnosis_code" not in claims.columns:  # a frame from before D10's code column
        claims = claims.with_columns(pl.lit(None, pl.Utf8).alias("diagnosis_code"))
    text_cols = [
        k
        for k in (
            "claim_id",
            "id_number",
            "name",
            "claim_type",
            "disease",
            "diagnosis_code",
            "unit_code",
        )
        if k in claims.columns
    ]
    claims = claims.with_columns(  # L17: a cell of white space only is a blank cell
        [
            pl.when(pl.col(k).str.strip_chars() == "").then(None).otherwise(pl.col(k)).alias(k)
            for k in text_cols
        ]
    ).with_columns(
        pl.when(pl.col("claim_type") == CI)
        .then(pl.col("diagnosis_date"))
        .otherwise(pl.col("accident_date"))
        .alias("event_date"),  # L5
        pl.int_range(pl.len(), dtype=pl.UInt32).alias("_i"),  # each row's position (`_place`)
    )
    # the claim types as an enum when they are the plan's three (as intake gives them): the
    # steps compare them dozens of times (`CLAIM_TYPES`)
    if claims.select(pl.col("claim_type").is_in(CLAIM_TYPES.categories.implode()).all()).item():
        claims = claims.with_columns(pl.col("claim_type").cast(CLAIM_TYPES))
    # D10: each distinct (disease, diagnosis_code) read once, joined back
    claims = _with_reading(claims, policy.catalogue)
    is_ci_claim = pl.col("claim_type") == CI
    claims = claims.with_columns(
        pl.when(is_ci_claim & (pl.col("dx_outcome") == LISTED))
        .then(pl.col("dx_code"))
        .alias("_code"),
        pl.when(is_ci_claim).then(pl.col("dx_class")).alias("_class"),
        pl.when(is_ci_claim).then(pl.col("dx_outcome")).alias("_outcome"),
        pl.when(is_ci_claim).then(pl.col("_dkey")).alias("disease_key"),
        # the listed disease's number for the ordered part (0: none)
        pl.when(is_ci_claim & (pl.col("dx_outcome") == LISTED))
        .then(pl.col("_dxi"))
        .otherwise(0)
        .alias("_dc"),
    ).with_columns(
        pl.col("_code").alias("disease_code"),
        pl.col("disease_key").fill_null("").alias("_dkey"),
    )

    # ---- step 1: input (L1, L2)
    # L2: among rows sharing a claim_id, every row but the first is a repeat
    repeats = (
        _sharing(claims.select("_i", "_row", "claim_id"), ["claim_id"])
        .filter(pl.col("claim_id").is_duplicated())
        .filter(pl.col("_row") != pl.col("_row").min().over("claim_id"))
        .select("_i", pl.lit(True).alias("_repeat"))
    )
    claims = _place(claims, repeats)
    claims = claims.with_columns(
        _future=_dates_after(as_of),
    ).with_columns(_r1=first_match(steps_of(INPUT), inputs))

    # ---- step 2: already decided (L3, L14)
    hist = history.filter(~pl.col("voided").fill_null(False))
    decided = (
        hist.filter(pl.col("status").is_in([APPROVED, REJECTED]))
        .sort("decision_id" if "decision_id" in hist.columns else "claim_id")
        .group_by("claim_id")
        .agg(
            pl.col("status").last().alias("_prev_status"),
            pl.col("content").last().alias("_prev_content"),
        )
    )
    claims = _attach(claims, decided, "claim_id")
    claims = claims.with_columns(
        _r=pl.coalesce(pl.col("_r1"), first_match(steps_of(HISTORY), inputs))
    )

    # ---- step 3: possible duplicates (L4)
    key = ["id_number", "claim_type", "_dkey", "_gkey", "event_date"]
    claims = claims.with_columns(  # L4: the grade is part of the key of a disability claim only
        _gkey=pl.when(pl.col("claim_type") == DISABILITY)
        .then(pl.col("disability_grade").fill_null(-1))
        .otherwise(-1)
    )
    # L4: the register's key of the diagnosis as read; rows recorded before it was kept
    # fall back to their code
    hist_dkey = (
        pl.coalesce(pl.col("disease_key"), pl.col("disease_code"))
        if "disease_key" in hist.columns
        else pl.col("disease_code")
    )
    hkeys = hist.select(
        "id_number",
        # as the claims carry it (a type outside the enum matches no claim: none has it)
        pl.col("claim_type").cast(claims.schema["claim_type"], strict=False),
        pl.when(pl.col("claim_type") == CI)
        .then(hist_dkey.fill_null(""))
        .otherwise(pl.lit(""))
        .alias("_dkey"),
        pl.when(pl.col("claim_type") == DISABILITY)
        .then(pl.col("disability_grade").fill_null(-1))
        .otherwise(-1)
        .alias("_gkey"),
        "event_date",
        pl.col("claim_id").alias("_hclaim"),
    )
    in_register = (
        pl.DataFrame(schema={"_i": pl.UInt32, "_dup_reg": pl.Boolean})
        if hkeys.is_empty()  # an empty register: no claim to compare with
        else claims.lazy()
        .filter(pl.col("_r").is_null())
        .select("_i", "claim_id", *key)
        .join(hkeys.lazy(), on=key, how="inner")
        .filter(pl.col("_hclaim") != pl.col("claim_id"))
        .select("_i")
        .unique()
        .with_columns(_dup_reg=pl.lit(True))
        .collect()
    )
    claims = _place(claims, in_register)
    # among the claims of this run that reached step 3, in step 10's order: within one key
    # the event date is the same, so "earlier" is the smaller claim_id (among the
    # rows that reached step 3 and share their key with another)
    reached = _sharing(
        claims.lazy().filter(pl.col("_r").is_null()).select("_i", "claim_id", *key).collect(), key
    )
    in_run = (
        reached.filter(pl.struct(key).is_duplicated())
        .filter(pl.col("claim_id") != pl.col("claim_id").min().over(key))
        .select("_i", pl.lit(True).alias("_dup_run"))
    )
    claims = _place(claims, in_run)
    claims = claims.with_columns(
        _r=pl.coalesce(pl.col("_r"), first_match(steps_of(DUPLICATES), inputs))
    )
    # A5.3, step 3: one accident has one grade. A disability claim that may follow an
    # approved one of the same accident date with another grade (in the register, or
    # earlier in this run) is decided in the ordered part, which knows what was approved.
    claims = _with_regrade(claims, hist)

    # ---- step 4: cover (L6, L7)
    cover_spells = spells.select(
        "id_number",
        pl.col("name").alias("_spell_name"),
        pl.col("unit_code").alias("_spell_unit"),
        "contract_no",
        "term_start",
        "term_end",
        "spell_start",
        "first_time",
    )
    covers = (pl.col("spell_start") <= pl.col("event_date")) & (
        pl.col("event_date") <= pl.col("term_end")
    )
    found = _find(claims, cover_spells, ["id_number"])
    if found is not None:
        # one spell per member at most: each claim's only candidate is found by position;
        # where it does not cover the event, its columns stay empty
        candidate = cover_spells.select(pl.all().gather(found)).with_columns(claims["event_date"])
        claims = claims.hstack(
            candidate.select(
                pl.when(covers.fill_null(False)).then(pl.col(k)).alias(k)
                for k in cover_spells.columns
                if k != "id_number"
            )
        )
    else:
        covering = (
            claims.select("_i", "id_number", "event_date")
            .join(cover_spells, on="id_number", how="inner", maintain_order="left")
            .filter(covers)
            .drop("id_number", "event_date")
        )
        # L6: only a claim covered twice needs choosing (latest spell_start, then contract_no);
        # in the claims' order a claim's spells are neighbours (its position is unique)
        row = pl.col("_i")
        twice = covering.select(
            ((row == row.shift(1)) | (row == row.shift(-1))).fill_null(False)
        ).to_series()
        if twice.any():
            chosen = (
                covering.filter(twice)
                .sort(["_i", "spell_start", "contract_no"], descending=[False, True, True])
                .unique("_i", keep="first", maintain_order=True)
            )
            covering = pl.concat([covering.filter(~twice), chosen])
        claims = _place(claims, covering)
    # parameters: the version in force on the covering contract's start (D9), else on the
    # event date (L15)
    claims = claims.with_columns(
        pl.coalesce(pl.col("term_start"), pl.col("event_date")).alias("_vday")
    )
    first = policy.versions[0].effective_from
    claims = in_force(claims, "_vday", params, first=first, missing=first)
    if not claims["_i"].is_sorted():  # several versions: the as-of join sorted by day
        claims = claims.sort("_i")
    # L7: names compared after NFKC and without spaces — normalised only where they differ
    differs = (
        claims.lazy()
        .filter(pl.col("name") != pl.col("_spell_name"))
        .select("_i", (_norm_name("name") != _norm_name("_spell_name")).alias("_name_differs"))
        .collect()
    )
    claims = _place(claims, differs).with_columns(pl.col("_name_differs").fill_null(False))
    claims = claims.with_columns(_r=pl.coalesce(pl.col("_r"), first_match(steps_of(COVER), inputs)))

    # ---- step 5: exclusions (A6, L8); the cause keys are aidctl/plan/causes.toml's (A6.3)
    claims = claims.with_columns(
        _r=pl.coalesce(pl.col("_r"), first_match(steps_of(EXCLUSIONS), inputs))
    )

    # ---- steps 6–8, the parts that depend on the claim alone
    cover_day = day_number(pl.col("event_date"), pl.col("spell_start"), pl.col("start_day_counts"))
    claims = claims.with_columns(
        cover_day=pl.when(pl.col("contract_no").is_not_null()).then(cover_day).cast(pl.Int64)
    )
    is_ci = pl.col("claim_type") == CI
    waiting = pl.col("first_time").fill_null(False)
    period = (
        pl.when(~is_ci)
        .then(None)
        .when(waiting & (pl.col("cover_day") <= pl.col("exemption_last_day")))
        .then(pl.lit(EXEMPTION))
        .when(waiting & (pl.col("cover_day") <= pl.col("reduced_last_day")))
        .then(pl.lit(REDUCED))
        .otherwise(pl.lit(FULL))
    )
    class_amount = (
        pl.when(pl.col("_class") == 1)
        .then(pl.col("class1_amount"))
        .otherwise(pl.col("class2_amount"))
    )
    grade = pl.col("disability_grade")
    grade_index = (grade - grades[0]).clip(0, grades[1] - grades[0])
    tables = params["grade_amounts"].to_list()
    grade_amount = (
        # every version pays the same table (the usual case): a gather from it, not a
        # lookup in a list held on each of a million rows
        pl.lit(pl.Series(tables[0], dtype=pl.Int64)).gather(grade_index)
        if all(t == tables[0] for t in tables) and len(tables[0]) == grades[1] - grades[0] + 1
        else pl.col("grade_amounts").list.get(grade_index, null_on_oob=True)
    )
    claims = claims.with_columns(_period=period, _class_amount=class_amount)
    static = first_match(steps_of(CLAIM), inputs)
    request = (
        pl.when(pl.col("_period") == EXEMPTION)
        .then(pl.col("consolation_amount"))
        .when(pl.col("_period") == REDUCED)
        .then((pl.col("_class_amount") * pl.col("reduced_pct") + 50) // 100)  # L11
        .when(pl.col("_period") == FULL)
        .then(pl.col("_class_amount"))
        .when(pl.col("claim_type") == DISABILITY)
        .then(grade_amount)
        .when(pl.col("claim_type") == DEATH)
        .then(pl.col("death_amount"))
    )
    claims = claims.with_columns(
        _r=pl.coalesce(pl.col("_r"), static), _request=request.cast(pl.Int64)
    )
    claims = claims.with_columns(
        base_amount=pl.when(is_ci).then(pl.col("_class_amount")).otherwise(pl.col("_request")),
        pct=pl.when(pl.col("_period") == REDUCED).then(pl.col("reduced_pct")),
    )

    # ---- steps 6 (history part), 9, 10: in order, against a ledger
    live = claims.select(
        "_i",
        "claim_id",
        "id_number",
        "event_date",
        "contract_no",
        "term_start",
        "claim_type",
        "disability_grade",
        "_code",
        "_dc",
        "_period",
        "_request",
        "same_disease_cap",
        "accident_cap",
        "_r",
        "_regrade",
    ).filter(  # only what the ordered part reads: it sorts these rows
        pl.col("_r").is_null() | pl.col("_regrade")
    )
    decided_live = _decide_in_order(live, hist, policy, inputs)
    claims = _place(claims, decided_live).with_columns(
        reason_code=pl.coalesce(pl.col("_live_reason"), pl.col("_r"))
    )
    # what to fix or what was found, for the codes that say more: worked out only on their
    # rows (the cause keys, the death's last day as text cost much over a million rows)
    detail = (
        claims.lazy()
        .filter(pl.col("reason_code").is_in(_DETAILED))
        .select(
            "_i",
            pl.when(pl.col("reason_code") == "AMBIGUOUS_DISEASE")
            .then(
                pl.concat_str(
                    [pl.col("dx_candidates").fill_null(""), pl.col("dx_missing").fill_null("")],
                    separator="|",
                )
            )
            .when(pl.col("reason_code") == "UNRECOGNISED_DISEASE")
            .then(pl.coalesce(pl.col("disease"), pl.col("diagnosis_code")))
            .when(pl.col("reason_code") == "DISEASE_NOT_LISTED")
            .then(pl.col("dx_words"))
            .when(pl.col("reason_code") == "EXCLUDED_CAUSE")
            .then(_keys_among(pl.col("exclusion"), causes.excluding))
            .when(pl.col("reason_code") == "AMBIGUOUS_CAUSE")
            .then(_keys_among(pl.col("exclusion"), causes.ambiguous))
            .when(pl.col("reason_code") == "DATE_AFTER_AS_OF")
            .then(pl.col("_future"))
            .when(pl.col("reason_code").is_in(["SAME_ACCIDENT_REGRADE", "RELATED_DISEASE_REVIEW"]))
            .then(pl.col("_live_detail"))
            .when(pl.col("reason_code") == "DEATH_NOT_WITHIN_MONTH")
            .then(death_deadline.dt.strftime("%Y-%m-%d"))
            .when(pl.col("reason_code") == "INVALID_VALUE")
            .then(
                pl.coalesce(
                    pl.col("_bad_fields"),
                    pl.when(pl.col("claim_type") == DEATH)
                    .then(pl.lit("death_date"))
                    .otherwise(pl.lit("treatment_end_date")),
                )
            )
            .when(pl.col("reason_code") == "NAME_MISMATCH")
            .then(pl.col("_spell_name"))
            .alias("detail"),
        )
        .collect()
    )
    # the rest is column arithmetic: one lazy query lets polars fuse it and use both cores
    decisions = (
        _place(claims, detail)
        .lazy()
        .with_columns(
            amount=pl.col("_live_amount").fill_null(0).cast(pl.Int64),
            cap_room=pl.col("_cap_room"),
        )
    )
    decisions = decisions.with_columns(
        status=pl.when(pl.col("reason_code") == "ALREADY_DECIDED")
        .then(pl.col("_prev_status"))
        .otherwise(status_expr(pl.col("reason_code"), default=PENDING)),
        # the code's clause; PARTIAL_CAP's depends on the cap that cut it (REASON_TABLE)
        clause=clause_expr(pl.col("reason_code"), pl.col("claim_type")),
        # L12: the period of every critical-illness claim decided under a covering spell
        period=pl.when(
            is_ci
            & pl.col("contract_no").is_not_null()
            & status_expr(pl.col("reason_code"), default=PENDING).is_in([APPROVED, REJECTED])
            & (pl.col("reason_code") != "ALREADY_DECIDED")
        ).then(pl.col("_period")),
    )
    # the unit of a decision is the one whose contract covers it (the claim's own, L7)
    decisions = decisions.with_columns(
        unit_code=pl.coalesce(pl.col("_spell_unit"), pl.col("unit_code"))
    )
    names = set(decisions.collect_schema().names())
    out = decisions.select(
        [
            (pl.col(k) if k in names else pl.lit(None)).cast(t).alias(k)
            for k, t in DECISION_SCHEMA.items()
        ]
    ).collect()
    return out if out["_row"].is_sorted() else out.sort("_row")


# the codes whose decisions carry a detail (`decide_claims`)
_DETAILED = (
    "AMBIGUOUS_DISEASE",
    "UNRECOGNISED_DISEASE",
    "DISEASE_NOT_LISTED",
    "EXCLUDED_CAUSE",
    "AMBIGUOUS_CAUSE",
    "DATE_AFTER_AS_OF",
    "SAME_ACCIDENT_REGRADE",
    "RELATED_DISEASE_REVIEW",
    "DEATH_NOT_WITHIN_MONTH",
    "INVALID_VALUE",
    "NAME_MISMATCH",
)


# what the ordered part keeps of each decision: DECISION_SCHEMA's columns, the period, and
# two small integers standing for the member (`_m`) and the disease (`_dc`)
_LEDGER_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "_m": pl.UInt32,
    "_dc": pl.UInt32,
    **{
        key: DECISION_SCHEMA[key]
        for key in (
            "claim_id",
            "contract_no",
            "term_start",
            "claim_type",
            "event_date",
            "disease_code",
            "disability_grade",
        )
    },
    "_period": DECISION_SCHEMA["period"],
    **{key: DECISION_SCHEMA[key] for key in ("status", "reason_code", "amount")},
}

# kinds of a D1 pair, as `_related_kinds` gives them (0: not related)
_CERTAIN, _REVIEW = 1, 2


def disease_index(catalogue: Catalogue) -> dict[str, int]:
    """Each listed disease's number (1, 2, …; 0 stands for no listed disease): the ordered
    part compares and joins these small integers instead of the codes."""
    return {d.code: i + 1 for i, d in enumerate(catalogue.diseases)}


def _related_kinds(catalogue: Catalogue, index: dict[str, int]) -> dict[int, int]:
    """D1: earlier disease × width + later disease → kind, for every pair both ways and every
    disease with itself as certain; the first entry for a pair wins. Not transitive: only
    the pairs listed."""
    width = len(index) + 1
    kinds: dict[int, int] = {}
    rows = [(d.code, d.code, CERTAIN) for d in catalogue.diseases]
    for pair in catalogue.pairs:
        rows += [(pair.a, pair.b, pair.kind), (pair.b, pair.a, pair.kind)]
    for a, b, kind in rows:
        if a in index and b in index:
            kinds.setdefault(index[a] * width + index[b], _CERTAIN if kind == CERTAIN else _REVIEW)
    return kinds


def _ranks_in_order(live: pl.DataFrame, *, by_strings: bool = False) -> pl.DataFrame:
    """Each live claim's place in step 10's order among its member's claims of its kind
    (critical illness, or accident): `_p` (its row in `live`), `_rank` (1 = first) and `_m`
    (its member's number, 0, 1, … — one per id_number), sorted by rank.

    Sorting strings costs many times more than sorting integers, so the claims are sorted
    by (hash of id_number, kind, event date) and the order is then made exact: a hash that
    two id_numbers share (found by comparing neighbours) sends the whole frame to the
    sort by the strings themselves; claims of one member, kind and day (rare) are put in
    claim_id order among the places they hold. `by_strings` takes the slower sort at once
    (the tests compare the two).
    """
    h, g, d, ident = pl.col("_h"), pl.col("_g"), pl.col("_d"), pl.col("id_number")
    keys = live.select(
        "id_number",
        "claim_id",
        _h=ident.hash(),
        _g=(pl.col("claim_type") == CI).fill_null(False),
        _d=pl.col("event_date"),
        _p=pl.int_range(pl.len(), dtype=pl.UInt32),
    )
    ordered = keys.sort(["_h", "_g", "_d"])
    shared_hash = (h == h.shift(1)) & (ident != ident.shift(1))
    if by_strings or ordered.select(shared_hash.any()).item():
        ordered = keys.sort(["id_number", "_g", "_d", "claim_id"])  # exact, slower
        same_id = ident == ident.shift(1)
    else:
        same_id = h == h.shift(1)
        same_day = same_id & (g == g.shift(1)) & (d == d.shift(1))
        tie = ordered.select((same_day | same_day.shift(-1)).fill_null(False)).to_series()
        if tie.any():
            in_claim_order = ordered.filter(tie).sort(["_h", "_g", "_d", "claim_id"])["_p"]
            ordered = ordered.with_columns(ordered["_p"].scatter(tie.arg_true(), in_claim_order))
    same_member = (same_id & (g == g.shift(1))).fill_null(False)
    index = pl.int_range(pl.len(), dtype=pl.UInt32)
    first = pl.when(~same_member).then(index)
    return ordered.select(
        "_p",
        _rank=index - first.forward_fill() + 1,
        _m=((~same_id.fill_null(False)).cum_sum() - 1).cast(pl.UInt32),
    ).sort("_rank", maintain_order=True)


def _decide_in_order(
    live: pl.DataFrame, hist: pl.DataFrame, policy: Policy, inputs: StepInputs
) -> pl.DataFrame:
    """Steps 3 (regrade), 6, 9 and 10 for claims that passed every check that depends on
    them alone (and the possible regrades, whatever their own checks said).

    The ledger holds, register first (step 10), every approved decision and every rejected
    CONSOLATION_ALREADY_PAID (D1: a diagnosis in a waiting period starts the exclusion,
    paid or not) of the members still to be decided, keyed by the member's number.
    """
    index = disease_index(policy.catalogue)
    kinds = _related_kinds(policy.catalogue, index)
    # step 10's order within each member: (event date, claim_id). A member's critical
    # illnesses and accidents never read each other's decisions (the ledger's readers in
    # `_earlier` filter by type), so each kind is ordered on its own: the k-th claim of a
    # kind is decided in round k, and fewer, smaller rounds are needed.
    ranks = _ranks_in_order(live)
    counts = ranks.group_by("_rank").len().sort("_rank")["len"].to_list()
    # one gather puts the claims in round order; each round is then a slice of it
    ordered = live[ranks["_p"]].with_columns(ranks["_rank"], ranks["_m"])
    starts = [sum(counts[:k]) for k in range(len(counts))]
    rounds = [ordered.slice(starts[k], counts[k]) for k in range(len(counts))]

    recorded = hist.filter(
        (pl.col("status") == APPROVED) | (pl.col("reason_code") == "CONSOLATION_ALREADY_PAID")
    )
    if recorded.height and rounds:
        # the register's decisions of the members in this run, with their numbers
        members = rounds[0].select("id_number", "_m")  # round 1 holds every member
        recorded = recorded.join(members.unique("_m"), on="id_number", how="inner")
    else:
        recorded = recorded.clear().with_columns(pl.lit(None, pl.UInt32).alias("_m"))
    ledger = (
        recorded.select(
            "_m",
            pl.col("disease_code")
            .replace_strict(index, default=0, return_dtype=pl.UInt32)
            .alias("_dc"),
            *(c for c in _LEDGER_SCHEMA if c not in ("_m", "_dc", "_period")),
            pl.col("period").alias("_period"),
        )
        .select(list(_LEDGER_SCHEMA))
        .cast(_LEDGER_SCHEMA)  # type: ignore[arg-type]
    )

    results: list[pl.DataFrame] = []
    for k, round_claims in enumerate(rounds):  # one claim per member and kind
        decided = _decide_round(round_claims, ledger, kinds, len(index) + 1, inputs)
        results.append(decided.select(*_LIVE_OUT))
        if k + 1 == len(rounds):
            break
        new = (
            decided.filter(
                (pl.col("_live_status") == APPROVED)
                | (pl.col("_live_reason") == "CONSOLATION_ALREADY_PAID")
            )
            .select(
                *(c for c in _LEDGER_SCHEMA if c not in ("status", "reason_code", "amount")),
                pl.col("_live_status").alias("status"),
                pl.col("_live_reason").alias("reason_code"),
                pl.col("_live_amount").alias("amount"),
            )
            .cast(_LEDGER_SCHEMA)  # type: ignore[arg-type]
        )
        # only members with a claim in a later round read the ledger again (the members
        # of round k + 1 hold those of every later round); its order stays step 10's
        later = rounds[k + 1]["_m"].implode()
        ledger = pl.concat([ledger, new]).filter(pl.col("_m").is_in(later))
    if not results:
        return pl.DataFrame(
            schema={
                "_i": pl.UInt32,
                "_live_reason": REASON_DTYPE,
                "_live_amount": pl.Int64,
                "_cap_room": pl.Int64,
                "_live_detail": pl.Utf8,
            }
        )
    return pl.concat(results)


_LIVE_OUT = ("_i", "_live_reason", "_live_amount", "_cap_room", "_live_detail")

# what `_earlier` finds for a claim among its member's earlier decisions
_EARLIER_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "_i": pl.UInt32,
    "_first_paid_term": pl.Date,  # A5.2c, L10: first term the disease was paid in
    "_disease_paid": pl.Int64,  # A5.1, D8: paid for the disease under this contract
    "_excluded": pl.Boolean,  # D1, L9: a certain pair began in a waiting period
    "_review_claim": pl.Utf8,  # D1: the first earlier claim of a review pair …
    "_review_code": pl.Utf8,  # … and its disease
    "_consoled": pl.Boolean,  # A5.2b: a consolation paid under this contract
    "_accident_paid": pl.Int64,  # A5.5, D8: paid for accidents under this contract
    "_regrade_detail": pl.Utf8,  # A5.3: the approved grade of the same accident
}


def _earlier(
    claims: pl.DataFrame, ledger: pl.DataFrame, kinds: dict[int, int], width: int
) -> pl.DataFrame:
    """What the member's earlier decisions (the ledger, in step 10's order) say of each
    claim of a round: one join on the member's number, then each question as a filtered
    aggregation over that member's few rows (same contract, same disease, same accident
    date compared as columns; a blank never equals anything)."""
    if ledger.is_empty():
        return pl.DataFrame(schema=_EARLIER_SCHEMA)
    earlier = ledger.select("_m", pl.all().exclude("_m").name.prefix("_l"))
    pairs = earlier.join(
        claims.select(
            "_i",
            "_m",
            "_dc",
            "contract_no",
            "claim_type",
            "event_date",
            "disability_grade",
        ),
        on="_m",
        how="inner",
        maintain_order="left",  # the ledger's order: "first" is the earliest decision
    )
    if pairs.is_empty():
        return pl.DataFrame(schema=_EARLIER_SCHEMA)
    approved = pl.col("_lstatus") == APPROVED
    was_ci = pl.col("_lclaim_type") == CI
    same_contract = pl.col("_lcontract_no") == pl.col("contract_no")
    same_disease = (pl.col("_l_dc") == pl.col("_dc")) & (pl.col("_dc") > 0)
    ci_paid = approved & was_ci & (pl.col("_l_period") != EXEMPTION) & (pl.col("_lamount") > 0)
    starter = was_ci & (
        (approved & pl.col("_l_period").is_in([EXEMPTION, REDUCED]))
        | (pl.col("_lreason_code") == "CONSOLATION_ALREADY_PAID")
    )
    kind = (pl.col("_l_dc") * width + pl.col("_dc")).replace_strict(
        kinds, default=0, return_dtype=pl.UInt8
    )
    review = starter & (pl.col("_kind") == _REVIEW)
    regraded = (
        approved
        & (pl.col("_lclaim_type") == DISABILITY)
        & (pl.col("claim_type") == DISABILITY)
        & (pl.col("_levent_date") == pl.col("event_date"))
        & pl.col("_ldisability_grade").ne_missing(pl.col("disability_grade"))
    )
    return (
        pairs.with_columns(_kind=kind)
        .group_by("_i")
        .agg(
            pl.col("_lterm_start").filter(ci_paid & same_disease).min().alias("_first_paid_term"),
            pl.col("_lamount")
            .filter(ci_paid & same_disease & same_contract)
            .sum()
            .alias("_disease_paid"),
            (starter & (pl.col("_kind") == _CERTAIN)).any().alias("_excluded"),
            pl.col("_lclaim_id").filter(review).first().alias("_review_claim"),
            pl.col("_ldisease_code").filter(review).first().alias("_review_code"),
            (approved & was_ci & (pl.col("_l_period") == EXEMPTION) & same_contract)
            .any()
            .alias("_consoled"),
            pl.col("_lamount")
            .filter(approved & pl.col("_lclaim_type").is_in(ACCIDENTS) & same_contract)
            .sum()
            .alias("_accident_paid"),
            pl.concat_str(
                [
                    pl.col("_lclaim_id"),
                    pl.col("_ldisability_grade").cast(pl.Utf8),
                    pl.col("_lamount").cast(pl.Utf8),
                ],
                separator="|",
            )
            .filter(regraded)
            .first()
            .alias("_regrade_detail"),
        )
        .cast(_EARLIER_SCHEMA)  # type: ignore[arg-type]
    )


def _decide_round(
    round_claims: pl.DataFrame,
    ledger: pl.DataFrame,
    kinds: dict[int, int],
    width: int,
    inputs: StepInputs,
) -> pl.DataFrame:
    """One claim per member and kind, decided against what was decided before it (the
    ledger)."""
    claims = round_claims.select(
        "_i",
        "_m",
        "_dc",
        "claim_id",
        "contract_no",
        "term_start",
        "claim_type",
        "event_date",
        "disability_grade",
        pl.col("_code").alias("disease_code"),
        "_period",
        "_request",
        "same_disease_cap",
        "accident_cap",
        "_r",
    )
    claims = _attach(claims, _earlier(claims, ledger, kinds, width), "_i")
    is_ci = pl.col("claim_type") == CI
    room = (
        pl.when(is_ci)
        .then(pl.col("same_disease_cap") - pl.col("_disease_paid").fill_null(0))
        .otherwise(pl.col("accident_cap") - pl.col("_accident_paid").fill_null(0))
    )
    claims = claims.with_columns(
        _cap_room=pl.when(pl.col("_regrade_detail").is_not_null() | pl.col("_r").is_not_null())
        .then(None)
        .when(pl.col("_period") != EXEMPTION)
        .then(room)
        .otherwise(pl.when(~is_ci).then(room))
    )
    capped = pl.min_horizontal(pl.col("_request"), pl.col("_cap_room").clip(lower_bound=0))
    # the registry's ORDERED tests: the regrade (step 3) first, then a reason the claim
    # already has (a possible regrade that was not one), then steps 6–8; the caps (steps
    # 6 and 9) then cut or refuse the benefit found
    ordered = steps_of(ORDERED)
    benefit = first_match(
        tuple(s for s in ordered if s.step <= 3),
        inputs,
        otherwise=pl.coalesce(
            pl.col("_r"), first_match(tuple(s for s in ordered if s.step > 3), inputs)
        ),
    )
    claims = claims.with_columns(_benefit=benefit, _capped=capped).with_columns(
        _live_reason=first_match(steps_of(CAP), inputs, otherwise=pl.col("_benefit"))
    )
    amount = (
        pl.when(pl.col("_live_reason") == "CONSOLATION")
        .then(pl.col("_request"))
        .when(
            pl.col("_live_reason").is_in(
                [
                    "REDUCED_30",
                    "FULL_BENEFIT",
                    "PARTIAL_CAP",
                    "DISABILITY_GRADE",
                    "ACCIDENTAL_DEATH",
                ]
            )
        )
        .then(capped)
        .otherwise(0)
    )
    detail = (
        pl.when(pl.col("_live_reason") == "SAME_ACCIDENT_REGRADE")
        .then(pl.col("_regrade_detail"))
        .when(pl.col("_live_reason") == "RELATED_DISEASE_REVIEW")
        .then(pl.concat_str([pl.col("_review_claim"), pl.col("_review_code")], separator="|"))
    )
    return claims.select(
        "_i",
        "_m",
        "_dc",
        "claim_id",
        "contract_no",
        "term_start",
        "claim_type",
        "event_date",
        "disease_code",
        "disability_grade",
        "_period",
        "_live_reason",
        status_expr(pl.col("_live_reason"), default=REJECTED).alias("_live_status"),
        amount.cast(pl.Int64).alias("_live_amount"),
        pl.col("_cap_room").cast(pl.Int64),
        detail.alias("_live_detail"),
    )
