"""A small region, generated once for the tests of this folder."""

from __future__ import annotations

import pytest

from youthbridge.synthetic import Region, generate_region

SCALE = 0.02
SEED = 20230


@pytest.fixture(scope="session")
def region() -> Region:
    """Both districts at 2% of their real size."""
    return generate_region(SCALE, SEED)
