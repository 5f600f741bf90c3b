"""The `Register`: the one door to the register for every caller above it.

`Register` states what a register does — open, transactions, one method per query — and
`Register.open(location)` picks the implementation that keeps registers at such a location.
A path means `SqliteRegister` (aidctl/register/sqlite.py), the embedded default: one file;
a `postgresql://` URL means `PostgresRegister` (aidctl/register/postgres.py), for several
clerks at once. Every dialect-specific line (PRAGMAs, `INSERT OR IGNORE`, temporary key
tables, SQLite's backup API, `integrity_check`, COPY, advisory locks, `pg_dump`) lives in
its implementation; both answer the same methods with the same frames
(aidctl/register/frames.py) and run the same numbered migrations. The pipeline, the batch
and the service layer call these methods and never see a connection.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import polars as pl

from aidctl.errors import RegisterError

ENV_VAR = "AIDCTL_DB"
Location = str | Path


def default_location() -> Path:
    """`$AIDCTL_DB`, else `$XDG_DATA_HOME/aidctl/register.sqlite3` (~/.local/share/…)."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "aidctl" / "register.sqlite3"


def as_location(value: Location) -> Location:
    """A register location as given: a database URL (``postgresql://…``) stays text, anything
    else is a file path, made absolute so that every report names the same file."""
    text = str(value)
    if "://" in text and not text.startswith("file://"):
        return text
    return Path(value).absolute()


def shown(location: Location) -> str:
    """A register location as messages and reports show it: a URL without its password."""
    text = str(location)
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", text) if "://" in text else text


LOCK_WAIT_ENV = "AIDCTL_LOCK_WAIT_SECONDS"
DEFAULT_LOCK_WAIT = 30.0


def lock_wait_seconds() -> float:
    """How long a command waits for another run's write lock before it says so (L152):
    `$AIDCTL_LOCK_WAIT_SECONDS`, 30 by default (both back ends)."""
    text = os.environ.get(LOCK_WAIT_ENV, "")
    try:
        value = float(text) if text.strip() else DEFAULT_LOCK_WAIT
    except ValueError:
        value = DEFAULT_LOCK_WAIT
    return max(value, 0.0)


def new_run_id() -> str:
    """A run id that sorts by time and stays unique within one second."""
    return dt.datetime.now().strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]


def _implementation(location: Location) -> type[Register]:
    """The class that keeps registers at `location`: a postgresql:// (or postgres://) URL is
    a PostgreSQL database (psycopg is imported only then), another scheme is refused,
    anything else is a file path (SQLite)."""
    text = str(location)
    if "://" in text and not text.startswith("file://"):
        scheme = text.split("://", 1)[0]
        if scheme in ("postgresql", "postgres"):
            from aidctl.register.postgres import PostgresRegister

            return PostgresRegister
        raise RegisterError(
            f"Register {text}: registers of kind {scheme!r} are not supported; "
            "give the path of a register file or a postgresql:// address.",
            f"登记库 {text}：不支持 {scheme!r} 类型的登记库，请给出登记库文件的路径或 "
            "postgresql:// 地址。",
        )
    from aidctl.register.sqlite import SqliteRegister

    return SqliteRegister


