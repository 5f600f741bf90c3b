"""A slow, obvious reference adjudicator: one claim at a time, in plain Python.

It is written from `docs/plan.md` (A…) and `docs/rules.md` (D…, steps 1–10, L…) alone
— never from the calculator's rule tables (`aidctl.core.reasons`) — so that the vectorised calculator
(`aidctl.core.claims.decide_claims`) can be compared with it on generated worlds
(`tests/test_claims_reference.py`). Nothing here is clever: every step is a few lines that
cite the clause or decision they apply.

Inputs are lists of dicts with the keys of the frames in `docs/architecture.md` (claims,
spells, history); the output is one dict per claim row, sorted by `_row`.

Readings of our own where docs/rules.md does not decide (listed in the module
docstring of `tests/test_claims_reference.py` too):

- R1 (step 1, L1): any key listed in `_bad_fields` makes the row pending `INVALID_VALUE`,
  whether or not the field is required for the claim type: the tool never decides on a
  cell it could not read.
- R2 (step 1, L1/L2): inside step 1 the checks run as written: INVALID_VALUE, then
  MISSING_FIELD, then DUPLICATE_CLAIM_ID.
- R3 (step 3, L4): the duplicate key holds the disease only for critical illness and the
  grade only for accidental disability; other claim types carry null there.
- R4 (step 6): a consolation is not capped by A5.1 (it is not a benefit paid for the
  disease), and the same-disease cap counts payments for the same code only (not D1 groups).
- R5 (D8): a "term" is one contract term, identified by (contract_no, term_start).
- R6 (step 7): a treatment end date before the accident date is pending `INVALID_VALUE`,
  like a death before the accident (step 8).
- R7 (L12): `period` is recorded for critical-illness claims decided (approved or rejected)
  with a covering spell; it is null for accidents and for pending claims.
- R8 (L3): when the register holds several live decided rows for one claim_id, the last
  one given is the earlier decision.
- R9 (L1): text that is empty or white space only ('' as well as null) is a blank cell.
- R10 (D9): the parameters are `policy.at(term_start)` of the covering spell; the spell's
  `policy_version` column is expected to name the same set and is not read.
- R11 (step 3, A5.3): a possible regrade is checked after the duplicate key, and the grade
  of the later claim need not be one the table covers (step 3 comes before step 7).
- R12 (D10): the reading of a diagnosis is `aidctl.core.diagnosis.read_diagnoses`, tested on
  its own (tests/test_diagnoses.py); here it is asked one claim at a time.
"""

from __future__ import annotations

import calendar
import datetime as dt
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from aidctl.core.diagnosis import LISTED, TO_PERSON, UNLISTED, read_diagnoses
from aidctl.plan import Catalogue, Policy, PolicyVersion
from aidctl.plan.catalogue import CERTAIN, REVIEW, normalise_text
from aidctl.plan.causes import load_causes

Row = Mapping[str, Any]
Decision = dict[str, Any]
TermKey = tuple[str | None, dt.date | None]

ILLNESS = "critical_illness"
DISABILITY = "accident_disability"
DEATH = "accident_death"
CLAIM_TYPES = (ILLNESS, DISABILITY, DEATH)
ACCIDENTS = (DISABILITY, DEATH)

APPROVED = "approved"
REJECTED = "rejected"
PENDING = "pending"

EXEMPTION = "exemption"
REDUCED = "reduced"
FULL = "full"

# L1: the fields every claim needs, and those its type needs.
REQUIRED_ALL = ("claim_id", "id_number", "name", "claim_type")
REQUIRED_BY_TYPE: dict[str, tuple[str, ...]] = {
    ILLNESS: ("diagnosis_date",),  # and the disease or its diagnosis code (formats.md)
    DISABILITY: ("accident_date", "disability_grade"),
    DEATH: ("accident_date", "death_date"),
}

# A6.3 from aidctl/plan/causes.toml. L8: a brave act together with one of the marked causes
# is for a person to look at (CONFLICTING_FACTS); L27: an ambiguous word is too.
CAUSES = load_causes()
CAUSES_CONFLICTING_WITH_BRAVE_ACT = frozenset(CAUSES.brave_act_conflicts)
EXCLUDING_CAUSES = frozenset(CAUSES.excluding)
AMBIGUOUS_CAUSES = frozenset(CAUSES.ambiguous)
# L26: the dates a claim type reads that may not lie after the as-of day (step 1)
DATES_BY_TYPE: dict[str, tuple[str, ...]] = {
    ILLNESS: ("diagnosis_date",),
    DISABILITY: ("accident_date",),
    DEATH: ("accident_date", "death_date"),
}

