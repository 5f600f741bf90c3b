"""Reopening a rejection, on both back ends (issue 11 item 3, L134, L135).

Why: a claim rejected NO_COVERAGE because its unit's roster came later, or for a diagnosis
the clerk then corrects, could only come back ALREADY_DECIDED or CLAIM_CONFLICT. A reopen
(append-only, like a void) lets the re-sent row be decided afresh, while the register still
keeps one live decision per claim (L60) and the payments export does not move.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from items_helpers import STRANGER, adjudicate, decided, enrol, month_claims

from aidctl import api
from aidctl.errors import InputError
from aidctl.register import Register


def _live(db: str, claim_id: str) -> list[dict[str, object]]:
    with Register.open(db, create=False) as reg:
        return [d for d in reg.decisions_of_claim(claim_id) if d["void_run"] is None]


def test_l134_a_reopened_rejection_resent_is_decided_afresh(
    tmp_path: Path, register_location: str
) -> None:
    """L134: NO_COVERAGE while the roster was on its way; the roster comes, the clerk
    reopens, the row sent again is approved; explain shows the reopen, one live decision."""
    db = register_location
    enrol(tmp_path, db)
    first = adjudicate(tmp_path, db, month_claims(), "2026-06-01", "june")
    assert decided(first)["LP5"] == ("rejected", "NO_COVERAGE")
    lp5 = [c for c in month_claims() if c["claim_id"] == "LP5"]
    # without a reopen, the same row is only ALREADY_DECIDED, even once the roster is in
    enrol(tmp_path, db, "U002", first_id=STRANGER - 2)
    again = adjudicate(tmp_path, db, lp5, "2026-06-05", "again")
    assert decided(again)["LP5"] == ("rejected", "ALREADY_DECIDED")
    paid_before = api.payments("2026-06", db=db).amount

    done = api.reopen("LP5", "名册已补登", db=db, as_of="2026-06-10")
    assert (done.reopened["status"], done.reopened["reason_code"]) == ("rejected", "NO_COVERAGE")
    assert _live(db, "LP5") == []
    items = api.pending(db=db, as_of="2026-06-10").frame
    reopened = items.filter(items["claim_id"] == "LP5").row(0, named=True)
    assert reopened["reason_code"] == "REOPENED"
    assert "NO_COVERAGE" in reopened["what_to_fix"] and "重新提交" in reopened["what_to_fix"]
    assert api.payments("2026-06", db=db).amount == paid_before  # a reopen moves no money

    resent = adjudicate(tmp_path, db, lp5, "2026-06-15", "resent")
    assert decided(resent)["LP5"][0] == "approved"
    assert "LP5" not in api.pending(db=db, as_of="2026-06-15").frame["claim_id"].to_list()
    live = _live(db, "LP5")
    assert [d["status"] for d in live] == ["approved"]
    shown = api.explain("LP5", db=db).to_json()
    decisions = [r for r in shown if r.get("record") != "open_item"]
    assert [(d["status"], d.get("reopen_reason")) for d in decisions] == [
        ("rejected", "名册已补登"),
        ("approved", None),
    ]


def test_l134_only_a_live_rejection_is_reopened(tmp_path: Path, register_location: str) -> None:
    """L134: a payment is voided, not reopened; a claim without a decision, or a reopen
    without a reason, is refused; a rejection is reopened once (then it has no live one)."""
    db = register_location
    enrol(tmp_path, db)
    adjudicate(tmp_path, db, month_claims(), "2026-06-01", "june")
    with pytest.raises(InputError, match="void"):
        api.reopen("LP1", "wrong amount", db=db, as_of="2026-06-02")
    with pytest.raises(InputError, match="no decision"):
        api.reopen("LP2", "pending, not decided", db=db, as_of="2026-06-02")
    with pytest.raises(InputError, match="--reason"):
        api.reopen("LP5", " ", db=db, as_of="2026-06-02")
    api.reopen("LP5", "roster on its way", db=db, as_of="2026-06-02")
    with pytest.raises(InputError, match="no decision"):
        api.reopen("LP5", "twice", db=db, as_of="2026-06-02")
    assert [d["status"] for d in _live(db, "LP1")] == ["approved"]


def test_l134_the_register_keeps_reopens_append_only(
    tmp_path: Path, register_location: str
) -> None:
    """L134: a reopen row is never rewritten or deleted, and points at a void."""
    db = register_location
    enrol(tmp_path, db)
    adjudicate(tmp_path, db, month_claims(), "2026-06-01", "june")
    api.reopen("LP5", "roster on its way", db=db, as_of="2026-06-02")
    with Register.open(db, create=False) as reg:
        (reopen,) = reg.reopens_of_claim("LP5")
        assert reopen["reason"] == "roster on its way"
        conn = reg.connection  # type: ignore[attr-defined]
        for sql in ("DELETE FROM reopens", "UPDATE reopens SET reason = 'other'"):
            with pytest.raises(Exception, match=r"never (deleted|rewritten)"):
                conn.execute(sql)


def test_l135_curable_rejections_say_how_in_both_languages() -> None:
    """L135: NO_COVERAGE and DISEASE_NOT_LISTED name the reopen and the re-send;
    CLAIM_CONFLICT names reopen and void."""
    from aidctl.i18n import message

    for code in ("NO_COVERAGE", "DISEASE_NOT_LISTED", "CLAIM_CONFLICT"):
        assert "aidctl reopen" in message(code, "zh") and "重新提交" in message(code, "zh")
        assert "aidctl reopen CLAIM_ID" in message(code, "en")
        assert "sent again" in message(code, "en") or "send the row again" in message(code, "en")
    assert "名册" in message("NO_COVERAGE", "zh") and "roster" in message("NO_COVERAGE", "en")
    assert "诊断" in message("DISEASE_NOT_LISTED", "zh")
    assert "aidctl void" in message("CLAIM_CONFLICT", "en")


def test_l134_a_claim_without_a_decision_is_refused_naming_the_register_without_its_password(
    tmp_path: Path, register_location: str
) -> None:
    """L134 and `void` (L100: a register as messages show it): reopening or voiding a claim
    the register holds no live decision of is refused in both languages, naming the
    register; a PostgreSQL URL is named without its password."""
    from aidctl.register import shown

    db = register_location
    if "://" in db:  # the throwaway cluster trusts its socket: a password is accepted, unused
        db = db.replace("://aidctl@", "://aidctl:s3cret@", 1)
    enrol(tmp_path, db)
    for act in (api.reopen, api.void):
        with pytest.raises(InputError, match="no decision") as refused:
            act("LP404", "no such claim", db=db, as_of="2026-06-02")
        for sentence in (refused.value.en, refused.value.zh):
            assert shown(db) in sentence
            assert "s3cret" not in sentence
