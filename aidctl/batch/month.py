"""The month in the outbox (11.6): what each batch run writes into `outbox/PERIOD/`.

Every run writes the whole month again, from the register, so that the outbox always shows
the month as it stands (a second run in the month adds its files to the same figures):

- `payments-PERIOD.xlsx`     the finance office's export of the period (= `aidctl payments`);
- `renewals-YYYYMMDD.xlsx`   the renewals list (default window: the next run plus grace, L143);
- `open-items-PERIOD.xlsx`   the worklist: every pending claim still open, its age, unit,
  reason and what to fix;
- `month-PERIOD.xlsx`        the one-page month summary (L144);
- `statements/UNIT.xlsx`     for each unit with claims decided in the month, its members'
  decisions, to send to that unit.

The period is the as-of month (L140): the payments export, the summary and the batch agree.
The workbooks are assembled by `aidctl.api.month.write_month`.
"""

from __future__ import annotations

from collections.abc import Callable

from aidctl.api import BatchOutcome, Settings
from aidctl.api.month import write_month as _write_month
from aidctl.batch.names import shown_name

MONTH_FILES = ("payments-{period}.xlsx", "open-items-{period}.xlsx", "month-{period}.xlsx")


def statement_name(unit_code: str) -> str:
    """A unit's statement file: its code made safe as one file name."""
    return shown_name(unit_code).replace("/", "_").replace("\\", "_") + ".xlsx"


def write_month(
    ctx: Settings,
    result: BatchOutcome,
    window: str | None,
    all_lapsed: bool,
    log: Callable[[str], None],
) -> None:
    """Write the month's workbooks into result.outbox (see the module docstring)."""
    _write_month(ctx, result, window, all_lapsed, log, statement_name)
