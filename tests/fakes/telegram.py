"""A loopback fake of the Telegram Bot API (getMe, sendMessage, setWebhook; documented JSON)."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, HTTPException, Request

TOKEN = "123456789:AAHfakeTokenForLoopbackTests000000000"


@dataclass
class FakeTelegram:
    sent: list[dict[str, Any]] = field(default_factory=list)
    webhooks: list[dict[str, Any]] = field(default_factory=list)
    pending: list[dict[str, Any]] = field(default_factory=list)  # served by getUpdates
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/bot{token}/{method}")
        async def call(token: str, method: str, request: Request) -> dict[str, Any]:
            if token != TOKEN:
                raise HTTPException(401, "Unauthorized")
            form = dict(await request.form())
            if method == "getMe":
                return {"ok": True, "result": {"id": 123456789, "is_bot": True,
                        "first_name": "Cairn", "username": "cairn_test_bot"}}  # fmt: skip
            if method == "getUpdates":
                offset = int(str(form.get("offset") or 0))
                ready = [u for u in self.pending if int(u["update_id"]) >= offset]
                return {"ok": True, "result": ready}
            if method == "deleteWebhook":
                return {"ok": True, "result": True}
            if method == "setWebhook":
                self.webhooks.append(form)
                return {"ok": True, "result": True}
            if method == "sendMessage":
                if "reply_markup" in form:
                    form["reply_markup"] = json.loads(str(form["reply_markup"]))
                self.sent.append(form)
                chat_id = int(str(form["chat_id"]))
                chat = {"id": chat_id, "type": "private"}
                result = {"message_id": next(self._ids), "date": 0, "chat": chat}
                return {"ok": True, "result": {**result, "text": form["text"]}}
            raise HTTPException(404, "Not Found")

        return app
