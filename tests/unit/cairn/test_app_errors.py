"""A store outage is refused cleanly: 503 with JSON and Retry-After, never a bare 500."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy.exc import OperationalError

from cairn.app import UNAVAILABLE, create_app
from escalation.replies import OUTAGE_LINES
from tests.conftest import make_settings


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("SELECT 1", {}, Exception("connection refused")),
        RedisConnectionError("connection refused"),
    ],
)
def test_a_store_outage_answers_503_json(tmp_path: Path, error: Exception) -> None:
    app = create_app(make_settings(tmp_path))

    @app.get("/boom")
    async def boom() -> None:
        raise error

    response = TestClient(app, raise_server_exceptions=False).get("/boom")
    assert response.status_code == 503
    assert response.json() == {"detail": UNAVAILABLE, "support": OUTAGE_LINES}
    assert any("116 123" in line for line in response.json()["support"])
    assert response.headers["retry-after"] == "30"
