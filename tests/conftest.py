"""Fixtures shared by the register tests: a register location on each back end.

`register_location` runs a test once on an SQLite file and once on a fresh PostgreSQL
database (issue 14). The PostgreSQL server is named by AIDCTL_TEST_PG (a postgresql:// URL;
`.ci/run` starts a throwaway cluster with scripts/pg-throwaway). Without it the PostgreSQL
case is skipped on a developer's machine, but FAILS under CI=true: CI must never pass
without having run the PostgreSQL back end.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from aidctl.batch.faults import ENV_VAR as CRASH_VAR

PG_ENV = "AIDCTL_TEST_PG"


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def pg_server() -> str:
    """The test server's URL, or skip (locally) / fail (CI=true) when there is none."""
    url = os.environ.get(PG_ENV)
    if url:
        return url
    if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
        pytest.fail(f"{PG_ENV} is not set under CI: the PostgreSQL register must be tested")
    pytest.skip(f"{PG_ENV} is not set (scripts/pg-throwaway start sets it)")


@contextmanager
def fresh_pg_database() -> Iterator[str]:
    """A new, empty database on the test server, dropped afterwards."""
    import psycopg

    server = pg_server()
    name = f"aidctl_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(server, name)
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# The variables by which the environment steers aidctl: a test that runs commands clears
# them (a developer's own AIDCTL_DB must not send a test's run to their register).
AIDCTL_VARS = ("AIDCTL_CONFIG", "AIDCTL_DB", "AIDCTL_POLICY", CRASH_VAR)


@pytest.fixture
def clerk_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Commands run as a clerk's would: nothing from AIDCTL_VARS, quiet, in the test's own
    folder."""
    for var in AIDCTL_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AIDCTL_QUIET", "1")
    monkeypatch.chdir(tmp_path)


@pytest.fixture(params=["sqlite", "postgres"])
def register_location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Where a register lives: an SQLite file in tmp, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield str(tmp_path / "reg.sqlite3")
        return
    with fresh_pg_database() as url:
        yield url


def register_exists(location: str) -> bool:
    """Whether anything was created at `location` (a file, or tables in the database)."""
    from aidctl.register.register import _implementation

    return _implementation(location).exists(location)


# ---------------------------------------------------------------- the pipeline's tests on both

# The pipeline, batch and acceptance-level tests run on SQLite; a representative subset runs
# on PostgreSQL too: a test marked `@both_backends` (tests/backends.py) gets the `backend`
# fixture as "sqlite" and as "postgres", and the fixtures that make its register
# (`register_db`, a test module's own `db`/workspace fixtures) put it there. Every test
# module says in a comment which of its tests run on both and why not the others.


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """'sqlite', unless the test is parametrised indirectly (`@both_backends`)."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture
def register_db(backend: str, tmp_path: Path) -> Iterator[Any]:
    """A register location on the test's back end: tmp/reg.sqlite3 (a Path, as the tests
    that read the file expect), or a fresh PostgreSQL database (its URL)."""
    if backend == "sqlite":
        yield tmp_path / "reg.sqlite3"
        return
    with fresh_pg_database() as url:
        yield url
