"""A year of monthly batches, as cron runs them on the 1st (issue 11, "Done when").

Why this test: each piece of the month (order of files, exit codes, money from the
register, worklist, renewals) is tested on its own elsewhere; this drives them together
through twelve runs of a small association — 20 units, 200 members, a few claims a month,
renewals sent or forgotten, a pending claim re-sent, a void, a garbage file, a roster with
a refused member row and a claims file named before its roster — and checks what an
operator and the finance office rely on:

- a claims file named before its roster is decided after it (L140);
- exit 0 for a routine month, 1 when the operator must act, 2 when it cannot run (L142);
- the sum of the monthly payments exports equals approved minus voids (L145, 10.3);
- every pending claim is on the worklist until it is decided (11.6; SEAM(items): with the
  items branch, `aidctl pending` too);
- each renewal shows as due or in grace at least once before it lapses (L143).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from test_batch import config, query
from typer.testing import CliRunner, Result
from workbooks import (
    disability_claim,
    illness_claim,
    member_rows,
    unit_row,
    write_claims_workbook,
    write_units_workbook,
)

from aidctl.batch.workspace import init_workspace
from aidctl.cli import app

UNITS = 20
MEMBERS = 10  # per unit: small units, every member enrolled (A1.4)
RENEWING = {u for u in range(UNITS) if u % 3 != 0}  # every third unit forgets to renew


pytestmark = pytest.mark.usefixtures("clerk_env")  # tests/conftest.py


def code(u: int) -> str:
    return f"Y{u:02d}"


def effective(u: int) -> dt.date:
    """Unit u's first term: from the 5th of a month of 2025, so that terms end on the 4th
    of every month of 2026 (D3) — between two runs on the 1st."""
    return dt.date(2025, u % 12 + 1, 5)


def term_end(u: int) -> dt.date:
    start = effective(u)
    return dt.date(start.year + 1, start.month, 4)


def members_of(u: int) -> list[dict[str, Any]]:
    return member_rows(code(u), MEMBERS, MEMBERS * u)  # ids 0..199 (make_id: 0–999)


def run(ws: Path, day: dt.date, *extra: str) -> Result:
    args = ["batch", "run", "--config", str(config(ws)), "--as-of", day.isoformat()]
    return CliRunner().invoke(app, [*args, "--lang", "en", "--json", *extra])


def pending_claims(ws: Path, day: dt.date) -> set[str] | None:
    """`aidctl pending --json` (the items branch), or None where this build has no such
    command (SEAM(items): the worklist is then the only place pending claims show)."""
    db = str(ws / "register.sqlite3")
    res = CliRunner().invoke(app, ["pending", "--db", db, "--as-of", day.isoformat(), "--json"])
    if res.exit_code == 2 and "No such command" in res.output:
        return None
    assert res.exit_code == 0, res.output
    return {item["claim_id"] for item in json.loads(res.stdout)["items"]}


def sheet_rows(path: Path, sheet: str) -> list[dict[str, Any]]:
    rows = list(openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]] if rows else []


def test_a_year_of_monthly_batches(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    init_workspace(ws)
    inbox = ws / "inbox"
    write_units_workbook(
        inbox / "units-2025.xlsx",
        [unit_row(code(u), MEMBERS, effective(u)) for u in range(UNITS)],
        [m for u in range(UNITS) for m in members_of(u)],
    )
    exits: dict[int, int] = {}
    shown: dict[str, set[str]] = {}  # unit -> statuses it was listed with
    pending_seen: dict[str, list[int]] = {}
    claim_no = 0
    for month in range(1, 13):
        day = dt.date(2026, month, 1)
        event = day - dt.timedelta(days=20)
        # renewals: the units that renew send their roster in the run before the term ends
        renew = [u for u in RENEWING if term_end(u).year == 2026 and term_end(u).month == month]
        if renew:
            write_units_workbook(
                inbox / f"units-renew-{month:02d}.xlsx",
                [
                    unit_row(
                        code(u), MEMBERS, term_end(u) + dt.timedelta(days=1), received_date=day
                    )
                    for u in renew
                ],
                [m for u in renew for m in members_of(u)],
            )
        claims: list[dict[str, Any]] = []
        for k in range(6):  # six claims a month, on members of units spread over the year
            claim_no += 1
            u = (month * 7 + k * 3) % UNITS
            claims.append(illness_claim(f"C{claim_no:04d}", MEMBERS * u + k, "C2-04", event))
        if month == 2:  # treatment not ended: pending until re-sent in month 4
            claims.append(disability_claim("P-1", 11, 5, event, None))  # type: ignore[arg-type]
        if month == 4:
            claims.append(disability_claim("P-1", 11, 5, dt.date(2026, 1, 12), event))
        write_claims_workbook(inbox / f"claims-{month:02d}.xlsx", claims)
        if month == 3:
            (inbox / "notes.xlsx").write_bytes(b"not a workbook")  # -> rejected/, exit 1
        if month == 5:  # a new unit with one unreadable id: enrolled, one person left out
            rows = member_rows("Y90", 39, 500)
            rows.append({**member_rows("Y90", 1, 539)[0], "id_number": "3207021980"})
            write_units_workbook(
                inbox / "units-new-05.xlsx", [unit_row("Y90", 40, day, received_date=day)], rows
            )
        if month == 6:  # the claims file named first; its member's roster in the same inbox
            write_units_workbook(
                inbox / "zz-units-06.xlsx",
                [unit_row("Y91", 3, dt.date(2026, 5, 1), received_date=dt.date(2026, 5, 1))],
                member_rows("Y91", 3, 600),
            )
            write_claims_workbook(
                inbox / "00-claims-06.xlsx",
                [illness_claim("N-1", 600, "C2-04", dt.date(2026, 5, 20))],
            )
        res = run(ws, day)
        assert res.exit_code in (0, 1), res.output
        doc = json.loads(res.stdout)
        exits[month] = res.exit_code
        assert doc["exit_code"] == res.exit_code
        folder = ws / "outbox" / f"2026-{month:02d}"
        for r in sheet_rows(Path(doc["renewals"]), "Renewals"):
            shown.setdefault(r["Unit code"], set()).add(r["Status"])
        on_worklist = {
            r["Claim id"]
            for r in sheet_rows(folder / f"open-items-2026-{month:02d}.xlsx", "Open items")
        }
        for claim in on_worklist:
            pending_seen.setdefault(claim, []).append(month)
        listed_pending = pending_claims(ws, day)
        if listed_pending is not None:  # every pending claim is in `aidctl pending` too
            assert listed_pending == on_worklist, month
        assert (folder / f"month-2026-{month:02d}.xlsx").exists()
        assert doc["month"]["net_paid"] == doc["month"]["paid"] + doc["month"]["reversed"]
        if month == 4:  # a clerk voids a payment in April, after the run
            db = str(ws / "register.sqlite3")
            paid = query(ws, "SELECT claim_id FROM decisions WHERE amount > 0 LIMIT 1")[0][0]
            voided = CliRunner().invoke(
                app, ["void", paid, "--reason", "重复", "--db", db, "--as-of", "2026-04-15"]
            )
            assert voided.exit_code == 0, voided.output

    # exit codes: 1 for the garbage file and the refused member row, else 0 (pending claims
    # and lapsed units are ordinary work); 2 when it cannot run
    assert {m for m, code_ in exits.items() if code_ == 1} == {3, 5}, exits
    assert run(ws, dt.date(2026, 12, 1), "--period", "2026-11").exit_code == 2

    # L140: the claim of the roster that came with it found cover
    assert query(ws, "SELECT status, reason_code FROM decisions WHERE claim_id = 'N-1'") == [
        ("approved", "CONSOLATION")  # A5.2b: in its exemption period, but covered
    ]
    assert query(ws, "SELECT name FROM batch_files WHERE name LIKE '%-06.xlsx' ORDER BY rowid") == [
        ("units-renew-06.xlsx",),
        ("zz-units-06.xlsx",),
        ("00-claims-06.xlsx",),
        ("claims-06.xlsx",),
    ]

    # the sum of the final monthly payments exports = approved minus voids (10.3, L145)
    exported = 0
    for month in range(1, 13):
        path = ws / "outbox" / f"2026-{month:02d}" / f"payments-2026-{month:02d}.xlsx"
        exported += sum(int(r["Amount"] or 0) for r in sheet_rows(path, "Payments"))
    approved = query(ws, "SELECT sum(amount) FROM decisions WHERE status = 'approved'")[0][0]
    voided_sum = query(
        ws, "SELECT sum(d.amount) FROM voids v JOIN decisions d USING (decision_id)"
    )[0][0]
    assert voided_sum > 0 and exported == approved - voided_sum

    # the pending claim was on the worklist every month until it was decided
    assert pending_seen.get("P-1") == [2, 3]
    assert query(ws, "SELECT status FROM decisions WHERE claim_id = 'P-1'") == [("approved",)]

    # L143: every unit that did not renew was shown due or in grace before it lapsed
    forgot = [
        code(u) for u in range(UNITS) if u not in RENEWING and term_end(u) < dt.date(2026, 12, 1)
    ]
    assert forgot
    for unit in forgot:
        assert shown[unit] & {"due", "in grace"}, (unit, shown.get(unit))
