"""The A6.3 causes as data (causes.toml): the one list intake, calculator and reports read.

Standard library only (aidctl.plan imports nothing else). The file is validated when it is
loaded, so that a word added by the association that names an unknown cause, or a word
listed under two causes, stops the tool with a sentence instead of misreading a claim.
"""

from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any


def fold_word(word: str) -> str:
    """The form cause words are compared in: NFKC, lower case, no spaces, _ or -."""
    folded = unicodedata.normalize("NFKC", word).casefold()
    return "".join(ch for ch in folded if not ch.isspace() and ch not in "_-")


@dataclass(frozen=True)
class Cause:
    """One A6.3 cause, or (ambiguous) a word that only might be one (→ AMBIGUOUS_CAUSE)."""

    key: str
    clause: str
    zh: str
    en: str
    ambiguous: bool
    brave_act_conflict: bool  # L8: with a brave act → CONFLICTING_FACTS
    why_zh: str = ""
    why_en: str = ""

    def name(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Causes:
    clause: str
    causes: tuple[Cause, ...]  # canonical order: a cell's keys are listed in this order
    words: dict[str, tuple[str, ...]]  # folded word -> cause keys
    none_words: tuple[str, ...]  # folded words meaning "no cause"

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.causes)

    def by_key(self, key: str) -> Cause:
        for cause in self.causes:
            if cause.key == key:
                return cause
        raise KeyError(key)

    @property
    def excluding(self) -> tuple[str, ...]:
        """Keys that exclude for sure (EXCLUDED_CAUSE)."""
        return tuple(c.key for c in self.causes if not c.ambiguous)

    @property
    def ambiguous(self) -> tuple[str, ...]:
        """Keys that only might be a cause (pending AMBIGUOUS_CAUSE)."""
        return tuple(c.key for c in self.causes if c.ambiguous)

    @property
    def brave_act_conflicts(self) -> tuple[str, ...]:
        """L8: keys that with a brave act send the claim to a person (CONFLICTING_FACTS)."""
        return tuple(c.key for c in self.causes if c.brave_act_conflict)

    def names(self, keys: str | None, lang: str) -> str:
        """'crime;fighting' → '故意犯罪或拒捕、斗殴' (an unknown key is shown as it is)."""
        out = []
        for key in (keys or "").split(";"):
            if key:
                try:
                    out.append(self.by_key(key).name(lang))
                except KeyError:
                    out.append(key)
        return ("、" if lang == "zh" else ", ").join(out)


def _text(entry: dict[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}.{key} missing")
    return value


def _words(entry: dict[str, Any], where: str) -> list[str]:
    words = entry.get("words")
    if not isinstance(words, list) or not words or not all(isinstance(w, str) for w in words):
        raise ValueError(f"{where}.words must be a list of words")
    return [str(w) for w in words]


def parse_causes(raw: dict[str, Any]) -> Causes:
    """Build the cause list; raises ValueError naming the entry that is wrong."""
    unknown = set(raw) - {"clause", "none_words", "cause", "phrase", "ambiguous"}
    if unknown:
        raise ValueError(f"unknown key {sorted(unknown)[0]}")
    causes: list[Cause] = []
    words: dict[str, tuple[str, ...]] = {}

    def add(word: str, keys: tuple[str, ...], where: str) -> None:
        folded = fold_word(word)
        if not folded:
            raise ValueError(f"{where}: empty word")
        if folded in words and words[folded] != keys:
            raise ValueError(f"{where}: {word!r} is listed under two causes")
        words[folded] = keys

    allowed = {"key", "clause", "zh", "en", "words", "brave_act_conflict", "why_zh", "why_en"}
    for section, ambiguous in (("cause", False), ("ambiguous", True)):
        for i, entry in enumerate(raw.get(section, [])):
            where = f"{section}[{i}]"
            if not isinstance(entry, dict) or set(entry) - allowed:
                raise ValueError(f"{where}: unknown key")
            key = _text(entry, "key", where)
            cause = Cause(
                key=key,
                clause=_text(entry, "clause", where),
                zh=_text(entry, "zh", where),
                en=_text(entry, "en", where),
                ambiguous=ambiguous,
                brave_act_conflict=bool(entry.get("brave_act_conflict", False)),
                why_zh=str(entry.get("why_zh", "")),
                why_en=str(entry.get("why_en", "")),
            )
            if ambiguous and not (cause.why_zh and cause.why_en):
                raise ValueError(f"{where}: an ambiguous word needs why_zh and why_en")
            if any(c.key == key for c in causes):
                raise ValueError(f"{where}: key {key} listed twice")
            causes.append(cause)
            add(key, (key,), where)
            for word in _words(entry, where):
                add(word, (key,), where)
    if not any(not c.ambiguous for c in causes):
        raise ValueError("cause list missing")
    known = {c.key for c in causes}
    order = {c.key: i for i, c in enumerate(causes)}
    for i, entry in enumerate(raw.get("phrase", [])):
        where = f"phrase[{i}]"
        keys = entry.get("causes") if isinstance(entry, dict) else None
        if not isinstance(keys, list) or not keys:
            raise ValueError(f"{where}.causes must list causes")
        for key in keys:
            if key not in known:
                raise ValueError(f"{where}: unknown cause {key}")
        ordered = tuple(sorted({str(k) for k in keys}, key=order.__getitem__))
        for word in _words(entry, where):
            add(word, ordered, where)
    none_words = tuple(fold_word(str(w)) for w in raw.get("none_words", []))
    for word in none_words:
        if word in words:
            raise ValueError(f"none_words: {word!r} is also a cause")
    return Causes(
        clause=str(raw.get("clause", "A6.3")),
        causes=tuple(causes),
        words=words,
        none_words=none_words,
    )


def default_causes_path() -> Path:
    return Path(__file__).with_name("causes.toml")


@cache
def load_causes(path: str | None = None) -> Causes:
    """The cause list of `path` (default: the one shipped beside the plan)."""
    source = Path(path) if path is not None else default_causes_path()
    with source.open("rb") as fh:
        raw = tomllib.load(fh)
    try:
        return parse_causes(raw)
    except ValueError as exc:
        raise ValueError(f"{source.name}: {exc}") from exc
