"""The migrations build exactly the tables the models declare."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from cairn.db import Base, InsightBase
from cairn.migrations import upgrade
from cairn.models import import_all


def test_migrations_match_the_models(tmp_path: Path) -> None:
    import_all()
    for name, metadata in (("main", Base.metadata), ("insight", InsightBase.metadata)):
        url = f"sqlite:///{tmp_path / name}.db"
        upgrade(name, url)
        with create_engine(url).connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), metadata)
        assert diff == [], (name, diff)
