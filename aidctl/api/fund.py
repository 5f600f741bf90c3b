"""The fund through the service layer: contributions received, `fund`, `members`, `simulate`.

Issue 12. Every figure comes from the register (the `Register` object's fund reads) through
the pure core (`aidctl.core.fund`, `aidctl.core.simulate`); nothing here computes a figure
of its own. The CLI (aidctl/cli/fund.py) calls these functions and writes their reports
with `write_fund_report` / `write_simulation_report` / `write_receipts_report`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import polars as pl

from aidctl.api.commands import PolicyArg, _day, _policy, _settings
from aidctl.core import fund as core
from aidctl.core.findings import concat_findings
from aidctl.core.simulate import Simulation
from aidctl.core.simulate import simulate as simulate_claims
from aidctl.errors import InputError
from aidctl.intake.limits import check_file
from aidctl.intake.receipts import read_receipts
from aidctl.intake.stored import claims_from_content
from aidctl.pipeline import file_sha256
from aidctl.plan.districts import load_districts
from aidctl.plan.params import Policy
from aidctl.register import Location, Register, shown

By = Literal["month", "district", "unit", "benefit"]

# The benefit lines' words (A5.1 class 1 / 2, A5.2b, A5.3, A5.4).
BENEFIT_WORDS: dict[str, tuple[str, str]] = {
    core.CLASS_1: ("一类重大疾病", "Critical illness, class 1"),
    core.CLASS_2: ("二类重大疾病", "Critical illness, class 2"),
    core.CONSOLATION: ("减半期慰问金", "Consolation (reduced period)"),
    core.DISABILITY: ("意外伤残", "Accidental disability"),
    core.DEATH: ("意外身故", "Accidental death"),
    core.UNCLASSIFIED: ("重大疾病（未分类）", "Critical illness (unclassified)"),
}


def benefit_word(code: str | None, lang: str) -> str:
    zh, en = BENEFIT_WORDS.get(code or "", (code or "", code or ""))
    return zh if lang == "zh" else en


def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _json_frame(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """A frame as JSON rows: dates as ISO text, ratios rounded to 4 places."""
    out = frame.with_columns(
        [pl.col(c).dt.strftime("%Y-%m-%d") for c, t in frame.schema.items() if t == pl.Date]
        + [pl.col(c).round(4) for c, t in frame.schema.items() if t == pl.Float64]
    )
    return out.to_dicts()


# ---------------------------------------------------------------------------------------
# The window (L112)
# ---------------------------------------------------------------------------------------


def window(
    as_of: dt.date,
    year: int | None = None,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
) -> tuple[dt.date, dt.date]:
    """The days a report covers (L112): `year` → that calendar year; `start`/`end` → those
    days, both included; neither → the as-of day's year up to the as-of day."""
    first, last = _day(start), _day(end)
    if year is not None and (first or last):
        raise InputError(
            "Give --year or --from/--to, not both.", "请只给出 --year 或 --from/--to 其中之一。"
        )
    if year is not None:
        if not 1900 <= year <= 9999:
            raise InputError(f"--year {year} is not a year.", f"--year {year} 不是年份。")
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    if first is None and last is None:
        return dt.date(as_of.year, 1, 1), as_of
    if first is None or last is None:
        raise InputError(
            "--from and --to go together (both days included).",
            "--from 与 --to 须同时给出（含首尾两天）。",
        )
    if last < first:
        raise InputError(
            f"--to {last} is before --from {first}.", f"--to {last} 早于 --from {first}。"
        )
    return first, last


# ---------------------------------------------------------------------------------------
# Reading the books from the register
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Books:
    """Everything the fund's figures are made of, as the register holds it."""

    contracts: pl.DataFrame
    additions: pl.DataFrame
    receipts: pl.DataFrame
    spells: pl.DataFrame
    decisions: pl.DataFrame  # FUND_DECISION_COLUMNS
    voids: pl.DataFrame
    open_items: pl.DataFrame  # core.OPEN_SCHEMA
    units: pl.DataFrame


