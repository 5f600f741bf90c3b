"""Additions bill what they add (issue 11 item 8, A4.1, E4, L110).

Why these tests: a roster re-sent for a running contract (L52: the same contract again) used
to be billed as the whole contract again in the enrolment report, while the register kept
the first roster's figure. A clerk expects the unit to be billed for the members it adds —
a full year each by default ("每人每年100元"), or the months of cover left when a version of
the parameter file says `remaining_months` — and the register's contract total to follow.
"""

from __future__ import annotations

import copy
import datetime as dt
import tomllib

import polars as pl
import pytest
from builders import make_id, members_frame, unit_with_members, units_frame

from aidctl.core.enrollment import EXISTING_SPELLS_SCHEMA, check_enrollment
from aidctl.errors import PolicyError
from aidctl.plan.params import Policy, default_policy_path, parse_policy
from aidctl.register import CONTRACT_COLUMNS

AS_OF = dt.date(2026, 11, 28)
START = dt.date(2026, 1, 1)
END = dt.date(2026, 12, 31)


def policy(addition_billing: str | None) -> Policy:
    """plan.toml with `addition_billing` set (or left out, None)."""
    with default_policy_path().open("rb") as fh:
        raw = copy.deepcopy(tomllib.load(fh))
    for version in raw["version"]:
        if addition_billing is None:
            version["enrolment"].pop("addition_billing", None)
        else:
            version["enrolment"]["addition_billing"]["value"] = addition_billing
    return parse_policy(raw, "<test>")


def running() -> pl.DataFrame:
    """The contract in the register: U1, 2026-01-01 … 2026-12-31."""
    return pl.DataFrame(
        [
            {
                "contract_no": "C1",
                "unit_code": "U1",
                "term_start": START,
                "term_end": END,
                "first_time": True,
                "eligible": 3,
                "contribution_total": 300,
                "received_date": START,
                "imported": False,
            }
        ],
        schema=CONTRACT_COLUMNS,
    )


def recorded(ids: list[str]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "id_number": i,
                "unit_code": "U1",
                "contract_no": "C1",
                "spell_start": START,
                "term_end": END,
            }
            for i in ids
        ],
        schema=EXISTING_SPELLS_SCHEMA,
    )


def roster(members: int, received: dt.date, billing: str | None = "full_year"):
    """U1's roster of `members` (the first three already recorded in C1), received on
    `received`, checked against the register."""
    u, m = unit_with_members("U1", members, members, effective=START, received_date=received)
    ids = [row["id_number"] for row in m]
    return check_enrollment(
        units_frame([u]),
        members_frame(m),
        running(),
        recorded(ids[:3]),
        policy(billing),
        AS_OF,
        "units.xlsx",
    )


def test_a_roster_for_a_running_contract_bills_only_the_added_members_l110():
    """L110 (A4.1, E4): three recorded + two added, full year → 2 × 100 = 200, not 500; the
    addition is billed on the roster's received day, under the running contract's number."""
    received = dt.date(2026, 7, 15)
    result = roster(5, received)
    u = result.units.row(0, named=True)
    assert u["status"] == "compliant"
    assert u["added_members"] == 2
    assert u["contribution_total"] == 200
    assert u["individual_share"] + u["unit_share"] == 200
    assert result.additions.to_dicts() == [
        {
            "contract_no": "C1",
            "unit_code": "U1",
            "billed_on": received,
            "members": 2,
            "amount": 200,
        }
    ]


def test_the_same_roster_again_adds_and_bills_nothing_l110():
    """L110, E5: the roster of the recorded members only, sent again, bills 0 and records
    no addition."""
    result = roster(3, dt.date(2026, 7, 15))
    assert result.units.row(0, named=True)["contribution_total"] == 0
    assert result.units.row(0, named=True)["added_members"] == 0
    assert result.additions.is_empty()


def test_a_first_roster_still_bills_every_eligible_member_e4_l110():
    """E4: a roster for a contract the register does not hold bills eligible × 100;
    `added_members` is empty (it is not an addition, L110)."""
    u, m = unit_with_members("U2", 4, 4, effective=START)
    result = check_enrollment(
        units_frame([u]),
        members_frame(m),
        pl.DataFrame(schema=CONTRACT_COLUMNS),
        pl.DataFrame(schema=EXISTING_SPELLS_SCHEMA),
        policy("full_year"),
        AS_OF,
        "units.xlsx",
    )
    row = result.units.row(0, named=True)
    assert row["contribution_total"] == 400
    assert row["added_members"] is None
    assert result.additions.is_empty()


