"""Import every table module so the metadata is complete (Alembic, tests)."""

from __future__ import annotations

import importlib

TABLE_MODULES = ("channels.models", "escalation.models", "insight.models", "followup.models")


def import_all() -> None:
    """Register every table with its declarative base."""
    for module in TABLE_MODULES:
        importlib.import_module(module)
