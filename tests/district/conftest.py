"""District fixtures: nodes on a fresh database, closed when the test ends."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from youthbridge.district.node import DistrictNode, open_district


@pytest.fixture
def open_node(
    tmp_path: Path, database_url: Callable[[str], str]
) -> Iterator[Callable[..., DistrictNode]]:
    """Open district nodes under the test's data folder, each on its own database."""
    opened: list[DistrictNode] = []

    def make(code: str, **options: Any) -> DistrictNode:
        node = open_district(
            tmp_path / "data", code, database_url=database_url(code.lower()), **options
        )
        opened.append(node)
        return node

    yield make
    for node in opened:
        node.close()
