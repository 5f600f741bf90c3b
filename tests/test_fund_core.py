"""The fund's figures (A5.6, issue 12), tied to independent sums on a generated book.

Why these tests: the board adjusts benefits according to the fund's finances (A5.6), so
every figure `aidctl fund` shows must be what a clerk with a calculator would get. Each one
is compared here with a brute-force sum written in plain Python — member-days and earned
contributions day by day, payments run by run — over a generated two-year book whose
contracts fall on the boundaries: a term crossing the year, a term starting on 02-29 (D3),
a contract starting on the window's last day, additions during a term, voids in a later
month than their payment (L25), units of every district kind (L80).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from fractions import Fraction
from typing import Any

import polars as pl
import pytest
from claim_strategies import default_policy, term_end_of

from aidctl.core import fund
from aidctl.plan.districts import OUTSIDE, UNKNOWN, load_districts, parse_districts

POLICY = default_policy()
CATALOGUE = POLICY.catalogue
CLASS = {d.code: d.disease_class for d in CATALOGUE.diseases}
CODES = sorted(CLASS)
ONE = dt.timedelta(days=1)


def credit_code(region: str, n: int) -> str:
    """An 18-character code whose characters 3–8 are `region` (GB 32100 layout)."""
    return f"91{region}MA{n:08d}"


# unit code → the district line it must be reported on (L80), written out by hand
UNITS: dict[str, str] = {
    credit_code("320706", 1): "320706",  # 海州区
    credit_code("320705", 2): "320706",  # former 新浦区 → 海州区
    credit_code("320703", 3): "320703",  # 连云区
    credit_code("320721", 4): "320707",  # former 赣榆县 → 赣榆区
    credit_code("320722", 5): "320722",  # 东海县
    credit_code("320799", 6): UNKNOWN,  # a 3207 code the list does not hold
    credit_code("110101", 7): OUTSIDE,  # issued in Beijing (A1.1, L57)
    "LYG-0008": UNKNOWN,  # an office's own short code says nothing about the place
}

# Term starts on the boundaries: crossing the year, 02-29 (D3), the window's last day.
STARTS = (
    dt.date(2024, 1, 1),
    dt.date(2024, 2, 29),
    dt.date(2024, 7, 1),
    dt.date(2024, 12, 31),
    dt.date(2025, 1, 1),
    dt.date(2025, 3, 15),
    dt.date(2025, 12, 31),
)


def days_between(a: dt.date, b: dt.date) -> list[dt.date]:
    return [a + dt.timedelta(days=i) for i in range((b - a).days + 1)]


def half_up(x: Fraction) -> int:
    return int((x + Fraction(1, 2)) // 1)


def build_book(seed: int = 95) -> dict[str, Any]:
    """A two-year book (2024–2025) as plain rows; frames are made from them below."""
    rnd = random.Random(seed)
    contracts, additions, receipts, spells = [], [], [], []
    decisions, voids, open_items = [], [], []
    person = 0
    for u, unit in enumerate(UNITS):
        starts = rnd.sample(STARTS, 3)
        for k, start in enumerate(sorted(starts)):
            end = term_end_of(start)
            eligible = rnd.randint(1, 12)
            rate = POLICY.at(start).contribution_per_member  # A4.1, E4
            no = f"C{u}-{k}"
            contracts.append(
                {
                    "contract_no": no,
                    "unit_code": unit,
                    "term_start": start,
                    "term_end": end,
                    "first_time": k == 0,
                    "eligible": eligible,
                    "contribution_total": eligible * rate,
                    "imported": u == 0 and k == 0,
                }
            )
            for _ in range(eligible):
                person += 1
                join = start + dt.timedelta(days=rnd.choice((0, 0, 0, 10, 100)))
                spells.append(
                    {
                        "id_number": f"P{person:05d}",
                        "contract_no": no,
                        "unit_code": unit,
                        "spell_start": min(join, end),
                        "term_end": end,
                        "first_time": rnd.random() < 0.5,
                    }
                )
            for _ in range(rnd.randint(0, 2)):  # members added during the term
                billed_on = start + dt.timedelta(days=rnd.randint(0, 400))
                additions.append(
                    {"contract_no": no, "amount": rate * rnd.randint(1, 3), "billed_on": billed_on}
                )
            receipts.append(
                {
                    "unit_code": unit,
                    "amount": eligible * rate - rnd.choice((0, 0, rate)),
                    "received_on": start + dt.timedelta(days=rnd.randint(0, 60)),
                    "reference": f"R{u}-{k}",
                }
            )
    for i in range(160):
        decision_id = i + 1
        ctype = rnd.choice(
            ("critical_illness", "critical_illness", "accident_disability", "accident_death")
        )
        code = rnd.choice(CODES) if ctype == "critical_illness" else None
        status = rnd.choice(("approved", "approved", "approved", "rejected", "pending"))
        reason = None
        amount = 0
        if status == "approved":
            if ctype == "critical_illness":
                reason = rnd.choice(("FULL_BENEFIT", "REDUCED_30", "CONSOLATION"))
                amount = {
                    "FULL_BENEFIT": 15000 if CLASS[code] == 1 else 5000,
                    "REDUCED_30": 1500,
                    "CONSOLATION": 2000,
                }[reason]
            else:
                reason = (
                    "DISABILITY_GRADE" if ctype == "accident_disability" else "ACCIDENTAL_DEATH"
                )
                amount = rnd.choice((500, 5000, 30000))
            if rnd.random() < 0.1:
                amount = 0  # ALREADY_DECIDED: approved, nothing new paid (L14)
        run = dt.date(2024, 1, 1) + dt.timedelta(days=rnd.randint(0, 750))
        decisions.append(
            {
                "decision_id": decision_id,
                "claim_id": f"CL{i:04d}",
                "run_as_of": run,
                "status": status,
                "amount": amount,
                "reason_code": reason,
                "claim_type": ctype,
                "disease_code": code,
                "disease_class": None,
                "unit_code": rnd.choice(list(UNITS)),
                "event_date": run - dt.timedelta(days=30),
            }
        )
        if status == "approved" and amount > 0 and rnd.random() < 0.2:
            # a void in a later month than its payment (L25)
            voids.append(
                {
                    "decision_id": decision_id,
                    "void_as_of": run + dt.timedelta(days=rnd.randint(31, 90)),
                    "amount": amount,
                }
            )
    for i in range(7):
        ctype = rnd.choice(("critical_illness", "accident_disability", "accident_death"))
        open_items.append(
            {
                "claim_id": f"OP{i}",
                "claim_type": ctype,
                "disease_code": rnd.choice(CODES) if ctype == "critical_illness" else None,
                "grade": 3 if ctype == "accident_disability" else None,
                "max_cost": rnd.choice((2000, 15000, 30000)),
            }
        )
    return {
        "contracts": contracts,
        "additions": additions,
        "receipts": receipts,
        "spells": spells,
        "decisions": decisions,
        "voids": voids,
        "open_items": open_items,
    }


def frames(book: dict[str, Any]) -> dict[str, pl.DataFrame]:
    schemas = {
        "contracts": fund.CONTRACTS_SCHEMA,
        "additions": fund.ADDITIONS_SCHEMA,
        "receipts": fund.RECEIPTS_SCHEMA,
        "spells": fund.SPELLS_SCHEMA,
        "decisions": fund.DECISIONS_SCHEMA,
        "voids": fund.VOIDS_SCHEMA,
        "open_items": fund.OPEN_SCHEMA,
    }
    return {
        name: pl.DataFrame(book[name], schema=schema, orient="row")
        if book[name]
        else pl.DataFrame(schema=schema)
        for name, schema in schemas.items()
    }


BOOK = build_book()
FRAMES = frames(BOOK)
WINDOWS = (
    (dt.date(2025, 1, 1), dt.date(2025, 12, 31)),  # --year 2025
    (dt.date(2024, 1, 1), dt.date(2025, 12, 31)),  # the whole book
    (dt.date(2024, 2, 10), dt.date(2024, 11, 20)),  # --from/--to, mid-month both ends
)


# ---- the independent sums ------------------------------------------------------------


def billings(book: dict[str, Any]) -> list[tuple[str, int, dt.date, dt.date, dt.date]]:
    """(unit, amount, billed_on, earned from, earned to) — A4.1, E4, L81."""
    terms = {c["contract_no"]: c for c in book["contracts"]}
    out = [
        (c["unit_code"], c["eligible"] * 100, c["term_start"], c["term_start"], c["term_end"])
        for c in book["contracts"]
    ]
    for a in book["additions"]:
        c = terms[a["contract_no"]]
        earn_from = max(a["billed_on"], c["term_start"])
        earn_to = max(c["term_end"], a["billed_on"])
        out.append((c["unit_code"], a["amount"], a["billed_on"], earn_from, earn_to))
    return out


def brute_earned(book: dict[str, Any], start: dt.date, end: dt.date, key: Any = None) -> Any:
    """Day by day: each amount's share of every day of its earning days (D3), rounded half up
    once per figure (L81). With `key` (a function of a billing and a day), per line."""
    exact: dict[Any, Fraction] = defaultdict(Fraction)
    for b in billings(book):
        _unit, amount, _billed, s, e = b
        share = Fraction(amount, (e - s).days + 1)
        for day in days_between(max(s, start), min(e, end)):
            exact[key(b, day) if key else None] += share
    if key is None:
        return half_up(exact[None])
    return {k: half_up(v) for k, v in exact.items() if v}


def brute_covered(book: dict[str, Any], day: dt.date) -> set[str]:
    return {s["id_number"] for s in book["spells"] if s["spell_start"] <= day <= s["term_end"]}


def brute_moves(book: dict[str, Any]) -> list[tuple[dt.date, int, str, dict[str, Any]]]:
    """(day, amount, kind, decision): payments on their run's day, voids negative on theirs."""
    by_id = {d["decision_id"]: d for d in book["decisions"]}
    out = [
        (d["run_as_of"], d["amount"], "payment", d)
        for d in book["decisions"]
        if d["status"] == "approved" and d["amount"] > 0
    ]
    out += [(v["void_as_of"], -v["amount"], "void", by_id[v["decision_id"]]) for v in book["voids"]]
    return out


