"""The fund tied to the register on a generated two-year book (issue 12's "done when").

Why these tests: the board decides on these figures (A5.6), so each one is checked against
an independent sum over what the book put in — never against the core's own helpers:
billed = Σ members × 100 including the July addition (L110); collected = Σ receipts
recorded (L111); paid = approved − voids, each in the period of its own run (L25, L82);
member-days counted day by day over the register's spells (L83); the reserve = opening
balance + collected − paid (L83). Then `simulate` (L84, L114): a proposal doubling the
class-1 amount must show exactly the difference that adjudicating the same claims on a twin
register under that proposal gives.

The book (every step run as of its own day, as an office would):
- 2025-01-01 U1 (海州区, 5 members) and U2 (东海县, 3 members) enrol: 500 + 300.
- 2025-07-10 U1's roster re-sent with 7: two added, 200 (L110).
- 2025-09-30 claims: class 1, class 2, a disability, and an added member's early illness.
- 2025-12-15 the disability payment is voided; 2025-12-20 both units renew for 2026.
- 2026-06-30 claims: class 1 of a renewed member, an accidental death.
- 2026-07-15 the 2025 class-1 payment is voided (a negative amount in 2026, L82).
- receipts: three recorded in 2025 (three bad rows refused), two in 2026.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import tomllib
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest
from cli_workbooks import run_cli
from stdnum.cn import uscc
from workbooks import (
    death_claim,
    disability_claim,
    illness_claim,
    member_rows,
    unit_row,
    write_claims_workbook,
    write_units_workbook,
)

from aidctl import api
from aidctl.plan.params import default_policy_path, parse_policy
from aidctl.register import Register

D = dt.date
RATE = 100


def credit_code(region: str, serial: str) -> str:
    body = f"91{region}{serial}"
    return body + uscc.calc_check_digit(body)


U1 = credit_code("320706", "123456789")  # 海州区
U2 = credit_code("320722", "987654321")  # 东海县


def proposal_file(path: Path) -> Path:
    """plan.toml with the class-1 amount doubled (and the same-disease cap with it, L13)."""
    with default_policy_path().open("rb") as fh:
        raw = copy.deepcopy(tomllib.load(fh))
    text = default_policy_path().read_text(encoding="utf-8")
    text = text.replace(
        'class1_amount = { value = 15000, clause = "A5.1" }',
        'class1_amount = { value = 30000, clause = "A5.1" }',
    ).replace(
        'same_disease_cap = { value = 15000, clause = "A5.1;D8" }',
        'same_disease_cap = { value = 30000, clause = "A5.1;D8" }',
    )
    assert 'value = 30000, clause = "A5.1"' in text and raw["version"]
    path.write_text(text, encoding="utf-8")
    parse_policy(tomllib.loads(text), str(path))  # a valid parameter file
    return path


def receipts_workbook(path: Path, rows: list[list[Any]]) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "到账明细"
    ws.append(["凭证号", "单位编码", "金额", "到账日期"])
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


def build_book(folder: Path, policy: Path | None) -> dict[str, Any]:
    """Run the book (module docstring) into folder/register.sqlite3 under `policy`; return
    what went in, as the test's own record."""
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "register.sqlite3"
    got: dict[str, Any] = {"db": db, "decisions": [], "voids": []}

    def enrol(name: str, units: list[dict[str, Any]], members: list[dict[str, Any]], on: D):
        book = write_units_workbook(folder / name, units, members)
        out = api.enroll(book, db=db, as_of=on, policy=policy)
        assert (out.units["status"] == "compliant").all(), out.findings
        return out

    def decide(name: str, claims: list[dict[str, Any]], on: D) -> None:
        book = write_claims_workbook(folder / name, claims)
        out = api.adjudicate(book, db=db, as_of=on, policy=policy)
        for row in out.decisions.iter_rows(named=True):
            got["decisions"].append({**row, "_on": on})

    def void(claim_id: str, on: D) -> None:
        amount = next(
            d["amount"]
            for d in got["decisions"]
            if d["claim_id"] == claim_id and d["status"] == "approved"
        )
        api.void(claim_id, "书面更正", db=db, as_of=on)
        got["voids"].append({"claim_id": claim_id, "amount": amount, "_on": on})

    start25, start26 = D(2025, 1, 1), D(2026, 1, 1)
    enrol(
        "units-2025.xlsx",
        [unit_row(U1, 5, start25), unit_row(U2, 3, start25)],
        [*member_rows(U1, 5, 0), *member_rows(U2, 3, 10)],
        start25,
    )
    july = D(2025, 7, 10)
    added = enrol(
        "units-2025-07.xlsx",
        [unit_row(U1, 7, start25, received_date=july)],
        member_rows(U1, 7, 0),
        july,
    )
    got["july_billed"] = int(added.units["contribution_total"].sum())
    decide(
        "claims-2025-09.xlsx",
        [
            illness_claim("K1", 0, "胃癌", D(2025, 9, 1), unit_code=U1),
            illness_claim("K2", 10, "乳腺原位癌", D(2025, 8, 20), unit_code=U2),
            disability_claim("K3", 1, 5, D(2025, 5, 1), D(2025, 8, 1), unit_code=U1),
            illness_claim("K4", 5, "胃癌", D(2025, 8, 1), unit_code=U1),
        ],
        D(2025, 9, 30),
    )
    void("K3", D(2025, 12, 15))
    renew = D(2025, 12, 20)
    enrol(
        "units-2026.xlsx",
        [
            unit_row(U1, 7, start26, received_date=renew),
            unit_row(U2, 3, start26, received_date=renew),
        ],
        [*member_rows(U1, 7, 0), *member_rows(U2, 3, 10)],
        renew,
    )
    decide(
        "claims-2026-06.xlsx",
        [
            illness_claim("K5", 11, "胃癌", D(2026, 3, 1), unit_code=U2),
            death_claim("K6", 2, D(2026, 4, 1), D(2026, 4, 5), unit_code=U1),
        ],
        D(2026, 6, 30),
    )
    void("K1", D(2026, 7, 15))
    first = api.record_contributions(
        receipts_workbook(
            folder / "receipts-2025.xlsx",
            [
                ["R1", U1, 500, D(2025, 1, 20)],
                ["R2", U2, 300, D(2025, 2, 1)],
                ["R3", U1, 200, D(2025, 8, 1)],
                ["R4", "U9-NOT-A-UNIT", 100, D(2025, 8, 1)],
                ["R5", U1, -50, D(2025, 8, 1)],
                ["R2", U2, 300, D(2025, 2, 1)],
            ],
        ),
        db=db,
        as_of=D(2025, 12, 31),
    )
    got["first_receipts"] = first
    api.record_contributions(
        receipts_workbook(
            folder / "receipts-2026.xlsx",
            [["R6", U1, 700, D(2026, 1, 15)], ["R7", U2, 100, D(2026, 2, 1)]],
        ),
        db=db,
        as_of=D(2026, 12, 31),
    )
    got["receipts"] = [
        ("R1", 500, D(2025, 1, 20)),
        ("R2", 300, D(2025, 2, 1)),
        ("R3", 200, D(2025, 8, 1)),
        ("R6", 700, D(2026, 1, 15)),
        ("R7", 100, D(2026, 2, 1)),
    ]
    return got


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return build_book(tmp_path_factory.mktemp("book"), None)