def _read_books(
    reg: Register,
    policy: Policy,
    as_of: dt.date,
    *,
    open_items: bool,
    window: tuple[dt.date, dt.date] | None = None,
) -> Books:
    """The books, the spells only of the window when one is given (the rest of its figures
    run up to its end: outstanding, the reserve)."""
    decisions = reg.fund_decisions()
    return Books(
        contracts=reg.fund_contracts(),
        additions=reg.additions(),
        receipts=reg.receipts(),
        spells=reg.fund_spells(*window) if window else reg.fund_spells(),
        decisions=decisions,
        voids=reg.fund_voids(),
        open_items=_open_items(reg, decisions, policy, as_of)
        if open_items
        else pl.DataFrame(schema=core.OPEN_SCHEMA),
        units=reg.units_info(),
    )


def _open_items(
    reg: Register, decisions: pl.DataFrame, policy: Policy, as_of: dt.date
) -> pl.DataFrame:
    """Claims still open (the register's open items, L130) that were opened on or before
    the window's last day, with the most each could cost (L113): the amount in force on
    the as-of day — its class's amount (class 1 where the diagnosis is not read yet), the
    grade's amount (grade 1 where none is given), the death benefit. An item closed since
    (decided or withdrawn) is no longer a liability, whatever the window.
    """
    del decisions  # the register's open items already leave out what was decided since
    still = (
        reg.open_items()
        .filter(pl.col("opened_on") <= pl.lit(as_of))
        .select(
            pl.col("claim_id").cast(pl.Utf8),
            pl.col("claim_type").cast(pl.Utf8),
            pl.col("disease_code").cast(pl.Utf8),
            pl.col("disability_grade").cast(pl.Int64).alias("grade"),
        )
    )
    if still.is_empty():
        return pl.DataFrame(schema=core.OPEN_SCHEMA)
    v = policy.at(as_of)
    grades = v.disability
    top_grade = grades[min(grades)]
    classes = core.class_table(policy.catalogue)
    framed = still.join(classes, on="disease_code", how="left")
    grade_amount = pl.col("grade").replace_strict(grades, default=top_grade, return_dtype=pl.Int64)
    cost = (
        pl.when(pl.col("claim_type") == core.CI)
        .then(
            pl.when(pl.col("_cat_class") == 2)
            .then(pl.lit(int(v.values["class2_amount"])))
            .otherwise(pl.lit(int(v.values["class1_amount"])))
        )
        .when(pl.col("claim_type") == core.DISABILITY)
        .then(grade_amount.fill_null(top_grade))
        .when(pl.col("claim_type") == core.DEATH)
        .then(pl.lit(int(v.values["death_amount"])))
        .otherwise(pl.lit(int(v.values["death_amount"])))  # type unread: the largest
    )
    return framed.select(
        "claim_id", "claim_type", "disease_code", "grade", cost.cast(pl.Int64).alias("max_cost")
    )


def _decisions_for_fund(decisions: pl.DataFrame) -> pl.DataFrame:
    return decisions.select(
        *[c for c in core.DECISIONS_SCHEMA if c != "disease_class" and c in decisions.columns],
        pl.lit(None, pl.Int64).alias("disease_class"),
    )


# ---------------------------------------------------------------------------------------
# aidctl contributions record FILE (L111)
# ---------------------------------------------------------------------------------------


@dataclass
class ReceiptsOutcome:
    """`contributions record`: the receipts recorded, the rows refused, outstanding per unit."""

    source: Path
    input_sha256: str
    recorded: pl.DataFrame  # RECEIPT_COLUMNS
    findings: pl.DataFrame
    outstanding: pl.DataFrame  # unit_code, unit_name, billed, collected, outstanding
    as_of: dt.date
    register: Location
    run_id: str | None
    report: Path | None = None

    @property
    def exit_code(self) -> int:
        """0 when every row was recorded; 1 when a row needs a person (findings)."""
        return 1 if self.findings.filter(pl.col("severity") == "error").height else 0

    @property
    def amount(self) -> int:
        return int(self.recorded["amount"].sum() or 0)

    def to_json(self) -> dict[str, Any]:
        return {
            "file": str(self.source),
            "run_id": self.run_id,
            "as_of": self.as_of.isoformat(),
            "recorded": self.recorded.height,
            "amount": self.amount,
            "refused": self.findings.filter(pl.col("severity") == "error")
            .select("row")
            .unique()
            .height,
            "findings": _json_frame(self.findings.drop("id_number")),
            "outstanding": _json_frame(self.outstanding),
            "report": str(self.report) if self.report else None,
        }