def benefit(d: dict[str, Any]) -> str:
    if d["claim_type"] == "critical_illness":
        if d.get("reason_code") == "CONSOLATION":
            return "consolation"
        return f"critical_illness_{CLASS[d['disease_code']]}"
    return d["claim_type"]


def summary(start: dt.date, end: dt.date, by: Any = None, opening: int = 50_000) -> Any:
    return fund.fund_summary(
        **FRAMES, catalogue=CATALOGUE, start=start, end=end, opening_balance=opening, by=by
    )


# ---- totals --------------------------------------------------------------------------


@pytest.mark.parametrize(("start", "end"), WINDOWS)
def test_billed_is_eligible_times_rate_plus_additions_A4_1(start: dt.date, end: dt.date) -> None:
    """A4.1, E4: billed = Σ eligible × 100 of the contracts starting in the window + the
    additions billed in it; collected = the receipts of the window; outstanding = everything
    billed − everything received up to the end day."""
    got = summary(start, end)
    assert got.billed == sum(a for _u, a, day, _s, _e in billings(BOOK) if start <= day <= end)
    assert got.collected == sum(
        r["amount"] for r in BOOK["receipts"] if start <= r["received_on"] <= end
    )
    assert got.outstanding == sum(a for _u, a, day, _s, _e in billings(BOOK) if day <= end) - sum(
        r["amount"] for r in BOOK["receipts"] if r["received_on"] <= end
    )