# The clause (and decision ids) each reason code rests on, for the `clause` column.
CLAUSES: dict[str, str] = {
    "MISSING_FIELD": "L1",
    "INVALID_VALUE": "L1",
    "DUPLICATE_CLAIM_ID": "L2",
    "DATE_AFTER_AS_OF": "L26",
    "SAME_ACCIDENT_REGRADE": "A5.3;L28",
    "AMBIGUOUS_CAUSE": "A6.3;L27",
    "UNRECOGNISED_DISEASE": "A3.1;D10",
    "RELATED_DISEASE_REVIEW": "A5.2a;D1",
    "ALREADY_DECIDED": "L3;L14",
    "CLAIM_CONFLICT": "L3",
    "POSSIBLE_DUPLICATE": "L4",
    "NO_COVERAGE": "A2.1;D3;D6;L6;L15",
    "NAME_MISMATCH": "L7",
    "UNIT_MISMATCH": "L7",
    "EXCLUDED_FRAUD": "A6.2",
    "EXCLUDED_PREEXISTING": "A6.1",
    "CONFLICTING_FACTS": "A3.2;A6.3;L8",
    "EXCLUDED_CAUSE": "A6.3",
    "DISEASE_NOT_LISTED": "A3.1",
    "AMBIGUOUS_DISEASE": "A3.1",
    "DISEASE_PAID_IN_EARLIER_TERM": "A5.2c;L10",
    "DISEASE_EXCLUDED_AFTER_WAITING": "A5.2a;D1;L9",
    "CONSOLATION": "A5.2b;D4",
    "CONSOLATION_ALREADY_PAID": "A5.2b;L9",
    "REDUCED_30": "A5.2a;D4;L11",
    "FULL_BENEFIT": "A5.1",
    "DISEASE_CAP_REACHED": "A5.1;D8",
    "PARTIAL_CAP": "A5.1;A5.5;D8",
    "GRADE_NOT_COVERED": "A3.2;A5.3",
    "TREATMENT_NOT_ENDED": "A5.3",
    "DISABILITY_GRADE": "A5.3",
    "DEATH_NOT_WITHIN_MONTH": "A3.3;D7",
    "ACCIDENTAL_DEATH": "A3.3;A5.4",
    "ACCIDENT_CAP_REACHED": "A5.5;D8",
}


# ---------------------------------------------------------------------------------------
# Small helpers, each one rule
# ---------------------------------------------------------------------------------------


def is_blank(value: Any) -> bool:
    """L1: a blank cell is null or text of white space only."""
    return value is None or (isinstance(value, str) and not value.strip())


def bad_fields(claim: Row) -> list[str]:
    """The keys intake could not read (`_bad_fields`, comma-separated)."""
    raw = claim.get("_bad_fields") or ""
    return [key.strip() for key in raw.split(",") if key.strip()]