def _outstanding(books: Books, as_of: dt.date) -> pl.DataFrame:
    """Per unit up to the as-of day: billed (contracts and additions), collected, outstanding
    (L83; a negative figure is a credit)."""
    billed = core.billed_by_unit(books.contracts, books.additions, dt.date.min, as_of)
    collected = core.collected_by_unit(books.receipts, dt.date.min, as_of)
    owed = core.outstanding_by_unit(books.contracts, books.additions, books.receipts, as_of)
    return (
        owed.join(billed, on="unit_code", how="left")
        .join(collected, on="unit_code", how="left")
        .join(books.units.select("unit_code", "unit_name"), on="unit_code", how="left")
        .select(
            "unit_code",
            "unit_name",
            pl.col("billed").fill_null(0),
            pl.col("collected").fill_null(0),
            "outstanding",
        )
        .sort("unit_code")
    )


def record_contributions(
    path: Path | str,
    *,
    db: Path | str | None = None,
    as_of: dt.date | str | None = None,
    lang: str = "zh",
) -> ReceiptsOutcome:
    """Record the finance office's receipts in the register (L111), in one transaction.

    Rows with a problem are refused with a finding naming file, sheet, row and column; the
    other rows are recorded. A file recorded before records nothing again (its references
    are known).
    """
    ctx = _settings(db, _day(as_of), None, lang)
    source = Path(path)
    check_file(source, ctx.limits)
    intake = read_receipts(source, max_rows=ctx.limits.max_rows)
    sha = file_sha256(source)
    with Register.open(ctx.db_path) as reg, reg.transaction():
        known = reg.units_info()["unit_code"]
        recorded_refs = reg.receipts()["reference"]
        checked = core.check_receipts(intake.receipts, known, recorded_refs, ctx.as_of, str(source))
        run_id = reg.start_run(
            "contributions",
            ctx.as_of,
            str(source),
            sha,
            ctx.policy.latest.id,
            policy_file=ctx.policy.path,
        )
        reg.record_receipts(run_id, checked.accepted)
        findings = concat_findings([intake.findings, checked.findings]).sort("row", nulls_last=True)
        reg.save_run_frames(run_id, {"receipts": checked.accepted, "findings": findings})
        reg.finish_run(
            run_id,
            {
                "rows": intake.receipts.height,
                "recorded": checked.accepted.height,
                "amount": int(checked.accepted["amount"].sum() or 0),
            },
        )
        books = _read_books(reg, ctx.policy, ctx.as_of, open_items=False)
    return ReceiptsOutcome(
        source=source,
        input_sha256=sha,
        recorded=checked.accepted,
        findings=findings,
        outstanding=_outstanding(books, ctx.as_of),
        as_of=ctx.as_of,
        register=ctx.db_path,
        run_id=run_id,
    )


def outstanding(
    *, db: Path | str | None = None, as_of: dt.date | str | None = None
) -> pl.DataFrame:
    """Per unit, up to the as-of day: billed, collected, outstanding (L83)."""
    ctx = _settings(db, _day(as_of), None)
    with Register.open(ctx.db_path, create=False) as reg:
        books = _read_books(reg, ctx.policy, ctx.as_of, open_items=False)
    return _outstanding(books, ctx.as_of)


# ---------------------------------------------------------------------------------------
# aidctl fund
# ---------------------------------------------------------------------------------------


