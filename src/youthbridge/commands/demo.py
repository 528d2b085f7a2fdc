"""`youthbridge demo`: the main job end to end on an embedded default."""

from __future__ import annotations

import click


@click.command("demo")
def command() -> None:
    """Generate a synthetic region, ingest it, release it, report on it."""
