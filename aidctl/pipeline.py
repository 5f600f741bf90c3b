"""The one orchestrator: read -> check/decide -> record -> report.

The CLI hands it paths and options; intake yields frames and findings; the plan gives the
parameters; the core decides; the register records in one transaction; reports render.
Nothing here prints: progress goes through an optional callback, results come back as
values for the CLI to show.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from aidctl.core.claims import decide_claims
from aidctl.core.enrollment import (
    COMPLIANT,
    EXISTING_SPELLS_SCHEMA,
    EnrollmentResult,
    check_enrollment,
)
from aidctl.core.findings import concat_findings
from aidctl.errors import InputError
from aidctl.intake import failures, read_claims, read_units_workbook
from aidctl.intake.limits import Limits, check_file
from aidctl.intake.units import known_region_codes
from aidctl.plan.params import Policy
from aidctl.register import (
    CONTRACT_COLUMNS,
    HISTORY_COLUMNS,
    ITEM_COLUMNS,
    SPELL_COLUMNS,
    Location,
    Register,
    empty,
)
from aidctl.register import shown as shown_location

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Settings:
    """What every command acts with: the register, the day, the language, the parameters."""

    db_path: Location  # a file path (SQLite) or a postgresql:// URL
    as_of: dt.date
    lang: str
    policy: Policy
    unmask: bool = False
    limits: Limits = field(default_factory=Limits)


@dataclass
class EnrollOutcome:
    result: EnrollmentResult
    findings: pl.DataFrame
    input_sha256: str
    run_id: str | None = None
    contracts_added: int = 0
    spells_added: int = 0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return 0 if (self.result.units["status"] == COMPLIANT).all() else 1


@dataclass
class AdjudicateOutcome:
    decisions: pl.DataFrame
    findings: pl.DataFrame
    input_sha256: str
    run_id: str | None
    policy_versions: list[str]
    recorded: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    # open items this run opened, updated (still pending) and closed (decided), L130–L132
    items: dict[str, int] = field(default_factory=dict)
    # the claims' texts with their units' names as the register held them (L181)
    texts: pl.DataFrame | None = None

    @property
    def exit_code(self) -> int:
        return 1 if (self.decisions["status"] == "pending").any() else 0


# The claim texts an adjudication report shows beside each decision, kept with the run.
CLAIM_TEXT_SCHEMA: dict[str, Any] = {
    "_row": pl.Int64,
    "disease": pl.Utf8,
    "note": pl.Utf8,
    "unit_name": pl.Utf8,
}


def claim_texts(claims: pl.DataFrame, units: pl.DataFrame | None = None) -> pl.DataFrame:
    """The claims frame's row, disease and note, in CLAIM_TEXT_SCHEMA (absent columns null),
    with the name the register holds for the claim's unit (L181): kept in the run's frames,
    so that `aidctl report RUN_ID` shows the name the original report showed, even after
    the unit was renamed. A unit the register does not know has no name (null)."""
    texts = claims.select(
        [
            (pl.col(k) if k in claims.columns else pl.lit(None)).cast(t).alias(k)
            for k, t in CLAIM_TEXT_SCHEMA.items()
            if k != "unit_name"
        ]
    )
    if units is None or "unit_code" not in claims.columns or units.height == 0:
        return texts.with_columns(pl.lit(None, dtype=pl.Utf8).alias("unit_name"))
    names = units.select(
        pl.col("unit_code").cast(pl.Utf8), pl.col("unit_name").cast(pl.Utf8)
    ).unique("unit_code", keep="first")
    codes = claims.select(pl.col("_row").cast(pl.Int64), pl.col("unit_code").cast(pl.Utf8))
    named = codes.join(names, on="unit_code", how="left").select("_row", "unit_name")
    return texts.join(named, on="_row", how="left").select(list(CLAIM_TEXT_SCHEMA))


def file_sha256(path: Path) -> str:
    path = Path(path)
    if not path.exists():
        raise failures.missing_file(str(path))
    if not path.is_file():
        raise failures.not_a_file(str(path))
    digest = hashlib.sha256()
    try:
        with Path(path).open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    except OSError as exc:
        raise InputError(
            f"Cannot read {path}: {exc.strerror}.", f"无法读取 {path}：{exc.strerror}。"
        ) from exc
    return digest.hexdigest()


def _read_only(db_path: Location) -> Register | None:
    """The register for reading, or None when there is none yet (nothing is created)."""
    return Register.open_if_exists(db_path)


def _read_units(
    ctx: Settings, units_path: Path, members_path: Path | None, timer: Callable[[str], None]
) -> Any:
    for path in (units_path, members_path):
        if path is not None:
            check_file(path, ctx.limits)
    intake = read_units_workbook(units_path, members_path, max_rows=ctx.limits.max_rows)
    timer("read")
    return intake


def _check(
    ctx: Settings,
    reg: Register | None,
    intake: Any,
    units_path: Path,
    received_default: dt.date | None = None,
    imported: bool = False,
) -> tuple[EnrollmentResult, pl.DataFrame]:
    if reg is not None:
        codes = intake.units["unit_code"].drop_nulls().unique().to_list()
        ids = intake.members["id_number"].drop_nulls().unique().to_list()
        contracts = reg.contracts_of_units(codes)
        spells = reg.spells_of_ids(ids)
    else:
        contracts = empty(CONTRACT_COLUMNS)
        spells = empty(EXISTING_SPELLS_SCHEMA)
    result = check_enrollment(
        intake.units,
        intake.members,
        contracts,
        spells,
        ctx.policy,
        ctx.as_of,
        str(units_path),
        received_default=received_default,
        imported=imported,
        region_codes=known_region_codes(),
    )
    findings = concat_findings([intake.findings, _as_written(result.findings, intake.headers)])
    return result, findings


def _as_written(findings: pl.DataFrame, headers: dict[str, dict[str, str]]) -> pl.DataFrame:
    """Name each finding's column by the header the clerk wrote (the core knows keys)."""
    names = pl.DataFrame(
        [
            {"sheet": sheet, "column": key, "_written": text}
            for sheet, keys in headers.items()
            for key, text in keys.items()
        ],
        schema={"sheet": pl.Utf8, "column": pl.Utf8, "_written": pl.Utf8},
    )
    return (
        findings.join(names, on=["sheet", "column"], how="left", maintain_order="left")
        .with_columns(pl.coalesce(pl.col("_written"), pl.col("column")).alias("column"))
        .drop("_written")
    )