@dataclass
class FundOutcome:
    """`fund`: the board's figures for a window (A5.6, L80–L83, L112, L113)."""

    summary: core.FundSummary
    register: Location
    as_of: dt.date
    policy: Policy
    lang: str = "zh"
    report: Path | None = None
    exit_code: int = 0
    books: Books | None = field(default=None, repr=False)  # read once, for the report

    def to_json(self) -> dict[str, Any]:
        s = self.summary
        figures = {
            k: getattr(s, k)
            for k in (
                "members_on_end",
                "first_time_on_end",
                "renewed_on_end",
                "member_days",
                "billed",
                "collected",
                "outstanding",
                "earned",
                "paid_count",
                "paid_amount",
                "void_count",
                "void_amount",
                "paid",
                "open_count",
                "open_max_cost",
                "opening_balance",
                "reserve",
                "imported_contracts",
            )
        }
        return {
            "from": s.start.isoformat(),
            "to": s.end.isoformat(),
            "as_of": self.as_of.isoformat(),
            "register": shown(self.register),
            **figures,
            "loss_ratio": None if s.loss_ratio is None else round(s.loss_ratio, 4),
            "by": s.by,
            "breakdown": _json_frame(s.breakdown),
            "by_benefit": _json_frame(s.by_benefit),
            "open_by_benefit": _json_frame(s.open_by_benefit),
            "report": str(self.report) if self.report else None,
        }


def fund(
    *,
    db: Path | str | None = None,
    as_of: dt.date | str | None = None,
    year: int | None = None,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    by: By | None = None,
    policy: PolicyArg = None,
    lang: str = "zh",
) -> FundOutcome:
    """Contributions against payouts for the window (A5.6): members, billed, collected,
    outstanding, earned, paid by benefit, voids, the loss ratio, open claims, the reserve."""
    ctx = _settings(db, _day(as_of), policy, lang)
    first, last = window(ctx.as_of, year, start, end)
    if by not in (None, "month", "district", "unit", "benefit"):
        raise InputError(
            f"--by takes month, district, unit or benefit, not {by!r}.",
            f"--by 只能是 month、district、unit 或 benefit，而不是 {by!r}。",
        )
    with Register.open(ctx.db_path, create=False) as reg:
        books = _read_books(reg, ctx.policy, ctx.as_of, open_items=True, window=(first, last))
    opening = int(ctx.policy.at(first).values["opening_balance"])
    summary = core.fund_summary(
        contracts=books.contracts,
        additions=books.additions,
        receipts=books.receipts,
        spells=books.spells,
        decisions=_decisions_for_fund(books.decisions),
        voids=books.voids,
        open_items=books.open_items,
        catalogue=ctx.policy.catalogue,
        start=first,
        end=last,
        opening_balance=opening,
        by=by,
        districts=load_districts(),
    )
    return FundOutcome(
        summary=summary,
        register=ctx.db_path,
        as_of=ctx.as_of,
        policy=ctx.policy,
        lang=lang,
        books=books,
    )


def write_fund_report(outcome: FundOutcome, path: Path | str, lang: str = "zh") -> Path:
    """The board's workbook: a one-page summary and charts (aidctl/reports/fund.py)."""
    from aidctl.reports.fund import write_fund_report as write

    target = Path(path)
    s = outcome.summary
    # the charts always show the months, districts and benefits
    monthly = s.breakdown if s.by == "month" else _again(outcome, "month")
    by_district = s.breakdown if s.by == "district" else _again(outcome, "district")
    write(
        target,
        outcome.summary,
        monthly,
        by_district,
        outcome.summary.by_benefit,
        facts=[
            (_t(lang, "期间", "Period"), f"{outcome.summary.start} – {outcome.summary.end}"),
            (_t(lang, "业务日期", "As of"), outcome.as_of),
            (_t(lang, "登记库", "Register"), shown(outcome.register)),
        ],
        benefit_words={k: benefit_word(k, lang) for k in BENEFIT_WORDS},
        lang=lang,
    )
    outcome.report = target
    return target


def _again(outcome: FundOutcome, by: By) -> pl.DataFrame:
    """The same window broken down another way (the report's charts), from the books the
    outcome read (the register is read once per command)."""
    books = outcome.books
    if books is None:
        with Register.open(outcome.register, create=False) as reg:
            books = _read_books(
                reg,
                outcome.policy,
                outcome.as_of,
                open_items=False,
                window=(outcome.summary.start, outcome.summary.end),
            )
    s = outcome.summary
    return core.fund_breakdown(
        by,
        contracts=books.contracts,
        additions=books.additions,
        receipts=books.receipts,
        spells=books.spells,
        decisions=_decisions_for_fund(books.decisions),
        voids=books.voids,
        catalogue=outcome.policy.catalogue,
        start=s.start,
        end=s.end,
        opening_balance=s.opening_balance,
        districts=load_districts(),
    )


