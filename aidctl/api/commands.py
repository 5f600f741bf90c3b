"""One function per command, each taking plain arguments and returning an outcome.

Defaults are a clerk's: `as_of` today, `db` the default register location ($AIDCTL_DB or
the user's data folder), the built-in parameter file. Nothing here prints; reports are
written by `write_report(outcome, path)` (aidctl/api/reporting.py).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from contextvars import ContextVar, Token
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from aidctl import pipeline
from aidctl.api.outcomes import (
    AdjudicationOutcome,
    ClerkRows,
    DiseasesOutcome,
    EnrolmentOutcome,
    ExplainOutcome,
    HistoryOutcome,
    PaymentsOutcome,
    PolicyOutcome,
    RebuiltRun,
    RenewalsOutcome,
    RunsOutcome,
    VoidOutcome,
)
from aidctl.errors import InputError
from aidctl.intake.kind import detect_kind
from aidctl.intake.limits import Limits, check_file
from aidctl.pipeline import Settings
from aidctl.plan.params import Policy, load_policy
from aidctl.register import Register, as_location, default_location

if TYPE_CHECKING:
    from aidctl.api.outcomes import BatchOutcome

Progress = Callable[[str], None]
PolicyArg = Policy | Path | str | None
RUN_FRAME_CLAIMS = "claims"  # the claim texts of an adjudication run (see CLAIM_TEXT_SCHEMA)
RUN_FRAME_RENEWALS = "renewals"  # pipeline.list_renewals keeps the listing under this name


class Commit:
    """What a `before_commit` hook may add to the command's own transaction."""

    def __init__(self, reg: Register) -> None:
        self._reg = reg

    def record_batch_file(
        self,
        sha256: str,
        name: str,
        kind: str,
        period: str,
        run_id: str | None,
        outcome: str,
        counts: dict[str, Any],
    ) -> None:
        self._reg.record_batch_file(sha256, name, kind, period, run_id, outcome, counts)


def default_register() -> Path:
    """$AIDCTL_DB, else the register in the user's data folder."""
    return default_location()


def _policy(policy: PolicyArg) -> Policy:
    if isinstance(policy, Policy):
        return policy
    return load_policy(None if policy in (None, "") else Path(policy))


def _settings(
    db: Path | str | None,
    as_of: dt.date | None,
    policy: PolicyArg,
    lang: str = "zh",
    unmask: bool = False,
) -> Settings:
    if lang not in ("zh", "en"):
        raise InputError(
            f"--lang must be zh or en, not {lang!r}.", f"--lang 只能是 zh 或 en，而不是 {lang!r}。"
        )
    return Settings(
        db_path=as_location(db if db is not None else default_register()),
        as_of=as_of or dt.date.today(),
        lang=lang,
        policy=_policy(policy),
        unmask=unmask,
        limits=Limits.from_env(),
    )


