"""The hub's tables: the de-identified store (filled in by hub/ modules' needs)."""

from __future__ import annotations

from youthbridge.storage.base import HubBase

metadata = HubBase.metadata
