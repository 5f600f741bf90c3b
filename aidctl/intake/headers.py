"""Recognising header cells: which column holds which key, and which row is the header.

Clerks type headers by hand, copy them from old templates and add notes (`聘用期限（月）`,
`*姓名`, `工资总额(元)`), so a header is compared in a normalised form: NFKC (full-width to
half-width), case-folded, without white space, underscores, hyphens, brackets or asterisks.
A header also matches when its bracketed part is dropped (`工资总额（元）` = `工资总额`).
The English key itself is always an alias (`id_number`, `ID Number`). Colons are kept on
purpose: `单位名称：` beside a value is a title block's label, not a column header.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import polars as pl

# How many rows may stand above the header (titles, notes, blank rows).
HEADER_SCAN_ROWS = 100

_BRACKETED = re.compile(r"[(\[【〔{<《][^)\]】〕}>》]*[)\]】〕}>》]")
_NOISE = re.compile(r"[\s_\-()\[\]【】〔〕{}<>《》*]+")


def normalise_header(text: str) -> str:
    """The form in which two headers that mean the same are equal."""
    return _NOISE.sub("", unicodedata.normalize("NFKC", text).casefold())


def bare_header(text: str) -> str:
    """`normalise_header` of the text without its bracketed parts (units, notes)."""
    return normalise_header(_BRACKETED.sub("", unicodedata.normalize("NFKC", text)))


def normalise_sheet_name(text: str) -> str:
    """Sheet names are compared like headers (`Members `, `参保职工（2026）` …)."""
    return bare_header(text) or normalise_header(text)


@dataclass(frozen=True)
class HeaderIndex:
    """Normalised alias -> key, for one kind of sheet (units, members, claims)."""

    lookup: Mapping[str, str]

    @classmethod
    def build(cls, aliases: Mapping[str, Sequence[str]]) -> HeaderIndex:
        lookup: dict[str, str] = {}
        for key, names in aliases.items():
            for name in (key, *names):
                for form in (normalise_header(name), bare_header(name)):
                    if form:
                        lookup.setdefault(form, key)
        return cls(lookup)

    def key_of(self, header: str | None) -> str | None:
        """The key a header cell stands for, or None when it is not a known header."""
        if header is None:
            return None
        full = normalise_header(header)
        if not full:
            return None
        return self.lookup.get(full) or self.lookup.get(bare_header(header))


def find_header_row(cells: pl.DataFrame, columns: Sequence[str], index: HeaderIndex) -> int | None:
    """Position (0-based, in `cells`) of the first row with two or more known headers.

    Only the first HEADER_SCAN_ROWS rows are looked at: a header further down is not a
    header but data that happens to look like one.
    """
    head = cells.select(columns).head(HEADER_SCAN_ROWS)
    for position, row in enumerate(head.iter_rows()):
        keys = {index.key_of(value) for value in row if value is not None}
        keys.discard(None)
        if len(keys) >= 2:
            return position
    return None


@dataclass(frozen=True)
class HeaderMap:
    """What the header row says: key -> (cell column, header as written), and duplicates."""

    columns: dict[str, tuple[str, str]]
    duplicates: list[tuple[str, str]]  # (key, header as written) of each ignored repeat
    names: dict[str, str]  # cell column -> unique display name for the raw frame


def map_headers(header_cells: Iterable[tuple[str, str | None]], index: HeaderIndex) -> HeaderMap:
    """Assign keys to the header row's cells; the first column of a key wins.

    `header_cells` is (cell column, text) in sheet order. Blank or repeated headers get a
    unique name for the raw frame (`column 3`, `姓名 (2)`), since a frame needs one.
    """
    columns: dict[str, tuple[str, str]] = {}
    duplicates: list[tuple[str, str]] = []
    names: dict[str, str] = {}
    seen: set[str] = {"_row"}
    for position, (cell_column, text) in enumerate(header_cells, start=1):
        written = (text or "").strip()
        key = index.key_of(written)
        if key is not None:
            if key in columns:
                duplicates.append((key, written))
            else:
                columns[key] = (cell_column, written)
        name = written or f"column {position}"
        unique, n = name, 2
        while unique in seen:
            unique = f"{name} ({n})"
            n += 1
        seen.add(unique)
        names[cell_column] = unique
    return HeaderMap(columns, duplicates, names)
