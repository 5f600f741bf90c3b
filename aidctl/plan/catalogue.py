"""The 27 listed diseases (A3.1), the D10 vocabulary that reads a diagnosis, and the
related-disease pairs (D1).

The vocabulary (`Vocabulary`) is data from the parameter file: hedge and donor words, ICD-10
ranges, the codes that agree with each disease, and an ordered list of rules (first match
wins). It is validated here at load, so a typo in a code or a range stops the tool with the
key named instead of misreading claims. The reader itself is `aidctl.core.diagnosis`.

The D10 vocabulary is the only reading of a diagnosis: there is no list of aliases and no
near-match (a near miss is no evidence of a disease; D10 sends what it cannot read to a
person).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

_SPACES = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """Full-width to half-width (NFKC), case-folded, spaces removed."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text)).casefold()


@dataclass(frozen=True)
class Disease:
    code: str
    disease_class: int
    zh: str
    en: str

    def name(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


CERTAIN = "certain"
REVIEW = "review"


@dataclass(frozen=True)
class RelatedPair:
    """Two diseases related under A5.2a (D1). The relation is symmetric and not transitive:
    `certain` excludes automatically, `review` sends the later claim to a person."""

    a: str
    b: str
    kind: str  # CERTAIN | REVIEW


_ICD_BOUND = re.compile(r"^[A-Z][0-9]{2}(\.[0-9])?$")
LISTED_READS = ("person", "unlisted")


def icd_key(bound: str) -> str:
    """'D47.4' → 'D474', 'C00' → 'C00': the form codes are compared in (D10)."""
    return bound.replace(".", "")


@dataclass(frozen=True)
class IcdRange:
    """An ICD-10 range read by D10: codes whose first len(low) characters lie in [low, high]."""

    low: str  # key form, e.g. 'C00' or 'D474'
    high: str
    text: str  # as written, e.g. 'C00-C76'
    reads: str  # a catalogue code, or 'person'
    requires: tuple[str, ...] = ()
    candidates: tuple[str, ...] = ()
    missing: str | None = None

    def holds(self, key: str) -> bool:
        n = len(self.low)
        return len(key) >= n and self.low <= key[:n] <= self.high


@dataclass(frozen=True)
class Rule:
    """One reading rule (D10): every group of `all` has a word in the text, no word of `none`
    is there. `reads` is a catalogue code, 'person' or 'unlisted'."""

    index: int
    reads: str
    all: tuple[tuple[str, ...], ...]
    none: tuple[str, ...] = ()
    candidates: tuple[str, ...] = ()
    missing: str | None = None
    context: tuple[str, ...] = ()
    note: str = ""

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(w for group in self.all for w in group)


@dataclass(frozen=True)
class Vocabulary:
    """The D10 vocabulary, normalised (NFKC, case-folded, no spaces)."""

    clause: str
    ignore: tuple[str, ...]
    hedge: tuple[str, ...]
    donor: tuple[str, ...]
    missing: dict[str, tuple[str, str]]  # key → (zh, en)
    icd: tuple[IcdRange, ...]
    agrees: dict[str, tuple[IcdRange, ...]]  # catalogue code → agreeing codes
    rules: tuple[Rule, ...]

    def rules_for(self, code: str) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.reads == code)

    def unlisted_words(self) -> tuple[str, ...]:
        return tuple(w for r in self.rules if r.reads == "unlisted" for w in r.words)

    def listed_words(self) -> tuple[str, ...]:
        return tuple(w for r in self.rules if r.reads not in LISTED_READS for w in r.words)


def _words(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(w, str) and w.strip() for w in value):
        raise ValueError(f"{where}: a list of non-empty words is required")
    return tuple(normalise_text(w) for w in value)


def _parse_range(text: Any, where: str) -> IcdRange:
    if not isinstance(text, str):
        raise ValueError(f"{where}: a code or range such as C00-C76 is required")
    parts = [p.strip().upper() for p in text.replace("–", "-").split("-")]
    if len(parts) == 1:
        parts = parts * 2
    if len(parts) != 2 or not all(_ICD_BOUND.match(p) for p in parts):
        raise ValueError(f"{where}: {text!r} is not an ICD-10 code or range")
    low, high = icd_key(parts[0]), icd_key(parts[1])
    if len(low) != len(high) or low > high:
        raise ValueError(f"{where}: {text!r} is not an ordered range of codes of one length")
    return IcdRange(low=low, high=high, text=text, reads="")


