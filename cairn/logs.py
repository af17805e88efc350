"""Keep secrets and young people's words out of the access log."""

from __future__ import annotations

import logging

ACCESS_LOGGER = "uvicorn.access"


class QuerylessAccessLog(logging.Filter):
    """Drop the query string from uvicorn's access lines.

    Query strings here carry Rasa's action token (`/actions/webhook?token=`), web chat session
    ids (each one opens a young person's transcript at `/api/web/history`) and search text.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the path argument of uvicorn's `'%s - "%s %s HTTP/%s" %d'` line."""
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            path, _, query = args[2].partition("?")
            if query:
                record.args = (args[0], args[1], path + "?…", args[3], args[4])
        return True


def quiet_access_log() -> None:
    """Install the filter once per process (create_app may run many times in tests)."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, QuerylessAccessLog) for f in logger.filters):
        logger.addFilter(QuerylessAccessLog())
