"""Renewal reminders: due, the 20-day grace and lapse (A7.1, D5), and `aidctl renewals`.

Why these tests: a unit that misses the renewal by more than 20 days becomes a first
enrolment again (A7.1, D5), with new waiting periods for every member. The boundaries
(30 days ahead, expiry day itself, 20 vs 21 days after expiry) and the figures the
association sends to the unit (members, contribution due) must be exact.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from backends import both_backends
from typer.testing import CliRunner, Result
from workbooks import member_rows, unit_row, write_units_workbook

from aidctl.cli import app
from aidctl.core.renewals import renewals, window_end
from aidctl.plan.params import load_policy

AS_OF = dt.date(2026, 11, 28)
POLICY = load_policy()


def contracts(*rows: tuple[str, str, dt.date, dt.date, int]) -> pl.DataFrame:
    """Contracts as the register yields them: (contract_no, unit, start, end, members)."""
    return pl.DataFrame(
        [
            {
                "contract_no": no,
                "unit_code": unit,
                "term_start": start,
                "term_end": end,
                "members": members,
            }
            for no, unit, start, end, members in rows
        ],
        schema={
            "contract_no": pl.Utf8,
            "unit_code": pl.Utf8,
            "term_start": pl.Date,
            "term_end": pl.Date,
            "members": pl.Int64,
        },
    )


def one_year_to(end: dt.date) -> dt.date:
    """The start of the D3 term that ends on `end` (start + 1 year − 1 day = end)."""
    nxt = end + dt.timedelta(days=1)
    return nxt.replace(year=nxt.year - 1)


def listed(frame: pl.DataFrame, until: dt.date | None = None) -> list[dict[str, Any]]:
    got = renewals(frame, POLICY, AS_OF, until or window_end(AS_OF, "30d") or AS_OF)
    return got.select("unit_code", "contract_no", "expiry_date", "status", "renew_by").to_dicts()


def expiring(unit: str, days_from_as_of: int, members: int = 3) -> pl.DataFrame:
    end = AS_OF + dt.timedelta(days=days_from_as_of)
    return contracts((f"C-{unit}", unit, one_year_to(end), end, members))


# --- window_end ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "text", "expected"),
    [
        (AS_OF, "30d", dt.date(2026, 12, 28)),
        (AS_OF, "0d", AS_OF),
        (AS_OF, "2w", dt.date(2026, 12, 12)),
        (AS_OF, " 30D ", dt.date(2026, 12, 28)),
        (AS_OF, "30天", dt.date(2026, 12, 28)),
        (AS_OF, "1m", dt.date(2026, 12, 28)),
        (dt.date(2026, 1, 31), "1m", dt.date(2026, 2, 28)),  # clamped to the month's end (D7)
        (dt.date(2028, 1, 31), "1m", dt.date(2028, 2, 29)),  # leap year
        (dt.date(2026, 1, 31), "3月", dt.date(2026, 4, 30)),
    ],
)
def test_window_end_reads_days_weeks_and_calendar_months(
    as_of: dt.date, text: str, expected: dt.date
) -> None:
    assert window_end(as_of, text) == expected


@pytest.mark.parametrize("text", ["xyz", "", "30", "d", "-5d", "1.5m", "1y", "30 days"])
def test_window_end_of_unreadable_text_is_none(text: str) -> None:
    assert window_end(AS_OF, text) is None


# --- renewals (A7.1, D5) ---------------------------------------------------------------


def test_a7_1_expiry_in_exactly_30_days_is_due_31_is_not() -> None:
    """L24: the window includes its last day: expiry in 30 days is due, 31 is not."""
    frame = pl.concat([expiring("U30", 30), expiring("U31", 31)])
    assert listed(frame) == [
        {
            "unit_code": "U30",
            "contract_no": "C-U30",
            "expiry_date": dt.date(2026, 12, 28),
            "status": "due",
            "renew_by": dt.date(2027, 1, 17),  # expiry + 20 days (D5)
        }
    ]


def test_a7_1_expiry_today_is_due() -> None:
    """L24: the window includes the as-of day."""
    assert listed(expiring("U0", 0)) == [
        {
            "unit_code": "U0",
            "contract_no": "C-U0",
            "expiry_date": AS_OF,
            "status": "due",
            "renew_by": dt.date(2026, 12, 18),
        }
    ]


def test_d5_expired_20_days_ago_is_in_grace_until_expiry_plus_20() -> None:
    """L24: grace up to expiry + 20 days, renew_by = expiry + 20."""
    assert listed(expiring("G20", -20)) == [
        {
            "unit_code": "G20",
            "contract_no": "C-G20",
            "expiry_date": dt.date(2026, 11, 8),
            "status": "grace",
            "renew_by": AS_OF,  # 2026-11-08 + 20 days: the last day to renew
        }
    ]


def test_d5_expired_1_day_ago_is_in_grace() -> None:
    assert listed(expiring("G1", -1))[0]["status"] == "grace"


def test_d5_expired_21_days_ago_has_lapsed() -> None:
    """L24: past the grace, lapsed."""
    assert listed(expiring("L21", -21)) == [
        {
            "unit_code": "L21",
            "contract_no": "C-L21",
            "expiry_date": dt.date(2026, 11, 7),
            "status": "lapsed",
            "renew_by": dt.date(2026, 11, 27),
        }
    ]


def test_a7_1_unit_with_a_following_contract_is_not_listed() -> None:
    """L24: only each unit's latest contract is looked at."""
    # The 2026 contract expires in the window, but the unit has already renewed: its
    # latest contract (2027) is far from expiry, so the unit is not listed at all.
    frame = contracts(
        ("C-2026", "R1", dt.date(2025, 12, 1), dt.date(2026, 11, 30), 4),
        ("C-2027", "R1", dt.date(2026, 12, 1), dt.date(2027, 11, 30), 4),
        # a unit that renewed after a lapse: only the later contract counts, and it is due
        ("C-OLD", "R2", dt.date(2024, 12, 1), dt.date(2025, 11, 30), 2),
        ("C-NEW", "R2", dt.date(2025, 12, 10), dt.date(2026, 12, 9), 2),
    )
    assert listed(frame) == [
        {
            "unit_code": "R2",
            "contract_no": "C-NEW",
            "expiry_date": dt.date(2026, 12, 9),
            "status": "due",
            "renew_by": dt.date(2026, 12, 29),
        }
    ]


