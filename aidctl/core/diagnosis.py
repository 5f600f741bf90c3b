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

How the reader decides (D10; the vocabulary is data in the parameter file,
`[catalogue.vocabulary]`), in this order — the first step that decides wins:

1. an empty disease cell and no code → outcome null (the intake reports the missing field);
   a cell of punctuation only (？？？) and no readable code → unrecognised;
2. the plan's code written as the disease (C1-01, c1-01, C1－01) or the plan's own name
   (zh or en, with or without its bracketed part) → listed;
3. donor words (供肾切取, 供体 …) → unlisted: the plan covers the recipient (D10 "除供体");
4. hedge and history words (疑似, 待排, 术后, 复发 …) → to a person, whatever else is written;
5. the ICD-10 cell, read before the name (D10): a range that names a disease decides it when
   the name is silent or agrees; a name that agrees and is more specific (an operation the
   code cannot express) decides; a name that contradicts the code → to a person; ranges
   that D10 sends to a person (C77–C79, D45–D47, D37–D44 without 交界性) do so; a code in
   no range is checked against the codes that agree with the disease the name reads (L42);
6. the vocabulary rules, first match wins (specific rules stand above general ones in the
   data); a listed rule whose name also holds a word of the unlisted list (冠心病 …) goes to a
   person ("names that say more"), unless that word is the rule's `context`;
7. an unlisted word, when nothing listed remains once the unlisted words are taken out →
   unlisted; else to a person;
8. nothing known → unrecognised.

Texts are compared after NFKC, lower-casing, removing spaces and brackets (the words inside
brackets are read too: 左肺上叶（腺癌）) and the plan's own remarks (`ignore`).

Readings of the project's own (L-entries):
- L40 — a diagnosis code that cannot be read as ICD-10 (not a letter and two digits) is
  ignored and the name decides alone; the intake may warn about it separately.
- L41 — a qualifier that the rest of the name already implies decides nothing and is not
  required: 冠状动脉搭桥 is always an open-chest operation (C1-10), 出血坏死性胰腺炎 is always
  acute (C1-06), a named organ transplant (肾移植) is always from another person (C1-08).
- L42 — a code outside D10's ranges contradicts the name unless it is one of the codes that
  agree with the disease the name reads (`[catalogue.vocabulary.agrees]`, e.g. I21 with
  心肌梗死支架植入术); a contradiction goes to a person, never pays, never rejects.
- L43 — cirrhosis (肝硬化) without its stage, acute pancreatitis without 出血坏死, a valve or
  aortic disease without its operation, and a tumour of unnamed nature go to a person; the
  plan's disease may lie behind them.
- L44 — a metastasis written beside its primary (肺癌伴骨转移) goes to a person, as D10 keeps
  转移 out of the malignant family; the clerk confirms the primary and writes C1-01.
- L45 — donor words are read before hedges: a member who gave an organ is not covered for
  it, whenever it was (供肾切取术后 is unlisted).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import polars as pl

from aidctl.plan.catalogue import LISTED_READS, Catalogue, IcdRange, Rule

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


_BRACKETS = r"[()\[\]{}【】〔〕〖〗<>《》「」『』]"
_NO_WORDS = r"[\p{P}\p{S}]"  # a cell of punctuation only (？？？, —) holds no words


def _norm(text: str, ignore: tuple[str, ...]) -> str:
    """The Python twin of `_norm_expr`, for the catalogue's own names (a handful)."""
    out = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()
    out = re.sub(_BRACKETS, "", out)
    for phrase in ignore:
        out = out.replace(phrase, "")
    return out


def _norm_expr(col: str, ignore: tuple[str, ...]) -> pl.Expr:
    expr = (
        pl.col(col)
        .fill_null("")
        .str.normalize("NFKC")
        .str.to_lowercase()
        .str.replace_all(r"\s+", "")
        .str.replace_all(_BRACKETS, "")
    )
    for phrase in ignore:
        expr = expr.str.replace_all(phrase, "", literal=True)
    return expr


