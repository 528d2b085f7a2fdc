"""`youthbridge hub ...`: the hub node's commands."""

from __future__ import annotations

import click


@click.group("hub")
def group() -> None:
    """Work on the hub: trends and the at-risk review."""
