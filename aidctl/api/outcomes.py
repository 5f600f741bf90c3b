"""What each command returns: its frames, its exit code and its JSON document.

An outcome is a value a notebook can read (`outcome.decisions` is a polars frame) and a
front end can show. `to_json()` is exactly the document `aidctl … --json` prints
(docs/formats.md): the CLI only serialises it, so the CLI and the service layer cannot
disagree about a key or its order.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import polars as pl

from aidctl.core.enrollment import COMPLIANT
from aidctl.plan.params import Policy, PolicyVersion
from aidctl.register import Location, shown
from aidctl.reports.adjudication import report_frame
from aidctl.reports.enrollment import issues_frame, sheet_of
from aidctl.reports.safe import mask_content, mask_id


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _path(path: Path | None) -> str | None:
    return None if path is None else str(path)


@dataclass
class ClerkRows:
    """The clerk's own rows as read, for the annotated copy (not kept in the register)."""

    units_raw: pl.DataFrame
    members_raw: pl.DataFrame


@dataclass
class EnrolmentOutcome:
    """`validate_enrollment` and `enroll`: units with their status, members, findings."""

    command: str  # "validate-enrollment" | "enroll"
    units: pl.DataFrame
    members: pl.DataFrame
    findings: pl.DataFrame
    source: Path
    input_sha256: str
    as_of: dt.date
    register: Location  # a register file, or a postgresql:// URL
    policy: Policy
    received_default: dt.date
    lang: str = "zh"
    unmask: bool = False
    run_id: str | None = None
    contracts_added: int = 0
    spells_added: int = 0
    imported: bool = False
    clerk_rows: ClerkRows | None = None  # None for a run rebuilt from the register
    run_record: dict[str, Any] | None = None  # the register's record, for a rebuilt run
    report: Path | None = None
    annotated: Path | None = None

    @property
    def exit_code(self) -> int:
        """0: every unit compliant; 1: some unit must act (formats.md)."""
        return 0 if (self.units["status"] == COMPLIANT).all() else 1

    @property
    def policy_versions(self) -> list[str]:
        return sorted(self.units["policy_version"].drop_nulls().unique().to_list())

    @property
    def member_issues(self) -> pl.DataFrame:
        """The findings on member rows, with their sentences (masked unless `unmask`)."""
        member_sheet = sheet_of(self.members, "参保职工")
        return issues_frame(
            self.findings.filter(pl.col("sheet") == member_sheet),
            self.lang,
            self.unmask,
            policy=self.policy,
            units=self.units,
            version=self.policy.at(self.as_of),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "units": [
                {
                    "unit_code": u["unit_code"],
                    "unit_name": u["unit_name"],
                    "status": u["status"],
                    "total_staff": u["total_staff"],
                    "eligible": u["eligible"],
                    "ratio": None if u["ratio"] is None else round(u["ratio"], 4),
                    "required_ratio": u["required_ratio"],
                    "shortfall": u["shortfall"],
                    "contribution_total": u["contribution_total"],
                    "unit_share": u["unit_share"],
                    "individual_share": u["individual_share"],
                    "reasons": u["reasons"],
                    "term_start": _iso(u["term_start"]),
                    "term_end": _iso(u["term_end"]),
                    "received_date": _iso(u["received_date"]),
                    "first_time": u["first_time"],
                    "imported": u["imported"],
                }
                for u in self.units.iter_rows(named=True)
            ],
            "member_issues": self.member_issues.select(
                "sheet", "row", "unit_code", "id_number", "code", "message"
            ).to_dicts(),
            "report": _path(self.report),
            "annotated": _path(self.annotated),
            "register": shown(self.register),
            "run_id": self.run_id,
        }


def totals(decisions: pl.DataFrame) -> dict[str, int]:
    """Counts by status and the amount paid (ALREADY_DECIDED pays nothing, L14)."""
    counts = {s: int((decisions["status"] == s).sum()) for s in ("approved", "rejected", "pending")}
    counts["amount"] = int(decisions["amount"].sum())
    return counts