def add_months(day: dt.date, months: int) -> dt.date:
    """D7 (Civil Code Art. 202): the same day `months` later, or that month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def cover_day(event: dt.date, start: dt.date, version: PolicyVersion) -> int:
    """D2: the day number of `event` in cover starting `start` (start day is day 1)."""
    days = (event - start).days
    return days + 1 if version.start_day_counts else days


def percent_of(amount: int, pct: int | float) -> int:
    """L11: a percentage of an amount, rounded half up to whole yuan."""
    return int((amount * pct + 50) // 100)


def name_key(name: str) -> str:
    """L7: names compare after NFKC and removing all white space."""
    return "".join(unicodedata.normalize("NFKC", name).split())


def event_date(claim: Row) -> dt.date | None:
    """L5: diagnosis date for critical illness, accident date for both accident types."""
    if claim.get("claim_type") == ILLNESS:
        return claim.get("diagnosis_date")
    return claim.get("accident_date")


def causes(claim: Row) -> list[str]:
    """A6.3 cause keys of a claim ('cause;cause')."""
    raw = claim.get("exclusion") or ""
    return [key.strip() for key in raw.split(";") if key.strip()]


# Readings are pure (R12): remembered across worlds per (catalogue, text, code), so that the
# hypothesis worlds, which repeat a few dozen texts, read each once per test session.
_READINGS: dict[tuple[int, str | None, str | None], dict[str, Any]] = {}


class DiseaseMatcher:
    """The D10 reading of a diagnosis (R12), remembered per (catalogue, text, code)."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self._seen = _READINGS

    def prefetch(self, pairs: Iterable[tuple[str | None, str | None]]) -> None:
        """Read every (text, code) not yet read in one call: the reading is the same row by
        row or together (tests/test_diagnoses.py holds it to a row-by-row reader)."""
        todo = sorted(
            {p for p in pairs if (id(self.catalogue), *p) not in self._seen},
            key=lambda p: (p[0] or "", p[1] or ""),
        )
        if not todo:
            return
        frame = pl.DataFrame(
            {"disease": [p[0] for p in todo], "diagnosis_code": [p[1] for p in todo]},
            schema={"disease": pl.Utf8, "diagnosis_code": pl.Utf8},
        )
        for row in read_diagnoses(frame, self.catalogue).iter_rows(named=True):
            self._seen[(id(self.catalogue), row["disease"], row["diagnosis_code"])] = row

    def read(self, text: str | None, icd: str | None) -> dict[str, Any]:
        """{'dx_outcome', 'dx_code', 'dx_class', …} of one diagnosis."""
        key = (id(self.catalogue), text, icd)
        if key not in self._seen:
            frame = pl.DataFrame(
                {"disease": [text], "diagnosis_code": [icd]},
                schema={"disease": pl.Utf8, "diagnosis_code": pl.Utf8},
            )
            self._seen[key] = read_diagnoses(frame, self.catalogue).row(0, named=True)
        return self._seen[key]

    def related(self, code: str) -> dict[str, str]:
        """D1: the diseases related to `code` by a pair, with the pair's kind."""
        return self.catalogue.related(code)

    def disease_class(self, code: str) -> int:
        return self.catalogue.by_code(code).disease_class


# ---------------------------------------------------------------------------------------
# What the register holds about each member, updated as claims are approved (step 10)
# ---------------------------------------------------------------------------------------


@dataclass
class MemberState:
    # A5.2a/A5.2b, D1, L9: (code, claim_id) of every diagnosis in a waiting period (approved
    # consolation or reduced claim, or a refused second consolation), in step 10's order.
    waiting: list[tuple[str, str]] = field(default_factory=list)
    # A5.3: (accident date, grade, claim_id, amount) of every approved disability claim.
    disabilities: list[tuple[dt.date | None, int | None, str, int]] = field(default_factory=list)
    # A5.2b, L9: contract numbers of spells whose one consolation was paid.
    consolations: set[str | None] = field(default_factory=set)
    # A5.2c, L10: (disease code, term_start) of every disease benefit paid (not consolation).
    paid: list[tuple[str, dt.date | None]] = field(default_factory=list)
    # A5.1, D8: yuan paid per (term, disease code).
    disease_paid: dict[tuple[TermKey, str], int] = field(default_factory=lambda: defaultdict(int))
    # A5.5, D8: yuan paid for accidents per term.
    accident_paid: dict[TermKey, int] = field(default_factory=lambda: defaultdict(int))


