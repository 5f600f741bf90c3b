"""A row-by-row reference reader for D10 (A3.1), plain Python, obvious not clever.

It reads one (disease, diagnosis_code) pair at a time, from the same vocabulary data
(`Catalogue.vocabulary`), following D10's order as written in aidctl/core/diagnosis.py's
docstring. tests/test_diagnoses.py holds the vectorised reader equal to it.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from aidctl.plan.catalogue import Catalogue, IcdRange, Rule

BRACKETS = "()[]{}【】〔〕〖〗<>《》「」『』"


def normalise(text: str, ignore: tuple[str, ...]) -> str:
    out = unicodedata.normalize("NFKC", text).lower()
    out = "".join(ch for ch in out if not ch.isspace() and ch not in BRACKETS)
    for phrase in ignore:
        out = out.replace(phrase, "")
    return out


def only_punctuation(text: str) -> bool:
    return all(unicodedata.category(ch)[0] in "PS" for ch in text)


def icd_key(code: str | None) -> str | None:
    if code is None:
        return None
    text = "".join(unicodedata.normalize("NFKC", code).upper().split())
    head = re.match(r"^([A-Z][0-9]{2})", text)
    if not head:
        return None
    digit = re.match(r"^[A-Z][0-9]{2}\.?([0-9])", text)
    return head.group(1) + (digit.group(1) if digit else "")


def in_range(key: str, rng: IcdRange) -> bool:
    n = len(rng.low)
    return len(key) >= n and rng.low <= key[:n] <= rng.high


def rule_matches(rule: Rule, text: str) -> bool:
    for group in rule.all:
        if not any(word in text for word in group):
            return False
    return not any(word in text for word in rule.none)


def remove_words(text: str, words: Any) -> str:
    """Take out every word, the longest first at each position."""
    ordered = sorted(set(words), key=lambda w: (-len(w), w))
    out = ""
    i = 0
    while i < len(text):
        for word in ordered:
            if text.startswith(word, i):
                i += len(word)
                break
        else:
            out += text[i]
            i += 1
    return out


def found_words(text: str, words: Any) -> list[str]:
    """The words found left to right, longest first at each position, not overlapping."""
    ordered = sorted(set(words), key=lambda w: (-len(w), w))
    found = []
    i = 0
    while i < len(text):
        for word in ordered:
            if text.startswith(word, i):
                found.append(word)
                i += len(word)
                break
        else:
            i += 1
    return found


def codes(*parts: Any) -> str | None:
    out: set[str] = set()
    for part in parts:
        if part:
            out.update(c for c in part.split(",") if c)
    return ",".join(sorted(out)) or None


def read_one(disease: str | None, code: str | None, catalogue: Catalogue) -> dict[str, Any]:
    vocab = catalogue.vocabulary
    assert vocab is not None
    row: dict[str, Any] = {
        "dx_outcome": None,
        "dx_code": None,
        "dx_candidates": None,
        "dx_missing": None,
        "dx_words": None,
    }
    if disease is None and code is None:
        return _done(row, catalogue)
    text = normalise(disease or "", vocab.ignore)
    if only_punctuation(text) and icd_key(code) is None:
        row["dx_outcome"] = "unrecognised"
        return _done(row, catalogue)
    # 2. the plan's own code or name
    for d in catalogue.diseases:
        names = [d.code, d.zh, re.sub(r"[（(][^）)]*[）)]", "", d.zh), d.en]
        names.append(re.sub(r"[（(][^）)]*[）)]", "", d.en))
        if text in [normalise(n, vocab.ignore) for n in names]:
            row.update(dx_outcome="listed", dx_code=d.code, dx_words=disease)
            return _done(row, catalogue)
    # the name alone (step 6/7)
    name = read_name(text, catalogue)
    # 3. donor
    donor = found_words(text, vocab.donor)
    if donor:
        row.update(dx_outcome="unlisted", dx_words=donor[0])
        return _done(row, catalogue)
    key = icd_key(code)
    rng = None
    if key is not None:
        rng = next((r for r in vocab.icd if in_range(key, r)), None)
    icd_code = None
    requires_met = rng is not None and (not rng.requires or any(w in text for w in rng.requires))
    if rng is not None and rng.reads != "person" and requires_met:
        icd_code = rng.reads
    # 4. hedge
    hedge = found_words(text, vocab.hedge)
    if hedge:
        row.update(
            dx_outcome="person",
            dx_candidates=codes(
                name["code"],
                name["candidates"],
                icd_code,
                ",".join(rng.candidates) if rng else None,
            ),
            dx_missing="hedge",
            dx_words=hedge[0],
        )
        return _done(row, catalogue)
    n_out, n_code, n_cands, n_words = (
        name["outcome"],
        name["code"],
        name["candidates"],
        name["words"],
    )
    agrees = False
    if key is not None and n_code is not None:
        agrees = any(in_range(key, r) for r in vocab.agrees.get(n_code, ()))
    # 5. the code
    if rng is not None:
        both = "; ".join(p for p in ["ICD-10 " + rng.text, n_words] if p)
        if icd_code is not None:
            if n_out == "listed" and n_code == icd_code:
                row.update(dx_outcome="listed", dx_code=icd_code, dx_words=both)
            elif n_out == "listed" and agrees:
                row.update(dx_outcome="listed", dx_code=n_code, dx_words=both)
            elif n_out == "person" and icd_code in (n_cands or "").split(","):
                row.update(dx_outcome="listed", dx_code=icd_code, dx_words=both)
            elif n_out == "unrecognised":
                row.update(dx_outcome="listed", dx_code=icd_code, dx_words="ICD-10 " + rng.text)
            else:
                row.update(
                    dx_outcome="person",
                    dx_candidates=codes(icd_code, n_code, n_cands),
                    dx_missing="code_conflict",
                    dx_words=both,
                )
        else:
            row.update(
                dx_outcome="person",
                dx_candidates=codes(",".join(rng.candidates)),
                dx_missing=rng.missing,
                dx_words="ICD-10 " + rng.text,
            )
        return _done(row, catalogue)
    if key is not None and n_out == "listed":
        if agrees:
            row.update(dx_outcome="listed", dx_code=n_code, dx_words=n_words)
        else:
            row.update(
                dx_outcome="person",
                dx_candidates=n_code,
                dx_missing="code_conflict",
                dx_words=n_words,
            )
        return _done(row, catalogue)
    row.update(
        dx_outcome=n_out,
        dx_code=n_code,
        dx_candidates=n_cands,
        dx_missing=name["missing"],
        dx_words=n_words,
    )
    return _done(row, catalogue)


def read_name(text: str, catalogue: Catalogue) -> dict[str, Any]:
    vocab = catalogue.vocabulary
    assert vocab is not None
    out: dict[str, Any] = {
        "outcome": "unrecognised",
        "code": None,
        "candidates": None,
        "missing": None,
        "words": None,
    }
    first = next((r for r in vocab.rules if rule_matches(r, text)), None)
    if first is None:
        return out
    all_words = [w for r in vocab.rules for w in r.words]
    unlisted_words = vocab.unlisted_words()
    rule, on = first, text
    if first.reads == "unlisted":
        rest = remove_words(text, unlisted_words)
        second = next(
            (r for r in vocab.rules if r.reads != "unlisted" and rule_matches(r, rest)), None
        )
        if second is None:
            out["outcome"] = "unlisted"
        else:
            rule, on = second, rest
            out.update(
                outcome="person",
                candidates=codes(
                    second.reads if second.reads != "person" else None,
                    ",".join(second.candidates),
                ),
                missing="says_more",
            )
    elif first.reads == "person":
        out.update(outcome="person", candidates=codes(",".join(first.candidates)))
        out["missing"] = first.missing
    else:
        remainder = remove_words(text, vocab.listed_words())
        if first.context:
            remainder = remove_words(remainder, first.context)
        if any(w in remainder for w in unlisted_words):
            out.update(outcome="person", candidates=first.reads, missing="says_more")
        else:
            out.update(outcome="listed", code=first.reads)
    words = sorted(set(found_words(on, all_words)) & set(rule.words))
    out["words"] = "+".join(words) or None
    return out


def _done(row: dict[str, Any], catalogue: Catalogue) -> dict[str, Any]:
    code = row["dx_code"]
    row["dx_class"] = catalogue.by_code(code).disease_class if code else None
    return row
