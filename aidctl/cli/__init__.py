"""The command line: options in, `aidctl.api` called, results shown; exit codes 0/1/2.

Each command parses its options, calls the one function of `aidctl.api` named after it,
writes the report through `api.write_report`, and renders the outcome: a rich table on a
terminal, plain lines otherwise, or `--json` (the outcome's own `to_json()`). An
`AidctlError` (a file that cannot be read, a bad option, a register that is not ours)
becomes one sentence on stderr and exit code 2, never a traceback.

`app.py` holds the typer app and its groups, `options.py` the shared options,
`progress.py` the spinner and timings, `running.py` the exit codes, `render.py` everything
shown; the commands live in `enrolment`, `claims`, `reports`, `policy`, `batch` and
`register`.
"""

from aidctl.cli import (
    batch,
    claims,
    enrolment,
    fund,  # issue 12: fund, members, simulate, contributions
    policy,
    register,
    reports,
)
from aidctl.cli import items as items  # pending, withdraw, reopen (issue 11)
from aidctl.cli.app import app, main, order_commands

order_commands()

__all__ = [
    "app",
    "batch",
    "claims",
    "enrolment",
    "fund",
    "main",
    "policy",
    "register",
    "reports",
]