class Register:
    """Per-member state: first what the register holds, then this run's approvals."""

    def __init__(self, matcher: DiseaseMatcher) -> None:
        self.matcher = matcher
        self.members: dict[str, MemberState] = defaultdict(MemberState)

    def record(
        self,
        *,
        claim_id: str,
        status: str,
        event: dt.date | None,
        grade: int | None,
        id_number: str,
        claim_type: str | None,
        disease_code: str | None,
        period: str | None,
        reason_code: str | None,
        amount: int,
        contract_no: str | None,
        term_start: dt.date | None,
    ) -> None:
        """Remember one decision (from the register or from this run): every approval, and
        a refused second consolation (D1: it too starts the exclusion)."""
        state = self.members[id_number]
        term: TermKey = (contract_no, term_start)
        if reason_code == "CONSOLATION_ALREADY_PAID":
            if claim_type == ILLNESS and disease_code is not None:
                state.waiting.append((disease_code, claim_id))  # D1, L9 (revised)
            return
        if status != APPROVED:
            return
        if claim_type == ILLNESS:
            consolation = reason_code == "CONSOLATION" or period == EXEMPTION
            # A5.2a/A5.2b, D1, L9, L12: an approved exemption- or reduced-period claim starts
            # the exclusion of its disease and its pairs, whatever the amount after a cap.
            if period in (EXEMPTION, REDUCED) and disease_code is not None:
                state.waiting.append((disease_code, claim_id))
            if consolation:
                # A5.2b, L9: the spell's one consolation is used; it is not "paid" (step 6).
                state.consolations.add(contract_no)
            elif amount > 0 and disease_code is not None:
                state.paid.append((disease_code, term_start))  # A5.2c, L10
                state.disease_paid[(term, disease_code)] += amount  # A5.1, D8
        elif claim_type in ACCIDENTS and amount > 0:
            state.accident_paid[term] += amount  # A5.5, D8
        if claim_type == DISABILITY:
            state.disabilities.append((event, grade, claim_id, amount))  # A5.3, step 3

    def paid_in_earlier_term(self, id_number: str, code: str, term_start: dt.date) -> bool:
        """A5.2c, L10: the disease was paid under a contract that started earlier."""
        return any(
            paid_code == code and paid_start is not None and paid_start < term_start
            for paid_code, paid_start in self.members[id_number].paid
        )

    def excluded_after_waiting(self, id_number: str, code: str) -> bool:
        """A5.2a, D1, L9: the disease, or one paired with it as certain, was diagnosed in a
        waiting period before."""
        return any(
            self.matcher.related(earlier).get(code) == CERTAIN
            for earlier, _ in self.members[id_number].waiting
        )

    def review_after_waiting(self, id_number: str, code: str) -> str | None:
        """D1: the claim_id of the first earlier waiting-period diagnosis paired with this
        disease by a review pair only (not transitive: the pair itself)."""
        for earlier, claim_id in self.members[id_number].waiting:
            if self.matcher.related(earlier).get(code) == REVIEW:
                return claim_id
        return None

    def approved_other_grade(
        self, id_number: str, accident: dt.date, grade: int | None
    ) -> tuple[str, int | None, int] | None:
        """A5.3: an approved disability claim of the same accident date with another grade."""
        for event, earlier_grade, claim_id, amount in self.members[id_number].disabilities:
            if event == accident and earlier_grade != grade:
                return claim_id, earlier_grade, amount
        return None

    def consolation_used(self, id_number: str, contract_no: str) -> bool:
        """A5.2b, L9: once per first-time spell, spell = (id_number, contract_no)."""
        return contract_no in self.members[id_number].consolations

    def disease_paid_in_term(self, id_number: str, term: TermKey, code: str) -> int:
        return self.members[id_number].disease_paid.get((term, code), 0)

    def accident_paid_in_term(self, id_number: str, term: TermKey) -> int:
        return self.members[id_number].accident_paid.get(term, 0)


# ---------------------------------------------------------------------------------------
# The adjudicator
# ---------------------------------------------------------------------------------------


def _new_decision(claim: Row) -> Decision:
    return {
        "claim_id": claim.get("claim_id"),
        "_row": claim.get("_row"),
        "id_number": claim.get("id_number"),
        "name": claim.get("name"),
        "unit_code": claim.get("unit_code"),
        "claim_type": claim.get("claim_type"),
        "disease_code": None,
        "disability_grade": claim.get("disability_grade"),
        "event_date": event_date(claim) if claim.get("claim_type") in CLAIM_TYPES else None,
        "status": PENDING,
        "amount": 0,
        "reason_code": None,
        "clause": None,
        "policy_version": None,
        "contract_no": None,
        "term_start": None,
        "cover_day": None,
        "period": None,
        "base_amount": None,
        "pct": None,
        "cap_room": None,
        "detail": None,
    }


def _finish(
    decision: Decision, status: str, reason: str, amount: int = 0, **extra: Any
) -> Decision:
    decision.update(status=status, reason_code=reason, amount=amount, clause=CLAUSES[reason])
    decision.update(extra)
    return decision


def _covering_spell(spells: Iterable[Row], day: dt.date) -> Row | None:
    """L6: spell_start ≤ day ≤ term_end; if two do, latest spell_start, then contract_no."""
    covering = [s for s in spells if s["spell_start"] <= day <= s["term_end"]]
    if not covering:
        return None
    return max(covering, key=lambda s: (s["spell_start"], s["contract_no"] or ""))