@pytest.fixture(scope="module")
def twin(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("twin")
    proposal = proposal_file(folder / "proposal.toml")
    got = build_book(folder / "book", proposal)
    got["proposal"] = proposal
    return got


# ---------------------------------------------------------------- independent sums


def billed_in(year: int) -> int:
    """What the book billed in a year, by hand: members × 100 on each contract's first day,
    the July addition on its day (L110)."""
    return {2025: (5 + 3) * RATE + 2 * RATE, 2026: (7 + 3) * RATE}[year]


def paid_in(got: dict[str, Any], first: D, last: D) -> int:
    """Approved amounts of runs as of a day in the window, less voids of runs in it (L82)."""
    pay = sum(
        d["amount"]
        for d in got["decisions"]
        if d["status"] == "approved" and first <= d["_on"] <= last
    )
    back = sum(v["amount"] for v in got["voids"] if first <= v["_on"] <= last)
    return pay - back


def collected_in(got: dict[str, Any], first: D, last: D) -> int:
    return sum(a for _r, a, on in got["receipts"] if first <= on <= last)


def member_days(db: Path, first: D, last: D) -> int:
    """Day by day over the register's spells: the people covered each day (L6, L83)."""
    with Register.open(db, create=False) as reg:
        spells = reg.fund_spells().to_dicts()
    total = 0
    day = first
    while day <= last:
        total += len({s["id_number"] for s in spells if s["spell_start"] <= day <= s["term_end"]})
        day += dt.timedelta(days=1)
    return total


# ---------------------------------------------------------------- the figures


@pytest.mark.parametrize("year", [2025, 2026])
def test_every_figure_ties_to_an_independent_sum_l81_l82_l83_l110_l111(book, year):
    """L81–L83, L110, L111, L112: billed incl. the addition, collected, outstanding, earned
    (whole years here: all of it), paid net of voids per period, member-days, the reserve."""
    first, last = D(year, 1, 1), D(year, 12, 31)
    s = api.fund(db=book["db"], as_of=D(2026, 12, 31), year=year).summary
    assert s.billed == billed_in(year)
    assert s.collected == collected_in(book, first, last)
    everything_billed = sum(billed_in(y) for y in (2025, 2026) if y <= year)
    assert s.outstanding == everything_billed - collected_in(book, D(2000, 1, 1), last)
    assert s.earned == billed_in(year)  # every term lies inside its year
    assert s.paid == paid_in(book, first, last)
    assert s.paid == s.paid_amount - s.void_amount
    assert s.member_days == member_days(book["db"], first, last)
    assert s.reserve == 0 + collected_in(book, D(2000, 1, 1), last) - paid_in(
        book, D(2000, 1, 1), last
    )
    assert s.loss_ratio == pytest.approx(s.paid / s.earned)
    assert s.members_on_end == 10


def test_a_void_in_a_later_year_is_negative_there_l82(book):
    """L82: K1 (paid 2025) voided in 2026 counts −amount in 2026, not in 2025."""
    k1 = next(d["amount"] for d in book["decisions"] if d["claim_id"] == "K1")
    assert k1 > 0
    s26 = api.fund(db=book["db"], as_of=D(2026, 12, 31), year=2026).summary
    assert s26.void_amount == k1
    assert s26.void_count == 1


def test_the_addition_was_billed_once_and_for_the_added_members_only_l110(book):
    """L110: the July roster billed 2 × 100, not 7 × 100."""
    assert book["july_billed"] == 2 * RATE


@pytest.mark.parametrize("by", ["month", "district", "unit", "benefit"])
def test_the_breakdowns_add_up_to_the_totals_l80_l81_l83(book, by):
    """L80–L83: the lines of each breakdown add up to the window's figures (earned within a
    yuan per line, L81)."""
    out = api.fund(db=book["db"], as_of=D(2026, 12, 31), year=2025, by=by)
    s, lines = out.summary, out.summary.breakdown
    if by == "benefit":
        assert int(lines["net_paid"].sum()) == s.paid
        assert lines.filter(pl.col("benefit") == "critical_illness_2")["net_paid"].item() > 0
        return
    assert int(lines["billed"].sum()) == s.billed
    assert int(lines["collected"].sum()) == s.collected
    assert int(lines["paid"].sum()) == s.paid
    assert abs(int(lines["earned"].sum()) - s.earned) < lines.height
    if by == "month":
        assert int(lines["member_days"].sum()) == s.member_days
        assert lines["reserve"].to_list()[-1] == s.reserve
        assert lines.height == 12
    if by == "district":
        assert sorted(lines["district"].to_list()) == ["320706", "320722"]
        assert "海州区" in lines["district_zh"].to_list()


def test_members_on_a_day_by_district_l80_l83(book):
    """D6, L80, L83: on 2025-12-31 U1 (海州区) covers 7, U2 (东海县) 3, all first-time; on
    2026-06-30 all ten are renewed; --unit narrows to one unit."""
    out = api.members("2025-12-31", by="district", db=book["db"])
    counts = {r["district_name"]: r["members"] for r in out.counts.iter_rows(named=True)}
    assert counts == {"海州区": 7, "东海县": 3}
    assert int(out.counts["first_time"].sum()) == 10
    later = api.members("2026-06-30", db=book["db"])
    assert later.counts.row(0, named=True) == {"members": 10, "first_time": 0, "renewed": 10}
    one = api.members("2026-06-30", unit=U2, db=book["db"])
    assert one.members.height == 3
    assert set(one.members["contract_no"].to_list()) == {f"{U2}-20260101"}


def test_receipts_refused_rows_are_findings_and_the_others_recorded_l111(book):
    """L111: an unknown unit, a negative amount and a duplicate reference are findings naming
    file, sheet, row and column; the three good rows are recorded."""
    first = book["first_receipts"]
    assert first.recorded["reference"].to_list() == ["R1", "R2", "R3"]
    found = {(r["row"], r["column"], r["code"]) for r in first.findings.iter_rows(named=True)}
    assert found == {
        (5, "unit_code", "RECEIPT_UNKNOWN_UNIT"),
        (6, "amount", "RECEIPT_NEGATIVE_AMOUNT"),
        (7, "reference", "RECEIPT_DUPLICATE_REFERENCE"),
    }
    assert set(first.findings["sheet"].to_list()) == {"到账明细"}
    assert first.exit_code == 1
    owed = {r["unit_code"]: r["outstanding"] for r in first.outstanding.iter_rows(named=True)}
    assert owed == {U1: 0, U2: 0}


# ---------------------------------------------------------------- simulate (L84, L114)


def live_paid(got: dict[str, Any], first: D, last: D) -> int:
    voided = {v["claim_id"] for v in got["voids"]}
    return sum(
        d["amount"]
        for d in got["decisions"]
        if d["status"] == "approved" and d["claim_id"] not in voided and first <= d["_on"] <= last
    )


@pytest.mark.parametrize("year", [2025, 2026])
def test_simulating_double_class_1_equals_the_twin_register_l84_l114(book, twin, year):
    """L84, L114: re-deciding the year's claims under the proposal gives exactly what the
    twin register, adjudicated under the proposal, recorded; before = what this register
    recorded; only the class-1 line moves. Nothing is written."""
    first, last = D(year, 1, 1), D(year, 12, 31)
    runs_before = len(api.runs(db=book["db"], limit=1000).runs)
    out = api.simulate(twin["proposal"], db=book["db"], as_of=D(2026, 12, 31), year=year)
    sim = out.simulation
    assert sim.paid_before == live_paid(book, first, last)
    assert sim.paid_after == live_paid(twin, first, last)
    assert sim.difference == live_paid(twin, first, last) - live_paid(book, first, last)
    moved = sim.totals.filter(pl.col("difference") != 0)["benefit"].to_list()
    assert moved in ([], ["critical_illness_1"])
    assert len(api.runs(db=book["db"], limit=1000).runs) == runs_before
    if year == 2026:
        assert sim.difference == 15000  # K5: class 1, 15000 → 30000
        changed = out.to_json()["changed"]
        assert [c["claim_id"] for c in changed] == ["K5"]
        assert "30000" in changed[0]["after_sentence"]
        assert "15000" in changed[0]["before_sentence"]
        assert sim.loss_ratio_after == pytest.approx(sim.paid_after / sim.earned)


def test_the_same_proposal_as_in_force_changes_nothing_l84(book):
    """L84: simulating the parameters in force themselves changes no claim."""
    out = api.simulate(default_policy_path(), db=book["db"], as_of=D(2026, 12, 31), year=2025)
    assert out.simulation.difference == 0
    assert out.simulation.changed.is_empty()


# ---------------------------------------------------------------- the command line


def test_fund_command_writes_the_board_workbook_and_json_l112(book, tmp_path):
    """L112: `aidctl fund --year` prints the figures as JSON and writes the workbook with a
    summary sheet and three charts, printed landscape on one page."""
    target = tmp_path / "fund.xlsx"
    result = run_cli(
        "fund", "--year", "2025", "--db", book["db"], "--as-of", "2026-12-31",
        "--json", "--out", target,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["billed"] == billed_in(2025)
    assert doc["from"] == "2025-01-01" and doc["to"] == "2025-12-31"
    wb = openpyxl.load_workbook(target)
    summary = wb.worksheets[0]
    assert summary.title == "汇总"
    assert len(summary._charts) == 3
    assert summary.page_setup.orientation == "landscape"
    assert summary.page_setup.fitToHeight == 1
    assert [ws.title for ws in wb.worksheets] == ["汇总", "按月", "按区县", "按保障项目"]


def test_fund_command_speaks_english_with_lang_en(book, tmp_path):
    result = run_cli(
        "fund", "--year", "2026", "--db", book["db"], "--as-of", "2026-12-31",
        "--lang", "en", "--out", tmp_path / "f.xlsx",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Loss ratio" in result.stdout
    wb = openpyxl.load_workbook(tmp_path / "f.xlsx")
    assert wb.worksheets[0].title == "Summary"


def test_fund_window_options_are_checked_l112(book):
    """L112: --year with --from, --from without --to, --to before --from: one sentence, exit 2."""
    for args in (
        ["--year", "2025", "--from", "2025-01-01", "--to", "2025-02-01"],
        ["--from", "2025-01-01"],
        ["--from", "2025-02-01", "--to", "2025-01-01"],
        ["--by", "colour"],
    ):
        result = run_cli("fund", *args, "--db", book["db"], "--as-of", "2026-12-31")
        assert result.exit_code == 2


def test_simulate_and_members_commands(book, twin, tmp_path):
    result = run_cli(
        "simulate", "--policy", twin["proposal"], "--year", "2026", "--db", book["db"],
        "--as-of", "2026-12-31", "--out", tmp_path / "sim.xlsx",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "未写入登记库" in result.stdout
    assert (tmp_path / "sim.xlsx").exists()
    shown = run_cli(
        "members", "--on", "2025-12-31", "--by", "district", "--db", book["db"],
        "--out", tmp_path / "members.xlsx",
    )  # fmt: skip
    assert shown.exit_code == 0 and "海州区" in shown.stdout
    listed = openpyxl.load_workbook(tmp_path / "members.xlsx")["参保人员"]
    ids = [row[2] for row in listed.iter_rows(min_row=2, values_only=True)]
    assert len(ids) == 10 and all("*" in i for i in ids)  # masked: personal data


def test_open_claims_are_pending_rows_not_decided_since_with_their_most_cost_l113(tmp_path):
    """L113: a claim left pending (a diagnosis the reading cannot place) is an open claim that
    could cost at most the class-1 amount; once a corrected row decides it, it is closed."""
    db = tmp_path / "reg.sqlite3"
    start = D(2025, 1, 1)
    api.enroll(
        write_units_workbook(tmp_path / "u.xlsx", [unit_row(U1, 3, start)], member_rows(U1, 3)),
        db=db,
        as_of=start,
    )
    vague = write_claims_workbook(
        tmp_path / "c1.xlsx", [illness_claim("P1", 0, "中风", D(2025, 9, 1), unit_code=U1)]
    )
    out = api.adjudicate(vague, db=db, as_of=D(2025, 9, 30))
    assert out.decisions["status"].to_list() == ["pending"]
    s = api.fund(db=db, as_of=D(2025, 10, 31), year=2025).summary
    assert (s.open_count, s.open_max_cost) == (1, 15000)
    fixed = write_claims_workbook(
        tmp_path / "c2.xlsx", [illness_claim("P1", 0, "胃癌", D(2025, 9, 1), unit_code=U1)]
    )
    assert api.adjudicate(fixed, db=db, as_of=D(2025, 10, 31)).decisions["status"].to_list() == [
        "approved"
    ]
    s = api.fund(db=db, as_of=D(2025, 10, 31), year=2025).summary
    assert (s.open_count, s.open_max_cost) == (0, 0)


def test_the_fund_and_simulate_read_the_same_on_both_back_ends_l82_l114(
    tmp_path, register_location
):
    """L82, L114 on SQLite and PostgreSQL: a payment in September and its void in December
    net to 0 over the year and to the payment in September; `simulate` reads the claim's
    facts back from the register and re-decides it."""
    start = D(2025, 1, 1)
    api.enroll(
        write_units_workbook(tmp_path / "u.xlsx", [unit_row(U1, 3, start)], member_rows(U1, 3)),
        db=register_location,
        as_of=start,
    )
    book = write_claims_workbook(
        tmp_path / "c.xlsx",
        [
            illness_claim("Q1", 0, "胃癌", D(2025, 8, 20), unit_code=U1),
            illness_claim("Q2", 1, "乳腺原位癌", D(2025, 8, 21), unit_code=U1),
        ],
    )
    api.adjudicate(book, db=register_location, as_of=D(2025, 9, 30))
    api.void("Q2", "更正", db=register_location, as_of=D(2025, 12, 1))
    year = api.fund(db=register_location, as_of=D(2025, 12, 31), year=2025).summary
    assert (year.paid_amount, year.void_amount, year.paid) == (20000, 5000, 15000)
    september = api.fund(
        db=register_location, as_of=D(2025, 12, 31), start="2025-09-01", end="2025-09-30"
    ).summary
    assert september.paid == 20000
    proposal = proposal_file(tmp_path / "p.toml")
    sim = api.simulate(proposal, db=register_location, as_of=D(2025, 12, 31), year=2025)
    assert sim.simulation.claims["claim_id"].to_list() == ["Q1"]  # Q2 was voided
    assert (sim.simulation.paid_before, sim.simulation.paid_after) == (15000, 30000)


def test_the_fund_summary_prints_on_one_readable_page_l184(book, tmp_path):
    """L184: the summary's charts sit beside and below the figures within A:L (they were
    spread over A:W, the page printed at about 60 %), and a count with its amount reads
    like the amounts beside it (1,234 / 5,678元)."""
    from openpyxl.utils import column_index_from_string
    from openpyxl.utils.cell import range_boundaries

    target = tmp_path / "fund.xlsx"
    result = run_cli(
        "fund", "--year", "2025", "--db", book["db"], "--as-of", "2026-12-31", "--out", target,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = openpyxl.load_workbook(target).worksheets[0]
    area = str(summary.print_area).split("!")[-1].replace("$", "")
    _first_col, _first_row, last_col, last_row = range_boundaries(area)
    assert last_col == column_index_from_string("L")
    anchors = [(c.anchor._from.col, c.anchor._from.row) for c in summary._charts]
    facts_end = max(r for r in range(1, summary.max_row + 1) if summary.cell(r, 1).value)
    assert anchors[0] == (3, 1)  # column D, row 2: beside the figures
    below = anchors[1:]
    assert [col for col, _row in below] == [0, 3]  # A and D, side by side
    assert all(row >= facts_end for _col, row in below)  # under the figures
    assert all(row < last_row for _col, row in below)
    cells = {r[0].value: r[1].value for r in summary.iter_rows(min_col=1, max_col=2)}
    paid = cells["  给付笔数 / 金额"]
    count, amount = paid.split(" / ")
    assert amount.endswith("元") and int(amount[:-1].replace(",", "")) >= 0
    assert int(count.replace(",", "")) >= 0
