"""Dated plan parameters (A5.6, D9): loading, validation, and the set in force on a day."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import polars as pl
import pytest

from aidctl.core.diagnosis import read_diagnoses
from aidctl.errors import PolicyError
from aidctl.plan.params import default_policy_path, load_policy, parse_policy

SCHEMA = {"disease": pl.Utf8, "diagnosis_code": pl.Utf8}
RAW = tomllib.loads(default_policy_path().read_text(encoding="utf-8"))


def _copy() -> dict:
    return tomllib.loads(default_policy_path().read_text(encoding="utf-8"))


def test_shipped_amounts_match_the_plan():
    v = load_policy().at(dt.date(2026, 11, 28))
    assert (v.class1_amount, v.class2_amount, v.same_disease_cap) == (15000, 5000, 15000)  # A5.1
    assert (v.exemption_last_day, v.reduced_last_day, v.reduced_pct) == (60, 180, 30)  # A2.2, A5.2a
    assert v.consolation_amount == 2000  # A5.2b
    assert v.disability == {
        1: 20000,
        2: 15000,
        3: 10000,
        4: 7000,
        5: 5000,
        6: 4000,
        7: 3000,
        8: 1500,
        9: 1000,
        10: 500,
    }  # A5.3
    assert (v.death_amount, v.accident_cap) == (30000, 30000)  # A5.4, A5.5
    assert (v.contribution_per_member, v.renewal_grace_days) == (100, 20)  # A4.1, A7.1
    assert v.clause("reduced_pct") == "A5.2a"


def test_every_parameter_names_its_clause():
    v = load_policy().latest
    for key in v.values:
        assert v.clause(key), key


def test_catalogue_has_27_diseases_in_two_classes_a3_1():
    cat = load_policy().catalogue
    classes = [d.disease_class for d in cat.diseases]
    assert (len(classes), classes.count(1), classes.count(2)) == (27, 12, 15)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # what the old exact/near matcher was asked, as D10 reads it now (A3.1)
        ("C1-01", ("listed", "C1-01")),
        ("恶性肿瘤", ("listed", "C1-01")),
        ("癌症", ("listed", "C1-01")),
        ("尿毒症", ("listed", "C1-03")),
        ("心梗支架", ("listed", "C1-02")),
        ("脑卒中", ("person", None)),  # a bare stroke: no death, no permanent impairment
        ("中风", ("person", None)),
        ("再障", ("listed", "C2-04")),
        ("渐冻症", ("listed", "C2-11")),
        ("原位癌", ("listed", "C2-01")),
        ("原位癌（病理诊断）", ("listed", "C2-01")),
        ("原发性恶性肿痛", ("unrecognised", None)),  # a typo is no evidence: never near-matched
        ("阑尾炎", ("unlisted", None)),
    ],
)
def test_disease_reading_d10_a3_1(text, expected):
    """D10 (A3.1): the catalogue's vocabulary is the only reading; no alias list, no near
    match — what it cannot read goes to a person (person / unrecognised), never paid."""
    frame = pl.DataFrame({"disease": [text], "diagnosis_code": [None]}, schema=SCHEMA)
    row = read_diagnoses(frame, load_policy().catalogue).row(0, named=True)
    assert (row["dx_outcome"], row["dx_code"]) == expected


def test_catalogue_has_no_aliases_d10():
    """D10: an `aliases` key in the catalogue is refused (the vocabulary reads diagnoses)."""
    raw = _copy()
    raw["catalogue"]["disease"][0]["aliases"] = ["癌"]
    with pytest.raises(PolicyError):
        parse_policy(raw, "x.toml")


def test_related_pairs_d1_are_pairs_not_groups():
    cat = load_policy().catalogue
    # D1 certain pair, both ways, and every disease related to itself
    assert cat.related("C1-02") == {"C1-02": "certain", "C1-10": "certain"}
    assert cat.related("C1-10")["C1-02"] == "certain"
    # D1 review pairs: a tumour and its earlier stage; not transitive (C2-01 !~ C2-02)
    assert cat.related("C2-01") == {"C2-01": "certain", "C1-01": "review"}
    assert "C2-02" not in cat.related("C2-01")
    assert cat.related("C2-06") == {"C2-06": "certain", "C1-08": "review"}


def test_related_pairs_d1_refuse_unknown_codes_and_repeats():
    raw = _copy()
    raw["catalogue"]["related"]["review"].append(["C1-01", "C9-99"])
    with pytest.raises(PolicyError, match="C9-99"):
        parse_policy(raw, "test")
    raw = _copy()
    raw["catalogue"]["related"]["review"].append(["C1-10", "C1-02"])
    with pytest.raises(PolicyError, match="twice"):
        parse_policy(raw, "test")


def test_a_later_version_takes_effect_on_its_date_d9():
    raw = _copy()
    newer = _copy()["version"][0]
    newer["id"] = "2027-board"
    newer["effective_from"] = dt.date(2027, 1, 1)
    newer["illness"]["class1_amount"]["value"] = 20000
    newer["illness"]["same_disease_cap"]["value"] = 20000
    raw["version"].append(newer)
    policy = parse_policy(raw)
    assert policy.at(dt.date(2026, 12, 31)).class1_amount == 15000
    assert policy.at(dt.date(2027, 1, 1)).class1_amount == 20000


def _fails(raw: dict, fragment: str) -> None:
    with pytest.raises(PolicyError) as info:
        parse_policy(raw, "p.toml")
    assert "p.toml" in info.value.en and fragment in info.value.en


def test_missing_grade_is_refused():
    raw = _copy()
    del raw["version"][0]["disability"]["grades"]["7"]
    _fails(raw, "disability.grades")


def test_unknown_key_is_refused():
    raw = _copy()
    raw["version"][0]["illness"]["class3_amount"] = {"value": 1, "clause": "x"}
    _fails(raw, "class3_amount")


def test_versions_out_of_order_are_refused():
    raw = _copy()
    older = _copy()["version"][0]
    older["id"] = "older"
    older["effective_from"] = dt.date(2010, 1, 1)
    raw["version"].append(older)
    _fails(raw, "effective_from")


def test_cap_below_class_amount_is_refused_l13():
    raw = _copy()
    raw["version"][0]["illness"]["same_disease_cap"]["value"] = 10000
    _fails(raw, "same_disease_cap")


def test_wrong_type_is_refused():
    raw = _copy()
    raw["version"][0]["waiting"]["reduced_pct"]["value"] = "thirty"
    _fails(raw, "reduced_pct")


def test_unreadable_file_names_the_file(tmp_path: Path):
    bad = tmp_path / "bad.toml"
    bad.write_text("this is = = not toml", encoding="utf-8")
    with pytest.raises(PolicyError) as info:
        load_policy(bad)
    assert str(bad) in info.value.en
    with pytest.raises(PolicyError):
        load_policy(tmp_path / "missing.toml")


def test_a8_1_the_first_version_takes_effect_on_promulgation_day():
    """A8.1: the plan is in force from 27 June 2018: the first parameter version starts then,
    and it is the one in force on that day."""
    policy = load_policy()
    assert policy.versions[0].effective_from == dt.date(2018, 6, 27)
    assert policy.at(dt.date(2018, 6, 27)).id == policy.versions[0].id == "2018-95"
