"""Sending through the Telegram Bot API with python-telegram-bot's Bot."""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode

CALLBACK_LIMIT = 64  # bytes Telegram allows in callback_data


def make_bot(token: str, base_url: str) -> Bot:
    """A Bot for TELEGRAM_API_BASE_URL (python-telegram-bot's base_url form)."""
    return Bot(token=token, base_url=base_url)


def keyboard(buttons: list[dict[str, str]]) -> InlineKeyboardMarkup | None:
    """Quick replies as an inline keyboard, one button a row."""
    rows = [[InlineKeyboardButton(b["title"], callback_data=_fit(b["payload"]))] for b in buttons]
    return InlineKeyboardMarkup(rows) if rows else None


def _fit(payload: str) -> str:
    return payload.encode()[:CALLBACK_LIMIT].decode(errors="ignore")


class TelegramSender:
    """Delivers one outbox message with sendMessage."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot
        self._ready = asyncio.Lock()

    async def send(self, address: str, body: dict[str, Any]) -> str:
        """Send HTML with an optional inline keyboard; return the message id."""
        async with self._ready:
            await self._bot.initialize()
        message = await self._bot.send_message(
            chat_id=int(address),
            text=body["text"],
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard(body.get("buttons") or []),
            disable_web_page_preview=True,
        )
        return str(message.message_id)