class Register(ABC):
    """An open register. Use as a context manager, or call `close()`.

    Writes happen inside `with reg.transaction():` — everything inside lands together or
    not at all (one transaction per command, E5). Frames come back in the schemas of
    aidctl/register/frames.py.
    """

    location: Location

    # ------------------------------------------------------------ opening and closing

    @classmethod
    def open(cls, location: Location, *, create: bool = True) -> Register:
        """Open the register at `location`, creating it when `create` (else a missing
        register is one sentence, exit 2); its schema is brought up to date."""
        return _implementation(location).connect(location, create=create)

    @classmethod
    def open_if_exists(cls, location: Location) -> Register | None:
        """The register for reading, or None when there is none yet (nothing is created,
        migrated or written: see `open_read_only`)."""
        impl = _implementation(location)
        if not impl.exists(location):
            return None
        return impl.connect(location, create=False, read_only=True)

    @classmethod
    def open_read_only(cls, location: Location) -> Register:
        """Open the register for a command that only reads (validate-enrollment, explain,
        history, payments, runs, report, batch status): it is never created, migrated or
        written (L151). A register of another schema version than this aidctl's is refused
        with one sentence naming both versions; a missing one is one sentence too."""
        return _implementation(location).connect(location, create=False, read_only=True)

    @classmethod
    @abstractmethod
    def connect(
        cls, location: Location, *, create: bool = True, read_only: bool = False
    ) -> Register:
        """Open a register of this implementation (see `Register.open`); `read_only`: see
        `open_read_only`."""

    @classmethod
    @abstractmethod
    def exists(cls, location: Location) -> bool:
        """Whether something is at `location` (a register, or a file to be refused)."""

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Register:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @abstractmethod
    def transaction(self) -> AbstractContextManager[Register]:
        """One write transaction: everything inside lands together or not at all."""

    @abstractmethod
    def lock_members(self, id_numbers: Iterable[str]) -> None:
        """Inside a write transaction, before the members' history is read: wait for any
        other run deciding one of these members and hold them until the transaction ends,
        so that two clerks never both decide on the same history (caps, "once") — issue 14."""

    # ------------------------------------------------------------ runs

    @abstractmethod
    def start_run(
        self,
        command: str,
        as_of: dt.date,
        input_file: str | None = None,
        input_sha256: str | None = None,
        policy_version: str | None = None,
        *,
        policy_versions: Sequence[str] | None = None,
        policy_file: str | None = None,
    ) -> str:
        """Record that a command ran (inside the caller's transaction) and return its id.

        policy_version: the latest parameter version loaded; policy_versions: the versions
        the run's rows were decided or checked under (a report shows them); policy_file:
        the parameter file they came from. The aidctl version is recorded with them.
        """

    @abstractmethod
    def finish_run(self, run_id: str, counts: dict[str, Any]) -> None: ...

    @abstractmethod
    def runs(self, limit: int = 50, command: str | None = None) -> list[dict[str, Any]]:
        """The latest runs first (in the order recorded), of one command if given; counts
        as the JSON text stored."""

    @abstractmethod
    def run(self, run_id: str) -> dict[str, Any] | None:
        """Everything a run's report shows as facts, or None: run_id, command, input_file,
        input_sha256, as_of, policy_version, policy_versions (list), policy_file,
        aidctl_version, started_at, finished_at, counts (dict). The register's location is
        the caller's; the language is the one the report is rebuilt in."""

    @abstractmethod
    def save_run_frames(self, run_id: str, frames: dict[str, pl.DataFrame]) -> None:
        """Keep the frames a run's report shows, so that `aidctl report RUN_ID` can write
        the same workbook again, pending rows included."""

    @abstractmethod
    def run_frames(self, run_id: str) -> dict[str, pl.DataFrame]:
        """The frames kept for a run (empty when the run kept none)."""

    # ------------------------------------------------------------ units, contracts, spells

    @abstractmethod
    def contracts_of_units(self, unit_codes: Iterable[str]) -> pl.DataFrame: ...

    @abstractmethod
    def all_contracts(self) -> pl.DataFrame:
        """Every contract, with its number of members."""

    @abstractmethod
    def units_info(self) -> pl.DataFrame: ...

    @abstractmethod
    def spells_of_ids(self, id_numbers: Iterable[str]) -> pl.DataFrame:
        """Every cover spell of these id numbers, in any unit."""

    @abstractmethod
    def record_enrollment(
        self, run_id: str, contracts: pl.DataFrame, spells: pl.DataFrame
    ) -> tuple[int, int]:
        """Insert units, contracts and spells; what is already there is left as it is (E5).
        Returns (contracts added, spells added)."""

    # ------------------------------------------------------------ claims and decisions

    @abstractmethod
    def history_of_ids(self, id_numbers: Iterable[str], claim_ids: Iterable[str]) -> pl.DataFrame:
        """Earlier decisions for these members or these claim ids, with their void flag."""

    @abstractmethod
    def record_decisions(self, run_id: str, decisions: pl.DataFrame) -> int:
        """Append approved and rejected decisions; a claim_id that already has a live
        (not voided) decision is refused by the register itself."""

    @abstractmethod
    def decisions_of_claim(self, claim_id: str) -> list[dict[str, Any]]: ...

    @abstractmethod
    def member_record(
        self, id_number: str
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]: ...

    @abstractmethod
    def live_decision(self, claim_id: str) -> dict[str, Any] | None:
        """The decision of a claim that has not been voided, if any."""

    @abstractmethod
    def record_void(self, decision_id: int, run_id: str, reason: str) -> None: ...

    @abstractmethod
    def payments_in_period(self, period: str) -> pl.DataFrame:
        """Payments decided in runs dated in `period` (YYYY-MM), and reversals voided in it
        (negative amounts)."""

    # ------------------------------------------------------------ open items and reopens

    @abstractmethod
    def open_items(
        self, unit_code: str | None = None, claim_ids: Iterable[str] | None = None
    ) -> pl.DataFrame:
        """The claims still pending — open items (L130) — oldest first, in
        OPEN_ITEM_COLUMNS (aidctl/register/frames.py): unit and unit name, claim, member,
        reason code and detail (what to fix is rendered from them), the day and run that
        opened the item and the last run that saw it. Only one unit's when `unit_code` is
        given, only these claims' when `claim_ids` is given."""

    @abstractmethod
    def record_open_items(
        self, run_id: str, as_of: dt.date, pending: pl.DataFrame
    ) -> tuple[int, int]:
        """Inside the adjudication's transaction: open an item for each pending claim of
        `pending` (ITEM_COLUMNS, one row per claim_id) that has none open, and update the
        open one of the others — a re-sent row still pending is the same item (L131).
        Returns (opened, updated)."""

    @abstractmethod
    def close_items(
        self,
        claim_ids: Iterable[str],
        run_id: str,
        as_of: dt.date,
        how: str,
        reason: str | None = None,
    ) -> int:
        """Close the open items of these claims: `how` is "decided" (the run that decided
        the claim, L132) or "withdrawn" (`aidctl withdraw`, with its reason, L133). The
        item is kept, closed; returns how many were closed."""

    @abstractmethod
    def items_of_claim(self, claim_id: str) -> list[dict[str, Any]]:
        """Every item a claim has had, open or closed, oldest first (for `explain`)."""

    @abstractmethod
    def record_reopen(self, decision_id: int, run_id: str, reason: str) -> None:
        """Reopen a rejection (L134): a void of the decision, marked as a reopen, so that
        "one live decision per claim" (L60) holds as for any void and a re-sent row is
        decided afresh."""

    @abstractmethod
    def reopens_of_claim(self, claim_id: str) -> list[dict[str, Any]]:
        """The reopens of a claim's decisions: decision_id, run_id, reason, reopened_at."""

    # ------------------------------------------------------------ the monthly batch

    @abstractmethod
    def batch_file(self, sha256: str) -> dict[str, Any] | None: ...

    @abstractmethod
    def record_batch_file(
        self,
        sha256: str,
        name: str,
        kind: str,
        period: str,
        run_id: str | None,
        outcome: str,
        counts: dict[str, Any],
    ) -> None: ...

    @abstractmethod
    def batch_files(self) -> pl.DataFrame:
        """Every file the batch committed, in the order processed (BATCH_FILE_COLUMNS)."""

    @abstractmethod
    def run_money(self) -> pl.DataFrame:
        """Per run that recorded decisions: approved and rejected counts, the amount
        approved, and how many of them (and how much) were voided since (RUN_MONEY_COLUMNS).
        The batch's summaries and `batch status` count money with this (10.3)."""

    # ------------------------------------------------------------ the fund (issue 12)

    @abstractmethod
    def record_additions(self, run_id: str, additions: pl.DataFrame) -> int:
        """Append what rosters for running contracts added and billed (ADDITION_COLUMNS,
        L110), inside the caller's transaction. Returns the rows added."""

    @abstractmethod
    def record_receipts(self, run_id: str, receipts: pl.DataFrame) -> int:
        """Append contributions received (RECEIPT_COLUMNS, L111); a reference already
        recorded is refused by the register itself (the caller checks first)."""

    @abstractmethod
    def receipts(self) -> pl.DataFrame:
        """Every contribution received (RECEIPT_COLUMNS)."""

    @abstractmethod
    def additions(self) -> pl.DataFrame:
        """Every addition billed (ADDITION_COLUMNS)."""

    @abstractmethod
    def contract_totals(self) -> pl.DataFrame:
        """Per contract: its first roster's contribution, what additions added, and the two
        together (CONTRACT_TOTAL_COLUMNS, L110: the contract's total follows its additions)."""

    @abstractmethod
    def fund_contracts(self) -> pl.DataFrame:
        """Every contract as the fund reads it (FUND_CONTRACT_COLUMNS)."""

    @abstractmethod
    def fund_spells(self, start: dt.date | None = None, end: dt.date | None = None) -> pl.DataFrame:
        """The cover spells as the fund reads them (FUND_SPELL_COLUMNS): every one, or those
        with a day in [start, end] when both are given (the only ones a window's figures
        count: members on its last day, member-days)."""

    @abstractmethod
    def fund_decisions(
        self, since: dt.date | None = None, *, content: bool = False
    ) -> pl.DataFrame:
        """Every decision with its run's as-of day and void flag (FUND_DECISION_COLUMNS), of
        runs as of `since` or later when given; the claim's stored facts (`content`) only
        when asked for (`simulate` reads them; the fund's sums do not)."""

    @abstractmethod
    def fund_voids(self) -> pl.DataFrame:
        """Every void with its own run's as-of day and the amount reversed (L82)."""

    # ------------------------------------------------------------ maintenance

    @staticmethod
    def backup(source: Location, target: Location) -> int:
        """A consistent copy of the register at `source`: SQLite pages copied, or the bytes
        pg_dump wrote for a PostgreSQL register (L100)."""
        return _implementation(source).backup_to(source, target)

    @staticmethod
    def check(location: Location) -> list[str]:
        """Integrity and foreign-key problems; an empty list means all is well."""
        return _implementation(location).check_at(location)

    @classmethod
    @abstractmethod
    def backup_to(cls, source: Location, target: Location) -> int: ...

    @classmethod
    @abstractmethod
    def check_at(cls, location: Location) -> list[str]: ...
