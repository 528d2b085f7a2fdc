"""Migration environment of the hub node's database."""

from youthbridge.storage.database import NodeKind
from youthbridge.storage.migrations.environment import run

run(NodeKind.HUB)