@pytest.mark.parametrize(
    ("received", "months"),
    [
        (dt.date(2026, 6, 30), 7),  # 6 months and a day: a month begun counts whole
        (dt.date(2026, 7, 1), 6),  # exactly six months left
        (dt.date(2026, 7, 2), 6),
        (dt.date(2026, 12, 31), 1),  # the last day: one month begun
    ],
)
def test_remaining_months_bills_the_months_of_cover_left_l110(received, months):
    """L110: with `remaining_months`, each added member is billed 100 × months left ÷ 12,
    a month begun counted whole, the unit's sum rounded half up once (L11). Two added."""
    result = roster(5, received, billing="remaining_months")
    expected = (2 * 100 * months * 2 + 12) // 24
    assert result.units.row(0, named=True)["contribution_total"] == expected
    assert result.additions["amount"].to_list() == [expected]


def test_addition_billing_defaults_to_a_full_year_and_is_checked_l110():
    """L110: a parameter file written before the key existed bills a full year; a value
    outside full_year / remaining_months stops the tool with the key named."""
    assert policy(None).latest.values["addition_billing"] == "full_year"
    with pytest.raises(PolicyError, match="addition_billing"):
        policy("half_year")


def test_a_member_already_in_another_unit_is_not_billed_here_l110():
    """L110, E3: a member rejected on the roster (covered by another unit) is not added and
    not billed."""
    u, m = unit_with_members("U1", 4, 4, effective=START, received_date=dt.date(2026, 7, 1))
    ids = [row["id_number"] for row in m]
    other = pl.DataFrame(
        [
            {
                "id_number": ids[3],
                "unit_code": "U9",
                "contract_no": "C9",
                "spell_start": START,
                "term_end": END,
            }
        ],
        schema=EXISTING_SPELLS_SCHEMA,
    )
    result = check_enrollment(
        units_frame([u]),
        members_frame(m),
        running(),
        pl.concat([recorded(ids[:3]), other]),
        policy("full_year"),
        AS_OF,
        "units.xlsx",
    )
    assert result.units.row(0, named=True)["added_members"] == 0
    assert result.additions.is_empty()
    assert make_id(0) == ids[0]


# ---------------------------------------------------------------- the register (both back ends)


def test_the_register_records_the_addition_and_the_contract_total_follows_l110(
    tmp_path, register_location
):
    """L110 (issue 11 item 8): three members enrolled in January (300 yuan), the roster
    re-sent in July with five: the enrolment report bills 200, the register keeps an
    addition of two members / 200 yuan on the running contract, and the contract's total is
    500. Sent once more, nothing is added or billed (E5)."""
    from workbooks import member_rows, unit_row, write_units_workbook

    from aidctl import api

    first = write_units_workbook(
        tmp_path / "jan.xlsx", [unit_row("U1", 3, START)], member_rows("U1", 3)
    )
    july = dt.date(2026, 7, 15)
    again = write_units_workbook(
        tmp_path / "jul.xlsx",
        [unit_row("U1", 5, START, received_date=july)],
        member_rows("U1", 5),
    )
    one = api.enroll(first, db=register_location, as_of=AS_OF)
    assert one.units["contribution_total"].to_list() == [300]
    two = api.enroll(again, db=register_location, as_of=AS_OF)
    assert two.units["contribution_total"].to_list() == [200]
    assert two.units["added_members"].to_list() == [2]
    three = api.enroll(again, db=register_location, as_of=AS_OF)
    assert three.units["contribution_total"].to_list() == [0]
    from aidctl.register import Register

    with Register.open(register_location, create=False) as reg:
        added = reg.additions()
        totals = reg.contract_totals()
    assert added.select("unit_code", "billed_on", "members", "amount").to_dicts() == [
        {"unit_code": "U1", "billed_on": july, "members": 2, "amount": 200}
    ]
    assert totals.select(
        "contribution_total", "added_members", "added_amount", "billed_total"
    ).to_dicts() == [
        {"contribution_total": 300, "added_members": 2, "added_amount": 200, "billed_total": 500}
    ]