def _waiting_period(spell: Row, day: dt.date, version: PolicyVersion) -> tuple[str, int]:
    """D4/D6: the waiting period of a critical illness diagnosed on `day`, and its day number.

    Waiting periods apply only inside a first-time spell (A2.2, A2.3) and count from the
    spell's start (the join date of a member added during the term, D6)."""
    number = cover_day(day, spell["spell_start"], version)  # D2
    if not spell["first_time"]:
        return FULL, number  # A2.3: a renewal carries no waiting period
    if number <= version.exemption_last_day:
        return EXEMPTION, number  # A2.2: days 1–60
    if number <= version.reduced_last_day:
        return REDUCED, number  # A2.2: days 61–180
    return FULL, number


def _blank_to_none(value: Any) -> Any:
    return None if is_blank(value) else value


def _disease_key(claim: Row, matcher: DiseaseMatcher) -> str | None:
    """L4 (revised): the diagnosis as read — the listed code, else the normalised text (and
    the normalised diagnosis code, when one is given)."""
    text, icd = _blank_to_none(claim.get("disease")), _blank_to_none(claim.get("diagnosis_code"))
    reading = matcher.read(text, icd)
    if reading["dx_outcome"] == LISTED:
        return str(reading["dx_code"])
    parts = [normalise_text(v) for v in (text, icd) if v is not None]
    return "|".join(parts) if parts else None


def _duplicate_key(claim: Row, matcher: DiseaseMatcher) -> tuple[Any, ...]:
    """Step 3, L4 (and R3): id number, type, disease or grade, event date."""
    claim_type = claim["claim_type"]
    disease = _disease_key(claim, matcher) if claim_type == ILLNESS else None
    grade = claim.get("disability_grade") if claim_type == DISABILITY else None
    return (claim["id_number"], claim_type, disease, grade, event_date(claim))


def _history_key(row: Row) -> tuple[Any, ...]:
    claim_type = row.get("claim_type")
    # L4: the key the register kept; rows from before it was kept have their code only
    disease = (row.get("disease_key") or row.get("disease_code")) if claim_type == ILLNESS else None
    grade = row.get("disability_grade") if claim_type == DISABILITY else None
    return (row.get("id_number"), claim_type, disease, grade, row.get("event_date"))


def _step1_input(
    claim: Row, first_row: Mapping[str, int], as_of: dt.date
) -> tuple[str, str] | None:
    """Step 1: (reason, detail) when the row must go back for correction, else None."""
    bad = bad_fields(claim)
    if bad:  # L1, R1: INVALID_VALUE is checked before MISSING_FIELD
        return "INVALID_VALUE", ",".join(bad)
    claim_type = claim.get("claim_type")
    if claim_type is not None and claim_type not in CLAIM_TYPES:
        return "INVALID_VALUE", "claim_type"
    required = list(REQUIRED_ALL) + list(REQUIRED_BY_TYPE.get(claim_type or "", ()))
    missing = [key for key in required if is_blank(claim.get(key))]
    no_code = is_blank(claim.get("diagnosis_code"))
    if claim_type == ILLNESS and is_blank(claim.get("disease")) and no_code:
        missing.append("disease")  # formats.md: the name or the code
    if missing:  # L1
        return "MISSING_FIELD", ",".join(missing)
    if first_row[claim["claim_id"]] != claim["_row"]:  # L2: the smallest row is decided
        return "DUPLICATE_CLAIM_ID", f"first row {first_row[claim['claim_id']]}"
    future = [k for k in DATES_BY_TYPE[claim_type or ""] if claim[k] > as_of]
    if future:  # step 1, L26: nothing is paid for what has not happened yet
        return "DATE_AFTER_AS_OF", ",".join(future)
    return None


