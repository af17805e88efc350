"""Alembic migrations for both databases, run by `cairn db upgrade` (once, not per replica)."""

from __future__ import annotations

from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData

from cairn.db import make_engine

_HERE = Path(__file__).resolve().parent
DATABASES = ("main", "insight")


def alembic_config(name: str, url: str) -> Config:
    """Build the Alembic config for one database without an ini file."""
    config = Config()
    config.set_main_option("script_location", str(_HERE / name))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(name: str, url: str) -> None:
    """Bring one database to the newest revision."""
    command.upgrade(alembic_config(name, url), "head")


def run_env(metadata: MetaData) -> None:
    """Run migrations online for the env.py of one database."""
    url = context.config.get_main_option("sqlalchemy.url") or ""
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=url.startswith("sqlite"),
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