def test_a4_1_members_and_contribution_due_is_members_times_100() -> None:
    frame = pl.concat([expiring("M7", 10, members=7), expiring("M0", -5, members=0)])
    got = renewals(frame, POLICY, AS_OF, dt.date(2026, 12, 28))
    assert got.select("unit_code", "status", "members", "contribution_due").to_dicts() == [
        {"unit_code": "M7", "status": "due", "members": 7, "contribution_due": 700},
        {"unit_code": "M0", "status": "grace", "members": 0, "contribution_due": 0},
    ]


def test_listing_order_is_due_then_grace_then_lapsed_by_expiry() -> None:
    frame = pl.concat(
        [
            expiring("L", -40),
            expiring("G", -3),
            expiring("D2", 20),
            expiring("D1", 2),
            expiring("X", 90),  # outside the window: not listed
        ]
    )
    assert [(r["unit_code"], r["status"]) for r in listed(frame)] == [
        ("D1", "due"),
        ("D2", "due"),
        ("G", "grace"),
        ("L", "lapsed"),
    ]


def test_no_contracts_lists_nothing() -> None:
    got = renewals(contracts(), POLICY, AS_OF, dt.date(2026, 12, 28))
    assert got.height == 0
    assert got.columns == [
        "unit_code",
        "contract_no",
        "term_start",
        "expiry_date",
        "status",
        "renew_by",
        "members",
        "contribution_due",
        "imported",  # D5: contracts taken over by enroll --import say so
    ]