def validate_enrollment(
    ctx: Settings,
    units_path: Path,
    members_path: Path | None = None,
    timer: Callable[[str], None] | None = None,
    received_default: dt.date | None = None,
    imported: bool = False,
) -> tuple[EnrollOutcome, Any]:
    """Check without recording (E1–E4); the register is only read, never created.

    received_default: the received day of rosters that do not state one (D5; the as-of
    day when None). imported: check as `enroll --import` would.
    """
    tick = timer or (lambda _stage: None)
    intake = _read_units(ctx, units_path, members_path, tick)
    reg = _read_only(ctx.db_path)
    try:
        result, findings = _check(ctx, reg, intake, units_path, received_default, imported)
    finally:
        if reg is not None:
            reg.close()
    tick("check")
    sha = file_sha256(units_path)
    return EnrollOutcome(result=result, findings=findings, input_sha256=sha), intake


BeforeCommit = Callable[[Register, Any, Any], None]


def enroll(
    ctx: Settings,
    units_path: Path,
    members_path: Path | None = None,
    timer: Callable[[str], None] | None = None,
    before_commit: BeforeCommit | None = None,
    received_default: dt.date | None = None,
    imported: bool = False,
) -> tuple[EnrollOutcome, Any]:
    """Check, then record the compliant units' contracts and spells in one transaction (E5).

    received_default: the received day of rosters that do not state one (D5: in the batch
    the day the file arrived; the as-of day when None). imported: `enroll --import` (D5),
    every contract recorded is marked imported.
    """
    tick = timer or (lambda _stage: None)
    # the input first: a file that cannot be used must not create a register
    intake = _read_units(ctx, units_path, members_path, tick)
    sha = file_sha256(units_path)
    reg = Register.open(ctx.db_path)
    try:
        with reg.transaction():
            result, findings = _check(ctx, reg, intake, units_path, received_default, imported)
            tick("check")
            run_id = reg.start_run(
                "enroll",
                ctx.as_of,
                str(units_path),
                sha,
                ctx.policy.latest.id,
                policy_versions=_versions(result.units),
                policy_file=ctx.policy.path,
            )
            added_c, added_s = reg.record_enrollment(run_id, result.contracts, result.spells)
            # L110: what rosters for running contracts added is billed on the contract
            if not result.additions.is_empty():
                reg.record_additions(run_id, result.additions)
            # what the run's report shows, kept so that `aidctl report RUN_ID` can write it again
            reg.save_run_frames(
                run_id, {"units": result.units, "members": result.members, "findings": findings}
            )
            counts = {
                "units": result.units.height,
                "compliant": int((result.units["status"] == COMPLIANT).sum()),
                "contracts_added": added_c,
                "spells_added": added_s,
                "imported": imported,
                "received_default": (received_default or ctx.as_of).isoformat(),
            }
            if not result.additions.is_empty():  # L110
                counts["additions_billed"] = int(result.additions["amount"].sum())
            reg.finish_run(run_id, {**counts, **unmask_record(ctx)})
            outcome = EnrollOutcome(
                result=result,
                findings=findings,
                input_sha256=sha,
                run_id=run_id,
                contracts_added=added_c,
                spells_added=added_s,
            )
            if before_commit is not None:
                before_commit(reg, outcome, intake)
        tick("record")
    finally:
        reg.close()
    return outcome, intake


