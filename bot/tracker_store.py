"""Rasa's SQL tracker store, tuned for SQLite when Cairn runs embedded.

Runs inside the Rasa server (Python 3.10, SQLAlchemy 1.4). Rasa opens a new SQLite connection
for every session (SQLAlchemy 1.4's default for files) and commits with a full fsync of a
rollback journal: about a fifth of a turn's CPU in the Rasa process. Here the file is in WAL mode
with `synchronous=NORMAL` (durable across a process crash; a power cut can lose the last
commits, as with any WAL database), and connections are pooled. PostgreSQL is left as Rasa
configures it.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from sqlalchemy.pool import QueuePool


def _pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


class CairnSQLTrackerStore(SQLTrackerStore):
    """`SQLTrackerStore` with pooled, WAL-mode connections on SQLite."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name != "sqlite":
            return
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(
            url,
            poolclass=QueuePool,
            pool_size=4,
            max_overflow=4,
            connect_args={"check_same_thread": False},
        )
        sa.event.listen(self.engine, "connect", _pragmas)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
