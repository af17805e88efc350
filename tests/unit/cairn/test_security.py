"""The app's own defences, without the stack: headers, cookie flags, body limit, errors, logs."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cairn.app import MAX_BODY_BYTES, create_app
from cairn.logs import ACCESS_LOGGER, QuerylessAccessLog
from cairn.settings import ConfigError
from escalation.replies import OUTAGE_LINES
from tests.conftest import make_settings


def client(tmp_path: Path, base_url: str = "http://127.0.0.1:8000") -> TestClient:
    # No `with`: the lifespan (stores, models, Rasa) is not needed for these checks.
    app = create_app(make_settings(tmp_path, public_base_url=base_url))
    return TestClient(app, base_url=base_url, raise_server_exceptions=False)


def test_every_page_gets_a_strict_csp_and_no_framing(tmp_path: Path) -> None:
    headers = client(tmp_path).get("/adviser/login").headers
    csp = headers["content-security-policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    for directive in ("script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"):
        assert directive in csp
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert "strict-transport-security" not in headers  # plain http: HSTS would be ignored


def test_pages_and_api_answers_are_never_cached_but_static_files_may_be(tmp_path: Path) -> None:
    web = client(tmp_path)
    for path in ("/adviser/login", "/adviser", "/insight", "/privacy"):
        assert web.get(path, follow_redirects=False).headers["cache-control"] == "no-store", path
    assert "cache-control" not in web.get("/console-static/console.js").headers


def test_behind_tls_hsts_is_sent_and_the_cookie_is_secure(tmp_path: Path) -> None:
    response = client(tmp_path, "https://cairn.example").get("/adviser/login")
    assert response.headers["strict-transport-security"] == "max-age=31536000"
    assert "secure" in response.headers["set-cookie"].lower()


def test_the_console_cookie_is_httponly_strict_and_expires(tmp_path: Path) -> None:
    cookie = client(tmp_path).get("/adviser/login").headers["set-cookie"].lower()
    assert cookie.startswith("cairn_console=")
    assert "httponly" in cookie and "samesite=strict" in cookie and "max-age=28800" in cookie
    assert "secure" not in cookie  # a Secure cookie would never come back over plain http


def test_a_post_without_a_session_is_refused_before_anything_is_read(tmp_path: Path) -> None:
    response = client(tmp_path).post("/adviser/login", data={"email": "a@b.c", "password": "x"})
    assert response.status_code == 403
    assert response.json() == {"detail": "invalid or missing CSRF token"}


def test_an_oversized_body_is_refused_413_before_the_route(tmp_path: Path) -> None:
    body = b'{"session": "unit-body-limit", "text": "' + b"x" * MAX_BODY_BYTES + b'"}'
    response = client(tmp_path).post(
        "/api/web/messages", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json() == {"detail": "request body too large"}


def test_an_unexpected_error_shows_no_detail(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path))

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("Traceback: secret detail in /work/main/cairn/app.py")

    response = TestClient(app, raise_server_exceptions=False).get("/boom")
    assert response.status_code == 500
    assert response.json()["detail"] == "internal error"
    assert "secret" not in response.text and "/work/" not in response.text
    assert response.json()["support"] == OUTAGE_LINES  # still a way to help, never a dead end


@pytest.mark.parametrize("token", ["change-me", "short-token"])
def test_a_placeholder_or_short_action_token_fails_fast(tmp_path: Path, token: str) -> None:
    with pytest.raises(ConfigError, match="ACTION_TOKEN"):
        make_settings(tmp_path, action_token=token).check_secrets()


def test_access_log_lines_carry_no_query_string(tmp_path: Path) -> None:
    create_app(make_settings(tmp_path))
    assert any(isinstance(f, QuerylessAccessLog) for f in logging.getLogger(ACCESS_LOGGER).filters)
    record = logging.LogRecord(
        ACCESS_LOGGER, logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5", "POST", "/actions/webhook?token=s3cret-action-token", "1.1", 200), None,
    )  # fmt: skip
    assert QuerylessAccessLog().filter(record)
    line = record.getMessage()
    assert "s3cret" not in line and line.startswith('127.0.0.1:5 - "POST /actions/webhook?… ')