def adjudicate(
    ctx: Settings,
    claims_path: Path,
    dry_run: bool = False,
    timer: Callable[[str], None] | None = None,
    before_commit: BeforeCommit | None = None,
) -> tuple[AdjudicateOutcome, Any]:
    """Decide every claim; record approved and rejected decisions unless `dry_run`."""
    tick = timer or (lambda _stage: None)
    check_file(claims_path, ctx.limits)
    intake = read_claims(
        claims_path, max_rows=ctx.limits.max_rows
    )  # first: says best what is wrong
    sha = file_sha256(claims_path)
    tick("read")
    claims = intake.claims
    ids = claims["id_number"].drop_nulls().unique().to_list()
    claim_ids = claims["claim_id"].drop_nulls().unique().to_list()
    reg = _read_only(ctx.db_path) if dry_run else Register.open(ctx.db_path)
    run_id: str | None = None
    recorded = 0
    items: dict[str, int] = {}
    texts = claim_texts(claims)  # no register: no unit names (L181)
    try:
        if reg is None:
            spells = empty(SPELL_COLUMNS)
            history = empty(HISTORY_COLUMNS)
            decisions = decide_claims(claims, spells, history, ctx.policy, ctx.as_of)
            tick("decide")
        elif dry_run:
            spells = reg.spells_of_ids(ids)
            history = reg.history_of_ids(ids, claim_ids)
            decisions = decide_claims(claims, spells, history, ctx.policy, ctx.as_of)
            texts = claim_texts(claims, reg.units_info())  # L181
            tick("decide")
        else:
            with reg.transaction():
                reg.lock_members(ids)  # before history: two clerks, one member (issue 14)
                spells = reg.spells_of_ids(ids)
                history = reg.history_of_ids(ids, claim_ids)
                decisions = decide_claims(claims, spells, history, ctx.policy, ctx.as_of)
                texts = claim_texts(claims, reg.units_info())  # L181
                tick("decide")
                run_id = reg.start_run(
                    "adjudicate",
                    ctx.as_of,
                    str(claims_path),
                    sha,
                    ctx.policy.latest.id,
                    policy_versions=_versions(decisions),
                    policy_file=ctx.policy.path,
                )
                final = decisions.filter(
                    pl.col("status").is_in(["approved", "rejected"])
                    & (pl.col("reason_code") != "ALREADY_DECIDED")
                )
                recorded = reg.record_decisions(run_id, final)
                items = record_items(reg, run_id, ctx.as_of, decisions)  # L130–L132
                # every row of the run, pending ones included, for `aidctl report RUN_ID`
                reg.save_run_frames(
                    run_id,
                    {
                        "decisions": decisions,
                        "findings": intake.findings,
                        "claims": texts,
                    },
                )
                reg.finish_run(run_id, {**totals(decisions), **items, **unmask_record(ctx)})
                if before_commit is not None:
                    before_commit(
                        reg,
                        _adjudicated(decisions, intake, sha, run_id, recorded, items, texts),
                        intake,
                    )
            tick("record")
    finally:
        if reg is not None:
            reg.close()
    return _adjudicated(decisions, intake, sha, run_id, recorded, items, texts), intake