def _day(value: dt.date | str | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise InputError(
            f"--as-of needs a date like 2026-11-28, not {value!r}.",
            f"--as-of 需要形如 2026-11-28 的日期，而不是 {value!r}。",
        ) from exc


# ---------------------------------------------------------------- enrolment


def _enrolment(
    command: str, ctx: Settings, raw: Any, source: Path, received: dt.date | None
) -> EnrolmentOutcome:
    outcome, intake = raw
    return EnrolmentOutcome(
        command=command,
        units=outcome.result.units,
        members=outcome.result.members,
        findings=outcome.findings,
        source=Path(source),
        input_sha256=outcome.input_sha256,
        as_of=ctx.as_of,
        register=ctx.db_path,
        policy=ctx.policy,
        received_default=received or ctx.as_of,
        lang=ctx.lang,
        unmask=ctx.unmask,
        run_id=outcome.run_id,
        contracts_added=outcome.contracts_added,
        spells_added=outcome.spells_added,
        clerk_rows=ClerkRows(intake.units_raw, intake.members_raw),
    )


def validate_enrollment(
    path: Path | str,
    members: Path | str | None = None,
    *,
    db: Path | str | None = None,
    as_of: dt.date | str | None = None,
    policy: PolicyArg = None,
    lang: str = "zh",
    unmask: bool = False,
    import_books: bool = False,
    received_default: dt.date | None = None,
    progress: Progress | None = None,
) -> EnrolmentOutcome:
    """Check each unit's roster (E1–E4); nothing is recorded, no register is created."""
    ctx = _settings(db, _day(as_of), policy, lang, unmask)
    raw = pipeline.validate_enrollment(
        ctx,
        Path(path),
        None if members is None else Path(members),
        progress,
        received_default=received_default,
        imported=import_books,
    )
    out = _enrolment("validate-enrollment", ctx, raw, Path(path), received_default)
    out.imported = import_books
    return out


def enroll(
    path: Path | str,
    members: Path | str | None = None,
    *,
    db: Path | str | None = None,
    as_of: dt.date | str | None = None,
    policy: PolicyArg = None,
    lang: str = "zh",
    unmask: bool = False,
    import_books: bool = False,
    received_default: dt.date | None = None,
    progress: Progress | None = None,
    before_commit: Callable[[EnrolmentOutcome, Commit], None] | None = None,
) -> EnrolmentOutcome:
    """Check, then record compliant units and their members in one transaction (E5, D5).

    import_books: `enroll --import` (D5). before_commit: called inside the transaction with
    the outcome (the batch writes its reports there and records the file).
    """
    ctx = _settings(db, _day(as_of), policy, lang, unmask)

    def hook(reg: Register, done: Any, intake: Any) -> None:
        if before_commit is not None:
            out = _enrolment("enroll", ctx, (done, intake), Path(path), received_default)
            out.imported = import_books
            before_commit(out, Commit(reg))

    raw = pipeline.enroll(
        ctx,
        Path(path),
        None if members is None else Path(members),
        progress,
        hook,
        received_default=received_default,
        imported=import_books,
    )
    out = _enrolment("enroll", ctx, raw, Path(path), received_default)
    out.imported = import_books
    _note_commit(out)  # L155
    return out


# ---------------------------------------------------------------- what was committed (L155)

# The runs enroll and adjudicate committed in this context (a CLI command, a batch run): a
# message about a later failure must name them instead of saying that nothing was recorded.
_COMMITTED: ContextVar[tuple[Any, ...]] = ContextVar("aidctl_committed", default=())


def committed_runs() -> list[Any]:
    """The outcomes of the runs committed so far in this context, oldest first (L155)."""
    return list(_COMMITTED.get())


def start_counting_commits() -> Token[tuple[Any, ...]]:
    """Forget earlier commits (a new command starts); pass the token to `stop_counting`."""
    return _COMMITTED.set(())


def stop_counting_commits(token: Token[tuple[Any, ...]]) -> None:
    _COMMITTED.reset(token)


def _note_commit(outcome: Any) -> None:
    if getattr(outcome, "run_id", None) is not None:
        _COMMITTED.set((*_COMMITTED.get(), outcome))


# ---------------------------------------------------------------- claims


def adjudicate(
    path: Path | str,
    *,
    db: Path | str | None = None,
    as_of: dt.date | str | None = None,
    policy: PolicyArg = None,
    lang: str = "zh",
    unmask: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
    before_commit: Callable[[AdjudicationOutcome, Commit], None] | None = None,
) -> AdjudicationOutcome:
    """Decide every claim; record approved and rejected decisions unless `dry_run`."""
    ctx = _settings(db, _day(as_of), policy, lang, unmask)

    def outcome_of(done: Any, texts: pl.DataFrame, raw: pl.DataFrame) -> AdjudicationOutcome:
        return AdjudicationOutcome(
            decisions=done.decisions,
            findings=done.findings,
            claim_texts=texts,
            source=Path(path),
            input_sha256=done.input_sha256,
            as_of=ctx.as_of,
            register=ctx.db_path,
            policy=ctx.policy,
            lang=ctx.lang,
            unmask=ctx.unmask,
            run_id=done.run_id,
            recorded=done.recorded,
            dry_run=dry_run,
            clerk_rows=raw,
            items=done.items,
        )

    def hook(reg: Register, done: Any, intake: Any) -> None:
        if before_commit is not None:
            before_commit(outcome_of(done, _texts_of(done, intake), intake.raw), Commit(reg))

    done, intake = pipeline.adjudicate(ctx, Path(path), dry_run, progress, hook)
    out = outcome_of(done, _texts_of(done, intake), intake.raw)
    _note_commit(out)  # L155: None run id when --dry-run
    return out


def _texts_of(done: Any, intake: Any) -> pl.DataFrame:
    """The claim texts the pipeline read, with the units' names from the register (L181)."""
    texts = getattr(done, "texts", None)
    return texts if texts is not None else pipeline.claim_texts(intake.claims)


# ---------------------------------------------------------------- the register


def renewals(
    due: str | None = None,
    *,
    db: Path | str | None = None,
    as_of: dt.date | str | None = None,
    policy: PolicyArg = None,
    all_lapsed: bool = False,
) -> RenewalsOutcome:
    """Units due, in grace or lapsed (A7.1, D5); the list is kept as a run so that
    `aidctl report RUN_ID` writes it again (pipeline.list_renewals).

    due: the window ahead; None = up to the next monthly run plus the grace period (L143).
    all_lapsed: every lapsed unit, not only those whose renew_by passed within the
    `lapsed_listed_days` parameter (L143)."""
    from aidctl.core.renewals import default_window

    ctx = _settings(db, _day(as_of), policy)
    window = due if due else default_window(ctx.as_of, ctx.policy)
    listed = pipeline.list_renewals(ctx, window, all_lapsed=all_lapsed)
    return RenewalsOutcome(
        due=listed.listed,
        as_of=ctx.as_of,
        window=window,
        register=ctx.db_path,
        run_id=listed.run_id,
    )


def explain(
    claim_id: str,
    *,
    db: Path | str | None = None,
    policy: PolicyArg = None,
    unmask: bool = False,
) -> ExplainOutcome:
    """Every decision recorded for a claim id, each with its steps and sentence."""
    ctx = _settings(db, None, policy)
    with Register.open_read_only(ctx.db_path) as reg:
        rows = reg.decisions_of_claim(claim_id)
        items = reg.items_of_claim(claim_id)  # a pending claim is an open item (L130)
        reopens = reg.reopens_of_claim(claim_id) if rows else []
    if not rows and not items:
        raise InputError(
            f"Claim {claim_id} is not in the register {ctx.db_path}.",
            f"登记库 {ctx.db_path} 中没有理赔编号 {claim_id}。",
        )
    return ExplainOutcome(
        claim_id=claim_id,
        rows=rows,
        policy=ctx.policy,
        unmask=unmask,
        items=items,
        reopens=reopens,
    )


def history(id_number: str, *, db: Path | str | None = None) -> HistoryOutcome:
    """A member's cover spells, claims and payments."""
    ctx = _settings(db, None, None)
    with Register.open_read_only(ctx.db_path) as reg:
        spells, decisions = reg.member_record(id_number.strip().upper())
    return HistoryOutcome(spells=spells, decisions=decisions)


def void(
    claim_id: str,
    reason: str,
    *,
    db: Path | str | None = None,
    as_of: dt.date | str | None = None,
) -> VoidOutcome:
    """Reverse a decided claim by appending a void (nothing is deleted or rewritten)."""
    ctx = _settings(db, _day(as_of), None)
    return VoidOutcome(voided=pipeline.void(ctx, claim_id, reason))


def payments(period: str, *, db: Path | str | None = None) -> PaymentsOutcome:
    """The month's payments and reversals for the finance office."""
    ctx = _settings(db, None, None)
    return PaymentsOutcome(
        period=period, payments=pipeline.payments(ctx, period), register=ctx.db_path
    )


def runs(
    *, db: Path | str | None = None, limit: int = 50, command: str | None = None
) -> RunsOutcome:
    """Past runs, latest first, their counts as dicts."""
    ctx = _settings(db, None, None)
    with Register.open_read_only(ctx.db_path) as reg:
        listed = reg.runs(limit, command=command)
    return RunsOutcome(runs=[{**r, "counts": json.loads(r["counts"] or "{}")} for r in listed])


def report(
    run_id: str,
    *,
    db: Path | str | None = None,
    policy: PolicyArg = None,
    lang: str = "zh",
    unmask: bool = False,
) -> RebuiltRun:
    """A past run's outcome rebuilt from what the register kept (its run and its frames);
    `write_report` then writes the same rows as the original report. An enrolment's
    annotated copy needs the clerk's own rows, which the register does not keep (L67)."""
    ctx = _settings(db, None, policy, lang, unmask)
    with Register.open_read_only(ctx.db_path) as reg:
        run = reg.run(run_id)
        frames = reg.run_frames(run_id) if run is not None else {}
    if run is None:
        raise InputError(
            f"Run {run_id} is not in the register {ctx.db_path}; `aidctl runs` lists the runs.",
            f"登记库 {ctx.db_path} 中没有运行 {run_id}；`aidctl runs` 列出所有运行。",
        )
    command, counts = run["command"], run.get("counts") or {}
    as_of = dt.date.fromisoformat(str(run["as_of"]))
    source = Path(run["input_file"] or "")
    rebuilt: EnrolmentOutcome | AdjudicationOutcome | RenewalsOutcome
    if command == "enroll" and {"units", "members", "findings"} <= frames.keys():
        received = counts.get("received_default")
        rebuilt = EnrolmentOutcome(
            command="enroll",
            units=frames["units"],
            members=frames["members"],
            findings=frames["findings"],
            source=source,
            input_sha256=run["input_sha256"] or "",
            as_of=as_of,
            register=ctx.db_path,
            policy=ctx.policy,
            received_default=dt.date.fromisoformat(received) if received else as_of,
            lang=lang,
            unmask=unmask,
            run_id=run_id,
            contracts_added=int(counts.get("contracts_added") or 0),
            spells_added=int(counts.get("spells_added") or 0),
            imported=bool(counts.get("imported")),
            run_record=run,
        )
    elif command == "adjudicate" and "decisions" in frames:
        decisions = frames["decisions"]
        texts = frames.get(RUN_FRAME_CLAIMS, pl.DataFrame(schema=pipeline.CLAIM_TEXT_SCHEMA))
        rebuilt = AdjudicationOutcome(
            decisions=decisions,
            findings=frames.get("findings", pl.DataFrame()),
            claim_texts=texts,
            source=source,
            input_sha256=run["input_sha256"] or "",
            as_of=as_of,
            register=ctx.db_path,
            policy=ctx.policy,
            lang=lang,
            unmask=unmask,
            run_id=run_id,
            run_record=run,
        )
    elif command == "renewals" and RUN_FRAME_RENEWALS in frames:
        rebuilt = RenewalsOutcome(
            due=frames[RUN_FRAME_RENEWALS],
            as_of=as_of,
            window=str(counts.get("due") or run["input_file"] or ""),
            register=ctx.db_path,
            run_id=run_id,
        )
    else:
        raise InputError(
            f"Run {run_id} ({command}) kept no report to write again; only enroll, adjudicate "
            "and renewals runs recorded by this version do.",
            f"运行 {run_id}（{command}）没有保存可重写的报告；只有本版本记录的参保登记、"
            "理赔审核和续保提醒运行可以重写。",
        )
    return RebuiltRun(run=run, outcome=rebuilt)


# ---------------------------------------------------------------- the batch


def batch_file(db: Path | str, sha256: str) -> dict[str, Any] | None:
    """The batch's record of a file already processed (by its SHA-256), counts parsed, or
    None."""
    with Register.open(as_location(db)) as reg:
        done = reg.batch_file(sha256)
    if done is None:
        return None
    counts = done.get("counts")
    return {**done, "counts": json.loads(counts) if isinstance(counts, str) else counts or {}}


def file_kind(path: Path, limits: Limits) -> str:
    """ "units" or "claims": what a workbook holds, read only after the size limits pass."""
    check_file(path, limits)
    return detect_kind(path)


def start_batch_run(db: Path | str, as_of: dt.date, inbox: Path) -> str:
    """Record that a batch run started (committed at once) and return its id: a run killed
    half-way stays a run whose committed files `batch status` shows (10.3)."""
    with Register.open(as_location(db)) as reg, reg.transaction():
        return reg.start_run("batch", as_of, str(inbox), None, None)


def finish_batch_run(db: Path | str, run_id: str, counts: dict[str, Any]) -> None:
    """Record the end of a batch run with its counts (a killed run never gets here)."""
    with Register.open(as_location(db)) as reg, reg.transaction():
        reg.finish_run(run_id, counts)


def batch_ledger(db: Path | str) -> pl.DataFrame:
    """Every file the batch committed with the money its run moved, from the register
    (10.3): one row per file — name, kind, period, outcome, its run, the batch run that
    committed it, its run's as-of day, approved, rejected, amount, voided, voided_amount.

    A file is one row whatever happened to it later (re-sent, re-added after the archive was
    rotated, killed run): its SHA-256 is the key, so it is counted once, in the period of
    the run that made its decisions.
    """
    with Register.open(as_location(db), create=False) as reg:
        files = reg.batch_files()
        money = reg.run_money()
    batch_run = (
        files["counts"].fill_null("{}").str.json_path_match("$.batch_run").alias("batch_run")
    )
    return (
        files.with_columns(batch_run)
        .join(money.drop("command"), on="run_id", how="left", maintain_order="left")
        .with_columns(
            pl.col("approved", "rejected", "amount", "voided", "voided_amount").fill_null(0)
        )
    )


def batch_money(db: Path | str, result: BatchOutcome) -> None:
    """Set each file's amount on a batch outcome from the register (10.3): the files this
    run committed carry what their runs approved; a file committed before (recovered,
    already processed) carries nothing here — its money belongs to the run that committed
    it."""
    ledger = batch_ledger(db).filter(pl.col("batch_run") == (result.run_id or ""))
    amounts = dict(zip(ledger["sha256"].to_list(), ledger["amount"].to_list(), strict=True))
    for f in result.files:
        if f.sha256 in amounts:
            f.counts["amount"] = int(amounts[f.sha256])
        else:
            f.counts.pop("amount", None)


def batch_run(
    config: Path | None = None,
    *,
    period: str | None = None,
    as_of: dt.date | str | None = None,
    lang: str | None = None,
    due: str | None = None,
    log: Callable[[str], None] | None = None,
    progress: Progress | None = None,
    all_lapsed: bool = False,
) -> BatchOutcome:
    """Process every new file of a workspace's inbox (see aidctl/batch/run.py).

    L140: the period is the as-of month — the month the decisions are dated in, the
    payments export's month and the outbox folder are one. `period`, when given, must be
    that month (one sentence, exit 2, otherwise: use --as-of).
    due: the renewals window (None: the next monthly run plus the grace period, L143).
    """
    # the batch is a front end of this layer: imported here, on use, to keep the layers
    # one-way at import time (tests/test_architecture.py names this one edge)
    from aidctl.batch.run import run_batch
    from aidctl.batch.workspace import find_config, load_workspace

    found = find_config(config)
    if found is None:
        raise InputError(
            "No workspace: run `aidctl init DIR` and use --config DIR/aidctl.toml, or run from DIR.",
            "没有工作区：请先运行 `aidctl init 目录`，再用 --config 目录/aidctl.toml 或在该目录中运行。",
        )
    ws = load_workspace(found)
    ctx = _settings(ws.register, _day(as_of), ws.policy, lang or ws.lang)
    month = f"{ctx.as_of:%Y-%m}"
    if period is not None and period != month:
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", period):
            raise InputError(
                f"--period needs a month like 2026-11, not {period!r}.",
                f"--period 需要形如 2026-11 的月份，而不是 {period!r}。",
            )
        raise InputError(
            f"--period {period} is not the as-of month {month}: a batch's period is the month "
            f"its decisions are dated in; run with --as-of {period}-DD instead.",
            f"--period {period} 不是业务日期所在月份 {month}：批处理的期间就是其决定所属的月份；"
            f"请改用 --as-of {period}-日。",
        )
    return run_batch(
        ws, ctx, month, log or (lambda _line: None), due, progress=progress, all_lapsed=all_lapsed
    )


def batch_status(*, db: Path | str | None = None, limit: int = 20) -> RunsOutcome:
    """Past batch runs with their counts; the money of each from the register (10.3).

    `amount` is what the files the run committed approved, `voided` how much of it was voided
    since; a run killed half-way (no finish recorded) still shows what it committed, with
    its files counted from the register (`finished_at` empty).
    """
    listed = runs(db=db, limit=limit, command="batch")
    ledger = batch_ledger(db if db is not None else default_register())
    per_run = ledger.group_by("batch_run").agg(
        pl.len().alias("files"),
        pl.col("amount").sum().alias("amount"),
        pl.col("voided_amount").sum().alias("voided"),
        (pl.col("outcome") == "done").sum().alias("done"),
        (pl.col("outcome") == "needs_action").sum().alias("needs_action"),
    )
    by_run = {r["batch_run"]: r for r in per_run.iter_rows(named=True)}
    for r in listed.runs:
        counts = r["counts"]
        money = by_run.get(r["run_id"])
        # a run of an older version recorded its amount itself (its files have no batch_run)
        counts["amount"] = int(money["amount"]) if money else int(counts.get("amount") or 0)
        counts["voided"] = int(money["voided"]) if money else 0
        if not r.get("finished_at") and money:  # killed: what it committed, from the register
            counts.update(
                files=int(money["files"]),
                done=int(money["done"]),
                needs_action=int(money["needs_action"]),
            )
    return listed


# ---------------------------------------------------------------- parameters and templates


def policy_show(on: dt.date | str | None = None, *, policy: PolicyArg = None) -> PolicyOutcome:
    """The parameter version in force on a day (A5.6, D9)."""
    loaded = _policy(policy)
    return PolicyOutcome(policy=loaded, version=loaded.at(_day(on) or dt.date.today()))


def policy_diseases(
    check: str | None = None,
    code: str | None = None,
    *,
    policy: PolicyArg = None,
    lang: str = "zh",
) -> DiseasesOutcome:
    """The listed diseases (A3.1), or how one diagnosis is read (D10, D1)."""
    from aidctl.core.diagnosis import read_diagnoses

    loaded = _policy(policy)
    cat = loaded.catalogue
    vocab = cat.vocabulary
    rules = {d.code: len(vocab.rules_for(d.code)) if vocab else 0 for d in cat.diseases}
    if check is None and code is None:
        return DiseasesOutcome(policy=loaded, rules=rules)
    frame = pl.DataFrame(
        {"disease": [check], "diagnosis_code": [code]},
        schema={"disease": pl.Utf8, "diagnosis_code": pl.Utf8},
    )
    r = read_diagnoses(frame, cat).row(0, named=True)
    hint = cat.missing_hint(r["dx_missing"], lang) if r["dx_missing"] else None
    return DiseasesOutcome(policy=loaded, rules=rules, reading={**r, "hint": hint})


def template(kind: str, out: Path | str, *, policy: PolicyArg = None) -> Path:
    """A blank workbook to hand out: kind "units" or "claims"."""
    from aidctl.reports.templates import write_claims_template, write_units_template

    if kind == "units":
        return write_units_template(Path(out))
    if kind == "claims":
        return write_claims_template(Path(out), _policy(policy).catalogue)
    raise InputError(
        f"No template {kind!r}: units or claims.", f"没有模板 {kind!r}：units 或 claims。"
    )


def register_backup(target: Path | str, *, db: Path | str | None = None) -> int:
    """A consistent copy of the register, safe while other commands run: SQLite pages copied,
    or the bytes of a PostgreSQL register's pg_dump file."""
    return Register.backup(as_location(db if db is not None else default_register()), Path(target))


def register_check(*, db: Path | str | None = None) -> list[str]:
    """Integrity and foreign-key problems of the register (empty: sound)."""
    return Register.check(as_location(db if db is not None else default_register()))