@pytest.mark.parametrize(("start", "end"), WINDOWS)
def test_earned_is_the_day_by_day_sum_D3(start: dt.date, end: dt.date) -> None:
    """D3, L81: each amount spread over its term's days counted inclusively, rounded half up
    once at the end — the same as adding its share of every single day."""
    assert summary(start, end).earned == brute_earned(BOOK, start, end)


@pytest.mark.parametrize(("start", "end"), WINDOWS)
def test_members_and_member_days_by_brute_force_L83(start: dt.date, end: dt.date) -> None:
    """L83, L6: members on the end day; member-days = Σ over the window's days of the
    people covered that day."""
    got = summary(start, end)
    on_end = brute_covered(BOOK, end)
    assert got.members_on_end == len(on_end)
    first = {s["id_number"] for s in BOOK["spells"] if s["first_time"]} & on_end
    assert (got.first_time_on_end, got.renewed_on_end) == (len(first), len(on_end) - len(first))
    assert got.member_days == sum(len(brute_covered(BOOK, d)) for d in days_between(start, end))


@pytest.mark.parametrize(("start", "end"), WINDOWS)
def test_paid_is_approved_less_voids_of_the_period_L25(start: dt.date, end: dt.date) -> None:
    """L25, L82: a payment counts in the period of its run's as-of day, a void as a negative
    in its own period; the loss ratio is net paid ÷ earned (A5.6); the reserve is the
    opening balance + collected − net paid, everything up to the end day."""
    got = summary(start, end)
    moves = brute_moves(BOOK)
    pays = [a for day, a, kind, _d in moves if kind == "payment" and start <= day <= end]
    backs = [-a for day, a, kind, _d in moves if kind == "void" and start <= day <= end]
    assert (got.paid_count, got.paid_amount) == (len(pays), sum(pays))
    assert (got.void_count, got.void_amount) == (len(backs), sum(backs))
    assert got.paid == sum(pays) - sum(backs)
    assert got.loss_ratio == pytest.approx(got.paid / brute_earned(BOOK, start, end))
    collected = sum(r["amount"] for r in BOOK["receipts"] if r["received_on"] <= end)
    out = sum(a for day, a, _k, _d in moves if day <= end)
    assert got.reserve == 50_000 + collected - out
    assert got.open_count == len(BOOK["open_items"])
    assert got.open_max_cost == sum(o["max_cost"] for o in BOOK["open_items"])
    assert got.imported_contracts == sum(
        1
        for c in BOOK["contracts"]
        if c["imported"] and c["term_start"] <= end and c["term_end"] >= start
    )


