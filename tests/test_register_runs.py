"""Runs keep what their reports show (issue 9): the facts (run(run_id)) and the frames, for
enroll and renewals (L61); a listing asked not to record, a check and a dry run record
nothing and create nothing. Each runs on both back ends (SQLite file, PostgreSQL database;
issue 14)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from cli_workbooks import members, unit, write_units_workbook
from conftest import register_exists

from aidctl import pipeline
from aidctl.errors import RegisterError
from aidctl.plan.params import load_policy
from aidctl.register import Register

AS_OF = dt.date(2026, 11, 28)


def _settings(db: Path | str) -> pipeline.Settings:
    # a URL stays a str: Path() would fold its "//" (see the report on issue 14)
    return pipeline.Settings(db_path=db, as_of=AS_OF, lang="zh", policy=load_policy())  # type: ignore[arg-type]


@pytest.fixture
def enrolled(
    tmp_path: Path, register_location: str
) -> tuple[pipeline.Settings, pipeline.EnrollOutcome]:
    book = write_units_workbook(
        tmp_path / "u.xlsx",
        [unit("U1", 3), unit("U2", 2)],
        members("U1", 0, 3) + members("U2", 10, 2),
    )
    ctx = _settings(register_location)
    outcome, _ = pipeline.enroll(ctx, book)
    return ctx, outcome


def test_an_enrolment_run_keeps_its_report_facts(
    enrolled: tuple[pipeline.Settings, pipeline.EnrollOutcome],
) -> None:
    """L62: an enrolment run records the parameter file and its units' contract versions."""
    ctx, outcome = enrolled
    assert outcome.run_id is not None
    with Register.open(ctx.db_path, create=False) as reg:
        run = reg.run(outcome.run_id)
        frames = reg.run_frames(outcome.run_id)
    assert run is not None
    versions = sorted(outcome.result.units["policy_version"].drop_nulls().unique().to_list())
    assert versions
    assert run["command"] == "enroll"
    assert run["input_file"].endswith("u.xlsx")
    assert run["input_sha256"] == outcome.input_sha256
    assert run["as_of"] == "2026-11-28"
    assert run["policy_versions"] == versions
    assert run["policy_file"] == ctx.policy.path
    assert run["counts"]["spells_added"] == 5
    assert frames["units"].equals(outcome.result.units)


def test_renewals_record_a_run_with_the_listing_l61(
    enrolled: tuple[pipeline.Settings, pipeline.EnrollOutcome],
) -> None:
    ctx, _ = enrolled
    listed = pipeline.list_renewals(ctx, "60d")
    assert listed.listed["unit_code"].to_list() == ["U1", "U2"]  # terms end 2026-12-31
    assert listed.run_id is not None
    with Register.open(ctx.db_path, create=False) as reg:
        run = reg.run(listed.run_id)
        frames = reg.run_frames(listed.run_id)
    assert run is not None
    assert (run["command"], run["input_file"], run["as_of"]) == ("renewals", None, "2026-11-28")
    assert run["counts"] == {"due": "60d", "until": "2027-01-27", "listed": 2}
    assert run["policy_versions"] == listed.policy_versions != []
    assert list(frames) == ["renewals"]
    assert frames["renewals"].equals(listed.listed)


def test_renewals_asked_not_to_record_leave_the_runs_as_they_were_l61(
    enrolled: tuple[pipeline.Settings, pipeline.EnrollOutcome],
) -> None:
    ctx, _ = enrolled
    with Register.open(ctx.db_path, create=False) as reg:
        before = reg.runs()
    listed = pipeline.renewals_due(ctx, "60d", record=False)
    assert listed.height == 2
    with Register.open(ctx.db_path, create=False) as reg:
        assert reg.runs() == before


def test_renewals_never_create_a_register(register_location: str) -> None:
    for record in (True, False):
        with pytest.raises(RegisterError, match="does not exist"):
            pipeline.renewals_due(_settings(register_location), "30d", record=record)
    assert not register_exists(register_location)


def test_a_check_records_nothing_and_creates_nothing(
    tmp_path: Path, register_location: str
) -> None:
    book = write_units_workbook(tmp_path / "u.xlsx", [unit("U1", 3)], members("U1", 0, 3))
    outcome, _ = pipeline.validate_enrollment(_settings(register_location), book)
    assert outcome.run_id is None
    assert not register_exists(register_location)


def test_both_back_ends_record_the_same_schema_version_l85(register_location: str) -> None:
    """L85: a PostgreSQL register keeps the file's schema, created by one migration numbered
    as the file's latest, so a schema version means the same on both back ends."""
    from aidctl.register.sqlite_schema import MIGRATIONS as SQLITE_MIGRATIONS

    with Register.open(register_location) as reg:
        rows = reg.connection.execute("SELECT max(version) FROM schema_migrations").fetchall()
    assert rows[0][0] == max(version for version, _name, _sql in SQLITE_MIGRATIONS)
