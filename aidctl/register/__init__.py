"""The register: schema, migrations and every query, behind the `Register` object.

Callers outside aidctl/register/ import from here only (tests/test_register_layering.py):
`Register` (open one with `Register.open(location)`), `default_location()`, and the frame
schemas a register hands out, for the empty frames of a run without a register.
"""

from aidctl.errors import RegisterError
from aidctl.register.frames import (
    CONTRACT_COLUMNS,
    HISTORY_COLUMNS,
    ITEM_COLUMNS,
    OPEN_ITEM_COLUMNS,
    PAYMENT_COLUMNS,
    SPELL_COLUMNS,
    empty,
)
from aidctl.register.register import Location, Register, as_location, default_location, shown

__all__ = [
    "CONTRACT_COLUMNS",
    "HISTORY_COLUMNS",
    "ITEM_COLUMNS",
    "OPEN_ITEM_COLUMNS",
    "PAYMENT_COLUMNS",
    "SPELL_COLUMNS",
    "Location",
    "Register",
    "RegisterError",
    "as_location",
    "default_location",
    "empty",
    "shown",
]