# ---------------------------------------------------------------------------------------
# aidctl members --on DATE
# ---------------------------------------------------------------------------------------


@dataclass
class MembersOutcome:
    """`members`: who is covered on a day, under which contract, first-time or renewed."""

    on: dt.date
    members: pl.DataFrame  # one row per person covered
    counts: pl.DataFrame  # members, first_time, renewed (in total, or by unit / district)
    by: str | None
    unit: str | None
    register: Location
    exit_code: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "on": self.on.isoformat(),
            "unit": self.unit,
            "by": self.by,
            "members": self.members.height,
            "counts": _json_frame(self.counts),
        }


def members(
    on: dt.date | str,
    *,
    unit: str | None = None,
    by: Literal["district"] | None = None,
    db: Path | str | None = None,
    lang: str = "zh",
) -> MembersOutcome:
    """Who is covered on `on` (D6, L6): each person once, with the contract and whether the
    spell is first-time or renewed; counted in total or by district (L80)."""
    day = _day(on)
    if day is None:
        raise InputError("--on needs a date.", "--on 需要一个日期。")
    if by not in (None, "district"):
        raise InputError(
            f"--by takes district, not {by!r}.", f"--by 只能是 district，而不是 {by!r}。"
        )
    ctx = _settings(db, day, None, lang)
    with Register.open(ctx.db_path, create=False) as reg:
        spells = reg.fund_spells(day, day)
        contracts = reg.fund_contracts()
    if unit is not None:
        spells = spells.filter(pl.col("unit_code") == unit.strip())
    covered = core.members_on(spells, day).sort("unit_code", "contract_no", "id_number")
    by_unit = core.unit_districts(contracts) if by == "district" else None
    counts = core.members_count(spells, day, by=by, districts_by_unit=by_unit)
    if by == "district":
        names = load_districts().names(lang)
        counts = counts.with_columns(
            pl.col("district")
            .replace_strict(names, default=pl.col("district"))
            .alias("district_name")
        )
    return MembersOutcome(
        on=day,
        members=covered.select(
            "unit_code", "contract_no", "id_number", "spell_start", "term_end", "kind"
        ),
        counts=counts,
        by=by,
        unit=unit,
        register=ctx.db_path,
    )


# ---------------------------------------------------------------------------------------
# aidctl simulate --policy PROPOSED.toml
# ---------------------------------------------------------------------------------------


@dataclass
class SimulationOutcome:
    """`simulate`: every claim of the window decided under both parameter sets (L84, L114)."""

    simulation: Simulation
    start: dt.date
    end: dt.date
    proposal: str
    register: Location
    lang: str = "zh"
    sentences: pl.DataFrame = field(default_factory=pl.DataFrame)  # claim_id, before, after
    report: Path | None = None
    exit_code: int = 0

    def to_json(self) -> dict[str, Any]:
        s = self.simulation
        changed = s.changed.select(
            "claim_id",
            "before_status",
            "before_amount",
            "before_reason_code",
            "after_status",
            "after_amount",
            "after_reason_code",
            "difference",
        )
        if not self.sentences.is_empty():
            changed = changed.join(self.sentences, on="claim_id", how="left")
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "proposal": self.proposal,
            "claims": s.claims.height,
            "paid_before": s.paid_before,
            "paid_after": s.paid_after,
            "difference": s.difference,
            "earned": s.earned,
            "loss_ratio_before": None
            if s.loss_ratio_before is None
            else round(s.loss_ratio_before, 4),
            "loss_ratio_after": None
            if s.loss_ratio_after is None
            else round(s.loss_ratio_after, 4),
            "by_benefit": _json_frame(s.totals),
            "changed": _json_frame(changed),
            "report": str(self.report) if self.report else None,
        }


