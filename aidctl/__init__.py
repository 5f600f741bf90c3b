"""aidctl — runs the Lianyungang employee mutual-aid plan from the clerks' spreadsheets."""

__version__ = "0.1.0"
