"""docs/api.md stays true: its Python blocks run, in order, as one session (issue 9)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def test_the_api_guide_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = BLOCK.findall((ROOT / "docs" / "api.md").read_text(encoding="utf-8"))
    assert len(blocks) >= 5
    monkeypatch.chdir(ROOT)  # the guide reads sample_data/ relative to the repository
    monkeypatch.delenv("AIDCTL_DB", raising=False)
    session: dict[str, object] = {"work": tmp_path}
    for number, code in enumerate(blocks, 1):
        exec(compile(code, f"docs/api.md block {number}", "exec"), session)
    assert (tmp_path / "claims.again.xlsx").exists()