# --- the command -----------------------------------------------------------------------


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    for var in ("AIDCTL_CONFIG", "AIDCTL_DB", "AIDCTL_POLICY", "AIDCTL_CRASH_AT"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AIDCTL_QUIET", "1")
    monkeypatch.chdir(tmp_path)
    return CliRunner()


def invoke(runner: CliRunner, db: Path, *args: str) -> Result:
    return runner.invoke(app, [*args, "--db", str(db)])


def enrolled_register(runner: CliRunner, tmp_path: Path, register: Any = None) -> Path:
    """Four compliant units with terms ending around 2026-11-28 (D3); in tmp, or in the
    PostgreSQL database `register` names."""
    db = tmp_path / "register.sqlite3" if register is None else register
    book = write_units_workbook(
        tmp_path / "units.xlsx",
        [
            unit_row("U001", 5, dt.date(2025, 12, 1), "甲公司"),  # ends 2026-11-30: due
            unit_row("U002", 3, dt.date(2025, 11, 15), "乙公司"),  # ends 2026-11-14: grace
            unit_row("U003", 2, dt.date(2025, 11, 1), "丙公司"),  # ends 2026-10-31: lapsed
            unit_row("U004", 2, dt.date(2026, 2, 1), "丁公司"),  # ends 2027-01-31: not yet
        ],
        member_rows("U001", 5, 0)
        + member_rows("U002", 3, 100)
        + member_rows("U003", 2, 200)
        + member_rows("U004", 2, 300),
    )
    res = invoke(runner, db, "enroll", str(book), "--as-of", "2025-11-01", "--json",
                 "--out", str(tmp_path / "enroll.xlsx"))  # fmt: skip
    assert res.exit_code == 0, res.output
    assert [u["status"] for u in json.loads(res.stdout)["units"]] == ["compliant"] * 4
    return db


@both_backends  # the renewals list reads the register's contracts: on PostgreSQL too
def test_cli_renewals_json_shape_per_formats_md(
    runner: CliRunner, tmp_path: Path, register_db: Any
) -> None:
    db = enrolled_register(runner, tmp_path, register_db)
    report = tmp_path / "renewals.xlsx"
    res = invoke(runner, db, "renewals", "--due", "30d", "--json", "--as-of", "2026-11-28",
                 "--out", str(report))  # fmt: skip
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["as_of"] == "2026-11-28"
    assert report.exists()
    due = doc["due"]
    assert [sorted(item) for item in due] == [
        sorted(
            [
                "unit_code",
                "unit_name",
                "contract_no",
                "expiry_date",
                "status",
                "renew_by",
                "members",
                "contribution_due",
            ]
        )
    ] * 3
    assert [{k: v for k, v in item.items() if k != "contract_no"} for item in due] == [
        {
            "unit_code": "U001",
            "unit_name": "甲公司",
            "expiry_date": "2026-11-30",
            "status": "due",
            "renew_by": "2026-12-20",
            "members": 5,
            "contribution_due": 500,
        },
        {
            "unit_code": "U002",
            "unit_name": "乙公司",
            "expiry_date": "2026-11-14",
            "status": "grace",
            "renew_by": "2026-12-04",
            "members": 3,
            "contribution_due": 300,
        },
        {
            "unit_code": "U003",
            "unit_name": "丙公司",
            "expiry_date": "2026-10-31",
            "status": "lapsed",
            "renew_by": "2026-11-20",
            "members": 2,
            "contribution_due": 200,
        },
    ]
    assert all(isinstance(item["contract_no"], str) and item["contract_no"] for item in due)


def test_cli_renewals_bad_window_exits_2_with_one_line(runner: CliRunner, tmp_path: Path) -> None:
    db = enrolled_register(runner, tmp_path)
    report = tmp_path / "renewals.xlsx"
    res = invoke(runner, db, "renewals", "--due", "xyz", "--json", "--as-of", "2026-11-28",
                 "--out", str(report), "--lang", "en")  # fmt: skip
    assert res.exit_code == 2
    assert res.stdout == ""
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "--due" in lines[0] and "'xyz'" in lines[0]
    assert not report.exists()


# --- dated parameters (D9) -------------------------------------------------------------


def policy_with_2026_12_version(tmp_path: Path) -> Path:
    """The shipped parameters plus a set in force from 2026-12-01: 120 yuan, 30 days' grace."""
    text = Path(POLICY.path).read_text(encoding="utf-8")
    start = text.index("\n[[version]]\n") + 1
    end = text.index("# The 27 listed diseases")
    block = (
        text[start:end]
        .replace('id = "2018-95"', 'id = "2026-12"')
        .replace("effective_from = 2018-06-27", "effective_from = 2026-12-01")
        .replace(
            "contribution_per_member = { value = 100", "contribution_per_member = { value = 120"
        )
        .replace("renewal_grace_days = { value = 20", "renewal_grace_days = { value = 30")
    )
    assert block.count("2026-12") == 2 and "value = 120" in block and "value = 30," in block
    path = tmp_path / "plan.toml"
    path.write_text(text[:end] + block + text[end:], encoding="utf-8")
    return path


def test_d9_grace_of_the_contracts_own_version_fee_of_the_next_terms(tmp_path: Path) -> None:
    policy = load_policy(policy_with_2026_12_version(tmp_path))
    assert [v.id for v in policy.versions] == ["2018-95", "2026-12"]
    frame = contracts(
        # under 2018-95; the next term starts 2026-12-01 under 2026-12
        ("C-A", "A", dt.date(2025, 12, 1), dt.date(2026, 11, 30), 4),
        # under 2018-95; the next term starts 2026-11-16, still under 2018-95
        ("C-B", "B", dt.date(2025, 11, 16), dt.date(2026, 11, 15), 4),
    )
    got = renewals(frame, policy, AS_OF, dt.date(2026, 12, 28))
    assert got.select("unit_code", "status", "renew_by", "contribution_due").to_dicts() == [
        {
            "unit_code": "A",
            "status": "due",
            "renew_by": dt.date(2026, 12, 20),
            "contribution_due": 480,
        },
        {
            "unit_code": "B",
            "status": "grace",
            "renew_by": dt.date(2026, 12, 5),
            "contribution_due": 400,
        },
    ]


# --- L143: the window reaches the next monthly run; lapsed units drop off after 90 days ---


def test_l143_default_window_reaches_the_next_monthly_run_plus_the_grace() -> None:
    from aidctl.core.renewals import default_window, default_window_end

    first = dt.date(2026, 12, 1)
    assert default_window_end(first, POLICY) == dt.date(2027, 1, 21)  # Jan 1 + 20 days
    assert default_window(first, POLICY) == "51d"
    until = default_window_end(first, POLICY)
    after = until + dt.timedelta(days=1)
    both = pl.concat(
        [
            contracts(("C-A", "A", one_year_to(until), until, 1)),  # the last day: due
            contracts(("C-B", "B", one_year_to(after), after, 1)),  # a day later: not yet
        ]
    )
    got = renewals(both, POLICY, first, until)
    assert got.select("unit_code", "status").rows() == [("A", "due")]


def test_l143_a_contract_expiring_on_the_5th_is_due_on_the_1st_with_its_renew_by() -> None:
    from aidctl.core.renewals import default_window_end

    run = dt.date(2026, 12, 1)
    end = dt.date(2027, 1, 5)
    frame = contracts(("C-X", "X", one_year_to(end), end, 4))
    got = renewals(frame, POLICY, run, default_window_end(run, POLICY)).to_dicts()
    assert [(r["status"], r["renew_by"]) for r in got] == [("due", dt.date(2027, 1, 25))]
    # the old 30-day window missed it on the 1st of December
    assert renewals(frame, POLICY, run, run + dt.timedelta(days=30)).height == 0
    # and the next run (the 1st of January) shows it still due, the one after in grace
    nxt = dt.date(2027, 1, 1)
    assert renewals(frame, POLICY, nxt, default_window_end(nxt, POLICY))["status"].to_list() == [
        "due"
    ]
    assert renewals(frame, POLICY, dt.date(2027, 1, 20), dt.date(2027, 2, 20))[
        "status"
    ].to_list() == ["grace"]


@pytest.mark.parametrize(("days_since_renew_by", "listed_"), [(90, True), (91, False)])
def test_l143_lapsed_units_are_listed_for_90_days_after_renew_by_then_only_with_all(
    days_since_renew_by: int, listed_: bool
) -> None:
    grace = int(POLICY.at(AS_OF).renewal_grace_days)
    end = AS_OF - dt.timedelta(days=days_since_renew_by + grace)
    frame = contracts(("C-L", "L", one_year_to(end), end, 2))
    until = window_end(AS_OF, "30d") or AS_OF
    assert renewals(frame, POLICY, AS_OF, until)["status"].to_list() == (
        ["lapsed"] if listed_ else []
    )
    assert renewals(frame, POLICY, AS_OF, until, all_lapsed=True)["status"].to_list() == ["lapsed"]


def test_l143_cli_renewals_all_lists_units_lapsed_long_ago(
    runner: CliRunner, tmp_path: Path
) -> None:
    db = enrolled_register(runner, tmp_path)
    later = "2027-03-01"  # U003's renew_by (2026-11-20) is 101 days before
    args = ["renewals", "--as-of", later, "--json", "--out", str(tmp_path / "r.xlsx")]
    short = json.loads(invoke(runner, db, *args).stdout)
    every = json.loads(invoke(runner, db, *args, "--all").stdout)
    assert "U003" not in {r["unit_code"] for r in short["due"]}
    assert "U003" in {r["unit_code"] for r in every["due"]}