def reference_decide(
    claims: list[dict[str, Any]],
    spells: list[dict[str, Any]],
    history: list[dict[str, Any]],
    policy: Policy,
    as_of: dt.date,
) -> list[dict[str, Any]]:
    """Decide every claim row, one at a time; one decision per row, sorted by `_row`."""
    matcher = DiseaseMatcher(policy.catalogue)
    matcher.prefetch((c.get("disease"), c.get("diagnosis_code")) for c in claims)
    spells_of: dict[str, list[Row]] = defaultdict(list)
    for spell in spells:
        spells_of[spell["id_number"]].append(spell)

    # Step 10: the register first. Voided decisions count for nothing (L3).
    live_history = [h for h in history if not h.get("voided")]
    register = Register(matcher)
    decided_before: dict[str, Row] = {}  # L3: claim_id -> its approved/rejected decision
    register_keys: dict[tuple[Any, ...], set[str]] = defaultdict(set)  # L4
    for row in live_history:
        if row.get("status") == APPROVED or row.get("reason_code") == "CONSOLATION_ALREADY_PAID":
            register.record(
                claim_id=row["claim_id"],
                status=row["status"],
                event=row.get("event_date"),
                grade=row.get("disability_grade"),
                id_number=row["id_number"],
                claim_type=row.get("claim_type"),
                disease_code=row.get("disease_code"),
                period=row.get("period"),
                reason_code=row.get("reason_code"),
                amount=int(row.get("amount") or 0),
                contract_no=row.get("contract_no"),
                term_start=row.get("term_start"),
            )
        if row.get("status") in (APPROVED, REJECTED):
            decided_before[row["claim_id"]] = row  # R8: the last one given wins
        register_keys[_history_key(row)].add(row["claim_id"])

    # L2: the smallest Excel row of each claim_id is the one decided.
    first_row: dict[str, int] = {}
    for claim in claims:
        claim_id = claim.get("claim_id")
        if isinstance(claim_id, str) and not is_blank(claim_id):
            first_row[claim_id] = min(first_row.get(claim_id, claim["_row"]), claim["_row"])

    decisions: list[Decision] = []
    to_decide: list[tuple[Row, Decision]] = []
    for claim in claims:
        decision = _new_decision(claim)
        decisions.append(decision)
        # Step 1 — input (L1, L2).
        problem = _step1_input(claim, first_row, as_of)
        if problem is not None:
            _finish(decision, PENDING, problem[0], detail=problem[1])
            continue
        # Step 2 — already decided (L3, L14).
        earlier = decided_before.get(claim["claim_id"])
        if earlier is not None:
            if earlier.get("content") == claim.get("content"):
                _finish(
                    decision,
                    earlier["status"],  # L14: the earlier status, nothing new paid
                    "ALREADY_DECIDED",
                    period=earlier.get("period"),
                    contract_no=earlier.get("contract_no"),
                    term_start=earlier.get("term_start"),
                    detail=f"earlier: {earlier.get('reason_code')}",
                )
            else:
                _finish(decision, PENDING, "CLAIM_CONFLICT", detail="content changed")
            continue
        to_decide.append((claim, decision))

    # Step 10 — caps, "earlier" and "once" follow event date, then claim_id.
    to_decide.sort(key=lambda pair: (event_date(pair[0]), pair[0]["claim_id"]))
    seen_keys: set[tuple[Any, ...]] = set()
    for waiting_claim, decision in to_decide:
        _decide_from_step3(
            waiting_claim,
            decision,
            spells_of,
            register,
            register_keys,
            seen_keys,
            matcher,
            policy,
            as_of,
        )
    decisions.sort(key=lambda d: d["_row"])
    return decisions


