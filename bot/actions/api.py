"""The action endpoint Rasa calls, served in-process by rasa-sdk's ActionExecutor."""

from __future__ import annotations

import hmac
from pathlib import Path
from typing import Any

import yaml
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import (
    ActionExecutionRejection,
    ActionMissingDomainException,
    ActionNotFoundException,
)

router = APIRouter(tags=["actions"])
DOMAIN = Path(__file__).resolve().parents[1] / "domain.yml"


def _actions_needing_domain() -> frozenset[str]:
    """Actions marked `send_domain: true` in bot/domain.yml (Rasa's selective domain)."""
    actions = yaml.safe_load(DOMAIN.read_text(encoding="utf-8"))["actions"]
    return frozenset(
        name
        for entry in actions
        if isinstance(entry, dict)
        for name, options in entry.items()
        if (options or {}).get("send_domain")
    )


NEEDS_DOMAIN = _actions_needing_domain()


@router.post("/actions/webhook", include_in_schema=False)
async def webhook(request: Request) -> JSONResponse:
    """Run one action call with rasa-sdk's own status codes (400, 404, 449).

    Only Rasa may call: it sends the action token (endpoints.yml) as `?token=`.
    """
    expected = request.app.state.settings.action_secret()
    given = request.query_params.get("token", "")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        return JSONResponse({"detail": "invalid action token"}, status_code=403)
    executor: ActionExecutor = request.app.state.action_executor
    try:
        call: dict[str, Any] = await request.json()
    except ValueError:
        return JSONResponse({"error": "Invalid body request"}, status_code=400)
    if (
        isinstance(call, dict)
        and "domain" not in call
        and call.get("next_action") not in NEEDS_DOMAIN
    ):
        # Rasa sends the domain only to the actions that need it; rasa-sdk expects Rasa Pro's
        # domain digest otherwise and would answer 449, which Rasa Open Source never retries.
        call["domain"] = {}
    try:
        result = await executor.run(call)
    except ActionExecutionRejection as exc:
        return JSONResponse({"error": exc.message, "action_name": exc.action_name}, 400)
    except ActionNotFoundException as exc:
        return JSONResponse({"error": exc.message, "action_name": exc.action_name}, 404)
    except ActionMissingDomainException as exc:
        return JSONResponse({"error": exc.message, "action_name": exc.action_name}, 449)
    return JSONResponse(result.model_dump() if result else None)
