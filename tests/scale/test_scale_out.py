"""Two api and two Rasa replicas behind nginx, on PostgreSQL, Redis and a Chroma server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import chromadb
import httpx
import pytest
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from cairn.db import Database
from channels.identity import conversation_id
from channels.models import Message
from escalation.models import Case
from tests.e2e.test_handoff import PASSWORD, csrf_of
from tests.e2e.test_sms import sent_to, wait_for
from tests.fakes.server import LoopbackServer
from tests.fakes.twilio import AUTH_TOKEN, FakeTwilio
from tests.scale.topology import SECRET, Topology

pytestmark = pytest.mark.e2e


def say(base: str, session: str, text: str) -> dict[str, object]:
    response = httpx.post(
        f"{base}/api/web/messages", json={"session": session, "text": text}, timeout=30
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_every_replica_is_healthy_and_the_index_lives_in_the_chroma_server(
    topology: Topology,
) -> None:
    for url in [*topology.api_urls, topology.url]:
        checks = httpx.get(f"{url}/healthz", timeout=10).json()["checks"]
        assert checks == {
            "database": True,
            "insight_database": True,
            "knowledge": True,
            "rasa": True,
            "redis": True,
        }
    port = int(topology.env["CHROMA_URL"].rsplit(":", 1)[1])
    server = chromadb.HttpClient(host="127.0.0.1", port=port)
    assert sum(c.count() for c in server.list_collections()) > 100  # the index is in the server
    found = httpx.get(f"{topology.url}/api/knowledge/search", params={"q": "what is EMA"})
    assert found.json()["passages"]


def test_a_conversation_alternating_between_replicas_keeps_its_state(topology: Topology) -> None:
    session = "scale-" + uuid.uuid4().hex[:12]
    replica_a, replica_b = topology.api_urls
    first = say(replica_a, session, "where can I get careers help near me")
    assert "Where are you?" in first["replies"][-1]["text"]  # type: ignore[index]
    second = say(replica_b, session, "Paisley")  # the form's state is in the shared stores
    text = "\n".join(r["text"] for r in second["replies"])  # type: ignore[attr-defined]
    assert "Renfrewshire" in text
    third = say(topology.url, session, "more")  # and through nginx, on whichever replica
    assert third["replies"]


def test_an_adviser_on_one_replica_talks_live_with_a_young_person_on_the_other(
    topology: Topology,
) -> None:
    replica_a, replica_b = topology.api_urls
    email = f"adviser-{uuid.uuid4().hex[:6]}@cairn.test"
    added = subprocess.run(
        [sys.executable, "-m", "cairn.cli", "users", "add", "--email", email, "--role", "adviser"],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        env=topology.env,
        cwd=topology.data_dir,
        check=False,
    )
    assert added.returncode == 0, added.stderr

    session = "scale-live-" + uuid.uuid4().hex[:8]
    with httpx.Client(base_url=replica_b, timeout=30) as young:
        reply = young.post(
            "/api/web/messages", json={"session": session, "text": "can I talk to a real person"}
        )
        assert reply.json()["handoff"] == "waiting"
        received: list[str] = []
        listening = threading.Event()

        def listen() -> None:
            with httpx.stream(
                "GET", f"{replica_b}/api/web/events", params={"session": session}, timeout=30
            ) as stream:
                for line in stream.iter_lines():
                    if line.startswith(": connected"):
                        listening.set()
                    if line.startswith("data: "):
                        received.append(json.loads(line[6:])["text"])
                        return

        listener = threading.Thread(target=listen, daemon=True)
        listener.start()
        assert listening.wait(10)

        db = Database(topology.env["DATABASE_URL"])
        conv_id = conversation_id(secret=SECRET, channel="web", address=session)
        with db.session() as s:
            case_id = s.scalars(select(Case.id).where(Case.conversation_id == conv_id)).one()
        db.dispose()
        with httpx.Client(base_url=replica_a, timeout=30) as adviser:
            token = csrf_of(adviser.get("/adviser/login").text)
            adviser.post(
                "/adviser/login", data={"email": email, "password": PASSWORD, "csrf": token}
            )
            token = csrf_of(adviser.get(f"/adviser/cases/{case_id}").text)
            assert (
                adviser.post(f"/adviser/cases/{case_id}/claim", data={"csrf": token}).status_code
                == 303
            )
            sent = adviser.post(
                f"/adviser/cases/{case_id}/reply",
                data={"csrf": token, "text": "Hi, I'm Sam from replica A."},
            )
            assert sent.status_code == 303
        listener.join(10)
    assert received == ["Hi, I'm Sam from replica A."]


def test_a_webhook_delivered_to_both_replicas_is_processed_once(
    topology: Topology, scale_twilio: tuple[FakeTwilio, LoopbackServer]
) -> None:
    fake, number = scale_twilio[0], "+447700900777"
    form = {
        "From": number,
        "To": "+447700900000",
        "Body": "hello",
        "MessageSid": "SM" + uuid.uuid4().hex,
        "AccountSid": "AC" + "0" * 32,
    }
    # Twilio signs the public URL (nginx); a retry may land on either replica.
    signature = RequestValidator(AUTH_TOKEN).compute_signature(
        f"{topology.url}/channels/twilio/sms", form
    )

    def deliver(base: str) -> int:
        return httpx.post(
            f"{base}/channels/twilio/sms",
            data=form,
            timeout=30,
            headers={"X-Twilio-Signature": signature},
        ).status_code

    with ThreadPoolExecutor(4) as pool:
        codes = list(pool.map(deliver, topology.api_urls * 2))
    assert all(code == 200 for code in codes)
    assert wait_for(lambda: len(sent_to(fake, number)) >= 1, timeout_s=20)
    time.sleep(2)  # any second reply would have been sent by now
    assert len(sent_to(fake, number)) == 1
    db = Database(topology.env["DATABASE_URL"])
    with db.session() as s:
        stored = s.scalar(
            select(func.count())
            .select_from(Message)
            .where(Message.dedupe_key == f"sms:{form['MessageSid']}")
        )
    db.dispose()
    assert stored == 1


def test_control_characters_and_nul_are_dropped_before_postgresql(topology: Topology) -> None:
    said = say(topology.url, "scale-nul-" + uuid.uuid4().hex[:6], "hel\x00lo\x07 there\u200d")
    assert said["replies"]


def _signed_sms(topology: Topology, number: str, text: str) -> tuple[dict[str, str], str]:
    """A Twilio form and its signature over the public URL (nginx)."""
    form = {
        "From": number,
        "To": "+447700900000",
        "Body": text,
        "MessageSid": "SM" + uuid.uuid4().hex,
        "AccountSid": "AC" + "0" * 32,
    }
    url = f"{topology.url}/channels/twilio/sms"
    return form, RequestValidator(AUTH_TOKEN).compute_signature(url, form)


def _healthy(replica: str) -> bool:
    return httpx.get(f"{replica}/healthz", timeout=10).status_code == 200


def test_with_postgresql_down_replicas_refuse_cleanly_and_recover_without_restart(
    topology: Topology, scale_twilio: tuple[FakeTwilio, LoopbackServer]
) -> None:
    """It takes PostgreSQL away from the shared topology, then brings it back."""
    postgres, fake, number = topology.postgres, scale_twilio[0], "+447700900778"
    assert postgres is not None
    form, signature = _signed_sms(topology, number, "hello")

    def deliver_sms() -> httpx.Response:
        return httpx.post(
            f"{topology.url}/channels/twilio/sms",
            data=form,
            timeout=15,
            headers={"X-Twilio-Signature": signature},
        )

    def say_hello(replica: str) -> httpx.Response:
        return httpx.post(
            f"{replica}/api/web/messages",
            timeout=15,  # a hang fails the test rather than stalling it
            json={"session": "pg-down-" + replica.rsplit(":", 1)[1], "text": "hello"},
        )

    postgres.stop()
    try:
        for replica in topology.api_urls:
            health = httpx.get(f"{replica}/healthz", timeout=15)
            assert health.status_code == 503
            assert health.json()["checks"]["database"] is False
            refused = say_hello(replica)
            assert refused.status_code == 503, refused.text
            assert "try again" in refused.json()["detail"]
            assert int(refused.headers["retry-after"]) > 0
        sms = deliver_sms()
        assert sms.status_code == 503, sms.text  # not 200: Twilio must not count it delivered
    finally:
        postgres.start()

    for replica in topology.api_urls:  # no replica is restarted: their pools reconnect
        assert wait_for(partial(_healthy, replica), timeout_s=30)
        back = say_hello(replica)
        assert back.status_code == 200, back.text
        assert "automated assistant" in back.json()["replies"][0]["text"]
    assert sent_to(fake, number) == []
    assert deliver_sms().status_code == 200  # Twilio's retry of the refused message
    assert wait_for(lambda: len(sent_to(fake, number)) >= 1, timeout_s=20)
    assert "automated assistant" in sent_to(fake, number)[0].body
    time.sleep(2)  # a second reply would have been sent by now
    assert len(sent_to(fake, number)) == 1


def _redis_pid(port: int) -> int:
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if cmdline.startswith(("redis-server", "/usr/bin/redis-server")) and (
                f"--port {port} " in cmdline or f":{port}" in cmdline
            ):
                return int(entry.name)
    raise AssertionError("redis-server not found")


def test_with_redis_down_replicas_report_unhealthy_refuse_cleanly_and_recover(
    topology: Topology,
) -> None:
    """Last in the module: it takes Redis away from the shared topology, then brings it back."""
    port = int(topology.env["REDIS_URL"].rsplit(":", 1)[1].split("/")[0])
    os.kill(_redis_pid(port), signal.SIGKILL)
    replica = topology.api_urls[0]
    try:
        health = httpx.get(f"{replica}/healthz", timeout=10)
        assert health.status_code == 503 and health.json()["checks"]["redis"] is False
        refused = httpx.post(
            f"{replica}/api/web/messages",
            timeout=10,
            json={"session": "redis-down-1", "text": "hello"},
        )
        assert refused.status_code == 503 and "try again" in refused.json()["detail"]
    finally:
        revived = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    try:  # no replica is restarted: they reconnect by themselves
        assert wait_for(lambda: httpx.get(f"{replica}/healthz", timeout=10).status_code == 200)
        back = httpx.post(
            f"{replica}/api/web/messages",
            timeout=30,
            json={"session": "redis-down-1", "text": "hello"},
        )
        assert back.status_code == 200 and back.json()["replies"]
    finally:
        revived.terminate()
        revived.wait(timeout=10)
