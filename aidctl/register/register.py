"""The `Register` object: the one door to the register for every caller above it.

It owns the connection, the transactions and every query; the pipeline, the batch and the
service layer (`aidctl.api`) call its methods and never see a connection or a dialect.
The SQLite file is the embedded default; every dialect-specific line stays inside
`aidctl/register/` so that a second implementation (PostgreSQL) can stand beside it.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl

from aidctl.register import store
from aidctl.register.db import backup_register, check_register, open_register, transaction


class Register:
    """An open register. Use as a context manager, or call `close()`.

    Writes happen inside `with reg.transaction():` — everything inside lands together or
    not at all (one transaction per command, E5).
    """

    def __init__(self, conn: sqlite3.Connection, location: Path) -> None:
        self._conn = conn
        self.location = location

    # ------------------------------------------------------------ opening and closing

    @classmethod
    def open(cls, location: str | Path, *, create: bool = True) -> Register:
        """Open the register at `location`, creating it when `create` (else a missing
        register is one sentence, exit 2)."""
        path = Path(location)
        return cls(open_register(path, create=create), path)

    @classmethod
    def open_if_exists(cls, location: str | Path) -> Register | None:
        """The register for reading, or None when there is none yet (nothing is created)."""
        path = Path(location)
        if not path.exists():
            return None
        return cls.open(path, create=False)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Register:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Register]:
        """One write transaction: everything inside lands together or not at all."""
        with transaction(self._conn):
            yield self

    # ------------------------------------------------------------ runs

    def start_run(
        self,
        command: str,
        as_of: dt.date,
        input_file: str | None = None,
        input_sha256: str | None = None,
        policy_version: str | None = None,
    ) -> str:
        return store.start_run(self._conn, command, as_of, input_file, input_sha256, policy_version)

    def finish_run(self, run_id: str, counts: dict[str, Any]) -> None:
        store.finish_run(self._conn, run_id, counts)

    def runs(self, limit: int = 50, command: str | None = None) -> list[dict[str, Any]]:
        return store.runs(self._conn, limit, command)

    def run(self, run_id: str) -> dict[str, Any] | None:
        return store.run(self._conn, run_id)

    def save_run_frames(self, run_id: str, frames: dict[str, pl.DataFrame]) -> None:
        store.save_run_frames(self._conn, run_id, frames)

    def run_frames(self, run_id: str) -> dict[str, pl.DataFrame]:
        return store.run_frames(self._conn, run_id)

    # ------------------------------------------------------------ units, contracts, spells

    def contracts_of_units(self, unit_codes: Iterable[str]) -> pl.DataFrame:
        return store.contracts_of_units(self._conn, unit_codes)

    def all_contracts(self) -> pl.DataFrame:
        return store.all_contracts(self._conn)

    def units_info(self) -> pl.DataFrame:
        return store.units_info(self._conn)

    def spells_of_ids(self, id_numbers: Iterable[str]) -> pl.DataFrame:
        return store.spells_of_ids(self._conn, id_numbers)

    def record_enrollment(
        self, run_id: str, contracts: pl.DataFrame, spells: pl.DataFrame
    ) -> tuple[int, int]:
        return store.record_enrollment(self._conn, run_id, contracts, spells)

    # ------------------------------------------------------------ claims and decisions

    def history_of_ids(self, id_numbers: Iterable[str], claim_ids: Iterable[str]) -> pl.DataFrame:
        return store.history_of_ids(self._conn, id_numbers, claim_ids)

    def record_decisions(self, run_id: str, decisions: pl.DataFrame) -> int:
        return store.record_decisions(self._conn, run_id, decisions)

    def decisions_of_claim(self, claim_id: str) -> list[dict[str, Any]]:
        return store.decisions_of_claim(self._conn, claim_id)

    def member_record(self, id_number: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        return store.member_record(self._conn, id_number)

    def live_decision(self, claim_id: str) -> dict[str, Any] | None:
        return store.live_decision(self._conn, claim_id)

    def record_void(self, decision_id: int, run_id: str, reason: str) -> None:
        store.record_void(self._conn, decision_id, run_id, reason)

    def payments_in_period(self, period: str) -> pl.DataFrame:
        return store.payments_in_period(self._conn, period)

    # ------------------------------------------------------------ the monthly batch

    def batch_file(self, sha256: str) -> dict[str, Any] | None:
        return store.batch_file(self._conn, sha256)

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
        store.record_batch_file(self._conn, sha256, name, kind, period, run_id, outcome, counts)

    # ------------------------------------------------------------ maintenance

    @staticmethod
    def backup(source: str | Path, target: str | Path) -> int:
        """A consistent copy of the register at `source` (pages copied)."""
        return backup_register(Path(source), Path(target))

    @staticmethod
    def check(location: str | Path) -> list[str]:
        """Integrity and foreign-key problems; an empty list means all is well."""
        return check_register(Path(location))
