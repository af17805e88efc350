"""The action endpoint Rasa calls, served in-process by rasa-sdk's ActionExecutor."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import (
    ActionExecutionRejection,
    ActionMissingDomainException,
    ActionNotFoundException,
)

router = APIRouter(tags=["actions"])


@router.post("/actions/webhook", include_in_schema=False)
async def webhook(request: Request) -> JSONResponse:
    """Run one action call with rasa-sdk's own status codes (400, 404, 449)."""
    executor: ActionExecutor = request.app.state.action_executor
    try:
        call: dict[str, Any] = await request.json()
    except ValueError:
        return JSONResponse({"error": "Invalid body request"}, status_code=400)
    try:
        result = await executor.run(call)
    except ActionExecutionRejection as exc:
        return JSONResponse({"error": exc.message, "action_name": exc.action_name}, 400)
    except ActionNotFoundException as exc:
        return JSONResponse({"error": exc.message, "action_name": exc.action_name}, 404)
    except ActionMissingDomainException as exc:
        return JSONResponse({"error": exc.message, "action_name": exc.action_name}, 449)
    return JSONResponse(result.model_dump() if result else None)
