"""Import every table module so the metadata is complete (Alembic, tests)."""

from __future__ import annotations


def import_all() -> None:
    """Register every table with its declarative base."""
    import insight.models  # noqa: F401