def test_paid_by_benefit_and_class_A5_1_A5_2b() -> None:
    """A5.1 class 1 / class 2, A5.2b consolation, A5.3, A5.4: each line counts its payments
    and voids of the period; the lines add up to the totals."""
    start, end = WINDOWS[1]
    got = summary(start, end, by="benefit")
    lines = {r["benefit"]: r for r in got.by_benefit.iter_rows(named=True)}
    assert set(lines) == set(fund.BENEFITS)
    expected: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for day, amount, kind, d in brute_moves(BOOK):
        if start <= day <= end:
            line = expected[benefit(d)]
            if kind == "payment":
                line[0] += 1
                line[1] += amount
            else:
                line[2] += 1
                line[3] -= amount
    for name in fund.BENEFITS:
        r = lines[name]
        assert [r["paid_count"], r["paid_amount"], r["void_count"], r["void_amount"]] == expected[
            name
        ], name
        assert r["net_paid"] == r["paid_amount"] - r["void_amount"]
    assert got.breakdown.equals(got.by_benefit)
    assert sum(r["net_paid"] for r in lines.values()) == got.paid


# ---- breakdowns ----------------------------------------------------------------------


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


@pytest.mark.parametrize(("start", "end"), WINDOWS)
def test_breakdown_by_month_matches_brute_force_L25(start: dt.date, end: dt.date) -> None:
    """L25: each month holds its payments and (negative) voids; billed, collected, earned
    (L81: each month rounded on its own), members on the month's last day, member-days; the
    running outstanding and reserve at each month's end."""
    got = summary(start, end, by="month").breakdown
    earned_m = brute_earned(BOOK, start, end, key=lambda _b, day: month_of(day))
    moves = brute_moves(BOOK)
    for row in got.iter_rows(named=True):
        m = row["month"]
        m_days = [d for d in days_between(max(m, start), end) if month_of(d) == m]
        last = m_days[-1]
        assert row["members"] == len(brute_covered(BOOK, last)), m
        assert row["member_days"] == sum(len(brute_covered(BOOK, d)) for d in m_days), m
        in_m = set(m_days)
        assert row["billed"] == sum(a for _u, a, day, _s, _e in billings(BOOK) if day in in_m)
        assert row["collected"] == sum(
            r["amount"] for r in BOOK["receipts"] if r["received_on"] in in_m
        )
        assert row["earned"] == earned_m.get(m, 0), m
        assert row["paid"] == sum(a for day, a, _k, _d in moves if day in in_m), m
        assert row["outstanding"] == sum(
            a for _u, a, day, _s, _e in billings(BOOK) if day <= last
        ) - sum(r["amount"] for r in BOOK["receipts"] if r["received_on"] <= last)
        assert row["reserve"] == 50_000 + sum(
            r["amount"] for r in BOOK["receipts"] if r["received_on"] <= last
        ) - sum(a for day, a, _k, _d in moves if day <= last)
    total = summary(start, end)
    assert got["paid"].sum() == total.paid
    assert got["billed"].sum() == total.billed
    assert got["member_days"].sum() == total.member_days


