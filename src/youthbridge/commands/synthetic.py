"""`youthbridge synthetic ...`: synthetic districts for demos, tests and benchmarks."""

from __future__ import annotations

import click


@click.group("synthetic")
def group() -> None:
    """Generate synthetic districts (no real person)."""
