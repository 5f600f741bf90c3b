"""The sample-data generator as a package: `base` (as-of day, headers, the plan's figures),
`ids` (region codes, id numbers, names), `world` (units, contracts, members, spells),
`scenarios` (the claims and their expected decisions), `output` (the workbooks, EXPECTED.md
and `generate`), `scenario_files` (the expected decisions as the scenario files of
tests/scenarios/sample/), `bench` (the benchmark workbooks). `scripts/make_sample_data.py` is the
entry point; tests and scripts/bench.py import from here."""

from .base import *  # noqa: F403
from .bench import *  # noqa: F403
from .ids import *  # noqa: F403
from .output import *  # noqa: F403
from .scenarios import *  # noqa: F403
from .world import *  # noqa: F403
