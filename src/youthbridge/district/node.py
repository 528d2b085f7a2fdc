"""A district node's place on disk and its database.

Embedded by default: a folder per district under the data folder, holding the
SQLite database, the columnar attendance files and the pseudonym key. A deployment
gives a PostgreSQL URL instead of the SQLite file; the folder still holds the
files that never go in the database.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from youthbridge.domain.agreement import Agreement
from youthbridge.domain.errors import ConfigError
from youthbridge.storage.database import (
    NodeKind,
    create_schema,
    make_engine,
    session_factory,
    sqlite_url,
)

DATA_DIR_VARIABLE = "YOUTHBRIDGE_DATA_DIR"
DEFAULT_DATA_DIR = Path("youthbridge-data")
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,15}")


@dataclass
class DistrictNode:
    code: str
    folder: Path
    engine: Engine
    sessions: sessionmaker[Session]
    agreement: Agreement

    @property
    def attendance_folder(self) -> Path:
        return self.folder / "attendance"

    def close(self) -> None:
        """Release the database connections the node holds."""
        self.engine.dispose()


def data_dir(option: Path | None) -> Path:
    """The data folder: the option, else the environment, else ./youthbridge-data."""
    if option is not None:
        return option
    configured = os.environ.get(DATA_DIR_VARIABLE)
    return Path(configured) if configured else DEFAULT_DATA_DIR


def open_district(
    root: Path,
    code: str,
    *,
    database_url: str | None = None,
    agreement: Agreement | None = None,
) -> DistrictNode:
    """Open (creating if new) the node of district `code` under the data folder."""
    if not _CODE.fullmatch(code):
        raise ConfigError(
            f"`{code}` is not a usable district code: use letters, digits, - or _,"
            " up to 16 characters",
            code="district:code",
        )
    folder = root / f"district-{code}"
    folder.mkdir(parents=True, exist_ok=True)
    engine = make_engine(database_url or sqlite_url(folder / "district.sqlite"))
    create_schema(engine, NodeKind.DISTRICT)
    return DistrictNode(
        code, folder, engine, session_factory(engine), agreement or Agreement()
    )


def open_existing_district(root: Path, code: str) -> DistrictNode:
    """Open a district node that must already exist: a typo makes no new one."""
    folder = root / f"district-{code}"
    if not (folder / "district.sqlite").exists():
        raise ConfigError(
            f"there is no district {code} in {root}; ingest its export first"
            " (youthbridge district ingest ... --district CODE)",
            code="district:unknown",
        )
    return open_district(root, code)
