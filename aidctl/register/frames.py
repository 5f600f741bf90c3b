"""The frames the register hands out and takes in: column names and types, whatever the
database behind it.

These are the contract between the register and its callers (the pipeline, the core's
inputs): a `Register` implementation of any dialect returns frames of exactly these
schemas, dates as `pl.Date` and flags as `pl.Boolean`.
"""

from __future__ import annotations

from typing import Any

import polars as pl

CONTRACT_COLUMNS: dict[str, Any] = {
    "contract_no": pl.Utf8,
    "unit_code": pl.Utf8,
    "term_start": pl.Date,
    "term_end": pl.Date,
    "first_time": pl.Boolean,
    "policy_version": pl.Utf8,
    "total_staff": pl.Int64,
    "eligible": pl.Int64,
    "contribution_total": pl.Int64,
    "unit_share": pl.Int64,
    "individual_share": pl.Int64,
    "received_date": pl.Date,
    "imported": pl.Boolean,
}
SPELL_COLUMNS: dict[str, Any] = {
    "id_number": pl.Utf8,
    "name": pl.Utf8,
    "unit_code": pl.Utf8,
    "contract_no": pl.Utf8,
    "term_start": pl.Date,
    "term_end": pl.Date,
    "spell_start": pl.Date,
    "first_time": pl.Boolean,
    "policy_version": pl.Utf8,
}
HISTORY_COLUMNS: dict[str, Any] = {
    "decision_id": pl.Int64,
    "claim_id": pl.Utf8,
    "id_number": pl.Utf8,
    "claim_type": pl.Utf8,
    "disease_code": pl.Utf8,
    "disability_grade": pl.Int64,
    "event_date": pl.Date,
    "status": pl.Utf8,
    "reason_code": pl.Utf8,
    "amount": pl.Int64,
    "period": pl.Utf8,
    "contract_no": pl.Utf8,
    "term_start": pl.Date,
    "content": pl.Utf8,
    "disease_key": pl.Utf8,
    "voided": pl.Boolean,
}
UNIT_COLUMNS: dict[str, Any] = {
    "unit_code": pl.Utf8,
    "unit_name": pl.Utf8,
    "contact": pl.Utf8,
    "phone": pl.Utf8,
}
PAYMENT_COLUMNS: dict[str, Any] = {
    "kind": pl.Utf8,
    "claim_id": pl.Utf8,
    "run_id": pl.Utf8,
    "as_of": pl.Date,
    "id_number": pl.Utf8,
    "name": pl.Utf8,
    "unit_code": pl.Utf8,
    "unit_name": pl.Utf8,
    "claim_type": pl.Utf8,
    "reason_code": pl.Utf8,
    "amount": pl.Int64,
    "note": pl.Utf8,
}
# A pending claim as the register keeps it while it is an open item (L130): what
# `record_open_items` takes (ITEM_COLUMNS) and `open_items` hands out (OPEN_ITEM_COLUMNS).
ITEM_COLUMNS: dict[str, Any] = {
    "claim_id": pl.Utf8,
    "id_number": pl.Utf8,
    "name": pl.Utf8,
    "unit_code": pl.Utf8,
    "claim_type": pl.Utf8,
    "event_date": pl.Date,
    "disease_code": pl.Utf8,
    "disability_grade": pl.Int64,
    "reason_code": pl.Utf8,
    "clause": pl.Utf8,
    "detail": pl.Utf8,
}
OPEN_ITEM_COLUMNS: dict[str, Any] = {
    "item_id": pl.Int64,
    **ITEM_COLUMNS,
    "unit_name": pl.Utf8,
    "opened_on": pl.Date,
    "opened_run": pl.Utf8,
    "last_on": pl.Date,
    "last_run": pl.Utf8,
    "times_seen": pl.Int64,
}

# The columns of a decision the register keeps (the decisions frame must hold them).
DECISION_COLUMNS = (
    "claim_id",
    "status",
    "amount",
    "reason_code",
    "clause",
    "policy_version",
    "id_number",
    "name",
    "unit_code",
    "claim_type",
    "disease_code",
    "disability_grade",
    "event_date",
    "period",
    "contract_no",
    "term_start",
    "cover_day",
    "base_amount",
    "pct",
    "cap_room",
    "content",
    "detail",
)
# Kept when the decisions frame has it (the calculator's reading of the diagnosis, D10).
OPTIONAL_DECISION_COLUMNS = ("disease_key",)


