"""Reading a diagnosis (A3.1, D10): the disease cell and an optional ICD-10 code → one outcome.

Every distinct (disease, diagnosis_code) pair of a claims frame is read into exactly one of:

- ``listed``       — a listed disease with every qualifier the plan writes into its name:
                     ``dx_code`` holds its catalogue code (C1-01 …), ``dx_class`` its class;
- ``person``       — pending AMBIGUOUS_DISEASE: ``dx_candidates`` lists the catalogue codes
                     it might be, ``dx_missing`` the qualifier that is missing;
- ``unrecognised`` — pending UNRECOGNISED_DISEASE: words the vocabulary does not know;
- ``unlisted``     — rejected DISEASE_NOT_LISTED: a condition outside the 27, recognised by
                     the explicit list in the data.

Only ``listed`` can pay and only ``unlisted`` can reject (D10: never pay or refuse on a guess).

INTERFACE NOTE (transitional): this first version wraps the catalogue's exact/near matcher so
that the calculator can be built against the final interface; the D10 reader replaces the
body of `read_diagnoses` and keeps its signature and output schema.
"""

from __future__ import annotations

import polars as pl

from aidctl.plan.catalogue import Catalogue

LISTED = "listed"
TO_PERSON = "person"
UNRECOGNISED = "unrecognised"
UNLISTED = "unlisted"
OUTCOMES = (LISTED, TO_PERSON, UNRECOGNISED, UNLISTED)

# One row per distinct (disease, diagnosis_code) of the input.
READING_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "disease": pl.Utf8,  # the cell as written (the join key, with diagnosis_code)
    "diagnosis_code": pl.Utf8,  # the ICD-10 cell as written, or null
    "dx_outcome": pl.Utf8,  # one of OUTCOMES
    "dx_code": pl.Utf8,  # listed: the catalogue code; else null
    "dx_class": pl.Int64,  # listed: 1 or 2; else null
    "dx_candidates": pl.Utf8,  # person: candidate catalogue codes, comma-separated
    "dx_missing": pl.Utf8,  # person: the key of the missing qualifier (vocabulary data)
    "dx_words": pl.Utf8,  # the words (or code range) that decided the reading
}


def read_diagnoses(frame: pl.DataFrame, catalogue: Catalogue) -> pl.DataFrame:
    """Read every distinct (disease, diagnosis_code) of `frame` (D10).

    `frame` needs a `disease` column; `diagnosis_code` is optional. Null pairs are returned
    too (outcome null) so that a left join on both keys attaches a reading to every row.
    """
    cols = ["disease", "diagnosis_code"]
    if "diagnosis_code" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, pl.Utf8).alias("diagnosis_code"))
    distinct = frame.select(cols).unique()
    rows = []
    for text, icd in distinct.iter_rows():
        outcome = code = candidates = words = None
        if text is not None:
            kind, match = catalogue.match(text)
            if kind == "exact":
                outcome, code, words = LISTED, match, text
            elif kind == "near":
                outcome, candidates = TO_PERSON, match
            else:
                outcome = UNLISTED
        rows.append(
            {
                "disease": text,
                "diagnosis_code": icd,
                "dx_outcome": outcome,
                "dx_code": code,
                "dx_class": catalogue.by_code(code).disease_class if code else None,
                "dx_candidates": candidates,
                "dx_missing": None,
                "dx_words": words,
            }
        )
    return pl.DataFrame(rows, schema=READING_SCHEMA)