def test_breakdown_by_district_and_unit_L80() -> None:
    """L80: every figure lands on the line of its unit's district (a former code on its
    successor's, an unknown or outside code on its own line), and the lines add up."""
    start, end = WINDOWS[0]
    for by, line_of in (("district", UNITS.__getitem__), ("unit", lambda u: u)):
        got = summary(start, end, by=by).breakdown
        key = "district" if by == "district" else "unit_code"
        rows = {r[key]: r for r in got.iter_rows(named=True)}
        billed: dict[str, int] = defaultdict(int)
        for unit, amount, day, _s, _e in billings(BOOK):
            if start <= day <= end:
                billed[line_of(unit)] += amount
        paid: dict[str, int] = defaultdict(int)
        for day, amount, _k, d in brute_moves(BOOK):
            if start <= day <= end:
                paid[line_of(d["unit_code"])] += amount
        earned_l = brute_earned(BOOK, start, end, key=lambda b, _day: line_of(b[0]))
        days_l: dict[str, int] = defaultdict(int)
        for s in BOOK["spells"]:
            lo, hi = max(s["spell_start"], start), min(s["term_end"], end)
            days_l[line_of(s["unit_code"])] += max(0, (hi - lo).days + 1)
        for line, row in rows.items():
            assert row["billed"] == billed.get(line, 0), (by, line)
            assert row["paid"] == paid.get(line, 0), (by, line)
            assert row["earned"] == earned_l.get(line, 0), (by, line)
            assert row["member_days"] == days_l.get(line, 0), (by, line)
        assert set(rows) >= {line for line, v in billed.items() if v}
        assert got["paid"].sum() == summary(start, end).paid
    names = summary(start, end, by="district").breakdown
    row = names.filter(pl.col("district") == "320706").row(0, named=True)
    assert (row["district_zh"], row["district_en"]) == ("海州区", "Haizhou District")


# ---- boundaries ----------------------------------------------------------------------


def one_contract(start: dt.date, amount: int = 36_500, members: int = 3) -> dict[str, Any]:
    end = term_end_of(start)
    book: dict[str, Any] = {
        "contracts": [
            {
                "contract_no": "K1",
                "unit_code": credit_code("320723", 1),
                "term_start": start,
                "term_end": end,
                "first_time": True,
                "eligible": members,
                "contribution_total": amount,
                "imported": False,
            }
        ],
        "spells": [
            {
                "id_number": f"M{i}",
                "contract_no": "K1",
                "unit_code": credit_code("320723", 1),
                "spell_start": start,
                "term_end": end,
                "first_time": True,
            }
            for i in range(members)
        ],
    }
    for name in ("additions", "receipts", "decisions", "voids", "open_items"):
        book[name] = []
    return book


def run(book: dict[str, Any], start: dt.date, end: dt.date, by: Any = None) -> Any:
    return fund.fund_summary(
        **frames(book), catalogue=CATALOGUE, start=start, end=end, opening_balance=0, by=by
    )