@dataclass
class AdjudicationOutcome:
    """`adjudicate`: one decision per claim row (pending ones included)."""

    decisions: pl.DataFrame
    findings: pl.DataFrame
    claim_texts: pl.DataFrame  # _row, disease (as written), note: what the report adds
    source: Path
    input_sha256: str
    as_of: dt.date
    register: Location  # a register file, or a postgresql:// URL
    policy: Policy
    lang: str = "zh"
    unmask: bool = False
    run_id: str | None = None
    recorded: int = 0
    dry_run: bool = False
    report: Path | None = None
    run_record: dict[str, Any] | None = None  # the register's record, for a rebuilt run
    # the claims sheet as read, for the annotated copy (L137); None for a rebuilt run
    clerk_rows: pl.DataFrame | None = None
    annotated: Path | None = None
    items: dict[str, int] = field(default_factory=dict)  # open items opened/updated/closed

    @property
    def exit_code(self) -> int:
        """1 when some claim is pending (a person must act), else 0."""
        return 1 if (self.decisions["status"] == "pending").any() else 0

    @property
    def policy_versions(self) -> list[str]:
        return sorted(self.decisions["policy_version"].drop_nulls().unique().to_list())

    @property
    def totals(self) -> dict[str, int]:
        return totals(self.decisions)

    @cached_property
    def frame(self) -> pl.DataFrame:
        """The decisions as the report shows them: sentence, disease name, masked id."""
        return report_frame(
            self.decisions,
            self.claim_texts,
            self.policy.catalogue,
            self.lang,
            self.unmask,
            policy=self.policy,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "policy_version": ", ".join(self.policy_versions) or self.policy.latest.id,
            "claims": self.frame.select(
                "claim_id",
                "status",
                "amount",
                "reason_code",
                "clause",
                pl.col("reason").alias("message"),
            ).to_dicts(),
            "totals": self.totals,
            "report": _path(self.report),
            "register": shown(self.register),
            "annotated": _path(self.annotated),
            "open_items": self.items,
        }


@dataclass
class RenewalsOutcome:
    """`renewals`: contracts due, in grace or lapsed (A7.1, D5), with names and contacts."""

    due: pl.DataFrame
    as_of: dt.date
    window: str
    register: Location  # a register file, or a postgresql:// URL
    run_id: str | None = None
    report: Path | None = None

    @property
    def exit_code(self) -> int:
        return 0

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of,
            "due": self.due.select(
                "unit_code",
                "unit_name",
                "contract_no",
                "expiry_date",
                "status",
                "renew_by",
                "members",
                "contribution_due",
            ).to_dicts(),
            "report": _path(self.report),
            "run_id": self.run_id,
        }


@dataclass
class ExplainOutcome:
    """`explain`: every decision recorded for one claim id (voided ones included)."""

    claim_id: str
    rows: list[dict[str, Any]]
    policy: Policy
    unmask: bool = False
    exit_code: int = 0
    # the claim's open items, open or closed (L130), and the reopens of its decisions (L134)
    items: list[dict[str, Any]] = field(default_factory=list)
    reopens: list[dict[str, Any]] = field(default_factory=list)

    def _shown(self, r: dict[str, Any]) -> dict[str, Any]:
        """A row as shown: without --unmask the id is masked, in `content` too, and the
        diagnosis as written in `content` hidden (L156)."""
        if self.unmask:
            return dict(r)
        ident = r.get("id_number")
        shown = {**r, "id_number": ident if ident is None else mask_id(ident)}
        if "content" in r:
            shown["content"] = mask_content(r["content"])
        return shown

    def to_json(self) -> list[dict[str, Any]]:
        """The decisions (a reopened one with `reopen_reason`), then the claim's items,
        each marked `"record": "open_item"` with `"status": "pending"` while open."""
        reopened = {r["decision_id"]: r for r in self.reopens}
        decisions = [
            {
                **self._shown(r),
                **(
                    {"reopen_reason": reopened[r["decision_id"]]["reason"]}
                    if r["decision_id"] in reopened
                    else {}
                ),
            }
            for r in self.rows
        ]
        items = [
            {
                "record": "open_item",
                **self._shown(i),
                "status": "pending" if i["closed_run"] is None else "closed",
            }
            for i in self.items
        ]
        return decisions + items


