"""Every route of the app, walked as each role: nobody reaches what is not theirs."""

from __future__ import annotations

import re
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from cairn.app import create_app
from tests.conftest import make_settings
from tests.e2e.conftest import Stack
from tests.e2e.test_handoff import PASSWORD, add_user, case_with, csrf_of

pytestmark = pytest.mark.e2e
ROLES = ("anonymous", "adviser", "supervisor", "analyst")
ROLE_REFUSALS = {
    "this page is for advisers",
    "this page is for analysts",
    "sign in first",
    "invalid or missing CSRF token",
}


def all_routes() -> list[tuple[str, str]]:
    """(method, path) for every route the app serves, walked from its routers."""
    app = create_app(make_settings(Path(tempfile.mkdtemp())))
    found: list[tuple[str, str]] = []

    def walk(routes: list[object]) -> None:
        for route in routes:
            methods, path = getattr(route, "methods", None), getattr(route, "path", None)
            if methods and path:
                found.extend((m, path) for m in sorted(methods) if m != "HEAD")
            inner = getattr(route, "router", None) or getattr(route, "original_router", None)
            if inner is not None and hasattr(inner, "routes") and not methods:
                walk(list(inner.routes))

    walk(list(app.routes))
    return found


def expected(method: str, path: str, role: str) -> str:
    """'in' (served), 'out' (refused: 303 to login, 401 or 403) or 'any' (public)."""
    if path in ("/adviser/login", "/adviser/logout"):
        return "any"
    if path.startswith("/adviser"):
        return "in" if role in ("adviser", "supervisor") else "out"
    if path.startswith("/insight"):
        return "in" if role in ("analyst", "supervisor") else "out"
    if path.startswith(("/channels/", "/actions/")):
        return "out"  # unsigned, or without Rasa's token: refused whoever is signed in
    return "any"


@pytest.fixture(scope="module")
def clients(stack: Stack) -> Iterator[dict[str, tuple[httpx.Client, str]]]:
    clients = {}
    for role in ROLES:
        client = httpx.Client(base_url=stack.api_url, timeout=30)
        if role != "anonymous":
            email = f"{role}-{uuid.uuid4().hex[:6]}@cairn.test"
            add_user(stack, email, role)
            token = csrf_of(client.get("/adviser/login").text)
            signed = client.post(
                "/adviser/login", data={"email": email, "password": PASSWORD, "csrf": token}
            )
            assert signed.status_code == 303
        page = client.get("/adviser/login").text
        clients[role] = (client, csrf_of(page) if 'name="csrf"' in page else "")
    yield clients
    for client, _ in clients.values():
        client.close()


def test_every_route_is_checked_for_every_role(
    stack: Stack, clients: dict[str, tuple[httpx.Client, str]]
) -> None:
    session = "roles-" + uuid.uuid4().hex[:8]
    marker = uuid.uuid4().hex[:8]
    httpx.post(
        f"{stack.api_url}/api/web/messages",
        json={"session": session, "text": f"can I talk to a real person {marker}"},
    )
    case_id = case_with(stack, marker)
    # No note has this id: the role check runs first, then the page says there is no such note.
    values = {"case_id": str(case_id), "table_id": "demand", "note_id": "999999"}
    # Signing in or out would change the role for the routes after it: those go last.
    routes = sorted(all_routes(), key=lambda r: r[1] in ("/adviser/login", "/adviser/logout"))
    assert len(routes) >= 30
    assert ("GET", "/adviser/cases/{case_id}/suggestions") in routes  # adviser assist
    assert {
        ("GET", "/insight/notes"),
        ("POST", "/insight/notes"),
        ("POST", "/insight/notes/{note_id}/publish"),
        ("POST", "/insight/notes/{note_id}/withdraw"),
    } <= set(routes)
    for method, template in routes:
        path = re.sub(r"{(\w+)}", lambda m: values[m.group(1)], template)
        for role in ROLES:
            client, csrf = clients[role]
            detail = ""
            if path.endswith("/events") or path == "/api/web/events":
                with client.stream(method, path, params={"session": session}) as streamed:
                    status = streamed.status_code
            else:
                form = {"csrf": csrf, "text": "x", "outcome": "other"}
                query = {"session": session, "q": "ema"}
                response = (
                    client.post(path, data=form, follow_redirects=False)
                    if method == "POST"
                    else client.get(path, params=query, follow_redirects=False)
                )
                status = response.status_code
                if "json" in response.headers.get("content-type", ""):
                    detail = str(response.json().get("detail", ""))
            rule = expected(method, template, role)
            refused = status in (401, 403) or (
                status == 303
                and method == "GET"
                and template.startswith(("/adviser", "/insight"))
                and role == "anonymous"
            )
            if rule == "out":
                assert refused, (method, path, role, status)
            elif rule == "in":  # served; a 403 may only be about the case, never the role
                assert status != 401 and detail not in ROLE_REFUSALS, (method, path, role, detail)
                assert status < 500, (method, path, role, status)
            else:
                assert status < 500, (method, path, role, status)