def _adjudicated(
    decisions: pl.DataFrame,
    intake: Any,
    sha: str,
    run_id: str | None,
    recorded: int,
    items: dict[str, int] | None = None,
    texts: pl.DataFrame | None = None,
) -> AdjudicateOutcome:
    return AdjudicateOutcome(
        decisions=decisions,
        findings=intake.findings,
        input_sha256=sha,
        run_id=run_id,
        policy_versions=_versions(decisions),
        recorded=recorded,
        items=dict(items or {}),
        texts=texts,
    )


def record_items(
    reg: Register, run_id: str, as_of: dt.date, decisions: pl.DataFrame
) -> dict[str, int]:
    """Keep the run's pending claims as open items, in the run's transaction.

    L130: a pending row with a claim id is an open item (a row without one cannot be found
    again: it stays in the run's report and the annotated copy). L131: a claim already open
    and still pending updates its item. L132: a claim the run decides (approved or rejected,
    ALREADY_DECIDED included: its decision is in the register) closes its item — decided
    wins when one claim id has both kinds of row in one file.
    """
    with_id = decisions.filter(pl.col("claim_id").is_not_null())
    decided = (
        with_id.filter(pl.col("status").is_in(["approved", "rejected"]))["claim_id"]
        .unique()
        .to_list()
    )
    pending = (
        with_id.filter((pl.col("status") == "pending") & ~pl.col("claim_id").is_in(decided))
        .unique("claim_id", keep="last", maintain_order=True)
        .select(
            [
                (pl.col(k) if k in decisions.columns else pl.lit(None)).cast(t).alias(k)
                for k, t in ITEM_COLUMNS.items()
            ]
        )
    )
    closed = reg.close_items(decided, run_id, as_of, "decided") if decided else 0
    opened, updated = reg.record_open_items(run_id, as_of, pending)
    return {"items_opened": opened, "items_updated": updated, "items_closed": closed}


def _open_item_of(decision: dict[str, Any], reason_code: str, detail: str) -> pl.DataFrame:
    """An open item for a recorded decision's claim (a reopen, L134), in ITEM_COLUMNS."""
    row = {k: decision.get(k) for k in ITEM_COLUMNS}
    row.update(reason_code=reason_code, detail=detail, clause="L134")
    if isinstance(row["event_date"], str):
        row["event_date"] = dt.date.fromisoformat(row["event_date"])
    return pl.DataFrame([row], schema=ITEM_COLUMNS)


def withdraw(ctx: Settings, claim_id: str, reason: str) -> dict[str, Any]:
    """Close a claim's open item without deciding it (L133): the item is kept, closed,
    with when and why; a row of the claim sent later is decided (or pending) afresh."""
    if not reason.strip():
        raise InputError(
            "--reason must say why the pending claim is withdrawn.",
            "--reason 须说明撤回这件待处理理赔的原因。",
        )
    reg = Register.open(ctx.db_path, create=False)  # says so when there is none
    try:
        with reg.transaction():
            found = reg.open_items(claim_ids=[claim_id])
            if found.is_empty():
                raise InputError(
                    f"Claim {claim_id} is not pending in {shown_location(ctx.db_path)}: "
                    "`aidctl pending` lists the open items.",
                    f"登记库 {shown_location(ctx.db_path)} 中理赔 {claim_id} 不是待处理事项；"
                    "`aidctl pending` 列出所有待处理事项。",
                )
            run_id = reg.start_run("withdraw", ctx.as_of, claim_id, None, None)
            reg.close_items([claim_id], run_id, ctx.as_of, "withdrawn", reason.strip())
            reg.finish_run(run_id, {"withdrawn": claim_id})
    finally:
        reg.close()
    item = found.row(0, named=True)
    return {
        "claim_id": claim_id,
        "reason_code": item["reason_code"],
        "opened_on": item["opened_on"].isoformat(),
        "withdraw_run": run_id,
        "reason": reason.strip(),
    }


