"""Spreadsheets -> typed polars frames and a findings frame (docs/architecture.md).

The spreadsheet contract is docs/formats.md: headers in Chinese or English with
aliases, title rows above the header, blank rows skipped, Excel row numbers kept. Row-level
problems are findings (file, sheet, row, column); only a file that cannot be used at all
raises `aidctl.errors.InputError`.
"""

from aidctl.intake.claims import CLAIMS_SCHEMA, ClaimsIntake, read_claims
from aidctl.intake.units import MEMBERS_SCHEMA, UNITS_SCHEMA, UnitsIntake, read_units_workbook

__all__ = [
    "CLAIMS_SCHEMA",
    "MEMBERS_SCHEMA",
    "UNITS_SCHEMA",
    "ClaimsIntake",
    "UnitsIntake",
    "read_claims",
    "read_units_workbook",
]
