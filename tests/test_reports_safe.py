"""Masking, CSV-injection guarding and all-or-nothing file writes (aidctl.reports.safe)."""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aidctl.reports.safe import (
    FORMULA_PREFIXES,
    atomic_path,
    atomic_write_bytes,
    csv_safe,
    csv_safe_expr,
    looks_like_formula,
    mask_id,
    mask_id_expr,
)


def _mask_column(values: list[str | None]) -> list[str | None]:
    frame = pl.DataFrame({"v": values}, schema={"v": pl.Utf8})
    return frame.select(mask_id_expr(pl.col("v"))).to_series().to_list()


def _csv_column(values: list[str | None]) -> list[str | None]:
    frame = pl.DataFrame({"v": values}, schema={"v": pl.Utf8})
    return frame.select(csv_safe_expr(pl.col("v"))).to_series().to_list()


# --- mask_id -------------------------------------------------------------------------------

MASK_CASES = [
    # an 18-character resident id: region (6) and last 4 stay
    ("320705198001011234", "320705********1234"),
    ("11010519491231002X", "110105********002X"),
    # surrounding spaces do not push a real id onto the "odd value" rule
    (" 320705198001011234 ", "320705********1234"),
    # a 15-character (old) id: first 3 and last 2 only
    ("320705800101123", "320**********23"),
    # short or odd values: at most 3 + 2 shown, never more than half
    ("ABCDEFGHIJKL", "ABC*******KL"),
    ("12345678", "12****78"),
    ("1234", "1**4"),
    ("123", "***"),
    ("7", "*"),
    ("", ""),
    ("3207051980010112345", "320**************45"),  # 19 characters is not an id
    ("张三丰李四王五赵六", "张三*****赵六"),  # counted in characters, not bytes
]


@pytest.mark.parametrize(("raw", "masked"), MASK_CASES)
def test_mask_id(raw: str, masked: str) -> None:
    assert mask_id(raw) == masked


@pytest.mark.parametrize(("raw", "masked"), MASK_CASES)
def test_mask_id_expr_matches_the_function(raw: str, masked: str) -> None:
    assert _mask_column([raw]) == [masked]


def test_mask_id_keeps_null() -> None:
    assert mask_id(None) is None
    assert _mask_column([None, "320705198001011234"]) == [None, "320705********1234"]


def test_mask_keeps_the_length_and_hides_the_birth_date() -> None:
    masked = mask_id("320705198001011234")
    assert masked is not None
    assert len(masked) == 18
    assert "19800101" not in masked


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=25)), max_size=20))
def test_mask_id_expr_equals_mask_id_for_any_text(values: list[str | None]) -> None:
    assert _mask_column(values) == [mask_id(v) for v in values]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=["Zs", "Cc"]), max_size=40))
def test_mask_never_shows_more_than_half_of_an_odd_value(value: str) -> None:
    masked = mask_id(value)
    assert masked is not None
    assert len(masked) == len(value)
    if len(value) != 18:
        shown = sum(1 for ch in masked if ch != "*")
        assert shown <= len(value) // 2


# --- csv_safe --------------------------------------------------------------------------------

CSV_CASES = [
    ("=1+1", "'=1+1"),
    ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
    ("+86 138", "'+86 138"),
    ("-5", "'-5"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("张三", "张三"),
    ("a=b", "a=b"),
    ("320705198001011234", "320705198001011234"),
    (" =1", " =1"),  # only the first character counts
    ("", ""),
]


@pytest.mark.parametrize(("raw", "safe"), CSV_CASES)
def test_csv_safe(raw: str, safe: str) -> None:
    assert csv_safe(raw) == safe


@pytest.mark.parametrize(("raw", "safe"), CSV_CASES)
def test_csv_safe_expr_matches_the_function(raw: str, safe: str) -> None:
    assert _csv_column([raw]) == [safe]


def test_csv_safe_keeps_null() -> None:
    assert csv_safe(None) is None
    assert _csv_column([None, "=1"]) == [None, "'=1"]


def test_every_formula_prefix_is_guarded() -> None:
    assert set(FORMULA_PREFIXES) == {"=", "+", "-", "@", "\t", "\r"}
    for prefix in FORMULA_PREFIXES:
        assert looks_like_formula(prefix + "x")
        assert csv_safe(prefix + "x") == "'" + prefix + "x"
    assert not looks_like_formula(None)
    assert not looks_like_formula("")
    assert not looks_like_formula("x=1")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=10)), max_size=20))
def test_csv_safe_expr_equals_csv_safe_for_any_text(values: list[str | None]) -> None:
    assert _csv_column(values) == [csv_safe(v) for v in values]


# --- atomic writes ---------------------------------------------------------------------------


def test_atomic_write_bytes_creates_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    atomic_write_bytes(target, b"first")
    assert target.read_bytes() == b"first"
    atomic_write_bytes(target, b"second")
    assert target.read_bytes() == b"second"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_atomic_path_leaves_the_old_file_when_the_block_fails(tmp_path: Path) -> None:
    target = tmp_path / "report.csv"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError, match="midway"), atomic_path(target) as temp:
        assert temp.parent == tmp_path
        assert temp != target
        temp.write_bytes(b"half")
        raise RuntimeError("midway")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.csv"]


def test_atomic_path_without_a_previous_file_leaves_nothing_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "new.xlsx"
    with pytest.raises(KeyboardInterrupt), atomic_path(target) as temp:
        temp.write_bytes(b"x")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_atomic_path_temp_is_hidden_beside_the_target_and_keeps_the_suffix(
    tmp_path: Path,
) -> None:
    target = tmp_path / "决定.xlsx"
    with atomic_path(target) as temp:
        assert temp.exists()  # reserved, so no other writer can take the name
        assert temp.name.startswith(".")
        assert temp.suffix == ".xlsx"
        temp.write_bytes(b"done")
    assert target.read_bytes() == b"done"
    assert not temp.exists()


def test_atomic_path_accepts_str(tmp_path: Path) -> None:
    target = str(tmp_path / "a.txt")
    with atomic_path(target) as temp:
        temp.write_text("ok", encoding="utf-8")
    assert Path(target).read_text(encoding="utf-8") == "ok"


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_atomic_path_makes_a_replaced_file_owner_only_l153(tmp_path: Path) -> None:
    """L153: a report holds personal data; the file it replaces may have been shared (0640),
    the new one is owner-only all the same."""
    target = tmp_path / "shared.xlsx"
    target.write_bytes(b"old")
    target.chmod(0o640)
    atomic_write_bytes(target, b"new")
    assert target.stat().st_mode & 0o777 == 0o600


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
@pytest.mark.parametrize("umask", [0o000, 0o022, 0o077])
def test_atomic_path_new_file_is_owner_only_whatever_the_umask_l153(
    tmp_path: Path, umask: int
) -> None:
    old = os.umask(umask)
    try:
        atomic_write_bytes(tmp_path / "new.csv", b"x")
    finally:
        os.umask(old)
    assert (tmp_path / "new.csv").stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.csv"]  # no scratch left


def test_atomic_path_missing_directory_raises_and_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError), atomic_path(tmp_path / "no" / "x.csv"):
        pass
    assert list(tmp_path.iterdir()) == []