def _live_decision(
    reg: Register, ctx: Settings, claim_id: str, verb_en: str, verb_zh: str
) -> dict[str, Any]:
    """The claim's live decision that `void` or `reopen` corrects, or the refusal naming the
    register as messages show it (a URL without its password)."""
    target = reg.live_decision(claim_id)
    if target is None:
        where = shown_location(ctx.db_path)
        raise InputError(
            f"Claim {claim_id} has no decision to {verb_en} in {where}.",
            f"登记库 {where} 中理赔 {claim_id} 没有可{verb_zh}的决定。",
        )
    return target


def reopen(ctx: Settings, claim_id: str, reason: str) -> dict[str, Any]:
    """Reopen a rejected claim so that its re-sent row is decided afresh (L134).

    Append-only like `void`: the rejection gets a void marked as a reopen (so one live
    decision per claim, L60, holds as for any void), and the claim becomes an open item
    (REOPENED) until the re-sent row decides it. A payment is taken back with `void`, not
    reopened: reopening an approved claim is refused.
    """
    if not reason.strip():
        raise InputError(
            "--reason must say why the claim is reopened.", "--reason 须说明重新打开的原因。"
        )
    reg = Register.open(ctx.db_path, create=False)  # says so when there is none
    try:
        with reg.transaction():
            target = _live_decision(reg, ctx, claim_id, "reopen", "重新打开")
            if target["status"] != "rejected":
                raise InputError(
                    f"Claim {claim_id} was approved ({target['amount']} yuan): only a rejection "
                    "is reopened; take a payment back with `aidctl void`.",
                    f"理赔 {claim_id} 已给付（{target['amount']} 元）：只有拒付可以重新打开；"
                    "撤回给付请用 `aidctl void`。",
                )
            run_id = reg.start_run("reopen", ctx.as_of, claim_id, None, None)
            reg.record_reopen(target["decision_id"], run_id, reason.strip())
            decision = next(
                d
                for d in reg.decisions_of_claim(claim_id)
                if d["decision_id"] == target["decision_id"]
            )
            item = _open_item_of(decision, "REOPENED", target["reason_code"])
            reg.record_open_items(run_id, ctx.as_of, item)
            reg.finish_run(run_id, {"reopened": claim_id, "reason_code": target["reason_code"]})
    finally:
        reg.close()
    return {**target, "reopen_run": run_id, "reason": reason.strip()}


def open_items(ctx: Settings, unit_code: str | None = None) -> pl.DataFrame:
    """The register's open items (L130), oldest first, with their age in days on the as-of
    day; an empty frame when there is no register yet (nothing is pending then)."""
    from aidctl.register import OPEN_ITEM_COLUMNS

    reg = _read_only(ctx.db_path)
    if reg is None:
        items = empty(OPEN_ITEM_COLUMNS)
    else:
        try:
            items = reg.open_items(unit_code=unit_code)
        finally:
            reg.close()
    return items.with_columns(
        (pl.lit(ctx.as_of) - pl.col("opened_on")).dt.total_days().cast(pl.Int64).alias("age_days")
    )


def unmask_note() -> dict[str, str]:
    """Who showed full id numbers, and when (L156): the OS user and the local time."""
    import getpass

    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "?"
    return {"by": who, "at": dt.datetime.now().isoformat(timespec="seconds")}


def unmask_record(ctx: Settings) -> dict[str, Any]:
    """The `unmask` entry of a run's counts when the run was made with --unmask (L156)."""
    return {"unmask": unmask_note()} if ctx.unmask else {}


def _versions(frame: pl.DataFrame) -> list[str]:
    """The parameter versions a run's rows were checked or decided under (a report's facts)."""
    return sorted(frame["policy_version"].drop_nulls().unique().to_list())


def totals(decisions: pl.DataFrame) -> dict[str, int]:
    """Counts by status and the amount paid (ALREADY_DECIDED pays nothing, L14)."""
    counts = {s: int((decisions["status"] == s).sum()) for s in ("approved", "rejected", "pending")}
    counts["amount"] = int(decisions["amount"].sum())
    return counts