def _decide_from_step3(
    claim: Row,
    decision: Decision,
    spells_of: Mapping[str, list[Row]],
    register: Register,
    register_keys: Mapping[tuple[Any, ...], set[str]],
    seen_keys: set[tuple[Any, ...]],
    matcher: DiseaseMatcher,
    policy: Policy,
    as_of: dt.date,
) -> None:
    id_number: str = claim["id_number"]
    claim_type: str = claim["claim_type"]
    day = event_date(claim)  # L5
    assert day is not None  # step 1 sent every claim without its event date back

    # Step 3 — possible duplicates (L4): a live register decision with another claim_id, or
    # a claim of this run that reached this step earlier in step 10's order.
    key = _duplicate_key(claim, matcher)
    in_register = register_keys.get(key, set()) - {claim["claim_id"]}
    in_run = key in seen_keys
    seen_keys.add(key)
    if in_register or in_run:
        _finish(decision, PENDING, "POSSIBLE_DUPLICATE")
        return
    # Step 3 — one accident, one grade (A5.3, R11): an approved disability of the same
    # accident date with another grade, in the register or earlier in this run.
    if claim_type == DISABILITY:
        earlier = register.approved_other_grade(id_number, day, claim.get("disability_grade"))
        if earlier is not None:
            _finish(
                decision,
                PENDING,
                "SAME_ACCIDENT_REGRADE",
                detail="|".join(str(v) for v in earlier),
            )
            return

    # Step 4 — cover on the event date (D3, D6, L6); then name and unit (L7).
    spell = _covering_spell(spells_of.get(id_number, []), day)
    if spell is None:
        _finish(decision, REJECTED, "NO_COVERAGE", policy_version=policy.at(day).id)  # L15
        return
    version = policy.at(spell["term_start"])  # D9: the set in force on the term's start
    term: TermKey = (spell["contract_no"], spell["term_start"])
    decision.update(
        policy_version=version.id,
        contract_no=spell["contract_no"],
        term_start=spell["term_start"],
        cover_day=cover_day(day, spell["spell_start"], version),
    )
    if name_key(claim["name"]) != name_key(spell["name"] or ""):
        _finish(decision, PENDING, "NAME_MISMATCH")
        return
    unit = claim.get("unit_code")
    if isinstance(unit, str) and not is_blank(unit) and unit.strip() != spell["unit_code"]:
        _finish(decision, PENDING, "UNIT_MISMATCH")
        return

    # The waiting period is recorded on decided illness claims (L12, R7).
    period: str | None = None
    if claim_type == ILLNESS:
        period, _ = _waiting_period(spell, day, version)

    # Step 5 — exclusions, in the order of L8.
    found = causes(claim)
    if claim.get("fraud"):
        _finish(decision, REJECTED, "EXCLUDED_FRAUD", period=period)  # A6.2
        return
    if claim.get("preexisting_undisclosed"):
        _finish(decision, REJECTED, "EXCLUDED_PREEXISTING", period=period)  # A6.1
        return
    if claim.get("brave_act") and CAUSES_CONFLICTING_WITH_BRAVE_ACT.intersection(found):
        _finish(decision, PENDING, "CONFLICTING_FACTS")  # L8: before the cause
        return
    excluding = [c for c in found if c in EXCLUDING_CAUSES]
    if excluding:
        _finish(decision, REJECTED, "EXCLUDED_CAUSE", period=period, detail=";".join(excluding))
        return
    unsure = [c for c in found if c in AMBIGUOUS_CAUSES]
    if unsure:  # L27: a word that only might be a cause goes to a person
        _finish(decision, PENDING, "AMBIGUOUS_CAUSE", detail=";".join(unsure))
        return

    if claim_type == ILLNESS:
        _critical_illness(claim, decision, spell, term, version, register, matcher, period)
    elif claim_type == DISABILITY:
        _accidental_disability(claim, decision, term, version, register, as_of)
    else:
        _accidental_death(claim, decision, term, version, register)


def _critical_illness(
    claim: Row,
    decision: Decision,
    spell: Row,
    term: TermKey,
    version: PolicyVersion,
    register: Register,
    matcher: DiseaseMatcher,
    period: str | None,
) -> None:
    """Step 6 — critical illness (A3.1, A5.1, A5.2a–c, D1, D4, L9, L10).

    `period` is the waiting period of the diagnosis date (D4: the diagnosis date decides)."""
    id_number = claim["id_number"]
    reading = matcher.read(
        _blank_to_none(claim.get("disease")), _blank_to_none(claim.get("diagnosis_code"))
    )
    outcome, code = reading["dx_outcome"], reading["dx_code"]
    if outcome == UNLISTED:  # D10: the only reading that rejects
        _finish(decision, REJECTED, "DISEASE_NOT_LISTED", period=period)
        return
    if outcome == TO_PERSON:
        _finish(decision, PENDING, "AMBIGUOUS_DISEASE", detail=reading["dx_candidates"])
        return
    if outcome != LISTED or code is None:  # D10: never rejected, never paid on a guess
        _finish(decision, PENDING, "UNRECOGNISED_DISEASE")
        return
    decision.update(disease_code=code, period=period)

    if register.paid_in_earlier_term(id_number, code, spell["term_start"]):
        _finish(decision, REJECTED, "DISEASE_PAID_IN_EARLIER_TERM")  # A5.2c, L10
        return
    if register.excluded_after_waiting(id_number, code):
        _finish(decision, REJECTED, "DISEASE_EXCLUDED_AFTER_WAITING")  # A5.2a, D1, L9
        return
    second = period == EXEMPTION and register.consolation_used(id_number, spell["contract_no"])
    if second:  # A5.2b: a second consolation, checked before the review pairs (D1)
        _finish(decision, REJECTED, "CONSOLATION_ALREADY_PAID")
        _record(register, claim, decision, code)  # D1: it too starts the exclusion
        return
    review = register.review_after_waiting(id_number, code)
    if review is not None:  # D1: a review pair only → a person decides
        _finish(decision, PENDING, "RELATED_DISEASE_REVIEW", detail=review)
        return

    class_amount = version.class_amount(matcher.disease_class(code))  # A5.1, D9
    if period == EXEMPTION:
        # A5.2b: one consolation per first-time spell; it is not capped (R4).
        amount = int(version.consolation_amount)
        _finish(decision, APPROVED, "CONSOLATION", amount, base_amount=amount)
        _record(register, claim, decision, code)
        return
    if period == REDUCED:
        pct = version.reduced_pct
        reason, amount = "REDUCED_30", percent_of(class_amount, pct)  # A5.2a, L11
        decision.update(base_amount=class_amount, pct=pct)
    else:
        reason, amount = "FULL_BENEFIT", class_amount  # A5.1
        decision.update(base_amount=class_amount)

    # A5.1, D8: the same-disease cap per member per term.
    room = int(version.same_disease_cap) - register.disease_paid_in_term(id_number, term, code)
    decision["cap_room"] = max(room, 0)
    if room <= 0:
        _finish(decision, REJECTED, "DISEASE_CAP_REACHED")
        return
    if amount > room:
        reason, amount = "PARTIAL_CAP", room
    _finish(decision, APPROVED, reason, amount)
    if reason == "PARTIAL_CAP":
        decision["clause"] = "A5.1;D8"
    _record(register, claim, decision, code)


