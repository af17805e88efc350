"""docker-compose.yml cannot run here (no Docker engine), so read it against the code."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml

from cairn.settings import Settings
from tests.conftest import REPO

CONTRACT_ENV = {
    "DATABASE_URL", "INSIGHT_DATABASE_URL", "REDIS_URL", "CHROMA_URL", "PUBLIC_BASE_URL",
    "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER", "TWILIO_API_BASE_URL",
    "TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET", "TELEGRAM_API_BASE_URL",
}  # fmt: skip


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return dict(yaml.safe_load((REPO / "docker-compose.yml").read_text()))


def _settings_env_names() -> set[str]:
    names = set()
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        names.add(alias.upper() if isinstance(alias, str) else name.upper())
    return names


def _url(value: str) -> Any:
    """Parse a URL after substituting compose's ${VAR:?message} placeholders."""
    return urlparse(re.sub(r"\$\{[^}]*\}", "x", value))


def _service_port(service: dict[str, Any]) -> int:
    """The port a service listens on: published to loopback, or exposed to its peers."""
    if "ports" in service:
        return int(service["ports"][0].rsplit(":", 1)[-1])
    return int(service["expose"][0])


def test_every_service_is_buildable_and_health_checked(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert {"api", "rasa", "postgres", "redis", "chroma"} <= set(services)
    for name, service in services.items():
        assert "image" in service or "build" in service, name
        if "build" in service:
            assert (REPO / service["build"]["context"] / service["build"]["dockerfile"]).exists()
        if name != "migrate":  # a one-shot job
            assert "healthcheck" in service, name
            assert all(str(p).startswith("127.0.0.1:") for p in service.get("ports", [])), name


def test_api_environment_is_exactly_what_settings_read(compose: dict[str, Any]) -> None:
    env = compose["services"]["api"]["environment"]
    assert set(env) <= _settings_env_names()
    assert CONTRACT_ENV <= set(env)
    assert compose["services"]["migrate"]["environment"] == env


def test_api_points_at_the_other_services(compose: dict[str, Any]) -> None:
    services = compose["services"]
    env = services["api"]["environment"]
    rasa = urlparse(env["RASA_URL"])
    assert (rasa.hostname, rasa.port) == ("rasa", 5005)
    assert _service_port(services["rasa"]) == 5005
    assert urlparse(env["CHROMA_URL"]).hostname == "chroma"
    assert urlparse(env["REDIS_URL"]).hostname == "redis"
    assert _url(env["DATABASE_URL"]).hostname == "postgres"
    assert int(env["API_PORT"]) == Settings.model_fields["api_port"].default
    assert _service_port(services["api"]) == int(env["API_PORT"])


def test_rasa_gets_every_variable_its_endpoints_file_uses(compose: dict[str, Any]) -> None:
    rasa = compose["services"]["rasa"]
    dockerfile = (REPO / rasa["build"]["dockerfile"]).read_text()
    endpoints = re.search(r'"--endpoints", "([^"]+)"', dockerfile)
    assert endpoints is not None
    used = set(re.findall(r"\$\{(\w+)\}", (REPO / endpoints.group(1)).read_text()))
    assert used == set(rasa["environment"])
    action_url = urlparse(rasa["environment"]["ACTION_ENDPOINT_URL"])
    assert (action_url.hostname, action_url.port, action_url.path) == (
        "api",
        8000,
        "/actions/webhook",
    )


def test_databases_named_in_urls_are_created(compose: dict[str, Any]) -> None:
    init = (REPO / "docker" / "postgres-init.sql").read_text()
    created = set(re.findall(r"CREATE DATABASE (\w+)", init)) | {
        compose["services"]["postgres"]["environment"]["POSTGRES_DB"]
    }
    urls = [
        compose["services"]["api"]["environment"]["DATABASE_URL"],
        compose["services"]["api"]["environment"]["INSIGHT_DATABASE_URL"],
        compose["services"]["rasa"]["environment"]["RASA_TRACKER_DB_URL"],
    ]
    assert {Path(_url(u).path).name for u in urls} <= created


def test_local_endpoints_file_uses_only_what_cairn_run_sets() -> None:
    used = set(re.findall(r"\$\{(\w+)\}", (REPO / "bot" / "endpoints.yml").read_text()))
    cli = (REPO / "cairn" / "cli.py").read_text()
    assert all(f'"{name}"' in cli for name in used)


def test_replicas_sit_behind_nginx_and_setup_runs_once(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["api"]["deploy"]["replicas"] >= 2
    assert services["rasa"]["deploy"]["replicas"] >= 2
    assert "ports" not in services["api"] and "ports" not in services["rasa"]
    conf = (REPO / "docker" / "nginx.conf").read_text()
    assert f"server api:{_service_port(services['api'])};" in conf
    assert "cairn knowledge index" in " ".join(services["migrate"]["command"])
    assert "knowledge" not in " ".join(services["api"]["command"])
