"""Everything the command line shows goes through here: summary lines, tables, --json.

On a terminal a table is a rich table that fits the console (issue 13): dates, amounts and
codes are shown whole or not at all, names and free text fold onto further lines, and when
even that is too wide the least important columns are left out (the report has them all).
Elsewhere (cron, pipes) a table is its title and tab-separated rows, every column.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

# kinds of column shown whole on one line: a cut date ("2027-…") or amount is a wrong one
WHOLE = frozenset({"key", "date", "amount", "number", "word"})
# kinds that fold onto further lines, and the narrowest they may become
FOLDED = {"name": 8, "text": 12}


@dataclass(frozen=True)
class Col:
    """One column: its header, what it holds (a kind of WHOLE or FOLDED), and how much it
    matters (higher stays longer when the terminal is narrow; ties go right to left)."""

    header: str
    kind: str = "text"
    priority: int = 0


def say(text: str) -> None:
    """One summary line on stdout (never wrapped: a path stays copyable)."""
    out.print(text)


def warn(text: str) -> None:
    """One line on stderr: errors, timings."""
    err.print(text)


def stderr_is_terminal() -> bool:
    return err.is_terminal


@contextmanager
def status(text: str) -> Iterator[Any]:
    """A spinner on stderr; the caller updates its text stage by stage."""
    with err.status(text) as shown:
        yield shown


@contextmanager
def the_right_command(file: Any, wants: str) -> Iterator[None]:
    """Run a reading command; when it cannot read `file` because the file is the other
    kind of workbook, say which command takes it instead (L177). Looked at only after a
    failure, so a right file is opened once."""
    from aidctl import api
    from aidctl.errors import InputError

    try:
        yield
    except InputError as exc:
        better = api.wrong_command(file, "units" if wants == "units" else "claims")
        if better is None:
            raise
        raise better from exc


def print_json(outcome: Any) -> None:
    """The outcome's own document (docs/formats.md); the CLI builds none itself."""
    sys.stdout.write(
        json.dumps(outcome.to_json(), ensure_ascii=False, indent=2, default=str) + "\n"
    )


def _as_col(header: str | Col, index: int) -> Col:
    """A bare header is free text, mattering less the further right it stands."""
    return header if isinstance(header, Col) else Col(header, "text", -index)


def _needed(cols: Sequence[Col], cells: Sequence[Sequence[str]], keep: Sequence[int]) -> int:
    """The narrowest the kept columns can be drawn: whole columns at their longest cell,
    folded ones at their floor, two cells of padding each, one border between and around."""
    total = 1 + len(keep)
    for i in keep:
        longest = max([cell_len(cols[i].header), *(cell_len(row[i]) for row in cells)])
        floor = FOLDED.get(cols[i].kind)
        total += 2 + (longest if floor is None else min(longest, floor))
    return total


def fit(cols: Sequence[Col], cells: Sequence[Sequence[str]], width: int) -> list[int]:
    """The columns to show in `width` cells: drop the least important until the rest fit."""
    keep = list(range(len(cols)))
    while len(keep) > 1 and _needed(cols, cells, keep) > width:
        keep.remove(min(keep, key=lambda i: (cols[i].priority, -i)))
    return keep


def _left_out(headers: list[str], lang: str) -> str:
    names = ("、" if lang == "zh" else ", ").join(headers)
    if lang == "zh":
        return f"窗口太窄，未显示：{names}（报告中都有）"
    return f"Not shown, the window is too narrow: {names} (all are in the report)"


def build_table(
    title: str,
    headers: Sequence[str | Col],
    rows: Sequence[Sequence[Any]],
    width: int,
    lang: str = "zh",
) -> Table:
    """The rich table for a console `width` cells wide (see the module docstring); a caption
    names the columns left out, so nobody takes a missing column for an empty one."""
    cols = [_as_col(h, i) for i, h in enumerate(headers)]
    cells = [[str(v) for v in row] for row in rows]
    keep = fit(cols, cells, width)
    dropped = [cols[i].header for i in range(len(cols)) if i not in keep]
    table = Table(
        title=title,
        show_lines=False,
        caption=_left_out(dropped, lang) if dropped else None,
    )
    for i in keep:
        col = cols[i]
        if col.kind in WHOLE:
            longest = max([cell_len(col.header), *(cell_len(row[i]) for row in cells)])
            table.add_column(col.header, no_wrap=True, overflow="fold", min_width=longest)
        else:
            table.add_column(col.header, overflow="fold")
    for row in cells:
        table.add_row(*[row[i] for i in keep])
    return table


def table(
    title: str,
    headers: Sequence[str | Col],
    rows: Sequence[Sequence[Any]],
    lang: str = "zh",
) -> None:
    """A rich table that fits the terminal; plain tab-separated lines otherwise."""
    if out.is_terminal:
        out.print(build_table(title, headers, rows, out.width, lang))
    else:
        out.print(title)
        for row in rows:
            out.print("  " + "\t".join(str(v) for v in row))
