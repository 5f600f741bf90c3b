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
from aidctl.core.reasons import APPROVED, PENDING, REASONS, REJECTED
from aidctl.core.versions import in_force, version_table
from aidctl.plan.catalogue import normalise_text
from aidctl.plan.params import Policy

CI = "critical_illness"
DISABILITY = "accident_disability"
DEATH = "accident_death"
ACCIDENTS = (DISABILITY, DEATH)

EXEMPTION = "exemption"
REDUCED = "reduced"
FULL = "full"

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

# reason code -> the status it implies and the clauses behind it (aidctl.core.reasons)
_STATUS_OF = {code: status for code, (status, _clause) in REASONS.items()}
_CLAUSE_OF = {code: clause for code, (_status, clause) in REASONS.items()}

DECISION_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "claim_id": pl.Utf8,
    "_row": pl.Int64,
    "id_number": pl.Utf8,
    "name": pl.Utf8,
    "unit_code": pl.Utf8,
    "claim_type": pl.Utf8,
    "disease_code": pl.Utf8,
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
    extra = frame.select(on).join(right, on=on, how="left", maintain_order="left").drop(on)
    return frame.hstack(extra)


def _bad_any() -> pl.Expr:
    """A cell that was present but unreadable (intake lists it in `_bad_fields`), L1."""
    bad = pl.col("_bad_fields").fill_null("").str.replace_all(r"(^|,)note(,|$)", ",")
    return bad.str.replace_all(",", "").str.len_chars() > 0


def _required_missing() -> pl.Expr:
    """L1: the required fields of every claim and of its type."""
    t = pl.col("claim_type")
    common = pl.any_horizontal(
        [pl.col(k).is_null() for k in ("claim_id", "id_number", "name", "claim_type")]
    )
    ci = (t == CI) & (pl.col("disease").is_null() | pl.col("diagnosis_date").is_null())
    dis = (t == DISABILITY) & (
        pl.col("accident_date").is_null() | pl.col("disability_grade").is_null()
    )
    death = (t == DEATH) & (pl.col("accident_date").is_null() | pl.col("death_date").is_null())
    return common | ci.fill_null(False) | dis.fill_null(False) | death.fill_null(False)


