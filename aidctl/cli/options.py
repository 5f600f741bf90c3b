"""The options every command shares: their declarations and `CommonOptions`, resolved."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import typer

from aidctl import api
from aidctl.batch.workspace import Workspace, find_config, load_workspace
from aidctl.errors import InputError

# ---------------------------------------------------------------- common options
DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="AIDCTL_DB",
        help="The register: a file (SQLite) or a postgresql:// URL. Env AIDCTL_DB.",
    ),
]
AsOfOpt = Annotated[
    str | None,
    typer.Option("--as-of", help="The day the command acts as of (YYYY-MM-DD); default today."),
]
LangOpt = Annotated[
    str | None,
    typer.Option("--lang", help="zh (default) or en: language of reports and messages."),
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        envvar="AIDCTL_CONFIG",
        help="Workspace config (aidctl.toml); default ./aidctl.toml when there is one.",
    ),
]
JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print one JSON document on stdout instead of a summary.")
]
OutOpt = Annotated[Path | None, typer.Option("--out", help="Where to write the Excel report.")]
PolicyOpt = Annotated[
    Path | None,
    typer.Option(
        "--policy",
        envvar="AIDCTL_POLICY",
        help="A parameter file to use instead of the built-in one.",
    ),
]
UnmaskOpt = Annotated[bool, typer.Option("--unmask", help="Show id numbers in full in reports.")]


@dataclass
class CommonOptions:
    """The options every command shares, resolved: an explicit option wins, then the
    workspace config (aidctl.toml), then $AIDCTL_DB / the built-in defaults."""

    db: str | Path  # a register file, or a postgresql:// URL
    as_of: dt.date | None
    lang: str
    json: bool
    policy: Path | None
    unmask: bool = False
    workspace: Workspace | None = None
    started: float = field(default_factory=time.perf_counter)

    @classmethod
    def parse(
        cls,
        db: str | Path | None = None,
        as_of: str | None = None,
        lang: str | None = None,
        json_out: bool = False,
        policy: Path | None = None,
        unmask: bool = False,
        config: Path | None = None,
    ) -> CommonOptions:
        found = find_config(config)
        ws = load_workspace(found) if found is not None else None
        lang = lang or (ws.lang if ws else "zh")
        if lang not in ("zh", "en"):
            raise InputError(
                f"--lang must be zh or en, not {lang!r}.",
                f"--lang 只能是 zh 或 en，而不是 {lang!r}。",
            )
        register = db if db is not None else (ws.register if ws else api.default_register())
        return cls(
            db=api.as_location(register),
            as_of=parse_day(as_of, "--as-of") if as_of else None,
            lang=lang,
            json=json_out,
            policy=policy if policy is not None else (ws.policy if ws else None),
            unmask=unmask,
            workspace=ws,
        )

    def t(self, zh: str, en: str) -> str:
        return zh if self.lang == "zh" else en


def parse_day(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise InputError(
            f"{option} needs a date like 2026-11-28, not {text!r}.",
            f"{option} 需要形如 2026-11-28 的日期，而不是 {text!r}。",
        ) from exc
