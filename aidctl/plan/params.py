"""Dated plan parameters (A5.6, D9), loaded from TOML and validated.

The board may adjust benefits yearly (A5.6), so no amount, percentage, day count or cap is a
literal in the code: each lives in a `[[version]]` of a parameter file, keyed by the date it
takes effect, with the clause it comes from. `Policy.at(day)` gives the set in force on a
day, like openfisca's `parameter(period)`.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Any

from aidctl.errors import PolicyError
from aidctl.plan.catalogue import Catalogue, parse_catalogue

GRADES = tuple(range(1, 11))

# Each section's keys and the Python type its value must have.
_SECTIONS: dict[str, dict[str, type | tuple[type, ...]]] = {
    "enrolment": {
        "min_ratio": (int, float),
        "small_unit_below": int,
        "small_unit_ratio": (int, float),
        "temporary_min_months_exclusive": int,
        "contribution_per_member": int,
        "individual_share_default_pct": (int, float),
        "individual_share_max_pct": (int, float),
        "deductible_payroll_pct": (int, float),
        "addition_billing": str,
    },
    "term": {
        "term_months": int,
        "renewal_grace_days": int,
        "effective_date_max_days_ahead": int,
        "start_day_counts": bool,
        "renewal_notice_months": int,  # L143: the default renewals window (the next run)
        "lapsed_listed_days": int,  # L143: how long a lapsed unit stays on the list
    },
    "waiting": {
        "exemption_last_day": int,
        "reduced_last_day": int,
        "reduced_pct": (int, float),
        "consolation_amount": int,
    },
    "illness": {
        "class1_amount": int,
        "class2_amount": int,
        "same_disease_cap": int,
    },
    "accident": {
        "death_amount": int,
        "death_within_months": int,
        "accident_cap": int,
    },
    "fund": {
        "opening_balance": int,
    },
}

# Keys a parameter file written before they existed may leave out: (section, key) → the
# value and clause taken then (L110: additions bill a full year unless a version says so).
_DEFAULTS: dict[tuple[str, str], tuple[Any, str]] = {
    ("enrolment", "addition_billing"): ("full_year", "A4.1;L110"),
}
# Keys whose value is one word of a list.
_CHOICES: dict[str, tuple[str, ...]] = {
    "addition_billing": ("full_year", "remaining_months"),  # L110
}


@dataclass(frozen=True)
class PolicyVersion:
    """One dated parameter set. Values are plain numbers; `clauses` traces each key."""

    id: str
    effective_from: dt.date
    source: str
    values: dict[str, Any]
    clauses: dict[str, str]
    disability: dict[int, int]

    def __getattr__(self, name: str) -> Any:
        # Only reached for names that are not dataclass fields: parameter look-ups.
        values = object.__getattribute__(self, "values")
        if name in values:
            return values[name]
        raise AttributeError(name)

    def clause(self, key: str) -> str:
        return self.clauses[key]

    def class_amount(self, disease_class: int) -> int:
        return int(
            self.values["class1_amount"] if disease_class == 1 else self.values["class2_amount"]
        )


@dataclass(frozen=True)
class Policy:
    """All dated versions of a parameter file, oldest first, and the disease catalogue."""

    versions: tuple[PolicyVersion, ...]
    catalogue: Catalogue
    path: str

    def at(self, day: dt.date) -> PolicyVersion:
        """The version in force on `day` (D9); before the first version, the first one."""
        chosen = self.versions[0]
        for version in self.versions:
            if version.effective_from <= day:
                chosen = version
        return chosen

    def by_id(self, version_id: str) -> PolicyVersion:
        for version in self.versions:
            if version.id == version_id:
                return version
        raise KeyError(version_id)

    @property
    def latest(self) -> PolicyVersion:
        return self.versions[-1]


def default_policy_path() -> Path:
    return Path(str(resources.files("aidctl.plan").joinpath("plan.toml")))


def load_policy(path: str | Path | None = None) -> Policy:
    """Load and validate a parameter file; every error names the file and the key."""
    source = Path(path) if path is not None else default_policy_path()
    try:
        with source.open("rb") as fh:
            raw = tomllib.load(fh)
    except FileNotFoundError as exc:
        raise PolicyError(
            f"Parameter file {source} does not exist.", f"参数文件 {source} 不存在。"
        ) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PolicyError(
            f"Parameter file {source} is not valid TOML: {exc}.",
            f"参数文件 {source} 不是有效的 TOML：{exc}。",
        ) from exc
    return parse_policy(raw, str(source))


def _fail(path: str, key: str, problem: str) -> PolicyError:
    return PolicyError(
        f"Parameter file {path}, key {key}: {problem}.",
        f"参数文件 {path} 的 {key}：{problem}。",
    )


def parse_policy(raw: dict[str, Any], path: str = "<memory>") -> Policy:
    unknown = set(raw) - {"version", "catalogue"}
    if unknown:
        raise _fail(path, ", ".join(sorted(unknown)), "unknown key")
    versions_raw = raw.get("version")
    if not isinstance(versions_raw, list) or not versions_raw:
        raise _fail(path, "version", "at least one [[version]] is required")
    versions = [_parse_version(v, i, path) for i, v in enumerate(versions_raw)]
    for before, after in pairwise(versions):
        if after.effective_from <= before.effective_from:
            raise _fail(
                path,
                f"version[{after.id}].effective_from",
                "versions must be in order of their effective dates",
            )
    if len({v.id for v in versions}) != len(versions):
        raise _fail(path, "version.id", "version ids must be unique")
    if "catalogue" not in raw:
        raise _fail(path, "catalogue", "missing")
    try:
        catalogue = parse_catalogue(raw["catalogue"])
    except ValueError as exc:
        raise _fail(path, "catalogue", str(exc)) from exc
    return Policy(versions=tuple(versions), catalogue=catalogue, path=path)


def _parse_version(raw: Any, index: int, path: str) -> PolicyVersion:
    where = f"version[{index}]"
    if not isinstance(raw, dict):
        raise _fail(path, where, "must be a table")
    allowed = {"id", "effective_from", "source", "disability", *_SECTIONS}
    unknown = set(raw) - allowed
    if unknown:
        raise _fail(path, f"{where}.{sorted(unknown)[0]}", "unknown key")
    vid = raw.get("id")
    if not isinstance(vid, str) or not vid:
        raise _fail(path, f"{where}.id", "a non-empty text is required")
    where = f"version[{vid}]"
    eff = raw.get("effective_from")
    if not isinstance(eff, dt.date) or isinstance(eff, dt.datetime):
        raise _fail(path, f"{where}.effective_from", "a date (YYYY-MM-DD) is required")
    values: dict[str, Any] = {}
    clauses: dict[str, str] = {}
    for section, keys in _SECTIONS.items():
        table = raw.get(section)
        if not isinstance(table, dict):
            raise _fail(path, f"{where}.{section}", "missing section")
        unknown = set(table) - set(keys)
        if unknown:
            raise _fail(path, f"{where}.{section}.{sorted(unknown)[0]}", "unknown key")
        for key, typ in keys.items():
            entry = table.get(key)
            full = f"{where}.{section}.{key}"
            if entry is None and (section, key) in _DEFAULTS:
                default, default_clause = _DEFAULTS[(section, key)]
                entry = {"value": default, "clause": default_clause}
            if not isinstance(entry, dict) or "value" not in entry or "clause" not in entry:
                raise _fail(path, full, "missing, or not a table {value, clause}")
            if set(entry) - {"value", "clause"}:
                raise _fail(path, full, "only value and clause are allowed")
            value = entry["value"]
            if not isinstance(value, typ) or (typ is int and isinstance(value, bool)):
                raise _fail(path, full, f"wrong type {type(value).__name__}")
            if not isinstance(value, bool) and isinstance(value, int | float) and value < 0:
                raise _fail(path, full, "must not be negative")
            if key in _CHOICES and value not in _CHOICES[key]:
                raise _fail(path, full, "must be one of " + ", ".join(_CHOICES[key]))
            values[key] = value
            clauses[key] = str(entry["clause"])
    if values["exemption_last_day"] >= values["reduced_last_day"]:
        raise _fail(path, f"{where}.waiting", "exemption_last_day must be before reduced_last_day")
    if values["same_disease_cap"] < values["class1_amount"]:
        # L13: a reduced-period payment must never be cut by the same-disease cap.
        raise _fail(
            path, f"{where}.illness.same_disease_cap", "must be at least class1_amount (L13)"
        )
    if not 0 < values["min_ratio"] <= 1 or not 0 < values["small_unit_ratio"] <= 1:
        raise _fail(path, f"{where}.enrolment", "ratios must be in (0, 1]")
    dis = raw.get("disability")
    if not isinstance(dis, dict) or not isinstance(dis.get("grades"), dict):
        raise _fail(path, f"{where}.disability.grades", "missing")
    grades: dict[int, int] = {}
    for key, amount in dis["grades"].items():
        try:
            grade = int(key)
        except ValueError as exc:
            raise _fail(path, f"{where}.disability.grades.{key}", "not a grade") from exc
        if not isinstance(amount, int) or amount < 0:
            raise _fail(path, f"{where}.disability.grades.{key}", "amount must be whole yuan")
        grades[grade] = amount
    if tuple(sorted(grades)) != GRADES:
        raise _fail(path, f"{where}.disability.grades", "all ten grades 1–10 are required")
    clauses["disability"] = str(dis.get("clause", "A5.3"))
    return PolicyVersion(
        id=vid,
        effective_from=eff,
        source=str(raw.get("source", "")),
        values=values,
        clauses=clauses,
        disability=grades,
    )
