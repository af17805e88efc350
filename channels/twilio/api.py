"""POST /channels/twilio/sms and /channels/twilio/status: signed by Twilio, or refused."""

from __future__ import annotations

from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import Response
from twilio.request_validator import RequestValidator

from cairn.errors import CairnError, Forbidden
from cairn.settings import Settings
from channels import service
from channels.ratelimit import SLOW_DOWN
from channels.router import Router
from channels.schemas import Inbound
from channels.twilio.keywords import HELP_TEXT, START_TEXT, keyword

router = APIRouter(tags=["sms"])
MAX_SMS_CHARS = 1600  # Twilio's longest message body: triage reads all of it
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def _twiml() -> Response:
    return Response(EMPTY_TWIML, media_type="application/xml")


async def signed_form(
    request: Request, signature: Annotated[str, Header(alias="X-Twilio-Signature")] = ""
) -> dict[str, str]:
    """The form fields, once Twilio's signature over PUBLIC_BASE_URL + path checks out."""
    settings: Settings = request.app.state.settings
    if not settings.twilio_enabled:
        raise Forbidden("SMS is not configured")
    form = {k: str(v) for k, v in (await request.form()).items()}
    url = settings.public_base_url.rstrip("/") + request.url.path
    validator = RequestValidator(settings.twilio_auth_token.get_secret_value())
    if not signature or not validator.validate(url, form, signature):
        raise Forbidden("invalid Twilio signature")
    return form


@router.post("/channels/twilio/sms", include_in_schema=False)
async def inbound_sms(
    request: Request, form: Annotated[dict[str, str], Depends(signed_form)]
) -> Response:
    """Take one SMS; replies go out through the Messages API via the outbox."""
    sender, text, sid = form.get("From", ""), form.get("Body", ""), form.get("MessageSid", "")
    if not sender or not sid:
        raise CairnError("From and MessageSid are required")
    state = request.app.state
    word = keyword(text)
    opt_out_id = state.opt_out_id("sms", sender)
    if word == "stop":
        await to_thread.run_sync(state.delivery.opt_out, opt_out_id)
        return _twiml()  # Twilio confirms the opt-out itself
    if word in ("start", "help"):
        was_out = await to_thread.run_sync(state.delivery.opt_in, opt_out_id)
        if word == "help" or was_out:
            await state.delivery.send_text(
                "sms", sender, HELP_TEXT if word == "help" else START_TEXT
            )
            return _twiml()
    key = state.opt_out_id("sms", sender)  # the same keyed hash: no number is kept
    if await state.limits.held_back(key, text):
        if await state.limits.should_notice(key):
            await state.delivery.send_text("sms", sender, SLOW_DOWN)
        return _twiml()
    conversation_router: Router = state.router
    # Committed before Twilio hears 200; answered right after, or resumed after a crash.
    message_id = await conversation_router.receive(
        Inbound(
            channel="sms",
            address=sender,
            text=text[:MAX_SMS_CHARS],
            provider_id=sid,
        )
    )
    if message_id is not None:
        state.background.spawn(conversation_router.process(message_id))
    return _twiml()


@router.post("/channels/twilio/status", include_in_schema=False)
async def delivery_status(
    request: Request, form: Annotated[dict[str, str], Depends(signed_form)]
) -> Response:
    """Record Twilio's delivery status for a message we sent."""
    sid, status = form.get("MessageSid", ""), form.get("MessageStatus", "")
    if sid and status:
        await to_thread.run_sync(service.record_delivery, request.app.state.db, sid, status)
    return _twiml()
