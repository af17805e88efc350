"""Cairn's Rasa input channel: one round trip returns the replies and what Rasa understood.

Runs inside the Rasa server (Python 3.10, Rasa 3.6.21); the service never imports it.
The REST channel stays on as well, so the same model can be driven directly for comparison.
"""

from __future__ import annotations

import asyncio
import logging
from functools import lru_cache
from typing import Any, Awaitable, Callable, Dict, Optional, Text, Tuple

import aiohttp
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.shared.core.constants import SESSION_START_METADATA_SLOT
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.utils.endpoints import EndpointConfig
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

# Slots the service needs after a turn (never the message text).
REPORTED_SLOTS = ("council_area", "need", "age_band", "handoff_topic")


@lru_cache(maxsize=1)
def _action_result_validator() -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(RemoteAction.action_response_format_spec())


def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    # Rasa rebuilds this JSON-schema validator on every action call (~16 ms of CPU each);
    # building it once gives the same check for almost nothing.
    _action_result_validator().validate(result)
    return True


RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]


class _KeptSession:
    """An aiohttp session reused across calls: leaving `async with` does not close it."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self._session

    async def __aexit__(self, *_: Any) -> None:
        return None


_new_session = EndpointConfig.session
_sessions: Dict[Tuple[int, Text], aiohttp.ClientSession] = {}


def _pooled_session(self: EndpointConfig) -> Any:
    # Rasa opens (and closes) a new HTTP session for every action call: a new connection each
    # time and thousands of sockets in TIME-WAIT under load. Keep one per endpoint and loop.
    key = (id(asyncio.get_running_loop()), f"{self.url}|{sorted((self.headers or {}).items())}")
    session = _sessions.get(key)
    if session is None or session.closed:
        session = _new_session(self)
        _sessions[key] = session
    return _KeptSession(session)


EndpointConfig.session = _pooled_session  # type: ignore[method-assign]


class CairnInput(InputChannel):
    """POST /webhooks/cairn/webhook {sender, message, metadata} -> replies and parse data."""

    @classmethod
    def name(cls) -> Text:
        return "cairn"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hook = Blueprint("cairn_webhook", __name__)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            body = request.json or {}
            sender, text = body.get("sender"), body.get("message")
            if not isinstance(sender, str) or not isinstance(text, str):
                return response.json({"error": "sender and message are required"}, 400)
            agent = request.app.ctx.agent
            if agent is None or not agent.is_ready():
                return response.json({"error": "model not loaded"}, 503)
            collector = CollectingOutputChannel()
            message = UserMessage(
                text, collector, sender, input_channel="cairn", metadata=body.get("metadata")
            )
            try:
                parse = await _handle(agent, message)
            except Exception:  # the service answers the young person kindly and retries
                logger.exception("cairn channel: turn failed")
                return response.json({"error": "turn failed"}, 500)
            return response.json({"messages": collector.messages, **parse})

        return hook


def _scrub_embedding(tracker: Any) -> None:
    """Drop the service's embedding once the classifier has used it.

    The tracker is stored and sent with every action call; it does not need 2 KB of floats
    per message. Rasa keeps the metadata on the user event, in its parse data and, at the
    start of a session, in the `session_started_metadata` slot.
    """
    places = []
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            places += [event.metadata, event.parse_data.get("metadata")]
            break
        if isinstance(event, SlotSet) and event.key == SESSION_START_METADATA_SLOT:
            places.append(event.value)
    if SESSION_START_METADATA_SLOT in tracker.slots:
        places.append(tracker.slots[SESSION_START_METADATA_SLOT].value)
    for place in places:
        if isinstance(place, dict):
            place.pop("cairn_embedding", None)


async def _handle(agent: Any, message: UserMessage) -> Dict[Text, Any]:
    """Run one turn as Agent.handle_message does, keeping the tracker to report on it."""
    processor = agent.processor
    async with agent.lock_store.lock(message.sender_id):
        tracker = await processor.log_message(message, should_save_tracker=False)
        _scrub_embedding(tracker)
        tracker = await processor.run_action_extract_slots(message.output_channel, tracker)
        await processor._run_prediction_loop(message.output_channel, tracker)
        await processor.run_anonymization_pipeline(tracker)
        await processor.save_tracker(tracker)
    latest = tracker.latest_message
    intent: Optional[Dict[Text, Any]] = latest.intent if latest else None
    slots = {name: tracker.get_slot(name) for name in REPORTED_SLOTS if name in tracker.slots}
    return {
        "intent": (intent or {}).get("name"),
        "confidence": (intent or {}).get("confidence"),
        "entities": [
            {"entity": e.get("entity"), "value": e.get("value")}
            for e in (latest.entities if latest else [])
        ],
        "slots": slots,
        "active_loop": tracker.active_loop_name,
    }