@dataclass
class HistoryOutcome:
    """`history`: a member's cover spells and decisions."""

    spells: list[dict[str, Any]]
    decisions: list[dict[str, Any]]
    exit_code: int = 0

    @property
    def paid(self) -> int:
        return sum(d["amount"] for d in self.decisions if not d["void_reason"])

    def to_json(self) -> dict[str, Any]:
        return {"spells": self.spells, "decisions": self.decisions}


@dataclass
class VoidOutcome:
    """`void`: the decision reversed and the run that reversed it."""

    voided: dict[str, Any]
    exit_code: int = 0

    @property
    def void_run(self) -> str:
        return str(self.voided["void_run"])

    def to_json(self) -> dict[str, Any]:
        return self.voided


@dataclass
class PaymentsOutcome:
    """`payments`: the month's payments and reversals (one row per payment)."""

    period: str
    payments: pl.DataFrame
    register: Location  # a register file, or a postgresql:// URL
    report: Path | None = None
    exit_code: int = 0

    @property
    def amount(self) -> int:
        return int(self.payments["amount"].sum())

    def to_json(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "payments": self.payments.height,
            "amount": self.amount,
            "report": _path(self.report),
        }


@dataclass
class RunsOutcome:
    """`runs` / `batch status`: past runs, latest first, counts parsed."""

    runs: list[dict[str, Any]]
    exit_code: int = 0

    def to_json(self) -> list[dict[str, Any]]:
        return self.runs


@dataclass
class PolicyOutcome:
    """`policy show`: the parameter version in force on a day, and the listed diseases."""

    policy: Policy
    version: PolicyVersion
    exit_code: int = 0

    def related(self, code: str) -> dict[str, str]:
        return self.policy.catalogue.related(code)

    def to_json(self) -> dict[str, Any]:
        v = self.version
        return {
            "version": v.id,
            "effective_from": v.effective_from,
            "source": v.source,
            "file": self.policy.path,
            "values": v.values,
            "clauses": v.clauses,
            "disability": v.disability,
            "diseases": [
                {
                    "code": d.code,
                    "class": d.disease_class,
                    "zh": d.zh,
                    "en": d.en,
                    "related": self.related(d.code),
                }
                for d in self.policy.catalogue.diseases
            ],
        }


@dataclass
class DiseasesOutcome:
    """`policy diseases`: the list with its vocabulary sizes, or how one diagnosis is read."""

    policy: Policy
    rules: dict[str, int]
    reading: dict[str, Any] | None = None  # with --check/--code: read_diagnoses' row + hint
    exit_code: int = 0

    def related(self, code: str) -> dict[str, str]:
        return self.policy.catalogue.related(code)

    def to_json(self) -> Any:
        if self.reading is not None:
            return self.reading
        return [
            {
                "code": d.code,
                "class": d.disease_class,
                "zh": d.zh,
                "en": d.en,
                "rules": self.rules[d.code],
                "related": self.related(d.code),
            }
            for d in self.policy.catalogue.diseases
        ]


@dataclass
class RebuiltRun:
    """`report RUN_ID`: a past run's outcome rebuilt from the frames the register kept."""

    run: dict[str, Any]
    outcome: EnrolmentOutcome | AdjudicationOutcome | RenewalsOutcome
    written: list[Path] = field(default_factory=list)
    exit_code: int = 0

    @property
    def run_id(self) -> str:
        return str(self.run["run_id"])

    @property
    def command(self) -> str:
        return str(self.run["command"])

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "command": self.command,
            "as_of": self.run["as_of"],
            "reports": [str(p) for p in self.written],
        }


@dataclass
class BatchFile:
    """One inbox file's fate in a batch run."""

    name: str
    kind: str
    sha256: str
    outcome: str  # done | needs_action | already_processed | rejected
    message: str
    run_id: str | None = None
    counts: dict[str, Any] = field(default_factory=dict)