def parse_vocabulary(raw: Any, codes: set[str]) -> Vocabulary:
    """Validate the D10 vocabulary: unknown codes, unknown keys, bad ranges → ValueError
    naming the key (the loader turns it into a PolicyError naming the file)."""
    if not isinstance(raw, dict):
        raise ValueError("vocabulary must be a table")
    known = {"clause", "ignore", "hedge", "donor", "missing", "icd", "agrees", "rule"}
    unknown = set(raw) - known
    if unknown:
        raise ValueError(f"vocabulary.{sorted(unknown)[0]}: unknown key")
    missing_raw = raw.get("missing", {})
    if not isinstance(missing_raw, dict):
        raise ValueError("vocabulary.missing must be a table")
    missing: dict[str, tuple[str, str]] = {}
    for key, entry in missing_raw.items():
        if not isinstance(entry, dict) or set(entry) != {"zh", "en"}:
            raise ValueError(f"vocabulary.missing.{key}: zh and en sentences are required")
        missing[key] = (str(entry["zh"]), str(entry["en"]))

    def check_missing(key: Any, where: str) -> str:
        if not isinstance(key, str) or key not in missing:
            raise ValueError(f"{where}.missing: {key!r} is not a key of vocabulary.missing")
        return key

    def check_codes(values: Any, where: str) -> tuple[str, ...]:
        if not isinstance(values, list) or not values:
            raise ValueError(f"{where}: a list of catalogue codes is required")
        for code in values:
            if code not in codes:
                raise ValueError(f"{where}: unknown disease {code}")
        return tuple(str(c) for c in values)

    icd: list[IcdRange] = []
    for i, entry in enumerate(raw.get("icd", [])):
        where = f"vocabulary.icd[{i}]"
        if not isinstance(entry, dict):
            raise ValueError(f"{where}: must be a table")
        extra = set(entry) - {"range", "reads", "requires", "candidates", "missing", "note"}
        if extra:
            raise ValueError(f"{where}.{sorted(extra)[0]}: unknown key")
        rng = _parse_range(entry.get("range"), f"{where}.range")
        reads = entry.get("reads")
        if reads != "person" and reads not in codes:
            raise ValueError(f"{where}.reads: unknown disease {reads}")
        person = reads == "person" or "requires" in entry
        icd.append(
            IcdRange(
                low=rng.low,
                high=rng.high,
                text=rng.text,
                reads=str(reads),
                requires=_words(entry["requires"], f"{where}.requires")
                if "requires" in entry
                else (),
                candidates=check_codes(entry.get("candidates"), f"{where}.candidates")
                if person
                else (),
                missing=check_missing(entry.get("missing"), where) if person else None,
            )
        )
    agrees_raw = raw.get("agrees", {})
    if not isinstance(agrees_raw, dict):
        raise ValueError("vocabulary.agrees must be a table")
    agrees: dict[str, tuple[IcdRange, ...]] = {}
    for code, ranges in agrees_raw.items():
        if code not in codes:
            raise ValueError(f"vocabulary.agrees.{code}: unknown disease")
        if not isinstance(ranges, list):
            raise ValueError(f"vocabulary.agrees.{code}: a list of codes or ranges is required")
        agrees[code] = tuple(_parse_range(r, f"vocabulary.agrees.{code}") for r in ranges)
    rules: list[Rule] = []
    for i, entry in enumerate(raw.get("rule", [])):
        where = f"vocabulary.rule[{i}]"
        if not isinstance(entry, dict):
            raise ValueError(f"{where}: must be a table")
        extra = set(entry) - {"reads", "all", "none", "candidates", "missing", "context", "note"}
        if extra:
            raise ValueError(f"{where}.{sorted(extra)[0]}: unknown key")
        if not str(entry.get("note", "")).strip():
            raise ValueError(f"{where}.note: every rule says why (a note is required)")
        reads = entry.get("reads")
        if reads not in LISTED_READS and reads not in codes:
            raise ValueError(f"{where}.reads: unknown disease {reads}")
        groups = entry.get("all")
        if not isinstance(groups, list) or not groups:
            raise ValueError(f"{where}.all: a list of word groups is required")
        if reads == "unlisted" and len(groups) != 1:
            raise ValueError(f"{where}.all: an unlisted rule has one group of words")
        person = reads == "person"
        rules.append(
            Rule(
                index=i,
                reads=str(reads),
                all=tuple(_words(g, f"{where}.all") for g in groups),
                none=_words(entry["none"], f"{where}.none") if "none" in entry else (),
                candidates=check_codes(entry.get("candidates"), f"{where}.candidates")
                if person
                else (),
                missing=check_missing(entry.get("missing"), where) if person else None,
                context=_words(entry["context"], f"{where}.context") if "context" in entry else (),
                note=str(entry["note"]),
            )
        )
    if not rules:
        raise ValueError("vocabulary.rule: at least one rule is required")
    return Vocabulary(
        clause=str(raw.get("clause", "A3.1;D10")),
        ignore=_words(raw.get("ignore", []), "vocabulary.ignore"),
        hedge=_words(raw.get("hedge", []), "vocabulary.hedge"),
        donor=_words(raw.get("donor", []), "vocabulary.donor"),
        missing=missing,
        icd=tuple(icd),
        agrees=agrees,
        rules=tuple(rules),
    )


