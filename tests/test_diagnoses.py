"""D10 / A3.1: reading a diagnosis into listed / person / unrecognised / unlisted.

Why these tests: the diagnosis list (tests/data/diagnoses.csv) holds real wordings of
Chinese discharge summaries, each with the outcome D10 gives it; part of it was written
independently from D10 alone. The vectorised reader is held equal to a row-by-row reference
reader (tests/diagnosis_reference.py) on generated texts, and the three guarantees of D10
are asserted on the whole list.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path

import polars as pl
import pytest
from diagnosis_reference import read_one
from hypothesis import given, settings
from hypothesis import strategies as st

from aidctl.core.diagnosis import OUTCOMES, READING_SCHEMA, read_diagnoses
from aidctl.errors import PolicyError
from aidctl.plan import load_policy
from aidctl.plan.params import default_policy_path

CATALOGUE = load_policy().catalogue
VOCAB = CATALOGUE.vocabulary
assert VOCAB is not None
ROWS = list(csv.DictReader((Path(__file__).parent / "data" / "diagnoses.csv").open()))


def _read(rows: list[dict[str, str]]) -> dict[tuple[str | None, str | None], dict]:
    frame = pl.DataFrame(
        {
            "disease": [r["text"] or None for r in rows],
            "diagnosis_code": [r["icd10"] or None for r in rows],
        },
        schema={"disease": pl.Utf8, "diagnosis_code": pl.Utf8},
    )
    out = read_diagnoses(frame, CATALOGUE)
    return {(r["disease"], r["diagnosis_code"]): r for r in out.iter_rows(named=True)}


READ = _read(ROWS)


def _got(row: dict[str, str]) -> dict:
    return READ[(row["text"] or None, row["icd10"] or None)]


def test_d10_a3_1_the_list_is_large_and_covers_every_listed_disease() -> None:
    assert len(ROWS) >= 300
    listed = {r["expected_code"] for r in ROWS if r["expected_outcome"] == "listed"}
    assert listed == {d.code for d in CATALOGUE.diseases}
    assert sum(r["expected_outcome"] == "unlisted" for r in ROWS) >= 60


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r['text']}|{r['icd10']}")
def test_d10_a3_1_every_listed_diagnosis_reads_as_expected(row: dict[str, str]) -> None:
    got = _got(row)
    assert got["dx_outcome"] == row["expected_outcome"], row["reason"]
    if row["expected_outcome"] == "listed":
        assert got["dx_code"] == row["expected_code"], row["reason"]
        assert got["dx_class"] == CATALOGUE.by_code(row["expected_code"]).disease_class
    else:
        assert got["dx_code"] is None and got["dx_class"] is None
    if row["expected_outcome"] == "person":
        expected = {c for c in row["expected_code"].split(";") if c}
        assert expected <= set((got["dx_candidates"] or "").split(",")), row["reason"]
        assert got["dx_missing"] in VOCAB.missing
        assert CATALOGUE.missing_hint(got["dx_missing"], "zh") != CATALOGUE.missing_hint(
            got["dx_missing"], "en"
        )


def test_d10_guarantee_no_listed_disease_with_its_qualifiers_goes_unpaid() -> None:
    """Every catalogue name, with or without its bracket, and every code, is listed."""
    rows = []
    for d in CATALOGUE.diseases:
        for text in (d.zh, d.zh.split("（")[0], d.code, d.code.lower(), d.en):
            rows.append({"text": text, "icd10": ""})
    read = _read(rows)
    for d in CATALOGUE.diseases:
        for text in (d.zh, d.zh.split("（")[0], d.code, d.code.lower(), d.en):
            assert read[(text, None)]["dx_outcome"] == "listed", text
            assert read[(text, None)]["dx_code"] == d.code, text


BARE = [
    "中风",
    "脑梗死",
    "脑出血",
    "颅内肿瘤",
    "器官移植",
    "主动脉手术",
    "心脏瓣膜置换术",
    "急性心肌梗死",
    "冠脉支架植入术",
    "慢性肾衰竭",
    "肝衰竭",
    "骨髓移植",
    "造血干细胞移植",
    "双目失明",
    "双耳失聪",
    "糖尿病酮症酸中毒",
    "重症胰腺炎",
    "肝硬化失代偿期",
    "肿瘤",
]


@pytest.mark.parametrize("text", BARE)
def test_d10_guarantee_a_name_lacking_a_qualifier_is_never_listed(text: str) -> None:
    got = _read([{"text": text, "icd10": ""}])[(text, None)]
    assert got["dx_outcome"] == "person"
    assert got["dx_candidates"]
    assert got["dx_missing"] in VOCAB.missing


def test_d10_guarantee_nothing_outside_the_27_is_listed() -> None:
    """Every word of the unlisted list, alone, is unlisted; with a hedge, to a person."""
    words = list(VOCAB.unlisted_words())
    read = _read([{"text": w, "icd10": ""} for w in words])
    for word in words:
        assert read[(word, None)]["dx_outcome"] in ("unlisted", "person"), word
    assert sum(read[(w, None)]["dx_outcome"] == "unlisted" for w in words) >= 60


def test_d10_a_code_alone_never_decides_an_operation_item() -> None:
    read = _read([{"text": "", "icd10": c} for c in ("I21.9", "I71.0", "I35.0", "Z94.0")])
    for got in read.values():
        assert got["dx_outcome"] != "listed"


def test_d10_icd_range_boundaries_both_sides() -> None:
    cases = {
        "C76.0": "listed",
        "C77.0": "person",
        "C79.9": "person",
        "C80.0": "listed",
        "C97": "listed",
        "D09.9": "listed",
        "D10.0": "unrecognised",
        "D32.0": "listed",
        "D33.9": "listed",
        "D34": "unrecognised",
        "D47.4": "listed",
        "D47.3": "person",
        "D45": "person",
        "D61.9": "listed",
        "D62": "unrecognised",
        "A83.0": "listed",
        "A83.1": "unrecognised",
        "G12.2": "listed",
        "G12.1": "unrecognised",
        "N18.5": "listed",
        "N18.4": "unrecognised",
    }
    read = _read([{"text": "", "icd10": c} for c in cases])
    for code, outcome in cases.items():
        assert read[(None, code)]["dx_outcome"] == outcome, code


def test_d10_reading_schema_and_one_row_per_distinct_pair() -> None:
    frame = pl.DataFrame({"disease": ["胃癌", "胃癌", None, "高血压"]})
    out = read_diagnoses(frame, CATALOGUE)
    assert out.schema == pl.Schema(READING_SCHEMA)
    assert out.height == 3
    assert set(out["dx_outcome"].drop_nulls()) <= set(OUTCOMES)


# -- the vectorised reader equals the reference reader (D10)
WORDS = sorted({w for r in VOCAB.rules for w in r.words})
EXTRA = [*VOCAB.hedge, *VOCAB.donor, "左肺上叶", "（", "）", " ", "、", "术", "伴", "C1-01", "ＡＢ"]
CODES = [
    None,
    "",
    "C34.1",
    "c16",
    "C77.1",
    "C80",
    "D05.1",
    "D32.0",
    "D39.1",
    "D47.4",
    "D46.9",
    "D61",
    "A83.0",
    "G12.2",
    "N18.5",
    "N18.4",
    "I21.9",
    "I10",
    "E11.9",
    "Z94.0",
    "xx",
]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(WORDS + EXTRA), min_size=0, max_size=4),
    st.sampled_from(CODES),
    st.booleans(),
)
def test_d10_vectorised_reader_equals_the_reference(
    parts: list[str], code: str | None, null: bool
) -> None:
    text = None if null and not parts else "".join(parts)
    out = read_diagnoses(
        pl.DataFrame(
            {"disease": [text], "diagnosis_code": [code]},
            schema={"disease": pl.Utf8, "diagnosis_code": pl.Utf8},
        ),
        CATALOGUE,
    ).row(0, named=True)
    ref = read_one(text, code, CATALOGUE)
    assert {k: out[k] for k in ref} == ref


def test_d10_reading_a_few_thousand_distinct_texts_is_fast() -> None:
    texts = [WORDS[i % len(WORDS)] + WORDS[(i * 7) % len(WORDS)] + str(i) for i in range(3000)]
    frame = pl.DataFrame(
        {"disease": texts, "diagnosis_code": [CODES[i % len(CODES)] for i in range(3000)]}
    )
    read_diagnoses(frame.head(10), CATALOGUE)
    start = time.perf_counter()
    read_diagnoses(frame, CATALOGUE)
    assert time.perf_counter() - start < 2.0  # generous on a shared 2-core machine


# -- the loader validates the vocabulary (D10: data the association edits)
def _broken(tmp_path: Path, old: str, new: str) -> Path:
    text = default_policy_path().read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "plan.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ('range = "C00-C76"', 'range = "C76-C00"', "vocabulary.icd[0].range"),
        ('range = "C00-C76"', 'range = "C0-C76"', "vocabulary.icd[0].range"),
        ('reads = "C2-14"', 'reads = "C9-99"', "vocabulary.rule[0].reads"),
        ('missing = "transplant_kind"', 'missing = "nope"', "missing"),
        ('"C1-02" = ["I20-I25"', '"C9-02" = ["I20-I25"', "vocabulary.agrees.C9-02"),
        ("[catalogue.vocabulary]\n", "[catalogue.vocabulary]\nspare = 1\n", "vocabulary.spare"),
    ],
)
def test_d10_a_broken_vocabulary_stops_with_file_and_key(
    tmp_path: Path, old: str, new: str, key: str
) -> None:
    path = _broken(tmp_path, old, new)
    with pytest.raises(PolicyError) as err:
        load_policy(path)
    assert str(path) in err.value.en
    assert key in err.value.en


def test_d10_missing_hint_names_the_column_in_both_languages() -> None:
    assert "病种" in CATALOGUE.missing_hint("stent", "zh")
    assert "C1-02" in CATALOGUE.missing_hint("stent", "en")
    for key in VOCAB.missing:
        assert "病种" in CATALOGUE.missing_hint(key, "zh") or "编码" in CATALOGUE.missing_hint(
            key, "zh"
        )
    assert CATALOGUE.missing_hint("unknown", "en")


# -- aidctl policy diseases (D10, D1)
def test_d10_cli_policy_diseases_check_explains_the_reading() -> None:
    from cli_workbooks import run_cli

    result = run_cli("policy", "diseases", "--check", "冠脉支架植入术")
    assert result.exit_code == 0, result.stderr
    assert "待人工审核" in result.stdout
    assert "C1-02" in result.stdout
    assert CATALOGUE.missing_hint("infarction", "zh") in result.stdout
    result = run_cli("policy", "diseases", "--check", "肺占位", "--code", "C34.1", "--lang", "en")
    assert result.exit_code == 0, result.stderr
    assert "a listed disease" in result.stdout and "C1-01" in result.stdout
    assert "ICD-10 C00-C76" in result.stdout


def test_d1_cli_policy_diseases_lists_the_catalogue_with_pairs() -> None:
    import json

    from cli_workbooks import run_cli

    result = run_cli("policy", "diseases", "--json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == 27
    c102 = next(r for r in rows if r["code"] == "C1-02")
    assert c102["related"] == {"C1-02": "certain", "C1-10": "certain"}
    assert c102["rules"] >= 1


def _one(text: str, code: str | None = None) -> dict:
    return _read([{"text": text, "icd10": code or ""}])[(text, code)]


def test_L40_an_unreadable_icd_code_is_ignored_and_the_name_decides() -> None:
    """L40: "12X" is not a letter and two digits: the name alone decides, both ways."""
    assert _one("胃癌", "12X")["dx_outcome"] == _one("胃癌")["dx_outcome"] == "listed"
    assert _one("胃癌", "12X")["dx_code"] == "C1-01"
    assert _one("冠心病", "12X")["dx_outcome"] == _one("冠心病")["dx_outcome"] == "unlisted"
    assert "ICD-10" in _one("胃癌", "C16")["dx_words"]  # a readable code is read
    assert "ICD-10" not in _one("胃癌", "12X")["dx_words"]


@pytest.mark.parametrize(
    ("text", "code"),
    [("冠状动脉搭桥术", "C1-10"), ("出血坏死性胰腺炎", "C1-06"), ("肾移植术", "C1-08")],
)
def test_L41_a_qualifier_the_name_implies_is_not_required(text: str, code: str) -> None:
    """L41: bypass is open-chest, 出血坏死 is acute, a transplant is from another person."""
    got = _one(text)
    assert (got["dx_outcome"], got["dx_code"]) == ("listed", code)


def test_L42_a_code_outside_the_ranges_contradicts_the_name_unless_it_agrees() -> None:
    """L42: J18.9 contradicts 胃癌 and a stent for infarction (person, code_conflict); I21.0
    agrees with C1-02 (listed)."""
    for text, code in (("胃癌", "C1-01"), ("急性前壁心肌梗死 冠脉支架植入术", "C1-02")):
        got = _one(text, "J18.9")
        assert (got["dx_outcome"], got["dx_missing"], got["dx_candidates"]) == (
            "person",
            "code_conflict",
            code,
        )
    agreed = _one("急性前壁心肌梗死 冠脉支架植入术", "I21.0")
    assert (agreed["dx_outcome"], agreed["dx_code"]) == ("listed", "C1-02")


@pytest.mark.parametrize(
    ("text", "candidate"),
    [("肝硬化", "C1-05"), ("急性胰腺炎", "C1-06"), ("肺肿瘤", "C1-01")],
)
def test_L43_short_of_the_plans_wording_goes_to_a_person(text: str, candidate: str) -> None:
    """L43: cirrhosis without its stage, pancreatitis without 出血坏死, a tumour of unnamed
    nature go to a person; the full wording (出血坏死性胰腺炎) is listed."""
    got = _one(text)
    assert got["dx_outcome"] == "person" and candidate in got["dx_candidates"].split(",")
    assert _one("急性出血坏死性胰腺炎")["dx_outcome"] == "listed"


def test_L44_a_metastasis_beside_its_primary_goes_to_a_person() -> None:
    """L44: 肺癌 alone is listed; 肺癌伴骨转移 goes to a person."""
    assert _one("肺癌")["dx_outcome"] == "listed"
    got = _one("肺癌伴骨转移")
    assert (got["dx_outcome"], got["dx_candidates"]) == ("person", "C1-01")


def test_L45_donor_words_are_read_before_hedges() -> None:
    """L45: 供肾切取术后 (donor + hedge 术后) is unlisted; a recipient's 肾移植术后 is the
    hedge's person."""
    assert _one("供肾切取术后")["dx_outcome"] == "unlisted"
    assert _one("供肾切取术")["dx_outcome"] == "unlisted"
    assert _one("肾移植术后")["dx_outcome"] == "person"


def test_L46_infarction_and_stroke_codes_never_reject() -> None:
    """L46: 冠心病 is unlisted alone (and with I25.1) but goes to a person with I21.4; 脑梗死
    with I63.9 goes to a person; the name that says the impairment is listed."""
    assert _one("冠心病", "I25.1")["dx_outcome"] == "unlisted"
    infarct = _one("冠心病", "I21.4")
    assert (infarct["dx_outcome"], infarct["dx_candidates"]) == ("person", "C1-02,C1-10")
    stroke = _one("脑梗死", "I63.9")
    assert (stroke["dx_outcome"], stroke["dx_missing"]) == ("person", "stroke_outcome")
    named = _one("脑梗死所致永久性功能障碍", "I63.9")
    assert (named["dx_outcome"], named["dx_code"]) == ("listed", "C1-07")
