"""Open items and reopens (issue 11): `pending`, `withdraw`, `reopen`.

A pending claim is a clerk's unfinished work, kept in the register as an open item until a
re-sent row decides it or the clerk withdraws it (L130–L133); a rejection a correction can
cure is reopened and decided afresh when its row is sent again (L134). Nothing here prints.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl

from aidctl import pipeline
from aidctl.api.commands import PolicyArg, _day, _settings
from aidctl.api.outcomes import PendingOutcome, ReopenOutcome, WithdrawOutcome
from aidctl.errors import InputError

_AGE = re.compile(r"(\d+)\s*([dwm]?)")
_DAYS_PER = {"": 1, "d": 1, "w": 7, "m": 30}


def age_days(text: str) -> int:
    """`--older-than` in days: 30d, 2w, 1m (a month counts 30 days), or a bare number of
    days (L136)."""
    found = _AGE.fullmatch(text.strip().lower())
    if found is None:
        raise InputError(
            f"--older-than needs an age such as 30d, 2w or 1m, not {text!r}.",
            f"--older-than 需要形如 30d、2w、1m 的天数，而不是 {text!r}。",
        )
    return int(found.group(1)) * _DAYS_PER[found.group(2)]


def pending(
    *,
    unit: str | None = None,
    older_than: str | None = None,
    db: Path | str | None = None,
    as_of: dt.date | str | None = None,
    policy: PolicyArg = None,
    lang: str = "zh",
    unmask: bool = False,
) -> PendingOutcome:
    """The open items, oldest first, with their age on `as_of` (L130). `unit`: one unit's;
    `older_than`: those open at least that long (L136: an item opened 30 days ago is older
    than 30d — the one from last month's run is on this month's list)."""
    ctx = _settings(db, _day(as_of), policy, lang, unmask)
    items = pipeline.open_items(ctx, unit.strip() if unit else None)
    if older_than is not None:
        items = items.filter(pl.col("age_days") >= age_days(older_than))
    return PendingOutcome(
        items=items,
        as_of=ctx.as_of,
        register=ctx.db_path,
        policy=ctx.policy,
        lang=ctx.lang,
        unmask=ctx.unmask,
        unit=unit,
        older_than=older_than,
    )


def withdraw(
    claim_id: str,
    reason: str,
    *,
    db: Path | str | None = None,
    as_of: dt.date | str | None = None,
) -> WithdrawOutcome:
    """Close a pending claim's open item without a decision, recorded with why (L133)."""
    ctx = _settings(db, _day(as_of), None)
    return WithdrawOutcome(withdrawn=pipeline.withdraw(ctx, claim_id.strip(), reason))


def reopen(
    claim_id: str,
    reason: str,
    *,
    db: Path | str | None = None,
    as_of: dt.date | str | None = None,
) -> ReopenOutcome:
    """Reopen a rejected claim so that its re-sent row is decided afresh (L134)."""
    ctx = _settings(db, _day(as_of), None)
    return ReopenOutcome(reopened=pipeline.reopen(ctx, claim_id.strip(), reason))