def words_regex(words: tuple[str, ...] | list[str]) -> str:
    """An alternation that prefers the longest word at each position."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


def _any(expr: pl.Expr, words: tuple[str, ...]) -> pl.Expr:
    return expr.str.contains_any(list(words)) if words else pl.lit(False)


def _rule_expr(rule: Rule, text: pl.Expr) -> pl.Expr:
    cond = pl.lit(True)
    for group in rule.all:
        cond = cond & _any(text, group)
    if rule.none:
        cond = cond & ~_any(text, rule.none)
    return cond


def _first(conds: list[tuple[int, pl.Expr]]) -> pl.Expr:
    """The index of the first rule that matches, or null."""
    if not conds:
        return pl.lit(None, pl.Int64)
    return pl.coalesce([pl.when(c).then(pl.lit(i, pl.Int64)) for i, c in conds])


def _in_ranges(key: pl.Expr, ranges: tuple[IcdRange, ...]) -> pl.Expr:
    cond = pl.lit(False)
    for r in ranges:
        n = len(r.low)
        head = key.str.slice(0, n)
        cond = cond | ((key.str.len_chars() >= n) & (head >= r.low) & (head <= r.high))
    return cond.fill_null(False)


def _codes(*parts: pl.Expr) -> pl.Expr:
    """Comma-separated catalogue codes, unique and sorted (null when there are none)."""
    joined = pl.concat_str(list(parts), separator=",", ignore_nulls=True)
    listed = joined.str.split(",").list.eval(pl.element().filter(pl.element() != ""))
    out = listed.list.unique().list.sort().list.join(",")
    return pl.when(out == "").then(None).otherwise(out)


def _by_rule(idx: pl.Expr, rules: tuple[Rule, ...], value: Any) -> pl.Expr:
    """A when-chain over rule indices; `value(rule)` gives the expression for one rule."""
    chain: Any = pl
    for rule in rules:
        chain = chain.when(idx == rule.index).then(value(rule))
    return chain.otherwise(None) if rules else pl.lit(None)


def read_diagnoses(frame: pl.DataFrame, catalogue: Catalogue) -> pl.DataFrame:
    """Read every distinct (disease, diagnosis_code) of `frame` (A3.1, D10).

    `frame` needs a `disease` column; `diagnosis_code` is optional. Pairs with neither are
    returned too (outcome null) so that a left join on both keys attaches a reading to
    every row. Vectorised: one expression per vocabulary rule over the distinct texts.
    """
    if "diagnosis_code" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, pl.Utf8).alias("diagnosis_code"))
    distinct = frame.select(
        pl.col("disease").cast(pl.Utf8), pl.col("diagnosis_code").cast(pl.Utf8)
    ).unique()
    vocab = catalogue.vocabulary
    if vocab is None:
        raise ValueError("the catalogue has no D10 vocabulary")
    classes = {d.code: d.disease_class for d in catalogue.diseases}
    rules = vocab.rules
    listed_rules = tuple(r for r in rules if r.reads not in LISTED_READS)
    not_unlisted = tuple(r for r in rules if r.reads != "unlisted")
    unlisted_words = vocab.unlisted_words()

    # the plan's own codes and names → their code (step 2)
    names: dict[str, str] = {}
    for d in catalogue.diseases:
        plain_zh = re.sub(r"[（(][^）)]*[）)]", "", d.zh)
        plain_en = re.sub(r"[（(][^）)]*[）)]", "", d.en)
        for name in (d.code, d.zh, plain_zh, d.en, plain_en):
            names.setdefault(_norm(name, vocab.ignore), d.code)
    names.pop("", None)

    t = pl.col("_t")
    u = pl.col("_u")
    key = pl.col("_key")
    df = distinct.with_columns(
        _norm_expr("disease", vocab.ignore).alias("_t"),
        pl.concat_str(
            [
                pl.col("diagnosis_code")
                .str.normalize("NFKC")
                .str.to_uppercase()
                .str.replace_all(r"\s+", "")
                .str.extract(r"^([A-Z][0-9]{2})", 1),
                pl.col("diagnosis_code")
                .str.normalize("NFKC")
                .str.to_uppercase()
                .str.replace_all(r"\s+", "")
                .str.extract(r"^[A-Z][0-9]{2}\.?([0-9])", 1)
                .fill_null(""),
            ]
        ).alias("_key"),
    )
    df = df.with_columns(
        (t.str.replace_all(words_regex(unlisted_words), "") if unlisted_words else t).alias("_u"),
        (
            t.str.replace_all(words_regex(vocab.listed_words()), "") if vocab.listed_words() else t
        ).alias("_r"),
    )
    r = pl.col("_r")

    # step 6/7: the rules. The first rule on the text; for texts whose first rule is
    # unlisted, the first other rule once the unlisted words are taken out.
    idx_t = _first([(rule.index, _rule_expr(rule, t)) for rule in rules])
    df = df.with_columns(idx_t.alias("_it"))
    table = pl.DataFrame(
        {
            "_rule": [rule.index for rule in rules],
            "_reads": [rule.reads for rule in rules],
            "_rcode": [rule.reads if rule.reads not in LISTED_READS else None for rule in rules],
            "_rcands": [",".join(rule.candidates) or None for rule in rules],
            "_rmissing": [rule.missing for rule in rules],
            "_rwords": [sorted(set(rule.words)) for rule in rules],
        },
        schema={
            "_rule": pl.Int64,
            "_reads": pl.Utf8,
            "_rcode": pl.Utf8,
            "_rcands": pl.Utf8,
            "_rmissing": pl.Utf8,
            "_rwords": pl.List(pl.Utf8),
        },
    )
    df = df.join(table.select("_rule", "_reads"), left_on="_it", right_on="_rule", how="left")
    second = df.filter(pl.col("_reads") == "unlisted").select(
        "_t", _first([(rule.index, _rule_expr(rule, u)) for rule in not_unlisted]).alias("_iu")
    )
    df = df.join(second.unique("_t"), on="_t", how="left", nulls_equal=True)
    it, iu = pl.col("_it"), pl.col("_iu")
    says_more_global = _any(r, unlisted_words)
    ctx_rules = tuple(rule for rule in listed_rules if rule.context)
    says_more = _by_rule(
        it,
        ctx_rules,
        lambda rule: _any(r.str.replace_all(words_regex(rule.context), ""), unlisted_words),
    )
    says_more = pl.coalesce([says_more, says_more_global]) if ctx_rules else says_more_global
    reads_ = pl.col("_reads")
    via_u = ((reads_ == "unlisted") & iu.is_not_null()).fill_null(False)
    df = df.with_columns(
        says_more.alias("_more"),
        via_u.alias("_via_u"),
        pl.when(via_u).then(iu).otherwise(it).alias("_idx"),
    )
    all_words = words_regex([w for rule in rules for w in rule.words])
    df = (
        df.join(table.drop("_reads"), left_on="_idx", right_on="_rule", how="left")
        .with_columns(
            pl.when(pl.col("_via_u"))
            .then(u)
            .otherwise(t)
            .str.extract_all(all_words)
            .list.set_intersection(pl.col("_rwords"))
            .list.sort()
            .list.join("+")
            .alias("_n_words")
        )
        .with_columns(
            pl.when(pl.col("_n_words") == "")
            .then(None)
            .otherwise(pl.col("_n_words"))
            .alias("_n_words")
        )
    )
    n_outcome = (
        pl.when(reads_.is_null())
        .then(pl.lit(UNRECOGNISED))
        .when(pl.col("_via_u"))
        .then(pl.lit(TO_PERSON))
        .when(reads_ == "unlisted")
        .then(pl.lit(UNLISTED))
        .when(reads_ == "person")
        .then(pl.lit(TO_PERSON))
        .when(pl.col("_more"))
        .then(pl.lit(TO_PERSON))
        .otherwise(pl.lit(LISTED))
    )
    df = df.with_columns(
        n_outcome.alias("_n_out"),
        pl.col("_rcode").alias("_n_rule_code"),
        pl.col("_rcands").alias("_n_rule_cands"),
        pl.col("_rmissing").alias("_n_rule_missing"),
    )
    n_out = pl.col("_n_out")
    n_rule_code = pl.col("_n_rule_code")
    n_code = pl.when(n_out == LISTED).then(n_rule_code)
    n_cands = (
        pl.when(n_out == TO_PERSON)
        .then(_codes(n_rule_code, pl.col("_n_rule_cands")))
        .otherwise(None)
    )
    n_missing = (
        pl.when(n_out != TO_PERSON)
        .then(None)
        .when(pl.col("_via_u") | (reads_ != "person"))
        .then(pl.lit("says_more"))
        .otherwise(pl.col("_n_rule_missing"))
    )
    df = df.with_columns(
        n_code.alias("_n_code"), n_cands.alias("_n_cands"), n_missing.alias("_n_missing")
    )

    # step 5: the ICD-10 code
    icd = vocab.icd
    icd_idx = _first([(i, _in_ranges(key, (rng,))) for i, rng in enumerate(icd)])
    df = df.with_columns(icd_idx.alias("_ii"))
    ii = pl.col("_ii")

    def by_range(value: Any) -> pl.Expr:
        chain: Any = pl
        for i, rng in enumerate(icd):
            chain = chain.when(ii == i).then(value(rng))
        return chain.otherwise(None) if icd else pl.lit(None)

    icd_code = by_range(
        lambda rng: (
            pl.lit(rng.reads)
            if rng.reads != "person" and not rng.requires
            else (
                pl.when(_any(t, rng.requires)).then(pl.lit(rng.reads)).otherwise(None)
                if rng.reads != "person"
                else pl.lit(None, pl.Utf8)
            )
        )
    )
    icd_cands = by_range(lambda rng: pl.lit(",".join(rng.candidates) or None, pl.Utf8))
    icd_missing = by_range(lambda rng: pl.lit(rng.missing, pl.Utf8))
    icd_text = by_range(lambda rng: pl.lit("ICD-10 " + rng.text))
    agree: dict[str, pl.Expr] = {
        code: _in_ranges(key, ranges) for code, ranges in vocab.agrees.items()
    }
    n_code_col = pl.col("_n_code")
    agrees_named: Any = pl
    for code, cond in agree.items():
        agrees_named = agrees_named.when(n_code_col == code).then(cond)
    agrees_named = agrees_named.otherwise(False) if agree else pl.lit(False)
    df = df.with_columns(
        icd_code.alias("_i_code"),
        icd_cands.alias("_i_cands"),
        icd_missing.alias("_i_missing"),
        icd_text.alias("_i_text"),
        agrees_named.fill_null(False).alias("_agrees"),
    )

    i_code = pl.col("_i_code")
    n_cands_col = pl.col("_n_cands")
    has_key = key.is_not_null()
    in_range = ii.is_not_null()
    n_words = pl.col("_n_words")
    code_and_name = pl.concat_str([pl.col("_i_text"), n_words], separator="; ", ignore_nulls=True)
    cands_has_icd = n_cands_col.fill_null("").str.split(",").list.contains(i_code)
    exact = t.replace_strict(names, default=None, return_dtype=pl.Utf8)
    hedge_word = t.str.extract(f"({words_regex(vocab.hedge)})", 1) if vocab.hedge else None
    donor_word = t.str.extract(f"({words_regex(vocab.donor)})", 1) if vocab.donor else None
    lit = pl.lit

    # (outcome, code, candidates, missing, words) by step, first that applies
    steps: list[tuple[pl.Expr, tuple[Any, Any, Any, Any, Any]]] = [
        (
            pl.col("disease").is_null() & pl.col("diagnosis_code").is_null(),
            (None, None, None, None, None),
        ),
        (
            (t.str.replace_all(_NO_WORDS, "") == "") & key.is_null(),
            (lit(UNRECOGNISED), None, None, None, None),
        ),
        (exact.is_not_null(), (lit(LISTED), exact, None, None, pl.col("disease"))),
    ]
    if donor_word is not None:
        steps.append((donor_word.is_not_null(), (lit(UNLISTED), None, None, None, donor_word)))
    if hedge_word is not None:
        steps.append(
            (
                hedge_word.is_not_null(),
                (
                    lit(TO_PERSON),
                    None,
                    _codes(pl.col("_n_code"), n_cands_col, i_code, pl.col("_i_cands")),
                    lit("hedge"),
                    hedge_word,
                ),
            )
        )
    listed_icd = in_range & i_code.is_not_null()
    conflict = (lit(TO_PERSON), None, None, lit("code_conflict"), code_and_name)
    steps += [
        # a range that names a disease
        (
            listed_icd & (n_out == LISTED) & (n_code_col == i_code),
            (lit(LISTED), i_code, None, None, code_and_name),
        ),
        (
            listed_icd & (n_out == LISTED) & pl.col("_agrees"),
            (lit(LISTED), n_code_col, None, None, code_and_name),
        ),
        (
            listed_icd & (n_out == TO_PERSON) & cands_has_icd,
            (lit(LISTED), i_code, None, None, code_and_name),
        ),
        (
            listed_icd & (n_out == UNRECOGNISED),
            (lit(LISTED), i_code, None, None, pl.col("_i_text")),
        ),
        (
            listed_icd,
            (conflict[0], None, _codes(i_code, n_code_col, n_cands_col), *conflict[3:]),
        ),
        # a range D10 sends to a person
        (
            in_range,
            (
                lit(TO_PERSON),
                None,
                _codes(pl.col("_i_cands")),
                pl.col("_i_missing"),
                pl.col("_i_text"),
            ),
        ),
        # a code in no range: agreeing or contradicting the name (L42)
        (
            has_key & (n_out == LISTED) & pl.col("_agrees"),
            (lit(LISTED), n_code_col, None, None, n_words),
        ),
        (
            has_key & (n_out == LISTED),
            (lit(TO_PERSON), None, _codes(n_code_col), lit("code_conflict"), n_words),
        ),
        # the name alone
        (
            lit(True),
            (n_out, n_code_col, n_cands_col, pl.col("_n_missing"), n_words),
        ),
    ]
    outs = []
    for pos, alias in enumerate(("dx_outcome", "dx_code", "dx_candidates", "dx_missing")):
        chain: Any = pl
        for cond, values in steps:
            value = values[pos]
            chain = chain.when(cond).then(value if value is not None else lit(None, pl.Utf8))
        outs.append(chain.otherwise(None).alias(alias))
    words_chain: Any = pl
    for cond, values in steps:
        value = values[4]
        words_chain = words_chain.when(cond).then(
            value if value is not None else lit(None, pl.Utf8)
        )
    outs.append(words_chain.otherwise(None).alias("dx_words"))
    df = df.with_columns(outs)
    df = df.with_columns(
        pl.col("dx_code")
        .replace_strict(classes, default=None, return_dtype=pl.Int64)
        .alias("dx_class"),
        pl.when(pl.col("dx_words") == "")
        .then(None)
        .otherwise(pl.col("dx_words"))
        .alias("dx_words"),
    )
    return df.select([pl.col(name).cast(dtype) for name, dtype in READING_SCHEMA.items()])
