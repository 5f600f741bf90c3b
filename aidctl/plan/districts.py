"""Lianyungang's districts as data (districts.toml), for the fund's figures by district.

Standard library only (aidctl.plan imports nothing else). The board reads the fund by
district (A5.6: it adjusts benefits according to the fund's finances); a unit's district is
the region part of its credit code (characters 3–8, GB 32100), looked up here. The file is
validated when it is loaded, so that an entry the association adds with a typo stops the
tool with a sentence instead of silently moving units to "unknown".

Two keys are not districts but what the lookup says when it cannot answer (L80):
`UNKNOWN` — a code shorter than 18 characters, or a 3207xx region the list does not hold;
`OUTSIDE` — an 18-character code issued outside Lianyungang (A1.1, L57).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

UNKNOWN = "unknown"
OUTSIDE = "outside"
CITY_PREFIX = "3207"

_NAMES: dict[str, tuple[str, str]] = {
    UNKNOWN: ("未能识别区县", "district unknown"),
    OUTSIDE: ("连云港市以外", "outside Lianyungang"),
}


@dataclass(frozen=True)
class District:
    """One region code of Lianyungang and the line its figures are reported on."""

    code: str
    zh: str
    en: str
    since: int | None
    until: int | None
    report_as: str  # its own code, or the successor that took over its whole area
    comment: str

    def name(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Districts:
    clause: str
    districts: tuple[District, ...]

    def by_code(self, code: str) -> District:
        for d in self.districts:
            if d.code == code:
                return d
        raise KeyError(code)

    def report_map(self) -> dict[str, str]:
        """Region code → the code of the line it is reported on."""
        return {d.code: d.report_as for d in self.districts}

    def name(self, code: str, lang: str = "zh") -> str:
        """The name of a reporting line: a district's, or that of UNKNOWN / OUTSIDE."""
        if code in _NAMES:
            zh, en = _NAMES[code]
            return zh if lang == "zh" else en
        try:
            return self.by_code(code).name(lang)
        except KeyError:
            return code

    def names(self, lang: str = "zh") -> dict[str, str]:
        """Every reporting line's code → its name, UNKNOWN and OUTSIDE included."""
        out = {d.code: d.name(lang) for d in self.districts}
        out.update({k: self.name(k, lang) for k in _NAMES})
        return out


_ALLOWED = {"code", "zh", "en", "since", "until", "report_as", "comment"}


def _year(entry: dict[str, Any], key: str, where: str) -> int | None:
    value = entry.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{where}.{key} must be a year")
    return value


def parse_districts(raw: dict[str, Any]) -> Districts:
    """Build the list; raises ValueError naming the entry that is wrong."""
    unknown = set(raw) - {"clause", "district"}
    if unknown:
        raise ValueError(f"unknown key {sorted(unknown)[0]}")
    entries = raw.get("district")
    if not isinstance(entries, list) or not entries:
        raise ValueError("district list missing")
    out: list[District] = []
    for i, entry in enumerate(entries):
        where = f"district[{i}]"
        if not isinstance(entry, dict):
            raise ValueError(f"{where}: must be a table")
        extra = set(entry) - _ALLOWED
        if extra:
            raise ValueError(f"{where}.{sorted(extra)[0]}: unknown key")
        code = entry.get("code")
        if not (isinstance(code, str) and len(code) == 6 and code.isdigit()):
            raise ValueError(f"{where}.code must be six digits")
        if not code.startswith(CITY_PREFIX):
            raise ValueError(f"{where}.code {code} is not a Lianyungang code (3207xx)")
        texts = {}
        for key in ("zh", "en"):
            value = entry.get(key)
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"{where}.{key} missing")
            texts[key] = value
        if any(d.code == code for d in out):
            raise ValueError(f"{where}: code {code} listed twice")
        report_as = entry.get("report_as", code)
        if not isinstance(report_as, str):
            raise ValueError(f"{where}.report_as must be a code")
        out.append(
            District(
                code=code,
                zh=texts["zh"],
                en=texts["en"],
                since=_year(entry, "since", where),
                until=_year(entry, "until", where),
                report_as=report_as,
                comment=str(entry.get("comment", "")),
            )
        )
    for d in out:
        target = next((t for t in out if t.code == d.report_as), None)
        if target is None:
            raise ValueError(f"district {d.code}: report_as {d.report_as} is not in the list")
        if target.report_as != target.code:
            # one step only, so that a line's name is the name of a code of the list
            raise ValueError(
                f"district {d.code}: report_as {d.report_as} is itself reported elsewhere"
            )
    return Districts(clause=str(raw.get("clause", "A5.6")), districts=tuple(out))


def default_districts_path() -> Path:
    return Path(__file__).with_name("districts.toml")


@cache
def load_districts(path: str | None = None) -> Districts:
    """The district list of `path` (default: the one shipped beside the plan)."""
    source = Path(path) if path is not None else default_districts_path()
    with source.open("rb") as fh:
        raw = tomllib.load(fh)
    try:
        return parse_districts(raw)
    except ValueError as exc:
        raise ValueError(f"{source.name}: {exc}") from exc