@dataclass
class RenewalsOutcome:
    """A renewals listing and the run that keeps it (None when not recorded)."""

    listed: pl.DataFrame
    due: str
    until: dt.date
    run_id: str | None = None
    policy_versions: list[str] = field(default_factory=list)


def renewals_due(ctx: Settings, duration: str, *, record: bool = True) -> pl.DataFrame:
    """Contracts due, in grace or lapsed (A7.1, D5), with unit names and contacts.

    record: keep the listing as a run (see `list_renewals`, L61).
    """
    return list_renewals(ctx, duration, record=record).listed


def list_renewals(
    ctx: Settings, duration: str, *, record: bool = True, all_lapsed: bool = False
) -> RenewalsOutcome:
    """`renewals_due` with the run it recorded: when `record`, the listing is kept as a run
    (command "renewals", frame {"renewals": listed}) so that `aidctl report RUN_ID` can write
    the same reminder list again (L61). The register must exist either way: a listing never
    creates one. all_lapsed: every lapsed unit, not only those lapsed lately (L143).
    """
    from aidctl.core.renewals import renewals, window_end

    until = window_end(ctx.as_of, duration)
    if until is None:
        raise InputError(
            f"--due needs a duration such as 30d, 2w or 1m, not {duration!r}.",
            f"--due 需要形如 30d、2w、1m 的期限，而不是 {duration!r}。",
        )
    reg = Register.open(ctx.db_path, create=False)  # says so when there is none
    try:
        with reg.transaction():
            contracts = reg.all_contracts()
            units = reg.units_info()
            listed = renewals(contracts, ctx.policy, ctx.as_of, until, all_lapsed=all_lapsed).join(
                units, on="unit_code", how="left", maintain_order="left"
            )
            # the fee shown is that of the version in force when the next term starts (D9)
            next_starts = (listed["expiry_date"] + dt.timedelta(days=1)).unique().to_list()
            versions = sorted({ctx.policy.at(day).id for day in next_starts})
            outcome = RenewalsOutcome(listed, duration, until, None, versions)
            if record:
                outcome.run_id = reg.start_run(
                    "renewals",
                    ctx.as_of,
                    None,
                    None,
                    ctx.policy.latest.id,
                    policy_versions=versions,
                    policy_file=ctx.policy.path,
                )
                reg.save_run_frames(outcome.run_id, {"renewals": listed})
                counts: dict[str, Any] = {
                    "due": duration,
                    "until": until.isoformat(),
                    "listed": listed.height,
                }
                if all_lapsed:  # L143: every lapsed unit, not only those lapsed lately
                    counts["all_lapsed"] = True
                reg.finish_run(outcome.run_id, counts)
    finally:
        reg.close()
    return outcome


def void(ctx: Settings, claim_id: str, reason: str) -> dict[str, Any]:
    """Reverse a decided claim by appending a void (nothing is deleted or rewritten).

    Caps and the earlier-term rules then count as if it had not been decided; the claim_id
    may be adjudicated afresh.
    """
    if not reason.strip():
        raise InputError("--reason must say why the claim is voided.", "--reason 须说明撤销原因。")
    reg = Register.open(ctx.db_path, create=False)  # says so when there is none
    try:
        with reg.transaction():
            target = _live_decision(reg, ctx, claim_id, "void", "撤销")
            run_id = reg.start_run("void", ctx.as_of, claim_id, None, None)
            reg.record_void(target["decision_id"], run_id, reason.strip())
            reg.finish_run(run_id, {"voided": claim_id, "amount": target["amount"]})
    finally:
        reg.close()
    return {**target, "void_run": run_id}


def payments(ctx: Settings, period: str) -> pl.DataFrame:
    """The period's payments and reversals for the finance office (one row per payment)."""
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", period):
        raise InputError(
            f"--period needs a month like 2026-11, not {period!r}.",
            f"--period 需要形如 2026-11 的月份，而不是 {period!r}。",
        )
    reg = Register.open_read_only(ctx.db_path)  # never created or migrated (L151)
    try:
        return reg.payments_in_period(period)
    finally:
        reg.close()