def simulate(
    proposal: PolicyArg,
    *,
    db: Path | str | None = None,
    as_of: dt.date | str | None = None,
    year: int | None = None,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    policy: PolicyArg = None,
    lang: str = "zh",
) -> SimulationOutcome:
    """Re-decide every claim the register decided in the window (its live decisions) from
    the stored facts, under the parameters in force and under `proposal`, writing nothing
    (A5.6, L84, L114). The calculator is `decide_claims` itself (aidctl.core.simulate)."""
    ctx = _settings(db, _day(as_of), policy, lang)
    proposed = _policy(proposal)
    first, last = window(ctx.as_of, year, start, end)
    with Register.open(ctx.db_path, create=False) as reg:
        # only what the comparison reads: the decisions from the window on (with their
        # stored facts), the contracts and additions for the earned contributions
        decisions = reg.fund_decisions(first, content=True)
        contracts, additions = reg.fund_contracts(), reg.additions()
        in_window = decisions.filter(
            ~pl.col("voided") & pl.col("run_as_of").is_between(pl.lit(first), pl.lit(last))
        ).with_row_index("_row", offset=1)
        ids = in_window["id_number"].unique().to_list()
        claim_ids = in_window["claim_id"].unique().to_list()
        spells = reg.spells_of_ids(ids)
        history = reg.history_of_ids(ids, claim_ids)
    # L114: the history is what was decided before the window; decisions after it are not
    # yet known on the days the window's claims were decided
    later = decisions.filter(pl.col("run_as_of") > pl.lit(last)).select("decision_id")
    history = history.join(later, on="decision_id", how="anti")
    claims = claims_from_content(in_window.with_columns(pl.col("_row").cast(pl.Int64)))
    decided_on = in_window["run_as_of"].max()
    on = decided_on if isinstance(decided_on, dt.date) else last
    earned = core.earned(contracts, first, last, additions)
    result = simulate_claims(claims, spells, history, ctx.policy, proposed, on, earned=earned)
    return SimulationOutcome(
        simulation=result,
        start=first,
        end=last,
        proposal=str(proposal if not isinstance(proposal, Policy) else proposal.path),
        register=ctx.db_path,
        lang=lang,
        sentences=_sentences(result, ctx.policy, proposed, lang),
    )


def _sentences(result: Simulation, now: Policy, proposed: Policy, lang: str) -> pl.DataFrame:
    """Both sentences of each changed claim, as `explain` words a decision (the changed
    claims are few: the board reads each of them)."""
    from aidctl.core.simulate import side
    from aidctl.reports.explain import explain

    rows = []
    for row in result.changed.iter_rows(named=True):
        rows.append(
            {
                "claim_id": row["claim_id"],
                "before_sentence": explain(side(row, "before"), now.catalogue, lang),
                "after_sentence": explain(side(row, "after"), proposed.catalogue, lang),
            }
        )
    schema = {"claim_id": pl.Utf8, "before_sentence": pl.Utf8, "after_sentence": pl.Utf8}
    return pl.DataFrame(rows, schema=schema)


def write_receipts_report(outcome: ReceiptsOutcome, path: Path | str, lang: str = "zh") -> Path:
    """The clerk's workbook of a `contributions record` run: what was recorded, each refused
    row with what to fix, and what every unit still owes (L111)."""
    from aidctl.reports.findings_text import with_messages
    from aidctl.reports.xlsx import Column, Sheet, Summary, SummaryTable, write_report

    t = lambda zh, en: _t(lang, zh, en)  # noqa: E731
    target = Path(path)
    findings = with_messages(outcome.findings, lang)
    receipt_cols = [
        Column("reference", t("凭证号", "Reference")),
        Column("unit_code", t("单位编码", "Unit code")),
        Column("amount", t("金额", "Amount"), kind="yuan"),
        Column("received_on", t("到账日期", "Received"), kind="date"),
    ]
    finding_cols = [
        Column("sheet", t("工作表", "Sheet")),
        Column("row", t("行号", "Row"), kind="int"),
        Column("column", t("列", "Column")),
        Column("code", t("代码", "Code")),
        Column("message", t("说明及处理办法", "What is wrong and what to do")),
    ]
    owed_cols = [
        Column("unit_code", t("单位编码", "Unit code")),
        Column("unit_name", t("单位名称", "Unit name")),
        Column("billed", t("应缴（累计）", "Billed (to date)"), kind="yuan"),
        Column("collected", t("实收（累计）", "Collected (to date)"), kind="yuan"),
        Column("outstanding", t("欠缴", "Outstanding"), kind="yuan"),
    ]
    owing = outcome.outstanding.filter(pl.col("outstanding") != 0)
    summary = Summary(
        name=t("汇总", "Summary"),
        title=t("互助金到账登记", "Contributions received"),
        facts=[
            (t("文件", "File"), str(outcome.source)),
            (t("业务日期", "As of"), outcome.as_of),
            (t("登记库", "Register"), shown(outcome.register)),
            (t("运行编号", "Run id"), outcome.run_id or ""),
            (t("入账笔数", "Receipts recorded"), outcome.recorded.height),
            (t("入账金额", "Amount recorded"), outcome.amount, "yuan"),
            (t("未入账的行", "Rows not recorded"), outcome.to_json()["refused"]),
        ],
        tables=[
            SummaryTable(
                title=t("欠缴或预缴的单位", "Units owing (or in credit)"),
                frame=owing,
                columns=owed_cols,
            )
        ],
    )
    write_report(
        target,
        [
            Sheet(t("已入账", "Recorded"), outcome.recorded, receipt_cols),
            Sheet(t("问题", "Problems"), findings, finding_cols),
            Sheet(t("各单位欠缴", "Outstanding per unit"), outcome.outstanding, owed_cols),
        ],
        summary,
    )
    outcome.report = target
    return target