def empty(schema: dict[str, Any]) -> pl.DataFrame:
    """A frame of no rows with the given schema (what a register with nothing in it gives)."""
    return pl.DataFrame(schema=schema)


# What each run decided and paid, and how much of it was voided since (10.3: money is
# counted from the register, per run, never from log lines).
RUN_MONEY_COLUMNS: dict[str, Any] = {
    "run_id": pl.Utf8,
    "command": pl.Utf8,
    "as_of": pl.Date,
    "approved": pl.Int64,
    "rejected": pl.Int64,
    "amount": pl.Int64,
    "voided": pl.Int64,
    "voided_amount": pl.Int64,
}

# The batch's record of every file it committed (counts as the JSON text stored).
BATCH_FILE_COLUMNS: dict[str, Any] = {
    "sha256": pl.Utf8,
    "name": pl.Utf8,
    "kind": pl.Utf8,
    "period": pl.Utf8,
    "run_id": pl.Utf8,
    "outcome": pl.Utf8,
    "counts": pl.Utf8,
    "processed_at": pl.Utf8,
}


# ---- the fund (issue 12, migration 6): the books `aidctl fund` and `simulate` read

# What a roster for a running contract added and billed (L110).
ADDITION_COLUMNS: dict[str, Any] = {
    "contract_no": pl.Utf8,
    "unit_code": pl.Utf8,
    "billed_on": pl.Date,
    "members": pl.Int64,
    "amount": pl.Int64,
}
# A contribution received, from the finance office's workbook (L111).
RECEIPT_COLUMNS: dict[str, Any] = {
    "reference": pl.Utf8,
    "unit_code": pl.Utf8,
    "amount": pl.Int64,
    "received_on": pl.Date,
}
# Contracts as the fund reads them (aidctl.core.fund.CONTRACTS_SCHEMA).
FUND_CONTRACT_COLUMNS: dict[str, Any] = {
    "contract_no": pl.Utf8,
    "unit_code": pl.Utf8,
    "term_start": pl.Date,
    "term_end": pl.Date,
    "first_time": pl.Boolean,
    "eligible": pl.Int64,
    "contribution_total": pl.Int64,
    "imported": pl.Boolean,
}
# A contract's billing: its first roster's amount, what additions added, the two together.
CONTRACT_TOTAL_COLUMNS: dict[str, Any] = {
    "contract_no": pl.Utf8,
    "unit_code": pl.Utf8,
    "contribution_total": pl.Int64,
    "added_members": pl.Int64,
    "added_amount": pl.Int64,
    "billed_total": pl.Int64,
}
# Cover spells as the fund reads them (aidctl.core.fund.SPELLS_SCHEMA).
FUND_SPELL_COLUMNS: dict[str, Any] = {
    "id_number": pl.Utf8,
    "contract_no": pl.Utf8,
    "unit_code": pl.Utf8,
    "spell_start": pl.Date,
    "term_end": pl.Date,
    "first_time": pl.Boolean,
}
# Every decision with the as-of day of its run (L25), the claim's stored facts (`content`)
# and whether it was voided: what the fund sums and `simulate` re-decides.
FUND_DECISION_COLUMNS: dict[str, Any] = {
    "decision_id": pl.Int64,
    "claim_id": pl.Utf8,
    "run_as_of": pl.Date,
    "status": pl.Utf8,
    "amount": pl.Int64,
    "reason_code": pl.Utf8,
    "claim_type": pl.Utf8,
    "disease_code": pl.Utf8,
    "unit_code": pl.Utf8,
    "event_date": pl.Date,
    "id_number": pl.Utf8,
    "content": pl.Utf8,
    "voided": pl.Boolean,
}
# Each void with the as-of day of its own run and the amount it reverses (L82).
FUND_VOID_COLUMNS: dict[str, Any] = {
    "decision_id": pl.Int64,
    "void_as_of": pl.Date,
    "amount": pl.Int64,
}
