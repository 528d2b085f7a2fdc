"""Writing a new migration for each kind of node from the models.

Run `python -m youthbridge.storage.revisions "what changed"` after changing a
model. Each kind's history is upgraded on a scratch SQLite database, compared
with the models, and the difference written as the next revision.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from youthbridge.storage.database import NodeKind, make_engine, migration_config


def revise(message: str) -> None:
    for kind in NodeKind:
        with tempfile.TemporaryDirectory() as folder:
            engine = make_engine(f"sqlite:///{Path(folder) / 'scratch.sqlite'}")
            config = migration_config(kind)
            with engine.begin() as connection:
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
                command.revision(config, message=message, autogenerate=True)
            engine.dispose()


if __name__ == "__main__":
    revise(" ".join(sys.argv[1:]) or "schema change")
