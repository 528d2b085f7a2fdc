"""The migrations build exactly the schema the models describe, on each database."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from youthbridge.storage.database import (
    NodeKind,
    create_schema,
    make_engine,
    metadata_for,
)


@pytest.mark.parametrize("kind", list(NodeKind))
def test_migrations_match_the_models(
    kind: NodeKind, database_url: Callable[[str], str]
) -> None:
    engine = make_engine(database_url(f"migrate_{kind.value}"))
    try:
        create_schema(engine, kind)

        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True}
            )
            differences = compare_metadata(context, metadata_for(kind))
    finally:
        engine.dispose()

    assert differences == []


def test_a_hub_database_has_no_district_table(
    database_url: Callable[[str], str],
) -> None:
    engine = make_engine(database_url("hub_only"))
    try:
        create_schema(engine, NodeKind.HUB)
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()

    assert {"students", "guardians", "pseudonyms", "attendance"}.isdisjoint(tables)
    assert {"releases", "release_records"} <= tables


def test_upgrading_twice_changes_nothing(database_url: Callable[[str], str]) -> None:
    engine = make_engine(database_url("twice"))
    try:
        create_schema(engine, NodeKind.DISTRICT)
        before = set(inspect(engine).get_table_names())
        create_schema(engine, NodeKind.DISTRICT)
        after = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()

    assert before == after
