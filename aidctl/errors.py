"""Errors that stop a command before it can run (exit code 2).

Problems found *in data* are never exceptions: they are findings (`aidctl.core.findings`).
An `InputError` is for what makes a whole command impossible — a missing file, a sheet that
cannot be read, a required column absent, a bad option — and carries one sentence for the
user in both languages, so the CLI can print it without a traceback.
"""

from __future__ import annotations


class AidctlError(Exception):
    """A failure the user can act on; `zh` and `en` are complete sentences."""

    exit_code = 2

    def __init__(self, en: str, zh: str | None = None) -> None:
        super().__init__(en)
        self.en = en
        self.zh = zh or en

    def message(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


class InputError(AidctlError):
    """An input file (or option) that cannot be used at all."""


class PolicyError(AidctlError):
    """A parameter file that does not load or does not validate."""


class RegisterError(AidctlError):
    """A register file that cannot be opened safely."""