@dataclass
class BatchOutcome:
    """`batch run`: every file of the inbox and the reports written."""

    period: str
    files: list[BatchFile]
    outbox: Path
    run_id: str | None = None
    summary_path: Path | None = None
    renewals_path: Path | None = None
    # 11.6: the month in the outbox
    payments_path: Path | None = None
    worklist_path: Path | None = None
    month_path: Path | None = None
    statements: list[Path] = field(default_factory=list)
    month: dict[str, int] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        """L142 (11.5): 1 when the operator must act — a file moved to rejected/, a roster
        whose member rows were refused ("needs_action"); pending claims and non-compliant
        units alone are the clerks' ordinary work (the worklists), exit 0."""
        needs = {"needs_action", "rejected"}
        return 1 if any(f.outcome in needs for f in self.files) else 0

    @property
    def amount(self) -> int:
        return sum(int(f.counts.get("amount") or 0) for f in self.files)

    def to_json(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "run_id": self.run_id,
            "files": [
                {
                    "name": f.name,
                    "kind": f.kind,
                    "outcome": f.outcome,
                    "message": f.message,
                    "run_id": f.run_id,
                    "counts": f.counts,
                }
                for f in self.files
            ],
            "outbox": str(self.outbox),
            "summary": _path(self.summary_path),
            "renewals": _path(self.renewals_path),
            "payments": _path(self.payments_path),
            "worklist": _path(self.worklist_path),
            "month_summary": _path(self.month_path),
            "statements": [str(p) for p in self.statements],
            "month": self.month,
            "amount": self.amount,
            "operator_must_act": self.exit_code == 1,
            "exit_code": self.exit_code,
        }


# ---------------------------------------------------------------- open items (issue 11)


@dataclass
class PendingOutcome:
    """`pending`: the open items — claims still pending — oldest first (L130, L136)."""

    items: pl.DataFrame  # Register.open_items + age_days
    as_of: dt.date
    register: Location
    policy: Policy
    lang: str = "zh"
    unmask: bool = False
    unit: str | None = None
    older_than: str | None = None
    report: Path | None = None
    exit_code: int = 0

    @cached_property
    def frame(self) -> pl.DataFrame:
        """The items as the worklist shows them: what to fix in words, id masked."""
        from aidctl.reports.open_items import worklist_frame

        return worklist_frame(self.items, self.policy.catalogue, self.lang, self.unmask)

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "unit": self.unit,
            "older_than": self.older_than,
            "open": self.items.height,
            "items": [
                {
                    **r,
                    "event_date": _iso(r["event_date"]),
                    "opened_on": _iso(r["opened_on"]),
                    "last_on": _iso(r["last_on"]),
                }
                for r in self.frame.select(
                    "claim_id",
                    "unit_code",
                    "unit_name",
                    "name",
                    "id_number",
                    "claim_type",
                    "event_date",
                    "reason_code",
                    "clause",
                    "what_to_fix",
                    "opened_on",
                    "age_days",
                    "opened_run",
                    "last_on",
                    "last_run",
                    "times_seen",
                ).iter_rows(named=True)
            ],
            "report": _path(self.report),
            "register": shown(self.register),
        }


@dataclass
class WithdrawOutcome:
    """`withdraw`: the open item closed without a decision, and the run that closed it."""

    withdrawn: dict[str, Any]
    exit_code: int = 0

    @property
    def withdraw_run(self) -> str:
        return str(self.withdrawn["withdraw_run"])

    def to_json(self) -> dict[str, Any]:
        return self.withdrawn


@dataclass
class ReopenOutcome:
    """`reopen`: the rejection reopened (a void marked as a reopen) and its run."""

    reopened: dict[str, Any]
    exit_code: int = 0

    @property
    def reopen_run(self) -> str:
        return str(self.reopened["reopen_run"])

    def to_json(self) -> dict[str, Any]:
        return self.reopened