@dataclass(frozen=True)
class Catalogue:
    diseases: tuple[Disease, ...]
    clause: str
    related_clause: str
    pairs: tuple[RelatedPair, ...] = ()
    vocabulary: Vocabulary | None = None

    def missing_hint(self, key: str, lang: str) -> str:
        """The sentence a clerk needs for a missing qualifier `key` (D10), zh or en; an
        unknown key gives the general request for the plan's name or code."""
        hints = self.vocabulary.missing if self.vocabulary else {}
        if key in hints:
            zh, en = hints[key]
        else:
            zh = "请在病种写明计划所列病种名称，或填写病种代码（如 C1-01）"
            en = "write in 病种 the plan's name of the disease, or its code (e.g. C1-01)"
        return zh if lang == "zh" else en

    def related(self, code: str) -> dict[str, str]:
        """Every disease related to `code` → the pair's kind; a disease is related to itself
        by a certain pair (D1)."""
        out = {code: CERTAIN}
        for pair in self.pairs:
            if code in (pair.a, pair.b):
                out.setdefault(pair.b if pair.a == code else pair.a, pair.kind)
        return out

    def by_code(self, code: str) -> Disease:
        for disease in self.diseases:
            if disease.code == code:
                return disease
        raise KeyError(code)


def _parse_pairs(related: Any, codes: set[str]) -> tuple[RelatedPair, ...]:
    """The D1 pairs; raises ValueError naming what is wrong."""
    if not isinstance(related, dict):
        return ()
    unknown = set(related) - {"clause", CERTAIN, REVIEW}
    if unknown:
        raise ValueError(f"related: unknown key {sorted(unknown)[0]}")
    pairs: list[RelatedPair] = []
    seen: set[frozenset[str]] = set()
    for kind in (CERTAIN, REVIEW):
        for entry in related.get(kind, []):
            if not isinstance(entry, list) or len(entry) != 2 or entry[0] == entry[1]:
                raise ValueError(f"related.{kind}: {entry!r} is not a pair of two codes")
            a, b = str(entry[0]), str(entry[1])
            for code in (a, b):
                if code not in codes:
                    raise ValueError(f"related: unknown disease {code}")
            key = frozenset((a, b))
            if key in seen:
                raise ValueError(f"related: {a}–{b} is listed twice")
            seen.add(key)
            pairs.append(RelatedPair(a, b, kind))
    return tuple(pairs)


def parse_catalogue(raw: dict[str, Any]) -> Catalogue:
    """Build the catalogue; raises ValueError naming the key that is wrong."""
    allowed = {"clause", "disease", "related", "vocabulary"}
    unknown = set(raw) - allowed
    if unknown:
        raise ValueError(f"unknown key {sorted(unknown)[0]}")
    entries = raw.get("disease")
    if not isinstance(entries, list) or not entries:
        raise ValueError("disease list missing")
    related = raw.get("related", {})
    entry_codes = {str(e.get("code")) for e in entries if isinstance(e, dict)}
    pairs = _parse_pairs(related, entry_codes)
    diseases: list[Disease] = []
    for i, entry in enumerate(entries):
        missing = {"code", "class", "zh", "en"} - set(entry)
        if missing:
            raise ValueError(f"disease[{i}].{sorted(missing)[0]} missing")
        if set(entry) - {"code", "class", "zh", "en"}:
            raise ValueError(f"disease[{i}]: unknown key")
        if entry["class"] not in (1, 2):
            raise ValueError(f"disease[{entry['code']}].class must be 1 or 2")
        code = str(entry["code"])
        diseases.append(
            Disease(
                code=code,
                disease_class=int(entry["class"]),
                zh=str(entry["zh"]),
                en=str(entry["en"]),
            )
        )
    codes = [d.code for d in diseases]
    if len(set(codes)) != len(codes):
        raise ValueError("disease codes must be unique")
    return Catalogue(
        diseases=tuple(diseases),
        clause=str(raw.get("clause", "A3.1")),
        related_clause=str(related.get("clause", "A5.2a;D1"))
        if isinstance(related, dict)
        else "A5.2a;D1",
        pairs=pairs,
        vocabulary=parse_vocabulary(raw["vocabulary"], set(codes)) if "vocabulary" in raw else None,
    )