def test_contract_starting_on_the_windows_last_day_D3() -> None:
    """D3: a term starting on 2025-12-31 is billed in 2025, earns one day of its 365 there
    (36,500 / 365 = 100), covers its members on the last day for one member-day each; the day
    before, it is not there at all."""
    book = one_contract(dt.date(2025, 12, 31))
    got = run(book, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert (got.billed, got.earned, got.members_on_end, got.member_days) == (36_500, 100, 3, 3)
    before = run(book, dt.date(2025, 1, 1), dt.date(2025, 12, 30))
    assert (before.billed, before.earned, before.members_on_end, before.member_days) == (0, 0, 0, 0)
    assert before.loss_ratio is None  # nothing earned: no ratio (L83)


def test_term_crossing_the_year_is_earned_by_its_days_D3() -> None:
    """D3: 2024-07-01 … 2025-06-30 (365 days): 184 days in 2024, 181 in 2025; the two years
    earn the whole amount between them."""
    book = one_contract(dt.date(2024, 7, 1), amount=10_000)
    y24 = run(book, dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    y25 = run(book, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert y24.earned == half_up(Fraction(10_000 * 184, 365))  # 5041.09… → 5041
    assert y25.earned == half_up(Fraction(10_000 * 181, 365))  # 4958.90… → 4959
    assert y24.earned + y25.earned == 10_000
    assert (y24.billed, y25.billed) == (10_000, 0)
    assert (y24.member_days, y25.member_days) == (3 * 184, 3 * 181)


def test_leap_day_term_has_366_days_D3() -> None:
    """D3: 2024-02-29 → 2025-02-28 is 366 days (it holds 2024-02-29 and no 2025-02-29);
    2024 holds 307 of them."""
    book = one_contract(dt.date(2024, 2, 29), amount=36_600)
    y24 = run(book, dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert y24.earned == 30_700
    assert run(book, dt.date(2025, 1, 1), dt.date(2025, 12, 31)).earned == 5_900
    feb = run(book, dt.date(2024, 2, 1), dt.date(2024, 2, 29), by="month").breakdown
    assert feb.select("members", "member_days", "earned").row(0) == (3, 3, 100)


def test_earned_rounds_once_at_the_end_L81() -> None:
    """L81: three contracts of 100 yuan a year earn 100 × 3/365 = 0.82 each over three days;
    rounded at the end the window earns 1 yuan (rounding each would give 3 × 1)."""
    book = one_contract(dt.date(2025, 1, 1), amount=100)
    for n in (2, 3):
        extra = dict(book["contracts"][0], contract_no=f"K{n}")
        book["contracts"].append(extra)
    got = run(book, dt.date(2025, 1, 1), dt.date(2025, 1, 3))
    assert got.earned == half_up(Fraction(3 * 100 * 3, 365)) == 2  # 2.46… → 2


def test_void_in_a_later_month_than_its_payment_L25() -> None:
    """L25: paid 15,000 in March (its run's as-of day), voided in May: March shows +15,000,
    May −15,000, the year nets 0; a window holding only March shows the payment, one holding
    only May the reversal."""
    book = one_contract(dt.date(2025, 1, 1))
    book["decisions"] = [
        {
            "decision_id": 7,
            "claim_id": "X1",
            "run_as_of": dt.date(2025, 3, 31),
            "status": "approved",
            "amount": 15_000,
            "reason_code": "FULL_BENEFIT",
            "claim_type": "critical_illness",
            "disease_code": "C1-01",
            "disease_class": None,
            "unit_code": credit_code("320723", 1),
            "event_date": dt.date(2025, 3, 1),
        }
    ]
    book["voids"] = [{"decision_id": 7, "void_as_of": dt.date(2025, 5, 1), "amount": 15_000}]
    months = run(book, dt.date(2025, 1, 1), dt.date(2025, 12, 31), by="month").breakdown
    paid = dict(zip(months["month"].to_list(), months["paid"].to_list(), strict=True))
    assert paid[dt.date(2025, 3, 1)] == 15_000
    assert paid[dt.date(2025, 5, 1)] == -15_000
    assert sum(paid.values()) == 0
    march = run(book, dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    may = run(book, dt.date(2025, 5, 1), dt.date(2025, 5, 31))
    assert (march.paid, march.void_count, may.paid, may.void_count) == (15_000, 0, -15_000, 1)
    year = run(book, dt.date(2025, 1, 1), dt.date(2025, 12, 31), by="benefit").by_benefit
    line = year.filter(pl.col("benefit") == "critical_illness_1").row(0, named=True)
    assert (line["paid_amount"], line["void_amount"], line["net_paid"]) == (15_000, 15_000, 0)
    # the reserve after April still holds the payment out; after May it is back
    assert months.filter(pl.col("month") == dt.date(2025, 4, 1))["reserve"][0] == -15_000
    assert months.filter(pl.col("month") == dt.date(2025, 5, 1))["reserve"][0] == 0


def test_members_on_a_day_picks_one_spell_per_person_L6() -> None:
    """L6, D6: a person with two spells on one day counts once, under the later spell; the
    kind says first-time or renewed; a spell covers its first and last day, not the day
    after."""
    spells = pl.DataFrame(
        [
            ("A", "K1", "U1", dt.date(2025, 1, 1), dt.date(2025, 12, 31), True),
            ("A", "K2", "U2", dt.date(2025, 6, 1), dt.date(2026, 5, 31), False),
            ("B", "K1", "U1", dt.date(2025, 1, 1), dt.date(2025, 12, 31), False),
        ],
        schema=fund.SPELLS_SCHEMA,
        orient="row",
    )
    on = fund.members_on(spells, dt.date(2025, 6, 1)).sort("id_number")
    assert on.select("id_number", "contract_no", "kind").rows() == [
        ("A", "K2", "renewed"),
        ("B", "K1", "renewed"),
    ]
    assert fund.members_on(spells, dt.date(2026, 1, 1))["id_number"].to_list() == ["A"]
    assert fund.members_on(spells, dt.date(2026, 6, 1)).is_empty()
    assert fund.members_on(spells, dt.date(2025, 1, 1)).height == 2
    counts = fund.members_count(spells, dt.date(2025, 3, 1), by="unit")
    assert counts.rows() == [("U1", 2, 1, 1)]
    assert (
        fund.exposure_days(spells, dt.date(2025, 12, 31), dt.date(2026, 1, 1)) == 2 + 1
    )  # A once a day
    # the month lines count A once on the days its two spells share (L6)
    cover = fund.coverage_by_day(spells, dt.date(2025, 5, 31), dt.date(2026, 1, 1))
    assert dict(cover.rows())[dt.date(2025, 6, 1)] == 2
    assert [dict(cover.rows())[d] for d in (dt.date(2025, 5, 31), dt.date(2026, 1, 1))] == [2, 1]


# ---- districts (L80) -----------------------------------------------------------------


def test_district_of_reads_characters_3_to_8_L80() -> None:
    """L80: the region of an 18-character credit code; former codes on their successor's
    line; a 3207 code not in the list and a short code → unknown; elsewhere → outside."""
    codes = [*UNITS, None, " " + credit_code("320724", 9) + " "]
    got = (
        pl.DataFrame({"u": codes}, schema={"u": pl.Utf8})
        .select(fund.district_of(pl.col("u")))["district"]
        .to_list()
    )
    assert got == [*UNITS.values(), UNKNOWN, "320724"]


def test_district_column_wins_over_the_code_L80() -> None:
    """L80: the office's own district column wins: a name or code of the list is read as
    that line, other text (a functional zone) is its own line, a blank falls back to the
    code."""
    contracts = pl.DataFrame(
        [
            ("K1", credit_code("320706", 1), dt.date(2025, 1, 1), "连云区"),
            ("K2", credit_code("320706", 2), dt.date(2025, 1, 1), "徐圩新区"),
            ("K3", credit_code("320706", 3), dt.date(2025, 1, 1), " "),
            ("K4", "LYG-4", dt.date(2025, 1, 1), "320705"),
        ],
        schema={
            "contract_no": pl.Utf8,
            "unit_code": pl.Utf8,
            "term_start": pl.Date,
            "district": pl.Utf8,
        },
        orient="row",
    )
    got = dict(fund.unit_districts(contracts).rows())
    assert got == {
        credit_code("320706", 1): "320703",
        credit_code("320706", 2): "徐圩新区",
        credit_code("320706", 3): "320706",
        "LYG-4": "320706",
    }


def test_districts_file_is_loaded_and_checked_L80() -> None:
    """L80: the shipped list holds the six counties and districts of today; an entry that is
    not a 3207 code, a code listed twice or a report_as outside the list stops the load."""
    table = load_districts()
    for code, zh in (
        ("320706", "海州区"),
        ("320703", "连云区"),
        ("320707", "赣榆区"),
        ("320722", "东海县"),
        ("320723", "灌云县"),
        ("320724", "灌南县"),
    ):
        assert table.by_code(code).zh == zh
        assert table.report_map()[code] == code
    assert table.name(UNKNOWN, "zh") == "未能识别区县"
    good = {"code": "320706", "zh": "海州区", "en": "Haizhou"}
    for bad, words in (
        ({"code": "110101", "zh": "x", "en": "x"}, "not a Lianyungang code"),
        (good, "listed twice"),
        ({"code": "320703", "zh": "x", "en": "x", "report_as": "320799"}, "not in the list"),
        ({"code": "32070", "zh": "x", "en": "x"}, "six digits"),
    ):
        with pytest.raises(ValueError, match=words):
            parse_districts({"district": [good, bad]})
