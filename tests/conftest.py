"""Shared fixtures: real databases (SQLite files, or PostgreSQL when configured)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
POSTGRES_URL = os.environ.get("YOUTHBRIDGE_TEST_DATABASE_URL") or None


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The public sample files; tests read them and never write to them."""
    if not SHARED_DATA.is_dir():
        pytest.fail(f"the shared sample data is missing at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """A factory of fresh, empty databases: one per node a test needs.

    SQLite files in the test's folder by default; with
    YOUTHBRIDGE_TEST_DATABASE_URL set, a new PostgreSQL database per call,
    dropped when the test ends.
    """
    created: list[str] = []

    def make(name: str) -> str:
        if POSTGRES_URL is None:
            return f"sqlite:///{tmp_path / (name + '.sqlite')}"
        database = f"yb_{name}_{uuid.uuid4().hex[:12]}".lower()
        _admin(f'CREATE DATABASE "{database}"')
        created.append(database)
        return make_url(POSTGRES_URL).set(database=database).render_as_string(False)

    yield make
    for database in created:
        _admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def _admin(statement: str) -> None:
    assert POSTGRES_URL is not None
    engine = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(statement))
    engine.dispose()
