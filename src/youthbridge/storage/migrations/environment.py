"""What every migration environment does, for the kind of node it belongs to."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from youthbridge.storage.database import NodeKind, metadata_for


def run(kind: NodeKind) -> None:
    """Run migrations on the connection handed over by `create_schema`."""
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError(
            "youthbridge migrations run through youthbridge's own schema setup"
        )
    context.configure(
        connection=connection,
        target_metadata=metadata_for(kind),
        # SQLite cannot alter most things in place; batch mode copies the table.
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
