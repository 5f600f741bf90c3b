"""The 27 listed diseases (A3.1), their aliases, and the related-disease groups (D1).

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


@dataclass(frozen=True)
class Catalogue:
    diseases: tuple[Disease, ...]
    clause: str
    related_clause: str

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
    groups = related.get("groups", []) if isinstance(related, dict) else []
    group_of: dict[str, str] = {}
    for members in groups:
        name = "+".join(sorted(members))
        for code in members:
            if code in group_of:
                raise ValueError(f"related: {code} is in two groups")
            group_of[code] = name
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
    unknown_codes = set(group_of) - set(codes)
    if unknown_codes:
        raise ValueError(f"related: unknown disease {sorted(unknown_codes)[0]}")
    return Catalogue(
        diseases=tuple(diseases),
        clause=str(raw.get("clause", "A3.1")),
        related_clause=str(related.get("clause", "A5.2a;D1"))
        if isinstance(related, dict)
        else "A5.2a;D1",
    )
