"""The 27 listed diseases (A3.1), their aliases, and the related-disease pairs (D1).

Matching is a lookup, done once per distinct text: a claim's disease matches by code, by
full name, by the name without its bracketed part, or by an alias. Text close to a listed
name but not equal to it is a near match (the claim goes to review with the suggestion).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

_BRACKETED = re.compile(r"[（(][^）)]*[）)]")
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
    aliases: tuple[str, ...]
    group: str

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


@dataclass(frozen=True)
class Catalogue:
    diseases: tuple[Disease, ...]
    clause: str
    related_clause: str
    pairs: tuple[RelatedPair, ...] = ()

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

    def lookup_table(self) -> dict[str, str]:
        """Every normalised spelling that names a disease exactly → its code."""
        table: dict[str, str] = {}
        for d in self.diseases:
            names = [d.code, d.zh, _BRACKETED.sub("", d.zh), d.en, _BRACKETED.sub("", d.en)]
            for name in [*names, *d.aliases]:
                key = normalise_text(name)
                if key:
                    table.setdefault(key, d.code)
        return table

    def match(self, text: str) -> tuple[str, str | None]:
        """('exact', code) | ('near', suggested code) | ('none', None) for one text."""
        key = normalise_text(text)
        table = self.lookup_table()
        if key in table:
            return "exact", table[key]
        if len(key) >= 2:
            close = difflib.get_close_matches(key, list(table), n=1, cutoff=0.75)
            if close:
                return "near", table[close[0]]
        return "none", None


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


def _certain_groups(pairs: tuple[RelatedPair, ...]) -> dict[str, str]:
    """Transitional: the certain pairs as group keys (they are disjoint, so a group is a
    pair). Used by callers that still key exclusions by group; pairs are the source."""
    group_of: dict[str, str] = {}
    for pair in pairs:
        if pair.kind == CERTAIN:
            name = "+".join(sorted((pair.a, pair.b)))
            group_of.setdefault(pair.a, name)
            group_of.setdefault(pair.b, name)
    return group_of


def parse_catalogue(raw: dict[str, Any]) -> Catalogue:
    """Build the catalogue; raises ValueError naming the key that is wrong."""
    allowed = {"clause", "disease", "related"}
    unknown = set(raw) - allowed
    if unknown:
        raise ValueError(f"unknown key {sorted(unknown)[0]}")
    entries = raw.get("disease")
    if not isinstance(entries, list) or not entries:
        raise ValueError("disease list missing")
    related = raw.get("related", {})
    entry_codes = {str(e.get("code")) for e in entries if isinstance(e, dict)}
    pairs = _parse_pairs(related, entry_codes)
    group_of = _certain_groups(pairs)
    diseases: list[Disease] = []
    for i, entry in enumerate(entries):
        missing = {"code", "class", "zh", "en"} - set(entry)
        if missing:
            raise ValueError(f"disease[{i}].{sorted(missing)[0]} missing")
        if set(entry) - {"code", "class", "zh", "en", "aliases"}:
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
                aliases=tuple(str(a) for a in entry.get("aliases", [])),
                group=group_of.get(code, code),
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
    )
