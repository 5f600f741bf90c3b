"""Every command explains itself: help text and a worked example in `--help`; `--version`.

Why these tests: the clerks and the operator learn the tool from `--help` (README: "`--help`
on every command shows an example"). The command tree is walked rather than listed, so a
command added later without help or example is caught.
"""

from __future__ import annotations

import re
from importlib.metadata import version

import pytest
from cli_workbooks import run_cli
from typer.main import get_command

import aidctl
from aidctl.cli import app

ROOT = get_command(app)
EXAMPLE = re.compile(r"Example( \([^)]*\))?:")


def _walk(command: object, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], object]]:
    found = [(path, command)]
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        found += _walk(sub, (*path, name))
    return found


TREE = _walk(ROOT)
LEAVES = [path for path, cmd in TREE if not hasattr(cmd, "commands")]
GROUPS = [path for path, cmd in TREE if hasattr(cmd, "commands")]


def test_the_tree_holds_every_documented_command() -> None:
    assert sorted(" ".join(p) for p in LEAVES) == [
        "adjudicate",
        "batch run",
        "batch status",
        "contributions record",
        "enroll",
        "explain",
        "fund",
        "history",
        "init",
        "members",
        "payments",
        "pending",
        "policy diseases",
        "policy show",
        "register backup",
        "register check",
        "renewals",
        "reopen",
        "report",
        "runs",
        "simulate",
        "template claims",
        "template receipts",
        "template units",
        "validate-enrollment",
        "void",
        "withdraw",
    ]
    assert sorted(" ".join(p) for p in GROUPS) == [
        "",
        "batch",
        "contributions",
        "policy",
        "register",
        "template",
    ]


@pytest.mark.parametrize("path", LEAVES, ids=" ".join)
def test_every_command_has_help_and_an_example(path: tuple[str, ...]) -> None:
    command = dict(TREE)[path]
    assert (getattr(command, "help", None) or "").strip()
    result = run_cli(*path, "--help")
    assert result.exit_code == 0
    assert result.stderr == ""
    text = result.stdout
    assert text.startswith(f"Usage: aidctl {' '.join(path)} ")
    # "Example:", or with a qualifier: "Example (crontab):"
    example = [line.strip() for line in text.splitlines() if EXAMPLE.match(line.strip())]
    assert example, text
    # the example runs the command it documents
    assert any(f"aidctl {' '.join(path)}" in line for line in example), example


@pytest.mark.parametrize("path", GROUPS, ids=lambda p: " ".join(p) or "aidctl")
def test_every_group_has_help_text(path: tuple[str, ...]) -> None:
    command = dict(TREE)[path]
    assert (getattr(command, "help", None) or "").strip()
    result = run_cli(*path, "--help")
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: aidctl")


@pytest.mark.parametrize("path", GROUPS, ids=lambda p: " ".join(p) or "aidctl")
def test_every_group_has_an_example(path: tuple[str, ...]) -> None:
    assert "Example:" in run_cli(*path, "--help").stdout


def test_version() -> None:
    result = run_cli("--version")
    assert result.exit_code == 0
    assert result.stdout == f"aidctl {aidctl.__version__}\n"
    assert aidctl.__version__ == version("aidctl")


@pytest.mark.parametrize("path", GROUPS, ids=lambda p: " ".join(p) or "aidctl")
def test_a_group_without_a_command_shows_its_help(path: tuple[str, ...]) -> None:
    """no_args_is_help: the usage and the commands, on stderr, exit 2 (a usage error)."""
    result = run_cli(*path)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"Usage: aidctl {' '.join(path)}".rstrip() + " [OPTIONS]")
    for name in sorted(dict(TREE)[path].commands):  # type: ignore[attr-defined]
        assert f"\n  {name} " in result.stderr
