"""Migration environment of the district node's database."""

from youthbridge.storage.database import NodeKind
from youthbridge.storage.migrations.environment import run

run(NodeKind.DISTRICT)
