"""The options every command shares: their declarations and `CommonOptions`, resolved."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Annotated, Any

import typer
from typer._click.exceptions import (
    BadParameter,
    MissingParameter,
    NoArgsIsHelpError,
    NoSuchOption,
    UsageError,
)
from typer.core import TyperGroup

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


# ---------------------------------------------------------------- usage errors in words


def _lang_of(args: Sequence[str]) -> str:
    """The language the command line asks for (--lang en / --lang=en), zh otherwise: a
    usage error is found before the options are parsed."""
    for i, arg in enumerate(args):
        if arg == "--lang" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return "zh"


def usage_words(exc: UsageError, lang: str) -> str:
    """A usage error as one sentence in the clerk's language, saying what to type (L175):
    in zh no English click text is shown."""
    path = exc.ctx.command_path if exc.ctx is not None else "aidctl"
    if lang == "en":
        return f"{exc.format_message()} See `{path} --help`."
    if isinstance(exc, NoSuchOption):
        maybe = sorted(exc.possibilities or [])
        also = f"（是否想输入：{'、'.join(maybe)}）" if maybe else ""
        return f"命令 {path} 没有选项 {exc.option_name}{also}；请用 `{path} --help` 查看可用选项。"
    if isinstance(exc, MissingParameter):
        return f"命令 {path} 缺少{_param_words(exc.param)}；请用 `{path} --help` 查看用法和示例。"
    if isinstance(exc, BadParameter):
        return f"{_param_words(exc.param)}的值无法识别；请按 `{path} --help` 所示填写。"
    unknown = re.match(r"No such command '(.*)'", exc.message)
    if unknown:
        return f"没有命令 {unknown.group(1)}；请用 `{path} --help` 查看可用命令。"
    return f"命令行有误；请用 `{path} --help` 查看用法和示例。"


# the arguments of the commands, as the help calls them
_ARGUMENTS = {
    "claim_id": "理赔编号",
    "id_number": "身份证号",
    "file": "文件",
    "run_id": "运行编号",
    "target": "目标文件",
    "path": "路径",
    "directory": "目录",
}


def _param_words(param: Any) -> str:
    """An option by its name as typed (--limit), an argument in words (理赔编号)."""
    if param is None:
        return "参数"
    opts = [o for o in getattr(param, "opts", []) if o.startswith("-")]
    if opts:
        return f"选项 {opts[0]} "
    name = str(getattr(param, "name", "") or "")
    return _ARGUMENTS.get(name, "参数")


class _WordedUsage(UsageError):
    """A usage error shown as one sentence (no English usage banner in zh)."""

    def __init__(self, text: str, ctx: Any) -> None:
        super().__init__(text, ctx)

    def show(self, file: IO[Any] | None = None) -> None:
        from aidctl.cli.render import warn

        warn(f"aidctl: {self.message}")


class WordedGroup(TyperGroup):
    """The root group: usage errors of any command come out as `usage_words` (exit 2)."""

    _lang = "zh"

    def make_context(
        self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any
    ) -> Any:
        self._lang = _lang_of(args)
        try:
            return super().make_context(info_name, args, parent, **extra)
        except UsageError as exc:
            raise _worded(exc, self._lang) from None

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except UsageError as exc:
            raise _worded(exc, self._lang) from None


def _worded(exc: UsageError, lang: str) -> UsageError:
    if isinstance(exc, NoArgsIsHelpError | _WordedUsage):  # help text: shown as it is
        return exc
    return _WordedUsage(usage_words(exc, lang), exc.ctx)
