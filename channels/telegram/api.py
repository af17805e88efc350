"""POST /channels/telegram/webhook: Telegram's secret header, or refused."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from telegram import Update

from cairn.errors import CairnError, Forbidden
from cairn.settings import Settings
from channels.ratelimit import SLOW_DOWN
from channels.router import Router
from channels.schemas import Inbound

router = APIRouter(tags=["telegram"])
COMMANDS = {"/start": "hello", "/help": "help"}
MAX_TELEGRAM_CHARS = 4096  # Telegram's longest message: triage reads all of it


@router.post("/channels/telegram/webhook", include_in_schema=False)
async def webhook(
    request: Request,
    secret: Annotated[str, Header(alias="X-Telegram-Bot-Api-Secret-Token")] = "",
) -> dict[str, bool]:
    """Take one update (a message or a button press); replies go out via the outbox."""
    settings: Settings = request.app.state.settings
    expected = settings.telegram_webhook_secret.get_secret_value()
    if not settings.telegram_enabled or not hmac.compare_digest(secret.encode(), expected.encode()):
        raise Forbidden("invalid Telegram secret token")
    try:
        payload: Any = await request.json()
        update = Update.de_json(payload, request.app.state.telegram_bot)
    except (ValueError, TypeError, KeyError) as exc:
        raise CairnError(f"not a Telegram update: {exc}") from exc
    if update is None:
        raise CairnError("not a Telegram update")
    chat, text = _chat_and_text(update)
    if chat is None or not text:
        return {"ok": True}  # stickers, edits, joins: nothing to answer
    state = request.app.state
    text = COMMANDS.get(text.split("@")[0].strip(), text)
    key = state.opt_out_id("telegram", str(chat))  # a keyed hash: no chat id is kept
    if await state.limits.held_back(key, text):
        if await state.limits.should_notice(key):
            await state.delivery.send_text("telegram", str(chat), SLOW_DOWN)
        return {"ok": True}
    conversation_router: Router = state.router
    # Committed before Telegram hears 200; answered right after, or resumed after a crash.
    message_id = await conversation_router.receive(
        Inbound(
            channel="telegram",
            address=str(chat),
            text=text[:MAX_TELEGRAM_CHARS],
            provider_id=str(update.update_id),
        )
    )
    if message_id is not None:
        state.background.spawn(conversation_router.process(message_id))
    return {"ok": True}


def _chat_and_text(update: Update) -> tuple[int | None, str]:
    if update.callback_query is not None and update.callback_query.message is not None:
        return update.callback_query.message.chat.id, str(update.callback_query.data or "")
    message = update.message
    if message is None:
        return None, ""
    return message.chat.id, message.text or ""