def _accidental_disability(
    claim: Row,
    decision: Decision,
    term: TermKey,
    version: PolicyVersion,
    register: Register,
    as_of: dt.date,
) -> None:
    """Step 7 — accidental disability by grade (A3.2, A5.3), then the cap (step 9)."""
    grade = claim["disability_grade"]
    if grade not in version.disability:  # L1: 0, 11 … are read, then not covered
        _finish(decision, REJECTED, "GRADE_NOT_COVERED")
        return
    ended = claim.get("treatment_end_date")
    if ended is not None and ended < claim["accident_date"]:
        _finish(decision, PENDING, "INVALID_VALUE", detail="treatment_end_date")  # R6
        return
    if ended is None or ended > as_of:
        _finish(decision, PENDING, "TREATMENT_NOT_ENDED")  # A5.3: after treatment has ended
        return
    amount = int(version.disability[grade])
    decision["base_amount"] = amount
    _accident_cap(claim, decision, term, version, register, "DISABILITY_GRADE", amount)


def _accidental_death(
    claim: Row,
    decision: Decision,
    term: TermKey,
    version: PolicyVersion,
    register: Register,
) -> None:
    """Step 8 — accidental death within one month (A3.3, A5.4, D7), then the cap (step 9)."""
    accident, death = claim["accident_date"], claim["death_date"]
    if death > add_months(accident, int(version.death_within_months)):
        _finish(decision, REJECTED, "DEATH_NOT_WITHIN_MONTH")
        return
    if death < accident:
        _finish(decision, PENDING, "INVALID_VALUE", detail="death_date")
        return
    amount = int(version.death_amount)
    decision["base_amount"] = amount
    _accident_cap(claim, decision, term, version, register, "ACCIDENTAL_DEATH", amount)


def _accident_cap(
    claim: Row,
    decision: Decision,
    term: TermKey,
    version: PolicyVersion,
    register: Register,
    reason: str,
    amount: int,
) -> None:
    """Step 9 — all accident payments to a member in one term are capped (A5.5, D8)."""
    room = int(version.accident_cap) - register.accident_paid_in_term(claim["id_number"], term)
    decision["cap_room"] = max(room, 0)
    if room <= 0:
        _finish(decision, REJECTED, "ACCIDENT_CAP_REACHED")
        return
    if amount > room:
        _finish(decision, APPROVED, "PARTIAL_CAP", room)
        decision["clause"] = "A5.5;D8"
    else:
        _finish(decision, APPROVED, reason, amount)
    _record(register, claim, decision, None)


def _record(register: Register, claim: Row, decision: Decision, code: str | None) -> None:
    """Step 10: an approval (or a refused second consolation) counts for every claim after."""
    register.record(
        claim_id=claim["claim_id"],
        status=decision["status"],
        event=event_date(claim),
        grade=claim.get("disability_grade"),
        id_number=claim["id_number"],
        claim_type=claim["claim_type"],
        disease_code=code,
        period=decision["period"],
        reason_code=decision["reason_code"],
        amount=decision["amount"],
        contract_no=decision["contract_no"],
        term_start=decision["term_start"],
    )
