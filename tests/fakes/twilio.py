"""A loopback fake of Twilio's Messages API (the documented request and JSON response)."""

from __future__ import annotations

import base64
import itertools
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import FastAPI, Form, Header, HTTPException

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "0123456789abcdef0123456789abcdef"


@dataclass
class SentSms:
    to: str
    from_: str
    body: str


@dataclass
class FakeTwilio:
    sent: list[SentSms] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/2010-04-01/Accounts/{sid}/Messages.json", status_code=201)
        def create(
            sid: str,
            to: Annotated[str, Form(alias="To")],
            from_: Annotated[str, Form(alias="From")],
            body: Annotated[str, Form(alias="Body")],
            authorization: Annotated[str, Header()] = "",
        ) -> dict[str, object]:
            expected = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
            if sid != ACCOUNT_SID or authorization != f"Basic {expected}":
                raise HTTPException(401, "bad credentials")
            self.sent.append(SentSms(to, from_, body))
            message_sid = f"SM{next(self._ids):032d}"
            return {
                "sid": message_sid, "account_sid": sid, "to": to, "from": from_, "body": body,
                "status": "queued", "num_segments": "1", "direction": "outbound-api",
            }  # fmt: skip

        return app