def write_simulation_report(outcome: SimulationOutcome, path: Path | str, lang: str = "zh") -> Path:
    """The board's comparison: totals by benefit each way, and every changed claim with both
    sentences (L84)."""
    from aidctl.reports.xlsx import Column, Sheet, Summary, SummaryTable, write_report

    t = lambda zh, en: _t(lang, zh, en)  # noqa: E731
    s = outcome.simulation
    totals = s.totals.with_columns(
        pl.col("benefit")
        .replace_strict(
            {k: benefit_word(k, lang) for k in BENEFIT_WORDS}, default=pl.col("benefit")
        )
        .alias("benefit_name")
    )
    changed = s.changed.join(outcome.sentences, on="claim_id", how="left")
    total_cols = [
        Column("benefit_name", t("保障项目", "Benefit")),
        Column("before_count", t("现行：笔数", "In force: claims"), kind="int"),
        Column("before_amount", t("现行：金额", "In force: amount"), kind="yuan"),
        Column("after_count", t("方案：笔数", "Proposal: claims"), kind="int"),
        Column("after_amount", t("方案：金额", "Proposal: amount"), kind="yuan"),
        Column("difference", t("差额", "Difference"), kind="yuan"),
    ]
    changed_cols = [
        Column("claim_id", t("理赔编号", "Claim")),
        Column("unit_code", t("单位编码", "Unit code")),
        Column("before_status", t("现行：结果", "In force: decision")),
        Column("before_amount", t("现行：金额", "In force: amount"), kind="yuan"),
        Column("before_sentence", t("现行：说明", "In force: why")),
        Column("after_status", t("方案：结果", "Proposal: decision")),
        Column("after_amount", t("方案：金额", "Proposal: amount"), kind="yuan"),
        Column("after_sentence", t("方案：说明", "Proposal: why")),
        Column("difference", t("差额", "Difference"), kind="yuan"),
    ]

    def ratio(value: float | None) -> str:
        return "—" if value is None else f"{value:.1%}"

    summary = Summary(
        name=t("汇总", "Summary"),
        title=t(
            "调整方案测算（不写入登记库）", "What the proposal would have cost (nothing recorded)"
        ),
        facts=[
            (t("期间", "Period"), f"{outcome.start} – {outcome.end}"),
            (t("方案文件", "Proposal"), outcome.proposal),
            (t("重新审核的案件", "Claims re-decided"), s.claims.height),
            (t("现行给付", "Paid in force"), s.paid_before, "yuan"),
            (t("方案给付", "Paid under the proposal"), s.paid_after, "yuan"),
            (t("差额", "Difference"), s.difference, "yuan"),
            (t("已赚互助金", "Contributions earned"), s.earned or 0, "yuan"),
            (t("现行赔付率", "Loss ratio in force"), ratio(s.loss_ratio_before)),
            (t("方案赔付率", "Loss ratio under the proposal"), ratio(s.loss_ratio_after)),
            (t("结果或金额改变的案件", "Claims that would change"), s.changed.height),
        ],
        tables=[SummaryTable(t("按保障项目", "By benefit"), totals, total_cols)],
    )
    write_report(
        Path(path),
        [
            Sheet(t("改变的案件", "Changed claims"), changed, changed_cols),
            Sheet(t("按保障项目", "By benefit"), totals, total_cols),
        ],
        summary,
    )
    outcome.report = Path(path)
    return Path(path)


