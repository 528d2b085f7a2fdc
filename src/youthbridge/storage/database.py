"""Database setup: engines for each node, SQLite by default, PostgreSQL deployed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from youthbridge.domain.errors import ConfigError
from youthbridge.storage.base import CommonBase, DistrictBase, HubBase


class NodeKind(StrEnum):
    DISTRICT = "district"
    HUB = "hub"


def metadata_for(kind: NodeKind) -> list[MetaData]:
    """The metadata objects whose tables make up one kind of node's database."""
    # Importing the table modules registers their tables on the metadata.
    from youthbridge.exchange import tables as exchange_tables  # noqa: F401
    from youthbridge.security import tables as security_tables  # noqa: F401
    from youthbridge.storage import district_tables, hub_tables  # noqa: F401

    node = DistrictBase.metadata if kind is NodeKind.DISTRICT else HubBase.metadata
    return [CommonBase.metadata, node]


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def make_engine(url: str) -> Engine:
    """An engine with the settings every node needs on its database."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    # Foreign keys are off in SQLite unless asked for; WAL lets a reader and the
    # writer work at once, which the web app and the scheduled jobs need.
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


MIGRATIONS = Path(__file__).parent / "migrations"


def migration_config(kind: NodeKind) -> Config:
    """Alembic's configuration for one kind of node, without an ini file."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS / kind.value))
    config.set_main_option("path_separator", "os")
    return config


def create_schema(engine: Engine, kind: NodeKind) -> None:
    """Bring a node's database to the current schema through its migrations."""
    config = migration_config(kind)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except DBAPIError as error:
        # Most often a database made before its schema had migrations, or one
        # of another kind of node: say which, rather than show the driver's SQL.
        where = engine.url.render_as_string(hide_password=True)
        raise ConfigError(
            f"{where}: the {kind.value} node's database cannot be brought to the"
            f" current schema ({type(error.orig).__name__}: {error.orig}); restore"
            " it from a backup made by this version, or start a new data folder",
            code="storage:schema",
        ) from None


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: committed when the block ends, rolled back on error."""
    with factory.begin() as session:
        yield session
