"""What kind of workbook a file is, for the batch inbox: units or claims."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from aidctl.intake.claims import CLAIMS
from aidctl.intake.read import Book
from aidctl.intake.sheet import find_sheet
from aidctl.intake.units import MEMBERS, UNITS


def detect_kind(path: str | Path) -> Literal["units", "claims"]:
    """A workbook with a units or members sheet is a units workbook; anything else that can
    be opened is read as claims (whose reader then says what is missing)."""
    book = Book(path)
    names = book.sheet_names
    if find_sheet(names, CLAIMS.sheet_names) is not None:
        return "claims"
    if find_sheet(names, UNITS.sheet_names) or find_sheet(names, MEMBERS.sheet_names):
        return "units"
    return "claims"
