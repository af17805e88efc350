"""The notes page: forms with CSRF, a second person publishes, broken rules shown on the page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cairn.app import create_app
from cairn.db import Database
from cairn.migrations import upgrade
from escalation.auth import add_user
from tests.conftest import make_settings

PASSWORD = "correct horse battery staple"


@pytest.fixture
def app_db(tmp_path: Path) -> tuple[TestClient, Database]:
    url = f"sqlite:///{tmp_path / 'main.db'}"
    upgrade("main", url)
    db = Database(url)
    with db.session() as session:
        for email, role in (("a@cairn.test", "analyst"), ("b@cairn.test", "supervisor"),
                            ("c@cairn.test", "adviser")):  # fmt: skip
            add_user(session=session, email=email, password=PASSWORD, role=role)
    app = create_app(make_settings(tmp_path))
    app.state.db = db  # no lifespan: pages and forms only
    return TestClient(app), db


def csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


def sign_in(client: TestClient, email: str) -> str:
    client.cookies.clear()
    token = csrf(client.get("/adviser/login").text)
    response = client.post(
        "/adviser/login",
        data={"email": email, "password": PASSWORD, "csrf": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    return csrf(client.get("/insight/notes").text)


def test_draft_then_a_second_person_publishes(app_db: tuple[TestClient, Database]) -> None:
    client, _ = app_db
    token = sign_in(client, "a@cairn.test")
    data = {"csrf": token, "title": "Driving lessons", "body": "You asked; we wrote an article."}
    drafted = client.post("/insight/notes", data=data, follow_redirects=False)
    assert drafted.status_code == 303 and drafted.headers["location"] == "/insight/notes"
    page = client.get("/insight/notes").text
    assert "Driving lessons" in page and "/insight/notes/1/publish" not in page
    refused = client.post("/insight/notes/1/publish", data={"csrf": token})
    assert refused.status_code == 403 and "second person" in refused.text
    assert "Driving lessons" not in client.get("/").text

    token = sign_in(client, "b@cairn.test")
    assert "/insight/notes/1/publish" in client.get("/insight/notes").text
    published = client.post(
        "/insight/notes/1/publish", data={"csrf": token}, follow_redirects=False
    )
    assert published.status_code == 303
    front = client.get("/").text
    assert "You said, we did" in front and "Driving lessons" in front

    withdrawn = client.post(
        "/insight/notes/1/withdraw", data={"csrf": token}, follow_redirects=False
    )
    assert withdrawn.status_code == 303
    assert "Driving lessons" not in client.get("/").text


def test_forms_need_the_session_csrf_token(app_db: tuple[TestClient, Database]) -> None:
    client, _ = app_db
    sign_in(client, "a@cairn.test")
    response = client.post(
        "/insight/notes", data={"csrf": "forged", "title": "Forged", "body": "b"}
    )
    assert response.status_code == 403
    page = client.get("/insight/notes").text
    assert "No drafts." in page and "Forged" not in page


def test_a_broken_rule_is_shown_with_what_was_typed(app_db: tuple[TestClient, Database]) -> None:
    client, _ = app_db
    token = sign_in(client, "a@cairn.test")
    response = client.post("/insight/notes", data={"csrf": token, "title": "x" * 121, "body": "b"})
    assert response.status_code == 422
    assert "must be 1 to 120 characters" in response.text and 'role="alert"' in response.text
    assert 'value="' + "x" * 121 + '"' in response.text


def test_advisers_and_strangers_are_kept_out(app_db: tuple[TestClient, Database]) -> None:
    client, _ = app_db
    assert client.get("/insight/notes", follow_redirects=False).headers["location"] == (
        "/adviser/login"
    )
    client.cookies.clear()
    token = csrf(client.get("/adviser/login").text)
    data = {"email": "c@cairn.test", "password": PASSWORD, "csrf": token}
    assert client.post("/adviser/login", data=data, follow_redirects=False).status_code == 303
    token = csrf(client.get("/adviser/login").text)  # the signed-in session's own token
    assert client.get("/insight/notes").status_code == 403
    posted = client.post("/insight/notes", data={"csrf": token, "title": "t", "body": "b"})
    assert posted.status_code == 403 and posted.json()["detail"] == "this page is for analysts"