def match_diseases(texts: pl.Series, policy: Policy) -> pl.DataFrame:
    """Distinct disease texts → match kind ('exact'|'near'|'none'), the code of an exact
    match with its class and D1 group, and the suggestion of a near match."""
    catalogue = policy.catalogue
    distinct = texts.drop_nulls().unique().to_list()
    rows = []
    for text in distinct:
        kind, code = catalogue.match(text)
        disease = catalogue.by_code(code) if code and kind == "exact" else None
        rows.append(
            {
                "disease": text,
                "_match": kind,
                "_code": code if disease else None,
                "_suggest": code if kind == "near" else None,
                "_class": disease.disease_class if disease else None,
                "_group": disease.group if disease else None,
                "_norm": normalise_text(text),
            }
        )
    schema = {
        "disease": pl.Utf8,
        "_match": pl.Utf8,
        "_code": pl.Utf8,
        "_suggest": pl.Utf8,
        "_class": pl.Int64,
        "_group": pl.Utf8,
        "_norm": pl.Utf8,
    }
    return pl.DataFrame(rows, schema=schema)


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
    text_cols = [
        k
        for k in ("claim_id", "id_number", "name", "claim_type", "disease", "unit_code")
        if k in claims.columns
    ]
    c = claims.with_columns(  # L17: a cell of white space only is a blank cell
        [
            pl.when(pl.col(k).str.strip_chars() == "").then(None).otherwise(pl.col(k)).alias(k)
            for k in text_cols
        ]
    ).with_columns(
        pl.when(pl.col("claim_type") == CI)
        .then(pl.col("diagnosis_date"))
        .otherwise(pl.col("accident_date"))
        .alias("event_date"),  # L5
    )
    c = _attach(c, match_diseases(c["disease"], policy), "disease")
    c = c.with_columns(
        pl.when(pl.col("claim_type") == CI).then(pl.col("_code")).alias("disease_code"),
        pl.when(pl.col("claim_type") == CI)
        .then(pl.coalesce(pl.col("_code"), pl.col("_norm")))
        .otherwise(pl.lit(""))
        .alias("_dkey"),
    )

    # ---- step 1: input (L1, L2)
    # L2: among rows sharing a claim_id, every row but the first is a repeat
    repeats = (
        c.select("_row", "claim_id")
        .filter(pl.col("claim_id").is_duplicated())
        .filter(pl.col("_row") != pl.col("_row").min().over("claim_id"))
        .select("_row", pl.lit(True).alias("_repeat"))
    )
    c = _attach(c, repeats, "_row")
    first_row = ~pl.col("_repeat").fill_null(False)
    step1 = (
        pl.when(_bad_any())
        .then(pl.lit("INVALID_VALUE"))
        .when(_required_missing())
        .then(pl.lit("MISSING_FIELD"))
        .when(~first_row)
        .then(pl.lit("DUPLICATE_CLAIM_ID"))
    )
    c = c.with_columns(_r1=step1)

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
    c = _attach(c, decided, "claim_id")
    step2 = (
        pl.when(pl.col("_prev_status").is_null())
        .then(None)
        .when(pl.col("_prev_content") == pl.col("content"))
        .then(pl.lit("ALREADY_DECIDED"))
        .otherwise(pl.lit("CLAIM_CONFLICT"))
    )
    c = c.with_columns(_r=pl.coalesce(pl.col("_r1"), step2))

    # ---- step 3: possible duplicates (L4)
    key = ["id_number", "claim_type", "_dkey", "_gkey", "event_date"]
    c = c.with_columns(  # L4: the grade is part of the key of a disability claim only
        _gkey=pl.when(pl.col("claim_type") == DISABILITY)
        .then(pl.col("disability_grade").fill_null(-1))
        .otherwise(-1)
    )
    hkeys = hist.select(
        "id_number",
        "claim_type",
        pl.when(pl.col("claim_type") == CI)
        .then(pl.col("disease_code"))
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
        c.filter(pl.col("_r").is_null())
        .select("_row", "claim_id", *key)
        .join(hkeys, on=key, how="inner")
        .filter(pl.col("_hclaim") != pl.col("claim_id"))
        .select("_row")
        .unique()
        .with_columns(_dup_reg=pl.lit(True))
    )
    c = _attach(c, in_register, "_row")
    # among the claims of this run that reached step 3, in step 10's order: within one key
    # the event date is the same, so "earlier" is the smaller claim_id
    reached = c.filter(pl.col("_r").is_null()).select("_row", "claim_id", *key)
    in_run = (
        reached.filter(pl.struct(key).is_duplicated())
        .filter(pl.col("claim_id") != pl.col("claim_id").min().over(key))
        .select("_row", pl.lit(True).alias("_dup_run"))
    )
    c = _attach(c, in_run, "_row")
    step3 = pl.when(pl.col("_dup_reg").fill_null(False) | pl.col("_dup_run").fill_null(False)).then(
        pl.lit("POSSIBLE_DUPLICATE")
    )
    c = c.with_columns(_r=pl.coalesce(pl.col("_r"), step3))

    # ---- step 4: cover (L6, L7)
    sp = spells.select(
        "id_number",
        pl.col("name").alias("_spell_name"),
        pl.col("unit_code").alias("_spell_unit"),
        "contract_no",
        "term_start",
        "term_end",
        "spell_start",
        "first_time",
    )
    covering = (
        c.select("_row", "id_number", "event_date")
        .join(sp, on="id_number", how="inner")
        .filter(
            (pl.col("spell_start") <= pl.col("event_date"))
            & (pl.col("event_date") <= pl.col("term_end"))
        )
        .drop("id_number", "event_date")
    )
    # L6: only a claim covered twice needs choosing (latest spell_start, then contract_no)
    twice = covering["_row"].is_duplicated()
    if twice.any():
        chosen = (
            covering.filter(twice)
            .sort(["_row", "spell_start", "contract_no"], descending=[False, True, True])
            .unique("_row", keep="first", maintain_order=True)
        )
        covering = pl.concat([covering.filter(~twice), chosen])
    c = _attach(c, covering, "_row")
    # parameters: the version in force on the covering contract's start (D9), else on the
    # event date (L15)
    c = c.with_columns(pl.coalesce(pl.col("term_start"), pl.col("event_date")).alias("_vday"))
    first = policy.versions[0].effective_from
    c = in_force(c, "_vday", params, first=first, missing=first)
    # L7: names compared after NFKC and without spaces — normalised only where they differ
    differs = c.filter(pl.col("name") != pl.col("_spell_name")).select(
        "_row", (_norm_name("name") != _norm_name("_spell_name")).alias("_name_differs")
    )
    c = _attach(c, differs, "_row").with_columns(pl.col("_name_differs").fill_null(False))
    step4 = (
        pl.when(pl.col("contract_no").is_null())
        .then(pl.lit("NO_COVERAGE"))
        .when(pl.col("_name_differs"))
        .then(pl.lit("NAME_MISMATCH"))
        .when(pl.col("unit_code").is_not_null() & (pl.col("unit_code") != pl.col("_spell_unit")))
        .then(pl.lit("UNIT_MISMATCH"))
    )
    c = c.with_columns(_r=pl.coalesce(pl.col("_r"), step4))

    # ---- step 5: exclusions (A6, L8)
    causes = pl.col("exclusion").fill_null("")
    step5 = (
        pl.when(pl.col("fraud").fill_null(False))
        .then(pl.lit("EXCLUDED_FRAUD"))
        .when(pl.col("preexisting_undisclosed").fill_null(False))
        .then(pl.lit("EXCLUDED_PREEXISTING"))
        .when(
            pl.col("brave_act").fill_null(False)
            & causes.str.contains(r"(^|;)(fighting|crime)(;|$)")
        )
        .then(pl.lit("CONFLICTING_FACTS"))
        .when(causes != "")
        .then(pl.lit("EXCLUDED_CAUSE"))
    )
    c = c.with_columns(_r=pl.coalesce(pl.col("_r"), step5))

    # ---- steps 6–8, the parts that depend on the claim alone
    cover_day = day_number(pl.col("event_date"), pl.col("spell_start"), pl.col("start_day_counts"))
    c = c.with_columns(
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
    grade_ok = grade.is_between(1, 10)
    grade_amount = pl.col("grade_amounts").list.get((grade - 1).clip(0, 9), null_on_oob=True)
    # D7: one calendar month; a constant offset when every version agrees (formatting an
    # offset per row costs more than the rest of the step)
    month_values = params["death_within_months"].unique().to_list()
    death_deadline = months_later(
        pl.col("accident_date"),
        int(month_values[0]) if len(month_values) == 1 else pl.col("death_within_months"),
    )
    c = c.with_columns(_period=period, _class_amount=class_amount)
    static = (
        pl.when(is_ci & (pl.col("_match") == "none"))
        .then(pl.lit("DISEASE_NOT_LISTED"))
        .when(is_ci & (pl.col("_match") == "near"))
        .then(pl.lit("AMBIGUOUS_DISEASE"))
        .when((pl.col("claim_type") == DISABILITY) & ~grade_ok)
        .then(pl.lit("GRADE_NOT_COVERED"))
        .when(  # L16: treatment cannot end before the accident
            (pl.col("claim_type") == DISABILITY)
            & (pl.col("treatment_end_date") < pl.col("accident_date"))
        )
        .then(pl.lit("INVALID_VALUE"))
        .when(
            (pl.col("claim_type") == DISABILITY)
            & (
                pl.col("treatment_end_date").is_null()
                | (pl.col("treatment_end_date") > pl.lit(as_of))
            )
        )
        .then(pl.lit("TREATMENT_NOT_ENDED"))
        .when((pl.col("claim_type") == DEATH) & (pl.col("death_date") > death_deadline))
        .then(pl.lit("DEATH_NOT_WITHIN_MONTH"))
        .when((pl.col("claim_type") == DEATH) & (pl.col("death_date") < pl.col("accident_date")))
        .then(pl.lit("INVALID_VALUE"))
    )
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
    c = c.with_columns(_r=pl.coalesce(pl.col("_r"), static), _request=request.cast(pl.Int64))
    c = c.with_columns(
        base_amount=pl.when(is_ci).then(pl.col("_class_amount")).otherwise(pl.col("_request")),
        pct=pl.when(pl.col("_period") == REDUCED).then(pl.col("reduced_pct")),
    )

    # ---- steps 6 (history part), 9, 10: in order, against a ledger
    live = c.select(
        "_row",
        "claim_id",
        "id_number",
        "event_date",
        "contract_no",
        "term_start",
        "claim_type",
        "_code",
        "_group",
        "_period",
        "_request",
        "same_disease_cap",
        "accident_cap",
        "_r",
    ).filter(pl.col("_r").is_null())  # only what the ordered part reads: it sorts these rows
    decided_live = _decide_in_order(live, hist, policy)
    # the rest is column arithmetic: one lazy query lets polars fuse it and use both cores
    lc = _attach(c, decided_live, "_row").lazy()
    lc = lc.with_columns(
        reason_code=pl.coalesce(pl.col("_r"), pl.col("_live_reason")),
        amount=pl.col("_live_amount").fill_null(0).cast(pl.Int64),
        cap_room=pl.col("_cap_room"),
    )
    lc = lc.with_columns(
        status=pl.when(pl.col("reason_code") == "ALREADY_DECIDED")
        .then(pl.col("_prev_status"))
        .otherwise(pl.col("reason_code").replace_strict(_STATUS_OF, default=PENDING)),
        clause=pl.when(pl.col("reason_code") == "PARTIAL_CAP")
        .then(pl.when(is_ci).then(pl.lit("A5.1;D8")).otherwise(pl.lit("A5.5;D8")))
        .otherwise(pl.col("reason_code").replace_strict(_CLAUSE_OF, default="")),
        # L12: the period of every critical-illness claim decided under a covering spell
        period=pl.when(
            is_ci
            & pl.col("contract_no").is_not_null()
            & pl.col("reason_code")
            .replace_strict(_STATUS_OF, default=PENDING)
            .is_in([APPROVED, REJECTED])
            & (pl.col("reason_code") != "ALREADY_DECIDED")
        ).then(pl.col("_period")),
        detail=pl.when(pl.col("reason_code") == "AMBIGUOUS_DISEASE")
        .then(pl.col("_suggest"))
        .when(pl.col("reason_code") == "EXCLUDED_CAUSE")
        .then(pl.col("exclusion"))
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
        .then(pl.col("_spell_name")),
    )
    # the unit of a decision is the one whose contract covers it (the claim's own, L7)
    lc = lc.with_columns(unit_code=pl.coalesce(pl.col("_spell_unit"), pl.col("unit_code")))
    names = set(lc.collect_schema().names())
    out = lc.select(
        [
            (pl.col(k) if k in names else pl.lit(None)).cast(t).alias(k)
            for k, t in DECISION_SCHEMA.items()
        ]
    ).collect()
    return out if out["_row"].is_sorted() else out.sort("_row")


def _decide_in_order(live: pl.DataFrame, hist: pl.DataFrame, policy: Policy) -> pl.DataFrame:
    """Steps 6, 9 and 10 for claims that passed every check that depends on them alone.

    Ledger rows: id_number, contract_no, term_start, claim_type, disease_code, group,
    period, amount — one per approved decision, the register's first (step 10).
    """
    ledger_schema = {
        "id_number": pl.Utf8,
        "contract_no": pl.Utf8,
        "term_start": pl.Date,
        "claim_type": pl.Utf8,
        "disease_code": pl.Utf8,
        "_group": pl.Utf8,
        "_period": pl.Utf8,
        "amount": pl.Int64,
    }
    # D1 groups of every listed disease: the register's decisions may name diseases that no
    # claim of this run does
    groups = pl.DataFrame(
        [{"disease_code": d.code, "_group": d.group} for d in policy.catalogue.diseases],
        schema={"disease_code": pl.Utf8, "_group": pl.Utf8},
    )
    h = hist.filter(pl.col("status") == APPROVED).select(
        "id_number",
        "contract_no",
        "term_start",
        "claim_type",
        "disease_code",
        pl.col("period").alias("_period"),
        "amount",
    )
    h = h.join(groups, on="disease_code", how="left").with_columns(
        pl.coalesce(pl.col("_group"), pl.col("disease_code")).alias("_group")
    )
    ledger = [h.select(list(ledger_schema)).cast(ledger_schema)]  # type: ignore[arg-type]

    # step 10's order within each member: (event date, claim_id), as one integer key
    live = live.with_columns(_n=pl.len().over("id_number"))
    single = live.filter(pl.col("_n") == 1).with_columns(_rank=pl.lit(1, pl.UInt32))
    multi = live.filter(pl.col("_n") > 1)
    # sorted, the rank is the distance from the member's first row (no group-by needed)
    multi = multi.sort(["id_number", "event_date", "claim_id"])
    first_of_member = (pl.col("id_number") != pl.col("id_number").shift(1)).fill_null(True)
    index = pl.int_range(pl.len(), dtype=pl.UInt32)
    multi = (
        multi.with_columns(
            _start=pl.when(first_of_member).then(index).otherwise(None).forward_fill()
        )
        .with_columns(_rank=index - pl.col("_start") + 1)
        .drop("_start")
    )
    ordered = pl.concat([single, multi])
    results: list[pl.DataFrame] = []
    max_rank = ordered["_rank"].max() or 0
    assert isinstance(max_rank, int)
    for k in range(1, max_rank + 1):
        batch = ordered.filter(pl.col("_rank") == k)  # one claim per member
        led = pl.concat(ledger, rechunk=False).join(
            batch.select("id_number"), on="id_number", how="semi"
        )
        decided = _decide_round(batch, led)
        results.append(decided.select(*_LIVE_OUT))
        ledger.append(
            decided.filter(pl.col("_live_status") == APPROVED)
            .select(
                "id_number",
                "contract_no",
                "term_start",
                "claim_type",
                "disease_code",
                "_group",
                "_period",
                pl.col("_live_amount").alias("amount"),
            )
            .cast(ledger_schema)  # type: ignore[arg-type]
        )
    if not results:
        return pl.DataFrame(
            schema={
                "_row": pl.Int64,
                "_live_reason": pl.Utf8,
                "_live_status": pl.Utf8,
                "_live_amount": pl.Int64,
                "_cap_room": pl.Int64,
            }
        )
    return pl.concat(results)


_LIVE_OUT = ("_row", "_live_reason", "_live_status", "_live_amount", "_cap_room")


def _decide_round(batch: pl.DataFrame, led: pl.DataFrame) -> pl.DataFrame:
    """One claim per member, decided against what was approved before it."""
    ci_paid = led.filter(
        (pl.col("claim_type") == CI) & (pl.col("_period") != EXEMPTION) & (pl.col("amount") > 0)
    )
    earlier_term = ci_paid.group_by("id_number", "disease_code").agg(
        pl.col("term_start").min().alias("_first_paid_term")
    )
    same_term_paid = ci_paid.group_by("id_number", "contract_no", "disease_code").agg(
        pl.col("amount").sum().alias("_disease_paid")
    )
    waiting_groups = (
        led.filter((pl.col("claim_type") == CI) & pl.col("_period").is_in([EXEMPTION, REDUCED]))
        .select("id_number", "_group")
        .unique()
        .with_columns(_excluded=pl.lit(True))
    )
    consoled = (
        led.filter((pl.col("claim_type") == CI) & (pl.col("_period") == EXEMPTION))
        .select("id_number", "contract_no")
        .unique()
        .with_columns(_consoled=pl.lit(True))
    )
    accident_paid = (
        led.filter(pl.col("claim_type").is_in(ACCIDENTS))
        .group_by("id_number", "contract_no")
        .agg(pl.col("amount").sum().alias("_accident_paid"))
    )

    b = batch.select(
        "_row",
        "id_number",
        "contract_no",
        "term_start",
        "claim_type",
        pl.col("_code").alias("disease_code"),
        "_group",
        "_period",
        "_request",
        "same_disease_cap",
        "accident_cap",
    )
    lookups = [
        (earlier_term, ["id_number", "disease_code"]),
        (same_term_paid, ["id_number", "contract_no", "disease_code"]),
        (waiting_groups, ["id_number", "_group"]),
        (consoled, ["id_number", "contract_no"]),
        (accident_paid, ["id_number", "contract_no"]),
    ]
    for table, keys in lookups:
        if table.height:
            b = b.join(table, on=keys, how="left")
        else:  # nothing approved before: the columns are simply empty (no join needed)
            b = b.with_columns(
                pl.lit(None, dtype=dtype).alias(name)
                for name, dtype in table.schema.items()
                if name not in keys
            )
    is_ci = pl.col("claim_type") == CI
    room = (
        pl.when(is_ci)
        .then(pl.col("same_disease_cap") - pl.col("_disease_paid").fill_null(0))
        .otherwise(pl.col("accident_cap") - pl.col("_accident_paid").fill_null(0))
    )
    b = b.with_columns(
        _cap_room=pl.when(pl.col("_period") != EXEMPTION)
        .then(room)
        .otherwise(pl.when(~is_ci).then(room))
    )
    capped = pl.min_horizontal(pl.col("_request"), pl.col("_cap_room").clip(lower_bound=0))
    reason = (
        pl.when(is_ci & (pl.col("_first_paid_term") < pl.col("term_start")))
        .then(pl.lit("DISEASE_PAID_IN_EARLIER_TERM"))
        .when(is_ci & pl.col("_excluded").fill_null(False))
        .then(pl.lit("DISEASE_EXCLUDED_AFTER_WAITING"))
        .when(is_ci & (pl.col("_period") == EXEMPTION) & pl.col("_consoled").fill_null(False))
        .then(pl.lit("CONSOLATION_ALREADY_PAID"))
        .when(is_ci & (pl.col("_period") == EXEMPTION))
        .then(pl.lit("CONSOLATION"))
        .when(pl.col("_cap_room") <= 0)
        .then(
            pl.when(is_ci)
            .then(pl.lit("DISEASE_CAP_REACHED"))
            .otherwise(pl.lit("ACCIDENT_CAP_REACHED"))
        )
        .when(capped < pl.col("_request"))
        .then(pl.lit("PARTIAL_CAP"))
        .when(is_ci & (pl.col("_period") == REDUCED))
        .then(pl.lit("REDUCED_30"))
        .when(is_ci)
        .then(pl.lit("FULL_BENEFIT"))
        .when(pl.col("claim_type") == DISABILITY)
        .then(pl.lit("DISABILITY_GRADE"))
        .otherwise(pl.lit("ACCIDENTAL_DEATH"))
    )
    b = b.with_columns(_live_reason=reason)
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
    return b.select(
        "_row",
        "id_number",
        "contract_no",
        "term_start",
        "claim_type",
        "disease_code",
        "_group",
        "_period",
        "_live_reason",
        pl.col("_live_reason").replace_strict(_STATUS_OF, default=REJECTED).alias("_live_status"),
        amount.cast(pl.Int64).alias("_live_amount"),
        pl.col("_cap_room").cast(pl.Int64),
    )