def receipts_template(out: Path | str) -> Path:
    """A blank workbook of contributions received for the finance office (L111): the sheet
    `收款` with the headers `contributions record` reads, ids and codes as text, dates as
    dates, and a sheet saying how to fill it in."""
    from openpyxl import Workbook

    from aidctl.intake.receipts import TEMPLATE_HEADERS
    from aidctl.reports.safe import atomic_path

    target = Path(out)
    wb = Workbook()
    ws = wb.active
    ws.title = "收款"
    ws.append(list(TEMPLATE_HEADERS))
    for index, header in enumerate(TEMPLATE_HEADERS, 1):
        letter = ws.cell(row=1, column=index).column_letter
        ws.column_dimensions[letter].width = 22
        fmt = {"到账日期": "yyyy-mm-dd", "金额": "0"}.get(header, "@")
        for row in range(2, 502):
            ws.cell(row=row, column=index).number_format = fmt
    notes = wb.create_sheet("填写说明")
    for line in (
        "每行一笔到账：凭证号（每笔唯一）、单位编码（与参保名册一致）、金额（整元）、到账日期。",
        "One row per receipt: reference (unique), unit code (as on the roster), amount (whole "
        "yuan), date received.",
        "有问题的行不入账，报告逐行说明如何更正；其余行照常入账。同一凭证号不会重复入账。",
        "A row with a problem is not recorded and the report says how to correct it; the other "
        "rows are recorded. A reference is never recorded twice.",
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 110
    with atomic_path(target) as temp:
        wb.save(temp)
    return target


def write_members_report(
    outcome: MembersOutcome, path: Path | str, lang: str = "zh", unmask: bool = False
) -> Path:
    """Who is covered on the day, one row per person (id numbers masked unless `unmask`),
    with the counts on the summary (D6, L80)."""
    from aidctl.reports.findings_text import masked
    from aidctl.reports.xlsx import Column, Sheet, Summary, SummaryTable, write_report

    t = lambda zh, en: _t(lang, zh, en)  # noqa: E731
    kinds = {"first_time": t("首次参保", "first-time"), "renewed": t("续保", "renewed")}
    shown_rows = outcome.members.with_columns(
        masked("id_number", unmask).alias("id_number"),
        pl.col("kind").replace_strict(kinds, default=pl.col("kind")),
    )
    row_cols = [
        Column("unit_code", t("单位编码", "Unit code")),
        Column("contract_no", t("履约单号", "Contract")),
        Column("id_number", t("身份证号", "Id number")),
        Column("spell_start", t("保障起始", "Cover from"), kind="date"),
        Column("term_end", t("保障终止", "Cover to"), kind="date"),
        Column("kind", t("首次/续保", "First-time / renewed")),
    ]
    count_cols = [
        *(
            [Column("district_name", t("区县", "District"))]
            if "district_name" in outcome.counts.columns
            else []
        ),
        Column("members", t("人数", "Members"), kind="int"),
        Column("first_time", t("首次参保", "First-time"), kind="int"),
        Column("renewed", t("续保", "Renewed"), kind="int"),
    ]
    summary = Summary(
        name=t("汇总", "Summary"),
        title=t("参保人员", "Members covered"),
        facts=[
            (t("日期", "On"), outcome.on),
            (t("单位", "Unit"), outcome.unit or t("全部", "all")),
            (t("登记库", "Register"), shown(outcome.register)),
        ],
        tables=[SummaryTable(t("人数", "Counts"), outcome.counts, count_cols)],
    )
    target = Path(path)
    write_report(target, [Sheet(t("参保人员", "Members"), shown_rows, row_cols)], summary)
    return target
